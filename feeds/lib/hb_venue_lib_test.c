/*  The venue library: books, signing (Binance's documented example),
    base64, backoff, token bucket, secrets and their file modes, JSON
    getters and the parse arena, order checks / decimals / acks, refusal
    counting, the host link (hb_vhost), the bench yardsticks; hb_ws (fragments reassembled, reconnect
    after a drop, send) and hb_rest (GET, POST, 404, connection refused)
    against tests/venues/venue_server.py on loopback, on a zloop host
    (TLS and the shared service thread: hb_venue_net_test.c).             */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hb_backoff.h"
#include "hb_json.h"
#include "hb_lbook.h"
#include "hb_ratelimit.h"
#include "hb_refusal.h"
#include "hb_rest.h"
#include "hb_secret.h"
#include "hb_sign.h"
#include "hb_testhost.h"
#include "hb_vhost.h"
#include "hb_testserver.h"
#include "hb_vbench.h"
#include "hb_vorder.h"
#include "hb_ws.h"

//  ---------------------------------------------------------------------------
static void
test_lbook (void **state)
{
    (void) state;
    hb_lbook_t *book = hb_lbook_new (4);
    assert_non_null (book);
    assert_int_equal (hb_lbook_set (book, HB_SIDE_BUY, 100, 1), 0);
    assert_int_equal (hb_lbook_set (book, HB_SIDE_BUY, 101, 2), 0);
    assert_int_equal (hb_lbook_set (book, HB_SIDE_BUY, 99, 3), 0);
    assert_int_equal (hb_lbook_set (book, HB_SIDE_SELL, 103, 1), 0);
    assert_int_equal (hb_lbook_set (book, HB_SIDE_SELL, 102, 5), 0);
    hb_level_t level;
    assert_int_equal (hb_lbook_level (book, HB_SIDE_BUY, 0, &level), 0);
    assert_true (level.px == 101 && level.qty == 2);
    assert_int_equal (hb_lbook_level (book, HB_SIDE_SELL, 0, &level), 0);
    assert_true (level.px == 102 && level.qty == 5);
    assert_true (hb_lbook_mid (book) == 101.5);
    assert_true (hb_lbook_spread (book) == 1);
    //  update in place, delete, delete of a missing level
    assert_int_equal (hb_lbook_set (book, HB_SIDE_BUY, 100, 7), 0);
    assert_int_equal (hb_lbook_set (book, HB_SIDE_BUY, 101, 0), 0);
    assert_int_equal (hb_lbook_set (book, HB_SIDE_BUY, 50, 0), 0);
    assert_int_equal (hb_lbook_depth (book, HB_SIDE_BUY), 2);
    assert_int_equal (hb_lbook_level (book, HB_SIDE_BUY, 0, &level), 0);
    assert_true (level.px == 100 && level.qty == 7);
    //  bad input refused, book unchanged
    assert_int_equal (hb_lbook_set (book, HB_SIDE_BUY, NAN, 1), -1);
    assert_int_equal (hb_lbook_set (book, HB_SIDE_BUY, 0, 1), -1);
    assert_int_equal (hb_lbook_set (book, HB_SIDE_BUY, 98, -1), -1);
    assert_int_equal (hb_lbook_set (book, 7, 98, 1), -1);
    assert_int_equal (hb_lbook_depth (book, HB_SIDE_BUY), 2);
    //  bounded: a full side keeps the best max_levels
    for (int i = 0; i < 6; i++)
        assert_int_equal (hb_lbook_set (book, HB_SIDE_SELL, 110 + i, 1), 0);
    assert_int_equal (hb_lbook_depth (book, HB_SIDE_SELL), 4);
    assert_int_equal (hb_lbook_dropped (book), 4);
    assert_int_equal (hb_lbook_set (book, HB_SIDE_SELL, 101.5, 1), 0);    //  evicts 111
    assert_int_equal (hb_lbook_level (book, HB_SIDE_SELL, 3, &level), 0);
    assert_true (level.px == 110);
    //  export with a size scale
    hb_tick_t tick;
    memset (&tick, 0, sizeof tick);
    assert_int_equal (hb_lbook_export (book, &tick, 3, 0.5), 3);
    assert_int_equal (tick.n_bids, 2);
    assert_int_equal (tick.n_asks, 3);
    assert_true (tick.asks [0].px == 101.5 && tick.asks [0].qty == 0.5);
    assert_true (tick.bids [0].px == 100 && tick.bids [0].qty == 3.5);
    //  crossed
    assert_false (hb_lbook_crossed (book));
    assert_int_equal (hb_lbook_set (book, HB_SIDE_BUY, 101.5, 1), 0);
    assert_true (hb_lbook_crossed (book));
    hb_lbook_clear (book);
    assert_int_equal (hb_lbook_depth (book, HB_SIDE_BUY), 0);
    assert_true (hb_lbook_mid (book) == 0);
    hb_lbook_destroy (&book);
    assert_null (book);
    hb_lbook_destroy (&book);
}

//  ---------------------------------------------------------------------------
static void
test_sign (void **state)
{
    (void) state;
    //  Binance API docs, "SIGNED Endpoint Examples for POST /api/v3/order"
    const char *secret = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j";
    const char *query = "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1"
                        "&recvWindow=5000&timestamp=1499827319559";
    char hex [HB_SIGN_HEX_SIZE];
    assert_int_equal (hb_sign_hmac_hex (secret, strlen (secret), query, strlen (query), hex, sizeof hex), 0);
    assert_string_equal (hex, "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71");
    assert_int_equal (hb_sign_hmac_hex (secret, strlen (secret), query, strlen (query), hex, 64), -1);
    //  RFC 4231 test case 2, as base64
    char b64 [HB_SIGN_BASE64_SIZE];
    assert_int_equal (hb_sign_hmac_base64 ("Jefe", 4, "what do ya want for nothing?", 28, b64, sizeof b64), 0);
    assert_string_equal (b64, "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM=");
    //  base64 both ways, and refusals
    uint8_t out [16];
    assert_int_equal (hb_sign_base64_decode ("aGVsbG8=", 8, out, sizeof out), 5);
    assert_memory_equal (out, "hello", 5);
    assert_int_equal (hb_sign_base64_decode ("aGVsbA==", 8, out, sizeof out), 4);
    assert_int_equal (hb_sign_base64_decode ("aGVsbG8", 7, out, sizeof out), -1);
    assert_int_equal (hb_sign_base64_decode ("aG=sbG8=", 8, out, sizeof out), -1);
    assert_int_equal (hb_sign_base64_decode ("aGVs bG8", 8, out, sizeof out), -1);
    assert_int_equal (hb_sign_base64_decode ("aGVsbG8=", 8, out, 4), -1);
    char text [16];
    assert_int_equal (hb_sign_base64_encode ("hello", 5, text, sizeof text), 8);
    assert_string_equal (text, "aGVsbG8=");
    assert_int_equal (hb_sign_base64_encode ("hello", 5, text, 8), -1);
}

//  ---------------------------------------------------------------------------
static void
test_backoff (void **state)
{
    (void) state;
    hb_backoff_t a, b;
    hb_backoff_init (&a, 100, 1000, 42);
    hb_backoff_init (&b, 100, 1000, 42);
    uint64_t ceilings [] = { 100, 200, 400, 800, 1000, 1000 };
    bool differ = false;
    uint64_t first = 0;
    for (int i = 0; i < 6; i++) {
        assert_int_equal (hb_backoff_ceiling (&a), ceilings [i]);
        uint64_t d = hb_backoff_next (&a);
        assert_int_equal (d, hb_backoff_next (&b));     //  same seed, same draws
        assert_true (d <= ceilings [i]);
        if (i == 0)
            first = d;
        else
        if (d != first)
            differ = true;
    }
    assert_true (differ);                               //  jitter, not a constant
    hb_backoff_reset (&a);
    assert_int_equal (hb_backoff_ceiling (&a), 100);
    //  full jitter covers the window: over many draws both halves are hit
    hb_backoff_t c;
    hb_backoff_init (&c, 1000, 1000, 7);
    int low = 0, high = 0;
    for (int i = 0; i < 200; i++) {
        uint64_t d = hb_backoff_next (&c);
        low += d < 500;
        high += d >= 500;
    }
    assert_true (low > 50 && high > 50);
}

static void
test_ratelimit (void **state)
{
    (void) state;
    hb_ratelimit_t bucket;
    int64_t t = 1000000000;
    assert_int_equal (hb_ratelimit_init (&bucket, 10, 5, t), 0);
    for (int i = 0; i < 5; i++)
        assert_true (hb_ratelimit_take (&bucket, 1, t));
    assert_false (hb_ratelimit_take (&bucket, 1, t));
    assert_int_equal (bucket.refused, 1);
    assert_int_equal (hb_ratelimit_wait_ns (&bucket, 1, t), 100000000);
    assert_true (hb_ratelimit_take (&bucket, 1, t + 100000000));
    assert_int_equal (hb_ratelimit_wait_ns (&bucket, 6, t), -1);
    hb_ratelimit_pause (&bucket, t + 2000000000);
    assert_false (hb_ratelimit_take (&bucket, 1, t + 1900000000));
    assert_true (hb_ratelimit_take (&bucket, 1, t + 2100000000));
    assert_int_equal (hb_ratelimit_init (&bucket, 0, 5, t), -1);
    assert_false (hb_ratelimit_take (&bucket, 0, t));
}

//  ---------------------------------------------------------------------------
static void
test_secret (void **state)
{
    (void) state;
    char dir [] = "/tmp/hb-secret.XXXXXX", path [64], err [256];
    assert_non_null (mkdtemp (dir));
    snprintf (path, sizeof path, "%s/key", dir);
    int fd = open (path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true (fd >= 0);
    assert_int_equal (write (fd, "s3cr3t-value\n", 13), 13);
    close (fd);
    hb_secret_t *secret = hb_secret_from_file (path, err, sizeof err);
    assert_non_null (secret);
    assert_string_equal (hb_secret_value (secret), "s3cr3t-value");
    assert_int_equal (hb_secret_len (secret), 12);
    char line [64];
    const hb_secret_t *list [] = { secret };
    hb_secret_redact ("sig=s3cr3t-value&x=1", list, 1, line, sizeof line);
    assert_string_equal (line, "sig=***&x=1");
    hb_secret_destroy (&secret);
    assert_null (secret);
    //  readable by group, by others: refused, and the error never holds the value
    assert_int_equal (chmod (path, 0640), 0);
    assert_null (hb_secret_from_file (path, err, sizeof err));
    assert_non_null (strstr (err, "mode 640"));
    assert_null (strstr (err, "s3cr3t"));
    assert_int_equal (chmod (path, 0604), 0);
    assert_null (hb_secret_from_file (path, err, sizeof err));
    assert_int_equal (chmod (path, 0400), 0);
    secret = hb_secret_from_file (path, err, sizeof err);
    assert_non_null (secret);
    hb_secret_destroy (&secret);
    //  environment
    setenv ("HB_TEST_SECRET_X", "from-env", 1);
    secret = hb_secret_from_env ("HB_TEST_SECRET_X", err, sizeof err);
    assert_non_null (secret);
    assert_string_equal (hb_secret_origin (secret), "env HB_TEST_SECRET_X");
    hb_secret_destroy (&secret);
    unsetenv ("HB_TEST_SECRET_X");
    assert_null (hb_secret_from_env ("HB_TEST_SECRET_X", err, sizeof err));
    assert_non_null (strstr (err, "not set"));
    //  through venue params: exactly one of _file / _env, never inline
    hb_venue_cfg_t *venue = (hb_venue_cfg_t *) calloc (1, sizeof *venue);
    venue->n_params = 1;
    snprintf (venue->params [0].key, HB_NAME_MAX, "api_secret_file");
    snprintf (venue->params [0].value, HB_PATH_MAX, "%s", path);
    secret = hb_secret_load (venue, "api_secret", err, sizeof err);
    assert_non_null (secret);
    hb_secret_destroy (&secret);
    venue->n_params = 2;
    snprintf (venue->params [1].key, HB_NAME_MAX, "api_secret_env");
    snprintf (venue->params [1].value, HB_PATH_MAX, "X");
    assert_null (hb_secret_load (venue, "api_secret", err, sizeof err));
    assert_non_null (strstr (err, "exactly one"));
    snprintf (venue->params [1].key, HB_NAME_MAX, "api_secret");
    assert_null (hb_secret_load (venue, "api_secret", err, sizeof err));
    assert_non_null (strstr (err, "config text"));
    //  a set: none given is no keys; all given loads all; half is refused
    static const char *const names [] = { "api_key", "api_secret" };
    hb_secret_t *set [2] = { NULL, NULL };
    venue->n_params = 0;
    assert_int_equal (hb_secret_load_set (venue, names, 2, set, err, sizeof err), 0);
    assert_null (set [0]);
    assert_null (set [1]);
    venue->n_params = 1;            //  api_secret_file only
    assert_int_equal (hb_secret_load_set (venue, names, 2, set, err, sizeof err), -1);
    assert_non_null (strstr (err, "api_key_file"));
    assert_null (set [0]);
    assert_null (set [1]);
    setenv ("HB_TEST_SECRET_K", "key", 1);
    venue->n_params = 2;
    snprintf (venue->params [1].key, HB_NAME_MAX, "api_key_env");
    snprintf (venue->params [1].value, HB_PATH_MAX, "HB_TEST_SECRET_K");
    assert_int_equal (hb_secret_load_set (venue, names, 2, set, err, sizeof err), 0);
    assert_string_equal (hb_secret_value (set [0]), "key");
    assert_non_null (set [1]);
    hb_secret_destroy (&set [0]);
    hb_secret_destroy (&set [1]);
    //  the second fails to load: the first is not kept
    snprintf (venue->params [0].value, HB_PATH_MAX, "%s.missing", path);
    assert_int_equal (hb_secret_load_set (venue, names, 2, set, err, sizeof err), -1);
    assert_null (set [0]);
    assert_null (set [1]);
    unsetenv ("HB_TEST_SECRET_K");
    free (venue);
    unlink (path);
    rmdir (dir);
}

//  ---------------------------------------------------------------------------
static void
test_json (void **state)
{
    (void) state;
    hb_json_t *parser = hb_json_new (4096, 1 << 20);
    assert_non_null (parser);
    char err [HB_JSON_ERR_MAX];
    const char *text = "{\"p\":\"65000.10\",\"q\":1.5,\"n\":\"abc\",\"i\":\"123\",\"j\":7,\"b\":true,"
                       "\"o\":{},\"a\":[[\"1.0\",\"2\"]],\"z\":null,\"x\":\"1e999\",\"h\":\"0x10\"}";
    json_t *root = hb_json_parse (parser, text, strlen (text), err, sizeof err);
    assert_non_null (root);
    double d;
    int64_t i;
    bool b;
    const char *s;
    json_t *o;
    assert_int_equal (hb_json_num (root, "p", &d, err, sizeof err), 0);
    assert_true (d == 65000.10);
    assert_int_equal (hb_json_num (root, "q", &d, err, sizeof err), 0);
    assert_true (d == 1.5);
    assert_int_equal (hb_json_num (root, "n", &d, err, sizeof err), -1);
    assert_string_equal (err, "key 'n': expected a decimal, got string \"abc\"");
    assert_int_equal (hb_json_num (root, "x", &d, err, sizeof err), -1);     //  not finite
    assert_int_equal (hb_json_num (root, "h", &d, err, sizeof err), -1);     //  no hex
    assert_int_equal (hb_json_num (root, "missing", &d, err, sizeof err), -1);
    assert_string_equal (err, "key 'missing': missing");
    assert_int_equal (hb_json_num (root, "z", &d, err, sizeof err), -1);     //  null is missing
    assert_int_equal (hb_json_int (root, "i", &i, err, sizeof err), 0);
    assert_int_equal (i, 123);
    assert_int_equal (hb_json_int (root, "j", &i, err, sizeof err), 0);
    assert_int_equal (i, 7);
    assert_int_equal (hb_json_int (root, "p", &i, err, sizeof err), -1);
    assert_int_equal (hb_json_bool (root, "b", &b, err, sizeof err), 0);
    assert_true (b);
    assert_int_equal (hb_json_bool (root, "j", &b, err, sizeof err), -1);
    assert_string_equal (err, "key 'j': expected true or false, got an integer");
    assert_int_equal (hb_json_str (root, "n", &s, err, sizeof err), 0);
    assert_string_equal (s, "abc");
    char small [3];
    assert_int_equal (hb_json_strcpy (root, "n", small, sizeof small, err, sizeof err), -1);
    assert_int_equal (hb_json_obj (root, "o", &o, err, sizeof err), 0);
    assert_int_equal (hb_json_arr (root, "o", &o, err, sizeof err), -1);
    assert_int_equal (hb_json_arr (root, "a", &o, err, sizeof err), 0);
    assert_int_equal (hb_json_value_num (json_array_get (json_array_get (o, 0), 1), "size", &d, err,
                                         sizeof err), 0);
    assert_true (d == 2);
    //  errors name line and column; duplicates refused
    assert_null (hb_json_parse (parser, "{\"a\":1,\n\"b\":}", 13, err, sizeof err));
    assert_non_null (strstr (err, "line 2"));
    assert_null (hb_json_parse (parser, "{\"a\":1,\"a\":2}", 13, err, sizeof err));
    //  the arena stops growing once it has seen the largest message
    char big [8192];
    int n = snprintf (big, sizeof big, "[");
    for (int k = 0; k < 500; k++)
        n += snprintf (big + n, sizeof big - (size_t) n, "%s{\"k\":%d}", k ? "," : "", k);
    snprintf (big + n, sizeof big - (size_t) n, "]");
    assert_non_null (hb_json_parse (parser, big, strlen (big), err, sizeof err));
    assert_non_null (hb_json_parse (parser, big, strlen (big), err, sizeof err));
    size_t size = hb_json_arena_size (parser);
    for (int k = 0; k < 20; k++)
        assert_non_null (hb_json_parse (parser, big, strlen (big), err, sizeof err));
    assert_int_equal (hb_json_arena_size (parser), size);
    //  beyond max_bytes: refused, not crashed
    hb_json_t *tiny = hb_json_new (1024, 4096);
    assert_null (hb_json_parse (tiny, big, strlen (big), err, sizeof err));
    hb_json_destroy (&tiny);
    //  heap trees still work beside the arena
    json_t *heap = json_pack ("{s:s}", "k", "v");
    assert_non_null (heap);
    json_decref (heap);
    hb_json_destroy (&parser);
    assert_null (parser);
    //  a request body: compact, NUL-terminated, refused when it does not fit
    char body [16];
    assert_int_equal (hb_json_dump (json_pack ("{s:[s]}", "ids", "a1"), body, sizeof body), 0);
    assert_string_equal (body, "{\"ids\":[\"a1\"]}");
    assert_int_equal (hb_json_dump (json_pack ("{s:s}", "k", "0123456789"), body, sizeof body), -1);
    assert_int_equal (hb_json_dump (NULL, body, sizeof body), -1);
}

//  ---------------------------------------------------------------------------
//  hb_ws and hb_rest against venue_server.py

typedef struct {
    int     msgs;
    int     opens;
    int     closes;
    char    last [256];
    char    all [2048];
    hb_ws_t *ws;
} s_ws_seen_t;

static void
s_on_msg (void *arg, const char *data, size_t len)
{
    s_ws_seen_t *seen = (s_ws_seen_t *) arg;
    seen->msgs++;
    assert_int_equal (strlen (data), len);
    snprintf (seen->last, sizeof seen->last, "%s", data);
    size_t n = strlen (seen->all);
    snprintf (seen->all + n, sizeof seen->all - n, "%s|", data);
}

static void
s_on_open (void *arg, const char *url)
{
    (void) url;
    s_ws_seen_t *seen = (s_ws_seen_t *) arg;
    seen->opens++;
    if (seen->opens == 2)
        assert_int_equal (hb_ws_send (seen->ws, "hello", 5), 0);
}

static void
s_on_close (void *arg, const char *reason)
{
    (void) reason;
    ((s_ws_seen_t *) arg)->closes++;
}

static bool
s_ws_done (void *arg)
{
    s_ws_seen_t *seen = (s_ws_seen_t *) arg;
    return strstr (seen->all, "echo:hello") != NULL;
}

static hb_config_t *
s_config (void)
{
    hb_config_t *config = (hb_config_t *) calloc (1, sizeof *config);
    config->n_venues = 1;
    snprintf (config->venues [0].name, HB_NAME_MAX, "v");
    return config;
}

//  A host on a config of one venue "v" and the ws:// URL of server.
static hb_testhost_t *
s_ws_host (hb_testserver_t *server, hb_config_t **config, char *url, size_t size)
{
    assert_non_null (server);
    *config = s_config ();
    snprintf (url, size, "ws://127.0.0.1:%d/ws", hb_testserver_ws_port (server));
    return hb_testhost_new (*config, "v");
}

static void
test_ws (void **state)
{
    (void) state;
    hb_testserver_t *server = hb_testserver_new (
        "{\"ws\": [[{\"send_raw\": \"one\"}, {\"send_fragments\": [\"tw\", \"o-\", \"parts\"]},"
        "           {\"send_raw\": \"three\"}, {\"drop\": true}],"
        "          [{\"recv\": 1}, {\"send_raw\": \"echo:hello\"}]]}", NULL, NULL);
    hb_config_t *config;
    char url [128];
    hb_testhost_t *host = s_ws_host (server, &config, url, sizeof url);
    s_ws_seen_t seen;
    memset (&seen, 0, sizeof seen);
    hb_ws_cfg_t cfg = { .name = "t", .url = url, .backoff_base_ms = 20, .backoff_max_ms = 50, .seed = 1,
                        .on_msg = s_on_msg, .on_open = s_on_open, .on_close = s_on_close, .arg = &seen };
    hb_ws_t *ws = hb_ws_new (hb_testhost_api (host), &cfg);
    assert_non_null (ws);
    seen.ws = ws;
    assert_int_equal (hb_ws_send (ws, "x", 1), -1);        //  not connected
    assert_int_equal (hb_ws_start (ws), 0);
    assert_int_equal (hb_testhost_run (host, 10000, s_ws_done, &seen), 0);
    //  whole messages, in order, the fragmented one reassembled
    assert_string_equal (seen.all, "one|two-parts|three|echo:hello|");
    assert_int_equal (seen.opens, 2);
    assert_int_equal (seen.closes, 1);
    hb_ws_stats_t stats;
    hb_ws_stats (ws, &stats);
    assert_int_equal (stats.connects, 2);
    assert_int_equal (stats.disconnects, 1);
    assert_int_equal (stats.msgs_in, 4);
    assert_int_equal (stats.msgs_out, 1);
    assert_int_equal (stats.send_refused, 1);
    hb_ws_destroy (&ws);
    assert_null (ws);
    assert_int_equal (hb_testhost_fds (host), 0);
    assert_int_equal (hb_testhost_timers (host), 0);
    //  a bad URL is refused
    cfg.url = "http://127.0.0.1/";
    assert_null (hb_ws_new (hb_testhost_api (host), &cfg));
    hb_testhost_destroy (&host);
    hb_config_destroy (&config);
    hb_testserver_destroy (&server);
}

static hb_testserver_t *s_ping_server;

static bool
s_pinged_twice (void *arg)
{
    (void) arg;
    return hb_testserver_logged (s_ping_server, "\"text\": \"ping\"") >= 2;
}

//  app_ping: the text goes out every app_ping_s while connected, and only
//  then; a text too long is refused at new.
static void
test_ws_app_ping (void **state)
{
    (void) state;
    s_ping_server = hb_testserver_new ("{\"ws\": [[{\"hold\": true}]]}", NULL, NULL);
    hb_config_t *config;
    char url [128];
    hb_testhost_t *host = s_ws_host (s_ping_server, &config, url, sizeof url);
    static s_ws_seen_t seen;        //  the server sends nothing; kept for s_on_msg
    hb_ws_cfg_t cfg = { .name = "t", .url = url, .app_ping = "ping", .app_ping_s = 1,
                        .on_msg = s_on_msg, .arg = &seen };
    hb_ws_t *ws = hb_ws_new (hb_testhost_api (host), &cfg);
    assert_non_null (ws);
    assert_int_equal (hb_testhost_timers (host), 1);
    assert_int_equal (hb_ws_start (ws), 0);
    assert_int_equal (hb_testhost_run (host, 20000, s_pinged_twice, NULL), 0);
    hb_ws_stats_t stats;
    hb_ws_stats (ws, &stats);
    assert_true (stats.msgs_out >= 2);
    hb_ws_destroy (&ws);
    assert_int_equal (hb_testhost_timers (host), 0);
    assert_int_equal (hb_testhost_fds (host), 0);
    char long_ping [80];
    memset (long_ping, 'p', sizeof long_ping - 1);
    long_ping [sizeof long_ping - 1] = 0;
    cfg.app_ping = long_ping;
    assert_null (hb_ws_new (hb_testhost_api (host), &cfg));
    hb_testhost_destroy (&host);
    hb_config_destroy (&config);
    hb_testserver_destroy (&s_ping_server);
}

typedef struct {
    int  *done;
    long  status;
    char  body [128];
    char  error [128];
} s_rest_seen_t;

static void
s_on_done (void *arg, const hb_rest_resp_t *resp)
{
    s_rest_seen_t *seen = (s_rest_seen_t *) arg;
    seen->status = resp->status;
    snprintf (seen->body, sizeof seen->body, "%s", resp->body);
    if (resp->error)
        snprintf (seen->error, sizeof seen->error, "%s", resp->error);
    (*seen->done)++;
}

static bool
s_rest_done (void *arg)
{
    return *(int *) arg == 4;
}

static void
test_rest (void **state)
{
    (void) state;
    hb_testserver_t *server = hb_testserver_new ("{\"http\": {\"GET /a\": {\"status\": 200, \"body\": {\"x\": 1}},"
                             "           \"POST /b\": {\"status\": 201, \"body\": \"made\"}}}", NULL, NULL);
    assert_non_null (server);
    hb_config_t *config = s_config ();
    hb_testhost_t *host = hb_testhost_new (config, "v");
    hb_rest_cfg_t cfg = { .name = "t", .max_inflight = 4, .timeout_ms = 5000 };
    hb_rest_t *rest = hb_rest_new (hb_testhost_api (host), &cfg);
    assert_non_null (rest);
    int done = 0;
    s_rest_seen_t seen [4];
    memset (seen, 0, sizeof seen);
    for (int i = 0; i < 4; i++)
        seen [i].done = &done;
    char url [128];
    const char *headers [] = { "X-Test: 1", NULL };
    snprintf (url, sizeof url, "http://127.0.0.1:%d/a?q=1", hb_testserver_http_port (server));
    assert_int_equal (hb_rest_request (rest, "GET", url, headers, NULL, s_on_done, &seen [0]), 0);
    snprintf (url, sizeof url, "http://127.0.0.1:%d/b", hb_testserver_http_port (server));
    assert_int_equal (hb_rest_request (rest, "POST", url, NULL, "k=v", s_on_done, &seen [1]), 0);
    snprintf (url, sizeof url, "http://127.0.0.1:%d/nothing", hb_testserver_http_port (server));
    assert_int_equal (hb_rest_request (rest, "DELETE", url, NULL, NULL, s_on_done, &seen [2]), 0);
    //  port 1 on loopback: nothing listens
    assert_int_equal (hb_rest_request (rest, "GET", "http://127.0.0.1:1/", NULL, NULL, s_on_done, &seen [3]), 0);
    assert_int_equal (done, 0);                         //  never from inside the call
    assert_int_equal (hb_rest_inflight (rest), 4);
    //  a fifth is refused (max_inflight), so is a bad method or URL
    assert_int_equal (hb_rest_request (rest, "GET", url, NULL, NULL, s_on_done, &seen [3]), -1);
    assert_int_equal (hb_testhost_run (host, 10000, s_rest_done, &done), 0);
    assert_int_equal (hb_rest_request (rest, "PATCH", url, NULL, NULL, s_on_done, &seen [3]), -1);
    assert_int_equal (hb_rest_request (rest, "GET", "ftp://x/", NULL, NULL, s_on_done, &seen [3]), -1);
    assert_int_equal (seen [0].status, 200);
    assert_string_equal (seen [0].body, "{\"x\": 1}");
    assert_int_equal (seen [1].status, 201);
    assert_string_equal (seen [1].body, "made");
    assert_int_equal (seen [2].status, 404);
    assert_int_equal (seen [3].status, 0);
    assert_true (strlen (seen [3].error) > 0);
    hb_rest_stats_t stats;
    hb_rest_stats (rest, &stats);
    assert_int_equal (stats.requests, 4);
    assert_int_equal (stats.refused, 3);
    assert_int_equal (stats.completed, 3);
    assert_int_equal (stats.failed, 1);
    assert_int_equal (stats.http_errors, 1);
    hb_rest_destroy (&rest);
    assert_null (rest);
    assert_int_equal (hb_testhost_fds (host), 0);
    assert_int_equal (hb_testhost_timers (host), 0);
    hb_testhost_destroy (&host);
    hb_config_destroy (&config);
    hb_testserver_destroy (&server);
}

static void
test_vorder (void **state)
{
    (void) state;
    hb_instrument_cfg_t inst;
    memset (&inst, 0, sizeof inst);
    inst.min_qty = 0.01;
    inst.lot_size = 0.001;
    inst.tick_size = 0.5;
    hb_order_t order;
    memset (&order, 0, sizeof order);
    snprintf (order.symbol, sizeof order.symbol, "BTC-USD");
    snprintf (order.client_id, sizeof order.client_id, "h-1");
    order.side = HB_SIDE_BUY;
    order.ord_type = HB_ORD_LIMIT;
    order.qty = 0.5;
    order.px = 60000;
    const char *why = NULL;
    assert_int_equal (hb_vorder_check (&inst, &order, &why), HB_REJ_NONE);
    assert_null (why);
    order.qty = 0.0105;
    assert_int_equal (hb_vorder_check (&inst, &order, &why), HB_REJ_OFF_LOT);
    assert_string_equal (why, "not a multiple of the lot size");
    order.qty = 0.005;
    assert_int_equal (hb_vorder_check (&inst, &order, &why), HB_REJ_BELOW_MIN_SIZE);
    order.qty = 0.5;
    order.px = 0;
    assert_int_equal (hb_vorder_check (&inst, &order, &why), HB_REJ_BAD_PRICE);
    order.side = 9;
    assert_int_equal (hb_vorder_check (&inst, &order, &why), HB_REJ_BAD_ORDER);
    assert_true (hb_vorder_on_grid (0.3, 0.1));
    assert_false (hb_vorder_on_grid (0.35, 0.1));
    char text [32];
    hb_vorder_decimal (0.01, 0.00000001, text, sizeof text);
    assert_string_equal (text, "0.01");
    hb_vorder_decimal (60000, 0.5, text, sizeof text);
    assert_string_equal (text, "60000");
    hb_vorder_decimal (60000.5, 0.5, text, sizeof text);
    assert_string_equal (text, "60000.5");

    order.side = HB_SIDE_SELL;
    hb_msg_t msg;
    hb_vorder_ack (&msg, "cbx", &order, "v-9", HB_ACK_ACCEPTED, HB_REJ_NONE, NULL, 0.2);
    assert_int_equal (msg.env.type, HB_MSG_ACK);
    assert_string_equal (msg.u.ack.venue, "cbx");
    assert_string_equal (msg.u.ack.client_id, "h-1");
    assert_string_equal (msg.u.ack.order_id, "v-9");
    assert_string_equal (msg.u.ack.text, "");
    assert_true (fabs (msg.u.ack.leaves_qty - 0.3) < 1e-12 && msg.u.ack.filled_qty == 0.2);
    hb_vorder_ack (&msg, "cbx", &order, NULL, HB_ACK_REJECTED, HB_REJ_VENUE, "no", 0);
    assert_int_equal (msg.u.ack.reason, HB_REJ_VENUE);
    assert_string_equal (msg.u.ack.text, "no");
    assert_true (msg.u.ack.leaves_qty == 0);
}

//  hb_vhost: what a publisher emits reaches the host; the status is set
//  and told once per call, in the venue's words
static void
test_vhost (void **state)
{
    (void) state;
    hb_config_t *config = s_config ();
    hb_testhost_t *host = hb_testhost_new (config, "v");
    hb_vhost_t vhost;
    hb_vhost_init (&vhost, hb_testhost_api (host), "stale: waiting", "whole: all in");
    hb_msg_t msg;
    memset (&msg, 0, sizeof msg);
    msg.env.type = HB_MSG_TRADE;
    strcpy (msg.u.trade.venue, "v");
    strcpy (msg.u.trade.symbol, "X");
    strcpy (msg.u.trade.trade_id, "t1");
    msg.u.trade.side = HB_SIDE_BUY;
    msg.u.trade.px = 100;
    msg.u.trade.qty = 1;
    assert_int_equal (hb_vhost_emit (&vhost, &msg), 0);
    assert_int_equal (hb_testhost_count_type (host, HB_MSG_TRADE), 1);
    hb_vhost_status (&vhost, HB_TICK_STALE);
    assert_int_equal (hb_testhost_status (host), HB_TICK_STALE);
    assert_int_equal (hb_testhost_logs (host, HB_LOG_WARN, "books stale: waiting"), 1);
    hb_vhost_status (&vhost, 0);
    assert_int_equal (hb_testhost_status (host), 0);
    assert_int_equal (hb_testhost_logs (host, HB_LOG_INFO, "books whole: all in"), 1);
    hb_testhost_destroy (&host);
    hb_config_destroy (&config);
}

static void
test_refusal (void **state)
{
    (void) state;
    uint64_t count = 0;
    int logged = 0;
    for (int i = 0; i < 2500; i++)
        logged += hb_refusal_due (&count);
    //  1..10, 1000, 2000
    assert_int_equal (logged, 12);
    assert_int_equal (count, 2500);
    //  the same through a host's log
    hb_config_t *config = s_config ();
    hb_testhost_t *host = hb_testhost_new (config, "v");
    count = 0;
    for (int i = 0; i < 1500; i++)
        hb_refusal_log (hb_testhost_api (host), &count, "frame", "bad");
    assert_int_equal (count, 1500);
    assert_int_equal (hb_testhost_logs (host, HB_LOG_WARN, "frame refused ("), 11);
    assert_int_equal (hb_testhost_logs (host, HB_LOG_WARN, "frame refused (1000 so far): bad"), 1);
    hb_testhost_destroy (&host);
    hb_config_destroy (&config);
}

static void
test_vbench (void **state)
{
    (void) state;
    hb_vbench_t *bench = hb_vbench_new (2);
    assert_non_null (bench);
    assert_int_equal (hb_vbench_add (bench, strdup ("{\"a\":1}")), 0);
    assert_int_equal (hb_vbench_add (bench, strdup ("[1,2,3]")), 0);
    assert_int_equal (hb_vbench_add (bench, strdup ("[]")), -1);
    assert_int_equal (hb_vbench_count (bench), 2);
    assert_int_equal (hb_vbench_mean_bytes (bench), 7);
    size_t len;
    assert_string_equal (hb_vbench_msg (bench, 1, &len), "[1,2,3]");
    assert_int_equal (len, 7);
    assert_true (hb_vbench_bare (bench) > 0);
    assert_true (hb_vbench_parse (bench) > 0);
    hb_vbench_destroy (&bench);
    assert_null (bench);
    bench = hb_vbench_new (1);
    assert_int_equal (hb_vbench_add (bench, strdup ("not json")), 0);
    assert_true (hb_vbench_parse (bench) < 0);
    hb_vbench_destroy (&bench);
    double v [] = { 5, 1, 4, 2, 3 };
    assert_true (hb_vbench_median (v, 5) == 3);
    //  the emit sink of a bench encodes what the host would publish,
    //  numbered; a message the host would refuse fails
    static hb_buf_t buf;
    static hb_msg_t msg, back;
    memset (&msg, 0, sizeof msg);
    msg.env.type = HB_MSG_TICK;
    snprintf (msg.u.tick.venue, sizeof msg.u.tick.venue, "cb");
    snprintf (msg.u.tick.symbol, sizeof msg.u.tick.symbol, "BTC-USD");
    assert_int_equal (hb_vbench_encode (&buf, &msg), 0);
    assert_int_equal (hb_msg_decode (&back, buf.data, buf.size, NULL), 0);
    uint64_t first = back.env.seq;
    assert_int_equal (hb_vbench_encode (&buf, &msg), 0);
    assert_int_equal (hb_msg_decode (&back, buf.data, buf.size, NULL), 0);
    assert_int_equal (back.env.seq, first + 1);
    assert_string_equal (back.u.tick.symbol, "BTC-USD");
    msg.env.type = 250;
    assert_int_equal (hb_vbench_encode (&buf, &msg), -1);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_lbook),
        cmocka_unit_test (test_sign),
        cmocka_unit_test (test_backoff),
        cmocka_unit_test (test_ratelimit),
        cmocka_unit_test (test_secret),
        cmocka_unit_test (test_json),
        cmocka_unit_test (test_ws),
        cmocka_unit_test (test_rest),
        cmocka_unit_test (test_vorder),
        cmocka_unit_test (test_refusal),
        cmocka_unit_test (test_vhost),
        cmocka_unit_test (test_vbench),
        cmocka_unit_test (test_ws_app_ping),
    };
    return cmocka_run_group_tests_name ("hb_venue_lib", tests, NULL, NULL);
}
