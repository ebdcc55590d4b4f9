/*  cb_trade: see cb_trade.h.

    Request body (POST /api/v3/brokerage/orders):
        {"client_order_id":"h-1","product_id":"BTC-USD","side":"BUY",
         "order_configuration":{"market_market_ioc":{"base_size":"0.01"}}}
    with sor_limit_ioc {base_size, limit_price} for a limit IOC and
    limit_limit_gtc {base_size, limit_price, post_only} for a limit GTC.
    Answers:
        {"success":true,"success_response":{"order_id":"...","product_id":"BTC-USD",
         "side":"BUY","client_order_id":"h-1"}}
        {"success":false,"failure_reason":"UNKNOWN_FAILURE_REASON","order_id":"",
         "error_response":{"error":"INSUFFICIENT_FUND","message":"Insufficient balance ...",
         "error_details":"","preview_failure_reason":"PREVIEW_INSUFFICIENT_FUND"}}
    User channel (events of {"channel":"user", ...}):
        {"type":"snapshot"|"update","orders":[{"order_id":"...","client_order_id":"h-1",
         "cumulative_quantity":"0.01","leaves_quantity":"0","avg_price":"60000",
         "filled_value":"600","total_fees":"3.6","status":"FILLED","product_id":"BTC-USD",
         "order_side":"BUY","order_type":"Market","number_of_fills":"1"}]}     */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cb_trade.h"
#include "hb_json.h"
#include "hb_sign.h"
#include "hb_vorder.h"
#include "hb_vpub.h"
#include "hb_vslots.h"

typedef struct {
    hb_vslot_t v;               //  key: the client id; scale: venue base units -> bus quantity
    bool       sent;            //  the POST answered success: the venue has it
    bool       rested;          //  the venue reported it OPEN
    double     cum_qty;         //  venue units, as last reported
    double     cum_value;
    double     cum_fees;
    int        n_fills;
} s_slot_t;

#define S_EXT   64                  //  orders not ours followed at once (their cumulatives)
#define S_DONE  256                 //  our finished orders remembered, so a late update of one
                                    //  is never taken for somebody else's

struct cb_trade_s {
    const hb_venue_cfg_t *venue;
    const cb_md_t        *md;
    hb_vpub_t            *pub;          //  acks and fills onto the bus
    int64_t               started_ns;
    hb_vslots_t          *slots;
    s_slot_t              ext [S_EXT];      //  orders placed elsewhere (web UI, app)
    int                   ext_next;
    char                  done [S_DONE][HB_ID_MAX];     //  order ids of our finished orders
    int                   done_next;
    cb_trade_stats_t      stats;
};

cb_trade_t *
cb_trade_new (const hb_venue_cfg_t *venue, const cb_md_t *md, cb_emit_fn *emit, void *arg,
              int64_t started_ns)
{
    cb_trade_t *self = (cb_trade_t *) calloc (1, sizeof *self);
    if (!self || !(self->slots = hb_vslots_new (CB_TRADE_MAX_ORDERS, sizeof (s_slot_t)))
    ||  !(self->pub = hb_vpub_new (venue->name, emit, NULL, arg))) {
        cb_trade_destroy (&self);
        return NULL;
    }
    self->venue = venue;
    self->md = md;
    self->started_ns = started_ns;
    return self;
}

void
cb_trade_destroy (cb_trade_t **self_p)
{
    if (self_p && *self_p) {
        hb_vslots_destroy (&(*self_p)->slots);
        hb_vpub_destroy (&(*self_p)->pub);
        free (*self_p);
        *self_p = NULL;
    }
}

static int
s_reject_now (cb_trade_t *self, const hb_order_t *order, int reason, const char *text)
{
    self->stats.rejected_local++;
    hb_vpub_ack (self->pub, order, "", HB_ACK_REJECTED, reason, text, 0);
    return -1;
}

int
cb_trade_order (cb_trade_t *self, const hb_order_t *order, char *body, size_t size)
{
    self->stats.orders++;
    const hb_instrument_cfg_t *inst = hb_venue_instrument (self->venue, order->symbol);
    const char *product = cb_md_product_of (self->md, order->symbol);
    const char *why = NULL;
    int reason = hb_vslots_admit (self->slots, product? inst: NULL, order, order->client_id, &why);
    if (reason != HB_REJ_NONE)
        return s_reject_now (self, order, reason, why);
    double mult = inst->multiplier > 0? inst->multiplier: 1;
    char base [48], price [48];
    hb_vorder_decimal (order->qty * mult, inst->lot_size * mult, base, sizeof base);
    hb_vorder_decimal (order->px, inst->tick_size, price, sizeof price);
    json_t *config;
    if (order->ord_type == HB_ORD_MARKET)
        config = json_pack ("{s:{s:s}}", "market_market_ioc", "base_size", base);
    else if (order->tif == HB_TIF_GTC)
        config = json_pack ("{s:{s:s,s:s,s:b}}", "limit_limit_gtc", "base_size", base,
                            "limit_price", price, "post_only", 0);
    else
        config = json_pack ("{s:{s:s,s:s}}", "sor_limit_ioc", "base_size", base,
                            "limit_price", price);
    json_t *root = json_pack ("{s:s,s:s,s:s,s:o}", "client_order_id", order->client_id,
                              "product_id", product, "side",
                              order->side == HB_SIDE_BUY? "BUY": "SELL",
                              "order_configuration", config);
    if (hb_json_dump (root, body, size))
        return s_reject_now (self, order, HB_REJ_BAD_ORDER, "order does not encode");
    void *slot;
    return hb_vslots_take (self->slots, order, order->client_id, 1.0 / mult, &slot);
}

//  The slot of a handle, NULL when it was freed (and maybe reused) since.
static s_slot_t *
s_slot (cb_trade_t *self, int handle)
{
    return (s_slot_t *) hb_vslots_get (self->slots, handle);
}

void
cb_trade_fail (cb_trade_t *self, int i, int reason, const char *text)
{
    s_slot_t *slot = s_slot (self, i);
    if (!slot)
        return;
    self->stats.rejected++;
    hb_vpub_ack (self->pub, &slot->v.order, "", HB_ACK_REJECTED, reason, text, 0);
    slot->v.used = false;
}

//  The venue's error name to our reason.
static int
s_reason (const char *error)
{
    if (!error)
        return HB_REJ_VENUE;
    if (strstr (error, "FUND"))
        return HB_REJ_INSUFFICIENT_COLLATERAL;
    if (strstr (error, "SIZE_TOO_SMALL"))
        return HB_REJ_BELOW_MIN_SIZE;
    if (strstr (error, "PRECISION"))
        return HB_REJ_OFF_LOT;
    if (strstr (error, "PRICE"))
        return HB_REJ_BAD_PRICE;
    if (strstr (error, "PRODUCT"))
        return HB_REJ_UNKNOWN_INSTRUMENT;
    if (strstr (error, "TOO_MANY") || strstr (error, "RATE"))
        return HB_REJ_RATE_LIMIT;
    if (strstr (error, "DUPLICATE"))
        return HB_REJ_DUPLICATE_ID;
    return HB_REJ_VENUE;
}

void
cb_trade_on_response (cb_trade_t *self, int i, long status, const char *body)
{
    s_slot_t *slot = s_slot (self, i);
    if (!slot)
        return;
    char text [HB_TEXT_MAX];
    if (status == 0) {
        //  We cannot know whether the venue got it; the user channel will
        //  tell if it did (fills are still published), the bus needs an
        //  answer now.
        snprintf (text, sizeof text, "no answer from the venue: %.70s", body? body: "");
        cb_trade_fail (self, i, HB_REJ_VENUE, text);
        return;
    }
    json_t *root = json_loads (body? body: "", 0, NULL);
    json_t *ok = json_object_get (root, "success");
    if (status == 200 && json_is_true (ok)) {
        const char *id = json_string_value (json_object_get (
            json_object_get (root, "success_response"), "order_id"));
        if (!id || !*id)
            id = json_string_value (json_object_get (root, "order_id"));
        snprintf (slot->v.order_id, sizeof slot->v.order_id, "%s", id? id: "");
        slot->sent = true;
        if (!slot->v.accepted) {
            slot->v.accepted = true;
            self->stats.accepted++;
            hb_vpub_ack (self->pub, &slot->v.order, slot->v.order_id, HB_ACK_ACCEPTED, HB_REJ_NONE, "",
                   slot->cum_qty * slot->v.scale);
        }
        json_decref (root);
        return;
    }
    json_t *er = json_object_get (root, "error_response");
    const char *error = json_string_value (json_object_get (er, "error"));
    const char *message = json_string_value (json_object_get (er, "message"));
    if (!error) {
        //  other error shapes: {"error":"...","message":"..."} (HTTP 4xx)
        error = json_string_value (json_object_get (root, "error"));
        message = json_string_value (json_object_get (root, "message"));
    }
    int reason = status == 429? HB_REJ_RATE_LIMIT: s_reason (error);
    snprintf (text, sizeof text, "HTTP %ld %.40s: %.40s", status, error? error: "",
              message? message: "");
    json_decref (root);
    cb_trade_fail (self, i, reason, text);
}

static s_slot_t *
s_find (cb_trade_t *self, const char *client_id, const char *order_id)
{
    return (s_slot_t *) hb_vslots_find (self->slots, client_id, order_id);
}

int
cb_trade_cancel (cb_trade_t *self, const hb_cancel_t *cancel, char *body, size_t size)
{
    s_slot_t *slot = s_find (self, cancel->client_id, NULL);
    if (!slot || !slot->v.order_id [0]) {
        hb_vpub_cancel_unknown (self->pub, cancel, slot? "not acknowledged by the venue yet"
                                                       : "no such order in flight");
        return -1;
    }
    return hb_json_dump (json_pack ("{s:[s]}", "order_ids", slot->v.order_id), body, size);
}

static int
s_num (const json_t *obj, const char *key, double *out)
{
    //  an absent field means "unchanged"/0 for the cumulative ones
    if (!hb_json_has (obj, key)) {
        *out = 0;
        return 0;
    }
    return hb_json_num (obj, key, out, NULL, 0);
}

static void
s_fill (cb_trade_t *self, s_slot_t *slot, double qty, double value, double fees, int64_t ts)
{
    hb_fill_t *fill = hb_vpub_fill (self->pub, &slot->v, ts);
    snprintf (fill->fill_id, sizeof fill->fill_id, "%.36s-%d", slot->v.order_id, ++slot->n_fills % 1000000);
    bool taker = slot->v.order.ord_type == HB_ORD_MARKET || slot->v.order.tif != HB_TIF_GTC
              || !slot->rested;
    fill->liquidity = taker? 2: 1;
    fill->qty = qty * slot->v.scale;
    fill->px = value / qty;
    fill->fee = fees;
    //  Coinbase charges fees in the quote currency: USD (or a USD stablecoin)
    snprintf (fill->fee_asset, sizeof fill->fee_asset, "USD");
    //  an order somebody else placed (web UI, app): real, but not ours
    if (slot >= self->ext && slot < self->ext + S_EXT)
        fill->flags = HB_FILL_EXTERNAL;
    self->stats.fills++;
    hb_vpub_emit (self->pub);
}

static bool
s_done (const cb_trade_t *self, const char *order_id)
{
    for (int i = 0; order_id && *order_id && i < S_DONE; i++)
        if (!strcmp (self->done [i], order_id))
            return true;
    return false;
}

//  The slot following an order not ours (by its order id), made on its
//  first update; NULL for one that is not on an instrument of ours or that
//  we cannot name.
static s_slot_t *
s_ext_slot (cb_trade_t *self, const json_t *o, const char *client_id, const char *order_id)
{
    if (!order_id || !*order_id || strlen (order_id) >= HB_ID_MAX - 8)
        return NULL;
    for (int i = 0; i < S_EXT; i++)
        if (self->ext [i].v.used && !strcmp (self->ext [i].v.order_id, order_id))
            return &self->ext [i];
    const char *product = NULL, *side = NULL;
    hb_json_str (o, "product_id", &product, NULL, 0);
    hb_json_str (o, "order_side", &side, NULL, 0);
    const char *symbol = product ? cb_md_symbol_of (self->md, product) : NULL;
    const hb_instrument_cfg_t *inst = symbol ? hb_venue_instrument (self->venue, symbol) : NULL;
    if (!inst || !side || (strcmp (side, "BUY") && strcmp (side, "SELL")))
        return NULL;
    s_slot_t *slot = &self->ext [self->ext_next];
    self->ext_next = (self->ext_next + 1) % S_EXT;
    memset (slot, 0, sizeof *slot);
    slot->v.used = true;
    slot->v.accepted = true;              //  nobody here waits for its acks
    snprintf (slot->v.order.symbol, sizeof slot->v.order.symbol, "%s", symbol);
    if (client_id && *client_id && strlen (client_id) < HB_ID_MAX)
        snprintf (slot->v.order.client_id, sizeof slot->v.order.client_id, "%s", client_id);
    else
        snprintf (slot->v.order.client_id, sizeof slot->v.order.client_id, "ext-%s", order_id);
    snprintf (slot->v.order_id, sizeof slot->v.order_id, "%s", order_id);
    slot->v.order.side = (uint8_t) (strcmp (side, "BUY") ? HB_SIDE_SELL : HB_SIDE_BUY);
    slot->v.order.ord_type = HB_ORD_MARKET;
    slot->v.scale = 1.0 / (inst->multiplier > 0 ? inst->multiplier : 1);
    return slot;
}

static int
s_on_order_update (cb_trade_t *self, const json_t *o, int64_t ts)
{
    const char *client_id = NULL, *order_id = NULL, *status = NULL;
    double cum = 0, value = 0, fees = 0, avg = 0;
    if (hb_json_str (o, "status", &status, NULL, 0) || s_num (o, "cumulative_quantity", &cum)
    ||  s_num (o, "total_fees", &fees) || s_num (o, "avg_price", &avg)
    ||  s_num (o, "filled_value", &value) || cum < 0 || fees < -1e12 || value < 0) {
        self->stats.bad_updates++;
        return -1;
    }
    hb_json_str (o, "client_order_id", &client_id, NULL, 0);
    hb_json_str (o, "order_id", &order_id, NULL, 0);
    self->stats.updates++;
    s_slot_t *slot = s_find (self, client_id, order_id);
    if (!slot) {
        self->stats.unknown_updates++;
        //  not in flight: a late word on one of ours (nothing new), or an
        //  order placed elsewhere, whose fills are real
        slot = s_done (self, order_id) ? NULL : s_ext_slot (self, o, client_id, order_id);
        if (!slot)
            return 0;
    }
    bool external = slot >= self->ext && slot < self->ext + S_EXT;
    if (order_id && *order_id && !slot->v.order_id [0])
        snprintf (slot->v.order_id, sizeof slot->v.order_id, "%s", order_id);
    if (!hb_json_has (o, "filled_value"))
        value = avg * cum;
    bool final = !strcmp (status, "FILLED") || !strcmp (status, "CANCELLED")
              || !strcmp (status, "EXPIRED") || !strcmp (status, "FAILED");
    if (!slot->v.accepted && strcmp (status, "FAILED")) {
        slot->v.accepted = true;
        self->stats.accepted++;
        hb_vpub_ack (self->pub, &slot->v.order, slot->v.order_id, HB_ACK_ACCEPTED, HB_REJ_NONE, "", 0);
    }
    double step = slot->cum_qty * 1e-9;
    if (cum > slot->cum_qty + step) {
        s_fill (self, slot, cum - slot->cum_qty, value - slot->cum_value, fees - slot->cum_fees, ts);
        slot->cum_qty = cum;
        slot->cum_value = value;
        slot->cum_fees = fees;
    }
    if (!strcmp (status, "OPEN"))
        slot->rested = true;
    if (final && external) {
        slot->v.used = false;
        return 0;
    }
    if (final) {
        double filled = slot->cum_qty * slot->v.scale;
        if (slot->v.order_id [0]) {
            snprintf (self->done [self->done_next], HB_ID_MAX, "%s", slot->v.order_id);
            self->done_next = (self->done_next + 1) % S_DONE;
        }
        if (!strcmp (status, "FILLED"))
            hb_vpub_ack (self->pub, &slot->v.order, slot->v.order_id, HB_ACK_DONE, HB_REJ_NONE, "", filled);
        else if (!strcmp (status, "FAILED") && filled == 0) {
            const char *why = NULL;
            hb_json_str (o, "reject_reason", &why, NULL, 0);
            self->stats.rejected++;
            hb_vpub_ack (self->pub, &slot->v.order, slot->v.order_id, HB_ACK_REJECTED, HB_REJ_VENUE,
                   why? why: "FAILED", 0);
        }
        else
            hb_vpub_ack (self->pub, &slot->v.order, slot->v.order_id, HB_ACK_CANCELED, HB_REJ_NONE, status, filled);
        slot->v.used = false;
    }
    return 0;
}

int
cb_trade_on_user (cb_trade_t *self, const json_t *events, int64_t ts)
{
    int rc = 0;
    size_t i, j;
    json_t *event, *o;
    json_array_foreach (events, i, event) {
        json_t *orders = json_object_get (event, "orders");
        if (!json_is_array (orders)) {
            self->stats.bad_updates++;
            rc = -1;
            continue;
        }
        json_array_foreach (orders, j, o)
            if (s_on_order_update (self, o, ts))
                rc = -1;
    }
    return rc;
}

int
cb_trade_inflight (const cb_trade_t *self)
{
    return hb_vslots_inflight (self->slots);
}

const cb_trade_stats_t *
cb_trade_stats (const cb_trade_t *self)
{
    return &self->stats;
}

int
cb_trade_sign (const char *secret, size_t secret_len, const char *prehash, char *out, size_t size)
{
    return hb_sign_hmac_hex (secret, secret_len, prehash, strlen (prehash), out, size);
}
