/*  deribit_plugin: the Deribit venue behind the plugin ABI (hb_plugin.h).

    The protocol is in deribit_venue (an engine that is given frames and a
    way to send them); this file wires it to hb_ws, the shared WebSocket
    client whose callbacks run on the host's reactor, loads the API
    credentials with hb_secret (files or environment variables named in the
    venue's params, never the config text) and runs the engine's
    housekeeping on a host timer. feeds/deribit/README.md has the params.  */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hb_plugin.h"
#include "hb_log.h"
#include "hb_secret.h"
#include "hb_tls.h"
#include "hb_vhost.h"
#include "hb_ws.h"
#include "deribit_venue.h"

#define S_POLL_MS       250
#define S_DEFAULT_URL   "wss://www.deribit.com/ws/api/v2"

typedef struct {
    const hb_host_api_t *host;
    hb_secret_t         *key;
    hb_secret_t         *secret;
    deribit_venue_t     *engine;
    hb_ws_t             *ws;
    int                  timer;
} deribit_plugin_t;

#define S_HOST_HAS(host, m) \
    ((host)->size >= offsetof (hb_host_api_t, m) + sizeof ((host)->m) && (host)->m)

static int
s_link_send (void *arg, const char *text, size_t len)
{
    deribit_plugin_t *self = (deribit_plugin_t *) arg;
    return self->ws ? hb_ws_send (self->ws, text, len) : -1;
}

static void
s_link_reconnect (void *arg, const char *why)
{
    deribit_plugin_t *self = (deribit_plugin_t *) arg;
    if (self->ws)
        hb_ws_reconnect (self->ws, why);
}

static void
s_on_msg (void *arg, const char *data, size_t len)
{
    deribit_venue_on_msg (((deribit_plugin_t *) arg)->engine, data, len);
}

static void
s_on_open (void *arg, const char *url)
{
    (void) url;                 //  hb_ws logs it
    deribit_venue_on_open (((deribit_plugin_t *) arg)->engine);
}

static void
s_on_close (void *arg, const char *reason)
{
    deribit_venue_on_close (((deribit_plugin_t *) arg)->engine, reason);
}

static int
s_on_timer (void *arg)
{
    deribit_venue_poll (((deribit_plugin_t *) arg)->engine);
    return 0;
}

static void
s_destroy (void **self_p)
{
    if (!self_p || !*self_p)
        return;
    deribit_plugin_t *self = (deribit_plugin_t *) *self_p;
    if (self->timer >= 0)
        self->host->timer_cancel (self->host->ctx, self->timer);
    hb_ws_destroy (&self->ws);
    deribit_venue_destroy (&self->engine);
    hb_secret_destroy (&self->key);
    hb_secret_destroy (&self->secret);
    free (self);
    *self_p = NULL;
}

//  Credentials are optional (market data needs none), but a venue that
//  names one must get both.
static int
s_load_secrets (deribit_plugin_t *self, const hb_venue_cfg_t *venue)
{
    bool wanted = hb_venue_param (venue, "api_key_file") || hb_venue_param (venue, "api_key_env")
               || hb_venue_param (venue, "api_secret_file") || hb_venue_param (venue, "api_secret_env")
               || hb_venue_param (venue, "api_key") || hb_venue_param (venue, "api_secret");
    if (!wanted)
        return 0;
    char err [256];
    self->key = hb_secret_load (venue, "api_key", err, sizeof err);
    if (self->key)
        self->secret = hb_secret_load (venue, "api_secret", err, sizeof err);
    if (!self->secret) {
        self->host->log (self->host->ctx, HB_LOG_ERROR, "deribit %s: %s", venue->name, err);
        return -1;
    }
    return 0;
}

static void *
s_create (const hb_host_api_t *host)
{
    if (!host || host->abi_version != HB_PLUGIN_ABI_VERSION || !host->venue
    ||  !S_HOST_HAS (host, publish) || !S_HOST_HAS (host, log) || !S_HOST_HAS (host, now_ns)
    ||  !S_HOST_HAS (host, timer_add) || !S_HOST_HAS (host, timer_cancel)
    ||  !S_HOST_HAS (host, fd_add) || !S_HOST_HAS (host, fd_remove)
    ||  !S_HOST_HAS (host, set_status))
        return NULL;
    deribit_plugin_t *self = (deribit_plugin_t *) calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->host = host;
    self->timer = -1;
    const hb_venue_cfg_t *venue = host->venue;
    if (s_load_secrets (self, venue)) {
        s_destroy ((void **) &self);
        return NULL;
    }
    char err [256];
    deribit_link_t link = { s_link_send, s_link_reconnect, self };
    self->engine = deribit_venue_new (host, &link, self->key, self->secret, err, sizeof err);
    if (!self->engine) {
        host->log (host->ctx, HB_LOG_ERROR, "deribit %s: %s", venue->name, err);
        s_destroy ((void **) &self);
        return NULL;
    }
    const char *url = hb_venue_param (venue, "url");
    const char *heartbeat = hb_venue_param (venue, "heartbeat_s");
    hb_tls_params_t tls;
    if (hb_tls_params (venue, &tls, err, sizeof err)) {
        host->log (host->ctx, HB_LOG_ERROR, "deribit %s: %s", venue->name, err);
        s_destroy ((void **) &self);
        return NULL;
    }
    const char *backoff_max = hb_venue_param (venue, "reconnect_max_ms");
    char name [HB_NAME_MAX + 16];
    snprintf (name, sizeof name, "deribit.%s", venue->name);
    hb_ws_cfg_t cfg = {
        .name = name,
        .url = url ? url : S_DEFAULT_URL,
        .ca_file = tls.ca_file,
        .insecure = tls.insecure,
        .max_msg = 4 << 20,             //  a full-depth snapshot of a busy book
        .backoff_max_ms = backoff_max ? strtoull (backoff_max, NULL, 10) : 0,
        //  three missed heartbeats and the stream is taken for dead
        .idle_s = 3 * (uint32_t) (heartbeat ? atoi (heartbeat) : 10),
        .on_msg = s_on_msg,
        .on_open = s_on_open,
        .on_close = s_on_close,
        .arg = self,
    };
    self->ws = hb_ws_new (host, &cfg);
    if (!self->ws) {
        s_destroy ((void **) &self);
        return NULL;
    }
    host->log (host->ctx, HB_LOG_INFO, "%d instruments, %s, %s", venue->n_instruments, cfg.url,
               self->key ? "orders enabled" : "market data only (no API key)");
    return self;
}

static int
s_start (void *arg)
{
    deribit_plugin_t *self = (deribit_plugin_t *) arg;
    //  in outage until the first connection has its books
    deribit_venue_on_close (self->engine, "not connected yet");
    self->timer = self->host->timer_add (self->host->ctx, S_POLL_MS, 0, s_on_timer, self);
    if (self->timer < 0 || hb_ws_start (self->ws))
        return -1;
    return 0;
}

static int
s_order (void *arg, const hb_order_t *order)
{
    return deribit_venue_order (((deribit_plugin_t *) arg)->engine, order);
}

static int
s_cancel (void *arg, const hb_cancel_t *cancel)
{
    return deribit_venue_cancel (((deribit_plugin_t *) arg)->engine, cancel);
}

//  fills of orders this host did not send us are marked external
const hb_venue_ops_t hb_venue_plugin = HB_VHOST_OPS ("deribit",
    "Deribit: BTC/ETH options, perpetuals and futures over JSON-RPC WebSocket",
    HB_VENUE_FEAT_FILL_FLAGS);
