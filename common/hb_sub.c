/*  hb_sub: see hb_sub.h.

    Both frames are received into zmq_msg_t kept in the object, so a message
    costs no allocation of ours; the payload frame stays alive until the next
    call, which is what hb_sub_last_payload hands out.                       */
#include "hb_sub.h"
#include "hb_curve.h"
#include "hb_hist.h"
#include "hb_log.h"
#include "hb_metrics.h"
#include "hb_time.h"

#include <errno.h>
#include <string.h>

#define HB_SUB_RCVHWM_DEFAULT   10000

#define S_MAX_PREFIXES  64
//  Messages read in a row from one source before the others get a turn
//  (hb_sub_recv). A source found empty costs ZeroMQ a command check (a
//  getpid and a poll(2) on its mailbox): trying every source before each
//  message cost more syscalls than the message itself under load.
#define S_BURST         16

//  One connection socket: [0] the shared one of hb_sub_connect (tools: no
//  role), then one per hb_sub_connect_role, so that what arrives on it
//  can be held to its publisher's role.
typedef struct {
    zsock_t       *sock;
    void          *handle;          //  zsock_resolve (sock)
    bool           has_role;
    hb_sub_role_t  role;
    char           endpoint [HB_ENDPOINT_MAX];
} s_source_t;

struct _hb_sub_t {
    zsock_t       *sock;            //  == sources [0].sock
    s_source_t     sources [1 + HB_SUB_MAX_SOURCES];
    int            n_sources;
    int            next;            //  round robin: the source tried first
    int            current;         //  the source of the message being read
    int            burst;           //  messages read in a row from next
    bool           shared_used;     //  hb_sub_connect was called: sources [0] can receive
    bool           shared_attached; //  ... and is a reader of loop
    int            rcvhwm;
    char           prefixes [S_MAX_PREFIXES][HB_TOPIC_MAX];
    int            n_prefixes;
    zloop_t       *loop;            //  hb_sub_attach: later sources join it
    zloop_reader_fn *handler;
    void          *handler_arg;
    hb_seq_t      *seq;
    zmq_msg_t      topic;
    zmq_msg_t      payload;
    bool           payload_valid;   //  payload holds the last good message
    uint64_t       last_missed;
    hb_sub_stats_t stats;
    hb_complain_t  decode_complaint;
    hb_complain_t  future_complaint;
    hb_complain_t  role_complaint;
    hb_hist_t     *latency;         //  ts_pub -> receive, since hb_sub_latency
    //  process metrics (hb_metrics_process), registered once in hb_sub_new
    hb_metric_t   *received [HB_METRICS_TOPICS];
    hb_metric_t   *gaps [HB_METRICS_TOPICS];
    hb_metric_t   *missed [HB_METRICS_TOPICS];
    hb_metric_t   *decode_errors;
    hb_metric_t   *restarts;
    hb_metric_t   *stale;
    hb_metric_t   *unauthorized;    //  refused by the role of their connection
    hb_metric_t   *ahead;           //  stamped over HB_SUB_MAX_AHEAD_NS ahead
    hb_metric_t   *delivery;        //  ts_pub -> receive, seconds
};

static void
s_register_metrics (hb_sub_t *self)
{
    hb_metrics_t *metrics = hb_metrics_process ();
    if (!metrics)
        return;
    for (int i = 0; i < HB_METRICS_TOPICS; i++) {
        const char *family = hb_metrics_topic_name (i);
        self->received [i] = hb_metrics_counter (metrics, "hb_bus_messages_received_total",
                                                 "Well-formed messages received from the bus, by topic family",
                                                 "family", family);
        self->gaps [i] = hb_metrics_counter (metrics, "hb_bus_sequence_gaps_total",
                                             "Sequence gaps seen (one or more messages lost each)",
                                             "family", family);
        self->missed [i] = hb_metrics_counter (metrics, "hb_bus_messages_missed_total",
                                               "Messages lost in sequence gaps", "family", family);
    }
    self->decode_errors = hb_metrics_counter (metrics, "hb_bus_decode_errors_total",
                                              "Malformed messages dropped by subscribers", NULL, NULL);
    self->restarts = hb_metrics_counter (metrics, "hb_bus_publisher_restarts_total",
                                         "Publisher restarts seen (a newer epoch)", NULL, NULL);
    self->stale = hb_metrics_counter (metrics, "hb_bus_stale_messages_total",
                                      "Duplicate or old messages dropped", NULL, NULL);
    //  a refusal an operator must be able to see without reading logs: a
    //  forged message, or a clock step on a publisher's host
    const char *refused = "Messages refused: not allowed by the role of the connection they "
                          "came on (unauthorized), or stamped too far ahead (ahead)";
    self->unauthorized = hb_metrics_counter (metrics, "hb_bus_refused_messages_total", refused,
                                             "reason", "unauthorized");
    self->ahead = hb_metrics_counter (metrics, "hb_bus_refused_messages_total", refused,
                                      "reason", "ahead");
    self->delivery = hb_metrics_histogram (metrics, "hb_bus_delivery_seconds",
                                           "Receive time minus the publisher's ts_pub (wall clocks)",
                                           NULL, NULL, NULL, 0);
}

hb_sub_t *
hb_sub_new (int rcvhwm)
{
    hb_sub_t *self = (hb_sub_t *) zmalloc (sizeof (hb_sub_t));
    if (!self)
        return NULL;
    zmq_msg_init (&self->topic);
    zmq_msg_init (&self->payload);
    self->seq = hb_seq_new ();
    self->latency = hb_hist_new ();
    self->sock = zsock_new (ZMQ_SUB);
    if (!self->seq || !self->latency || !self->sock) {
        hb_error ("bus subscriber: out of memory or sockets");
        hb_sub_destroy (&self);
        return NULL;
    }
    s_register_metrics (self);
    self->rcvhwm = rcvhwm > 0 ? rcvhwm : HB_SUB_RCVHWM_DEFAULT;
    //  HWM applies to pipes created after it is set: before any connect.
    zsock_set_rcvhwm (self->sock, self->rcvhwm);
    self->sources [0].sock = self->sock;
    self->sources [0].handle = zsock_resolve (self->sock);
    self->n_sources = 1;
    return self;
}

void
hb_sub_destroy (hb_sub_t **self_p)
{
    assert (self_p);
    hb_sub_t *self = *self_p;
    if (self) {
        zmq_msg_close (&self->topic);
        zmq_msg_close (&self->payload);
        for (int i = 1; i < self->n_sources; i++)
            zsock_destroy (&self->sources [i].sock);
        zsock_destroy (&self->sock);
        hb_seq_destroy (&self->seq);
        hb_hist_destroy (&self->latency);
        free (self);
        *self_p = NULL;
    }
}

static int
s_connect (zsock_t *sock, const char *endpoint)
{
    if (strncmp (endpoint, "ipc://", 6) == 0 && endpoint [6] != '/' && endpoint [6] != '@') {
        hb_error ("bus endpoint '%s': ipc path must be absolute (ipc:///dir/name)", endpoint);
        errno = EINVAL;
        return -1;
    }
    if (hb_curve_client (sock, endpoint) != 0)
        return -1;
    if (zmq_connect (zsock_resolve (sock), endpoint) == -1) {
        hb_error ("bus subscriber: cannot connect to %s: %s", endpoint, zmq_strerror (zmq_errno ()));
        return -1;
    }
    return 0;
}

void
hb_sub_set_reconnect_ms (hb_sub_t *self, int ms)
{
    assert (self);
    zsock_set_reconnect_ivl (self->sock, ms);
}

int
hb_sub_connect (hb_sub_t *self, const char *endpoint)
{
    assert (self);
    assert (endpoint);
    if (s_connect (self->sock, endpoint) != 0)
        return -1;
    self->shared_used = true;
    if (self->loop && !self->shared_attached) {
        if (zloop_reader (self->loop, self->sock, self->handler, self->handler_arg) != 0)
            return -1;
        self->shared_attached = true;
    }
    return 0;
}

int
hb_sub_connect_role (hb_sub_t *self, const char *endpoint, const hb_sub_role_t *role)
{
    assert (self);
    assert (endpoint);
    assert (role);
    if (self->n_sources > HB_SUB_MAX_SOURCES) {
        hb_error ("bus subscriber: more than %d publishers to connect to (%s)",
                  HB_SUB_MAX_SOURCES, endpoint);
        errno = ENOSPC;
        return -1;
    }
    zsock_t *sock = zsock_new (ZMQ_SUB);
    if (!sock) {
        hb_error ("bus subscriber: out of sockets for %s", endpoint);
        return -1;
    }
    zsock_set_rcvhwm (sock, self->rcvhwm);
    for (int i = 0; i < self->n_prefixes; i++)
        zmq_setsockopt (zsock_resolve (sock), ZMQ_SUBSCRIBE, self->prefixes [i], strlen (self->prefixes [i]));
    if (s_connect (sock, endpoint) != 0
    ||  (self->loop && zloop_reader (self->loop, sock, self->handler, self->handler_arg) != 0)) {
        zsock_destroy (&sock);
        return -1;
    }
    s_source_t *source = &self->sources [self->n_sources++];
    source->sock = sock;
    source->handle = zsock_resolve (sock);
    source->has_role = true;
    source->role = *role;
    source->role.publisher [sizeof source->role.publisher - 1] = 0;
    source->role.venue [sizeof source->role.venue - 1] = 0;
    snprintf (source->endpoint, sizeof source->endpoint, "%s", endpoint);
    return 0;
}

int
hb_sub_attach (hb_sub_t *self, zloop_t *loop, zloop_reader_fn handler, void *arg)
{
    assert (self);
    assert (loop);
    assert (!self->loop);
    self->loop = loop;
    self->handler = handler;
    self->handler_arg = arg;
    //  the shared socket only once something is connected to it: an idle
    //  reader costs every poll of the loop a command check
    for (int i = self->shared_used ? 0 : 1; i < self->n_sources; i++)
        if (zloop_reader (loop, self->sources [i].sock, handler, arg) != 0)
            return -1;
    self->shared_attached = self->shared_used;
    return 0;
}

void
hb_sub_detach (hb_sub_t *self)
{
    assert (self);
    if (self->loop)
        for (int i = self->shared_attached ? 0 : 1; i < self->n_sources; i++)
            zloop_reader_end (self->loop, self->sources [i].sock);
    self->loop = NULL;
    self->shared_attached = false;
}

int
hb_sub_subscribe (hb_sub_t *self, const char *prefix)
{
    assert (self);
    assert (prefix);
    if (self->n_prefixes == S_MAX_PREFIXES || strlen (prefix) >= HB_TOPIC_MAX) {
        errno = ENOSPC;
        return -1;
    }
    for (int i = 0; i < self->n_sources; i++)
        if (zmq_setsockopt (self->sources [i].handle, ZMQ_SUBSCRIBE, prefix, strlen (prefix)) != 0)
            return -1;
    strcpy (self->prefixes [self->n_prefixes++], prefix);
    return 0;
}

int
hb_sub_unsubscribe (hb_sub_t *self, const char *prefix)
{
    assert (self);
    assert (prefix);
    int rc = 0;
    for (int i = 0; i < self->n_sources; i++)
        if (zmq_setsockopt (self->sources [i].handle, ZMQ_UNSUBSCRIBE, prefix, strlen (prefix)) != 0)
            rc = -1;
    for (int i = 0; i < self->n_prefixes; i++)
        if (strcmp (self->prefixes [i], prefix) == 0) {
            memmove (self->prefixes [i], self->prefixes [i + 1],
                     (size_t) (self->n_prefixes - i - 1) * sizeof self->prefixes [0]);
            self->n_prefixes--;
            break;
        }
    //  Messages missed while unsubscribed were not lost: forget the
    //  sequence state so that a later resubscribe does not report a gap.
    if (rc == 0)
        hb_seq_reset (self->seq);
    return rc;
}

//  A topic fit for a log line: printable ASCII, the rest as '?'.
static void
s_printable (char *out, size_t out_size, const void *data, size_t size)
{
    const uint8_t *bytes = (const uint8_t *) data;
    size_t len = size < out_size - 1 ? size : out_size - 1;
    for (size_t i = 0; i < len; i++)
        out [i] = bytes [i] >= 0x20 && bytes [i] < 0x7f ? (char) bytes [i] : '?';
    out [len] = 0;
}

//  Counts and reports a malformed message; always returns -1 / EPROTO.
static int
s_reject (hb_sub_t *self, const char *reason, size_t size)
{
    self->stats.decode_errors++;
    hb_metric_inc (self->decode_errors);
    char topic [HB_TOPIC_MAX];
    s_printable (topic, sizeof topic, zmq_msg_data (&self->topic), zmq_msg_size (&self->topic));
    hb_complain (&self->decode_complaint, HB_LOG_WARN,
                 "bus: dropped malformed message on topic '%s': %s (%zu bytes)",
                 topic, reason, size);
    errno = EPROTO;
    return -1;
}

//  Reads and discards what is left of a multipart message; returns the
//  number of frames dropped.
static int
s_drain (hb_sub_t *self)
{
    int frames = 0;
    while (zmq_msg_more (&self->payload)) {
        if (zmq_msg_recv (&self->payload, self->sources [self->current].handle, 0) == -1)
            break;
        frames++;
    }
    return frames;
}

//  Reads the first frame of a message from the first source that has one,
//  starting with the one read last until it has given S_BURST in a row,
//  then with the one after it (the shared socket only when connected).
//  -1 with zmq_errno EAGAIN when none.
static int
s_try_recv (hb_sub_t *self)
{
    if (self->burst >= S_BURST) {
        self->next = (self->next + 1) % self->n_sources;
        self->burst = 0;
    }
    for (int n = 0; n < self->n_sources; n++) {
        int i = (self->next + n) % self->n_sources;
        if (i == 0 && !self->shared_used)
            continue;
        if (zmq_msg_recv (&self->topic, self->sources [i].handle, ZMQ_DONTWAIT) != -1) {
            self->current = i;
            if (i != self->next)
                self->burst = 0;
            self->next = i;
            self->burst++;
            return 0;
        }
        if (zmq_errno () != EAGAIN)
            return -1;
    }
    errno = EAGAIN;
    return -1;
}

//  The venue a tick, trade, ack, fill or account names, and the source of a
//  transfer (its feed reports it, the credit included); NULL for other types
static const char *
s_body_venue (const hb_msg_t *msg)
{
    switch (msg->env.type) {
        case HB_MSG_TICK:  return msg->u.tick.venue;
        case HB_MSG_TRADE: return msg->u.trade.venue;
        case HB_MSG_ACK:   return msg->u.ack.venue;
        case HB_MSG_FILL:  return msg->u.fill.venue;
        case HB_MSG_ACCOUNT: return msg->u.account.venue;
        case HB_MSG_INSTRUMENT: return msg->u.instrument.venue;
        case HB_MSG_CAPITAL_TRANSFER: return msg->u.transfer.from;
        default:           return NULL;
    }
}

//  0 when the connection the message came on may carry it; else counts,
//  logs and returns -1 / EPROTO. The envelope's publisher name is checked
//  against the connection, never trusted on its own.
static int
s_refused (hb_sub_t *self, const hb_msg_t *msg, const char *topic)
{
    const s_source_t *source = &self->sources [self->current];
    if (!source->has_role)
        return 0;
    const hb_sub_role_t *role = &source->role;
    const char *venue = s_body_venue (msg);
    const char *why = strncmp (msg->env.publisher, role->publisher, sizeof role->publisher) != 0
                    ? "its publisher is not the one of that connection"
                    : !(role->types & HB_SUB_TYPE (msg->env.type))
                    ? "that publisher may not send this type"
                    : role->venue [0] && venue && strncmp (venue, role->venue, HB_NAME_MAX) != 0
                    ? "it names another venue than the connection's" : NULL;
    if (!why)
        return 0;
    self->stats.unauthorized++;
    hb_metric_inc (self->unauthorized);
    char safe_topic [HB_TOPIC_MAX], safe_name [HB_NAME_MAX + 8];
    s_printable (safe_topic, sizeof safe_topic, topic, strlen (topic));
    s_printable (safe_name, sizeof safe_name, msg->env.publisher, strnlen (msg->env.publisher, sizeof msg->env.publisher));
    hb_complain (&self->role_complaint, HB_LOG_WARN,
                 "bus: refused %s on '%s' signed '%s' from %s (the connection of %s): %s",
                 hb_msg_type_name (msg->env.type), safe_topic, safe_name, source->endpoint,
                 role->publisher, why);
    errno = EPROTO;
    return -1;
}

int
hb_sub_recv (hb_sub_t *self, char *topic, size_t topic_size,
             hb_msg_t *msg, hb_seq_status_t *status, int timeout_ms)
{
    assert (self);
    assert (msg);
    self->payload_valid = false;
    //  Try first: under load a message is usually queued already, and
    //  zmq_poll would cost a poll(2) per message. Sources take turns, so
    //  a chatty publisher cannot starve a quiet one.
    if (s_try_recv (self) == -1) {
        if (zmq_errno () != EAGAIN || timeout_ms == 0)
            return -1;                  //  EAGAIN, EINTR, ETERM
        //  The wait covers the first frame only: the others of a message
        //  arrive with it.
        zmq_pollitem_t items [1 + HB_SUB_MAX_SOURCES];
        for (int i = 0; i < self->n_sources; i++)
            items [i] = (zmq_pollitem_t) { self->sources [i].handle, 0, ZMQ_POLLIN, 0 };
        int rc = zmq_poll (items, self->n_sources, timeout_ms);
        if (rc == -1)
            return -1;                  //  EINTR, ETERM
        if (rc == 0 || s_try_recv (self) == -1) {
            errno = EAGAIN;
            return -1;
        }
    }
    void *handle = self->sources [self->current].handle;
    size_t topic_len = zmq_msg_size (&self->topic);
    if (!zmq_msg_more (&self->topic))
        return s_reject (self, "one frame, expected topic + payload", topic_len);
    if (zmq_msg_recv (&self->payload, handle, 0) == -1) {
        //  Only an interrupt or shutdown stops the rest of a message that
        //  has started to arrive; the message is lost either way.
        self->stats.decode_errors++;
        hb_metric_inc (self->decode_errors);
        return -1;
    }
    size_t size = zmq_msg_size (&self->payload);
    if (zmq_msg_more (&self->payload)) {
        int extra = s_drain (self);
        char reason [64];
        snprintf (reason, sizeof reason, "%d frames, expected 2", 2 + extra);
        return s_reject (self, reason, size);
    }
    if (topic_len >= HB_TOPIC_MAX)
        return s_reject (self, "topic too long", topic_len);

    hb_decode_reason_t reason = HB_DECODE_OK;
    if (hb_msg_decode (msg, zmq_msg_data (&self->payload), size, &reason) != 0)
        return s_reject (self, hb_decode_reason_name (reason), size);

    char name [HB_TOPIC_MAX];
    memcpy (name, zmq_msg_data (&self->topic), topic_len);
    name [topic_len] = 0;
    int64_t now = hb_wall_ns ();
    if (msg->env.ts_pub > now + HB_SUB_MAX_AHEAD_NS) {
        self->stats.future++;
        hb_metric_inc (self->ahead);
        char safe [HB_TOPIC_MAX];
        s_printable (safe, sizeof safe, name, topic_len);
        hb_complain (&self->future_complaint, HB_LOG_WARN,
                     "bus: dropped a message on '%s' from %s stamped %.1f s ahead of this host's "
                     "clock (a clock step on its host?)", safe, msg->env.publisher,
                     (double) (msg->env.ts_pub - now) / 1e9);
        errno = EPROTO;
        return -1;
    }
    if (s_refused (self, msg, name) != 0)
        return -1;
    uint64_t missed = 0;
    hb_seq_status_t seq_status = hb_seq_check (self->seq, name, &msg->env, &missed);
    self->stats.received++;
    int family = hb_metrics_topic_index (name);
    hb_metric_inc (self->received [family]);
    if (msg->env.ts_pub > 0) {
        hb_hist_record (self->latency, now - msg->env.ts_pub);
        hb_metric_observe_interval (self->delivery, msg->env.ts_pub, now);
    }
    switch (seq_status) {
        case HB_SEQ_GAP:
            self->stats.gaps++;
            self->stats.missed += missed;
            self->last_missed = missed;
            hb_metric_inc (self->gaps [family]);
            hb_metric_add (self->missed [family], missed);
            break;
        case HB_SEQ_RESTART:
            self->stats.restarts++;
            hb_metric_inc (self->restarts);
            break;
        case HB_SEQ_STALE:
            self->stats.stale++;
            hb_metric_inc (self->stale);
            break;
        default:
            break;
    }
    if (topic && topic_size > 0) {
        size_t len = topic_len < topic_size - 1 ? topic_len : topic_size - 1;
        memcpy (topic, name, len);
        topic [len] = 0;
    }
    if (status)
        *status = seq_status;
    self->payload_valid = true;
    return 0;
}

//  Only a payload that decoded is handed out: after a failed call there is
//  none (NULL, size 0), so a recorder never stores what we refused.
const void *
hb_sub_last_payload (hb_sub_t *self, size_t *size)
{
    assert (self);
    if (!self->payload_valid) {
        if (size)
            *size = 0;
        return NULL;
    }
    if (size)
        *size = zmq_msg_size (&self->payload);
    return zmq_msg_data (&self->payload);
}

uint64_t
hb_sub_last_missed (hb_sub_t *self)
{
    assert (self);
    return self->last_missed;
}

void
hb_sub_stats (hb_sub_t *self, hb_sub_stats_t *stats)
{
    assert (self);
    assert (stats);
    *stats = self->stats;
}

void
hb_sub_latency (hb_sub_t *self, uint64_t *p50_ns, uint64_t *p99_ns, uint64_t *p999_ns)
{
    assert (self);
    *p50_ns = hb_hist_percentile (self->latency, 0.50);
    *p99_ns = hb_hist_percentile (self->latency, 0.99);
    *p999_ns = hb_hist_percentile (self->latency, 0.999);
    hb_hist_reset (self->latency);
}

zsock_t *
hb_sub_sock (hb_sub_t *self)
{
    assert (self);
    return self->sock;
}
