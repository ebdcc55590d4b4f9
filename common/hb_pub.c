/*  hb_pub: see hb_pub.h.

    Per topic we keep one entry (allocated the first time the topic is used,
    never after): its sequence counter and a slot for the latest tick that
    could not go yet. Parked entries are chained in a list so that a flush
    costs O(parked), not O(topics). Sending encodes into one buffer owned by
    the publisher and hands both frames to libzmq with zmq_send on the raw
    socket: czmq's zmsg_t would allocate per message.                        */
#include "hb_pub.h"
#include "hb_curve.h"
#include "hb_log.h"
#include "hb_metrics.h"
#include "hb_time.h"

#include <errno.h>
#include <string.h>

#define HB_PUB_SNDHWM_DEFAULT   10000
//  Long enough for queued fills to reach a live subscriber at exit, short
//  enough that a dead one does not hold up a restart.
#define HB_PUB_LINGER_MS        200

typedef struct _s_topic_t s_topic_t;
struct _s_topic_t {
    char       name [HB_TOPIC_MAX];
    size_t     name_len;
    uint64_t   seq;                 //  last seq sent on this topic
    bool       parked;
    s_topic_t *prev, *next;         //  in the parked list while parked
    hb_msg_t   latest;              //  the parked message
    hb_metric_t *sent;              //  hb_bus_messages_sent_total of its family
    hb_metric_t *conflated;         //  hb_bus_conflated_total of its family
};

struct _hb_pub_t {
    zsock_t   *sock;
    void      *handle;              //  zsock_resolve (sock)
    char       publisher [HB_NAME_MAX];
    char      *endpoint;
    uint64_t   epoch;
    zhashx_t  *topics;              //  name -> s_topic_t
    s_topic_t *parked;              //  head of the parked list
    zlistx_t  *prefixes;            //  active subscription prefixes (zframe_t)
    hb_pub_stats_t stats;
    hb_complain_t  encode_complaint;
    hb_complain_t  send_complaint;
    hb_buf_t   buf;
    hb_metric_t *errors;            //  hb_bus_publish_errors_total
    hb_metric_t *parked_gauge;      //  hb_bus_parked_messages
};

static void
s_topic_destroy (void **item_p)
{
    free (*item_p);
    *item_p = NULL;
}

static void
s_frame_destroy (void **item_p)
{
    zframe_destroy ((zframe_t **) item_p);
}

//  The file-system part of an ipc:// endpoint must be absolute (a relative
//  one silently lands in whatever the current directory is) and its
//  directory must exist. The abstract namespace (ipc://@name) has no file.
static int
s_prepare_ipc (const char *endpoint)
{
    if (strncmp (endpoint, "ipc://", 6) != 0)
        return 0;
    const char *path = endpoint + 6;
    if (*path == '@')
        return 0;
    if (*path != '/') {
        hb_error ("bus endpoint '%s': ipc path must be absolute (ipc:///dir/name)", endpoint);
        return -1;
    }
    const char *slash = strrchr (path, '/');
    if (slash > path) {
        char dir [1024];
        if ((size_t) (slash - path) >= sizeof dir) {
            hb_error ("bus endpoint '%s': ipc path too long", endpoint);
            return -1;
        }
        memcpy (dir, path, (size_t) (slash - path));
        dir [slash - path] = 0;
        //  Two processes starting together race to create the directory:
        //  zsys_dir_create then fails with EEXIST for one of them, which is
        //  fine as long as the directory is there now.
        if (zsys_dir_create ("%s", dir) != 0 && !S_ISDIR (zsys_file_mode (dir))) {
            hb_error ("bus endpoint '%s': cannot create directory %s: %s",
                      endpoint, dir, strerror (errno));
            return -1;
        }
    }
    return 0;
}

hb_pub_t *
hb_pub_new (const char *endpoint, const char *publisher, int sndhwm)
{
    assert (endpoint);
    assert (publisher);
    if (!hb_name_valid (publisher)) {
        hb_error ("bus publisher id '%s' is not a valid name", publisher);
        return NULL;
    }
    if (s_prepare_ipc (endpoint) != 0)
        return NULL;

    hb_pub_t *self = (hb_pub_t *) zmalloc (sizeof (hb_pub_t));
    if (!self)
        return NULL;
    snprintf (self->publisher, sizeof self->publisher, "%s", publisher);
    self->endpoint = strdup (endpoint);
    self->epoch = (uint64_t) hb_wall_ns ();
    self->topics = zhashx_new ();
    self->prefixes = zlistx_new ();
    self->sock = zsock_new (ZMQ_XPUB);
    if (!self->endpoint || !self->topics || !self->prefixes || !self->sock) {
        hb_error ("bus publisher %s: out of memory or sockets", publisher);
        hb_pub_destroy (&self);
        return NULL;
    }
    //  Keys are the names inside the entries.
    zhashx_set_key_duplicator (self->topics, NULL);
    zhashx_set_key_destructor (self->topics, NULL);
    zhashx_set_destructor (self->topics, s_topic_destroy);
    zlistx_set_destructor (self->prefixes, s_frame_destroy);

    hb_metrics_t *metrics = hb_metrics_process ();
    if (metrics) {
        self->errors = hb_metrics_counter (metrics, "hb_bus_publish_errors_total",
                                           "Messages that could not be encoded or sent", NULL, NULL);
        self->parked_gauge = hb_metrics_gauge (metrics, "hb_bus_parked_messages",
                                               "Ticks parked because a subscriber is behind "
                                               "(the publisher's queue)", NULL, NULL);
    }
    self->handle = zsock_resolve (self->sock);
    //  HWM applies to pipes created after it is set: before the bind.
    zsock_set_sndhwm (self->sock, sndhwm > 0 ? sndhwm : HB_PUB_SNDHWM_DEFAULT);
    zsock_set_xpub_nodrop (self->sock, 1);
    zsock_set_linger (self->sock, HB_PUB_LINGER_MS);
    if (hb_curve_server (self->sock, endpoint) != 0) {
        hb_pub_destroy (&self);
        return NULL;
    }
    if (zsock_bind (self->sock, "%s", endpoint) == -1) {
        hb_error ("bus publisher %s: cannot bind %s: %s",
                  publisher, endpoint, zmq_strerror (zmq_errno ()));
        hb_pub_destroy (&self);
        return NULL;
    }
    hb_debug ("bus publisher %s bound to %s, epoch %llu",
              publisher, endpoint, (unsigned long long) self->epoch);
    return self;
}

void
hb_pub_destroy (hb_pub_t **self_p)
{
    assert (self_p);
    hb_pub_t *self = *self_p;
    if (self) {
        hb_metric_gauge_add (self->parked_gauge, -(double) self->stats.pending);
        zsock_destroy (&self->sock);
        zhashx_destroy (&self->topics);
        zlistx_destroy (&self->prefixes);
        free (self->endpoint);
        free (self);
        *self_p = NULL;
    }
}

//  Finds the entry of topic, creating it the first time. NULL (logged,
//  counted) when the topic is unusable or memory ran out.
static s_topic_t *
s_topic_require (hb_pub_t *self, const char *topic)
{
    s_topic_t *entry = (s_topic_t *) zhashx_lookup (self->topics, topic);
    if (entry)
        return entry;
    size_t len = strlen (topic);
    if (len == 0 || len >= HB_TOPIC_MAX) {
        self->stats.errors++;
        hb_metric_inc (self->errors);
        hb_complain (&self->encode_complaint, HB_LOG_ERROR,
                     "bus publisher %s: topic of %zu bytes refused (1..%d)",
                     self->publisher, len, HB_TOPIC_MAX - 1);
        return NULL;
    }
    entry = (s_topic_t *) zmalloc (sizeof (s_topic_t));
    if (!entry) {
        self->stats.errors++;
        hb_metric_inc (self->errors);
        return NULL;
    }
    memcpy (entry->name, topic, len + 1);
    entry->name_len = len;
    //  a topic is new once: its family's series are looked up here, not
    //  per message
    hb_metrics_t *metrics = hb_metrics_process ();
    const char *family = hb_metrics_topic_family (topic);
    entry->sent = metrics ? hb_metrics_counter (metrics, "hb_bus_messages_sent_total",
                                                "Messages published on the bus, by topic family",
                                                "family", family) : NULL;
    entry->conflated = metrics ? hb_metrics_counter (metrics, "hb_bus_conflated_total",
                                                     "Ticks replaced by a newer one before they could be sent",
                                                     "family", family) : NULL;
    if (zhashx_insert (self->topics, entry->name, entry) != 0) {
        free (entry);
        self->stats.errors++;
        hb_metric_inc (self->errors);
        return NULL;
    }
    return entry;
}

//  The topic to use: the caller's, or the message's default.
static s_topic_t *
s_topic_for (hb_pub_t *self, const char *topic, const hb_msg_t *msg)
{
    char name [HB_TOPIC_MAX];
    if (!topic) {
        if (hb_msg_topic (msg, name) < 0) {
            self->stats.errors++;
            hb_metric_inc (self->errors);
            hb_complain (&self->encode_complaint, HB_LOG_ERROR,
                         "bus publisher %s: message type %d (%s) has no default topic",
                         self->publisher, msg->env.type, hb_msg_type_name (msg->env.type));
            return NULL;
        }
        topic = name;
    }
    return s_topic_require (self, topic);
}

//  Stamps, encodes and sends msg on entry's topic. The seq is taken only
//  when libzmq accepts the message, so a message that could not go leaves
//  no hole. Returns 0, or -1 with errno: EPROTO (encode failed, counted),
//  EAGAIN (full, with ZMQ_DONTWAIT), or a libzmq error.
static int
s_send (hb_pub_t *self, s_topic_t *entry, hb_msg_t *msg, int flags)
{
    msg->env.version = HB_SCHEMA_VERSION;
    memcpy (msg->env.publisher, self->publisher, HB_NAME_MAX);
    msg->env.epoch = self->epoch;
    msg->env.seq = entry->seq + 1;
    msg->env.ts_pub = hb_wall_ns ();
    if (hb_msg_encode (msg, &self->buf) != 0) {
        self->stats.errors++;
        hb_metric_inc (self->errors);
        hb_complain (&self->encode_complaint, HB_LOG_ERROR,
                     "bus publisher %s: cannot encode %s on %s (invalid field or too large)",
                     self->publisher, hb_msg_type_name (msg->env.type), entry->name);
        errno = EPROTO;
        return -1;
    }
    int rc = zmq_send (self->handle, entry->name, entry->name_len, ZMQ_SNDMORE | flags);
    if (rc == -1 && zmq_errno () == EAGAIN) {
        //  A non-blocking send sees the reader's progress only when the
        //  socket processes its commands, which libzmq throttles to about
        //  once a millisecond: the pipe can look full when it is not.
        //  Reading ZMQ_EVENTS processes them unthrottled; then try again.
        int events;
        size_t events_size = sizeof events;
        zmq_getsockopt (self->handle, ZMQ_EVENTS, &events, &events_size);
        rc = zmq_send (self->handle, entry->name, entry->name_len, ZMQ_SNDMORE | flags);
    }
    if (rc == -1) {
        int err = zmq_errno ();
        if (err != EAGAIN && err != EINTR) {
            self->stats.errors++;
            hb_metric_inc (self->errors);
            hb_complain (&self->send_complaint, HB_LOG_ERROR,
                         "bus publisher %s: send on %s failed: %s",
                         self->publisher, entry->name, zmq_strerror (err));
        }
        errno = err;
        return -1;
    }
    //  Once the first frame is in, libzmq takes the rest of the message
    //  whatever the HWM; should it ever refuse, block rather than leave
    //  half a message in the pipe.
    rc = zmq_send (self->handle, self->buf.data, self->buf.size, flags);
    if (rc == -1 && zmq_errno () == EAGAIN)
        rc = zmq_send (self->handle, self->buf.data, self->buf.size, 0);
    if (rc == -1) {
        int err = zmq_errno ();
        self->stats.errors++;
        hb_metric_inc (self->errors);
        hb_complain (&self->send_complaint, HB_LOG_ERROR,
                     "bus publisher %s: send on %s failed: %s",
                     self->publisher, entry->name, zmq_strerror (err));
        errno = err;
        return -1;
    }
    entry->seq++;
    self->stats.sent++;
    hb_metric_inc (entry->sent);
    return 0;
}

static void
s_park (hb_pub_t *self, s_topic_t *entry)
{
    assert (!entry->parked);
    entry->parked = true;
    entry->prev = NULL;
    entry->next = self->parked;
    if (self->parked)
        self->parked->prev = entry;
    self->parked = entry;
    self->stats.pending++;
    hb_metric_gauge_add (self->parked_gauge, 1);
}

static void
s_unpark (hb_pub_t *self, s_topic_t *entry)
{
    assert (entry->parked);
    if (entry->prev)
        entry->prev->next = entry->next;
    else
        self->parked = entry->next;
    if (entry->next)
        entry->next->prev = entry->prev;
    entry->prev = entry->next = NULL;
    entry->parked = false;
    self->stats.pending--;
    hb_metric_gauge_add (self->parked_gauge, -1);
}

int
hb_pub_send (hb_pub_t *self, const char *topic, hb_msg_t *msg)
{
    assert (self);
    assert (msg);
    s_topic_t *entry = s_topic_for (self, topic, msg);
    if (!entry)
        return -1;
    return s_send (self, entry, msg, 0);
}

int
hb_pub_send_latest (hb_pub_t *self, const char *topic, hb_msg_t *msg)
{
    assert (self);
    assert (msg);
    s_topic_t *entry = s_topic_for (self, topic, msg);
    if (!entry)
        return -1;
    if (s_send (self, entry, msg, ZMQ_DONTWAIT) == 0) {
        //  A newer message went out: the parked one is obsolete.
        if (entry->parked) {
            s_unpark (self, entry);
            self->stats.conflated++;
            hb_metric_inc (entry->conflated);
        }
        return 0;
    }
    if (errno != EAGAIN)
        return -1;
    if (entry->parked) {
        self->stats.conflated++;
        hb_metric_inc (entry->conflated);
    }
    else
        s_park (self, entry);
    entry->latest = *msg;
    return 0;
}

int
hb_pub_flush (hb_pub_t *self)
{
    assert (self);
    s_topic_t *entry = self->parked;
    while (entry) {
        s_topic_t *next = entry->next;
        //  A full pipe to one subscriber does not mean all are full: XPUB
        //  refuses only when a subscriber of this topic is behind, so try
        //  every parked topic.
        if (s_send (self, entry, &entry->latest, ZMQ_DONTWAIT) == 0
        ||  errno != EAGAIN)
            s_unpark (self, entry);     //  sent, or never will be (counted)
        entry = next;
    }
    return (int) self->stats.pending;
}

//  Subscription messages are 1 (subscribe) or 0 (unsubscribe) followed by
//  the prefix. XPUB passes up only the first subscribe and the last
//  unsubscribe of a prefix, so the list holds each active prefix once.
static void
s_subscription (hb_pub_t *self, const uint8_t *data, size_t size)
{
    if (size == 0 || data [0] > 1)
        return;
    const uint8_t *prefix = data + 1;
    size_t prefix_len = size - 1;
    if (data [0] == 1) {
        zframe_t *frame = zframe_new (prefix, prefix_len);
        if (frame && zlistx_add_end (self->prefixes, frame))
            self->stats.subscriptions++;
        else
            zframe_destroy (&frame);
        return;
    }
    zframe_t *frame = (zframe_t *) zlistx_first (self->prefixes);
    while (frame) {
        if (zframe_size (frame) == prefix_len
        &&  memcmp (zframe_data (frame), prefix, prefix_len) == 0) {
            zlistx_delete (self->prefixes, zlistx_cursor (self->prefixes));
            if (self->stats.subscriptions > 0)
                self->stats.subscriptions--;
            return;
        }
        frame = (zframe_t *) zlistx_next (self->prefixes);
    }
}

void
hb_pub_poll_subscriptions (hb_pub_t *self)
{
    assert (self);
    zmq_msg_t msg;
    zmq_msg_init (&msg);
    while (zmq_msg_recv (&msg, self->handle, ZMQ_DONTWAIT) != -1)
        s_subscription (self, (const uint8_t *) zmq_msg_data (&msg), zmq_msg_size (&msg));
    zmq_msg_close (&msg);
}

//  A subscription whose prefix covers topic (exact: one equal to it).
static bool
s_has_subscriber (hb_pub_t *self, const char *topic, bool exact)
{
    size_t topic_len = strlen (topic);
    zframe_t *frame = (zframe_t *) zlistx_first (self->prefixes);
    while (frame) {
        if ((exact ? zframe_size (frame) == topic_len : zframe_size (frame) <= topic_len)
        &&  memcmp (zframe_data (frame), topic, zframe_size (frame)) == 0)
            return true;
        frame = (zframe_t *) zlistx_next (self->prefixes);
    }
    return false;
}

static int
s_wait (hb_pub_t *self, const char *topic, bool exact, int timeout_ms)
{
    int64_t deadline = hb_mono_ns () + (int64_t) timeout_ms * HB_NS_PER_MS;
    while (true) {
        hb_pub_poll_subscriptions (self);
        if (s_has_subscriber (self, topic, exact))
            return 0;
        int64_t left_ms = (deadline - hb_mono_ns ()) / HB_NS_PER_MS;
        if (left_ms <= 0)
            break;
        zmq_pollitem_t item = { self->handle, 0, ZMQ_POLLIN, 0 };
        if (zmq_poll (&item, 1, (long) left_ms) == -1 && zmq_errno () != EINTR)
            break;
    }
    errno = ETIMEDOUT;
    return -1;
}

int
hb_pub_wait_subscriber (hb_pub_t *self, const char *topic, int timeout_ms)
{
    assert (self);
    assert (topic);
    return s_wait (self, topic, false, timeout_ms);
}

int
hb_pub_wait_prefix (hb_pub_t *self, const char *prefix, int timeout_ms)
{
    assert (self);
    assert (prefix);
    return s_wait (self, prefix, true, timeout_ms);
}

uint64_t
hb_pub_epoch (hb_pub_t *self)
{
    assert (self);
    return self->epoch;
}

const char *
hb_pub_id (hb_pub_t *self)
{
    assert (self);
    return self->publisher;
}

void
hb_pub_stats (hb_pub_t *self, hb_pub_stats_t *stats)
{
    assert (self);
    assert (stats);
    *stats = self->stats;
}

zsock_t *
hb_pub_sock (hb_pub_t *self)
{
    assert (self);
    return self->sock;
}

void
hb_pub_test_skip (hb_pub_t *self, const char *topic, uint64_t skip)
{
    assert (self);
    assert (topic);
    s_topic_t *entry = s_topic_require (self, topic);
    if (entry)
        entry->seq += skip;
}
