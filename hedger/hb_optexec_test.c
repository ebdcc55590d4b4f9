/*  hb_optexec tests, and hb-hedger's execution of risk.optplan: the option
    controls refuse a leg over max_order_gamma / vega / premium, a limit
    outside band_bps of the mark, a leg with no mark, a plan over the day's
    totals (and count nothing then); a plan's legs are journaled together
    (every intent in the file before the first order, with its greeks),
    sent as limit IOC at the plan's limits, never doubled when the plan
    comes again or after a restart, and a restart puts the day's option
    totals back from the journal. Option legs are no delta in flight.     */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "hb_hedger.h"
#include "hb_hedger_testing.h"
#include "hb_journal_testing.h"
#include "hb_optexec.h"

#define S_MS    1000000LL
#define T0      (1800000000LL * 1000 * S_MS)

typedef struct {
    hb_config_t *cfg;
    hb_hedger_t *hedger;
    char         dir [64];
    int          orders, rejects, not_journaled;
    hb_msg_t     last_order, last_reject;
} s_fx_t;

static int
s_send (const char *topic, hb_msg_t *msg, void *arg)
{
    (void) topic;
    s_fx_t *fx = (s_fx_t *) arg;
    if (msg->env.type == HB_MSG_ORDER) {
        fx->orders++;
        fx->last_order = *msg;
        //  every leg's intent is durable before the first order goes
        char other [HB_ID_MAX];
        snprintf (other, sizeof other, "%s", msg->u.order.client_id);
        other [strlen (other) - 1] = other [strlen (other) - 1] == '0' ? '1' : '0';
        if (!hb_journal_testing_has (fx->cfg->hedger.journal, msg->u.order.client_id)
        ||  !hb_journal_testing_has (fx->cfg->hedger.journal, other))
            fx->not_journaled++;
    }
    if (msg->env.type == HB_MSG_HEDGE_REJECT) {
        fx->rejects++;
        fx->last_reject = *msg;
    }
    return 0;
}

//  alpha lists BTC-PERP and two BTC options
static int
s_setup (void **state)
{
    s_fx_t *fx = calloc (1, sizeof *fx);
    assert_non_null (fx);
    strcpy (fx->dir, "/tmp/hb_optexec_test.XXXXXX");
    assert_non_null (mkdtemp (fx->dir));
    fx->cfg = hb_hedger_testing_config (fx->dir, 5000);
    hb_venue_cfg_t *alpha = &fx->cfg->venues [0];
    if (hb_venue_cfg_alloc (alpha, 3, 1) != 0)
        return -1;
    alpha->n_instruments = 3;
    hb_instrument_cfg_t *ins = alpha->instruments;
    strcpy (ins [0].symbol, "BTC-PERP");
    ins [0].kind = HB_KIND_LINEAR_PERP;
    strcpy (ins [1].symbol, "BTC-C");
    strcpy (ins [2].symbol, "BTC-P");
    for (int i = 0; i < 3; i++) {
        ins [i].multiplier = 1;
        ins [i].tick_size = i ? 5 : 0.1;
        ins [i].lot_size = ins [i].min_qty = i ? 0.01 : 0.001;
        if (i)
            ins [i].kind = HB_KIND_OPTION;
    }
    hb_hedger_cfg_t *h = &fx->cfg->hedger;
    h->opt_max_order_gamma = 5000;
    h->opt_max_order_vega = 2000;
    h->opt_max_order_premium = 100000;
    h->opt_max_day_gamma = 12000;
    h->opt_max_day_vega = 0;
    h->opt_max_day_premium = 0;
    h->opt_band_bps = 500;
    fx->hedger = hb_hedger_new (fx->cfg, s_send, fx, T0);
    *state = fx;
    return fx->hedger ? 0 : -1;
}

static int
s_teardown (void **state)
{
    s_fx_t *fx = *state;
    hb_hedger_destroy (&fx->hedger);
    hb_hedger_testing_cleanup (&fx->cfg, fx->dir);
    free (fx);
    return 0;
}

//  An option book on alpha: mark 4000 (0: none), bid / ask
static void
s_book (s_fx_t *fx, const char *symbol, double mark, double bid, double ask, int64_t now)
{
    hb_msg_t msg;
    memset (&msg, 0, sizeof msg);
    msg.env.type = HB_MSG_TICK;
    hb_tick_t *t = &msg.u.tick;
    strcpy (t->venue, "alpha");
    snprintf (t->symbol, sizeof t->symbol, "%s", symbol);
    t->mark = mark;
    t->n_bids = t->n_asks = 1;
    t->bids [0] = (hb_level_t) { bid, 10 };
    t->asks [0] = (hb_level_t) { ask, 10 };
    assert_int_equal (hb_hedger_on_msg (fx->hedger, &msg, now), 0);
}

//  A plan selling 2 calls at 3950 and 1.5 puts at 2000
static void
s_plan (hb_msg_t *msg, const char *id, int64_t made)
{
    memset (msg, 0, sizeof *msg);
    msg->env.type = HB_MSG_RISK_OPTPLAN;
    strcpy (msg->env.publisher, "risk");
    msg->env.ts_recv = made;
    hb_risk_optplan_t *p = &msg->u.risk_optplan;
    snprintf (p->id, sizeof p->id, "%s", id);
    strcpy (p->asset, "BTC");
    p->index = 65000;
    p->n_buckets = 1;
    p->gamma_before = 12000;
    p->gamma_after = 5000;
    p->n_legs = 2;
    const char *symbols [2] = { "BTC-C", "BTC-P" };
    double qty [2] = { 2, 1.5 }, px [2] = { 3950, 2000 };
    for (int k = 0; k < 2; k++) {
        hb_optplan_leg_msg_t *leg = &p->legs [k];
        strcpy (leg->venue, "alpha");
        strcpy (leg->symbol, symbols [k]);
        leg->side = HB_SIDE_SELL;
        leg->qty = qty [k];
        leg->limit_px = px [k];
        leg->gamma_usd = -3500 * (k + 1) / 2.0;
        leg->vega = -800;
        leg->delta = -0.5;
        leg->premium = -qty [k] * px [k];
    }
}

//  What the hedger knows of the plan's legs: the call marked at call_mark,
//  the put with no mark, its book 2000 / 2050 (the mid 2025)
static void
s_leg_books (s_fx_t *fx, double call_mark, hb_tick_t book [2], hb_optexec_leg_t info [2])
{
    memset (book, 0, 2 * sizeof book [0]);
    book [0].mark = call_mark;
    book [1].n_bids = book [1].n_asks = 1;
    book [1].bids [0] = (hb_level_t) { 2000, 1 };
    book [1].asks [0] = (hb_level_t) { 2050, 1 };
    info [0] = (hb_optexec_leg_t) { &fx->cfg->venues [0].instruments [1], &book [0] };
    info [1] = (hb_optexec_leg_t) { &fx->cfg->venues [0].instruments [2], &book [1] };
}

static void
test_controls (void **state)
{
    s_fx_t *fx = *state;
    hb_optexec_t *ox = hb_optexec_new (fx->cfg);
    assert_non_null (ox);
    hb_msg_t msg;
    s_plan (&msg, "p1", T0);
    hb_risk_optplan_t *p = &msg.u.risk_optplan;
    hb_tick_t book [2];
    hb_optexec_leg_t info [2];
    s_leg_books (fx, 4000, book, info);
    char detail [HB_TEXT_MAX];
    int bad;
    assert_null (hb_optexec_admit (ox, p, info, T0, &bad, detail, sizeof detail));
    double g, v, prem;
    hb_optexec_day (ox, T0, &g, &v, &prem);
    assert_true (g == 5250 && v == 1600 && prem == 2 * 3950 + 1.5 * 2000);
    //  the third time the day's gamma passes 12,000; nothing more counted
    assert_null (hb_optexec_admit (ox, p, info, T0, &bad, detail, sizeof detail));
    assert_string_equal (hb_optexec_admit (ox, p, info, T0, &bad, detail, sizeof detail),
                         "max_day_gamma");
    assert_int_equal (bad, -1);
    hb_optexec_day (ox, T0, &g, &v, &prem);
    assert_true (g == 10500);
    //  a new UTC day starts at 0
    assert_null (hb_optexec_admit (ox, p, info, T0 + 86400000 * S_MS, &bad, detail, sizeof detail));
    //  per leg
    p->legs [1].gamma_usd = -5001;
    assert_string_equal (hb_optexec_admit (ox, p, info, T0, &bad, detail, sizeof detail),
                         "max_order_gamma");
    assert_int_equal (bad, 1);
    assert_non_null (strstr (detail, "5001.00 > max_order_gamma 5000.00"));
    s_plan (&msg, "p1", T0);
    p->legs [0].vega = 2500;
    assert_string_equal (hb_optexec_admit (ox, p, info, T0, &bad, detail, sizeof detail),
                         "max_order_vega");
    s_plan (&msg, "p1", T0);
    p->legs [0].qty = 30;
    assert_string_equal (hb_optexec_admit (ox, p, info, T0, &bad, detail, sizeof detail),
                         "max_order_premium");
    s_plan (&msg, "p1", T0);
    p->legs [1].limit_px = 1900;        //  6.2 % under the mid 2025
    assert_string_equal (hb_optexec_admit (ox, p, info, T0, &bad, detail, sizeof detail),
                         "price_band");
    assert_int_equal (bad, 1);
    s_plan (&msg, "p1", T0);
    info [0].book = NULL;
    assert_string_equal (hb_optexec_admit (ox, p, info, T0, &bad, detail, sizeof detail), "no_mark");
    info [0].ins = &fx->cfg->venues [0].instruments [0];
    assert_string_equal (hb_optexec_admit (ox, p, info, T0, &bad, detail, sizeof detail),
                         "not_option");
    hb_optexec_destroy (&ox);
    assert_null (ox);
}

static void
test_execute_once (void **state)
{
    s_fx_t *fx = *state;
    s_book (fx, "BTC-C", 4000, 3950, 4050, T0);
    s_book (fx, "BTC-P", 0, 2000, 2050, T0);
    hb_msg_t msg;
    s_plan (&msg, "demo-o1-0", T0);
    assert_int_equal (hb_hedger_on_optplan (fx->hedger, &msg, HB_SEQ_OK, T0 + S_MS), 2);
    assert_int_equal (fx->orders, 2);
    assert_int_equal (fx->not_journaled, 0);
    const hb_order_t *o = &fx->last_order.u.order;
    assert_string_equal (o->client_id, "demo-o1-0.1");
    assert_string_equal (o->symbol, "BTC-P");
    assert_int_equal (o->ord_type, HB_ORD_LIMIT);
    assert_int_equal (o->tif, HB_TIF_IOC);
    assert_true (o->px == 2000 && o->qty == 1.5 && o->side == HB_SIDE_SELL);
    //  the intents carry the greeks and premium
    assert_true (hb_journal_testing_has (fx->cfg->hedger.journal, " G -1750 -800 7900"));
    //  option legs are no delta in flight
    assert_true (hb_hedger_in_flight (fx->hedger, 0, T0) == 0);
    //  the same plan again: refused, nothing sent
    assert_int_equal (hb_hedger_on_optplan (fx->hedger, &msg, HB_SEQ_OK, T0 + 2 * S_MS), 0);
    assert_int_equal (fx->orders, 2);
    assert_string_equal (fx->last_reject.u.hedge_reject.reason, "duplicate_request");
    //  after a restart (the seen ids forgotten) its legs are in the journal
    hb_hedger_destroy (&fx->hedger);
    fx->hedger = hb_hedger_new (fx->cfg, s_send, fx, T0 + 3 * S_MS);
    assert_non_null (fx->hedger);
    s_book (fx, "BTC-C", 4000, 3950, 4050, T0 + 3 * S_MS);
    s_book (fx, "BTC-P", 0, 2000, 2050, T0 + 3 * S_MS);
    s_plan (&msg, "demo-o1-0", T0 + 3 * S_MS);
    assert_int_equal (hb_hedger_on_optplan (fx->hedger, &msg, HB_SEQ_OK, T0 + 4 * S_MS), 0);
    assert_int_equal (fx->orders, 2);
    assert_string_equal (fx->last_reject.u.hedge_reject.reason, "duplicate_client_id");
    //  and the day's option gamma came back from the journal: a second
    //  plan (10,500) passes, a third (15,750) is over 12,000
    s_plan (&msg, "demo-o2-0", T0 + 5 * S_MS);
    assert_int_equal (hb_hedger_on_optplan (fx->hedger, &msg, HB_SEQ_OK, T0 + 5 * S_MS), 2);
    s_plan (&msg, "demo-o3-0", T0 + 6 * S_MS);
    assert_int_equal (hb_hedger_on_optplan (fx->hedger, &msg, HB_SEQ_OK, T0 + 6 * S_MS), 0);
    assert_string_equal (fx->last_reject.u.hedge_reject.reason, "max_day_gamma");
    assert_int_equal (fx->orders, 4);
    //  a plan without legs is risk's word only
    s_plan (&msg, "demo-o4-0", T0 + 7 * S_MS);
    msg.u.risk_optplan.n_legs = 0;
    msg.u.risk_optplan.reason = 3;
    assert_int_equal (hb_hedger_on_optplan (fx->hedger, &msg, HB_SEQ_OK, T0 + 7 * S_MS), 0);
    //  a stale plan is refused as a whole
    s_plan (&msg, "demo-o5-0", T0);
    assert_int_equal (hb_hedger_on_optplan (fx->hedger, &msg, HB_SEQ_OK, T0 + 60000 * S_MS), 0);
    assert_string_equal (fx->last_reject.u.hedge_reject.reason, "stale_request");
    assert_int_equal (fx->orders, 4);
}

//  The slippage allowance: a leg sent that much worse than the plan's
//  limit, on its tick, and the price band judged at the price sent
static void
test_slippage (void **state)
{
    s_fx_t *fx = *state;
    fx->cfg->hedger.opt_max_slippage_bps = 100;
    hb_optexec_t *ox = hb_optexec_new (fx->cfg);
    assert_non_null (ox);
    hb_msg_t msg;
    s_plan (&msg, "p1", T0);
    hb_risk_optplan_t *p = &msg.u.risk_optplan;
    hb_optexec_leg_t call = { &fx->cfg->venues [0].instruments [1], NULL };
    //  a sale at 3950 goes at 3910.5, up to the tick: 3915
    assert_true (hb_optexec_limit (ox, &p->legs [0], &call) == 3915);
    assert_true (hb_optexec_limit (ox, &p->legs [1], &call) == 1980);
    //  a buy at 3950 goes at 3989.5, down to the tick: 3985
    p->legs [0].side = HB_SIDE_BUY;
    assert_true (hb_optexec_limit (ox, &p->legs [0], &call) == 3985);
    //  an allowance under a tick leaves the plan's limit
    fx->cfg->hedger.opt_max_slippage_bps = 1;
    assert_true (hb_optexec_limit (ox, &p->legs [0], &call) == 3950);
    fx->cfg->hedger.opt_max_slippage_bps = 0;
    assert_true (hb_optexec_limit (ox, &p->legs [0], &call) == 3950);

    //  the band (500 bps) at the price sent: the put's mid is 2025, a sale
    //  at 2000 with 300 bps goes at 1940 (420 bps off), with 400 at 1920
    //  (519 bps off): refused
    s_plan (&msg, "p1", T0);
    hb_tick_t book [2];
    hb_optexec_leg_t info [2];
    s_leg_books (fx, 3950, book, info);     //  the call at 3795 is 392 bps off
    char detail [HB_TEXT_MAX];
    int bad;
    fx->cfg->hedger.opt_max_slippage_bps = 300;
    assert_null (hb_optexec_admit (ox, p, info, T0, &bad, detail, sizeof detail));
    double g, v, prem;
    hb_optexec_day (ox, T0, &g, &v, &prem);
    assert_true (fabs (prem - (2 * 3835 + 1.5 * 1940)) < 1e-9);     //  at the prices sent
    fx->cfg->hedger.opt_max_slippage_bps = 400;
    assert_string_equal (hb_optexec_admit (ox, p, info, T0, &bad, detail, sizeof detail),
                         "price_band");
    assert_int_equal (bad, 1);
    assert_non_null (strstr (detail, "limit 1920 (plan 2000)"));
    hb_optexec_destroy (&ox);

    //  the hedger sends the legs at those prices
    fx->cfg->hedger.opt_max_slippage_bps = 100;
    s_book (fx, "BTC-C", 4000, 3950, 4050, T0);
    s_book (fx, "BTC-P", 0, 2000, 2050, T0);
    s_plan (&msg, "demo-o9-0", T0);
    assert_int_equal (hb_hedger_on_optplan (fx->hedger, &msg, HB_SEQ_OK, T0 + S_MS), 2);
    const hb_order_t *o = &fx->last_order.u.order;
    assert_string_equal (o->client_id, "demo-o9-0.1");
    assert_true (o->px == 1980 && o->side == HB_SIDE_SELL);
    assert_true (hb_journal_testing_has (fx->cfg->hedger.journal, " G -1750 -800 7830"));
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test_setup_teardown (test_controls, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_execute_once, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_slippage, s_setup, s_teardown),
    };
    return cmocka_run_group_tests_name ("hb_optexec", tests, NULL, NULL);
}
