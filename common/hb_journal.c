/*  hb_journal: see hb_journal.h. */
#include "hb_journal.h"
#include "hb_crc32c.h"
#include "hb_log.h"
#include "hb_metrics.h"
#include "hb_time.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>
#include <linux/magic.h>

static const uint8_t s_magic [4] = { 'H', 'B', 'J', '1' };

struct _hb_journal_t {
    int fd;
    char *path;
    hb_journal_policy_t policy;
    int64_t interval_ns;
    uint64_t end;               //  offset just past the last good record
    uint64_t count;             //  records in [HB_JOURNAL_HEADER_SIZE, end)
    uint64_t dropped;           //  bytes cut off at open
    uint64_t syncs;
    int64_t last_sync_ns;       //  monotonic
    bool strict;                //  damage in the history refuses the open (owned journals)
    bool dirty;                 //  records written since the last sync
    bool broken;                //  a sync failed: durability is unknown
    //  Space taken ahead (owned journals under always, on a disk): the file
    //  runs on in zeros past end up to space_end, so that an append writes
    //  into blocks that exist and its fdatasync has no metadata to commit.
    uint64_t ahead;             //  bytes taken at a time, 0: none
    uint64_t space_end;         //  the file's size
    bool ahead_failed;          //  the last attempt failed (said once)
    //  Opt-in batching (hb_journal_set_buffer): framed records not yet
    //  written, which follow end and count.
    uint8_t *buffer;
    size_t capacity;
    size_t used;
    uint64_t pending;
    //  process metrics, labelled with the file's name
    hb_metric_t *appends;       //  hb_journal_appends_total
    hb_metric_t *fsync_seconds; //  hb_journal_fsync_seconds
    hb_metric_t *sync_errors;   //  hb_journal_sync_errors_total
};

//  What a scan found: where the good records end and, if it stopped early,
//  why (empty reason: the data ended exactly after a record).
typedef struct {
    uint64_t end;
    uint64_t count;
    bool torn;                  //  stopped where an interrupted append ends
    char reason [80];
} s_scan_t;

static void
s_put_le32 (uint8_t *p, uint32_t value)
{
    p [0] = (uint8_t) value;
    p [1] = (uint8_t) (value >> 8);
    p [2] = (uint8_t) (value >> 16);
    p [3] = (uint8_t) (value >> 24);
}

static uint32_t
s_get_le32 (const uint8_t *p)
{
    return (uint32_t) p [0] | (uint32_t) p [1] << 8
         | (uint32_t) p [2] << 16 | (uint32_t) p [3] << 24;
}

//  The CRC starts with the length bytes so that a damaged length, which
//  would make us read a different span as the payload, fails the check.
static uint32_t
s_record_crc (const uint8_t *length_le, const void *payload, size_t size)
{
    return hb_crc32c (hb_crc32c (0, length_le, 4), payload, size);
}

//  Walks the records of base [HB_JOURNAL_HEADER_SIZE, size), calling fn (if
//  any) for each valid one. Returns -1 if fn asked to stop, else 0 with the
//  extent of the valid records in *scan.
static int
s_scan (const uint8_t *base, uint64_t size, hb_journal_replay_fn *fn, void *arg,
        s_scan_t *scan)
{
    uint64_t offset = HB_JOURNAL_HEADER_SIZE;
    uint64_t count = 0;
    scan->reason [0] = '\0';
    scan->torn = false;
    while (offset < size) {
        uint64_t left = size - offset;
        if (left < HB_JOURNAL_RECORD_OVERHEAD) {
            snprintf (scan->reason, sizeof scan->reason,
                      "short record header (%u of %u bytes)",
                      (unsigned) left, (unsigned) HB_JOURNAL_RECORD_OVERHEAD);
            scan->torn = true;
            break;
        }
        const uint8_t *record = base + offset;
        uint32_t length = s_get_le32 (record);
        if (length > HB_JOURNAL_MAX_RECORD) {
            snprintf (scan->reason, sizeof scan->reason,
                      "record length %u over the limit of %u", length, HB_JOURNAL_MAX_RECORD);
            break;
        }
        if (left - HB_JOURNAL_RECORD_OVERHEAD < length) {
            snprintf (scan->reason, sizeof scan->reason,
                      "short payload (%llu of %u bytes)",
                      (unsigned long long) (left - HB_JOURNAL_RECORD_OVERHEAD), length);
            //  An append cut short, unless the bytes that are there make the
            //  whole record under their own length: then the length field
            //  itself was damaged, which no crash does.
            uint8_t real [4];
            uint64_t have = left - HB_JOURNAL_RECORD_OVERHEAD;
            s_put_le32 (real, (uint32_t) (have <= HB_JOURNAL_MAX_RECORD ? have : 0));
            scan->torn = have > HB_JOURNAL_MAX_RECORD
                      || s_record_crc (real, record + HB_JOURNAL_RECORD_OVERHEAD, (size_t) have)
                         != s_get_le32 (record + 4);
            break;
        }
        const uint8_t *payload = record + HB_JOURNAL_RECORD_OVERHEAD;
        if (s_record_crc (record, payload, length) != s_get_le32 (record + 4)) {
            snprintf (scan->reason, sizeof scan->reason, "CRC mismatch (length %u)", length);
            break;
        }
        if (fn && fn (payload, length, count, arg) != 0) {
            scan->end = offset;
            scan->count = count;
            return -1;
        }
        offset += HB_JOURNAL_RECORD_OVERHEAD + length;
        count++;
    }
    scan->end = offset;
    scan->count = count;
    return 0;
}

//  True when base [from, size) is all zeros: what a crash leaves when the
//  file was extended but the data never landed.
static bool
s_all_zero (const uint8_t *base, uint64_t from, uint64_t size)
{
    for (uint64_t i = from; i < size; i++)
        if (base [i])
            return false;
    return true;
}

//  Where the run of zeros that ends the file starts (size if the last byte
//  is not zero), looking no further back than from.
static uint64_t
s_zero_from (const uint8_t *base, uint64_t from, uint64_t size)
{
    uint64_t at = size;
    while (at > from && base [at - 1] == 0)
        at--;
    return at;
}

//  True when a complete, valid record starts at offset.
static bool
s_record_at (const uint8_t *base, uint64_t offset, uint64_t size, uint64_t *next)
{
    if (size - offset < HB_JOURNAL_RECORD_OVERHEAD)
        return false;
    uint32_t length = s_get_le32 (base + offset);
    if (length > HB_JOURNAL_MAX_RECORD || size - offset - HB_JOURNAL_RECORD_OVERHEAD < length)
        return false;
    if (s_record_crc (base + offset, base + offset + HB_JOURNAL_RECORD_OVERHEAD, length)
        != s_get_le32 (base + offset + 4))
        return false;
    *next = offset + HB_JOURNAL_RECORD_OVERHEAD + length;
    return true;
}

//  Looks past damage at from for valid records, byte by byte (the damage
//  may have changed a length, so record boundaries are unknown); calls fn
//  (if any) for each one found. Returns how many there are: records after
//  the damage mean it is not a torn tail but a hole in the history.
static uint64_t
s_resync (const uint8_t *base, uint64_t from, uint64_t size, hb_journal_replay_fn *fn,
          void *arg, uint64_t index, uint64_t *holes)
{
    uint64_t found = 0, offset = from + 1, next;
    bool in_hole = true;
    *holes = 1;
    while (offset < size) {
        //  zeros to the end after a valid record are space not yet written
        //  (taken ahead), not another hole
        if (!in_hole && s_all_zero (base, offset, size))
            break;
        if (s_record_at (base, offset, size, &next)) {
            //  a zero-length record of zero CRC cannot exist (the CRC covers
            //  the length), so runs of zeros never resync by accident
            if (fn)
                fn (base + offset + HB_JOURNAL_RECORD_OVERHEAD, next - offset - HB_JOURNAL_RECORD_OVERHEAD,
                    index + found, arg);
            found++;
            offset = next;
            in_hole = false;
        }
        else {
            if (!in_hole)
                (*holes)++;
            in_hole = true;
            offset++;
        }
    }
    return found;
}

//  Sectors land whole or not at all; a write interrupted in space taken
//  ahead leaves the sectors that did not land as the zeros they were.
#define S_SECTOR 512

//  Whether the first bad record of a scan is one whose write stopped at a
//  sector boundary inside it, in space taken ahead: from that boundary to
//  the end of the file (past the record's own end) there are only zeros.
//  A flipped bit in a complete record has no such run (unless its own
//  last bytes happen to be zeros from a sector boundary on).
static bool
s_cut_in_space (const uint8_t *base, const s_scan_t *scan, uint64_t size)
{
    if (size - scan->end < HB_JOURNAL_RECORD_OVERHEAD)
        return false;
    uint32_t length = s_get_le32 (base + scan->end);
    uint64_t record_end = scan->end + HB_JOURNAL_RECORD_OVERHEAD + length;
    if (length > HB_JOURNAL_MAX_RECORD || record_end >= size)
        return false;
    uint64_t zeros = s_zero_from (base, scan->end, size);
    uint64_t boundary = (zeros + S_SECTOR - 1) / S_SECTOR * S_SECTOR;
    return boundary > scan->end && boundary < record_end;
}

//  Whether what follows the good records of a scan is a torn tail (what an
//  interrupted append leaves: zeros to the end, a record cut short with
//  nothing valid after it, or, in space taken ahead, a record whose last
//  sectors are still zeros with only zeros after it) rather than damage in
//  the history; *later and *holes say what lies past the damage.
static bool
s_torn (const uint8_t *base, const s_scan_t *scan, uint64_t size, uint64_t *later, uint64_t *holes)
{
    *later = *holes = 0;
    if (s_all_zero (base, scan->end, size))
        return true;
    *later = s_resync (base, scan->end, size, NULL, NULL, 0, holes);
    return *later == 0 && (scan->torn || s_cut_in_space (base, scan, size));
}

//  Maps the first size bytes of the file read-only; NULL with errno.
static const uint8_t *
s_map (hb_journal_t *self, uint64_t size)
{
    if (size > SIZE_MAX) {
        errno = EFBIG;
        return NULL;
    }
    void *base = mmap (NULL, (size_t) size, PROT_READ, MAP_SHARED, self->fd, 0);
    if (base == MAP_FAILED)
        return NULL;
    //  Recovery reads the file once, front to back.
    madvise (base, (size_t) size, MADV_SEQUENTIAL);
    return (const uint8_t *) base;
}

static void
s_unmap (const uint8_t *base, uint64_t size)
{
    munmap ((void *) base, (size_t) size);
}

static int
s_sync (hb_journal_t *self)
{
    if (!self->dirty)
        return 0;
    int64_t start = hb_mono_ns ();
    if (fdatasync (self->fd) == -1) {
        //  After a failed fdatasync the kernel may have dropped the dirty
        //  pages and a retry can report success without writing them, so
        //  durability is unknown from here on.
        self->broken = true;
        hb_metric_inc (self->sync_errors);
        return -1;
    }
    self->dirty = false;
    self->syncs++;
    self->last_sync_ns = hb_mono_ns ();
    hb_metric_observe_interval (self->fsync_seconds, start, self->last_sync_ns);
    return 0;
}

//  A newly created file is only durable once its directory entry is.
static int
s_sync_dir (const char *path)
{
    char *dir = strdup (path);
    if (!dir)
        return -1;
    char *slash = strrchr (dir, '/');
    const char *name = dir;
    if (!slash)
        name = ".";
    else
    if (slash == dir)
        slash [1] = '\0';
    else
        *slash = '\0';
    int fd = open (name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int rc = fd == -1? -1: fsync (fd);
    int saved = errno;
    if (fd != -1)
        close (fd);
    free (dir);
    errno = saved;
    return rc;
}

//  Writes a fresh file header over whatever (nothing, or a torn header) the
//  file holds, and makes it durable.
static int
s_write_header (hb_journal_t *self)
{
    uint8_t header [HB_JOURNAL_HEADER_SIZE];
    memcpy (header, s_magic, 4);
    s_put_le32 (header + 4, HB_JOURNAL_VERSION);
    errno = 0;                  //  a short pwrite sets none
    if (ftruncate (self->fd, 0) == -1
    ||  pwrite (self->fd, header, sizeof header, 0) != (ssize_t) sizeof header
    ||  fdatasync (self->fd) == -1
    ||  s_sync_dir (self->path) == -1) {
        if (errno == 0)
            errno = EIO;
        return -1;
    }
    self->end = HB_JOURNAL_HEADER_SIZE;
    return 0;
}

//  Checks the file header of a file of size bytes, creating it for an empty
//  file or one holding a prefix of a header (a crash during creation).
//  Returns 0 or -1 with errno, logged.
static int
s_open_header (hb_journal_t *self, uint64_t size)
{
    uint8_t header [HB_JOURNAL_HEADER_SIZE];
    size_t have = size < sizeof header? (size_t) size: sizeof header;
    errno = 0;
    if (have && pread (self->fd, header, have, 0) != (ssize_t) have) {
        int saved = errno? errno: EIO;
        hb_error ("journal %s: cannot read the file header: %s", self->path, strerror (saved));
        errno = saved;
        return -1;
    }
    uint8_t expected [HB_JOURNAL_HEADER_SIZE];
    memcpy (expected, s_magic, 4);
    s_put_le32 (expected + 4, HB_JOURNAL_VERSION);
    if (have < sizeof header) {
        if (memcmp (header, expected, have) != 0) {
            hb_error ("journal %s: not a hedgebus journal (%zu bytes that do not start "
                      "with \"HBJ1\"); refusing to touch it", self->path, have);
            errno = EINVAL;
            return -1;
        }
        if (have)
            hb_warn ("journal %s: torn file header (%zu of %d bytes), rewriting it; "
                     "dropped %zu bytes", self->path, have, HB_JOURNAL_HEADER_SIZE, have);
        self->dropped = have;
        if (s_write_header (self) == -1) {
            int saved = errno;
            hb_error ("journal %s: cannot write the file header: %s", self->path, strerror (saved));
            errno = saved;
            return -1;
        }
        return 0;
    }
    if (memcmp (header, s_magic, 4) != 0) {
        hb_error ("journal %s: not a hedgebus journal (magic %02x %02x %02x %02x, "
                  "expected \"HBJ1\"); refusing to touch it", self->path,
                  header [0], header [1], header [2], header [3]);
        errno = EINVAL;
        return -1;
    }
    uint32_t version = s_get_le32 (header + 4);
    if (version != HB_JOURNAL_VERSION) {
        hb_error ("journal %s: version %u, this build reads version %u; refusing to touch it",
                  self->path, version, HB_JOURNAL_VERSION);
        errno = EPROTO;
        return -1;
    }
    self->end = HB_JOURNAL_HEADER_SIZE;
    return 0;
}

//  Scans the records of a file of size bytes and cuts off a bad tail.
//  Returns 0 or -1 with errno, logged.
static int
s_open_records (hb_journal_t *self, uint64_t size)
{
    if (size <= HB_JOURNAL_HEADER_SIZE)
        return 0;
    const uint8_t *base = s_map (self, size);
    if (!base) {
        int saved = errno;
        hb_error ("journal %s: cannot map %llu bytes: %s",
                  self->path, (unsigned long long) size, strerror (saved));
        errno = saved;
        return -1;
    }
    s_scan_t scan;
    s_scan (base, size, NULL, NULL, &scan);
    uint64_t holes = 0, later = 0;
    bool torn = !self->strict || scan.end == size
             || s_torn (base, &scan, size, &later, &holes);
    //  what is not zeros: in space taken ahead the zeros are not lost bytes
    uint64_t written = s_zero_from (base, scan.end, size);
    s_unmap (base, size);
    self->end = scan.end;
    self->count = scan.count;
    //  (space_end is set only once the open succeeds: a refused journal is
    //  left exactly as it is, space and all)
    if (scan.end == size)
        return 0;
    if (self->ahead && written == scan.end) {
        //  Zeros to the end: space this journal took ahead (or an append
        //  that never landed in it, which was never acknowledged). The
        //  logical end is the last record's; the space is used as it is.
        self->space_end = size;
        return 0;
    }
    if (!torn) {
        //  Not what an interrupted append leaves: a record in the history is
        //  damaged. Cutting it off would drop every later record too and
        //  start silently wrong, so the file is left as it is for an
        //  operator (hb-journal check / salvage, docs/OPERATIONS.md).
        hb_error ("journal %s: damaged: %s at offset %llu after %llu good records, with %llu "
                  "valid records after the damage; refusing to use it (the file is left as it "
                  "is: `hb-journal salvage %s` keeps a copy aside and recovers every valid record)",
                  self->path, scan.reason, (unsigned long long) scan.end,
                  (unsigned long long) scan.count, (unsigned long long) later, self->path);
        errno = EBADMSG;
        return -1;
    }

    self->dropped = (self->ahead? written: size) - scan.end;
    hb_warn ("journal %s: %s at offset %llu after %llu good records; "
             "truncating, dropped %llu bytes", self->path, scan.reason,
             (unsigned long long) scan.end, (unsigned long long) scan.count,
             (unsigned long long) self->dropped);
    if (ftruncate (self->fd, (off_t) scan.end) == -1 || fdatasync (self->fd) == -1) {
        int saved = errno;
        hb_error ("journal %s: cannot truncate the bad tail: %s", self->path, strerror (saved));
        errno = saved;
        return -1;
    }
    self->space_end = scan.end;
    return 0;
}

//  Space ahead only pays where a sync writes to a device: on tmpfs or
//  ramfs fdatasync costs nothing and the space would be memory held.
static bool
s_in_memory (int fd)
{
    struct statfs fs;
    return fstatfs (fd, &fs) == 0
        && (fs.f_type == TMPFS_MAGIC || fs.f_type == RAMFS_MAGIC);
}

//  A journal's series carry its file name (aggregator.journal,
//  feed.alpha.fills): a process may keep more than one.
static void
s_register_metrics (hb_journal_t *self)
{
    hb_metrics_t *metrics = hb_metrics_process ();
    if (!metrics)
        return;
    const char *slash = strrchr (self->path, '/');
    const char *name = slash ? slash + 1 : self->path;
    self->appends = hb_metrics_counter (metrics, "hb_journal_appends_total",
                                        "Records appended to the journal", "journal", name);
    self->fsync_seconds = hb_metrics_histogram (metrics, "hb_journal_fsync_seconds",
                                                "Time one fdatasync of the journal took",
                                                "journal", name, NULL, 0);
    self->sync_errors = hb_metrics_counter (metrics, "hb_journal_sync_errors_total",
                                            "Failed fdatasync calls (durability unknown after one)",
                                            "journal", name);
}

static hb_journal_t *
s_open (const char *path, hb_journal_policy_t policy, int interval_ms, bool strict);

hb_journal_t *
hb_journal_open (const char *path, hb_journal_policy_t policy, int interval_ms)
{
    return s_open (path, policy, interval_ms, false);
}

static hb_journal_t *
s_open (const char *path, hb_journal_policy_t policy, int interval_ms, bool strict)
{
    assert (path);
    if (policy < HB_JOURNAL_FSYNC_ALWAYS || policy > HB_JOURNAL_FSYNC_NEVER || interval_ms < 0) {
        hb_error ("journal %s: bad policy %d or interval %d ms", path, (int) policy, interval_ms);
        errno = EINVAL;
        return NULL;
    }
    hb_journal_t *self = (hb_journal_t *) calloc (1, sizeof (hb_journal_t));
    if (!self)
        return NULL;
    self->fd = -1;
    self->path = strdup (path);
    self->policy = policy;
    self->strict = strict;
    self->interval_ns = interval_ms * HB_NS_PER_MS;
    if (!self->path)
        goto failed;

    self->fd = open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0640);
    if (self->fd == -1) {
        int saved = errno;
        hb_error ("journal %s: cannot open: %s", path, strerror (saved));
        errno = saved;
        goto failed;
    }
    //  Two writers would interleave records; the lock goes with the fd, so a
    //  crashed owner never leaves it held.
    if (flock (self->fd, LOCK_EX | LOCK_NB) == -1) {
        int saved = errno;
        hb_error ("journal %s: already open, locked by another journal or process (%s)",
                  path, strerror (saved));
        errno = saved;
        goto failed;
    }
    struct stat st;
    if (fstat (self->fd, &st) == -1) {
        int saved = errno;
        hb_error ("journal %s: cannot stat: %s", path, strerror (saved));
        errno = saved;
        goto failed;
    }
    if (!S_ISREG (st.st_mode)) {
        hb_error ("journal %s: not a regular file", path);
        errno = EINVAL;
        goto failed;
    }
    if (strict && policy == HB_JOURNAL_FSYNC_ALWAYS && !s_in_memory (self->fd))
        self->ahead = HB_JOURNAL_AHEAD;
    if (s_open_header (self, (uint64_t) st.st_size) == -1
    ||  (st.st_size > HB_JOURNAL_HEADER_SIZE
         && s_open_records (self, (uint64_t) st.st_size) == -1))
        goto failed;
    if (self->space_end < self->end)
        self->space_end = self->end;        //  a new file: its header
    self->last_sync_ns = hb_mono_ns ();
    s_register_metrics (self);
    return self;

failed:;
    int saved = errno;
    hb_journal_destroy (&self);
    errno = saved;
    return NULL;
}

void
hb_journal_destroy (hb_journal_t **self_p)
{
    assert (self_p);
    hb_journal_t *self = *self_p;
    if (!self)
        return;
    if (self->fd != -1) {
        uint64_t pending = self->pending;
        if (pending && hb_journal_flush (self) == -1)
            hb_error ("journal %s: final write failed: %s; %llu buffered records lost",
                      self->path, strerror (errno), (unsigned long long) pending);
        else
        if (!self->broken && s_sync (self) == -1)
            hb_error ("journal %s: final sync failed: %s; the last records may be lost "
                      "in a power cut", self->path, strerror (errno));
        //  A stopped journal holds its records and nothing else: the space
        //  ahead goes (tools and copies see the plain file; the next open
        //  takes space again). Left as it is, it would only be space.
        if (!self->broken && self->space_end > self->end
        &&  ftruncate (self->fd, (off_t) self->end) == -1)
            hb_warn ("journal %s: cannot give back the space taken ahead: %s",
                     self->path, strerror (errno));
        close (self->fd);
    }
    free (self->buffer);
    free (self->path);
    free (self);
    *self_p = NULL;
}

int
hb_journal_replay (hb_journal_t *self, hb_journal_replay_fn *fn, void *arg)
{
    assert (self);
    assert (fn);
    if (self->pending && hb_journal_flush (self) == -1)
        return -1;
    if (self->count == 0)
        return 0;
    uint64_t size = self->end;
    const uint8_t *base = s_map (self, size);
    if (!base)
        return -1;
    s_scan_t scan;
    int rc = s_scan (base, size, fn, arg, &scan);
    s_unmap (base, size);
    if (rc == -1) {
        errno = ECANCELED;
        return -1;
    }
    if (scan.end != size) {
        //  We hold the lock and verified this very range at open: something
        //  outside hedgebus wrote to the file, or the storage failed.
        hb_error ("journal %s: changed under us: %s at offset %llu",
                  self->path, scan.reason, (unsigned long long) scan.end);
        errno = EIO;
        return -1;
    }
    return 0;
}

//  Puts the file back to its last good end after a failed write, so that a
//  half record never sits in the middle of the journal.
static void
s_undo_write (hb_journal_t *self)
{
    int saved = errno;
    if (ftruncate (self->fd, (off_t) self->end) == -1)
        self->broken = true;
    else
        self->space_end = self->end;
    errno = saved;
}

//  Extends the file with zeros past need (a multiple of ahead, at least one
//  byte past it, so that a write cut short in it is followed by zeros),
//  in the page cache: the sync of the append that needed it makes it
//  durable with the record, one fdatasync for both. It costs that one
//  sync a size change (a journal commit) once per ahead bytes; every other
//  append overwrites blocks that exist. On failure (a full disk) the file
//  is put back and the append goes on without: it extends the file as
//  it would have without space ahead, and fails as it would have.
static void
s_take_space (hb_journal_t *self, uint64_t need)
{
    static const uint8_t zeros [1 << 16];
    uint64_t target = (need / self->ahead + 1) * self->ahead;
    uint64_t at = self->space_end;
    while (at < target) {
        size_t n = target - at < sizeof zeros? (size_t) (target - at): sizeof zeros;
        ssize_t rc = pwrite (self->fd, zeros, n, (off_t) at);
        if (rc == -1 && errno == EINTR)
            continue;
        if (rc <= 0) {
            if (rc == 0)
                errno = ENOSPC;
            int saved = errno;
            if (!self->ahead_failed)
                hb_warn ("journal %s: cannot take %llu bytes of space ahead: %s; appending "
                         "without", self->path, (unsigned long long) self->ahead, strerror (saved));
            self->ahead_failed = true;
            if (ftruncate (self->fd, (off_t) self->space_end) == -1)
                self->broken = true;
            errno = saved;
            return;
        }
        at += (size_t) rc;
    }
    self->space_end = target;
    self->ahead_failed = false;
}

//  Writes total bytes of iov at the end of the file: one system call in the
//  normal case; the loop only resumes a write cut short by a signal or a
//  nearly full disk. On failure the file is put back to its last good end.
//  iov is consumed. 0, or -1 with errno.
static int
s_write (hb_journal_t *self, struct iovec *iov, int iovcnt, size_t total)
{
    if (self->ahead && self->end + total > self->space_end)
        s_take_space (self, self->end + total);
    struct iovec *next = iov;
    size_t done = 0;
    while (done < total) {
        ssize_t rc = pwritev (self->fd, next, iovcnt, (off_t) (self->end + done));
        if (rc == -1 && errno == EINTR)
            continue;
        if (rc <= 0) {
            if (rc == 0)
                errno = EIO;
            s_undo_write (self);
            return -1;
        }
        done += (size_t) rc;
        size_t skip = (size_t) rc;
        while (iovcnt && skip >= next->iov_len) {
            skip -= next->iov_len;
            next++;
            iovcnt--;
        }
        if (iovcnt) {
            next->iov_base = (uint8_t *) next->iov_base + skip;
            next->iov_len -= skip;
        }
    }
    self->end += total;
    if (self->space_end < self->end)
        self->space_end = self->end;
    self->dirty = true;
    return 0;
}

//  After records reached the file: append's (unbuffered) or flush's
//  (buffered) sync policy.
static int
s_apply_policy (hb_journal_t *self)
{
    switch (self->policy) {
        case HB_JOURNAL_FSYNC_ALWAYS:
            return s_sync (self);
        case HB_JOURNAL_FSYNC_INTERVAL:
            if (hb_mono_ns () - self->last_sync_ns >= self->interval_ns)
                return s_sync (self);
            return 0;
        case HB_JOURNAL_FSYNC_NEVER:
            return 0;
    }
    return 0;
}

int
hb_journal_append (hb_journal_t *self, const void *data, size_t size)
{
    assert (self);
    assert (data || size == 0);
    if (self->broken) {
        errno = EIO;
        return -1;
    }
    if (size > HB_JOURNAL_MAX_RECORD) {
        errno = EMSGSIZE;
        return -1;
    }
    uint8_t head [HB_JOURNAL_RECORD_OVERHEAD];
    s_put_le32 (head, (uint32_t) size);
    s_put_le32 (head + 4, s_record_crc (head, data, size));
    size_t total = sizeof head + size;
    if (self->buffer) {
        if (self->used + total > self->capacity && hb_journal_flush (self) == -1)
            return -1;
        if (total <= self->capacity) {
            memcpy (self->buffer + self->used, head, sizeof head);
            if (size)
                memcpy (self->buffer + self->used + sizeof head, data, size);
            self->used += total;
            self->pending++;
            hb_metric_inc (self->appends);
            return 0;
        }
        //  Bigger than any batch: it goes straight through, as a flush of
        //  its own (the buffer is empty now, so order is kept).
    }
    struct iovec iov [2] = {
        { .iov_base = head, .iov_len = sizeof head },
        { .iov_base = (void *) data, .iov_len = size }
    };
    if (s_write (self, iov, size? 2: 1, total) == -1)
        return -1;
    self->count++;
    hb_metric_inc (self->appends);
    return s_apply_policy (self);
}

//  Records framed per write of hb_journal_append_many: their headers live
//  on the stack (no allocation on the path), and 1 + 2 * S_MANY_CHUNK
//  vectors stay far below IOV_MAX.
#define S_MANY_CHUNK 64

int
hb_journal_append_many (hb_journal_t *self, const struct iovec *records, size_t count)
{
    assert (self);
    assert (records || count == 0);
    if (self->broken) {
        errno = EIO;
        return -1;
    }
    for (size_t i = 0; i < count; i++) {
        assert (records [i].iov_base || records [i].iov_len == 0);
        if (records [i].iov_len > HB_JOURNAL_MAX_RECORD) {
            errno = EMSGSIZE;
            return -1;
        }
    }
    if (count == 0)
        return 0;
    //  Pending batched records go first, in the same write: order is kept
    //  and the group and the batch share one sync.
    uint64_t start = self->end;
    uint64_t count_before = self->count;
    uint64_t batched = self->pending;
    size_t done = 0;
    while (done < count) {
        uint8_t heads [S_MANY_CHUNK][HB_JOURNAL_RECORD_OVERHEAD];
        struct iovec iov [1 + 2 * S_MANY_CHUNK];
        int iovcnt = 0;
        size_t total = 0;
        if (self->used) {
            iov [iovcnt++] = (struct iovec) { .iov_base = self->buffer, .iov_len = self->used };
            total += self->used;
        }
        size_t n = 0;
        for (; n < S_MANY_CHUNK && done + n < count; n++) {
            const struct iovec *record = &records [done + n];
            s_put_le32 (heads [n], (uint32_t) record->iov_len);
            s_put_le32 (heads [n] + 4, s_record_crc (heads [n], record->iov_base, record->iov_len));
            iov [iovcnt++] = (struct iovec) { .iov_base = heads [n],
                                              .iov_len = HB_JOURNAL_RECORD_OVERHEAD };
            if (record->iov_len)
                iov [iovcnt++] = *record;
            total += HB_JOURNAL_RECORD_OVERHEAD + record->iov_len;
        }
        //  The batch leaves the buffer written or dropped, as in a flush.
        self->used = 0;
        self->pending = 0;
        if (s_write (self, iov, iovcnt, total) == -1) {
            //  All or nothing: an earlier part of the group (and the batch
            //  before it) is taken back off the file too.
            int saved = errno;
            self->end = start;
            self->count = count_before;
            s_undo_write (self);
            errno = saved;
            return -1;
        }
        done += n;
    }
    self->count += batched + count;
    hb_metric_add (self->appends, count);
    return s_apply_policy (self);
}

int
hb_journal_set_buffer (hb_journal_t *self, size_t bytes)
{
    assert (self);
    if (bytes == self->capacity)
        return 0;
    if (self->pending && hb_journal_flush (self) == -1)
        return -1;
    uint8_t *buffer = NULL;
    if (bytes && !(buffer = (uint8_t *) malloc (bytes)))
        return -1;
    free (self->buffer);
    self->buffer = buffer;
    self->capacity = bytes;
    self->used = 0;
    return 0;
}

int
hb_journal_flush (hb_journal_t *self)
{
    assert (self);
    if (self->broken) {
        errno = EIO;
        return -1;
    }
    if (self->used == 0)
        return 0;
    struct iovec iov = { .iov_base = self->buffer, .iov_len = self->used };
    size_t total = self->used;
    uint64_t records = self->pending;
    //  Written or dropped, the batch leaves the buffer: after a failed
    //  write the file is back at its last good end and the caller has
    //  been told the batch is lost.
    self->used = 0;
    self->pending = 0;
    if (s_write (self, &iov, 1, total) == -1)
        return -1;
    self->count += records;
    return s_apply_policy (self);
}

uint64_t
hb_journal_pending (hb_journal_t *self)
{
    assert (self);
    return self->pending;
}

uint64_t
hb_journal_discard (hb_journal_t *self)
{
    assert (self);
    uint64_t records = self->pending;
    self->used = 0;
    self->pending = 0;
    return records;
}

int
hb_journal_sync (hb_journal_t *self)
{
    assert (self);
    if (self->broken) {
        errno = EIO;
        return -1;
    }
    if (self->pending && hb_journal_flush (self) == -1)
        return -1;
    return s_sync (self);
}

uint64_t
hb_journal_count (hb_journal_t *self)
{
    assert (self);
    return self->count + self->pending;
}

uint64_t
hb_journal_size (hb_journal_t *self)
{
    assert (self);
    return self->end + self->used;
}

uint64_t
hb_journal_dropped (hb_journal_t *self)
{
    assert (self);
    return self->dropped;
}

uint64_t
hb_journal_syncs (hb_journal_t *self)
{
    assert (self);
    return self->syncs;
}

const char *
hb_journal_path (hb_journal_t *self)
{
    assert (self);
    return self->path;
}

static const char *s_policy_names [] = { "always", "interval", "never" };

int
hb_journal_policy_parse (const char *text, hb_journal_policy_t *policy)
{
    assert (policy);
    for (int i = 0; text && i < 3; i++)
        if (strcmp (text, s_policy_names [i]) == 0) {
            *policy = (hb_journal_policy_t) i;
            return 0;
        }
    return -1;
}

const char *
hb_journal_policy_name (hb_journal_policy_t policy)
{
    if (policy < HB_JOURNAL_FSYNC_ALWAYS || policy > HB_JOURNAL_FSYNC_NEVER)
        return "?";
    return s_policy_names [policy];
}

//  ---------------------------------------------------------------------
//  Checking and salvaging a damaged journal, and guarding against a lost one

//  Maps path read-only after checking its header; fills *size. NULL with
//  errno (and *why) when it cannot be read or is not a journal.
static const uint8_t *
s_map_path (const char *path, int *fd_p, uint64_t *size, char *why, size_t whylen)
{
    *fd_p = open (path, O_RDONLY | O_CLOEXEC);
    if (*fd_p == -1) {
        snprintf (why, whylen, "cannot open: %s", strerror (errno));
        return NULL;
    }
    struct stat st;
    if (fstat (*fd_p, &st) == -1 || !S_ISREG (st.st_mode) || st.st_size < HB_JOURNAL_HEADER_SIZE) {
        snprintf (why, whylen, "not a regular journal file");
        errno = EINVAL;
        return NULL;
    }
    *size = (uint64_t) st.st_size;
    void *base = mmap (NULL, (size_t) *size, PROT_READ, MAP_SHARED, *fd_p, 0);
    if (base == MAP_FAILED) {
        snprintf (why, whylen, "cannot map: %s", strerror (errno));
        return NULL;
    }
    if (memcmp (base, s_magic, 4) != 0 || s_get_le32 ((const uint8_t *) base + 4) != HB_JOURNAL_VERSION) {
        munmap (base, (size_t) *size);
        snprintf (why, whylen, "not a hedgebus journal of version %d", HB_JOURNAL_VERSION);
        errno = EINVAL;
        return NULL;
    }
    return (const uint8_t *) base;
}

int
hb_journal_check (const char *path, hb_journal_check_t *report)
{
    assert (path && report);
    memset (report, 0, sizeof *report);
    int fd = -1;
    uint64_t size = 0;
    const uint8_t *base = s_map_path (path, &fd, &size, report->reason, sizeof report->reason);
    if (!base) {
        int saved = errno;
        if (fd != -1)
            close (fd);
        errno = saved;
        return -1;
    }
    s_scan_t scan;
    s_scan (base, size, NULL, NULL, &scan);
    report->size = size;
    report->records = scan.count;
    report->bad_offset = scan.end;
    if (scan.end < size && s_all_zero (base, scan.end, size)) {
        report->zeros = size - scan.end;
        report->bad_offset = size;          //  nothing bad: space
    }
    else
    if (scan.end < size) {
        report->torn = s_torn (base, &scan, size, &report->later, &report->holes);
        report->damaged = !report->torn;
        snprintf (report->reason, sizeof report->reason, "%s", scan.reason);
    }
    munmap ((void *) base, (size_t) size);
    close (fd);
    return 0;
}

typedef struct {
    hb_journal_t *out;
    int failed;
} s_copy_t;

static int
s_copy_record (const void *data, size_t size, uint64_t index, void *arg)
{
    (void) index;
    s_copy_t *copy = (s_copy_t *) arg;
    if (!copy->failed && hb_journal_append (copy->out, data, size) == -1)
        copy->failed = errno;
    return 0;
}

int
hb_journal_salvage (const char *path, hb_journal_check_t *report, char *quarantine, size_t qlen)
{
    assert (path && report && quarantine);
    if (hb_journal_check (path, report) == -1)
        return -1;
    if (!report->damaged && !report->torn) {
        quarantine [0] = 0;
        return 0;                       //  nothing to do
    }
    int fd = -1, out = -1, rc = -1, saved = 0;
    uint64_t size = 0;
    char why [128], tmp [4096];
    const uint8_t *base = s_map_path (path, &fd, &size, why, sizeof why);
    if (!base)
        return -1;
    //  nobody may be writing it meanwhile
    if (flock (fd, LOCK_EX | LOCK_NB) == -1) {
        saved = errno;
        goto done;
    }
    //  1. the whole file aside, durably, before anything changes
    time_t now = time (NULL);
    struct tm tm;
    gmtime_r (&now, &tm);
    snprintf (quarantine, qlen, "%s.quarantine-%04d%02d%02dT%02d%02d%02dZ", path,
              tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    out = open (quarantine, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (out == -1 || write (out, base, (size_t) size) != (ssize_t) size || fsync (out) == -1) {
        saved = errno ? errno : EIO;
        goto done;
    }
    //  2. every valid record, in file order, into a new journal beside it
    snprintf (tmp, sizeof tmp, "%s.salvage", path);
    unlink (tmp);
    s_copy_t copy = { .out = hb_journal_open (tmp, HB_JOURNAL_FSYNC_NEVER, 0) };
    if (!copy.out) {
        saved = errno;
        goto done;
    }
    s_scan_t scan;
    s_scan (base, size, s_copy_record, &copy, &scan);
    if (report->damaged)
        s_resync (base, scan.end, size, s_copy_record, &copy, scan.count, &report->holes);
    if (!copy.failed && hb_journal_sync (copy.out) == -1)
        copy.failed = errno;
    hb_journal_destroy (&copy.out);
    if (copy.failed) {
        unlink (tmp);
        saved = copy.failed;
        goto done;
    }
    //  3. the salvaged journal takes the damaged one's place
    if (rename (tmp, path) == -1 || s_sync_dir (path) == -1) {
        saved = errno;
        goto done;
    }
    rc = 0;
done:
    munmap ((void *) base, (size_t) size);
    close (fd);
    if (out != -1)
        close (out);
    errno = saved;
    return rc;
}

//  The marker beside a journal that says it exists: "<path>.created"
static void
s_marker_path (const char *path, char *marker, size_t size)
{
    snprintf (marker, size, "%s.created", path);
}

hb_journal_t *
hb_journal_open_owned (const char *path, hb_journal_policy_t policy, int interval_ms)
{
    char marker [4096];
    s_marker_path (path, marker, sizeof marker);
    struct stat st;
    bool exists = stat (path, &st) == 0;
    if (!exists && errno == ENOENT && stat (marker, &st) == 0) {
        //  Starting empty would reset what the journal held (positions, a
        //  day's traded notional, orders in flight) without a word.
        hb_error ("journal %s: missing, but %s says it was created before: refusing to start "
                  "from an empty journal; restore it, or remove %s to start afresh on purpose",
                  path, marker, marker);
        errno = ENOENT;
        return NULL;
    }
    hb_journal_t *self = s_open (path, policy, interval_ms, true);
    if (self && stat (marker, &st) != 0) {
        int fd = open (marker, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
        if (fd == -1 || fsync (fd) == -1 || s_sync_dir (marker) == -1)
            hb_warn ("journal %s: cannot create %s: %s (a lost journal would then go unnoticed)",
                     path, marker, strerror (errno));
        if (fd != -1)
            close (fd);
    }
    return self;
}
