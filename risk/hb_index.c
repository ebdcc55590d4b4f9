/*  hb_index: composite index price per asset (see hb_index.h).          */
#include "hb_index.h"

#include <assert.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>

typedef struct {
    bool     usable;
    double   mid;
    int64_t  ts_ns;
    uint64_t epoch;
    uint64_t seq;
} s_slot_t;

struct _hb_index_t {
    int       n_assets;
    int       n_venues;
    int64_t   stale_ns;
    s_slot_t *slots;                //  n_assets x n_venues
};

hb_index_t *
hb_index_new (int n_assets, int n_venues, int64_t stale_ns)
{
    if (n_assets < 1 || n_venues < 1 || n_venues > HB_INDEX_MAX_VENUES || stale_ns <= 0) {
        errno = EINVAL;
        return NULL;
    }
    hb_index_t *self = (hb_index_t *) calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->slots = (s_slot_t *) calloc ((size_t) n_assets * (size_t) n_venues, sizeof *self->slots);
    if (!self->slots) {
        free (self);
        return NULL;
    }
    self->n_assets = n_assets;
    self->n_venues = n_venues;
    self->stale_ns = stale_ns;
    return self;
}

void
hb_index_destroy (hb_index_t **self_p)
{
    assert (self_p);
    if (*self_p) {
        free ((*self_p)->slots);
        free (*self_p);
        *self_p = NULL;
    }
}

static const s_slot_t *
s_slot (const hb_index_t *self, int asset, int venue)
{
    if (asset < 0 || asset >= self->n_assets || venue < 0 || venue >= self->n_venues)
        return NULL;
    return &self->slots [asset * self->n_venues + venue];
}

int
hb_index_update (hb_index_t *self, int asset, int venue, const hb_tick_t *tick,
                 int64_t ts_ns, uint64_t epoch, uint64_t seq)
{
    assert (self);
    assert (tick);
    s_slot_t *slot = (s_slot_t *) s_slot (self, asset, venue);
    if (!slot)
        return -1;
    double bid = tick->n_bids > 0 ? tick->bids [0].px : 0;
    double ask = tick->n_asks > 0 ? tick->asks [0].px : 0;
    slot->usable = (tick->flags & (HB_TICK_STALE | HB_TICK_OUTAGE)) == 0
                && tick->n_bids > 0 && tick->n_asks > 0
                && isfinite (bid) && isfinite (ask) && bid > 0 && bid < ask;
    if (!slot->usable)
        return -1;
    slot->mid = (bid + ask) / 2;
    slot->ts_ns = ts_ns;
    slot->epoch = epoch;
    slot->seq = seq;
    return 0;
}

static bool
s_fresh (const hb_index_t *self, const s_slot_t *slot, int64_t now_ns)
{
    return slot && slot->usable && now_ns - slot->ts_ns <= self->stale_ns;
}

bool
hb_index_fresh (const hb_index_t *self, int asset, int venue, int64_t now_ns)
{
    assert (self);
    return s_fresh (self, s_slot (self, asset, venue), now_ns);
}

int
hb_index_price (const hb_index_t *self, int asset, int64_t now_ns, double *price, uint32_t *used)
{
    assert (self);
    assert (price);
    double mids [HB_INDEX_MAX_VENUES];
    int n = 0;
    uint32_t mask = 0;
    for (int v = 0; v < self->n_venues; v++) {
        const s_slot_t *slot = s_slot (self, asset, v);
        if (!s_fresh (self, slot, now_ns))
            continue;
        //  insertion sort: a handful of venues
        int at = n++;
        while (at > 0 && mids [at - 1] > slot->mid) {
            mids [at] = mids [at - 1];
            at--;
        }
        mids [at] = slot->mid;
        mask |= 1u << v;
    }
    if (used)
        *used = mask;
    if (n == 0)
        return 0;
    *price = n % 2 ? mids [n / 2] : (mids [n / 2 - 1] + mids [n / 2]) / 2;
    return n;
}

double
hb_index_mid (const hb_index_t *self, int asset, int venue)
{
    assert (self);
    const s_slot_t *slot = s_slot (self, asset, venue);
    return slot && slot->usable ? slot->mid : 0;
}

bool
hb_index_source (const hb_index_t *self, int asset, int venue, uint64_t *epoch, uint64_t *seq)
{
    assert (self);
    const s_slot_t *slot = s_slot (self, asset, venue);
    if (!slot || !slot->usable)
        return false;
    *epoch = slot->epoch;
    *seq = slot->seq;
    return true;
}
