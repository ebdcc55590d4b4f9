/*  hb_vorder: the order handling every REST venue plugin does the same way
    before and after the venue's own encoding: the checks an order must
    pass against its instrument, quantities and prices written as plain
    decimals on the instrument's grid, and acks built into a message.

    Pure functions, no state, nothing allocated: safe on the hot path. The
    venue-specific parts (which instruments it lists, how it encodes an
    order, how it names a reject) stay in each plugin.                     */
#ifndef HB_VORDER_H
#define HB_VORDER_H

#include <stdbool.h>
#include <stddef.h>
#include "hb_config.h"
#include "hb_msg.h"

//  The checks of order against inst that need no venue: side buy or sell,
//  qty > 0, type market or limit (HB_REJ_BAD_ORDER); a limit price > 0
//  (HB_REJ_BAD_PRICE); qty >= inst->min_qty (HB_REJ_BELOW_MIN_SIZE); qty on
//  the lot_size grid (HB_REJ_OFF_LOT). Returns the first failing reason
//  with *text set to a short static explanation, or HB_REJ_NONE (text
//  untouched). inst must not be NULL: an unknown instrument is the
//  caller's reject.
int hb_vorder_check (const hb_instrument_cfg_t *inst, const hb_order_t *order, const char **text);

//  True when x is a whole multiple of unit (to 1e-9 relative).
bool hb_vorder_on_grid (double x, double unit);

//  x as a plain decimal with as many digits as unit needs (at most 12),
//  no exponent and no trailing zeros ("0.01", "60000"), into out (size
//  bytes, truncated as snprintf does).
void hb_vorder_decimal (double x, double unit, char *out, size_t size);

//  Overwrites msg with an HB_MSG_ACK of order on venue: status (HB_ACK_*),
//  reason (HB_REJ_*), the venue's order_id and text (NULL: empty), filled
//  the bus quantity done so far; leaves is what remains of order->qty
//  for HB_ACK_ACCEPTED, 0 otherwise. Strings are truncated to their fields.
void hb_vorder_ack (hb_msg_t *msg, const char *venue, const hb_order_t *order,
                    const char *order_id, int status, int reason, const char *text, double filled);

#endif
