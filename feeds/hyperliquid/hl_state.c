/*  hl_state: clearinghouseState (hl_state.h).                            */
#include <stdio.h>
#include <string.h>
#include "hb_json.h"
#include "hl_state.h"

//  A decimal member of obj, 0 when absent or null.
static int
s_num (const json_t *obj, const char *key, double *out, char *why, size_t size)
{
    *out = 0;
    if (!hb_json_has (obj, key))
        return 0;
    return hb_json_num (obj, key, out, why, size);
}

int
hl_state_parse (const hl_md_t *md, const char *text, size_t len, hl_state_t *out,
                char *err, size_t errsize)
{
    memset (out, 0, sizeof *out);
    char why [HB_JSON_ERR_MAX] = "";
    hb_json_t *parser = hb_json_new (0, 0);
    json_t *root = parser? hb_json_parse (parser, text, len, why, sizeof why): NULL;
    json_t *summary = NULL, *positions = NULL;
    int rc = -1;
    if (!root
    ||  hb_json_obj (root, "marginSummary", &summary, why, sizeof why)
    ||  hb_json_arr (root, "assetPositions", &positions, why, sizeof why)
    ||  s_num (summary, "accountValue", &out->account_value, why, sizeof why)
    ||  s_num (summary, "totalMarginUsed", &out->margin_used, why, sizeof why)
    ||  s_num (root, "crossMaintenanceMarginUsed", &out->maintenance, why, sizeof why)
    ||  s_num (root, "withdrawable", &out->withdrawable, why, sizeof why)
    ||  (hb_json_has (root, "time") && hb_json_int (root, "time", &out->time_ms, why, sizeof why)))
        goto done;
    size_t i;
    json_t *entry;
    json_array_foreach (positions, i, entry) {
        json_t *p = json_object_get (entry, "position");
        const char *coin;
        double szi, entry_px, upnl, liq, margin, funding = 0;
        if (!json_is_object (p)
        ||  hb_json_str (p, "coin", &coin, why, sizeof why)
        ||  hb_json_num (p, "szi", &szi, why, sizeof why)
        ||  s_num (p, "entryPx", &entry_px, why, sizeof why)
        ||  s_num (p, "unrealizedPnl", &upnl, why, sizeof why)
        ||  s_num (p, "liquidationPx", &liq, why, sizeof why)
        ||  s_num (p, "marginUsed", &margin, why, sizeof why)
        ||  (json_is_object (json_object_get (p, "cumFunding"))
             && s_num (json_object_get (p, "cumFunding"), "sinceOpen", &funding, why, sizeof why))) {
            if (!*why)
                snprintf (why, sizeof why, "not a position");
            snprintf (err, errsize, "clearinghouseState: assetPositions[%zu]: %s", i, why);
            goto fail;
        }
        const hl_coin_t *c = NULL;
        for (int k = 0; !c && k < hl_md_coins (md); k++)
            if (!strcmp (hl_md_coin (md, k)->coin, coin))
                c = hl_md_coin (md, k);
        if (!c || out->n_positions >= HL_MD_COINS) {
            out->n_other++;
            continue;
        }
        double mult = c->inst->multiplier > 0? c->inst->multiplier: 1;
        hl_position_t *pos = &out->positions [out->n_positions++];
        pos->symbol = c->inst->symbol;
        pos->qty = szi / mult;
        pos->entry = entry_px;
        pos->unrealized = upnl;
        pos->liquidation = liq;
        pos->margin_used = margin;
        pos->funding = funding;
    }
    rc = 0;
    goto end;
done:
    snprintf (err, errsize, "clearinghouseState: %s", why);
fail:
    rc = -1;
end:
    hb_json_destroy (&parser);
    return rc;
}
