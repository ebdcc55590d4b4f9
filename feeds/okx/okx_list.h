/*  okx_list: instrument discovery for the OKX plugin (plugin ABI v5;
    docs/PLUGINS.md, Discovery). With the venue's discover: section it asks
    GET /api/v5/public/instruments for SPOT, SWAP and FUTURES, and OPTION
    per asset the filter selects (instFamily ASSET-USD), at start and every
    params.instruments_s (default 3600); each answer's live instruments go
    to the host in hb units, and what a later answer of the same request no
    longer lists is delisted. Its own REST client (public, unsigned).     */
#ifndef OKX_LIST_H
#define OKX_LIST_H

#include <jansson.h>
#include "hb_plugin.h"
#include "hb_tls.h"

typedef struct okx_list_s okx_list_t;

//  NULL (nothing to do) when the host does not list or the venue has no
//  discover: section, or when out of memory (logged).
okx_list_t *okx_list_new (const hb_host_api_t *host, const char *rest_url, const hb_tls_params_t *tls);
void okx_list_destroy (okx_list_t **self_p);
//  Asks now and then on a timer. 0 / -1.
int okx_list_start (okx_list_t *self);

//  One object of public/instruments' data in hb's terms (venue ""):
//  contracts of ctVal x ctMult (coin, USD when ctType inverse), lots and
//  minimum in contracts, the asset from instFamily (or baseCcy). Returns
//  1, 0 when not live, -1 with err.
int okx_instrument_parse (const json_t *object, hb_instrument_t *out, char *err, size_t err_size);

#endif
