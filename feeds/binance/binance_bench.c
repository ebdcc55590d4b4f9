/*  binance_bench: stream messages per second the Binance plugin parses and
    normalizes in one process, beside the bare rates of what lies under it.

    Input: 200,000 combined-stream messages in Binance's format, prepared
    before timing: 80 % depth diffs (3 bid and 3 ask levels, continuous
    update ids), 10 % book tickers, 10 % trades, on two instruments.
      plugin  binance_on_message: JSON parse, sequence checks, book update,
              top-10 export, normalization, and the host's encode of every
              tick and trade (a fake host: no bus, no socket);
      json    hb_json_parse alone on the same messages: the parse floor;
      bus     bare ZeroMQ PUB -> SUB over inproc in this process, two
              frames of an encoded full-depth tick's size: the transport
              every normalized message then goes through (as in
              hb_bus_bench, bare: no encode, no decode).
    Each run is repeated 3 times; the median is printed.                  */
#include "binance_fake_host.h"

#include <czmq.h>
#include <time.h>

#define N_MSGS  200000
#define ROUNDS  3

static int64_t
s_ns (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static char **
s_messages (void)
{
    char **msgs = (char **) calloc (N_MSGS, sizeof (char *));
    uint64_t x = 88172645463325252ull;
    int64_t u [2] = { 100, 100 };
    for (int i = 0; i < N_MSGS; i++) {
        x ^= x << 13; x ^= x >> 7; x ^= x << 17;
        int s = (int) (x & 1);
        const char *sym = s ? "ETHUSDT" : "BTCUSDT";
        const char *stream = s ? "ethusdt" : "btcusdt";
        double mid = s ? 3400 : 65000;
        char buf [512];
        int kind = (int) ((x >> 8) % 10);
        double d = (double) ((x >> 16) % 100) * 0.01;
        if (kind < 8) {
            int64_t first = u [s] + 1;
            u [s] += 1 + (int64_t) ((x >> 24) % 3);
            snprintf (buf, sizeof buf,
                      "{\"stream\":\"%s@depth@100ms\",\"data\":{\"e\":\"depthUpdate\",\"E\":1700000000000,"
                      "\"s\":\"%s\",\"U\":%lld,\"u\":%lld,\"b\":[[\"%.2f\",\"%.4f\"],[\"%.2f\",\"%.4f\"],"
                      "[\"%.2f\",\"0.0000\"]],\"a\":[[\"%.2f\",\"%.4f\"],[\"%.2f\",\"%.4f\"],[\"%.2f\",\"0.0000\"]]}}",
                      stream, sym, (long long) first, (long long) u [s], mid - 1 - d, 1 + d, mid - 2 - d, 2 + d,
                      mid - 3 - d, mid + 1 + d, 1 + d, mid + 2 + d, 2 + d, mid + 3 + d);
        }
        else
        if (kind == 8)
            snprintf (buf, sizeof buf,
                      "{\"stream\":\"%s@bookTicker\",\"data\":{\"u\":%lld,\"s\":\"%s\",\"b\":\"%.2f\","
                      "\"B\":\"1.5\",\"a\":\"%.2f\",\"A\":\"2.5\"}}",
                      stream, (long long) u [s], sym, mid - 0.5, mid + 0.5);
        else
            snprintf (buf, sizeof buf,
                      "{\"stream\":\"%s@trade\",\"data\":{\"e\":\"trade\",\"E\":1700000000000,\"s\":\"%s\","
                      "\"t\":%d,\"p\":\"%.2f\",\"q\":\"0.0100\",\"T\":1700000000000,\"m\":%s,\"M\":true}}",
                      stream, sym, i, mid + d, (x >> 40) & 1 ? "true" : "false");
        msgs [i] = strdup (buf);
    }
    return msgs;
}

static const char s_snapshot [] = "{\"lastUpdateId\":100,\"bids\":[],\"asks\":[]}";

static void
s_snapshot_now (void *arg, binance_inst_t *inst)
{
    inst->snapshot_inflight = true;
    binance_depth_snapshot ((binance_t *) arg, inst, 200, s_snapshot, sizeof s_snapshot - 1);
}

static double
s_median (double *v)
{
    for (int i = 0; i < ROUNDS; i++)
        for (int j = i + 1; j < ROUNDS; j++)
            if (v [j] < v [i]) {
                double t = v [i]; v [i] = v [j]; v [j] = t;
            }
    return v [ROUNDS / 2];
}

static double
s_run_plugin (char **msgs, uint64_t *published, uint64_t *gaps)
{
    binance_fake_t *fake = binance_fake_new ("spot");
    binance_t *self = binance_new (&fake->api);
    if (!self)
        exit (1);
    self->snapshot_fn = s_snapshot_now;
    binance_depth_reset_all (self, "bench");
    int64_t t0 = s_ns ();
    for (int i = 0; i < N_MSGS; i++)
        binance_on_message (self, msgs [i], strlen (msgs [i]));
    int64_t t1 = s_ns ();
    *published = fake->published;
    *gaps = self->stats.gaps + self->stats.malformed + fake->refused;
    binance_destroy (&self);
    binance_fake_destroy (&fake);
    return N_MSGS / ((double) (t1 - t0) / 1e9);
}

static double
s_run_json (char **msgs)
{
    hb_json_t *json = hb_json_new (64 * 1024, 0);
    int64_t t0 = s_ns ();
    for (int i = 0; i < N_MSGS; i++)
        if (!hb_json_parse (json, msgs [i], strlen (msgs [i]), NULL, 0))
            exit (1);
    int64_t t1 = s_ns ();
    hb_json_destroy (&json);
    return N_MSGS / ((double) (t1 - t0) / 1e9);
}

static double
s_run_bus (size_t size)
{
    zsock_t *pub = zsock_new (ZMQ_PUB), *sub = zsock_new (ZMQ_SUB);
    zsock_set_sndhwm (pub, 0);
    zsock_set_rcvhwm (sub, 0);
    zsock_bind (pub, "inproc://binance-bench");
    zsock_connect (sub, "inproc://binance-bench");
    zsock_set_subscribe (sub, "");
    //  wait for the subscription: send probes until one arrives
    zsock_set_rcvtimeo (sub, 10);
    for (;;) {
        zstr_send (pub, "probe");
        char *probe = zstr_recv (sub);
        if (probe) {
            zstr_free (&probe);
            break;
        }
    }
    zsock_set_rcvtimeo (sub, -1);
    char topic [] = "tick.bnc.BTC-USD";
    char *payload = (char *) calloc (1, size);
    int64_t t0 = s_ns ();
    void *p = zsock_resolve (pub), *s = zsock_resolve (sub);
    char buf [4096];
    for (int i = 0; i < N_MSGS; i++) {
        zmq_send (p, topic, sizeof topic - 1, ZMQ_SNDMORE);
        zmq_send (p, payload, size, 0);
        //  drain what is there so the inproc pipe stays short
        while (zmq_recv (s, buf, sizeof buf, ZMQ_DONTWAIT) >= 0)
            ;
    }
    int64_t t1 = s_ns ();
    free (payload);
    zsock_destroy (&sub);
    zsock_destroy (&pub);
    return N_MSGS / ((double) (t1 - t0) / 1e9);
}

int
main (void)
{
    char **msgs = s_messages ();
    //  Size of an encoded full-depth tick, for the bare bus run
    hb_msg_t tick;
    memset (&tick, 0, sizeof tick);
    tick.env.type = HB_MSG_TICK;
    snprintf (tick.env.publisher, HB_NAME_MAX, "feed.bnc");
    snprintf (tick.u.tick.venue, HB_NAME_MAX, "bnc");
    snprintf (tick.u.tick.symbol, HB_NAME_MAX, "BTC-USD");
    tick.u.tick.n_bids = tick.u.tick.n_asks = HB_BOOK_DEPTH;
    for (int i = 0; i < HB_BOOK_DEPTH; i++) {
        tick.u.tick.bids [i] = (hb_level_t) { 65000.0 - i, 1.25 };
        tick.u.tick.asks [i] = (hb_level_t) { 65001.0 + i, 1.25 };
    }
    hb_buf_t buf;
    if (hb_msg_encode (&tick, &buf))
        return 1;
    double plugin [ROUNDS], json [ROUNDS], bus [ROUNDS];
    uint64_t published = 0, bad = 0;
    for (int r = 0; r < ROUNDS; r++) {
        plugin [r] = s_run_plugin (msgs, &published, &bad);
        json [r] = s_run_json (msgs);
        bus [r] = s_run_bus (buf.size);
    }
    printf ("binance_bench: %d messages (80%% depth diffs, 10%% book tickers, 10%% trades), median of %d\n",
            N_MSGS, ROUNDS);
    printf ("  plugin parse+normalize+encode  %10.0f msg/s   (%llu published, %llu gaps/malformed/refused)\n",
            s_median (plugin), (unsigned long long) published, (unsigned long long) bad);
    printf ("  bare JSON parse (jansson)      %10.0f msg/s\n", s_median (json));
    printf ("  bare ZeroMQ PUB/SUB inproc     %10.0f msg/s   (%zu-byte payload: an encoded 10-level tick)\n",
            s_median (bus), buf.size);
    for (int i = 0; i < N_MSGS; i++)
        free (msgs [i]);
    free (msgs);
    return bad ? 1 : 0;
}
