/*  hb_msg_account: the wire layout of a venue's own account report
    (account.<venue>); see hb_msg_int.h and docs/PROTOCOL.md, Account.
    Same rules as hb_msg.c: one array per body, fields in struct order, the
    encoder refuses what the decoder would. Positions go flat, six fields
    each, after one array header (as margin's assets do).                  */
#include "hb_msg_int.h"

#include <math.h>
#include <string.h>

#define S_ACCOUNT_FIELDS    10
#define S_POSITION_FIELDS   6
#define S_KNOWN_FLAGS       (HB_ACCOUNT_TRUNCATED | HB_ACCOUNT_NO_MARGIN | HB_ACCOUNT_NO_SPOT)

static bool
s_position_valid (const hb_account_position_t *self)
{
    //  a flat position is not listed: a reader takes "absent" as flat
    return hb_msgi_name_valid (self->symbol) && isfinite (self->qty) && self->qty != 0
        && hb_msgi_not_negative (self->entry_px) && isfinite (self->unrealized_usd)
        && hb_msgi_not_negative (self->liq_px) && isfinite (self->funding_usd);
}

static bool
s_account_valid (const hb_account_t *self)
{
    if (!hb_msgi_name_valid (self->venue) || (self->flags & ~S_KNOWN_FLAGS) != 0
    ||  !isfinite (self->equity_usd) || !hb_msgi_not_negative (self->initial_usd)
    ||  !hb_msgi_not_negative (self->maintenance_usd)
    ||  !hb_msgi_not_negative (self->withdrawable_usd) || !isfinite (self->funding_usd)
    ||  self->n_positions > HB_ACCOUNT_POSITIONS)
        return false;
    //  one position per instrument: a reader compares them one by one
    for (int i = 0; i < self->n_positions; i++) {
        if (!s_position_valid (&self->positions [i]))
            return false;
        for (int j = 0; j < i; j++)
            if (strcmp (self->positions [i].symbol, self->positions [j].symbol) == 0)
                return false;
    }
    return true;
}

int
hb_msgi_account_encode (msgpack_packer *pk, const hb_msg_t *msg)
{
    if (msg->env.type != HB_MSG_ACCOUNT)
        return -1;
    const hb_account_t *self = &msg->u.account;
    if (!s_account_valid (self))
        return -1;
    int rc = msgpack_pack_array (pk, S_ACCOUNT_FIELDS);
    rc |= hb_msgi_pack_str (pk, self->venue, sizeof self->venue);
    rc |= msgpack_pack_uint32 (pk, self->flags);
    rc |= hb_msgi_pack_double (pk, self->equity_usd);
    rc |= hb_msgi_pack_double (pk, self->initial_usd);
    rc |= hb_msgi_pack_double (pk, self->maintenance_usd);
    rc |= hb_msgi_pack_double (pk, self->withdrawable_usd);
    rc |= hb_msgi_pack_double (pk, self->funding_usd);
    rc |= msgpack_pack_uint16 (pk, self->n_other);
    rc |= msgpack_pack_uint8 (pk, self->n_positions);
    rc |= msgpack_pack_array (pk, S_POSITION_FIELDS * self->n_positions);
    for (int i = 0; i < self->n_positions; i++) {
        const hb_account_position_t *p = &self->positions [i];
        rc |= hb_msgi_pack_str (pk, p->symbol, sizeof p->symbol);
        rc |= hb_msgi_pack_double (pk, p->qty);
        rc |= hb_msgi_pack_double (pk, p->entry_px);
        rc |= hb_msgi_pack_double (pk, p->unrealized_usd);
        rc |= hb_msgi_pack_double (pk, p->liq_px);
        rc |= hb_msgi_pack_double (pk, p->funding_usd);
    }
    return rc;
}

hb_decode_reason_t
hb_msgi_account_decode (hb_msgi_cursor_t *c, hb_msg_t *msg)
{
    if (msg->env.type != HB_MSG_ACCOUNT)
        return HB_DECODE_TYPE;
    hb_account_t *self = &msg->u.account;
    hb_msgi_read_str (c, self->venue, sizeof self->venue);
    self->flags = (uint32_t) hb_msgi_read_uint (c, UINT32_MAX);
    self->equity_usd = hb_msgi_read_double (c);
    self->initial_usd = hb_msgi_read_double (c);
    self->maintenance_usd = hb_msgi_read_double (c);
    self->withdrawable_usd = hb_msgi_read_double (c);
    self->funding_usd = hb_msgi_read_double (c);
    self->n_other = (uint16_t) hb_msgi_read_uint (c, UINT16_MAX);
    uint64_t n = hb_msgi_read_uint (c, HB_ACCOUNT_POSITIONS);
    const msgpack_object *o = hb_msgi_next (c);
    if (!o || c->err != HB_DECODE_OK)
        return c->err;
    if (o->type != MSGPACK_OBJECT_ARRAY || o->via.array.size != S_POSITION_FIELDS * n)
        return HB_DECODE_FIELD_TYPE;
    self->n_positions = (uint8_t) n;
    hb_msgi_cursor_t items;
    hb_msgi_open (c, &items);
    for (int i = 0; i < self->n_positions; i++) {
        hb_account_position_t *p = &self->positions [i];
        hb_msgi_read_str (&items, p->symbol, sizeof p->symbol);
        p->qty = hb_msgi_read_double (&items);
        p->entry_px = hb_msgi_read_double (&items);
        p->unrealized_usd = hb_msgi_read_double (&items);
        p->liq_px = hb_msgi_read_double (&items);
        p->funding_usd = hb_msgi_read_double (&items);
    }
    if (items.err != HB_DECODE_OK)
        return items.err;
    return s_account_valid (self) ? HB_DECODE_OK : HB_DECODE_RANGE;
}
