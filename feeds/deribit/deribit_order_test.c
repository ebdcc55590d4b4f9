/*  deribit_order tests: authentication and order entry through the
    protocol engine (see deribit_test_fixture.h): the client_signature
    recomputed here, request fields, fills and acks from answers and
    notifications (deduplicated), venue rejects and their reasons, option
    limits in coin, local rejects, cancels, the order budget.           */
#include "deribit_test_fixture.h"
//  Authenticates the connection; checks the signature as the server does.
static void
s_authenticate (s_fixture_t *f)
{
    json_t *req = s_request (f, "public/auth", 0);
    assert_non_null (req);
    json_t *params = json_object_get (req, "params");
    assert_string_equal (json_string_value (json_object_get (params, "grant_type")), "client_signature");
    assert_string_equal (json_string_value (json_object_get (params, "client_id")), S_KEY);
    long long ts = (long long) json_integer_value (json_object_get (params, "timestamp"));
    const char *nonce = json_string_value (json_object_get (params, "nonce"));
    const char *data = json_string_value (json_object_get (params, "data"));
    assert_true (ts > 1600000000000LL);
    assert_non_null (nonce);
    assert_true (strlen (nonce) >= 8);
    assert_non_null (data);
    char payload [256], expect [HB_SIGN_HEX_SIZE];
    int n = snprintf (payload, sizeof payload, "%lld\n%s\n%s", ts, nonce, data);
    assert_int_equal (hb_sign_hmac_hex (S_SECRET, strlen (S_SECRET), payload, (size_t) n,
                                        expect, sizeof expect), 0);
    assert_string_equal (json_string_value (json_object_get (params, "signature")), expect);
    json_decref (req);
    size_t sent = f->link.n;
    s_answer (f, "public/auth", "{\"access_token\":\"tok\",\"expires_in\":900,"
              "\"refresh_token\":\"r\",\"scope\":\"connection\",\"token_type\":\"bearer\"}");
    req = s_request (f, "private/subscribe", sent);
    assert_non_null (req);
    char *text = json_dumps (json_object_get (req, "params"), JSON_COMPACT);
    assert_non_null (strstr (text, "user.orders.any.any.raw"));
    assert_non_null (strstr (text, "user.trades.any.any.raw"));
    free (text);
    json_decref (req);
}

static hb_order_t
s_order (const char *symbol, const char *client_id, int side, int type, int tif, double qty, double px)
{
    hb_order_t order;
    memset (&order, 0, sizeof order);
    snprintf (order.venue, sizeof order.venue, "deribit");
    snprintf (order.symbol, sizeof order.symbol, "%s", symbol);
    snprintf (order.client_id, sizeof order.client_id, "%s", client_id);
    order.side = (uint8_t) side;
    order.ord_type = (uint8_t) type;
    order.tif = (uint8_t) tif;
    order.qty = qty;
    order.px = px;
    return order;
}

static const hb_ack_t *
s_last_ack (s_fixture_t *f)
{
    const hb_msg_t *msg = hb_testhost_last (f->host, HB_MSG_ACK, NULL);
    assert_non_null (msg);
    return &msg->u.ack;
}

static void
test_orders (void **state)
{
    s_fixture_t *f = (s_fixture_t *) *state;
    hb_order_t order = s_order ("BTC-PERP", "h-1", HB_SIDE_BUY, HB_ORD_LIMIT, HB_TIF_GTC, 3, 65000.3);
    //  before the connection is authenticated: outage
    assert_int_equal (deribit_venue_order (f->venue, &order), 0);
    assert_int_equal (s_last_ack (f)->status, HB_ACK_REJECTED);
    assert_int_equal (s_last_ack (f)->reason, HB_REJ_OUTAGE);
    s_model_t perp = { 0 };
    s_connect_with_books (f, &perp);
    //  a refused authentication is logged (without the secret) and retried later
    s_answer_error (f, "public/auth", 13004, "invalid_credentials");
    assert_int_equal (hb_testhost_logs (f->host, HB_LOG_ERROR, "invalid_credentials"), 1);
    assert_int_equal (deribit_venue_order (f->venue, &order), 0);
    assert_int_equal (s_last_ack (f)->reason, HB_REJ_OUTAGE);
    deribit_venue_on_close (f->venue, "again");
    s_connect_with_books (f, &perp);
    s_authenticate (f);

    //  the request: amount in USD (3 contracts of 10), limit on the 0.5 tick,
    //  rounded toward the safe side, label = client id
    size_t sent = f->link.n;
    assert_int_equal (deribit_venue_order (f->venue, &order), 0);
    json_t *req = s_request (f, "private/buy", sent);
    assert_non_null (req);
    json_t *params = json_object_get (req, "params");
    assert_string_equal (json_string_value (json_object_get (params, "instrument_name")), "BTC-PERPETUAL");
    assert_true (json_number_value (json_object_get (params, "amount")) == 30);
    assert_true (json_number_value (json_object_get (params, "price")) == 65000);
    assert_string_equal (json_string_value (json_object_get (params, "label")), "h-1");
    assert_string_equal (json_string_value (json_object_get (params, "type")), "limit");
    assert_string_equal (json_string_value (json_object_get (params, "time_in_force")), "good_til_cancelled");
    json_decref (req);
    //  the answer: partly filled at once. Fill first, then the ack
    size_t acks = hb_testhost_count_type (f->host, HB_MSG_ACK);
    s_answer (f, "private/buy", "{\"order\":{\"order_id\":\"BTC-9001\",\"label\":\"h-1\","
              "\"instrument_name\":\"BTC-PERPETUAL\",\"direction\":\"buy\",\"amount\":30,"
              "\"filled_amount\":10,\"average_price\":64999.5,\"order_state\":\"open\",\"price\":65000},"
              "\"trades\":[{\"trade_id\":\"T-1\",\"order_id\":\"BTC-9001\",\"label\":\"h-1\","
              "\"instrument_name\":\"BTC-PERPETUAL\",\"direction\":\"buy\",\"price\":64999.5,"
              "\"amount\":10,\"fee\":0.00000008,\"fee_currency\":\"BTC\",\"liquidity\":\"T\","
              "\"timestamp\":1700000001000,\"index_price\":64990}]}");
    const hb_msg_t *msg = hb_testhost_last (f->host, HB_MSG_FILL, NULL);
    assert_non_null (msg);
    const hb_fill_t *fill = &msg->u.fill;
    assert_string_equal (fill->symbol, "BTC-PERP");
    assert_string_equal (fill->client_id, "h-1");
    assert_string_equal (fill->order_id, "BTC-9001");
    assert_string_equal (fill->fill_id, "T-1");
    assert_true (fill->qty == 1 && fill->px == 64999.5);
    assert_string_equal (fill->fee_asset, "BTC");
    assert_true (fill->fee == 0.00000008);
    assert_int_equal (fill->liquidity, 2);
    assert_int_equal (hb_testhost_count_type (f->host, HB_MSG_ACK), acks + 1);
    const hb_ack_t *ack = s_last_ack (f);
    assert_int_equal (ack->status, HB_ACK_ACCEPTED);
    assert_true (ack->filled_qty == 1 && ack->leaves_qty == 2);
    assert_string_equal (ack->order_id, "BTC-9001");
    //  the same execution and order state again by notification: nothing new
    s_feed (f, "{\"jsonrpc\":\"2.0\",\"method\":\"subscription\",\"params\":{\"channel\":"
            "\"user.trades.any.any.raw\",\"data\":[{\"trade_id\":\"T-1\",\"order_id\":\"BTC-9001\","
            "\"label\":\"h-1\",\"instrument_name\":\"BTC-PERPETUAL\",\"direction\":\"buy\","
            "\"price\":64999.5,\"amount\":10,\"fee\":0.00000008,\"fee_currency\":\"BTC\","
            "\"liquidity\":\"T\",\"timestamp\":1700000001000}]}}");
    s_feed (f, "{\"jsonrpc\":\"2.0\",\"method\":\"subscription\",\"params\":{\"channel\":"
            "\"user.orders.any.any.raw\",\"data\":{\"order_id\":\"BTC-9001\",\"label\":\"h-1\","
            "\"instrument_name\":\"BTC-PERPETUAL\",\"direction\":\"buy\",\"amount\":30,"
            "\"filled_amount\":10,\"order_state\":\"open\"}}}");
    assert_int_equal (hb_testhost_count_type (f->host, HB_MSG_FILL), 1);
    assert_int_equal (hb_testhost_count_type (f->host, HB_MSG_ACK), acks + 1);
    assert_int_equal (s_stats (f).duplicate_fills, 1);
    //  the rest fills (maker): fill, then done
    s_feed (f, "{\"jsonrpc\":\"2.0\",\"method\":\"subscription\",\"params\":{\"channel\":"
            "\"user.trades.any.any.raw\",\"data\":[{\"trade_id\":\"T-2\",\"order_id\":\"BTC-9001\","
            "\"label\":\"h-1\",\"instrument_name\":\"BTC-PERPETUAL\",\"direction\":\"buy\","
            "\"price\":65000,\"amount\":20,\"fee\":-0.00000003,\"fee_currency\":\"BTC\","
            "\"liquidity\":\"M\",\"timestamp\":1700000002000}]}}");
    s_feed (f, "{\"jsonrpc\":\"2.0\",\"method\":\"subscription\",\"params\":{\"channel\":"
            "\"user.orders.any.any.raw\",\"data\":{\"order_id\":\"BTC-9001\",\"label\":\"h-1\","
            "\"instrument_name\":\"BTC-PERPETUAL\",\"direction\":\"buy\",\"amount\":30,"
            "\"filled_amount\":30,\"order_state\":\"filled\"}}}");
    fill = &hb_testhost_last (f->host, HB_MSG_FILL, NULL)->u.fill;
    assert_true (fill->qty == 2 && fill->fee < 0);
    assert_int_equal (fill->liquidity, 1);
    ack = s_last_ack (f);
    assert_int_equal (ack->status, HB_ACK_DONE);
    assert_true (ack->filled_qty == 3);
    assert_int_equal (fill->flags, 0);
    //  an execution under no label of ours (a trade on Deribit's web UI, a
    //  liquidation): real, published marked external under its order id
    s_feed (f, "{\"jsonrpc\":\"2.0\",\"method\":\"subscription\",\"params\":{\"channel\":"
            "\"user.trades.any.any.raw\",\"data\":[{\"trade_id\":\"T-W1\",\"order_id\":\"BTC-7777\","
            "\"label\":\"\",\"instrument_name\":\"BTC-PERPETUAL\",\"direction\":\"sell\","
            "\"price\":64000,\"amount\":50,\"fee\":0.0000001,\"fee_currency\":\"BTC\","
            "\"liquidity\":\"T\",\"timestamp\":1700000003000}]}}");
    fill = &hb_testhost_last (f->host, HB_MSG_FILL, NULL)->u.fill;
    assert_string_equal (fill->fill_id, "T-W1");
    assert_string_equal (fill->client_id, "BTC-7777");
    assert_int_equal (fill->flags, HB_FILL_EXTERNAL);
    assert_int_equal (fill->side, HB_SIDE_SELL);

    //  rejected by the venue: the reason mapped, the venue's words in the text
    order = s_order ("ETH-PERP", "h-2", HB_SIDE_SELL, HB_ORD_MARKET, HB_TIF_IOC, 5, 0);
    sent = f->link.n;
    assert_int_equal (deribit_venue_order (f->venue, &order), 0);
    req = s_request (f, "private/sell", sent);
    assert_non_null (req);
    params = json_object_get (req, "params");
    assert_string_equal (json_string_value (json_object_get (params, "type")), "market");
    assert_null (json_object_get (params, "price"));
    assert_true (json_number_value (json_object_get (params, "amount")) == 5);
    json_decref (req);
    s_answer_error (f, "private/sell", 10009, "not_enough_funds");
    ack = s_last_ack (f);
    assert_int_equal (ack->status, HB_ACK_REJECTED);
    assert_int_equal (ack->reason, HB_REJ_INSUFFICIENT_COLLATERAL);
    assert_string_equal (ack->client_id, "h-2");
    assert_non_null (strstr (ack->text, "not_enough_funds"));
    //  the client id is free again
    assert_int_equal (deribit_venue_order (f->venue, &order), 0);
    s_answer (f, "private/sell", "{\"order\":{\"order_id\":\"ETH-1\",\"label\":\"h-2\","
              "\"instrument_name\":\"ETH-PERPETUAL\",\"direction\":\"sell\",\"amount\":5,"
              "\"filled_amount\":0,\"order_state\":\"rejected\",\"reject_reason\":\"post_only_reject\"},"
              "\"trades\":[]}");
    assert_int_equal (s_last_ack (f)->status, HB_ACK_REJECTED);
    assert_int_equal (s_last_ack (f)->reason, HB_REJ_VENUE);

    //  an option: the USD limit in coin at the index (64000 from the ticker),
    //  a sell rounded up to Deribit's 0.0005 tick
    s_feed (f, "{\"jsonrpc\":\"2.0\",\"method\":\"subscription\",\"params\":{\"channel\":"
            "\"ticker.BTC-27DEC30-80000-C.100ms\",\"data\":{\"mark_price\":0.05,\"index_price\":64000}}}");
    order = s_order ("BTC-27DEC30-80000-C", "h-3", HB_SIDE_SELL, HB_ORD_LIMIT, HB_TIF_IOC, 0.5, 3300);
    sent = f->link.n;
    assert_int_equal (deribit_venue_order (f->venue, &order), 0);
    req = s_request (f, "private/sell", sent);
    params = json_object_get (req, "params");
    assert_true (fabs (json_number_value (json_object_get (params, "price")) - 0.052) < 1e-12);
    assert_true (json_number_value (json_object_get (params, "amount")) == 0.5);
    assert_string_equal (json_string_value (json_object_get (params, "time_in_force")), "immediate_or_cancel");
    json_decref (req);
    //  IOC partly filled: the fill in USD at the trade's index, then canceled
    s_answer (f, "private/sell", "{\"order\":{\"order_id\":\"BTC-OPT-1\",\"label\":\"h-3\","
              "\"instrument_name\":\"BTC-27DEC30-80000-C\",\"direction\":\"sell\",\"amount\":0.5,"
              "\"filled_amount\":0.2,\"order_state\":\"cancelled\",\"cancel_reason\":\"immediate_or_cancel\"},"
              "\"trades\":[{\"trade_id\":\"T-3\",\"order_id\":\"BTC-OPT-1\",\"label\":\"h-3\","
              "\"instrument_name\":\"BTC-27DEC30-80000-C\",\"direction\":\"sell\",\"price\":0.052,"
              "\"amount\":0.2,\"fee\":0.00006,\"fee_currency\":\"BTC\",\"liquidity\":\"T\","
              "\"timestamp\":5,\"index_price\":64100}]}");
    fill = &hb_testhost_last (f->host, HB_MSG_FILL, NULL)->u.fill;
    assert_true (fabs (fill->px - 0.052 * 64100) < 1e-9);
    assert_true (fill->qty == 0.2);
    ack = s_last_ack (f);
    assert_int_equal (ack->status, HB_ACK_CANCELED);
    assert_true (fabs (ack->filled_qty - 0.2) < 1e-12 && ack->leaves_qty == 0);

    //  local checks before anything is sent
    sent = f->link.n;
    order = s_order ("XRP-PERP", "h-4", HB_SIDE_BUY, HB_ORD_MARKET, HB_TIF_IOC, 1, 0);
    deribit_venue_order (f->venue, &order);
    assert_int_equal (s_last_ack (f)->reason, HB_REJ_UNKNOWN_INSTRUMENT);
    order = s_order ("BTC-PERP", "h-5", HB_SIDE_BUY, HB_ORD_MARKET, HB_TIF_IOC, 1.5, 0);
    deribit_venue_order (f->venue, &order);
    assert_int_equal (s_last_ack (f)->reason, HB_REJ_OFF_LOT);
    order = s_order ("BTC-27DEC30-80000-C", "h-6", HB_SIDE_BUY, HB_ORD_MARKET, HB_TIF_IOC, 0.05, 0);
    deribit_venue_order (f->venue, &order);
    assert_int_equal (s_last_ack (f)->reason, HB_REJ_BELOW_MIN_SIZE);
    assert_int_equal (f->link.n, sent);

    //  cancels: of a working order by its venue id; of an unknown one
    order = s_order ("BTC-PERP", "h-7", HB_SIDE_SELL, HB_ORD_LIMIT, HB_TIF_GTC, 1, 70000);
    deribit_venue_order (f->venue, &order);
    s_answer (f, "private/sell", "{\"order\":{\"order_id\":\"BTC-9002\",\"label\":\"h-7\","
              "\"instrument_name\":\"BTC-PERPETUAL\",\"direction\":\"sell\",\"amount\":10,"
              "\"filled_amount\":0,\"order_state\":\"open\"},\"trades\":[]}");
    assert_int_equal (s_last_ack (f)->status, HB_ACK_ACCEPTED);
    hb_cancel_t cancel = { .venue = "deribit", .symbol = "BTC-PERP", .client_id = "h-7" };
    sent = f->link.n;
    deribit_venue_cancel (f->venue, &cancel);
    req = s_request (f, "private/cancel", sent);
    assert_non_null (req);
    assert_string_equal (json_string_value (json_object_get (json_object_get (req, "params"), "order_id")),
                         "BTC-9002");
    json_decref (req);
    s_answer (f, "private/cancel", "{\"order_id\":\"BTC-9002\",\"label\":\"h-7\",\"instrument_name\":"
              "\"BTC-PERPETUAL\",\"direction\":\"sell\",\"amount\":10,\"filled_amount\":0,"
              "\"order_state\":\"cancelled\",\"cancel_reason\":\"user_request\"}");
    assert_int_equal (s_last_ack (f)->status, HB_ACK_CANCELED);
    deribit_venue_cancel (f->venue, &cancel);
    assert_int_equal (s_last_ack (f)->status, HB_ACK_REJECTED);
    assert_int_equal (s_last_ack (f)->reason, HB_REJ_UNKNOWN_ORDER);

    //  the order budget (burst 12, refill 0.001/s): 5 orders and a cancel
    //  went out so far, the next 6 go, the 13th is refused here without
    //  reaching the venue
    for (int i = 0; i < 6; i++) {
        char id [16];
        snprintf (id, sizeof id, "r-%d", i);
        order = s_order ("BTC-PERP", id, HB_SIDE_BUY, HB_ORD_MARKET, HB_TIF_IOC, 1, 0);
        sent = f->link.n;
        deribit_venue_order (f->venue, &order);
        assert_int_equal (f->link.n, sent + 1);
    }
    order = s_order ("BTC-PERP", "r-over", HB_SIDE_BUY, HB_ORD_MARKET, HB_TIF_IOC, 1, 0);
    sent = f->link.n;
    deribit_venue_order (f->venue, &order);
    assert_int_equal (f->link.n, sent);
    assert_int_equal (s_last_ack (f)->reason, HB_REJ_RATE_LIMIT);
    //  a duplicate client id of a working order
    order = s_order ("BTC-PERP", "r-0", HB_SIDE_BUY, HB_ORD_MARKET, HB_TIF_IOC, 1, 0);
    deribit_venue_order (f->venue, &order);
    assert_int_equal (s_last_ack (f)->reason, HB_REJ_DUPLICATE_ID);
}

//  Answers the last request of method whose params.key is value.
static void
s_answer_where (s_fixture_t *f, const char *method, const char *key, const char *value,
                const char *result)
{
    json_int_t id = -1;
    for (size_t i = f->link.n; i-- > 0 && id < 0;) {
        json_t *req = json_loads (f->link.frames [i], 0, NULL);
        assert_non_null (req);
        const char *v = json_string_value (json_object_get (json_object_get (req, "params"), key));
        if (strcmp (json_string_value (json_object_get (req, "method")), method) == 0
        &&  v && strcmp (v, value) == 0)
            id = json_integer_value (json_object_get (req, "id"));
        json_decref (req);
    }
    assert_true (id > 0);
    s_feed (f, "{\"jsonrpc\":\"2.0\",\"id\":%lld,\"result\":%s}", (long long) id, result);
}

//  Messages of type published for client_id (acks: of status, 0 any).
static size_t
s_count_for (s_fixture_t *f, int type, const char *client_id, int status)
{
    size_t n = 0;
    for (size_t i = 0; i < hb_testhost_count (f->host); i++) {
        const hb_msg_t *m = hb_testhost_msg (f->host, i);
        if (m->env.type != type)
            continue;
        const char *cid = type == HB_MSG_ACK ? m->u.ack.client_id : m->u.fill.client_id;
        if (strcmp (cid, client_id) == 0
        &&  (type != HB_MSG_ACK || status == 0 || m->u.ack.status == status))
            n++;
    }
    return n;
}

//  The connection drops with orders in flight (answers lost) and one
//  working: after the reconnect and the new authentication the plugin asks
//  the venue about each (by order id, or by label when it has none yet),
//  fetches the executions it missed, and publishes exactly one outcome per
//  order, fills before the final ack, none twice; an order the venue does
//  not know is rejected with a clear reason.
static void
test_reconnect_queries (void **state)
{
    s_fixture_t *f = (s_fixture_t *) *state;
    s_model_t perp = { 0 };
    s_connect_with_books (f, &perp);
    s_authenticate (f);
    //  q-1 rests (the venue gave its id); q-2 and q-3 are sent, unanswered
    hb_order_t order = s_order ("BTC-PERP", "q-1", HB_SIDE_BUY, HB_ORD_LIMIT, HB_TIF_GTC, 3, 64000);
    assert_int_equal (deribit_venue_order (f->venue, &order), 0);
    s_answer (f, "private/buy", "{\"order\":{\"order_id\":\"BTC-100\",\"label\":\"q-1\","
              "\"instrument_name\":\"BTC-PERPETUAL\",\"direction\":\"buy\",\"amount\":30,"
              "\"filled_amount\":0,\"order_state\":\"open\"},\"trades\":[]}");
    assert_int_equal (s_last_ack (f)->status, HB_ACK_ACCEPTED);
    order = s_order ("BTC-PERP", "q-2", HB_SIDE_SELL, HB_ORD_MARKET, HB_TIF_IOC, 2, 0);
    assert_int_equal (deribit_venue_order (f->venue, &order), 0);
    order = s_order ("BTC-PERP", "q-3", HB_SIDE_SELL, HB_ORD_MARKET, HB_TIF_IOC, 1, 0);
    assert_int_equal (deribit_venue_order (f->venue, &order), 0);
    size_t msgs = hb_testhost_count (f->host);
    deribit_venue_on_close (f->venue, "reset");
    //  nothing said about the orders yet (stale ticks only); no query before auth
    for (size_t i = msgs; i < hb_testhost_count (f->host); i++)
        assert_int_equal (hb_testhost_msg (f->host, i)->env.type, HB_MSG_TICK);
    size_t sent = f->link.n;
    s_connect_with_books (f, &perp);
    deribit_venue_poll (f->venue);
    assert_int_equal (s_count_requests (f, "private/get_order_state", sent), 0);
    s_authenticate (f);
    assert_int_equal (s_count_requests (f, "private/get_order_state", sent), 1);
    assert_int_equal (s_count_requests (f, "private/get_order_state_by_label", sent), 2);
    json_t *req = s_request (f, "private/get_order_state", sent);
    assert_string_equal (json_string_value (json_object_get (json_object_get (req, "params"), "order_id")),
                         "BTC-100");
    json_decref (req);
    req = s_request (f, "private/get_order_state_by_label", sent);
    assert_string_equal (json_string_value (json_object_get (json_object_get (req, "params"), "currency")),
                         "BTC");
    json_decref (req);
    assert_int_equal (s_stats (f).order_queries, 3);

    //  q-1 traded 10 of 30 USD while we were away: its execution, then the ack
    sent = f->link.n;
    s_answer_where (f, "private/get_order_state", "order_id", "BTC-100",
                    "{\"order_id\":\"BTC-100\",\"label\":\"q-1\",\"instrument_name\":\"BTC-PERPETUAL\","
                    "\"direction\":\"buy\",\"amount\":30,\"filled_amount\":10,\"order_state\":\"open\"}");
    assert_int_equal (s_count_for (f, HB_MSG_FILL, "q-1", 0), 0);
    req = s_request (f, "private/get_user_trades_by_order", sent);
    assert_non_null (req);
    json_decref (req);
    s_answer_where (f, "private/get_user_trades_by_order", "order_id", "BTC-100",
                    "[{\"trade_id\":\"T-A1\",\"order_id\":\"BTC-100\",\"label\":\"q-1\","
                    "\"instrument_name\":\"BTC-PERPETUAL\",\"direction\":\"buy\",\"price\":64000,"
                    "\"amount\":10,\"fee\":0,\"fee_currency\":\"BTC\",\"liquidity\":\"M\","
                    "\"timestamp\":1700000003000}]");
    assert_int_equal (s_count_for (f, HB_MSG_FILL, "q-1", 0), 1);
    const hb_ack_t *ack = s_last_ack (f);
    assert_string_equal (ack->client_id, "q-1");
    assert_int_equal (ack->status, HB_ACK_ACCEPTED);
    assert_true (ack->filled_qty == 1 && ack->leaves_qty == 2);
    assert_int_equal (hb_testhost_last (f->host, HB_MSG_FILL, NULL)->u.fill.liquidity, 1);

    //  q-2 reached the venue and filled in two executions; one of them also
    //  comes by notification before the query's answer: published once
    s_feed (f, "{\"jsonrpc\":\"2.0\",\"method\":\"subscription\",\"params\":{\"channel\":"
            "\"user.trades.any.any.raw\",\"data\":[{\"trade_id\":\"T-B1\",\"order_id\":\"BTC-101\","
            "\"label\":\"q-2\",\"instrument_name\":\"BTC-PERPETUAL\",\"direction\":\"sell\","
            "\"price\":64990,\"amount\":10,\"fee\":0.0000001,\"fee_currency\":\"BTC\","
            "\"liquidity\":\"T\",\"timestamp\":1700000004000}]}}");
    s_answer_where (f, "private/get_order_state_by_label", "label", "q-2",
                    "[{\"order_id\":\"BTC-101\",\"label\":\"q-2\",\"instrument_name\":\"BTC-PERPETUAL\","
                    "\"direction\":\"sell\",\"amount\":20,\"filled_amount\":20,\"order_state\":\"filled\"}]");
    assert_int_equal (s_count_for (f, HB_MSG_ACK, "q-2", 0), 0);
    s_answer_where (f, "private/get_user_trades_by_order", "order_id", "BTC-101",
                    "[{\"trade_id\":\"T-B1\",\"order_id\":\"BTC-101\",\"label\":\"q-2\","
                    "\"instrument_name\":\"BTC-PERPETUAL\",\"direction\":\"sell\",\"price\":64990,"
                    "\"amount\":10,\"fee\":0.0000001,\"fee_currency\":\"BTC\",\"liquidity\":\"T\","
                    "\"timestamp\":1700000004000},"
                    "{\"trade_id\":\"T-B2\",\"order_id\":\"BTC-101\",\"label\":\"q-2\","
                    "\"instrument_name\":\"BTC-PERPETUAL\",\"direction\":\"sell\",\"price\":64989.5,"
                    "\"amount\":10,\"fee\":0.0000001,\"fee_currency\":\"BTC\",\"liquidity\":\"T\","
                    "\"timestamp\":1700000004001}]");
    assert_int_equal (s_count_for (f, HB_MSG_FILL, "q-2", 0), 2);
    ack = s_last_ack (f);
    assert_string_equal (ack->client_id, "q-2");
    assert_int_equal (ack->status, HB_ACK_DONE);
    assert_true (ack->filled_qty == 2);
    assert_string_equal (ack->order_id, "BTC-101");
    //  the late notification of the same: nothing more
    s_feed (f, "{\"jsonrpc\":\"2.0\",\"method\":\"subscription\",\"params\":{\"channel\":"
            "\"user.orders.any.any.raw\",\"data\":{\"order_id\":\"BTC-101\",\"label\":\"q-2\","
            "\"instrument_name\":\"BTC-PERPETUAL\",\"direction\":\"sell\",\"amount\":20,"
            "\"filled_amount\":20,\"order_state\":\"filled\"}}}");
    assert_int_equal (s_count_for (f, HB_MSG_ACK, "q-2", 0), 1);
    assert_int_equal (s_count_for (f, HB_MSG_FILL, "q-2", 0), 2);

    //  q-3 never reached the venue: rejected, saying so
    s_answer_where (f, "private/get_order_state_by_label", "label", "q-3", "[]");
    ack = s_last_ack (f);
    assert_string_equal (ack->client_id, "q-3");
    assert_int_equal (ack->status, HB_ACK_REJECTED);
    assert_int_equal (ack->reason, HB_REJ_VENUE);
    assert_non_null (strstr (ack->text, "does not know"));
    assert_int_equal (s_count_for (f, HB_MSG_ACK, "q-3", 0), 1);
    //  the client id is free again; q-1 still works (a cancel goes by its id)
    order = s_order ("BTC-PERP", "q-3", HB_SIDE_SELL, HB_ORD_MARKET, HB_TIF_IOC, 1, 0);
    sent = f->link.n;
    assert_int_equal (deribit_venue_order (f->venue, &order), 0);
    assert_int_equal (s_count_requests (f, "private/sell", sent), 1);
    hb_cancel_t cancel = { .venue = "deribit", .symbol = "BTC-PERP", .client_id = "q-1" };
    sent = f->link.n;
    deribit_venue_cancel (f->venue, &cancel);
    assert_int_equal (s_count_requests (f, "private/cancel", sent), 1);
    //  a token renewal queries nothing again
    sent = f->link.n;
    deribit_venue_poll (f->venue);
    assert_int_equal (s_count_requests (f, "private/get_order_state", sent), 0);
}

//  An order known by id that the venue no longer knows: rejected.
static void
test_reconnect_unknown_id (void **state)
{
    s_fixture_t *f = (s_fixture_t *) *state;
    s_model_t perp = { 0 };
    s_connect_with_books (f, &perp);
    s_authenticate (f);
    hb_order_t order = s_order ("BTC-PERP", "u-1", HB_SIDE_BUY, HB_ORD_LIMIT, HB_TIF_GTC, 1, 64000);
    assert_int_equal (deribit_venue_order (f->venue, &order), 0);
    s_answer (f, "private/buy", "{\"order\":{\"order_id\":\"BTC-200\",\"label\":\"u-1\","
              "\"instrument_name\":\"BTC-PERPETUAL\",\"direction\":\"buy\",\"amount\":10,"
              "\"filled_amount\":0,\"order_state\":\"open\"},\"trades\":[]}");
    deribit_venue_on_close (f->venue, "reset");
    s_connect_with_books (f, &perp);
    s_authenticate (f);
    //  a refusal other than "not found" is asked again on the next poll
    s_answer_error (f, "private/get_order_state", 10040, "retry");
    assert_int_equal (s_count_for (f, HB_MSG_ACK, "u-1", HB_ACK_REJECTED), 0);
    size_t sent = f->link.n;
    deribit_venue_poll (f->venue);
    assert_int_equal (s_count_requests (f, "private/get_order_state", sent), 1);
    s_answer_error (f, "private/get_order_state", 10004, "order_not_found");
    const hb_ack_t *ack = s_last_ack (f);
    assert_string_equal (ack->client_id, "u-1");
    assert_int_equal (ack->status, HB_ACK_REJECTED);
    assert_non_null (strstr (ack->text, "does not know"));
    assert_int_equal (s_count_for (f, HB_MSG_ACK, "u-1", HB_ACK_REJECTED), 1);
}

//  A venue the engine cannot serve is refused at creation, naming why.
int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test_setup_teardown (test_orders, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_reconnect_queries, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_reconnect_unknown_id, s_setup, s_teardown),
    };
    return cmocka_run_group_tests_name ("deribit_order", tests, NULL, NULL);
}
