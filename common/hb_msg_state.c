/*  hb_msg_state: the wire layout of the aggregator's state messages
    (position, exposure, margin, snapshot end); see hb_msg_int.h and
    docs/PROTOCOL.md. Same rules as hb_msg.c: one array per body, fields in
    struct order, the encoder refuses what the decoder would refuse.      */
#include "hb_msg_int.h"

#include <math.h>
#include <string.h>

#define S_POSITION_FIELDS       18
#define S_EXPOSURE_FIELDS       7
#define S_MARGIN_FIELDS         9
#define S_MARGIN_ASSET_FIELDS   4
#define S_SNAPSHOT_END_FIELDS   1

//  The largest relative move the liquidation search reports: +1000 %.
#define S_LIQ_MOVE_MAX          10.0

#define S_KNOWN_FLAGS   (HB_POS_STALE | HB_POS_NO_MARK | HB_MARGIN_TRUNCATED | HB_MARGIN_BREACH \
                         | HB_MARGIN_VENUE | HB_MARGIN_MISMATCH | HB_MARGIN_RECONCILED \
                         | HB_MARGIN_TOPUP)

static bool
s_position_valid (const hb_position_t *self)
{
    return hb_msgi_name_valid (self->venue) && hb_msgi_name_valid (self->symbol)
        && hb_msgi_name_valid (self->asset) && hb_msgi_name_valid (self->settle)
        && self->kind >= 1 && self->kind <= 5
        && (self->flags & ~(HB_POS_STALE | HB_POS_NO_MARK)) == 0
        && isfinite (self->qty) && hb_msgi_not_negative (self->entry_px)
        && hb_msgi_not_negative (self->mark_px) && isfinite (self->realized)
        && isfinite (self->fees) && isfinite (self->unrealized)
        && isfinite (self->exposure_usd) && self->mark_ts >= 0
        && hb_msgi_id_valid (self->last_fill, false);
}

static bool
s_exposure_valid (const hb_exposure_t *self)
{
    return hb_msgi_name_valid (self->asset) && (self->flags & ~(HB_POS_STALE | HB_POS_NO_MARK)) == 0
        && hb_msgi_not_negative (self->price) && isfinite (self->net_qty)
        && isfinite (self->net_usd) && hb_msgi_not_negative (self->gross_usd);
}

static bool
s_margin_valid (const hb_margin_t *self)
{
    if (!hb_msgi_name_valid (self->venue) || (self->flags & ~S_KNOWN_FLAGS) != 0
    ||  !isfinite (self->collateral_usd) || !isfinite (self->unrealized_usd)
    ||  !isfinite (self->equity_usd) || !hb_msgi_not_negative (self->initial_usd)
    ||  !hb_msgi_not_negative (self->maintenance_usd) || !hb_msgi_not_negative (self->utilization)
    ||  self->n_assets > HB_MARGIN_ASSETS)
        return false;
    for (int i = 0; i < self->n_assets; i++) {
        const hb_margin_asset_t *asset = &self->assets [i];
        if (!hb_msgi_name_valid (asset->asset) || !isfinite (asset->exposure_usd) || asset->has_liq > 1
        ||  !(asset->liq_move >= -1 && asset->liq_move <= S_LIQ_MOVE_MAX)
        ||  (!asset->has_liq && asset->liq_move != 0))
            return false;
    }
    return true;
}

//  ---------------------------------------------------------------------------

static int
s_position_encode (msgpack_packer *pk, const hb_position_t *self)
{
    if (!s_position_valid (self))
        return -1;
    int rc = msgpack_pack_array (pk, S_POSITION_FIELDS);
    rc |= hb_msgi_pack_str (pk, self->venue, sizeof self->venue);
    rc |= hb_msgi_pack_str (pk, self->symbol, sizeof self->symbol);
    rc |= hb_msgi_pack_str (pk, self->asset, sizeof self->asset);
    rc |= msgpack_pack_uint8 (pk, self->kind);
    rc |= msgpack_pack_uint32 (pk, self->flags);
    rc |= hb_msgi_pack_double (pk, self->qty);
    rc |= hb_msgi_pack_double (pk, self->entry_px);
    rc |= hb_msgi_pack_double (pk, self->mark_px);
    rc |= hb_msgi_pack_double (pk, self->realized);
    rc |= hb_msgi_pack_double (pk, self->fees);
    rc |= hb_msgi_pack_double (pk, self->unrealized);
    rc |= hb_msgi_pack_double (pk, self->exposure_usd);
    rc |= hb_msgi_pack_str (pk, self->settle, sizeof self->settle);
    rc |= msgpack_pack_uint64 (pk, self->fills);
    rc |= msgpack_pack_int64 (pk, self->mark_ts);
    rc |= hb_msgi_pack_str (pk, self->last_fill, sizeof self->last_fill);
    rc |= msgpack_pack_uint64 (pk, self->last_fill_epoch);
    rc |= msgpack_pack_uint64 (pk, self->last_fill_seq);
    return rc;
}

static int
s_exposure_encode (msgpack_packer *pk, const hb_exposure_t *self)
{
    if (!s_exposure_valid (self))
        return -1;
    int rc = msgpack_pack_array (pk, S_EXPOSURE_FIELDS);
    rc |= hb_msgi_pack_str (pk, self->asset, sizeof self->asset);
    rc |= msgpack_pack_uint32 (pk, self->flags);
    rc |= hb_msgi_pack_double (pk, self->price);
    rc |= hb_msgi_pack_double (pk, self->net_qty);
    rc |= hb_msgi_pack_double (pk, self->net_usd);
    rc |= hb_msgi_pack_double (pk, self->gross_usd);
    rc |= msgpack_pack_uint32 (pk, self->positions);
    return rc;
}

//  Per-asset entries go flat, four fields each, after one array header.
static int
s_margin_encode (msgpack_packer *pk, const hb_margin_t *self)
{
    if (!s_margin_valid (self))
        return -1;
    int rc = msgpack_pack_array (pk, S_MARGIN_FIELDS);
    rc |= hb_msgi_pack_str (pk, self->venue, sizeof self->venue);
    rc |= msgpack_pack_uint32 (pk, self->flags);
    rc |= hb_msgi_pack_double (pk, self->collateral_usd);
    rc |= hb_msgi_pack_double (pk, self->unrealized_usd);
    rc |= hb_msgi_pack_double (pk, self->equity_usd);
    rc |= hb_msgi_pack_double (pk, self->initial_usd);
    rc |= hb_msgi_pack_double (pk, self->maintenance_usd);
    rc |= hb_msgi_pack_double (pk, self->utilization);
    rc |= msgpack_pack_array (pk, S_MARGIN_ASSET_FIELDS * self->n_assets);
    for (int i = 0; i < self->n_assets; i++) {
        const hb_margin_asset_t *asset = &self->assets [i];
        rc |= hb_msgi_pack_str (pk, asset->asset, sizeof asset->asset);
        rc |= hb_msgi_pack_double (pk, asset->exposure_usd);
        rc |= hb_msgi_pack_double (pk, asset->liq_move);
        rc |= msgpack_pack_uint8 (pk, asset->has_liq);
    }
    return rc;
}

int
hb_msgi_state_encode (msgpack_packer *pk, const hb_msg_t *msg)
{
    switch (msg->env.type) {
        case HB_MSG_POSITION:
            return s_position_encode (pk, &msg->u.position);
        case HB_MSG_EXPOSURE:
            return s_exposure_encode (pk, &msg->u.exposure);
        case HB_MSG_MARGIN:
            return s_margin_encode (pk, &msg->u.margin);
        case HB_MSG_SNAPSHOT_END: {
            int rc = msgpack_pack_array (pk, S_SNAPSHOT_END_FIELDS);
            return rc | msgpack_pack_uint64 (pk, msg->u.snapshot_end.count);
        }
        default:
            return -1;
    }
}

//  ---------------------------------------------------------------------------

static hb_decode_reason_t
s_result (hb_msgi_cursor_t *c, bool valid)
{
    return c->err != HB_DECODE_OK? c->err: valid? HB_DECODE_OK: HB_DECODE_RANGE;
}

static hb_decode_reason_t
s_position_decode (hb_msgi_cursor_t *c, hb_position_t *self)
{
    hb_msgi_read_str (c, self->venue, sizeof self->venue);
    hb_msgi_read_str (c, self->symbol, sizeof self->symbol);
    hb_msgi_read_str (c, self->asset, sizeof self->asset);
    self->kind = (uint8_t) hb_msgi_read_uint (c, UINT8_MAX);
    self->flags = (uint32_t) hb_msgi_read_uint (c, UINT32_MAX);
    self->qty = hb_msgi_read_double (c);
    self->entry_px = hb_msgi_read_double (c);
    self->mark_px = hb_msgi_read_double (c);
    self->realized = hb_msgi_read_double (c);
    self->fees = hb_msgi_read_double (c);
    self->unrealized = hb_msgi_read_double (c);
    self->exposure_usd = hb_msgi_read_double (c);
    hb_msgi_read_str (c, self->settle, sizeof self->settle);
    self->fills = hb_msgi_read_uint (c, UINT64_MAX);
    self->mark_ts = hb_msgi_read_int (c);
    hb_msgi_read_str (c, self->last_fill, sizeof self->last_fill);
    //  appended in a minor revision: a recording made before has 16 fields
    if (hb_msgi_more (c)) {
        self->last_fill_epoch = hb_msgi_read_uint (c, UINT64_MAX);
        self->last_fill_seq = hb_msgi_read_uint (c, UINT64_MAX);
    }
    return s_result (c, s_position_valid (self));
}

static hb_decode_reason_t
s_exposure_decode (hb_msgi_cursor_t *c, hb_exposure_t *self)
{
    hb_msgi_read_str (c, self->asset, sizeof self->asset);
    self->flags = (uint32_t) hb_msgi_read_uint (c, UINT32_MAX);
    self->price = hb_msgi_read_double (c);
    self->net_qty = hb_msgi_read_double (c);
    self->net_usd = hb_msgi_read_double (c);
    self->gross_usd = hb_msgi_read_double (c);
    self->positions = (uint32_t) hb_msgi_read_uint (c, UINT32_MAX);
    return s_result (c, s_exposure_valid (self));
}

static hb_decode_reason_t
s_margin_decode (hb_msgi_cursor_t *c, hb_margin_t *self)
{
    hb_msgi_read_str (c, self->venue, sizeof self->venue);
    self->flags = (uint32_t) hb_msgi_read_uint (c, UINT32_MAX);
    self->collateral_usd = hb_msgi_read_double (c);
    self->unrealized_usd = hb_msgi_read_double (c);
    self->equity_usd = hb_msgi_read_double (c);
    self->initial_usd = hb_msgi_read_double (c);
    self->maintenance_usd = hb_msgi_read_double (c);
    self->utilization = hb_msgi_read_double (c);
    const msgpack_object *o = hb_msgi_next (c);
    if (!o)
        return c->err;
    if (o->type != MSGPACK_OBJECT_ARRAY || o->via.array.size % S_MARGIN_ASSET_FIELDS != 0)
        return HB_DECODE_FIELD_TYPE;
    if (o->via.array.size > S_MARGIN_ASSET_FIELDS * HB_MARGIN_ASSETS)
        return HB_DECODE_OVERSIZED;
    self->n_assets = (uint8_t) (o->via.array.size / S_MARGIN_ASSET_FIELDS);
    hb_msgi_cursor_t items;
    hb_msgi_open (c, &items);
    for (int i = 0; i < self->n_assets; i++) {
        hb_margin_asset_t *asset = &self->assets [i];
        hb_msgi_read_str (&items, asset->asset, sizeof asset->asset);
        asset->exposure_usd = hb_msgi_read_double (&items);
        asset->liq_move = hb_msgi_read_double (&items);
        asset->has_liq = (uint8_t) hb_msgi_read_uint (&items, 1);
    }
    if (items.err != HB_DECODE_OK)
        return items.err;
    return s_result (c, s_margin_valid (self));
}

hb_decode_reason_t
hb_msgi_state_decode (hb_msgi_cursor_t *c, hb_msg_t *msg)
{
    switch (msg->env.type) {
        case HB_MSG_POSITION:
            return s_position_decode (c, &msg->u.position);
        case HB_MSG_EXPOSURE:
            return s_exposure_decode (c, &msg->u.exposure);
        case HB_MSG_MARGIN:
            return s_margin_decode (c, &msg->u.margin);
        case HB_MSG_SNAPSHOT_END:
            msg->u.snapshot_end.count = hb_msgi_read_uint (c, UINT64_MAX);
            return c->err;
        default:
            return HB_DECODE_TYPE;
    }
}
