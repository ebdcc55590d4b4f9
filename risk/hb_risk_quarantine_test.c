/*  hb_risk's tick plausibility (docs/RISK.md, Tick plausibility): a venue
    mid far from the other venues' (or the index) is quarantined, counted
    and not applied; a venue quarantined for a whole quote_stale_ms makes
    the asset stale; a move of every venue moves the index; a lone venue
    is checked against the index while it is fresh; ticks stamped outside
    the clock window are quarantined (reason clock), 80 years ahead too. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "hb_config.h"
#include "hb_metrics.h"
#include "hb_risk.h"
#include "hb_risk_testing.h"

#define MS  1000000LL
#define S   (1000 * MS)
#define T0  (1800000000000LL * MS)

static hb_risk_testing_t s_fx;

//  Three venues quoting BTC spot (the fixture hands the plugin twice:
//  positional arguments reuse it)
static const char *s_yaml =
    "hedgebus: 1\n"
    "deployment: quarantine-test\n"
    "run_dir: %1$s/run\n"
    "log_level: error\n"
    "assets: { BTC: { price: 100, vol: 0.5 } }\n"
    "venues:\n"
    "  alpha: { plugin: %2$s, instruments: [ { symbol: BTC-USD, asset: BTC, kind: spot, tick: 0.01, lot: 0.01 } ] }\n"
    "  beta:  { plugin: %2$s, instruments: [ { symbol: BTC-USD, asset: BTC, kind: spot, tick: 0.01, lot: 0.01 } ] }\n"
    "  gamma: { plugin: %3$s, instruments: [ { symbol: BTC-USD, asset: BTC, kind: spot, tick: 0.01, lot: 0.01 } ] }\n"
    "components:\n"
    "  risk: { sample_ms: 100, quote_stale_ms: 1000, min_samples: 2, max_index_deviation: 0.2 }\n";

static int
s_setup (void **state)
{
    (void) state;
    return hb_risk_testing_setup (&s_fx, "hb_risk_quarantine_test", s_yaml);
}

static int
s_teardown (void **state)
{
    (void) state;
    hb_risk_testing_teardown (&s_fx);
    return 0;
}

static hb_msg_t
s_msg (const char *venue, double mid, int64_t ts)
{
    hb_msg_t msg;
    memset (&msg, 0, sizeof msg);
    msg.env.type = HB_MSG_TICK;
    snprintf (msg.env.publisher, HB_NAME_MAX, "feed.%s", venue);
    msg.env.ts_pub = ts;
    snprintf (msg.u.tick.venue, HB_NAME_MAX, "%s", venue);
    snprintf (msg.u.tick.symbol, HB_NAME_MAX, "BTC-USD");
    msg.u.tick.n_bids = msg.u.tick.n_asks = 1;
    msg.u.tick.bids [0] = (hb_level_t) { mid - 0.01, 1 };
    msg.u.tick.asks [0] = (hb_level_t) { mid + 0.01, 1 };
    return msg;
}

//  0 applied, -1 not (quarantined here)
static int
s_tick (hb_risk_t *risk, const char *venue, double mid, int64_t ts)
{
    hb_msg_t msg = s_msg (venue, mid, ts);
    return hb_risk_on_tick (risk, &msg, ts);
}

static double
s_index (hb_risk_t *risk, int64_t t, bool *stale)
{
    hb_risk_sample (risk, t);
    return hb_risk_index (risk, 0, stale);
}

static hb_risk_t *
s_new_quoted (int64_t t)
{
    hb_risk_t *risk = hb_risk_new (s_fx.cfg, 1);
    assert_non_null (risk);
    hb_risk_set_data_time (risk, true);
    assert_int_equal (s_tick (risk, "alpha", 100, t), 0);
    assert_int_equal (s_tick (risk, "beta", 100, t), 0);
    assert_int_equal (s_tick (risk, "gamma", 100, t), 0);
    bool stale = true;
    assert_true (fabs (s_index (risk, t, &stale) - 100) < 1e-9);
    assert_false (stale);
    return risk;
}

//  A book 90 % below: not applied, counted, the index unmoved
static void
test_far_quarantined (void **state)
{
    (void) state;
    hb_risk_t *risk = s_new_quoted (T0);
    hb_metric_t *far = hb_metrics_counter (hb_metrics_process (), "hb_risk_ticks_quarantined_total",
                                           NULL, "reason", "far_from_index");
    uint64_t before = hb_metric_count (far);
    assert_int_equal (s_tick (risk, "beta", 10, T0 + 100 * MS), -1);
    assert_int_equal (hb_risk_quarantined (risk), 1);
    assert_true (hb_metric_count (far) == before + 1);
    //  beta quotes 100 again; alpha 5 % off is within the limit: applied
    assert_int_equal (s_tick (risk, "gamma", 100, T0 + 150 * MS), 0);
    assert_int_equal (s_tick (risk, "beta", 100, T0 + 160 * MS), 0);
    assert_int_equal (s_tick (risk, "alpha", 105, T0 + 200 * MS), 0);
    bool stale = true;
    double index = s_index (risk, T0 + 200 * MS, &stale);
    assert_false (stale);
    assert_true (fabs (index - 100) < 1e-9);       //  median of 105, 100, 100
    //  with the limit off, the same book is applied
    s_fx.cfg->risk.max_index_deviation = 0;
    assert_int_equal (s_tick (risk, "beta", 10, T0 + 300 * MS), 0);
    s_fx.cfg->risk.max_index_deviation = 0.2;
    hb_risk_destroy (&risk);
}

//  Every venue falls 30 %, one after another: the first is held one tick,
//  the second finds it there, and the index moves
static void
test_crash_moves_index (void **state)
{
    (void) state;
    hb_risk_t *risk = s_new_quoted (T0);
    assert_int_equal (s_tick (risk, "alpha", 70, T0 + 10 * MS), -1);
    assert_int_equal (s_tick (risk, "beta", 70, T0 + 20 * MS), 0);     //  vs (70 + 100) / 2
    assert_int_equal (s_tick (risk, "gamma", 70, T0 + 30 * MS), 0);
    assert_int_equal (s_tick (risk, "alpha", 70, T0 + 40 * MS), 0);
    bool stale = true;
    assert_true (fabs (s_index (risk, T0 + 100 * MS, &stale) - 70) < 1e-9);
    assert_false (stale);
    hb_risk_destroy (&risk);
}

//  A venue far off for longer than a quote lives: the asset is stale
static void
test_persistent_makes_stale (void **state)
{
    (void) state;
    hb_risk_t *risk = s_new_quoted (T0);
    bool stale = true;
    for (int64_t t = T0 + 100 * MS; t <= T0 + 1500 * MS; t += 100 * MS) {
        assert_int_equal (s_tick (risk, "alpha", 100, t), 0);
        assert_int_equal (s_tick (risk, "gamma", 100, t), 0);
        assert_int_equal (s_tick (risk, "beta", 300, t), -1);
        s_index (risk, t, &stale);
        //  stale once beta has been quarantined for quote_stale_ms
        assert_true (stale == (t - (T0 + 100 * MS) >= 1000 * MS));
    }
    //  beta agrees again: fresh
    assert_int_equal (s_tick (risk, "beta", 100, T0 + 1600 * MS), 0);
    s_index (risk, T0 + 1600 * MS, &stale);
    assert_false (stale);
    hb_risk_destroy (&risk);
}

//  One venue only: checked against the index while it is fresh; when its
//  quotes stay off for a whole freshness window the asset goes stale, then
//  (nothing left to check against) the new level is taken
static void
test_lone_venue (void **state)
{
    (void) state;
    hb_risk_t *risk = hb_risk_new (s_fx.cfg, 1);
    hb_risk_set_data_time (risk, true);
    assert_int_equal (s_tick (risk, "alpha", 100, T0), 0);
    bool stale = true;
    assert_true (fabs (s_index (risk, T0, &stale) - 100) < 1e-9);
    int64_t t = T0 + 100 * MS;
    for (; t <= T0 + 1100 * MS; t += 100 * MS) {
        assert_int_equal (s_tick (risk, "alpha", 50, t), -1);
        s_index (risk, t, &stale);
        assert_true (stale == (t - (T0 + 100 * MS) >= 1000 * MS));
    }
    assert_int_equal (s_tick (risk, "alpha", 50, t), 0);
    assert_true (fabs (s_index (risk, t, &stale) - 50) < 1e-9);
    assert_false (stale);
    hb_risk_destroy (&risk);
}

//  The clock window: ahead (5 s here), behind (30 s here, 0: no bound)
static void
test_clock (void **state)
{
    (void) state;
    hb_risk_t *risk = hb_risk_new (s_fx.cfg, 1);
    hb_metric_t *clock = hb_metrics_counter (hb_metrics_process (), "hb_risk_ticks_quarantined_total",
                                             NULL, "reason", "clock");
    uint64_t before = hb_metric_count (clock);
    const int64_t wall = T0, ahead = 5 * S, behind = 30 * S;
    hb_msg_t msg = s_msg ("alpha", 100, wall + 1 * S);
    assert_false (hb_risk_quarantine_clock (risk, &msg, wall, ahead, behind));
    msg.env.ts_pub = wall + 120 * S;
    assert_true (hb_risk_quarantine_clock (risk, &msg, wall, ahead, behind));
    msg.env.ts_pub = wall + 80LL * 365 * 86400 * S;              //  80 years
    assert_true (hb_risk_quarantine_clock (risk, &msg, wall, ahead, behind));
    msg.env.ts_pub = INT64_MAX;
    assert_true (hb_risk_quarantine_clock (risk, &msg, wall, ahead, behind));
    msg.env.ts_pub = wall - 10 * S;
    assert_false (hb_risk_quarantine_clock (risk, &msg, wall, ahead, behind));
    msg.env.ts_pub = wall - 40 * S;
    assert_true (hb_risk_quarantine_clock (risk, &msg, wall, ahead, behind));
    assert_false (hb_risk_quarantine_clock (risk, &msg, wall, ahead, 0));    //  a replay
    msg.env.ts_pub = 0;
    assert_true (hb_risk_quarantine_clock (risk, &msg, wall, ahead, behind));
    msg.env.ts_pub = INT64_MIN;
    assert_true (hb_risk_quarantine_clock (risk, &msg, wall, ahead, behind));
    assert_int_equal (hb_risk_quarantined (risk), 6);
    assert_true (hb_metric_count (clock) == before + 6);
    hb_risk_destroy (&risk);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_far_quarantined),
        cmocka_unit_test (test_crash_moves_index),
        cmocka_unit_test (test_persistent_makes_stale),
        cmocka_unit_test (test_lone_venue),
        cmocka_unit_test (test_clock),
    };
    return cmocka_run_group_tests_name ("hb_risk_quarantine", tests, s_setup, s_teardown);
}
