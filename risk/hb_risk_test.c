/*  hb_risk driven without the bus: ticks, aggregator messages and time are
    fed directly. A correlated lognormal path is drawn here with the sim
    venue's model (zero drift, constant per-period vols, returns
    N(0, D C D) by a Cholesky factor of the correlation C), so the
    estimates can be compared with the C that generated them.

    Tolerances are stated at each check; the paths come from a fixed seed
    (the test is deterministic), and the bounds are set at about three
    standard errors of the estimator so that a real error fails them.
    The proxy-hedge variance reduction (rho squared) is checked through
    this engine in hb_risk_proxy_test, on hb_ewma + hb_hedge alone in
    hb_hedge_test (test_simulated_proxy_hedge).                            */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hb_bs.h"
#include "hb_config.h"
#include "hb_risk.h"

#define MS      1000000LL
#define N       3
#define STEP    (100 * MS)          //  sample_ms in the config below

static char s_dir [64];
static char s_cfg_path [128];
static hb_config_t *s_cfg;

//  ---------------------------------------------------------------------------
//  Correlated path

typedef struct {
    uint64_t state;
    double   px [N];
    double   chol [N][N];
    double   vol;                   //  per period
} s_path_t;

static double
s_uniform (s_path_t *p)
{
    //  xorshift64*: good enough for a test, and the same everywhere
    p->state ^= p->state >> 12;
    p->state ^= p->state << 25;
    p->state ^= p->state >> 27;
    return ((p->state * 2685821657736338717ULL) >> 11) * (1.0 / 9007199254740992.0) + 1e-300;
}

static double
s_normal (s_path_t *p)
{
    return sqrt (-2 * log (s_uniform (p))) * cos (2 * M_PI * s_uniform (p));
}

static void
s_path_corr (s_path_t *p, double c [N][N])
{
    memset (p->chol, 0, sizeof p->chol);
    for (int i = 0; i < N; i++)
        for (int j = 0; j <= i; j++) {
            double sum = c [i][j];
            for (int k = 0; k < j; k++)
                sum -= p->chol [i][k] * p->chol [j][k];
            p->chol [i][j] = i == j ? sqrt (sum) : sum / p->chol [j][j];
        }
}

static void
s_path_init (s_path_t *p, uint64_t seed, double c [N][N])
{
    p->state = seed * 0x9e3779b97f4a7c15ULL + 1;
    p->px [0] = 65000;
    p->px [1] = 3400;
    p->px [2] = 150;
    p->vol = 0.002;
    s_path_corr (p, c);
}

static void
s_path_step (s_path_t *p)
{
    double z [N], r [N];
    for (int i = 0; i < N; i++)
        z [i] = s_normal (p);
    for (int i = 0; i < N; i++) {
        r [i] = 0;
        for (int k = 0; k <= i; k++)
            r [i] += p->chol [i][k] * z [k];
        p->px [i] *= exp (p->vol * r [i] - 0.5 * p->vol * p->vol);
    }
}

//  ---------------------------------------------------------------------------
//  Feeding the engine

static const char *s_spot [N] = { "BTC-USD", "ETH-USD", "SOL-USD" };
static const char *s_perp [N] = { "BTC-PERP", "ETH-PERP", "SOL-PERP" };

static void
s_feed (hb_risk_t *risk, const char *venue, const char *symbol, double bid, double ask,
        uint32_t flags, int64_t now)
{
    static uint64_t seq;
    hb_msg_t msg;
    memset (&msg, 0, sizeof msg);
    msg.env.type = HB_MSG_TICK;
    snprintf (msg.env.publisher, HB_NAME_MAX, "feed.%s", venue);
    msg.env.epoch = 1;
    msg.env.seq = ++seq;
    snprintf (msg.u.tick.venue, HB_NAME_MAX, "%s", venue);
    snprintf (msg.u.tick.symbol, HB_NAME_MAX, "%s", symbol);
    msg.u.tick.flags = flags;
    msg.u.tick.n_bids = msg.u.tick.n_asks = 1;
    msg.u.tick.bids [0].px = bid;
    msg.u.tick.bids [0].qty = 1;
    msg.u.tick.asks [0].px = ask;
    msg.u.tick.asks [0].qty = 1;
    hb_risk_on_tick (risk, &msg, now);
}

//  Both venues quote every asset at the path's price (a 2 bp spread);
//  skip >= 0 leaves that asset unquoted.
static void
s_quote_all (hb_risk_t *risk, const s_path_t *p, int64_t now, int skip)
{
    for (int i = 0; i < N; i++) {
        if (i == skip)
            continue;
        double px = p->px [i];
        s_feed (risk, "alpha", s_spot [i], px * 0.9999, px * 1.0001, 0, now);
        s_feed (risk, "beta", s_perp [i], px * 0.9999, px * 1.0001, 0, now);
    }
}

static void
s_exposure (hb_risk_t *risk, const char *asset, double net_usd, double price, uint64_t seq)
{
    hb_msg_t msg;
    memset (&msg, 0, sizeof msg);
    msg.env.type = HB_MSG_EXPOSURE;
    strcpy (msg.env.publisher, "aggregator");
    msg.env.epoch = 5;
    msg.env.seq = seq;
    snprintf (msg.u.exposure.asset, HB_NAME_MAX, "%s", asset);
    msg.u.exposure.net_usd = net_usd;
    msg.u.exposure.price = price;
    assert_int_equal (hb_risk_on_state (risk, "pos.x", &msg), 0);
}

static int
s_setup (void **state)
{
    (void) state;
    snprintf (s_dir, sizeof s_dir, "/tmp/hb_risk_test.XXXXXX");
    if (!mkdtemp (s_dir))
        return -1;
    char plugin [128];
    snprintf (plugin, sizeof plugin, "%s/hb_venue_fake.so", s_dir);
    FILE *f = fopen (plugin, "w");
    if (!f)
        return -1;
    fclose (f);
    snprintf (s_cfg_path, sizeof s_cfg_path, "%s/risk.yaml", s_dir);
    f = fopen (s_cfg_path, "w");
    if (!f)
        return -1;
    fprintf (f,
        "hedgebus: 1\n"
        "deployment: risk-test\n"
        "run_dir: %s/run\n"
        "assets: { BTC: { price: 65000, vol: 0.5 }, ETH: { price: 3400, vol: 0.6 },\n"
        "          SOL: { price: 150, vol: 0.8 } }\n"
        "venues:\n"
        "  alpha:\n"
        "    plugin: %s\n"
        "    instruments:\n"
        "      - { symbol: BTC-USD, asset: BTC, kind: spot, tick: 0.01, lot: 0.0001 }\n"
        "      - { symbol: ETH-USD, asset: ETH, kind: spot, tick: 0.01, lot: 0.001 }\n"
        "      - { symbol: SOL-USD, asset: SOL, kind: spot, tick: 0.001, lot: 0.01 }\n"
        "  beta:\n"
        "    plugin: %s\n"
        "    instruments:\n"
        "      - { symbol: BTC-PERP, asset: BTC, kind: linear_perp, tick: 0.1, lot: 0.001 }\n"
        "      - { symbol: ETH-PERP, asset: ETH, kind: linear_perp, tick: 0.01, lot: 0.01 }\n"
        "      - { symbol: SOL-PERP, asset: SOL, kind: linear_perp, tick: 0.001, lot: 0.1 }\n"
        "      - { symbol: BTC-C, asset: BTC, kind: option, type: call, strike: 70000,\n"
        "          expiry: 2100-01-01, iv: 0.5, tick: 1, lot: 0.01 }\n"
        "components:\n"
        "  risk: { sample_ms: 100, lambda: 0.94, quote_stale_ms: 250, min_samples: 30,\n"
        "          band: 1000000000, bands: { BTC: 50000 }, var_horizon_s: 86400 }\n",
        s_dir, plugin, plugin);
    fclose (f);
    char errors [2048] = "";
    s_cfg = hb_config_load_quiet (s_cfg_path, errors, sizeof errors);
    if (!s_cfg)
        fprintf (stderr, "%s", errors);
    return s_cfg ? 0 : -1;
}

static int
s_teardown (void **state)
{
    (void) state;
    hb_config_destroy (&s_cfg);
    char path [160];
    snprintf (path, sizeof path, "%s/hb_venue_fake.so", s_dir);
    unlink (path);
    unlink (s_cfg_path);
    rmdir (s_dir);
    return 0;
}

//  ---------------------------------------------------------------------------

static void
test_config (void **state)
{
    (void) state;
    const hb_risk_cfg_t *rc = &s_cfg->risk;
    assert_int_equal (rc->sample_ms, 100);
    assert_true (rc->lambda == 0.94);
    assert_int_equal (rc->quote_stale_ms, 250);
    assert_int_equal (rc->publish_ms, 1000);            //  default
    assert_true (rc->var_confidence == 0.99);           //  default
    assert_true (rc->band_usd [0] == 50000);
    assert_true (rc->band_usd [1] == 1e9);
    assert_true (rc->stress_corr == 0.95);
}

//  The EWMA correlations over a long calm path average to the configured
//  ones within 0.03 (the average of 3000 estimates, each with a standard
//  error of about 0.06 but strongly autocorrelated over ~30 samples: the
//  error of the mean is about 0.01); the annualized vol to within 3 %.
static void
test_converges (void **state)
{
    (void) state;
    double c [N][N] = { { 1, 0.85, 0.6 }, { 0.85, 1, 0.7 }, { 0.6, 0.7, 1 } };
    s_path_t path;
    s_path_init (&path, 42, c);
    hb_risk_t *risk = hb_risk_new (s_cfg, 1);
    assert_non_null (risk);
    double sum [N][N] = { { 0 } }, vol_sum = 0;
    int counted = 0;
    int64_t now = 0;
    for (int k = 0; k < 3300; k++) {
        now += STEP;
        s_path_step (&path);
        s_quote_all (risk, &path, now, -1);
        assert_int_equal (hb_risk_sample (risk, now), k == 0 ? 0 : N);
        if (k < 300)
            continue;
        for (int i = 0; i < N; i++)
            for (int j = 0; j < N; j++)
                sum [i][j] += hb_ewma_corr (hb_risk_ewma (risk), i, j);
        vol_sum += hb_ewma_vol (hb_risk_ewma (risk), 0);
        counted++;
    }
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            double mean = sum [i][j] / counted;
            if (fabs (mean - c [i][j]) > 0.03)
                fail_msg ("corr[%d][%d]: mean estimate %.4f, configured %.2f", i, j, mean, c [i][j]);
        }
    double vol = vol_sum / counted;
    assert_true (fabs (vol / path.vol - 1) < 0.03);
    //  the index is the median (here: the mean) of the two venues' mids
    bool stale = true;
    assert_true (fabs (hb_risk_index (risk, 0, &stale) - path.px [0]) < 1e-9 * path.px [0]);
    assert_false (stale);
    hb_risk_destroy (&risk);
    assert_null (risk);
}

//  A regime switch from rho(BTC, ETH) 0.2 to 0.9: after one half-life
//  (ln 0.5 / ln 0.94 = 11.2 samples) the covariance is half old, half new
//  in expectation, i.e. an expected correlation near 0.55. Averaged over
//  100 independent paths, the estimate after 11 samples must lie in
//  [0.45, 0.65] (it has followed about half of the way, as the half-life
//  says), and after 5 half-lives (56 samples) within 0.06 of 0.9.
static void
test_regime_switch (void **state)
{
    (void) state;
    double calm [N][N] = { { 1, 0.2, 0 }, { 0.2, 1, 0 }, { 0, 0, 1 } };
    double stress [N][N] = { { 1, 0.9, 0 }, { 0.9, 1, 0 }, { 0, 0, 1 } };
    double at_half = 0, at_five = 0, before = 0;
    const int runs = 100;
    for (int run = 0; run < runs; run++) {
        s_path_t path;
        s_path_init (&path, 1000 + (uint64_t) run, calm);
        hb_risk_t *risk = hb_risk_new (s_cfg, 1);
        int64_t now = 0;
        for (int k = 0; k < 200 + 56; k++) {
            if (k == 200)
                s_path_corr (&path, stress);
            now += STEP;
            s_path_step (&path);
            s_quote_all (risk, &path, now, -1);
            hb_risk_sample (risk, now);
            double rho = hb_ewma_corr (hb_risk_ewma (risk), 0, 1);
            if (k == 199)
                before += rho / runs;
            if (k == 199 + 11)
                at_half += rho / runs;
            if (k == 199 + 56)
                at_five += rho / runs;
        }
        hb_risk_destroy (&risk);
    }
    printf ("    mean rho(BTC, ETH) over %d paths: before the switch %.3f, one half-life after %.3f, "
            "five %.3f\n", runs, before, at_half, at_five);
    if (fabs (before - 0.2) > 0.06 || at_half < 0.45 || at_half > 0.65 || fabs (at_five - 0.9) > 0.06)
        fail_msg ("mean rho: before %.3f, one half-life %.3f, five %.3f", before, at_half, at_five);
}

//  Crossed, flagged and old quotes never enter the index or the
//  covariance; a stale asset is never in H.
static void
test_stale_never_enters (void **state)
{
    (void) state;
    double c [N][N] = { { 1, 0.5, 0.5 }, { 0.5, 1, 0.5 }, { 0.5, 0.5, 1 } };
    s_path_t path;
    s_path_init (&path, 7, c);
    hb_risk_t *risk = hb_risk_new (s_cfg, 1);
    hb_risk_set_positions_known (risk, true);
    int64_t now = 0;
    for (int k = 0; k < 50; k++) {
        now += STEP;
        s_path_step (&path);
        s_quote_all (risk, &path, now, -1);
        hb_risk_sample (risk, now);
    }
    hb_risk_report_t report;
    hb_risk_report (risk, now, &report);
    for (int i = 0; i < N; i++)
        assert_true (report.assets [i].flags == HB_RISK_ASSET_HEDGEABLE);

    //  a crossed quote and a stale-flagged one far off the path on one
    //  venue: the index is the other venue's mid exactly
    now += STEP;
    s_path_step (&path);
    s_quote_all (risk, &path, now, -1);
    double mid = path.px [0];
    s_feed (risk, "beta", "BTC-PERP", mid * 2, mid * 1.5, 0, now);
    hb_risk_sample (risk, now);
    assert_true (fabs (hb_risk_index (risk, 0, NULL) - mid) < 1e-9 * mid);
    s_feed (risk, "beta", "BTC-PERP", mid * 2, mid * 2.001, HB_TICK_STALE, now);
    s_feed (risk, "alpha", "BTC-USD", mid * 3, mid * 3.001, HB_TICK_OUTAGE, now);
    //  both BTC venues out: BTC is stale, its last index kept
    bool stale = false;
    hb_risk_sample (risk, now);
    assert_true (fabs (hb_risk_index (risk, 0, &stale) - mid) < 1e-9 * mid);
    assert_true (stale);

    //  SOL goes quiet: after quote_stale_ms (250 ms) it is stale, its
    //  observations stop, and it leaves H; BTC is out too (flags)
    uint64_t sol_obs = hb_ewma_observations (hb_risk_ewma (risk), 2);
    uint64_t eth_obs = hb_ewma_observations (hb_risk_ewma (risk), 1);
    uint64_t btc_obs = hb_ewma_observations (hb_risk_ewma (risk), 0);
    for (int k = 0; k < 10; k++) {
        now += STEP;
        s_path_step (&path);
        for (int i = 1; i < N - 1; i++) {
            s_feed (risk, "alpha", s_spot [i], path.px [i] * 0.9999, path.px [i] * 1.0001, 0, now);
            s_feed (risk, "beta", s_perp [i], path.px [i] * 0.9999, path.px [i] * 1.0001, 0, now);
        }
        //  BTC keeps arriving crossed or flagged only
        s_feed (risk, "alpha", "BTC-USD", mid * 1.01, mid, 0, now);
        s_feed (risk, "beta", "BTC-PERP", mid, mid * 1.01, HB_TICK_STALE, now);
        hb_risk_sample (risk, now);
    }
    //  SOL's last quote stays fresh for 250 ms: two more (zero) returns,
    //  then none; BTC, stale throughout, gets none
    assert_int_equal (hb_ewma_observations (hb_risk_ewma (risk), 2), sol_obs + 2);
    assert_int_equal (hb_ewma_observations (hb_risk_ewma (risk), 0), btc_obs);
    assert_int_equal (hb_ewma_observations (hb_risk_ewma (risk), 1), eth_obs + 10);
    hb_risk_index (risk, 2, &stale);
    assert_true (stale);
    hb_risk_report (risk, now, &report);
    assert_true (report.assets [0].flags == HB_RISK_ASSET_STALE);
    assert_true (report.assets [1].flags == HB_RISK_ASSET_HEDGEABLE);
    assert_true (report.assets [2].flags == HB_RISK_ASSET_STALE);
    assert_false (hb_risk_hedgeable (risk, 0));
    assert_false (hb_risk_hedgeable (risk, 2));

    //  an exposure in stale SOL is proxied through ETH only (the one in H)
    s_exposure (risk, "SOL", 1e6, hb_risk_index (risk, 2, NULL), 1);
    hb_risk_hedge_t hedge;
    int rc = hb_risk_hedge_check (risk, now, &hedge);
    hb_risk_report (risk, now, &report);
    assert_true (report.assets [2].residual_usd == 1e6);
    if (rc == 1)
        for (int t = 0; t < hedge.n_targets; t++)
            assert_string_equal (hedge.targets [t].asset, "ETH");
    hb_risk_destroy (&risk);
}

//  No hedge before positions are known or before min_samples; then a
//  band breach gives one request per sample with target -exposure, the
//  aggregator's seq among its inputs.
static void
test_hedge_request (void **state)
{
    (void) state;
    double c [N][N] = { { 1, 0.8, 0.7 }, { 0.8, 1, 0.7 }, { 0.7, 0.7, 1 } };
    s_path_t path;
    s_path_init (&path, 9, c);
    hb_risk_t *risk = hb_risk_new (s_cfg, 77);
    hb_risk_hedge_t hedge;
    int64_t now = 0;
    for (int k = 0; k < 40; k++) {
        now += STEP;
        s_path_step (&path);
        s_quote_all (risk, &path, now, -1);
        hb_risk_sample (risk, now);
        if (k == 5)
            s_exposure (risk, "BTC", 10 * path.px [0], path.px [0], 3);
        //  positions unknown: never a hedge
        assert_int_equal (hb_risk_hedge_check (risk, now, &hedge), 0);
    }
    hb_risk_report_t report;
    hb_risk_report (risk, now, &report);
    assert_true (report.flags & HB_RISK_NO_POSITIONS);
    assert_true (fabs (report.assets [0].exposure_usd - 10 * path.px [0]) < 1e-6 * path.px [0]);

    hb_risk_set_positions_known (risk, true);
    assert_int_equal (hb_risk_hedge_check (risk, now, &hedge), 1);
    assert_int_equal (hb_risk_hedge_check (risk, now, &hedge), 0);     //  once per sample
    now += STEP;
    s_path_step (&path);
    s_quote_all (risk, &path, now, -1);
    hb_risk_sample (risk, now);
    assert_int_equal (hb_risk_hedge_check (risk, now, &hedge), 1);
    assert_string_equal (hedge.id, "77-41");
    assert_true (hedge.reasons == HB_RISK_REASON_BAND);
    assert_int_equal (hedge.n_targets, 1);
    assert_string_equal (hedge.targets [0].asset, "BTC");
    double e = 10 * path.px [0];
    assert_true (fabs (hedge.targets [0].target_usd + e) < 1e-6 * e);
    assert_true (fabs (hedge.targets [0].target_qty + 10) < 1e-9);
    assert_string_equal (hedge.inputs [0].topic, "pos.BTC");
    assert_true (hedge.inputs [0].epoch == 5 && hedge.inputs [0].seq == 3);
    assert_int_equal (hedge.n_inputs, 3);                   //  + a tick from each venue
    assert_string_equal (hedge.inputs [1].topic, "tick.alpha.BTC-USD");
    assert_string_equal (hedge.inputs [2].topic, "tick.beta.BTC-PERP");
    //  an older exposure (a late snapshot) never rolls the newer one back
    s_exposure (risk, "BTC", 0, path.px [0], 2);
    hb_risk_report (risk, now, &report);
    assert_true (fabs (report.assets [0].exposure_usd - e) < 1e-6 * e);
    //  inside the band: no request
    s_exposure (risk, "BTC", 40000, path.px [0], 4);
    now += STEP;
    s_quote_all (risk, &path, now, -1);
    hb_risk_sample (risk, now);
    assert_int_equal (hb_risk_hedge_check (risk, now, &hedge), 0);
    hb_risk_destroy (&risk);
}

//  An option position: Black-Scholes delta on the index with the venue's
//  mark IV; the aggregator's delta-1 placeholder is taken out.
static void
test_option_exposure (void **state)
{
    (void) state;
    double c [N][N] = { { 1, 0, 0 }, { 0, 1, 0 }, { 0, 0, 1 } };
    s_path_t path;
    s_path_init (&path, 3, c);
    hb_risk_t *risk = hb_risk_new (s_cfg, 1);
    int64_t now = 4102444800LL * 1000000000LL - (int64_t) (0.5 * 365 * 86400) * 1000000000LL;
    s_quote_all (risk, &path, now, -1);
    hb_risk_sample (risk, now);
    hb_msg_t msg;
    memset (&msg, 0, sizeof msg);
    msg.env.type = HB_MSG_TICK;
    msg.env.epoch = 1;
    strcpy (msg.u.tick.venue, "beta");
    strcpy (msg.u.tick.symbol, "BTC-C");
    msg.u.tick.flags = HB_TICK_HAS_IV;
    msg.u.tick.mark_iv = 0.6;
    assert_int_equal (hb_risk_on_tick (risk, &msg, now), 0);
    memset (&msg, 0, sizeof msg);
    msg.env.type = HB_MSG_POSITION;
    msg.env.epoch = 5;
    msg.env.seq = 1;
    strcpy (msg.u.position.venue, "beta");
    strcpy (msg.u.position.symbol, "BTC-C");
    strcpy (msg.u.position.asset, "BTC");
    msg.u.position.qty = 4;
    msg.u.position.exposure_usd = 4 * path.px [0];
    assert_int_equal (hb_risk_on_state (risk, "pos.BTC.beta.BTC-C", &msg), 0);
    s_exposure (risk, "BTC", 4 * path.px [0] + 1000, path.px [0], 2);
    hb_risk_report_t report;
    hb_risk_report (risk, now, &report);
    hb_greeks_t g;
    double s = path.px [0];
    hb_bs (true, s, 70000, 0.5, 0, 0, 0.6, &g);
    const hb_risk_asset_t *btc = &report.assets [0];
    assert_true (fabs (btc->delta1_usd - 1000) < 1e-6);
    assert_true (fabs (btc->option_delta_usd - 4 * g.delta * s) < 1e-6 * s);
    assert_true (fabs (btc->vega - 4 * g.vega) < 1e-9 * fabs (g.vega) + 1e-9);
    assert_true (fabs (btc->gamma - 4 * g.gamma) < 1e-12);
    assert_true (fabs (btc->exposure_usd - (1000 + 4 * g.delta * s)) < 1e-6 * s);
    //  unknown inputs are counted, not fatal
    strcpy (msg.u.position.venue, "nowhere");
    assert_int_equal (hb_risk_on_state (risk, "pos.BTC.nowhere.X", &msg), -1);
    assert_true (hb_risk_ignored (risk) >= 1);
    hb_risk_destroy (&risk);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_config),
        cmocka_unit_test (test_converges),
        cmocka_unit_test (test_regime_switch),
        cmocka_unit_test (test_stale_never_enters),
        cmocka_unit_test (test_hedge_request),
        cmocka_unit_test (test_option_exposure),
    };
    return cmocka_run_group_tests_name ("hb_risk", tests, s_setup, s_teardown);
}
