/*  hb_aggregator: see hb_aggregator.h.

    The last message published on each topic is kept: a snapshot reply is
    those messages with their envelopes as sent (publisher, epoch, seq), so a
    consumer can tell which live updates are newer (Clone pattern). The
    cache is indexed like the book (venue x instrument, asset, venue), so
    nothing is allocated per fill or tick.                                 */
#include "hb_roles.h"
#include "hb_aggregator.h"
#include "hb_curve.h"
#include "hb_heartbeat.h"
#include "hb_log.h"
#include "hb_metrics.h"
#include "hb_pub.h"
#include "hb_recon.h"
#include "hb_refill.h"
#include "hb_sub.h"
#include "hb_time.h"

#include <assert.h>
#include <errno.h>
#include <math.h>
#include <string.h>

#define S_HEARTBEAT_MS  1000
#define S_DRAIN_MAX     256         //  messages per wake-up before other sockets get a turn
#define S_REFILL_TIMEOUT_MS 2000    //  a feed's fill replay is late after this
#define S_REFILL_RETRY_MS   1000    //  and is asked again after this pause
#define S_RECORDER_WAIT_MS 500     //  at start, for hb-record's subscription

typedef struct {
    hb_msg_t msg;                   //  as published (stamped envelope)
    char     topic [HB_TOPIC_MAX];
    bool     sent;
} s_cached_t;

struct _hb_aggregator_t {
    const hb_config_t  *cfg;
    hb_ledger_t        *ledger;
    hb_book_t          *book;
    hb_pub_t           *pub;
    hb_sub_t           *sub;
    zsock_t            *snap;
    hb_refill_t        *refill;
    hb_recon_t         *recon;      //  the venues' own account reports (hb_recon.h)
    zloop_t            *loop;
    bool                own_loop;   //  false: the service's (hb_aggregator_new_on)
    volatile int        stop;
    bool                failed;
    int64_t             started_mono;
    uint64_t            msgs_in, acks, snapshots;
    uint64_t            missing;        //  final acks reporting more than the fills we hold
    uint64_t            recovered;      //  fills that reached us only through a feed's replay
    bool                heard [HB_MAX_VENUES];  //  a message of the venue arrived in this run
    hb_complain_t       c_unknown_tick, c_publish, c_missing;
    s_cached_t         *positions;  //  n_slots, instrument i of venue v at first [v] + i
    size_t              n_slots, first [HB_MAX_VENUES];
    s_cached_t          exposures [HB_MAX_ASSETS];
    s_cached_t          margins [HB_MAX_VENUES];
    hb_msg_t            in;         //  scratch
    //  process metrics (docs/OPERATIONS.md, Metrics)
    hb_metric_t        *m_fills, *m_duplicates, *m_implausible, *m_positions, *m_external;
    hb_metric_t        *m_liquidation, *m_recon_mismatches, *m_recon_venues, *m_recon_reports, *m_fundings;
};

static void
s_send (hb_aggregator_t *self, s_cached_t *slot)
{
    if (hb_msg_topic (&slot->msg, slot->topic) < 0
    ||  hb_pub_send (self->pub, slot->topic, &slot->msg) != 0) {
        hb_complain (&self->c_publish, HB_LOG_ERROR, "aggregator: cannot publish a %s",
                     hb_msg_type_name (slot->msg.env.type));
        return;
    }
    slot->sent = true;
}

static void
s_publish_position (hb_aggregator_t *self, int v, int i, int64_t now)
{
    s_cached_t *slot = &self->positions [self->first [v] + (size_t) i];
    hb_book_position (self->book, v, i, now, &slot->msg.u.position);
    slot->msg.env.type = HB_MSG_POSITION;
    slot->msg.env.ts_recv = now;
    s_send (self, slot);
}

static void
s_publish_exposure (hb_aggregator_t *self, int a, int64_t now)
{
    s_cached_t *slot = &self->exposures [a];
    hb_book_exposure (self->book, a, now, &slot->msg.u.exposure);
    slot->msg.env.type = HB_MSG_EXPOSURE;
    slot->msg.env.ts_recv = now;
    s_send (self, slot);
}

static void
s_publish_margin (hb_aggregator_t *self, int v, int64_t now)
{
    s_cached_t *slot = &self->margins [v];
    hb_book_margin (self->book, v, now, &slot->msg.u.margin);
    hb_recon_margin (self->recon, v, &slot->msg.u.margin);
    slot->msg.env.type = HB_MSG_MARGIN;
    slot->msg.env.ts_recv = now;
    s_send (self, slot);
}

static void
s_publish_all (hb_aggregator_t *self)
{
    int64_t now = hb_wall_ns ();
    int open = 0;
    for (int v = 0; v < self->cfg->n_venues; v++) {
        for (int i = 0; i < self->cfg->venues [v].n_instruments; i++)
            if (hb_book_active (self->book, v, i)) {
                s_publish_position (self, v, i, now);
                open += self->positions [self->first [v] + (size_t) i].msg.u.position.qty != 0;
            }
        s_publish_margin (self, v, now);
    }
    hb_metric_set (self->m_positions, open);
    for (int a = 0; a < self->cfg->n_assets; a++)
        s_publish_exposure (self, a, now);
}

//  The journal refused what (a fill, a funding payment) venue/id: the
//  aggregator stops, and its restart replays what is durable. -1.
static int
s_journal_failed (hb_aggregator_t *self, const char *what, const char *venue, const char *id)
{
    hb_error ("aggregator: journal %s: cannot append %s %s/%s (%s): stopping, the restart "
              "replays what is durable", hb_journal_path (hb_ledger_journal (self->ledger)),
              what, venue, id, strerror (errno));
    self->failed = true;
    return -1;
}

//  The position of (venue, symbol) changed: it, its asset's exposure and
//  the venue's margin published (nothing for an instrument not configured)
static void
s_publish_changed (hb_aggregator_t *self, const char *venue, const char *symbol)
{
    int v = hb_book_venue_index (self->book, venue);
    const hb_instrument_cfg_t *ins = v >= 0 ? hb_venue_instrument (&self->cfg->venues [v], symbol) : NULL;
    if (!ins)
        return;
    int64_t now = hb_wall_ns ();
    s_publish_position (self, v, (int) (ins - self->cfg->venues [v].instruments), now);
    s_publish_exposure (self, ins->asset, now);
    s_publish_margin (self, v, now);
}

static int
s_on_fill (hb_aggregator_t *self, const hb_fill_t *fill, const hb_env_t *env)
{
    int rc = hb_ledger_fill (self->ledger, fill, env);
    if (rc < 0)
        return s_journal_failed (self, "fill", fill->venue, fill->fill_id);
    if (rc == 2) {
        hb_metric_inc (self->m_implausible);
        return 0;                   //  implausible: refused and logged by the ledger
    }
    hb_metric_inc (rc > 0 ? self->m_fills : self->m_duplicates);
    if (rc > 0 && (fill->flags & HB_FILL_LIQUIDATION)) {
        //  a liquidation is external too (docs/PROTOCOL.md), counted in both
        hb_metric_inc (self->m_liquidation);
        hb_warn ("aggregator: LIQUIDATION fill %s/%s (%s %.10g %s @ %.10g): the venue closed the "
                 "position, applied to positions", fill->venue, fill->fill_id,
                 hb_side_name (fill->side), fill->qty, fill->symbol, fill->px);
    }
    if (rc > 0 && (fill->flags & HB_FILL_EXTERNAL)) {
        hb_metric_inc (self->m_external);
        if (!(fill->flags & HB_FILL_LIQUIDATION))
                hb_info ("aggregator: external fill %s/%s (%s %.10g %s @ %.10g, not our order: a "
                     "manual trade, a liquidation...) applied to positions", fill->venue,
                     fill->fill_id, hb_side_name (fill->side), fill->qty, fill->symbol, fill->px);
    }
    if (rc > 0)
        s_publish_changed (self, fill->venue, fill->symbol);
    return 0;
}

//  A funding payment: journaled and applied once (the venue's feed sends
//  its past payments again on every reconnect and restart), then the
//  position and the venue's margin published with it.
static int
s_on_funding (hb_aggregator_t *self, const hb_funding_t *funding, const hb_env_t *env)
{
    int rc = hb_ledger_funding (self->ledger, funding, env);
    if (rc < 0)
        return s_journal_failed (self, "funding", funding->venue, funding->id);
    if (rc == 0)
        return 0;
    hb_metric_inc (self->m_fundings);
    hb_info ("aggregator: funding %s/%s: %s %.10g USD on %s (rate %.6g, position %.10g)",
             funding->venue, funding->id, funding->usd >= 0 ? "paid" : "received", fabs (funding->usd),
             funding->symbol, funding->rate, funding->qty);
    s_publish_changed (self, funding->venue, funding->symbol);
    return 0;
}

static void
s_on_tick (hb_aggregator_t *self, const hb_tick_t *tick, int64_t ts)
{
    double mid = tick->n_bids && tick->n_asks ? (tick->bids [0].px + tick->asks [0].px) / 2 : tick->mark;
    if (mid > 0 && hb_book_mark (self->book, tick->venue, tick->symbol, mid, ts) < 0)
        hb_complain (&self->c_unknown_tick, HB_LOG_WARN, "aggregator: tick for unknown %s/%s",
                     tick->venue, tick->symbol);
}

//  A venue's final word on an order: its fills arrived before it on the
//  same connection, so a filled_qty above what the ledger holds means a
//  fill was lost to us, and that the feed's replay could not give it back
//  either (it was older than the feed's ring, or the feed lost its fill
//  journal). We cannot invent it: the condition is counted, logged and
//  shown in the heartbeat status (bit 2) for an operator or a reconciliation.
static void
s_on_ack (hb_aggregator_t *self, const hb_ack_t *ack)
{
    if (ack->status != HB_ACK_DONE && ack->status != HB_ACK_CANCELED)
        return;
    double filled = hb_ledger_order_filled (self->ledger, ack->venue, ack->client_id);
    if (ack->filled_qty > filled + 1e-9 * (1 + filled)) {
        self->missing++;
        hb_complain (&self->c_missing, HB_LOG_ERROR,
                     "aggregator: %s order %s: the venue reports %.10g filled, the journal holds %.10g: "
                     "fills missing", ack->venue, ack->client_id, ack->filled_qty, filled);
    }
}

//  A venue's report of our account: reconciled with our positions, and its
//  margin published again at once with what the report says (hb_recon.h).
static void
s_on_account (hb_aggregator_t *self, const hb_account_t *account)
{
    hb_recon_stats_t before, stats;
    hb_recon_stats (self->recon, &before);
    int v = hb_recon_account (self->recon, account, hb_wall_ns ());
    if (v < 0)
        return;
    hb_recon_stats (self->recon, &stats);
    hb_metric_add (self->m_recon_mismatches, stats.mismatches - before.mismatches);
    hb_metric_set (self->m_recon_venues, stats.venues_mismatched);
    hb_metric_inc (self->m_recon_reports);
    s_publish_margin (self, v, hb_wall_ns ());
}

//  A fill from a feed's replay: most are known already (the ledger would
//  drop them as duplicates, but they are not duplicates on the bus, so they
//  are not counted as such); a new one is taken like a fill from the bus.
static int
s_on_replayed_fill (void *arg, int venue, const hb_fill_t *fill)
{
    (void) venue;
    hb_aggregator_t *self = (hb_aggregator_t *) arg;
    if (hb_ledger_seen (self->ledger, fill->venue, fill->fill_id))
        return 0;
    self->recovered++;
    hb_info ("aggregator: fill %s/%s recovered from the feed's replay", fill->venue, fill->fill_id);
    return s_on_fill (self, fill, NULL);       //  its message's place is not known here
}

//  When to ask a feed for its fills (Clone pattern: we are subscribed
//  before we ask, so nothing published in between is missed): on the first
//  message of the venue in this run (its subscriptions, fill. first, are in
//  place then; fills it published while we were down are in its store),
//  on a publisher restart (the subscription was renewed: anything sent
//  before that is not ours), and on a gap in its fills.
static void
s_check_venue (hb_aggregator_t *self, const char *topic, hb_seq_status_t status)
{
    const char *venue = self->in.env.type == HB_MSG_FILL ? self->in.u.fill.venue
                      : self->in.env.type == HB_MSG_TICK ? self->in.u.tick.venue
                      : self->in.env.type == HB_MSG_ACK ? self->in.u.ack.venue : NULL;
    int v = venue ? hb_book_venue_index (self->book, venue) : -1;
    if (v < 0)
        return;
    if (!self->heard [v] || status == HB_SEQ_RESTART
    ||  (status == HB_SEQ_GAP && strncmp (topic, "fill.", 5) == 0)) {
        if (self->heard [v])
            hb_info ("aggregator: %s on '%s': asking %s for its fills",
                     hb_seq_status_name (status), topic, venue);
        self->heard [v] = true;
        hb_refill_ask (self->refill, v);
    }
}

static int
s_on_bus (zloop_t *loop, zsock_t *reader, void *arg)
{
    (void) loop;
    (void) reader;
    hb_aggregator_t *self = (hb_aggregator_t *) arg;
    char topic [HB_TOPIC_MAX];
    for (int n = 0; n < S_DRAIN_MAX; n++) {
        hb_seq_status_t status;
        if (hb_sub_recv (self->sub, topic, sizeof topic, &self->in, &status, 0) != 0) {
            if (errno == EPROTO)
                continue;               //  counted by hb_sub
            break;
        }
        self->msgs_in++;
        s_check_venue (self, topic, status);
        switch (self->in.env.type) {
            case HB_MSG_FILL:
                if (s_on_fill (self, &self->in.u.fill, &self->in.env) != 0)
                    return -1;
                break;
            case HB_MSG_TICK:
                s_on_tick (self, &self->in.u.tick, hb_wall_ns ());
                break;
            case HB_MSG_ACK:
                self->acks++;
                s_on_ack (self, &self->in.u.ack);
                break;
            case HB_MSG_ACCOUNT:
                s_on_account (self, &self->in.u.account);
                break;
            case HB_MSG_FUNDING:
                if (s_on_funding (self, &self->in.u.funding, &self->in.env) != 0)
                    return -1;
                break;
            case HB_MSG_CAPITAL_TRANSFER: {
                //  money left a venue (sent) or reached one (credited):
                //  journaled first, like a fill, so a restart keeps it
                int rc = hb_ledger_transfer (self->ledger, &self->in.u.transfer);
                if (rc < 0) {
                    hb_error ("aggregator: journal %s: cannot append transfer %s (%s): stopping, the "
                              "restart replays what is durable",
                              hb_journal_path (hb_ledger_journal (self->ledger)),
                              self->in.u.transfer.id, strerror (errno));
                    self->failed = true;
                    return -1;
                }
                if (rc == 1) {
                    const hb_transfer_t *t = &self->in.u.transfer;
                    hb_info ("aggregator: transfer %s %s: %.8g %s %s %s", t->id, hb_transfer_status_name (t->status),
                             t->amount, t->asset, t->status == HB_TRANSFER_SENT ? "left" : "reached",
                             t->status == HB_TRANSFER_SENT ? t->from : t->to);
                    int v = hb_book_venue_index (self->book, t->status == HB_TRANSFER_SENT ? t->from : t->to);
                    s_publish_margin (self, v, hb_wall_ns ());
                }
                break;
            }
            default:
                break;
        }
    }
    return 0;
}

//  A request: [identity, empty, prefix]; the reply: [identity, empty,
//  (topic, payload)..., "snapshot.end", payload].
static int
s_on_snapshot (zloop_t *loop, zsock_t *reader, void *arg)
{
    (void) loop;
    hb_aggregator_t *self = (hb_aggregator_t *) arg;
    zmsg_t *request = zmsg_recv (reader);
    if (!request)
        return 0;
    zframe_t *identity = zmsg_pop (request);
    zframe_t *empty = zmsg_pop (request);
    char *prefix = zmsg_popstr (request);
    zmsg_destroy (&request);
    if (!identity || !empty) {
        zframe_destroy (&identity);
        zframe_destroy (&empty);
        zstr_free (&prefix);
        return 0;
    }
    const char *want = prefix ? prefix : "";
    size_t want_len = strlen (want);
    zmsg_t *reply = zmsg_new ();
    zmsg_append (reply, &identity);
    zmsg_append (reply, &empty);
    uint64_t count = 0;
    hb_buf_t buf;
    s_cached_t *groups [] = { self->positions, self->exposures, self->margins };
    const size_t sizes [] = { self->n_slots, HB_MAX_ASSETS, HB_MAX_VENUES };
    for (int g = 0; g < 3; g++)
        for (size_t k = 0; k < sizes [g]; k++) {
            s_cached_t *slot = &groups [g][k];
            if (!slot->sent || strncmp (slot->topic, want, want_len) != 0
            ||  hb_msg_encode (&slot->msg, &buf) != 0)
                continue;
            zmsg_addstr (reply, slot->topic);
            zmsg_addmem (reply, buf.data, buf.size);
            count++;
        }
    hb_msg_t end;
    memset (&end, 0, sizeof end);
    end.env.type = HB_MSG_SNAPSHOT_END;
    snprintf (end.env.publisher, sizeof end.env.publisher, "%s", hb_pub_id (self->pub));
    end.env.epoch = hb_pub_epoch (self->pub);
    end.env.ts_pub = hb_wall_ns ();
    end.u.snapshot_end.count = count;
    hb_msg_encode (&end, &buf);
    zmsg_addstr (reply, "snapshot.end");
    zmsg_addmem (reply, buf.data, buf.size);
    zmsg_send (&reply, reader);
    zstr_free (&prefix);
    self->snapshots++;
    return 0;
}

static int
s_on_snapshot_timer (zloop_t *loop, int timer_id, void *arg)
{
    (void) loop;
    (void) timer_id;
    hb_aggregator_t *self = (hb_aggregator_t *) arg;
    //  a stop asked from another thread (no signal to wake the poll) is
    //  seen here, within snapshot_ms
    if (__atomic_load_n (&self->stop, __ATOMIC_RELAXED))
        return -1;
    s_publish_all (self);
    return 0;
}

static int
s_on_sync (zloop_t *loop, int timer_id, void *arg)
{
    (void) loop;
    (void) timer_id;
    hb_aggregator_t *self = (hb_aggregator_t *) arg;
    if (hb_journal_sync (hb_ledger_journal (self->ledger)) != 0) {
        hb_error ("aggregator: journal sync failed (%s): stopping", strerror (errno));
        self->failed = true;
        return -1;
    }
    return 0;
}

static int
s_on_heartbeat (zloop_t *loop, int timer_id, void *arg)
{
    (void) loop;
    (void) timer_id;
    hb_aggregator_t *self = (hb_aggregator_t *) arg;
    hb_msg_t msg;
    hb_heartbeat_begin (&msg, "aggregator", self->started_mono, self->pub, self->sub);
    hb_heartbeat_t *hb = &msg.u.heartbeat;
    hb_ledger_stats_t ledger;
    hb_ledger_stats (self->ledger, &ledger);
    hb->msgs_in = self->msgs_in;
    hb->drops = ledger.duplicates;
    hb_recon_stats_t recon;
    hb_recon_stats (self->recon, &recon);
    hb->status = (ledger.unknown ? 1u : 0u) | (self->missing ? 2u : 0u)
               | (recon.venues_mismatched ? 4u : 0u);
    hb_pub_send (self->pub, NULL, &msg);
    return 0;
}

hb_aggregator_t *
hb_aggregator_new (const hb_config_t *cfg)
{
    return hb_aggregator_new_on (cfg, NULL);
}

hb_aggregator_t *
hb_aggregator_new_on (const hb_config_t *cfg, zloop_t *loop)
{
    assert (cfg);
    const hb_aggregator_cfg_t *agg = &cfg->aggregator;
    hb_aggregator_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->cfg = cfg;
    self->started_mono = hb_mono_ns ();
    //  a cached message per instrument of the config, not per possible one
    self->n_slots = hb_config_instrument_slots (cfg, self->first);
    self->positions = calloc (self->n_slots ? self->n_slots : 1, sizeof *self->positions);
    if (!self->positions) {
        free (self);
        return NULL;
    }
    hb_metrics_t *metrics = hb_metrics_process ();
    if (metrics) {
        self->m_fills = hb_metrics_counter (metrics, "hb_aggregator_fills_total",
                                            "Fills applied to the positions", NULL, NULL);
        self->m_duplicates = hb_metrics_counter (metrics, "hb_aggregator_duplicate_fills_total",
                                                 "Fills seen again (replay, restart) and ignored",
                                                 NULL, NULL);
        self->m_implausible = hb_metrics_counter (metrics, "hb_aggregator_implausible_fills_total",
                                                  "Fills refused before the journal: worth over "
                                                  "max_fill_usd, or not a finite amount", NULL, NULL);
        self->m_external = hb_metrics_counter (metrics, "hb_aggregator_external_fills_total",
                                               "Fills marked external (not our orders: manual trades, "
                                               "liquidations, expiries) applied to the positions",
                                               NULL, NULL);
        self->m_liquidation = hb_metrics_counter (metrics, "hb_aggregator_liquidation_fills_total",
                                                  "Fills marked liquidation (a venue closed our "
                                                  "position at its maintenance margin), also "
                                                  "counted as external", NULL, NULL);
        self->m_recon_mismatches = hb_metrics_counter (metrics, "hb_aggregator_reconcile_mismatches_total",
                                                       "Instruments whose venue-reported position came "
                                                       "to disagree with ours (docs/OPERATIONS.md, "
                                                       "Reconciliation)", NULL, NULL);
        self->m_recon_reports = hb_metrics_counter (metrics, "hb_aggregator_account_reports_total",
                                                    "Account reports (account.<venue>) taken", NULL, NULL);
        self->m_recon_venues = hb_metrics_gauge (metrics, "hb_aggregator_reconcile_venues_mismatched",
                                                 "Venues with a position in mismatch now", NULL, NULL);
        self->m_fundings = hb_metrics_counter (metrics, "hb_aggregator_fundings_total",
                                               "Funding payments applied to the positions (each once)",
                                               NULL, NULL);
        self->m_positions = hb_metrics_gauge (metrics, "hb_aggregator_positions",
                                              "Open (non-zero) positions, as of the last snapshot",
                                              NULL, NULL);
    }
    self->ledger = hb_ledger_new (cfg, agg->journal, agg->fsync, agg->fsync_ms);
    if (!self->ledger)
        goto fail;
    self->book = hb_ledger_book (self->ledger);
    self->recon = hb_recon_new (cfg, self->book);
    if (!self->recon)
        goto fail;
    hb_ledger_stats_t stats;
    hb_ledger_stats (self->ledger, &stats);
    hb_info ("aggregator: journal %s: %llu fills and %llu funding payments replayed (%llu unknown, "
             "%llu bad records, %llu bytes of damaged tail dropped)", agg->journal,
             (unsigned long long) stats.replayed, (unsigned long long) stats.fundings,
             (unsigned long long) stats.unknown, (unsigned long long) stats.bad_records,
             (unsigned long long) hb_journal_dropped (hb_ledger_journal (self->ledger)));
    self->pub = hb_pub_new (agg->endpoint, "aggregator", 0);
    self->sub = hb_sub_new (0);
    self->snap = zsock_new (ZMQ_ROUTER);
    self->own_loop = loop == NULL;
    self->loop = loop ? loop : zloop_new ();
    if (!self->pub || !self->sub || !self->snap || !self->loop)
        goto fail;
    if (hb_curve_server (self->snap, agg->snapshot_endpoint) != 0
    ||  zsock_bind (self->snap, "%s", agg->snapshot_endpoint) < 0) {
        hb_error ("aggregator: cannot bind the snapshot socket to %s", agg->snapshot_endpoint);
        goto fail;
    }
    for (int v = 0; v < cfg->n_venues; v++) {
        const hb_venue_cfg_t *venue = &cfg->venues [v];
        if (!venue->enabled)
            continue;
        char prefix [HB_TOPIC_MAX];
        const char *kinds [] = { "fill", "ack", "tick", "funding", "account" };
        hb_sub_role_t role;
        hb_roles_feed (venue, &role);
        if (hb_sub_connect_role (self->sub, venue->endpoint, &role) != 0)
            goto fail;
        for (int k = 0; k < 5; k++) {
            //  account.<venue> is a whole topic, the others a prefix
            snprintf (prefix, sizeof prefix, k == 4 ? "%s.%s" : "%s.%s.", kinds [k], venue->name);
            hb_sub_subscribe (self->sub, prefix);
        }
        snprintf (prefix, sizeof prefix, "capital.transfer.%s.", venue->name);
        hb_sub_subscribe (self->sub, prefix);
    }
    if (hb_sub_attach (self->sub, self->loop, s_on_bus, self) != 0
    ||  zloop_reader (self->loop, self->snap, s_on_snapshot, self) != 0
    ||  zloop_timer (self->loop, (size_t) agg->snapshot_ms, 0, s_on_snapshot_timer, self) < 0
    ||  zloop_timer (self->loop, S_HEARTBEAT_MS, 0, s_on_heartbeat, self) < 0)
        goto fail;
    if (agg->fsync == HB_JOURNAL_FSYNC_INTERVAL && agg->fsync_ms > 0
    &&  zloop_timer (self->loop, (size_t) agg->fsync_ms, 0, s_on_sync, self) < 0)
        goto fail;
    self->refill = hb_refill_new (cfg, self->loop, S_REFILL_TIMEOUT_MS, S_REFILL_RETRY_MS,
                                  s_on_replayed_fill, self);
    if (!self->refill)
        goto fail;
    //  every topic gets a seq at once, so a snapshot can be served from the
    //  start. A recorder's subscription (hb-record subscribes to "seq." by
    //  name, and reconnects every 5 ms) is waited for briefly first: a PUB
    //  socket drops what it sends before, and a process that subscribed
    //  sooner would apply a message the recording lacks, which its replay
    //  refuses (seen once in tests/it_determinism.sh under load). Without a
    //  recorder this only delays the first publish by S_RECORDER_WAIT_MS.
    hb_pub_wait_prefix (self->pub, "seq.", S_RECORDER_WAIT_MS);
    s_publish_all (self);
    //  asked now too, not only on a venue's first message: a feed that
    //  publishes nothing would otherwise never be asked. Our subscription
    //  may not be in place yet; the ask on the first message covers that.
    for (int v = 0; v < cfg->n_venues; v++)
        hb_refill_ask (self->refill, v);
    return self;
fail:
    hb_error ("aggregator: cannot start");
    hb_aggregator_destroy (&self);
    return NULL;
}

void
hb_aggregator_destroy (hb_aggregator_t **self_p)
{
    if (self_p && *self_p) {
        hb_aggregator_t *self = *self_p;
        hb_refill_destroy (&self->refill);
        if (self->sub)
            hb_sub_detach (self->sub);
        if (self->own_loop)
            zloop_destroy (&self->loop);
        //  else our readers and timers die with the service's loop
        zsock_destroy (&self->snap);
        hb_sub_destroy (&self->sub);
        hb_pub_destroy (&self->pub);
        hb_recon_destroy (&self->recon);
        hb_ledger_destroy (&self->ledger);
        free (self->positions);
        free (self);
        *self_p = NULL;
    }
}

int
hb_aggregator_run (hb_aggregator_t *self)
{
    assert (self && self->own_loop);
    while (!__atomic_load_n (&self->stop, __ATOMIC_RELAXED)) {
        //  0: a signal interrupted the poll; -1: a handler stopped it
        if (zloop_start (self->loop) != 0)
            return self->failed ? -1 : 0;
    }
    return 0;
}

void
hb_aggregator_stop (hb_aggregator_t *self)
{
    __atomic_store_n (&self->stop, 1, __ATOMIC_RELAXED);
}

bool
hb_aggregator_failed (hb_aggregator_t *self)
{
    assert (self);
    return self->failed;
}

hb_ledger_t *
hb_aggregator_ledger (hb_aggregator_t *self)
{
    return self->ledger;
}
