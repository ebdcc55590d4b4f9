/*  hb_fillstore: see hb_fillstore.h. */
#include "hb_fillstore.h"
#include "hb_log.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct _hb_fillstore_t {
    hb_journal_t         *journal;      //  NULL: memory only
    hb_fill_t            *ring;
    size_t                cap;
    uint64_t              next;         //  index of the next fill
    hb_fillstore_stats_t  stats;
};

static void
s_keep (hb_fillstore_t *self, const hb_fill_t *fill)
{
    if (self->next >= self->cap)
        self->stats.evicted++;
    self->ring [self->next % self->cap] = *fill;
    self->next++;
}

static int
s_replay_one (const void *data, size_t size, uint64_t index, void *arg)
{
    hb_fillstore_t *self = (hb_fillstore_t *) arg;
    hb_msg_t msg;
    hb_decode_reason_t reason;
    if (hb_msg_decode (&msg, data, size, &reason) != 0 || msg.env.type != HB_MSG_FILL) {
        self->stats.bad_records++;
        hb_warn ("fill journal %s: record %llu is not a fill (%s): skipped",
                 hb_journal_path (self->journal), (unsigned long long) index,
                 hb_decode_reason_name (reason));
        return 0;
    }
    s_keep (self, &msg.u.fill);
    self->stats.replayed++;
    return 0;
}

hb_fillstore_t *
hb_fillstore_new (const char *path, hb_journal_policy_t policy, int interval_ms, size_t cap)
{
    hb_fillstore_t *self = (hb_fillstore_t *) calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->cap = cap ? cap : HB_FILLSTORE_CAP;
    self->ring = (hb_fill_t *) calloc (self->cap, sizeof *self->ring);
    if (!self->ring) {
        hb_error ("fill store: no memory for %zu fills", self->cap);
        hb_fillstore_destroy (&self);
        return NULL;
    }
    if (path && path [0]) {
        self->journal = hb_journal_open_owned (path, policy, interval_ms);
        if (!self->journal || hb_journal_replay (self->journal, s_replay_one, self) != 0) {
            hb_fillstore_destroy (&self);
            return NULL;
        }
    }
    return self;
}

void
hb_fillstore_destroy (hb_fillstore_t **self_p)
{
    assert (self_p);
    hb_fillstore_t *self = *self_p;
    if (!self)
        return;
    hb_journal_destroy (&self->journal);
    free (self->ring);
    free (self);
    *self_p = NULL;
}

int
hb_fillstore_append (hb_fillstore_t *self, const hb_fill_t *fill)
{
    assert (self && fill);
    //  the record is the fill alone, in a blank envelope: the bus envelope
    //  it is published in does not exist yet. Encoding also vets the fill,
    //  journal or not, so the ring never holds what could not be replayed.
    hb_msg_t msg;
    memset (&msg.env, 0, sizeof msg.env);
    msg.env.type = HB_MSG_FILL;
    strcpy (msg.env.publisher, "journal");
    msg.u.fill = *fill;
    hb_buf_t buf;
    if (hb_msg_encode (&msg, &buf) != 0) {
        errno = EINVAL;
        return -1;
    }
    int rc = self->journal ? hb_journal_append (self->journal, buf.data, buf.size) : 0;
    if (rc)
        self->stats.unjournaled++;
    s_keep (self, fill);
    self->stats.appended++;
    return rc;
}

uint64_t
hb_fillstore_next (hb_fillstore_t *self)
{
    assert (self);
    return self->next;
}

uint64_t
hb_fillstore_first (hb_fillstore_t *self)
{
    assert (self);
    return self->next > self->cap ? self->next - self->cap : 0;
}

const hb_fill_t *
hb_fillstore_get (hb_fillstore_t *self, uint64_t index)
{
    assert (self);
    if (index >= self->next || index < hb_fillstore_first (self))
        return NULL;
    return &self->ring [index % self->cap];
}

typedef struct {
    hb_fillstore_fn *fn;
    void            *arg;
} s_each_t;

static int
s_each_one (const void *data, size_t size, uint64_t index, void *arg)
{
    (void) index;
    s_each_t *each = (s_each_t *) arg;
    hb_msg_t msg;
    if (hb_msg_decode (&msg, data, size, NULL) == 0 && msg.env.type == HB_MSG_FILL)
        each->fn (each->arg, &msg.u.fill);
    return 0;
}

int
hb_fillstore_each (hb_fillstore_t *self, hb_fillstore_fn *fn, void *arg)
{
    assert (self && fn);
    if (self->journal) {
        s_each_t each = { fn, arg };
        return hb_journal_replay (self->journal, s_each_one, &each);
    }
    for (uint64_t index = hb_fillstore_first (self); index < self->next; index++)
        fn (arg, hb_fillstore_get (self, index));
    return 0;
}

int
hb_fillstore_sync (hb_fillstore_t *self)
{
    assert (self);
    return self->journal ? hb_journal_sync (self->journal) : 0;
}

void
hb_fillstore_stats (hb_fillstore_t *self, hb_fillstore_stats_t *stats)
{
    assert (self && stats);
    *stats = self->stats;
}
