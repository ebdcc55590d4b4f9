/*  hl_funding: userFundings -> funding.<venue>.<symbol> (hl_funding.h).   */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hb_json.h"
#include "hl_funding.h"
#include "hl_wire.h"

struct hl_funding_s {
    const hl_md_t      *md;
    hb_vpub_emit_fn    *emit;
    void               *arg;
    char                venue [HB_NAME_MAX];
    int64_t             last_ms [HL_MD_COINS];  //  by coin index: the last payment published
    hb_msg_t            msg;                    //  scratch
    hl_funding_stats_t  stats;
};

hl_funding_t *
hl_funding_new (const hl_md_t *md, const char *venue, hb_vpub_emit_fn *emit, void *arg)
{
    hl_funding_t *self = (hl_funding_t *) calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->md = md;
    self->emit = emit;
    self->arg = arg;
    snprintf (self->venue, sizeof self->venue, "%s", venue);
    return self;
}

void
hl_funding_destroy (hl_funding_t **self_p)
{
    if (self_p && *self_p) {
        free (*self_p);
        *self_p = NULL;
    }
}

//  The coin's index in md, -1 when not ours.
static int
s_coin_index (const hl_funding_t *self, const char *name)
{
    const hl_coin_t *coin = hl_md_find_coin (self->md, name);
    for (int i = 0; coin && i < hl_md_coins (self->md) && i < HL_MD_COINS; i++)
        if (hl_md_coin (self->md, i) == coin)
            return i;
    return -1;
}

int
hl_funding_on_message (hl_funding_t *self, const json_t *data)
{
    json_t *fundings = json_object_get (data, "fundings");
    if (!json_is_array (fundings)) {
        self->stats.malformed++;
        return -1;
    }
    size_t i;
    json_t *f;
    json_array_foreach (fundings, i, f) {
        const char *coin;
        double usdc, szi, rate;
        int64_t time_ms;
        if (hb_json_str (f, "coin", &coin, NULL, 0) || hb_json_int (f, "time", &time_ms, NULL, 0)
        ||  hb_json_num (f, "usdc", &usdc, NULL, 0) || hb_json_num (f, "szi", &szi, NULL, 0)
        ||  hb_json_num (f, "fundingRate", &rate, NULL, 0) || hl_wire_time_ns (time_ms) == 0) {
            self->stats.malformed++;
            return -1;
        }
        self->stats.payments++;
        int c = s_coin_index (self, coin);
        if (c < 0) {
            self->stats.other++;
            continue;
        }
        if (time_ms <= self->last_ms [c]) {
            self->stats.repeated++;
            continue;
        }
        const hl_coin_t *info = hl_md_coin (self->md, c);
        double mult = info->inst->multiplier > 0? info->inst->multiplier: 1;
        memset (&self->msg, 0, sizeof self->msg);
        self->msg.env.type = HB_MSG_FUNDING;
        self->msg.env.ts_venue = hl_wire_time_ns (time_ms);
        hb_funding_t *out = &self->msg.u.funding;
        snprintf (out->venue, sizeof out->venue, "%s", self->venue);
        snprintf (out->symbol, sizeof out->symbol, "%s", info->inst->symbol);
        snprintf (out->id, sizeof out->id, "%s:%lld", info->coin, (long long) time_ms);
        //  the venue's usdc is what the account received; the bus's usd what it paid
        out->usd = usdc == 0? 0: -usdc;
        out->rate = rate;
        out->qty = szi / mult;
        //  one refused by the host is tried again with the next snapshot
        if (self->emit (self->arg, &self->msg))
            self->stats.emit_refused++;
        else {
            self->stats.published++;
            self->last_ms [c] = time_ms;
        }
    }
    return 0;
}

const hl_funding_stats_t *
hl_funding_stats (const hl_funding_t *self)
{
    return &self->stats;
}
