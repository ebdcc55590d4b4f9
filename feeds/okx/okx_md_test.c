/*  okx_md tests: OKX books, tickers and trades from JSON strings. A random
    session is applied through okx_md and through a reference book kept
    here (level texts and all), which also computes each message's checksum
    with its own bitwise CRC-32; after every message the emitted tick must
    equal the reference's top and no checksum may fail. Then the example of
    OKX's documentation, a prevSeqId gap, a checksum mismatch, bad input,
    tickers, trades and contract units.                                     */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "okx_book.h"
#include "okx_md.h"

typedef struct {
    hb_tick_t  last_tick [2];       //  0 BTC-USDT, 1 BTC-PERP
    int        ticks [2];
    int        stale_ticks;
    hb_trade_t last_trade;
    int        trades;
    uint32_t   status;
} s_sink_t;

static int
s_emit (void *arg, hb_msg_t *msg)
{
    s_sink_t *sink = (s_sink_t *) arg;
    if (msg->env.type == HB_MSG_TICK) {
        int i = !strcmp (msg->u.tick.symbol, "BTC-PERP");
        sink->last_tick [i] = msg->u.tick;
        sink->ticks [i]++;
        if (msg->u.tick.flags & HB_TICK_STALE)
            sink->stale_ticks++;
    }
    else if (msg->env.type == HB_MSG_TRADE) {
        sink->last_trade = msg->u.trade;
        sink->trades++;
    }
    else
        fail_msg ("unexpected type %d", msg->env.type);
    return 0;
}

static void
s_status (void *arg, uint32_t status)
{
    ((s_sink_t *) arg)->status = status;
}

typedef struct {
    hb_venue_cfg_t venue;
    okx_md_t      *md;
    s_sink_t       sink;
} s_fix_t;

static int
s_setup (void **state)
{
    s_fix_t *fix = (s_fix_t *) calloc (1, sizeof *fix);
    assert_non_null (fix);
    hb_venue_cfg_t *v = &fix->venue;
    snprintf (v->name, HB_NAME_MAX, "okx");
    hb_venue_cfg_alloc (v, 2, 2);
    v->n_instruments = 2;
    snprintf (v->instruments [0].symbol, HB_NAME_MAX, "BTC-USDT");
    v->instruments [0].kind = HB_KIND_SPOT;
    v->instruments [0].multiplier = 1;
    snprintf (v->instruments [1].symbol, HB_NAME_MAX, "BTC-PERP");
    v->instruments [1].kind = HB_KIND_LINEAR_PERP;
    v->instruments [1].multiplier = 0.001;  //  our contracts: 0.001 BTC
    v->n_params = 2;
    snprintf (v->params [0].key, HB_NAME_MAX, "sym.BTC-PERP");
    snprintf (v->params [0].value, HB_PATH_MAX, "BTC-USDT-SWAP");
    snprintf (v->params [1].key, HB_NAME_MAX, "ctval.BTC-PERP");
    snprintf (v->params [1].value, HB_PATH_MAX, "0.01");    //  OKX's: 0.01 BTC
    char err [128];
    fix->md = okx_md_new (v, s_emit, s_status, &fix->sink, err, sizeof err);
    assert_non_null (fix->md);
    *state = fix;
    return 0;
}

static int
s_teardown (void **state)
{
    s_fix_t *fix = (s_fix_t *) *state;
    okx_md_destroy (&fix->md);
    hb_venue_cfg_release (&fix->venue);
    free (fix);
    return 0;
}

static okx_md_result_t
s_send (s_fix_t *fix, const char *text)
{
    return okx_md_on_message (fix->md, text, strlen (text), 1);
}

//  ---------------------------------------------------------------------------
//  Reference book with texts; sorted on demand

#define REF_MAX 128

typedef struct {
    double px, qty;
    char   px_s [24], qty_s [24];
} s_rlevel_t;

typedef struct {
    int        n [2];
    s_rlevel_t lv [2][REF_MAX];
} s_ref_t;

static void
s_ref_set (s_ref_t *ref, int s, const char *px, const char *qty)
{
    double p = atof (px), q = atof (qty);
    for (int i = 0; i < ref->n [s]; i++)
        if (ref->lv [s][i].px == p) {
            if (q == 0)
                ref->lv [s][i] = ref->lv [s][--ref->n [s]];
            else {
                ref->lv [s][i].qty = q;
                snprintf (ref->lv [s][i].qty_s, 24, "%s", qty);
            }
            return;
        }
    if (q > 0) {
        assert_true (ref->n [s] < REF_MAX);
        s_rlevel_t *l = &ref->lv [s][ref->n [s]++];
        l->px = p;
        l->qty = q;
        snprintf (l->px_s, 24, "%s", px);
        snprintf (l->qty_s, 24, "%s", qty);
    }
}

static int
s_desc (const void *a, const void *b)
{
    double x = ((const s_rlevel_t *) a)->px, y = ((const s_rlevel_t *) b)->px;
    return x < y? 1: x > y? -1: 0;
}

static int
s_asc (const void *a, const void *b)
{
    return -s_desc (a, b);
}

static void
s_ref_sort (s_ref_t *ref)
{
    qsort (ref->lv [0], (size_t) ref->n [0], sizeof (s_rlevel_t), s_desc);
    qsort (ref->lv [1], (size_t) ref->n [1], sizeof (s_rlevel_t), s_asc);
}

//  Bitwise CRC-32, deliberately not the table of okx_book.c.
static uint32_t
s_crc (const char *text)
{
    uint32_t c = 0xFFFFFFFFu;
    for (const char *p = text; *p; p++) {
        c ^= (uint8_t) *p;
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1)));
    }
    return ~c;
}

static int32_t
s_ref_checksum (s_ref_t *ref)
{
    s_ref_sort (ref);
    char text [8192] = "";
    size_t off = 0;
    for (int i = 0; i < 25; i++)
        for (int s = 0; s < 2; s++)
            if (i < ref->n [s])
                off += (size_t) snprintf (text + off, sizeof text - off, "%s%s:%s", off? ":": "",
                                          ref->lv [s][i].px_s, ref->lv [s][i].qty_s);
    return (int32_t) s_crc (text);
}

static void
s_ref_assert_tick (s_ref_t *ref, const hb_tick_t *tick, double scale)
{
    s_ref_sort (ref);
    for (int s = 0; s < 2; s++) {
        int want = ref->n [s] < HB_BOOK_DEPTH? ref->n [s]: HB_BOOK_DEPTH;
        assert_int_equal (s == 0? tick->n_bids: tick->n_asks, want);
        const hb_level_t *got = s == 0? tick->bids: tick->asks;
        for (int i = 0; i < want; i++) {
            assert_true (got [i].px == ref->lv [s][i].px);
            assert_true (fabs (got [i].qty - ref->lv [s][i].qty * scale) < 1e-9);
        }
    }
}

//  A books message for inst_id.
static okx_md_result_t
s_books (s_fix_t *fix, const char *inst_id, const char *action, const char *bids,
         const char *asks, long long prev, long long seq, int32_t checksum)
{
    char text [32768];
    snprintf (text, sizeof text,
              "{\"arg\":{\"channel\":\"books\",\"instId\":\"%s\"},\"action\":\"%s\",\"data\":"
              "[{\"asks\":[%s],\"bids\":[%s],\"ts\":\"1714557600123\",\"checksum\":%d,"
              "\"prevSeqId\":%lld,\"seqId\":%lld}]}", inst_id, action, asks, bids, checksum, prev, seq);
    return s_send (fix, text);
}

//  ---------------------------------------------------------------------------

static void
test_documented_checksum (void **state)
{
    (void) state;
    //  the example of OKX's API documentation (books channel, checksum)
    const char *text = "3366.1:7:3366.8:9:3366:6:3368:8";
    assert_int_equal ((int32_t) okx_crc32 (text, strlen (text)), -1881014294);
    assert_int_equal (okx_crc32 ("123456789", 9), 0xCBF43926u);
    okx_book_t *book = okx_book_new (8);
    assert_non_null (book);
    assert_int_equal (okx_book_set (book, HB_SIDE_BUY, "3366", 3366, "6", 6), 0);
    assert_int_equal (okx_book_set (book, HB_SIDE_BUY, "3366.1", 3366.1, "7", 7), 0);
    assert_int_equal (okx_book_set (book, HB_SIDE_SELL, "3368", 3368, "8", 8), 0);
    assert_int_equal (okx_book_set (book, HB_SIDE_SELL, "3366.8", 3366.8, "9", 9), 0);
    assert_int_equal (okx_book_checksum (book), -1881014294);
    //  one side longer than the other: the short side is skipped
    assert_int_equal (okx_book_set (book, HB_SIDE_SELL, "3368", 3368, "0", 0), 0);
    const char *uneven = "3366.1:7:3366.8:9:3366:6";
    assert_int_equal (okx_book_checksum (book), (int32_t) s_crc (uneven));
    //  bounded: a 9th level beyond the worst is dropped, a better one evicts
    for (int i = 0; i < 10; i++) {
        char px [16];
        snprintf (px, sizeof px, "%d", 3000 - i);
        assert_int_equal (okx_book_set (book, HB_SIDE_BUY, px, 3000 - i, "1", 1), 0);
    }
    assert_int_equal (okx_book_depth (book, HB_SIDE_BUY), 8);
    assert_int_equal (okx_book_dropped (book), 4);
    assert_int_equal (okx_book_set (book, HB_SIDE_BUY, "1", 1, "-1", -1), -1);
    assert_int_equal (okx_book_set (book, 7, "1", 1, "1", 1), -1);
    okx_book_destroy (&book);
    assert_null (book);
}

static void
test_random_session_matches_reference (void **state)
{
    s_fix_t *fix = (s_fix_t *) *state;
    s_ref_t ref;
    memset (&ref, 0, sizeof ref);
    srand (7);
    char bids [8192], asks [8192];
    size_t ob = 0, oa = 0;
    //  snapshot: 40 levels a side, texts with trailing zeros kept as sent
    for (int i = 0; i < 40; i++) {
        char bp [24], ap [24], q [24];
        snprintf (bp, sizeof bp, "%.1f", 65000 - 0.1 * (i + 1));
        snprintf (ap, sizeof ap, "%.1f", 65000 + 0.1 * (i + 1));
        snprintf (q, sizeof q, "%d.%d0", 1 + i % 5, i % 10);
        ob += (size_t) snprintf (bids + ob, sizeof bids - ob, "%s[\"%s\",\"%s\",\"0\",\"3\"]", i? ",": "", bp, q);
        oa += (size_t) snprintf (asks + oa, sizeof asks - oa, "%s[\"%s\",\"%s\",\"0\",\"2\"]", i? ",": "", ap, q);
        s_ref_set (&ref, 0, bp, q);
        s_ref_set (&ref, 1, ap, q);
    }
    long long seq = 1000;
    assert_int_equal (s_books (fix, "BTC-USDT-SWAP", "snapshot", bids, asks, -1, seq,
                               s_ref_checksum (&ref)), OKX_MD_OK);
    s_ref_assert_tick (&ref, &fix->sink.last_tick [1], 10);     //  0.01 / 0.001
    for (int m = 0; m < 400; m++) {
        ob = oa = 0;
        bids [0] = asks [0] = 0;
        int k = 1 + rand () % 6;
        for (int j = 0; j < k; j++) {
            int s = rand () % 2;
            char px [24], q [24];
            snprintf (px, sizeof px, "%.1f", s == 0? 65000 - 0.1 * (1 + rand () % 60)
                                                   : 65000 + 0.1 * (1 + rand () % 60));
            if (rand () % 4 == 0)
                snprintf (q, sizeof q, "0");
            else
                snprintf (q, sizeof q, "%d.%d", rand () % 20, 1 + rand () % 9);
            if (s == 0)
                ob += (size_t) snprintf (bids + ob, sizeof bids - ob, "%s[\"%s\",\"%s\",\"0\",\"1\"]", ob? ",": "", px, q);
            else
                oa += (size_t) snprintf (asks + oa, sizeof asks - oa, "%s[\"%s\",\"%s\",\"0\",\"1\"]", oa? ",": "", px, q);
            s_ref_set (&ref, s, px, q);
        }
        //  seqId sometimes jumps (OKX numbers are not dense): prevSeqId links
        long long next = seq + 1 + rand () % 3;
        assert_int_equal (s_books (fix, "BTC-USDT-SWAP", "update", bids, asks, seq, next,
                                   s_ref_checksum (&ref)), OKX_MD_OK);
        seq = next;
        s_ref_assert_tick (&ref, &fix->sink.last_tick [1], 10);
    }
    int nb = 0, na = 0;
    assert_int_equal (okx_md_depth (fix->md, "BTC-PERP", &nb, &na), 0);
    assert_int_equal (nb, ref.n [0]);
    assert_int_equal (na, ref.n [1]);
    assert_int_equal (okx_md_stats (fix->md)->checksum_errors, 0);
    assert_int_equal (okx_md_stats (fix->md)->gaps, 0);
    assert_int_equal (fix->sink.stale_ticks, 0);
}

static const char *s_bids = "[\"3366.1\",\"7\",\"0\",\"3\"],[\"3366\",\"6\",\"3\",\"4\"]";
static const char *s_asks = "[\"3366.8\",\"9\",\"10\",\"3\"],[\"3368\",\"8\",\"3\",\"4\"]";
#define S_DOC_CRC (-1881014294)

static void
s_both_snapshots (s_fix_t *fix)
{
    assert_int_equal (s_books (fix, "BTC-USDT", "snapshot", s_bids, s_asks, -1, 10, S_DOC_CRC), OKX_MD_OK);
    assert_int_equal (s_books (fix, "BTC-USDT-SWAP", "snapshot", s_bids, s_asks, -1, 20, S_DOC_CRC), OKX_MD_OK);
    assert_int_equal (fix->sink.status, 0);
}

//  checksum 0 or none at all (OKX deprecates it for seqId/prevSeqId): the
//  book is taken, sequenced by seqId alone; a gap still resyncs
static void
test_no_checksum (void **state)
{
    s_fix_t *fix = (s_fix_t *) *state;
    assert_int_equal (s_books (fix, "BTC-USDT", "snapshot", s_bids, s_asks, -1, 10, 0), OKX_MD_OK);
    assert_int_equal (s_send (fix, "{\"arg\":{\"channel\":\"books\",\"instId\":\"BTC-USDT\"},"
                                   "\"action\":\"update\",\"data\":[{\"asks\":[[\"3368\",\"0\",\"0\",\"0\"]],"
                                   "\"bids\":[],\"ts\":\"1714557600124\",\"prevSeqId\":10,\"seqId\":11}]}"),
                      OKX_MD_OK);
    int nb = 0, na = 0;
    assert_int_equal (okx_md_depth (fix->md, "BTC-USDT", &nb, &na), 0);
    assert_true (nb == 2 && na == 1);
    assert_int_equal (okx_md_stats (fix->md)->checksum_errors, 0);
    assert_int_equal (s_books (fix, "BTC-USDT", "update", "", "", 12, 13, 0), OKX_MD_RESYNC);
    assert_int_equal (okx_md_stats (fix->md)->gaps, 1);
}

static void
test_gap_forces_resnapshot (void **state)
{
    s_fix_t *fix = (s_fix_t *) *state;
    s_both_snapshots (fix);
    assert_int_equal (okx_md_take_resync (fix->md), -1);
    //  prevSeqId 11 after seqId 10: a message was lost
    assert_int_equal (s_books (fix, "BTC-USDT", "update", "", "[\"3368\",\"0\",\"0\",\"0\"]",
                               11, 12, 0), OKX_MD_RESYNC);
    assert_int_equal (okx_md_stats (fix->md)->gaps, 1);
    assert_int_equal (fix->sink.status, HB_TICK_STALE);
    assert_true (fix->sink.last_tick [0].flags & HB_TICK_STALE);
    assert_int_equal (okx_md_take_resync (fix->md), 0);
    assert_int_equal (okx_md_take_resync (fix->md), -1);
    //  further updates wait for the snapshot
    int ticks = fix->sink.ticks [0];
    assert_int_equal (s_books (fix, "BTC-USDT", "update", "", "", 12, 13, 0), OKX_MD_OK);
    assert_int_equal (fix->sink.ticks [0], ticks);
    //  the other book is untouched
    hb_tick_t t;
    assert_int_equal (okx_md_book (fix->md, "BTC-PERP", &t), 0);
    assert_int_equal (t.flags, 0);
    assert_int_equal (t.n_bids, 2);
    assert_int_equal (s_books (fix, "BTC-USDT", "snapshot", s_bids, s_asks, -1, 50, S_DOC_CRC), OKX_MD_OK);
    assert_int_equal (fix->sink.status, 0);
    assert_int_equal (fix->sink.last_tick [0].flags, 0);
    //  continuity from the snapshot's seqId, also when seqId goes down (reset)
    assert_int_equal (s_books (fix, "BTC-USDT", "update", "", "", 50, 3, S_DOC_CRC), OKX_MD_OK);
    assert_int_equal (s_books (fix, "BTC-USDT", "update", "", "", 3, 4, S_DOC_CRC), OKX_MD_OK);
    assert_int_equal (okx_md_stats (fix->md)->gaps, 1);
}

static void
test_checksum_mismatch_forces_resnapshot (void **state)
{
    s_fix_t *fix = (s_fix_t *) *state;
    s_both_snapshots (fix);
    //  a snapshot with a wrong checksum is not trusted either
    assert_int_equal (s_books (fix, "BTC-USDT-SWAP", "update", "[\"3366.1\",\"8\",\"0\",\"1\"]", "",
                               20, 21, S_DOC_CRC), OKX_MD_RESYNC);
    assert_int_equal (okx_md_stats (fix->md)->checksum_errors, 1);
    assert_int_equal (fix->sink.status, HB_TICK_STALE);
    assert_true (fix->sink.last_tick [1].flags & HB_TICK_STALE);
    assert_int_equal (okx_md_take_resync (fix->md), 1);
    hb_tick_t t;
    assert_int_equal (okx_md_book (fix->md, "BTC-PERP", &t), 0);
    assert_true (t.flags & HB_TICK_STALE);
    assert_int_equal (s_books (fix, "BTC-USDT-SWAP", "snapshot", s_bids, s_asks, -1, 30, 12345), OKX_MD_RESYNC);
    assert_int_equal (okx_md_stats (fix->md)->checksum_errors, 2);
    assert_int_equal (okx_md_take_resync (fix->md), 1);
    assert_int_equal (s_books (fix, "BTC-USDT-SWAP", "snapshot", s_bids, s_asks, -1, 30, S_DOC_CRC), OKX_MD_OK);
    assert_int_equal (fix->sink.status, 0);
    assert_int_equal (okx_md_book (fix->md, "BTC-PERP", &t), 0);
    assert_int_equal (t.flags, 0);
    assert_true (t.bids [0].px == 3366.1 && fabs (t.bids [0].qty - 70) < 1e-9);
}

static void
test_bad_input_counted (void **state)
{
    s_fix_t *fix = (s_fix_t *) *state;
    s_both_snapshots (fix);
    hb_tick_t before;
    assert_int_equal (okx_md_book (fix->md, "BTC-USDT", &before), 0);
    const char *bad [] = {
        "", "{", "pongpong", "[]", "{\"arg\":{\"channel\":\"books\",\"instId\":\"BTC-USDT\"},"
        "\"action\":\"update\",\"data\":[{\"asks\":[],\"bids\":[]}]}",              //  no seqId
        "{\"arg\":{\"channel\":\"books\",\"instId\":\"BTC-USDT\"},\"action\":\"update\","
        "\"data\":[{\"asks\":\"x\",\"bids\":[],\"seqId\":11,\"prevSeqId\":10,\"checksum\":1}]}",
        "{\"arg\":{\"channel\":\"books\",\"instId\":\"BTC-USDT\"},\"data\":[]}",    //  no action
        "{\"arg\":{\"channel\":\"trades\",\"instId\":\"BTC-USDT\"},\"data\":[{\"tradeId\":\"1\","
        "\"px\":\"x\",\"sz\":\"1\",\"side\":\"buy\"}]}",
        "{\"arg\":{\"channel\":\"trades\",\"instId\":\"BTC-USDT\"},\"data\":[{\"tradeId\":\"1\","
        "\"px\":\"1\",\"sz\":\"1\",\"side\":\"up\"}]}",
    };
    size_t n = sizeof bad / sizeof bad [0];
    for (size_t i = 0; i < n; i++)
        assert_int_equal (okx_md_on_message (fix->md, bad [i], strlen (bad [i]), 1), OKX_MD_BAD);
    assert_true (okx_md_stats (fix->md)->malformed + okx_md_stats (fix->md)->unknown == n);
    assert_int_equal (fix->sink.trades, 0);
    assert_int_equal (s_send (fix, "pong"), OKX_MD_OK);
    assert_int_equal (okx_md_stats (fix->md)->pongs, 1);
    uint64_t unknown = okx_md_stats (fix->md)->unknown;
    assert_int_equal (s_send (fix, "{\"event\":\"mystery\"}"), OKX_MD_BAD);
    assert_int_equal (s_send (fix, "{\"arg\":{\"channel\":\"funding-rate\",\"instId\":\"BTC-USDT\"},\"data\":[]}"), OKX_MD_BAD);
    assert_int_equal (s_send (fix, "{\"arg\":{\"channel\":\"books\",\"instId\":\"DOGE-USDT\"},\"data\":[]}"), OKX_MD_BAD);
    assert_int_equal (okx_md_stats (fix->md)->unknown, unknown + 3);
    assert_int_equal (s_send (fix, "{\"event\":\"error\",\"code\":\"60012\",\"msg\":\"Invalid request\"}"), OKX_MD_OK);
    assert_int_equal (okx_md_stats (fix->md)->errors, 1);
    assert_non_null (strstr (okx_md_error (fix->md), "60012"));
    assert_int_equal (s_send (fix, "{\"event\":\"subscribe\",\"arg\":{\"channel\":\"books\",\"instId\":\"BTC-USDT\"}}"), OKX_MD_OK);
    //  nothing above touched the book (the bad asks were refused before any level)
    hb_tick_t after;
    assert_int_equal (okx_md_book (fix->md, "BTC-USDT", &after), 0);
    assert_int_equal (memcmp (&before, &after, sizeof before), 0);
    //  a bad level inside an update drops the book rather than half-applying it
    assert_int_equal (s_books (fix, "BTC-USDT", "update", "[\"3366.5\",\"1\"],[\"-3\",\"1\"]", "",
                               10, 11, 0), OKX_MD_RESYNC);
    assert_int_equal (fix->sink.status, HB_TICK_STALE);
    assert_int_equal (okx_md_take_resync (fix->md), 0);
}

static void
test_tickers_trades_units (void **state)
{
    s_fix_t *fix = (s_fix_t *) *state;
    assert_string_equal (okx_md_inst_id_of (fix->md, "BTC-PERP"), "BTC-USDT-SWAP");
    assert_string_equal (okx_md_symbol_of (fix->md, "BTC-USDT"), "BTC-USDT");
    assert_true (okx_md_qty_scale (fix->md, "BTC-PERP") == 10);
    assert_int_equal (s_send (fix, "{\"arg\":{\"channel\":\"tickers\",\"instId\":\"BTC-USDT-SWAP\"},"
        "\"data\":[{\"instType\":\"SWAP\",\"instId\":\"BTC-USDT-SWAP\",\"last\":\"65000\",\"lastSz\":\"1\","
        "\"askPx\":\"65000.5\",\"askSz\":\"12\",\"bidPx\":\"64999.5\",\"bidSz\":\"3\",\"ts\":\"1714557600123\"}]}"),
        OKX_MD_OK);
    const hb_tick_t *t = &fix->sink.last_tick [1];
    assert_int_equal (fix->sink.ticks [1], 1);
    assert_true (t->bids [0].px == 64999.5 && fabs (t->bids [0].qty - 30) < 1e-9);
    assert_true (t->asks [0].px == 65000.5 && fabs (t->asks [0].qty - 120) < 1e-9);
    assert_int_equal (s_send (fix, "{\"arg\":{\"channel\":\"trades\",\"instId\":\"BTC-USDT-SWAP\"},"
        "\"data\":[{\"instId\":\"BTC-USDT-SWAP\",\"tradeId\":\"130639474\",\"px\":\"42219.9\","
        "\"sz\":\"2\",\"side\":\"sell\",\"ts\":\"1630048897897\",\"count\":\"3\"}]}"), OKX_MD_OK);
    assert_int_equal (fix->sink.trades, 1);
    assert_string_equal (fix->sink.last_trade.symbol, "BTC-PERP");
    assert_string_equal (fix->sink.last_trade.trade_id, "130639474");
    assert_int_equal (fix->sink.last_trade.side, HB_SIDE_SELL);
    assert_true (fix->sink.last_trade.px == 42219.9);
    assert_true (fabs (fix->sink.last_trade.qty - 20) < 1e-9);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_documented_checksum),
        cmocka_unit_test_setup_teardown (test_random_session_matches_reference, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_gap_forces_resnapshot, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_no_checksum, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_checksum_mismatch_forces_resnapshot, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_bad_input_counted, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_tickers_trades_units, s_setup, s_teardown),
    };
    return cmocka_run_group_tests_name ("okx_md", tests, NULL, NULL);
}
