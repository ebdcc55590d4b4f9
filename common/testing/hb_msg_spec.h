/*  hb_msg_spec: an independent encoder of the wire layout of
    docs/PROTOCOL.md, for the codec's tests. A message is a table of
    values, one per field, packed with msgpack-c directly (not through
    hb_msg.c), so that a test can put something wrong in any one field and
    see what the decoder says. Not for production paths; like
    hb_msg_sample.h, it lives in common/ so that several test programs can
    share it.                                                              */
#ifndef HB_MSG_SPEC_H
#define HB_MSG_SPEC_H

#include <msgpack.h>
#include <stdbool.h>
#include <string.h>
#include "hb_msg.h"

typedef enum {
    HB_SPEC_NONE, HB_SPEC_UINT, HB_SPEC_INT, HB_SPEC_F64, HB_SPEC_F32, HB_SPEC_STR,
    HB_SPEC_BIN, HB_SPEC_NIL, HB_SPEC_LEVELS, HB_SPEC_INT_LEVELS, HB_SPEC_MAP,
    HB_SPEC_ITEMS
} hb_spec_kind_t;

//  One field's value, of any msgpack kind (also wrong ones)
typedef struct hb_spec_val_s {
    hb_spec_kind_t kind;
    uint64_t u;
    int64_t i;
    double d;
    const char *s;
    size_t n;               //  STR, BIN: length; *LEVELS: values
    const double *values;   //  *LEVELS: px, qty, px, qty ...
    const struct hb_spec_val_s *items;  //  ITEMS: n values of any kind, as one array
} hb_spec_val_t;

//  Short constructors, so that a case reads like a line of PROTOCOL.md's
//  tables (this header is for test files only).
#define U(x)        ((hb_spec_val_t) { .kind = HB_SPEC_UINT, .u = (x) })
#define I(x)        ((hb_spec_val_t) { .kind = HB_SPEC_INT, .i = (x) })
#define D(x)        ((hb_spec_val_t) { .kind = HB_SPEC_F64, .d = (x) })
#define F(x)        ((hb_spec_val_t) { .kind = HB_SPEC_F32, .d = (x) })
#define S(x)        ((hb_spec_val_t) { .kind = HB_SPEC_STR, .s = (x), .n = strlen (x) })
#define SN(x, len)  ((hb_spec_val_t) { .kind = HB_SPEC_STR, .s = (x), .n = (len) })
#define BIN(x)      ((hb_spec_val_t) { .kind = HB_SPEC_BIN, .s = (x), .n = strlen (x) })
#define NIL         ((hb_spec_val_t) { .kind = HB_SPEC_NIL })
#define MAP         ((hb_spec_val_t) { .kind = HB_SPEC_MAP })
#define LV(v, len)  ((hb_spec_val_t) { .kind = HB_SPEC_LEVELS, .values = (v), .n = (len) })
#define ILV(v, len) ((hb_spec_val_t) { .kind = HB_SPEC_INT_LEVELS, .values = (v), .n = (len) })

typedef struct {
    hb_spec_val_t env [8];
    size_t n_env;           //  8, or fewer to cut the envelope (then no body)
    hb_spec_val_t body [20];
    size_t n_body;
    bool   body_is_map;
    size_t extra_top;       //  nils after the body
    double bids [2 * HB_BOOK_DEPTH + 4];
    double asks [2 * HB_BOOK_DEPTH + 4];
    //  a capital plan's transfers (8 x 11) or an account's positions (32 x 6), flat
    hb_spec_val_t items [HB_ACCOUNT_POSITIONS * 6 > HB_PLAN_TRANSFERS * 11
                         ? HB_ACCOUNT_POSITIONS * 6 : HB_PLAN_TRANSFERS * 11];
} hb_msg_spec_t;

//  Fills *self with msg, field for field as PROTOCOL.md lists them. Knows
//  the envelope and the bodies of tick, trade, order, cancel, ack, fill,
//  heartbeat, hedger.control, applog and capital.plan; any other type is a
//  caller bug (assert).
//  The book levels are copied, the strings are not: msg must outlive self.
void hb_msg_spec_of (hb_msg_spec_t *self, const hb_msg_t *msg);

//  Packs *self into sb, which it initializes; the caller destroys it
//  (msgpack_sbuffer_destroy). An allocation failure is not reported: a
//  test's messages are a few KB.
void hb_msg_spec_pack (const hb_msg_spec_t *self, msgpack_sbuffer *sb);

#endif
