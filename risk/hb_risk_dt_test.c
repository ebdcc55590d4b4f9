/*  hb_risk in data-time mode (hb_risk_set_data_time, docs/RISK.md,
    Arrival order): delta-1 from the position states the caller sets
    (units x index, no mark of the aggregator), hedge ids from the
    deployment and the sample time; the same calls give the same figures
    bit for bit, whatever the aggregator's pos.<asset> says.            */
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
#include "hb_risk_testing.h"

#define MS  1000000LL
#define T0  (1800000000000LL * MS)

static hb_risk_testing_t s_fx;

//  The deployment (run_dir, then the stand-in plugin of each venue)
static const char *s_yaml =
    "hedgebus: 1\n"
    "deployment: dt-test\n"
    "run_dir: %s/run\n"
    "assets: { BTC: { price: 65000, vol: 0.5 } }\n"
    "venues:\n"
    "  alpha:\n"
    "    plugin: %s\n"
    "    collateral: { USD: 100000, BTC: 2 }\n"
    "    instruments:\n"
    "      - { symbol: BTC-USD, asset: BTC, kind: spot, tick: 0.01, lot: 0.0001 }\n"
    "  beta:\n"
    "    plugin: %s\n"
    "    instruments:\n"
    "      - { symbol: BTC-INV, asset: BTC, kind: inverse_perp, multiplier: 100, tick: 0.5, lot: 1 }\n"
    "components:\n"
    "  risk: { sample_ms: 100, quote_stale_ms: 1000, min_samples: 2,\n"
    "          band: 1000000000, bands: { BTC: 1000 } }\n";

static int
s_setup (void **state)
{
    (void) state;
    return hb_risk_testing_setup (&s_fx, "hb_risk_dt_test", s_yaml);
}

static int
s_teardown (void **state)
{
    (void) state;
    hb_risk_testing_teardown (&s_fx);
    return 0;
}

static void
s_tick (hb_risk_t *risk, const char *venue, const char *symbol, double mid, int64_t ts)
{
    hb_msg_t msg;
    memset (&msg, 0, sizeof msg);
    msg.env.type = HB_MSG_TICK;
    snprintf (msg.env.publisher, HB_NAME_MAX, "feed.%s", venue);
    msg.env.ts_pub = ts;
    snprintf (msg.u.tick.venue, HB_NAME_MAX, "%s", venue);
    snprintf (msg.u.tick.symbol, HB_NAME_MAX, "%s", symbol);
    msg.u.tick.n_bids = msg.u.tick.n_asks = 1;
    msg.u.tick.bids [0] = (hb_level_t) { mid - 0.5, 1 };
    msg.u.tick.asks [0] = (hb_level_t) { mid + 0.5, 1 };
    assert_int_equal (hb_risk_on_tick (risk, &msg, ts), 0);
}

static hb_position_t
s_pos (const char *venue, const char *symbol, double qty, double entry, double realized,
       double fees)
{
    hb_position_t pos;
    memset (&pos, 0, sizeof pos);
    strcpy (pos.venue, venue);
    strcpy (pos.symbol, symbol);
    strcpy (pos.asset, "BTC");
    pos.qty = qty;
    pos.entry_px = entry;
    pos.realized = realized;
    pos.fees = fees;
    pos.exposure_usd = 1e12;        //  a mark of the aggregator: never used
    return pos;
}

//  One run of the same inputs; the aggregator's pos.BTC differs per run
static void
s_run (double agg_net_usd, hb_risk_report_t *report, hb_risk_hedge_t *hedge, int *hedged)
{
    hb_risk_t *risk = hb_risk_new (s_fx.cfg, 99);
    assert_non_null (risk);
    hb_risk_set_data_time (risk, true);
    hb_msg_t exp;
    memset (&exp, 0, sizeof exp);
    exp.env.type = HB_MSG_EXPOSURE;
    exp.env.epoch = 1;
    exp.env.seq = 1;
    strcpy (exp.u.exposure.asset, "BTC");
    exp.u.exposure.net_usd = agg_net_usd;
    exp.u.exposure.price = 64000;
    assert_int_equal (hb_risk_on_state (risk, "pos.BTC", &exp), 0);
    hb_risk_set_positions_known (risk, true);
    hb_position_t spot = s_pos ("alpha", "BTC-USD", 3, 60000, 0, 0);
    //  inverse: 1000 contracts of 100 USD entered at 50000 (2 BTC) plus
    //  0.25 BTC of coin P&L (realized 0.3 less 0.05 of fees)
    hb_position_t inv = s_pos ("beta", "BTC-INV", 1000, 50000, 0.3, 0.05);
    assert_int_equal (hb_risk_set_position (risk, &spot), 0);
    assert_int_equal (hb_risk_set_position (risk, &inv), 0);
    hb_position_t bad = s_pos ("gamma", "BTC-USD", 1, 1, 0, 0);
    assert_int_equal (hb_risk_set_position (risk, &bad), -1);
    *hedged = 0;
    for (int k = 0; k < 4; k++) {
        int64_t t = T0 + k * 100 * MS;
        s_tick (risk, "alpha", "BTC-USD", 65000 + k, t - 10 * MS);
        s_tick (risk, "beta", "BTC-INV", 65002 + k, t - 5 * MS);
        hb_risk_sample (risk, t);
        if (hb_risk_hedge_check (risk, t, hedge) == 1)
            (*hedged)++;
    }
    hb_risk_report (risk, T0 + 300 * MS, report);
    hb_risk_destroy (&risk);
}

static void
test_units_and_ids (void **state)
{
    (void) state;
    hb_risk_report_t a, b;
    hb_risk_hedge_t ha, hb;
    int na, nb;
    s_run (123456, &a, &ha, &na);
    s_run (-98765, &b, &hb, &nb);
    //  index at the last sample: the median of 65003 and 65005
    double index = 65004;
    assert_true (a.assets [0].index == index);
    //  units: 3 spot + 2 BTC of collateral + 100000 / 50000 + 0.25
    double units = 3 + 2 + 1000 * 100 / 50000.0 + 0.25;
    assert_float_equal (a.assets [0].delta1_usd, units * index, 1e-6);
    //  the aggregator's figure does not enter: both runs agree bit for bit
    assert_memory_equal (&a, &b, sizeof a);
    //  a request on the first sample past min_samples, id from the data
    assert_int_equal (na, 2);
    assert_int_equal (nb, 2);
    assert_string_equal (ha.id, "dt-test-1800000000300");
    assert_memory_equal (&ha, &hb, sizeof ha);
    assert_float_equal (ha.targets [0].target_qty, -units, 1e-9);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_units_and_ids),
    };
    return cmocka_run_group_tests_name ("hb_risk_dt", tests, s_setup, s_teardown);
}
