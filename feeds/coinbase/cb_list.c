/*  cb_list: see cb_list.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "cb_list.h"
#include "hb_json.h"
#include "hb_rest.h"
#include "hb_vlist.h"

struct cb_list_s {
    const hb_host_api_t *host;
    hb_rest_t   *rest;
    hb_vlist_t  *listed;
    char         url [320];
    int          timer;
    uint64_t     every_ms;
};

cb_list_t *
cb_list_new (const hb_host_api_t *host, const char *rest_url, const hb_tls_params_t *tls)
{
    if (!hb_vlist_wanted (host))
        return NULL;
    cb_list_t *self = (cb_list_t *) calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->host = host;
    self->timer = -1;
    snprintf (self->url, sizeof self->url, "%s/api/v3/brokerage/market/products", rest_url);
    hb_rest_cfg_t cfg = { .name = "coinbase.products", .ca_file = tls->ca_file, .insecure = tls->insecure };
    self->rest = hb_rest_new (host, &cfg);
    self->listed = hb_vlist_new ();
    const char *every = hb_plugin_param (host->venue, "instruments_s");
    self->every_ms = (every ? strtoull (every, NULL, 10) : 3600) * 1000;
    if (self->every_ms < 1000)
        self->every_ms = 1000;
    if (!self->rest || !self->listed)
        cb_list_destroy (&self);
    return self;
}

void
cb_list_destroy (cb_list_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    cb_list_t *self = *self_p;
    if (self->timer >= 0)
        self->host->timer_cancel (self->host->ctx, self->timer);
    hb_rest_destroy (&self->rest);
    hb_vlist_destroy (&self->listed);
    free (self);
    *self_p = NULL;
}

static int
s_positive (const json_t *o, const char *key, double *out)
{
    return hb_json_num (o, key, out, NULL, 0) == 0 && *out > 0 ? 0 : -1;
}

//  "2026-12-25T08:00:00Z" as wall ns, 0 when it is not one
static int64_t
s_time (const char *text)
{
    struct tm tm;
    memset (&tm, 0, sizeof tm);
    const char *end = text ? strptime (text, "%Y-%m-%dT%H:%M:%S", &tm) : NULL;
    return end ? (int64_t) timegm (&tm) * 1000000000 : 0;
}

int
cb_instrument_parse (const json_t *o, hb_instrument_t *out, char *err, size_t err_size)
{
    memset (out, 0, sizeof *out);
    const char *id = json_string_value (json_object_get (o, "product_id"));
    const char *type = json_string_value (json_object_get (o, "product_type"));
    const char *status = json_string_value (json_object_get (o, "status"));
    const char *base = json_string_value (json_object_get (o, "base_currency_id"));
    const char *quote = json_string_value (json_object_get (o, "quote_currency_id"));
    const char *bad = NULL;
    if (!json_is_object (o))
        bad = "not an object";
    else
    if (!id || strlen (id) >= HB_NAME_MAX)
        bad = "product_id";
    else
    if (!type)
        bad = "product_type";
    else
    if (!status)
        bad = "status";
    else
    if (!quote || strlen (quote) >= HB_NAME_MAX)
        bad = "quote_currency_id";
    else
    if (s_positive (o, "price_increment", &out->tick_size))
        bad = "price_increment";
    else
    if (s_positive (o, "base_increment", &out->lot_size))
        bad = "base_increment";
    else
    if (s_positive (o, "base_min_size", &out->min_qty))
        bad = "base_min_size";
    if (bad) {
        snprintf (err, err_size, "products %s: %s missing or invalid", id ? id : "?", bad);
        return -1;
    }
    if (strcmp (status, "online") != 0 || json_is_true (json_object_get (o, "trading_disabled")))
        return 0;
    snprintf (out->symbol, sizeof out->symbol, "%s", id);
    snprintf (out->settle, sizeof out->settle, "%s", quote);
    if (out->min_qty < out->lot_size)
        out->min_qty = out->lot_size;
    if (strcmp (type, "SPOT") == 0) {
        if (!base || strlen (base) >= HB_NAME_MAX) {
            snprintf (err, err_size, "products %s: base_currency_id missing or invalid", id);
            return -1;
        }
        snprintf (out->asset, sizeof out->asset, "%s", base);
        out->kind = HB_KIND_SPOT;
        out->multiplier = 1;
        return 1;
    }
    if (strcmp (type, "FUTURE") != 0)
        return 0;
    json_t *details = json_object_get (o, "future_product_details");
    const char *root = json_string_value (json_object_get (details, "contract_root_unit"));
    const char *expiry_type = json_string_value (json_object_get (details, "contract_expiry_type"));
    if (!root || strlen (root) >= HB_NAME_MAX || s_positive (details, "contract_size", &out->multiplier)
    ||  !expiry_type) {
        snprintf (err, err_size, "products %s: future_product_details missing or invalid", id);
        return -1;
    }
    snprintf (out->asset, sizeof out->asset, "%s", root);
    //  futures trade whole contracts: sizes are contracts
    if (strcmp (expiry_type, "PERPETUAL") == 0) {
        out->kind = HB_KIND_LINEAR_PERP;
        return 1;
    }
    out->kind = HB_KIND_FUTURE;
    out->expiry_ns = s_time (json_string_value (json_object_get (details, "contract_expiry")));
    if (out->expiry_ns <= 0) {
        snprintf (err, err_size, "products %s: contract_expiry missing or invalid", id);
        return -1;
    }
    return 1;
}

static void
s_on_answer (void *arg, const hb_rest_resp_t *resp)
{
    cb_list_t *self = (cb_list_t *) arg;
    const hb_host_api_t *host = self->host;
    json_error_t error;
    json_t *root = resp->status == 200 ? json_loadb (resp->body, resp->len, 0, &error) : NULL;
    json_t *products = json_object_get (root, "products");
    if (!json_is_array (products)) {
        host->log (host->ctx, HB_LOG_WARN, "coinbase: products: HTTP %ld, %s", resp->status,
                   root ? "no products array" : resp->error ? resp->error : "not JSON");
        json_decref (root);
        return;
    }
    size_t n = json_array_size (products);
    hb_instrument_t *items = (hb_instrument_t *) calloc (n ? n : 1, sizeof *items);
    size_t count = 0;
    for (size_t i = 0; items && i < n; i++) {
        char err [160];
        int rc = cb_instrument_parse (json_array_get (products, i), &items [count], err, sizeof err);
        if (rc < 0)
            host->log (host->ctx, HB_LOG_WARN, "coinbase: %s", err);
        count += rc > 0;
    }
    json_decref (root);
    int kept = items ? hb_vlist_apply (self->listed, host, items, count) : -1;
    if (kept >= 0)
        host->log (host->ctx, HB_LOG_INFO, "coinbase: products: %zu online, %d kept by discover:", count, kept);
    else
        host->log (host->ctx, HB_LOG_ERROR, "coinbase: products: %zu refused by the host", count);
    free (items);
}

static int
s_ask (void *arg)
{
    cb_list_t *self = (cb_list_t *) arg;
    if (hb_rest_request (self->rest, "GET", self->url, NULL, NULL, s_on_answer, self))
        self->host->log (self->host->ctx, HB_LOG_WARN, "coinbase: products not sent: retried later");
    return 0;
}

int
cb_list_start (cb_list_t *self)
{
    s_ask (self);
    self->timer = self->host->timer_add (self->host->ctx, self->every_ms, 0, s_ask, self);
    return self->timer < 0 ? -1 : 0;
}
