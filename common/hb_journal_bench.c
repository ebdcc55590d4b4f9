/*  hb_journal bench: appends per second of ~100-byte records under each
    sync policy (each run bounded to about two seconds), append latency
    percentiles, CRC-32C speed, and the recovery time (open + replay) of a
    journal of 1,000,000 records. Files go to a fresh directory under
    $TMPDIR or /tmp (a real disk here, so fsync costs what it costs in
    production) and are deleted afterwards. The page cache is warm for the
    recovery run: it measures our scan, not the disk.                       */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
    const char *tmp = getenv ("TMPDIR");
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
    ||  s_bench_append (path, HB_JOURNAL_FSYNC_ALWAYS, 0) == -1
    ||  s_bench_append (path, HB_JOURNAL_FSYNC_INTERVAL, 10) == -1
    ||  s_bench_append (path, HB_JOURNAL_FSYNC_NEVER, 0) == -1
    ||  s_bench_recovery (path) == -1)
        rc = -1;
    free (s_samples);
    unlink (path);
    rmdir (dir);
    return rc == 0? 0: 1;
}
