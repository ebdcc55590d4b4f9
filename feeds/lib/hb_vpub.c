/*  hb_vpub: see hb_vpub.h.                                               */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hb_vorder.h"
#include "hb_vpub.h"

struct hb_vpub_s {
    char               venue [HB_NAME_MAX];
    hb_vpub_emit_fn   *emit;
    hb_vpub_status_fn *status;
    void              *arg;
    uint32_t           reported;        //  last status told (UINT32_MAX: none yet)
    hb_msg_t           msg;
};

hb_vpub_t *
hb_vpub_new (const char *venue, hb_vpub_emit_fn *emit, hb_vpub_status_fn *status, void *arg)
{
    hb_vpub_t *self = (hb_vpub_t *) calloc (1, sizeof *self);
    if (!self)
        return NULL;
    snprintf (self->venue, sizeof self->venue, "%s", venue);
    self->emit = emit;
    self->status = status;
    self->arg = arg;
    self->reported = UINT32_MAX;
    return self;
}

void
hb_vpub_destroy (hb_vpub_t **self_p)
{
    if (self_p && *self_p) {
        free (*self_p);
        *self_p = NULL;
    }
}

void
hb_vpub_fill_tick (const hb_vpub_t *self, const char *symbol, bool whole, hb_tick_t *tick)
{
    memset (tick, 0, sizeof *tick);
    snprintf (tick->venue, sizeof tick->venue, "%s", self->venue);
    snprintf (tick->symbol, sizeof tick->symbol, "%s", symbol);
    if (!whole)
        tick->flags |= HB_TICK_STALE;
}

hb_tick_t *
hb_vpub_tick (hb_vpub_t *self, const char *symbol, bool whole, int64_t ts_venue)
{
    memset (&self->msg.env, 0, sizeof self->msg.env);
    self->msg.env.type = HB_MSG_TICK;
    self->msg.env.ts_venue = ts_venue;
    hb_vpub_fill_tick (self, symbol, whole, &self->msg.u.tick);
    return &self->msg.u.tick;
}

hb_trade_t *
hb_vpub_trade (hb_vpub_t *self, const char *symbol, int64_t ts_venue)
{
    memset (&self->msg, 0, sizeof self->msg);
    self->msg.env.type = HB_MSG_TRADE;
    self->msg.env.ts_venue = ts_venue;
    hb_trade_t *trade = &self->msg.u.trade;
    snprintf (trade->venue, sizeof trade->venue, "%s", self->venue);
    snprintf (trade->symbol, sizeof trade->symbol, "%s", symbol);
    return trade;
}

hb_fill_t *
hb_vpub_fill (hb_vpub_t *self, const hb_vslot_t *slot, int64_t ts_venue)
{
    memset (&self->msg, 0, sizeof self->msg);
    self->msg.env.type = HB_MSG_FILL;
    self->msg.env.ts_venue = ts_venue;
    hb_fill_t *fill = &self->msg.u.fill;
    snprintf (fill->venue, sizeof fill->venue, "%s", self->venue);
    snprintf (fill->symbol, sizeof fill->symbol, "%s", slot->order.symbol);
    snprintf (fill->client_id, sizeof fill->client_id, "%s", slot->order.client_id);
    snprintf (fill->order_id, sizeof fill->order_id, "%s", slot->order_id);
    fill->side = slot->order.side;
    return fill;
}

int
hb_vpub_ack (hb_vpub_t *self, const hb_order_t *order, const char *order_id, int status,
             int reason, const char *text, double filled)
{
    hb_vorder_ack (&self->msg, self->venue, order, order_id? order_id: "", status, reason, text,
                   filled);
    return hb_vpub_emit (self);
}

int
hb_vpub_cancel_unknown (hb_vpub_t *self, const hb_cancel_t *cancel, const char *text)
{
    hb_order_t order;
    memset (&order, 0, sizeof order);
    snprintf (order.symbol, sizeof order.symbol, "%s", cancel->symbol);
    snprintf (order.client_id, sizeof order.client_id, "%s", cancel->client_id);
    return hb_vpub_ack (self, &order, "", HB_ACK_REJECTED, HB_REJ_UNKNOWN_ORDER, text, 0);
}

int
hb_vpub_emit (hb_vpub_t *self)
{
    return self->emit (self->arg, &self->msg)? -1: 0;
}

void
hb_vpub_status (hb_vpub_t *self, bool stale)
{
    uint32_t status = stale? HB_TICK_STALE: 0;
    if (status != self->reported && self->status)
        self->status (self->arg, status);
    self->reported = status;
}
