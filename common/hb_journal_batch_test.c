/*  hb_journal batching tests (hb_journal_set_buffer / flush / pending /
    discard): nothing reaches the file before a flush, one flush writes the
    batch in order (records bigger than the buffer included), a crash
    (SIGKILL) loses exactly the unflushed batch, a batch torn or holed
    anywhere (a power cut during its write) is read up to its first damaged
    record and no further, the sync policies apply per flush, a failed
    flush drops the batch and leaves no half record, and the unbatched users'
    behaviour is unchanged when batching is off. Group commit
    (hb_journal_append_many): one sync per group under always, the pending
    batch written first in the same write, all or nothing on a failed write
    (across its 64-record writes too), and a crash mid-group leaves a
    prefix that an owned open takes as a torn tail.

    Files live in a fresh directory under /dev/shm (or /tmp). HB_TEST_SEED
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
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hb_journal.h"
#include "hb_journal_testing.h"
#include "hb_log.h"

#define S_MAX_RECORDS 160

static char s_dir [64];
static char s_path [128];
static uint64_t s_rng = 0xD1B54A32D192ED03ull;

static uint64_t
s_rand (void)
{
    return hb_journal_testing_rand (&s_rng);
}

//  Test records: random sizes, bytes never zero (so that zeroing a range
//  of the file always changes a payload it touches).
typedef struct {
    size_t count;
    size_t size [S_MAX_RECORDS];
    uint8_t *data [S_MAX_RECORDS];
} s_set_t;

static void
s_set_add (s_set_t *self, size_t size)
{
    assert_true (self->count < S_MAX_RECORDS);
    uint8_t *data = malloc (size + 1);
    assert_non_null (data);
    for (size_t i = 0; i < size; i++)
        data [i] = (uint8_t) (1 + s_rand () % 255);
    self->data [self->count] = data;
    self->size [self->count++] = size;
}

static void
s_set_free (s_set_t *self)
{
    for (size_t i = 0; i < self->count; i++)
        free (self->data [i]);
    self->count = 0;
}

//  Replay callback: each record must equal the next one of the set.
typedef struct {
    const s_set_t *want;
    size_t seen;
} s_check_t;

static int
s_check (const void *data, size_t size, uint64_t index, void *arg)
{
    s_check_t *check = (s_check_t *) arg;
    assert_int_equal (index, check->seen);
    assert_true (check->seen < check->want->count);
    assert_int_equal (size, check->want->size [check->seen]);
    if (size)
        assert_memory_equal (data, check->want->data [check->seen], size);
    check->seen++;
    return 0;
}

//  Opens s_path and asserts it holds exactly the first count records of want.
static void
s_assert_journal (const s_set_t *want, size_t count, uint64_t dropped)
{
    hb_journal_t *journal = hb_journal_open (s_path, HB_JOURNAL_FSYNC_NEVER, 0);
    assert_non_null (journal);
    assert_int_equal (hb_journal_count (journal), count);
    assert_int_equal (hb_journal_dropped (journal), dropped);
    s_check_t check = { want, 0 };
    assert_int_equal (hb_journal_replay (journal, s_check, &check), 0);
    assert_int_equal (check.seen, count);
    hb_journal_destroy (&journal);
}

static int
s_setup (void **state)
{
    (void) state;
    return hb_journal_testing_setup ("hb_journal_batch", "journal batch test", s_dir, sizeof s_dir,
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
    hb_journal_testing_before (s_path, "journal_batch_test", HB_LOG_ERROR);
    return 0;
}

//  ---------------------------------------------------------------------

static void
test_batch_round_trip (void **state)
{
    (void) state;
    s_set_t want = { 0 };
    hb_journal_t *journal = hb_journal_open (s_path, HB_JOURNAL_FSYNC_NEVER, 0);
    assert_non_null (journal);
    assert_int_equal (hb_journal_set_buffer (journal, 4096), 0);

    //  Ten records that fit: counted and sized, but not in the file yet.
    uint64_t expect_size = HB_JOURNAL_HEADER_SIZE;
    for (int i = 0; i < 10; i++) {
        s_set_add (&want, i == 3? 0: 1 + s_rand () % 300);
        assert_int_equal (hb_journal_append (journal, want.data [i], want.size [i]), 0);
        expect_size += HB_JOURNAL_RECORD_OVERHEAD + want.size [i];
    }
    assert_int_equal (hb_journal_pending (journal), 10);
    assert_int_equal (hb_journal_count (journal), 10);
    assert_int_equal (hb_journal_size (journal), expect_size);
    assert_int_equal (hb_journal_testing_file_size (s_path), HB_JOURNAL_HEADER_SIZE);
    assert_int_equal (hb_journal_flush (journal), 0);
    assert_int_equal (hb_journal_pending (journal), 0);
    assert_int_equal (hb_journal_testing_file_size (s_path), expect_size);
    assert_int_equal (hb_journal_flush (journal), 0);         //  nothing to do
    assert_int_equal (hb_journal_testing_file_size (s_path), expect_size);

    //  A record that does not fit in what is left writes the batch first.
    s_set_add (&want, 3000);
    assert_int_equal (hb_journal_append (journal, want.data [10], 3000), 0);
    s_set_add (&want, 2000);
    uint64_t before = hb_journal_size (journal);
    assert_int_equal (hb_journal_append (journal, want.data [11], 2000), 0);
    assert_int_equal (hb_journal_testing_file_size (s_path), before);
    assert_int_equal (hb_journal_pending (journal), 1);

    //  One bigger than the buffer goes straight through, after the pending.
    s_set_add (&want, 10000);
    assert_int_equal (hb_journal_append (journal, want.data [12], 10000), 0);
    assert_int_equal (hb_journal_pending (journal), 0);
    assert_int_equal (hb_journal_testing_file_size (s_path), hb_journal_size (journal));
    s_set_add (&want, 7);
    assert_int_equal (hb_journal_append (journal, want.data [13], 7), 0);
    assert_int_equal (hb_journal_count (journal), 14);

    //  Replay sees pending records too (it writes them first).
    s_check_t check = { &want, 0 };
    assert_int_equal (hb_journal_replay (journal, s_check, &check), 0);
    assert_int_equal (check.seen, 14);
    assert_int_equal (hb_journal_pending (journal), 0);
    assert_int_equal (hb_journal_testing_file_size (s_path), hb_journal_size (journal));

    //  Destroy writes what is pending.
    s_set_add (&want, 99);
    assert_int_equal (hb_journal_append (journal, want.data [14], 99), 0);
    assert_int_equal (hb_journal_pending (journal), 1);
    hb_journal_destroy (&journal);
    s_assert_journal (&want, 15, 0);
    s_set_free (&want);
}

//  kill -9 with a flushed batch and an unflushed one: exactly the flushed
//  records survive, with no damage to cut.
static void
test_batch_crash (void **state)
{
    (void) state;
    s_set_t want = { 0 };
    for (int i = 0; i < 15; i++)
        s_set_add (&want, 1 + s_rand () % 200);
    pid_t pid = fork ();
    assert_true (pid >= 0);
    if (pid == 0) {
        hb_journal_t *journal = hb_journal_open (s_path, HB_JOURNAL_FSYNC_NEVER, 0);
        if (!journal || hb_journal_set_buffer (journal, 1 << 16) != 0)
            _exit (1);
        for (int i = 0; i < 15; i++) {
            if (hb_journal_append (journal, want.data [i], want.size [i]) != 0)
                _exit (1);
            if (i == 9 && hb_journal_flush (journal) != 0)
                _exit (1);
        }
        raise (SIGKILL);
        _exit (1);
    }
    int status;
    assert_int_equal (waitpid (pid, &status, 0), pid);
    assert_true (WIFSIGNALED (status));
    assert_int_equal (WTERMSIG (status), SIGKILL);
    s_assert_journal (&want, 10, 0);
    s_set_free (&want);
}

//  A power cut during (or after an unsynced) batch write can leave any
//  prefix of it, or holes where pages never landed (zeros). Every cut and
//  a sweep of holes: the first batch stays whole, the second is read up to
//  the first record that differs from what was written, never further.
static void
test_batch_torn (void **state)
{
    (void) state;
    s_set_t want = { 0 };
    hb_journal_t *journal = hb_journal_open (s_path, HB_JOURNAL_FSYNC_NEVER, 0);
    assert_non_null (journal);
    assert_int_equal (hb_journal_set_buffer (journal, 1 << 16), 0);
    uint64_t ends [S_MAX_RECORDS];      //  file offset just past record i
    for (int i = 0; i < 16; i++) {
        s_set_add (&want, i == 7? 0: 1 + s_rand () % 180);
        assert_int_equal (hb_journal_append (journal, want.data [i], want.size [i]), 0);
        ends [i] = hb_journal_size (journal);
        if (i == 4)
            assert_int_equal (hb_journal_flush (journal), 0);
    }
    assert_int_equal (hb_journal_flush (journal), 0);
    hb_journal_destroy (&journal);
    uint8_t *image;
    size_t size = hb_journal_testing_read_file (s_path, &image);
    assert_int_equal (size, ends [15]);
    size_t batch_start = (size_t) ends [4];

    int tested = 0;
    for (size_t cut = batch_start; cut < size; cut++) {
        hb_journal_testing_write_file (s_path, image, cut);
        size_t whole = 0;
        while (whole < want.count && ends [whole] <= cut)
            whole++;
        uint64_t good_end = whole? ends [whole - 1]: HB_JOURNAL_HEADER_SIZE;
        s_assert_journal (&want, whole, cut - good_end);
        tested++;
    }
    uint8_t *holed = malloc (size);
    assert_non_null (holed);
    for (size_t start = batch_start; start < size; start += 1 + s_rand () % 7) {
        size_t length = 1 + s_rand () % 96;
        if (start + length > size)
            length = size - start;
        memcpy (holed, image, size);
        memset (holed + start, 0, length);
        hb_journal_testing_write_file (s_path, holed, size);
        //  The first record whose bytes changed is where reading stops.
        size_t whole = 0;
        uint64_t begin = HB_JOURNAL_HEADER_SIZE;
        while (whole < want.count
           &&  memcmp (holed + begin, image + begin, (size_t) (ends [whole] - begin)) == 0)
            begin = ends [whole++];
        assert_true (whole >= 5);
        s_assert_journal (&want, whole, size - begin);
        tested++;
    }
    assert_true (tested > 1000);
    free (holed);
    free (image);
    s_set_free (&want);
}

//  The policy applies per flush: always = one fdatasync per batch.
static void
test_batch_policies (void **state)
{
    (void) state;
    hb_journal_t *journal = hb_journal_open (s_path, HB_JOURNAL_FSYNC_ALWAYS, 0);
    assert_non_null (journal);
    assert_int_equal (hb_journal_set_buffer (journal, 1024), 0);
    for (int i = 0; i < 5; i++)
        assert_int_equal (hb_journal_append (journal, "x", 1), 0);
    assert_int_equal (hb_journal_syncs (journal), 0);
    assert_int_equal (hb_journal_flush (journal), 0);
    assert_int_equal (hb_journal_syncs (journal), 1);
    assert_int_equal (hb_journal_flush (journal), 0);
    assert_int_equal (hb_journal_sync (journal), 0);
    assert_int_equal (hb_journal_syncs (journal), 1);
    //  a full buffer is a flush, synced like one
    uint8_t big [600] = { 1 };
    assert_int_equal (hb_journal_append (journal, big, sizeof big), 0);
    assert_int_equal (hb_journal_append (journal, big, sizeof big), 0);
    assert_int_equal (hb_journal_syncs (journal), 2);
    assert_int_equal (hb_journal_pending (journal), 1);
    //  so is a record bigger than the buffer (after the pending one)
    uint8_t huge [2000] = { 2 };
    assert_int_equal (hb_journal_append (journal, huge, sizeof huge), 0);
    assert_int_equal (hb_journal_syncs (journal), 4);
    hb_journal_destroy (&journal);

    //  interval, long: flushes write but do not sync; sync does both
    journal = hb_journal_open (s_path, HB_JOURNAL_FSYNC_INTERVAL, 3600 * 1000);
    assert_non_null (journal);
    assert_int_equal (hb_journal_count (journal), 8);
    assert_int_equal (hb_journal_set_buffer (journal, 1024), 0);
    assert_int_equal (hb_journal_append (journal, "y", 1), 0);
    assert_int_equal (hb_journal_flush (journal), 0);
    assert_int_equal (hb_journal_syncs (journal), 0);
    assert_int_equal (hb_journal_append (journal, "z", 1), 0);
    uint64_t size = hb_journal_size (journal);
    assert_true (hb_journal_testing_file_size (s_path) < size);
    assert_int_equal (hb_journal_sync (journal), 0);
    assert_int_equal (hb_journal_syncs (journal), 1);
    assert_int_equal (hb_journal_testing_file_size (s_path), size);
    hb_journal_destroy (&journal);

    //  interval 0: every flush syncs; never: none
    journal = hb_journal_open (s_path, HB_JOURNAL_FSYNC_INTERVAL, 0);
    assert_non_null (journal);
    assert_int_equal (hb_journal_set_buffer (journal, 1024), 0);
    assert_int_equal (hb_journal_append (journal, "a", 1), 0);
    assert_int_equal (hb_journal_append (journal, "b", 1), 0);
    assert_int_equal (hb_journal_flush (journal), 0);
    assert_int_equal (hb_journal_syncs (journal), 1);
    hb_journal_destroy (&journal);
    journal = hb_journal_open (s_path, HB_JOURNAL_FSYNC_NEVER, 0);
    assert_non_null (journal);
    assert_int_equal (hb_journal_set_buffer (journal, 1024), 0);
    assert_int_equal (hb_journal_append (journal, "c", 1), 0);
    assert_int_equal (hb_journal_flush (journal), 0);
    assert_int_equal (hb_journal_syncs (journal), 0);
    assert_int_equal (hb_journal_count (journal), 13);
    hb_journal_destroy (&journal);
}

//  A flush cut short (RLIMIT_FSIZE, as a full disk) drops the whole batch,
//  leaves no half record, and the journal goes on.
static void
test_batch_failed_flush (void **state)
{
    (void) state;
    s_set_t want = { 0 };
    hb_journal_t *journal = hb_journal_open (s_path, HB_JOURNAL_FSYNC_NEVER, 0);
    assert_non_null (journal);
    assert_int_equal (hb_journal_set_buffer (journal, 8192), 0);
    for (int i = 0; i < 3; i++) {
        s_set_add (&want, 50);
        assert_int_equal (hb_journal_append (journal, want.data [i], 50), 0);
    }
    assert_int_equal (hb_journal_flush (journal), 0);
    uint64_t size = hb_journal_size (journal);
    uint8_t lost [4][100];
    for (int i = 0; i < 4; i++) {
        memset (lost [i], 0xEE, sizeof lost [i]);
        assert_int_equal (hb_journal_append (journal, lost [i], sizeof lost [i]), 0);
    }
    assert_int_equal (hb_journal_count (journal), 7);

    struct rlimit saved, limited;
    assert_int_equal (getrlimit (RLIMIT_FSIZE, &saved), 0);
    limited = saved;
    limited.rlim_cur = (rlim_t) size + 250;     //  room for part of the batch
    void (*old_handler) (int) = signal (SIGXFSZ, SIG_IGN);
    assert_int_equal (setrlimit (RLIMIT_FSIZE, &limited), 0);
    errno = 0;
    int rc = hb_journal_flush (journal);
    int error = errno;
    assert_int_equal (setrlimit (RLIMIT_FSIZE, &saved), 0);
    signal (SIGXFSZ, old_handler);
    assert_int_equal (rc, -1);
    assert_int_equal (error, EFBIG);
    assert_int_equal (hb_journal_pending (journal), 0);
    assert_int_equal (hb_journal_count (journal), 3);
    assert_int_equal (hb_journal_size (journal), size);
    assert_int_equal (hb_journal_testing_file_size (s_path), size);

    s_set_add (&want, 60);
    assert_int_equal (hb_journal_append (journal, want.data [3], 60), 0);
    assert_int_equal (hb_journal_flush (journal), 0);
    hb_journal_destroy (&journal);
    s_assert_journal (&want, 4, 0);
    s_set_free (&want);
}

//  discard drops the pending batch; set_buffer (0) writes it and goes back
//  to one write per append (the other journal users' mode).
static void
test_batch_discard_and_off (void **state)
{
    (void) state;
    s_set_t want = { 0 };
    hb_journal_t *journal = hb_journal_open (s_path, HB_JOURNAL_FSYNC_ALWAYS, 0);
    assert_non_null (journal);
    assert_int_equal (hb_journal_pending (journal), 0);
    assert_int_equal (hb_journal_flush (journal), 0);         //  unbatched: no-op
    assert_int_equal (hb_journal_discard (journal), 0);
    assert_int_equal (hb_journal_set_buffer (journal, 512), 0);
    s_set_add (&want, 20);
    assert_int_equal (hb_journal_append (journal, want.data [0], 20), 0);
    assert_int_equal (hb_journal_flush (journal), 0);
    assert_int_equal (hb_journal_append (journal, "gone", 4), 0);
    assert_int_equal (hb_journal_append (journal, "gone", 4), 0);
    assert_int_equal (hb_journal_discard (journal), 2);
    assert_int_equal (hb_journal_count (journal), 1);
    assert_int_equal (hb_journal_size (journal), hb_journal_testing_file_size (s_path));

    s_set_add (&want, 30);
    assert_int_equal (hb_journal_append (journal, want.data [1], 30), 0);
    assert_int_equal (hb_journal_set_buffer (journal, 0), 0);
    assert_int_equal (hb_journal_pending (journal), 0);
    uint64_t syncs = hb_journal_syncs (journal);
    s_set_add (&want, 40);
    assert_int_equal (hb_journal_append (journal, want.data [2], 40), 0);
    assert_int_equal (hb_journal_pending (journal), 0);
    assert_int_equal (hb_journal_syncs (journal), syncs + 1);
    assert_int_equal (hb_journal_testing_file_size (s_path), hb_journal_size (journal));
    hb_journal_destroy (&journal);
    s_assert_journal (&want, 3, 0);
    s_set_free (&want);
}

//  ---------------------------------------------------------------------
//  Group commit

//  The records [from, from + count) of set as iovecs for append_many.
static void
s_iov (const s_set_t *set, size_t from, size_t count, struct iovec *iov)
{
    for (size_t i = 0; i < count; i++)
        iov [i] = (struct iovec) { .iov_base = set->data [from + i],
                                   .iov_len = set->size [from + i] };
}

//  Under always a group costs one fdatasync, its records come back in
//  order among single appends, and an empty record is a record.
static void
test_many_round_trip (void **state)
{
    (void) state;
    s_set_t want = { 0 };
    struct iovec iov [S_MAX_RECORDS];
    hb_journal_t *journal = hb_journal_open_owned (s_path, HB_JOURNAL_FSYNC_ALWAYS, 0);
    assert_non_null (journal);
    s_set_add (&want, 10);
    assert_int_equal (hb_journal_append (journal, want.data [0], 10), 0);
    assert_int_equal (hb_journal_syncs (journal), 1);
    size_t sizes [] = { 100, 0, 1, 3000, 57 };
    for (size_t i = 0; i < 5; i++)
        s_set_add (&want, sizes [i]);
    s_iov (&want, 1, 5, iov);
    assert_int_equal (hb_journal_append_many (journal, iov, 5), 0);
    assert_int_equal (hb_journal_syncs (journal), 2);
    assert_int_equal (hb_journal_count (journal), 6);
    assert_int_equal (hb_journal_size (journal), hb_journal_testing_file_size (s_path));
    //  nothing to do: no write, no sync
    assert_int_equal (hb_journal_append_many (journal, NULL, 0), 0);
    assert_int_equal (hb_journal_syncs (journal), 2);
    //  more than one write's worth (64 records per write), still one sync
    for (size_t i = 0; i < 150; i++)
        s_set_add (&want, 1 + s_rand () % 40);
    s_iov (&want, 6, 150, iov);
    assert_int_equal (hb_journal_append_many (journal, iov, 150), 0);
    assert_int_equal (hb_journal_syncs (journal), 3);
    s_set_add (&want, 20);
    assert_int_equal (hb_journal_append (journal, want.data [156], 20), 0);
    assert_int_equal (hb_journal_count (journal), 157);
    hb_journal_destroy (&journal);
    s_assert_journal (&want, 157, 0);
    s_set_free (&want);
}

//  With batching on, the pending records are written first, in the same
//  write as the group, and share its one sync.
static void
test_many_after_batch (void **state)
{
    (void) state;
    s_set_t want = { 0 };
    struct iovec iov [4];
    hb_journal_t *journal = hb_journal_open (s_path, HB_JOURNAL_FSYNC_ALWAYS, 0);
    assert_non_null (journal);
    assert_int_equal (hb_journal_set_buffer (journal, 4096), 0);
    for (size_t i = 0; i < 3; i++) {
        s_set_add (&want, 30 + i);
        assert_int_equal (hb_journal_append (journal, want.data [i], want.size [i]), 0);
    }
    assert_int_equal (hb_journal_testing_file_size (s_path), HB_JOURNAL_HEADER_SIZE);
    for (size_t i = 3; i < 7; i++)
        s_set_add (&want, 70 + i);
    s_iov (&want, 3, 4, iov);
    assert_int_equal (hb_journal_append_many (journal, iov, 4), 0);
    assert_int_equal (hb_journal_pending (journal), 0);
    assert_int_equal (hb_journal_count (journal), 7);
    assert_int_equal (hb_journal_syncs (journal), 1);
    assert_int_equal (hb_journal_size (journal), hb_journal_testing_file_size (s_path));
    hb_journal_destroy (&journal);
    s_assert_journal (&want, 7, 0);
    s_set_free (&want);
}

//  A record over the limit refuses the whole group, nothing written; a
//  write cut short (RLIMIT_FSIZE, as a full disk) takes the whole group
//  back, its first 64-record write included, and the pending batch with
//  it; the journal goes on.
static void
test_many_failed (void **state)
{
    (void) state;
    s_set_t want = { 0 };
    struct iovec iov [S_MAX_RECORDS];
    hb_journal_t *journal = hb_journal_open_owned (s_path, HB_JOURNAL_FSYNC_ALWAYS, 0);
    assert_non_null (journal);
    s_set_add (&want, 40);
    assert_int_equal (hb_journal_append (journal, want.data [0], 40), 0);
    uint64_t size = hb_journal_size (journal);
    uint64_t syncs = hb_journal_syncs (journal);

    struct iovec too_big [2] = { { .iov_base = want.data [0], .iov_len = 40 },
                                 { .iov_base = want.data [0], .iov_len = HB_JOURNAL_MAX_RECORD + 1 } };
    errno = 0;
    assert_int_equal (hb_journal_append_many (journal, too_big, 2), -1);
    assert_int_equal (errno, EMSGSIZE);
    assert_int_equal (hb_journal_count (journal), 1);
    assert_int_equal (hb_journal_testing_file_size (s_path), size);

    //  100 records of 100 bytes: the first write (64 records, 6912 bytes)
    //  fits under the limit, the second does not
    uint8_t lost [100];
    memset (lost, 0xEE, sizeof lost);
    for (size_t i = 0; i < 100; i++)
        iov [i] = (struct iovec) { .iov_base = lost, .iov_len = sizeof lost };
    assert_int_equal (hb_journal_set_buffer (journal, 1024), 0);
    assert_int_equal (hb_journal_append (journal, lost, 10), 0);      //  pending, lost too
    struct rlimit saved, limited;
    assert_int_equal (getrlimit (RLIMIT_FSIZE, &saved), 0);
    limited = saved;
    limited.rlim_cur = (rlim_t) size + 8000;
    void (*old_handler) (int) = signal (SIGXFSZ, SIG_IGN);
    assert_int_equal (setrlimit (RLIMIT_FSIZE, &limited), 0);
    errno = 0;
    int rc = hb_journal_append_many (journal, iov, 100);
    int error = errno;
    assert_int_equal (setrlimit (RLIMIT_FSIZE, &saved), 0);
    signal (SIGXFSZ, old_handler);
    assert_int_equal (rc, -1);
    assert_int_equal (error, EFBIG);
    assert_int_equal (hb_journal_pending (journal), 0);
    assert_int_equal (hb_journal_count (journal), 1);
    assert_int_equal (hb_journal_size (journal), size);
    assert_int_equal (hb_journal_testing_file_size (s_path), size);
    assert_int_equal (hb_journal_syncs (journal), syncs);

    //  the journal goes on
    s_set_add (&want, 50);
    s_set_add (&want, 60);
    s_iov (&want, 1, 2, iov);
    assert_int_equal (hb_journal_append_many (journal, iov, 2), 0);
    assert_int_equal (hb_journal_syncs (journal), syncs + 1);
    hb_journal_destroy (&journal);
    s_assert_journal (&want, 3, 0);
    s_set_free (&want);
}

//  A crash (power cut) during a group leaves any prefix of its bytes: an
//  owned open keeps the records before the cut, takes the cut record as a
//  torn tail, and nothing of the group was acknowledged.
static void
test_many_torn (void **state)
{
    (void) state;
    s_set_t want = { 0 };
    struct iovec iov [8];
    hb_journal_t *journal = hb_journal_open_owned (s_path, HB_JOURNAL_FSYNC_ALWAYS, 0);
    assert_non_null (journal);
    s_set_add (&want, 25);
    assert_int_equal (hb_journal_append (journal, want.data [0], 25), 0);
    uint64_t ends [9];
    ends [0] = hb_journal_size (journal);
    for (size_t i = 1; i < 9; i++) {
        s_set_add (&want, 10 + s_rand () % 90);
        ends [i] = ends [i - 1] + HB_JOURNAL_RECORD_OVERHEAD + want.size [i];
    }
    s_iov (&want, 1, 8, iov);
    assert_int_equal (hb_journal_append_many (journal, iov, 8), 0);
    hb_journal_destroy (&journal);
    uint8_t *image;
    size_t image_size = hb_journal_testing_read_file (s_path, &image);
    assert_int_equal (image_size, ends [8]);
    for (int round = 0; round < 20; round++) {
        size_t cut = (size_t) ends [0] + s_rand () % (size_t) (ends [8] - ends [0]);
        size_t good = 0;
        while (good < 9 && ends [good] <= cut)
            good++;
        hb_journal_testing_write_file (s_path, image, cut);
        journal = hb_journal_open_owned (s_path, HB_JOURNAL_FSYNC_ALWAYS, 0);
        assert_non_null (journal);
        assert_int_equal (hb_journal_count (journal), good);
        assert_int_equal (hb_journal_dropped (journal), cut - ends [good - 1]);
        hb_journal_destroy (&journal);
        s_assert_journal (&want, good, 0);
    }
    free (image);
    s_set_free (&want);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test_setup (test_batch_round_trip, s_before),
        cmocka_unit_test_setup (test_batch_crash, s_before),
        cmocka_unit_test_setup (test_batch_torn, s_before),
        cmocka_unit_test_setup (test_batch_policies, s_before),
        cmocka_unit_test_setup (test_batch_failed_flush, s_before),
        cmocka_unit_test_setup (test_batch_discard_and_off, s_before),
        cmocka_unit_test_setup (test_many_round_trip, s_before),
        cmocka_unit_test_setup (test_many_after_batch, s_before),
        cmocka_unit_test_setup (test_many_failed, s_before),
        cmocka_unit_test_setup (test_many_torn, s_before),
    };
    return cmocka_run_group_tests_name ("hb_journal_batch", tests, s_setup, s_teardown);
}
