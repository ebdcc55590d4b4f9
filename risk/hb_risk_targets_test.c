/*  hb_risk's hedge request when more assets are due than a risk.hedge
    carries (HB_RISK_HEDGE_TARGETS): the largest hedges go, in the config's
    order, and the report of the same sample cuts into parts that join
    back (docs/RISK.md, Hedge requests; docs/PROTOCOL.md, Risk: parts).
    20 assets: the config's own limit (HB_MAX_ASSETS) keeps a deployment
    of hundreds out of this test; the messages of 256 are tested in
    common/hb_msg_risk_test.c.                                             */
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
#include "hb_risk_sample.h"
#include "hb_risk_testing.h"

#define MS      1000000LL
#define T0      (1800000000000LL * MS)
#define S_N     20

static hb_risk_testing_t s_fx;

//  S_N assets A00.., each a spot instrument on one venue, band 1 USD
static int
s_setup (void **state)
{
    (void) state;
    static char yaml [8192];
    int len = snprintf (yaml, sizeof yaml, "hedgebus: 1\ndeployment: targets-test\nrun_dir: %%s/run\nassets:\n");
    for (int i = 0; i < S_N; i++)
        len += snprintf (yaml + len, sizeof yaml - (size_t) len, "  A%02d: { price: 100, vol: 0.5 }\n", i);
    len += snprintf (yaml + len, sizeof yaml - (size_t) len,
                     "venues:\n  alpha:\n    plugin: %%s\n    collateral: { USD: 1000000 }\n    instruments:\n");
    for (int i = 0; i < S_N; i++)
        len += snprintf (yaml + len, sizeof yaml - (size_t) len,
                         "      - { symbol: A%02d-USD, asset: A%02d, kind: spot, tick: 0.01, lot: 0.0001 }\n", i, i);
    snprintf (yaml + len, sizeof yaml - (size_t) len,
              "components:\n  risk: { sample_ms: 100, quote_stale_ms: 1000, min_samples: 2, band: 1 }\n");
    return hb_risk_testing_setup (&s_fx, "hb_risk_targets_test", yaml);
}

static int
s_teardown (void **state)
{
    (void) state;
    hb_risk_testing_teardown (&s_fx);
    return 0;
}

static void
s_tick (hb_risk_t *risk, int asset, double mid, int64_t ts)
{
    hb_msg_t msg;
    memset (&msg, 0, sizeof msg);
    msg.env.type = HB_MSG_TICK;
    strcpy (msg.env.publisher, "feed.alpha");
    msg.env.ts_pub = ts;
    strcpy (msg.u.tick.venue, "alpha");
    snprintf (msg.u.tick.symbol, HB_NAME_MAX, "A%02d-USD", asset);
    msg.u.tick.n_bids = msg.u.tick.n_asks = 1;
    msg.u.tick.bids [0] = (hb_level_t) { mid - 0.01, 1 };
    msg.u.tick.asks [0] = (hb_level_t) { mid + 0.01, 1 };
    assert_int_equal (hb_risk_on_tick (risk, &msg, ts), 0);
}

static void
test_largest_targets (void **state)
{
    (void) state;
    hb_risk_t *risk = hb_risk_new (s_fx.cfg, 5);
    assert_non_null (risk);
    hb_risk_set_data_time (risk, true);
    //  asset i holds i + 1 units: the larger the index, the larger the hedge
    for (int i = 0; i < S_N; i++) {
        hb_position_t pos;
        memset (&pos, 0, sizeof pos);
        strcpy (pos.venue, "alpha");
        snprintf (pos.symbol, HB_NAME_MAX, "A%02d-USD", i);
        snprintf (pos.asset, HB_NAME_MAX, "A%02d", i);
        pos.qty = i + 1;
        pos.entry_px = 100;
        assert_int_equal (hb_risk_set_position (risk, &pos), 0);
    }
    hb_risk_set_positions_known (risk, true);
    hb_risk_hedge_t hedge;
    int requests = 0;
    int64_t t = T0;
    for (int k = 0; k < 8 && !requests; k++) {
        t = T0 + k * 100 * MS;
        for (int i = 0; i < S_N; i++)
            s_tick (risk, i, 100 * (1 + 0.01 * sin (k * (i + 1) * 0.7 + i)), t - 10 * MS);
        hb_risk_sample (risk, t);
        requests += hb_risk_hedge_check (risk, t, &hedge) == 1;
    }
    assert_int_equal (requests, 1);
    //  every asset is due (band 1 USD); the request holds the 16 largest,
    //  A04 .. A19, in the config's order
    assert_int_equal (hedge.n_targets, HB_RISK_HEDGE_TARGETS);
    for (int t_ = 0; t_ < HB_RISK_HEDGE_TARGETS; t_++) {
        char name [HB_NAME_MAX];
        snprintf (name, sizeof name, "A%02d", S_N - HB_RISK_HEDGE_TARGETS + t_);
        assert_string_equal (hedge.targets [t_].asset, name);
        assert_true (hedge.targets [t_].target_usd < 0);
    }
    hb_msg_t msg;
    memset (&msg, 0, sizeof msg);
    msg.env.type = HB_MSG_RISK_HEDGE;
    strcpy (msg.env.publisher, "risk");
    msg.u.risk_hedge = hedge;
    static hb_buf_t buf;
    assert_int_equal (hb_msg_encode (&msg, &buf), 0);

    //  the report of that sample: 2 exposure parts, 1 of correlations
    static hb_risk_report_t report;
    hb_risk_report (risk, t, &report);
    assert_int_equal (report.n_assets, S_N);
    assert_int_equal (hb_risk_sample_parts (&report), 3);
    hb_risk_sample_t *joined = hb_risk_sample_new ();
    int done = 0;
    for (int i = 0; i < 3; i++) {
        hb_risk_sample_part (&report, i, &msg);
        assert_int_equal (hb_msg_encode (&msg, &buf), 0);
        hb_msg_t back;
        assert_int_equal (hb_msg_decode (&back, buf.data, buf.size, NULL), 0);
        done |= hb_risk_sample_add (joined, &back, NULL);
    }
    assert_int_equal (done, HB_RISK_SAMPLE_EXPOSURES | HB_RISK_SAMPLE_CORR);
    const hb_risk_report_t *got = hb_risk_sample_report (joined);
    assert_memory_equal (got->assets, report.assets, S_N * sizeof report.assets [0]);
    assert_memory_equal (got->corr, report.corr, S_N * (S_N - 1) / 2 * sizeof report.corr [0]);
    hb_risk_sample_destroy (&joined);
    hb_risk_destroy (&risk);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_largest_targets),
    };
    return cmocka_run_group_tests_name ("hb_risk_targets", tests, s_setup, s_teardown);
}
