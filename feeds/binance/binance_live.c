/*  binance_live: what was published about each order, and the publishing.

    Both the REST answer to an order (binance_order.c) and the user data
    stream (binance_user.c) report on the same order, in either order, so
    everything goes through one record per client id: a fill is published
    once per trade id (the last BINANCE_SEEN remembered) and, for fills
    published as one aggregate (no per-trade list), never beyond the
    quantity already published; an ack only when it says something new.
    Both files call in here; nothing here calls them.                    */
#include "binance.h"
#include "hb_log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define s_log(self, level, ...) (self)->host->log ((self)->host->ctx, level, __VA_ARGS__)

int
binance_live_init (binance_t *self)
{
    for (size_t i = 0; i < BINANCE_SEEN; i++)
        self->seen [i].inst = -1;
    self->live = (binance_live_t *) calloc (BINANCE_LIVE, sizeof (binance_live_t));
    return self->live ? 0 : -1;
}

void
binance_live_fini (binance_t *self)
{
    free (self->live);
    self->live = NULL;
}

void
binance_ack (binance_t *self, const char *symbol, const char *client_id, const char *order_id,
       int status, int reason, const char *text, double filled, double leaves)
{
    hb_msg_t *msg = &self->msg;
    memset (&msg->env, 0, sizeof msg->env);
    memset (&msg->u.ack, 0, sizeof msg->u.ack);
    msg->env.type = HB_MSG_ACK;
    msg->env.ts_venue = self->host->now_ns (self->host->ctx);
    hb_ack_t *ack = &msg->u.ack;
    snprintf (ack->venue, sizeof ack->venue, "%s", self->venue->name);
    snprintf (ack->symbol, sizeof ack->symbol, "%s", symbol);
    snprintf (ack->client_id, sizeof ack->client_id, "%s", client_id);
    snprintf (ack->order_id, sizeof ack->order_id, "%s", order_id ? order_id : "");
    snprintf (ack->text, sizeof ack->text, "%s", text ? text : "");
    ack->status = (uint8_t) status;
    ack->reason = (uint8_t) reason;
    ack->filled_qty = filled;
    ack->leaves_qty = leaves > 0 ? leaves : 0;
    if (status == HB_ACK_REJECTED)
        self->stats.rejects++;
    self->host->publish (self->host->ctx, msg);
}

binance_live_t *
binance_live_get (binance_t *self, binance_inst_t *bi, const char *client_id, int side, double qty,
                  bool create)
{
    binance_live_t *pick = NULL;
    for (int i = 0; i < BINANCE_LIVE; i++) {
        binance_live_t *live = &self->live [i];
        if (live->used && live->bi == bi && strcmp (live->client_id, client_id) == 0) {
            live->touched = ++self->live_clock;
            return live;
        }
        //  a free record, else the oldest finished one, else the oldest
        if (!pick || (!live->used && pick->used)
        ||  (live->used == pick->used && live->final && !pick->final)
        ||  (live->used == pick->used && live->final == pick->final && live->touched < pick->touched))
            pick = live;
    }
    if (!create)
        return NULL;
    if (pick->used && !pick->final)
        s_log (self, HB_LOG_WARN, "order %s: forgotten while working (more than %d orders tracked)",
               pick->client_id, BINANCE_LIVE);
    memset (pick, 0, sizeof *pick);
    pick->used = true;
    pick->bi = bi;
    pick->side = (uint8_t) side;
    pick->qty = qty;
    pick->touched = ++self->live_clock;
    snprintf (pick->client_id, sizeof pick->client_id, "%s", client_id);
    return pick;
}

void
binance_live_ack (binance_t *self, binance_live_t *live, int status, int reason, const char *text,
                  double filled)
{
    //  an order we did not send has nobody to answer
    if (live->final || !live->ours)
        return;
    if (status == HB_ACK_ACCEPTED && live->status && filled <= live->acked + 1e-12)
        return;
    double eps = 1e-9 * (live->qty > 1 ? live->qty : 1);
    double done = filled * live->bi->qty_scale;
    char oid [HB_ID_MAX] = "";
    if (live->order_id)
        snprintf (oid, sizeof oid, "%lld", (long long) live->order_id);
    binance_ack (self, live->bi->inst->symbol, live->client_id, oid, status, reason, text,
                 status == HB_ACK_REJECTED ? 0 : done,
                 status == HB_ACK_ACCEPTED && live->qty - done > eps ? live->qty - done : 0);
    live->status = (uint8_t) status;
    live->acked = filled;
    live->final = status != HB_ACK_ACCEPTED;
}

bool
binance_trade_seen (binance_t *self, const binance_inst_t *bi, int64_t trade_id)
{
    int inst = (int) (bi - self->inst);
    for (size_t i = 0; i < BINANCE_SEEN; i++)
        if (self->seen [i].inst == inst && self->seen [i].trade_id == trade_id)
            return true;
    self->seen [self->seen_next] = (binance_seen_t) { inst, trade_id };
    self->seen_next = (self->seen_next + 1) % BINANCE_SEEN;
    return false;
}

double
binance_fee (binance_t *self, const binance_inst_t *bi, double commission, const char *asset,
             double px, const char **fee_asset)
{
    const char *base = self->host->config->assets [bi->inst->asset].name;
    size_t n = strlen (base);
    *fee_asset = "USD";
    if (!asset || !*asset || commission == 0 || !hb_name_valid (asset))
        return 0;                   //  none, or nothing the bus could name
    if (strlen (bi->vsym) > n && strcmp (asset, bi->vsym + n) == 0)
        return commission * self->px_scale;
    if (strcmp (asset, base) == 0)
        return commission * px * self->px_scale;
    *fee_asset = asset;
    return commission;
}

void
binance_live_fill (binance_t *self, binance_live_t *live, const char *fill_id, double px, double qty,
                   double fee, const char *fee_asset, int liquidity, int64_t ts_ms)
{
    hb_msg_t *msg = &self->msg;
    memset (&msg->env, 0, sizeof msg->env);
    memset (&msg->u.fill, 0, sizeof msg->u.fill);
    msg->env.type = HB_MSG_FILL;
    msg->env.ts_venue = ts_ms > 0 ? ts_ms * 1000000 : self->host->now_ns (self->host->ctx);
    hb_fill_t *fill = &msg->u.fill;
    snprintf (fill->venue, sizeof fill->venue, "%s", self->venue->name);
    snprintf (fill->symbol, sizeof fill->symbol, "%s", live->bi->inst->symbol);
    snprintf (fill->client_id, sizeof fill->client_id, "%s", live->client_id);
    snprintf (fill->order_id, sizeof fill->order_id, "%lld", (long long) live->order_id);
    snprintf (fill->fill_id, sizeof fill->fill_id, "%s", fill_id);
    snprintf (fill->fee_asset, sizeof fill->fee_asset, "%s", fee_asset);
    fill->side = live->side;
    fill->liquidity = (uint8_t) liquidity;
    fill->px = px * self->px_scale;
    fill->qty = qty * live->bi->qty_scale;
    fill->fee = fee;
    //  a client id we never sent (the web UI's, "autoclose-" of a
    //  liquidation, "adl_autoclose"): a real trade, but no order of ours
    fill->flags = live->ours ? 0 : HB_FILL_EXTERNAL;
    live->filled += qty;
    self->stats.fills++;
    self->host->publish (self->host->ctx, msg);
}
