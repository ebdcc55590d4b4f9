/*  hb_optlive: the option legs of hb-risk live (see hb_optlive.h).        */
#include "hb_optlive.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hb_optplan.h"

#define S_NO_BAND   1e18            //  a band of 0 (none) as the planner takes it

typedef struct {
    bool     usable;                //  fresh at ts, two-sided, not stale or in outage
    int64_t  ts;
    hb_tick_t tick;
} s_book_t;

//  What an asset's last plan holds: its legs' instruments and positions
typedef struct {
    bool     legs;                  //  a plan with legs is being executed
    int64_t  at_ns;                 //  when it was made
    int      n;
    int      v [HB_OPTPLAN_LEGS], i [HB_OPTPLAN_LEGS];
    double   last_qty [HB_OPTPLAN_LEGS];
    bool     moved [HB_OPTPLAN_LEGS];
    int64_t  moved_ns;              //  the last position move seen
    char     id [HB_ID_MAX];        //  the plan's id: its legs are "<id>.<k>"
    bool     final [HB_OPTPLAN_LEGS];   //  the leg's final ack seen
    double   filled [HB_OPTPLAN_LEGS];  //  and what it says filled
    int      said;                  //  reason said last (-1: none), for plans without legs
    int64_t  said_ns;
} s_hold_t;

struct _hb_optlive_t {
    const hb_config_t *cfg;
    s_book_t   *books;              //  [first [v] + i]
    size_t      first [HB_MAX_VENUES];
    s_hold_t    hold [HB_MAX_ASSETS];
    int64_t     desk_ns;            //  when assets were computed (-1: never)
    hb_risk_asset_t assets [HB_MAX_ASSETS];
    hb_optplan_cand_t cands [HB_OPTPLAN_CANDS];
    hb_risk_contract_t contract [HB_OPTPLAN_CANDS];
    int         cand_v [HB_OPTPLAN_CANDS], cand_i [HB_OPTPLAN_CANDS];
    hb_optplan_t plan;
};

_Static_assert (HB_OPTPLAN_LEGS == HB_OPTPLAN_MSG_LEGS && HB_OPTPLAN_REASONS == HB_OPTPLAN_MSG_REASONS
                && HB_OPTPLAN_BUCKETS == HB_RISK_VEGA_BUCKETS, "risk.optplan carries a whole plan");

hb_optlive_t *
hb_optlive_new (const hb_config_t *cfg)
{
    assert (cfg);
    hb_optlive_t *self = (hb_optlive_t *) calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->cfg = cfg;
    size_t n = 0;
    for (int v = 0; v < cfg->n_venues; v++) {
        self->first [v] = n;
        n += (size_t) cfg->venues [v].n_instruments;
    }
    self->books = (s_book_t *) calloc (n > 0 ? n : 1, sizeof *self->books);
    if (!self->books) {
        free (self);
        return NULL;
    }
    for (int a = 0; a < HB_MAX_ASSETS; a++)
        self->hold [a].said = -1;
    self->desk_ns = -1;
    return self;
}

void
hb_optlive_destroy (hb_optlive_t **self_p)
{
    assert (self_p);
    if (*self_p) {
        free ((*self_p)->books);
        free (*self_p);
        *self_p = NULL;
    }
}

int
hb_optlive_on_tick (hb_optlive_t *self, const hb_tick_t *tick, int64_t now_ns)
{
    assert (self && tick);
    const hb_venue_cfg_t *venue = hb_config_venue (self->cfg, tick->venue);
    const hb_instrument_cfg_t *ins = venue ? hb_venue_instrument (venue, tick->symbol) : NULL;
    if (!ins || !venue->enabled || ins->kind != HB_KIND_OPTION)
        return -1;
    int v = (int) (venue - self->cfg->venues);
    s_book_t *book = &self->books [self->first [v] + (size_t) (ins - venue->instruments)];
    book->usable = (tick->flags & (HB_TICK_STALE | HB_TICK_OUTAGE)) == 0
                && tick->n_bids > 0 && tick->n_asks > 0 && tick->n_bids <= HB_BOOK_DEPTH
                && tick->n_asks <= HB_BOOK_DEPTH && tick->bids [0].px > 0
                && tick->bids [0].px < tick->asks [0].px;
    book->ts = now_ns;
    book->tick = *tick;
    return 0;
}

int
hb_optlive_on_ack (hb_optlive_t *self, const hb_ack_t *ack)
{
    assert (self && ack);
    if (ack->status != HB_ACK_REJECTED && ack->status != HB_ACK_CANCELED
    &&  ack->status != HB_ACK_DONE)
        return -1;
    for (int a = 0; a < self->cfg->n_assets; a++) {
        s_hold_t *hold = &self->hold [a];
        size_t len = strlen (hold->id);
        if (!hold->legs || len == 0 || strncmp (ack->client_id, hold->id, len) != 0
        ||  ack->client_id [len] != '.')
            continue;
        char *end = NULL;
        long k = strtol (ack->client_id + len + 1, &end, 10);
        if (end == ack->client_id + len + 1 || *end != '\0' || k < 0 || k >= hold->n
        ||  !isfinite (ack->filled_qty))
            return -1;
        hold->final [k] = true;
        hold->filled [k] = ack->status == HB_ACK_REJECTED ? 0 : fabs (ack->filled_qty);
        return 0;
    }
    return -1;
}

const hb_tick_t *
hb_optlive_book (const hb_optlive_t *self, int v, int i, int64_t *ts_ns)
{
    assert (self);
    if (v < 0 || v >= self->cfg->n_venues || i < 0 || i >= self->cfg->venues [v].n_instruments)
        return NULL;
    const s_book_t *book = &self->books [self->first [v] + (size_t) i];
    if (!book->usable)
        return NULL;
    if (ts_ns)
        *ts_ns = book->ts;
    return &book->tick;
}

//  One side of a book as the planner's levels, in USD per contract: the
//  best HB_OPTPLAN_LEVELS, up to the first that is not a price and a size
static int
s_levels (const hb_level_t *in, int n, double usd_per_px, hb_optplan_level_t *out)
{
    int k = 0;
    for (; k < n && k < HB_OPTPLAN_LEVELS; k++) {
        if (!(isfinite (in [k].px) && in [k].px > 0 && isfinite (in [k].qty) && in [k].qty > 0))
            break;
        out [k].px = in [k].px * usd_per_px;
        out [k].qty = in [k].qty;
    }
    return k;
}

//  The candidates of asset a at now_ns: options of an enabled venue with a
//  fresh usable book and a model value
static int
s_candidates (hb_optlive_t *self, hb_risk_t *risk, int a, int64_t now_ns)
{
    const hb_config_t *cfg = self->cfg;
    int64_t stale_ns = (int64_t) cfg->risk.quote_stale_ms * 1000000;
    int n = 0;
    for (int v = 0; v < cfg->n_venues; v++) {
        const hb_venue_cfg_t *venue = &cfg->venues [v];
        for (int i = 0; i < venue->n_instruments && venue->enabled && n < HB_OPTPLAN_CANDS; i++) {
            const hb_instrument_cfg_t *ins = &venue->instruments [i];
            const s_book_t *book = &self->books [self->first [v] + (size_t) i];
            if (ins->kind != HB_KIND_OPTION || ins->asset != a || ins->expiry_ns <= now_ns
            ||  !book->usable || now_ns - book->ts > stale_ns
            ||  hb_risk_option_contract (risk, v, i, now_ns, &self->contract [n]) != 0)
                continue;
            const hb_risk_contract_t *k = &self->contract [n];
            hb_optplan_cand_t *c = &self->cands [n];
            memset (c, 0, sizeof *c);
            c->id = n;
            c->delta = k->delta;
            c->gamma = k->gamma_usd;
            c->vega = k->vega;
            c->bucket = k->bucket;
            c->lot = ins->lot_size;
            c->min = ins->min_qty;
            c->fee_rate = fmax (0, venue->fee_taker);
            c->n_bids = s_levels (book->tick.bids, book->tick.n_bids, k->usd_per_px, c->bids);
            c->n_asks = s_levels (book->tick.asks, book->tick.n_asks, k->usd_per_px, c->asks);
            if (c->n_bids == 0 || c->n_asks == 0)
                continue;
            self->cand_v [n] = v;
            self->cand_i [n] = i;
            n++;
        }
    }
    return n;
}

//  How long a plan holds its asset: option_hold_ms (15 s in a config
//  built in code, where it is 0)
static int64_t
s_hold_ns (const hb_config_t *cfg)
{
    return (int64_t) (cfg->risk.option_hold_ms > 0 ? cfg->risk.option_hold_ms : 15000) * 1000000;
}

//  The plan's legs are still being executed: no new plan for the asset
static bool
s_held (hb_optlive_t *self, hb_risk_t *risk, s_hold_t *hold, int64_t now_ns)
{
    if (!hold->legs)
        return false;
    bool all = true, done = true;
    for (int k = 0; k < hold->n; k++) {
        hb_risk_contract_t c;
        hb_risk_option_contract (risk, hold->v [k], hold->i [k], now_ns, &c);
        if (c.qty != hold->last_qty [k]) {
            hold->last_qty [k] = c.qty;
            hold->moved [k] = true;
            hold->moved_ns = now_ns;
        }
        all &= hold->moved [k];
        //  a leg is done when its venue said it is final and what it filled
        //  is in the position (nothing filled: nothing to wait for)
        done &= hold->final [k] && (hold->filled [k] == 0 || hold->moved [k]);
    }
    //  every leg final: what is left of the breach is planned now, not
    //  after option_hold_ms (a partial fill, an IOC that found nothing)
    if (done) {
        hold->legs = false;
        return false;
    }
    int64_t settle = (int64_t) self->cfg->risk.sample_ms * 1000000;
    if ((all && now_ns - hold->moved_ns >= settle)
    ||  now_ns - hold->at_ns >= s_hold_ns (self->cfg)) {
        hold->legs = false;
        return false;
    }
    return true;
}

//  The plan's figures and legs into out
static void
s_fill (hb_optlive_t *self, const hb_optplan_input_t *in, const hb_risk_asset_t *ra, int a,
        int64_t now_ns, uint64_t sample, hb_risk_optplan_t *out)
{
    const hb_config_t *cfg = self->cfg;
    const hb_optplan_t *plan = &self->plan;
    memset (out, 0, sizeof *out);
    snprintf (out->id, sizeof out->id, "%.20s-o%lld-%d", cfg->deployment[0] ? cfg->deployment : "hb",
              (long long) (now_ns / 1000000), a);
    snprintf (out->asset, sizeof out->asset, "%s", cfg->assets [a].name);
    out->reason = (uint8_t) plan->reason;
    snprintf (out->why, sizeof out->why, "%.95s", plan->why);
    out->sample = sample;
    out->index = ra->index;
    out->gamma_band = cfg->risk.gamma_band_usd [a];
    out->gamma_before = ra->gamma_usd;
    out->n_buckets = (uint8_t) in->n_buckets;
    bool legs = plan->reason == HB_OPTPLAN_OK && plan->n_legs > 0;
    out->gamma_after = legs ? plan->gamma_after : ra->gamma_usd;
    for (int b = 0; b < in->n_buckets; b++) {
        out->vega_band [b] = (float) cfg->risk.vega_band_usd [a][b];
        out->vega_before [b] = ra->vega_bucket [b];
        out->vega_after [b] = legs ? (float) plan->vega_after [b] : ra->vega_bucket [b];
    }
    if (!legs)
        return;
    out->cost = fmax (0, plan->cost);
    out->premium = plan->premium;
    out->delta = plan->delta;
    for (int k = 0; k < plan->n_legs && k < HB_OPTPLAN_MSG_LEGS; k++) {
        const hb_optplan_leg_t *leg = &plan->legs [k];
        int c = leg->cand;
        const hb_venue_cfg_t *venue = &cfg->venues [self->cand_v [c]];
        const hb_instrument_cfg_t *ins = &venue->instruments [self->cand_i [c]];
        hb_optplan_leg_msg_t *m = &out->legs [out->n_legs++];
        snprintf (m->venue, sizeof m->venue, "%s", venue->name);
        snprintf (m->symbol, sizeof m->symbol, "%s", ins->symbol);
        m->side = leg->qty > 0 ? HB_SIDE_BUY : HB_SIDE_SELL;
        m->bucket = (uint8_t) self->cands [c].bucket;
        //  whole lots (the planner's lots times the lot, without the float's dust)
        m->qty = ins->lot_size > 0 ? round (fabs (leg->qty) / ins->lot_size) * ins->lot_size
                                   : fabs (leg->qty);
        //  the deepest level walked, back in the instrument's price, on its tick
        double px = leg->limit_px / self->contract [c].usd_per_px;
        m->limit_px = ins->tick_size > 0 ? round (px / ins->tick_size) * ins->tick_size : px;
        m->gamma_usd = leg->qty * self->cands [c].gamma;
        m->vega = leg->qty * self->cands [c].vega;
        m->delta = leg->qty * self->cands [c].delta;
        m->premium = leg->premium;
    }
}

int
hb_optlive_check (hb_optlive_t *self, hb_risk_t *risk, int a, int64_t now_ns,
                  uint64_t sample, hb_risk_optplan_t *out)
{
    assert (self && risk && out);
    const hb_config_t *cfg = self->cfg;
    if (a < 0 || a >= cfg->n_assets || !hb_risk_positions_ready (risk))
        return 0;
    s_hold_t *hold = &self->hold [a];
    if (s_held (self, risk, hold, now_ns))
        return 0;
    if (self->desk_ns != now_ns) {
        hb_risk_desk (risk, now_ns, self->assets);
        self->desk_ns = now_ns;
    }
    const hb_risk_asset_t *ra = &self->assets [a];
    if (!(ra->flags & (HB_RISK_ASSET_GAMMA_BAND | HB_RISK_ASSET_VEGA_BAND)) || !(ra->index > 0)) {
        hold->said = -1;
        return 0;
    }
    hb_optplan_input_t in = {
        .gamma = ra->gamma_usd,
        .n_buckets = cfg->risk.n_vega_edges + 1,
        .gamma_band = cfg->risk.gamma_band_usd [a] > 0 ? cfg->risk.gamma_band_usd [a] : S_NO_BAND,
        .target = cfg->risk.option_target,
        .cands = self->cands
    };
    for (int b = 0; b < in.n_buckets; b++) {
        in.vega [b] = ra->vega_bucket [b];
        double band = cfg->risk.vega_band_usd [a][b];
        in.vega_band [b] = band > 0 ? band : S_NO_BAND;
    }
    in.n_cands = s_candidates (self, risk, a, now_ns);
    hb_optplan_solve (&in, &self->plan);
    if (self->plan.reason == HB_OPTPLAN_INSIDE)
        return 0;
    if (self->plan.reason != HB_OPTPLAN_OK || self->plan.n_legs == 0) {
        //  a reason is said once per hold while it lasts
        if (hold->said == (int) self->plan.reason
        &&  now_ns - hold->said_ns < s_hold_ns (self->cfg))
            return 0;
        hold->said = (int) self->plan.reason;
        hold->said_ns = now_ns;
        s_fill (self, &in, ra, a, now_ns, sample, out);
        return 1;
    }
    s_fill (self, &in, ra, a, now_ns, sample, out);
    hold->legs = true;
    hold->said = -1;
    hold->at_ns = now_ns;
    hold->n = out->n_legs;
    for (int k = 0; k < hold->n; k++) {
        int c = self->plan.legs [k].cand;
        hold->v [k] = self->cand_v [c];
        hold->i [k] = self->cand_i [c];
        hold->last_qty [k] = self->contract [c].qty;
        hold->moved [k] = false;
        hold->final [k] = false;
        hold->filled [k] = 0;
    }
    snprintf (hold->id, sizeof hold->id, "%s", out->id);
    return 1;
}
