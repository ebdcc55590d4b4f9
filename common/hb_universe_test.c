/*  hb_universe tests: listings add, replace and delistings remove, per
    (venue, symbol); a fetch takes a feed's reply (a ROUTER played by an
    actor here) and refuses one whose count is wrong, keeping what came;
    an endpoint that never answers is an error after the timeout.        */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <czmq.h>
#include <unistd.h>
#include "hb_universe.h"

static void
s_instrument (hb_instrument_t *ins, const char *venue, const char *symbol, double strike)
{
    memset (ins, 0, sizeof *ins);
    snprintf (ins->venue, HB_NAME_MAX, "%s", venue);
    snprintf (ins->symbol, HB_NAME_MAX, "%s", symbol);
    snprintf (ins->asset, HB_NAME_MAX, "BTC");
    snprintf (ins->settle, HB_NAME_MAX, "BTC");
    ins->kind = 5;
    ins->flags = HB_INSTRUMENT_CALL;
    ins->multiplier = 1;
    ins->tick_size = 0.0005;
    ins->lot_size = ins->min_qty = 0.1;
    ins->expiry_ns = 1774598400000000000ll;
    ins->strike = strike;
}

static void
test_apply (void **state)
{
    (void) state;
    hb_universe_t *u = hb_universe_new ();
    assert_non_null (u);
    hb_instrument_t ins;
    s_instrument (&ins, "gamma", "BTC-27MAR26-80000-C", 80000);
    assert_int_equal (hb_universe_apply (u, &ins), HB_UNIVERSE_ADDED);
    assert_int_equal (hb_universe_apply (u, &ins), HB_UNIVERSE_SAME);
    s_instrument (&ins, "delta", "BTC-27MAR26-80000-C", 80000);
    assert_int_equal (hb_universe_apply (u, &ins), HB_UNIVERSE_ADDED);
    ins.tick_size = 0.001;
    assert_int_equal (hb_universe_apply (u, &ins), HB_UNIVERSE_CHANGED);
    assert_true (hb_universe_find (u, "delta", "BTC-27MAR26-80000-C")->tick_size == 0.001);
    assert_int_equal (hb_universe_size (u), 2);
    assert_int_equal (hb_universe_count (u, "gamma"), 1);
    assert_int_equal (hb_universe_count (u, "omega"), 0);
    ins.flags |= HB_INSTRUMENT_DELISTED;
    assert_int_equal (hb_universe_apply (u, &ins), HB_UNIVERSE_REMOVED);
    assert_int_equal (hb_universe_apply (u, &ins), HB_UNIVERSE_UNKNOWN);
    assert_null (hb_universe_find (u, "delta", "BTC-27MAR26-80000-C"));
    assert_non_null (hb_universe_find (u, "gamma", "BTC-27MAR26-80000-C"));
    assert_null (hb_universe_find (u, NULL, "x"));
    hb_universe_stats_t stats;
    hb_universe_stats (u, &stats);
    assert_int_equal (stats.added, 2);
    assert_int_equal (stats.removed, 1);
    hb_universe_destroy (&u);
    assert_null (u);
    hb_universe_destroy (&u);
}

//  A feed's replay ROUTER: answers each request with n instruments and a
//  snapshot.end counting claimed of them
static void
s_feed (zsock_t *pipe, void *arg)
{
    const char *endpoint = (const char *) arg;
    zsock_t *router = zsock_new_router (endpoint);
    assert (router);
    zsock_signal (pipe, 0);
    int claimed [] = { 3, 4 };      //  the second reply lies about its count
    for (int r = 0; r < 2; r++) {
        zpoller_t *poller = zpoller_new (router, pipe, NULL);
        void *which = zpoller_wait (poller, -1);
        zpoller_destroy (&poller);
        if (which != router)
            break;
        zmsg_t *request = zmsg_recv (router);
        zframe_t *identity = zmsg_pop (request);
        zmsg_destroy (&request);
        zmsg_t *reply = zmsg_new ();
        zmsg_append (reply, &identity);
        zmsg_addmem (reply, NULL, 0);
        hb_msg_t msg;
        hb_buf_t buf;
        for (int i = 0; i < 3; i++) {
            memset (&msg, 0, sizeof msg);
            msg.env.type = HB_MSG_INSTRUMENT;
            snprintf (msg.env.publisher, HB_NAME_MAX, "feed.gamma");
            msg.env.epoch = 1;
            msg.env.seq = (uint64_t) i + 1;
            char symbol [HB_NAME_MAX];
            snprintf (symbol, sizeof symbol, "BTC-27MAR26-%d-C", 60000 + 10000 * i + r);
            s_instrument (&msg.u.instrument, "gamma", symbol, 60000 + 10000 * i + r);
            assert (hb_msg_encode (&msg, &buf) == 0);
            zmsg_addstr (reply, "instrument.gamma");
            zmsg_addmem (reply, buf.data, buf.size);
        }
        memset (&msg, 0, sizeof msg);
        msg.env.type = HB_MSG_SNAPSHOT_END;
        snprintf (msg.env.publisher, HB_NAME_MAX, "feed.gamma");
        msg.env.epoch = 1;
        msg.env.seq = 4;
        msg.u.snapshot_end.count = (uint64_t) claimed [r];
        assert (hb_msg_encode (&msg, &buf) == 0);
        zmsg_addstr (reply, "snapshot.end");
        zmsg_addmem (reply, buf.data, buf.size);
        zmsg_send (&reply, router);
    }
    zsock_destroy (&router);
    //  until the pipe says $TERM
    char *command = zstr_recv (pipe);
    zstr_free (&command);
}

static void
test_fetch (void **state)
{
    (void) state;
    char endpoint [64];
    snprintf (endpoint, sizeof endpoint, "ipc:///tmp/hb-universe-test-%d", (int) getpid ());
    zactor_t *feed = zactor_new (s_feed, endpoint);
    assert_non_null (feed);
    hb_universe_t *u = hb_universe_new ();
    assert_int_equal (hb_universe_fetch (u, endpoint, 5000), 3);
    assert_int_equal (hb_universe_count (u, "gamma"), 3);
    assert_non_null (hb_universe_find (u, "gamma", "BTC-27MAR26-70000-C"));
    //  a reply whose count disagrees is refused; what it held is kept
    assert_int_equal (hb_universe_fetch (u, endpoint, 5000), -1);
    assert_int_equal (hb_universe_count (u, "gamma"), 6);
    hb_universe_stats_t stats;
    hb_universe_stats (u, &stats);
    assert_int_equal (stats.fetched, 6);
    assert_int_equal (stats.fetch_errors, 1);
    zactor_destroy (&feed);
    unlink (endpoint + strlen ("ipc://"));
    //  nobody there: an error after the timeout
    assert_int_equal (hb_universe_fetch (u, endpoint, 100), -1);
    hb_universe_destroy (&u);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_apply),
        cmocka_unit_test (test_fetch),
    };
    return cmocka_run_group_tests_name ("hb_universe", tests, NULL, NULL);
}
