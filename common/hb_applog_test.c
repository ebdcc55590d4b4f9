/*  hb_applog tests: entries written, batched, encoded on the wire and
    parsed back; keys once per (topic, publisher, epoch); the blob limit;
    garbage refused.                                                      */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hb_applog.h"

#define S_BATCHES 64

//  The batches the log sent, each through the wire codec and back
typedef struct {
    hb_msg_t batches [S_BATCHES];
    int      n;
    bool     fail;                  //  the next send fails
} s_sink_t;

static int
s_send (hb_msg_t *msg, void *arg)
{
    s_sink_t *sink = (s_sink_t *) arg;
    assert_int_equal (msg->env.type, HB_MSG_APPLOG);
    if (sink->fail) {
        sink->fail = false;
        return -1;
    }
    assert_true (sink->n < S_BATCHES);
    msg->env.version = HB_SCHEMA_VERSION;
    snprintf (msg->env.publisher, sizeof msg->env.publisher, "hedger");
    msg->env.epoch = 7;
    msg->env.seq = (uint64_t) sink->n + 1;
    hb_buf_t buf;
    assert_int_equal (hb_msg_encode (msg, &buf), 0);
    assert_int_equal (hb_msg_decode (&sink->batches [sink->n], buf.data, buf.size, NULL), 0);
    sink->n++;
    return 0;
}

static hb_env_t
s_env (const char *publisher, uint64_t epoch, uint64_t seq)
{
    hb_env_t env;
    memset (&env, 0, sizeof env);
    snprintf (env.publisher, sizeof env.publisher, "%s", publisher);
    env.epoch = epoch;
    env.seq = seq;
    return env;
}

//  Every entry of every batch, in order, checking that each batch's first
//  follows on; returns the count
static int
s_parse_all (const s_sink_t *sink, hb_applog_entry_t *out, int max)
{
    int n = 0;
    uint64_t entries = 0;
    for (int b = 0; b < sink->n; b++) {
        const hb_applog_msg_t *batch = &sink->batches [b].u.applog;
        assert_int_equal (batch->first, entries);
        size_t offset = 0;
        uint32_t in_batch = 0;
        int rc;
        while ((rc = hb_applog_parse (batch, &offset, &out [n])) == 1) {
            assert_true (n + 1 < max);
            n++;
            in_batch++;
        }
        assert_int_equal (rc, 0);
        assert_int_equal (offset, batch->size);
        assert_int_equal (in_batch, batch->count);
        entries += batch->count;
    }
    return n;
}

static void
test_round_trip (void **state)
{
    (void) state;
    s_sink_t *sink = calloc (1, sizeof *sink);
    hb_applog_t *log = hb_applog_new (s_send, sink);
    assert_non_null (log);
    hb_env_t a1 = s_env ("risk", 5, 1), a2 = s_env ("risk", 5, 2), b1 = s_env ("feed.sim", 9, 1);
    hb_env_t a3 = s_env ("risk", 6, 1);     //  a restarted risk: another key
    assert_int_equal (hb_applog_input (log, "risk.hedge", &a1, 0, 100), 0);
    assert_int_equal (hb_applog_input (log, "tick.sim.BTC", &b1, 0, 101), 0);
    assert_int_equal (hb_applog_timer (log, 3, 102), 0);
    assert_int_equal (hb_applog_input (log, "risk.hedge", &a2, 1, 103), 0);
    assert_int_equal (hb_applog_blob (log, 2, 104, "abc", 3), 0);
    assert_int_equal (hb_applog_blob (log, 4, 105, NULL, 0), 0);
    assert_int_equal (hb_applog_input (log, "risk.hedge", &a3, 2, 106), 0);
    assert_int_equal (sink->n, 0);          //  nothing goes out before a flush
    assert_int_equal (hb_applog_flush (log), 0);
    assert_int_equal (hb_applog_flush (log), 0);    //  nothing more: no batch
    assert_int_equal (sink->n, 1);
    assert_int_equal (hb_applog_entries (log), 10);
    hb_applog_entry_t e [16];
    int n = s_parse_all (sink, e, 16);
    assert_int_equal (n, 10);
    //  KEY 0 risk.hedge/risk/5, IN, KEY 1 tick/feed.sim/9, IN, TIMER, IN (key 0),
    //  BLOB, BLOB, KEY 2 risk.hedge/risk/6, IN
    assert_int_equal (e [0].kind, HB_APPLOG_KEY);
    assert_int_equal (e [0].key, 0);
    assert_int_equal (e [0].epoch, 5);
    assert_string_equal (e [0].topic, "risk.hedge");
    assert_string_equal (e [0].publisher, "risk");
    assert_int_equal (e [1].kind, HB_APPLOG_IN);
    assert_int_equal (e [1].key, 0);
    assert_int_equal (e [1].seq, 1);
    assert_int_equal (e [1].t, 100);
    assert_int_equal (e [2].kind, HB_APPLOG_KEY);
    assert_int_equal (e [2].key, 1);
    assert_string_equal (e [2].publisher, "feed.sim");
    assert_int_equal (e [3].key, 1);
    assert_int_equal (e [4].kind, HB_APPLOG_TIMER);
    assert_int_equal (e [4].sub, 3);
    assert_int_equal (e [4].t, 102);
    assert_int_equal (e [5].kind, HB_APPLOG_IN);
    assert_int_equal (e [5].key, 0);
    assert_int_equal (e [5].seq, 2);
    assert_int_equal (e [5].status, 1);
    assert_int_equal (e [6].kind, HB_APPLOG_BLOB);
    assert_int_equal (e [6].sub, 2);
    assert_int_equal (e [6].size, 3);
    assert_memory_equal (e [6].data, "abc", 3);
    assert_int_equal (e [7].kind, HB_APPLOG_BLOB);
    assert_int_equal (e [7].size, 0);
    assert_int_equal (e [8].kind, HB_APPLOG_KEY);
    assert_int_equal (e [8].key, 2);
    assert_int_equal (e [8].epoch, 6);
    assert_int_equal (e [9].key, 2);
    assert_int_equal (e [9].status, 2);
    assert_int_equal (e [9].t, 106);
    hb_applog_destroy (&log);
    assert_null (log);
    free (sink);
}

//  Many entries: batches split between entries, never inside one, and
//  each batch's first counts the entries before it
static void
test_batches (void **state)
{
    (void) state;
    s_sink_t *sink = calloc (1, sizeof *sink);
    hb_applog_t *log = hb_applog_new (s_send, sink);
    for (uint64_t i = 1; i <= 500; i++) {
        hb_env_t env = s_env (i % 2? "feed.a": "feed.b", 1, i);
        assert_int_equal (hb_applog_input (log, i % 3? "tick.a.X": "fill.a.X", &env, 0, (int64_t) i), 0);
    }
    assert_int_equal (hb_applog_flush (log), 0);
    assert_true (sink->n > 1);
    hb_applog_entry_t *e = calloc (1024, sizeof *e);
    int n = s_parse_all (sink, e, 1024);
    //  four keys (2 topics x 2 publishers), each once
    int keys = 0;
    uint64_t seq = 0;
    for (int i = 0; i < n; i++) {
        if (e [i].kind == HB_APPLOG_KEY)
            keys++;
        else {
            assert_int_equal (e [i].kind, HB_APPLOG_IN);
            assert_int_equal (e [i].seq, ++seq);
            assert_int_equal (e [i].t, (int64_t) seq);
        }
    }
    assert_int_equal (keys, 4);
    assert_int_equal (seq, 500);
    assert_int_equal (n, 504);
    free (e);
    hb_applog_destroy (&log);
    free (sink);
}

static void
test_blob_max (void **state)
{
    (void) state;
    s_sink_t *sink = calloc (1, sizeof *sink);
    hb_applog_t *log = hb_applog_new (s_send, sink);
    uint8_t *big = calloc (1, HB_APPLOG_BLOB_MAX + 1);
    for (size_t i = 0; i <= HB_APPLOG_BLOB_MAX; i++)
        big [i] = (uint8_t) i;
    assert_int_equal (hb_applog_blob (log, 1, 5, big, HB_APPLOG_BLOB_MAX + 1), -1);
    assert_int_equal (hb_applog_entries (log), 0);
    assert_int_equal (hb_applog_timer (log, 1, 4), 0);
    //  the largest: the batch before it goes out first
    assert_int_equal (hb_applog_blob (log, 1, 5, big, HB_APPLOG_BLOB_MAX), 0);
    assert_int_equal (sink->n, 1);
    assert_int_equal (hb_applog_flush (log), 0);
    assert_int_equal (sink->n, 2);
    assert_int_equal (sink->batches [1].u.applog.size, HB_APPLOG_DATA_MAX);
    hb_applog_entry_t e [4];
    assert_int_equal (s_parse_all (sink, e, 4), 2);
    assert_int_equal (e [1].size, HB_APPLOG_BLOB_MAX);
    assert_memory_equal (e [1].data, big, HB_APPLOG_BLOB_MAX);
    free (big);
    hb_applog_destroy (&log);
    free (sink);
}

//  A batch that cannot be sent is counted, and the next one's first says
//  that entries are missing (a reader refuses to go on there)
static void
test_send_fails (void **state)
{
    (void) state;
    s_sink_t *sink = calloc (1, sizeof *sink);
    hb_applog_t *log = hb_applog_new (s_send, sink);
    hb_applog_timer (log, 1, 1);
    sink->fail = true;
    assert_int_equal (hb_applog_flush (log), -1);
    assert_int_equal (hb_applog_errors (log), 1);
    hb_applog_timer (log, 1, 2);
    assert_int_equal (hb_applog_flush (log), 0);
    assert_int_equal (sink->n, 1);
    assert_int_equal (sink->batches [0].u.applog.first, 1);
    hb_applog_destroy (&log);
    free (sink);
}

static void
test_garbage (void **state)
{
    (void) state;
    hb_applog_msg_t batch;
    memset (&batch, 0, sizeof batch);
    hb_applog_entry_t entry;
    size_t offset = 0;
    assert_int_equal (hb_applog_parse (&batch, &offset, &entry), 0);    //  empty: the end
    //  no such kind
    batch.data [0] = 9;
    batch.size = 16;
    offset = 0;
    assert_int_equal (hb_applog_parse (&batch, &offset, &entry), -1);
    //  an IN cut short
    batch.data [0] = HB_APPLOG_IN;
    batch.size = 10;
    offset = 0;
    assert_int_equal (hb_applog_parse (&batch, &offset, &entry), -1);
    //  a KEY with a topic longer than the batch
    uint8_t key [] = { HB_APPLOG_KEY, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 200, 'a' };
    memcpy (batch.data, key, sizeof key);
    batch.size = sizeof key;
    offset = 0;
    assert_int_equal (hb_applog_parse (&batch, &offset, &entry), -1);
    //  a BLOB whose length runs past the batch
    uint8_t blob [] = { HB_APPLOG_BLOB, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0x07, 'x' };
    memcpy (batch.data, blob, sizeof blob);
    batch.size = sizeof blob;
    offset = 0;
    assert_int_equal (hb_applog_parse (&batch, &offset, &entry), -1);
    //  random bytes: never crashes, never reads past size
    srand (15);
    for (int round = 0; round < 2000; round++) {
        batch.size = (uint16_t) (1 + rand () % 64);
        for (int i = 0; i < batch.size; i++)
            batch.data [i] = (uint8_t) rand ();
        offset = 0;
        int rc;
        while ((rc = hb_applog_parse (&batch, &offset, &entry)) == 1)
            assert_true (offset <= batch.size);
        assert_true (rc == 0 || rc == -1);
    }
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_round_trip),
        cmocka_unit_test (test_batches),
        cmocka_unit_test (test_blob_max),
        cmocka_unit_test (test_send_fails),
        cmocka_unit_test (test_garbage),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
