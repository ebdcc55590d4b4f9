/*  deribit_venue tests: market data through the protocol engine (see
    deribit_test_fixture.h): subscriptions, books against the test's model
    through random changes, gaps and bad levels with their resnapshot and
    status, bad frames counted, heartbeats, disconnects, units of ticks and
    trades; and the venues the engine refuses at creation.               */
#include "deribit_test_fixture.h"

static void
test_subscribe_and_books (void **state)
{
    s_fixture_t *f = (s_fixture_t *) *state;
    assert_string_equal (deribit_venue_instrument (f->venue, "BTC-PERP"), "BTC-PERPETUAL");
    assert_string_equal (deribit_venue_instrument (f->venue, "BTC-27DEC30"), "BTC-27DEC30");
    deribit_venue_on_close (f->venue, "not yet");
    assert_int_equal (hb_testhost_status (f->host), HB_TICK_OUTAGE);
    deribit_venue_on_open (f->venue);
    assert_int_equal (hb_testhost_status (f->host), HB_TICK_STALE);
    json_t *req = s_request (f, "public/set_heartbeat", 0);
    assert_non_null (req);
    assert_int_equal (json_integer_value (json_object_get (json_object_get (req, "params"), "interval")), 10);
    json_decref (req);
    req = s_request (f, "public/subscribe", 0);
    assert_non_null (req);
    json_t *channels = json_object_get (json_object_get (req, "params"), "channels");
    assert_int_equal (json_array_size (channels), 12);
    char *text = json_dumps (channels, JSON_COMPACT);
    assert_non_null (strstr (text, "\"book.BTC-PERPETUAL.100ms\""));
    assert_non_null (strstr (text, "\"ticker.BTC-27DEC30-80000-C.100ms\""));
    assert_non_null (strstr (text, "\"trades.ETH-PERPETUAL.100ms\""));
    free (text);
    json_decref (req);
    s_answer (f, "public/subscribe", "[\"book.BTC-PERPETUAL.100ms\"]");

    s_model_t perp = { 0 };
    s_connect_with_books (f, &perp);
    assert_int_equal (hb_testhost_status (f->host), 0);
    s_assert_book (f, "BTC-PERP", &perp);
    //  the tick: top 5, amounts in USD become contracts of 10 USD
    const hb_msg_t *msg = hb_testhost_last (f->host, HB_MSG_TICK, "BTC-PERP");
    assert_non_null (msg);
    assert_int_equal (msg->u.tick.n_bids, 5);
    assert_true (msg->u.tick.bids [0].px == 64999.5 && msg->u.tick.bids [0].qty == 10);
    assert_true (msg->u.tick.asks [4].px == 65004.5 && msg->u.tick.asks [4].qty == 25);
    assert_int_equal (msg->env.ts_venue, 1700000000000LL * 1000000);

    //  500 random changes: the book follows the model exactly, every step
    long long id = 1000;
    for (int k = 0; k < 500; k++, id++) {
        s_random_change (f, &perp, id, id + 1);
        s_assert_book (f, "BTC-PERP", &perp);
    }
    deribit_stats_t stats = s_stats (f);
    assert_int_equal (stats.changes, 500);
    assert_int_equal (stats.gaps, 0);
    assert_int_equal (deribit_book_change_id (deribit_venue_book (f->venue, "BTC-PERP")), id);

    //  a gap: change_id id + 2 was lost. The book is dropped, consumers get
    //  a stale tick, the venue goes stale, and the book channel is
    //  resubscribed (unsubscribe, subscribe) for a new snapshot
    size_t sent = f->link.n;
    size_t ticks = hb_testhost_count_type (f->host, HB_MSG_TICK);
    s_random_change (f, &perp, id + 1, id + 2);
    assert_int_equal (s_stats (f).gaps, 1);
    assert_int_equal (hb_testhost_status (f->host), HB_TICK_STALE);
    assert_false (deribit_book_valid (deribit_venue_book (f->venue, "BTC-PERP")));
    msg = hb_testhost_last (f->host, HB_MSG_TICK, "BTC-PERP");
    assert_true (msg->u.tick.flags & HB_TICK_STALE);
    assert_int_equal (msg->u.tick.n_bids + msg->u.tick.n_asks, 0);
    assert_int_equal (hb_testhost_count_type (f->host, HB_MSG_TICK), ticks + 1);
    req = s_request (f, "public/unsubscribe", sent);
    assert_non_null (req);
    json_decref (req);
    req = s_request (f, "public/subscribe", sent);
    assert_non_null (req);
    channels = json_object_get (json_object_get (req, "params"), "channels");
    assert_int_equal (json_array_size (channels), 1);
    assert_string_equal (json_string_value (json_array_get (channels, 0)), "book.BTC-PERPETUAL.100ms");
    json_decref (req);
    assert_int_equal (s_stats (f).resnapshots, 1);
    //  changes until the snapshot are ignored, and publish nothing
    s_random_change (f, &perp, id + 2, id + 3);
    s_random_change (f, &perp, id + 3, id + 4);
    assert_int_equal (s_stats (f).ignored, 2);
    assert_int_equal (hb_testhost_count_type (f->host, HB_MSG_TICK), ticks + 1);
    s_answer (f, "public/subscribe", "[\"book.BTC-PERPETUAL.100ms\"]");
    s_snapshot (f, "BTC-PERPETUAL", &perp, 5000);
    assert_int_equal (hb_testhost_status (f->host), 0);
    s_assert_book (f, "BTC-PERP", &perp);
    s_random_change (f, &perp, 5000, 5001);
    s_assert_book (f, "BTC-PERP", &perp);
    assert_int_equal (hb_testhost_status_count (f->host, HB_TICK_STALE), 2);

    //  an unreadable level in a change: counted, and the book rebuilt the same way
    sent = f->link.n;
    s_feed (f, "{\"jsonrpc\":\"2.0\",\"method\":\"subscription\",\"params\":{\"channel\":"
            "\"book.BTC-PERPETUAL.100ms\",\"data\":{\"type\":\"change\",\"timestamp\":1,"
            "\"change_id\":5002,\"prev_change_id\":5001,\"bids\":[[\"new\",\"abc\",1]],\"asks\":[]}}}");
    assert_int_equal (s_stats (f).bad_levels, 1);
    assert_int_equal (hb_testhost_status (f->host), HB_TICK_STALE);
    assert_int_equal (s_count_requests (f, "public/subscribe", sent), 1);
    s_snapshot (f, "BTC-PERPETUAL", &perp, 6000);
    assert_int_equal (hb_testhost_status (f->host), 0);

    //  garbage, unknown methods, unknown channels and instruments: counted, nothing else
    stats = s_stats (f);
    size_t published = hb_testhost_count (f->host);
    s_feed (f, "{not json");
    s_feed (f, "{\"jsonrpc\":\"2.0\",\"method\":\"subscription\",\"params\":{\"channel\":"
            "\"book.BTC-PERPETUAL.100ms\",\"data\":{\"type\":\"change\"}}}");
    s_feed (f, "{\"jsonrpc\":\"2.0\",\"method\":\"mystery\",\"params\":{}}");
    s_feed (f, "{\"jsonrpc\":\"2.0\",\"method\":\"subscription\",\"params\":{\"channel\":"
            "\"book.SOL-PERPETUAL.100ms\",\"data\":{\"type\":\"snapshot\",\"change_id\":1,"
            "\"bids\":[],\"asks\":[]}}}");
    s_feed (f, "{\"jsonrpc\":\"2.0\",\"id\":99999,\"result\":true}");
    assert_int_equal (s_stats (f).malformed, stats.malformed + 2);
    assert_int_equal (s_stats (f).unknown, stats.unknown + 3);
    assert_int_equal (hb_testhost_count (f->host), published);
    assert_int_equal (hb_testhost_status (f->host), 0);
    s_assert_book (f, "BTC-PERP", &perp);

    //  heartbeats: a test_request is answered with public/test
    sent = f->link.n;
    s_feed (f, "{\"jsonrpc\":\"2.0\",\"method\":\"heartbeat\",\"params\":{\"type\":\"test_request\"}}");
    s_feed (f, "{\"jsonrpc\":\"2.0\",\"method\":\"heartbeat\",\"params\":{\"type\":\"heartbeat\"}}");
    assert_int_equal (s_count_requests (f, "public/test", sent), 1);
    assert_int_equal (s_stats (f).test_requests, 1);

    //  the connection drops: outage, stale ticks for every instrument; back
    //  on: everything subscribed again and rebuilt from snapshots
    ticks = hb_testhost_count_type (f->host, HB_MSG_TICK);
    deribit_venue_on_close (f->venue, "reset by peer");
    assert_int_equal (hb_testhost_status (f->host), HB_TICK_OUTAGE);
    assert_int_equal (hb_testhost_count_type (f->host, HB_MSG_TICK), ticks + 4);
    sent = f->link.n;
    s_model_t fresh = { 0 };
    s_connect_with_books (f, &fresh);
    assert_int_equal (s_count_requests (f, "public/subscribe", sent), 1);
    assert_int_equal (hb_testhost_status (f->host), 0);
    s_assert_book (f, "BTC-PERP", &fresh);
}

static void
test_units (void **state)
{
    s_fixture_t *f = (s_fixture_t *) *state;
    s_model_t perp = { 0 };
    s_connect_with_books (f, &perp);
    //  the option book waits for an index to be priced in USD
    assert_null (hb_testhost_last (f->host, HB_MSG_TICK, "BTC-27DEC30-80000-C"));
    s_feed (f, "{\"jsonrpc\":\"2.0\",\"method\":\"subscription\",\"params\":{\"channel\":"
            "\"ticker.BTC-27DEC30-80000-C.100ms\",\"data\":{\"timestamp\":1700000000500,"
            "\"mark_price\":0.0505,\"mark_iv\":55.5,\"index_price\":64000,\"underlying_price\":64400,"
            "\"greeks\":{\"delta\":0.41,\"gamma\":0.00002,\"vega\":90.5,\"theta\":-35.1,\"rho\":10}}}}");
    const hb_msg_t *msg = hb_testhost_last (f->host, HB_MSG_TICK, "BTC-27DEC30-80000-C");
    assert_non_null (msg);
    const hb_tick_t *tick = &msg->u.tick;
    assert_true (tick->flags & HB_TICK_HAS_IV);
    assert_true (fabs (tick->mark_iv - 0.555) < 1e-12);
    assert_true (fabs (tick->mark - 0.0505 * 64000) < 1e-9);
    assert_true (tick->underlying == 64400);
    //  option prices in coin times the index; amounts in coin, 1 per contract
    assert_true (fabs (tick->bids [0].px - 0.05 * 64000) < 1e-9 && tick->bids [0].qty == 2);
    assert_true (fabs (tick->asks [0].px - 0.0515 * 64000) < 1e-9 && tick->asks [0].qty == 3.5);
    assert_int_equal (msg->env.ts_venue, 1700000000500LL * 1000000);
    //  a perpetual's ticker: USD mark, no iv
    s_feed (f, "{\"jsonrpc\":\"2.0\",\"method\":\"subscription\",\"params\":{\"channel\":"
            "\"ticker.BTC-PERPETUAL.100ms\",\"data\":{\"timestamp\":1,\"mark_price\":65001.25,"
            "\"index_price\":64990,\"mark_iv\":null}}}");
    tick = &hb_testhost_last (f->host, HB_MSG_TICK, "BTC-PERP")->u.tick;
    assert_false (tick->flags & HB_TICK_HAS_IV);
    assert_true (tick->mark == 65001.25 && tick->underlying == 64990);

    //  public trades: inverse amount / 10 USD; option price x the trade's index
    s_feed (f, "{\"jsonrpc\":\"2.0\",\"method\":\"subscription\",\"params\":{\"channel\":"
            "\"trades.BTC-PERPETUAL.100ms\",\"data\":[{\"trade_id\":\"301\",\"instrument_name\":"
            "\"BTC-PERPETUAL\",\"price\":65000.5,\"amount\":250,\"direction\":\"buy\",\"timestamp\":7},"
            "{\"trade_id\":\"302\",\"instrument_name\":\"BTC-PERPETUAL\",\"price\":\"x\"}]}}");
    msg = hb_testhost_last (f->host, HB_MSG_TRADE, "BTC-PERP");
    assert_non_null (msg);
    assert_string_equal (msg->u.trade.trade_id, "301");
    assert_true (msg->u.trade.qty == 25 && msg->u.trade.px == 65000.5);
    assert_int_equal (msg->u.trade.side, HB_SIDE_BUY);
    assert_int_equal (s_stats (f).malformed, 1);
    s_feed (f, "{\"jsonrpc\":\"2.0\",\"method\":\"subscription\",\"params\":{\"channel\":"
            "\"trades.BTC-27DEC30-80000-C.100ms\",\"data\":[{\"trade_id\":\"303\",\"instrument_name\":"
            "\"BTC-27DEC30-80000-C\",\"price\":0.051,\"amount\":1.5,\"direction\":\"sell\","
            "\"timestamp\":8,\"index_price\":65000,\"iv\":56.1}]}}");
    msg = hb_testhost_last (f->host, HB_MSG_TRADE, "BTC-27DEC30-80000-C");
    assert_true (fabs (msg->u.trade.px - 0.051 * 65000) < 1e-9);
    assert_true (msg->u.trade.qty == 1.5);
    assert_int_equal (msg->u.trade.side, HB_SIDE_SELL);
}

static void
test_refusals (void **state)
{
    s_fixture_t *f = (s_fixture_t *) *state;
    hb_config_t *copy = (hb_config_t *) malloc (sizeof *copy);
    assert_non_null (copy);
    deribit_link_t link = { s_link_send, s_link_reconnect, &f->link };
    char err [256];
    struct {
        int         inst;
        hb_kind_t   kind;
        const char *key, *value;
        const char *why;
    } cases [] = {
        { 0, HB_KIND_LINEAR_PERP, NULL, NULL, "kind must be inverse_perp" },
        { 3, HB_KIND_FUTURE, NULL, NULL, "kind must be inverse_perp" },
        { 2, HB_KIND_INVERSE_PERP, NULL, NULL, "kind must be option" },
        { 0, HB_KIND_INVERSE_PERP, "map.BTC-PERP", "BTC_USDC-PERPETUAL", "kind must be linear_perp" },
        { 0, HB_KIND_INVERSE_PERP, "map.BTC-PERP", "ETH-PERPETUAL", "mapped twice" },
        { 0, HB_KIND_INVERSE_PERP, "map.BTC-PERP", "BTC.PERP", "not a Deribit instrument name" },
        { 0, HB_KIND_INVERSE_PERP, "interval", "1s", "params.interval" },
        { 0, HB_KIND_INVERSE_PERP, "heartbeat_s", "5", "params.heartbeat_s" },
        { 0, HB_KIND_INVERSE_PERP, "depth", "11", "params.depth" },
        { 0, HB_KIND_INVERSE_PERP, "order_rate", "-1", "params.order_rate" },
        { 0, HB_KIND_INVERSE_PERP, "max_levels", "0", "params.max_levels" },
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases [0]; c++) {
        memcpy (copy, f->config, sizeof *copy);
        hb_venue_cfg_t *venue = &copy->venues [0];
        //  instruments of its own: a case's change must not reach f->config
        venue->instruments = NULL;
        venue->positions = NULL;
        venue->by_symbol = NULL;
        assert_int_equal (hb_venue_cfg_alloc (venue, venue->n_instruments, venue->n_positions), 0);
        memcpy (venue->instruments, f->config->venues [0].instruments,
                (size_t) venue->n_instruments * sizeof *venue->instruments);
        venue->instruments [cases [c].inst].kind = cases [c].kind;
        if (cases [c].key) {
            //  a param the YAML gives is replaced, another one added
            int k = 0;
            while (k < venue->n_params && strcmp (venue->params [k].key, cases [c].key))
                k++;
            venue->n_params += k == venue->n_params;
            hb_param_t *param = &venue->params [k];
            snprintf (param->key, sizeof param->key, "%s", cases [c].key);
            snprintf (param->value, sizeof param->value, "%s", cases [c].value);
        }
        hb_host_api_t api = *hb_testhost_api (f->host);
        api.config = copy;
        api.venue = venue;
        err [0] = 0;
        deribit_venue_t *venue_engine = deribit_venue_new (&api, &link, f->key, f->secret, err, sizeof err);
        assert_null (venue_engine);
        if (!strstr (err, cases [c].why))
            fail_msg ("case %zu: '%s' does not say '%s'", c, err, cases [c].why);
        hb_venue_cfg_release (venue);
    }
    //  a key without a secret
    assert_null (deribit_venue_new (hb_testhost_api (f->host), &link, f->key, NULL, err, sizeof err));
    assert_non_null (strstr (err, "both or neither"));
    free (copy);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test_setup_teardown (test_subscribe_and_books, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_units, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_refusals, s_setup, s_teardown),
    };
    return cmocka_run_group_tests_name ("deribit_venue", tests, NULL, NULL);
}
