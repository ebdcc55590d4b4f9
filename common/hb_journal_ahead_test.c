/*  hb_journal space-ahead tests (owned journals under always, on a disk):
    the file runs on in zeros past the last record while open and is
    compact again after a clean close; a kill leaves the zeros, and the
    next open finds the logical end, drops nothing and writes on from it;
    check calls the zeros neither torn nor damaged; a write cut at a
    sector boundary inside the space is a torn tail, a flipped bit before
    zeros is damage (refused, untouched) and salvage recovers every valid
    record without counting the zeros as a hole; a full disk (RLIMIT_FSIZE)
    only costs the space, not the append; tmpfs takes no space.

    The journal must be on a disk for space to be taken: files live in a
    fresh directory under $TMPDIR or /var/tmp (a disk by convention), and
    the tests skip when that is a memory file system. A few dozen real
    fdatasyncs in all. HB_TEST_SEED overrides the random seed.            */
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
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/magic.h>

#include "hb_journal.h"
#include "hb_journal_testing.h"
#include "hb_log.h"

#define S_RECORDS 40

static char s_dir [256];
static char s_path [300];
static bool s_on_disk;
static uint64_t s_rng = 0x9E3779B97F4A7C15ull;
static uint8_t s_data [S_RECORDS][120];
static size_t s_size [S_RECORDS];
static uint64_t s_end [S_RECORDS];            //  offset after record i

//  Replay callback: record index must equal s_data [index], except that
//  skip (if below S_RECORDS) is missing from the journal.
typedef struct {
    size_t seen;
    size_t skip;
} s_check_t;

static int
s_check (const void *data, size_t size, uint64_t index, void *arg)
{
    s_check_t *check = (s_check_t *) arg;
    size_t want = (size_t) index < check->skip? (size_t) index: (size_t) index + 1;
    assert_true (want < S_RECORDS);
    assert_int_equal (size, s_size [want]);
    assert_memory_equal (data, s_data [want], size);
    check->seen++;
    return 0;
}

//  Replays journal and asserts it holds records [0, count) but skip.
static void
s_assert_records (hb_journal_t *journal, size_t count, size_t skip)
{
    s_check_t check = { 0, skip };
    assert_int_equal (hb_journal_count (journal), count);
    assert_int_equal (hb_journal_replay (journal, s_check, &check), 0);
    assert_int_equal (check.seen, count);
}

//  In a child killed with SIGKILL after its last append (no destroy): an
//  owned journal under always with the first count records.
static void
s_write_and_kill (size_t count)
{
    pid_t pid = fork ();
    assert_true (pid >= 0);
    if (pid == 0) {
        hb_journal_t *journal = hb_journal_open_owned (s_path, HB_JOURNAL_FSYNC_ALWAYS, 0);
        if (!journal)
            _exit (1);
        for (size_t i = 0; i < count; i++)
            if (hb_journal_append (journal, s_data [i], s_size [i]) != 0)
                _exit (1);
        raise (SIGKILL);
        _exit (1);
    }
    int status;
    assert_int_equal (waitpid (pid, &status, 0), pid);
    assert_true (WIFSIGNALED (status));
    assert_int_equal (WTERMSIG (status), SIGKILL);
}

static int
s_setup (void **state)
{
    (void) state;
    const char *tmp = getenv ("TMPDIR");
    snprintf (s_dir, sizeof s_dir, "%s/hb_journal_ahead.XXXXXX", tmp && *tmp? tmp: "/var/tmp");
    if (!mkdtemp (s_dir))
        return -1;
    snprintf (s_path, sizeof s_path, "%s/j", s_dir);
    const char *seed = getenv ("HB_TEST_SEED");
    if (seed)
        s_rng = strtoull (seed, NULL, 0) | 1;
    struct statfs fs;
    s_on_disk = statfs (s_dir, &fs) == 0 && fs.f_type != TMPFS_MAGIC && fs.f_type != RAMFS_MAGIC;
    print_message ("journal ahead test: dir %s (%s), seed 0x%llx\n", s_dir,
                   s_on_disk? "a disk": "memory: the disk tests skip", (unsigned long long) s_rng);
    uint64_t end = HB_JOURNAL_HEADER_SIZE;
    for (size_t i = 0; i < S_RECORDS; i++) {
        s_size [i] = 20 + (size_t) (hb_journal_testing_rand (&s_rng) % 100);
        for (size_t j = 0; j < s_size [i]; j++)
            s_data [i][j] = (uint8_t) (1 + hb_journal_testing_rand (&s_rng) % 255);
        end += HB_JOURNAL_RECORD_OVERHEAD + s_size [i];
        s_end [i] = end;
    }
    return 0;
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
    hb_journal_testing_before (s_path, "journal_ahead_test", HB_LOG_ERROR);
    if (!s_on_disk)
        skip ();
    return 0;
}

//  ---------------------------------------------------------------------

//  Space is taken at the first append (HB_JOURNAL_AHEAD at a time, with
//  the record's own sync), the logical size is the records', and a clean
//  close gives the space back.
static void
test_ahead_taken_and_given_back (void **state)
{
    (void) state;
    hb_journal_t *journal = hb_journal_open_owned (s_path, HB_JOURNAL_FSYNC_ALWAYS, 0);
    assert_non_null (journal);
    assert_int_equal (hb_journal_testing_file_size (s_path), HB_JOURNAL_HEADER_SIZE);
    for (size_t i = 0; i < S_RECORDS; i++)
        assert_int_equal (hb_journal_append (journal, s_data [i], s_size [i]), 0);
    assert_int_equal (hb_journal_syncs (journal), S_RECORDS);
    assert_int_equal (hb_journal_size (journal), s_end [S_RECORDS - 1]);
    assert_int_equal (hb_journal_testing_file_size (s_path), HB_JOURNAL_AHEAD);
    //  a record past the space takes the next HB_JOURNAL_AHEAD
    static uint8_t big [HB_JOURNAL_AHEAD];
    memset (big, 0x77, sizeof big);
    assert_int_equal (hb_journal_append (journal, big, sizeof big), 0);
    assert_int_equal (hb_journal_testing_file_size (s_path), 2 * HB_JOURNAL_AHEAD);
    uint64_t size = hb_journal_size (journal);
    hb_journal_destroy (&journal);
    assert_int_equal (hb_journal_testing_file_size (s_path), size);

    journal = hb_journal_open_owned (s_path, HB_JOURNAL_FSYNC_ALWAYS, 0);
    assert_non_null (journal);
    assert_int_equal (hb_journal_count (journal), S_RECORDS + 1);
    assert_int_equal (hb_journal_dropped (journal), 0);
    hb_journal_destroy (&journal);
}

//  A kill leaves the zeros: check counts the records and calls the zeros
//  space; the next open finds the logical end, keeps the space, drops
//  nothing, and appends go on from the last record.
static void
test_ahead_restart_after_kill (void **state)
{
    (void) state;
    s_write_and_kill (10);
    assert_int_equal (hb_journal_testing_file_size (s_path), HB_JOURNAL_AHEAD);
    hb_journal_check_t report;
    assert_int_equal (hb_journal_check (s_path, &report), 0);
    assert_int_equal (report.records, 10);
    assert_false (report.torn);
    assert_false (report.damaged);
    assert_int_equal (report.zeros, HB_JOURNAL_AHEAD - s_end [9]);

    hb_journal_t *journal = hb_journal_open_owned (s_path, HB_JOURNAL_FSYNC_ALWAYS, 0);
    assert_non_null (journal);
    assert_int_equal (hb_journal_dropped (journal), 0);
    assert_int_equal (hb_journal_size (journal), s_end [9]);
    assert_int_equal (hb_journal_testing_file_size (s_path), HB_JOURNAL_AHEAD);
    s_assert_records (journal, 10, S_RECORDS);
    for (size_t i = 10; i < 20; i++)
        assert_int_equal (hb_journal_append (journal, s_data [i], s_size [i]), 0);
    assert_int_equal (hb_journal_testing_file_size (s_path), HB_JOURNAL_AHEAD);
    s_assert_records (journal, 20, S_RECORDS);
    hb_journal_destroy (&journal);
    assert_int_equal (hb_journal_testing_file_size (s_path), s_end [19]);

    //  killed again with space taken: a journal opened without space
    //  (another policy) cuts the zeros as a torn tail, counted, and keeps
    //  every record
    s_write_and_kill (1);
    assert_int_equal (hb_journal_testing_file_size (s_path), HB_JOURNAL_AHEAD);
    journal = hb_journal_open (s_path, HB_JOURNAL_FSYNC_INTERVAL, 10);
    assert_non_null (journal);
    assert_int_equal (hb_journal_count (journal), 21);
    uint64_t end = s_end [19] + HB_JOURNAL_RECORD_OVERHEAD + s_size [0];
    assert_int_equal (hb_journal_size (journal), end);
    assert_int_equal (hb_journal_dropped (journal), HB_JOURNAL_AHEAD - end);
    assert_int_equal (hb_journal_testing_file_size (s_path), end);
    hb_journal_destroy (&journal);
}

//  A write cut at a sector boundary inside the space (its first sectors
//  landed, the rest still zeros) is a torn tail: cut, counted, the earlier
//  records kept. The same record whole but with a flipped bit, zeros
//  after, is damage: refused, the file untouched.
static void
test_ahead_torn_in_space (void **state)
{
    (void) state;
    s_write_and_kill (10);
    uint8_t *image;
    size_t image_size = hb_journal_testing_read_file (s_path, &image);
    assert_int_equal (image_size, HB_JOURNAL_AHEAD);

    //  a record of 1000 bytes framed (by a scratch journal): it crosses a
    //  sector boundary wherever it starts
    uint64_t at = s_end [9];
    static uint8_t payload [1000];
    memset (payload, 0x33, sizeof payload);
    char scratch [400];
    snprintf (scratch, sizeof scratch, "%s.frame", s_path);
    unlink (scratch);
    hb_journal_t *journal = hb_journal_open (scratch, HB_JOURNAL_FSYNC_NEVER, 0);
    assert_non_null (journal);
    assert_int_equal (hb_journal_append (journal, payload, sizeof payload), 0);
    hb_journal_destroy (&journal);
    uint8_t *framed;
    size_t framed_size = hb_journal_testing_read_file (scratch, &framed);
    unlink (scratch);
    size_t frame_size = framed_size - HB_JOURNAL_HEADER_SIZE;
    assert_int_equal (frame_size, HB_JOURNAL_RECORD_OVERHEAD + sizeof payload);
    const uint8_t *frame = framed + HB_JOURNAL_HEADER_SIZE;

    //  torn: only its sectors before the first boundary inside it landed
    uint64_t boundary = (at / 512 + 1) * 512;
    assert_true (boundary < at + frame_size);
    uint8_t *torn = malloc (image_size);
    assert_non_null (torn);
    memcpy (torn, image, image_size);
    memcpy (torn + at, frame, (size_t) (boundary - at));
    uint64_t landed = boundary;             //  its last byte not zero
    while (landed > at && torn [landed - 1] == 0)
        landed--;
    hb_journal_testing_write_file (s_path, torn, image_size);
    hb_journal_check_t report;
    assert_int_equal (hb_journal_check (s_path, &report), 0);
    assert_int_equal (report.records, 10);
    assert_true (report.torn);
    assert_false (report.damaged);
    journal = hb_journal_open_owned (s_path, HB_JOURNAL_FSYNC_ALWAYS, 0);
    assert_non_null (journal);
    assert_int_equal (hb_journal_dropped (journal), landed - at);
    s_assert_records (journal, 10, S_RECORDS);
    assert_int_equal (hb_journal_append (journal, s_data [10], s_size [10]), 0);
    hb_journal_destroy (&journal);
    journal = hb_journal_open_owned (s_path, HB_JOURNAL_FSYNC_ALWAYS, 0);
    assert_non_null (journal);
    s_assert_records (journal, 11, S_RECORDS);
    hb_journal_destroy (&journal);

    //  damaged: the whole record, one bit flipped, zeros after
    memcpy (torn, image, image_size);
    memcpy (torn + at, frame, frame_size);
    torn [at + HB_JOURNAL_RECORD_OVERHEAD + 3] ^= 0x10;
    hb_journal_testing_write_file (s_path, torn, image_size);
    assert_int_equal (hb_journal_check (s_path, &report), 0);
    assert_false (report.torn);
    assert_true (report.damaged);
    errno = 0;
    assert_null (hb_journal_open_owned (s_path, HB_JOURNAL_FSYNC_ALWAYS, 0));
    assert_int_equal (errno, EBADMSG);
    uint8_t *after;
    size_t after_size = hb_journal_testing_read_file (s_path, &after);
    assert_int_equal (after_size, image_size);
    assert_memory_equal (after, torn, image_size);
    free (after);
    free (torn);
    free (framed);
    free (image);
}

//  Damage in the history of a killed journal with space: refused and
//  untouched; check sees the later records and one hole (the zeros are not
//  one); salvage keeps a copy and recovers every valid record.
static void
test_ahead_salvage (void **state)
{
    (void) state;
    s_write_and_kill (20);
    uint8_t *image;
    size_t image_size = hb_journal_testing_read_file (s_path, &image);
    image [s_end [6] + HB_JOURNAL_RECORD_OVERHEAD + 1] ^= 0x01;     //  record 7's payload
    hb_journal_testing_write_file (s_path, image, image_size);
    errno = 0;
    assert_null (hb_journal_open_owned (s_path, HB_JOURNAL_FSYNC_ALWAYS, 0));
    assert_int_equal (errno, EBADMSG);
    assert_int_equal (hb_journal_testing_file_size (s_path), image_size);

    hb_journal_check_t report;
    assert_int_equal (hb_journal_check (s_path, &report), 0);
    assert_true (report.damaged);
    assert_int_equal (report.records, 7);
    assert_int_equal (report.later, 12);
    assert_int_equal (report.holes, 1);
    char quarantine [4096];
    assert_int_equal (hb_journal_salvage (s_path, &report, quarantine, sizeof quarantine), 0);
    assert_true (quarantine [0]);
    assert_int_equal (report.holes, 1);
    assert_int_equal (hb_journal_testing_file_size (quarantine), image_size);
    unlink (quarantine);

    hb_journal_t *journal = hb_journal_open_owned (s_path, HB_JOURNAL_FSYNC_ALWAYS, 0);
    assert_non_null (journal);
    assert_int_equal (hb_journal_dropped (journal), 0);
    s_assert_records (journal, 19, 7);
    hb_journal_destroy (&journal);
    free (image);
}

//  A full disk (RLIMIT_FSIZE): no room for the space costs the space, not
//  the append, which extends the file as it would without; no room for the
//  record fails it (EFBIG), the file back at its end; later appends go on.
static void
test_ahead_full_disk (void **state)
{
    (void) state;
    hb_journal_t *journal = hb_journal_open_owned (s_path, HB_JOURNAL_FSYNC_ALWAYS, 0);
    assert_non_null (journal);
    struct rlimit saved, limited;
    assert_int_equal (getrlimit (RLIMIT_FSIZE, &saved), 0);
    limited = saved;
    limited.rlim_cur = (rlim_t) s_end [1];              //  room for two records
    void (*old_handler) (int) = signal (SIGXFSZ, SIG_IGN);
    assert_int_equal (setrlimit (RLIMIT_FSIZE, &limited), 0);
    int rc0 = hb_journal_append (journal, s_data [0], s_size [0]);
    uint64_t size0 = hb_journal_testing_file_size (s_path);
    int rc1 = hb_journal_append (journal, s_data [1], s_size [1]);
    errno = 0;
    int rc2 = hb_journal_append (journal, s_data [2], s_size [2]);
    int error = errno;
    assert_int_equal (setrlimit (RLIMIT_FSIZE, &saved), 0);
    signal (SIGXFSZ, old_handler);
    assert_int_equal (rc0, 0);
    assert_int_equal (size0, s_end [0]);
    assert_int_equal (rc1, 0);
    assert_int_equal (rc2, -1);
    assert_int_equal (error, EFBIG);
    assert_int_equal (hb_journal_count (journal), 2);
    assert_int_equal (hb_journal_testing_file_size (s_path), s_end [1]);
    //  room again: space is taken again
    assert_int_equal (hb_journal_append (journal, s_data [2], s_size [2]), 0);
    assert_int_equal (hb_journal_testing_file_size (s_path), HB_JOURNAL_AHEAD);
    hb_journal_destroy (&journal);
    journal = hb_journal_open_owned (s_path, HB_JOURNAL_FSYNC_ALWAYS, 0);
    assert_non_null (journal);
    s_assert_records (journal, 3, S_RECORDS);
    hb_journal_destroy (&journal);
}

//  No space where a sync costs nothing (tmpfs), nor for other policies.
static void
test_ahead_only_on_disk_always (void **state)
{
    (void) state;
    hb_journal_t *journal = hb_journal_open_owned (s_path, HB_JOURNAL_FSYNC_INTERVAL, 10);
    assert_non_null (journal);
    assert_int_equal (hb_journal_append (journal, s_data [0], s_size [0]), 0);
    assert_int_equal (hb_journal_testing_file_size (s_path), s_end [0]);
    hb_journal_destroy (&journal);
    if (access ("/dev/shm", W_OK) != 0)
        return;
    char shm [64] = "/dev/shm/hb_journal_ahead.XXXXXX";
    assert_non_null (mkdtemp (shm));
    char path [128];
    snprintf (path, sizeof path, "%s/j", shm);
    journal = hb_journal_open_owned (path, HB_JOURNAL_FSYNC_ALWAYS, 0);
    assert_non_null (journal);
    assert_int_equal (hb_journal_append (journal, s_data [0], s_size [0]), 0);
    assert_int_equal (hb_journal_testing_file_size (path), s_end [0]);
    hb_journal_destroy (&journal);
    hb_journal_testing_teardown (shm, path);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test_setup (test_ahead_taken_and_given_back, s_before),
        cmocka_unit_test_setup (test_ahead_restart_after_kill, s_before),
        cmocka_unit_test_setup (test_ahead_torn_in_space, s_before),
        cmocka_unit_test_setup (test_ahead_salvage, s_before),
        cmocka_unit_test_setup (test_ahead_full_disk, s_before),
        cmocka_unit_test_setup (test_ahead_only_on_disk_always, s_before),
    };
    return cmocka_run_group_tests_name ("hb_journal_ahead", tests, s_setup, s_teardown);
}
