/*  hb_latency tests: hand-made messages with chosen ts_pub, so every
    latency is known exactly: known inputs, missing ones, orders of no
    request, and the bounded memories wrapping around (many times, so the
    index's deletions are exercised too).                                   */
#include "hb_latency.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

//  A message of type from publisher with (epoch, seq) sent at ts_pub.
static hb_msg_t
s_msg (int type, const char *publisher, uint64_t epoch, uint64_t seq, int64_t ts_pub)
{
    hb_msg_t msg;
    memset (&msg, 0, sizeof msg);
    msg.env.version = HB_SCHEMA_VERSION;
    msg.env.type = (uint8_t) type;
    snprintf (msg.env.publisher, sizeof msg.env.publisher, "%s", publisher);
    msg.env.epoch = epoch;
    msg.env.seq = seq;
    msg.env.ts_pub = ts_pub;
    return msg;
}

static void
s_input (hb_msg_t *hedge, const char *topic, const char *publisher, uint64_t epoch, uint64_t seq)
{
    hb_risk_input_t *in = &hedge->u.risk_hedge.inputs [hedge->u.risk_hedge.n_inputs++];
    snprintf (in->topic, sizeof in->topic, "%s", topic);
    snprintf (in->publisher, sizeof in->publisher, "%s", publisher);
    in->epoch = epoch;
    in->seq = seq;
}

static hb_msg_t
s_hedge (const char *id, int64_t ts_pub)
{
    static uint64_t seq;
    hb_msg_t msg = s_msg (HB_MSG_RISK_HEDGE, "risk", 9, ++seq, ts_pub);
    snprintf (msg.u.risk_hedge.id, sizeof msg.u.risk_hedge.id, "%s", id);
    msg.u.risk_hedge.n_targets = 1;
    return msg;
}

static hb_msg_t
s_order (const char *client_id, int64_t ts_pub)
{
    static uint64_t seq;
    hb_msg_t msg = s_msg (HB_MSG_ORDER, "hedger", 3, ++seq, ts_pub);
    snprintf (msg.u.order.client_id, sizeof msg.u.order.client_id, "%s", client_id);
    return msg;
}

static int
s_add (hb_latency_t *latency, const char *topic, const hb_msg_t *msg, hb_latency_decision_t out [2])
{
    return hb_latency_add (latency, topic, msg, out);
}

static void
test_known_inputs (void **state)
{
    (void) state;
    hb_latency_t *latency = hb_latency_new (0, 0);
    assert_non_null (latency);
    hb_latency_decision_t out [2];
    hb_msg_t tick = s_msg (HB_MSG_TICK, "feed.alpha", 1, 41, 1000000);
    hb_msg_t pos = s_msg (HB_MSG_EXPOSURE, "aggregator", 2, 7, 1700000);
    hb_msg_t fill = s_msg (HB_MSG_FILL, "feed.beta", 1, 3, 1500000);
    assert_int_equal (s_add (latency, "tick.alpha.BTC-USD", &tick, out), 0);
    assert_int_equal (s_add (latency, "pos.BTC", &pos, out), 0);
    assert_int_equal (s_add (latency, "fill.beta.BTC-PERP", &fill, out), 0);

    //  the newest input is pos.BTC: 2,000,000 - 1,700,000 ns
    hb_msg_t hedge = s_hedge ("dep-1000", 2000000);
    s_input (&hedge, "tick.alpha.BTC-USD", "feed.alpha", 1, 41);
    s_input (&hedge, "pos.BTC", "aggregator", 2, 7);
    s_input (&hedge, "fill.beta.BTC-PERP", "feed.beta", 1, 3);
    assert_int_equal (s_add (latency, "risk.hedge", &hedge, out), 1);
    assert_int_equal (out [0].kind, HB_LATENCY_RISK);
    assert_string_equal (out [0].id, "dep-1000");
    assert_int_equal (out [0].latency_ns, 300000);
    assert_string_equal (out [0].input_topic, "pos.BTC");
    assert_string_equal (out [0].input_publisher, "aggregator");
    assert_int_equal (out [0].unknown_inputs, 0);

    //  its two legs: hedger from the request, total from pos.BTC
    hb_msg_t order = s_order ("dep-1000.0", 2250000);
    assert_int_equal (s_add (latency, "order.alpha.BTC-USD", &order, out), 2);
    assert_int_equal (out [0].kind, HB_LATENCY_HEDGER);
    assert_string_equal (out [0].id, "dep-1000.0");
    assert_int_equal (out [0].latency_ns, 250000);
    assert_string_equal (out [0].input_topic, "risk.hedge");
    assert_string_equal (out [0].input_publisher, "risk");
    assert_int_equal (out [1].kind, HB_LATENCY_TOTAL);
    assert_int_equal (out [1].latency_ns, 550000);
    assert_string_equal (out [1].input_topic, "pos.BTC");
    order = s_order ("dep-1000.1", 2400000);
    assert_int_equal (s_add (latency, "order.beta.BTC-PERP", &order, out), 2);
    assert_int_equal (out [0].latency_ns, 400000);
    assert_int_equal (out [1].latency_ns, 700000);

    //  the histograms hold exactly these
    hb_hist_t *risk = hb_latency_hist (latency, HB_LATENCY_RISK);
    hb_hist_t *hedger = hb_latency_hist (latency, HB_LATENCY_HEDGER);
    hb_hist_t *total = hb_latency_hist (latency, HB_LATENCY_TOTAL);
    assert_int_equal (hb_hist_count (risk), 1);
    assert_int_equal (hb_hist_percentile (risk, 0.5), 300000);
    assert_int_equal (hb_hist_count (hedger), 2);
    assert_int_equal (hb_hist_min (hedger), 250000);
    assert_int_equal (hb_hist_max (hedger), 400000);
    assert_int_equal (hb_hist_count (total), 2);
    assert_int_equal (hb_hist_max (total), 700000);
    hb_latency_stats_t stats;
    hb_latency_stats (latency, &stats);
    assert_int_equal (stats.messages, 6);
    assert_int_equal (stats.requests, 1);
    assert_int_equal (stats.inputs_known, 3);
    assert_int_equal (stats.inputs_unknown, 0);
    assert_int_equal (stats.orders, 2);
    assert_int_equal (stats.orders_unknown, 0);

    //  the summary an operator reads
    char *text = NULL;
    size_t size = 0;
    FILE *mem = open_memstream (&text, &size);
    assert_non_null (mem);
    hb_latency_render (latency, mem);
    fclose (mem);
    assert_non_null (strstr (text, "DECISION LATENCY"));
    assert_non_null (strstr (text, "unknown inputs 0, orders of no known request 0\n"));
    assert_non_null (strstr (text, "  risk                  1    300.0us    300.0us    300.0us  input -> risk.hedge\n"));
    assert_non_null (strstr (text, "  hedger                2 "));
    assert_non_null (strstr (text, "    400.0us  risk.hedge -> order\n"));
    assert_non_null (strstr (text, "  total                 2 "));
    free (text);

    //  one decision as a JSON line
    char json [512];
    hb_latency_decision_t decision = out [1];
    int len = hb_latency_to_json (&decision, json, sizeof json);
    assert_string_equal (json, "{\"id\":\"dep-1000.1\",\"kind\":\"total\",\"latency_us\":700.000,"
                               "\"newest_input_topic\":\"pos.BTC\",\"newest_input_publisher\":\"aggregator\","
                               "\"unknown_inputs\":0}");
    assert_int_equal (len, (int) strlen (json));
    //  a short buffer: truncated, terminated
    assert_true (hb_latency_to_json (&decision, json, 10) == 9 && strlen (json) == 9);
    snprintf (decision.input_topic, sizeof decision.input_topic, "a\"b\\c\n");
    hb_latency_to_json (&decision, json, sizeof json);
    assert_non_null (strstr (json, "\"newest_input_topic\":\"a\\\"b\\\\c\\u000a\""));
    hb_latency_destroy (&latency);
    assert_null (latency);
    hb_latency_destroy (&latency);
}

//  An input is its (topic, publisher, epoch, seq): any one of them
//  different is another message
static void
test_missing_input (void **state)
{
    (void) state;
    hb_latency_t *latency = hb_latency_new (0, 0);
    assert_non_null (latency);
    hb_latency_decision_t out [2];
    hb_msg_t tick = s_msg (HB_MSG_TICK, "feed.alpha", 1, 41, 1000000);
    assert_int_equal (s_add (latency, "tick.alpha.BTC-USD", &tick, out), 0);

    hb_msg_t hedge = s_hedge ("r-1", 3000000);
    s_input (&hedge, "tick.alpha.BTC-USD", "feed.alpha", 1, 42);     //  seq
    s_input (&hedge, "tick.alpha.BTC-USD", "feed.alpha", 2, 41);     //  epoch
    s_input (&hedge, "tick.alpha.BTC-USD", "feed.beta", 1, 41);      //  publisher
    s_input (&hedge, "tick.alpha.ETH-USD", "feed.alpha", 1, 41);     //  topic
    s_input (&hedge, "tick.alpha.BTC-USD", "feed.alpha", 1, 41);     //  the one
    assert_int_equal (s_add (latency, "risk.hedge", &hedge, out), 1);
    assert_int_equal (out [0].latency_ns, 2000000);
    assert_int_equal (out [0].unknown_inputs, 4);
    assert_string_equal (out [0].input_topic, "tick.alpha.BTC-USD");

    //  none known: no risk latency, and its orders have no total
    hedge = s_hedge ("r-2", 4000000);
    s_input (&hedge, "pos.BTC", "aggregator", 2, 99);
    assert_int_equal (s_add (latency, "risk.hedge", &hedge, out), 0);
    hb_msg_t order = s_order ("r-2.0", 4100000);
    assert_int_equal (s_add (latency, "order.alpha.BTC-USD", &order, out), 1);
    assert_int_equal (out [0].kind, HB_LATENCY_HEDGER);
    assert_int_equal (out [0].latency_ns, 100000);

    //  a request that names nothing: the same
    hedge = s_hedge ("r-3", 5000000);
    assert_int_equal (s_add (latency, "risk.hedge", &hedge, out), 0);
    order = s_order ("r-3.4", 5000500);
    assert_int_equal (s_add (latency, "order.alpha.BTC-USD", &order, out), 1);
    assert_int_equal (out [0].latency_ns, 500);

    //  clocks out of step: reported below 0, recorded as 0
    hb_msg_t early = s_order ("r-3.5", 4000000);
    assert_int_equal (s_add (latency, "order.alpha.BTC-USD", &early, out), 1);
    assert_int_equal (out [0].latency_ns, -1000000);
    assert_int_equal (hb_hist_min (hb_latency_hist (latency, HB_LATENCY_HEDGER)), 0);

    hb_latency_stats_t stats;
    hb_latency_stats (latency, &stats);
    assert_int_equal (stats.inputs_known, 1);
    assert_int_equal (stats.inputs_unknown, 5);
    assert_int_equal (hb_hist_count (hb_latency_hist (latency, HB_LATENCY_RISK)), 1);
    assert_int_equal (hb_hist_count (hb_latency_hist (latency, HB_LATENCY_HEDGER)), 3);
    assert_int_equal (hb_hist_count (hb_latency_hist (latency, HB_LATENCY_TOTAL)), 0);
    assert_null (hb_latency_add (latency, "x", NULL, out) ? "decision" : NULL);
    hb_latency_destroy (&latency);
}

static void
test_unknown_request (void **state)
{
    (void) state;
    hb_latency_t *latency = hb_latency_new (0, 0);
    assert_non_null (latency);
    hb_latency_decision_t out [2];
    hb_msg_t hedge = s_hedge ("dep.a-7", 1000);
    assert_int_equal (s_add (latency, "risk.hedge", &hedge, out), 0);
    //  none of these is a leg of a known request
    const char *ids [] = { "it-top-1", "dep.a-8.0", "dep.a-7", "dep.a-7.", "dep.a-7.x", "dep.a-7.0x",
                           "dep.a.0", "dep.a-70.0", ".0", "" };
    for (size_t i = 0; i < sizeof ids / sizeof ids [0]; i++) {
        hb_msg_t order = s_order (ids [i], 2000);
        assert_int_equal (s_add (latency, "order.alpha.BTC-USD", &order, out), 0);
    }
    //  this one is (a request id may hold dots: the leg is after the last)
    hb_msg_t order = s_order ("dep.a-7.12", 2000);
    assert_int_equal (s_add (latency, "order.alpha.BTC-USD", &order, out), 1);
    assert_int_equal (out [0].latency_ns, 1000);
    hb_latency_stats_t stats;
    hb_latency_stats (latency, &stats);
    assert_int_equal (stats.orders, 11);
    assert_int_equal (stats.orders_unknown, 10);
    hb_latency_destroy (&latency);
}

//  Capacity 4: the fifth message forgets the first, and so on, many times
//  round; the requests' memory the same with 2
static void
test_wraparound (void **state)
{
    (void) state;
    hb_latency_t *latency = hb_latency_new (4, 2);
    assert_non_null (latency);
    hb_latency_decision_t out [2];
    char topic [HB_TOPIC_MAX], id [HB_ID_MAX];
    //  ticks of two topics, seq 1..n each, ts_pub = 1000 x (its rank);
    //  after each, every one of the last 4 is known, the one before is not
    //  (the hedge requests themselves take ring slots: ask with a hedge
    //  every time and count it in)
    uint64_t rank = 0;
    for (uint64_t seq = 1; seq <= 500; seq++) {
        snprintf (topic, sizeof topic, "tick.v%d.BTC-USD", (int) (seq % 2));
        hb_msg_t tick = s_msg (HB_MSG_TICK, "feed.v", 1, seq, (int64_t) (++rank) * 1000);
        s_add (latency, topic, &tick, out);
        for (uint64_t back = 0; back < 5 && back < seq; back++) {
            uint64_t asked = seq - back;
            snprintf (id, sizeof id, "w-%llu-%llu", (unsigned long long) seq, (unsigned long long) back);
            hb_msg_t hedge = s_hedge (id, (int64_t) (rank + 1) * 1000);
            snprintf (topic, sizeof topic, "tick.v%d.BTC-USD", (int) (asked % 2));
            s_input (&hedge, topic, "feed.v", 1, asked);
            //  the ring holds this tick and the 3 messages before it: from
            //  seq 3 on, those are the hedges of the previous round, so
            //  only back == 0 is known
            int got = s_add (latency, "risk.hedge", &hedge, out);
            if (back == 0) {
                assert_int_equal (got, 1);
                assert_int_equal (out [0].latency_ns, 1000);
            }
            else
            if (seq >= 3)
                assert_int_equal (got, 0);
            rank++;
        }
    }
    //  exactly the last 4: four ticks in a row, then ask for each (the asks
    //  themselves push the oldest out, so ask newest first)
    for (uint64_t seq = 1001; seq <= 1004; seq++) {
        hb_msg_t tick = s_msg (HB_MSG_TICK, "feed.q", 1, seq, (int64_t) seq);
        s_add (latency, "tick.q.X", &tick, out);
    }
    hb_msg_t hedge = s_hedge ("q-1", 2000);
    for (uint64_t seq = 1000; seq <= 1004; seq++)
        s_input (&hedge, "tick.q.X", "feed.q", 1, seq);
    assert_int_equal (s_add (latency, "risk.hedge", &hedge, out), 1);
    assert_int_equal (out [0].unknown_inputs, 1);           //  1000 was never there
    assert_int_equal (out [0].latency_ns, 2000 - 1004);
    hedge = s_hedge ("q-2", 3000);
    s_input (&hedge, "tick.q.X", "feed.q", 1, 1001);        //  pushed out by q-1
    s_input (&hedge, "tick.q.X", "feed.q", 1, 1002);
    assert_int_equal (s_add (latency, "risk.hedge", &hedge, out), 1);
    assert_int_equal (out [0].unknown_inputs, 1);
    assert_int_equal (out [0].latency_ns, 3000 - 1002);

    //  requests: q-1 and q-2 are the last two; a third forgets q-1
    hb_msg_t order = s_order ("q-1.0", 5000);
    assert_int_equal (s_add (latency, "order.a.X", &order, out), 2);
    assert_int_equal (out [0].latency_ns, 3000);
    hedge = s_hedge ("q-3", 4000);
    s_add (latency, "risk.hedge", &hedge, out);
    order = s_order ("q-1.1", 5000);
    assert_int_equal (s_add (latency, "order.a.X", &order, out), 0);
    order = s_order ("q-2.0", 5000);
    assert_int_equal (s_add (latency, "order.a.X", &order, out), 2);
    assert_int_equal (out [0].latency_ns, 2000);
    assert_int_equal (out [1].latency_ns, 5000 - 1002);
    order = s_order ("q-3.0", 5000);
    assert_int_equal (s_add (latency, "order.a.X", &order, out), 1);
    hb_latency_destroy (&latency);
}

//  A big ring wrapped many times over with random keys: every one of the
//  last n is found, none older (the index's backward shifts keep runs whole)
static void
test_wraparound_random (void **state)
{
    (void) state;
    enum { N = 64, ROUNDS = 40 };
    hb_latency_t *latency = hb_latency_new (N, 0);
    assert_non_null (latency);
    hb_latency_decision_t out [2];
    srand (7);
    uint64_t seqs [N * ROUNDS];
    for (int i = 0; i < N * ROUNDS; i++) {
        seqs [i] = ((uint64_t) rand () << 20) ^ (uint64_t) rand ();
        hb_msg_t tick = s_msg (HB_MSG_TICK, "feed.r", 1, seqs [i], i + 1);
        s_add (latency, "tick.r", &tick, out);
        if (i % 97 != 0 || i < N)
            continue;
        //  ask for the 12 oldest of the last N, and the 12 just before
        //  them: 12 known (the ask itself pushes out nothing it names)
        hb_msg_t hedge = s_hedge ("x", 0);
        for (int k = 0; k < 6; k++) {
            s_input (&hedge, "tick.r", "feed.r", 1, seqs [i - N + 1 + k]);
            s_input (&hedge, "tick.r", "feed.r", 1, seqs [i - N + 1 - 6 + k]);
        }
        assert_int_equal (s_add (latency, "risk.hedge", &hedge, out), 1);
        assert_int_equal (out [0].unknown_inputs, 6);
        assert_int_equal (out [0].latency_ns, -(i - N + 1 + 5 + 1));
        //  the ask took a slot: tick i - N + 1 is gone now; add it back
        //  as the next tick so the arithmetic above stays simple
        i++;
        seqs [i] = seqs [i - N];
        hb_msg_t again = s_msg (HB_MSG_TICK, "feed.r", 1, seqs [i], i + 1);
        s_add (latency, "tick.r", &again, out);
    }
    hb_latency_destroy (&latency);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_known_inputs),
        cmocka_unit_test (test_missing_input),
        cmocka_unit_test (test_unknown_request),
        cmocka_unit_test (test_wraparound),
        cmocka_unit_test (test_wraparound_random),
    };
    return cmocka_run_group_tests_name ("hb_latency", tests, NULL, NULL);
}
