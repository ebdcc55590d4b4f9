/*  hb_applog: the application log of a deciding process (hb_applog.h).  */
#include "hb_applog.h"

#include <assert.h>
#include <czmq.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hb_log.h"

#define S_KEY_MAX   (HB_TOPIC_MAX + HB_NAME_MAX + 24)
#define S_RECENT    8               //  keys remembered without formatting

//  A key used lately: a process has a handful of busy topics, and
//  formatting the lookup string and hashing it for every input cost more
//  than the entry itself
typedef struct {
    bool     used;
    uint64_t epoch;
    uint32_t key;
    char     topic [HB_TOPIC_MAX];
    char     publisher [HB_NAME_MAX];
} s_recent_t;

struct _hb_applog_t {
    hb_applog_send_fn *send;
    void       *arg;
    zhashx_t   *keys;               //  "<epoch> <publisher> <topic>" -> key + 1
    uint32_t    n_keys;
    uint64_t    entries;            //  written, sent or not
    uint64_t    sent;               //  entries in batches handed to send
    uint64_t    errors;
    hb_msg_t    batch;              //  the entries not sent yet
    bool        hold;               //  hb_applog_hold
    zlistx_t   *held;               //  hb_applog_msg_t copies, oldest first
    char        lookup [S_KEY_MAX];
    s_recent_t  recent [S_RECENT];
    int         recent_next;        //  the slot the next key found by lookup takes
};

static void
s_held_free (void **item)
{
    free (*item);
    *item = NULL;
}

hb_applog_t *
hb_applog_new (hb_applog_send_fn *send, void *arg)
{
    assert (send);
    hb_applog_t *self = (hb_applog_t *) calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->send = send;
    self->arg = arg;
    self->keys = zhashx_new ();
    self->held = zlistx_new ();
    if (!self->keys || !self->held) {
        hb_applog_destroy (&self);
        return NULL;
    }
    zlistx_set_destructor (self->held, s_held_free);
    return self;
}

void
hb_applog_destroy (hb_applog_t **self_p)
{
    assert (self_p);
    hb_applog_t *self = *self_p;
    if (self) {
        zhashx_destroy (&self->keys);
        zlistx_destroy (&self->held);
        free (self);
        *self_p = NULL;
    }
}

int
hb_applog_flush (hb_applog_t *self)
{
    assert (self);
    hb_applog_msg_t *body = &self->batch.u.applog;
    if (body->count == 0)
        return 0;
    self->batch.env.type = HB_MSG_APPLOG;
    body->first = self->sent;
    self->sent += body->count;
    int rc = 0;
    if (self->hold) {
        hb_applog_msg_t *copy = (hb_applog_msg_t *) malloc (sizeof *copy);
        if (zlistx_size (self->held) < HB_APPLOG_HOLD_MAX && copy) {
            *copy = *body;
            zlistx_add_end (self->held, copy);
            body->count = 0;
            body->size = 0;
            return 0;
        }
        free (copy);
        rc = -1;
    }
    else
        rc = self->send (&self->batch, self->arg);
    if (rc != 0) {
        self->errors++;
        hb_error ("applog: a batch of %u entries could not be published: a replay of this "
                  "life stops there", body->count);
    }
    //  the envelope is stamped anew by each send
    memset (&self->batch.env, 0, sizeof self->batch.env);
    body->count = 0;
    body->size = 0;
    return rc;
}

//  Room for size more bytes in the batch, flushing it when full
static uint8_t *
s_reserve (hb_applog_t *self, size_t size, int *rc)
{
    assert (size <= HB_APPLOG_DATA_MAX);
    hb_applog_msg_t *body = &self->batch.u.applog;
    if (body->size + size > HB_APPLOG_DATA_MAX && hb_applog_flush (self) != 0)
        *rc = -1;
    uint8_t *at = body->data + body->size;
    body->size += (uint16_t) size;
    body->count++;
    self->entries++;
    return at;
}

static uint8_t *
s_put (uint8_t *at, const void *value, size_t size)
{
    //  the wire is little-endian, as is every machine we build for
    memcpy (at, value, size);
    return at + size;
}

//  The key of (topic, publisher, epoch), written as a KEY entry first time
static uint32_t
s_key_lookup (hb_applog_t *self, const char *topic, const hb_env_t *env, int *rc)
{
    snprintf (self->lookup, sizeof self->lookup, "%llu %s %s",
              (unsigned long long) env->epoch, env->publisher, topic);
    uintptr_t found = (uintptr_t) zhashx_lookup (self->keys, self->lookup);
    if (found)
        return (uint32_t) (found - 1);
    uint32_t key = self->n_keys++;
    zhashx_insert (self->keys, self->lookup, (void *) (uintptr_t) (key + 1));
    size_t n = strnlen (topic, HB_TOPIC_MAX - 1), m = strnlen (env->publisher, HB_NAME_MAX - 1);
    uint8_t *at = s_reserve (self, 1 + 4 + 8 + 1 + n + 1 + m, rc);
    *at++ = HB_APPLOG_KEY;
    at = s_put (at, &key, 4);
    at = s_put (at, &env->epoch, 8);
    *at++ = (uint8_t) n;
    at = s_put (at, topic, n);
    *at++ = (uint8_t) m;
    s_put (at, env->publisher, m);
    return key;
}

//  The same, from the recent keys first
static uint32_t
s_key (hb_applog_t *self, const char *topic, const hb_env_t *env, int *rc)
{
    for (int i = 0; i < S_RECENT; i++) {
        const s_recent_t *recent = &self->recent [i];
        if (recent->used && recent->epoch == env->epoch
        &&  strncmp (recent->topic, topic, HB_TOPIC_MAX) == 0
        &&  strncmp (recent->publisher, env->publisher, HB_NAME_MAX) == 0)
            return recent->key;
    }
    uint32_t key = s_key_lookup (self, topic, env, rc);
    s_recent_t *recent = &self->recent [self->recent_next];
    self->recent_next = (self->recent_next + 1) % S_RECENT;
    recent->used = true;
    recent->epoch = env->epoch;
    recent->key = key;
    snprintf (recent->topic, sizeof recent->topic, "%s", topic);
    snprintf (recent->publisher, sizeof recent->publisher, "%s", env->publisher);
    return key;
}

int
hb_applog_input (hb_applog_t *self, const char *topic, const hb_env_t *env, uint8_t status,
                 int64_t t)
{
    assert (self && topic && env);
    int rc = 0;
    uint32_t key = s_key (self, topic, env, &rc);
    uint8_t *at = s_reserve (self, 1 + 4 + 8 + 8 + 1, &rc);
    *at++ = HB_APPLOG_IN;
    at = s_put (at, &key, 4);
    at = s_put (at, &env->seq, 8);
    at = s_put (at, &t, 8);
    *at = status;
    return rc;
}

int
hb_applog_timer (hb_applog_t *self, uint8_t timer, int64_t t)
{
    assert (self);
    int rc = 0;
    uint8_t *at = s_reserve (self, 1 + 1 + 8, &rc);
    *at++ = HB_APPLOG_TIMER;
    *at++ = timer;
    s_put (at, &t, 8);
    return rc;
}

int
hb_applog_blob (hb_applog_t *self, uint8_t kind, int64_t t, const void *data, size_t size)
{
    assert (self);
    if (size > HB_APPLOG_BLOB_MAX || (size > 0 && !data))
        return -1;
    int rc = 0;
    uint16_t n = (uint16_t) size;
    uint8_t *at = s_reserve (self, 1 + 1 + 8 + 2 + size, &rc);
    *at++ = HB_APPLOG_BLOB;
    *at++ = kind;
    at = s_put (at, &t, 8);
    at = s_put (at, &n, 2);
    if (size)
        s_put (at, data, size);
    return rc;
}

int
hb_applog_hold (hb_applog_t *self, bool hold)
{
    assert (self);
    self->hold = true;
    if (hold)
        return 0;
    //  what is pending goes behind what waited, in order
    int rc = hb_applog_flush (self);
    self->hold = false;
    hb_applog_msg_t *held;
    while ((held = (hb_applog_msg_t *) zlistx_first (self->held)) != NULL) {
        memset (&self->batch.env, 0, sizeof self->batch.env);
        self->batch.env.type = HB_MSG_APPLOG;
        self->batch.u.applog = *held;
        zlistx_delete (self->held, zlistx_cursor (self->held));
        if (self->send (&self->batch, self->arg) != 0) {
            self->errors++;
            rc = -1;
        }
    }
    memset (&self->batch, 0, sizeof self->batch);
    return rc;
}

uint64_t
hb_applog_entries (const hb_applog_t *self)
{
    assert (self);
    return self->entries;
}

uint64_t
hb_applog_errors (const hb_applog_t *self)
{
    assert (self);
    return self->errors;
}

//  ---------------------------------------------------------------------------
//  Parsing

static bool
s_get (const hb_applog_msg_t *batch, size_t *offset, void *value, size_t size)
{
    if (*offset + size > batch->size)
        return false;
    memcpy (value, batch->data + *offset, size);
    *offset += size;
    return true;
}

//  A name of u8 length into dest (capacity > the length), NUL-terminated;
//  empty only when may_be_empty (a message without a publisher is logged
//  as the writer got it: refusing it here made the whole life unreadable)
static bool
s_get_name (const hb_applog_msg_t *batch, size_t *offset, char *dest, size_t capacity,
            bool may_be_empty)
{
    uint8_t n;
    if (!s_get (batch, offset, &n, 1) || (n == 0 && !may_be_empty) || n >= capacity
    ||  !s_get (batch, offset, dest, n))
        return false;
    dest [n] = '\0';
    return memchr (dest, '\0', n) == NULL;
}

int
hb_applog_parse (const hb_applog_msg_t *batch, size_t *offset, hb_applog_entry_t *entry)
{
    assert (batch && offset && entry);
    if (*offset >= batch->size)
        return 0;
    memset (entry, 0, sizeof *entry);
    bool ok = s_get (batch, offset, &entry->kind, 1);
    switch (ok ? entry->kind : 0) {
        case HB_APPLOG_KEY:
            ok = s_get (batch, offset, &entry->key, 4) && s_get (batch, offset, &entry->epoch, 8)
              && s_get_name (batch, offset, entry->topic, sizeof entry->topic, false)
              && s_get_name (batch, offset, entry->publisher, sizeof entry->publisher, true);
            break;
        case HB_APPLOG_IN:
            ok = s_get (batch, offset, &entry->key, 4) && s_get (batch, offset, &entry->seq, 8)
              && s_get (batch, offset, &entry->t, 8) && s_get (batch, offset, &entry->status, 1);
            break;
        case HB_APPLOG_TIMER:
            ok = s_get (batch, offset, &entry->sub, 1) && s_get (batch, offset, &entry->t, 8);
            break;
        case HB_APPLOG_BLOB: {
            uint16_t n;
            ok = s_get (batch, offset, &entry->sub, 1) && s_get (batch, offset, &entry->t, 8)
              && s_get (batch, offset, &n, 2) && *offset + n <= batch->size;
            if (ok) {
                entry->data = batch->data + *offset;
                entry->size = n;
                *offset += n;
            }
            break;
        }
        default:
            ok = false;
    }
    return ok ? 1 : -1;
}
