/*  hb_seq tests: every status of the (publisher, topic) table. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include "hb_seq.h"

static hb_env_t
s_env (const char *publisher, uint64_t epoch, uint64_t seq)
{
    hb_env_t env;
    memset (&env, 0, sizeof env);
    env.version = HB_SCHEMA_VERSION;
    env.type = HB_MSG_TICK;
    strncpy (env.publisher, publisher, sizeof env.publisher - 1);
    env.epoch = epoch;
    env.seq = seq;
    return env;
}

static hb_seq_status_t
s_check (hb_seq_t *seq, const char *publisher, const char *topic,
         uint64_t epoch, uint64_t n, uint64_t *missed)
{
    hb_env_t env = s_env (publisher, epoch, n);
    return hb_seq_check (seq, topic, &env, missed);
}

static int
s_setup (void **state)
{
    *state = hb_seq_new ();
    return *state ? 0 : -1;
}

static int
s_teardown (void **state)
{
    hb_seq_t *seq = (hb_seq_t *) *state;
    hb_seq_destroy (&seq);
    assert_null (seq);
    hb_seq_destroy (&seq);          //  NULL-safe
    return 0;
}

static void
test_first_then_ok (void **state)
{
    hb_seq_t *seq = (hb_seq_t *) *state;
    uint64_t missed = 99;
    //  Joining late: the first message seen need not be seq 1.
    assert_int_equal (s_check (seq, "feed.a", "tick.a.BTC", 100, 7, &missed), HB_SEQ_FIRST);
    assert_int_equal (missed, 0);
    missed = 99;
    assert_int_equal (s_check (seq, "feed.a", "tick.a.BTC", 100, 8, &missed), HB_SEQ_OK);
    assert_int_equal (missed, 0);
    assert_int_equal (s_check (seq, "feed.a", "tick.a.BTC", 100, 9, NULL), HB_SEQ_OK);
}

static void
test_gap_count (void **state)
{
    hb_seq_t *seq = (hb_seq_t *) *state;
    uint64_t missed = 0;
    assert_int_equal (s_check (seq, "feed.a", "fill.a", 100, 1, &missed), HB_SEQ_FIRST);
    assert_int_equal (s_check (seq, "feed.a", "fill.a", 100, 2, &missed), HB_SEQ_OK);
    assert_int_equal (s_check (seq, "feed.a", "fill.a", 100, 7, &missed), HB_SEQ_GAP);
    assert_int_equal (missed, 4);                   //  3, 4, 5, 6
    //  the gap moved the expectation forward
    assert_int_equal (s_check (seq, "feed.a", "fill.a", 100, 8, &missed), HB_SEQ_OK);
    assert_int_equal (missed, 0);
    assert_int_equal (s_check (seq, "feed.a", "fill.a", 100, 10, &missed), HB_SEQ_GAP);
    assert_int_equal (missed, 1);
}

static void
test_restart (void **state)
{
    hb_seq_t *seq = (hb_seq_t *) *state;
    uint64_t missed = 99;
    assert_int_equal (s_check (seq, "feed.a", "tick.a.BTC", 100, 50, &missed), HB_SEQ_FIRST);
    assert_int_equal (s_check (seq, "feed.a", "tick.a.BTC", 200, 1, &missed), HB_SEQ_RESTART);
    assert_int_equal (missed, 0);
    //  the new epoch is now the reference
    assert_int_equal (s_check (seq, "feed.a", "tick.a.BTC", 200, 2, &missed), HB_SEQ_OK);
    assert_int_equal (s_check (seq, "feed.a", "tick.a.BTC", 200, 4, &missed), HB_SEQ_GAP);
    assert_int_equal (missed, 1);
}

static void
test_stale_duplicate_and_older (void **state)
{
    hb_seq_t *seq = (hb_seq_t *) *state;
    uint64_t missed = 99;
    assert_int_equal (s_check (seq, "feed.a", "ack.a", 100, 5, &missed), HB_SEQ_FIRST);
    assert_int_equal (s_check (seq, "feed.a", "ack.a", 100, 5, &missed), HB_SEQ_STALE);
    assert_int_equal (missed, 0);
    assert_int_equal (s_check (seq, "feed.a", "ack.a", 100, 3, &missed), HB_SEQ_STALE);
    //  a stale message is not recorded: 6 is still the next one
    assert_int_equal (s_check (seq, "feed.a", "ack.a", 100, 6, &missed), HB_SEQ_OK);
}

static void
test_stale_old_epoch (void **state)
{
    hb_seq_t *seq = (hb_seq_t *) *state;
    uint64_t missed = 99;
    assert_int_equal (s_check (seq, "feed.a", "tick.a.ETH", 200, 10, &missed), HB_SEQ_FIRST);
    //  a late message from the previous life, even with a higher seq
    assert_int_equal (s_check (seq, "feed.a", "tick.a.ETH", 100, 500, &missed), HB_SEQ_STALE);
    assert_int_equal (missed, 0);
    assert_int_equal (s_check (seq, "feed.a", "tick.a.ETH", 200, 11, &missed), HB_SEQ_OK);
}

static void
test_topics_independent (void **state)
{
    hb_seq_t *seq = (hb_seq_t *) *state;
    uint64_t missed = 0;
    assert_int_equal (s_check (seq, "feed.a", "tick.a.BTC", 100, 1, &missed), HB_SEQ_FIRST);
    assert_int_equal (s_check (seq, "feed.a", "tick.a.ETH", 100, 1, &missed), HB_SEQ_FIRST);
    assert_int_equal (s_check (seq, "feed.a", "tick.a.BTC", 100, 2, &missed), HB_SEQ_OK);
    assert_int_equal (s_check (seq, "feed.a", "tick.a.ETH", 100, 2, &missed), HB_SEQ_OK);
    assert_int_equal (s_check (seq, "feed.a", "tick.a.ETH", 100, 5, &missed), HB_SEQ_GAP);
    assert_int_equal (missed, 2);
    //  the gap on ETH says nothing about BTC
    assert_int_equal (s_check (seq, "feed.a", "tick.a.BTC", 100, 3, &missed), HB_SEQ_OK);
}

static void
test_two_publishers (void **state)
{
    hb_seq_t *seq = (hb_seq_t *) *state;
    uint64_t missed = 0;
    assert_int_equal (s_check (seq, "feed.a", "hb.x", 100, 1, &missed), HB_SEQ_FIRST);
    assert_int_equal (s_check (seq, "feed.b", "hb.x", 300, 9, &missed), HB_SEQ_FIRST);
    assert_int_equal (s_check (seq, "feed.a", "hb.x", 100, 2, &missed), HB_SEQ_OK);
    assert_int_equal (s_check (seq, "feed.b", "hb.x", 300, 10, &missed), HB_SEQ_OK);
    //  b's older epoch is stale for b, and says nothing about a
    assert_int_equal (s_check (seq, "feed.b", "hb.x", 100, 3, &missed), HB_SEQ_STALE);
    assert_int_equal (s_check (seq, "feed.a", "hb.x", 100, 3, &missed), HB_SEQ_OK);
    //  keys that would collide if publisher and topic were just concatenated
    assert_int_equal (s_check (seq, "ab", "c", 1, 1, &missed), HB_SEQ_FIRST);
    assert_int_equal (s_check (seq, "a", "bc", 1, 5, &missed), HB_SEQ_FIRST);
    assert_int_equal (s_check (seq, "ab", "c", 1, 2, &missed), HB_SEQ_OK);
}

static void
test_reset (void **state)
{
    hb_seq_t *seq = (hb_seq_t *) *state;
    uint64_t missed = 0;
    assert_int_equal (s_check (seq, "feed.a", "tick.a.BTC", 100, 1, &missed), HB_SEQ_FIRST);
    hb_seq_reset (seq);
    assert_int_equal (s_check (seq, "feed.a", "tick.a.BTC", 100, 9, &missed), HB_SEQ_FIRST);
    assert_int_equal (missed, 0);
}

//  Many keys: the table grows and still finds every one of them.
static void
test_many_keys (void **state)
{
    hb_seq_t *seq = (hb_seq_t *) *state;
    char topic [32];
    for (int round = 1; round <= 3; round++)
        for (int i = 0; i < 2000; i++) {
            snprintf (topic, sizeof topic, "tick.v.S%d", i);
            assert_int_equal (s_check (seq, "feed.a", topic, 100, (uint64_t) round, NULL),
                              round == 1 ? HB_SEQ_FIRST : HB_SEQ_OK);
        }
}

static void
test_status_names (void **state)
{
    (void) state;
    assert_string_equal (hb_seq_status_name (HB_SEQ_OK), "ok");
    assert_string_equal (hb_seq_status_name (HB_SEQ_FIRST), "first");
    assert_string_equal (hb_seq_status_name (HB_SEQ_GAP), "gap");
    assert_string_equal (hb_seq_status_name (HB_SEQ_RESTART), "restart");
    assert_string_equal (hb_seq_status_name (HB_SEQ_STALE), "stale");
    assert_string_equal (hb_seq_status_name ((hb_seq_status_t) 42), "unknown");
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test_setup_teardown (test_first_then_ok, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_gap_count, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_restart, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_stale_duplicate_and_older, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_stale_old_epoch, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_topics_independent, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_two_publishers, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_reset, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_many_keys, s_setup, s_teardown),
        cmocka_unit_test (test_status_names),
    };
    return cmocka_run_group_tests_name ("hb_seq", tests, NULL, NULL);
}
