/*  The risk math against numpy: EWMA (two lambdas), correlations, vols,
    hedge plans and VaR contributions for the fixed data set of
    tests/data/risk/, whose reference values were computed by
    tests/data/risk/make_reference.py (see its docstring for how).         */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hb_ewma.h"
#include "hb_hedge.h"
#include "hb_prices.h"
#include "hb_var.h"

#define DATA        "tests/data/risk/"
#define MAX_KEYS    512

static struct { char key [64]; double value; } s_ref [MAX_KEYS];
static int s_ref_count;

static int
s_load_reference (void **state)
{
    (void) state;
    FILE *file = fopen (DATA "reference.txt", "r");
    if (!file)
        return -1;
    char line [256];
    while (fgets (line, sizeof line, file) && s_ref_count < MAX_KEYS) {
        if (line [0] == '#')
            continue;
        if (sscanf (line, "%63s %lf", s_ref [s_ref_count].key, &s_ref [s_ref_count].value) == 2)
            s_ref_count++;
    }
    fclose (file);
    return s_ref_count > 100? 0: -1;
}

static double
s_ref_get (const char *format, ...)
{
    char key [64];
    va_list args;
    va_start (args, format);
    vsnprintf (key, sizeof key, format, args);
    va_end (args);
    for (int i = 0; i < s_ref_count; i++)
        if (strcmp (s_ref [i].key, key) == 0)
            return s_ref [i].value;
    fail_msg ("reference key %s missing", key);
    return NAN;
}

//  Relative closeness, with an absolute floor for values near zero
#define assert_close(got, want, rel, floor) do {                            \
    double g_ = (got), w_ = (want);                                         \
    if (!(fabs (g_ - w_) <= (rel) * fabs (w_) + (floor)))                   \
        fail_msg ("%s = %.17g, numpy %.17g", #got, g_, w_);                 \
} while (0)

static double *
s_returns (hb_prices_t **prices_p, int *t_count)
{
    *prices_p = hb_prices_load (DATA "prices.csv", NULL, 0);
    assert_non_null (*prices_p);
    assert_int_equal (hb_prices_assets (*prices_p), 4);
    *t_count = hb_prices_rows (*prices_p) - 1;
    assert_int_equal (*t_count, (int) s_ref_get ("n_returns"));
    double *r = calloc ((size_t) *t_count * 4, sizeof *r);
    hb_prices_log_returns (*prices_p, r);
    return r;
}

static void
s_check_ewma (double lambda, const char *key)
{
    hb_prices_t *prices;
    int t_count;
    double *r = s_returns (&prices, &t_count);
    hb_ewma_t *ewma = hb_ewma_new (4, lambda);
    assert_non_null (ewma);
    for (int t = 0; t < t_count; t++)
        assert_int_equal (hb_ewma_update (ewma, r + t * 4, NULL), 0);
    assert_int_equal (hb_ewma_samples (ewma), t_count);
    for (int i = 0; i < 4; i++) {
        assert_close (hb_ewma_vol (ewma, i), s_ref_get ("%s.vol.%d", key, i), 1e-12, 0);
        for (int j = 0; j < 4; j++) {
            assert_close (hb_ewma_covariance (ewma, i, j), s_ref_get ("%s.cov.%d.%d", key, i, j), 1e-11, 1e-18);
            assert_close (hb_ewma_corr (ewma, i, j), s_ref_get ("%s.corr.%d.%d", key, i, j), 1e-11, 1e-14);
        }
    }
    hb_ewma_destroy (&ewma);
    hb_prices_destroy (&prices);
    free (r);
}

static void
test_ewma_vs_numpy (void **state)
{
    (void) state;
    s_check_ewma (0.94, "ewma");
    s_check_ewma (0.97, "ewma97");
}

static void
s_check_plan (const char *key, int n)
{
    hb_prices_t *prices;
    int t_count;
    double *r = s_returns (&prices, &t_count);
    hb_ewma_t *ewma = hb_ewma_new (4, 0.94);
    for (int t = 0; t < t_count; t++)
        hb_ewma_update (ewma, r + t * 4, NULL);
    double e [4], h [4], res [4];
    bool hedgeable [4] = {false, true, true, false};
    for (int i = 0; i < n; i++)
        e [i] = s_ref_get ("%s.exposure.%d", key, i);
    hb_hedge_t *plan = hb_hedge_new (n);
    hb_hedge_result_t result;
    //  the leading n x n block of the 4 x 4 matrix, stride 4
    assert_int_equal (hb_hedge_plan (plan, hb_ewma_cov (ewma), 4, e, hedgeable, h, res, &result), 0);
    for (int i = 0; i < n; i++) {
        assert_close (h [i], s_ref_get ("%s.hedge.%d", key, i), 1e-9, 1e-6);
        assert_close (res [i], s_ref_get ("%s.residual.%d", key, i), 1e-9, 1e-6);
    }
    assert_close (result.unhedged_sigma, s_ref_get ("%s.unhedged_sigma", key), 1e-11, 0);
    assert_close (result.residual_sigma, s_ref_get ("%s.residual_sigma", key), 1e-9, 0);
    assert_close (result.effectiveness, s_ref_get ("%s.effectiveness", key), 1e-9, 0);
    assert_true (result.ridge == 0.0);
    assert_int_equal (result.hedged, 2);
    hb_hedge_destroy (&plan);
    hb_ewma_destroy (&ewma);
    hb_prices_destroy (&prices);
    free (r);
}

static void
test_plans_vs_numpy (void **state)
{
    (void) state;
    s_check_plan ("plan3", 3);
    s_check_plan ("plan4", 4);
}

static void
test_var_vs_python (void **state)
{
    (void) state;
    hb_prices_t *prices;
    int t_count;
    double *r = s_returns (&prices, &t_count);
    hb_ewma_t *ewma = hb_ewma_new (4, 0.94);
    for (int t = 0; t < t_count; t++)
        hb_ewma_update (ewma, r + t * 4, NULL);
    double e [4], c [4], var;
    for (int i = 0; i < 4; i++)
        e [i] = s_ref_get ("plan4.exposure.%d", i);
    const double *cov = hb_ewma_cov (ewma);
    assert_close (hb_var_z (0.99), s_ref_get ("var.z99"), 1e-13, 0);
    assert_close (hb_var_sigma (cov, 4, 4, e), s_ref_get ("var.sigma"), 1e-12, 0);
    assert_int_equal (hb_var_parametric (cov, 4, 4, e, 0.99, 10, &var), 0);
    assert_close (var, s_ref_get ("var.var99_h10"), 1e-12, 0);
    assert_int_equal (hb_var_stress (cov, 4, 4, e, 0.95, 0.99, 10, &var), 0);
    assert_close (var, s_ref_get ("var.stress95_var99_h10"), 1e-12, 0);
    assert_close (hb_var_contributions (cov, 4, 4, e, c), s_ref_get ("var.sigma"), 1e-12, 0);
    for (int i = 0; i < 4; i++)
        assert_close (c [i], s_ref_get ("var.contrib.%d", i), 1e-11, 0);
    hb_ewma_destroy (&ewma);
    hb_prices_destroy (&prices);
    free (r);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_ewma_vs_numpy),
        cmocka_unit_test (test_plans_vs_numpy),
        cmocka_unit_test (test_var_vs_python),
    };
    return cmocka_run_group_tests_name ("hb_risk_ref", tests, s_load_reference, NULL);
}
