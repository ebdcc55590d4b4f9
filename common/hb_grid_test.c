/*  hb_grid tests: samples see exactly the messages stamped up to their
    time, whatever the interleaving of the streams; lateness and a full
    FIFO are the only ways past a stream that has not passed T.          */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "hb_grid.h"

#define MS 1000000LL

static hb_msg_t s_msg;

static const hb_msg_t *
s_make (int type, int64_t ts, double bid)
{
    memset (&s_msg, 0, sizeof s_msg);
    s_msg.env.type = (uint8_t) type;
    s_msg.env.ts_pub = ts;
    s_msg.u.tick.n_bids = 1;
    s_msg.u.tick.bids [0].px = bid;
    return &s_msg;
}

static void
s_push (hb_grid_t *grid, int stream, int type, int64_t ts, double bid, int64_t mono)
{
    assert_int_equal (hb_grid_push (grid, stream, s_make (type, ts, bid), true, mono), 0);
}

//  Steps the grid until it waits; writes what it did as text ("i0:1 S1000 ")
static void
s_run (hb_grid_t *grid, int64_t mono, char *out, size_t size)
{
    size_t len = 0;
    out [0] = 0;
    for (int guard = 0; guard < 100; guard++) {
        int stream;
        const hb_grid_item_t *item;
        int64_t t;
        hb_grid_step_t step = hb_grid_next (grid, mono, &stream, &item, &t);
        if (step == HB_GRID_WAIT)
            return;
        if (step == HB_GRID_ITEM) {
            len += (size_t) snprintf (out + len, size - len, "i%d:%g ", stream, item->u.tick.bids [0].px);
            hb_grid_pop (grid, stream);
        }
        else {
            len += (size_t) snprintf (out + len, size - len, "S%lld ", (long long) (t / MS));
            hb_grid_sampled (grid);
        }
    }
    fail_msg ("the grid never waits");
}

static void
test_order_by_data_time (void **state)
{
    (void) state;
    hb_grid_t *grid = hb_grid_new (2, 8, 100 * MS, 0, 2000 * MS, 0);
    assert_non_null (grid);
    char out [256];
    hb_grid_start (grid, 950 * MS);
    assert_int_equal (hb_grid_next_time (grid), 1000 * MS);
    s_push (grid, 0, HB_MSG_TICK, 950 * MS, 1, 0);
    s_push (grid, 0, HB_MSG_TICK, 1010 * MS, 2, 0);     //  after T: held back
    s_push (grid, 1, HB_MSG_TICK, 990 * MS, 3, 0);
    s_run (grid, 0, out, sizeof out);
    assert_string_equal (out, "i0:1 i1:3 ");            //  stream 1 has not passed 1000
    assert_false (hb_grid_passed (grid, 1000 * MS, 0));
    //  a heartbeat (progress only) of stream 1 past T releases the sample
    assert_int_equal (hb_grid_push (grid, 1, s_make (HB_MSG_HEARTBEAT, 1020 * MS, 0), true, 0), 0);
    assert_true (hb_grid_passed (grid, 1000 * MS, 0));
    s_run (grid, 0, out, sizeof out);
    assert_string_equal (out, "S1000 i0:2 ");
    //  the other interleaving of the same data gives the same steps
    hb_grid_t *other = hb_grid_new (2, 8, 100 * MS, 0, 2000 * MS, 0);
    hb_grid_start (other, 950 * MS);
    s_push (other, 1, HB_MSG_TICK, 990 * MS, 3, 0);
    s_push (other, 0, HB_MSG_TICK, 950 * MS, 1, 0);
    assert_int_equal (hb_grid_push (other, 1, s_make (HB_MSG_HEARTBEAT, 1020 * MS, 0), true, 0), 0);
    s_run (other, 0, out, sizeof out);
    assert_string_equal (out, "i0:1 ");                 //  stream 0 may still send before 990
    s_push (other, 0, HB_MSG_TICK, 1010 * MS, 2, 0);
    s_run (other, 0, out, sizeof out);
    assert_string_equal (out, "i1:3 S1000 i0:2 ");      //  the same order as above
    hb_grid_stats_t stats;
    hb_grid_stats (other, &stats);
    assert_int_equal (stats.samples, 1);
    assert_int_equal (stats.late_samples, 0);
    hb_grid_destroy (&other);
    hb_grid_destroy (&grid);
    assert_null (grid);
    hb_grid_destroy (&grid);
}

static void
test_automatic_start (void **state)
{
    (void) state;
    hb_grid_t *grid = hb_grid_new (2, 8, 100 * MS, 300 * MS, 2000 * MS, 0);
    char out [256];
    s_push (grid, 0, HB_MSG_TICK, 5000 * MS, 1, 0);
    s_run (grid, 0, out, sizeof out);
    assert_string_equal (out, "");                      //  stream 1 not heard yet
    assert_int_equal (hb_grid_next_time (grid), 0);
    s_push (grid, 1, HB_MSG_TICK, 5210 * MS, 2, 0);
    s_run (grid, 0, out, sizeof out);
    //  lead 300 ms after the latest first message (5210), on the grid
    assert_int_equal (hb_grid_next_time (grid), 5600 * MS);
    assert_string_equal (out, "i0:1 ");
    //  equal data times: the lower stream first, the other once released
    s_push (grid, 0, HB_MSG_TICK, 5210 * MS, 3, 0);
    s_run (grid, 0, out, sizeof out);
    assert_string_equal (out, "i0:3 ");                 //  stream 0 may send more at 5210
    assert_int_equal (hb_grid_push (grid, 0, s_make (HB_MSG_HEARTBEAT, 5300 * MS, 0), true, 0), 0);
    s_run (grid, 0, out, sizeof out);
    assert_string_equal (out, "i1:2 ");
    hb_grid_destroy (&grid);
}

static void
test_late_stream (void **state)
{
    (void) state;
    hb_grid_t *grid = hb_grid_new (2, 8, 100 * MS, 0, 2000 * MS, 0);
    char out [256];
    hb_grid_start (grid, 1000 * MS);
    s_push (grid, 0, HB_MSG_TICK, 1100 * MS, 1, 0);
    s_push (grid, 1, HB_MSG_TICK, 900 * MS, 2, 0);
    s_run (grid, 1000 * MS, out, sizeof out);
    assert_string_equal (out, "i1:2 ");                 //  waits for stream 1
    //  stream 1 silent for more than 2 s of wall time: not waited for
    assert_int_equal (hb_grid_push (grid, 0, s_make (HB_MSG_HEARTBEAT, 1200 * MS, 0), true, 2001 * MS), 0);
    s_run (grid, 2001 * MS, out, sizeof out);
    assert_string_equal (out, "S1000 i0:1 S1100 ");
    assert_true (hb_grid_passed (grid, 5000 * MS, 2001 * MS) == false);
    hb_grid_stats_t stats;
    hb_grid_stats (grid, &stats);
    assert_int_equal (stats.late_samples, 2);
    //  both silent: the grid goes on with the wall clock from the last data
    //  time (1200 ms of data at 2001 ms of wall time)
    s_run (grid, 4001 * MS, out, sizeof out);
    assert_string_equal (out, "");
    assert_true (hb_grid_passed (grid, 5000 * MS, 4002 * MS));
    s_run (grid, 4002 * MS, out, sizeof out);
    assert_int_equal (hb_grid_next_time (grid), 3300 * MS);
    hb_grid_destroy (&grid);
}

static void
test_full_fifo (void **state)
{
    (void) state;
    hb_grid_t *grid = hb_grid_new (2, 2, 100 * MS, 0, 2000 * MS, 0);
    char out [256];
    hb_grid_start (grid, 1000 * MS);
    s_push (grid, 0, HB_MSG_TICK, 1100 * MS, 1, 0);
    s_push (grid, 0, HB_MSG_TICK, 1150 * MS, 2, 0);
    assert_int_equal (hb_grid_push (grid, 0, s_make (HB_MSG_TICK, 1210 * MS, 3), true, 0), -1);
    //  stream 1 never spoke but is not late yet: the full FIFO moves on
    s_run (grid, 0, out, sizeof out);
    assert_string_equal (out, "S1000 i0:1 ");
    s_push (grid, 0, HB_MSG_TICK, 1210 * MS, 3, 0);
    hb_grid_stats_t stats;
    hb_grid_stats (grid, &stats);
    assert_int_equal (stats.forced, 2);                 //  the sample, and i0:1
    //  not kept: progress only, never refused
    assert_int_equal (hb_grid_push (grid, 0, s_make (HB_MSG_TICK, 1300 * MS, 4), false, 0), 0);
    //  a stamp before the stream's last one is clamped to it
    assert_int_equal (hb_grid_push (grid, 1, s_make (HB_MSG_HEARTBEAT, 1500 * MS, 0), false, 0), 0);
    assert_int_equal (hb_grid_push (grid, 1, s_make (HB_MSG_HEARTBEAT, 1400 * MS, 0), false, 0), 0);
    assert_int_equal (hb_grid_stream_time (grid, 1), 1500 * MS);
    hb_grid_stats (grid, &stats);
    assert_int_equal (stats.clamped, 1);
    hb_grid_destroy (&grid);
}

static void
test_bad_arguments (void **state)
{
    (void) state;
    assert_null (hb_grid_new (0, 8, 100, 0, 0, 0));
    assert_null (hb_grid_new (65, 8, 100, 0, 0, 0));
    assert_null (hb_grid_new (2, -1, 100, 0, 0, 0));
    assert_null (hb_grid_new (2, 8, 0, 0, 0, 0));
    hb_grid_t *grid = hb_grid_new (1, 0, 100, 0, 0, 0);
    assert_non_null (grid);
    //  no FIFO: a kept message is refused, progress still counts
    assert_int_equal (hb_grid_push (grid, 0, s_make (HB_MSG_TICK, 500, 1), true, 0), -1);
    assert_int_equal (hb_grid_stream_time (grid, 0), 500);
    hb_grid_destroy (&grid);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_order_by_data_time),
        cmocka_unit_test (test_automatic_start),
        cmocka_unit_test (test_late_stream),
        cmocka_unit_test (test_full_fifo),
        cmocka_unit_test (test_bad_arguments),
    };
    return cmocka_run_group_tests_name ("hb_grid", tests, NULL, NULL);
}
