/*  hb_grid: event time over several streams (see hb_grid.h).            */
#include "hb_grid.h"

#include <assert.h>
#include <stdlib.h>

#define S_MAX_STREAMS   64

typedef struct {
    bool     heard;
    int64_t  first_ts;              //  data time of the first message
    int64_t  last_ts;               //  latest data time
    int64_t  last_mono;             //  when the latest message arrived
    hb_grid_item_t *ring;           //  capacity items
    int      head, count;
} s_stream_t;

struct _hb_grid_t {
    int         n;
    int         capacity;
    int64_t     step_ns, lead_ns, late_ns;
    int64_t     created_mono;
    int64_t     next_ns;            //  pending sample, 0: not started (automatic start)
    bool        full;               //  a push found a FIFO full
    s_stream_t  streams [S_MAX_STREAMS];
    hb_grid_stats_t stats;
};

hb_grid_t *
hb_grid_new (int n_streams, int capacity, int64_t step_ns, int64_t lead_ns, int64_t late_ns,
             int64_t mono_ns)
{
    if (n_streams < 1 || n_streams > S_MAX_STREAMS || capacity < 0 || step_ns <= 0
    ||  lead_ns < 0 || late_ns < 0)
        return NULL;
    hb_grid_t *self = (hb_grid_t *) calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->n = n_streams;
    self->capacity = capacity;
    self->step_ns = step_ns;
    self->lead_ns = lead_ns;
    self->late_ns = late_ns;
    self->created_mono = mono_ns;
    for (int s = 0; s < n_streams && capacity > 0; s++) {
        self->streams [s].ring = (hb_grid_item_t *) calloc ((size_t) capacity, sizeof (hb_grid_item_t));
        if (!self->streams [s].ring) {
            hb_grid_destroy (&self);
            return NULL;
        }
    }
    return self;
}

void
hb_grid_destroy (hb_grid_t **self_p)
{
    assert (self_p);
    hb_grid_t *self = *self_p;
    if (!self)
        return;
    for (int s = 0; s < self->n; s++)
        free (self->streams [s].ring);
    free (self);
    *self_p = NULL;
}

//  The first grid time >= t
static int64_t
s_ceil (const hb_grid_t *self, int64_t t)
{
    int64_t k = t / self->step_ns;
    if (k * self->step_ns < t)
        k++;
    return k * self->step_ns;
}

void
hb_grid_start (hb_grid_t *self, int64_t t0_ns)
{
    assert (self);
    if (self->stats.samples == 0)
        self->next_ns = s_ceil (self, t0_ns > 0 ? t0_ns : 1);
}

static bool
s_late (const hb_grid_t *self, const s_stream_t *stream, int64_t mono_ns)
{
    int64_t since = stream->heard ? stream->last_mono : self->created_mono;
    return mono_ns - since > self->late_ns;
}

int
hb_grid_push (hb_grid_t *self, int stream, const hb_msg_t *msg, bool keep, int64_t mono_ns)
{
    assert (self && msg);
    assert (stream >= 0 && stream < self->n);
    s_stream_t *st = &self->streams [stream];
    int64_t ts = msg->env.ts_pub;
    if (st->heard && ts < st->last_ts) {
        self->stats.clamped++;
        ts = st->last_ts;
    }
    if (!st->heard) {
        st->heard = true;
        st->first_ts = ts;
    }
    st->last_ts = ts;
    st->last_mono = mono_ns;
    uint8_t type = msg->env.type;
    if (!keep || (type != HB_MSG_TICK && type != HB_MSG_FILL && type != HB_MSG_ACK))
        return 0;
    if (st->count == self->capacity) {
        self->full = true;
        return -1;
    }
    hb_grid_item_t *item = &st->ring [(st->head + st->count) % self->capacity];
    item->env = msg->env;
    item->env.ts_pub = ts;
    switch (type) {
        case HB_MSG_TICK: item->u.tick = msg->u.tick; break;
        case HB_MSG_FILL: item->u.fill = msg->u.fill; break;
        default:          item->u.ack = msg->u.ack; break;
    }
    st->count++;
    return 0;
}

//  Automatic start: once every stream is heard or late, lead_ns after the
//  latest first message of those heard
static void
s_try_start (hb_grid_t *self, int64_t mono_ns)
{
    int64_t first = 0;
    for (int s = 0; s < self->n; s++) {
        const s_stream_t *st = &self->streams [s];
        if (!st->heard && !s_late (self, st, mono_ns))
            return;
        if (st->heard && st->first_ts > first)
            first = st->first_ts;
    }
    if (first > 0)
        self->next_ns = s_ceil (self, first + self->lead_ns);
}

//  True when nothing that orders before (ts, stream) can still come from
//  another stream: each has passed ts (at ts only a later stream may
//  still send: it orders after), or is late, or a FIFO is full.
static bool
s_released (hb_grid_t *self, int stream, int64_t ts, int64_t mono_ns)
{
    bool forced = false;
    for (int s = 0; s < self->n; s++) {
        const s_stream_t *st = &self->streams [s];
        if (s == stream || (st->heard && (st->last_ts > ts || (st->last_ts == ts && s > stream)))
        ||  s_late (self, st, mono_ns))
            continue;
        if (!self->full)
            return false;
        forced = true;
    }
    if (forced)
        self->stats.forced++;
    return true;
}

hb_grid_step_t
hb_grid_next (hb_grid_t *self, int64_t mono_ns, int *stream, const hb_grid_item_t **item,
              int64_t *t_ns)
{
    assert (self && stream && item && t_ns);
    if (self->next_ns == 0)
        s_try_start (self, mono_ns);
    if (self->next_ns == 0)
        return HB_GRID_WAIT;
    int64_t t = self->next_ns;
    //  the earliest queued message, (data time, stream) order
    int first = -1;
    for (int s = 0; s < self->n; s++) {
        const s_stream_t *st = &self->streams [s];
        if (st->count > 0
        &&  (first < 0 || st->ring [st->head].env.ts_pub
                        < self->streams [first].ring [self->streams [first].head].env.ts_pub))
            first = s;
    }
    if (first >= 0) {
        const hb_grid_item_t *head = &self->streams [first].ring [self->streams [first].head];
        if (head->env.ts_pub <= t) {
            //  due before the sample; released once no other stream can
            //  still send something that comes before it
            if (!s_released (self, first, head->env.ts_pub, mono_ns))
                return HB_GRID_WAIT;
            *stream = first;
            *item = head;
            return HB_GRID_ITEM;
        }
    }
    bool waited = false, forced = false, all_late = true;
    int64_t newest_ts = 0, newest_mono = 0;
    for (int s = 0; s < self->n; s++) {
        const s_stream_t *st = &self->streams [s];
        if (st->heard && st->last_ts > newest_ts) {
            newest_ts = st->last_ts;
            newest_mono = st->last_mono;
        }
        if (st->heard && st->last_ts > t) {
            all_late = false;
            continue;
        }
        if (!s_late (self, st, mono_ns)) {
            if (!self->full)
                return HB_GRID_WAIT;
            forced = true;
            all_late = false;
        }
        waited = true;
    }
    //  nobody speaks: the data clock goes on with the wall clock
    if (all_late && (newest_ts == 0 || t > newest_ts + (mono_ns - newest_mono)))
        return HB_GRID_WAIT;
    if (forced)
        self->stats.forced++;
    else
    if (waited)
        self->stats.late_samples++;
    *t_ns = t;
    return HB_GRID_SAMPLE;
}

void
hb_grid_pop (hb_grid_t *self, int stream)
{
    assert (self && stream >= 0 && stream < self->n);
    s_stream_t *st = &self->streams [stream];
    if (st->count == 0)
        return;
    st->head = (st->head + 1) % self->capacity;
    st->count--;
    self->full = false;
}

void
hb_grid_sampled (hb_grid_t *self)
{
    assert (self);
    if (self->next_ns == 0)
        return;
    self->next_ns += self->step_ns;
    self->stats.samples++;
}

bool
hb_grid_passed (const hb_grid_t *self, int64_t t_ns, int64_t mono_ns)
{
    assert (self);
    for (int s = 0; s < self->n; s++) {
        const s_stream_t *st = &self->streams [s];
        if (!(st->heard && st->last_ts > t_ns) && !s_late (self, st, mono_ns))
            return false;
    }
    return true;
}

int64_t
hb_grid_next_time (const hb_grid_t *self)
{
    assert (self);
    return self->next_ns;
}

int64_t
hb_grid_stream_time (const hb_grid_t *self, int stream)
{
    assert (self);
    return stream >= 0 && stream < self->n ? self->streams [stream].last_ts : 0;
}

void
hb_grid_stats (const hb_grid_t *self, hb_grid_stats_t *stats)
{
    assert (self && stats);
    *stats = self->stats;
}
