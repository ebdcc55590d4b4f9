/*  hb_fillstore tests: fills survive a reopen in order and intact, the
    ring keeps the last cap of them, a bad fill is refused, a record that
    is not a fill is skipped, and the memory-only store works alike.      */
#include "hb_fillstore.h"
#include "hb_log.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "hb_journal_testing.h"

static void
s_fill (hb_fill_t *fill, int n)
{
    memset (fill, 0, sizeof *fill);
    snprintf (fill->venue, sizeof fill->venue, "ex");
    snprintf (fill->symbol, sizeof fill->symbol, "BTC-USD");
    snprintf (fill->order_id, sizeof fill->order_id, "o-%d", n);
    snprintf (fill->client_id, sizeof fill->client_id, "c-%d", n);
    snprintf (fill->fill_id, sizeof fill->fill_id, "f-%d", n);
    snprintf (fill->fee_asset, sizeof fill->fee_asset, "USD");
    fill->side = (uint8_t) (n % 2 ? HB_SIDE_SELL : HB_SIDE_BUY);
    fill->liquidity = 2;
    fill->px = 65000 + n;
    fill->qty = 0.001 * (n + 1);
    fill->fee = 0.01 * n;
}

static void
s_path (char *path, size_t size)
{
    snprintf (path, size, "/tmp/hb-fillstore-test-%d.fills", (int) getpid ());
    hb_journal_testing_unlink (path);
}

static void
s_assert_fill (hb_fillstore_t *store, uint64_t index, int n)
{
    const hb_fill_t *got = hb_fillstore_get (store, index);
    assert_non_null (got);
    hb_fill_t want;
    s_fill (&want, n);
    assert_string_equal (got->fill_id, want.fill_id);
    assert_string_equal (got->client_id, want.client_id);
    assert_int_equal (got->side, want.side);
    assert_true (got->px == want.px && got->qty == want.qty && got->fee == want.fee);
}

static void
test_round_trip (void **state)
{
    (void) state;
    char path [128];
    s_path (path, sizeof path);
    hb_fillstore_t *store = hb_fillstore_new (path, HB_JOURNAL_FSYNC_NEVER, 0, 0);
    assert_non_null (store);
    assert_int_equal (hb_fillstore_next (store), 0);
    assert_null (hb_fillstore_get (store, 0));
    hb_fill_t fill;
    for (int n = 0; n < 10; n++) {
        s_fill (&fill, n);
        assert_int_equal (hb_fillstore_append (store, &fill), 0);
    }
    //  a fill the encoder refuses is not stored at all
    s_fill (&fill, 99);
    fill.qty = -1;
    assert_int_equal (hb_fillstore_append (store, &fill), -1);
    assert_int_equal (hb_fillstore_next (store), 10);
    hb_fillstore_destroy (&store);
    assert_null (store);
    hb_fillstore_destroy (&store);      //  NULL-safe

    //  the restart: every fill back, in order, same indexes, and new ones
    //  go after them
    store = hb_fillstore_new (path, HB_JOURNAL_FSYNC_ALWAYS, 0, 0);
    assert_non_null (store);
    hb_fillstore_stats_t stats;
    hb_fillstore_stats (store, &stats);
    assert_int_equal (stats.replayed, 10);
    assert_int_equal (stats.bad_records, 0);
    assert_int_equal (hb_fillstore_first (store), 0);
    assert_int_equal (hb_fillstore_next (store), 10);
    for (int n = 0; n < 10; n++)
        s_assert_fill (store, (uint64_t) n, n);
    assert_null (hb_fillstore_get (store, 10));
    s_fill (&fill, 10);
    assert_int_equal (hb_fillstore_append (store, &fill), 0);
    s_assert_fill (store, 10, 10);
    hb_fillstore_destroy (&store);
    hb_journal_testing_unlink (path);
}

static void
test_ring_cap (void **state)
{
    (void) state;
    char path [128];
    s_path (path, sizeof path);
    hb_fillstore_t *store = hb_fillstore_new (path, HB_JOURNAL_FSYNC_NEVER, 0, 4);
    assert_non_null (store);
    hb_fill_t fill;
    for (int n = 0; n < 6; n++) {
        s_fill (&fill, n);
        assert_int_equal (hb_fillstore_append (store, &fill), 0);
    }
    assert_int_equal (hb_fillstore_first (store), 2);
    assert_int_equal (hb_fillstore_next (store), 6);
    assert_null (hb_fillstore_get (store, 1));
    for (int n = 2; n < 6; n++)
        s_assert_fill (store, (uint64_t) n, n);
    hb_fillstore_stats_t stats;
    hb_fillstore_stats (store, &stats);
    assert_int_equal (stats.evicted, 2);
    hb_fillstore_destroy (&store);

    //  reopened with a small ring, a journal longer than it keeps its tail
    store = hb_fillstore_new (path, HB_JOURNAL_FSYNC_NEVER, 0, 3);
    assert_non_null (store);
    assert_int_equal (hb_fillstore_first (store), 3);
    assert_int_equal (hb_fillstore_next (store), 6);
    s_assert_fill (store, 3, 3);
    s_assert_fill (store, 5, 5);
    hb_fillstore_destroy (&store);
    hb_journal_testing_unlink (path);
}

static void
test_bad_record_skipped (void **state)
{
    (void) state;
    char path [128];
    s_path (path, sizeof path);
    hb_journal_t *journal = hb_journal_open (path, HB_JOURNAL_FSYNC_NEVER, 0);
    assert_non_null (journal);
    assert_int_equal (hb_journal_append (journal, "not a fill", 10), 0);
    hb_journal_destroy (&journal);
    hb_fillstore_t *store = hb_fillstore_new (path, HB_JOURNAL_FSYNC_NEVER, 0, 0);
    assert_non_null (store);
    hb_fillstore_stats_t stats;
    hb_fillstore_stats (store, &stats);
    assert_int_equal (stats.bad_records, 1);
    assert_int_equal (stats.replayed, 0);
    assert_int_equal (hb_fillstore_next (store), 0);
    //  a second store on the same journal is refused (the journal's lock)
    assert_null (hb_fillstore_new (path, HB_JOURNAL_FSYNC_NEVER, 0, 0));
    hb_fillstore_destroy (&store);
    hb_journal_testing_unlink (path);
}

static void
test_memory_only (void **state)
{
    (void) state;
    hb_fillstore_t *store = hb_fillstore_new (NULL, HB_JOURNAL_FSYNC_ALWAYS, 0, 2);
    assert_non_null (store);
    hb_fill_t fill;
    for (int n = 0; n < 3; n++) {
        s_fill (&fill, n);
        assert_int_equal (hb_fillstore_append (store, &fill), 0);
    }
    assert_int_equal (hb_fillstore_sync (store), 0);
    assert_null (hb_fillstore_get (store, 0));
    s_assert_fill (store, 2, 2);
    hb_fillstore_destroy (&store);
}

int
main (void)
{
    hb_log_init ("test", HB_LOG_ERROR);
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_round_trip),
        cmocka_unit_test (test_ring_cap),
        cmocka_unit_test (test_bad_record_skipped),
        cmocka_unit_test (test_memory_only),
    };
    return cmocka_run_group_tests_name ("hb_fillstore", tests, NULL, NULL);
}
