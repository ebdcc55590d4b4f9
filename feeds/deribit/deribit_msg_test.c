/*  deribit_msg tests: frames in Deribit's documented JSON-RPC format, and
    broken ones, into deribit_msg_t.                                         */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>
#include "deribit_msg.h"

static hb_json_t *s_parser;

static int
s_parse (deribit_msg_t *msg, const char *text)
{
    return deribit_msg_parse (msg, s_parser, text, strlen (text));
}

static int
s_setup (void **state)
{
    (void) state;
    s_parser = hb_json_new (0, 0);
    return s_parser ? 0 : -1;
}

static int
s_teardown (void **state)
{
    (void) state;
    hb_json_destroy (&s_parser);
    return 0;
}

static void
test_book (void **state)
{
    (void) state;
    deribit_msg_t msg = { 0 };
    assert_int_equal (s_parse (&msg,
        "{\"jsonrpc\":\"2.0\",\"method\":\"subscription\",\"params\":{\"channel\":"
        "\"book.BTC-PERPETUAL.100ms\",\"data\":{\"type\":\"snapshot\",\"timestamp\":1554373962454,"
        "\"instrument_name\":\"BTC-PERPETUAL\",\"change_id\":297217,"
        "\"bids\":[[\"new\",5042.34,30],[\"new\",5041.94,20]],"
        "\"asks\":[[\"new\",5042.64,40]]}}}"), DERIBIT_MSG_BOOK);
    assert_string_equal (msg.instrument, "BTC-PERPETUAL");
    assert_true (msg.book.snapshot);
    assert_int_equal (msg.book.change_id, 297217);
    assert_int_equal (msg.book.timestamp_ms, 1554373962454LL);
    assert_int_equal (json_array_size (msg.book.bids), 2);
    deribit_level_t level;
    char err [128];
    assert_int_equal (deribit_level_at (msg.book.bids, 1, &level, err, sizeof err), 0);
    assert_int_equal (level.action, DERIBIT_ACTION_NEW);
    assert_true (level.price == 5041.94 && level.amount == 20);

    assert_int_equal (s_parse (&msg,
        "{\"jsonrpc\":\"2.0\",\"method\":\"subscription\",\"params\":{\"channel\":"
        "\"book.BTC-27DEC24-60000-C.raw\",\"data\":{\"type\":\"change\",\"timestamp\":1,"
        "\"change_id\":11,\"prev_change_id\":10,"
        "\"bids\":[[\"delete\",0.0105,0]],\"asks\":[[\"change\",0.011,2.5],[\"bogus\",1,1],"
        "[\"new\",-1,1],[\"new\",1,-1],[\"new\",1],5]}}}"), DERIBIT_MSG_BOOK);
    assert_string_equal (msg.instrument, "BTC-27DEC24-60000-C");
    assert_false (msg.book.snapshot);
    assert_int_equal (msg.book.prev_change_id, 10);
    assert_int_equal (deribit_level_at (msg.book.bids, 0, &level, err, sizeof err), 0);
    assert_int_equal (level.action, DERIBIT_ACTION_DELETE);
    assert_int_equal (deribit_level_at (msg.book.asks, 0, &level, err, sizeof err), 0);
    assert_int_equal (level.action, DERIBIT_ACTION_CHANGE);
    assert_int_equal (deribit_level_at (msg.book.asks, 1, &level, err, sizeof err), -1);
    assert_non_null (strstr (err, "bogus"));
    assert_int_equal (deribit_level_at (msg.book.asks, 2, &level, err, sizeof err), -1);
    assert_non_null (strstr (err, "price"));
    assert_int_equal (deribit_level_at (msg.book.asks, 3, &level, err, sizeof err), -1);
    assert_non_null (strstr (err, "amount"));
    assert_int_equal (deribit_level_at (msg.book.asks, 4, &level, err, sizeof err), -1);
    assert_int_equal (deribit_level_at (msg.book.asks, 5, &level, err, sizeof err), -1);
    assert_int_equal (deribit_level_at (msg.book.asks, 6, &level, err, sizeof err), -1);

    //  a change without prev_change_id cannot be sequenced
    assert_int_equal (s_parse (&msg,
        "{\"method\":\"subscription\",\"params\":{\"channel\":\"book.X.100ms\",\"data\":"
        "{\"type\":\"change\",\"change_id\":11,\"bids\":[],\"asks\":[]}}}"), DERIBIT_MSG_MALFORMED);
    assert_non_null (strstr (msg.error, "prev_change_id"));
    assert_int_equal (s_parse (&msg,
        "{\"method\":\"subscription\",\"params\":{\"channel\":\"book.X.100ms\",\"data\":"
        "{\"type\":\"snapshot\",\"change_id\":\"11\",\"bids\":[],\"asks\":[]}}}"), DERIBIT_MSG_MALFORMED);
    assert_non_null (strstr (msg.error, "change_id"));
    assert_int_equal (s_parse (&msg,
        "{\"method\":\"subscription\",\"params\":{\"channel\":\"book.X.100ms\",\"data\":"
        "{\"type\":\"snapshot\",\"change_id\":1,\"bids\":{},\"asks\":[]}}}"), DERIBIT_MSG_MALFORMED);
    assert_int_equal (s_parse (&msg,
        "{\"method\":\"subscription\",\"params\":{\"channel\":\"book..100ms\",\"data\":"
        "{\"type\":\"snapshot\",\"change_id\":1,\"bids\":[],\"asks\":[]}}}"), DERIBIT_MSG_MALFORMED);
    deribit_msg_reset (&msg);
}

static void
test_ticker_trades (void **state)
{
    (void) state;
    deribit_msg_t msg = { 0 };
    assert_int_equal (s_parse (&msg,
        "{\"jsonrpc\":\"2.0\",\"method\":\"subscription\",\"params\":{\"channel\":"
        "\"ticker.BTC-27DEC24-60000-C.100ms\",\"data\":{\"timestamp\":1700000000000,"
        "\"mark_price\":0.0521,\"mark_iv\":55.2,\"index_price\":65000.5,\"underlying_price\":65500,"
        "\"best_bid_price\":0.051,\"best_ask_price\":0.053,\"state\":\"open\","
        "\"greeks\":{\"delta\":0.54,\"gamma\":0.00003,\"vega\":95.1,\"theta\":-40.2,\"rho\":12.3}}}}"),
        DERIBIT_MSG_TICKER);
    assert_true (msg.ticker.has_iv);
    assert_true (msg.ticker.mark_iv == 55.2);
    assert_true (msg.ticker.mark_price == 0.0521);
    assert_true (msg.ticker.index_price == 65000.5);
    assert_true (msg.ticker.has_greeks && msg.ticker.delta == 0.54 && msg.ticker.theta == -40.2);
    assert_string_equal (msg.ticker.state, "open");
    //  a perpetual: no iv, no greeks
    assert_int_equal (s_parse (&msg,
        "{\"method\":\"subscription\",\"params\":{\"channel\":\"ticker.BTC-PERPETUAL.100ms\","
        "\"data\":{\"mark_price\":65010.5,\"index_price\":65000,\"mark_iv\":null}}}"), DERIBIT_MSG_TICKER);
    assert_false (msg.ticker.has_iv);
    assert_false (msg.ticker.has_greeks);
    assert_int_equal (s_parse (&msg,
        "{\"method\":\"subscription\",\"params\":{\"channel\":\"ticker.BTC-PERPETUAL.100ms\","
        "\"data\":{\"mark_price\":\"65010.5\"}}}"), DERIBIT_MSG_MALFORMED);
    assert_non_null (strstr (msg.error, "mark_price"));

    assert_int_equal (s_parse (&msg,
        "{\"method\":\"subscription\",\"params\":{\"channel\":\"trades.BTC-PERPETUAL.100ms\","
        "\"data\":[{\"trade_id\":\"48079254\",\"instrument_name\":\"BTC-PERPETUAL\",\"price\":65000.5,"
        "\"amount\":120,\"direction\":\"sell\",\"timestamp\":1700000000123,\"index_price\":65001},"
        "{\"trade_id\":7,\"instrument_name\":\"BTC-PERPETUAL\"}]}}"), DERIBIT_MSG_TRADES);
    assert_int_equal (json_array_size (msg.trades), 2);
    deribit_trade_t trade;
    char err [128];
    assert_int_equal (deribit_trade_at (msg.trades, 0, &trade, err, sizeof err), 0);
    assert_string_equal (trade.trade_id, "48079254");
    assert_int_equal (trade.side, HB_SIDE_SELL);
    assert_true (trade.price == 65000.5 && trade.amount == 120);
    assert_int_equal (trade.timestamp_ms, 1700000000123LL);
    assert_int_equal (deribit_trade_at (msg.trades, 1, &trade, err, sizeof err), -1);
    assert_non_null (strstr (err, "trade_id"));
    assert_int_equal (deribit_trade_at (msg.trades, 2, &trade, err, sizeof err), -1);
    deribit_msg_reset (&msg);
}

static void
test_private (void **state)
{
    (void) state;
    deribit_msg_t msg = { 0 };
    assert_int_equal (s_parse (&msg,
        "{\"jsonrpc\":\"2.0\",\"method\":\"subscription\",\"params\":{\"channel\":"
        "\"user.orders.any.any.raw\",\"data\":{\"order_id\":\"ETH-584849853\",\"label\":\"h-1\","
        "\"instrument_name\":\"ETH-PERPETUAL\",\"direction\":\"buy\",\"amount\":40,"
        "\"filled_amount\":10,\"average_price\":3400.5,\"order_state\":\"open\","
        "\"price\":3401,\"last_update_timestamp\":1700000000001}}}"), DERIBIT_MSG_USER_ORDER);
    assert_string_equal (msg.order.order_id, "ETH-584849853");
    assert_string_equal (msg.order.label, "h-1");
    assert_int_equal (msg.order.state, DERIBIT_ORDER_OPEN);
    assert_true (msg.order.filled_amount == 10 && msg.order.amount == 40);
    assert_int_equal (s_parse (&msg,
        "{\"method\":\"subscription\",\"params\":{\"channel\":\"user.orders.any.any.raw\","
        "\"data\":{\"order_id\":\"1\",\"instrument_name\":\"X\",\"direction\":\"buy\",\"amount\":4,"
        "\"filled_amount\":5,\"order_state\":\"open\"}}}"), DERIBIT_MSG_MALFORMED);
    assert_non_null (strstr (msg.error, "filled_amount"));
    assert_int_equal (s_parse (&msg,
        "{\"method\":\"subscription\",\"params\":{\"channel\":\"user.orders.any.any.raw\","
        "\"data\":{\"order_id\":\"1\",\"instrument_name\":\"X\",\"direction\":\"buy\",\"amount\":4,"
        "\"order_state\":\"sleeping\"}}}"), DERIBIT_MSG_MALFORMED);
    assert_non_null (strstr (msg.error, "order_state"));

    assert_int_equal (s_parse (&msg,
        "{\"method\":\"subscription\",\"params\":{\"channel\":\"user.trades.any.any.raw\","
        "\"data\":[{\"trade_id\":\"ETH-1\",\"order_id\":\"ETH-584849853\",\"label\":\"h-1\","
        "\"instrument_name\":\"ETH-PERPETUAL\",\"direction\":\"buy\",\"price\":3400.5,\"amount\":10,"
        "\"fee\":0.0000015,\"fee_currency\":\"ETH\",\"liquidity\":\"T\",\"timestamp\":5}]}}"),
        DERIBIT_MSG_USER_TRADES);
    deribit_trade_t trade;
    char err [128];
    assert_int_equal (deribit_trade_at (msg.trades, 0, &trade, err, sizeof err), 0);
    assert_string_equal (trade.fee_currency, "ETH");
    assert_int_equal (trade.liquidity, 2);
    assert_string_equal (trade.label, "h-1");

    //  responses
    assert_int_equal (s_parse (&msg,
        "{\"jsonrpc\":\"2.0\",\"id\":42,\"error\":{\"code\":10009,\"message\":\"not_enough_funds\"}}"),
        DERIBIT_MSG_RESPONSE);
    assert_int_equal (msg.response.id, 42);
    assert_true (msg.response.is_error);
    assert_int_equal (msg.response.error_code, 10009);
    assert_string_equal (msg.response.error_message, "not_enough_funds");
    assert_int_equal (s_parse (&msg,
        "{\"jsonrpc\":\"2.0\",\"id\":43,\"result\":{\"access_token\":\"x\"}}"), DERIBIT_MSG_RESPONSE);
    assert_false (msg.response.is_error);
    assert_true (json_is_object (msg.response.result));
    assert_int_equal (s_parse (&msg, "{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"result\":1}"),
                      DERIBIT_MSG_MALFORMED);
    deribit_msg_reset (&msg);
}

static void
test_other (void **state)
{
    (void) state;
    deribit_msg_t msg = { 0 };
    assert_int_equal (s_parse (&msg,
        "{\"jsonrpc\":\"2.0\",\"method\":\"heartbeat\",\"params\":{\"type\":\"test_request\"}}"),
        DERIBIT_MSG_HEARTBEAT);
    assert_true (msg.test_request);
    assert_int_equal (s_parse (&msg,
        "{\"jsonrpc\":\"2.0\",\"method\":\"heartbeat\",\"params\":{\"type\":\"heartbeat\"}}"),
        DERIBIT_MSG_HEARTBEAT);
    assert_false (msg.test_request);
    assert_int_equal (s_parse (&msg, "{\"jsonrpc\":\"2.0\",\"method\":\"announcement\",\"params\":{}}"),
                      DERIBIT_MSG_UNKNOWN);
    assert_non_null (strstr (msg.error, "announcement"));
    assert_int_equal (s_parse (&msg,
        "{\"method\":\"subscription\",\"params\":{\"channel\":\"deribit_price_index.btc_usd\",\"data\":{}}}"),
        DERIBIT_MSG_UNKNOWN);
    const char *bad [] = { "", "{", "[1,2]", "null", "{\"a\":1}", "{\"jsonrpc\":\"2.0\",\"id\":1}",
                           "{\"method\":\"subscription\"}", "{\"method\":\"subscription\",\"params\":{}}",
                           "{\"method\":\"subscription\",\"params\":{\"channel\":\"book.X.raw\"}}",
                           "{\"a\":1,\"a\":2}", "{\"x\":1e999}" };
    for (size_t i = 0; i < sizeof bad / sizeof bad [0]; i++) {
        assert_int_equal (s_parse (&msg, bad [i]), DERIBIT_MSG_MALFORMED);
        assert_true (strlen (msg.error) > 0);
    }
    //  bytes after a NUL, and a frame that is not text at all
    assert_int_equal (deribit_msg_parse (&msg, s_parser, "{}\0{}", 5), DERIBIT_MSG_MALFORMED);
    assert_string_equal (deribit_msg_kind_name (DERIBIT_MSG_BOOK), "book");
    assert_string_equal (deribit_msg_kind_name (99), "?");
    deribit_msg_reset (&msg);
    deribit_msg_reset (NULL);
}

//  public/get_instruments objects in hb units; a combo is 0; a bad field
//  is named
static void
test_instrument (void **state)
{
    (void) state;
    hb_instrument_t ins;
    char err [128];
    json_t *o = json_loads ("{\"instrument_name\":\"BTC-PERPETUAL\",\"kind\":\"future\","
        "\"instrument_type\":\"reversed\",\"base_currency\":\"BTC\",\"settlement_currency\":\"BTC\","
        "\"contract_size\":10,\"tick_size\":0.5,\"min_trade_amount\":10,"
        "\"expiration_timestamp\":32503708800000,\"settlement_period\":\"perpetual\"}", 0, NULL);
    assert_int_equal (deribit_instrument_parse (o, &ins, err, sizeof err), 1);
    assert_int_equal (ins.kind, HB_KIND_INVERSE_PERP);
    assert_int_equal (ins.flags, HB_INSTRUMENT_INVERSE);
    assert_true (ins.multiplier == 10 && ins.lot_size == 1 && ins.min_qty == 1 && ins.expiry_ns == 0);
    json_object_set_new (o, "kind", json_string ("future_combo"));
    assert_int_equal (deribit_instrument_parse (o, &ins, err, sizeof err), 0);
    json_object_set_new (o, "kind", json_string ("option"));
    json_object_set_new (o, "contract_size", json_real (1));
    json_object_set_new (o, "min_trade_amount", json_real (0.1));
    json_object_set_new (o, "expiration_timestamp", json_integer (1924934400000));
    json_object_set_new (o, "settlement_period", json_string ("month"));
    json_object_set_new (o, "strike", json_real (80000));
    json_object_set_new (o, "option_type", json_string ("put"));
    assert_int_equal (deribit_instrument_parse (o, &ins, err, sizeof err), 1);
    assert_int_equal (ins.kind, HB_KIND_OPTION);
    assert_int_equal (ins.flags, 0);
    assert_true (ins.strike == 80000 && ins.expiry_ns == 1924934400000000000ll && ins.lot_size == 0.1);
    snprintf (ins.venue, sizeof ins.venue, "deribit");
    assert_null (hb_instrument_check (&ins));
    json_object_set_new (o, "option_type", json_string ("straddle"));
    assert_int_equal (deribit_instrument_parse (o, &ins, err, sizeof err), -1);
    assert_non_null (strstr (err, "option_type"));
    json_object_set_new (o, "contract_size", json_real (-1));
    assert_int_equal (deribit_instrument_parse (o, &ins, err, sizeof err), -1);
    assert_non_null (strstr (err, "contract_size"));
    assert_int_equal (deribit_instrument_parse (NULL, &ins, err, sizeof err), -1);
    json_decref (o);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_book),
        cmocka_unit_test (test_ticker_trades),
        cmocka_unit_test (test_private),
        cmocka_unit_test (test_instrument),
        cmocka_unit_test (test_other),
    };
    return cmocka_run_group_tests_name ("deribit_msg", tests, s_setup, s_teardown);
}
