/*  hb_risk_live: hb-risk on the bus (see hb_risk_live.h).                */
#include "hb_risk_live.h"
#include "hb_heartbeat.h"

#include <assert.h>
#include <errno.h>
#include <string.h>

#include "hb_log.h"
#include "hb_pub.h"
#include "hb_risk.h"
#include "hb_sub.h"
#include "hb_time.h"

#define S_HEARTBEAT_MS      1000
#define S_SNAPSHOT_RETRY_MS 2000
#define S_DRAIN_MAX         256     //  messages per wake-up before timers get a turn

struct _hb_risk_live_t {
    const hb_config_t *cfg;
    hb_risk_t   *risk;
    hb_pub_t    *pub;
    hb_sub_t    *sub;
    zsock_t     *snap;              //  DEALER to the aggregator's snapshot ROUTER
    zloop_t     *loop;
    int          stop;
    bool         snapshot_done;
    int64_t      started_mono;
    uint64_t     msgs_in, hedges, snapshots;
    hb_msg_t     in;
    hb_msg_t     out;
    hb_complain_t c_ignored;
};

static int
s_on_bus (zloop_t *loop, zsock_t *reader, void *arg)
{
    (void) loop;
    (void) reader;
    hb_risk_live_t *self = (hb_risk_live_t *) arg;
    char topic [HB_TOPIC_MAX];
    for (int n = 0; n < S_DRAIN_MAX; n++) {
        hb_seq_status_t status;
        if (hb_sub_recv (self->sub, topic, sizeof topic, &self->in, &status, 0) != 0) {
            if (errno == EPROTO)
                continue;               //  counted by hb_sub
            break;
        }
        if (status == HB_SEQ_STALE)
            continue;
        self->msgs_in++;
        int rc = self->in.env.type == HB_MSG_TICK
               ? hb_risk_on_tick (self->risk, &self->in, hb_wall_ns ())
               : hb_risk_on_state (self->risk, topic, &self->in);
        if (rc != 0)
            hb_complain (&self->c_ignored, HB_LOG_DEBUG, "risk: %s not used", topic);
    }
    return 0;
}

static void
s_snapshot_request (hb_risk_live_t *self)
{
    //  DEALER, not REQ: a request that is never answered must not block
    //  the next one
    zmsg_t *request = zmsg_new ();
    zmsg_addmem (request, NULL, 0);
    zmsg_addstr (request, "");
    zmsg_send (&request, self->snap);
}

//  [empty, (topic, payload)..., "snapshot.end", payload]
static int
s_on_snapshot (zloop_t *loop, zsock_t *reader, void *arg)
{
    (void) loop;
    hb_risk_live_t *self = (hb_risk_live_t *) arg;
    zmsg_t *reply = zmsg_recv (reader);
    if (!reply)
        return 0;
    zframe_t *empty = zmsg_pop (reply);
    zframe_destroy (&empty);
    uint64_t applied = 0;
    bool ended = false;
    while (zmsg_size (reply) >= 2) {
        char *topic = zmsg_popstr (reply);
        zframe_t *payload = zmsg_pop (reply);
        if (topic && payload
        &&  hb_msg_decode (&self->in, zframe_data (payload), zframe_size (payload), NULL) == 0) {
            if (self->in.env.type == HB_MSG_SNAPSHOT_END)
                ended = true;
            else
            if (hb_risk_on_state (self->risk, topic, &self->in) == 0)
                applied++;
        }
        zstr_free (&topic);
        zframe_destroy (&payload);
    }
    zmsg_destroy (&reply);
    if (ended && !self->snapshot_done) {
        self->snapshot_done = true;
        self->snapshots++;
        hb_risk_set_positions_known (self->risk, true);
        hb_info ("risk: snapshot from the aggregator: %llu messages applied",
                 (unsigned long long) applied);
    }
    return 0;
}

static int
s_on_snapshot_retry (zloop_t *loop, int timer_id, void *arg)
{
    (void) loop;
    (void) timer_id;
    hb_risk_live_t *self = (hb_risk_live_t *) arg;
    if (!self->snapshot_done)
        s_snapshot_request (self);
    return 0;
}

static int
s_on_sample (zloop_t *loop, int timer_id, void *arg)
{
    (void) loop;
    (void) timer_id;
    hb_risk_live_t *self = (hb_risk_live_t *) arg;
    if (__atomic_load_n (&self->stop, __ATOMIC_RELAXED))
        return -1;
    int64_t now = hb_wall_ns ();
    hb_risk_sample (self->risk, now);
    memset (&self->out, 0, sizeof self->out);
    if (hb_risk_hedge_check (self->risk, now, &self->out.u.risk_hedge) == 1) {
        self->out.env.type = HB_MSG_RISK_HEDGE;
        self->out.env.ts_recv = now;
        if (hb_pub_send (self->pub, NULL, &self->out) == 0) {
            self->hedges++;
            hb_info ("risk: hedge request %s", self->out.u.risk_hedge.id);
        }
        else
            hb_error ("risk: cannot publish hedge request %s", self->out.u.risk_hedge.id);
    }
    return 0;
}

static int
s_on_publish (zloop_t *loop, int timer_id, void *arg)
{
    (void) loop;
    (void) timer_id;
    hb_risk_live_t *self = (hb_risk_live_t *) arg;
    int64_t now = hb_wall_ns ();
    memset (&self->out, 0, sizeof self->out);
    self->out.env.type = HB_MSG_RISK_EXPOSURE;
    self->out.env.ts_recv = now;
    hb_risk_report (self->risk, now, &self->out.u.risk_exposure);
    if (hb_pub_send (self->pub, NULL, &self->out) != 0)
        hb_error ("risk: cannot publish risk.exposure");
    return 0;
}

static int
s_on_heartbeat (zloop_t *loop, int timer_id, void *arg)
{
    (void) loop;
    (void) timer_id;
    hb_risk_live_t *self = (hb_risk_live_t *) arg;
    hb_msg_t msg;
    hb_heartbeat_begin (&msg, "risk", self->started_mono, self->pub, self->sub);
    hb_heartbeat_t *hb = &msg.u.heartbeat;
    hb->msgs_in = self->msgs_in;
    hb->drops = hb_risk_ignored (self->risk);
    hb->status = self->snapshot_done ? 0 : 1;       //  1: positions not known yet
    hb_pub_send (self->pub, NULL, &msg);
    return 0;
}

hb_risk_live_t *
hb_risk_live_new (const hb_config_t *cfg)
{
    assert (cfg);
    const hb_risk_cfg_t *rc = &cfg->risk;
    hb_risk_live_t *self = (hb_risk_live_t *) calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->cfg = cfg;
    self->started_mono = hb_mono_ns ();
    self->pub = hb_pub_new (rc->endpoint, "risk", 0);
    self->sub = hb_sub_new (0);
    self->snap = zsock_new (ZMQ_DEALER);
    self->loop = zloop_new ();
    self->risk = self->pub ? hb_risk_new (cfg, hb_pub_epoch (self->pub)) : NULL;
    if (!self->pub || !self->sub || !self->snap || !self->loop || !self->risk)
        goto fail;
    for (int v = 0; v < cfg->n_venues; v++) {
        const hb_venue_cfg_t *venue = &cfg->venues [v];
        if (!venue->enabled)
            continue;
        char prefix [HB_TOPIC_MAX];
        snprintf (prefix, sizeof prefix, "tick.%s.", venue->name);
        if (hb_sub_connect (self->sub, venue->endpoint) != 0 || hb_sub_subscribe (self->sub, prefix) != 0)
            goto fail;
    }
    if (hb_sub_connect (self->sub, cfg->aggregator.endpoint) != 0
    ||  hb_sub_subscribe (self->sub, "pos.") != 0 || hb_sub_subscribe (self->sub, "margin.") != 0
    ||  zsock_connect (self->snap, "%s", cfg->aggregator.snapshot_endpoint) != 0)
        goto fail;
    zsock_set_sndhwm (self->snap, 4);
    if (zloop_reader (self->loop, hb_sub_sock (self->sub), s_on_bus, self) != 0
    ||  zloop_reader (self->loop, self->snap, s_on_snapshot, self) != 0
    ||  zloop_timer (self->loop, (size_t) rc->sample_ms, 0, s_on_sample, self) < 0
    ||  zloop_timer (self->loop, (size_t) rc->publish_ms, 0, s_on_publish, self) < 0
    ||  zloop_timer (self->loop, S_HEARTBEAT_MS, 0, s_on_heartbeat, self) < 0
    ||  zloop_timer (self->loop, S_SNAPSHOT_RETRY_MS, 0, s_on_snapshot_retry, self) < 0)
        goto fail;
    //  subscribe first, then ask (docs/PROTOCOL.md, Snapshots)
    s_snapshot_request (self);
    return self;
fail:
    hb_error ("risk: cannot start");
    hb_risk_live_destroy (&self);
    return NULL;
}

void
hb_risk_live_destroy (hb_risk_live_t **self_p)
{
    assert (self_p);
    hb_risk_live_t *self = *self_p;
    if (self) {
        zloop_destroy (&self->loop);
        zsock_destroy (&self->snap);
        hb_sub_destroy (&self->sub);
        hb_pub_destroy (&self->pub);
        hb_risk_destroy (&self->risk);
        free (self);
        *self_p = NULL;
    }
}

int
hb_risk_live_run (hb_risk_live_t *self)
{
    assert (self);
    while (!__atomic_load_n (&self->stop, __ATOMIC_RELAXED))
        //  0: a signal interrupted the poll; -1: a handler stopped it
        if (zloop_start (self->loop) != 0)
            break;
    return 0;
}

void
hb_risk_live_stop (hb_risk_live_t *self)
{
    __atomic_store_n (&self->stop, 1, __ATOMIC_RELAXED);
}
