/*  hb_msg_optplan tests: risk.optplan round-trips field for field with the
    most legs and with none (a reason), the encoder refuses what the
    decoder would refuse, truncations and bit flips fail cleanly, more legs
    or buckets than the struct holds are refused as oversized, and the
    topic and JSON are as docs/PROTOCOL.md says.                           */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <msgpack.h>
#include <stdio.h>
#include <string.h>
#include "hb_msg.h"
#include "hb_msg_testing.h"

static void
s_plan (hb_msg_t *msg, int n_legs)
{
    hb_msg_testing_env (msg, HB_MSG_RISK_OPTPLAN, "risk", 9);
    hb_risk_optplan_t *p = &msg->u.risk_optplan;
    strcpy (p->id, "demo-o1763700000000-BTC");
    strcpy (p->asset, "BTC");
    strcpy (p->why, "2 legs, cost 12.5 USD");
    p->sample = 42;
    p->index = 65000.5;
    p->gamma_band = 10000;
    p->gamma_before = 12000.25;
    p->gamma_after = 5000.125;
    p->cost = 12.5;
    p->premium = -1500.75;
    p->delta = -3.25;
    p->n_buckets = 4;
    for (int b = 0; b < 4; b++) {
        p->vega_band [b] = 1000.0f * (float) (b + 1);
        p->vega_before [b] = b == 3 ? 3700.5f : 0;
        p->vega_after [b] = b == 3 ? 1500.25f : 0;
    }
    p->n_legs = (uint8_t) n_legs;
    for (int i = 0; i < n_legs; i++) {
        hb_optplan_leg_msg_t *leg = &p->legs [i];
        strcpy (leg->venue, "gamma");
        snprintf (leg->symbol, sizeof leg->symbol, "BTC-25JUN27-%d-C", 80000 + 1000 * i);
        leg->side = i % 2 ? HB_SIDE_BUY : HB_SIDE_SELL;
        leg->bucket = 3;
        leg->qty = 0.5 * (i + 1);
        leg->limit_px = 5995 + i;
        leg->gamma_usd = -350.5 * (i + 1);
        leg->vega = -110.25;
        leg->delta = -0.25;
        leg->premium = -2997.5;
    }
}

static void
test_roundtrip (void **state)
{
    (void) state;
    for (int n = 0; n <= HB_OPTPLAN_MSG_LEGS; n += HB_OPTPLAN_MSG_LEGS) {
        hb_msg_t msg, back;
        s_plan (&msg, n);
        if (n == 0)
            msg.u.risk_optplan.reason = 3;
        hb_buf_t buf;
        assert_int_equal (hb_msg_encode (&msg, &buf), 0);
        assert_true (buf.size < HB_MSG_MAX_SIZE);
        hb_decode_reason_t reason;
        assert_int_equal (hb_msg_decode (&back, buf.data, buf.size, &reason), 0);
        assert_memory_equal (&back.u.risk_optplan, &msg.u.risk_optplan, sizeof msg.u.risk_optplan);
    }
}

static void
test_refused (void **state)
{
    (void) state;
    hb_msg_t msg;
    hb_buf_t buf;
    s_plan (&msg, 2);
    assert_int_equal (hb_msg_encode (&msg, &buf), 0);
    msg.u.risk_optplan.reason = 3;          //  legs only with ok
    assert_int_equal (hb_msg_encode (&msg, &buf), -1);
    s_plan (&msg, 2);
    msg.u.risk_optplan.legs [1].qty = 0;
    assert_int_equal (hb_msg_encode (&msg, &buf), -1);
    s_plan (&msg, 2);
    msg.u.risk_optplan.legs [0].bucket = 4;  //  past n_buckets
    assert_int_equal (hb_msg_encode (&msg, &buf), -1);
    s_plan (&msg, 2);
    msg.u.risk_optplan.reason = HB_OPTPLAN_MSG_REASONS;
    msg.u.risk_optplan.n_legs = 0;
    assert_int_equal (hb_msg_encode (&msg, &buf), -1);
    s_plan (&msg, 2);
    msg.u.risk_optplan.index = NAN;
    assert_int_equal (hb_msg_encode (&msg, &buf), -1);
    s_plan (&msg, 2);
    strcpy (msg.u.risk_optplan.legs [0].venue, "ga mma");
    assert_int_equal (hb_msg_encode (&msg, &buf), -1);
    s_plan (&msg, 2);
    msg.u.risk_optplan.n_legs = HB_OPTPLAN_MSG_LEGS + 1;
    assert_int_equal (hb_msg_encode (&msg, &buf), -1);
    s_plan (&msg, 2);
    msg.u.risk_optplan.id [0] = 0;
    assert_int_equal (hb_msg_encode (&msg, &buf), -1);
}

static void
test_decode_refused (void **state)
{
    (void) state;
    hb_msg_t msg, back;
    s_plan (&msg, 3);
    hb_buf_t buf;
    assert_int_equal (hb_msg_encode (&msg, &buf), 0);
    hb_decode_reason_t reason;
    for (size_t cut = 0; cut < buf.size; cut++)
        assert_int_equal (hb_msg_decode (&back, buf.data, cut, &reason), -1);
    //  bit flips: never a crash, and what decodes is valid again
    for (size_t i = 0; i < buf.size; i++) {
        hb_buf_t flipped = buf;
        flipped.data [i] ^= (uint8_t) (1u << (i % 8));
        if (hb_msg_decode (&back, flipped.data, flipped.size, &reason) == 0) {
            hb_buf_t again;
            assert_int_equal (hb_msg_encode (&back, &again), 0);
        }
    }
}

//  An envelope and a body of n_legs legs and n_buckets buckets packed by
//  hand, past what the struct holds
static size_t
s_pack (msgpack_sbuffer *sbuf, int n_buckets, int n_legs)
{
    msgpack_packer pk;
    msgpack_packer_init (&pk, sbuf, msgpack_sbuffer_write);
    msgpack_pack_array (&pk, 9);
    msgpack_pack_uint8 (&pk, HB_SCHEMA_VERSION);
    msgpack_pack_uint8 (&pk, HB_MSG_RISK_OPTPLAN);
    msgpack_pack_str_with_body (&pk, "risk", 4);
    msgpack_pack_uint64 (&pk, 1);
    msgpack_pack_uint64 (&pk, 1);
    msgpack_pack_int64 (&pk, 0);
    msgpack_pack_int64 (&pk, 0);
    msgpack_pack_int64 (&pk, 1);
    msgpack_pack_array (&pk, 15);
    msgpack_pack_str_with_body (&pk, "p1", 2);
    msgpack_pack_str_with_body (&pk, "BTC", 3);
    msgpack_pack_uint8 (&pk, 0);
    msgpack_pack_str_with_body (&pk, "x", 1);
    msgpack_pack_uint64 (&pk, 1);
    for (int i = 0; i < 7; i++)
        msgpack_pack_double (&pk, 1);
    msgpack_pack_uint8 (&pk, (uint8_t) (n_buckets > 8 ? 8 : n_buckets));
    msgpack_pack_array (&pk, (uint32_t) (3 * n_buckets));
    for (int i = 0; i < 3 * n_buckets; i++)
        msgpack_pack_float (&pk, 1);
    msgpack_pack_array (&pk, (uint32_t) (10 * n_legs));
    for (int i = 0; i < n_legs; i++) {
        msgpack_pack_str_with_body (&pk, "g", 1);
        msgpack_pack_str_with_body (&pk, "C", 1);
        msgpack_pack_uint8 (&pk, 1);
        msgpack_pack_uint8 (&pk, 0);
        for (int k = 0; k < 6; k++)
            msgpack_pack_double (&pk, 1);
    }
    return sbuf->size;
}

static void
test_oversized (void **state)
{
    (void) state;
    hb_msg_t back;
    hb_decode_reason_t reason;
    int cases [3][3] = { { 1, 2, HB_DECODE_OK }, { 1, HB_OPTPLAN_MSG_LEGS + 1, HB_DECODE_OVERSIZED },
                         { HB_RISK_VEGA_BUCKETS + 1, 1, HB_DECODE_RANGE } };
    for (int c = 0; c < 3; c++) {
        msgpack_sbuffer sbuf;
        msgpack_sbuffer_init (&sbuf);
        size_t size = s_pack (&sbuf, cases [c][0], cases [c][1]);
        int rc = hb_msg_decode (&back, sbuf.data, size, &reason);
        if (cases [c][2] == HB_DECODE_OK)
            assert_int_equal (rc, 0);
        else {
            assert_int_equal (rc, -1);
            assert_true (reason == HB_DECODE_OVERSIZED || reason == (hb_decode_reason_t) cases [c][2]);
        }
        msgpack_sbuffer_destroy (&sbuf);
    }
}

static void
test_topic_json (void **state)
{
    (void) state;
    hb_msg_t msg;
    s_plan (&msg, 1);
    char topic [HB_TOPIC_MAX];
    assert_int_equal (hb_msg_topic (&msg, topic), (int) strlen ("risk.optplan"));
    assert_string_equal (topic, "risk.optplan");
    assert_string_equal (hb_msg_type_name (HB_MSG_RISK_OPTPLAN), "risk_optplan");
    char out [8192];
    hb_msg_to_json (&msg, NULL, out, sizeof out);
    assert_non_null (strstr (out, "\"risk_optplan\":{\"id\":\"demo-o1763700000000-BTC\",\"asset\":\"BTC\","
                                  "\"reason\":\"ok\""));
    assert_non_null (strstr (out, "\"legs\":[{\"venue\":\"gamma\",\"symbol\":\"BTC-25JUN27-80000-C\","
                                  "\"side\":\"sell\",\"bucket\":3,\"qty\":0.5,\"limit_px\":5995"));
    msg.u.risk_optplan.reason = 2;
    msg.u.risk_optplan.n_legs = 0;
    hb_msg_to_json (&msg, NULL, out, sizeof out);
    assert_non_null (strstr (out, "\"reason\":\"no_candidates\""));
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_roundtrip),
        cmocka_unit_test (test_refused),
        cmocka_unit_test (test_decode_refused),
        cmocka_unit_test (test_oversized),
        cmocka_unit_test (test_topic_json),
    };
    return cmocka_run_group_tests_name ("hb_msg_optplan", tests, NULL, NULL);
}
