/*  hb_risk's correlation regimes through the engine (docs/RISK.md,
    Correlation regimes, Live): ticks in, samples on the grid, one detector
    per pair of assets fed the pair's returns. Three assets: BTC and ETH
    move together at rho 0.8 and decouple (rho 0) at sample S_BREAK; SOL is
    independent of both throughout. The pair (BTC, ETH) must raise its
    events after the break and not before, within the delay the detector's
    own tests allow; the other pairs must stay quiet; risk.exposure must
    carry the pair's state; two engines fed the same input say the same.  */
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
#include "hb_var.h"

#define MS      1000000LL
#define STEP    (100 * MS)          //  sample_ms in the config below
#define S_BREAK 1500                //  sample of the break
#define S_END   1800

static hb_risk_testing_t s_fx;

static const char *s_yaml =
    "hedgebus: 1\n"
    "deployment: regime-test\n"
    "run_dir: %s/run\n"
    "assets: { BTC: { price: 65000, vol: 0.5 }, ETH: { price: 3400, vol: 0.6 },\n"
    "          SOL: { price: 150, vol: 0.8 } }\n"
    "venues:\n"
    "  alpha:\n"
    "    plugin: %s\n"
    "    instruments:\n"
    "      - { symbol: BTC-USD, asset: BTC, kind: spot, tick: 0.01, lot: 0.0001 }\n"
    "      - { symbol: SOL-USD, asset: SOL, kind: spot, tick: 0.001, lot: 0.01 }\n"
    "  beta:\n"
    "    plugin: %s\n"
    "    instruments:\n"
    "      - { symbol: ETH-USD, asset: ETH, kind: spot, tick: 0.01, lot: 0.001 }\n"
    "components:\n"
    "  risk: { sample_ms: 100, quote_stale_ms: 250 }\n";

static int
s_setup (void **state)
{
    (void) state;
    return hb_risk_testing_setup (&s_fx, "hb_risk_regime_test", s_yaml);
}

static int
s_teardown (void **state)
{
    (void) state;
    hb_risk_testing_teardown (&s_fx);
    return 0;
}

//  A one-level quote 1 bp either side of mid
static void
s_tick (hb_risk_t *risk, const char *venue, const char *symbol, double mid, int64_t now)
{
    static uint64_t seq;
    assert_int_equal (hb_risk_testing_tick (risk, venue, symbol, mid * 0.9999, mid * 1.0001, ++seq, now), 0);
}

//  One sample of the market at t: BTC and ETH at rho 0.8 before S_BREAK,
//  0 from it, SOL independent; the three quoted at now, then sampled
static void
s_step (hb_risk_t *risk, uint64_t *seed, int t, double *px, int64_t now)
{
    const double sigma [3] = { 0.003, 0.002, 0.004 };
    double z1 = hb_risk_testing_normal (seed), z2 = hb_risk_testing_normal (seed), z3 = hb_risk_testing_normal (seed);
    double rho = t < S_BREAK ? 0.8 : 0.0;
    double r [3] = { sigma [0] * z1, sigma [1] * (rho * z1 + sqrt (1 - rho * rho) * z2),
                     sigma [2] * z3 };
    for (int a = 0; a < 3; a++)
        px [a] *= exp (r [a]);
    s_tick (risk, "alpha", "BTC-USD", px [0], now);
    s_tick (risk, "beta", "ETH-USD", px [1], now);
    s_tick (risk, "alpha", "SOL-USD", px [2], now);
    hb_risk_sample (risk, now);
}

//  What one run saw: the events of the pair (BTC, ETH) from the break on,
//  the alarms (shifted) of every pair, and the report at S_END
typedef struct {
    hb_risk_regime_t events [64];
    int      n_events;
    int      first_alarm;           //  sample of the first shifted event of (BTC, ETH) (0: none)
    int      alarms_before;         //  shifted events of any pair before the break
    int      alarms_other;          //  shifted events of the other pairs
    int      events_total;          //  events of every pair and state
    hb_risk_report_t report;
} s_run_t;

static void
s_run (uint64_t seed, s_run_t *run)
{
    memset (run, 0, sizeof *run);
    hb_risk_t *risk = hb_risk_new (s_fx.cfg, 7);
    assert_non_null (risk);
    double px [3] = { 65000, 3400, 150 };
    int64_t now = 0;
    for (int t = 1; t <= S_END; t++) {
        s_step (risk, &seed, t, px, now += STEP);
        const hb_risk_regime_t *events = NULL;
        int count = hb_risk_regime_events (risk, &events);
        run->events_total += count;
        for (int i = 0; i < count; i++) {
            bool ours = strcmp (events [i].target, "BTC") == 0 && strcmp (events [i].proxy, "ETH") == 0;
            bool alarm = events [i].state == 2;
            run->alarms_before += alarm && t < S_BREAK;
            run->alarms_other += alarm && !ours;
            if (ours && t >= S_BREAK && run->n_events < 64)
                run->events [run->n_events++] = events [i];
            if (ours && alarm && t >= S_BREAK && !run->first_alarm)
                run->first_alarm = t;
        }
    }
    hb_risk_report (risk, now, &run->report);
    hb_risk_destroy (&risk);
}

static void
test_break_raises_events_after_it (void **state)
{
    (void) state;
    static s_run_t run, again;
    s_run (20261207, &run);
    printf ("    BTC:ETH alarm at sample %d (break at %d); %d events of all pairs, %d alarms before "
            "the break, %d of other pairs\n", run.first_alarm, S_BREAK, run.events_total,
            run.alarms_before, run.alarms_other);
    //  no alarm before the break (samples 1..S_BREAK-1 of three pairs: the
    //  warm-up, then 1,400 stationary samples each at a false-alarm rate
    //  under 1 in 10,000), nor on the pairs that did not break; shifting
    //  (evidence over half the threshold) comes and goes on noise
    assert_int_equal (run.alarms_before, 0);
    assert_int_equal (run.alarms_other, 0);
    //  the alarm within the delay the detector's tests allow for 0.8 -> 0
    //  (p90 66; all within 200)
    assert_true (run.first_alarm > S_BREAK && run.first_alarm <= S_BREAK + 200);
    for (int i = 0; i < run.n_events; i++) {
        const hb_risk_regime_t *e = &run.events [i];
        assert_string_equal (e->target, "BTC");
        assert_string_equal (e->proxy, "ETH");
        assert_int_not_equal (e->state, e->previous);
        assert_true (e->sample >= S_BREAK);
    }
    //  shifting -> shifted, of kind corr_down, time stamped
    assert_true (run.n_events >= 1);
    const hb_risk_regime_t *alarm = NULL;
    for (int i = 0; i < run.n_events && !alarm; i++)
        if (run.events [i].state == 2)
            alarm = &run.events [i];
    assert_non_null (alarm);
    assert_int_equal (alarm->previous, 1);
    assert_int_equal (alarm->kind, 1);
    assert_int_equal (alarm->last_alarm_ns, (int64_t) run.first_alarm * STEP);
    assert_true (alarm->statistic >= 8.0);
    //  risk.exposure at S_END lists the pair (BTC, ETH) = pair 0 (shifted
    //  for hold = 50 samples, or stable with its alarm behind it); another
    //  pair only while shifting (no alarm)
    const hb_risk_pair_regime_t *listed = NULL;
    for (int i = 0; i < run.report.n_regimes; i++) {
        const hb_risk_pair_regime_t *pr = &run.report.regimes [i];
        if (pr->pair == 0)
            listed = pr;
        else
            assert_true (pr->state == 1 && pr->last_alarm_ns == 0);
    }
    assert_non_null (listed);
    assert_true (listed->last_alarm_ns >= alarm->last_alarm_ns);
    assert_int_equal (listed->kind, 1);
    assert_int_equal (run.report.n_regimes_omitted, 0);
    //  the encoder takes every part of it
    hb_msg_t msg;
    memset (&msg, 0, sizeof msg);
    strcpy (msg.env.publisher, "risk");
    static hb_buf_t buf;
    for (int i = 0; i < hb_risk_sample_parts (&run.report); i++) {
        hb_risk_sample_part (&run.report, i, &msg);
        assert_int_equal (hb_msg_encode (&msg, &buf), 0);
    }
    msg.env.type = HB_MSG_RISK_REGIME;
    msg.u.risk_regime = *alarm;
    assert_int_equal (hb_msg_encode (&msg, &buf), 0);
    //  the same input, the same events (what a replay relies on)
    s_run (20261207, &again);
    assert_int_equal (again.n_events, run.n_events);
    assert_int_equal (again.events_total, run.events_total);
    assert_memory_equal (again.events, run.events, sizeof run.events);
}

//  BTC's flags as a reader of the encoded risk.exposure part sees them
static void
s_wire_flags (const hb_risk_report_t *report, uint32_t unhedgeable)
{
    static hb_msg_t msg, back;
    static hb_buf_t buf;
    hb_risk_sample_part (report, 0, &msg);
    strcpy (msg.env.publisher, "risk");
    msg.env.epoch = 1;
    msg.env.seq = 1;
    assert_int_equal (hb_msg_encode (&msg, &buf), 0);
    assert_int_equal (hb_msg_decode (&back, buf.data, buf.size, NULL), 0);
    assert_int_equal (back.u.risk_exposure.assets [0].flags & HB_RISK_ASSET_UNHEDGEABLE, unhedgeable);
}

//  What the hedge plan and VaR do with it (docs/RISK.md, Correlation
//  regimes, Hedge and VaR), on the same market: alpha (BTC, SOL) in
//  margin breach, so BTC is proxied by ETH alone; the desk long 1M USD
//  of BTC and 0.5M of ETH. The plan's ratio, -residual(ETH) / e(BTC), is
//  checked at every sample against the rule applied to the EWMA's own
//  ratio (exactly while stable; hb_regime_hedge_ratio while shifting or
//  shifted, 0 once dropped); after the break it leaves the EWMA's before
//  the alarm and before the EWMA has moved half way, and the proxy is
//  dropped (its fast correlation under 0.3) before the end;
//  VaR is the EWMA's, moved to the stress VaR by the pair's break weight.
static void
s_hedge_run (const hb_config_t *cfg, bool on)
{
    hb_risk_t *risk = hb_risk_new (cfg, 7);
    assert_non_null (risk);
    assert_int_equal (hb_risk_testing_margin (risk, "alpha", true, 1), 0);
    assert_int_equal (hb_risk_testing_exposure (risk, "BTC", 1e6, 65000, 2), 0);
    assert_int_equal (hb_risk_testing_exposure (risk, "ETH", 5e5, 3400, 3), 0);
    hb_risk_set_positions_known (risk, true);

    static hb_risk_report_t report;
    uint64_t seed = 20261208;
    double px [3] = { 65000, 3400, 150 };
    int64_t now = 0;
    int stable_checked = 0, moved = 0, first_moved = 0, first_alarm = 0, dropped_at = 0;
    int var_moved = 0;
    double before = 0;
    for (int t = 1; t <= S_END; t++) {
        s_step (risk, &seed, t, px, now += STEP);
        assert_int_equal (hb_risk_report (risk, now, &report), 0);
        if (t < 30)
            continue;
        if (!on) {
            //  hedge: false, proxy_floor: 0, stress_var: false: the EWMA's
            const double *cov = hb_ewma_cov (hb_risk_ewma (risk));
            double base = cov [1] / cov [4];
            assert_true (fabs (-report.assets [1].residual_usd / report.assets [0].exposure_usd - base)
                         <= 1e-9 * (fabs (base) + 1e-3));
            double e [3] = { report.assets [0].exposure_usd, report.assets [1].exposure_usd, 0 };
            double var0 = 0;
            assert_int_equal (hb_var_parametric (cov, 3, 3, e, report.confidence,
                                                 report.horizon_s / report.sample_s, &var0), 0);
            assert_true (fabs (report.var_usd - var0) <= 1e-9 * var0);
            assert_false (report.assets [0].flags & HB_RISK_ASSET_UNHEDGEABLE);
            continue;
        }
        assert_false (report.assets [0].flags & HB_RISK_ASSET_HEDGEABLE);
        assert_true (report.assets [1].flags & HB_RISK_ASSET_HEDGEABLE);
        const double *cov = hb_ewma_cov (hb_risk_ewma (risk));
        double base = cov [0 * 3 + 1] / cov [1 * 3 + 1];
        double e_btc = report.assets [0].exposure_usd;
        double plan = -report.assets [1].residual_usd / e_btc;
        hb_regime_view_t view;
        hb_risk_regime_view (risk, 0, &view);
        double w = hb_regime_break_weight (&view);
        //  the pair's plan covariance, as the engine says it uses it
        bool hedgeable [3] = { false, true, false };
        double pcov [9];
        hb_risk_plan_cov (risk, hedgeable, pcov);
        //  BTC is flagged unhedgeable exactly while its only proxy is dropped
        assert_int_equal (!!(report.assets [0].flags & HB_RISK_ASSET_UNHEDGEABLE), fabs (pcov [1]) == 0.0);
        assert_false (report.assets [1].flags & HB_RISK_ASSET_UNHEDGEABLE);
        if (t < S_BREAK) {
            assert_int_not_equal (view.state, HB_REGIME_SHIFTED);
            if (w == 0) {
                assert_true (fabs (plan - base) <= 1e-9 * fabs (base));
                stable_checked++;
            }
            else
                assert_true (fabs (plan - hb_regime_hedge_ratio (&view, base)) <= 1e-9);
            before = base;
        }
        else {
            if (fabs (pcov [1]) == 0.0) {
                //  dropped: no proxy hedge at all
                assert_true (report.assets [1].residual_usd == 0.0);
                if (!dropped_at)
                    dropped_at = t;
            }
            else {
                double rule = hb_regime_hedge_ratio (&view, base);
                assert_true (fabs (plan - rule) <= 1e-9 * (fabs (rule) + 1e-3));
                moved += w > 0;
            }
            //  off the EWMA's by more than its noise: 0.05 of 1.2
            if (fabs (plan - base) > 0.05 && !first_moved) {
                first_moved = t;
                //  the EWMA has not moved half way yet
                assert_true (base > before / 2);
            }
        }
        if (!first_alarm && view.alarms > 0)
            first_alarm = t;
        //  VaR: the EWMA's, moved by the break weight to the stress VaR
        double e [3] = { report.assets [0].exposure_usd, report.assets [1].exposure_usd,
                         report.assets [2].exposure_usd };
        double var0 = 0;
        assert_int_equal (hb_var_parametric (cov, 3, 3, e, report.confidence,
                                             report.horizon_s / report.sample_s, &var0), 0);
        double expect = var0 + (report.stress_var_usd > var0 ? w * (report.stress_var_usd - var0) : 0);
        assert_true (fabs (report.var_usd - expect) <= 1e-9 * var0);
        var_moved += w == 1.0 && report.var_usd == report.stress_var_usd && report.var_usd > var0;
    }
    if (on)
        printf ("    plan ratio %.3f before the break (%d stable samples at the EWMA's exactly); "
            "moved off the EWMA at sample %d, alarm at %d, proxy dropped at %d; %d samples with "
            "VaR at the stress VaR\n", before, stable_checked, first_moved, first_alarm, dropped_at,
            var_moved);
    if (!on) {
        hb_risk_destroy (&risk);
        return;
    }
    assert_true (stable_checked > 1000);
    assert_true (before > 1.0 && before < 1.4);        //  0.8 x 0.003 / 0.002 = 1.2
    assert_true (first_alarm > S_BREAK && first_alarm <= S_BREAK + 200);
    assert_true (first_moved > S_BREAK && first_moved <= first_alarm);
    assert_true (moved > 0);
    assert_true (dropped_at > S_BREAK && dropped_at < S_END);
    if (on)
        assert_true (var_moved >= 1);
    //  still dropped at the end; alpha healthy again makes BTC hedgeable
    //  directly, which clears the flag (and the wire carries both)
    assert_true (report.assets [0].flags & HB_RISK_ASSET_UNHEDGEABLE);
    s_wire_flags (&report, HB_RISK_ASSET_UNHEDGEABLE);
    assert_int_equal (hb_risk_testing_margin (risk, "alpha", false, 4), 0);
    assert_int_equal (hb_risk_report (risk, now, &report), 0);
    assert_true (report.assets [0].flags & HB_RISK_ASSET_HEDGEABLE);
    assert_false (report.assets [0].flags & HB_RISK_ASSET_UNHEDGEABLE);
    s_wire_flags (&report, 0);
    hb_risk_destroy (&risk);
}

static void
test_hedge_follows_break (void **state)
{
    (void) state;
    const hb_regime_cfg_t *rc = &s_fx.cfg->risk.regime;
    assert_true (rc->hedge && rc->stress_var && rc->proxy_floor == 0.3);
    s_hedge_run (s_fx.cfg, true);
}

//  With the three switched off the plan and VaR are the EWMA's throughout
static void
test_hedge_off (void **state)
{
    (void) state;
    static hb_config_t cfg;
    cfg = *s_fx.cfg;
    cfg.risk.regime.hedge = cfg.risk.regime.stress_var = false;
    cfg.risk.regime.proxy_floor = 0;
    s_hedge_run (&cfg, false);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_break_raises_events_after_it),
        cmocka_unit_test (test_hedge_follows_break),
        cmocka_unit_test (test_hedge_off),
    };
    return cmocka_run_group_tests_name ("hb_risk_regime", tests, s_setup, s_teardown);
}
