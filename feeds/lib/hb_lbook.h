/*  hb_lbook: a price-level order book rebuilt from a venue's snapshot and
    diff messages, shared by the venue plugins.

    Each side is a sorted array of (price, size) levels, best first: bids
    descending, asks ascending. A diff sets a level's size; a size of 0
    deletes it (deleting a level that is not there is not an error: venues
    send such deletes). A snapshot is hb_lbook_clear then one set per level.
    Finding a level is a binary search; inserting or deleting moves the
    levels behind it, which stays cheap because updates cluster near the
    touch and the arrays are small and contiguous.

    Bounded and allocation-free after hb_lbook_new: each side holds at most
    max_levels levels. A new level beyond the worst one of a full side is
    not stored; a new level better than that evicts the worst one. Both are
    counted (hb_lbook_dropped): the top of the book stays exact as long as
    max_levels is at least the depth the venue keeps in sync (its snapshot
    depth), which is what a plugin should choose.

    Prices are compared as doubles: a venue's decimal text always parses to
    the same double (strtod rounds correctly), so "65000.10" and "65000.1"
    name the same level.                                                   */
#ifndef HB_LBOOK_H
#define HB_LBOOK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "hb_msg.h"

typedef struct hb_lbook_s hb_lbook_t;

//  An empty book of at most max_levels levels per side (>= 1). NULL when
//  out of memory or max_levels is 0.
hb_lbook_t *hb_lbook_new (size_t max_levels);

//  Frees, nulls *self_p. NULL-safe.
void hb_lbook_destroy (hb_lbook_t **self_p);

//  Empties both sides (before a snapshot). Counters are kept.
void hb_lbook_clear (hb_lbook_t *self);

//  Sets the size of the level at px on side (HB_SIDE_BUY: bids, HB_SIDE_SELL:
//  asks); qty 0 deletes it. Returns 0, or -1 (book unchanged) when side is
//  not a side, px is not finite and > 0, or qty is not finite and >= 0.
int hb_lbook_set (hb_lbook_t *self, int side, double px, double qty);

//  Levels held on side (0 for an invalid side).
size_t hb_lbook_depth (const hb_lbook_t *self, int side);

//  The i-th level of side counted from the touch (0: best). Returns 0 and
//  fills *level, or -1 when there is no such level.
int hb_lbook_level (const hb_lbook_t *self, int side, size_t i, hb_level_t *level);

//  True when both sides have a level and best bid >= best ask.
bool hb_lbook_crossed (const hb_lbook_t *self);

//  Mid ((best bid + best ask) / 2) and spread (best ask - best bid) of the
//  touch; both 0 when a side is empty. The spread is <= 0 when crossed.
double hb_lbook_mid (const hb_lbook_t *self);
double hb_lbook_spread (const hb_lbook_t *self);

//  Writes the top min (depth, HB_BOOK_DEPTH) levels of each side into
//  tick->bids / asks and n_bids / n_asks; other members of tick are left
//  alone (the plugin sets venue, symbol, flags, mark). Each size is
//  multiplied by qty_scale (1 when the venue's size is already in the
//  instrument's unit; e.g. 1 / multiplier to turn coins into contracts).
//  Returns the number of levels written on the fuller side.
int hb_lbook_export (const hb_lbook_t *self, hb_tick_t *tick, int depth, double qty_scale);

//  Levels not stored or evicted because a side was full, since new.
uint64_t hb_lbook_dropped (const hb_lbook_t *self);

#endif
