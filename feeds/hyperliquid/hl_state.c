/*  hl_state: clearinghouseState (hl_state.h).                            */
#include <stdio.h>
#include <string.h>
#include "hb_json.h"
#include "hl_state.h"
#include "hl_wire.h"

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
        double szi, entry_px, upnl, liq, margin, funding = 0, funding_all = 0;
        json_t *cum = json_object_get (p, "cumFunding");
        if (!json_is_object (p)
        ||  hb_json_str (p, "coin", &coin, why, sizeof why)
        ||  hb_json_num (p, "szi", &szi, why, sizeof why)
        ||  s_num (p, "entryPx", &entry_px, why, sizeof why)
        ||  s_num (p, "unrealizedPnl", &upnl, why, sizeof why)
        ||  s_num (p, "liquidationPx", &liq, why, sizeof why)
        ||  s_num (p, "marginUsed", &margin, why, sizeof why)
        ||  (json_is_object (cum)
             && (s_num (cum, "sinceOpen", &funding, why, sizeof why)
                 || s_num (cum, "allTime", &funding_all, why, sizeof why)))) {
            if (!*why)
                snprintf (why, sizeof why, "not a position");
            snprintf (err, errsize, "clearinghouseState: assetPositions[%zu]: %s", i, why);
            goto fail;
        }
        const hl_coin_t *c = hl_md_find_coin (md, coin);
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
        pos->funding_all = funding_all;
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

void
hl_state_account (const hl_state_t *state, const char *venue, hb_msg_t *msg)
{
    memset (msg, 0, sizeof *msg);
    msg->env.type = HB_MSG_ACCOUNT;
    msg->env.ts_venue = hl_wire_time_ns (state->time_ms);
    hb_account_t *a = &msg->u.account;
    snprintf (a->venue, sizeof a->venue, "%s", venue);
    //  clearinghouseState is the perp account; spot is spotClearinghouseState's
    a->flags = HB_ACCOUNT_NO_SPOT;
    a->equity_usd = state->account_value;
    a->initial_usd = state->margin_used > 0? state->margin_used: 0;
    a->maintenance_usd = state->maintenance > 0? state->maintenance: 0;
    a->withdrawable_usd = state->withdrawable > 0? state->withdrawable: 0;
    a->n_other = (uint16_t) (state->n_other > UINT16_MAX? UINT16_MAX: state->n_other);
    for (int i = 0; i < state->n_positions; i++) {
        const hl_position_t *p = &state->positions [i];
        a->funding_usd += p->funding_all;
        if (p->qty == 0)
            continue;
        if (a->n_positions == HB_ACCOUNT_POSITIONS) {
            a->flags |= HB_ACCOUNT_TRUNCATED;
            continue;
        }
        hb_account_position_t *out = &a->positions [a->n_positions++];
        snprintf (out->symbol, sizeof out->symbol, "%s", p->symbol);
        out->qty = p->qty;
        out->entry_px = p->entry > 0? p->entry: 0;
        out->unrealized_usd = p->unrealized;
        out->liq_px = p->liquidation > 0? p->liquidation: 0;
        out->funding_usd = p->funding;
    }
}
