/*  hb_feed tests: a feed in this process (its reactor on a thread of its
    own, as in hb-feed), a console publisher and a subscriber on the bus.
    Checks what the feed does with orders (to the plugin, misaddressed,
    host rejects), that the plugin's messages arrive with envelopes, the
    heartbeat, and the counters. Waits are bounded but never asserted on.  */
#include "hb_feed.h"
#include "hb_fillgate.h"
#include "hb_log.h"
#include "hb_pub.h"
#include "hb_sub.h"

#include <limits.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <unistd.h>
#include <cmocka.h>
#include "hb_journal_testing.h"
#include "hb_time.h"

#define S_WAIT_MS 5000

typedef struct {
    char         dir [64];
    hb_config_t *config;
    hb_feed_t   *feed;
    pthread_t    thread;
    hb_pub_t    *console;
    hb_sub_t    *sub;
    int          run_rc;
} s_fixture_t;

static void
s_plugin_path (char *path, size_t size, const char *relative)
{
    char exe [PATH_MAX];
    ssize_t n = readlink ("/proc/self/exe", exe, sizeof exe - 1);
    assert_true (n > 0);
    exe [n] = 0;
    *strrchr (exe, '/') = 0;            //  <build>/tests
    *strrchr (exe, '/') = 0;            //  <build>
    int len = snprintf (path, size, "%s/%s", exe, relative);
    assert_true (len > 0 && (size_t) len < size);
}

static void *
s_run (void *arg)
{
    s_fixture_t *fx = (s_fixture_t *) arg;
    fx->run_rc = hb_feed_run (fx->feed);
    return NULL;
}

//  Venue "ex" with BTC-USD and ETH-USD, a console that sends orders.
static hb_config_t *
s_config (const char *dir, const char *flood_ticks, bool invalid)
{
    hb_config_t *config = (hb_config_t *) calloc (1, sizeof *config);
    assert_non_null (config);
    //  built by hand: no file, so the plugin has no section of its own (hb_plugin_cfg.h)
    config->path [0] = 0;
    config->n_assets = 2;
    snprintf (config->assets [0].name, HB_NAME_MAX, "BTC");
    config->assets [0].price = 65000;
    snprintf (config->assets [1].name, HB_NAME_MAX, "ETH");
    config->assets [1].price = 3400;
    config->n_venues = 1;
    hb_venue_cfg_t *venue = &config->venues [0];
    snprintf (venue->name, HB_NAME_MAX, "ex");
    snprintf (venue->endpoint, HB_ENDPOINT_MAX, "ipc://%s/feed.ex.pub", dir);
    snprintf (venue->replay_endpoint, HB_ENDPOINT_MAX, "ipc://%s/feed.ex.replay", dir);
    snprintf (venue->fills_journal, HB_PATH_MAX, "%s/feed.ex.fills", dir);
    venue->fills_fsync = HB_JOURNAL_FSYNC_NEVER;
    venue->enabled = true;
    venue->cpu = -1;
    venue->max_order_age_ms = 1000;
    venue->fee_taker = 0.0005;
    hb_venue_cfg_alloc (venue, 2, 2);
    venue->n_instruments = 2;
    const char *symbols [] = { "BTC-USD", "ETH-USD" };
    for (int i = 0; i < 2; i++) {
        hb_instrument_cfg_t *inst = &venue->instruments [i];
        snprintf (inst->symbol, HB_NAME_MAX, "%s", symbols [i]);
        inst->asset = i;
        inst->kind = HB_KIND_SPOT;
        inst->multiplier = 1;
        inst->tick_size = 0.01;
        inst->lot_size = inst->min_qty = 0.001;
    }
    if (flood_ticks) {
        venue->n_params = 2;
        snprintf (venue->params [0].key, HB_NAME_MAX, "ticks");
        snprintf (venue->params [0].value, HB_PATH_MAX, "%s", flood_ticks);
        snprintf (venue->params [1].key, HB_NAME_MAX, "invalid");
        snprintf (venue->params [1].value, HB_PATH_MAX, "%d", invalid ? 1 : 0);
    }
    config->n_components = 1;
    hb_component_cfg_t *comp = &config->components [0];
    snprintf (comp->name, HB_NAME_MAX, "console");
    snprintf (comp->endpoint, HB_ENDPOINT_MAX, "ipc://%s/console.pub", dir);
    comp->sends_orders = true;
    comp->cpu = -1;
    return config;
}

//  Receives until a message of type on a topic starting with prefix
//  arrives (other messages are skipped). Returns 0 or -1 on timeout.
static int
s_recv_until (s_fixture_t *fx, int type, const char *prefix, hb_msg_t *msg, char *topic)
{
    for (int i = 0; i < 100000; i++) {
        if (hb_sub_recv (fx->sub, topic, HB_TOPIC_MAX, msg, NULL, S_WAIT_MS))
            return -1;
        if (msg->env.type == type && strncmp (topic, prefix, strlen (prefix)) == 0)
            return 0;
    }
    return -1;
}

//  When set, s_setup lets it change the config before the feed is built
static void (*s_adjust) (hb_config_t *config);

static s_fixture_t *
s_setup (const char *plugin_rel, const char *flood_ticks, bool invalid)
{
    hb_log_init ("test", HB_LOG_WARN);
    s_fixture_t *fx = (s_fixture_t *) calloc (1, sizeof *fx);
    assert_non_null (fx);
    snprintf (fx->dir, sizeof fx->dir, "/tmp/hb-feed-test-%d", (int) getpid ());
    fx->config = s_config (fx->dir, flood_ticks, invalid);
    if (s_adjust)
        s_adjust (fx->config);
    char path [PATH_MAX], err [512];
    s_plugin_path (path, sizeof path, plugin_rel);
    hb_plugin_host_t *plugin = hb_plugin_host_new (path, err, sizeof err);
    if (!plugin)
        fail_msg ("%s", err);
    //  Subscriber and console first, so nothing the feed sends at start
    //  is missed by a late connection.
    fx->sub = hb_sub_new (0);
    fx->console = hb_pub_new (fx->config->components [0].endpoint, "console", 0);
    assert_non_null (fx->sub);
    assert_non_null (fx->console);
    assert_int_equal (hb_sub_subscribe (fx->sub, ""), 0);
    assert_int_equal (hb_sub_connect (fx->sub, fx->config->venues [0].endpoint), 0);
    fx->feed = hb_feed_new (fx->config, &fx->config->venues [0], &plugin);
    assert_null (plugin);
    assert_non_null (fx->feed);
    assert_string_equal (hb_feed_id (fx->feed), "feed.ex");
    assert_int_equal (hb_feed_start (fx->feed), 0);
    assert_int_equal (pthread_create (&fx->thread, NULL, s_run, fx), 0);
    //  Both directions up: our subscription (a heartbeat gets through)
    //  and the feed's to our orders.
    hb_msg_t msg;
    char topic [HB_TOPIC_MAX];
    assert_int_equal (s_recv_until (fx, HB_MSG_HEARTBEAT, "hb.feed.ex", &msg, topic), 0);
    assert_string_equal (msg.u.heartbeat.component, "feed.ex");
    assert_string_equal (msg.env.publisher, "feed.ex");
    assert_int_equal (hb_pub_wait_subscriber (fx->console, "order.ex.BTC-USD", S_WAIT_MS), 0);
    return fx;
}

//  The journals beside the fill journal (hb_fillgate.h)
static void
s_unlink_journals (const char *fills)
{
    char path [HB_PATH_MAX + 16];
    hb_journal_testing_unlink (fills);
    snprintf (path, sizeof path, "%s.orders", fills);
    hb_journal_testing_unlink (path);
    snprintf (path, sizeof path, "%s.held", fills);
    hb_journal_testing_unlink (path);
    snprintf (path, sizeof path, "%s.held.ack", fills);
    unlink (path);
}

static void
s_teardown_keep (s_fixture_t *fx, hb_feed_stats_t *stats, bool keep_journals);

static void
s_teardown (s_fixture_t *fx, hb_feed_stats_t *stats)
{
    s_teardown_keep (fx, stats, false);
}

//  keep_journals: for a restart on the same journals
static void
s_teardown_keep (s_fixture_t *fx, hb_feed_stats_t *stats, bool keep_journals)
{
    hb_feed_stop (fx->feed);
    assert_int_equal (pthread_join (fx->thread, NULL), 0);
    assert_int_equal (fx->run_rc, 0);
    hb_feed_stats (fx->feed, stats);
    hb_feed_destroy (&fx->feed);
    assert_null (fx->feed);
    hb_feed_destroy (&fx->feed);        //  NULL-safe
    hb_pub_destroy (&fx->console);
    hb_sub_destroy (&fx->sub);
    //  libzmq leaves ipc socket files behind
    unlink (fx->config->venues [0].endpoint + strlen ("ipc://"));
    unlink (fx->config->components [0].endpoint + strlen ("ipc://"));
    unlink (fx->config->venues [0].replay_endpoint + strlen ("ipc://"));
    if (!keep_journals) {
        s_unlink_journals (fx->config->venues [0].fills_journal);
        rmdir (fx->dir);
    }
    hb_config_destroy (&fx->config);
    free (fx);
}

static void
s_send_order (s_fixture_t *fx, const char *topic, const char *venue, const char *symbol,
              const char *client_id, double qty)
{
    hb_msg_t msg;
    memset (&msg, 0, sizeof msg);
    msg.env.type = HB_MSG_ORDER;
    hb_order_t *order = &msg.u.order;
    snprintf (order->venue, HB_NAME_MAX, "%s", venue);
    snprintf (order->symbol, HB_NAME_MAX, "%s", symbol);
    snprintf (order->client_id, HB_ID_MAX, "%s", client_id);
    order->side = HB_SIDE_BUY;
    order->ord_type = HB_ORD_MARKET;
    order->tif = HB_TIF_IOC;
    order->qty = qty;
    assert_int_equal (hb_pub_send (fx->console, topic, &msg), 0);
}

static void
test_example_orders (void **state)
{
    (void) state;
    s_fixture_t *fx = s_setup ("lib/hedgebus/hb_venue_example.so", NULL, false);
    hb_msg_t msg;
    char topic [HB_TOPIC_MAX];

    //  ticks of both instruments, enveloped by the host
    bool seen [2] = { false, false };
    while (!seen [0] || !seen [1]) {
        assert_int_equal (s_recv_until (fx, HB_MSG_TICK, "tick.ex.", &msg, topic), 0);
        assert_string_equal (msg.env.publisher, "feed.ex");
        assert_true (msg.env.seq >= 1);
        assert_true (msg.env.ts_pub >= msg.env.ts_recv);
        assert_string_equal (msg.u.tick.venue, "ex");
        seen [strcmp (msg.u.tick.symbol, "BTC-USD") == 0 ? 0 : 1] = true;
    }

    //  an order whose body names another venue, on our topic: dropped; then
    //  one for a symbol the venue does not have: the plugin rejects it. Both
    //  come from one publisher, so the reject means the first was handled.
    s_send_order (fx, "order.ex.BTC-USD", "other", "BTC-USD", "stray-1", 0.01);
    s_send_order (fx, NULL, "ex", "DOGE-USD", "doge-1", 1);
    assert_int_equal (s_recv_until (fx, HB_MSG_ACK, "ack.ex.DOGE-USD", &msg, topic), 0);
    assert_string_equal (msg.u.ack.client_id, "doge-1");
    assert_int_equal (msg.u.ack.status, HB_ACK_REJECTED);
    assert_int_equal (msg.u.ack.reason, HB_REJ_UNKNOWN_INSTRUMENT);

    //  a good one: accepted, filled, done
    s_send_order (fx, NULL, "ex", "BTC-USD", "buy-1", 0.01);
    assert_int_equal (s_recv_until (fx, HB_MSG_FILL, "fill.ex.BTC-USD", &msg, topic), 0);
    assert_string_equal (msg.u.fill.client_id, "buy-1");
    assert_true (msg.u.fill.qty == 0.01);
    assert_true (msg.u.fill.px > 65000 * 0.99 && msg.u.fill.px < 65000 * 1.01);
    assert_int_equal (s_recv_until (fx, HB_MSG_ACK, "ack.ex.BTC-USD", &msg, topic), 0);
    assert_string_equal (msg.u.ack.client_id, "buy-1");
    assert_int_equal (msg.u.ack.status, HB_ACK_DONE);

    hb_feed_stats_t stats;
    s_teardown (fx, &stats);
    assert_int_equal (stats.misaddressed, 1);
    assert_int_equal (stats.orders_in, 2);
    assert_int_equal (stats.host_rejects, 0);
    assert_int_equal (stats.invalid, 0);
    assert_int_equal (stats.decode_errors, 0);
    assert_true (stats.heartbeats >= 1);
    assert_true (stats.published >= 2 + 4);    //  two ticks, reject, accepted, fill, done
}

//  Sends an order for BTC-USD on a raw socket with the envelope given, so
//  that its ts_pub can say it waited
static void
s_send_stamped (zsock_t *raw, const char *client_id, uint64_t seq, int64_t ts_pub)
{
    hb_msg_t msg;
    memset (&msg, 0, sizeof msg);
    msg.env.type = HB_MSG_ORDER;
    snprintf (msg.env.publisher, sizeof msg.env.publisher, "console");
    msg.env.epoch = 1;
    msg.env.seq = seq;
    msg.env.ts_recv = msg.env.ts_pub = ts_pub;
    hb_order_t *order = &msg.u.order;
    snprintf (order->venue, HB_NAME_MAX, "ex");
    snprintf (order->symbol, HB_NAME_MAX, "BTC-USD");
    snprintf (order->client_id, HB_ID_MAX, "%s", client_id);
    order->side = HB_SIDE_BUY;
    order->ord_type = HB_ORD_MARKET;
    order->tif = HB_TIF_IOC;
    order->qty = 0.01;
    static hb_buf_t buf;
    assert_int_equal (hb_msg_encode (&msg, &buf), 0);
    void *sock = zsock_resolve (raw);
    assert_int_equal (zmq_send (sock, "order.ex.BTC-USD", 16, ZMQ_SNDMORE), 16);
    assert_int_equal (zmq_send (sock, buf.data, buf.size, 0), (int) buf.size);
}

//  An order that waited longer than max_order_age_ms (a stalled feed, a
//  slow bus), or is stamped as far ahead (a stepped clock), is rejected as
//  expired and never reaches the plugin: its sender may have given it up
//  and hedged again.
static void
test_expired_order (void **state)
{
    (void) state;
    s_fixture_t *fx = s_setup ("lib/hedgebus/hb_venue_example.so", NULL, false);
    //  the console's endpoint taken over by a raw publisher
    char endpoint [HB_ENDPOINT_MAX + 1];
    snprintf (endpoint, sizeof endpoint, "@%s", fx->config->components [0].endpoint);
    hb_pub_destroy (&fx->console);
    zsock_t *raw = zsock_new_xpub (endpoint);
    assert_non_null (raw);
    zsock_set_rcvtimeo (raw, S_WAIT_MS);
    char *sub = zstr_recv (raw);            //  the feed's subscription
    assert_non_null (sub);
    zstr_free (&sub);

    hb_msg_t msg;
    char topic [HB_TOPIC_MAX];
    int64_t max_ns = (int64_t) fx->config->venues [0].max_order_age_ms * HB_NS_PER_MS;
    s_send_stamped (raw, "old-1", 1, hb_wall_ns () - 10 * max_ns);
    assert_int_equal (s_recv_until (fx, HB_MSG_ACK, "ack.ex.BTC-USD", &msg, topic), 0);
    assert_string_equal (msg.u.ack.client_id, "old-1");
    assert_int_equal (msg.u.ack.status, HB_ACK_REJECTED);
    assert_int_equal (msg.u.ack.reason, HB_REJ_EXPIRED);
    assert_non_null (strstr (msg.u.ack.text, "max_order_age_ms"));
    //  ahead by less than the bus drops outright (HB_SUB_MAX_AHEAD_NS)
    s_send_stamped (raw, "ahead-1", 2, hb_wall_ns () + 2 * max_ns);
    assert_int_equal (s_recv_until (fx, HB_MSG_ACK, "ack.ex.BTC-USD", &msg, topic), 0);
    assert_string_equal (msg.u.ack.client_id, "ahead-1");
    assert_int_equal (msg.u.ack.reason, HB_REJ_EXPIRED);
    //  a fresh one goes through to the plugin and fills
    s_send_stamped (raw, "fresh-1", 3, hb_wall_ns ());
    assert_int_equal (s_recv_until (fx, HB_MSG_FILL, "fill.ex.BTC-USD", &msg, topic), 0);
    assert_string_equal (msg.u.fill.client_id, "fresh-1");

    zsock_destroy (&raw);
    hb_feed_stats_t stats;
    s_teardown (fx, &stats);
    assert_int_equal (stats.expired, 2);
    assert_int_equal (stats.orders_in, 3);
}

//  Sends a fill replay request (since as its one frame, NULL: no frame)
//  and reads the reply into fills. Returns the fill count, or -1 when no
//  reply came or it does not end with a snapshot_end counting the fills.
static int
s_replay (zsock_t *dealer, const char *since, hb_fill_t *fills, int max, uint64_t *next)
{
    zmsg_t *request = zmsg_new ();
    zmsg_addmem (request, NULL, 0);
    if (since)
        zmsg_addstr (request, since);
    assert_int_equal (zmsg_send (&request, dealer), 0);
    //  a malformed request gets no answer: wait for it a little only
    zsock_set_rcvtimeo (dealer, since && since [0] == 'x' ? 300 : S_WAIT_MS);
    zmsg_t *reply = zmsg_recv (dealer);
    if (!reply)
        return -1;
    zframe_t *frame = zmsg_first (reply);
    assert_int_equal (zframe_size (frame), 0);
    int n = 0, rc = -1;
    hb_msg_t msg;
    while ((frame = zmsg_next (reply)) != NULL) {
        zframe_t *payload = zmsg_next (reply);
        assert_non_null (payload);
        assert_int_equal (hb_msg_decode (&msg, zframe_data (payload), zframe_size (payload), NULL), 0);
        assert_string_equal (msg.env.publisher, "feed.ex");
        if (msg.env.type == HB_MSG_SNAPSHOT_END) {
            assert_true (zframe_streq (frame, "snapshot.end"));
            *next = msg.env.seq;
            rc = msg.u.snapshot_end.count == (uint64_t) n && !zmsg_next (reply) ? n : -1;
            break;
        }
        assert_int_equal (msg.env.type, HB_MSG_FILL);
        char topic [HB_TOPIC_MAX];
        assert_true (hb_msg_topic (&msg, topic) > 0);
        assert_true (zframe_streq (frame, topic));
        assert_true (n < max);
        fills [n++] = msg.u.fill;
    }
    zmsg_destroy (&reply);
    return rc;
}

//  Fills published on the bus are served again, the same, on the replay
//  endpoint; since skips the older ones; a malformed request is dropped
//  and counted; and a new feed on the same journal still serves them.
static void
test_fill_replay (void **state)
{
    (void) state;
    s_fixture_t *fx = s_setup ("lib/hedgebus/hb_venue_example.so", NULL, false);
    hb_msg_t msg;
    char topic [HB_TOPIC_MAX];
    hb_fill_t sent [2];
    s_send_order (fx, NULL, "ex", "BTC-USD", "r-1", 0.01);
    assert_int_equal (s_recv_until (fx, HB_MSG_FILL, "fill.ex.BTC-USD", &msg, topic), 0);
    sent [0] = msg.u.fill;
    s_send_order (fx, NULL, "ex", "ETH-USD", "r-2", 0.5);
    assert_int_equal (s_recv_until (fx, HB_MSG_FILL, "fill.ex.ETH-USD", &msg, topic), 0);
    sent [1] = msg.u.fill;

    zsock_t *dealer = zsock_new_dealer (fx->config->venues [0].replay_endpoint);
    assert_non_null (dealer);
    hb_fill_t got [4];
    uint64_t next = 0;
    assert_int_equal (s_replay (dealer, "0", got, 4, &next), 2);
    assert_int_equal (next, 2);
    for (int i = 0; i < 2; i++) {
        assert_string_equal (got [i].fill_id, sent [i].fill_id);
        assert_string_equal (got [i].client_id, sent [i].client_id);
        assert_string_equal (got [i].symbol, sent [i].symbol);
        assert_true (got [i].qty == sent [i].qty && got [i].px == sent [i].px);
    }
    assert_int_equal (s_replay (dealer, "1", got, 4, &next), 1);
    assert_string_equal (got [0].fill_id, sent [1].fill_id);
    assert_int_equal (s_replay (dealer, "7", got, 4, &next), 0);
    assert_int_equal (s_replay (dealer, "x1", got, 4, &next), -1);     //  no answer
    assert_int_equal (s_replay (dealer, NULL, got, 4, &next), 2);      //  no since: all
    zsock_destroy (&dealer);

    hb_feed_stats_t stats;
    char journal [HB_PATH_MAX];
    snprintf (journal, sizeof journal, "%s", fx->config->venues [0].fills_journal);
    //  keep the journal for the next life: a copy outlives the teardown
    char saved [HB_PATH_MAX + 8];
    snprintf (saved, sizeof saved, "%s.saved", journal);
    hb_feed_stop (fx->feed);
    assert_int_equal (pthread_join (fx->thread, NULL), 0);
    hb_feed_stats (fx->feed, &stats);
    hb_feed_destroy (&fx->feed);
    assert_int_equal (rename (journal, saved), 0);
    char marker [HB_PATH_MAX + 16];                 //  hb_journal_open_owned's: the
    snprintf (marker, sizeof marker, "%s.created", journal);   //  next life starts
    assert_int_equal (unlink (marker), 0);          //  a fresh one on purpose
    fx->thread = 0;
    assert_int_equal (stats.fills_stored, 2);
    assert_int_equal (stats.replays, 4);
    assert_int_equal (stats.replay_errors, 1);
    assert_int_equal (stats.unjournaled, 0);
    hb_pub_destroy (&fx->console);
    hb_sub_destroy (&fx->sub);
    hb_config_destroy (&fx->config);
    free (fx);

    //  a restarted feed serves the fills of its previous life
    fx = s_setup ("lib/hedgebus/hb_venue_example.so", NULL, false);
    hb_feed_stop (fx->feed);
    assert_int_equal (pthread_join (fx->thread, NULL), 0);
    hb_feed_destroy (&fx->feed);
    assert_int_equal (rename (saved, journal), 0);
    hb_plugin_host_t *plugin = NULL;
    char path [PATH_MAX], err [512];
    s_plugin_path (path, sizeof path, "lib/hedgebus/hb_venue_example.so");
    plugin = hb_plugin_host_new (path, err, sizeof err);
    assert_non_null (plugin);
    fx->feed = hb_feed_new (fx->config, &fx->config->venues [0], &plugin);
    assert_non_null (fx->feed);
    assert_int_equal (hb_feed_start (fx->feed), 0);
    assert_int_equal (pthread_create (&fx->thread, NULL, s_run, fx), 0);
    dealer = zsock_new_dealer (fx->config->venues [0].replay_endpoint);
    assert_non_null (dealer);
    assert_int_equal (s_replay (dealer, "0", got, 4, &next), 2);
    assert_string_equal (got [0].fill_id, sent [0].fill_id);
    assert_string_equal (got [1].fill_id, sent [1].fill_id);
    zsock_destroy (&dealer);
    s_teardown (fx, &stats);
    assert_int_equal (stats.fills_stored, 2);
}

static void
test_host_rejects_for_plugin (void **state)
{
    (void) state;
    //  flood: the first order starts 10 ticks and is acked accepted, then
    //  canceled; any later order makes its order op return -1.
    s_fixture_t *fx = s_setup ("tests/plugins/hb_venue_flood.so", "10", false);
    hb_msg_t msg;
    char topic [HB_TOPIC_MAX];
    s_send_order (fx, NULL, "ex", "BTC-USD", "go", 1);
    int ticks = 0;
    while (true) {
        if (hb_sub_recv (fx->sub, topic, sizeof topic, &msg, NULL, S_WAIT_MS))
            fail_msg ("flood did not finish (%d ticks)", ticks);
        if (msg.env.type == HB_MSG_TICK)
            ticks++;
        if (msg.env.type == HB_MSG_ACK && msg.u.ack.status == HB_ACK_CANCELED)
            break;
    }
    //  conflation may merge ticks on a full socket, never here: 10 is far
    //  below any HWM
    assert_int_equal (ticks, 10);

    s_send_order (fx, NULL, "ex", "ETH-USD", "again-1", 1);
    assert_int_equal (s_recv_until (fx, HB_MSG_ACK, "ack.ex.ETH-USD", &msg, topic), 0);
    assert_string_equal (msg.u.ack.client_id, "again-1");
    assert_int_equal (msg.u.ack.status, HB_ACK_REJECTED);
    assert_int_equal (msg.u.ack.reason, HB_REJ_VENUE);
    assert_non_null (strstr (msg.u.ack.text, "could not handle"));
    assert_string_equal (msg.env.publisher, "feed.ex");

    hb_feed_stats_t stats;
    s_teardown (fx, &stats);
    assert_int_equal (stats.host_rejects, 1);
    assert_int_equal (stats.orders_in, 2);
    assert_int_equal (stats.published, 12);    //  10 ticks + accepted + canceled
    assert_int_equal (stats.conflated, 0);
    assert_int_equal (stats.pending, 0);
}

static void
test_invalid_publish_counted (void **state)
{
    (void) state;
    //  flood with invalid: 1 publishes an unknown-symbol tick, a tick for
    //  another venue and an order before its ticks: each refused and
    //  counted, and the feed carries on with the valid ones.
    s_fixture_t *fx = s_setup ("tests/plugins/hb_venue_flood.so", "5", true);
    hb_msg_t msg;
    char topic [HB_TOPIC_MAX];
    s_send_order (fx, NULL, "ex", "BTC-USD", "go", 1);
    int ticks = 0;
    while (true) {
        if (hb_sub_recv (fx->sub, topic, sizeof topic, &msg, NULL, S_WAIT_MS))
            fail_msg ("flood did not finish (%d ticks)", ticks);
        assert_int_not_equal (msg.env.type, HB_MSG_ORDER);
        if (msg.env.type == HB_MSG_TICK) {
            assert_string_equal (msg.u.tick.venue, "ex");
            assert_non_null (hb_venue_instrument (&fx->config->venues [0], msg.u.tick.symbol));
            ticks++;
        }
        if (msg.env.type == HB_MSG_ACK && msg.u.ack.status == HB_ACK_CANCELED)
            break;
    }
    assert_int_equal (ticks, 5);
    //  the next heartbeat reports them among its errors
    assert_int_equal (s_recv_until (fx, HB_MSG_HEARTBEAT, "hb.feed.ex", &msg, topic), 0);
    assert_int_equal (msg.u.heartbeat.decode_errors, 3);

    hb_feed_stats_t stats;
    s_teardown (fx, &stats);
    assert_int_equal (stats.invalid, 3);
    assert_int_equal (stats.published, 7);     //  5 ticks + accepted + canceled
}

//  ---------------------------------------------------------------------------
//  The fill gate, through the host (tests/plugins/fills_plugin.h answers an
//  order by its client id)

static void
s_send (s_fixture_t *fx, const char *client_id, const char *symbol, int side, double qty, double px)
{
    hb_msg_t msg;
    memset (&msg, 0, sizeof msg);
    msg.env.type = HB_MSG_ORDER;
    hb_order_t *order = &msg.u.order;
    snprintf (order->venue, HB_NAME_MAX, "ex");
    snprintf (order->symbol, HB_NAME_MAX, "%s", symbol);
    snprintf (order->client_id, HB_ID_MAX, "%s", client_id);
    order->side = (uint8_t) side;
    order->ord_type = px > 0 ? HB_ORD_LIMIT : HB_ORD_MARKET;
    order->tif = HB_TIF_IOC;
    order->qty = qty;
    order->px = px;
    char topic [HB_TOPIC_MAX];
    snprintf (topic, sizeof topic, "order.ex.%s", symbol);
    assert_int_equal (hb_pub_send (fx->console, topic, &msg), 0);
}

//  Collects the fills published up to and including the one of client id
//  last (fills of one socket arrive in order, so what the feed held back
//  would have come before it). Returns how many, or -1 on a timeout.
static int
s_fills_until (s_fixture_t *fx, const char *last, hb_fill_t *fills, int max)
{
    hb_msg_t msg;
    char topic [HB_TOPIC_MAX];
    int n = 0;
    while (n < max) {
        if (s_recv_until (fx, HB_MSG_FILL, "fill.ex.", &msg, topic) != 0)
            return -1;
        fills [n++] = msg.u.fill;
        if (strcmp (msg.u.fill.client_id, last) == 0)
            return n;
    }
    return -1;
}

static int
s_count_client (const hb_fill_t *fills, int n, const char *client_id)
{
    int count = 0;
    for (int i = 0; i < n; i++)
        count += strcmp (fills [i].client_id, client_id) == 0;
    return count;
}

//  Waits for a heartbeat whose status has (or has not) the quarantine bit.
static int
s_wait_status (s_fixture_t *fx, bool quarantined)
{
    hb_msg_t msg;
    char topic [HB_TOPIC_MAX];
    for (int i = 0; i < 20; i++) {
        if (s_recv_until (fx, HB_MSG_HEARTBEAT, "hb.feed.ex", &msg, topic) != 0)
            return -1;
        if (((msg.u.heartbeat.status & HB_FEED_STATUS_QUARANTINE) != 0) == quarantined)
            return 0;
    }
    return -1;
}

static void
s_held_path (s_fixture_t *fx, char *path, size_t size)
{
    snprintf (path, size, "%s.held", fx->config->venues [0].fills_journal);
}

static void
test_gate_holds_implausible_fills (void **state)
{
    (void) state;
    s_fixture_t *fx = s_setup ("tests/plugins/hb_venue_fills.so", NULL, false);
    s_send (fx, "ok-1", "BTC-USD", HB_SIDE_BUY, 1, 0);
    s_send (fx, "dup-1", "BTC-USD", HB_SIDE_SELL, 2, 0);
    s_send (fx, "ext-1", "ETH-USD", HB_SIDE_SELL, 3, 0);
    s_send (fx, "over-1", "BTC-USD", HB_SIDE_BUY, 1, 0);
    s_send (fx, "sym-1", "BTC-USD", HB_SIDE_BUY, 1, 0);
    s_send (fx, "side-1", "BTC-USD", HB_SIDE_BUY, 1, 0);
    s_send (fx, "px-1", "BTC-USD", HB_SIDE_BUY, 1, 100);
    s_send (fx, "ghost-1", "BTC-USD", HB_SIDE_BUY, 1, 0);
    s_send (fx, "extours-1", "BTC-USD", HB_SIDE_BUY, 1, 0);
    s_send (fx, "ok-end", "ETH-USD", HB_SIDE_SELL, 1, 0);
    hb_fill_t fills [32];
    int n = s_fills_until (fx, "ok-end", fills, 32);
    assert_int_equal (n, 5);
    assert_int_equal (s_count_client (fills, n, "ok-1"), 1);
    assert_int_equal (s_count_client (fills, n, "dup-1"), 2);      //  the aggregator drops the repeat
    assert_int_equal (s_count_client (fills, n, "venue-web-1"), 1);
    for (int i = 0; i < n; i++)
        assert_int_equal (fills [i].flags,
                          strcmp (fills [i].client_id, "venue-web-1") == 0 ? HB_FILL_EXTERNAL : 0);
    //  held: status non-ok, until the operator acknowledges
    assert_int_equal (s_wait_status (fx, true), 0);
    char held [HB_PATH_MAX + 8];
    s_held_path (fx, held, sizeof held);
    hb_journal_check_t check;
    assert_int_equal (hb_journal_check (held, &check), 0);
    assert_int_equal (check.records, 6);
    uint64_t count = 0;
    char err [256];
    assert_int_equal (hb_fillgate_ack (held, &count, err, sizeof err), 0);
    assert_int_equal (count, 6);
    assert_int_equal (s_wait_status (fx, false), 0);

    hb_feed_stats_t stats;
    s_teardown (fx, &stats);
    assert_int_equal (stats.quarantined, 6);
    assert_int_equal (stats.external, 1);
    assert_int_equal (stats.unacked, 0);
}

//  A restarted feed still knows the orders it sent, and how much of each
//  has filled.
static void
test_gate_restart_keeps_orders (void **state)
{
    (void) state;
    s_fixture_t *fx = s_setup ("tests/plugins/hb_venue_fills.so", NULL, false);
    s_send (fx, "part-r", "ETH-USD", HB_SIDE_BUY, 4, 0);
    hb_fill_t fills [8];
    assert_int_equal (s_fills_until (fx, "part-r", fills, 8), 1);
    assert_true (fills [0].qty == 2);
    hb_feed_stats_t stats;
    s_teardown_keep (fx, &stats, true);

    fx = s_setup ("tests/plugins/hb_venue_fills.so", NULL, false);
    s_send (fx, "again-part-r", "ETH-USD", HB_SIDE_BUY, 1.5, 0);     //  3.5 of 4: fine
    s_send (fx, "again-part-r", "ETH-USD", HB_SIDE_BUY, 1, 0);       //  4.5 of 4: held
    s_send (fx, "again-ghost", "ETH-USD", HB_SIDE_BUY, 1, 0);        //  never sent: held
    s_send (fx, "ok-end", "BTC-USD", HB_SIDE_BUY, 1, 0);
    int n = s_fills_until (fx, "ok-end", fills, 8);
    assert_int_equal (n, 2);
    assert_string_equal (fills [0].client_id, "part-r");
    assert_true (fills [0].qty == 1.5);
    assert_int_equal (s_wait_status (fx, true), 0);
    s_teardown (fx, &stats);
    assert_int_equal (stats.quarantined, 2);
}

//  A plugin built before fill flags: whatever it leaves in them (here all
//  ones, the external bit included) is cleared, so it cannot pass a fill
//  of no order of ours as external.
static void
test_gate_old_plugin (void **state)
{
    (void) state;
    s_fixture_t *fx = s_setup ("tests/plugins/hb_venue_fills_old.so", NULL, false);
    s_send (fx, "ok-1", "BTC-USD", HB_SIDE_BUY, 1, 0);
    s_send (fx, "ext-1", "BTC-USD", HB_SIDE_BUY, 1, 0);
    s_send (fx, "ghost-1", "BTC-USD", HB_SIDE_BUY, 1, 0);
    s_send (fx, "ok-end", "BTC-USD", HB_SIDE_SELL, 1, 0);
    hb_fill_t fills [8];
    int n = s_fills_until (fx, "ok-end", fills, 8);
    assert_int_equal (n, 2);
    assert_string_equal (fills [0].client_id, "ok-1");
    assert_int_equal (fills [0].flags, 0);
    assert_int_equal (fills [1].flags, 0);
    hb_feed_stats_t stats;
    s_teardown (fx, &stats);
    assert_int_equal (stats.quarantined, 2);
    assert_int_equal (stats.external, 0);
}

//  ---------------------------------------------------------------------------
//  Discovery (tests/plugins/listing.c lists; hb_discover.h keeps)

//  BTC only, perps and options, up to 30 days, strikes within 80-120 %
static void
s_discover_filter (hb_config_t *config)
{
    hb_discover_cfg_t *discover = &config->venues [0].discover;
    discover->present = true;
    discover->assets [0] = true;
    discover->kinds = 1u << HB_KIND_INVERSE_PERP | 1u << HB_KIND_OPTION;
    discover->expiry_days [1] = 30;
    discover->moneyness [0] = 0.8;
    discover->moneyness [1] = 1.2;
    discover->max_count = 10;
}

//  Asks the feed for its instruments: how many came (in *got, symbols
//  sorted), -1 when the reply is not one
static int
s_instruments (const char *endpoint, hb_instrument_t *got, int max)
{
    zsock_t *dealer = zsock_new_dealer (endpoint);
    assert_non_null (dealer);
    zmsg_t *request = zmsg_new ();
    zmsg_addmem (request, NULL, 0);
    zmsg_addstr (request, "instruments");
    assert_int_equal (zmsg_send (&request, dealer), 0);
    zsock_set_rcvtimeo (dealer, S_WAIT_MS);
    zmsg_t *reply = zmsg_recv (dealer);
    zsock_destroy (&dealer);
    if (!reply)
        return -1;
    assert_int_equal (zframe_size (zmsg_first (reply)), 0);
    int n = 0, rc = -1;
    hb_msg_t msg;
    zframe_t *frame;
    while ((frame = zmsg_next (reply)) != NULL) {
        zframe_t *payload = zmsg_next (reply);
        assert_non_null (payload);
        assert_int_equal (hb_msg_decode (&msg, zframe_data (payload), zframe_size (payload), NULL), 0);
        if (msg.env.type == HB_MSG_SNAPSHOT_END) {
            rc = msg.u.snapshot_end.count == (uint64_t) n ? n : -1;
            break;
        }
        assert_int_equal (msg.env.type, HB_MSG_INSTRUMENT);
        assert_true (zframe_streq (frame, "instrument.ex"));
        assert_true (n < max);
        got [n++] = msg.u.instrument;
    }
    zmsg_destroy (&reply);
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && strcmp (got [j - 1].symbol, got [j].symbol) > 0; j--) {
            hb_instrument_t swap = got [j];
            got [j] = got [j - 1];
            got [j - 1] = swap;
        }
    return rc;
}

//  The plugin lists 23: the filter keeps the perp and the six options of
//  the near expiry within the strikes, refuses the one without a strike;
//  a late joiner gets the seven from the feed; a delisting and a listing
//  while running go on the bus; a discovered symbol may tick.
static void
test_discovery (void **state)
{
    (void) state;
    s_adjust = s_discover_filter;
    s_fixture_t *fx = s_setup ("tests/plugins/hb_venue_listing.so", NULL, false);
    s_adjust = NULL;
    hb_instrument_t got [16];
    const char *endpoint = fx->config->venues [0].replay_endpoint;
    assert_int_equal (s_instruments (endpoint, got, 16), 7);
    const char *expect [] = { "BTC-1D-100-C", "BTC-1D-100-P", "BTC-1D-110-C", "BTC-1D-110-P",
                              "BTC-1D-90-C", "BTC-1D-90-P", "BTC-PERPETUAL" };
    for (int i = 0; i < 7; i++) {
        assert_string_equal (got [i].symbol, expect [i]);
        assert_string_equal (got [i].venue, "ex");
        assert_int_equal (got [i].flags & HB_INSTRUMENT_DELISTED, 0);
    }
    assert_int_equal (got [6].kind, HB_KIND_INVERSE_PERP);
    assert_true (got [6].multiplier == 10 && (got [6].flags & HB_INSTRUMENT_INVERSE));
    assert_true (got [0].strike == 65000 && (got [0].flags & HB_INSTRUMENT_CALL));
    assert_string_equal (got [0].settle, "BTC");

    //  while running: one delisted, one listed, both on the bus
    s_send_order (fx, NULL, "ex", "BTC-PERPETUAL", "d-1", 1);
    hb_msg_t msg;
    char topic [HB_TOPIC_MAX];
    assert_int_equal (s_recv_until (fx, HB_MSG_INSTRUMENT, "instrument.ex", &msg, topic), 0);
    assert_string_equal (msg.u.instrument.symbol, "BTC-1D-100-C");
    assert_true (msg.u.instrument.flags & HB_INSTRUMENT_DELISTED);
    assert_int_equal (s_recv_until (fx, HB_MSG_INSTRUMENT, "instrument.ex", &msg, topic), 0);
    assert_string_equal (msg.u.instrument.symbol, "BTC-1D-108-C");
    assert_int_equal (msg.u.instrument.flags & HB_INSTRUMENT_DELISTED, 0);
    assert_int_equal (s_instruments (endpoint, got, 16), 7);
    assert_string_equal (got [0].symbol, "BTC-1D-100-P");
    assert_string_equal (got [1].symbol, "BTC-1D-108-C");
    //  the order was for a discovered symbol: the plugin's reject got out
    assert_int_equal (s_recv_until (fx, HB_MSG_ACK, "ack.ex.BTC-PERPETUAL", &msg, topic), 0);

    hb_feed_stats_t stats;
    s_teardown (fx, &stats);
    assert_int_equal (stats.instruments, 7);
    assert_int_equal (stats.instruments_invalid, 1);
    assert_int_equal (stats.instruments_filtered, 15);
    assert_int_equal (stats.listings_refused, 0);
    assert_int_equal (stats.invalid, 0);
}

//  A venue listing more than its max_count: refused at start, not cut
static void
s_overflow (hb_config_t *config)
{
    s_discover_filter (config);
    hb_venue_cfg_t *venue = &config->venues [0];
    venue->n_params = 1;
    snprintf (venue->params [0].key, HB_NAME_MAX, "overflow");
    snprintf (venue->params [0].value, HB_PATH_MAX, "11");
    venue->discover.kinds = 0;
}

static void
test_discovery_over_max (void **state)
{
    (void) state;
    hb_log_init ("test", HB_LOG_WARN);
    char dir [64];
    snprintf (dir, sizeof dir, "/tmp/hb-feed-test-%d", (int) getpid ());
    hb_config_t *config = s_config (dir, NULL, false);
    s_overflow (config);
    char path [PATH_MAX], err [512];
    s_plugin_path (path, sizeof path, "tests/plugins/hb_venue_listing.so");
    hb_plugin_host_t *plugin = hb_plugin_host_new (path, err, sizeof err);
    assert_non_null (plugin);
    hb_feed_t *feed = hb_feed_new (config, &config->venues [0], &plugin);
    assert_non_null (feed);
    assert_int_equal (hb_feed_start (feed), -1);
    hb_feed_stats_t stats;
    hb_feed_stats (feed, &stats);
    assert_int_equal (stats.instruments, 0);
    assert_int_equal (stats.listings_refused, 1);
    hb_feed_destroy (&feed);
    //  ten fit
    snprintf (config->venues [0].params [0].value, HB_PATH_MAX, "10");
    plugin = hb_plugin_host_new (path, err, sizeof err);
    feed = hb_feed_new (config, &config->venues [0], &plugin);
    assert_non_null (feed);
    assert_int_equal (hb_feed_start (feed), 0);
    hb_feed_stats (feed, &stats);
    assert_int_equal (stats.instruments, 10);
    hb_feed_destroy (&feed);
    unlink (config->venues [0].endpoint + strlen ("ipc://"));
    unlink (config->venues [0].replay_endpoint + strlen ("ipc://"));
    s_unlink_journals (config->venues [0].fills_journal);
    rmdir (dir);
    hb_config_destroy (&config);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_example_orders),
        cmocka_unit_test (test_expired_order),
        cmocka_unit_test (test_host_rejects_for_plugin),
        cmocka_unit_test (test_fill_replay),
        cmocka_unit_test (test_invalid_publish_counted),
        cmocka_unit_test (test_gate_holds_implausible_fills),
        cmocka_unit_test (test_gate_restart_keeps_orders),
        cmocka_unit_test (test_gate_old_plugin),
        cmocka_unit_test (test_discovery),
        cmocka_unit_test (test_discovery_over_max),
    };
    return cmocka_run_group_tests_name ("hb_feed", tests, NULL, NULL);
}
