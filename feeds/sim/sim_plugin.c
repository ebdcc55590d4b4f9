/*  sim_plugin: the sim venue behind the plugin ABI (hb_plugin.h). The
    engine (sim_venue) knows nothing of hosts or clocks; this file maps wall
    time to market steps, runs the publish timer, delays orders by
    latency_ms on host timers and reports outages through set_status. With
    account_ms it reports the venue's positions as account.<venue> (for
    the aggregator's reconciliation), with account_margin its equity and
    margin too; with funding_ms it pays funding on its perpetuals at
    funding_rate (funding.<venue>.<symbol>).

    Orders waiting out their latency sit in a fixed pool; when it is full a
    new order is rejected at once (HB_REJ_RATE_LIMIT) instead of allocating.

    Transfers (ABI v4): a request to a venue on venues.X.sim.transfers.allow
    with the free margin for it leaves the account at once (sent); at its
    eta this venue publishes the credit, on behalf of the destination: sims
    are separate processes and share no ledger, so the source, which knows
    the route's delay, says when it lands, and the destination's feed hands
    that credit to its own sim (credit), which adds it to its account. A
    real venue's credit would be its own deposit notice instead.
    Discovery (ABI v5): with venues.X.sim.chain the venue lists option
    chains (sim_chain.h) through the host's instrument_list at start, and
    each sim day rolls them: expired series delisted, new ones listed
    around the index of the shared market path at that moment.
    Every callback runs on the host's thread, so nothing here locks.         */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hb_plugin.h"
#include "hb_log.h"
#include "hb_time.h"
#include "sim_config.h"
#include "sim_venue.h"

#define S_PENDING 128
#define S_TRANSFERS 32      //  transfers sent and waiting for their credit

typedef struct sim_plugin_s sim_plugin_t;

//  A scheduled manual trade (sim_config.h) waiting for its timer
typedef struct {
    sim_plugin_t *owner;
    int           index;
    int           timer_id;
} s_manual_t;

typedef struct {
    sim_plugin_t *owner;
    bool          used;
    int           timer_id;
    hb_order_t    order;
} s_pending_t;

//  A transfer sent, waiting for its eta to be credited
typedef struct {
    sim_plugin_t *owner;
    bool          used;
    int           timer_id;
    hb_transfer_t transfer;
} s_flight_t;

struct sim_plugin_s {
    const hb_host_api_t *host;
    sim_venue_t         *venue;
    sim_market_cfg_t     market_cfg;    //  market: and venues.X.sim, read at create
    sim_venue_cfg_t      sim_cfg;       //  (the venue borrows them)
    int                  publish_timer;
    int                  account_timer;
    int                  funding_timer;
    bool                 started;
    bool                 in_outage;
    uint64_t             latency_ms;
    uint64_t             publish_ms;
    s_pending_t          pending [S_PENDING];
    s_manual_t           manual [SIM_MAX_MANUAL];
    uint64_t             start_step;    //  in the ids of manual trades: unique per start
    s_flight_t           flights [S_TRANSFERS];
    hb_msg_t             reply;
    hb_msg_t             account;       //  scratch: account.<venue>
    double               funding_usd;   //  paid since start (account.<venue>'s funding_usd)
    sim_chain_t         *chain;         //  NULL without venues.X.sim.chain
    int                  chain_timer;
};

//  True when the host was built with member m of hb_host_api_t and set it.
#define S_HOST_HAS(host, m) \
    ((host)->size >= offsetof (hb_host_api_t, m) + sizeof ((host)->m) && (host)->m)

#define S_LOG(self, level, ...) do {                                        \
    if (S_HOST_HAS ((self)->host, log))                                     \
        (self)->host->log ((self)->host->ctx, (level), __VA_ARGS__);        \
} while (0)

static int
s_emit (void *arg, hb_msg_t *msg)
{
    sim_plugin_t *self = (sim_plugin_t *) arg;
    return self->host->publish (self->host->ctx, msg);
}

static uint64_t
s_now_step (const sim_plugin_t *self)
{
    return sim_venue_step_at (self->venue, self->host->now_ns (self->host->ctx));
}

static void
s_set_status (sim_plugin_t *self, bool outage)
{
    self->in_outage = outage;
    if (S_HOST_HAS (self->host, set_status))
        self->host->set_status (self->host->ctx, outage? HB_TICK_OUTAGE: 0);
    S_LOG (self, outage? HB_LOG_WARN: HB_LOG_INFO, "venue %s: %s", self->host->venue->name,
           outage? "outage begins (silent, rejecting orders)": "outage over");
}

//  The venue's liquidation engine, run at each publish (so at a step the
//  market moved to); it says what it did in the log
static void
s_check_liquidation (sim_plugin_t *self, uint64_t k)
{
    sim_liquidation_t liq;
    if (sim_venue_liquidate (self->venue, k, s_emit, self, &liq) == 0)
        return;
    S_LOG (self, HB_LOG_WARN, "sim %s: LIQUIDATION %llu at step %llu: equity %.2f USD <= maintenance "
           "%.2f USD; closed %d positions in %d fills (marked liquidation) at a %.4g bp penalty; "
           "equity after %.2f USD, maintenance after %.2f USD; lost %.2f USD to the liquidation "
           "(penalty and fees)", self->host->venue->name,
           (unsigned long long) sim_venue_liquidations (self->venue), (unsigned long long) k,
           liq.equity, liq.maintenance, liq.positions, liq.fills, self->sim_cfg.liq_penalty_bps,
           liq.equity_after, liq.maintenance_after, liq.equity - liq.equity_after);
}

static int
s_on_publish (void *arg)
{
    sim_plugin_t *self = (sim_plugin_t *) arg;
    uint64_t k = s_now_step (self);
    bool outage = sim_venue_outage (self->venue, k);
    if (outage != self->in_outage)
        s_set_status (self, outage);
    sim_venue_publish (self->venue, k, s_emit, self);
    s_check_liquidation (self, k);
    return 0;
}

//  The venue's positions as account.<venue>: the desk's starting
//  positions (venues.X.positions: held at this venue before the run) plus
//  what the engine traded here, the same sum the aggregator makes from the
//  config and the fills. With account_margin its equity and margin too
//  (sim_venue_figures: the starting positions included), else positions
//  only (HB_ACCOUNT_NO_MARGIN); spot is balances (HB_ACCOUNT_NO_SPOT).
//  Silent in an outage, as the venue is.
static int
s_on_account (void *arg)
{
    sim_plugin_t *self = (sim_plugin_t *) arg;
    const hb_venue_cfg_t *vc = self->host->venue;
    if (self->in_outage)
        return 0;
    hb_msg_t *msg = &self->account;
    memset (msg, 0, sizeof *msg);
    msg->env.type = HB_MSG_ACCOUNT;
    msg->env.ts_venue = self->host->now_ns (self->host->ctx);
    hb_account_t *a = &msg->u.account;
    snprintf (a->venue, sizeof a->venue, "%s", vc->name);
    a->flags = HB_ACCOUNT_NO_SPOT;
    if (self->sim_cfg.account_margin) {
        sim_figures_t figures;
        sim_venue_figures (self->venue, s_now_step (self), &figures);
        a->equity_usd = figures.equity;
        a->initial_usd = figures.initial;
        a->maintenance_usd = figures.maintenance;
        a->withdrawable_usd = figures.withdrawable;
        a->funding_usd = self->funding_usd;
    }
    else
        a->flags |= HB_ACCOUNT_NO_MARGIN;
    for (int i = 0; i < vc->n_instruments; i++) {
        //  the engine keeps spot as coin balances, not positions
        if (vc->instruments [i].kind == HB_KIND_SPOT)
            continue;
        double qty = sim_venue_position (self->venue, i);
        //  a sum that should be 0 may leave a rounding residue
        if (fabs (qty) <= 1e-9 * vc->instruments [i].lot_size)
            continue;
        if (a->n_positions == HB_ACCOUNT_POSITIONS) {
            a->flags |= HB_ACCOUNT_TRUNCATED;
            break;
        }
        hb_account_position_t *out = &a->positions [a->n_positions++];
        snprintf (out->symbol, sizeof out->symbol, "%s", vc->instruments [i].symbol);
        out->qty = qty;
    }
    s_emit (self, msg);
    return 0;
}

//  Funding on the perpetuals every funding_ms (silent in an outage, as the
//  venue is: the payment is the venue's, its report waits)
static int
s_funding_emit (void *arg, hb_msg_t *msg)
{
    sim_plugin_t *self = (sim_plugin_t *) arg;
    self->funding_usd += msg->u.funding.usd;
    S_LOG (self, HB_LOG_INFO, "sim %s: funding %s: %s %.6g USD on %.10g %s (rate %.6g)",
           self->host->venue->name, msg->u.funding.id, msg->u.funding.usd >= 0? "paid": "received",
           fabs (msg->u.funding.usd), msg->u.funding.qty, msg->u.funding.symbol, msg->u.funding.rate);
    return s_emit (self, msg);
}

static int
s_on_funding (void *arg)
{
    sim_plugin_t *self = (sim_plugin_t *) arg;
    if (self->in_outage)
        return 0;
    int64_t now = self->host->now_ns (self->host->ctx);
    sim_venue_funding (self->venue, s_now_step (self), self->sim_cfg.funding_rate, now / 1000000,
                       s_funding_emit, self);
    return 0;
}

static int
s_on_latency (void *arg)
{
    s_pending_t *slot = (s_pending_t *) arg;
    sim_plugin_t *self = slot->owner;
    slot->used = false;
    slot->timer_id = -1;
    sim_venue_order (self->venue, &slot->order, s_now_step (self), s_emit, self);
    return 0;
}

//  What the engine says about a manual trade: its fills go out marked
//  external (no order of ours: the host lets them through to positions);
//  its acks are no answer to anything we sent, so only a refusal is told,
//  in the log.
static int
s_emit_manual (void *arg, hb_msg_t *msg)
{
    s_manual_t *slot = (s_manual_t *) arg;
    sim_plugin_t *self = slot->owner;
    if (msg->env.type == HB_MSG_FILL) {
        msg->u.fill.flags |= HB_FILL_EXTERNAL;
        S_LOG (self, HB_LOG_INFO, "sim %s: manual trade %d: %s %.10g %s @ %.10g (external fill %s)",
               self->host->venue->name, slot->index, msg->u.fill.side == HB_SIDE_BUY ? "bought" : "sold",
               msg->u.fill.qty, msg->u.fill.symbol, msg->u.fill.px, msg->u.fill.fill_id);
        return s_emit (self, msg);
    }
    if (msg->env.type == HB_MSG_ACK && msg->u.ack.status == HB_ACK_REJECTED)
        S_LOG (self, HB_LOG_WARN, "sim %s: manual trade %d not done: %s", self->host->venue->name,
               slot->index, msg->u.ack.text);
    return 0;
}

static int
s_on_manual (void *arg)
{
    s_manual_t *slot = (s_manual_t *) arg;
    sim_plugin_t *self = slot->owner;
    slot->timer_id = -1;
    const sim_manual_t *trade = &self->sim_cfg.manual [slot->index];
    hb_order_t order;
    memset (&order, 0, sizeof order);
    snprintf (order.venue, sizeof order.venue, "%s", self->host->venue->name);
    snprintf (order.symbol, sizeof order.symbol, "%s",
              self->host->venue->instruments [trade->instrument].symbol);
    //  the venue's id for it, never one a sender of ours could choose
    snprintf (order.client_id, sizeof order.client_id, "sim-manual-%llu-%d",
              (unsigned long long) self->start_step, slot->index);
    order.side = (uint8_t) trade->side;
    order.ord_type = HB_ORD_MARKET;
    order.tif = HB_TIF_IOC;
    order.qty = trade->qty;
    sim_venue_order (self->venue, &order, s_now_step (self), s_emit_manual, slot);
    return 0;
}

//  sim_chain's callbacks: the index from the shared path, the host's lists
static double
s_chain_index (void *arg, int asset)
{
    sim_plugin_t *self = (sim_plugin_t *) arg;
    return sim_venue_mid (self->venue, asset, s_now_step (self));
}

static int
s_chain_list (void *arg, const hb_instrument_t *items, size_t count)
{
    sim_plugin_t *self = (sim_plugin_t *) arg;
    return self->host->instrument_list (self->host->ctx, items, count);
}

static int
s_chain_delist (void *arg, const char *symbol)
{
    sim_plugin_t *self = (sim_plugin_t *) arg;
    return self->host->instrument_delist (self->host->ctx, symbol);
}

static int
s_on_chain (void *arg)
{
    sim_plugin_t *self = (sim_plugin_t *) arg;
    if (sim_chain_roll (self->chain, self->host->now_ns (self->host->ctx), s_chain_index,
                        s_chain_list, s_chain_delist, self) != 0)
        S_LOG (self, HB_LOG_ERROR, "sim %s: the day roll's listing was refused (see above)",
               self->host->venue->name);
    return 0;
}

static void *
s_create (const hb_host_api_t *host)
{
    if (!host || host->abi_version != HB_PLUGIN_ABI_VERSION || !host->config || !host->venue
    ||  !S_HOST_HAS (host, publish) || !S_HOST_HAS (host, now_ns)
    ||  !S_HOST_HAS (host, timer_add) || !S_HOST_HAS (host, timer_cancel))
        return NULL;
    sim_plugin_t *self = (sim_plugin_t *) calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->host = host;
    self->publish_timer = -1;
    self->account_timer = -1;
    self->funding_timer = -1;
    self->chain_timer = -1;
    char err [256] = "";
    //  the sim's own sections; the host reports what is wrong in them
    if (sim_config_read (host, &self->market_cfg, &self->sim_cfg) != 0) {
        free (self);
        return NULL;
    }
    int64_t anchor = sim_market_anchor_ns (&self->market_cfg, host->now_ns (host->ctx));
    self->venue = sim_venue_new (host->config, host->venue, &self->market_cfg, &self->sim_cfg,
                                 anchor, err, sizeof err);
    if (!self->venue) {
        S_LOG (self, HB_LOG_ERROR, "sim %s: %s", host->venue->name, err);
        free (self);
        return NULL;
    }
    if (self->sim_cfg.chain.present) {
        if (!S_HOST_HAS (host, instrument_list) || !S_HOST_HAS (host, instrument_delist))
            S_LOG (self, HB_LOG_ERROR, "sim %s: chain: the host has no discovery (plugin ABI v5)",
                   host->venue->name);
        else
            self->chain = sim_chain_new (&self->sim_cfg.chain, host->config, anchor);
        if (!self->chain) {
            sim_venue_destroy (&self->venue);
            free (self);
            return NULL;
        }
    }
    //  host timers count whole milliseconds; a 0 latency is handled inline
    self->latency_ms = (uint64_t) ceil (self->sim_cfg.latency_ms);
    self->publish_ms = (uint64_t) fmax (1, round (self->sim_cfg.publish_ms));
    for (int i = 0; i < S_PENDING; i++) {
        self->pending [i].owner = self;
        self->pending [i].timer_id = -1;
    }
    for (int i = 0; i < SIM_MAX_MANUAL; i++)
        self->manual [i] = (s_manual_t) { self, i, -1 };
    return self;
}

static int
s_start (void *self_)
{
    sim_plugin_t *self = (sim_plugin_t *) self_;
    if (self->started)
        return 0;
    uint64_t k = s_now_step (self);
    int64_t t0 = hb_mono_ns ();
    sim_venue_seek (self->venue, k);
    S_LOG (self, HB_LOG_INFO, "sim %s: market fast-forwarded to step %llu in %.1f ms",
           self->host->venue->name, (unsigned long long) k, (hb_mono_ns () - t0) / 1e6);
    self->in_outage = sim_venue_outage (self->venue, k);
    if (self->in_outage)
        s_set_status (self, true);
    self->publish_timer = self->host->timer_add (self->host->ctx, self->publish_ms, 0,
                                                 s_on_publish, self);
    if (self->publish_timer < 0) {
        S_LOG (self, HB_LOG_ERROR, "sim %s: cannot add the publish timer",
               self->host->venue->name);
        return -1;
    }
    if (self->sim_cfg.account_ms > 0) {
        uint64_t every = (uint64_t) fmax (1, round (self->sim_cfg.account_ms));
        self->account_timer = self->host->timer_add (self->host->ctx, every, 0, s_on_account, self);
        if (self->account_timer < 0)
            S_LOG (self, HB_LOG_ERROR, "sim %s: cannot add the account timer", self->host->venue->name);
    }
    if (self->sim_cfg.funding_ms > 0) {
        uint64_t every = (uint64_t) fmax (1, round (self->sim_cfg.funding_ms));
        self->funding_timer = self->host->timer_add (self->host->ctx, every, 0, s_on_funding, self);
        if (self->funding_timer < 0)
            S_LOG (self, HB_LOG_ERROR, "sim %s: cannot add the funding timer", self->host->venue->name);
    }
    if (self->chain) {
        //  a venue whose listing is refused (over max_count) does not run
        //  on a cut chain
        if (sim_chain_roll (self->chain, self->host->now_ns (self->host->ctx), s_chain_index,
                            s_chain_list, s_chain_delist, self) != 0)
            return -1;
        S_LOG (self, HB_LOG_INFO, "sim %s: option chains listed: %zu instruments",
               self->host->venue->name, sim_chain_size (self->chain));
        //  twenty looks a sim day, and at least one a second
        uint64_t every = (uint64_t) fmin (1000, fmax (10, self->sim_cfg.chain.roll_s * 50));
        self->chain_timer = self->host->timer_add (self->host->ctx, every, 0, s_on_chain, self);
        if (self->chain_timer < 0)
            return -1;
    }
    self->started = true;
    self->start_step = k;
    for (int i = 0; i < self->sim_cfg.n_manual; i++) {
        s_manual_t *slot = &self->manual [i];
        uint64_t after_ms = (uint64_t) fmax (1, round (self->sim_cfg.manual [i].after_s * 1000));
        slot->timer_id = self->host->timer_add (self->host->ctx, after_ms, 1, s_on_manual, slot);
        if (slot->timer_id < 0)
            S_LOG (self, HB_LOG_ERROR, "sim %s: cannot schedule manual trade %d",
                   self->host->venue->name, i);
    }
    sim_venue_publish (self->venue, k, s_emit, self);
    return 0;
}

static int
s_order (void *self_, const hb_order_t *order)
{
    sim_plugin_t *self = (sim_plugin_t *) self_;
    if (self->latency_ms == 0) {
        //  a reject is an answer too: either way the order is handled
        sim_venue_order (self->venue, order, s_now_step (self), s_emit, self);
        return 0;
    }
    for (int i = 0; i < S_PENDING; i++) {
        s_pending_t *slot = &self->pending [i];
        if (slot->used)
            continue;
        slot->order = *order;
        slot->timer_id = self->host->timer_add (self->host->ctx, self->latency_ms, 1,
                                                s_on_latency, slot);
        if (slot->timer_id < 0)
            break;
        slot->used = true;
        return 0;
    }
    //  no room to wait: refuse now rather than queue without bound
    memset (&self->reply, 0, sizeof self->reply);
    self->reply.env.type = HB_MSG_ACK;
    self->reply.env.ts_venue = sim_venue_time_ns (self->venue, s_now_step (self));
    hb_ack_t *ack = &self->reply.u.ack;
    snprintf (ack->venue, sizeof ack->venue, "%s", self->host->venue->name);
    snprintf (ack->symbol, sizeof ack->symbol, "%.*s", HB_NAME_MAX - 1, order->symbol);
    snprintf (ack->client_id, sizeof ack->client_id, "%.*s", HB_ID_MAX - 1, order->client_id);
    ack->status = HB_ACK_REJECTED;
    ack->reason = HB_REJ_RATE_LIMIT;
    snprintf (ack->text, sizeof ack->text, "more than %d orders in flight", S_PENDING);
    s_emit (self, &self->reply);
    return 0;
}

static int
s_cancel (void *self_, const hb_cancel_t *cancel)
{
    sim_plugin_t *self = (sim_plugin_t *) self_;
    sim_venue_cancel (self->venue, cancel, s_now_step (self), s_emit, self);
    return 0;
}

//  The index of asset in the config's assets; -1: USD (any stablecoin)
static int
s_asset (const sim_plugin_t *self, const char *asset)
{
    const hb_config_t *cfg = self->host->config;
    for (int a = 0; a < cfg->n_assets; a++)
        if (strcmp (cfg->assets [a].name, asset) == 0)
            return a;
    return -1;
}

static void
s_transfer_emit (sim_plugin_t *self, const hb_transfer_t *transfer, int status, const char *why)
{
    memset (&self->reply, 0, sizeof self->reply);
    self->reply.env.type = HB_MSG_CAPITAL_TRANSFER;
    hb_transfer_t *t = &self->reply.u.transfer;
    *t = *transfer;
    t->status = (uint8_t) status;
    t->credited_ns = status == HB_TRANSFER_CREDITED ? self->host->now_ns (self->host->ctx) : 0;
    snprintf (t->reason, sizeof t->reason, "%s", why);
    if (t->credited_ns > 0 && t->credited_ns < t->eta_ns)
        t->credited_ns = t->eta_ns;     //  a timer fires at, never before, its time
    s_emit (self, &self->reply);
}

static int
s_on_credit (void *arg)
{
    s_flight_t *slot = (s_flight_t *) arg;
    sim_plugin_t *self = slot->owner;
    slot->used = false;
    S_LOG (self, HB_LOG_INFO, "sim %s: transfer %s of %.8g %s credited at %s", self->host->venue->name,
           slot->transfer.id, slot->transfer.amount, slot->transfer.asset, slot->transfer.to);
    s_transfer_emit (self, &slot->transfer, HB_TRANSFER_CREDITED, "credited at the destination (the sim "
                     "source says so at the route's eta)");
    return 0;
}

//  A transfer this venue sent before its feed restarted: its credit is
//  scheduled again at its eta (at once when past), nothing withdrawn (the
//  restarted account is the configured one: the sim keeps no ledger)
static int
s_transfer_resume (sim_plugin_t *self, const hb_transfer_t *sent)
{
    s_flight_t *slot = NULL;
    for (int i = 0; i < S_TRANSFERS && !slot; i++)
        if (!self->flights [i].used)
            slot = &self->flights [i];
    if (!slot)
        return -1;
    int64_t now = self->host->now_ns (self->host->ctx);
    uint64_t after_ms = sent->eta_ns > now ? (uint64_t) ((sent->eta_ns - now) / 1000000) + 1 : 1;
    slot->owner = self;
    slot->transfer = *sent;
    slot->transfer.status = HB_TRANSFER_REQUESTED;
    slot->timer_id = self->host->timer_add (self->host->ctx, after_ms, 1, s_on_credit, slot);
    if (slot->timer_id < 0)
        return -1;
    slot->used = true;
    S_LOG (self, HB_LOG_INFO, "sim %s: transfer %s resumed after a restart: %.8g %s to %s, credited in %llu ms",
           self->host->venue->name, sent->id, sent->amount, sent->asset, sent->to, (unsigned long long) after_ms);
    return 0;
}

static int
s_transfer (void *self_, const hb_transfer_t *request)
{
    sim_plugin_t *self = (sim_plugin_t *) self_;
    const char *venue = self->host->venue->name;
    if (request->status == HB_TRANSFER_SENT)
        return s_transfer_resume (self, request);
    char why [HB_TEXT_MAX] = "";
    bool allowed = false;
    for (int i = 0; i < self->sim_cfg.n_allow && !allowed; i++)
        allowed = strcmp (self->sim_cfg.allow [i], request->to) == 0;
    s_flight_t *slot = NULL;
    for (int i = 0; i < S_TRANSFERS && !slot; i++)
        if (!self->flights [i].used)
            slot = &self->flights [i];
    if (!allowed)
        snprintf (why, sizeof why, "destination %.31s is not on this venue's sim.transfers.allow",
                  request->to);
    else
    if (!slot)
        snprintf (why, sizeof why, "more than %d transfers in flight", S_TRANSFERS);
    else
    if (sim_venue_withdraw (self->venue, s_asset (self, request->asset), request->amount, request->fee,
                            s_now_step (self), why, sizeof why) == 0) {
        int64_t now = self->host->now_ns (self->host->ctx);
        uint64_t after_ms = request->eta_ns > now ? (uint64_t) ((request->eta_ns - now) / 1000000) + 1 : 1;
        slot->owner = self;
        slot->transfer = *request;
        slot->timer_id = self->host->timer_add (self->host->ctx, after_ms, 1, s_on_credit, slot);
        if (slot->timer_id >= 0) {
            slot->used = true;
            S_LOG (self, HB_LOG_INFO, "sim %s: transfer %s sent: %.8g %s (+ fee %.8g) to %s, credited in %llu ms",
                   venue, request->id, request->amount, request->asset, request->fee, request->to,
                   (unsigned long long) after_ms);
            s_transfer_emit (self, request, HB_TRANSFER_SENT, "");
            return 0;
        }
        //  no timer: give the money back and say so
        sim_venue_deposit (self->venue, s_asset (self, request->asset), request->amount + request->fee);
        snprintf (why, sizeof why, "the sim cannot schedule the credit");
    }
    S_LOG (self, HB_LOG_WARN, "sim %s: transfer %s refused: %s", venue, request->id, why);
    s_transfer_emit (self, request, HB_TRANSFER_REFUSED, why);
    return 0;
}

static int
s_credit (void *self_, const hb_transfer_t *credited)
{
    sim_plugin_t *self = (sim_plugin_t *) self_;
    sim_venue_deposit (self->venue, s_asset (self, credited->asset), credited->amount);
    S_LOG (self, HB_LOG_INFO, "sim %s: transfer %s from %s: %.8g %s credited to the account",
           self->host->venue->name, credited->id, credited->from, credited->amount, credited->asset);
    return 0;
}

static void
s_destroy (void **self_p)
{
    if (!self_p || !*self_p)
        return;
    sim_plugin_t *self = (sim_plugin_t *) *self_p;
    if (self->publish_timer >= 0)
        self->host->timer_cancel (self->host->ctx, self->publish_timer);
    if (self->account_timer >= 0)
        self->host->timer_cancel (self->host->ctx, self->account_timer);
    if (self->funding_timer >= 0)
        self->host->timer_cancel (self->host->ctx, self->funding_timer);
    if (self->chain_timer >= 0)
        self->host->timer_cancel (self->host->ctx, self->chain_timer);
    sim_chain_destroy (&self->chain);
    for (int i = 0; i < S_PENDING; i++)
        if (self->pending [i].used)
            self->host->timer_cancel (self->host->ctx, self->pending [i].timer_id);
    for (int i = 0; i < S_TRANSFERS; i++)
        if (self->flights [i].used)
            self->host->timer_cancel (self->host->ctx, self->flights [i].timer_id);
    for (int i = 0; i < SIM_MAX_MANUAL; i++)
        if (self->manual [i].timer_id >= 0)
            self->host->timer_cancel (self->host->ctx, self->manual [i].timer_id);
    sim_venue_destroy (&self->venue);
    free (self);
    *self_p = NULL;
}

const hb_venue_ops_t hb_venue_plugin = {
    .abi_version = HB_PLUGIN_ABI_VERSION,
    .size        = sizeof (hb_venue_ops_t),
    .name        = "sim",
    .description = "simulated venue: correlated price paths, depth, fees, latency, "
                   "IOC matching, outages; deterministic from seeds",
    .create      = s_create,
    .start       = s_start,
    .order       = s_order,
    .cancel      = s_cancel,
    .destroy     = s_destroy,
    .sections    = sim_config_sections,
    //  every fill is built in a zeroed message: flags 0, HB_FILL_EXTERNAL
    //  for a manual trade, with HB_FILL_LIQUIDATION for a liquidation
    .features    = HB_VENUE_FEAT_FILL_FLAGS,
    .transfer    = s_transfer,
    .credit      = s_credit,
};
