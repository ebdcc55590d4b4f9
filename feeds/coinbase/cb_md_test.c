/*  cb_md tests: Coinbase market data from JSON strings, no transport.
    A random session of snapshots and updates is applied both through cb_md
    and through a naive reference book kept here; after every message the
    emitted tick must equal the reference's top of book. Then the sequence
    rules (gap: stale tick, stale status, resync; updates ignored until the
    snapshot; a replayed number ignored), the ticker and trade channels,
    unit conversion, and bad input of every kind (counted, no crash, book
    untouched).                                                             */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cb_md.h"

//  ---------------------------------------------------------------------------
//  Fake sink

typedef struct {
    hb_tick_t  last_tick [4];       //  by product index: 0 BTC-USD, 1 ETH-PERP
    int        ticks [4];
    int        stale_ticks;
    hb_trade_t last_trade;
    int        trades;
    uint32_t   status;
    int        status_calls;
} s_sink_t;

static int
s_index (const char *symbol)
{
    return !strcmp (symbol, "BTC-USD")? 0: !strcmp (symbol, "ETH-PERP")? 1: 3;
}

static int
s_emit (void *arg, hb_msg_t *msg)
{
    s_sink_t *sink = (s_sink_t *) arg;
    if (msg->env.type == HB_MSG_TICK) {
        int i = s_index (msg->u.tick.symbol);
        sink->last_tick [i] = msg->u.tick;
        sink->ticks [i]++;
        if (msg->u.tick.flags & HB_TICK_STALE)
            sink->stale_ticks++;
        assert_string_equal (msg->u.tick.venue, "cbx");
    }
    else if (msg->env.type == HB_MSG_TRADE) {
        sink->last_trade = msg->u.trade;
        sink->trades++;
    }
    else
        fail_msg ("unexpected message type %d", msg->env.type);
    return 0;
}

static void
s_status (void *arg, uint32_t status)
{
    s_sink_t *sink = (s_sink_t *) arg;
    sink->status = status;
    sink->status_calls++;
}

static hb_venue_cfg_t *
s_venue (void)
{
    hb_venue_cfg_t *venue = (hb_venue_cfg_t *) calloc (1, sizeof *venue);
    assert_non_null (venue);
    snprintf (venue->name, HB_NAME_MAX, "cbx");
    hb_venue_cfg_alloc (venue, 2, 2);
    venue->n_instruments = 2;
    hb_instrument_cfg_t *btc = &venue->instruments [0];
    snprintf (btc->symbol, HB_NAME_MAX, "BTC-USD");
    btc->kind = HB_KIND_SPOT;
    btc->multiplier = 1;
    btc->tick_size = 0.01;
    btc->lot_size = 0.00000001;
    hb_instrument_cfg_t *eth = &venue->instruments [1];
    snprintf (eth->symbol, HB_NAME_MAX, "ETH-PERP");
    eth->kind = HB_KIND_LINEAR_PERP;
    eth->multiplier = 0.1;
    eth->tick_size = 0.01;
    eth->lot_size = 1;
    venue->n_params = 1;
    snprintf (venue->params [0].key, HB_NAME_MAX, "sym.ETH-PERP");
    snprintf (venue->params [0].value, HB_PATH_MAX, "ETH-PERP-INTX");
    return venue;
}

typedef struct {
    hb_venue_cfg_t *venue;
    cb_md_t        *md;
    s_sink_t        sink;
    int64_t         seq;
} s_fix_t;

static int
s_setup (void **state)
{
    s_fix_t *fix = (s_fix_t *) calloc (1, sizeof *fix);
    assert_non_null (fix);
    fix->venue = s_venue ();
    char err [128];
    fix->md = cb_md_new (fix->venue, s_emit, s_status, &fix->sink, err, sizeof err);
    assert_non_null (fix->md);
    *state = fix;
    return 0;
}

static int
s_teardown (void **state)
{
    s_fix_t *fix = (s_fix_t *) *state;
    cb_md_destroy (&fix->md);
    assert_null (fix->md);
    hb_venue_cfg_release (fix->venue);
    free (fix->venue);
    free (fix);
    return 0;
}

static cb_md_result_t
s_send (s_fix_t *fix, const char *text)
{
    return cb_md_on_message (fix->md, text, strlen (text), 1);
}

//  An l2_data message with sequence fix->seq++ and one event.
static cb_md_result_t
s_l2 (s_fix_t *fix, const char *type, const char *product, const char *levels)
{
    char text [16384];
    snprintf (text, sizeof text,
              "{\"channel\":\"l2_data\",\"client_id\":\"\",\"timestamp\":\"2024-05-01T10:00:00.5Z\","
              "\"sequence_num\":%lld,\"events\":[{\"type\":\"%s\",\"product_id\":\"%s\","
              "\"updates\":[%s]}]}", (long long) fix->seq++, type, product, levels);
    return s_send (fix, text);
}

//  ---------------------------------------------------------------------------
//  Reference book: unsorted arrays, sorted on export

#define REF_MAX 256

typedef struct {
    int        n [3];
    hb_level_t lv [3][REF_MAX];
} s_ref_t;

static void
s_ref_set (s_ref_t *ref, int side, double px, double qty)
{
    for (int i = 0; i < ref->n [side]; i++)
        if (ref->lv [side][i].px == px) {
            if (qty == 0)
                ref->lv [side][i] = ref->lv [side][--ref->n [side]];
            else
                ref->lv [side][i].qty = qty;
            return;
        }
    if (qty > 0) {
        assert_true (ref->n [side] < REF_MAX);
        ref->lv [side][ref->n [side]++] = (hb_level_t) { px, qty };
    }
}

static int
s_cmp_desc (const void *a, const void *b)
{
    double x = ((const hb_level_t *) a)->px, y = ((const hb_level_t *) b)->px;
    return x < y? 1: x > y? -1: 0;
}

static int
s_cmp_asc (const void *a, const void *b)
{
    return -s_cmp_desc (a, b);
}

static void
s_ref_assert_tick (s_ref_t *ref, const hb_tick_t *tick, double scale)
{
    for (int side = 1; side <= 2; side++) {
        hb_level_t sorted [REF_MAX];
        memcpy (sorted, ref->lv [side], sizeof sorted);
        qsort (sorted, (size_t) ref->n [side], sizeof sorted [0], side == 1? s_cmp_desc: s_cmp_asc);
        int want = ref->n [side] < HB_BOOK_DEPTH? ref->n [side]: HB_BOOK_DEPTH;
        const hb_level_t *got = side == 1? tick->bids: tick->asks;
        assert_int_equal (side == 1? tick->n_bids: tick->n_asks, want);
        for (int i = 0; i < want; i++) {
            assert_true (got [i].px == sorted [i].px);
            assert_true (fabs (got [i].qty - sorted [i].qty * scale) < 1e-9);
        }
    }
}

//  ---------------------------------------------------------------------------

static void
test_random_session_matches_reference (void **state)
{
    s_fix_t *fix = (s_fix_t *) *state;
    s_ref_t ref;
    memset (&ref, 0, sizeof ref);
    srand (42);
    char levels [12000];
    //  the snapshot: 30 levels a side around 60000
    size_t off = 0;
    for (int i = 0; i < 30; i++) {
        double bid = 60000 - 0.5 * (i + 1), ask = 60000 + 0.5 * (i + 1);
        double q = 0.001 * (1 + i % 7);
        off += (size_t) snprintf (levels + off, sizeof levels - off,
            "%s{\"side\":\"bid\",\"event_time\":\"2024-05-01T10:00:00Z\",\"price_level\":\"%.2f\","
            "\"new_quantity\":\"%.8f\"},{\"side\":\"offer\",\"event_time\":\"2024-05-01T10:00:00Z\","
            "\"price_level\":\"%.2f\",\"new_quantity\":\"%.8f\"}", i? ",": "", bid, q, ask, q);
        s_ref_set (&ref, 1, bid, q);
        s_ref_set (&ref, 2, ask, q);
    }
    assert_true (fix->sink.status == HB_TICK_STALE || fix->sink.status_calls == 0);
    assert_int_equal (s_l2 (fix, "snapshot", "BTC-USD", levels), CB_MD_OK);
    s_ref_assert_tick (&ref, &fix->sink.last_tick [0], 1);
    //  500 update messages of 1..5 levels: changes, deletes (some of
    //  levels that do not exist), new levels inside and outside the top
    for (int m = 0; m < 500; m++) {
        int k = 1 + rand () % 5;
        off = 0;
        for (int j = 0; j < k; j++) {
            int side = 1 + rand () % 2;
            double px = side == 1? 60000 - 0.5 * (1 + rand () % 40): 60000 + 0.5 * (1 + rand () % 40);
            double q = rand () % 4 == 0? 0: 0.001 * (1 + rand () % 50);
            off += (size_t) snprintf (levels + off, sizeof levels - off,
                "%s{\"side\":\"%s\",\"event_time\":\"2024-05-01T10:00:01Z\",\"price_level\":\"%.2f\","
                "\"new_quantity\":\"%.8f\"}", j? ",": "", side == 1? "bid": "offer", px, q);
            s_ref_set (&ref, side, px, q);
        }
        int before = fix->sink.ticks [0];
        assert_int_equal (s_l2 (fix, "update", "BTC-USD", levels), CB_MD_OK);
        assert_int_equal (fix->sink.ticks [0], before + 1);
        s_ref_assert_tick (&ref, &fix->sink.last_tick [0], 1);
    }
    //  the whole book, not only the top, equals the reference
    int bids = 0, asks = 0;
    assert_int_equal (cb_md_depth (fix->md, "BTC-USD", &bids, &asks), 0);
    assert_int_equal (bids, ref.n [1]);
    assert_int_equal (asks, ref.n [2]);
    assert_int_equal (cb_md_stats (fix->md)->gaps, 0);
    assert_int_equal (cb_md_stats (fix->md)->malformed, 0);
}

static const char *s_eth_book =
    "{\"side\":\"bid\",\"price_level\":\"3000.10\",\"new_quantity\":\"2.5\"},"
    "{\"side\":\"bid\",\"price_level\":\"3000.00\",\"new_quantity\":\"1\"},"
    "{\"side\":\"offer\",\"price_level\":\"3000.5\",\"new_quantity\":\"0.3\"}";

static const char *s_btc_book =
    "{\"side\":\"bid\",\"price_level\":\"60000\",\"new_quantity\":\"1\"},"
    "{\"side\":\"offer\",\"price_level\":\"60001\",\"new_quantity\":\"2\"}";

static void
test_units_and_product_map (void **state)
{
    s_fix_t *fix = (s_fix_t *) *state;
    assert_string_equal (cb_md_product_of (fix->md, "ETH-PERP"), "ETH-PERP-INTX");
    assert_string_equal (cb_md_symbol_of (fix->md, "ETH-PERP-INTX"), "ETH-PERP");
    assert_null (cb_md_symbol_of (fix->md, "ETH-PERP"));
    assert_int_equal (s_l2 (fix, "snapshot", "ETH-PERP-INTX", s_eth_book), CB_MD_OK);
    const hb_tick_t *t = &fix->sink.last_tick [1];
    assert_string_equal (t->symbol, "ETH-PERP");
    assert_int_equal (t->n_bids, 2);
    assert_int_equal (t->n_asks, 1);
    assert_true (t->bids [0].px == 3000.10);
    //  2.5 ETH in contracts of 0.1 ETH
    assert_true (fabs (t->bids [0].qty - 25) < 1e-9);
    assert_true (fabs (t->asks [0].qty - 3) < 1e-9);
    assert_int_equal (t->flags & HB_TICK_STALE, 0);
    //  BTC has no snapshot yet: the venue is still stale
    assert_int_equal (fix->sink.status, HB_TICK_STALE);
    assert_true (cb_md_stale (fix->md));
    assert_int_equal (s_l2 (fix, "snapshot", "BTC-USD", s_btc_book), CB_MD_OK);
    assert_int_equal (fix->sink.status, 0);
    assert_false (cb_md_stale (fix->md));
}

static void
test_gap_forces_resnapshot_and_stale (void **state)
{
    s_fix_t *fix = (s_fix_t *) *state;
    assert_int_equal (s_l2 (fix, "snapshot", "ETH-PERP-INTX", s_eth_book), CB_MD_OK);
    assert_int_equal (s_l2 (fix, "snapshot", "BTC-USD", s_btc_book), CB_MD_OK);
    assert_int_equal (fix->sink.status, 0);
    int stale_before = fix->sink.stale_ticks;
    fix->seq += 3;          //  three messages lost
    assert_int_equal (s_l2 (fix, "update", "BTC-USD",
                            "{\"side\":\"bid\",\"price_level\":\"60000.5\",\"new_quantity\":\"1\"}"),
                      CB_MD_RESYNC);
    assert_int_equal (cb_md_stats (fix->md)->gaps, 1);
    assert_int_equal (fix->sink.status, HB_TICK_STALE);
    //  one stale tick per book, so that consumers stop trusting them now
    assert_int_equal (fix->sink.stale_ticks, stale_before + 2);
    assert_true (fix->sink.last_tick [0].flags & HB_TICK_STALE);
    hb_tick_t tick;
    assert_int_equal (cb_md_book (fix->md, "BTC-USD", &tick), 0);
    assert_true (tick.flags & HB_TICK_STALE);
    assert_int_equal (tick.n_bids, 0);      //  the update after the gap was not applied
    //  updates before the new snapshot are ignored
    int ticks = fix->sink.ticks [0];
    assert_int_equal (s_l2 (fix, "update", "BTC-USD",
                            "{\"side\":\"bid\",\"price_level\":\"59999\",\"new_quantity\":\"1\"}"),
                      CB_MD_OK);
    assert_int_equal (fix->sink.ticks [0], ticks);
    //  the new snapshot: the book is exactly the snapshot, ETH still stale
    assert_int_equal (s_l2 (fix, "snapshot", "BTC-USD",
                            "{\"side\":\"bid\",\"price_level\":\"61000\",\"new_quantity\":\"4\"}"),
                      CB_MD_OK);
    assert_int_equal (fix->sink.status, HB_TICK_STALE);
    const hb_tick_t *t = &fix->sink.last_tick [0];
    assert_int_equal (t->flags & HB_TICK_STALE, 0);
    assert_int_equal (t->n_bids, 1);
    assert_int_equal (t->n_asks, 0);
    assert_true (t->bids [0].px == 61000);
    assert_int_equal (s_l2 (fix, "snapshot", "ETH-PERP-INTX", s_eth_book), CB_MD_OK);
    assert_int_equal (fix->sink.status, 0);
    //  a replayed number is refused, not applied twice
    fix->seq--;
    assert_int_equal (s_l2 (fix, "update", "BTC-USD",
                            "{\"side\":\"bid\",\"price_level\":\"61000\",\"new_quantity\":\"0\"}"),
                      CB_MD_BAD);
    assert_int_equal (cb_md_book (fix->md, "BTC-USD", &tick), 0);
    assert_int_equal (tick.n_bids, 1);
    //  a reset (new connection) accepts any first number and waits for snapshots
    cb_md_reset (fix->md);
    assert_int_equal (fix->sink.status, HB_TICK_STALE);
    fix->seq = 0;
    assert_int_equal (s_l2 (fix, "snapshot", "BTC-USD", s_btc_book), CB_MD_OK);
    assert_int_equal (cb_md_stats (fix->md)->gaps, 1);
}

static void
test_ticker_and_trades (void **state)
{
    s_fix_t *fix = (s_fix_t *) *state;
    //  no level2 for BTC: the ticker is its book
    assert_int_equal (s_send (fix,
        "{\"channel\":\"ticker\",\"client_id\":\"\",\"timestamp\":\"2024-05-01T10:00:00Z\","
        "\"sequence_num\":0,\"events\":[{\"type\":\"snapshot\",\"tickers\":[{\"type\":\"ticker\","
        "\"product_id\":\"BTC-USD\",\"price\":\"60000.5\",\"volume_24_h\":\"1\","
        "\"best_bid\":\"60000\",\"best_bid_quantity\":\"0.5\",\"best_ask\":\"60001\","
        "\"best_ask_quantity\":\"0.25\"}]}]}"), CB_MD_OK);
    const hb_tick_t *t = &fix->sink.last_tick [0];
    assert_int_equal (fix->sink.ticks [0], 1);
    assert_int_equal (t->n_bids, 1);
    assert_true (t->bids [0].px == 60000 && t->bids [0].qty == 0.5);
    assert_true (t->asks [0].px == 60001 && t->asks [0].qty == 0.25);
    //  trades: the snapshot (history) is not published, updates are
    const char *trades =
        "{\"channel\":\"market_trades\",\"client_id\":\"\",\"timestamp\":\"2024-05-01T10:00:01Z\","
        "\"sequence_num\":%d,\"events\":[{\"type\":\"%s\",\"trades\":[{\"trade_id\":\"777\","
        "\"product_id\":\"ETH-PERP-INTX\",\"price\":\"3001.5\",\"size\":\"0.2\",\"side\":\"SELL\","
        "\"time\":\"2024-05-01T10:00:01.250Z\"}]}]}";
    char text [1024];
    snprintf (text, sizeof text, trades, 1, "snapshot");
    assert_int_equal (s_send (fix, text), CB_MD_OK);
    assert_int_equal (fix->sink.trades, 0);
    snprintf (text, sizeof text, trades, 2, "update");
    assert_int_equal (s_send (fix, text), CB_MD_OK);
    assert_int_equal (fix->sink.trades, 1);
    assert_string_equal (fix->sink.last_trade.symbol, "ETH-PERP");
    assert_string_equal (fix->sink.last_trade.trade_id, "777");
    assert_int_equal (fix->sink.last_trade.side, HB_SIDE_SELL);
    assert_true (fix->sink.last_trade.px == 3001.5);
    assert_true (fabs (fix->sink.last_trade.qty - 2) < 1e-9);
}

static void
test_bad_input_counted (void **state)
{
    s_fix_t *fix = (s_fix_t *) *state;
    assert_int_equal (s_l2 (fix, "snapshot", "BTC-USD", s_btc_book), CB_MD_OK);
    hb_tick_t before;
    assert_int_equal (cb_md_book (fix->md, "BTC-USD", &before), 0);
    const char *bad [] = {
        "",
        "{",
        "{\"channel\":\"l2_data\",\"sequence_num\":",
        "[1,2,3]",
        "null",
        "{\"channel\":\"l2_data\"}",                           //  no sequence
        "{\"channel\":\"l2_data\",\"sequence_num\":\"2\"}",    //  sequence of the wrong type
        "{\"channel\":\"l2_data\",\"sequence_num\":-5}",
        "\xff\xfe\x00garbage",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad [0]; i++)
        assert_int_equal (cb_md_on_message (fix->md, bad [i], strlen (bad [i]), 1), CB_MD_BAD);
    assert_int_equal (cb_md_stats (fix->md)->malformed, sizeof bad / sizeof bad [0]);
    //  an unknown channel and an unknown message type: counted apart
    char text [512];
    snprintf (text, sizeof text, "{\"channel\":\"futures_balance_summary\",\"sequence_num\":%lld,"
              "\"events\":[]}", (long long) fix->seq++);
    assert_int_equal (s_send (fix, text), CB_MD_BAD);
    assert_int_equal (s_send (fix, "{\"type\":\"surprise\"}"), CB_MD_BAD);
    assert_int_equal (cb_md_stats (fix->md)->unknown, 2);
    //  the venue's own errors, subscriptions and heartbeats are fine
    assert_int_equal (s_send (fix, "{\"type\":\"error\",\"message\":\"failure to subscribe\"}"), CB_MD_OK);
    assert_int_equal (cb_md_stats (fix->md)->errors, 1);
    snprintf (text, sizeof text, "{\"channel\":\"heartbeats\",\"sequence_num\":%lld,\"events\":"
              "[{\"current_time\":\"x\",\"heartbeat_counter\":3}]}", (long long) fix->seq++);
    assert_int_equal (s_send (fix, text), CB_MD_OK);
    //  an l2 message with a bad level: the book is dropped (resync), never half-applied
    assert_int_equal (s_l2 (fix, "update", "BTC-USD",
                            "{\"side\":\"bid\",\"price_level\":\"60000\",\"new_quantity\":\"2\"},"
                            "{\"side\":\"bid\",\"price_level\":\"abc\",\"new_quantity\":\"1\"}"),
                      CB_MD_RESYNC);
    assert_int_equal (fix->sink.status, HB_TICK_STALE);
    hb_tick_t after;
    assert_int_equal (cb_md_book (fix->md, "BTC-USD", &after), 0);
    assert_true (after.flags & HB_TICK_STALE);
    //  unknown products and event types are skipped, not fatal
    assert_int_equal (s_l2 (fix, "update", "DOGE-USD",
                            "{\"side\":\"bid\",\"price_level\":\"1\",\"new_quantity\":\"2\"}"),
                      CB_MD_OK);
    assert_int_equal (s_l2 (fix, "snapshot", "BTC-USD", s_btc_book), CB_MD_OK);
    assert_int_equal (cb_md_book (fix->md, "BTC-USD", &after), 0);
    assert_int_equal (memcmp (&before, &after, sizeof before), 0);
    assert_int_equal (cb_md_stats (fix->md)->gaps, 0);
}

static void
test_parse_time (void **state)
{
    (void) state;
    assert_int_equal (cb_md_parse_time ("1970-01-01T00:00:01Z"), 1000000000);
    assert_int_equal (cb_md_parse_time ("2023-02-09T20:32:50.714964855Z"), 1675974770714964855LL);
    assert_int_equal (cb_md_parse_time ("2023-02-09T20:32:50.5Z"), 1675974770500000000LL);
    assert_int_equal (cb_md_parse_time ("2023-02-09T20:32:50."), 0);
    assert_int_equal (cb_md_parse_time ("2023-02-09T20:32:50+01:00"), 0);
    assert_int_equal (cb_md_parse_time ("yesterday"), 0);
    assert_int_equal (cb_md_parse_time (NULL), 0);
}

static void
test_refuses_duplicate_products (void **state)
{
    (void) state;
    hb_venue_cfg_t *venue = s_venue ();
    snprintf (venue->params [0].value, HB_PATH_MAX, "BTC-USD");
    char err [128] = "";
    s_sink_t sink;
    cb_md_t *md = cb_md_new (venue, s_emit, s_status, &sink, err, sizeof err);
    assert_null (md);
    assert_non_null (strstr (err, "already used by BTC-USD"));
    hb_venue_cfg_release (venue);
    free (venue);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test_setup_teardown (test_random_session_matches_reference, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_units_and_product_map, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_gap_forces_resnapshot_and_stale, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_ticker_and_trades, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_bad_input_counted, s_setup, s_teardown),
        cmocka_unit_test (test_parse_time),
        cmocka_unit_test (test_refuses_duplicate_products),
    };
    return cmocka_run_group_tests_name ("cb_md", tests, NULL, NULL);
}
