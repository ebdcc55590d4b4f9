/*  hb_msg_capital: the wire layout of hb-treasury's capital plan
    (capital.plan.<venue>) and of one transfer (capital.transfer.<from>.<to>);
    see hb_msg_int.h and docs/PROTOCOL.md, Capital.
    Same rules as hb_msg.c: one array per body, fields in struct order, the
    encoder refuses what the decoder would. Transfers go flat, eleven fields
    each, after one array header (as margin's assets do).                  */
#include "hb_msg_int.h"

#include <math.h>
#include <string.h>

#define S_PLAN_FIELDS       15
#define S_TRANSFER_FIELDS   11
#define S_MOVE_FIELDS       14      //  capital.transfer: id .. reason
#define S_REDUCE_FIELDS     10      //  capital.reduce: id .. liq_s
#define S_KNOWN_FLAGS       (HB_PLAN_SHORT | HB_PLAN_COVERED | HB_PLAN_STALE | HB_PLAN_TRUNCATED \
                             | HB_PLAN_BREACH)

static bool
s_transfer_valid (const hb_capital_transfer_t *self)
{
    return hb_msgi_name_valid (self->route) && hb_msgi_name_valid (self->from)
        && hb_msgi_name_valid (self->to) && hb_msgi_name_valid (self->asset)
        && hb_msgi_name_valid (self->network) && strcmp (self->from, self->to) != 0
        && isfinite (self->amount) && self->amount > 0
        && hb_msgi_not_negative (self->amount_usd) && hb_msgi_not_negative (self->fee)
        && hb_msgi_not_negative (self->delay_s) && hb_msgi_not_negative (self->spread_s)
        && self->eta_ns >= 0;
}

static bool
s_plan_valid (const hb_capital_plan_t *self)
{
    if (!hb_msgi_name_valid (self->venue) || (self->flags & ~S_KNOWN_FLAGS) != 0
    ||  self->reason >= HB_PLAN_REASON_COUNT
    ||  self->direction < -1 || self->direction > 1
    ||  !isfinite (self->equity_usd) || !hb_msgi_not_negative (self->maintenance_usd)
    ||  !hb_msgi_not_negative (self->stress_loss_usd) || !hb_msgi_not_negative (self->required_usd)
    ||  !isfinite (self->surplus_usd) || !hb_msgi_not_negative (self->available_usd)
    ||  !(self->liq_s == -1 || hb_msgi_not_negative (self->liq_s))
    ||  !hb_msgi_not_negative (self->covered_usd)
    ||  self->n_transfers > HB_PLAN_TRANSFERS)
        return false;
    //  a short flag that disagrees with the numbers would mislead the desk
    if (((self->flags & HB_PLAN_SHORT) != 0) != (self->surplus_usd < 0))
        return false;
    for (int i = 0; i < self->n_transfers; i++) {
        const hb_capital_transfer_t *t = &self->transfers [i];
        //  a plan lists the transfers that touch its venue, and only those
        if (!s_transfer_valid (t)
        ||  (strcmp (t->from, self->venue) != 0 && strcmp (t->to, self->venue) != 0))
            return false;
    }
    return true;
}

//  capital.transfer: the times say where it stands (a credit has its time,
//  nothing else has one; the arrival is never before the request)
static bool
s_move_valid (const hb_transfer_t *self)
{
    return hb_msgi_id_valid (self->id, true)
        && hb_msgi_name_valid (self->route) && hb_msgi_name_valid (self->from)
        && hb_msgi_name_valid (self->to) && hb_msgi_name_valid (self->asset)
        && hb_msgi_name_valid (self->network) && strcmp (self->from, self->to) != 0
        && self->status < HB_TRANSFER_STATUS_COUNT
        && isfinite (self->amount) && self->amount > 0
        && hb_msgi_not_negative (self->amount_usd) && hb_msgi_not_negative (self->fee)
        && self->requested_ns >= 0 && self->eta_ns >= self->requested_ns
        && (self->status == HB_TRANSFER_CREDITED ? self->credited_ns > 0 : self->credited_ns == 0)
        && memchr (self->reason, '\0', sizeof self->reason) != NULL;
}

static int
s_move_encode (msgpack_packer *pk, const hb_transfer_t *self)
{
    if (!s_move_valid (self))
        return -1;
    int rc = msgpack_pack_array (pk, S_MOVE_FIELDS);
    rc |= hb_msgi_pack_str (pk, self->id, sizeof self->id);
    rc |= hb_msgi_pack_str (pk, self->route, sizeof self->route);
    rc |= hb_msgi_pack_str (pk, self->from, sizeof self->from);
    rc |= hb_msgi_pack_str (pk, self->to, sizeof self->to);
    rc |= hb_msgi_pack_str (pk, self->asset, sizeof self->asset);
    rc |= hb_msgi_pack_str (pk, self->network, sizeof self->network);
    rc |= msgpack_pack_uint8 (pk, self->status);
    rc |= hb_msgi_pack_double (pk, self->amount);
    rc |= hb_msgi_pack_double (pk, self->amount_usd);
    rc |= hb_msgi_pack_double (pk, self->fee);
    rc |= msgpack_pack_int64 (pk, self->requested_ns);
    rc |= msgpack_pack_int64 (pk, self->eta_ns);
    rc |= msgpack_pack_int64 (pk, self->credited_ns);
    rc |= hb_msgi_pack_str (pk, self->reason, sizeof self->reason);
    return rc;
}

static hb_decode_reason_t
s_move_decode (hb_msgi_cursor_t *c, hb_transfer_t *self)
{
    hb_msgi_read_str (c, self->id, sizeof self->id);
    hb_msgi_read_str (c, self->route, sizeof self->route);
    hb_msgi_read_str (c, self->from, sizeof self->from);
    hb_msgi_read_str (c, self->to, sizeof self->to);
    hb_msgi_read_str (c, self->asset, sizeof self->asset);
    hb_msgi_read_str (c, self->network, sizeof self->network);
    //  an unknown status is out of range, not truncated to a known one
    self->status = (uint8_t) hb_msgi_read_uint (c, UINT8_MAX);
    self->amount = hb_msgi_read_double (c);
    self->amount_usd = hb_msgi_read_double (c);
    self->fee = hb_msgi_read_double (c);
    self->requested_ns = hb_msgi_read_int (c);
    self->eta_ns = hb_msgi_read_int (c);
    self->credited_ns = hb_msgi_read_int (c);
    hb_msgi_read_str (c, self->reason, sizeof self->reason);
    if (c->err != HB_DECODE_OK)
        return c->err;
    return s_move_valid (self) ? HB_DECODE_OK : HB_DECODE_RANGE;
}

//  capital.reduce: the trade on the venue goes against its exposure
static bool
s_reduce_valid (const hb_reduce_t *self)
{
    return hb_msgi_id_valid (self->id, true) && hb_msgi_name_valid (self->venue)
        && hb_msgi_name_valid (self->asset)
        && self->reason > HB_PLAN_REASON_NONE && self->reason < HB_PLAN_REASON_COUNT
        && isfinite (self->exposure_usd) && self->exposure_usd != 0
        && isfinite (self->reduce_usd) && self->reduce_usd > 0
        && self->reduce_usd <= fabs (self->exposure_usd)
        && isfinite (self->qty) && self->qty * self->exposure_usd < 0
        && hb_msgi_not_negative (self->shortfall_usd) && hb_msgi_not_negative (self->liq_s);
}

static int
s_reduce_encode (msgpack_packer *pk, const hb_reduce_t *self)
{
    if (!s_reduce_valid (self))
        return -1;
    int rc = msgpack_pack_array (pk, S_REDUCE_FIELDS);
    rc |= hb_msgi_pack_str (pk, self->id, sizeof self->id);
    rc |= hb_msgi_pack_str (pk, self->venue, sizeof self->venue);
    rc |= hb_msgi_pack_str (pk, self->asset, sizeof self->asset);
    rc |= msgpack_pack_uint8 (pk, self->reason);
    rc |= msgpack_pack_uint64 (pk, self->plan);
    rc |= hb_msgi_pack_double (pk, self->exposure_usd);
    rc |= hb_msgi_pack_double (pk, self->reduce_usd);
    rc |= hb_msgi_pack_double (pk, self->qty);
    rc |= hb_msgi_pack_double (pk, self->shortfall_usd);
    rc |= hb_msgi_pack_double (pk, self->liq_s);
    return rc;
}

static hb_decode_reason_t
s_reduce_decode (hb_msgi_cursor_t *c, hb_reduce_t *self)
{
    hb_msgi_read_str (c, self->id, sizeof self->id);
    hb_msgi_read_str (c, self->venue, sizeof self->venue);
    hb_msgi_read_str (c, self->asset, sizeof self->asset);
    self->reason = (uint8_t) hb_msgi_read_uint (c, UINT8_MAX);
    self->plan = hb_msgi_read_uint (c, UINT64_MAX);
    self->exposure_usd = hb_msgi_read_double (c);
    self->reduce_usd = hb_msgi_read_double (c);
    self->qty = hb_msgi_read_double (c);
    self->shortfall_usd = hb_msgi_read_double (c);
    self->liq_s = hb_msgi_read_double (c);
    if (c->err != HB_DECODE_OK)
        return c->err;
    return s_reduce_valid (self) ? HB_DECODE_OK : HB_DECODE_RANGE;
}

int
hb_msgi_capital_encode (msgpack_packer *pk, const hb_msg_t *msg)
{
    if (msg->env.type == HB_MSG_CAPITAL_REDUCE)
        return s_reduce_encode (pk, &msg->u.reduce);
    if (msg->env.type == HB_MSG_CAPITAL_TRANSFER)
        return s_move_encode (pk, &msg->u.transfer);
    if (msg->env.type != HB_MSG_CAPITAL_PLAN)
        return -1;
    const hb_capital_plan_t *self = &msg->u.capital_plan;
    if (!s_plan_valid (self))
        return -1;
    int rc = msgpack_pack_array (pk, S_PLAN_FIELDS);
    rc |= hb_msgi_pack_str (pk, self->venue, sizeof self->venue);
    rc |= msgpack_pack_uint32 (pk, self->flags);
    rc |= msgpack_pack_uint8 (pk, self->reason);
    rc |= msgpack_pack_int8 (pk, self->direction);
    rc |= msgpack_pack_uint64 (pk, self->plan);
    rc |= hb_msgi_pack_double (pk, self->equity_usd);
    rc |= hb_msgi_pack_double (pk, self->maintenance_usd);
    rc |= hb_msgi_pack_double (pk, self->stress_loss_usd);
    rc |= hb_msgi_pack_double (pk, self->required_usd);
    rc |= hb_msgi_pack_double (pk, self->surplus_usd);
    rc |= hb_msgi_pack_double (pk, self->available_usd);
    rc |= hb_msgi_pack_double (pk, self->liq_s);
    rc |= hb_msgi_pack_double (pk, self->covered_usd);
    rc |= msgpack_pack_uint8 (pk, self->n_transfers);
    rc |= msgpack_pack_array (pk, S_TRANSFER_FIELDS * self->n_transfers);
    for (int i = 0; i < self->n_transfers; i++) {
        const hb_capital_transfer_t *t = &self->transfers [i];
        rc |= hb_msgi_pack_str (pk, t->route, sizeof t->route);
        rc |= hb_msgi_pack_str (pk, t->from, sizeof t->from);
        rc |= hb_msgi_pack_str (pk, t->to, sizeof t->to);
        rc |= hb_msgi_pack_str (pk, t->asset, sizeof t->asset);
        rc |= hb_msgi_pack_str (pk, t->network, sizeof t->network);
        rc |= hb_msgi_pack_double (pk, t->amount);
        rc |= hb_msgi_pack_double (pk, t->amount_usd);
        rc |= hb_msgi_pack_double (pk, t->fee);
        rc |= hb_msgi_pack_double (pk, t->delay_s);
        rc |= hb_msgi_pack_double (pk, t->spread_s);
        rc |= msgpack_pack_int64 (pk, t->eta_ns);
    }
    return rc;
}

hb_decode_reason_t
hb_msgi_capital_decode (hb_msgi_cursor_t *c, hb_msg_t *msg)
{
    if (msg->env.type == HB_MSG_CAPITAL_REDUCE)
        return s_reduce_decode (c, &msg->u.reduce);
    if (msg->env.type == HB_MSG_CAPITAL_TRANSFER)
        return s_move_decode (c, &msg->u.transfer);
    if (msg->env.type != HB_MSG_CAPITAL_PLAN)
        return HB_DECODE_TYPE;
    hb_capital_plan_t *self = &msg->u.capital_plan;
    hb_msgi_read_str (c, self->venue, sizeof self->venue);
    self->flags = (uint32_t) hb_msgi_read_uint (c, UINT32_MAX);
    //  an unknown reason is out of range, not truncated to a known one
    self->reason = (uint8_t) hb_msgi_read_uint (c, UINT8_MAX);
    int64_t direction = hb_msgi_read_int (c);
    self->direction = (int8_t) (direction < -1 ? -2 : direction > 1 ? 2 : direction);
    self->plan = hb_msgi_read_uint (c, UINT64_MAX);
    self->equity_usd = hb_msgi_read_double (c);
    self->maintenance_usd = hb_msgi_read_double (c);
    self->stress_loss_usd = hb_msgi_read_double (c);
    self->required_usd = hb_msgi_read_double (c);
    self->surplus_usd = hb_msgi_read_double (c);
    self->available_usd = hb_msgi_read_double (c);
    self->liq_s = hb_msgi_read_double (c);
    self->covered_usd = hb_msgi_read_double (c);
    uint64_t n = hb_msgi_read_uint (c, HB_PLAN_TRANSFERS);
    const msgpack_object *o = hb_msgi_next (c);
    if (!o || c->err != HB_DECODE_OK)
        return c->err;
    if (o->type != MSGPACK_OBJECT_ARRAY || o->via.array.size != S_TRANSFER_FIELDS * n)
        return HB_DECODE_FIELD_TYPE;
    self->n_transfers = (uint8_t) n;
    hb_msgi_cursor_t items;
    hb_msgi_open (c, &items);
    for (int i = 0; i < self->n_transfers; i++) {
        hb_capital_transfer_t *t = &self->transfers [i];
        hb_msgi_read_str (&items, t->route, sizeof t->route);
        hb_msgi_read_str (&items, t->from, sizeof t->from);
        hb_msgi_read_str (&items, t->to, sizeof t->to);
        hb_msgi_read_str (&items, t->asset, sizeof t->asset);
        hb_msgi_read_str (&items, t->network, sizeof t->network);
        t->amount = hb_msgi_read_double (&items);
        t->amount_usd = hb_msgi_read_double (&items);
        t->fee = hb_msgi_read_double (&items);
        t->delay_s = hb_msgi_read_double (&items);
        t->spread_s = hb_msgi_read_double (&items);
        t->eta_ns = hb_msgi_read_int (&items);
    }
    if (items.err != HB_DECODE_OK)
        return items.err;
    return s_plan_valid (self) ? HB_DECODE_OK : HB_DECODE_RANGE;
}
