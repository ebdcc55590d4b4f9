/*  hb_heartbeat tests: the common part of a heartbeat. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <unistd.h>
#include "hb_heartbeat.h"
#include "hb_time.h"

static void
test_without_bus (void **state)
{
    (void) state;
    hb_msg_t msg;
    memset (&msg, 0xab, sizeof msg);            //  begin must clear what it does not set
    int64_t started = hb_mono_ns () - 2500 * HB_NS_PER_MS;
    hb_heartbeat_begin (&msg, "aggregator", started, NULL, NULL);
    assert_int_equal (msg.env.type, HB_MSG_HEARTBEAT);
    assert_true (msg.env.ts_recv > 0);
    assert_string_equal (msg.u.heartbeat.component, "aggregator");
    assert_true (msg.u.heartbeat.uptime_ms >= 2500 && msg.u.heartbeat.uptime_ms < 60000);
    assert_int_equal (msg.u.heartbeat.msgs_out, 0);
    assert_int_equal (msg.u.heartbeat.gaps, 0);
    assert_int_equal (msg.u.heartbeat.status, 0);
    assert_int_equal (msg.env.seq, 0);
}

//  The publisher's count of sent messages goes out as msgs_out, and the
//  message encodes (every field valid).
static void
test_with_publisher (void **state)
{
    (void) state;
    char endpoint [128];
    snprintf (endpoint, sizeof endpoint, "ipc:///tmp/hb-heartbeat-test-%d/pub.ipc", (int) getpid ());
    hb_pub_t *pub = hb_pub_new (endpoint, "risk", 0);
    assert_non_null (pub);
    hb_msg_t msg;
    for (int i = 0; i < 3; i++) {
        hb_heartbeat_begin (&msg, "risk", hb_mono_ns (), pub, NULL);
        assert_int_equal (msg.u.heartbeat.msgs_out, (uint64_t) i);
        assert_int_equal (hb_pub_send (pub, NULL, &msg), 0);
    }
    hb_buf_t buf;
    assert_int_equal (hb_msg_encode (&msg, &buf), 0);
    hb_pub_destroy (&pub);
    char dir [128];
    snprintf (dir, sizeof dir, "/tmp/hb-heartbeat-test-%d", (int) getpid ());
    unlink (endpoint + 6);
    rmdir (dir);
}

//  The subscriber's bus latency goes out as lat_p50/p99/p999 (ordered,
//  non-zero once messages came), and each heartbeat covers its own interval.
static void
test_latency_from_subscriber (void **state)
{
    (void) state;
    char dir [128], endpoint [160];
    snprintf (dir, sizeof dir, "/tmp/hb-heartbeat-test-lat-%d", (int) getpid ());
    snprintf (endpoint, sizeof endpoint, "ipc://%s/pub.ipc", dir);
    hb_pub_t *pub = hb_pub_new (endpoint, "risk", 0);
    hb_sub_t *sub = hb_sub_new (0);
    assert_non_null (pub);
    assert_non_null (sub);
    assert_int_equal (hb_sub_connect (sub, endpoint), 0);
    assert_int_equal (hb_sub_subscribe (sub, ""), 0);
    assert_int_equal (hb_pub_wait_subscriber (pub, "hb.risk", 5000), 0);

    hb_msg_t msg, in;
    hb_heartbeat_begin (&msg, "risk", hb_mono_ns (), pub, sub);
    assert_int_equal (msg.u.heartbeat.lat_p50_ns, 0);       //  nothing came yet
    for (int i = 0; i < 50; i++) {
        hb_heartbeat_begin (&msg, "risk", hb_mono_ns (), pub, NULL);
        assert_int_equal (hb_pub_send (pub, NULL, &msg), 0);
        assert_int_equal (hb_sub_recv (sub, NULL, 0, &in, NULL, 5000), 0);
    }
    hb_heartbeat_begin (&msg, "risk", hb_mono_ns (), pub, sub);
    const hb_heartbeat_t *hb = &msg.u.heartbeat;
    assert_true (hb->lat_p50_ns > 0);
    assert_true (hb->lat_p50_ns <= hb->lat_p99_ns);
    assert_true (hb->lat_p99_ns <= hb->lat_p999_ns);
    hb_heartbeat_begin (&msg, "risk", hb_mono_ns (), pub, sub);
    assert_int_equal (msg.u.heartbeat.lat_p99_ns, 0);       //  a new interval

    hb_sub_destroy (&sub);
    hb_pub_destroy (&pub);
    unlink (endpoint + 6);
    rmdir (dir);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_without_bus),
        cmocka_unit_test (test_with_publisher),
        cmocka_unit_test (test_latency_from_subscriber),
    };
    return cmocka_run_group_tests_name ("hb_heartbeat", tests, NULL, NULL);
}
