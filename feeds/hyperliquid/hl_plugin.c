/*  hyperliquid: the Hyperliquid perpetuals venue plugin (feeds/hyperliquid/README.md).

    Wiring only: hl_md turns /info meta and WebSocket frames into ticks and
    trades, hl_trade turns orders into signed L1 actions and the venue's
    answers into acks and fills; the session machinery is feeds/lib's
    (hb_ws: connect, keep-alive, reconnect with backoff; hb_rest: /info and
    /exchange; hb_vsend: the order bucket, request slots, 429 pauses and
    answers routed to their order; hb_backoff, hb_secret, hb_tls, hb_refusal).
    Nothing here blocks.

    Start: POST /info {"type":"meta"} (and {"type":"spotMeta"} when a
    spot pair is listed; retried with backoff until they answer), then the
    WebSocket: l2Book (or bbo) and trades per known coin and,
    with an agent key, orderUpdates, userFills and userFundings (hl_funding:
    each payment as funding.<venue>.<symbol>) of the account. A book
    that had no message for stale_s is resubscribed (unsubscribe +
    subscribe: the venue answers with the whole book); {"method":"ping"}
    every ping_s (hb_ws app_ping) keeps the connection, which the venue
    closes after 60 s without a message from us.

    Params (venues.X.params; docs/PLUGINS.md, Hyperliquid, has them all):
      network       mainnet (default) | testnet: the default URLs and the
                    signature's source ("a" / "b")
      ws_url        default wss://api.hyperliquid.xyz/ws (testnet:
                    wss://api.hyperliquid-testnet.xyz/ws)
      rest_url      default https://api.hyperliquid.xyz (testnet:
                    https://api.hyperliquid-testnet.xyz); /info, /exchange
      coin.<symbol> the coin (default: the symbol up to its first '-')
      stale_s       a book with no message for this long is resubscribed
                    (default 30, 0.2 .. 3600)
      book          l2Book (default: up to 20 levels a side) | bbo (the
                    top only, a tick of one level a side)
      ping_s        application ping interval (default 30, 1 .. 55)
      max_msg_kb    largest WebSocket message (default 4096)
      ca_file, insecure   TLS (hb_tls.h)
      and for orders, hl_trade.h: agent_key_file | agent_key_env, account,
      vault, market_slippage, orders_per_s, order_burst; state_s: how
      often the account's clearinghouseState is read and logged (default
      60, 0: never; needs account); status_after_s: an order whose
      /exchange answer was lost and that orderUpdates has not named for
      this long is asked about with /info orderStatus (default 5, 0:
      never; needs account).                                              */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hb_backoff.h"
#include "hb_log.h"
#include "hb_plugin.h"
#include "hb_refusal.h"
#include "hb_vhost.h"
#include "hb_rest.h"
#include "hb_secret.h"
#include "hb_tls.h"
#include "hb_vsend.h"
#include "hb_ws.h"
#include "hl_funding.h"
#include "hl_l1.h"
#include "hl_md.h"
#include "hl_nonce.h"
#include "hl_signer.h"
#include "hl_state.h"
#include "hl_trade.h"

#define S_URL_MAX   256
#define S_TEXT_MAX  512

#define S_EXCHANGE  "/exchange"

typedef struct hl_plugin_s hl_plugin_t;

//  An orderStatus query in flight (hb_rest's done callback gets this)
#define S_QUERIES   16
typedef struct {
    hl_plugin_t *plugin;
    int          handle;
    bool         used;
} s_query_t;

struct hl_plugin_s {
    const hb_host_api_t *host;
    const hb_venue_cfg_t *venue;
    hl_md_t             *md;
    hl_trade_t          *trade;
    hl_funding_t        *funding;
    hl_signer_t         *signer;
    hl_nonce_t          *nonce;
    bool                 has_account;
    char                 account [HL_ADDRESS_HEX_SIZE];
    hb_ws_t             *ws;
    hb_rest_t           *rest;              //  /info (orders and cancels: send's)
    hb_vsend_t          *send;
    hb_backoff_t         meta_backoff;
    bool                 mainnet;
    bool                 meta_inflight;
    int                  meta_timer;        //  -1: none
    int                  stale_timer;
    int                  state_timer;
    bool                 state_inflight;
    uint32_t             state_s;
    uint32_t             status_after_s;    //  an order in doubt is asked about after this
    s_query_t            queries [S_QUERIES];
    char                 state_text [1024];     //  the last one logged at info
    hb_msg_t             account_msg;           //  scratch: account.<venue>
    hb_vhost_t           vhost;                 //  what hl_md and hl_trade publish through
    int64_t              stale_ns;
    uint32_t             ping_s;
    uint64_t             bad_logged;
    bool                 bad_config;
    char                 ws_url [S_URL_MAX];
    char                 rest_url [S_URL_MAX];
    char                 text [S_TEXT_MAX];
};

#define S_LOG(self, level, ...) (self)->host->log ((self)->host->ctx, (level), __VA_ARGS__)

//  A bad param, as FILE:LINE: venues.V.params.KEY: why (value 'X').
static void
s_bad_param (hl_plugin_t *self, const char *key, const char *format, ...)
{
    char why [256];
    va_list args;
    va_start (args, format);
    vsnprintf (why, sizeof why, format, args);
    va_end (args);
    int line = self->venue->line;
    const char *value = NULL;
    for (int i = 0; i < self->venue->n_params; i++)
        if (!strcmp (self->venue->params [i].key, key)) {
            line = self->venue->params [i].line;
            value = self->venue->params [i].value;
        }
    const char *path = self->host->config && self->host->config->path [0]?
                       self->host->config->path: "(config)";
    if (value)
        S_LOG (self, HB_LOG_ERROR, "%s:%d: venues.%s.params.%s: %s (value '%s')",
               path, line, self->venue->name, key, why, value);
    else
        S_LOG (self, HB_LOG_ERROR, "%s:%d: venues.%s.params.%s: %s",
               path, line, self->venue->name, key, why);
    self->bad_config = true;
}

//  A number param in [lo, hi], dflt when absent.
static double
s_number_param (hl_plugin_t *self, const char *key, double dflt, double lo, double hi)
{
    const char *text = hb_venue_param (self->venue, key);
    if (!text)
        return dflt;
    char *end = NULL;
    double x = strtod (text, &end);
    if (!*text || *end || !isfinite (x) || x < lo || x > hi) {
        s_bad_param (self, key, "must be a number in %g .. %g", lo, hi);
        return dflt;
    }
    return x;
}

//  {"method":"subscribe"|"unsubscribe","subscription":{"type":T,"coin":C}}
static void
s_subscribe (hl_plugin_t *self, const char *method, const char *type, const char *coin)
{
    int n = snprintf (self->text, sizeof self->text,
                      "{\"method\":\"%s\",\"subscription\":{\"type\":\"%s\",\"coin\":\"%s\"}}",
                      method, type, coin);
    if (n > 0 && (size_t) n < sizeof self->text && hb_ws_send (self->ws, self->text, (size_t) n))
        S_LOG (self, HB_LOG_WARN, "%s %s %s: could not queue the message", method, type, coin);
}

static void
s_on_open (void *arg, const char *url)
{
    hl_plugin_t *self = (hl_plugin_t *) arg;
    S_LOG (self, HB_LOG_INFO, "connected to %s", url);
    hl_md_reset (self->md, self->host->now_ns (self->host->ctx));
    for (int i = 0; i < hl_md_coins (self->md); i++) {
        const hl_coin_t *c = hl_md_coin (self->md, i);
        if (c->asset < 0)
            continue;
        s_subscribe (self, "subscribe", hl_md_book_channel (self->md), c->coin);
        s_subscribe (self, "subscribe", "trades", c->coin);
    }
    //  the account's orders and fills (the agent signs for it, the
    //  channels are the account's)
    static const char *const user [] = { "orderUpdates", "userFills", "userFundings" };
    for (int i = 0; self->has_account && i < 3; i++) {
        int n = snprintf (self->text, sizeof self->text,
                          "{\"method\":\"subscribe\",\"subscription\":{\"type\":\"%s\",\"user\":\"%s\"}}",
                          user [i], self->account);
        if (n > 0 && (size_t) n < sizeof self->text && hb_ws_send (self->ws, self->text, (size_t) n))
            S_LOG (self, HB_LOG_WARN, "subscribe %s: could not queue the message", user [i]);
    }
}

static void
s_on_close (void *arg, const char *reason)
{
    hl_plugin_t *self = (hl_plugin_t *) arg;
    S_LOG (self, HB_LOG_WARN, "connection lost (%s): books stale until the next %s", reason,
           hl_md_book_channel (self->md));
    hl_md_reset (self->md, self->host->now_ns (self->host->ctx));
}

static void
s_on_msg (void *arg, const char *data, size_t len)
{
    hl_plugin_t *self = (hl_plugin_t *) arg;
    if (hl_md_on_message (self->md, data, len, self->host->now_ns (self->host->ctx)))
        hb_refusal_log (self->host, &self->bad_logged, "message", hl_md_error (self->md));
}

static int s_meta_retry (void *arg);

//  The account as the venue sees it: published as account.<venue> (the
//  aggregator reconciles its fill-built positions with it and takes the
//  venue's equity and margin), logged at info when it changed.
static void
s_on_state (void *arg, const hb_rest_resp_t *resp)
{
    hl_plugin_t *self = (hl_plugin_t *) arg;
    self->state_inflight = false;
    hl_state_t state;
    char err [256], text [sizeof self->state_text];
    if (resp->status != 200) {
        S_LOG (self, HB_LOG_WARN, "/info clearinghouseState: %s%ld %s", resp->status? "HTTP ": "",
               resp->status, resp->status? "": resp->error);
        return;
    }
    if (hl_state_parse (self->md, resp->body, resp->len, &state, err, sizeof err)) {
        S_LOG (self, HB_LOG_WARN, "/info %s", err);
        return;
    }
    size_t n = (size_t) snprintf (text, sizeof text, "account %s: value %.2f USD, margin used %.2f, "
                                  "maintenance %.2f, withdrawable %.2f", self->account, state.account_value,
                                  state.margin_used, state.maintenance, state.withdrawable);
    for (int i = 0; i < state.n_positions && n < sizeof text; i++) {
        const hl_position_t *p = &state.positions [i];
        n += (size_t) snprintf (text + n, sizeof text - n, "; %s %+.12g @ %.12g (unrealized %.2f, "
                                "liquidation %.12g, funding %.2f)", p->symbol, p->qty, p->entry,
                                p->unrealized, p->liquidation, p->funding);
    }
    if (state.n_other && n < sizeof text)
        snprintf (text + n, sizeof text - n, "; %d position(s) in coins not listed here", state.n_other);
    bool changed = strcmp (text, self->state_text) != 0;
    S_LOG (self, changed? HB_LOG_INFO: HB_LOG_DEBUG, "clearinghouseState: %s", text);
    memcpy (self->state_text, text, sizeof text);
    hl_state_account (&state, self->host->venue->name, &self->account_msg);
    if (hb_vhost_emit (&self->vhost, &self->account_msg) != 0)
        S_LOG (self, HB_LOG_WARN, "clearinghouseState: account.%s refused by the host",
               self->host->venue->name);
}

static int
s_state_poll (void *arg)
{
    hl_plugin_t *self = (hl_plugin_t *) arg;
    static const char *const headers [] = { "Content-Type: application/json", NULL };
    if (self->state_inflight || !hl_md_has_meta (self->md))
        return 0;
    char url [S_URL_MAX + 8], body [128];
    snprintf (url, sizeof url, "%s/info", self->rest_url);
    snprintf (body, sizeof body, "{\"type\":\"clearinghouseState\",\"user\":\"%s\"}", self->account);
    if (hb_rest_request (self->rest, "POST", url, headers, body, s_on_state, self) == 0)
        self->state_inflight = true;
    return 0;
}

static void
s_meta_later (hl_plugin_t *self)
{
    uint64_t ms = hb_backoff_next (&self->meta_backoff);
    self->meta_timer = self->host->timer_add (self->host->ctx, ms > 0? ms: 1, 1, s_meta_retry, self);
}

static void s_meta_done (hl_plugin_t *self);

//  POST /info body: one meta request in flight (meta, then spotMeta)
static int
s_info_request (hl_plugin_t *self, const char *body, hb_rest_done_fn *done)
{
    static const char *const headers [] = { "Content-Type: application/json", NULL };
    char url [S_URL_MAX + 8];
    snprintf (url, sizeof url, "%s/info", self->rest_url);
    if (hb_rest_request (self->rest, "POST", url, headers, body, done, self))
        return -1;
    self->meta_inflight = true;
    return 0;
}

//  spotMeta: the spot pairs' assets and szDecimals; a failure asks meta
//  again after the backoff (the two come as one step)
static void
s_on_spot_meta (void *arg, const hb_rest_resp_t *resp)
{
    hl_plugin_t *self = (hl_plugin_t *) arg;
    self->meta_inflight = false;
    char err [256];
    if (resp->status != 200 || hl_md_on_spot_meta (self->md, resp->body, resp->len, err, sizeof err)) {
        if (resp->status != 200)
            snprintf (err, sizeof err, "spotMeta: %s%ld %s", resp->status? "HTTP ": "", resp->status,
                      resp->status? "": resp->error);
        S_LOG (self, HB_LOG_WARN, "/info %s: retrying", err);
        s_meta_later (self);
        return;
    }
    s_meta_done (self);
}

static void
s_on_meta (void *arg, const hb_rest_resp_t *resp)
{
    hl_plugin_t *self = (hl_plugin_t *) arg;
    self->meta_inflight = false;
    char err [256];
    if (resp->status != 200) {
        S_LOG (self, HB_LOG_WARN, "/info meta: %s%ld %s: retrying", resp->status? "HTTP ": "",
               resp->status, resp->status? "": resp->error);
        s_meta_later (self);
        return;
    }
    if (hl_md_on_meta (self->md, resp->body, resp->len, err, sizeof err)) {
        S_LOG (self, HB_LOG_WARN, "/info %s: retrying", err);
        s_meta_later (self);
        return;
    }
    //  spot pairs are in spotMeta's universe, asked next (their books wait for it)
    if (hl_md_has_spot (self->md) && !hl_md_has_meta (self->md)) {
        if (s_info_request (self, "{\"type\":\"spotMeta\"}", s_on_spot_meta))
            s_meta_later (self);
        return;
    }
    s_meta_done (self);
}

//  Every meta is in: the coins said, the WebSocket started, the account polled
static void
s_meta_done (hl_plugin_t *self)
{
    int known = 0;
    for (int i = 0; i < hl_md_coins (self->md); i++) {
        const hl_coin_t *c = hl_md_coin (self->md, i);
        if (c->asset < 0)
            S_LOG (self, HB_LOG_ERROR, "%s: unknown coin '%s' (not in /info %s's universe): "
                   "no market data, orders refused", c->inst->symbol, c->coin, c->spot? "spotMeta": "meta");
        else {
            known++;
            S_LOG (self, HB_LOG_INFO, "%s: coin %s, asset %d, szDecimals %d, maxLeverage %d",
                   c->inst->symbol, c->coin, c->asset, c->sz_decimals, c->max_leverage);
        }
    }
    if (known && hb_ws_start (self->ws) == 0)
        S_LOG (self, HB_LOG_INFO, "meta: %d of %d coins known, connecting", known, hl_md_coins (self->md));
    if (self->has_account && self->state_s) {
        s_state_poll (self);
        self->state_timer = self->host->timer_add (self->host->ctx, (uint64_t) self->state_s * 1000, 0,
                                                   s_state_poll, self);
    }
}

static int
s_meta_request (hl_plugin_t *self)
{
    return s_info_request (self, "{\"type\":\"meta\"}", s_on_meta);
}

static int
s_meta_retry (void *arg)
{
    hl_plugin_t *self = (hl_plugin_t *) arg;
    self->meta_timer = -1;
    if (!self->meta_inflight && s_meta_request (self))
        s_meta_later (self);
    return 0;
}

//  The orderStatus answer about an order in doubt
static void
s_on_status (void *arg, const hb_rest_resp_t *resp)
{
    s_query_t *query = (s_query_t *) arg;
    hl_plugin_t *self = query->plugin;
    query->used = false;
    int rc = hl_trade_on_status (self->trade, query->handle, resp->status,
                                 resp->status? resp->body: resp->error);
    if (rc)
        S_LOG (self, HB_LOG_WARN, "order %d: orderStatus %s (%s%ld): asking again in %u s", query->handle,
               rc < 0? "not understood": "says nothing yet", resp->status? "HTTP ": "", resp->status,
               self->status_after_s);
}

//  Orders whose /exchange answer was lost and that orderUpdates has not
//  named for status_after_s: asked about by cloid (/info orderStatus)
static void
s_doubt_check (hl_plugin_t *self)
{
    static const char *const headers [] = { "Content-Type: application/json", NULL };
    if (!self->has_account || !self->status_after_s)
        return;
    int due [S_QUERIES];
    int n = hl_trade_doubt_due (self->trade, self->host->now_ns (self->host->ctx),
                                (int64_t) self->status_after_s * 1000000000, due, S_QUERIES);
    char url [S_URL_MAX + 8], body [256];
    snprintf (url, sizeof url, "%s/info", self->rest_url);
    for (int i = 0; i < n; i++) {
        s_query_t *query = NULL;
        for (int q = 0; q < S_QUERIES && !query; q++)
            if (!self->queries [q].used)
                query = &self->queries [q];
        //  none free, or no body: asked at the next round (status_after_s)
        if (!query || hl_trade_status_query (self->trade, due [i], self->account, body, sizeof body))
            continue;
        *query = (s_query_t) { self, due [i], true };
        S_LOG (self, HB_LOG_WARN, "order %d: no word from the venue since its answer was lost: "
               "asking orderStatus", due [i]);
        if (hb_rest_request (self->rest, "POST", url, headers, body, s_on_status, query))
            query->used = false;
    }
}

//  Books silent for stale_s: resubscribed (the venue sends the whole book
//  on a subscription); orders in doubt asked about.
static int
s_stale_check (void *arg)
{
    hl_plugin_t *self = (hl_plugin_t *) arg;
    s_doubt_check (self);
    if (!hb_ws_connected (self->ws))
        return 0;
    int due [HL_MD_COINS];
    int n = hl_md_stale_due (self->md, self->host->now_ns (self->host->ctx), self->stale_ns,
                             due, HL_MD_COINS);
    for (int i = 0; i < n; i++) {
        const hl_coin_t *c = hl_md_coin (self->md, due [i]);
        const char *channel = hl_md_book_channel (self->md);
        S_LOG (self, HB_LOG_WARN, "%s %s: no message for %.1f s: resubscribing",
               channel, c->coin, (double) self->stale_ns / 1e9);
        s_subscribe (self, "unsubscribe", channel, c->coin);
        s_subscribe (self, "subscribe", channel, c->coin);
    }
    return 0;
}

static int
s_user (void *arg, const char *channel, const json_t *data, int64_t now_ns)
{
    hl_plugin_t *self = (hl_plugin_t *) arg;
    if (!strcmp (channel, "userFundings"))
        return hl_funding_on_message (self->funding, data);
    return hl_trade_on_user (self->trade, channel, data, now_ns);
}

static void
s_on_answer (void *arg, int handle, const hb_rest_resp_t *resp)
{
    hl_plugin_t *self = (hl_plugin_t *) arg;
    const char *body = resp->status? resp->body: resp->error;
    if (hl_trade_on_response (self->trade, handle, resp->status, body))
        S_LOG (self, HB_LOG_WARN, "order %d: no clear answer from /exchange (%s%ld %.120s): "
               "in doubt until orderUpdates or its fills tell", handle,
               resp->status? "HTTP ": "", resp->status, body? body: "");
}

//  The venue's cancel answer does not name the order: hb_vsend keeps the
//  client id for it.
static void
s_on_cancel_answer (void *arg, const char *client_id, const hb_rest_resp_t *resp)
{
    hl_plugin_t *self = (hl_plugin_t *) arg;
    hb_cancel_t what;
    memset (&what, 0, sizeof what);
    snprintf (what.client_id, sizeof what.client_id, "%s", client_id);
    char why [HB_TEXT_MAX];
    if (hl_trade_on_cancel_response (self->trade, &what, resp->status,
                                     resp->status? resp->body: resp->error, why, sizeof why))
        S_LOG (self, HB_LOG_WARN, "cancel %s: %s%ld: %s", client_id,
               resp->status? "HTTP ": "", resp->status, why);
}

static void
s_fail (void *arg, int handle, int reason, const char *text)
{
    hl_plugin_t *self = (hl_plugin_t *) arg;
    hl_trade_fail (self->trade, handle, reason, text);
}

//  POSTs a signed body to /exchange; the body carries no secret (the
//  signature is in it: no headers to add).
static int
s_post (void *arg, hb_rest_t *rest, const char *path, const char *body, hb_rest_done_fn *done,
        void *done_arg)
{
    hl_plugin_t *self = (hl_plugin_t *) arg;
    static const char *const headers [] = { "Content-Type: application/json", NULL };
    char url [S_URL_MAX + 16];
    snprintf (url, sizeof url, "%s%s", self->rest_url, path);
    return hb_rest_request (rest, "POST", url, headers, body, done, done_arg);
}

static int
s_order (void *arg, const hb_order_t *order)
{
    hl_plugin_t *self = (hl_plugin_t *) arg;
    char body [HL_TRADE_BODY_MAX];
    //  a nonce per signed action, strictly increasing: one refused before
    //  sending is simply never used
    int handle = hl_trade_order (self->trade, order, hl_nonce_next (self->nonce), body, sizeof body);
    if (handle >= 0)            //  else answered already (no agent key among the reasons)
        hb_vsend_order (self->send, handle, self->signer != NULL, S_EXCHANGE, body);
    return 0;
}

static int
s_cancel (void *arg, const hb_cancel_t *cancel)
{
    hl_plugin_t *self = (hl_plugin_t *) arg;
    char body [HL_TRADE_BODY_MAX];
    const char *why = NULL;
    if (hl_trade_cancel (self->trade, cancel, hl_nonce_next (self->nonce), body, sizeof body, &why))
        S_LOG (self, HB_LOG_WARN, "cancel %s (%s) not sent: %s", cancel->client_id, cancel->symbol, why);
    else
        hb_vsend_cancel (self->send, self->signer != NULL, S_EXCHANGE, body, cancel->client_id);
    return 0;
}

//  The agent key and the account (the user channels'), vault, market
//  slippage and the request rate: 0, or -1 (logged).
static int
s_trade_params (hl_plugin_t *self)
{
    const hb_venue_cfg_t *venue = self->venue;
    char err [256];
    double slippage = s_number_param (self, "market_slippage", 0.05, 0, 0.5);
    self->state_s = (uint32_t) s_number_param (self, "state_s", 60, 0, 86400);
    self->status_after_s = (uint32_t) s_number_param (self, "status_after_s", 5, 0, 3600);
    //  checked here for their FILE:LINE and range; hb_vsend reads them again
    s_number_param (self, "orders_per_s", 10, 0.01, 1000);
    s_number_param (self, "order_burst", 20, 1, 10000);
    uint8_t vault [HL_ADDRESS_SIZE], address [HL_ADDRESS_SIZE];
    const char *vault_text = hb_venue_param (venue, "vault");
    if (vault_text && hl_address_parse (vault_text, vault))
        s_bad_param (self, "vault", "must be an address: 0x and 40 hex digits");
    const char *account = hb_venue_param (venue, "account");
    if (account && hl_address_parse (account, address))
        s_bad_param (self, "account", "must be an address: 0x and 40 hex digits");
    if (account) {
        self->has_account = true;
        hl_address_hex (address, self->account);
    }
    if (hb_venue_param (venue, "agent_key_file") || hb_venue_param (venue, "agent_key_env")
    ||  hb_venue_param (venue, "agent_key")) {
        hb_secret_t *secret = hb_secret_load (venue, "agent_key", err, sizeof err);
        if (secret)
            self->signer = hl_signer_from_secret (secret, err, sizeof err);
        hb_secret_destroy (&secret);
        if (!self->signer) {
            //  at the param's line; agent_key itself is refused without its
            //  value (it would be the key)
            const char *key = hb_venue_param (venue, "agent_key_file")? "agent_key_file"
                            : hb_venue_param (venue, "agent_key_env")? "agent_key_env": NULL;
            if (key && !hb_venue_param (venue, "agent_key"))
                s_bad_param (self, key, "%s", err);
            else {
                S_LOG (self, HB_LOG_ERROR, "%s:%d: venues.%s.params: %s",
                       self->host->config? self->host->config->path: "(config)", venue->line,
                       venue->name, err);
                self->bad_config = true;
            }
        }
        else
        if (!account)
            s_bad_param (self, "account", "missing: the account the agent trades for (its "
                         "orders and fills are that account's)");
        else {
            char hex [HL_ADDRESS_HEX_SIZE];
            hl_address_hex (hl_signer_address (self->signer), hex);
            S_LOG (self, HB_LOG_INFO, "agent %s trades for %s%s%s", hex, self->account,
                   vault_text? ", vault ": "", vault_text? vault_text: "");
        }
    }
    else
        S_LOG (self, HB_LOG_WARN, "no agent_key_file/_env: market data only, orders are rejected");
    if (self->bad_config)
        return -1;
    self->nonce = hl_nonce_new (0);
    self->trade = hl_trade_new (venue, self->md, self->signer, self->mainnet,
                                vault_text? vault: NULL, slippage, hb_vhost_emit, &self->vhost);
    self->funding = hl_funding_new (self->md, venue->name, hb_vhost_emit, &self->vhost);
    if (!self->nonce || !self->trade || !self->funding)
        return -1;
    hl_md_set_user (self->md, s_user, self);
    return 0;
}

static void s_destroy (void **self_p);

static void *
s_create (const hb_host_api_t *host)
{
    hl_plugin_t *self = (hl_plugin_t *) hb_vhost_alloc (host, sizeof *self);
    if (!self)
        return NULL;
    self->host = host;
    hb_vhost_init (&self->vhost, host, "stale: waiting for each coin's book", "whole: every coin has its book");
    self->venue = host->venue;
    self->meta_timer = self->stale_timer = self->state_timer = -1;
    char err [256] = "";
    const char *network = hb_venue_param (host->venue, "network");
    self->mainnet = !network || !strcmp (network, "mainnet");
    if (network && !self->mainnet && strcmp (network, "testnet"))
        s_bad_param (self, "network", "must be mainnet or testnet");
    const char *ws_url = hb_venue_param (host->venue, "ws_url");
    const char *rest_url = hb_venue_param (host->venue, "rest_url");
    snprintf (self->ws_url, sizeof self->ws_url, "%s", ws_url? ws_url: self->mainnet?
              "wss://api.hyperliquid.xyz/ws": "wss://api.hyperliquid-testnet.xyz/ws");
    snprintf (self->rest_url, sizeof self->rest_url, "%s", rest_url? rest_url: self->mainnet?
              "https://api.hyperliquid.xyz": "https://api.hyperliquid-testnet.xyz");
    //  a trailing '/' would make "//info"
    size_t rl = strlen (self->rest_url);
    if (rl && self->rest_url [rl - 1] == '/')
        self->rest_url [rl - 1] = 0;
    if (strncmp (self->rest_url, "http://", 7) && strncmp (self->rest_url, "https://", 8))
        s_bad_param (self, "rest_url", "must be an http:// or https:// URL");
    self->stale_ns = (int64_t) (s_number_param (self, "stale_s", 30, 0.2, 3600) * 1e9);
    self->ping_s = (uint32_t) s_number_param (self, "ping_s", 30, 1, 55);
    const char *book = hb_venue_param (host->venue, "book");
    if (book && strcmp (book, "l2Book") && strcmp (book, "bbo"))
        s_bad_param (self, "book", "must be l2Book or bbo");
    bool bbo = book && !strcmp (book, "bbo");
    long max_kb = (long) s_number_param (self, "max_msg_kb", 4096, 64, 1048576);
    hb_tls_params_t tls;
    if (hb_tls_params (host->venue, &tls, err, sizeof err)) {
        S_LOG (self, HB_LOG_ERROR, "%s", err);
        goto fail;
    }
    self->md = hl_md_new (host->venue, hb_vhost_emit, hb_vhost_status, &self->vhost, err, sizeof err);
    if (!self->md) {
        S_LOG (self, HB_LOG_ERROR, "%s", err);
        goto fail;
    }
    hl_md_set_bbo (self->md, bbo);
    if (self->bad_config || s_trade_params (self))
        goto fail;
    hb_backoff_init (&self->meta_backoff, 500, 30000, (uint64_t) host->now_ns (host->ctx));
    hb_ws_cfg_t wcfg = {
        .name = "hyperliquid.ws", .url = self->ws_url, .max_msg = (size_t) max_kb * 1024,
        .ca_file = tls.ca_file, .insecure = tls.insecure,
        //  a pong answers every ping: ping_s + 30 s of silence is a dead connection
        .idle_s = self->ping_s + 30,
        .app_ping = "{\"method\":\"ping\"}", .app_ping_s = self->ping_s,
        .on_msg = s_on_msg, .on_open = s_on_open, .on_close = s_on_close, .arg = self
    };
    self->ws = hb_ws_new (host, &wcfg);
    hb_rest_cfg_t rcfg = { .name = "hyperliquid.rest", .ca_file = tls.ca_file,
                           .insecure = tls.insecure, .max_inflight = 16 };
    self->rest = hb_rest_new (host, &rcfg);
    //  /exchange: 1 s pause on a 429 without Retry-After; 64 requests in flight
    hb_vsend_cfg_t scfg = { .host = host, .name = "hyperliquid.exchange", .ca_file = tls.ca_file,
                            .insecure = tls.insecure, .rate = 10, .burst = 20, .slots = 64,
                            .pause_s = 1, .post = s_post, .fail = s_fail, .answer = s_on_answer,
                            .cancel_answer_of = s_on_cancel_answer, .arg = self };
    self->send = hb_vsend_new (&scfg);
    if (!self->ws || !self->rest || !self->send)
        goto fail;
    S_LOG (self, HB_LOG_INFO, "%s: %s, %s", self->mainnet? "mainnet": "testnet",
           self->ws_url, self->rest_url);
    return self;
fail:
    return hb_vhost_undo (self, s_destroy);
}

static int
s_start (void *arg)
{
    hl_plugin_t *self = (hl_plugin_t *) arg;
    self->host->set_status (self->host->ctx, HB_TICK_STALE);
    uint64_t every = (uint64_t) (self->stale_ns / 4000000);
    self->stale_timer = self->host->timer_add (self->host->ctx, every < 50? 50: every > 1000? 1000: every,
                                               0, s_stale_check, self);
    if (self->stale_timer < 0)
        return -1;
    if (s_meta_request (self))
        s_meta_later (self);
    return 0;
}

static void
s_destroy (void **self_p)
{
    if (!self_p || !*self_p)
        return;
    hl_plugin_t *self = (hl_plugin_t *) *self_p;
    int *timers [] = { &self->meta_timer, &self->stale_timer, &self->state_timer };
    for (size_t i = 0; i < sizeof timers / sizeof timers [0]; i++)
        if (*timers [i] >= 0)
            self->host->timer_cancel (self->host->ctx, *timers [i]);
    hb_ws_destroy (&self->ws);
    hb_rest_destroy (&self->rest);
    hb_vsend_destroy (&self->send);
    hl_trade_destroy (&self->trade);
    hl_funding_destroy (&self->funding);
    hl_md_destroy (&self->md);
    hl_signer_destroy (&self->signer);
    hl_nonce_destroy (&self->nonce);
    free (self);
    *self_p = NULL;
}

//  fills of orders this host did not send us are marked external
const hb_venue_ops_t hb_venue_plugin = HB_VHOST_OPS ("hyperliquid",
    "Hyperliquid perps and spot: l2Book or bbo, trades, signed L1 orders, userFills, userFundings",
    HB_VENUE_FEAT_FILL_FLAGS);
