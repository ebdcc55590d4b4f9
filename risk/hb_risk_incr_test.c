/*  hb_risk's hedge check against the full computation (docs/RISK.md,
    When the check runs): over a long random sequence of ticks (moving,
    repeated, unusable), position states, margin breaches, samples and
    quiet time, every check's decision and targets are compared with a plan
    made from scratch (a fresh hb_hedge_t: no factor kept) on the exposures,
    H and covariance hb_risk_report gives at the same time. Equality is
    exact (==), not within a tolerance: the check computes by the report's
    code and a kept factor is the one a fresh plan would make.
    Also: what hb_risk_changes counts (a caller skips the check while it
    has not moved).                                                       */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hb_config.h"
#include "hb_ewma.h"
#include "hb_hedge.h"
#include "hb_risk.h"
#include "hb_risk_testing.h"

#define MS      1000000LL
#define T0      (1800000000000LL * MS)
#define STEPS   6000
#define N       3

static hb_risk_testing_t s_fx;

//  alpha: spot index instruments for BTC and ETH, a BTC perp; beta: perps
//  only (its index instruments), the only venue of SOL. A margin breach
//  of beta takes SOL out of H; quotes age out at 200 ms.
static const char *s_yaml =
    "hedgebus: 1\n"
    "deployment: incr-test\n"
    "run_dir: %s/run\n"
    "assets: { BTC: { price: 65000, vol: 0.5 }, ETH: { price: 3500, vol: 0.7 },\n"
    "          SOL: { price: 150, vol: 0.9 } }\n"
    "venues:\n"
    "  alpha:\n"
    "    plugin: %s\n"
    "    instruments:\n"
    "      - { symbol: BTC-USD, asset: BTC, kind: spot, tick: 0.01, lot: 0.0001 }\n"
    "      - { symbol: ETH-USD, asset: ETH, kind: spot, tick: 0.01, lot: 0.001 }\n"
    "      - { symbol: BTC-PERP, asset: BTC, kind: linear_perp, tick: 0.1, lot: 0.001 }\n"
    "  beta:\n"
    "    plugin: %s\n"
    "    instruments:\n"
    "      - { symbol: BTC-PERP, asset: BTC, kind: linear_perp, tick: 0.1, lot: 0.001 }\n"
    "      - { symbol: ETH-PERP, asset: ETH, kind: linear_perp, tick: 0.01, lot: 0.01 }\n"
    "      - { symbol: SOL-PERP, asset: SOL, kind: linear_perp, tick: 0.001, lot: 0.1 }\n"
    "components:\n"
    "  risk: { sample_ms: 100, quote_stale_ms: 200, min_samples: 3,\n"
    "          band: 1000000000, bands: { BTC: 40000, ETH: 20000, SOL: 5000 } }\n";

typedef struct {
    const char *venue;
    const char *symbol;
    int         asset;
} s_instr_t;

static const s_instr_t s_instr [] = {
    { "alpha", "BTC-USD", 0 }, { "alpha", "ETH-USD", 1 }, { "alpha", "BTC-PERP", 0 },
    { "beta", "BTC-PERP", 0 }, { "beta", "ETH-PERP", 1 }, { "beta", "SOL-PERP", 2 },
};
#define S_INSTR ((int) (sizeof s_instr / sizeof s_instr [0]))
static const double s_px0 [N] = { 65000, 3500, 150 };
static const double s_unit [N] = { 1, 10, 200 };       //  position sizes of about a band

static uint64_t s_rng = 0x9e3779b97f4a7c15ULL;

static uint64_t
s_next (void)
{
    //  xorshift64*: the same sequence on every run
    s_rng ^= s_rng >> 12;
    s_rng ^= s_rng << 25;
    s_rng ^= s_rng >> 27;
    return s_rng * 2685821657736338717ULL;
}

static double
s_uniform (void)
{
    return (double) (s_next () >> 11) / 9007199254740992.0;
}

static int
s_setup (void **state)
{
    (void) state;
    return hb_risk_testing_setup (&s_fx, "hb_risk_incr_test", s_yaml);
}

static int
s_teardown (void **state)
{
    (void) state;
    hb_risk_testing_teardown (&s_fx);
    return 0;
}

static hb_msg_t s_msg;

static int
s_tick (hb_risk_t *risk, const s_instr_t *in, double mid, bool crossed, int64_t t)
{
    memset (&s_msg, 0, sizeof s_msg);
    s_msg.env.type = HB_MSG_TICK;
    snprintf (s_msg.env.publisher, HB_NAME_MAX, "feed.%s", in->venue);
    s_msg.env.ts_pub = t;
    s_msg.env.epoch = 1;
    s_msg.env.seq = (uint64_t) t;
    snprintf (s_msg.u.tick.venue, HB_NAME_MAX, "%s", in->venue);
    snprintf (s_msg.u.tick.symbol, HB_NAME_MAX, "%s", in->symbol);
    s_msg.u.tick.n_bids = s_msg.u.tick.n_asks = 1;
    double half = mid * 1e-5;
    s_msg.u.tick.bids [0] = (hb_level_t) { crossed ? mid + half : mid - half, 1 };
    s_msg.u.tick.asks [0] = (hb_level_t) { crossed ? mid - half : mid + half, 1 };
    return hb_risk_on_tick (risk, &s_msg, t);
}

static void
s_margin (hb_risk_t *risk, const char *venue, bool breach)
{
    memset (&s_msg, 0, sizeof s_msg);
    s_msg.env.type = HB_MSG_MARGIN;
    snprintf (s_msg.u.margin.venue, HB_NAME_MAX, "%s", venue);
    s_msg.u.margin.flags = breach ? HB_MARGIN_BREACH : 0;
    char topic [HB_TOPIC_MAX];
    snprintf (topic, sizeof topic, "margin.%s", venue);
    assert_int_equal (hb_risk_on_state (risk, topic, &s_msg), 0);
}

static void
s_position (hb_risk_t *risk, const s_instr_t *in, double qty)
{
    hb_position_t pos;
    memset (&pos, 0, sizeof pos);
    snprintf (pos.venue, sizeof pos.venue, "%s", in->venue);
    snprintf (pos.symbol, sizeof pos.symbol, "%s", in->symbol);
    pos.qty = qty;
    pos.entry_px = s_px0 [in->asset];
    assert_int_equal (hb_risk_set_position (risk, &pos), 0);
}

static void
test_check_equals_full_plan (void **state)
{
    (void) state;
    hb_risk_t *risk = hb_risk_new (s_fx.cfg, 7);
    assert_non_null (risk);
    hb_risk_set_data_time (risk, true);
    hb_risk_set_positions_known (risk, true);
    static hb_risk_exposure_t report;
    static hb_risk_hedge_t req;
    double mid [S_INSTR];
    for (int k = 0; k < S_INSTR; k++)
        mid [k] = s_px0 [s_instr [k].asset];
    const double band [N] = { 40000, 20000, 5000 };
    bool breach [2] = { false, false };
    int64_t t = T0;
    bool open = false;              //  a request may go out (none yet since the last sample)
    int requests = 0, quiet = 0, plan_failed = 0, unchanged = 0, hedgeable_sets = 0;
    uint32_t last_h = 0xffffffff;
    for (int step = 0; step < STEPS; step++) {
        t += 1 + (int64_t) (s_uniform () * 60) * MS;
        double u = s_uniform ();
        uint64_t before = hb_risk_changes (risk);
        if (u < 0.55) {
            int k = (int) (s_uniform () * S_INSTR);
            double v = s_uniform ();
            if (v < 0.15) {
                //  the same mid again: an index slot that stays fresh does not count
                int64_t slot_t = t;
                bool was_fresh = s_tick (risk, &s_instr [k], mid [k], false, slot_t) == 0;
                uint64_t after = hb_risk_changes (risk);
                if (was_fresh && s_tick (risk, &s_instr [k], mid [k], false, slot_t + 1) == 0)
                    if (hb_risk_changes (risk) == after)
                        unchanged++;
            }
            else
                s_tick (risk, &s_instr [k], mid [k] *= exp ((s_uniform () - 0.5) * 0.004),
                        v > 0.95, t);
        }
        else
        if (u < 0.7) {
            int k = (int) (s_uniform () * S_INSTR);
            s_position (risk, &s_instr [k], round ((s_uniform () - 0.5) * 8) / 4 * s_unit [s_instr [k].asset]);
            assert_true (hb_risk_changes (risk) > before);
        }
        else
        if (u < 0.76) {
            int v = s_uniform () < 0.5;
            breach [v] = !breach [v];
            s_margin (risk, v ? "beta" : "alpha", breach [v]);
            assert_true (hb_risk_changes (risk) > before);
        }
        else
        if (u < 0.9) {
            hb_risk_sample (risk, t);
            assert_true (hb_risk_changes (risk) > before);
            open = hb_ewma_samples (hb_risk_ewma (risk)) >= 3;
        }
        //  else: only time passes
        int rc = hb_risk_hedge_check (risk, t, &req);

        //  the full computation at the same time, with a planner that keeps nothing
        hb_risk_report (risk, t, &report);
        double e [N];
        bool hedgeable [N];
        uint32_t h_set = 0;
        for (int a = 0; a < N; a++) {
            e [a] = report.assets [a].exposure_usd;
            hedgeable [a] = (report.assets [a].flags & HB_RISK_ASSET_HEDGEABLE) != 0;
            h_set |= hedgeable [a] ? 1u << a : 0;
        }
        if (h_set != last_h)
            hedgeable_sets++;
        last_h = h_set;
        hb_hedge_t *fresh = hb_hedge_new (N);
        assert_non_null (fresh);
        double h [N];
        double cov [N * N];
        hb_risk_plan_cov (risk, hedgeable, cov);
        int plan_rc = hb_hedge_plan (fresh, cov, N, e, hedgeable, h, NULL, NULL);
        hb_hedge_destroy (&fresh);
        bool due = false;
        int targets = 0;
        for (int a = 0; a < N && plan_rc == 0; a++) {
            if (hedgeable [a] && fabs (h [a]) > band [a])
                due = true;
            if (hedgeable [a] && h [a] != 0 && report.assets [a].index > 0)
                targets++;
        }
        plan_failed += plan_rc != 0;
        if (!open || plan_rc != 0 || !due || targets == 0) {
            assert_int_equal (rc, 0);
            quiet++;
            continue;
        }
        assert_int_equal (rc, 1);
        open = false;
        requests++;
        assert_int_equal (req.n_targets, targets);
        for (int i = 0; i < req.n_targets; i++) {
            int a = hb_config_asset_index (s_fx.cfg, req.targets [i].asset);
            assert_true (a >= 0 && a < N);
            //  bit for bit
            assert_true (req.targets [i].target_usd == h [a]);
            assert_true (req.targets [i].exposure_usd == e [a]);
            assert_true (req.targets [i].index == report.assets [a].index);
        }
    }
    hb_risk_destroy (&risk);
    printf ("%d requests, %d steps without, %d repeated mids not counted, %d changes of H, "
            "%d failed plans\n", requests, quiet, unchanged, hedgeable_sets, plan_failed);
    //  the sequence exercised what it is for
    assert_true (requests > 50);
    assert_true (quiet > 1000);
    assert_true (unchanged > 20);
    assert_true (hedgeable_sets > 20);
}

//  Ticks that cannot move a decision are not counted
static void
test_changes (void **state)
{
    (void) state;
    hb_risk_t *risk = hb_risk_new (s_fx.cfg, 7);
    assert_non_null (risk);
    int64_t t = T0;
    uint64_t c = hb_risk_changes (risk);
    //  a new index quote counts; the same mid while fresh does not
    assert_int_equal (s_tick (risk, &s_instr [0], 65000, false, t), 0);
    assert_true (hb_risk_changes (risk) > c);
    c = hb_risk_changes (risk);
    assert_int_equal (s_tick (risk, &s_instr [0], 65000, false, t + 50 * MS), 0);
    assert_true (hb_risk_changes (risk) == c);
    //  ... but after it aged out it does (the slot is fresh again)
    assert_int_equal (s_tick (risk, &s_instr [0], 65000, false, t + 500 * MS), 0);
    assert_true (hb_risk_changes (risk) > c);
    c = hb_risk_changes (risk);
    //  a tradable instrument that is not the venue's index instrument
    assert_int_equal (s_tick (risk, &s_instr [2], 65010, false, t + 510 * MS), 0);
    assert_true (hb_risk_changes (risk) == c);
    //  an unusable quote empties the slot: counted
    assert_int_equal (s_tick (risk, &s_instr [0], 65000, true, t + 520 * MS), -1);
    assert_true (hb_risk_changes (risk) > c);
    c = hb_risk_changes (risk);
    //  a margin message that changes no breach
    s_margin (risk, "alpha", false);
    assert_true (hb_risk_changes (risk) == c);
    s_margin (risk, "alpha", true);
    assert_true (hb_risk_changes (risk) > c);
    hb_risk_destroy (&risk);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_check_equals_full_plan),
        cmocka_unit_test (test_changes),
    };
    return cmocka_run_group_tests_name ("hb_risk_incr", tests, s_setup, s_teardown);
}
