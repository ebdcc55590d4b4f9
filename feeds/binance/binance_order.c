/*  binance_order: orders and cancels over Binance's signed REST API.

    A signed request carries its parameters in the query string, ending
    with recvWindow, timestamp (ms) and signature = hex (HMAC-SHA256
    (secret, the query string before &signature)); the API key goes in the
    X-MBX-APIKEY header. Spot: POST/DELETE /api/v3/order with
    newOrderRespType=FULL (the answer lists the fills). USDⓈ-M: POST/DELETE
    /fapi/v1/order with newOrderRespType=RESULT (executed quantity and
    average price: one aggregate fill, unless the user data stream is up
    to tell the trades). Acks and fills go through the order's record
    (binance_live.c), which the user stream shares: nothing twice.

    Every order gets a final ack. Binance's answer is mapped to acks and
    fills; an error code to a reject reason; an answer we never got (a
    timeout, a 5xx) leaves the outcome unknown, so the order is looked up
    (GET order by origClientOrderId) before anything is published: "does
    not exist" is a reject, anything else its status.

    Checks made here before spending a request (and the venue's limits):
    instrument, type, size against min and lot, price against tick, the
    order and weight buckets.                                            */
#include "binance.h"
#include "hb_log.h"
#include "hb_sign.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define s_log(self, level, ...) (self)->host->log ((self)->host->ctx, level, __VA_ARGS__)

#define S_QUERY_MAX     1024
#define S_QUERY_TRIES   5

typedef enum { S_NEW = 1, S_CANCEL = 2, S_QUERY = 3 } s_kind_t;

struct binance_order_s {
    binance_t      *owner;
    bool            used;
    s_kind_t        kind;
    int             tries;
    int             timer;
    binance_inst_t *bi;
    hb_order_t      order;          //  for S_NEW / S_QUERY
    hb_cancel_t     cancel;         //  for S_CANCEL
};

int
binance_orders_init (binance_t *self)
{
    self->orders = (binance_order_t *) calloc (BINANCE_MAX_ORDERS, sizeof (binance_order_t));
    if (!self->orders)
        return -1;
    for (int i = 0; i < BINANCE_MAX_ORDERS; i++) {
        self->orders [i].owner = self;
        self->orders [i].timer = -1;
    }
    return 0;
}

void
binance_orders_fini (binance_t *self)
{
    for (int i = 0; self->orders && i < BINANCE_MAX_ORDERS; i++)
        if (self->orders [i].timer >= 0)
            self->host->timer_cancel (self->host->ctx, self->orders [i].timer);
    free (self->orders);
    self->orders = NULL;
}

//  ---------------------------------------------------------------------------
//  Publishing

static int
s_reject (binance_t *self, const hb_order_t *order, int reason, const char *text)
{
    binance_ack (self, order->symbol, order->client_id, "", HB_ACK_REJECTED, reason, text, 0, 0);
    return 0;
}

//  ---------------------------------------------------------------------------
//  Signed requests

//  Appends recvWindow, timestamp and the signature to query (size bytes)
//  and writes the full URL. -1 when it does not fit.
static int
s_signed_url (binance_t *self, const char *path, char *query, size_t size, char *url, size_t url_size)
{
    size_t n = strlen (query);
    int64_t now_ms = self->host->now_ns (self->host->ctx) / 1000000;
    int k = snprintf (query + n, size - n, "%srecvWindow=%lld&timestamp=%lld", n ? "&" : "",
                      (long long) self->recv_window, (long long) now_ms);
    if (k < 0 || (size_t) k >= size - n)
        return -1;
    char sig [HB_SIGN_HEX_SIZE];
    if (hb_sign_hmac_hex (hb_secret_value (self->api_secret), hb_secret_len (self->api_secret),
                          query, strlen (query), sig, sizeof sig))
        return -1;
    k = snprintf (url, url_size, "%s%s?%s&signature=%s", self->rest_url, path, query, sig);
    return k < 0 || (size_t) k >= url_size ? -1 : 0;
}

static void s_on_answer (void *arg, const hb_rest_resp_t *resp);

static int
s_send (binance_t *self, binance_order_t *slot, const char *method, const char *path, char *query)
{
    char url [S_QUERY_MAX + HB_PATH_MAX + 128];
    char key_header [HB_SECRET_MAX + 16];
    if (s_signed_url (self, path, query, S_QUERY_MAX, url, sizeof url))
        return -1;
    snprintf (key_header, sizeof key_header, "X-MBX-APIKEY: %s", hb_secret_value (self->api_key));
    const char *headers [] = { key_header, "Content-Type: application/x-www-form-urlencoded", NULL };
    return hb_rest_request (self->rest, method, url, headers, NULL, s_on_answer, slot);
}

static const char *
s_path (binance_t *self)
{
    return self->market == BINANCE_SPOT ? "/api/v3/order" : "/fapi/v1/order";
}

//  GET order by client id: what became of an order whose answer was lost.
static int
s_query (binance_t *self, binance_order_t *slot)
{
    char query [S_QUERY_MAX];
    snprintf (query, sizeof query, "symbol=%s&origClientOrderId=%s", slot->bi->vsym, slot->order.client_id);
    slot->kind = S_QUERY;
    return s_send (self, slot, "GET", s_path (self), query);
}

static int
s_on_query_timer (void *arg)
{
    binance_order_t *slot = (binance_order_t *) arg;
    binance_t *self = slot->owner;
    slot->timer = -1;
    if (!self->rest || s_query (self, slot)) {
        s_reject (self, &slot->order, HB_REJ_VENUE, "binance: order outcome unknown (query failed): check the venue");
        slot->used = false;
    }
    return 0;
}

//  ---------------------------------------------------------------------------
//  Answers

static int
s_reason (int64_t code, const char *msg)
{
    switch (code) {
        case -1121: return HB_REJ_UNKNOWN_INSTRUMENT;
        case -2011:
        case -2013: return HB_REJ_UNKNOWN_ORDER;
        case -2019: return HB_REJ_INSUFFICIENT_COLLATERAL;
        case -1003:
        case -1015: return HB_REJ_RATE_LIMIT;
        case -4164: return HB_REJ_BELOW_MIN_SIZE;
        case -1111: return HB_REJ_OFF_LOT;
        case -4014: return HB_REJ_BAD_PRICE;
        case -1013:
            return strstr (msg, "LOT_SIZE") ? HB_REJ_OFF_LOT
                 : strstr (msg, "NOTIONAL") ? HB_REJ_BELOW_MIN_SIZE
                 : strstr (msg, "PRICE_FILTER") ? HB_REJ_BAD_PRICE : HB_REJ_BAD_ORDER;
        case -2010:
            return strstr (msg, "insufficient balance") ? HB_REJ_INSUFFICIENT_COLLATERAL
                 : strstr (msg, "Duplicate") ? HB_REJ_DUPLICATE_ID : HB_REJ_VENUE;
        default:
            return HB_REJ_VENUE;
    }
}

//  Acks and fills for a successful order answer (or query answer), through
//  the order's record: the user stream may have told part of it already.
static void
s_on_order_result (binance_t *self, binance_order_t *slot, const json_t *root)
{
    const char *status;
    int64_t order_id;
    double executed;
    if (hb_json_str (root, "status", &status, self->err, sizeof self->err)
    ||  hb_json_int (root, "orderId", &order_id, self->err, sizeof self->err)
    ||  hb_json_num (root, "executedQty", &executed, self->err, sizeof self->err)) {
        char text [HB_TEXT_MAX];
        snprintf (text, sizeof text, "binance: unreadable answer: %.60s", self->err);
        s_reject (self, &slot->order, HB_REJ_VENUE, text);
        return;
    }
    binance_inst_t *bi = slot->bi;
    binance_live_t *live = binance_live_get (self, bi, slot->order.client_id, slot->order.side,
                                             slot->order.qty, true);
    live->ours = true;
    live->order_id = order_id;
    if (strcmp (status, "REJECTED") == 0) {
        binance_live_ack (self, live, HB_ACK_REJECTED, HB_REJ_VENUE, "binance: REJECTED", 0);
        return;
    }
    binance_live_ack (self, live, HB_ACK_ACCEPTED, HB_REJ_NONE, "", 0);

    json_t *fills = json_object_get (root, "fills");
    size_t n_fills = 0;
    if (json_is_array (fills) && slot->kind == S_NEW) {
        size_t i;
        json_t *f;
        json_array_foreach (fills, i, f) {
            double px, fq, commission = 0;
            int64_t trade_id;
            const char *cas = NULL, *fee_asset;
            if (hb_json_num (f, "price", &px, self->err, sizeof self->err)
            ||  hb_json_num (f, "qty", &fq, self->err, sizeof self->err)
            ||  hb_json_int (f, "tradeId", &trade_id, self->err, sizeof self->err)
            ||  !(px > 0 && fq > 0)) {
                s_log (self, HB_LOG_ERROR, "order %s: unreadable fill %zu: %s", slot->order.client_id, i, self->err);
                continue;
            }
            n_fills++;
            if (binance_trade_seen (self, bi, trade_id)) {
                self->stats.duplicate_fills++;      //  the user stream was first
                continue;
            }
            if (hb_json_num (f, "commission", &commission, NULL, 0))
                commission = 0;
            hb_json_str (f, "commissionAsset", &cas, NULL, 0);
            double fee = binance_fee (self, bi, commission, cas, px, &fee_asset);
            char fid [128];
            snprintf (fid, sizeof fid, "%s-t%lld", bi->vsym, (long long) trade_id);
            //  an order that crosses at once takes liquidity
            binance_live_fill (self, live, fid, px, fq, fee, fee_asset, 2, 0);
        }
    }
    //  No per-trade list (usdm RESULT, or a lookup): what no fill has told
    //  yet, as one fill at the average price, its fee from the configured
    //  taker rate. A new usdm order with the user stream up leaves it to
    //  the stream, which has the trades, their fees and the maker flag.
    double rest = executed - live->filled;
    bool stream = self->user_ws && hb_ws_connected (self->user_ws) && slot->kind == S_NEW;
    if (n_fills == 0 && rest > 1e-9 * (executed > 1 ? executed : 1) && !stream) {
        double avg = 0, quote = 0;
        if (hb_json_num (root, "avgPrice", &avg, NULL, 0) || !(avg > 0)) {
            if (hb_json_num (root, "cummulativeQuoteQty", &quote, NULL, 0) == 0 && quote > 0)
                avg = quote / executed;
        }
        if (avg > 0) {
            char fid [128];
            snprintf (fid, sizeof fid, "%s-o%lld-%lld", bi->vsym, (long long) order_id,
                      (long long) llround (executed * 1e8));
            binance_live_fill (self, live, fid, avg, rest,
                               self->venue->fee_taker * avg * rest * self->px_scale, "USD", 2, 0);
        }
        else
            s_log (self, HB_LOG_ERROR, "order %s: executed %g without a price", slot->order.client_id, executed);
    }
    //  with the stream to tell the fills, the acks that count them wait for it
    bool wait = stream && n_fills == 0 && executed > live->filled + 1e-9 * (executed > 1 ? executed : 1);
    if (strcmp (status, "FILLED") == 0) {
        if (!wait)
            binance_live_ack (self, live, HB_ACK_DONE, HB_REJ_NONE, "", executed);
    }
    else
    if (strcmp (status, "CANCELED") == 0 || strncmp (status, "EXPIRED", 7) == 0) {
        if (!wait)
            binance_live_ack (self, live, HB_ACK_CANCELED, HB_REJ_NONE, status, executed);
    }
    else
    if (executed > 0)               //  NEW / PARTIALLY_FILLED: still working
        binance_live_ack (self, live, HB_ACK_ACCEPTED, HB_REJ_NONE, status,
                          wait ? live->filled : executed);
}

static void
s_on_answer (void *arg, const hb_rest_resp_t *resp)
{
    binance_order_t *slot = (binance_order_t *) arg;
    binance_t *self = slot->owner;
    int64_t now = self->host->now_ns (self->host->ctx);
    if (resp->status == 429 || resp->status == 418) {
        int64_t wait_s = resp->retry_after_s > 0 ? resp->retry_after_s : 60;
        hb_ratelimit_pause (&self->order_rate, now + wait_s * 1000000000LL);
        hb_ratelimit_pause (&self->weight, now + wait_s * 1000000000LL);
    }
    bool unknown_outcome = resp->status == 0 || resp->status >= 500;
    json_t *root = resp->status ? hb_json_parse (self->json_rest, resp->body, resp->len, NULL, 0) : NULL;
    if (slot->kind == S_CANCEL) {
        const hb_cancel_t *c = &slot->cancel;
        int64_t order_id = 0, code = 0;
        double executed = 0;
        const char *msg = "";
        char text [HB_TEXT_MAX];
        if (resp->status == 200 && root && hb_json_int (root, "orderId", &order_id, NULL, 0) == 0) {
            hb_json_num (root, "executedQty", &executed, NULL, 0);
            //  the user stream reports the same cancel: one ack
            binance_live_t *live = binance_live_get (self, slot->bi, c->client_id, 0, 0, true);
            live->ours = true;              //  it answers our cancel
            live->order_id = order_id;
            binance_live_ack (self, live, HB_ACK_CANCELED, HB_REJ_NONE, "canceled", executed);
        }
        else {
            if (root) {
                hb_json_int (root, "code", &code, NULL, 0);
                hb_json_str (root, "msg", &msg, NULL, 0);
            }
            snprintf (text, sizeof text, "binance %lld: %s", (long long) code,
                      resp->status ? msg : (resp->error ? resp->error : "no answer"));
            binance_ack (self, c->symbol, c->client_id, "", HB_ACK_REJECTED,
                   resp->status == 429 || resp->status == 418 ? HB_REJ_RATE_LIMIT : s_reason (code, msg),
                   text, 0, 0);
        }
        slot->used = false;
        return;
    }
    if (resp->status == 200 && root) {
        s_on_order_result (self, slot, root);
        slot->used = false;
        return;
    }
    if (unknown_outcome) {
        //  Did the venue take it? Ask, a few times, before saying anything.
        if (++slot->tries <= S_QUERY_TRIES) {
            s_log (self, HB_LOG_WARN, "order %s: %s: looking it up (%d/%d)", slot->order.client_id,
                   resp->status ? "server error" : (resp->error ? resp->error : "no answer"),
                   slot->tries, S_QUERY_TRIES);
            slot->timer = self->host->timer_add (self->host->ctx, 200ull << slot->tries, 1, s_on_query_timer, slot);
            if (slot->timer >= 0)
                return;
        }
        s_reject (self, &slot->order, HB_REJ_VENUE, "binance: order outcome unknown: check the venue");
        slot->used = false;
        return;
    }
    int64_t code = 0;
    const char *msg = "";
    if (root) {
        hb_json_int (root, "code", &code, NULL, 0);
        hb_json_str (root, "msg", &msg, NULL, 0);
    }
    char text [HB_TEXT_MAX];
    snprintf (text, sizeof text, "binance %lld: %s", (long long) code, msg);
    int reason = resp->status == 429 || resp->status == 418 ? HB_REJ_RATE_LIMIT : s_reason (code, msg);
    if (slot->kind == S_QUERY && reason == HB_REJ_UNKNOWN_ORDER)
        reason = HB_REJ_VENUE;      //  the venue never took the order
    s_reject (self, &slot->order, reason, text);
    slot->used = false;
}

//  ---------------------------------------------------------------------------
//  Requests

static binance_order_t *
s_slot (binance_t *self)
{
    for (int i = 0; i < BINANCE_MAX_ORDERS; i++)
        if (!self->orders [i].used) {
            binance_order_t *slot = &self->orders [i];
            slot->used = true;
            slot->tries = 0;
            slot->timer = -1;
            return slot;
        }
    return NULL;
}

static bool
s_multiple (double value, double step)
{
    double n = value / step;
    return fabs (n - round (n)) <= 1e-9 * (n > 1 ? n : 1);
}

//  Binance's newClientOrderId: ^[.A-Z:/a-z0-9_-]{1,36}$
static bool
s_client_id_ok (const char *id)
{
    size_t len = strlen (id);
    return len >= 1 && len <= 36;  //  hb names are a subset of the alphabet
}

int
binance_order (binance_t *self, const hb_order_t *order)
{
    self->stats.orders++;
    binance_inst_t *bi = NULL;
    for (int i = 0; i < self->n_inst && !bi; i++)
        if (strcmp (self->inst [i].inst->symbol, order->symbol) == 0)
            bi = &self->inst [i];
    if (!bi)
        return s_reject (self, order, HB_REJ_UNKNOWN_INSTRUMENT, "no such instrument on this venue");
    const hb_instrument_cfg_t *inst = bi->inst;
    if ((order->side != HB_SIDE_BUY && order->side != HB_SIDE_SELL)
    ||  (order->ord_type != HB_ORD_MARKET && order->ord_type != HB_ORD_LIMIT)
    ||  (order->tif != HB_TIF_IOC && order->tif != HB_TIF_GTC)
    ||  !(order->qty > 0) || !s_client_id_ok (order->client_id))
        return s_reject (self, order, HB_REJ_BAD_ORDER, "bad side, type, tif, qty or client id (max 36)");
    if (order->qty < inst->min_qty)
        return s_reject (self, order, HB_REJ_BELOW_MIN_SIZE, "below the minimum size");
    if (!s_multiple (order->qty, inst->lot_size))
        return s_reject (self, order, HB_REJ_OFF_LOT, "not a multiple of the lot size");
    if (order->ord_type == HB_ORD_LIMIT && !(order->px > 0 && s_multiple (order->px, inst->tick_size)))
        return s_reject (self, order, HB_REJ_BAD_PRICE, "limit price not a positive multiple of the tick");
    if (!self->api_key || !self->api_secret || !self->rest)
        return s_reject (self, order, HB_REJ_VENUE, "no API key configured for this venue");
    int64_t now = self->host->now_ns (self->host->ctx);
    if (!hb_ratelimit_take (&self->order_rate, 1, now) || !hb_ratelimit_take (&self->weight, 1, now))
        return s_reject (self, order, HB_REJ_RATE_LIMIT, "binance order rate limit (local bucket)");
    binance_order_t *slot = s_slot (self);
    if (!slot)
        return s_reject (self, order, HB_REJ_RATE_LIMIT, "too many orders in flight");
    slot->kind = S_NEW;
    slot->bi = bi;
    slot->order = *order;
    //  known as ours before the user stream can report on it
    binance_live_get (self, bi, order->client_id, order->side, order->qty, true)->ours = true;

    //  Venue units: the quote currency per base unit, base units (a
    //  contract is multiplier base units)
    char query [S_QUERY_MAX];
    int n = snprintf (query, sizeof query, "symbol=%s&side=%s&type=%s&quantity=%.*f",
                      bi->vsym, order->side == HB_SIDE_BUY ? "BUY" : "SELL",
                      order->ord_type == HB_ORD_LIMIT ? "LIMIT" : "MARKET",
                      bi->qty_dp, order->qty * inst->multiplier);
    if (order->ord_type == HB_ORD_LIMIT)
        n += snprintf (query + n, sizeof query - (size_t) n, "&price=%.*f&timeInForce=%s",
                       bi->price_dp, order->px / self->px_scale, order->tif == HB_TIF_IOC ? "IOC" : "GTC");
    snprintf (query + n, sizeof query - (size_t) n, "&newClientOrderId=%s&newOrderRespType=%s",
              order->client_id, self->market == BINANCE_SPOT ? "FULL" : "RESULT");
    if (s_send (self, slot, "POST", s_path (self), query)) {
        slot->used = false;
        return s_reject (self, order, HB_REJ_VENUE, "could not send the request");
    }
    return 0;
}

int
binance_cancel (binance_t *self, const hb_cancel_t *cancel)
{
    self->stats.cancels++;
    binance_inst_t *bi = NULL;
    for (int i = 0; i < self->n_inst && !bi; i++)
        if (strcmp (self->inst [i].inst->symbol, cancel->symbol) == 0)
            bi = &self->inst [i];
    int reason = HB_REJ_NONE;
    const char *text = "";
    binance_order_t *slot = NULL;
    int64_t now = self->host->now_ns (self->host->ctx);
    if (!bi)
        reason = HB_REJ_UNKNOWN_INSTRUMENT, text = "no such instrument on this venue";
    else
    if (!self->api_key || !self->api_secret || !self->rest)
        reason = HB_REJ_VENUE, text = "no API key configured for this venue";
    else
    if (!hb_ratelimit_take (&self->weight, 1, now))
        reason = HB_REJ_RATE_LIMIT, text = "binance request weight (local bucket)";
    else
    if (!(slot = s_slot (self)))
        reason = HB_REJ_RATE_LIMIT, text = "too many requests in flight";
    if (reason == HB_REJ_NONE) {
        slot->kind = S_CANCEL;
        slot->bi = bi;
        slot->cancel = *cancel;
        char query [S_QUERY_MAX];
        snprintf (query, sizeof query, "symbol=%s&origClientOrderId=%s", bi->vsym, cancel->client_id);
        if (s_send (self, slot, "DELETE", s_path (self), query) == 0)
            return 0;
        slot->used = false;
        reason = HB_REJ_VENUE, text = "could not send the request";
    }
    binance_ack (self, cancel->symbol, cancel->client_id, "", HB_ACK_REJECTED, reason, text, 0, 0);
    return 0;
}

int
binance_order_lookup (binance_t *self, binance_live_t *live)
{
    if (!self->api_key || !self->api_secret || !self->rest)
        return -1;
    int64_t now = self->host->now_ns (self->host->ctx);
    binance_order_t *slot = hb_ratelimit_take (&self->weight, 4, now) ? s_slot (self) : NULL;
    if (!slot)
        return -1;
    slot->bi = live->bi;
    memset (&slot->order, 0, sizeof slot->order);
    snprintf (slot->order.venue, sizeof slot->order.venue, "%s", self->venue->name);
    snprintf (slot->order.symbol, sizeof slot->order.symbol, "%s", live->bi->inst->symbol);
    snprintf (slot->order.client_id, sizeof slot->order.client_id, "%s", live->client_id);
    slot->order.side = live->side;
    slot->order.qty = live->qty;
    if (s_query (self, slot)) {
        slot->used = false;
        return -1;
    }
    return 0;
}
