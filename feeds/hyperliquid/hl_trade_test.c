/*  hl_trade: orders, cancels and the venue's answers, from JSON strings.

    - a cancel is a cancelByCloid of the cloid the order had (Keccak-256 of
      hedgebus:<venue>:<client id>), signed: the signature recovers the
      agent's address; "success" cancels the order with what was filled;
    - orderUpdates "canceled" after a partial fill: canceled, filled kept;
    - an answer lost (transport error): in doubt, then orderUpdates "open"
      accepts it; "rejected" rejects; not told for a while, it is asked
      about (orderStatus): "unknownOid" rejects it, the venue's record
      accepts it, an error asks again later;
    - a market order is an IOC limit at the touch moved by the slippage,
      rounded to a valid price on the side that does not cost more;
    - no key, no meta, an unknown coin: refused before signing;
    - a fill of an order not ours is external (ext-<oid>);
    - clearinghouseState: positions in bus units, margin, a coin not
      listed counted apart, a malformed position refused with its place;
      as account.<venue>: a closed position left out, funding summed, the
      message encodes.                                                   */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <msgpack.h>

#include "hb_json.h"
#include "hl_action.h"
#include "hl_hex.h"
#include "hl_l1.h"
#include "hl_md.h"
#include "hl_signer.h"
#include "hl_state.h"
#include "hl_testing.h"
#include "hl_trade.h"

#define S_KEY "0x0123456789012345678901234567890123456789012345678901234567890123"
#define S_MAX 32

typedef struct {
    hb_config_t  config;
    hl_md_t     *md;
    hl_signer_t *signer;
    hl_trade_t  *trade;
    hb_msg_t     msgs [S_MAX];
    int          n;
    char         body [HL_TRADE_BODY_MAX];
} s_fix_t;

static int
s_emit (void *arg, hb_msg_t *msg)
{
    s_fix_t *f = (s_fix_t *) arg;
    if (f->n < S_MAX)
        f->msgs [f->n++] = *msg;
    return 0;
}

static int
s_setup (void **state)
{
    s_fix_t *f = (s_fix_t *) calloc (1, sizeof *f);
    static const char *const syms [] = { "BTC-PERP", "ETH-PERP", "XYZ-PERP" };
    static const double mults [] = { 0.001, 1, 1 };
    hb_venue_cfg_t *v = hl_testing_venue (&f->config, syms, mults, 3);
    if (!v)
        return -1;
    char err [200];
    f->md = hl_md_new (v, s_emit, NULL, f, err, sizeof err);
    f->signer = hl_signer_new (S_KEY, err, sizeof err);
    f->trade = hl_trade_new (v, f->md, f->signer, true, NULL, 0.05, s_emit, f);
    if (!f->md || !f->signer || !f->trade)
        return -1;
    *state = f;
    return 0;
}

static int
s_teardown (void **state)
{
    s_fix_t *f = (s_fix_t *) *state;
    hl_trade_destroy (&f->trade);
    hl_signer_destroy (&f->signer);
    hl_testing_release (&f->config, &f->md);
    free (f);
    return 0;
}

static void
s_meta_in (s_fix_t *f)
{
    assert_int_equal (hl_testing_meta_in (f->md), 0);
}

static hb_order_t
s_order (const char *symbol, const char *client_id, int side, int type, double qty, double px)
{
    hb_order_t o;
    memset (&o, 0, sizeof o);
    snprintf (o.venue, sizeof o.venue, "hlt");
    snprintf (o.symbol, sizeof o.symbol, "%s", symbol);
    snprintf (o.client_id, sizeof o.client_id, "%s", client_id);
    o.side = (uint8_t) side;
    o.ord_type = (uint8_t) type;
    o.tif = HB_TIF_GTC;
    o.qty = qty;
    o.px = px;
    return o;
}

static const hb_ack_t *
s_last_ack (s_fix_t *f)
{
    for (int i = f->n - 1; i >= 0; i--)
        if (f->msgs [i].env.type == HB_MSG_ACK)
            return &f->msgs [i].u.ack;
    return NULL;
}

static void
s_user (s_fix_t *f, const char *channel, const char *text)
{
    hb_json_t *p = hb_json_new (0, 0);
    json_t *root = hb_json_parse (p, text, strlen (text), NULL, 0);
    assert_non_null (root);
    assert_int_equal (hl_trade_on_user (f->trade, channel, root, 0), 0);
    hb_json_destroy (&p);
}

static void
test_cancel_by_cloid_signed (void **state)
{
    s_fix_t *f = (s_fix_t *) *state;
    s_meta_in (f);
    hb_order_t o = s_order ("BTC-PERP", "c-1", HB_SIDE_BUY, HB_ORD_LIMIT, 3, 60000);
    int h = hl_trade_order (f->trade, &o, 1700000000001, f->body, sizeof f->body);
    assert_true (h >= 0);
    assert_non_null (strstr (f->body, "\"s\":\"0.003\""));
    assert_int_equal (hl_trade_on_response (f->trade, h, 200,
        "{\"status\":\"ok\",\"response\":{\"type\":\"order\",\"data\":{\"statuses\":[{\"resting\":{\"oid\":77}}]}}}"), 0);
    assert_int_equal (s_last_ack (f)->status, HB_ACK_ACCEPTED);
    assert_string_equal (s_last_ack (f)->order_id, "77");

    hb_cancel_t c;
    memset (&c, 0, sizeof c);
    snprintf (c.symbol, sizeof c.symbol, "BTC-PERP");
    snprintf (c.client_id, sizeof c.client_id, "c-1");
    const char *why = NULL;
    assert_int_equal (hl_trade_cancel (f->trade, &c, 1700000000002, f->body, sizeof f->body, &why), 0);
    //  the body: the action as hashed, the nonce, a signature of the agent
    json_error_t jerr;
    json_t *body = json_loads (f->body, 0, &jerr);
    assert_non_null (body);
    uint8_t cloid [16];
    char hex [HL_CLOID_HEX_SIZE];
    hl_trade_cloid ("hlt", "c-1", cloid);
    hl_cloid_hex (cloid, hex);
    json_t *action = json_object_get (body, "action");
    assert_string_equal (json_string_value (json_object_get (action, "type")), "cancelByCloid");
    json_t *c0 = json_array_get (json_object_get (action, "cancels"), 0);
    assert_int_equal (json_integer_value (json_object_get (c0, "asset")), 1);
    assert_string_equal (json_string_value (json_object_get (c0, "cloid")), hex);
    assert_int_equal (json_integer_value (json_object_get (body, "nonce")), 1700000000002);
    assert_true (json_is_null (json_object_get (body, "vaultAddress")));
    hl_cancel_cloid_t cc = { .asset = 1 };
    memcpy (cc.cloid, cloid, 16);
    msgpack_sbuffer pack;
    msgpack_sbuffer_init (&pack);
    assert_int_equal (hl_action_cancel_by_cloid (&cc, 1, &pack, NULL, 0), 0);
    uint8_t hash [HL_HASH_SIZE], digest [HL_HASH_SIZE], who [HL_ADDRESS_SIZE];
    hl_l1_action_hash (pack.data, pack.size, 1700000000002, NULL, 0, hash);
    hl_l1_agent_digest (hash, true, digest);
    msgpack_sbuffer_destroy (&pack);
    json_t *sig = json_object_get (body, "signature");
    hl_sig_t s;
    memset (&s, 0, sizeof s);
    //  r and s as the SDK writes them: 0x and no leading zeros
    const char *words [2] = { json_string_value (json_object_get (sig, "r")),
                              json_string_value (json_object_get (sig, "s")) };
    uint8_t *outs [2] = { s.r, s.s };
    for (int w = 0; w < 2; w++) {
        char padded [67] = "0x";
        size_t len = strlen (words [w]) - 2;
        memset (padded + 2, '0', 64 - len);
        memcpy (padded + 2 + 64 - len, words [w] + 2, len + 1);
        assert_int_equal (hl_hex_decode (padded, outs [w], 32), 0);
    }
    s.v = (uint8_t) json_integer_value (json_object_get (sig, "v"));
    assert_int_equal (hl_sig_recover (digest, &s, who), 0);
    assert_memory_equal (who, hl_signer_address (f->signer), HL_ADDRESS_SIZE);
    json_decref (body);

    char text [128];
    assert_int_equal (hl_trade_on_cancel_response (f->trade, &c, 200,
        "{\"status\":\"ok\",\"response\":{\"type\":\"cancel\",\"data\":{\"statuses\":[\"success\"]}}}",
        text, sizeof text), 0);
    assert_int_equal (s_last_ack (f)->status, HB_ACK_CANCELED);
    //  again: the venue no longer knows it
    assert_int_equal (hl_trade_on_cancel_response (f->trade, &c, 200,
        "{\"status\":\"ok\",\"response\":{\"type\":\"cancel\",\"data\":{\"statuses\":"
        "[{\"error\":\"Order was never placed, already canceled, or filled.\"}]}}}", text, sizeof text), -1);
    assert_string_equal (text, "Order was never placed, already canceled, or filled.");
}

static void
test_updates (void **state)
{
    s_fix_t *f = (s_fix_t *) *state;
    s_meta_in (f);
    //  partial fill, then canceled: canceled with the filled part
    hb_order_t o = s_order ("ETH-PERP", "u-1", HB_SIDE_SELL, HB_ORD_LIMIT, 2, 3400);
    int h = hl_trade_order (f->trade, &o, 1, f->body, sizeof f->body);
    assert_true (h >= 0);
    assert_int_equal (hl_trade_on_response (f->trade, h, 0, "connection reset"), 1);
    assert_null (s_last_ack (f));
    uint8_t cloid [16];
    char hex [HL_CLOID_HEX_SIZE], text [600];
    hl_trade_cloid ("hlt", "u-1", cloid);
    hl_cloid_hex (cloid, hex);
    snprintf (text, sizeof text, "[{\"order\":{\"coin\":\"ETH\",\"side\":\"A\",\"limitPx\":\"3400\",\"sz\":\"2\","
              "\"oid\":5,\"timestamp\":1,\"origSz\":\"2\",\"cloid\":\"%s\"},\"status\":\"open\",\"statusTimestamp\":1}]", hex);
    s_user (f, "orderUpdates", text);
    assert_int_equal (s_last_ack (f)->status, HB_ACK_ACCEPTED);
    s_user (f, "userFills", "{\"user\":\"0x1\",\"fills\":[{\"coin\":\"ETH\",\"px\":\"3400\",\"sz\":\"0.5\","
            "\"side\":\"A\",\"time\":1700000000000,\"oid\":5,\"tid\":9,\"fee\":\"-0.01\",\"crossed\":false}]}");
    assert_int_equal (f->msgs [f->n - 1].env.type, HB_MSG_FILL);
    const hb_fill_t *fill = &f->msgs [f->n - 1].u.fill;
    assert_string_equal (fill->client_id, "u-1");
    assert_true (fill->qty == 0.5 && fill->fee == -0.01 && fill->liquidity == 1 && fill->flags == 0);
    snprintf (text, sizeof text, "[{\"order\":{\"coin\":\"ETH\",\"side\":\"A\",\"limitPx\":\"3400\",\"sz\":\"1.5\","
              "\"oid\":5,\"timestamp\":1,\"origSz\":\"2\"},\"status\":\"canceled\",\"statusTimestamp\":2}]");
    s_user (f, "orderUpdates", text);
    assert_int_equal (s_last_ack (f)->status, HB_ACK_CANCELED);
    assert_true (s_last_ack (f)->filled_qty == 0.5);

    //  the venue rejects after a lost answer
    o = s_order ("ETH-PERP", "u-2", HB_SIDE_BUY, HB_ORD_LIMIT, 1, 3400);
    h = hl_trade_order (f->trade, &o, 2, f->body, sizeof f->body);
    assert_int_equal (hl_trade_on_response (f->trade, h, 502, "bad gateway"), 1);
    hl_trade_cloid ("hlt", "u-2", cloid);
    hl_cloid_hex (cloid, hex);
    snprintf (text, sizeof text, "[{\"order\":{\"coin\":\"ETH\",\"side\":\"B\",\"limitPx\":\"3400\",\"sz\":\"1\","
              "\"oid\":6,\"timestamp\":1,\"origSz\":\"1\",\"cloid\":\"%s\"},\"status\":\"rejected\",\"statusTimestamp\":1}]", hex);
    s_user (f, "orderUpdates", text);
    assert_int_equal (s_last_ack (f)->status, HB_ACK_REJECTED);

    //  a fill of an order not ours
    s_user (f, "userFills", "{\"user\":\"0x1\",\"fills\":[{\"coin\":\"BTC\",\"px\":\"65000\",\"sz\":\"0.002\","
            "\"side\":\"B\",\"time\":1700000000000,\"oid\":99,\"tid\":10,\"fee\":\"0.1\",\"crossed\":true}]}");
    fill = &f->msgs [f->n - 1].u.fill;
    assert_string_equal (fill->client_id, "ext-99");
    assert_true (fill->flags == HB_FILL_EXTERNAL && fill->qty == 2 && fill->liquidity == 2);
    assert_int_equal (hl_trade_stats (f->trade)->external, 1);
}

static void
test_lost_answer_asked (void **state)
{
    s_fix_t *f = (s_fix_t *) *state;
    s_meta_in (f);
    const int64_t s = 1000000000;
    int due [4];
    //  two orders whose answers are lost
    hb_order_t o = s_order ("ETH-PERP", "q-1", HB_SIDE_BUY, HB_ORD_LIMIT, 1, 3400);
    int h1 = hl_trade_order (f->trade, &o, 1, f->body, sizeof f->body);
    o = s_order ("ETH-PERP", "q-2", HB_SIDE_BUY, HB_ORD_LIMIT, 1, 3400);
    int h2 = hl_trade_order (f->trade, &o, 2, f->body, sizeof f->body);
    assert_int_equal (hl_trade_on_response (f->trade, h1, 0, "timeout"), 1);
    assert_int_equal (hl_trade_on_response (f->trade, h2, 504, "gateway timeout"), 1);
    //  not asked before after_ns has passed since they were first seen
    assert_int_equal (hl_trade_doubt_due (f->trade, 10 * s, 5 * s, due, 4), 0);
    assert_int_equal (hl_trade_doubt_due (f->trade, 14 * s, 5 * s, due, 4), 0);
    assert_int_equal (hl_trade_doubt_due (f->trade, 15 * s, 5 * s, due, 4), 2);
    assert_true (due [0] == h1 && due [1] == h2);
    //  and not again at once
    assert_int_equal (hl_trade_doubt_due (f->trade, 16 * s, 5 * s, due, 4), 0);
    //  the query names the account and the cloid
    char body [256], hex [HL_CLOID_HEX_SIZE], want [256];
    uint8_t cloid [16];
    hl_trade_cloid ("hlt", "q-1", cloid);
    hl_cloid_hex (cloid, hex);
    assert_int_equal (hl_trade_status_query (f->trade, h1, "0xabc", body, sizeof body), 0);
    snprintf (want, sizeof want, "{\"type\":\"orderStatus\",\"user\":\"0xabc\",\"oid\":\"%s\"}", hex);
    assert_string_equal (body, want);
    assert_int_equal (hl_trade_status_query (f->trade, h1, "0xabc", body, 10), -1);
    //  q-1: the venue never had it -> rejected
    int before = f->n;
    assert_int_equal (hl_trade_on_status (f->trade, h1, 200, "{\"status\":\"unknownOid\"}"), 0);
    assert_int_equal (f->n, before + 1);
    assert_int_equal (s_last_ack (f)->status, HB_ACK_REJECTED);
    assert_string_equal (s_last_ack (f)->client_id, "q-1");
    assert_non_null (strstr (s_last_ack (f)->text, "unknownOid"));
    //  an HTTP error keeps q-2 in doubt; a malformed answer too (counted)
    assert_int_equal (hl_trade_on_status (f->trade, h2, 500, "oops"), 1);
    uint64_t malformed = hl_trade_stats (f->trade)->malformed;
    assert_int_equal (hl_trade_on_status (f->trade, h2, 200, "{\"status\":\"order\"}"), -1);
    assert_int_equal (hl_trade_stats (f->trade)->malformed, malformed + 1);
    //  asked again after after_ns; then the venue has it open -> accepted
    assert_int_equal (hl_trade_doubt_due (f->trade, 21 * s, 5 * s, due, 4), 1);
    assert_int_equal (due [0], h2);
    char text [600];
    hl_trade_cloid ("hlt", "q-2", cloid);
    hl_cloid_hex (cloid, hex);
    snprintf (text, sizeof text, "{\"status\":\"order\",\"order\":{\"order\":{\"coin\":\"ETH\",\"side\":\"B\","
              "\"limitPx\":\"3400\",\"sz\":\"1\",\"oid\":77,\"timestamp\":1,\"origSz\":\"1\",\"cloid\":\"%s\"},"
              "\"status\":\"open\",\"statusTimestamp\":1}}", hex);
    assert_int_equal (hl_trade_on_status (f->trade, h2, 200, text), 0);
    assert_int_equal (s_last_ack (f)->status, HB_ACK_ACCEPTED);
    assert_string_equal (s_last_ack (f)->order_id, "77");
    //  resolved: never asked again; a late answer about q-1 changes nothing
    assert_int_equal (hl_trade_doubt_due (f->trade, 60 * s, 5 * s, due, 4), 0);
    before = f->n;
    assert_int_equal (hl_trade_on_status (f->trade, h1, 200, "{\"status\":\"unknownOid\"}"), 0);
    assert_int_equal (f->n, before);
}

static void
test_market_and_refusals (void **state)
{
    s_fix_t *f = (s_fix_t *) *state;
    hb_order_t o = s_order ("BTC-PERP", "m-1", HB_SIDE_BUY, HB_ORD_MARKET, 1, 0);
    //  no meta yet
    assert_int_equal (hl_trade_order (f->trade, &o, 1, f->body, sizeof f->body), -1);
    assert_int_equal (s_last_ack (f)->reason, HB_REJ_OUTAGE);
    s_meta_in (f);
    //  no book
    assert_int_equal (hl_trade_order (f->trade, &o, 2, f->body, sizeof f->body), -1);
    assert_int_equal (s_last_ack (f)->reason, HB_REJ_NO_LIQUIDITY);
    hl_md_reset (f->md, 0);
    const char *book = "{\"channel\":\"l2Book\",\"data\":{\"coin\":\"BTC\",\"time\":1,\"levels\":"
                       "[[{\"px\":\"64990\",\"sz\":\"1\",\"n\":1}],[{\"px\":\"65010\",\"sz\":\"1\",\"n\":1}]]}}";
    assert_int_equal (hl_md_on_message (f->md, book, strlen (book), 1), 0);
    //  65010 x 1.05 = 68260.5: 6 figures, a buy rounds down to 68260
    assert_true (hl_trade_order (f->trade, &o, 3, f->body, sizeof f->body) >= 0);
    assert_non_null (strstr (f->body, "\"p\":\"68260\""));
    assert_non_null (strstr (f->body, "\"tif\":\"Ioc\""));
    //  the same client id while working
    assert_int_equal (hl_trade_order (f->trade, &o, 4, f->body, sizeof f->body), -1);
    assert_int_equal (s_last_ack (f)->reason, HB_REJ_DUPLICATE_ID);
    //  an unknown coin
    o = s_order ("XYZ-PERP", "x-1", HB_SIDE_BUY, HB_ORD_LIMIT, 1, 10);
    assert_int_equal (hl_trade_order (f->trade, &o, 5, f->body, sizeof f->body), -1);
    assert_int_equal (s_last_ack (f)->reason, HB_REJ_UNKNOWN_INSTRUMENT);
    assert_non_null (strstr (s_last_ack (f)->text, "unknown coin 'XYZ'"));
    //  without a key
    hl_trade_t *nokey = hl_trade_new (&f->config.venues [0], f->md, NULL, true, NULL, 0.05, s_emit, f);
    o = s_order ("ETH-PERP", "k-1", HB_SIDE_BUY, HB_ORD_LIMIT, 1, 3400);
    assert_int_equal (hl_trade_order (nokey, &o, 6, f->body, sizeof f->body), -1);
    assert_non_null (strstr (s_last_ack (f)->text, "no agent key"));
    hl_trade_destroy (&nokey);
}

static void
test_state (void **state)
{
    s_fix_t *f = (s_fix_t *) *state;
    s_meta_in (f);
    const char *text =
        "{\"marginSummary\":{\"accountValue\":\"1000.5\",\"totalMarginUsed\":\"20\"},"
        "\"crossMaintenanceMarginUsed\":\"5.5\",\"withdrawable\":\"980\",\"time\":17,"
        "\"assetPositions\":[{\"type\":\"oneWay\",\"position\":{\"coin\":\"BTC\",\"szi\":\"-0.004\","
        "\"entryPx\":\"65000\",\"unrealizedPnl\":\"1.5\",\"liquidationPx\":null,\"marginUsed\":\"13\","
        "\"cumFunding\":{\"allTime\":\"2.25\",\"sinceOpen\":\"-0.5\"}}},"
        "{\"type\":\"oneWay\",\"position\":{\"coin\":\"ETH\",\"szi\":\"0.0\",\"entryPx\":\"3400\","
        "\"cumFunding\":{\"allTime\":\"1\",\"sinceOpen\":\"0\"}}},"
        "{\"type\":\"oneWay\",\"position\":{\"coin\":\"DOGE\",\"szi\":\"100\"}}]}";
    hl_state_t st;
    char err [200];
    assert_int_equal (hl_state_parse (f->md, text, strlen (text), &st, err, sizeof err), 0);
    assert_true (st.account_value == 1000.5 && st.margin_used == 20 && st.maintenance == 5.5
                 && st.withdrawable == 980 && st.time_ms == 17);
    assert_int_equal (st.n_positions, 2);
    assert_int_equal (st.n_other, 1);
    assert_string_equal (st.positions [0].symbol, "BTC-PERP");
    assert_true (st.positions [0].qty == -4 && st.positions [0].entry == 65000
                 && st.positions [0].liquidation == 0 && st.positions [0].funding == -0.5
                 && st.positions [0].funding_all == 2.25);
    //  account.<venue>: the closed ETH position is left out, its all-time
    //  funding still counts; the message encodes
    hb_msg_t msg;
    hl_state_account (&st, "hl", &msg);
    const hb_account_t *a = &msg.u.account;
    assert_int_equal (msg.env.type, HB_MSG_ACCOUNT);
    assert_true (msg.env.ts_venue == 17000000);
    assert_string_equal (a->venue, "hl");
    assert_true (a->equity_usd == 1000.5 && a->initial_usd == 20 && a->maintenance_usd == 5.5
                 && a->withdrawable_usd == 980 && a->funding_usd == 3.25);
    assert_int_equal (a->flags, HB_ACCOUNT_NO_SPOT);
    assert_int_equal (a->n_other, 1);
    assert_int_equal (a->n_positions, 1);
    assert_string_equal (a->positions [0].symbol, "BTC-PERP");
    assert_true (a->positions [0].qty == -4 && a->positions [0].entry_px == 65000
                 && a->positions [0].unrealized_usd == 1.5 && a->positions [0].liq_px == 0
                 && a->positions [0].funding_usd == -0.5);
    strcpy (msg.env.publisher, "feed.hl");
    hb_buf_t buf;
    assert_int_equal (hb_msg_encode (&msg, &buf), 0);
    const char *bad = "{\"marginSummary\":{},\"assetPositions\":[{\"position\":{\"coin\":\"BTC\",\"szi\":\"x\"}}]}";
    assert_int_equal (hl_state_parse (f->md, bad, strlen (bad), &st, err, sizeof err), -1);
    assert_non_null (strstr (err, "assetPositions[0]: key 'szi'"));
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test_setup_teardown (test_cancel_by_cloid_signed, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_updates, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_lost_answer_asked, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_market_and_refusals, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_state, s_setup, s_teardown),
    };
    return cmocka_run_group_tests_name ("hl_trade", tests, NULL, NULL);
}
