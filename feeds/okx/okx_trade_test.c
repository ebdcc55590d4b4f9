/*  okx_trade tests: the signature (a vector from Python's hmac), clOrdId
    mapping, request bodies and units, answers to acks, orders-channel
    pushes to fills (fee sign, liquidity, ids), login, bad pushes.        */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hb_sign.h"
#include "hb_testsink.h"
#include "okx_trade.h"

typedef struct {
    hb_venue_cfg_t venue;
    okx_md_t      *md;
    okx_trade_t   *trade;
    hb_testsink_t  sink;
} s_fix_t;

static int
s_setup (void **state)
{
    s_fix_t *fix = (s_fix_t *) calloc (1, sizeof *fix);
    hb_venue_cfg_t *v = &fix->venue;
    snprintf (v->name, HB_NAME_MAX, "okx");
    hb_venue_cfg_alloc (v, 2, 2);
    v->n_instruments = 2;
    snprintf (v->instruments [0].symbol, HB_NAME_MAX, "BTC-USDT");
    v->instruments [0].kind = HB_KIND_SPOT;
    v->instruments [0].multiplier = 1;
    v->instruments [0].tick_size = 0.1;
    v->instruments [0].lot_size = 0.00001;
    v->instruments [0].min_qty = 0.00001;
    snprintf (v->instruments [1].symbol, HB_NAME_MAX, "BTC-PERP");
    v->instruments [1].kind = HB_KIND_LINEAR_PERP;
    v->instruments [1].multiplier = 0.001;
    v->instruments [1].tick_size = 0.1;
    v->instruments [1].lot_size = 10;
    v->instruments [1].min_qty = 10;
    v->n_params = 2;
    snprintf (v->params [0].key, HB_NAME_MAX, "sym.BTC-PERP");
    snprintf (v->params [0].value, HB_PATH_MAX, "BTC-USDT-SWAP");
    snprintf (v->params [1].key, HB_NAME_MAX, "ctval.BTC-PERP");
    snprintf (v->params [1].value, HB_PATH_MAX, "0.01");
    char err [128];
    fix->md = okx_md_new (v, hb_testsink_emit, NULL, &fix->sink, err, sizeof err);
    fix->trade = okx_trade_new (v, fix->md, hb_testsink_emit, &fix->sink, "isolated");
    assert_non_null (fix->trade);
    *state = fix;
    return 0;
}

static int
s_teardown (void **state)
{
    s_fix_t *fix = (s_fix_t *) *state;
    okx_trade_destroy (&fix->trade);
    okx_md_destroy (&fix->md);
    hb_venue_cfg_release (&fix->venue);
    free (fix);
    return 0;
}

static hb_order_t
s_order (const char *symbol, const char *id, int side, int type, double qty, double px)
{
    hb_order_t o = { .side = (uint8_t) side, .ord_type = (uint8_t) type, .tif = HB_TIF_IOC,
                     .qty = qty, .px = px };
    snprintf (o.symbol, HB_NAME_MAX, "%s", symbol);
    snprintf (o.client_id, HB_ID_MAX, "%s", id);
    return o;
}

static void
test_sign_and_ids (void **state)
{
    (void) state;
    char sig [HB_SIGN_BASE64_SIZE];
    assert_int_equal (okx_trade_sign ("secret-2", 8,
                      "2024-05-01T10:00:00.123ZPOST/api/v5/trade/order{\"a\":1}", sig, sizeof sig), 0);
    assert_string_equal (sig, "Ilfdh/6SSOnfxA2pYZhhB+9Elftr6cIEih0mI81o1BA=");
    char cl [33];
    okx_trade_cl_ord_id ("ok-1", cl);
    assert_string_equal (cl, "hb6e3be20defdaf313");
}

static void
test_bodies_and_answers (void **state)
{
    s_fix_t *fix = (s_fix_t *) *state;
    char body [512], cl [33];
    hb_order_t o = s_order ("BTC-PERP", "p1", HB_SIDE_BUY, HB_ORD_LIMIT, 30, 65000.5);
    int h = okx_trade_order (fix->trade, &o, body, sizeof body);
    assert_true (h >= 0);
    okx_trade_cl_ord_id ("p1", cl);
    char want [256];
    //  30 bus contracts of 0.001 BTC = 3 OKX contracts of 0.01 BTC
    snprintf (want, sizeof want, "{\"instId\":\"BTC-USDT-SWAP\",\"tdMode\":\"isolated\",\"clOrdId\":\"%s\","
              "\"side\":\"buy\",\"ordType\":\"ioc\",\"sz\":\"3\",\"px\":\"65000.5\"}", cl);
    assert_string_equal (body, want);
    okx_trade_on_response (fix->trade, h, 200, "{\"code\":\"0\",\"msg\":\"\",\"data\":[{\"clOrdId\":\"x\","
                           "\"ordId\":\"777\",\"sCode\":\"0\",\"sMsg\":\"\"}]}");
    assert_int_equal (fix->sink.msgs [0].u.ack.status, HB_ACK_ACCEPTED);
    assert_string_equal (fix->sink.msgs [0].u.ack.order_id, "777");
    o = s_order ("BTC-USDT", "s1", HB_SIDE_SELL, HB_ORD_MARKET, 0.5, 0);
    h = okx_trade_order (fix->trade, &o, body, sizeof body);
    assert_non_null (strstr (body, "\"tdMode\":\"cash\""));
    assert_non_null (strstr (body, "\"tgtCcy\":\"base_ccy\""));
    assert_non_null (strstr (body, "\"sz\":\"0.5\""));
    okx_trade_on_response (fix->trade, h, 200, "{\"code\":\"1\",\"msg\":\"Operation failed.\",\"data\":"
                           "[{\"clOrdId\":\"x\",\"ordId\":\"\",\"sCode\":\"51008\",\"sMsg\":\"Insufficient USDT\"}]}");
    assert_int_equal (fix->sink.msgs [1].u.ack.status, HB_ACK_REJECTED);
    assert_int_equal (fix->sink.msgs [1].u.ack.reason, HB_REJ_INSUFFICIENT_COLLATERAL);
    assert_non_null (strstr (fix->sink.msgs [1].u.ack.text, "Insufficient USDT"));
    o = s_order ("BTC-PERP", "bad", HB_SIDE_BUY, HB_ORD_MARKET, 15, 0);
    assert_int_equal (okx_trade_order (fix->trade, &o, body, sizeof body), -1);
    assert_int_equal (fix->sink.msgs [2].u.ack.reason, HB_REJ_OFF_LOT);
    //  orders channel: login, two fills, done
    const char *login = "{\"event\":\"login\",\"code\":\"0\",\"msg\":\"\"}";
    assert_int_equal (okx_trade_on_private (fix->trade, login, strlen (login)), OKX_PRIV_LOGGED_IN);
    const char *fail = "{\"event\":\"error\",\"code\":\"60009\",\"msg\":\"Login failed.\"}";
    assert_int_equal (okx_trade_on_private (fix->trade, fail, strlen (fail)), OKX_PRIV_BAD);
    assert_non_null (strstr (okx_trade_error (fix->trade), "60009"));
    char push [1024];
    snprintf (push, sizeof push, "{\"arg\":{\"channel\":\"orders\",\"instType\":\"ANY\"},\"data\":[{\"instId\":"
              "\"BTC-USDT-SWAP\",\"ordId\":\"777\",\"clOrdId\":\"%s\",\"state\":\"partially_filled\","
              "\"fillSz\":\"1\",\"fillPx\":\"65000\",\"tradeId\":\"t1\",\"fillFee\":\"-0.3\","
              "\"fillFeeCcy\":\"USDT\",\"execType\":\"M\",\"fillTime\":\"1714557601000\"},{\"instId\":"
              "\"BTC-USDT-SWAP\",\"ordId\":\"777\",\"clOrdId\":\"%s\",\"state\":\"filled\",\"fillSz\":\"2\","
              "\"fillPx\":\"65000.5\",\"tradeId\":\"t2\",\"fillFee\":\"0.1\",\"fillFeeCcy\":\"BTC\","
              "\"execType\":\"T\"}]}", cl, cl);
    assert_int_equal (okx_trade_on_private (fix->trade, push, strlen (push)), OKX_PRIV_OK);
    assert_int_equal (fix->sink.n, 6);
    const hb_fill_t *a = &fix->sink.msgs [3].u.fill, *b = &fix->sink.msgs [4].u.fill;
    assert_string_equal (a->fill_id, "t1-777");
    assert_true (fabs (a->qty - 10) < 1e-9 && a->px == 65000);
    assert_true (fabs (a->fee - 0.3) < 1e-12);          //  charged: positive on the bus
    assert_string_equal (a->fee_asset, "USD");
    assert_int_equal (a->liquidity, 1);
    assert_int_equal (fix->sink.msgs [3].env.ts_venue, 1714557601000LL * 1000000);
    assert_true (fabs (b->qty - 20) < 1e-9);
    assert_true (fabs (b->fee + 0.1) < 1e-12);          //  a rebate: negative
    assert_string_equal (b->fee_asset, "BTC");
    assert_int_equal (b->liquidity, 2);
    assert_int_equal (fix->sink.msgs [5].u.ack.status, HB_ACK_DONE);
    assert_true (fabs (fix->sink.msgs [5].u.ack.filled_qty - 30) < 1e-9);
    assert_int_equal (okx_trade_inflight (fix->trade), 0);
    assert_int_equal (a->flags, 0);
    //  a fill of an order placed on OKX's app (not ours): external, under
    //  its own clOrdId, nothing else; a late push of one of ours: nothing
    snprintf (push, sizeof push, "{\"arg\":{\"channel\":\"orders\"},\"data\":[{\"instId\":"
              "\"BTC-USDT-SWAP\",\"ordId\":\"900\",\"clOrdId\":\"\",\"side\":\"sell\","
              "\"state\":\"filled\",\"fillSz\":\"3\",\"fillPx\":\"64000\",\"tradeId\":\"t9\","
              "\"fillFee\":\"-0.2\",\"fillFeeCcy\":\"USDT\"},{\"instId\":\"BTC-USDT-SWAP\","
              "\"ordId\":\"777\",\"clOrdId\":\"%s\",\"side\":\"buy\",\"state\":\"filled\","
              "\"fillSz\":\"2\",\"fillPx\":\"65000.5\",\"tradeId\":\"t2\"}]}", cl);
    assert_int_equal (okx_trade_on_private (fix->trade, push, strlen (push)), OKX_PRIV_OK);
    assert_int_equal (fix->sink.n, 7);
    const hb_fill_t *ext = &fix->sink.msgs [6].u.fill;
    assert_int_equal (fix->sink.msgs [6].env.type, HB_MSG_FILL);
    assert_int_equal (ext->flags, HB_FILL_EXTERNAL);
    assert_string_equal (ext->client_id, "ext-900");
    assert_string_equal (ext->symbol, "BTC-PERP");
    assert_int_equal (ext->side, HB_SIDE_SELL);
    assert_true (fabs (ext->qty - 30) < 1e-9 && ext->px == 64000);
    //  bad pushes are counted, never crash
    const char *bad [] = { "{", "{\"arg\":{\"channel\":\"orders\"},\"data\":[{\"ordId\":\"1\"}]}",
                           "{\"arg\":{\"channel\":\"positions\"},\"data\":[]}" };
    for (int i = 0; i < 3; i++)
        assert_int_equal (okx_trade_on_private (fix->trade, bad [i], strlen (bad [i])), OKX_PRIV_BAD);
    assert_int_equal (okx_trade_stats (fix->trade)->bad_pushes, 3);
    assert_int_equal (okx_trade_on_private (fix->trade, "pong", 4), OKX_PRIV_OK);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_sign_and_ids),
        cmocka_unit_test_setup_teardown (test_bodies_and_answers, s_setup, s_teardown),
    };
    return cmocka_run_group_tests_name ("okx_trade", tests, NULL, NULL);
}
