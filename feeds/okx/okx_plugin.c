/*  okx: the OKX v5 venue plugin (feeds/okx/README.md).

    Wiring only; the logic is in okx_md (books with seqId continuity and
    the CRC32 checksum, tickers, trades) and okx_trade (orders, acks,
    fills), both tested without a network. Two WebSockets (hb_ws): public
    market data, and private (login, then the orders channel) when API keys
    are configured; one REST client (hb_rest) for orders and cancels. OKX
    wants a text "ping" when a connection has been quiet for under 30 s:
    each hb_ws sends one every 20 s (app_ping). Nothing blocks.

    Params (venues.X.params):
      ws_url          default wss://ws.okx.com:8443/ws/v5/public
      ws_private_url  default wss://ws.okx.com:8443/ws/v5/private
      rest_url        default https://www.okx.com
      api_key_file | api_key_env, api_secret_file | api_secret_env,
      api_passphrase_file | api_passphrase_env     (hb_secret.h)
      td_mode         cross (default) or isolated, for derivatives
      simulated       1: send x-simulated-trading: 1 (OKX demo trading)
      orders_per_s    default 20, order_burst default 40 (OKX: 60 orders
                      per 2 s per instrument; one bucket for all, with margin)
      sym.<symbol>, ctval.<symbol>   see okx_md.h
      instruments_s   with venues.X.discover: how often public/instruments
                      is asked again (default 3600; okx_list.h)
      ca_file         PEM bundle trusted for wss/https (both WebSockets and
                      REST) instead of the system's store; insecure "true"
                      skips certificate checks (tests only). Checked at
                      create (hb_tls.h).                                  */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "hb_log.h"
#include "hb_plugin.h"
#include "hb_refusal.h"
#include "hb_vhost.h"
#include "hb_rest.h"
#include "hb_secret.h"
#include "hb_sign.h"
#include "hb_tls.h"
#include "hb_vsend.h"
#include "hb_ws.h"
#include "okx_list.h"
#include "okx_md.h"
#include "okx_trade.h"

#define S_URL_MAX   256
#define S_BODY_MAX  1024
#define S_TEXT_MAX  4096
#define S_PING_S    20

typedef struct okx_plugin_s okx_plugin_t;

struct okx_plugin_s {
    const hb_host_api_t *host;
    okx_md_t            *md;
    okx_trade_t         *trade;
    hb_ws_t             *ws;
    hb_ws_t             *priv;
    hb_vsend_t          *send;
    hb_secret_t         *key;
    hb_secret_t         *secret;
    hb_secret_t         *passphrase;
    bool                 simulated;
    char                 ws_url [S_URL_MAX];
    char                 priv_url [S_URL_MAX];
    char                 rest_url [S_URL_MAX];
    uint64_t             bad_logged;
    char                 text [S_TEXT_MAX];
    hb_vhost_t           vhost;         //  what okx_md and okx_trade publish through
    okx_list_t          *list;          //  discovery, NULL without discover:
};

#define S_LOG(self, level, ...) (self)->host->log ((self)->host->ctx, (level), __VA_ARGS__)

static bool
s_keys (const okx_plugin_t *self)
{
    return self->key && self->secret && self->passphrase;
}

static void
s_send (okx_plugin_t *self, hb_ws_t *ws, int n)
{
    if (n <= 0 || (size_t) n >= sizeof self->text || hb_ws_send (ws, self->text, (size_t) n))
        S_LOG (self, HB_LOG_WARN, "could not queue a message");
}

//  op (subscribe / unsubscribe) of channel for instrument i, or for all (-1).
static void
s_subscribe (okx_plugin_t *self, const char *op, const char *channel, int only)
{
    int n = snprintf (self->text, sizeof self->text, "{\"op\":\"%s\",\"args\":[", op);
    bool first = true;
    for (int i = 0; i < okx_md_instruments (self->md) && n > 0 && (size_t) n < sizeof self->text; i++) {
        if (only >= 0 && i != only)
            continue;
        n += snprintf (self->text + n, sizeof self->text - (size_t) n,
                       "%s{\"channel\":\"%s\",\"instId\":\"%s\"}", first? "": ",", channel,
                       okx_md_inst_id (self->md, i));
        first = false;
    }
    if (n > 0 && (size_t) n < sizeof self->text)
        n += snprintf (self->text + n, sizeof self->text - (size_t) n, "]}");
    s_send (self, self->ws, n);
}

static void
s_on_open (void *arg, const char *url)
{
    okx_plugin_t *self = (okx_plugin_t *) arg;
    S_LOG (self, HB_LOG_INFO, "connected to %s", url);
    okx_md_reset (self->md);
    s_subscribe (self, "subscribe", "books", -1);
    s_subscribe (self, "subscribe", "tickers", -1);
    s_subscribe (self, "subscribe", "trades", -1);
}

static void
s_on_close (void *arg, const char *reason)
{
    okx_plugin_t *self = (okx_plugin_t *) arg;
    S_LOG (self, HB_LOG_WARN, "public connection lost (%s): books stale until the next snapshots",
           reason);
    okx_md_reset (self->md);
}

static void
s_on_msg (void *arg, const char *data, size_t len)
{
    okx_plugin_t *self = (okx_plugin_t *) arg;
    okx_md_result_t r = okx_md_on_message (self->md, data, len, self->host->now_ns (self->host->ctx));
    const char *why = okx_md_error (self->md);
    if (r == OKX_MD_RESYNC) {
        int i;
        while ((i = okx_md_take_resync (self->md)) >= 0) {
            S_LOG (self, HB_LOG_WARN, "books %s resync (%s): resubscribing",
                   okx_md_inst_id (self->md, i), why);
            //  a new subscription starts with a snapshot
            s_subscribe (self, "unsubscribe", "books", i);
            s_subscribe (self, "subscribe", "books", i);
        }
    }
    else if (r == OKX_MD_BAD || *why)
        hb_refusal_log (self->host, &self->bad_logged, "message", why);
}

//  The login of the private connection: sign = base64 HMAC of
//  timestamp (unix s) + "GET" + "/users/self/verify".
static void
s_on_priv_open (void *arg, const char *url)
{
    okx_plugin_t *self = (okx_plugin_t *) arg;
    S_LOG (self, HB_LOG_INFO, "private connection to %s: logging in", url);
    char ts [24], prehash [64], sig [HB_SIGN_BASE64_SIZE];
    snprintf (ts, sizeof ts, "%lld", (long long) (self->host->now_ns (self->host->ctx) / 1000000000));
    snprintf (prehash, sizeof prehash, "%sGET/users/self/verify", ts);
    if (okx_trade_sign (hb_secret_value (self->secret), hb_secret_len (self->secret), prehash,
                        sig, sizeof sig))
        return;
    int n = snprintf (self->text, sizeof self->text,
                      "{\"op\":\"login\",\"args\":[{\"apiKey\":\"%s\",\"passphrase\":\"%s\","
                      "\"timestamp\":\"%s\",\"sign\":\"%s\"}]}", hb_secret_value (self->key),
                      hb_secret_value (self->passphrase), ts, sig);
    s_send (self, self->priv, n);
    memset (self->text, 0, sizeof self->text);
}

static void
s_on_priv_msg (void *arg, const char *data, size_t len)
{
    okx_plugin_t *self = (okx_plugin_t *) arg;
    okx_priv_result_t r = okx_trade_on_private (self->trade, data, len);
    if (r == OKX_PRIV_LOGGED_IN) {
        S_LOG (self, HB_LOG_INFO, "logged in: subscribing to orders");
        int n = snprintf (self->text, sizeof self->text,
                          "{\"op\":\"subscribe\",\"args\":[{\"channel\":\"orders\",\"instType\":\"ANY\"}]}");
        s_send (self, self->priv, n);
    }
    else if (r == OKX_PRIV_BAD)
        hb_refusal_log (self->host, &self->bad_logged, "private message", okx_trade_error (self->trade));
}

static void
s_on_priv_close (void *arg, const char *reason)
{
    okx_plugin_t *self = (okx_plugin_t *) arg;
    S_LOG (self, HB_LOG_WARN, "private connection lost (%s): fills wait for the reconnect", reason);
}

static void
s_on_answer (void *arg, int handle, const hb_rest_resp_t *resp)
{
    okx_plugin_t *self = (okx_plugin_t *) arg;
    okx_trade_on_response (self->trade, handle, resp->status, resp->status? resp->body: resp->error);
}

static void
s_on_cancel_answer (void *arg, const hb_rest_resp_t *resp)
{
    okx_plugin_t *self = (okx_plugin_t *) arg;
    if (resp->status != 200 || !strstr (resp->body, "\"sCode\":\"0\""))
        S_LOG (self, HB_LOG_WARN, "cancel refused: HTTP %ld", resp->status);
}

static void
s_fail (void *arg, int handle, int reason, const char *text)
{
    okx_plugin_t *self = (okx_plugin_t *) arg;
    okx_trade_fail (self->trade, handle, reason, text);
}

static int
s_post (void *arg, hb_rest_t *rest, const char *path, const char *body, hb_rest_done_fn *done,
        void *done_arg)
{
    okx_plugin_t *self = (okx_plugin_t *) arg;
    int64_t now = self->host->now_ns (self->host->ctx);
    time_t secs = (time_t) (now / 1000000000);
    struct tm tm;
    gmtime_r (&secs, &tm);
    char ts [32], sig [HB_SIGN_BASE64_SIZE], url [S_URL_MAX + 64];
    size_t k = strftime (ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf (ts + k, sizeof ts - k, ".%03dZ", (int) ((now / 1000000) % 1000));
    int n = snprintf (self->text, sizeof self->text, "%sPOST%s%s", ts, path, body);
    if (n < 0 || (size_t) n >= sizeof self->text
    ||  okx_trade_sign (hb_secret_value (self->secret), hb_secret_len (self->secret),
                        self->text, sig, sizeof sig))
        return -1;
    char h_key [HB_SECRET_MAX + 32], h_pass [HB_SECRET_MAX + 32], h_sig [96], h_ts [64];
    snprintf (url, sizeof url, "%s%s", self->rest_url, path);
    snprintf (h_key, sizeof h_key, "OK-ACCESS-KEY: %s", hb_secret_value (self->key));
    snprintf (h_pass, sizeof h_pass, "OK-ACCESS-PASSPHRASE: %s", hb_secret_value (self->passphrase));
    snprintf (h_sig, sizeof h_sig, "OK-ACCESS-SIGN: %s", sig);
    snprintf (h_ts, sizeof h_ts, "OK-ACCESS-TIMESTAMP: %s", ts);
    const char *headers [] = { h_key, h_pass, h_sig, h_ts, "Content-Type: application/json",
                               self->simulated? "x-simulated-trading: 1": NULL, NULL };
    int rc = hb_rest_request (rest, "POST", url, headers, body, done, done_arg);
    memset (h_key, 0, sizeof h_key);
    memset (h_pass, 0, sizeof h_pass);
    return rc;
}

static int
s_order (void *arg, const hb_order_t *order)
{
    okx_plugin_t *self = (okx_plugin_t *) arg;
    char body [S_BODY_MAX];
    int handle = okx_trade_order (self->trade, order, body, sizeof body);
    if (handle >= 0)            //  else answered already
        hb_vsend_order (self->send, handle, s_keys (self), OKX_TRADE_ORDER_PATH, body);
    return 0;
}

static int
s_cancel (void *arg, const hb_cancel_t *cancel)
{
    okx_plugin_t *self = (okx_plugin_t *) arg;
    char body [S_BODY_MAX];
    if (okx_trade_cancel (self->trade, cancel, body, sizeof body) == 0)
        hb_vsend_cancel (self->send, s_keys (self), OKX_TRADE_CANCEL_PATH, body, cancel->client_id);
    return 0;
}

static void s_destroy (void **self_p);

static void *
s_create (const hb_host_api_t *host)
{
    okx_plugin_t *self = (okx_plugin_t *) hb_vhost_alloc (host, sizeof *self);
    if (!self)
        return NULL;
    self->host = host;
    const hb_venue_cfg_t *venue = host->venue;
    char err [256] = "";
    snprintf (self->ws_url, sizeof self->ws_url, "%s",
              hb_vhost_param (venue, "ws_url", "wss://ws.okx.com:8443/ws/v5/public"));
    snprintf (self->priv_url, sizeof self->priv_url, "%s",
              hb_vhost_param (venue, "ws_private_url", "wss://ws.okx.com:8443/ws/v5/private"));
    snprintf (self->rest_url, sizeof self->rest_url, "%s", hb_vhost_param (venue, "rest_url", "https://www.okx.com"));
    self->simulated = !strcmp (hb_vhost_param (venue, "simulated", "0"), "1");
    const char *td_mode = hb_vhost_param (venue, "td_mode", "cross");
    if (strcmp (td_mode, "cross") && strcmp (td_mode, "isolated")) {
        S_LOG (self, HB_LOG_ERROR, "params.td_mode: '%s' is not cross or isolated", td_mode);
        goto fail;
    }
    hb_tls_params_t tls;
    if (hb_tls_params (venue, &tls, err, sizeof err)) {
        S_LOG (self, HB_LOG_ERROR, "%s", err);
        goto fail;
    }
    hb_vhost_init (&self->vhost, host, "stale: waiting for snapshots", "rebuilt: every book has its snapshot");
    self->md = okx_md_new (venue, hb_vhost_emit, hb_vhost_status, &self->vhost, err, sizeof err);
    if (!self->md) {
        S_LOG (self, HB_LOG_ERROR, "%s", err);
        goto fail;
    }
    self->trade = okx_trade_new (venue, self->md, hb_vhost_emit, &self->vhost, td_mode);
    if (!self->trade)
        goto fail;
    static const char *const names [] = { "api_key", "api_secret", "api_passphrase" };
    hb_secret_t *keys [3];
    if (hb_secret_load_set (venue, names, 3, keys, err, sizeof err)) {
        S_LOG (self, HB_LOG_ERROR, "%s", err);
        goto fail;
    }
    self->key = keys [0];
    self->secret = keys [1];
    self->passphrase = keys [2];
    if (s_keys (self))
        S_LOG (self, HB_LOG_INFO, "API key from %s, secret from %s, passphrase from %s",
               hb_secret_origin (self->key), hb_secret_origin (self->secret),
               hb_secret_origin (self->passphrase));
    else
        S_LOG (self, HB_LOG_WARN, "no api_key_file/_env: market data only, orders are rejected");
    hb_ws_cfg_t wcfg = {
        .name = "okx.public", .url = self->ws_url, .max_msg = 4 << 20, .idle_s = 60,
        .app_ping = "ping", .app_ping_s = S_PING_S,
        .ca_file = tls.ca_file, .insecure = tls.insecure,
        .on_msg = s_on_msg, .on_open = s_on_open, .on_close = s_on_close, .arg = self
    };
    self->ws = hb_ws_new (host, &wcfg);
    if (s_keys (self)) {
        hb_ws_cfg_t pcfg = {
            .name = "okx.private", .url = self->priv_url, .max_msg = 1 << 20,
            .app_ping = "ping", .app_ping_s = S_PING_S,
            .ca_file = tls.ca_file, .insecure = tls.insecure,
            .on_msg = s_on_priv_msg, .on_open = s_on_priv_open, .on_close = s_on_priv_close,
            .arg = self
        };
        self->priv = hb_ws_new (host, &pcfg);
        if (!self->priv)
            goto fail;
    }
    //  OKX: 60 orders per 2 s per instrument; one bucket for all, with margin
    hb_vsend_cfg_t scfg = { .host = host, .name = "okx.rest", .ca_file = tls.ca_file,
                            .insecure = tls.insecure, .rate = 20, .burst = 40,
                            .slots = OKX_TRADE_MAX_ORDERS, .pause_s = 2, .post = s_post,
                            .fail = s_fail, .answer = s_on_answer,
                            .cancel_answer = s_on_cancel_answer, .arg = self };
    self->send = hb_vsend_new (&scfg);
    if (!self->ws || !self->send)
        goto fail;
    self->list = okx_list_new (host, self->rest_url, &tls);
    return self;
fail:
    return hb_vhost_undo (self, s_destroy);
}

static int
s_start (void *arg)
{
    okx_plugin_t *self = (okx_plugin_t *) arg;
    self->host->set_status (self->host->ctx, HB_TICK_STALE);
    if (hb_ws_start (self->ws) || (self->list && okx_list_start (self->list)))
        return -1;
    return self->priv? hb_ws_start (self->priv): 0;
}

static void
s_destroy (void **self_p)
{
    if (!self_p || !*self_p)
        return;
    okx_plugin_t *self = (okx_plugin_t *) *self_p;
    okx_list_destroy (&self->list);
    hb_ws_destroy (&self->ws);
    hb_ws_destroy (&self->priv);
    hb_vsend_destroy (&self->send);
    okx_trade_destroy (&self->trade);
    okx_md_destroy (&self->md);
    hb_secret_destroy (&self->key);
    hb_secret_destroy (&self->secret);
    hb_secret_destroy (&self->passphrase);
    free (self);
    *self_p = NULL;
}

//  fills of orders this host did not send us are marked external
const hb_venue_ops_t hb_venue_plugin = HB_VHOST_OPS ("okx",
    "OKX v5: books (seqId continuity, CRC32 of the top 25 levels), tickers, "
    "trades; signed REST orders, fills from the private orders channel",
    HB_VENUE_FEAT_FILL_FLAGS);
