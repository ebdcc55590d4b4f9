/*  hb_hedger: requests to orders, in flight netting (see hb_hedger.h).
    The order table, its journal and the crash points are in
    hb_hedger_order.c, the kill switch in hb_hedger_kill.c; what they share
    is in hb_hedger_int.h.                                                 */
#include "hb_hedger_int.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hb_log.h"

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

void
hb_hedgeri_reject (hb_hedger_t *self, const char *request_id, const char *asset,
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
    self->orders = (hb_hedgeri_order_t *) calloc (HB_HEDGERI_MAX_ORDERS,
                                                  sizeof (hb_hedgeri_order_t));
    self->controls = hb_controls_new (cfg);
    self->kill = hb_killswitch_new (cfg->hedger.kill_file);
    if (!self->asof || !self->orders || !self->controls || !self->kill)
        goto fail;
    //  the hedger refuses every policy but always (CONFIG.md), and so do we
    self->journal = hb_journal_open (cfg->hedger.journal, HB_JOURNAL_FSYNC_ALWAYS, 0);
    if (!self->journal || hb_journal_replay (self->journal, hb_hedgeri_replay, self) != 0)
        goto fail;
    hb_metric_set (self->m_kill, hb_killswitch_killed (self->kill) ? 1 : 0);
    //  a kill latched before the restart: what was working is canceled
    //  again (harmless when the venue has finished it)
    if (hb_killswitch_killed (self->kill))
        hb_hedgeri_apply_kill (self, hb_killswitch_state (self->kill), now_ns);
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
    for (int i = 0; i < HB_HEDGERI_SEEN_IDS; i++)
        if (strcmp (self->seen [i], id) == 0)
            return true;
    snprintf (self->seen [self->seen_next], HB_ID_MAX, "%s", id);
    self->seen_next = (self->seen_next + 1) % HB_HEDGERI_SEEN_IDS;
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
    if (hb_hedgeri_order_find (self, client_id)) {
        hb_hedgeri_reject (self, client_id, self->cfg->assets [asset].name, venue->name,
                           "duplicate_client_id", hb_hedgeri_sign (side) * leg->asset_qty,
                           "journaled before");
        return -1;
    }
    hb_hedgeri_order_t *order = hb_hedgeri_order_slot (self, now_ns);
    if (!order) {
        hb_hedgeri_reject (self, "-", self->cfg->assets [asset].name, venue->name, "orders_full",
                           hb_hedgeri_sign (side) * leg->asset_qty, "no free order slot");
        return -1;
    }
    if (hb_hedgeri_order_intent (self, order, client_id, self->cand_venue [cand],
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
    hb_hedgeri_crash_point (self, HB_HEDGER_CRASH_AFTER_SEND, client_id);
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
        hb_hedgeri_on_ack (self, order, &early, early_ns);
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
        hb_hedgeri_reject (self, id, NULL, NULL, "unknown_asset", t->target_qty, t->asset);
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
        hb_hedgeri_reject (self, id, t->asset, NULL, "no_route", want, detail);
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
            hb_hedgeri_reject (self, id, t->asset, venue, "bad_request_id", want,
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
            hb_hedgeri_reject (self, id, t->asset, venue, hb_ctl_reason_name (rc),
                               hb_hedgeri_sign (req.side) * leg->asset_qty, detail);
            self->stats.leg_rejects++;
            hb_metric_inc (self->m_leg_rejects);
            continue;
        }
        if (s_send_leg (self, client_id, leg->cand, leg, req.side, asset, now_ns) == 0) {
            sent++;
            flight += hb_hedgeri_sign (req.side) * leg->asset_qty;
        }
        else
        if (self->broken)
            break;
    }
    if (self->plan.unplaced_qty * t->index >= S_MIN_USD && self->plan.unplaced_qty >= smallest) {
        snprintf (detail, sizeof detail, "%.8g of %.8g left for the next request",
                  self->plan.unplaced_qty, req.qty);
        hb_hedgeri_reject (self, id, t->asset, NULL, "unplaced",
                           hb_hedgeri_sign (req.side) * self->plan.unplaced_qty, detail);
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
        hb_hedgeri_reject (self, req->id, NULL, NULL, refusal, 0, detail);
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
            hb_hedgeri_margin_t *m = &self->margins [v - cfg->venues];
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
            hb_hedgeri_order_t *order = hb_hedgeri_order_find (self, msg->u.ack.client_id);
            if (!order) {
                if (msg->u.ack.status != HB_ACK_ACCEPTED)
                    hb_asof_ack_keep (self->asof, &msg->u.ack, ts);
                return -1;
            }
            hb_hedgeri_on_ack (self, order, &msg->u.ack, ts);
            return 0;
        }
        case HB_MSG_FILL:
            if (!hb_hedgeri_order_find (self, msg->u.fill.client_id))
                return -1;
            self->stats.fills++;
            hb_metric_inc (self->m_fills);
            return 0;
        default:
            return -1;
    }
}
