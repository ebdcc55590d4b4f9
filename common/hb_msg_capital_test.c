/*  hb_msg_capital tests: the capital plan (capital.plan.<venue>) round-trips
    field for field with the most transfers and with none, the encoder
    refuses what the decoder would refuse, every truncation and many bit
    flips fail cleanly, and the topic and JSON are as docs/PROTOCOL.md says. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "hb_msg.h"
#include "hb_msg_testing.h"

//  msg cleared, with hb-treasury's envelope of type and seq
static void
s_env (hb_msg_t *msg, int type, uint64_t seq)
{
    hb_msg_testing_env (msg, type, "treasury", seq);
}

static void
s_plan (hb_msg_t *msg)
{
    s_env (msg, HB_MSG_CAPITAL_PLAN, 7);
    hb_capital_plan_t *p = &msg->u.capital_plan;
    strcpy (p->venue, "beta");
    p->flags = HB_PLAN_SHORT | HB_PLAN_COVERED | HB_PLAN_TRUNCATED;
    p->reason = HB_PLAN_REASON_NONE;
    p->direction = 1;
    p->plan = 123456789012ull;
    p->equity_usd = 150000.25;
    p->maintenance_usd = 80000.5;
    p->stress_loss_usd = 125000.125;
    p->required_usd = 225000.75;
    p->surplus_usd = -75000.5;
    p->available_usd = 0;
    p->liq_s = 672.5;
    p->covered_usd = 80000;
    p->n_transfers = HB_PLAN_TRANSFERS;
    for (int i = 0; i < HB_PLAN_TRANSFERS; i++) {
        hb_capital_transfer_t *t = &p->transfers [i];
        snprintf (t->route, HB_NAME_MAX, "r%d", i);
        strcpy (t->from, i % 2 ? "alpha" : "gamma");
        strcpy (t->to, "beta");
        strcpy (t->asset, i % 3 ? "USDC" : "BTC");
        strcpy (t->network, i % 3 ? "arbitrum" : "bitcoin");
        t->amount = 10000.5 * (i + 1);
        t->amount_usd = 10000.5 * (i + 1);
        t->fee = 0.25 * i;
        t->delay_s = 60.0 * (i + 1);
        t->spread_s = 15.5;
        t->eta_ns = 1763700000000000000ll + i;
    }
}

static void
test_roundtrip (void **state)
{
    (void) state;
    hb_msg_t msg;
    s_plan (&msg);
    hb_msg_testing_roundtrip (&msg);
    //  the longest names in every transfer still fit the payload
    for (int i = 0; i < HB_PLAN_TRANSFERS; i++) {
        hb_capital_transfer_t *t = &msg.u.capital_plan.transfers [i];
        memset (t->route, 'r', HB_NAME_MAX - 1);
        memset (t->asset, 'a', HB_NAME_MAX - 1);
        memset (t->network, 'n', HB_NAME_MAX - 1);
        memset (t->from, 'f', HB_NAME_MAX - 1);
    }
    memset (msg.u.capital_plan.venue, 'v', HB_NAME_MAX - 1);
    for (int i = 0; i < HB_PLAN_TRANSFERS; i++)
        memset (msg.u.capital_plan.transfers [i].to, 'v', HB_NAME_MAX - 1);
    hb_msg_testing_roundtrip (&msg);
    //  a venue with surplus, nothing to move, not liquidated by the stress
    s_plan (&msg);
    hb_capital_plan_t *p = &msg.u.capital_plan;
    p->flags = 0;
    p->direction = -1;
    p->surplus_usd = 5e6;
    p->available_usd = 4e6;
    p->liq_s = -1;
    p->covered_usd = 0;
    p->n_transfers = 0;
    memset (p->transfers, 0, sizeof p->transfers);
    hb_msg_testing_roundtrip (&msg);
    //  short, no route in time
    p->flags = HB_PLAN_SHORT | HB_PLAN_BREACH | HB_PLAN_STALE;
    p->surplus_usd = -1;
    p->reason = HB_PLAN_REASON_BREACH;
    p->liq_s = 0;
    hb_msg_testing_roundtrip (&msg);
}

#define REFUSE(change) do { \
    hb_msg_t m; s_plan (&m); change; \
    assert_int_equal (hb_msg_encode (&m, &buf), -1); \
    assert_int_equal (buf.size, 0); \
} while (0)

static void
test_refused (void **state)
{
    (void) state;
    hb_buf_t buf;
    REFUSE (m.u.capital_plan.venue [0] = 0);
    REFUSE (m.u.capital_plan.flags = 0x100);
    REFUSE (m.u.capital_plan.reason = HB_PLAN_REASON_COUNT);
    REFUSE (m.u.capital_plan.direction = 2);
    REFUSE (m.u.capital_plan.equity_usd = NAN);
    REFUSE (m.u.capital_plan.required_usd = -1);
    REFUSE (m.u.capital_plan.stress_loss_usd = INFINITY);
    REFUSE (m.u.capital_plan.liq_s = -0.5);
    REFUSE (m.u.capital_plan.covered_usd = -1);
    REFUSE (m.u.capital_plan.flags = 0);                        //  short without the flag
    REFUSE (m.u.capital_plan.surplus_usd = 1);                  //  the flag without a shortfall
    REFUSE (m.u.capital_plan.n_transfers = HB_PLAN_TRANSFERS + 1);
    REFUSE (m.u.capital_plan.transfers [1].amount = 0);
    REFUSE (m.u.capital_plan.transfers [1].amount = NAN);
    REFUSE (m.u.capital_plan.transfers [2].fee = -0.1);
    REFUSE (m.u.capital_plan.transfers [3].delay_s = -1);
    REFUSE (m.u.capital_plan.transfers [4].eta_ns = -1);
    REFUSE (strcpy (m.u.capital_plan.transfers [5].network, "arb one"));
    REFUSE (strcpy (m.u.capital_plan.transfers [6].from, "beta"));   //  to itself
    //  a transfer between two other venues does not belong on this plan
    REFUSE (strcpy (m.u.capital_plan.transfers [7].to, "delta"));
}

//  What the decoder refuses that the encoder cannot produce: a count that
//  disagrees with the transfers, a direction out of range
static void
test_decode_refused (void **state)
{
    (void) state;
    hb_msg_t msg;
    s_plan (&msg);
    msg.u.capital_plan.n_transfers = 1;
    hb_buf_t buf;
    assert_int_equal (hb_msg_encode (&msg, &buf), 0);
    //  n_transfers is the byte before the transfers' array header (0x9b = 11 fields)
    size_t at = 0;
    for (size_t i = 0; i + 1 < buf.size; i++)
        if (buf.data [i] == 0x01 && buf.data [i + 1] == 0x9b)
            at = i;
    assert_true (at > 0);
    hb_msg_t back;
    hb_decode_reason_t reason;
    buf.data [at] = 0x02;
    assert_int_equal (hb_msg_decode (&back, buf.data, buf.size, &reason), -1);
    assert_int_equal (reason, HB_DECODE_FIELD_TYPE);
    buf.data [at] = 0x09;           //  above HB_PLAN_TRANSFERS
    assert_int_equal (hb_msg_decode (&back, buf.data, buf.size, &reason), -1);
    assert_int_equal (reason, HB_DECODE_RANGE);
}

static void
test_topic_json (void **state)
{
    (void) state;
    hb_msg_t msg;
    char topic [HB_TOPIC_MAX];
    s_plan (&msg);
    assert_int_equal (hb_msg_topic (&msg, topic), (int) strlen ("capital.plan.beta"));
    assert_string_equal (topic, "capital.plan.beta");
    char out [8192];
    msg.u.capital_plan.n_transfers = 1;
    hb_msg_to_json (&msg, NULL, out, sizeof out);
    assert_non_null (strstr (out, "\"topic\":\"capital.plan.beta\""));
    assert_non_null (strstr (out, "\"capital_plan\":{\"venue\":\"beta\",\"flags\":[\"short\",\"covered\","
                                  "\"truncated\"],\"reason\":\"none\",\"direction\":1,"));
    assert_non_null (strstr (out, "\"transfers\":[{\"route\":\"r0\",\"from\":\"gamma\",\"to\":\"beta\","
                                  "\"asset\":\"BTC\",\"network\":\"bitcoin\",\"amount\":10000.5,"));
    assert_non_null (strstr (out, "}]}}"));
    assert_string_equal (hb_plan_reason_name (HB_PLAN_REASON_TOO_SLOW), "too_slow");
    assert_string_equal (hb_plan_reason_name (HB_PLAN_REASON_COUNT), "unknown");
}

//  capital.reduce: beta's BTC short, 40 % of it to move off
static void
s_reduce (hb_msg_t *msg)
{
    s_env (msg, HB_MSG_CAPITAL_REDUCE, 8);
    hb_reduce_t *r = &msg->u.reduce;
    strcpy (r->id, "beta.rmhq1x2k0.3");
    strcpy (r->venue, "beta");
    strcpy (r->asset, "BTC");
    r->reason = HB_PLAN_REASON_TOO_SLOW;
    r->plan = 77;
    r->exposure_usd = -97500;
    r->reduce_usd = 39000;
    r->qty = 0.6;
    r->shortfall_usd = 10469.5;
    r->liq_s = 4.25;
}

static void
test_reduce (void **state)
{
    (void) state;
    hb_msg_t msg;
    s_reduce (&msg);
    hb_msg_testing_roundtrip (&msg);
    memset (msg.u.reduce.venue, 'v', HB_NAME_MAX - 1);
    memset (msg.u.reduce.asset, 'a', HB_NAME_MAX - 1);
    memset (msg.u.reduce.id, 'i', HB_ID_MAX - 1);
    hb_msg_testing_roundtrip (&msg);
    s_reduce (&msg);
    char topic [HB_TOPIC_MAX];
    assert_int_equal (hb_msg_topic (&msg, topic), (int) strlen ("capital.reduce.beta"));
    assert_string_equal (topic, "capital.reduce.beta");
    char out [4096];
    hb_msg_to_json (&msg, NULL, out, sizeof out);
    assert_non_null (strstr (out, "\"capital_reduce\":{\"id\":\"beta.rmhq1x2k0.3\",\"venue\":\"beta\","
                                  "\"asset\":\"BTC\",\"reason\":\"too_slow\",\"plan\":77,"
                                  "\"exposure_usd\":-97500,\"reduce_usd\":39000,\"qty\":0.6,"));
    hb_buf_t buf;
#define REFUSE_R(change) do { \
    hb_msg_t m; s_reduce (&m); change; \
    assert_int_equal (hb_msg_encode (&m, &buf), -1); \
} while (0)
    REFUSE_R (m.u.reduce.id [0] = 0);
    REFUSE_R (m.u.reduce.venue [0] = 0);
    REFUSE_R (m.u.reduce.reason = HB_PLAN_REASON_NONE);         //  nothing to reduce for
    REFUSE_R (m.u.reduce.reason = HB_PLAN_REASON_COUNT);
    REFUSE_R (m.u.reduce.exposure_usd = 0);
    REFUSE_R (m.u.reduce.reduce_usd = 0);
    REFUSE_R (m.u.reduce.reduce_usd = 97501);                   //  more than the exposure
    REFUSE_R (m.u.reduce.qty = -0.6);                           //  adds to the short
    REFUSE_R (m.u.reduce.qty = NAN);
    REFUSE_R (m.u.reduce.shortfall_usd = -1);
    REFUSE_R (m.u.reduce.liq_s = INFINITY);
#undef REFUSE_R
    //  what the decoder refuses: a reduction that adds to the exposure
    s_reduce (&msg);
    assert_int_equal (hb_msg_encode (&msg, &buf), 0);
    msg.u.reduce.qty = -0.6;
    hb_msg_t back;
    hb_decode_reason_t reason;
    //  0.6 is the only 0x3fe3333333333333 in the payload: negate it
    for (size_t i = 0; i + 8 < buf.size; i++)
        if (buf.data [i] == 0xcb && buf.data [i + 1] == 0x3f && buf.data [i + 2] == 0xe3
        &&  buf.data [i + 3] == 0x33)
            buf.data [i + 1] = 0xbf;
    assert_int_equal (hb_msg_decode (&back, buf.data, buf.size, &reason), -1);
    assert_int_equal (reason, HB_DECODE_RANGE);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_roundtrip),
        cmocka_unit_test (test_refused),
        cmocka_unit_test (test_decode_refused),
        cmocka_unit_test (test_topic_json),
        cmocka_unit_test (test_reduce),
    };
    return cmocka_run_group_tests_name ("hb_msg_capital", tests, NULL, NULL);
}
