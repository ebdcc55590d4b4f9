/*  binance plugin against a local Binance (tests/venues/binance_session.py,
    WebSocket + REST on loopback), hosted by hb_testhost (a real zloop
    reactor, as in hb-feed). The session is described in the driver; here:

    - after the session the published book equals the book the driver
      computed from the same messages (top 10 levels, prices and sizes);
    - the sequence gap was detected, forced a resnapshot, and the venue was
      stale meanwhile (set_status and a tick flagged HB_TICK_STALE);
    - the disconnect in the middle of the burst was followed by a
      reconnect and a new snapshot;
    - malformed JSON, an unknown event type, an unknown symbol were
      counted and did not stop anything; the trade was normalized;
    - an order is filled (signed request verified by the server), an order
      refused by the venue is rejected with the mapped reason, a cancel of
      an unknown order is rejected; the server saw no bad signature;
    - the user data stream: the order's stream reports do not publish its
      fills or final ack again; a GTC order resting after its REST answer
      gets its fills (commission, maker flag) and done from the stream;
      listenKeyExpired brings a new key and a reconnect on it; the
      keepalive reaches the server;
    - destroy leaves no fd and no timer behind;
    - USDⓈ-M (the driver's --market usdm; a bus contract is 0.001 BTC):
      the book bridged by pu, and an order the REST answer (RESULT: FILLED,
      no trades) and then ORDER_TRADE_UPDATE events report (NEW, a partial
      TRADE as maker with commission in USDT, the FILLED TRADE as taker
      with commission in BNB, that last event again): each trade published
      once in bus units with its fee and maker flag, one final ack.      */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "binance.h"
#include "hb_log.h"
#include "hb_testhost.h"
#include "hb_testvenue.h"

extern const hb_venue_ops_t hb_venue_plugin;

#define S_KEY       "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A"
#define S_SECRET    "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"

typedef struct {
    char           dir [64];
    pid_t          server;
    int            ws_port, http_port;
    hb_config_t   *config;
    hb_testhost_t *host;
    void          *plugin;
    json_t        *expected;
    double         qty_scale;       //  bus units per venue unit in the book
} s_env_t;

static s_env_t s_env;

static void
s_param (hb_venue_cfg_t *v, const char *key, const char *value)
{
    hb_param_t *p = &v->params [v->n_params++];
    snprintf (p->key, sizeof p->key, "%s", key);
    snprintf (p->value, sizeof p->value, "%s", value);
}

static hb_config_t *
s_config (const char *dir, int ws_port, int http_port, const char *market)
{
    bool spot = strcmp (market, "spot") == 0;
    hb_config_t *config = (hb_config_t *) calloc (1, sizeof *config);
    config->n_assets = 1;
    snprintf (config->assets [0].name, HB_NAME_MAX, "BTC");
    config->assets [0].price = 100;
    config->n_venues = 1;
    hb_venue_cfg_t *v = &config->venues [0];
    snprintf (v->name, HB_NAME_MAX, "bnc");
    snprintf (v->plugin, HB_NAME_MAX, "binance");
    v->fee_taker = 0.001;
    v->enabled = true;
    v->cpu = -1;
    hb_instrument_cfg_t *ins = hb_venue_cfg_add_instrument (v);
    snprintf (ins->symbol, HB_NAME_MAX, spot ? "BTC-USD" : "BTC-PERP");
    ins->asset = 0;
    ins->kind = spot ? HB_KIND_SPOT : HB_KIND_LINEAR_PERP;
    ins->multiplier = spot ? 1 : 0.001;     //  usdm: a bus contract is 0.001 BTC
    ins->tick_size = 0.01;
    ins->lot_size = spot ? 0.0001 : 1;
    ins->min_qty = spot ? 0.0001 : 1;
    char text [HB_PATH_MAX];
    snprintf (text, sizeof text, "ws://127.0.0.1:%d", ws_port);
    s_param (v, "ws_url", text);
    snprintf (text, sizeof text, "http://127.0.0.1:%d", http_port);
    s_param (v, "rest_url", text);
    s_param (v, "market", market);
    v->discover.present = true;     //  exchangeInfo is asked (the test host lists all)
    s_param (v, "backoff_base_ms", "50");
    s_param (v, "backoff_max_ms", "200");
    s_param (v, "listen_keepalive_s", "1");
    s_param (v, "api_key_env", "HB_TEST_BINANCE_KEY");
    snprintf (text, sizeof text, "%s/secret", dir);
    s_param (v, "api_secret_file", text);
    return config;
}

static int
s_setup_market (const char *market)
{
    memset (&s_env, 0, sizeof s_env);
    s_env.qty_scale = strcmp (market, "spot") == 0 ? 1 : 1000;
    snprintf (s_env.dir, sizeof s_env.dir, "/tmp/hb-binance.XXXXXX");
    assert_non_null (mkdtemp (s_env.dir));
    char path [256], ports [256], log [256], expected [256];
    snprintf (path, sizeof path, "%s/secret", s_env.dir);
    int fd = open (path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true (fd >= 0);
    assert_int_equal (write (fd, S_SECRET "\n", strlen (S_SECRET) + 1), (ssize_t) strlen (S_SECRET) + 1);
    close (fd);
    setenv ("HB_TEST_BINANCE_KEY", S_KEY, 1);
    snprintf (ports, sizeof ports, "%s/ports", s_env.dir);
    snprintf (log, sizeof log, "%s/server.log", s_env.dir);
    snprintf (expected, sizeof expected, "%s/expected.json", s_env.dir);
    s_env.server = fork ();
    assert_true (s_env.server >= 0);
    if (s_env.server == 0) {
        int null = open ("/dev/null", O_WRONLY);
        dup2 (null, 1);
        execl ("/usr/bin/python3", "python3", "tests/venues/binance_session.py",
               "--port-file", ports, "--log", log, "--expected", expected,
               "--key", S_KEY, "--secret", S_SECRET, "--timeout", "60", "--market", market,
               (char *) NULL);
        _exit (127);
    }
    //  The driver writes the port file once both servers listen
    FILE *f = NULL;
    for (int i = 0; i < 200 && !f; i++) {
        f = fopen (ports, "r");
        if (!f)
            usleep (50 * 1000);
    }
    assert_non_null (f);
    assert_int_equal (fscanf (f, "ws_port %d\nhttp_port %d\n", &s_env.ws_port, &s_env.http_port), 2);
    fclose (f);
    json_error_t error;
    s_env.expected = json_load_file (expected, 0, &error);
    assert_non_null (s_env.expected);
    s_env.config = s_config (s_env.dir, s_env.ws_port, s_env.http_port, market);
    s_env.host = hb_testhost_new (s_env.config, "bnc");
    assert_non_null (s_env.host);
    return 0;
}

static int
s_setup (void **state)
{
    (void) state;
    return s_setup_market ("spot");
}

static int
s_setup_usdm (void **state)
{
    (void) state;
    return s_setup_market ("usdm");
}

static int
s_teardown (void **state)
{
    (void) state;
    if (s_env.plugin)
        hb_venue_plugin.destroy (&s_env.plugin);
    hb_testhost_destroy (&s_env.host);
    if (s_env.server > 0) {
        kill (s_env.server, SIGTERM);
        waitpid (s_env.server, NULL, 0);
    }
    json_decref (s_env.expected);
    hb_config_destroy (&s_env.config);
    char cmd [128];
    snprintf (cmd, sizeof cmd, "rm -rf %s", s_env.dir);
    if (system (cmd) != 0)
        fprintf (stderr, "could not remove %s\n", s_env.dir);
    return 0;
}

//  The published book equals the driver's, level by level
static bool
s_book_matches (const hb_tick_t *tick, bool verbose)
{
    const char *sides [2] = { "bids", "asks" };
    for (int s = 0; s < 2; s++) {
        json_t *levels = json_object_get (s_env.expected, sides [s]);
        size_t n = json_array_size (levels);
        int have = s == 0 ? tick->n_bids : tick->n_asks;
        const hb_level_t *got = s == 0 ? tick->bids : tick->asks;
        if ((size_t) have != n) {
            if (verbose)
                print_message ("%s: %d levels, expected %zu\n", sides [s], have, n);
            return false;
        }
        for (size_t i = 0; i < n; i++) {
            double px = json_number_value (json_array_get (json_array_get (levels, i), 0));
            double qty = json_number_value (json_array_get (json_array_get (levels, i), 1)) * s_env.qty_scale;
            if (fabs (got [i].px - px) > 1e-9 || fabs (got [i].qty - qty) > 1e-9 * s_env.qty_scale) {
                if (verbose)
                    print_message ("%s[%zu]: %g x %g, expected %g x %g\n", sides [s], i,
                                   got [i].px, got [i].qty, px, qty);
                return false;
            }
        }
    }
    return (tick->flags & HB_TICK_STALE) == 0;
}

static bool
s_final_book (void *arg)
{
    (void) arg;
    const hb_msg_t *msg = hb_testhost_last (s_env.host, HB_MSG_TICK, "BTC-USD");
    binance_t *self = (binance_t *) s_env.plugin;
    return msg && self->inst [0].last_u == 230 && s_book_matches (&msg->u.tick, false);
}

static size_t
s_server_log (const char *event)
{
    char path [256], line [4096], needle [64];
    snprintf (path, sizeof path, "%s/server.log", s_env.dir);
    snprintf (needle, sizeof needle, "\"event\": \"%s\"", event);
    FILE *f = fopen (path, "r");
    size_t n = 0;
    while (f && fgets (line, sizeof line, f))
        n += strstr (line, needle) != NULL;
    if (f)
        fclose (f);
    return n;
}

//  Lines of the server log of event that also hold needle
static size_t
s_server_log_has (const char *event, const char *needle)
{
    char path [256], line [4096], ev [64];
    snprintf (path, sizeof path, "%s/server.log", s_env.dir);
    snprintf (ev, sizeof ev, "\"event\": \"%s\"", event);
    FILE *f = fopen (path, "r");
    size_t n = 0;
    while (f && fgets (line, sizeof line, f))
        n += strstr (line, ev) != NULL && strstr (line, needle) != NULL;
    if (f)
        fclose (f);
    return n;
}

//  Acks (of status, 0: any) or fills published for client_id
static size_t
s_count_for (int type, const char *client_id, int status)
{
    size_t n = 0;
    for (size_t i = 0; i < hb_testhost_count (s_env.host); i++) {
        const hb_msg_t *m = hb_testhost_msg (s_env.host, i);
        if (m->env.type != type)
            continue;
        const char *cid = type == HB_MSG_ACK ? m->u.ack.client_id : m->u.fill.client_id;
        n += strcmp (cid, client_id) == 0 && (type != HB_MSG_ACK || !status || m->u.ack.status == status);
    }
    return n;
}

//  The first two fills published for client_id into out, and how many
//  there were in all
static size_t
s_fills (const char *client_id, const hb_msg_t *out [2])
{
    size_t n = 0;
    for (size_t i = 0; i < hb_testhost_count (s_env.host); i++) {
        const hb_msg_t *m = hb_testhost_msg (s_env.host, i);
        if (m->env.type == HB_MSG_FILL && strcmp (m->u.fill.client_id, client_id) == 0) {
            if (n < 2)
                out [n] = m;
            n++;
        }
    }
    return n;
}

static bool
s_user_events (void *arg)
{
    return ((binance_t *) s_env.plugin)->stats.user_events >= *(uint64_t *) arg;
}

static bool
s_rest_done (void *arg)
{
    (void) arg;
    return s_count_for (HB_MSG_ACK, "rest-1", HB_ACK_DONE) >= 1;
}

static bool
s_new_key (void *arg)
{
    (void) arg;
    binance_t *self = (binance_t *) s_env.plugin;
    return s_server_log_has ("user_connect", "\"lk-2\"") >= 1 && hb_ws_connected (self->user_ws)
        && self->stats.keepalives >= 1;
}

static bool
s_keepalive (void *arg)
{
    (void) arg;
    return s_server_log_has ("keepalive", "\"ok\": true") >= 1;
}

static size_t s_want_acks;

static bool
s_acks (void *arg)
{
    (void) arg;
    return hb_testhost_count_type (s_env.host, HB_MSG_ACK) >= s_want_acks;
}

//  Discovery: the instruments listed equal the driver's exchangeInfo as
//  it says they must read in hb units (expected.json, instruments): every
//  symbol TRADING of a known contract type, nothing else
static bool
s_listed (void *arg)
{
    return hb_testhost_count_type (s_env.host, HB_MSG_INSTRUMENT) >= (size_t) (uintptr_t) arg;
}

static void
s_check_instruments (void)
{
    json_t *want = json_object_get (s_env.expected, "instruments");
    size_t n = json_array_size (want);
    assert_true (n >= 2);
    assert_int_equal (hb_testhost_run (s_env.host, 10000, s_listed, (void *) (uintptr_t) n), 0);
    assert_int_equal (hb_testhost_count_type (s_env.host, HB_MSG_INSTRUMENT), n);
    for (size_t i = 0; i < n; i++) {
        json_t *w = json_array_get (want, i);
        const char *symbol = json_string_value (json_object_get (w, "symbol"));
        const hb_msg_t *msg = hb_testhost_last (s_env.host, HB_MSG_INSTRUMENT, symbol);
        if (!msg)
            fail_msg ("%s not listed", symbol);
        const hb_instrument_t *got = &msg->u.instrument;
        assert_string_equal (got->venue, "bnc");
        assert_string_equal (got->asset, json_string_value (json_object_get (w, "asset")));
        assert_string_equal (got->settle, json_string_value (json_object_get (w, "settle")));
        assert_int_equal (got->kind, json_integer_value (json_object_get (w, "kind")));
        assert_int_equal (got->flags, 0);
        assert_int_equal (got->expiry_ns, json_integer_value (json_object_get (w, "expiry_ns")));
        const char *fields [] = { "multiplier", "tick_size", "lot_size", "min_qty" };
        double values [] = { got->multiplier, got->tick_size, got->lot_size, got->min_qty };
        for (int f = 0; f < 4; f++)
            if (fabs (values [f] - json_number_value (json_object_get (w, fields [f]))) > 1e-12)
                fail_msg ("%s: %s %g", symbol, fields [f], values [f]);
        assert_null (hb_instrument_check (got));
    }
}

static void
test_session (void **state)
{
    (void) state;
    const hb_host_api_t *api = hb_testhost_api (s_env.host);
    s_env.plugin = hb_venue_plugin.create (api);
    assert_non_null (s_env.plugin);
    binance_t *self = (binance_t *) s_env.plugin;
    assert_int_equal (hb_venue_plugin.start (s_env.plugin), 0);

    int rc = hb_testhost_run (s_env.host, 20000, s_final_book, NULL);
    const hb_msg_t *last = hb_testhost_last (s_env.host, HB_MSG_TICK, "BTC-USD");
    if (rc) {
        print_message ("last_u %lld, gaps %llu, snapshots %llu\n", (long long) self->inst [0].last_u,
                       (unsigned long long) self->stats.gaps, (unsigned long long) self->stats.snapshots);
        if (last)
            s_book_matches (&last->u.tick, true);
    }
    assert_int_equal (rc, 0);

    //  Book equal to the driver's (checked in s_final_book), not stale
    assert_non_null (last);
    assert_true (s_book_matches (&last->u.tick, true));
    assert_int_equal (hb_testhost_status (s_env.host), 0);
    s_check_instruments ();

    //  The gap: counted, resnapshot, stale meanwhile (status and a tick)
    assert_true (self->stats.gaps >= 1);
    assert_true (self->stats.snapshots >= 3);
    assert_true (hb_testhost_status_count (s_env.host, HB_TICK_STALE) >= 2);
    size_t stale_ticks = 0;
    for (size_t i = 0; i < hb_testhost_count (s_env.host); i++) {
        const hb_msg_t *m = hb_testhost_msg (s_env.host, i);
        if (m->env.type == HB_MSG_TICK && (m->u.tick.flags & HB_TICK_STALE))
            stale_ticks++;
    }
    assert_true (stale_ticks >= 2);     //  the gap, the disconnect
    assert_true (s_server_log ("http") >= 3);

    //  The disconnect mid-burst and the reconnect
    hb_ws_stats_t ws;
    hb_ws_stats (self->ws, &ws);
    assert_int_equal (ws.connects, 2);
    assert_int_equal (ws.disconnects, 1);
    assert_true (hb_ws_connected (self->ws));

    //  Bad input counted, nothing stopped
    assert_true (self->stats.malformed >= 1);
    assert_true (self->stats.unknown >= 1);
    assert_true (self->stats.unknown_symbol >= 1);
    assert_true (self->stats.control >= 1);

    //  The trade, normalized: m = true means the seller took
    const hb_msg_t *trade = hb_testhost_last (s_env.host, HB_MSG_TRADE, "BTC-USD");
    assert_non_null (trade);
    assert_string_equal (trade->u.trade.trade_id, "4242");
    assert_int_equal (trade->u.trade.side, HB_SIDE_SELL);
    assert_true (fabs (trade->u.trade.px - 100.2) < 1e-9);
    assert_true (fabs (trade->u.trade.qty - 0.3) < 1e-9);
    assert_int_equal (trade->env.ts_venue, INT64_C (1700000000000) * 1000000);

    //  An order filled: accepted, two fills, done
    hb_order_t order = { .side = HB_SIDE_BUY, .ord_type = HB_ORD_MARKET, .tif = HB_TIF_IOC, .qty = 0.5 };
    snprintf (order.venue, HB_NAME_MAX, "bnc");
    snprintf (order.symbol, HB_NAME_MAX, "BTC-USD");
    snprintf (order.client_id, HB_ID_MAX, "ok-1");
    size_t acks0 = hb_testhost_count_type (s_env.host, HB_MSG_ACK);
    size_t fills0 = hb_testhost_count_type (s_env.host, HB_MSG_FILL);
    assert_int_equal (hb_venue_plugin.order (s_env.plugin, &order), 0);
    s_want_acks = acks0 + 2;
    assert_int_equal (hb_testhost_run (s_env.host, 10000, s_acks, NULL), 0);
    const hb_msg_t *ack = hb_testhost_last (s_env.host, HB_MSG_ACK, NULL);
    assert_int_equal (ack->u.ack.status, HB_ACK_DONE);
    assert_string_equal (ack->u.ack.order_id, "555");
    assert_true (fabs (ack->u.ack.filled_qty - 0.5) < 1e-9);
    assert_int_equal (hb_testhost_count_type (s_env.host, HB_MSG_FILL), fills0 + 2);
    const hb_msg_t *fill = hb_testhost_last (s_env.host, HB_MSG_FILL, NULL);
    assert_string_equal (fill->u.fill.fill_id, "BTCUSDT-t778");
    assert_true (fabs (fill->u.fill.px - 101.5) < 1e-9);
    assert_true (fabs (fill->u.fill.qty - 0.25) < 1e-9);
    //  commission 0.00001 BTC at 101.5 USD
    assert_true (fabs (fill->u.fill.fee - 0.00001 * 101.5) < 1e-12);
    assert_string_equal (fill->u.fill.fee_asset, "USD");

    //  The user stream reports the same order (NEW, two TRADEs with the
    //  answer's trade ids): nothing published twice
    binance_t *bself = (binance_t *) s_env.plugin;
    uint64_t want = bself->stats.user_events + 3;
    assert_int_equal (hb_testhost_run (s_env.host, 10000, s_user_events, &want), 0);
    assert_int_equal (hb_testhost_count_type (s_env.host, HB_MSG_FILL), fills0 + 2);
    assert_int_equal (s_count_for (HB_MSG_FILL, "ok-1", 0), 2);
    assert_int_equal (s_count_for (HB_MSG_ACK, "ok-1", HB_ACK_DONE), 1);
    assert_int_equal (s_count_for (HB_MSG_ACK, "ok-1", HB_ACK_ACCEPTED), 1);
    assert_true (bself->stats.duplicate_fills >= 2);
    assert_true (bself->stats.listen_keys >= 1);

    //  A GTC order that rests: accepted over REST, its fills later on the
    //  stream only, with the venue's commission and maker flag
    hb_order_t gtc = { .side = HB_SIDE_BUY, .ord_type = HB_ORD_LIMIT, .tif = HB_TIF_GTC, .qty = 0.5,
                       .px = 101 };
    snprintf (gtc.venue, HB_NAME_MAX, "bnc");
    snprintf (gtc.symbol, HB_NAME_MAX, "BTC-USD");
    snprintf (gtc.client_id, HB_ID_MAX, "rest-1");
    assert_int_equal (hb_venue_plugin.order (s_env.plugin, &gtc), 0);
    assert_int_equal (hb_testhost_run (s_env.host, 10000, s_rest_done, NULL), 0);
    assert_int_equal (s_count_for (HB_MSG_FILL, "rest-1", 0), 2);
    assert_int_equal (s_count_for (HB_MSG_ACK, "rest-1", HB_ACK_ACCEPTED), 2);    //  new, partial
    assert_int_equal (s_count_for (HB_MSG_ACK, "rest-1", 0), 3);
    const hb_msg_t *fills [2];
    assert_int_equal (s_fills ("rest-1", fills), 2);
    const hb_msg_t *f1 = fills [0], *f2 = fills [1];
    assert_string_equal (f1->u.fill.fill_id, "BTCUSDT-t901");
    assert_int_equal (f1->u.fill.liquidity, 1);
    assert_true (fabs (f1->u.fill.px - 101.0) < 1e-9 && fabs (f1->u.fill.qty - 0.25) < 1e-9);
    assert_true (fabs (f1->u.fill.fee - 0.05) < 1e-12);
    assert_string_equal (f1->u.fill.fee_asset, "USD");
    assert_string_equal (f1->u.fill.order_id, "556");
    assert_string_equal (f2->u.fill.fill_id, "BTCUSDT-t902");
    assert_int_equal (f2->u.fill.liquidity, 2);
    assert_true (fabs (f2->u.fill.px - 100.5) < 1e-9);
    assert_true (fabs (f2->u.fill.fee - 0.0001) < 1e-12);
    assert_string_equal (f2->u.fill.fee_asset, "BNB");
    ack = hb_testhost_last (s_env.host, HB_MSG_ACK, NULL);
    assert_int_equal (ack->u.ack.status, HB_ACK_DONE);
    assert_true (fabs (ack->u.ack.filled_qty - 0.5) < 1e-9);

    //  listenKeyExpired: a new key, the stream reconnected on it; the
    //  keepalive (every second here) reached the server
    assert_int_equal (hb_testhost_run (s_env.host, 10000, s_new_key, NULL), 0);
    assert_true (s_server_log_has ("listen_key", "\"lk-2\"") >= 1);
    assert_true (s_server_log_has ("keepalive", "\"ok\": true") >= 1);
    assert_int_equal (s_server_log ("listen_bad_key"), 0);
    assert_int_equal (s_server_log ("user_refused"), 0);

    //  An order the venue refuses
    snprintf (order.client_id, HB_ID_MAX, "rej-1");
    acks0 = hb_testhost_count_type (s_env.host, HB_MSG_ACK);
    assert_int_equal (hb_venue_plugin.order (s_env.plugin, &order), 0);
    s_want_acks = acks0 + 1;
    assert_int_equal (hb_testhost_run (s_env.host, 10000, s_acks, NULL), 0);
    ack = hb_testhost_last (s_env.host, HB_MSG_ACK, NULL);
    assert_int_equal (ack->u.ack.status, HB_ACK_REJECTED);
    assert_int_equal (ack->u.ack.reason, HB_REJ_INSUFFICIENT_COLLATERAL);
    assert_non_null (strstr (ack->u.ack.text, "-2010"));

    //  A cancel of an order the venue does not know
    hb_cancel_t cancel = { .venue = "bnc", .symbol = "BTC-USD", .client_id = "nope-1" };
    acks0 = hb_testhost_count_type (s_env.host, HB_MSG_ACK);
    assert_int_equal (hb_venue_plugin.cancel (s_env.plugin, &cancel), 0);
    s_want_acks = acks0 + 1;
    assert_int_equal (hb_testhost_run (s_env.host, 10000, s_acks, NULL), 0);
    ack = hb_testhost_last (s_env.host, HB_MSG_ACK, NULL);
    assert_int_equal (ack->u.ack.status, HB_ACK_REJECTED);
    assert_int_equal (ack->u.ack.reason, HB_REJ_UNKNOWN_ORDER);

    //  Refused locally, without a request: off-lot size
    order.qty = 0.00015;
    snprintf (order.client_id, HB_ID_MAX, "lot-1");
    assert_int_equal (hb_venue_plugin.order (s_env.plugin, &order), 0);
    ack = hb_testhost_last (s_env.host, HB_MSG_ACK, NULL);
    assert_int_equal (ack->u.ack.reason, HB_REJ_OFF_LOT);

    //  Our orders' fills carry no flag; a trade nobody here sent (someone
    //  on Binance's web UI, a liquidation's "autoclose-") goes out marked
    //  external, without acks (they would answer nothing we sent)
    assert_int_equal (s_fills ("rest-1", fills), 2);
    assert_int_equal (fills [0]->u.fill.flags, 0);
    const char *manual = "{\"e\":\"executionReport\",\"E\":1,\"s\":\"BTCUSDT\",\"c\":\"web_Xy12\","
                         "\"S\":\"SELL\",\"o\":\"MARKET\",\"q\":\"0.1\",\"x\":\"TRADE\","
                         "\"X\":\"FILLED\",\"i\":777,\"l\":\"0.1\",\"z\":\"0.1\",\"L\":\"100\","
                         "\"n\":\"0\",\"N\":null,\"T\":1,\"t\":99901,\"m\":false}";
    binance_user_on_message (self, manual, strlen (manual));
    assert_int_equal (s_fills ("web_Xy12", fills), 1);
    assert_int_equal (fills [0]->u.fill.flags, HB_FILL_EXTERNAL);
    assert_int_equal (fills [0]->u.fill.side, HB_SIDE_SELL);
    assert_int_equal (s_count_for (HB_MSG_ACK, "web_Xy12", 0), 0);

    //  The server verified four signed requests and refused none
    assert_int_equal (s_server_log ("sig_ok"), 4);
    assert_int_equal (s_server_log ("sig_bad"), 0);
    //  No secret in any log line of ours
    assert_int_equal (hb_testhost_logs (s_env.host, HB_LOG_ERROR, S_SECRET)
                    + hb_testhost_logs (s_env.host, HB_LOG_WARN, S_SECRET)
                    + hb_testhost_logs (s_env.host, HB_LOG_INFO, S_SECRET)
                    + hb_testhost_logs (s_env.host, HB_LOG_INFO, S_KEY), 0);

    hb_venue_plugin.destroy (&s_env.plugin);
    assert_null (s_env.plugin);
    assert_int_equal (hb_testhost_fds (s_env.host), 0);
    assert_int_equal (hb_testhost_timers (s_env.host), 0);
}

//  A secret in the config text is refused; so is a secret file others can read
static void
test_secrets_refused (void **state)
{
    (void) state;
    hb_venue_cfg_t *v = &s_env.config->venues [0];
    hb_param_t saved [HB_MAX_PARAMS];
    int n = v->n_params;
    memcpy (saved, v->params, sizeof saved);
    s_param (v, "api_secret", "inline");
    assert_null (hb_venue_plugin.create (hb_testhost_api (s_env.host)));
    assert_true (hb_testhost_logs (s_env.host, HB_LOG_ERROR, "not read from the config text") >= 1);
    v->n_params = n;
    memcpy (v->params, saved, sizeof saved);

    char path [256];
    snprintf (path, sizeof path, "%s/secret", s_env.dir);
    assert_int_equal (chmod (path, 0644), 0);
    assert_null (hb_venue_plugin.create (hb_testhost_api (s_env.host)));
    assert_true (hb_testhost_logs (s_env.host, HB_LOG_ERROR, "chmod 600") >= 1);
    assert_int_equal (chmod (path, 0600), 0);
    void *ok = hb_venue_plugin.create (hb_testhost_api (s_env.host));
    assert_non_null (ok);
    hb_venue_plugin.destroy (&ok);
}

//  Book bridged by pu and the user stream up (its fills need it)
static bool
s_usdm_ready (void *arg)
{
    (void) arg;
    binance_t *self = (binance_t *) s_env.plugin;
    const hb_msg_t *msg = hb_testhost_last (s_env.host, HB_MSG_TICK, "BTC-PERP");
    return msg && self->inst [0].last_u == 104 && s_book_matches (&msg->u.tick, false)
        && self->user_ws && hb_ws_connected (self->user_ws);
}

static bool
s_usdm_done (void *arg)
{
    (void) arg;
    binance_t *self = (binance_t *) s_env.plugin;
    return self->stats.user_events >= 4 && s_count_for (HB_MSG_ACK, "fut-1", HB_ACK_DONE) >= 1;
}

static bool
s_usdm_sent (void *arg)
{
    (void) arg;
    return s_server_log_has ("user_sent", "ORDER_TRADE_UPDATE") >= 4;
}

static void
test_usdm_session (void **state)
{
    (void) state;
    s_env.plugin = hb_venue_plugin.create (hb_testhost_api (s_env.host));
    assert_non_null (s_env.plugin);
    binance_t *self = (binance_t *) s_env.plugin;
    assert_int_equal (self->market, BINANCE_USDM);
    assert_int_equal (hb_venue_plugin.start (s_env.plugin), 0);
    s_check_instruments ();
    int rc = hb_testhost_run (s_env.host, 15000, s_usdm_ready, NULL);
    const hb_msg_t *last = hb_testhost_last (s_env.host, HB_MSG_TICK, "BTC-PERP");
    if (rc && last)
        s_book_matches (&last->u.tick, true);
    assert_int_equal (rc, 0);
    assert_int_equal (self->stats.gaps, 0);
    assert_int_equal (hb_testhost_status (s_env.host), 0);

    //  500 contracts of 0.001 BTC: 0.5 BTC at the venue
    hb_order_t order = { .side = HB_SIDE_BUY, .ord_type = HB_ORD_MARKET, .tif = HB_TIF_IOC, .qty = 500 };
    snprintf (order.venue, HB_NAME_MAX, "bnc");
    snprintf (order.symbol, HB_NAME_MAX, "BTC-PERP");
    snprintf (order.client_id, HB_ID_MAX, "fut-1");
    assert_int_equal (hb_venue_plugin.order (s_env.plugin, &order), 0);
    assert_int_equal (hb_testhost_run (s_env.host, 10000, s_usdm_done, NULL), 0);
    //  all four events were sent (the last one the redelivery) and read
    assert_int_equal (hb_testhost_run (s_env.host, 5000, s_usdm_sent, NULL), 0);
    assert_int_equal (self->stats.user_events, 4);
    assert_int_equal (s_server_log_has ("http", "/fapi/v1/order"), 1);
    assert_true (s_server_log_has ("http", "/fapi/v1/listenKey") >= 1);

    //  Each trade once, in bus units, with its fee and maker flag; no
    //  aggregate fill from the REST answer
    assert_int_equal (hb_testhost_count_type (s_env.host, HB_MSG_FILL), 2);
    assert_int_equal (s_count_for (HB_MSG_FILL, "fut-1", 0), 2);
    const hb_msg_t *fills [2];
    assert_int_equal (s_fills ("fut-1", fills), 2);
    const hb_msg_t *f1 = fills [0], *f2 = fills [1];
    assert_string_equal (f1->u.fill.fill_id, "BTCUSDT-t9001");
    assert_string_equal (f1->u.fill.order_id, "8001");
    assert_string_equal (f1->u.fill.symbol, "BTC-PERP");
    assert_int_equal (f1->u.fill.side, HB_SIDE_BUY);
    assert_int_equal (f1->u.fill.liquidity, 1);                 //  m: true, maker
    assert_true (fabs (f1->u.fill.px - 101.0) < 1e-9);
    assert_true (fabs (f1->u.fill.qty - 200) < 1e-6);
    assert_true (fabs (f1->u.fill.fee - 0.0101) < 1e-12);      //  USDT at par
    assert_string_equal (f1->u.fill.fee_asset, "USD");
    assert_string_equal (f2->u.fill.fill_id, "BTCUSDT-t9002");
    assert_int_equal (f2->u.fill.liquidity, 2);                 //  taker
    assert_true (fabs (f2->u.fill.px - 101.5) < 1e-9);
    assert_true (fabs (f2->u.fill.qty - 300) < 1e-6);
    assert_true (fabs (f2->u.fill.fee - 0.0002) < 1e-12);
    assert_string_equal (f2->u.fill.fee_asset, "BNB");
    assert_int_equal (self->stats.duplicate_fills, 1);         //  the redelivery

    //  Acks: accepted, accepted with the partial, done with all of it; once
    assert_int_equal (s_count_for (HB_MSG_ACK, "fut-1", HB_ACK_ACCEPTED), 2);
    assert_int_equal (s_count_for (HB_MSG_ACK, "fut-1", HB_ACK_DONE), 1);
    assert_int_equal (s_count_for (HB_MSG_ACK, "fut-1", 0), 3);
    const hb_msg_t *ack = hb_testhost_last (s_env.host, HB_MSG_ACK, NULL);
    assert_int_equal (ack->u.ack.status, HB_ACK_DONE);
    assert_string_equal (ack->u.ack.order_id, "8001");
    assert_true (fabs (ack->u.ack.filled_qty - 500) < 1e-6);
    for (size_t i = 0; i < hb_testhost_count (s_env.host); i++) {
        const hb_msg_t *m = hb_testhost_msg (s_env.host, i);
        if (m->env.type == HB_MSG_ACK && m->u.ack.status == HB_ACK_ACCEPTED && m->u.ack.filled_qty > 0)
            assert_true (fabs (m->u.ack.filled_qty - 200) < 1e-6);
    }

    //  The keepalive (a PUT without a key) reached the server and was taken
    assert_int_equal (hb_testhost_run (s_env.host, 5000, s_keepalive, NULL), 0);
    assert_int_equal (s_server_log ("sig_ok"), 1);
    assert_int_equal (s_server_log ("sig_bad"), 0);
    assert_int_equal (s_server_log ("user_refused"), 0);
    assert_int_equal (hb_testhost_logs (s_env.host, HB_LOG_ERROR, S_SECRET)
                    + hb_testhost_logs (s_env.host, HB_LOG_INFO, S_SECRET), 0);

    assert_true (hb_testvenue_destroyed_clean (s_env.host, &hb_venue_plugin, (void **) &s_env.plugin));
}

int
main (void)
{
    if (!hb_testvenue_have_python ())
        return 0;
    const struct CMUnitTest tests [] = {
        cmocka_unit_test_setup_teardown (test_session, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_secrets_refused, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_usdm_session, s_setup_usdm, s_teardown),
    };
    return cmocka_run_group_tests_name ("binance_plugin", tests, NULL, NULL);
}
