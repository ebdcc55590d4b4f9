/*  hb_msg_hedge: the wire layout of hb-hedger's messages (the refusal of
    a hedge request or of one leg, hedger.reject; the kill switch command
    and its echo, hedger.control) and of the deciding processes'
    application log (seq.<publisher>); see hb_msg_int.h and docs/PROTOCOL.md.
    Same rules as hb_msg.c: one array per body, fields in struct order, the
    encoder refuses what the decoder would.                                */
#include "hb_msg_int.h"

#include <math.h>
#include <string.h>

#define S_REJECT_FIELDS     6       //  request_id, asset, venue, reason, detail, qty
#define S_CONTROL_FIELDS    5       //  id, command, by, text, canceled
#define S_APPLOG_FIELDS     3       //  first, count, data (bin)

//  "" (not about one asset or venue) or a name
static bool
s_opt_name (const char *name)
{
    return name [0] == '\0' || hb_msgi_name_valid (name);
}

static bool
s_reject_valid (const hb_hedge_reject_t *self)
{
    return hb_msgi_id_valid (self->request_id, true) && s_opt_name (self->asset)
        && s_opt_name (self->venue) && hb_msgi_name_valid (self->reason)
        && memchr (self->detail, '\0', sizeof self->detail) != NULL
        && isfinite (self->qty);
}

static bool
s_control_valid (const hb_hedger_control_t *self)
{
    return hb_msgi_id_valid (self->id, true)
        && (self->command == HB_CONTROL_KILL || self->command == HB_CONTROL_RESET)
        && hb_msgi_name_valid (self->by)
        && memchr (self->text, '\0', sizeof self->text) != NULL;
}

static int
s_reject_encode (msgpack_packer *pk, const hb_hedge_reject_t *self)
{
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

static int
s_control_encode (msgpack_packer *pk, const hb_hedger_control_t *self)
{
    if (!s_control_valid (self))
        return -1;
    int rc = msgpack_pack_array (pk, S_CONTROL_FIELDS);
    rc |= hb_msgi_pack_str (pk, self->id, sizeof self->id);
    rc |= msgpack_pack_uint8 (pk, self->command);
    rc |= hb_msgi_pack_str (pk, self->by, sizeof self->by);
    rc |= hb_msgi_pack_str (pk, self->text, sizeof self->text);
    rc |= msgpack_pack_uint32 (pk, self->canceled);
    return rc;
}

//  The entries themselves are hb_applog's to check (a reader that cannot
//  parse them stops there); the wire only bounds them
static bool
s_applog_valid (const hb_applog_msg_t *self)
{
    return self->count >= 1 && self->size >= 1 && self->size <= HB_APPLOG_DATA_MAX
        && self->count <= self->size;
}

static int
s_applog_encode (msgpack_packer *pk, const hb_applog_msg_t *self)
{
    if (!s_applog_valid (self))
        return -1;
    int rc = msgpack_pack_array (pk, S_APPLOG_FIELDS);
    rc |= msgpack_pack_uint64 (pk, self->first);
    rc |= msgpack_pack_uint32 (pk, self->count);
    rc |= msgpack_pack_bin (pk, self->size);
    rc |= msgpack_pack_bin_body (pk, self->data, self->size);
    return rc;
}

int
hb_msgi_hedge_encode (msgpack_packer *pk, const hb_msg_t *msg)
{
    switch (msg->env.type) {
        case HB_MSG_APPLOG:         return s_applog_encode (pk, &msg->u.applog);
        case HB_MSG_HEDGE_REJECT:   return s_reject_encode (pk, &msg->u.hedge_reject);
        case HB_MSG_HEDGER_CONTROL: return s_control_encode (pk, &msg->u.hedger_control);
        default:                    return -1;
    }
}

static hb_decode_reason_t
s_reject_decode (hb_msgi_cursor_t *c, hb_hedge_reject_t *self)
{
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

static hb_decode_reason_t
s_control_decode (hb_msgi_cursor_t *c, hb_hedger_control_t *self)
{
    memset (self, 0, sizeof *self);
    hb_msgi_read_str (c, self->id, sizeof self->id);
    //  an unknown command is out of range, not truncated to a known one
    self->command = (uint8_t) hb_msgi_read_uint (c, HB_CONTROL_RESET);
    hb_msgi_read_str (c, self->by, sizeof self->by);
    hb_msgi_read_str (c, self->text, sizeof self->text);
    self->canceled = (uint32_t) hb_msgi_read_uint (c, UINT32_MAX);
    if (c->err != HB_DECODE_OK)
        return c->err;
    return s_control_valid (self)? HB_DECODE_OK: HB_DECODE_RANGE;
}

static hb_decode_reason_t
s_applog_decode (hb_msgi_cursor_t *c, hb_applog_msg_t *self)
{
    self->first = hb_msgi_read_uint (c, UINT64_MAX);
    self->count = (uint32_t) hb_msgi_read_uint (c, UINT32_MAX);
    const msgpack_object *data = hb_msgi_next (c);
    if (c->err != HB_DECODE_OK)
        return c->err;
    if (data->type != MSGPACK_OBJECT_BIN)
        return HB_DECODE_FIELD_TYPE;
    if (data->via.bin.size > HB_APPLOG_DATA_MAX)
        return HB_DECODE_OVERSIZED;
    self->size = (uint16_t) data->via.bin.size;
    memcpy (self->data, data->via.bin.ptr, self->size);
    return s_applog_valid (self)? HB_DECODE_OK: HB_DECODE_RANGE;
}

hb_decode_reason_t
hb_msgi_hedge_decode (hb_msgi_cursor_t *c, hb_msg_t *msg)
{
    switch (msg->env.type) {
        case HB_MSG_APPLOG:         return s_applog_decode (c, &msg->u.applog);
        case HB_MSG_HEDGE_REJECT:   return s_reject_decode (c, &msg->u.hedge_reject);
        case HB_MSG_HEDGER_CONTROL: return s_control_decode (c, &msg->u.hedger_control);
        default:                    return HB_DECODE_TYPE;
    }
}
