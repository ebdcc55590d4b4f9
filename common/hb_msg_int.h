/*  hb_msg_int: what the parts of the codec share. hb_msg.c holds the
    envelope and the market/order bodies; hb_msg_field.c the field packers
    and the read cursor below; hb_msg_state.c the aggregator's state bodies
    (position, exposure, margin, snapshot end); hb_msg_risk.c and
    hb_msg_hedge.c risk's and the hedger's. Internal to those files.        */
#ifndef HB_MSG_INT_H
#define HB_MSG_INT_H

#include "hb_msg.h"
#include <msgpack.h>

//  A cursor over the fields of one array, with a sticky error: after the
//  first failure every read returns 0 and does nothing.
typedef struct {
    const msgpack_object *item;         //  next field
    const msgpack_object *end;
    hb_decode_reason_t err;             //  first failure
} hb_msgi_cursor_t;

void hb_msgi_cursor_init (hb_msgi_cursor_t *self, const msgpack_object_array *array);
void hb_msgi_fail (hb_msgi_cursor_t *self, hb_decode_reason_t reason);
//  The next field, or NULL (and FIELD_TYPE) when the array has ended.
const msgpack_object *hb_msgi_next (hb_msgi_cursor_t *self);
uint64_t hb_msgi_read_uint (hb_msgi_cursor_t *self, uint64_t max);     //  RANGE above max
int64_t hb_msgi_read_int (hb_msgi_cursor_t *self);
double hb_msgi_object_double (hb_msgi_cursor_t *self, const msgpack_object *o);
double hb_msgi_read_double (hb_msgi_cursor_t *self);
//  Copies a string into dest (capacity bytes, zeroed by the caller);
//  OVERSIZED when it does not fit with its NUL, RANGE on an inner NUL.
void hb_msgi_read_str (hb_msgi_cursor_t *self, char *dest, size_t capacity);

//  Packers: 0 or non-zero when the output buffer is full.
int hb_msgi_pack_str (msgpack_packer *pk, const char *text, size_t capacity);
int hb_msgi_pack_double (msgpack_packer *pk, double value);

//  The state bodies (hb_msg_state.c), for env.type POSITION .. SNAPSHOT_END;
//  any other type fails. Encode: 0, or -1 when the body is invalid or does
//  not fit. Decode: the reason (HB_DECODE_OK when valid).
int hb_msgi_state_encode (msgpack_packer *pk, const hb_msg_t *msg);
hb_decode_reason_t hb_msgi_state_decode (hb_msgi_cursor_t *c, hb_msg_t *msg);

//  The risk bodies (hb_msg_risk.c), for RISK_EXPOSURE and RISK_HEDGE; same
//  contract as the state bodies.
int hb_msgi_risk_encode (msgpack_packer *pk, const hb_msg_t *msg);
hb_decode_reason_t hb_msgi_risk_decode (hb_msgi_cursor_t *c, hb_msg_t *msg);

//  The hedger bodies (hb_msg_hedge.c), for HEDGE_REJECT and HEDGER_CONTROL;
//  same contract.
int hb_msgi_hedge_encode (msgpack_packer *pk, const hb_msg_t *msg);
hb_decode_reason_t hb_msgi_hedge_decode (hb_msgi_cursor_t *c, hb_msg_t *msg);

#endif
