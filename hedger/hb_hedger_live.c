/*  hb_hedger_live: the hedger on the bus, around an hb_hedger_t (see
    hb_hedger_live.h). This file only moves messages; the decisions are in
    hb_hedger.c.                                                           */
#include "hb_roles.h"
#include "hb_hedger_live.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hb_applog.h"
#include "hb_heartbeat.h"
#include "hb_hedger.h"
#include "hb_hedger_apply.h"
#include "hb_killswitch.h"
#include "hb_log.h"
#include "hb_metrics.h"
#include "hb_pub.h"
#include "hb_sub.h"
#include "hb_time.h"

#define S_TIMER_MS  1000
#define S_DRAIN_MAX 256
#define S_FLUSH_MS  20              //  the log goes out this often when nothing is decided
//  At the start of a life, the log is held (hb_applog_hold) until a
//  recorder subscribes to "seq." by name (hb-record does) or S_HOLD_MS has
//  passed: the first batches of a life are what a replay needs most (the
//  restored journal), and a PUB socket drops what it sends before
#define S_HOLD_MS   3000
//  named here: hb_pub_send picks the topic before it stamps the publisher,
//  which the applog's default topic (seq.<publisher>) is made of
#define S_LOG_TOPIC "seq.hedger"

struct _hb_hedger_live_t {
    const hb_config_t *cfg;
    hb_pub_t    *pub;
    hb_sub_t    *sub;
    hb_hedger_t *hedger;
    zloop_t     *loop;
    int64_t      started_mono;
    uint64_t     msgs_in;
    hb_msg_t     in;
    //  the application log (hb_hedger_apply.h lists its entries): every
    //  input recorded, in the order applied, before it is applied
    hb_applog_t *log;
    int64_t      start_t;           //  the clock hb_hedger_new ran at
    hb_killswitch_look_t look;      //  the kill file as last logged
    bool         log_held;          //  until a recorder listens (or S_HOLD_MS passed)
    hb_metric_t *m_log_errors;
};
typedef hb_hedger_live_t s_live_t;

//  One batch of the log onto the bus (seq.hedger)
static int
s_log_send (hb_msg_t *msg, void *arg)
{
    s_live_t *self = (s_live_t *) arg;
    int rc = hb_pub_send (self->pub, S_LOG_TOPIC, msg);
    if (rc != 0)
        hb_metric_inc (self->m_log_errors);
    return rc;
}

//  Everything the hedger publishes: the log of what led to it goes first
//  (hb_applog.h: entries lost in a crash after this changed nothing
//  anyone saw)
static int
s_send (const char *topic, hb_msg_t *msg, void *arg)
{
    s_live_t *self = (s_live_t *) arg;
    hb_applog_flush (self->log);
    return hb_pub_send (self->pub, topic, msg);
}

//  What hb_hedger_new read back from disk, at the start's clock
static void
s_restore (int kind, const void *data, size_t size, void *arg)
{
    s_live_t *self = (s_live_t *) arg;
    hb_applog_blob (self->log, (uint8_t) kind, self->start_t, data, size);
    if (kind == HB_HEDGER_RESTORE_KILL
    &&  hb_killswitch_look_decode ((const uint8_t *) data, size, &self->look) != 0)
        memset (&self->look, 0, sizeof self->look);
}

//  A look at the kill file before the engine may consult it: logged (and
//  handed over) only when it differs from the last one logged, and the
//  file's line is read only then
static void
s_look_kill (s_live_t *self, int64_t t)
{
    hb_killswitch_look_t look;
    hb_killswitch_look (self->cfg->hedger.kill_file, false, &look);
    if (look.present == self->look.present)
        return;
    if (look.present)
        hb_killswitch_look (self->cfg->hedger.kill_file, true, &look);
    uint8_t bytes [HB_KILLSWITCH_LOOK_SIZE];
    hb_killswitch_look_encode (&look, bytes);
    hb_applog_blob (self->log, HB_HEDGER_BLOB_KILL, t, bytes, sizeof bytes);
    hb_hedger_apply_blob (self->hedger, HB_HEDGER_BLOB_KILL, bytes, sizeof bytes);
    self->look = look;
}

//  One bus input: recorded, then applied, at one clock reading
static void
s_input (s_live_t *self, const char *topic, hb_seq_status_t status)
{
    if (!hb_hedger_apply_wanted (&self->in, status))
        return;
    int64_t t = hb_wall_ns ();
    if (self->in.env.type == HB_MSG_RISK_HEDGE || self->in.env.type == HB_MSG_HEDGER_CONTROL
    ||  self->in.env.type == HB_MSG_RISK_OPTPLAN || self->in.env.type == HB_MSG_CAPITAL_REDUCE)
        s_look_kill (self, t);
    hb_applog_input (self->log, topic, &self->in.env, (uint8_t) status, t);
    hb_hedger_apply_input (self->hedger, &self->in, status, t);
}

//  One timer run: recorded, then applied
static void
s_timer (s_live_t *self, uint8_t timer)
{
    int64_t t = hb_wall_ns ();
    if (timer == HB_HEDGER_TIMER_TIMEOUTS)
        s_look_kill (self, t);
    hb_applog_timer (self->log, timer, t);
    hb_hedger_apply_timer (self->hedger, timer, t);
}

static int s_on_timer (zloop_t *loop, int timer_id, void *arg);

//  -1 (the reactor stops, the process exits 1) once the journal failed: a
//  hedger that cannot journal cannot trade, and a restart is how it
//  repairs itself (replay of what is durable) once the disk works again;
//  hb-run restarts it with its back-off meanwhile. Its last heartbeat
//  says why (status bit 2).
static int
s_alive (s_live_t *self)
{
    if (!hb_hedger_broken (self->hedger))
        return 0;
    s_on_timer (NULL, 0, self);
    hb_error ("hedger: journal %s failed: no order can be journaled, stopping (a restart "
              "replays what is durable)", self->cfg->hedger.journal);
    return -1;
}

static int
s_on_bus (zloop_t *loop, zsock_t *reader, void *arg)
{
    (void) loop;
    (void) reader;
    s_live_t *self = (s_live_t *) arg;
    char topic [HB_TOPIC_MAX];
    for (int n = 0; n < S_DRAIN_MAX; n++) {
        hb_seq_status_t status;
        if (hb_sub_recv (self->sub, topic, sizeof topic, &self->in, &status, 0) != 0) {
            if (errno == EPROTO)
                continue;
            break;
        }
        self->msgs_in++;
        //  decided at once, on what the hedger has now (hb_hedger.h)
        s_input (self, topic, status);
    }
    return s_alive (self);
}

static int
s_on_flush (zloop_t *loop, int timer_id, void *arg)
{
    (void) loop;
    (void) timer_id;
    s_live_t *self = (s_live_t *) arg;
    if (self->log_held && (hb_pub_wait_prefix (self->pub, "seq.", 0) == 0
                       ||  hb_mono_ns () - self->started_mono > (int64_t) S_HOLD_MS * 1000000)) {
        self->log_held = false;
        if (hb_applog_hold (self->log, false) != 0)
            hb_metric_inc (self->m_log_errors);
    }
    hb_applog_flush (self->log);
    return 0;
}

static int
s_on_timer (zloop_t *loop, int timer_id, void *arg)
{
    (void) loop;
    (void) timer_id;
    s_live_t *self = (s_live_t *) arg;
    hb_hedger_stats_t st;
    hb_hedger_stats (self->hedger, &st);
    hb_msg_t msg;
    hb_heartbeat_begin (&msg, "hedger", self->started_mono, self->pub, self->sub);
    hb_heartbeat_t *hb = &msg.u.heartbeat;
    hb->msgs_in = self->msgs_in;
    hb->queue_depth = st.in_flight;
    //  never "ok" while it cannot do its job (docs/PROTOCOL.md, Heartbeat):
    //  1 kill switch set; 2 journal failed (cannot trade); 4 orders in
    //  doubt (no new hedge for their need); 8 fills the aggregator has not
    //  included for 10 s (still counted); 16 the journal lost its tail (no
    //  order until what it held can no longer execute)
    hb->status = (hb_hedger_killed (self->hedger)? 1u: 0u) | (hb_hedger_broken (self->hedger)? 2u: 0u)
               | (st.in_doubt? 4u: 0u) | (st.unconfirmed? 8u: 0u) | (st.holding? 16u: 0u);
    hb_pub_send (self->pub, NULL, &msg);
    return 0;
}

static int
s_on_timeouts (zloop_t *loop, int timer_id, void *arg)
{
    (void) loop;
    (void) timer_id;
    s_live_t *self = (s_live_t *) arg;
    s_timer (self, HB_HEDGER_TIMER_TIMEOUTS);
    return s_alive (self);
}

static int
s_subscribe (s_live_t *self)
{
    const hb_config_t *cfg = self->cfg;
    const hb_component_cfg_t *risk = hb_config_component (cfg, "risk");
    const char *risk_ep = risk && risk->endpoint [0]? risk->endpoint: cfg->risk.endpoint;
    hb_sub_role_t role;
    hb_roles_risk (&role);
    if (hb_sub_connect_role (self->sub, risk_ep, &role) != 0 || hb_sub_subscribe (self->sub, "risk.hedge") != 0
    ||  hb_sub_subscribe (self->sub, "risk.optplan") != 0)
        return -1;
    for (int v = 0; v < cfg->n_venues; v++) {
        const hb_venue_cfg_t *venue = &cfg->venues [v];
        if (!venue->enabled)
            continue;
        hb_roles_feed (venue, &role);
        if (hb_sub_connect_role (self->sub, venue->endpoint, &role) != 0)
            return -1;
        //  the feed's heartbeat: a venue in outage still moves its time on
        const char *kinds [] = { "tick", "ack", "fill", "hb.feed" };
        for (int k = 0; k < 4; k++) {
            char prefix [HB_TOPIC_MAX];
            snprintf (prefix, sizeof prefix, k < 3? "%s.%s.": "%s.%s", kinds [k], venue->name);
            if (hb_sub_subscribe (self->sub, prefix) != 0)
                return -1;
        }
    }
    hb_roles_aggregator (&role);
    if (hb_sub_connect_role (self->sub, cfg->aggregator.endpoint, &role) != 0
    ||  hb_sub_subscribe (self->sub, "pos.") != 0 || hb_sub_subscribe (self->sub, "margin.") != 0)
        return -1;
    //  the kill switch on the bus: from the components trusted with orders
    for (int i = 0; i < cfg->n_components; i++) {
        const hb_component_cfg_t *comp = &cfg->components [i];
        if (!comp->sends_orders || !comp->endpoint [0] || strcmp (comp->name, "hedger") == 0
        ||  strcmp (comp->endpoint, cfg->hedger.endpoint) == 0)
            continue;
        hb_roles_component (comp, &role);
        if (hb_sub_connect_role (self->sub, comp->endpoint, &role) != 0)
            return -1;
    }
    //  hb-treasury's capital.reduce: move a position off a venue no
    //  transfer reaches in time (a treasury trusted with orders is
    //  connected above already)
    const hb_component_cfg_t *treasury = hb_config_component (cfg, "treasury");
    if (treasury && treasury->endpoint [0]) {
        hb_roles_treasury (&role);
        if ((!treasury->sends_orders && hb_sub_connect_role (self->sub, treasury->endpoint, &role) != 0)
        ||  hb_sub_subscribe (self->sub, "capital.reduce.") != 0)
            return -1;
    }
    return hb_sub_subscribe (self->sub, "hedger.control");
}

//  An order goes in doubt (cancel sent, hb_hedger_check_timeouts) at most a
//  quarter of order_timeout_ms late
static size_t
s_timeout_period (const hb_config_t *cfg)
{
    int ms = cfg->hedger.order_timeout_ms / 4;
    return (size_t) (ms < 10? 10: ms > S_TIMER_MS? S_TIMER_MS: ms);
}

hb_hedger_live_t *
hb_hedger_live_new (const hb_config_t *cfg, zloop_t *loop)
{
    assert (cfg && loop);
    s_live_t *self = (s_live_t *) calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->cfg = cfg;
    self->loop = loop;
    self->started_mono = hb_mono_ns ();
    self->pub = hb_pub_new (cfg->hedger.endpoint, "hedger", 0);
    self->sub = hb_sub_new (0);
    self->log = hb_applog_new (s_log_send, self);
    hb_metrics_t *metrics = hb_metrics_process ();
    if (metrics)
        self->m_log_errors = hb_metrics_counter (metrics, "hb_hedger_applog_errors_total",
                                                 "Application log batches that could not be "
                                                 "published", NULL, NULL);
    self->start_t = hb_wall_ns ();
    self->log_held = self->log && hb_applog_hold (self->log, true) == 0;
    if (self->pub && self->sub && self->log)
        self->hedger = hb_hedger_new_observed (cfg, s_send, self, self->start_t, s_restore, self);
    //  from now on the engine applies the kill file looks logged here
    if (self->hedger)
        hb_hedger_kill_look (self->hedger, &self->look);
#ifdef HB_TEST_HOOKS
    //  the restart tests' injected crash, read once; test build only
    const char *crash = getenv ("HB_HEDGER_CRASH");
    const char *nth_text = getenv ("HB_HEDGER_CRASH_NTH");
    int nth = nth_text? atoi (nth_text): 1;
    if (self->hedger && crash && *crash && hb_hedger_set_crash (self->hedger, crash, nth) != 0) {
        hb_error ("hedger: HB_HEDGER_CRASH=%s HB_HEDGER_CRASH_NTH=%d: expected after_journal, "
                  "after_send or after_ack and N >= 1", crash, nth);
        hb_hedger_destroy (&self->hedger);
    }
#endif
    //  what a previous run left in flight past order_timeout_ms is in
    //  doubt now, not a timer period later
    if (self->hedger)
        s_timer (self, HB_HEDGER_TIMER_START);
    if (self->hedger && s_subscribe (self) == 0
    &&  hb_sub_attach (self->sub, loop, s_on_bus, self) == 0
    &&  zloop_timer (loop, S_TIMER_MS, 0, s_on_timer, self) >= 0
    &&  zloop_timer (loop, s_timeout_period (cfg), 0, s_on_timeouts, self) >= 0
    &&  zloop_timer (loop, S_FLUSH_MS, 0, s_on_flush, self) >= 0) {
        hb_info ("hedger: publishing on %s%s", cfg->hedger.endpoint,
                 hb_hedger_killed (self->hedger)? " (kill switch SET: no orders)": "");
        return self;
    }
    hb_error ("hedger: cannot start");
    hb_hedger_live_destroy (&self);
    return NULL;
}

void
hb_hedger_live_destroy (hb_hedger_live_t **self_p)
{
    assert (self_p);
    s_live_t *self = *self_p;
    if (self) {
        if (self->sub)
            hb_sub_detach (self->sub);
        hb_hedger_destroy (&self->hedger);
        //  what was applied since the last flush changed nothing anyone
        //  saw; sent all the same for a replay of a clean stop
        if (self->log && self->pub)
            hb_applog_flush (self->log);
        hb_applog_destroy (&self->log);
        hb_sub_destroy (&self->sub);
        hb_pub_destroy (&self->pub);
        free (self);
        *self_p = NULL;
    }
}

bool
hb_hedger_live_failed (const hb_hedger_live_t *self)
{
    return self && hb_hedger_broken (self->hedger);
}
