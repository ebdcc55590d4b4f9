/*  hb_risk_live against a fake aggregator: a raw XPUB on the aggregator's
    endpoint (so the test sets epoch and seq itself) and a ROUTER on its
    snapshot endpoint; a venue publisher keeps X quoted. Checked, in order:
    - the snapshot asked at start is applied: positions known, hedges flow;
    - an in-order update asks nothing;
    - a gap on pos.X: positions unknown (no_positions, no risk.hedge), a
      new snapshot request, known again once it is answered;
    - an aggregator restart (newer epoch): the same.
    hb_risk_snapshot_done (forgetting an older epoch's state) is checked
    on the engine below.
    test_pending_and_clock, with a raw venue publisher (the test stamps
    ts_pub): a fill whose position state the aggregator does not publish
    (frozen) makes the positions pending (flag on risk.exposure, heartbeat
    status bit 2, no risk.hedge), never "the latest"; the late state is
    applied as it comes; ticks stamped 120 s and 80 years ahead, and 40 s
    behind, leave risk publishing, the last counted as quarantined.
    Waits are bounded (20 s) but no test asserts a duration.              */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hb_config.h"
#include "hb_metrics.h"
#include "hb_pub.h"
#include "hb_risk.h"
#include "hb_risk_live.h"
#include "hb_sub.h"
#include "hb_time.h"

#define S_WAIT_MS   20000

static char s_dir [64];
static char s_plugin [128];
static char s_path [128];

typedef struct {
    hb_config_t    *cfg;
    hb_risk_live_t *live;
    pthread_t       thread;
    zsock_t        *agg;            //  XPUB: pos.*, margin.*
    zsock_t        *router;         //  snapshot requests
    hb_pub_t       *venue;          //  ticks of X
    hb_sub_t       *tap;            //  risk.*
    zframe_t       *asker;          //  identity of the last request
    int             requests;
    //  the last risk messages seen
    bool            known;
    double          x_usd;
    int             hedges;         //  risk.hedge seen in the current window
} s_ctx_t;

static void *
s_run (void *arg)
{
    hb_risk_live_run ((hb_risk_live_t *) arg);
    return NULL;
}

static void
s_env (hb_msg_t *msg, hb_msg_type_t type, uint64_t epoch, uint64_t seq)
{
    memset (msg, 0, sizeof *msg);
    msg->env.type = type;
    strcpy (msg->env.publisher, "aggregator");
    msg->env.epoch = epoch;
    msg->env.seq = seq;
    msg->env.ts_pub = hb_wall_ns ();
}

//  The aggregator's position of qty X-USD on alpha (pos.X.alpha.X-USD):
//  (topic, payload) frames added to out (a snapshot reply) or published
//  when out is NULL
static void
s_position (s_ctx_t *ctx, zmsg_t *out, double qty, uint64_t epoch, uint64_t seq)
{
    hb_msg_t msg;
    s_env (&msg, HB_MSG_POSITION, epoch, seq);
    hb_position_t *pos = &msg.u.position;
    strcpy (pos->venue, "alpha");
    strcpy (pos->symbol, "X-USD");
    strcpy (pos->asset, "X");
    pos->kind = HB_KIND_SPOT;
    pos->qty = qty;
    pos->entry_px = pos->mark_px = 100;
    pos->exposure_usd = qty * 100;
    strcpy (pos->settle, "USD");
    hb_buf_t buf;
    assert_int_equal (hb_msg_encode (&msg, &buf), 0);
    const char *topic = "pos.X.alpha.X-USD";
    if (out) {
        zmsg_addstr (out, topic);
        zmsg_addmem (out, buf.data, buf.size);
    }
    else {
        zmsg_t *m = zmsg_new ();
        zmsg_addstr (m, topic);
        zmsg_addmem (m, buf.data, buf.size);
        assert_int_equal (zmsg_send (&m, ctx->agg), 0);
    }
}

//  Waits for a snapshot request (returns 0) or S_WAIT_MS (-1)
static int
s_wait_request (s_ctx_t *ctx, int timeout_ms)
{
    zpoller_t *poller = zpoller_new (ctx->router, NULL);
    void *which = zpoller_wait (poller, timeout_ms);
    zpoller_destroy (&poller);
    if (!which)
        return -1;
    zmsg_t *request = zmsg_recv (ctx->router);
    zframe_destroy (&ctx->asker);
    ctx->asker = zmsg_pop (request);
    zmsg_destroy (&request);
    ctx->requests++;
    return 0;
}

//  Answers the last request: qty X-USD
static void
s_answer (s_ctx_t *ctx, uint64_t epoch, double qty, uint64_t seq)
{
    zmsg_t *reply = zmsg_new ();
    zmsg_append (reply, &ctx->asker);
    zmsg_addmem (reply, NULL, 0);
    s_position (ctx, reply, qty, epoch, seq);
    hb_msg_t end;
    s_env (&end, HB_MSG_SNAPSHOT_END, epoch, 0);
    end.u.snapshot_end.count = 1;
    hb_buf_t buf;
    assert_int_equal (hb_msg_encode (&end, &buf), 0);
    zmsg_addstr (reply, "snapshot.end");
    zmsg_addmem (reply, buf.data, buf.size);
    assert_int_equal (zmsg_send (&reply, ctx->router), 0);
}

//  Keeps X quoted and reads risk.* until a risk.exposure satisfies
//  known == want_known (and, when want_x is not NAN, X's exposure is
//  want_x within 2 %); counts the hedge requests seen on the way. -1 on
//  timeout.
static int
s_pump_until (s_ctx_t *ctx, bool want_known, double want_x)
{
    int64_t deadline = hb_mono_ns () + (int64_t) S_WAIT_MS * 1000000;
    ctx->hedges = 0;
    while (hb_mono_ns () < deadline) {
        hb_msg_t tick;
        memset (&tick, 0, sizeof tick);
        tick.env.type = HB_MSG_TICK;
        strcpy (tick.u.tick.venue, "alpha");
        strcpy (tick.u.tick.symbol, "X-USD");
        tick.u.tick.n_bids = tick.u.tick.n_asks = 1;
        tick.u.tick.bids [0] = (hb_level_t) { 99.9 + (rand () % 10) * 0.01, 1 };
        tick.u.tick.asks [0] = (hb_level_t) { 100.1 + (rand () % 10) * 0.01, 1 };
        hb_pub_send (ctx->venue, NULL, &tick);
        char topic [HB_TOPIC_MAX];
        hb_msg_t msg;
        while (hb_sub_recv (ctx->tap, topic, sizeof topic, &msg, NULL, 10) == 0) {
            if (msg.env.type == HB_MSG_RISK_HEDGE)
                ctx->hedges++;
            if (msg.env.type != HB_MSG_RISK_EXPOSURE)
                continue;
            const hb_risk_exposure_t *x = &msg.u.risk_exposure;
            ctx->known = !(x->flags & HB_RISK_NO_POSITIONS);
            ctx->x_usd = x->assets [0].delta1_usd;
            if (ctx->known == want_known && (isnan (want_x) || fabs (ctx->x_usd - want_x) < 0.02 * want_x))
                return 0;
        }
    }
    return -1;
}

static int
s_setup (void **state)
{
    (void) state;
    snprintf (s_dir, sizeof s_dir, "/tmp/hb_risk_live_test.XXXXXX");
    if (!mkdtemp (s_dir))
        return -1;
    snprintf (s_plugin, sizeof s_plugin, "%s/hb_venue_fake.so", s_dir);
    snprintf (s_path, sizeof s_path, "%s/live.yaml", s_dir);
    char run [96];
    snprintf (run, sizeof run, "%s/run", s_dir);
    if (mkdir (run, 0700) != 0)
        return -1;
    FILE *f = fopen (s_plugin, "w");
    if (!f)
        return -1;
    fclose (f);
    f = fopen (s_path, "w");
    if (!f)
        return -1;
    fprintf (f,
        "hedgebus: 1\n"
        "deployment: risk-live-test\n"
        "run_dir: %s/run\n"
        "log_level: error\n"
        "assets: { X: { price: 100, vol: 0.5 }, Y: { price: 10, vol: 0.5 } }\n"
        "venues:\n"
        "  alpha:\n"
        "    plugin: %s\n"
        "    instruments:\n"
        "      - { symbol: X-USD, asset: X, kind: spot, tick: 0.01, lot: 0.01 }\n"
        "      - { symbol: Y-USD, asset: Y, kind: spot, tick: 0.01, lot: 0.01 }\n"
        "components:\n"
        "  aggregator: {}\n"
        "  risk: { sample_ms: 20, publish_ms: 20, min_samples: 2, band: 100 }\n",
        s_dir, s_plugin);
    fclose (f);
    return 0;
}

static int
s_teardown (void **state)
{
    (void) state;
    char cmd [160];
    snprintf (cmd, sizeof cmd, "rm -rf '%s'", s_dir);
    return system (cmd) == 0 ? 0 : -1;
}

static void
test_resnapshot (void **state)
{
    (void) state;
    s_ctx_t ctx;
    memset (&ctx, 0, sizeof ctx);
    char errors [2048] = "";
    ctx.cfg = hb_config_load_quiet (s_path, errors, sizeof errors);
    if (!ctx.cfg)
        fail_msg ("%s", errors);
    ctx.agg = zsock_new (ZMQ_XPUB);
    ctx.router = zsock_new (ZMQ_ROUTER);
    assert_true (zsock_bind (ctx.agg, "%s", ctx.cfg->aggregator.endpoint) == 0);
    assert_true (zsock_bind (ctx.router, "%s", ctx.cfg->aggregator.snapshot_endpoint) == 0);
    zsock_set_rcvtimeo (ctx.agg, S_WAIT_MS);
    ctx.venue = hb_pub_new (ctx.cfg->venues [0].endpoint, "feed.alpha", 0);
    assert_non_null (ctx.venue);
    ctx.live = hb_risk_live_new (ctx.cfg);
    assert_non_null (ctx.live);
    ctx.tap = hb_sub_new (0);
    assert_int_equal (hb_sub_connect (ctx.tap, ctx.cfg->risk.endpoint), 0);
    assert_int_equal (hb_sub_subscribe (ctx.tap, "risk."), 0);
    assert_int_equal (pthread_create (&ctx.thread, NULL, s_run, ctx.live), 0);
    //  risk's subscriptions to pos. and margin. have arrived
    for (int subs = 0; subs < 2; ) {
        zframe_t *sub = zframe_recv (ctx.agg);
        assert_non_null (sub);
        subs += zframe_size (sub) > 0 && zframe_data (sub) [0] == 1;
        zframe_destroy (&sub);
    }
    assert_int_equal (hb_pub_wait_subscriber (ctx.venue, "tick.alpha.X-USD", S_WAIT_MS), 0);

    //  1. the request at start, answered from epoch E1: known, 10 X at
    //  about 100 (over its band of 100 USD: hedge requests flow)
    const uint64_t e1 = (uint64_t) hb_wall_ns (), e2 = e1 + 1000000000ULL;
    assert_int_equal (s_wait_request (&ctx, S_WAIT_MS), 0);
    s_answer (&ctx, e1, 10, 1);
    assert_int_equal (s_pump_until (&ctx, true, 1000), 0);
    do
        assert_int_equal (s_pump_until (&ctx, true, NAN), 0);
    while (ctx.hedges == 0);

    //  2. in order (seq 2): nothing asked
    s_position (&ctx, NULL, 10, e1, 2);
    for (int k = 0; k < 5; k++)
        assert_int_equal (s_pump_until (&ctx, true, NAN), 0);
    assert_int_equal (s_wait_request (&ctx, 200), -1);
    assert_int_equal (ctx.requests, 1);

    //  3. a gap (seq 5 after 2): unknown at once, a request; no hedge
    //  while unknown, over several exposures; known once answered
    s_position (&ctx, NULL, 10, e1, 5);
    assert_int_equal (s_pump_until (&ctx, false, NAN), 0);
    assert_int_equal (s_wait_request (&ctx, S_WAIT_MS), 0);
    for (int k = 0; k < 5; k++) {
        assert_int_equal (s_pump_until (&ctx, false, NAN), 0);
        assert_int_equal (ctx.hedges, 0);
    }
    s_answer (&ctx, e1, 10, 5);
    assert_int_equal (s_pump_until (&ctx, true, 1000), 0);
    assert_int_equal (ctx.requests, 2);

    //  4. the aggregator restarted (epoch E2, seq 1): the same
    s_position (&ctx, NULL, 10, e2, 1);
    assert_int_equal (s_pump_until (&ctx, false, NAN), 0);
    assert_int_equal (s_wait_request (&ctx, S_WAIT_MS), 0);
    for (int k = 0; k < 5; k++) {
        assert_int_equal (s_pump_until (&ctx, false, NAN), 0);
        assert_int_equal (ctx.hedges, 0);
    }
    s_answer (&ctx, e2, 10, 1);
    assert_int_equal (s_pump_until (&ctx, true, 1000), 0);
    assert_int_equal (ctx.requests, 3);
    //  and hedging resumes
    do
        assert_int_equal (s_pump_until (&ctx, true, NAN), 0);
    while (ctx.hedges == 0);

    hb_risk_live_stop (ctx.live);
    pthread_join (ctx.thread, NULL);
    //  the hedge requests were observed as decisions, and the bus counted
    //  what risk published
    assert_true (hb_metric_count (hb_metrics_decision_latency ("risk")) > 0);
    assert_true (hb_metric_count (hb_metrics_counter (hb_metrics_process (), "hb_bus_messages_sent_total",
                                                      "", "family", "risk")) > 0);
    hb_risk_live_destroy (&ctx.live);
    hb_sub_destroy (&ctx.tap);
    hb_pub_destroy (&ctx.venue);
    zframe_destroy (&ctx.asker);
    zsock_destroy (&ctx.router);
    zsock_destroy (&ctx.agg);
    hb_config_destroy (&ctx.cfg);
}

//  ---------------------------------------------------------------------------
//  Positions pending, and ticks off the clock, with a raw venue publisher

typedef struct {
    zsock_t  *sock;                 //  XPUB on alpha's endpoint
    uint64_t  epoch;
    uint64_t  tick_seq, fill_seq, hb_seq;
} s_venue_t;

static void
s_venue_send (s_venue_t *venue, const char *topic, hb_msg_t *msg, int64_t ts_pub)
{
    msg->env.version = HB_SCHEMA_VERSION;
    strcpy (msg->env.publisher, "feed.alpha");
    msg->env.epoch = venue->epoch;
    msg->env.ts_pub = ts_pub;
    hb_buf_t buf;
    assert_int_equal (hb_msg_encode (msg, &buf), 0);
    zmsg_t *m = zmsg_new ();
    zmsg_addstr (m, topic);
    zmsg_addmem (m, buf.data, buf.size);
    assert_int_equal (zmsg_send (&m, venue->sock), 0);
}

static void
s_venue_tick (s_venue_t *venue, int64_t ts_pub)
{
    hb_msg_t msg;
    memset (&msg, 0, sizeof msg);
    msg.env.type = HB_MSG_TICK;
    msg.env.seq = ++venue->tick_seq;
    strcpy (msg.u.tick.venue, "alpha");
    strcpy (msg.u.tick.symbol, "X-USD");
    msg.u.tick.n_bids = msg.u.tick.n_asks = 1;
    msg.u.tick.bids [0] = (hb_level_t) { 99.9 + (rand () % 10) * 0.01, 1 };
    msg.u.tick.asks [0] = (hb_level_t) { 100.1 + (rand () % 10) * 0.01, 1 };
    s_venue_send (venue, "tick.alpha.X-USD", &msg, ts_pub);
}

static void
s_venue_fill (s_venue_t *venue, const char *fill_id, double qty)
{
    hb_msg_t msg;
    memset (&msg, 0, sizeof msg);
    msg.env.type = HB_MSG_FILL;
    msg.env.seq = ++venue->fill_seq;
    hb_fill_t *fill = &msg.u.fill;
    strcpy (fill->venue, "alpha");
    strcpy (fill->symbol, "X-USD");
    strcpy (fill->client_id, "c1");
    strcpy (fill->order_id, "o1");
    strcpy (fill->fill_id, fill_id);
    fill->side = qty > 0 ? HB_SIDE_BUY : HB_SIDE_SELL;
    fill->liquidity = 2;
    fill->px = 100;
    fill->qty = fabs (qty);
    strcpy (fill->fee_asset, "USD");
    s_venue_send (venue, "fill.alpha.X-USD", &msg, hb_wall_ns ());
}

//  The aggregator's state of alpha X-USD: qty after last_fill, published
static void
s_state (s_ctx_t *ctx, double qty, const char *last_fill, uint64_t epoch, uint64_t seq)
{
    hb_msg_t msg;
    s_env (&msg, HB_MSG_POSITION, epoch, seq);
    hb_position_t *pos = &msg.u.position;
    strcpy (pos->venue, "alpha");
    strcpy (pos->symbol, "X-USD");
    strcpy (pos->asset, "X");
    pos->kind = HB_KIND_SPOT;
    pos->qty = qty;
    pos->entry_px = pos->mark_px = 100;
    pos->exposure_usd = qty * 100;
    strcpy (pos->settle, "USD");
    strcpy (pos->last_fill, last_fill);
    hb_buf_t buf;
    assert_int_equal (hb_msg_encode (&msg, &buf), 0);
    zmsg_t *m = zmsg_new ();
    zmsg_addstr (m, "pos.X.alpha.X-USD");
    zmsg_addmem (m, buf.data, buf.size);
    assert_int_equal (zmsg_send (&m, ctx->agg), 0);
}

typedef struct {
    bool     pending;
    bool     known;
    double   x_usd;
    int64_t  sample_ns;             //  ts_venue of the last risk.exposure
    uint32_t status;                //  of the last hb.risk
    int      exposures;
    int      hedges;
} s_seen_t;

//  Ticks alpha (stamped now) and reads risk.* for about ms; what was seen
//  goes to *seen (exposures and hedges counted from 0)
static void
s_pump_for (s_ctx_t *ctx, s_venue_t *venue, int ms, s_seen_t *seen)
{
    seen->exposures = seen->hedges = 0;
    int64_t until = hb_mono_ns () + (int64_t) ms * 1000000;
    while (hb_mono_ns () < until) {
        s_venue_tick (venue, hb_wall_ns ());
        char topic [HB_TOPIC_MAX];
        hb_msg_t msg;
        while (hb_sub_recv (ctx->tap, topic, sizeof topic, &msg, NULL, 10) == 0) {
            if (msg.env.type == HB_MSG_RISK_HEDGE)
                seen->hedges++;
            if (msg.env.type == HB_MSG_HEARTBEAT)
                seen->status = msg.u.heartbeat.status;
            if (msg.env.type != HB_MSG_RISK_EXPOSURE)
                continue;
            const hb_risk_exposure_t *x = &msg.u.risk_exposure;
            seen->exposures++;
            seen->pending = x->flags & HB_RISK_POSITIONS_PENDING;
            seen->known = !(x->flags & HB_RISK_NO_POSITIONS);
            seen->x_usd = x->assets [0].delta1_usd;
            seen->sample_ns = msg.env.ts_venue;
        }
    }
}

//  What s_pump_until waits for
static bool s_hedging (const s_seen_t *seen, double x) { return seen->known && seen->hedges > 0 && fabs (seen->x_usd - x) < 20; }
static bool s_pending (const s_seen_t *seen, double x) { (void) x; return seen->pending && (seen->status & 2); }
static bool s_settled (const s_seen_t *seen, double x) { return !seen->pending && seen->known && fabs (seen->x_usd - x) < 10; }
static bool s_sampled (const s_seen_t *seen, double x) { return (double) seen->sample_ns > x; }
static bool s_hedged (const s_seen_t *seen, double x) { (void) x; return seen->hedges > 0; }

//  Pumps until cond (seen, x) holds, hedges counted over the whole wait;
//  -1 after S_WAIT_MS
static int
s_pump_wait (s_ctx_t *ctx, s_venue_t *venue, s_seen_t *seen,
              bool (*cond) (const s_seen_t *, double), double x)
{
    int64_t deadline = hb_mono_ns () + (int64_t) S_WAIT_MS * 1000000;
    int hedges = 0;
    while (hb_mono_ns () < deadline) {
        s_pump_for (ctx, venue, 20, seen);
        hedges += seen->hedges;
        seen->hedges = hedges;
        if (cond (seen, x))
            return 0;
    }
    return -1;
}

static void
test_pending_and_clock (void **state)
{
    (void) state;
    s_ctx_t ctx;
    memset (&ctx, 0, sizeof ctx);
    char errors [2048] = "";
    ctx.cfg = hb_config_load_quiet (s_path, errors, sizeof errors);
    if (!ctx.cfg)
        fail_msg ("%s", errors);
    ctx.agg = zsock_new (ZMQ_XPUB);
    ctx.router = zsock_new (ZMQ_ROUTER);
    s_venue_t venue = { .sock = zsock_new (ZMQ_XPUB), .epoch = (uint64_t) hb_wall_ns () };
    assert_true (zsock_bind (ctx.agg, "%s", ctx.cfg->aggregator.endpoint) == 0);
    assert_true (zsock_bind (ctx.router, "%s", ctx.cfg->aggregator.snapshot_endpoint) == 0);
    assert_true (zsock_bind (venue.sock, "%s", ctx.cfg->venues [0].endpoint) == 0);
    zsock_set_rcvtimeo (ctx.agg, S_WAIT_MS);
    zsock_set_rcvtimeo (venue.sock, S_WAIT_MS);
    ctx.live = hb_risk_live_new (ctx.cfg);
    assert_non_null (ctx.live);
    ctx.tap = hb_sub_new (0);
    assert_int_equal (hb_sub_connect (ctx.tap, ctx.cfg->risk.endpoint), 0);
    assert_int_equal (hb_sub_subscribe (ctx.tap, "risk."), 0);
    assert_int_equal (hb_sub_subscribe (ctx.tap, "hb.risk"), 0);
    assert_int_equal (pthread_create (&ctx.thread, NULL, s_run, ctx.live), 0);
    //  risk's subscriptions: pos. and margin.; tick., fill., hb.feed.
    for (int subs = 0; subs < 2; ) {
        zframe_t *sub = zframe_recv (ctx.agg);
        assert_non_null (sub);
        subs += zframe_size (sub) > 0 && zframe_data (sub) [0] == 1;
        zframe_destroy (&sub);
    }
    for (int subs = 0; subs < 3; ) {
        zframe_t *sub = zframe_recv (venue.sock);
        assert_non_null (sub);
        subs += zframe_size (sub) > 0 && zframe_data (sub) [0] == 1;
        zframe_destroy (&sub);
    }
    const uint64_t e1 = (uint64_t) hb_wall_ns ();
    uint64_t seq = 1;
    assert_int_equal (s_wait_request (&ctx, S_WAIT_MS), 0);
    s_answer (&ctx, e1, 10, seq);
    s_seen_t seen;
    memset (&seen, 0, sizeof seen);
    //  known, 10 X, hedging (over its band)
    assert_int_equal (s_pump_wait (&ctx, &venue, &seen, s_hedging, 1000), 0);
    assert_false (seen.pending);

    //  1. a fill (sell 6) and no state naming it (the aggregator frozen):
    //  pending after the grid's wait, never the latest state (10 X), no
    //  hedge request, heartbeat status 2
    s_venue_fill (&venue, "f1", -6);
    assert_int_equal (s_pump_wait (&ctx, &venue, &seen, s_pending, 0), 0);
    //  a republication of the state before the fill changes nothing
    s_state (&ctx, 10, "", e1, ++seq);
    for (int k = 0; k < 10; k++) {
        s_pump_for (&ctx, &venue, 100, &seen);
        assert_int_equal (seen.hedges, 0);
        assert_true (seen.exposures == 0 || seen.pending);
    }
    //  2. the late state: applied as it comes, the flag clears, X at 4
    s_state (&ctx, 4, "f1", e1, ++seq);
    assert_int_equal (s_pump_wait (&ctx, &venue, &seen, s_settled, 400), 0);
    //  3. the aggregator's timer republishes f1's state, changed: followed
    s_state (&ctx, 5, "f1", e1, ++seq);
    assert_int_equal (s_pump_wait (&ctx, &venue, &seen, s_settled, 500), 0);

    //  4. ticks 120 s and 80 years ahead (dropped by the bus), 40 s behind
    //  (quarantined by risk): risk goes on publishing on this host's time
    hb_metric_t *clock = hb_metrics_counter (hb_metrics_process (), "hb_risk_ticks_quarantined_total",
                                             NULL, "reason", "clock");
    uint64_t quarantined = hb_metric_count (clock);
    s_venue_tick (&venue, hb_wall_ns () + 120 * 1000000000LL);
    s_venue_tick (&venue, hb_wall_ns () + 80LL * 365 * 86400 * 1000000000LL);
    s_venue_tick (&venue, hb_wall_ns () - 40 * 1000000000LL);
    int64_t after = hb_wall_ns ();
    assert_int_equal (s_pump_wait (&ctx, &venue, &seen, s_sampled, (double) (after + 500 * 1000000LL)), 0);
    assert_true (seen.sample_ns < hb_wall_ns () + 5 * 1000000000LL);
    assert_true (hb_metric_count (clock) == quarantined + 1);
    //  and it still hedges (X at 5 over a band of 100 USD)
    assert_int_equal (s_pump_wait (&ctx, &venue, &seen, s_hedged, 0), 0);

    hb_risk_live_stop (ctx.live);
    pthread_join (ctx.thread, NULL);
    hb_risk_live_destroy (&ctx.live);
    hb_sub_destroy (&ctx.tap);
    zframe_destroy (&ctx.asker);
    zsock_destroy (&venue.sock);
    zsock_destroy (&ctx.router);
    zsock_destroy (&ctx.agg);
    hb_config_destroy (&ctx.cfg);
}

static void
s_agg_exposure (hb_risk_t *risk, const char *asset, double usd, uint64_t epoch)
{
    hb_msg_t msg;
    s_env (&msg, HB_MSG_EXPOSURE, epoch, 1);
    strcpy (msg.u.exposure.asset, asset);
    msg.u.exposure.net_usd = usd;
    assert_int_equal (hb_risk_on_state (risk, "pos.x", &msg), 0);
}

//  The engine: positions lost, then a snapshot of a newer aggregator epoch
//  that no longer mentions Y: Y's exposure from the old epoch is forgotten
static void
test_snapshot_forgets (void **state)
{
    (void) state;
    char errors [2048] = "";
    hb_config_t *cfg = hb_config_load_quiet (s_path, errors, sizeof errors);
    assert_non_null (cfg);
    hb_risk_t *risk = hb_risk_new (cfg, 1);
    assert_non_null (risk);
    s_agg_exposure (risk, "X", 1000, 5);
    s_agg_exposure (risk, "Y", 700, 5);
    hb_risk_snapshot_done (risk, 5);
    static hb_risk_report_t report;
    hb_risk_report (risk, 0, &report);
    assert_false (report.flags & HB_RISK_NO_POSITIONS);
    assert_true (report.assets [0].delta1_usd == 1000 && report.assets [1].delta1_usd == 700);
    hb_risk_set_positions_known (risk, false);
    hb_risk_report (risk, 0, &report);
    assert_true (report.flags & HB_RISK_NO_POSITIONS);
    hb_risk_hedge_t hedge;
    assert_int_equal (hb_risk_hedge_check (risk, 0, &hedge), 0);
    s_agg_exposure (risk, "X", 500, 6);
    hb_risk_snapshot_done (risk, 6);
    hb_risk_report (risk, 0, &report);
    assert_false (report.flags & HB_RISK_NO_POSITIONS);
    assert_true (report.assets [0].delta1_usd == 500);
    assert_true (report.assets [1].delta1_usd == 0);
    hb_risk_destroy (&risk);
    hb_config_destroy (&cfg);
}

int
main (void)
{
    zsys_init ();
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_resnapshot),
        cmocka_unit_test (test_snapshot_forgets),
        cmocka_unit_test (test_pending_and_clock),
    };
    return cmocka_run_group_tests_name ("hb_risk_live", tests, s_setup, s_teardown);
}
