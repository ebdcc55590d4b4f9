/*  sim venue tests: books, matching, fees, rejects, balances, outages and
    determinism across instances. The venue is driven directly by step
    index; no clock, no bus, no host (sim_plugin_test.c has the glue).      */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sim_venue.h"
#include "sim_test_config.h"

#define CAPTURE_MAX 4096

static sim_venue_t *
s_venue (const hb_config_t *config, int index)
{
    char err [256] = "";
    sim_venue_t *venue = sim_venue_new (config, &config->venues [index], &sim_test_market, &sim_test_sims [index], ANCHOR_NS,
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

//  Keeps a copy of msg, its envelope stamped as the host would.
static int
s_capture (void *arg, hb_msg_t *msg)
{
    s_capture_t *cap = (s_capture_t *) arg;
    assert_true (cap->n < CAPTURE_MAX);
    snprintf (msg->env.publisher, HB_NAME_MAX, "feed.alpha");
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

//  Encodes msg as the host would: everything the sim emits must pass the
//  wire encoder's validation. Returns the size.
static size_t
s_encode (const hb_msg_t *msg, hb_buf_t *buf)
{
    if (hb_msg_encode (msg, buf) != 0)
        fail_msg ("hb_msg_encode refused a %s message", hb_msg_type_name (msg->env.type));
    return buf->size;
}

//  All of cap encoded back to back into out (size bytes); returns the length.
static size_t
s_encode_all (const s_capture_t *cap, uint8_t *out, size_t size)
{
    hb_buf_t buf;
    size_t used = 0;
    for (int m = 0; m < cap->n; m++) {
        s_encode (&cap->msgs [m], &buf);
        assert_true (used + buf.size <= size);
        memcpy (out + used, buf.data, buf.size);
        used += buf.size;
    }
    return used;
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
    hb_config_t *config = sim_test_config (1);
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
    hb_config_destroy (&config);
}

static void
test_ticks (void **state)
{
    (void) state;
    hb_config_t *config = sim_test_config (1);
    sim_venue_t *venue = s_venue (config, 0);
    s_capture_t *cap = s_capture_new ();
    int n = sim_venue_publish (venue, 5, s_capture, cap);
    assert_int_equal (n, cap->n);
    int ticks = 0;
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
        else
            assert_int_equal (msg->env.type, HB_MSG_TRADE);
    }
    assert_int_equal (ticks, N_INSTR);
    //  with a vol surface on every asset an option's iv is the surface's at
    //  its strike and expiry, and moves from step to step
    sim_test_market.vol_present = true;
    for (int a = 0; a < config->n_assets; a++)
        sim_test_market.vol [a] = (sim_vol_asset_t) { .present = true, .level = 0.5, .reversion = 2,
                                                      .vol_of_vol = 2, .spot_corr = -0.5, .skew = -0.2 };
    sim_venue_t *surfaced = s_venue (config, 0);
    double first_iv = 0, last_iv = 0;
    for (uint64_t k = 5; k < 3000; k += 2994) {
        s_capture_t *c2 = s_capture_new ();
        sim_venue_publish (surfaced, k, s_capture, c2);
        for (int m = 0; m < c2->n; m++) {
            const hb_tick_t *t = &c2->msgs [m].u.tick;
            if (c2->msgs [m].env.type != HB_MSG_TICK || !(t->flags & HB_TICK_HAS_IV))
                continue;
            const hb_instrument_cfg_t *ins = hb_venue_instrument (&config->venues [0], t->symbol);
            assert_non_null (ins);
            assert_true (t->mark_iv != ins->iv);
            assert_true (t->mark_iv >= SIM_VOL_MIN && t->mark_iv <= SIM_VOL_MAX);
            if (k == 5)
                first_iv = t->mark_iv;
            else
                last_iv = t->mark_iv;
            break;
        }
        free (c2);
    }
    assert_true (first_iv > 0 && last_iv > 0 && first_iv != last_iv);
    sim_venue_destroy (&surfaced);
    sim_test_market.vol_present = false;
    memset (sim_test_market.vol, 0, sizeof sim_test_market.vol);
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
    //  the one-hour put stops quoting at expiry (step 36000)
    cap->n = 0;
    sim_venue_publish (venue, 36001, s_capture, cap);
    int expired_ticks = 0;
    for (int m = 0; m < cap->n; m++)
        if (cap->msgs [m].env.type == HB_MSG_TICK) {
            expired_ticks++;
            assert_string_not_equal (cap->msgs [m].u.tick.symbol, "ETH-P-2990");
        }
    assert_int_equal (expired_ticks, N_INSTR - 1);
    assert_false (sim_venue_quoted (venue, I_PUT, 36001));
    assert_true (sim_venue_quoted (venue, I_PUT, 35990));
    free (cap);
    sim_venue_destroy (&venue);
    hb_config_destroy (&config);
}

static void
test_market_buy_walks_levels (void **state)
{
    (void) state;
    hb_config_t *config = sim_test_config (1);
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
    hb_config_destroy (&config);
}

static void
test_limit_ioc_partial (void **state)
{
    (void) state;
    hb_config_t *config = sim_test_config (1);
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
    hb_config_destroy (&config);
}

static void
test_inverse_and_spot_fees (void **state)
{
    (void) state;
    hb_config_t *config = sim_test_config (1);
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
    hb_config_destroy (&config);
}

//  One crafted order per reject reason.
static void
test_rejects (void **state)
{
    (void) state;
    hb_config_t *config = sim_test_config (1);
    config->venues [0].collateral_usd = 1000;
    config->venues [0].balances [0] = 0.01;
    config->venues [0].balances [1] = 0;
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
        if (ack->client_id [0]) {
            hb_buf_t buf;
            s_encode (&cap->msgs [0], &buf);
        }
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
    hb_order_t expired = s_order ("ETH-P-2990", "e1", HB_SIDE_BUY, HB_ORD_MARKET, 0.1, 0);
    assert_int_equal (sim_venue_order (venue, &expired, 40000, s_capture, cap), -1);
    assert_int_equal (s_last_ack (cap)->reason, HB_REJ_VENUE);
    free (cap);
    sim_venue_destroy (&venue);
    hb_config_destroy (&config);
}

static void
test_outage (void **state)
{
    (void) state;
    hb_config_t *config = sim_test_config (1);
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
    hb_config_destroy (&config);
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
    hb_config_t *config = sim_test_config (11);
    s_capture_t *a = s_capture_new (), *b = s_capture_new ();
    s_script (config, a);
    s_script (config, b);
    assert_true (a->n > 1000);
    assert_int_equal (a->n, b->n);
    assert_memory_equal (a->msgs, b->msgs, (size_t) a->n * sizeof (hb_msg_t));
    //  and on the wire
    size_t size = 8 << 20;
    uint8_t *bytes_a = (uint8_t *) malloc (size), *bytes_b = (uint8_t *) malloc (size);
    assert_non_null (bytes_a);
    assert_non_null (bytes_b);
    size_t len_a = s_encode_all (a, bytes_a, size);
    assert_int_equal (len_a, s_encode_all (b, bytes_b, size));
    assert_memory_equal (bytes_a, bytes_b, len_a);
    free (bytes_a);
    free (bytes_b);
    //  every fill is on the instrument's lot and tick grid
    int fills = 0;
    for (int m = 0; m < a->n; m++) {
        if (a->msgs [m].env.type != HB_MSG_FILL)
            continue;
        const hb_fill_t *f = &a->msgs [m].u.fill;
        const hb_instrument_cfg_t *ins = hb_venue_instrument (&config->venues [0], f->symbol);
        assert_non_null (ins);
        assert_true (sim_book_on_grid (f->qty, ins->lot_size));
        assert_true (sim_book_on_grid (f->px, ins->tick_size));
        fills++;
    }
    assert_true (fills >= 14);
    //  another venue seed: different noise, different bytes
    sim_test_sims [0].seed = 12;
    b->n = 0;
    s_script (config, b);
    assert_true (b->n != a->n
              || memcmp (a->msgs, b->msgs, (size_t) a->n * sizeof (hb_msg_t)) != 0);
    //  another market seed too
    sim_test_sims [0].seed = 7;
    sim_test_market.seed = 12;
    b->n = 0;
    s_script (config, b);
    assert_true (b->n != a->n
              || memcmp (a->msgs, b->msgs, (size_t) a->n * sizeof (hb_msg_t)) != 0);
    free (a);
    free (b);
    hb_config_destroy (&config);
}

//  Two venues on one market: the same path, mids apart by basis + noise.
static void
test_two_venues_one_path (void **state)
{
    (void) state;
    hb_config_t *config = sim_test_config (5);
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
    hb_config_destroy (&config);
}

//  ---------------------------------------------------------------------------
//  Liquidation

#define LIQ_QTY     3.2
#define LIQ_OPEN_K  80
#define LIQ_SCAN    400000

//  alpha with 20,000 USD and nothing else, maintenance = initial = 10 %, and
//  a long of 3.2 BTC-PERP (margin ~19,200 USD) bought at step 80: a fall
//  of about 0.35 % puts it under maintenance
static sim_venue_t *
s_liq_venue (hb_config_t *config, bool enabled, s_capture_t *cap)
{
    hb_venue_cfg_t *v = &config->venues [0];
    v->collateral_usd = 20000;
    v->balances [0] = 0;
    v->balances [1] = 0;
    v->maintenance_margin = v->initial_margin;
    sim_test_sims [0].liq_enabled = enabled;
    sim_test_sims [0].liq_penalty_bps = 50;
    sim_venue_t *venue = s_venue (config, 0);
    hb_order_t order = s_order ("BTC-PERP", "open", HB_SIDE_BUY, HB_ORD_MARKET, LIQ_QTY, 0);
    assert_int_equal (sim_venue_order (venue, &order, LIQ_OPEN_K, s_capture, cap), 0);
    assert_int_equal (s_last_ack (cap)->status, HB_ACK_DONE);
    //  thin books from now on (the venue borrows its sim section), so the
    //  liquidation runs out of bids and takes the rest at the last level
    sim_test_sims [0].level_usd = 5000;
    return venue;
}

//  The first step after the open where the account is under maintenance
//  and the venue is not in an outage (the scan is pure: equity and
//  maintenance at each step, nothing traded)
static uint64_t
s_first_breach (sim_venue_t *venue)
{
    for (uint64_t k = LIQ_OPEN_K + 1; k < LIQ_OPEN_K + LIQ_SCAN; k++)
        if (!sim_venue_outage (venue, k)
        &&  sim_venue_equity (venue, k) <= sim_venue_maintenance (venue, k))
            return k;
    fail_msg ("no breach within %d steps", LIQ_SCAN);
    return 0;
}

//  A withdrawal takes amount + fee out (USD or a coin) when free margin
//  pays it, refuses with the figures otherwise and takes nothing; a
//  deposit puts it in
static void
test_withdraw_deposit (void **state)
{
    (void) state;
    hb_config_t *config = sim_test_config (12);
    s_capture_t *cap = s_capture_new ();
    sim_venue_t *venue = s_liq_venue (config, false, cap);
    uint64_t k = LIQ_OPEN_K;
    double equity = sim_venue_equity (venue, k);
    double margin = sim_venue_margin (venue, k);
    assert_true (equity > margin);
    char why [HB_TEXT_MAX] = "";
    double free_usd = equity - margin;
    double usd = sim_venue_account (venue)->usd;        //  less the open's fee
    //  more than the free margin: refused, nothing taken
    assert_int_equal (sim_venue_withdraw (venue, -1, free_usd, 1, k, why, sizeof why), -1);
    assert_non_null (strstr (why, "insufficient free margin"));
    assert_true (sim_venue_equity (venue, k) == equity);
    assert_int_equal (sim_venue_withdraw (venue, -1, 0, 0, k, why, sizeof why), -1);
    assert_int_equal (sim_venue_withdraw (venue, -1, NAN, 0, k, why, sizeof why), -1);
    //  within it: amount and fee leave
    assert_int_equal (sim_venue_withdraw (venue, -1, free_usd / 2, 1, k, why, sizeof why), 0);
    assert_true (fabs (sim_venue_equity (venue, k) - (equity - free_usd / 2 - 1)) < 1e-6);
    assert_true (fabs (sim_venue_account (venue)->usd - (usd - free_usd / 2 - 1)) < 1e-9);
    //  a coin: out of the coin balance, valued at the venue's mid
    sim_venue_deposit (venue, 0, 0.01);
    assert_true (fabs (sim_venue_account (venue)->coin [0] - 0.01) < 1e-12);
    assert_int_equal (sim_venue_withdraw (venue, 0, 0.004, 0.001, k, why, sizeof why), 0);
    assert_true (fabs (sim_venue_account (venue)->coin [0] - 0.005) < 1e-12);
    sim_venue_deposit (venue, -1, free_usd / 2 + 1);
    sim_venue_deposit (venue, -1, -5);          //  ignored
    assert_true (fabs (sim_venue_account (venue)->usd - usd) < 1e-6);
    sim_venue_destroy (&venue);
    free (cap);
    hb_config_destroy (&config);
}

static void
test_liquidation (void **state)
{
    (void) state;
    hb_config_t *config = sim_test_config (11);
    s_capture_t *cap = s_capture_new ();
    sim_venue_t *venue = s_liq_venue (config, true, cap);
    const hb_instrument_cfg_t *perp = &config->venues [0].instruments [I_PERP];
    sim_liquidation_t liq;

    //  above maintenance: nothing happens
    cap->n = 0;
    assert_true (sim_venue_equity (venue, LIQ_OPEN_K) > sim_venue_maintenance (venue, LIQ_OPEN_K));
    assert_int_equal (sim_venue_liquidate (venue, LIQ_OPEN_K, s_capture, cap, &liq), 0);
    assert_int_equal (cap->n, 0);
    uint64_t kb = s_first_breach (venue);
    assert_int_equal (sim_venue_liquidate (venue, kb - 1, s_capture, cap, &liq), 0);
    assert_int_equal (cap->n, 0);
    assert_true (sim_venue_account (venue)->pos [I_PERP] == LIQ_QTY);

    //  the breach: the long is sold whole, every level of the bids at its
    //  price less 50 bp, what the book lacks at the last level's price
    sim_book_t book = *sim_venue_book (venue, I_PERP, kb);
    double fair = sim_venue_fair (venue, I_PERP, kb);
    double equity = sim_venue_equity (venue, kb);
    double maintenance = sim_venue_maintenance (venue, kb);
    double depth = 0;
    for (int j = 0; j < book.n_bids; j++)
        depth += book.bids [j].qty;
    assert_true (depth < LIQ_QTY);
    assert_int_equal (sim_venue_liquidate (venue, kb, s_capture, cap, &liq), 1);
    assert_true (liq.equity == equity && liq.maintenance == maintenance && equity <= maintenance);
    assert_int_equal (liq.positions, 1);
    assert_int_equal (liq.fills, book.n_bids);
    assert_int_equal (cap->n, book.n_bids);
    double qty = 0, cost = 0, fees = 0;
    for (int j = 0; j < cap->n; j++) {
        assert_int_equal (cap->msgs [j].env.type, HB_MSG_FILL);
        const hb_fill_t *fill = &cap->msgs [j].u.fill;
        assert_int_equal (fill->flags, HB_FILL_EXTERNAL | HB_FILL_LIQUIDATION);
        assert_int_equal (fill->side, HB_SIDE_SELL);
        assert_string_equal (fill->symbol, "BTC-PERP");
        assert_non_null (strstr (fill->order_id, "-liq"));
        assert_true (strncmp (fill->client_id, "sim-", 4) == 0);
        assert_true (s_rel (fill->px, book.bids [j].px * (1 - 50e-4)) < 1e-12);
        if (j < cap->n - 1)
            assert_true (s_rel (fill->qty, book.bids [j].qty) < 1e-12);
        assert_true (s_rel (fill->fee, fill->qty * fill->px * perp->multiplier * 0.0005) < 1e-12);
        qty += fill->qty;
        cost += fill->qty * (fair - fill->px);
        fees += fill->fee;
        hb_buf_t buf;
        s_encode (&cap->msgs [j], &buf);
    }
    assert_true (fabs (qty - LIQ_QTY) < 1e-9);
    //  the last fill is the rest, at the last level's price
    assert_true (cap->msgs [cap->n - 1].u.fill.qty > book.bids [book.n_bids - 1].qty);
    assert_true (sim_venue_account (venue)->pos [I_PERP] == 0);
    //  equity after: before, less what selling below fair and the fees cost
    assert_true (fabs (liq.equity_after - (equity - cost - fees)) < 1e-6);
    assert_true (fabs (sim_venue_equity (venue, kb) - liq.equity_after) < 1e-9);
    assert_true (liq.equity_after < equity - LIQ_QTY * fair * 50e-4 * 0.5);
    assert_true (liq.maintenance_after == 0 && sim_venue_maintenance (venue, kb) == 0);
    assert_int_equal (sim_venue_liquidations (venue), 1);
    static uint8_t first [1 << 16], second [1 << 16];
    size_t n_first = s_encode_all (cap, first, sizeof first);

    //  once: nothing more at the same step or later
    cap->n = 0;
    assert_int_equal (sim_venue_liquidate (venue, kb, s_capture, cap, &liq), 0);
    assert_int_equal (sim_venue_liquidate (venue, kb + 1, s_capture, cap, &liq), 0);
    assert_int_equal (cap->n, 0);
    assert_int_equal (sim_venue_liquidations (venue), 1);
    sim_venue_destroy (&venue);

    //  the same events give the same bytes, whatever else was looked at
    //  in between (here: a check at every step instead of a scan)
    s_capture_t *again = s_capture_new ();
    sim_test_sims [0].level_usd = 50000;
    venue = s_liq_venue (config, true, again);
    again->n = 0;
    for (uint64_t k = LIQ_OPEN_K; k <= kb; k++)
        sim_venue_liquidate (venue, k, s_capture, again, &liq);
    assert_int_equal (again->n, book.n_bids);
    size_t n_second = s_encode_all (again, second, sizeof second);
    assert_true (n_first == n_second && memcmp (first, second, n_first) == 0);
    sim_venue_destroy (&venue);
    sim_test_sims [0].level_usd = 50000;
    free (again);
    free (cap);
    hb_config_destroy (&config);
}

//  Disabled (the default): the same breach passes without a trade
static void
test_liquidation_disabled (void **state)
{
    (void) state;
    hb_config_t *config = sim_test_config (11);
    s_capture_t *cap = s_capture_new ();
    sim_venue_t *venue = s_liq_venue (config, false, cap);
    uint64_t kb = s_first_breach (venue);
    sim_liquidation_t liq;
    cap->n = 0;
    for (uint64_t k = kb; k < kb + 10; k++)
        assert_int_equal (sim_venue_liquidate (venue, k, s_capture, cap, &liq), 0);
    assert_int_equal (cap->n, 0);
    assert_true (sim_venue_account (venue)->pos [I_PERP] == LIQ_QTY);
    assert_int_equal (sim_venue_liquidations (venue), 0);
    sim_venue_destroy (&venue);
    sim_test_sims [0].level_usd = 50000;
    free (cap);
    hb_config_destroy (&config);
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
        cmocka_unit_test (test_liquidation),
        cmocka_unit_test (test_withdraw_deposit),
        cmocka_unit_test (test_liquidation_disabled),
    };
    return cmocka_run_group_tests_name ("sim", tests, NULL, NULL);
}
