/*  hb_msg_field: the field primitives that every body codec shares
    (hb_msg_int.h): the name rule, packers for strings and doubles, and the
    cursor that reads an unpacked array one field at a time with a sticky
    error. The envelope and the bodies that use them are in hb_msg.c,
    hb_msg_state.c, hb_msg_risk.c and hb_msg_hedge.c; nothing here calls
    them.                                                                  */
#include "hb_msg_int.h"

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
hb_msgi_cursor_init (hb_msgi_cursor_t *self, const msgpack_object_array *array)
{
    self->item = array->ptr;
    self->end = array->ptr + array->size;
    self->err = HB_DECODE_OK;
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
    if (self->item == self->end) {
        self->err = HB_DECODE_FIELD_TYPE;
        return NULL;
    }
    return self->item++;
}

bool
hb_msgi_more (const hb_msgi_cursor_t *self)
{
    return self->err == HB_DECODE_OK && self->item != self->end;
}

uint64_t
hb_msgi_read_uint (hb_msgi_cursor_t *self, uint64_t max)
{
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
    const msgpack_object *o = hb_msgi_next (self);
    return o? hb_msgi_object_double (self, o): 0;
}

//  Copies a string field into dest (capacity bytes, zeroed by the caller).
void
hb_msgi_read_str (hb_msgi_cursor_t *self, char *dest, size_t capacity)
{
    const msgpack_object *o = hb_msgi_next (self);
    if (!o)
        return;
    if (o->type != MSGPACK_OBJECT_STR)
        hb_msgi_fail (self, HB_DECODE_FIELD_TYPE);
    else
    if (o->via.str.size >= capacity)
        hb_msgi_fail (self, HB_DECODE_OVERSIZED);
    else {
        //  a NUL inside would cut the C string short of what was sent
        for (uint32_t i = 0; i < o->via.str.size; i++)
            if ((dest [i] = o->via.str.ptr [i]) == '\0') {
                hb_msgi_fail (self, HB_DECODE_RANGE);
                return;
            }
    }
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
    hb_msgi_cursor_init (items, &o->via.array);
    return (int) (o->via.array.size / fields);
}
