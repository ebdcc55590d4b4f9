/*  hb_feed: see hb_feed.h. */
#include "hb_roles.h"
#include "hb_feed.h"
#include "hb_plugin_cfg.h"
#include "hb_curve.h"
#include "hb_discover.h"
#include "hb_heartbeat.h"
#include "hb_hist.h"
#include "hb_fillgate.h"
#include "hb_fillstore.h"
#include "hb_feedxfer.h"
#include "hb_log.h"
#include "hb_metrics.h"
#include "hb_pub.h"
#include "hb_sub.h"
#include "hb_time.h"

#include <czmq.h>
#include <stdarg.h>

#define S_MAX_TIMERS        256
#define S_MAX_FDS           64
#define S_HEARTBEAT_MS      1000
#define S_FLUSH_MS          1       //  parked ticks wait at most about this long
#define S_RECV_BATCH        256     //  orders read per wake-up before others get a turn
#define S_FILL_SYNC_MS      50      //  fill journal sync under the interval policy

typedef struct {
    hb_feed_t   *feed;
    hb_timer_fn *fn;
    void        *arg;
    int          id;                //  zloop's timer id
    size_t       left;              //  calls to go, 0: forever
    bool         used;
} s_timer_t;

typedef struct {
    hb_feed_t   *feed;
    hb_fd_fn    *fn;
    void        *arg;
    int          fd;
    bool         used;
} s_fd_t;

#define S_TRANSFER_IDS  64

struct _hb_feed_t {
    const hb_config_t    *config;
    const hb_venue_cfg_t *venue;
    char                  id [HB_NAME_MAX];        //  "feed.<venue>"
    char                  hb_topic [HB_TOPIC_MAX];
    hb_plugin_host_t     *plugin;
    hb_pub_t             *pub;
    hb_sub_t             *sub;
    hb_fillstore_t       *fills;
    hb_feedxfer_t        *xfers;        //  transfers sent, not ended (NULL: no fill journal)
    hb_fillgate_t        *gate;         //  which fills may go on the bus (hb_fillgate.h)
    hb_discover_t        *discover;     //  the instruments the venue lists (plugin ABI v5)
    //  the last transfer ids handed to the plugin: a request seen twice on
    //  the bus is sent once
    char                  transfer_ids [S_TRANSFER_IDS][HB_ID_MAX];
    size_t                n_transfer_ids;
    bool                  fill_flags;   //  the plugin sets hb_fill_t.flags (HB_VENUE_FEAT_FILL_FLAGS)
    uint64_t              unacked;      //  held fills not acknowledged, as of the last heartbeat
    zsock_t              *replay;       //  ROUTER, NULL without a replay endpoint
    zloop_t              *loop;
    bool                  own_loop;     //  false: the service's (hb_feed_new_on)
    hb_host_api_t         api;
    hb_plugin_cfg_t      *pcfg;             //  during create only
    volatile int          stop;         //  written with __atomic, see hb_feed_stop
    int                   flush_timer;  //  -1 while nothing is parked
    int64_t               started_mono;
    uint64_t              last_seq;
    uint32_t              status;
    hb_feed_stats_t       counts;       //  the counters that are ours, not pub/sub's
    hb_hist_t            *latency;      //  venue event -> received, since the last heartbeat
    s_timer_t             timers [S_MAX_TIMERS];
    s_fd_t                fds [S_MAX_FDS];
    hb_complain_t         c_invalid, c_misaddressed, c_decode, c_stale, c_expired,
                          c_gap, c_unexpected, c_reject, c_slots, c_journal, c_replay,
                          c_order_journal;
    hb_msg_t              in;           //  scratch for received orders
    hb_msg_t              out;          //  scratch for what the host publishes itself
    //  process metrics, labelled with the venue (docs/OPERATIONS.md, Metrics)
    hb_metric_t          *m_orders, *m_rejects, *m_fills, *m_invalid, *m_last_tick;
    hb_metric_t          *m_external, *m_quarantined [HB_FILLGATE_VERDICT_COUNT];
};

//  ---------------------------------------------------------------------------
//  The host API given to the plugin. Each function takes the feed as ctx.

static int s_on_flush (zloop_t *loop, int timer_id, void *arg);

//  Points at the venue field of the bodies a plugin may publish; NULL for
//  the types it may not.
static char *
s_body_venue (hb_msg_t *msg, char **symbol)
{
    switch (msg->env.type) {
        case HB_MSG_TICK:  *symbol = msg->u.tick.symbol;  return msg->u.tick.venue;
        case HB_MSG_TRADE: *symbol = msg->u.trade.symbol; return msg->u.trade.venue;
        case HB_MSG_ACK:   *symbol = msg->u.ack.symbol;   return msg->u.ack.venue;
        case HB_MSG_FILL:  *symbol = msg->u.fill.symbol;  return msg->u.fill.venue;
        case HB_MSG_ACCOUNT: *symbol = NULL;              return msg->u.account.venue;
        case HB_MSG_FUNDING: *symbol = msg->u.funding.symbol; return msg->u.funding.venue;
        //  a transfer's source reports it, its credit included
        case HB_MSG_CAPITAL_TRANSFER: *symbol = NULL;     return msg->u.transfer.from;
        default:           *symbol = NULL;                return NULL;
    }
}

static int
s_invalid (hb_feed_t *self, const char *why, const hb_msg_t *msg)
{
    self->counts.invalid++;
    hb_metric_inc (self->m_invalid);
    hb_complain (&self->c_invalid, HB_LOG_WARN, "plugin %s published an invalid %s: %s",
                 hb_plugin_host_name (self->plugin), hb_msg_type_name (msg->env.type), why);
    return -1;
}

//  Judges a fill of the plugin's (hb_fillgate.h). Returns 0 when it may
//  go on; 1 when it was held (journaled aside, counted, logged: the caller
//  publishes nothing); -1 when it is not a fill at all (does not encode).
static int
s_fill_gate (hb_feed_t *self, hb_fill_t *fill)
{
    //  a plugin built before fill flags may leave any bytes there
    if (!self->fill_flags)
        fill->flags = 0;
    int64_t now = hb_wall_ns ();
    hb_fillgate_verdict_t verdict = hb_fillgate_judge (self->gate, fill, now);
    if (verdict < HB_FILLGATE_PASS_COUNT) {
        if (verdict == HB_FILLGATE_EXTERNAL) {
            self->counts.external++;
            hb_info ("fill %s (%s %.10g %s @ %.10g, order %s, client id %s) is external: "
                     "not an order of ours, it goes to positions", fill->fill_id,
                     hb_side_name (fill->side), fill->qty, fill->symbol, fill->px,
                     fill->order_id, fill->client_id);
        }
        return 0;
    }
    int rc = hb_fillgate_hold (self->gate, fill, verdict, now);
    if (rc != 0 && errno == EINVAL)
        return -1;
    self->counts.quarantined++;
    //  a reason's series is made when it first happens (a feed that never
    //  holds a fill exports none); the first one counts 1 from its start
    hb_metrics_t *metrics = hb_metrics_process ();
    if (!self->m_quarantined [verdict] && metrics)
        self->m_quarantined [verdict] = hb_metrics_counter (metrics, "hb_feed_fills_quarantined_total",
                                                            "Fills held back from the bus, by reason "
                                                            "(docs/OPERATIONS.md, Failing closed)",
                                                            "reason", hb_fillgate_verdict_name (verdict));
    hb_metric_inc (self->m_quarantined [verdict]);
    //  once per fill, never rate-limited: each one is money an operator
    //  must account for (fields from outside are escaped by the log)
    hb_error ("fill %s QUARANTINED (%s): %s %.10g %s @ %.10g, client id %s, order %s%s; "
              "not published, kept in %s; the feed's status stays non-ok until an operator "
              "acknowledges it (hb-feed --ack-quarantine)", fill->fill_id,
              hb_fillgate_verdict_name (verdict), hb_side_name (fill->side), fill->qty,
              fill->symbol, fill->px, fill->client_id, fill->order_id,
              (fill->flags & HB_FILL_EXTERNAL) ? ", marked external" : "",
              self->venue->fills_journal [0] ? "the held journal" : "memory (no journal)");
    if (rc != 0)
        hb_error ("fill %s: the held journal failed (%s): kept in memory only",
                  fill->fill_id, strerror (errno));
    self->unacked = hb_fillgate_unacked (self->gate);
    return 1;
}

static int
s_api_publish (void *ctx, hb_msg_t *msg)
{
    hb_feed_t *self = (hb_feed_t *) ctx;
    if (!msg)
        return -1;
    char *symbol;
    char *venue = s_body_venue (msg, &symbol);
    if (!venue)
        return s_invalid (self, "a plugin publishes ticks, trades, acks, fills, account states, funding payments and transfer statuses only", msg);
    if (msg->env.type == HB_MSG_CAPITAL_TRANSFER && msg->u.transfer.status != HB_TRANSFER_SENT
    &&  msg->u.transfer.status != HB_TRANSFER_CREDITED && msg->u.transfer.status != HB_TRANSFER_REFUSED)
        return s_invalid (self, "a venue says sent, credited or refused of a transfer, nothing else", msg);
    //  The venue is ours to vouch for: fill it in, or refuse a stranger's.
    if (venue [0] == 0)
        memcpy (venue, self->venue->name, HB_NAME_MAX);
    else
    if (strncmp (venue, self->venue->name, HB_NAME_MAX) != 0)
        return s_invalid (self, "body venue is not this venue", msg);
    //  Market data must be about configured instruments, or nobody can use
    //  it; acks and fills may name what an order named (a reject of an
    //  unknown symbol is still an answer).
    if ((msg->env.type == HB_MSG_TICK || msg->env.type == HB_MSG_TRADE || msg->env.type == HB_MSG_FUNDING)
    &&  !hb_venue_instrument (self->venue, symbol) && !hb_discover_find (self->discover, symbol))
        return s_invalid (self, "symbol is neither configured nor discovered for this venue", msg);
    if (msg->env.ts_recv == 0)
        msg->env.ts_recv = hb_wall_ns ();
    if (msg->env.ts_venue > 0)
        hb_hist_record (self->latency, msg->env.ts_recv - msg->env.ts_venue);

    int rc;
    if (msg->env.type == HB_MSG_TICK) {
        rc = hb_pub_send_latest (self->pub, NULL, msg);
        //  A tick parked behind a full socket goes out on the flush timer,
        //  which only runs while something is parked.
        if (rc == 0 && self->flush_timer < 0) {
            hb_pub_stats_t stats;
            hb_pub_stats (self->pub, &stats);
            if (stats.pending > 0)
                self->flush_timer = zloop_timer (self->loop, S_FLUSH_MS, 0, s_on_flush, self);
        }
    }
    else {
        if (msg->env.type == HB_MSG_FILL) {
            //  the gate first: a fill that is not of an order we sent (nor
            //  marked external) never reaches positions
            int held = s_fill_gate (self, &msg->u.fill);
            if (held)
                return held < 0 ? s_invalid (self, "refused by the encoder", msg) : 0;
        }
        //  A fill is stored before anyone can see it, so whoever misses it
        //  on the bus can still get it from the store. A journal that fails
        //  does not hold the fill back: the venue has traded, the live
        //  consumers must know, and the fill stays replayable in this run.
        if (msg->env.type == HB_MSG_FILL && hb_fillstore_append (self->fills, &msg->u.fill) != 0) {
            if (errno == EINVAL)
                return s_invalid (self, "refused by the encoder", msg);
            self->counts.unjournaled++;
            hb_complain (&self->c_journal, HB_LOG_ERROR, "fill %s not journaled (%s): published anyway",
                         msg->u.fill.fill_id, strerror (errno));
        }
        if (msg->env.type == HB_MSG_FILL)
            hb_fillgate_commit (self->gate, &msg->u.fill);
        //  journaled before anyone sees it: a restart resumes what was sent
        if (msg->env.type == HB_MSG_CAPITAL_TRANSFER && self->xfers)
            hb_feedxfer_note (self->xfers, &msg->u.transfer);
        rc = hb_pub_send (self->pub, NULL, msg);
    }
    if (rc)
        return s_invalid (self, "refused by the encoder", msg);
    self->counts.published++;
    if (msg->env.type == HB_MSG_TICK)
        hb_metric_set (self->m_last_tick, (double) msg->env.ts_recv / 1e9);
    else
    if (msg->env.type == HB_MSG_FILL) {
        hb_metric_inc (self->m_fills);
        if (msg->u.fill.flags & HB_FILL_EXTERNAL)
            hb_metric_inc (self->m_external);
    }
    else
    if (msg->env.type == HB_MSG_ACK && msg->u.ack.status == HB_ACK_REJECTED)
        hb_metric_inc (self->m_rejects);
    if (msg->env.seq > self->last_seq)
        self->last_seq = msg->env.seq;
    return 0;
}

static void
s_api_log (void *ctx, int level, const char *format, ...)
{
    hb_feed_t *self = (hb_feed_t *) ctx;
    if (level < HB_LOG_ERROR)
        level = HB_LOG_ERROR;
    if (level > HB_LOG_DEBUG)
        level = HB_LOG_DEBUG;
    if (!hb_log_enabled ((hb_log_level_t) level))
        return;
    char text [768];
    va_list args;
    va_start (args, format);
    vsnprintf (text, sizeof text, format, args);
    va_end (args);
    hb_log ((hb_log_level_t) level, "plugin %s: %s", hb_plugin_host_name (self->plugin), text);
}

//  The plugin's config, open only while create runs (hb_plugin_cfg.h).
static int
s_api_cfg_section (void *ctx, const char *name, hb_cfg_node_t *out)
{
    hb_feed_t *self = (hb_feed_t *) ctx;
    if (!self->pcfg) {
        memset (out, 0, sizeof *out);
        return -1;
    }
    return hb_plugin_cfg_section (self->pcfg, name, out);
}

static int
s_api_cfg_errors (void *ctx)
{
    hb_feed_t *self = (hb_feed_t *) ctx;
    return self->pcfg ? hb_plugin_cfg_errors (self->pcfg) : 0;
}

static int64_t
s_api_now_ns (void *ctx)
{
    (void) ctx;
    return hb_wall_ns ();
}

static int
s_on_plugin_timer (zloop_t *loop, int timer_id, void *arg)
{
    (void) loop;
    s_timer_t *slot = (s_timer_t *) arg;
    //  zloop_timer_end only takes effect after the current pass, so a timer
    //  cancelled earlier in this pass can still fire, maybe into a slot that
    //  now holds another timer: only the slot's own live timer may run.
    if (!slot->used || slot->id != timer_id)
        return 0;
    int rc = slot->fn (slot->arg);
    //  The callback may have cancelled this timer (and the slot may hold a
    //  new one since): only a slot still holding this id is ours to count.
    if (slot->used && slot->id == timer_id && slot->left > 0 && --slot->left == 0)
        slot->used = false;             //  zloop drops a finished timer itself
    return rc < 0 ? -1 : 0;
}

static int
s_api_timer_add (void *ctx, uint64_t interval_ms, size_t times, hb_timer_fn *fn, void *arg)
{
    hb_feed_t *self = (hb_feed_t *) ctx;
    if (!fn)
        return -1;
    for (int i = 0; i < S_MAX_TIMERS; i++) {
        s_timer_t *slot = &self->timers [i];
        if (slot->used)
            continue;
        int id = zloop_timer (self->loop, (size_t) interval_ms, times, s_on_plugin_timer, slot);
        if (id < 0)
            return -1;
        *slot = (s_timer_t) { self, fn, arg, id, times, true };
        return id;
    }
    hb_complain (&self->c_slots, HB_LOG_ERROR, "plugin %s: more than %d timers",
                 hb_plugin_host_name (self->plugin), S_MAX_TIMERS);
    return -1;
}

static int
s_api_timer_cancel (void *ctx, int timer_id)
{
    hb_feed_t *self = (hb_feed_t *) ctx;
    for (int i = 0; i < S_MAX_TIMERS; i++) {
        s_timer_t *slot = &self->timers [i];
        if (slot->used && slot->id == timer_id) {
            zloop_timer_end (self->loop, timer_id);
            slot->used = false;
            return 0;
        }
    }
    return -1;
}

static int
s_on_plugin_fd (zloop_t *loop, zmq_pollitem_t *item, void *arg)
{
    (void) loop;
    s_fd_t *slot = (s_fd_t *) arg;
    int revents = ((item->revents & ZMQ_POLLIN) ? HB_FD_READ : 0)
                | ((item->revents & ZMQ_POLLOUT) ? HB_FD_WRITE : 0)
                | ((item->revents & ZMQ_POLLERR) ? HB_FD_ERROR : 0);
    return slot->fn (slot->arg, item->fd, revents) < 0 ? -1 : 0;
}

static int
s_api_fd_add (void *ctx, int fd, int events, hb_fd_fn *fn, void *arg)
{
    hb_feed_t *self = (hb_feed_t *) ctx;
    if (fd < 0 || !fn)
        return -1;
    for (int i = 0; i < S_MAX_FDS; i++) {
        s_fd_t *slot = &self->fds [i];
        if (slot->used)
            continue;
        zmq_pollitem_t item = { NULL, fd, 0, 0 };
        item.events = (short) (((events & HB_FD_READ) ? ZMQ_POLLIN : 0)
                             | ((events & HB_FD_WRITE) ? ZMQ_POLLOUT : 0));
        if (zloop_poller (self->loop, &item, s_on_plugin_fd, slot))
            return -1;
        //  An error on the fd is the plugin's to handle (reconnect), not a
        //  reason for zloop to drop the poller behind its back.
        zloop_poller_set_tolerant (self->loop, &item);
        *slot = (s_fd_t) { self, fn, arg, fd, true };
        return 0;
    }
    hb_complain (&self->c_slots, HB_LOG_ERROR, "plugin %s: more than %d fds",
                 hb_plugin_host_name (self->plugin), S_MAX_FDS);
    return -1;
}

static int
s_api_fd_remove (void *ctx, int fd)
{
    hb_feed_t *self = (hb_feed_t *) ctx;
    for (int i = 0; i < S_MAX_FDS; i++) {
        s_fd_t *slot = &self->fds [i];
        if (slot->used && slot->fd == fd) {
            zmq_pollitem_t item = { NULL, fd, 0, 0 };
            zloop_poller_end (self->loop, &item);
            slot->used = false;
            return 0;
        }
    }
    return -1;
}

static void
s_api_set_status (void *ctx, uint32_t status)
{
    hb_feed_t *self = (hb_feed_t *) ctx;
    if (status != self->status)
        hb_info ("venue status %u -> %u", self->status, status);
    self->status = status;
}

//  ---------------------------------------------------------------------------
//  Reactor handlers

//  ---------------------------------------------------------------------------
//  Discovery (plugin ABI v5; docs/PLUGINS.md, Discovery)

//  Publishes one instrument (hb_discover_fn): never conflated, like fills
static void
s_publish_instrument (void *arg, const hb_instrument_t *instrument)
{
    hb_feed_t *self = (hb_feed_t *) arg;
    hb_msg_t *msg = &self->out;
    memset (msg, 0, sizeof *msg);
    msg->env.type = HB_MSG_INSTRUMENT;
    msg->env.ts_recv = hb_wall_ns ();
    msg->u.instrument = *instrument;
    if (hb_pub_send (self->pub, NULL, msg) != 0) {
        s_invalid (self, "refused by the encoder", msg);
        return;
    }
    self->counts.published++;
    if (msg->env.seq > self->last_seq)
        self->last_seq = msg->env.seq;
}

static int
s_api_instrument_list (void *ctx, const hb_instrument_t *items, size_t count)
{
    hb_feed_t *self = (hb_feed_t *) ctx;
    if (!self->discover || (!items && count))
        return -1;
    char why [256];
    int kept = hb_discover_list (self->discover, items, count, hb_wall_ns (), s_publish_instrument, self,
                                 why, sizeof why);
    if (kept < 0)
        hb_error ("venue %s: %s", self->venue->name, why [0] ? why : "out of memory");
    return kept;
}

static int
s_api_instrument_delist (void *ctx, const char *symbol)
{
    hb_feed_t *self = (hb_feed_t *) ctx;
    if (!self->discover)
        return -1;
    return hb_discover_delist (self->discover, symbol, s_publish_instrument, self);
}

static int
s_on_flush (zloop_t *loop, int timer_id, void *arg)
{
    hb_feed_t *self = (hb_feed_t *) arg;
    if (hb_pub_flush (self->pub) == 0) {
        zloop_timer_end (loop, timer_id);
        self->flush_timer = -1;
    }
    return 0;
}

static int
s_on_subscription (zloop_t *loop, zsock_t *reader, void *arg)
{
    (void) loop;
    (void) reader;
    hb_pub_poll_subscriptions (((hb_feed_t *) arg)->pub);
    return 0;
}

//  Publishes a reject in the plugin's place, for an order or a cancel it
//  could not even answer.
static void
s_host_reject_as (hb_feed_t *self, const char *symbol, const char *client_id, int reason,
                  const char *text);

static void
s_host_reject (hb_feed_t *self, const char *symbol, const char *client_id, const char *what)
{
    char text [HB_TEXT_MAX];
    snprintf (text, sizeof text, "plugin %s could not handle the %s",
              hb_plugin_host_name (self->plugin), what);
    self->counts.host_rejects++;
    hb_complain (&self->c_reject, HB_LOG_WARN, "plugin %s failed on %s %s: rejected by the host",
                 hb_plugin_host_name (self->plugin), what, client_id);
    s_host_reject_as (self, symbol, client_id, HB_REJ_VENUE, text);
}

static void
s_host_reject_as (hb_feed_t *self, const char *symbol, const char *client_id, int reason,
                  const char *text)
{
    hb_msg_t *msg = &self->out;
    memset (msg, 0, sizeof *msg);
    msg->env.type = HB_MSG_ACK;
    msg->env.ts_recv = hb_wall_ns ();
    hb_ack_t *ack = &msg->u.ack;
    memcpy (ack->venue, self->venue->name, HB_NAME_MAX);
    snprintf (ack->symbol, sizeof ack->symbol, "%s", symbol);
    snprintf (ack->client_id, sizeof ack->client_id, "%s", client_id);
    ack->status = HB_ACK_REJECTED;
    ack->reason = (uint8_t) reason;
    snprintf (ack->text, sizeof ack->text, "%s", text);
    hb_metric_inc (self->m_rejects);
    if (hb_pub_send (self->pub, NULL, msg) == 0 && msg->env.seq > self->last_seq)
        self->last_seq = msg->env.seq;
}

//  Refuses a transfer request in the plugin's place
static void
s_transfer_refuse (hb_feed_t *self, const hb_transfer_t *request, const char *why)
{
    hb_msg_t *msg = &self->out;
    memset (msg, 0, sizeof *msg);
    msg->env.type = HB_MSG_CAPITAL_TRANSFER;
    msg->env.ts_recv = hb_wall_ns ();
    msg->u.transfer = *request;
    msg->u.transfer.status = HB_TRANSFER_REFUSED;
    msg->u.transfer.credited_ns = 0;
    snprintf (msg->u.transfer.reason, sizeof msg->u.transfer.reason, "%s", why);
    hb_warn ("transfer %s refused: %s", request->id, why);
    if (hb_pub_send (self->pub, NULL, msg) == 0 && msg->env.seq > self->last_seq)
        self->last_seq = msg->env.seq;
}

//  The transfers this venue sent before a restart and has not ended: back
//  to the plugin with status sent, to await their end (never sent again)
static void
s_transfers_resume (hb_feed_t *self)
{
    hb_transfer_t pending [HB_FEEDXFER_MAX];
    int n = self->xfers ? hb_feedxfer_pending (self->xfers, pending, HB_FEEDXFER_MAX) : 0;
    for (int i = 0; i < n; i++) {
        const hb_transfer_t *t = &pending [i];
        memcpy (self->transfer_ids [self->n_transfer_ids++ % S_TRANSFER_IDS], t->id, HB_ID_MAX);
        hb_info ("transfer %s was sent before the restart (%.8g %s to %s, eta in %.0f s): its credit is "
                 "awaited again, nothing is sent", t->id, t->amount, t->asset, t->to,
                 (double) (t->eta_ns - hb_wall_ns ()) / 1e9);
        if (hb_plugin_host_transfer (self->plugin, t) != 0)
            hb_warn ("transfer %s: plugin %s cannot resume it (ABI v%u): its credit will not come from here",
                     t->id, hb_plugin_host_name (self->plugin), hb_plugin_host_abi (self->plugin));
    }
}

//  capital.transfer: a request from hb-treasury with this venue as source
//  goes to the plugin once; a credit to this venue from the source's feed
//  goes to the plugin (a sim's account); the rest (suggestions, other
//  venues' transfers) is not ours. The connection vouched for the sender.
static void
s_transfer (hb_feed_t *self)
{
    const hb_transfer_t *t = &self->in.u.transfer;
    const char *venue = self->venue->name;
    if (t->status == HB_TRANSFER_REQUESTED && strcmp (self->in.env.publisher, "treasury") == 0
    &&  strcmp (t->from, venue) == 0) {
        for (size_t i = 0; i < self->n_transfer_ids && i < S_TRANSFER_IDS; i++)
            if (strcmp (self->transfer_ids [i], t->id) == 0) {
                hb_warn ("transfer %s requested again: already handed to the plugin, not sent twice", t->id);
                return;
            }
        snprintf (self->transfer_ids [self->n_transfer_ids++ % S_TRANSFER_IDS], HB_ID_MAX, "%s", t->id);
        hb_info ("transfer %s requested: %.8g %s to %s over %s", t->id, t->amount, t->asset, t->to, t->network);
        if (hb_plugin_host_transfer (self->plugin, t) != 0) {
            char why [HB_TEXT_MAX];
            snprintf (why, sizeof why, errno == ENOTSUP ? "plugin %s does not move money (no transfer "
                      "operation, ABI v%u)" : "plugin %s failed to take the request",
                      hb_plugin_host_name (self->plugin), hb_plugin_host_abi (self->plugin));
            s_transfer_refuse (self, t, why);
        }
    }
    else
    if (t->status == HB_TRANSFER_CREDITED && strcmp (t->to, venue) == 0
    &&  strncmp (self->in.env.publisher, "feed.", 5) == 0) {
        hb_info ("transfer %s credited here: %.8g %s from %s", t->id, t->amount, t->asset, t->from);
        if (hb_plugin_host_credit (self->plugin, t) != 0)
            hb_error ("transfer %s: plugin %s could not credit %.8g %s", t->id,
                      hb_plugin_host_name (self->plugin), t->amount, t->asset);
    }
}

static void
s_dispatch (hb_feed_t *self, const char *topic)
{
    hb_msg_t *msg = &self->in;
    if (msg->env.type == HB_MSG_CAPITAL_TRANSFER) {
        s_transfer (self);
        return;
    }
    const char *venue = msg->env.type == HB_MSG_ORDER ? msg->u.order.venue
                      : msg->env.type == HB_MSG_CANCEL ? msg->u.cancel.venue : NULL;
    if (!venue) {
        hb_complain (&self->c_unexpected, HB_LOG_WARN, "unexpected %s from %s on '%s': dropped",
                     hb_msg_type_name (msg->env.type), msg->env.publisher, topic);
        return;
    }
    if (strncmp (venue, self->venue->name, HB_NAME_MAX) != 0) {
        self->counts.misaddressed++;
        hb_complain (&self->c_misaddressed, HB_LOG_WARN,
                     "%s from %s on '%s' is for venue '%s', not '%s': dropped",
                     hb_msg_type_name (msg->env.type), msg->env.publisher, topic,
                     venue, self->venue->name);
        return;
    }
    self->counts.orders_in++;
    hb_metric_inc (self->m_orders);
    //  An order that waited (a stalled feed, a slow bus, a clock step) may
    //  have been given up by its sender, who may have hedged again since:
    //  executing it now would hedge twice. Stamped ahead of our clock by as
    //  much is as suspect (a stepped clock on the sender's host).
    int64_t age_ns = hb_wall_ns () - msg->env.ts_pub;
    int64_t max_ns = (int64_t) self->venue->max_order_age_ms * HB_NS_PER_MS;
    if (msg->env.type == HB_MSG_ORDER && (age_ns > max_ns || age_ns < -max_ns)) {
        char text [HB_TEXT_MAX];
        snprintf (text, sizeof text, "order %.0f ms old at the feed, over max_order_age_ms %d: "
                  "not sent", (double) age_ns / HB_NS_PER_MS, self->venue->max_order_age_ms);
        self->counts.expired++;
        hb_complain (&self->c_expired, HB_LOG_WARN, "order %s from %s: %s",
                     msg->u.order.client_id, msg->env.publisher, text);
        s_host_reject_as (self, msg->u.order.symbol, msg->u.order.client_id, HB_REJ_EXPIRED, text);
        return;
    }
    //  An unknown symbol is the plugin's to reject: it knows its venue.
    if (msg->env.type == HB_MSG_ORDER) {
        //  the gate must know the order before any fill of it can come
        //  back; one it cannot journal is not sent (its fills would be held)
        if (hb_fillgate_order (self->gate, &msg->u.order, hb_wall_ns ()) != 0) {
            char text [HB_TEXT_MAX];
            snprintf (text, sizeof text, "the feed cannot journal the order (%s): not sent",
                      strerror (errno));
            hb_complain (&self->c_order_journal, HB_LOG_ERROR, "order %s from %s: %s",
                         msg->u.order.client_id, msg->env.publisher, text);
            s_host_reject_as (self, msg->u.order.symbol, msg->u.order.client_id, HB_REJ_VENUE, text);
            return;
        }
        if (hb_plugin_host_order (self->plugin, &msg->u.order))
            s_host_reject (self, msg->u.order.symbol, msg->u.order.client_id, "order");
    }
    else
    if (hb_plugin_host_cancel (self->plugin, &msg->u.cancel))
        s_host_reject (self, msg->u.cancel.symbol, msg->u.cancel.client_id, "cancel");
}

static int
s_on_order (zloop_t *loop, zsock_t *reader, void *arg)
{
    (void) loop;
    (void) reader;
    hb_feed_t *self = (hb_feed_t *) arg;
    char topic [HB_TOPIC_MAX];
    for (int n = 0; n < S_RECV_BATCH; n++) {
        hb_seq_status_t status;
        if (hb_sub_recv (self->sub, topic, sizeof topic, &self->in, &status, 0)) {
            if (errno == EPROTO) {
                hb_complain (&self->c_decode, HB_LOG_WARN, "malformed message on the order bus: dropped");
                continue;
            }
            break;                      //  EAGAIN: drained; EINTR: the loop decides
        }
        if (status == HB_SEQ_STALE) {
            hb_complain (&self->c_stale, HB_LOG_WARN,
                         "stale or duplicate %s from %s on '%s' (seq %llu): dropped",
                         hb_msg_type_name (self->in.env.type), self->in.env.publisher, topic,
                         (unsigned long long) self->in.env.seq);
            continue;
        }
        if (status == HB_SEQ_GAP)
            hb_complain (&self->c_gap, HB_LOG_WARN, "lost %llu message(s) from %s on '%s'",
                         (unsigned long long) hb_sub_last_missed (self->sub),
                         self->in.env.publisher, topic);
        else
        if (status == HB_SEQ_RESTART)
            hb_info ("%s restarted (epoch %llu)", self->in.env.publisher,
                     (unsigned long long) self->in.env.epoch);
        s_dispatch (self, topic);
    }
    return 0;
}

static int
s_on_heartbeat (zloop_t *loop, int timer_id, void *arg)
{
    (void) loop;
    (void) timer_id;
    hb_feed_t *self = (hb_feed_t *) arg;
    hb_feed_stats_t stats;
    hb_feed_stats (self, &stats);
    hb_msg_t *msg = &self->out;
    //  the feed keeps its own, finer counters: they replace the bus ones
    hb_heartbeat_begin (msg, self->id, self->started_mono, NULL, NULL);
    hb_heartbeat_t *hb = &msg->u.heartbeat;
    hb->last_seq = self->last_seq;
    hb->msgs_in = stats.orders_in + stats.misaddressed;
    hb->msgs_out = stats.sent;
    hb->gaps = stats.gaps;
    hb->drops = stats.conflated;
    //  The heartbeat has one error counter: malformed input and plugin
    //  messages we refused to encode are both messages that could not go on.
    hb->decode_errors = stats.decode_errors + stats.invalid;
    hb->restarts_seen = stats.restarts;
    hb->queue_depth = stats.pending;
    //  a feed's latency is the venue's: its event time to our receipt
    hb->lat_p50_ns = hb_hist_percentile (self->latency, 0.50);
    hb->lat_p99_ns = hb_hist_percentile (self->latency, 0.99);
    hb->lat_p999_ns = hb_hist_percentile (self->latency, 0.999);
    hb_hist_reset (self->latency);
    //  held fills keep the status non-ok until an operator acknowledges them
    uint64_t unacked = hb_fillgate_unacked (self->gate);
    if (unacked == 0 && self->unacked > 0)
        hb_info ("quarantined fills acknowledged: status ok again");
    self->unacked = unacked;
    hb->status = self->status | (unacked ? HB_FEED_STATUS_QUARANTINE : 0);
    if (hb_pub_send (self->pub, self->hb_topic, msg) == 0) {
        self->counts.heartbeats++;
        if (msg->env.seq > self->last_seq)
            self->last_seq = msg->env.seq;
    }
    return 0;
}

static void
s_replay_add (hb_feed_t *self, zmsg_t *reply, hb_msg_t *msg)
{
    char topic [HB_TOPIC_MAX];
    hb_buf_t buf;
    if (hb_msg_topic (msg, topic) < 0 || hb_msg_encode (msg, &buf) != 0) {
        hb_complain (&self->c_replay, HB_LOG_ERROR, "cannot encode a %s for a replay",
                     hb_msg_type_name (msg->env.type));
        return;
    }
    zmsg_addstr (reply, topic);
    zmsg_addmem (reply, buf.data, buf.size);
}

typedef struct {
    hb_feed_t *feed;
    zmsg_t    *reply;
    uint64_t   count;
    int64_t    now;
} s_instruments_t;

static void
s_instrument_add (void *arg, const hb_instrument_t *instrument)
{
    s_instruments_t *req = (s_instruments_t *) arg;
    hb_msg_t *msg = &req->feed->out;
    memset (msg, 0, sizeof *msg);
    msg->env.type = HB_MSG_INSTRUMENT;
    memcpy (msg->env.publisher, req->feed->id, HB_NAME_MAX);
    msg->env.epoch = hb_pub_epoch (req->feed->pub);
    msg->env.seq = ++req->count;
    msg->env.ts_pub = req->now;
    msg->u.instrument = *instrument;
    s_replay_add (req->feed, req->reply, msg);
}

//  [identity, empty, "instruments"]: the reply is [identity, empty,
//  (topic, instrument)..., "snapshot.end", snapshot_end], every instrument
//  the venue lists now (docs/PROTOCOL.md, Instruments), numbered from 1
static void
s_on_instruments (hb_feed_t *self, zsock_t *reader, zframe_t **identity_p, zframe_t **empty_p)
{
    s_instruments_t req = { self, zmsg_new (), 0, hb_wall_ns () };
    zmsg_append (req.reply, identity_p);
    zmsg_append (req.reply, empty_p);
    hb_discover_each (self->discover, s_instrument_add, &req);
    hb_msg_t *msg = &self->out;
    memset (msg, 0, sizeof *msg);
    msg->env.type = HB_MSG_SNAPSHOT_END;
    memcpy (msg->env.publisher, self->id, HB_NAME_MAX);
    msg->env.epoch = hb_pub_epoch (self->pub);
    msg->env.seq = req.count + 1;
    msg->env.ts_pub = req.now;
    msg->u.snapshot_end.count = req.count;
    s_replay_add (self, req.reply, msg);
    zmsg_send (&req.reply, reader);
    self->counts.replays++;
}

//  A request: [identity, empty, since]; the reply: [identity, empty,
//  (topic, fill)..., "snapshot.end", snapshot_end]. docs/PROTOCOL.md, Fill
//  replay.
static int
s_on_replay (zloop_t *loop, zsock_t *reader, void *arg)
{
    (void) loop;
    hb_feed_t *self = (hb_feed_t *) arg;
    zmsg_t *request = zmsg_recv (reader);
    if (!request)
        return 0;
    zframe_t *identity = zmsg_pop (request);
    zframe_t *empty = zmsg_pop (request);
    char *text = zmsg_popstr (request);
    zmsg_destroy (&request);
    if (text && strcmp (text, "instruments") == 0 && identity && empty && zframe_size (empty) == 0) {
        zstr_free (&text);
        s_on_instruments (self, reader, &identity, &empty);
        return 0;
    }
    char *end = NULL;
    unsigned long long since = text && text [0] ? strtoull (text, &end, 10) : 0;
    if (!identity || !empty || zframe_size (empty) != 0 || (end && *end)
    ||  (text && text [0] == '-')) {
        self->counts.replay_errors++;
        hb_complain (&self->c_replay, HB_LOG_WARN, "malformed fill replay request ('%s'): dropped",
                     text ? text : "no since frame");
        zframe_destroy (&identity);
        zframe_destroy (&empty);
        zstr_free (&text);
        return 0;
    }
    zstr_free (&text);
    zmsg_t *reply = zmsg_new ();
    zmsg_append (reply, &identity);
    zmsg_append (reply, &empty);
    hb_msg_t *msg = &self->out;
    uint64_t next = hb_fillstore_next (self->fills);
    uint64_t first = hb_fillstore_first (self->fills);
    uint64_t count = 0;
    int64_t now = hb_wall_ns ();
    for (uint64_t index = since > first ? since : first; index < next; index++) {
        memset (&msg->env, 0, sizeof msg->env);
        msg->env.type = HB_MSG_FILL;
        memcpy (msg->env.publisher, self->id, HB_NAME_MAX);
        msg->env.epoch = hb_pub_epoch (self->pub);
        msg->env.seq = index;
        msg->env.ts_pub = now;
        msg->u.fill = *hb_fillstore_get (self->fills, index);
        s_replay_add (self, reply, msg);
        count++;
    }
    memset (msg, 0, sizeof *msg);
    msg->env.type = HB_MSG_SNAPSHOT_END;
    memcpy (msg->env.publisher, self->id, HB_NAME_MAX);
    msg->env.epoch = hb_pub_epoch (self->pub);
    msg->env.seq = next;            //  ask since this next time
    msg->env.ts_pub = now;
    msg->u.snapshot_end.count = count;
    s_replay_add (self, reply, msg);
    zmsg_send (&reply, reader);
    self->counts.replays++;
    return 0;
}

static int
s_on_fill_sync (zloop_t *loop, int timer_id, void *arg)
{
    (void) loop;
    (void) timer_id;
    hb_feed_t *self = (hb_feed_t *) arg;
    if (hb_fillstore_sync (self->fills) != 0)
        hb_complain (&self->c_journal, HB_LOG_ERROR, "fill journal %s: sync failed (%s)",
                     self->venue->fills_journal, strerror (errno));
    if (hb_fillgate_sync (self->gate) != 0)
        hb_complain (&self->c_order_journal, HB_LOG_ERROR, "order journal %s.orders: sync failed (%s)",
                     self->venue->fills_journal, strerror (errno));
    return 0;
}

static int
s_on_watch (zloop_t *loop, int timer_id, void *arg)
{
    (void) loop;
    (void) timer_id;
    hb_feed_t *self = (hb_feed_t *) arg;
    return __atomic_load_n (&self->stop, __ATOMIC_RELAXED) ? -1 : 0;
}

//  ---------------------------------------------------------------------------

static void
s_register_metrics (hb_feed_t *self)
{
    hb_metrics_t *metrics = hb_metrics_process ();
    if (!metrics)
        return;
    const char *venue = self->venue->name;
    self->m_orders = hb_metrics_counter (metrics, "hb_feed_orders_total",
                                         "Orders and cancels received for the venue", "venue", venue);
    self->m_rejects = hb_metrics_counter (metrics, "hb_feed_rejects_total",
                                          "Orders rejected, by the venue or by the host", "venue", venue);
    self->m_fills = hb_metrics_counter (metrics, "hb_feed_fills_total",
                                        "Fills published for the venue", "venue", venue);
    self->m_invalid = hb_metrics_counter (metrics, "hb_feed_invalid_messages_total",
                                          "Plugin messages refused by the host", "venue", venue);
    self->m_external = hb_metrics_counter (metrics, "hb_feed_external_fills_total",
                                           "Fills the plugin marked external (not our orders: "
                                           "manual trades, liquidations), published", "venue", venue);
    self->m_last_tick = hb_metrics_gauge (metrics, "hb_feed_last_tick_timestamp_seconds",
                                          "Unix time the venue's last tick was received (book "
                                          "staleness is time() minus this)", "venue", venue);
}

static void
s_commit_stored (void *arg, const hb_fill_t *fill)
{
    hb_fillgate_commit ((hb_fillgate_t *) arg, fill);
}

//  The gate's journals sit beside the fill journal: <fills_journal>.orders
//  and <fills_journal>.held. The fills already stored count against their
//  orders again.
static int
s_open_gate (hb_feed_t *self)
{
    const hb_venue_cfg_t *venue = self->venue;
    char orders [HB_PATH_MAX + 8] = "", held [HB_PATH_MAX + 8] = "";
    if (venue->fills_journal [0]) {
        snprintf (orders, sizeof orders, "%s.orders", venue->fills_journal);
        snprintf (held, sizeof held, "%s.held", venue->fills_journal);
    }
    int64_t window_s = venue->fill_window_s > 0 ? venue->fill_window_s : 86400;
    self->gate = hb_fillgate_new (orders, held, venue->fills_fsync, S_FILL_SYNC_MS,
                                  window_s * HB_NS_PER_SEC, 0, hb_wall_ns ());
    if (!self->gate) {
        hb_error ("cannot open the order journal %s or the held-fill journal %s: see above",
                  orders, held);
        return -1;
    }
    if (hb_fillstore_each (self->fills, s_commit_stored, self->gate) != 0) {
        hb_error ("fill journal %s no longer reads back: %s", venue->fills_journal, strerror (errno));
        return -1;
    }
    hb_fillgate_stats_t stats;
    hb_fillgate_stats (self->gate, &stats);
    self->unacked = hb_fillgate_unacked (self->gate);
    if (orders [0])
        hb_info ("order journal %s: %llu order(s) of the last %llds remembered to match fills",
                 orders, (unsigned long long) stats.replayed, (long long) window_s);
    if (self->unacked)
        hb_error ("%llu quarantined fill(s) in %s not acknowledged: status non-ok until "
                  "`hb-feed --ack-quarantine` (docs/OPERATIONS.md, Failing closed)",
                  (unsigned long long) self->unacked, held);
    return 0;
}

hb_feed_t *
hb_feed_new (const hb_config_t *config, const hb_venue_cfg_t *venue, hb_plugin_host_t **plugin_p)
{
    return hb_feed_new_on (config, venue, plugin_p, NULL);
}

hb_feed_t *
hb_feed_new_on (const hb_config_t *config, const hb_venue_cfg_t *venue,
                hb_plugin_host_t **plugin_p, zloop_t *loop)
{
    assert (config && venue && plugin_p && *plugin_p);
    hb_feed_t *self = (hb_feed_t *) zmalloc (sizeof *self);
    if (!self) {
        hb_plugin_host_destroy (plugin_p);
        return NULL;
    }
    self->plugin = *plugin_p;
    *plugin_p = NULL;
    self->config = config;
    self->venue = venue;
    self->flush_timer = -1;
    self->started_mono = hb_mono_ns ();
    self->latency = hb_hist_new ();
    if (!self->latency) {
        hb_error ("feed.%s: out of memory", venue->name);
        hb_feed_destroy (&self);
        return NULL;
    }
    if (snprintf (self->id, sizeof self->id, "feed.%s", venue->name) >= (int) sizeof self->id) {
        hb_error ("venue name '%s' too long for a publisher id", venue->name);
        hb_feed_destroy (&self);
        return NULL;
    }
    snprintf (self->hb_topic, sizeof self->hb_topic, "hb.%s", self->id);
    s_register_metrics (self);

    self->pub = hb_pub_new (venue->endpoint, self->id, 0);
    self->sub = hb_sub_new (0);
    self->own_loop = loop == NULL;
    self->loop = loop ? loop : zloop_new ();
    if (!self->pub || !self->sub || !self->loop) {
        hb_error ("cannot set up the bus at %s", venue->endpoint);
        hb_feed_destroy (&self);
        return NULL;
    }
    //  after the publisher, which has made the run directory for its socket
    self->fills = hb_fillstore_new (venue->fills_journal, venue->fills_fsync, S_FILL_SYNC_MS, 0);
    if (!self->fills) {
        hb_error ("cannot open the fill journal %s", venue->fills_journal);
        hb_feed_destroy (&self);
        return NULL;
    }
    if (venue->fills_journal [0]) {
        char path [HB_PATH_MAX + 16];
        snprintf (path, sizeof path, "%s.transfers", venue->fills_journal);
        self->xfers = hb_feedxfer_open (path);
        if (!self->xfers) {
            hb_feed_destroy (&self);
            return NULL;
        }
    }
    hb_fillstore_stats_t fills;
    hb_fillstore_stats (self->fills, &fills);
    if (venue->fills_journal [0])
        hb_info ("fill journal %s: %llu fill(s) kept for replay (%llu bad record(s) skipped)",
                 venue->fills_journal, (unsigned long long) fills.replayed,
                 (unsigned long long) fills.bad_records);
    else
        hb_warn ("no fill journal: fills do not survive a restart of this feed");
    if (s_open_gate (self) != 0) {
        hb_feed_destroy (&self);
        return NULL;
    }
    self->discover = hb_discover_new (config, venue);
    if (!self->discover) {
        hb_error ("feed.%s: out of memory", venue->name);
        hb_feed_destroy (&self);
        return NULL;
    }
    if (venue->replay_endpoint [0]) {
        self->replay = zsock_new (ZMQ_ROUTER);
        if (!self->replay || hb_curve_server (self->replay, venue->replay_endpoint) != 0
        ||  zsock_bind (self->replay, "%s", venue->replay_endpoint) < 0
        ||  zloop_reader (self->loop, self->replay, s_on_replay, self)) {
            hb_error ("cannot bind the fill replay socket to %s", venue->replay_endpoint);
            hb_feed_destroy (&self);
            return NULL;
        }
    }
    self->fill_flags = (hb_plugin_host_ops (self->plugin)->features & HB_VENUE_FEAT_FILL_FLAGS) != 0;
    if (venue->fills_journal [0] && venue->fills_fsync == HB_JOURNAL_FSYNC_INTERVAL
    &&  zloop_timer (self->loop, S_FILL_SYNC_MS, 0, s_on_fill_sync, self) < 0) {
        hb_feed_destroy (&self);
        return NULL;
    }
    int senders = 0;
    for (int i = 0; i < config->n_components; i++) {
        const hb_component_cfg_t *comp = &config->components [i];
        if (!comp->sends_orders || comp->endpoint [0] == 0)
            continue;
        hb_sub_role_t role;
        hb_roles_component (comp, &role);
        if (hb_sub_connect_role (self->sub, comp->endpoint, &role)) {
            hb_error ("cannot connect to %s at %s", comp->name, comp->endpoint);
            hb_feed_destroy (&self);
            return NULL;
        }
        senders++;
    }
    //  transfers: requests from hb-treasury, credits from the other feeds
    const hb_component_cfg_t *treasury = hb_config_component (config, "treasury");
    int rc = 0;
    if (treasury && treasury->enabled && config->treasury.endpoint [0]) {
        hb_sub_role_t role;
        hb_roles_treasury (&role);
        rc |= hb_sub_connect_role (self->sub, config->treasury.endpoint, &role);
        for (int v = 0; v < config->n_venues; v++) {
            const hb_venue_cfg_t *other = &config->venues [v];
            if (other == venue || !other->enabled || !other->endpoint [0])
                continue;
            hb_roles_feed (other, &role);
            rc |= hb_sub_connect_role (self->sub, other->endpoint, &role);
        }
        rc |= hb_sub_subscribe (self->sub, "capital.transfer.");
    }
    char prefix [HB_TOPIC_MAX];
    snprintf (prefix, sizeof prefix, "order.%s.", venue->name);
    rc |= hb_sub_subscribe (self->sub, prefix);
    snprintf (prefix, sizeof prefix, "cancel.%s.", venue->name);
    rc |= hb_sub_subscribe (self->sub, prefix);
    if (rc
    ||  hb_sub_attach (self->sub, self->loop, s_on_order, self)
    ||  zloop_reader (self->loop, hb_pub_sock (self->pub), s_on_subscription, self)
    ||  zloop_timer (self->loop, S_HEARTBEAT_MS, 0, s_on_heartbeat, self) < 0
    ||  zloop_timer (self->loop, HB_FEED_WATCH_MS, 0, s_on_watch, self) < 0) {
        hb_error ("cannot set up the reactor");
        hb_feed_destroy (&self);
        return NULL;
    }
    if (senders == 0)
        hb_warn ("no component has orders: true with an endpoint: this feed will see no orders");

    self->api = (hb_host_api_t) {
        //  a v3 plugin checks for v3: the host struct is the same
        .abi_version = hb_plugin_host_abi (self->plugin),
        .size = sizeof (hb_host_api_t),
        .ctx = self,
        .config = config,
        .venue = venue,
        .publish = s_api_publish,
        .log = s_api_log,
        .now_ns = s_api_now_ns,
        .timer_add = s_api_timer_add,
        .timer_cancel = s_api_timer_cancel,
        .fd_add = s_api_fd_add,
        .fd_remove = s_api_fd_remove,
        .set_status = s_api_set_status,
        .cfg_section = s_api_cfg_section,
        .cfg_errors = s_api_cfg_errors,
        .instrument_list = s_api_instrument_list,
        .instrument_delist = s_api_instrument_delist
    };
    hb_plugin_cfg_fill (&self->api);
    return self;
}

void
hb_feed_destroy (hb_feed_t **self_p)
{
    assert (self_p);
    hb_feed_t *self = *self_p;
    if (!self)
        return;
    //  The plugin's instance goes first: its destroy may still cancel
    //  timers and remove fds on our loop, and may not publish after.
    if (self->plugin)
        hb_plugin_host_release (self->plugin);
    //  a borrowed loop keeps our (dead) handlers: the service destroys it
    //  next, without running it again (hb_feed_new_on)
    if (self->sub)
        hb_sub_detach (self->sub);
    if (self->own_loop)
        zloop_destroy (&self->loop);
    zsock_destroy (&self->replay);
    hb_fillstore_destroy (&self->fills);
    hb_feedxfer_destroy (&self->xfers);
    hb_fillgate_destroy (&self->gate);
    hb_discover_destroy (&self->discover);
    hb_sub_destroy (&self->sub);
    hb_pub_destroy (&self->pub);
    hb_plugin_host_destroy (&self->plugin);
    hb_hist_destroy (&self->latency);
    free (self);
    *self_p = NULL;
}

int
hb_feed_start (hb_feed_t *self)
{
    assert (self);
    //  hb-feed checked the plugin's config before the bus (hb_plugin_cfg_check);
    //  the plugin reads it again here, for real
    self->pcfg = hb_plugin_cfg_new (self->config, self->venue, hb_plugin_host_ops (self->plugin)->sections);
    int refused = !self->pcfg || hb_plugin_host_create (self->plugin, &self->api);
    if (self->pcfg && hb_plugin_cfg_errors (self->pcfg)) {
        hb_plugin_cfg_report (self->pcfg, NULL, 0);
        hb_plugin_host_release (self->plugin);
        refused = 1;
    }
    hb_plugin_cfg_destroy (&self->pcfg);
    if (refused) {
        hb_error ("plugin %s (%s) refused venue %s: see its messages above",
                  hb_plugin_host_name (self->plugin), hb_plugin_host_path (self->plugin),
                  self->venue->name);
        return -1;
    }
    if (hb_plugin_host_start (self->plugin)) {
        hb_error ("plugin %s failed to start", hb_plugin_host_name (self->plugin));
        hb_plugin_host_release (self->plugin);
        return -1;
    }
    hb_info ("plugin %s started: %d instrument(s) configured, %zu discovered, publishing at %s",
             hb_plugin_host_name (self->plugin), self->venue->n_instruments,
             hb_discover_size (self->discover), self->venue->endpoint);
    s_transfers_resume (self);
    return 0;
}

int
hb_feed_run (hb_feed_t *self)
{
    assert (self && self->own_loop);
    while (!__atomic_load_n (&self->stop, __ATOMIC_RELAXED)) {
        //  zloop returns 0 when a signal interrupted its poll (the flag
        //  then tells whether it was ours) and -1 when a handler asked.
        if (zloop_start (self->loop) != 0)
            return __atomic_load_n (&self->stop, __ATOMIC_RELAXED) ? 0 : -1;
    }
    return 0;
}

void
hb_feed_stop (hb_feed_t *self)
{
    assert (self);
    __atomic_store_n (&self->stop, 1, __ATOMIC_RELAXED);
}

void
hb_feed_stats (hb_feed_t *self, hb_feed_stats_t *stats)
{
    assert (self && stats);
    *stats = self->counts;
    hb_pub_stats_t pub;
    hb_pub_stats (self->pub, &pub);
    hb_sub_stats_t sub;
    hb_sub_stats (self->sub, &sub);
    stats->sent = pub.sent;
    stats->conflated = pub.conflated;
    stats->pending = pub.pending;
    stats->decode_errors = sub.decode_errors;
    stats->gaps = sub.gaps;
    stats->restarts = sub.restarts;
    stats->status = self->status;
    stats->fills_stored = hb_fillstore_next (self->fills);
    stats->unacked = self->unacked;
    hb_discover_stats_t discover;
    hb_discover_stats (self->discover, &discover);
    stats->instruments = hb_discover_size (self->discover);
    stats->instruments_invalid = discover.invalid;
    stats->instruments_filtered = discover.filtered;
    stats->listings_refused = discover.refused;
}

const char *
hb_feed_id (hb_feed_t *self)
{
    assert (self);
    return self->id;
}

//  True when a plugin of an enabled venue declares top-level section name:
//  this venue's plugin, or another's, loaded only to read its ops.
static bool
s_section_declared (const hb_config_t *config, hb_plugin_host_t *plugin, const char *name)
{
    const char *const *mine = hb_plugin_host_ops (plugin)->sections;
    for (int i = 0; mine && mine [i]; i++)
        if (strcmp (mine [i], name) == 0)
            return true;
    bool declared = false;
    for (int v = 0; v < config->n_venues && !declared; v++) {
        const hb_venue_cfg_t *other = &config->venues [v];
        if (!other->enabled || !other->plugin_path [0]
        ||  strcmp (other->plugin_path, hb_plugin_host_path (plugin)) == 0)
            continue;
        hb_plugin_host_t *host = hb_plugin_host_new (other->plugin_path, NULL, 0);
        const char *const *theirs = host ? hb_plugin_host_ops (host)->sections : NULL;
        for (int i = 0; theirs && theirs [i] && !declared; i++)
            declared = strcmp (theirs [i], name) == 0;
        hb_plugin_host_destroy (&host);
    }
    return declared;
}

int
hb_feed_check_plugin (const hb_config_t *config, const hb_venue_cfg_t *venue, hb_plugin_host_t *plugin)
{
    assert (config && venue && plugin);
    int errors = 0;
    for (int i = 0; i < config->n_sections; i++)
        if (!s_section_declared (config, plugin, config->sections [i].name)) {
            fprintf (stderr, "%s:%d: %s: unknown key: no plugin of an enabled venue declares this section\n",
                     config->path, config->sections [i].line, config->sections [i].name);
            errors++;
        }
    int plugin_errors = 0;
    int refused = hb_plugin_cfg_check (plugin, config, venue, &plugin_errors, NULL, 0);
    if (errors + plugin_errors > 0)
        return 2;
    if (refused) {
        hb_error ("plugin %s (%s) refused venue %s: see its messages above",
                  hb_plugin_host_name (plugin), hb_plugin_host_path (plugin), venue->name);
        return 3;
    }
    return 0;
}
