/*  hb_discover: the instruments a venue lists, as hb-feed keeps them
    (plugin ABI v5, hb_plugin.h; docs/PLUGINS.md, Discovery). It checks each
    listed instrument (hb_instrument_check), applies the venue's discover:
    filter (hb_discover_cfg_t), refuses a listing that would take the venue
    over its max_count, and remembers what it keeps by symbol, so that the
    feed publishes only what is new or changed and serves the whole set to a
    late joiner. It does no I/O: the feed publishes.                       */
#ifndef HB_DISCOVER_H
#define HB_DISCOVER_H

#include <stddef.h>
#include <stdint.h>
#include "hb_config.h"
#include "hb_msg.h"

typedef struct _hb_discover_t hb_discover_t;

typedef struct {
    uint64_t listed;                //  instruments handed over by the plugin
    uint64_t invalid;               //  refused by hb_instrument_check
    uint64_t filtered;              //  valid, left out by the filter
    uint64_t refused;               //  listings refused as over max_count (calls)
    uint64_t delisted;              //  kept ones the venue delisted
} hb_discover_stats_t;

//  Called for each instrument kept that is new or changed (and for each
//  delisting, with HB_INSTRUMENT_DELISTED set).
typedef void (hb_discover_fn) (void *arg, const hb_instrument_t *instrument);

//  The table of venue (which config and venue must outlive). NULL when out
//  of memory.
hb_discover_t *hb_discover_new (const hb_config_t *config, const hb_venue_cfg_t *venue);
void hb_discover_destroy (hb_discover_t **self_p);

//  NULL when instrument passes the venue's filter at now_ns (wall), else
//  why not (a phrase with the value).
const char *hb_discover_filter (hb_discover_t *self, const hb_instrument_t *instrument, int64_t now_ns);

//  A listing: each of the count items is checked (an invalid one is
//  counted, logged with why, and skipped; its venue may be "", which
//  means this venue, and another venue's name is invalid) and filtered.
//  When the kept ones would take the table over max_count, nothing is
//  kept: returns -1 with errno E2BIG, and *why says by how much. Otherwise
//  calls fn (arg, instrument) for each one kept that is new or changed and
//  returns how many of the items passed.
int hb_discover_list (hb_discover_t *self, const hb_instrument_t *items, size_t count, int64_t now_ns,
                      hb_discover_fn *fn, void *arg, char *why, size_t why_size);

//  The venue delisted symbol: forgets it and calls fn with it marked
//  HB_INSTRUMENT_DELISTED. 0, or -1 when it was not kept.
int hb_discover_delist (hb_discover_t *self, const char *symbol, hb_discover_fn *fn, void *arg);

//  The instrument kept under symbol, NULL when none; valid until the next
//  list or delist.
const hb_instrument_t *hb_discover_find (hb_discover_t *self, const char *symbol);

//  Calls fn for every instrument kept (the order is the table's). Returns
//  how many.
size_t hb_discover_each (hb_discover_t *self, hb_discover_fn *fn, void *arg);

size_t hb_discover_size (hb_discover_t *self);
void hb_discover_stats (hb_discover_t *self, hb_discover_stats_t *stats);

#endif
