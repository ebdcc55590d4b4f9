/*  hb_hedger: requests to orders, in flight netting (see hb_hedger.h).
    One concept in one file: the request path (routing, controls,
    sending), the life cycle of an order (journal, replay, acks,
    timeouts), and the kill switch, which cancels what is working. They
    were three files that called each other in a circle; the sections
    below follow that order. The order table itself, and the proof that
    the aggregator's positions hold our fills, are a class below this one
    (hb_orders.h): it decides nothing and calls back only to have a proof
    journaled.

    Journal records are one text line each, so that an operator can read
    the hedger's history with `strings`:
        I <client id> <venue> <symbol> <side> <qty> <px> <ns>   an intent
        O <client id> <status> <filled qty> <ns>                its outcome
    Names, not config indexes: a config edited between two runs must not
    move an order to another instrument.                                  */
#include "hb_hedger.h"
#include "hb_controls.h"
#include "hb_optexec.h"
#include "hb_journal.h"
#include "hb_killswitch.h"
#include "hb_metrics.h"
#include "hb_orders.h"
#include "hb_route.h"

#include <assert.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include "hb_log.h"

#define S_SEEN_IDS      64          //  request ids remembered against repeats

#define S_RECORD_MAX    256         //  one journal record, a text line
//  legs one request can have: every asset it names, routed over every candidate
#define S_PENDING_MAX   (HB_RISK_HEDGE_TARGETS * HB_ROUTE_MAX_LEGS)
//  its rejects held until its orders are out (more are published at once)
#define S_REJECTS_MAX   (S_PENDING_MAX + 2 * HB_RISK_HEDGE_TARGETS)

typedef struct {
    bool     known;
    double   equity, initial;
    bool     topup;                 //  HB_MARGIN_TOPUP: collateral on its way
} s_margin_t;

//  The newest book of one instrument, with its stamp (the feed's ts_pub):
//  a request is routed on what the hedger has when it applies it
typedef struct {
    bool     known;
    int64_t  ts;
    hb_tick_t tick;
} s_book_t;

struct _hb_hedger_t {
    const hb_config_t *cfg;
    hb_hedger_send_fn *send;
    void          *send_arg;
    hb_journal_t  *journal;
    hb_controls_t *controls;
    hb_optexec_t  *optexec;         //  the option legs' controls (hb_optexec.h)
    hb_killswitch_t *kill;
    bool           broken;          //  the journal failed: no more orders
    s_book_t      *books;           //  [venue][instrument]: the newest
    //  the kill file as the caller last saw it (hb_hedger_kill_look): once
    //  given, the engine never reads the file itself (a replay must not)
    bool           kill_given;
    hb_killswitch_look_t kill_look;
    hb_hedger_restore_fn *restore;  //  what the start read from disk goes here too
    void          *restore_arg;
    s_margin_t     margins [HB_MAX_VENUES];
    double         gross [HB_MAX_ASSETS];
    double         net [HB_MAX_ASSETS];         //  pos.<asset>'s net_usd (capital.reduce's controls)
    int64_t        venue_ts [HB_MAX_VENUES];   //  newest ts_pub seen from each feed
    int64_t        dead_ts [HB_MAX_VENUES];    //  venue_ts at the last s_check_dead
    size_t         n_slots, first [HB_MAX_VENUES];
    int64_t        wall_ns;        //  the wall clock of the call being handled
    hb_journal_t  *totals;         //  <journal>.totals: records written, day total
    int64_t        hold_until;     //  journal lost its tail: no order before this (wall)
    uint64_t       lost_records;
    hb_orders_t   *orders;         //  the order table and the proof of our fills (hb_orders.h)
    char           seen [S_SEEN_IDS][HB_ID_MAX];
    int            seen_next;
    hb_hedger_stats_t stats;
    hb_msg_t       out;
    hb_route_plan_t plan;
    hb_route_cand_t cands [HB_ROUTE_MAX_CANDIDATES];
    int            cand_venue [HB_ROUTE_MAX_CANDIDATES];
    int            cand_instr [HB_ROUTE_MAX_CANDIDATES];
    //  The legs of the request being decided, admitted by the controls:
    //  each has its order slot filled (so the legs after it see it, as
    //  they would a sent one) and its intent record made. s_commit
    //  journals them all with one group append (one sync), and only then
    //  sends them (hb_hedger_on_request).
    int            n_pending;
    hb_orders_entry_t     *pending [S_PENDING_MAX];
    char         (*pending_rec) [S_RECORD_MAX];    //  [S_PENDING_MAX]: the intents
    struct iovec   pending_iov [S_PENDING_MAX];    //  each pointing at its intent
    bool           deciding;        //  admitting a request's legs: its rejects wait
    int            n_rejects;
    hb_hedge_reject_t rejects [S_REJECTS_MAX];      //  published after its orders
#ifdef HB_TEST_HOOKS
    hb_hedger_crash_t crash;        //  the restart tests' injected kill -9
    int            crash_left;      //  points of that kind to pass before it
#endif
    //  process metrics (docs/OPERATIONS.md, Metrics)
    hb_metric_t   *m_requests, *m_refused, *m_orders, *m_leg_rejects, *m_fills;
    hb_metric_t   *m_kill;          //  hb_hedger_kill_switch: 1 set, 0 clear
    hb_metric_t   *m_doubt;         //  hb_hedger_orders_in_doubt
    hb_metric_t   *m_doubt_total, *m_unconfirmed, *m_day;
    hb_metric_t   *m_decision;      //  hb_decision_latency_seconds{component="hedger"}
    int64_t        input_ts;        //  ts_pub of the risk.hedge being decided, 0 outside
};

static double
s_sign (uint8_t side)
{
    return side == HB_SIDE_BUY? 1.0: -1.0;
}

//  Publishes a hedger.reject; asset, venue and detail may be
//  NULL, a non-finite qty is sent as 0. A failed publish is logged only.
static void s_reject (hb_hedger_t *self, const char *request_id, const char *asset,
                      const char *venue, const char *reason, double qty, const char *detail);

//  The order table (below, after the request path).

//  Fills the slot order with a leg of the request being decided, sent at
//  now_ns, and makes its intent record, pending (s_commit journals it).
//  -1 when more legs are pending than a request can have (nothing done).
static int s_order_intent (hb_hedger_t *self, hb_orders_entry_t *order, const char *client_id,
                           int venue, int instrument, int asset, uint8_t side, double qty,
                           double px, int64_t now_ns);

//  The pending legs: every intent journaled with one group append (one
//  sync), then, only then, every order sent, then the day totals record.
//  Returns the orders sent: all, or none when the journal failed (logged;
//  the hedger is broken: no more orders; their slots are freed).
static int s_commit (hb_hedger_t *self, int64_t now_ns);

//  The ack of order (ours, found by its client id), stamped at now_ns (data
//  time): a final one ends the order and is journaled; the rest is ignored.
static void s_on_ack (hb_hedger_t *self, hb_orders_entry_t *order, const hb_ack_t *ack,
                      int64_t now_ns);

//  A fill of order, a position state or pos.<asset> of the aggregator, a
//  feed alive at ts: the inclusion of our fills and the end of orders in
//  doubt (below, with the order table)
static void s_on_fill (hb_hedger_t *self, hb_orders_entry_t *order, const hb_fill_t *fill,
                       const hb_env_t *env, int64_t now_ns);
static void s_feed_alive (hb_hedger_t *self, int venue, int64_t ts, int64_t now_ns);
static bool s_cancel (hb_hedger_t *self, hb_orders_entry_t *order, int64_t now_ns);

//  hb_orders' callback: an order's fills are all in the aggregator's picture
static void s_proven (void *arg, hb_orders_entry_t *order, const char *how);

//  <journal>.totals, read after the journal: 0, or -1 (logged)
static int s_check_totals (hb_hedger_t *self, int64_t now_ns);

//  hb_journal_replay's callback (arg: the hedger): rebuilds the order table
//  and the day notional from the journal. Always 0; a bad record is logged
//  and skipped.
static int s_replay (const void *data, size_t size, uint64_t index, void *arg);

//  The injected crash, when point is armed and its count is reached; in
//  the test build only (HB_TEST_HOOKS), a no-op in products.
#ifdef HB_TEST_HOOKS
static void s_crash_point (hb_hedger_t *self, hb_hedger_crash_t point, const char *client_id);
#else
#define s_crash_point(self, point, client_id) do { (void) (self); } while (0)
#endif

//  The kill switch (at the end): latches the kill in the controls,
//  cancels every working order and echoes the command on hedger.control.
static void s_apply_kill (hb_hedger_t *self, const hb_hedger_control_t *by, int64_t now_ns);

//  ---------------------------------------------------------------------
//  Requests to orders

#define S_MIN_USD       1.0         //  less than this is not worth an order
//  A leg's limit price is the worst book level it takes, moved this far
//  (at most half the collar) in the aggressive direction: the book the
//  route walked is up to one publish interval old by the time the order
//  lands, and an IOC priced exactly at it finds nothing when the price has
//  ticked away. The collar control still bounds the price against the index.
#define S_SLIP_BPS      10.0

//  The leg's limit price with the S_SLIP_BPS allowance, on the tick grid.
static double
s_limit_px (double worst_px, uint8_t side, double slip_bps, double tick)
{
    double px = side == HB_SIDE_BUY ? worst_px * (1 + slip_bps * 1e-4)
                                    : worst_px * (1 - slip_bps * 1e-4);
    if (tick > 0)
        px = side == HB_SIDE_BUY ? ceil (px / tick - 1e-9) * tick
                                 : floor (px / tick + 1e-9) * tick;
    return px > 0 ? px : worst_px;
}

//  Publishes the hedger.reject r
static void
s_reject_send (hb_hedger_t *self, const hb_hedge_reject_t *r)
{
    hb_msg_t *msg = &self->out;
    memset (msg, 0, sizeof *msg);
    msg->env.type = HB_MSG_HEDGE_REJECT;
    msg->u.hedge_reject = *r;
    hb_info ("hedger: %s %s%s%s refused: %s (%s)", r->request_id, r->asset,
             r->venue [0]? " on ": "", r->venue, r->reason, r->detail);
    if (self->send ("hedger.reject", msg, self->send_arg) != 0)
        hb_warn ("hedger: cannot publish hedger.reject for %s", r->request_id);
}

static void
s_reject (hb_hedger_t *self, const char *request_id, const char *asset,
          const char *venue, const char *reason, double qty, const char *detail)
{
    //  while a request's legs are admitted, its rejects wait for its
    //  orders (s_commit): nothing is published ahead of them
    hb_hedge_reject_t r;
    memset (&r, 0, sizeof r);
    snprintf (r.request_id, sizeof r.request_id, "%s", request_id [0]? request_id: "-");
    snprintf (r.asset, sizeof r.asset, "%s", asset? asset: "");
    snprintf (r.venue, sizeof r.venue, "%s", venue? venue: "");
    snprintf (r.reason, sizeof r.reason, "%s", reason);
    snprintf (r.detail, sizeof r.detail, "%s", detail? detail: "");
    r.qty = isfinite (qty)? qty: 0;
    if (self->deciding && self->n_rejects < S_REJECTS_MAX)
        self->rejects [self->n_rejects++] = r;
    else
        s_reject_send (self, &r);
}

//  ---------------------------------------------------------------------------

static void
s_register_metrics (hb_hedger_t *self)
{
    hb_metrics_t *metrics = hb_metrics_process ();
    if (!metrics)
        return;
    self->m_requests = hb_metrics_counter (metrics, "hb_hedger_requests_total",
                                           "Hedge requests (risk.hedge) received", NULL, NULL);
    self->m_refused = hb_metrics_counter (metrics, "hb_hedger_refused_requests_total",
                                          "Hedge requests refused as a whole", NULL, NULL);
    self->m_orders = hb_metrics_counter (metrics, "hb_hedger_orders_total",
                                         "Orders sent to venues", NULL, NULL);
    self->m_leg_rejects = hb_metrics_counter (metrics, "hb_hedger_rejects_total",
                                              "Hedge legs refused by a control or unroutable",
                                              NULL, NULL);
    self->m_fills = hb_metrics_counter (metrics, "hb_hedger_fills_total",
                                        "Fills of the hedger's orders", NULL, NULL);
    self->m_kill = hb_metrics_gauge (metrics, "hb_hedger_kill_switch",
                                     "1 while the kill switch is set (no orders), else 0", NULL, NULL);
    self->m_doubt = hb_metrics_gauge (metrics, "hb_hedger_orders_in_doubt",
                                      "Orders past order_timeout_ms whose outcome is not known: "
                                      "counted in flight, no new hedge for them", NULL, NULL);
    self->m_doubt_total = hb_metrics_counter (metrics, "hb_hedger_in_doubt_total",
                                              "Orders that went in doubt (no final ack by "
                                              "order_timeout_ms)", NULL, NULL);
    self->m_unconfirmed = hb_metrics_gauge (metrics, "hb_hedger_fills_unconfirmed",
                                            "Filled orders the aggregator's positions have not "
                                            "included for 10 s: still counted", NULL, NULL);
    self->m_day = hb_metrics_gauge (metrics, "hb_hedger_day_notional_usd",
                                    "Notional traded (or in flight) in the UTC day", NULL, NULL);
    self->m_decision = hb_metrics_decision_latency ("hedger");
}

hb_hedger_t *
hb_hedger_new (const hb_config_t *cfg, hb_hedger_send_fn *send, void *arg, int64_t now_ns)
{
    return hb_hedger_new_observed (cfg, send, arg, now_ns, NULL, NULL);
}

hb_hedger_t *
hb_hedger_new_observed (const hb_config_t *cfg, hb_hedger_send_fn *send, void *arg,
                        int64_t now_ns, hb_hedger_restore_fn *restore, void *restore_arg)
{
    assert (cfg && send);
    hb_hedger_t *self = (hb_hedger_t *) calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->cfg = cfg;
    self->send = send;
    self->send_arg = arg;
    self->restore = restore;
    self->restore_arg = restore_arg;
    s_register_metrics (self);
    //  per instrument of the config, not per possible one
    self->n_slots = hb_config_instrument_slots (cfg, self->first);
    size_t slots = self->n_slots ? self->n_slots : 1;
    self->books = (s_book_t *) calloc (slots, sizeof (s_book_t));
    self->orders = hb_orders_new (cfg, s_proven, self);
    self->pending_rec = (char (*) [S_RECORD_MAX]) calloc (S_PENDING_MAX, S_RECORD_MAX);
    self->controls = hb_controls_new (cfg);
    self->optexec = hb_optexec_new (cfg);
    self->kill = hb_killswitch_new (cfg->hedger.kill_file);
    if (!self->books || !self->orders || !self->pending_rec || !self->controls
    ||  !self->kill || !self->optexec)
        goto fail;
    self->wall_ns = now_ns;
    //  the hedger refuses every policy but always (CONFIG.md), and so do we
    self->journal = hb_journal_open_owned (cfg->hedger.journal, HB_JOURNAL_FSYNC_ALWAYS, 0);
    char totals [sizeof cfg->hedger.journal + 8];
    snprintf (totals, sizeof totals, "%s.totals", cfg->hedger.journal);
    if (self->journal)
        self->totals = hb_journal_open_owned (totals, HB_JOURNAL_FSYNC_ALWAYS, 0);
    if (!self->journal || !self->totals) {
        hb_error ("hedger: cannot start on %s: the orders in flight and the day's traded "
                  "notional would not be known (docs/OPERATIONS.md, Damaged or missing "
                  "journals)", self->journal? totals: cfg->hedger.journal);
        goto fail;
    }
    if (hb_journal_replay (self->journal, s_replay, self) != 0 || s_check_totals (self, now_ns) != 0)
        goto fail;
    hb_metric_set (self->m_kill, hb_killswitch_killed (self->kill) ? 1 : 0);
    //  the kill file as the start saw it: the last thing read back, so a
    //  replay builds its engine on this entry (hb_hedger_live.c)
    if (self->restore) {
        hb_killswitch_look_t look;
        hb_killswitch_seen (self->kill, &look);
        uint8_t bytes [HB_KILLSWITCH_LOOK_SIZE];
        hb_killswitch_look_encode (&look, bytes);
        self->restore (HB_HEDGER_RESTORE_KILL, bytes, sizeof bytes, self->restore_arg);
    }
    //  a kill latched before the restart: what was working is canceled
    //  again (harmless when the venue has finished it)
    if (hb_killswitch_killed (self->kill))
        s_apply_kill (self, hb_killswitch_state (self->kill), now_ns);
    hb_hedger_stats_t stats;
    hb_hedger_stats (self, &stats);
    if (self->stats.replayed)
        hb_info ("hedger: journal %s: %llu intents, %llu still in flight", cfg->hedger.journal,
                 (unsigned long long) self->stats.replayed,
                 (unsigned long long) stats.in_flight);
    return self;
fail:
    hb_hedger_destroy (&self);
    return NULL;
}

void
hb_hedger_destroy (hb_hedger_t **self_p)
{
    assert (self_p);
    hb_hedger_t *self = *self_p;
    if (self) {
        hb_journal_destroy (&self->totals);
        hb_journal_destroy (&self->journal);
        hb_killswitch_destroy (&self->kill);
        hb_controls_destroy (&self->controls);
        hb_optexec_destroy (&self->optexec);
        hb_orders_destroy (&self->orders);
        free (self->pending_rec);
        free (self->books);
        free (self);
        *self_p = NULL;
    }
}

//  ---------------------------------------------------------------------------
//  Requests

static bool
s_seen (hb_hedger_t *self, const char *id)
{
    for (int i = 0; i < S_SEEN_IDS; i++)
        if (strcmp (self->seen [i], id) == 0)
            return true;
    snprintf (self->seen [self->seen_next], HB_ID_MAX, "%s", id);
    self->seen_next = (self->seen_next + 1) % S_SEEN_IDS;
    return false;
}

//  The candidates of asset: every linear instrument of every enabled
//  venue, with its newest book (the route refuses a stale or crossed one)
static int
s_candidates (hb_hedger_t *self, int asset, uint8_t side)
{
    const hb_config_t *cfg = self->cfg;
    int n = 0;
    for (int v = 0; v < cfg->n_venues && n < HB_ROUTE_MAX_CANDIDATES; v++) {
        const hb_venue_cfg_t *venue = &cfg->venues [v];
        if (!venue->enabled)
            continue;
        for (int i = 0; i < venue->n_instruments && n < HB_ROUTE_MAX_CANDIDATES; i++) {
            const hb_instrument_cfg_t *ins = &venue->instruments [i];
            //  A spot sale needs the coins on that venue, which the hedger
            //  does not track per venue: hedges sell derivatives only.
            if (ins->asset != asset || (ins->kind == HB_KIND_SPOT && side == HB_SIDE_SELL))
                continue;
            hb_route_cand_t *c = &self->cands [n];
            memset (c, 0, sizeof *c);
            const s_book_t *book = &self->books [self->first [v] + (size_t) i];
            c->tick = book->known? &book->tick: NULL;
            c->tick_ns = book->ts;
            c->kind = ins->kind;
            c->multiplier = ins->multiplier;
            c->lot_size = ins->lot_size;
            c->min_qty = ins->min_qty;
            c->fee_taker = venue->fee_taker;
            c->carry = hb_route_carry (ins->kind, hb_config_funding_bps (cfg, v, i),
                                       hb_config_basis_bps (cfg, v, i), cfg->hedger.hold_hours);
            if (self->margins [v].known && ins->kind != HB_KIND_SPOT) {
                c->equity_usd = self->margins [v].equity;
                c->initial_usd = self->margins [v].initial;
                c->initial_rate = venue->initial_margin;
                c->topup = self->margins [v].topup;
            }
            self->cand_venue [n] = v;
            self->cand_instr [n] = i;
            n++;
        }
    }
    return n;
}

//  Admits one leg of the request being decided: its order slot filled
//  and its intent made, pending (s_commit journals and sends them). 0
//  pending, -1 not (said on hedger.reject).
static int
s_queue_leg (hb_hedger_t *self, const char *client_id, int cand, const hb_route_leg_t *leg,
             uint8_t side, int asset, int64_t now_ns)
{
    const hb_venue_cfg_t *venue = &self->cfg->venues [self->cand_venue [cand]];
    //  a journaled id comes back only if risk's ids repeat across its runs
    if (hb_orders_find (self->orders, client_id)) {
        s_reject (self, client_id, self->cfg->assets [asset].name, venue->name,
                  "duplicate_client_id", s_sign (side) * leg->asset_qty,
                  "journaled before");
        return -1;
    }
    hb_orders_entry_t *order = hb_orders_slot (self->orders, now_ns);
    if (!order
    ||  s_order_intent (self, order, client_id, self->cand_venue [cand], self->cand_instr [cand],
                        asset, side, leg->qty, leg->limit_px, now_ns) != 0) {
        s_reject (self, "-", self->cfg->assets [asset].name, venue->name, "orders_full",
                  s_sign (side) * leg->asset_qty, "no free order slot");
        return -1;
    }
    return 0;
}

//  Sends order, whose intent is durable
static void
s_send_order (hb_hedger_t *self, const hb_orders_entry_t *order, int64_t now_ns)
{
    const hb_venue_cfg_t *venue = &self->cfg->venues [order->venue];
    const hb_instrument_cfg_t *ins = &venue->instruments [order->instrument];
    hb_msg_t *msg = &self->out;
    memset (msg, 0, sizeof *msg);
    msg->env.type = HB_MSG_ORDER;
    msg->env.ts_recv = now_ns;
    hb_order_t *o = &msg->u.order;
    snprintf (o->venue, sizeof o->venue, "%s", venue->name);
    snprintf (o->symbol, sizeof o->symbol, "%s", ins->symbol);
    snprintf (o->client_id, sizeof o->client_id, "%s", order->client_id);
    o->side = order->side;
    o->ord_type = HB_ORD_LIMIT;
    o->tif = HB_TIF_IOC;
    o->qty = order->qty;
    o->px = order->px;
    char topic [HB_TOPIC_MAX];
    hb_msg_topic (msg, topic);
    //  a failed send stays in flight: we cannot know it did not leave
    if (self->send (topic, msg, self->send_arg) != 0)
        hb_error ("hedger: order %s may not have been sent; it stays in flight", order->client_id);
    //  pub_ns stays the time the intent was applied (a replay has no
    //  other): the send's own stamp is a few hundred us later at most,
    //  which the proof's S_PROOF_GRACE_NS covers
    s_crash_point (self, HB_HEDGER_CRASH_AFTER_SEND, order->client_id);
    self->stats.orders++;
    hb_metric_inc (self->m_orders);
    //  the send stamped ts_pub: the order is the decision on the request
    if (self->input_ts && msg->env.ts_pub)
        hb_metric_observe_interval (self->m_decision, self->input_ts, msg->env.ts_pub);
    hb_info ("hedger: order %s %s %.8g %s on %s @ %.8g", order->client_id,
             hb_side_name (order->side), order->qty, ins->symbol, venue->name, order->px);
}

static double
s_gross (hb_hedger_t *self)
{
    double sum = 0;
    for (int a = 0; a < self->cfg->n_assets; a++)
        sum += self->gross [a];
    return sum;
}

//  The legs of self->plan (legs of them, routed for side of asset at
//  index), admitted by the controls and queued as orders "<id>.<leg_no>":
//  *flight (asset units) grows by each leg queued, as if sent, and the
//  controls see the net exposure_usd + flight x index. want is the
//  request's quantity (for a rejection). Returns the legs queued; their
//  asset units in *placed when placed is not NULL.
static int
s_queue_plan (hb_hedger_t *self, const char *id, int asset, uint8_t side, double index,
              double exposure_usd, double *flight, double want, int legs, int *leg_no,
              int64_t now_ns, double *placed)
{
    const hb_config_t *cfg = self->cfg;
    const char *asset_name = cfg->assets [asset].name;
    char detail [HB_TEXT_MAX];
    int queued = 0;
    for (int l = 0; l < legs; l++) {
        const hb_route_leg_t *leg = &self->plan.legs [l];
        const char *venue = cfg->venues [self->cand_venue [leg->cand]].name;
        char client_id [HB_ID_MAX];
        int len = snprintf (client_id, sizeof client_id, "%s.%d", id, (*leg_no)++);
        if (len < 0 || (size_t) len >= sizeof client_id) {
            s_reject (self, id, asset_name, venue, "bad_request_id", want,
                      "id too long for a leg");
            self->stats.leg_rejects++;
            hb_metric_inc (self->m_leg_rejects);
            continue;
        }
        hb_route_leg_t priced = *leg;
        const hb_instrument_cfg_t *ins = &cfg->venues [self->cand_venue [leg->cand]]
                                              .instruments [self->cand_instr [leg->cand]];
        double slip = fmin (S_SLIP_BPS, cfg->hedger.collar_bps / 2);
        priced.limit_px = s_limit_px (leg->limit_px, side, slip, ins->tick_size);
        leg = &priced;
        hb_ctl_order_t order = {
            .venue = self->cand_venue [leg->cand], .asset = asset, .side = side,
            .qty = leg->asset_qty, .px = leg->limit_px, .index = index,
            .net_usd = exposure_usd + *flight * index,
            .gross_usd = s_gross (self)
        };
        hb_ctl_reason_t rc = hb_controls_admit (self->controls, &order, now_ns, detail,
                                                sizeof detail);
        if (rc != HB_CTL_OK) {
            s_reject (self, id, asset_name, venue, hb_ctl_reason_name (rc),
                      s_sign (side) * leg->asset_qty, detail);
            self->stats.leg_rejects++;
            hb_metric_inc (self->m_leg_rejects);
            continue;
        }
        //  pending: counted in flight for the legs after it, as if sent
        if (s_queue_leg (self, client_id, leg->cand, leg, side, asset, now_ns) == 0) {
            queued++;
            *flight += s_sign (side) * leg->asset_qty;
            if (placed)
                *placed += leg->asset_qty;
        }
    }
    return queued;
}

static int
s_hedge_asset (hb_hedger_t *self, const hb_risk_hedge_t *request, const hb_risk_target_t *t,
               int64_t now_ns, int *leg_no)
{
    const char *id = request->id;
    const hb_config_t *cfg = self->cfg;
    char detail [HB_TEXT_MAX];
    int asset = hb_config_asset_index (cfg, t->asset);
    if (asset < 0) {
        s_reject (self, id, NULL, NULL, "unknown_asset", t->target_qty, t->asset);
        self->stats.leg_rejects++;
        hb_metric_inc (self->m_leg_rejects);
        return 0;
    }
    //  our orders not final yet, and the fills of ours its picture of the
    //  aggregator does not include yet
    hb_orders_pos_t pos = hb_orders_request_pos (self->orders, request, t->asset);
    double flight = hb_orders_asset_flight (self->orders, asset, &pos, request);
    double want = t->target_qty - flight;
    //  what is in flight already covers it (or goes further): nothing
    //  to add, and never trade back against our own hedge
    if (want * t->target_qty <= 0 || fabs (want) * t->index < S_MIN_USD)
        return 0;
    hb_route_req_t req = {
        .side = want > 0? HB_SIDE_BUY: HB_SIDE_SELL,
        .qty = fabs (want),
        .now_ns = now_ns,
        .stale_ns = (int64_t) cfg->risk.quote_stale_ms * 1000000,
        .max_utilization = cfg->hedger.max_utilization
    };
    int n = s_candidates (self, asset, req.side);
    //  Below the smallest order any candidate takes, what is left is lot
    //  rounding, not a hedge that failed: nothing to send, nothing to say.
    double smallest = INFINITY;
    for (int c = 0; c < n; c++)
        smallest = fmin (smallest, self->cands [c].min_qty * self->cands [c].multiplier);
    if (n > 0 && req.qty < smallest)
        return 0;
    int legs = hb_route_plan (&req, self->cands, n, &self->plan);
    if (legs <= 0) {
        int len = snprintf (detail, sizeof detail, "no venue:");
        for (int c = 0; c < n && len > 0 && (size_t) len < sizeof detail; c++)
            len += snprintf (detail + len, sizeof detail - (size_t) len, " %s/%s %s",
                             cfg->venues [self->cand_venue [c]].name,
                             cfg->venues [self->cand_venue [c]].instruments [self->cand_instr [c]].symbol,
                             hb_route_skip_name (self->plan.skip [c]));
        s_reject (self, id, t->asset, NULL, "no_route", want, detail);
        self->stats.leg_rejects++;
        hb_metric_inc (self->m_leg_rejects);
        return 0;
    }
    int queued = s_queue_plan (self, id, asset, req.side, t->index, t->exposure_usd, &flight,
                               want, legs, leg_no, now_ns, NULL);
    if (self->plan.unplaced_qty * t->index >= S_MIN_USD && self->plan.unplaced_qty >= smallest) {
        snprintf (detail, sizeof detail, "%.8g of %.8g left for the next request",
                  self->plan.unplaced_qty, req.qty);
        s_reject (self, id, t->asset, NULL, "unplaced",
                  s_sign (req.side) * self->plan.unplaced_qty, detail);
    }
    return queued;
}

//  Why a request (risk.hedge or risk.optplan, id) applied at now_ns is
//  refused as a whole (detail: the value and the limit), NULL when not
static const char *
s_refusal (hb_hedger_t *self, const hb_msg_t *msg, hb_seq_status_t status, const char *id,
           int64_t now_ns, char *detail, size_t size)
{
    const hb_hedger_cfg_t *hc = &self->cfg->hedger;
    int64_t req_ns = msg->env.ts_recv? msg->env.ts_recv: msg->env.ts_pub;
    int64_t age_ms = (now_ns - req_ns) / 1000000;
    const char *refusal = NULL;
    detail [0] = '\0';
    if (status == HB_SEQ_GAP || status == HB_SEQ_RESTART || status == HB_SEQ_STALE) {
        refusal = status == HB_SEQ_GAP? "gap": status == HB_SEQ_RESTART? "restart": "stale_seq";
        snprintf (detail, size, "%s from %s seq %llu: %s",
                  msg->env.type == HB_MSG_RISK_OPTPLAN? "risk.optplan":
                  msg->env.type == HB_MSG_CAPITAL_REDUCE? "capital.reduce": "risk.hedge", msg->env.publisher,
                  (unsigned long long) msg->env.seq, hb_seq_status_name (status));
    }
    else
    if (age_ms > hc->max_request_age_ms) {
        refusal = "stale_request";
        snprintf (detail, size, "age %lld ms > max_request_age_ms %d",
                  (long long) age_ms, hc->max_request_age_ms);
    }
    else
    if (hb_killswitch_killed (self->kill)) {
        const hb_hedger_control_t *by = hb_killswitch_state (self->kill);
        refusal = "killed";
        //  cut to the detail's size; the whole story is in the echo
        char line [HB_NAME_MAX + HB_ID_MAX + HB_TEXT_MAX + 32];
        snprintf (line, sizeof line, "kill switch set by %s (%s): %s", by->by, by->id, by->text);
        snprintf (detail, size, "%.95s", line);
    }
    else
    if (self->broken) {
        refusal = "journal_failed";
        snprintf (detail, size, "journal %.50s unusable: restart the hedger", hc->journal);
    }
    else
    if (now_ns < self->hold_until) {
        refusal = "journal_tail_lost";
        snprintf (detail, size, "journal lost %llu records: no order for %lld ms more",
                  (unsigned long long) self->lost_records,
                  (long long) ((self->hold_until - now_ns) / 1000000));
    }
    else
    if (s_seen (self, id)) {
        refusal = "duplicate_request";
        snprintf (detail, size, "request id seen before");
    }
    return refusal;
}

int
hb_hedger_on_request (hb_hedger_t *self, const hb_msg_t *msg, hb_seq_status_t status,
                      int64_t now_ns)
{
    assert (self && msg);
    if (msg->env.type != HB_MSG_RISK_HEDGE)
        return -1;
    const hb_risk_hedge_t *req = &msg->u.risk_hedge;
    char detail [HB_TEXT_MAX];
    self->stats.requests++;
    hb_metric_inc (self->m_requests);
    self->wall_ns = now_ns;
    hb_hedger_check_kill (self, now_ns);
    const char *refusal = s_refusal (self, msg, status, req->id, now_ns, detail, sizeof detail);
    if (refusal) {
        s_reject (self, req->id, NULL, NULL, refusal, 0, detail);
        self->stats.refused++;
        hb_metric_inc (self->m_refused);
        return 0;
    }
    //  Every leg of every asset is admitted first, then their intents
    //  are journaled together and only then sent (s_commit): one sync per
    //  request, not one (and the day total's) per leg, in series.
    int leg_no = 0;
    self->input_ts = msg->env.ts_pub;
    self->n_pending = self->n_rejects = 0;
    self->deciding = true;
    for (int i = 0; i < req->n_targets && i < HB_RISK_HEDGE_TARGETS; i++)
        s_hedge_asset (self, req, &req->targets [i], now_ns, &leg_no);
    self->deciding = false;
    int sent = s_commit (self, now_ns);
    self->input_ts = 0;
    int64_t day;
    hb_metric_set (self->m_day, hb_controls_day_state (self->controls, &day));
    return sent;
}

//  Keeps the candidates of venue (on it, or all but it), in place
static int
s_keep_venue (hb_hedger_t *self, int n, int venue, bool on)
{
    int kept = 0;
    for (int c = 0; c < n; c++)
        if ((self->cand_venue [c] == venue) == on) {
            self->cands [kept] = self->cands [c];
            self->cand_venue [kept] = self->cand_venue [c];
            self->cand_instr [kept] = self->cand_instr [c];
            kept++;
        }
    return kept;
}

//  Routes qty of asset (side) on venue's candidates (on) or the others',
//  queueing the legs (placed NULL: only how much could be placed, nothing
//  queued, returned in asset units through *flight); what was placed
//  (asset units) in *placed
static int
s_reduce_side (hb_hedger_t *self, const hb_reduce_t *r, int asset, int venue, bool on, uint8_t side,
               double qty, double index, double *flight, int *leg_no, int64_t now_ns, double *placed)
{
    hb_route_req_t req = {
        .side = side, .qty = qty, .now_ns = now_ns,
        .stale_ns = (int64_t) self->cfg->risk.quote_stale_ms * 1000000,
        .max_utilization = self->cfg->hedger.max_utilization
    };
    int n = s_keep_venue (self, s_candidates (self, asset, side), venue, on);
    int legs = hb_route_plan (&req, self->cands, n, &self->plan);
    if (legs <= 0) {
        char detail [HB_TEXT_MAX + 2 * HB_NAME_MAX];
        snprintf (detail, sizeof detail, "capital.reduce: nothing takes %s %.8g %s %s %s",
                  hb_side_name (side), qty, r->asset, on ? "on" : "off", r->venue);
        s_reject (self, r->id, r->asset, on ? r->venue : NULL, "no_route", s_sign (side) * qty, detail);
        self->stats.leg_rejects++;
        hb_metric_inc (self->m_leg_rejects);
        return 0;
    }
    if (!placed) {
        *flight = self->plan.placed_qty;
        return legs;
    }
    return s_queue_plan (self, r->id, asset, side, index, self->net [asset], flight, s_sign (side) * qty,
                         legs, leg_no, now_ns, placed);
}

int
hb_hedger_on_reduce (hb_hedger_t *self, const hb_msg_t *msg, hb_seq_status_t status, int64_t now_ns)
{
    assert (self && msg);
    if (msg->env.type != HB_MSG_CAPITAL_REDUCE)
        return -1;
    const hb_reduce_t *r = &msg->u.reduce;
    char detail [HB_TEXT_MAX];
    self->wall_ns = now_ns;
    hb_hedger_check_kill (self, now_ns);
    const char *refusal = s_refusal (self, msg, status, r->id, now_ns, detail, sizeof detail);
    const hb_venue_cfg_t *venue = hb_config_venue (self->cfg, r->venue);
    int asset = hb_config_asset_index (self->cfg, r->asset);
    if (!refusal && (!venue || asset < 0)) {
        refusal = venue ? "unknown_asset" : "unknown_venue";
        snprintf (detail, sizeof detail, "capital.reduce of %s on %s", r->asset, r->venue);
    }
    double index = r->reduce_usd / fabs (r->qty);
    if (refusal) {
        s_reject (self, r->id, r->asset, r->venue, refusal, r->qty, detail);
        self->stats.refused++;
        hb_metric_inc (self->m_refused);
        return 0;
    }
    int v = (int) (venue - self->cfg->venues);
    uint8_t on_side = r->qty > 0 ? HB_SIDE_BUY : HB_SIDE_SELL;
    uint8_t off_side = r->qty > 0 ? HB_SIDE_SELL : HB_SIDE_BUY;
    int leg_no = 0;
    double flight = 0, placed = 0, reduced = 0;
    self->input_ts = msg->env.ts_pub;
    self->n_pending = self->n_rejects = 0;
    self->deciding = true;
    //  what the venue's own books can take back, then that much elsewhere
    //  first: the venue gives up only what another venue took, so the net
    //  exposure stays where risk wants it
    double can = 0;
    int queued = s_reduce_side (self, r, asset, v, true, on_side, fabs (r->qty), index, &can, &leg_no,
                                now_ns, NULL) > 0 ? 0 : -1;
    if (queued == 0)
        queued = s_reduce_side (self, r, asset, v, false, off_side, can, index, &flight, &leg_no, now_ns,
                                &placed);
    if (queued > 0)
        queued += s_reduce_side (self, r, asset, v, true, on_side, placed, index, &flight, &leg_no,
                                 now_ns, &reduced);
    self->deciding = false;
    hb_info ("hedger: capital.reduce %s (%s): %.8g %s moves off %s: %.8g placed elsewhere, %.8g on %s",
             r->id, hb_plan_reason_name (r->reason), fabs (r->qty), r->asset, r->venue, placed, reduced,
             r->venue);
    int sent = s_commit (self, now_ns);
    self->input_ts = 0;
    return sent;
}

//  risk.optplan: every leg of the plan admitted together (hb_optexec.h),
//  then their intents journaled with one group append, then the orders
//  sent: limit IOC at the plan's limits, client ids "<plan id>.<leg>".
//  A plan without legs is risk saying why: nothing to do.
int
hb_hedger_on_optplan (hb_hedger_t *self, const hb_msg_t *msg, hb_seq_status_t status,
                      int64_t now_ns)
{
    assert (self && msg);
    if (msg->env.type != HB_MSG_RISK_OPTPLAN)
        return -1;
    const hb_risk_optplan_t *plan = &msg->u.risk_optplan;
    if (plan->n_legs == 0)
        return 0;
    const hb_config_t *cfg = self->cfg;
    char detail [HB_TEXT_MAX];
    self->stats.optplans++;
    self->wall_ns = now_ns;
    hb_hedger_check_kill (self, now_ns);
    const char *refusal = s_refusal (self, msg, status, plan->id, now_ns, detail, sizeof detail);
    hb_optexec_leg_t info [HB_OPTPLAN_MSG_LEGS];
    int venue [HB_OPTPLAN_MSG_LEGS], instr [HB_OPTPLAN_MSG_LEGS];
    char cid [HB_OPTPLAN_MSG_LEGS][HB_ID_MAX];
    int bad = -1;
    for (int k = 0; k < plan->n_legs && !refusal; k++) {
        const hb_optplan_leg_msg_t *leg = &plan->legs [k];
        const hb_venue_cfg_t *v = hb_config_venue (cfg, leg->venue);
        info [k].ins = v && v->enabled? hb_venue_instrument (v, leg->symbol): NULL;
        info [k].book = NULL;
        venue [k] = v? (int) (v - cfg->venues): -1;
        instr [k] = info [k].ins? (int) (info [k].ins - v->instruments): -1;
        if (info [k].ins) {
            const s_book_t *book = &self->books [self->first [venue [k]] + (size_t) instr [k]];
            info [k].book = book->known? &book->tick: NULL;
        }
        int len = snprintf (cid [k], HB_ID_MAX, "%s.%d", plan->id, k);
        bad = k;
        if (len < 0 || len >= HB_ID_MAX) {
            refusal = "bad_request_id";
            snprintf (detail, sizeof detail, "id too long for a leg");
        }
        else
        if (hb_orders_find (self->orders, cid [k])) {
            refusal = "duplicate_client_id";
            snprintf (detail, sizeof detail, "%s journaled before", cid [k]);
        }
        else
            bad = -1;
    }
    if (!refusal)
        refusal = hb_optexec_admit (self->optexec, plan, info, now_ns, &bad, detail, sizeof detail);
    if (refusal) {
        const hb_optplan_leg_msg_t *leg = bad >= 0? &plan->legs [bad]: NULL;
        s_reject (self, plan->id, plan->asset, leg? leg->venue: NULL, refusal,
                  leg? s_sign (leg->side) * leg->qty: 0, detail);
        self->stats.refused++;
        hb_metric_inc (self->m_refused);
        return 0;
    }
    self->input_ts = msg->env.ts_pub;
    self->n_pending = self->n_rejects = 0;
    self->deciding = true;
    int queued = 0;
    for (int k = 0; k < plan->n_legs; k++) {
        const hb_optplan_leg_msg_t *leg = &plan->legs [k];
        hb_orders_entry_t *order = hb_orders_slot (self->orders, now_ns);
        if (!order || s_order_intent (self, order, cid [k], venue [k], instr [k],
                                      info [k].ins->asset, leg->side, leg->qty, leg->limit_px,
                                      now_ns) != 0)
            break;
        //  the leg's greeks and premium ride on its intent: a restart puts
        //  them back into the day (s_replay)
        int p = self->n_pending - 1;
        size_t used = self->pending_iov [p].iov_len;
        double premium = hb_optexec_premium (leg, &info [k]);
        int n = snprintf (self->pending_rec [p] + used, S_RECORD_MAX - used, " G %.17g %.17g %.17g",
                          leg->gamma_usd, leg->vega, premium);
        if (n > 0 && used + (size_t) n < S_RECORD_MAX)
            self->pending_iov [p].iov_len = used + (size_t) n;
        hb_controls_add_day (self->controls, leg->qty * order->mult * leg->limit_px, now_ns);
        queued++;
    }
    if (queued < plan->n_legs) {
        //  half a plan is not sent: the slots are freed, nothing journaled
        for (int i = 0; i < self->n_pending; i++)
            memset (self->pending [i], 0, sizeof *self->pending [i]);
        self->n_pending = 0;
        s_reject (self, plan->id, plan->asset, NULL, "orders_full", 0, "no free order slot");
    }
    self->deciding = false;
    int sent = s_commit (self, now_ns);
    self->input_ts = 0;
    return sent;
}

//  ---------------------------------------------------------------------------
//  Market, state, acks and fills

//  The venue index of a feed's message (its body's venue; a heartbeat's
//  publisher, "feed.<venue>"), -1 when none
static int
s_feed_venue (const hb_hedger_t *self, const hb_msg_t *msg)
{
    const char *name = msg->env.type == HB_MSG_TICK? msg->u.tick.venue
                     : msg->env.type == HB_MSG_ACK? msg->u.ack.venue
                     : msg->env.type == HB_MSG_FILL? msg->u.fill.venue
                     : msg->env.type == HB_MSG_HEARTBEAT && strncmp (msg->env.publisher, "feed.", 5) == 0
                     ? msg->env.publisher + 5: NULL;
    const hb_venue_cfg_t *v = name? hb_config_venue (self->cfg, name): NULL;
    return v? (int) (v - self->cfg->venues): -1;
}

int
hb_hedger_on_msg (hb_hedger_t *self, const hb_msg_t *msg, int64_t now_ns)
{
    assert (self && msg);
    const hb_config_t *cfg = self->cfg;
    self->wall_ns = now_ns;
    int rc = -1;
    switch (msg->env.type) {
        case HB_MSG_TICK: {
            const hb_venue_cfg_t *v = hb_config_venue (cfg, msg->u.tick.venue);
            const hb_instrument_cfg_t *ins = v? hb_venue_instrument (v, msg->u.tick.symbol): NULL;
            if (!ins)
                return -1;
            //  the newest by the feed's stamp: one stamped before the book
            //  kept (a restarted feed's clock) does not replace it
            s_book_t *book = &self->books [self->first [v - cfg->venues]
                                           + (size_t) (ins - v->instruments)];
            int64_t ts = msg->env.ts_pub? msg->env.ts_pub: now_ns;
            if (!book->known || ts >= book->ts) {
                book->known = true;
                book->ts = ts;
                book->tick = msg->u.tick;
            }
            rc = 0;
            break;
        }
        case HB_MSG_MARGIN: {
            const hb_venue_cfg_t *v = hb_config_venue (cfg, msg->u.margin.venue);
            if (!v)
                return -1;
            s_margin_t *m = &self->margins [v - cfg->venues];
            m->known = true;
            m->equity = msg->u.margin.equity_usd;
            m->initial = msg->u.margin.initial_usd;
            m->topup = (msg->u.margin.flags & HB_MARGIN_TOPUP) != 0;
            return 0;
        }
        case HB_MSG_EXPOSURE: {
            int asset = hb_config_asset_index (cfg, msg->u.exposure.asset);
            if (asset < 0 || asset >= HB_MAX_ASSETS)
                return -1;
            self->gross [asset] = msg->u.exposure.gross_usd;
            self->net [asset] = msg->u.exposure.net_usd;
            hb_orders_on_exposure (self->orders, msg, asset, now_ns);
            return 0;
        }
        case HB_MSG_POSITION:
            hb_orders_on_position (self->orders, msg);
            return 0;
        case HB_MSG_ACK: {
            //  acks of others' orders pass by; ours come after their order
            //  exists, live and in a replay alike (applied in one order)
            hb_orders_entry_t *order = hb_orders_find (self->orders, msg->u.ack.client_id);
            if (order) {
                s_on_ack (self, order, &msg->u.ack, now_ns);
                rc = 0;
            }
            break;
        }
        case HB_MSG_FILL: {
            hb_orders_entry_t *order = hb_orders_find (self->orders, msg->u.fill.client_id);
            if (order && order->venue == s_feed_venue (self, msg)) {
                self->stats.fills++;
                hb_metric_inc (self->m_fills);
                s_on_fill (self, order, &msg->u.fill, &msg->env, now_ns);
                rc = 0;
            }
            break;
        }
        case HB_MSG_HEARTBEAT:
            rc = s_feed_venue (self, msg) >= 0? 0: -1;
            break;
        default:
            return -1;
    }
    //  the feed was alive at its stamp: an order of its venue in doubt may
    //  be proven dead by it (after the ack above, which may end it first)
    s_feed_alive (self, s_feed_venue (self, msg), msg->env.ts_pub, now_ns);
    return rc;
}

//  ---------------------------------------------------------------------
//  The life cycle of an order

#define S_OUTCOME_GIVEN_UP 0        //  before in doubt existed: given up as filled (old journals)
#define S_OUTCOME_UNANSWERED 5      //  in doubt, then proven unexecutable: no answer, no release
//  An order in doubt is proven dead once its feed published something
//  stamped this long after the order's send plus the venue's
//  max_order_age_ms: the send time we hold is the wall clock just before
//  the order was handed to the bus (a replayed one: just before its
//  intent was journaled), which may be a little early
#define S_PROOF_GRACE_NS (1000 * 1000000LL)
#define S_DEAD_STEP_NS   (100 * 1000000LL)     //  s_check_dead at most this often per venue
//  A fill the aggregator has not named this long after its order ended is
//  shown in the heartbeat (status bit 8): it keeps counting meanwhile
#define S_UNCONFIRMED_NS (10 * 1000000000LL)

#ifdef HB_TEST_HOOKS
//  Exists for tests/it_hedger_restart.sh: dies as kill -9 would (no
//  flush, no destructor, nothing queued in ZeroMQ leaves) at the
//  crash_left-th point of the armed kind. Unarmed, one compare.
static void
s_crash_point (hb_hedger_t *self, hb_hedger_crash_t point, const char *client_id)
{
    if (self->crash != point || --self->crash_left > 0)
        return;
    hb_warn ("hedger: injected crash %s at %s", hb_hedger_crash_name (point), client_id);
    raise (SIGKILL);
}
#endif

//  The day total counts traded notional plus what is in flight: the part of
//  a finished order that did not fill is given back.
static void
s_release_unfilled (hb_hedger_t *self, const hb_orders_entry_t *order, int64_t now_ns)
{
    double unfilled = order->qty - order->filled;
    if (unfilled > 0 && !order->no_release)
        hb_controls_release_day (self->controls, unfilled * order->mult * order->px,
                                 order->sent_ns, now_ns);
}

//  Appends the count of records in the journal and the day total to
//  <journal>.totals: the second record of the day total, which a journal
//  that lost its tail cannot take with it (hb_hedger.h, Day totals). 0, or
//  -1 (logged; the hedger is broken: no more orders).
static int
s_journal_totals (hb_hedger_t *self)
{
    int64_t day;
    double usd = hb_controls_day_state (self->controls, &day);
    char totals [S_RECORD_MAX];
    int n = snprintf (totals, sizeof totals, "T %llu %lld %.17g %lld",
                      (unsigned long long) hb_journal_count (self->journal), (long long) day, usd,
                      (long long) self->wall_ns);
    if (hb_journal_append (self->totals, totals, (size_t) n) != 0) {
        hb_error ("hedger: cannot write the day total to %s (%s): no more orders",
                  hb_journal_path (self->totals), strerror (errno));
        self->broken = true;
        return -1;
    }
    return 0;
}

//  Appends one record to the journal, then the day totals record. 0, or
//  -1 (logged; the hedger is broken: no more orders).
static int
s_journal (hb_hedger_t *self, const char *record, int size, const char *what, const char *cid)
{
    if (self->broken)
        return -1;                  //  said once; a restart replays what is durable
    if (hb_journal_append (self->journal, record, (size_t) size) != 0) {
        hb_error ("hedger: cannot journal %s %s (%s): no more orders", what, cid, strerror (errno));
        self->broken = true;
        return -1;
    }
    return s_journal_totals (self);
}

static int
s_order_intent (hb_hedger_t *self, hb_orders_entry_t *order, const char *client_id,
                int venue, int instrument, int asset, uint8_t side, double qty,
                double px, int64_t now_ns)
{
    if (self->n_pending >= S_PENDING_MAX)
        return -1;
    const hb_venue_cfg_t *v = &self->cfg->venues [venue];
    const hb_instrument_cfg_t *ins = &v->instruments [instrument];
    int p = self->n_pending++;
    int n = snprintf (self->pending_rec [p], S_RECORD_MAX, "I %s %s %s %d %.17g %.17g %lld %lld",
                      client_id, v->name, ins->symbol, side, qty, px, (long long) now_ns,
                      (long long) self->wall_ns);
    self->pending_iov [p] = (struct iovec) {
        self->pending_rec [p], n > 0 && n < S_RECORD_MAX ? (size_t) n : S_RECORD_MAX - 1
    };
    self->pending [p] = order;
    memset (order, 0, sizeof *order);
    order->used = true;
    snprintf (order->client_id, sizeof order->client_id, "%s", client_id);
    order->venue = venue;
    order->instrument = instrument;
    order->asset = asset;
    order->side = side;
    order->qty = qty;
    order->mult = ins->multiplier;
    order->px = px;
    order->sent_ns = order->last_ns = now_ns;
    order->pub_ns = self->wall_ns;
    return 0;
}

static int
s_commit (hb_hedger_t *self, int64_t now_ns)
{
    int n = self->n_pending, n_rejects = self->n_rejects;
    self->n_pending = self->n_rejects = 0;
    if (n == 0) {
        for (int i = 0; i < n_rejects; i++)
            s_reject_send (self, &self->rejects [i]);
        return 0;
    }
    //  Every intent is durable before any of its orders can exist anywhere
    //  else: one write and one fdatasync for the whole request
    //  (hb_journal_append_many), all or nothing. A crash during it leaves a
    //  prefix of the intents and no order sent; one after it (the
    //  after_journal crash point) leaves them all: each is read back as in
    //  flight at the restart, never sent again, and goes in doubt until
    //  its venue proves it can no longer execute, as for a single leg.
    if (self->broken || hb_journal_append_many (self->journal, self->pending_iov, (size_t) n) != 0) {
        if (!self->broken)
            hb_error ("hedger: cannot journal the intents of %s and %d more legs (%s): no more "
                      "orders", self->pending [0]->client_id, n - 1, strerror (errno));
        self->broken = true;
        //  not sent, not in flight: the slots are free again (what the
        //  controls counted stays counted, as it did for a failed intent)
        for (int i = 0; i < n; i++)
            memset (self->pending [i], 0, sizeof *self->pending [i]);
        for (int i = 0; i < n_rejects; i++)
            s_reject_send (self, &self->rejects [i]);
        return 0;
    }
    s_crash_point (self, HB_HEDGER_CRASH_AFTER_JOURNAL, self->pending [0]->client_id);
    for (int i = 0; i < n; i++)
        s_send_order (self, self->pending [i], now_ns);
    for (int i = 0; i < n_rejects; i++)
        s_reject_send (self, &self->rejects [i]);
    //  The day totals record comes after the sends, off the orders' path:
    //  it is not what keeps an order from going twice (its intent is), but
    //  what lets a later start see that the journal lost its tail (these
    //  intents with it): so it is still written for every request, at
    //  once. After the sends is safe: a crash before it leaves the totals
    //  counting fewer records than the journal holds, which a start takes
    //  as a whole journal (the day total is the journal's own, exact) and
    //  writes the totals again before anything is sent (s_check_totals).
    //  Only damage to exactly these records between such a crash and the
    //  next start, a second fault, would go unseen.
    s_journal_totals (self);
    return n;
}

static int
s_journal_outcome (hb_hedger_t *self, const hb_orders_entry_t *order, int status)
{
    char record [S_RECORD_MAX];
    int n = snprintf (record, sizeof record, "O %s %d %.17g %lld", order->client_id, status,
                      order->filled, (long long) order->last_ns);
    return s_journal (self, record, n, "the outcome of", order->client_id);
}

//  hb_orders' proven callback (arg: the hedger): the proof is journaled,
//  so that a restart does not count the order again
static void
s_proven (void *arg, hb_orders_entry_t *order, const char *how)
{
    hb_hedger_t *self = (hb_hedger_t *) arg;
    hb_debug ("hedger: the fills of %s are in pos.%s from seq %llu on (%s)", order->client_id,
              self->cfg->assets [order->asset].name, (unsigned long long) order->p_seq, how);
    char record [S_RECORD_MAX];
    int n = snprintf (record, sizeof record, "P %s %llu %llu %lld", order->client_id,
                      (unsigned long long) order->p_epoch, (unsigned long long) order->p_seq,
                      (long long) order->done_ns);
    s_journal (self, record, n, "the fills' inclusion of", order->client_id);
}

//  A fill of ours from the feed: kept (and journaled, for the naming that
//  may come after a restart); more than the final ack said is taken
static void
s_on_fill (hb_hedger_t *self, hb_orders_entry_t *order, const hb_fill_t *fill, const hb_env_t *env,
           int64_t now_ns)
{
    if (!hb_orders_add_fill (self->orders, order, fill->fill_id, fill->qty,
                             env ? env->publisher : NULL, env ? env->epoch : 0, env ? env->seq : 0))
        return;                     //  seen before
    //  with its message's place (publisher, epoch, seq), so that after a
    //  restart a position state naming a later fill of that feed epoch
    //  still includes it (hb_orders_on_position)
    char record [S_RECORD_MAX];
    int n = env ? snprintf (record, sizeof record, "F %s %s %.17g %s %llu %llu", order->client_id,
                            fill->fill_id, fill->qty, env->publisher,
                            (unsigned long long) env->epoch, (unsigned long long) env->seq)
                : snprintf (record, sizeof record, "F %s %s %.17g", order->client_id, fill->fill_id,
                            fill->qty);
    s_journal (self, record, n, "a fill of", order->client_id);
    if (order->final && order->seen_qty > order->filled + HB_ORDERS_QTY_EPS * order->qty) {
        //  filled after its final word (an order proven dead that was not):
        //  counted until the aggregator has it, and in the day total
        if (!order->no_release)
            hb_controls_add_day (self->controls,
                                 (order->seen_qty - order->filled) * order->mult * order->px, now_ns);
        hb_warn ("hedger: order %s: a fill of %.10g after its end (%.10g filled): counted",
                 order->client_id, fill->qty, order->filled);
        order->filled = order->seen_qty;
        order->proven = false;
        order->done_ns = 0;
    }
    hb_orders_check_proven (self->orders, order, now_ns);
}

static void
s_on_ack (hb_hedger_t *self, hb_orders_entry_t *order, const hb_ack_t *ack,
          int64_t now_ns)
{
    bool final = ack->status == HB_ACK_DONE || ack->status == HB_ACK_CANCELED
              || ack->status == HB_ACK_REJECTED;
    if (order->final) {
        //  an order proven dead that was not after all: its venue says so
        if (final && ack->filled_qty > order->filled + HB_ORDERS_QTY_EPS * order->qty) {
            hb_warn ("hedger: order %s: final ack with %.10g filled after its end (%.10g): counted",
                     ack->client_id, ack->filled_qty, order->filled);
            order->filled = ack->filled_qty;
            order->proven = false;
            order->done_ns = 0;
            order->final_rank = hb_orders_rank (self->orders);
            s_journal_outcome (self, order, ack->status);
        }
        return;
    }
    if (!final) {
        order->answered = true;     //  the venue has it: only its final ack ends it
        return;
    }
    //  the answer to our cancel, or the order's own reject: we cannot
    //  tell, so the order's final ack (or the proof that it is dead)
    //  decides. An expired order is the feed's own refusal of the order.
    if (order->cancel_sent && ack->status == HB_ACK_REJECTED && ack->reason != HB_REJ_EXPIRED) {
        hb_info ("hedger: %s: rejected ack after our cancel (%s), ignored", ack->client_id,
                 hb_reject_name (ack->reason));
        return;
    }
    //  the window the journal cannot cover: the venue is done, the
    //  outcome is not durable yet
    s_crash_point (self, HB_HEDGER_CRASH_AFTER_ACK, ack->client_id);
    order->answered = true;
    order->final = true;
    order->filled = fmax (ack->filled_qty, order->seen_qty);
    order->last_ns = now_ns;
    order->final_rank = hb_orders_rank (self->orders);
    if (!(order->filled > 0))
        order->done_ns = now_ns;
    s_release_unfilled (self, order, now_ns);
    self->stats.finals++;
    if (order->timed_out) {
        hb_warn ("hedger: order %s no longer in doubt: %s by %s (%s), %.10g filled",
                 ack->client_id, hb_ack_status_name (ack->status), ack->venue,
                 hb_reject_name (ack->reason), order->filled);
        self->stats.resolved++;
    }
    else
    if (ack->status == HB_ACK_REJECTED)
        hb_info ("hedger: order %s rejected by %s: %s (%s)", ack->client_id, ack->venue,
                 hb_reject_name (ack->reason), ack->text);
    s_journal_outcome (self, order, ack->status);
    hb_orders_check_proven (self->orders, order, now_ns);
}

//  An order in doubt whose venue has published something stamped past
//  its send + max_order_age_ms, without a word about the order: the feed
//  is alive and refuses it from then on, so it can no longer execute.
//  What it did before (a fill whose ack we missed) comes as fills, through
//  the feed's fill journal, the aggregator and risk. Its notional stays in
//  the day total: we do not know it did not trade.
static void
s_check_dead (hb_hedger_t *self, int venue, int64_t now_ns, bool every)
{
    if (venue < 0 || self->venue_ts [venue] == 0)
        return;
    //  a walk of the order table per venue message (a busy venue: one a
    //  millisecond) is the hedger's whole budget; the proof is at least
    //  S_PROOF_GRACE_NS late anyway, so once per S_DEAD_STEP_NS of the
    //  venue's data time (the same in a replay); every: an order just
    //  went in doubt
    if (!every && self->venue_ts [venue] - self->dead_ts [venue] < S_DEAD_STEP_NS)
        return;
    self->dead_ts [venue] = self->venue_ts [venue];
    int64_t age = (int64_t) self->cfg->venues [venue].max_order_age_ms * 1000000 + S_PROOF_GRACE_NS;
    for (int i = 0; i < hb_orders_count (self->orders); i++) {
        hb_orders_entry_t *order = hb_orders_at (self->orders, i);
        if (!order->used || order->final || !order->timed_out || order->answered
        ||  order->venue != venue || self->venue_ts [venue] <= order->pub_ns + age)
            continue;
        order->final = true;
        order->no_release = true;
        //  one read back from the journal may have been answered (and
        //  filled) while we were down: what it did reaches risk through the
        //  aggregator's positions only (counting it all as filled would
        //  block every hedge of that need for good, when it never left)
        order->filled = order->seen_qty;
        order->last_ns = self->venue_ts [venue];
        order->final_rank = hb_orders_rank (self->orders);
        if (!(order->filled > 0))
            order->done_ns = now_ns;
        self->stats.resolved++;
        hb_warn ("hedger: order %s no longer in doubt: %s published at %lld, past its send + "
                 "max_order_age_ms %d, and never answered it: it cannot execute any more",
                 order->client_id, self->cfg->venues [venue].name,
                 (long long) self->venue_ts [venue], self->cfg->venues [venue].max_order_age_ms);
        s_journal_outcome (self, order, S_OUTCOME_UNANSWERED);
        hb_orders_check_proven (self->orders, order, now_ns);
    }
}

//  A feed's message stamped ts: the feed was alive then
static void
s_feed_alive (hb_hedger_t *self, int venue, int64_t ts, int64_t now_ns)
{
    if (venue < 0 || ts <= self->venue_ts [venue])
        return;
    self->venue_ts [venue] = ts;
    s_check_dead (self, venue, now_ns, false);
}

static int
s_replay (const void *data, size_t size, uint64_t index, void *arg)
{
    hb_hedger_t *self = (hb_hedger_t *) arg;
    char record [S_RECORD_MAX];
    //  what the start read, as it was read (cut to what a log entry holds:
    //  a record that long is skipped below all the same)
    if (self->restore)
        self->restore (HB_HEDGER_RESTORE_JOURNAL, data,
                       size < HB_HEDGER_RESTORE_MAX? size: HB_HEDGER_RESTORE_MAX, self->restore_arg);
    if (size == 0 || size >= sizeof record) {
        hb_warn ("hedger: journal record %llu: bad size %zu, skipped",
                 (unsigned long long) index, size);
        return 0;
    }
    memcpy (record, data, size);
    record [size] = '\0';
    char cid [HB_ID_MAX], venue [HB_NAME_MAX], symbol [HB_NAME_MAX], fill_id [HB_ID_MAX];
    char publisher [HB_NAME_MAX];
    int side, status, fields;
    double qty, px, filled;
    long long ns, wall = 0;
    unsigned long long epoch, seq;
    if (record [0] == 'I'
    &&  (fields = sscanf (record, "I %47s %31s %31s %d %lf %lf %lld %lld", cid, venue, symbol,
                          &side, &qty, &px, &ns, &wall)) >= 7) {
        const hb_venue_cfg_t *v = hb_config_venue (self->cfg, venue);
        const hb_instrument_cfg_t *ins = v? hb_venue_instrument (v, symbol): NULL;
        hb_orders_entry_t *order = hb_orders_find (self->orders, cid);
        if (!order)                 //  what was done long before this intent is free
            order = hb_orders_slot (self->orders, ns);
        if (!ins || !order) {
            hb_error ("hedger: journal intent %s on %s %s: %s: counted nowhere", cid, venue,
                      symbol, ins? "too many orders": "unknown venue or instrument");
            return 0;
        }
        memset (order, 0, sizeof *order);
        order->used = true;
        order->replayed = true;
        snprintf (order->client_id, sizeof order->client_id, "%s", cid);
        order->venue = (int) (v - self->cfg->venues);
        order->instrument = (int) (ins - v->instruments);
        order->asset = ins->asset;
        order->side = side == HB_SIDE_BUY? HB_SIDE_BUY: HB_SIDE_SELL;
        order->qty = qty;
        order->mult = ins->multiplier;
        order->px = px;
        order->sent_ns = order->last_ns = ns;
        //  an intent of an older journal has no wall clock: its data time
        order->pub_ns = fields == 8? wall: ns;
        hb_controls_add_day (self->controls, qty * order->mult * px, ns);
        //  an option leg's intent carries its greeks and premium: the day's
        double og, ov, op;
        const char *greeks = strstr (record, " G ");
        if (greeks && sscanf (greeks, " G %lf %lf %lf", &og, &ov, &op) == 3)
            hb_optexec_add_day (self->optexec, og, ov, op, ns);
        self->stats.replayed++;
    }
    else
    if (record [0] == 'O'
    &&  sscanf (record, "O %47s %d %lf %lld", cid, &status, &filled, &ns) == 4) {
        hb_orders_entry_t *order = hb_orders_find (self->orders, cid);
        if (order && !order->final) {
            order->final = true;
            order->answered = status != S_OUTCOME_UNANSWERED;
            order->no_release = order->no_release || status == S_OUTCOME_UNANSWERED;
            order->filled = fmax (filled, order->seen_qty);
            order->last_ns = ns;
            order->final_rank = hb_orders_rank (self->orders);
            if (status == S_OUTCOME_GIVEN_UP || !(order->filled > 0)) {
                //  given up by an older hedger: it counted 500 ms, long past
                order->proven = status == S_OUTCOME_GIVEN_UP;
                order->done_ns = ns;
            }
            s_release_unfilled (self, order, ns);
        }
        else
        if (order && filled > order->filled)
            order->filled = filled;         //  a final ack after the proof of its end
    }
    else
    if (record [0] == 'F'
    &&  (fields = sscanf (record, "F %47s %47s %lf %31s %llu %llu", cid, fill_id, &qty, publisher,
                          &epoch, &seq)) >= 3) {
        hb_orders_entry_t *order = hb_orders_find (self->orders, cid);
        if (order) {
            hb_orders_add_fill (self->orders, order, fill_id, qty, fields == 6 ? publisher : NULL,
                                fields == 6 ? epoch : 0, fields == 6 ? seq : 0);
            if (order->final && order->seen_qty > order->filled)
                order->filled = order->seen_qty;
        }
    }
    else
    if (record [0] == 'P'
    &&  sscanf (record, "P %47s %llu %llu %lld", cid, &epoch, &seq, &ns) == 4) {
        hb_orders_entry_t *order = hb_orders_find (self->orders, cid);
        if (order) {
            order->proven = true;
            order->p_epoch = epoch;
            order->p_seq = seq;
            order->done_ns = ns;
        }
    }
    else
        hb_warn ("hedger: journal record %llu not understood, skipped", (unsigned long long) index);
    return 0;
}

//  The last T record of <journal>.totals (arg: an s_totals_t)
typedef struct {
    bool     known;
    uint64_t records;
    int64_t  day, wall;
    double   usd;
} s_totals_t;

static int
s_replay_totals (const void *data, size_t size, uint64_t index, void *arg)
{
    s_totals_t *totals = (s_totals_t *) arg;
    char record [S_RECORD_MAX];
    unsigned long long records;
    long long day, wall;
    double usd;
    if (size > 0 && size < sizeof record) {
        memcpy (record, data, size);
        record [size] = '\0';
        if (sscanf (record, "T %llu %lld %lf %lld", &records, &day, &usd, &wall) == 4
        &&  isfinite (usd) && usd >= 0) {
            *totals = (s_totals_t) { true, records, day, wall, usd };
            return 0;
        }
    }
    hb_warn ("hedger: day totals record %llu not understood, skipped", (unsigned long long) index);
    return 0;
}

//  After the journal's replay: the day total and the records written as
//  <journal>.totals last said. A journal holding fewer records than were
//  written lost its tail (cut, or salvaged after damage): the day total
//  is put back as it was, and no order goes out until an order in the
//  lost records could no longer execute anywhere. 0, or -1 (logged).
static int
s_check_totals (hb_hedger_t *self, int64_t now_ns)
{
    s_totals_t totals = { 0 };
    if (hb_journal_replay (self->totals, s_replay_totals, &totals) != 0)
        return -1;
    uint64_t records = hb_journal_count (self->journal);
    //  A request's totals record follows its sends (s_commit): a crash
    //  before it leaves the journal ahead of the totals, whole. The totals
    //  are brought up to it now, so that a tail the journal loses later
    //  still shows.
    if (!totals.known)
        return records > 0 ? s_journal_totals (self) : 0;
    //  the last T record is all the start takes from the totals: the same
    //  record, written again, makes a replay start the same
    if (self->restore) {
        char record [S_RECORD_MAX];
        int n = snprintf (record, sizeof record, "T %llu %lld %.17g %lld",
                          (unsigned long long) totals.records, (long long) totals.day, totals.usd,
                          (long long) totals.wall);
        self->restore (HB_HEDGER_RESTORE_TOTALS, record, (size_t) n, self->restore_arg);
    }
    int64_t day;
    double usd = hb_controls_day_state (self->controls, &day);
    if (totals.records <= records) {
        //  the journal holds all: its day total is exact; the second one
        //  is a floor all the same
        if (totals.day == day && totals.usd > usd * (1 + 1e-12))
            hb_controls_set_day (self->controls, day, totals.usd);
        return totals.records < records ? s_journal_totals (self) : 0;
    }
    self->lost_records = totals.records - records;
    if (totals.day >= day)
        hb_controls_set_day (self->controls, totals.day, totals.usd);
    //  an order whose outcome was lost is given nothing back: the day
    //  total as written already says what it did
    for (int i = 0; i < hb_orders_count (self->orders); i++)
        if (hb_orders_at (self->orders, i)->used)
            hb_orders_at (self->orders, i)->no_release = true;
    int max_age = 0;
    for (int v = 0; v < self->cfg->n_venues; v++)
        if (self->cfg->venues [v].max_order_age_ms > max_age)
            max_age = self->cfg->venues [v].max_order_age_ms;
    self->hold_until = totals.wall + (int64_t) max_age * 1000000 + S_PROOF_GRACE_NS;
    hb_error ("hedger: journal %s holds %llu records but %llu were written (%s): it lost its "
              "last %llu (cut or salvaged); the day total is put back to %.2f USD as written%s",
              self->cfg->hedger.journal, (unsigned long long) records,
              (unsigned long long) totals.records, hb_journal_path (self->totals),
              (unsigned long long) self->lost_records, totals.usd,
              now_ns < self->hold_until? ", and no order goes out until an order it lost "
                                          "can no longer execute": "");
    return 0;
}

double
hb_hedger_in_flight (hb_hedger_t *self, int asset, int64_t now_ns)
{
    assert (self);
    hb_orders_pos_t newest = hb_orders_newest (self->orders, asset);
    (void) now_ns;
    return hb_orders_asset_flight (self->orders, asset, &newest, NULL);
}

double
hb_hedger_day_usd (hb_hedger_t *self, int64_t now_ns)
{
    assert (self);
    return hb_controls_day_usd (self->controls, now_ns);
}

void
hb_hedger_stats (hb_hedger_t *self, hb_hedger_stats_t *stats)
{
    assert (self && stats);
    self->stats.in_flight = self->stats.in_doubt = self->stats.unconfirmed = 0;
    for (int i = 0; i < hb_orders_count (self->orders); i++) {
        const hb_orders_entry_t *order = hb_orders_at (self->orders, i);
        if (!order->used)
            continue;
        if (!order->final)
            self->stats.in_flight++;
        if (!order->final && order->timed_out)
            self->stats.in_doubt++;
        //  filled, and no picture of the aggregator includes it yet, long after
        hb_orders_pos_t newest = hb_orders_newest (self->orders, order->asset);
        if (order->final && order->filled > 0 && hb_orders_flight (self->orders, order, &newest, NULL) != 0
        &&  self->wall_ns - order->pub_ns > S_UNCONFIRMED_NS)
            self->stats.unconfirmed++;
    }
    self->stats.holding = self->wall_ns < self->hold_until;
    self->stats.syncs = hb_journal_syncs (self->journal) + hb_journal_syncs (self->totals);
    hb_metric_set (self->m_doubt, (double) self->stats.in_doubt);
    hb_metric_set (self->m_unconfirmed, (double) self->stats.unconfirmed);
    *stats = self->stats;
}

//  A cancel of order, sent once (the kill switch, an order in doubt)
static bool
s_cancel (hb_hedger_t *self, hb_orders_entry_t *order, int64_t now_ns)
{
    if (order->cancel_sent)
        return false;
    const hb_venue_cfg_t *venue = &self->cfg->venues [order->venue];
    hb_msg_t *msg = &self->out;
    memset (msg, 0, sizeof *msg);
    msg->env.type = HB_MSG_CANCEL;
    msg->env.ts_recv = now_ns;
    hb_cancel_t *c = &msg->u.cancel;
    snprintf (c->venue, sizeof c->venue, "%s", venue->name);
    snprintf (c->symbol, sizeof c->symbol, "%s", venue->instruments [order->instrument].symbol);
    snprintf (c->client_id, sizeof c->client_id, "%s", order->client_id);
    char topic [HB_TOPIC_MAX];
    hb_msg_topic (msg, topic);
    if (self->send (topic, msg, self->send_arg) != 0)
        hb_error ("hedger: cannot send the cancel of %s", order->client_id);
    order->cancel_sent = true;
    self->stats.cancels++;
    return true;
}

void
hb_hedger_check_timeouts (hb_hedger_t *self, int64_t now_ns)
{
    assert (self);
    self->wall_ns = now_ns;
    //  orders are stamped with the time their request was applied, the
    //  clock this call runs at (recorded with it: a replay sees the same)
    int64_t limit = (int64_t) self->cfg->hedger.order_timeout_ms * 1000000;
    for (int i = 0; i < hb_orders_count (self->orders) && !self->broken; i++) {
        hb_orders_entry_t *order = hb_orders_at (self->orders, i);
        if (!order->used || order->final || order->timed_out || now_ns - order->sent_ns <= limit)
            continue;
        //  In doubt: it may still execute (a feed stalled with it queued, a
        //  lost ack), so it keeps counting as in flight, all of it, until
        //  its venue answers, or its feed shows it can no longer execute
        //  it (s_check_dead), or the cancel sent now is answered.
        order->timed_out = true;
        self->stats.timeouts++;
        hb_metric_inc (self->m_doubt_total);
        char request [HB_ID_MAX];
        snprintf (request, sizeof request, "%s", order->client_id);
        char *dot = strrchr (request, '.');
        if (dot)
            *dot = '\0';
        char detail [HB_TEXT_MAX];
        snprintf (detail, sizeof detail, "%.40s: no final ack in %d ms: in doubt, counted in flight",
                  order->client_id, self->cfg->hedger.order_timeout_ms);
        s_reject (self, request, self->cfg->assets [order->asset].name,
                  self->cfg->venues [order->venue].name, "order_in_doubt",
                  s_sign (order->side) * order->qty * order->mult, detail);
        s_cancel (self, order, now_ns);
        s_check_dead (self, order->venue, self->wall_ns, true);
    }
    hb_hedger_stats_t stats;
    hb_hedger_stats (self, &stats);
}

#ifdef HB_TEST_HOOKS
int
hb_hedger_set_crash (hb_hedger_t *self, const char *point, int nth)
{
    assert (self);
    hb_hedger_crash_t crash = HB_HEDGER_CRASH_NONE;
    for (int c = HB_HEDGER_CRASH_AFTER_JOURNAL; c <= HB_HEDGER_CRASH_AFTER_ACK; c++)
        if (point && strcmp (point, hb_hedger_crash_name ((hb_hedger_crash_t) c)) == 0)
            crash = (hb_hedger_crash_t) c;
    if (crash == HB_HEDGER_CRASH_NONE || nth < 1)
        return -1;
    self->crash = crash;
    self->crash_left = nth;
    return 0;
}

const char *
hb_hedger_crash_name (hb_hedger_crash_t point)
{
    switch (point) {
        case HB_HEDGER_CRASH_AFTER_JOURNAL: return "after_journal";
        case HB_HEDGER_CRASH_AFTER_SEND:    return "after_send";
        case HB_HEDGER_CRASH_AFTER_ACK:     return "after_ack";
        default:                            return "none";
    }
}
#endif

//  ---------------------------------------------------------------------
//  The kill switch (hb_killswitch.h): a kill or a reset, from the kill
//  file or a hedger.control command

//  A cancel for every order sent without a final ack; returns how many
static uint32_t
s_cancel_working (hb_hedger_t *self, int64_t now_ns)
{
    uint32_t n = 0;
    for (int i = 0; i < hb_orders_count (self->orders); i++) {
        hb_orders_entry_t *order = hb_orders_at (self->orders, i);
        if (order->used && !order->final && s_cancel (self, order, now_ns))
            n++;
    }
    return n;
}

//  The applied command, on hedger.control: who, why, what was canceled
static void
s_echo (hb_hedger_t *self, const hb_hedger_control_t *applied, uint32_t canceled, int64_t now_ns)
{
    hb_msg_t *msg = &self->out;
    memset (msg, 0, sizeof *msg);
    msg->env.type = HB_MSG_HEDGER_CONTROL;
    msg->env.ts_recv = now_ns;
    msg->u.hedger_control = *applied;
    msg->u.hedger_control.canceled = canceled;
    if (self->send ("hedger.control", msg, self->send_arg) != 0)
        hb_warn ("hedger: cannot publish the kill switch's state on hedger.control");
}

static void
s_apply_kill (hb_hedger_t *self, const hb_hedger_control_t *by, int64_t now_ns)
{
    hb_controls_set_killed (self->controls, true);
    hb_metric_set (self->m_kill, 1);
    uint32_t canceled = s_cancel_working (self, now_ns);
    hb_warn ("hedger: KILL SWITCH SET by %s (%s): %s; %u working orders canceled; no order "
             "until reset", by->by, by->id, by->text, canceled);
    s_echo (self, by, canceled, now_ns);
}

static void
s_apply_reset (hb_hedger_t *self, const hb_hedger_control_t *by, int64_t now_ns)
{
    hb_controls_set_killed (self->controls, false);
    hb_metric_set (self->m_kill, 0);
    hb_warn ("hedger: kill switch reset by %s (%s): %s", by->by, by->id, by->text);
    s_echo (self, by, 0, now_ns);
}

void
hb_hedger_check_kill (hb_hedger_t *self, int64_t now_ns)
{
    assert (self);
    hb_hedger_control_t change;
    if ((self->kill_given? hb_killswitch_observe (self->kill, &self->kill_look, &change)
                         : hb_killswitch_poll (self->kill, &change)) == 0)
        return;
    if (change.command == HB_CONTROL_KILL)
        s_apply_kill (self, &change, now_ns);
    else
        s_apply_reset (self, &change, now_ns);
}

int
hb_hedger_on_control (hb_hedger_t *self, const hb_msg_t *msg, int64_t now_ns)
{
    assert (self && msg);
    if (msg->env.type != HB_MSG_HEDGER_CONTROL)
        return -1;
    const hb_hedger_control_t *command = &msg->u.hedger_control;
    char detail [HB_TEXT_MAX];
    hb_hedger_check_kill (self, now_ns);
    if (command->command == HB_CONTROL_KILL) {
        //  never refused: stopping is always safe
        if (hb_killswitch_set (self->kill, command) != 0) {
            hb_error ("hedger: kill switch latched but NOT persisted in %s: %s (a restart "
                      "clears it)", self->cfg->hedger.kill_file, strerror (errno));
            snprintf (detail, sizeof detail, "kill by %s not persisted: %s", command->by,
                      strerror (errno));
            s_reject (self, command->id, NULL, NULL, "kill_not_persisted", 0, detail);
        }
        self->stats.controls++;
        s_apply_kill (self, command, now_ns);
        return 0;
    }
    //  a reset re-arms the hedger: an old one (a replayed recording) must not
    int64_t sent_ns = msg->env.ts_pub? msg->env.ts_pub: msg->env.ts_recv;
    int64_t age_ms = (now_ns - sent_ns) / 1000000;
    if (age_ms > self->cfg->hedger.max_request_age_ms) {
        snprintf (detail, sizeof detail, "reset by %s: age %lld ms > max_request_age_ms %d",
                  command->by, (long long) age_ms, self->cfg->hedger.max_request_age_ms);
        s_reject (self, command->id, NULL, NULL, "stale_control", 0, detail);
        return -1;
    }
    if (hb_killswitch_set (self->kill, command) != 0) {
        snprintf (detail, sizeof detail, "reset by %s: cannot remove the kill file: %s",
                  command->by, strerror (errno));
        s_reject (self, command->id, NULL, NULL, "reset_failed", 0, detail);
        return -1;
    }
    self->stats.controls++;
    s_apply_reset (self, command, now_ns);
    return 0;
}

bool
hb_hedger_broken (hb_hedger_t *self)
{
    assert (self);
    return self->broken;
}

bool
hb_hedger_killed (hb_hedger_t *self)
{
    assert (self);
    return hb_killswitch_killed (self->kill);
}

int
hb_hedger_kill_file_set (const hb_config_t *cfg, bool killed)
{
    assert (cfg);
    hb_hedger_control_t command = {
        .command = killed? HB_CONTROL_KILL: HB_CONTROL_RESET, .id = "hb-hedger", .by = "hb-hedger"
    };
    return hb_killswitch_file_set (cfg->hedger.kill_file, &command);
}

void
hb_hedger_kill_look (hb_hedger_t *self, const hb_killswitch_look_t *look)
{
    assert (self && look);
    self->kill_given = true;
    self->kill_look = *look;
}
