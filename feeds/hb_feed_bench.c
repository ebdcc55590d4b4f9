/*  hb_feed_bench: how fast does a feed publish, next to the bare transport?

    In one run, alternating, ROUNDS times each:
    - feed: an hb_feed_t (its own thread, as in hb-feed) hosting the flood
      test plugin, which publishes N five-level ticks flat out over four
      instruments once it gets an order; a subscriber in this thread counts
      the ticks that arrive. Ticks go out with hb_pub_send_latest, so what
      the subscriber cannot take is conflated (counted by the feed, read
      from its heartbeat): delivered + conflated must equal N.
    - bare: a PUB/SUB pair over ipc (XPUB with ZMQ_XPUB_NODROP, the same
      HWMs) sending N messages of the same topic length and payload size,
      with zmq_msg_t on both sides.
    Both receivers do the same work (receive two frames, no decoding), so
    the ratio is the cost of the plugin, the host's checks, envelope and
    msgpack encoding. Rates are messages delivered per second, first to last
    message at the receiver; medians of the rounds are printed:

      feed publish size=<B>B rate=<N> msg/s bare=<N> msg/s ratio=<x.xx> ...

    Usage: hb_feed_bench [N] [ROUNDS]   (defaults 300000, 3)                */
#include "hb_feed.h"
#include "hb_log.h"
#include "hb_msg.h"
#include "hb_pub.h"
#include "hb_time.h"

#include <czmq.h>
#include <limits.h>
#include <pthread.h>
#include <unistd.h>

#define S_HWM           10000       //  the hb_pub / hb_sub default
#define S_TOPIC         "tick.flood.BTC-USD"
#define S_MAX_ROUNDS    9

static char s_dir [64];             //  ipc sockets of this run

typedef struct {
    hb_config_t *config;
    char         plugin [PATH_MAX];
    hb_feed_t   *feed;              //  set by the thread once running
    int          rc;
} s_feed_run_t;

static void *
s_feed_thread (void *arg)
{
    s_feed_run_t *run = (s_feed_run_t *) arg;
    char err [512];
    hb_plugin_host_t *plugin = hb_plugin_host_new (run->plugin, err, sizeof err);
    if (!plugin) {
        fprintf (stderr, "hb_feed_bench: %s\n", err);
        run->rc = -1;
        __atomic_store_n (&run->feed, (hb_feed_t *) (intptr_t) -1, __ATOMIC_RELEASE);
        return NULL;
    }
    hb_feed_t *feed = hb_feed_new (run->config, &run->config->venues [0], &plugin);
    if (!feed || hb_feed_start (feed)) {
        hb_feed_destroy (&feed);
        run->rc = -1;
        __atomic_store_n (&run->feed, (hb_feed_t *) (intptr_t) -1, __ATOMIC_RELEASE);
        return NULL;
    }
    __atomic_store_n (&run->feed, feed, __ATOMIC_RELEASE);
    run->rc = hb_feed_run (feed);
    hb_feed_destroy (&feed);
    return NULL;
}

static hb_config_t *
s_config (uint64_t ticks)
{
    hb_config_t *config = (hb_config_t *) zmalloc (sizeof *config);
    assert (config);
    //  built by hand: no file, so the plugin has no section of its own (hb_plugin_cfg.h)
    config->path [0] = 0;
    config->n_assets = 1;
    snprintf (config->assets [0].name, HB_NAME_MAX, "BTC");
    config->assets [0].price = 65000;
    config->n_venues = 1;
    hb_venue_cfg_t *venue = &config->venues [0];
    snprintf (venue->name, HB_NAME_MAX, "flood");
    snprintf (venue->plugin, HB_NAME_MAX, "flood");
    snprintf (venue->endpoint, HB_ENDPOINT_MAX, "ipc://%s/feed.flood.pub", s_dir);
    venue->enabled = true;
    venue->cpu = -1;
    venue->max_order_age_ms = 1000;
    //  Same-length symbols, so every tick has the topic length of S_TOPIC.
    const char *symbols [] = { "BTC-USD", "BTC-EUR", "BTC-JPY", "BTC-GBP" };
    hb_venue_cfg_alloc (venue, 4, 4);
    venue->n_instruments = 4;
    for (int i = 0; i < 4; i++) {
        hb_instrument_cfg_t *inst = &venue->instruments [i];
        snprintf (inst->symbol, HB_NAME_MAX, "%s", symbols [i]);
        inst->kind = HB_KIND_SPOT;
        inst->multiplier = 1;
        inst->tick_size = 0.01;
        inst->lot_size = inst->min_qty = 0.001;
    }
    venue->n_params = 2;
    snprintf (venue->params [0].key, HB_NAME_MAX, "ticks");
    snprintf (venue->params [0].value, HB_PATH_MAX, "%llu", (unsigned long long) ticks);
    snprintf (venue->params [1].key, HB_NAME_MAX, "batch");
    snprintf (venue->params [1].value, HB_PATH_MAX, "2000");
    config->n_components = 1;
    hb_component_cfg_t *comp = &config->components [0];
    snprintf (comp->name, HB_NAME_MAX, "bench");
    snprintf (comp->endpoint, HB_ENDPOINT_MAX, "ipc://%s/bench.pub", s_dir);
    comp->sends_orders = true;
    comp->cpu = -1;
    return config;
}

//  Receives one two-frame message on sock (timeout via ZMQ_RCVTIMEO).
//  Returns the payload size, or -1.
static int
s_recv (void *sock, zmq_msg_t *topic, zmq_msg_t *payload)
{
    if (zmq_msg_recv (topic, sock, 0) < 0)
        return -1;
    if (zmq_msg_recv (payload, sock, 0) < 0)
        return -1;
    return (int) zmq_msg_size (payload);
}

typedef struct {
    double   rate;
    uint64_t delivered;
    uint64_t conflated;
    double   size;                  //  mean payload bytes
} s_result_t;

static int
s_feed_round (const char *plugin_path, uint64_t n, s_result_t *result)
{
    s_feed_run_t run = { .config = s_config (n) };
    snprintf (run.plugin, sizeof run.plugin, "%s", plugin_path);
    hb_pub_t *orders = hb_pub_new (run.config->components [0].endpoint, "bench", 0);
    zsock_t *sub = zsock_new (ZMQ_SUB);
    assert (orders && sub);
    zsock_set_rcvhwm (sub, S_HWM);
    zsock_set_rcvtimeo (sub, 5000);
    zsock_set_subscribe (sub, "tick.flood.");
    zsock_set_subscribe (sub, "hb.feed.flood");
    zsock_set_subscribe (sub, "ack.flood.");
    zsock_connect (sub, "%s", run.config->venues [0].endpoint);
    void *handle = zsock_resolve (sub);

    pthread_t thread;
    pthread_create (&thread, NULL, s_feed_thread, &run);
    zmq_msg_t topic, payload;
    zmq_msg_init (&topic);
    zmq_msg_init (&payload);
    hb_msg_t msg;
    int rc = -1;
    uint64_t delivered = 0, bytes = 0;
    int64_t first = 0, last = 0;
    bool flooded = false;

    //  Our subscription is live once a heartbeat gets through; the feed's
    //  to our orders once hb_pub sees it. Only then does the flood start.
    int size;
    while ((size = s_recv (handle, &topic, &payload)) >= 0)
        if (memcmp (zmq_msg_data (&topic), "hb.", 3) == 0)
            break;
    if (size < 0 || hb_pub_wait_subscriber (orders, "order.flood.BTC-USD", 5000)) {
        fprintf (stderr, "hb_feed_bench: the feed did not come up\n");
        goto done;
    }
    memset (&msg, 0, sizeof msg);
    msg.env.type = HB_MSG_ORDER;
    hb_order_t *order = &msg.u.order;
    snprintf (order->venue, HB_NAME_MAX, "flood");
    snprintf (order->symbol, HB_NAME_MAX, "BTC-USD");
    snprintf (order->client_id, HB_ID_MAX, "go");
    order->side = HB_SIDE_BUY;
    order->ord_type = HB_ORD_MARKET;
    order->tif = HB_TIF_IOC;
    order->qty = 1;
    hb_pub_send (orders, NULL, &msg);

    while ((size = s_recv (handle, &topic, &payload)) >= 0) {
        const char *t = (const char *) zmq_msg_data (&topic);
        if (zmq_msg_size (&topic) > 5 && memcmp (t, "tick.", 5) == 0) {
            last = hb_mono_ns ();
            if (delivered++ == 0)
                first = last;
            bytes += (uint64_t) size;
            continue;
        }
        if (hb_msg_decode (&msg, zmq_msg_data (&payload), (size_t) size, NULL))
            continue;
        if (msg.env.type == HB_MSG_ACK && msg.u.ack.status == HB_ACK_CANCELED)
            flooded = true;
        //  The first heartbeat after the flood with nothing parked: every
        //  tick is either in front of it on the socket or conflated.
        if (flooded && msg.env.type == HB_MSG_HEARTBEAT && msg.u.heartbeat.queue_depth == 0) {
            result->conflated = msg.u.heartbeat.drops;
            rc = 0;
            break;
        }
    }
    if (rc)
        fprintf (stderr, "hb_feed_bench: the flood did not finish (%llu ticks seen)\n",
                 (unsigned long long) delivered);
done:
    for (hb_feed_t *feed = NULL; !feed; usleep (1000))
        feed = __atomic_load_n (&run.feed, __ATOMIC_ACQUIRE);
    if (run.feed != (hb_feed_t *) (intptr_t) -1)
        hb_feed_stop (run.feed);
    pthread_join (thread, NULL);
    zmq_msg_close (&topic);
    zmq_msg_close (&payload);
    zsock_destroy (&sub);
    hb_pub_destroy (&orders);
    hb_config_destroy (&run.config);
    if (rc == 0) {
        result->delivered = delivered;
        result->size = delivered ? (double) bytes / (double) delivered : 0;
        result->rate = last > first ? (double) (delivered - 1) * 1e9 / (double) (last - first) : 0;
        if (delivered + result->conflated != n)
            fprintf (stderr, "hb_feed_bench: %llu delivered + %llu conflated != %llu published\n",
                     (unsigned long long) delivered, (unsigned long long) result->conflated,
                     (unsigned long long) n);
    }
    return rc;
}

typedef struct {
    char     endpoint [256];
    uint64_t n;
    size_t   size;
} s_bare_t;

static void *
s_bare_sender (void *arg)
{
    s_bare_t *bare = (s_bare_t *) arg;
    zsock_t *pub = zsock_new (ZMQ_XPUB);
    assert (pub);
    zsock_set_sndhwm (pub, S_HWM);
    zsock_set_xpub_nodrop (pub, 1);
    zsock_bind (pub, "%s", bare->endpoint);
    void *handle = zsock_resolve (pub);
    //  Wait for the subscription, as hb_pub_wait_subscriber does.
    zmq_msg_t sub;
    zmq_msg_init (&sub);
    zmq_msg_recv (&sub, handle, 0);
    zmq_msg_close (&sub);
    uint8_t *payload = (uint8_t *) zmalloc (bare->size);
    for (uint64_t i = 0; i < bare->n; i++) {
        payload [0] = (uint8_t) i;
        zmq_msg_t part;
        zmq_msg_init_size (&part, sizeof S_TOPIC - 1);
        memcpy (zmq_msg_data (&part), S_TOPIC, sizeof S_TOPIC - 1);
        zmq_msg_send (&part, handle, ZMQ_SNDMORE);
        zmq_msg_init_size (&part, bare->size);
        memcpy (zmq_msg_data (&part), payload, bare->size);
        zmq_msg_send (&part, handle, 0);
    }
    free (payload);
    zsock_set_linger (pub, 2000);
    zsock_destroy (&pub);
    return NULL;
}

static int
s_bare_round (uint64_t n, size_t size, s_result_t *result)
{
    s_bare_t bare = { .n = n, .size = size };
    snprintf (bare.endpoint, sizeof bare.endpoint, "ipc://%s/bare.pub", s_dir);
    zsock_t *sub = zsock_new (ZMQ_SUB);
    assert (sub);
    zsock_set_rcvhwm (sub, S_HWM);
    zsock_set_rcvtimeo (sub, 5000);
    zsock_set_subscribe (sub, "tick.");
    zsock_connect (sub, "%s", bare.endpoint);
    void *handle = zsock_resolve (sub);
    pthread_t thread;
    pthread_create (&thread, NULL, s_bare_sender, &bare);
    zmq_msg_t topic, payload;
    zmq_msg_init (&topic);
    zmq_msg_init (&payload);
    uint64_t got = 0;
    int64_t first = 0, last = 0;
    while (got < n && s_recv (handle, &topic, &payload) >= 0) {
        last = hb_mono_ns ();
        if (got++ == 0)
            first = last;
    }
    pthread_join (thread, NULL);
    zmq_msg_close (&topic);
    zmq_msg_close (&payload);
    zsock_destroy (&sub);
    result->delivered = got;
    result->size = (double) size;
    result->rate = last > first ? (double) (got - 1) * 1e9 / (double) (last - first) : 0;
    return got == n ? 0 : -1;
}

static int
s_by_rate (const void *a, const void *b)
{
    double x = ((const s_result_t *) a)->rate, y = ((const s_result_t *) b)->rate;
    return x < y ? -1 : x > y;
}

int
main (int argc, char *argv [])
{
    uint64_t n = argc > 1 ? strtoull (argv [1], NULL, 10) : 300000;
    int rounds = argc > 2 ? atoi (argv [2]) : 3;
    if (n < 1000 || rounds < 1 || rounds > S_MAX_ROUNDS) {
        fprintf (stderr, "usage: hb_feed_bench [N >= 1000] [ROUNDS 1..%d]\n", S_MAX_ROUNDS);
        return 2;
    }
    hb_log_init ("bench", HB_LOG_WARN);
    //  The flood plugin sits in <build>/tests/plugins, next to <build>/bench.
    char exe [PATH_MAX], plugin [PATH_MAX];
    ssize_t len = readlink ("/proc/self/exe", exe, sizeof exe - 1);
    if (len <= 0)
        return 1;
    exe [len] = 0;
    *strrchr (exe, '/') = 0;
    *strrchr (exe, '/') = 0;
    if (snprintf (plugin, sizeof plugin, "%s/tests/plugins/hb_venue_flood.so", exe) >= (int) sizeof plugin
    ||  access (plugin, R_OK) != 0) {
        fprintf (stderr, "hb_feed_bench: %s not built (make build)\n", plugin);
        return 1;
    }
    snprintf (s_dir, sizeof s_dir, "/tmp/hb-bench-%d", (int) getpid ());
    zsys_dir_create ("%s", s_dir);

    s_result_t feed [S_MAX_ROUNDS] = { { 0 } }, bare [S_MAX_ROUNDS] = { { 0 } };
    int rc = 0;
    for (int r = 0; r < rounds && rc == 0; r++) {
        rc = s_feed_round (plugin, n, &feed [r]);
        if (rc == 0)
            rc = s_bare_round (n, (size_t) (feed [r].size + 0.5), &bare [r]);
        if (rc == 0)
            fprintf (stderr, "round %d: feed %.0f msg/s (%llu delivered, %llu conflated), bare %.0f msg/s\n",
                     r + 1, feed [r].rate, (unsigned long long) feed [r].delivered,
                     (unsigned long long) feed [r].conflated, bare [r].rate);
    }
    //  libzmq leaves ipc socket files behind
    const char *files [] = { "feed.flood.pub", "bench.pub", "bare.pub" };
    for (int i = 0; i < 3; i++) {
        char path [128];
        snprintf (path, sizeof path, "%s/%s", s_dir, files [i]);
        unlink (path);
    }
    zsys_dir_delete ("%s", s_dir);
    if (rc) {
        fprintf (stderr, "hb_feed_bench: failed\n");
        return 1;
    }
    qsort (feed, (size_t) rounds, sizeof feed [0], s_by_rate);
    qsort (bare, (size_t) rounds, sizeof bare [0], s_by_rate);
    const s_result_t *f = &feed [rounds / 2], *b = &bare [rounds / 2];
    printf ("feed publish size=%.0fB rate=%.0f msg/s bare=%.0f msg/s ratio=%.2f "
            "conflated=%llu/%llu (median of %d rounds, ipc, topic %zu B)\n",
            f->size, f->rate, b->rate, b->rate > 0 ? f->rate / b->rate : 0,
            (unsigned long long) f->conflated, (unsigned long long) n, rounds,
            sizeof S_TOPIC - 1);
    return 0;
}
