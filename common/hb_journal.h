/*  hb_journal: a durable append-only journal of opaque records (fills in the
    aggregator, order intents and the kill switch in the hedger, the bus
    recording). State that must survive a crash is appended here before it
    counts, and rebuilt at start by replaying the journal.

    File format (all integers little-endian):
        file header  "HBJ1" + u32 version (1)                       8 bytes
        record       u32 length, u32 CRC-32C, payload     8 + length bytes
    The CRC covers the four length bytes and then the payload, so a torn or
    flipped length is caught like a damaged payload. A length over
    HB_JOURNAL_MAX_RECORD is damage by definition, so a corrupt length never
    makes us allocate or read gigabytes.

    Recovery: at open the file is scanned; the records up to the first bad
    one (short header, length over the limit, short payload, CRC mismatch)
    are kept and everything from the first bad record on is cut off and
    synced, with a warning naming the file, the offset, the reason and the
    bytes dropped. A crash mid-append leaves a torn tail, so this loses at
    most the records whose append had not returned (or, under the interval
    and never policies, the records not yet synced when the machine went
    down).

    Journals that hold state (hb_journal_open_owned: the aggregator's fills,
    the hedger's intents, a feed's fills) are stricter: only a torn tail
    (zeros to the end of the file, or a record cut short with no valid
    record after it) is cut off. Anything else (a CRC mismatch on a
    complete record, a damaged length, valid records after the bad one) is
    damage in the history: cutting there would drop every later record and
    start silently wrong, so the open is refused (EBADMSG) and the file left
    as it is for an operator: hb_journal_check says what is there,
    hb_journal_salvage (`hb-journal salvage FILE`) keeps a copy aside and
    recovers every valid record. A missing owned journal that existed
    before is refused too.

    Space ahead (owned journals under always, on a disk; not on tmpfs or
    ramfs, where a sync costs nothing): the file is extended with zeros
    HB_JOURNAL_AHEAD bytes at a time, so that an append overwrites blocks
    that exist and its fdatasync writes the data without a file-system
    journal commit (the size does not change); the commit is paid once per
    HB_JOURNAL_AHEAD bytes, by the append that takes the space, in the same
    sync. Same promise: a record is durable when its append returns 0. The
    logical end is the last valid record: zeros to the end of the file are
    space (or an append that never landed, never acknowledged), kept as it
    is at open, never counted as dropped nor reported as damage. A write
    cut short in that space leaves its sectors that did not land as zeros:
    a record that fails its CRC and is followed, from a 512-byte boundary
    inside it, by zeros only, with nothing valid after, is a torn tail too.
    A clean close (destroy) gives the space back: a stopped journal holds
    its records only; a crashed one may hold zeros after them, which every
    open (an owned one under always keeps them) and check accept.

    Batching (opt-in, hb-record only; every other user writes each record
    as it is appended): after hb_journal_set_buffer, appends are framed into
    a user-space buffer and reach the file only at hb_journal_flush (or when
    the buffer is full, or at sync, replay and destroy), with one write for
    the whole batch; the sync policy then applies per flush, not per append.
    A crash loses the records of the batch not yet flushed; a power cut
    during or after a flush that was not synced can leave any part of the
    batch on disk (a prefix cut anywhere, or zeros where pages did not
    land): recovery keeps the records up to the first one whose CRC fails,
    as above.

    A file whose header is not ours (wrong magic, unknown version) is refused
    and left untouched. One process at a time: the file is locked (flock) for
    as long as the journal is open, and a second open fails.

    Typical use (the aggregator):
        hb_journal_t *journal = hb_journal_open (path, policy, interval_ms);
        if (!journal) exit (1);                 //  reason already logged
        hb_journal_replay (journal, s_apply_fill, self);
        ... for each new fill: hb_journal_append () and only then apply it;
        ... a reactor timer every interval_ms calls hb_journal_sync ().
    The recorder instead: hb_journal_set_buffer () once, then per drain of
    its socket hb_journal_append () for each message and hb_journal_flush ()
    before it waits for the socket again.                                    */
#ifndef HB_JOURNAL_H
#define HB_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HB_JOURNAL_MAX_RECORD  (1u << 20)       //  payload bytes, 1 MiB
#define HB_JOURNAL_HEADER_SIZE 8                //  file header
#define HB_JOURNAL_RECORD_OVERHEAD 8            //  length + CRC per record
#define HB_JOURNAL_VERSION     1
#define HB_JOURNAL_AHEAD       (256u << 10)     //  space taken ahead at a time, bytes

typedef enum {
    //  fdatasync before append returns: a record is durable once its append
    //  has returned 0, even across a power cut. Batching: before flush
    //  returns (a record is durable once the flush that wrote it returned 0).
    HB_JOURNAL_FSYNC_ALWAYS   = 0,
    //  fdatasync on an append at least interval_ms after the last sync, and
    //  from hb_journal_sync (): a power cut loses at most about interval_ms
    //  of records. A process crash (kill -9) loses nothing: the data is in
    //  the kernel once append returns.
    HB_JOURNAL_FSYNC_INTERVAL = 1,
    //  Leave it to the kernel (and to hb_journal_sync / destroy). Survives a
    //  process crash, not a power cut.
    HB_JOURNAL_FSYNC_NEVER    = 2
} hb_journal_policy_t;

typedef struct _hb_journal_t hb_journal_t;

//  Called once per valid record, in order; index counts records from 0.
//  data is valid only during the call (it points into a read-only mapping
//  of the file). Return 0 to go on, anything else to stop the replay.
typedef int (hb_journal_replay_fn) (const void *data, size_t size, uint64_t index, void *arg);

//  Opens the journal at path, creating it (and syncing its directory, so the
//  new file survives a crash) if it does not exist, or is empty, or holds
//  only a torn file header. An existing journal is scanned and a bad tail
//  truncated as described above. interval_ms applies to
//  HB_JOURNAL_FSYNC_INTERVAL (0 there means sync on every append).
//  Returns NULL, with errno set and the reason logged with the path, when the
//  file cannot be opened or created (ENOENT, EACCES, EISDIR ...), is locked
//  by another open journal (EWOULDBLOCK), is not a hedgebus journal
//  (EINVAL: wrong magic; EPROTO: unknown version; the file is not modified),
//  or when truncating a bad tail fails.
hb_journal_t *hb_journal_open (const char *path, hb_journal_policy_t policy, int interval_ms);

//  Syncs unsynced records (whatever the policy: a clean stop loses nothing),
//  closes the file and frees the journal; logs if that final sync fails.
//  NULL-safe; nulls the caller's pointer.
void hb_journal_destroy (hb_journal_t **self_p);

//  Calls fn for every record of the journal, in order (records appended
//  earlier in this session included; pending ones are flushed first, and a
//  failed flush returns -1 with its errno). Returns 0 when all were delivered;
//  -1 with errno ECANCELED if fn stopped it, or EIO (logged) if the file no
//  longer reads back as it was verified, or the errno of a failed mmap.
//  Allocation-free apart from the mapping.
int hb_journal_replay (hb_journal_t *self, hb_journal_replay_fn *fn, void *arg);

//  Appends one record of size bytes (0 allowed; data may be NULL then) with
//  a single write at the end of the file, then applies the sync policy
//  (with batching on: into the buffer, see hb_journal_flush).
//  No allocation. Returns 0, or -1 with errno:
//    EMSGSIZE  size over HB_JOURNAL_MAX_RECORD; nothing written.
//    EIO       the journal is unusable after an earlier failed sync (or a
//              failed write that could not be truncated away).
//    other     the write failed (ENOSPC, EFBIG ...): the partial record is
//              truncated away, the record is not in the journal and later
//              appends may succeed; or the sync failed: the record may or
//              may not survive a crash, and since the kernel may have
//              dropped the unsynced pages we cannot retry, so the journal is
//              marked unusable (every later append fails with EIO). The
//              caller should stop and let the restart's replay decide.
int hb_journal_append (hb_journal_t *self, const void *data, size_t size);

//  Group commit: appends count records (each iovec is one record's payload,
//  sizes as for append) with one write at the end of the file (one per 64
//  records), then applies the sync policy once: under always, one
//  fdatasync for the whole group, so every record is durable when it
//  returns 0, at the cost of one record's sync (docs/OPERATIONS.md, The
//  cost of a durable record). With batching on, the pending records are
//  written first, in the same write. All or nothing: on failure (errno as
//  for append; EMSGSIZE when any record is too big, nothing written) none
//  of the group is in the journal (nor the pending batch, as for a failed
//  flush), except when the sync failed: then, as for append, the journal
//  is unusable and the group may or may not survive a crash. A crash
//  during the call can leave any prefix of the group (never a record
//  torn in the middle of the journal): nothing of it was acknowledged.
//  No allocation. count 0 does nothing and returns 0.
struct iovec;
int hb_journal_append_many (hb_journal_t *self, const struct iovec *records, size_t count);

//  Turns batching on (bytes > 0: a buffer of that many bytes, framing
//  included) or off (0), writing any pending records first. A record bigger
//  than the buffer is written on its own (after the pending ones), as a
//  flush would. Returns 0, or -1 with errno: ENOMEM (the journal is left as
//  it was), or the errno of that first flush.
int hb_journal_set_buffer (hb_journal_t *self, size_t bytes);

//  Batching: writes the pending records with one write at the end of the
//  file, then applies the sync policy (always: fdatasync; interval: if
//  interval_ms have passed since the last sync; never: none). Costs no
//  system call when nothing is pending (and without batching). Returns 0,
//  or -1 with errno:
//    EIO       unusable journal (as for append; the batch stays pending and
//              destroy reports it lost).
//    other     the write failed: the file is back at its last good end and
//              the whole batch is dropped (hb_journal_count goes back by
//              the number hb_journal_pending said just before); later
//              flushes may succeed. Or the sync failed: unusable, as for
//              append.
//  hb_journal_append in batching mode returns 0 once the record is framed
//  in the buffer; when it does not fit, append flushes first, and if that
//  flush fails, append returns -1 with its errno: the earlier pending
//  records are dropped as above and this one is not appended.
int hb_journal_flush (hb_journal_t *self);

//  Records appended but not yet written to the file (0 without batching).
uint64_t hb_journal_pending (hb_journal_t *self);

//  Drops the pending records unwritten (a caller whose other file failed,
//  keeping the two consistent). Returns how many were dropped.
uint64_t hb_journal_discard (hb_journal_t *self);

//  Makes every appended record durable now (writing pending ones first,
//  then fdatasync) if any is not yet; costs no system call otherwise. Call it from a reactor timer under the
//  interval policy so that the last records of a burst do not wait for the
//  next append. Returns 0, or -1 with errno (and the journal is unusable, as
//  for a failed sync in append).
int hb_journal_sync (hb_journal_t *self);

//  Number of records in the journal (replayed ones and appended ones,
//  pending ones included).
uint64_t hb_journal_count (hb_journal_t *self);

//  Size of the journal in bytes once pending records are written: the file
//  header plus every record (so the offset the next record will have). The
//  file itself may be longer while the journal is open (space ahead).
uint64_t hb_journal_size (hb_journal_t *self);

//  Bytes cut off a damaged tail when the journal was opened (0 if none): a
//  counter worth reporting in a heartbeat.
uint64_t hb_journal_dropped (hb_journal_t *self);

//  Number of fdatasync calls made since open (for tests and counters).
uint64_t hb_journal_syncs (hb_journal_t *self);

//  The path given at open.
const char *hb_journal_path (hb_journal_t *self);

//  What hb_journal_check found in a journal file.
typedef struct {
    uint64_t size;              //  bytes in the file
    uint64_t records;           //  valid records before the first bad one
    uint64_t bad_offset;        //  where the first bad record starts (size if none)
    bool     torn;              //  a torn tail only: open truncates it
    bool     damaged;           //  damage in the history: open refuses it
    uint64_t zeros;             //  zeros after the last record to the end (space
                                //  taken ahead, or an append that never landed):
                                //  neither torn nor damaged, nothing lost
    uint64_t later;             //  damaged: valid records found after the damage
    uint64_t holes;             //  damaged: runs of unreadable bytes
    char     reason [128];      //  the first bad record's fault, or why the file is unreadable
} hb_journal_check_t;

//  Reads the journal at path without changing it (no lock taken: it may be
//  in use) and fills *report, judging it as an owned journal's open would
//  (zeros to the end are report->zeros, not a torn tail). Returns 0, or -1 with errno and report->reason
//  when it cannot be read or is not a journal.
int hb_journal_check (const char *path, hb_journal_check_t *report);

//  For an operator, on a journal that open refused as damaged (or that has
//  a torn tail): copies the whole file to "<path>.quarantine-<UTC time>"
//  (0600, synced; its name in quarantine), then replaces the journal,
//  atomically, by one holding every valid record in file order: those
//  before the damage and those found after it by looking for valid record
//  frames byte by byte. What is lost is only what lay in the damaged bytes
//  (report->holes runs of them). Refuses (EWOULDBLOCK) while a process holds
//  the journal. Returns 0 (quarantine is "" when there was nothing to do),
//  or -1 with errno and the journal unchanged.
int hb_journal_salvage (const char *path, hb_journal_check_t *report, char *quarantine, size_t qlen);

//  hb_journal_open for a journal whose loss matters (the aggregator's fills,
//  the hedger's intents, a feed's fills): damage other than a torn tail is
//  refused (NULL, EBADMSG, logged; the file untouched), and a marker file
//  "<path>.created" is made beside it at the first open, so that later a
//  missing journal with its marker present is refused (NULL, ENOENT,
//  logged) instead of silently starting empty; remove the marker to start
//  afresh on purpose.
hb_journal_t *hb_journal_open_owned (const char *path, hb_journal_policy_t policy, int interval_ms);

//  Parses "always", "interval" or "never". Returns 0, or -1 (policy left
//  unchanged) for anything else, NULL included.
int hb_journal_policy_parse (const char *text, hb_journal_policy_t *policy);

//  "always", "interval", "never" (or "?" for a value out of range).
const char *hb_journal_policy_name (hb_journal_policy_t policy);

#endif
