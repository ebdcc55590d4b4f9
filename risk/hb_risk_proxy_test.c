/*  hb_risk proxy hedge, end to end through the engine: ticks in
    (hb_risk_on_tick), samples on the grid, the desk's position as the
    aggregator's pos.<asset>, the hedge plan out (hb_risk_hedge_check), on
    a simulated two-asset path with a known correlation rho. Only the proxy
    is hedgeable (the venue of the held asset is in margin breach), and
    the hedge must take about rho squared of the variance out of the P&L.
    hb_hedge_test checks the same on hb_ewma + hb_hedge directly.          */
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
#include "hb_risk.h"
#include "hb_risk_testing.h"

#define MS      1000000LL
#define STEP    (100 * MS)          //  sample_ms in the config below

static hb_risk_testing_t s_fx;

//  BTC trades on alpha only, ETH on beta only. lambda 0.99 (an effective
//  window of about 200 samples) keeps the estimation noise of the hedge
//  ratio small; the ETH band of 1 USD makes every sample's plan a request.
//  Formatted with run_dir, then the stand-in plugin of each venue.
static const char *s_yaml =
    "hedgebus: 1\n"
    "deployment: proxy-test\n"
    "run_dir: %s/run\n"
    "assets: { BTC: { price: 65000, vol: 0.5 }, ETH: { price: 3400, vol: 0.6 } }\n"
    "venues:\n"
    "  alpha:\n"
    "    plugin: %s\n"
    "    instruments:\n"
    "      - { symbol: BTC-USD, asset: BTC, kind: spot, tick: 0.01, lot: 0.0001 }\n"
    "  beta:\n"
    "    plugin: %s\n"
    "    instruments:\n"
    "      - { symbol: ETH-USD, asset: ETH, kind: spot, tick: 0.01, lot: 0.001 }\n"
    "components:\n"
    "  risk: { sample_ms: 100, lambda: 0.99, quote_stale_ms: 250, min_samples: 30,\n"
    "          band: 1000000000, bands: { ETH: 1 } }\n";

static int
s_setup (void **state)
{
    (void) state;
    return hb_risk_testing_setup (&s_fx, "hb_risk_proxy_test", s_yaml);
}

static int
s_teardown (void **state)
{
    (void) state;
    hb_risk_testing_teardown (&s_fx);
    return 0;
}

//  ---------------------------------------------------------------------------
//  The path: log returns rA = sa z1, rB = sb (rho z1 + sqrt (1 - rho²) z2)

//  A standard normal pair by Box-Muller
static void
s_normal2 (uint64_t *seed, double *z1, double *z2)
{
    double u1 = hb_risk_testing_uniform (seed);
    double u2 = hb_risk_testing_uniform (seed);
    double radius = sqrt (-2.0 * log (u1));
    *z1 = radius * cos (2.0 * M_PI * u2);
    *z2 = radius * sin (2.0 * M_PI * u2);
}

//  A one-level quote 1 bp either side of mid
static void
s_tick (hb_risk_t *risk, const char *venue, const char *symbol, double mid, int64_t now)
{
    static uint64_t seq;
    assert_int_equal (hb_risk_testing_tick (risk, venue, symbol, mid * 0.9999, mid * 1.0001, ++seq, now), 0);
}

//  ---------------------------------------------------------------------------

//  The desk holds 1 M USD of BTC (pos.BTC from the aggregator, marked at
//  the first price: a constant number of coins) and nothing else; alpha,
//  BTC's only venue, is in margin breach, so BTC is out of H and the plan
//  proxies it with ETH. sa = 0.3 %, sb = 0.2 % per sample, rho = 0.8.
//
//  At each sample the engine's request gives the ETH target in coins; it is
//  held over the next sample interval (out of sample: the returns that
//  follow have not entered the estimate), and not fed back as an ETH
//  position, so each request is the whole hedge. After 500 warm-up
//  samples, over 20,000 more:
//  - the variance of the hedged P&L (BTC coins x dP_BTC + ETH target x
//    dP_ETH) is (1 - rho²) of the unhedged one: the reduction within 0.02
//    of rho² = 0.64. Its sampling error over 20,000 samples is about 0.005
//    (0.0045 measured over 40 seeds, all within [0.630, 0.649]) and the
//    EWMA's noise in the hedge ratio costs about (1 - rho²)/200 = 0.002;
//  - the hedge ratio (USD of ETH sold per USD of BTC held), averaged over
//    those samples, is rho sa/sb = 1.2 within 0.03 (spread 0.006 over the
//    same seeds). The reduction alone is flat near the optimum (a ratio
//    20 % short still removes 0.61): this check is the sharp one.
static void
test_proxy_reduces_variance (void **state)
{
    (void) state;
    const double rho = 0.8, sa = 0.003, sb = 0.002;
    const int warmup = 500, steps = 20000;
    hb_risk_t *risk = hb_risk_new (s_fx.cfg, 7);
    assert_non_null (risk);
    double px [2] = { 65000, 3400 };
    double coins = 1e6 / px [0];
    uint64_t seed = 20261121;
    int64_t now = 0;

    assert_int_equal (hb_risk_testing_exposure (risk, "BTC", coins * px [0], px [0], 1), 0);
    assert_int_equal (hb_risk_testing_margin (risk, "alpha", true, 2), 0);
    hb_risk_set_positions_known (risk, true);

    double held = 0;                //  ETH coins of the plan in force
    double sum_u = 0, sum_uu = 0, sum_h = 0, sum_hh = 0, sum_ratio = 0;
    int requests = 0;
    for (int t = 0; t < warmup + steps; t++) {
        double z1, z2;
        s_normal2 (&seed, &z1, &z2);
        double ra = sa * z1;
        double rb = sb * (rho * z1 + sqrt (1 - rho * rho) * z2);
        double next [2] = { px [0] * exp (ra - 0.5 * sa * sa), px [1] * exp (rb - 0.5 * sb * sb) };
        if (t >= warmup) {
            double pnl_u = coins * (next [0] - px [0]);
            double pnl_h = pnl_u + held * (next [1] - px [1]);
            sum_u += pnl_u;
            sum_uu += pnl_u * pnl_u;
            sum_h += pnl_h;
            sum_hh += pnl_h * pnl_h;
            sum_ratio += -held * px [1] / (coins * px [0]);
        }
        px [0] = next [0];
        px [1] = next [1];
        now += STEP;
        s_tick (risk, "alpha", "BTC-USD", px [0], now);
        s_tick (risk, "beta", "ETH-USD", px [1], now);
        hb_risk_sample (risk, now);
        hb_risk_hedge_t hedge;
        if (hb_risk_hedge_check (risk, now, &hedge) == 1) {
            assert_int_equal (hedge.n_targets, 1);
            assert_string_equal (hedge.targets [0].asset, "ETH");
            held = hedge.targets [0].target_qty;
            requests++;
        }
    }
    assert_false (hb_risk_hedgeable (risk, 0));
    assert_true (hb_risk_hedgeable (risk, 1));
    //  a request on every sample once the EWMA has min_samples (30)
    //  returns, i.e. from the 31st on (the first has none): every measured
    //  interval was hedged by the plan of the sample that opened it
    assert_int_equal (requests, warmup + steps - 30);
    double var_u = sum_uu / steps - (sum_u / steps) * (sum_u / steps);
    double var_h = sum_hh / steps - (sum_h / steps) * (sum_h / steps);
    double reduction = 1.0 - var_h / var_u;
    double ratio = sum_ratio / steps;
    printf ("    variance reduction %.4f, rho² %.4f; mean hedge ratio %.4f, rho sa/sb %.4f\n",
            reduction, rho * rho, ratio, rho * sa / sb);
    if (fabs (reduction - rho * rho) > 0.02)
        fail_msg ("variance reduction %.4f, expected rho² = %.4f within 0.02", reduction, rho * rho);
    if (fabs (ratio - rho * sa / sb) > 0.03)
        fail_msg ("mean hedge ratio %.4f, expected %.4f within 0.03", ratio, rho * sa / sb);
    hb_risk_destroy (&risk);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_proxy_reduces_variance),
    };
    return cmocka_run_group_tests_name ("hb_risk_proxy", tests, s_setup, s_teardown);
}
