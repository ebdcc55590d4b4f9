/*  hb_refill: see hb_refill.h. */
#include "hb_refill.h"
#include "hb_curve.h"
#include "hb_log.h"
#include "hb_time.h"

#include <assert.h>
#include <errno.h>
#include <string.h>

#define S_TICK_MS   50              //  how often deadlines are looked at

typedef struct {
    hb_refill_t *owner;
    int          venue;
    zsock_t     *dealer;            //  NULL: venue without replay socket
    bool         out;               //  a request is out
    bool         again;             //  ask once the one out is answered (or at retry_at)
    int64_t      deadline;          //  mono ns: the reply is late after this
    int64_t      retry_at;          //  mono ns: a retry after a timeout waits for this
} s_venue_t;

struct _hb_refill_t {
    const hb_config_t *cfg;
    zloop_t           *loop;
    hb_refill_fn      *fn;
    void              *arg;
    int64_t            timeout_ns, retry_ns;
    int                timer;
    hb_refill_stats_t  stats;
    hb_complain_t      c_timeout, c_error;
    hb_msg_t           in;
    s_venue_t          venues [HB_MAX_VENUES];
};

static int s_on_reply (zloop_t *loop, zsock_t *reader, void *arg);

static int
s_open (hb_refill_t *self, s_venue_t *slot)
{
    const hb_venue_cfg_t *venue = &self->cfg->venues [slot->venue];
    slot->dealer = zsock_new (ZMQ_DEALER);
    if (!slot->dealer)
        return -1;
    //  a request must never block the reactor: with no room it fails and
    //  is retried like a lost one
    zsock_set_sndtimeo (slot->dealer, 0);
    if (hb_curve_client (slot->dealer, venue->replay_endpoint) != 0
    ||  zsock_connect (slot->dealer, "%s", venue->replay_endpoint) != 0
    ||  zloop_reader (self->loop, slot->dealer, s_on_reply, slot) != 0) {
        hb_error ("aggregator: cannot connect to the fill replay of %s at %s",
                  venue->name, venue->replay_endpoint);
        zsock_destroy (&slot->dealer);
        return -1;
    }
    return 0;
}

static void
s_close (hb_refill_t *self, s_venue_t *slot)
{
    if (slot->dealer) {
        zloop_reader_end (self->loop, slot->dealer);
        zsock_destroy (&slot->dealer);
    }
}

static void
s_send (hb_refill_t *self, s_venue_t *slot)
{
    slot->again = false;
    zmsg_t *request = zmsg_new ();
    zmsg_addmem (request, NULL, 0);
    zmsg_addstr (request, "0");             //  every fill the feed holds
    int64_t now = hb_mono_ns ();
    if (zmsg_send (&request, slot->dealer) != 0) {
        zmsg_destroy (&request);
        slot->again = true;
        slot->retry_at = now + self->retry_ns;
        return;
    }
    slot->out = true;
    slot->deadline = now + self->timeout_ns;
    self->stats.requests++;
}

//  Reads one reply: [empty, (topic, fill)..., "snapshot.end", end].
static int
s_on_reply (zloop_t *loop, zsock_t *reader, void *arg)
{
    (void) loop;
    s_venue_t *slot = (s_venue_t *) arg;
    hb_refill_t *self = slot->owner;
    const char *name = self->cfg->venues [slot->venue].name;
    zmsg_t *reply = zmsg_recv (reader);
    if (!reply)
        return 0;
    zframe_t *frame = zmsg_first (reply);
    bool complete = false;
    int rc = 0;
    if (!frame || zframe_size (frame) != 0)
        goto malformed;
    while ((frame = zmsg_next (reply)) != NULL) {
        zframe_t *payload = zmsg_next (reply);
        hb_decode_reason_t reason;
        if (!payload
        ||  hb_msg_decode (&self->in, zframe_data (payload), zframe_size (payload), &reason) != 0)
            goto malformed;
        if (self->in.env.type == HB_MSG_SNAPSHOT_END) {
            complete = zmsg_next (reply) == NULL;
            break;
        }
        if (self->in.env.type != HB_MSG_FILL || strcmp (self->in.u.fill.venue, name) != 0)
            goto malformed;
        self->stats.fills++;
        if (self->fn (self->arg, slot->venue, &self->in.u.fill) != 0) {
            rc = -1;
            break;
        }
    }
    if (!complete && rc == 0)
        goto malformed;
    zmsg_destroy (&reply);
    slot->out = false;
    self->stats.replies++;
    if (slot->again && rc == 0)
        s_send (self, slot);
    return rc;
malformed:
    zmsg_destroy (&reply);
    self->stats.errors++;
    hb_complain (&self->c_error, HB_LOG_WARN, "aggregator: malformed fill replay from %s: asking again later",
                 name);
    //  the fills taken from it stand (each one decoded and checked); the
    //  rest is asked for again after the usual pause
    slot->out = false;
    slot->again = true;
    slot->retry_at = hb_mono_ns () + self->retry_ns;
    return 0;
}

static int
s_on_tick (zloop_t *loop, int timer_id, void *arg)
{
    (void) loop;
    (void) timer_id;
    hb_refill_t *self = (hb_refill_t *) arg;
    int64_t now = hb_mono_ns ();
    for (int v = 0; v < self->cfg->n_venues; v++) {
        s_venue_t *slot = &self->venues [v];
        if (slot->out && now > slot->deadline) {
            self->stats.timeouts++;
            hb_complain (&self->c_timeout, HB_LOG_WARN,
                         "aggregator: no fill replay from %s at %s yet: asking again",
                         self->cfg->venues [v].name, self->cfg->venues [v].replay_endpoint);
            //  a new socket drops the request still queued for a feed that
            //  is not there, and any late answer to it
            s_close (self, slot);
            if (s_open (self, slot) != 0)
                return -1;
            slot->out = false;
            slot->again = true;
            slot->retry_at = now + self->retry_ns;
        }
        if (!slot->out && slot->again && now >= slot->retry_at)
            s_send (self, slot);
    }
    return 0;
}

hb_refill_t *
hb_refill_new (const hb_config_t *cfg, zloop_t *loop, int timeout_ms, int retry_ms,
               hb_refill_fn *fn, void *arg)
{
    assert (cfg && loop && fn && timeout_ms > 0 && retry_ms >= 0);
    hb_refill_t *self = (hb_refill_t *) calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->cfg = cfg;
    self->loop = loop;
    self->fn = fn;
    self->arg = arg;
    self->timeout_ns = (int64_t) timeout_ms * HB_NS_PER_MS;
    self->retry_ns = (int64_t) retry_ms * HB_NS_PER_MS;
    self->timer = -1;
    for (int v = 0; v < cfg->n_venues; v++) {
        s_venue_t *slot = &self->venues [v];
        slot->owner = self;
        slot->venue = v;
        if (cfg->venues [v].enabled && cfg->venues [v].replay_endpoint [0] && s_open (self, slot) != 0) {
            hb_refill_destroy (&self);
            return NULL;
        }
    }
    self->timer = zloop_timer (loop, S_TICK_MS, 0, s_on_tick, self);
    if (self->timer < 0) {
        hb_refill_destroy (&self);
        return NULL;
    }
    return self;
}

void
hb_refill_destroy (hb_refill_t **self_p)
{
    assert (self_p);
    hb_refill_t *self = *self_p;
    if (!self)
        return;
    if (self->timer >= 0)
        zloop_timer_end (self->loop, self->timer);
    for (int v = 0; v < HB_MAX_VENUES; v++)
        s_close (self, &self->venues [v]);
    free (self);
    *self_p = NULL;
}

void
hb_refill_ask (hb_refill_t *self, int venue)
{
    assert (self && venue >= 0 && venue < HB_MAX_VENUES);
    s_venue_t *slot = &self->venues [venue];
    if (!slot->dealer)
        return;
    if (slot->out || (slot->again && hb_mono_ns () < slot->retry_at))
        slot->again = true;
    else
        s_send (self, slot);
}

bool
hb_refill_busy (hb_refill_t *self, int venue)
{
    assert (self && venue >= 0 && venue < HB_MAX_VENUES);
    return self->venues [venue].out || self->venues [venue].again;
}

void
hb_refill_stats (hb_refill_t *self, hb_refill_stats_t *stats)
{
    assert (self && stats);
    *stats = self->stats;
}
