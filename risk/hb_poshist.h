/*  hb_poshist: the aggregator's recent position states, found by the fill
    they end with, and which of them hb-risk has applied. The aggregator
    publishes a (venue, instrument) position after every fill it applies,
    naming that fill (last_fill), and again on its timer; hb-risk applies a
    fill only with the state that ends with exactly
    that fill, which may have arrived before or arrive after the fill
    itself (docs/RISK.md, Arrival order).

    Positions pending (docs/RISK.md, Positions pending): the aggregator owns
    positions, and one feed's fills reach it in the order they reach
    hb-risk, so a state naming fill F holds every fill of its position up to
    F. When hb-risk takes a fill (hb_poshist_take) for which no such state
    is held, that position is pending: the applied state lacks a fill hb-risk
    has seen. It stops being pending when a state that includes the fill is
    applied: a late state naming it (hb_poshist_add says "apply now"), a
    snapshot's state naming it or a fill not seen yet (newer than it), or,
    given up after a long wait while the aggregator kept publishing that
    position without it (hb_poshist_expire: a fill it refused). Pending is a
    property of the applied state, not of when anything arrived. Later
    republications of the state applied (the same last fill, newer envelope)
    are applied too, so hb-risk converges on the aggregator's newest word.

    A ring of the last capacity states, newest first on lookup, and a table
    of up to max_positions (venue, instrument) records; O(capacity) per
    lookup (fills are rare), nothing allocated after hb_poshist_new.      */
#ifndef HB_POSHIST_H
#define HB_POSHIST_H

#include <stdbool.h>
#include <stdint.h>
#include "hb_msg.h"

typedef struct _hb_poshist_t hb_poshist_t;

//  A ring of capacity (>= 1) states and max_positions (>= 1) positions
//  tracked. NULL on a bad argument or out of memory.
hb_poshist_t *hb_poshist_new (int capacity, int max_positions);

//  NULL-safe; nulls *self_p.
void hb_poshist_destroy (hb_poshist_t **self_p);

//  A state from the aggregator's bus, its envelope (epoch, seq), arrived
//  at mono_ns: kept for the grid. Returns true when the caller must apply
//  it now (it is then recorded as applied): it is newer than the state
//  applied to its position and names the last fill taken there (a late
//  state: the position stops being pending), or, not pending, names the
//  same last fill as the state applied (a republication).
bool hb_poshist_add (hb_poshist_t *self, const hb_position_t *pos, uint64_t epoch,
                     uint64_t seq, int64_t mono_ns);

//  A state of a snapshot reply: kept, and true (recorded as applied: the
//  caller applies it) when newer than the state applied to its position
//  (a reply older than a live update never rolls it back). A pending
//  position stops pending when the state names the last fill taken or a
//  fill neither taken nor applied before (it is ahead of hb-risk).
bool hb_poshist_snapshot (hb_poshist_t *self, const hb_position_t *pos, uint64_t epoch,
                          uint64_t seq);

//  The newest state of (venue, symbol) whose last fill is last_fill, or
//  NULL. The pointer is valid until the next add, snapshot or take.
const hb_position_t *hb_poshist_find (const hb_poshist_t *self, const char *venue,
                                      const char *symbol, const char *last_fill);

//  The grid takes fill_id of (venue, symbol) at mono_ns: returns the state
//  naming it, recorded as applied (the caller applies it), or NULL: the
//  position is pending from now (never the latest state instead).
const hb_position_t *hb_poshist_take (hb_poshist_t *self, const char *venue,
                                      const char *symbol, const char *fill_id, int64_t mono_ns);

//  The number of positions pending; *since_mono (may be NULL) the mono
//  time the oldest has been pending since (0 when none).
int hb_poshist_pending (const hb_poshist_t *self, int64_t *since_mono);

//  A position pending for more than age_ns at mono_ns although the
//  aggregator published a state of it at least quiet_ns after it began
//  pending (it is alive, had time, and still leaves the fill out: it
//  refused it): returns its newest state, recorded as applied and no longer
//  pending (the caller applies it and says so), one per call; NULL when
//  none is due.
const hb_position_t *hb_poshist_expire (hb_poshist_t *self, int64_t mono_ns, int64_t age_ns,
                                        int64_t quiet_ns);

#endif
