/*  hb_var tests: normal quantiles against published values, VaR, stress
    VaR and Euler contributions worked by hand, bad arguments.             */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>

#include "hb_bs.h"
#include "hb_var.h"

#define assert_near(a, b, tol) do {                                         \
    double a_ = (a), b_ = (b);                                              \
    if (!(fabs (a_ - b_) <= (tol)))                                         \
        fail_msg ("%s = %.17g, expected %.17g (tol %g)", #a, a_, b_, (double) (tol)); \
} while (0)

static void
test_quantiles (void **state)
{
    (void) state;
    assert_near (hb_var_z (0.95), 1.6448536269514722, 1e-13);
    assert_near (hb_var_z (0.975), 1.959963984540054, 1e-13);
    assert_near (hb_var_z (0.99), 2.3263478740408408, 1e-13);
    assert_near (hb_var_z (0.5), 0.0, 1e-15);
    assert_near (hb_var_z (0.01), -2.3263478740408408, 1e-13);
    assert_near (hb_var_z (1e-10), -6.3613409024040557, 1e-9);
    //  round trip across both tails and the centre
    for (double p = 1e-12; p < 1.0; p = p < 0.01? p * 10: p + 0.01)
        assert_near (hb_norm_cdf (hb_var_z (p)), p, 1e-14 + 1e-10 * p);
    assert_near (hb_var_z (0.0), 0.0, 0);
    assert_near (hb_var_z (1.0), 0.0, 0);
    assert_near (hb_var_z (NAN), 0.0, 0);
}

//  σ = (2 %, 1 %), ρ = 0.5, e = (1 M, -2 M) USD. By hand:
//  σp² = (20,000)² + (20,000)² - 2 (20,000)(20,000)(0.5) = 4e8, σp = 20,000.
//  VaR 99 % over 4 periods = 2.32634787 · 20,000 · 2 = 93,053.91.
//  Stressed to ρ = 1 the two legs cancel (0); to ρ = 0, σ = 28,284.27.
//  Σe = (200, -100), contributions e_i (Σe)_i / σp = (10,000, 10,000).
static void
test_var_by_hand (void **state)
{
    (void) state;
    double cov [2][2] = {{4e-4, 1e-4}, {1e-4, 1e-4}};
    double e [2] = {1e6, -2e6}, var, c [2];
    assert_near (hb_var_sigma (&cov [0][0], 2, 2, e), 20000, 1e-8);
    assert_int_equal (hb_var_parametric (&cov [0][0], 2, 2, e, 0.99, 4, &var), 0);
    assert_near (var, 93053.914961633632, 1e-6);
    assert_int_equal (hb_var_stress (&cov [0][0], 2, 2, e, 1.0, 0.99, 4, &var), 0);
    assert_near (var, 0.0, 1e-6);
    assert_int_equal (hb_var_stress (&cov [0][0], 2, 2, e, 0.0, 0.99, 1, &var), 0);
    assert_near (var, 2.3263478740408408 * sqrt (8e8), 1e-6);
    //  ρ = 0.5 is the matrix's own: stress equals the plain VaR
    assert_int_equal (hb_var_stress (&cov [0][0], 2, 2, e, 0.5, 0.99, 4, &var), 0);
    assert_near (var, 93053.914961633632, 1e-6);
    //  ρ = -1 here doubles the risk: σ = 40,000
    assert_int_equal (hb_var_stress (&cov [0][0], 2, 2, e, -1.0, 0.95, 1, &var), 0);
    assert_near (var, 1.6448536269514722 * 40000, 1e-6);
    assert_near (hb_var_contributions (&cov [0][0], 2, 2, e, c), 20000, 1e-8);
    assert_near (c [0], 10000, 1e-8);
    assert_near (c [1], 10000, 1e-8);
    double zero [2] = {0, 0};
    assert_near (hb_var_contributions (&cov [0][0], 2, 2, zero, c), 0, 0);
    assert_near (c [0], 0, 0);
    //  refused
    assert_int_equal (hb_var_parametric (&cov [0][0], 2, 2, e, 1.0, 1, &var), -1);
    assert_int_equal (hb_var_parametric (&cov [0][0], 2, 2, e, 0.4, 1, &var), -1);
    assert_int_equal (hb_var_parametric (&cov [0][0], 2, 2, e, 0.99, 0, &var), -1);
    assert_int_equal (hb_var_stress (&cov [0][0], 2, 2, e, 1.5, 0.99, 1, &var), -1);
    assert_int_equal (hb_var_stress (&cov [0][0], 2, 2, e, NAN, 0.99, 1, &var), -1);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_quantiles),
        cmocka_unit_test (test_var_by_hand),
    };
    return cmocka_run_group_tests_name ("hb_var", tests, NULL, NULL);
}
