/*  hb_hedge tests: the two-asset proxy hedge worked by hand, direct hedges,
    the ridge on a singular Σ_HH, degenerate inputs, and a simulated path on
    which the live estimate-then-hedge loop must remove about ρ² of the
    variance. Three/four-asset plans against numpy: hb_risk_ref_test.      */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>

#include "hb_ewma.h"
#include "hb_hedge.h"

#define assert_near(a, b, tol) do {                                         \
    double a_ = (a), b_ = (b);                                              \
    if (!(fabs (a_ - b_) <= (tol)))                                         \
        fail_msg ("%s = %.17g, expected %.17g (tol %g)", #a, a_, b_, (double) (tol)); \
} while (0)

//  σa = 2 %, σb = 1 %, ρ = 0.8; 1 M USD of a, only b tradable. By hand:
//  h_b = -ρ σa/σb e_a = -1.6 M, residual σ = e_a σa sqrt (1 - ρ²) = 12,000,
//  unhedged σ = 20,000, effectiveness ρ² = 0.64.
static void
test_two_assets_by_hand (void **state)
{
    (void) state;
    double cov [2][2] = {{4e-4, 0.8 * 0.02 * 0.01}, {0.8 * 0.02 * 0.01, 1e-4}};
    double e [2] = {1e6, 0}, h [2], res [2];
    bool hedgeable [2] = {false, true};
    hb_hedge_t *plan = hb_hedge_new (2);
    assert_non_null (plan);
    hb_hedge_result_t result;
    assert_int_equal (hb_hedge_plan (plan, &cov [0][0], 2, e, hedgeable, h, res, &result), 0);
    assert_near (h [0], 0.0, 0);
    assert_near (h [1], -1.6e6, 1e-6);
    assert_near (res [0], 1e6, 0);
    assert_near (res [1], -1.6e6, 1e-6);
    assert_near (result.unhedged_sigma, 20000, 1e-8);
    assert_near (result.residual_sigma, 12000, 1e-6);
    assert_near (result.effectiveness, 0.64, 1e-12);
    assert_near (result.ridge, 0.0, 0);
    assert_int_equal (result.hedged, 1);
    //  both tradable: each hedged by itself, 1:1, nothing left
    bool both [2] = {true, true};
    double e2 [2] = {1e6, -3e5};
    assert_int_equal (hb_hedge_plan (plan, &cov [0][0], 2, e2, both, h, res, &result), 0);
    assert_near (h [0], -1e6, 0);
    assert_near (h [1], 3e5, 0);
    assert_near (res [0], 0.0, 0);
    assert_near (result.residual_sigma, 0.0, 0);
    assert_near (result.effectiveness, 1.0, 0);
    //  nothing tradable: no hedge, all risk left
    bool none [2] = {false, false};
    assert_int_equal (hb_hedge_plan (plan, &cov [0][0], 2, e, none, h, NULL, &result), 0);
    assert_near (h [1], 0.0, 0);
    assert_near (result.residual_sigma, 20000, 1e-8);
    assert_near (result.effectiveness, 0.0, 0);
    hb_hedge_destroy (&plan);
    assert_null (plan);
    hb_hedge_destroy (&plan);
    assert_null (hb_hedge_new (0));
}

//  a and b perfectly correlated with equal vols (Σ_HH singular), c at
//  ρ = 0.5 with both, only c not tradable. Any split of the proxy between a
//  and b is optimal; the ridge picks the symmetric one. The direct hedge of
//  a's own exposure must stay exactly 1:1 under the ridge.
static void
test_singular_ridge (void **state)
{
    (void) state;
    double s = 0.01, sc = 0.03;
    double cov [3][3] = {{s * s, s * s, 0.5 * s * sc},
                         {s * s, s * s, 0.5 * s * sc},
                         {0.5 * s * sc, 0.5 * s * sc, sc * sc}};
    double e [3] = {1e5, 0, 1e6}, h [3], res [3];
    bool hedgeable [3] = {true, true, false};
    hb_hedge_t *plan = hb_hedge_new (3);
    hb_hedge_result_t result;
    assert_int_equal (hb_hedge_plan (plan, &cov [0][0], 3, e, hedgeable, h, res, &result), 0);
    assert_true (result.ridge > 0.0);
    assert_true (result.ridge <= 1e-2 * s * s);
    assert_near (h [2], 0.0, 0);
    //  the proxy: together -ρ σc/σa e_c = -1.5 M, split evenly
    assert_near (res [0] + res [1], -1.5e6, 1.5e6 * 1e-6);
    assert_near (res [0], res [1], 1.5e6 * 1e-6);
    //  residual var e_c² σc² (1 - ρ²) = 6.75e8; unhedged (1e5 σa)² +
    //  (1e6 σc)² + 2 1e5 1e6 ρ σa σc = 9.31e8
    assert_near (result.residual_sigma, sqrt (6.75e8), 1e-3);
    assert_near (result.effectiveness, 1 - 6.75e8 / 9.31e8, 1e-6);
    //  only a exposed: hedged by itself exactly, the ridge notwithstanding
    //  (a ridged solve of the whole h_H would shrink it)
    double e_a [3] = {1e5, 0, 0};
    assert_int_equal (hb_hedge_plan (plan, &cov [0][0], 3, e_a, hedgeable, h, res, &result), 0);
    assert_true (result.ridge > 0.0);
    assert_near (h [0], -1e5, 0);
    assert_near (h [1], 0, 0);
    assert_near (result.residual_sigma, 0, 0);
    //  hedge assets with zero variance: direct hedges only
    double flat [3][3] = {{0, 0, 0}, {0, 0, 0}, {0, 0, sc * sc}};
    assert_int_equal (hb_hedge_plan (plan, &flat [0][0], 3, e, hedgeable, h, res, &result), 0);
    assert_near (h [0], -1e5, 0);
    assert_near (h [1], 0, 0);
    assert_near (result.effectiveness, 0.0, 1e-15);
    //  not finite, and not PSD: refused
    double bad [3][3] = {{s * s, 2 * s * s, 0}, {2 * s * s, s * s, 0}, {0, 0, sc * sc}};
    assert_int_equal (hb_hedge_plan (plan, &bad [0][0], 3, e, hedgeable, h, res, &result), -1);
    assert_near (h [0], 0, 0);
    cov [1][1] = NAN;
    assert_int_equal (hb_hedge_plan (plan, &cov [0][0], 3, e, hedgeable, h, res, &result), -1);
    hb_hedge_destroy (&plan);
}

static uint64_t
s_next (uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

//  standard normal pair by Box-Muller
static void
s_normal2 (uint64_t *seed, double *z1, double *z2)
{
    double u1 = ((s_next (seed) >> 11) + 0.5) / 9007199254740992.0;
    double u2 = ((s_next (seed) >> 11) + 0.5) / 9007199254740992.0;
    double radius = sqrt (-2.0 * log (u1));
    *z1 = radius * cos (2.0 * M_PI * u2);
    *z2 = radius * sin (2.0 * M_PI * u2);
}

//  The live loop on a simulated path: returns with σa = 2 %, σb = 1 %,
//  ρ = 0.8; at each step the hedge of 1 M USD of a with b is planned from
//  the EWMA estimate (λ = 0.99) of the returns seen so far, then held over
//  the next return (out of sample). The variance of the hedged P&L must be
//  (1 - ρ²) of the unhedged one. Tolerance 0.03 on the reduction: the
//  sampling error of a variance ratio over 20,000 steps is about 0.005 and
//  the estimation noise of the ratio costs about (1 - ρ²)/200 = 0.002.
static void
test_simulated_proxy_hedge (void **state)
{
    (void) state;
    const double rho = 0.8, sa = 0.02, sb = 0.01;
    const int warmup = 500, steps = 20000;
    hb_ewma_t *ewma = hb_ewma_new (2, 0.99);
    hb_hedge_t *plan = hb_hedge_new (2);
    double e [2] = {1e6, 0}, h [2] = {0, 0};
    bool hedgeable [2] = {false, true};
    uint64_t seed = 20240611;
    double sum_u = 0, sum_uu = 0, sum_h = 0, sum_hh = 0;
    for (int t = 0; t < warmup + steps; t++) {
        double z1, z2;
        s_normal2 (&seed, &z1, &z2);
        double r [2] = {sa * z1, sb * (rho * z1 + sqrt (1 - rho * rho) * z2)};
        if (t >= warmup) {
            assert_int_equal (hb_hedge_plan (plan, hb_ewma_cov (ewma), 2, e, hedgeable, h, NULL, NULL), 0);
            double pnl_u = e [0] * r [0];
            double pnl_h = pnl_u + h [1] * r [1];
            sum_u += pnl_u;
            sum_uu += pnl_u * pnl_u;
            sum_h += pnl_h;
            sum_hh += pnl_h * pnl_h;
        }
        hb_ewma_update (ewma, r, NULL);
    }
    double var_u = sum_uu / steps - (sum_u / steps) * (sum_u / steps);
    double var_h = sum_hh / steps - (sum_h / steps) * (sum_h / steps);
    double reduction = 1.0 - var_h / var_u;
    assert_near (reduction, rho * rho, 0.03);
    //  and the last estimated ratio is near ρ σa/σb = 1.6 (EWMA noise)
    assert_near (-h [1] / e [0], 1.6, 0.25);
    hb_ewma_destroy (&ewma);
    hb_hedge_destroy (&plan);
}

//  hb_hedge_plan_same_cov gives the bits of a fresh plan: random exposures
//  and hedgeable sets over three covariances (well conditioned, singular:
//  the ridge path, zero variance on H), each plan compared with one from a
//  planner that never kept a factor
static void
test_same_cov_bits (void **state)
{
    (void) state;
    enum { n = 4 };
    double covs [3][n][n] = {
        {{4e-4, 1e-4, 5e-5, 0}, {1e-4, 2e-4, 3e-5, 1e-5}, {5e-5, 3e-5, 9e-4, 2e-4}, {0, 1e-5, 2e-4, 1e-4}},
        {{1e-4, 1e-4, 0, 0}, {1e-4, 1e-4, 0, 0}, {0, 0, 1e-4, 0}, {0, 0, 0, 1e-4}},
        {{0, 0, 0, 0}, {0, 0, 0, 0}, {0, 0, 4e-4, 0}, {0, 0, 0, 4e-4}},
    };
    hb_hedge_t *kept = hb_hedge_new (n);
    assert_non_null (kept);
    uint64_t rng = 12345;
    int reused = 0;
    for (int c = 0; c < 3; c++) {
        const double *cov = &covs [c][0][0];
        bool first = true;
        for (int k = 0; k < 400; k++) {
            double e [n], h1 [n], h2 [n], r1 [n], r2 [n];
            bool hedgeable [n];
            for (int i = 0; i < n; i++) {
                rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
                e [i] = ((double) (rng >> 11) / 9007199254740992.0 - 0.5) * 2e6;
                hedgeable [i] = (rng >> 7) % 3 != 0 && k % 50 != 49;
            }
            hb_hedge_result_t a, b;
            //  a new covariance is always planned fresh (the caller's rule)
            int rc1 = first ? hb_hedge_plan (kept, cov, n, e, hedgeable, h1, r1, &a)
                            : hb_hedge_plan_same_cov (kept, cov, n, e, hedgeable, h1, r1, &a);
            reused += !first;
            first = false;
            hb_hedge_t *fresh = hb_hedge_new (n);
            assert_non_null (fresh);
            int rc2 = hb_hedge_plan (fresh, cov, n, e, hedgeable, h2, r2, &b);
            hb_hedge_destroy (&fresh);
            assert_int_equal (rc1, rc2);
            assert_memory_equal (h1, h2, sizeof h1);
            assert_memory_equal (r1, r2, sizeof r1);
            //  field by field: the struct's padding is not a value
            assert_true (a.unhedged_sigma == b.unhedged_sigma && a.residual_sigma == b.residual_sigma
                      && a.effectiveness == b.effectiveness && a.ridge == b.ridge);
            assert_int_equal (a.hedged, b.hedged);
        }
    }
    assert_true (reused > 1000);
    hb_hedge_destroy (&kept);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_two_assets_by_hand),
        cmocka_unit_test (test_singular_ridge),
        cmocka_unit_test (test_simulated_proxy_hedge),
        cmocka_unit_test (test_same_cov_bits),
    };
    return cmocka_run_group_tests_name ("hb_hedge", tests, NULL, NULL);
}
