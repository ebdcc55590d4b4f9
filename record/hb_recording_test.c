/*  hb_recording / hb_recording_reader: round trip across segments rotated
    by size and by time, index seek by time and by seq, damaged segments
    (random truncations and bit flips) read up to their first bad record,
    and batching (hb-record's mode): the same files byte for byte, nothing
    visible before a flush, a failed batch write dropped whole and counted. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "hb_log.h"
#include "hb_recording.h"
#include "hb_recording_reader.h"

#include <czmq.h>
#include <dirent.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#define S_BASE_TS   1790000000000000000ll
#define S_MS        1000000ll

typedef struct {
    uint32_t segment;
    uint64_t offset;
    uint64_t end;               //  offset past the frame
    int64_t  ts;
    char     topic [HB_TOPIC_MAX];
    size_t   size;
    uint8_t  payload [128];
} s_rec_t;

static char *
s_tempdir (void)
{
    char *dir = strdup ("/tmp/hb-rec-test.XXXXXX");
    assert_non_null (mkdtemp (dir));
    return dir;
}

static void
s_rmdir (char *dir)
{
    zdir_t *tree = zdir_new (dir, NULL);
    if (tree) {
        zdir_remove (tree, true);
        zdir_destroy (&tree);
    }
    rmdir (dir);
    free (dir);
}

//  Record i of a test stream: three topics, sizes 20..69, seq per topic.
static void
s_make (int i, int64_t ts_step, s_rec_t *rec, hb_env_t *env)
{
    memset (rec, 0, sizeof *rec);
    rec->ts = S_BASE_TS + (int64_t) i * ts_step;
    snprintf (rec->topic, sizeof rec->topic, "tick.v%d.X", i % 3);
    rec->size = 20 + (size_t) (i * 7) % 50;
    for (size_t j = 0; j < rec->size; j++)
        rec->payload [j] = (uint8_t) (i * 31 + j);
    memset (env, 0, sizeof *env);
    snprintf (env->publisher, sizeof env->publisher, "feed.v%d", i % 3);
    env->epoch = 7;
    env->seq = (uint64_t) (i / 3) + 1;
}

static int
s_write (const char *dir, int count, int64_t ts_step, const hb_recording_opts_t *opts)
{
    hb_recording_t *rec = hb_recording_new (dir, opts);
    assert_non_null (rec);
    for (int i = 0; i < count; i++) {
        s_rec_t r;
        hb_env_t env;
        s_make (i, ts_step, &r, &env);
        assert_int_equal (hb_recording_append (rec, r.ts, r.topic, r.payload, r.size, &env), 0);
    }
    assert_int_equal (hb_recording_append (rec, 0, "", "x", 1, NULL), -1);
    int segments = (int) hb_recording_segments (rec);
    assert_int_equal (hb_recording_count (rec), count);
    hb_recording_destroy (&rec);
    assert_null (rec);
    return segments;
}

//  Reads every record of dir into out (at most max). Returns the count.
static int
s_read_all (const char *dir, s_rec_t *out, int max, uint64_t *damaged)
{
    hb_recording_reader_t *reader = hb_recording_reader_new (dir);
    assert_non_null (reader);
    hb_record_t record;
    int n = 0;
    while (hb_recording_reader_next (reader, &record) == 1) {
        assert_true (n < max);
        s_rec_t *r = &out [n++];
        r->segment = record.segment;
        r->offset = record.offset;
        r->ts = record.recv_ts;
        snprintf (r->topic, sizeof r->topic, "%s", record.topic);
        r->size = record.size;
        assert_true (record.size <= sizeof r->payload);
        memcpy (r->payload, record.payload, record.size);
        r->end = record.offset + 8 + 9 + strlen (record.topic) + record.size;
    }
    if (damaged)
        *damaged = hb_recording_reader_damaged (reader);
    hb_recording_reader_destroy (&reader);
    return n;
}

static void
s_check_stream (const s_rec_t *got, int n, int64_t ts_step)
{
    for (int i = 0; i < n; i++) {
        s_rec_t want;
        hb_env_t env;
        s_make (i, ts_step, &want, &env);
        assert_int_equal (got [i].ts, want.ts);
        assert_string_equal (got [i].topic, want.topic);
        assert_int_equal (got [i].size, want.size);
        assert_memory_equal (got [i].payload, want.payload, want.size);
    }
}

static void
test_round_trip_by_size (void **state)
{
    (void) state;
    char *dir = s_tempdir ();
    hb_recording_opts_t opts = { .policy = HB_JOURNAL_FSYNC_NEVER, .segment_bytes = 4096,
                                 .index_records = 10 };
    int segments = s_write (dir, 300, S_MS, &opts);
    assert_true (segments >= 5);
    static s_rec_t got [400];
    uint64_t damaged = 1;
    assert_int_equal (s_read_all (dir, got, 400, &damaged), 300);
    assert_int_equal (damaged, 0);
    s_check_stream (got, 300, S_MS);
    //  every segment within the size limit, numbered in order
    for (int i = 1; i < 300; i++) {
        assert_true (got [i].end <= 4096);
        assert_true (got [i].segment >= got [i - 1].segment);
    }
    assert_int_equal (got [299].segment, segments);
    //  a second recorder in the same directory goes on after the last segment
    hb_recording_t *rec = hb_recording_new (dir, &opts);
    assert_int_equal (hb_recording_append (rec, S_BASE_TS + 400 * S_MS, "late", "z", 1, NULL), 0);
    hb_recording_destroy (&rec);
    assert_int_equal (s_read_all (dir, got, 400, NULL), 301);
    assert_int_equal (got [300].segment, segments + 1);
    assert_string_equal (got [300].topic, "late");
    s_rmdir (dir);
}

static void
test_round_trip_by_time (void **state)
{
    (void) state;
    char *dir = s_tempdir ();
    //  200 records 1 ms apart, a segment per 20 ms: 10 segments
    hb_recording_opts_t opts = { .policy = HB_JOURNAL_FSYNC_ALWAYS, .segment_ns = 20 * S_MS };
    assert_int_equal (s_write (dir, 200, S_MS, &opts), 10);
    static s_rec_t got [256];
    assert_int_equal (s_read_all (dir, got, 256, NULL), 200);
    s_check_stream (got, 200, S_MS);
    for (int i = 0; i < 200; i++)
        assert_int_equal (got [i].segment, i / 20 + 1);
    s_rmdir (dir);
}

static void
test_seek (void **state)
{
    (void) state;
    char *dir = s_tempdir ();
    hb_recording_opts_t opts = { .policy = HB_JOURNAL_FSYNC_NEVER, .segment_bytes = 8192,
                                 .index_records = 16 };
    s_write (dir, 1000, S_MS, &opts);
    hb_recording_reader_t *reader = hb_recording_reader_new (dir);
    assert_int_equal (hb_recording_reader_start (reader), S_BASE_TS);
    int targets [] = { 0, 1, 377, 640, 999 };
    for (size_t t = 0; t < sizeof targets / sizeof targets [0]; t++) {
        uint64_t before = hb_recording_reader_scanned (reader);
        //  half a ms before record k: the first record at or after is k
        int k = targets [t];
        hb_recording_reader_seek (reader, S_BASE_TS + k * S_MS - S_MS / 2);
        hb_record_t record;
        assert_int_equal (hb_recording_reader_next (reader, &record), 1);
        assert_int_equal (record.recv_ts, S_BASE_TS + k * S_MS);
        //  the index took us there: at most one index interval scanned
        assert_true (hb_recording_reader_scanned (reader) - before <= 17);
        int rest = 1;
        while (hb_recording_reader_next (reader, &record) == 1)
            rest++;
        assert_int_equal (rest, 1000 - k);
    }
    hb_recording_reader_seek (reader, S_BASE_TS + 2000 * S_MS);
    hb_record_t record;
    assert_int_equal (hb_recording_reader_next (reader, &record), 0);

    //  seq index: feed.v1 has seq 1..333; entries every 16th record of it
    uint32_t segment = 0;
    uint64_t offset = 0;
    assert_int_equal (hb_recording_reader_find_seq (reader, "feed.v1", "tick.v1.X", 7, 200,
                                                    &segment, &offset), 0);
    hb_recording_reader_seek (reader, INT64_MIN);
    bool found = false;
    int64_t seq = 0;
    while (hb_recording_reader_next (reader, &record) == 1)
        if (strcmp (record.topic, "tick.v1.X") == 0) {
            seq++;
            if (record.segment == segment && record.offset == offset) {
                found = true;
                break;
            }
        }
    assert_true (found);
    assert_true (seq <= 200 && seq > 200 - 17);
    assert_int_equal (hb_recording_reader_find_seq (reader, "feed.v1", "tick.v1.X", 8, 200,
                                                    &segment, &offset), -1);
    hb_recording_reader_destroy (&reader);
    s_rmdir (dir);
}

//  Reads a whole file; its size in *size.
static uint8_t *
s_slurp (const char *path, size_t *size)
{
    FILE *file = fopen (path, "rb");
    assert_non_null (file);
    fseek (file, 0, SEEK_END);
    *size = (size_t) ftell (file);
    fseek (file, 0, SEEK_SET);
    uint8_t *data = malloc (*size + 1);
    assert_non_null (data);
    assert_int_equal (fread (data, 1, *size, file), *size);
    fclose (file);
    return data;
}

//  Asserts that dir b holds the same files as dir a, byte for byte.
static int
s_assert_same_files (const char *a, const char *b)
{
    DIR *listing = opendir (a);
    assert_non_null (listing);
    const struct dirent *entry;
    int files = 0;
    while ((entry = readdir (listing))) {
        if (entry->d_name [0] == '.')
            continue;
        char path_a [512], path_b [512];
        snprintf (path_a, sizeof path_a, "%s/%s", a, entry->d_name);
        snprintf (path_b, sizeof path_b, "%s/%s", b, entry->d_name);
        size_t size_a, size_b;
        uint8_t *data_a = s_slurp (path_a, &size_a);
        uint8_t *data_b = s_slurp (path_b, &size_b);
        assert_int_equal (size_a, size_b);
        assert_memory_equal (data_a, data_b, size_a);
        free (data_a);
        free (data_b);
        files++;
    }
    closedir (listing);
    return files;
}

static void
test_batched (void **state)
{
    (void) state;
    char *plain = s_tempdir (), *batched = s_tempdir ();
    hb_recording_opts_t opts = { .policy = HB_JOURNAL_FSYNC_ALWAYS, .segment_bytes = 8192,
                                 .index_records = 16 };
    s_write (plain, 1000, S_MS, &opts);

    //  The same stream in batches of 1..40 records (buffer 2 KiB, so some
    //  batches also fill it): the same segments and indexes, byte for byte.
    opts.batch_bytes = 2048;
    hb_recording_t *rec = hb_recording_new (batched, &opts);
    assert_non_null (rec);
    static s_rec_t got [1100];
    int i = 0;
    for (int batch = 1; i < 1000; batch = batch % 40 + 1) {
        for (int j = 0; j < batch && i < 1000; j++, i++) {
            s_rec_t r;
            hb_env_t env;
            s_make (i, S_MS, &r, &env);
            assert_int_equal (hb_recording_append (rec, r.ts, r.topic, r.payload, r.size, &env), 0);
        }
        if (batch == 3) {
            //  appended but not flushed: not in the files yet
            int seen = s_read_all (batched, got, 1100, NULL);
            assert_true (seen < i);
        }
        assert_int_equal (hb_recording_flush (rec), 0);
        assert_int_equal (s_read_all (batched, got, 1100, NULL), i);
    }
    assert_int_equal (hb_recording_count (rec), 1000);
    assert_int_equal (hb_recording_lost (rec), 0);
    hb_recording_destroy (&rec);
    assert_true (s_assert_same_files (plain, batched) >= 10);

    //  A batch whose write fails (a full disk: RLIMIT_FSIZE) is dropped
    //  whole and counted; the next batch goes to a new segment; readers see
    //  no damage and every record that was written.
    rec = hb_recording_new (batched, &opts);
    assert_non_null (rec);
    s_rec_t r;
    hb_env_t env;
    s_make (1000, S_MS, &r, &env);
    assert_int_equal (hb_recording_append (rec, r.ts, r.topic, r.payload, r.size, &env), 0);
    assert_int_equal (hb_recording_flush (rec), 0);
    struct rlimit saved, limited;
    assert_int_equal (getrlimit (RLIMIT_FSIZE, &saved), 0);
    limited = saved;
    limited.rlim_cur = 300;             //  the segment holds one record: part of the batch fits
    void (*old_handler) (int) = signal (SIGXFSZ, SIG_IGN);
    for (int k = 1001; k < 1011; k++) {
        s_make (k, S_MS, &r, &env);
        assert_int_equal (hb_recording_append (rec, r.ts, r.topic, r.payload, r.size, &env), 0);
    }
    assert_int_equal (setrlimit (RLIMIT_FSIZE, &limited), 0);
    errno = 0;
    int rc = hb_recording_flush (rec);
    int error = errno;
    assert_int_equal (setrlimit (RLIMIT_FSIZE, &saved), 0);
    signal (SIGXFSZ, old_handler);
    assert_int_equal (rc, -1);
    assert_int_equal (error, EFBIG);
    assert_int_equal (hb_recording_lost (rec), 10);
    assert_int_equal (hb_recording_count (rec), 1);
    s_make (1011, S_MS, &r, &env);
    assert_int_equal (hb_recording_append (rec, r.ts, r.topic, r.payload, r.size, &env), 0);
    assert_int_equal (hb_recording_flush (rec), 0);
    assert_int_equal (hb_recording_segments (rec), 2);
    hb_recording_destroy (&rec);
    uint64_t damaged = 1;
    assert_int_equal (s_read_all (batched, got, 1100, &damaged), 1002);
    assert_int_equal (damaged, 0);
    s_check_stream (got, 1001, S_MS);
    assert_int_equal (got [1001].ts, S_BASE_TS + 1011 * S_MS);
    s_rmdir (plain);
    s_rmdir (batched);
}

typedef struct {
    char    name [256];
    uint8_t *data;
    size_t  size;
} s_file_t;

static void
s_write_file (const char *path, const uint8_t *data, size_t size)
{
    FILE *file = fopen (path, "wb");
    assert_non_null (file);
    if (size)
        assert_int_equal (fwrite (data, 1, size, file), size);
    fclose (file);
}

static void
test_corruption (void **state)
{
    (void) state;
    hb_log_init ("test", HB_LOG_ERROR);     //  500 rounds of expected warnings
    char *dir = s_tempdir ();
    hb_recording_opts_t opts = { .policy = HB_JOURNAL_FSYNC_NEVER, .segment_bytes = 1200 };
    int n_segments = s_write (dir, 120, S_MS, &opts);
    assert_true (n_segments >= 6);
    static s_rec_t clean [200], got [200];
    int n_clean = s_read_all (dir, clean, 200, NULL);
    assert_int_equal (n_clean, 120);

    //  the segment files, in number order (names sort that way)
    s_file_t files [64];
    int n_files = 0;
    DIR *listing = opendir (dir);
    const struct dirent *entry;
    while ((entry = readdir (listing)))
        if (strstr (entry->d_name, ".hbr")) {
            assert_true (n_files < 64);
            s_file_t *f = &files [n_files++];
            snprintf (f->name, sizeof f->name, "%s", entry->d_name);
            zfile_t *file = zfile_new (dir, f->name);
            assert_int_equal (zfile_input (file), 0);
            f->size = (size_t) zfile_cursize (file);
            zchunk_t *chunk = zfile_read (file, f->size, 0);
            f->data = (uint8_t *) malloc (f->size);
            memcpy (f->data, zchunk_data (chunk), f->size);
            zchunk_destroy (&chunk);
            zfile_destroy (&file);
        }
    closedir (listing);
    assert_int_equal (n_files, n_segments);
    for (int i = 0; i < n_files; i++)
        for (int j = i + 1; j < n_files; j++)
            if (strcmp (files [j].name, files [i].name) < 0) {
                s_file_t t = files [i]; files [i] = files [j]; files [j] = t;
            }

    unsigned seed = 12345;
    uint8_t *copy = (uint8_t *) malloc (1 << 16);
    int damaged_rounds = 0;
    for (int round = 0; round < 500; round++) {
        //  cut [s]: records of segment s+1 that end at or before it survive
        uint64_t cut [64];
        for (int i = 0; i < n_files; i++)
            cut [i] = UINT64_MAX;
        int victims = 1 + (int) (rand_r (&seed) % 2);
        for (int v = 0; v < victims; v++) {
            int s = (int) (rand_r (&seed) % (unsigned) n_files);
            cut [s] = 0;                //  marks it damaged
        }
        for (int s = 0; s < n_files; s++) {
            char *path = zsys_sprintf ("%s/%s", dir, files [s].name);
            memcpy (copy, files [s].data, files [s].size);
            size_t size = files [s].size;
            if (cut [s] == 0) {
                size_t at = (size_t) rand_r (&seed) % size;
                if (rand_r (&seed) % 2)
                    size = at;          //  truncated at 'at'
                else
                    copy [at] ^= (uint8_t) (1u << (rand_r (&seed) % 8));
                cut [s] = at;
            }
            s_write_file (path, copy, size);
            zstr_free (&path);
        }
        int n_want = 0;
        static s_rec_t want [200];
        for (int i = 0; i < n_clean; i++) {
            uint64_t limit = cut [clean [i].segment - 1];
            //  a damaged file header loses the whole segment
            if (limit != UINT64_MAX && limit < 8)
                continue;
            if (clean [i].end <= limit)
                want [n_want++] = clean [i];
        }
        uint64_t damaged = 0;
        int n_got = s_read_all (dir, got, 200, &damaged);
        if (n_got != n_want)
            fail_msg ("round %d: %d records read, %d expected", round, n_got, n_want);
        for (int i = 0; i < n_got; i++) {
            assert_int_equal (got [i].segment, want [i].segment);
            assert_int_equal (got [i].offset, want [i].offset);
            assert_int_equal (got [i].ts, want [i].ts);
            assert_int_equal (got [i].size, want [i].size);
            assert_memory_equal (got [i].payload, want [i].payload, want [i].size);
        }
        if (damaged)
            damaged_rounds++;
    }
    //  most rounds really damage something (a cut on a record boundary does not)
    assert_true (damaged_rounds > 400);
    free (copy);
    for (int i = 0; i < n_files; i++)
        free (files [i].data);
    s_rmdir (dir);
}

static void
test_parse_time (void **state)
{
    (void) state;
    int64_t ts = 0;
    assert_int_equal (hb_recording_parse_time ("1790000000123456789", 0, &ts), 0);
    assert_int_equal (ts, 1790000000123456789ll);
    assert_int_equal (hb_recording_parse_time ("+1.5", 1000, &ts), 0);
    assert_int_equal (ts, 1000 + 1500000000ll);
    assert_int_equal (hb_recording_parse_time ("2026-01-02T03:04:05.25Z", 0, &ts), 0);
    assert_int_equal (ts, 1767323045250000000ll);
    assert_int_equal (hb_recording_parse_time ("2026-01-02T03:04:05", 0, &ts), -1);
    assert_int_equal (hb_recording_parse_time ("+x", 0, &ts), -1);
    assert_int_equal (hb_recording_parse_time ("", 0, &ts), -1);
    const char *prefixes [] = { "tick.a", "fill." };
    assert_true (hb_recording_topic_match ("tick.a.BTC", prefixes, 2));
    assert_false (hb_recording_topic_match ("tick.b.BTC", prefixes, 2));
    assert_true (hb_recording_topic_match ("anything", NULL, 0));
}

int
main (void)
{
    hb_log_init ("test", HB_LOG_WARN);
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_round_trip_by_size),
        cmocka_unit_test (test_round_trip_by_time),
        cmocka_unit_test (test_seek),
        cmocka_unit_test (test_corruption),
        cmocka_unit_test (test_batched),
        cmocka_unit_test (test_parse_time),
    };
    return cmocka_run_group_tests_name ("hb_recording", tests, NULL, NULL);
}
