/*  deribit_test_fixture: what deribit_venue_test and deribit_order_test
    share. The engine runs against a test that plays the Deribit server by
    hand: frames go in as Deribit documents them; what the engine sends is
    captured (s_request finds a request, s_answer replies with its own id);
    what it publishes is recorded by hb_testhost, which encodes every
    message as the real host does (so nothing invalid passes). Books are
    compared, level by level, with a model the test keeps from the same
    messages. Included by test files only; everything is static inline so
    that a file may leave some of it unused.                             */
#ifndef DERIBIT_TEST_FIXTURE_H
#define DERIBIT_TEST_FIXTURE_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <jansson.h>
#include "deribit_venue.h"
#include "hb_log.h"
#include "hb_sign.h"
#include "hb_testhost.h"

#define S_SECRET    "s3cr3t-VALUE-never-logged"
#define S_KEY       "Kx1-client-id"
#define MAX_FRAMES  4096

static const char *s_yaml =
    "hedgebus: 1\n"
    "deployment: deribit-test\n"
    "run_dir: /tmp/hb-deribit-test\n"
    "assets:\n"
    "  BTC: { price: 65000, vol: 0.5 }\n"
    "  ETH: { price: 3400, vol: 0.6 }\n"
    "venues:\n"
    "  deribit:\n"
    "    plugin: deribit\n"
    "    enabled: false\n"
    "    fees: { maker: 0, taker: 0.0005 }\n"
    "    params: { depth: 5, order_rate: 0.001, order_burst: 12,\n"
    "              api_key_env: DERIBIT_TEST_KEY, api_secret_env: DERIBIT_TEST_SECRET }\n"
    "    instruments:\n"
    "      - { symbol: BTC-PERP, asset: BTC, kind: inverse_perp, multiplier: 10, tick: 0.5, lot: 1, min: 1 }\n"
    "      - { symbol: ETH-PERP, asset: ETH, kind: inverse_perp, multiplier: 1, tick: 0.05, lot: 1, min: 1 }\n"
    "      - { symbol: BTC-27DEC30-80000-C, asset: BTC, kind: option, type: call, strike: 80000,\n"
    "          expiry: 2030-12-27T08:00:00Z, iv: 0.55, tick: 5, lot: 0.1, min: 0.1 }\n"
    "      - { symbol: BTC-27DEC30, asset: BTC, kind: inverse_perp, multiplier: 10, tick: 2.5, lot: 1, min: 1 }\n";

typedef struct {
    char  *frames [MAX_FRAMES];
    size_t n;
    bool   refuse;
    int    reconnects;
} s_link_t;

typedef struct {
    hb_config_t     *config;
    hb_testhost_t   *host;
    hb_secret_t     *key;
    hb_secret_t     *secret;
    s_link_t         link;
    deribit_venue_t *venue;
} s_fixture_t;

static inline int
s_link_send (void *arg, const char *text, size_t len)
{
    s_link_t *link = (s_link_t *) arg;
    if (link->refuse || link->n == MAX_FRAMES)
        return -1;
    link->frames [link->n++] = strndup (text, len);
    return 0;
}

static inline void
s_link_reconnect (void *arg, const char *why)
{
    (void) why;
    ((s_link_t *) arg)->reconnects++;
}

//  The last request of method the engine sent since frame from (parsed;
//  the caller decrefs), NULL when none.
static inline json_t *
s_request (s_fixture_t *f, const char *method, size_t from)
{
    for (size_t i = f->link.n; i-- > from;) {
        json_t *req = json_loads (f->link.frames [i], 0, NULL);
        assert_non_null (req);
        const char *m = json_string_value (json_object_get (req, "method"));
        assert_non_null (m);
        assert_string_equal (json_string_value (json_object_get (req, "jsonrpc")), "2.0");
        if (strcmp (m, method) == 0)
            return req;
        json_decref (req);
    }
    return NULL;
}

static inline size_t
s_count_requests (s_fixture_t *f, const char *method, size_t from)
{
    size_t count = 0;
    char needle [96];
    snprintf (needle, sizeof needle, "\"method\":\"%s\"", method);
    for (size_t i = from; i < f->link.n; i++)
        count += strstr (f->link.frames [i], needle) != NULL;
    return count;
}

static inline void
s_feed (s_fixture_t *f, const char *format, ...)
{
    char text [65536];
    va_list args;
    va_start (args, format);
    int n = vsnprintf (text, sizeof text, format, args);
    va_end (args);
    assert_true (n > 0 && (size_t) n < sizeof text);
    deribit_venue_on_msg (f->venue, text, (size_t) n);
}

//  Answers the last request of method with result (JSON text).
static inline void
s_answer (s_fixture_t *f, const char *method, const char *result)
{
    json_t *req = s_request (f, method, 0);
    assert_non_null (req);
    json_int_t id = json_integer_value (json_object_get (req, "id"));
    json_decref (req);
    s_feed (f, "{\"jsonrpc\":\"2.0\",\"id\":%lld,\"result\":%s}", (long long) id, result);
}

static inline void
s_answer_error (s_fixture_t *f, const char *method, int code, const char *message)
{
    json_t *req = s_request (f, method, 0);
    assert_non_null (req);
    json_int_t id = json_integer_value (json_object_get (req, "id"));
    json_decref (req);
    s_feed (f, "{\"jsonrpc\":\"2.0\",\"id\":%lld,\"error\":{\"code\":%d,\"message\":\"%s\"}}",
            (long long) id, code, message);
}

static inline deribit_stats_t
s_stats (s_fixture_t *f)
{
    deribit_stats_t stats;
    deribit_venue_stats (f->venue, &stats);
    return stats;
}

static inline int
s_setup (void **state)
{
    s_fixture_t *f = (s_fixture_t *) calloc (1, sizeof *f);
    assert_non_null (f);
    char path [] = "/tmp/deribit-test-XXXXXX";
    int fd = mkstemp (path);
    assert_true (fd >= 0);
    assert_int_equal (write (fd, s_yaml, strlen (s_yaml)), (ssize_t) strlen (s_yaml));
    close (fd);
    char err [4096] = "";
    f->config = hb_config_load_quiet (path, err, sizeof err);
    unlink (path);
    if (!f->config)
        fprintf (stderr, "%s\n", err);
    assert_non_null (f->config);
    f->host = hb_testhost_new (f->config, "deribit");
    assert_non_null (f->host);
    setenv ("DERIBIT_TEST_KEY", S_KEY, 1);
    setenv ("DERIBIT_TEST_SECRET", S_SECRET, 1);
    const hb_venue_cfg_t *venue = hb_config_venue (f->config, "deribit");
    f->key = hb_secret_load (venue, "api_key", err, sizeof err);
    f->secret = hb_secret_load (venue, "api_secret", err, sizeof err);
    assert_non_null (f->key);
    assert_non_null (f->secret);
    deribit_link_t link = { s_link_send, s_link_reconnect, &f->link };
    f->venue = deribit_venue_new (hb_testhost_api (f->host), &link, f->key, f->secret, err, sizeof err);
    assert_non_null (f->venue);
    *state = f;
    return 0;
}

static inline int
s_teardown (void **state)
{
    s_fixture_t *f = (s_fixture_t *) *state;
    deribit_venue_destroy (&f->venue);
    assert_null (f->venue);
    //  the secret never reached a log line, at any level
    for (int level = HB_LOG_ERROR; level <= HB_LOG_DEBUG; level++)
        assert_int_equal (hb_testhost_logs (f->host, level, S_SECRET), 0);
    for (size_t i = 0; i < f->link.n; i++) {
        assert_null (strstr (f->link.frames [i], S_SECRET));
        free (f->link.frames [i]);
    }
    hb_secret_destroy (&f->key);
    hb_secret_destroy (&f->secret);
    hb_testhost_destroy (&f->host);
    hb_config_destroy (&f->config);
    free (f);
    return 0;
}

//  ---------------------------------------------------------------------------
//  The book model: what the book must hold after the messages the test sent.

#define MODEL_MAX 512
typedef struct {
    int    n [3];
    double px [3][MODEL_MAX];
    double qty [3][MODEL_MAX];
} s_model_t;

static inline int
s_model_find (const s_model_t *m, int side, double px)
{
    for (int i = 0; i < m->n [side]; i++)
        if (m->px [side][i] == px)
            return i;
    return -1;
}

static inline void
s_model_set (s_model_t *m, int side, double px, double qty)
{
    int i = s_model_find (m, side, px);
    if (qty == 0) {
        if (i >= 0) {
            m->n [side]--;
            m->px [side][i] = m->px [side][m->n [side]];
            m->qty [side][i] = m->qty [side][m->n [side]];
        }
        return;
    }
    if (i < 0) {
        assert_true (m->n [side] < MODEL_MAX);
        i = m->n [side]++;
        m->px [side][i] = px;
    }
    m->qty [side][i] = qty;
}

//  The model's levels of side sorted best first, into px/qty; returns n.
static inline int
s_model_sorted (const s_model_t *m, int side, double *px, double *qty)
{
    int n = m->n [side];
    memcpy (px, m->px [side], n * sizeof (double));
    memcpy (qty, m->qty [side], n * sizeof (double));
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0; j--) {
            bool swap = side == HB_SIDE_BUY ? px [j] > px [j - 1] : px [j] < px [j - 1];
            if (!swap)
                break;
            double t = px [j]; px [j] = px [j - 1]; px [j - 1] = t;
            t = qty [j]; qty [j] = qty [j - 1]; qty [j - 1] = t;
        }
    return n;
}

static inline void
s_assert_book (s_fixture_t *f, const char *symbol, const s_model_t *m)
{
    const deribit_book_t *book = deribit_venue_book (f->venue, symbol);
    assert_non_null (book);
    assert_true (deribit_book_valid (book));
    const hb_lbook_t *levels = deribit_book_levels (book);
    for (int side = HB_SIDE_BUY; side <= HB_SIDE_SELL; side++) {
        double px [MODEL_MAX], qty [MODEL_MAX];
        int n = s_model_sorted (m, side, px, qty);
        assert_int_equal (hb_lbook_depth (levels, side), n);
        for (int i = 0; i < n; i++) {
            hb_level_t level;
            assert_int_equal (hb_lbook_level (levels, side, (size_t) i, &level), 0);
            assert_true (level.px == px [i]);
            assert_true (level.qty == qty [i]);
        }
    }
}

//  Writes levels of the model as Deribit's [["new", px, amount], ..] of side.
static inline int
s_levels_json (const s_model_t *m, int side, char *out, size_t size)
{
    size_t len = 0;
    len += snprintf (out + len, size - len, "[");
    for (int i = 0; i < m->n [side]; i++)
        len += snprintf (out + len, size - len, "%s[\"new\",%.10g,%.10g]", i ? "," : "",
                         m->px [side][i], m->qty [side][i]);
    len += snprintf (out + len, size - len, "]");
    assert_true (len < size);
    return (int) len;
}

static inline void
s_snapshot (s_fixture_t *f, const char *instrument, const s_model_t *m, long long change_id)
{
    char bids [16384], asks [16384];
    s_levels_json (m, HB_SIDE_BUY, bids, sizeof bids);
    s_levels_json (m, HB_SIDE_SELL, asks, sizeof asks);
    s_feed (f, "{\"jsonrpc\":\"2.0\",\"method\":\"subscription\",\"params\":{\"channel\":"
            "\"book.%s.100ms\",\"data\":{\"type\":\"snapshot\",\"timestamp\":1700000000000,"
            "\"instrument_name\":\"%s\",\"change_id\":%lld,\"bids\":%s,\"asks\":%s}}}",
            instrument, instrument, change_id, bids, asks);
}

static uint64_t s_rng = 88172645463325252ULL;   //  fixed: runs are identical
static inline uint64_t
s_rand (void)
{
    s_rng ^= s_rng << 13;
    s_rng ^= s_rng >> 7;
    s_rng ^= s_rng << 17;
    return s_rng;
}

//  One random change (1..6 level updates near the touch) applied to the
//  model and fed to the engine as a Deribit change message.
static inline void
s_random_change (s_fixture_t *f, s_model_t *m, long long prev, long long id)
{
    char sides [3][4096] = { "", "", "" };
    size_t len [3] = { 0, 0, 0 };
    int updates = 1 + (int) (s_rand () % 6);
    for (int u = 0; u < updates; u++) {
        int side = s_rand () % 2 ? HB_SIDE_BUY : HB_SIDE_SELL;
        int step = (int) (s_rand () % 40);
        double px = side == HB_SIDE_BUY ? 64999.5 - 0.5 * step : 65000.5 + 0.5 * step;
        int at = s_model_find (m, side, px);
        const char *action;
        double amount;
        if (at >= 0 && s_rand () % 3 == 0) {
            action = "delete";
            amount = 0;
        }
        else {
            action = at >= 0 ? "change" : "new";
            amount = 10.0 * (double) (1 + s_rand () % 500);
        }
        s_model_set (m, side, px, amount);
        len [side] += snprintf (sides [side] + len [side], sizeof sides [side] - len [side],
                                "%s[\"%s\",%.1f,%.1f]", len [side] ? "," : "", action, px, amount);
    }
    s_feed (f, "{\"jsonrpc\":\"2.0\",\"method\":\"subscription\",\"params\":{\"channel\":"
            "\"book.BTC-PERPETUAL.100ms\",\"data\":{\"type\":\"change\",\"timestamp\":%lld,"
            "\"instrument_name\":\"BTC-PERPETUAL\",\"change_id\":%lld,\"prev_change_id\":%lld,"
            "\"bids\":[%s],\"asks\":[%s]}}}", 1700000000000LL + id, id, prev,
            sides [HB_SIDE_BUY], sides [HB_SIDE_SELL]);
}

//  Connects, answers nothing yet, and gives every instrument a book.
static inline void
s_connect_with_books (s_fixture_t *f, s_model_t *perp)
{
    deribit_venue_on_open (f->venue);
    s_model_t small = { 0 };
    s_model_set (&small, HB_SIDE_BUY, 0.05, 2);
    s_model_set (&small, HB_SIDE_SELL, 0.0515, 3.5);
    s_snapshot (f, "BTC-27DEC30-80000-C", &small, 5);
    s_model_t eth = { 0 };
    s_model_set (&eth, HB_SIDE_BUY, 3400.05, 1000);
    s_model_set (&eth, HB_SIDE_SELL, 3400.1, 2000);
    s_snapshot (f, "ETH-PERPETUAL", &eth, 7);
    s_snapshot (f, "BTC-27DEC30", &eth, 8);
    for (int i = 0; i < 20; i++) {
        s_model_set (perp, HB_SIDE_BUY, 64999.5 - i, 100.0 * (i + 1));
        s_model_set (perp, HB_SIDE_SELL, 65000.5 + i, 50.0 * (i + 1));
    }
    s_snapshot (f, "BTC-PERPETUAL", perp, 1000);
}

#endif
