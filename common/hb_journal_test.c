/*  hb_journal tests: CRC-32C vectors, the documented file format, round
    trips, hundreds of random truncations and bit flips (recovery must keep
    exactly the records before the first damaged one), sync policies,
    refusals (bad path, not our file, locked), a failed write undone.

    Files live in a fresh directory under /dev/shm (tmpfs: fsync is cheap,
    so the test stays fast) or /tmp when there is none. HB_TEST_SEED
    overrides the random seed, which is printed.                            */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hb_crc32c.h"
#include "hb_journal.h"
#include "hb_journal_testing.h"
#include "hb_log.h"

static char s_dir [64];
static char s_path [128];
static uint64_t s_rng = 0x9E3779B97F4A7C15ull;

static uint64_t
s_rand (void)
{
    return hb_journal_testing_rand (&s_rng);
}

static size_t
s_rand_below (size_t n)
{
    return (size_t) (s_rand () % n);
}

static void
s_fill (uint8_t *data, size_t size)
{
    for (size_t i = 0; i < size; i++)
        data [i] = (uint8_t) s_rand ();
}

//  ---------------------------------------------------------------------
//  A replay callback that keeps copies of the records

typedef struct {
    size_t count;
    size_t capacity;
    uint8_t **data;
    size_t *size;
    int stop_at;                //  -1: never stop
} s_records_t;

static void
s_records_reset (s_records_t *self)
{
    for (size_t i = 0; i < self->count; i++)
        free (self->data [i]);
    free (self->data);
    free (self->size);
    memset (self, 0, sizeof *self);
    self->stop_at = -1;
}

static int
s_collect (const void *data, size_t size, uint64_t index, void *arg)
{
    s_records_t *self = (s_records_t *) arg;
    assert_int_equal (index, self->count);
    if (self->count == self->capacity) {
        self->capacity = self->capacity? self->capacity * 2: 64;
        self->data = realloc (self->data, self->capacity * sizeof (uint8_t *));
        self->size = realloc (self->size, self->capacity * sizeof (size_t));
        assert_non_null (self->data);
        assert_non_null (self->size);
    }
    self->data [self->count] = malloc (size + 1);
    assert_non_null (self->data [self->count]);
    if (size)
        memcpy (self->data [self->count], data, size);
    self->size [self->count++] = size;
    return self->stop_at >= 0 && index == (uint64_t) self->stop_at? 1: 0;
}

//  Asserts that the first count records collected equal want [0..count).
static void
s_assert_records (const s_records_t *got, size_t count, uint8_t **want, const size_t *want_size)
{
    assert_true (got->count >= count);
    for (size_t i = 0; i < count; i++) {
        assert_int_equal (got->size [i], want_size [i]);
        if (want_size [i])
            assert_memory_equal (got->data [i], want [i], want_size [i]);
    }
}

//  ---------------------------------------------------------------------
//  Fixture

static int
s_setup (void **state)
{
    (void) state;
    return hb_journal_testing_setup ("hb_journal_test", "journal test", s_dir, sizeof s_dir,
                                     s_path, sizeof s_path, &s_rng);
}

static int
s_teardown (void **state)
{
    (void) state;
    hb_journal_testing_teardown (s_dir, s_path);
    return 0;
}

static int
s_before (void **state)
{
    (void) state;
    hb_journal_testing_before (s_path, "journal_test", HB_LOG_INFO);
    return 0;
}

//  ---------------------------------------------------------------------
//  Tests

//  Check values from RFC 3720 (iSCSI) appendix B.4 and the common "123456789".
static void
test_crc32c_vectors (void **state)
{
    (void) state;
    uint8_t buf [32];
    assert_int_equal (hb_crc32c (0, "123456789", 9), 0xE3069283u);
    assert_int_equal (hb_crc32c_sw (0, "123456789", 9), 0xE3069283u);
    memset (buf, 0, sizeof buf);
    assert_int_equal (hb_crc32c (0, buf, 32), 0x8A9136AAu);
    assert_int_equal (hb_crc32c_sw (0, buf, 32), 0x8A9136AAu);
    memset (buf, 0xFF, sizeof buf);
    assert_int_equal (hb_crc32c (0, buf, 32), 0x62A8AB43u);
    for (int i = 0; i < 32; i++)
        buf [i] = (uint8_t) i;
    assert_int_equal (hb_crc32c (0, buf, 32), 0x46DD794Eu);
    for (int i = 0; i < 32; i++)
        buf [i] = (uint8_t) (31 - i);
    assert_int_equal (hb_crc32c_sw (0, buf, 32), 0x113FDB5Cu);
    assert_int_equal (hb_crc32c (0x1234, NULL, 0), 0x1234);

    //  Every alignment and length, and chaining at every split, agree
    //  between the hardware and the portable paths.
    uint8_t data [300];
    s_fill (data, sizeof data);
    for (size_t start = 0; start < 9; start++)
        for (size_t size = 0; start + size <= sizeof data; size += 1 + size / 8) {
            uint32_t whole = hb_crc32c_sw (0, data + start, size);
            assert_int_equal (hb_crc32c (0, data + start, size), whole);
            size_t split = size? s_rand_below (size): 0;
            assert_int_equal (hb_crc32c (hb_crc32c (0, data + start, split),
                                         data + start + split, size - split), whole);
        }
}

//  The bytes on disk are exactly as hb_journal.h documents them.
static void
test_file_format (void **state)
{
    (void) state;
    hb_journal_t *journal = hb_journal_open (s_path, HB_JOURNAL_FSYNC_NEVER, 0);
    assert_non_null (journal);
    assert_string_equal (hb_journal_path (journal), s_path);
    assert_int_equal (hb_journal_append (journal, "abc", 3), 0);
    assert_int_equal (hb_journal_append (journal, NULL, 0), 0);
    assert_int_equal (hb_journal_count (journal), 2);
    assert_int_equal (hb_journal_size (journal), 8 + 8 + 3 + 8);
    hb_journal_destroy (&journal);
    assert_null (journal);
    hb_journal_destroy (&journal);      //  NULL-safe

    uint8_t *file;
    size_t size = hb_journal_testing_read_file (s_path, &file);
    assert_int_equal (size, 27);
    assert_memory_equal (file, "HBJ1\1\0\0\0", 8);
    const uint8_t first [] = { 3, 0, 0, 0, 'a', 'b', 'c' };
    uint32_t crc = hb_crc32c_sw (0, first, sizeof first);
    const uint8_t want [] = { 3, 0, 0, 0, (uint8_t) crc, (uint8_t) (crc >> 8),
                              (uint8_t) (crc >> 16), (uint8_t) (crc >> 24), 'a', 'b', 'c' };
    assert_memory_equal (file + 8, want, sizeof want);
    //  The empty record's CRC covers its length: not zero, so a zeroed
    //  region never passes for a run of empty records.
    crc = hb_crc32c_sw (0, "\0\0\0\0", 4);
    assert_true (crc != 0);
    const uint8_t empty [] = { 0, 0, 0, 0, (uint8_t) crc, (uint8_t) (crc >> 8),
                               (uint8_t) (crc >> 16), (uint8_t) (crc >> 24) };
    assert_memory_equal (file + 19, empty, sizeof empty);
    free (file);
}

static void
test_round_trip (void **state)
{
    (void) state;
    enum { N = 300 };
    uint8_t *want [N];
    size_t want_size [N];
    for (int i = 0; i < N; i++) {
        //  mostly small, with empty and maximal records in the mix
        want_size [i] = i % 97 == 5? HB_JOURNAL_MAX_RECORD
                      : i % 7 == 0? 0
                      : s_rand_below (i % 3? 200: 5000);
        want [i] = malloc (want_size [i] + 1);
        assert_non_null (want [i]);
        s_fill (want [i], want_size [i]);
    }
    hb_journal_t *journal = hb_journal_open (s_path, HB_JOURNAL_FSYNC_NEVER, 0);
    assert_non_null (journal);
    assert_int_equal (hb_journal_count (journal), 0);
    assert_int_equal (hb_journal_dropped (journal), 0);
    uint64_t expected_size = HB_JOURNAL_HEADER_SIZE;
    for (int i = 0; i < N; i++) {
        assert_int_equal (hb_journal_append (journal, want [i], want_size [i]), 0);
        expected_size += HB_JOURNAL_RECORD_OVERHEAD + want_size [i];
    }
    //  too large: refused, nothing written
    errno = 0;
    assert_int_equal (hb_journal_append (journal, want [5], HB_JOURNAL_MAX_RECORD + 1), -1);
    assert_int_equal (errno, EMSGSIZE);
    assert_int_equal (hb_journal_count (journal), N);
    assert_int_equal (hb_journal_size (journal), expected_size);

    //  replay in the same session
    s_records_t got;
    memset (&got, 0, sizeof got);
    s_records_reset (&got);
    assert_int_equal (hb_journal_replay (journal, s_collect, &got), 0);
    assert_int_equal (got.count, N);
    s_assert_records (&got, N, want, want_size);
    s_records_reset (&got);
    hb_journal_destroy (&journal);
    assert_int_equal (hb_journal_testing_file_size (s_path), expected_size);

    //  and after a reopen, then replay-then-append as the aggregator does
    journal = hb_journal_open (s_path, HB_JOURNAL_FSYNC_ALWAYS, 0);
    assert_non_null (journal);
    assert_int_equal (hb_journal_count (journal), N);
    assert_int_equal (hb_journal_dropped (journal), 0);
    assert_int_equal (hb_journal_replay (journal, s_collect, &got), 0);
    assert_int_equal (got.count, N);
    s_assert_records (&got, N, want, want_size);
    s_records_reset (&got);
    assert_int_equal (hb_journal_append (journal, "tail", 4), 0);
    assert_int_equal (hb_journal_count (journal), N + 1);
    hb_journal_destroy (&journal);

    journal = hb_journal_open (s_path, HB_JOURNAL_FSYNC_NEVER, 0);
    assert_non_null (journal);
    assert_int_equal (hb_journal_replay (journal, s_collect, &got), 0);
    assert_int_equal (got.count, N + 1);
    s_assert_records (&got, N, want, want_size);
    assert_int_equal (got.size [N], 4);
    assert_memory_equal (got.data [N], "tail", 4);
    s_records_reset (&got);
    hb_journal_destroy (&journal);
    for (int i = 0; i < N; i++)
        free (want [i]);
}

//  The acceptance test of issue 3: random truncations and bit flips of a
//  journal of 50 records; recovery keeps exactly the records before the
//  first damaged one, cuts the file there, and appends work afterwards.
//  A damaged journal (one flipped bit in record good): check says so,
//  salvage keeps the file aside byte for byte and leaves a journal that
//  opens, with every record before the damage and, in order, the valid
//  ones after it (the damaged record alone is lost).
static void
s_salvage_round (const uint8_t *damaged, size_t damaged_size, size_t good,
                 uint8_t *want [], const size_t want_size [], uint64_t *later_total)
{
    hb_journal_check_t check;
    assert_int_equal (hb_journal_check (s_path, &check), 0);
    assert_true (check.damaged);
    assert_false (check.torn);
    assert_int_equal (check.records, good);
    char quarantine [4096];
    assert_int_equal (hb_journal_salvage (s_path, &check, quarantine, sizeof quarantine), 0);
    uint8_t *kept;
    size_t kept_size = hb_journal_testing_read_file (quarantine, &kept);
    assert_int_equal (kept_size, damaged_size);
    assert_memory_equal (kept, damaged, kept_size);
    free (kept);
    unlink (quarantine);
    hb_journal_t *journal = hb_journal_open (s_path, HB_JOURNAL_FSYNC_NEVER, 0);
    assert_non_null (journal);
    assert_int_equal (hb_journal_count (journal), good + check.later);
    s_records_t got;
    memset (&got, 0, sizeof got);
    s_records_reset (&got);
    assert_int_equal (hb_journal_replay (journal, s_collect, &got), 0);
    s_assert_records (&got, good, want, want_size);
    //  what came back after the damage is every later record, in order
    assert_int_equal (check.later, 50 - 1 - good);
    for (size_t i = 0; i < check.later; i++) {
        size_t w = good + 1 + i;
        assert_int_equal (got.size [good + i], want_size [w]);
        assert_memory_equal (got.data [good + i], want [w], want_size [w]);
    }
    *later_total += check.later;
    s_records_reset (&got);
    hb_journal_destroy (&journal);
}

static void
test_random_damage (void **state)
{
    (void) state;
    enum { RECORDS = 50, ROUNDS = 600 };
    uint8_t *want [RECORDS];
    size_t want_size [RECORDS];
    uint64_t start [RECORDS], end [RECORDS];

    hb_journal_t *journal = hb_journal_open (s_path, HB_JOURNAL_FSYNC_NEVER, 0);
    assert_non_null (journal);
    for (int i = 0; i < RECORDS; i++) {
        want_size [i] = i == 7? 0: s_rand_below (40);
        want [i] = malloc (want_size [i] + 1);
        assert_non_null (want [i]);
        s_fill (want [i], want_size [i]);
        start [i] = hb_journal_size (journal);
        assert_int_equal (hb_journal_append (journal, want [i], want_size [i]), 0);
        end [i] = hb_journal_size (journal);
    }
    hb_journal_destroy (&journal);
    uint8_t *image;
    size_t image_size = hb_journal_testing_read_file (s_path, &image);
    assert_int_equal (image_size, end [RECORDS - 1]);
    uint8_t *damaged = malloc (image_size);
    assert_non_null (damaged);

    //  The warnings of 600 recoveries would drown the log; errors still show.
    hb_log_init ("journal_test", HB_LOG_ERROR);
    int truncations = 0, flips = 0, header_flips = 0, total_loss = 0;
    uint64_t salvaged_later = 0;
    const char *after = "appended after recovery";
    for (int round = 0; round < ROUNDS; round++) {
        memcpy (damaged, image, image_size);
        size_t damaged_size = image_size;
        size_t good;                //  records expected back
        bool refused = false;
        int refused_errno = 0;
        if (s_rand () & 1) {
            size_t cut = s_rand_below (image_size);
            damaged_size = cut;
            good = 0;
            while (good < RECORDS && end [good] <= cut)
                good++;
            truncations++;
        }
        else {
            //  one flip in ten lands in the file header, which must be refused
            size_t offset = round % 10 == 0? s_rand_below (HB_JOURNAL_HEADER_SIZE)
                                           : s_rand_below (image_size);
            damaged [offset] ^= (uint8_t) (1u << s_rand_below (8));
            good = 0;
            while (good < RECORDS && end [good] <= offset)
                good++;
            //  a flip anywhere is damage, never a torn tail: the open is
            //  refused and the file left as it is (cutting there would
            //  silently drop every later record)
            refused = true;
            if (offset < HB_JOURNAL_HEADER_SIZE) {
                refused_errno = offset < 4? EINVAL: EPROTO;
                header_flips++;
            }
            else {
                refused_errno = EBADMSG;
                assert_true (offset >= start [good] && offset < end [good]);
            }
            flips++;
        }
        total_loss += good == 0;
        hb_journal_testing_write_file (s_path, damaged, damaged_size);

        errno = 0;
        journal = hb_journal_open_owned (s_path, HB_JOURNAL_FSYNC_NEVER, 0);
        if (refused) {
            //  refused, and left exactly as it was
            assert_null (journal);
            assert_int_equal (errno, refused_errno);
            uint8_t *file;
            size_t size = hb_journal_testing_read_file (s_path, &file);
            assert_int_equal (size, damaged_size);
            assert_memory_equal (file, damaged, size);
            free (file);
            if (refused_errno == EBADMSG)
                s_salvage_round (damaged, damaged_size, good, want, want_size, &salvaged_later);
            continue;
        }
        assert_non_null (journal);
        uint64_t good_end = good? end [good - 1]: HB_JOURNAL_HEADER_SIZE;
        assert_int_equal (hb_journal_count (journal), good);
        assert_int_equal (hb_journal_size (journal), good_end);
        assert_int_equal (hb_journal_testing_file_size (s_path), good_end);
        //  a cut inside the file header counts the torn header as dropped
        uint64_t dropped = damaged_size == 0? 0
                         : damaged_size < good_end? damaged_size
                         : damaged_size - good_end;
        assert_int_equal (hb_journal_dropped (journal), dropped);

        s_records_t got;
        memset (&got, 0, sizeof got);
        s_records_reset (&got);
        assert_int_equal (hb_journal_replay (journal, s_collect, &got), 0);
        assert_int_equal (got.count, good);
        s_assert_records (&got, good, want, want_size);
        s_records_reset (&got);

        assert_int_equal (hb_journal_append (journal, after, strlen (after)), 0);
        hb_journal_destroy (&journal);
        journal = hb_journal_open (s_path, HB_JOURNAL_FSYNC_NEVER, 0);
        assert_non_null (journal);
        assert_int_equal (hb_journal_dropped (journal), 0);
        assert_int_equal (hb_journal_count (journal), good + 1);
        assert_int_equal (hb_journal_replay (journal, s_collect, &got), 0);
        assert_int_equal (got.count, good + 1);
        s_assert_records (&got, good, want, want_size);
        assert_int_equal (got.size [good], strlen (after));
        assert_memory_equal (got.data [good], after, strlen (after));
        s_records_reset (&got);
        hb_journal_destroy (&journal);
    }
    hb_log_init ("journal_test", HB_LOG_INFO);
    print_message ("journal damage: %d truncations, %d bit flips (%d in the file header), "
                   "%d left no record, %llu records recovered past the damage by salvage\n",
                   truncations, flips, header_flips, total_loss, (unsigned long long) salvaged_later);
    assert_true (salvaged_later > 0);
    //  the mix really covered both kinds of damage
    assert_true (truncations > ROUNDS / 4 && flips > ROUNDS / 4 && header_flips > 5);
    free (damaged);
    free (image);
    for (int i = 0; i < RECORDS; i++)
        free (want [i]);
}

//  An owned journal that existed and has gone missing is refused, not
//  silently started empty; the marker's removal is the operator's yes. A
//  plain journal (a recording) still cuts damage off at the first bad record.
static void
test_owned_missing_and_plain_damage (void **state)
{
    (void) state;
    hb_journal_t *journal = hb_journal_open_owned (s_path, HB_JOURNAL_FSYNC_NEVER, 0);
    assert_non_null (journal);
    assert_int_equal (hb_journal_append (journal, "one", 3), 0);
    assert_int_equal (hb_journal_append (journal, "two", 3), 0);
    assert_int_equal (hb_journal_append (journal, "six", 3), 0);
    hb_journal_destroy (&journal);
    char marker [4096];
    snprintf (marker, sizeof marker, "%s.created", s_path);
    assert_int_equal (access (marker, F_OK), 0);
    uint8_t *image;
    size_t size = hb_journal_testing_read_file (s_path, &image);
    assert_int_equal (unlink (s_path), 0);
    errno = 0;
    assert_null (hb_journal_open_owned (s_path, HB_JOURNAL_FSYNC_NEVER, 0));
    assert_int_equal (errno, ENOENT);
    assert_int_equal (access (s_path, F_OK), -1);           //  nothing created
    assert_int_equal (unlink (marker), 0);
    journal = hb_journal_open_owned (s_path, HB_JOURNAL_FSYNC_NEVER, 0);
    assert_non_null (journal);
    assert_int_equal (hb_journal_count (journal), 0);
    hb_journal_destroy (&journal);

    //  the second record damaged: owned refuses, plain keeps the first
    image [HB_JOURNAL_HEADER_SIZE + 11 + 9] ^= 0x10;
    hb_journal_testing_write_file (s_path, image, size);
    assert_null (hb_journal_open_owned (s_path, HB_JOURNAL_FSYNC_NEVER, 0));
    assert_int_equal (errno, EBADMSG);
    journal = hb_journal_open (s_path, HB_JOURNAL_FSYNC_NEVER, 0);
    assert_non_null (journal);
    assert_int_equal (hb_journal_count (journal), 1);
    hb_journal_destroy (&journal);
    unlink (marker);
    free (image);
}

//  What a crash after the kernel extended the file but before the data
//  landed can leave: a run of zeros after the last record.
static void
test_zero_tail (void **state)
{
    (void) state;
    hb_journal_t *journal = hb_journal_open (s_path, HB_JOURNAL_FSYNC_NEVER, 0);
    assert_non_null (journal);
    assert_int_equal (hb_journal_append (journal, "one", 3), 0);
    assert_int_equal (hb_journal_append (journal, "two", 3), 0);
    uint64_t size = hb_journal_size (journal);
    hb_journal_destroy (&journal);
    int fd = open (s_path, O_WRONLY | O_APPEND);
    assert_true (fd >= 0);
    uint8_t zeros [4096] = { 0 };
    assert_int_equal (write (fd, zeros, sizeof zeros), (ssize_t) sizeof zeros);
    close (fd);

    journal = hb_journal_open (s_path, HB_JOURNAL_FSYNC_NEVER, 0);
    assert_non_null (journal);
    assert_int_equal (hb_journal_count (journal), 2);
    assert_int_equal (hb_journal_dropped (journal), sizeof zeros);
    assert_int_equal (hb_journal_testing_file_size (s_path), size);
    hb_journal_destroy (&journal);
}

//  A record torn one byte short where the file ends on a page boundary: the
//  scan must stop at the length check, never read past the mapping.
static void
test_torn_at_page_end (void **state)
{
    (void) state;
    long page = sysconf (_SC_PAGESIZE);
    size_t payload_size = (size_t) page + 1 - 2 * HB_JOURNAL_RECORD_OVERHEAD;
    uint8_t *payload = malloc (payload_size);
    assert_non_null (payload);
    s_fill (payload, payload_size);
    hb_journal_t *journal = hb_journal_open (s_path, HB_JOURNAL_FSYNC_NEVER, 0);
    assert_non_null (journal);
    assert_int_equal (hb_journal_append (journal, payload, payload_size), 0);
    assert_int_equal (hb_journal_size (journal), (uint64_t) page + 1);
    hb_journal_destroy (&journal);
    assert_int_equal (truncate (s_path, page), 0);

    journal = hb_journal_open (s_path, HB_JOURNAL_FSYNC_NEVER, 0);
    assert_non_null (journal);
    assert_int_equal (hb_journal_count (journal), 0);
    assert_int_equal (hb_journal_dropped (journal), (uint64_t) page - HB_JOURNAL_HEADER_SIZE);
    assert_int_equal (hb_journal_testing_file_size (s_path), HB_JOURNAL_HEADER_SIZE);
    hb_journal_destroy (&journal);
    free (payload);
}

static void
test_sync_policies (void **state)
{
    (void) state;
    //  always: one sync per append, none when nothing is pending
    hb_journal_t *journal = hb_journal_open (s_path, HB_JOURNAL_FSYNC_ALWAYS, 0);
    assert_non_null (journal);
    for (int i = 0; i < 5; i++)
        assert_int_equal (hb_journal_append (journal, "x", 1), 0);
    assert_int_equal (hb_journal_syncs (journal), 5);
    assert_int_equal (hb_journal_sync (journal), 0);
    assert_int_equal (hb_journal_syncs (journal), 5);
    hb_journal_destroy (&journal);

    //  never: only when asked
    journal = hb_journal_open (s_path, HB_JOURNAL_FSYNC_NEVER, 0);
    assert_non_null (journal);
    assert_int_equal (hb_journal_count (journal), 5);
    for (int i = 0; i < 5; i++)
        assert_int_equal (hb_journal_append (journal, "y", 1), 0);
    assert_int_equal (hb_journal_syncs (journal), 0);
    assert_int_equal (hb_journal_sync (journal), 0);
    assert_int_equal (hb_journal_syncs (journal), 1);
    assert_int_equal (hb_journal_sync (journal), 0);
    assert_int_equal (hb_journal_syncs (journal), 1);
    hb_journal_destroy (&journal);

    //  interval, long: appends do not sync, the timer's sync does
    journal = hb_journal_open (s_path, HB_JOURNAL_FSYNC_INTERVAL, 3600 * 1000);
    assert_non_null (journal);
    for (int i = 0; i < 5; i++)
        assert_int_equal (hb_journal_append (journal, "z", 1), 0);
    assert_int_equal (hb_journal_syncs (journal), 0);
    assert_int_equal (hb_journal_sync (journal), 0);
    assert_int_equal (hb_journal_syncs (journal), 1);
    hb_journal_destroy (&journal);

    //  interval, short: an append more than interval_ms after the last sync
    //  syncs (usleep sleeps at least as long as asked)
    journal = hb_journal_open (s_path, HB_JOURNAL_FSYNC_INTERVAL, 1);
    assert_non_null (journal);
    usleep (3000);
    assert_int_equal (hb_journal_append (journal, "a", 1), 0);
    assert_int_equal (hb_journal_syncs (journal), 1);
    usleep (3000);
    assert_int_equal (hb_journal_append (journal, "b", 1), 0);
    assert_int_equal (hb_journal_syncs (journal), 2);
    hb_journal_destroy (&journal);

    //  interval 0 is every append
    journal = hb_journal_open (s_path, HB_JOURNAL_FSYNC_INTERVAL, 0);
    assert_non_null (journal);
    assert_int_equal (hb_journal_append (journal, "c", 1), 0);
    assert_int_equal (hb_journal_append (journal, "d", 1), 0);
    assert_int_equal (hb_journal_syncs (journal), 2);
    hb_journal_destroy (&journal);

    //  all of it is there
    journal = hb_journal_open (s_path, HB_JOURNAL_FSYNC_NEVER, 0);
    assert_non_null (journal);
    assert_int_equal (hb_journal_count (journal), 5 + 5 + 5 + 2 + 2);
    hb_journal_destroy (&journal);
}

static void
test_policy_parse (void **state)
{
    (void) state;
    hb_journal_policy_t policy = HB_JOURNAL_FSYNC_NEVER;
    assert_int_equal (hb_journal_policy_parse ("always", &policy), 0);
    assert_int_equal (policy, HB_JOURNAL_FSYNC_ALWAYS);
    assert_int_equal (hb_journal_policy_parse ("interval", &policy), 0);
    assert_int_equal (policy, HB_JOURNAL_FSYNC_INTERVAL);
    assert_int_equal (hb_journal_policy_parse ("never", &policy), 0);
    assert_int_equal (policy, HB_JOURNAL_FSYNC_NEVER);
    assert_int_equal (hb_journal_policy_parse ("Always", &policy), -1);
    assert_int_equal (hb_journal_policy_parse ("", &policy), -1);
    assert_int_equal (hb_journal_policy_parse (NULL, &policy), -1);
    assert_int_equal (policy, HB_JOURNAL_FSYNC_NEVER);
    assert_string_equal (hb_journal_policy_name (HB_JOURNAL_FSYNC_INTERVAL), "interval");
    assert_string_equal (hb_journal_policy_name ((hb_journal_policy_t) 9), "?");
}

static void
test_refusals (void **state)
{
    (void) state;
    errno = 0;
    assert_null (hb_journal_open ("/nonexistent-hb-dir/journal", HB_JOURNAL_FSYNC_ALWAYS, 0));
    assert_int_equal (errno, ENOENT);
    errno = 0;
    assert_null (hb_journal_open (s_dir, HB_JOURNAL_FSYNC_ALWAYS, 0));
    assert_int_equal (errno, EISDIR);
    errno = 0;
    assert_null (hb_journal_open (s_path, (hb_journal_policy_t) 7, 0));
    assert_int_equal (errno, EINVAL);
    assert_null (hb_journal_open (s_path, HB_JOURNAL_FSYNC_INTERVAL, -1));

    //  somebody else's files are refused and left exactly as they were
    struct { const char *data; size_t size; int error; } cases [] = {
        { "NOTAJOURNAL, some bytes that must survive", 40, EINVAL },
        { "HBJ2\1\0\0\0", 8, EINVAL },
        { "HBJ1\2\0\0\0\0\0\0\0", 12, EPROTO },     //  a future version
        { "HBX", 3, EINVAL },                      //  short, not our prefix
        { "\0", 1, EINVAL },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases [0]; i++) {
        hb_journal_testing_write_file (s_path, cases [i].data, cases [i].size);
        errno = 0;
        assert_null (hb_journal_open (s_path, HB_JOURNAL_FSYNC_NEVER, 0));
        assert_int_equal (errno, cases [i].error);
        uint8_t *file;
        size_t size = hb_journal_testing_read_file (s_path, &file);
        assert_int_equal (size, cases [i].size);
        assert_memory_equal (file, cases [i].data, size);
        free (file);
    }

    //  a torn header of our own (a crash while creating) is rewritten
    hb_journal_testing_write_file (s_path, "HBJ", 3);
    hb_journal_t *journal = hb_journal_open (s_path, HB_JOURNAL_FSYNC_NEVER, 0);
    assert_non_null (journal);
    assert_int_equal (hb_journal_count (journal), 0);
    assert_int_equal (hb_journal_dropped (journal), 3);
    assert_int_equal (hb_journal_testing_file_size (s_path), HB_JOURNAL_HEADER_SIZE);

    //  one writer at a time
    errno = 0;
    assert_null (hb_journal_open (s_path, HB_JOURNAL_FSYNC_NEVER, 0));
    assert_int_equal (errno, EWOULDBLOCK);
    hb_journal_destroy (&journal);
    journal = hb_journal_open (s_path, HB_JOURNAL_FSYNC_NEVER, 0);
    assert_non_null (journal);
    hb_journal_destroy (&journal);
}

static void
test_replay_stop (void **state)
{
    (void) state;
    hb_journal_t *journal = hb_journal_open (s_path, HB_JOURNAL_FSYNC_NEVER, 0);
    assert_non_null (journal);
    s_records_t got;
    memset (&got, 0, sizeof got);
    s_records_reset (&got);
    assert_int_equal (hb_journal_replay (journal, s_collect, &got), 0);
    assert_int_equal (got.count, 0);
    for (int i = 0; i < 6; i++)
        assert_int_equal (hb_journal_append (journal, &i, sizeof i), 0);
    got.stop_at = 2;
    errno = 0;
    assert_int_equal (hb_journal_replay (journal, s_collect, &got), -1);
    assert_int_equal (errno, ECANCELED);
    assert_int_equal (got.count, 3);
    s_records_reset (&got);
    hb_journal_destroy (&journal);
}

//  A write cut short (here by RLIMIT_FSIZE, as a full disk would) leaves no
//  half record behind, and the journal goes on once space is back.
static void
test_failed_write_undone (void **state)
{
    (void) state;
    hb_journal_t *journal = hb_journal_open (s_path, HB_JOURNAL_FSYNC_NEVER, 0);
    assert_non_null (journal);
    for (int i = 0; i < 3; i++)
        assert_int_equal (hb_journal_append (journal, "good", 4), 0);
    uint64_t size = hb_journal_size (journal);

    uint8_t payload [100];
    s_fill (payload, sizeof payload);
    struct rlimit saved, limited;
    assert_int_equal (getrlimit (RLIMIT_FSIZE, &saved), 0);
    limited = saved;
    limited.rlim_cur = (rlim_t) size + 20;     //  room for part of the record
    void (*old_handler) (int) = signal (SIGXFSZ, SIG_IGN);
    assert_int_equal (setrlimit (RLIMIT_FSIZE, &limited), 0);
    errno = 0;
    int rc = hb_journal_append (journal, payload, sizeof payload);
    int error = errno;
    assert_int_equal (setrlimit (RLIMIT_FSIZE, &saved), 0);
    signal (SIGXFSZ, old_handler);
    assert_int_equal (rc, -1);
    assert_int_equal (error, EFBIG);
    assert_int_equal (hb_journal_count (journal), 3);
    assert_int_equal (hb_journal_size (journal), size);
    assert_int_equal (hb_journal_testing_file_size (s_path), size);

    assert_int_equal (hb_journal_append (journal, payload, sizeof payload), 0);
    hb_journal_destroy (&journal);
    journal = hb_journal_open (s_path, HB_JOURNAL_FSYNC_NEVER, 0);
    assert_non_null (journal);
    assert_int_equal (hb_journal_dropped (journal), 0);
    assert_int_equal (hb_journal_count (journal), 4);
    s_records_t got;
    memset (&got, 0, sizeof got);
    s_records_reset (&got);
    assert_int_equal (hb_journal_replay (journal, s_collect, &got), 0);
    assert_int_equal (got.size [3], sizeof payload);
    assert_memory_equal (got.data [3], payload, sizeof payload);
    s_records_reset (&got);
    hb_journal_destroy (&journal);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test_setup (test_owned_missing_and_plain_damage, s_before),
        cmocka_unit_test_setup (test_crc32c_vectors, s_before),
        cmocka_unit_test_setup (test_file_format, s_before),
        cmocka_unit_test_setup (test_round_trip, s_before),
        cmocka_unit_test_setup (test_random_damage, s_before),
        cmocka_unit_test_setup (test_zero_tail, s_before),
        cmocka_unit_test_setup (test_torn_at_page_end, s_before),
        cmocka_unit_test_setup (test_sync_policies, s_before),
        cmocka_unit_test_setup (test_policy_parse, s_before),
        cmocka_unit_test_setup (test_refusals, s_before),
        cmocka_unit_test_setup (test_replay_stop, s_before),
        cmocka_unit_test_setup (test_failed_write_undone, s_before),
    };
    return cmocka_run_group_tests_name ("hb_journal", tests, s_setup, s_teardown);
}
