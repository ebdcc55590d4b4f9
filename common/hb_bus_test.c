/*  hb_pub / hb_sub tests over ipc, in a private temp directory.

    Every test waits for its subscription to reach the publisher
    (hb_pub_wait_subscriber) before publishing, and asserts counts and
    contents, never times.                                                   */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <ftw.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hb_log.h"
#include "hb_metrics.h"
#include "hb_pub.h"
#include "hb_sub.h"
#include "hb_time.h"
#include "hb_msg_sample.h"

#define WAIT_MS     5000            //  generous: the machine is shared

#if defined (__SANITIZE_ADDRESS__)
#   define COUNT_ALLOCS 0
#else
#   define COUNT_ALLOCS 1
//  Counts the allocations made by this thread, to check that the hot path
//  adds none to what libzmq itself does. Only in the plain build: the
//  sanitizers bring their own allocator.
extern void *__libc_malloc (size_t size);
extern void *__libc_calloc (size_t count, size_t size);
extern void *__libc_realloc (void *ptr, size_t size);
static __thread uint64_t s_allocs;

void *
malloc (size_t size)
{
    s_allocs++;
    return __libc_malloc (size);
}

void *
calloc (size_t count, size_t size)
{
    s_allocs++;
    return __libc_calloc (count, size);
}

void *
realloc (void *ptr, size_t size)
{
    s_allocs++;
    return __libc_realloc (ptr, size);
}
#endif

static char s_dir [64];

static const char *
s_endpoint (const char *name)
{
    static char endpoint [2][128];
    static int which = 0;
    which = 1 - which;
    snprintf (endpoint [which], sizeof endpoint [which], "ipc://%s/%s", s_dir, name);
    return endpoint [which];
}

static int
s_remove (const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void) st; (void) flag; (void) ftw;
    return remove (path);
}

static int
s_group_setup (void **state)
{
    (void) state;
    hb_log_init ("hb_bus_test", HB_LOG_WARN);
    snprintf (s_dir, sizeof s_dir, "/tmp/hb_bus_test.XXXXXX");
    return mkdtemp (s_dir) ? 0 : -1;
}

static int
s_group_teardown (void **state)
{
    (void) state;
    return nftw (s_dir, s_remove, 16, FTW_DEPTH | FTW_PHYS);
}


//  The value of one series (name{labels} as exposed) in this process's
//  metrics, 0 when absent
static double
s_metric (const char *sample)
{
    char *text = hb_metrics_text (hb_metrics_process ());
    assert_non_null (text);
    double value = 0;
    size_t len = strlen (sample);
    for (const char *line = text; line && *line; line = strchr (line, '\n') ? strchr (line, '\n') + 1 : NULL)
        if (strncmp (line, sample, len) == 0 && line [len] == ' ')
            value = strtod (line + len + 1, NULL);
    free (text);
    return value;
}

static void
s_tick (hb_msg_t *msg, const char *symbol, double px)
{
    memset (msg, 0, sizeof *msg);
    msg->env.type = HB_MSG_TICK;
    msg->env.ts_venue = 1700000000000000000;
    msg->env.ts_recv = 1700000000000001000;
    hb_tick_t *tick = &msg->u.tick;
    snprintf (tick->venue, sizeof tick->venue, "alpha");
    snprintf (tick->symbol, sizeof tick->symbol, "%s", symbol);
    tick->mark = px;
    tick->n_bids = tick->n_asks = 5;
    for (int i = 0; i < 5; i++) {
        tick->bids [i].px = px - 0.5 * (i + 1);
        tick->bids [i].qty = 1.0 + i;
        tick->asks [i].px = px + 0.5 * (i + 1);
        tick->asks [i].qty = 2.0 + i;
    }
}

static void
s_fill (hb_msg_t *msg, int n)
{
    memset (msg, 0, sizeof *msg);
    msg->env.type = HB_MSG_FILL;
    hb_fill_t *fill = &msg->u.fill;
    snprintf (fill->venue, sizeof fill->venue, "alpha");
    snprintf (fill->symbol, sizeof fill->symbol, "BTC-PERP");
    snprintf (fill->client_id, sizeof fill->client_id, "c%d", n);
    snprintf (fill->order_id, sizeof fill->order_id, "o%d", n);
    snprintf (fill->fill_id, sizeof fill->fill_id, "f%d", n);
    fill->side = HB_SIDE_BUY;
    fill->liquidity = 2;
    fill->px = 65000.5;
    fill->qty = n;
    fill->fee = 0.25;
    snprintf (fill->fee_asset, sizeof fill->fee_asset, "USD");
}

//  A publisher and a subscriber connected to it, subscribed to prefix,
//  with the subscription arrived.
static void
s_pair (const char *name, int hwm, const char *prefix, const char *topic,
        hb_pub_t **pub_p, hb_sub_t **sub_p)
{
    hb_pub_t *pub = hb_pub_new (s_endpoint (name), "feed.alpha", hwm);
    assert_non_null (pub);
    hb_sub_t *sub = hb_sub_new (hwm);
    assert_non_null (sub);
    assert_int_equal (hb_sub_connect (sub, s_endpoint (name)), 0);
    assert_int_equal (hb_sub_subscribe (sub, prefix), 0);
    assert_int_equal (hb_pub_wait_subscriber (pub, topic, WAIT_MS), 0);
    *pub_p = pub;
    *sub_p = sub;
}

static void
test_endpoints (void **state)
{
    (void) state;
    //  relative ipc paths are refused on both sides
    assert_null (hb_pub_new ("ipc://relative.ipc", "feed.alpha", 0));
    hb_sub_t *sub = hb_sub_new (0);
    assert_non_null (sub);
    assert_int_equal (hb_sub_connect (sub, "ipc://relative.ipc"), -1);
    hb_sub_destroy (&sub);
    assert_null (sub);
    hb_sub_destroy (&sub);
    //  a bad publisher id, an unknown transport
    assert_null (hb_pub_new (s_endpoint ("x.ipc"), "feed alpha", 0));
    assert_null (hb_pub_new ("nosuch://x", "feed.alpha", 0));
    //  the directory of an ipc path is created
    char endpoint [128];
    snprintf (endpoint, sizeof endpoint, "ipc://%s/deep/er/pub.ipc", s_dir);
    hb_pub_t *pub = hb_pub_new (endpoint, "feed.alpha", 0);
    assert_non_null (pub);
    struct stat st;
    char dir [128];
    snprintf (dir, sizeof dir, "%s/deep/er", s_dir);
    assert_int_equal (stat (dir, &st), 0);
    assert_true (S_ISDIR (st.st_mode));
    assert_string_equal (hb_pub_id (pub), "feed.alpha");
    assert_true (hb_pub_epoch (pub) > 0);
    assert_non_null (hb_pub_sock (pub));
    hb_pub_destroy (&pub);
    assert_null (pub);
    hb_pub_destroy (&pub);
}

static void
test_round_trip (void **state)
{
    (void) state;
    hb_pub_t *pub;
    hb_sub_t *sub;
    s_pair ("rt.ipc", 0, "tick.", "tick.alpha.BTC-PERP", &pub, &sub);
    assert_int_equal (hb_sub_subscribe (sub, "fill."), 0);
    assert_int_equal (hb_pub_wait_subscriber (pub, "fill.alpha.BTC-PERP", WAIT_MS), 0);

    hb_msg_t msg;
    for (int i = 0; i < 3; i++) {
        s_tick (&msg, "BTC-PERP", 65000 + i);
        assert_int_equal (hb_pub_send (pub, NULL, &msg), 0);
    }
    s_fill (&msg, 7);
    assert_int_equal (hb_pub_send (pub, NULL, &msg), 0);

    char topic [HB_TOPIC_MAX];
    hb_seq_status_t status;
    for (int i = 0; i < 3; i++) {
        memset (&msg, 0xAA, sizeof msg);
        assert_int_equal (hb_sub_recv (sub, topic, sizeof topic, &msg, &status, WAIT_MS), 0);
        assert_string_equal (topic, "tick.alpha.BTC-PERP");
        assert_int_equal (status, i == 0 ? HB_SEQ_FIRST : HB_SEQ_OK);
        assert_int_equal (msg.env.version, HB_SCHEMA_VERSION);
        assert_int_equal (msg.env.type, HB_MSG_TICK);
        assert_string_equal (msg.env.publisher, "feed.alpha");
        assert_int_equal (msg.env.epoch, hb_pub_epoch (pub));
        assert_int_equal (msg.env.seq, i + 1);
        assert_true (msg.env.ts_pub > 0);
        assert_int_equal (msg.env.ts_venue, 1700000000000000000);
        assert_int_equal (msg.env.ts_recv, 1700000000000001000);
        assert_string_equal (msg.u.tick.venue, "alpha");
        assert_string_equal (msg.u.tick.symbol, "BTC-PERP");
        assert_int_equal (msg.u.tick.n_bids, 5);
        assert_int_equal (msg.u.tick.n_asks, 5);
        assert_true (msg.u.tick.bids [0].px == 65000 + i - 0.5);
        assert_true (msg.u.tick.asks [4].qty == 6.0);
        size_t size = 0;
        assert_non_null (hb_sub_last_payload (sub, &size));
        assert_true (size > 0);
    }
    assert_int_equal (hb_sub_recv (sub, topic, sizeof topic, &msg, &status, WAIT_MS), 0);
    assert_string_equal (topic, "fill.alpha.BTC-PERP");
    assert_int_equal (status, HB_SEQ_FIRST);
    assert_int_equal (msg.env.type, HB_MSG_FILL);
    assert_int_equal (msg.env.seq, 1);          //  per topic
    assert_string_equal (msg.u.fill.fill_id, "f7");
    assert_true (msg.u.fill.qty == 7);
    assert_string_equal (msg.u.fill.fee_asset, "USD");

    //  nothing else; a short topic buffer truncates
    assert_int_equal (hb_sub_recv (sub, topic, sizeof topic, &msg, &status, 0), -1);
    assert_int_equal (errno, EAGAIN);
    assert_int_equal (hb_sub_recv (sub, topic, sizeof topic, &msg, &status, 50), -1);
    assert_int_equal (errno, EAGAIN);
    s_tick (&msg, "BTC-PERP", 100);
    assert_int_equal (hb_pub_send (pub, NULL, &msg), 0);
    char shorty [5];
    assert_int_equal (hb_sub_recv (sub, shorty, sizeof shorty, &msg, NULL, WAIT_MS), 0);
    assert_string_equal (shorty, "tick");

    hb_pub_stats_t pstats;
    hb_pub_stats (pub, &pstats);
    assert_int_equal (pstats.sent, 5);
    assert_int_equal (pstats.errors, 0);
    assert_int_equal (pstats.subscriptions, 2);
    hb_sub_stats_t sstats;
    hb_sub_stats (sub, &sstats);
    assert_int_equal (sstats.received, 5);
    assert_int_equal (sstats.decode_errors, 0);
    assert_int_equal (sstats.gaps, 0);
    hb_sub_destroy (&sub);
    hb_pub_destroy (&pub);
}

static void
test_subscriptions (void **state)
{
    (void) state;
    hb_pub_t *pub;
    hb_sub_t *sub;
    s_pair ("subs.ipc", 0, "tick.alpha.", "tick.alpha.ETH", &pub, &sub);
    //  nobody wants fills: the wait times out
    assert_int_equal (hb_pub_wait_subscriber (pub, "fill.alpha.ETH", 100), -1);
    //  a prefix longer than the topic does not match it
    assert_int_equal (hb_pub_wait_subscriber (pub, "tick.alpha", 100), -1);
    assert_int_equal (hb_sub_subscribe (sub, "fill."), 0);
    assert_int_equal (hb_pub_wait_subscriber (pub, "fill.alpha.ETH", WAIT_MS), 0);
    hb_pub_stats_t stats;
    hb_pub_stats (pub, &stats);
    assert_int_equal (stats.subscriptions, 2);

    //  the unsubscribe arrives too; the next subscribe is our marker
    assert_int_equal (hb_sub_unsubscribe (sub, "fill."), 0);
    assert_int_equal (hb_sub_subscribe (sub, "hb."), 0);
    assert_int_equal (hb_pub_wait_subscriber (pub, "hb.risk", WAIT_MS), 0);
    hb_pub_stats (pub, &stats);
    assert_int_equal (stats.subscriptions, 2);
    assert_int_equal (hb_pub_wait_subscriber (pub, "fill.alpha.ETH", 50), -1);

    //  exact prefixes: a subscriber to all of "order." covers the topic but
    //  is not the one subscribed to "order.alpha." (a feed)
    assert_int_equal (hb_sub_subscribe (sub, "order."), 0);
    assert_int_equal (hb_pub_wait_subscriber (pub, "order.alpha.", WAIT_MS), 0);
    assert_int_equal (hb_pub_wait_prefix (pub, "order.alpha.", 100), -1);
    assert_int_equal (hb_sub_subscribe (sub, "order.alpha."), 0);
    assert_int_equal (hb_pub_wait_prefix (pub, "order.alpha.", WAIT_MS), 0);
    hb_sub_destroy (&sub);
    hb_pub_destroy (&pub);
}

static void
test_gap (void **state)
{
    (void) state;
    hb_pub_t *pub;
    hb_sub_t *sub;
    s_pair ("gap.ipc", 0, "tick.", "tick.alpha.SOL-PERP", &pub, &sub);
    hb_msg_t msg;
    s_tick (&msg, "SOL-PERP", 150);
    assert_int_equal (hb_pub_send (pub, NULL, &msg), 0);
    hb_pub_test_skip (pub, "tick.alpha.SOL-PERP", 5);
    assert_int_equal (hb_pub_send (pub, NULL, &msg), 0);
    assert_int_equal (hb_pub_send (pub, NULL, &msg), 0);

    hb_seq_status_t status;
    assert_int_equal (hb_sub_recv (sub, NULL, 0, &msg, &status, WAIT_MS), 0);
    assert_int_equal (status, HB_SEQ_FIRST);
    assert_int_equal (hb_sub_recv (sub, NULL, 0, &msg, &status, WAIT_MS), 0);
    assert_int_equal (status, HB_SEQ_GAP);
    assert_int_equal (msg.env.seq, 7);
    assert_int_equal (hb_sub_last_missed (sub), 5);
    assert_int_equal (hb_sub_recv (sub, NULL, 0, &msg, &status, WAIT_MS), 0);
    assert_int_equal (status, HB_SEQ_OK);
    hb_sub_stats_t stats;
    hb_sub_stats (sub, &stats);
    assert_int_equal (stats.gaps, 1);
    assert_int_equal (stats.missed, 5);
    assert_int_equal (stats.received, 3);
    hb_sub_destroy (&sub);
    hb_pub_destroy (&pub);
}

static void
test_restart (void **state)
{
    (void) state;
    hb_pub_t *pub;
    hb_sub_t *sub;
    s_pair ("restart.ipc", 0, "fill.", "fill.alpha.BTC-PERP", &pub, &sub);
    hb_msg_t msg;
    hb_seq_status_t status;
    for (int i = 1; i <= 2; i++) {
        s_fill (&msg, i);
        assert_int_equal (hb_pub_send (pub, NULL, &msg), 0);
        assert_int_equal (hb_sub_recv (sub, NULL, 0, &msg, &status, WAIT_MS), 0);
    }
    uint64_t first_epoch = hb_pub_epoch (pub);
    hb_pub_destroy (&pub);
    //  The same endpoint again: libzmq 4.3 leaves the socket file behind
    //  and a new bind replaces it.
    pub = hb_pub_new (s_endpoint ("restart.ipc"), "feed.alpha", 0);
    assert_non_null (pub);
    assert_true (hb_pub_epoch (pub) > first_epoch);
    //  The subscriber resends its subscriptions from its own thread, when
    //  it next touches its socket (as its reactor would): keep it polling.
    int rc = -1;
    for (int i = 0; i < WAIT_MS / 50 && rc != 0; i++) {
        assert_int_equal (hb_sub_recv (sub, NULL, 0, &msg, &status, 0), -1);
        rc = hb_pub_wait_subscriber (pub, "fill.alpha.BTC-PERP", 50);
    }
    assert_int_equal (rc, 0);
    s_fill (&msg, 3);
    assert_int_equal (hb_pub_send (pub, NULL, &msg), 0);
    assert_int_equal (hb_sub_recv (sub, NULL, 0, &msg, &status, WAIT_MS), 0);
    assert_int_equal (status, HB_SEQ_RESTART);
    assert_int_equal (msg.env.seq, 1);
    assert_int_equal (msg.env.epoch, hb_pub_epoch (pub));
    hb_sub_stats_t stats;
    hb_sub_stats (sub, &stats);
    assert_int_equal (stats.restarts, 1);
    assert_int_equal (stats.gaps, 0);
    hb_sub_destroy (&sub);
    hb_pub_destroy (&pub);
}

//  Garbage from a raw socket on a second endpoint: each malformed message
//  is counted, and good ones on both endpoints still arrive.
static void
test_malformed (void **state)
{
    (void) state;
    hb_pub_t *pub;
    hb_sub_t *sub;
    s_pair ("good.ipc", 0, "", "tick.alpha.BTC-PERP", &pub, &sub);
    zsock_t *raw = zsock_new (ZMQ_XPUB);
    assert_non_null (raw);
    assert_int_not_equal (zsock_bind (raw, "%s", s_endpoint ("raw.ipc")), -1);
    void *handle = zsock_resolve (raw);
    assert_int_equal (hb_sub_connect (sub, s_endpoint ("raw.ipc")), 0);
    //  the subscription ("" = everything) reaching the raw socket
    zmq_pollitem_t item = { handle, 0, ZMQ_POLLIN, 0 };
    assert_int_equal (zmq_poll (&item, 1, WAIT_MS), 1);
    char sub_msg [8];
    assert_int_equal (zmq_recv (handle, sub_msg, sizeof sub_msg, 0), 1);
    assert_int_equal (sub_msg [0], 1);

    double ahead0 = s_metric ("hb_bus_refused_messages_total{reason=\"ahead\"}");
    //  1. not msgpack
    zmq_send (handle, "tick.alpha.BTC-PERP", 19, ZMQ_SNDMORE);
    zmq_send (handle, "\xc1\xc1\xc1garbage", 10, 0);
    //  2. three frames
    zmq_send (handle, "tick.alpha.BTC-PERP", 19, ZMQ_SNDMORE);
    zmq_send (handle, "a", 1, ZMQ_SNDMORE);
    zmq_send (handle, "b", 1, 0);
    //  3. one frame
    zmq_send (handle, "tick.alpha.BTC-PERP", 19, 0);
    //  4. empty payload
    zmq_send (handle, "tick.alpha.BTC-PERP", 19, ZMQ_SNDMORE);
    zmq_send (handle, "", 0, 0);
    //  5. a good payload under a topic that is too long
    hb_msg_t msg;
    s_tick (&msg, "BTC-PERP", 100);
    snprintf (msg.env.publisher, sizeof msg.env.publisher, "raw");
    msg.env.version = HB_SCHEMA_VERSION;
    msg.env.epoch = 1;
    msg.env.seq = 1;
    hb_buf_t buf;
    assert_int_equal (hb_msg_encode (&msg, &buf), 0);
    char long_topic [200];
    memset (long_topic, 't', sizeof long_topic);
    zmq_send (handle, long_topic, sizeof long_topic, ZMQ_SNDMORE);
    zmq_send (handle, buf.data, buf.size, 0);
    //  5b. well-formed, but stamped 120 s and 80 years ahead of our clock
    //  (a clock step on the publisher's host): dropped and counted apart
    hb_buf_t ahead;
    msg.env.ts_pub = hb_wall_ns () + 120 * 1000000000LL;
    assert_int_equal (hb_msg_encode (&msg, &ahead), 0);
    zmq_send (handle, "tick.alpha.BTC-PERP", 19, ZMQ_SNDMORE);
    zmq_send (handle, ahead.data, ahead.size, 0);
    msg.env.ts_pub = hb_wall_ns () + 80LL * 365 * 86400 * 1000000000LL;
    assert_int_equal (hb_msg_encode (&msg, &ahead), 0);
    zmq_send (handle, "tick.alpha.BTC-PERP", 19, ZMQ_SNDMORE);
    zmq_send (handle, ahead.data, ahead.size, 0);
    //  6. then a good one, on the same connection so it comes after
    zmq_send (handle, "tick.alpha.BTC-PERP", 19, ZMQ_SNDMORE);
    zmq_send (handle, buf.data, buf.size, 0);
    //  and one on the good publisher
    s_tick (&msg, "BTC-PERP", 200);
    assert_int_equal (hb_pub_send (pub, NULL, &msg), 0);

    int good = 0, errors = 0, from_raw = 0;
    char topic [HB_TOPIC_MAX];
    while (good < 2) {
        int rc = hb_sub_recv (sub, topic, sizeof topic, &msg, NULL, WAIT_MS);
        if (rc == 0) {
            good++;
            assert_string_equal (topic, "tick.alpha.BTC-PERP");
            if (strcmp (msg.env.publisher, "raw") == 0) {
                from_raw++;
                assert_true (msg.u.tick.mark == 100);
                assert_int_equal (errors, 7);       //  everything before it was refused
            }
            else
                assert_true (msg.u.tick.mark == 200);
        }
        else {
            assert_int_equal (errno, EPROTO);
            assert_null (hb_sub_last_payload (sub, NULL));
            errors++;
            assert_true (errors <= 7);
        }
    }
    assert_int_equal (from_raw, 1);
    assert_int_equal (errors, 7);
    hb_sub_stats_t stats;
    hb_sub_stats (sub, &stats);
    assert_int_equal (stats.decode_errors, 5);
    assert_int_equal (stats.future, 2);
    //  and where an operator sees it
    assert_true (s_metric ("hb_bus_refused_messages_total{reason=\"ahead\"}") - ahead0 == 2);
    assert_int_equal (stats.received, 2);
    zsock_destroy (&raw);
    hb_sub_destroy (&sub);
    hb_pub_destroy (&pub);
}

//  Sends msg as publisher with the envelope filled in, on a raw socket
static void
s_raw_send (void *handle, const char *topic, hb_msg_t *msg, const char *publisher, uint64_t seq)
{
    snprintf (msg->env.publisher, sizeof msg->env.publisher, "%s", publisher);
    msg->env.version = HB_SCHEMA_VERSION;
    msg->env.epoch = 1;
    msg->env.seq = seq;
    msg->env.ts_pub = hb_wall_ns ();
    static hb_buf_t buf;
    assert_int_equal (hb_msg_encode (msg, &buf), 0);
    zmq_send (handle, topic, strlen (topic), ZMQ_SNDMORE);
    zmq_send (handle, buf.data, buf.size, 0);
}

//  A connection made with a role carries only what its publisher may send:
//  a message signed with another publisher's name, of a type that role may
//  not send, or naming another venue is refused and counted, whatever its
//  envelope says; a role-less connection (tools) takes everything.
static void
test_roles (void **state)
{
    (void) state;
    zsock_t *raw = zsock_new (ZMQ_XPUB);
    assert_non_null (raw);
    assert_int_not_equal (zsock_bind (raw, "%s", s_endpoint ("feed-alpha.ipc")), -1);
    void *handle = zsock_resolve (raw);
    hb_sub_t *sub = hb_sub_new (0);
    assert_non_null (sub);
    hb_sub_role_t role = { .publisher = "feed.alpha", .venue = "alpha",
                           .types = HB_SUB_TYPE (HB_MSG_TICK) | HB_SUB_TYPE (HB_MSG_FILL)
                                  | HB_SUB_TYPE (HB_MSG_HEARTBEAT) };
    assert_int_equal (hb_sub_subscribe (sub, ""), 0);       //  before: applies to later ones
    assert_int_equal (hb_sub_connect_role (sub, s_endpoint ("feed-alpha.ipc"), &role), 0);
    zmq_pollitem_t item = { handle, 0, ZMQ_POLLIN, 0 };
    assert_int_equal (zmq_poll (&item, 1, WAIT_MS), 1);
    char sub_msg [8];
    assert_int_equal (zmq_recv (handle, sub_msg, sizeof sub_msg, 0), 1);

    double unauthorized0 = s_metric ("hb_bus_refused_messages_total{reason=\"unauthorized\"}");
    hb_msg_t msg;
    uint64_t seq = 0;
    //  refused: a hedge request, a kill-switch command, as the feed or as
    //  risk / the console; a fill for another venue; a tick signed by
    //  another feed
    hb_msg_sample (&msg, HB_MSG_SAMPLE_HEDGER_CONTROL);
    s_raw_send (handle, "hedger.control", &msg, "console", ++seq);
    hb_msg_sample (&msg, HB_MSG_SAMPLE_HEDGER_CONTROL);
    s_raw_send (handle, "hedger.control", &msg, "feed.alpha", ++seq);
    s_fill (&msg, 1);
    snprintf (msg.u.fill.venue, sizeof msg.u.fill.venue, "beta");
    s_raw_send (handle, "fill.beta.BTC-PERP", &msg, "feed.alpha", ++seq);
    s_tick (&msg, "BTC-PERP", 100);
    s_raw_send (handle, "tick.alpha.BTC-PERP", &msg, "feed.beta", ++seq);
    hb_msg_sample (&msg, HB_MSG_SAMPLE_ORDER);
    s_raw_send (handle, "order.alpha.BTC-PERP", &msg, "feed.alpha", ++seq);
    //  accepted: the feed's own tick and fill
    s_tick (&msg, "BTC-PERP", 101);
    s_raw_send (handle, "tick.alpha.BTC-PERP", &msg, "feed.alpha", ++seq);
    s_fill (&msg, 2);
    s_raw_send (handle, "fill.alpha.BTC-PERP", &msg, "feed.alpha", ++seq);

    int good = 0, refused = 0;
    char topic [HB_TOPIC_MAX];
    while (good < 2) {
        if (hb_sub_recv (sub, topic, sizeof topic, &msg, NULL, WAIT_MS) == 0) {
            assert_int_equal (refused, 5);              //  everything before was refused
            assert_string_equal (msg.env.publisher, "feed.alpha");
            good++;
        }
        else {
            assert_int_equal (errno, EPROTO);
            refused++;
            assert_true (refused <= 5);
        }
    }
    hb_sub_stats_t stats;
    hb_sub_stats (sub, &stats);
    assert_int_equal (stats.unauthorized, 5);
    assert_true (s_metric ("hb_bus_refused_messages_total{reason=\"unauthorized\"}") - unauthorized0 == 5);
    assert_int_equal (stats.received, 2);
    zsock_destroy (&raw);
    hb_sub_destroy (&sub);
}

#define NODROP_COUNT    10000

typedef struct {
    hb_pub_t *pub;
    int       failures;
} s_sender_t;

static void *
s_send_fills (void *arg)
{
    s_sender_t *sender = (s_sender_t *) arg;
    hb_msg_t msg;
    for (int i = 1; i <= NODROP_COUNT; i++) {
        s_fill (&msg, i);
        if (hb_pub_send (sender->pub, NULL, &msg) != 0)
            sender->failures++;
    }
    return NULL;
}

//  A subscriber far slower than its publisher, with HWMs of 10: the
//  publisher blocks instead of dropping, and every fill arrives in order.
static void
test_nodrop_slow_subscriber (void **state)
{
    (void) state;
    hb_pub_t *pub;
    hb_sub_t *sub;
    s_pair ("nodrop.ipc", 10, "fill.", "fill.alpha.BTC-PERP", &pub, &sub);
    s_sender_t sender = { pub, 0 };
    pthread_t thread;
    assert_int_equal (pthread_create (&thread, NULL, s_send_fills, &sender), 0);

    hb_msg_t msg;
    hb_seq_status_t status;
    int received = 0;
    for (int i = 1; i <= NODROP_COUNT; i++) {
        if (i % 1000 == 0)
            zclock_sleep (5);           //  let the publisher run into the HWM
        if (hb_sub_recv (sub, NULL, 0, &msg, &status, WAIT_MS) != 0)
            break;
        received++;
        assert_int_equal (msg.env.seq, i);
        assert_int_equal (status, i == 1 ? HB_SEQ_FIRST : HB_SEQ_OK);
        assert_true (msg.u.fill.qty == i);
    }
    pthread_join (thread, NULL);
    assert_int_equal (received, NODROP_COUNT);
    assert_int_equal (sender.failures, 0);
    hb_sub_stats_t stats;
    hb_sub_stats (sub, &stats);
    assert_int_equal (stats.gaps, 0);
    assert_int_equal (stats.received, NODROP_COUNT);
    hb_pub_destroy (&pub);
    hb_sub_destroy (&sub);
}

#define LATEST_COUNT    20000

//  Ticks into a full socket: the latest per topic is parked, the ones it
//  replaces are counted, and a flush once the reader catches up delivers
//  the latest value with no sequence gap.
static void
test_latest_conflation (void **state)
{
    (void) state;
    hb_pub_t *pub;
    hb_sub_t *sub;
    s_pair ("latest.ipc", 2, "tick.", "tick.alpha.BTC-PERP", &pub, &sub);
    const char *symbols [2] = { "BTC-PERP", "ETH-PERP" };
    hb_msg_t msg;
    for (int i = 1; i <= LATEST_COUNT; i++)
        for (int s = 0; s < 2; s++) {
            s_tick (&msg, symbols [s], 1000 * (s + 1) + i);
            assert_int_equal (hb_pub_send_latest (pub, NULL, &msg), 0);
        }
    hb_pub_stats_t pstats;
    hb_pub_stats (pub, &pstats);
    assert_int_equal (pstats.pending, 2);
    assert_true (pstats.conflated > 0);
    assert_int_equal (pstats.errors, 0);

    double last [2] = { 0, 0 };
    uint64_t last_seq [2] = { 0, 0 };
    hb_sub_stats_t sstats = { 0 };
    int64_t deadline = zclock_mono () + 30000;
    while (zclock_mono () < deadline) {
        int parked = hb_pub_flush (pub);
        hb_pub_stats (pub, &pstats);
        hb_sub_stats (sub, &sstats);
        if (parked == 0 && sstats.received == pstats.sent)
            break;
        if (hb_sub_recv (sub, NULL, 0, &msg, NULL, 100) == 0) {
            int s = strcmp (msg.u.tick.symbol, symbols [0]) == 0 ? 0 : 1;
            last [s] = msg.u.tick.mark;
            last_seq [s] = msg.env.seq;
        }
    }
    hb_pub_stats (pub, &pstats);
    assert_int_equal (pstats.pending, 0);
    assert_int_equal (pstats.sent + pstats.conflated, 2 * LATEST_COUNT);
    assert_int_equal (sstats.received, pstats.sent);
    assert_int_equal (sstats.gaps, 0);
    assert_true (last [0] == 1000 + LATEST_COUNT);
    assert_true (last [1] == 2000 + LATEST_COUNT);
    //  seqs count what went out, per topic, with no holes
    assert_int_equal (last_seq [0] + last_seq [1], pstats.sent);
    //  nothing more is parked or on its way
    assert_int_equal (hb_sub_recv (sub, NULL, 0, &msg, NULL, 50), -1);
    hb_sub_destroy (&sub);
    hb_pub_destroy (&pub);
}

//  A message that cannot be encoded, or has no topic, is refused and
//  counted; the publisher carries on.
static void
test_send_errors (void **state)
{
    (void) state;
    hb_pub_t *pub;
    hb_sub_t *sub;
    s_pair ("errors.ipc", 0, "tick.", "tick.alpha.BTC-PERP", &pub, &sub);
    hb_msg_t msg;
    s_tick (&msg, "BTC-PERP", 10);
    msg.u.tick.bids [0].qty = -1;               //  refused by the encoder
    assert_int_equal (hb_pub_send (pub, NULL, &msg), -1);
    assert_int_equal (hb_pub_send_latest (pub, NULL, &msg), -1);
    memset (&msg, 0, sizeof msg);               //  type NONE: no default topic
    assert_int_equal (hb_pub_send (pub, NULL, &msg), -1);
    char long_topic [HB_TOPIC_MAX + 10];
    memset (long_topic, 'x', sizeof long_topic - 1);
    long_topic [sizeof long_topic - 1] = 0;
    s_tick (&msg, "BTC-PERP", 10);
    assert_int_equal (hb_pub_send (pub, long_topic, &msg), -1);
    hb_pub_stats_t stats;
    hb_pub_stats (pub, &stats);
    assert_int_equal (stats.errors, 4);
    assert_int_equal (stats.sent, 0);
    //  a failed encode took no seq: the next message is seq 1
    assert_int_equal (hb_pub_send (pub, NULL, &msg), 0);
    assert_int_equal (hb_sub_recv (sub, NULL, 0, &msg, NULL, WAIT_MS), 0);
    assert_int_equal (msg.env.seq, 1);
    hb_sub_destroy (&sub);
    hb_pub_destroy (&pub);
}

#if COUNT_ALLOCS
#define ALLOC_COUNT     100000
#define ALLOC_BATCH     100         //  well under the HWM: no blocking

static void
s_exchange_hb (hb_pub_t *pub, hb_sub_t *sub, hb_msg_t *msg, int count)
{
    hb_msg_t in;
    for (int i = 0; i < count; i += ALLOC_BATCH) {
        for (int j = 0; j < ALLOC_BATCH; j++)
            assert_int_equal (hb_pub_send (pub, NULL, msg), 0);
        for (int j = 0; j < ALLOC_BATCH; j++)
            assert_int_equal (hb_sub_recv (sub, NULL, 0, &in, NULL, WAIT_MS), 0);
    }
}

static void
s_exchange_bare (void *pub, void *sub, const char *topic, const hb_buf_t *buf, int count)
{
    zmq_msg_t frame;
    zmq_msg_init (&frame);
    for (int i = 0; i < count; i += ALLOC_BATCH) {
        for (int j = 0; j < ALLOC_BATCH; j++) {
            zmq_send (pub, topic, strlen (topic), ZMQ_SNDMORE);
            zmq_send (pub, buf->data, buf->size, 0);
        }
        for (int j = 0; j < 2 * ALLOC_BATCH; j++)
            if (zmq_msg_recv (&frame, sub, 0) == -1)
                fail_msg ("bare recv: %s", zmq_strerror (zmq_errno ()));
    }
    zmq_msg_close (&frame);
}
#endif

//  100k ticks through hb_pub_send -> hb_sub_recv allocate no more, in this
//  thread, than the same frames through bare libzmq (which allocates the
//  payload of each message it copies).
static void
test_hot_path_allocations (void **state)
{
    (void) state;
#if COUNT_ALLOCS
    hb_pub_t *pub;
    hb_sub_t *sub;
    s_pair ("alloc.ipc", 0, "tick.", "tick.alpha.BTC-PERP", &pub, &sub);
    hb_msg_t msg;
    s_tick (&msg, "BTC-PERP", 100);
    s_exchange_hb (pub, sub, &msg, 1000);       //  warm-up: topic, buffers
    uint64_t before = s_allocs;
    s_exchange_hb (pub, sub, &msg, ALLOC_COUNT);
    uint64_t hb_allocs = s_allocs - before;
    hb_sub_stats_t stats;
    hb_sub_stats (sub, &stats);
    assert_int_equal (stats.received, 1000 + ALLOC_COUNT);
    hb_sub_destroy (&sub);
    hb_pub_destroy (&pub);

    hb_buf_t buf;
    assert_int_equal (hb_msg_encode (&msg, &buf), 0);
    zsock_t *xpub = zsock_new (ZMQ_XPUB);
    zsock_t *xsub = zsock_new (ZMQ_SUB);
    //  As hb_pub does: a lossy XPUB drops whenever it has not yet processed
    //  the reader's progress, and this loop would then wait forever.
    zsock_set_xpub_nodrop (xpub, 1);
    assert_int_not_equal (zsock_bind (xpub, "%s", s_endpoint ("alloc_bare.ipc")), -1);
    zsock_set_subscribe (xsub, "tick.");
    assert_int_equal (zsock_connect (xsub, "%s", s_endpoint ("alloc_bare.ipc")), 0);
    char sub_msg [16];
    assert_int_not_equal (zmq_recv (zsock_resolve (xpub), sub_msg, sizeof sub_msg, 0), -1);
    void *pub_handle = zsock_resolve (xpub);
    void *sub_handle = zsock_resolve (xsub);
    s_exchange_bare (pub_handle, sub_handle, "tick.alpha.BTC-PERP", &buf, 1000);
    before = s_allocs;
    s_exchange_bare (pub_handle, sub_handle, "tick.alpha.BTC-PERP", &buf, ALLOC_COUNT);
    uint64_t bare_allocs = s_allocs - before;
    zsock_destroy (&xpub);
    zsock_destroy (&xsub);

    print_message ("allocations for %d messages: hedgebus %llu, bare libzmq %llu\n",
                   ALLOC_COUNT, (unsigned long long) hb_allocs,
                   (unsigned long long) bare_allocs);
    //  One allocation per message more would be 100k; allow libzmq's own
    //  pipe-chunk noise.
    assert_true (hb_allocs <= bare_allocs + bare_allocs / 100 + 64);
#else
    skip ();
#endif
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_endpoints),
        cmocka_unit_test (test_round_trip),
        cmocka_unit_test (test_subscriptions),
        cmocka_unit_test (test_gap),
        cmocka_unit_test (test_restart),
        cmocka_unit_test (test_malformed),
        cmocka_unit_test (test_roles),
        cmocka_unit_test (test_nodrop_slow_subscriber),
        cmocka_unit_test (test_latest_conflation),
        cmocka_unit_test (test_send_errors),
        cmocka_unit_test (test_hot_path_allocations),
    };
    return cmocka_run_group_tests_name ("hb_bus", tests, s_group_setup, s_group_teardown);
}
