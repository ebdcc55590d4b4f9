/*  okx_list: see okx_list.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hb_json.h"
#include "hb_rest.h"
#include "hb_vlist.h"
#include "okx_list.h"

#define S_REQUESTS_MAX  (4 + HB_MAX_ASSETS)

//  One request (an instType, and for options a family) and what its last
//  answer listed, sorted
typedef struct {
    struct okx_list_s *owner;
    char    query [96];
    hb_vlist_t *listed;
} s_request_t;

struct okx_list_s {
    const hb_host_api_t *host;
    hb_rest_t   *rest;
    char         rest_url [256];
    int          timer;
    uint64_t     every_ms;
    size_t       n_requests;
    s_request_t  requests [S_REQUESTS_MAX];
};

okx_list_t *
okx_list_new (const hb_host_api_t *host, const char *rest_url, const hb_tls_params_t *tls)
{
    if (!hb_vlist_wanted (host))
        return NULL;
    okx_list_t *self = (okx_list_t *) calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->host = host;
    self->timer = -1;
    snprintf (self->rest_url, sizeof self->rest_url, "%s", rest_url);
    hb_rest_cfg_t cfg = { .name = "okx.instruments", .ca_file = tls->ca_file, .insecure = tls->insecure };
    self->rest = hb_rest_new (host, &cfg);
    const char *every = hb_plugin_param (host->venue, "instruments_s");
    self->every_ms = (every ? strtoull (every, NULL, 10) : 3600) * 1000;
    if (self->every_ms < 1000)
        self->every_ms = 1000;
    static const char *const types [] = { "SPOT", "SWAP", "FUTURES" };
    for (int i = 0; i < 3; i++)
        snprintf (self->requests [self->n_requests++].query, 96, "instType=%s", types [i]);
    const hb_discover_cfg_t *discover = &host->venue->discover;
    for (int a = 0; a < host->config->n_assets; a++)
        if ((discover->all_assets || discover->assets [a]) && self->n_requests < S_REQUESTS_MAX)
            snprintf (self->requests [self->n_requests++].query, 96, "instType=OPTION&instFamily=%s-USD",
                      host->config->assets [a].name);
    bool ok = self->rest != NULL;
    for (size_t i = 0; i < self->n_requests; i++) {
        self->requests [i].owner = self;
        self->requests [i].listed = hb_vlist_new ();
        ok = ok && self->requests [i].listed;
    }
    if (!ok) {
        okx_list_destroy (&self);
        return NULL;
    }
    return self;
}

void
okx_list_destroy (okx_list_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    okx_list_t *self = *self_p;
    if (self->timer >= 0)
        self->host->timer_cancel (self->host->ctx, self->timer);
    hb_rest_destroy (&self->rest);
    for (size_t i = 0; i < self->n_requests; i++)
        hb_vlist_destroy (&self->requests [i].listed);
    free (self);
    *self_p = NULL;
}

static int
s_number (const json_t *o, const char *key, double *out)
{
    return hb_json_num (o, key, out, NULL, 0) == 0 && *out > 0 ? 0 : -1;
}

int
okx_instrument_parse (const json_t *o, hb_instrument_t *out, char *err, size_t err_size)
{
    memset (out, 0, sizeof *out);
    const char *id = json_string_value (json_object_get (o, "instId"));
    const char *type = json_string_value (json_object_get (o, "instType"));
    const char *state = json_string_value (json_object_get (o, "state"));
    const char *family = json_string_value (json_object_get (o, "instFamily"));
    const char *base = json_string_value (json_object_get (o, "baseCcy"));
    const char *bad = NULL;
    if (!json_is_object (o))
        bad = "not an object";
    else
    if (!id || strlen (id) >= HB_NAME_MAX)
        bad = "instId";
    else
    if (!type)
        bad = "instType";
    else
    if (!state)
        bad = "state";
    else
    if (s_number (o, "tickSz", &out->tick_size))
        bad = "tickSz";
    else
    if (s_number (o, "lotSz", &out->lot_size))
        bad = "lotSz";
    else
    if (s_number (o, "minSz", &out->min_qty))
        bad = "minSz";
    if (bad) {
        snprintf (err, err_size, "public/instruments %s: %s missing or invalid", id ? id : "?", bad);
        return -1;
    }
    if (strcmp (state, "live") != 0)
        return 0;
    snprintf (out->symbol, sizeof out->symbol, "%s", id);
    //  a derivative names its asset in its family (BTC-USDT, BTC-USD)
    if (family && family [0])
        snprintf (out->asset, sizeof out->asset, "%.*s", (int) strcspn (family, "-"), family);
    else
    if (base)
        snprintf (out->asset, sizeof out->asset, "%s", base);
    bool spot = strcmp (type, "SPOT") == 0;
    const char *settle = json_string_value (json_object_get (o, spot ? "quoteCcy" : "settleCcy"));
    snprintf (out->settle, sizeof out->settle, "%s", settle ? settle : "");
    if (spot) {
        out->kind = HB_KIND_SPOT;
        out->multiplier = 1;
        return 1;
    }
    double value = 0, mult = 1, expiry = 0;
    if (s_number (o, "ctVal", &value) || (hb_json_has (o, "ctMult") && s_number (o, "ctMult", &mult))) {
        snprintf (err, err_size, "public/instruments %s: ctVal / ctMult missing or invalid", id);
        return -1;
    }
    out->multiplier = value * mult;
    const char *ct = json_string_value (json_object_get (o, "ctType"));
    bool inverse = ct && strcmp (ct, "inverse") == 0;
    bool dated = strcmp (type, "FUTURES") == 0 || strcmp (type, "OPTION") == 0;
    if (dated && s_number (o, "expTime", &expiry)) {
        snprintf (err, err_size, "public/instruments %s: expTime missing or invalid", id);
        return -1;
    }
    out->expiry_ns = dated ? (int64_t) expiry * 1000000 : 0;
    if (strcmp (type, "SWAP") == 0)
        out->kind = inverse ? HB_KIND_INVERSE_PERP : HB_KIND_LINEAR_PERP;
    else
    if (strcmp (type, "FUTURES") == 0)
        out->kind = HB_KIND_FUTURE;
    else
    if (strcmp (type, "OPTION") == 0) {
        out->kind = HB_KIND_OPTION;
        const char *opt = json_string_value (json_object_get (o, "optType"));
        if (s_number (o, "stk", &out->strike) || !opt || (strcmp (opt, "C") && strcmp (opt, "P"))) {
            snprintf (err, err_size, "public/instruments %s: stk / optType missing or invalid", id);
            return -1;
        }
        out->flags = strcmp (opt, "C") == 0 ? HB_INSTRUMENT_CALL : 0;
        return 1;       //  OKX options are coin-margined but sized in coin: not inverse
    }
    else
        return 0;
    if (inverse)
        out->flags |= HB_INSTRUMENT_INVERSE;
    return 1;
}

static void
s_on_answer (void *arg, const hb_rest_resp_t *resp)
{
    s_request_t *req = (s_request_t *) arg;
    const hb_host_api_t *host = req->owner->host;
    json_error_t error;
    json_t *root = resp->status == 200 ? json_loadb (resp->body, resp->len, 0, &error) : NULL;
    json_t *data = json_object_get (root, "data");
    const char *code = json_string_value (json_object_get (root, "code"));
    if (!json_is_array (data) || !code || strcmp (code, "0") != 0) {
        host->log (host->ctx, HB_LOG_WARN, "okx: public/instruments?%s: HTTP %ld, %s", req->query,
                   resp->status, root ? "no data" : resp->error ? resp->error : "not JSON");
        json_decref (root);
        return;
    }
    size_t n = json_array_size (data);
    hb_instrument_t *items = (hb_instrument_t *) calloc (n ? n : 1, sizeof *items);
    size_t count = 0;
    for (size_t i = 0; items && i < n; i++) {
        char err [160];
        int rc = okx_instrument_parse (json_array_get (data, i), &items [count], err, sizeof err);
        if (rc < 0)
            host->log (host->ctx, HB_LOG_WARN, "okx: %s", err);
        count += rc > 0;
    }
    json_decref (root);
    int kept = items ? hb_vlist_apply (req->listed, host, items, count) : -1;
    if (kept >= 0)
        host->log (host->ctx, HB_LOG_INFO, "okx: public/instruments?%s: %zu live, %d kept by discover:",
                   req->query, count, kept);
    else
        host->log (host->ctx, HB_LOG_ERROR, "okx: public/instruments?%s: %zu refused by the host",
                   req->query, count);
    free (items);
}

static int
s_ask (void *arg)
{
    okx_list_t *self = (okx_list_t *) arg;
    for (size_t i = 0; i < self->n_requests; i++) {
        char url [512];
        snprintf (url, sizeof url, "%s/api/v5/public/instruments?%s", self->rest_url, self->requests [i].query);
        if (hb_rest_request (self->rest, "GET", url, NULL, NULL, s_on_answer, &self->requests [i]))
            self->host->log (self->host->ctx, HB_LOG_WARN, "okx: public/instruments not sent: retried later");
    }
    return 0;
}

int
okx_list_start (okx_list_t *self)
{
    s_ask (self);
    self->timer = self->host->timer_add (self->host->ctx, self->every_ms, 0, s_ask, self);
    return self->timer < 0 ? -1 : 0;
}
