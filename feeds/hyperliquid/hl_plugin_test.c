/*  hyperliquid plugin: market data against a local server speaking
    Hyperliquid's protocol (tests/venues/venue_server.py, a JSON script).

    - /info meta gives the coins their asset index; a coin missing from
      the universe (DOGE-PERP as coin NOPE) is logged as unknown and never
      subscribed;
    - l2Book messages become ticks: best first, sizes in bus units (BTC-PERP
      contracts of 0.001 BTC: 0.5 BTC is 500), the venue's time;
    - trades are normalized (side B = buy aggressor);
    - malformed and unknown messages are refused, counted and logged, the
      plugin carries on;
    - a book without messages for stale_s is published stale and
      resubscribed (unsubscribe + subscribe), the status goes stale; the
      next l2Book makes it whole;
    - a dropped connection reconnects and subscribes again; the final
      books are the last messages';
    - book: bbo: the bbo channel instead of l2Book, ticks of the top;
    - bad params refuse the venue (network, stale_s, an inverse perp, an
      agent key file others may read, a key without its account),
      the TLS params too (hb_testhost_check_tls_params).               */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "hb_log.h"
#include "hb_testvenue.h"

extern const hb_venue_ops_t hb_venue_plugin;

#define S_VENUE "hlx"

static hb_testvenue_t s_env;

static int
s_setup (void **state)
{
    (void) state;
    if (hb_testvenue_setup (&s_env, &hb_venue_plugin, "hltest", S_VENUE, "hyperliquid"))
        return -1;
    hb_testvenue_asset (&s_env, "ETH");
    const char *symbols [] = { "BTC-PERP", "ETH-PERP", "DOGE-PERP" };
    const double multipliers [] = { 0.001, 1, 1 };
    for (int i = 0; i < 3; i++) {
        hb_instrument_cfg_t *ins = hb_testvenue_instrument (&s_env, symbols [i], HB_KIND_LINEAR_PERP,
                                                            multipliers [i], 0.1, 1);
        if (!ins)
            return -1;
        ins->min_qty = 1;
    }
    static const char *const params [] = { "coin.DOGE-PERP", "NOPE", "stale_s", "1", "ping_s", "55", NULL };
    hb_testvenue_params (&s_env, params);
    return 0;
}

static void
test_bad_params_refused (void **state)
{
    (void) state;
    hb_testhost_t *host = hb_testhost_new (s_env.config, S_VENUE);
    assert_non_null (host);
    assert_true (hb_testhost_creates (host, &hb_venue_plugin));
    const char *bad [][2] = { { "network", "mainnet2" }, { "stale_s", "0" }, { "ping_s", "x" },
                              { "rest_url", "ftp://x" }, { "coin.BTC-PERP", "ETH" },
                              { "book", "l3Book" } };
    for (size_t i = 0; i < sizeof bad / sizeof bad [0]; i++) {
        hb_testhost_param (s_env.config, S_VENUE, bad [i][0], bad [i][1]);
        if (hb_testhost_creates (host, &hb_venue_plugin))
            fail_msg ("%s: %s accepted", bad [i][0], bad [i][1]);
        hb_testhost_param (s_env.config, S_VENUE, bad [i][0], NULL);
    }
    //  each refusal named its param with the value
    assert_int_equal (hb_testhost_logs (host, HB_LOG_ERROR, "venues.hlx.params.network: must be mainnet "
                                        "or testnet (value 'mainnet2')"), 1);
    assert_int_equal (hb_testhost_logs (host, HB_LOG_ERROR, "params.stale_s"), 1);
    assert_int_equal (hb_testhost_logs (host, HB_LOG_ERROR, "both are coin ETH"), 1);
    s_env.config->venues [0].instruments [1].kind = HB_KIND_INVERSE_PERP;
    assert_false (hb_testhost_creates (host, &hb_venue_plugin));
    assert_int_equal (hb_testhost_logs (host, HB_LOG_ERROR, "perpetuals (linear_perp) and spot pairs only"), 1);
    //  a spot pair is served (spotMeta), under its BASE/QUOTE coin
    s_env.config->venues [0].instruments [1].kind = HB_KIND_SPOT;
    assert_true (hb_testhost_creates (host, &hb_venue_plugin));
    s_env.config->venues [0].instruments [1].kind = HB_KIND_LINEAR_PERP;
    assert_true (hb_testhost_creates (host, &hb_venue_plugin));

    //  the agent key: a file others may read, a key without its account
    char path [128];
    snprintf (path, sizeof path, "%s/agent", s_env.dir);
    FILE *file = fopen (path, "w");
    assert_non_null (file);
    fputs ("0x0123456789012345678901234567890123456789012345678901234567890123\n", file);
    fclose (file);
    assert_int_equal (chmod (path, 0644), 0);
    hb_testhost_param (s_env.config, S_VENUE, "agent_key_file", path);
    hb_testhost_param (s_env.config, S_VENUE, "account", "0x1111111111111111111111111111111111111111");
    assert_false (hb_testhost_creates (host, &hb_venue_plugin));
    assert_int_equal (hb_testhost_logs (host, HB_LOG_ERROR, "venues.hlx.params.agent_key_file"), 1);
    assert_int_equal (chmod (path, 0600), 0);
    assert_true (hb_testhost_creates (host, &hb_venue_plugin));
    //  the agent's address, never the key
    assert_int_equal (hb_testhost_logs (host, HB_LOG_INFO, "agent 0x"), 1);
    assert_int_equal (hb_testhost_logs (host, HB_LOG_ERROR, "0123456789012345678901234567890123456789012345678901234567890123"), 0);
    hb_testhost_param (s_env.config, S_VENUE, "account", NULL);
    assert_false (hb_testhost_creates (host, &hb_venue_plugin));
    assert_int_equal (hb_testhost_logs (host, HB_LOG_ERROR, "params.account: missing"), 1);
    hb_testhost_param (s_env.config, S_VENUE, "account", "0x12");
    assert_false (hb_testhost_creates (host, &hb_venue_plugin));
    hb_testhost_param (s_env.config, S_VENUE, "agent_key_file", NULL);
    hb_testhost_param (s_env.config, S_VENUE, "account", NULL);
    hb_testhost_destroy (&host);
}

//  A plugin of the test's venue on a fresh host, pointed at a new local
//  server playing script (ws:// and http://), started
static void
s_start (const char *script, hb_testserver_t **server, hb_testhost_t **host, void **plugin)
{
    *server = hb_testserver_new (script, NULL, NULL);
    assert_non_null (*server);
    char url [128];
    snprintf (url, sizeof url, "ws://127.0.0.1:%d/ws", hb_testserver_ws_port (*server));
    hb_testhost_param (s_env.config, S_VENUE, "ws_url", url);
    snprintf (url, sizeof url, "http://127.0.0.1:%d", hb_testserver_http_port (*server));
    hb_testhost_param (s_env.config, S_VENUE, "rest_url", url);
    *host = hb_testhost_new (s_env.config, S_VENUE);
    assert_non_null (*host);
    *plugin = hb_venue_plugin.create (hb_testhost_api (*host));
    assert_non_null (*plugin);
    assert_int_equal (hb_venue_plugin.start (*plugin), 0);
}

//  The plugin destroyed (nothing left on the host), the host and server
static void
s_stop (hb_testserver_t **server, hb_testhost_t **host, void **plugin)
{
    assert_true (hb_testvenue_destroyed_clean (*host, &hb_venue_plugin, plugin));
    hb_testhost_destroy (host);
    hb_testserver_destroy (server);
}

//  The script: meta; session 0 books, trades, bad input, silence until
//  both books are resubscribed, a new BTC book, a reset; session 1 the
//  final books.
#define S_BOOK(coin, time, bids, asks) \
    "{\"send\": {\"channel\": \"l2Book\", \"data\": {\"coin\": \"" coin "\", \"time\": " time \
    ", \"levels\": [[" bids "], [" asks "]]}}}"
#define S_LV(px, sz) "{\"px\": \"" px "\", \"sz\": \"" sz "\", \"n\": 1}"

static const char s_script [] =
    "{\"http\": {\"POST /info\": {\"status\": 200, \"body\": {\"universe\": ["
    "  {\"name\": \"ETH\", \"szDecimals\": 4, \"maxLeverage\": 25},"
    "  {\"name\": \"BTC\", \"szDecimals\": 5, \"maxLeverage\": 40}]}}},"
    " \"ws\": [["
    "  {\"recv\": 4},"
    "  {\"send\": {\"channel\": \"subscriptionResponse\", \"data\": {\"method\": \"subscribe\"}}},"
    S_BOOK ("BTC", "1700000000000", S_LV ("65000", "0.5") "," S_LV ("64999", "1.25"),
            S_LV ("65001", "0.1") "," S_LV ("65002", "2")) ","
    S_BOOK ("ETH", "1700000000001", S_LV ("3400.5", "3"), S_LV ("3401", "4")) ","
    "  {\"send\": {\"channel\": \"trades\", \"data\": ["
    "    {\"coin\": \"BTC\", \"side\": \"B\", \"px\": \"65001\", \"sz\": \"0.002\", \"time\": 1700000000002,"
    "     \"hash\": \"0xab\", \"tid\": 901},"
    "    {\"coin\": \"BTC\", \"side\": \"A\", \"px\": \"65000\", \"sz\": \"0.01\", \"time\": 1700000000003,"
    "     \"hash\": \"0xac\", \"tid\": 902}]}},"
    "  {\"send_raw\": \"{not json\"},"
    "  {\"send\": {\"channel\": \"mystery\", \"data\": {}}},"
    S_BOOK ("BTC", "1700000000004", S_LV ("65000", "x"), "") ","
    S_BOOK ("BTC", "1700000000005", S_LV ("65000", "0.6") "," S_LV ("64999", "1.25"),
            S_LV ("65001", "0.1") "," S_LV ("65002", "2")) ","
    "  {\"recv\": 4, \"timeout\": 20},"
    S_BOOK ("BTC", "1700000000006", S_LV ("65010", "0.7"), S_LV ("65011", "0.8")) ","
    "  {\"sleep\": 0.2}, {\"drop\": true}"
    " ], ["
    "  {\"recv\": 4},"
    S_BOOK ("BTC", "1700000000010", S_LV ("65020", "0.25") "," S_LV ("65019.5", "1") ","
            S_LV ("65019", "3"), S_LV ("65021", "0.125")) ","
    S_BOOK ("ETH", "1700000000011", S_LV ("3410", "5"), S_LV ("3411", "6")) ","
    "  {\"hold\": true}"
    " ]]}";

static bool
s_final (void *arg)
{
    hb_testhost_t *host = (hb_testhost_t *) arg;
    const hb_msg_t *btc = hb_testhost_last (host, HB_MSG_TICK, "BTC-PERP");
    const hb_msg_t *eth = hb_testhost_last (host, HB_MSG_TICK, "ETH-PERP");
    return btc && eth && btc->u.tick.n_bids == 3 && eth->u.tick.n_bids == 1
        && eth->u.tick.bids [0].px == 3410 && hb_testhost_status (host) == 0;
}

static void
test_market_data (void **state)
{
    (void) state;
    hb_testserver_t *server;
    hb_testhost_t *host;
    void *plugin;
    s_start (s_script, &server, &host, &plugin);
    int rc = hb_testhost_run (host, 40000, s_final, host);
    if (rc)
        fail_msg ("no final books: %zu ticks, status %u", hb_testhost_count_type (host, HB_MSG_TICK),
                  hb_testhost_status (host));

    //  the final books, sizes in bus units
    const hb_tick_t *t = &hb_testhost_last (host, HB_MSG_TICK, "BTC-PERP")->u.tick;
    assert_string_equal (t->venue, S_VENUE);
    assert_int_equal (t->flags, 0);
    assert_int_equal (t->n_bids, 3);
    assert_int_equal (t->n_asks, 1);
    assert_true (t->bids [0].px == 65020 && t->bids [0].qty == 250);
    assert_true (t->bids [1].px == 65019.5 && t->bids [1].qty == 1000);
    assert_true (t->bids [2].px == 65019 && t->bids [2].qty == 3000);
    assert_true (t->asks [0].px == 65021 && t->asks [0].qty == 125);
    assert_int_equal (hb_testhost_last (host, HB_MSG_TICK, "BTC-PERP")->env.ts_venue,
                      1700000000010LL * 1000000);
    t = &hb_testhost_last (host, HB_MSG_TICK, "ETH-PERP")->u.tick;
    assert_true (t->n_asks == 1 && t->asks [0].px == 3411 && t->asks [0].qty == 6);
    assert_null (hb_testhost_last (host, HB_MSG_TICK, "DOGE-PERP"));

    //  the first BTC book as sent, then the bad one stale, then the good one
    size_t n = hb_testhost_count (host), btc = 0, stale = 0;
    for (size_t i = 0; i < n; i++) {
        const hb_msg_t *m = hb_testhost_msg (host, i);
        if (m->env.type != HB_MSG_TICK || strcmp (m->u.tick.symbol, "BTC-PERP"))
            continue;
        if (btc == 0) {
            assert_true (m->u.tick.bids [0].px == 65000 && m->u.tick.bids [0].qty == 500);
            assert_true (m->u.tick.bids [1].px == 64999 && m->u.tick.bids [1].qty == 1250);
            assert_true (m->u.tick.asks [1].px == 65002 && m->u.tick.asks [1].qty == 2000);
            assert_int_equal (m->u.tick.flags, 0);
        }
        if (btc == 1)
            assert_int_equal (m->u.tick.flags, HB_TICK_STALE);
        stale += (m->u.tick.flags & HB_TICK_STALE) != 0;
        btc++;
    }
    //  the bad book and the silence
    assert_true (stale >= 2);

    //  trades
    assert_int_equal (hb_testhost_count_type (host, HB_MSG_TRADE), 2);
    const hb_trade_t *tr = &hb_testhost_last (host, HB_MSG_TRADE, "BTC-PERP")->u.trade;
    assert_string_equal (tr->trade_id, "902");
    assert_int_equal (tr->side, HB_SIDE_SELL);
    assert_true (tr->px == 65000 && tr->qty == 10);

    //  refusals counted and logged; the unknown coin named
    assert_int_equal (hb_testhost_logs (host, HB_LOG_WARN, "message refused (3 so far)"), 1);
    assert_int_equal (hb_testhost_logs (host, HB_LOG_ERROR, "unknown coin 'NOPE'"), 1);
    assert_int_equal (hb_testserver_logged (server, "NOPE"), 0);
    //  stale books resubscribed, the reset reconnected
    assert_true (hb_testhost_logs (host, HB_LOG_WARN, "l2Book BTC: no message for 1.0 s: resubscribing") >= 1);
    assert_true (hb_testhost_logs (host, HB_LOG_WARN, "l2Book ETH: no message for 1.0 s: resubscribing") >= 1);
    assert_true (hb_testserver_logged (server, "unsubscribe") >= 2);
    assert_int_equal (hb_testserver_logged (server, "\"ws_connect\""), 2);
    //  healthy, stale, healthy again: at least two recoveries
    assert_true (hb_testhost_status_count (host, HB_TICK_STALE) >= 2);
    assert_true (hb_testhost_status_count (host, 0) >= 2);
    s_stop (&server, &host, &plugin);
}

//  book: bbo: the bbo channel, not l2Book, each message the whole top
//  (one level a side, a null side empty): ticks in bus units; a bad level
//  is refused and the book published stale until the next message.
static const char s_bbo_script [] =
    "{\"http\": {\"POST /info\": {\"status\": 200, \"body\": {\"universe\": ["
    "  {\"name\": \"ETH\", \"szDecimals\": 4, \"maxLeverage\": 25},"
    "  {\"name\": \"BTC\", \"szDecimals\": 5, \"maxLeverage\": 40}]}}},"
    " \"ws\": [["
    "  {\"recv\": 4},"
    "  {\"send\": {\"channel\": \"bbo\", \"data\": {\"coin\": \"BTC\", \"time\": 1700000000020,"
    "   \"bbo\": [{\"px\": \"65000\", \"sz\": \"0.5\", \"n\": 2}, {\"px\": \"65001\", \"sz\": \"0.25\", \"n\": 1}]}}},"
    "  {\"send\": {\"channel\": \"bbo\", \"data\": {\"coin\": \"ETH\", \"time\": 1700000000021,"
    "   \"bbo\": [{\"px\": \"3400\", \"sz\": \"x\", \"n\": 2}, null]}}},"
    "  {\"send\": {\"channel\": \"bbo\", \"data\": {\"coin\": \"ETH\", \"time\": 1700000000022,"
    "   \"bbo\": [{\"px\": \"3400.5\", \"sz\": \"3\", \"n\": 2}, null]}}},"
    "  {\"hold\": true}"
    " ]]}";

static bool
s_bbo_done (void *arg)
{
    hb_testhost_t *host = (hb_testhost_t *) arg;
    const hb_msg_t *btc = hb_testhost_last (host, HB_MSG_TICK, "BTC-PERP");
    const hb_msg_t *eth = hb_testhost_last (host, HB_MSG_TICK, "ETH-PERP");
    return btc && eth && eth->u.tick.flags == 0 && hb_testhost_status (host) == 0;
}

static void
test_bbo (void **state)
{
    (void) state;
    hb_testhost_param (s_env.config, S_VENUE, "book", "bbo");
    hb_testserver_t *server;
    hb_testhost_t *host;
    void *plugin;
    s_start (s_bbo_script, &server, &host, &plugin);
    if (hb_testhost_run (host, 20000, s_bbo_done, host))
        fail_msg ("no bbo ticks: %zu ticks, status %u", hb_testhost_count_type (host, HB_MSG_TICK),
                  hb_testhost_status (host));
    //  subscribed to bbo, never to l2Book
    assert_int_equal (hb_testserver_logged (server, "l2Book"), 0);
    assert_true (hb_testserver_logged (server, "\\\"bbo\\\"") >= 2);
    const hb_msg_t *m = hb_testhost_last (host, HB_MSG_TICK, "BTC-PERP");
    assert_true (m->u.tick.n_bids == 1 && m->u.tick.n_asks == 1 && m->u.tick.flags == 0);
    assert_true (m->u.tick.bids [0].px == 65000 && m->u.tick.bids [0].qty == 500);
    assert_true (m->u.tick.asks [0].px == 65001 && m->u.tick.asks [0].qty == 250);
    assert_int_equal (m->env.ts_venue, 1700000000020LL * 1000000);
    m = hb_testhost_last (host, HB_MSG_TICK, "ETH-PERP");
    assert_true (m->u.tick.n_bids == 1 && m->u.tick.n_asks == 0);
    assert_true (m->u.tick.bids [0].px == 3400.5 && m->u.tick.bids [0].qty == 3);
    //  the bad level: refused, ETH published stale before its good top
    size_t stale = 0;
    for (size_t i = 0; i < hb_testhost_count (host); i++) {
        const hb_msg_t *t = hb_testhost_msg (host, i);
        stale += t->env.type == HB_MSG_TICK && !strcmp (t->u.tick.symbol, "ETH-PERP")
              && (t->u.tick.flags & HB_TICK_STALE);
    }
    assert_int_equal (stale, 1);
    assert_int_equal (hb_testhost_logs (host, HB_LOG_WARN, "bbo ETH: bid: px and sz must be decimal"), 1);
    s_stop (&server, &host, &plugin);
}

int
main (void)
{
    if (!hb_testvenue_have_python ())
        return 0;
    const struct CMUnitTest tests [] = {
        cmocka_unit_test_prestate_setup_teardown (test_bad_params_refused, s_setup, hb_testvenue_teardown_state, &s_env),
        cmocka_unit_test_prestate_setup_teardown (hb_testvenue_test_tls, s_setup, hb_testvenue_teardown_state, &s_env),
        cmocka_unit_test_prestate_setup_teardown (test_market_data, s_setup, hb_testvenue_teardown_state, &s_env),
        cmocka_unit_test_prestate_setup_teardown (test_bbo, s_setup, hb_testvenue_teardown_state, &s_env),
    };
    return cmocka_run_group_tests_name ("hl_plugin", tests, NULL, NULL);
}
