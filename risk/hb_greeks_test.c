/*  hb_greeks tests on hand-built options: a call and a put at known
    strikes and expiries, greeks from closed forms written here (erfc, not
    hb_bs) in the desk's units; buckets; the coin greeks of an inverse
    option checked against finite differences of V/s priced by hb_bs;
    bands breached or not.                                                 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <stdbool.h>

#include "hb_greeks.h"

#define S_REL   1e-9

static void
s_close (double got, double want, double rel)
{
    if (!(fabs (got - want) <= rel * fmax (1, fabs (want)))) {
        print_error ("got %.15g want %.15g\n", got, want);
        fail ();
    }
}

static double
s_ncdf (double x)
{
    return 0.5 * erfc (-x / sqrt (2));
}

static double
s_npdf (double x)
{
    return exp (-x * x / 2) / sqrt (2 * M_PI);
}

//  Black-Scholes, no yield: price, delta, gamma, vega (per 1.00), theta (per year)
static void
s_bs_ref (bool call, double s, double k, double t, double r, double v, double out [5])
{
    double d1 = (log (s / k) + (r + v * v / 2) * t) / (v * sqrt (t));
    double d2 = d1 - v * sqrt (t);
    double df = exp (-r * t);
    if (call) {
        out [0] = s * s_ncdf (d1) - k * df * s_ncdf (d2);
        out [1] = s_ncdf (d1);
        out [4] = -s * s_npdf (d1) * v / (2 * sqrt (t)) - r * k * df * s_ncdf (d2);
    }
    else {
        out [0] = k * df * s_ncdf (-d2) - s * s_ncdf (-d1);
        out [1] = s_ncdf (d1) - 1;
        out [4] = -s * s_npdf (d1) * v / (2 * sqrt (t)) + r * k * df * s_ncdf (-d2);
    }
    out [2] = s_npdf (d1) / (s * v * sqrt (t));
    out [3] = s * s_npdf (d1) * sqrt (t);
}

//  A BTC-like call and put: dollar gamma, vega per point and theta per day
//  of hb_bs's greeks equal the closed forms in desk units
static void
test_desk_units (void **state)
{
    (void) state;
    const double s = 60000, r = 0.03;
    struct { bool call; double k, days, vol; } opts [] = {
        { true, 80000, 200, 0.6 }, { false, 55000, 20, 0.8 }, { true, 60000, 3, 0.5 },
    };
    for (size_t i = 0; i < sizeof opts / sizeof opts [0]; i++) {
        double t = opts [i].days / 365, ref [5];
        s_bs_ref (opts [i].call, s, opts [i].k, t, r, opts [i].vol, ref);
        hb_greeks_t g;
        assert_int_equal (hb_bs (opts [i].call, s, opts [i].k, t, r, 0, opts [i].vol, &g), 0);
        s_close (g.price, ref [0], S_REL);
        s_close (hb_greeks_dollar_gamma (g.gamma, s), ref [2] * s * s / 100, S_REL);
        double up [5];
        s_bs_ref (opts [i].call, s * 1.0001, opts [i].k, t, r, opts [i].vol, up);
        double dn [5];
        s_bs_ref (opts [i].call, s * 0.9999, opts [i].k, t, r, opts [i].vol, dn);
        //  the delta (asset units) a 1 % move adds, in USD at today's price
        double per_pct = (up [1] - dn [1]) / 0.0002 * 0.01 * s;
        s_close (hb_greeks_dollar_gamma (g.gamma, s), per_pct, 1e-6);
        s_close (hb_greeks_vega_point (g.vega), ref [3] / 100, S_REL);
        s_close (hb_greeks_theta_day (g.theta), ref [4] / 365, S_REL);
    }
}

static void
test_buckets (void **state)
{
    (void) state;
    const int edges [] = { 7, 30, 90 };
    assert_int_equal (hb_greeks_bucket (-1, edges, 3), 0);
    assert_int_equal (hb_greeks_bucket (0.5, edges, 3), 0);
    assert_int_equal (hb_greeks_bucket (7, edges, 3), 0);
    assert_int_equal (hb_greeks_bucket (7.01, edges, 3), 1);
    assert_int_equal (hb_greeks_bucket (30, edges, 3), 1);
    assert_int_equal (hb_greeks_bucket (45, edges, 3), 2);
    assert_int_equal (hb_greeks_bucket (90.5, edges, 3), 3);
    assert_int_equal (hb_greeks_bucket (400, edges, 3), 3);
    assert_int_equal (hb_greeks_bucket (400, edges, 0), 0);
}

//  V/s priced by hb_bs at s x (1 +- h)
static double
s_coin_price (bool call, double s, double k, double t, double r, double v)
{
    return hb_bs_price (call, s, k, t, r, 0, v) / s;
}

static void
test_inverse (void **state)
{
    (void) state;
    const double s = 3000, r = 0.0, t = 60.0 / 365, v = 0.7;
    for (int call = 0; call < 2; call++) {
        double k = call ? 4000 : 2500;
        hb_greeks_t usd, coin;
        assert_int_equal (hb_bs (call, s, k, t, r, 0, v, &usd), 0);
        hb_greeks_coin (&usd, s, &coin);
        double h = s * 1e-4;
        double c0 = s_coin_price (call, s, k, t, r, v);
        double cu = s_coin_price (call, s + h, k, t, r, v);
        double cd = s_coin_price (call, s - h, k, t, r, v);
        s_close (coin.price, c0, S_REL);
        s_close (coin.delta, s * (cu - cd) / (2 * h), 1e-7);
        s_close (coin.gamma / fabs (coin.gamma), (cu - 2 * c0 + cd) / (h * h) / fabs (coin.gamma), 1e-4);
        double vu = s_coin_price (call, s, k, t, r, v + 1e-5), vd = s_coin_price (call, s, k, t, r, v - 1e-5);
        s_close (coin.vega, (vu - vd) / 2e-5, 1e-6);
        s_close (coin.theta, usd.theta / s, S_REL);
        //  Deribit's delta: Black delta less the price in coin
        s_close (hb_greeks_inverse_delta (&usd, s), usd.delta - usd.price / s, S_REL);
        s_close (hb_greeks_inverse_delta (&usd, s), coin.delta, S_REL);
    }
}

static void
test_breaches (void **state)
{
    (void) state;
    double vega [4] = { 10, -200, 30, 0 }, band [4] = { 100, 150, 0, 100 };
    assert_int_equal (hb_greeks_breaches (-5000, 4000, vega, band, 4),
                      HB_GREEKS_GAMMA_BAND | HB_GREEKS_VEGA_BAND);
    assert_int_equal (hb_greeks_breaches (-3999, 4000, vega, band, 1), 0);
    assert_int_equal (hb_greeks_breaches (-5000, 0, vega, band, 2), HB_GREEKS_VEGA_BAND);
    //  bucket 2 has no band: any vega passes
    vega [1] = 0;
    vega [2] = 1e9;
    assert_int_equal (hb_greeks_breaches (0, 1, vega, band, 4), 0);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_desk_units),
        cmocka_unit_test (test_buckets),
        cmocka_unit_test (test_inverse),
        cmocka_unit_test (test_breaches),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
