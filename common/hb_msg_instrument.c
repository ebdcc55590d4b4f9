/*  hb_msg_instrument: the wire layout of instrument.<venue>, an instrument
    a venue lists as its feed discovered it; see hb_msg_int.h and
    docs/PROTOCOL.md, Instruments. Same rules as hb_msg.c: one array, fields
    in struct order, the encoder refuses what the decoder would; fields
    appended later are ignored by this reader.                             */
#include "hb_msg_int.h"

#include <string.h>

#define S_FIELDS        14
#define S_KNOWN_FLAGS   (HB_INSTRUMENT_DELISTED | HB_INSTRUMENT_INVERSE | HB_INSTRUMENT_CALL)
#define S_KIND_SPOT     1       //  hb_kind_t (hb_config.h, which the codec does not include)
#define S_KIND_INVERSE  3
#define S_KIND_FUTURE   4
#define S_KIND_OPTION   5
//  contract sizes, ticks and lots within the config's bounds (hb_config_venue.c)
#define S_SIZE_MIN      1e-12
#define S_SIZE_MAX      1e9

static bool
s_size_valid (double value)
{
    return isfinite (value) && value >= S_SIZE_MIN && value <= S_SIZE_MAX;
}

const char *
hb_instrument_check (const hb_instrument_t *self)
{
    if (!self)
        return "no instrument";
    if (!hb_msgi_name_valid (self->venue))
        return "venue is not a name";
    if (!hb_msgi_name_valid (self->symbol))
        return "symbol is not a name";
    if (!hb_msgi_name_valid (self->asset))
        return "asset is not a name";
    if (self->kind < S_KIND_SPOT || self->kind > S_KIND_OPTION)
        return "kind is not 1..5";
    if ((self->flags & ~S_KNOWN_FLAGS) != 0)
        return "unknown flags";
    if (!s_size_valid (self->multiplier))
        return "multiplier out of [1e-12, 1e9]";
    if (self->kind == S_KIND_SPOT && self->multiplier != 1)
        return "a spot instrument's multiplier is 1";
    if (!s_size_valid (self->tick_size))
        return "tick out of [1e-12, 1e9]";
    if (!s_size_valid (self->lot_size))
        return "lot out of [1e-12, 1e9]";
    if (!s_size_valid (self->min_qty) || self->min_qty < self->lot_size * (1 - 1e-9))
        return "min below the lot";
    bool inverse = (self->flags & HB_INSTRUMENT_INVERSE) != 0;
    if ((self->kind == S_KIND_INVERSE) != inverse && self->kind != S_KIND_FUTURE)
        return "inverse flag disagrees with the kind";
    bool dated = self->kind == S_KIND_FUTURE || self->kind == S_KIND_OPTION;
    if (dated ? self->expiry_ns <= 0 : self->expiry_ns != 0)
        return "expiry: a future or an option has one, nothing else";
    bool option = self->kind == S_KIND_OPTION;
    if (option ? !(isfinite (self->strike) && self->strike > 0) : self->strike != 0)
        return "strike: an option has one (> 0), nothing else";
    if (!option && (self->flags & HB_INSTRUMENT_CALL))
        return "call flag on a non-option";
    if (!hb_msgi_name_valid (self->settle))
        return "settle is not a name";
    if (self->underlying [0] && (!option || !hb_msgi_name_valid (self->underlying)))
        return "underlying: a name, on options only";
    return NULL;
}

int
hb_msgi_instrument_encode (msgpack_packer *pk, const hb_msg_t *msg)
{
    if (msg->env.type != HB_MSG_INSTRUMENT)
        return -1;
    const hb_instrument_t *self = &msg->u.instrument;
    if (hb_instrument_check (self))
        return -1;
    int rc = msgpack_pack_array (pk, S_FIELDS);
    rc |= hb_msgi_pack_str (pk, self->venue, sizeof self->venue);
    rc |= hb_msgi_pack_str (pk, self->symbol, sizeof self->symbol);
    rc |= hb_msgi_pack_str (pk, self->asset, sizeof self->asset);
    rc |= msgpack_pack_uint8 (pk, self->kind);
    rc |= msgpack_pack_uint32 (pk, self->flags);
    rc |= hb_msgi_pack_double (pk, self->multiplier);
    rc |= hb_msgi_pack_double (pk, self->tick_size);
    rc |= hb_msgi_pack_double (pk, self->lot_size);
    rc |= hb_msgi_pack_double (pk, self->min_qty);
    rc |= msgpack_pack_int64 (pk, self->expiry_ns);
    rc |= hb_msgi_pack_double (pk, self->strike);
    rc |= hb_msgi_pack_str (pk, self->settle, sizeof self->settle);
    rc |= hb_msgi_pack_str (pk, self->underlying, sizeof self->underlying);
    //  reserved for the listing time, so that a reader of the first
    //  revision already takes a 14-field body
    rc |= msgpack_pack_int64 (pk, 0);
    return rc;
}

hb_decode_reason_t
hb_msgi_instrument_decode (hb_msgi_cursor_t *c, hb_msg_t *msg)
{
    if (msg->env.type != HB_MSG_INSTRUMENT)
        return HB_DECODE_TYPE;
    hb_instrument_t *self = &msg->u.instrument;
    memset (self, 0, sizeof *self);
    hb_msgi_read_str (c, self->venue, sizeof self->venue);
    hb_msgi_read_str (c, self->symbol, sizeof self->symbol);
    hb_msgi_read_str (c, self->asset, sizeof self->asset);
    self->kind = (uint8_t) hb_msgi_read_uint (c, UINT8_MAX);
    self->flags = (uint32_t) hb_msgi_read_uint (c, UINT32_MAX);
    self->multiplier = hb_msgi_read_double (c);
    self->tick_size = hb_msgi_read_double (c);
    self->lot_size = hb_msgi_read_double (c);
    self->min_qty = hb_msgi_read_double (c);
    self->expiry_ns = hb_msgi_read_int (c);
    self->strike = hb_msgi_read_double (c);
    hb_msgi_read_str (c, self->settle, sizeof self->settle);
    hb_msgi_read_str (c, self->underlying, sizeof self->underlying);
    (void) hb_msgi_read_int (c);
    if (c->err != HB_DECODE_OK)
        return c->err;
    return hb_instrument_check (self) ? HB_DECODE_RANGE : HB_DECODE_OK;
}
