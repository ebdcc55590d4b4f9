/*  The venue library on the network, against tests/venues/venue_server.py
    on loopback: hb_ws over wss:// with a CA file (round trip), refusal of
    an untrusted certificate (counted, logged, retried with backoff), the
    insecure switch, a CA file that cannot be loaded; two clients sharing
    one libwebsockets service thread, which ends with the last; back-
    pressure (a slow plugin loses nothing); hb_rest over https:// (GET and
    POST with the CA file, untrusted certificates refused).

    The certificates are made at run time (hb_testserver_make_cert) in a
    temp dir: "good" is trusted through ca_file, "other" is a second self-
    signed certificate no client trusts.                                  */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hb_log.h"
#include "hb_rest.h"
#include "hb_testhost.h"
#include "hb_testserver.h"
#include "hb_ws.h"

typedef struct {
    char    dir [64];
    char    good_crt [128], good_key [128];
    char    other_crt [128], other_key [128];
} s_certs_t;

static s_certs_t s_certs;

static int
s_setup (void **state)
{
    (void) state;
    snprintf (s_certs.dir, sizeof s_certs.dir, "/tmp/hb-certs.XXXXXX");
    if (!mkdtemp (s_certs.dir))
        return -1;
    snprintf (s_certs.good_crt, sizeof s_certs.good_crt, "%s/good.crt", s_certs.dir);
    snprintf (s_certs.good_key, sizeof s_certs.good_key, "%s/good.key", s_certs.dir);
    snprintf (s_certs.other_crt, sizeof s_certs.other_crt, "%s/other.crt", s_certs.dir);
    snprintf (s_certs.other_key, sizeof s_certs.other_key, "%s/other.key", s_certs.dir);
    if (hb_testserver_make_cert (s_certs.dir, "good") || hb_testserver_make_cert (s_certs.dir, "other"))
        return -1;
    return 0;
}

static int
s_teardown (void **state)
{
    (void) state;
    char cmd [128];
    snprintf (cmd, sizeof cmd, "rm -rf %s", s_certs.dir);
    return system (cmd) == 0 ? 0 : -1;
}

static hb_config_t *
s_config (void)
{
    hb_config_t *config = (hb_config_t *) calloc (1, sizeof *config);
    config->n_venues = 1;
    snprintf (config->venues [0].name, HB_NAME_MAX, "v");
    return config;
}

//  Threads of this process now
static int
s_threads (void)
{
    DIR *dir = opendir ("/proc/self/task");
    int n = 0;
    for (struct dirent *e; dir && (e = readdir (dir));)
        n += e->d_name [0] != '.';
    if (dir)
        closedir (dir);
    return n;
}

//  ---------------------------------------------------------------------------
//  hb_ws

typedef struct {
    int      msgs, opens, closes;
    int      send_on_open;          //  on which open to send "hello" (0: never)
    int      want_msgs;
    char     all [1024];
    char     why [256];             //  the last close reason
    int      next_seq;              //  back-pressure: next sequence number expected
    int      out_of_order;
    int      slow;                  //  back-pressure: sleep in the first slow messages
    hb_ws_t *ws;
} s_seen_t;

static void
s_on_msg (void *arg, const char *data, size_t len)
{
    s_seen_t *seen = (s_seen_t *) arg;
    seen->msgs++;
    assert_int_equal (strlen (data), len);
    if (seen->slow) {
        int seq = atoi (data);
        seen->out_of_order += seq != seen->next_seq || len != 600;
        seen->next_seq = seq + 1;
        if (seen->msgs <= seen->slow)
            usleep (2000);          //  the service thread fills the ring meanwhile
        return;
    }
    size_t n = strlen (seen->all);
    snprintf (seen->all + n, sizeof seen->all - n, "%s|", data);
}

static void
s_on_open (void *arg, const char *url)
{
    (void) url;
    s_seen_t *seen = (s_seen_t *) arg;
    seen->opens++;
    if (seen->opens == seen->send_on_open)
        assert_int_equal (hb_ws_send (seen->ws, "hello", 5), 0);
}

static void
s_on_close (void *arg, const char *reason)
{
    s_seen_t *seen = (s_seen_t *) arg;
    seen->closes++;
    snprintf (seen->why, sizeof seen->why, "%s", reason);
}

static bool
s_got_msgs (void *arg)
{
    s_seen_t *seen = (s_seen_t *) arg;
    return seen->msgs >= seen->want_msgs;
}

static bool
s_both_echoed (void *arg)
{
    s_seen_t *seen = (s_seen_t *) arg;
    return strstr (seen [0].all, "echo:hello") && strstr (seen [1].all, "echo:hello");
}

static bool
s_three_closes (void *arg)
{
    return ((s_seen_t *) arg)->closes >= 3;
}

static hb_ws_cfg_t
s_ws_cfg (const char *url, const char *ca_file, s_seen_t *seen)
{
    hb_ws_cfg_t cfg = { .name = "t", .url = url, .ca_file = ca_file, .backoff_base_ms = 20,
                        .backoff_max_ms = 50, .seed = 1, .on_msg = s_on_msg, .on_open = s_on_open,
                        .on_close = s_on_close, .arg = seen };
    return cfg;
}

//  Two wss:// clients with the CA file, one round trip each, on one
//  service thread that ends with the last client.
static void
test_wss_roundtrip (void **state)
{
    (void) state;
    const char *session = "[{\"send_raw\": \"one\"}, {\"recv\": 1}, {\"send_raw\": \"echo:hello\"}]";
    char script [256];
    snprintf (script, sizeof script, "{\"ws\": [%s, %s]}", session, session);
    hb_testserver_t *server = hb_testserver_new (script, s_certs.good_crt, s_certs.good_key);
    assert_non_null (server);
    hb_config_t *config = s_config ();
    hb_testhost_t *host = hb_testhost_new (config, "v");
    char url [128];
    snprintf (url, sizeof url, "wss://127.0.0.1:%d/ws", hb_testserver_ws_port (server));
    int threads = s_threads ();
    s_seen_t seen [2];
    memset (seen, 0, sizeof seen);
    hb_ws_t *ws [2];
    for (int i = 0; i < 2; i++) {
        seen [i].send_on_open = 1;
        hb_ws_cfg_t cfg = s_ws_cfg (url, s_certs.good_crt, &seen [i]);
        ws [i] = seen [i].ws = hb_ws_new (hb_testhost_api (host), &cfg);
        assert_non_null (ws [i]);
    }
    //  one service thread for both clients
    assert_int_equal (s_threads (), threads + 1);
    for (int i = 0; i < 2; i++)
        assert_int_equal (hb_ws_start (ws [i]), 0);
    assert_int_equal (hb_testhost_run (host, 15000, s_both_echoed, seen), 0);
    for (int i = 0; i < 2; i++) {
        assert_string_equal (seen [i].all, "one|echo:hello|");
        assert_int_equal (seen [i].opens, 1);
        hb_ws_stats_t stats;
        hb_ws_stats (ws [i], &stats);
        assert_int_equal (stats.connects, 1);
        assert_int_equal (stats.msgs_out, 1);
    }
    assert_int_equal (hb_testserver_logged (server, "\"ws_recv\""), 2);
    assert_int_equal (s_threads (), threads + 1);
    hb_ws_destroy (&ws [0]);
    assert_int_equal (s_threads (), threads + 1);  //  still serving the other
    hb_ws_destroy (&ws [1]);
    assert_int_equal (s_threads (), threads);      //  gone with the last
    assert_int_equal (seen [0].closes, 0);          //  destroy calls no on_close
    assert_int_equal (hb_testhost_fds (host), 0);
    assert_int_equal (hb_testhost_timers (host), 0);
    hb_testhost_destroy (&host);
    hb_config_destroy (&config);
    hb_testserver_destroy (&server);
}

//  A server whose certificate the CA file does not vouch for: refused,
//  reported, retried with backoff; insecure connects; a CA file that
//  cannot be read makes hb_ws_new fail.
static void
test_wss_untrusted (void **state)
{
    (void) state;
    hb_testserver_t *server = hb_testserver_new ("{\"ws\": [[{\"send_raw\": \"in\"}]]}",
                                                 s_certs.other_crt, s_certs.other_key);
    assert_non_null (server);
    hb_config_t *config = s_config ();
    hb_testhost_t *host = hb_testhost_new (config, "v");
    char url [128];
    snprintf (url, sizeof url, "wss://127.0.0.1:%d/ws", hb_testserver_ws_port (server));
    s_seen_t seen;
    memset (&seen, 0, sizeof seen);
    hb_ws_cfg_t cfg = s_ws_cfg (url, s_certs.good_crt, &seen);
    hb_ws_t *ws = hb_ws_new (hb_testhost_api (host), &cfg);
    assert_non_null (ws);
    assert_int_equal (hb_ws_start (ws), 0);
    assert_int_equal (hb_testhost_run (host, 15000, s_three_closes, &seen), 0);
    hb_ws_stats_t stats;
    hb_ws_stats (ws, &stats);
    assert_int_equal (stats.connects, 0);
    assert_true (stats.attempts >= 3);
    assert_int_equal (seen.opens, 0);
    assert_int_equal (seen.msgs, 0);
    assert_false (hb_ws_connected (ws));
    assert_non_null (strstr (seen.why, "connect failed"));
    assert_true (hb_testhost_logs (host, HB_LOG_INFO, "t: no connection: connect failed") >= 3);
    assert_true (hb_testhost_logs (host, HB_LOG_INFO, "t: reconnecting in") >= 3);
    assert_int_equal (hb_testserver_logged (server, "\"ws_connect\""), 0);
    hb_ws_destroy (&ws);

    //  the insecure switch (tests only) takes the same server
    memset (&seen, 0, sizeof seen);
    cfg = s_ws_cfg (url, NULL, &seen);
    cfg.insecure = true;
    seen.want_msgs = 1;
    ws = hb_ws_new (hb_testhost_api (host), &cfg);
    assert_non_null (ws);
    assert_int_equal (hb_ws_start (ws), 0);
    assert_int_equal (hb_testhost_run (host, 15000, s_got_msgs, &seen), 0);
    assert_string_equal (seen.all, "in|");
    hb_ws_destroy (&ws);

    //  a CA file that is not there
    char missing [160];
    snprintf (missing, sizeof missing, "%s/missing.crt", s_certs.dir);
    cfg = s_ws_cfg (url, missing, &seen);
    assert_null (hb_ws_new (hb_testhost_api (host), &cfg));
    assert_int_equal (hb_testhost_logs (host, HB_LOG_ERROR, "cannot load the CA file"), 1);
    assert_int_equal (hb_testhost_fds (host), 0);
    assert_int_equal (hb_testhost_timers (host), 0);
    hb_testhost_destroy (&host);
    hb_config_destroy (&config);
    hb_testserver_destroy (&server);
}

//  The server sends 300 messages of 600 bytes at once into a ring that
//  holds 3; the plugin is slow at first. Every message arrives, in order.
static void
test_ws_backpressure (void **state)
{
    (void) state;
    enum { N = 300 };
    size_t cap = 64 + N * 640;
    char *script = (char *) malloc (cap);
    assert_non_null (script);
    size_t n = (size_t) snprintf (script, cap, "{\"ws\": [[");
    char body [601];
    for (int i = 0; i < N; i++) {
        snprintf (body, sizeof body, "%-600d", i);
        n += (size_t) snprintf (script + n, cap - n, "%s{\"send_raw\": \"%s\"}", i ? "," : "", body);
    }
    snprintf (script + n, cap - n, "]]}");
    hb_testserver_t *server = hb_testserver_new (script, NULL, NULL);
    free (script);
    assert_non_null (server);
    hb_config_t *config = s_config ();
    hb_testhost_t *host = hb_testhost_new (config, "v");
    char url [128];
    snprintf (url, sizeof url, "ws://127.0.0.1:%d/ws", hb_testserver_ws_port (server));
    s_seen_t seen;
    memset (&seen, 0, sizeof seen);
    seen.slow = 40;
    seen.want_msgs = N;
    hb_ws_cfg_t cfg = s_ws_cfg (url, NULL, &seen);
    cfg.max_msg = 1024;
    cfg.ring_bytes = 2048;          //  raised to 2 * (1024 + 8)
    hb_ws_t *ws = hb_ws_new (hb_testhost_api (host), &cfg);
    assert_non_null (ws);
    assert_int_equal (hb_ws_start (ws), 0);
    assert_int_equal (hb_testhost_run (host, 20000, s_got_msgs, &seen), 0);
    assert_int_equal (seen.msgs, N);
    assert_int_equal (seen.next_seq, N);
    assert_int_equal (seen.out_of_order, 0);
    assert_int_equal (seen.closes, 0);
    hb_ws_stats_t stats;
    hb_ws_stats (ws, &stats);
    assert_int_equal (stats.msgs_in, N);
    assert_int_equal (stats.bytes_in, N * 600);
    assert_int_equal (stats.connects, 1);
    hb_ws_destroy (&ws);
    hb_testhost_destroy (&host);
    hb_config_destroy (&config);
    hb_testserver_destroy (&server);
}

//  ---------------------------------------------------------------------------
//  hb_rest over https

typedef struct {
    int  *done;
    long  status;
    char  body [128];
    char  error [256];
} s_resp_t;

static void
s_on_done (void *arg, const hb_rest_resp_t *resp)
{
    s_resp_t *seen = (s_resp_t *) arg;
    seen->status = resp->status;
    snprintf (seen->body, sizeof seen->body, "%s", resp->body);
    if (resp->error)
        snprintf (seen->error, sizeof seen->error, "%s", resp->error);
    (*seen->done)++;
}

static bool
s_all_done (void *arg)
{
    return *(int *) arg == 5;
}

static void
test_https (void **state)
{
    (void) state;
    const char *script = "{\"http\": {\"GET /a\": {\"status\": 200, \"body\": {\"x\": 1}},"
                         "            \"POST /b\": {\"status\": 201, \"body\": \"made\"}}}";
    hb_testserver_t *good = hb_testserver_new (script, s_certs.good_crt, s_certs.good_key);
    hb_testserver_t *other = hb_testserver_new (script, s_certs.other_crt, s_certs.other_key);
    assert_non_null (good);
    assert_non_null (other);
    hb_config_t *config = s_config ();
    hb_testhost_t *host = hb_testhost_new (config, "v");
    hb_rest_cfg_t cfg = { .name = "t", .ca_file = s_certs.good_crt, .timeout_ms = 5000 };
    hb_rest_t *trusting = hb_rest_new (hb_testhost_api (host), &cfg);
    cfg.ca_file = NULL;             //  the system's store: knows neither
    hb_rest_t *system_ca = hb_rest_new (hb_testhost_api (host), &cfg);
    cfg.insecure = true;
    hb_rest_t *insecure = hb_rest_new (hb_testhost_api (host), &cfg);
    assert_non_null (trusting);
    assert_non_null (system_ca);
    assert_non_null (insecure);
    int done = 0;
    s_resp_t seen [5];
    memset (seen, 0, sizeof seen);
    for (int i = 0; i < 5; i++)
        seen [i].done = &done;
    char url [128];
    int port = hb_testserver_http_port (good), other_port = hb_testserver_http_port (other);
    snprintf (url, sizeof url, "https://127.0.0.1:%d/a?q=1", port);
    assert_int_equal (hb_rest_request (trusting, "GET", url, NULL, NULL, s_on_done, &seen [0]), 0);
    assert_int_equal (hb_rest_request (system_ca, "GET", url, NULL, NULL, s_on_done, &seen [2]), 0);
    snprintf (url, sizeof url, "https://127.0.0.1:%d/b", port);
    assert_int_equal (hb_rest_request (trusting, "POST", url, NULL, "k=v", s_on_done, &seen [1]), 0);
    snprintf (url, sizeof url, "https://127.0.0.1:%d/a", other_port);
    assert_int_equal (hb_rest_request (trusting, "GET", url, NULL, NULL, s_on_done, &seen [3]), 0);
    assert_int_equal (hb_rest_request (insecure, "GET", url, NULL, NULL, s_on_done, &seen [4]), 0);
    assert_int_equal (hb_testhost_run (host, 15000, s_all_done, &done), 0);
    assert_int_equal (seen [0].status, 200);
    assert_string_equal (seen [0].body, "{\"x\": 1}");
    assert_int_equal (seen [1].status, 201);
    assert_string_equal (seen [1].body, "made");
    //  refused: not in the system's store; not vouched for by the CA file
    for (int i = 2; i <= 3; i++) {
        assert_int_equal (seen [i].status, 0);
        assert_non_null (strstr (seen [i].error, "certificate"));
    }
    assert_int_equal (seen [4].status, 200);
    hb_rest_stats_t stats;
    hb_rest_stats (trusting, &stats);
    assert_int_equal (stats.completed, 2);
    assert_int_equal (stats.failed, 1);
    //  the server answered exactly the three requests that were let through
    assert_int_equal (hb_testserver_logged (good, "\"http\""), 2);
    assert_int_equal (hb_testserver_logged (other, "\"http\""), 1);
    hb_rest_destroy (&trusting);
    hb_rest_destroy (&system_ca);
    hb_rest_destroy (&insecure);
    assert_int_equal (hb_testhost_fds (host), 0);
    hb_testhost_destroy (&host);
    hb_config_destroy (&config);
    hb_testserver_destroy (&good);
    hb_testserver_destroy (&other);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_wss_roundtrip),
        cmocka_unit_test (test_wss_untrusted),
        cmocka_unit_test (test_ws_backpressure),
        cmocka_unit_test (test_https),
    };
    return cmocka_run_group_tests_name ("hb_venue_net", tests, s_setup, s_teardown);
}
