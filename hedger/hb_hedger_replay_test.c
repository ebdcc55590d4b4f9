/*  hb_hedger_replay tests: a live-shell-like run (every input recorded in
    the application log, then applied, at one clock reading; the log
    flushed before every send; two lives, the second restored from the
    first one's journal, with the kill file set and cleared on the way),
    written to a recording as hb-record would have it; hb-hedger --replay's
    path applies it to fresh engines, and what they send must equal what
    the live engines sent, body for body. A log with two inputs swapped
    must not.                                                              */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "hb_applog.h"
#include "hb_hedger.h"
#include "hb_hedger_testing.h"
#include "hb_hedger_apply.h"
#include "hb_hedger_replay.h"
#include "hb_killswitch.h"
#include "hb_recording.h"
#include "hb_recording_reader.h"

#define S_MS        1000000LL
#define T0          (1800000000LL * 1000 * S_MS)
#define S_SENT_MAX  64
#define S_BATCH_MAX 64
#define S_IN_MAX    64

typedef struct {
    char      topic [HB_TOPIC_MAX];
    hb_msg_t  msg;
} s_out_t;

typedef struct {
    hb_config_t    *cfg;
    char            dir [64], rec [96], rec2 [96], out [96], out2 [96];
    hb_applog_t    *log;
    hb_hedger_t    *hedger;
    uint64_t        epoch;          //  of the live life
    int64_t         t;              //  the clock of the input being applied
    uint64_t        batch_seq, feed_seq;
    hb_killswitch_look_t look;      //  the kill file as last logged
    //  what the live engines sent, and what went into the recording
    s_out_t         sent [S_SENT_MAX];
    int             n_sent;
    hb_msg_t        batches [S_BATCH_MAX];
    int             n_batches;
    s_out_t         inputs [S_IN_MAX];
    int             n_inputs;
} s_fx_t;

//  The log's batches, stamped as the hedger's publisher would
static int
s_log_send (hb_msg_t *msg, void *arg)
{
    s_fx_t *fx = (s_fx_t *) arg;
    assert_true (fx->n_batches < S_BATCH_MAX);
    msg->env.version = HB_SCHEMA_VERSION;
    strcpy (msg->env.publisher, "hedger");
    msg->env.epoch = fx->epoch;
    msg->env.seq = ++fx->batch_seq;
    msg->env.ts_pub = fx->t;
    fx->batches [fx->n_batches++] = *msg;
    return 0;
}

//  The engine's sends: the log first, as hb_hedger_live does
static int
s_send (const char *topic, hb_msg_t *msg, void *arg)
{
    s_fx_t *fx = (s_fx_t *) arg;
    hb_applog_flush (fx->log);
    assert_true (fx->n_sent < S_SENT_MAX);
    snprintf (fx->sent [fx->n_sent].topic, HB_TOPIC_MAX, "%s", topic);
    fx->sent [fx->n_sent++].msg = *msg;
    return 0;
}

static void
s_restore (int kind, const void *data, size_t size, void *arg)
{
    s_fx_t *fx = (s_fx_t *) arg;
    assert_int_equal (hb_applog_blob (fx->log, (uint8_t) kind, fx->t, data, size), 0);
    if (kind == HB_HEDGER_RESTORE_KILL)
        assert_int_equal (hb_killswitch_look_decode (data, size, &fx->look), 0);
}

//  A new life of the live process at t: a new log, the engine built on
//  the journal as it is
static void
s_life (s_fx_t *fx, uint64_t epoch, int64_t t)
{
    if (fx->hedger) {
        hb_hedger_destroy (&fx->hedger);
        hb_applog_flush (fx->log);
        hb_applog_destroy (&fx->log);
    }
    fx->epoch = epoch;
    fx->batch_seq = 0;
    fx->t = t;
    fx->log = hb_applog_new (s_log_send, fx);
    fx->hedger = hb_hedger_new_observed (fx->cfg, s_send, fx, t, s_restore, fx);
    assert_non_null (fx->hedger);
    hb_hedger_kill_look (fx->hedger, &fx->look);
    hb_applog_timer (fx->log, HB_HEDGER_TIMER_START, t);
    hb_hedger_apply_timer (fx->hedger, HB_HEDGER_TIMER_START, t);
}

//  The live shell's look at the kill file: logged when it changed
static void
s_look (s_fx_t *fx)
{
    hb_killswitch_look_t look;
    hb_killswitch_look (fx->cfg->hedger.kill_file, true, &look);
    if (look.present == fx->look.present)
        return;
    uint8_t bytes [HB_KILLSWITCH_LOOK_SIZE];
    hb_killswitch_look_encode (&look, bytes);
    hb_applog_blob (fx->log, HB_HEDGER_BLOB_KILL, fx->t, bytes, sizeof bytes);
    assert_int_equal (hb_hedger_apply_blob (fx->hedger, HB_HEDGER_BLOB_KILL, bytes, sizeof bytes), 0);
    fx->look = look;
}

//  One bus input at t: into the recording's inputs, logged, applied
static void
s_input (s_fx_t *fx, const char *topic, hb_msg_t *msg, int64_t t)
{
    fx->t = t;
    msg->env.version = HB_SCHEMA_VERSION;
    msg->env.seq = ++fx->feed_seq;
    msg->env.ts_pub = t - 1 * S_MS;
    assert_true (fx->n_inputs < S_IN_MAX);
    snprintf (fx->inputs [fx->n_inputs].topic, HB_TOPIC_MAX, "%s", topic);
    fx->inputs [fx->n_inputs++].msg = *msg;
    if (msg->env.type == HB_MSG_RISK_HEDGE || msg->env.type == HB_MSG_HEDGER_CONTROL)
        s_look (fx);
    hb_applog_input (fx->log, topic, &msg->env, HB_SEQ_OK, t);
    hb_hedger_apply_input (fx->hedger, msg, HB_SEQ_OK, t);
}

static void
s_timer (s_fx_t *fx, int64_t t)
{
    fx->t = t;
    s_look (fx);
    hb_applog_timer (fx->log, HB_HEDGER_TIMER_TIMEOUTS, t);
    hb_hedger_apply_timer (fx->hedger, HB_HEDGER_TIMER_TIMEOUTS, t);
}

static void
s_tick (s_fx_t *fx, const char *venue, double qty, int64_t t)
{
    hb_msg_t msg;
    memset (&msg, 0, sizeof msg);
    msg.env.type = HB_MSG_TICK;
    snprintf (msg.env.publisher, sizeof msg.env.publisher, "feed.%s", venue);
    msg.env.epoch = 1;
    hb_tick_t *tick = &msg.u.tick;
    strcpy (tick->venue, venue);
    strcpy (tick->symbol, "BTC-PERP");
    tick->n_bids = tick->n_asks = 1;
    tick->bids [0] = (hb_level_t) { 65000, qty };
    tick->asks [0] = (hb_level_t) { 65001, qty };
    char topic [HB_TOPIC_MAX];
    snprintf (topic, sizeof topic, "tick.%s.BTC-PERP", venue);
    s_input (fx, topic, &msg, t);
}

static void
s_request (s_fx_t *fx, const char *id, double qty, int64_t t)
{
    hb_msg_t msg;
    hb_hedger_testing_request (&msg, id, qty);
    msg.env.epoch = 1;
    msg.env.ts_venue = t - 2 * S_MS;
    s_input (fx, "risk.hedge", &msg, t);
}

static void
s_ack (s_fx_t *fx, const char *venue, const char *client_id, double filled, int64_t t)
{
    hb_msg_t msg;
    memset (&msg, 0, sizeof msg);
    msg.env.type = HB_MSG_ACK;
    snprintf (msg.env.publisher, sizeof msg.env.publisher, "feed.%s", venue);
    msg.env.epoch = 1;
    hb_ack_t *a = &msg.u.ack;
    strcpy (a->venue, venue);
    strcpy (a->symbol, "BTC-PERP");
    strcpy (a->client_id, client_id);
    a->status = HB_ACK_DONE;
    a->filled_qty = filled;
    char topic [HB_TOPIC_MAX];
    snprintf (topic, sizeof topic, "ack.%s.BTC-PERP", venue);
    s_input (fx, topic, &msg, t);
}

static int
s_setup (void **state)
{
    s_fx_t *fx = calloc (1, sizeof *fx);
    assert_non_null (fx);
    strcpy (fx->dir, "/tmp/hb_hedger_replay_test.XXXXXX");
    assert_non_null (mkdtemp (fx->dir));
    snprintf (fx->rec, sizeof fx->rec, "%s/rec", fx->dir);
    snprintf (fx->rec2, sizeof fx->rec2, "%s/rec2", fx->dir);
    snprintf (fx->out, sizeof fx->out, "%s/out", fx->dir);
    snprintf (fx->out2, sizeof fx->out2, "%s/out2", fx->dir);
    hb_config_t *cfg = hb_hedger_testing_config (fx->dir, 300);
    assert_non_null (cfg);
    fx->cfg = cfg;
    *state = fx;
    return 0;
}

static int
s_teardown (void **state)
{
    s_fx_t *fx = *state;
    hb_hedger_destroy (&fx->hedger);
    hb_applog_destroy (&fx->log);
    char cmd [160];
    snprintf (cmd, sizeof cmd, "rm -rf '%s'", fx->dir);
    assert_int_equal (system (cmd), 0);
    hb_config_destroy (&fx->cfg);
    free (fx);
    return 0;
}

//  The live run: two lives, orders, acks, an order in doubt (cancel and
//  hedger.reject), the kill file set and cleared (echoes), a refusal
static void
s_live (s_fx_t *fx)
{
    s_life (fx, 100, T0);
    s_tick (fx, "alpha", 100, T0 + 1 * S_MS);
    s_tick (fx, "beta", 100, T0 + 2 * S_MS);
    s_request (fx, "r0", 10, T0 + 3 * S_MS);                //  10 on beta
    s_ack (fx, "beta", "r0.0", 10, T0 + 4 * S_MS);
    s_tick (fx, "beta", 3, T0 + 5 * S_MS);                  //  swapped with the next in rec2
    s_request (fx, "r1", 15, T0 + 6 * S_MS);                //  5 more: 3 on beta, 2 on alpha
    s_timer (fx, T0 + 400 * S_MS);                          //  r1's legs go in doubt
    hb_hedger_control_t kill = { .command = HB_CONTROL_KILL, .id = "k1", .by = "tester",
                                 .text = "stop" };
    assert_int_equal (hb_killswitch_file_set (fx->cfg->hedger.kill_file, &kill), 0);
    s_timer (fx, T0 + 500 * S_MS);                          //  seen: echo
    s_request (fx, "r2", 20, T0 + 510 * S_MS);              //  refused: killed
    //  a restart under the kill, on a non-empty journal
    s_life (fx, 200, T0 + 600 * S_MS);
    hb_killswitch_file_set (fx->cfg->hedger.kill_file, &(hb_hedger_control_t) {
                                .command = HB_CONTROL_RESET });
    s_timer (fx, T0 + 700 * S_MS);                          //  reset: echo
    s_tick (fx, "alpha", 100, T0 + 701 * S_MS);
    s_tick (fx, "beta", 100, T0 + 702 * S_MS);
    s_request (fx, "r3", 30, T0 + 703 * S_MS);
    hb_hedger_destroy (&fx->hedger);
    hb_applog_flush (fx->log);
}

//  The recording hb-record would have made: the inputs, then the batches
//  (its order does not matter to the reader, which resolves by key)
static void
s_write_recording (s_fx_t *fx, const char *dir)
{
    hb_recording_t *rec = hb_recording_new (dir, NULL);
    assert_non_null (rec);
    static hb_buf_t buf;
    for (int i = 0; i < fx->n_inputs; i++) {
        assert_int_equal (hb_msg_encode (&fx->inputs [i].msg, &buf), 0);
        assert_int_equal (hb_recording_append (rec, T0 + i, fx->inputs [i].topic, buf.data,
                                               buf.size, &fx->inputs [i].msg.env), 0);
    }
    for (int b = 0; b < fx->n_batches; b++) {
        assert_int_equal (hb_msg_encode (&fx->batches [b], &buf), 0);
        assert_int_equal (hb_recording_append (rec, T0 + 1000 + b, "seq.hedger", buf.data,
                                               buf.size, &fx->batches [b].env), 0);
    }
    hb_recording_destroy (&rec);
}

//  A message's body as bytes: the envelope reduced to the type and the
//  engine's own ts_recv (publisher, epoch, seq, ts_pub are the bus's)
static void
s_body (const hb_msg_t *msg, hb_buf_t *buf)
{
    hb_msg_t copy = *msg;
    hb_env_t env = { .version = HB_SCHEMA_VERSION, .type = msg->env.type, .epoch = 1, .seq = 1,
                     .ts_pub = 1, .ts_recv = msg->env.ts_recv };
    strcpy (env.publisher, "hedger");
    copy.env = env;
    assert_int_equal (hb_msg_encode (&copy, buf), 0);
}

//  Messages of the replay in out that differ from the live ones (count or
//  topic or body); -1 when out holds a different number
static int
s_mismatches (s_fx_t *fx, const char *out)
{
    hb_recording_reader_t *reader = hb_recording_reader_new (out);
    assert_non_null (reader);
    static hb_buf_t a, b;
    static hb_msg_t msg;
    hb_record_t record;
    int n = 0, bad = 0;
    while (hb_recording_reader_next (reader, &record) == 1) {
        assert_int_equal (hb_msg_decode (&msg, record.payload, record.size, NULL), 0);
        assert_string_equal (msg.env.publisher, "hedger");
        if (n < fx->n_sent) {
            s_body (&msg, &a);
            s_body (&fx->sent [n].msg, &b);
            if (strcmp (record.topic, fx->sent [n].topic) != 0 || a.size != b.size
            ||  memcmp (a.data, b.data, a.size) != 0)
                bad++;
        }
        n++;
    }
    hb_recording_reader_destroy (&reader);
    return n == fx->n_sent? bad: -1;
}

static int
s_count (s_fx_t *fx, int type)
{
    int n = 0;
    for (int i = 0; i < fx->n_sent; i++)
        n += fx->sent [i].msg.env.type == type;
    return n;
}

static void
test_replay_equal (void **state)
{
    s_fx_t *fx = *state;
    s_live (fx);
    //  what the run must have shown, so an empty replay cannot pass
    assert_true (s_count (fx, HB_MSG_ORDER) >= 4);
    assert_true (s_count (fx, HB_MSG_CANCEL) >= 1);
    assert_true (s_count (fx, HB_MSG_HEDGE_REJECT) >= 2);
    assert_int_equal (s_count (fx, HB_MSG_HEDGER_CONTROL), 3);     //  kill, kill at restart, reset
    s_write_recording (fx, fx->rec);
    hb_hedger_replay_stats_t stats;
    assert_int_equal (hb_hedger_replay_run (fx->cfg, fx->rec, fx->out, &stats), 0);
    assert_int_equal (stats.lives, 2);
    assert_int_equal (stats.sent, (uint64_t) fx->n_sent);
    assert_int_equal (s_mismatches (fx, fx->out), 0);
    //  the live journal and kill file were not touched by the replay
    assert_int_equal (access (fx->cfg->hedger.kill_file, F_OK), -1);
    //  a second replay into the same out is refused
    assert_int_equal (hb_hedger_replay_run (fx->cfg, fx->rec, fx->out, NULL), -1);
}

//  The IN entry whose t is t, in batch: its offset, or -1
static long
s_find_in (const hb_applog_msg_t *batch, int64_t t)
{
    size_t offset = 0, at = 0;
    hb_applog_entry_t entry;
    while (hb_applog_parse (batch, &offset, &entry) == 1) {
        if (entry.kind == HB_APPLOG_IN && entry.t == t)
            return (long) at;
        at = offset;
    }
    return -1;
}

//  The tick that thinned beta's book and the request after it, swapped in
//  the log: the replay is a different run, and the compare says so
static void
test_replay_reordered (void **state)
{
    s_fx_t *fx = *state;
    s_live (fx);
    bool swapped = false;
    for (int b = 0; b < fx->n_batches && !swapped; b++) {
        hb_applog_msg_t *batch = &fx->batches [b].u.applog;
        long tick = s_find_in (batch, T0 + 5 * S_MS), req = s_find_in (batch, T0 + 6 * S_MS);
        if (tick < 0 || req < 0)
            continue;
        uint8_t entry [22];             //  an IN entry: u8 u32 u64 i64 u8
        memcpy (entry, batch->data + tick, sizeof entry);
        memcpy (batch->data + tick, batch->data + req, sizeof entry);
        memcpy (batch->data + req, entry, sizeof entry);
        swapped = true;
    }
    assert_true (swapped);
    s_write_recording (fx, fx->rec2);
    assert_int_equal (hb_hedger_replay_run (fx->cfg, fx->rec2, fx->out2, NULL), 0);
    int bad = s_mismatches (fx, fx->out2);
    assert_true (bad != 0);
}

//  A log with a batch missing cannot be followed: -1, said so
static void
test_replay_hole (void **state)
{
    s_fx_t *fx = *state;
    s_live (fx);
    assert_true (fx->n_batches > 3);
    memmove (&fx->batches [1], &fx->batches [2], (size_t) (fx->n_batches - 2) * sizeof fx->batches [0]);
    fx->n_batches--;
    s_write_recording (fx, fx->rec2);
    assert_int_equal (hb_hedger_replay_run (fx->cfg, fx->rec2, fx->out2, NULL), -1);
}

//  A batch recorded twice (two recordings merged) is read once
static void
test_replay_duplicate (void **state)
{
    s_fx_t *fx = *state;
    s_live (fx);
    assert_true (fx->n_batches > 3 && fx->n_batches < S_BATCH_MAX);
    memmove (&fx->batches [3], &fx->batches [2], (size_t) (fx->n_batches - 2) * sizeof fx->batches [0]);
    fx->n_batches++;
    s_write_recording (fx, fx->rec2);
    assert_int_equal (hb_hedger_replay_run (fx->cfg, fx->rec2, fx->out2, NULL), 0);
    assert_int_equal (s_mismatches (fx, fx->out2), 0);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test_setup_teardown (test_replay_equal, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_replay_reordered, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_replay_hole, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_replay_duplicate, s_setup, s_teardown),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
