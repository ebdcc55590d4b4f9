/*  hb_recorder: see hb_recorder.h. */
#include "hb_recorder.h"
#include "hb_log.h"
#include "hb_sub.h"
#include "hb_time.h"

#include <errno.h>
#include <string.h>

struct _hb_recorder_t {
    hb_recording_t     *recording;
    hb_sub_t           *sub;
    hb_recorder_stats_t stats;
    hb_complain_t       write_complaint;
    uint32_t            batch;          //  messages per drain at most (>= 1)
    hb_msg_t            msg;
};

hb_recorder_t *
hb_recorder_new (hb_recording_t *recording, int rcvhwm)
{
    assert (recording);
    hb_recorder_t *self = (hb_recorder_t *) zmalloc (sizeof *self);
    self->recording = recording;
    self->batch = 1;
    self->sub = hb_sub_new (rcvhwm);
    if (self->sub)
        hb_sub_set_reconnect_ms (self->sub, 5);
    if (!self->sub) {
        free (self);
        return NULL;
    }
    return self;
}

void
hb_recorder_destroy (hb_recorder_t **self_p)
{
    assert (self_p);
    hb_recorder_t *self = *self_p;
    if (!self)
        return;
    hb_sub_destroy (&self->sub);
    free (self);
    *self_p = NULL;
}

int
hb_recorder_subscribe (hb_recorder_t *self, const char *prefix)
{
    assert (self && prefix);
    return hb_sub_subscribe (self->sub, prefix);
}

int
hb_recorder_connect (hb_recorder_t *self, const char *endpoint)
{
    assert (self && endpoint);
    if (hb_sub_connect (self->sub, endpoint) == 0)
        return 0;
    hb_error ("cannot connect to %s", endpoint);
    return -1;
}

int
hb_recorder_connect_all (hb_recorder_t *self, const hb_config_t *config)
{
    assert (self && config);
    int n = 0;
    for (int i = 0; i < config->n_venues; i++) {
        const hb_venue_cfg_t *venue = &config->venues [i];
        if (!venue->enabled || !venue->endpoint [0])
            continue;
        if (hb_recorder_connect (self, venue->endpoint))
            return -1;
        n++;
    }
    for (int i = 0; i < config->n_components; i++) {
        const hb_component_cfg_t *comp = &config->components [i];
        if (!comp->endpoint [0])
            continue;
        if (hb_recorder_connect (self, comp->endpoint))
            return -1;
        n++;
    }
    return n;
}

//  Topic bytes for a rec.* body: the decoder did not check the topic frame,
//  so anything outside the name alphabet becomes '?'.
static void
s_safe_topic (const char *topic, char *out, size_t size)
{
    size_t n = 0;
    for (; topic [n] && n + 1 < size; n++) {
        char c = topic [n];
        out [n] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
               || c == '.' || c == '_' || c == ':' || c == '-' ? c : '?';
    }
    out [n] = 0;
}

static void
s_append (hb_recorder_t *self, int64_t now, const char *topic, const void *data, size_t size,
          const hb_env_t *env)
{
    if (hb_recording_append (self->recording, now, topic, data, size, env) == 0)
        return;
    self->stats.write_errors++;
    hb_complain (&self->write_complaint, HB_LOG_ERROR, "recording a message on %s failed: %s",
                 topic, strerror (errno));
}

void
hb_recorder_set_batch (hb_recorder_t *self, uint32_t max_messages)
{
    assert (self);
    self->batch = max_messages ? max_messages : 1;
}

//  Takes one message off the socket, waiting up to timeout_ms, and appends
//  it (after its rec.* record, if the sequence check saw something).
//  Returns 1 when recorded, 0 when taken but not recorded (malformed, or
//  the append failed: counted), -1 with errno (EAGAIN: none ready).
static int
s_take (hb_recorder_t *self, int timeout_ms)
{
    char topic [HB_TOPIC_MAX];
    hb_seq_status_t status;
    if (hb_sub_recv (self->sub, topic, sizeof topic, &self->msg, &status, timeout_ms)) {
        if (errno != EPROTO)
            return -1;
        self->stats.decode_errors++;
        return 0;
    }
    int64_t now = hb_wall_ns ();
    const hb_env_t *env = &self->msg.env;
    if (status == HB_SEQ_GAP || status == HB_SEQ_RESTART) {
        char body [256], safe [HB_TOPIC_MAX];
        s_safe_topic (topic, safe, sizeof safe);
        int n;
        if (status == HB_SEQ_GAP) {
            self->stats.gaps++;
            n = snprintf (body, sizeof body,
                          "{\"publisher\":\"%s\",\"topic\":\"%s\",\"epoch\":%llu,\"seq\":%llu,\"missed\":%llu}",
                          env->publisher, safe, (unsigned long long) env->epoch,
                          (unsigned long long) env->seq,
                          (unsigned long long) hb_sub_last_missed (self->sub));
        }
        else {
            self->stats.restarts++;
            n = snprintf (body, sizeof body, "{\"publisher\":\"%s\",\"topic\":\"%s\",\"epoch\":%llu}",
                          env->publisher, safe, (unsigned long long) env->epoch);
        }
        s_append (self, now, status == HB_SEQ_GAP ? HB_RECORDING_GAP : HB_RECORDING_RESTART,
                  body, (size_t) n, NULL);
        self->stats.events++;
    }
    size_t size;
    const void *payload = hb_sub_last_payload (self->sub, &size);
    if (!payload)
        return 0;
    uint64_t errors = self->stats.write_errors;
    s_append (self, now, topic, payload, size, env);
    if (self->stats.write_errors != errors)
        return 0;
    self->stats.recorded++;
    return 1;
}

int
hb_recorder_poll (hb_recorder_t *self, int timeout_ms)
{
    assert (self);
    uint64_t lost = hb_recording_lost (self->recording);
    int recorded = 0;
    uint32_t taken = 0;
    //  One drain: what zmq already holds, up to the bound, without waiting.
    int rc = s_take (self, timeout_ms);
    while (rc >= 0) {
        recorded += rc;
        if (++taken == self->batch)
            break;
        rc = s_take (self, 0);
    }
    int err = errno;
    //  Written before we may block again: nothing waits in the buffer
    //  while the bus is quiet.
    if (hb_recording_flush (self->recording) == -1)
        hb_complain (&self->write_complaint, HB_LOG_ERROR, "writing a batch of %u messages "
                     "failed: %s", taken, strerror (errno));
    lost = hb_recording_lost (self->recording) - lost;
    self->stats.write_errors += lost;
    if (taken > 0)
        return recorded;
    errno = err;
    return err == EAGAIN ? 0 : -1;
}

void
hb_recorder_stats (hb_recorder_t *self, hb_recorder_stats_t *stats)
{
    assert (self && stats);
    *stats = self->stats;
}
