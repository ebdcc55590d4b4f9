/*  hb_chain_bench: tick-to-order latency through the real processes, beside
    the same number of bare ZeroMQ hops, in the same run.

    The pipeline: this process plays the venue (it binds the venue's
    endpoint as hb-feed would, with hb_pub) and starts hb-aggregator,
    hb-risk and hb-hedger from $HB_BIN (default build/bin) on a config of
    its own: one asset (BTC), one venue "bench" (BTC-USD spot, BTC-PERP)
    where the desk is long 10 BTC spot, a BTC band just above the exposure
    at the low price. Each round:
      1. a BTC-PERP tick (the hedger's book) and then a BTC-USD tick at the
         high price: the index moves, the exposure leaves its band;
      2. hb-risk receives the tick, re-prices, plans and publishes
         risk.hedge (it checks the band on the input, not only on its
         sample timer); hb-hedger routes it over the book (fees included),
         applies its pre-trade controls, journals the intent (fsync) and
         publishes order.bench.BTC-PERP;
      3. we receive the order: tick-to-order = our receive time minus the
         tick's ts_pub. The order is rejected (nothing filled, so nothing
         stays in flight) and the price goes back below the band.
    That is three hops (venue -> risk -> hedger -> venue) and two processes
    in between. While a round waits the venue sends a book update every
    S_BUSY_MS, as a busy venue does: risk and the hedger take decisions on
    a data-time grid, at a time every venue has passed (docs/RISK.md). Only the order whose request names this round's tick among
    its inputs (risk.hedge inputs: topic, publisher, epoch, seq) counts.
    hb-aggregator runs (risk needs its snapshot and pos.BTC) but is not on
    this path: risk rescales the aggregator's exposure to its own index on
    every tick. The venue's own part (an hb-feed and its plugin) is not in
    it either: we stand in for both.

    The bare chain: the same three hops over ipc with bare PUB/SUB (XPUB
    with ZMQ_XPUB_NODROP, zmq_msg_t, two frames), this process at both
    ends and two relay processes (this binary again, "relay" mode) in
    between, each forwarding a payload of the size the real hop carries
    (tick, risk.hedge, order, measured in this run). One bare message is
    sent half a round after each pipeline round, so both see the same
    machine at the same time.

    Printed: p50 / p99 / p99.9 of both, their ratios, and the pipeline's
    stages from the envelopes (ts_recv, ts_pub of risk.hedge and of the
    order; the wall clock is shared by all processes on one machine).

    Usage: hb_chain_bench [ROUNDS]   (default 1000; env HB_BENCH_COUNT;
           HB_BENCH_DIR: where the run directory goes, default /tmp)
           hb_chain_bench relay IN OUT SIZE   (internal)                 */
#include <czmq.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hb_hist.h"
#include "hb_log.h"
#include "hb_pub.h"
#include "hb_sub.h"
#include "hb_time.h"

#define S_SAMPLE_MS     10          //  risk's grid
#define S_ROUND_MS      25          //  > 2 grid periods: each round's tick is a new sample
#define S_ORDER_WAIT_MS 1000        //  no order by then: the round is missed
#define S_BUSY_MS       1           //  the venue's book updates while a round waits
#define S_WARMUP        20          //  rounds not counted
#define S_START_MS      20000       //  processes up and risk warm
#define S_QTY           10.0        //  BTC held
#define S_PX_LOW        65000.0
#define S_PX_HIGH       65100.0
#define S_BAND          650500.0    //  between 10 x low and 10 x high
#define S_PROCS         3
#define S_RELAYS        2
#define S_STAGES        4

static char s_dir [128];           //  config, logs, run_dir (journals, ipc)

//  ---------------------------------------------------------------------------
//  Relay mode: SUB on IN, XPUB on OUT; every message goes on with a
//  payload of SIZE bytes that starts with the incoming payload's first 8
//  (the source's send time). "end" goes on as it is, then the relay exits.

static int
s_relay (const char *in, const char *out, int size)
{
    if (size < 8 || size > HB_MSG_MAX_SIZE)
        return 2;
    void *ctx = zmq_ctx_new ();
    void *pub = zmq_socket (ctx, ZMQ_XPUB);
    void *sub = zmq_socket (ctx, ZMQ_SUB);
    int one = 1, linger = 1000;
    zmq_setsockopt (pub, ZMQ_XPUB_NODROP, &one, sizeof one);
    zmq_setsockopt (pub, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt (sub, ZMQ_SUBSCRIBE, "", 0);
    if (zmq_bind (pub, out) != 0 || zmq_connect (sub, in) != 0)
        return 1;
    uint8_t payload [HB_MSG_MAX_SIZE];
    memset (payload, 0x5a, sizeof payload);
    zmq_pollitem_t items [] = { { pub, 0, ZMQ_POLLIN, 0 }, { sub, 0, ZMQ_POLLIN, 0 } };
    zmq_msg_t topic, body;
    zmq_msg_init (&topic);
    zmq_msg_init (&body);
    bool done = false;
    while (!done && zmq_poll (items, 2, 60000) > 0) {
        if (items [0].revents & ZMQ_POLLIN) {
            //  a downstream subscription: pass it upstream as ours
            zmq_msg_t sub_msg;
            zmq_msg_init (&sub_msg);
            zmq_msg_recv (&sub_msg, pub, 0);
            zmq_msg_close (&sub_msg);
        }
        if (!(items [1].revents & ZMQ_POLLIN))
            continue;
        if (zmq_msg_recv (&topic, sub, 0) < 0 || zmq_msg_recv (&body, sub, 0) < 0)
            break;
        done = zmq_msg_size (&topic) == 3 && memcmp (zmq_msg_data (&topic), "end", 3) == 0;
        size_t n = done ? 0 : (size_t) size;
        if (zmq_msg_size (&body) >= 8)
            memcpy (payload, zmq_msg_data (&body), 8);
        zmq_msg_send (&topic, pub, ZMQ_SNDMORE);
        zmq_msg_t next;
        zmq_msg_init_size (&next, n);
        memcpy (zmq_msg_data (&next), payload, n);
        zmq_msg_send (&next, pub, 0);
    }
    zmq_msg_close (&topic);
    zmq_msg_close (&body);
    zmq_close (sub);
    zmq_close (pub);
    zmq_ctx_term (ctx);
    return done ? 0 : 1;
}

//  ---------------------------------------------------------------------------
//  Processes

static pid_t
s_spawn (char *const argv [], const char *log_name)
{
    char log [PATH_MAX];
    snprintf (log, sizeof log, "%s/%s.log", s_dir, log_name);
    pid_t pid = fork ();
    if (pid == 0) {
        FILE *out = freopen (log, "w", stdout);
        if (out)
            dup2 (fileno (out), 2);
        execv (argv [0], argv);
        _exit (127);
    }
    return pid;
}

static void
s_stop (pid_t *pids, int n)
{
    for (int i = 0; i < n; i++)
        if (pids [i] > 0)
            kill (pids [i], SIGTERM);
    for (int i = 0; i < n; i++)
        if (pids [i] > 0)
            waitpid (pids [i], NULL, 0);
}

static int
s_write_config (const char *path)
{
    FILE *file = fopen (path, "w");
    if (!file)
        return -1;
    fprintf (file,
        "hedgebus: 1\n"
        "deployment: chain-bench\n"
        "run_dir: %s/run\n"
        "log_level: info\n"
        "assets:\n"
        "  BTC: { price: %.0f, vol: 0.55 }\n"
        "venues:\n"
        "  bench:\n"
        "    plugin: example\n"
        "    collateral: { USD: 10000000 }\n"
        "    fees: { maker: 0.0001, taker: 0.0002 }\n"
        "    positions:\n"
        "      - { symbol: BTC-USD, qty: %.0f, entry: %.0f }\n"
        "    instruments:\n"
        "      - { symbol: BTC-USD, asset: BTC, kind: spot, tick: 0.01, lot: 0.0001 }\n"
        "      - { symbol: BTC-PERP, asset: BTC, kind: linear_perp, tick: 0.1, lot: 0.001 }\n"
        "components:\n"
        "  aggregator: { endpoint: \"ipc://%s/run/aggregator.pub\" }\n"
        "  risk:\n"
        "    endpoint: ipc://%s/run/risk.pub\n"
        "    sample_ms: %d\n"
        "    publish_ms: 200\n"
        "    quote_stale_ms: 1000\n"
        "    min_samples: 10\n"
        "    band: 1000000000\n"
        "    bands: { BTC: %.0f }\n"
        "  hedger:\n"
        "    endpoint: ipc://%s/run/hedger.pub\n"
        "    orders: true\n"
        "    max_order_usd: 10000000\n"
        "    collar_bps: 100\n"
        "    orders_per_s: 1000\n"
        "    burst: 1000\n"
        "    max_net_usd: 100000000\n"
        "    max_day_usd: 100000000000\n"
        "    max_request_age_ms: 2000\n",
        s_dir, S_PX_LOW, S_QTY, S_PX_LOW, s_dir, s_dir, S_SAMPLE_MS, S_BAND, s_dir);
    return fclose (file);
}

//  ---------------------------------------------------------------------------
//  The venue's side of the pipeline

//  A risk.hedge seen lately
typedef struct {
    char       id [HB_ID_MAX];
    int64_t    recv, pub;       //  its ts_recv, ts_pub
    uint64_t   tick_seq;        //  seq of the tick.bench.BTC-USD among its inputs
} s_req_t;

#define S_REQS 8

typedef struct {
    hb_pub_t  *venue;           //  tick.bench.*, ack.bench.*
    hb_sub_t  *sub;             //  risk.hedge, order.bench.
    hb_msg_t   msg;
    hb_msg_t   in;
    uint64_t   tick_seq;        //  seq of this round's BTC-USD tick
    int64_t    tick_pub;        //  its ts_pub
    s_req_t    reqs [S_REQS];   //  ring
    int        next_req;
    //  the order waiting for its request (an order may overtake its
    //  request on our socket: they come from two publishers)
    bool       pending;
    char       pending_id [HB_ID_MAX];
    int64_t    ord_in, ord_pub;
    size_t     sizes [3];       //  payloads seen: tick, risk.hedge, order
    uint64_t   extra;           //  orders that answered no round's tick
} s_venue_t;

static void
s_tick (s_venue_t *self, const char *symbol, double px)
{
    hb_msg_t *msg = &self->msg;
    memset (msg, 0, sizeof *msg);
    msg->env.type = HB_MSG_TICK;
    msg->env.ts_venue = hb_wall_ns ();
    hb_tick_t *tick = &msg->u.tick;
    snprintf (tick->venue, sizeof tick->venue, "bench");
    snprintf (tick->symbol, sizeof tick->symbol, "%s", symbol);
    tick->n_bids = tick->n_asks = 5;
    for (int l = 0; l < 5; l++) {
        tick->bids [l].px = px - 0.5 - l;
        tick->asks [l].px = px + 0.5 + l;
        tick->bids [l].qty = tick->asks [l].qty = 4;
    }
    hb_pub_send (self->venue, NULL, msg);
}

//  Up: the perp first, so the hedger has the book the request needs, then
//  the spot tick that moves the index, then the perp again: a request is
//  taken at its data time (the spot tick's ts_pub) once every venue has
//  sent something later (docs/RISK.md, data-time grid), and a busy venue
//  always has. Down: the spot first, so risk never sees the old index
//  with a sample of its own after the round.
static void
s_prices (s_venue_t *self, double px, bool up)
{
    if (up)
        s_tick (self, "BTC-PERP", px);
    s_tick (self, "BTC-USD", px);
    self->tick_seq = self->msg.env.seq;
    self->tick_pub = self->msg.env.ts_pub;
    s_tick (self, "BTC-PERP", px);
}

static void
s_reject (s_venue_t *self, const hb_order_t *order)
{
    hb_msg_t *msg = &self->msg;
    memset (msg, 0, sizeof *msg);
    msg->env.type = HB_MSG_ACK;
    hb_ack_t *ack = &msg->u.ack;
    snprintf (ack->venue, sizeof ack->venue, "bench");
    snprintf (ack->symbol, sizeof ack->symbol, "%s", order->symbol);
    snprintf (ack->client_id, sizeof ack->client_id, "%s", order->client_id);
    ack->status = HB_ACK_REJECTED;
    ack->reason = HB_REJ_NO_LIQUIDITY;
    hb_pub_send (self->venue, NULL, msg);
}

//  The request id of a client order id "<request id>.<leg>"
static void
s_request_id (const char *client_id, char *id)
{
    snprintf (id, HB_ID_MAX, "%s", client_id);
    char *dot = strrchr (id, '.');
    if (dot)
        *dot = '\0';
}

static const s_req_t *
s_req_find (const s_venue_t *self, const char *id)
{
    for (int i = 0; i < S_REQS; i++)
        if (strcmp (self->reqs [i].id, id) == 0)
            return &self->reqs [i];
    return NULL;
}

//  One message from the bus. Returns 1 when the round's order and its
//  request are both in, else 0.
static int
s_on_message (s_venue_t *self, const char *topic, size_t size, int64_t now)
{
    const hb_msg_t *in = &self->in;
    if (in->env.type == HB_MSG_RISK_HEDGE) {
        self->sizes [1] = self->sizes [1] ? self->sizes [1] : size;
        const hb_risk_hedge_t *hedge = &in->u.risk_hedge;
        s_req_t *req = &self->reqs [self->next_req++ % S_REQS];
        snprintf (req->id, sizeof req->id, "%s", hedge->id);
        req->recv = in->env.ts_recv;
        req->pub = in->env.ts_pub;
        req->tick_seq = 0;
        for (int i = 0; i < hedge->n_inputs; i++)
            if (strcmp (hedge->inputs [i].topic, "tick.bench.BTC-USD") == 0)
                req->tick_seq = hedge->inputs [i].seq;
    }
    else
    if (in->env.type == HB_MSG_ORDER && strncmp (topic, "order.bench.", 12) == 0) {
        self->sizes [2] = self->sizes [2] ? self->sizes [2] : size;
        s_reject (self, &in->u.order);
        if (self->pending) {
            self->extra++;
            return 0;
        }
        s_request_id (in->u.order.client_id, self->pending_id);
        self->pending = true;
        self->ord_in = now;
        self->ord_pub = in->env.ts_pub;
    }
    if (!self->pending)
        return 0;
    const s_req_t *req = s_req_find (self, self->pending_id);
    if (!req)
        return 0;
    if (req->tick_seq == self->tick_seq)
        return 1;
    self->pending = false;          //  an order for an earlier tick
    self->extra++;
    return 0;
}

//  Waits for this round's order. Returns 0 with the stages filled, -1 when
//  none came (or it answered another tick).
static int
s_round (s_venue_t *self, int64_t stages [S_STAGES], int64_t *total)
{
    self->pending = false;
    s_prices (self, S_PX_HIGH, true);
    int64_t deadline = hb_mono_ns () + (int64_t) S_ORDER_WAIT_MS * 1000000;
    char topic [HB_TOPIC_MAX];
    int rc = -1;
    int64_t busy = hb_mono_ns ();
    while (hb_mono_ns () < deadline) {
        //  a busy venue: a book update every S_BUSY_MS while we wait
        if (hb_mono_ns () - busy >= (int64_t) S_BUSY_MS * 1000000) {
            s_tick (self, "BTC-PERP", S_PX_HIGH);
            busy = hb_mono_ns ();
        }
        if (hb_sub_recv (self->sub, topic, sizeof topic, &self->in, NULL, S_BUSY_MS) != 0) {
            if (errno == EPROTO || errno == EAGAIN)
                continue;
            break;
        }
        int64_t now = hb_wall_ns ();
        size_t size = 0;
        hb_sub_last_payload (self->sub, &size);
        if (s_on_message (self, topic, size, now) == 1) {
            rc = 0;
            break;
        }
    }
    if (rc == 0) {
        const s_req_t *req = s_req_find (self, self->pending_id);
        stages [0] = req->recv - self->tick_pub;        //  hop to risk, until its check
        stages [1] = req->pub - req->recv;              //  risk: plan, band, publish
        stages [2] = self->ord_pub - req->pub;          //  hop, hedger: wait, route, journal
        stages [3] = self->ord_in - self->ord_pub;      //  hop back to the venue
        *total = self->ord_in - self->tick_pub;
    }
    s_prices (self, S_PX_LOW, false);
    return rc;
}

//  Waits until risk is warm and hedging: rounds until one order comes back.
static int
s_warm_up (s_venue_t *self)
{
    int64_t deadline = hb_mono_ns () + (int64_t) S_START_MS * 1000000;
    if (hb_pub_wait_prefix (self->venue, "ack.bench.", S_START_MS) != 0)
        return -1;
    int64_t stages [S_STAGES], total;
    int ok = 0;
    while (hb_mono_ns () < deadline && ok < S_WARMUP) {
        if (s_round (self, stages, &total) == 0)
            ok++;
        zclock_sleep (S_ROUND_MS);
    }
    return ok == S_WARMUP ? 0 : -1;
}

//  ---------------------------------------------------------------------------
//  The bare chain's ends (this process)

typedef struct {
    zsock_t *pub;               //  XPUB, NODROP
    zsock_t *sub;
    size_t   size;              //  first hop's payload
} s_bare_t;

static int
s_bare_one (s_bare_t *self, int64_t *latency)
{
    uint8_t payload [HB_MSG_MAX_SIZE];
    memset (payload, 0x5a, self->size);
    int64_t sent = hb_wall_ns ();
    memcpy (payload, &sent, sizeof sent);
    void *pub = zsock_resolve (self->pub), *sub = zsock_resolve (self->sub);
    zmq_send (pub, "tick.bench.BTC-USD", 18, ZMQ_SNDMORE);
    zmq_send (pub, payload, self->size, 0);
    zmq_msg_t topic, body;
    zmq_msg_init (&topic);
    zmq_msg_init (&body);
    int rc = -1;
    if (zmq_msg_recv (&topic, sub, 0) >= 0 && zmq_msg_recv (&body, sub, 0) >= 0
    &&  zmq_msg_size (&body) >= 8) {
        int64_t stamp;
        memcpy (&stamp, zmq_msg_data (&body), sizeof stamp);
        *latency = hb_wall_ns () - stamp;
        rc = stamp == sent ? 0 : -1;
    }
    zmq_msg_close (&topic);
    zmq_msg_close (&body);
    return rc;
}

//  Starts the relays and waits until a message goes all the way round.
static int
s_bare_start (s_bare_t *self, const char *prog, const size_t sizes [3], pid_t *relays)
{
    char ep [S_RELAYS + 1][PATH_MAX];
    for (int i = 0; i < S_RELAYS + 1; i++)
        snprintf (ep [i], sizeof ep [i], "ipc://%s/bare%d.ipc", s_dir, i);
    self->size = sizes [0];
    self->pub = zsock_new (ZMQ_XPUB);
    self->sub = zsock_new (ZMQ_SUB);
    if (!self->pub || !self->sub)
        return -1;
    zsock_set_xpub_nodrop (self->pub, 1);
    zsock_set_subscribe (self->sub, "");
    zsock_set_rcvtimeo (self->sub, S_ORDER_WAIT_MS);
    if (zsock_bind (self->pub, "%s", ep [0]) < 0)
        return -1;
    for (int r = 0; r < S_RELAYS; r++) {
        char size [16];
        snprintf (size, sizeof size, "%zu", sizes [r + 1]);
        char *argv [] = { (char *) prog, "relay", ep [r], ep [r + 1], size, NULL };
        char name [16];
        snprintf (name, sizeof name, "relay%d", r + 1);
        relays [r] = s_spawn (argv, name);
    }
    if (zsock_connect (self->sub, "%s", ep [S_RELAYS]) != 0)
        return -1;
    //  subscriptions travel up the chain: probe until one comes round
    int64_t latency;
    for (int i = 0; i < 200; i++) {
        zsock_set_rcvtimeo (self->sub, 50);
        if (s_bare_one (self, &latency) == 0) {
            zsock_set_rcvtimeo (self->sub, S_ORDER_WAIT_MS);
            //  drain late probes
            zmq_msg_t frame;
            zmq_msg_init (&frame);
            zsock_set_rcvtimeo (self->sub, 100);
            while (zmq_msg_recv (&frame, zsock_resolve (self->sub), 0) >= 0)
                ;
            zmq_msg_close (&frame);
            zsock_set_rcvtimeo (self->sub, S_ORDER_WAIT_MS);
            return 0;
        }
    }
    return -1;
}

static void
s_bare_stop (s_bare_t *self, pid_t *relays)
{
    if (self->pub) {
        zmq_send (zsock_resolve (self->pub), "end", 3, ZMQ_SNDMORE);
        zmq_send (zsock_resolve (self->pub), "", 0, 0);
    }
    zclock_sleep (100);
    s_stop (relays, S_RELAYS);
    zsock_destroy (&self->pub);
    zsock_destroy (&self->sub);
}

//  ---------------------------------------------------------------------------

static void
s_print (const char *name, hb_hist_t *hist, const char *what)
{
    printf ("chain %s n=%llu p50=%.1fus p99=%.1fus p99.9=%.1fus (%s)\n", name,
            (unsigned long long) hb_hist_count (hist), hb_hist_percentile (hist, 0.50) / 1e3,
            hb_hist_percentile (hist, 0.99) / 1e3, hb_hist_percentile (hist, 0.999) / 1e3, what);
}

static double
s_ratio (hb_hist_t *a, hb_hist_t *b, double p)
{
    double d = (double) hb_hist_percentile (b, p);
    return d > 0 ? (double) hb_hist_percentile (a, p) / d : 0;
}

int
main (int argc, char **argv)
{
    if (argc == 5 && strcmp (argv [1], "relay") == 0)
        return s_relay (argv [2], argv [3], atoi (argv [4]));
    hb_log_init ("hb_chain_bench", HB_LOG_WARN);
    int rounds = 1000;
    if (getenv ("HB_BENCH_COUNT"))
        rounds = atoi (getenv ("HB_BENCH_COUNT"));
    if (argc > 1)
        rounds = atoi (argv [1]);
    if (rounds < 1)
        rounds = 1;
    const char *bin = getenv ("HB_BIN") ? getenv ("HB_BIN") : "build/bin";
    char prog [PATH_MAX];
    ssize_t len = readlink ("/proc/self/exe", prog, sizeof prog - 1);
    if (len <= 0)
        return 1;
    prog [len] = '\0';
    //  The hedger journals every intent with fsync before it sends: where
    //  the run directory lives (disk or tmpfs) shows in the hedger stage.
    const char *base = getenv ("HB_BENCH_DIR") ? getenv ("HB_BENCH_DIR") : "/tmp";
    snprintf (s_dir, sizeof s_dir, "%.100s/hb_chain_bench.XXXXXX", base);
    if (!mkdtemp (s_dir)) {
        perror ("mkdtemp");
        return 1;
    }
    char config [PATH_MAX], run [PATH_MAX];
    snprintf (config, sizeof config, "%s/bench.yaml", s_dir);
    snprintf (run, sizeof run, "%s/run", s_dir);
    if (s_write_config (config) != 0 || mkdir (run, 0700) != 0) {
        fprintf (stderr, "hb_chain_bench: cannot write %s\n", config);
        return 1;
    }

    //  Processes first: exec'd, so nothing of ours (ZeroMQ contexts above
    //  all) goes across the fork.
    const char *names [S_PROCS] = { "hb-aggregator", "hb-risk", "hb-hedger" };
    pid_t pids [S_PROCS] = { 0 }, relays [S_RELAYS] = { 0 };
    for (int p = 0; p < S_PROCS; p++) {
        char path [PATH_MAX];
        snprintf (path, sizeof path, "%s/%s", bin, names [p]);
        if (access (path, X_OK) != 0) {
            fprintf (stderr, "hb_chain_bench: %s not built\n", path);
            s_stop (pids, p);
            return 1;
        }
        char *args [] = { path, "--config", config, NULL };
        pids [p] = s_spawn (args, names [p]);
    }
    zsys_handler_set (NULL);
    zsys_init ();
    char endpoint [PATH_MAX];
    snprintf (endpoint, sizeof endpoint, "ipc://%s/run/feed.bench.pub", s_dir);
    s_venue_t venue = { 0 };
    venue.venue = hb_pub_new (endpoint, "feed.bench", 0);
    venue.sub = hb_sub_new (0);
    s_bare_t bare = { 0 };
    hb_hist_t *hist [2] = { hb_hist_new (), hb_hist_new () };
    hb_hist_t *stage [S_STAGES];
    for (int s = 0; s < S_STAGES; s++)
        stage [s] = hb_hist_new ();
    char ep_risk [PATH_MAX], ep_hedger [PATH_MAX];
    snprintf (ep_risk, sizeof ep_risk, "ipc://%s/run/risk.pub", s_dir);
    snprintf (ep_hedger, sizeof ep_hedger, "ipc://%s/run/hedger.pub", s_dir);
    int rc = 1;
    uint64_t missed = 0;
    if (!venue.venue || !venue.sub
    ||  hb_sub_connect (venue.sub, ep_risk) != 0 || hb_sub_subscribe (venue.sub, "risk.hedge") != 0
    ||  hb_sub_connect (venue.sub, ep_hedger) != 0 || hb_sub_subscribe (venue.sub, "order.bench.") != 0)
        fprintf (stderr, "hb_chain_bench: cannot set up the bus\n");
    else
    if (s_warm_up (&venue) != 0)
        fprintf (stderr, "hb_chain_bench: no hedge order within %d ms (see %s/*.log)\n",
                 S_START_MS, s_dir);
    else {
        hb_buf_t buf;
        hb_msg_encode (&venue.msg, &buf);       //  a tick: the last thing sent
        venue.sizes [0] = buf.size;
        if (s_bare_start (&bare, prog, venue.sizes, relays) != 0)
            fprintf (stderr, "hb_chain_bench: the bare chain does not come round\n");
        else {
            rc = 0;
            venue.extra = 0;
            int64_t next = hb_mono_ns ();
            for (int r = 0; r < rounds && rc == 0; r++) {
                int64_t stages [S_STAGES], total, latency;
                if (s_round (&venue, stages, &total) == 0) {
                    hb_hist_record (hist [0], total);
                    for (int s = 0; s < S_STAGES; s++)
                        hb_hist_record (stage [s], stages [s] > 0 ? stages [s] : 0);
                }
                else
                    missed++;
                next += (int64_t) S_ROUND_MS * 1000000;
                zclock_sleep ((int) ((next - hb_mono_ns ()) / 1000000) - S_ROUND_MS / 2);
                if (s_bare_one (&bare, &latency) == 0)
                    hb_hist_record (hist [1], latency);
                else
                    rc = 1;
                int64_t left = (next - hb_mono_ns ()) / 1000000;
                if (left > 0)
                    zclock_sleep ((int) left);
            }
            if (rc != 0)
                fprintf (stderr, "hb_chain_bench: a bare message did not come round\n");
        }
    }
    if (rc == 0) {
        char what [256];
        snprintf (what, sizeof what, "tick on the venue's bus -> hb-risk -> hb-hedger -> order at "
                  "the venue: 3 hops, %d ms rounds, risk grid %d ms, %llu missed, %llu extra orders",
                  S_ROUND_MS, S_SAMPLE_MS, (unsigned long long) missed,
                  (unsigned long long) venue.extra);
        s_print ("tick_to_order", hist [0], what);
        snprintf (what, sizeof what, "3 bare PUB/SUB hops over ipc, 3 processes (2 relays), payloads %zu/%zu/%zuB "
                  "as the real hops, interleaved with the rounds", venue.sizes [0], venue.sizes [1],
                  venue.sizes [2]);
        s_print ("bare_3hop", hist [1], what);
        printf ("chain ratio tick_to_order/bare p50=%.2f p99=%.2f p99.9=%.2f\n",
                s_ratio (hist [0], hist [1], 0.50), s_ratio (hist [0], hist [1], 0.99),
                s_ratio (hist [0], hist [1], 0.999));
        const char *names_s [S_STAGES] = { "to_risk", "risk", "hedger", "to_venue" };
        printf ("chain stages p50/p99 us:");
        for (int s = 0; s < S_STAGES; s++)
            printf (" %s %.1f/%.1f", names_s [s], hb_hist_percentile (stage [s], 0.50) / 1e3,
                    hb_hist_percentile (stage [s], 0.99) / 1e3);
        printf (" (to_risk: tick ts_pub to risk.hedge ts_recv; risk: its ts_recv to ts_pub; "
                "hedger: risk.hedge ts_pub to order ts_pub, the hop, the wait for the venues to pass the "
                "request's data time, routing, controls and the intent's fsync)\n");
    }
    s_bare_stop (&bare, relays);
    hb_sub_destroy (&venue.sub);
    hb_pub_destroy (&venue.venue);
    s_stop (pids, S_PROCS);
    for (int s = 0; s < S_STAGES; s++)
        hb_hist_destroy (&stage [s]);
    hb_hist_destroy (&hist [0]);
    hb_hist_destroy (&hist [1]);
    if (rc == 0 && !getenv ("KEEP")) {
        char command [PATH_MAX + 16];
        snprintf (command, sizeof command, "rm -rf '%s'", s_dir);
        if (system (command) != 0)
            fprintf (stderr, "hb_chain_bench: cannot remove %s\n", s_dir);
    }
    return rc;
}
