/*  hb_ws: the reactor side of a WebSocket client: the public API, the
    events from the service thread turned into callbacks, backoff,
    reconnect and idle timers. The libwebsockets side, shared by every
    client of the process, is hb_ws_svc.c. See hb_ws.h.                   */
#include "hb_ws.h"
#include "hb_ws_svc.h"
#include "hb_log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

static int
s_on_retry (void *arg)
{
    hb_ws_t *self = (hb_ws_t *) arg;
    self->retry_timer = -1;
    if (self->started && !self->connected) {
        self->stats.attempts++;
        hb_ws_svc_request (self, HB_WS_REQ_CONNECT);
    }
    return 0;
}

static void
s_schedule_retry (hb_ws_t *self)
{
    if (!self->started || self->retry_timer >= 0)
        return;
    uint64_t delay = hb_backoff_next (&self->backoff);
    self->retry_timer = self->host->timer_add (self->host->ctx, delay ? delay : 1, 1,
                                               s_on_retry, self);
    if (self->retry_timer < 0)
        self->host->log (self->host->ctx, HB_LOG_ERROR, "%s: cannot arm the reconnect timer", self->name);
    else
        self->host->log (self->host->ctx, HB_LOG_INFO, "%s: reconnecting in %llu ms",
                         self->name, (unsigned long long) delay);
}

static void
s_dispatch (hb_ws_t *self, uint32_t kind, size_t len)
{
    if (kind == HB_WS_EV_MSG) {
        self->stats.msgs_in++;
        self->stats.bytes_in += len;
        self->last_msg_ns = self->host->now_ns (self->host->ctx);
        if (!self->got_msg) {
            self->got_msg = true;
            hb_backoff_reset (&self->backoff);
        }
        self->on_msg (self->arg, self->scratch, len);
    }
    else
    if (kind == HB_WS_EV_OPEN) {
        self->connected = true;
        self->got_msg = false;
        self->stats.connects++;
        if (len == sizeof self->open_gen)
            memcpy (&self->open_gen, self->scratch, sizeof self->open_gen);
        self->last_msg_ns = self->host->now_ns (self->host->ctx);
        char url [HB_WS_URL_MAX];
        hb_ws_svc_lock ();
        snprintf (url, sizeof url, "%s", self->url);
        hb_ws_svc_unlock ();
        self->host->log (self->host->ctx, HB_LOG_INFO, "%s: connected to %s", self->name, url);
        if (self->on_open)
            self->on_open (self->arg, url);
    }
    else {
        bool was = self->connected;
        self->connected = false;
        if (was)
            self->stats.disconnects++;
        self->host->log (self->host->ctx, was ? HB_LOG_WARN : HB_LOG_INFO, "%s: %s: %s",
                         self->name, was ? "disconnected" : "no connection", self->scratch);
        if (self->on_close)
            self->on_close (self->arg, self->scratch);
        s_schedule_retry (self);
    }
}

static int
s_on_event (void *arg, int fd, int revents)
{
    (void) revents;
    hb_ws_t *self = (hb_ws_t *) arg;
    uint64_t count;
    if (read (fd, &count, sizeof count) < 0 && errno != EAGAIN)
        return 0;
    for (;;) {
        uint32_t hdr [2];
        hb_ws_svc_lock ();
        if (self->rx.head == self->rx.tail) {
            self->signaled = false;
            bool blocked = self->blocked;
            self->blocked = false;
            hb_ws_svc_unlock ();
            if (blocked)
                hb_ws_svc_request (self, HB_WS_REQ_RESUME);
            break;
        }
        hb_ws_ring_read (&self->rx, hdr, sizeof hdr);
        hb_ws_ring_read (&self->rx, self->scratch, hdr [1]);
        hb_ws_svc_unlock ();
        self->scratch [hdr [1]] = 0;
        s_dispatch (self, hdr [0], hdr [1]);
    }
    return 0;
}

static int
s_on_idle (void *arg)
{
    hb_ws_t *self = (hb_ws_t *) arg;
    int64_t now = self->host->now_ns (self->host->ctx);
    if (self->connected && now - self->last_msg_ns > (int64_t) self->idle_s * 1000000000LL) {
        self->last_msg_ns = now;
        hb_ws_reconnect (self, "no message within idle_s");
    }
    return 0;
}

static int
s_on_app_ping (void *arg)
{
    hb_ws_t *self = (hb_ws_t *) arg;
    if (self->connected)
        hb_ws_send (self, self->app_ping, strlen (self->app_ping));
    return 0;
}

hb_ws_t *
hb_ws_new (const hb_host_api_t *host, const hb_ws_cfg_t *cfg)
{
    const char *name = cfg->name ? cfg->name : "ws";
    hb_ws_url_t url;
    if (cfg->app_ping && cfg->app_ping_s && (!*cfg->app_ping || strlen (cfg->app_ping) >= 64)) {
        host->log (host->ctx, HB_LOG_ERROR, "%s: app_ping must be 1..63 bytes", name);
        return NULL;
    }
    if (!cfg->url || strlen (cfg->url) >= HB_WS_URL_MAX || hb_ws_url_parse (cfg->url, &url) || !cfg->on_msg) {
        host->log (host->ctx, HB_LOG_ERROR, "%s: '%s' is not a ws:// or wss:// URL (or on_msg missing)",
                   name, cfg->url ? cfg->url : "(null)");
        return NULL;
    }
    hb_ws_t *self = (hb_ws_t *) calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->host = host;
    snprintf (self->name, sizeof self->name, "%s", name);
    snprintf (self->url, sizeof self->url, "%s", cfg->url);
    self->ca_file = cfg->ca_file ? strdup (cfg->ca_file) : NULL;
    self->insecure = cfg->insecure;
    self->max_msg = cfg->max_msg ? cfg->max_msg : 1024 * 1024;
    self->ping_s = cfg->ping_s ? cfg->ping_s : 20;
    self->idle_s = cfg->idle_s;
    self->on_msg = cfg->on_msg;
    self->on_open = cfg->on_open;
    self->on_close = cfg->on_close;
    self->arg = cfg->arg;
    self->retry_timer = -1;
    self->idle_timer = -1;
    self->app_ping_timer = -1;
    if (cfg->app_ping && cfg->app_ping_s) {
        snprintf (self->app_ping, sizeof self->app_ping, "%s", cfg->app_ping);
        self->app_ping_s = cfg->app_ping_s;
    }
    self->efd = -1;
    uint64_t seed = cfg->seed ? cfg->seed : (uint64_t) host->now_ns (host->ctx);
    hb_backoff_init (&self->backoff, cfg->backoff_base_ms ? cfg->backoff_base_ms : 500,
                     cfg->backoff_max_ms ? cfg->backoff_max_ms : 30000, seed);
    self->retry.secs_since_valid_ping = (uint16_t) self->ping_s;
    self->retry.secs_since_valid_hangup = (uint16_t) (self->ping_s + 10);

    size_t ring = cfg->ring_bytes ? cfg->ring_bytes : 4 * 1024 * 1024;
    if (ring < 2 * (self->max_msg + 8))
        ring = 2 * (self->max_msg + 8);
    self->rx.cap = ring;
    self->tx.cap = cfg->send_bytes ? cfg->send_bytes : 256 * 1024;
    self->txcap = LWS_PRE + self->tx.cap;
    self->rx.buf = (uint8_t *) malloc (self->rx.cap);
    self->tx.buf = (uint8_t *) malloc (self->tx.cap);
    self->txbuf = (uint8_t *) malloc (self->txcap);
    self->rxbuf = (char *) malloc (self->max_msg);
    self->scratch = (char *) malloc (self->max_msg + 1);
    self->efd = eventfd (0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (!self->rx.buf || !self->tx.buf || !self->txbuf || !self->rxbuf || !self->scratch
    ||  (cfg->ca_file && !self->ca_file) || self->efd < 0) {
        host->log (host->ctx, HB_LOG_ERROR, "%s: out of memory or file descriptors", self->name);
        hb_ws_destroy (&self);
        return NULL;
    }
    if (hb_ws_svc_acquire (host, self->name)) {
        hb_ws_destroy (&self);
        return NULL;
    }
    self->svc_ref = true;
    self->attached = true;          //  a failed attach still needs its detach
    if (hb_ws_svc_request_wait (self, HB_WS_REQ_ATTACH)) {
        host->log (host->ctx, HB_LOG_ERROR, "%s: cannot load the CA file '%s' (or more than %d CA files)",
                   self->name, self->ca_file ? self->ca_file : "(system)", HB_WS_VHOSTS);
        hb_ws_destroy (&self);
        return NULL;
    }
    if (host->fd_add (host->ctx, self->efd, HB_FD_READ, s_on_event, self)) {
        host->log (host->ctx, HB_LOG_ERROR, "%s: cannot watch the event fd", self->name);
        hb_ws_destroy (&self);
        return NULL;
    }
    self->efd_added = true;
    if (self->idle_s) {
        self->idle_timer = host->timer_add (host->ctx, 1000, 0, s_on_idle, self);
        if (self->idle_timer < 0) {
            hb_ws_destroy (&self);
            return NULL;
        }
    }
    if (self->app_ping_s) {
        self->app_ping_timer = host->timer_add (host->ctx, (uint64_t) self->app_ping_s * 1000, 0,
                                                s_on_app_ping, self);
        if (self->app_ping_timer < 0) {
            hb_ws_destroy (&self);
            return NULL;
        }
    }
    return self;
}

int
hb_ws_start (hb_ws_t *self)
{
    if (self->started)
        return -1;
    self->started = true;
    self->stats.attempts++;
    hb_ws_svc_lock ();
    self->want_up = true;
    hb_ws_svc_unlock ();
    hb_ws_svc_request (self, HB_WS_REQ_CONNECT);
    return 0;
}

void
hb_ws_stop (hb_ws_t *self)
{
    self->started = false;
    if (self->retry_timer >= 0) {
        self->host->timer_cancel (self->host->ctx, self->retry_timer);
        self->retry_timer = -1;
    }
    hb_ws_svc_lock ();
    self->want_up = false;
    hb_ws_svc_unlock ();
    hb_ws_svc_request (self, HB_WS_REQ_DROP);
}

void
hb_ws_reconnect (hb_ws_t *self, const char *why)
{
    if (!self->started)
        return;
    self->host->log (self->host->ctx, HB_LOG_WARN, "%s: reconnecting: %s", self->name, why ? why : "");
    if (self->connected)
        hb_ws_svc_request (self, HB_WS_REQ_DROP);   //  the close event schedules the retry
}

int
hb_ws_set_url (hb_ws_t *self, const char *url)
{
    hb_ws_url_t parsed;
    if (!url || strlen (url) >= HB_WS_URL_MAX || hb_ws_url_parse (url, &parsed))
        return -1;
    hb_ws_svc_lock ();
    snprintf (self->url, sizeof self->url, "%s", url);
    hb_ws_svc_unlock ();
    return 0;
}

int
hb_ws_send (hb_ws_t *self, const char *text, size_t len)
{
    if (!self->connected) {
        self->stats.send_refused++;
        return -1;
    }
    hb_ws_svc_lock ();
    //  Tagged with the connection the reactor saw open: should the service
    //  thread be on a newer one already, the record is dropped, not sent.
    uint32_t hdr [2] = { (uint32_t) self->open_gen, (uint32_t) len };
    bool fits = hb_ws_ring_free (&self->tx) >= sizeof hdr + len;
    if (fits) {
        hb_ws_ring_write (&self->tx, hdr, sizeof hdr);
        hb_ws_ring_write (&self->tx, text, len);
    }
    hb_ws_svc_unlock ();
    if (!fits) {
        self->stats.send_refused++;
        return -1;
    }
    hb_ws_svc_request (self, HB_WS_REQ_WRITE);
    return 0;
}

bool
hb_ws_connected (const hb_ws_t *self)
{
    return self->connected;
}

void
hb_ws_stats (const hb_ws_t *self, hb_ws_stats_t *stats)
{
    *stats = self->stats;
    hb_ws_svc_lock ();
    stats->msgs_out = self->t_msgs_out;
    stats->oversized = self->t_oversized;
    hb_ws_svc_unlock ();
}

void
hb_ws_destroy (hb_ws_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    hb_ws_t *self = *self_p;
    //  Closing the connection may call back: nothing goes to the reactor
    //  any more once the service thread has cut it loose.
    if (self->attached)
        hb_ws_svc_request_wait (self, HB_WS_REQ_DETACH);
    if (self->svc_ref)
        hb_ws_svc_release ();
    if (self->efd_added)
        self->host->fd_remove (self->host->ctx, self->efd);
    if (self->retry_timer >= 0)
        self->host->timer_cancel (self->host->ctx, self->retry_timer);
    if (self->idle_timer >= 0)
        self->host->timer_cancel (self->host->ctx, self->idle_timer);
    if (self->app_ping_timer >= 0)
        self->host->timer_cancel (self->host->ctx, self->app_ping_timer);
    if (self->efd >= 0)
        close (self->efd);
    free (self->rx.buf);
    free (self->tx.buf);
    free (self->txbuf);
    free (self->rxbuf);
    free (self->scratch);
    free (self->ca_file);
    free (self);
    *self_p = NULL;
}

