/*  flood: a bench plugin that publishes ticks as fast as the host takes them.

    The flood starts on the first order it receives (so a benchmark can make
    sure its subscriber is connected first), publishes params.ticks ticks
    (default 1,000,000) round-robin over the venue's instruments, in batches
    of params.batch from a 1 ms timer so the host's reactor still runs
    between batches (subscriptions, parked-tick flushes, heartbeats). The
    order is acked ACCEPTED when the flood starts and CANCELED (nothing
    filled) when the last tick has been handed to the host. With
    params.invalid: 1 it first publishes three messages the host must
    refuse (unknown symbol, another venue, a type a plugin may not send).   */
#include "hb_plugin.h"
#include "hb_log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const hb_host_api_t *host;
    uint64_t    ticks;          //  to publish
    uint64_t    batch;
    uint64_t    done;           //  published so far
    bool        invalid;        //  publish the three bad messages first
    int         timer;
    hb_order_t  trigger;        //  the order that started the flood
    hb_msg_t    msg;
} flood_t;

static uint64_t
s_param (const hb_venue_cfg_t *venue, const char *key, uint64_t dflt)
{
    const char *value = hb_venue_param (venue, key);
    return value ? strtoull (value, NULL, 10) : dflt;
}

static void
s_ack (flood_t *self, int status)
{
    hb_msg_t *msg = &self->msg;
    memset (msg, 0, sizeof *msg);
    msg->env.type = HB_MSG_ACK;
    hb_ack_t *ack = &msg->u.ack;
    snprintf (ack->venue, sizeof ack->venue, "%s", self->host->venue->name);
    snprintf (ack->symbol, sizeof ack->symbol, "%s", self->trigger.symbol);
    snprintf (ack->client_id, sizeof ack->client_id, "%s", self->trigger.client_id);
    snprintf (ack->order_id, sizeof ack->order_id, "flood");
    ack->status = (uint8_t) status;
    ack->leaves_qty = status == HB_ACK_ACCEPTED ? self->trigger.qty : 0;
    self->host->publish (self->host->ctx, msg);
}

static int
s_on_timer (void *arg)
{
    flood_t *self = (flood_t *) arg;
    const hb_venue_cfg_t *venue = self->host->venue;
    hb_msg_t *msg = &self->msg;
    int64_t now = self->host->now_ns (self->host->ctx);
    for (uint64_t i = 0; i < self->batch && self->done < self->ticks; i++, self->done++) {
        const hb_instrument_cfg_t *inst = &venue->instruments [self->done % (uint64_t) venue->n_instruments];
        memset (&msg->env, 0, sizeof msg->env);
        msg->env.type = HB_MSG_TICK;
        msg->env.ts_venue = now;
        hb_tick_t *tick = &msg->u.tick;
        memcpy (tick->symbol, inst->symbol, sizeof tick->symbol);
        double px = 100.0 + (double) (self->done % 1000) * 0.01;
        for (int l = 0; l < tick->n_bids; l++) {
            tick->bids [l].px = px - 0.01 * (l + 1);
            tick->asks [l].px = px + 0.01 * (l + 1);
        }
        tick->mark = px;
        self->host->publish (self->host->ctx, msg);
    }
    if (self->done < self->ticks)
        return 0;
    self->host->timer_cancel (self->host->ctx, self->timer);
    self->timer = -1;
    s_ack (self, HB_ACK_CANCELED);
    self->host->log (self->host->ctx, HB_LOG_INFO, "flood done: %llu ticks",
                     (unsigned long long) self->done);
    return 0;
}

static void *
s_create (const hb_host_api_t *host)
{
    if (host->venue->n_instruments == 0) {
        host->log (host->ctx, HB_LOG_ERROR, "flood needs at least one instrument");
        return NULL;
    }
    flood_t *self = (flood_t *) calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->host = host;
    self->ticks = s_param (host->venue, "ticks", 1000000);
    self->batch = s_param (host->venue, "batch", 2000);
    self->invalid = s_param (host->venue, "invalid", 0) != 0;
    if (self->batch == 0)
        self->batch = 1;
    self->timer = -1;
    return self;
}

static int
s_start (void *arg)
{
    (void) arg;
    return 0;
}

static int
s_order (void *arg, const hb_order_t *order)
{
    flood_t *self = (flood_t *) arg;
    if (self->timer >= 0 || self->done > 0)
        return -1;                      //  one flood per life; the host rejects
    self->trigger = *order;
    s_ack (self, HB_ACK_ACCEPTED);
    if (self->invalid) {
        hb_msg_t *msg = &self->msg;
        memset (msg, 0, sizeof *msg);
        msg->env.type = HB_MSG_TICK;
        snprintf (msg->u.tick.symbol, sizeof msg->u.tick.symbol, "NOPE-USD");
        self->host->publish (self->host->ctx, msg);
        snprintf (msg->u.tick.venue, sizeof msg->u.tick.venue, "elsewhere");
        snprintf (msg->u.tick.symbol, sizeof msg->u.tick.symbol, "%s", order->symbol);
        self->host->publish (self->host->ctx, msg);
        memset (msg, 0, sizeof *msg);
        msg->env.type = HB_MSG_ORDER;
        msg->u.order = *order;
        self->host->publish (self->host->ctx, msg);
    }
    //  A five-level book, the size most consumers of a venue would see;
    //  s_on_timer changes only the symbol and the prices.
    hb_tick_t *tick = &self->msg.u.tick;
    memset (tick, 0, sizeof *tick);
    snprintf (tick->venue, sizeof tick->venue, "%s", self->host->venue->name);
    tick->n_bids = tick->n_asks = 5;
    for (int l = 0; l < 5; l++)
        tick->bids [l].qty = tick->asks [l].qty = 1.0 + l;
    self->timer = self->host->timer_add (self->host->ctx, 1, 0, s_on_timer, self);
    return self->timer >= 0 ? 0 : -1;
}

static int
s_cancel (void *arg, const hb_cancel_t *cancel)
{
    (void) arg;
    (void) cancel;
    return 0;
}

static void
s_destroy (void **self_p)
{
    flood_t *self = (flood_t *) *self_p;
    if (!self)
        return;
    if (self->timer >= 0)
        self->host->timer_cancel (self->host->ctx, self->timer);
    free (self);
    *self_p = NULL;
}

const hb_venue_ops_t hb_venue_plugin = {
    .abi_version = HB_PLUGIN_ABI_VERSION,
    .size        = sizeof (hb_venue_ops_t),
    .name        = "flood",
    .description = "publishes params.ticks ticks flat out after the first order (bench)",
    .create      = s_create,
    .start       = s_start,
    .order       = s_order,
    .cancel      = s_cancel,
    .destroy     = s_destroy
};
