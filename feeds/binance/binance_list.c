/*  binance_list: instrument discovery (see binance.h). Calls the host and
    hb_rest only; binance.c calls it.                                      */
#include <stdlib.h>
#include <string.h>
#include "binance.h"
#include "hb_vlist.h"

#define S_EXCHANGE_INFO_WEIGHT  10      //  usdm: 1; spot: 20; the middle of both

//  The filter of type in symbol's filters, NULL when none
static json_t *
s_filter (const json_t *symbol, const char *type)
{
    json_t *filters = json_object_get (symbol, "filters");
    for (size_t i = 0; i < json_array_size (filters); i++) {
        json_t *f = json_array_get (filters, i);
        const char *t = json_string_value (json_object_get (f, "filterType"));
        if (t && strcmp (t, type) == 0)
            return f;
    }
    return NULL;
}

int
binance_instrument_parse (const json_t *o, binance_market_t market, hb_instrument_t *out,
                          char *err, size_t err_size)
{
    memset (out, 0, sizeof *out);
    const char *symbol = json_string_value (json_object_get (o, "symbol"));
    const char *status = json_string_value (json_object_get (o, "status"));
    const char *base = json_string_value (json_object_get (o, "baseAsset"));
    const char *settle = json_string_value (json_object_get (o, market == BINANCE_USDM ? "marginAsset"
                                                                                       : "quoteAsset"));
    const char *bad = NULL;
    json_t *price = s_filter (o, "PRICE_FILTER"), *lot = s_filter (o, "LOT_SIZE");
    if (!json_is_object (o))
        bad = "not an object";
    else
    if (!symbol || strlen (symbol) >= HB_NAME_MAX)
        bad = "symbol";
    else
    if (!status)
        bad = "status";
    else
    if (!base || strlen (base) >= HB_NAME_MAX)
        bad = "baseAsset";
    else
    if (!settle || strlen (settle) >= HB_NAME_MAX)
        bad = market == BINANCE_USDM ? "marginAsset" : "quoteAsset";
    else
    if (!price || hb_json_num (price, "tickSize", &out->tick_size, NULL, 0) || !(out->tick_size > 0))
        bad = "PRICE_FILTER.tickSize";
    else
    if (!lot || hb_json_num (lot, "stepSize", &out->lot_size, NULL, 0) || !(out->lot_size > 0))
        bad = "LOT_SIZE.stepSize";
    else
    if (hb_json_num (lot, "minQty", &out->min_qty, NULL, 0) || out->min_qty < 0)
        bad = "LOT_SIZE.minQty";
    if (bad) {
        snprintf (err, err_size, "exchangeInfo %s: %s missing or invalid", symbol ? symbol : "?", bad);
        return -1;
    }
    if (strcmp (status, "TRADING") != 0)
        return 0;
    snprintf (out->symbol, sizeof out->symbol, "%s", symbol);
    snprintf (out->asset, sizeof out->asset, "%s", base);
    snprintf (out->settle, sizeof out->settle, "%s", settle);
    out->multiplier = 1;
    if (out->min_qty < out->lot_size)
        out->min_qty = out->lot_size;
    if (market == BINANCE_SPOT) {
        out->kind = HB_KIND_SPOT;
        return 1;
    }
    const char *type = json_string_value (json_object_get (o, "contractType"));
    if (type && strcmp (type, "PERPETUAL") == 0) {
        out->kind = HB_KIND_LINEAR_PERP;
        return 1;
    }
    double delivery = 0;
    if (type && (strcmp (type, "CURRENT_QUARTER") == 0 || strcmp (type, "NEXT_QUARTER") == 0)
    &&  hb_json_num (o, "deliveryDate", &delivery, NULL, 0) == 0 && delivery > 0) {
        out->kind = HB_KIND_FUTURE;
        out->expiry_ns = (int64_t) delivery * 1000000;
        return 1;
    }
    return 0;
}

static void
s_on_info (void *arg, const hb_rest_resp_t *resp)
{
    binance_t *self = (binance_t *) arg;
    const hb_host_api_t *host = self->host;
    json_error_t error;
    json_t *root = resp->status == 200 ? json_loadb (resp->body, resp->len, 0, &error) : NULL;
    json_t *symbols = json_object_get (root, "symbols");
    if (!json_is_array (symbols)) {
        host->log (host->ctx, HB_LOG_WARN, "binance: exchangeInfo: HTTP %ld, %s", resp->status,
                   root ? "no symbols array" : resp->error ? resp->error : "not JSON");
        json_decref (root);
        return;
    }
    size_t n = json_array_size (symbols);
    hb_instrument_t *items = (hb_instrument_t *) calloc (n ? n : 1, sizeof *items);
    size_t count = 0;
    for (size_t i = 0; items && i < n; i++) {
        char err [BINANCE_ERR_MAX];
        int rc = binance_instrument_parse (json_array_get (symbols, i), self->market, &items [count],
                                           err, sizeof err);
        if (rc < 0) {
            self->stats.malformed++;
            host->log (host->ctx, HB_LOG_WARN, "binance: %s", err);
        }
        count += rc > 0;
    }
    json_decref (root);
    int kept = items ? hb_vlist_apply (self->listed, host, items, count) : -1;
    if (kept >= 0)
        host->log (host->ctx, HB_LOG_INFO, "binance: exchangeInfo: %zu trading, %d kept by discover:",
                   count, kept);
    else
        host->log (host->ctx, HB_LOG_ERROR, "binance: exchangeInfo: %zu instruments refused by the host", count);
    free (items);
}

static int
s_request (void *arg)
{
    binance_t *self = (binance_t *) arg;
    char url [HB_PATH_MAX + 64];
    snprintf (url, sizeof url, "%s%s", self->rest_url,
              self->market == BINANCE_SPOT ? "/api/v3/exchangeInfo" : "/fapi/v1/exchangeInfo");
    hb_ratelimit_take (&self->weight, S_EXCHANGE_INFO_WEIGHT, self->host->now_ns (self->host->ctx));
    if (!self->rest || hb_rest_request (self->rest, "GET", url, NULL, NULL, s_on_info, self))
        self->host->log (self->host->ctx, HB_LOG_WARN, "binance: exchangeInfo not sent: retried later");
    return 0;
}

int
binance_list_start (binance_t *self)
{
    self->list_timer = -1;
    if (!hb_vlist_wanted (self->host))
        return 0;
    self->listed = hb_vlist_new ();
    if (!self->listed)
        return -1;
    const char *every = hb_plugin_param (self->host->venue, "instruments_s");
    self->list_ms = (every ? strtoull (every, NULL, 10) : 3600) * 1000;
    if (self->list_ms < 1000)
        self->list_ms = 1000;
    s_request (self);
    self->list_timer = self->host->timer_add (self->host->ctx, self->list_ms, 0, s_request, self);
    return self->list_timer < 0 ? -1 : 0;
}

void
binance_list_stop (binance_t *self)
{
    if (self->list_timer >= 0)
        self->host->timer_cancel (self->host->ctx, self->list_timer);
    self->list_timer = -1;
    hb_vlist_destroy (&self->listed);
}
