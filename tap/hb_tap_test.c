/*  hb_tap tests: one publisher of a hand-built config, the tap writing to a
    memory stream; checks the message lines and the gap, restart and
    decode_error events, exactly as a script would read them. And the
    summary's risk panel from a sample in parts.                            */
#include "hb_tap.h"
#include "hb_summary.h"
#include "hb_log.h"
#include "hb_pub.h"
#include "hb_risk_sample.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <unistd.h>
#include <cmocka.h>

#define S_WAIT_MS 5000

typedef struct {
    char        *buf;
    size_t       len;
    FILE        *out;
    size_t       read;              //  bytes of buf already looked at
} s_stream_t;

//  The lines written since the last call, as one string.
static const char *
s_new_lines (s_stream_t *stream)
{
    static char text [16384];
    fflush (stream->out);
    size_t n = stream->len - stream->read;
    assert_true (n < sizeof text);
    memcpy (text, stream->buf + stream->read, n);
    text [n] = 0;
    stream->read = stream->len;
    return text;
}

static int
s_count (const char *text, const char *needle)
{
    int n = 0;
    for (const char *p = strstr (text, needle); p; p = strstr (p + 1, needle))
        n++;
    return n;
}

static void
s_heartbeat (hb_pub_t *pub, const char *topic)
{
    hb_msg_t msg;
    memset (&msg, 0, sizeof msg);
    msg.env.type = HB_MSG_HEARTBEAT;
    snprintf (msg.u.heartbeat.component, HB_NAME_MAX, "src");
    assert_int_equal (hb_pub_send (pub, topic, &msg), 0);
}

//  Polls until a message line is written (event lines may come first).
static void
s_poll_message (hb_tap_t *tap)
{
    int got = 0;
    for (int i = 0; i < 10 && got == 0; i++)
        got = hb_tap_poll (tap, S_WAIT_MS);
    assert_int_equal (got, 1);
}

static void
test_events (void **state)
{
    (void) state;
    hb_log_init ("test", HB_LOG_ERROR);
    //  Three endpoints: the publisher "src", where "src" comes back after
    //  a restart (rebinding one ipc path inside one process is not
    //  something libzmq reconnects to), and raw garbage.
    char dir [64], endpoint [3][128];
    snprintf (dir, sizeof dir, "/tmp/hb-tap-test-%d", (int) getpid ());
    hb_config_t *config = (hb_config_t *) calloc (1, sizeof *config);
    assert_non_null (config);
    const char *names [] = { "src", "src-again", "raw" };
    for (int i = 0; i < 3; i++) {
        snprintf (endpoint [i], sizeof endpoint [i], "ipc://%s/%s.pub", dir, names [i]);
        snprintf (config->components [i].name, HB_NAME_MAX, "%s", names [i]);
        snprintf (config->components [i].endpoint, HB_ENDPOINT_MAX, "%s", endpoint [i]);
    }
    snprintf (config->components [3].name, HB_NAME_MAX, "quiet");    //  publishes nothing
    config->n_components = 4;

    s_stream_t stream = { 0 };
    stream.out = open_memstream (&stream.buf, &stream.len);
    assert_non_null (stream.out);
    hb_tap_t *tap = hb_tap_new (config, stream.out);
    assert_non_null (tap);
    assert_int_equal (hb_tap_subscribe (tap, "hb."), 0);
    assert_int_equal (hb_tap_connect_all (tap), 3);

    //  a message: one JSON line with its topic and envelope
    hb_pub_t *pub = hb_pub_new (endpoint [0], "src", 0);
    assert_non_null (pub);
    assert_int_equal (hb_pub_wait_subscriber (pub, "hb.src", S_WAIT_MS), 0);
    s_heartbeat (pub, "hb.src");
    s_heartbeat (pub, "hb.other");
    s_poll_message (tap);
    s_poll_message (tap);
    const char *text = s_new_lines (&stream);
    assert_int_equal (s_count (text, "\n"), 2);
    assert_non_null (strstr (text, "\"topic\":\"hb.src\""));
    assert_non_null (strstr (text, "\"publisher\":\"src\""));
    assert_int_equal (s_count (text, "\"event\""), 0);

    //  a gap of 3 on one topic: one event line, then the message
    hb_pub_test_skip (pub, "hb.src", 3);
    s_heartbeat (pub, "hb.src");
    s_poll_message (tap);
    text = s_new_lines (&stream);
    assert_int_equal (s_count (text, "\n"), 2);
    assert_non_null (strstr (text,
        "{\"event\":\"gap\",\"publisher\":\"src\",\"topic\":\"hb.src\",\"missed\":3}\n"));

    //  a restart (same id, new epoch): reported once though both topics
    //  see it
    hb_pub_destroy (&pub);
    pub = hb_pub_new (endpoint [1], "src", 0);
    assert_non_null (pub);
    assert_int_equal (hb_pub_wait_subscriber (pub, "hb.src", S_WAIT_MS), 0);
    s_heartbeat (pub, "hb.src");
    s_heartbeat (pub, "hb.other");
    s_poll_message (tap);
    s_poll_message (tap);
    text = s_new_lines (&stream);
    assert_int_equal (s_count (text, "\"event\":\"restart\",\"publisher\":\"src\""), 1);
    assert_non_null (strstr (text, "\"previous_epoch\":"));
    assert_int_equal (s_count (text, "\"event\":\"gap\""), 0);
    hb_pub_destroy (&pub);

    //  garbage on the wire: a decode_error line, no message line, no crash
    zsock_t *raw = zsock_new (ZMQ_XPUB);
    assert_non_null (raw);
    assert_int_equal (zsock_bind (raw, "%s", endpoint [2]), 0);
    zframe_t *sub = zframe_recv (raw);      //  the tap's subscription
    assert_non_null (sub);
    zframe_destroy (&sub);
    assert_int_equal (zstr_sendm (raw, "hb.src"), 0);
    assert_int_equal (zstr_send (raw, "not msgpack at all"), 0);
    int got = hb_tap_poll (tap, S_WAIT_MS);
    assert_int_equal (got, 0);
    text = s_new_lines (&stream);
    assert_string_equal (text, "{\"event\":\"decode_error\",\"total\":1}\n");
    zsock_destroy (&raw);

    hb_tap_stats_t stats;
    hb_tap_stats (tap, &stats);
    assert_int_equal (stats.messages, 5);
    assert_int_equal (stats.gaps, 1);
    assert_int_equal (stats.missed, 3);
    assert_int_equal (stats.restarts, 1);
    assert_int_equal (stats.decode_errors, 1);

    hb_tap_destroy (&tap);
    assert_null (tap);
    hb_tap_destroy (&tap);
    fclose (stream.out);
    free (stream.buf);
    hb_config_destroy (&config);
    for (int i = 0; i < 3; i++)
        unlink (endpoint [i] + strlen ("ipc://"));
    rmdir (dir);
}

//  What an operator reads in the STATUS columns of hb-top and the summary
static void
test_status_names (void **state)
{
    (void) state;
    assert_string_equal (hb_summary_status_name ("hedger", 0), "ok");
    assert_string_equal (hb_summary_status_name ("hedger", 1), "KILLED");
    assert_string_equal (hb_summary_status_name ("hedger", 2), "JOURNAL FAILED");
    assert_string_equal (hb_summary_status_name ("hedger", 3), "JOURNAL FAILED");
    assert_string_equal (hb_summary_status_name ("feed.alpha", HB_TICK_OUTAGE), "OUTAGE");
    assert_string_equal (hb_summary_status_name ("feed.alpha", HB_TICK_STALE), "stale");
    assert_string_equal (hb_summary_status_name ("feed.alpha", 0), "ok");
    assert_string_equal (hb_summary_status_name ("risk", 4), "degraded");
    assert_string_equal (hb_summary_status_name ("risk", 1), "NO POSITIONS");
    assert_string_equal (hb_summary_status_name ("risk", 3), "NO POSITIONS");
    assert_string_equal (hb_summary_status_name ("risk", 2), "POSITIONS PENDING");
    assert_string_equal (hb_summary_status_name ("aggregator", 4), "POSITIONS MISMATCH");
    assert_string_equal (hb_summary_status_name ("aggregator", 6), "POSITIONS MISMATCH");
    assert_string_equal (hb_summary_status_name ("aggregator", 2), "FILLS MISSING");
    assert_string_equal (hb_summary_status_name ("aggregator", 1), "UNKNOWN FILLS");
    assert_string_equal (hb_summary_status_name ("aggregator", 8), "degraded");
}

//  The summary joins a risk sample's parts: a part's figures show at
//  once, a regime pair is named from the whole sample, and parts lost are
//  counted on the RISK panel
static void
test_summary_risk_parts (void **state)
{
    (void) state;
    char errors [1024] = "";
    hb_config_t *cfg = hb_config_load_quiet ("config/default.yaml", errors, sizeof errors);
    assert_non_null (cfg);
    hb_summary_t *summary = hb_summary_new (cfg);
    assert_non_null (summary);
    //  40 assets, the config's four first: pair 779 is (38, 39), in part 2
    static hb_risk_report_t report;
    memset (&report, 0, sizeof report);
    report.sample = 7;
    report.sample_s = 1;
    report.horizon_s = 86400;
    report.confidence = 0.99;
    report.var_usd = 4242;
    report.n_assets = 40;
    for (int i = 0; i < 40; i++)
        snprintf (report.assets [i].asset, HB_NAME_MAX, "%s", i < 4 ? cfg->assets [i].name : "X");
    //  BTC's options: dollar gamma over its band, vega in two buckets
    report.n_vega_edges = 3;
    report.vega_edges [0] = 7;
    report.vega_edges [1] = 30;
    report.vega_edges [2] = 90;
    report.assets [0].gamma_usd = -11248.4;
    report.assets [0].vega_bucket [0] = -400;
    report.assets [0].vega_bucket [3] = -3089;
    report.assets [0].flags = HB_RISK_ASSET_GAMMA_BAND;
    snprintf (report.assets [38].asset, HB_NAME_MAX, "LINK");
    snprintf (report.assets [39].asset, HB_NAME_MAX, "DOT");
    report.n_regimes = 1;
    report.regimes [0] = (hb_risk_pair_regime_t) { .pair = 779, .state = 2, .kind = 1, .statistic = 3.5f };
    hb_msg_t msg;
    memset (&msg, 0, sizeof msg);
    strcpy (msg.env.publisher, "risk");
    msg.env.epoch = 1;
    int parts = hb_risk_sample_parts (&report);
    for (int i = 0; i < parts; i++) {
        hb_risk_sample_part (&report, i, &msg);
        char topic [HB_TOPIC_MAX];
        hb_msg_topic (&msg, topic);
        hb_summary_add (summary, topic, &msg, HB_SEQ_OK, 0);
    }
    //  the next sample loses its part 1
    report.sample = 8;
    for (int i = 0; i < 3; i++) {
        hb_risk_sample_part (&report, i, &msg);
        if (i != 1)
            hb_summary_add (summary, "risk.exposure", &msg, HB_SEQ_OK, 0);
    }
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream (&text, &size);
    hb_summary_render (summary, out, false, 0);
    fclose (out);
    assert_non_null (strstr (text, "RISK  VaR 4242 USD"));
    assert_non_null (strstr (text, "LINK:DOT"));
    //  the ASSETS panel's greeks: GAMMA$ 1% over its band (!), VEGA/PT
    //  summed over the buckets and inside
    assert_non_null (strstr (text, "GAMMA$ 1%       VEGA/PT STATE"));
    const char *btc = strstr (text, "\nBTC ");
    assert_non_null (btc);
    assert_non_null (strstr (btc, "-11248!        -3489  no position\n"));
    assert_non_null (strstr (text, "RISK  parts refused: 1 gap, 0 mismatch, 0 incomplete"));
    free (text);
    hb_summary_destroy (&summary);
    hb_config_destroy (&cfg);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_events),
        cmocka_unit_test (test_status_names),
        cmocka_unit_test (test_summary_risk_parts),
    };
    return cmocka_run_group_tests_name ("hb_tap", tests, NULL, NULL);
}
