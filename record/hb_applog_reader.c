/*  hb_applog_reader: an application log read back from a recording
    (hb_applog_reader.h).                                                  */
#include "hb_applog_reader.h"

#include <assert.h>
#include <czmq.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hb_log.h"
#include "hb_recording_reader.h"

#define S_ID_MAX    (HB_TOPIC_MAX + HB_NAME_MAX + 48)

typedef struct {
    uint64_t epoch;                 //  the life's
    hb_applog_msg_t body;
} s_batch_t;

typedef struct {
    size_t  size;
    uint8_t data [];
} s_payload_t;

struct _hb_applog_reader_t {
    char        publisher [HB_NAME_MAX];
    zlistx_t   *batches;            //  s_batch_t, in recording order
    zhashx_t   *wanted;             //  "<epoch> <publisher> <topic>" named by a key
    zhashx_t   *topics;             //  topics named by a key (a cheap first filter)
    zhashx_t   *messages;           //  "<epoch> <publisher> <topic> <seq>" -> s_payload_t
    //  reading
    s_batch_t  *batch;              //  current, NULL before the first and after the last
    bool        started;
    size_t      offset;
    uint64_t    life;               //  epoch of the life being read, 0 before
    uint64_t    entries;            //  of this life so far
    char      **keys;               //  this life's keys: identity "<epoch> <publisher> <topic>"
    uint32_t    n_keys, cap_keys;
    uint64_t    lives, inputs;
    hb_msg_t    msg;
    char        id [S_ID_MAX];
};

static void
s_payload_free (void **item)
{
    free (*item);
    *item = NULL;
}

static void
s_keys_clear (hb_applog_reader_t *self)
{
    for (uint32_t k = 0; k < self->n_keys; k++)
        free (self->keys [k]);
    self->n_keys = 0;
}

//  Pass 1: the batches of publisher, and the identities their keys name
static int
s_read_logs (hb_applog_reader_t *self, hb_recording_reader_t *rec)
{
    char topic [HB_TOPIC_MAX];
    snprintf (topic, sizeof topic, "seq.%s", self->publisher);
    hb_record_t record;
    while (hb_recording_reader_next (rec, &record) == 1) {
        if (strcmp (record.topic, topic) != 0)
            continue;
        if (hb_msg_decode (&self->msg, record.payload, record.size, NULL) != 0
        ||  self->msg.env.type != HB_MSG_APPLOG || strcmp (self->msg.env.publisher, self->publisher) != 0) {
            hb_warn ("applog: a %s record that is not %s's log skipped", topic, self->publisher);
            continue;
        }
        s_batch_t *batch = (s_batch_t *) malloc (sizeof *batch);
        if (!batch)
            return -1;
        batch->epoch = self->msg.env.epoch;
        batch->body = self->msg.u.applog;
        zlistx_add_end (self->batches, batch);
        size_t offset = 0;
        hb_applog_entry_t entry;
        int rc;
        while ((rc = hb_applog_parse (&batch->body, &offset, &entry)) == 1) {
            if (entry.kind != HB_APPLOG_KEY)
                continue;
            snprintf (self->id, sizeof self->id, "%" PRIu64 " %s %s", entry.epoch, entry.publisher,
                      entry.topic);
            zhashx_insert (self->wanted, self->id, (void *) 1);
            zhashx_insert (self->topics, entry.topic, (void *) 1);
        }
    }
    return 0;
}

//  Pass 2: a copy of every message a key names
static int
s_read_messages (hb_applog_reader_t *self, hb_recording_reader_t *rec)
{
    hb_recording_reader_seek (rec, INT64_MIN);
    hb_record_t record;
    while (hb_recording_reader_next (rec, &record) == 1) {
        if (!zhashx_lookup (self->topics, record.topic)
        ||  hb_msg_decode (&self->msg, record.payload, record.size, NULL) != 0)
            continue;
        const hb_env_t *env = &self->msg.env;
        snprintf (self->id, sizeof self->id, "%" PRIu64 " %s %s", env->epoch, env->publisher,
                  record.topic);
        if (!zhashx_lookup (self->wanted, self->id))
            continue;
        size_t n = strlen (self->id);
        snprintf (self->id + n, sizeof self->id - n, " %" PRIu64, env->seq);
        s_payload_t *payload = (s_payload_t *) malloc (sizeof *payload + record.size);
        if (!payload)
            return -1;
        payload->size = record.size;
        memcpy (payload->data, record.payload, record.size);
        //  a message recorded twice (two recorders merged) is one message
        if (zhashx_insert (self->messages, self->id, payload) != 0)
            free (payload);
    }
    return 0;
}

hb_applog_reader_t *
hb_applog_reader_new (const char *dir, const char *publisher)
{
    assert (dir && publisher);
    hb_recording_reader_t *rec = hb_recording_reader_new (dir);
    if (!rec)
        return NULL;
    hb_applog_reader_t *self = (hb_applog_reader_t *) calloc (1, sizeof *self);
    if (self) {
        snprintf (self->publisher, sizeof self->publisher, "%s", publisher);
        self->batches = zlistx_new ();
        self->wanted = zhashx_new ();
        self->topics = zhashx_new ();
        self->messages = zhashx_new ();
    }
    if (!self || !self->batches || !self->wanted || !self->topics || !self->messages) {
        hb_error ("applog: out of memory");
        hb_applog_reader_destroy (&self);
    }
    else {
        zlistx_set_destructor (self->batches, s_payload_free);
        zhashx_set_destructor (self->messages, s_payload_free);
        if (s_read_logs (self, rec) != 0 || s_read_messages (self, rec) != 0) {
            hb_error ("applog: out of memory reading %s", dir);
            hb_applog_reader_destroy (&self);
        }
        else
        if (zlistx_size (self->batches) == 0) {
            hb_error ("applog: %s holds no seq.%s (no application log of %s was recorded)",
                      dir, publisher, publisher);
            hb_applog_reader_destroy (&self);
        }
    }
    hb_recording_reader_destroy (&rec);
    return self;
}

void
hb_applog_reader_destroy (hb_applog_reader_t **self_p)
{
    assert (self_p);
    hb_applog_reader_t *self = *self_p;
    if (self) {
        s_keys_clear (self);
        free (self->keys);
        zlistx_destroy (&self->batches);
        zhashx_destroy (&self->wanted);
        zhashx_destroy (&self->topics);
        zhashx_destroy (&self->messages);
        free (self);
        *self_p = NULL;
    }
}

static int
s_key_define (hb_applog_reader_t *self, const hb_applog_entry_t *entry)
{
    if (entry->key != self->n_keys) {
        hb_error ("applog: life %" PRIu64 " of %s defines key %u where %u was due",
                  self->life, self->publisher, entry->key, self->n_keys);
        return -1;
    }
    if (self->n_keys == self->cap_keys) {
        uint32_t cap = self->cap_keys ? self->cap_keys * 2 : 64;
        char **keys = (char **) realloc (self->keys, cap * sizeof *keys);
        if (!keys)
            return -1;
        self->keys = keys;
        self->cap_keys = cap;
    }
    snprintf (self->id, sizeof self->id, "%" PRIu64 " %s %s", entry->epoch, entry->publisher,
              entry->topic);
    self->keys [self->n_keys] = strdup (self->id);
    return self->keys [self->n_keys++] ? 0 : -1;
}

static int
s_input (hb_applog_reader_t *self, const hb_applog_entry_t *entry, hb_applog_item_t *item)
{
    if (entry->key >= self->n_keys) {
        hb_error ("applog: life %" PRIu64 " of %s names key %u, never defined",
                  self->life, self->publisher, entry->key);
        return -1;
    }
    snprintf (self->id, sizeof self->id, "%s %" PRIu64, self->keys [entry->key], entry->seq);
    const s_payload_t *payload = (const s_payload_t *) zhashx_lookup (self->messages, self->id);
    if (!payload) {
        hb_error ("applog: life %" PRIu64 " of %s applied \"%s\" (epoch publisher topic seq), "
                  "which the recording does not hold: the replay stops here (entry %" PRIu64 ")",
                  self->life, self->publisher, self->id, self->entries);
        return -1;
    }
    if (hb_msg_decode (&self->msg, payload->data, payload->size, NULL) != 0)
        return -1;
    //  the topic is the third word of the identity
    const char *topic = strchr (strchr (self->keys [entry->key], ' ') + 1, ' ') + 1;
    snprintf (item->topic, sizeof item->topic, "%s", topic);
    item->msg = &self->msg;
    item->status = entry->status;
    self->inputs++;
    return 0;
}

int
hb_applog_reader_next (hb_applog_reader_t *self, hb_applog_item_t *item)
{
    assert (self && item);
    for (;;) {
        if (!self->started) {
            self->started = true;
            self->batch = (s_batch_t *) zlistx_first (self->batches);
            self->offset = 0;
        }
        if (!self->batch)
            return 0;
        memset (item, 0, sizeof *item);
        if (self->batch->epoch != self->life) {
            //  a new life: its first batch must be its first entries
            if (self->batch->body.first != 0) {
                hb_error ("applog: life %" PRIu64 " of %s starts at entry %" PRIu64
                          " in the recording: its first entries were lost", self->batch->epoch,
                          self->publisher, self->batch->body.first);
                return -1;
            }
            self->life = self->batch->epoch;
            self->entries = 0;
            self->lives++;
            s_keys_clear (self);
            item->kind = HB_APPLOG_LIFE;
            item->epoch = self->life;
            return 1;
        }
        //  a batch recorded twice (two recorders merged, as for messages
        //  below) is one batch: its entries were read already
        if (self->offset == 0 && self->batch->body.first < self->entries
        &&  self->batch->body.first + self->batch->body.count <= self->entries) {
            self->batch = (s_batch_t *) zlistx_next (self->batches);
            if (!self->batch)
                return 0;
            continue;
        }
        if (self->offset == 0 && self->batch->body.first != self->entries) {
            hb_error ("applog: life %" PRIu64 " of %s: entries %" PRIu64 "..%" PRIu64
                      " are missing from the recording", self->life, self->publisher,
                      self->entries, self->batch->body.first - 1);
            return -1;
        }
        hb_applog_entry_t entry;
        int rc = hb_applog_parse (&self->batch->body, &self->offset, &entry);
        if (rc < 0) {
            hb_error ("applog: life %" PRIu64 " of %s: entry %" PRIu64 " does not parse",
                      self->life, self->publisher, self->entries);
            return -1;
        }
        if (rc == 0) {
            self->batch = (s_batch_t *) zlistx_next (self->batches);
            self->offset = 0;
            if (!self->batch)
                return 0;
            continue;
        }
        self->entries++;
        item->epoch = self->life;
        item->kind = entry.kind;
        item->t = entry.t;
        item->sub = entry.sub;
        switch (entry.kind) {
            case HB_APPLOG_KEY:
                if (s_key_define (self, &entry) != 0)
                    return -1;
                continue;
            case HB_APPLOG_IN:
                return s_input (self, &entry, item) == 0 ? 1 : -1;
            case HB_APPLOG_BLOB:
                item->data = entry.data;
                item->size = entry.size;
                return 1;
            default:
                return 1;
        }
    }
}

uint64_t
hb_applog_reader_lives (const hb_applog_reader_t *self)
{
    assert (self);
    return self->lives;
}

uint64_t
hb_applog_reader_inputs (const hb_applog_reader_t *self)
{
    assert (self);
    return self->inputs;
}
