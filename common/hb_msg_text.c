/*  hb_msg_text: the human-facing side of hb_msg.h: names of types, enums
    and decode failures, topics, and one JSON object per message (what
    hb-tap prints). The codec itself is in hb_msg.c.                       */
#include "hb_msg.h"
#include "hb_num.h"

#include <assert.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

//  ---------------------------------------------------------------------------
//  Names

static const char *s_type_names [HB_MSG_TYPE_COUNT] = {
    [HB_MSG_TICK] = "tick", [HB_MSG_TRADE] = "trade", [HB_MSG_ORDER] = "order",
    [HB_MSG_CANCEL] = "cancel", [HB_MSG_ACK] = "ack", [HB_MSG_FILL] = "fill",
    [HB_MSG_HEARTBEAT] = "heartbeat", [HB_MSG_POSITION] = "position",
    [HB_MSG_EXPOSURE] = "exposure", [HB_MSG_MARGIN] = "margin",
    [HB_MSG_SNAPSHOT_END] = "snapshot_end",
    [HB_MSG_RISK_EXPOSURE] = "risk_exposure", [HB_MSG_RISK_HEDGE] = "risk_hedge",
    [HB_MSG_HEDGE_REJECT] = "hedge_reject", [HB_MSG_HEDGER_CONTROL] = "hedger_control",
    [HB_MSG_APPLOG] = "applog", [HB_MSG_CAPITAL_PLAN] = "capital_plan",
    [HB_MSG_RISK_REGIME] = "risk_regime", [HB_MSG_RISK_CORR] = "risk_corr",
    [HB_MSG_ACCOUNT] = "account", [HB_MSG_FUNDING] = "funding",
    [HB_MSG_CAPITAL_TRANSFER] = "capital_transfer", [HB_MSG_CAPITAL_REDUCE] = "capital_reduce",
    [HB_MSG_RISK_OPTPLAN] = "risk_optplan",
    [HB_MSG_INSTRUMENT] = "instrument"
};

//  hb_optplan_reason_t's names (risk/hb_optplan.h), as risk.optplan carries them
static const char *const s_optplan_reasons [HB_OPTPLAN_MSG_REASONS] = {
    "ok", "inside", "no_candidates", "infeasible", "limits", "lots", "bad_input", "solver"
};

static const char *const s_regime_states [HB_RISK_REGIME_STATES] = { "stable", "shifting", "shifted" };
static const char *const s_regime_kinds [HB_RISK_REGIME_KINDS] = { "none", "corr_down", "corr_up" };

static const char *s_reason_names [HB_DECODE_REASON_COUNT] = {
    [HB_DECODE_OK] = "ok", [HB_DECODE_TRUNCATED] = "truncated",
    [HB_DECODE_MALFORMED] = "malformed", [HB_DECODE_OVERSIZED] = "oversized",
    [HB_DECODE_VERSION] = "version", [HB_DECODE_TYPE] = "type",
    [HB_DECODE_FIELD_TYPE] = "field_type", [HB_DECODE_RANGE] = "range",
    [HB_DECODE_PART] = "part"
};

static const char *s_reject_names [HB_REJ_COUNT] = {
    [HB_REJ_NONE] = "none",
    [HB_REJ_UNKNOWN_INSTRUMENT] = "unknown_instrument",
    [HB_REJ_BELOW_MIN_SIZE] = "below_min_size",
    [HB_REJ_OFF_LOT] = "off_lot",
    [HB_REJ_INSUFFICIENT_COLLATERAL] = "insufficient_collateral",
    [HB_REJ_OUTAGE] = "outage",
    [HB_REJ_BAD_PRICE] = "bad_price",
    [HB_REJ_BAD_ORDER] = "bad_order",
    [HB_REJ_DUPLICATE_ID] = "duplicate_id",
    [HB_REJ_UNKNOWN_ORDER] = "unknown_order",
    [HB_REJ_NO_LIQUIDITY] = "no_liquidity",
    [HB_REJ_RATE_LIMIT] = "rate_limit",
    [HB_REJ_VENUE] = "venue",
    [HB_REJ_EXPIRED] = "expired"
};

static const char *s_status_names [] = {
    [HB_ACK_ACCEPTED] = "accepted", [HB_ACK_REJECTED] = "rejected",
    [HB_ACK_CANCELED] = "canceled", [HB_ACK_DONE] = "done"
};

static const char *s_side_names [] = {
    [HB_SIDE_BUY] = "buy", [HB_SIDE_SELL] = "sell"
};

static const char *s_plan_reason_names [HB_PLAN_REASON_COUNT] = {
    [HB_PLAN_REASON_NONE] = "none", [HB_PLAN_REASON_NO_ROUTE] = "no_route",
    [HB_PLAN_REASON_TOO_SLOW] = "too_slow", [HB_PLAN_REASON_NO_SURPLUS] = "no_surplus",
    [HB_PLAN_REASON_LIMIT] = "limit", [HB_PLAN_REASON_BREACH] = "breach"
};

static const char *s_transfer_status_names [HB_TRANSFER_STATUS_COUNT] = {
    [HB_TRANSFER_SUGGESTED] = "suggested", [HB_TRANSFER_REQUESTED] = "requested",
    [HB_TRANSFER_SENT] = "sent", [HB_TRANSFER_CREDITED] = "credited",
    [HB_TRANSFER_REFUSED] = "refused", [HB_TRANSFER_TIMED_OUT] = "timed_out"
};

//  Looks index up in a table with holes; NULL entries read as "unknown".
static const char *
s_lookup (const char *const *table, size_t count, int index)
{
    if (index < 0 || (size_t) index >= count || !table [index])
        return "unknown";
    return table [index];
}

#define S_LOOKUP(table, index) s_lookup (table, sizeof (table) / sizeof (table [0]), index)

const char *
hb_msg_type_name (int type)
{
    return S_LOOKUP (s_type_names, type);
}

const char *
hb_plan_reason_name (int reason)
{
    return S_LOOKUP (s_plan_reason_names, reason);
}

const char *
hb_transfer_status_name (int status)
{
    return S_LOOKUP (s_transfer_status_names, status);
}

int
hb_transfer_status_parse (const char *name)
{
    for (int i = 0; name && i < HB_TRANSFER_STATUS_COUNT; i++)
        if (strcmp (name, s_transfer_status_names [i]) == 0)
            return i;
    return -1;
}

const char *
hb_decode_reason_name (hb_decode_reason_t reason)
{
    return S_LOOKUP (s_reason_names, (int) reason);
}

const char *
hb_reject_name (int reason)
{
    return S_LOOKUP (s_reject_names, reason);
}

const char *
hb_ack_status_name (int status)
{
    return S_LOOKUP (s_status_names, status);
}

const char *
hb_side_name (int side)
{
    return S_LOOKUP (s_side_names, side);
}

bool
hb_tick_crossed (const hb_tick_t *tick)
{
    return tick->n_bids > 0 && tick->n_asks > 0 && tick->bids [0].px >= tick->asks [0].px;
}

//  ---------------------------------------------------------------------------
//  Topics

//  Writes prefix.a[.b]; names are at most HB_NAME_MAX - 1 bytes, so the
//  longest topic ("cancel." + 31 + "." + 31) fits HB_TOPIC_MAX.
static int
s_topic_join (char *topic, const char *prefix, const char *a, const char *b)
{
    if (!hb_name_valid (a) || (b && !hb_name_valid (b)))
        return -1;
    size_t len = 0;
    const char *parts [3] = { prefix, a, b };
    for (int i = 0; i < 3 && parts [i]; i++) {
        if (i > 0)
            topic [len++] = '.';
        size_t part = strlen (parts [i]);
        memcpy (topic + len, parts [i], part);
        len += part;
    }
    topic [len] = '\0';
    return (int) len;
}

int
hb_msg_topic (const hb_msg_t *msg, char *topic)
{
    const char *prefix = hb_msg_type_name (msg->env.type);
    switch (msg->env.type) {
        case HB_MSG_TICK:
            return s_topic_join (topic, prefix, msg->u.tick.venue, msg->u.tick.symbol);
        case HB_MSG_TRADE:
            return s_topic_join (topic, prefix, msg->u.trade.venue, msg->u.trade.symbol);
        case HB_MSG_ORDER:
            return s_topic_join (topic, prefix, msg->u.order.venue, msg->u.order.symbol);
        case HB_MSG_CANCEL:
            return s_topic_join (topic, prefix, msg->u.cancel.venue, msg->u.cancel.symbol);
        case HB_MSG_ACK:
            return s_topic_join (topic, prefix, msg->u.ack.venue, msg->u.ack.symbol);
        case HB_MSG_FILL:
            return s_topic_join (topic, prefix, msg->u.fill.venue, msg->u.fill.symbol);
        case HB_MSG_HEARTBEAT:
            return s_topic_join (topic, "hb", msg->u.heartbeat.component, NULL);
        case HB_MSG_POSITION: {
            //  pos.<asset>.<venue>.<symbol>: three names of the longest kind
            //  would not fit HB_TOPIC_MAX; such a position has no topic
            int len = s_topic_join (topic, "pos", msg->u.position.asset, msg->u.position.venue);
            if (len < 0 || !hb_name_valid (msg->u.position.symbol)
            ||  len + 1 + strlen (msg->u.position.symbol) >= HB_TOPIC_MAX)
                return -1;
            topic [len++] = '.';
            strcpy (topic + len, msg->u.position.symbol);
            return len + (int) strlen (msg->u.position.symbol);
        }
        case HB_MSG_EXPOSURE:
            return s_topic_join (topic, "pos", msg->u.exposure.asset, NULL);
        case HB_MSG_MARGIN:
            return s_topic_join (topic, "margin", msg->u.margin.venue, NULL);
        case HB_MSG_SNAPSHOT_END:
            strcpy (topic, "snapshot.end");
            return (int) strlen (topic);
        case HB_MSG_RISK_EXPOSURE:
            strcpy (topic, "risk.exposure");
            return (int) strlen (topic);
        case HB_MSG_RISK_HEDGE:
            strcpy (topic, "risk.hedge");
            return (int) strlen (topic);
        case HB_MSG_RISK_REGIME:
            strcpy (topic, "risk.regime");
            return (int) strlen (topic);
        case HB_MSG_RISK_CORR:
            strcpy (topic, "risk.corr");
            return (int) strlen (topic);
        case HB_MSG_RISK_OPTPLAN:
            strcpy (topic, "risk.optplan");
            return (int) strlen (topic);
        case HB_MSG_HEDGE_REJECT:
            strcpy (topic, "hedger.reject");
            return (int) strlen (topic);
        case HB_MSG_HEDGER_CONTROL:
            strcpy (topic, "hedger.control");
            return (int) strlen (topic);
        case HB_MSG_APPLOG:
            //  the publisher's own log: seq.<publisher>
            if (!hb_name_valid (msg->env.publisher))
                return -1;
            return snprintf (topic, HB_TOPIC_MAX, "seq.%s", msg->env.publisher);
        case HB_MSG_CAPITAL_PLAN:
            return s_topic_join (topic, "capital.plan", msg->u.capital_plan.venue, NULL);
        case HB_MSG_ACCOUNT:
            return s_topic_join (topic, "account", msg->u.account.venue, NULL);
        case HB_MSG_CAPITAL_TRANSFER:
            return s_topic_join (topic, "capital.transfer", msg->u.transfer.from, msg->u.transfer.to);
        case HB_MSG_CAPITAL_REDUCE:
            return s_topic_join (topic, "capital.reduce", msg->u.reduce.venue, NULL);
        case HB_MSG_FUNDING:
            return s_topic_join (topic, "funding", msg->u.funding.venue, msg->u.funding.symbol);
        case HB_MSG_INSTRUMENT:
            return s_topic_join (topic, "instrument", msg->u.instrument.venue, NULL);
        default:
            return -1;
    }
}


//  ---------------------------------------------------------------------------
//  JSON

static const char *s_ord_type_names [] = { [HB_ORD_MARKET] = "market", [HB_ORD_LIMIT] = "limit" };
static const char *s_tif_names [] = { [HB_TIF_IOC] = "ioc", [HB_TIF_GTC] = "gtc" };
static const char *s_liquidity_names [] = { [1] = "maker", [2] = "taker" };

//  Output that stops quietly at the end of the caller's buffer, always
//  NUL-terminated; comma tracks whether the next member needs one.
typedef struct {
    char  *out;
    size_t size;
    size_t len;
    bool   comma;
} s_json_t;

static void
s_raw (s_json_t *self, const char *text, size_t len)
{
    if (self->size == 0)
        return;
    size_t room = self->size - 1 - self->len;
    if (len > room)
        len = room;
    memcpy (self->out + self->len, text, len);
    self->len += len;
    self->out [self->len] = '\0';
}

static void
s_lit (s_json_t *self, const char *text)
{
    s_raw (self, text, strlen (text));
}

static void
s_key (s_json_t *self, const char *key)
{
    if (self->comma)
        s_lit (self, ",");
    s_lit (self, "\"");
    s_lit (self, key);
    s_lit (self, "\":");
    self->comma = true;
}

static void
s_open (s_json_t *self, const char *key)
{
    if (key)
        s_key (self, key);
    s_lit (self, "{");
    self->comma = false;
}

static void
s_close (s_json_t *self)
{
    s_lit (self, "}");
    self->comma = true;
}

//  Length of the valid UTF-8 sequence (2..4 bytes) at text, 0 if none:
//  overlong forms, surrogates and code points above U+10FFFF are invalid.
static size_t
s_utf8_len (const unsigned char *text, size_t left)
{
    size_t len;
    uint32_t code;
    if (text [0] >= 0xc2 && text [0] <= 0xdf)
        len = 2, code = text [0] & 0x1f;
    else
    if (text [0] >= 0xe0 && text [0] <= 0xef)
        len = 3, code = text [0] & 0x0f;
    else
    if (text [0] >= 0xf0 && text [0] <= 0xf4)
        len = 4, code = text [0] & 0x07;
    else
        return 0;
    if (len > left)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((text [i] & 0xc0) != 0x80)
            return 0;
        code = (code << 6) | (text [i] & 0x3f);
    }
    if ((len == 3 && (code < 0x800 || (code >= 0xd800 && code <= 0xdfff)))
    ||  (len == 4 && (code < 0x10000 || code > 0x10ffff)))
        return 0;
    return len;
}

//  A JSON string of at most capacity bytes of text: quotes, backslashes and
//  control bytes escaped, valid UTF-8 kept, any other byte shown as U+FFFD,
//  so the line is valid JSON whatever a venue put in its reject text.
static void
s_string (s_json_t *self, const char *text, size_t capacity)
{
    const unsigned char *bytes = (const unsigned char *) text;
    size_t len = strnlen (text, capacity);
    s_lit (self, "\"");
    size_t i = 0;
    while (i < len) {
        size_t run = i;             //  bytes that go out as they are
        while (run < len && bytes [run] >= 0x20 && bytes [run] < 0x7f
               && bytes [run] != '"' && bytes [run] != '\\')
            run++;
        s_raw (self, text + i, run - i);
        if ((i = run) == len)
            break;
        unsigned char c = bytes [i];
        char escape [8];
        size_t utf8 = c >= 0x80? s_utf8_len (bytes + i, len - i): 0;
        if (utf8) {
            s_raw (self, text + i, utf8);
            i += utf8;
            continue;
        }
        if (c == '"' || c == '\\')
            snprintf (escape, sizeof escape, "\\%c", c);
        else
        if (c == '\n')
            snprintf (escape, sizeof escape, "\\n");
        else
        if (c == '\t')
            snprintf (escape, sizeof escape, "\\t");
        else
        if (c == '\r')
            snprintf (escape, sizeof escape, "\\r");
        else
        if (c < 0x80)
            snprintf (escape, sizeof escape, "\\u%04x", c);
        else
            snprintf (escape, sizeof escape, "\\ufffd");
        s_lit (self, escape);
        i++;
    }
    s_lit (self, "\"");
}

static void
s_str_member (s_json_t *self, const char *key, const char *text, size_t capacity)
{
    s_key (self, key);
    s_string (self, text, capacity);
}

static void
s_uint_member (s_json_t *self, const char *key, uint64_t value)
{
    char text [24];
    snprintf (text, sizeof text, "%" PRIu64, value);
    s_key (self, key);
    s_lit (self, text);
}

static void
s_int_member (s_json_t *self, const char *key, int64_t value)
{
    char text [24];
    snprintf (text, sizeof text, "%" PRId64, value);
    s_key (self, key);
    s_lit (self, text);
}

//  The shortest of %.15g, %.16g, %.17g that reads back as the same double
//  (so 0.1 prints as 0.1 and 65000 as 65000); null when not finite.
static void
s_double (s_json_t *self, double value)
{
    if (!isfinite (value)) {
        s_lit (self, "null");
        return;
    }
    char text [32];
    hb_num_shortest (value, text, sizeof text);
    s_lit (self, text);
}

static void
s_double_member (s_json_t *self, const char *key, double value)
{
    s_key (self, key);
    s_double (self, value);
}

static void
s_name_member (s_json_t *self, const char *key, const char *name)
{
    s_key (self, key);
    s_string (self, name, HB_TOPIC_MAX);
}

static void
s_levels (s_json_t *self, const char *key, const hb_level_t *levels, uint8_t count)
{
    s_key (self, key);
    s_lit (self, "[");
    for (size_t i = 0; i < count && i < HB_BOOK_DEPTH; i++) {
        s_lit (self, i > 0? ",[": "[");
        s_double (self, levels [i].px);
        s_lit (self, ",");
        s_double (self, levels [i].qty);
        s_lit (self, "]");
    }
    s_lit (self, "]");
}

#define S_STR(self, record, field) \
    s_str_member (self, #field, (record)->field, sizeof (record)->field)

static void
s_tick_json (s_json_t *self, const hb_tick_t *tick)
{
    S_STR (self, tick, venue);
    S_STR (self, tick, symbol);
    s_uint_member (self, "flags", tick->flags);
    s_double_member (self, "mark", tick->mark);
    s_double_member (self, "mark_iv", tick->mark_iv);
    s_double_member (self, "underlying", tick->underlying);
    s_key (self, "crossed");
    s_lit (self, hb_tick_crossed (tick)? "true": "false");
    s_levels (self, "bids", tick->bids, tick->n_bids);
    s_levels (self, "asks", tick->asks, tick->n_asks);
}

static void
s_trade_json (s_json_t *self, const hb_trade_t *trade)
{
    S_STR (self, trade, venue);
    S_STR (self, trade, symbol);
    S_STR (self, trade, trade_id);
    s_name_member (self, "side", hb_side_name (trade->side));
    s_double_member (self, "px", trade->px);
    s_double_member (self, "qty", trade->qty);
}

static void
s_order_json (s_json_t *self, const hb_order_t *order)
{
    S_STR (self, order, venue);
    S_STR (self, order, symbol);
    S_STR (self, order, client_id);
    s_name_member (self, "side", hb_side_name (order->side));
    s_name_member (self, "ord_type", S_LOOKUP (s_ord_type_names, order->ord_type));
    s_name_member (self, "tif", S_LOOKUP (s_tif_names, order->tif));
    s_double_member (self, "qty", order->qty);
    s_double_member (self, "px", order->px);
}

static void
s_cancel_json (s_json_t *self, const hb_cancel_t *cancel)
{
    S_STR (self, cancel, venue);
    S_STR (self, cancel, symbol);
    S_STR (self, cancel, client_id);
}

static void
s_ack_json (s_json_t *self, const hb_ack_t *ack)
{
    S_STR (self, ack, venue);
    S_STR (self, ack, symbol);
    S_STR (self, ack, client_id);
    S_STR (self, ack, order_id);
    s_name_member (self, "status", hb_ack_status_name (ack->status));
    s_name_member (self, "reason", hb_reject_name (ack->reason));
    S_STR (self, ack, text);
    s_double_member (self, "filled_qty", ack->filled_qty);
    s_double_member (self, "leaves_qty", ack->leaves_qty);
}

static void s_bits_member (s_json_t *self, const char *key, uint32_t flags,
                           const char *const *names, int count);

static void
s_fill_json (s_json_t *self, const hb_fill_t *fill)
{
    S_STR (self, fill, venue);
    S_STR (self, fill, symbol);
    S_STR (self, fill, client_id);
    S_STR (self, fill, order_id);
    S_STR (self, fill, fill_id);
    s_name_member (self, "side", hb_side_name (fill->side));
    s_name_member (self, "liquidity", S_LOOKUP (s_liquidity_names, fill->liquidity));
    s_double_member (self, "px", fill->px);
    s_double_member (self, "qty", fill->qty);
    s_double_member (self, "fee", fill->fee);
    S_STR (self, fill, fee_asset);
    static const char *const flags [] = { "external", "liquidation" };
    s_bits_member (self, "flags", fill->flags, flags, 2);
}

static void
s_heartbeat_json (s_json_t *self, const hb_heartbeat_t *hb)
{
    S_STR (self, hb, component);
    s_uint_member (self, "uptime_ms", hb->uptime_ms);
    s_uint_member (self, "last_seq", hb->last_seq);
    s_uint_member (self, "msgs_in", hb->msgs_in);
    s_uint_member (self, "msgs_out", hb->msgs_out);
    s_uint_member (self, "gaps", hb->gaps);
    s_uint_member (self, "drops", hb->drops);
    s_uint_member (self, "decode_errors", hb->decode_errors);
    s_uint_member (self, "restarts_seen", hb->restarts_seen);
    s_uint_member (self, "queue_depth", hb->queue_depth);
    s_uint_member (self, "lat_p50_ns", hb->lat_p50_ns);
    s_uint_member (self, "lat_p99_ns", hb->lat_p99_ns);
    s_uint_member (self, "lat_p999_ns", hb->lat_p999_ns);
    s_uint_member (self, "status", hb->status);
}

static void
s_flags_member (s_json_t *self, uint32_t flags)
{
    static const struct { uint32_t bit; const char *name; } names [] = {
        { HB_POS_STALE, "stale" }, { HB_POS_NO_MARK, "no_mark" },
        { HB_MARGIN_TRUNCATED, "truncated" }, { HB_MARGIN_BREACH, "breach" },
        { HB_MARGIN_VENUE, "venue" }, { HB_MARGIN_MISMATCH, "mismatch" },
        { HB_MARGIN_RECONCILED, "reconciled" }, { HB_MARGIN_TOPUP, "topup" }
    };
    s_key (self, "flags");
    s_lit (self, "[");
    bool first = true;
    for (size_t i = 0; i < sizeof names / sizeof names [0]; i++)
        if (flags & names [i].bit) {
            if (!first)
                s_lit (self, ",");
            s_string (self, names [i].name, HB_NAME_MAX);
            first = false;
        }
    s_lit (self, "]");
}

static const char *const s_kinds [] = { "?", "spot", "linear_perp", "inverse_perp", "future", "option" };

static void
s_instrument_json (s_json_t *self, const hb_instrument_t *ins)
{
    static const char *const flags [] = { "delisted", "inverse", "call" };
    S_STR (self, ins, venue);
    S_STR (self, ins, symbol);
    S_STR (self, ins, asset);
    s_name_member (self, "kind", S_LOOKUP (s_kinds, ins->kind));
    s_bits_member (self, "flags", ins->flags, flags, 3);
    s_double_member (self, "multiplier", ins->multiplier);
    s_double_member (self, "tick_size", ins->tick_size);
    s_double_member (self, "lot_size", ins->lot_size);
    s_double_member (self, "min_qty", ins->min_qty);
    s_int_member (self, "expiry_ns", ins->expiry_ns);
    s_double_member (self, "strike", ins->strike);
    S_STR (self, ins, settle);
    S_STR (self, ins, underlying);
}

static void
s_position_json (s_json_t *self, const hb_position_t *pos)
{
    S_STR (self, pos, venue);
    S_STR (self, pos, symbol);
    S_STR (self, pos, asset);
    s_name_member (self, "kind", S_LOOKUP (s_kinds, pos->kind));
    s_flags_member (self, pos->flags);
    s_double_member (self, "qty", pos->qty);
    s_double_member (self, "entry_px", pos->entry_px);
    s_double_member (self, "mark_px", pos->mark_px);
    s_double_member (self, "realized", pos->realized);
    s_double_member (self, "fees", pos->fees);
    s_double_member (self, "unrealized", pos->unrealized);
    s_double_member (self, "exposure_usd", pos->exposure_usd);
    S_STR (self, pos, settle);
    s_uint_member (self, "fills", pos->fills);
    s_int_member (self, "mark_ts", pos->mark_ts);
    S_STR (self, pos, last_fill);
    s_uint_member (self, "last_fill_epoch", pos->last_fill_epoch);
    s_uint_member (self, "last_fill_seq", pos->last_fill_seq);
}

static void
s_exposure_json (s_json_t *self, const hb_exposure_t *exp)
{
    S_STR (self, exp, asset);
    s_flags_member (self, exp->flags);
    s_double_member (self, "price", exp->price);
    s_double_member (self, "net_qty", exp->net_qty);
    s_double_member (self, "net_usd", exp->net_usd);
    s_double_member (self, "gross_usd", exp->gross_usd);
    s_uint_member (self, "positions", exp->positions);
}

static void
s_margin_json (s_json_t *self, const hb_margin_t *margin)
{
    S_STR (self, margin, venue);
    s_flags_member (self, margin->flags);
    s_double_member (self, "collateral_usd", margin->collateral_usd);
    s_double_member (self, "unrealized_usd", margin->unrealized_usd);
    s_double_member (self, "equity_usd", margin->equity_usd);
    s_double_member (self, "initial_usd", margin->initial_usd);
    s_double_member (self, "maintenance_usd", margin->maintenance_usd);
    s_double_member (self, "utilization", margin->utilization);
    s_key (self, "assets");
    s_lit (self, "[");
    for (int i = 0; i < margin->n_assets && i < HB_MARGIN_ASSETS; i++) {
        const hb_margin_asset_t *asset = &margin->assets [i];
        if (i > 0)
            s_lit (self, ",");
        self->comma = false;
        s_lit (self, "{");
        S_STR (self, asset, asset);
        s_double_member (self, "exposure_usd", asset->exposure_usd);
        s_key (self, "liq_move");
        if (asset->has_liq)
            s_double (self, asset->liq_move);
        else
            s_lit (self, "null");
        s_lit (self, "}");
    }
    s_lit (self, "]");
    self->comma = true;
}

//  Names of the set bits of flags, as a JSON array member.
static void
s_bits_member (s_json_t *self, const char *key, uint32_t flags, const char *const *names, int count)
{
    s_key (self, key);
    s_lit (self, "[");
    bool first = true;
    for (int i = 0; i < count; i++)
        if (flags & (1u << i)) {
            if (!first)
                s_lit (self, ",");
            s_string (self, names [i], HB_NAME_MAX);
            first = false;
        }
    s_lit (self, "]");
}

//  One part of a risk sample: where it sits in the sample, then the
//  portfolio fields and this part's asset rows (docs/PROTOCOL.md, JSON).
static void
s_risk_exposure_json (s_json_t *self, const hb_risk_exposure_t *risk)
{
    static const char *const flags [] = { "no_positions", "warming_up", "plan_failed",
                                          "positions_pending" };
    static const char *const asset_flags [] = { "stale", "hedgeable", "forward_stale", "gamma_band",
                                                "vega_band", "unhedgeable" };
    int n = risk->count <= HB_RISK_PART_ASSETS ? risk->count : HB_RISK_PART_ASSETS;
    s_uint_member (self, "sample", risk->sample);
    s_uint_member (self, "part", risk->part);
    s_uint_member (self, "parts", risk->parts);
    s_uint_member (self, "n_assets", risk->n_assets);
    s_uint_member (self, "first", risk->first);
    s_bits_member (self, "flags", risk->flags, flags, 4);
    s_uint_member (self, "samples", risk->samples);
    s_double_member (self, "sample_s", risk->sample_s);
    s_double_member (self, "horizon_s", risk->horizon_s);
    s_double_member (self, "confidence", risk->confidence);
    s_double_member (self, "var_usd", risk->var_usd);
    s_double_member (self, "stress_var_usd", risk->stress_var_usd);
    s_double_member (self, "stress_corr", risk->stress_corr);
    s_double_member (self, "unhedged_sigma", risk->unhedged_sigma);
    s_double_member (self, "residual_sigma", risk->residual_sigma);
    s_double_member (self, "effectiveness", risk->effectiveness);
    int n_edges = risk->n_vega_edges < HB_RISK_VEGA_BUCKETS ? risk->n_vega_edges : HB_RISK_VEGA_BUCKETS - 1;
    s_key (self, "vega_edges");
    s_lit (self, "[");
    for (int b = 0; b < n_edges; b++) {
        char text [8];
        snprintf (text, sizeof text, "%s%u", b ? "," : "", (unsigned) risk->vega_edges [b]);
        s_lit (self, text);
    }
    s_lit (self, "]");
    self->comma = true;
    s_key (self, "assets");
    s_lit (self, "[");
    for (int i = 0; i < n; i++) {
        const hb_risk_asset_t *a = &risk->assets [i];
        if (i > 0)
            s_lit (self, ",");
        self->comma = false;
        s_lit (self, "{");
        S_STR (self, a, asset);
        s_bits_member (self, "flags", a->flags, asset_flags, 6);
        s_double_member (self, "index", a->index);
        s_double_member (self, "exposure_usd", a->exposure_usd);
        s_double_member (self, "delta1_usd", a->delta1_usd);
        s_double_member (self, "option_delta_usd", a->option_delta_usd);
        s_double_member (self, "gamma", a->gamma);
        s_double_member (self, "vega", a->vega);
        s_double_member (self, "theta", a->theta);
        s_double_member (self, "rho", a->rho);
        s_double_member (self, "vol", a->vol);
        s_double_member (self, "contribution", a->contribution);
        s_double_member (self, "residual_usd", a->residual_usd);
        s_double_member (self, "gamma_usd", a->gamma_usd);
        s_double_member (self, "theta_day", a->theta_day);
        s_key (self, "vega_buckets");
        s_lit (self, "[");
        for (int b = 0; b <= n_edges; b++) {
            if (b > 0)
                s_lit (self, ",");
            s_double (self, a->vega_bucket [b]);
        }
        s_lit (self, "]");
        self->comma = true;
        s_double_member (self, "delta_coin", a->delta_coin);
        s_double_member (self, "gamma_coin", a->gamma_coin);
        s_double_member (self, "vega_coin", a->vega_coin);
        s_double_member (self, "theta_coin", a->theta_coin);
        s_double_member (self, "value_coin", a->value_coin);
        s_lit (self, "}");
    }
    s_lit (self, "]");
    self->comma = true;
    //  each pair by its assets' indices in the sample (pair k of the
    //  triangle: (a, b)), and their names when this part holds them
    int total = risk->n_assets;
    s_key (self, "regimes");
    s_lit (self, "[");
    for (int i = 0; i < risk->n_regimes && i < HB_RISK_REGIMES_MAX; i++) {
        const hb_risk_pair_regime_t *pr = &risk->regimes [i];
        int a = 0, k = pr->pair;
        while (a < total - 1 && k >= total - 1 - a) {
            k -= total - 1 - a;
            a++;
        }
        int b = a + 1 + k;
        s_lit (self, i > 0 ? ",{" : "{");
        self->comma = false;
        s_uint_member (self, "pair", pr->pair);
        s_uint_member (self, "a", (uint64_t) a);
        s_uint_member (self, "b", (uint64_t) b);
        s_name_member (self, "target", a >= risk->first && a - risk->first < n
                                       ? risk->assets [a - risk->first].asset : "");
        s_name_member (self, "proxy", b >= risk->first && b - risk->first < n
                                      ? risk->assets [b - risk->first].asset : "");
        s_name_member (self, "state", S_LOOKUP (s_regime_states, pr->state));
        s_name_member (self, "kind", S_LOOKUP (s_regime_kinds, pr->kind));
        s_double_member (self, "statistic", pr->statistic);
        s_int_member (self, "last_alarm_ns", pr->last_alarm_ns);
        s_lit (self, "}");
    }
    s_lit (self, "]");
    self->comma = true;
    s_uint_member (self, "regimes_omitted", risk->n_regimes_omitted);
}

//  The part's correlations in triangle order from pair `first` (pair k is
//  (a, b) with a < b, row by row: docs/PROTOCOL.md)
static void
s_risk_corr_json (s_json_t *self, const hb_risk_corr_t *corr)
{
    s_uint_member (self, "sample", corr->sample);
    s_uint_member (self, "part", corr->part);
    s_uint_member (self, "parts", corr->parts);
    s_uint_member (self, "n_assets", corr->n_assets);
    s_uint_member (self, "first", corr->first);
    s_key (self, "corr");
    s_lit (self, "[");
    for (int i = 0; i < corr->count && i < HB_RISK_PART_CORR; i++) {
        if (i > 0)
            s_lit (self, ",");
        s_double (self, corr->corr [i]);
    }
    s_lit (self, "]");
    self->comma = true;
}

static void
s_risk_regime_json (s_json_t *self, const hb_risk_regime_t *regime)
{
    S_STR (self, regime, target);
    S_STR (self, regime, proxy);
    s_name_member (self, "state", S_LOOKUP (s_regime_states, regime->state));
    s_name_member (self, "previous", S_LOOKUP (s_regime_states, regime->previous));
    s_name_member (self, "kind", S_LOOKUP (s_regime_kinds, regime->kind));
    s_uint_member (self, "sample", regime->sample);
    s_double_member (self, "statistic", regime->statistic);
    s_int_member (self, "last_alarm_ns", regime->last_alarm_ns);
    s_double_member (self, "corr_ref", regime->corr_ref);
    s_double_member (self, "corr_fast", regime->corr_fast);
    s_double_member (self, "ratio", regime->ratio);
}

static void
s_risk_hedge_json (s_json_t *self, const hb_risk_hedge_t *hedge)
{
    static const char *const reasons [] = { "band", "sigma" };
    S_STR (self, hedge, id);
    s_bits_member (self, "reasons", hedge->reasons, reasons, 2);
    s_uint_member (self, "sample", hedge->sample);
    s_double_member (self, "residual_sigma", hedge->residual_sigma);
    s_double_member (self, "effectiveness", hedge->effectiveness);
    s_key (self, "targets");
    s_lit (self, "[");
    for (int i = 0; i < hedge->n_targets && i < HB_RISK_HEDGE_TARGETS; i++) {
        const hb_risk_target_t *t = &hedge->targets [i];
        s_lit (self, i > 0 ? ",{" : "{");
        self->comma = false;
        S_STR (self, t, asset);
        s_double_member (self, "index", t->index);
        s_double_member (self, "exposure_usd", t->exposure_usd);
        s_double_member (self, "target_usd", t->target_usd);
        s_double_member (self, "target_qty", t->target_qty);
        s_lit (self, "}");
    }
    s_lit (self, "]");
    self->comma = true;
    s_key (self, "inputs");
    s_lit (self, "[");
    for (int i = 0; i < hedge->n_inputs && i < HB_RISK_INPUTS_MAX; i++) {
        const hb_risk_input_t *in = &hedge->inputs [i];
        s_lit (self, i > 0 ? ",{" : "{");
        self->comma = false;
        S_STR (self, in, topic);
        S_STR (self, in, publisher);
        s_uint_member (self, "epoch", in->epoch);
        s_uint_member (self, "seq", in->seq);
        s_lit (self, "}");
    }
    s_lit (self, "]");
    self->comma = true;
}

static void
s_hedge_reject_json (s_json_t *self, const hb_hedge_reject_t *reject)
{
    S_STR (self, reject, request_id);
    S_STR (self, reject, asset);
    S_STR (self, reject, venue);
    S_STR (self, reject, reason);
    S_STR (self, reject, detail);
    s_double_member (self, "qty", reject->qty);
}

static void
s_risk_optplan_json (s_json_t *self, const hb_risk_optplan_t *plan)
{
    S_STR (self, plan, id);
    S_STR (self, plan, asset);
    s_name_member (self, "reason", S_LOOKUP (s_optplan_reasons, plan->reason));
    S_STR (self, plan, why);
    s_uint_member (self, "sample", plan->sample);
    s_double_member (self, "index", plan->index);
    s_double_member (self, "gamma_band", plan->gamma_band);
    s_double_member (self, "gamma_before", plan->gamma_before);
    s_double_member (self, "gamma_after", plan->gamma_after);
    s_double_member (self, "cost", plan->cost);
    s_double_member (self, "premium", plan->premium);
    s_double_member (self, "delta", plan->delta);
    const float *rows [3] = { plan->vega_band, plan->vega_before, plan->vega_after };
    const char *keys [3] = { "vega_band", "vega_before", "vega_after" };
    for (int r = 0; r < 3; r++) {
        s_key (self, keys [r]);
        s_lit (self, "[");
        for (int b = 0; b < plan->n_buckets && b < HB_RISK_VEGA_BUCKETS; b++) {
            if (b > 0)
                s_lit (self, ",");
            s_double (self, rows [r][b]);
        }
        s_lit (self, "]");
        self->comma = true;
    }
    s_key (self, "legs");
    s_lit (self, "[");
    for (int i = 0; i < plan->n_legs && i < HB_OPTPLAN_MSG_LEGS; i++) {
        const hb_optplan_leg_msg_t *leg = &plan->legs [i];
        s_lit (self, i > 0 ? ",{" : "{");
        self->comma = false;
        S_STR (self, leg, venue);
        S_STR (self, leg, symbol);
        s_name_member (self, "side", S_LOOKUP (s_side_names, leg->side));
        s_uint_member (self, "bucket", leg->bucket);
        s_double_member (self, "qty", leg->qty);
        s_double_member (self, "limit_px", leg->limit_px);
        s_double_member (self, "gamma_usd", leg->gamma_usd);
        s_double_member (self, "vega", leg->vega);
        s_double_member (self, "delta", leg->delta);
        s_double_member (self, "premium", leg->premium);
        s_lit (self, "}");
    }
    s_lit (self, "]");
    self->comma = true;
}

static void
s_hedger_control_json (s_json_t *self, const hb_hedger_control_t *control)
{
    static const char *const commands [] = { [HB_CONTROL_KILL] = "kill", [HB_CONTROL_RESET] = "reset" };
    S_STR (self, control, id);
    s_name_member (self, "command", S_LOOKUP (commands, control->command));
    S_STR (self, control, by);
    S_STR (self, control, text);
    s_uint_member (self, "canceled", control->canceled);
}

static void
s_transfer_json (s_json_t *self, const hb_transfer_t *t)
{
    S_STR (self, t, id);
    S_STR (self, t, route);
    S_STR (self, t, from);
    S_STR (self, t, to);
    S_STR (self, t, asset);
    S_STR (self, t, network);
    s_name_member (self, "status", hb_transfer_status_name (t->status));
    s_double_member (self, "amount", t->amount);
    s_double_member (self, "amount_usd", t->amount_usd);
    s_double_member (self, "fee", t->fee);
    s_int_member (self, "requested_ns", t->requested_ns);
    s_int_member (self, "eta_ns", t->eta_ns);
    s_int_member (self, "credited_ns", t->credited_ns);
    S_STR (self, t, reason);
}

static void
s_reduce_json (s_json_t *self, const hb_reduce_t *r)
{
    S_STR (self, r, id);
    S_STR (self, r, venue);
    S_STR (self, r, asset);
    s_name_member (self, "reason", hb_plan_reason_name (r->reason));
    s_uint_member (self, "plan", r->plan);
    s_double_member (self, "exposure_usd", r->exposure_usd);
    s_double_member (self, "reduce_usd", r->reduce_usd);
    s_double_member (self, "qty", r->qty);
    s_double_member (self, "shortfall_usd", r->shortfall_usd);
    s_double_member (self, "liq_s", r->liq_s);
}

static void
s_capital_plan_json (s_json_t *self, const hb_capital_plan_t *plan)
{
    static const char *const flags [] = { "short", "covered", "stale", "truncated", "breach" };
    S_STR (self, plan, venue);
    s_bits_member (self, "flags", plan->flags, flags, 5);
    s_name_member (self, "reason", hb_plan_reason_name (plan->reason));
    s_int_member (self, "direction", plan->direction);
    s_uint_member (self, "plan", plan->plan);
    s_double_member (self, "equity_usd", plan->equity_usd);
    s_double_member (self, "maintenance_usd", plan->maintenance_usd);
    s_double_member (self, "stress_loss_usd", plan->stress_loss_usd);
    s_double_member (self, "required_usd", plan->required_usd);
    s_double_member (self, "surplus_usd", plan->surplus_usd);
    s_double_member (self, "available_usd", plan->available_usd);
    s_double_member (self, "liq_s", plan->liq_s);
    s_double_member (self, "covered_usd", plan->covered_usd);
    s_key (self, "transfers");
    s_lit (self, "[");
    for (int i = 0; i < plan->n_transfers && i < HB_PLAN_TRANSFERS; i++) {
        const hb_capital_transfer_t *t = &plan->transfers [i];
        s_lit (self, i > 0 ? ",{" : "{");
        self->comma = false;
        S_STR (self, t, route);
        S_STR (self, t, from);
        S_STR (self, t, to);
        S_STR (self, t, asset);
        S_STR (self, t, network);
        s_double_member (self, "amount", t->amount);
        s_double_member (self, "amount_usd", t->amount_usd);
        s_double_member (self, "fee", t->fee);
        s_double_member (self, "delay_s", t->delay_s);
        s_double_member (self, "spread_s", t->spread_s);
        s_int_member (self, "eta_ns", t->eta_ns);
        s_lit (self, "}");
    }
    s_lit (self, "]");
    self->comma = true;
}

static void
s_account_json (s_json_t *self, const hb_account_t *account)
{
    static const char *const flags [] = { "truncated", "no_margin", "no_spot" };
    S_STR (self, account, venue);
    s_bits_member (self, "flags", account->flags, flags, 3);
    s_double_member (self, "equity_usd", account->equity_usd);
    s_double_member (self, "initial_usd", account->initial_usd);
    s_double_member (self, "maintenance_usd", account->maintenance_usd);
    s_double_member (self, "withdrawable_usd", account->withdrawable_usd);
    s_double_member (self, "funding_usd", account->funding_usd);
    s_uint_member (self, "n_other", account->n_other);
    s_key (self, "positions");
    s_lit (self, "[");
    for (int i = 0; i < account->n_positions && i < HB_ACCOUNT_POSITIONS; i++) {
        const hb_account_position_t *p = &account->positions [i];
        s_lit (self, i > 0 ? ",{" : "{");
        self->comma = false;
        S_STR (self, p, symbol);
        s_double_member (self, "qty", p->qty);
        s_double_member (self, "entry_px", p->entry_px);
        s_double_member (self, "unrealized_usd", p->unrealized_usd);
        s_double_member (self, "liq_px", p->liq_px);
        s_double_member (self, "funding_usd", p->funding_usd);
        s_lit (self, "}");
    }
    s_lit (self, "]");
    self->comma = true;
}

static void
s_funding_json (s_json_t *self, const hb_funding_t *funding)
{
    S_STR (self, funding, venue);
    S_STR (self, funding, symbol);
    S_STR (self, funding, id);
    s_double_member (self, "usd", funding->usd);
    s_double_member (self, "rate", funding->rate);
    s_double_member (self, "qty", funding->qty);
}

int
hb_msg_to_json (const hb_msg_t *msg, const char *topic, char *out, size_t size)
{
    s_json_t json = { out, size, 0, false };
    if (size > 0)
        out [0] = '\0';
    const hb_env_t *env = &msg->env;

    //  Without a topic from the caller, the message's default one
    char own_topic [HB_TOPIC_MAX];
    if (!topic && hb_msg_topic (msg, own_topic) >= 0)
        topic = own_topic;
    s_open (&json, NULL);
    s_key (&json, "topic");
    if (topic)
        s_string (&json, topic, HB_TOPIC_MAX);
    else
        s_lit (&json, "null");

    s_open (&json, "env");
    s_uint_member (&json, "version", env->version);
    s_name_member (&json, "type", hb_msg_type_name (env->type));
    S_STR (&json, env, publisher);
    s_uint_member (&json, "epoch", env->epoch);
    s_uint_member (&json, "seq", env->seq);
    s_int_member (&json, "ts_venue", env->ts_venue);
    s_int_member (&json, "ts_recv", env->ts_recv);
    s_int_member (&json, "ts_pub", env->ts_pub);
    s_close (&json);

    if (env->type > HB_MSG_NONE && env->type < HB_MSG_TYPE_COUNT) {
        s_open (&json, hb_msg_type_name (env->type));
        switch (env->type) {
            case HB_MSG_TICK:   s_tick_json (&json, &msg->u.tick); break;
            case HB_MSG_TRADE:  s_trade_json (&json, &msg->u.trade); break;
            case HB_MSG_ORDER:  s_order_json (&json, &msg->u.order); break;
            case HB_MSG_CANCEL: s_cancel_json (&json, &msg->u.cancel); break;
            case HB_MSG_ACK:    s_ack_json (&json, &msg->u.ack); break;
            case HB_MSG_FILL:   s_fill_json (&json, &msg->u.fill); break;
            case HB_MSG_HEARTBEAT: s_heartbeat_json (&json, &msg->u.heartbeat); break;
            case HB_MSG_POSITION: s_position_json (&json, &msg->u.position); break;
            case HB_MSG_EXPOSURE: s_exposure_json (&json, &msg->u.exposure); break;
            case HB_MSG_MARGIN: s_margin_json (&json, &msg->u.margin); break;
            case HB_MSG_RISK_EXPOSURE: s_risk_exposure_json (&json, &msg->u.risk_exposure); break;
            case HB_MSG_RISK_HEDGE: s_risk_hedge_json (&json, &msg->u.risk_hedge); break;
            case HB_MSG_RISK_REGIME: s_risk_regime_json (&json, &msg->u.risk_regime); break;
            case HB_MSG_RISK_CORR: s_risk_corr_json (&json, &msg->u.risk_corr); break;
            case HB_MSG_HEDGE_REJECT: s_hedge_reject_json (&json, &msg->u.hedge_reject); break;
            case HB_MSG_HEDGER_CONTROL: s_hedger_control_json (&json, &msg->u.hedger_control); break;
            case HB_MSG_CAPITAL_PLAN: s_capital_plan_json (&json, &msg->u.capital_plan); break;
            case HB_MSG_ACCOUNT: s_account_json (&json, &msg->u.account); break;
            case HB_MSG_FUNDING: s_funding_json (&json, &msg->u.funding); break;
            case HB_MSG_CAPITAL_TRANSFER: s_transfer_json (&json, &msg->u.transfer); break;
            case HB_MSG_CAPITAL_REDUCE: s_reduce_json (&json, &msg->u.reduce); break;
            case HB_MSG_RISK_OPTPLAN: s_risk_optplan_json (&json, &msg->u.risk_optplan); break;
            case HB_MSG_INSTRUMENT: s_instrument_json (&json, &msg->u.instrument); break;
            case HB_MSG_APPLOG:
                s_uint_member (&json, "first", msg->u.applog.first);
                s_uint_member (&json, "count", msg->u.applog.count);
                s_uint_member (&json, "size", msg->u.applog.size);
                break;
            default:            s_uint_member (&json, "count", msg->u.snapshot_end.count); break;
        }
        s_close (&json);
    }
    s_close (&json);
    return (int) json.len;
}

const char *
hb_json_escape (const char *text, char *out, size_t size)
{
    assert (text && out && size > 0);
    size_t n = 0;
    for (const unsigned char *c = (const unsigned char *) text; *c && n + 7 < size; c++) {
        if (*c == '"' || *c == '\\') {
            out [n++] = '\\';
            out [n++] = (char) *c;
        }
        else
        if (*c < 0x20)
            n += (size_t) snprintf (out + n, size - n, "\\u%04x", *c);
        else
            out [n++] = *c < 0x7f ? (char) *c : '?';
    }
    out [n] = 0;
    return out;
}
