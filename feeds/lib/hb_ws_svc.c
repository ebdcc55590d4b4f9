/*  hb_ws_svc: one libwebsockets context and one service thread for every
    hb_ws client of the process. See hb_ws_svc.h and hb_ws.h.

    Threads and what they own:
      reactor  hb_ws_* calls, the user callbacks, backoff, reconnect and
               idle timers, the reactor-side counters, the inbound scratch;
      service  every libwebsockets call but lws_cancel_service: the wsi of
               each client, its reassembly buffer, the events waiting for
               room in its ring (pend), the vhosts.
    They share, under s_svc.lock: the clients' rings, the request queue
    (clients with request bits set, coalesced: a client is queued once),
    the URLs and the service-side counters. The service thread never calls
    the host and never waits for the reactor; the reactor waits for the
    service thread only in hb_ws_new (loading ca_file) and hb_ws_destroy
    (letting go of the wsi), so neither can deadlock the other.

    A wsi finds its client through its opaque user data; a wsi that is
    dropped is first cut loose (opaque NULL), so its late callbacks are
    ignored and the client may connect again at once.                     */
#include "hb_ws_svc.h"
#include "hb_log.h"

#include <openssl/x509.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

typedef struct {
    char              *ca_file;     //  NULL: the system's store
    struct lws_vhost  *vhost;
} s_vhost_t;

//  The process-wide service
static struct {
    pthread_mutex_t     reg;        //  refs, creating and ending the service
    size_t              refs;
    pthread_mutex_t     lock;       //  everything shared with the thread
    pthread_cond_t      acked;      //  an attach or detach was done
    struct lws_context *ctx;
    pthread_t           thread;
    bool                stopping;
    hb_ws_t            *head, *tail;    //  request queue
    hb_ws_t            *connecting;     //  inside lws_client_connect_via_info
    s_vhost_t           vhosts [HB_WS_VHOSTS];
    size_t              n_vhosts;
} s_svc = {
    .reg = PTHREAD_MUTEX_INITIALIZER,
    .lock = PTHREAD_MUTEX_INITIALIZER,
    .acked = PTHREAD_COND_INITIALIZER
};

//  ---------------------------------------------------------------------------
//  URL

int
hb_ws_url_parse (const char *text, hb_ws_url_t *url)
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
//  Service thread: events to the reactor

//  Writes one record; caller holds the lock and has checked the room.
static bool
s_put (hb_ws_t *self, uint32_t kind, const void *data, size_t len)
{
    uint32_t hdr [2] = { kind, (uint32_t) len };
    hb_ws_ring_write (&self->rx, hdr, sizeof hdr);
    hb_ws_ring_write (&self->rx, data, len);
    bool wake = !self->signaled;
    self->signaled = true;
    return wake;
}

static void
s_wake (hb_ws_t *self)
{
    uint64_t one = 1;
    if (write (self->efd, &one, sizeof one) < 0) {
        //  a full eventfd counter is still a readable one
    }
}

//  Hands an event to the reactor, or, when the ring has no room (or
//  events already wait), keeps it in pend in order and stops reading the
//  connection until the reactor has made room (HB_WS_REQ_RESUME).
static void
s_emit (hb_ws_t *self, uint32_t kind, const void *data, size_t len)
{
    pthread_mutex_lock (&s_svc.lock);
    if (self->n_pend == 0 && hb_ws_ring_free (&self->rx) >= 2 * sizeof (uint32_t) + len) {
        bool wake = s_put (self, kind, data, len);
        pthread_mutex_unlock (&s_svc.lock);
        if (wake)
            s_wake (self);
        return;
    }
    self->blocked = true;
    pthread_mutex_unlock (&s_svc.lock);
    //  Cannot overflow: while anything waits, rx is paused and connects
    //  are deferred, so at most one connection's open, message and close.
    if (self->n_pend == HB_WS_PEND)
        return;
    hb_ws_pend_t *pend = &self->pend [self->n_pend++];
    pend->kind = kind;
    pend->len = len;
    pend->why [0] = 0;
    if (kind == HB_WS_EV_CLOSE)
        snprintf (pend->why, sizeof pend->why, "%.*s", (int) len, (const char *) data);
    if (kind == HB_WS_EV_MSG && self->wsi && !self->flow_off) {
        lws_rx_flow_control (self->wsi, 0);
        self->flow_off = true;
    }
}

static void s_connect (hb_ws_t *self);

//  Moves what waits in pend to the ring while it fits; once all is out,
//  reads the connection again and makes a deferred connect.
static void
s_flush (hb_ws_t *self)
{
    size_t done = 0;
    bool wake = false;
    pthread_mutex_lock (&s_svc.lock);
    while (done < self->n_pend) {
        hb_ws_pend_t *pend = &self->pend [done];
        const void *data = pend->why;
        size_t len = strlen (pend->why);
        if (pend->kind == HB_WS_EV_MSG) {
            data = self->rxbuf;
            len = pend->len;
        }
        else
        if (pend->kind == HB_WS_EV_OPEN) {
            data = &self->conn_gen;     //  connects wait for pend: still this one
            len = sizeof self->conn_gen;
        }
        if (hb_ws_ring_free (&self->rx) < 2 * sizeof (uint32_t) + len)
            break;
        wake |= s_put (self, pend->kind, data, len);
        done++;
    }
    if (done < self->n_pend)
        self->blocked = true;
    pthread_mutex_unlock (&s_svc.lock);
    if (wake)
        s_wake (self);
    memmove (self->pend, self->pend + done, (self->n_pend - done) * sizeof (hb_ws_pend_t));
    self->n_pend -= done;
    if (self->n_pend)
        return;
    if (self->flow_off && self->wsi)
        lws_rx_flow_control (self->wsi, 1);
    self->flow_off = false;
    if (self->defer_connect) {
        self->defer_connect = false;
        s_connect (self);
    }
}

//  The attempt or connection is over: tell the reactor once.
static void
s_finish (hb_ws_t *self, const char *reason)
{
    if (!self->attempt)
        return;
    self->attempt = false;
    self->established = false;
    self->flow_off = false;
    self->wsi = NULL;
    s_emit (self, HB_WS_EV_CLOSE, reason, strlen (reason));
}

//  Cuts the current wsi loose: its later callbacks find no client.
static void
s_let_go (hb_ws_t *self, int how)
{
    struct lws *wsi = self->wsi;
    self->wsi = NULL;
    if (wsi) {
        lws_set_opaque_user_data (wsi, NULL);
        lws_set_timeout (wsi, PENDING_TIMEOUT_USER_OK, how);
    }
}

//  ---------------------------------------------------------------------------
//  Service thread: requests

static void
s_connect (hb_ws_t *self)
{
    char url [HB_WS_URL_MAX];
    pthread_mutex_lock (&s_svc.lock);
    snprintf (url, sizeof url, "%s", self->url);
    self->conn_gen++;               //  records queued for an old connection die
    pthread_mutex_unlock (&s_svc.lock);
    self->attempt = true;
    self->established = false;
    self->rxlen = 0;
    self->rx_skip = false;
    self->close_why [0] = 0;
    if (hb_ws_url_parse (url, &self->target)) {
        s_finish (self, "bad url");
        return;
    }
    struct lws_client_connect_info info;
    memset (&info, 0, sizeof info);
    info.context = s_svc.ctx;
    info.vhost = self->vhost;
    info.address = self->target.host;
    info.port = self->target.port;
    info.path = self->target.path;
    info.host = self->target.host;
    info.origin = self->target.host;
    info.local_protocol_name = "hb-ws";
    info.retry_and_idle_policy = &self->retry;
    info.opaque_user_data = self;
    if (self->target.tls) {
        info.ssl_connection = LCCSCF_USE_SSL;
        if (self->insecure)
            info.ssl_connection |= LCCSCF_ALLOW_SELFSIGNED | LCCSCF_SKIP_SERVER_CERT_HOSTNAME_CHECK
                                 | LCCSCF_ALLOW_EXPIRED | LCCSCF_ALLOW_INSECURE;
    }
    //  Inside the call self->wsi is NULL: an error reported there on a
    //  wsi without its user data yet is taken as ours.
    self->wsi = NULL;
    s_svc.connecting = self;
    struct lws *wsi = lws_client_connect_via_info (&info);
    s_svc.connecting = NULL;
    if (!wsi)
        s_finish (self, "connect failed");
    else
    if (self->attempt)
        self->wsi = wsi;
}

static const struct lws_protocols s_protocols [];

//  The vhost for ca_file, made on first use: one OpenSSL client context
//  per CA bundle. NULL when the bundle cannot be loaded or all are taken.
static struct lws_vhost *
s_vhost (const char *ca_file)
{
    for (size_t i = 0; i < s_svc.n_vhosts; i++) {
        const char *have = s_svc.vhosts [i].ca_file;
        if ((!have && !ca_file) || (have && ca_file && strcmp (have, ca_file) == 0))
            return s_svc.vhosts [i].vhost;
    }
    if (s_svc.n_vhosts == HB_WS_VHOSTS)
        return NULL;
    //  libwebsockets only logs a bundle it cannot load, then trusts nothing
    if (ca_file) {
        X509_STORE *store = X509_STORE_new ();
        int ok = store && X509_STORE_load_file (store, ca_file) == 1;
        X509_STORE_free (store);
        if (!ok)
            return NULL;
    }
    char name [32];
    snprintf (name, sizeof name, "hb-ws-%zu", s_svc.n_vhosts);
    struct lws_context_creation_info info;
    memset (&info, 0, sizeof info);
    info.port = CONTEXT_PORT_NO_LISTEN;
    info.protocols = s_protocols;
    info.options = LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
    info.vhost_name = name;
    info.client_ssl_ca_filepath = ca_file;
    char *copy = ca_file ? strdup (ca_file) : NULL;
    struct lws_vhost *vhost = (!ca_file || copy) ? lws_create_vhost (s_svc.ctx, &info) : NULL;
    if (!vhost) {
        free (copy);
        return NULL;
    }
    s_svc.vhosts [s_svc.n_vhosts++] = (s_vhost_t) { copy, vhost };
    return vhost;
}

static void
s_ack (hb_ws_t *self, int rc)
{
    pthread_mutex_lock (&s_svc.lock);
    self->attach_rc = rc;
    self->acks++;
    pthread_cond_broadcast (&s_svc.acked);
    pthread_mutex_unlock (&s_svc.lock);
}

//  Serves one client's requests, in an order that makes start/stop pairs
//  from one reactor pass come out right (want_up is the last word).
static void
s_serve (hb_ws_t *self, uint32_t req, bool want_up, bool pending_tx)
{
    if (req & HB_WS_REQ_DETACH) {
        //  Closed now, so that no wsi refers to self once acked
        s_let_go (self, LWS_TO_KILL_SYNC);
        s_ack (self, 0);
        return;                     //  self may be gone
    }
    if (req & HB_WS_REQ_ATTACH) {
        self->vhost = s_vhost (self->ca_file);
        s_ack (self, self->vhost ? 0 : -1);
    }
    if (req & HB_WS_REQ_RESUME)
        s_flush (self);
    if ((req & HB_WS_REQ_DROP) && self->attempt) {
        s_let_go (self, LWS_TO_KILL_ASYNC);
        s_finish (self, "dropped on request");
    }
    if (!want_up)
        self->defer_connect = false;
    if ((req & HB_WS_REQ_CONNECT) && want_up && !self->attempt) {
        if (self->n_pend)
            self->defer_connect = true;
        else
            s_connect (self);
    }
    if (pending_tx && self->wsi && self->established)
        lws_callback_on_writable (self->wsi);
}

//  Requests from the reactor, read when lws_service wakes up for us
//  (once per vhost: the queue is simply empty the second time).
static void
s_on_wakeup (void)
{
    for (;;) {
        pthread_mutex_lock (&s_svc.lock);
        hb_ws_t *self = s_svc.head;
        if (!self) {
            pthread_mutex_unlock (&s_svc.lock);
            break;
        }
        s_svc.head = self->next;
        if (!s_svc.head)
            s_svc.tail = NULL;
        self->next = NULL;
        self->queued = false;
        uint32_t req = self->req;
        self->req = 0;
        bool want_up = self->want_up;
        bool pending_tx = self->tx.head != self->tx.tail;
        pthread_mutex_unlock (&s_svc.lock);
        s_serve (self, req, want_up, pending_tx);
    }
}

static void
s_on_writable (hb_ws_t *self, struct lws *wsi)
{
    uint32_t hdr [2];
    pthread_mutex_lock (&s_svc.lock);
    for (;;) {
        if (self->tx.head == self->tx.tail) {
            pthread_mutex_unlock (&s_svc.lock);
            return;
        }
        hb_ws_ring_read (&self->tx, hdr, sizeof hdr);
        if (hdr [0] == (uint32_t) self->conn_gen)
            break;
        self->tx.tail += hdr [1];   //  for an older connection: skip
    }
    hb_ws_ring_read (&self->tx, self->txbuf + LWS_PRE, hdr [1]);
    bool more = self->tx.head != self->tx.tail;
    self->t_msgs_out++;
    pthread_mutex_unlock (&s_svc.lock);
    if (lws_write (wsi, self->txbuf + LWS_PRE, hdr [1], LWS_WRITE_TEXT) < (int) hdr [1])
        lws_set_timeout (wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
    else
    if (more)
        lws_callback_on_writable (wsi);
}

//  A fragment of a message; -1 closes the connection.
static int
s_on_receive (hb_ws_t *self, struct lws *wsi, const void *in, size_t len)
{
    if (self->n_pend && self->flow_off) {
        //  libwebsockets buffers what it read once rx is paused; should
        //  it deliver anyway, failing loudly beats losing a message.
        snprintf (self->close_why, sizeof self->close_why, "received while paused");
        return -1;
    }
    if (self->rx_skip || self->rxlen + len > self->max_msg) {
        if (!self->rx_skip) {
            pthread_mutex_lock (&s_svc.lock);
            self->t_oversized++;
            pthread_mutex_unlock (&s_svc.lock);
        }
        self->rx_skip = true;
        snprintf (self->close_why, sizeof self->close_why,
                  "message larger than %zu bytes", self->max_msg);
        return -1;
    }
    memcpy (self->rxbuf + self->rxlen, in, len);
    self->rxlen += len;
    if (lws_is_final_fragment (wsi) && lws_remaining_packet_payload (wsi) == 0) {
        s_emit (self, HB_WS_EV_MSG, self->rxbuf, self->rxlen);
        self->rxlen = 0;
    }
    return 0;
}

static int
s_callback (struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len)
{
    (void) user;
    if (reason == LWS_CALLBACK_EVENT_WAIT_CANCELLED) {
        s_on_wakeup ();
        return 0;
    }
    hb_ws_t *self = (hb_ws_t *) lws_get_opaque_user_data (wsi);
    if (!self && s_svc.connecting && !s_svc.connecting->wsi)
        self = s_svc.connecting;
    if (!self || !self->attempt || (self->wsi && wsi != self->wsi))
        return 0;                   //  not a wsi of ours (any more)
    switch (reason) {
        case LWS_CALLBACK_CLIENT_ESTABLISHED:
            self->established = true;
            s_emit (self, HB_WS_EV_OPEN, &self->conn_gen, sizeof self->conn_gen);
            break;
        case LWS_CALLBACK_CLIENT_RECEIVE:
            return s_on_receive (self, wsi, in, len);
        case LWS_CALLBACK_CLIENT_WRITEABLE:
            s_on_writable (self, wsi);
            break;
        case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
            if (len >= 2) {
                const uint8_t *p = (const uint8_t *) in;
                snprintf (self->close_why, sizeof self->close_why, "closed by the peer (%d)",
                          p [0] << 8 | p [1]);
            }
            break;
        case LWS_CALLBACK_CLIENT_CONNECTION_ERROR: {
            char why [HB_WS_WHY_MAX];
            snprintf (why, sizeof why, "connect failed: %.120s",
                      in && len ? (const char *) in : "no reason");
            s_finish (self, why);
            break;
        }
        case LWS_CALLBACK_CLIENT_CLOSED:
            s_finish (self, self->close_why [0] ? self->close_why : "closed");
            break;
        case LWS_CALLBACK_WSI_DESTROY:
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
    (void) arg;
    for (;;) {
        pthread_mutex_lock (&s_svc.lock);
        bool stop = s_svc.stopping;
        pthread_mutex_unlock (&s_svc.lock);
        if (stop)
            break;
        lws_service (s_svc.ctx, 0);
    }
    return NULL;
}

//  ---------------------------------------------------------------------------
//  The shared service, created with the first client (s_svc.reg held)

static int
s_start (const hb_host_api_t *host, const char *name)
{
    //  libwebsockets logs to stderr from its own thread, which the host's
    //  log cannot take: off, and the reasons reach the host's log through
    //  on_close anyway.
    lws_set_log_level (getenv ("HB_LWS_DEBUG") ? LLL_ERR | LLL_WARN | LLL_NOTICE : 0, NULL);
    struct lws_context_creation_info info;
    memset (&info, 0, sizeof info);
    info.port = CONTEXT_PORT_NO_LISTEN;
    info.protocols = s_protocols;
    info.options = LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
    info.vhost_name = "hb-ws-0";    //  the default vhost: the system's CA store
    info.fd_limit_per_thread = 64;
    info.timeout_secs = 10;
    info.connect_timeout_secs = 10;
    s_svc.ctx = lws_create_context (&info);
    struct lws_vhost *vhost = s_svc.ctx ? lws_get_vhost_by_name (s_svc.ctx, "hb-ws-0") : NULL;
    if (!vhost) {
        host->log (host->ctx, HB_LOG_ERROR, "%s: cannot create the libwebsockets context", name);
        if (s_svc.ctx)
            lws_context_destroy (s_svc.ctx);
        s_svc.ctx = NULL;
        return -1;
    }
    s_svc.vhosts [0] = (s_vhost_t) { NULL, vhost };
    s_svc.n_vhosts = 1;
    s_svc.stopping = false;
    if (pthread_create (&s_svc.thread, NULL, s_service, NULL)) {
        host->log (host->ctx, HB_LOG_ERROR, "%s: cannot start the service thread", name);
        lws_context_destroy (s_svc.ctx);
        s_svc.ctx = NULL;
        return -1;
    }
    return 0;
}

//  With the last client (s_svc.reg held): every wsi is gone already.
static void
s_end (void)
{
    pthread_mutex_lock (&s_svc.lock);
    s_svc.stopping = true;
    pthread_mutex_unlock (&s_svc.lock);
    lws_cancel_service (s_svc.ctx);
    pthread_join (s_svc.thread, NULL);
    lws_context_destroy (s_svc.ctx);
    s_svc.ctx = NULL;
    for (size_t i = 0; i < s_svc.n_vhosts; i++)
        free (s_svc.vhosts [i].ca_file);
    s_svc.n_vhosts = 0;
}

//  ---------------------------------------------------------------------------
//  Called on the reactor

void
hb_ws_svc_request (hb_ws_t *self, uint32_t bits)
{
    pthread_mutex_lock (&s_svc.lock);
    self->req |= bits;
    if (!self->queued) {
        self->queued = true;
        if (s_svc.tail)
            s_svc.tail->next = self;
        else
            s_svc.head = self;
        s_svc.tail = self;
    }
    pthread_mutex_unlock (&s_svc.lock);
    lws_cancel_service (s_svc.ctx);
}

//  Queues bits and waits until the service thread has acked them.
int
hb_ws_svc_request_wait (hb_ws_t *self, uint32_t bits)
{
    pthread_mutex_lock (&s_svc.lock);
    uint64_t want = self->acks + 1;
    pthread_mutex_unlock (&s_svc.lock);
    hb_ws_svc_request (self, bits);
    pthread_mutex_lock (&s_svc.lock);
    while (self->acks < want)
        pthread_cond_wait (&s_svc.acked, &s_svc.lock);
    int rc = self->attach_rc;
    pthread_mutex_unlock (&s_svc.lock);
    return rc;
}

int
hb_ws_svc_acquire (const hb_host_api_t *host, const char *name)
{
    pthread_mutex_lock (&s_svc.reg);
    int rc = s_svc.refs ? 0 : s_start (host, name);
    if (rc == 0)
        s_svc.refs++;
    pthread_mutex_unlock (&s_svc.reg);
    return rc;
}

void
hb_ws_svc_release (void)
{
    pthread_mutex_lock (&s_svc.reg);
    if (s_svc.refs && --s_svc.refs == 0)
        s_end ();
    pthread_mutex_unlock (&s_svc.reg);
}

void
hb_ws_svc_lock (void)
{
    pthread_mutex_lock (&s_svc.lock);
}

void
hb_ws_svc_unlock (void)
{
    pthread_mutex_unlock (&s_svc.lock);
}
