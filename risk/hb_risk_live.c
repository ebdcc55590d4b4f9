/*  hb_risk_live: hb-risk on the bus (see hb_risk_live.h).                */
#include "hb_roles.h"
#include "hb_risk_live.h"
#include "hb_applog.h"
#include "hb_applog_reader.h"
#include "hb_curve.h"
#include "hb_heartbeat.h"
#include "hb_poshist.h"
#include "hb_recording.h"

#include <assert.h>
#include <errno.h>
#include <string.h>

#include "hb_log.h"
#include "hb_metrics.h"
#include "hb_pub.h"
#include "hb_risk.h"
#include "hb_risk_ckpt.h"
#include "hb_optlive.h"
#include "hb_risk_sample.h"
#include "hb_sub.h"
#include "hb_time.h"

#define S_HEARTBEAT_MS      1000
#define S_SNAPSHOT_RETRY_MS 2000
#define S_REASK_MS          250     //  at most this often when the aggregator is heard (s_on_bus)
#define S_DRAIN_MAX         256     //  messages per wake-up before timers get a turn
#define S_CLOCK_MS          10      //  the clock timer: samples due, the log flushed
#define S_PENDING_EVERY_NS  (50 * 1000000LL)    //  how often pending positions are looked at
#define S_STATE_WAIT_NS     (3000 * 1000000LL)  //  a pending position's quiet bound (hb_poshist_expire)
#define S_POS_HISTORY       512     //  aggregator position states kept (hb_poshist.h)
#define S_PENDING_RESNAP_MS 5000    //  positions pending this long: ask the aggregator for a snapshot
#define S_PENDING_GIVEUP_MS 20000   //  ... this long while it publishes them without the fill: its word
#define S_TICK_BEHIND_NS    (30 * 1000000000LL)    //  a live tick stamped further back is quarantined
#define S_BLOB_MAX          HB_RISK_CKPT_MAX    //  the largest blob: a checkpoint (a snapshot frame is
                                                //  a topic and a payload of at most HB_MSG_MAX_SIZE)
#define S_HOLD_MS           3000    //  the log waits this long at most for a recorder    //  a snapshot frame (topic, payload) or a checkpoint state

//  What the log records besides bus messages (hb_applog.h): the timers
#define S_TIMER_SAMPLE      1       //  a sample of the grid, at its t
#define S_TIMER_PENDING     2       //  pending positions looked at
//  ... and what came from outside the bus; S_BLOB_MORE: more parts follow
#define S_BLOB_SNAP_FRAME   1       //  one (topic, payload) of a snapshot reply: topic NUL payload
#define S_BLOB_SNAP_DONE    2       //  the reply has been applied
#define S_BLOB_CKPT         3       //  the checkpoint state restored (hb_risk_state_t)
#define S_BLOB_MORE         0x80

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
    int64_t      started_mono;
    uint64_t     msgs_in, hedges, snapshots, resyncs;
    hb_msg_t     in;
    hb_msg_t     out;
    hb_risk_report_t *report;       //  the sample being published, cut into parts
    hb_complain_t c_ignored;
    //  arrival order, recorded (hb_applog.h; docs/RISK.md, Arrival order)
    hb_applog_t *applog;            //  NULL in a replay
    bool         log_held;          //  until the recorder's subscription came
    int64_t      now;               //  when the item being applied was applied
    int64_t      newest_pub;        //  ts_pub of the newest input applied (decision latency)
    int64_t      first_feed;        //  when the first venue message was applied, 0: none yet
    int64_t      next_sample;       //  the next grid time, 0: not fixed yet
    int64_t      pending_at;        //  when positions pending were last looked at
    uint64_t     checked;           //  hb_risk_changes at the last hedge check
    //  a replay (hb_risk_live_replay): no sockets, outputs into a recording
    hb_recording_t *replay_out;
    uint64_t     replay_seq;
    uint64_t     replay_epoch;
    uint8_t      blob [S_BLOB_MAX]; //  a blob's parts being put together
    size_t       blob_size;
    //  a snapshot reply being applied
    uint64_t     snap_applied, snap_epoch;
    bool         snap_ended;
    hb_poshist_t *states;           //  the aggregator's recent position states
    int64_t      published_ns;      //  time of the last risk.exposure
    int64_t      resnap_for;        //  the pending episode (its start) a snapshot was asked for
    hb_complain_t c_pending;
    hb_metric_t  *m_pending;        //  hb_risk_positions_pending
    hb_metric_t  *m_unconfirmed;    //  hb_risk_fills_unconfirmed_total
    hb_metric_t  *m_implausible;    //  hb_risk_implausible_fills_total
    hb_complain_t c_implausible;
    hb_metric_t  *m_decision;       //  hb_decision_latency_seconds{component="risk"}
    hb_risk_ckpt_t *ckpt;           //  the estimator's checkpoint (hb_risk_ckpt.h)
    hb_optlive_t *opt;              //  the option legs (hb_optlive.h)
    uint64_t     optplans;          //  risk.optplan published
};

static void s_snapshot_request (hb_risk_live_t *self);
static int s_on_snapshot (zloop_t *loop, zsock_t *reader, void *arg);

//  ---------------------------------------------------------------------------
//  Outputs: the bus, or a replay's recording. Every decision is preceded on
//  the bus by the log of what it was decided on (hb_applog.h).

static int
s_send (hb_risk_live_t *self, hb_msg_t *msg)
{
    if (!self->replay_out) {
        if (self->applog)
            hb_applog_flush (self->applog);
        return hb_pub_send (self->pub, NULL, msg);
    }
    hb_env_t *env = &msg->env;
    env->version = HB_SCHEMA_VERSION;
    snprintf (env->publisher, sizeof env->publisher, "risk");
    env->epoch = self->replay_epoch;
    env->seq = ++self->replay_seq;
    env->ts_pub = self->now;
    char topic [HB_TOPIC_MAX];
    static hb_buf_t buf;
    if (hb_msg_topic (msg, topic) < 0 || hb_msg_encode (msg, &buf) != 0)
        return -1;
    return hb_recording_append (self->replay_out, self->now, topic, buf.data, buf.size, env);
}

static int
s_applog_send (hb_msg_t *msg, void *arg)
{
    hb_risk_live_t *self = (hb_risk_live_t *) arg;
    //  the envelope is stamped by the send: the topic cannot come from it
    return hb_pub_send (self->pub, "seq.risk", msg);
}

//  Something read from outside the bus, into the log (in parts when big)
static void
s_log_blob (hb_risk_live_t *self, uint8_t kind, const void *data, size_t size)
{
    if (!self->applog)
        return;
    const uint8_t *at = (const uint8_t *) data;
    while (size > HB_APPLOG_BLOB_MAX) {
        hb_applog_blob (self->applog, kind | S_BLOB_MORE, self->now, at, HB_APPLOG_BLOB_MAX);
        at += HB_APPLOG_BLOB_MAX;
        size -= HB_APPLOG_BLOB_MAX;
    }
    hb_applog_blob (self->applog, kind, self->now, at, size);
}

//  A new DEALER to the aggregator's snapshot ROUTER, in the loop. A new
//  socket per resync: a reply to a request sent before the loss goes to
//  the old one and is never taken for the state after it.
static int
s_snap_open (hb_risk_live_t *self)
{
    if (self->replay_out)
        return 0;
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

//  Publishes a hedge request when the engine says one is due now (after
//  every input that can change a plan, and every sample): stamped
//  ts_venue = ts_recv = the time it was decided at, in the log's clock.
static void
s_hedge_check (hb_risk_live_t *self)
{
    //  called after every input applied, checks when the input may have
    //  changed the decision (hb_risk_changes: a tick of another instrument
    //  or a repeated mid cannot; a sample always can, so what time alone
    //  changes is seen there). A replay skips the same checks.
    uint64_t changes = hb_risk_changes (self->risk);
    if (changes == self->checked)
        return;
    self->checked = changes;
    //  the check clears the body itself when a request is due, so only
    //  then is the envelope cleared
    if (hb_risk_hedge_check (self->risk, self->now, &self->out.u.risk_hedge) != 1)
        return;
    memset (&self->out.env, 0, sizeof self->out.env);
    self->out.env.type = HB_MSG_RISK_HEDGE;
    self->out.env.ts_venue = self->now;
    self->out.env.ts_recv = self->now;
    if (s_send (self, &self->out) == 0) {
        self->hedges++;
        //  from the newest input's publication to this one's
        hb_metric_observe_interval (self->m_decision, self->newest_pub, self->out.env.ts_pub);
        hb_info ("risk: hedge request %s", self->out.u.risk_hedge.id);
    }
    else
        hb_error ("risk: cannot publish hedge request %s", self->out.u.risk_hedge.id);
}

//  A feed's message (publisher "feed.<venue>" of an enabled venue)
static bool
s_from_feed (hb_risk_live_t *self, const hb_msg_t *msg)
{
    const char *publisher = msg->env.publisher;
    if (strncmp (publisher, "feed.", 5) != 0)
        return false;
    const hb_venue_cfg_t *venue = hb_config_venue (self->cfg, publisher + 5);
    return venue && venue->enabled;
}

//  The sample as risk.exposure parts, then risk.corr parts (hb_risk_sample.h)
static void
s_publish (hb_risk_live_t *self)
{
    hb_risk_report (self->risk, self->now, self->report);
    int parts = hb_risk_sample_parts (self->report);
    for (int i = 0; i < parts; i++) {
        memset (&self->out.env, 0, sizeof self->out.env);
        hb_risk_sample_part (self->report, i, &self->out);
        self->out.env.ts_venue = self->now;
        self->out.env.ts_recv = self->now;
        if (s_send (self, &self->out) != 0) {
            hb_error ("risk: cannot publish %s part %d of %d",
                      hb_msg_type_name (self->out.env.type), i, parts);
            break;
        }
    }
}

//  risk.regime for each pair whose state this sample changed (decided
//  at the sample: the same in a replay)
static void
s_regime_events (hb_risk_live_t *self)
{
    const hb_risk_regime_t *events = NULL;
    int count = hb_risk_regime_events (self->risk, &events);
    for (int i = 0; i < count; i++) {
        memset (&self->out, 0, sizeof self->out);
        self->out.env.type = HB_MSG_RISK_REGIME;
        self->out.env.ts_venue = self->now;
        self->out.env.ts_recv = self->now;
        self->out.u.risk_regime = events [i];
        hb_info ("risk: regime %s:%s %s -> %s (%s, statistic %.2f)", events [i].target,
                 events [i].proxy, hb_regime_state_name ((hb_regime_state_t) events [i].previous),
                 hb_regime_state_name ((hb_regime_state_t) events [i].state),
                 hb_regime_kind_name ((hb_regime_kind_t) events [i].kind), events [i].statistic);
        if (s_send (self, &self->out) != 0)
            hb_error ("risk: cannot publish risk.regime");
    }
}

//  risk.optplan for each asset whose gamma or vega is over its band and
//  whose last plan is done (hb_optlive.h; decided at the sample: the same
//  in a replay)
static void
s_optplans (hb_risk_live_t *self)
{
    for (int a = 0; a < self->cfg->n_assets; a++) {
        hb_risk_optplan_t *plan = &self->out.u.risk_optplan;
        if (hb_optlive_check (self->opt, self->risk, a, self->now, hb_risk_samples (self->risk),
                              plan) != 1)
            continue;
        memset (&self->out.env, 0, sizeof self->out.env);
        self->out.env.type = HB_MSG_RISK_OPTPLAN;
        self->out.env.ts_venue = self->now;
        self->out.env.ts_recv = self->now;
        if (plan->n_legs > 0)
            hb_info ("risk: option plan %s: %d legs, gamma %.0f -> %.0f USD/1%%, cost %.2f USD",
                     plan->id, plan->n_legs, plan->gamma_before, plan->gamma_after, plan->cost);
        else
            hb_info ("risk: option plan %s: no option hedge: %s", plan->id, plan->why);
        if (s_send (self, &self->out) == 0)
            self->optplans++;
        else
            hb_error ("risk: cannot publish risk.optplan %s", plan->id);
    }
}

//  A sample of the grid (the clock timer found one due): returns, hedge
//  check, and risk.exposure at the first sample of each publish_ms period
static void
s_sample (hb_risk_live_t *self)
{
    if (hb_risk_samples (self->risk) == 0)
        hb_info ("risk: first sample at %lld", (long long) self->now);
    hb_risk_sample (self->risk, self->now);
    if (!self->replay_out)
        hb_risk_ckpt_sampled (self->ckpt, self->risk);
    s_regime_events (self);
    s_hedge_check (self);
    s_optplans (self);
    int64_t period = (int64_t) self->cfg->risk.publish_ms * 1000000;
    if (self->published_ns == 0 || self->now / period != self->published_ns / period) {
        s_publish (self);
        self->published_ns = self->now;
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

//  A fill is applied as it comes, with the aggregator's position state that
//  ends with it when that came first; else the position is pending (no
//  hedge request) until a state including the fill is applied. Never the
//  latest state instead: that would be a guess.
static void
s_apply_fill (hb_risk_live_t *self, const hb_env_t *env, const hb_fill_t *fill)
{
    const hb_venue_cfg_t *venue = hb_config_venue (self->cfg, fill->venue);
    if (!venue || !hb_venue_instrument (venue, fill->symbol))
        return;
    const hb_position_t *pos = hb_poshist_take (self->states, fill->venue, fill->symbol,
                                                fill->fill_id, self->now);
    if (pos)
        hb_risk_set_position (self->risk, pos);
    else
        hb_complain (&self->c_pending, HB_LOG_DEBUG, "risk: fill %s of %s/%s before its position "
                     "state: positions pending, no hedge request until it comes",
                     fill->fill_id, fill->venue, fill->symbol);
    s_pending_update (self);
    hb_risk_fill_applied (self->risk, env, fill, self->now);
}

//  A feed's message (in self->in): ticks and fills, applied now
static void
s_on_feed (hb_risk_live_t *self)
{
    uint8_t type = self->in.env.type;
    if (!self->first_feed)
        self->first_feed = self->now;
    //  a tick stamped far from this host's clock (a clock step on the
    //  feed's host) is quarantined
    if (type == HB_MSG_TICK
    &&  hb_risk_quarantine_clock (self->risk, &self->in, self->now, HB_SUB_MAX_AHEAD_NS,
                                  S_TICK_BEHIND_NS))
        return;
    if (type == HB_MSG_TICK) {
        hb_optlive_on_tick (self->opt, &self->in.u.tick, self->now);
        if (hb_risk_on_tick (self->risk, &self->in, self->now) != 0)
            hb_complain (&self->c_ignored, HB_LOG_DEBUG, "risk: a tick of %s/%s not used",
                         self->in.u.tick.venue, self->in.u.tick.symbol);
        return;
    }
    //  a leg's final ack ends its plan's hold (hb_optlive.h)
    if (type == HB_MSG_ACK) {
        hb_optlive_on_ack (self->opt, &self->in.u.ack);
        return;
    }
    if (type != HB_MSG_FILL)
        return;
    //  a fill the aggregator refuses before its journal (the same rule)
    //  never gets a position state: it would leave the position pending
    if (!hb_config_fill_plausible (self->cfg, &self->in.u.fill)) {
        hb_metric_inc (self->m_implausible);
        hb_complain (&self->c_implausible, HB_LOG_ERROR,
                     "risk: fill %s/%s (%.6g @ %.6g) is implausible (over max_fill_usd or not finite): "
                     "not applied", self->in.u.fill.venue, self->in.u.fill.fill_id,
                     self->in.u.fill.qty, self->in.u.fill.px);
        return;
    }
    s_apply_fill (self, &self->in.env, &self->in.u.fill);
}

//  One bus message (in self->in), applied at self->now: live as it is
//  received, in a replay as the log says
static void
s_apply (hb_risk_live_t *self, const char *topic, hb_seq_status_t status)
{
    self->msgs_in++;
    if (self->in.env.ts_pub > self->newest_pub)
        self->newest_pub = self->in.env.ts_pub;
    //  a loss on the aggregator's stream, or of a fill (a position
    //  we could never match): ask the owner, do not guess
    if (((status == HB_SEQ_GAP || status == HB_SEQ_RESTART)
    &&   (strncmp (topic, "pos.", 4) == 0 || strncmp (topic, "margin.", 7) == 0))
    ||  (status == HB_SEQ_GAP && strncmp (topic, "fill.", 5) == 0))
        s_resync (self, topic, status);
    if (s_from_feed (self, &self->in))
        s_on_feed (self);
    else
    if (self->in.env.type == HB_MSG_POSITION) {
        //  applied when its fill is applied (which may have come first:
        //  then it is the late state of a pending position), or a
        //  republication of the state applied (hb_poshist.h)
        if (hb_poshist_add (self->states, &self->in.u.position, self->in.env.epoch,
                            self->in.env.seq, self->now)) {
            hb_risk_set_position (self->risk, &self->in.u.position);
            s_pending_update (self);
        }
    }
    else
    if (hb_risk_on_state (self->risk, topic, &self->in) != 0)
        hb_complain (&self->c_ignored, HB_LOG_DEBUG, "risk: %s not used", topic);
    s_hedge_check (self);
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
        self->now = hb_wall_ns ();
        hb_applog_input (self->applog, topic, &self->in.env, (uint8_t) status, self->now);
        //  the aggregator speaks while its snapshot is awaited: a request
        //  sent while it could not take it (frozen, down) was dropped, so
        //  ask now rather than at the next retry
        if (!self->snapshot_done && self->snap && !s_from_feed (self, &self->in)
        &&  hb_mono_ns () - self->asked_mono > (int64_t) S_REASK_MS * 1000000)
            s_snapshot_request (self);
        s_apply (self, topic, status);
    }
    return 0;
}

static void
s_snapshot_request (hb_risk_live_t *self)
{
    //  DEALER, not REQ: a request that is never answered must not block
    //  the next one
    self->asked_mono = hb_mono_ns ();
    if (self->replay_out)
        return;
    zmsg_t *request = zmsg_new ();
    zmsg_addmem (request, NULL, 0);
    zmsg_addstr (request, "");
    if (!self->snap || zmsg_send (&request, self->snap) != 0)
        zmsg_destroy (&request);
}

//  One (topic, payload) of a snapshot reply
static void
s_snap_frame (hb_risk_live_t *self, const char *topic, const void *payload, size_t size)
{
    if (hb_msg_decode (&self->in, payload, size, NULL) != 0)
        return;
    if (self->in.env.type == HB_MSG_SNAPSHOT_END) {
        self->snap_ended = true;
        self->snap_epoch = self->in.env.epoch;
        return;
    }
    //  the state later fills start from (unless a live update newer
    //  than this reply was applied)
    if (self->in.env.type == HB_MSG_POSITION
    &&  hb_poshist_snapshot (self->states, &self->in.u.position, self->in.env.epoch,
                             self->in.env.seq))
        hb_risk_set_position (self->risk, &self->in.u.position);
    if (hb_risk_on_state (self->risk, topic, &self->in) == 0)
        self->snap_applied++;
}

//  The whole reply has been applied
static void
s_snap_done (hb_risk_live_t *self)
{
    s_pending_update (self);
    if (self->snap_ended && !self->snapshot_done) {
        self->snapshot_done = true;
        self->resnap_pending = false;
        self->snapshots++;
        hb_risk_snapshot_done (self->risk, self->snap_epoch);
        hb_info ("risk: snapshot from the aggregator: %llu messages applied",
                 (unsigned long long) self->snap_applied);
    }
    self->snap_ended = false;
    self->snap_applied = 0;
    s_hedge_check (self);
}

//  [empty, (topic, payload)..., "snapshot.end", payload]: each pair is
//  logged (a replay has no aggregator to ask) and applied
static int
s_on_snapshot (zloop_t *loop, zsock_t *reader, void *arg)
{
    (void) loop;
    hb_risk_live_t *self = (hb_risk_live_t *) arg;
    zmsg_t *reply = zmsg_recv (reader);
    if (!reply)
        return 0;
    self->now = hb_wall_ns ();
    zframe_t *empty = zmsg_pop (reply);
    zframe_destroy (&empty);
    while (zmsg_size (reply) >= 2) {
        char *topic = zmsg_popstr (reply);
        zframe_t *payload = zmsg_pop (reply);
        size_t n = topic ? strlen (topic) : 0;
        if (topic && payload && n < HB_TOPIC_MAX && zframe_size (payload) <= HB_MSG_MAX_SIZE) {
            memcpy (self->blob, topic, n + 1);
            memcpy (self->blob + n + 1, zframe_data (payload), zframe_size (payload));
            s_log_blob (self, S_BLOB_SNAP_FRAME, self->blob, n + 1 + zframe_size (payload));
            s_snap_frame (self, topic, zframe_data (payload), zframe_size (payload));
        }
        zstr_free (&topic);
        zframe_destroy (&payload);
    }
    zmsg_destroy (&reply);
    s_log_blob (self, S_BLOB_SNAP_DONE, NULL, 0);
    s_snap_done (self);
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
    int64_t since, now = self->now;
    if (hb_poshist_pending (self->states, &since) == 0)
        return;
    if (since != self->resnap_for && now - since > (int64_t) S_PENDING_RESNAP_MS * 1000000) {
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
    while ((pos = hb_poshist_expire (self->states, now, (int64_t) S_PENDING_GIVEUP_MS * 1000000,
                                     S_STATE_WAIT_NS)) != NULL) {
        hb_metric_inc (self->m_unconfirmed);
        hb_error ("risk: the aggregator has published %s/%s without the fill risk saw for %d s "
                  "(refused?): its state (last fill %s) taken", pos->venue, pos->symbol,
                  S_PENDING_GIVEUP_MS / 1000, pos->last_fill);
        hb_risk_set_position (self->risk, pos);
    }
    s_pending_update (self);
    s_hedge_check (self);
}

//  A timer of the log, applied at self->now
static void
s_apply_timer (hb_risk_live_t *self, uint8_t timer)
{
    if (timer == S_TIMER_SAMPLE)
        s_sample (self);
    else
    if (timer == S_TIMER_PENDING)
        s_pending_check (self);
}

//  Logs and applies a timer at the wall clock
static void
s_timer (hb_risk_live_t *self, uint8_t timer)
{
    self->now = hb_wall_ns ();
    hb_applog_timer (self->applog, timer, self->now);
    s_apply_timer (self, timer);
}

//  The clock (docs/RISK.md, Arrival order): a sample when the wall clock
//  has reached the next grid time (the first quote_stale_ms after the
//  first venue message, so every quote fresh then was received), pending
//  positions looked at, and the log flushed so it gets out when nothing
//  is decided. Each is logged with the time it ran at.
static int
s_on_clock (zloop_t *loop, int timer_id, void *arg)
{
    (void) loop;
    (void) timer_id;
    hb_risk_live_t *self = (hb_risk_live_t *) arg;
    if (__atomic_load_n (&self->stop, __ATOMIC_RELAXED))
        return -1;
    int64_t wall = hb_wall_ns ();
    int64_t step = (int64_t) self->cfg->risk.sample_ms * 1000000;
    if (!self->next_sample && self->first_feed) {
        int64_t lead = self->first_feed + (int64_t) self->cfg->risk.quote_stale_ms * 1000000;
        self->next_sample = (lead / step + 1) * step;
    }
    if (self->next_sample && wall >= self->next_sample) {
        if (hb_risk_samples (self->risk) == 0 && !self->replay_out) {
            //  the checkpoint is read once, before the first sample: what
            //  it restored goes into the log (a replay reads no file)
            self->now = wall;
            //  in the checkpoint's own form: a few KB, not the state's
            //  struct of HB_RISK_MAX_ASSETS
            if (hb_risk_ckpt_restore (self->ckpt, self->risk, wall) == HB_RISK_CKPT_OK) {
                hb_risk_state_t *state = (hb_risk_state_t *) malloc (sizeof *state);
                int size = -1;
                if (state) {
                    hb_risk_export (self->risk, state);
                    size = hb_risk_ckpt_encode (self->cfg, state, wall, self->blob, sizeof self->blob);
                }
                free (state);
                if (size > 0)
                    s_log_blob (self, S_BLOB_CKPT, self->blob, (size_t) size);
                else
                    hb_error ("risk: the restored checkpoint cannot go into the log: a replay will differ");
            }
        }
        s_timer (self, S_TIMER_SAMPLE);
        //  one sample however late the timer ran: the grid goes on from now
        self->next_sample = (wall / step + 1) * step;
    }
    if (hb_poshist_pending (self->states, NULL) > 0 && wall - self->pending_at >= S_PENDING_EVERY_NS) {
        self->pending_at = wall;
        s_timer (self, S_TIMER_PENDING);
    }
    //  the log is held until a recorder listens (hb-record subscribes to
    //  "seq." by name; hb_applog_hold), or for S_HOLD_MS when none does
    if (self->log_held && (hb_pub_wait_prefix (self->pub, "seq.", 0) == 0
                       ||  hb_mono_ns () - self->started_mono > (int64_t) S_HOLD_MS * 1000000)) {
        self->log_held = false;
        hb_applog_hold (self->applog, false);
    }
    hb_applog_flush (self->applog);
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

//  What live and replay share: the engine, the position states, metrics
static hb_risk_live_t *
s_new (const hb_config_t *cfg, uint64_t epoch)
{
    hb_risk_live_t *self = (hb_risk_live_t *) calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->cfg = cfg;
    self->started_mono = hb_mono_ns ();
    self->m_decision = hb_metrics_decision_latency ("risk");
    self->risk = hb_risk_new (cfg, epoch);
    //  one record per instrument of the config (not per possible one)
    size_t slots = hb_config_instrument_slots (cfg, NULL);
    self->states = hb_poshist_new (S_POS_HISTORY, slots > 0 ? (int) slots : 1);
    self->ckpt = hb_risk_ckpt_new (cfg);
    self->report = (hb_risk_report_t *) malloc (sizeof *self->report);
    self->opt = hb_optlive_new (cfg);
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
    if (!self->risk || !self->states || !self->ckpt || !self->report || !self->opt) {
        hb_risk_live_destroy (&self);
        return NULL;
    }
    hb_risk_set_data_time (self->risk, true);
    return self;
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
    hb_pub_t *pub = hb_pub_new (cfg->risk.endpoint, "risk", 0);
    hb_risk_live_t *self = pub ? s_new (cfg, hb_pub_epoch (pub)) : NULL;
    if (!self) {
        hb_pub_destroy (&pub);
        hb_error ("risk: cannot start");
        return NULL;
    }
    self->pub = pub;
    self->sub = hb_sub_new (0);
    self->applog = hb_applog_new (s_applog_send, self);
    self->own_loop = loop == NULL;
    self->loop = loop ? loop : zloop_new ();
    if (!self->sub || !self->loop || !self->applog)
        goto fail;
    self->log_held = true;
    hb_applog_hold (self->applog, true);
    for (int v = 0; v < cfg->n_venues; v++) {
        const hb_venue_cfg_t *venue = &cfg->venues [v];
        if (!venue->enabled)
            continue;
        //  ticks, and fills: positions change as they come; acks: an
        //  option plan's legs final (hb_optlive.h)
        char prefix [3][HB_TOPIC_MAX];
        snprintf (prefix [0], HB_TOPIC_MAX, "tick.%s.", venue->name);
        snprintf (prefix [1], HB_TOPIC_MAX, "fill.%s.", venue->name);
        snprintf (prefix [2], HB_TOPIC_MAX, "ack.%s.", venue->name);
        hb_sub_role_t role;
        hb_roles_feed (venue, &role);
        if (hb_sub_connect_role (self->sub, venue->endpoint, &role) != 0
        ||  hb_sub_subscribe (self->sub, prefix [0]) != 0 || hb_sub_subscribe (self->sub, prefix [1]) != 0
        ||  hb_sub_subscribe (self->sub, prefix [2]) != 0)
            goto fail;
    }
    hb_sub_role_t aggregator;
    hb_roles_aggregator (&aggregator);
    if (hb_sub_connect_role (self->sub, cfg->aggregator.endpoint, &aggregator) != 0
    ||  hb_sub_subscribe (self->sub, "pos.") != 0 || hb_sub_subscribe (self->sub, "margin.") != 0
    ||  s_snap_open (self) != 0)
        goto fail;
    if (hb_sub_attach (self->sub, self->loop, s_on_bus, self) != 0
    ||  zloop_timer (self->loop, S_CLOCK_MS, 0, s_on_clock, self) < 0
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
        if (self->applog)
            hb_applog_flush (self->applog);
        hb_applog_destroy (&self->applog);
        hb_poshist_destroy (&self->states);
        if (self->ckpt && !self->replay_out)
            hb_risk_ckpt_save (self->ckpt, self->risk);     //  a clean stop
        hb_risk_ckpt_destroy (&self->ckpt);
        zsock_destroy (&self->snap);
        hb_sub_destroy (&self->sub);
        hb_pub_destroy (&self->pub);
        hb_risk_destroy (&self->risk);
        hb_optlive_destroy (&self->opt);
        free (self->report);
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

//  ---------------------------------------------------------------------------
//  Replay (docs/OPERATIONS.md, Replay and determinism)

//  A blob of the log (whole: its parts put together), applied
static int
s_apply_blob (hb_risk_live_t *self, uint8_t kind, const uint8_t *data, size_t size)
{
    if (kind == S_BLOB_SNAP_FRAME) {
        const uint8_t *nul = (const uint8_t *) memchr (data, '\0', size);
        if (!nul)
            return -1;
        s_snap_frame (self, (const char *) data, nul + 1, size - (size_t) (nul + 1 - data));
    }
    else
    if (kind == S_BLOB_SNAP_DONE)
        s_snap_done (self);
    else
    if (kind == S_BLOB_CKPT) {
        hb_risk_state_t *state = (hb_risk_state_t *) malloc (sizeof *state);
        char why [128];
        int rc = state && hb_risk_ckpt_decode (self->cfg, data, size, state, NULL, why, sizeof why)
                          == HB_RISK_CKPT_OK && hb_risk_import (self->risk, state) == 0 ? 0 : -1;
        free (state);
        return rc;
    }
    return 0;
}

int
hb_risk_live_replay (const hb_config_t *cfg, const char *rec_dir, const char *out_dir)
{
    assert (cfg && rec_dir && out_dir);
    hb_applog_reader_t *reader = hb_applog_reader_new (rec_dir, "risk");
    hb_recording_t *out = reader ? hb_recording_new (out_dir, NULL) : NULL;
    if (!out) {
        hb_applog_reader_destroy (&reader);
        return 1;
    }
    hb_risk_live_t *self = NULL;
    hb_applog_item_t item;
    int rc;
    uint64_t items = 0;
    while ((rc = hb_applog_reader_next (reader, &item)) == 1) {
        if (item.kind == HB_APPLOG_LIFE) {
            //  a new life starts from nothing, as the process did (what
            //  it restored is in its log)
            hb_risk_live_destroy (&self);
            self = s_new (cfg, item.epoch);
            if (!self) {
                rc = -1;
                break;
            }
            self->replay_out = out;
            self->replay_epoch = item.epoch;
            hb_info ("risk: replaying life %llu", (unsigned long long) item.epoch);
            continue;
        }
        if (!self) {
            rc = -1;
            break;
        }
        items++;
        self->now = item.t;
        if (item.kind == HB_APPLOG_IN) {
            self->in = *item.msg;
            s_apply (self, item.topic, (hb_seq_status_t) item.status);
        }
        else
        if (item.kind == HB_APPLOG_TIMER)
            s_apply_timer (self, item.sub);
        else
        if (item.kind == HB_APPLOG_BLOB) {
            if (self->blob_size + item.size > sizeof self->blob) {
                hb_error ("risk: a blob of the log is over %d bytes", S_BLOB_MAX);
                rc = -1;
                break;
            }
            memcpy (self->blob + self->blob_size, item.data, item.size);
            self->blob_size += item.size;
            if (item.sub & S_BLOB_MORE)
                continue;
            size_t size = self->blob_size;
            self->blob_size = 0;
            if (s_apply_blob (self, item.sub, self->blob, size) != 0) {
                hb_error ("risk: blob %u of the log does not apply", item.sub);
                rc = -1;
                break;
            }
        }
    }
    hb_risk_live_destroy (&self);
    hb_applog_reader_destroy (&reader);
    hb_recording_destroy (&out);
    hb_info ("risk: replay %s: %llu items applied", rc == 0 ? "done" : "stopped",
             (unsigned long long) items);
    return rc == 0 ? 0 : 1;
}
