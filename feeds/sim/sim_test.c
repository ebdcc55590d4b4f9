/*  sim venue tests: books, matching, fees, rejects, balances, outages,
    determinism across instances, and the plugin glue against a fake host.
    The venue is driven directly by step index; no clock, no bus.           */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hb_plugin.h"
#include "sim_venue.h"

#define ANCHOR_NS   INT64_C (1700000000000000000)
#define DAY_NS      (INT64_C (86400) * 1000000000)
#define CAPTURE_MAX 4096

enum { I_SPOT, I_PERP, I_INV, I_ETH_PERP, I_CALL, I_SOL, I_PUT_SHORT, N_INSTR };

//  ---------------------------------------------------------------------------
//  Config by hand: four assets, one sim venue with every instrument kind.

static hb_instrument_cfg_t *
s_instr (hb_venue_cfg_t *v, const char *symbol, int asset, hb_kind_t kind,
         double mult, double tick, double lot, double min_qty)
{
    hb_instrument_cfg_t *ins = &v->instruments [v->n_instruments++];
    snprintf (ins->symbol, HB_NAME_MAX, "%s", symbol);
    ins->asset = asset;
    ins->kind = kind;
    ins->multiplier = mult;
    ins->tick_size = tick;
    ins->lot_size = lot;
    ins->min_qty = min_qty;
    return ins;
}

static void
s_venue_cfg (hb_config_t *config, int index, const char *name, uint64_t seed,
             double basis_bps, double noise_bps)
{
    hb_venue_cfg_t *v = &config->venues [index];
    memset (v, 0, sizeof *v);
    snprintf (v->name, HB_NAME_MAX, "%s", name);
    snprintf (v->plugin, HB_NAME_MAX, "sim");
    v->fee_maker = 0.0001;
    v->fee_taker = 0.0005;
    v->initial_margin = 0.1;
    v->maintenance_margin = 0.05;
    v->collateral_usd = 1e6;
    v->balances [0] = 2;            //  BTC
    v->balances [1] = 20;           //  ETH
    v->cpu = -1;
    v->enabled = true;
    s_instr (v, "BTC-USD", 0, HB_KIND_SPOT, 1, 0.1, 0.0001, 0.0001);
    s_instr (v, "BTC-PERP", 0, HB_KIND_LINEAR_PERP, 1, 0.1, 0.001, 0.001);
    s_instr (v, "BTC-USD-INV", 0, HB_KIND_INVERSE_PERP, 100, 0.5, 1, 1);
    s_instr (v, "ETH-PERP", 1, HB_KIND_LINEAR_PERP, 1, 0.01, 0.01, 0.01);
    hb_instrument_cfg_t *call = s_instr (v, "BTC-C-65000", 0, HB_KIND_OPTION, 1, 5, 0.01, 0.01);
    call->is_call = true;
    call->strike = 65000;
    call->expiry_ns = ANCHOR_NS + 30 * DAY_NS;
    call->iv = 0.6;
    s_instr (v, "SOL-USD", 2, HB_KIND_SPOT, 1, 0.001, 0.01, 0.1);
    hb_instrument_cfg_t *put = s_instr (v, "ETH-P-2800", 1, HB_KIND_OPTION, 1, 0.1, 0.1, 0.1);
    put->is_call = false;
    put->strike = 2800;
    put->expiry_ns = ANCHOR_NS + 3600 * INT64_C (1000000000);     //  one hour
    put->iv = 0.7;
    v->has_sim = true;
    v->sim.seed = seed;
    v->sim.basis_bps = basis_bps;
    v->sim.noise_bps = noise_bps;
    v->sim.spread_bps = 2;
    v->sim.level_bps = 1;
    v->sim.depth = 5;
    v->sim.level_usd = 50000;
    v->sim.publish_ms = 250;
    v->sim.latency_ms = 20;
    //  a 60 s outage from t = 1000 s (steps 10000 .. 10599)
    v->sim.n_outages = 1;
    v->sim.outages [0].at_s = 1000;
    v->sim.outages [0].duration_s = 60;
    if (config->n_venues <= index)
        config->n_venues = index + 1;
}

static hb_config_t *
s_config (uint64_t market_seed)
{
    hb_config_t *config = (hb_config_t *) calloc (1, sizeof *config);
    assert_non_null (config);
    const char *names [] = { "BTC", "ETH", "SOL", "DOGE" };
    const double prices [] = { 60000, 3000, 150, 0.15 };
    const double vols [] = { 0.6, 0.75, 1.0, 0.9 };
    config->n_assets = 4;
    for (int i = 0; i < 4; i++) {
        snprintf (config->assets [i].name, HB_NAME_MAX, "%s", names [i]);
        config->assets [i].price = prices [i];
        config->assets [i].vol = vols [i];
        for (int j = 0; j < 4; j++)
            config->market.corr [i][j] = i == j? 1: 0.6;
    }
    config->market.present = true;
    config->market.seed = market_seed;
    config->market.step_ms = 100;
    config->market.anchor_ns = ANCHOR_NS;
    config->market.jumps_per_day = 10;
    config->market.jump_std = 0.02;
    s_venue_cfg (config, 0, "alpha", 7, 0, 2);
    s_venue_cfg (config, 1, "beta", 8, 5, 3);
    return config;
}

static sim_venue_t *
s_venue (const hb_config_t *config, int index)
{
    char err [256] = "";
    sim_venue_t *venue = sim_venue_new (config, &config->venues [index], ANCHOR_NS,
                                        err, sizeof err);
    if (!venue)
        fail_msg ("sim_venue_new: %s", err);
    return venue;
}

//  ---------------------------------------------------------------------------
//  Capturing what the venue emits

typedef struct {
    int      n;
    hb_msg_t msgs [CAPTURE_MAX];
} s_capture_t;

static int
s_capture (void *arg, hb_msg_t *msg)
{
    s_capture_t *cap = (s_capture_t *) arg;
    assert_true (cap->n < CAPTURE_MAX);
    cap->msgs [cap->n++] = *msg;
    return 0;
}

static s_capture_t *
s_capture_new (void)
{
    s_capture_t *cap = (s_capture_t *) calloc (1, sizeof *cap);
    assert_non_null (cap);
    return cap;
}

static hb_order_t
s_order (const char *symbol, const char *client_id, int side, int type, double qty, double px)
{
    hb_order_t order;
    memset (&order, 0, sizeof order);
    snprintf (order.venue, HB_NAME_MAX, "alpha");
    snprintf (order.symbol, HB_NAME_MAX, "%s", symbol);
    snprintf (order.client_id, HB_ID_MAX, "%s", client_id);
    order.side = (uint8_t) side;
    order.ord_type = (uint8_t) type;
    order.tif = HB_TIF_IOC;
    order.qty = qty;
    order.px = px;
    return order;
}

//  The last message captured must be an ack; returns it.
static const hb_ack_t *
s_last_ack (const s_capture_t *cap)
{
    assert_true (cap->n > 0);
    assert_int_equal (cap->msgs [cap->n - 1].env.type, HB_MSG_ACK);
    return &cap->msgs [cap->n - 1].u.ack;
}

static double
s_rel (double a, double b)
{
    return fabs (a - b) / fmax (fabs (b), 1e-300);
}

//  Rounds q down to lot (for crafting orders from book sizes).
static double
s_lots (double q, double lot)
{
    return floor (q / lot + 1e-9) * lot;
}

//  ---------------------------------------------------------------------------

static void
test_books_sane (void **state)
{
    (void) state;
    hb_config_t *config = s_config (1);
    sim_venue_t *venue = s_venue (config, 0);
    const hb_venue_cfg_t *v = &config->venues [0];
    for (uint64_t k = 0; k < 3000; k += 37) {
        for (int i = 0; i < N_INSTR; i++) {
            const sim_book_t *book = sim_venue_book (venue, i, k);
            const hb_instrument_cfg_t *ins = &v->instruments [i];
            double fair = sim_venue_fair (venue, i, k);
            assert_true (sim_book_valid (book, ins->tick_size, ins->lot_size));
            assert_true (book->n_bids >= 1 && book->n_asks == 5);
            assert_true (book->bids [0].px <= fair && book->asks [0].px >= fair);
            for (int j = 0; j < book->n_asks; j++)
                assert_true (book->asks [j].qty >= ins->min_qty - 1e-12);
            if (ins->kind == HB_KIND_OPTION)
                //  at least 2 % of the option's price, to the tick
                assert_true (book->asks [0].px - book->bids [0].px >= 0.02 * fair - 1e-9);
            else {
                //  2 bps spread, widened by at most a tick each side
                double spread = book->asks [0].px - book->bids [0].px;
                assert_true (spread >= 2e-4 * fair - 1e-9);
                assert_true (spread <= 2e-4 * fair + 2 * ins->tick_size + 1e-9);
            }
        }
        //  touch size ~ level_usd / price (in coin), +-50 % variation
        const sim_book_t *perp = sim_venue_book (venue, I_PERP, k);
        double coin = 50000 / sim_venue_fair (venue, I_PERP, k);
        assert_true (perp->asks [0].qty >= 0.5 * coin - 0.001 && perp->asks [0].qty < 1.5 * coin);
        //  inverse: contracts of 100 USD
        const sim_book_t *inv = sim_venue_book (venue, I_INV, k);
        assert_true (inv->asks [0].qty >= 250 && inv->asks [0].qty < 750);
    }
    //  tick books are rounded outward from an unrounded fair
    sim_book_t book;
    sim_book_params_t p = { .fair = 100.04, .half_spread = 0, .level_step = 0.0,
                            .touch_qty = 5, .tick = 0.1, .lot = 1, .min_qty = 1,
                            .depth = 3, .seed = 9 };
    sim_book_build (&book, &p);
    assert_true (fabs (book.bids [0].px - 100.0) < 1e-9);
    assert_true (fabs (book.asks [0].px - 100.1) < 1e-9);
    //  level_step 0: levels still a tick apart
    assert_true (fabs (book.bids [1].px - 99.9) < 1e-9);
    assert_true (fabs (book.asks [2].px - 100.3) < 1e-9);
    assert_true (sim_book_valid (&book, 0.1, 1));
    //  on the grid with zero spread: not locked
    p.fair = 100.0;
    sim_book_build (&book, &p);
    assert_true (book.asks [0].px > book.bids [0].px);
    //  the validator catches what it must
    book.bids [1].px = book.bids [0].px;
    assert_false (sim_book_valid (&book, 0.1, 1));
    sim_book_build (&book, &p);
    book.asks [0].qty = 1.5;
    assert_false (sim_book_valid (&book, 0.1, 1));
    sim_venue_destroy (&venue);
    assert_null (venue);
    free (config);
}

static void
test_ticks (void **state)
{
    (void) state;
    hb_config_t *config = s_config (1);
    sim_venue_t *venue = s_venue (config, 0);
    s_capture_t *cap = s_capture_new ();
    int n = sim_venue_publish (venue, 5, s_capture, cap);
    assert_int_equal (n, cap->n);
    int ticks = 0, trades = 0;
    for (int m = 0; m < cap->n; m++) {
        const hb_msg_t *msg = &cap->msgs [m];
        assert_int_equal (msg->env.ts_venue, ANCHOR_NS + 5 * 100 * INT64_C (1000000));
        if (msg->env.type == HB_MSG_TICK) {
            const hb_tick_t *t = &msg->u.tick;
            assert_string_equal (t->venue, "alpha");
            assert_string_equal (t->symbol, config->venues [0].instruments [ticks].symbol);
            const sim_book_t *book = sim_venue_book (venue, ticks, 5);
            assert_int_equal (t->n_bids, book->n_bids);
            assert_memory_equal (t->asks, book->asks, sizeof t->asks);
            bool option = config->venues [0].instruments [ticks].kind == HB_KIND_OPTION;
            assert_int_equal (!!(t->flags & HB_TICK_HAS_IV), option);
            if (option) {
                assert_true (t->mark_iv == config->venues [0].instruments [ticks].iv);
                assert_true (fabs (t->underlying - sim_venue_mid (venue, config->venues [0].instruments [ticks].asset, 5)) < 1e-9);
            }
            ticks++;
        }
        else {
            assert_int_equal (msg->env.type, HB_MSG_TRADE);
            trades++;
        }
    }
    assert_int_equal (ticks, N_INSTR);
    //  trades of a step go out once however often the step is published
    cap->n = 0;
    assert_int_equal (sim_venue_publish (venue, 5, s_capture, cap), N_INSTR);
    //  over many steps about a quarter of (step, instrument) pairs trade
    int total_trades = 0;
    for (uint64_t k = 100; k < 300; k++) {
        cap->n = 0;
        total_trades += sim_venue_publish (venue, k, s_capture, cap) - N_INSTR;
        for (int m = 0; m < cap->n; m++)
            if (cap->msgs [m].env.type == HB_MSG_TRADE) {
                const hb_trade_t *tr = &cap->msgs [m].u.trade;
                int i = 0;
                while (strcmp (config->venues [0].instruments [i].symbol, tr->symbol))
                    i++;
                const sim_book_t *book = sim_venue_book (venue, i, k);
                //  at the touch of the side it hit
                assert_true (tr->px == (tr->side == HB_SIDE_BUY? book->asks [0].px: book->bids [0].px));
                assert_true (tr->qty > 0);
            }
    }
    //  binomial(200 * 7, 0.25): mean 350, sd 16
    assert_in_range (total_trades, 350 - 80, 350 + 80);
    (void) trades;
    //  the one-hour put stops quoting at expiry (step 36000)
    cap->n = 0;
    assert_int_equal (sim_venue_publish (venue, 36001, s_capture, cap) - (cap->n - N_INSTR + 1),
                      N_INSTR - 1);
    assert_false (sim_venue_quoted (venue, I_PUT_SHORT, 36001));
    assert_true (sim_venue_quoted (venue, I_PUT_SHORT, 35990));
    free (cap);
    sim_venue_destroy (&venue);
    free (config);
}

static void
test_market_buy_walks_levels (void **state)
{
    (void) state;
    hb_config_t *config = s_config (1);
    sim_venue_t *venue = s_venue (config, 0);
    s_capture_t *cap = s_capture_new ();
    const uint64_t k = 50;
    sim_book_t book = *sim_venue_book (venue, I_PERP, k);
    double qty = book.asks [0].qty + s_lots (book.asks [1].qty / 2, 0.001);
    hb_order_t order = s_order ("BTC-PERP", "c1", HB_SIDE_BUY, HB_ORD_MARKET, qty, 0);
    assert_int_equal (sim_venue_order (venue, &order, k, s_capture, cap), 0);
    assert_int_equal (cap->n, 3);
    double fees = 0, cash = 0;
    for (int j = 0; j < 2; j++) {
        const hb_fill_t *f = &cap->msgs [j].u.fill;
        assert_int_equal (cap->msgs [j].env.type, HB_MSG_FILL);
        assert_true (f->px == book.asks [j].px);
        assert_true (s_rel (f->fee, 0.0005 * f->qty * f->px) < 1e-12);
        assert_string_equal (f->fee_asset, "USD");
        assert_int_equal (f->side, HB_SIDE_BUY);
        assert_int_equal (f->liquidity, 2);
        assert_string_equal (f->client_id, "c1");
        fees += f->fee;
        cash += f->qty * f->px;
    }
    assert_true (cap->msgs [0].u.fill.qty == book.asks [0].qty);
    assert_true (s_rel (cap->msgs [1].u.fill.qty, qty - book.asks [0].qty) < 1e-12);
    assert_string_not_equal (cap->msgs [0].u.fill.fill_id, cap->msgs [1].u.fill.fill_id);
    const hb_ack_t *ack = s_last_ack (cap);
    assert_int_equal (ack->status, HB_ACK_DONE);
    assert_true (ack->filled_qty == qty);
    assert_string_equal (ack->order_id, cap->msgs [0].u.fill.order_id);
    //  balances move as the fills imply
    const sim_account_t *acct = sim_venue_account (venue);
    assert_true (s_rel (acct->pos [I_PERP], qty) < 1e-12);
    assert_true (s_rel (acct->cash [I_PERP], -cash) < 1e-12);
    assert_true (s_rel (acct->usd, 1e6 - fees) < 1e-15);
    //  the liquidity taken is gone until the step changes
    const sim_book_t *after = sim_venue_book (venue, I_PERP, k);
    assert_true (after->asks [0].px == book.asks [1].px);
    assert_true (s_rel (after->asks [0].qty, book.asks [1].qty - (qty - book.asks [0].qty)) < 1e-9);
    assert_int_equal (after->n_asks, book.n_asks - 1);
    assert_true (sim_book_valid (after, 0.1, 0.001));
    assert_int_equal (sim_venue_book (venue, I_PERP, k + 1)->n_asks, 5);
    free (cap);
    sim_venue_destroy (&venue);
    free (config);
}

static void
test_limit_ioc_partial (void **state)
{
    (void) state;
    hb_config_t *config = s_config (1);
    sim_venue_t *venue = s_venue (config, 0);
    s_capture_t *cap = s_capture_new ();
    const uint64_t k = 60;
    sim_book_t book = *sim_venue_book (venue, I_ETH_PERP, k);
    //  sell down to the second bid, more than the two levels hold
    double avail = book.bids [0].qty + book.bids [1].qty;
    hb_order_t order = s_order ("ETH-PERP", "c2", HB_SIDE_SELL, HB_ORD_LIMIT,
                                s_lots (avail + 5, 0.01), book.bids [1].px);
    assert_int_equal (sim_venue_order (venue, &order, k, s_capture, cap), 0);
    assert_int_equal (cap->n, 3);
    assert_true (cap->msgs [0].u.fill.px == book.bids [0].px);
    assert_true (cap->msgs [1].u.fill.px == book.bids [1].px);
    const hb_ack_t *ack = s_last_ack (cap);
    assert_int_equal (ack->status, HB_ACK_CANCELED);
    assert_true (s_rel (ack->filled_qty, avail) < 1e-12);
    assert_true (ack->leaves_qty == 0);
    assert_true (s_rel (sim_venue_account (venue)->pos [I_ETH_PERP], -avail) < 1e-12);
    //  nothing at a limit below the (now) best ask: no liquidity
    cap->n = 0;
    const sim_book_t *now = sim_venue_book (venue, I_ETH_PERP, k);
    double far = now->asks [0].px - 50 * 0.01;
    order = s_order ("ETH-PERP", "c3", HB_SIDE_BUY, HB_ORD_LIMIT, 1, far);
    assert_int_equal (sim_venue_order (venue, &order, k, s_capture, cap), -1);
    assert_int_equal (cap->n, 1);
    ack = s_last_ack (cap);
    assert_int_equal (ack->status, HB_ACK_REJECTED);
    assert_int_equal (ack->reason, HB_REJ_NO_LIQUIDITY);
    free (cap);
    sim_venue_destroy (&venue);
    free (config);
}

static void
test_inverse_and_spot_fees (void **state)
{
    (void) state;
    hb_config_t *config = s_config (1);
    sim_venue_t *venue = s_venue (config, 0);
    s_capture_t *cap = s_capture_new ();
    const uint64_t k = 70;
    //  inverse: 100 USD contracts, fee in BTC
    sim_book_t book = *sim_venue_book (venue, I_INV, k);
    hb_order_t order = s_order ("BTC-USD-INV", "i1", HB_SIDE_SELL, HB_ORD_MARKET,
                                book.bids [0].qty + 1, 0);
    assert_int_equal (sim_venue_order (venue, &order, k, s_capture, cap), 0);
    assert_int_equal (cap->n, 3);
    double coin_fee = 0, coin_flow = 0;
    for (int j = 0; j < 2; j++) {
        const hb_fill_t *f = &cap->msgs [j].u.fill;
        assert_true (f->px == book.bids [j].px);
        assert_string_equal (f->fee_asset, "BTC");
        assert_true (s_rel (f->fee, f->qty * 100 / f->px * 0.0005) < 1e-12);
        coin_fee += f->fee;
        coin_flow += f->qty * 100 / f->px;
    }
    const sim_account_t *acct = sim_venue_account (venue);
    assert_true (s_rel (acct->coin [0], 2 - coin_fee) < 1e-12);
    assert_true (s_rel (acct->pos [I_INV], -(book.bids [0].qty + 1)) < 1e-12);
    assert_true (s_rel (acct->cash [I_INV], -coin_flow) < 1e-12);
    assert_true (acct->usd == 1e6);
    //  spot buy: USD pays notional + fee, coin arrives
    cap->n = 0;
    book = *sim_venue_book (venue, I_SPOT, k);
    order = s_order ("BTC-USD", "s1", HB_SIDE_BUY, HB_ORD_MARKET, 0.5, 0);
    assert_int_equal (sim_venue_order (venue, &order, k, s_capture, cap), 0);
    double usd = 0;
    for (int m = 0; m < cap->n - 1; m++) {
        const hb_fill_t *f = &cap->msgs [m].u.fill;
        assert_true (f->px == book.asks [m].px);
        usd += f->qty * f->px * 1.0005;
    }
    assert_int_equal (s_last_ack (cap)->status, HB_ACK_DONE);
    assert_true (s_rel (acct->usd, 1e6 - usd) < 1e-12);
    assert_true (s_rel (acct->coin [0], 2.5 - coin_fee) < 1e-12);
    //  option buy: premium + fee in USD
    cap->n = 0;
    double before = acct->usd;
    book = *sim_venue_book (venue, I_CALL, k);
    order = s_order ("BTC-C-65000", "o1", HB_SIDE_BUY, HB_ORD_LIMIT, 0.01, book.asks [0].px);
    assert_int_equal (sim_venue_order (venue, &order, k, s_capture, cap), 0);
    assert_int_equal (cap->n, 2);
    assert_true (cap->msgs [0].u.fill.px == book.asks [0].px);
    assert_true (s_rel (acct->usd, before - 0.01 * book.asks [0].px * 1.0005) < 1e-12);
    assert_true (s_rel (acct->pos [I_CALL], 0.01) < 1e-12);
    free (cap);
    sim_venue_destroy (&venue);
    free (config);
}

//  One crafted order per reject reason.
static void
test_rejects (void **state)
{
    (void) state;
    hb_config_t *config = s_config (1);
    config->venues [0].collateral_usd = 1000;
    config->venues [0].balances [0] = 0.01;
    sim_venue_t *venue = s_venue (config, 0);
    s_capture_t *cap = s_capture_new ();
    const uint64_t k = 80;
    double ask = sim_venue_book (venue, I_PERP, k)->asks [0].px;
    struct {
        hb_order_t order;
        int        reason;
    } cases [] = {
        { s_order ("NOPE", "r1", HB_SIDE_BUY, HB_ORD_MARKET, 1, 0), HB_REJ_UNKNOWN_INSTRUMENT },
        { s_order ("BTC-PERP", "", HB_SIDE_BUY, HB_ORD_MARKET, 0.01, 0), HB_REJ_BAD_ORDER },
        { s_order ("BTC-PERP", "r2", HB_SIDE_BUY, HB_ORD_MARKET, 0, 0), HB_REJ_BAD_ORDER },
        { s_order ("BTC-PERP", "r3", HB_SIDE_BUY, HB_ORD_MARKET, -1, 0), HB_REJ_BAD_ORDER },
        { s_order ("BTC-PERP", "r4", 3, HB_ORD_MARKET, 0.01, 0), HB_REJ_BAD_ORDER },
        { s_order ("BTC-PERP", "r5", HB_SIDE_BUY, 7, 0.01, 0), HB_REJ_BAD_ORDER },
        { s_order ("BTC-PERP", "r6", HB_SIDE_BUY, HB_ORD_MARKET, NAN, 0), HB_REJ_BAD_ORDER },
        { s_order ("SOL-USD", "r7", HB_SIDE_BUY, HB_ORD_MARKET, 0.05, 0), HB_REJ_BELOW_MIN_SIZE },
        { s_order ("BTC-PERP", "r8", HB_SIDE_BUY, HB_ORD_MARKET, 0.0015, 0), HB_REJ_OFF_LOT },
        { s_order ("BTC-PERP", "r9", HB_SIDE_BUY, HB_ORD_LIMIT, 0.01, -5), HB_REJ_BAD_PRICE },
        { s_order ("BTC-PERP", "r10", HB_SIDE_BUY, HB_ORD_LIMIT, 0.01, ask + 0.05), HB_REJ_BAD_PRICE },
        { s_order ("BTC-PERP", "r11", HB_SIDE_BUY, HB_ORD_LIMIT, 0.01, 0), HB_REJ_BAD_PRICE },
        //  perp: 1 BTC is ~6000 USD of margin against ~1600 USD of equity
        { s_order ("BTC-PERP", "r12", HB_SIDE_BUY, HB_ORD_MARKET, 1, 0), HB_REJ_INSUFFICIENT_COLLATERAL },
        //  spot: 0.1 BTC costs ~6000 USD, we have 1000
        { s_order ("BTC-USD", "r13", HB_SIDE_BUY, HB_ORD_MARKET, 0.1, 0), HB_REJ_INSUFFICIENT_COLLATERAL },
        //  spot: selling 0.02 BTC with 0.01 in the account
        { s_order ("BTC-USD", "r14", HB_SIDE_SELL, HB_ORD_MARKET, 0.02, 0), HB_REJ_INSUFFICIENT_COLLATERAL },
    };
    cases [11].order.ord_type = HB_ORD_LIMIT;
    for (size_t c = 0; c < sizeof cases / sizeof cases [0]; c++) {
        cap->n = 0;
        if (sim_venue_order (venue, &cases [c].order, k, s_capture, cap) != -1)
            fail_msg ("case %zu (%s) was not rejected", c, cases [c].order.client_id);
        assert_int_equal (cap->n, 1);
        const hb_ack_t *ack = s_last_ack (cap);
        assert_int_equal (ack->status, HB_ACK_REJECTED);
        if (ack->reason != cases [c].reason)
            fail_msg ("case %zu (%s): reason %d (%s), expected %d", c,
                      cases [c].order.client_id, ack->reason, ack->text, cases [c].reason);
        assert_true (strlen (ack->text) > 0);
        assert_string_equal (ack->client_id, cases [c].order.client_id);
    }
    //  rejects leave the account alone
    const sim_account_t *acct = sim_venue_account (venue);
    assert_true (acct->usd == 1000 && acct->coin [0] == 0.01 && acct->pos [I_PERP] == 0);
    //  GTC limits are refused (the sim is IOC only)
    cap->n = 0;
    hb_order_t gtc = s_order ("BTC-PERP", "g1", HB_SIDE_BUY, HB_ORD_LIMIT, 0.01, ask);
    gtc.tif = HB_TIF_GTC;
    sim_venue_order (venue, &gtc, k, s_capture, cap);
    assert_int_equal (s_last_ack (cap)->reason, HB_REJ_BAD_ORDER);
    //  a small order fits; its id cannot be used again
    cap->n = 0;
    hb_order_t ok = s_order ("BTC-PERP", "d1", HB_SIDE_BUY, HB_ORD_MARKET, 0.01, 0);
    assert_int_equal (sim_venue_order (venue, &ok, k, s_capture, cap), 0);
    cap->n = 0;
    assert_int_equal (sim_venue_order (venue, &ok, k, s_capture, cap), -1);
    assert_int_equal (s_last_ack (cap)->reason, HB_REJ_DUPLICATE_ID);
    //  reducing a position is allowed even when margin is short
    cap->n = 0;
    hb_order_t reduce = s_order ("BTC-PERP", "d2", HB_SIDE_SELL, HB_ORD_MARKET, 0.01, 0);
    assert_int_equal (sim_venue_order (venue, &reduce, k, s_capture, cap), 0);
    assert_true (fabs (acct->pos [I_PERP]) < 1e-12);
    //  cancels: nothing rests
    cap->n = 0;
    hb_cancel_t cancel;
    memset (&cancel, 0, sizeof cancel);
    snprintf (cancel.symbol, HB_NAME_MAX, "BTC-PERP");
    snprintf (cancel.client_id, HB_ID_MAX, "d1");
    assert_int_equal (sim_venue_cancel (venue, &cancel, k, s_capture, cap), -1);
    assert_int_equal (s_last_ack (cap)->status, HB_ACK_REJECTED);
    assert_int_equal (s_last_ack (cap)->reason, HB_REJ_UNKNOWN_ORDER);
    //  expired option
    cap->n = 0;
    hb_order_t expired = s_order ("ETH-P-2800", "e1", HB_SIDE_BUY, HB_ORD_MARKET, 0.1, 0);
    assert_int_equal (sim_venue_order (venue, &expired, 40000, s_capture, cap), -1);
    assert_int_equal (s_last_ack (cap)->reason, HB_REJ_VENUE);
    free (cap);
    sim_venue_destroy (&venue);
    free (config);
}

static void
test_outage (void **state)
{
    (void) state;
    hb_config_t *config = s_config (1);
    sim_venue_t *venue = s_venue (config, 0);
    s_capture_t *cap = s_capture_new ();
    assert_false (sim_venue_outage (venue, 9999));
    assert_true (sim_venue_outage (venue, 10000));
    assert_true (sim_venue_outage (venue, 10599));
    assert_false (sim_venue_outage (venue, 10600));
    assert_int_equal (sim_venue_publish (venue, 10300, s_capture, cap), 0);
    assert_int_equal (cap->n, 0);
    hb_order_t order = s_order ("BTC-PERP", "x1", HB_SIDE_BUY, HB_ORD_MARKET, 0.01, 0);
    assert_int_equal (sim_venue_order (venue, &order, 10300, s_capture, cap), -1);
    assert_int_equal (s_last_ack (cap)->reason, HB_REJ_OUTAGE);
    cap->n = 0;
    assert_true (sim_venue_publish (venue, 10600, s_capture, cap) >= N_INSTR);
    cap->n = 0;
    //  the same id works once the venue is back: an outage reject burns nothing
    assert_int_equal (sim_venue_order (venue, &order, 10600, s_capture, cap), 0);
    free (cap);
    sim_venue_destroy (&venue);
    free (config);
}

//  A fixed script of publishes and orders, captured as bytes.
static int
s_script (const hb_config_t *config, s_capture_t *cap)
{
    sim_venue_t *venue = s_venue (config, 0);
    const char *symbols [] = { "BTC-PERP", "BTC-USD-INV", "ETH-PERP", "BTC-USD", "BTC-C-65000" };
    const double qtys [] = { 0.5, 300, 30, 0.3, 0.05 };
    for (uint64_t k = 0; k < 400; k += 3) {
        sim_venue_publish (venue, k, s_capture, cap);
        if (k % 30 == 0) {
            char id [HB_ID_MAX];
            int s = (int) (k / 30) % 5;
            snprintf (id, sizeof id, "det-%d", (int) k);
            hb_order_t order = s_order (symbols [s], id, k % 60? HB_SIDE_BUY: HB_SIDE_SELL,
                                        HB_ORD_MARKET, qtys [s], 0);
            sim_venue_order (venue, &order, k, s_capture, cap);
        }
    }
    sim_venue_destroy (&venue);
    return cap->n;
}

static void
test_determinism (void **state)
{
    (void) state;
    hb_config_t *config = s_config (11);
    s_capture_t *a = s_capture_new (), *b = s_capture_new ();
    s_script (config, a);
    s_script (config, b);
    assert_true (a->n > 1000);
    assert_int_equal (a->n, b->n);
    assert_memory_equal (a->msgs, b->msgs, (size_t) a->n * sizeof (hb_msg_t));
    int fills = 0;
    for (int m = 0; m < a->n; m++)
        fills += a->msgs [m].env.type == HB_MSG_FILL;
    assert_true (fills >= 14);
    //  another venue seed: different noise, different bytes
    config->venues [0].sim.seed = 12;
    b->n = 0;
    s_script (config, b);
    assert_true (b->n != a->n
              || memcmp (a->msgs, b->msgs, (size_t) a->n * sizeof (hb_msg_t)) != 0);
    //  another market seed too
    config->venues [0].sim.seed = 7;
    config->market.seed = 12;
    b->n = 0;
    s_script (config, b);
    assert_true (b->n != a->n
              || memcmp (a->msgs, b->msgs, (size_t) a->n * sizeof (hb_msg_t)) != 0);
    free (a);
    free (b);
    free (config);
}

//  Two venues on one market: the same path, mids apart by basis + noise.
static void
test_two_venues_one_path (void **state)
{
    (void) state;
    hb_config_t *config = s_config (5);
    sim_venue_t *alpha = s_venue (config, 0), *beta = s_venue (config, 1);
    //  log (beta / alpha) = 5 bps + N(0, sqrt (2^2 + 3^2) bps)
    double sd = sqrt (4.0 + 9.0) * 1e-4, sum = 0;
    int n = 0;
    for (uint64_t k = 0; k < 200000; k += 97) {
        sim_venue_seek (alpha, k);
        sim_venue_seek (beta, k);
        for (int a = 0; a < 4; a++) {
            assert_true (sim_market_log_price (sim_venue_market (alpha), a)
                      == sim_market_log_price (sim_venue_market (beta), a));
            double lr = log (sim_venue_mid (beta, a, k) / sim_venue_mid (alpha, a, k));
            if (fabs (lr - 5e-4) > 6 * sd)
                fail_msg ("step %llu asset %d: log ratio %g", (unsigned long long) k, a, lr);
            sum += lr;
            n++;
        }
    }
    //  mean basis within 5 SE
    assert_true (fabs (sum / n - 5e-4) < 5 * sd / sqrt (n));
    sim_venue_destroy (&alpha);
    sim_venue_destroy (&beta);
    free (config);
}

//  ---------------------------------------------------------------------------
//  Plugin glue against a fake host

#define FAKE_TIMERS 512

//  the symbol the host dlsyms; linked in directly here
extern const hb_venue_ops_t hb_venue_plugin;

typedef struct {
    int64_t      now_ns;
    int          published [HB_MSG_TYPE_COUNT];
    hb_msg_t     last_ack;
    uint32_t     status;
    int          status_calls;
    int          n_timers;
    struct {
        bool         active;
        uint64_t     interval_ms;
        size_t       times;
        hb_timer_fn *fn;
        void        *arg;
    } timers [FAKE_TIMERS];
} s_fake_t;

static int
s_fake_publish (void *ctx, hb_msg_t *msg)
{
    s_fake_t *fake = (s_fake_t *) ctx;
    assert_true (msg->env.type > 0 && msg->env.type < HB_MSG_TYPE_COUNT);
    fake->published [msg->env.type]++;
    if (msg->env.type == HB_MSG_ACK)
        fake->last_ack = *msg;
    return 0;
}

static void
s_fake_log (void *ctx, int level, const char *format, ...)
{
    (void) ctx;
    (void) level;
    (void) format;
}

static int64_t
s_fake_now (void *ctx)
{
    return ((s_fake_t *) ctx)->now_ns;
}

static int
s_fake_timer_add (void *ctx, uint64_t interval_ms, size_t times, hb_timer_fn *fn, void *arg)
{
    s_fake_t *fake = (s_fake_t *) ctx;
    if (fake->n_timers == FAKE_TIMERS)
        return -1;
    int id = fake->n_timers++;
    fake->timers [id].active = true;
    fake->timers [id].interval_ms = interval_ms;
    fake->timers [id].times = times;
    fake->timers [id].fn = fn;
    fake->timers [id].arg = arg;
    return id;
}

static int
s_fake_timer_cancel (void *ctx, int id)
{
    s_fake_t *fake = (s_fake_t *) ctx;
    assert_true (id >= 0 && id < fake->n_timers);
    fake->timers [id].active = false;
    return 0;
}

static void
s_fake_status (void *ctx, uint32_t status)
{
    s_fake_t *fake = (s_fake_t *) ctx;
    fake->status = status;
    fake->status_calls++;
}

//  Fires timer id as the host would (one-shot timers end).
static void
s_fire (s_fake_t *fake, int id)
{
    assert_true (fake->timers [id].active);
    if (fake->timers [id].times == 1)
        fake->timers [id].active = false;
    assert_int_equal (fake->timers [id].fn (fake->timers [id].arg), 0);
}

static void
test_plugin (void **state)
{
    (void) state;
    hb_config_t *config = s_config (3);
    s_fake_t *fake = (s_fake_t *) calloc (1, sizeof *fake);
    assert_non_null (fake);
    hb_host_api_t host = {
        .abi_version = HB_PLUGIN_ABI_VERSION, .size = sizeof (hb_host_api_t), .ctx = fake,
        .config = config, .venue = &config->venues [0],
        .publish = s_fake_publish, .log = s_fake_log, .now_ns = s_fake_now,
        .timer_add = s_fake_timer_add, .timer_cancel = s_fake_timer_cancel,
        .set_status = s_fake_status,
    };
    const hb_venue_ops_t *ops = &hb_venue_plugin;
    assert_int_equal (ops->abi_version, HB_PLUGIN_ABI_VERSION);
    assert_true (ops->size >= HB_VENUE_OPS_MIN_SIZE);
    assert_string_equal (ops->name, "sim");

    //  one hour after the anchor: a fast-forward of 36,000 steps
    fake->now_ns = ANCHOR_NS + 3600 * INT64_C (1000000000) - 1;
    void *self = ops->create (&host);
    assert_non_null (self);
    assert_int_equal (ops->start (self), 0);
    assert_int_equal (fake->n_timers, 1);
    assert_int_equal (fake->timers [0].interval_ms, 250);
    assert_int_equal (fake->published [HB_MSG_TICK], N_INSTR);
    fake->now_ns += INT64_C (250000000);             //  the put has expired now
    s_fire (fake, 0);
    assert_int_equal (fake->published [HB_MSG_TICK], 2 * N_INSTR - 1);

    //  an order waits out its latency on a one-shot timer
    hb_order_t order = s_order ("BTC-PERP", "p1", HB_SIDE_BUY, HB_ORD_MARKET, 0.01, 0);
    assert_int_equal (ops->order (self, &order), 0);
    assert_int_equal (fake->n_timers, 2);
    assert_int_equal (fake->timers [1].interval_ms, 20);
    assert_int_equal (fake->timers [1].times, 1);
    assert_int_equal (fake->published [HB_MSG_ACK], 0);
    fake->now_ns += INT64_C (20000000);
    s_fire (fake, 1);
    assert_int_equal (fake->published [HB_MSG_FILL], 1);
    assert_int_equal (fake->last_ack.u.ack.status, HB_ACK_DONE);
    hb_cancel_t cancel;
    memset (&cancel, 0, sizeof cancel);
    snprintf (cancel.client_id, HB_ID_MAX, "p1");
    assert_int_equal (ops->cancel (self, &cancel), 0);
    assert_int_equal (fake->last_ack.u.ack.reason, HB_REJ_UNKNOWN_ORDER);

    //  into the outage window (t = 1000 s of day 1 repeats? no: at_s is once)
    //  -> move the clock back into it: the plugin follows the wall clock
    fake->now_ns = ANCHOR_NS + 1010 * INT64_C (1000000000);
    int ticks = fake->published [HB_MSG_TICK];
    s_fire (fake, 0);
    assert_int_equal (fake->status, HB_TICK_OUTAGE);
    assert_int_equal (fake->published [HB_MSG_TICK], ticks);
    fake->now_ns = ANCHOR_NS + 1061 * INT64_C (1000000000);
    s_fire (fake, 0);
    assert_int_equal (fake->status, 0);
    assert_int_equal (fake->status_calls, 2);
    assert_true (fake->published [HB_MSG_TICK] > ticks);

    //  orders in flight are bounded: the 257th is refused at once
    for (int i = 0; i < 256; i++) {
        snprintf (order.client_id, HB_ID_MAX, "q%d", i);
        assert_int_equal (ops->order (self, &order), 0);
    }
    assert_int_equal (fake->published [HB_MSG_ACK], 2);
    snprintf (order.client_id, HB_ID_MAX, "q-over");
    assert_int_equal (ops->order (self, &order), 0);
    assert_int_equal (fake->published [HB_MSG_ACK], 3);
    assert_int_equal (fake->last_ack.u.ack.reason, HB_REJ_RATE_LIMIT);
    //  destroy cancels the publish timer and the 256 pending ones
    ops->destroy (&self);
    assert_null (self);
    for (int i = 0; i < fake->n_timers; i++)
        assert_false (fake->timers [i].active);
    ops->destroy (&self);

    //  a venue without a sim section is refused
    config->venues [0].has_sim = false;
    assert_null (ops->create (&host));
    free (fake);
    free (config);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_books_sane),
        cmocka_unit_test (test_ticks),
        cmocka_unit_test (test_market_buy_walks_levels),
        cmocka_unit_test (test_limit_ioc_partial),
        cmocka_unit_test (test_inverse_and_spot_fees),
        cmocka_unit_test (test_rejects),
        cmocka_unit_test (test_outage),
        cmocka_unit_test (test_determinism),
        cmocka_unit_test (test_two_venues_one_path),
        cmocka_unit_test (test_plugin),
    };
    return cmocka_run_group_tests_name ("sim", tests, NULL, NULL);
}
