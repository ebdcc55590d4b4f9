/*  coinbase: the Coinbase Advanced Trade venue plugin (feeds/coinbase/README.md).

    Wiring only; the logic is in cb_md (market data, books, sequence) and
    cb_trade (orders, acks, fills), both tested without a network. One
    WebSocket (hb_ws: level2, ticker, market_trades, heartbeats and, with
    API keys, user) and one REST client (hb_rest: orders, cancels), both
    driven by the host's reactor; nothing here blocks.

    Params (venues.X.params):
      ws_url        default wss://advanced-trade-ws.coinbase.com
      rest_url      default https://api.coinbase.com
      api_key_file | api_key_env, api_secret_file | api_secret_env
                    (hb_secret.h: never the key itself); without them the
                    plugin runs market data only and rejects orders
      orders_per_s  default 25, order_burst default 25 (Coinbase allows 30
                    private requests / s per key; we keep a margin)
      sym.<symbol>  the Coinbase product id (default: the symbol)
      max_msg_kb    largest WebSocket message (default 16384: snapshots
                    of a deep book are several MB)
      ca_file       PEM bundle trusted for wss/https instead of the system's
                    store; insecure "true" skips certificate checks (tests
                    only). Checked at create (hb_tls.h).                   */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cb_md.h"
#include "cb_trade.h"
#include "hb_log.h"
#include "hb_plugin.h"
#include "hb_refusal.h"
#include "hb_vhost.h"
#include "hb_rest.h"
#include "hb_secret.h"
#include "hb_sign.h"
#include "hb_tls.h"
#include "cb_list.h"
#include "hb_vsend.h"
#include "hb_ws.h"

#define S_URL_MAX   256
#define S_BODY_MAX  1024
#define S_SUB_MAX   4096

typedef struct cb_plugin_s cb_plugin_t;

struct cb_plugin_s {
    const hb_host_api_t *host;
    const hb_venue_cfg_t *venue;
    cb_md_t             *md;
    cb_trade_t          *trade;
    hb_ws_t             *ws;
    hb_vsend_t          *send;
    hb_secret_t         *key;
    hb_secret_t         *secret;
    char                 ws_url [S_URL_MAX];
    char                 rest_url [S_URL_MAX];
    uint64_t             bad_logged;
    char                 text [S_SUB_MAX];
    hb_vhost_t           vhost;         //  what cb_md and cb_trade publish through
    cb_list_t           *list;          //  discovery, NULL without discover:
};

#define S_LOG(self, level, ...) (self)->host->log ((self)->host->ctx, (level), __VA_ARGS__)

static int
s_user (void *arg, const json_t *events, int64_t ts)
{
    cb_plugin_t *self = (cb_plugin_t *) arg;
    return cb_trade_on_user (self->trade, events, ts);
}

//  {"type":"subscribe","product_ids":[..],"channel":"level2"} plus, for
//  the user channel, the API key signature of timestamp + channel + ids.
static void
s_subscribe (cb_plugin_t *self, const char *type, const char *channel)
{
    char ids [S_SUB_MAX / 2] = "", csv [S_SUB_MAX / 2] = "";
    size_t oi = 0, oc = 0;
    for (int i = 0; i < cb_md_products (self->md); i++) {
        oi += (size_t) snprintf (ids + oi, sizeof ids - oi, "%s\"%s\"", i? ",": "",
                                 cb_md_product (self->md, i));
        oc += (size_t) snprintf (csv + oc, sizeof csv - oc, "%s%s", i? ",": "",
                                 cb_md_product (self->md, i));
        if (oi >= sizeof ids || oc >= sizeof csv)
            return;
    }
    int n;
    if (!strcmp (channel, "user")) {
        char ts [24], prehash [S_SUB_MAX / 2 + 64], sig [HB_SIGN_HEX_SIZE];
        snprintf (ts, sizeof ts, "%lld",
                  (long long) (self->host->now_ns (self->host->ctx) / 1000000000));
        snprintf (prehash, sizeof prehash, "%s%s%s", ts, channel, csv);
        if (cb_trade_sign (hb_secret_value (self->secret), hb_secret_len (self->secret),
                           prehash, sig, sizeof sig))
            return;
        n = snprintf (self->text, sizeof self->text,
                      "{\"type\":\"%s\",\"product_ids\":[%s],\"channel\":\"%s\","
                      "\"api_key\":\"%s\",\"timestamp\":\"%s\",\"signature\":\"%s\"}",
                      type, ids, channel, hb_secret_value (self->key), ts, sig);
    }
    else
        n = snprintf (self->text, sizeof self->text,
                      "{\"type\":\"%s\",\"product_ids\":[%s],\"channel\":\"%s\"}", type, ids, channel);
    if (n > 0 && (size_t) n < sizeof self->text
    &&  hb_ws_send (self->ws, self->text, (size_t) n))
        S_LOG (self, HB_LOG_WARN, "%s %s: could not queue the message", type, channel);
}

static void
s_on_open (void *arg, const char *url)
{
    cb_plugin_t *self = (cb_plugin_t *) arg;
    S_LOG (self, HB_LOG_INFO, "connected to %s", url);
    cb_md_reset (self->md);
    s_subscribe (self, "subscribe", "heartbeats");
    s_subscribe (self, "subscribe", "level2");
    s_subscribe (self, "subscribe", "ticker");
    s_subscribe (self, "subscribe", "market_trades");
    if (self->key && self->secret)
        s_subscribe (self, "subscribe", "user");
}

static void
s_on_close (void *arg, const char *reason)
{
    cb_plugin_t *self = (cb_plugin_t *) arg;
    S_LOG (self, HB_LOG_WARN, "connection lost (%s): books stale until the next snapshots", reason);
    cb_md_reset (self->md);
}

static void
s_on_msg (void *arg, const char *data, size_t len)
{
    cb_plugin_t *self = (cb_plugin_t *) arg;
    cb_md_result_t r = cb_md_on_message (self->md, data, len, self->host->now_ns (self->host->ctx));
    const char *why = cb_md_error (self->md);
    if (r == CB_MD_RESYNC) {
        S_LOG (self, HB_LOG_WARN, "level2 resync (%s): resubscribing",
               *why? why: "sequence gap");
        //  a new subscription brings a new snapshot per product
        s_subscribe (self, "unsubscribe", "level2");
        s_subscribe (self, "subscribe", "level2");
    }
    else if (r == CB_MD_BAD || *why)
        hb_refusal_log (self->host, &self->bad_logged, "message", why);
}

static void
s_on_answer (void *arg, int handle, const hb_rest_resp_t *resp)
{
    cb_plugin_t *self = (cb_plugin_t *) arg;
    cb_trade_on_response (self->trade, handle, resp->status, resp->status? resp->body: resp->error);
}

static void
s_on_cancel_answer (void *arg, const hb_rest_resp_t *resp)
{
    cb_plugin_t *self = (cb_plugin_t *) arg;
    if (resp->status != 200)
        S_LOG (self, HB_LOG_WARN, "cancel: HTTP %ld %s", resp->status, resp->status? "": resp->error);
}

static void
s_fail (void *arg, int handle, int reason, const char *text)
{
    cb_plugin_t *self = (cb_plugin_t *) arg;
    cb_trade_fail (self->trade, handle, reason, text);
}

//  POSTs body to path with the CB-ACCESS-* headers.
static int
s_post (void *arg, hb_rest_t *rest, const char *path, const char *body, hb_rest_done_fn *done,
        void *done_arg)
{
    cb_plugin_t *self = (cb_plugin_t *) arg;
    char ts [24], sig [HB_SIGN_HEX_SIZE], url [S_URL_MAX + 64];
    char h_key [HB_SECRET_MAX + 32], h_sig [96], h_ts [48];
    snprintf (ts, sizeof ts, "%lld", (long long) (self->host->now_ns (self->host->ctx) / 1000000000));
    int n = snprintf (self->text, sizeof self->text, "%sPOST%s%s", ts, path, body);
    if (n < 0 || (size_t) n >= sizeof self->text
    ||  cb_trade_sign (hb_secret_value (self->secret), hb_secret_len (self->secret),
                       self->text, sig, sizeof sig))
        return -1;
    snprintf (url, sizeof url, "%s%s", self->rest_url, path);
    snprintf (h_key, sizeof h_key, "CB-ACCESS-KEY: %s", hb_secret_value (self->key));
    snprintf (h_sig, sizeof h_sig, "CB-ACCESS-SIGN: %s", sig);
    snprintf (h_ts, sizeof h_ts, "CB-ACCESS-TIMESTAMP: %s", ts);
    const char *headers [] = { h_key, h_sig, h_ts, "Content-Type: application/json",
                               "Accept: application/json", NULL };
    int rc = hb_rest_request (rest, "POST", url, headers, body, done, done_arg);
    memset (h_key, 0, sizeof h_key);
    return rc;
}

static int
s_order (void *arg, const hb_order_t *order)
{
    cb_plugin_t *self = (cb_plugin_t *) arg;
    char body [S_BODY_MAX];
    int handle = cb_trade_order (self->trade, order, body, sizeof body);
    if (handle >= 0)            //  else answered already
        hb_vsend_order (self->send, handle, self->key && self->secret, CB_TRADE_ORDERS_PATH, body);
    return 0;
}

static int
s_cancel (void *arg, const hb_cancel_t *cancel)
{
    cb_plugin_t *self = (cb_plugin_t *) arg;
    char body [S_BODY_MAX];
    if (cb_trade_cancel (self->trade, cancel, body, sizeof body) == 0)
        hb_vsend_cancel (self->send, self->key != NULL, CB_TRADE_CANCEL_PATH, body, cancel->client_id);
    return 0;
}

static void s_destroy (void **self_p);

static void *
s_create (const hb_host_api_t *host)
{
    cb_plugin_t *self = (cb_plugin_t *) hb_vhost_alloc (host, sizeof *self);
    if (!self)
        return NULL;
    self->host = host;
    self->venue = host->venue;
    char err [256] = "";
    snprintf (self->ws_url, sizeof self->ws_url, "%s",
              hb_vhost_param (host->venue, "ws_url", "wss://advanced-trade-ws.coinbase.com"));
    snprintf (self->rest_url, sizeof self->rest_url, "%s",
              hb_vhost_param (host->venue, "rest_url", "https://api.coinbase.com"));
    long max_kb = atol (hb_vhost_param (host->venue, "max_msg_kb", "16384"));
    if (max_kb < 64 || max_kb > 1048576) {
        S_LOG (self, HB_LOG_ERROR, "params.max_msg_kb: %ld is not in 64..1048576", max_kb);
        goto fail;
    }
    hb_tls_params_t tls;
    if (hb_tls_params (host->venue, &tls, err, sizeof err)) {
        S_LOG (self, HB_LOG_ERROR, "%s", err);
        goto fail;
    }
    hb_vhost_init (&self->vhost, host, "stale: waiting for snapshots",
                   "rebuilt: every product has its snapshot");
    self->md = cb_md_new (host->venue, hb_vhost_emit, hb_vhost_status, &self->vhost, err, sizeof err);
    if (!self->md) {
        S_LOG (self, HB_LOG_ERROR, "%s", err);
        goto fail;
    }
    cb_md_set_user (self->md, s_user, self);
    self->trade = cb_trade_new (host->venue, self->md, hb_vhost_emit, &self->vhost, host->now_ns (host->ctx));
    if (!self->trade)
        goto fail;
    static const char *const names [] = { "api_key", "api_secret" };
    hb_secret_t *keys [2];
    if (hb_secret_load_set (host->venue, names, 2, keys, err, sizeof err)) {
        S_LOG (self, HB_LOG_ERROR, "%s", err);
        goto fail;
    }
    self->key = keys [0];
    self->secret = keys [1];
    if (self->key)
        S_LOG (self, HB_LOG_INFO, "API key from %s, secret from %s",
               hb_secret_origin (self->key), hb_secret_origin (self->secret));
    else
        S_LOG (self, HB_LOG_WARN, "no api_key_file/_env: market data only, orders are rejected");
    hb_ws_cfg_t wcfg = {
        .name = "coinbase.ws", .url = self->ws_url, .max_msg = (size_t) max_kb * 1024,
        .ca_file = tls.ca_file, .insecure = tls.insecure,
        .idle_s = 30, .on_msg = s_on_msg, .on_open = s_on_open, .on_close = s_on_close,
        .arg = self
    };
    self->ws = hb_ws_new (host, &wcfg);
    //  Coinbase allows 30 private requests / s per key: 25 keeps a margin
    hb_vsend_cfg_t scfg = { .host = host, .name = "coinbase.rest", .ca_file = tls.ca_file,
                            .insecure = tls.insecure, .rate = 25, .burst = 25,
                            .slots = CB_TRADE_MAX_ORDERS, .pause_s = 1, .post = s_post,
                            .fail = s_fail, .answer = s_on_answer,
                            .cancel_answer = s_on_cancel_answer, .arg = self };
    self->send = hb_vsend_new (&scfg);
    if (!self->ws || !self->send)
        goto fail;
    self->list = cb_list_new (host, self->rest_url, &tls);
    return self;
fail:
    return hb_vhost_undo (self, s_destroy);
}

static int
s_start (void *arg)
{
    cb_plugin_t *self = (cb_plugin_t *) arg;
    self->host->set_status (self->host->ctx, HB_TICK_STALE);
    if (self->list && cb_list_start (self->list))
        return -1;
    return hb_ws_start (self->ws);
}

static void
s_destroy (void **self_p)
{
    if (!self_p || !*self_p)
        return;
    cb_plugin_t *self = (cb_plugin_t *) *self_p;
    cb_list_destroy (&self->list);
    hb_ws_destroy (&self->ws);
    hb_vsend_destroy (&self->send);
    cb_trade_destroy (&self->trade);
    cb_md_destroy (&self->md);
    hb_secret_destroy (&self->key);
    hb_secret_destroy (&self->secret);
    free (self);
    *self_p = NULL;
}

//  fills of orders this host did not send us are marked external
const hb_venue_ops_t hb_venue_plugin = HB_VHOST_OPS ("coinbase",
    "Coinbase Advanced Trade: level2/ticker/market_trades with sequence checks, "
    "orders over the signed REST API, fills from the user channel",
    HB_VENUE_FEAT_FILL_FLAGS);
