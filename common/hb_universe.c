/*  hb_universe: see hb_universe.h. */
#include "hb_universe.h"
#include "hb_curve.h"

#include <czmq.h>

struct _hb_universe_t {
    zhashx_t            *by_key;    //  "venue/symbol" -> hb_instrument_t (owned)
    hb_universe_stats_t  stats;
    hb_msg_t             msg;       //  scratch for fetch replies
};

static void
s_free (void **item)
{
    free (*item);
    *item = NULL;
}

static void
s_key (char *key, const char *venue, const char *symbol)
{
    snprintf (key, 2 * HB_NAME_MAX + 2, "%s/%s", venue, symbol);
}

hb_universe_t *
hb_universe_new (void)
{
    hb_universe_t *self = (hb_universe_t *) zmalloc (sizeof *self);
    if (!self)
        return NULL;
    self->by_key = zhashx_new ();
    if (!self->by_key) {
        free (self);
        return NULL;
    }
    zhashx_set_destructor (self->by_key, s_free);
    return self;
}

void
hb_universe_destroy (hb_universe_t **self_p)
{
    assert (self_p);
    hb_universe_t *self = *self_p;
    if (!self)
        return;
    zhashx_destroy (&self->by_key);
    free (self);
    *self_p = NULL;
}

int
hb_universe_apply (hb_universe_t *self, const hb_instrument_t *ins)
{
    assert (self && ins);
    char key [2 * HB_NAME_MAX + 2];
    s_key (key, ins->venue, ins->symbol);
    hb_instrument_t *have = (hb_instrument_t *) zhashx_lookup (self->by_key, key);
    if (ins->flags & HB_INSTRUMENT_DELISTED) {
        if (!have)
            return HB_UNIVERSE_UNKNOWN;
        zhashx_delete (self->by_key, key);
        self->stats.removed++;
        return HB_UNIVERSE_REMOVED;
    }
    if (have) {
        if (memcmp (have, ins, sizeof *ins) == 0)
            return HB_UNIVERSE_SAME;
        *have = *ins;
        return HB_UNIVERSE_CHANGED;
    }
    have = (hb_instrument_t *) malloc (sizeof *have);
    if (!have)
        return -1;
    *have = *ins;
    if (zhashx_insert (self->by_key, key, have) != 0) {
        free (have);
        return -1;
    }
    self->stats.added++;
    return HB_UNIVERSE_ADDED;
}

const hb_instrument_t *
hb_universe_find (hb_universe_t *self, const char *venue, const char *symbol)
{
    assert (self);
    if (!venue || !symbol)
        return NULL;
    char key [2 * HB_NAME_MAX + 2];
    s_key (key, venue, symbol);
    return (const hb_instrument_t *) zhashx_lookup (self->by_key, key);
}

size_t
hb_universe_size (hb_universe_t *self)
{
    assert (self);
    return zhashx_size (self->by_key);
}

size_t
hb_universe_each (hb_universe_t *self, const char *venue, hb_universe_fn *fn, void *arg)
{
    assert (self);
    size_t n = 0;
    for (hb_instrument_t *ins = (hb_instrument_t *) zhashx_first (self->by_key); ins;
         ins = (hb_instrument_t *) zhashx_next (self->by_key)) {
        if (venue && strcmp (ins->venue, venue) != 0)
            continue;
        if (fn)
            fn (arg, ins);
        n++;
    }
    return n;
}

size_t
hb_universe_count (hb_universe_t *self, const char *venue)
{
    assert (self && venue);
    return hb_universe_each (self, venue, NULL, NULL);
}

void
hb_universe_stats (hb_universe_t *self, hb_universe_stats_t *stats)
{
    assert (self && stats);
    *stats = self->stats;
}

//  The reply's pairs after the empty frame: instruments, then snapshot.end
//  with their count. -1 at the first fault.
static int
s_take_reply (hb_universe_t *self, zmsg_t *reply)
{
    zframe_t *frame = zmsg_first (reply);
    if (!frame || zframe_size (frame) != 0)
        return -1;
    int n = 0;
    while ((frame = zmsg_next (reply)) != NULL) {
        zframe_t *payload = zmsg_next (reply);
        if (!payload || hb_msg_decode (&self->msg, zframe_data (payload), zframe_size (payload), NULL) != 0)
            return -1;
        if (self->msg.env.type == HB_MSG_SNAPSHOT_END)
            return self->msg.u.snapshot_end.count == (uint64_t) n && !zmsg_next (reply) ? n : -1;
        if (self->msg.env.type != HB_MSG_INSTRUMENT
        ||  (self->msg.u.instrument.flags & HB_INSTRUMENT_DELISTED)
        ||  hb_universe_apply (self, &self->msg.u.instrument) < 0)
            return -1;
        self->stats.fetched++;
        n++;
    }
    return -1;                      //  no snapshot.end
}

int
hb_universe_fetch (hb_universe_t *self, const char *endpoint, int timeout_ms)
{
    assert (self && endpoint);
    zsock_t *dealer = zsock_new (ZMQ_DEALER);
    int n = -1;
    if (dealer && hb_curve_client (dealer, endpoint) == 0 && zsock_connect (dealer, "%s", endpoint) == 0) {
        zsock_set_rcvtimeo (dealer, timeout_ms);
        zsock_set_linger (dealer, 0);
        zmsg_t *request = zmsg_new ();
        zmsg_addmem (request, NULL, 0);
        zmsg_addstr (request, "instruments");
        if (zmsg_send (&request, dealer) == 0) {
            zmsg_t *reply = zmsg_recv (dealer);
            if (reply)
                n = s_take_reply (self, reply);
            zmsg_destroy (&reply);
        }
        zmsg_destroy (&request);
    }
    zsock_destroy (&dealer);
    if (n < 0)
        self->stats.fetch_errors++;
    return n;
}
