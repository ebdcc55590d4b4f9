/*  hb_bs tests: textbook values (Hull), put-call parity, every greek against
    a central finite difference of the price, and the edge cases.           */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <stdbool.h>
#include "hb_bs.h"

#define assert_near(a, b, tol) do {                                         \
    double a_ = (a), b_ = (b);                                              \
    if (!(fabs (a_ - b_) <= (tol)))                                         \
        fail_msg ("%s = %.10g, expected %.10g (tol %g)", #a, a_, b_, (double) (tol)); \
} while (0)

//  Hull, Options Futures and Other Derivatives, example 15.6 (13.6 in older
//  editions): S = 42, K = 40, r = 10 %, sigma = 20 %, T = 0.5.
static void
test_hull_bs (void **state)
{
    (void) state;
    hb_greeks_t call, put;
    assert_int_equal (hb_bs (true, 42, 40, 0.5, 0.10, 0, 0.20, &call), 0);
    assert_int_equal (hb_bs (false, 42, 40, 0.5, 0.10, 0, 0.20, &put), 0);
    assert_near (call.price, 4.7594, 5e-5);
    assert_near (put.price, 0.8086, 5e-5);
    //  Hull's greeks for the same call: delta N(d1) = 0.7791
    assert_near (call.delta, 0.7791, 5e-5);
    assert_near (hb_bs_price (true, 42, 40, 0.5, 0.10, 0, 0.20), call.price, 1e-12);
}

//  Hull example 18.x (Black's model for futures options): F = 20, K = 20,
//  r = 9 %, sigma = 25 %, T = 4 months: put 1.1166 (Hull rounds to 1.12).
static void
test_hull_black76 (void **state)
{
    (void) state;
    hb_greeks_t put, call;
    assert_int_equal (hb_black76 (false, 20, 20, 4.0 / 12, 0.09, 0.25, &put), 0);
    assert_int_equal (hb_black76 (true, 20, 20, 4.0 / 12, 0.09, 0.25, &call), 0);
    assert_near (put.price, 1.1166, 5e-5);
    //  at the money forward: call = put
    assert_near (call.price, put.price, 1e-12);
}

static void
test_put_call_parity (void **state)
{
    (void) state;
    const double spots [] = { 50, 95, 100, 130, 400 };
    for (size_t i = 0; i < sizeof spots / sizeof spots [0]; i++) {
        double s = spots [i], k = 100, t = 0.75, r = 0.03, q = 0.01, v = 0.6;
        hb_greeks_t c, p;
        hb_bs (true, s, k, t, r, q, v, &c);
        hb_bs (false, s, k, t, r, q, v, &p);
        //  C - P = S e^-qT - K e^-rT
        assert_near (c.price - p.price, s * exp (-q * t) - k * exp (-r * t), 1e-9 * s);
        assert_near (c.delta - p.delta, exp (-q * t), 1e-12);
        assert_near (c.gamma, p.gamma, 1e-12);
        assert_near (c.vega, p.vega, 1e-9);
        hb_black76 (true, s, k, t, r, v, &c);
        hb_black76 (false, s, k, t, r, v, &p);
        assert_near (c.price - p.price, exp (-r * t) * (s - k), 1e-9 * s);
    }
}

typedef double (price_fn) (bool call, const double *x);

//  x = { s, k, t, r, q, sigma }
static double
s_bs (bool call, const double *x)
{
    hb_greeks_t g;
    hb_bs (call, x [0], x [1], x [2], x [3], x [4], x [5], &g);
    return g.price;
}

static double
s_b76 (bool call, const double *x)
{
    hb_greeks_t g;
    hb_black76 (call, x [0], x [1], x [2], x [3], x [5], &g);
    return g.price;
}

static double
s_diff (price_fn *fn, bool call, const double *x, int index, double h)
{
    double up [6], dn [6];
    for (int i = 0; i < 6; i++)
        up [i] = dn [i] = x [i];
    up [index] += h;
    dn [index] -= h;
    return (fn (call, up) - fn (call, dn)) / (2 * h);
}

static double
s_diff2 (price_fn *fn, bool call, const double *x, int index, double h)
{
    double up [6], dn [6];
    for (int i = 0; i < 6; i++)
        up [i] = dn [i] = x [i];
    up [index] += h;
    dn [index] -= h;
    return (fn (call, up) - 2 * fn (call, x) + fn (call, dn)) / (h * h);
}

//  Central differences have O(h^2) error; with h ~ 1e-4 of the variable the
//  agreement is better than 1e-5 relative, far tighter than any formula slip.
static void
s_check_greeks (price_fn *fn, bool call, const double *x, const hb_greeks_t *g)
{
    double scale = x [0];
    assert_near (g->price, fn (call, x), 1e-12);
    assert_near (g->delta, s_diff (fn, call, x, 0, 1e-4 * x [0]), 1e-6);
    assert_near (g->gamma, s_diff2 (fn, call, x, 0, 1e-3 * x [0]), 1e-4 * g->gamma + 1e-12);
    assert_near (g->vega, s_diff (fn, call, x, 5, 1e-5), 1e-5 * scale);
    assert_near (g->theta, -s_diff (fn, call, x, 2, 1e-5), 1e-5 * scale);
    assert_near (g->rho, s_diff (fn, call, x, 3, 1e-5), 1e-5 * scale);
}

static void
test_greeks_vs_finite_differences (void **state)
{
    (void) state;
    const double cases [][6] = {
        { 42, 40, 0.5, 0.10, 0.00, 0.20 },
        { 100, 120, 0.25, 0.02, 0.05, 0.80 },        //  crypto-like vol, carry
        { 3000, 2500, 1.0 / 12, 0.00, 0.00, 0.65 },
        { 60000, 70000, 2.0, 0.05, 0.01, 0.50 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases [0]; i++) {
        for (int call = 0; call < 2; call++) {
            const double *x = cases [i];
            hb_greeks_t g;
            assert_int_equal (hb_bs (call, x [0], x [1], x [2], x [3], x [4], x [5], &g), 0);
            s_check_greeks (s_bs, call, x, &g);
            assert_int_equal (hb_black76 (call, x [0], x [1], x [2], x [3], x [5], &g), 0);
            s_check_greeks (s_b76, call, x, &g);
        }
    }
}

static void
test_edges (void **state)
{
    (void) state;
    hb_greeks_t g;
    //  expired: intrinsic, delta a step, -1
    assert_int_equal (hb_bs (true, 110, 100, 0, 0.05, 0, 0.5, &g), -1);
    assert_near (g.price, 10, 1e-12);
    assert_near (g.delta, 1, 1e-12);
    assert_near (g.gamma, 0, 0);
    assert_int_equal (hb_bs (true, 90, 100, -1, 0.05, 0, 0.5, &g), -1);
    assert_near (g.price, 0, 0);
    assert_near (g.delta, 0, 0);
    assert_int_equal (hb_bs (false, 90, 100, 0, 0.05, 0, 0.5, &g), -1);
    assert_near (g.price, 10, 1e-12);
    assert_near (g.delta, -1, 1e-12);
    //  zero vol: discounted forward intrinsic
    assert_int_equal (hb_bs (true, 100, 100, 1, 0.05, 0, 0, &g), -1);
    assert_near (g.price, 100 - 100 * exp (-0.05), 1e-9);
    //  invalid input: -1 and all zeros, never NaN
    assert_int_equal (hb_bs (true, 0, 100, 1, 0, 0, 0.5, &g), -1);
    assert_near (g.price, 0, 0);
    assert_int_equal (hb_bs (true, 100, NAN, 1, 0, 0, 0.5, &g), -1);
    assert_true (g.price == 0 && g.delta == 0 && g.vega == 0);
    assert_int_equal (hb_black76 (true, 100, 100, INFINITY, 0, 0.5, &g), -1);
    assert_true (isfinite (g.price) && isfinite (g.rho));
    //  extreme but valid: finite everywhere
    const double vols [] = { 1e-9, 1e-4, 5.0 };
    const double ts [] = { 1e-12, 1e-6, 50 };
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) {
            assert_int_equal (hb_bs (false, 1e-3, 1e6, ts [j], 0.05, 0, vols [i], &g), 0);
            assert_true (isfinite (g.price) && isfinite (g.delta) && isfinite (g.gamma)
                      && isfinite (g.vega) && isfinite (g.theta) && isfinite (g.rho));
            assert_true (g.price >= 0);
        }
}

static void
test_norm (void **state)
{
    (void) state;
    assert_near (hb_norm_cdf (0), 0.5, 1e-15);
    assert_near (hb_norm_cdf (1.959963984540054), 0.975, 1e-12);
    assert_near (hb_norm_cdf (-1.959963984540054), 0.025, 1e-12);
    //  erfc keeps the tail: relative precision far out
    assert_near (hb_norm_cdf (-10) / 7.61985302416047e-24, 1, 1e-9);
    assert_near (hb_norm_pdf (0), 0.3989422804014327, 1e-15);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_hull_bs),
        cmocka_unit_test (test_hull_black76),
        cmocka_unit_test (test_put_call_parity),
        cmocka_unit_test (test_greeks_vs_finite_differences),
        cmocka_unit_test (test_edges),
        cmocka_unit_test (test_norm),
    };
    return cmocka_run_group_tests_name ("hb_bs", tests, NULL, NULL);
}
