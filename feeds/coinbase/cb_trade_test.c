/*  cb_trade tests: request bodies, the signature (against a vector from
    Python's hmac), answers to acks, user channel updates to fills, stale
    handles, local rejects. No transport.                                  */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cb_trade.h"
#include "hb_json.h"
#include "hb_sign.h"
#include "hb_testsink.h"

typedef struct {
    hb_venue_cfg_t venue;
    cb_md_t       *md;
    cb_trade_t    *trade;
    hb_testsink_t  sink;
} s_fix_t;

static int
s_setup (void **state)
{
    s_fix_t *fix = (s_fix_t *) calloc (1, sizeof *fix);
    snprintf (fix->venue.name, HB_NAME_MAX, "cb");
    hb_venue_cfg_alloc (&fix->venue, 1, 1);
    fix->venue.n_instruments = 1;
    hb_instrument_cfg_t *inst = &fix->venue.instruments [0];
    snprintf (inst->symbol, HB_NAME_MAX, "BTC-USD");
    inst->kind = HB_KIND_SPOT;
    inst->multiplier = 1;
    inst->tick_size = 0.01;
    inst->lot_size = 0.0001;
    inst->min_qty = 0.001;
    char err [128];
    fix->md = cb_md_new (&fix->venue, hb_testsink_emit, NULL, &fix->sink, err, sizeof err);
    fix->trade = cb_trade_new (&fix->venue, fix->md, hb_testsink_emit, &fix->sink, 1);
    assert_non_null (fix->trade);
    *state = fix;
    return 0;
}

static int
s_teardown (void **state)
{
    s_fix_t *fix = (s_fix_t *) *state;
    cb_trade_destroy (&fix->trade);
    cb_md_destroy (&fix->md);
    hb_venue_cfg_release (&fix->venue);
    free (fix);
    return 0;
}

static hb_order_t
s_order (const char *id, int type, int tif, double qty, double px)
{
    hb_order_t o = { .side = HB_SIDE_BUY, .ord_type = (uint8_t) type, .tif = (uint8_t) tif,
                     .qty = qty, .px = px };
    snprintf (o.symbol, HB_NAME_MAX, "BTC-USD");
    snprintf (o.client_id, HB_ID_MAX, "%s", id);
    return o;
}

static void
test_sign_vector (void **state)
{
    (void) state;
    char sig [HB_SIGN_HEX_SIZE];
    assert_int_equal (cb_trade_sign ("secret-1", 8, "1714557600POST/api/v3/brokerage/orders{\"a\":1}",
                                     sig, sizeof sig), 0);
    assert_string_equal (sig, "82b06eae31c0f7b861309956d365d1fa24c27ed8a8d9b4d0a84a8217c76ecbc1");
    assert_int_equal (cb_trade_sign ("k", 1, "x", sig, 10), -1);
}

static void
test_bodies_and_local_rejects (void **state)
{
    s_fix_t *fix = (s_fix_t *) *state;
    char body [512];
    hb_order_t o = s_order ("a1", HB_ORD_MARKET, HB_TIF_IOC, 0.0125, 0);
    assert_true (cb_trade_order (fix->trade, &o, body, sizeof body) >= 0);
    assert_string_equal (body, "{\"client_order_id\":\"a1\",\"product_id\":\"BTC-USD\",\"side\":\"BUY\","
                         "\"order_configuration\":{\"market_market_ioc\":{\"base_size\":\"0.0125\"}}}");
    o = s_order ("a2", HB_ORD_LIMIT, HB_TIF_GTC, 0.5, 60000.5);
    assert_true (cb_trade_order (fix->trade, &o, body, sizeof body) >= 0);
    assert_non_null (strstr (body, "\"limit_limit_gtc\":{\"base_size\":\"0.5\",\"limit_price\":\"60000.5\",\"post_only\":false}"));
    o = s_order ("a3", HB_ORD_LIMIT, HB_TIF_IOC, 0.5, 60000);
    assert_true (cb_trade_order (fix->trade, &o, body, sizeof body) >= 0);
    assert_non_null (strstr (body, "\"sor_limit_ioc\":{\"base_size\":\"0.5\",\"limit_price\":\"60000\"}"));
    assert_int_equal (fix->sink.n, 0);
    struct { hb_order_t o; int reason; } bad [] = {
        { s_order ("a1", HB_ORD_MARKET, HB_TIF_IOC, 0.01, 0), HB_REJ_DUPLICATE_ID },
        { s_order ("b1", HB_ORD_MARKET, HB_TIF_IOC, 0.0001, 0), HB_REJ_BELOW_MIN_SIZE },
        { s_order ("b2", HB_ORD_MARKET, HB_TIF_IOC, 0.00105, 0), HB_REJ_OFF_LOT },
        { s_order ("b3", HB_ORD_LIMIT, HB_TIF_IOC, 0.01, 0), HB_REJ_BAD_PRICE },
        { s_order ("b4", 9, HB_TIF_IOC, 0.01, 0), HB_REJ_BAD_ORDER },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad [0]; i++) {
        assert_int_equal (cb_trade_order (fix->trade, &bad [i].o, body, sizeof body), -1);
        assert_int_equal (fix->sink.msgs [i].u.ack.status, HB_ACK_REJECTED);
        assert_int_equal (fix->sink.msgs [i].u.ack.reason, bad [i].reason);
    }
    hb_order_t unknown = s_order ("c1", HB_ORD_MARKET, HB_TIF_IOC, 0.01, 0);
    snprintf (unknown.symbol, HB_NAME_MAX, "DOGE-USD");
    assert_int_equal (cb_trade_order (fix->trade, &unknown, body, sizeof body), -1);
    assert_int_equal (fix->sink.msgs [5].u.ack.reason, HB_REJ_UNKNOWN_INSTRUMENT);
    assert_int_equal (cb_trade_inflight (fix->trade), 3);
}

static void
test_answers_and_fills (void **state)
{
    s_fix_t *fix = (s_fix_t *) *state;
    char body [512];
    hb_order_t o = s_order ("f1", HB_ORD_LIMIT, HB_TIF_GTC, 1, 60000);
    int h = cb_trade_order (fix->trade, &o, body, sizeof body);
    cb_trade_on_response (fix->trade, h, 200,
        "{\"success\":true,\"success_response\":{\"order_id\":\"OID\",\"client_order_id\":\"f1\"}}");
    assert_int_equal (fix->sink.n, 1);
    assert_int_equal (fix->sink.msgs [0].u.ack.status, HB_ACK_ACCEPTED);
    assert_string_equal (fix->sink.msgs [0].u.ack.order_id, "OID");
    //  user updates: OPEN, a partial fill (maker: it rested), then the rest
    hb_json_t *json = hb_json_new (0, 0);
    const char *updates [] = {
        "[{\"type\":\"update\",\"orders\":[{\"order_id\":\"OID\",\"client_order_id\":\"f1\",\"status\":\"OPEN\","
        "\"cumulative_quantity\":\"0\",\"filled_value\":\"0\",\"total_fees\":\"0\"}]}]",
        "[{\"type\":\"update\",\"orders\":[{\"order_id\":\"OID\",\"client_order_id\":\"f1\",\"status\":\"OPEN\","
        "\"cumulative_quantity\":\"0.4\",\"filled_value\":\"24000\",\"total_fees\":\"9.6\"}]}]",
        "[{\"type\":\"update\",\"orders\":[{\"order_id\":\"OID\",\"client_order_id\":\"f1\",\"status\":\"FILLED\","
        "\"cumulative_quantity\":\"1\",\"filled_value\":\"60003\",\"total_fees\":\"24\"}]}]",
    };
    for (int i = 0; i < 3; i++)
        assert_int_equal (cb_trade_on_user (fix->trade, hb_json_parse (json, updates [i],
                                            strlen (updates [i]), NULL, 0), 5), 0);
    assert_int_equal (fix->sink.n, 4);
    const hb_fill_t *f1 = &fix->sink.msgs [1].u.fill, *f2 = &fix->sink.msgs [2].u.fill;
    assert_int_equal (fix->sink.msgs [1].env.type, HB_MSG_FILL);
    assert_string_equal (f1->fill_id, "OID-1");
    assert_true (fabs (f1->qty - 0.4) < 1e-12 && fabs (f1->px - 60000) < 1e-9);
    assert_true (fabs (f1->fee - 9.6) < 1e-9);
    assert_int_equal (f1->liquidity, 1);
    assert_string_equal (f2->fill_id, "OID-2");
    assert_true (fabs (f2->qty - 0.6) < 1e-12 && fabs (f2->px - 60005) < 1e-6);
    assert_true (fabs (f2->fee - 14.4) < 1e-9);
    assert_int_equal (fix->sink.msgs [3].u.ack.status, HB_ACK_DONE);
    assert_true (fabs (fix->sink.msgs [3].u.ack.filled_qty - 1) < 1e-12);
    assert_int_equal (cb_trade_inflight (fix->trade), 0);
    //  a late answer for the ended order is ignored (its handle is stale)
    cb_trade_on_response (fix->trade, h, 200, "{\"success\":false}");
    assert_int_equal (fix->sink.n, 4);
    //  a venue reject, and a transport failure
    o = s_order ("r1", HB_ORD_MARKET, HB_TIF_IOC, 0.01, 0);
    h = cb_trade_order (fix->trade, &o, body, sizeof body);
    cb_trade_on_response (fix->trade, h, 200, "{\"success\":false,\"error_response\":{\"error\":"
                          "\"INSUFFICIENT_FUND\",\"message\":\"Insufficient balance\"}}");
    assert_int_equal (fix->sink.msgs [4].u.ack.reason, HB_REJ_INSUFFICIENT_COLLATERAL);
    assert_non_null (strstr (fix->sink.msgs [4].u.ack.text, "Insufficient balance"));
    o = s_order ("r2", HB_ORD_MARKET, HB_TIF_IOC, 0.01, 0);
    h = cb_trade_order (fix->trade, &o, body, sizeof body);
    cb_trade_on_response (fix->trade, h, 429, "{\"error\":\"TOO_MANY\"}");
    assert_int_equal (fix->sink.msgs [5].u.ack.reason, HB_REJ_RATE_LIMIT);
    o = s_order ("r3", HB_ORD_MARKET, HB_TIF_IOC, 0.01, 0);
    h = cb_trade_order (fix->trade, &o, body, sizeof body);
    cb_trade_on_response (fix->trade, h, 0, "Connection refused");
    assert_int_equal (fix->sink.msgs [6].u.ack.status, HB_ACK_REJECTED);
    assert_int_equal (fix->sink.msgs [6].u.ack.reason, HB_REJ_VENUE);
    //  a malformed update is counted, an unknown order's update ignored
    const char *odd = "[{\"orders\":[{\"order_id\":\"X\",\"status\":\"OPEN\",\"cumulative_quantity\":\"abc\"}]},"
                      "{\"orders\":[{\"order_id\":\"Y\",\"status\":\"OPEN\"}]}]";
    assert_int_equal (cb_trade_on_user (fix->trade, hb_json_parse (json, odd, strlen (odd), NULL, 0), 0), -1);
    assert_int_equal (cb_trade_stats (fix->trade)->bad_updates, 1);
    assert_int_equal (cb_trade_stats (fix->trade)->unknown_updates, 1);
    assert_int_equal (fix->sink.n, 7);
    assert_int_equal (f1->flags, 0);
    //  an order placed on Coinbase's web UI: its fills (cumulative deltas)
    //  go out marked external, no ack; a late update of our finished OID
    //  is nothing new
    const char *web [] = {
        "[{\"orders\":[{\"order_id\":\"W9\",\"client_order_id\":\"\",\"product_id\":\"BTC-USD\","
        "\"order_side\":\"SELL\",\"status\":\"OPEN\",\"cumulative_quantity\":\"0.25\","
        "\"filled_value\":\"15000\",\"total_fees\":\"6\"}]}]",
        "[{\"orders\":[{\"order_id\":\"W9\",\"client_order_id\":\"\",\"product_id\":\"BTC-USD\","
        "\"order_side\":\"SELL\",\"status\":\"FILLED\",\"cumulative_quantity\":\"0.5\","
        "\"filled_value\":\"30010\",\"total_fees\":\"12\"}]},"
        "{\"orders\":[{\"order_id\":\"OID\",\"client_order_id\":\"f1\",\"status\":\"FILLED\","
        "\"cumulative_quantity\":\"1\",\"filled_value\":\"60003\",\"total_fees\":\"24\"}]}]",
    };
    for (int i = 0; i < 2; i++)
        assert_int_equal (cb_trade_on_user (fix->trade, hb_json_parse (json, web [i], strlen (web [i]),
                                            NULL, 0), 5), 0);
    assert_int_equal (fix->sink.n, 9);
    for (int i = 7; i < 9; i++) {
        const hb_fill_t *w = &fix->sink.msgs [i].u.fill;
        assert_int_equal (fix->sink.msgs [i].env.type, HB_MSG_FILL);
        assert_int_equal (w->flags, HB_FILL_EXTERNAL);
        assert_string_equal (w->client_id, "ext-W9");
        assert_int_equal (w->side, HB_SIDE_SELL);
        assert_true (fabs (w->qty - 0.25) < 1e-12);
    }
    assert_true (fabs (fix->sink.msgs [8].u.fill.px - 60040) < 1e-6);
    hb_json_destroy (&json);
}

static void
test_cancel (void **state)
{
    s_fix_t *fix = (s_fix_t *) *state;
    char body [512];
    hb_cancel_t c = { .venue = "cb", .symbol = "BTC-USD", .client_id = "nope" };
    assert_int_equal (cb_trade_cancel (fix->trade, &c, body, sizeof body), -1);
    assert_int_equal (fix->sink.msgs [0].u.ack.reason, HB_REJ_UNKNOWN_ORDER);
    hb_order_t o = s_order ("k1", HB_ORD_LIMIT, HB_TIF_GTC, 1, 60000);
    int h = cb_trade_order (fix->trade, &o, body, sizeof body);
    cb_trade_on_response (fix->trade, h, 200, "{\"success\":true,\"success_response\":{\"order_id\":\"O9\"}}");
    snprintf (c.client_id, HB_ID_MAX, "k1");
    assert_int_equal (cb_trade_cancel (fix->trade, &c, body, sizeof body), 0);
    assert_string_equal (body, "{\"order_ids\":[\"O9\"]}");
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_sign_vector),
        cmocka_unit_test_setup_teardown (test_bodies_and_local_rejects, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_answers_and_fills, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_cancel, s_setup, s_teardown),
    };
    return cmocka_run_group_tests_name ("cb_trade", tests, NULL, NULL);
}
