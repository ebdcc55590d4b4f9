/*  hb_chain_bench: tick-to-order latency through the real processes at two
    venue cadences, and the pipeline's throughput flat out, each beside the
    bare transport measured in the same run.

    The pipeline: this process plays the venues (it binds each venue's
    endpoint as hb-feed would, with hb_pub) and starts hb-aggregator,
    hb-risk and hb-hedger from $HB_BIN (default build/bin) on a config of
    its own: one asset (BTC), the venue "bench" (BTC-USD spot, BTC-PERP)
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
    in between. Only the order whose request names this round's tick among
    its inputs (risk.hedge inputs: topic, publisher, epoch, seq) counts; an
    order not in within the mode's wait is a missed round, printed as such
    (the bench never waits longer).

    Two cadences, each on a fresh set of processes:
    - busy: the venue sends a BTC-PERP book update every 1 ms, all along;
      a round every 25 ms; the trigger is followed at once by one more
      update, so every venue has passed its data time at once.
    - realistic: "bench" sends both books every 100 ms and the trigger is
      one of those updates (nothing follows it early); the venue "quiet"
      (configured, a feed that is up) sends only its hb.feed.quiet
      heartbeat, every second as hb-feed does; the venue "dead" heartbeats
      until the rounds begin, then its feed stops for good. A component
      that waits for every venue to pass an input's data time shows that
      wait here (up to the quiet venue's next heartbeat, up to 3 s for the
      dead one); one that decides on arrival does not.
    hb-aggregator runs (risk needs its snapshot and pos.BTC) but is not on
    the latency path: risk rescales the aggregator's exposure to its own
    index on every tick. The venue's own part (an hb-feed and its plugin)
    is not in it either: we stand in for both.

    The bare chain: the same three hops over ipc with bare PUB/SUB (XPUB
    with ZMQ_XPUB_NODROP, zmq_msg_t, two frames), this process at both
    ends and two relay processes (this binary again, "relay" mode) in
    between, each forwarding a payload of the size the real hop carries
    (tick, risk.hedge, order, measured in this run). While a mode runs, one
    bare message goes every cadence period, half a period after the venue's
    update, so both chains carry the same cadence on the same machine at
    the same time; every bare message is timed.

    Throughput (after the busy rounds, on the same processes): THR_COUNT
    ticks (BTC-USD and BTC-PERP in turn, prices below the band) flat out
    with hb_pub_send (reliable: the publisher waits when a reader is a
    high-water mark behind, so nothing is lost), then the round's trigger.
    The run ends when both the order answering the trigger (risk and the
    hedger are through every tick before it) and the aggregator's pos.BTC
    at the trigger's price (so is the aggregator) are in. Rate = ticks /
    (that end - first tick's ts_pub). CPU = utime + stime of the three
    processes (/proc/<pid>/stat, every thread) plus this process
    (getrusage: the feed's part, encoding and publishing) over the run,
    per tick.

    Printed: p50 / p99 / p99.9 of both chains per mode, their ratios
    against the targets (p50 <= 1.3x, p99 <= 2x bare), the stages from the
    envelopes (ts_recv, ts_pub of risk.hedge and of the order; the wall
    clock is shared by all processes on one machine), and the throughput
    line. With HB_BENCH_FIGURES=FILE the figures also go to FILE as
    key=value lines (bench/peer.sh reads them for the Python peer's ratios).

    Usage: hb_chain_bench [ROUNDS]   (busy rounds, default 1000, 0: none; env
           HB_BENCH_COUNT; HB_BENCH_REAL_ROUNDS realistic rounds, default
           40; HB_BENCH_THR_COUNT ticks, default 200000, 0: no throughput
           run; HB_BENCH_DIR: where the run directories go, default /tmp)
           hb_chain_bench relay IN OUT SIZE   (internal)                 */
#include <czmq.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hb_heartbeat.h"
#include "hb_hist.h"
#include "hb_log.h"
#include "hb_pub.h"
#include "hb_sub.h"
#include "hb_time.h"

#define S_SAMPLE_MS     10          //  risk's grid
#define S_START_MS      20000       //  processes up and risk warm
#define S_FEED_HB_MS    1000        //  hb-feed's heartbeat period
#define S_THR_WAIT_MS   60000       //  the throughput run's end at most this after its last tick
#define S_SEND_WAIT_MS  10000       //  a tick the pipeline does not take for this long: stop
#define S_QTY           10.0        //  BTC held
#define S_PX_LOW        65000.0
#define S_PX_HIGH       65100.0
#define S_BAND          650500.0    //  between 10 x low and 10 x high
#define S_PROCS         3
#define S_RELAYS        2
#define S_STAGES        4
#define S_MS            1000000LL

//  A cadence: how the venues behave while it runs
typedef struct {
    const char *name;
    int     cadence_ms;         //  the venue's book updates, and the bare chain's messages
    bool    both_books;         //  each update carries BTC-USD too (else BTC-PERP only)
    bool    trailing;           //  the trigger is followed at once by a BTC-PERP update
    bool    others;             //  the venues "quiet" and "dead" are configured and played
    int     round_ms;           //  trigger to next trigger, at least
    int     jitter_ms;          //  and a pause of 0 to this before each trigger
    int     wait_ms;            //  no order by then: the round is missed
    int     rounds;
    int     warmup;             //  rounds with an order before counting
    int     start_ms;           //  the warm-up's bound
    int     budget_ms;          //  the counted rounds stop after this much
} s_mode_t;

static char s_dir [128];           //  the bench's directory: one run directory per mode, logs
static bool s_keep;                 //  keep it: something to look at
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
s_spawn (char *const argv [], const char *dir, const char *log_name)
{
    char log [PATH_MAX];
    snprintf (log, sizeof log, "%s/%s.log", dir, log_name);
    fflush (NULL);                  //  or the child writes what we printed again
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

//  SIGTERM, and SIGKILL for one still there 10 s later: the bench never
//  waits on a process for good
static void
s_stop (pid_t *pids, int n)
{
    for (int i = 0; i < n; i++)
        if (pids [i] > 0)
            kill (pids [i], SIGTERM);
    int64_t deadline = hb_mono_ns () + 10000 * S_MS;
    for (int i = 0; i < n; i++) {
        while (pids [i] > 0 && waitpid (pids [i], NULL, WNOHANG) == 0) {
            if (hb_mono_ns () > deadline) {
                fprintf (stderr, "hb_chain_bench: pid %d still there 10 s after SIGTERM: SIGKILL\n",
                         (int) pids [i]);
                kill (pids [i], SIGKILL);
                waitpid (pids [i], NULL, 0);
                break;
            }
            zclock_sleep (10);
        }
        pids [i] = 0;
    }
}

//  CPU time of a process, every thread (utime + stime), in ns; -1 when
//  it cannot be read
static int64_t
s_cpu_ns (pid_t pid)
{
    char path [64], line [1024];
    snprintf (path, sizeof path, "/proc/%d/stat", (int) pid);
    FILE *file = fopen (path, "r");
    if (!file)
        return -1;
    size_t n = fread (line, 1, sizeof line - 1, file);
    fclose (file);
    line [n] = '\0';
    //  after the command's ")": state is field 3, utime 14, stime 15
    char *p = strrchr (line, ')');
    unsigned long long utime, stime;
    if (!p || sscanf (p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
                      &utime, &stime) != 2)
        return -1;
    return (int64_t) ((utime + stime) * (1000000000.0 / (double) sysconf (_SC_CLK_TCK)));
}

static int64_t
s_self_cpu_ns (void)
{
    struct rusage usage;
    getrusage (RUSAGE_SELF, &usage);
    return ((int64_t) usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000000000LL
         + ((int64_t) usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) * 1000LL;
}

static int
s_write_config (const char *path, const char *dir, bool others)
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
        "      - { symbol: BTC-PERP, asset: BTC, kind: linear_perp, tick: 0.1, lot: 0.001 }\n",
        dir, S_PX_LOW, S_QTY, S_PX_LOW);
    //  a venue that is up but has nothing to say, and one whose feed dies
    for (int v = 0; others && v < 2; v++)
        fprintf (file,
            "  %s:\n"
            "    plugin: example\n"
            "    collateral: { USD: 1000000 }\n"
            "    fees: { maker: 0.0001, taker: 0.0002 }\n"
            "    instruments:\n"
            "      - { symbol: BTC-USD, asset: BTC, kind: spot, tick: 0.01, lot: 0.0001 }\n",
            v == 0 ? "quiet" : "dead");
    fprintf (file,
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
        dir, dir, S_SAMPLE_MS, S_BAND, dir);
    return fclose (file);
}

//  ---------------------------------------------------------------------------
//  The bare chain's ends (this process)

typedef struct {
    zsock_t   *pub;             //  XPUB, NODROP
    zsock_t   *sub;
    size_t     size;            //  first hop's payload
    pid_t      relays [S_RELAYS];
    hb_hist_t *hist;            //  where the latencies of the cadence go
} s_bare_t;

static void
s_bare_send (s_bare_t *self)
{
    uint8_t payload [HB_MSG_MAX_SIZE];
    memset (payload, 0x5a, self->size);
    int64_t sent = hb_wall_ns ();
    memcpy (payload, &sent, sizeof sent);
    void *pub = zsock_resolve (self->pub);
    zmq_send (pub, "tick.bench.BTC-USD", 18, ZMQ_SNDMORE);
    zmq_send (pub, payload, self->size, 0);
}

//  Receives one bare message (waiting up to the socket's timeout); its
//  latency in *latency and its stamp in *stamp. 0 or -1.
static int
s_bare_recv (s_bare_t *self, int flags, int64_t *latency, int64_t *stamp)
{
    void *sub = zsock_resolve (self->sub);
    zmq_msg_t topic, body;
    zmq_msg_init (&topic);
    zmq_msg_init (&body);
    int rc = -1;
    if (zmq_msg_recv (&topic, sub, flags) >= 0 && zmq_msg_recv (&body, sub, 0) >= 0
    &&  zmq_msg_size (&body) >= 8) {
        memcpy (stamp, zmq_msg_data (&body), sizeof *stamp);
        *latency = hb_wall_ns () - *stamp;
        rc = 0;
    }
    zmq_msg_close (&topic);
    zmq_msg_close (&body);
    return rc;
}

//  Times every bare message that has come round
static void
s_bare_drain (s_bare_t *self)
{
    int64_t latency, stamp;
    while (s_bare_recv (self, ZMQ_DONTWAIT, &latency, &stamp) == 0)
        if (self->hist)
            hb_hist_record (self->hist, latency > 0 ? latency : 0);
}

//  Starts the relays and waits until a message goes all the way round.
static int
s_bare_start (s_bare_t *self, const char *prog, const size_t sizes [3])
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
    zsock_set_sndtimeo (self->pub, S_SEND_WAIT_MS);
    zsock_set_subscribe (self->sub, "");
    if (zsock_bind (self->pub, "%s", ep [0]) < 0)
        return -1;
    for (int r = 0; r < S_RELAYS; r++) {
        char size [16];
        snprintf (size, sizeof size, "%zu", sizes [r + 1]);
        char *argv [] = { (char *) prog, "relay", ep [r], ep [r + 1], size, NULL };
        char name [24];
        snprintf (name, sizeof name, "relay%d", r + 1);
        self->relays [r] = s_spawn (argv, s_dir, name);
    }
    if (zsock_connect (self->sub, "%s", ep [S_RELAYS]) != 0)
        return -1;
    //  subscriptions travel up the chain: probe until one comes round,
    //  then drain the late probes
    zsock_set_rcvtimeo (self->sub, 50);
    for (int i = 0; i < 200; i++) {
        s_bare_send (self);
        int64_t latency, stamp;
        if (s_bare_recv (self, 0, &latency, &stamp) == 0) {
            zsock_set_rcvtimeo (self->sub, 100);
            while (s_bare_recv (self, 0, &latency, &stamp) == 0)
                ;
            return 0;
        }
    }
    return -1;
}

static void
s_bare_stop (s_bare_t *self)
{
    if (self->pub) {
        zmq_send (zsock_resolve (self->pub), "end", 3, ZMQ_SNDMORE);
        zmq_send (zsock_resolve (self->pub), "", 0, 0);
    }
    zclock_sleep (100);
    s_stop (self->relays, S_RELAYS);
    zsock_destroy (&self->pub);
    zsock_destroy (&self->sub);
}

//  ---------------------------------------------------------------------------
//  The venues' side of the pipeline

//  A risk.hedge seen lately
typedef struct {
    char       id [HB_ID_MAX];
    int64_t    recv, pub;       //  its ts_recv, ts_pub
    uint64_t   tick_seq;        //  seq of the tick.bench.BTC-USD among its inputs
} s_req_t;

//  While a breach lasts risk asks again every sample, and a hedger that
//  holds requests answers one of them later: keep enough of them
#define S_REQS 1024

typedef struct {
    const s_mode_t *mode;
    hb_pub_t  *venue;           //  tick.bench.*, ack.bench.*
    hb_pub_t  *quiet;           //  hb.feed.quiet only (realistic)
    hb_pub_t  *dead;            //  hb.feed.dead until the rounds begin (realistic)
    hb_sub_t  *sub;             //  risk.hedge, order.bench., pos.BTC
    s_bare_t  *bare;            //  the bare chain, once it runs
    hb_msg_t   msg;
    hb_msg_t   in;
    double     level;           //  the price the venue's updates carry now
    bool       paced;           //  updates, heartbeats and bare messages go on their cadence
    int64_t    started;         //  mono ns
    int64_t    next_update, next_bare, next_hb;    //  mono ns
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
    double     agg_px;          //  the aggregator's last pos.BTC price
    int64_t    agg_at;          //  and when it came (wall ns)
    //  what became of this round's tick, for a round without its order
    bool       req_seen;        //  a risk.hedge named it
    char       refused [HB_NAME_MAX];   //  the reason of a hedger.reject of such a request
    //  why rounds were missed: "no_request", "no_order" (a request, neither
    //  order nor reject) or the hedger's reason
    char       why [4][HB_NAME_MAX];
    uint64_t   why_n [4];
} s_venue_t;

static int
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
    return hb_pub_send (self->venue, NULL, msg);
}

static void
s_heartbeat (s_venue_t *self, hb_pub_t *pub, const char *venue)
{
    char component [HB_NAME_MAX], topic [HB_TOPIC_MAX];
    snprintf (component, sizeof component, "feed.%s", venue);
    snprintf (topic, sizeof topic, "hb.feed.%s", venue);
    hb_heartbeat_begin (&self->msg, component, self->started, NULL, NULL);
    hb_pub_send (pub, topic, &self->msg);
}

//  Up: the perp first, so the hedger has the book the request needs, then
//  the spot tick that moves the index; in the busy mode the perp again at
//  once (a busy venue always sends something later, so every venue has
//  passed the trigger's data time). Down: the spot first, so risk never
//  sees the old index with a sample of its own after the round.
static void
s_prices (s_venue_t *self, double px, bool up)
{
    self->level = px;
    if (up)
        s_tick (self, "BTC-PERP", px);
    s_tick (self, "BTC-USD", px);
    if (up) {
        self->tick_seq = self->msg.env.seq;
        self->tick_pub = self->msg.env.ts_pub;
    }
    if (!up || self->mode->trailing)
        s_tick (self, "BTC-PERP", px);
}

//  What is due on the cadence at now (mono ns)
static void
s_due (s_venue_t *self, int64_t now)
{
    if (!self->paced)
        return;
    int64_t cadence = self->mode->cadence_ms * S_MS;
    if (now >= self->next_update) {
        s_tick (self, "BTC-PERP", self->level);
        if (self->mode->both_books)
            s_tick (self, "BTC-USD", self->level);
        self->next_update += cadence;
        if (self->next_update <= now)
            self->next_update = now + cadence;
    }
    if (self->bare && now >= self->next_bare) {
        s_bare_send (self->bare);
        self->next_bare += cadence;
        if (self->next_bare <= now)
            self->next_bare = now + cadence;
    }
    if ((self->quiet || self->dead) && now >= self->next_hb) {
        if (self->quiet)
            s_heartbeat (self, self->quiet, "quiet");
        if (self->dead)
            s_heartbeat (self, self->dead, "dead");
        self->next_hb += S_FEED_HB_MS * S_MS;
        if (self->next_hb <= now)
            self->next_hb = now + S_FEED_HB_MS * S_MS;
    }
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
    if (in->env.type == HB_MSG_EXPOSURE && strcmp (in->u.exposure.asset, "BTC") == 0) {
        self->agg_px = in->u.exposure.price;
        self->agg_at = now;
        return 0;
    }
    if (in->env.type == HB_MSG_HEDGE_REJECT) {
        const s_req_t *req = s_req_find (self, in->u.hedge_reject.request_id);
        if (req && req->tick_seq == self->tick_seq && !self->refused [0])
            snprintf (self->refused, sizeof self->refused, "%s", in->u.hedge_reject.reason);
        return 0;
    }
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
        self->req_seen = self->req_seen || req->tick_seq == self->tick_seq;
    }
    else
    if (in->env.type == HB_MSG_ORDER && strncmp (topic, "order.bench.", 12) == 0) {
        self->sizes [2] = self->sizes [2] ? self->sizes [2] : size;
        s_reject (self, &in->u.order);
        if (self->pending)
            self->extra++;          //  the one before named a request we do not know
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
    if (getenv ("HB_BENCH_DEBUG"))
        fprintf (stderr, "order for %s names tick %llu, the round's is %llu\n", req->id,
                 (unsigned long long) req->tick_seq, (unsigned long long) self->tick_seq);
    self->pending = false;          //  an order for an earlier tick
    self->extra++;
    return 0;
}

//  Runs the cadence and takes what comes until deadline (mono ns), or
//  until this round's order is in when stop. Returns 1 (the order), 0
//  (deadline) or -1 (the bus failed).
static int
s_pump (s_venue_t *self, int64_t deadline, bool stop)
{
    zmq_pollitem_t items [2] = {
        { zsock_resolve (hb_sub_sock (self->sub)), 0, ZMQ_POLLIN, 0 },
        { self->bare ? zsock_resolve (self->bare->sub) : NULL, 0, ZMQ_POLLIN, 0 } };
    int n_items = self->bare ? 2 : 1;
    char topic [HB_TOPIC_MAX];
    int64_t now;
    while ((now = hb_mono_ns ()) < deadline) {
        s_due (self, now);
        int64_t next = deadline;
        if (self->paced) {
            next = self->next_update < next ? self->next_update : next;
            if (self->bare && self->next_bare < next)
                next = self->next_bare;
            if ((self->quiet || self->dead) && self->next_hb < next)
                next = self->next_hb;
        }
        now = hb_mono_ns ();
        long timeout = next > now ? (long) ((next - now + S_MS - 1) / S_MS) : 0;
        if (zmq_poll (items, n_items, timeout) < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (n_items == 2 && (items [1].revents & ZMQ_POLLIN))
            s_bare_drain (self->bare);
        if (!(items [0].revents & ZMQ_POLLIN))
            continue;
        while (true) {
            if (hb_sub_recv (self->sub, topic, sizeof topic, &self->in, NULL, 0) != 0) {
                if (errno == EPROTO)
                    continue;
                if (errno == EAGAIN || errno == EINTR)
                    break;
                return -1;
            }
            size_t size = 0;
            hb_sub_last_payload (self->sub, &size);
            if (s_on_message (self, topic, size, hb_wall_ns ()) == 1 && stop)
                return 1;
        }
    }
    return 0;
}

//  One round: the trigger, this round's order (or the mode's wait), the
//  price back down, and the cadence until the next round may begin.
//  Returns 0 with the stages filled, -1 when no order answered the tick.
static int
s_round (s_venue_t *self, int64_t stages [S_STAGES], int64_t *total)
{
    const s_mode_t *mode = self->mode;
    self->pending = false;
    self->req_seen = false;
    self->refused [0] = '\0';
    //  A random pause, so that the triggers fall at every phase of the
    //  quiet venue's heartbeat (a round that ends on a heartbeat would
    //  otherwise start the next one at the same distance from it).
    //  Without the trailing update the trigger is one of the venue's
    //  updates on its cadence: the next one.
    static unsigned int seed = 15;
    if (mode->jitter_ms > 0
    &&  s_pump (self, hb_mono_ns () + (int64_t) (rand_r (&seed) % (unsigned) mode->jitter_ms) * S_MS,
                false) < 0)
        return -1;
    if (!mode->trailing && s_pump (self, self->next_update, false) < 0)
        return -1;
    int64_t start = hb_mono_ns ();
    int64_t to_hb = self->next_hb - start;     //  until the next heartbeat of the other venues
    s_prices (self, S_PX_HIGH, true);
    if (!mode->trailing)
        self->next_update = start + mode->cadence_ms * S_MS;
    int rc = s_pump (self, start + mode->wait_ms * S_MS, true) == 1 ? 0 : -1;
    if (rc == 0) {
        const s_req_t *req = s_req_find (self, self->pending_id);
        stages [0] = req->recv - self->tick_pub;        //  hop to risk, until its check
        stages [1] = req->pub - req->recv;              //  risk: plan, band, publish
        stages [2] = self->ord_pub - req->pub;          //  hop, hedger: wait, route, journal
        stages [3] = self->ord_in - self->ord_pub;      //  hop back to the venue
        *total = self->ord_in - self->tick_pub;
        if (getenv ("HB_BENCH_DEBUG"))
            fprintf (stderr, "round: %.1f ms, the trigger %.0f ms before the quiet venue's next heartbeat\n",
                     *total / 1e6, to_hb / 1e6);
    }
    else {
        const char *why = self->refused [0] ? self->refused : self->req_seen ? "no_order" : "no_request";
        int w = 0;
        while (w < 3 && self->why [w][0] && strcmp (self->why [w], why) != 0)
            w++;
        snprintf (self->why [w], sizeof self->why [w], "%s", w < 3 ? why : "other");
        self->why_n [w]++;
    }
    s_prices (self, S_PX_LOW, false);
    //  the next trigger in a new sample of risk's grid
    int64_t end = start + mode->round_ms * S_MS;
    int64_t least = hb_mono_ns () + (2 * S_SAMPLE_MS + 2 * mode->cadence_ms) * S_MS;
    if (s_pump (self, end > least ? end : least, false) < 0)
        return -1;
    return rc;
}

//  Waits until risk is warm and hedging: rounds until the mode's warm-up
//  has had its orders.
static int
s_warm_up (s_venue_t *self)
{
    int64_t deadline = hb_mono_ns () + self->mode->start_ms * S_MS;
    if (hb_pub_wait_prefix (self->venue, "ack.bench.", self->mode->start_ms) != 0)
        return -1;
    self->paced = true;
    self->next_update = self->next_hb = hb_mono_ns ();
    int64_t stages [S_STAGES], total;
    int ok = 0;
    while (hb_mono_ns () < deadline && ok < self->mode->warmup)
        if (s_round (self, stages, &total) == 0)
            ok++;
    return ok == self->mode->warmup ? 0 : -1;
}

//  ---------------------------------------------------------------------------
//  Throughput

typedef struct {
    uint64_t   ticks;
    double     rate;            //  ticks per second, end to end
    double     cpu_us [S_PROCS + 1];    //  per tick: this process (the feed), then the three
    double     cpu_total_us;
} s_thr_t;

//  THR_COUNT ticks flat out, then the trigger; ends when its order and the
//  aggregator's pos.BTC at its price are in. 0, or -1 (said why).
static int
s_throughput (s_venue_t *self, const pid_t *pids, uint64_t count, s_thr_t *thr)
{
    //  nothing else goes while the ticks do; a pipeline that takes no tick
    //  for S_SEND_WAIT_MS stops the run instead of hanging it
    self->paced = false;
    self->pending = false;
    self->agg_px = 0;
    int64_t cpu0 [S_PROCS + 1], cpu1 [S_PROCS + 1];
    cpu0 [0] = s_self_cpu_ns ();
    for (int p = 0; p < S_PROCS; p++)
        cpu0 [p + 1] = s_cpu_ns (pids [p]);
    int64_t first = 0;
    uint64_t i;
    for (i = 0; i < count; i++) {
        //  a small walk below the band: every tick re-marks, nothing hedges
        double px = S_PX_LOW - 0.25 * (double) (i % 64);
        if (s_tick (self, i % 2 ? "BTC-PERP" : "BTC-USD", px) != 0)
            break;
        if (i == 0)
            first = self->msg.env.ts_pub;
    }
    if (i < count) {
        fprintf (stderr, "hb_chain_bench: throughput: the pipeline took no tick for %d s after "
                 "%llu of %llu\n", S_SEND_WAIT_MS / 1000, (unsigned long long) i,
                 (unsigned long long) count);
        return -1;
    }
    s_prices (self, S_PX_HIGH, true);
    int64_t deadline = hb_mono_ns () + S_THR_WAIT_MS * S_MS;
    bool order = false;
    while (hb_mono_ns () < deadline && !(order && self->agg_px >= S_PX_HIGH - 0.01)) {
        int rc = s_pump (self, order ? deadline : deadline, !order);
        if (rc < 0)
            break;
        if (rc == 1)
            order = true;
        else
        if (!order)
            break;
        //  the order is in: now only the aggregator
        int64_t wait = hb_mono_ns () + 10 * S_MS;
        while (!(self->agg_px >= S_PX_HIGH - 0.01) && hb_mono_ns () < deadline) {
            if (s_pump (self, wait, false) < 0)
                break;
            wait = hb_mono_ns () + 10 * S_MS;
        }
    }
    cpu1 [0] = s_self_cpu_ns ();
    for (int p = 0; p < S_PROCS; p++)
        cpu1 [p + 1] = s_cpu_ns (pids [p]);
    s_prices (self, S_PX_LOW, false);
    if (!order || self->agg_px < S_PX_HIGH - 0.01) {
        fprintf (stderr, "hb_chain_bench: throughput: %s not in within %d s after the last tick\n",
                 order ? "the aggregator's pos.BTC" : "the order", S_THR_WAIT_MS / 1000);
        return -1;
    }
    int64_t end = self->ord_in > self->agg_at ? self->ord_in : self->agg_at;
    thr->ticks = count;
    thr->rate = (double) count / ((double) (end - first) / 1e9);
    thr->cpu_total_us = 0;
    for (int p = 0; p < S_PROCS + 1; p++) {
        thr->cpu_us [p] = cpu0 [p] < 0 || cpu1 [p] < 0 ? 0
                        : (double) (cpu1 [p] - cpu0 [p]) / 1e3 / (double) count;
        thr->cpu_total_us += thr->cpu_us [p];
    }
    return 0;
}

//  ---------------------------------------------------------------------------
//  Output

static FILE *s_figures;             //  HB_BENCH_FIGURES, or NULL

static void
s_figure (const char *mode, const char *key, double value)
{
    if (s_figures)
        fprintf (s_figures, "%s_%s=%.3f\n", mode, key, value);
}

static void
s_print (const char *mode, const char *name, hb_hist_t *hist, const char *what)
{
    printf ("chain %s %s n=%llu p50=%.1fus p99=%.1fus p99.9=%.1fus (%s)\n", mode, name,
            (unsigned long long) hb_hist_count (hist), hb_hist_percentile (hist, 0.50) / 1e3,
            hb_hist_percentile (hist, 0.99) / 1e3, hb_hist_percentile (hist, 0.999) / 1e3, what);
}

static double
s_ratio (hb_hist_t *a, hb_hist_t *b, double p)
{
    double d = (double) hb_hist_percentile (b, p);
    return d > 0 ? (double) hb_hist_percentile (a, p) / d : 0;
}

static void
s_report (const s_mode_t *mode, s_venue_t *venue, hb_hist_t *hist [2], hb_hist_t *stage [S_STAGES],
          uint64_t rounds, uint64_t missed)
{
    char what [512];
    if (mode->others)
        snprintf (what, sizeof what, "venue 'bench' sends both books every %d ms, the trigger is "
                  "one of them; venue 'quiet' heartbeats every %d ms, no ticks; venue 'dead' stopped "
                  "before the rounds; %llu rounds, %llu missed (no order within %.1f s), "
                  "%llu extra orders", mode->cadence_ms, S_FEED_HB_MS, (unsigned long long) rounds,
                  (unsigned long long) missed, mode->wait_ms / 1e3,
                  (unsigned long long) venue->extra);
    else
        snprintf (what, sizeof what, "tick on the venue's bus -> hb-risk -> hb-hedger -> order at "
                  "the venue: 3 hops, a book update every %d ms, %d ms rounds, risk grid %d ms, "
                  "%llu rounds, %llu missed (no order within %.1f s), %llu extra orders",
                  mode->cadence_ms, mode->round_ms, S_SAMPLE_MS, (unsigned long long) rounds,
                  (unsigned long long) missed, mode->wait_ms / 1e3, (unsigned long long) venue->extra);
    s_print (mode->name, "tick_to_order", hist [0], what);
    snprintf (what, sizeof what, "3 bare PUB/SUB hops over ipc, 3 processes (2 relays), payloads "
              "%zu/%zu/%zuB as the real hops, one every %d ms beside the venue's updates",
              venue->sizes [0], venue->sizes [1], venue->sizes [2], mode->cadence_ms);
    s_print (mode->name, "bare_3hop", hist [1], what);
    if (missed > 0) {
        printf ("chain %s missed %llu of %llu rounds (no order within %.1f s), by what became of "
                "the round's tick:", mode->name, (unsigned long long) missed,
                (unsigned long long) rounds, mode->wait_ms / 1e3);
        for (int w = 0; w < 4 && venue->why [w][0]; w++)
            printf (" %s %llu", venue->why [w], (unsigned long long) venue->why_n [w]);
        printf (" (no_request: no risk.hedge named it; no_order: one did, no order or "
                "hedger.reject followed; else the hedger.reject reason)\n");
    }
    s_figure (mode->name, "rounds", (double) rounds);
    s_figure (mode->name, "missed", (double) missed);
    if (hb_hist_count (hist [0]) == 0) {
        printf ("chain %s ratio: no order within %.1f s in any of %llu rounds\n", mode->name,
                mode->wait_ms / 1e3, (unsigned long long) rounds);
        return;
    }
    double p50 = s_ratio (hist [0], hist [1], 0.50), p99 = s_ratio (hist [0], hist [1], 0.99);
    printf ("chain %s ratio tick_to_order/bare p50=%.2f (target <= 1.3: %s) p99=%.2f "
            "(target <= 2: %s) p99.9=%.2f\n", mode->name, p50, p50 <= 1.3 ? "met" : "NOT met",
            p99, p99 <= 2.0 ? "met" : "NOT met", s_ratio (hist [0], hist [1], 0.999));
    const char *names [S_STAGES] = { "to_risk", "risk", "hedger", "to_venue" };
    printf ("chain %s stages p50/p99 us:", mode->name);
    for (int s = 0; s < S_STAGES; s++)
        printf (" %s %.1f/%.1f", names [s], hb_hist_percentile (stage [s], 0.50) / 1e3,
                hb_hist_percentile (stage [s], 0.99) / 1e3);
    printf (" (to_risk: tick ts_pub to risk.hedge ts_recv; risk: its ts_recv to ts_pub; "
            "hedger: risk.hedge ts_pub to order ts_pub: the hop, any wait for the venues, "
            "routing, controls and the intent's fsync)\n");
    s_figure (mode->name, "p50_us", hb_hist_percentile (hist [0], 0.50) / 1e3);
    s_figure (mode->name, "p99_us", hb_hist_percentile (hist [0], 0.99) / 1e3);
    s_figure (mode->name, "bare_p50_us", hb_hist_percentile (hist [1], 0.50) / 1e3);
    s_figure (mode->name, "bare_p99_us", hb_hist_percentile (hist [1], 0.99) / 1e3);
}

//  ---------------------------------------------------------------------------
//  One mode on a fresh set of processes. Returns 0, or 1 when the bench
//  itself could not run (a mode's missed rounds are figures, not failures).

static int
s_run (const s_mode_t *mode, s_bare_t *bare, const char *prog, uint64_t thr_count)
{
    //  sized so that no path can be cut: s_dir is 128
    char dir [160], config [192], run [192];
    snprintf (dir, sizeof dir, "%s/%.20s", s_dir, mode->name);
    snprintf (config, sizeof config, "%s/bench.yaml", dir);
    snprintf (run, sizeof run, "%s/run", dir);
    if (mkdir (dir, 0700) != 0 || mkdir (run, 0700) != 0
    ||  s_write_config (config, dir, mode->others) != 0) {
        fprintf (stderr, "hb_chain_bench: cannot write %s\n", config);
        return 1;
    }
    //  Processes first: exec'd, so nothing of ours (ZeroMQ contexts above
    //  all) goes across the fork.
    const char *bin = getenv ("HB_BIN") ? getenv ("HB_BIN") : "build/bin";
    const char *names [S_PROCS] = { "hb-aggregator", "hb-risk", "hb-hedger" };
    pid_t pids [S_PROCS] = { 0 };
    for (int p = 0; p < S_PROCS; p++) {
        char path [PATH_MAX];
        snprintf (path, sizeof path, "%s/%s", bin, names [p]);
        if (access (path, X_OK) != 0) {
            fprintf (stderr, "hb_chain_bench: %s not built\n", path);
            s_stop (pids, p);
            return 1;
        }
        char *args [] = { path, "--config", config, NULL };
        pids [p] = s_spawn (args, dir, names [p]);
    }
    char ep [4][256];
    snprintf (ep [0], sizeof ep [0], "ipc://%s/feed.bench.pub", run);
    snprintf (ep [1], sizeof ep [1], "ipc://%s/risk.pub", run);
    snprintf (ep [2], sizeof ep [2], "ipc://%s/hedger.pub", run);
    snprintf (ep [3], sizeof ep [3], "ipc://%s/aggregator.pub", run);
    s_venue_t venue = { .mode = mode, .level = S_PX_LOW, .started = hb_mono_ns () };
    venue.venue = hb_pub_new (ep [0], "feed.bench", 0);
    venue.sub = hb_sub_new (0);
    bool up = venue.venue && venue.sub;
    for (int v = 0; mode->others && v < 2; v++) {
        char endpoint [256];
        snprintf (endpoint, sizeof endpoint, "ipc://%s/feed.%s.pub", run, v ? "dead" : "quiet");
        hb_pub_t *pub = hb_pub_new (endpoint, v ? "feed.dead" : "feed.quiet", 0);
        *(v ? &venue.dead : &venue.quiet) = pub;
        up = up && pub;
    }
    //  a reader that stops reading stops our sends after a while, never for
    //  good (the publishers wait, XPUB_NODROP, when a reader is behind)
    hb_pub_t *pubs [3] = { venue.venue, venue.quiet, venue.dead };
    for (int i = 0; i < 3; i++)
        if (pubs [i])
            zsock_set_sndtimeo (hb_pub_sock (pubs [i]), S_SEND_WAIT_MS);
    up = up && hb_sub_connect (venue.sub, ep [1]) == 0 && hb_sub_subscribe (venue.sub, "risk.hedge") == 0
            && hb_sub_connect (venue.sub, ep [2]) == 0 && hb_sub_subscribe (venue.sub, "order.bench.") == 0
            && hb_sub_subscribe (venue.sub, "hedger.reject") == 0
            && hb_sub_connect (venue.sub, ep [3]) == 0 && hb_sub_subscribe (venue.sub, "pos.BTC") == 0;
    hb_hist_t *hist [2] = { hb_hist_new (), hb_hist_new () };
    hb_hist_t *stage [S_STAGES];
    for (int s = 0; s < S_STAGES; s++)
        stage [s] = hb_hist_new ();
    int rc = 1;
    if (!up)
        fprintf (stderr, "hb_chain_bench: cannot set up the bus\n");
    else
    if (s_warm_up (&venue) != 0) {
        printf ("chain %s: no hedge order within %d s of start (%d wanted; see %s/*.log)\n",
                mode->name, mode->start_ms / 1000, mode->warmup, dir);
        rc = mode->others ? 0 : 1;
        s_keep = true;
    }
    else {
        hb_buf_t buf;
        venue.paced = false;
        s_tick (&venue, "BTC-PERP", S_PX_LOW);
        hb_msg_encode (&venue.msg, &buf);
        venue.sizes [0] = buf.size;
        if (!bare->pub && s_bare_start (bare, prog, venue.sizes) != 0)
            fprintf (stderr, "hb_chain_bench: the bare chain does not come round\n");
        else {
            rc = 0;
            s_bare_drain (bare);
            bare->hist = hist [1];
            venue.bare = bare;
            venue.extra = 0;
            memset (venue.why, 0, sizeof venue.why);
            memset (venue.why_n, 0, sizeof venue.why_n);
            venue.paced = true;
            int64_t now = hb_mono_ns ();
            venue.next_update = now;
            venue.next_bare = now + mode->cadence_ms * S_MS / 2;
            if (venue.dead) {
                hb_pub_destroy (&venue.dead);       //  its feed stops for good
                s_figure (mode->name, "dead_stopped_s", (double) (now - venue.started) / 1e9);
            }
            int64_t budget = now + mode->budget_ms * S_MS;
            uint64_t rounds = 0, missed = 0;
            for (int r = 0; r < mode->rounds && hb_mono_ns () < budget; r++) {
                int64_t stages [S_STAGES], total;
                rounds++;
                if (s_round (&venue, stages, &total) == 0) {
                    hb_hist_record (hist [0], total);
                    for (int s = 0; s < S_STAGES; s++)
                        hb_hist_record (stage [s], stages [s] > 0 ? stages [s] : 0);
                }
                else
                    missed++;
            }
            s_bare_drain (bare);
            bare->hist = NULL;
            venue.bare = NULL;
            s_report (mode, &venue, hist, stage, rounds, missed);
            s_thr_t thr;
            if (thr_count > 0) {
                if (s_throughput (&venue, pids, thr_count, &thr) == 0) {
                    printf ("chain throughput ticks=%llu rate=%.0f ticks/s cpu=%.2fus/tick (feed "
                            "(this process) %.2f, hb-aggregator %.2f, hb-risk %.2f, hb-hedger %.2f; "
                            "targets >= 500000 ticks/s: %s, <= 3 us/tick: %s) (flat out, reliable "
                            "sends, until the trigger's order and the aggregator's pos.BTC are in)\n",
                            (unsigned long long) thr.ticks, thr.rate, thr.cpu_total_us, thr.cpu_us [0],
                            thr.cpu_us [1], thr.cpu_us [2], thr.cpu_us [3],
                            thr.rate >= 500000 ? "met" : "NOT met",
                            thr.cpu_total_us <= 3.0 ? "met" : "NOT met");
                    s_figure ("thr", "ticks_per_s", thr.rate);
                    s_figure ("thr", "cpu_us_per_tick", thr.cpu_total_us);
                }
                else
                    rc = 1;
            }
        }
    }
    for (int s = 0; s < S_STAGES; s++)
        hb_hist_destroy (&stage [s]);
    hb_hist_destroy (&hist [0]);
    hb_hist_destroy (&hist [1]);
    hb_sub_destroy (&venue.sub);
    hb_pub_destroy (&venue.venue);
    hb_pub_destroy (&venue.quiet);
    hb_pub_destroy (&venue.dead);
    s_stop (pids, S_PROCS);
    return rc;
}

static int
s_env_int (const char *name, int dflt)
{
    const char *value = getenv (name);
    return value && *value ? atoi (value) : dflt;
}

int
main (int argc, char **argv)
{
    if (argc == 5 && strcmp (argv [1], "relay") == 0)
        return s_relay (argv [2], argv [3], atoi (argv [4]));
    hb_log_init ("hb_chain_bench", HB_LOG_WARN);
    int rounds = s_env_int ("HB_BENCH_COUNT", 1000);
    if (argc > 1)
        rounds = atoi (argv [1]);
    s_mode_t busy = {
        .name = "busy", .cadence_ms = 1, .both_books = false, .trailing = true, .others = false,
        .round_ms = 25, .wait_ms = 1000, .rounds = rounds, .warmup = 20,
        .start_ms = S_START_MS, .budget_ms = 120000 };
    s_mode_t realistic = {
        .name = "realistic", .cadence_ms = 100, .both_books = true, .trailing = false,
        .others = true, .round_ms = 300, .jitter_ms = S_FEED_HB_MS, .wait_ms = 5000,
        .rounds = s_env_int ("HB_BENCH_REAL_ROUNDS", 40), .warmup = 3,
        .start_ms = 30000, .budget_ms = 60000 };
    int thr_count = s_env_int ("HB_BENCH_THR_COUNT", 200000);
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
    if (getenv ("HB_BENCH_FIGURES") && !(s_figures = fopen (getenv ("HB_BENCH_FIGURES"), "w")))
        perror (getenv ("HB_BENCH_FIGURES"));
    zsys_handler_set (NULL);
    zsys_init ();
    s_bare_t bare = { 0 };
    int rc = busy.rounds > 0 ? s_run (&busy, &bare, prog, thr_count > 0 ? (uint64_t) thr_count : 0) : 0;
    if (rc == 0 && realistic.rounds > 0)
        rc = s_run (&realistic, &bare, prog, 0);
    s_bare_stop (&bare);
    if (s_figures)
        fclose (s_figures);
    if (rc == 0 && !s_keep && !getenv ("KEEP")) {
        char command [PATH_MAX + 16];
        snprintf (command, sizeof command, "rm -rf '%s'", s_dir);
        if (system (command) != 0)
            fprintf (stderr, "hb_chain_bench: cannot remove %s\n", s_dir);
    }
    else
        fprintf (stderr, "hb_chain_bench: logs kept in %s\n", s_dir);
    return rc;
}
