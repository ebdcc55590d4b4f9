/*  deribit_list: instrument discovery (plugin ABI v5; docs/PLUGINS.md,
    Discovery). On each connection, for each asset the venue's discover:
    section selects, public/get_instruments (expired: false) is asked on
    the same JSON-RPC connection; the answer's instruments go to the host
    (host->instrument_list, which filters and publishes them) and those the
    previous answer for that currency listed but this one does not are
    delisted. Calls deribit_rpc.c only; deribit_venue.c calls it.           */
#include <stdlib.h>
#include <string.h>
#include "deribit_venue_int.h"

//  True when the host lists (ABI v5) and the venue asked for discovery
static bool
s_discovers (const deribit_venue_t *self)
{
    const hb_host_api_t *host = self->host;
    return host->abi_version >= 5
        && host->size >= offsetof (hb_host_api_t, instrument_delist) + sizeof host->instrument_delist
        && host->instrument_list && host->instrument_delist && self->venue->discover.present;
}

void
deribit_list_request (deribit_venue_t *self)
{
    if (!s_discovers (self))
        return;
    const hb_discover_cfg_t *discover = &self->venue->discover;
    const hb_config_t *config = self->host->config;
    for (int a = 0; a < config->n_assets; a++) {
        if (!discover->all_assets && !discover->assets [a])
            continue;
        hb_ratelimit_take (&self->credits, DERIBIT_CREDIT_COST, deribit_venue_now (self));
        deribit_venue_rpc (self, DERIBIT_REQ_INSTRUMENTS, "public/get_instruments",
                           json_pack ("{s:s, s:b}", "currency", config->assets [a].name, "expired", 0),
                           a, -1);
    }
}

//  Forgets what the last answer for asset listed and the new one does not
//  (new: count symbols, sorted)
static void
s_delist_gone (deribit_venue_t *self, int asset, char (*now) [HB_NAME_MAX], size_t count)
{
    size_t kept = 0;
    for (size_t i = 0; i < self->n_listed; i++) {
        deribit_listed_t *old = &self->listed [i];
        if (old->asset == asset
        &&  !bsearch (old->symbol, now, count, HB_NAME_MAX, (int (*) (const void *, const void *)) strcmp)) {
            self->host->instrument_delist (self->host->ctx, old->symbol);
            self->stats.delisted++;
            continue;
        }
        self->listed [kept++] = *old;
    }
    self->n_listed = kept;
}

static int
s_by_name (const void *a, const void *b)
{
    return strcmp ((const char *) a, (const char *) b);
}

void
deribit_list_on_response (deribit_venue_t *self, const deribit_req_t *req)
{
    const deribit_response_t *r = &self->msg.response;
    const hb_config_t *config = self->host->config;
    if (req->inst < 0 || req->inst >= config->n_assets)
        return;
    const char *currency = config->assets [req->inst].name;
    if (r->is_error || !json_is_array (r->result)) {
        deribit_venue_log (self, HB_LOG_WARN, "public/get_instruments %s refused: %d %s", currency,
                           r->error_code, r->is_error ? r->error_message : "no array");
        return;
    }
    size_t n = json_array_size (r->result);
    hb_instrument_t *items = (hb_instrument_t *) calloc (n ? n : 1, sizeof *items);
    char (*names) [HB_NAME_MAX] = calloc (n ? n : 1, HB_NAME_MAX);
    if (!items || !names) {
        free (items);
        free (names);
        return;
    }
    size_t count = 0;
    char err [DERIBIT_ERR_MAX];
    for (size_t i = 0; i < n; i++) {
        int rc = deribit_instrument_parse (json_array_get (r->result, i), &items [count], err, sizeof err);
        if (rc < 0) {
            self->stats.malformed++;
            deribit_venue_complain (self, self->stats.malformed, "public/get_instruments %s: %s",
                                    currency, err);
        }
        if (rc > 0) {
            memcpy (names [count], items [count].symbol, HB_NAME_MAX);
            count++;
        }
    }
    int kept = self->host->instrument_list (self->host->ctx, items, count);
    if (kept >= 0) {
        qsort (names, count, HB_NAME_MAX, s_by_name);
        s_delist_gone (self, req->inst, names, count);
        //  what was listed now, for the next answer's delistings
        deribit_listed_t *grown = realloc (self->listed, (self->n_listed + count) * sizeof *grown + 1);
        if (grown) {
            self->listed = grown;
            for (size_t i = 0; i < count; i++) {
                bool known = false;
                for (size_t j = 0; j < self->n_listed && !known; j++)
                    known = self->listed [j].asset == req->inst && strcmp (self->listed [j].symbol, names [i]) == 0;
                if (!known) {
                    self->listed [self->n_listed].asset = req->inst;
                    memcpy (self->listed [self->n_listed++].symbol, names [i], HB_NAME_MAX);
                }
            }
        }
        self->stats.listed += count;
        deribit_venue_log (self, HB_LOG_INFO, "public/get_instruments %s: %zu listed, %d kept by discover:",
                           currency, count, kept);
    }
    else
        deribit_venue_log (self, HB_LOG_ERROR, "public/get_instruments %s: %zu instruments refused by the host",
                           currency, count);
    free (items);
    free (names);
}
