/*  hb_refill tests, against a stub feed: a ROUTER on the same zloop that
    answers fill replay requests as hb-feed does (or not at all). Checks
    that the fills of a reply reach the callback, that an ask while a
    request is out is sent after the reply, that a silent feed is counted
    as a timeout and asked again, and that a fill of another venue is
    refused. The loop runs for a bounded time; no timing is asserted.      */
#include "hb_refill.h"
#include "hb_log.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

typedef struct {
    hb_config_t *cfg;
    zloop_t     *loop;
    zsock_t     *feed;              //  the stub's ROUTER
    hb_refill_t *refill;
    bool         silent;            //  the stub does not answer
    const char  *venue;             //  venue written into the stub's fills
    int          requests;          //  requests the stub received
    int          n_fills;           //  fills the stub serves
    int          taken;             //  fills the callback got
    char         last [HB_ID_MAX];
    int          stop_after;        //  stop the loop once taken reaches this
} s_fixture_t;

static int
s_on_fill (void *arg, int venue, const hb_fill_t *fill)
{
    s_fixture_t *fx = (s_fixture_t *) arg;
    assert_int_equal (venue, 0);
    fx->taken++;
    snprintf (fx->last, sizeof fx->last, "%s", fill->fill_id);
    return 0;
}

static void
s_add (zmsg_t *reply, hb_msg_t *msg)
{
    char topic [HB_TOPIC_MAX];
    hb_buf_t buf;
    assert_true (hb_msg_topic (msg, topic) > 0);
    assert_int_equal (hb_msg_encode (msg, &buf), 0);
    zmsg_addstr (reply, topic);
    zmsg_addmem (reply, buf.data, buf.size);
}

static int
s_on_request (zloop_t *loop, zsock_t *reader, void *arg)
{
    (void) loop;
    s_fixture_t *fx = (s_fixture_t *) arg;
    zmsg_t *request = zmsg_recv (reader);
    assert_non_null (request);
    assert_int_equal (zmsg_size (request), 3);
    zframe_t *identity = zmsg_pop (request);
    zframe_t *empty = zmsg_pop (request);
    assert_int_equal (zframe_size (empty), 0);
    char *since = zmsg_popstr (request);
    assert_string_equal (since, "0");
    zstr_free (&since);
    zmsg_destroy (&request);
    fx->requests++;
    if (fx->silent) {
        zframe_destroy (&identity);
        zframe_destroy (&empty);
        return 0;
    }
    zmsg_t *reply = zmsg_new ();
    zmsg_append (reply, &identity);
    zmsg_append (reply, &empty);
    hb_msg_t msg;
    for (int n = 0; n < fx->n_fills; n++) {
        memset (&msg, 0, sizeof msg);
        msg.env.type = HB_MSG_FILL;
        snprintf (msg.env.publisher, sizeof msg.env.publisher, "feed.ex");
        msg.env.epoch = 1;
        msg.env.seq = (uint64_t) n;
        hb_fill_t *fill = &msg.u.fill;
        snprintf (fill->venue, sizeof fill->venue, "%s", fx->venue);
        snprintf (fill->symbol, sizeof fill->symbol, "BTC-USD");
        snprintf (fill->order_id, sizeof fill->order_id, "o-%d", n);
        snprintf (fill->client_id, sizeof fill->client_id, "c-%d", n);
        snprintf (fill->fill_id, sizeof fill->fill_id, "f-%d", n);
        snprintf (fill->fee_asset, sizeof fill->fee_asset, "USD");
        fill->side = HB_SIDE_BUY;
        fill->liquidity = 2;
        fill->px = 65000;
        fill->qty = 0.01;
        s_add (reply, &msg);
    }
    memset (&msg, 0, sizeof msg);
    msg.env.type = HB_MSG_SNAPSHOT_END;
    snprintf (msg.env.publisher, sizeof msg.env.publisher, "feed.ex");
    msg.env.epoch = 1;
    msg.env.seq = (uint64_t) fx->n_fills;
    msg.u.snapshot_end.count = (uint64_t) fx->n_fills;
    s_add (reply, &msg);
    assert_int_equal (zmsg_send (&reply, reader), 0);
    return 0;
}

static int
s_on_deadline (zloop_t *loop, int timer_id, void *arg)
{
    (void) loop;
    (void) timer_id;
    (void) arg;
    return -1;
}

static int
s_on_check (zloop_t *loop, int timer_id, void *arg)
{
    (void) loop;
    (void) timer_id;
    s_fixture_t *fx = (s_fixture_t *) arg;
    return fx->stop_after > 0 && fx->taken >= fx->stop_after ? -1 : 0;
}

//  Runs the loop until stop_after fills were taken or ms passed.
static void
s_run (s_fixture_t *fx, int ms)
{
    int deadline = zloop_timer (fx->loop, (size_t) ms, 1, s_on_deadline, fx);
    int check = zloop_timer (fx->loop, 10, 0, s_on_check, fx);
    zloop_start (fx->loop);
    zloop_timer_end (fx->loop, deadline);
    zloop_timer_end (fx->loop, check);
}

static s_fixture_t *
s_setup (int timeout_ms, int retry_ms)
{
    hb_log_init ("test", HB_LOG_ERROR);
    s_fixture_t *fx = (s_fixture_t *) calloc (1, sizeof *fx);
    assert_non_null (fx);
    fx->cfg = (hb_config_t *) calloc (1, sizeof *fx->cfg);
    assert_non_null (fx->cfg);
    fx->cfg->n_venues = 2;
    snprintf (fx->cfg->venues [0].name, HB_NAME_MAX, "ex");
    fx->cfg->venues [0].enabled = true;
    snprintf (fx->cfg->venues [0].replay_endpoint, HB_ENDPOINT_MAX,
              "ipc:///tmp/hb-refill-test-%d.replay", (int) getpid ());
    //  a venue without replay socket is simply never asked
    snprintf (fx->cfg->venues [1].name, HB_NAME_MAX, "quiet");
    fx->cfg->venues [1].enabled = true;
    fx->venue = "ex";
    fx->loop = zloop_new ();
    fx->feed = zsock_new (ZMQ_ROUTER);
    assert_non_null (fx->loop);
    assert_non_null (fx->feed);
    assert_true (zsock_bind (fx->feed, "%s", fx->cfg->venues [0].replay_endpoint) >= 0);
    assert_int_equal (zloop_reader (fx->loop, fx->feed, s_on_request, fx), 0);
    fx->refill = hb_refill_new (fx->cfg, fx->loop, timeout_ms, retry_ms, s_on_fill, fx);
    assert_non_null (fx->refill);
    return fx;
}

static void
s_teardown (s_fixture_t *fx)
{
    hb_refill_destroy (&fx->refill);
    assert_null (fx->refill);
    hb_refill_destroy (&fx->refill);
    zloop_destroy (&fx->loop);
    zsock_destroy (&fx->feed);
    unlink (fx->cfg->venues [0].replay_endpoint + strlen ("ipc://"));
    hb_config_destroy (&fx->cfg);
    free (fx);
}

static void
test_reply_reaches_callback (void **state)
{
    (void) state;
    s_fixture_t *fx = s_setup (5000, 100);
    fx->n_fills = 3;
    hb_refill_ask (fx->refill, 1);              //  no replay socket: nothing
    assert_false (hb_refill_busy (fx->refill, 1));
    hb_refill_ask (fx->refill, 0);
    hb_refill_ask (fx->refill, 0);              //  out already: after the reply
    assert_true (hb_refill_busy (fx->refill, 0));
    fx->stop_after = 6;
    s_run (fx, 10000);
    assert_int_equal (fx->taken, 6);
    assert_string_equal (fx->last, "f-2");
    assert_int_equal (fx->requests, 2);
    hb_refill_stats_t stats;
    hb_refill_stats (fx->refill, &stats);
    assert_int_equal (stats.requests, 2);
    assert_int_equal (stats.replies, 2);
    assert_int_equal (stats.fills, 6);
    assert_int_equal (stats.timeouts, 0);
    assert_int_equal (stats.errors, 0);
    assert_false (hb_refill_busy (fx->refill, 0));
    s_teardown (fx);
}

static void
test_silent_feed_is_asked_again (void **state)
{
    (void) state;
    s_fixture_t *fx = s_setup (100, 50);
    fx->n_fills = 1;
    fx->silent = true;
    hb_refill_ask (fx->refill, 0);
    //  until the request was repeated at least once
    for (int i = 0; i < 200 && fx->requests < 2; i++)
        s_run (fx, 50);
    assert_true (fx->requests >= 2);
    hb_refill_stats_t stats;
    hb_refill_stats (fx->refill, &stats);
    assert_true (stats.timeouts >= 1);
    assert_int_equal (fx->taken, 0);
    //  the feed comes back: the next retry is answered
    fx->silent = false;
    fx->stop_after = 1;
    s_run (fx, 10000);
    assert_int_equal (fx->taken, 1);
    assert_string_equal (fx->last, "f-0");
    s_teardown (fx);
}

static void
test_foreign_fill_refused (void **state)
{
    (void) state;
    s_fixture_t *fx = s_setup (5000, 60000);
    fx->n_fills = 2;
    fx->venue = "other";
    hb_refill_ask (fx->refill, 0);
    hb_refill_stats_t stats;
    for (int i = 0; i < 200; i++) {
        s_run (fx, 50);
        hb_refill_stats (fx->refill, &stats);
        if (stats.errors > 0)
            break;
    }
    assert_int_equal (stats.errors, 1);
    assert_int_equal (stats.replies, 0);
    assert_int_equal (fx->taken, 0);
    assert_true (hb_refill_busy (fx->refill, 0));      //  asked again after retry_ms
    s_teardown (fx);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_reply_reaches_callback),
        cmocka_unit_test (test_silent_feed_is_asked_again),
        cmocka_unit_test (test_foreign_fill_refused),
    };
    return cmocka_run_group_tests_name ("hb_refill", tests, NULL, NULL);
}
