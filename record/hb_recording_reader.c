/*  hb_recording_reader: see hb_recording_reader.h. */
#include "hb_recording_reader.h"
#include "hb_recording.h"
#include "hb_crc32c.h"
#include "hb_journal.h"
#include "hb_log.h"

#include <czmq.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

//  hb_journal's file header: "HBJ1" + u32 version.
static const uint8_t s_header [HB_JOURNAL_HEADER_SIZE] = { 'H', 'B', 'J', '1', HB_JOURNAL_VERSION, 0, 0, 0 };

typedef struct {
    uint32_t n;
    int64_t  first_ts;
    char     name [48];              //  without the extension
} s_segment_t;

//  A read-only mapping of one file.
typedef struct {
    const uint8_t *data;
    size_t         size;
} s_map_t;

struct _hb_recording_reader_t {
    char        *dir;
    s_segment_t *segments;
    size_t       n_segments;
    size_t       current;            //  segment being read (== n_segments at the end)
    bool         open;               //  map holds segments [current]
    s_map_t      map;
    uint64_t     offset;             //  next frame in map
    int64_t      from;
    uint64_t     damaged;
    uint64_t     scanned;
};

static uint64_t
s_get_u64 (const uint8_t *in)
{
    uint64_t value = 0;
    for (int i = 7; i >= 0; i--)
        value = (value << 8) | in [i];
    return value;
}

static uint32_t
s_get_u32 (const uint8_t *in)
{
    return (uint32_t) in [0] | (uint32_t) in [1] << 8 | (uint32_t) in [2] << 16 | (uint32_t) in [3] << 24;
}

//  The frame at *offset: 1 (data, size set, *offset moved past it), 0 at
//  a clean end, -1 with *reason for damage.
static int
s_frame (const s_map_t *map, uint64_t *offset, const uint8_t **data, uint32_t *size,
         const char **reason)
{
    uint64_t at = *offset;
    if (at == map->size)
        return 0;
    if (map->size - at < HB_JOURNAL_RECORD_OVERHEAD) {
        *reason = "short record header";
        return -1;
    }
    uint32_t length = s_get_u32 (map->data + at);
    if (length > HB_JOURNAL_MAX_RECORD) {
        *reason = "record length over the limit";
        return -1;
    }
    if (map->size - at - HB_JOURNAL_RECORD_OVERHEAD < length) {
        *reason = "short record payload";
        return -1;
    }
    const uint8_t *payload = map->data + at + HB_JOURNAL_RECORD_OVERHEAD;
    if (hb_crc32c (hb_crc32c (0, map->data + at, 4), payload, length) != s_get_u32 (map->data + at + 4)) {
        *reason = "CRC mismatch";
        return -1;
    }
    *data = payload;
    *size = length;
    *offset = at + HB_JOURNAL_RECORD_OVERHEAD + length;
    return 1;
}

//  Maps path read-only. An empty file maps to nothing. -1 when it cannot be
//  opened or mapped (logged unless missing and quiet).
static int
s_map_open (s_map_t *map, const char *path, bool quiet)
{
    map->data = NULL;
    map->size = 0;
    int fd = open (path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (!(quiet && errno == ENOENT))
            hb_warn ("recording %s: cannot open: %s", path, strerror (errno));
        return -1;
    }
    struct stat st;
    int rc = 0;
    if (fstat (fd, &st) != 0)
        rc = -1;
    else
    if (st.st_size > 0) {
        void *data = mmap (NULL, (size_t) st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (data == MAP_FAILED)
            rc = -1;
        else {
            map->data = (const uint8_t *) data;
            map->size = (size_t) st.st_size;
        }
    }
    if (rc)
        hb_warn ("recording %s: cannot map: %s", path, strerror (errno));
    close (fd);
    return rc;
}

static void
s_map_close (s_map_t *map)
{
    if (map->data)
        munmap ((void *) map->data, map->size);
    map->data = NULL;
    map->size = 0;
}

//  0 when map starts with a journal header; -1 with the reason otherwise.
static int
s_map_check (const s_map_t *map, const char **reason)
{
    if (map->size < HB_JOURNAL_HEADER_SIZE) {
        *reason = "short file header";
        return -1;
    }
    if (memcmp (map->data, s_header, HB_JOURNAL_HEADER_SIZE) != 0) {
        *reason = "not a hedgebus journal (bad magic or version)";
        return -1;
    }
    return 0;
}

static int
s_segment_compare (const void *a, const void *b)
{
    uint32_t x = ((const s_segment_t *) a)->n, y = ((const s_segment_t *) b)->n;
    return x < y ? -1 : x > y;
}

hb_recording_reader_t *
hb_recording_reader_new (const char *dir)
{
    assert (dir);
    DIR *listing = opendir (dir);
    if (!listing) {
        hb_error ("recording %s: cannot list the directory: %s", dir, strerror (errno));
        return NULL;
    }
    hb_recording_reader_t *self = (hb_recording_reader_t *) zmalloc (sizeof *self);
    self->dir = strdup (dir);
    size_t capacity = 0;
    const struct dirent *entry;
    bool ok = self->dir != NULL;
    while (ok && (entry = readdir (listing))) {
        long long ts;
        unsigned n;
        int end = 0;
        if (sscanf (entry->d_name, "seg-%19lld-%6u.hbr%n", &ts, &n, &end) != 2
        ||  entry->d_name [end] != 0 || strlen (entry->d_name) - 4 >= sizeof self->segments->name)
            continue;
        if (self->n_segments == capacity) {
            capacity = capacity ? 2 * capacity : 16;
            s_segment_t *grown = (s_segment_t *) realloc (self->segments, capacity * sizeof *grown);
            if (!grown) {
                ok = false;
                break;
            }
            self->segments = grown;
        }
        s_segment_t *segment = &self->segments [self->n_segments++];
        segment->n = n;
        segment->first_ts = ts;
        snprintf (segment->name, sizeof segment->name, "%.*s",
                  (int) strlen (entry->d_name) - 4, entry->d_name);
    }
    closedir (listing);
    if (!ok) {
        hb_recording_reader_destroy (&self);
        return NULL;
    }
    if (self->n_segments)
        qsort (self->segments, self->n_segments, sizeof *self->segments, s_segment_compare);
    self->from = INT64_MIN;
    return self;
}

void
hb_recording_reader_destroy (hb_recording_reader_t **self_p)
{
    assert (self_p);
    hb_recording_reader_t *self = *self_p;
    if (!self)
        return;
    s_map_close (&self->map);
    free (self->segments);
    free (self->dir);
    free (self);
    *self_p = NULL;
}

static void
s_path (hb_recording_reader_t *self, size_t segment, const char *ext, char *out, size_t size)
{
    snprintf (out, size, "%s/%s.%s", self->dir, self->segments [segment].name, ext);
}

//  Maps segment [current] and checks its header. false (damage reported)
//  when it cannot be read at all.
static bool
s_open_current (hb_recording_reader_t *self)
{
    char path [PATH_MAX];
    s_path (self, self->current, "hbr", path, sizeof path);
    self->open = true;
    self->offset = HB_JOURNAL_HEADER_SIZE;
    const char *reason = NULL;
    if (s_map_open (&self->map, path, false) != 0)
        reason = "unreadable";
    else
    if (self->map.size == 0)
        self->offset = 0;               //  created, nothing written: empty
    else
        s_map_check (&self->map, &reason);
    if (reason) {
        hb_warn ("recording %s: offset 0: %s; skipping the segment", path, reason);
        self->damaged++;
        s_map_close (&self->map);
        self->offset = 0;
        return false;
    }
    return true;
}

static void
s_close_current (hb_recording_reader_t *self)
{
    s_map_close (&self->map);
    self->open = false;
    self->current++;
}

//  The offset of the last T entry at or before from in the current
//  segment's index, or the first record's offset.
static uint64_t
s_index_lookup (hb_recording_reader_t *self, int64_t from)
{
    char path [PATH_MAX];
    s_path (self, self->current, "hbi", path, sizeof path);
    uint64_t best = HB_JOURNAL_HEADER_SIZE;
    s_map_t index;
    const char *reason;
    if (s_map_open (&index, path, true) != 0)
        return best;
    uint64_t at = HB_JOURNAL_HEADER_SIZE;
    const uint8_t *entry;
    uint32_t size;
    if (s_map_check (&index, &reason) == 0)
        while (s_frame (&index, &at, &entry, &size, &reason) == 1) {
            if (size != 25 || entry [0] != HB_RECORDING_INDEX_TIME)
                continue;
            int64_t ts = (int64_t) s_get_u64 (entry + 1);
            uint64_t offset = s_get_u64 (entry + 9);
            if (ts > from)
                break;
            if (offset >= HB_JOURNAL_HEADER_SIZE && offset < self->map.size)
                best = offset;
        }
    s_map_close (&index);
    return best;
}

int
hb_recording_reader_seek (hb_recording_reader_t *self, int64_t from_ts)
{
    assert (self);
    s_map_close (&self->map);
    self->open = false;
    self->current = 0;
    self->from = from_ts;
    if (from_ts == INT64_MIN)
        return 0;
    for (size_t i = 1; i < self->n_segments; i++)
        if (self->segments [i].first_ts <= from_ts)
            self->current = i;
    if (self->current < self->n_segments && s_open_current (self))
        self->offset = s_index_lookup (self, from_ts);
    return 0;
}

int
hb_recording_reader_next (hb_recording_reader_t *self, hb_record_t *record)
{
    assert (self && record);
    while (self->current < self->n_segments) {
        if (!self->open && !s_open_current (self)) {
            s_close_current (self);
            continue;
        }
        const uint8_t *data;
        uint32_t size;
        const char *reason = NULL;
        uint64_t at = self->offset;
        int rc = self->map.size ? s_frame (&self->map, &self->offset, &data, &size, &reason) : 0;
        if (rc == 1) {
            unsigned topic_len = size >= HB_RECORDING_RECORD_HEAD ? data [8] : 0;
            if (topic_len == 0 || topic_len >= HB_TOPIC_MAX
            ||  HB_RECORDING_RECORD_HEAD + topic_len > size
            ||  memchr (data + HB_RECORDING_RECORD_HEAD, 0, topic_len)) {
                reason = "bad record layout";
                rc = -1;
            }
            else {
                self->scanned++;
                record->recv_ts = (int64_t) s_get_u64 (data);
                if (record->recv_ts < self->from)
                    continue;
                memcpy (record->topic, data + HB_RECORDING_RECORD_HEAD, topic_len);
                record->topic [topic_len] = 0;
                record->payload = data + HB_RECORDING_RECORD_HEAD + topic_len;
                record->size = size - HB_RECORDING_RECORD_HEAD - topic_len;
                record->segment = self->segments [self->current].n;
                record->offset = at;
                return 1;
            }
        }
        if (rc == -1) {
            char path [PATH_MAX];
            s_path (self, self->current, "hbr", path, sizeof path);
            hb_warn ("recording %s: offset %llu: %s; skipping the rest of the segment "
                     "(%llu bytes)", path, (unsigned long long) at, reason,
                     (unsigned long long) (self->map.size - at));
            self->damaged++;
        }
        s_close_current (self);
    }
    return 0;
}

int64_t
hb_recording_reader_start (hb_recording_reader_t *self)
{
    assert (self);
    return self->n_segments ? self->segments [0].first_ts : 0;
}

uint64_t
hb_recording_reader_damaged (hb_recording_reader_t *self)
{
    assert (self);
    return self->damaged;
}

uint64_t
hb_recording_reader_scanned (hb_recording_reader_t *self)
{
    assert (self);
    return self->scanned;
}

int
hb_recording_reader_find_seq (hb_recording_reader_t *self, const char *publisher,
                              const char *topic, uint64_t epoch, uint64_t seq,
                              uint32_t *segment, uint64_t *offset)
{
    assert (self && publisher && topic && segment && offset);
    size_t pub_len = strlen (publisher), topic_len = strlen (topic);
    uint64_t best_seq = 0;
    bool found = false;
    for (size_t i = 0; i < self->n_segments; i++) {
        char path [PATH_MAX];
        s_path (self, i, "hbi", path, sizeof path);
        s_map_t index;
        const char *reason;
        if (s_map_open (&index, path, true) != 0)
            continue;
        uint64_t at = HB_JOURNAL_HEADER_SIZE;
        const uint8_t *e;
        uint32_t size;
        if (s_map_check (&index, &reason) == 0)
            while (s_frame (&index, &at, &e, &size, &reason) == 1) {
                if (size < 27 || e [0] != HB_RECORDING_INDEX_SEQ
                ||  e [25] != pub_len || 27u + pub_len > size || e [26 + pub_len] != topic_len
                ||  27u + pub_len + topic_len != size
                ||  memcmp (e + 26, publisher, pub_len) != 0
                ||  memcmp (e + 27 + pub_len, topic, topic_len) != 0
                ||  s_get_u64 (e + 1) != epoch)
                    continue;
                uint64_t entry_seq = s_get_u64 (e + 9);
                if (entry_seq <= seq && (!found || entry_seq >= best_seq)) {
                    found = true;
                    best_seq = entry_seq;
                    *segment = self->segments [i].n;
                    *offset = s_get_u64 (e + 17);
                }
            }
        s_map_close (&index);
    }
    return found ? 0 : -1;
}

int
hb_record_to_json (const hb_record_t *record, hb_msg_t *scratch, char *out, size_t size)
{
    assert (record && scratch && out && size > 64);
    char topic [HB_TOPIC_MAX * 6 + 8];
    hb_json_escape (record->topic, topic, sizeof topic);
    const char *body = (const char *) record->payload;
    if (strncmp (record->topic, HB_RECORDING_PREFIX, strlen (HB_RECORDING_PREFIX)) == 0) {
        //  Our own records: a JSON object written by hb_recorder, kept as is
        //  when it looks like one.
        if (record->size >= 2 && body [0] == '{' && body [record->size - 1] == '}'
        &&  !memchr (body, 0, record->size) && !memchr (body, '\n', record->size)) {
            bool empty = record->size == 2;
            int n = snprintf (out, size, "{\"recv_ts\":%lld,\"topic\":\"%s\"%s%.*s",
                              (long long) record->recv_ts, topic, empty ? "" : ",",
                              (int) record->size - 1, body + 1);
            return n < (int) size ? n : (int) size - 1;
        }
    }
    else
    if (hb_msg_decode (scratch, record->payload, record->size, NULL) == 0) {
        int n = snprintf (out, size, "{\"recv_ts\":%lld,", (long long) record->recv_ts);
        if (n + 2 >= (int) size)
            return -1;
        //  hb_msg_to_json opens with '{': write it over our ',' and put it back
        int m = hb_msg_to_json (scratch, record->topic, out + n - 1, size - (size_t) n + 1);
        out [n - 1] = ',';
        return n - 1 + m;
    }
    int n = snprintf (out, size, "{\"recv_ts\":%lld,\"topic\":\"%s\",\"event\":\"decode_error\"}",
                      (long long) record->recv_ts, topic);
    (void) n;
    return -1;
}

int
hb_recording_parse_time (const char *text, int64_t start, int64_t *ts)
{
    if (!text || !*text || !ts)
        return -1;
    char *end;
    if (text [0] == '+') {
        double seconds = strtod (text + 1, &end);
        if (end == text + 1 || *end || !(seconds >= 0) || seconds > 1e9)
            return -1;
        *ts = start + (int64_t) (seconds * 1e9 + 0.5);
        return 0;
    }
    if (strspn (text, "0123456789") == strlen (text)) {
        errno = 0;
        unsigned long long value = strtoull (text, &end, 10);
        if (errno || value > INT64_MAX)
            return -1;
        *ts = (int64_t) value;
        return 0;
    }
    struct tm tm;
    memset (&tm, 0, sizeof tm);
    const char *rest = strptime (text, "%Y-%m-%dT%H:%M:%S", &tm);
    if (!rest)
        return -1;
    int64_t frac = 0;
    if (*rest == '.') {
        int64_t scale = 100000000;
        rest++;
        if (!(*rest >= '0' && *rest <= '9'))
            return -1;
        for (; *rest >= '0' && *rest <= '9'; rest++, scale /= 10)
            frac += scale * (*rest - '0');
    }
    if (strcmp (rest, "Z") != 0)
        return -1;
    time_t seconds = timegm (&tm);
    if (seconds < 0)
        return -1;
    *ts = (int64_t) seconds * 1000000000 + frac;
    return 0;
}

bool
hb_recording_topic_match (const char *topic, const char **prefixes, int n)
{
    if (n == 0)
        return true;
    for (int i = 0; i < n; i++)
        if (strncmp (topic, prefixes [i], strlen (prefixes [i])) == 0)
            return true;
    return false;
}
