/*  hb_risk_live: hb-risk on the bus (see hb_risk_live.h).                */
#include "hb_roles.h"
#include "hb_risk_live.h"
#include "hb_curve.h"
#include "hb_grid.h"
#include "hb_heartbeat.h"
#include "hb_poshist.h"

#include <assert.h>
#include <errno.h>
#include <string.h>

#include "hb_log.h"
#include "hb_metrics.h"
#include "hb_pub.h"
#include "hb_risk.h"
#include "hb_risk_ckpt.h"
#include "hb_sub.h"
#include "hb_time.h"

#define S_HEARTBEAT_MS      1000
#define S_SNAPSHOT_RETRY_MS 2000
#define S_REASK_MS          250     //  at most this often when the aggregator is heard (s_on_bus)
#define S_DRAIN_MAX         256     //  messages per wake-up before timers get a turn
#define S_LATE_MS           3000    //  a venue silent this long is not waited for (hb_grid.h)
#define S_GRID_CAPACITY     1024    //  messages held per venue until their sample
#define S_GRID_TIMER_MS     50      //  how often lateness is looked at
#define S_POS_HISTORY       512     //  aggregator position states kept (hb_poshist.h)
#define S_PENDING_RESNAP_MS 5000    //  positions pending this long: ask the aggregator for a snapshot
#define S_PENDING_GIVEUP_MS 20000   //  ... this long while it publishes them without the fill: its word
#define S_TICK_BEHIND_NS    (30 * 1000000000LL)    //  a live tick stamped further back is quarantined

struct _hb_risk_live_t {
    const hb_config_t *cfg;
    hb_risk_t   *risk;
    hb_pub_t    *pub;
    hb_sub_t    *sub;
    zsock_t     *snap;              //  DEALER to the aggregator's snapshot ROUTER
    zloop_t     *loop;
    bool         own_loop;          //  false: the service's (hb_risk_live_new_on)
    int          stop;
    bool         snapshot_done;
    bool         resnap_pending;    //  the snapshot awaited was asked because positions were pending
    int64_t      asked_mono;        //  when a snapshot was last asked for
    bool         replay;            //  --grid-from: data time is not this host's clock
    int64_t      started_mono;
    uint64_t     msgs_in, hedges, snapshots, resyncs;
    hb_msg_t     in;
    hb_msg_t     out;
    hb_complain_t c_ignored;
    //  the data-time grid (docs/RISK.md)
    hb_grid_t   *grid;
    hb_poshist_t *states;           //  the aggregator's recent position states
    int          stream_of [HB_MAX_VENUES];     //  grid stream of each venue, -1: none
    int64_t      stall_mono;        //  since when a fill waits for its position state
    int64_t      published_ns;      //  sample time of the last risk.exposure
    int64_t      resnap_for;        //  the pending episode (its start) a snapshot was asked for
    hb_msg_t     item;              //  a grid message being applied
    hb_complain_t c_pending;
    hb_metric_t  *m_pending;        //  hb_risk_positions_pending
    hb_metric_t  *m_unconfirmed;    //  hb_risk_fills_unconfirmed_total
    hb_metric_t  *m_implausible;    //  hb_risk_implausible_fills_total
    hb_complain_t c_implausible;
    hb_metric_t  *m_decision;       //  hb_decision_latency_seconds{component="risk"}
    hb_risk_ckpt_t *ckpt;           //  the estimator's checkpoint (hb_risk_ckpt.h)
};

static void s_snapshot_request (hb_risk_live_t *self);
static int s_on_snapshot (zloop_t *loop, zsock_t *reader, void *arg);

//  A new DEALER to the aggregator's snapshot ROUTER, in the loop. A new
//  socket per resync: a reply to a request sent before the loss goes to
//  the old one and is never taken for the state after it.
static int
s_snap_open (hb_risk_live_t *self)
{
    if (self->snap) {
        zloop_reader_end (self->loop, self->snap);
        zsock_destroy (&self->snap);
    }
    self->snap = zsock_new (ZMQ_DEALER);
    if (!self->snap)
        return -1;
    //  never block: with the aggregator down, requests pile up to the HWM
    //  and a blocking send would stall the whole loop (a failed send is
    //  retried by the timer)
    zsock_set_sndhwm (self->snap, 4);
    zsock_set_sndtimeo (self->snap, 0);
    if (hb_curve_client (self->snap, self->cfg->aggregator.snapshot_endpoint) != 0
    ||  zsock_connect (self->snap, "%s", self->cfg->aggregator.snapshot_endpoint) != 0
    ||  zloop_reader (self->loop, self->snap, s_on_snapshot, self) != 0)
        return -1;
    return 0;
}

//  The aggregator's stream broke: it restarted (a newer epoch) or we lost
//  messages (a gap) on pos./margin. What we hold may be wrong, so
//  positions are unknown (no hedge request) until a snapshot asked for
//  from now on has been applied. Nothing to do while one is awaited.
static void
s_resync (hb_risk_live_t *self, const char *topic, hb_seq_status_t status)
{
    if (!self->snapshot_done)
        return;
    hb_warn ("risk: %s on %s from the aggregator: positions unknown, asking for a snapshot",
             hb_seq_status_name (status), topic);
    self->snapshot_done = false;
    self->resnap_pending = false;
    self->resyncs++;
    hb_risk_set_positions_known (self->risk, false);
    if (s_snap_open (self) == 0)
        s_snapshot_request (self);
    else
        hb_error ("risk: cannot reopen the snapshot socket: will retry");
}

//  Publishes a hedge request when the engine says one is due at data time
//  now (its ts_venue: the hedger routes on the books as of then); recv_ns
//  (its ts_recv) is when the input that made it due arrived.
static void
s_hedge_check (hb_risk_live_t *self, int64_t now, int64_t recv_ns)
{
    //  called after every message applied: the check clears the body itself
    //  when a request is due, so only then is the envelope cleared
    if (hb_risk_hedge_check (self->risk, now, &self->out.u.risk_hedge) != 1)
        return;
    memset (&self->out.env, 0, sizeof self->out.env);
    self->out.env.type = HB_MSG_RISK_HEDGE;
    self->out.env.ts_venue = now;
    self->out.env.ts_recv = recv_ns;
    if (hb_pub_send (self->pub, NULL, &self->out) == 0) {
        self->hedges++;
        //  now is the data time decided at: the newest input's ts_pub
        hb_metric_observe_interval (self->m_decision, now, self->out.env.ts_pub);
        hb_info ("risk: hedge request %s", self->out.u.risk_hedge.id);
    }
    else
        hb_error ("risk: cannot publish hedge request %s", self->out.u.risk_hedge.id);
}

//  ---------------------------------------------------------------------------
//  The data-time grid (docs/RISK.md): every decision is taken at a data
//  time T on the messages stamped up to T, in one order, whatever the
//  order they arrived in, so a replay of the feeds decides the same.

//  The grid stream of a feed's message (publisher "feed.<venue>"), -1
//  for anything else
static int
s_stream (hb_risk_live_t *self, const hb_msg_t *msg)
{
    const char *publisher = msg->env.publisher;
    if (strncmp (publisher, "feed.", 5) != 0)
        return -1;
    const hb_venue_cfg_t *venue = hb_config_venue (self->cfg, publisher + 5);
    return venue ? self->stream_of [venue - self->cfg->venues] : -1;
}

static void
s_publish (hb_risk_live_t *self, int64_t now)
{
    memset (&self->out, 0, sizeof self->out);
    self->out.env.type = HB_MSG_RISK_EXPOSURE;
    self->out.env.ts_venue = now;
    self->out.env.ts_recv = hb_wall_ns ();
    hb_risk_report (self->risk, now, &self->out.u.risk_exposure);
    if (hb_pub_send (self->pub, NULL, &self->out) != 0)
        hb_error ("risk: cannot publish risk.exposure");
}

//  The sample at data time t: returns, hedge check, and risk.exposure at
//  the first sample of each publish_ms period of the grid
static void
s_sample (hb_risk_live_t *self, int64_t t)
{
    if (hb_risk_samples (self->risk) == 0)
        hb_info ("risk: data-time grid from %lld (to replay this run: hb-risk --grid-from %lld)",
                 (long long) t, (long long) t);
    hb_risk_ckpt_restore (self->ckpt, self->risk, t);      //  the first sample only
    hb_risk_sample (self->risk, t);
    hb_risk_ckpt_sampled (self->ckpt, self->risk);
    s_hedge_check (self, t, hb_wall_ns ());
    int64_t period = (int64_t) self->cfg->risk.publish_ms * 1000000;
    if (self->published_ns == 0 || t / period != self->published_ns / period) {
        s_publish (self, t);
        self->published_ns = t;
    }
}

//  Positions pending (docs/RISK.md): the engine's flag follows the
//  applied states, after anything that may change them
static void
s_pending_update (hb_risk_live_t *self)
{
    int pending = hb_poshist_pending (self->states, NULL);
    hb_risk_set_positions_pending (self->risk, pending > 0);
    hb_metric_set (self->m_pending, pending);
    //  a snapshot asked only because positions were pending: the states
    //  that include every fill seen have come (the aggregator was slow, not
    //  lossy), so the picture is whole without it
    if (pending == 0 && !self->snapshot_done && self->resnap_pending) {
        self->snapshot_done = true;
        self->resnap_pending = false;
        hb_risk_set_positions_known (self->risk, true);
        hb_info ("risk: positions complete again: the aggregator's states include every fill seen");
    }
}

//  A fill is applied with the aggregator's position state that ends with
//  it. false: not there yet, wait (the grid stops). After S_LATE_MS, when
//  forced, or when positions are pending already (the aggregator is behind:
//  waiting only delays the flag), the fill is taken without its state: the
//  position is pending (no hedge request) until a state including the fill
//  is applied. Never the latest state instead: that would be a guess.
static bool
s_apply_fill (hb_risk_live_t *self, const hb_fill_t *fill, int64_t mono, bool force)
{
    const hb_venue_cfg_t *venue = hb_config_venue (self->cfg, fill->venue);
    if (!venue || !hb_venue_instrument (venue, fill->symbol))
        return true;
    if (!hb_poshist_find (self->states, fill->venue, fill->symbol, fill->fill_id)) {
        if (!self->stall_mono)
            self->stall_mono = mono;
        if (!force && hb_poshist_pending (self->states, NULL) == 0
        &&  mono - self->stall_mono <= (int64_t) S_LATE_MS * 1000000)
            return false;
    }
    self->stall_mono = 0;
    const hb_position_t *pos = hb_poshist_take (self->states, fill->venue, fill->symbol,
                                                fill->fill_id, mono);
    if (pos)
        hb_risk_set_position (self->risk, pos);
    else
        hb_complain (&self->c_pending, HB_LOG_WARN, "risk: no position state of %s/%s with fill "
                     "%s from the aggregator: positions pending, no hedge request until it comes",
                     fill->venue, fill->symbol, fill->fill_id);
    s_pending_update (self);
    return true;
}

//  Steps the grid until it waits. After each message applied a hedge check
//  at its data time: a band is left because of an input (a price, a fill),
//  not because of the clock, and the engine still gives at most one
//  request per sample.
static void
s_drain (hb_risk_live_t *self, bool force)
{
    int64_t mono = hb_mono_ns ();
    for (;;) {
        int stream;
        const hb_grid_item_t *item;
        int64_t t;
        hb_grid_step_t step = hb_grid_next (self->grid, mono, &stream, &item, &t);
        if (step == HB_GRID_WAIT)
            return;
        if (step == HB_GRID_SAMPLE) {
            s_sample (self, t);
            hb_grid_sampled (self->grid);
            continue;
        }
        t = item->env.ts_pub;
        if (item->env.type == HB_MSG_FILL) {
            if (!s_apply_fill (self, &item->u.fill, mono, force))
                return;
            hb_risk_fill_applied (self->risk, &item->env, &item->u.fill, t);
        }
        else {
            self->item.env = item->env;
            self->item.u.tick = item->u.tick;
            if (hb_risk_on_tick (self->risk, &self->item, t) != 0)
                hb_complain (&self->c_ignored, HB_LOG_DEBUG, "risk: a tick of %s/%s not used",
                             item->u.tick.venue, item->u.tick.symbol);
        }
        hb_grid_pop (self->grid, stream);
        s_hedge_check (self, t, hb_wall_ns ());
    }
}

//  A feed's message (in self->in): progress of its venue; ticks and fills
//  wait in the grid for their turn
static void
s_on_feed (hb_risk_live_t *self, int stream)
{
    uint8_t type = self->in.env.type;
    //  a tick stamped far from this host's clock (a clock step on the
    //  feed's host) would move data time for every venue: quarantined,
    //  before the grid (a replay's ticks are in the past: ahead only)
    if (type == HB_MSG_TICK
    &&  hb_risk_quarantine_clock (self->risk, &self->in, hb_wall_ns (), HB_SUB_MAX_AHEAD_NS,
                                  self->replay ? 0 : S_TICK_BEHIND_NS))
        return;
    //  a fill the aggregator refuses before its journal (the same rule)
    //  never gets a position state: waiting for one would stop hedging
    if (type == HB_MSG_FILL && !hb_config_fill_plausible (self->cfg, &self->in.u.fill)) {
        hb_metric_inc (self->m_implausible);
        hb_complain (&self->c_implausible, HB_LOG_ERROR,
                     "risk: fill %s/%s (%.6g @ %.6g) is implausible (over max_fill_usd or not finite): "
                     "not applied", self->in.u.fill.venue, self->in.u.fill.fill_id,
                     self->in.u.fill.qty, self->in.u.fill.px);
        return;
    }
    bool keep = type == HB_MSG_TICK || type == HB_MSG_FILL;
    if (hb_grid_push (self->grid, stream, &self->in, keep, hb_mono_ns ()) == 0)
        return;
    //  full: this venue is far ahead of another; stop waiting for it
    s_drain (self, true);
    if (hb_grid_push (self->grid, stream, &self->in, keep, hb_mono_ns ()) != 0)
        hb_complain (&self->c_ignored, HB_LOG_WARN, "risk: data-time queue of %s full: a %s dropped",
                     self->in.env.publisher, hb_msg_type_name (type));
}

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
        //  a loss on the aggregator's stream, or of a fill (a position
        //  we could never match): ask the owner, do not guess
        if (((status == HB_SEQ_GAP || status == HB_SEQ_RESTART)
        &&   (strncmp (topic, "pos.", 4) == 0 || strncmp (topic, "margin.", 7) == 0))
        ||  (status == HB_SEQ_GAP && strncmp (topic, "fill.", 5) == 0))
            s_resync (self, topic, status);
        int stream = s_stream (self, &self->in);
        //  the aggregator speaks while its snapshot is awaited: a request
        //  sent while it could not take it (frozen, down) was dropped, so
        //  ask now rather than at the next retry
        if (stream < 0 && !self->snapshot_done && self->snap
        &&  hb_mono_ns () - self->asked_mono > (int64_t) S_REASK_MS * 1000000)
            s_snapshot_request (self);
        if (stream >= 0)
            s_on_feed (self, stream);
        else
        if (self->in.env.type == HB_MSG_POSITION) {
            //  applied when the grid reaches its fill, not now; at once when
            //  it is the late state of a pending position, or a
            //  republication of the state applied (hb_poshist.h)
            if (hb_poshist_add (self->states, &self->in.u.position, self->in.env.epoch,
                                self->in.env.seq, hb_mono_ns ())) {
                hb_risk_set_position (self->risk, &self->in.u.position);
                s_pending_update (self);
            }
        }
        else
        if (hb_risk_on_state (self->risk, topic, &self->in) != 0)
            hb_complain (&self->c_ignored, HB_LOG_DEBUG, "risk: %s not used", topic);
    }
    s_drain (self, false);
    return 0;
}

static void
s_snapshot_request (hb_risk_live_t *self)
{
    //  DEALER, not REQ: a request that is never answered must not block
    //  the next one
    self->asked_mono = hb_mono_ns ();
    zmsg_t *request = zmsg_new ();
    zmsg_addmem (request, NULL, 0);
    zmsg_addstr (request, "");
    if (!self->snap || zmsg_send (&request, self->snap) != 0)
        zmsg_destroy (&request);
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
    uint64_t applied = 0, epoch = 0;
    bool ended = false;
    while (zmsg_size (reply) >= 2) {
        char *topic = zmsg_popstr (reply);
        zframe_t *payload = zmsg_pop (reply);
        if (topic && payload
        &&  hb_msg_decode (&self->in, zframe_data (payload), zframe_size (payload), NULL) == 0) {
            if (self->in.env.type == HB_MSG_SNAPSHOT_END) {
                ended = true;
                epoch = self->in.env.epoch;
            }
            else {
                //  the state the grid's fills start from (unless a live
                //  update newer than this reply was applied)
                if (self->in.env.type == HB_MSG_POSITION
                &&  hb_poshist_snapshot (self->states, &self->in.u.position,
                                         self->in.env.epoch, self->in.env.seq))
                    hb_risk_set_position (self->risk, &self->in.u.position);
                if (hb_risk_on_state (self->risk, topic, &self->in) == 0)
                    applied++;
            }
        }
        zstr_free (&topic);
        zframe_destroy (&payload);
    }
    zmsg_destroy (&reply);
    s_pending_update (self);
    if (ended && !self->snapshot_done) {
        self->snapshot_done = true;
        self->resnap_pending = false;
        self->snapshots++;
        hb_risk_snapshot_done (self->risk, epoch);
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
    if (!self->snapshot_done && (self->snap || s_snap_open (self) == 0))
        s_snapshot_request (self);
    return 0;
}

//  Positions pending long (docs/RISK.md, Positions pending): after
//  S_PENDING_RESNAP_MS the aggregator is asked for a snapshot (once per
//  episode; positions unknown until it answers); after S_PENDING_GIVEUP_MS,
//  a position the aggregator kept republishing without the fill for that
//  long (it refused the fill) takes the aggregator's word, loudly.
static void
s_pending_check (hb_risk_live_t *self)
{
    int64_t since, mono = hb_mono_ns ();
    if (hb_poshist_pending (self->states, &since) == 0)
        return;
    if (since != self->resnap_for && mono - since > (int64_t) S_PENDING_RESNAP_MS * 1000000) {
        self->resnap_for = since;
        if (self->snapshot_done) {
            hb_warn ("risk: positions pending for %d s: asking the aggregator for a snapshot",
                     S_PENDING_RESNAP_MS / 1000);
            self->snapshot_done = false;
            self->resnap_pending = true;
            self->resyncs++;
            hb_risk_set_positions_known (self->risk, false);
            if (s_snap_open (self) == 0)
                s_snapshot_request (self);
        }
    }
    const hb_position_t *pos;
    while ((pos = hb_poshist_expire (self->states, mono, (int64_t) S_PENDING_GIVEUP_MS * 1000000,
                                     (int64_t) S_LATE_MS * 1000000)) != NULL) {
        hb_metric_inc (self->m_unconfirmed);
        hb_error ("risk: the aggregator has published %s/%s without the fill risk saw for %d s "
                  "(refused?): its state (last fill %s) taken", pos->venue, pos->symbol,
                  S_PENDING_GIVEUP_MS / 1000, pos->last_fill);
        hb_risk_set_position (self->risk, pos);
    }
    s_pending_update (self);
}

//  Silent venues and fills waiting for their state are noticed here, by
//  the wall clock (hb_grid.h)
static int
s_on_grid_timer (zloop_t *loop, int timer_id, void *arg)
{
    (void) loop;
    (void) timer_id;
    hb_risk_live_t *self = (hb_risk_live_t *) arg;
    if (__atomic_load_n (&self->stop, __ATOMIC_RELAXED))
        return -1;
    s_drain (self, false);
    s_pending_check (self);
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
    //  the reason it cannot do its job (docs/PROTOCOL.md, heartbeat):
    //  1 positions not known, 2 positions pending
    hb->status = (self->snapshot_done ? 0 : 1)
               | (hb_poshist_pending (self->states, NULL) > 0 ? 2 : 0);
    hb_pub_send (self->pub, NULL, &msg);
    return 0;
}

hb_risk_live_t *
hb_risk_live_new (const hb_config_t *cfg)
{
    return hb_risk_live_new_on (cfg, NULL);
}

hb_risk_live_t *
hb_risk_live_new_on (const hb_config_t *cfg, zloop_t *loop)
{
    assert (cfg);
    const hb_risk_cfg_t *rc = &cfg->risk;
    hb_risk_live_t *self = (hb_risk_live_t *) calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->cfg = cfg;
    self->started_mono = hb_mono_ns ();
    self->m_decision = hb_metrics_decision_latency ("risk");
    self->pub = hb_pub_new (rc->endpoint, "risk", 0);
    self->sub = hb_sub_new (0);
    self->own_loop = loop == NULL;
    self->loop = loop ? loop : zloop_new ();
    self->risk = self->pub ? hb_risk_new (cfg, hb_pub_epoch (self->pub)) : NULL;
    int n_streams = 0;
    for (int v = 0; v < cfg->n_venues; v++)
        self->stream_of [v] = cfg->venues [v].enabled ? n_streams++ : -1;
    //  lead: a quote still fresh at the first sample was received
    self->grid = hb_grid_new (n_streams > 0 ? n_streams : 1, S_GRID_CAPACITY,
                              (int64_t) rc->sample_ms * 1000000, (int64_t) rc->quote_stale_ms * 1000000,
                              (int64_t) S_LATE_MS * 1000000, hb_mono_ns ());
    self->states = hb_poshist_new (S_POS_HISTORY, HB_MAX_VENUES * HB_MAX_INSTRUMENTS);
    self->ckpt = hb_risk_ckpt_new (cfg);
    hb_metrics_t *metrics = hb_metrics_process ();
    self->m_pending = hb_metrics_gauge (metrics, "hb_risk_positions_pending",
                                        "Positions holding a fill no aggregator state applied includes yet",
                                        NULL, NULL);
    self->m_implausible = hb_metrics_counter (metrics, "hb_risk_implausible_fills_total",
                                              "Fills not applied: over max_fill_usd or not finite "
                                              "(the aggregator refuses them too)", NULL, NULL);
    self->m_unconfirmed = hb_metrics_counter (metrics, "hb_risk_fills_unconfirmed_total",
                                              "Pending positions given up: the aggregator kept them without the fill",
                                              NULL, NULL);
    if (!self->pub || !self->sub || !self->loop || !self->risk || !self->grid || !self->states
    ||  !self->ckpt)
        goto fail;
    hb_risk_set_data_time (self->risk, true);
    for (int v = 0; v < cfg->n_venues; v++) {
        const hb_venue_cfg_t *venue = &cfg->venues [v];
        if (!venue->enabled)
            continue;
        //  fills: positions change on the grid; the heartbeat: a venue in
        //  outage still moves its stream on
        char prefix [3][HB_TOPIC_MAX];
        snprintf (prefix [0], HB_TOPIC_MAX, "tick.%s.", venue->name);
        snprintf (prefix [1], HB_TOPIC_MAX, "fill.%s.", venue->name);
        snprintf (prefix [2], HB_TOPIC_MAX, "hb.feed.%s", venue->name);
        hb_sub_role_t role;
        hb_roles_feed (venue, &role);
        if (hb_sub_connect_role (self->sub, venue->endpoint, &role) != 0 || hb_sub_subscribe (self->sub, prefix [0]) != 0
        ||  hb_sub_subscribe (self->sub, prefix [1]) != 0 || hb_sub_subscribe (self->sub, prefix [2]) != 0)
            goto fail;
    }
    hb_sub_role_t aggregator;
    hb_roles_aggregator (&aggregator);
    if (hb_sub_connect_role (self->sub, cfg->aggregator.endpoint, &aggregator) != 0
    ||  hb_sub_subscribe (self->sub, "pos.") != 0 || hb_sub_subscribe (self->sub, "margin.") != 0
    ||  s_snap_open (self) != 0)
        goto fail;
    if (hb_sub_attach (self->sub, self->loop, s_on_bus, self) != 0
    ||  zloop_timer (self->loop, S_GRID_TIMER_MS, 0, s_on_grid_timer, self) < 0
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
        if (self->sub)
            hb_sub_detach (self->sub);
        if (self->own_loop)
            zloop_destroy (&self->loop);
        hb_grid_destroy (&self->grid);
        hb_poshist_destroy (&self->states);
        if (self->ckpt)
            hb_risk_ckpt_save (self->ckpt, self->risk);     //  a clean stop
        hb_risk_ckpt_destroy (&self->ckpt);
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
    assert (self && self->own_loop);
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

void
hb_risk_live_grid_from (hb_risk_live_t *self, int64_t t0_ns)
{
    assert (self);
    self->replay = true;
    hb_grid_start (self->grid, t0_ns);
    //  a replay decides like the run it replays, which started cold
    hb_risk_ckpt_disable (self->ckpt, "a replay (--grid-from) starts cold");
}
