/*  hb_greeks tests on hand-built options: a call and a put at known
    strikes and expiries, greeks from closed forms written here (erfc, not
    hb_bs) in the desk's units; buckets; the coin greeks of an inverse
    option checked against finite differences of V/s priced by hb_bs;
    bands breached or not. Then through hb_risk on a hand-built book (a
    config written here): a call and a put (one coin-settled) in three
    expiry buckets; each asset figure equals the sum the test computes by
    the closed forms; bands flag; bad keys are errors at FILE:LINE.       */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hb_config.h"
#include "hb_greeks.h"
#include "hb_risk.h"
#include "hb_risk_testing.h"

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

//  ---------------------------------------------------------------------------
//  Through hb_risk

#define S_NOW_S     4102444800LL        //  2100-01-01T00:00:00Z
#define S_NOW       (S_NOW_S * 1000000000LL)

//  X at 100, no rate; a call expiring in 5 days (bucket 0), a call in 20
//  (bucket 1), a put in 200 (bucket 3). The first %s pair is the put's
//  settle clause and the risk component's extra keys (s_load), the ones
//  left are hb_risk_testing's (run_dir, the plugin).
static const char *s_template =
    "hedgebus: 1\n"
    "deployment: greeks-test\n"
    "run_dir: %%s\n"
    "assets: { X: { price: 100, vol: 0.5 } }\n"
    "venues:\n"
    "  alpha:\n"
    "    plugin: %%s\n"
    "    instruments:\n"
    "      - { symbol: X-USD, asset: X, kind: spot, tick: 0.001, lot: 0.01 }\n"
    "      - { symbol: X-C5, asset: X, kind: option, type: call, strike: 100, iv: 0.4,\n"
    "          expiry: 2100-01-06, tick: 0.0001, lot: 1 }\n"
    "      - { symbol: X-C20, asset: X, kind: option, type: call, strike: 110, iv: 0.5,\n"
    "          expiry: 2100-01-21, tick: 0.0001, lot: 1 }\n"
    "      - { symbol: X-P200, asset: X, kind: option, type: put, strike: 90, iv: 0.6,\n"
    "          expiry: 2100-07-20, tick: 0.0001, lot: 1%s }\n"
    "components:\n"
    "  risk:\n"
    "    sample_ms: 100\n"
    "    rate: 0\n"
    "%s";

static hb_risk_testing_t s_fixture;

//  The config with the put's settle clause and the risk keys given; NULL
//  with the loader's errors in errors otherwise
static hb_config_t *
s_load (const char *settle, const char *risk, char *errors, size_t size)
{
    char yaml [2048];
    snprintf (yaml, sizeof yaml, s_template, settle, risk);
    int rc = hb_risk_testing_load (&s_fixture, "hb_greeks_test", yaml, errors, size);
    hb_config_t *cfg = s_fixture.cfg;
    s_fixture.cfg = NULL;           //  the caller's
    hb_risk_testing_teardown (&s_fixture);
    return rc == 0 ? cfg : NULL;
}

static uint64_t s_seq;

static void
s_tick (hb_risk_t *risk, const char *symbol, double bid, double ask)
{
    assert_int_equal (hb_risk_testing_tick (risk, "alpha", symbol, bid, ask, ++s_seq, S_NOW), 0);
}

static void
s_position (hb_risk_t *risk, const char *symbol, double qty)
{
    assert_int_equal (hb_risk_testing_position (risk, "alpha", symbol, "X", qty, ++s_seq), 0);
}

//  The book: short 10 C5, long 4 C20, short 6 P200; its figures by the
//  closed forms (index 100)
typedef struct {
    double delta_usd, gamma_usd, theta_day, vega [4];
    double coin [5];                //  the coin-settled put's: delta, gamma, vega, theta, value in coin
} s_book_t;

static s_book_t
s_book_ref (bool coin_put)
{
    struct { bool call; double k, days, vol, qty; int bucket; } legs [] = {
        { true, 100, 5, 0.4, -10, 0 }, { true, 110, 20, 0.5, 4, 1 }, { false, 90, 200, 0.6, -6, 3 },
    };
    s_book_t book;
    memset (&book, 0, sizeof book);
    const double s = 100;
    for (int i = 0; i < 3; i++) {
        double ref [5];
        s_bs_ref (legs [i].call, s, legs [i].k, legs [i].days / 365, 0, legs [i].vol, ref);
        double q = legs [i].qty;
        //  a coin-settled option's USD delta: Black's less its price in coin
        double delta = coin_put && i == 2 ? ref [1] - ref [0] / s : ref [1];
        book.delta_usd += q * delta * s;
        book.gamma_usd += q * ref [2] * s * s / 100;
        book.theta_day += q * ref [4] / 365;
        book.vega [legs [i].bucket] += q * ref [3] / 100;
        if (coin_put && i == 2) {   //  the greeks of V/S (docs/RISK.md)
            book.coin [0] = q * (ref [1] - ref [0] / s);
            book.coin [1] = q * (ref [2] / s - 2 * ref [1] / (s * s) + 2 * ref [0] / (s * s * s));
            book.coin [2] = q * ref [3] / s;
            book.coin [3] = q * ref [4] / s;
            book.coin [4] = q * ref [0] / s;
        }
    }
    return book;
}

static void
test_risk_book (void **state)
{
    (void) state;
    for (int coin = 0; coin < 2; coin++) {
        char errors [1024];
        hb_config_t *cfg = s_load (coin ? ", settle: coin" : "",
                                   "    vega_buckets: [7, 30, 90]\n"
                                   "    gamma_bands: { X: 50 }\n"
                                   "    vega_bands: { X: [0.3, 0, 0.1, 2] }\n", errors, sizeof errors);
        if (!cfg)
            fail_msg ("%s", errors);
        assert_int_equal (hb_venue_instrument (&cfg->venues [0], "X-P200")->coin_settled, coin);
        hb_risk_t *risk = hb_risk_new (cfg, 1);
        assert_non_null (risk);
        s_tick (risk, "X-USD", 99.99, 100.01);
        s_position (risk, "X-C5", -10);
        s_position (risk, "X-C20", 4);
        s_position (risk, "X-P200", -6);
        static hb_risk_report_t report;
        hb_risk_report (risk, S_NOW, &report);
        s_book_t want = s_book_ref (coin);
        const hb_risk_asset_t *x = &report.assets [0];
        s_close (x->option_delta_usd, want.delta_usd, S_REL);
        s_close (x->gamma_usd, want.gamma_usd, S_REL);
        s_close (x->theta_day, want.theta_day, S_REL);
        //  gamma, vega, theta in USD are Black's for either settlement
        s_close (x->gamma_usd, x->gamma * 100 * 100 / 100, S_REL);
        s_close (x->theta_day, x->theta / 365, S_REL);
        //  the coin-settled put's greeks in coin (risk.exposure layout 2,
        //  float32), none for a USD-settled book
        const float got [5] = { x->delta_coin, x->gamma_coin, x->vega_coin, x->theta_coin,
                                x->value_coin };
        for (int k = 0; k < 5; k++)
            if (coin)               //  relative: gamma in coin is small
                assert_true (fabs (got [k] - want.coin [k]) <= 1e-6 * fabs (want.coin [k])
                             && want.coin [k] != 0);
            else
                assert_true (got [k] == 0);
        assert_int_equal (report.n_vega_edges, 3);
        assert_int_equal (report.vega_edges [2], 90);
        double total = 0;
        for (int b = 0; b < 4; b++) {
            s_close (x->vega_bucket [b], want.vega [b], 1e-6);      //  float32 on the record
            total += x->vega_bucket [b];
        }
        assert_true (x->vega_bucket [2] == 0);
        s_close (total, x->vega / 100, 1e-6);
        //  short gamma over 50 USD per 1 % (about -80); bucket 0 (short 10
        //  near-dated calls) over 0.3 per vol point (about -0.47)
        assert_true (x->gamma_usd < -50 && x->vega_bucket [0] < -0.3);
        assert_int_equal (x->flags & (HB_RISK_ASSET_GAMMA_BAND | HB_RISK_ASSET_VEGA_BAND),
                          HB_RISK_ASSET_GAMMA_BAND | HB_RISK_ASSET_VEGA_BAND);
        //  the near calls gone: gamma and vega inside (bucket 1 has no
        //  band, bucket 3's |vega| under 2)
        s_position (risk, "X-C5", 0);
        hb_risk_report (risk, S_NOW, &report);
        assert_true (fabs (x->vega_bucket [1]) > 0.1 && fabs (x->vega_bucket [3]) < 2);
        assert_true (fabs (x->gamma_usd) < 50);
        assert_int_equal (x->flags & (HB_RISK_ASSET_GAMMA_BAND | HB_RISK_ASSET_VEGA_BAND), 0);
        hb_risk_destroy (&risk);
        hb_config_destroy (&cfg);
    }
}

//  No buckets and no bands: one bucket holds the whole vega, nothing flagged
static void
test_risk_defaults (void **state)
{
    (void) state;
    char errors [1024];
    hb_config_t *cfg = s_load ("", "", errors, sizeof errors);
    if (!cfg)
        fail_msg ("%s", errors);
    hb_risk_t *risk = hb_risk_new (cfg, 1);
    s_tick (risk, "X-USD", 99.99, 100.01);
    s_position (risk, "X-C5", -10);
    s_position (risk, "X-P200", -6);
    static hb_risk_report_t report;
    hb_risk_report (risk, S_NOW, &report);
    assert_int_equal (report.n_vega_edges, 0);
    s_close (report.assets [0].vega_bucket [0], report.assets [0].vega / 100, 1e-6);
    assert_int_equal (report.assets [0].flags & (HB_RISK_ASSET_GAMMA_BAND | HB_RISK_ASSET_VEGA_BAND), 0);
    hb_risk_destroy (&risk);
    hb_config_destroy (&cfg);
}

//  The config with settle and risk must not load, and the loader's errors
//  must hold expect (line: the caller's)
static void
s_refused (const char *settle, const char *risk, const char *expect, int line)
{
    char errors [1024];
    hb_config_t *cfg = s_load (settle, risk, errors, sizeof errors);
    if (cfg || !strstr (errors, expect))
        fail_msg ("line %d: expected '%s', got '%s'", line, expect, errors);
}

//  Each bad key is an error at its line, with the key path
static void
test_config_errors (void **state)
{
    (void) state;
    s_refused (", settle: btc", "",
               ":15: venues.alpha.instruments[3].settle: expected usd or coin", __LINE__);
    s_refused ("", "    vega_buckets: [7, 7]\n",
               ":20: components.risk.vega_buckets[1]: must be more than the edge before", __LINE__);
    s_refused ("", "    vega_buckets: [0]\n",
               ":20: components.risk.vega_buckets[0]", __LINE__);
    s_refused ("", "    vega_buckets: [1, 2, 3, 4, 5, 6, 7, 8]\n",
               ":20: components.risk.vega_buckets: at most 7 edges", __LINE__);
    s_refused ("", "    gamma_bands: { X: -1 }\n",
               ":20: components.risk.gamma_bands.X: must be > 0", __LINE__);
    s_refused ("", "    gamma_bands: { Z: 1 }\n",
               ":20: components.risk.gamma_bands.Z: unknown asset", __LINE__);
    s_refused ("", "    vega_buckets: [7]\n    vega_bands: { X: [1, 2, 3] }\n",
               ":21: components.risk.vega_bands.X: needs 2 bands", __LINE__);
    s_refused ("", "    vega_bands: { X: 0 }\n",
               ":20: components.risk.vega_bands.X: must be > 0", __LINE__);
    s_refused ("", "    vega_buckets: [7]\n    vega_bands: { X: [1, -2] }\n",
               ":21: components.risk.vega_bands.X[1]: must be >= 0", __LINE__);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_desk_units),
        cmocka_unit_test (test_buckets),
        cmocka_unit_test (test_inverse),
        cmocka_unit_test (test_breaches),
        cmocka_unit_test (test_risk_book),
        cmocka_unit_test (test_risk_defaults),
        cmocka_unit_test (test_config_errors),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
