/*  Options on futures in hb_risk: Black-76 on the mid of the future named
    as the option's `underlying` (the Deribit style), the config checks of
    that key, and the estimated forward when the future's quote is stale.

    Expected values are computed here from the closed-form Black-76
    formulas (erfc, not hb_bs), and the formulas are first checked on the
    textbook example: Hull, Options, Futures and Other Derivatives (8th
    ed.), Example 18.8: a European put on a future, F = K = 20, r = 9 %,
    T = 4 months, sigma = 25 %: price 1.1166.                              */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hb_config.h"
#include "hb_ewma.h"
#include "hb_risk.h"

#define S_EXPIRY_S  4102444800LL            //  2100-01-01, the option's expiry
#define S_T         (1.0 / 3.0)             //  4 months, in hb-risk's 365-day years
#define S_NOW       ((S_EXPIRY_S - (int64_t) (S_T * HB_EWMA_YEAR_S)) * 1000000000LL)
#define S_RATE      0.09
#define MS          1000000LL

static char s_dir [64];
static char s_plugin [128];

//  The deployment of these tests; {UNDERLYING} and {EXTRA} are replaced
static const char *s_template =
    "hedgebus: 1\n"
    "deployment: b76-test\n"
    "run_dir: /tmp/b76-test-run\n"
    "assets: { X: { price: 20, vol: 0.5 }, Y: { price: 100, vol: 0.5 } }\n"
    "venues:\n"
    "  alpha:\n"
    "    plugin: %s\n"
    "    instruments:\n"
    "      - { symbol: X-USD, asset: X, kind: spot, tick: 0.001, lot: 0.01 }\n"
    "      - { symbol: Y-USD, asset: Y, kind: spot, tick: 0.001, lot: 0.01 }\n"
    "      - { symbol: X-P, asset: X, kind: option, type: put, strike: 20, iv: 0.25,\n"
    "          expiry: 2100-01-01, tick: 0.0001, lot: 1%s }\n"
    "      - { symbol: X-FUT, asset: X, kind: future, expiry: 2100-06-01, tick: 0.001, lot: 0.01%s }\n"
    "      - { symbol: Y-FUT, asset: Y, kind: future, expiry: 2100-06-01, tick: 0.001, lot: 0.01 }\n"
    "      - { symbol: X-C, asset: X, kind: option, type: call, strike: 20, iv: 0.25,\n"
    "          expiry: 2100-01-01, tick: 0.0001, lot: 1 }\n"
    "components:\n"
    "  risk: { sample_ms: 100, quote_stale_ms: 250, rate: 0.09 }\n";

//  Loads the template with the option's underlying clause and a clause on
//  the future; NULL with the loader's errors in errors otherwise.
static hb_config_t *
s_load (const char *option_clause, const char *future_clause, char *errors, size_t size)
{
    char path [128];
    snprintf (path, sizeof path, "%s/b76.yaml", s_dir);
    FILE *f = fopen (path, "w");
    assert_non_null (f);
    fprintf (f, s_template, s_plugin, option_clause, future_clause);
    fclose (f);
    errors [0] = 0;
    hb_config_t *cfg = hb_config_load_quiet (path, errors, size);
    unlink (path);
    return cfg;
}

static int
s_setup (void **state)
{
    (void) state;
    snprintf (s_dir, sizeof s_dir, "/tmp/hb_risk_b76_test.XXXXXX");
    if (!mkdtemp (s_dir))
        return -1;
    snprintf (s_plugin, sizeof s_plugin, "%s/hb_venue_fake.so", s_dir);
    FILE *f = fopen (s_plugin, "w");
    if (!f)
        return -1;
    fclose (f);
    return 0;
}

static int
s_teardown (void **state)
{
    (void) state;
    unlink (s_plugin);
    rmdir (s_dir);
    return 0;
}

//  ---------------------------------------------------------------------------
//  Black-76 by its closed form, independently of common/hb_bs

typedef struct {
    double price, delta, gamma, vega, theta, rho;
} s_b76_t;

static double
s_cdf (double x)
{
    return 0.5 * erfc (-x / sqrt (2));
}

static s_b76_t
s_b76 (bool call, double f, double k, double t, double r, double sigma)
{
    double st = sigma * sqrt (t), d1 = (log (f / k) + 0.5 * sigma * sigma * t) / st, d2 = d1 - st;
    double df = exp (-r * t), pdf = exp (-0.5 * d1 * d1) / sqrt (2 * M_PI);
    s_b76_t g;
    g.price = call ? df * (f * s_cdf (d1) - k * s_cdf (d2)) : df * (k * s_cdf (-d2) - f * s_cdf (-d1));
    g.delta = call ? df * s_cdf (d1) : -df * s_cdf (-d1);
    g.gamma = df * pdf / (f * st);
    g.vega = df * f * pdf * sqrt (t);
    //  V = e^-rT B(T): dV/dt = -dV/dT = r V - e^-rT F pdf sigma / (2 sqrt T)
    g.theta = r * g.price - df * f * pdf * sigma / (2 * sqrt (t));
    g.rho = -t * g.price;
    return g;
}

#define assert_close(got, want, tol) do {                                       \
    double g_ = (got), w_ = (want);                                             \
    if (!(fabs (g_ - w_) <= (tol)))                                             \
        fail_msg ("%s = %.12g, expected %.12g (tol %g)", #got, g_, w_, (double) (tol)); \
} while (0)

//  ---------------------------------------------------------------------------
//  Feeding the engine

static void
s_tick (hb_risk_t *risk, const char *symbol, double bid, double ask, double iv, int64_t now)
{
    static uint64_t seq;
    hb_msg_t msg;
    memset (&msg, 0, sizeof msg);
    msg.env.type = HB_MSG_TICK;
    strcpy (msg.env.publisher, "feed.alpha");
    msg.env.epoch = 1;
    msg.env.seq = ++seq;
    strcpy (msg.u.tick.venue, "alpha");
    snprintf (msg.u.tick.symbol, HB_NAME_MAX, "%s", symbol);
    msg.u.tick.n_bids = msg.u.tick.n_asks = 1;
    msg.u.tick.bids [0] = (hb_level_t) { bid, 1 };
    msg.u.tick.asks [0] = (hb_level_t) { ask, 1 };
    if (iv > 0) {
        msg.u.tick.flags = HB_TICK_HAS_IV;
        msg.u.tick.mark_iv = iv;
    }
    assert_int_equal (hb_risk_on_tick (risk, &msg, now), 0);
}

static void
s_position (hb_risk_t *risk, const char *symbol, double qty)
{
    hb_msg_t msg;
    memset (&msg, 0, sizeof msg);
    msg.env.type = HB_MSG_POSITION;
    msg.env.epoch = 5;
    msg.env.seq = 1;
    strcpy (msg.u.position.venue, "alpha");
    snprintf (msg.u.position.symbol, HB_NAME_MAX, "%s", symbol);
    strcpy (msg.u.position.asset, "X");
    msg.u.position.qty = qty;
    assert_int_equal (hb_risk_on_state (risk, "pos.X.alpha.x", &msg), 0);
}

//  ---------------------------------------------------------------------------

//  The formulas above reproduce the textbook put price
static void
test_textbook (void **state)
{
    (void) state;
    s_b76_t g = s_b76 (false, 20, 20, S_T, S_RATE, 0.25);
    assert_close (g.price, 1.1166, 5e-5);
    //  at the money forward: call = put
    assert_close (s_b76 (true, 20, 20, S_T, S_RATE, 0.25).price, g.price, 1e-12);
}

//  A put on X-FUT: hb-risk values it by Black-76 on the future's mid (20),
//  not Black-Scholes on the index (19, a 5 % basis); greeks summed over
//  qty 3. A put on the future and a call on the spot side by side.
static void
test_black76_exposure (void **state)
{
    (void) state;
    char errors [1024];
    hb_config_t *cfg = s_load (", underlying: X-FUT", "", errors, sizeof errors);
    if (!cfg)
        fail_msg ("%s", errors);
    const hb_instrument_cfg_t *put = hb_venue_instrument (&cfg->venues [0], "X-P");
    assert_string_equal (put->underlying, "X-FUT");
    assert_string_equal (hb_venue_instrument (&cfg->venues [0], "X-C")->underlying, "");
    hb_risk_t *risk = hb_risk_new (cfg, 1);
    assert_non_null (risk);
    int64_t now = S_NOW;
    s_tick (risk, "X-USD", 18.99, 19.01, 0, now);
    s_tick (risk, "Y-USD", 99.99, 100.01, 0, now);
    s_tick (risk, "X-FUT", 19.99, 20.01, 0, now);
    s_position (risk, "X-P", 3);
    hb_risk_report_t report;
    hb_risk_report (risk, now, &report);
    const hb_risk_asset_t *x = &report.assets [0];
    s_b76_t g = s_b76 (false, 20, 20, S_T, S_RATE, 0.25);
    assert_close (x->option_delta_usd, 3 * g.delta * 20, 1e-9);
    assert_close (x->exposure_usd, 3 * g.delta * 20, 1e-9);
    assert_close (x->gamma, 3 * g.gamma, 1e-12);
    assert_close (x->vega, 3 * g.vega, 1e-9);
    assert_close (x->theta, 3 * g.theta, 1e-9);
    assert_close (x->rho, 3 * g.rho, 1e-9);
    //  the textbook price, through rho = -T V
    assert_close (x->rho, -3 * S_T * 1.1166, 3 * S_T * 5e-5);
    assert_true (x->flags & HB_RISK_ASSET_HEDGEABLE);
    assert_false (x->flags & HB_RISK_ASSET_FORWARD_STALE);
    //  Black-Scholes on the index would be far off: 20 % more delta
    assert_true (fabs (x->option_delta_usd - 3 * s_b76 (false, 19, 20, S_T, S_RATE, 0.25).delta * 19)
                 > 0.5);

    //  the venue's mark IV replaces the config's iv
    s_tick (risk, "X-P", 1.2, 1.3, 0.35, now);
    hb_risk_report (risk, now, &report);
    g = s_b76 (false, 20, 20, S_T, S_RATE, 0.35);
    assert_close (x->vega, 3 * g.vega, 1e-9);
    assert_close (x->option_delta_usd, 3 * g.delta * 20, 1e-9);

    //  and a call on the spot (no underlying) is Black-Scholes on the
    //  index: e^-rT N(d1) with d1 on the carry forward S e^rT
    s_position (risk, "X-C", -2);
    hb_risk_report (risk, now, &report);
    double s = 19, fwd = s * exp (S_RATE * S_T);
    s_b76_t c = s_b76 (true, fwd, 20, S_T, S_RATE, 0.25);
    //  BS delta = N(d1) = e^rT x the Black-76 delta on the carry forward
    double bs_delta = c.delta * exp (S_RATE * S_T);
    assert_close (x->option_delta_usd, 3 * g.delta * 20 - 2 * bs_delta * s, 1e-9);
    hb_risk_destroy (&risk);
    hb_config_destroy (&cfg);
}

//  The future stops quoting (or quotes crossed): the forward is the index
//  times the last basis (20 / 19), the asset flagged forward_stale; a
//  fresh quote clears the flag. Never quoted at all: the index itself.
static void
test_forward_stale (void **state)
{
    (void) state;
    char errors [1024];
    hb_config_t *cfg = s_load (", underlying: X-FUT", "", errors, sizeof errors);
    assert_non_null (cfg);
    hb_risk_t *risk = hb_risk_new (cfg, 1);
    int64_t now = S_NOW;
    s_position (risk, "X-P", 1);
    s_tick (risk, "X-USD", 18.99, 19.01, 0, now);
    //  never quoted: F = index
    hb_risk_report_t report;
    hb_risk_report (risk, now, &report);
    assert_true (report.assets [0].flags & HB_RISK_ASSET_FORWARD_STALE);
    assert_close (report.assets [0].option_delta_usd, s_b76 (false, 19, 20, S_T, S_RATE, 0.25).delta * 19,
                  1e-7);
    s_tick (risk, "X-FUT", 19.99, 20.01, 0, now);
    hb_risk_report (risk, now, &report);
    assert_false (report.assets [0].flags & HB_RISK_ASSET_FORWARD_STALE);
    //  300 ms later the future is stale (limit 250 ms), the index moved to 19.5
    now += 300 * MS;
    s_tick (risk, "X-USD", 19.49, 19.51, 0, now);
    hb_risk_report (risk, now, &report);
    double f = 19.5 * 20 / 19;
    assert_true (report.assets [0].flags & HB_RISK_ASSET_FORWARD_STALE);
    assert_close (report.assets [0].option_delta_usd, s_b76 (false, f, 20, S_T, S_RATE, 0.25).delta * f,
                  1e-7);
    //  fresh again, then crossed: estimated at once
    s_tick (risk, "X-FUT", 20.49, 20.51, 0, now);
    hb_risk_report (risk, now, &report);
    assert_false (report.assets [0].flags & HB_RISK_ASSET_FORWARD_STALE);
    assert_close (report.assets [0].option_delta_usd, s_b76 (false, 20.5, 20, S_T, S_RATE, 0.25).delta * 20.5,
                  1e-7);
    s_tick (risk, "X-FUT", 20.6, 20.4, 0, now);
    hb_risk_report (risk, now, &report);
    f = 19.5 * 20.5 / 19.5;
    assert_true (report.assets [0].flags & HB_RISK_ASSET_FORWARD_STALE);
    assert_close (report.assets [0].option_delta_usd, s_b76 (false, f, 20, S_T, S_RATE, 0.25).delta * f,
                  1e-7);
    hb_risk_destroy (&risk);
    hb_config_destroy (&cfg);
}

//  An underlying must be a future or perp of the same venue and asset;
//  each mistake is reported at its line with the key path.
static void
test_config_errors (void **state)
{
    (void) state;
    struct {
        const char *option, *future, *expect;
    } cases [] = {
        { ", underlying: NOPE", "", ":12: venues.alpha.instruments[2].underlying: unknown symbol" },
        { ", underlying: X-USD", "", ":12: venues.alpha.instruments[2].underlying: X-USD is of kind spot" },
        { ", underlying: X-C", "", ":12: venues.alpha.instruments[2].underlying: X-C is of kind option" },
        { ", underlying: Y-FUT", "", ":12: venues.alpha.instruments[2].underlying: Y-FUT is on another asset" },
        { "", ", underlying: X-USD", ":13: venues.alpha.instruments[3].underlying: only options have underlying" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases [0]; i++) {
        char errors [1024];
        hb_config_t *cfg = s_load (cases [i].option, cases [i].future, errors, sizeof errors);
        if (cfg || !strstr (errors, cases [i].expect))
            fail_msg ("case %zu: expected '%s', got '%s'", i, cases [i].expect, errors);
    }
    //  a config built by hand is checked by hb_risk_new too
    char errors [1024];
    hb_config_t *cfg = s_load ("", "", errors, sizeof errors);
    assert_non_null (cfg);
    hb_instrument_cfg_t *put = (hb_instrument_cfg_t *) hb_venue_instrument (&cfg->venues [0], "X-P");
    strcpy (put->underlying, "Y-FUT");
    assert_null (hb_risk_new (cfg, 1));
    strcpy (put->underlying, "X-FUT");
    hb_risk_t *risk = hb_risk_new (cfg, 1);
    assert_non_null (risk);
    hb_risk_destroy (&risk);
    hb_config_destroy (&cfg);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_textbook),
        cmocka_unit_test (test_black76_exposure),
        cmocka_unit_test (test_forward_stale),
        cmocka_unit_test (test_config_errors),
    };
    return cmocka_run_group_tests_name ("hb_risk_b76", tests, s_setup, s_teardown);
}
