/*  hb_seq: see hb_seq.h.

    One zhashx entry per (publisher, topic). The key is a pair of string
    pointers, so a lookup builds its key on the stack and never allocates;
    the stored key points into its own entry, so a new (publisher, topic)
    costs exactly one allocation.                                            */
#include "hb_seq.h"

#include <czmq.h>
#include <string.h>

typedef struct {
    const char *publisher;
    const char *topic;
} s_key_t;

typedef struct {
    s_key_t  key;               //  points into text below; must stay first
    uint64_t epoch;
    uint64_t seq;               //  last accepted seq in that epoch
    char     text [];           //  publisher \0 topic \0
} s_entry_t;

struct _hb_seq_t {
    zhashx_t *table;            //  s_key_t * -> s_entry_t *
};

//  FNV-1a over publisher, a NUL and topic: the NUL keeps ("ab", "c") and
//  ("a", "bc") apart.
static size_t
s_key_hash (const void *item)
{
    const s_key_t *key = (const s_key_t *) item;
    uint64_t hash = UINT64_C (14695981039346656037);
    for (const char *p = key->publisher; *p; p++)
        hash = (hash ^ (uint8_t) *p) * UINT64_C (1099511628211);
    hash = hash * UINT64_C (1099511628211);
    for (const char *p = key->topic; *p; p++)
        hash = (hash ^ (uint8_t) *p) * UINT64_C (1099511628211);
    return (size_t) hash;
}

static int
s_key_compare (const void *item1, const void *item2)
{
    const s_key_t *a = (const s_key_t *) item1;
    const s_key_t *b = (const s_key_t *) item2;
    int rc = strcmp (a->publisher, b->publisher);
    return rc ? rc : strcmp (a->topic, b->topic);
}

static void
s_entry_destroy (void **item_p)
{
    free (*item_p);
    *item_p = NULL;
}

hb_seq_t *
hb_seq_new (void)
{
    hb_seq_t *self = (hb_seq_t *) zmalloc (sizeof (hb_seq_t));
    if (!self)
        return NULL;
    self->table = zhashx_new ();
    if (!self->table) {
        free (self);
        return NULL;
    }
    //  Keys live inside their entries: no copy, no separate free.
    zhashx_set_key_duplicator (self->table, NULL);
    zhashx_set_key_destructor (self->table, NULL);
    zhashx_set_key_hasher (self->table, s_key_hash);
    zhashx_set_key_comparator (self->table, s_key_compare);
    zhashx_set_destructor (self->table, s_entry_destroy);
    return self;
}

void
hb_seq_destroy (hb_seq_t **self_p)
{
    assert (self_p);
    hb_seq_t *self = *self_p;
    if (self) {
        zhashx_destroy (&self->table);
        free (self);
        *self_p = NULL;
    }
}

static s_entry_t *
s_entry_new (const char *publisher, const char *topic)
{
    size_t publen = strlen (publisher);
    size_t topiclen = strlen (topic);
    s_entry_t *entry = (s_entry_t *) malloc (sizeof (s_entry_t) + publen + topiclen + 2);
    if (!entry)
        return NULL;
    memcpy (entry->text, publisher, publen + 1);
    memcpy (entry->text + publen + 1, topic, topiclen + 1);
    entry->key.publisher = entry->text;
    entry->key.topic = entry->text + publen + 1;
    entry->epoch = 0;
    entry->seq = 0;
    return entry;
}

hb_seq_status_t
hb_seq_check (hb_seq_t *self, const char *topic, const hb_env_t *env, uint64_t *missed)
{
    assert (self);
    assert (topic);
    assert (env);
    uint64_t lost = 0;
    hb_seq_status_t status;

    //  env->publisher is a fixed array: bound it even if the sender did not.
    char publisher [HB_NAME_MAX];
    memcpy (publisher, env->publisher, HB_NAME_MAX);
    publisher [HB_NAME_MAX - 1] = 0;

    s_key_t key = { publisher, topic };
    s_entry_t *entry = (s_entry_t *) zhashx_lookup (self->table, &key);
    if (!entry) {
        entry = s_entry_new (publisher, topic);
        //  Out of memory: we cannot remember it, but the message itself is
        //  fine; the next one will be FIRST again.
        if (entry && zhashx_insert (self->table, &entry->key, entry) != 0) {
            free (entry);
            entry = NULL;
        }
        status = HB_SEQ_FIRST;
    }
    else
    if (env->epoch > entry->epoch)
        status = HB_SEQ_RESTART;
    else
    if (env->epoch < entry->epoch || env->seq <= entry->seq)
        status = HB_SEQ_STALE;
    else
    if (env->seq == entry->seq + 1)
        status = HB_SEQ_OK;
    else {
        lost = env->seq - entry->seq - 1;
        status = HB_SEQ_GAP;
    }
    if (entry && status != HB_SEQ_STALE) {
        entry->epoch = env->epoch;
        entry->seq = env->seq;
    }
    if (missed)
        *missed = lost;
    return status;
}

void
hb_seq_reset (hb_seq_t *self)
{
    assert (self);
    zhashx_purge (self->table);
}

const char *
hb_seq_status_name (hb_seq_status_t status)
{
    switch (status) {
        case HB_SEQ_OK:      return "ok";
        case HB_SEQ_FIRST:   return "first";
        case HB_SEQ_GAP:     return "gap";
        case HB_SEQ_RESTART: return "restart";
        case HB_SEQ_STALE:   return "stale";
    }
    return "unknown";
}
