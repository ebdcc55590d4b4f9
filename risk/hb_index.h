/*  hb_index: the composite index price of each asset, the median of the
    fresh venue mids.

    One slot per (asset, venue): the mid of the venue's index instrument
    for that asset (hb-risk picks it: the spot, else a perpetual). A quote
    enters only when it is usable: both sides present, not crossed (best
    bid < best ask) and flagged neither STALE nor OUTAGE. An unusable quote
    empties the slot at once, so a venue that reports trouble drops out
    before its last good mid would have aged out. A usable quote older than
    the staleness limit is left out too. An asset with no fresh slot has no
    index: the caller flags it stale and treats its return as missing.

    Median of an even count: the mean of the two middle mids. Fixed size,
    allocated once; updates and lookups are O(venues) and never allocate. */
#ifndef HB_INDEX_H
#define HB_INDEX_H

#include <stdbool.h>
#include <stdint.h>
#include "hb_msg.h"

#define HB_INDEX_MAX_VENUES 32

typedef struct _hb_index_t hb_index_t;

//  New index for n_assets (>= 1) and n_venues (1..HB_INDEX_MAX_VENUES); a
//  quote older than stale_ns (> 0) is left out. NULL (errno EINVAL) for
//  arguments out of range, or when out of memory.
hb_index_t *hb_index_new (int n_assets, int n_venues, int64_t stale_ns);

//  NULL-safe; nulls *self_p.
void hb_index_destroy (hb_index_t **self_p);

//  Records the quote of venue for asset, received at ts_ns, from a message
//  with envelope (epoch, seq) kept to explain decisions later. Returns 0
//  when the quote is usable and now in the slot, -1 when it is not (the
//  slot is then emptied). Asset or venue out of range: -1, nothing changes.
int hb_index_update (hb_index_t *self, int asset, int venue, const hb_tick_t *tick,
                     int64_t ts_ns, uint64_t epoch, uint64_t seq);

//  True when venue's slot for asset holds a usable quote no older than the
//  limit at now_ns.
bool hb_index_fresh (const hb_index_t *self, int asset, int venue, int64_t now_ns);

//  The median of the fresh mids of asset at now_ns into *price. Returns
//  the number of venues used; 0 (asset stale, *price untouched) when none
//  is fresh or asset is out of range. *used (may be NULL) gets a bit per
//  venue that entered.
int hb_index_price (const hb_index_t *self, int asset, int64_t now_ns, double *price,
                    uint32_t *used);

//  The mid in venue's slot for asset, fresh or not; 0 when the slot is
//  empty (no usable quote) or out of range.
double hb_index_mid (const hb_index_t *self, int asset, int venue);

//  The envelope (epoch, seq) of the quote in the slot; false when empty.
bool hb_index_source (const hb_index_t *self, int asset, int venue, uint64_t *epoch,
                      uint64_t *seq);

#endif
