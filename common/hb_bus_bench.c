/*  hb_bus_bench: hedgebus PUB/SUB against bare ZeroMQ, in the same run.

    One publisher process (forked before any ZeroMQ state exists) and one
    subscriber process (this one) go through the same list of runs, each on
    its own ipc endpoint:
    - bare: XPUB -> SUB, two frames (topic + payload of an encoded tick's
      size), zmq_msg_t on both sides, ZMQ_XPUB_NODROP so nothing is lost;
    - hb reliable: hb_pub_send -> hb_sub_recv, real encode and decode;
    - hb latest: hb_pub_send_latest (+ hb_pub_flush) -> hb_sub_recv;
    for a full-depth tick and a top-of-book one, then a paced one-hop
    latency run for bare and hb. Runs are repeated and the median rate is
    reported. Separate processes, because two threads of one process share
    the allocator and the scheduler's view of one task.

    The publisher ends each run with an end marker; the subscriber answers on
    a pipe when it has everything, and only then does the publisher close,
    so linger never decides what arrives.                                    */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hb_hist.h"
#include "hb_log.h"
#include "hb_pub.h"
#include "hb_sub.h"
#include "hb_time.h"

#define ROUNDS          3
#define LAT_COUNT       2000
#define LAT_INTERVAL_NS (HB_NS_PER_SEC / 1000)
#define RECV_TIMEOUT_MS 10000
#define SYMBOLS         4
#define END_TOPIC       "bench.end"

typedef enum { RUN_BARE, RUN_HB, RUN_HB_LATEST } run_kind_t;

typedef struct {
    run_kind_t kind;
    int        depth;           //  book levels per side
    int        count;
    bool       paced;           //  latency run
} run_t;

typedef struct {
    uint64_t received;
    uint64_t conflated;         //  latest mode, as reported by the publisher
    double   rate;              //  msg/s at the subscriber
    bool     ok;
} result_t;

static const char *s_symbols [SYMBOLS] = { "BTC-PERP", "ETH-PERP", "SOL-PERP", "XRP-PERP" };
static char s_dir [64];

static void
s_endpoint (char *out, size_t size, int run)
{
    snprintf (out, size, "ipc://%s/run%d.ipc", s_dir, run);
}

static void
s_tick (hb_msg_t *msg, int depth, int n)
{
    memset (msg, 0, sizeof *msg);
    msg->env.type = HB_MSG_TICK;
    hb_tick_t *tick = &msg->u.tick;
    snprintf (tick->venue, sizeof tick->venue, "alpha");
    snprintf (tick->symbol, sizeof tick->symbol, "%s", s_symbols [n % SYMBOLS]);
    double px = 65000.0 + (n % 1000) * 0.5;
    msg->env.ts_venue = hb_wall_ns ();
    msg->env.ts_recv = msg->env.ts_venue;
    tick->mark = px;
    tick->n_bids = tick->n_asks = (uint8_t) depth;
    for (int i = 0; i < depth; i++) {
        tick->bids [i].px = px - 0.5 * (i + 1);
        tick->bids [i].qty = 0.1 * (i + 1 + n % 7);
        tick->asks [i].px = px + 0.5 * (i + 1);
        tick->asks [i].qty = 0.2 * (i + 1 + n % 5);
    }
}

static size_t
s_tick_size (int depth)
{
    hb_msg_t msg;
    s_tick (&msg, depth, 0);
    snprintf (msg.env.publisher, sizeof msg.env.publisher, "bench");
    msg.env.epoch = 1;
    msg.env.seq = 1;
    msg.env.ts_pub = hb_wall_ns ();
    hb_buf_t buf;
    if (hb_msg_encode (&msg, &buf) != 0)
        return 0;
    return buf.size;
}

static void
s_pace (int64_t *next)
{
    *next += LAT_INTERVAL_NS;
    struct timespec ts = { (time_t) (*next / HB_NS_PER_SEC), (long) (*next % HB_NS_PER_SEC) };
    while (clock_nanosleep (CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
        ;
}

//  ---------------------------------------------------------------------------
//  Publisher side (child process)

static int
s_publish_bare (const char *endpoint, const run_t *run, int ack_fd)
{
    void *ctx = zmq_ctx_new ();
    void *sock = zmq_socket (ctx, ZMQ_XPUB);
    int one = 1, linger = 200;
    zmq_setsockopt (sock, ZMQ_XPUB_NODROP, &one, sizeof one);
    zmq_setsockopt (sock, ZMQ_LINGER, &linger, sizeof linger);
    if (zmq_bind (sock, endpoint) != 0)
        return -1;
    //  Both subscriptions ("tick.", "bench.") before the first message
    char sub [64];
    for (int i = 0; i < 2; i++)
        if (zmq_recv (sock, sub, sizeof sub, 0) < 0)
            return -1;

    size_t size = s_tick_size (run->depth);
    uint8_t payload [HB_MSG_MAX_SIZE];
    memset (payload, 0x5a, sizeof payload);
    char topics [SYMBOLS][HB_TOPIC_MAX];
    for (int s = 0; s < SYMBOLS; s++)
        snprintf (topics [s], sizeof topics [s], "tick.alpha.%s", s_symbols [s]);
    int64_t next = hb_mono_ns ();
    for (int n = 0; n < run->count; n++) {
        if (run->paced)
            s_pace (&next);
        int64_t now = hb_wall_ns ();
        memcpy (payload, &now, sizeof now);
        const char *topic = topics [n % SYMBOLS];
        zmq_msg_t frame;
        zmq_msg_init_size (&frame, strlen (topic));
        memcpy (zmq_msg_data (&frame), topic, strlen (topic));
        zmq_msg_send (&frame, sock, ZMQ_SNDMORE);
        zmq_msg_init_size (&frame, size);
        memcpy (zmq_msg_data (&frame), payload, size);
        zmq_msg_send (&frame, sock, 0);
    }
    zmq_send (sock, END_TOPIC, strlen (END_TOPIC), ZMQ_SNDMORE);
    zmq_send (sock, "", 0, 0);
    char byte;
    if (read (ack_fd, &byte, 1) != 1)
        return -1;
    zmq_close (sock);
    zmq_ctx_term (ctx);
    return 0;
}

static int
s_publish_hb (const char *endpoint, const run_t *run, int ack_fd)
{
    hb_pub_t *pub = hb_pub_new (endpoint, "bench", 0);
    if (!pub
    ||  hb_pub_wait_subscriber (pub, "tick.alpha.BTC-PERP", RECV_TIMEOUT_MS) != 0
    ||  hb_pub_wait_subscriber (pub, "hb.bench", RECV_TIMEOUT_MS) != 0) {
        hb_pub_destroy (&pub);
        return -1;
    }
    hb_msg_t msg;
    int64_t next = hb_mono_ns ();
    int failures = 0;
    for (int n = 0; n < run->count; n++) {
        if (run->paced)
            s_pace (&next);
        s_tick (&msg, run->depth, n);
        int rc = run->kind == RUN_HB_LATEST ? hb_pub_send_latest (pub, NULL, &msg)
                                            : hb_pub_send (pub, NULL, &msg);
        if (rc != 0)
            failures++;
    }
    while (hb_pub_flush (pub) > 0)
        usleep (50);
    hb_pub_stats_t stats;
    hb_pub_stats (pub, &stats);
    //  The end marker carries the publisher's own counts.
    memset (&msg, 0, sizeof msg);
    msg.env.type = HB_MSG_HEARTBEAT;
    snprintf (msg.u.heartbeat.component, sizeof msg.u.heartbeat.component, "bench");
    msg.u.heartbeat.msgs_out = stats.sent;
    msg.u.heartbeat.drops = stats.conflated;
    msg.u.heartbeat.status = (uint32_t) failures;
    hb_pub_send (pub, NULL, &msg);
    char byte;
    int rc = read (ack_fd, &byte, 1) == 1 ? 0 : -1;
    hb_pub_destroy (&pub);
    return rc;
}

//  ---------------------------------------------------------------------------
//  Subscriber side (this process)

static result_t
s_receive_bare (const char *endpoint, const run_t *run, hb_hist_t *hist)
{
    result_t result = { 0 };
    zsock_t *sock = zsock_new (ZMQ_SUB);
    void *handle = zsock_resolve (sock);
    zsock_set_rcvhwm (sock, 10000);
    zsock_set_subscribe (sock, "tick.");
    zsock_set_subscribe (sock, "bench.");
    zsock_set_rcvtimeo (sock, RECV_TIMEOUT_MS);
    zsock_connect (sock, "%s", endpoint);
    zmq_msg_t topic, payload;
    zmq_msg_init (&topic);
    zmq_msg_init (&payload);
    int64_t first = 0, last = 0;
    while (true) {
        if (zmq_msg_recv (&topic, handle, 0) == -1
        ||  zmq_msg_recv (&payload, handle, 0) == -1)
            break;
        if (zmq_msg_size (&topic) == strlen (END_TOPIC)
        &&  memcmp (zmq_msg_data (&topic), END_TOPIC, strlen (END_TOPIC)) == 0) {
            result.ok = result.received == (uint64_t) run->count;
            break;
        }
        last = hb_mono_ns ();
        if (result.received++ == 0)
            first = last;
        if (hist && zmq_msg_size (&payload) >= sizeof (int64_t)) {
            int64_t sent;
            memcpy (&sent, zmq_msg_data (&payload), sizeof sent);
            hb_hist_record (hist, hb_wall_ns () - sent);
        }
    }
    zmq_msg_close (&topic);
    zmq_msg_close (&payload);
    zsock_destroy (&sock);
    if (last > first)
        result.rate = (double) (result.received - 1) * HB_NS_PER_SEC / (double) (last - first);
    return result;
}

static result_t
s_receive_hb (const char *endpoint, const run_t *run, hb_hist_t *hist)
{
    result_t result = { 0 };
    hb_sub_t *sub = hb_sub_new (0);
    hb_sub_connect (sub, endpoint);
    hb_sub_subscribe (sub, "tick.");
    hb_sub_subscribe (sub, "hb.");
    hb_msg_t msg;
    int64_t first = 0, last = 0;
    while (hb_sub_recv (sub, NULL, 0, &msg, NULL, RECV_TIMEOUT_MS) == 0) {
        if (msg.env.type == HB_MSG_HEARTBEAT) {
            hb_sub_stats_t stats;
            hb_sub_stats (sub, &stats);
            result.conflated = msg.u.heartbeat.drops;
            //  Reliable: everything. Latest: everything that was sent, and
            //  sent + conflated = offered.
            result.ok = stats.gaps == 0 && stats.decode_errors == 0
                     && msg.u.heartbeat.status == 0
                     && result.received == msg.u.heartbeat.msgs_out
                     && result.received + result.conflated == (uint64_t) run->count;
            break;
        }
        last = hb_mono_ns ();
        if (result.received++ == 0)
            first = last;
        if (hist)
            hb_hist_record (hist, hb_wall_ns () - msg.env.ts_pub);
    }
    hb_sub_destroy (&sub);
    if (last > first)
        result.rate = (double) (result.received - 1) * HB_NS_PER_SEC / (double) (last - first);
    return result;
}

static int
s_compare (const void *a, const void *b)
{
    double x = *(const double *) a, y = *(const double *) b;
    return x < y ? -1 : x > y;
}

int
main (void)
{
    hb_log_init ("hb_bus_bench", HB_LOG_WARN);
    int count = 200000;
    if (getenv ("HB_BENCH_COUNT"))
        count = atoi (getenv ("HB_BENCH_COUNT"));
    snprintf (s_dir, sizeof s_dir, "/tmp/hb_bus_bench.XXXXXX");
    if (!mkdtemp (s_dir)) {
        perror ("mkdtemp");
        return 1;
    }

    //  The plan, the same in both processes
    run_t runs [ROUNDS * 6 + 2];
    int n_runs = 0;
    for (int round = 0; round < ROUNDS; round++)
        for (int d = 0; d < 2; d++) {
            int depth = d == 0 ? HB_BOOK_DEPTH : 1;
            runs [n_runs++] = (run_t) { RUN_BARE, depth, count, false };
            runs [n_runs++] = (run_t) { RUN_HB, depth, count, false };
            runs [n_runs++] = (run_t) { RUN_HB_LATEST, depth, count, false };
        }
    int lat_first = n_runs;
    runs [n_runs++] = (run_t) { RUN_BARE, HB_BOOK_DEPTH, LAT_COUNT, true };
    runs [n_runs++] = (run_t) { RUN_HB, HB_BOOK_DEPTH, LAT_COUNT, true };

    int ack [2];
    if (pipe (ack) != 0) {
        perror ("pipe");
        return 1;
    }
    //  Fork before any ZeroMQ context exists: a context does not survive
    //  a fork.
    pid_t child = fork ();
    if (child < 0) {
        perror ("fork");
        return 1;
    }
    if (child == 0) {
        close (ack [1]);
        hb_log_init ("hb_bus_bench.pub", HB_LOG_WARN);
        for (int r = 0; r < n_runs; r++) {
            char endpoint [128];
            s_endpoint (endpoint, sizeof endpoint, r);
            int rc = runs [r].kind == RUN_BARE ? s_publish_bare (endpoint, &runs [r], ack [0])
                                               : s_publish_hb (endpoint, &runs [r], ack [0]);
            if (rc != 0) {
                fprintf (stderr, "bench publisher: run %d failed\n", r);
                _exit (1);
            }
        }
        _exit (0);
    }
    close (ack [0]);

    double rates [3][2][ROUNDS];        //  kind, depth index, round
    uint64_t conflated [2] = { 0, 0 };
    hb_hist_t *hist [2] = { hb_hist_new (), hb_hist_new () };
    bool ok = true;
    for (int r = 0; r < n_runs && ok; r++) {
        char endpoint [128];
        s_endpoint (endpoint, sizeof endpoint, r);
        const run_t *run = &runs [r];
        hb_hist_t *h = run->paced ? hist [run->kind == RUN_BARE ? 0 : 1] : NULL;
        result_t result = run->kind == RUN_BARE ? s_receive_bare (endpoint, run, h)
                                                : s_receive_hb (endpoint, run, h);
        if (!result.ok) {
            fprintf (stderr, "bench run %d (kind %d, depth %d): received %llu of %d, conflated %llu\n",
                     r, run->kind, run->depth, (unsigned long long) result.received,
                     run->count, (unsigned long long) result.conflated);
            ok = false;
            break;
        }
        if (write (ack [1], "k", 1) != 1)
            ok = false;
        if (r < lat_first) {
            int d = run->depth == HB_BOOK_DEPTH ? 0 : 1;
            rates [run->kind][d][r / 6] = result.rate;
            if (run->kind == RUN_HB_LATEST)
                conflated [d] += result.conflated;
        }
    }
    int status = 0;
    if (!ok)
        kill (child, SIGTERM);
    waitpid (child, &status, 0);
    ok = ok && WIFEXITED (status) && WEXITSTATUS (status) == 0;

    if (ok) {
        for (int d = 0; d < 2; d++) {
            int depth = d == 0 ? HB_BOOK_DEPTH : 1;
            size_t size = s_tick_size (depth);
            double median [3];
            for (int k = 0; k < 3; k++) {
                qsort (rates [k][d], ROUNDS, sizeof (double), s_compare);
                median [k] = rates [k][d][ROUNDS / 2];
            }
            printf ("bus bare_pubsub size=%zuB rate=%.0f msg/s (topic 19B, depth %d)\n",
                    size, median [RUN_BARE], depth);
            printf ("bus hb_pubsub size=%zuB rate=%.0f msg/s ratio=%.2f vs bare (reliable, encode+decode, depth %d)\n",
                    size, median [RUN_HB], median [RUN_HB] / median [RUN_BARE], depth);
            printf ("bus hb_pubsub_latest size=%zuB rate=%.0f msg/s ratio=%.2f vs bare "
                    "(conflated %llu of %d offered, depth %d)\n",
                    size, median [RUN_HB_LATEST], median [RUN_HB_LATEST] / median [RUN_BARE],
                    (unsigned long long) conflated [d], ROUNDS * count, depth);
        }
        size_t size = s_tick_size (HB_BOOK_DEPTH);
        const char *names [2] = { "bare", "hb" };
        for (int k = 0; k < 2; k++)
            printf ("bus latency %s size=%zuB n=%llu at 1kHz p50=%.1fus p99=%.1fus p99.9=%.1fus\n",
                    names [k], size, (unsigned long long) hb_hist_count (hist [k]),
                    hb_hist_percentile (hist [k], 0.50) / 1e3,
                    hb_hist_percentile (hist [k], 0.99) / 1e3,
                    hb_hist_percentile (hist [k], 0.999) / 1e3);
    }
    hb_hist_destroy (&hist [0]);
    hb_hist_destroy (&hist [1]);
    //  The socket files of the runs
    for (int r = 0; r < n_runs; r++) {
        char endpoint [128];
        s_endpoint (endpoint, sizeof endpoint, r);
        unlink (endpoint + 6);
    }
    rmdir (s_dir);
    return ok ? 0 : 1;
}
