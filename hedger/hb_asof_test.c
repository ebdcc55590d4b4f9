/*  hb_asof tests: the book as of a data time, not the newest; an ack
    that came before its order is kept until asked for, once.           */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "hb_asof.h"

static hb_tick_t
s_tick (double bid)
{
    hb_tick_t tick;
    memset (&tick, 0, sizeof tick);
    tick.n_bids = 1;
    tick.bids [0].px = bid;
    return tick;
}

static void
test_book_as_of (void **state)
{
    (void) state;
    hb_asof_t *asof = hb_asof_new (2, 3);
    assert_non_null (asof);
    int64_t ts = -1;
    assert_null (hb_asof_book (asof, 1, 2, 1000, &ts));
    for (int k = 0; k < HB_ASOF_HISTORY + 4; k++) {
        hb_tick_t tick = s_tick (100 + k);
        assert_int_equal (hb_asof_tick (asof, 1, 2, &tick, 1000 + 50 * k), 0);
    }
    //  the newest at or before the time asked, not the newest
    const hb_tick_t *book = hb_asof_book (asof, 1, 2, 1000 + 50 * 10 + 49, &ts);
    assert_non_null (book);
    assert_true (book->bids [0].px == 110);
    assert_int_equal (ts, 1000 + 50 * 10);
    book = hb_asof_book (asof, 1, 2, INT64_MAX, &ts);
    assert_true (book->bids [0].px == 100 + HB_ASOF_HISTORY + 3);
    //  older than the history kept: nothing rather than a wrong book
    assert_null (hb_asof_book (asof, 1, 2, 1000 + 50 * 3, &ts));
    assert_null (hb_asof_book (asof, 0, 2, INT64_MAX, &ts));
    //  out of order or out of range: refused
    hb_tick_t tick = s_tick (1);
    assert_int_equal (hb_asof_tick (asof, 1, 2, &tick, 1000), -1);
    assert_int_equal (hb_asof_tick (asof, 2, 0, &tick, 1000), -1);
    assert_int_equal (hb_asof_tick (asof, 0, 3, &tick, 1000), -1);
    assert_null (hb_asof_book (asof, -1, 0, INT64_MAX, &ts));
    hb_asof_destroy (&asof);
    assert_null (asof);
    hb_asof_destroy (&asof);
    assert_null (hb_asof_new (0, 1));
}

static void
test_early_acks (void **state)
{
    (void) state;
    hb_asof_t *asof = hb_asof_new (1, 1);
    hb_ack_t ack, got;
    memset (&ack, 0, sizeof ack);
    int64_t ts = 0;
    assert_false (hb_asof_ack_take (asof, "r-1.0", &got, &ts));
    strcpy (ack.client_id, "r-1.0");
    ack.status = HB_ACK_DONE;
    ack.filled_qty = 2.5;
    hb_asof_ack_keep (asof, &ack, 777);
    assert_true (hb_asof_ack_take (asof, "r-1.0", &got, &ts));
    assert_true (got.filled_qty == 2.5 && got.status == HB_ACK_DONE);
    assert_int_equal (ts, 777);
    assert_false (hb_asof_ack_take (asof, "r-1.0", &got, &ts));    //  once
    //  full: the oldest is forgotten
    for (int k = 0; k <= HB_ASOF_ACKS; k++) {
        snprintf (ack.client_id, sizeof ack.client_id, "r-%d.0", k);
        hb_asof_ack_keep (asof, &ack, k);
    }
    assert_false (hb_asof_ack_take (asof, "r-0.0", &got, &ts));
    assert_true (hb_asof_ack_take (asof, "r-1.0", &got, &ts));
    assert_int_equal (ts, 1);
    hb_asof_destroy (&asof);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_book_as_of),
        cmocka_unit_test (test_early_acks),
    };
    return cmocka_run_group_tests_name ("hb_asof", tests, NULL, NULL);
}
