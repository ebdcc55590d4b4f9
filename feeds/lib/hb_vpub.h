/*  hb_vpub: a venue's market data onto the bus, the same for every venue:
    ticks and trades built in one scratch message (nothing allocated per
    message) with the venue and symbol set, a tick flagged HB_TICK_STALE
    while its book is not whole, and the venue's status (HB_TICK_STALE
    while any book waits for its snapshot, else 0) told once per change.
    The venue's parser fills in what only it knows (levels, prices, ids)
    between taking the message and emitting it.                          */
#ifndef HB_VPUB_H
#define HB_VPUB_H

#include <stdbool.h>
#include <stdint.h>
#include "hb_msg.h"

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

//  Publishes the scratch message: 0, or -1 when emit refused it.
int hb_vpub_emit (hb_vpub_t *self);

//  Tells status HB_TICK_STALE (stale) or 0 when it differs from the last
//  told (the first call always tells).
void hb_vpub_status (hb_vpub_t *self, bool stale);

#endif
