/*  hb_ws: a libwebsockets client on a private service thread, whose
    callbacks run on the host's reactor. See hb_ws.h for why a thread.

    Threads and what they own:
      reactor  hb_ws_* calls, the user callbacks, backoff, reconnect and
               idle timers, the reactor-side counters, the inbound scratch;
      service  every libwebsockets call but lws_cancel_service, the wsi,
               the reassembly buffer.
    They share, under one mutex: the two rings, the requests (connect,
    drop, stop: counters the service thread compares with what it has
    seen), the URL and the service-side counters. The service thread never
    calls the host.                                                        */
#include "hb_ws.h"
#include "hb_backoff.h"
#include "hb_log.h"

#include <errno.h>
#include <libwebsockets.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#define S_URL_MAX   1024

enum { S_EV_MSG = 1, S_EV_OPEN = 2, S_EV_CLOSE = 3 };

typedef struct {
    uint8_t *buf;
    size_t   cap;
    uint64_t head;                  //  bytes ever written
    uint64_t tail;                  //  bytes ever read
} s_ring_t;

typedef struct {
    char  scheme [8];
    char  host [256];
    int   port;
    char  path [S_URL_MAX];
    bool  tls;
} s_url_t;

struct hb_ws_s {
    const hb_host_api_t *host;
    char            name [64];
    char           *ca_file;
    bool            insecure;
    size_t          max_msg;
    uint32_t        ping_s;
    uint32_t        idle_s;
    hb_ws_msg_fn   *on_msg;
    hb_ws_open_fn  *on_open;
    hb_ws_close_fn *on_close;
    void           *arg;

    //  reactor side
    int             efd;            //  eventfd: service -> reactor
    bool            efd_added;
    bool            started;
    bool            connected;
    bool            got_msg;        //  since the last open
    int64_t         last_msg_ns;
    int             retry_timer;    //  -1: none
    int             idle_timer;
    hb_backoff_t    backoff;
    char           *scratch;        //  one inbound record, max_msg + 1
    hb_ws_stats_t   stats;          //  reactor-side members

    //  shared, under lock
    pthread_mutex_t lock;
    pthread_cond_t  space;          //  the inbound ring has room again
    s_ring_t        rx;
    s_ring_t        tx;
    bool            signaled;       //  efd written and not yet drained
    uint64_t        req_connect, req_drop;
    bool            stop;
    uint64_t        conn_gen;       //  connection the tx records are for
    char            url [S_URL_MAX];
    uint64_t        t_msgs_out, t_oversized, t_attempts;

    //  service side
    pthread_t       thread;
    bool            thread_up;
    struct lws_context *ctx;
    struct lws     *wsi;
    bool            attempt;        //  a connection attempt or connection is live
    uint64_t        seen_connect, seen_drop;
    char           *rxbuf;          //  reassembly, max_msg
    size_t          rxlen;
    bool            rx_skip;        //  dropping an oversized message
    uint8_t        *txbuf;          //  LWS_PRE + largest record
    size_t          txcap;
    s_url_t         target;
    lws_retry_bo_t  retry;
    char            close_why [96];
};

//  ---------------------------------------------------------------------------
//  Rings (caller holds the lock)

static size_t
s_ring_free (const s_ring_t *ring)
{
    return ring->cap - (size_t) (ring->head - ring->tail);
}

static void
s_ring_write (s_ring_t *ring, const void *data, size_t len)
{
    size_t at = (size_t) (ring->head % ring->cap);
    size_t first = len < ring->cap - at ? len : ring->cap - at;
    memcpy (ring->buf + at, data, first);
    memcpy (ring->buf, (const uint8_t *) data + first, len - first);
    ring->head += len;
}

static void
s_ring_read (s_ring_t *ring, void *data, size_t len)
{
    size_t at = (size_t) (ring->tail % ring->cap);
    size_t first = len < ring->cap - at ? len : ring->cap - at;
    memcpy (data, ring->buf + at, first);
    memcpy ((uint8_t *) data + first, ring->buf, len - first);
    ring->tail += len;
}

//  ---------------------------------------------------------------------------
//  URL

static int
s_url_parse (const char *text, s_url_t *url)
{
    memset (url, 0, sizeof *url);
    const char *rest;
    if (strncmp (text, "ws://", 5) == 0) {
        rest = text + 5;
        url->port = 80;
    }
    else
    if (strncmp (text, "wss://", 6) == 0) {
        rest = text + 6;
        url->port = 443;
        url->tls = true;
    }
    else
        return -1;
    size_t hostlen = strcspn (rest, ":/?");
    if (hostlen == 0 || hostlen >= sizeof url->host)
        return -1;
    memcpy (url->host, rest, hostlen);
    rest += hostlen;
    if (*rest == ':') {
        char *end;
        long port = strtol (rest + 1, &end, 10);
        if (end == rest + 1 || port < 1 || port > 65535)
            return -1;
        url->port = (int) port;
        rest = end;
    }
    if (*rest && *rest != '/' && *rest != '?')
        return -1;
    int n = snprintf (url->path, sizeof url->path, "%s%s", *rest == '/' ? "" : "/", rest);
    return n < 0 || (size_t) n >= sizeof url->path ? -1 : 0;
}

//  ---------------------------------------------------------------------------
//  Service thread

//  Appends an event for the reactor; waits for room (pushing back on the
//  socket) unless stopping. Returns -1 when stopping.
static int
s_push (hb_ws_t *self, uint32_t kind, const void *data, size_t len)
{
    uint32_t hdr [2] = { kind, (uint32_t) len };
    pthread_mutex_lock (&self->lock);
    while (!self->stop && s_ring_free (&self->rx) < sizeof hdr + len)
        pthread_cond_wait (&self->space, &self->lock);
    if (self->stop) {
        pthread_mutex_unlock (&self->lock);
        return -1;
    }
    s_ring_write (&self->rx, hdr, sizeof hdr);
    s_ring_write (&self->rx, data, len);
    bool wake = !self->signaled;
    self->signaled = true;
    pthread_mutex_unlock (&self->lock);
    if (wake) {
        uint64_t one = 1;
        if (write (self->efd, &one, sizeof one) < 0) {
            //  a full eventfd counter is still a readable one
        }
    }
    return 0;
}

//  The attempt or connection is over: tell the reactor once.
static void
s_finish (hb_ws_t *self, const char *reason)
{
    if (!self->attempt)
        return;
    self->attempt = false;
    self->wsi = NULL;
    s_push (self, S_EV_CLOSE, reason, strlen (reason));
}

static void
s_connect (hb_ws_t *self)
{
    char url [S_URL_MAX];
    pthread_mutex_lock (&self->lock);
    snprintf (url, sizeof url, "%s", self->url);
    self->t_attempts++;
    pthread_mutex_unlock (&self->lock);
    if (s_url_parse (url, &self->target)) {
        s_push (self, S_EV_CLOSE, "bad url", 7);
        return;
    }
    struct lws_client_connect_info info;
    memset (&info, 0, sizeof info);
    info.context = self->ctx;
    info.address = self->target.host;
    info.port = self->target.port;
    info.path = self->target.path;
    info.host = self->target.host;
    info.origin = self->target.host;
    info.local_protocol_name = "hb-ws";
    info.retry_and_idle_policy = &self->retry;
    if (self->target.tls) {
        info.ssl_connection = LCCSCF_USE_SSL;
        if (self->insecure)
            info.ssl_connection |= LCCSCF_ALLOW_SELFSIGNED | LCCSCF_SKIP_SERVER_CERT_HOSTNAME_CHECK
                                 | LCCSCF_ALLOW_EXPIRED | LCCSCF_ALLOW_INSECURE;
    }
    self->attempt = true;
    self->rxlen = 0;
    self->rx_skip = false;
    self->close_why [0] = 0;
    //  Inside the call self->wsi is NULL: a connection error reported
    //  there (s_callback) is taken as ours.
    self->wsi = NULL;
    struct lws *wsi = lws_client_connect_via_info (&info);
    if (!wsi)
        s_finish (self, "connect failed");
    else
    if (self->attempt)
        self->wsi = wsi;
}

//  Requests from the reactor, read when lws_service wakes up for us.
static void
s_on_wakeup (hb_ws_t *self)
{
    pthread_mutex_lock (&self->lock);
    bool connect = self->req_connect != self->seen_connect;
    bool drop = self->req_drop != self->seen_drop;
    bool pending = self->tx.head != self->tx.tail;
    self->seen_connect = self->req_connect;
    self->seen_drop = self->req_drop;
    if (connect && !self->attempt)
        self->conn_gen++;           //  records queued for an old connection die
    pthread_mutex_unlock (&self->lock);
    if (drop && self->wsi) {
        snprintf (self->close_why, sizeof self->close_why, "dropped on request");
        lws_set_timeout (self->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
    }
    else
    if (drop)
        s_finish (self, "dropped on request");
    if (connect && !self->attempt && !self->stop)
        s_connect (self);
    if (pending && self->wsi && !drop)
        lws_callback_on_writable (self->wsi);
}

static void
s_on_writable (hb_ws_t *self, struct lws *wsi)
{
    uint32_t hdr [2];
    pthread_mutex_lock (&self->lock);
    for (;;) {
        if (self->tx.head == self->tx.tail) {
            pthread_mutex_unlock (&self->lock);
            return;
        }
        s_ring_read (&self->tx, hdr, sizeof hdr);
        if (hdr [0] == (uint32_t) self->conn_gen)
            break;
        self->tx.tail += hdr [1];   //  for an older connection: skip
    }
    s_ring_read (&self->tx, self->txbuf + LWS_PRE, hdr [1]);
    bool more = self->tx.head != self->tx.tail;
    self->t_msgs_out++;
    pthread_mutex_unlock (&self->lock);
    if (lws_write (wsi, self->txbuf + LWS_PRE, hdr [1], LWS_WRITE_TEXT) < (int) hdr [1])
        lws_set_timeout (wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
    else
    if (more)
        lws_callback_on_writable (wsi);
}

static int
s_callback (struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len)
{
    (void) user;
    hb_ws_t *self = (hb_ws_t *) lws_context_user (lws_get_context (wsi));
    if (!self)
        return 0;
    bool ours = self->attempt && wsi == self->wsi;
    switch (reason) {
        case LWS_CALLBACK_EVENT_WAIT_CANCELLED:
            s_on_wakeup (self);
            break;
        case LWS_CALLBACK_CLIENT_ESTABLISHED:
            if (ours)
                s_push (self, S_EV_OPEN, "", 0);
            break;
        case LWS_CALLBACK_CLIENT_RECEIVE:
            if (!ours)
                break;
            if (self->rx_skip || self->rxlen + len > self->max_msg) {
                if (!self->rx_skip) {
                    pthread_mutex_lock (&self->lock);
                    self->t_oversized++;
                    pthread_mutex_unlock (&self->lock);
                }
                self->rx_skip = true;
                snprintf (self->close_why, sizeof self->close_why,
                          "message larger than %zu bytes", self->max_msg);
                return -1;          //  closes the connection
            }
            memcpy (self->rxbuf + self->rxlen, in, len);
            self->rxlen += len;
            if (lws_is_final_fragment (wsi) && lws_remaining_packet_payload (wsi) == 0) {
                s_push (self, S_EV_MSG, self->rxbuf, self->rxlen);
                self->rxlen = 0;
            }
            break;
        case LWS_CALLBACK_CLIENT_WRITEABLE:
            if (ours)
                s_on_writable (self, wsi);
            break;
        case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
            if (ours && len >= 2) {
                const uint8_t *p = (const uint8_t *) in;
                snprintf (self->close_why, sizeof self->close_why, "closed by the peer (%d)",
                          p [0] << 8 | p [1]);
            }
            break;
        case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
            if (self->attempt && (ours || !self->wsi)) {
                char why [160];
                snprintf (why, sizeof why, "connect failed: %.120s",
                          in && len ? (const char *) in : "no reason");
                s_finish (self, why);
            }
            break;
        case LWS_CALLBACK_CLIENT_CLOSED:
            if (ours)
                s_finish (self, self->close_why [0] ? self->close_why : "closed");
            break;
        case LWS_CALLBACK_WSI_DESTROY:
            if (ours)
                s_finish (self, self->close_why [0] ? self->close_why : "connection lost");
            break;
        default:
            break;
    }
    return 0;
}

static const struct lws_protocols s_protocols [] = {
    { "hb-ws", s_callback, 0, 65536, 0, NULL, 0 },
    { NULL, NULL, 0, 0, 0, NULL, 0 }
};

static void *
s_service (void *arg)
{
    hb_ws_t *self = (hb_ws_t *) arg;
    for (;;) {
        pthread_mutex_lock (&self->lock);
        bool stop = self->stop;
        pthread_mutex_unlock (&self->lock);
        if (stop)
            break;
        lws_service (self->ctx, 0);
    }
    return NULL;
}

//  ---------------------------------------------------------------------------
//  Reactor side

static void s_request_connect (hb_ws_t *self);

static int
s_on_retry (void *arg)
{
    hb_ws_t *self = (hb_ws_t *) arg;
    self->retry_timer = -1;
    if (self->started && !self->connected)
        s_request_connect (self);
    return 0;
}

static void
s_request_connect (hb_ws_t *self)
{
    pthread_mutex_lock (&self->lock);
    self->req_connect++;
    pthread_mutex_unlock (&self->lock);
    self->stats.attempts++;
    lws_cancel_service (self->ctx);
}

static void
s_request_drop (hb_ws_t *self)
{
    pthread_mutex_lock (&self->lock);
    self->req_drop++;
    pthread_mutex_unlock (&self->lock);
    lws_cancel_service (self->ctx);
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
    if (kind == S_EV_MSG) {
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
    if (kind == S_EV_OPEN) {
        self->connected = true;
        self->got_msg = false;
        self->stats.connects++;
        self->last_msg_ns = self->host->now_ns (self->host->ctx);
        char url [S_URL_MAX];
        pthread_mutex_lock (&self->lock);
        snprintf (url, sizeof url, "%s", self->url);
        pthread_mutex_unlock (&self->lock);
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
        pthread_mutex_lock (&self->lock);
        if (self->rx.head == self->rx.tail) {
            self->signaled = false;
            pthread_mutex_unlock (&self->lock);
            break;
        }
        s_ring_read (&self->rx, hdr, sizeof hdr);
        s_ring_read (&self->rx, self->scratch, hdr [1]);
        pthread_cond_signal (&self->space);
        pthread_mutex_unlock (&self->lock);
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

hb_ws_t *
hb_ws_new (const hb_host_api_t *host, const hb_ws_cfg_t *cfg)
{
    const char *name = cfg->name ? cfg->name : "ws";
    s_url_t url;
    if (!cfg->url || strlen (cfg->url) >= S_URL_MAX || s_url_parse (cfg->url, &url) || !cfg->on_msg) {
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
    self->efd = -1;
    uint64_t seed = cfg->seed ? cfg->seed : (uint64_t) host->now_ns (host->ctx);
    hb_backoff_init (&self->backoff, cfg->backoff_base_ms ? cfg->backoff_base_ms : 500,
                     cfg->backoff_max_ms ? cfg->backoff_max_ms : 30000, seed);
    self->retry.secs_since_valid_ping = (uint16_t) self->ping_s;
    self->retry.secs_since_valid_hangup = (uint16_t) (self->ping_s + 10);
    pthread_mutex_init (&self->lock, NULL);
    pthread_cond_init (&self->space, NULL);

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
    ||  self->efd < 0) {
        host->log (host->ctx, HB_LOG_ERROR, "%s: out of memory or file descriptors", self->name);
        hb_ws_destroy (&self);
        return NULL;
    }

    //  libwebsockets logs to stderr from its own thread, which the host's
    //  log cannot take: errors only, and the reasons reach the host's log
    //  through on_close anyway.
    lws_set_log_level (getenv ("HB_LWS_DEBUG") ? LLL_ERR | LLL_WARN | LLL_NOTICE : 0, NULL);
    struct lws_context_creation_info info;
    memset (&info, 0, sizeof info);
    info.port = CONTEXT_PORT_NO_LISTEN;
    info.protocols = s_protocols;
    info.options = LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
    info.fd_limit_per_thread = 16;
    info.user = self;
    info.client_ssl_ca_filepath = self->ca_file;
    info.timeout_secs = 10;
    info.connect_timeout_secs = 10;
    self->ctx = lws_create_context (&info);
    if (!self->ctx) {
        host->log (host->ctx, HB_LOG_ERROR, "%s: cannot create the libwebsockets context", self->name);
        hb_ws_destroy (&self);
        return NULL;
    }
    if (host->fd_add (host->ctx, self->efd, HB_FD_READ, s_on_event, self)) {
        host->log (host->ctx, HB_LOG_ERROR, "%s: cannot watch the event fd", self->name);
        hb_ws_destroy (&self);
        return NULL;
    }
    self->efd_added = true;
    if (pthread_create (&self->thread, NULL, s_service, self)) {
        host->log (host->ctx, HB_LOG_ERROR, "%s: cannot start the service thread", self->name);
        hb_ws_destroy (&self);
        return NULL;
    }
    self->thread_up = true;
    if (self->idle_s) {
        self->idle_timer = host->timer_add (host->ctx, 1000, 0, s_on_idle, self);
        if (self->idle_timer < 0) {
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
    s_request_connect (self);
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
    s_request_drop (self);
}

void
hb_ws_reconnect (hb_ws_t *self, const char *why)
{
    if (!self->started)
        return;
    self->host->log (self->host->ctx, HB_LOG_WARN, "%s: reconnecting: %s", self->name, why ? why : "");
    if (self->connected)
        s_request_drop (self);      //  the close event schedules the retry
}

int
hb_ws_set_url (hb_ws_t *self, const char *url)
{
    s_url_t parsed;
    if (!url || strlen (url) >= S_URL_MAX || s_url_parse (url, &parsed))
        return -1;
    pthread_mutex_lock (&self->lock);
    snprintf (self->url, sizeof self->url, "%s", url);
    pthread_mutex_unlock (&self->lock);
    return 0;
}

int
hb_ws_send (hb_ws_t *self, const char *text, size_t len)
{
    if (!self->connected) {
        self->stats.send_refused++;
        return -1;
    }
    pthread_mutex_lock (&self->lock);
    uint32_t hdr [2] = { (uint32_t) self->conn_gen, (uint32_t) len };
    bool fits = s_ring_free (&self->tx) >= sizeof hdr + len;
    if (fits) {
        s_ring_write (&self->tx, hdr, sizeof hdr);
        s_ring_write (&self->tx, text, len);
    }
    pthread_mutex_unlock (&self->lock);
    if (!fits) {
        self->stats.send_refused++;
        return -1;
    }
    lws_cancel_service (self->ctx);
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
    pthread_mutex_lock ((pthread_mutex_t *) &self->lock);
    stats->msgs_out = self->t_msgs_out;
    stats->oversized = self->t_oversized;
    pthread_mutex_unlock ((pthread_mutex_t *) &self->lock);
}

void
hb_ws_destroy (hb_ws_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    hb_ws_t *self = *self_p;
    if (self->thread_up) {
        pthread_mutex_lock (&self->lock);
        self->stop = true;
        pthread_cond_broadcast (&self->space);
        pthread_mutex_unlock (&self->lock);
        lws_cancel_service (self->ctx);
        pthread_join (self->thread, NULL);
    }
    //  The service thread is gone: libwebsockets is ours now. Closing the
    //  connection may call back: nothing goes to the reactor any more.
    if (self->ctx)
        lws_context_destroy (self->ctx);
    if (self->efd_added)
        self->host->fd_remove (self->host->ctx, self->efd);
    if (self->retry_timer >= 0)
        self->host->timer_cancel (self->host->ctx, self->retry_timer);
    if (self->idle_timer >= 0)
        self->host->timer_cancel (self->host->ctx, self->idle_timer);
    if (self->efd >= 0)
        close (self->efd);
    pthread_mutex_destroy (&self->lock);
    pthread_cond_destroy (&self->space);
    free (self->rx.buf);
    free (self->tx.buf);
    free (self->txbuf);
    free (self->rxbuf);
    free (self->scratch);
    free (self->ca_file);
    free (self);
    *self_p = NULL;
}
