/*  hb_hedger: requests to orders, in flight netting (see hb_hedger.h).
    One concept in one file: the request path (routing, controls,
    sending), the order table and the life cycle of an order (journal,
    replay, acks, timeouts), and the kill switch, which cancels what the
    order table holds as working. They were three files that called each
    other in a circle; the sections below follow that order.

    Journal records are one text line each, so that an operator can read
    the hedger's history with `strings`:
        I <client id> <venue> <symbol> <side> <qty> <px> <ns>   an intent
        O <client id> <status> <filled qty> <ns>                its outcome
    Names, not config indexes: a config edited between two runs must not
    move an order to another instrument.                                  */
#include "hb_hedger.h"
#include "hb_asof.h"
#include "hb_controls.h"
#include "hb_journal.h"
#include "hb_killswitch.h"
#include "hb_metrics.h"
#include "hb_route.h"

#include <assert.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hb_log.h"

#define S_MAX_ORDERS    4096
#define S_SEEN_IDS      64          //  request ids remembered against repeats

typedef struct {
    bool     used;
    bool     final;
    bool     timed_out;
    bool     cancel_sent;           //  by the kill switch: a rejected ack is ambiguous
    char     client_id [HB_ID_MAX];
    int      venue, instrument, asset;
    uint8_t  side;
    double   qty;                   //  instrument units
    double   mult;                  //  asset units per instrument unit
    double   px;
    double   filled;                //  instrument units, from the final ack
    int64_t  sent_ns;
    int64_t  last_ns;               //  final ack (or the intent)
} s_order_t;

typedef struct {
    bool     known;
    double   equity, initial;
} s_margin_t;

struct _hb_hedger_t {
    const hb_config_t *cfg;
    hb_hedger_send_fn *send;
    void          *send_arg;
    hb_journal_t  *journal;
    hb_controls_t *controls;
    hb_killswitch_t *kill;
    bool           broken;          //  the journal failed: no more orders
    hb_asof_t     *asof;            //  books by data time, acks ahead of their order
    int64_t        data_ns;         //  the latest data time seen from a venue
    int64_t        data_wall;       //  the wall clock then
    s_margin_t     margins [HB_MAX_VENUES];
    double         gross [HB_MAX_ASSETS];
    s_order_t     *orders;         //  S_MAX_ORDERS
    char           seen [S_SEEN_IDS][HB_ID_MAX];
    int            seen_next;
    hb_hedger_stats_t stats;
    hb_msg_t       out;
    hb_route_plan_t plan;
    hb_route_cand_t cands [HB_ROUTE_MAX_CANDIDATES];
    int            cand_venue [HB_ROUTE_MAX_CANDIDATES];
    int            cand_instr [HB_ROUTE_MAX_CANDIDATES];
#ifdef HB_TEST_HOOKS
    hb_hedger_crash_t crash;        //  the restart tests' injected kill -9
    int            crash_left;      //  points of that kind to pass before it
#endif
    //  process metrics (docs/OPERATIONS.md, Metrics)
    hb_metric_t   *m_requests, *m_refused, *m_orders, *m_leg_rejects, *m_fills;
    hb_metric_t   *m_kill;          //  hb_hedger_kill_switch: 1 set, 0 clear
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

//  The order with client_id, NULL when there is none.
static s_order_t *s_order_find (hb_hedger_t *self, const char *client_id);

//  A free slot at now_ns: never used, or final and settled long ago. NULL
//  when the table is full.
static s_order_t *s_order_slot (hb_hedger_t *self, int64_t now_ns);

//  Journals the intent of an order (fsync) and then, only then, fills the
//  slot order with it, sent at now_ns. 0, or -1 when the journal failed
//  (logged; the hedger is broken: no more orders).
static int s_order_intent (hb_hedger_t *self, s_order_t *order, const char *client_id,
                           int venue, int instrument, int asset, uint8_t side, double qty,
                           double px, int64_t now_ns);

//  The ack of order (ours, found by its client id), stamped at now_ns (data
//  time): a final one ends the order and is journaled; the rest is ignored.
static void s_on_ack (hb_hedger_t *self, s_order_t *order, const hb_ack_t *ack,
                      int64_t now_ns);

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

static void
s_reject (hb_hedger_t *self, const char *request_id, const char *asset,
          const char *venue, const char *reason, double qty, const char *detail)
{
    hb_msg_t *msg = &self->out;
    memset (msg, 0, sizeof *msg);
    msg->env.type = HB_MSG_HEDGE_REJECT;
    hb_hedge_reject_t *r = &msg->u.hedge_reject;
    snprintf (r->request_id, sizeof r->request_id, "%s", request_id [0]? request_id: "-");
    snprintf (r->asset, sizeof r->asset, "%s", asset? asset: "");
    snprintf (r->venue, sizeof r->venue, "%s", venue? venue: "");
    snprintf (r->reason, sizeof r->reason, "%s", reason);
    snprintf (r->detail, sizeof r->detail, "%s", detail? detail: "");
    r->qty = isfinite (qty)? qty: 0;
    hb_info ("hedger: %s %s%s%s refused: %s (%s)", r->request_id, r->asset,
             r->venue [0]? " on ": "", r->venue, reason, r->detail);
    if (self->send ("hedger.reject", msg, self->send_arg) != 0)
        hb_warn ("hedger: cannot publish hedger.reject for %s", r->request_id);
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
    self->m_decision = hb_metrics_decision_latency ("hedger");
}

hb_hedger_t *
hb_hedger_new (const hb_config_t *cfg, hb_hedger_send_fn *send, void *arg, int64_t now_ns)
{
    assert (cfg && send);
    hb_hedger_t *self = (hb_hedger_t *) calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->cfg = cfg;
    self->send = send;
    self->send_arg = arg;
    s_register_metrics (self);
    self->asof = hb_asof_new (cfg->n_venues > 0? cfg->n_venues: 1, HB_MAX_INSTRUMENTS);
    self->orders = (s_order_t *) calloc (S_MAX_ORDERS,
                                                  sizeof (s_order_t));
    self->controls = hb_controls_new (cfg);
    self->kill = hb_killswitch_new (cfg->hedger.kill_file);
    if (!self->asof || !self->orders || !self->controls || !self->kill)
        goto fail;
    //  the hedger refuses every policy but always (CONFIG.md), and so do we
    self->journal = hb_journal_open_owned (cfg->hedger.journal, HB_JOURNAL_FSYNC_ALWAYS, 0);
    if (!self->journal || hb_journal_replay (self->journal, s_replay, self) != 0)
        goto fail;
    hb_metric_set (self->m_kill, hb_killswitch_killed (self->kill) ? 1 : 0);
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
        hb_journal_destroy (&self->journal);
        hb_killswitch_destroy (&self->kill);
        hb_controls_destroy (&self->controls);
        free (self->orders);
        hb_asof_destroy (&self->asof);
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
//  venue, with its book as of data time at_ns
static int
s_candidates (hb_hedger_t *self, int asset, uint8_t side, int64_t at_ns)
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
            c->tick = hb_asof_book (self->asof, v, i, at_ns, &c->tick_ns);
            c->kind = ins->kind;
            c->multiplier = ins->multiplier;
            c->lot_size = ins->lot_size;
            c->min_qty = ins->min_qty;
            c->fee_taker = venue->fee_taker;
            c->carry = hb_route_carry (ins->kind, cfg->hedger.funding_bps [v][i],
                                       cfg->hedger.basis_bps [v][i], cfg->hedger.hold_hours);
            if (self->margins [v].known && ins->kind != HB_KIND_SPOT) {
                c->equity_usd = self->margins [v].equity;
                c->initial_usd = self->margins [v].initial;
                c->initial_rate = venue->initial_margin;
            }
            self->cand_venue [n] = v;
            self->cand_instr [n] = i;
            n++;
        }
    }
    return n;
}

//  Journals then sends one leg. 0 sent, -1 not.
static int
s_send_leg (hb_hedger_t *self, const char *client_id, int cand, const hb_route_leg_t *leg,
            uint8_t side, int asset, int64_t now_ns)
{
    const hb_venue_cfg_t *venue = &self->cfg->venues [self->cand_venue [cand]];
    const hb_instrument_cfg_t *ins = &venue->instruments [self->cand_instr [cand]];
    //  a journaled id comes back only if risk's ids repeat across its runs
    if (s_order_find (self, client_id)) {
        s_reject (self, client_id, self->cfg->assets [asset].name, venue->name,
                  "duplicate_client_id", s_sign (side) * leg->asset_qty,
                  "journaled before");
        return -1;
    }
    s_order_t *order = s_order_slot (self, now_ns);
    if (!order) {
        s_reject (self, "-", self->cfg->assets [asset].name, venue->name, "orders_full",
                  s_sign (side) * leg->asset_qty, "no free order slot");
        return -1;
    }
    if (s_order_intent (self, order, client_id, self->cand_venue [cand],
                        self->cand_instr [cand], asset, side, leg->qty, leg->limit_px,
                        now_ns) != 0)
        return -1;

    hb_msg_t *msg = &self->out;
    memset (msg, 0, sizeof *msg);
    msg->env.type = HB_MSG_ORDER;
    msg->env.ts_recv = now_ns;
    hb_order_t *o = &msg->u.order;
    snprintf (o->venue, sizeof o->venue, "%s", venue->name);
    snprintf (o->symbol, sizeof o->symbol, "%s", ins->symbol);
    snprintf (o->client_id, sizeof o->client_id, "%s", client_id);
    o->side = side;
    o->ord_type = HB_ORD_LIMIT;
    o->tif = HB_TIF_IOC;
    o->qty = leg->qty;
    o->px = leg->limit_px;
    char topic [HB_TOPIC_MAX];
    hb_msg_topic (msg, topic);
    //  a failed send stays in flight: we cannot know it did not leave
    if (self->send (topic, msg, self->send_arg) != 0)
        hb_error ("hedger: order %s may not have been sent; it stays in flight", client_id);
    s_crash_point (self, HB_HEDGER_CRASH_AFTER_SEND, client_id);
    self->stats.orders++;
    hb_metric_inc (self->m_orders);
    //  the send stamped ts_pub: the order is the decision on the request
    if (self->input_ts && msg->env.ts_pub)
        hb_metric_observe_interval (self->m_decision, self->input_ts, msg->env.ts_pub);
    hb_info ("hedger: order %s %s %.8g %s on %s @ %.8g", client_id, hb_side_name (side),
             leg->qty, ins->symbol, venue->name, leg->limit_px);
    //  its final ack may be here already: a replay runs on the recorded
    //  schedule, which the replayed decision can lag
    hb_ack_t early;
    int64_t early_ns;
    if (hb_asof_ack_take (self->asof, client_id, &early, &early_ns))
        s_on_ack (self, order, &early, early_ns);
    return 0;
}

static double
s_gross (hb_hedger_t *self)
{
    double sum = 0;
    for (int a = 0; a < self->cfg->n_assets; a++)
        sum += self->gross [a];
    return sum;
}

//  One target of request id; *leg numbers the legs over the request
static int
s_hedge_asset (hb_hedger_t *self, const char *id, const hb_risk_target_t *t, int64_t req_ns,
               int64_t now_ns, int *leg_no)
{
    const hb_config_t *cfg = self->cfg;
    char detail [HB_TEXT_MAX];
    int asset = hb_config_asset_index (cfg, t->asset);
    if (asset < 0) {
        s_reject (self, id, NULL, NULL, "unknown_asset", t->target_qty, t->asset);
        self->stats.leg_rejects++;
        hb_metric_inc (self->m_leg_rejects);
        return 0;
    }
    double flight = hb_hedger_in_flight (self, asset, req_ns);
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
    int n = s_candidates (self, asset, req.side, now_ns);
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
    int sent = 0;
    for (int l = 0; l < legs; l++) {
        const hb_route_leg_t *leg = &self->plan.legs [l];
        const char *venue = cfg->venues [self->cand_venue [leg->cand]].name;
        char client_id [HB_ID_MAX];
        int len = snprintf (client_id, sizeof client_id, "%s.%d", id, (*leg_no)++);
        if (len < 0 || (size_t) len >= sizeof client_id) {
            s_reject (self, id, t->asset, venue, "bad_request_id", want,
                      "id too long for a leg");
            self->stats.leg_rejects++;
            hb_metric_inc (self->m_leg_rejects);
            continue;
        }
        hb_route_leg_t priced = *leg;
        const hb_instrument_cfg_t *ins = &cfg->venues [self->cand_venue [leg->cand]]
                                              .instruments [self->cand_instr [leg->cand]];
        double slip = fmin (S_SLIP_BPS, cfg->hedger.collar_bps / 2);
        priced.limit_px = s_limit_px (leg->limit_px, req.side, slip, ins->tick_size);
        leg = &priced;
        hb_ctl_order_t order = {
            .venue = self->cand_venue [leg->cand], .asset = asset, .side = req.side,
            .qty = leg->asset_qty, .px = leg->limit_px, .index = t->index,
            .net_usd = t->exposure_usd + flight * t->index,
            .gross_usd = s_gross (self)
        };
        hb_ctl_reason_t rc = hb_controls_admit (self->controls, &order, now_ns, detail,
                                                sizeof detail);
        if (rc != HB_CTL_OK) {
            s_reject (self, id, t->asset, venue, hb_ctl_reason_name (rc),
                      s_sign (req.side) * leg->asset_qty, detail);
            self->stats.leg_rejects++;
            hb_metric_inc (self->m_leg_rejects);
            continue;
        }
        if (s_send_leg (self, client_id, leg->cand, leg, req.side, asset, now_ns) == 0) {
            sent++;
            flight += s_sign (req.side) * leg->asset_qty;
        }
        else
        if (self->broken)
            break;
    }
    if (self->plan.unplaced_qty * t->index >= S_MIN_USD && self->plan.unplaced_qty >= smallest) {
        snprintf (detail, sizeof detail, "%.8g of %.8g left for the next request",
                  self->plan.unplaced_qty, req.qty);
        s_reject (self, id, t->asset, NULL, "unplaced",
                  s_sign (req.side) * self->plan.unplaced_qty, detail);
    }
    return sent;
}

int
hb_hedger_on_request (hb_hedger_t *self, const hb_msg_t *msg, hb_seq_status_t status,
                      int64_t now_ns)
{
    assert (self && msg);
    if (msg->env.type != HB_MSG_RISK_HEDGE)
        return -1;
    const hb_risk_hedge_t *req = &msg->u.risk_hedge;
    const hb_hedger_cfg_t *hc = &self->cfg->hedger;
    char detail [HB_TEXT_MAX];
    self->stats.requests++;
    hb_metric_inc (self->m_requests);
    int64_t req_ns = msg->env.ts_recv? msg->env.ts_recv: msg->env.ts_pub;
    int64_t age_ms = (now_ns - req_ns) / 1000000;
    //  decided as of the request's data time (risk stamps it in
    //  ts_venue): books, orders in flight, controls' clock
    int64_t data_ns = msg->env.ts_venue? msg->env.ts_venue: req_ns;
    const char *refusal = NULL;
    detail [0] = '\0';
    hb_hedger_check_kill (self, now_ns);
    if (status == HB_SEQ_GAP || status == HB_SEQ_RESTART || status == HB_SEQ_STALE) {
        refusal = status == HB_SEQ_GAP? "gap": status == HB_SEQ_RESTART? "restart": "stale_seq";
        snprintf (detail, sizeof detail, "risk.hedge from %s seq %llu: %s", msg->env.publisher,
                  (unsigned long long) msg->env.seq, hb_seq_status_name (status));
    }
    else
    if (age_ms > hc->max_request_age_ms) {
        refusal = "stale_request";
        snprintf (detail, sizeof detail, "age %lld ms > max_request_age_ms %d",
                  (long long) age_ms, hc->max_request_age_ms);
    }
    else
    if (hb_killswitch_killed (self->kill)) {
        const hb_hedger_control_t *by = hb_killswitch_state (self->kill);
        refusal = "killed";
        //  cut to the detail's size; the whole story is in the echo
        char line [HB_NAME_MAX + HB_ID_MAX + HB_TEXT_MAX + 32];
        snprintf (line, sizeof line, "kill switch set by %s (%s): %s", by->by, by->id, by->text);
        snprintf (detail, sizeof detail, "%.95s", line);
    }
    else
    if (self->broken) {
        refusal = "journal_failed";
        snprintf (detail, sizeof detail, "journal %.50s unusable: restart the hedger", hc->journal);
    }
    else
    if (s_seen (self, req->id)) {
        refusal = "duplicate_request";
        snprintf (detail, sizeof detail, "request id seen before");
    }
    if (refusal) {
        s_reject (self, req->id, NULL, NULL, refusal, 0, detail);
        self->stats.refused++;
        hb_metric_inc (self->m_refused);
        return 0;
    }
    int sent = 0, leg_no = 0;
    self->input_ts = msg->env.ts_pub;
    for (int i = 0; i < req->n_targets && i < HB_RISK_MAX_ASSETS && !self->broken; i++)
        sent += s_hedge_asset (self, req->id, &req->targets [i], data_ns, data_ns, &leg_no);
    self->input_ts = 0;
    return sent;
}

//  ---------------------------------------------------------------------------
//  Market, state, acks and fills

//  A venue message's data time (ts_pub; now_ns when it has none), which
//  also moves the hedger's data clock on
static int64_t
s_data_time (hb_hedger_t *self, const hb_msg_t *msg, int64_t now_ns)
{
    int64_t ts = msg->env.ts_pub? msg->env.ts_pub: now_ns;
    if (ts > self->data_ns) {
        self->data_ns = ts;
        self->data_wall = now_ns;
    }
    return ts;
}

int
hb_hedger_on_msg (hb_hedger_t *self, const hb_msg_t *msg, int64_t now_ns)
{
    assert (self && msg);
    const hb_config_t *cfg = self->cfg;
    switch (msg->env.type) {
        case HB_MSG_TICK: {
            const hb_venue_cfg_t *v = hb_config_venue (cfg, msg->u.tick.venue);
            const hb_instrument_cfg_t *ins = v? hb_venue_instrument (v, msg->u.tick.symbol): NULL;
            if (!ins)
                return -1;
            hb_asof_tick (self->asof, (int) (v - cfg->venues), (int) (ins - v->instruments),
                          &msg->u.tick, s_data_time (self, msg, now_ns));
            return 0;
        }
        case HB_MSG_MARGIN: {
            const hb_venue_cfg_t *v = hb_config_venue (cfg, msg->u.margin.venue);
            if (!v)
                return -1;
            s_margin_t *m = &self->margins [v - cfg->venues];
            m->known = true;
            m->equity = msg->u.margin.equity_usd;
            m->initial = msg->u.margin.initial_usd;
            return 0;
        }
        case HB_MSG_EXPOSURE: {
            int asset = hb_config_asset_index (cfg, msg->u.exposure.asset);
            if (asset < 0)
                return -1;
            self->gross [asset] = msg->u.exposure.gross_usd;
            return 0;
        }
        case HB_MSG_ACK: {
            int64_t ts = s_data_time (self, msg, now_ns);
            s_order_t *order = s_order_find (self, msg->u.ack.client_id);
            if (!order) {
                if (msg->u.ack.status != HB_ACK_ACCEPTED)
                    hb_asof_ack_keep (self->asof, &msg->u.ack, ts);
                return -1;
            }
            s_on_ack (self, order, &msg->u.ack, ts);
            return 0;
        }
        case HB_MSG_FILL:
            if (!s_order_find (self, msg->u.fill.client_id))
                return -1;
            self->stats.fills++;
            hb_metric_inc (self->m_fills);
            return 0;
        default:
            return -1;
    }
}

//  ---------------------------------------------------------------------
//  The order table and the life cycle of an order

#define S_SETTLE_NS     (500 * 1000000LL)   //  a fill reaches pos.* and risk by then
#define S_RECORD_MAX    256
#define S_OUTCOME_EXPIRED 0         //  an outcome's status when no final ack came

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

static s_order_t *
s_order_find (hb_hedger_t *self, const char *client_id)
{
    for (int i = 0; i < S_MAX_ORDERS; i++)
        if (self->orders [i].used && strcmp (self->orders [i].client_id, client_id) == 0)
            return &self->orders [i];
    return NULL;
}

//  What an order still counts for, as seen by a request made at data time
//  at_ns: an ack stamped after at_ns is not known at at_ns, however early
//  it arrived (docs/RISK.md, Data-time grid)
static double
s_order_flight (const s_order_t *order, int64_t at_ns)
{
    if (!order->used)
        return 0;
    if (!order->final || at_ns < order->last_ns)
        return s_sign (order->side) * order->qty * order->mult;
    if (at_ns <= order->last_ns + S_SETTLE_NS)
        return s_sign (order->side) * order->filled * order->mult;
    return 0;
}

static s_order_t *
s_order_slot (hb_hedger_t *self, int64_t now_ns)
{
    for (int i = 0; i < S_MAX_ORDERS; i++) {
        s_order_t *order = &self->orders [i];
        if (!order->used || (order->final && now_ns > order->last_ns + 2 * S_SETTLE_NS))
            return order;
    }
    return NULL;
}

//  The day total counts traded notional plus what is in flight: the part of
//  a finished order that did not fill is given back.
static void
s_release_unfilled (hb_hedger_t *self, const s_order_t *order, int64_t now_ns)
{
    double unfilled = order->qty - order->filled;
    if (unfilled > 0)
        hb_controls_release_day (self->controls, unfilled * order->mult * order->px,
                                 order->sent_ns, now_ns);
}

static int
s_order_intent (hb_hedger_t *self, s_order_t *order, const char *client_id,
                int venue, int instrument, int asset, uint8_t side, double qty,
                double px, int64_t now_ns)
{
    const hb_venue_cfg_t *v = &self->cfg->venues [venue];
    const hb_instrument_cfg_t *ins = &v->instruments [instrument];
    char record [S_RECORD_MAX];
    int n = snprintf (record, sizeof record, "I %s %s %s %d %.17g %.17g %lld", client_id,
                      v->name, ins->symbol, side, qty, px, (long long) now_ns);
    //  the intent is durable before the order can exist anywhere else
    if (hb_journal_append (self->journal, record, (size_t) n) != 0) {
        hb_error ("hedger: cannot journal intent %s: no more orders", client_id);
        self->broken = true;
        return -1;
    }
    s_crash_point (self, HB_HEDGER_CRASH_AFTER_JOURNAL, client_id);
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
    return 0;
}

static int
s_journal_outcome (hb_hedger_t *self, const s_order_t *order, int status)
{
    char record [S_RECORD_MAX];
    int n = snprintf (record, sizeof record, "O %s %d %.17g %lld", order->client_id, status,
                      order->filled, (long long) order->last_ns);
    if (hb_journal_append (self->journal, record, (size_t) n) != 0) {
        hb_error ("hedger: cannot journal the outcome of %s: no more orders", order->client_id);
        self->broken = true;
        return -1;
    }
    return 0;
}

static void
s_on_ack (hb_hedger_t *self, s_order_t *order, const hb_ack_t *ack,
          int64_t now_ns)
{
    if (order->final || ack->status == HB_ACK_ACCEPTED)
        return;
    //  the answer to our cancel, or the order's own reject: we cannot
    //  tell, so the order's final ack (or its timeout) decides
    if (order->cancel_sent && ack->status == HB_ACK_REJECTED) {
        hb_info ("hedger: %s: rejected ack after our cancel (%s), ignored", ack->client_id,
                 hb_reject_name (ack->reason));
        return;
    }
    //  the window the journal cannot cover: the venue is done, the
    //  outcome is not durable yet
    s_crash_point (self, HB_HEDGER_CRASH_AFTER_ACK, ack->client_id);
    order->final = true;
    order->filled = ack->filled_qty;
    order->last_ns = now_ns;
    s_release_unfilled (self, order, now_ns);
    self->stats.finals++;
    if (ack->status == HB_ACK_REJECTED)
        hb_info ("hedger: order %s rejected by %s: %s (%s)", ack->client_id, ack->venue,
                 hb_reject_name (ack->reason), ack->text);
    s_journal_outcome (self, order, ack->status);
}

static int
s_replay (const void *data, size_t size, uint64_t index, void *arg)
{
    hb_hedger_t *self = (hb_hedger_t *) arg;
    char record [S_RECORD_MAX];
    if (size == 0 || size >= sizeof record) {
        hb_warn ("hedger: journal record %llu: bad size %zu, skipped",
                 (unsigned long long) index, size);
        return 0;
    }
    memcpy (record, data, size);
    record [size] = '\0';
    char cid [HB_ID_MAX], venue [HB_NAME_MAX], symbol [HB_NAME_MAX];
    int side, status;
    double qty, px, filled;
    long long ns;
    if (record [0] == 'I'
    &&  sscanf (record, "I %47s %31s %31s %d %lf %lf %lld", cid, venue, symbol, &side, &qty,
                &px, &ns) == 7) {
        const hb_venue_cfg_t *v = hb_config_venue (self->cfg, venue);
        const hb_instrument_cfg_t *ins = v? hb_venue_instrument (v, symbol): NULL;
        s_order_t *order = s_order_find (self, cid);
        if (!order)
            order = s_order_slot (self, INT64_MAX);
        if (!ins || !order) {
            hb_error ("hedger: journal intent %s on %s %s: %s: counted nowhere", cid, venue,
                      symbol, ins? "too many orders": "unknown venue or instrument");
            return 0;
        }
        memset (order, 0, sizeof *order);
        order->used = true;
        snprintf (order->client_id, sizeof order->client_id, "%s", cid);
        order->venue = (int) (v - self->cfg->venues);
        order->instrument = (int) (ins - v->instruments);
        order->asset = ins->asset;
        order->side = side == HB_SIDE_BUY? HB_SIDE_BUY: HB_SIDE_SELL;
        order->qty = qty;
        order->mult = ins->multiplier;
        order->px = px;
        order->sent_ns = order->last_ns = ns;
        hb_controls_add_day (self->controls, qty * order->mult * px, ns);
        self->stats.replayed++;
    }
    else
    if (record [0] == 'O'
    &&  sscanf (record, "O %47s %d %lf %lld", cid, &status, &filled, &ns) == 4) {
        s_order_t *order = s_order_find (self, cid);
        if (order) {
            order->final = true;
            order->filled = filled;
            order->last_ns = ns;
            s_release_unfilled (self, order, ns);
        }
    }
    else
        hb_warn ("hedger: journal record %llu not understood, skipped", (unsigned long long) index);
    return 0;
}

double
hb_hedger_in_flight (hb_hedger_t *self, int asset, int64_t now_ns)
{
    assert (self);
    double sum = 0;
    for (int i = 0; i < S_MAX_ORDERS; i++)
        if (self->orders [i].used && self->orders [i].asset == asset)
            sum += s_order_flight (&self->orders [i], now_ns);
    return sum;
}

void
hb_hedger_stats (hb_hedger_t *self, hb_hedger_stats_t *stats)
{
    assert (self && stats);
    self->stats.in_flight = 0;
    for (int i = 0; i < S_MAX_ORDERS; i++)
        if (self->orders [i].used && !self->orders [i].final)
            self->stats.in_flight++;
    *stats = self->stats;
}

void
hb_hedger_check_timeouts (hb_hedger_t *self, int64_t now_ns)
{
    assert (self);
    int64_t limit = (int64_t) self->cfg->hedger.order_timeout_ms * 1000000;
    //  orders are stamped in data time: the venues' clock, carried on by
    //  the wall clock since the last message (a silent venue still times out)
    if (self->data_ns > 0)
        now_ns = self->data_ns + (now_ns - self->data_wall);
    for (int i = 0; i < S_MAX_ORDERS && !self->broken; i++) {
        s_order_t *order = &self->orders [i];
        if (!order->used || order->final || now_ns - order->sent_ns <= limit)
            continue;
        //  Given up as if it filled completely: it keeps counting for
        //  S_SETTLE_NS more, then the aggregator's positions (which get the
        //  venue's fills from its fill journal, even those we missed) say
        //  what it did, and risk asks again for what is left. Our orders
        //  are IOC: the venue has decided long before order_timeout_ms.
        order->final = true;
        order->timed_out = true;
        order->filled = order->qty;
        order->last_ns = now_ns;
        self->stats.timeouts++;
        s_journal_outcome (self, order, S_OUTCOME_EXPIRED);
        char request [HB_ID_MAX];
        snprintf (request, sizeof request, "%s", order->client_id);
        char *dot = strrchr (request, '.');
        if (dot)
            *dot = '\0';
        char detail [HB_TEXT_MAX];
        snprintf (detail, sizeof detail, "%.40s: no final ack in %d ms, given up",
                  order->client_id, self->cfg->hedger.order_timeout_ms);
        s_reject (self, request, self->cfg->assets [order->asset].name,
                  self->cfg->venues [order->venue].name, "order_timeout",
                  s_sign (order->side) * order->qty * order->mult, detail);
    }
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
    for (int i = 0; i < S_MAX_ORDERS; i++) {
        s_order_t *order = &self->orders [i];
        if (!order->used || order->final || order->cancel_sent)
            continue;
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
    if (hb_killswitch_poll (self->kill, &change) == 0)
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
