/*  hb_vpub: what a venue plugin publishes, built the same for every venue
    in one scratch message (nothing allocated per message): ticks and
    trades with the venue and symbol set, a tick flagged HB_TICK_STALE
    while its book is not whole, the venue's status (HB_TICK_STALE while
    any book waits for its snapshot, else 0) told once per change, and
    the acks and fills of the orders in an hb_vslots table. The venue's
    parser fills in what only it knows (levels, prices, fees, ids)
    between taking the message and emitting it.                          */
#ifndef HB_VPUB_H
#define HB_VPUB_H

#include <stdbool.h>
#include <stdint.h>
#include "hb_msg.h"
#include "hb_vslots.h"

//  What the plugin publishes through (host->publish): 0, or -1 refused.
typedef int (hb_vpub_emit_fn) (void *arg, hb_msg_t *msg);
//  The venue's status changed (HB_TICK_STALE or 0).
typedef void (hb_vpub_status_fn) (void *arg, uint32_t status);

typedef struct hb_vpub_s hb_vpub_t;

//  A publisher for venue (copied); status may be NULL. NULL when out of
//  memory.
hb_vpub_t *hb_vpub_new (const char *venue, hb_vpub_emit_fn *emit, hb_vpub_status_fn *status,
                        void *arg);

//  NULL-safe, nulls *self_p.
void hb_vpub_destroy (hb_vpub_t **self_p);

//  Overwrites tick with an empty tick of symbol on this venue, flagged
//  HB_TICK_STALE unless whole.
void hb_vpub_fill_tick (const hb_vpub_t *self, const char *symbol, bool whole, hb_tick_t *tick);

//  The scratch message made an HB_MSG_TICK at ts_venue (as hb_vpub_fill_tick)
//  or an HB_MSG_TRADE (zeroed but venue and symbol), for the caller to fill
//  and then hb_vpub_emit.
hb_tick_t *hb_vpub_tick (hb_vpub_t *self, const char *symbol, bool whole, int64_t ts_venue);
hb_trade_t *hb_vpub_trade (hb_vpub_t *self, const char *symbol, int64_t ts_venue);

//  The scratch message made an HB_MSG_FILL at ts_venue of the order in
//  slot: venue, symbol, client id, the venue's order id and side set, the
//  rest zero, for the caller to fill and then hb_vpub_emit.
hb_fill_t *hb_vpub_fill (hb_vpub_t *self, const hb_vslot_t *slot, int64_t ts_venue);

//  Publishes an ack of order (hb_vorder_ack: status HB_ACK_*, reason
//  HB_REJ_*, order_id NULL or "" when the venue gave none, filled in bus
//  units). 0, or -1 when emit refused it.
int hb_vpub_ack (hb_vpub_t *self, const hb_order_t *order, const char *order_id, int status,
                 int reason, const char *text, double filled);

//  Rejects cancel as HB_REJ_UNKNOWN_ORDER with text (the order is not in
//  flight here, or not yet known to the venue). 0, or -1 as hb_vpub_ack.
int hb_vpub_cancel_unknown (hb_vpub_t *self, const hb_cancel_t *cancel, const char *text);

//  Publishes the scratch message: 0, or -1 when emit refused it.
int hb_vpub_emit (hb_vpub_t *self);

//  Tells status HB_TICK_STALE (stale) or 0 when it differs from the last
//  told (the first call always tells).
void hb_vpub_status (hb_vpub_t *self, bool stale);

#endif
