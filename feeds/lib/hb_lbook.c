/*  hb_lbook: bounded price-level book. See hb_lbook.h.                    */
#include "hb_lbook.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    hb_level_t *levels;
    size_t      n;
    bool        descending;         //  bids
} s_side_t;

struct hb_lbook_s {
    size_t   max_levels;
    s_side_t bids;
    s_side_t asks;
    uint64_t dropped;
};

hb_lbook_t *
hb_lbook_new (size_t max_levels)
{
    if (max_levels == 0 || max_levels > ((size_t) 1 << 24))
        return NULL;
    hb_lbook_t *self = (hb_lbook_t *) calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->max_levels = max_levels;
    self->bids.levels = (hb_level_t *) calloc (max_levels, sizeof (hb_level_t));
    self->asks.levels = (hb_level_t *) calloc (max_levels, sizeof (hb_level_t));
    self->bids.descending = true;
    if (!self->bids.levels || !self->asks.levels)
        hb_lbook_destroy (&self);
    return self;
}

void
hb_lbook_destroy (hb_lbook_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    free ((*self_p)->bids.levels);
    free ((*self_p)->asks.levels);
    free (*self_p);
    *self_p = NULL;
}

void
hb_lbook_clear (hb_lbook_t *self)
{
    self->bids.n = 0;
    self->asks.n = 0;
}

static s_side_t *
s_side (const hb_lbook_t *self, int side)
{
    return side == HB_SIDE_BUY ? (s_side_t *) &self->bids
         : side == HB_SIDE_SELL ? (s_side_t *) &self->asks : NULL;
}

//  True when a is closer to the touch than b on this side
static inline bool
s_better (const s_side_t *side, double a, double b)
{
    return side->descending ? a > b : a < b;
}

//  First index whose price is not better than px (where px is or would go)
static size_t
s_find (const s_side_t *side, double px)
{
    size_t lo = 0, hi = side->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s_better (side, side->levels [mid].px, px))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

int
hb_lbook_set (hb_lbook_t *self, int side_id, double px, double qty)
{
    s_side_t *side = s_side (self, side_id);
    if (!side || !isfinite (px) || px <= 0 || !isfinite (qty) || qty < 0)
        return -1;
    size_t i = s_find (side, px);
    bool found = i < side->n && side->levels [i].px == px;
    if (qty == 0) {
        if (found) {
            memmove (&side->levels [i], &side->levels [i + 1],
                     (side->n - i - 1) * sizeof (hb_level_t));
            side->n--;
        }
        return 0;
    }
    if (found) {
        side->levels [i].qty = qty;
        return 0;
    }
    if (side->n == self->max_levels) {
        self->dropped++;
        if (i == side->n)
            return 0;               //  beyond the worst level we keep
        side->n--;                  //  evict the worst to make room
    }
    memmove (&side->levels [i + 1], &side->levels [i], (side->n - i) * sizeof (hb_level_t));
    side->levels [i] = (hb_level_t) { px, qty };
    side->n++;
    return 0;
}

size_t
hb_lbook_depth (const hb_lbook_t *self, int side_id)
{
    const s_side_t *side = s_side (self, side_id);
    return side ? side->n : 0;
}

int
hb_lbook_level (const hb_lbook_t *self, int side_id, size_t i, hb_level_t *level)
{
    const s_side_t *side = s_side (self, side_id);
    if (!side || i >= side->n)
        return -1;
    *level = side->levels [i];
    return 0;
}

bool
hb_lbook_crossed (const hb_lbook_t *self)
{
    return self->bids.n && self->asks.n && self->bids.levels [0].px >= self->asks.levels [0].px;
}

double
hb_lbook_mid (const hb_lbook_t *self)
{
    if (!self->bids.n || !self->asks.n)
        return 0;
    return (self->bids.levels [0].px + self->asks.levels [0].px) / 2;
}

double
hb_lbook_spread (const hb_lbook_t *self)
{
    if (!self->bids.n || !self->asks.n)
        return 0;
    return self->asks.levels [0].px - self->bids.levels [0].px;
}

int
hb_lbook_export (const hb_lbook_t *self, hb_tick_t *tick, int depth, double qty_scale)
{
    if (depth > HB_BOOK_DEPTH)
        depth = HB_BOOK_DEPTH;
    if (depth < 0)
        depth = 0;
    size_t nb = self->bids.n < (size_t) depth ? self->bids.n : (size_t) depth;
    size_t na = self->asks.n < (size_t) depth ? self->asks.n : (size_t) depth;
    for (size_t i = 0; i < nb; i++)
        tick->bids [i] = (hb_level_t) { self->bids.levels [i].px, self->bids.levels [i].qty * qty_scale };
    for (size_t i = 0; i < na; i++)
        tick->asks [i] = (hb_level_t) { self->asks.levels [i].px, self->asks.levels [i].qty * qty_scale };
    tick->n_bids = (uint8_t) nb;
    tick->n_asks = (uint8_t) na;
    return (int) (nb > na ? nb : na);
}

uint64_t
hb_lbook_dropped (const hb_lbook_t *self)
{
    return self->dropped;
}
