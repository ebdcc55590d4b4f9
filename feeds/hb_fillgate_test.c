/*  hb_fillgate tests: a fill of an order we sent passes, within its
    quantity and limit; an unknown client id, another symbol or side, an
    overfill, a price past the limit, or an external mark on one of our
    ids is held; an external fill passes; a repeated fill id counts once;
    orders past the window or the cap are forgotten; a reopen keeps the
    orders (and the held count); the acknowledgement file clears held
    fills, and only those it counted.                                      */
#include "hb_fillgate.h"
#include "hb_log.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "hb_journal_testing.h"
#include "hb_time.h"

#define S_T0     (INT64_C (1800000000) * HB_NS_PER_SEC)
#define S_HOUR   (INT64_C (3600) * HB_NS_PER_SEC)

typedef struct {
    char orders [128];
    char held [128];
    char ack [136];
} s_paths_t;

static void
s_paths (s_paths_t *paths)
{
    snprintf (paths->orders, sizeof paths->orders, "/tmp/hb-fillgate-test-%d.orders", (int) getpid ());
    snprintf (paths->held, sizeof paths->held, "/tmp/hb-fillgate-test-%d.held", (int) getpid ());
    snprintf (paths->ack, sizeof paths->ack, "%s.ack", paths->held);
    hb_journal_testing_unlink (paths->orders);
    hb_journal_testing_unlink (paths->held);
    unlink (paths->ack);
}

static hb_order_t
s_order (const char *client_id, const char *symbol, int side, double qty, double px)
{
    hb_order_t order;
    memset (&order, 0, sizeof order);
    snprintf (order.venue, sizeof order.venue, "ex");
    snprintf (order.symbol, sizeof order.symbol, "%s", symbol);
    snprintf (order.client_id, sizeof order.client_id, "%s", client_id);
    order.side = (uint8_t) side;
    order.ord_type = px > 0 ? HB_ORD_LIMIT : HB_ORD_MARKET;
    order.tif = HB_TIF_IOC;
    order.qty = qty;
    order.px = px;
    return order;
}

static hb_fill_t
s_fill (const char *client_id, const char *fill_id, const char *symbol, int side, double qty, double px)
{
    hb_fill_t fill;
    memset (&fill, 0, sizeof fill);
    snprintf (fill.venue, sizeof fill.venue, "ex");
    snprintf (fill.symbol, sizeof fill.symbol, "%s", symbol);
    snprintf (fill.client_id, sizeof fill.client_id, "%s", client_id);
    snprintf (fill.order_id, sizeof fill.order_id, "V-%s", client_id);
    snprintf (fill.fill_id, sizeof fill.fill_id, "%s", fill_id);
    snprintf (fill.fee_asset, sizeof fill.fee_asset, "USD");
    fill.side = (uint8_t) side;
    fill.liquidity = 2;
    fill.qty = qty;
    fill.px = px;
    return fill;
}

//  Judges and, when it passes, commits (what hb-feed does).
static hb_fillgate_verdict_t
s_take (hb_fillgate_t *gate, const hb_fill_t *fill, int64_t now)
{
    hb_fillgate_verdict_t verdict = hb_fillgate_judge (gate, fill, now);
    if (verdict < HB_FILLGATE_PASS_COUNT)
        hb_fillgate_commit (gate, fill);
    return verdict;
}

static void
test_matching (void **state)
{
    (void) state;
    hb_fillgate_t *gate = hb_fillgate_new (NULL, NULL, HB_JOURNAL_FSYNC_NEVER, 0, S_HOUR, 0, S_T0);
    assert_non_null (gate);
    hb_order_t buy = s_order ("h-1.0", "BTC-PERP", HB_SIDE_BUY, 2, 0);
    assert_int_equal (hb_fillgate_order (gate, &buy, S_T0), 0);
    hb_order_t sell = s_order ("h-1.1", "ETH-PERP", HB_SIDE_SELL, 10, 3000);
    assert_int_equal (hb_fillgate_order (gate, &sell, S_T0), 0);

    hb_fill_t f = s_fill ("h-1.0", "F1", "BTC-PERP", HB_SIDE_BUY, 1.5, 65000);
    assert_int_equal (s_take (gate, &f, S_T0 + 1), HB_FILLGATE_OK);
    //  the venue says it again: let through, counted once
    assert_int_equal (s_take (gate, &f, S_T0 + 2), HB_FILLGATE_DUPLICATE);
    //  0.5 left: 0.5 passes (and within the tolerance), 0.51 does not
    f = s_fill ("h-1.0", "F2", "BTC-PERP", HB_SIDE_BUY, 0.51, 65000);
    assert_int_equal (s_take (gate, &f, S_T0 + 3), HB_FILLGATE_OVERFILL);
    f = s_fill ("h-1.0", "F3", "BTC-PERP", HB_SIDE_BUY, 0.5 * (1 + 1e-7), 65000);
    assert_int_equal (s_take (gate, &f, S_T0 + 4), HB_FILLGATE_OK);
    f = s_fill ("h-1.0", "F4", "BTC-PERP", HB_SIDE_BUY, 1e-5, 65000);
    assert_int_equal (s_take (gate, &f, S_T0 + 5), HB_FILLGATE_OVERFILL);

    //  not ours, or not like the order
    f = s_fill ("nobody", "F5", "BTC-PERP", HB_SIDE_BUY, 0.1, 65000);
    assert_int_equal (s_take (gate, &f, S_T0), HB_FILLGATE_UNKNOWN_ORDER);
    f = s_fill ("h-1.1", "F6", "BTC-PERP", HB_SIDE_SELL, 1, 3000);
    assert_int_equal (s_take (gate, &f, S_T0), HB_FILLGATE_SYMBOL);
    f = s_fill ("h-1.1", "F7", "ETH-PERP", HB_SIDE_BUY, 1, 3000);
    assert_int_equal (s_take (gate, &f, S_T0), HB_FILLGATE_SIDE);
    //  a sell limit fills at 3000 or above (a hair of rounding allowed)
    f = s_fill ("h-1.1", "F8", "ETH-PERP", HB_SIDE_SELL, 1, 2990);
    assert_int_equal (s_take (gate, &f, S_T0), HB_FILLGATE_PRICE);
    f = s_fill ("h-1.1", "F9", "ETH-PERP", HB_SIDE_SELL, 1, 3000 * (1 - 1e-6));
    assert_int_equal (s_take (gate, &f, S_T0), HB_FILLGATE_OK);
    f = s_fill ("h-1.1", "F10", "ETH-PERP", HB_SIDE_SELL, 9, 3100);
    assert_int_equal (s_take (gate, &f, S_T0), HB_FILLGATE_OK);

    //  external: passes, unless it names one of our orders
    f = s_fill ("web-77", "F11", "BTC-PERP", HB_SIDE_SELL, 100, 60000);
    f.flags = HB_FILL_EXTERNAL;
    assert_int_equal (s_take (gate, &f, S_T0), HB_FILLGATE_EXTERNAL);
    f = s_fill ("h-1.1", "F12", "ETH-PERP", HB_SIDE_SELL, 1, 3000);
    f.flags = HB_FILL_EXTERNAL;
    assert_int_equal (s_take (gate, &f, S_T0), HB_FILLGATE_EXTERNAL_OURS);

    hb_fillgate_stats_t stats;
    hb_fillgate_stats (gate, &stats);
    assert_int_equal (stats.orders, 2);
    assert_int_equal (stats.external, 1);
    assert_string_equal (hb_fillgate_verdict_name (HB_FILLGATE_OVERFILL), "overfill");
    assert_string_equal (hb_fillgate_verdict_name (HB_FILLGATE_VERDICT_COUNT), "?");
    hb_fillgate_destroy (&gate);
    assert_null (gate);
    hb_fillgate_destroy (&gate);
}

static void
test_window_and_cap (void **state)
{
    (void) state;
    hb_fillgate_t *gate = hb_fillgate_new (NULL, NULL, HB_JOURNAL_FSYNC_NEVER, 0, S_HOUR, 3, S_T0);
    assert_non_null (gate);
    char id [16];
    for (int i = 0; i < 4; i++) {
        snprintf (id, sizeof id, "c-%d", i);
        hb_order_t order = s_order (id, "BTC-USD", HB_SIDE_BUY, 1, 0);
        assert_int_equal (hb_fillgate_order (gate, &order, S_T0 + i), 0);
    }
    //  the cap pushed out the oldest
    hb_fill_t f = s_fill ("c-0", "F0", "BTC-USD", HB_SIDE_BUY, 1, 100);
    assert_int_equal (hb_fillgate_judge (gate, &f, S_T0 + 10), HB_FILLGATE_UNKNOWN_ORDER);
    f = s_fill ("c-1", "F1", "BTC-USD", HB_SIDE_BUY, 1, 100);
    assert_int_equal (hb_fillgate_judge (gate, &f, S_T0 + 10), HB_FILLGATE_OK);
    //  an hour after c-1 was sent, it is forgotten; c-3 is just inside
    assert_int_equal (hb_fillgate_judge (gate, &f, S_T0 + 1 + S_HOUR + 1), HB_FILLGATE_UNKNOWN_ORDER);
    f = s_fill ("c-3", "F3", "BTC-USD", HB_SIDE_BUY, 1, 100);
    assert_int_equal (hb_fillgate_judge (gate, &f, S_T0 + 3 + S_HOUR), HB_FILLGATE_OK);
    hb_fillgate_stats_t stats;
    hb_fillgate_stats (gate, &stats);
    assert_int_equal (stats.forgotten, 3);
    assert_int_equal (stats.orders, 1);
    //  a client id sent twice keeps its first order
    hb_order_t again = s_order ("c-3", "ETH-USD", HB_SIDE_SELL, 5, 0);
    assert_int_equal (hb_fillgate_order (gate, &again, S_T0 + 3 + S_HOUR), 0);
    assert_int_equal (hb_fillgate_judge (gate, &f, S_T0 + 3 + S_HOUR), HB_FILLGATE_OK);
    hb_fillgate_destroy (&gate);
}

static void
test_restart_keeps_orders (void **state)
{
    (void) state;
    s_paths_t p = { "", "", "" };
    s_paths (&p);
    hb_fillgate_t *gate = hb_fillgate_new (p.orders, p.held, HB_JOURNAL_FSYNC_NEVER, 0, S_HOUR, 0, S_T0);
    assert_non_null (gate);
    hb_order_t old = s_order ("old", "BTC-USD", HB_SIDE_BUY, 1, 0);
    hb_order_t young = s_order ("young", "BTC-USD", HB_SIDE_SELL, 2, 0);
    assert_int_equal (hb_fillgate_order (gate, &old, S_T0), 0);
    assert_int_equal (hb_fillgate_order (gate, &young, S_T0 + S_HOUR / 2), 0);
    hb_fill_t part = s_fill ("young", "Y1", "BTC-USD", HB_SIDE_SELL, 1.5, 100);
    assert_int_equal (s_take (gate, &part, S_T0 + S_HOUR / 2), HB_FILLGATE_OK);
    hb_fill_t ghost = s_fill ("ghost", "G1", "BTC-USD", HB_SIDE_SELL, 1, 100);
    assert_int_equal (hb_fillgate_judge (gate, &ghost, S_T0), HB_FILLGATE_UNKNOWN_ORDER);
    assert_int_equal (hb_fillgate_hold (gate, &ghost, HB_FILLGATE_UNKNOWN_ORDER, S_T0), 0);
    assert_int_equal (hb_fillgate_unacked (gate), 1);
    //  a fill that is no fill is not held
    hb_fill_t bad = ghost;
    bad.qty = -1;
    assert_int_equal (hb_fillgate_hold (gate, &bad, HB_FILLGATE_UNKNOWN_ORDER, S_T0), -1);
    assert_int_equal (hb_fillgate_unacked (gate), 1);
    hb_fillgate_destroy (&gate);

    //  reopened an hour and a bit later: "old" is past the window, "young"
    //  is known; its fills come back from the fill store (commit)
    int64_t later = S_T0 + S_HOUR + S_HOUR / 4;
    gate = hb_fillgate_new (p.orders, p.held, HB_JOURNAL_FSYNC_NEVER, 0, S_HOUR, 0, later);
    assert_non_null (gate);
    hb_fillgate_stats_t stats;
    hb_fillgate_stats (gate, &stats);
    assert_int_equal (stats.replayed, 1);
    assert_int_equal (stats.held, 1);
    assert_int_equal (hb_fillgate_unacked (gate), 1);
    hb_fillgate_commit (gate, &part);
    hb_fill_t rest = s_fill ("young", "Y2", "BTC-USD", HB_SIDE_SELL, 0.5, 100);
    hb_fill_t over = s_fill ("young", "Y3", "BTC-USD", HB_SIDE_SELL, 0.6, 100);
    assert_int_equal (hb_fillgate_judge (gate, &over, later), HB_FILLGATE_OVERFILL);
    assert_int_equal (s_take (gate, &rest, later), HB_FILLGATE_OK);
    hb_fill_t late = s_fill ("old", "O1", "BTC-USD", HB_SIDE_BUY, 1, 100);
    assert_int_equal (hb_fillgate_judge (gate, &late, later), HB_FILLGATE_UNKNOWN_ORDER);

    //  the operator acknowledges the one held fill; one held after that
    //  keeps the status non-ok
    uint64_t count = 99;
    char err [256] = "";
    assert_int_equal (hb_fillgate_ack (p.held, &count, err, sizeof err), 0);
    assert_int_equal (count, 1);
    assert_int_equal (hb_fillgate_unacked (gate), 0);
    assert_int_equal (hb_fillgate_hold (gate, &late, HB_FILLGATE_UNKNOWN_ORDER, later), 0);
    assert_int_equal (hb_fillgate_unacked (gate), 1);
    hb_fillgate_destroy (&gate);
    //  and after a restart, the same
    gate = hb_fillgate_new (p.orders, p.held, HB_JOURNAL_FSYNC_NEVER, 0, S_HOUR, 0, later);
    assert_non_null (gate);
    assert_int_equal (hb_fillgate_unacked (gate), 1);
    assert_int_equal (hb_fillgate_ack (p.held, &count, err, sizeof err), 0);
    assert_int_equal (count, 2);
    assert_int_equal (hb_fillgate_unacked (gate), 0);
    hb_fillgate_destroy (&gate);

    //  a lost order journal is refused, not started empty
    unlink (p.orders);
    assert_null (hb_fillgate_new (p.orders, p.held, HB_JOURNAL_FSYNC_NEVER, 0, S_HOUR, 0, later));
    hb_journal_testing_unlink (p.orders);
    hb_journal_testing_unlink (p.held);
    unlink (p.ack);
}

static void
test_ack_without_held (void **state)
{
    (void) state;
    s_paths_t p = { "", "", "" };
    s_paths (&p);
    uint64_t count = 5;
    char err [256] = "";
    assert_int_equal (hb_fillgate_ack (p.held, &count, err, sizeof err), 0);
    assert_int_equal (count, 0);
    assert_non_null (strstr (err, "no fill was ever held"));
    assert_int_equal (access (p.ack, F_OK), -1);
}

int
main (void)
{
    hb_log_init ("test", HB_LOG_ERROR);
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_matching),
        cmocka_unit_test (test_window_and_cap),
        cmocka_unit_test (test_restart_keeps_orders),
        cmocka_unit_test (test_ack_without_held),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
