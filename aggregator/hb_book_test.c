/*  hb_book tests: position arithmetic, exposure and margin against examples
    worked by hand in the comments (partial fills, a flip, fees, inverse
    contracts, options on the underlying, margin and liquidation distance,
    staleness, starting positions).                                       */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hb_book.h"

#define NEAR(a, b) s_near ((a), (b), __LINE__)

enum { PERP, INV, SPOT, OPT };

static void
s_near (double got, double want, int line)
{
    if (!(fabs (got - want) <= 1e-9 * fmax (1, fabs (want))))
        fail_msg ("line %d: got %.12g, want %.12g", line, got, want);
}

//  BTC at 50000; venue v: 10 % initial, 5 % maintenance, 10000 USD.
static hb_config_t *
s_config (void)
{
    hb_config_t *cfg = calloc (1, sizeof *cfg);
    assert_non_null (cfg);
    cfg->n_assets = 2;
    strcpy (cfg->assets [0].name, "BTC");
    cfg->assets [0].price = 50000;
    strcpy (cfg->assets [1].name, "ETH");
    cfg->assets [1].price = 2000;
    cfg->aggregator.stale_ms = 5000;
    cfg->n_venues = 1;
    hb_venue_cfg_t *v = &cfg->venues [0];
    strcpy (v->name, "v");
    v->initial_margin = 0.10;
    v->maintenance_margin = 0.05;
    v->collateral_usd = 10000;
    hb_venue_cfg_alloc (v, 4, 4);
    v->n_instruments = 4;
    const char *symbols [] = { "BTC-PERP", "BTC-INV", "BTC-USD", "BTC-C" };
    const hb_kind_t kinds [] = { HB_KIND_LINEAR_PERP, HB_KIND_INVERSE_PERP, HB_KIND_SPOT, HB_KIND_OPTION };
    const double mults [] = { 1, 100, 1, 1 };
    for (int i = 0; i < 4; i++) {
        strcpy (v->instruments [i].symbol, symbols [i]);
        v->instruments [i].kind = kinds [i];
        v->instruments [i].multiplier = mults [i];
        v->instruments [i].asset = 0;
    }
    return cfg;
}

static void
s_fill (hb_book_t *book, const char *symbol, int side, double qty, double px, double fee,
        const char *fee_asset)
{
    hb_fill_t fill = { .side = (uint8_t) side, .qty = qty, .px = px, .fee = fee, .liquidity = 2 };
    strcpy (fill.venue, "v");
    strcpy (fill.symbol, symbol);
    strcpy (fill.fee_asset, fee_asset);
    static int s_fill_no;
    snprintf (fill.fill_id, sizeof fill.fill_id, "f%d", ++s_fill_no);
    assert_int_equal (hb_book_fill (book, &fill, 0, 0), 0);
}

static void
test_linear (void **state)
{
    (void) state;
    hb_config_t *cfg = s_config ();
    hb_book_t *book = hb_book_new (cfg);
    hb_position_t pos;
    hb_book_position (book, 0, PERP, 0, &pos);
    assert_string_equal (pos.last_fill, "");
    s_fill (book, "BTC-PERP", HB_SIDE_BUY, 1, 100, 0.5, "USD");     //  +1 @ 100
    s_fill (book, "BTC-PERP", HB_SIDE_BUY, 3, 200, 0.5, "USD");     //  +4 @ (100 + 600) / 4 = 175
    hb_book_position (book, 0, PERP, 0, &pos);
    NEAR (pos.qty, 4);
    NEAR (pos.entry_px, 175);
    NEAR (pos.realized, 0);
    //  partial close: 1 x (215 - 175) = 40, the rest keeps its entry
    s_fill (book, "BTC-PERP", HB_SIDE_SELL, 1, 215, 0.5, "USD");
    hb_book_position (book, 0, PERP, 0, &pos);
    NEAR (pos.qty, 3);
    NEAR (pos.entry_px, 175);
    NEAR (pos.realized, 40);
    //  flip: sell 5 @ 150 closes 3 at 3 x (150 - 175) = -75 (realized -35),
    //  and opens -2 @ 150
    s_fill (book, "BTC-PERP", HB_SIDE_SELL, 5, 150, 0.5, "USD");
    hb_book_position (book, 0, PERP, 0, &pos);
    NEAR (pos.qty, -2);
    NEAR (pos.entry_px, 150);
    NEAR (pos.realized, -35);
    //  mark 160: short 2 from 150 loses 20; exposure -2 x 160
    assert_int_equal (hb_book_mark (book, "v", "BTC-PERP", 160, 1), 0);
    hb_book_position (book, 0, PERP, 1, &pos);
    NEAR (pos.unrealized, -20);
    NEAR (pos.exposure_usd, -320);
    //  close the short at 140: -2 x (140 - 150) = +20, realized -15, flat
    s_fill (book, "BTC-PERP", HB_SIDE_BUY, 2, 140, 0.5, "USD");
    hb_book_position (book, 0, PERP, 1, &pos);
    assert_true (pos.qty == 0 && pos.entry_px == 0);
    NEAR (pos.realized, -15);
    NEAR (pos.fees, 2.5);
    NEAR (pos.unrealized, 0);
    assert_int_equal (pos.fills, 5);
    //  the state names the last fill it holds (hb-risk applies a fill with the state naming it)
    char last [HB_ID_MAX];
    snprintf (last, sizeof last, "%s", pos.last_fill);
    assert_true (last [0] == 'f' && atoi (last + 1) >= 5);
    hb_book_position (book, 0, INV, 0, &pos);
    assert_string_equal (pos.last_fill, "");
    hb_book_position (book, 0, PERP, 0, &pos);
    assert_string_equal (pos.settle, "USD");
    //  a fill for something the config does not know changes nothing
    hb_fill_t bad = { .side = HB_SIDE_BUY, .qty = 1, .px = 1 };
    strcpy (bad.venue, "v");
    strcpy (bad.symbol, "NOPE");
    assert_int_equal (hb_book_fill (book, &bad, 0, 0), -1);
    strcpy (bad.venue, "w");
    strcpy (bad.symbol, "BTC-PERP");
    assert_int_equal (hb_book_fill (book, &bad, 0, 0), -1);
    hb_book_destroy (&book);
    assert_null (book);
    hb_config_destroy (&cfg);
}

static void
test_inverse (void **state)
{
    (void) state;
    hb_config_t *cfg = s_config ();
    hb_book_t *book = hb_book_new (cfg);
    hb_position_t pos;
    //  harmonic entry: 200 / (100 / 50000 + 100 / 40000) = 44444.44...
    s_fill (book, "BTC-INV", HB_SIDE_BUY, 100, 50000, 0.0001, "BTC");
    s_fill (book, "BTC-INV", HB_SIDE_BUY, 100, 40000, 5, "USD");       //  5 / 40000 BTC
    hb_book_position (book, 0, INV, 0, &pos);
    NEAR (pos.entry_px, 200 / 0.0045);
    //  sell 150 @ 60000: 150 x 100 x (1/44444.44 - 1/60000) = 0.0875 BTC
    s_fill (book, "BTC-INV", HB_SIDE_SELL, 150, 60000, 0, "BTC");
    assert_int_equal (hb_book_mark (book, "v", "BTC-INV", 50000, 1), 0);
    hb_book_position (book, 0, INV, 1, &pos);
    NEAR (pos.qty, 50);
    NEAR (pos.entry_px, 200 / 0.0045);
    NEAR (pos.realized, 0.0875);
    NEAR (pos.fees, 0.0001 + 0.000125);
    assert_string_equal (pos.settle, "BTC");
    //  50 x 100 x (0.0000225 - 0.00002) = 0.0125 BTC
    NEAR (pos.unrealized, 0.0125);
    //  50 x 100 x 50000 / 44444.44 = 5625 USD: 5000 of contracts plus the
    //  0.0125 BTC of P&L they carry (625 USD)
    NEAR (pos.exposure_usd, 5625);
    //  the asset's net exposure adds the realized coin P&L less fees:
    //  5625 + (0.0875 - 0.000225) x 50000 = 9988.75
    hb_exposure_t exp;
    hb_book_exposure (book, 0, 1, &exp);
    NEAR (exp.net_usd, 9988.75);
    NEAR (exp.net_qty, 9988.75 / 50000);
    NEAR (exp.gross_usd, 5625);
    assert_int_equal (exp.positions, 1);
    hb_book_destroy (&book);
    hb_config_destroy (&cfg);
}

static void
test_spot_option (void **state)
{
    (void) state;
    hb_config_t *cfg = s_config ();
    hb_book_t *book = hb_book_new (cfg);
    hb_position_t pos;
    s_fill (book, "BTC-C", HB_SIDE_BUY, 2, 1000, 0, "USD");
    hb_book_mark (book, "v", "BTC-C", 1200, 1);
    hb_book_mark (book, "v", "BTC-USD", 51000, 1);      //  the reference price
    hb_book_position (book, 0, OPT, 1, &pos);
    NEAR (pos.unrealized, 400);
    NEAR (pos.exposure_usd, 2 * 51000.0);               //  delta-1 on the underlying
    NEAR (hb_book_price (book, 0), 51000);
    //  spot as held; a long spot uses no margin
    s_fill (book, "BTC-USD", HB_SIDE_BUY, 0.5, 50000, 10, "USD");
    hb_book_position (book, 0, SPOT, 1, &pos);
    NEAR (pos.exposure_usd, 25500);
    NEAR (pos.unrealized, 500);
    hb_margin_t m;
    hb_book_margin (book, 0, 1, &m);
    //  option margined on its underlying notional: 2 x 51000 x 10 %
    NEAR (m.initial_usd, 10200);
    NEAR (m.maintenance_usd, 5100);
    //  equity 10000 + 400 + 500 - 10
    NEAR (m.equity_usd, 10890);
    hb_book_destroy (&book);
    hb_config_destroy (&cfg);
}

//  A coin-settled option (Deribit style): priced, paid and settled in the
//  coin. Bought 2 at 0.05 BTC with a fee of 0.0003 BTC, marked 0.07 with
//  BTC at 60,000: its P&L is in BTC (0.04 unrealized), held in BTC: the
//  asset's net exposure has the delta-1 placeholder 2 x 60,000 plus
//  (0.04 - 0.0003) x 60,000 of coin, the venue's equity the same P&L in USD
static void
test_coin_option (void **state)
{
    (void) state;
    hb_config_t *cfg = s_config ();
    cfg->venues [0].instruments [OPT].coin_settled = true;
    hb_book_t *book = hb_book_new (cfg);
    hb_book_mark (book, "v", "BTC-USD", 60000, 1);
    s_fill (book, "BTC-C", HB_SIDE_BUY, 2, 0.05, 0.0003, "BTC");
    hb_book_mark (book, "v", "BTC-C", 0.07, 1);
    hb_position_t pos;
    hb_book_position (book, 0, OPT, 1, &pos);
    assert_string_equal (pos.settle, "BTC");
    NEAR (pos.entry_px, 0.05);
    NEAR (pos.unrealized, 0.04);
    NEAR (pos.fees, 0.0003);
    NEAR (pos.exposure_usd, 2 * 60000.0);
    hb_exposure_t x;
    hb_book_exposure (book, 0, 1, &x);
    NEAR (x.net_usd, 2 * 60000.0 + (0.04 - 0.0003) * 60000);
    hb_margin_t m;
    hb_book_margin (book, 0, 1, &m);
    NEAR (m.equity_usd, 10000 + (0.04 - 0.0003) * 60000);
    NEAR (m.assets [0].exposure_usd, 2 * 60000.0 + (0.04 - 0.0003) * 60000);
    //  a fee paid in USD converts at the asset's price; closing at 0.08
    //  realizes 2 x 0.03 BTC
    s_fill (book, "BTC-C", HB_SIDE_SELL, 2, 0.08, 6, "USD");
    hb_book_position (book, 0, OPT, 1, &pos);
    NEAR (pos.realized, 0.06);
    NEAR (pos.fees, 0.0003 + 0.0001);
    hb_book_exposure (book, 0, 1, &x);
    NEAR (x.net_usd, (0.06 - 0.0004) * 60000);
    hb_book_destroy (&book);
    hb_config_destroy (&cfg);
}

//  A transfer: sent takes amount + fee out of the source, credited puts
//  the amount into the destination; in between it is in neither
static void
test_transfer (void **state)
{
    (void) state;
    hb_config_t *cfg = s_config ();
    cfg->n_venues = 2;
    strcpy (cfg->venues [1].name, "w");
    cfg->venues [1].collateral_usd = 500;
    hb_book_t *book = hb_book_new (cfg);
    hb_transfer_t t;
    memset (&t, 0, sizeof t);
    strcpy (t.id, "r.1");
    strcpy (t.from, "v");
    strcpy (t.to, "w");
    strcpy (t.asset, "USDC");
    t.amount = 3000;
    t.fee = 1;
    t.status = HB_TRANSFER_REQUESTED;
    assert_int_equal (hb_book_transfer (book, &t), 0);          //  nothing moved yet
    hb_margin_t m;
    t.status = HB_TRANSFER_SENT;
    assert_int_equal (hb_book_transfer (book, &t), 1);
    hb_book_margin (book, 0, 1, &m);
    NEAR (m.equity_usd, 10000 - 3001);
    assert_false (m.flags & HB_MARGIN_TOPUP);
    hb_book_margin (book, 1, 1, &m);
    NEAR (m.equity_usd, 500);                                   //  in flight: neither here nor there
    assert_true (m.flags & HB_MARGIN_TOPUP);                    //  and said so on the destination
    t.status = HB_TRANSFER_CREDITED;
    t.credited_ns = 5;
    assert_int_equal (hb_book_transfer (book, &t), 1);
    hb_book_margin (book, 1, 1, &m);
    NEAR (m.equity_usd, 3500);
    assert_false (m.flags & HB_MARGIN_TOPUP);
    //  a coin moves at its price
    strcpy (t.asset, "BTC");
    t.amount = 0.1;
    t.fee = 0;
    assert_int_equal (hb_book_transfer (book, &t), 1);
    hb_book_margin (book, 1, 1, &m);
    NEAR (m.equity_usd, 3500 + 5000);
    assert_false (m.flags & HB_MARGIN_TOPUP);                   //  a credit without its sent
    strcpy (t.to, "nowhere");
    assert_int_equal (hb_book_transfer (book, &t), 0);
    t.status = HB_TRANSFER_REFUSED;
    assert_int_equal (hb_book_transfer (book, &t), 0);
    hb_book_destroy (&book);
    hb_config_destroy (&cfg);
}

static void
test_margin_liquidation (void **state)
{
    (void) state;
    hb_config_t *cfg = s_config ();
    hb_book_t *book = hb_book_new (cfg);
    hb_margin_t m;
    //  long 1 BTC-PERP @ 50000 on 10000 USD: IM 5000, MM 2500, utilization
    //  0.5; equity 10000 + (S - 50000) = 0.05 S at S = 40000 / 0.95
    s_fill (book, "BTC-PERP", HB_SIDE_BUY, 1, 50000, 0, "USD");
    hb_book_mark (book, "v", "BTC-PERP", 50000, 1);
    hb_book_margin (book, 0, 1, &m);
    NEAR (m.collateral_usd, 10000);
    NEAR (m.equity_usd, 10000);
    NEAR (m.initial_usd, 5000);
    NEAR (m.maintenance_usd, 2500);
    NEAR (m.utilization, 0.5);
    assert_int_equal (m.n_assets, 1);
    assert_string_equal (m.assets [0].asset, "BTC");
    assert_true (m.assets [0].has_liq);
    assert_true (fabs (m.assets [0].liq_move - (40000 / 0.95 / 50000 - 1)) < 1e-9);
    assert_int_equal (m.flags, 0);
    //  turn it into a short 1: 10000 - (S - 50000) = 0.05 S at S = 60000 / 1.05
    s_fill (book, "BTC-PERP", HB_SIDE_SELL, 2, 50000, 0, "USD");
    hb_book_margin (book, 0, 1, &m);
    assert_true (fabs (m.assets [0].liq_move - (60000 / 1.05 / 50000 - 1)) < 1e-9);
    //  a mark that puts the venue under maintenance: already there
    hb_book_mark (book, "v", "BTC-PERP", 59000, 2);
    hb_book_margin (book, 0, 2, &m);
    assert_true (m.flags & HB_MARGIN_BREACH);
    assert_true (m.assets [0].has_liq && m.assets [0].liq_move == 0);
    hb_book_destroy (&book);
    hb_config_destroy (&cfg);
}

static void
test_inverse_margin (void **state)
{
    (void) state;
    hb_config_t *cfg = s_config ();
    cfg->venues [0].collateral_usd = 0;
    cfg->venues [0].balances [0] = 1;           //  1 BTC
    hb_book_t *book = hb_book_new (cfg);
    hb_margin_t m;
    hb_exposure_t exp;
    //  short 500 x 100 USD against 1 BTC: USD-neutral. Equity
    //  S + S x (-1 + 50000 / S) = 50000 whatever S; MM 2500: no liquidation
    s_fill (book, "BTC-INV", HB_SIDE_SELL, 500, 50000, 0, "BTC");
    hb_book_mark (book, "v", "BTC-INV", 50000, 1);
    hb_book_margin (book, 0, 1, &m);
    NEAR (m.equity_usd, 50000);
    NEAR (m.maintenance_usd, 2500);
    assert_int_equal (m.n_assets, 1);
    assert_false (m.assets [0].has_liq);
    assert_true (m.assets [0].liq_move == 0);
    assert_true (fabs (m.assets [0].exposure_usd) < 1e-6);
    hb_book_exposure (book, 0, 1, &exp);
    assert_true (fabs (exp.net_usd) < 1e-6);
    //  now long 500 instead (buy 1000): equity S + (S - 50000) = 2 S - 50000
    //  meets 2500 at S = 26250, a 47.5 % fall; 2 BTC of exposure
    s_fill (book, "BTC-INV", HB_SIDE_BUY, 1000, 50000, 0, "BTC");
    hb_book_margin (book, 0, 1, &m);
    assert_true (m.assets [0].has_liq);
    assert_true (fabs (m.assets [0].liq_move - (-0.475)) < 1e-9);
    NEAR (m.assets [0].exposure_usd, 100000);
    hb_book_exposure (book, 0, 1, &exp);
    NEAR (exp.net_usd, 100000);
    NEAR (exp.net_qty, 2);
    hb_book_destroy (&book);
    hb_config_destroy (&cfg);
}

static void
test_stale_and_start (void **state)
{
    (void) state;
    hb_config_t *cfg = s_config ();
    cfg->venues [0].n_positions = 1;
    cfg->venues [0].positions [0] = (hb_position_cfg_t) { .instrument = PERP, .qty = -3, .entry = 48000 };
    hb_book_t *book = hb_book_new (cfg);
    hb_position_t pos;
    hb_book_position (book, 0, PERP, 0, &pos);
    NEAR (pos.qty, -3);
    NEAR (pos.entry_px, 48000);
    assert_int_equal (pos.flags, HB_POS_NO_MARK | HB_POS_STALE);
    NEAR (pos.unrealized, 0);                   //  valued at entry until marked
    assert_true (hb_book_active (book, 0, PERP));
    assert_false (hb_book_active (book, 0, INV));
    const int64_t s = 1000000000;
    hb_book_mark (book, "v", "BTC-PERP", 49000, 10 * s);
    hb_book_position (book, 0, PERP, 15 * s, &pos);
    assert_int_equal (pos.flags, 0);
    NEAR (pos.unrealized, -3000);
    hb_book_position (book, 0, PERP, 15 * s + 1, &pos);
    assert_int_equal (pos.flags, HB_POS_STALE);
    //  a venue limit overrides the aggregator's
    cfg->venues [0].mark_stale_ms = 100000;
    hb_book_position (book, 0, PERP, 15 * s + 1, &pos);
    assert_int_equal (pos.flags, 0);
    assert_int_equal (hb_book_mark (book, "v", "BTC-PERP", NAN, 0), -1);
    assert_int_equal (hb_book_mark (book, "v", "BTC-PERP", -1, 0), -1);
    assert_int_equal (hb_book_mark (book, "v", "NOPE", 1, 0), -1);
    hb_book_destroy (&book);
    hb_config_destroy (&cfg);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_linear),
        cmocka_unit_test (test_transfer),
        cmocka_unit_test (test_inverse),
        cmocka_unit_test (test_spot_option),
        cmocka_unit_test (test_margin_liquidation),
        cmocka_unit_test (test_inverse_margin),
        cmocka_unit_test (test_stale_and_start),
        cmocka_unit_test (test_coin_option),
    };
    return cmocka_run_group_tests_name ("hb_book", tests, NULL, NULL);
}
