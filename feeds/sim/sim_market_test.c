/*  sim_market tests: the statistics of the path (vols, correlations, the
    regime switch, jumps), fast-forward equivalence and seed determinism.

    Tolerances are 5 standard errors of the estimator, so a correct engine
    fails with probability below 1e-6 per check while a wrong vol or
    correlation (or a regime that does not switch) fails for sure:
      - realized vol over n returns: SE(sigma_hat) = sigma / sqrt (2 n);
        check |sigma_hat / sigma - 1| < 5 / sqrt (2 n)  (n = 200,000: 0.79 %)
      - realized correlation: SE(rho_hat) = (1 - rho^2) / sqrt (n);
        check |rho_hat - rho| < 5 (1 - rho^2) / sqrt (n)
        (n = 200,000, rho = 0.8: 0.0040; regime window n = 100,000,
        rho = 0.9: 0.0030)
      - jump count over N steps with probability p each: binomial, check
        |count - N p| < 5 sqrt (N p (1 - p)).                               */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hb_time.h"
#include "sim_market.h"

#define N_ASSETS 4

static const double s_vols [N_ASSETS] = { 0.60, 0.75, 1.00, 0.90 };
static const double s_corr [N_ASSETS][N_ASSETS] = {
    { 1.00, 0.80, 0.70, 0.60 },
    { 0.80, 1.00, 0.75, 0.60 },
    { 0.70, 0.75, 1.00, 0.55 },
    { 0.60, 0.60, 0.55, 1.00 },
};
//  a stress regime: everything moves together
static const double s_regime [N_ASSETS][N_ASSETS] = {
    { 1.00, 0.95, 0.90, 0.90 },
    { 0.95, 1.00, 0.90, 0.90 },
    { 0.90, 0.90, 1.00, 0.85 },
    { 0.90, 0.90, 0.85, 1.00 },
};

//  The market: section of the config s_config builds (the sim's own, sim_config.h).
static sim_market_cfg_t s_market_cfg;

static hb_config_t *
s_config (uint64_t seed)
{
    hb_config_t *config = (hb_config_t *) calloc (1, sizeof *config);
    assert_non_null (config);
    const char *names [N_ASSETS] = { "BTC", "ETH", "SOL", "DOGE" };
    const double prices [N_ASSETS] = { 60000, 3000, 150, 0.15 };
    memset (&s_market_cfg, 0, sizeof s_market_cfg);
    config->n_assets = N_ASSETS;
    for (int i = 0; i < N_ASSETS; i++) {
        snprintf (config->assets [i].name, HB_NAME_MAX, "%s", names [i]);
        config->assets [i].price = prices [i];
        config->assets [i].vol = s_vols [i];
        config->assets [i].drift = 0.05 * i;
        for (int j = 0; j < N_ASSETS; j++) {
            s_market_cfg.corr [i][j] = s_corr [i][j];
            s_market_cfg.regime_corr [i][j] = s_regime [i][j];
        }
    }
    s_market_cfg.present = true;
    s_market_cfg.seed = seed;
    s_market_cfg.step_ms = 100;
    return config;
}

static sim_market_t *
s_market (const hb_config_t *config)
{
    char err [256] = "";
    sim_market_t *market = sim_market_new (config, &s_market_cfg, err, sizeof err);
    if (!market)
        fail_msg ("sim_market_new: %s", err);
    return market;
}

//  Running sums of returns over one stretch of the path.
typedef struct {
    long   n;
    double sum [N_ASSETS];
    double cross [N_ASSETS][N_ASSETS];
} s_moments_t;

static void
s_add (s_moments_t *m, const double *r)
{
    m->n++;
    for (int i = 0; i < N_ASSETS; i++) {
        m->sum [i] += r [i];
        for (int j = 0; j < N_ASSETS; j++)
            m->cross [i][j] += r [i] * r [j];
    }
}

static double
s_cov (const s_moments_t *m, int i, int j)
{
    return (m->cross [i][j] - m->sum [i] * m->sum [j] / m->n) / (m->n - 1);
}

static void
s_check_moments (const s_moments_t *m, const double corr [N_ASSETS][N_ASSETS],
                 double step_years, const char *label)
{
    double n = (double) m->n;
    for (int i = 0; i < N_ASSETS; i++) {
        double vol = sqrt (s_cov (m, i, i) / step_years);
        double tol = 5 / sqrt (2 * n);
        if (fabs (vol / s_vols [i] - 1) > tol)
            fail_msg ("%s: asset %d realized vol %.5f, configured %.5f (tol %.4f rel)",
                      label, i, vol, s_vols [i], tol);
        for (int j = 0; j < i; j++) {
            double rho = s_cov (m, i, j) / sqrt (s_cov (m, i, i) * s_cov (m, j, j));
            double want = corr [i][j];
            double tol_rho = 5 * (1 - want * want) / sqrt (n);
            if (fabs (rho - want) > tol_rho)
                fail_msg ("%s: corr(%d,%d) realized %.5f, configured %.5f (tol %.4f)",
                          label, i, j, rho, want, tol_rho);
        }
    }
}

//  200,000 steps under corr, then a 100,000-step regime window, jumps off.
static void
test_vols_and_correlations (void **state)
{
    (void) state;
    const long n_base = 200000, n_regime = 100000;
    hb_config_t *config = s_config (20261121);
    s_market_cfg.regime_present = true;
    s_market_cfg.regime.at_s = n_base * 0.1;
    s_market_cfg.regime.duration_s = n_regime * 0.1;
    sim_market_t *market = s_market (config);
    double step_years = 0.1 / (365.0 * 86400.0);

    s_moments_t base, regime;
    memset (&base, 0, sizeof base);
    memset (&regime, 0, sizeof regime);
    double prev [N_ASSETS], r [N_ASSETS];
    for (int i = 0; i < N_ASSETS; i++)
        prev [i] = sim_market_log_price (market, i);
    long n_regime_seen = 0;
    for (long k = 0; k < n_base + n_regime; k++) {
        bool in_regime = sim_market_regime_at (market, (uint64_t) k);
        sim_market_step (market);
        for (int i = 0; i < N_ASSETS; i++) {
            double x = sim_market_log_price (market, i);
            r [i] = x - prev [i];
            prev [i] = x;
        }
        s_add (in_regime? &regime: &base, r);
        n_regime_seen += in_regime;
    }
    //  the window covers the configured steps, give or take the boundary step
    assert_true (labs (n_regime_seen - n_regime) <= 1);
    assert_false (sim_market_regime_at (market, (uint64_t) n_base - 10));
    assert_true (sim_market_regime_at (market, (uint64_t) n_base + 10));
    s_check_moments (&base, s_corr, step_years, "base");
    s_check_moments (&regime, s_regime, step_years, "regime");
    sim_market_destroy (&market);
    assert_null (market);
    hb_config_destroy (&config);
}

//  With vols at zero every non-zero return is a jump: the count must match
//  the market's own and sit within binomial bounds; sizes match N(mean, std).
static void
test_jumps (void **state)
{
    (void) state;
    hb_config_t *config = s_config (99);
    for (int i = 0; i < N_ASSETS; i++) {
        config->assets [i].vol = 0;
        config->assets [i].drift = 0;
    }
    s_market_cfg.jumps_per_day = 500;
    s_market_cfg.jump_mean = -0.02;
    s_market_cfg.jump_std = 0.01;
    sim_market_t *market = s_market (config);
    const long steps = 200000;
    double p = -expm1 (-500 * 0.1 / 86400.0);
    long count [N_ASSETS] = { 0 };
    double size_sum = 0;
    long size_n = 0;
    double prev [N_ASSETS];
    for (int i = 0; i < N_ASSETS; i++)
        prev [i] = sim_market_log_price (market, i);
    for (long k = 0; k < steps; k++) {
        sim_market_step (market);
        for (int i = 0; i < N_ASSETS; i++) {
            double x = sim_market_log_price (market, i);
            if (x != prev [i]) {
                count [i]++;
                size_sum += x - prev [i];
                size_n++;
            }
            prev [i] = x;
        }
    }
    double mean = steps * p, sd = sqrt (steps * p * (1 - p));
    for (int i = 0; i < N_ASSETS; i++) {
        assert_int_equal (count [i], (long) sim_market_jumps (market, i));
        if (fabs (count [i] - mean) > 5 * sd)
            fail_msg ("asset %d: %ld jumps, expected %.1f +- %.1f", i, count [i], mean, 5 * sd);
    }
    //  mean jump size: SE = std / sqrt (n)
    double avg = size_sum / size_n;
    assert_true (fabs (avg - (-0.02)) < 5 * 0.01 / sqrt ((double) size_n));
    sim_market_destroy (&market);
    hb_config_destroy (&config);
}

static void
test_fast_forward (void **state)
{
    (void) state;
    hb_config_t *config = s_config (7);
    s_market_cfg.jumps_per_day = 20;
    s_market_cfg.jump_std = 0.03;
    s_market_cfg.regime_present = true;
    s_market_cfg.regime.at_s = 500;
    s_market_cfg.regime.duration_s = 300;
    s_market_cfg.regime.every_s = 2000;
    sim_market_t *a = s_market (config);
    sim_market_t *b = s_market (config);
    const uint64_t k = 12345;
    for (uint64_t i = 0; i < k; i++)
        sim_market_step (a);
    sim_market_seek (b, k);
    assert_int_equal (sim_market_index (a), k);
    assert_int_equal (sim_market_index (b), k);
    for (int i = 0; i < N_ASSETS; i++) {
        assert_true (sim_market_log_price (a, i) == sim_market_log_price (b, i));
        assert_true (sim_market_jumps (a, i) == sim_market_jumps (b, i));
    }
    //  seeking back replays from step 0 to the same place
    double x_before = sim_market_log_price (b, 2);
    sim_market_seek (b, 100);
    assert_true (sim_market_log_price (b, 2) != x_before);
    sim_market_seek (b, k);
    assert_true (sim_market_log_price (b, 2) == x_before);
    assert_true (fabs (sim_market_price (b, 2) - exp (x_before)) < 1e-12 * exp (x_before));

    //  The start-up cost of a venue launched at the end of a day; printed,
    //  not asserted (the machine is shared and noisy).
    sim_market_t *c = s_market (config);
    int64_t t0 = hb_mono_ns ();
    sim_market_seek (c, 864000);
    printf ("# fast-forward of one day (864000 steps, %d assets): %.1f ms\n",
            N_ASSETS, (hb_mono_ns () - t0) / 1e6);
    assert_int_equal (sim_market_index (c), 864000);
    sim_market_destroy (&a);
    sim_market_destroy (&b);
    sim_market_destroy (&c);
    hb_config_destroy (&config);
}

//  Seeking and stepping agree bit for bit at every kind of place the block
//  structure has (sim_market.c): a vol surface on asset 1 (so assets 0
//  and 1 go step by step, 2 and 3 by blocks), a regime window that starts
//  and ends inside blocks of 1,024 steps, jumps; at block ends, inside
//  blocks, across several blocks, and back from a later step.
static void
test_blocks (void **state)
{
    (void) state;
    hb_config_t *config = s_config (11);
    s_market_cfg.jumps_per_day = 2000;
    s_market_cfg.jump_std = 0.01;
    s_market_cfg.regime_present = true;
    s_market_cfg.regime.at_s = 50;          //  steps 500 .. 799, then every 2,500
    s_market_cfg.regime.duration_s = 30;
    s_market_cfg.regime.every_s = 250;
    s_market_cfg.vol_present = true;
    s_market_cfg.vol [1] = (sim_vol_asset_t) { .present = true, .level = 0.7, .reversion = 4,
                                               .vol_of_vol = 1.5, .spot_corr = -0.7 };
    sim_market_t *a = s_market (config);
    const uint64_t at [] = { 1, 499, 500, 1023, 1024, 1025, 2047, 2048, 3000, 5121, 9000 };
    uint64_t done = 0;
    for (size_t t = 0; t < sizeof at / sizeof at [0]; t++) {
        while (done < at [t]) {
            sim_market_step (a);
            done++;
        }
        sim_market_t *b = s_market (config);
        sim_market_seek (b, at [t]);
        for (int i = 0; i < N_ASSETS; i++) {
            if (sim_market_log_price (a, i) != sim_market_log_price (b, i))
                fail_msg ("step %llu asset %d: stepped %.17g, sought %.17g", (unsigned long long) at [t],
                          i, sim_market_log_price (a, i), sim_market_log_price (b, i));
            assert_true (sim_market_jumps (a, i) == sim_market_jumps (b, i));
        }
        assert_true (sim_market_vol_level (a, 1) == sim_market_vol_level (b, 1));
        //  on from a seek by steps, and back
        sim_market_seek (b, at [t] + 700);
        double x = sim_market_log_price (b, 3);
        sim_market_seek (b, 3);
        sim_market_seek (b, at [t] + 700);
        assert_true (sim_market_log_price (b, 3) == x);
        sim_market_destroy (&b);
    }
    //  the jumps happen at their rate: 2,000 a day, 9,000 steps of 100 ms
    uint64_t jumps = 0;
    for (int i = 0; i < N_ASSETS; i++)
        jumps += sim_market_jumps (a, i);
    double expect = N_ASSETS * 9000 * (1 - exp (-2000 * 0.1 / 86400));
    assert_true (fabs ((double) jumps - expect) < 5 * sqrt (expect));
    sim_market_destroy (&a);
    hb_config_destroy (&config);
}

static void
test_seeds (void **state)
{
    (void) state;
    //  each market is built from the market: section s_config just set
    hb_config_t *c1 = s_config (1);
    sim_market_t *a = s_market (c1);
    hb_config_t *c2 = s_config (1);
    sim_market_t *b = s_market (c2);
    hb_config_t *c3 = s_config (2);
    sim_market_t *c = s_market (c3);
    sim_market_seek (a, 1000);
    sim_market_seek (b, 1000);
    sim_market_seek (c, 1000);
    for (int i = 0; i < N_ASSETS; i++) {
        assert_true (sim_market_log_price (a, i) == sim_market_log_price (b, i));
        assert_true (sim_market_log_price (a, i) != sim_market_log_price (c, i));
    }
    //  step 0 is the configured price
    sim_market_seek (a, 0);
    assert_true (fabs (sim_market_price (a, 0) - 60000) < 1e-9);
    sim_market_destroy (&a);
    sim_market_destroy (&b);
    sim_market_destroy (&c);
    free (c1);
    free (c2);
    free (c3);
}

//  market.script: the path with the script is the path without it times
//  the scripted factor, at every step, stepped or sought; a segment of one
//  asset leaves the others alone
static void
test_script (void **state)
{
    (void) state;
    hb_config_t *plain_cfg = s_config (3);
    sim_market_t *plain = s_market (plain_cfg);
    hb_config_t *config = s_config (3);
    s_market_cfg.n_script = 2;
    s_market_cfg.script [0] = (sim_script_t) { .at_s = 10, .over_s = 20, .move = log1p (0.25), .asset = -1 };
    s_market_cfg.script [1] = (sim_script_t) { .at_s = 50, .over_s = 0, .move = log1p (-0.10), .asset = 1 };
    sim_market_t *scripted = s_market (config);
    sim_market_t *sought = s_market (config);
    for (uint64_t k = 1; k <= 700; k++) {       //  70 s of 100 ms steps
        sim_market_step (plain);
        sim_market_step (scripted);
        double t = k * 0.1;
        double rally = t <= 10 ? 0 : t >= 30 ? log1p (0.25) : log1p (0.25) * (t - 10) / 20;
        for (int i = 0; i < N_ASSETS; i++) {
            double want = rally + (i == 1 && t > 50 ? log1p (-0.10) : 0);
            double got = sim_market_log_price (scripted, i) - sim_market_log_price (plain, i);
            if (fabs (got - want) > 1e-9)
                fail_msg ("step %lu asset %d: scripted part %.12f, want %.12f", (unsigned long) k, i, got, want);
            assert_true (fabs (log (sim_market_scripted (scripted, i, t)) - want) < 1e-12);
        }
    }
    //  the same bits by a seek (a venue started late)
    sim_market_seek (sought, 700);
    for (int i = 0; i < N_ASSETS; i++)
        assert_true (sim_market_log_price (sought, i) == sim_market_log_price (scripted, i));
    //  25 % up at the end of the rally, on top of the random path
    assert_true (fabs (sim_market_price (scripted, 0) / sim_market_price (plain, 0) - 1.25) < 1e-9);
    sim_market_destroy (&plain);
    sim_market_destroy (&scripted);
    sim_market_destroy (&sought);
    free (plain_cfg);
    free (config);
}

static void
test_bad_config (void **state)
{
    (void) state;
    char err [256] = "";
    hb_config_t *config = s_config (1);
    s_market_cfg.corr [0][1] = s_market_cfg.corr [1][0] = 1.5;     //  not PSD
    assert_null (sim_market_new (config, &s_market_cfg, err, sizeof err));
    assert_non_null (strstr (err, "market.corr"));
    s_market_cfg.corr [0][1] = s_market_cfg.corr [1][0] = 0.8;
    s_market_cfg.step_ms = 0;
    assert_null (sim_market_new (config, &s_market_cfg, err, sizeof err));
    assert_non_null (strstr (err, "step_ms"));
    s_market_cfg.step_ms = 100;
    s_market_cfg.present = false;
    assert_null (sim_market_new (config, &s_market_cfg, err, sizeof err));
    assert_non_null (strstr (err, "market"));
    hb_config_destroy (&config);
}

//  market.vol_surface: the level moves against the price (spot_corr),
//  the same after a fast-forward as step by step, and the surface quotes
//  the skew; an asset without a surface gives the fallback
static void
test_vol_surface (void **state)
{
    (void) state;
    hb_config_t *config = s_config (21);
    s_market_cfg.vol_present = true;
    s_market_cfg.vol [0] = (sim_vol_asset_t) { .present = true, .level = 0.6, .reversion = 4,
                                               .vol_of_vol = 1.5, .spot_corr = -0.7, .skew = -0.2,
                                               .smile = 0.3, .term = -0.1 };
    s_market_cfg.vol_shocks [0] = (sim_vol_shock_t) { .at_s = 3600, .asset = 0, .factor = 2 };
    s_market_cfg.n_vol_shocks = 1;
    sim_market_t *a = s_market (config);
    sim_market_t *b = s_market (config);
    double sxy = 0, sxx = 0, syy = 0;
    const uint64_t k = 30000;       //  50 minutes of 100 ms steps: before the shock
    for (uint64_t i = 0; i < k; i++) {
        double x0 = sim_market_log_price (a, 0), v0 = log (sim_market_vol_level (a, 0));
        sim_market_step (a);
        double dx = sim_market_log_price (a, 0) - x0, dv = log (sim_market_vol_level (a, 0)) - v0;
        sxy += dx * dv;
        sxx += dx * dx;
        syy += dv * dv;
    }
    double corr = sxy / sqrt (sxx * syy);
    print_message ("price / vol-level correlation %.3f (spot_corr -0.7; jumps none)\n", corr);
    assert_true (corr < -0.65 && corr > -0.75);
    sim_market_seek (b, k);
    assert_true (sim_market_vol_level (a, 0) == sim_market_vol_level (b, 0));
    //  the shock at one hour (it never fades) doubles the level within a step
    sim_market_seek (b, 35999);
    double before = sim_market_vol_level (b, 0);
    sim_market_step (b);
    assert_true (fabs (sim_market_vol_level (b, 0) / before - 2) < 0.01);
    //  the skew: a put strike 10 % down quotes above a call 10 % up
    double f = sim_market_price (b, 0);
    assert_true (sim_market_iv (b, 0, 0.9 * f, f, 30, -1) > sim_market_iv (b, 0, 1.1 * f, f, 30, -1));
    assert_true (sim_market_iv (b, 1, f, f, 30, 0.42) == 0.42);
    assert_true (sim_market_vol_level (b, 1) == 0);
    sim_market_destroy (&a);
    sim_market_destroy (&b);
    free (config);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_vols_and_correlations),
        cmocka_unit_test (test_jumps),
        cmocka_unit_test (test_fast_forward),
        cmocka_unit_test (test_vol_surface),
        cmocka_unit_test (test_blocks),
        cmocka_unit_test (test_seeds),
        cmocka_unit_test (test_script),
        cmocka_unit_test (test_bad_config),
    };
    return cmocka_run_group_tests_name ("sim_market", tests, NULL, NULL);
}
