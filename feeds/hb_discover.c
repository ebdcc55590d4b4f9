/*  hb_discover: see hb_discover.h. */
#include "hb_discover.h"
#include "hb_log.h"
#include "hb_universe.h"

#include <assert.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_DAY_NS    86400e9

struct _hb_discover_t {
    const hb_config_t    *config;
    const hb_venue_cfg_t *venue;
    hb_universe_t        *kept;         //  what this venue lists and the filter keeps
    hb_discover_stats_t   stats;
    hb_complain_t         c_invalid, c_filtered;
    char                  why [96];     //  hb_discover_filter's last reason
};

hb_discover_t *
hb_discover_new (const hb_config_t *config, const hb_venue_cfg_t *venue)
{
    assert (config && venue);
    hb_discover_t *self = (hb_discover_t *) calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->config = config;
    self->venue = venue;
    self->kept = hb_universe_new ();
    if (!self->kept) {
        free (self);
        return NULL;
    }
    return self;
}

void
hb_discover_destroy (hb_discover_t **self_p)
{
    assert (self_p);
    hb_discover_t *self = *self_p;
    if (!self)
        return;
    hb_universe_destroy (&self->kept);
    free (self);
    *self_p = NULL;
}

const char *
hb_discover_filter (hb_discover_t *self, const hb_instrument_t *ins, int64_t now_ns)
{
    assert (self && ins);
    const hb_discover_cfg_t *filter = &self->venue->discover;
    if (!filter->present)
        return "the venue has no discover: section";
    int asset = hb_config_asset_index (self->config, ins->asset);
    if (asset < 0)
        return "its asset is not in assets:";
    if (!filter->all_assets && !filter->assets [asset])
        return "its asset is not in discover.assets";
    if (filter->kinds && !(filter->kinds & (1u << ins->kind)))
        return "its kind is not in discover.kinds";
    if (ins->expiry_ns > 0) {
        double days = (double) (ins->expiry_ns - now_ns) / S_DAY_NS;
        if (days < filter->expiry_days [0] || days > filter->expiry_days [1]) {
            snprintf (self->why, sizeof self->why, "%.2f days to expiry, outside discover.expiry_days", days);
            return self->why;
        }
    }
    if (ins->strike > 0) {
        //  the asset's reference price: a filter that does not move with
        //  every tick, so that a chain does not flicker in and out
        double moneyness = ins->strike / self->config->assets [asset].price;
        if (moneyness < filter->moneyness [0] || moneyness > filter->moneyness [1]) {
            snprintf (self->why, sizeof self->why, "moneyness %.3f, outside discover.moneyness", moneyness);
            return self->why;
        }
    }
    return NULL;
}

//  0 when ins (venue filled in) is one to keep; else counted and logged
static int
s_admit (hb_discover_t *self, hb_instrument_t *ins, int64_t now_ns)
{
    self->stats.listed++;
    if (ins->venue [0] == 0)
        memcpy (ins->venue, self->venue->name, HB_NAME_MAX);
    ins->flags &= ~HB_INSTRUMENT_DELISTED;
    const char *why = strncmp (ins->venue, self->venue->name, HB_NAME_MAX) != 0
                    ? "another venue's" : hb_instrument_check (ins);
    if (why) {
        self->stats.invalid++;
        ins->symbol [HB_NAME_MAX - 1] = 0;
        hb_complain (&self->c_invalid, HB_LOG_WARN, "venue %s listed an invalid instrument '%s': %s: skipped",
                     self->venue->name, ins->symbol, why);
        return -1;
    }
    why = hb_discover_filter (self, ins, now_ns);
    if (why) {
        self->stats.filtered++;
        hb_complain (&self->c_filtered, HB_LOG_DEBUG, "venue %s: %s not kept: %s",
                     self->venue->name, ins->symbol, why);
        return -1;
    }
    return 0;
}

int
hb_discover_list (hb_discover_t *self, const hb_instrument_t *items, size_t count, int64_t now_ns,
                  hb_discover_fn *fn, void *arg, char *why, size_t why_size)
{
    assert (self && (items || count == 0));
    if (why && why_size)
        why [0] = 0;
    //  first pass: which pass and how many are new, so that a listing over
    //  the maximum changes nothing
    bool *keep = count ? (bool *) calloc (count, sizeof *keep) : NULL;
    if (count && !keep)
        return -1;
    size_t kept = 0, added = 0;
    for (size_t i = 0; i < count; i++) {
        hb_instrument_t ins = items [i];
        if (s_admit (self, &ins, now_ns) != 0)
            continue;
        keep [i] = true;
        kept++;
        if (!hb_universe_find (self->kept, self->venue->name, ins.symbol))
            added++;
    }
    size_t size = hb_universe_size (self->kept);
    if (size + added > (size_t) self->venue->discover.max_count) {
        self->stats.refused++;
        if (why && why_size)
            snprintf (why, why_size, "%zu instruments kept and %zu new would be %zu, over the most of %d "
                      "(venues.%s.discover.max_count, at most HB_MAX_INSTRUMENTS %d): listing refused",
                      size, added, size + added, self->venue->discover.max_count, self->venue->name,
                      HB_MAX_INSTRUMENTS);
        free (keep);
        errno = E2BIG;
        return -1;
    }
    for (size_t i = 0; i < count; i++) {
        if (!keep [i])
            continue;
        hb_instrument_t ins = items [i];
        if (ins.venue [0] == 0)
            memcpy (ins.venue, self->venue->name, HB_NAME_MAX);
        ins.flags &= ~HB_INSTRUMENT_DELISTED;
        int change = hb_universe_apply (self->kept, &ins);
        if (change < 0) {
            free (keep);
            return -1;
        }
        if (change != HB_UNIVERSE_SAME && fn)
            fn (arg, &ins);
    }
    free (keep);
    return (int) kept;
}

int
hb_discover_delist (hb_discover_t *self, const char *symbol, hb_discover_fn *fn, void *arg)
{
    assert (self);
    const hb_instrument_t *have = hb_discover_find (self, symbol);
    if (!have)
        return -1;
    hb_instrument_t gone = *have;
    gone.flags |= HB_INSTRUMENT_DELISTED;
    hb_universe_apply (self->kept, &gone);
    self->stats.delisted++;
    if (fn)
        fn (arg, &gone);
    return 0;
}

const hb_instrument_t *
hb_discover_find (hb_discover_t *self, const char *symbol)
{
    assert (self);
    return hb_universe_find (self->kept, self->venue->name, symbol);
}

size_t
hb_discover_each (hb_discover_t *self, hb_discover_fn *fn, void *arg)
{
    assert (self && fn);
    return hb_universe_each (self->kept, NULL, fn, arg);
}

size_t
hb_discover_size (hb_discover_t *self)
{
    assert (self);
    return hb_universe_size (self->kept);
}

void
hb_discover_stats (hb_discover_t *self, hb_discover_stats_t *stats)
{
    assert (self && stats);
    *stats = self->stats;
}
