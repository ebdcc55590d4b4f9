/*  hb_journal bench: appends per second of ~100-byte records under each
    sync policy (each run bounded to about two seconds), append latency
    percentiles, CRC-32C speed, and the recovery time (open + replay) of a
    journal of 1,000,000 records. Files go to a fresh directory under
    $HB_BENCH_DIR, else $TMPDIR, else /tmp (a real disk here, so fsync
    costs what it costs in production) and are deleted afterwards; the
    durable-append comparison runs there and again under /dev/shm (tmpfs:
    the cost of the system calls alone). The page cache is warm for the
    recovery run: it measures our scan, not the disk.

    The durable-append comparison (issue 15: what one acknowledged record
    costs on the tick-to-order path) writes the same framed records with
    bare system calls, one variable at a time, beside hb_journal itself:
      fsync / fdatasync      after an append that grows the file
      O_DSYNC                the same, the sync inside pwrite
      fallocate              fdatasync into space reserved by fallocate
                             (unwritten extents: the size does not change,
                             but the first write converts the extent)
      zero-filled            fdatasync / O_DSYNC into space written with
                             zeros and synced ahead (no metadata to commit)
      group N                N records, one write and one fdatasync: the
                             latency of the group and its cost per record
      hb_journal owned       what the hedger's intents cost now (space
                             ahead on a disk); plain: without space ahead
                             (every journal before); many 4: four records
                             by hb_journal_append_many
    Space ahead is taken in chunks when an append reaches the end of it,
    inside that append (so the p99 shows what a chunk costs).              */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "hb_crc32c.h"
#include "hb_journal.h"
#include "hb_log.h"
#include "hb_time.h"

#define RECORD_SIZE   100
#define RUN_NS        (2 * HB_NS_PER_SEC)
#define MAX_SAMPLES   (1 << 22)
#define RECOVERY_N    1000000

static uint32_t *s_samples;     //  append latencies, ns

static int
s_cmp_u32 (const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *) a, y = *(const uint32_t *) b;
    return x < y? -1: x > y;
}

static double
s_percentile_us (const uint32_t *samples, size_t count, double p)
{
    if (count == 0)
        return 0;
    size_t index = (size_t) (p * (double) (count - 1));
    return samples [index] / 1000.0;
}

static int
s_bench_append (const char *path, hb_journal_policy_t policy, int interval_ms)
{
    unlink (path);
    hb_journal_t *journal = hb_journal_open (path, policy, interval_ms);
    if (!journal)
        return -1;
    uint8_t record [RECORD_SIZE];
    for (size_t i = 0; i < sizeof record; i++)
        record [i] = (uint8_t) (i * 7);
    size_t count = 0;
    int64_t start = hb_mono_ns ();
    int64_t now = start;
    while (now - start < RUN_NS) {
        memcpy (record, &count, sizeof count);
        int64_t before = now;
        if (hb_journal_append (journal, record, sizeof record) == -1) {
            fprintf (stderr, "append failed: %s\n", strerror (errno));
            hb_journal_destroy (&journal);
            return -1;
        }
        now = hb_mono_ns ();
        if (count < MAX_SAMPLES)
            s_samples [count] = (uint32_t) (now - before);
        count++;
    }
    double seconds = (double) (now - start) / HB_NS_PER_SEC;
    uint64_t syncs = hb_journal_syncs (journal);
    hb_journal_destroy (&journal);
    unlink (path);

    size_t samples = count < MAX_SAMPLES? count: MAX_SAMPLES;
    qsort (s_samples, samples, sizeof (uint32_t), s_cmp_u32);
    char label [48];
    snprintf (label, sizeof label, "%s", hb_journal_policy_name (policy));
    if (policy == HB_JOURNAL_FSYNC_INTERVAL)
        snprintf (label, sizeof label, "interval interval_ms=%d", interval_ms);
    printf ("journal append fsync=%s rate=%.0f/s records=%zu syncs=%llu "
            "p50=%.1f us p99=%.1f us p99.9=%.1f us max=%.1f us\n",
            label, count / seconds, count, (unsigned long long) syncs,
            s_percentile_us (s_samples, samples, 0.50),
            s_percentile_us (s_samples, samples, 0.99),
            s_percentile_us (s_samples, samples, 0.999),
            s_percentile_us (s_samples, samples, 1.0));
    return 0;
}

//  ---------------------------------------------------------------------
//  Durable append, one variable at a time (issue 15)

//  The disk is shared (other processes' writes make a sync wait for theirs
//  too, and the figures move by 10x within a minute), so the variants run
//  interleaved: RAW_ROUNDS rounds of a SLICE_NS slice each, every variant in
//  every round, each appending to its own file. Each then sees the same
//  background, and the comparison between them holds even when the
//  absolute figures do not.
#define RAW_ROUNDS    20
#define SLICE_NS      (50 * HB_NS_PER_MS)
#define RAW_SAMPLES   (1 << 18)                 //  per variant
#define RAW_CHUNK     (1u << 20)                //  space taken ahead at a time
#define FRAME_SIZE    (RECORD_SIZE + 8)         //  length + CRC + payload

typedef enum { AHEAD_NONE, AHEAD_FALLOCATE, AHEAD_ZEROS } s_ahead_t;
//  SYNC_JOURNAL: hb_journal owned (space ahead on a disk), as the hedger
//  opens it; SYNC_JOURNAL_PLAIN: hb_journal_open, no space ahead (what
//  every journal did before)
typedef enum { SYNC_FSYNC, SYNC_FDATASYNC, SYNC_ODSYNC, SYNC_JOURNAL, SYNC_JOURNAL_PLAIN } s_sync_t;

typedef struct {
    const char *name;
    s_sync_t sync;              //  SYNC_JOURNAL: hb_journal itself
    s_ahead_t ahead;
    int group;                  //  records per write and sync
} s_variant_t;

static const s_variant_t s_variants [] = {
    { "hb_journal owned, always",  SYNC_JOURNAL,   AHEAD_NONE,      1 },
    { "hb_journal plain, always",  SYNC_JOURNAL_PLAIN, AHEAD_NONE,  1 },
    { "hb_journal many 4, owned",  SYNC_JOURNAL,   AHEAD_NONE,      4 },
    { "fsync",                     SYNC_FSYNC,     AHEAD_NONE,      1 },
    { "fdatasync",                 SYNC_FDATASYNC, AHEAD_NONE,      1 },
    { "O_DSYNC",                   SYNC_ODSYNC,    AHEAD_NONE,      1 },
    { "fallocate+fdatasync",       SYNC_FDATASYNC, AHEAD_FALLOCATE, 1 },
    { "fallocate+O_DSYNC",         SYNC_ODSYNC,    AHEAD_FALLOCATE, 1 },
    { "zero-filled+fdatasync",     SYNC_FDATASYNC, AHEAD_ZEROS,     1 },
    { "zero-filled+O_DSYNC",       SYNC_ODSYNC,    AHEAD_ZEROS,     1 },
    { "group 4, fdatasync",        SYNC_FDATASYNC, AHEAD_NONE,      4 },
    { "group 16, fdatasync",       SYNC_FDATASYNC, AHEAD_NONE,     16 },
    { "group 4, zero-filled",      SYNC_FDATASYNC, AHEAD_ZEROS,     4 },
    { "group 16, zero-filled",     SYNC_FDATASYNC, AHEAD_ZEROS,    16 },
};
#define VARIANTS (sizeof s_variants / sizeof s_variants [0])

typedef struct {
    const s_variant_t *variant;
    char path [320];
    int fd;
    hb_journal_t *journal;
    uint64_t end, ahead;        //  next offset, end of the space taken
    uint32_t *samples;          //  ns per durable write (a group: the group's)
    size_t count;
    size_t records;
    int64_t busy_ns;
} s_runner_t;

//  Takes RAW_CHUNK more bytes of space at offset: fallocate (unwritten
//  extents) or zeros written and synced. 0 or -1.
static int
s_take_ahead (int fd, s_ahead_t ahead, uint64_t offset)
{
    if (ahead == AHEAD_FALLOCATE)
        return fallocate (fd, 0, (off_t) offset, RAW_CHUNK) == -1? -1: 0;
    static uint8_t zeros [1 << 16];
    for (uint64_t done = 0; done < RAW_CHUNK; done += sizeof zeros)
        if (pwrite (fd, zeros, sizeof zeros, (off_t) (offset + done)) != (ssize_t) sizeof zeros)
            return -1;
    return fdatasync (fd);
}

static int
s_runner_open (s_runner_t *self, const char *dir, size_t index, const s_variant_t *variant)
{
    memset (self, 0, sizeof *self);
    self->variant = variant;
    self->fd = -1;
    snprintf (self->path, sizeof self->path, "%s/durable.%zu", dir, index);
    self->samples = malloc (RAW_SAMPLES * sizeof (uint32_t));
    if (!self->samples)
        return -1;
    if (variant->sync == SYNC_JOURNAL) {
        self->journal = hb_journal_open_owned (self->path, HB_JOURNAL_FSYNC_ALWAYS, 0);
        return self->journal? 0: -1;
    }
    if (variant->sync == SYNC_JOURNAL_PLAIN) {
        self->journal = hb_journal_open (self->path, HB_JOURNAL_FSYNC_ALWAYS, 0);
        return self->journal? 0: -1;
    }
    int flags = O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC;
    if (variant->sync == SYNC_ODSYNC)
        flags |= O_DSYNC;
    self->fd = open (self->path, flags, 0600);
    return self->fd == -1? -1: 0;
}

static void
s_runner_close (s_runner_t *self)
{
    hb_journal_destroy (&self->journal);
    if (self->fd != -1)
        close (self->fd);
    char marker [400];
    snprintf (marker, sizeof marker, "%s.created", self->path);
    unlink (marker);
    unlink (self->path);
    free (self->samples);
}

//  One slice of durable appends. 0 or -1 (reason printed).
static int
s_runner_slice (s_runner_t *self)
{
    static uint8_t frames [16 * FRAME_SIZE];
    const s_variant_t *variant = self->variant;
    size_t bytes = (size_t) variant->group * FRAME_SIZE;
    int64_t start = hb_mono_ns (), now = start;
    while (now - start < SLICE_NS) {
        int64_t before = now;
        if (self->journal && variant->group > 1) {
            struct iovec group [16];
            for (int i = 0; i < variant->group; i++)
                group [i] = (struct iovec) { .iov_base = frames + i * FRAME_SIZE,
                                             .iov_len = RECORD_SIZE };
            if (hb_journal_append_many (self->journal, group, (size_t) variant->group) == -1)
                goto failed;
        }
        else
        if (self->journal) {
            if (hb_journal_append (self->journal, frames, RECORD_SIZE) == -1)
                goto failed;
        }
        else {
            if (variant->ahead != AHEAD_NONE && self->end + bytes > self->ahead) {
                if (s_take_ahead (self->fd, variant->ahead, self->ahead) == -1)
                    goto failed;
                self->ahead += RAW_CHUNK;
            }
            if (pwrite (self->fd, frames, bytes, (off_t) self->end) != (ssize_t) bytes)
                goto failed;
            if ((variant->sync == SYNC_FSYNC && fsync (self->fd) == -1)
            ||  (variant->sync == SYNC_FDATASYNC && fdatasync (self->fd) == -1))
                goto failed;
            self->end += bytes;
        }
        now = hb_mono_ns ();
        if (self->count < RAW_SAMPLES)
            self->samples [self->count++] = (uint32_t) (now - before);
        self->records += (size_t) variant->group;
    }
    self->busy_ns += now - start;
    return 0;

failed:
    fprintf (stderr, "%s (%s): %s\n", self->path, variant->name, strerror (errno));
    return -1;
}

static void
s_runner_print (s_runner_t *self, const char *where)
{
    qsort (self->samples, self->count, sizeof (uint32_t), s_cmp_u32);
    double p50 = s_percentile_us (self->samples, self->count, 0.50);
    double p99 = s_percentile_us (self->samples, self->count, 0.99);
    printf ("durable append %-4s %-25s rate=%6.0f/s p50=%7.1f us p99=%7.1f us max=%8.1f us",
            where, self->variant->name, self->records / ((double) self->busy_ns / HB_NS_PER_SEC),
            p50, p99, s_percentile_us (self->samples, self->count, 1.0));
    if (self->variant->group > 1)
        printf (" (per record %.1f / %.1f us)", p50 / self->variant->group,
                p99 / self->variant->group);
    printf ("\n");
}

//  Every variant in dir (where: a short label), interleaved.
static int
s_bench_durable (const char *dir, const char *where)
{
    s_runner_t runners [VARIANTS];
    size_t opened = 0;
    int rc = 0;
    for (; opened < VARIANTS; opened++)
        if (s_runner_open (&runners [opened], dir, opened, &s_variants [opened]) == -1) {
            fprintf (stderr, "%s: %s\n", runners [opened].path, strerror (errno));
            s_runner_close (&runners [opened]);
            rc = -1;
            break;
        }
    for (int round = 0; rc == 0 && round < RAW_ROUNDS; round++)
        for (size_t i = 0; rc == 0 && i < VARIANTS; i++)
            rc = s_runner_slice (&runners [(i + (size_t) round) % VARIANTS]);
    for (size_t i = 0; i < opened; i++) {
        if (rc == 0)
            s_runner_print (&runners [i], where);
        s_runner_close (&runners [i]);
    }
    return rc;
}

static int
s_bench_crc (void)
{
    enum { SIZE = 1 << 16, ROUNDS = 4096 };       //  256 MiB each
    uint8_t *data = malloc (SIZE);
    if (!data)
        return -1;
    for (size_t i = 0; i < SIZE; i++)
        data [i] = (uint8_t) (i * 31 + 7);
    uint32_t crc = 0;
    int64_t start = hb_mono_ns ();
    for (int i = 0; i < ROUNDS; i++)
        crc = hb_crc32c (crc, data, SIZE);
    int64_t hw = hb_mono_ns () - start;
    start = hb_mono_ns ();
    for (int i = 0; i < ROUNDS / 8; i++)
        crc = hb_crc32c_sw (crc, data, SIZE);
    int64_t sw = (hb_mono_ns () - start) * 8;
    double bytes = (double) SIZE * ROUNDS;
    printf ("crc32c rate=%.2f GB/s portable=%.2f GB/s (check %08x)\n",
            bytes / (double) hw, bytes / (double) sw, crc);
    free (data);
    return 0;
}

typedef struct {
    uint64_t bytes;
    uint64_t mismatches;
} s_replay_t;

static int
s_replay_fn (const void *data, size_t size, uint64_t index, void *arg)
{
    s_replay_t *self = (s_replay_t *) arg;
    uint64_t stored;
    memcpy (&stored, data, sizeof stored);
    self->mismatches += stored != index;
    self->bytes += size;
    return 0;
}

static int
s_bench_recovery (const char *path)
{
    unlink (path);
    hb_journal_t *journal = hb_journal_open (path, HB_JOURNAL_FSYNC_NEVER, 0);
    if (!journal)
        return -1;
    uint8_t record [RECORD_SIZE];
    for (size_t i = 0; i < sizeof record; i++)
        record [i] = (uint8_t) (i * 13);
    int64_t start = hb_mono_ns ();
    for (uint64_t i = 0; i < RECOVERY_N; i++) {
        memcpy (record, &i, sizeof i);
        if (hb_journal_append (journal, record, sizeof record) == -1) {
            fprintf (stderr, "append failed: %s\n", strerror (errno));
            hb_journal_destroy (&journal);
            unlink (path);
            return -1;
        }
    }
    uint64_t size = hb_journal_size (journal);
    hb_journal_destroy (&journal);      //  includes the final fdatasync
    int64_t written = hb_mono_ns () - start;

    start = hb_mono_ns ();
    journal = hb_journal_open (path, HB_JOURNAL_FSYNC_ALWAYS, 0);
    int64_t opened = hb_mono_ns ();
    s_replay_t replay = { 0, 0 };
    int rc = journal? hb_journal_replay (journal, s_replay_fn, &replay): -1;
    int64_t done = hb_mono_ns ();
    uint64_t count = journal? hb_journal_count (journal): 0;
    hb_journal_destroy (&journal);
    unlink (path);
    if (rc == -1 || count != RECOVERY_N || replay.mismatches) {
        fprintf (stderr, "recovery failed: rc %d, %llu records, %llu mismatches\n", rc,
                 (unsigned long long) count, (unsigned long long) replay.mismatches);
        return -1;
    }
    double ms = (double) (done - start) / HB_NS_PER_MS;
    printf ("journal write records=%d bytes=%llu time=%.0f ms (fsync=never, one final sync)\n",
            RECOVERY_N, (unsigned long long) size, (double) written / HB_NS_PER_MS);
    printf ("journal recovery records=%d time=%.0f ms rate=%.0f/s (open+scan %.0f ms, "
            "replay %.0f ms, %.0f MB/s)\n", RECOVERY_N, ms, RECOVERY_N / (ms / 1000),
            (double) (opened - start) / HB_NS_PER_MS, (double) (done - opened) / HB_NS_PER_MS,
            (double) size / 1e6 / (ms / 1000));
    return 0;
}

int
main (void)
{
    hb_log_init ("journal_bench", HB_LOG_WARN);
    const char *tmp = getenv ("HB_BENCH_DIR");
    if (!tmp || !*tmp)
        tmp = getenv ("TMPDIR");
    char dir [256];
    snprintf (dir, sizeof dir, "%s/hb_journal_bench.XXXXXX", tmp && *tmp? tmp: "/tmp");
    if (!mkdtemp (dir)) {
        fprintf (stderr, "cannot create %s: %s\n", dir, strerror (errno));
        return 1;
    }
    char path [300];
    snprintf (path, sizeof path, "%s/journal", dir);
    s_samples = malloc (MAX_SAMPLES * sizeof (uint32_t));
    int rc = 0;
    printf ("journal bench: %d-byte records in %s\n", RECORD_SIZE, dir);
    if (!s_samples
    ||  s_bench_crc () == -1
    ||  s_bench_durable (dir, "disk") == -1
    ||  s_bench_append (path, HB_JOURNAL_FSYNC_ALWAYS, 0) == -1
    ||  s_bench_append (path, HB_JOURNAL_FSYNC_INTERVAL, 10) == -1
    ||  s_bench_append (path, HB_JOURNAL_FSYNC_NEVER, 0) == -1
    ||  s_bench_recovery (path) == -1)
        rc = -1;
    //  the same on tmpfs, for reference: what the system calls cost alone
    char shm [256];
    snprintf (shm, sizeof shm, "/dev/shm/hb_journal_bench.XXXXXX");
    if (rc == 0 && access ("/dev/shm", W_OK) == 0 && mkdtemp (shm)) {
        if (s_bench_durable (shm, "shm") == -1)
            rc = -1;
        rmdir (shm);
    }
    free (s_samples);
    unlink (path);
    rmdir (dir);
    return rc == 0? 0: 1;
}
