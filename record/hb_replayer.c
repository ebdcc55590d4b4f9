/*  hb_replayer: see hb_replayer.h. */
#include "hb_replayer.h"
#include "hb_log.h"
#include "hb_pub.h"
#include "hb_recording.h"
#include "hb_time.h"

#include <errno.h>
#include <string.h>
#include <time.h>

struct _hb_replayer_t {
    hb_pub_t *pub;
    void     *handle;               //  the raw XPUB
};

hb_replayer_t *
hb_replayer_new (const char *endpoint, int sndhwm)
{
    assert (endpoint);
    hb_replayer_t *self = (hb_replayer_t *) zmalloc (sizeof *self);
    self->pub = hb_pub_new (endpoint, "replay", sndhwm);
    if (!self->pub) {
        free (self);
        return NULL;
    }
    self->handle = zsock_resolve (hb_pub_sock (self->pub));
    return self;
}

void
hb_replayer_destroy (hb_replayer_t **self_p)
{
    assert (self_p);
    hb_replayer_t *self = *self_p;
    if (!self)
        return;
    //  czmq's linger is 0: without this the messages still queued (the
    //  tail of a --max replay) would be dropped at close. The context's
    //  end waits for them, up to this long, for a subscriber still there.
    zsock_set_linger (hb_pub_sock (self->pub), 5000);
    hb_pub_destroy (&self->pub);
    free (self);
    *self_p = NULL;
}

int
hb_replayer_wait_subscriber (hb_replayer_t *self, const char *prefix, int timeout_ms)
{
    assert (self && prefix);
    return hb_pub_wait_subscriber (self->pub, prefix, timeout_ms);
}

int
hb_replayer_send (hb_replayer_t *self, const char *topic, const void *payload, size_t size)
{
    assert (self && topic);
    if (zmq_send (self->handle, topic, strlen (topic), ZMQ_SNDMORE) == -1
    ||  zmq_send (self->handle, payload, size, 0) == -1)
        return -1;
    return 0;
}

//  Sleeps until the monotonic time deadline, in slices short enough to see
//  a stop request. false when stopped.
static bool
s_wait_until (int64_t deadline, const volatile sig_atomic_t *stop)
{
    while (!(stop && *stop)) {
        int64_t left = deadline - hb_mono_ns ();
        if (left <= 0)
            return true;
        if (left > 100 * HB_NS_PER_MS)
            left = 100 * HB_NS_PER_MS;
        struct timespec nap = { left / 1000000000, left % 1000000000 };
        nanosleep (&nap, NULL);
    }
    return false;
}

int64_t
hb_replayer_run (hb_replayer_t *self, hb_recording_reader_t *reader, const hb_replay_opts_t *opts)
{
    assert (self && reader && opts);
    hb_recording_reader_seek (reader, opts->from);
    hb_record_t record;
    int64_t sent = 0, first_ts = 0, start = 0;
    while (hb_recording_reader_next (reader, &record) == 1) {
        if (opts->stop && *opts->stop)
            break;
        if (record.recv_ts > opts->to)
            break;
        if (strncmp (record.topic, HB_RECORDING_PREFIX, strlen (HB_RECORDING_PREFIX)) == 0
        ||  !hb_recording_topic_match (record.topic, opts->topics, opts->n_topics))
            continue;
        if (opts->speed > 0) {
            if (sent == 0) {
                first_ts = record.recv_ts;
                start = hb_mono_ns ();
            }
            else
            if (!s_wait_until (start + (int64_t) ((double) (record.recv_ts - first_ts) / opts->speed),
                               opts->stop))
                break;
        }
        if (hb_replayer_send (self, record.topic, record.payload, record.size) != 0) {
            if (errno == EINTR && opts->stop && *opts->stop)
                break;
            hb_error ("replay: send on %s failed: %s", record.topic, zmq_strerror (errno));
            return -1;
        }
        sent++;
    }
    return sent;
}
