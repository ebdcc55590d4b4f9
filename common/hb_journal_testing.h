/*  hb_journal_testing: the fixture shared by the journal's test programs
    (hb_journal_test.c, hb_journal_batch_test.c): a fresh directory under
    /dev/shm (tmpfs: fsync is cheap, so the tests stay fast) or /tmp, a
    seeded random generator, whole-file reads and writes. Header-only
    (static inline) and cmocka-based: include it after <cmocka.h>, from
    test programs only.                                                     */
#ifndef HB_JOURNAL_TESTING_H
#define HB_JOURNAL_TESTING_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hb_log.h"

//  xorshift64* on *rng: deterministic from the seed, good enough for test
//  data. *rng must not be 0.
static inline uint64_t
hb_journal_testing_rand (uint64_t *rng)
{
    *rng ^= *rng >> 12;
    *rng ^= *rng << 25;
    *rng ^= *rng >> 27;
    return *rng * 0x2545F4914F6CDD1Dull;
}

//  Group set-up: makes a fresh directory named after prefix into dir and
//  the journal's path (dir/j) into path; HB_TEST_SEED, when set, replaces
//  *rng (made odd, so never 0). Prints the directory and the seed after
//  label, so that a failure can be replayed. Returns 0, or -1 when the
//  directory cannot be made.
static inline int
hb_journal_testing_setup (const char *prefix, const char *label,
                          char *dir, size_t dir_size, char *path, size_t path_size,
                          uint64_t *rng)
{
    const char *base = access ("/dev/shm", W_OK) == 0? "/dev/shm": "/tmp";
    snprintf (dir, dir_size, "%s/%s.XXXXXX", base, prefix);
    if (!mkdtemp (dir))
        return -1;
    snprintf (path, path_size, "%s/j", dir);
    const char *seed = getenv ("HB_TEST_SEED");
    if (seed)
        *rng = strtoull (seed, NULL, 0) | 1;
    print_message ("%s: dir %s, seed 0x%llx\n", label, dir, (unsigned long long) *rng);
    return 0;
}

//  Group tear-down: removes the journal at path and its directory dir.
static inline void
hb_journal_testing_teardown (const char *dir, const char *path)
{
    char marker [4096];
    snprintf (marker, sizeof marker, "%s.created", path);
    unlink (path);
    unlink (marker);                //  hb_journal_open_owned's
    rmdir (dir);
}

//  Removes a journal and the marker hb_journal_open_owned keeps beside it,
//  so that the next open starts a fresh one on purpose.
static inline void
hb_journal_testing_unlink (const char *path)
{
    char marker [4096];
    snprintf (marker, sizeof marker, "%s.created", path);
    unlink (path);
    unlink (marker);
}

//  Whether the file at path (its first 64 KB: a test's journal) holds text
//  anywhere, records and binary included.
static inline bool
hb_journal_testing_has (const char *path, const char *text)
{
    FILE *file = fopen (path, "rb");
    if (!file)
        return false;
    static char data [1 << 16];
    size_t size = fread (data, 1, sizeof data, file);
    fclose (file);
    return memmem (data, size, text, strlen (text)) != NULL;
}

//  Per-test set-up: no journal at path, logging as name at level.
static inline void
hb_journal_testing_before (const char *path, const char *name, hb_log_level_t level)
{
    char marker [4096];
    snprintf (marker, sizeof marker, "%s.created", path);
    unlink (path);
    unlink (marker);
    hb_log_init (name, level);
}

//  Size of the file at path, which must exist.
static inline uint64_t
hb_journal_testing_file_size (const char *path)
{
    struct stat st;
    assert_int_equal (stat (path, &st), 0);
    return (uint64_t) st.st_size;
}

//  Reads the whole file at path into *data_p (malloc'd, one spare byte;
//  the caller frees it) and returns its size. Fails the test when the
//  file cannot be read.
static inline size_t
hb_journal_testing_read_file (const char *path, uint8_t **data_p)
{
    int fd = open (path, O_RDONLY);
    assert_true (fd >= 0);
    struct stat st;
    assert_int_equal (fstat (fd, &st), 0);
    uint8_t *data = malloc ((size_t) st.st_size + 1);
    assert_non_null (data);
    assert_int_equal (read (fd, data, (size_t) st.st_size), st.st_size);
    close (fd);
    *data_p = data;
    return (size_t) st.st_size;
}

//  Replaces the file at path with size bytes of data; fails the test when
//  it cannot.
static inline void
hb_journal_testing_write_file (const char *path, const void *data, size_t size)
{
    int fd = open (path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    assert_true (fd >= 0);
    assert_int_equal (write (fd, data, size), (ssize_t) size);
    close (fd);
}

#endif
