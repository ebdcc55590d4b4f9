/*  hb_vlist: one venue request's listing of instruments (plugin ABI v5,
    discovery). Venues answer "what do you list" in full (Deribit
    public/get_instruments per currency, Binance exchangeInfo, OKX
    public/instruments per type, Coinbase products); the host wants
    listings and delistings. An hb_vlist remembers what the last answer to
    one request listed: each new answer goes to host->instrument_list, and
    what the previous answer had and this one lacks to
    host->instrument_delist. A plugin keeps one per request it makes.     */
#ifndef HB_VLIST_H
#define HB_VLIST_H

#include <stdbool.h>
#include <stddef.h>
#include "hb_plugin.h"

typedef struct hb_vlist_s hb_vlist_t;

//  True when host lists (ABI v5, both functions there) and its venue has a
//  discover: section: only then does a plugin ask its venue.
bool hb_vlist_wanted (const hb_host_api_t *host);

//  An empty listing. NULL when out of memory.
hb_vlist_t *hb_vlist_new (void);
void hb_vlist_destroy (hb_vlist_t **self_p);

//  A whole answer of count items: handed to host->instrument_list; when
//  the host takes it (>= 0), every symbol of the previous answer not in
//  this one is delisted and this answer is remembered. Returns the host's
//  answer (kept, or -1: refused, nothing remembered), or -1 when out of
//  memory.
int hb_vlist_apply (hb_vlist_t *self, const hb_host_api_t *host, const hb_instrument_t *items, size_t count);

//  Symbols of the last answer taken.
size_t hb_vlist_size (const hb_vlist_t *self);

#endif
