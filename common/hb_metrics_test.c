/*  hb_metrics tests: registration, the exact exposition text of a small
    registry, cumulative histogram buckets, escaping, addresses, the HTTP
    endpoint (GET /metrics, 404 elsewhere) and scrapes during updates.     */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "hb_journal.h"
#include "hb_metrics.h"

static void
test_register (void **state)
{
    (void) state;
    hb_metrics_t *metrics = hb_metrics_new ();
    assert_non_null (metrics);
    hb_metric_t *a = hb_metrics_counter (metrics, "x_total", "X.", "family", "tick");
    hb_metric_t *b = hb_metrics_counter (metrics, "x_total", "X.", "family", "fill");
    assert_non_null (a);
    assert_non_null (b);
    assert_ptr_not_equal (a, b);
    assert_ptr_equal (hb_metrics_counter (metrics, "x_total", "X.", "family", "tick"), a);
    hb_metric_t *plain = hb_metrics_gauge (metrics, "y", "Y.", NULL, NULL);
    assert_ptr_equal (hb_metrics_gauge (metrics, "y", "Y.", NULL, NULL), plain);
    //  limits: a label value too long, too many series
    char longer [HB_METRICS_LABEL_MAX + 1];
    memset (longer, 'v', sizeof longer - 1);
    longer [sizeof longer - 1] = 0;
    assert_null (hb_metrics_counter (metrics, "x_total", "X.", "family", longer));
    for (int i = 2; i < HB_METRICS_SERIES_MAX; i++) {
        char value [16];
        snprintf (value, sizeof value, "v%d", i);
        assert_non_null (hb_metrics_counter (metrics, "x_total", "X.", "family", value));
    }
    assert_null (hb_metrics_counter (metrics, "x_total", "X.", "family", "one_too_many"));
    //  NULL series: updates do nothing, reads are 0
    hb_metric_inc (NULL);
    hb_metric_observe (NULL, 1);
    hb_metric_set (NULL, 1);
    assert_int_equal (hb_metric_count (NULL), 0);
    hb_metric_add (a, 41);
    hb_metric_inc (a);
    assert_int_equal (hb_metric_count (a), 42);
    assert_int_equal (hb_metric_count (b), 0);
    hb_metrics_destroy (&metrics);
    assert_null (metrics);
    hb_metrics_destroy (&metrics);
}

//  The whole text of a small registry, byte for byte.
static void
test_text_exact (void **state)
{
    (void) state;
    hb_metrics_t *metrics = hb_metrics_new ();
    hb_metric_t *tick = hb_metrics_counter (metrics, "hb_bus_messages_received_total",
                                            "Messages received.", "family", "tick");
    hb_metric_t *fill = hb_metrics_counter (metrics, "hb_bus_messages_received_total",
                                            "Messages received.", "family", "fill");
    hb_metric_t *depth = hb_metrics_gauge (metrics, "hb_queue_depth", "Parked\nmessages \\ ticks.",
                                           NULL, NULL);
    static const double bounds [] = { 0.001, 0.01, 0.1 };
    hb_metric_t *hist = hb_metrics_histogram (metrics, "hb_fsync_seconds", "Fsync.", NULL, NULL,
                                              bounds, 3);
    //  a labelled histogram nothing observed into
    hb_metrics_histogram (metrics, "hb_unused_seconds", "Unused.", "venue", "a", bounds, 3);
    hb_metric_add (tick, 7);
    hb_metric_inc (fill);
    hb_metric_set (depth, 3);
    hb_metric_gauge_add (depth, -0.5);
    hb_metric_observe (hist, 0.0005);
    hb_metric_observe (hist, 0.001);       //  le is inclusive
    hb_metric_observe (hist, 0.05);
    hb_metric_observe (hist, 2);
    char *text = hb_metrics_text (metrics);
    assert_non_null (text);
    const char *expected =
        "# HELP hb_bus_messages_received_total Messages received.\n"
        "# TYPE hb_bus_messages_received_total counter\n"
        "hb_bus_messages_received_total{family=\"tick\"} 7\n"
        "hb_bus_messages_received_total{family=\"fill\"} 1\n"
        "# HELP hb_queue_depth Parked\\nmessages \\\\ ticks.\n"
        "# TYPE hb_queue_depth gauge\n"
        "hb_queue_depth 2.5\n"
        "# HELP hb_fsync_seconds Fsync.\n"
        "# TYPE hb_fsync_seconds histogram\n"
        "hb_fsync_seconds_bucket{le=\"0.001\"} 2\n"
        "hb_fsync_seconds_bucket{le=\"0.01\"} 2\n"
        "hb_fsync_seconds_bucket{le=\"0.1\"} 3\n"
        "hb_fsync_seconds_bucket{le=\"+Inf\"} 4\n"
        "hb_fsync_seconds_sum 2.0515\n"
        "hb_fsync_seconds_count 4\n"
        "# HELP hb_unused_seconds Unused.\n"
        "# TYPE hb_unused_seconds histogram\n"
        "hb_unused_seconds_bucket{venue=\"a\",le=\"0.001\"} 0\n"
        "hb_unused_seconds_bucket{venue=\"a\",le=\"0.01\"} 0\n"
        "hb_unused_seconds_bucket{venue=\"a\",le=\"0.1\"} 0\n"
        "hb_unused_seconds_bucket{venue=\"a\",le=\"+Inf\"} 0\n"
        "hb_unused_seconds_sum{venue=\"a\"} 0\n"
        "hb_unused_seconds_count{venue=\"a\"} 0\n";
    assert_string_equal (text, expected);
    free (text);
    assert_int_equal (hb_metric_count (hist), 4);
    hb_metrics_destroy (&metrics);
}

static void
test_empty_family_left_out (void **state)
{
    (void) state;
    hb_metrics_t *metrics = hb_metrics_new ();
    //  registered, then refused its only series: the family has none
    char longer [HB_METRICS_LABEL_MAX + 8];
    memset (longer, 'v', sizeof longer - 1);
    longer [sizeof longer - 1] = 0;
    assert_null (hb_metrics_counter (metrics, "a_total", "A.", "venue", longer));
    char *text = hb_metrics_text (metrics);
    assert_string_equal (text, "");
    free (text);
    hb_metrics_destroy (&metrics);
}

static void
test_label_escaping (void **state)
{
    (void) state;
    hb_metrics_t *metrics = hb_metrics_new ();
    hb_metric_inc (hb_metrics_counter (metrics, "e_total", "E.", "venue", "a\"b\\c\nd"));
    char *text = hb_metrics_text (metrics);
    assert_non_null (strstr (text, "e_total{venue=\"a\\\"b\\\\c\\nd\"} 1\n"));
    free (text);
    hb_metrics_destroy (&metrics);
}

//  Buckets are cumulative, _count is the +Inf bucket, values land in the
//  first bucket whose bound is >= them.
static void
test_histogram_cumulative (void **state)
{
    (void) state;
    hb_metrics_t *metrics = hb_metrics_new ();
    size_t n_bounds;
    const double *bounds = hb_metrics_latency_bounds (&n_bounds);
    assert_true (n_bounds > 10 && n_bounds <= HB_METRICS_BUCKETS_MAX);
    hb_metric_t *hist = hb_metrics_histogram (metrics, "l_seconds", "L.", "component", "risk", NULL, 0);
    for (size_t i = 0; i < n_bounds; i++)
        hb_metric_observe (hist, bounds [i]);
    hb_metric_observe_interval (hist, 2000, 1000);     //  negative: 0
    hb_metric_observe_interval (hist, 0, 5000000000);  //  5 s: only +Inf
    char *text = hb_metrics_text (metrics);
    //  the first bucket holds its own bound and the 0
    assert_non_null (strstr (text, "l_seconds_bucket{component=\"risk\",le=\"1e-06\"} 2\n"));
    uint64_t previous = 0;
    const char *line = text;
    int buckets = 0;
    while ((line = strstr (line, "l_seconds_bucket{")) != NULL) {
        uint64_t value = strtoull (strchr (line, '}') + 2, NULL, 10);
        assert_true (value >= previous);
        previous = value;
        buckets++;
        line++;
    }
    assert_int_equal (buckets, (int) n_bounds + 1);
    assert_int_equal (previous, n_bounds + 2);
    assert_non_null (strstr (text, "l_seconds_bucket{component=\"risk\",le=\"+Inf\"} "));
    char expected [64];
    snprintf (expected, sizeof expected, "l_seconds_count{component=\"risk\"} %zu\n", n_bounds + 2);
    assert_non_null (strstr (text, expected));
    assert_int_equal (hb_metric_count (hist), n_bounds + 2);
    free (text);
    hb_metrics_destroy (&metrics);
}

static void
test_topic_family (void **state)
{
    (void) state;
    assert_string_equal (hb_metrics_topic_family ("tick.alpha.BTC-PERP"), "tick");
    assert_string_equal (hb_metrics_topic_family ("hb.aggregator"), "hb");
    assert_string_equal (hb_metrics_topic_family ("hedger.reject"), "hedger");
    assert_string_equal (hb_metrics_topic_family ("risk"), "risk");
    assert_string_equal (hb_metrics_topic_family ("ticks.x"), "other");
    assert_string_equal (hb_metrics_topic_family (""), "other");
    assert_string_equal (hb_metrics_topic_family (NULL), "other");
    assert_int_equal (hb_metrics_topic_index ("fill.alpha.BTC"), 5);
    assert_string_equal (hb_metrics_topic_name (hb_metrics_topic_index ("ack.x")), "ack");
    assert_string_equal (hb_metrics_topic_name (HB_METRICS_TOPICS - 1), "other");
    assert_string_equal (hb_metrics_topic_name (-1), "other");
    assert_string_equal (hb_metrics_topic_name (HB_METRICS_TOPICS), "other");
}

static void
test_address_check (void **state)
{
    (void) state;
    char why [96];
    assert_int_equal (hb_metrics_address_check ("127.0.0.1:9101", why, sizeof why), 0);
    assert_int_equal (hb_metrics_address_check ("localhost:1", why, sizeof why), 0);
    assert_int_equal (hb_metrics_address_check ("[::1]:65535", why, sizeof why), 0);
    static const char *const bad [] = { "127.0.0.1:0", "127.0.0.1", ":9100", "h:65536", "h:9x",
                                        "h:-1", "h:", "::1:9100", "[::1:9100", "h: 9100", "", NULL };
    for (int i = 0; bad [i]; i++) {
        why [0] = 0;
        if (hb_metrics_address_check (bad [i], why, sizeof why) != -1)
            fail_msg ("'%s' was accepted", bad [i]);
        assert_true (why [0] != 0);
    }
}

//  A port nobody listens on right now.
static int
s_free_port (void)
{
    int fd = socket (AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
    socklen_t len = sizeof addr;
    assert_int_equal (bind (fd, (struct sockaddr *) &addr, sizeof addr), 0);
    assert_int_equal (getsockname (fd, (struct sockaddr *) &addr, &len), 0);
    close (fd);
    return ntohs (addr.sin_port);
}

//  One HTTP/1.0 request; returns the whole response (caller frees).
static char *
s_http (int port, const char *request)
{
    int fd = socket (AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons ((uint16_t) port),
                                .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
    assert_int_equal (connect (fd, (struct sockaddr *) &addr, sizeof addr), 0);
    assert_int_equal (write (fd, request, strlen (request)), (ssize_t) strlen (request));
    size_t size = 0, cap = 1 << 16;
    char *response = malloc (cap);
    ssize_t n;
    while ((n = read (fd, response + size, cap - size - 1)) > 0) {
        size += (size_t) n;
        if (size + 1 == cap) {
            char *larger = realloc (response, cap *= 2);
            assert_non_null (larger);
            response = larger;
        }
    }
    response [size] = 0;
    close (fd);
    return response;
}

static void
test_serve (void **state)
{
    (void) state;
    hb_metric_t *served = hb_metrics_counter (hb_metrics_process (), "hb_test_served_total",
                                              "A counter of the test.", "venue", "alpha");
    hb_metric_add (served, 5);
    char err [256], address [32];
    int port = s_free_port ();
    snprintf (address, sizeof address, "127.0.0.1:%d", port);
    assert_int_equal (hb_metrics_serve ("127.0.0.1:0", err, sizeof err), -1);
    assert_non_null (strstr (err, "port"));
    if (hb_metrics_serve (address, err, sizeof err) != 0)
        fail_msg ("serve: %s", err);
    //  one server per process
    assert_int_equal (hb_metrics_serve (address, err, sizeof err), -1);

    char *response = s_http (port, "GET /metrics HTTP/1.0\r\n\r\n");
    assert_non_null (strstr (response, "HTTP/1.0 200") ? response : strstr (response, "HTTP/1.1 200"));
    assert_non_null (strstr (response, "text/plain; version=0.0.4"));
    assert_non_null (strstr (response, "\r\n\r\n# HELP hb_test_served_total A counter of the test.\n"));
    assert_non_null (strstr (response, "hb_test_served_total{venue=\"alpha\"} 5\n"));
    free (response);
    hb_metric_inc (served);
    response = s_http (port, "GET /metrics HTTP/1.0\r\n\r\n");
    assert_non_null (strstr (response, "hb_test_served_total{venue=\"alpha\"} 6\n"));
    free (response);
    response = s_http (port, "GET / HTTP/1.0\r\n\r\n");
    assert_non_null (strstr (response, " 404 "));
    assert_null (strstr (response, "hb_test_served_total"));
    free (response);
    response = s_http (port, "POST /metrics HTTP/1.0\r\n\r\n");
    assert_non_null (strstr (response, " 405 "));
    free (response);

    hb_metrics_shutdown ();
    hb_metrics_shutdown ();
    //  the port is free again, and a server can start anew
    if (hb_metrics_serve (address, err, sizeof err) != 0)
        fail_msg ("serve again: %s", err);
    hb_metrics_shutdown ();
}

//  The journal reports its appends and fsyncs into the process registry,
//  labelled with its file name.
static void
test_journal_reports (void **state)
{
    (void) state;
    char dir [] = "/tmp/hb_metrics_test.XXXXXX";
    assert_non_null (mkdtemp (dir));
    char path [64];
    snprintf (path, sizeof path, "%s/m.journal", dir);
    hb_journal_t *journal = hb_journal_open (path, HB_JOURNAL_FSYNC_ALWAYS, 0);
    assert_non_null (journal);
    for (int i = 0; i < 3; i++)
        assert_int_equal (hb_journal_append (journal, "abc", 3), 0);
    char *text = hb_metrics_text (hb_metrics_process ());
    assert_non_null (strstr (text, "hb_journal_appends_total{journal=\"m.journal\"} 3\n"));
    const char *count = strstr (text, "hb_journal_fsync_seconds_count{journal=\"m.journal\"} ");
    assert_non_null (count);
    assert_true (strtoull (strchr (count, ' ') + 1, NULL, 10) >= 3);
    free (text);
    hb_journal_destroy (&journal);
    unlink (path);
    rmdir (dir);
}

static atomic_bool s_stop;

static void *
s_writer (void *arg)
{
    hb_metric_t **series = (hb_metric_t **) arg;
    while (!atomic_load (&s_stop)) {
        hb_metric_inc (series [0]);
        hb_metric_observe (series [1], 0.002);
    }
    return NULL;
}

//  Scrapes while another thread updates: counters never go back and each
//  scrape's histogram is consistent (_count is its +Inf bucket).
static void
test_concurrent_reads (void **state)
{
    (void) state;
    hb_metrics_t *metrics = hb_metrics_new ();
    hb_metric_t *series [2] = {
        hb_metrics_counter (metrics, "c_total", "C.", NULL, NULL),
        hb_metrics_histogram (metrics, "h_seconds", "H.", NULL, NULL, NULL, 0)
    };
    atomic_store (&s_stop, false);
    pthread_t thread;
    assert_int_equal (pthread_create (&thread, NULL, s_writer, series), 0);
    uint64_t previous = 0;
    int scrapes = 0;
    while (scrapes < 200 || previous == 0) {
        char *text = hb_metrics_text (metrics);
        uint64_t value = strtoull (strstr (text, "\nc_total ") + 9, NULL, 10);
        assert_true (value >= previous);
        previous = value;
        uint64_t inf = strtoull (strstr (text, "le=\"+Inf\"} ") + 11, NULL, 10);
        uint64_t count = strtoull (strstr (text, "h_seconds_count ") + 16, NULL, 10);
        assert_int_equal (inf, count);
        free (text);
        scrapes++;
    }
    atomic_store (&s_stop, true);
    pthread_join (thread, NULL);
    hb_metrics_destroy (&metrics);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_register),
        cmocka_unit_test (test_text_exact),
        cmocka_unit_test (test_empty_family_left_out),
        cmocka_unit_test (test_label_escaping),
        cmocka_unit_test (test_histogram_cumulative),
        cmocka_unit_test (test_topic_family),
        cmocka_unit_test (test_address_check),
        cmocka_unit_test (test_serve),
        cmocka_unit_test (test_concurrent_reads),
        cmocka_unit_test (test_journal_reports),
    };
    return cmocka_run_group_tests_name ("hb_metrics", tests, NULL, NULL);
}
