/*  hb_risk: the live risk engine (see hb_risk.h, docs/RISK.md).          */
#include "hb_risk.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hb_bs.h"
#include "hb_greeks.h"
#include "hb_hedge.h"
#include "hb_index.h"
#include "hb_log.h"
#include "hb_metrics.h"
#include "hb_regime.h"
#include "hb_var.h"

#define S_N     HB_RISK_MAX_ASSETS
#define S_PAIRS HB_RISK_CORR_MAX
#define S_FILLREF_NS    (30 * 1000000000LL)    //  a fill applied this long ago is no more named by requests
//  What a config built by hand (no components.risk.regime loaded) does
#define S_PROXY_FLOOR   0.3

//  What the aggregator last said about one asset (pos.<asset>)
typedef struct {
    bool     known;
    double   net_usd;
    double   price;
    char     publisher [HB_NAME_MAX];
    uint64_t epoch;
    uint64_t seq;
} s_agg_exposure_t;

//  One option position (venue, instrument) and the IV its venue quotes
typedef struct {
    double   qty;
    double   placeholder_usd;       //  the aggregator's delta-1 value, taken out of net_usd
    double   mark_iv;               //  0: none seen, use the config's iv
    uint64_t epoch;                 //  of the position message applied
    uint64_t seq;
    int      underlying;            //  the future/perp it is written on (Black-76), -1: spot
} s_option_t;

//  The latest usable quote of an option's underlying future or perp, and
//  its basis to the index (F / index) when both were last fresh
typedef struct {
    bool     usable;
    double   mid;
    int64_t  ts_ns;
    double   basis;                 //  0: never seen with a fresh index
} s_forward_t;

//  The latest usable mids of a venue's index instrument (hb_risk_on_tick):
//  applied (the others' reference) and quarantined (a confirmation)
typedef struct {
    double   ok_mid;                //  the latest applied, 0: none
    int64_t  ok_ns;
    double   bad_mid;               //  the latest quarantined, while quarantined_since
    int64_t  bad_ns;
    int64_t  quarantined_since;     //  data ns of the first of a run of quarantined quotes, 0: none
} s_seen_t;

//  A position state as hb_risk_set_position last set it
typedef struct {
    double   qty;
    double   entry;
    double   coin_pnl;              //  inverse: realized - fees; coin-settled option: also
                                    //  unrealized at the aggregator's mark; in coin
} s_held_t;

//  The last fill message applied on one (venue, instrument), as its feed
//  published it: a hedge request names it, so the hedger knows exactly
//  which of its fills the request's positions hold (docs/RISK.md)
typedef struct {
    bool     known;
    char     publisher [HB_NAME_MAX];
    uint64_t epoch, seq;
    int64_t  at_ns;                 //  data time it was applied at
} s_fillref_t;

//  The Clone rule: a state message replaces what we hold only when it is
//  newer (a later epoch, or the same epoch and a larger seq), so a
//  snapshot that arrives after a live update never rolls it back.
static bool
s_newer (const hb_env_t *env, uint64_t epoch, uint64_t seq)
{
    return env->epoch > epoch || (env->epoch == epoch && env->seq > seq);
}

struct _hb_risk_t {
    const hb_config_t *cfg;
    const hb_risk_cfg_t *rc;
    uint64_t    epoch;
    int         n;                  //  assets
    int         n_venues;
    hb_index_t *index;
    hb_ewma_t  *ewma;
    hb_hedge_t *hedge;
    bool        positions_known;
    bool        positions_pending;  //  hb_risk_set_positions_pending
    bool        data_time;          //  hb_risk_set_data_time
    int64_t     sample_ns;          //  time of the last sample
    bool        imported;           //  hb_risk_import: the next return spans a gap
    uint64_t    samples;            //  grid samples taken
    uint64_t    requested_at;       //  sample of the last hedge request (0: none)
    uint64_t    ignored;
    double      sample_s;
    double      horizon;            //  periods in the horizon

    //  per asset
    int         index_instr [S_N][HB_MAX_VENUES];   //  the venue's index instrument, -1: none
    double      last_px [S_N];      //  index at the last sample it was fresh
    bool        last_fresh [S_N];   //  fresh at the previous sample
    double      px [S_N];           //  index now (last known)
    s_seen_t    seen [S_N][HB_MAX_VENUES];
    bool        stale [S_N];
    bool        hedgeable [S_N];
    s_agg_exposure_t agg [S_N];

    //  per venue
    bool        breach [HB_MAX_VENUES];
    char        feed [HB_MAX_VENUES][HB_NAME_MAX];  //  publisher of its ticks
    //  per venue, a row of its n_instruments (s_rows_new): sized by the
    //  config, not by HB_MAX_INSTRUMENTS
    s_option_t  *options [HB_MAX_VENUES];
    s_held_t    *held [HB_MAX_VENUES];      //  hb_risk_set_position
    //  the (venue, instrument) rows of each asset: of asset a, own [k] for
    //  own_at [a] <= k < own_at [a + 1]. A decision (every tick) walks an
    //  asset's own rows, not every row of every venue per asset.
    int         *own_at;                    //  n + 1
    struct { int v, i; } *own;
    s_fillref_t *fillref [HB_MAX_VENUES];   //  hb_risk_fill_applied
    bool        *is_underlying [HB_MAX_VENUES];
    s_forward_t *forwards [HB_MAX_VENUES];

    //  workspace of the latest computation
    double      e [S_N];
    double      h [S_N];
    double      residual [S_N];
    double      contrib [S_N];
    double      r [S_N];
    bool        present [S_N];
    hb_hedge_result_t plan;
    int         plan_rc;
    uint32_t    index_used [S_N];
    hb_risk_asset_t check_assets [S_N];    //  the hedge check's exposures
    bool        cov_changed;        //  the covariance moved since the last plan (hb_hedge_plan_same_cov)
    uint64_t    changes;            //  hb_risk_changes

    //  correlation regime per pair (a, b), a < b, in corr order: a the
    //  target, b the proxy (docs/RISK.md, Correlation regimes, Live)
    int         n_pairs;
    hb_regime_t *regime [S_PAIRS];
    uint8_t     pair_a [S_PAIRS], pair_b [S_PAIRS];
    hb_regime_state_t regime_state [S_PAIRS];   //  at the previous sample
    hb_risk_regime_t events [S_PAIRS];          //  state changes of the last sample
    int         n_events;
    //  what the plan and VaR take from the detectors, set at each sample
    //  (docs/RISK.md, Correlation regimes, Hedge and VaR)
    bool        use_ratio, stress_var;          //  components.risk.regime hedge, stress_var
    double      proxy_floor;
    uint64_t    floor_from;                     //  samples of a pair before its floor is checked (warmup)
    bool        pair_override [S_PAIRS];        //  the plan's covariance of the pair is pair_cov
    int         overrides [S_PAIRS];            //  the pairs with pair_override, in pair order
    int         n_overrides;
    double      pair_cov [S_PAIRS];             //  when one of the two is hedgeable and not the other
    bool        pair_dropped [S_PAIRS];         //  |pair_corr| under proxy_floor
    double      pair_corr [S_PAIRS];            //  the correlation the floor is checked on
    double      pair_w [S_PAIRS];               //  hb_regime_break_weight
    bool        no_proxy [S_N];                 //  not in H and every proxy dropped (logged on change)
    double      hcov [S_N * S_N];               //  the plan's covariance when a pair overrides

    //  tick quarantine (docs/RISK.md, Tick plausibility)
    hb_metric_t *m_far;             //  hb_risk_ticks_quarantined_total{reason="far_from_index"}
    hb_metric_t *m_clock;           //  ...{reason="clock"}
    hb_complain_t c_far;
    hb_complain_t c_clock;
    uint64_t    quarantined;        //  by this object, both reasons
};

#define S_QUARANTINED_HELP  "Venue ticks not applied: mid far from the index, or stamped outside the clock window"

static int
s_venue_index (const hb_risk_t *self, const char *name)
{
    for (int v = 0; v < self->n_venues; v++)
        if (strcmp (self->cfg->venues [v].name, name) == 0)
            return v;
    return -1;
}

//  The venue's index instrument for an asset: its spot, else a linear
//  perpetual, else an inverse one (all quote USD per coin). Futures carry
//  a basis and options are not the asset's price.
static int
s_pick_index_instrument (const hb_venue_cfg_t *venue, int asset)
{
    static const hb_kind_t order [] = { HB_KIND_SPOT, HB_KIND_LINEAR_PERP, HB_KIND_INVERSE_PERP };
    for (size_t k = 0; k < sizeof order / sizeof order [0]; k++)
        for (int i = 0; i < venue->n_instruments; i++)
            if (venue->instruments [i].asset == asset && venue->instruments [i].kind == order [k])
                return i;
    return -1;
}

//  The per-instrument rows of each venue of the config
static int
s_rows_new (hb_risk_t *self)
{
    for (int v = 0; v < self->cfg->n_venues && v < HB_MAX_VENUES; v++) {
        size_t n = self->cfg->venues [v].n_instruments > 0 ? (size_t) self->cfg->venues [v].n_instruments : 1;
        self->options [v] = (s_option_t *) calloc (n, sizeof (s_option_t));
        self->held [v] = (s_held_t *) calloc (n, sizeof (s_held_t));
        self->fillref [v] = (s_fillref_t *) calloc (n, sizeof (s_fillref_t));
        self->is_underlying [v] = (bool *) calloc (n, sizeof (bool));
        self->forwards [v] = (s_forward_t *) calloc (n, sizeof (s_forward_t));
        if (!self->options [v] || !self->held [v] || !self->fillref [v] || !self->is_underlying [v]
        ||  !self->forwards [v])
            return -1;
    }
    size_t rows = 0;
    for (int v = 0; v < self->cfg->n_venues && v < HB_MAX_VENUES; v++)
        rows += (size_t) self->cfg->venues [v].n_instruments;
    self->own_at = (int *) calloc ((size_t) self->n + 1, sizeof (int));
    self->own = calloc (rows > 0 ? rows : 1, sizeof *self->own);
    if (!self->own_at || !self->own)
        return -1;
    int k = 0;
    for (int a = 0; a < self->n; a++) {
        self->own_at [a] = k;
        for (int v = 0; v < self->cfg->n_venues && v < HB_MAX_VENUES; v++)
            for (int i = 0; i < self->cfg->venues [v].n_instruments; i++)
                if (self->cfg->venues [v].instruments [i].asset == a) {
                    self->own [k].v = v;
                    self->own [k++].i = i;
                }
    }
    self->own_at [self->n] = k;
    return 0;
}

//  Each option's underlying instrument (hb_config checks the same when it
//  loads a file; a config built by hand may not have been)
static int
s_resolve_underlyings (hb_risk_t *self)
{
    for (int v = 0; v < self->cfg->n_venues; v++) {
        const hb_venue_cfg_t *venue = &self->cfg->venues [v];
        for (int i = 0; i < venue->n_instruments; i++) {
            const hb_instrument_cfg_t *ins = &venue->instruments [i];
            self->options [v][i].underlying = -1;
            if (ins->kind != HB_KIND_OPTION || !ins->underlying [0])
                continue;
            const hb_instrument_cfg_t *under = hb_venue_instrument (venue, ins->underlying);
            if (!under || under->asset != ins->asset
            ||  under->kind == HB_KIND_SPOT || under->kind == HB_KIND_OPTION) {
                hb_error ("risk: option %s on %s: underlying %s is not a future or perpetual "
                          "of the same venue and asset", ins->symbol, venue->name, ins->underlying);
                return -1;
            }
            int u = (int) (under - venue->instruments);
            self->options [v][i].underlying = u;
            self->is_underlying [v][u] = true;
        }
    }
    return 0;
}

//  One detector per pair of assets, with components.risk.regime (the
//  config loader checks the same ranges as hb_regime_params_check)
void
hb_risk_regime_params (const hb_risk_cfg_t *risk, hb_regime_params_t *params)
{
    const hb_regime_cfg_t *rc = &risk->regime;
    hb_regime_params_default (params);
    if (rc->threshold > 0) {
        params->threshold = rc->threshold;
        params->shift_z = rc->shift_z;
        params->lambda_ref = rc->lambda_ref;
        params->lambda_fast = rc->lambda_fast;
        params->lambda_slow = rc->lambda_slow;
        params->warmup = rc->warmup;
        params->hold = rc->hold;
    }
}

static int
s_regimes_new (hb_risk_t *self)
{
    const hb_regime_cfg_t *rc = &self->rc->regime;
    hb_regime_params_t params;
    hb_risk_regime_params (self->rc, &params);
    self->use_ratio = self->stress_var = true;
    self->proxy_floor = S_PROXY_FLOOR;
    if (rc->threshold > 0) {
        self->use_ratio = rc->hedge;
        self->stress_var = rc->stress_var;
        self->proxy_floor = rc->proxy_floor;
    }
    self->floor_from = (uint64_t) params.warmup;
    for (int a = 0; a < self->n; a++)
        for (int b = a + 1; b < self->n; b++) {
            int k = self->n_pairs++;
            self->pair_a [k] = (uint8_t) a;
            self->pair_b [k] = (uint8_t) b;
            self->regime [k] = hb_regime_new (&params);
            if (!self->regime [k]) {
                hb_error ("risk: components.risk.regime: %s is out of range",
                          hb_regime_params_check (&params) ? hb_regime_params_check (&params) : "memory");
                return -1;
            }
        }
    return 0;
}

hb_risk_t *
hb_risk_new (const hb_config_t *cfg, uint64_t epoch)
{
    assert (cfg);
    if (cfg->n_assets < 1 || cfg->n_assets > S_N) {
        hb_error ("risk: %d assets configured, hb-risk handles 1..%d", cfg->n_assets, S_N);
        return NULL;
    }
    hb_risk_t *self = (hb_risk_t *) calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->cfg = cfg;
    self->rc = &cfg->risk;
    self->epoch = epoch;
    self->n = cfg->n_assets;
    self->n_venues = cfg->n_venues > 0 ? cfg->n_venues : 1;
    self->sample_s = self->rc->sample_ms / 1000.0;
    self->horizon = self->rc->var_horizon_s / self->sample_s;
    self->index = hb_index_new (self->n, self->n_venues, (int64_t) self->rc->quote_stale_ms * 1000000);
    self->ewma = hb_ewma_new (self->n, self->rc->lambda);
    self->hedge = hb_hedge_new (self->n);
    self->cov_changed = true;
    self->m_far = hb_metrics_counter (hb_metrics_process (), "hb_risk_ticks_quarantined_total",
                                      S_QUARANTINED_HELP, "reason", "far_from_index");
    self->m_clock = hb_metrics_counter (hb_metrics_process (), "hb_risk_ticks_quarantined_total",
                                        S_QUARANTINED_HELP, "reason", "clock");
    if (!self->index || !self->ewma || !self->hedge || s_rows_new (self) != 0 || s_regimes_new (self) != 0) {
        hb_risk_destroy (&self);
        return NULL;
    }
    for (int a = 0; a < self->n; a++) {
        self->stale [a] = true;
        for (int v = 0; v < HB_MAX_VENUES; v++)
            self->index_instr [a][v] = v < cfg->n_venues && cfg->venues [v].enabled
                                     ? s_pick_index_instrument (&cfg->venues [v], a) : -1;
    }
    if (s_resolve_underlyings (self) != 0)
        hb_risk_destroy (&self);
    return self;
}

void
hb_risk_destroy (hb_risk_t **self_p)
{
    assert (self_p);
    hb_risk_t *self = *self_p;
    if (self) {
        hb_index_destroy (&self->index);
        hb_ewma_destroy (&self->ewma);
        hb_hedge_destroy (&self->hedge);
        for (int k = 0; k < self->n_pairs; k++)
            hb_regime_destroy (&self->regime [k]);
        for (int v = 0; v < HB_MAX_VENUES; v++) {
            free (self->options [v]);
            free (self->held [v]);
            free (self->fillref [v]);
            free (self->is_underlying [v]);
            free (self->forwards [v]);
        }
        free (self->own_at);
        free (self->own);
        free (self);
        *self_p = NULL;
    }
}

//  ---------------------------------------------------------------------------
//  Inputs

//  The mid of a quote usable for the index (hb_index.h's rule), 0 if none
static double
s_usable_mid (const hb_tick_t *tick)
{
    double bid = tick->n_bids > 0 ? tick->bids [0].px : 0;
    double ask = tick->n_asks > 0 ? tick->asks [0].px : 0;
    bool usable = (tick->flags & (HB_TICK_STALE | HB_TICK_OUTAGE)) == 0
               && tick->n_bids > 0 && tick->n_asks > 0
               && isfinite (bid) && isfinite (ask) && bid > 0 && bid < ask;
    return usable ? (bid + ask) / 2 : 0;
}

static bool
s_near (double mid, double ref, double limit)
{
    return fabs (mid / ref - 1) <= limit;
}

//  What venue v's mid of asset a is checked against at now_ns: the median
//  of the other venues' applied mids no older than quote_stale_ms; with
//  none, the index when it was fresh at the last sample (a lone venue
//  quarantined for a whole freshness window made it stale: its next quote
//  is the new level). 0: nothing to check against.
static double
s_reference (const hb_risk_t *self, int a, int v, int64_t now_ns)
{
    int64_t stale_ns = (int64_t) self->rc->quote_stale_ms * 1000000;
    double mids [HB_MAX_VENUES];
    int n = 0;
    for (int w = 0; w < self->cfg->n_venues && w < HB_MAX_VENUES; w++) {
        const s_seen_t *seen = &self->seen [a][w];
        if (w == v || self->index_instr [a][w] < 0 || !(seen->ok_mid > 0)
        ||  now_ns - seen->ok_ns > stale_ns)
            continue;
        int at = n++;
        while (at > 0 && mids [at - 1] > seen->ok_mid) {
            mids [at] = mids [at - 1];
            at--;
        }
        mids [at] = seen->ok_mid;
    }
    if (n > 0)
        return n % 2 ? mids [n / 2] : (mids [n / 2 - 1] + mids [n / 2]) / 2;
    if (self->px [a] > 0 && !self->stale [a])
        return self->px [a];
    return 0;
}

//  Whether another venue, quarantined now, quotes mid too (within limit,
//  no older than quote_stale_ms): every venue moving together is a move of
//  the market, not one venue's error (the first to move waits for the
//  second; one forged venue confirms nothing)
static bool
s_confirmed (const hb_risk_t *self, int a, int v, double mid, double limit, int64_t now_ns)
{
    int64_t stale_ns = (int64_t) self->rc->quote_stale_ms * 1000000;
    for (int w = 0; w < self->cfg->n_venues && w < HB_MAX_VENUES; w++) {
        const s_seen_t *seen = &self->seen [a][w];
        if (w != v && seen->quarantined_since && seen->bad_mid > 0
        &&  now_ns - seen->bad_ns <= stale_ns && s_near (mid, seen->bad_mid, limit))
            return true;
    }
    return false;
}

//  A usable index quote of venue v: true when it is quarantined (too far
//  from the reference and confirmed by no other venue: counted, logged,
//  not applied).
static bool
s_far_from_index (hb_risk_t *self, int a, int v, const hb_tick_t *tick, double mid, int64_t now_ns)
{
    double limit = self->rc->max_index_deviation;
    double ref = limit > 0 ? s_reference (self, a, v, now_ns) : 0;
    s_seen_t *seen = &self->seen [a][v];
    if (!(ref > 0) || s_near (mid, ref, limit) || s_confirmed (self, a, v, mid, limit, now_ns)) {
        seen->ok_mid = mid;
        seen->ok_ns = now_ns;
        seen->quarantined_since = 0;
        return false;
    }
    seen->bad_mid = mid;
    seen->bad_ns = now_ns;
    if (!seen->quarantined_since)
        seen->quarantined_since = now_ns > 0 ? now_ns : 1;
    hb_metric_inc (self->m_far);
    self->quarantined++;
    hb_complain (&self->c_far, HB_LOG_WARN, "risk: tick %s/%s quarantined: mid %.10g is %.1f %% "
                 "from the index reference %.10g (max_index_deviation %g)", tick->venue,
                 tick->symbol, mid, (mid / ref - 1) * 100, ref, limit);
    return true;
}

bool
hb_risk_quarantine_clock (hb_risk_t *self, const hb_msg_t *msg, int64_t wall_ns,
                          int64_t ahead_ns, int64_t behind_ns)
{
    assert (self);
    assert (msg);
    int64_t ts = msg->env.ts_pub;
    //  in that order: no overflow for any ts (wall_ns is a sane clock)
    bool ahead = ts > wall_ns && ts - wall_ns > ahead_ns;
    bool behind = behind_ns > 0 && ts < wall_ns && (ts <= 0 || wall_ns - ts > behind_ns);
    if (!ahead && !behind)
        return false;
    hb_metric_inc (self->m_clock);
    self->quarantined++;
    hb_complain (&self->c_clock, HB_LOG_WARN, "risk: tick %s/%s from %s quarantined: stamped %.3f s "
                 "%s this host's clock (a clock step on its host?)", msg->u.tick.venue,
                 msg->u.tick.symbol, msg->env.publisher,
                 fabs ((double) ts / 1e9 - (double) wall_ns / 1e9), ahead ? "ahead of" : "behind");
    return true;
}

uint64_t
hb_risk_quarantined (const hb_risk_t *self)
{
    assert (self);
    return self->quarantined;
}

int
hb_risk_on_tick (hb_risk_t *self, const hb_msg_t *msg, int64_t now_ns)
{
    assert (self);
    assert (msg);
    const hb_tick_t *tick = &msg->u.tick;
    int v = msg->env.type == HB_MSG_TICK ? s_venue_index (self, tick->venue) : -1;
    const hb_venue_cfg_t *venue = v >= 0 ? &self->cfg->venues [v] : NULL;
    const hb_instrument_cfg_t *ins = venue ? hb_venue_instrument (venue, tick->symbol) : NULL;
    if (!ins || ins->asset >= self->n) {
        self->ignored++;
        return -1;
    }
    int i = (int) (ins - venue->instruments);
    //  copied only when it changes: a tick costs no formatting
    if (strncmp (self->feed [v], msg->env.publisher, HB_NAME_MAX) != 0)
        snprintf (self->feed [v], HB_NAME_MAX, "%s", msg->env.publisher);
    if (ins->kind == HB_KIND_OPTION) {
        if ((tick->flags & HB_TICK_HAS_IV) && tick->mark_iv > 0 && isfinite (tick->mark_iv)
        &&  self->options [v][i].mark_iv != tick->mark_iv) {
            self->options [v][i].mark_iv = tick->mark_iv;
            self->changes++;
        }
        return 0;
    }
    if (self->is_underlying [v][i]) {
        //  the same rule as a quote entering the index (hb_index.h)
        s_forward_t *fwd = &self->forwards [v][i];
        double bid = tick->n_bids > 0 ? tick->bids [0].px : 0;
        double ask = tick->n_asks > 0 ? tick->asks [0].px : 0;
        fwd->usable = (tick->flags & (HB_TICK_STALE | HB_TICK_OUTAGE)) == 0
                   && tick->n_bids > 0 && tick->n_asks > 0
                   && isfinite (bid) && isfinite (ask) && bid > 0 && bid < ask;
        if (fwd->usable) {
            fwd->mid = (bid + ask) / 2;
            fwd->ts_ns = now_ns;
        }
        //  an option's forward (its freshness too): counted whatever it was
        self->changes++;
    }
    if (self->index_instr [ins->asset][v] != i)
        return 0;                   //  tradable, but not this venue's index instrument
    int a = ins->asset;
    double mid = s_usable_mid (tick);
    int64_t since = self->seen [a][v].quarantined_since;
    if (!(mid > 0))
        self->seen [a][v].quarantined_since = 0;
    else
    if (s_far_from_index (self, a, v, tick, mid, now_ns)) {
        if (!since)
            self->changes++;        //  a run of quarantined quotes starts: it ages the asset
        return -1;
    }
    if (since)
        self->changes++;            //  the run ended
    //  the index and H move only when the slot's mid or freshness does: a
    //  quote repeating a fresh mid changes no decision (docs/RISK.md, When
    //  the check runs)
    double was = hb_index_fresh (self->index, a, v, now_ns) ? hb_index_mid (self->index, a, v) : 0;
    if (hb_index_update (self->index, a, v, tick, now_ns, msg->env.epoch, msg->env.seq) != 0) {
        if (was > 0)
            self->changes++;
        self->ignored++;
        return -1;
    }
    if (hb_index_mid (self->index, a, v) != was)
        self->changes++;
    return 0;
}

int
hb_risk_on_state (hb_risk_t *self, const char *topic, const hb_msg_t *msg)
{
    assert (self);
    assert (msg);
    switch (msg->env.type) {
        case HB_MSG_EXPOSURE: {
            int a = hb_config_asset_index (self->cfg, msg->u.exposure.asset);
            if (a < 0 || a >= self->n)
                break;
            s_agg_exposure_t *agg = &self->agg [a];
            if (agg->known && !s_newer (&msg->env, agg->epoch, agg->seq))
                return 0;
            agg->known = true;
            agg->net_usd = msg->u.exposure.net_usd;
            agg->price = msg->u.exposure.price;
            snprintf (agg->publisher, sizeof agg->publisher, "%s", msg->env.publisher);
            agg->epoch = msg->env.epoch;
            agg->seq = msg->env.seq;
            self->changes++;
            return 0;
        }
        case HB_MSG_POSITION: {
            const hb_position_t *pos = &msg->u.position;
            int v = s_venue_index (self, pos->venue);
            const hb_instrument_cfg_t *ins = v >= 0
                ? hb_venue_instrument (&self->cfg->venues [v], pos->symbol) : NULL;
            if (!ins)
                break;
            if (ins->kind == HB_KIND_OPTION) {
                s_option_t *opt = &self->options [v][ins - self->cfg->venues [v].instruments];
                if (!s_newer (&msg->env, opt->epoch, opt->seq))
                    return 0;
                opt->epoch = msg->env.epoch;
                opt->seq = msg->env.seq;
                opt->qty = pos->qty;
                opt->placeholder_usd = pos->exposure_usd;
                self->changes++;
            }
            return 0;
        }
        case HB_MSG_MARGIN: {
            int v = s_venue_index (self, msg->u.margin.venue);
            if (v < 0)
                break;
            bool breach = (msg->u.margin.flags & HB_MARGIN_BREACH) != 0;
            if (breach != self->breach [v]) {
                self->breach [v] = breach;
                self->changes++;
            }
            return 0;
        }
        default:
            break;
    }
    (void) topic;
    self->ignored++;
    return -1;
}

void
hb_risk_set_data_time (hb_risk_t *self, bool on)
{
    assert (self);
    self->data_time = on;
}

void
hb_risk_fill_applied (hb_risk_t *self, const hb_env_t *env, const hb_fill_t *fill, int64_t at_ns)
{
    assert (self);
    assert (env);
    assert (fill);
    int v = s_venue_index (self, fill->venue);
    const hb_instrument_cfg_t *ins = v >= 0 ? hb_venue_instrument (&self->cfg->venues [v], fill->symbol) : NULL;
    if (!ins)
        return;
    s_fillref_t *ref = &self->fillref [v][ins - self->cfg->venues [v].instruments];
    ref->known = true;
    snprintf (ref->publisher, sizeof ref->publisher, "%s", env->publisher);
    ref->epoch = env->epoch;
    ref->seq = env->seq;
    ref->at_ns = at_ns;
    self->changes++;
}

int
hb_risk_set_position (hb_risk_t *self, const hb_position_t *pos)
{
    assert (self);
    assert (pos);
    int v = s_venue_index (self, pos->venue);
    const hb_instrument_cfg_t *ins = v >= 0 ? hb_venue_instrument (&self->cfg->venues [v], pos->symbol) : NULL;
    if (!ins || ins->asset >= self->n) {
        self->ignored++;
        return -1;
    }
    int i = (int) (ins - self->cfg->venues [v].instruments);
    if (ins->kind == HB_KIND_OPTION) {
        s_option_t *opt = &self->options [v][i];
        opt->qty = pos->qty;
        opt->placeholder_usd = pos->exposure_usd;
        //  a coin-settled option's P&L (its premium against its mark) is
        //  held in the coin, as the aggregator counts it (hb_book.h)
        self->held [v][i].coin_pnl = ins->coin_settled && isfinite (pos->unrealized)
                                   ? pos->realized - pos->fees + pos->unrealized : 0;
        self->changes++;
        return 0;
    }
    self->changes++;
    s_held_t *held = &self->held [v][i];
    held->qty = pos->qty;
    held->entry = pos->entry_px;
    held->coin_pnl = ins->kind == HB_KIND_INVERSE_PERP ? pos->realized - pos->fees : 0;
    return 0;
}

void
hb_risk_set_positions_known (hb_risk_t *self, bool known)
{
    assert (self);
    if (self->positions_known != known)
        self->changes++;
    self->positions_known = known;
}

void
hb_risk_set_positions_pending (hb_risk_t *self, bool pending)
{
    assert (self);
    if (self->positions_pending != pending)
        self->changes++;
    self->positions_pending = pending;
}

void
hb_risk_snapshot_done (hb_risk_t *self, uint64_t epoch)
{
    assert (self);
    for (int a = 0; a < self->n; a++)
        if (self->agg [a].known && self->agg [a].epoch < epoch)
            memset (&self->agg [a], 0, sizeof self->agg [a]);
    for (int v = 0; v < self->cfg->n_venues; v++)
        for (int i = 0; i < self->cfg->venues [v].n_instruments; i++) {
            s_option_t *opt = &self->options [v][i];
            if (opt->epoch < epoch) {
                opt->qty = opt->placeholder_usd = 0;
                opt->epoch = opt->seq = 0;
            }
        }
    self->positions_known = true;
    self->changes++;
}

//  ---------------------------------------------------------------------------
//  Sampling

//  Index prices and staleness at now_ns
static void
s_prices (hb_risk_t *self, int64_t now_ns)
{
    int64_t stale_ns = (int64_t) self->rc->quote_stale_ms * 1000000;
    for (int a = 0; a < self->n; a++) {
        double px = 0;
        int used = hb_index_price (self->index, a, now_ns, &px, &self->index_used [a]);
        //  a venue quarantined for a whole freshness window: the venues
        //  disagree for longer than a quote lives; the price is not known
        //  (stale: not hedged on a wrong price)
        for (int v = 0; v < self->cfg->n_venues && v < HB_MAX_VENUES && used > 0; v++) {
            int64_t since = self->seen [a][v].quarantined_since;
            if (since && now_ns - since >= stale_ns)
                used = 0;
        }
        self->stale [a] = used == 0;
        if (used > 0)
            self->px [a] = px;
    }
}

//  Periods the return of a sample at now_ns spans: 1 on the grid; after
//  hb_risk_import the gap since the restored sample, 0 (no return) when
//  that is longer than HB_RISK_GAP_MAX_PERIODS or not forward in time
static double
s_gap (hb_risk_t *self, int64_t now_ns)
{
    if (!self->imported)
        return 1;
    self->imported = false;
    int64_t period = (int64_t) self->rc->sample_ms * 1000000;
    int64_t gap = now_ns - self->sample_ns;
    if (gap <= 0 || gap > period * HB_RISK_GAP_MAX_PERIODS)
        return 0;
    return (double) ((gap + period / 2) / period);
}

//  Each pair whose two returns entered this sample feeds its detector;
//  a state change becomes an event (hb_risk_regime_events)
static void
s_regimes_update (hb_risk_t *self, int64_t now_ns)
{
    self->n_events = 0;
    for (int k = 0; k < self->n_pairs; k++) {
        int a = self->pair_a [k], b = self->pair_b [k];
        if (!self->present [a] || !self->present [b])
            continue;
        if (hb_regime_update (self->regime [k], self->r [a], self->r [b], now_ns) < 0)
            continue;           //  not finite: cannot be, the prices are > 0
        hb_regime_view_t view;
        hb_regime_view (self->regime [k], &view);
        if (view.state == self->regime_state [k])
            continue;
        hb_risk_regime_t *event = &self->events [self->n_events++];
        memset (event, 0, sizeof *event);
        snprintf (event->target, sizeof event->target, "%s", self->cfg->assets [a].name);
        snprintf (event->proxy, sizeof event->proxy, "%s", self->cfg->assets [b].name);
        event->state = (uint8_t) view.state;
        event->previous = (uint8_t) self->regime_state [k];
        event->kind = (uint8_t) view.kind;
        event->sample = self->samples;
        //  at an alarm the CUSUMs restart from 0: the event carries the
        //  statistic that crossed the threshold
        event->statistic = view.state == HB_REGIME_SHIFTED && view.last_alarm_sample == view.samples
                         ? view.alarm_statistic : view.statistic;
        event->last_alarm_ns = view.last_alarm_at;
        event->corr_ref = view.corr_ref;
        event->corr_fast = view.corr_fast;
        event->ratio = view.ratio;
        self->regime_state [k] = view.state;
    }
}

//  What the plan takes from each pair's detector after this sample: its
//  break weight (VaR), whether the proxy is dropped (hb_regime_proxy_dropped)
//  and the covariance
//  that makes the pair's minimum-variance ratio the detector's rule
//  (hb_regime_hedge_ratio over the EWMA's own ratio), kept within |rho| <= 1
static void
s_pairs_hedge (hb_risk_t *self)
{
    const double *cov = hb_ewma_cov (self->ewma);
    int n = self->n;
    for (int k = 0; k < self->n_pairs; k++) {
        int a = self->pair_a [k], b = self->pair_b [k];
        hb_regime_view_t view;
        hb_regime_view (self->regime [k], &view);
        self->pair_w [k] = hb_regime_break_weight (&view);
        double floor = self->proxy_floor;
        //  judged from `warmup` samples on: before, the reference
        //  correlation rests on too few samples
        if (floor > 0 && view.samples >= self->floor_from)
            self->pair_dropped [k] = hb_regime_proxy_dropped (&view, floor, self->pair_dropped [k],
                                                              &self->pair_corr [k]);
        else {
            self->pair_corr [k] = view.corr_fast;
            self->pair_dropped [k] = false;
        }
        double var_a = cov [a * n + a], var_b = cov [b * n + b], cov_ab = cov [a * n + b];
        self->pair_override [k] = false;
        if (self->pair_dropped [k]) {
            self->pair_override [k] = true;
            self->pair_cov [k] = 0;
        }
        else
        if (self->use_ratio && self->pair_w [k] > 0 && var_b > 0) {
            double c = hb_regime_hedge_ratio (&view, cov_ab / var_b) * var_b;
            double most = sqrt (var_a * var_b);
            self->pair_override [k] = isfinite (c);
            self->pair_cov [k] = c > most ? most : c < -most ? -most : c;
        }
    }
    //  the decisions between samples (one per tick) walk these, not every
    //  pair: 19,900 pairs at 200 assets
    self->n_overrides = 0;
    for (int k = 0; k < self->n_pairs; k++)
        if (self->pair_override [k])
            self->overrides [self->n_overrides++] = k;
}

int
hb_risk_sample (hb_risk_t *self, int64_t now_ns)
{
    assert (self);
    double periods = s_gap (self, now_ns);
    self->samples++;
    self->sample_ns = now_ns;
    s_prices (self, now_ns);
    int present = 0;
    for (int a = 0; a < self->n; a++) {
        bool fresh = !self->stale [a];
        //  a return spans exactly one period: an asset stale now or at the
        //  previous sample has none (the gap would land in one "period")
        self->present [a] = fresh && self->last_fresh [a] && self->last_px [a] > 0 && periods > 0;
        self->r [a] = self->present [a] ? log (self->px [a] / self->last_px [a]) : 0;
        if (self->present [a] && periods > 1)
            self->r [a] /= sqrt (periods);
        present += self->present [a];
        self->last_fresh [a] = fresh;
        if (fresh)
            self->last_px [a] = self->px [a];
    }
    if (present > 0) {
        hb_ewma_update (self->ewma, self->r, self->present);
        self->cov_changed = true;
    }
    s_regimes_update (self, now_ns);
    s_pairs_hedge (self);
    //  a new sample opens a new request, and time has passed
    self->changes++;
    return present;
}

//  ---------------------------------------------------------------------------
//  Exposures, VaR, plan

static double
s_years_to (int64_t expiry_ns, int64_t now_ns)
{
    return (double) (expiry_ns - now_ns) / 1e9 / HB_EWMA_YEAR_S;
}

//  The forward of an option written on venue v's instrument i (asset a) at
//  now_ns: that instrument's mid when its quote is fresh (quote_stale_ms,
//  as for the index), else estimated as spot x the basis F / index last
//  seen while both were fresh, or spot itself when there never was one
//  (*estimated set: the asset is flagged forward_stale). The basis of a
//  future moves slowly; the index is the freshest price there is.
static double
s_forward (hb_risk_t *self, int v, int i, int a, double spot, int64_t now_ns, bool *estimated)
{
    s_forward_t *fwd = &self->forwards [v][i];
    if (fwd->usable && now_ns - fwd->ts_ns <= (int64_t) self->rc->quote_stale_ms * 1000000) {
        if (!self->stale [a] && self->px [a] > 0)
            fwd->basis = fwd->mid / self->px [a];
        return fwd->mid;
    }
    *estimated = true;
    return fwd->basis > 0 ? spot * fwd->basis : spot;
}

//  Delta-1 of asset in asset units, from the position states the caller
//  set (hb_risk_set_position) and the config's coin balances, valued like
//  the aggregator values them (hb_book.h) but free of any mark, so that
//  it times the index gives the same figure from the same fills.
static double
s_units (const hb_risk_t *self, int a)
{
    double units = 0;
    for (int v = 0; v < self->cfg->n_venues; v++)
        units += self->cfg->venues [v].balances [a];
    for (int k = self->own_at [a]; k < self->own_at [a + 1]; k++) {
        int v = self->own [k].v, i = self->own [k].i;
        const hb_instrument_cfg_t *ins = &self->cfg->venues [v].instruments [i];
        const s_held_t *held = &self->held [v][i];
        if (ins->kind == HB_KIND_OPTION) {
            units += held->coin_pnl;        //  0 but for a coin-settled option
            continue;
        }
        if (ins->kind != HB_KIND_INVERSE_PERP)
            units += held->qty * ins->multiplier;
        else {
            //  contracts worth qty x mult USD at entry, plus their coin P&L
            if (held->entry > 0)
                units += held->qty * ins->multiplier / held->entry;
            units += held->coin_pnl;
        }
    }
    return units;
}

_Static_assert (HB_CFG_VEGA_BUCKETS == HB_RISK_VEGA_BUCKETS && HB_GREEKS_BUCKETS == HB_RISK_VEGA_BUCKETS,
                "one bucket count for the config, the wire and hb_greeks");

//  The desk figures of one option (units = qty x multiplier, under its
//  underlying's price) into ra and vega (per bucket)
static void
s_desk_greeks (const hb_risk_cfg_t *rc, const hb_instrument_cfg_t *ins, const hb_greeks_t *g,
               double units, double under, int64_t now_ns, hb_risk_asset_t *ra, double *vega)
{
    double days = (double) (ins->expiry_ns - now_ns) / 1e9 / 86400;
    int bucket = hb_greeks_bucket (days, rc->vega_edges, rc->n_vega_edges);
    ra->gamma_usd += units * hb_greeks_dollar_gamma (g->gamma, under);
    ra->theta_day += units * hb_greeks_theta_day (g->theta);
    vega [bucket] += units * hb_greeks_vega_point (g->vega);
}

//  The model greeks of venue v's option i (asset a) at now_ns into g, on
//  spot (the index) or on its future/perp's forward (*estimated: that
//  quote was stale); returns the underlying's price they are taken at.
static double
s_value (hb_risk_t *self, int v, int i, int a, double spot, int64_t now_ns, hb_greeks_t *g,
         bool *estimated)
{
    const hb_instrument_cfg_t *ins = &self->cfg->venues [v].instruments [i];
    const s_option_t *opt = &self->options [v][i];
    double vol = opt->mark_iv > 0 ? opt->mark_iv : ins->iv;
    double years = s_years_to (ins->expiry_ns, now_ns);
    //  an expired option keeps its limit delta (0 or 1): the
    //  aggregator settles it, not us
    double under = spot;
    if (opt->underlying >= 0) {
        under = s_forward (self, v, opt->underlying, a, spot, now_ns, estimated);
        hb_black76 (ins->is_call, under > 0 ? under : ins->strike, ins->strike,
                    years, self->rc->rate, vol, g);
    }
    else
        hb_bs (ins->is_call, spot > 0 ? spot : ins->strike, ins->strike,
               years, self->rc->rate, 0, vol, g);
    return under;
}

//  Exposures and greeks of every asset into assets (zeroed), and self->e
static void
s_exposures (hb_risk_t *self, int64_t now_ns, hb_risk_asset_t *assets)
{
    const hb_risk_cfg_t *rc = self->rc;
    int n_buckets = rc->n_vega_edges + 1;
    for (int a = 0; a < self->n; a++) {
        hb_risk_asset_t *ra = &assets [a];
        double vega [HB_RISK_VEGA_BUCKETS] = { 0 };
        hb_greeks_t coin = { 0 };   //  the coin-settled options' greeks in coin, summed
        double spot = self->px [a] > 0 ? self->px [a] : self->agg [a].price;
        ra->index = self->px [a];
        double delta1 = self->agg [a].net_usd;
        for (int k = self->own_at [a]; k < self->own_at [a + 1]; k++) {
            int v = self->own [k].v, i = self->own [k].i;
            const hb_instrument_cfg_t *ins = &self->cfg->venues [v].instruments [i];
            const s_option_t *opt = &self->options [v][i];
            if (ins->kind != HB_KIND_OPTION || opt->qty == 0)
                continue;
            delta1 -= opt->placeholder_usd;
            hb_greeks_t g;
            bool estimated = false;
            double under = s_value (self, v, i, a, spot, now_ns, &g, &estimated);
            if (estimated)
                ra->flags |= HB_RISK_ASSET_FORWARD_STALE;
            //  delta x the underlying's price is the USD move per unit
            //  relative move; the forward moves with the index (basis
            //  kept), so it adds to the asset's exposure like spot
            double units = opt->qty * ins->multiplier;
            //  a coin-settled option's premium is a coin amount: its
            //  USD delta is Black's less the premium in coin (docs/RISK.md)
            if (ins->coin_settled && under > 0) {
                ra->option_delta_usd += units * hb_greeks_inverse_delta (&g, under) * under;
                hb_greeks_t c;
                hb_greeks_coin (&g, under, &c);
                coin.price += units * c.price;
                coin.delta += units * c.delta;
                coin.gamma += units * c.gamma;
                coin.vega += units * c.vega;
                coin.theta += units * c.theta;
            }
            else
                ra->option_delta_usd += units * g.delta * under;
            s_desk_greeks (rc, ins, &g, units, under, now_ns, ra, vega);
            ra->gamma += units * g.gamma;
            ra->vega += units * g.vega;
            ra->theta += units * g.theta;
            ra->rho += units * g.rho;
        }
        //  the aggregator marks at its own latest mid: rescale to the index
        if (self->agg [a].price > 0 && self->px [a] > 0)
            delta1 *= self->px [a] / self->agg [a].price;
        if (self->data_time)
            delta1 = s_units (self, a) * spot;
        ra->delta1_usd = delta1;
        ra->exposure_usd = delta1 + ra->option_delta_usd;
        if (!isfinite (ra->exposure_usd)) {
            ra->exposure_usd = ra->delta1_usd = ra->option_delta_usd = 0;
            ra->gamma = ra->vega = ra->theta = ra->rho = 0;
        }
        bool finite = isfinite (ra->gamma_usd) && isfinite (ra->theta_day);
        for (int b = 0; b < n_buckets; b++)
            finite &= isfinite ((float) vega [b]);
        if (!finite) {
            ra->gamma_usd = ra->theta_day = 0;
            memset (vega, 0, sizeof vega);
        }
        for (int b = 0; b < n_buckets; b++)
            ra->vega_bucket [b] = (float) vega [b];
        if (isfinite (coin.price) && isfinite (coin.delta) && isfinite (coin.gamma)
        &&  isfinite (coin.vega) && isfinite (coin.theta)
        &&  isfinite ((float) coin.price) && isfinite ((float) coin.delta)
        &&  isfinite ((float) coin.gamma) && isfinite ((float) coin.vega) && isfinite ((float) coin.theta)) {
            ra->delta_coin = (float) coin.delta;
            ra->gamma_coin = (float) coin.gamma;
            ra->vega_coin = (float) coin.vega;
            ra->theta_coin = (float) coin.theta;
            ra->value_coin = (float) coin.price;
        }
        uint32_t breaches = hb_greeks_breaches (ra->gamma_usd, rc->gamma_band_usd [a], vega,
                                                rc->vega_band_usd [a], n_buckets);
        if (breaches & HB_GREEKS_GAMMA_BAND)
            ra->flags |= HB_RISK_ASSET_GAMMA_BAND;
        if (breaches & HB_GREEKS_VEGA_BAND)
            ra->flags |= HB_RISK_ASSET_VEGA_BAND;
        self->e [a] = ra->exposure_usd;
    }
}

//  H at now_ns: an index, and a venue not in margin breach with a fresh
//  usable quote on a tradable (non-option) instrument of the asset
static void
s_hedgeable (hb_risk_t *self, int64_t now_ns)
{
    for (int a = 0; a < self->n; a++) {
        self->hedgeable [a] = false;
        for (int v = 0; v < self->cfg->n_venues && !self->stale [a]; v++)
            if (self->index_instr [a][v] >= 0 && !self->breach [v]
            &&  hb_index_fresh (self->index, a, v, now_ns))
                self->hedgeable [a] = true;
    }
}

//  Whether asset a (not in H) has lost every proxy to the floor, logged
//  when that changes: the reason its exposure is left unhedged (it waits
//  for a venue to hedge it directly)
static int
s_pair (const hb_risk_t *self, int a, int b)
{
    if (a > b) {
        int t = a; a = b; b = t;
    }
    //  pairs are (0,1) (0,2) .. (0,n-1) (1,2) ..: the rows before a, then b
    return a * self->n - a * (a + 1) / 2 + (b - a - 1);
}

static void
s_no_proxy (hb_risk_t *self, int a)
{
    //  once per asset not in H and per decision (every tick): O(n), and the
    //  text of the log line only when the state changes
    bool any = false, left = false;
    for (int other = 0; other < self->n && !(any && left); other++) {
        if (other == a || !self->hedgeable [other])
            continue;
        any = true;
        left |= !self->pair_dropped [s_pair (self, a, other)];
    }
    bool none = any && !left;
    if (none == self->no_proxy [a])
        return;
    self->no_proxy [a] = none;
    char why [256] = "";
    size_t used = 0;
    for (int other = 0; other < self->n && used < sizeof why; other++) {
        if (other == a || !self->hedgeable [other])
            continue;
        int len = snprintf (why + used, sizeof why - used, "%s%s %.2f", used ? ", " : "",
                            self->cfg->assets [other].name, self->pair_corr [s_pair (self, a, other)]);
        used += len > 0 ? (size_t) len : 0;
    }
    if (none)
        hb_log (self->e [a] != 0 ? HB_LOG_WARN : HB_LOG_INFO, "risk: %s is not hedged: every "
                "proxy's correlation is under proxy_floor %g (%s); its exposure waits for a "
                "direct hedge", self->cfg->assets [a].name, self->proxy_floor, why);
    else
    if (any)
        hb_info ("risk: %s is proxied again (correlation %s)", self->cfg->assets [a].name, why);
}

//  The covariance the plan uses for the hedgeable set `hedgeable`: the
//  EWMA's, with each pair of one hedgeable and one non-hedgeable asset (a
//  proxy pair) at pair_cov when its detector overrides it. Σ_HH is never
//  touched, so it stays PSD and the plan's factor depends on H and the
//  EWMA alone. Returns the EWMA's own matrix when no pair overrides, else
//  out (n x n, filled).
static const double *
s_plan_cov_for (const hb_risk_t *self, const bool *hedgeable, double *out)
{
    const double *cov = hb_ewma_cov (self->ewma);
    size_t n = (size_t) self->n;
    bool copied = false;
    for (int i = 0; i < self->n_overrides; i++) {
        int k = self->overrides [i];
        int a = self->pair_a [k], b = self->pair_b [k];
        if (hedgeable [a] == hedgeable [b])
            continue;
        if (!copied)
            memcpy (out, cov, n * n * sizeof *cov);
        copied = true;
        out [a * n + b] = out [b * n + a] = self->pair_cov [k];
    }
    return copied ? out : cov;
}

//  The plan's covariance at H now, and the no-proxy state of each asset
static const double *
s_plan_cov (hb_risk_t *self)
{
    for (int a = 0; a < self->n; a++)
        if (!self->hedgeable [a])
            s_no_proxy (self, a);
        else
            self->no_proxy [a] = false;
    return s_plan_cov_for (self, self->hedgeable, self->hcov);
}

//  What a decision is made of, the same for the report and the hedge
//  check: index prices, H, exposures (into assets, n entries, zeroed
//  here) and self->e at now_ns, then the plan (self->h, residual, plan,
//  plan_rc). The plan's factor is reused while the covariance and H have
//  not changed (hb_hedge_plan_same_cov: the same bits as a fresh plan).
static void
s_decide (hb_risk_t *self, int64_t now_ns, hb_risk_asset_t *assets)
{
    memset (assets, 0, (size_t) self->n * sizeof *assets);
    s_prices (self, now_ns);
    s_hedgeable (self, now_ns);
    s_exposures (self, now_ns, assets);
    const double *cov = s_plan_cov (self);
    size_t n = (size_t) self->n;
    if (self->cov_changed)
        self->plan_rc = hb_hedge_plan (self->hedge, cov, n, self->e, self->hedgeable,
                                       self->h, self->residual, &self->plan);
    else
        self->plan_rc = hb_hedge_plan_same_cov (self->hedge, cov, n, self->e, self->hedgeable,
                                                self->h, self->residual, &self->plan);
    self->cov_changed = false;
}

//  The regime block of risk.exposure: pairs not stable first, then those
//  with an alarm behind them, each in pair order, as many as fit
static void
s_regimes_report (const hb_risk_t *self, hb_risk_report_t *out)
{
    for (int pass = 0; pass < 2; pass++)
        for (int k = 0; k < self->n_pairs; k++) {
            hb_regime_view_t view;
            hb_regime_view (self->regime [k], &view);
            bool listed = pass == 0 ? view.state != HB_REGIME_STABLE
                                    : view.state == HB_REGIME_STABLE && view.alarms > 0;
            if (!listed)
                continue;
            if (out->n_regimes == HB_RISK_REGIMES_MAX) {
                out->n_regimes_omitted++;
                continue;
            }
            hb_risk_pair_regime_t *pr = &out->regimes [out->n_regimes++];
            pr->pair = (uint16_t) k;
            pr->state = (uint8_t) view.state;
            pr->kind = (uint8_t) view.kind;
            pr->statistic = (float) view.statistic;
            pr->last_alarm_ns = view.last_alarm_at;
        }
}

int
hb_risk_report (hb_risk_t *self, int64_t now_ns, hb_risk_report_t *out)
{
    assert (self);
    assert (out);
    memset (out, 0, sizeof *out);
    s_decide (self, now_ns, out->assets);

    const hb_risk_cfg_t *rc = self->rc;
    const double *cov = hb_ewma_cov (self->ewma);
    size_t n = (size_t) self->n;
    double root_h = sqrt (self->horizon);
    out->sample = self->samples;
    out->corr_sample = self->samples;
    out->n_assets = (uint16_t) self->n;
    out->samples = hb_ewma_samples (self->ewma);
    out->sample_s = self->sample_s;
    out->horizon_s = rc->var_horizon_s;
    out->confidence = rc->var_confidence;
    out->stress_corr = rc->stress_corr;
    out->n_vega_edges = (uint8_t) rc->n_vega_edges;
    for (int b = 0; b < rc->n_vega_edges; b++)
        out->vega_edges [b] = (uint16_t) rc->vega_edges [b];
    hb_var_parametric (cov, n, self->n, self->e, rc->var_confidence, self->horizon, &out->var_usd);
    hb_var_stress (cov, n, self->n, self->e, rc->stress_corr, rc->var_confidence, self->horizon,
                   &out->stress_var_usd);
    //  while a pair the portfolio holds both sides of breaks, the
    //  covariance is known to be wrong: VaR moves to the stress VaR by the
    //  pair's break weight (never down)
    double w = 0;
    for (int p = 0; p < self->n_pairs && self->stress_var; p++)
        if (self->e [self->pair_a [p]] != 0 && self->e [self->pair_b [p]] != 0 && self->pair_w [p] > w)
            w = self->pair_w [p];
    if (w > 0 && out->stress_var_usd > out->var_usd)
        out->var_usd += w * (out->stress_var_usd - out->var_usd);
    hb_var_contributions (cov, n, self->n, self->e, self->contrib);
    out->unhedged_sigma = self->plan.unhedged_sigma * root_h;
    out->residual_sigma = self->plan.residual_sigma * root_h;
    out->effectiveness = self->plan.effectiveness;
    if (!self->positions_known)
        out->flags |= HB_RISK_NO_POSITIONS;
    if (out->samples < (uint64_t) rc->min_samples)
        out->flags |= HB_RISK_WARMING_UP;
    if (self->plan_rc != 0)
        out->flags |= HB_RISK_PLAN_FAILED;
    if (self->positions_pending)
        out->flags |= HB_RISK_POSITIONS_PENDING;

    int k = 0;
    for (int a = 0; a < self->n; a++) {
        hb_risk_asset_t *ra = &out->assets [a];
        snprintf (ra->asset, sizeof ra->asset, "%s", self->cfg->assets [a].name);
        ra->flags |= (self->stale [a] ? HB_RISK_ASSET_STALE : 0)
                   | (self->hedgeable [a] ? HB_RISK_ASSET_HEDGEABLE : 0)
                   | (self->no_proxy [a] ? HB_RISK_ASSET_UNHEDGEABLE : 0);
        ra->vol = hb_ewma_vol_annual (self->ewma, a, self->sample_s);
        ra->contribution = self->contrib [a] * root_h;
        ra->residual_usd = self->plan_rc == 0 ? self->residual [a] : self->e [a];
        for (int b = a + 1; b < self->n; b++)
            out->corr [k++] = (float) hb_ewma_corr (self->ewma, a, b);
    }
    s_regimes_report (self, out);
    return self->plan_rc == 0 ? 0 : -1;
}

//  ---------------------------------------------------------------------------
//  Hedge requests

static void
s_input (hb_risk_hedge_t *out, const char *publisher, uint64_t epoch, uint64_t seq,
         const char *format, const char *a, const char *b)
{
    if (out->n_inputs >= HB_RISK_INPUTS_MAX || !publisher [0])
        return;
    hb_risk_input_t *in = &out->inputs [out->n_inputs];
    int len = b ? snprintf (in->topic, sizeof in->topic, format, a, b)
                : snprintf (in->topic, sizeof in->topic, format, a);
    if (len <= 0 || len >= (int) sizeof in->topic)
        return;
    snprintf (in->publisher, sizeof in->publisher, "%s", publisher);
    in->epoch = epoch;
    in->seq = seq;
    out->n_inputs++;
}

//  The aggregator's exposure of each target asset first, then the last
//  fill applied on each instrument of a target (recent ones: the hedger
//  needs them only for its own fills not yet included, and a request has
//  HB_RISK_INPUTS_MAX references), then the venue quotes that made its index
static void
s_inputs (hb_risk_t *self, hb_risk_hedge_t *out)
{
    for (int t = 0; t < out->n_targets; t++) {
        int a = hb_config_asset_index (self->cfg, out->targets [t].asset);
        const s_agg_exposure_t *agg = &self->agg [a];
        if (agg->known)
            s_input (out, agg->publisher, agg->epoch, agg->seq, "pos.%s", self->cfg->assets [a].name, NULL);
    }
    for (int t = 0; t < out->n_targets; t++) {
        int a = hb_config_asset_index (self->cfg, out->targets [t].asset);
        for (int v = 0; v < self->cfg->n_venues; v++) {
            const hb_venue_cfg_t *venue = &self->cfg->venues [v];
            for (int i = 0; i < venue->n_instruments; i++) {
                const s_fillref_t *ref = &self->fillref [v][i];
                if (venue->instruments [i].asset == a && ref->known
                &&  self->sample_ns - ref->at_ns <= S_FILLREF_NS)
                    s_input (out, ref->publisher, ref->epoch, ref->seq, "fill.%s.%s", venue->name,
                             venue->instruments [i].symbol);
            }
        }
    }
    for (int t = 0; t < out->n_targets; t++) {
        int a = hb_config_asset_index (self->cfg, out->targets [t].asset);
        for (int v = 0; v < self->cfg->n_venues; v++) {
            uint64_t epoch, seq;
            if (!(self->index_used [a] & (1u << v)) || !hb_index_source (self->index, a, v, &epoch, &seq))
                continue;
            const hb_venue_cfg_t *venue = &self->cfg->venues [v];
            s_input (out, self->feed [v], epoch, seq, "tick.%s.%s", venue->name,
                     venue->instruments [self->index_instr [a][v]].symbol);
        }
    }
}

static bool
s_target_due (const hb_risk_t *self, int a)
{
    return self->hedgeable [a] && self->h [a] != 0 && self->px [a] > 0;
}

static int
s_by_size_down (const void *a, const void *b)
{
    double x = *(const double *) a, y = *(const double *) b;
    return x < y ? 1 : x > y ? -1 : 0;
}

//  The smallest |hedge| a request takes: 0 while every due target fits
static double
s_target_floor (const hb_risk_t *self)
{
    double size [S_N];
    int m = 0;
    for (int a = 0; a < self->n; a++)
        if (s_target_due (self, a))
            size [m++] = fabs (self->h [a]);
    if (m <= HB_RISK_HEDGE_TARGETS)
        return 0;
    qsort (size, (size_t) m, sizeof size [0], s_by_size_down);
    return size [HB_RISK_HEDGE_TARGETS - 1];
}

int
hb_risk_hedge_check (hb_risk_t *self, int64_t now_ns, hb_risk_hedge_t *out)
{
    assert (self);
    assert (out);
    //  the plan is joint across assets: one position missing a fill makes
    //  every target wrong, so nothing is requested while any is pending
    if (!self->positions_known || self->positions_pending
    ||  self->samples == 0 || self->requested_at == self->samples
    ||  hb_ewma_samples (self->ewma) < (uint64_t) self->rc->min_samples)
        return 0;
    //  what the decision needs of hb_risk_report, by the same code: no
    //  VaR, contributions, vols or correlations on the way
    s_decide (self, now_ns, self->check_assets);
    if (self->plan_rc != 0)
        return 0;
    double root_h = sqrt (self->horizon);
    double unhedged_sigma = self->plan.unhedged_sigma * root_h;
    double residual_sigma = self->plan.residual_sigma * root_h;

    uint32_t reasons = 0;
    for (int a = 0; a < self->n; a++)
        if (self->hedgeable [a] && fabs (self->h [a]) > self->rc->band_usd [a])
            reasons |= HB_RISK_REASON_BAND;
    if (self->rc->residual_sigma_limit > 0 && unhedged_sigma > self->rc->residual_sigma_limit
    &&  residual_sigma < unhedged_sigma)
        reasons |= HB_RISK_REASON_SIGMA;
    if (!reasons)
        return 0;

    memset (out, 0, sizeof *out);
    if (self->data_time)
        //  the same data give the same id, in a replay too; a later
        //  sample time never repeats one (hb_risk.h)
        snprintf (out->id, sizeof out->id, "%.20s-%lld", self->cfg->deployment,
                  (long long) (now_ns / 1000000));
    else
        snprintf (out->id, sizeof out->id, "%llu-%llu", (unsigned long long) self->epoch,
                  (unsigned long long) self->samples);
    out->reasons = reasons;
    out->sample = self->samples;
    out->residual_sigma = unhedged_sigma;
    out->effectiveness = self->plan.effectiveness;
    //  a request carries HB_RISK_HEDGE_TARGETS targets: past that, the
    //  largest hedges go (in config order); the others are asked for at a
    //  later sample if still due, once these fills are in the positions
    double floor = s_target_floor (self);
    for (int a = 0; a < self->n && out->n_targets < HB_RISK_HEDGE_TARGETS; a++) {
        if (!s_target_due (self, a) || fabs (self->h [a]) < floor)
            continue;
        hb_risk_target_t *t = &out->targets [out->n_targets++];
        snprintf (t->asset, sizeof t->asset, "%s", self->cfg->assets [a].name);
        t->index = self->px [a];
        t->exposure_usd = self->e [a];
        t->target_usd = self->h [a];
        t->target_qty = self->h [a] / self->px [a];
    }
    if (out->n_targets == 0)
        return 0;
    s_inputs (self, out);
    self->requested_at = self->samples;
    return 1;
}

//  ---------------------------------------------------------------------------
//  Checkpoint (risk/hb_risk_ckpt.h)

void
hb_risk_export (const hb_risk_t *self, hb_risk_state_t *out)
{
    assert (self);
    assert (out);
    memset (out, 0, sizeof *out);
    size_t n = (size_t) self->n;
    out->n = self->n;
    out->sample_ns = self->sample_ns;
    out->samples = self->samples;
    out->ewma_samples = hb_ewma_samples (self->ewma);
    memcpy (out->cov, hb_ewma_cov (self->ewma), n * n * sizeof *out->cov);
    for (int a = 0; a < self->n; a++) {
        out->last_px [a] = self->last_px [a];
        out->last_fresh [a] = self->last_fresh [a];
        out->obs [a] = hb_ewma_observations (self->ewma, a);
    }
    out->n_pairs = self->n_pairs;
    for (int k = 0; k < self->n_pairs; k++) {
        hb_regime_save (self->regime [k], &out->regimes [k]);
        out->pair_dropped [k] = self->pair_dropped [k];
    }
}

int
hb_risk_import (hb_risk_t *self, const hb_risk_state_t *state)
{
    assert (self);
    assert (state);
    if (state->n != self->n || state->n_pairs != self->n_pairs)
        return -1;
    //  all or nothing: an import comes before the first sample, so a
    //  refused one leaves the detectors fresh, as they were
    //  (the estimator last: it changes only when it takes the state)
    int refused = 0;
    for (int k = 0; k < self->n_pairs && !refused; k++)
        refused = hb_regime_load (self->regime [k], &state->regimes [k]) != 0;
    if (refused || hb_ewma_load (self->ewma, state->cov, state->obs, state->ewma_samples) != 0) {
        for (int k = 0; k < self->n_pairs; k++)
            hb_regime_reset (self->regime [k]);
        return -1;
    }
    for (int k = 0; k < self->n_pairs; k++) {
        //  the state restored is the one events are raised against: a
        //  break under way is not announced again
        hb_regime_view_t view;
        hb_regime_view (self->regime [k], &view);
        self->regime_state [k] = view.state;
        self->pair_dropped [k] = state->pair_dropped [k];
    }
    self->sample_ns = state->sample_ns;
    self->samples = state->samples;
    self->requested_at = 0;
    self->imported = true;
    self->cov_changed = true;
    self->changes++;
    for (int a = 0; a < self->n; a++) {
        self->last_px [a] = state->last_px [a];
        self->last_fresh [a] = state->last_fresh [a];
        self->px [a] = state->last_px [a];
    }
    return 0;
}

//  ---------------------------------------------------------------------------

const hb_ewma_t *
hb_risk_ewma (const hb_risk_t *self)
{
    return self->ewma;
}

uint64_t
hb_risk_samples (const hb_risk_t *self)
{
    return self->samples;
}

int64_t
hb_risk_sample_time (const hb_risk_t *self)
{
    return self->sample_ns;
}

double
hb_risk_index (const hb_risk_t *self, int asset, bool *stale)
{
    if (asset < 0 || asset >= self->n)
        return 0;
    if (stale)
        *stale = self->stale [asset];
    return self->px [asset];
}

bool
hb_risk_hedgeable (const hb_risk_t *self, int asset)
{
    return asset >= 0 && asset < self->n && self->hedgeable [asset];
}

uint64_t
hb_risk_ignored (const hb_risk_t *self)
{
    return self->ignored;
}

int
hb_risk_regime_events (const hb_risk_t *self, const hb_risk_regime_t **events)
{
    assert (self);
    if (events)
        *events = self->events;
    return self->n_events;
}

void
hb_risk_regime_view (const hb_risk_t *self, int pair, hb_regime_view_t *view)
{
    assert (self);
    assert (pair >= 0 && pair < self->n_pairs);
    hb_regime_view (self->regime [pair], view);
}

void
hb_risk_plan_cov (const hb_risk_t *self, const bool *hedgeable, double *cov)
{
    assert (self);
    assert (hedgeable);
    assert (cov);
    const double *from = s_plan_cov_for (self, hedgeable, cov);
    if (from != cov)
        memcpy (cov, from, (size_t) self->n * (size_t) self->n * sizeof *cov);
}

uint64_t
hb_risk_changes (const hb_risk_t *self)
{
    assert (self);
    return self->changes;
}

int
hb_risk_desk (hb_risk_t *self, int64_t now_ns, hb_risk_asset_t *assets)
{
    assert (self && assets);
    double e [S_N];
    memcpy (e, self->e, sizeof e);
    memset (assets, 0, sizeof (hb_risk_asset_t) * (size_t) self->n);
    s_exposures (self, now_ns, assets);
    memcpy (self->e, e, sizeof e);
    return self->n;
}

int
hb_risk_option_contract (hb_risk_t *self, int v, int i, int64_t now_ns, hb_risk_contract_t *out)
{
    assert (self && out);
    memset (out, 0, sizeof *out);
    if (v < 0 || v >= self->cfg->n_venues || i < 0 || i >= self->cfg->venues [v].n_instruments)
        return -1;
    const hb_instrument_cfg_t *ins = &self->cfg->venues [v].instruments [i];
    int a = ins->asset;
    if (ins->kind == HB_KIND_OPTION)
        out->qty = self->options [v][i].qty;
    double spot = a < self->n ? (self->px [a] > 0 ? self->px [a] : self->agg [a].price) : 0;
    if (ins->kind != HB_KIND_OPTION || a >= self->n || !(spot > 0) || self->stale [a])
        return -1;
    hb_greeks_t g;
    bool estimated = false;
    double under = s_value (self, v, i, a, spot, now_ns, &g, &estimated);
    if (!(under > 0))
        return -1;
    double days = (double) (ins->expiry_ns - now_ns) / 1e9 / 86400;
    out->bucket = hb_greeks_bucket (days, self->rc->vega_edges, self->rc->n_vega_edges);
    out->under = under;
    out->delta = ins->multiplier * (ins->coin_settled ? hb_greeks_inverse_delta (&g, under) : g.delta);
    out->gamma_usd = ins->multiplier * hb_greeks_dollar_gamma (g.gamma, under);
    out->vega = ins->multiplier * hb_greeks_vega_point (g.vega);
    out->usd_per_px = ins->multiplier * (ins->coin_settled ? under : 1);
    return isfinite (out->delta) && isfinite (out->gamma_usd) && isfinite (out->vega) ? 0 : -1;
}

bool
hb_risk_positions_ready (const hb_risk_t *self)
{
    assert (self);
    return self->positions_known && !self->positions_pending;
}
