/*  hb_msg_optplan: the wire layout of risk.optplan, hb-risk's option legs
    for one asset (docs/PROTOCOL.md, Option plans); see hb_msg_int.h. Same
    rules as hb_msg.c: one array, fields in struct order, the vega figures
    one flat array of float32 triples per bucket, the legs one flat array
    of records; the encoder refuses what the decoder would.                */
#include "hb_msg_int.h"

#include <math.h>
#include <string.h>

#define S_FIELDS        15      //  id .. delta, buckets, legs
#define S_BUCKET_FIELDS 3       //  vega_band, vega_before, vega_after
#define S_LEG_FIELDS    10      //  venue .. premium

static bool
s_leg_valid (const hb_optplan_leg_msg_t *leg, int n_buckets)
{
    return hb_msgi_name_valid (leg->venue) && hb_msgi_name_valid (leg->symbol)
        && (leg->side == HB_SIDE_BUY || leg->side == HB_SIDE_SELL) && leg->bucket < n_buckets
        && isfinite (leg->qty) && leg->qty > 0 && isfinite (leg->limit_px) && leg->limit_px > 0
        && isfinite (leg->gamma_usd) && isfinite (leg->vega) && isfinite (leg->delta)
        && isfinite (leg->premium);
}

static bool
s_valid (const hb_risk_optplan_t *self)
{
    if (!hb_msgi_id_valid (self->id, true) || !hb_msgi_name_valid (self->asset)
    ||  self->reason >= HB_OPTPLAN_MSG_REASONS || memchr (self->why, '\0', sizeof self->why) == NULL
    ||  !(isfinite (self->index) && self->index > 0) || !hb_msgi_not_negative (self->gamma_band)
    ||  !isfinite (self->gamma_before) || !isfinite (self->gamma_after)
    ||  !hb_msgi_not_negative (self->cost) || !isfinite (self->premium) || !isfinite (self->delta)
    ||  self->n_buckets < 1 || self->n_buckets > HB_RISK_VEGA_BUCKETS
    ||  self->n_legs > HB_OPTPLAN_MSG_LEGS || (self->n_legs > 0 && self->reason != 0))
        return false;
    for (int b = 0; b < self->n_buckets; b++)
        if (!hb_msgi_not_negative (self->vega_band [b]) || !isfinite (self->vega_before [b])
        ||  !isfinite (self->vega_after [b]))
            return false;
    for (int i = 0; i < self->n_legs; i++)
        if (!s_leg_valid (&self->legs [i], self->n_buckets))
            return false;
    return true;
}

static int
s_encode (msgpack_packer *pk, const hb_risk_optplan_t *self)
{
    if (!s_valid (self))
        return -1;
    int rc = msgpack_pack_array (pk, S_FIELDS);
    rc |= hb_msgi_pack_str (pk, self->id, sizeof self->id);
    rc |= hb_msgi_pack_str (pk, self->asset, sizeof self->asset);
    rc |= msgpack_pack_uint8 (pk, self->reason);
    rc |= hb_msgi_pack_str (pk, self->why, sizeof self->why);
    rc |= msgpack_pack_uint64 (pk, self->sample);
    rc |= hb_msgi_pack_double (pk, self->index);
    rc |= hb_msgi_pack_double (pk, self->gamma_band);
    rc |= hb_msgi_pack_double (pk, self->gamma_before);
    rc |= hb_msgi_pack_double (pk, self->gamma_after);
    rc |= hb_msgi_pack_double (pk, self->cost);
    rc |= hb_msgi_pack_double (pk, self->premium);
    rc |= hb_msgi_pack_double (pk, self->delta);
    rc |= msgpack_pack_uint8 (pk, self->n_buckets);
    rc |= msgpack_pack_array (pk, (uint32_t) (S_BUCKET_FIELDS * self->n_buckets));
    for (int b = 0; b < self->n_buckets; b++) {
        rc |= msgpack_pack_float (pk, self->vega_band [b]);
        rc |= msgpack_pack_float (pk, self->vega_before [b]);
        rc |= msgpack_pack_float (pk, self->vega_after [b]);
    }
    rc |= msgpack_pack_array (pk, (uint32_t) (S_LEG_FIELDS * self->n_legs));
    for (int i = 0; i < self->n_legs; i++) {
        const hb_optplan_leg_msg_t *leg = &self->legs [i];
        rc |= hb_msgi_pack_str (pk, leg->venue, sizeof leg->venue);
        rc |= hb_msgi_pack_str (pk, leg->symbol, sizeof leg->symbol);
        rc |= msgpack_pack_uint8 (pk, leg->side);
        rc |= msgpack_pack_uint8 (pk, leg->bucket);
        rc |= hb_msgi_pack_double (pk, leg->qty);
        rc |= hb_msgi_pack_double (pk, leg->limit_px);
        rc |= hb_msgi_pack_double (pk, leg->gamma_usd);
        rc |= hb_msgi_pack_double (pk, leg->vega);
        rc |= hb_msgi_pack_double (pk, leg->delta);
        rc |= hb_msgi_pack_double (pk, leg->premium);
    }
    return rc;
}

int
hb_msgi_optplan_encode (msgpack_packer *pk, const hb_msg_t *msg)
{
    return msg->env.type == HB_MSG_RISK_OPTPLAN? s_encode (pk, &msg->u.risk_optplan): -1;
}

static hb_decode_reason_t
s_decode (hb_msgi_cursor_t *c, hb_risk_optplan_t *self)
{
    memset (self, 0, sizeof *self);
    hb_msgi_read_str (c, self->id, sizeof self->id);
    hb_msgi_read_str (c, self->asset, sizeof self->asset);
    self->reason = (uint8_t) hb_msgi_read_uint (c, HB_OPTPLAN_MSG_REASONS - 1);
    hb_msgi_read_str (c, self->why, sizeof self->why);
    self->sample = hb_msgi_read_uint (c, UINT64_MAX);
    self->index = hb_msgi_read_double (c);
    self->gamma_band = hb_msgi_read_double (c);
    self->gamma_before = hb_msgi_read_double (c);
    self->gamma_after = hb_msgi_read_double (c);
    self->cost = hb_msgi_read_double (c);
    self->premium = hb_msgi_read_double (c);
    self->delta = hb_msgi_read_double (c);
    self->n_buckets = (uint8_t) hb_msgi_read_uint (c, HB_RISK_VEGA_BUCKETS);
    hb_decode_reason_t err = HB_DECODE_OK;
    hb_msgi_cursor_t items;
    int n = hb_msgi_records (c, &items, S_BUCKET_FIELDS, HB_RISK_VEGA_BUCKETS, &err);
    if (n < 0)
        return err;
    if (c->err == HB_DECODE_OK && n != self->n_buckets)
        return HB_DECODE_RANGE;
    for (int b = 0; b < n; b++) {
        self->vega_band [b] = (float) hb_msgi_read_double (&items);
        self->vega_before [b] = (float) hb_msgi_read_double (&items);
        self->vega_after [b] = (float) hb_msgi_read_double (&items);
    }
    if (items.err != HB_DECODE_OK)
        return items.err;
    n = hb_msgi_records (c, &items, S_LEG_FIELDS, HB_OPTPLAN_MSG_LEGS, &err);
    if (n < 0)
        return err;
    self->n_legs = (uint8_t) n;
    for (int i = 0; i < n; i++) {
        hb_optplan_leg_msg_t *leg = &self->legs [i];
        hb_msgi_read_str (&items, leg->venue, sizeof leg->venue);
        hb_msgi_read_str (&items, leg->symbol, sizeof leg->symbol);
        leg->side = (uint8_t) hb_msgi_read_uint (&items, UINT8_MAX);
        leg->bucket = (uint8_t) hb_msgi_read_uint (&items, UINT8_MAX);
        leg->qty = hb_msgi_read_double (&items);
        leg->limit_px = hb_msgi_read_double (&items);
        leg->gamma_usd = hb_msgi_read_double (&items);
        leg->vega = hb_msgi_read_double (&items);
        leg->delta = hb_msgi_read_double (&items);
        leg->premium = hb_msgi_read_double (&items);
    }
    if (items.err != HB_DECODE_OK)
        return items.err;
    if (c->err != HB_DECODE_OK)
        return c->err;
    return s_valid (self)? HB_DECODE_OK: HB_DECODE_RANGE;
}

hb_decode_reason_t
hb_msgi_optplan_decode (hb_msgi_cursor_t *c, hb_msg_t *msg)
{
    return msg->env.type == HB_MSG_RISK_OPTPLAN? s_decode (c, &msg->u.risk_optplan): HB_DECODE_TYPE;
}
