/*  hb_msg body tests: one rejection per rule of each body's table in
    docs/PROTOCOL.md (tick, trade, order, cancel, ack, fill, heartbeat,
    hedger.control), with its reason, on the layout packed by an
    independent encoder (hb_msg_spec.h); the edges that are still valid
    decode. The envelope, bytes, round trips: hb_msg_test.c.               */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <msgpack.h>
#include <stdio.h>
#include <string.h>
#include "hb_msg.h"
#include "hb_msg_sample.h"
#include "hb_msg_spec.h"
#include "hb_msg_testing.h"

static hb_msg_t s_samples [HB_MSG_SAMPLE_COUNT];

#define NAME31 HB_MSG_SAMPLE_NAME31
#define ID47   HB_MSG_SAMPLE_ID47

static int
s_setup (void **state)
{
    (void) state;
    hb_msg_testing_samples (s_samples);
    return 0;
}

//  ---------------------------------------------------------------------------
//  The layout of docs/PROTOCOL.md packed by an independent encoder
//  (hb_msg_spec.h), so that any one field can be replaced by something wrong

//  One case: the spec of a sample with one change, and the expected reason
#define EXPECT(sample, reason, ...) \
    HB_MSG_TESTING_EXPECT (s_samples, sample, reason, __VA_ARGS__)

//  ---------------------------------------------------------------------------
//  Market data

static void
test_reject_tick (void **state)
{
    (void) state;
    static const double odd [] = { 100, 1, 99 };
    static const double eleven [22] = { 110, 1, 109, 1, 108, 1, 107, 1, 106, 1, 105, 1,
                                        104, 1, 103, 1, 102, 1, 101, 1, 100, 1 };
    static const double flat [] = { 100, 1, 100, 2 };
    static const double rising [] = { 100, 1, 101, 2 };
    static const double falling [] = { 101, 1, 100, 1 };
    static const double nan_qty [] = { 100, NAN };
    static const double inf_px [] = { INFINITY, 1 };
    static const double zero_px [] = { 0, 1 };
    static const double neg_qty [] = { 100, -1 };
    static const double zero_qty [] = { 100, 0 };
    EXPECT (HB_MSG_SAMPLE_TICK, HB_DECODE_FIELD_TYPE, spec.body [6] = LV (odd, 3));
    EXPECT (HB_MSG_SAMPLE_TICK, HB_DECODE_OVERSIZED, spec.body [6] = LV (eleven, 22));
    EXPECT (HB_MSG_SAMPLE_TICK, HB_DECODE_FIELD_TYPE, spec.body [6] = ILV (flat, 2));
    EXPECT (HB_MSG_SAMPLE_TICK, HB_DECODE_FIELD_TYPE, spec.body [6] = D (1));
    EXPECT (HB_MSG_SAMPLE_TICK, HB_DECODE_RANGE, spec.body [6] = LV (flat, 4));       //  not strictly
    EXPECT (HB_MSG_SAMPLE_TICK, HB_DECODE_RANGE, spec.body [6] = LV (rising, 4));
    EXPECT (HB_MSG_SAMPLE_TICK, HB_DECODE_RANGE, spec.body [7] = LV (flat, 4));
    EXPECT (HB_MSG_SAMPLE_TICK, HB_DECODE_RANGE, spec.body [7] = LV (falling, 4));
    EXPECT (HB_MSG_SAMPLE_TICK, HB_DECODE_RANGE, spec.body [6] = LV (nan_qty, 2));
    EXPECT (HB_MSG_SAMPLE_TICK, HB_DECODE_RANGE, spec.body [7] = LV (inf_px, 2));
    EXPECT (HB_MSG_SAMPLE_TICK, HB_DECODE_RANGE, spec.body [7] = LV (zero_px, 2));
    EXPECT (HB_MSG_SAMPLE_TICK, HB_DECODE_RANGE, spec.body [7] = LV (neg_qty, 2));
    EXPECT (HB_MSG_SAMPLE_TICK, HB_DECODE_RANGE, spec.body [6] = LV (zero_qty, 2));
    EXPECT (HB_MSG_SAMPLE_TICK, HB_DECODE_RANGE, spec.body [3] = D (NAN));
    EXPECT (HB_MSG_SAMPLE_TICK, HB_DECODE_RANGE, spec.body [3] = F (NAN));
    EXPECT (HB_MSG_SAMPLE_TICK, HB_DECODE_RANGE, spec.body [4] = D (-INFINITY));
    EXPECT (HB_MSG_SAMPLE_TICK, HB_DECODE_RANGE, spec.body [5] = D (-0.01));
    EXPECT (HB_MSG_SAMPLE_TICK, HB_DECODE_FIELD_TYPE, spec.body [3] = U (65000));
    EXPECT (HB_MSG_SAMPLE_TICK, HB_DECODE_FIELD_TYPE, spec.body [2] = D (1));
    EXPECT (HB_MSG_SAMPLE_TICK, HB_DECODE_RANGE, spec.body [2] = U (UINT64_C (1) << 32));
    EXPECT (HB_MSG_SAMPLE_TICK, HB_DECODE_RANGE, spec.body [0] = S ("al/pha"));
    EXPECT (HB_MSG_SAMPLE_TICK, HB_DECODE_RANGE, spec.body [1] = S ("BTC USD"));
    EXPECT (HB_MSG_SAMPLE_TICK, HB_DECODE_OVERSIZED, spec.body [1] = S (NAME31 "x"));

    //  A crossed book is the venue's data: it decodes, and says so
    static const double high_bid [] = { 65010, 1 };
    hb_msg_spec_t spec;
    hb_msg_spec_of (&spec, &s_samples [HB_MSG_SAMPLE_TICK_TOP]);
    spec.body [6] = LV (high_bid, 2);
    msgpack_sbuffer sb;
    hb_msg_spec_pack (&spec, &sb);
    hb_msg_t msg;
    assert_int_equal (hb_msg_decode (&msg, sb.data, sb.size, NULL), 0);
    msgpack_sbuffer_destroy (&sb);
    assert_true (hb_tick_crossed (&msg.u.tick));
    assert_false (hb_tick_crossed (&s_samples [HB_MSG_SAMPLE_TICK].u.tick));
    assert_false (hb_tick_crossed (&s_samples [HB_MSG_SAMPLE_TICK_EMPTY].u.tick));
    msg.u.tick.asks [0].px = msg.u.tick.bids [0].px;           //  locked counts as crossed
    assert_true (hb_tick_crossed (&msg.u.tick));
    msg.u.tick.n_asks = 0;
    assert_false (hb_tick_crossed (&msg.u.tick));
}

//  ---------------------------------------------------------------------------
//  Orders and the rest

static void
test_reject_orders (void **state)
{
    (void) state;
    //  trade
    EXPECT (HB_MSG_SAMPLE_TRADE, HB_DECODE_RANGE, spec.body [3] = U (0));
    EXPECT (HB_MSG_SAMPLE_TRADE, HB_DECODE_RANGE, spec.body [3] = U (3));
    EXPECT (HB_MSG_SAMPLE_TRADE, HB_DECODE_RANGE, spec.body [3] = U (257));
    EXPECT (HB_MSG_SAMPLE_TRADE, HB_DECODE_FIELD_TYPE, spec.body [3] = I (-1));
    EXPECT (HB_MSG_SAMPLE_TRADE, HB_DECODE_RANGE, spec.body [4] = D (-3150.25));
    EXPECT (HB_MSG_SAMPLE_TRADE, HB_DECODE_RANGE, spec.body [5] = D (0));
    EXPECT (HB_MSG_SAMPLE_TRADE, HB_DECODE_RANGE, spec.body [2] = S ("T 1"));
    EXPECT (HB_MSG_SAMPLE_TRADE, HB_DECODE_OVERSIZED, spec.body [2] = S (ID47 "x"));
    //  order
    EXPECT (HB_MSG_SAMPLE_ORDER, HB_DECODE_RANGE, spec.body [2] = S (""));
    EXPECT (HB_MSG_SAMPLE_ORDER, HB_DECODE_RANGE, spec.body [2] = S ("id\x7f"));
    EXPECT (HB_MSG_SAMPLE_ORDER, HB_DECODE_RANGE, spec.body [2] = S ("id\xc3\xa9"));
    EXPECT (HB_MSG_SAMPLE_ORDER, HB_DECODE_OVERSIZED, spec.body [2] = S (ID47 "x"));
    EXPECT (HB_MSG_SAMPLE_ORDER, HB_DECODE_RANGE, spec.body [4] = U (3));
    EXPECT (HB_MSG_SAMPLE_ORDER, HB_DECODE_RANGE, spec.body [5] = U (0));
    EXPECT (HB_MSG_SAMPLE_ORDER, HB_DECODE_RANGE, spec.body [6] = D (0));
    EXPECT (HB_MSG_SAMPLE_ORDER, HB_DECODE_RANGE, spec.body [6] = D (-1));
    EXPECT (HB_MSG_SAMPLE_ORDER, HB_DECODE_RANGE, spec.body [7] = D (0));          //  limit without price
    EXPECT (HB_MSG_SAMPLE_ORDER_MARKET, HB_DECODE_RANGE, spec.body [7] = D (187)); //  market with one
    EXPECT (HB_MSG_SAMPLE_ORDER, HB_DECODE_FIELD_TYPE, spec.body [7] = U (187));
    //  cancel
    EXPECT (HB_MSG_SAMPLE_CANCEL, HB_DECODE_RANGE, spec.body [2] = S (""));
    EXPECT (HB_MSG_SAMPLE_CANCEL, HB_DECODE_FIELD_TYPE, spec.body [2] = NIL);
    //  ack
    EXPECT (HB_MSG_SAMPLE_ACK, HB_DECODE_RANGE, spec.body [4] = U (0));
    EXPECT (HB_MSG_SAMPLE_ACK, HB_DECODE_RANGE, spec.body [4] = U (5));
    EXPECT (HB_MSG_SAMPLE_ACK, HB_DECODE_RANGE, spec.body [5] = U (HB_REJ_OUTAGE));   //  reason, accepted
    EXPECT (HB_MSG_SAMPLE_ACK_REJECTED, HB_DECODE_RANGE, spec.body [5] = U (HB_REJ_NONE));
    EXPECT (HB_MSG_SAMPLE_ACK_REJECTED, HB_DECODE_RANGE, spec.body [5] = U (HB_REJ_COUNT));
    EXPECT (HB_MSG_SAMPLE_ACK_REJECTED, HB_DECODE_RANGE, spec.body [7] = D (1));      //  filled
    EXPECT (HB_MSG_SAMPLE_ACK, HB_DECODE_RANGE, spec.body [4] = U (HB_ACK_DONE));     //  leaves 10
    EXPECT (HB_MSG_SAMPLE_ACK, HB_DECODE_RANGE, spec.body [8] = D (-1));
    EXPECT (HB_MSG_SAMPLE_ACK, HB_DECODE_RANGE, spec.body [7] = D (NAN));
    EXPECT (HB_MSG_SAMPLE_ACK, HB_DECODE_RANGE, spec.body [6] = SN ("a\0b", 3));
    EXPECT (HB_MSG_SAMPLE_ACK, HB_DECODE_RANGE, spec.body [3] = S ("V 1"));
    static char text96 [HB_TEXT_MAX + 1];
    memset (text96, 'x', HB_TEXT_MAX);
    EXPECT (HB_MSG_SAMPLE_ACK, HB_DECODE_OVERSIZED, spec.body [6] = S (text96));
    EXPECT (HB_MSG_SAMPLE_ACK, HB_DECODE_FIELD_TYPE, spec.body [6] = BIN ("text"));
    //  fill
    EXPECT (HB_MSG_SAMPLE_FILL, HB_DECODE_RANGE, spec.body [2] = S (""));
    EXPECT (HB_MSG_SAMPLE_FILL, HB_DECODE_RANGE, spec.body [3] = S (""));
    EXPECT (HB_MSG_SAMPLE_FILL, HB_DECODE_RANGE, spec.body [4] = S (""));
    EXPECT (HB_MSG_SAMPLE_FILL, HB_DECODE_RANGE, spec.body [5] = U (9));
    EXPECT (HB_MSG_SAMPLE_FILL, HB_DECODE_RANGE, spec.body [6] = U (0));
    EXPECT (HB_MSG_SAMPLE_FILL, HB_DECODE_RANGE, spec.body [6] = U (3));
    EXPECT (HB_MSG_SAMPLE_FILL, HB_DECODE_RANGE, spec.body [7] = D (0));
    EXPECT (HB_MSG_SAMPLE_FILL, HB_DECODE_RANGE, spec.body [8] = D (-100));
    EXPECT (HB_MSG_SAMPLE_FILL, HB_DECODE_RANGE, spec.body [9] = D (INFINITY));
    EXPECT (HB_MSG_SAMPLE_FILL, HB_DECODE_FIELD_TYPE, spec.body [9] = I (-1));
    EXPECT (HB_MSG_SAMPLE_FILL, HB_DECODE_RANGE, spec.body [10] = S (""));
    //  flags (appended): an unsigned 32-bit int when present
    EXPECT (HB_MSG_SAMPLE_FILL, HB_DECODE_FIELD_TYPE, spec.body [11] = S ("external"));
    EXPECT (HB_MSG_SAMPLE_FILL, HB_DECODE_FIELD_TYPE, spec.body [11] = I (-1));
    EXPECT (HB_MSG_SAMPLE_FILL, HB_DECODE_FIELD_TYPE, spec.body [11] = NIL);
    EXPECT (HB_MSG_SAMPLE_FILL, HB_DECODE_FIELD_TYPE, spec.body [11] = D (1));
    EXPECT (HB_MSG_SAMPLE_FILL, HB_DECODE_RANGE, spec.body [11] = U (UINT64_C (1) << 32));
    EXPECT (HB_MSG_SAMPLE_FILL, HB_DECODE_FIELD_TYPE, spec.n_body = 10);     //  fee_asset missing
    //  heartbeat
    EXPECT (HB_MSG_SAMPLE_HEARTBEAT, HB_DECODE_RANGE, spec.body [0] = S ("feed/alpha"));
    EXPECT (HB_MSG_SAMPLE_HEARTBEAT, HB_DECODE_FIELD_TYPE, spec.body [5] = I (-1));
    EXPECT (HB_MSG_SAMPLE_HEARTBEAT, HB_DECODE_FIELD_TYPE, spec.body [12] = D (900000));
    EXPECT (HB_MSG_SAMPLE_HEARTBEAT, HB_DECODE_RANGE, spec.body [13] = U (UINT64_C (1) << 32));

    //  the edges that are still fine
    hb_msg_t expect = s_samples [HB_MSG_SAMPLE_FILL];
    expect.u.fill.fee = -0.5;
    hb_msg_spec_t spec;
    hb_msg_spec_of (&spec, &s_samples [HB_MSG_SAMPLE_FILL]);
    spec.body [9] = D (-0.5);
    hb_msg_testing_expect_ok (&spec, &expect);

    //  a fill from a publisher built before flags was appended (11 fields)
    //  reads as flags 0; one with HB_FILL_EXTERNAL keeps it, and so does a
    //  bit not known yet (flags gain bits without a version bump)
    expect = s_samples [HB_MSG_SAMPLE_FILL];
    hb_msg_spec_of (&spec, &expect);
    spec.body [11] = U (7);
    spec.n_body = 11;
    hb_msg_testing_expect_ok (&spec, &expect);
    expect.u.fill.flags = HB_FILL_EXTERNAL;
    hb_msg_spec_of (&spec, &expect);
    assert_int_equal (spec.n_body, 12);
    hb_msg_testing_expect_ok (&spec, &expect);
    expect.u.fill.flags = HB_FILL_EXTERNAL | 0x80000000u;
    hb_msg_spec_of (&spec, &expect);
    hb_msg_testing_expect_ok (&spec, &expect);
}

//  hedger.control: one case per rule of its table in PROTOCOL.md
static void
test_reject_hedger_control (void **state)
{
    (void) state;
    EXPECT (HB_MSG_SAMPLE_HEDGER_CONTROL, HB_DECODE_RANGE, spec.body [0] = S (""));
    EXPECT (HB_MSG_SAMPLE_HEDGER_CONTROL, HB_DECODE_RANGE, spec.body [0] = S ("a b"));
    EXPECT (HB_MSG_SAMPLE_HEDGER_CONTROL, HB_DECODE_OVERSIZED, spec.body [0] = S (ID47 "x"));
    EXPECT (HB_MSG_SAMPLE_HEDGER_CONTROL, HB_DECODE_RANGE, spec.body [1] = U (0));
    EXPECT (HB_MSG_SAMPLE_HEDGER_CONTROL, HB_DECODE_RANGE, spec.body [1] = U (3));
    EXPECT (HB_MSG_SAMPLE_HEDGER_CONTROL, HB_DECODE_FIELD_TYPE, spec.body [1] = S ("kill"));
    EXPECT (HB_MSG_SAMPLE_HEDGER_CONTROL, HB_DECODE_RANGE, spec.body [2] = S (""));
    EXPECT (HB_MSG_SAMPLE_HEDGER_CONTROL, HB_DECODE_RANGE, spec.body [2] = S ("ops/alice"));
    EXPECT (HB_MSG_SAMPLE_HEDGER_CONTROL, HB_DECODE_OVERSIZED, spec.body [2] = S (NAME31 "x"));
    EXPECT (HB_MSG_SAMPLE_HEDGER_CONTROL, HB_DECODE_RANGE, spec.body [3] = SN ("a\0b", 3));
    EXPECT (HB_MSG_SAMPLE_HEDGER_CONTROL, HB_DECODE_FIELD_TYPE, spec.body [3] = NIL);
    EXPECT (HB_MSG_SAMPLE_HEDGER_CONTROL, HB_DECODE_RANGE, spec.body [4] = U (UINT64_C (1) << 32));
    EXPECT (HB_MSG_SAMPLE_HEDGER_CONTROL, HB_DECODE_FIELD_TYPE, spec.body [4] = I (-1));
    EXPECT (HB_MSG_SAMPLE_HEDGER_CONTROL, HB_DECODE_FIELD_TYPE, spec.n_body = 4);
    //  "" is a valid text; a reset with the largest count decodes
    hb_msg_spec_t spec;
    hb_msg_spec_of (&spec, &s_samples [HB_MSG_SAMPLE_HEDGER_CONTROL]);
    spec.body [1] = U (HB_CONTROL_RESET);
    spec.body [3] = S ("");
    spec.body [4] = U (UINT32_MAX);
    hb_msg_t want = s_samples [HB_MSG_SAMPLE_HEDGER_CONTROL];
    want.u.hedger_control.command = HB_CONTROL_RESET;
    memset (want.u.hedger_control.text, 0, sizeof want.u.hedger_control.text);
    want.u.hedger_control.canceled = UINT32_MAX;
    hb_msg_testing_expect_ok (&spec, &want);
    //  the encoder refuses the same
    hb_msg_t m = s_samples [HB_MSG_SAMPLE_HEDGER_CONTROL];
    m.u.hedger_control.command = 0;
    hb_msg_testing_expect_refused (&m, __LINE__);
    m = s_samples [HB_MSG_SAMPLE_HEDGER_CONTROL];
    strcpy (m.u.hedger_control.by, "a b");
    hb_msg_testing_expect_refused (&m, __LINE__);
    m = s_samples [HB_MSG_SAMPLE_HEDGER_CONTROL];
    m.u.hedger_control.id [0] = '\0';
    hb_msg_testing_expect_refused (&m, __LINE__);
    m = s_samples [HB_MSG_SAMPLE_HEDGER_CONTROL];
    memset (m.u.hedger_control.text, 'x', HB_TEXT_MAX);
    hb_msg_testing_expect_refused (&m, __LINE__);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_reject_tick),
        cmocka_unit_test (test_reject_orders),
        cmocka_unit_test (test_reject_hedger_control),
    };
    return cmocka_run_group_tests_name ("hb_msg_body", tests, s_setup, NULL);
}
