/*  hb_msg_field: the field primitives that every body codec shares
    (hb_msg_int.h): the name rule, packers for strings and doubles, and the
    cursor that reads an array of the payload one field at a time, in
    place, with a sticky error. The envelope and the bodies that use them are in hb_msg.c,
    hb_msg_state.c, hb_msg_risk.c and hb_msg_hedge.c; nothing here calls
    them.                                                                  */
#include "hb_msg_int.h"
#include "hb_mpscan.h"

#include <float.h>
#include <math.h>
#include <string.h>

//  ---------------------------------------------------------------------------
//  Names (the rule is in hb_msg_int.h)

bool
hb_name_valid (const char *name)
{
    return hb_msgi_name_valid (name);
}

//  ---------------------------------------------------------------------------
//  Encoding

int
hb_msgi_pack_str (msgpack_packer *pk, const char *text, size_t capacity)
{
    size_t len = strnlen (text, capacity);
    int rc = msgpack_pack_str (pk, len);
    rc |= msgpack_pack_str_body (pk, text, len);
    return rc;
}

//  A double that a float32 holds exactly goes as one (5 bytes, not 9):
//  round sizes and tick-aligned prices often do, and decoding widens it
//  back to the same double.
int
hb_msgi_pack_double (msgpack_packer *pk, double value)
{
    if (fabs (value) <= FLT_MAX) {
        float narrow = (float) value;
        if ((double) narrow == value)
            return msgpack_pack_float (pk, narrow);
    }
    return msgpack_pack_double (pk, value);
}

//  ---------------------------------------------------------------------------
//  Decoding: a cursor over the fields of one array

void
hb_msgi_cursor_root (hb_msgi_cursor_t *self, const void *data, size_t size)
{
    memset (self, 0, sizeof *self);
    self->data = (const uint8_t *) data;
    self->size = size;
    self->left = 1;
}

void
hb_msgi_open (hb_msgi_cursor_t *parent, hb_msgi_cursor_t *items)
{
    memset (items, 0, sizeof *items);
    items->data = parent->data;
    items->size = parent->size;
    items->err = parent->err;
    if (items->err != HB_DECODE_OK)
        return;
    if (parent->field.type != MSGPACK_OBJECT_ARRAY) {
        items->err = HB_DECODE_FIELD_TYPE;
        return;
    }
    items->pos = parent->children;
    items->left = parent->field.via.array.size;
}

void
hb_msgi_fail (hb_msgi_cursor_t *self, hb_decode_reason_t reason)
{
    if (self->err == HB_DECODE_OK)
        self->err = reason;
}

//  The next field, or NULL after a failure. A field missing at the end of
//  the array is a field of the wrong type (nothing where a value belongs).
const msgpack_object *
hb_msgi_next (hb_msgi_cursor_t *self)
{
    if (self->err != HB_DECODE_OK)
        return NULL;
    if (self->left == 0) {
        self->err = HB_DECODE_FIELD_TYPE;
        return NULL;
    }
    self->left--;
    //  the last field's children, unless a cursor read them (hb_msgi_close):
    //  passed only now, as the last field of an array (a message's body)
    //  never needs it
    if (self->unread > 0 && !hb_mpscan_skip (self->data, self->size, &self->pos, self->unread)) {
        self->err = HB_DECODE_MALFORMED;        //  not after hb_mpscan_check
        return NULL;
    }
    if (!hb_mpscan_read (self->data, self->size, &self->pos, &self->field, &self->unread)) {
        self->err = HB_DECODE_MALFORMED;
        return NULL;
    }
    self->children = self->pos;
    return &self->field;
}

void
hb_msgi_close (hb_msgi_cursor_t *parent, const hb_msgi_cursor_t *items)
{
    if (items->err == HB_DECODE_OK && items->left == 0 && items->unread == 0
    &&  parent->unread > 0 && parent->children <= items->pos) {
        parent->pos = items->pos;
        parent->unread = 0;
    }
}

bool
hb_msgi_more (const hb_msgi_cursor_t *self)
{
    return self->err == HB_DECODE_OK && self->left > 0;
}

//  The fast paths: the encodings our own encoder uses for a field of the
//  kind asked (a double as float32 or float64, an integer as a fixint or
//  uint/int 8..64, a short string as fixstr or str8), read straight from
//  the bytes when nothing is pending before them; anything else goes the
//  general way, hb_msgi_next. The bytes have passed hb_mpscan_check, and
//  every length is checked here all the same.

//  The header byte of the next field when it can be taken in place (n
//  bytes with it), else NULL
static inline const uint8_t *
s_peek (const hb_msgi_cursor_t *self)
{
    if (self->err != HB_DECODE_OK || self->left == 0 || self->unread > 0 || self->pos >= self->size)
        return NULL;
    return self->data + self->pos;
}

//  Takes the field of n bytes at the cursor, of type
static inline void
s_take (hb_msgi_cursor_t *self, size_t n, msgpack_object_type type)
{
    self->pos += n;
    self->left--;
    self->field.type = type;
}

static inline uint64_t
s_be64 (const uint8_t *p)
{
    uint64_t v;
    memcpy (&v, p, sizeof v);
    return __builtin_bswap64 (v);
}

static inline uint32_t
s_be32 (const uint8_t *p)
{
    uint32_t v;
    memcpy (&v, p, sizeof v);
    return __builtin_bswap32 (v);
}

//  An unsigned at the cursor (fixint, uint 8..64): true with its value
static inline bool
s_fast_uint (hb_msgi_cursor_t *self, uint64_t *value)
{
    const uint8_t *p = s_peek (self);
    if (!p)
        return false;
    size_t room = self->size - self->pos;
    uint8_t b = p [0];
    if (b <= 0x7f)
        *value = b;
    else
    if (b == 0xcc && room >= 2)
        *value = p [1];
    else
    if (b == 0xcd && room >= 3)
        *value = (uint64_t) p [1] << 8 | p [2];
    else
    if (b == 0xce && room >= 5)
        *value = s_be32 (p + 1);
    else
    if (b == 0xcf && room >= 9)
        *value = s_be64 (p + 1);
    else
        return false;
    s_take (self, b <= 0x7f ? 1 : b == 0xcc ? 2 : b == 0xcd ? 3 : b == 0xce ? 5 : 9,
            MSGPACK_OBJECT_POSITIVE_INTEGER);
    return true;
}

uint64_t
hb_msgi_read_uint (hb_msgi_cursor_t *self, uint64_t max)
{
    uint64_t value;
    if (s_fast_uint (self, &value)) {
        if (value <= max)
            return value;
        hb_msgi_fail (self, HB_DECODE_RANGE);
        return 0;
    }
    const msgpack_object *o = hb_msgi_next (self);
    if (!o)
        return 0;
    if (o->type != MSGPACK_OBJECT_POSITIVE_INTEGER)
        hb_msgi_fail (self, HB_DECODE_FIELD_TYPE);
    else
    if (o->via.u64 > max)
        hb_msgi_fail (self, HB_DECODE_RANGE);
    else
        return o->via.u64;
    return 0;
}

int64_t
hb_msgi_read_int (hb_msgi_cursor_t *self)
{
    uint64_t value;
    if (s_fast_uint (self, &value)) {
        if (value <= INT64_MAX)
            return (int64_t) value;
        hb_msgi_fail (self, HB_DECODE_RANGE);
        return 0;
    }
    const msgpack_object *o = hb_msgi_next (self);
    if (!o)
        return 0;
    if (o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER)
        return o->via.i64;
    if (o->type != MSGPACK_OBJECT_POSITIVE_INTEGER)
        hb_msgi_fail (self, HB_DECODE_FIELD_TYPE);
    else
    if (o->via.u64 > INT64_MAX)
        hb_msgi_fail (self, HB_DECODE_RANGE);
    else
        return (int64_t) o->via.u64;
    return 0;
}

double
hb_msgi_object_double (hb_msgi_cursor_t *self, const msgpack_object *o)
{
    if (o->type == MSGPACK_OBJECT_FLOAT64 || o->type == MSGPACK_OBJECT_FLOAT32)
        return o->via.f64;
    hb_msgi_fail (self, HB_DECODE_FIELD_TYPE);
    return 0;
}

double
hb_msgi_read_double (hb_msgi_cursor_t *self)
{
    const uint8_t *p = s_peek (self);
    if (p && p [0] == 0xcb && self->size - self->pos >= 9) {
        uint64_t bits = s_be64 (p + 1);
        double value;
        memcpy (&value, &bits, sizeof value);
        s_take (self, 9, MSGPACK_OBJECT_FLOAT64);
        return value;
    }
    if (p && p [0] == 0xca && self->size - self->pos >= 5) {
        uint32_t bits = s_be32 (p + 1);
        float value;
        memcpy (&value, &bits, sizeof value);
        s_take (self, 5, MSGPACK_OBJECT_FLOAT32);
        return value;
    }
    const msgpack_object *o = hb_msgi_next (self);
    return o? hb_msgi_object_double (self, o): 0;
}

//  Copies a string field into dest (capacity bytes, zeroed by the caller).
void
hb_msgi_read_str (hb_msgi_cursor_t *self, char *dest, size_t capacity)
{
    const char *text;
    size_t len;
    const uint8_t *p = s_peek (self);
    if (p && p [0] >= 0xa0 && p [0] <= 0xbf && self->size - self->pos >= 1u + (p [0] & 0x1f)) {
        len = p [0] & 0x1f;
        text = (const char *) p + 1;
        s_take (self, 1 + len, MSGPACK_OBJECT_STR);
    }
    else
    if (p && p [0] == 0xd9 && self->size - self->pos >= 2 && self->size - self->pos >= 2u + p [1]) {
        len = p [1];
        text = (const char *) p + 2;
        s_take (self, 2 + len, MSGPACK_OBJECT_STR);
    }
    else {
        const msgpack_object *o = hb_msgi_next (self);
        if (!o)
            return;
        if (o->type != MSGPACK_OBJECT_STR) {
            hb_msgi_fail (self, HB_DECODE_FIELD_TYPE);
            return;
        }
        len = o->via.str.size;
        text = o->via.str.ptr;
    }
    if (len >= capacity)
        hb_msgi_fail (self, HB_DECODE_OVERSIZED);
    else
    //  a NUL inside would cut the C string short of what was sent
    if (memchr (text, '\0', len))
        hb_msgi_fail (self, HB_DECODE_RANGE);
    else
        memcpy (dest, text, len);
}

//  Opens the flat array of records that follows the fixed fields: its
//  size must be a whole number of records, at most max of them. Returns the
//  record count, or -1 with the reason in *err.
int
hb_msgi_records (hb_msgi_cursor_t *c, hb_msgi_cursor_t *items, uint32_t fields, int max,
                 hb_decode_reason_t *err)
{
    const msgpack_object *o = hb_msgi_next (c);
    if (!o) {
        *err = c->err;
        return -1;
    }
    if (o->type != MSGPACK_OBJECT_ARRAY || o->via.array.size % fields != 0) {
        *err = HB_DECODE_FIELD_TYPE;
        return -1;
    }
    if (o->via.array.size > fields * (uint32_t) max) {
        *err = HB_DECODE_OVERSIZED;
        return -1;
    }
    hb_msgi_open (c, items);
    return (int) (o->via.array.size / fields);
}
