/*  okx_trade: see okx_trade.h.

    Order body:  {"instId":"BTC-USDT","tdMode":"cash","clOrdId":"hb0123..",
                  "side":"buy","ordType":"market","sz":"0.01","tgtCcy":"base_ccy"}
                 ordType "ioc" (limit IOC) or "limit" (GTC) with "px".
    Answer:      {"code":"0","msg":"","data":[{"clOrdId":"..","ordId":"312269865356374016",
                  "tag":"","sCode":"0","sMsg":"Order placed"}]}
                 {"code":"1","msg":"Operation failed.","data":[{"clOrdId":"..","ordId":"",
                  "sCode":"51008","sMsg":"Order failed. Insufficient USDT balance"}]}
    Private:     {"event":"login","code":"0","msg":"","connId":".."}
                 {"arg":{"channel":"orders","instType":"ANY","uid":".."},"data":[{
                  "instId":"BTC-USDT","ordId":"..","clOrdId":"..","side":"buy","state":"filled",
                  "fillSz":"0.01","fillPx":"60050","tradeId":"242589207","fillFee":"-0.6",
                  "fillFeeCcy":"USDT","execType":"T","accFillSz":"0.01","fillTime":"1597026383085"}]} */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hb_json.h"
#include "hb_sign.h"
#include "hb_vorder.h"
#include "hb_vpub.h"
#include "hb_vslots.h"
#include "okx_trade.h"

typedef struct {
    hb_vslot_t v;               //  key: the clOrdId; order_id: the ordId
    double     filled;          //  bus units
} s_slot_t;

struct okx_trade_s {
    const hb_venue_cfg_t *venue;
    const okx_md_t       *md;
    hb_vpub_t            *pub;          //  acks and fills onto the bus
    char                  td_mode [16];
    hb_json_t            *json;
    char                  error [HB_JSON_ERR_MAX + 64];
    hb_vslots_t          *slots;
    okx_trade_stats_t     stats;
};

okx_trade_t *
okx_trade_new (const hb_venue_cfg_t *venue, const okx_md_t *md, okx_emit_fn *emit, void *arg,
               const char *td_mode)
{
    okx_trade_t *self = (okx_trade_t *) calloc (1, sizeof *self);
    if (!self || !(self->json = hb_json_new (0, 0))
    ||  !(self->slots = hb_vslots_new (OKX_TRADE_MAX_ORDERS, sizeof (s_slot_t)))
    ||  !(self->pub = hb_vpub_new (venue->name, emit, NULL, arg))) {
        okx_trade_destroy (&self);
        return NULL;
    }
    self->venue = venue;
    self->md = md;
    snprintf (self->td_mode, sizeof self->td_mode, "%s", td_mode? td_mode: "cross");
    return self;
}

void
okx_trade_destroy (okx_trade_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    hb_json_destroy (&(*self_p)->json);
    hb_vslots_destroy (&(*self_p)->slots);
    hb_vpub_destroy (&(*self_p)->pub);
    free (*self_p);
    *self_p = NULL;
}

void
okx_trade_cl_ord_id (const char *client_id, char out [33])
{
    uint64_t h = 1469598103934665603ULL;
    for (const char *p = client_id; *p; p++)
        h = (h ^ (uint8_t) *p) * 1099511628211ULL;
    snprintf (out, 33, "hb%016llx", (unsigned long long) h);
}

static int
s_reject_now (okx_trade_t *self, const hb_order_t *order, int reason, const char *text)
{
    self->stats.rejected_local++;
    hb_vpub_ack (self->pub, order, "", HB_ACK_REJECTED, reason, text, 0);
    return -1;
}

int
okx_trade_order (okx_trade_t *self, const hb_order_t *order, char *body, size_t size)
{
    self->stats.orders++;
    const hb_instrument_cfg_t *inst = hb_venue_instrument (self->venue, order->symbol);
    const char *inst_id = okx_md_inst_id_of (self->md, order->symbol);
    char cl [33];
    okx_trade_cl_ord_id (order->client_id, cl);
    const char *why = NULL;
    int reason = hb_vslots_admit (self->slots, inst_id? inst: NULL, order, cl, &why);
    if (reason != HB_REJ_NONE)
        return s_reject_now (self, order, reason, why);
    double scale = okx_md_qty_scale (self->md, order->symbol);
    char sz [48], px [48];
    hb_vorder_decimal (order->qty / scale, inst->lot_size / scale, sz, sizeof sz);
    hb_vorder_decimal (order->px, inst->tick_size, px, sizeof px);
    bool spot = inst->kind == HB_KIND_SPOT;
    const char *type = order->ord_type == HB_ORD_MARKET? "market"
                     : order->tif == HB_TIF_GTC? "limit": "ioc";
    json_t *root = json_pack ("{s:s,s:s,s:s,s:s,s:s,s:s}", "instId", inst_id,
                              "tdMode", spot? "cash": self->td_mode, "clOrdId", cl,
                              "side", order->side == HB_SIDE_BUY? "buy": "sell",
                              "ordType", type, "sz", sz);
    if (root && order->ord_type == HB_ORD_LIMIT)
        json_object_set_new (root, "px", json_string (px));
    //  a spot market order is sized in quote currency unless told otherwise
    if (root && spot && order->ord_type == HB_ORD_MARKET)
        json_object_set_new (root, "tgtCcy", json_string ("base_ccy"));
    if (hb_json_dump (root, body, size))
        return s_reject_now (self, order, HB_REJ_BAD_ORDER, "order does not encode");
    void *slot;
    return hb_vslots_take (self->slots, order, cl, scale, &slot);
}

static s_slot_t *
s_slot (okx_trade_t *self, int handle)
{
    return (s_slot_t *) hb_vslots_get (self->slots, handle);
}

void
okx_trade_fail (okx_trade_t *self, int handle, int reason, const char *text)
{
    s_slot_t *slot = s_slot (self, handle);
    if (!slot)
        return;
    self->stats.rejected++;
    hb_vpub_ack (self->pub, &slot->v.order, slot->v.order_id, HB_ACK_REJECTED, reason, text, 0);
    slot->v.used = false;
}

//  OKX sCode (docs: "Error Code", trade 51xxx, general 50xxx) to our reason.
static int
s_reason (long code)
{
    switch (code) {
        case 51000: case 51001: case 51014: return HB_REJ_UNKNOWN_INSTRUMENT;
        case 51004: case 51008: case 51127: case 51131: return HB_REJ_INSUFFICIENT_COLLATERAL;
        case 51016: return HB_REJ_DUPLICATE_ID;
        case 51020: return HB_REJ_BELOW_MIN_SIZE;
        case 51121: return HB_REJ_OFF_LOT;
        case 51006: case 51137: case 51138: return HB_REJ_BAD_PRICE;
        case 50011: case 50061: return HB_REJ_RATE_LIMIT;
        case 50001: case 51155: return HB_REJ_OUTAGE;
        default: return HB_REJ_VENUE;
    }
}

void
okx_trade_on_response (okx_trade_t *self, int handle, long status, const char *body)
{
    s_slot_t *slot = s_slot (self, handle);
    if (!slot)
        return;
    char text [HB_TEXT_MAX];
    if (status == 0) {
        snprintf (text, sizeof text, "no answer from the venue: %.70s", body? body: "");
        okx_trade_fail (self, handle, HB_REJ_VENUE, text);
        return;
    }
    json_t *root = hb_json_parse (self->json, body? body: "", body? strlen (body): 0, NULL, 0);
    const json_t *d = json_array_get (json_object_get (root, "data"), 0);
    const char *code = json_string_value (json_object_get (root, "code"));
    const char *s_code = json_string_value (json_object_get (d, "sCode"));
    const char *ord_id = json_string_value (json_object_get (d, "ordId"));
    if (status == 200 && code && !strcmp (code, "0") && s_code && !strcmp (s_code, "0")) {
        snprintf (slot->v.order_id, sizeof slot->v.order_id, "%s", ord_id? ord_id: "");
        if (!slot->v.accepted) {
            slot->v.accepted = true;
            self->stats.accepted++;
            hb_vpub_ack (self->pub, &slot->v.order, slot->v.order_id, HB_ACK_ACCEPTED, HB_REJ_NONE, "", slot->filled);
        }
        return;
    }
    const char *s_msg = json_string_value (json_object_get (d, "sMsg"));
    const char *msg = json_string_value (json_object_get (root, "msg"));
    const char *use = s_code && strcmp (s_code, "0")? s_code: code;
    long n = use? atol (use): 0;
    int reason = status == 429? HB_REJ_RATE_LIMIT: s_reason (n);
    snprintf (text, sizeof text, "HTTP %ld code %.8s: %.60s", status, use? use: "?",
              s_msg && *s_msg? s_msg: msg? msg: "");
    okx_trade_fail (self, handle, reason, text);
}

static s_slot_t *
s_find (okx_trade_t *self, const char *cl_ord_id, const char *ord_id)
{
    return (s_slot_t *) hb_vslots_find (self->slots, cl_ord_id, ord_id);
}

int
okx_trade_cancel (okx_trade_t *self, const hb_cancel_t *cancel, char *body, size_t size)
{
    char cl [33];
    okx_trade_cl_ord_id (cancel->client_id, cl);
    s_slot_t *slot = s_find (self, cl, NULL);
    const char *inst_id = okx_md_inst_id_of (self->md, cancel->symbol);
    if (!slot || !inst_id) {
        hb_vpub_cancel_unknown (self->pub, cancel, "no such order in flight");
        return -1;
    }
    int n = snprintf (body, size, "{\"instId\":\"%s\",\"clOrdId\":\"%s\"}", inst_id, cl);
    return n > 0 && (size_t) n < size? 0: -1;
}

static void
s_fill (okx_trade_t *self, s_slot_t *slot, const json_t *d, double sz, double px, uint32_t flags)
{
    int64_t ms = 0;
    if (hb_json_int (d, "fillTime", &ms, NULL, 0) || ms <= 0 || ms >= INT64_MAX / 1000000)
        ms = 0;
    hb_fill_t *fill = hb_vpub_fill (self->pub, &slot->v, ms * 1000000);
    const char *trade_id = json_string_value (json_object_get (d, "tradeId"));
    const char *exec = json_string_value (json_object_get (d, "execType"));
    const char *ccy = json_string_value (json_object_get (d, "fillFeeCcy"));
    double fee = 0;
    hb_json_num (d, "fillFee", &fee, NULL, 0);
    snprintf (fill->fill_id, sizeof fill->fill_id, "%.22s-%.22s", trade_id? trade_id: "", slot->v.order_id);
    fill->liquidity = exec && !strcmp (exec, "M")? 1: 2;
    fill->px = px;
    fill->qty = sz * slot->v.scale;
    //  OKX reports a charged fee as negative, a rebate as positive
    fill->fee = -fee;
    //  stablecoins are USD on the bus; a coin fee (inverse contracts) keeps its name
    bool usd = !ccy || !*ccy || !strcmp (ccy, "USDT") || !strcmp (ccy, "USDC") || !strcmp (ccy, "USD");
    snprintf (fill->fee_asset, sizeof fill->fee_asset, "%s", usd? "USD": ccy);
    fill->flags = flags;
    slot->filled += fill->qty;
    self->stats.fills++;
    hb_vpub_emit (self->pub);
}

//  A clOrdId this plugin makes (okx_trade_cl_ord_id): "hb" and 16 hex digits
static bool
s_cl_ours (const char *cl)
{
    if (!cl || strlen (cl) != 18 || strncmp (cl, "hb", 2) != 0)
        return false;
    return strspn (cl + 2, "0123456789abcdef") == 16;
}

//  A push about an order we did not send (placed on OKX's web UI or app,
//  a liquidation, ADL): a fill of it is real, so it goes out marked
//  external, under its own clOrdId (or "ext-<ordId>" when it has none);
//  nothing else of it is ours to report. 0, or -1 on a fill we cannot read.
static int
s_external_push (okx_trade_t *self, const json_t *d, const char *cl, const char *ord_id)
{
    const char *inst_id = json_string_value (json_object_get (d, "instId"));
    const char *side = json_string_value (json_object_get (d, "side"));
    const char *trade_id = json_string_value (json_object_get (d, "tradeId"));
    const char *symbol = inst_id ? okx_md_symbol_of (self->md, inst_id) : NULL;
    double sz = 0, px = 0;
    if (!symbol || !hb_json_has (d, "fillSz") || json_string_length (json_object_get (d, "fillSz")) == 0
    ||  hb_json_num (d, "fillSz", &sz, NULL, 0) || !(sz > 0))
        return 0;                       //  not an instrument of ours, or no fill in it
    if (hb_json_num (d, "fillPx", &px, NULL, 0) || !(px > 0) || !trade_id || !*trade_id
    ||  !side || (strcmp (side, "buy") && strcmp (side, "sell")) || !ord_id || !*ord_id) {
        self->stats.bad_pushes++;
        snprintf (self->error, sizeof self->error, "orders %.40s (not ours): fill unreadable",
                  ord_id ? ord_id : "?");
        return -1;
    }
    s_slot_t ext;
    memset (&ext, 0, sizeof ext);
    snprintf (ext.v.order.symbol, sizeof ext.v.order.symbol, "%s", symbol);
    if (cl && *cl)
        snprintf (ext.v.order.client_id, sizeof ext.v.order.client_id, "%.40s", cl);
    else
        snprintf (ext.v.order.client_id, sizeof ext.v.order.client_id, "ext-%.40s", ord_id);
    snprintf (ext.v.order_id, sizeof ext.v.order_id, "%.40s", ord_id);
    ext.v.order.side = (uint8_t) (strcmp (side, "buy") ? HB_SIDE_SELL : HB_SIDE_BUY);
    ext.v.scale = okx_md_qty_scale (self->md, symbol);
    s_fill (self, &ext, d, sz, px, HB_FILL_EXTERNAL);
    return 0;
}

static int
s_on_order_push (okx_trade_t *self, const json_t *d)
{
    const char *cl = json_string_value (json_object_get (d, "clOrdId"));
    const char *ord_id = json_string_value (json_object_get (d, "ordId"));
    const char *state = json_string_value (json_object_get (d, "state"));
    if (!state) {
        self->stats.bad_pushes++;
        snprintf (self->error, sizeof self->error, "orders: state missing");
        return -1;
    }
    self->stats.pushes++;
    s_slot_t *slot = s_find (self, cl, ord_id);
    if (!slot) {
        self->stats.unknown_pushes++;
        //  one of ours whose slot is gone (its end was reported): nothing new
        return s_cl_ours (cl) ? 0 : s_external_push (self, d, cl, ord_id);
    }
    if (ord_id && *ord_id && !slot->v.order_id [0])
        snprintf (slot->v.order_id, sizeof slot->v.order_id, "%s", ord_id);
    if (!slot->v.accepted) {
        slot->v.accepted = true;
        self->stats.accepted++;
        hb_vpub_ack (self->pub, &slot->v.order, slot->v.order_id, HB_ACK_ACCEPTED, HB_REJ_NONE, "", 0);
    }
    double sz = 0, px = 0;
    const char *trade_id = json_string_value (json_object_get (d, "tradeId"));
    if (hb_json_has (d, "fillSz") && json_string_length (json_object_get (d, "fillSz")) > 0) {
        if (hb_json_num (d, "fillSz", &sz, NULL, 0) || sz < 0
        ||  (sz > 0 && (hb_json_num (d, "fillPx", &px, NULL, 0) || !(px > 0)
                        || !trade_id || !*trade_id))) {
            self->stats.bad_pushes++;
            snprintf (self->error, sizeof self->error, "orders %s: fillSz / fillPx / tradeId bad",
                      slot->v.order_id);
            return -1;
        }
        if (sz > 0)
            s_fill (self, slot, d, sz, px, 0);
    }
    if (!strcmp (state, "filled")) {
        hb_vpub_ack (self->pub, &slot->v.order, slot->v.order_id, HB_ACK_DONE, HB_REJ_NONE, "", slot->filled);
        slot->v.used = false;
    }
    else if (!strcmp (state, "canceled") || !strcmp (state, "mmp_canceled")) {
        hb_vpub_ack (self->pub, &slot->v.order, slot->v.order_id, HB_ACK_CANCELED, HB_REJ_NONE, state, slot->filled);
        slot->v.used = false;
    }
    return 0;
}

okx_priv_result_t
okx_trade_on_private (okx_trade_t *self, const char *data, size_t size)
{
    self->error [0] = 0;
    if (size == 4 && !memcmp (data, "pong", 4))
        return OKX_PRIV_OK;
    json_t *root = hb_json_parse (self->json, data, size, self->error, sizeof self->error);
    if (!json_is_object (root)) {
        if (root)
            snprintf (self->error, sizeof self->error, "not a JSON object");
        self->stats.bad_pushes++;
        return OKX_PRIV_BAD;
    }
    const char *event = json_string_value (json_object_get (root, "event"));
    if (event) {
        const char *code = json_string_value (json_object_get (root, "code"));
        if (!strcmp (event, "login") && code && !strcmp (code, "0")) {
            self->stats.logins++;
            return OKX_PRIV_LOGGED_IN;
        }
        if (!strcmp (event, "subscribe") || !strcmp (event, "channel-conn-count"))
            return OKX_PRIV_OK;
        if (!strcmp (event, "error") || !strcmp (event, "login"))
            self->stats.login_errors += !strcmp (event, "login") || (code && code [0] == '6');
        snprintf (self->error, sizeof self->error, "event %.20s code %.12s: %.100s", event,
                  code? code: "?", json_string_value (json_object_get (root, "msg"))?: "");
        return OKX_PRIV_BAD;
    }
    const char *channel = json_string_value (json_object_get (json_object_get (root, "arg"), "channel"));
    json_t *arr = json_object_get (root, "data");
    if (!channel || strcmp (channel, "orders") || !json_is_array (arr)) {
        self->stats.bad_pushes++;
        snprintf (self->error, sizeof self->error, "not an orders push (channel '%.40s')",
                  channel? channel: "");
        return OKX_PRIV_BAD;
    }
    okx_priv_result_t result = OKX_PRIV_OK;
    size_t i;
    json_t *d;
    json_array_foreach (arr, i, d)
        if (s_on_order_push (self, d))
            result = OKX_PRIV_BAD;
    return result;
}

const char *
okx_trade_error (const okx_trade_t *self)
{
    return self->error;
}

int
okx_trade_sign (const char *secret, size_t secret_len, const char *prehash, char *out, size_t size)
{
    return hb_sign_hmac_base64 (secret, secret_len, prehash, strlen (prehash), out, size);
}

int
okx_trade_inflight (const okx_trade_t *self)
{
    return hb_vslots_inflight (self->slots);
}

const okx_trade_stats_t *
okx_trade_stats (const okx_trade_t *self)
{
    return &self->stats;
}
