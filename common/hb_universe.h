/*  hb_universe: the instruments a process learned from the bus, beside the
    config's typed ones: what the feeds discovered (instrument.<venue>,
    docs/PROTOCOL.md, instrument). Growable, keyed by (venue, symbol): a
    listing adds or replaces, a delisting removes. A process that starts
    late (or restarts) subscribes to instrument.<venue> first, then asks
    each feed for its whole set (hb_universe_fetch, on the feed's replay
    ROUTER): the Clone pattern, so that it ends with what every feed
    lists, whichever order the two arrive in.                              */
#ifndef HB_UNIVERSE_H
#define HB_UNIVERSE_H

#include <stddef.h>
#include <stdint.h>
#include "hb_msg.h"

typedef struct _hb_universe_t hb_universe_t;

typedef enum {
    HB_UNIVERSE_ADDED = 0,          //  a new instrument
    HB_UNIVERSE_CHANGED,            //  known, some field changed
    HB_UNIVERSE_SAME,               //  known, nothing changed
    HB_UNIVERSE_REMOVED,            //  delisted and forgotten
    HB_UNIVERSE_UNKNOWN             //  delisted, but never known here
} hb_universe_change_t;

typedef struct {
    uint64_t added;
    uint64_t removed;
    uint64_t fetched;               //  instruments taken from fetch replies
    uint64_t fetch_errors;          //  fetches unanswered or malformed
} hb_universe_stats_t;

//  An empty universe; NULL when out of memory.
hb_universe_t *hb_universe_new (void);
void hb_universe_destroy (hb_universe_t **self_p);

//  Applies one instrument (a decoded message's body, which the codec
//  checked). Returns what it changed, or -1 when out of memory.
int hb_universe_apply (hb_universe_t *self, const hb_instrument_t *instrument);

//  The instrument of venue with symbol, NULL when none; valid until the
//  next apply.
const hb_instrument_t *hb_universe_find (hb_universe_t *self, const char *venue, const char *symbol);

//  Calls fn (arg, instrument) for each instrument (of venue; NULL: all),
//  in the table's order; the table must not change meanwhile. Returns how
//  many.
typedef void (hb_universe_fn) (void *arg, const hb_instrument_t *instrument);
size_t hb_universe_each (hb_universe_t *self, const char *venue, hb_universe_fn *fn, void *arg);

size_t hb_universe_size (hb_universe_t *self);
//  How many of venue's
size_t hb_universe_count (hb_universe_t *self, const char *venue);
void hb_universe_stats (hb_universe_t *self, hb_universe_stats_t *stats);

//  Asks the feed whose replay ROUTER is at endpoint for every instrument
//  it keeps ('instruments', docs/PROTOCOL.md) and applies them, waiting
//  up to timeout_ms (CURVE as the endpoint needs, hb_curve.h). Returns
//  how many came, or -1 when no reply came in time or it was malformed
//  (counted; what came before the fault is kept).
int hb_universe_fetch (hb_universe_t *self, const char *endpoint, int timeout_ms);

#endif
