/*  hl_trade: Hyperliquid orders (hl_trade.h).                            */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <msgpack.h>
#include "hb_json.h"
#include "hb_vorder.h"
#include "hb_vpub.h"
#include "hb_vslots.h"
#include "hl_action.h"
#include "hl_keccak.h"
#include "hl_l1.h"
#include "hl_trade.h"
#include "hl_wire.h"

//  An order in flight: hb_vslots' key is its cloid in hex (lower case),
//  which is how the venue names it; order_id is the oid in decimal.
typedef struct {
    hb_vslot_t       v;             //  first: hb_vslots' part
    const hl_coin_t *coin;
    uint8_t          cloid [HL_CLOID_SIZE];
    uint64_t         oid;           //  0: not known yet
    double           sz;            //  coins ordered
    double           filled;        //  coins filled
    bool             doubt;         //  its /exchange answer was lost
} s_slot_t;

//  An order in doubt, until the venue tells (hl_trade_doubt_due)
typedef struct {
    int     handle;
    int64_t since_ns;               //  first seen by hl_trade_doubt_due (0: not yet)
    int64_t asked_ns;               //  last orderStatus asked (0: never)
} s_doubt_t;

struct hl_trade_s {
    const hb_venue_cfg_t *venue;
    const hl_md_t   *md;
    hl_signer_t     *signer;
    bool             mainnet;
    bool             has_vault;
    uint8_t          vault [HL_ADDRESS_SIZE];
    double           slippage;
    hb_vpub_t       *pub;           //  acks and fills onto the bus
    hb_json_t       *json;
    msgpack_sbuffer  pack;
    hb_vslots_t     *slots;
    s_doubt_t        doubts [HL_TRADE_MAX_ORDERS];
    int              n_doubts;
    hl_trade_stats_t stats;
};

hl_trade_t *
hl_trade_new (const hb_venue_cfg_t *venue, const hl_md_t *md, hl_signer_t *signer,
              bool mainnet, const uint8_t *vault, double slippage, hl_emit_fn *emit, void *arg)
{
    hl_trade_t *self = (hl_trade_t *) calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->venue = venue;
    self->md = md;
    self->signer = signer;
    self->mainnet = mainnet;
    if (vault) {
        self->has_vault = true;
        memcpy (self->vault, vault, HL_ADDRESS_SIZE);
    }
    self->slippage = slippage;
    msgpack_sbuffer_init (&self->pack);
    self->json = hb_json_new (0, 0);
    self->pub = hb_vpub_new (venue->name, emit, NULL, arg);
    self->slots = hb_vslots_new (HL_TRADE_MAX_ORDERS, sizeof (s_slot_t));
    if (!self->json || !self->pub || !self->slots)
        hl_trade_destroy (&self);
    return self;
}

void
hl_trade_destroy (hl_trade_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    hl_trade_t *self = *self_p;
    msgpack_sbuffer_destroy (&self->pack);
    hb_json_destroy (&self->json);
    hb_vpub_destroy (&self->pub);
    hb_vslots_destroy (&self->slots);
    free (self);
    *self_p = NULL;
}

void
hl_trade_cloid (const char *venue, const char *client_id, uint8_t cloid [16])
{
    char text [HB_NAME_MAX + HB_ID_MAX + 16];
    int n = snprintf (text, sizeof text, "hedgebus:%s:%s", venue, client_id);
    uint8_t hash [HL_KECCAK_SIZE];
    hl_keccak256 (text, (size_t) n, hash);
    memcpy (cloid, hash, 16);
}

static void
s_ack (hl_trade_t *self, const hb_order_t *order, uint64_t oid, int status, int reason,
       const char *text, double filled_bus)
{
    char order_id [24] = "";
    if (oid)
        snprintf (order_id, sizeof order_id, "%llu", (unsigned long long) oid);
    hb_vpub_ack (self->pub, order, order_id, status, reason, text, filled_bus);
}

//  The venue's oid, once it told (hb_vslots finds the order by it).
static void
s_set_oid (s_slot_t *slot, uint64_t oid)
{
    slot->oid = oid;
    snprintf (slot->v.order_id, sizeof slot->v.order_id, "%llu", (unsigned long long) oid);
}

//  The accepted ack, once.
static void s_accepted (hl_trade_t *self, s_slot_t *slot);

static double
s_bus (const s_slot_t *slot, double coins)
{
    double mult = slot->coin->inst->multiplier > 0? slot->coin->inst->multiplier: 1;
    return coins / mult;
}

static void
s_final (hl_trade_t *self, s_slot_t *slot, int status, int reason, const char *text)
{
    if (status == HB_ACK_REJECTED)
        self->stats.rejected++;
    s_ack (self, &slot->v.order, slot->oid, status, reason, text, s_bus (slot, slot->filled));
    slot->v.used = false;
}

static void
s_accepted (hl_trade_t *self, s_slot_t *slot)
{
    if (!slot->v.accepted) {
        slot->v.accepted = true;
        s_ack (self, &slot->v.order, slot->oid, HB_ACK_ACCEPTED, HB_REJ_NONE, NULL,
               s_bus (slot, slot->filled));
    }
}

static void
s_refuse (hl_trade_t *self, const hb_order_t *order, int reason, const char *text)
{
    self->stats.refused++;
    s_ack (self, order, 0, HB_ACK_REJECTED, reason, text, 0);
}

//  The venue's error text to a reject reason.
static int
s_reason (const char *text)
{
    static const struct { const char *part; int reason; } map [] = {
        { "nsufficient margin", HB_REJ_INSUFFICIENT_COLLATERAL },
        { "nsufficient", HB_REJ_INSUFFICIENT_COLLATERAL },
        { "minimum value", HB_REJ_BELOW_MIN_SIZE },
        { "tick", HB_REJ_BAD_PRICE },
        { "nvalid price", HB_REJ_BAD_PRICE },
        { "could not immediately match", HB_REJ_NO_LIQUIDITY },
        { "uplicate", HB_REJ_DUPLICATE_ID },
        { "Too many", HB_REJ_RATE_LIMIT },
    };
    for (size_t i = 0; text && i < sizeof map / sizeof map [0]; i++)
        if (strstr (text, map [i].part))
            return map [i].reason;
    return HB_REJ_VENUE;
}

//  The hb_vslots key of client_id: its cloid in hex.
static void
s_key (const hl_trade_t *self, const char *client_id, char key [HL_CLOID_HEX_SIZE])
{
    uint8_t cloid [HL_CLOID_SIZE];
    hl_trade_cloid (self->venue->name, client_id, cloid);
    hl_cloid_hex (cloid, key);
}

static s_slot_t *
s_by_client (hl_trade_t *self, const char *client_id)
{
    char key [HL_CLOID_HEX_SIZE];
    s_key (self, client_id, key);
    return (s_slot_t *) hb_vslots_find (self->slots, key, NULL);
}

//  By the venue's cloid (any case) or, failing that, its oid.
static s_slot_t *
s_by_venue (hl_trade_t *self, const char *cloid, uint64_t oid)
{
    char key [HL_CLOID_HEX_SIZE] = "", order_id [24] = "";
    for (size_t i = 0; cloid && cloid [i] && i + 1 < sizeof key; i++) {
        key [i] = (char) tolower ((unsigned char) cloid [i]);
        key [i + 1] = 0;
    }
    if (oid)
        snprintf (order_id, sizeof order_id, "%llu", (unsigned long long) oid);
    return (s_slot_t *) hb_vslots_find (self->slots, key, order_id);
}

//  The signed body of the action now in self->pack, whose JSON is action.
static int
s_body (hl_trade_t *self, const char *action, uint64_t nonce, char *body, size_t size)
{
    hl_sig_t sig;
    if (hl_signer_sign_l1 (self->signer, self->pack.data, self->pack.size, nonce,
                           self->has_vault? self->vault: NULL, 0, self->mainnet, &sig, NULL))
        return -1;
    char r [HL_SIG_WORD_HEX_SIZE], s [HL_SIG_WORD_HEX_SIZE], vault [HL_ADDRESS_HEX_SIZE + 2] = "null";
    hl_sig_hex (&sig, r, s);
    if (self->has_vault) {
        char hex [HL_ADDRESS_HEX_SIZE];
        hl_address_hex (self->vault, hex);
        snprintf (vault, sizeof vault, "\"%s\"", hex);
    }
    int n = snprintf (body, size, "{\"action\":%s,\"nonce\":%llu,\"signature\":{\"r\":\"%s\","
                      "\"s\":\"%s\",\"v\":%d},\"vaultAddress\":%s}",
                      action, (unsigned long long) nonce, r, s, sig.v, vault);
    return n > 0 && (size_t) n < size? 0: -1;
}

int
hl_trade_order (hl_trade_t *self, const hb_order_t *order, uint64_t nonce, char *body, size_t size)
{
    char why [320];
    const hl_coin_t *coin = hl_md_find (self->md, order->symbol);
    if (!coin) {
        s_refuse (self, order, HB_REJ_UNKNOWN_INSTRUMENT, "not an instrument of this venue");
        return -1;
    }
    if (!hl_md_has_meta (self->md)) {
        s_refuse (self, order, HB_REJ_OUTAGE, "no /info meta yet: asset index unknown");
        return -1;
    }
    if (coin->asset < 0) {
        snprintf (why, sizeof why, "unknown coin '%s' (not in /info meta)", coin->coin);
        s_refuse (self, order, HB_REJ_UNKNOWN_INSTRUMENT, why);
        return -1;
    }
    const char *text = NULL;
    int reason = hb_vorder_check (coin->inst, order, &text);
    if (reason != HB_REJ_NONE) {
        s_refuse (self, order, reason, text);
        return -1;
    }
    if (!self->signer) {
        s_refuse (self, order, HB_REJ_VENUE, "no agent key configured: market data only");
        return -1;
    }
    char key [HL_CLOID_HEX_SIZE];
    s_key (self, order->client_id, key);
    reason = hb_vslots_check (self->slots, key, &text);
    if (reason != HB_REJ_NONE) {
        s_refuse (self, order, reason, text);
        return -1;
    }
    bool buy = order->side == HB_SIDE_BUY;
    hl_order_t o = { .asset = (uint32_t) coin->asset, .is_buy = buy, .sz_decimals = coin->sz_decimals,
                     .tif = order->tif == HB_TIF_IOC? HL_TIF_IOC: HL_TIF_GTC, .has_cloid = true };
    double mult = coin->inst->multiplier > 0? coin->inst->multiplier: 1;
    o.sz = order->qty * mult;
    //  a product like 3 x 0.001 is 0.0030000000000000001: the bus quantity
    //  is on the config's lot, so round to the venue's decimals first and
    //  let hl_wire refuse what is really finer
    double scale = pow (10, coin->sz_decimals);
    double rounded = round (o.sz * scale) / scale;
    if (fabs (rounded - o.sz) < 1e-9 * fmax (1, o.sz))
        o.sz = rounded;
    char sz_text [HL_WIRE_MAX], px_text [HL_WIRE_MAX], err [200];
    if (hl_wire_size (o.sz, coin->sz_decimals, sz_text, err, sizeof err)) {
        snprintf (why, sizeof why, "%s: %s", coin->coin, err);
        s_refuse (self, order, HB_REJ_OFF_LOT, why);
        return -1;
    }
    if (order->ord_type == HB_ORD_MARKET) {
        double bid, ask;
        hl_md_touch (self->md, order->symbol, &bid, &ask);
        double touch = buy? ask: bid;
        if (!(touch > 0)) {
            s_refuse (self, order, HB_REJ_NO_LIQUIDITY, "market order: no book to price it from");
            return -1;
        }
        o.px = hl_wire_round_price (touch * (buy? 1 + self->slippage: 1 - self->slippage),
                                    coin->sz_decimals, coin->spot, !buy);
        o.tif = HL_TIF_IOC;
    }
    else
        o.px = order->px;
    if (hl_wire_price (o.px, coin->sz_decimals, coin->spot, px_text, err, sizeof err)) {
        snprintf (why, sizeof why, "%s: %s", coin->coin, err);
        s_refuse (self, order, HB_REJ_BAD_PRICE, why);
        return -1;
    }
    s_slot_t *slot;
    int handle = hb_vslots_take (self->slots, order, key, 1.0 / mult, (void **) &slot);
    if (handle < 0) {
        s_refuse (self, order, HB_REJ_RATE_LIMIT, "too many orders working");
        return -1;
    }
    slot->coin = coin;
    slot->sz = o.sz;
    hl_trade_cloid (self->venue->name, order->client_id, slot->cloid);
    memcpy (o.cloid, slot->cloid, HL_CLOID_SIZE);
    if (hl_action_order (&o, 1, &self->pack, err, sizeof err)) {
        slot->v.used = false;
        s_refuse (self, order, HB_REJ_BAD_ORDER, err);
        return -1;
    }
    char action [512];
    snprintf (action, sizeof action, "{\"type\":\"order\",\"orders\":[{\"a\":%u,\"b\":%s,\"p\":\"%s\","
              "\"s\":\"%s\",\"r\":false,\"t\":{\"limit\":{\"tif\":\"%s\"}},\"c\":\"%s\"}],"
              "\"grouping\":\"na\"}", o.asset, buy? "true": "false", px_text, sz_text,
              hl_tif_name (o.tif), slot->v.key);
    if (s_body (self, action, nonce, body, size)) {
        slot->v.used = false;
        s_refuse (self, order, HB_REJ_VENUE, "could not sign the order");
        return -1;
    }
    self->stats.orders++;
    return handle;
}

void
hl_trade_fail (hl_trade_t *self, int handle, int reason, const char *text)
{
    s_slot_t *slot = (s_slot_t *) hb_vslots_get (self->slots, handle);
    if (slot)
        s_final (self, slot, HB_ACK_REJECTED, reason, text);
}

//  The first status of an /exchange answer: {"status":"ok","response":
//  {"type":T,"data":{"statuses":[S, ..]}}}; or the text of a
//  {"status":"err","response":"..."} in *err_text. NULL when malformed.
static json_t *
s_status0 (hl_trade_t *self, const char *body, const char **err_text)
{
    char why [HB_JSON_ERR_MAX];
    *err_text = NULL;
    json_t *root = body? hb_json_parse (self->json, body, strlen (body), why, sizeof why): NULL;
    const char *status = root? json_string_value (json_object_get (root, "status")): NULL;
    if (!status)
        return NULL;
    json_t *response = json_object_get (root, "response");
    if (strcmp (status, "ok")) {
        *err_text = json_is_string (response)? json_string_value (response): status;
        return NULL;
    }
    json_t *statuses = json_object_get (json_object_get (response, "data"), "statuses");
    return json_array_get (statuses, 0);
}

int
hl_trade_on_response (hl_trade_t *self, int handle, long status, const char *body)
{
    s_slot_t *slot = (s_slot_t *) hb_vslots_get (self->slots, handle);
    if (!slot)
        return 0;
    char text [HB_TEXT_MAX];
    if (status == 0 || status >= 500) {
        //  the order may be live: orderUpdates (open) or its fills say so,
        //  or an orderStatus query (hl_trade_doubt_due) if they do not
        if (!slot->doubt && self->n_doubts < HL_TRADE_MAX_ORDERS) {
            slot->doubt = true;
            self->doubts [self->n_doubts++] = (s_doubt_t) { handle, 0, 0 };
        }
        return 1;
    }
    if (status != 200) {
        snprintf (text, sizeof text, "HTTP %ld: %.80s", status, body? body: "");
        s_final (self, slot, HB_ACK_REJECTED, status == 429? HB_REJ_RATE_LIMIT: HB_REJ_VENUE, text);
        return 0;
    }
    const char *err_text;
    json_t *st = s_status0 (self, body, &err_text);
    if (err_text) {
        snprintf (text, sizeof text, "%s", err_text);
        s_final (self, slot, HB_ACK_REJECTED, s_reason (err_text), text);
        return 0;
    }
    json_t *resting = json_object_get (st, "resting");
    json_t *filled = json_object_get (st, "filled");
    json_t *error = json_object_get (st, "error");
    json_t *placed = resting? resting: filled;
    int64_t oid;
    if (placed && !hb_json_int (placed, "oid", &oid, NULL, 0) && oid > 0) {
        s_set_oid (slot, (uint64_t) oid);
        s_accepted (self, slot);
        return 0;
    }
    if (json_is_string (error)) {
        snprintf (text, sizeof text, "%s", json_string_value (error));
        s_final (self, slot, HB_ACK_REJECTED, s_reason (text), text);
        return 0;
    }
    self->stats.malformed++;
    return 1;
}

int
hl_trade_cancel (hl_trade_t *self, const hb_cancel_t *cancel, uint64_t nonce,
                 char *body, size_t size, const char **why)
{
    const hl_coin_t *coin = hl_md_find (self->md, cancel->symbol);
    if (!coin || coin->asset < 0) {
        *why = coin? "unknown coin": "not an instrument of this venue";
        return -1;
    }
    if (!self->signer) {
        *why = "no agent key configured";
        return -1;
    }
    hl_cancel_cloid_t c = { .asset = (uint32_t) coin->asset };
    hl_trade_cloid (self->venue->name, cancel->client_id, c.cloid);
    char hex [HL_CLOID_HEX_SIZE], action [256];
    hl_cloid_hex (c.cloid, hex);
    if (hl_action_cancel_by_cloid (&c, 1, &self->pack, NULL, 0)) {
        *why = "could not encode";
        return -1;
    }
    snprintf (action, sizeof action, "{\"type\":\"cancelByCloid\",\"cancels\":[{\"asset\":%u,\"cloid\":\"%s\"}]}",
              c.asset, hex);
    if (s_body (self, action, nonce, body, size)) {
        *why = "could not sign";
        return -1;
    }
    return 0;
}

int
hl_trade_on_cancel_response (hl_trade_t *self, const hb_cancel_t *cancel, long status,
                             const char *body, char *why, size_t why_size)
{
    const char *err_text;
    json_t *st = status == 200? s_status0 (self, body, &err_text): NULL;
    if (status != 200 || !st || strcmp (json_string_value (st)? json_string_value (st): "", "success")) {
        const char *text = status != 200? "HTTP error": err_text? err_text
                         : json_string_value (json_object_get (st, "error"));
        snprintf (why, why_size, "%s", text? text: "answer not understood");
        return -1;
    }
    s_slot_t *slot = s_by_client (self, cancel->client_id);
    if (slot)
        s_final (self, slot, HB_ACK_CANCELED, HB_REJ_NONE, "canceled");
    return 0;
}

//  userFills: {"isSnapshot"?: true, "user": .., "fills": [{coin, px, sz, side, time, oid,
//  tid, fee, feeToken, crossed, cloid?}, ..]}
static int
s_on_fills (hl_trade_t *self, const json_t *data)
{
    json_t *fills = json_object_get (data, "fills");
    if (!json_is_array (fills))
        return -1;
    //  the fills of the past, sent once at subscription: published before
    if (json_is_true (json_object_get (data, "isSnapshot")))
        return 0;
    size_t i;
    json_t *f;
    json_array_foreach (fills, i, f) {
        const char *coin_name, *side, *cloid = NULL;
        double px, sz, fee = 0;
        int64_t oid, tid, time_ms = 0;
        bool crossed = false;
        if (hb_json_str (f, "coin", &coin_name, NULL, 0) || hb_json_str (f, "side", &side, NULL, 0)
        ||  hb_json_num (f, "px", &px, NULL, 0) || hb_json_num (f, "sz", &sz, NULL, 0)
        ||  hb_json_int (f, "oid", &oid, NULL, 0) || hb_json_int (f, "tid", &tid, NULL, 0)
        ||  (hb_json_has (f, "fee") && hb_json_num (f, "fee", &fee, NULL, 0))
        ||  (hb_json_has (f, "time") && hb_json_int (f, "time", &time_ms, NULL, 0))
        ||  (hb_json_has (f, "crossed") && hb_json_bool (f, "crossed", &crossed, NULL, 0))
        ||  (hb_json_has (f, "cloid") && hb_json_str (f, "cloid", &cloid, NULL, 0))
        ||  !(px > 0) || !(sz > 0) || (strcmp (side, "B") && strcmp (side, "A")))
            return -1;
        s_slot_t *slot = s_by_venue (self, cloid, (uint64_t) oid);
        const hl_coin_t *coin = slot? slot->coin: hl_md_find_coin (self->md, coin_name);
        if (!coin)
            continue;           //  a coin this venue does not list: not ours to publish
        if (slot && !slot->oid)
            s_set_oid (slot, (uint64_t) oid);
        if (slot)
            s_accepted (self, slot);
        //  a fill of an order not sent from here: external, under ext-<oid>
        hb_vslot_t ext;
        if (!slot) {
            memset (&ext, 0, sizeof ext);
            snprintf (ext.order.symbol, sizeof ext.order.symbol, "%s", coin->inst->symbol);
            snprintf (ext.order.client_id, sizeof ext.order.client_id, "ext-%lld", (long long) oid);
            self->stats.external++;
        }
        hb_fill_t *fill = hb_vpub_fill (self->pub, slot? &slot->v: &ext, hl_wire_time_ns (time_ms));
        if (!slot)
            fill->flags = HB_FILL_EXTERNAL;
        snprintf (fill->symbol, sizeof fill->symbol, "%s", coin->inst->symbol);
        snprintf (fill->order_id, sizeof fill->order_id, "%lld", (long long) oid);
        snprintf (fill->fill_id, sizeof fill->fill_id, "%lld", (long long) tid);
        fill->side = !strcmp (side, "B")? HB_SIDE_BUY: HB_SIDE_SELL;
        fill->liquidity = crossed? 2: 1;
        fill->px = px;
        double mult = coin->inst->multiplier > 0? coin->inst->multiplier: 1;
        fill->qty = sz / mult;
        fill->fee = fee;
        snprintf (fill->fee_asset, sizeof fill->fee_asset, "USD");
        self->stats.fills++;
        hb_vpub_emit (self->pub);
        if (slot) {
            slot->filled += sz;
            if (slot->filled >= slot->sz - 1e-9 * slot->sz)
                s_final (self, slot, HB_ACK_DONE, HB_REJ_NONE, NULL);
        }
    }
    return 0;
}

//  One orderUpdates entry: {"order": {coin, side, limitPx, sz, oid,
//  timestamp, origSz, cloid?}, "status": "open" | "filled" | "canceled" |
//  "rejected" | "<why>Canceled" | .., ..}; orderStatus names an order the
//  same way. 0, or -1 when malformed.
static int
s_on_update (hl_trade_t *self, const json_t *u)
{
    json_t *order = json_object_get (u, "order");
    const char *status, *cloid = NULL;
    int64_t oid;
    if (hb_json_str (u, "status", &status, NULL, 0) || !json_is_object (order)
    ||  hb_json_int (order, "oid", &oid, NULL, 0)
    ||  (hb_json_has (order, "cloid") && hb_json_str (order, "cloid", &cloid, NULL, 0)))
        return -1;
    s_slot_t *slot = s_by_venue (self, cloid, (uint64_t) oid);
    if (!slot)
        return 0;
    if (!slot->oid)
        s_set_oid (slot, (uint64_t) oid);
    size_t len = strlen (status);
    if (!strcmp (status, "open"))
        s_accepted (self, slot);
    else
    if (!strcmp (status, "canceled") || (len > 8 && !strcmp (status + len - 8, "Canceled")))
        s_final (self, slot, HB_ACK_CANCELED, HB_REJ_NONE, status);
    else
    if (!strcmp (status, "rejected") || (len > 8 && !strcmp (status + len - 8, "Rejected")))
        s_final (self, slot, slot->filled > 0? HB_ACK_CANCELED: HB_ACK_REJECTED,
                 slot->filled > 0? HB_REJ_NONE: s_reason (status), status);
    else
    if (!strcmp (status, "filled"))
        //  filled: the fills (userFills) complete it; it is no longer in doubt
        s_accepted (self, slot);
    return 0;
}

static int
s_on_updates (hl_trade_t *self, const json_t *data)
{
    if (!json_is_array (data))
        return -1;
    size_t i;
    json_t *u;
    json_array_foreach (data, i, u)
        if (s_on_update (self, u))
            return -1;
    return 0;
}

int
hl_trade_doubt_due (hl_trade_t *self, int64_t now_ns, int64_t after_ns, int *out, int max)
{
    int n = 0, k = 0;
    for (int i = 0; i < self->n_doubts; i++) {
        s_doubt_t *d = &self->doubts [i];
        s_slot_t *slot = (s_slot_t *) hb_vslots_get (self->slots, d->handle);
        //  resolved (accepted, final, or the slot reused): forgotten
        if (!slot || !slot->doubt || slot->v.accepted)
            continue;
        if (!d->since_ns)
            d->since_ns = now_ns;
        int64_t last = d->asked_ns? d->asked_ns: d->since_ns;
        if (now_ns - last >= after_ns && n < max) {
            d->asked_ns = now_ns;
            out [n++] = d->handle;
        }
        self->doubts [k++] = *d;
    }
    self->n_doubts = k;
    return n;
}

int
hl_trade_status_query (hl_trade_t *self, int handle, const char *user, char *body, size_t size)
{
    s_slot_t *slot = (s_slot_t *) hb_vslots_get (self->slots, handle);
    if (!slot || !user)
        return -1;
    int n = snprintf (body, size, "{\"type\":\"orderStatus\",\"user\":\"%s\",\"oid\":\"%s\"}",
                      user, slot->v.key);
    return n > 0 && (size_t) n < size? 0: -1;
}

//  orderStatus: {"status":"order","order":{"order":{..},"status":S,..}} or
//  {"status":"unknownOid"}
int
hl_trade_on_status (hl_trade_t *self, int handle, long status, const char *body)
{
    s_slot_t *slot = (s_slot_t *) hb_vslots_get (self->slots, handle);
    if (!slot || !slot->doubt || slot->v.accepted)
        return 0;               //  told meanwhile
    if (status != 200 || !body)
        return 1;
    json_t *root = hb_json_parse (self->json, body, strlen (body), NULL, 0);
    const char *what;
    if (!root || hb_json_str (root, "status", &what, NULL, 0)) {
        self->stats.malformed++;
        return -1;
    }
    if (!strcmp (what, "unknownOid")) {
        //  the venue has no order with its cloid: the order never arrived
        s_final (self, slot, HB_ACK_REJECTED, HB_REJ_VENUE,
                 "answer lost and the venue has no order with its cloid (orderStatus unknownOid)");
        return 0;
    }
    json_t *update = json_object_get (root, "order");
    if (strcmp (what, "order") || !json_is_object (update)) {
        self->stats.malformed++;
        return -1;
    }
    if (s_on_update (self, update)) {
        self->stats.malformed++;
        return -1;
    }
    return slot->v.used && slot->doubt && !slot->v.accepted? 1: 0;
}

int
hl_trade_on_user (hl_trade_t *self, const char *channel, const json_t *data, int64_t now_ns)
{
    (void) now_ns;
    int rc = 0;
    if (!strcmp (channel, "userFills"))
        rc = s_on_fills (self, data);
    else
    if (!strcmp (channel, "orderUpdates"))
        rc = s_on_updates (self, data);
    if (rc)
        self->stats.malformed++;
    return rc;
}

const hl_trade_stats_t *
hl_trade_stats (const hl_trade_t *self)
{
    return &self->stats;
}
