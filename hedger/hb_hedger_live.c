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

#include "hb_grid.h"
#include "hb_heartbeat.h"
#include "hb_hedger.h"
#include "hb_log.h"
#include "hb_pub.h"
#include "hb_sub.h"
#include "hb_time.h"

#define S_TIMER_MS  1000
#define S_DRAIN_MAX 256
#define S_PENDING   8               //  requests waiting for the venues to pass their time
#define S_LATE_MS   3000            //  a venue silent this long is not waited for
#define S_GRID_MS   50              //  how often lateness is looked at

typedef struct {
    hb_msg_t        msg;
    hb_seq_status_t status;
} s_pending_t;

struct _hb_hedger_live_t {
    const hb_config_t *cfg;
    hb_pub_t    *pub;
    hb_sub_t    *sub;
    hb_hedger_t *hedger;
    zloop_t     *loop;
    int64_t      started_mono;
    uint64_t     msgs_in;
    hb_msg_t     in;
    //  a request is taken once every venue has passed its data time, so
    //  that the books and acks up to then are in (docs/RISK.md)
    hb_grid_t   *grid;
    int          stream_of [HB_MAX_VENUES];
    s_pending_t  pending [S_PENDING];
    int          n_pending;
};
typedef hb_hedger_live_t s_live_t;

static int
s_send (const char *topic, hb_msg_t *msg, void *arg)
{
    s_live_t *self = (s_live_t *) arg;
    return hb_pub_send (self->pub, topic, msg);
}

//  The data time of a request: risk stamps it in ts_venue
static int64_t
s_request_time (const hb_msg_t *msg)
{
    return msg->env.ts_venue? msg->env.ts_venue: msg->env.ts_recv;
}

//  Hands the waiting requests to the hedger, oldest first, once every
//  venue has passed their time (or is late: hb_grid.h); all of them when
//  force (no room left to wait)
static void
s_release (s_live_t *self, bool force)
{
    int done = 0;
    while (done < self->n_pending
    &&    (force || hb_grid_passed (self->grid, s_request_time (&self->pending [done].msg), hb_mono_ns ()))) {
        hb_hedger_on_request (self->hedger, &self->pending [done].msg, self->pending [done].status,
                              hb_wall_ns ());
        done++;
    }
    if (done > 0) {
        memmove (self->pending, self->pending + done, (size_t) (self->n_pending - done) * sizeof self->pending [0]);
        self->n_pending -= done;
    }
}

//  A venue's message moves its stream of the grid on
static void
s_progress (s_live_t *self)
{
    const char *publisher = self->in.env.publisher;
    const hb_venue_cfg_t *venue = strncmp (publisher, "feed.", 5) == 0
                                ? hb_config_venue (self->cfg, publisher + 5) : NULL;
    if (venue && self->stream_of [venue - self->cfg->venues] >= 0)
        hb_grid_push (self->grid, self->stream_of [venue - self->cfg->venues], &self->in, false,
                      hb_mono_ns ());
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
        if (self->in.env.type == HB_MSG_RISK_HEDGE) {
            //  a STALE one is refused too, and said so, in its turn
            if (self->n_pending == S_PENDING) {
                hb_warn ("hedger: %d requests waiting for the venues: taking them now", S_PENDING);
                s_release (self, true);
            }
            self->pending [self->n_pending].msg = self->in;
            self->pending [self->n_pending].status = status;
            self->n_pending++;
        }
        else
        if (self->in.env.type == HB_MSG_HEDGER_CONTROL)
            //  even a STALE kill is obeyed; a reset says itself when it is old
            hb_hedger_on_control (self->hedger, &self->in, hb_wall_ns ());
        else
        if (status != HB_SEQ_STALE) {
            s_progress (self);
            hb_hedger_on_msg (self->hedger, &self->in, hb_wall_ns ());
        }
    }
    s_release (self, false);
    return s_alive (self);
}

static int
s_on_grid (zloop_t *loop, int timer_id, void *arg)
{
    (void) loop;
    (void) timer_id;
    s_live_t *self = (s_live_t *) arg;
    s_release (self, false);
    return s_alive (self);
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
    hb_hedger_check_timeouts (self->hedger, hb_wall_ns ());
    hb_hedger_check_kill (self->hedger, hb_wall_ns ());
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
    if (hb_sub_connect_role (self->sub, risk_ep, &role) != 0 || hb_sub_subscribe (self->sub, "risk.hedge") != 0)
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
    int n_streams = 0;
    for (int v = 0; v < cfg->n_venues; v++)
        self->stream_of [v] = cfg->venues [v].enabled? n_streams++: -1;
    self->grid = hb_grid_new (n_streams > 0? n_streams: 1, 0, 1000000, 0,
                              (int64_t) S_LATE_MS * 1000000, hb_mono_ns ());
    if (self->pub && self->sub && self->grid)
        self->hedger = hb_hedger_new (cfg, s_send, self, hb_wall_ns ());
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
        hb_hedger_check_timeouts (self->hedger, hb_wall_ns ());
    if (self->hedger && s_subscribe (self) == 0
    &&  hb_sub_attach (self->sub, loop, s_on_bus, self) == 0
    &&  zloop_timer (loop, S_TIMER_MS, 0, s_on_timer, self) >= 0
    &&  zloop_timer (loop, s_timeout_period (cfg), 0, s_on_timeouts, self) >= 0
    &&  zloop_timer (loop, S_GRID_MS, 0, s_on_grid, self) >= 0) {
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
        hb_grid_destroy (&self->grid);
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
