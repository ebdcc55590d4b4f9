/*  hb_msg_int: what the parts of the codec share. hb_msg.c holds the
    envelope and the market/order bodies; hb_msg_field.c the field packers
    and the read cursor below; hb_msg_state.c the aggregator's state bodies
    (position, exposure, margin, snapshot end); hb_msg_risk.c and
    hb_msg_hedge.c risk's and the hedger's; hb_msg_capital.c hb-treasury's
    plan; hb_msg_account.c a venue's own account report. Internal to those
    files.

    The calls go one way: hb_msg.c dispatches to the body files, and every
    file uses the field primitives and the validity rules below, which call
    nothing back (tests/check_circles.py keeps it so).                     */
#ifndef HB_MSG_INT_H
#define HB_MSG_INT_H

#include "hb_msg.h"
#include <math.h>
#include <msgpack.h>

//  Validity rules every body shares. Inline: the encoder and the decoder
//  run them on every field of every message.

static inline bool
hb_msgi_name_char (char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
        || c == '.' || c == '_' || c == ':' || c == '-';
}

//  1..HB_NAME_MAX-1 bytes of [A-Za-z0-9._:-] (hb_name_valid, for callers
//  outside the codec).
static inline bool
hb_msgi_name_valid (const char *name)
{
    if (!name)
        return false;
    size_t len = 0;
    while (len < HB_NAME_MAX && name [len]) {
        if (!hb_msgi_name_char (name [len]))
            return false;
        len++;
    }
    return len > 0 && len < HB_NAME_MAX;
}

//  Ids are whatever a venue uses, so any printable ASCII but space; they
//  never need quoting in a log line or a journal. "" only when !required.
static inline bool
hb_msgi_id_valid (const char *id, bool required)
{
    size_t len = 0;
    while (len < HB_ID_MAX && id [len]) {
        if (id [len] < 0x21 || id [len] > 0x7e)
            return false;
        len++;
    }
    return len < HB_ID_MAX && (len > 0 || !required);
}

static inline bool
hb_msgi_not_negative (double value)
{
    return isfinite (value) && value >= 0;
}

//  A cursor over the fields of one array of a payload hb_mpscan_check
//  accepted, read in place (hb_mpscan_read), with a sticky error: after
//  the first failure every read returns 0 and does nothing.
typedef struct {
    const uint8_t *data;                //  the whole payload
    size_t   size;
    size_t   pos;                       //  the next field's first byte
    uint64_t left;                      //  fields left in the array
    msgpack_object field;               //  the last field hb_msgi_next gave
    size_t   children;                  //  where that field's children start, if any
    uint64_t unread;                    //  its children: passed by the next hb_msgi_next
    hb_decode_reason_t err;             //  first failure
} hb_msgi_cursor_t;

//  A cursor over the payload itself, as an array of its one object (the
//  caller has run hb_mpscan_check on it)
void hb_msgi_cursor_root (hb_msgi_cursor_t *self, const void *data, size_t size);
//  A cursor over the array that hb_msgi_next of parent just gave (the
//  parent's failure, or FIELD_TYPE when that field is not an array, is
//  items' own then)
void hb_msgi_open (hb_msgi_cursor_t *parent, hb_msgi_cursor_t *items);
//  items, opened from parent, has been read to its end: parent goes on
//  after it without walking it again (a shortcut only: without it the
//  next field of parent walks past the children)
void hb_msgi_close (hb_msgi_cursor_t *parent, const hb_msgi_cursor_t *items);
void hb_msgi_fail (hb_msgi_cursor_t *self, hb_decode_reason_t reason);
//  The next field, or NULL (and FIELD_TYPE) when the array has ended. It
//  lives in the cursor until the next call; an array's ptr is NULL (open
//  it with hb_msgi_open).
const msgpack_object *hb_msgi_next (hb_msgi_cursor_t *self);
//  True when a field follows (and no read failed): for a field appended in
//  a minor revision, absent from what older publishers send.
bool hb_msgi_more (const hb_msgi_cursor_t *self);
uint64_t hb_msgi_read_uint (hb_msgi_cursor_t *self, uint64_t max);     //  RANGE above max
int64_t hb_msgi_read_int (hb_msgi_cursor_t *self);
double hb_msgi_object_double (hb_msgi_cursor_t *self, const msgpack_object *o);
double hb_msgi_read_double (hb_msgi_cursor_t *self);
//  Copies a string into dest (capacity bytes, zeroed by the caller);
//  OVERSIZED when it does not fit with its NUL, RANGE on an inner NUL.
void hb_msgi_read_str (hb_msgi_cursor_t *self, char *dest, size_t capacity);

//  Opens the flat array of records that follows the fixed fields into
//  items: its size a whole number of records of fields, at most max of
//  them. Returns the record count, or -1 with the reason in *err.
int hb_msgi_records (hb_msgi_cursor_t *c, hb_msgi_cursor_t *items, uint32_t fields, int max,
                     hb_decode_reason_t *err);

//  Packers: 0 or non-zero when the output buffer is full.
int hb_msgi_pack_str (msgpack_packer *pk, const char *text, size_t capacity);
int hb_msgi_pack_double (msgpack_packer *pk, double value);

//  The state bodies (hb_msg_state.c), for env.type POSITION .. SNAPSHOT_END;
//  any other type fails. Encode: 0, or -1 when the body is invalid or does
//  not fit. Decode: the reason (HB_DECODE_OK when valid).
int hb_msgi_state_encode (msgpack_packer *pk, const hb_msg_t *msg);
hb_decode_reason_t hb_msgi_state_decode (hb_msgi_cursor_t *c, hb_msg_t *msg);

//  The risk bodies (hb_msg_risk.c), for RISK_EXPOSURE, RISK_CORR, RISK_HEDGE and RISK_REGIME; same
//  contract as the state bodies.
int hb_msgi_risk_encode (msgpack_packer *pk, const hb_msg_t *msg);
hb_decode_reason_t hb_msgi_risk_decode (hb_msgi_cursor_t *c, hb_msg_t *msg);

//  The hedger bodies (hb_msg_hedge.c), for HEDGE_REJECT and HEDGER_CONTROL;
//  same contract.
int hb_msgi_hedge_encode (msgpack_packer *pk, const hb_msg_t *msg);
hb_decode_reason_t hb_msgi_hedge_decode (hb_msgi_cursor_t *c, hb_msg_t *msg);

//  The option plan (hb_msg_optplan.c), for RISK_OPTPLAN; same contract.
int hb_msgi_optplan_encode (msgpack_packer *pk, const hb_msg_t *msg);
hb_decode_reason_t hb_msgi_optplan_decode (hb_msgi_cursor_t *c, hb_msg_t *msg);

//  The capital bodies (hb_msg_capital.c), for CAPITAL_PLAN,
//  CAPITAL_TRANSFER and CAPITAL_REDUCE; same contract.
int hb_msgi_capital_encode (msgpack_packer *pk, const hb_msg_t *msg);
hb_decode_reason_t hb_msgi_capital_decode (hb_msgi_cursor_t *c, hb_msg_t *msg);

//  The venue's account (hb_msg_account.c), for ACCOUNT; same contract.
int hb_msgi_account_encode (msgpack_packer *pk, const hb_msg_t *msg);
hb_decode_reason_t hb_msgi_account_decode (hb_msgi_cursor_t *c, hb_msg_t *msg);

#endif
