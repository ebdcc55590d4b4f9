/*  cb_list: instrument discovery for the Coinbase plugin (plugin ABI v5;
    docs/PLUGINS.md, Discovery). With the venue's discover: section it
    asks GET /api/v3/brokerage/market/products (public) at start and every
    params.instruments_s (default 3600): online spot products and futures
    (perpetual and expiring) go to the host in hb units, what a later
    answer lacks is delisted (hb_vlist.h). Its own REST client.          */
#ifndef CB_LIST_H
#define CB_LIST_H

#include <jansson.h>
#include "hb_plugin.h"
#include "hb_tls.h"

typedef struct cb_list_s cb_list_t;

//  NULL (nothing to do) when the host does not list or the venue has no
//  discover: section, or when out of memory.
cb_list_t *cb_list_new (const hb_host_api_t *host, const char *rest_url, const hb_tls_params_t *tls);
void cb_list_destroy (cb_list_t **self_p);
//  Asks now and then on a timer. 0 / -1.
int cb_list_start (cb_list_t *self);

//  One product of the answer in hb's terms (venue ""): SPOT (multiplier
//  1, lot base_increment, minimum base_min_size, settled in the quote);
//  FUTURE (future_product_details: contract_size as multiplier, PERPETUAL
//  a linear_perp, EXPIRING a future at contract_expiry). Returns 1, 0
//  when not online / trading disabled / another type, -1 with err.
int cb_instrument_parse (const json_t *product, hb_instrument_t *out, char *err, size_t err_size);

#endif
