/*  fills: a test plugin whose answer to an order is chosen by the order's
    client id, to drive hb-feed's fill gate (hb_fillgate.h) through the
    real host path. Every answer is fills only (no acks), fill ids
    "<client id>-<n>", at px 100 (the order's limit for a limit order):
      ok-*       one fill of the whole order
      part-*     one fill of half the order
      dup-*      one fill of the whole order, published twice
      over-*     one fill of 1.5 times the order
      sym-*      the whole order, on the other instrument of the venue
      side-*     the whole order, on the other side
      px-*       the whole order, 10 % past its limit
      ghost-*    the whole order, under client id "ghost-never-sent"
      ext-*      the whole order, marked external, client id "venue-web-1"
      extours-*  the whole order, marked external, under its own client id
      again-X    a fill for order X (sent earlier, maybe before a restart)
                 of this order's quantity, side and symbol
    Fill flags are FILLS_GARBAGE on fills that are not marked external:
    0 in fills.c, which declares HB_VENUE_FEAT_FILL_FLAGS; all ones in
    fills_old.c, which does not (a plugin built before fill flags may leave
    any bytes there, the external bit included): the host must clear them.
    A header, so that each of the two plugins is one .so of its own.        */
#ifndef FILLS_PLUGIN_H_INCLUDED
#define FILLS_PLUGIN_H_INCLUDED

#include "hb_plugin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const hb_host_api_t *host;
    hb_msg_t             msg;
    int                  n;             //  fills published
} fills_t;

static void *
fills_create (const hb_host_api_t *host)
{
    if (!host || !host->venue || host->venue->n_instruments < 2 || !host->config)
        return NULL;
    fills_t *self = (fills_t *) calloc (1, sizeof *self);
    if (self)
        self->host = host;
    return self;
}

static int
fills_start (void *self)
{
    (void) self;
    return 0;
}

static bool
fills_is (const char *id, const char *prefix)
{
    return strncmp (id, prefix, strlen (prefix)) == 0;
}

static void
fills_publish (fills_t *self, const hb_order_t *order, const char *client_id, const char *symbol,
               int side, double qty, double px, uint32_t flags)
{
    hb_msg_t *msg = &self->msg;
    memset (msg, 0, sizeof *msg);
    msg->env.type = HB_MSG_FILL;
    msg->env.ts_venue = self->host->now_ns (self->host->ctx);
    hb_fill_t *fill = &msg->u.fill;
    snprintf (fill->venue, sizeof fill->venue, "%s", self->host->venue->name);
    snprintf (fill->symbol, sizeof fill->symbol, "%s", symbol);
    snprintf (fill->client_id, sizeof fill->client_id, "%s", client_id);
    snprintf (fill->order_id, sizeof fill->order_id, "V-%.40s", order->client_id);
    snprintf (fill->fill_id, sizeof fill->fill_id, "%.36s-%d", order->client_id, ++self->n % 100000);
    snprintf (fill->fee_asset, sizeof fill->fee_asset, "USD");
    fill->side = (uint8_t) side;
    fill->liquidity = 2;
    fill->qty = qty;
    fill->px = px;
    fill->flags = flags;
    self->host->publish (self->host->ctx, msg);
}

static int
fills_order (void *self_, const hb_order_t *order)
{
    fills_t *self = (fills_t *) self_;
    const hb_venue_cfg_t *venue = self->host->venue;
    const char *id = order->client_id;
    const char *other = strcmp (order->symbol, venue->instruments [0].symbol) == 0
                      ? venue->instruments [1].symbol : venue->instruments [0].symbol;
    int side = order->side;
    int flip = side == HB_SIDE_BUY ? HB_SIDE_SELL : HB_SIDE_BUY;
    double px = order->ord_type == HB_ORD_LIMIT ? order->px : 100;
    double past = side == HB_SIDE_BUY ? px * 1.1 : px * 0.9;
    double q = order->qty;
    if (fills_is (id, "again-"))
        fills_publish (self, order, id + 6, order->symbol, side, q, px, FILLS_GARBAGE);
    else
    if (fills_is (id, "ok-"))
        fills_publish (self, order, id, order->symbol, side, q, px, FILLS_GARBAGE);
    else
    if (fills_is (id, "part-"))
        fills_publish (self, order, id, order->symbol, side, q / 2, px, FILLS_GARBAGE);
    else
    if (fills_is (id, "dup-")) {
        fills_publish (self, order, id, order->symbol, side, q, px, FILLS_GARBAGE);
        self->host->publish (self->host->ctx, &self->msg);
    }
    else
    if (fills_is (id, "over-"))
        fills_publish (self, order, id, order->symbol, side, q * 1.5, px, FILLS_GARBAGE);
    else
    if (fills_is (id, "sym-"))
        fills_publish (self, order, id, other, side, q, px, FILLS_GARBAGE);
    else
    if (fills_is (id, "side-"))
        fills_publish (self, order, id, order->symbol, flip, q, px, FILLS_GARBAGE);
    else
    if (fills_is (id, "px-"))
        fills_publish (self, order, id, order->symbol, side, q, past, FILLS_GARBAGE);
    else
    if (fills_is (id, "ghost-"))
        fills_publish (self, order, "ghost-never-sent", order->symbol, side, q, px, FILLS_GARBAGE);
    else
    if (fills_is (id, "extours-"))
        fills_publish (self, order, id, order->symbol, side, q, px, HB_FILL_EXTERNAL);
    else
    if (fills_is (id, "ext-"))
        fills_publish (self, order, "venue-web-1", order->symbol, side, q, px, HB_FILL_EXTERNAL);
    else
        return -1;
    return 0;
}

static int
fills_cancel (void *self, const hb_cancel_t *cancel)
{
    (void) self;
    (void) cancel;
    return -1;
}

static void
fills_destroy (void **self_p)
{
    if (self_p && *self_p) {
        free (*self_p);
        *self_p = NULL;
    }
}

#define FILLS_OPS(NAME, FEATURES) {                                         \
    .abi_version = HB_PLUGIN_ABI_VERSION, .size = sizeof (hb_venue_ops_t),   \
    .name = (NAME), .description = "fill gate test plugin",                  \
    .create = fills_create, .start = fills_start, .order = fills_order,      \
    .cancel = fills_cancel, .destroy = fills_destroy, .features = (FEATURES) \
}

#endif
