/*  deribit_order: hb orders and cancels over Deribit's private JSON-RPC
    methods, and the venue's answers back into hb acks and fills.

    An order lives in a slot from the request until its final ack. The
    venue tells about it up to three times (the private/buy response, a
    user.orders notification, user.trades for executions), so an ack is
    published only when (status, filled) changes and a fill only for an
    execution id not seen before. Orders carry the hb client id as
    Deribit's label, which is how notifications find their slot.          */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "deribit_venue_int.h"
#include "hb_time.h"

#define S_QUERY_TRIES   5       //  order-state queries before giving up on an order

//  Deribit error codes (docs: "Error codes") onto hb reject reasons.
static int
s_reason (int code)
{
    switch (code) {
        case 10002:                         //  qty_too_low
            return HB_REJ_BELOW_MIN_SIZE;
        case 10005: case 10006: case 10007: //  price_too_low, price_too_low4idx, price_too_high
        case 10011: case 10043:             //  price_not_allowed, price_wrong_tick
            return HB_REJ_BAD_PRICE;
        case 10009:                         //  not_enough_funds
            return HB_REJ_INSUFFICIENT_COLLATERAL;
        case 10012: case 10041:             //  book_closed, settlement_in_progress
            return HB_REJ_OUTAGE;
        case 10028: case 10047:             //  too_many_requests, matching_engine_queue_full
            return HB_REJ_RATE_LIMIT;
        case 10004: case 10010: case 11044: //  order_not_found, already_closed, not_open_order
            return HB_REJ_UNKNOWN_ORDER;
        case 11029:                         //  invalid_arguments
            return HB_REJ_BAD_ORDER;
        default:
            return HB_REJ_VENUE;
    }
}

static void
s_ack (deribit_venue_t *self, const char *symbol, const char *client_id, const char *order_id,
       int status, int reason, const char *text, double filled, double leaves)
{
    hb_msg_t *msg = &self->out;
    memset (msg, 0, sizeof *msg);
    msg->env.type = HB_MSG_ACK;
    msg->env.ts_venue = deribit_venue_now (self);
    hb_ack_t *ack = &msg->u.ack;
    snprintf (ack->venue, sizeof ack->venue, "%s", self->venue->name);
    snprintf (ack->symbol, sizeof ack->symbol, "%s", symbol);
    snprintf (ack->client_id, sizeof ack->client_id, "%s", client_id);
    snprintf (ack->order_id, sizeof ack->order_id, "%s", order_id);
    snprintf (ack->text, sizeof ack->text, "%s", text);
    ack->status = (uint8_t) status;
    ack->reason = (uint8_t) reason;
    ack->filled_qty = status == HB_ACK_REJECTED ? 0 : filled;
    ack->leaves_qty = status == HB_ACK_ACCEPTED ? leaves : 0;
    self->stats.acks++;
    self->host->publish (self->host->ctx, msg);
}

static int
s_reject (deribit_venue_t *self, const char *symbol, const char *client_id, int reason,
          const char *text)
{
    s_ack (self, symbol, client_id, "", HB_ACK_REJECTED, reason, text, 0, 0);
    return 0;
}

static deribit_order_slot_t *
s_slot_by_label (deribit_venue_t *self, const char *label)
{
    if (!*label)
        return NULL;
    for (int k = 0; k < DERIBIT_ORDERS; k++)
        if (self->orders [k].used && strcmp (self->orders [k].client_id, label) == 0)
            return &self->orders [k];
    return NULL;
}

//  The venue's view of an order (a response or a notification) onto its
//  slot: an ack when something changed, the slot freed on a final state.
static void
s_order_update (deribit_venue_t *self, deribit_order_slot_t *slot, const deribit_order_t *order)
{
    const deribit_inst_t *inst = &self->inst [slot->inst];
    if (*order->order_id)
        snprintf (slot->order_id, sizeof slot->order_id, "%s", order->order_id);
    double filled = order->filled_amount / inst->cfg->multiplier;
    int status = HB_ACK_ACCEPTED;
    int reason = HB_REJ_NONE;
    switch (order->state) {
        case DERIBIT_ORDER_FILLED:
            status = HB_ACK_DONE;
            break;
        case DERIBIT_ORDER_CANCELLED:
            status = HB_ACK_CANCELED;
            break;
        case DERIBIT_ORDER_REJECTED:
            //  a reject fills nothing; one that did is a cancel of the rest
            status = filled > 0 ? HB_ACK_CANCELED : HB_ACK_REJECTED;
            reason = filled > 0 ? HB_REJ_NONE : HB_REJ_VENUE;
            break;
        default:
            break;
    }
    if (status == slot->last_status && filled == slot->last_filled)
        return;
    char text [HB_TEXT_MAX] = "";
    if (*order->reason)
        snprintf (text, sizeof text, "deribit: %.80s", order->reason);
    double leaves = slot->qty - filled > 0 ? slot->qty - filled : 0;
    s_ack (self, inst->cfg->symbol, slot->client_id, slot->order_id, status, reason, text,
           filled, leaves);
    slot->last_status = (uint8_t) status;
    slot->last_filled = filled;
    if (status != HB_ACK_ACCEPTED)
        memset (slot, 0, sizeof *slot);
}

//  True when the execution id was seen before; remembers it otherwise.
static bool
s_seen (deribit_venue_t *self, const char *trade_id)
{
    for (size_t k = 0; k < DERIBIT_SEEN; k++)
        if (strcmp (self->seen [k], trade_id) == 0)
            return true;
    snprintf (self->seen [self->seen_next], HB_ID_MAX, "%s", trade_id);
    self->seen_next = (self->seen_next + 1) % DERIBIT_SEEN;
    return false;
}

//  True when label is one our orders were sent with.
static bool
s_sent (const deribit_venue_t *self, const char *label)
{
    for (size_t k = 0; *label && k < DERIBIT_SEEN; k++)
        if (strcmp (self->sent [k], label) == 0)
            return true;
    return false;
}

//  One of our executions as an hb fill, unless already published.
static void
s_fill (deribit_venue_t *self, const deribit_trade_t *trade)
{
    int i = deribit_venue_find_inst (self, trade->instrument);
    if (i < 0) {
        self->stats.unknown++;
        deribit_venue_log (self, HB_LOG_WARN, "execution %s on %s, not a configured instrument",
                           trade->trade_id, trade->instrument);
        return;
    }
    if (s_seen (self, trade->trade_id)) {
        self->stats.duplicate_fills++;
        return;
    }
    deribit_inst_t *inst = &self->inst [i];
    double px = deribit_venue_usd (inst, trade->price, trade->index_price);
    if (!(px > 0)) {
        deribit_venue_log (self, HB_LOG_ERROR, "execution %s on %s: no index price to convert %g "
                           "into USD: fill not published", trade->trade_id, inst->name, trade->price);
        return;
    }
    hb_msg_t *msg = &self->out;
    memset (msg, 0, sizeof *msg);
    msg->env.type = HB_MSG_FILL;
    msg->env.ts_venue = hb_ms_to_ns (trade->timestamp_ms);
    hb_fill_t *fill = &msg->u.fill;
    snprintf (fill->venue, sizeof fill->venue, "%s", self->venue->name);
    snprintf (fill->symbol, sizeof fill->symbol, "%s", inst->cfg->symbol);
    //  an order placed outside hedgebus has no label: its venue id stands in
    snprintf (fill->client_id, sizeof fill->client_id, "%s",
              *trade->label ? trade->label : trade->order_id);
    snprintf (fill->order_id, sizeof fill->order_id, "%s", trade->order_id);
    snprintf (fill->fill_id, sizeof fill->fill_id, "%s", trade->trade_id);
    fill->side = (uint8_t) trade->side;
    fill->liquidity = trade->liquidity == 1 ? 1 : 2;
    fill->px = px;
    fill->qty = trade->amount / inst->cfg->multiplier;
    fill->fee = trade->fee;
    if (!s_sent (self, trade->label))
        fill->flags = HB_FILL_EXTERNAL;
    //  USDC-settled contracts pay fees in USDC: USD on the bus; inverse ones
    //  in the coin, as the bus wants for them
    const char *cur = trade->fee_currency;
    if (!*cur)
        cur = self->host->config->assets [inst->cfg->asset].name;
    if (strcmp (cur, "USDC") == 0 || strcmp (cur, "USDT") == 0)
        cur = "USD";
    snprintf (fill->fee_asset, sizeof fill->fee_asset, "%s", cur);
    self->stats.fills++;
    self->host->publish (self->host->ctx, msg);
    deribit_order_slot_t *slot = s_slot_by_label (self, trade->label);
    if (slot)
        slot->fill_amount += trade->amount;
}

static void
s_fills (deribit_venue_t *self, json_t *trades)
{
    for (size_t k = 0; k < json_array_size (trades); k++) {
        deribit_trade_t trade;
        char err [DERIBIT_ERR_MAX];
        if (deribit_trade_at (trades, k, &trade, err, sizeof err)) {
            self->stats.malformed++;
            deribit_venue_log (self, HB_LOG_ERROR, "one of our executions is unreadable: %s", err);
            continue;
        }
        s_fill (self, &trade);
    }
}

static void s_on_query_answer (deribit_venue_t *self, const deribit_req_t *req,
                               deribit_order_slot_t *slot);

void
deribit_order_on_response (deribit_venue_t *self, const deribit_req_t *req)
{
    const deribit_response_t *r = &self->msg.response;
    //  executions in the answer count even when the order was settled
    //  meanwhile by a notification (they are deduplicated by id)
    if (req->kind == DERIBIT_REQ_ORDER && !r->is_error)
        s_fills (self, json_object_get (r->result, "trades"));
    if (req->kind == DERIBIT_REQ_ORDER_TRADES && !r->is_error)
        s_fills (self, json_is_array (r->result) ? r->result : json_object_get (r->result, "trades"));
    if (req->order < 0 || req->order >= DERIBIT_ORDERS || !self->orders [req->order].used
    ||  self->orders [req->order].gen != req->gen)
        return;             //  settled meanwhile, the slot is gone or someone else's
    deribit_order_slot_t *slot = &self->orders [req->order];
    if (req->kind == DERIBIT_REQ_ORDER_STATE || req->kind == DERIBIT_REQ_ORDER_STATE_LABEL
    ||  req->kind == DERIBIT_REQ_ORDER_TRADES) {
        s_on_query_answer (self, req, slot);
        return;
    }
    const char *symbol = self->inst [slot->inst].cfg->symbol;
    char text [HB_TEXT_MAX];
    if (r->is_error) {
        snprintf (text, sizeof text, "deribit %d %.70s", r->error_code, r->error_message);
        s_reject (self, symbol, slot->client_id, s_reason (r->error_code), text);
        //  a refused order is finished; after a refused cancel it works on
        if (req->kind == DERIBIT_REQ_ORDER)
            memset (slot, 0, sizeof *slot);
        return;
    }
    if (req->kind == DERIBIT_REQ_CANCEL_LABEL) {
        //  the result is a count; the order's own update follows on user.orders
        if (json_integer_value (r->result) == 0)
            s_reject (self, symbol, slot->client_id, HB_REJ_UNKNOWN_ORDER,
                      "deribit: no open order with this label");
        return;
    }
    deribit_order_t order;
    char err [DERIBIT_ERR_MAX];
    json_t *object = req->kind == DERIBIT_REQ_ORDER ? json_object_get (r->result, "order") : r->result;
    if (deribit_order_parse (object, &order, err, sizeof err)) {
        self->stats.malformed++;
        deribit_venue_log (self, HB_LOG_ERROR, "order %s: unreadable answer (%s); waiting for "
                           "its notification", slot->client_id, err);
        return;
    }
    s_order_update (self, slot, &order);
}

void
deribit_order_on_user_order (deribit_venue_t *self)
{
    deribit_order_slot_t *slot = s_slot_by_label (self, self->msg.order.label);
    if (!slot) {
        //  finished already, or not ours to track (placed elsewhere)
        self->stats.ignored++;
        return;
    }
    s_order_update (self, slot, &self->msg.order);
}

void
deribit_order_on_user_trades (deribit_venue_t *self)
{
    s_fills (self, self->msg.trades);
}

void
deribit_order_on_close (deribit_venue_t *self)
{
    //  An order whose request was in flight may or may not be at the venue,
    //  and a working one may have traded while we were away (notifications
    //  are not replayed): each is asked about once we are back.
    for (int k = 0; k < DERIBIT_REQS; k++)
        if (self->reqs [k].id && self->reqs [k].kind == DERIBIT_REQ_ORDER)
            deribit_venue_log (self, HB_LOG_WARN, "order %s: connection lost before the answer",
                               self->orders [self->reqs [k].order].client_id);
    for (int k = 0; k < DERIBIT_ORDERS; k++)
        if (self->orders [k].used) {
            self->orders [k].query_due = true;
            self->orders [k].query_tries = 0;
            self->orders [k].have_state = false;
        }
}

//  The currency Deribit's by-label query wants: BTC of BTC-PERPETUAL, USDC
//  of BTC_USDC-PERPETUAL.
static void
s_currency (const deribit_inst_t *inst, char *out, size_t size)
{
    const char *name = inst->name;
    const char *under = strchr (name, '_');
    if (under)
        name = under + 1;
    size_t len = strcspn (name, "-");
    snprintf (out, size, "%.*s", (int) len, name);
}

void
deribit_order_query_due (deribit_venue_t *self)
{
    for (int k = 0; k < DERIBIT_ORDERS && self->connected && self->authenticated; k++) {
        deribit_order_slot_t *slot = &self->orders [k];
        if (!slot->used || !slot->query_due)
            continue;
        const deribit_inst_t *inst = &self->inst [slot->inst];
        if (slot->query_tries >= S_QUERY_TRIES) {
            deribit_venue_log (self, HB_LOG_ERROR, "order %s: no answer to %d queries after the "
                               "reconnect: rejected, check the venue", slot->client_id, slot->query_tries);
            s_reject (self, inst->cfg->symbol, slot->client_id, HB_REJ_VENUE,
                      "deribit: order outcome unknown after a reconnect: check the venue");
            memset (slot, 0, sizeof *slot);
            continue;
        }
        if (!hb_ratelimit_take (&self->credits, DERIBIT_CREDIT_COST, deribit_venue_now (self))) {
            self->stats.rate_limited++;
            return;                 //  the next poll goes on
        }
        int64_t id;
        if (*slot->order_id)
            id = deribit_venue_rpc (self, DERIBIT_REQ_ORDER_STATE, "private/get_order_state",
                                    json_pack ("{s:s}", "order_id", slot->order_id), -1, k);
        else {
            char currency [DERIBIT_INST_MAX];
            s_currency (inst, currency, sizeof currency);
            id = deribit_venue_rpc (self, DERIBIT_REQ_ORDER_STATE_LABEL, "private/get_order_state_by_label",
                                    json_pack ("{s:s, s:s}", "currency", currency, "label",
                                               slot->client_id), -1, k);
        }
        if (id < 0)
            return;
        slot->query_due = false;
        slot->query_tries++;
        self->stats.order_queries++;
        deribit_venue_log (self, HB_LOG_INFO, "order %s: asking the venue what became of it (%s)",
                           slot->client_id, *slot->order_id ? slot->order_id : "by label");
    }
}

//  The venue's state of an order we asked about: its executions first when
//  it filled more than the fills we published, then the ack.
static void
s_on_queried_state (deribit_venue_t *self, deribit_order_slot_t *slot, const deribit_order_t *order)
{
    if (*order->order_id)
        snprintf (slot->order_id, sizeof slot->order_id, "%s", order->order_id);
    if (order->filled_amount > slot->fill_amount + 1e-9 * order->amount && *slot->order_id) {
        int k = (int) (slot - self->orders);
        if (deribit_venue_rpc (self, DERIBIT_REQ_ORDER_TRADES, "private/get_user_trades_by_order",
                               json_pack ("{s:s}", "order_id", slot->order_id), -1, k) < 0) {
            slot->query_due = true;
            return;
        }
        slot->state = *order;
        slot->have_state = true;
        self->stats.order_queries++;
        return;
    }
    s_order_update (self, slot, order);
}

static void
s_lost (deribit_venue_t *self, deribit_order_slot_t *slot)
{
    deribit_venue_log (self, HB_LOG_WARN, "order %s: the venue does not know it (lost with the "
                       "connection before reaching it): rejected", slot->client_id);
    s_reject (self, self->inst [slot->inst].cfg->symbol, slot->client_id, HB_REJ_VENUE,
              "deribit: order lost with the connection: the venue does not know it");
    memset (slot, 0, sizeof *slot);
}

static void
s_on_query_answer (deribit_venue_t *self, const deribit_req_t *req, deribit_order_slot_t *slot)
{
    const deribit_response_t *r = &self->msg.response;
    deribit_order_t order;
    char err [DERIBIT_ERR_MAX] = "";
    if (r->is_error) {
        if (req->kind == DERIBIT_REQ_ORDER_STATE && r->error_code == 10004) {
            s_lost (self, slot);    //  order_not_found
            return;
        }
        deribit_venue_log (self, HB_LOG_WARN, "order %s: query refused (%d %s): asked again",
                           slot->client_id, r->error_code, r->error_message);
        slot->have_state = false;
        slot->query_due = true;
        return;
    }
    if (req->kind == DERIBIT_REQ_ORDER_TRADES) {
        //  the executions went out above; now the state they lead to,
        //  unless a notification told something newer meanwhile
        if (slot->have_state) {
            slot->have_state = false;
            double filled = slot->state.filled_amount / self->inst [slot->inst].cfg->multiplier;
            if (filled >= slot->last_filled)
                s_order_update (self, slot, &slot->state);
        }
        return;
    }
    if (req->kind == DERIBIT_REQ_ORDER_STATE_LABEL) {
        //  a list of the orders with this label: ours is the last one
        bool found = false;
        for (size_t i = 0; json_is_array (r->result) && i < json_array_size (r->result); i++) {
            deribit_order_t candidate;
            if (deribit_order_parse (json_array_get (r->result, i), &candidate, err, sizeof err) == 0
            &&  strcmp (candidate.label, slot->client_id) == 0) {
                order = candidate;
                found = true;
            }
        }
        if (!json_is_array (r->result))
            snprintf (err, sizeof err, "result is not an array");
        else
        if (!found && !*err) {
            s_lost (self, slot);
            return;
        }
        if (found) {
            s_on_queried_state (self, slot, &order);
            return;
        }
    }
    else
    if (deribit_order_parse (r->result, &order, err, sizeof err) == 0) {
        s_on_queried_state (self, slot, &order);
        return;
    }
    self->stats.malformed++;
    deribit_venue_log (self, HB_LOG_ERROR, "order %s: unreadable query answer (%s): asked again",
                       slot->client_id, err);
    slot->query_due = true;
}

//  Price of an hb limit order in Deribit's quote unit, on its tick. Options
//  are quoted in coin: the USD limit is converted at the index and rounded
//  toward the safe side (a buy never pays more, a sell never gets less than
//  asked). Deribit's option tick is 0.0001 coin below 0.005 and 0.0005 above.
static double
s_venue_price (const deribit_inst_t *inst, const hb_order_t *order)
{
    double tick = inst->cfg->tick_size;
    double px = order->px;
    if (inst->coin_quoted) {
        px /= inst->index;
        tick = px < 0.005 ? 0.0001 : 0.0005;
    }
    double steps = px / tick;
    steps = order->side == HB_SIDE_BUY ? floor (steps + 1e-9) : ceil (steps - 1e-9);
    //  steps x tick carries binary noise (104 x 0.0005); the venue checks
    //  the tick on the decimal, so send the nearest 1e-10
    return round (steps * tick * 1e10) / 1e10;
}

int
deribit_venue_order (deribit_venue_t *self, const hb_order_t *order)
{
    const char *symbol = order->symbol;
    const char *client_id = order->client_id;
    const hb_instrument_cfg_t *cfg = hb_venue_instrument (self->venue, symbol);
    int i = -1;
    for (int k = 0; cfg && k < self->n_inst; k++)
        if (self->inst [k].cfg == cfg)
            i = k;
    if (i < 0)
        return s_reject (self, symbol, client_id, HB_REJ_UNKNOWN_INSTRUMENT, "no such instrument here");
    deribit_inst_t *inst = &self->inst [i];
    if (!self->key)
        return s_reject (self, symbol, client_id, HB_REJ_VENUE,
                         "no API key configured (params api_key_*, api_secret_*)");
    if (!self->connected || !self->authenticated)
        return s_reject (self, symbol, client_id, HB_REJ_OUTAGE,
                         self->connected ? "not authenticated yet" : "not connected");
    if (!*client_id)
        return s_reject (self, symbol, client_id, HB_REJ_BAD_ORDER, "empty client id");
    if (s_slot_by_label (self, client_id))
        return s_reject (self, symbol, client_id, HB_REJ_DUPLICATE_ID, "client id already working");
    if ((order->side != HB_SIDE_BUY && order->side != HB_SIDE_SELL)
    ||  (order->ord_type != HB_ORD_MARKET && order->ord_type != HB_ORD_LIMIT)
    ||  (order->tif != HB_TIF_IOC && order->tif != HB_TIF_GTC)
    ||  !(isfinite (order->qty) && order->qty > 0))
        return s_reject (self, symbol, client_id, HB_REJ_BAD_ORDER, "bad side, type, tif or qty");
    if (order->qty < cfg->min_qty * (1 - 1e-9))
        return s_reject (self, symbol, client_id, HB_REJ_BELOW_MIN_SIZE, "below the minimum size");
    double lots = order->qty / cfg->lot_size;
    if (fabs (lots - round (lots)) > 1e-9 * (lots > 1 ? lots : 1))
        return s_reject (self, symbol, client_id, HB_REJ_OFF_LOT, "not a multiple of the lot size");
    double px = 0;
    if (order->ord_type == HB_ORD_LIMIT) {
        if (!(isfinite (order->px) && order->px > 0))
            return s_reject (self, symbol, client_id, HB_REJ_BAD_PRICE, "limit price not > 0");
        if (inst->coin_quoted && !(inst->index > 0))
            return s_reject (self, symbol, client_id, HB_REJ_NO_LIQUIDITY,
                             "no index price yet to convert the limit into coin");
        px = s_venue_price (inst, order);
        if (!(px > 0))
            return s_reject (self, symbol, client_id, HB_REJ_BAD_PRICE, "limit below one tick");
    }
    int k = 0;
    while (k < DERIBIT_ORDERS && self->orders [k].used)
        k++;
    if (k == DERIBIT_ORDERS)
        return s_reject (self, symbol, client_id, HB_REJ_RATE_LIMIT, "too many orders in flight");
    if (!hb_ratelimit_take (&self->matching, 1, deribit_venue_now (self))) {
        self->stats.rate_limited++;
        return s_reject (self, symbol, client_id, HB_REJ_RATE_LIMIT, "order rate budget spent");
    }
    //  Deribit amounts: USD for inverse contracts, coin otherwise; both are
    //  the hb quantity times the multiplier
    //  (to 1e-9, so that 0.7 x 10 goes out as 7, a whole number of contracts)
    double amount = round (order->qty * cfg->multiplier * 1e9) / 1e9;
    json_t *params = json_pack ("{s:s, s:f, s:s, s:s, s:s}", "instrument_name", inst->name,
                                "amount", amount,
                                "type", order->ord_type == HB_ORD_LIMIT ? "limit" : "market",
                                "label", client_id,
                                "time_in_force", order->tif == HB_TIF_IOC ? "immediate_or_cancel"
                                                                          : "good_til_cancelled");
    if (params && order->ord_type == HB_ORD_LIMIT)
        json_object_set_new (params, "price", json_real (px));
    deribit_order_slot_t *slot = &self->orders [k];
    *slot = (deribit_order_slot_t) { .used = true, .gen = ++self->order_gen, .inst = i,
                                     .side = order->side, .qty = order->qty };
    snprintf (slot->client_id, sizeof slot->client_id, "%s", client_id);
    if (!s_sent (self, client_id)) {
        snprintf (self->sent [self->sent_next], HB_ID_MAX, "%s", client_id);
        self->sent_next = (self->sent_next + 1) % DERIBIT_SEEN;
    }
    if (deribit_venue_rpc (self, DERIBIT_REQ_ORDER, order->side == HB_SIDE_BUY ? "private/buy"
                                                                                : "private/sell",
                           params, -1, k) < 0) {
        memset (slot, 0, sizeof *slot);
        return s_reject (self, symbol, client_id, HB_REJ_OUTAGE, "could not send to the venue");
    }
    return 0;
}

int
deribit_venue_cancel (deribit_venue_t *self, const hb_cancel_t *cancel)
{
    const char *symbol = cancel->symbol;
    deribit_order_slot_t *slot = s_slot_by_label (self, cancel->client_id);
    if (!slot)
        return s_reject (self, symbol, cancel->client_id, HB_REJ_UNKNOWN_ORDER,
                         "no working order with this client id");
    if (!self->connected || !self->authenticated)
        return s_reject (self, symbol, cancel->client_id, HB_REJ_OUTAGE, "not connected");
    if (!hb_ratelimit_take (&self->matching, 1, deribit_venue_now (self))) {
        self->stats.rate_limited++;
        return s_reject (self, symbol, cancel->client_id, HB_REJ_RATE_LIMIT, "order rate budget spent");
    }
    int k = (int) (slot - self->orders);
    int64_t id;
    //  before the venue's answer there is no order id yet: the label works
    if (*slot->order_id)
        id = deribit_venue_rpc (self, DERIBIT_REQ_CANCEL, "private/cancel",
                                json_pack ("{s:s}", "order_id", slot->order_id), -1, k);
    else
        id = deribit_venue_rpc (self, DERIBIT_REQ_CANCEL_LABEL, "private/cancel_by_label",
                                json_pack ("{s:s}", "label", slot->client_id), -1, k);
    if (id < 0)
        return s_reject (self, symbol, cancel->client_id, HB_REJ_OUTAGE, "could not send to the venue");
    return 0;
}
