/*  hb_vpub: ticks and trades carry the venue and symbol, a tick of a book
    that is not whole is flagged stale, nothing of the last message leaks
    into the next, a refused emit is told, and the status is told once
    per change (the first always).                                       */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "hb_vpub.h"

typedef struct {
    hb_msg_t last;
    int      emits;
    int      refuse;
    uint32_t status;
    int      statuses;
} s_sink_t;

static int
s_emit (void *arg, hb_msg_t *msg)
{
    s_sink_t *sink = (s_sink_t *) arg;
    sink->last = *msg;
    sink->emits++;
    return sink->refuse? -1: 0;
}

static void
s_status (void *arg, uint32_t status)
{
    s_sink_t *sink = (s_sink_t *) arg;
    sink->status = status;
    sink->statuses++;
}

static void
test_messages (void **state)
{
    (void) state;
    s_sink_t sink;
    memset (&sink, 0, sizeof sink);
    hb_vpub_t *pub = hb_vpub_new ("cbx", s_emit, s_status, &sink);
    assert_non_null (pub);
    hb_tick_t *tick = hb_vpub_tick (pub, "BTC-USD", false, 42);
    tick->n_bids = 1;
    tick->bids [0].px = 60000;
    tick->bids [0].qty = 1;
    assert_int_equal (hb_vpub_emit (pub), 0);
    assert_int_equal (sink.last.env.type, HB_MSG_TICK);
    assert_int_equal (sink.last.env.ts_venue, 42);
    assert_string_equal (sink.last.u.tick.venue, "cbx");
    assert_string_equal (sink.last.u.tick.symbol, "BTC-USD");
    assert_true (sink.last.u.tick.flags & HB_TICK_STALE);
    assert_int_equal (sink.last.u.tick.n_bids, 1);
    //  a whole book: no flag, and nothing left of the last tick
    hb_vpub_tick (pub, "ETH-USD", true, 43);
    assert_int_equal (hb_vpub_emit (pub), 0);
    assert_false (sink.last.u.tick.flags & HB_TICK_STALE);
    assert_int_equal (sink.last.u.tick.n_bids, 0);
    hb_trade_t *trade = hb_vpub_trade (pub, "BTC-USD", 44);
    trade->px = 1;
    sink.refuse = 1;
    assert_int_equal (hb_vpub_emit (pub), -1);
    assert_int_equal (sink.last.env.type, HB_MSG_TRADE);
    assert_int_equal (sink.last.env.ts_venue, 44);
    assert_string_equal (sink.last.u.trade.venue, "cbx");
    assert_string_equal (sink.last.u.trade.symbol, "BTC-USD");
    assert_int_equal (sink.emits, 3);
    hb_tick_t own;
    memset (&own, 0xff, sizeof own);
    hb_vpub_fill_tick (pub, "SOL-USD", false, &own);
    assert_string_equal (own.symbol, "SOL-USD");
    assert_int_equal (own.flags, HB_TICK_STALE);
    assert_int_equal (own.n_asks, 0);
    hb_vpub_destroy (&pub);
    assert_null (pub);
    hb_vpub_destroy (&pub);
}

static void
test_status (void **state)
{
    (void) state;
    s_sink_t sink;
    memset (&sink, 0, sizeof sink);
    hb_vpub_t *pub = hb_vpub_new ("cbx", s_emit, s_status, &sink);
    hb_vpub_status (pub, false);
    assert_int_equal (sink.statuses, 1);
    assert_int_equal (sink.status, 0);
    hb_vpub_status (pub, false);
    assert_int_equal (sink.statuses, 1);
    hb_vpub_status (pub, true);
    hb_vpub_status (pub, true);
    assert_int_equal (sink.statuses, 2);
    assert_int_equal (sink.status, HB_TICK_STALE);
    hb_vpub_destroy (&pub);
    //  without a status callback: nothing to tell, nothing breaks
    pub = hb_vpub_new ("cbx", s_emit, NULL, &sink);
    hb_vpub_status (pub, true);
    assert_int_equal (sink.statuses, 2);
    hb_vpub_destroy (&pub);
}

static void
test_orders (void **state)
{
    (void) state;
    s_sink_t sink;
    memset (&sink, 0, sizeof sink);
    hb_vpub_t *pub = hb_vpub_new ("cbx", s_emit, NULL, &sink);
    hb_vslot_t slot;
    memset (&slot, 0, sizeof slot);
    snprintf (slot.order.symbol, sizeof slot.order.symbol, "BTC-USD");
    snprintf (slot.order.client_id, sizeof slot.order.client_id, "c-1");
    snprintf (slot.order_id, sizeof slot.order_id, "V-1");
    slot.order.side = HB_SIDE_SELL;
    slot.order.qty = 2;
    hb_fill_t *fill = hb_vpub_fill (pub, &slot, 77);
    fill->qty = 1;
    assert_int_equal (hb_vpub_emit (pub), 0);
    assert_int_equal (sink.last.env.type, HB_MSG_FILL);
    assert_int_equal (sink.last.env.ts_venue, 77);
    assert_string_equal (sink.last.u.fill.venue, "cbx");
    assert_string_equal (sink.last.u.fill.symbol, "BTC-USD");
    assert_string_equal (sink.last.u.fill.client_id, "c-1");
    assert_string_equal (sink.last.u.fill.order_id, "V-1");
    assert_int_equal (sink.last.u.fill.side, HB_SIDE_SELL);
    assert_true (sink.last.u.fill.qty == 1);
    assert_int_equal (hb_vpub_ack (pub, &slot.order, "V-1", HB_ACK_ACCEPTED, HB_REJ_NONE, "", 0), 0);
    assert_int_equal (sink.last.env.type, HB_MSG_ACK);
    assert_int_equal (sink.last.u.ack.status, HB_ACK_ACCEPTED);
    assert_string_equal (sink.last.u.ack.order_id, "V-1");
    assert_string_equal (sink.last.u.ack.venue, "cbx");
    hb_cancel_t cancel;
    memset (&cancel, 0, sizeof cancel);
    snprintf (cancel.symbol, sizeof cancel.symbol, "ETH-USD");
    snprintf (cancel.client_id, sizeof cancel.client_id, "c-9");
    sink.refuse = 1;
    assert_int_equal (hb_vpub_cancel_unknown (pub, &cancel, "no such order in flight"), -1);
    assert_int_equal (sink.last.u.ack.status, HB_ACK_REJECTED);
    assert_int_equal (sink.last.u.ack.reason, HB_REJ_UNKNOWN_ORDER);
    assert_string_equal (sink.last.u.ack.symbol, "ETH-USD");
    assert_string_equal (sink.last.u.ack.client_id, "c-9");
    assert_string_equal (sink.last.u.ack.text, "no such order in flight");
    assert_string_equal (sink.last.u.ack.order_id, "");
    hb_vpub_destroy (&pub);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_messages),
        cmocka_unit_test (test_status),
        cmocka_unit_test (test_orders),
    };
    return cmocka_run_group_tests_name ("hb_vpub", tests, NULL, NULL);
}
