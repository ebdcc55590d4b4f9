/*  hb_msg_hedge: the wire layout of hb-hedger's messages (the refusal of
    a hedge request or of one leg, hedger.reject); see hb_msg_int.h and
    docs/PROTOCOL.md, Hedger. Same rules as hb_msg.c: one array per body,
    fields in struct order, the encoder refuses what the decoder would.    */
#include "hb_msg_int.h"

#include <math.h>
#include <string.h>

#define S_REJECT_FIELDS     6       //  request_id, asset, venue, reason, detail, qty

//  Same rule as the ids of hb_msg.c: printable ASCII without space.
static bool
s_id_valid (const char *id)
{
    size_t len = 0;
    while (len < HB_ID_MAX && id [len]) {
        if (id [len] < 0x21 || id [len] > 0x7e)
            return false;
        len++;
    }
    return len > 0 && len < HB_ID_MAX;
}

//  "" (not about one asset or venue) or a name
static bool
s_opt_name (const char *name)
{
    return name [0] == '\0' || hb_name_valid (name);
}

static bool
s_reject_valid (const hb_hedge_reject_t *self)
{
    return s_id_valid (self->request_id) && s_opt_name (self->asset)
        && s_opt_name (self->venue) && hb_name_valid (self->reason)
        && memchr (self->detail, '\0', sizeof self->detail) != NULL
        && isfinite (self->qty);
}

int
hb_msgi_hedge_encode (msgpack_packer *pk, const hb_msg_t *msg)
{
    if (msg->env.type != HB_MSG_HEDGE_REJECT)
        return -1;
    const hb_hedge_reject_t *self = &msg->u.hedge_reject;
    if (!s_reject_valid (self))
        return -1;
    int rc = msgpack_pack_array (pk, S_REJECT_FIELDS);
    rc |= hb_msgi_pack_str (pk, self->request_id, sizeof self->request_id);
    rc |= hb_msgi_pack_str (pk, self->asset, sizeof self->asset);
    rc |= hb_msgi_pack_str (pk, self->venue, sizeof self->venue);
    rc |= hb_msgi_pack_str (pk, self->reason, sizeof self->reason);
    rc |= hb_msgi_pack_str (pk, self->detail, sizeof self->detail);
    rc |= hb_msgi_pack_double (pk, self->qty);
    return rc;
}

hb_decode_reason_t
hb_msgi_hedge_decode (hb_msgi_cursor_t *c, hb_msg_t *msg)
{
    if (msg->env.type != HB_MSG_HEDGE_REJECT)
        return HB_DECODE_TYPE;
    hb_hedge_reject_t *self = &msg->u.hedge_reject;
    memset (self, 0, sizeof *self);
    hb_msgi_read_str (c, self->request_id, sizeof self->request_id);
    hb_msgi_read_str (c, self->asset, sizeof self->asset);
    hb_msgi_read_str (c, self->venue, sizeof self->venue);
    hb_msgi_read_str (c, self->reason, sizeof self->reason);
    hb_msgi_read_str (c, self->detail, sizeof self->detail);
    self->qty = hb_msgi_read_double (c);
    if (c->err != HB_DECODE_OK)
        return c->err;
    return s_reject_valid (self)? HB_DECODE_OK: HB_DECODE_RANGE;
}
