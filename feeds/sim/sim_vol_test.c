/*  sim_vol: the surface's shape (skew, smile, term, clamps), the level's
    dynamics (spot-vol correlation measured, reversion, scheduled shocks
    and their repeats), determinism after a reset, bad input.           */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim_rng.h"
#include "sim_vol.h"

static sim_vol_asset_t
s_asset (double level, double xi, double rho)
{
    sim_vol_asset_t a = { .present = true, .level = level, .reversion = 4, .vol_of_vol = xi,
                          .spot_corr = rho, .skew = -0.2, .smile = 0.5, .term = -0.1 };
    return a;
}

static void
test_shape (void **state)
{
    (void) state;
    sim_vol_asset_t cfg [2] = { s_asset (0.6, 0, 0), { .present = false } };
    sim_vol_t *v = sim_vol_new (2, cfg, NULL, 0, 1, 7);
    assert_non_null (v);
    //  at the money, 30 days: the level
    assert_true (fabs (sim_vol_iv (v, 0, 100, 100, 30, -1) - 0.6) < 1e-12);
    //  skew < 0: a 90 strike above a 110 one (smile lifts both)
    double m90 = log (0.9), m110 = log (1.1);
    assert_true (fabs (sim_vol_iv (v, 0, 90, 100, 30, -1) - 0.6 * (1 - 0.2 * m90 + 0.5 * m90 * m90)) < 1e-12);
    assert_true (sim_vol_iv (v, 0, 90, 100, 30, -1) > sim_vol_iv (v, 0, 110, 100, 30, -1));
    assert_true (fabs (sim_vol_iv (v, 0, 110, 100, 30, -1) - 0.6 * (1 - 0.2 * m110 + 0.5 * m110 * m110)) < 1e-12);
    //  term < 0: a week above three months
    assert_true (fabs (sim_vol_iv (v, 0, 100, 100, 7, -1) - 0.6 * pow (7 / 30.0, -0.1)) < 1e-12);
    assert_true (sim_vol_iv (v, 0, 100, 100, 7, -1) > sim_vol_iv (v, 0, 100, 100, 90, -1));
    //  clamps: far wings and expiry stay finite and in range
    assert_true (sim_vol_iv (v, 0, 1, 100, 30, -1) <= SIM_VOL_MAX);
    assert_true (sim_vol_iv (v, 0, 100, 100, 0, -1) > 0.6);
    assert_true (isfinite (sim_vol_iv (v, 0, 100, 100, -5, -1)));
    //  no surface, bad input: the fallback
    assert_true (sim_vol_iv (v, 1, 100, 100, 30, 0.42) == 0.42);
    assert_true (sim_vol_iv (v, 0, NAN, 100, 30, 0.42) == 0.42);
    assert_true (sim_vol_iv (v, 0, 100, 0, 30, 0.42) == 0.42);
    assert_true (sim_vol_iv (v, 5, 100, 100, 30, 0.42) == 0.42);
    assert_false (sim_vol_has (v, 1));
    assert_true (sim_vol_level (v, 1) == 0);
    sim_vol_destroy (&v);
    assert_null (v);
    assert_null (sim_vol_new (0, cfg, NULL, 0, 1, 7));
    assert_null (sim_vol_new (1, cfg, NULL, 0, 0, 7));
}

static void
test_spot_vol_correlation (void **state)
{
    (void) state;
    //  hourly steps for ~5 years: the correlation of the price shock with
    //  the change of ln v is rho (reversion adds a term of order dt)
    sim_vol_asset_t cfg [1] = { s_asset (0.6, 1.2, -0.6) };
    sim_vol_t *v = sim_vol_new (1, cfg, NULL, 0, 3600, 11);
    sim_rng_t rng;
    sim_rng_seed (&rng, 99);
    double sxy = 0, sxx = 0, syy = 0;
    const int n = 40000;
    for (int k = 0; k < n; k++) {
        double e = sim_rng_normal (&rng);
        double before = log (sim_vol_level (v, 0));
        sim_vol_step (v, (uint64_t) k, &e);
        double d = log (sim_vol_level (v, 0)) - before;
        sxy += e * d;
        sxx += e * e;
        syy += d * d;
    }
    double corr = sxy / sqrt (sxx * syy);
    print_message ("spot-vol correlation measured %.3f (configured -0.6)\n", corr);
    assert_true (fabs (corr + 0.6) < 0.03);
    //  and the level stayed in a sane range around its mean
    assert_true (sim_vol_level (v, 0) > 0.1 && sim_vol_level (v, 0) < 3);
    sim_vol_destroy (&v);
}

static void
test_shocks_and_reversion (void **state)
{
    (void) state;
    //  no noise: a shock x2 at 10 s, again every 3600 s; reversion 4 a year
    sim_vol_asset_t cfg [2] = { s_asset (0.5, 0, 0), s_asset (0.8, 0, 0) };
    sim_vol_shock_t shocks [1] = { { .at_s = 10, .every_s = 3600, .asset = 0, .factor = 2 } };
    sim_vol_t *v = sim_vol_new (2, cfg, shocks, 1, 1, 3);
    double zero [2] = { 0, 0 };
    for (uint64_t k = 0; k < 9; k++)
        sim_vol_step (v, k, zero);
    assert_true (fabs (sim_vol_level (v, 0) - 0.5) < 1e-12);
    sim_vol_step (v, 9, zero);          //  (9, 10]: the shock
    assert_true (fabs (sim_vol_level (v, 0) - 1.0) < 1e-6);
    assert_true (fabs (sim_vol_level (v, 1) - 0.8) < 1e-12);     //  the other asset not
    //  reverting: after 3590 more seconds ln v lost 4 x dt of its excess
    for (uint64_t k = 10; k < 3609; k++)
        sim_vol_step (v, k, zero);
    double excess = log (sim_vol_level (v, 0) / 0.5);
    double want = log (2) * pow (1 - 4 / (365.0 * 86400), 3600 - 1);
    assert_true (fabs (excess - want) < 1e-9);
    sim_vol_step (v, 3609, zero);       //  (3609, 3610]: the repeat
    assert_true (fabs (log (sim_vol_level (v, 0) / 0.5) - (want * (1 - 4 / (365.0 * 86400)) + log (2))) < 1e-9);
    sim_vol_destroy (&v);
    //  every asset (-1), and clamped at SIM_VOL_MAX
    sim_vol_shock_t all [1] = { { .at_s = 0.5, .asset = -1, .factor = 100 } };
    v = sim_vol_new (2, cfg, all, 1, 1, 3);
    sim_vol_step (v, 0, zero);
    assert_true (fabs (sim_vol_level (v, 0) - SIM_VOL_MAX) < 1e-9);
    assert_true (fabs (sim_vol_level (v, 1) - SIM_VOL_MAX) < 1e-9);
    sim_vol_destroy (&v);
}

static void
test_reset_replays (void **state)
{
    (void) state;
    sim_vol_asset_t cfg [2] = { s_asset (0.6, 1, -0.5), s_asset (0.7, 0.8, -0.3) };
    sim_vol_t *v = sim_vol_new (2, cfg, NULL, 0, 60, 5);
    double shock [2] = { 0.3, -1.1 }, first [2];
    for (uint64_t k = 0; k < 500; k++)
        sim_vol_step (v, k, shock);
    first [0] = sim_vol_level (v, 0);
    first [1] = sim_vol_level (v, 1);
    sim_vol_reset (v);
    assert_true (fabs (sim_vol_level (v, 0) - 0.6) < 1e-12);
    for (uint64_t k = 0; k < 500; k++)
        sim_vol_step (v, k, shock);
    assert_true (sim_vol_level (v, 0) == first [0] && sim_vol_level (v, 1) == first [1]);
    //  a NaN shock is taken as 0, never propagated
    double bad [2] = { NAN, INFINITY };
    sim_vol_step (v, 500, bad);
    assert_true (isfinite (sim_vol_level (v, 0)) && isfinite (sim_vol_level (v, 1)));
    sim_vol_destroy (&v);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_shape),
        cmocka_unit_test (test_spot_vol_correlation),
        cmocka_unit_test (test_shocks_and_reversion),
        cmocka_unit_test (test_reset_replays),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
