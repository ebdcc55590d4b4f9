/*  hb_ewma tests: the recursion worked by hand (seeding, decay, missing
    assets, a late joiner), PSD kept under random gaps, vols and their
    annualization, bad arguments. numpy comparisons: hb_risk_ref_test.     */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>

#include "hb_ewma.h"
#include "hb_linalg.h"
#include "hb_risk_testing.h"

#define assert_near(a, b, tol) do {                                         \
    double a_ = (a), b_ = (b);                                              \
    if (!(fabs (a_ - b_) <= (tol)))                                         \
        fail_msg ("%s = %.17g, expected %.17g", #a, a_, b_);                \
} while (0)

static void
test_recursion_by_hand (void **state)
{
    (void) state;
    hb_ewma_t *ewma = hb_ewma_new (2, 0.9);
    assert_non_null (ewma);
    double r1 [2] = {0.01, -0.02}, r2 [2] = {0.02, 0.01};
    hb_ewma_update (ewma, r1, NULL);
    //  seeded with r1 r1ᵀ, not (1 - lambda) r1 r1ᵀ
    assert_near (hb_ewma_covariance (ewma, 0, 0), 1e-4, 1e-18);
    assert_near (hb_ewma_covariance (ewma, 0, 1), -2e-4, 1e-18);
    assert_near (hb_ewma_covariance (ewma, 1, 1), 4e-4, 1e-18);
    assert_near (hb_ewma_corr (ewma, 0, 1), -1.0, 1e-12);
    hb_ewma_update (ewma, r2, NULL);
    assert_near (hb_ewma_covariance (ewma, 0, 0), 0.9e-4 + 0.1 * 4e-4, 1e-18);
    assert_near (hb_ewma_covariance (ewma, 1, 0), 0.9 * -2e-4 + 0.1 * 2e-4, 1e-18);
    assert_near (hb_ewma_covariance (ewma, 1, 1), 0.9 * 4e-4 + 0.1 * 1e-4, 1e-18);
    assert_near (hb_ewma_corr (ewma, 0, 1), -1.6e-4 / sqrt (1.3e-4 * 3.7e-4), 1e-12);
    assert_near (hb_ewma_vol (ewma, 1), sqrt (3.7e-4), 1e-15);
    //  asset 1 missing: its variance frozen, the covariance decays
    double r3 [2] = {0.03, 123.0};
    bool present [2] = {true, false};
    assert_int_equal (hb_ewma_update (ewma, r3, present), 0);
    assert_near (hb_ewma_covariance (ewma, 0, 0), 0.9 * 1.3e-4 + 0.1 * 9e-4, 1e-18);
    assert_near (hb_ewma_covariance (ewma, 0, 1), 0.9 * -1.6e-4, 1e-18);
    assert_near (hb_ewma_covariance (ewma, 1, 1), 3.7e-4, 1e-18);
    assert_int_equal (hb_ewma_samples (ewma), 3);
    assert_int_equal (hb_ewma_observations (ewma, 0), 3);
    assert_int_equal (hb_ewma_observations (ewma, 1), 2);
    hb_ewma_reset (ewma);
    assert_int_equal (hb_ewma_samples (ewma), 0);
    assert_near (hb_ewma_covariance (ewma, 0, 0), 0.0, 0);
    hb_ewma_update (ewma, r2, NULL);
    assert_near (hb_ewma_covariance (ewma, 0, 1), 2e-4, 1e-18);     //  seeded again
    hb_ewma_destroy (&ewma);
    assert_null (ewma);
    hb_ewma_destroy (&ewma);
}

static void
test_late_joiner (void **state)
{
    (void) state;
    hb_ewma_t *ewma = hb_ewma_new (3, 0.9);
    double r1 [3] = {0.01, 0.02, NAN}, r2 [3] = {0.01, 0.01, 0.03};
    bool present [3] = {true, true, false};
    assert_int_equal (hb_ewma_update (ewma, r1, present), 0);
    assert_int_equal (hb_ewma_observations (ewma, 2), 0);
    assert_near (hb_ewma_covariance (ewma, 2, 2), 0.0, 0);
    assert_int_equal (hb_ewma_update (ewma, r2, NULL), 0);
    //  seeded alone: r² and no cross terms yet
    assert_near (hb_ewma_covariance (ewma, 2, 2), 9e-4, 1e-18);
    assert_near (hb_ewma_covariance (ewma, 0, 2), 0.0, 0);
    assert_near (hb_ewma_covariance (ewma, 1, 2), 0.0, 0);
    assert_near (hb_ewma_covariance (ewma, 0, 0), 1e-4, 1e-18);
    assert_near (hb_ewma_covariance (ewma, 0, 1), 0.9 * 2e-4 + 0.1 * 1e-4, 1e-18);
    //  a NaN marked present is refused and treated as missing
    double r3 [3] = {0.01, NAN, 0.01};
    assert_int_equal (hb_ewma_update (ewma, r3, NULL), -1);
    assert_near (hb_ewma_covariance (ewma, 1, 1), 0.9 * 4e-4 + 0.1 * 1e-4, 1e-18);
    assert_int_equal (hb_ewma_observations (ewma, 1), 2);
    assert_int_equal (hb_ewma_observations (ewma, 2), 2);
    hb_ewma_destroy (&ewma);
}

//  Two perfectly correlated assets and one independent, each missing in a
//  random third of the samples: freezing a stale row instead of decaying
//  the cross terms would make S indefinite here; the chosen rule must keep
//  it PSD (Cholesky succeeds) every time.
static void
test_psd_under_gaps (void **state)
{
    (void) state;
    hb_ewma_t *ewma = hb_ewma_new (3, 0.8);
    uint64_t seed = 42;
    double l [9];
    for (int t = 0; t < 400; t++) {
        double x = hb_risk_testing_uniform (&seed) - 0.5, y = hb_risk_testing_uniform (&seed) - 0.5;
        double r [3] = {0.01 * x, 0.01 * x, 0.02 * y};
        bool present [3];
        for (int i = 0; i < 3; i++)
            present [i] = t == 0 || hb_risk_testing_uniform (&seed) > 0.33;
        hb_ewma_update (ewma, r, present);
        int bad = -1;
        if (hb_cholesky_psd (hb_ewma_cov (ewma), l, 3, 3, 1e-15, &bad) != 0)
            fail_msg ("S not PSD after sample %d (row %d)", t, bad);
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
                assert_true (fabs (hb_ewma_corr (ewma, i, j)) <= 1.0);
    }
    hb_ewma_destroy (&ewma);
}

static void
test_vols_and_args (void **state)
{
    (void) state;
    assert_null (hb_ewma_new (0, 0.94));
    assert_null (hb_ewma_new (HB_EWMA_MAX_ASSETS + 1, 0.94));
    assert_null (hb_ewma_new (2, 1.0));
    assert_null (hb_ewma_new (2, 0.0));
    assert_null (hb_ewma_new (2, NAN));
    hb_ewma_t *ewma = hb_ewma_new (2, 0.94);
    assert_near (hb_ewma_lambda (ewma), 0.94, 0);
    assert_int_equal (hb_ewma_size (ewma), 2);
    double r [2] = {0.01, 0.0};
    hb_ewma_update (ewma, r, NULL);
    assert_near (hb_ewma_vol (ewma, 0), 0.01, 1e-15);
    //  one-second samples: sqrt (365 * 86400) = 5615.69 periods^½ a year
    assert_near (hb_ewma_vol_annual (ewma, 0, 1.0), 0.01 * 5615.6922, 1e-4);
    assert_near (hb_ewma_vol_annual (ewma, 0, 86400.0), 0.01 * sqrt (365.0), 1e-12);
    assert_near (hb_ewma_vol_annual (ewma, 0, 0.0), 0.0, 0);
    //  a constant price: correlation undefined, reported 0
    assert_near (hb_ewma_corr (ewma, 0, 1), 0.0, 0);
    assert_near (hb_ewma_corr (ewma, 1, 1), 0.0, 0);
    assert_near (hb_ewma_corr (ewma, 0, 0), 1.0, 0);
    double corr [4];
    hb_ewma_corr_matrix (ewma, corr);
    assert_near (corr [0], 1.0, 0);
    assert_near (corr [1], 0.0, 0);
    //  RiskMetrics' 0.94 halves a weight in about 11.2 samples
    assert_near (hb_ewma_half_life (0.94), 11.2023, 1e-4);
    hb_ewma_destroy (&ewma);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_recursion_by_hand),
        cmocka_unit_test (test_late_joiner),
        cmocka_unit_test (test_psd_under_gaps),
        cmocka_unit_test (test_vols_and_args),
    };
    return cmocka_run_group_tests_name ("hb_ewma", tests, NULL, NULL);
}
