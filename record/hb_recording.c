/*  hb_recording: see hb_recording.h. */
#include "hb_recording.h"
#include "hb_log.h"

#include <czmq.h>
#include <dirent.h>
#include <errno.h>
#include <string.h>

#define S_SEGMENT_BYTES (64ull << 20)
#define S_SEGMENT_NS    (3600ll * 1000000000ll)
#define S_INDEX_RECORDS 1000
#define S_INDEX_NS      1000000000ll
#define S_RECORD_MAX    (HB_RECORDING_RECORD_HEAD + 255 + HB_MSG_MAX_SIZE)
//  Batching: index entries waiting for their batch, at most, and a buffer
//  that always holds that many, so the index journal never writes one by
//  itself before the segment records it points at are written.
#define S_INDEX_PENDING 64
#define S_INDEX_ENTRY_MAX (1 + 24 + 2 + HB_NAME_MAX + 255)
#define S_INDEX_BUFFER  (S_INDEX_PENDING * (HB_JOURNAL_RECORD_OVERHEAD + S_INDEX_ENTRY_MAX))

//  Records of one (publisher, topic) since its last S entry in this segment.
typedef struct {
    uint32_t since;
} s_stream_t;

struct _hb_recording_t {
    char               *dir;
    hb_recording_opts_t opts;
    hb_journal_t       *segment;        //  NULL between segments
    hb_journal_t       *index;
    uint32_t            next_n;
    uint32_t            created;
    int64_t             segment_first_ts;
    int64_t             last_ts;         //  the clamp
    int64_t             index_ts;        //  time of the last T entry
    uint64_t            segment_records;
    uint64_t            since_index;
    uint64_t            count;
    uint64_t            lost;           //  accepted, then dropped by a failed batch write
    zhashx_t           *streams;        //  "publisher topic" -> s_stream_t, per segment
    uint8_t             record [S_RECORD_MAX];
};

char *
hb_recording_segment_name (char *out, size_t size, int64_t first_ts, uint32_t n, const char *ext)
{
    snprintf (out, size, "seg-%019lld-%06u.%s", (long long) first_ts, n, ext);
    return out;
}

static void
s_put_u64 (uint8_t *out, uint64_t value)
{
    for (int i = 0; i < 8; i++)
        out [i] = (uint8_t) (value >> (8 * i));
}

static void
s_stream_destroy (void **item_p)
{
    free (*item_p);
    *item_p = NULL;
}

hb_recording_t *
hb_recording_new (const char *dir, const hb_recording_opts_t *opts)
{
    assert (dir);
    if (zsys_dir_create ("%s", dir) != 0 && errno != EEXIST) {
        hb_error ("recording %s: cannot create the directory: %s", dir, strerror (errno));
        return NULL;
    }
    DIR *listing = opendir (dir);
    if (!listing) {
        hb_error ("recording %s: cannot list the directory: %s", dir, strerror (errno));
        return NULL;
    }
    hb_recording_t *self = (hb_recording_t *) zmalloc (sizeof *self);
    self->dir = strdup (dir);
    self->streams = zhashx_new ();
    if (!self->dir || !self->streams) {
        closedir (listing);
        hb_recording_destroy (&self);
        return NULL;
    }
    zhashx_set_destructor (self->streams, s_stream_destroy);
    if (opts)
        self->opts = *opts;
    if (!self->opts.segment_bytes)
        self->opts.segment_bytes = S_SEGMENT_BYTES;
    if (self->opts.segment_ns <= 0)
        self->opts.segment_ns = S_SEGMENT_NS;
    if (!self->opts.index_records)
        self->opts.index_records = S_INDEX_RECORDS;
    if (self->opts.index_ns <= 0)
        self->opts.index_ns = S_INDEX_NS;
    //  Go on after the highest segment number already there.
    const struct dirent *entry;
    while ((entry = readdir (listing))) {
        long long ts;
        unsigned n;
        char ext [4];
        if (sscanf (entry->d_name, "seg-%19lld-%6u.%3s", &ts, &n, ext) == 3 && n >= self->next_n)
            self->next_n = n;
    }
    closedir (listing);
    self->next_n++;
    return self;
}

//  Closes the segment and its index. After a failed segment write the
//  index's pending entries point at records that were not written, so
//  they are dropped with it.
static void
s_drop_segment (hb_recording_t *self)
{
    if (self->segment)
        hb_journal_discard (self->segment);
    if (self->index)
        hb_journal_discard (self->index);
    hb_journal_destroy (&self->segment);
    hb_journal_destroy (&self->index);
    zhashx_purge (self->streams);
}

//  Accounts for the records a failed segment write or flush dropped:
//  before is the segment's count (pending included) just before it.
//  Without batching, a failed write that left the journal usable loses
//  only its own record and the segment goes on; otherwise the segment is
//  closed and the next append starts a new one.
static void
s_segment_failed (hb_recording_t *self, uint64_t before)
{
    int err = errno;
    uint64_t after = hb_journal_count (self->segment) - hb_journal_pending (self->segment);
    uint64_t lost = before > after ? before - after : 0;
    self->lost += lost;
    self->count -= lost;
    if (err == EIO || self->opts.batch_bytes)
        s_drop_segment (self);
    errno = err;
}

//  Segment first, then its index: an index entry never reaches the file
//  before the record it points at.
static int
s_flush (hb_recording_t *self)
{
    if (!self->segment)
        return 0;
    uint64_t before = hb_journal_count (self->segment);
    if (hb_journal_flush (self->segment) == -1) {
        s_segment_failed (self, before);
        return -1;
    }
    if (self->index && hb_journal_flush (self->index) == -1) {
        hb_warn ("recording %s: index write failed (%s); readers will scan this segment",
                 hb_journal_path (self->index), strerror (errno));
        hb_journal_discard (self->index);
        hb_journal_destroy (&self->index);
    }
    return 0;
}

static void
s_close_segment (hb_recording_t *self)
{
    if (s_flush (self) == 0)
        s_drop_segment (self);          //  nothing pending any more
}

void
hb_recording_destroy (hb_recording_t **self_p)
{
    assert (self_p);
    hb_recording_t *self = *self_p;
    if (!self)
        return;
    s_close_segment (self);
    zhashx_destroy (&self->streams);
    free (self->dir);
    free (self);
    *self_p = NULL;
}

static int
s_open_segment (hb_recording_t *self, int64_t first_ts)
{
    char name [64], path [PATH_MAX];
    snprintf (path, sizeof path, "%s/%s", self->dir,
              hb_recording_segment_name (name, sizeof name, first_ts, self->next_n, "hbr"));
    self->segment = hb_journal_open (path, self->opts.policy, self->opts.interval_ms);
    if (!self->segment)
        return -1;
    if (hb_journal_set_buffer (self->segment, self->opts.batch_bytes) == -1) {
        hb_error ("recording %s: no memory for a write buffer", self->dir);
        hb_journal_destroy (&self->segment);
        errno = ENOMEM;
        return -1;
    }
    snprintf (path, sizeof path, "%s/%s", self->dir,
              hb_recording_segment_name (name, sizeof name, first_ts, self->next_n, "hbi"));
    //  The index is an accelerator: without it readers scan.
    self->index = hb_journal_open (path, HB_JOURNAL_FSYNC_NEVER, 0);
    if (!self->index)
        hb_warn ("recording %s: no index for segment %u", self->dir, self->next_n);
    else
    if (self->opts.batch_bytes && hb_journal_set_buffer (self->index, S_INDEX_BUFFER) == -1) {
        hb_warn ("recording %s: no memory for an index buffer: no index for segment %u",
                 self->dir, self->next_n);
        hb_journal_destroy (&self->index);
    }
    self->next_n++;
    self->created++;
    self->segment_first_ts = first_ts;
    self->segment_records = 0;
    self->since_index = 0;
    self->index_ts = 0;
    return 0;
}

//  Writes an index entry; a failure costs only seek speed, so it is logged
//  once and the index is dropped for the rest of the segment.
static void
s_index_write (hb_recording_t *self, const uint8_t *entry, size_t size)
{
    if (self->index && hb_journal_pending (self->index) >= S_INDEX_PENDING)
        s_flush (self);                 //  a failure closes the segment and the index
    if (self->index && hb_journal_append (self->index, entry, size) != 0) {
        hb_warn ("recording %s: index write failed (%s); readers will scan this segment",
                 hb_journal_path (self->index), strerror (errno));
        hb_journal_destroy (&self->index);
    }
}

static void
s_index_seq (hb_recording_t *self, const char *topic, size_t topic_len,
             const hb_env_t *env, uint64_t offset)
{
    //  "publisher topic", built by hand: this runs for every message.
    char key [HB_NAME_MAX + HB_TOPIC_MAX + 2];
    size_t pub_len = strnlen (env->publisher, HB_NAME_MAX - 1);
    memcpy (key, env->publisher, pub_len);
    key [pub_len] = ' ';
    memcpy (key + pub_len + 1, topic, topic_len);
    key [pub_len + 1 + topic_len] = '\0';
    s_stream_t *stream = (s_stream_t *) zhashx_lookup (self->streams, key);
    if (!stream) {
        stream = (s_stream_t *) zmalloc (sizeof *stream);
        zhashx_insert (self->streams, key, stream);
    }
    else
    if (++stream->since < self->opts.index_records)
        return;
    stream->since = 0;
    uint8_t entry [S_INDEX_ENTRY_MAX];
    entry [0] = HB_RECORDING_INDEX_SEQ;
    s_put_u64 (entry + 1, env->epoch);
    s_put_u64 (entry + 9, env->seq);
    s_put_u64 (entry + 17, offset);
    entry [25] = (uint8_t) pub_len;
    memcpy (entry + 26, env->publisher, pub_len);
    entry [26 + pub_len] = (uint8_t) topic_len;
    memcpy (entry + 27 + pub_len, topic, topic_len);
    s_index_write (self, entry, 27 + pub_len + topic_len);
}

int
hb_recording_append (hb_recording_t *self, int64_t recv_ts, const char *topic,
                     const void *payload, size_t size, const hb_env_t *env)
{
    assert (self && topic);
    size_t topic_len = strlen (topic);
    if (topic_len == 0 || topic_len >= HB_TOPIC_MAX) {
        errno = EINVAL;
        return -1;
    }
    size_t record_size = HB_RECORDING_RECORD_HEAD + topic_len + size;
    if (size > HB_MSG_MAX_SIZE || record_size > HB_JOURNAL_MAX_RECORD) {
        errno = EMSGSIZE;
        return -1;
    }
    if (recv_ts < self->last_ts)
        recv_ts = self->last_ts;
    self->last_ts = recv_ts;
    if (self->segment
    && (hb_journal_size (self->segment) + HB_JOURNAL_RECORD_OVERHEAD + record_size
            > self->opts.segment_bytes
     || recv_ts - self->segment_first_ts >= self->opts.segment_ns)
    &&  self->segment_records > 0)
        s_close_segment (self);
    if (!self->segment && s_open_segment (self, recv_ts) != 0)
        return -1;

    uint64_t offset = hb_journal_size (self->segment);
    s_put_u64 (self->record, (uint64_t) recv_ts);
    self->record [8] = (uint8_t) topic_len;
    memcpy (self->record + HB_RECORDING_RECORD_HEAD, topic, topic_len);
    if (size)
        memcpy (self->record + HB_RECORDING_RECORD_HEAD + topic_len, payload, size);
    uint64_t before = hb_journal_count (self->segment);
    if (hb_journal_append (self->segment, self->record, record_size) != 0) {
        s_segment_failed (self, before);
        return -1;
    }
    if (self->since_index == 0 || self->since_index >= self->opts.index_records
    ||  recv_ts - self->index_ts >= self->opts.index_ns) {
        uint8_t entry [25];
        entry [0] = HB_RECORDING_INDEX_TIME;
        s_put_u64 (entry + 1, (uint64_t) recv_ts);
        s_put_u64 (entry + 9, offset);
        s_put_u64 (entry + 17, self->segment_records);
        s_index_write (self, entry, sizeof entry);
        self->index_ts = recv_ts;
        self->since_index = 0;
    }
    if (env)
        s_index_seq (self, topic, topic_len, env, offset);
    self->since_index++;
    self->segment_records++;
    self->count++;
    return 0;
}

int
hb_recording_flush (hb_recording_t *self)
{
    assert (self);
    return s_flush (self);
}

int
hb_recording_sync (hb_recording_t *self)
{
    assert (self);
    if (s_flush (self) == -1)
        return -1;
    return self->segment ? hb_journal_sync (self->segment) : 0;
}

uint64_t
hb_recording_lost (hb_recording_t *self)
{
    assert (self);
    return self->lost;
}

uint64_t
hb_recording_count (hb_recording_t *self)
{
    assert (self);
    return self->count;
}

uint32_t
hb_recording_segments (hb_recording_t *self)
{
    assert (self);
    return self->created;
}
