/*  hb_msg_text tests: names of types, enums and decode reasons; name
    validity; topics; the JSON that hb-tap prints (checked whole for one
    message, by a small JSON grammar check for every sample, and for the
    escaping of odd bytes).                                                 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "hb_msg.h"
#include "hb_msg_sample.h"

static hb_msg_t s_samples [HB_MSG_SAMPLE_COUNT];

#define NAME31 HB_MSG_SAMPLE_NAME31

static int
s_setup (void **state)
{
    (void) state;
    for (int i = 0; i < HB_MSG_SAMPLE_COUNT; i++)
        hb_msg_sample (&s_samples [i], (hb_msg_sample_t) i);
    return 0;
}

//  ---------------------------------------------------------------------------
//  Names and topics

static void
test_names (void **state)
{
    (void) state;
    const char *types [] = { "unknown", "tick", "trade", "order", "cancel", "ack", "fill",
                             "heartbeat", "position", "exposure", "margin", "snapshot_end",
                             "risk_exposure", "risk_hedge", "hedge_reject", "hedger_control", "applog",
                             "capital_plan", "risk_regime", "risk_corr", "risk_optplan", "capital_transfer",
                             "account", "instrument", "capital_reduce", "funding", "unknown" };
    for (int i = 0; i <= HB_MSG_TYPE_COUNT; i++)
        assert_string_equal (hb_msg_type_name (i), types [i]);
    assert_string_equal (hb_msg_type_name (-1), "unknown");
    const char *rejects [] = { "none", "unknown_instrument", "below_min_size", "off_lot",
                               "insufficient_collateral", "outage", "bad_price", "bad_order",
                               "duplicate_id", "unknown_order", "no_liquidity", "rate_limit",
                               "venue", "expired", "unknown" };
    for (int i = 0; i <= HB_REJ_COUNT; i++)
        assert_string_equal (hb_reject_name (i), rejects [i]);
    assert_string_equal (hb_ack_status_name (HB_ACK_ACCEPTED), "accepted");
    assert_string_equal (hb_ack_status_name (HB_ACK_REJECTED), "rejected");
    assert_string_equal (hb_ack_status_name (HB_ACK_CANCELED), "canceled");
    assert_string_equal (hb_ack_status_name (HB_ACK_DONE), "done");
    assert_string_equal (hb_ack_status_name (0), "unknown");
    assert_string_equal (hb_ack_status_name (5), "unknown");
    assert_string_equal (hb_side_name (HB_SIDE_BUY), "buy");
    assert_string_equal (hb_side_name (HB_SIDE_SELL), "sell");
    assert_string_equal (hb_side_name (0), "unknown");
    assert_string_equal (hb_side_name (1000), "unknown");
    const char *reasons [] = { "ok", "truncated", "malformed", "oversized", "version", "type",
                               "field_type", "range", "part", "unknown" };
    for (int i = 0; i <= HB_DECODE_REASON_COUNT; i++)
        assert_string_equal (hb_decode_reason_name ((hb_decode_reason_t) i), reasons [i]);

    assert_true (hb_name_valid ("BTC-USD"));
    assert_true (hb_name_valid ("feed.alpha"));
    assert_true (hb_name_valid ("a_b:c-9"));
    assert_true (hb_name_valid (NAME31));
    assert_false (hb_name_valid (NAME31 "x"));
    assert_false (hb_name_valid (""));
    assert_false (hb_name_valid (NULL));
    assert_false (hb_name_valid ("a b"));
    assert_false (hb_name_valid ("a/b"));
    assert_false (hb_name_valid ("caf\xc3\xa9"));
    assert_false (hb_name_valid ("tab\t"));
}

static void
test_topics (void **state)
{
    (void) state;
    static const struct { hb_msg_sample_t sample; const char *topic; } cases [] = {
        { HB_MSG_SAMPLE_TICK, "tick.alpha.BTC-USD" }, { HB_MSG_SAMPLE_TRADE, "trade.beta.ETH-PERP" },
        { HB_MSG_SAMPLE_ORDER, "order.alpha.SOL-USD" }, { HB_MSG_SAMPLE_CANCEL, "cancel.alpha.SOL-USD" },
        { HB_MSG_SAMPLE_ACK, "ack.alpha.SOL-USD" }, { HB_MSG_SAMPLE_FILL, "fill.beta.BTC-INV" },
        { HB_MSG_SAMPLE_HEARTBEAT, "hb.feed.alpha" },
        { HB_MSG_SAMPLE_HEDGER_CONTROL, "hedger.control" },
        { HB_MSG_SAMPLE_EDGE_FILL, "fill." NAME31 "." NAME31 },
    };
    char topic [HB_TOPIC_MAX];
    for (size_t i = 0; i < sizeof cases / sizeof cases [0]; i++) {
        int len = hb_msg_topic (&s_samples [cases [i].sample], topic);
        assert_string_equal (topic, cases [i].topic);
        assert_int_equal (len, strlen (cases [i].topic));
    }
    hb_msg_t msg = s_samples [HB_MSG_SAMPLE_TRADE];
    msg.env.type = HB_MSG_NONE;
    assert_int_equal (hb_msg_topic (&msg, topic), -1);
    msg.env.type = 99;
    assert_int_equal (hb_msg_topic (&msg, topic), -1);
    msg = s_samples [HB_MSG_SAMPLE_TRADE];
    memset (msg.u.trade.venue, 'v', HB_NAME_MAX);           //  unterminated
    assert_int_equal (hb_msg_topic (&msg, topic), -1);
}

//  ---------------------------------------------------------------------------
//  JSON

//  A minimal JSON syntax check (RFC 8259 grammar, no semantics)
static const char *s_json_value (const char *p);

static const char *
s_json_ws (const char *p)
{
    while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')
        p++;
    return p;
}

static const char *
s_json_string (const char *p)
{
    if (*p++ != '"')
        return NULL;
    while (*p != '"') {
        if ((unsigned char) *p < 0x20)
            return NULL;
        if (*p == '\\') {
            p++;
            if (*p == 'u') {
                for (int i = 1; i <= 4; i++)
                    if (!strchr ("0123456789abcdefABCDEF", p [i]) || !p [i])
                        return NULL;
                p += 4;
            }
            else
            if (!*p || !strchr ("\"\\/bfnrt", *p))
                return NULL;
        }
        p++;
    }
    return p + 1;
}

static const char *
s_json_members (const char *p, char close, bool keys)
{
    p = s_json_ws (p + 1);
    if (*p == close)
        return p + 1;
    while (true) {
        if (keys) {
            p = s_json_string (p);
            if (!p || *(p = s_json_ws (p)) != ':')
                return NULL;
            p++;
        }
        p = s_json_value (p);
        if (!p)
            return NULL;
        p = s_json_ws (p);
        if (*p == close)
            return p + 1;
        if (*p++ != ',')
            return NULL;
    }
}

static const char *
s_json_value (const char *p)
{
    p = s_json_ws (p);
    if (*p == '{')
        return s_json_members (p, '}', true);
    if (*p == '[')
        return s_json_members (p, ']', false);
    if (*p == '"')
        return s_json_string (p);
    for (const char *word = "true\0false\0null\0"; *word; word += strlen (word) + 1)
        if (strncmp (p, word, strlen (word)) == 0)
            return p + strlen (word);
    const char *start = p;
    if (*p == '-')
        p++;
    if (*p == '0')
        p++;
    else
    if (*p >= '1' && *p <= '9')
        while (*p >= '0' && *p <= '9')
            p++;
    else
        return NULL;
    if (*p == '.') {
        if (!(*++p >= '0' && *p <= '9'))
            return NULL;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-')
            p++;
        if (!(*p >= '0' && *p <= '9'))
            return NULL;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    return p > start? p: NULL;
}

static bool
s_json_valid (const char *text)
{
    const char *end = s_json_value (text);
    return end && *s_json_ws (end) == '\0';
}

static void
test_json (void **state)
{
    (void) state;
    char out [4096];
    //  the whole line for a top-of-book tick
    int len = hb_msg_to_json (&s_samples [HB_MSG_SAMPLE_TICK_TOP], "tick.alpha.BTC-USD", out, sizeof out);
    const char *expect =
        "{\"topic\":\"tick.alpha.BTC-USD\",\"env\":{\"version\":2,\"type\":\"tick\","
        "\"publisher\":\"feed.alpha\",\"epoch\":1763700000123456789,\"seq\":42,"
        "\"ts_venue\":1763700001000000000,\"ts_recv\":1763700001000250000,"
        "\"ts_pub\":1763700001000260001},\"tick\":{\"venue\":\"alpha\",\"symbol\":\"BTC-USD\","
        "\"flags\":257,\"mark\":65000.75,\"mark_iv\":0,\"underlying\":64990.12,"
        "\"crossed\":false,\"bids\":[[65000.5,0.1]],\"asks\":[[65001,1.25]]}}";
    assert_string_equal (out, expect);
    assert_int_equal (len, strlen (expect));

    //  every sample is valid JSON and names its body after its type
    for (int i = 0; i < HB_MSG_SAMPLE_COUNT; i++) {
        len = hb_msg_to_json (&s_samples [i], NULL, out, sizeof out);
        assert_int_equal (len, strlen (out));
        if (!s_json_valid (out))
            fail_msg ("%s: invalid JSON: %s", hb_msg_sample_name ((hb_msg_sample_t) i), out);
        char key [32];
        snprintf (key, sizeof key, "},\"%s\":{", hb_msg_type_name (s_samples [i].env.type));
        assert_non_null (strstr (out, key));
    }
    hb_msg_to_json (&s_samples [HB_MSG_SAMPLE_ACK_REJECTED], NULL, out, sizeof out);
    assert_non_null (strstr (out, "\"topic\":\"ack.alpha.SOL-USD\""));
    assert_non_null (strstr (out, "\"status\":\"rejected\",\"reason\":\"insufficient_collateral\""));
    assert_non_null (strstr (out, "\"order_id\":\"\""));
    hb_msg_to_json (&s_samples [HB_MSG_SAMPLE_ORDER], NULL, out, sizeof out);
    assert_non_null (strstr (out, "\"side\":\"buy\",\"ord_type\":\"limit\",\"tif\":\"gtc\","
                                  "\"qty\":12.5,\"px\":187.33}"));
    hb_msg_to_json (&s_samples [HB_MSG_SAMPLE_FILL], NULL, out, sizeof out);
    assert_non_null (strstr (out, "\"liquidity\":\"taker\",\"px\":64999.5,\"qty\":100,"
                                  "\"fee\":2.31e-05,\"fee_asset\":\"BTC\""));
    //  a liquidation is external too: both names
    hb_msg_t liquidation = s_samples [HB_MSG_SAMPLE_FILL];
    liquidation.u.fill.flags = HB_FILL_EXTERNAL | HB_FILL_LIQUIDATION;
    hb_msg_to_json (&liquidation, NULL, out, sizeof out);
    assert_non_null (strstr (out, "\"flags\":[\"external\",\"liquidation\"]}"));
    hb_msg_to_json (&s_samples [HB_MSG_SAMPLE_HEDGER_CONTROL], NULL, out, sizeof out);
    assert_non_null (strstr (out, "{\"topic\":\"hedger.control\","));
    assert_non_null (strstr (out, "\"hedger_control\":{\"id\":\"console.1763700001000000000\","
                                  "\"command\":\"kill\",\"by\":\"ops.alice\","
                                  "\"text\":\"venue beta misbehaving\",\"canceled\":3}"));
    hb_msg_to_json (&s_samples [HB_MSG_SAMPLE_EDGE_HEARTBEAT], NULL, out, sizeof out);
    assert_non_null (strstr (out, "\"uptime_ms\":18446744073709551615,"));
    assert_non_null (strstr (out, "\"status\":4294967295}"));
    hb_msg_to_json (&s_samples [HB_MSG_SAMPLE_EDGE_TICK], NULL, out, sizeof out);
    assert_non_null (strstr (out, "\"mark\":1.7976931348623157e+308,\"mark_iv\":4.94065645841247e-324,"
                                  "\"underlying\":-0,"));

    //  odd bytes in free text: escaped, or replaced when not UTF-8
    hb_msg_t msg = s_samples [HB_MSG_SAMPLE_ACK_REJECTED];
    strcpy (msg.u.ack.text, "say \"hi\"\\ \n\t\r\x01\x1f\x7f caf\xc3\xa9 \xff\xc3 \xed\xa0\x80 end");
    hb_msg_to_json (&msg, NULL, out, sizeof out);
    assert_true (s_json_valid (out));
    assert_non_null (strstr (out, "\"text\":\"say \\\"hi\\\"\\\\ \\n\\t\\r\\u0001\\u001f\\u007f "
                                  "caf\xc3\xa9 \\ufffd\\ufffd \\ufffd\\ufffd\\ufffd end\""));

    //  a caller's topic is escaped too; no topic and no type: null
    hb_msg_to_json (&msg, "odd\"topic", out, sizeof out);
    assert_non_null (strstr (out, "{\"topic\":\"odd\\\"topic\","));
    msg.env.type = 0;
    hb_msg_to_json (&msg, NULL, out, sizeof out);
    assert_true (s_json_valid (out));
    assert_non_null (strstr (out, "{\"topic\":null,"));
    assert_non_null (strstr (out, "\"type\":\"unknown\""));

    //  NaN (never decoded, but the struct could hold one) prints as null
    msg = s_samples [HB_MSG_SAMPLE_TRADE];
    msg.u.trade.px = NAN;
    hb_msg_to_json (&msg, NULL, out, sizeof out);
    assert_non_null (strstr (out, "\"px\":null,"));
    assert_true (s_json_valid (out));

    //  truncation: always NUL-terminated, length is what was written
    char small [16];
    memset (small, '#', sizeof small);
    len = hb_msg_to_json (&s_samples [HB_MSG_SAMPLE_TICK], NULL, small, sizeof small);
    assert_int_equal (len, 15);
    assert_int_equal (small [15], '\0');
    assert_memory_equal (small, "{\"topic\":\"tick.", 15);
    assert_int_equal (hb_msg_to_json (&s_samples [HB_MSG_SAMPLE_TICK], NULL, small, 1), 0);
    assert_int_equal (small [0], '\0');
    assert_int_equal (hb_msg_to_json (&s_samples [HB_MSG_SAMPLE_TICK], NULL, NULL, 0), 0);
}

//  What a peer or a file sent becomes a JSON string body that parses:
//  escapes, non-ASCII as '?', and a cut never splits an escape.
static void
test_json_escape (void **state)
{
    (void) state;
    char out [64];
    assert_string_equal (hb_json_escape ("tick.a.BTC", out, sizeof out), "tick.a.BTC");
    assert_string_equal (hb_json_escape ("a\"b\\c", out, sizeof out), "a\\\"b\\\\c");
    assert_string_equal (hb_json_escape ("x\ny\x01", out, sizeof out), "x\\u000ay\\u0001");
    assert_string_equal (hb_json_escape ("caf\xc3\xa9\x7f", out, sizeof out), "caf???");
    //  room for "ab" and no escape of 6 bytes after it
    char small [9];
    assert_string_equal (hb_json_escape ("ab\x01\x02", small, sizeof small), "ab");
    assert_string_equal (hb_json_escape ("", small, sizeof small), "");
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_names),
        cmocka_unit_test (test_topics),
        cmocka_unit_test (test_json),
        cmocka_unit_test (test_json_escape),
    };
    return cmocka_run_group_tests_name ("hb_msg_text", tests, s_setup, NULL);
}
