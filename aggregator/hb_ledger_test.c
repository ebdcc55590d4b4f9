/*  hb_ledger tests: fills are journaled, applied once, deduplicated by
    (venue, fill_id) within a run and across restarts, and a restart
    rebuilds exactly the book the fills make; a torn tail loses only the
    fill whose append did not complete, which is then taken again. Funding
    payments are kept the same way, once per (venue, id).                 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "hb_ledger.h"
#include "hb_log.h"
#include "hb_journal_testing.h"

static char s_dir [64];
static char s_path [128];
static hb_config_t *s_cfg;

static int
s_setup (void **state)
{
    (void) state;
    strcpy (s_dir, "/tmp/hb_ledger_test.XXXXXX");
    if (!mkdtemp (s_dir))
        return -1;
    snprintf (s_path, sizeof s_path, "%s/fills.journal", s_dir);
    s_cfg = calloc (1, sizeof *s_cfg);
    s_cfg->n_assets = 1;
    strcpy (s_cfg->assets [0].name, "BTC");
    s_cfg->assets [0].price = 50000;
    s_cfg->aggregator.stale_ms = 5000;
    s_cfg->n_venues = 2;
    for (int v = 0; v < 2; v++) {
        hb_venue_cfg_t *venue = &s_cfg->venues [v];
        snprintf (venue->name, HB_NAME_MAX, "v%d", v);
        hb_venue_cfg_alloc (venue, 1, 1);
        venue->n_instruments = 1;
        strcpy (venue->instruments [0].symbol, "BTC-PERP");
        venue->instruments [0].kind = HB_KIND_LINEAR_PERP;
        venue->instruments [0].multiplier = 1;
    }
    //  a starting position on v1: replay starts from it
    s_cfg->venues [1].n_positions = 1;
    s_cfg->venues [1].positions [0] = (hb_position_cfg_t) { .instrument = 0, .qty = 2, .entry = 40000 };
    return 0;
}

static int
s_teardown (void **state)
{
    (void) state;
    hb_config_destroy (&s_cfg);
    hb_journal_testing_unlink (s_path);
    return rmdir (s_dir);
}

static hb_fill_t
s_fill (int venue, const char *id, int side, double qty, double px)
{
    hb_fill_t fill = { .side = (uint8_t) side, .qty = qty, .px = px, .fee = 1, .liquidity = 2 };
    snprintf (fill.venue, HB_NAME_MAX, "v%d", venue);
    strcpy (fill.symbol, "BTC-PERP");
    strcpy (fill.client_id, "c1");
    strcpy (fill.order_id, "o1");
    strcpy (fill.fill_id, id);
    strcpy (fill.fee_asset, "USD");
    return fill;
}

static void
s_expect (hb_ledger_t *ledger, int venue, double qty, double entry, double realized, uint64_t fills)
{
    hb_position_t pos;
    hb_book_position (hb_ledger_book (ledger), venue, 0, 0, &pos);
    assert_true (fabs (pos.qty - qty) < 1e-9);
    assert_true (fabs (pos.entry_px - entry) < 1e-9);
    assert_true (fabs (pos.realized - realized) < 1e-9);
    assert_int_equal (pos.fills, fills);
}

//  A fill worth more than max_fill_usd (a 1e300 quantity, a forged or
//  broken message) is refused before the journal: never applied, never
//  replayed at a restart; the next good one is taken.
static void
test_implausible (void **state)
{
    (void) state;
    hb_journal_testing_unlink (s_path);
    s_cfg->aggregator.max_fill_usd = 1e6;
    hb_ledger_t *ledger = hb_ledger_new (s_cfg, s_path, HB_JOURNAL_FSYNC_NEVER, 0);
    assert_non_null (ledger);
    hb_fill_t huge = s_fill (0, "f1", HB_SIDE_BUY, 1e300, 100);
    hb_fill_t over = s_fill (0, "f2", HB_SIDE_BUY, 21, 50000);      //  1.05 M USD
    hb_fill_t fine = s_fill (0, "f3", HB_SIDE_BUY, 19, 50000);      //  0.95 M USD
    assert_int_equal (hb_ledger_fill (ledger, &huge, NULL), 2);
    assert_int_equal (hb_ledger_fill (ledger, &over, NULL), 2);
    assert_int_equal (hb_ledger_fill (ledger, &fine, NULL), 1);
    assert_int_equal (hb_journal_count (hb_ledger_journal (ledger)), 1);
    assert_false (hb_ledger_seen (ledger, "v0", "f1"));
    s_expect (ledger, 0, 19, 50000, 0, 1);
    hb_ledger_stats_t stats;
    hb_ledger_stats (ledger, &stats);
    assert_int_equal (stats.implausible, 2);
    hb_ledger_destroy (&ledger);
    ledger = hb_ledger_new (s_cfg, s_path, HB_JOURNAL_FSYNC_NEVER, 0);
    assert_non_null (ledger);
    s_expect (ledger, 0, 19, 50000, 0, 1);                          //  the journal had only it
    hb_ledger_destroy (&ledger);
    s_cfg->aggregator.max_fill_usd = 0;
    hb_journal_testing_unlink (s_path);
}

static void
test_restart (void **state)
{
    (void) state;
    hb_ledger_t *ledger = hb_ledger_new (s_cfg, s_path, HB_JOURNAL_FSYNC_NEVER, 0);
    assert_non_null (ledger);
    hb_fill_t a = s_fill (0, "f1", HB_SIDE_BUY, 1, 100);
    hb_fill_t b = s_fill (0, "f2", HB_SIDE_BUY, 1, 200);
    hb_fill_t same_id_other_venue = s_fill (1, "f1", HB_SIDE_SELL, 1, 45000);
    assert_int_equal (hb_ledger_fill (ledger, &a, NULL), 1);
    assert_int_equal (hb_ledger_fill (ledger, &a, NULL), 0);             //  duplicate
    //  f2's message was seq 8 of the feed's epoch 77: the position names it
    hb_env_t env = { .epoch = 77, .seq = 8 };
    assert_int_equal (hb_ledger_fill (ledger, &b, &env), 1);
    assert_int_equal (hb_ledger_fill (ledger, &same_id_other_venue, NULL), 1);
    hb_position_t pos;
    hb_book_position (hb_ledger_book (ledger), 0, 0, 0, &pos);
    assert_string_equal (pos.last_fill, "f2");
    assert_true (pos.last_fill_epoch == 77 && pos.last_fill_seq == 8);
    assert_true (hb_ledger_seen (ledger, "v0", "f2"));
    assert_false (hb_ledger_seen (ledger, "v0", "f3"));
    s_expect (ledger, 0, 2, 150, 0, 2);
    //  what an order's final ack is checked against: duplicates not counted
    assert_true (hb_ledger_order_filled (ledger, "v0", "c1") == 2);
    assert_true (hb_ledger_order_filled (ledger, "v0", "c2") == 0);
    //  v1: 2 @ 40000 from the config, sold 1 @ 45000: +5000
    s_expect (ledger, 1, 1, 40000, 5000, 1);
    hb_ledger_stats_t stats;
    hb_ledger_stats (ledger, &stats);
    assert_int_equal (stats.applied, 3);
    assert_int_equal (stats.duplicates, 1);
    hb_ledger_destroy (&ledger);
    assert_null (ledger);

    //  restart: the same book, and the old fill ids are still known
    ledger = hb_ledger_new (s_cfg, s_path, HB_JOURNAL_FSYNC_ALWAYS, 0);
    assert_non_null (ledger);
    hb_ledger_stats (ledger, &stats);
    assert_int_equal (stats.replayed, 3);
    s_expect (ledger, 0, 2, 150, 0, 2);
    //  ... and still does after the restart (the journal kept the place)
    hb_book_position (hb_ledger_book (ledger), 0, 0, 0, &pos);
    assert_true (pos.last_fill_epoch == 77 && pos.last_fill_seq == 8);
    assert_true (hb_ledger_order_filled (ledger, "v0", "c1") == 2);
    assert_true (hb_ledger_order_filled (ledger, "v1", "c1") == 1);
    s_expect (ledger, 1, 1, 40000, 5000, 1);
    assert_int_equal (hb_ledger_fill (ledger, &b, NULL), 0);
    assert_int_equal (hb_ledger_fill (ledger, &same_id_other_venue, NULL), 0);
    hb_fill_t c = s_fill (0, "f3", HB_SIDE_SELL, 3, 300);           //  flip to -1 @ 300
    assert_int_equal (hb_ledger_fill (ledger, &c, NULL), 1);
    s_expect (ledger, 0, -1, 300, 300, 3);
    hb_ledger_destroy (&ledger);

    //  a crash in the middle of the last append: its tail is torn
    struct stat st;
    assert_int_equal (stat (s_path, &st), 0);
    assert_int_equal (truncate (s_path, st.st_size - 3), 0);
    ledger = hb_ledger_new (s_cfg, s_path, HB_JOURNAL_FSYNC_ALWAYS, 0);
    assert_non_null (ledger);
    s_expect (ledger, 0, 2, 150, 0, 2);             //  f3 never counted ...
    assert_false (hb_ledger_seen (ledger, "v0", "f3"));
    assert_int_equal (hb_ledger_fill (ledger, &c, NULL), 1);      //  ... so it is taken when resent
    s_expect (ledger, 0, -1, 300, 300, 3);
    hb_ledger_destroy (&ledger);
}

static void
test_unknown (void **state)
{
    (void) state;
    hb_journal_testing_unlink (s_path);
    hb_ledger_t *ledger = hb_ledger_new (s_cfg, s_path, HB_JOURNAL_FSYNC_NEVER, 0);
    assert_non_null (ledger);
    hb_fill_t odd = s_fill (0, "x1", HB_SIDE_BUY, 1, 100);
    strcpy (odd.symbol, "ETH-PERP");
    //  journaled (it happened) but not in the book; still deduplicated
    assert_int_equal (hb_ledger_fill (ledger, &odd, NULL), 1);
    assert_int_equal (hb_ledger_fill (ledger, &odd, NULL), 0);
    hb_ledger_stats_t stats;
    hb_ledger_stats (ledger, &stats);
    assert_int_equal (stats.unknown, 1);
    assert_int_equal (hb_journal_count (hb_ledger_journal (ledger)), 1);
    hb_ledger_destroy (&ledger);
    //  a path that cannot be opened
    assert_null (hb_ledger_new (s_cfg, "/nonexistent-dir/x.journal", HB_JOURNAL_FSYNC_NEVER, 0));
}

//  A fill marked external (a manual trade on the venue, a liquidation)
//  changes the position like any other and survives a restart with its
//  flag, but fills no order of ours (the final-ack check counts only
//  fills of the client id we sent).
static void
test_external (void **state)
{
    (void) state;
    hb_journal_testing_unlink (s_path);
    hb_ledger_t *ledger = hb_ledger_new (s_cfg, s_path, HB_JOURNAL_FSYNC_NEVER, 0);
    assert_non_null (ledger);
    hb_fill_t ours = s_fill (0, "f1", HB_SIDE_BUY, 2, 100);
    hb_fill_t manual = s_fill (0, "m1", HB_SIDE_SELL, 0.5, 110);
    manual.flags = HB_FILL_EXTERNAL;
    strcpy (manual.client_id, "c1");                //  even one that looks like ours
    assert_int_equal (hb_ledger_fill (ledger, &ours, NULL), 1);
    assert_int_equal (hb_ledger_fill (ledger, &manual, NULL), 1);
    assert_int_equal (hb_ledger_fill (ledger, &manual, NULL), 0);        //  once
    s_expect (ledger, 0, 1.5, 100, 0.5 * 10, 2);
    assert_true (hb_ledger_order_filled (ledger, "v0", "c1") == 2);
    hb_ledger_stats_t stats;
    hb_ledger_stats (ledger, &stats);
    assert_int_equal (stats.external, 1);
    assert_int_equal (stats.applied, 2);
    hb_ledger_destroy (&ledger);
    ledger = hb_ledger_new (s_cfg, s_path, HB_JOURNAL_FSYNC_NEVER, 0);
    assert_non_null (ledger);
    s_expect (ledger, 0, 1.5, 100, 0.5 * 10, 2);
    assert_true (hb_ledger_order_filled (ledger, "v0", "c1") == 2);
    hb_ledger_stats (ledger, &stats);
    assert_int_equal (stats.external, 1);
    hb_ledger_destroy (&ledger);
    hb_journal_testing_unlink (s_path);
}

//  A transfer's sent and credited statuses move collateral once each, and
//  a restart rebuilds the equities from the journal (before, the book
//  kept them in memory only: a restarted aggregator showed the money back
//  at its source). A duplicate, and the statuses that move nothing, are
//  not applied.
static void
test_transfer (void **state)
{
    (void) state;
    hb_journal_testing_unlink (s_path);
    s_cfg->venues [0].collateral_usd = 10000;
    s_cfg->venues [1].collateral_usd = 500;
    hb_ledger_t *ledger = hb_ledger_new (s_cfg, s_path, HB_JOURNAL_FSYNC_NEVER, 0);
    assert_non_null (ledger);
    hb_transfer_t t;
    memset (&t, 0, sizeof t);
    strcpy (t.id, "r.1");
    strcpy (t.route, "r");
    strcpy (t.from, "v0");
    strcpy (t.to, "v1");
    strcpy (t.asset, "USDC");
    strcpy (t.network, "internal");
    t.amount = 3000;
    t.fee = 1;
    t.status = HB_TRANSFER_REQUESTED;
    assert_int_equal (hb_ledger_transfer (ledger, &t), 0);
    t.status = HB_TRANSFER_SENT;
    assert_int_equal (hb_ledger_transfer (ledger, &t), 1);
    assert_int_equal (hb_ledger_transfer (ledger, &t), 0);          //  once
    t.status = HB_TRANSFER_CREDITED;
    t.credited_ns = 5;
    assert_int_equal (hb_ledger_transfer (ledger, &t), 1);
    hb_margin_t m0, m1;
    hb_book_margin (hb_ledger_book (ledger), 0, 1, &m0);
    hb_book_margin (hb_ledger_book (ledger), 1, 1, &m1);
    assert_true (fabs (m0.collateral_usd - (10000 - 3001)) < 1e-9);
    assert_true (fabs (m1.collateral_usd - (500 + 3000)) < 1e-9);
    hb_ledger_destroy (&ledger);

    ledger = hb_ledger_new (s_cfg, s_path, HB_JOURNAL_FSYNC_NEVER, 0);
    assert_non_null (ledger);
    hb_margin_t again;
    hb_book_margin (hb_ledger_book (ledger), 0, 1, &again);
    assert_true (again.collateral_usd == m0.collateral_usd);
    hb_book_margin (hb_ledger_book (ledger), 1, 1, &again);
    assert_true (again.collateral_usd == m1.collateral_usd);
    hb_ledger_stats_t stats;
    hb_ledger_stats (ledger, &stats);
    assert_int_equal (stats.transfers, 2);
    assert_int_equal (stats.bad_records, 0);
    //  a status seen before the restart is still a duplicate after it
    assert_int_equal (hb_ledger_transfer (ledger, &t), 0);
    hb_ledger_destroy (&ledger);
    s_cfg->venues [0].collateral_usd = s_cfg->venues [1].collateral_usd = 0;
    hb_journal_testing_unlink (s_path);
}

//  Funding payments: journaled and applied to the realized P&L once per
//  (venue, id), this run and after a restart; the venue's equity counts
//  them; another venue's payment of the same id is another payment; a
//  symbol the config lacks is journaled, counted unknown, not applied.
static void
test_funding (void **state)
{
    (void) state;
    hb_journal_testing_unlink (s_path);
    hb_ledger_t *ledger = hb_ledger_new (s_cfg, s_path, HB_JOURNAL_FSYNC_NEVER, 0);
    assert_non_null (ledger);
    hb_fill_t fill = s_fill (0, "f1", HB_SIDE_BUY, 1, 50000);
    assert_int_equal (hb_ledger_fill (ledger, &fill, NULL), 1);
    hb_margin_t before;
    hb_book_margin (hb_ledger_book (ledger), 0, 1, &before);
    hb_funding_t f = { .venue = "v0", .symbol = "BTC-PERP", .id = "BTC:1700000000000",
                       .usd = 2.5, .rate = 0.00005, .qty = 1 };
    hb_env_t env = { .ts_venue = 1700000000000ll * 1000000 };
    assert_int_equal (hb_ledger_funding (ledger, &f, &env), 1);
    assert_int_equal (hb_ledger_funding (ledger, &f, &env), 0);         //  once
    hb_funding_t received = f;
    strcpy (received.id, "BTC:1700003600000");
    received.usd = -0.5;
    assert_int_equal (hb_ledger_funding (ledger, &received, NULL), 1);
    hb_funding_t other = f;
    strcpy (other.venue, "v1");                                         //  same id, another venue
    assert_int_equal (hb_ledger_funding (ledger, &other, NULL), 1);
    hb_funding_t unknown = f;
    strcpy (unknown.symbol, "ETH-PERP");
    strcpy (unknown.id, "ETH:1");
    assert_int_equal (hb_ledger_funding (ledger, &unknown, NULL), 1);
    s_expect (ledger, 0, 1, 50000, -2.0, 1);
    s_expect (ledger, 1, 2, 40000, -2.5, 0);
    hb_margin_t after;
    hb_book_margin (hb_ledger_book (ledger), 0, 1, &after);
    assert_true (fabs (after.equity_usd - (before.equity_usd - 2.0)) < 1e-9);
    hb_ledger_destroy (&ledger);

    ledger = hb_ledger_new (s_cfg, s_path, HB_JOURNAL_FSYNC_NEVER, 0);
    assert_non_null (ledger);
    s_expect (ledger, 0, 1, 50000, -2.0, 1);
    s_expect (ledger, 1, 2, 40000, -2.5, 0);
    hb_ledger_stats_t stats;
    hb_ledger_stats (ledger, &stats);
    assert_int_equal (stats.fundings, 4);
    assert_int_equal (stats.unknown, 1);
    assert_int_equal (stats.bad_records, 0);
    //  a payment taken before the restart is still a duplicate after it
    assert_int_equal (hb_ledger_funding (ledger, &received, NULL), 0);
    s_expect (ledger, 0, 1, 50000, -2.0, 1);
    hb_ledger_destroy (&ledger);
    hb_journal_testing_unlink (s_path);
}

int
main (void)
{
    hb_log_init ("hb_ledger_test", HB_LOG_ERROR);
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_restart),
        cmocka_unit_test (test_implausible),
        cmocka_unit_test (test_unknown),
        cmocka_unit_test (test_external),
        cmocka_unit_test (test_transfer),
        cmocka_unit_test (test_funding),
    };
    return cmocka_run_group_tests_name ("hb_ledger", tests, s_setup, s_teardown);
}
