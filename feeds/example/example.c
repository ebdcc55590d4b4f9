/*  example: the smallest useful venue plugin, and the one docs/PLUGINS.md
    walks through.

    It quotes a fixed-ish book (the config's reference price, wobbling
    slowly) for every instrument of its venue on a timer, fills market
    orders in full at the touch, and rejects everything else. There is no
    network and no state worth keeping: a real venue plugin would open its
    sockets in start, register their fds with host->fd_add, and translate
    the venue's messages into hb_msg_t in the fd callback, the way quotes
    are built here in s_quote.

    Rules a plugin lives by (the host checks what it can):
    - Everything goes through the host struct: publish, log, clock, timers.
      No globals, no threads, no blocking calls: every callback runs on the
      host's one reactor thread.
    - Messages are normalized before they are published: prices in USD per
      unit of the asset, quantities in the instrument's unit, symbols as in
      the config.
    - The plugin keeps the host pointer for its whole life; the host keeps
      the plugin's state pointer and hands it back on every call.          */
#include "hb_plugin.h"      //  the whole SDK: builds out of tree with
                            //  `pkg-config --cflags hedgebus-plugin`

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_DEPTH         5           //  levels per side
#define S_SPREAD_BPS    4.0         //  full spread at the touch
#define S_LEVEL_BPS     2.0         //  distance between levels
#define S_LEVEL_USD     50000.0     //  notional per level

typedef struct {
    const hb_host_api_t  *host;     //  kept for life: our only way out
    const hb_venue_cfg_t *venue;    //  this venue's config section
    int64_t               started_ns;
    uint64_t              next_id;  //  for order and fill ids
    double                interval_ms;
    int                   timer;    //  quote timer id, -1 when none
    hb_msg_t              msg;      //  scratch: publishing never allocates
} example_t;

//  A host function we need is usable only when the host was built with it:
//  a host older than this plugin has a smaller hb_host_api_t.
#define s_host_has(host, fn) \
    (offsetof (hb_host_api_t, fn) + sizeof ((host)->fn) <= (host)->size)

//  The reference price of an instrument, in USD per unit of its asset,
//  wobbling by 0.1 % over a minute so that consumers see prices move.
static double
s_mid (example_t *self, const hb_instrument_cfg_t *inst, int64_t now_ns)
{
    const hb_config_t *config = self->host->config;
    double spot = config->assets [inst->asset].price;
    double t_s = (double) (now_ns - self->started_ns) / 1e9;
    spot *= 1.0 + 0.001 * sin (2.0 * M_PI * t_s / 60.0);
    if (inst->kind != HB_KIND_OPTION)
        return spot;
    //  Not a pricing model, a plausible number: intrinsic value plus an
    //  at-the-money time value of 0.4 S sigma sqrt(T). The sim plugin prices
    //  options properly (Black-Scholes).
    double years = (double) (inst->expiry_ns - now_ns) / (365.25 * 86400e9);
    if (years < 0)
        years = 0;
    double intrinsic = inst->is_call ? spot - inst->strike : inst->strike - spot;
    return (intrinsic > 0 ? intrinsic : 0) + 0.4 * spot * inst->iv * sqrt (years);
}

//  Quantity of the instrument worth usd at price px, rounded down to the lot.
static double
s_qty_for_usd (const hb_instrument_cfg_t *inst, double usd, double px)
{
    //  Inverse contracts are worth a fixed number of USD each; everything
    //  else is multiplier units of the asset per contract.
    double qty = inst->kind == HB_KIND_INVERSE_PERP ? usd / inst->multiplier
                                                    : usd / (px * inst->multiplier);
    qty = floor (qty / inst->lot_size) * inst->lot_size;
    return qty < inst->min_qty ? inst->min_qty : qty;
}

static double
s_round_to_tick (double px, double tick)
{
    return round (px / tick) * tick;
}

//  Builds the tick for one instrument into self->msg.
static void
s_quote (example_t *self, const hb_instrument_cfg_t *inst, int64_t now_ns)
{
    hb_msg_t *msg = &self->msg;
    memset (msg, 0, sizeof *msg);
    msg->env.type = HB_MSG_TICK;
    msg->env.ts_venue = now_ns;
    hb_tick_t *tick = &msg->u.tick;
    snprintf (tick->venue, sizeof tick->venue, "%s", self->venue->name);
    snprintf (tick->symbol, sizeof tick->symbol, "%s", inst->symbol);
    double mid = s_mid (self, inst, now_ns);
    double half = mid * S_SPREAD_BPS / 2e4;
    if (half < inst->tick_size)
        half = inst->tick_size;         //  keep the book uncrossed on coarse ticks
    for (int i = 0; i < S_DEPTH; i++) {
        double step = i * (mid * S_LEVEL_BPS / 1e4 > inst->tick_size
                           ? mid * S_LEVEL_BPS / 1e4 : inst->tick_size);
        double bid = s_round_to_tick (mid - half - step, inst->tick_size);
        double ask = s_round_to_tick (mid + half + step, inst->tick_size);
        if (bid <= 0)
            break;                      //  deep out-of-the-money options
        tick->bids [i] = (hb_level_t) { bid, s_qty_for_usd (inst, S_LEVEL_USD, bid) };
        tick->asks [i] = (hb_level_t) { ask, s_qty_for_usd (inst, S_LEVEL_USD, ask) };
        tick->n_bids = tick->n_asks = (uint8_t) (i + 1);
    }
    tick->mark = s_round_to_tick (mid, inst->tick_size);
    tick->underlying = self->host->config->assets [inst->asset].price;
    if (inst->kind == HB_KIND_OPTION) {
        tick->mark_iv = inst->iv;
        tick->flags |= HB_TICK_HAS_IV;
    }
}

//  The quote timer: one tick per instrument. Returning -1 would stop the
//  whole feed, so a publish failure is only logged (the host counts it).
static int
s_on_timer (void *arg)
{
    example_t *self = (example_t *) arg;
    int64_t now = self->host->now_ns (self->host->ctx);
    for (int i = 0; i < self->venue->n_instruments; i++) {
        s_quote (self, &self->venue->instruments [i], now);
        if (self->host->publish (self->host->ctx, &self->msg))
            self->host->log (self->host->ctx, HB_LOG_WARN, "tick for %s refused by the host",
                             self->venue->instruments [i].symbol);
    }
    return 0;
}

static void *
s_create (const hb_host_api_t *host)
{
    //  The ABI version was checked by the host on us; we check it on the
    //  host, and that it has every function we call.
    if (host->abi_version != HB_PLUGIN_ABI_VERSION || !s_host_has (host, cfg_errors))
        return NULL;
    example_t *self = (example_t *) calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->host = host;
    self->venue = host->venue;
    self->timer = -1;
    self->started_ns = host->now_ns (host->ctx);
    //  Plugin-specific settings live in the venue's section named after
    //  the plugin, venues.X.example (optional here): the plugin declares
    //  its keys and reads them through the host, which reports a problem as
    //  FILE:LINE: venues.X.example.KEY: message and refuses the venue.
    static const char *const keys [] = { "interval_ms", NULL };
    hb_cfg_node_t section;
    self->interval_ms = 100;
    if (host->cfg_section (host->ctx, NULL, &section) == 0 && host->cfg_expect_map (&section)) {
        host->cfg_check_keys (&section, keys);
        host->cfg_number (&section, "interval_ms", 0, 100, 1, 60000, &self->interval_ms);
    }
    if (host->cfg_errors (host->ctx) > 0) {
        free (self);
        return NULL;
    }
    if (host->venue->n_instruments == 0)
        host->log (host->ctx, HB_LOG_WARN, "venue %s has no instruments: nothing to quote",
                   host->venue->name);
    return self;
}

static int
s_start (void *arg)
{
    example_t *self = (example_t *) arg;
    self->timer = self->host->timer_add (self->host->ctx, (uint64_t) self->interval_ms, 0,
                                         s_on_timer, self);
    if (self->timer < 0)
        return -1;
    self->host->set_status (self->host->ctx, 0);
    s_on_timer (self);                  //  a first book at once, not after one interval
    return 0;
}

//  Publishes an ack for order with the given status; reason and text only
//  for rejects.
static void
s_ack (example_t *self, const hb_order_t *order, const char *order_id, int status,
       int reason, const char *text, double filled)
{
    hb_msg_t *msg = &self->msg;
    memset (msg, 0, sizeof *msg);
    msg->env.type = HB_MSG_ACK;
    msg->env.ts_venue = self->host->now_ns (self->host->ctx);
    hb_ack_t *ack = &msg->u.ack;
    snprintf (ack->venue, sizeof ack->venue, "%s", self->venue->name);
    snprintf (ack->symbol, sizeof ack->symbol, "%s", order->symbol);
    snprintf (ack->client_id, sizeof ack->client_id, "%s", order->client_id);
    snprintf (ack->order_id, sizeof ack->order_id, "%s", order_id);
    snprintf (ack->text, sizeof ack->text, "%s", text);
    ack->status = (uint8_t) status;
    ack->reason = (uint8_t) reason;
    ack->filled_qty = filled;
    ack->leaves_qty = status == HB_ACK_ACCEPTED ? order->qty - filled : 0;
    self->host->publish (self->host->ctx, msg);
}

static int
s_reject (example_t *self, const hb_order_t *order, int reason, const char *text)
{
    s_ack (self, order, "", HB_ACK_REJECTED, reason, text, 0);
    return 0;
}

static int
s_order (void *arg, const hb_order_t *order)
{
    example_t *self = (example_t *) arg;
    const hb_instrument_cfg_t *inst = hb_plugin_instrument (self->venue, order->symbol);
    if (!inst)
        return s_reject (self, order, HB_REJ_UNKNOWN_INSTRUMENT, "no such instrument here");
    if (order->ord_type != HB_ORD_MARKET)
        return s_reject (self, order, HB_REJ_BAD_ORDER, "the example venue takes market orders only");
    if (order->qty < inst->min_qty)
        return s_reject (self, order, HB_REJ_BELOW_MIN_SIZE, "below the minimum size");
    double lots = order->qty / inst->lot_size;
    if (fabs (lots - round (lots)) > 1e-9 * (lots > 1 ? lots : 1))
        return s_reject (self, order, HB_REJ_OFF_LOT, "not a multiple of the lot size");

    //  The fill price is the touch of the book we are quoting right now.
    int64_t now = self->host->now_ns (self->host->ctx);
    s_quote (self, inst, now);
    const hb_tick_t *book = &self->msg.u.tick;
    if (book->n_bids == 0 || book->n_asks == 0)
        return s_reject (self, order, HB_REJ_NO_LIQUIDITY, "empty book");
    double px = order->side == HB_SIDE_BUY ? book->asks [0].px : book->bids [0].px;

    char order_id [HB_ID_MAX], fill_id [HB_ID_MAX];
    uint64_t n = ++self->next_id;
    //  The start time in the ids keeps them unique across restarts of the
    //  feed: (venue, fill_id) must identify a fill forever.
    snprintf (order_id, sizeof order_id, "ex-%lld-o%llu",
              (long long) (self->started_ns / 1000000), (unsigned long long) n);
    snprintf (fill_id, sizeof fill_id, "ex-%lld-f%llu",
              (long long) (self->started_ns / 1000000), (unsigned long long) n);
    s_ack (self, order, order_id, HB_ACK_ACCEPTED, HB_REJ_NONE, "", 0);

    hb_msg_t *msg = &self->msg;
    memset (msg, 0, sizeof *msg);
    msg->env.type = HB_MSG_FILL;
    msg->env.ts_venue = now;
    hb_fill_t *fill = &msg->u.fill;
    snprintf (fill->venue, sizeof fill->venue, "%s", self->venue->name);
    snprintf (fill->symbol, sizeof fill->symbol, "%s", order->symbol);
    snprintf (fill->client_id, sizeof fill->client_id, "%s", order->client_id);
    snprintf (fill->order_id, sizeof fill->order_id, "%s", order_id);
    snprintf (fill->fill_id, sizeof fill->fill_id, "%s", fill_id);
    fill->side = order->side;
    fill->liquidity = 2;                //  taker: a market order takes
    fill->px = px;
    fill->qty = order->qty;
    //  Fees are paid in what the contract settles in: USD for spot and
    //  linear contracts, the coin for inverse ones.
    const char *asset = self->host->config->assets [inst->asset].name;
    if (inst->kind == HB_KIND_INVERSE_PERP) {
        fill->fee = self->venue->fee_taker * order->qty * inst->multiplier / px;
        snprintf (fill->fee_asset, sizeof fill->fee_asset, "%s", asset);
    }
    else {
        fill->fee = self->venue->fee_taker * order->qty * inst->multiplier * px;
        snprintf (fill->fee_asset, sizeof fill->fee_asset, "USD");
    }
    self->host->publish (self->host->ctx, msg);

    s_ack (self, order, order_id, HB_ACK_DONE, HB_REJ_NONE, "", order->qty);
    return 0;
}

static int
s_cancel (void *arg, const hb_cancel_t *cancel)
{
    //  Market orders never rest, so there is never anything to cancel.
    example_t *self = (example_t *) arg;
    hb_order_t order = { .qty = 0 };
    snprintf (order.symbol, sizeof order.symbol, "%s", cancel->symbol);
    snprintf (order.client_id, sizeof order.client_id, "%s", cancel->client_id);
    return s_reject (self, &order, HB_REJ_UNKNOWN_ORDER, "nothing resting to cancel");
}

static void
s_destroy (void **self_p)
{
    example_t *self = (example_t *) *self_p;
    if (!self)
        return;
    if (self->timer >= 0)
        self->host->timer_cancel (self->host->ctx, self->timer);
    free (self);
    *self_p = NULL;
}

//  The one symbol the host looks for. Designated initializers leave the
//  spare slots NULL; size tells the host how much of the struct we know.
const hb_venue_ops_t hb_venue_plugin = {
    .abi_version = HB_PLUGIN_ABI_VERSION,
    .size        = sizeof (hb_venue_ops_t),
    .name        = "example",
    .description = "fixed-ish book per instrument, market orders filled at the touch",
    .create      = s_create,
    .start       = s_start,
    .order       = s_order,
    .cancel      = s_cancel,
    .destroy     = s_destroy,
    //  our fills are built in zeroed messages, so their flags are set (0:
    //  each is of an order the host sent us). A plugin that also reports
    //  trades it was not sent (manual ones, liquidations) marks those
    //  HB_FILL_EXTERNAL; without this bit the host would clear the mark.
    .features    = HB_VENUE_FEAT_FILL_FLAGS
};
