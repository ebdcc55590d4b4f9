/*  hb_msg_state tests: the aggregator's messages (position, exposure,
    margin, snapshot end) round-trip field for field, the encoder refuses
    what the decoder would refuse, every truncation and many bit flips fail
    cleanly, and topics and JSON come out as docs/PROTOCOL.md says.        */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "hb_msg.h"
#include "hb_msg_testing.h"

static void
s_env (hb_msg_t *msg, int type)
{
    hb_msg_testing_env (msg, type, "aggregator", 42);
    msg->env.ts_venue = 11;
}

static void
s_position (hb_msg_t *msg)
{
    s_env (msg, HB_MSG_POSITION);
    hb_position_t *pos = &msg->u.position;
    strcpy (pos->venue, "gamma");
    strcpy (pos->symbol, "BTC-INV");
    strcpy (pos->asset, "BTC");
    pos->kind = 3;
    pos->flags = HB_POS_STALE;
    pos->qty = -1500;
    pos->entry_px = 64123.5;
    pos->mark_px = 65010.25;
    pos->realized = 0.0123456789;
    pos->fees = -0.000017;
    pos->unrealized = -0.03190411;
    pos->exposure_usd = -150000;
    strcpy (pos->settle, "BTC");
    pos->fills = 77;
    pos->mark_ts = 1763700000123456789;
    strcpy (pos->last_fill, "gamma-f-77");
    pos->last_fill_epoch = 1790000000000000001ULL;
    pos->last_fill_seq = 77;
}

static void
s_exposure (hb_msg_t *msg)
{
    s_env (msg, HB_MSG_EXPOSURE);
    hb_exposure_t *exp = &msg->u.exposure;
    strcpy (exp->asset, "ETH");
    exp->flags = HB_POS_NO_MARK;
    exp->price = 3401.17;
    exp->net_qty = -12.75;
    exp->net_usd = -43364.9175;
    exp->gross_usd = 1.5e6;
    exp->positions = 5;
}

static void
s_margin (hb_msg_t *msg)
{
    s_env (msg, HB_MSG_MARGIN);
    hb_margin_t *m = &msg->u.margin;
    strcpy (m->venue, "beta");
    m->flags = HB_MARGIN_TRUNCATED | HB_MARGIN_BREACH;
    m->collateral_usd = 1000000.5;
    m->unrealized_usd = -12345.678;
    m->equity_usd = 987654.822;
    m->initial_usd = 52000.25;
    m->maintenance_usd = 26000.125;
    m->utilization = 0.05265;
    m->n_assets = HB_MARGIN_ASSETS;
    for (int i = 0; i < HB_MARGIN_ASSETS; i++) {
        snprintf (m->assets [i].asset, HB_NAME_MAX, "A%d", i);
        m->assets [i].exposure_usd = 1000.5 * (i + 1) * (i % 2? -1: 1);
        m->assets [i].has_liq = i % 3 != 0;
        m->assets [i].liq_move = m->assets [i].has_liq? -0.0625 * (i % 8 + 1): 0;
    }
}

static void
test_roundtrip (void **state)
{
    (void) state;
    hb_msg_t msg;
    s_position (&msg);
    hb_msg_testing_roundtrip (&msg);
    msg.u.position.qty = 0;         //  flat: entry 0 is fine
    msg.u.position.entry_px = 0;
    memset (msg.u.position.last_fill, 0, HB_ID_MAX);   //  no fill yet
    hb_msg_testing_roundtrip (&msg);
    s_exposure (&msg);
    hb_msg_testing_roundtrip (&msg);
    s_margin (&msg);
    hb_msg_testing_roundtrip (&msg);
    msg.u.margin.n_assets = 0;
    memset (msg.u.margin.assets, 0, sizeof msg.u.margin.assets);
    hb_msg_testing_roundtrip (&msg);
    //  the largest: every entry, the longest names, values as wide as msgpack makes them
    s_margin (&msg);
    snprintf (msg.env.publisher, HB_NAME_MAX, "%.31s", "aggregator-with-a-long-name-0123456789");
    snprintf (msg.u.margin.venue, HB_NAME_MAX, "%.31s", "venue-with-the-longest-name-0123456789");
    for (int i = 0; i < HB_MARGIN_ASSETS; i++) {
        snprintf (msg.u.margin.assets [i].asset, HB_NAME_MAX, "asset-with-the-longest-name-%03u", (unsigned) i % 1000u);
        msg.u.margin.assets [i].exposure_usd = -1234567.891 - i;
        msg.u.margin.assets [i].has_liq = 1;
        msg.u.margin.assets [i].liq_move = -0.123456789;
    }
    hb_buf_t buf;
    assert_int_equal (hb_msg_encode (&msg, &buf), 0);
    printf ("    largest margin (%d assets): %zu bytes of %d\n", HB_MARGIN_ASSETS, buf.size, HB_MSG_MAX_SIZE);
    hb_msg_testing_roundtrip (&msg);
    s_env (&msg, HB_MSG_SNAPSHOT_END);
    msg.u.snapshot_end.count = 123456789012ull;
    hb_msg_testing_roundtrip (&msg);
}

#define REFUSE(setup, change) do { \
    hb_msg_t m; setup (&m); change; \
    assert_int_equal (hb_msg_encode (&m, &buf), -1); \
    assert_int_equal (buf.size, 0); \
} while (0)

static void
test_refused (void **state)
{
    (void) state;
    hb_buf_t buf;
    REFUSE (s_position, m.u.position.qty = NAN);
    REFUSE (s_position, m.u.position.kind = 0);
    REFUSE (s_position, m.u.position.kind = 6);
    REFUSE (s_position, m.u.position.entry_px = -1);
    REFUSE (s_position, m.u.position.unrealized = INFINITY);
    REFUSE (s_position, m.u.position.flags = HB_MARGIN_BREACH);
    REFUSE (s_position, strcpy (m.u.position.settle, "U SD"));
    REFUSE (s_position, m.u.position.symbol [0] = 0);
    REFUSE (s_position, m.u.position.mark_ts = -1);
    REFUSE (s_position, strcpy (m.u.position.last_fill, "f 1"));
    REFUSE (s_position, memset (m.u.position.last_fill, 'f', HB_ID_MAX));
    REFUSE (s_exposure, m.u.exposure.gross_usd = -1);
    REFUSE (s_exposure, m.u.exposure.net_usd = NAN);
    REFUSE (s_exposure, m.u.exposure.asset [0] = 0);
    REFUSE (s_margin, m.u.margin.n_assets = HB_MARGIN_ASSETS + 1);
    REFUSE (s_margin, m.u.margin.utilization = -0.1);
    REFUSE (s_margin, m.u.margin.initial_usd = NAN);
    REFUSE (s_margin, m.u.margin.assets [0].liq_move = 0.5);     //  without has_liq
    REFUSE (s_margin, m.u.margin.assets [1].liq_move = -1.5);    //  below -100 %
    REFUSE (s_margin, m.u.margin.assets [1].liq_move = 11);      //  beyond +1000 %
    REFUSE (s_margin, m.u.margin.assets [2].has_liq = 2);
    REFUSE (s_margin, m.u.margin.flags = 0x100);
}

static void
test_topics (void **state)
{
    (void) state;
    hb_msg_t msg;
    char topic [HB_TOPIC_MAX];
    s_position (&msg);
    assert_int_equal (hb_msg_topic (&msg, topic), (int) strlen ("pos.BTC.gamma.BTC-INV"));
    assert_string_equal (topic, "pos.BTC.gamma.BTC-INV");
    //  three of the longest names do not fit: no topic rather than a cut one
    memset (msg.u.position.asset, 'a', HB_NAME_MAX - 1);
    memset (msg.u.position.venue, 'v', HB_NAME_MAX - 1);
    memset (msg.u.position.symbol, 's', HB_NAME_MAX - 1);
    assert_int_equal (hb_msg_topic (&msg, topic), -1);
    msg.u.position.symbol [HB_TOPIC_MAX - 4 - 2 * HB_NAME_MAX - 1] = 0;
    assert_int_equal (hb_msg_topic (&msg, topic), HB_TOPIC_MAX - 1);
    msg.u.position.symbol [0] = ' ';
    assert_int_equal (hb_msg_topic (&msg, topic), -1);
    s_exposure (&msg);
    assert_int_equal (hb_msg_topic (&msg, topic), 7);
    assert_string_equal (topic, "pos.ETH");
    s_margin (&msg);
    assert_int_equal (hb_msg_topic (&msg, topic), 11);
    assert_string_equal (topic, "margin.beta");
    s_env (&msg, HB_MSG_SNAPSHOT_END);
    assert_int_equal (hb_msg_topic (&msg, topic), 12);
    assert_string_equal (topic, "snapshot.end");
}

static void
test_json (void **state)
{
    (void) state;
    hb_msg_t msg;
    char out [4096];
    s_position (&msg);
    hb_msg_to_json (&msg, NULL, out, sizeof out);
    assert_non_null (strstr (out, "\"topic\":\"pos.BTC.gamma.BTC-INV\""));
    assert_non_null (strstr (out, "\"position\":{\"venue\":\"gamma\",\"symbol\":\"BTC-INV\",\"asset\":\"BTC\","
                                  "\"kind\":\"inverse_perp\",\"flags\":[\"stale\"],\"qty\":-1500,"));
    assert_non_null (strstr (out, "\"settle\":\"BTC\",\"fills\":77,"));
    assert_non_null (strstr (out, "\"last_fill\":\"gamma-f-77\",\"last_fill_epoch\":1790000000000000001,"
                                  "\"last_fill_seq\":77}"));
    s_margin (&msg);
    hb_msg_to_json (&msg, NULL, out, sizeof out);
    assert_non_null (strstr (out, "\"flags\":[\"truncated\",\"breach\"]"));
    assert_non_null (strstr (out, "\"assets\":[{\"asset\":\"A0\",\"exposure_usd\":1000.5,\"liq_move\":null},"
                                  "{\"asset\":\"A1\",\"exposure_usd\":-2001,\"liq_move\":-0.125}"));
    assert_non_null (strstr (out, "}]}}"));
    s_exposure (&msg);
    hb_msg_to_json (&msg, NULL, out, sizeof out);
    assert_non_null (strstr (out, "\"exposure\":{\"asset\":\"ETH\",\"flags\":[\"no_mark\"],\"price\":3401.17,"));
    s_env (&msg, HB_MSG_SNAPSHOT_END);
    msg.u.snapshot_end.count = 9;
    hb_msg_to_json (&msg, NULL, out, sizeof out);
    assert_non_null (strstr (out, "\"snapshot_end\":{\"count\":9}}"));
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_roundtrip),
        cmocka_unit_test (test_refused),
        cmocka_unit_test (test_topics),
        cmocka_unit_test (test_json),
    };
    return cmocka_run_group_tests_name ("hb_msg_state", tests, NULL, NULL);
}
