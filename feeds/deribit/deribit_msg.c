/*  deribit_msg: Deribit JSON-RPC frames into plain structs (see the header).
    Every field read is checked for presence and type; a wrong one makes the
    whole frame MALFORMED with the field's path in the message.             */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "deribit_msg.h"

static const char *s_kind_names [DERIBIT_MSG_KIND_COUNT] = {
    "none", "malformed", "unknown", "response", "heartbeat", "book", "ticker",
    "trades", "user_order", "user_trades"
};

const char *
deribit_msg_kind_name (int kind)
{
    return kind >= 0 && kind < DERIBIT_MSG_KIND_COUNT ? s_kind_names [kind] : "?";
}

static void
s_err (char *err, size_t size, const char *format, ...)
    __attribute__ ((format (printf, 3, 4)));
static void
s_err (char *err, size_t size, const char *format, ...)
{
    if (!err || size == 0)
        return;
    va_list args;
    va_start (args, format);
    vsnprintf (err, size, format, args);
    va_end (args);
}

//  A finite number under key (integer or real). 0 / -1.
static int
s_number (json_t *obj, const char *key, double *out)
{
    json_t *v = json_object_get (obj, key);
    if (!json_is_number (v))
        return -1;
    double d = json_number_value (v);
    if (!isfinite (d))
        return -1;
    *out = d;
    return 0;
}

//  Like s_number, but a missing or null field gives 0 (optional fields).
static int
s_number_opt (json_t *obj, const char *key, double *out)
{
    json_t *v = json_object_get (obj, key);
    if (!v || json_is_null (v)) {
        *out = 0;
        return 0;
    }
    return s_number (obj, key, out);
}

static int
s_integer (json_t *obj, const char *key, int64_t *out)
{
    json_t *v = json_object_get (obj, key);
    if (!json_is_integer (v))
        return -1;
    *out = (int64_t) json_integer_value (v);
    return 0;
}

//  Copies the string under key into out (size bytes). -1 when missing, not a
//  string or too long: ids are never truncated silently.
static int
s_string (json_t *obj, const char *key, char *out, size_t size)
{
    json_t *v = json_object_get (obj, key);
    if (!json_is_string (v) || json_string_length (v) >= size)
        return -1;
    memcpy (out, json_string_value (v), json_string_length (v) + 1);
    return 0;
}

static int
s_string_opt (json_t *obj, const char *key, char *out, size_t size)
{
    json_t *v = json_object_get (obj, key);
    if (!v || json_is_null (v)) {
        out [0] = 0;
        return 0;
    }
    return s_string (obj, key, out, size);
}

static int
s_side (json_t *obj, int *side)
{
    const char *dir = json_string_value (json_object_get (obj, "direction"));
    if (!dir)
        return -1;
    if (strcmp (dir, "buy") == 0)
        *side = HB_SIDE_BUY;
    else
    if (strcmp (dir, "sell") == 0)
        *side = HB_SIDE_SELL;
    else
        return -1;
    return 0;
}

int
deribit_level_at (json_t *side, size_t i, deribit_level_t *level, char *err, size_t err_size)
{
    json_t *entry = json_array_get (side, i);
    if (!json_is_array (entry) || json_array_size (entry) != 3) {
        s_err (err, err_size, "level %zu: not an [action, price, amount] array", i);
        return -1;
    }
    const char *action = json_string_value (json_array_get (entry, 0));
    if (action && strcmp (action, "new") == 0)
        level->action = DERIBIT_ACTION_NEW;
    else
    if (action && strcmp (action, "change") == 0)
        level->action = DERIBIT_ACTION_CHANGE;
    else
    if (action && strcmp (action, "delete") == 0)
        level->action = DERIBIT_ACTION_DELETE;
    else {
        s_err (err, err_size, "level %zu: action '%s' is not new, change or delete", i,
               action ? action : "(not a string)");
        return -1;
    }
    json_t *px = json_array_get (entry, 1);
    json_t *amount = json_array_get (entry, 2);
    level->price = json_is_number (px) ? json_number_value (px) : NAN;
    level->amount = json_is_number (amount) ? json_number_value (amount) : NAN;
    if (!(isfinite (level->price) && level->price > 0)) {
        s_err (err, err_size, "level %zu: price is not a positive number", i);
        return -1;
    }
    if (!(isfinite (level->amount) && level->amount >= 0)) {
        s_err (err, err_size, "level %zu: amount is not a number >= 0", i);
        return -1;
    }
    return 0;
}

int
deribit_trade_at (json_t *trades, size_t i, deribit_trade_t *trade, char *err, size_t err_size)
{
    memset (trade, 0, sizeof *trade);
    json_t *t = json_array_get (trades, i);
    const char *bad = NULL;
    if (!json_is_object (t))
        bad = "not an object";
    else
    if (s_string (t, "instrument_name", trade->instrument, sizeof trade->instrument))
        bad = "instrument_name";
    else
    if (s_string (t, "trade_id", trade->trade_id, sizeof trade->trade_id))
        bad = "trade_id";
    else
    if (s_side (t, &trade->side))
        bad = "direction";
    else
    if (s_number (t, "price", &trade->price) || trade->price <= 0)
        bad = "price";
    else
    if (s_number (t, "amount", &trade->amount) || trade->amount <= 0)
        bad = "amount";
    else
    if (s_integer (t, "timestamp", &trade->timestamp_ms))
        bad = "timestamp";
    else
    if (s_number_opt (t, "index_price", &trade->index_price) || trade->index_price < 0)
        bad = "index_price";
    else
    if (s_string_opt (t, "order_id", trade->order_id, sizeof trade->order_id))
        bad = "order_id";
    else
    if (s_string_opt (t, "label", trade->label, sizeof trade->label))
        bad = "label";
    else
    if (s_number_opt (t, "fee", &trade->fee))
        bad = "fee";
    else
    if (s_string_opt (t, "fee_currency", trade->fee_currency, sizeof trade->fee_currency))
        bad = "fee_currency";
    if (bad) {
        s_err (err, err_size, "trade %zu: %s missing or invalid", i, bad);
        return -1;
    }
    const char *liq = json_string_value (json_object_get (t, "liquidity"));
    trade->liquidity = liq && strcmp (liq, "M") == 0 ? 1 : liq && strcmp (liq, "T") == 0 ? 2 : 0;
    return 0;
}

int
deribit_order_parse (json_t *o, deribit_order_t *order, char *err, size_t err_size)
{
    memset (order, 0, sizeof *order);
    const char *bad = NULL;
    const char *state = json_string_value (json_object_get (o, "order_state"));
    if (!json_is_object (o))
        bad = "not an object";
    else
    if (s_string (o, "order_id", order->order_id, sizeof order->order_id))
        bad = "order_id";
    else
    if (s_string (o, "instrument_name", order->instrument, sizeof order->instrument))
        bad = "instrument_name";
    else
    if (s_string_opt (o, "label", order->label, sizeof order->label))
        bad = "label";
    else
    if (s_side (o, &order->side))
        bad = "direction";
    else
    if (s_number (o, "amount", &order->amount) || order->amount < 0)
        bad = "amount";
    else
    if (s_number_opt (o, "filled_amount", &order->filled_amount)
    ||  order->filled_amount < 0 || order->filled_amount > order->amount)
        bad = "filled_amount";
    else
    if (s_number_opt (o, "average_price", &order->average_price) || order->average_price < 0)
        bad = "average_price";
    else
    if (!state)
        bad = "order_state";
    if (!bad) {
        if (strcmp (state, "open") == 0)
            order->state = DERIBIT_ORDER_OPEN;
        else
        if (strcmp (state, "filled") == 0)
            order->state = DERIBIT_ORDER_FILLED;
        else
        if (strcmp (state, "rejected") == 0)
            order->state = DERIBIT_ORDER_REJECTED;
        else
        if (strcmp (state, "cancelled") == 0)
            order->state = DERIBIT_ORDER_CANCELLED;
        else
        if (strcmp (state, "untriggered") == 0)
            order->state = DERIBIT_ORDER_UNTRIGGERED;
        else
            bad = "order_state";
    }
    if (bad) {
        s_err (err, err_size, "order: %s missing or invalid", bad);
        return -1;
    }
    json_int_t ts = json_integer_value (json_object_get (o, "last_update_timestamp"));
    order->timestamp_ms = (int64_t) ts;
    const char *reason = json_string_value (json_object_get (o, "cancel_reason"));
    if (!reason)
        reason = json_string_value (json_object_get (o, "reject_reason"));
    snprintf (order->reason, sizeof order->reason, "%s", reason ? reason : "");
    return 0;
}

//  Deribit's far-future expiration of a perpetual (3000-01-01)
#define S_PERPETUAL_MS  32503680000000ll

int
deribit_instrument_parse (json_t *o, hb_instrument_t *out, char *err, size_t err_size)
{
    memset (out, 0, sizeof *out);
    char kind [24] = "", type [24] = "", period [24] = "", option [8] = "";
    double contract = 0, tick = 0, min = 0, strike = 0;
    int64_t expiry_ms = 0;
    const char *bad = NULL;
    if (!json_is_object (o))
        bad = "not an object";
    else
    if (s_string (o, "instrument_name", out->symbol, sizeof out->symbol))
        bad = "instrument_name";
    else
    if (s_string (o, "kind", kind, sizeof kind))
        bad = "kind";
    else
    if (s_string (o, "base_currency", out->asset, sizeof out->asset))
        bad = "base_currency";
    else
    if (s_string (o, "settlement_currency", out->settle, sizeof out->settle))
        bad = "settlement_currency";
    else
    if (s_string_opt (o, "instrument_type", type, sizeof type))
        bad = "instrument_type";
    else
    if (s_string_opt (o, "settlement_period", period, sizeof period))
        bad = "settlement_period";
    else
    if (s_number (o, "contract_size", &contract) || !(contract > 0))
        bad = "contract_size";
    else
    if (s_number (o, "tick_size", &tick) || !(tick > 0))
        bad = "tick_size";
    else
    if (s_number (o, "min_trade_amount", &min) || !(min > 0))
        bad = "min_trade_amount";
    else
    if (s_integer (o, "expiration_timestamp", &expiry_ms) || expiry_ms < 0)
        bad = "expiration_timestamp";
    if (bad) {
        s_err (err, err_size, "instrument: %s missing or invalid", bad);
        return -1;
    }
    //  combos are the venue's strategies, not instruments hb can hold
    if (strstr (kind, "combo"))
        return 0;
    //  'reversed': USD-sized contracts settled in the coin (inverse)
    bool inverse = strcmp (type, "reversed") == 0;
    bool perpetual = strcmp (period, "perpetual") == 0 || expiry_ms >= S_PERPETUAL_MS;
    out->multiplier = contract;
    out->tick_size = tick;
    //  amounts are in the contract's size unit (USD for inverse, coin
    //  otherwise): hb counts contracts
    out->lot_size = out->min_qty = min / contract;
    if (strcmp (kind, "spot") == 0) {
        out->kind = HB_KIND_SPOT;
        out->multiplier = 1;
        out->lot_size = out->min_qty = min;
    }
    else
    if (strcmp (kind, "future") == 0 && perpetual) {
        out->kind = inverse ? HB_KIND_INVERSE_PERP : HB_KIND_LINEAR_PERP;
        out->flags = inverse ? HB_INSTRUMENT_INVERSE : 0;
    }
    else
    if (strcmp (kind, "future") == 0) {
        out->kind = HB_KIND_FUTURE;
        out->flags = inverse ? HB_INSTRUMENT_INVERSE : 0;
        out->expiry_ns = expiry_ms * 1000000;
    }
    else
    if (strcmp (kind, "option") == 0) {
        out->kind = HB_KIND_OPTION;
        out->expiry_ns = expiry_ms * 1000000;
        if (s_number (o, "strike", &strike) || !(strike > 0))
            bad = "strike";
        else
        if (s_string (o, "option_type", option, sizeof option)
        ||  (strcmp (option, "call") != 0 && strcmp (option, "put") != 0))
            bad = "option_type";
        out->strike = strike;
        out->flags = strcmp (option, "call") == 0 ? HB_INSTRUMENT_CALL : 0;
    }
    else
        bad = "kind";
    if (bad) {
        s_err (err, err_size, "instrument %s: %s missing or invalid", out->symbol, bad);
        return -1;
    }
    return 1;
}

//  The instrument of a public channel "<prefix>.<instrument>.<interval>".
static int
s_channel_instrument (deribit_msg_t *msg, size_t prefix_len)
{
    const char *start = msg->channel + prefix_len;
    const char *dot = strchr (start, '.');
    size_t len = dot ? (size_t) (dot - start) : strlen (start);
    if (len == 0 || len >= sizeof msg->instrument)
        return -1;
    memcpy (msg->instrument, start, len);
    msg->instrument [len] = 0;
    return 0;
}

static int
s_malformed (deribit_msg_t *msg, const char *format, ...)
    __attribute__ ((format (printf, 2, 3)));
static int
s_malformed (deribit_msg_t *msg, const char *format, ...)
{
    va_list args;
    va_start (args, format);
    vsnprintf (msg->error, sizeof msg->error, format, args);
    va_end (args);
    msg->kind = DERIBIT_MSG_MALFORMED;
    return msg->kind;
}

static int
s_parse_book (deribit_msg_t *msg, json_t *data)
{
    deribit_book_msg_t *book = &msg->book;
    const char *type = json_string_value (json_object_get (data, "type"));
    if (!type || (strcmp (type, "snapshot") && strcmp (type, "change")))
        return s_malformed (msg, "%s: data.type is not snapshot or change", msg->channel);
    book->snapshot = strcmp (type, "snapshot") == 0;
    if (s_integer (data, "change_id", &book->change_id))
        return s_malformed (msg, "%s: data.change_id missing or not an integer", msg->channel);
    if (!book->snapshot && s_integer (data, "prev_change_id", &book->prev_change_id))
        return s_malformed (msg, "%s: data.prev_change_id missing or not an integer", msg->channel);
    if (s_integer (data, "timestamp", &book->timestamp_ms))
        book->timestamp_ms = 0;
    book->bids = json_object_get (data, "bids");
    book->asks = json_object_get (data, "asks");
    if (!json_is_array (book->bids) || !json_is_array (book->asks))
        return s_malformed (msg, "%s: data.bids / data.asks missing or not arrays", msg->channel);
    return msg->kind = DERIBIT_MSG_BOOK;
}

static int
s_parse_ticker (deribit_msg_t *msg, json_t *data)
{
    deribit_ticker_t *t = &msg->ticker;
    if (s_number (data, "mark_price", &t->mark_price) || t->mark_price < 0)
        return s_malformed (msg, "%s: data.mark_price missing or invalid", msg->channel);
    if (s_number_opt (data, "index_price", &t->index_price) || t->index_price < 0)
        return s_malformed (msg, "%s: data.index_price invalid", msg->channel);
    if (s_number_opt (data, "underlying_price", &t->underlying_price) || t->underlying_price < 0)
        return s_malformed (msg, "%s: data.underlying_price invalid", msg->channel);
    if (s_number_opt (data, "best_bid_price", &t->best_bid_price)
    ||  s_number_opt (data, "best_ask_price", &t->best_ask_price))
        return s_malformed (msg, "%s: data.best_bid_price / best_ask_price invalid", msg->channel);
    if (s_integer (data, "timestamp", &t->timestamp_ms))
        t->timestamp_ms = 0;
    json_t *iv = json_object_get (data, "mark_iv");
    if (iv && !json_is_null (iv)) {
        if (s_number (data, "mark_iv", &t->mark_iv) || t->mark_iv < 0)
            return s_malformed (msg, "%s: data.mark_iv invalid", msg->channel);
        t->has_iv = true;
    }
    json_t *greeks = json_object_get (data, "greeks");
    if (json_is_object (greeks)) {
        if (s_number_opt (greeks, "delta", &t->delta) || s_number_opt (greeks, "gamma", &t->gamma)
        ||  s_number_opt (greeks, "vega", &t->vega) || s_number_opt (greeks, "theta", &t->theta)
        ||  s_number_opt (greeks, "rho", &t->rho))
            return s_malformed (msg, "%s: data.greeks has a field that is not a number", msg->channel);
        t->has_greeks = true;
    }
    if (s_string_opt (data, "state", t->state, sizeof t->state))
        return s_malformed (msg, "%s: data.state invalid", msg->channel);
    return msg->kind = DERIBIT_MSG_TICKER;
}

static int
s_parse_notification (deribit_msg_t *msg, json_t *params)
{
    if (s_string (params, "channel", msg->channel, sizeof msg->channel))
        return s_malformed (msg, "params.channel missing, not a string or too long");
    json_t *data = json_object_get (params, "data");
    if (!data)
        return s_malformed (msg, "%s: params.data missing", msg->channel);
    if (strncmp (msg->channel, "book.", 5) == 0) {
        if (!json_is_object (data) || s_channel_instrument (msg, 5))
            return s_malformed (msg, "%s: bad instrument or data not an object", msg->channel);
        return s_parse_book (msg, data);
    }
    if (strncmp (msg->channel, "ticker.", 7) == 0) {
        if (!json_is_object (data) || s_channel_instrument (msg, 7))
            return s_malformed (msg, "%s: bad instrument or data not an object", msg->channel);
        return s_parse_ticker (msg, data);
    }
    if (strncmp (msg->channel, "trades.", 7) == 0) {
        if (!json_is_array (data) || s_channel_instrument (msg, 7))
            return s_malformed (msg, "%s: bad instrument or data not an array", msg->channel);
        msg->trades = data;
        return msg->kind = DERIBIT_MSG_TRADES;
    }
    if (strncmp (msg->channel, "user.orders.", 12) == 0) {
        if (deribit_order_parse (data, &msg->order, msg->error, sizeof msg->error))
            return msg->kind = DERIBIT_MSG_MALFORMED;
        return msg->kind = DERIBIT_MSG_USER_ORDER;
    }
    if (strncmp (msg->channel, "user.trades.", 12) == 0) {
        if (!json_is_array (data))
            return s_malformed (msg, "%s: data is not an array", msg->channel);
        msg->trades = data;
        return msg->kind = DERIBIT_MSG_USER_TRADES;
    }
    snprintf (msg->error, sizeof msg->error, "unknown channel '%s'", msg->channel);
    return msg->kind = DERIBIT_MSG_UNKNOWN;
}

static int
s_parse_response (deribit_msg_t *msg, json_t *root)
{
    deribit_response_t *r = &msg->response;
    if (s_integer (root, "id", &r->id))
        return s_malformed (msg, "response: id is not an integer");
    json_t *error = json_object_get (root, "error");
    if (error) {
        r->is_error = true;
        int64_t code = 0;
        if (!json_is_object (error) || s_integer (error, "code", &code))
            return s_malformed (msg, "response %lld: error.code missing", (long long) r->id);
        r->error_code = (int) code;
        const char *text = json_string_value (json_object_get (error, "message"));
        snprintf (r->error_message, sizeof r->error_message, "%s", text ? text : "");
    }
    else
        r->result = json_object_get (root, "result");
    return msg->kind = DERIBIT_MSG_RESPONSE;
}

int
deribit_msg_parse (deribit_msg_t *msg, hb_json_t *parser, const char *text, size_t len)
{
    deribit_msg_reset (msg);
    char err [HB_JSON_ERR_MAX];
    msg->root = hb_json_parse (parser, text, len, err, sizeof err);
    if (!msg->root)
        return s_malformed (msg, "not JSON: %s", err);
    if (!json_is_object (msg->root))
        return s_malformed (msg, "not a JSON-RPC object");
    json_t *root = msg->root;
    const char *method = json_string_value (json_object_get (root, "method"));
    if (method) {
        json_t *params = json_object_get (root, "params");
        if (strcmp (method, "subscription") == 0) {
            if (!json_is_object (params))
                return s_malformed (msg, "subscription: params is not an object");
            return s_parse_notification (msg, params);
        }
        if (strcmp (method, "heartbeat") == 0) {
            const char *type = json_string_value (json_object_get (params, "type"));
            msg->test_request = type && strcmp (type, "test_request") == 0;
            return msg->kind = DERIBIT_MSG_HEARTBEAT;
        }
        snprintf (msg->error, sizeof msg->error, "unknown method '%.64s'", method);
        return msg->kind = DERIBIT_MSG_UNKNOWN;
    }
    if (json_object_get (root, "id") && (json_object_get (root, "result")
                                          || json_object_get (root, "error")))
        return s_parse_response (msg, root);
    return s_malformed (msg, "neither a response (id + result/error) nor a method call");
}

void
deribit_msg_reset (deribit_msg_t *msg)
{
    if (!msg)
        return;
    //  only the parts a parse sets; the struct is large and this is per frame
    msg->root = NULL;
    msg->trades = NULL;
    msg->kind = DERIBIT_MSG_NONE;
    msg->error [0] = 0;
    msg->channel [0] = 0;
    msg->instrument [0] = 0;
    msg->test_request = false;
    memset (&msg->response, 0, sizeof msg->response);
    memset (&msg->book, 0, sizeof msg->book);
    memset (&msg->ticker, 0, sizeof msg->ticker);
}
