/*  hb_recon tests: a venue's report that agrees stays quiet; one that
    disagrees is a mismatch only on the second report in a row (a fill and
    a report cross on the wire), counted once, and clears on the first
    report that agrees; an instrument not listed is flat at the venue,
    unless the report is truncated (not judged); the tolerance is half a
    lot; the venue's equity and margin replace the configured ones
    (HB_MARGIN_VENUE) unless it reports positions only; an unknown venue
    changes nothing.                                                       */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hb_book.h"
#include "hb_log.h"
#include "hb_recon.h"

//  BTC at 50000; venue v: 10 % initial, 5 % maintenance, 10000 USD; a
//  perp of lot 0.01 and a spot
static hb_config_t *
s_config (void)
{
    hb_config_t *cfg = calloc (1, sizeof *cfg);
    assert_non_null (cfg);
    cfg->n_assets = 1;
    strcpy (cfg->assets [0].name, "BTC");
    cfg->assets [0].price = 50000;
    cfg->aggregator.stale_ms = 5000;
    cfg->n_venues = 1;
    hb_venue_cfg_t *v = &cfg->venues [0];
    strcpy (v->name, "v");
    v->initial_margin = 0.10;
    v->maintenance_margin = 0.05;
    v->collateral_usd = 10000;
    hb_venue_cfg_alloc (v, 2, 2);
    v->n_instruments = 2;
    const char *symbols [] = { "BTC-PERP", "BTC-USD" };
    const hb_kind_t kinds [] = { HB_KIND_LINEAR_PERP, HB_KIND_SPOT };
    for (int i = 0; i < 2; i++) {
        strcpy (v->instruments [i].symbol, symbols [i]);
        v->instruments [i].kind = kinds [i];
        v->instruments [i].multiplier = 1;
        v->instruments [i].lot_size = 0.01;
        v->instruments [i].min_qty = 0.01;
        v->instruments [i].asset = 0;
    }
    return cfg;
}

static void
s_buy (hb_book_t *book, double qty)
{
    static int s_no;
    hb_fill_t fill = { .side = HB_SIDE_BUY, .qty = qty, .px = 50000, .liquidity = 2 };
    strcpy (fill.venue, "v");
    strcpy (fill.symbol, "BTC-PERP");
    strcpy (fill.fee_asset, "USD");
    snprintf (fill.fill_id, sizeof fill.fill_id, "f%d", ++s_no);
    assert_int_equal (hb_book_fill (book, &fill, 0, 0), 0);
}

//  A report of venue v: BTC-PERP qty (none when 0), no margin figures
static hb_account_t
s_report (double qty)
{
    hb_account_t a = { .flags = HB_ACCOUNT_NO_MARGIN };
    strcpy (a.venue, "v");
    if (qty != 0) {
        a.n_positions = 1;
        strcpy (a.positions [0].symbol, "BTC-PERP");
        a.positions [0].qty = qty;
        a.positions [0].entry_px = 50000;
    }
    return a;
}

static void
test_positions (void **state)
{
    (void) state;
    hb_log_init ("recon_test", HB_LOG_ERROR);
    hb_config_t *cfg = s_config ();
    hb_book_t *book = hb_book_new (cfg);
    hb_recon_t *recon = hb_recon_new (cfg, book);
    assert_non_null (recon);
    hb_recon_stats_t st;
    hb_margin_t m;

    //  never reported: margin untouched
    hb_book_margin (book, 0, 0, &m);
    hb_margin_t before = m;
    hb_recon_margin (recon, 0, &m);
    assert_memory_equal (&m, &before, sizeof m);

    s_buy (book, 0.5);
    hb_account_t a = s_report (0.5);
    assert_int_equal (hb_recon_account (recon, &a, 0), 0);
    assert_false (hb_recon_mismatched (recon, 0));
    //  within half a lot (0.005): agrees
    a = s_report (0.504);
    hb_recon_account (recon, &a, 0);
    hb_recon_account (recon, &a, 0);
    assert_false (hb_recon_mismatched (recon, 0));

    //  one report behind our fill: not yet a mismatch; a second one is
    s_buy (book, 0.25);
    a = s_report (0.5);
    hb_recon_account (recon, &a, 0);
    assert_false (hb_recon_mismatched (recon, 0));
    hb_recon_account (recon, &a, 0);
    assert_true (hb_recon_mismatched (recon, 0));
    hb_recon_account (recon, &a, 0);
    hb_recon_stats (recon, &st);
    assert_int_equal (st.mismatches, 1);            //  counted once
    assert_int_equal (st.venues_mismatched, 1);
    assert_int_equal (st.venues_reporting, 1);
    assert_int_equal (st.reports, 6);
    hb_book_margin (book, 0, 0, &m);
    hb_recon_margin (recon, 0, &m);
    assert_true (m.flags & HB_MARGIN_MISMATCH);
    assert_true (m.flags & HB_MARGIN_RECONCILED);
    assert_false (m.flags & HB_MARGIN_VENUE);       //  positions only: our figures
    assert_true (m.equity_usd == before.equity_usd);

    //  agrees again at once
    a = s_report (0.75);
    hb_recon_account (recon, &a, 0);
    assert_false (hb_recon_mismatched (recon, 0));
    hb_recon_stats (recon, &st);
    assert_int_equal (st.venues_mismatched, 0);

    //  not listed: flat at the venue, a mismatch after two reports
    a = s_report (0);
    hb_recon_account (recon, &a, 0);
    hb_recon_account (recon, &a, 0);
    assert_true (hb_recon_mismatched (recon, 0));
    //  ... unless the report is truncated: not judged, stays as it was
    a.flags |= HB_ACCOUNT_TRUNCATED;
    hb_recon_account (recon, &a, 0);
    assert_true (hb_recon_mismatched (recon, 0));
    a = s_report (0.75);
    hb_recon_account (recon, &a, 0);
    assert_false (hb_recon_mismatched (recon, 0));
    hb_recon_stats (recon, &st);
    assert_int_equal (st.mismatches, 2);

    //  a position at the venue in an instrument we never traded
    a = s_report (0.75);
    a.n_positions = 2;
    strcpy (a.positions [1].symbol, "BTC-USD");
    a.positions [1].qty = 1;
    hb_recon_account (recon, &a, 0);
    hb_recon_account (recon, &a, 0);
    assert_true (hb_recon_mismatched (recon, 0));

    //  ... not judged when the venue keeps spot as balances
    a.flags |= HB_ACCOUNT_NO_SPOT;
    a.n_positions = 1;
    hb_recon_account (recon, &a, 0);
    assert_true (hb_recon_mismatched (recon, 0));   //  not judged: as it was
    //  an unknown venue changes nothing
    strcpy (a.venue, "w");
    assert_int_equal (hb_recon_account (recon, &a, 0), -1);
    hb_recon_stats (recon, &st);
    assert_int_equal (st.reports, 14);

    hb_recon_destroy (&recon);
    assert_null (recon);
    hb_recon_destroy (&recon);
    hb_book_destroy (&book);
    hb_config_destroy (&cfg);
}

static void
test_margin (void **state)
{
    (void) state;
    hb_config_t *cfg = s_config ();
    hb_book_t *book = hb_book_new (cfg);
    hb_recon_t *recon = hb_recon_new (cfg, book);
    s_buy (book, 1);
    assert_true (hb_book_mark (book, "v", "BTC-PERP", 51000, 0) >= 0);
    hb_account_t a = s_report (1);
    a.flags = 0;
    a.equity_usd = 9000;
    a.initial_usd = 4500;
    a.maintenance_usd = 2550;
    a.withdrawable_usd = 4500;
    hb_recon_account (recon, &a, 0);
    hb_margin_t m;
    hb_book_margin (book, 0, 0, &m);
    //  ours: 10000 + 1000 unrealized, 5100 initial, 2550 maintenance
    assert_true (fabs (m.equity_usd - 11000) < 1e-6);
    hb_recon_margin (recon, 0, &m);
    assert_true (m.flags & HB_MARGIN_VENUE);
    assert_false (m.flags & (HB_MARGIN_MISMATCH | HB_MARGIN_BREACH));
    assert_true (m.equity_usd == 9000 && m.initial_usd == 4500 && m.maintenance_usd == 2550);
    assert_true (fabs (m.collateral_usd - 8000) < 1e-6);     //  equity = collateral + unrealized
    assert_true (fabs (m.utilization - 0.5) < 1e-12);
    //  the venue's equity at its maintenance: a breach, whatever our model says
    a.equity_usd = 2550;
    hb_recon_account (recon, &a, 0);
    hb_book_margin (book, 0, 0, &m);
    assert_false (m.flags & HB_MARGIN_BREACH);
    hb_recon_margin (recon, 0, &m);
    assert_true (m.flags & HB_MARGIN_BREACH);
    //  and the other way: the venue has room where our model saw a breach
    a.equity_usd = 1e6;
    hb_recon_account (recon, &a, 0);
    m.flags |= HB_MARGIN_BREACH;
    hb_recon_margin (recon, 0, &m);
    assert_false (m.flags & HB_MARGIN_BREACH);
    hb_recon_destroy (&recon);
    hb_book_destroy (&book);
    hb_config_destroy (&cfg);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_positions),
        cmocka_unit_test (test_margin),
    };
    return cmocka_run_group_tests_name ("hb_recon", tests, NULL, NULL);
}
