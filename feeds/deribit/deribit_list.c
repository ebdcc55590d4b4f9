/*  deribit_list: instrument discovery (plugin ABI v5; docs/PLUGINS.md,
    Discovery). On each connection, for each asset the venue's discover:
    section selects, public/get_instruments (expired: false) is asked on
    the same JSON-RPC connection; the answer's instruments go to the host
    (host->instrument_list, which filters and publishes them) and those the
    previous answer for that currency listed but this one does not are
    delisted (hb_vlist.h). Calls deribit_rpc.c only; deribit_venue.c calls
    it.                                                                     */
#include <stdlib.h>
#include <string.h>
#include "deribit_venue_int.h"
#include "hb_vlist.h"

void
deribit_list_request (deribit_venue_t *self)
{
    if (!hb_vlist_wanted (self->host))
        return;
    const hb_discover_cfg_t *discover = &self->venue->discover;
    const hb_config_t *config = self->host->config;
    for (int a = 0; a < config->n_assets; a++) {
        if (!discover->all_assets && !discover->assets [a])
            continue;
        if (!self->listed [a] && !(self->listed [a] = hb_vlist_new ()))
            continue;
        hb_ratelimit_take (&self->credits, DERIBIT_CREDIT_COST, deribit_venue_now (self));
        deribit_venue_rpc (self, DERIBIT_REQ_INSTRUMENTS, "public/get_instruments",
                           json_pack ("{s:s, s:b}", "currency", config->assets [a].name, "expired", 0),
                           a, -1);
    }
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
    if (!items || !self->listed [req->inst]) {
        free (items);
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
        count += rc > 0;
    }
    size_t before = hb_vlist_size (self->listed [req->inst]);
    int kept = hb_vlist_apply (self->listed [req->inst], self->host, items, count);
    if (kept >= 0) {
        self->stats.listed += count;
        deribit_venue_log (self, HB_LOG_INFO, "public/get_instruments %s: %zu listed (%zu before), "
                           "%d kept by discover:", currency, count, before, kept);
    }
    else
        deribit_venue_log (self, HB_LOG_ERROR, "public/get_instruments %s: %zu instruments refused by the host",
                           currency, count);
    free (items);
}

void
deribit_list_destroy (deribit_venue_t *self)
{
    for (int a = 0; a < HB_MAX_ASSETS; a++)
        hb_vlist_destroy (&self->listed [a]);
}
