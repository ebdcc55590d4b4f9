/*  deribit_bench: Deribit frames parsed and normalized per second, beside
    the bare transport, in one process and one run.

    A session of N frames in Deribit's format (a snapshot per instrument,
    then 80 % book changes on the perpetual with unbroken change_ids, 10 %
    tickers, 10 % trades) is built once, then measured four ways:
      - parse: deribit_msg_parse only (JSON into the message struct);
      - engine: deribit_venue_on_msg, i.e. parse, book update, tick/trade
        normalization and hb_msg_encode of what is published (the host's
        share of the work short of the socket);
      - bare: the same frames through a ZeroMQ PUSH/PULL pair over ipc
        (a sender thread, the receiver here), received and dropped;
      - bare + engine: received the same way and handed to the engine.
    The ratio of the last two to bare tells whether the plugin or the
    transport bounds a feed. Each is run ROUNDS times; the median is shown.
    Figures move by 2x on the shared 2-core machines: read the ratios.   */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>
#include "deribit_msg.h"
#include "deribit_venue.h"
#include "deribit_testing.h"

#define N_FRAMES    100000
#define ROUNDS      3

typedef struct {
    char  **text;
    size_t *len;
    size_t  n;
    size_t  bytes;
} s_frames_t;

static void
s_add (s_frames_t *f, const char *text)
{
    f->len [f->n] = strlen (text);
    f->text [f->n] = strdup (text);
    f->bytes += f->len [f->n];
    f->n++;
}

static uint64_t s_rng = 0x9E3779B97F4A7C15ULL;
static uint64_t
s_rand (void)
{
    s_rng ^= s_rng << 13;
    s_rng ^= s_rng >> 7;
    s_rng ^= s_rng << 17;
    return s_rng;
}

static void
s_build (s_frames_t *f)
{
    f->text = (char **) calloc (N_FRAMES, sizeof (char *));
    f->len = (size_t *) calloc (N_FRAMES, sizeof (size_t));
    char buf [8192];
    size_t len = (size_t) snprintf (buf, sizeof buf, "{\"jsonrpc\":\"2.0\",\"method\":\"subscription\","
        "\"params\":{\"channel\":\"book.BTC-PERPETUAL.100ms\",\"data\":{\"type\":\"snapshot\","
        "\"timestamp\":1700000000000,\"instrument_name\":\"BTC-PERPETUAL\",\"change_id\":1,\"bids\":[");
    for (int i = 0; i < 50; i++)
        len += (size_t) snprintf (buf + len, sizeof buf - len, "%s[\"new\",%.1f,%d]", i ? "," : "",
                                  64999.5 - 0.5 * i, 10 * (i + 1));
    len += (size_t) snprintf (buf + len, sizeof buf - len, "],\"asks\":[");
    for (int i = 0; i < 50; i++)
        len += (size_t) snprintf (buf + len, sizeof buf - len, "%s[\"new\",%.1f,%d]", i ? "," : "",
                                  65000.5 + 0.5 * i, 10 * (i + 1));
    snprintf (buf + len, sizeof buf - len, "]}}}");
    s_add (f, buf);
    s_add (f, "{\"jsonrpc\":\"2.0\",\"method\":\"subscription\",\"params\":{\"channel\":"
              "\"book." DERIBIT_TESTING_OPTION ".100ms\",\"data\":{\"type\":\"snapshot\",\"timestamp\":1,"
              "\"instrument_name\":\"" DERIBIT_TESTING_OPTION "\",\"change_id\":1,"
              "\"bids\":[[\"new\",0.05,2],[\"new\",0.0495,4]],\"asks\":[[\"new\",0.0515,3.5]]}}}");
    long long change_id = 1;
    while (f->n < N_FRAMES) {
        uint64_t r = s_rand () % 10;
        long long ts = 1700000000000LL + (long long) f->n;
        if (r < 8) {
            int bid = (int) (s_rand () % 20), ask = (int) (s_rand () % 20);
            snprintf (buf, sizeof buf, "{\"jsonrpc\":\"2.0\",\"method\":\"subscription\",\"params\":"
                      "{\"channel\":\"book.BTC-PERPETUAL.100ms\",\"data\":{\"type\":\"change\","
                      "\"timestamp\":%lld,\"instrument_name\":\"BTC-PERPETUAL\",\"change_id\":%lld,"
                      "\"prev_change_id\":%lld,\"bids\":[[\"change\",%.1f,%d]],"
                      "\"asks\":[[\"%s\",%.1f,%d]]}}}", ts, change_id + 1, change_id,
                      64999.5 - 0.5 * bid, 10 * (int) (1 + s_rand () % 100),
                      s_rand () % 4 ? "change" : "delete", 65000.5 + 0.5 * ask,
                      10 * (int) (1 + s_rand () % 100));
            change_id++;
        }
        else
        if (r == 8)
            snprintf (buf, sizeof buf, "{\"jsonrpc\":\"2.0\",\"method\":\"subscription\",\"params\":"
                      "{\"channel\":\"ticker." DERIBIT_TESTING_OPTION ".100ms\",\"data\":{\"timestamp\":%lld,"
                      "\"instrument_name\":\"" DERIBIT_TESTING_OPTION "\",\"mark_price\":0.0502,"
                      "\"mark_iv\":55.5,\"index_price\":64000,\"underlying_price\":64400,\"greeks\":"
                      "{\"delta\":0.41,\"gamma\":0.00002,\"vega\":90.5,\"theta\":-35.1,\"rho\":10}}}}", ts);
        else
            snprintf (buf, sizeof buf, "{\"jsonrpc\":\"2.0\",\"method\":\"subscription\",\"params\":"
                      "{\"channel\":\"trades.BTC-PERPETUAL.100ms\",\"data\":[{\"trade_id\":\"%zu\","
                      "\"instrument_name\":\"BTC-PERPETUAL\",\"price\":65000.5,\"amount\":120,"
                      "\"direction\":\"buy\",\"timestamp\":%lld,\"index_price\":64990}]}}", f->n, ts);
        s_add (f, buf);
    }
}

typedef struct {
    deribit_testing_host_t host;
    hb_host_api_t          api;
    deribit_venue_t       *venue;
} s_engine_t;

static int
s_send (void *arg, const char *text, size_t len)
{
    (void) arg; (void) text; (void) len;
    return 0;
}

static void
s_reconnect (void *arg, const char *why)
{
    (void) arg; (void) why;
}

static void
s_engine_start (s_engine_t *e, const hb_config_t *config)
{
    memset (&e->host, 0, sizeof e->host);
    e->api = deribit_testing_api (&e->host, config);
    deribit_link_t link = { s_send, s_reconnect, NULL };
    char err [256];
    e->venue = deribit_venue_new (&e->api, &link, NULL, NULL, err, sizeof err);
    if (!e->venue) {
        fprintf (stderr, "deribit_bench: %s\n", err);
        exit (1);
    }
    deribit_venue_on_open (e->venue);
}

//  The transport: a sender thread pushing every frame, then an empty one.
typedef struct {
    void       *ctx;
    const char *endpoint;
    s_frames_t *frames;
} s_sender_t;

static void *
s_sender (void *arg)
{
    s_sender_t *s = (s_sender_t *) arg;
    void *push = zmq_socket (s->ctx, ZMQ_PUSH);
    zmq_connect (push, s->endpoint);
    for (size_t i = 0; i < s->frames->n; i++)
        zmq_send (push, s->frames->text [i], s->frames->len [i], 0);
    zmq_send (push, "", 0, 0);
    zmq_close (push);
    return NULL;
}

//  Receives one session over ipc; hands each frame to the engine when
//  there is one. Returns frames per second.
static double
s_run_transport (s_frames_t *frames, s_engine_t *engine)
{
    static int run;
    char endpoint [96];
    snprintf (endpoint, sizeof endpoint, "ipc:///tmp/hb-deribit-bench-%d-%d.ipc", (int) getpid (), run++);
    void *ctx = zmq_ctx_new ();
    void *pull = zmq_socket (ctx, ZMQ_PULL);
    if (zmq_bind (pull, endpoint)) {
        fprintf (stderr, "deribit_bench: cannot bind %s\n", endpoint);
        exit (1);
    }
    s_sender_t sender = { ctx, endpoint, frames };
    pthread_t thread;
    pthread_create (&thread, NULL, s_sender, &sender);
    static char buf [65536];
    size_t got = 0;
    int64_t t0 = hb_mono_ns ();
    while (1) {
        int n = zmq_recv (pull, buf, sizeof buf - 1, 0);
        if (n <= 0)
            break;
        got++;
        if (engine)
            deribit_venue_on_msg (engine->venue, buf, (size_t) n);
    }
    double s = (double) (hb_mono_ns () - t0) / 1e9;
    pthread_join (thread, NULL);
    zmq_close (pull);
    zmq_ctx_term (ctx);
    unlink (endpoint + 6);
    if (got != frames->n) {
        fprintf (stderr, "deribit_bench: %zu of %zu frames arrived\n", got, frames->n);
        exit (1);
    }
    return (double) got / s;
}

static double
s_run_parse (s_frames_t *frames)
{
    hb_json_t *parser = hb_json_new (0, 0);
    deribit_msg_t msg = { 0 };
    size_t ok = 0;
    int64_t t0 = hb_mono_ns ();
    for (size_t i = 0; i < frames->n; i++)
        ok += deribit_msg_parse (&msg, parser, frames->text [i], frames->len [i]) != DERIBIT_MSG_MALFORMED;
    double s = (double) (hb_mono_ns () - t0) / 1e9;
    hb_json_destroy (&parser);
    if (ok != frames->n) {
        fprintf (stderr, "deribit_bench: %zu frames did not parse\n", frames->n - ok);
        exit (1);
    }
    return (double) frames->n / s;
}

static double
s_run_engine (s_frames_t *frames, s_engine_t *engine)
{
    int64_t t0 = hb_mono_ns ();
    for (size_t i = 0; i < frames->n; i++)
        deribit_venue_on_msg (engine->venue, frames->text [i], frames->len [i]);
    return (double) frames->n / ((double) (hb_mono_ns () - t0) / 1e9);
}

static int
s_cmp (const void *a, const void *b)
{
    double x = *(const double *) a, y = *(const double *) b;
    return x < y ? -1 : x > y;
}

static double
s_median (double *v)
{
    qsort (v, ROUNDS, sizeof (double), s_cmp);
    return v [ROUNDS / 2];
}

int
main (void)
{
    s_frames_t frames = { 0 };
    s_build (&frames);
    hb_config_t *config = deribit_testing_config ();
    double parse [ROUNDS], engine [ROUNDS], bare [ROUNDS], both [ROUNDS];
    deribit_stats_t stats = { 0 };
    uint64_t published = 0, refused = 0;
    for (int r = 0; r < ROUNDS; r++) {
        parse [r] = s_run_parse (&frames);
        s_engine_t e;
        s_engine_start (&e, config);
        engine [r] = s_run_engine (&frames, &e);
        deribit_venue_stats (e.venue, &stats);
        published = e.host.published;
        refused = e.host.refused;
        deribit_venue_destroy (&e.venue);
        bare [r] = s_run_transport (&frames, NULL);
        s_engine_start (&e, config);
        both [r] = s_run_transport (&frames, &e);
        deribit_venue_destroy (&e.venue);
    }
    if (stats.gaps || stats.malformed || refused || stats.changes == 0) {
        fprintf (stderr, "deribit_bench: the session did not run clean (gaps %llu, malformed %llu, "
                 "refused %llu)\n", (unsigned long long) stats.gaps,
                 (unsigned long long) stats.malformed, (unsigned long long) refused);
        return 1;
    }
    double b = s_median (bare);
    printf ("   %zu Deribit frames (%.0f bytes avg): %llu book changes, %llu ticks and %llu trades "
            "published\n", frames.n, (double) frames.bytes / (double) frames.n,
            (unsigned long long) stats.changes, (unsigned long long) stats.ticks,
            (unsigned long long) stats.trades);
    (void) published;
    printf ("   parse only              %10.0f msg/s\n", s_median (parse));
    printf ("   parse + book + normalize%10.0f msg/s\n", s_median (engine));
    printf ("   bare zmq ipc transport  %10.0f msg/s\n", b);
    printf ("   transport + plugin      %10.0f msg/s  (%.2f of bare)\n", s_median (both),
            s_median (both) / b);
    for (size_t i = 0; i < frames.n; i++)
        free (frames.text [i]);
    free (frames.text);
    free (frames.len);
    hb_config_destroy (&config);
    return 0;
}
