/*  hb_optlive tests: the option legs of hb-risk live on a hand-built
    market. Asset X at 100; 100 long X calls (K 100, expiry 2100-06-01,
    vega bucket "> 30 d") over the gamma band and that bucket's vega band;
    candidates: that call and a 16-day put (bucket "<= 30 d"). With both
    books fresh the plan sells calls at the book's bids and brings gamma
    and the bucket inside their bands; it is not made again while its legs
    are being executed; a stale book is no candidate (no candidates at
    all: that reason); the put alone cannot touch the long bucket's vega
    (infeasible, said once per hold, no legs). A partial fill (every leg's
    final ack in, the fills in the position) is re-planned at once.                            */
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
#include "hb_optlive.h"
#include "hb_risk.h"

#define MS          1000000LL
#define S_NOW       (4101408000LL * 1000000000LL)     //  2099-12-21T00:00:00Z

static char s_dir [64];
static char s_plugin [128];

static const char *s_template =
    "hedgebus: 1\n"
    "deployment: optlive-test\n"
    "run_dir: /tmp/optlive-test-run\n"
    "assets: { X: { price: 100, vol: 0.5 } }\n"
    "venues:\n"
    "  alpha:\n"
    "    plugin: %s\n"
    "    fees: { maker: 0, taker: 0.0003 }\n"
    "    instruments:\n"
    "      - { symbol: X-USD, asset: X, kind: spot, tick: 0.001, lot: 0.01 }\n"
    "      - { symbol: X-C, asset: X, kind: option, type: call, strike: 100, iv: 0.5,\n"
    "          expiry: 2100-06-01, tick: 0.01, lot: 1, min: 1 }\n"
    "      - { symbol: X-P, asset: X, kind: option, type: put, strike: 100, iv: 0.5,\n"
    "          expiry: 2100-01-06, tick: 0.01, lot: 1, min: 1 }\n"
    "components:\n"
    "  risk: { sample_ms: 1000, quote_stale_ms: 3000, vega_buckets: [30],\n"
    "          gamma_bands: { X: 50 }, vega_bands: { X: [1000, 10] } }\n";

typedef struct {
    hb_config_t  *cfg;
    hb_risk_t    *risk;
    hb_optlive_t *opt;
} s_fx_t;

static int
s_setup (void **state)
{
    snprintf (s_dir, sizeof s_dir, "/tmp/hb_optlive_test.XXXXXX");
    if (!mkdtemp (s_dir))
        return -1;
    snprintf (s_plugin, sizeof s_plugin, "%s/hb_venue_fake.so", s_dir);
    FILE *f = fopen (s_plugin, "w");
    if (!f)
        return -1;
    fclose (f);
    char path [128];
    snprintf (path, sizeof path, "%s/optlive.yaml", s_dir);
    f = fopen (path, "w");
    if (!f)
        return -1;
    fprintf (f, s_template, s_plugin);
    fclose (f);
    char errors [2048];
    s_fx_t *fx = calloc (1, sizeof *fx);
    assert_non_null (fx);
    *state = fx;
    fx->cfg = hb_config_load_quiet (path, errors, sizeof errors);
    unlink (path);
    if (!fx->cfg)
        fail_msg ("%s", errors);
    fx->risk = hb_risk_new (fx->cfg, 1);
    fx->opt = hb_optlive_new (fx->cfg);
    return fx->risk && fx->opt ? 0 : -1;
}

static int
s_teardown (void **state)
{
    s_fx_t *fx = *state;
    hb_optlive_destroy (&fx->opt);
    hb_risk_destroy (&fx->risk);
    hb_config_destroy (&fx->cfg);
    free (fx);
    unlink (s_plugin);
    rmdir (s_dir);
    return 0;
}

//  A tick of symbol on alpha at now: 5 levels a side from bid / ask, 30 each
static void
s_tick (s_fx_t *fx, const char *symbol, double bid, double ask, double step, uint32_t flags,
        int64_t now)
{
    static uint64_t seq;
    hb_msg_t msg;
    memset (&msg, 0, sizeof msg);
    msg.env.type = HB_MSG_TICK;
    strcpy (msg.env.publisher, "feed.alpha");
    msg.env.epoch = 1;
    msg.env.seq = ++seq;
    msg.env.ts_pub = now;
    hb_tick_t *t = &msg.u.tick;
    strcpy (t->venue, "alpha");
    snprintf (t->symbol, sizeof t->symbol, "%s", symbol);
    t->flags = flags;
    t->n_bids = t->n_asks = 5;
    for (int l = 0; l < 5; l++) {
        t->bids [l] = (hb_level_t) { bid - l * step, 30 };
        t->asks [l] = (hb_level_t) { ask + l * step, 30 };
    }
    hb_risk_on_tick (fx->risk, &msg, now);
    hb_optlive_on_tick (fx->opt, t, now);
}

//  The index at 100, the long calls held, a sample at now
static void
s_market (s_fx_t *fx, int64_t now)
{
    s_tick (fx, "X-USD", 99.99, 100.01, 0.01, 0, now);
    hb_position_t pos;
    memset (&pos, 0, sizeof pos);
    strcpy (pos.venue, "alpha");
    strcpy (pos.symbol, "X-C");
    strcpy (pos.asset, "X");
    pos.kind = HB_KIND_OPTION;
    pos.qty = 100;
    hb_risk_set_position (fx->risk, &pos);
    hb_risk_set_positions_known (fx->risk, true);
    hb_risk_sample (fx->risk, now);
}

//  The market and both option books, fresh at now
static void
s_books (s_fx_t *fx, int64_t now)
{
    s_market (fx, now);
    s_tick (fx, "X-C", 13.0, 13.2, 0.05, 0, now);
    s_tick (fx, "X-P", 4.0, 4.1, 0.05, 0, now);
}

static void
test_plan (void **state)
{
    s_fx_t *fx = *state;
    int64_t now = S_NOW;
    s_books (fx, now);
    hb_risk_asset_t assets [1];
    hb_risk_desk (fx->risk, now, assets);
    assert_true (assets [0].flags & HB_RISK_ASSET_GAMMA_BAND);
    assert_true (assets [0].flags & HB_RISK_ASSET_VEGA_BAND);

    hb_risk_optplan_t plan;
    assert_int_equal (hb_optlive_check (fx->opt, fx->risk, 0, now, 1, &plan), 1);
    assert_int_equal (plan.reason, 0);
    assert_true (plan.n_legs >= 1);
    assert_string_equal (plan.id, "optlive-test-o4101408000000-0");
    assert_string_equal (plan.asset, "X");
    double sold_calls = 0;
    for (int k = 0; k < plan.n_legs; k++) {
        const hb_optplan_leg_msg_t *leg = &plan.legs [k];
        assert_string_equal (leg->venue, "alpha");
        if (strcmp (leg->symbol, "X-C") == 0 && leg->side == HB_SIDE_SELL) {
            sold_calls += leg->qty;
            //  a sale walks the bids: its limit is one of the book's levels
            double depth = (13.0 - leg->limit_px) / 0.05;
            assert_true (fabs (depth - round (depth)) < 1e-6 && depth >= 0 && depth < 5);
        }
    }
    assert_true (sold_calls > 0);
    //  inside the bands after, at half of each breached one
    assert_true (fabs (plan.gamma_after) <= 0.5 * 50 + 1e-6);
    assert_true (fabs (plan.vega_after [1]) <= 0.5 * 10 + 1e-3);
    assert_true (fabs (plan.vega_after [0]) <= 1000);
    assert_true (plan.gamma_before > 50);
    assert_true (plan.delta < 0);           //  calls sold: the legs' delta is short

    //  being executed: no second plan, however often it is asked
    assert_int_equal (hb_optlive_check (fx->opt, fx->risk, 0, now + 1000 * MS, 2, &plan), 0);
    //  its fills show in the position, one sample later it may plan again
    hb_position_t pos;
    memset (&pos, 0, sizeof pos);
    strcpy (pos.venue, "alpha");
    strcpy (pos.symbol, "X-C");
    strcpy (pos.asset, "X");
    pos.kind = HB_KIND_OPTION;
    pos.qty = 100 - sold_calls;
    hb_risk_set_position (fx->risk, &pos);
    assert_int_equal (hb_optlive_check (fx->opt, fx->risk, 0, now + 1500 * MS, 3, &plan), 0);
    s_tick (fx, "X-USD", 99.99, 100.01, 0.01, 0, now + 2500 * MS);
    hb_risk_sample (fx->risk, now + 2500 * MS);
    //  now inside the bands: nothing to plan
    assert_int_equal (hb_optlive_check (fx->opt, fx->risk, 0, now + 2500 * MS, 4, &plan), 0);
}

//  The final ack of leg k of plan, with filled
static int
s_ack (s_fx_t *fx, const hb_risk_optplan_t *plan, int k, uint8_t status, double filled)
{
    hb_ack_t ack;
    memset (&ack, 0, sizeof ack);
    strcpy (ack.venue, "alpha");
    snprintf (ack.symbol, sizeof ack.symbol, "%s", plan->legs [k].symbol);
    snprintf (ack.client_id, sizeof ack.client_id, "%.40s.%d", plan->id, k);
    ack.status = status;
    ack.filled_qty = filled;
    return hb_optlive_on_ack (fx->opt, &ack);
}

//  A partial fill: every leg final (the first filled one lot, the others
//  nothing) re-plans the rest at the next check, long before
//  option_hold_ms (15 s); a filled leg whose fills are not yet in the
//  position keeps the plan held until they are
static void
test_partial_replan (void **state)
{
    s_fx_t *fx = *state;
    int64_t now = S_NOW;
    s_books (fx, now);
    hb_risk_optplan_t plan, again;
    assert_int_equal (hb_optlive_check (fx->opt, fx->risk, 0, now, 1, &plan), 1);
    assert_true (plan.n_legs >= 1);
    assert_int_equal (hb_optlive_check (fx->opt, fx->risk, 0, now + 100 * MS, 2, &again), 0);

    //  not a leg, not final, a leg past the plan's: ignored
    hb_ack_t ack;
    memset (&ack, 0, sizeof ack);
    snprintf (ack.client_id, sizeof ack.client_id, "%.40s.0", plan.id);
    ack.status = HB_ACK_ACCEPTED;
    assert_int_equal (hb_optlive_on_ack (fx->opt, &ack), -1);
    snprintf (ack.client_id, sizeof ack.client_id, "%.40sx.0", plan.id);
    ack.status = HB_ACK_DONE;
    assert_int_equal (hb_optlive_on_ack (fx->opt, &ack), -1);
    snprintf (ack.client_id, sizeof ack.client_id, "%.40s.%d", plan.id, plan.n_legs);
    assert_int_equal (hb_optlive_on_ack (fx->opt, &ack), -1);

    //  leg 0 filled one lot of its quantity, the others nothing
    double lot = plan.legs [0].side == HB_SIDE_BUY ? 1 : -1;
    assert_int_equal (s_ack (fx, &plan, 0, HB_ACK_CANCELED, 1), 0);
    for (int k = 1; k < plan.n_legs; k++)
        assert_int_equal (s_ack (fx, &plan, k, k % 2 ? HB_ACK_CANCELED : HB_ACK_REJECTED, 0), 0);
    //  leg 0's fill not in the position yet: still held
    assert_int_equal (hb_optlive_check (fx->opt, fx->risk, 0, now + 200 * MS, 3, &again), 0);
    hb_position_t pos;
    memset (&pos, 0, sizeof pos);
    strcpy (pos.venue, "alpha");
    snprintf (pos.symbol, sizeof pos.symbol, "%s", plan.legs [0].symbol);
    strcpy (pos.asset, "X");
    pos.kind = HB_KIND_OPTION;
    pos.qty = (strcmp (pos.symbol, "X-C") == 0 ? 100 : 0) + lot;
    hb_risk_set_position (fx->risk, &pos);
    //  every leg final, its fill in the position: the rest planned now
    int64_t t = now + 300 * MS;
    s_tick (fx, "X-USD", 99.99, 100.01, 0.01, 0, t);
    hb_risk_sample (fx->risk, t);
    assert_int_equal (hb_optlive_check (fx->opt, fx->risk, 0, t, 4, &again), 1);
    assert_int_equal (again.reason, 0);
    assert_true (again.n_legs >= 1);
    assert_string_not_equal (again.id, plan.id);
    //  an ack of the old plan changes nothing now
    assert_int_equal (s_ack (fx, &plan, 0, HB_ACK_DONE, 1), -1);
    assert_int_equal (hb_optlive_check (fx->opt, fx->risk, 0, t + 100 * MS, 5, &plan), 0);
}

static void
test_stale_and_one_candidate (void **state)
{
    s_fx_t *fx = *state;
    int64_t now = S_NOW;
    s_market (fx, now);
    //  books older than quote_stale_ms, one of them flagged stale: no candidate
    s_tick (fx, "X-C", 13.0, 13.2, 0.05, HB_TICK_STALE, now - 100 * MS);
    assert_null (hb_optlive_book (fx->opt, 0, 1, NULL));
    s_tick (fx, "X-P", 4.0, 4.1, 0.05, 0, now - 4000 * MS);
    assert_non_null (hb_optlive_book (fx->opt, 0, 2, NULL));
    hb_risk_optplan_t plan;
    assert_int_equal (hb_optlive_check (fx->opt, fx->risk, 0, now, 1, &plan), 1);
    assert_int_equal (plan.reason, 2);      //  no_candidates
    assert_int_equal (plan.n_legs, 0);
    assert_true (plan.gamma_after == plan.gamma_before);
    //  the put alone, fresh: it cannot move the long bucket's vega
    s_tick (fx, "X-P", 4.0, 4.1, 0.05, 0, now);
    assert_int_equal (hb_optlive_check (fx->opt, fx->risk, 0, now, 2, &plan), 1);
    assert_int_equal (plan.reason, 3);      //  infeasible
    assert_int_equal (plan.n_legs, 0);
    assert_true (strlen (plan.why) > 0);
    //  said once per hold while it lasts
    assert_int_equal (hb_optlive_check (fx->opt, fx->risk, 0, now + 1000 * MS, 3, &plan), 0);
    //  a one-sided call book is no candidate either
    hb_tick_t t;
    memset (&t, 0, sizeof t);
    strcpy (t.venue, "alpha");
    strcpy (t.symbol, "X-C");
    t.n_bids = 1;
    t.bids [0] = (hb_level_t) { 13, 30 };
    assert_int_equal (hb_optlive_on_tick (fx->opt, &t, now), 0);
    assert_null (hb_optlive_book (fx->opt, 0, 1, NULL));
    strcpy (t.symbol, "X-USD");
    assert_int_equal (hb_optlive_on_tick (fx->opt, &t, now), -1);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test_setup_teardown (test_plan, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_stale_and_one_candidate, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_partial_replan, s_setup, s_teardown),
    };
    return cmocka_run_group_tests_name ("hb_optlive", tests, NULL, NULL);
}
