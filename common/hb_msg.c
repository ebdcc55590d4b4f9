/*  hb_msg: the wire codec. docs/PROTOCOL.md is the reference for the layout
    and for every validation rule; this file and the others of hb_msg_int.h
    are its only implementation. Here: the envelope, the market and order
    bodies, the decoding entry.

    A payload is one msgpack array: [version, type, publisher, epoch, seq,
    ts_venue, ts_recv, ts_pub, body], body being an array of the type's
    fields in struct order. Arrays, not maps: half the cost, and fields are
    only ever appended, so a position is as good as a name.

    Encoding packs straight into the caller's fixed hb_buf_t through a
    msgpack_packer whose write callback refuses to overflow.

    Decoding runs in two steps and never touches the heap:
    1. hb_mpscan_check walks the raw bytes once and proves every length and
       count against the bytes that remain (see hb_mpscan.h).
    2. a cursor reads the fields one at a time in place (hb_mpscan_read),
       with a sticky error, then the same validity check per type that the
       encoder runs. msgpack-c's unpacker built the whole tree in a zone
       first, which cost more than everything else a receiving process did
       with a tick (docs/OPERATIONS.md, Throughput).                       */
#include "hb_msg.h"
#include "hb_msg_int.h"
#include "hb_mpscan.h"

#include <assert.h>
#include <math.h>
#include <msgpack.h>
#include <string.h>

#define S_ENV_FIELDS    9       //  version .. ts_pub, body

//  Body field counts of schema version 1. A decoder accepts longer bodies.
#define S_TICK_FIELDS       8
#define S_TRADE_FIELDS      6
#define S_ORDER_FIELDS      8
#define S_CANCEL_FIELDS     3
#define S_ACK_FIELDS        9
#define S_FILL_FIELDS       12      //  11 before flags was appended: still read
#define S_HEARTBEAT_FIELDS  14

//  ---------------------------------------------------------------------------
//  Validity rules of these bodies (the ones every body shares, names, ids
//  and non-negative numbers, are in hb_msg_int.h)

//  Free text is shown to people only: any bytes but NUL (which cannot
//  survive a C string anyway). hb_msg_to_json makes it valid JSON.
static bool
s_text_valid (const char *text)
{
    return strnlen (text, HB_TEXT_MAX) < HB_TEXT_MAX;
}

static bool
s_positive (double value)
{
    return isfinite (value) && value > 0;
}

static bool
s_side_valid (uint8_t side)
{
    return side == HB_SIDE_BUY || side == HB_SIDE_SELL;
}

//  direction -1: prices strictly decreasing (bids), +1: increasing (asks)
static bool
s_levels_valid (const hb_level_t *levels, size_t count, int direction)
{
    if (count > HB_BOOK_DEPTH)
        return false;
    for (size_t i = 0; i < count; i++) {
        if (!s_positive (levels [i].px) || !s_positive (levels [i].qty))
            return false;
        if (i > 0 && (direction < 0? levels [i].px >= levels [i - 1].px
                                   : levels [i].px <= levels [i - 1].px))
            return false;
    }
    return true;
}

static bool
s_env_valid (const hb_env_t *env)
{
    return env->type > HB_MSG_NONE && env->type < HB_MSG_TYPE_COUNT
        && hb_msgi_name_valid (env->publisher)
        && env->ts_venue >= 0 && env->ts_recv >= 0 && env->ts_pub >= 0;
}

static bool
s_tick_valid (const hb_tick_t *self)
{
    return hb_msgi_name_valid (self->venue) && hb_msgi_name_valid (self->symbol)
        && hb_msgi_not_negative (self->mark) && hb_msgi_not_negative (self->mark_iv)
        && hb_msgi_not_negative (self->underlying)
        && s_levels_valid (self->bids, self->n_bids, -1)
        && s_levels_valid (self->asks, self->n_asks, +1);
}

static bool
s_trade_valid (const hb_trade_t *self)
{
    return hb_msgi_name_valid (self->venue) && hb_msgi_name_valid (self->symbol)
        && hb_msgi_id_valid (self->trade_id, false) && s_side_valid (self->side)
        && s_positive (self->px) && s_positive (self->qty);
}

static bool
s_order_valid (const hb_order_t *self)
{
    if (!hb_msgi_name_valid (self->venue) || !hb_msgi_name_valid (self->symbol)
    ||  !hb_msgi_id_valid (self->client_id, true) || !s_side_valid (self->side)
    ||  (self->tif != HB_TIF_IOC && self->tif != HB_TIF_GTC)
    ||  !s_positive (self->qty))
        return false;
    if (self->ord_type == HB_ORD_LIMIT)
        return s_positive (self->px);
    if (self->ord_type == HB_ORD_MARKET)
        return self->px == 0;
    return false;
}

static bool
s_cancel_valid (const hb_cancel_t *self)
{
    return hb_msgi_name_valid (self->venue) && hb_msgi_name_valid (self->symbol)
        && hb_msgi_id_valid (self->client_id, true);
}

//  A reason goes with a rejection and only with one; what is done or
//  canceled has nothing left working; a rejection filled nothing.
static bool
s_ack_valid (const hb_ack_t *self)
{
    if (!hb_msgi_name_valid (self->venue) || !hb_msgi_name_valid (self->symbol)
    ||  !hb_msgi_id_valid (self->client_id, true) || !hb_msgi_id_valid (self->order_id, false)
    ||  !s_text_valid (self->text)
    ||  !hb_msgi_not_negative (self->filled_qty) || !hb_msgi_not_negative (self->leaves_qty)
    ||  self->reason >= HB_REJ_COUNT)
        return false;
    switch (self->status) {
        case HB_ACK_ACCEPTED:
            return self->reason == HB_REJ_NONE;
        case HB_ACK_REJECTED:
            return self->reason != HB_REJ_NONE && self->filled_qty == 0;
        case HB_ACK_CANCELED:
        case HB_ACK_DONE:
            return self->reason == HB_REJ_NONE && self->leaves_qty == 0;
        default:
            return false;
    }
}

static bool
s_fill_valid (const hb_fill_t *self)
{
    return hb_msgi_name_valid (self->venue) && hb_msgi_name_valid (self->symbol)
        && hb_msgi_id_valid (self->client_id, true) && hb_msgi_id_valid (self->order_id, true)
        && hb_msgi_id_valid (self->fill_id, true) && s_side_valid (self->side)
        && (self->liquidity == 1 || self->liquidity == 2)
        && s_positive (self->px) && s_positive (self->qty) && isfinite (self->fee)
        && hb_msgi_name_valid (self->fee_asset);
}

static bool
s_heartbeat_valid (const hb_heartbeat_t *self)
{
    return hb_msgi_name_valid (self->component);
}


//  ---------------------------------------------------------------------------
//  Encoding

//  msgpack_packer write callback: appends to the hb_buf_t, or fails
//  without writing when the bytes would not fit.
static int
s_buf_write (void *data, const char *bytes, size_t len)
{
    hb_buf_t *buf = (hb_buf_t *) data;
    if (len > sizeof buf->data - buf->size)
        return -1;
    //  the packer writes 1 to 9 bytes at a time but for string bodies: a
    //  loop beats a call to memcpy for those
    uint8_t *dest = buf->data + buf->size;
    if (len <= 16)
        for (size_t i = 0; i < len; i++)
            dest [i] = (uint8_t) bytes [i];
    else
        memcpy (dest, bytes, len);
    buf->size += len;
    return 0;
}

//  Levels go flat, [px0, qty0, px1, qty1, ...]: one array header per side
//  instead of one per level.
static int
s_pack_levels (msgpack_packer *pk, const hb_level_t *levels, size_t count)
{
    int rc = msgpack_pack_array (pk, 2 * count);
    for (size_t i = 0; i < count; i++) {
        rc |= hb_msgi_pack_double (pk, levels [i].px);
        rc |= hb_msgi_pack_double (pk, levels [i].qty);
    }
    return rc;
}

static int
s_tick_encode (msgpack_packer *pk, const hb_tick_t *self)
{
    if (!s_tick_valid (self))
        return -1;
    int rc = msgpack_pack_array (pk, S_TICK_FIELDS);
    rc |= hb_msgi_pack_str (pk, self->venue, sizeof self->venue);
    rc |= hb_msgi_pack_str (pk, self->symbol, sizeof self->symbol);
    rc |= msgpack_pack_uint32 (pk, self->flags);
    rc |= hb_msgi_pack_double (pk, self->mark);
    rc |= hb_msgi_pack_double (pk, self->mark_iv);
    rc |= hb_msgi_pack_double (pk, self->underlying);
    rc |= s_pack_levels (pk, self->bids, self->n_bids);
    rc |= s_pack_levels (pk, self->asks, self->n_asks);
    return rc;
}

static int
s_trade_encode (msgpack_packer *pk, const hb_trade_t *self)
{
    if (!s_trade_valid (self))
        return -1;
    int rc = msgpack_pack_array (pk, S_TRADE_FIELDS);
    rc |= hb_msgi_pack_str (pk, self->venue, sizeof self->venue);
    rc |= hb_msgi_pack_str (pk, self->symbol, sizeof self->symbol);
    rc |= hb_msgi_pack_str (pk, self->trade_id, sizeof self->trade_id);
    rc |= msgpack_pack_uint8 (pk, self->side);
    rc |= hb_msgi_pack_double (pk, self->px);
    rc |= hb_msgi_pack_double (pk, self->qty);
    return rc;
}

static int
s_order_encode (msgpack_packer *pk, const hb_order_t *self)
{
    if (!s_order_valid (self))
        return -1;
    int rc = msgpack_pack_array (pk, S_ORDER_FIELDS);
    rc |= hb_msgi_pack_str (pk, self->venue, sizeof self->venue);
    rc |= hb_msgi_pack_str (pk, self->symbol, sizeof self->symbol);
    rc |= hb_msgi_pack_str (pk, self->client_id, sizeof self->client_id);
    rc |= msgpack_pack_uint8 (pk, self->side);
    rc |= msgpack_pack_uint8 (pk, self->ord_type);
    rc |= msgpack_pack_uint8 (pk, self->tif);
    rc |= hb_msgi_pack_double (pk, self->qty);
    rc |= hb_msgi_pack_double (pk, self->px);
    return rc;
}

static int
s_cancel_encode (msgpack_packer *pk, const hb_cancel_t *self)
{
    if (!s_cancel_valid (self))
        return -1;
    int rc = msgpack_pack_array (pk, S_CANCEL_FIELDS);
    rc |= hb_msgi_pack_str (pk, self->venue, sizeof self->venue);
    rc |= hb_msgi_pack_str (pk, self->symbol, sizeof self->symbol);
    rc |= hb_msgi_pack_str (pk, self->client_id, sizeof self->client_id);
    return rc;
}

static int
s_ack_encode (msgpack_packer *pk, const hb_ack_t *self)
{
    if (!s_ack_valid (self))
        return -1;
    int rc = msgpack_pack_array (pk, S_ACK_FIELDS);
    rc |= hb_msgi_pack_str (pk, self->venue, sizeof self->venue);
    rc |= hb_msgi_pack_str (pk, self->symbol, sizeof self->symbol);
    rc |= hb_msgi_pack_str (pk, self->client_id, sizeof self->client_id);
    rc |= hb_msgi_pack_str (pk, self->order_id, sizeof self->order_id);
    rc |= msgpack_pack_uint8 (pk, self->status);
    rc |= msgpack_pack_uint8 (pk, self->reason);
    rc |= hb_msgi_pack_str (pk, self->text, sizeof self->text);
    rc |= hb_msgi_pack_double (pk, self->filled_qty);
    rc |= hb_msgi_pack_double (pk, self->leaves_qty);
    return rc;
}

static int
s_fill_encode (msgpack_packer *pk, const hb_fill_t *self)
{
    if (!s_fill_valid (self))
        return -1;
    int rc = msgpack_pack_array (pk, S_FILL_FIELDS);
    rc |= hb_msgi_pack_str (pk, self->venue, sizeof self->venue);
    rc |= hb_msgi_pack_str (pk, self->symbol, sizeof self->symbol);
    rc |= hb_msgi_pack_str (pk, self->client_id, sizeof self->client_id);
    rc |= hb_msgi_pack_str (pk, self->order_id, sizeof self->order_id);
    rc |= hb_msgi_pack_str (pk, self->fill_id, sizeof self->fill_id);
    rc |= msgpack_pack_uint8 (pk, self->side);
    rc |= msgpack_pack_uint8 (pk, self->liquidity);
    rc |= hb_msgi_pack_double (pk, self->px);
    rc |= hb_msgi_pack_double (pk, self->qty);
    rc |= hb_msgi_pack_double (pk, self->fee);
    rc |= hb_msgi_pack_str (pk, self->fee_asset, sizeof self->fee_asset);
    rc |= msgpack_pack_uint32 (pk, self->flags);
    return rc;
}

static int
s_heartbeat_encode (msgpack_packer *pk, const hb_heartbeat_t *self)
{
    if (!s_heartbeat_valid (self))
        return -1;
    int rc = msgpack_pack_array (pk, S_HEARTBEAT_FIELDS);
    rc |= hb_msgi_pack_str (pk, self->component, sizeof self->component);
    rc |= msgpack_pack_uint64 (pk, self->uptime_ms);
    rc |= msgpack_pack_uint64 (pk, self->last_seq);
    rc |= msgpack_pack_uint64 (pk, self->msgs_in);
    rc |= msgpack_pack_uint64 (pk, self->msgs_out);
    rc |= msgpack_pack_uint64 (pk, self->gaps);
    rc |= msgpack_pack_uint64 (pk, self->drops);
    rc |= msgpack_pack_uint64 (pk, self->decode_errors);
    rc |= msgpack_pack_uint64 (pk, self->restarts_seen);
    rc |= msgpack_pack_uint64 (pk, self->queue_depth);
    rc |= msgpack_pack_uint64 (pk, self->lat_p50_ns);
    rc |= msgpack_pack_uint64 (pk, self->lat_p99_ns);
    rc |= msgpack_pack_uint64 (pk, self->lat_p999_ns);
    rc |= msgpack_pack_uint32 (pk, self->status);
    return rc;
}

int
hb_msg_encode (const hb_msg_t *msg, hb_buf_t *out)
{
    assert (msg);
    assert (out);
    out->size = 0;
    const hb_env_t *env = &msg->env;
    if (!s_env_valid (env))
        return -1;

    msgpack_packer pk;
    msgpack_packer_init (&pk, out, s_buf_write);
    int rc = msgpack_pack_array (&pk, S_ENV_FIELDS);
    rc |= msgpack_pack_uint8 (&pk, HB_SCHEMA_VERSION);
    rc |= msgpack_pack_uint8 (&pk, env->type);
    rc |= hb_msgi_pack_str (&pk, env->publisher, sizeof env->publisher);
    rc |= msgpack_pack_uint64 (&pk, env->epoch);
    rc |= msgpack_pack_uint64 (&pk, env->seq);
    rc |= msgpack_pack_int64 (&pk, env->ts_venue);
    rc |= msgpack_pack_int64 (&pk, env->ts_recv);
    rc |= msgpack_pack_int64 (&pk, env->ts_pub);
    switch (env->type) {
        case HB_MSG_TICK:      rc |= s_tick_encode (&pk, &msg->u.tick); break;
        case HB_MSG_TRADE:     rc |= s_trade_encode (&pk, &msg->u.trade); break;
        case HB_MSG_ORDER:     rc |= s_order_encode (&pk, &msg->u.order); break;
        case HB_MSG_CANCEL:    rc |= s_cancel_encode (&pk, &msg->u.cancel); break;
        case HB_MSG_ACK:       rc |= s_ack_encode (&pk, &msg->u.ack); break;
        case HB_MSG_FILL:      rc |= s_fill_encode (&pk, &msg->u.fill); break;
        case HB_MSG_HEARTBEAT: rc |= s_heartbeat_encode (&pk, &msg->u.heartbeat); break;
        case HB_MSG_RISK_EXPOSURE:
        case HB_MSG_RISK_HEDGE:
        case HB_MSG_RISK_REGIME:
        case HB_MSG_RISK_CORR: rc |= hb_msgi_risk_encode (&pk, msg); break;
        case HB_MSG_HEDGE_REJECT:
        case HB_MSG_HEDGER_CONTROL:
        case HB_MSG_APPLOG:    rc |= hb_msgi_hedge_encode (&pk, msg); break;
        case HB_MSG_CAPITAL_PLAN:
        case HB_MSG_CAPITAL_TRANSFER:
        case HB_MSG_CAPITAL_REDUCE: rc |= hb_msgi_capital_encode (&pk, msg); break;
        case HB_MSG_ACCOUNT:   rc |= hb_msgi_account_encode (&pk, msg); break;
        case HB_MSG_RISK_OPTPLAN: rc |= hb_msgi_optplan_encode (&pk, msg); break;
        default:               rc |= hb_msgi_state_encode (&pk, msg);

    }
    if (rc != 0) {
        out->size = 0;
        return -1;
    }
    return 0;
}

//  ---------------------------------------------------------------------------
//  Decoding, step 2: a cursor over the fields of one array (hb_msg_field.c),
//  then the bodies

static void
s_read_levels (hb_msgi_cursor_t *self, hb_level_t *levels, uint8_t *count)
{
    const msgpack_object *o = hb_msgi_next (self);
    if (!o)
        return;
    if (o->type != MSGPACK_OBJECT_ARRAY || o->via.array.size % 2 != 0) {
        hb_msgi_fail (self, HB_DECODE_FIELD_TYPE);
        return;
    }
    if (o->via.array.size > 2 * HB_BOOK_DEPTH) {
        hb_msgi_fail (self, HB_DECODE_OVERSIZED);
        return;
    }
    hb_msgi_cursor_t items;
    hb_msgi_open (self, &items);
    *count = (uint8_t) (o->via.array.size / 2);
    for (uint8_t i = 0; i < *count; i++) {
        levels [i].px = hb_msgi_read_double (&items);
        levels [i].qty = hb_msgi_read_double (&items);
    }
    if (items.err != HB_DECODE_OK)
        hb_msgi_fail (self, items.err);
    hb_msgi_close (self, &items);
}

//  Every field was read: the body stands or falls by its validity rules.
static hb_decode_reason_t
s_range (bool valid)
{
    return valid? HB_DECODE_OK: HB_DECODE_RANGE;
}

static hb_decode_reason_t
s_tick_decode (hb_msgi_cursor_t *c, hb_tick_t *self)
{
    hb_msgi_read_str (c, self->venue, sizeof self->venue);
    hb_msgi_read_str (c, self->symbol, sizeof self->symbol);
    self->flags = (uint32_t) hb_msgi_read_uint (c, UINT32_MAX);
    self->mark = hb_msgi_read_double (c);
    self->mark_iv = hb_msgi_read_double (c);
    self->underlying = hb_msgi_read_double (c);
    s_read_levels (c, self->bids, &self->n_bids);
    s_read_levels (c, self->asks, &self->n_asks);
    return c->err != HB_DECODE_OK? c->err: s_range (s_tick_valid (self));
}

static hb_decode_reason_t
s_trade_decode (hb_msgi_cursor_t *c, hb_trade_t *self)
{
    hb_msgi_read_str (c, self->venue, sizeof self->venue);
    hb_msgi_read_str (c, self->symbol, sizeof self->symbol);
    hb_msgi_read_str (c, self->trade_id, sizeof self->trade_id);
    self->side = (uint8_t) hb_msgi_read_uint (c, UINT8_MAX);
    self->px = hb_msgi_read_double (c);
    self->qty = hb_msgi_read_double (c);
    return c->err != HB_DECODE_OK? c->err: s_range (s_trade_valid (self));
}

static hb_decode_reason_t
s_order_decode (hb_msgi_cursor_t *c, hb_order_t *self)
{
    hb_msgi_read_str (c, self->venue, sizeof self->venue);
    hb_msgi_read_str (c, self->symbol, sizeof self->symbol);
    hb_msgi_read_str (c, self->client_id, sizeof self->client_id);
    self->side = (uint8_t) hb_msgi_read_uint (c, UINT8_MAX);
    self->ord_type = (uint8_t) hb_msgi_read_uint (c, UINT8_MAX);
    self->tif = (uint8_t) hb_msgi_read_uint (c, UINT8_MAX);
    self->qty = hb_msgi_read_double (c);
    self->px = hb_msgi_read_double (c);
    return c->err != HB_DECODE_OK? c->err: s_range (s_order_valid (self));
}

static hb_decode_reason_t
s_cancel_decode (hb_msgi_cursor_t *c, hb_cancel_t *self)
{
    hb_msgi_read_str (c, self->venue, sizeof self->venue);
    hb_msgi_read_str (c, self->symbol, sizeof self->symbol);
    hb_msgi_read_str (c, self->client_id, sizeof self->client_id);
    return c->err != HB_DECODE_OK? c->err: s_range (s_cancel_valid (self));
}

static hb_decode_reason_t
s_ack_decode (hb_msgi_cursor_t *c, hb_ack_t *self)
{
    hb_msgi_read_str (c, self->venue, sizeof self->venue);
    hb_msgi_read_str (c, self->symbol, sizeof self->symbol);
    hb_msgi_read_str (c, self->client_id, sizeof self->client_id);
    hb_msgi_read_str (c, self->order_id, sizeof self->order_id);
    self->status = (uint8_t) hb_msgi_read_uint (c, UINT8_MAX);
    self->reason = (uint8_t) hb_msgi_read_uint (c, UINT8_MAX);
    hb_msgi_read_str (c, self->text, sizeof self->text);
    self->filled_qty = hb_msgi_read_double (c);
    self->leaves_qty = hb_msgi_read_double (c);
    return c->err != HB_DECODE_OK? c->err: s_range (s_ack_valid (self));
}

static hb_decode_reason_t
s_fill_decode (hb_msgi_cursor_t *c, hb_fill_t *self)
{
    hb_msgi_read_str (c, self->venue, sizeof self->venue);
    hb_msgi_read_str (c, self->symbol, sizeof self->symbol);
    hb_msgi_read_str (c, self->client_id, sizeof self->client_id);
    hb_msgi_read_str (c, self->order_id, sizeof self->order_id);
    hb_msgi_read_str (c, self->fill_id, sizeof self->fill_id);
    self->side = (uint8_t) hb_msgi_read_uint (c, UINT8_MAX);
    self->liquidity = (uint8_t) hb_msgi_read_uint (c, UINT8_MAX);
    self->px = hb_msgi_read_double (c);
    self->qty = hb_msgi_read_double (c);
    self->fee = hb_msgi_read_double (c);
    hb_msgi_read_str (c, self->fee_asset, sizeof self->fee_asset);
    //  appended in a minor revision: a publisher built before it sends 11
    //  fields, which mean flags 0
    if (hb_msgi_more (c))
        self->flags = (uint32_t) hb_msgi_read_uint (c, UINT32_MAX);
    return c->err != HB_DECODE_OK? c->err: s_range (s_fill_valid (self));
}

static hb_decode_reason_t
s_heartbeat_decode (hb_msgi_cursor_t *c, hb_heartbeat_t *self)
{
    hb_msgi_read_str (c, self->component, sizeof self->component);
    self->uptime_ms = hb_msgi_read_uint (c, UINT64_MAX);
    self->last_seq = hb_msgi_read_uint (c, UINT64_MAX);
    self->msgs_in = hb_msgi_read_uint (c, UINT64_MAX);
    self->msgs_out = hb_msgi_read_uint (c, UINT64_MAX);
    self->gaps = hb_msgi_read_uint (c, UINT64_MAX);
    self->drops = hb_msgi_read_uint (c, UINT64_MAX);
    self->decode_errors = hb_msgi_read_uint (c, UINT64_MAX);
    self->restarts_seen = hb_msgi_read_uint (c, UINT64_MAX);
    self->queue_depth = hb_msgi_read_uint (c, UINT64_MAX);
    self->lat_p50_ns = hb_msgi_read_uint (c, UINT64_MAX);
    self->lat_p99_ns = hb_msgi_read_uint (c, UINT64_MAX);
    self->lat_p999_ns = hb_msgi_read_uint (c, UINT64_MAX);
    self->status = (uint32_t) hb_msgi_read_uint (c, UINT32_MAX);
    return c->err != HB_DECODE_OK? c->err: s_range (s_heartbeat_valid (self));
}

//  Envelope then body; msg is zeroed first so that a decoded message is
//  fully defined (unused levels and string tails are zero) and two decodes
//  of the same content compare equal with memcmp.
static hb_decode_reason_t
s_msg_decode (hb_msg_t *msg, const void *data, size_t size)
{
    memset (msg, 0, sizeof *msg);
    hb_msgi_cursor_t top;
    hb_msgi_cursor_root (&top, data, size);
    const msgpack_object *root = hb_msgi_next (&top);
    if (!root || root->type != MSGPACK_OBJECT_ARRAY || root->via.array.size == 0)
        return HB_DECODE_MALFORMED;
    uint32_t fields = root->via.array.size;

    //  The version comes first and is judged alone: a later schema may lay
    //  out everything after it differently.
    hb_msgi_cursor_t c;
    hb_msgi_open (&top, &c);
    uint64_t version = hb_msgi_read_uint (&c, UINT64_MAX);
    if (c.err != HB_DECODE_OK)
        return c.err;
    if (version != HB_SCHEMA_VERSION)
        return HB_DECODE_VERSION;
    if (fields < S_ENV_FIELDS)
        return HB_DECODE_FIELD_TYPE;
    uint64_t type = hb_msgi_read_uint (&c, UINT64_MAX);
    if (c.err != HB_DECODE_OK)
        return c.err;
    if (type <= HB_MSG_NONE || type >= HB_MSG_TYPE_COUNT)
        return HB_DECODE_TYPE;

    hb_env_t *env = &msg->env;
    env->version = (uint8_t) version;
    env->type = (uint8_t) type;
    hb_msgi_read_str (&c, env->publisher, sizeof env->publisher);
    env->epoch = hb_msgi_read_uint (&c, UINT64_MAX);
    env->seq = hb_msgi_read_uint (&c, UINT64_MAX);
    env->ts_venue = hb_msgi_read_int (&c);
    env->ts_recv = hb_msgi_read_int (&c);
    env->ts_pub = hb_msgi_read_int (&c);
    const msgpack_object *body = hb_msgi_next (&c);
    if (c.err != HB_DECODE_OK)
        return c.err;
    if (body->type != MSGPACK_OBJECT_ARRAY)
        return HB_DECODE_FIELD_TYPE;
    if (!s_env_valid (env))
        return HB_DECODE_RANGE;

    hb_msgi_cursor_t b;
    hb_msgi_open (&c, &b);
    c = b;
    switch (type) {
        case HB_MSG_TICK:   return s_tick_decode (&c, &msg->u.tick);
        case HB_MSG_TRADE:  return s_trade_decode (&c, &msg->u.trade);
        case HB_MSG_ORDER:  return s_order_decode (&c, &msg->u.order);
        case HB_MSG_CANCEL: return s_cancel_decode (&c, &msg->u.cancel);
        case HB_MSG_ACK:    return s_ack_decode (&c, &msg->u.ack);
        case HB_MSG_FILL:   return s_fill_decode (&c, &msg->u.fill);
        case HB_MSG_HEARTBEAT: return s_heartbeat_decode (&c, &msg->u.heartbeat);
        case HB_MSG_RISK_EXPOSURE:
        case HB_MSG_RISK_HEDGE:
        case HB_MSG_RISK_REGIME:
        case HB_MSG_RISK_CORR: return hb_msgi_risk_decode (&c, msg);
        case HB_MSG_HEDGE_REJECT:
        case HB_MSG_HEDGER_CONTROL:
        case HB_MSG_APPLOG: return hb_msgi_hedge_decode (&c, msg);
        case HB_MSG_CAPITAL_PLAN:
        case HB_MSG_CAPITAL_TRANSFER:
        case HB_MSG_CAPITAL_REDUCE: return hb_msgi_capital_decode (&c, msg);
        case HB_MSG_ACCOUNT: return hb_msgi_account_decode (&c, msg);
        case HB_MSG_RISK_OPTPLAN: return hb_msgi_optplan_decode (&c, msg);
        default:            return hb_msgi_state_decode (&c, msg);
    }
}

static hb_decode_reason_t
s_decode (hb_msg_t *msg, const void *data, size_t size)
{
    if (!data || size == 0)
        return HB_DECODE_TRUNCATED;
    if (size > HB_MSG_MAX_SIZE)
        return HB_DECODE_OVERSIZED;
    hb_decode_reason_t reason = hb_mpscan_check (data, size);
    if (reason != HB_DECODE_OK)
        return reason;

    return s_msg_decode (msg, data, size);
}

int
hb_msg_decode (hb_msg_t *msg, const void *data, size_t size, hb_decode_reason_t *reason)
{
    assert (msg);
    hb_decode_reason_t result = s_decode (msg, data, size);
    if (reason)
        *reason = result;
    return result == HB_DECODE_OK? 0: -1;
}
