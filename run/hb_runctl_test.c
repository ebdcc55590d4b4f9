/*  hb_runctl tests: the control endpoint served by a supervisor's reactor
    (main thread) and asked by the client (a second thread), as hb-run and
    `hb-run status` do across processes. No wall-clock assertion: the
    reactor runs in slices until the client thread is done.              */
#include "hb_runctl.h"

#include <czmq.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#define S_SLICE_MS      5
#define S_CAP_SLICES    4000    //  20 s: only reached when something is broken

static char s_dir [64];

typedef struct {
    int         argc;
    char       *argv [3];
    int         rc;
    char        out [4096];
    char        err [1024];
    volatile bool done;
} s_client_t;

static void *
s_client_run (void *arg)
{
    s_client_t *client = arg;
    FILE *out = fmemopen (client->out, sizeof client->out - 1, "w");
    FILE *err = fmemopen (client->err, sizeof client->err - 1, "w");
    client->rc = hb_runctl_request (s_dir, NULL, client->argc, client->argv, 5000, out, err);
    fclose (out);
    fclose (err);
    client->done = true;
    return NULL;
}

//  Runs the client in a thread while sup's reactor serves it.
static void
s_ask (hb_supervisor_t *sup, s_client_t *client)
{
    pthread_t thread;
    client->done = false;
    memset (client->out, 0, sizeof client->out);
    memset (client->err, 0, sizeof client->err);
    assert_int_equal (pthread_create (&thread, NULL, s_client_run, client), 0);
    for (int i = 0; i < S_CAP_SLICES && !client->done; i++)
        hb_supervisor_run (sup, S_SLICE_MS);
    assert_int_equal (pthread_join (thread, NULL), 0);
    assert_true (client->done);
}

static hb_supervisor_t *
s_supervisor (void)
{
    hb_supervisor_policy_t policy;
    hb_supervisor_policy_default (&policy);
    policy.backoff_min_ms = 60000;          //  a back-off that outlasts the test
    policy.stop_grace_ms = 300;
    policy.out_fd = open ("/dev/null", O_WRONLY | O_CLOEXEC);
    hb_supervisor_t *sup = hb_supervisor_new (&policy);
    assert_non_null (sup);
    const char *sleeper [] = { "/bin/sh", "-c", "exec sleep 100", NULL };
    const char *failing [] = { "/bin/sh", "-c", "exit 3", NULL };
    assert_int_equal (hb_supervisor_add (sup, "sleeper", sleeper), 0);
    assert_int_equal (hb_supervisor_add (sup, "other", sleeper), 1);
    assert_int_equal (hb_supervisor_add (sup, "failing", failing), 2);
    assert_int_equal (hb_supervisor_start (sup), 0);
    return sup;
}

static int
s_setup (void **state)
{
    (void) state;
    strcpy (s_dir, "/tmp/hb_runctl_test.XXXXXX");
    return mkdtemp (s_dir) ? 0 : -1;
}

static int
s_teardown (void **state)
{
    (void) state;
    char cmd [128];
    snprintf (cmd, sizeof cmd, "rm -rf %s", s_dir);
    return system (cmd) == 0 ? 0 : -1;
}

static void
test_status_and_restart (void **state)
{
    (void) state;
    hb_supervisor_t *sup = s_supervisor ();
    hb_runctl_t *ctl = hb_runctl_new (sup, s_dir, NULL);
    assert_non_null (ctl);
    char path [128];
    snprintf (path, sizeof path, "%s/%s", s_dir, HB_RUNCTL_FILE);
    struct stat st;
    assert_int_equal (stat (path, &st), 0);
    assert_int_equal (st.st_mode & 0777, 0600);
    //  a second one on the same run dir: refused, the first keeps its socket
    assert_null (hb_runctl_new (sup, s_dir, NULL));
    //  wait for the failing one to be in back-off
    hb_child_info_t info;
    for (int i = 0; i < S_CAP_SLICES; i++) {
        hb_supervisor_info (sup, 2, &info);
        if (info.state == HB_CHILD_BACKOFF)
            break;
        hb_supervisor_run (sup, S_SLICE_MS);
    }
    assert_int_equal (info.state, HB_CHILD_BACKOFF);

    s_client_t client = { .argc = 1, .argv = { "status" } };
    s_ask (sup, &client);
    assert_int_equal (client.rc, 0);
    assert_non_null (strstr (client.out, "NAME"));
    assert_non_null (strstr (client.out, "RETRY_IN_MS"));
    char *line = strstr (client.out, "\nfailing ");
    assert_non_null (line);
    assert_non_null (strstr (line, "backing-off"));
    assert_non_null (strstr (line, "exit status 3\n"));
    line = strstr (client.out, "\nsleeper ");
    assert_non_null (line);
    assert_non_null (strstr (line, "running"));
    //  the table's own function, cut to a small buffer: terminated, needs more
    char small [16];
    int need = hb_runctl_status (sup, small, sizeof small);
    assert_true (need > (int) sizeof small);
    assert_int_equal (strlen (small), sizeof small - 1);

    hb_child_info_t before, other;
    hb_supervisor_info (sup, 0, &before);
    hb_supervisor_info (sup, 1, &other);
    client = (s_client_t) { .argc = 2, .argv = { "restart", "sleeper" } };
    s_ask (sup, &client);
    assert_int_equal (client.rc, 0);
    hb_supervisor_info (sup, 0, &info);
    assert_int_not_equal (info.pid, before.pid);
    assert_int_equal (info.state, HB_CHILD_RUNNING);
    char want [64];
    snprintf (want, sizeof want, "sleeper restarted: pid %d -> %d", (int) before.pid, (int) info.pid);
    assert_non_null (strstr (client.out, want));
    hb_supervisor_info (sup, 1, &info);
    assert_int_equal (info.pid, other.pid);
    assert_int_equal (info.starts, 1);

    client = (s_client_t) { .argc = 2, .argv = { "restart", "nosuch" } };
    s_ask (sup, &client);
    assert_int_equal (client.rc, 1);
    assert_non_null (strstr (client.err, "no component 'nosuch'"));
    assert_non_null (strstr (client.err, "sleeper other failing"));

    hb_runctl_destroy (&ctl);
    assert_null (ctl);
    assert_int_not_equal (access (path, F_OK), 0);      //  the socket file goes too
    hb_supervisor_destroy (&sup);
}

//  What the server answers to requests the client would never send.
static void
test_bad_requests (void **state)
{
    (void) state;
    hb_supervisor_t *sup = s_supervisor ();
    hb_runctl_t *ctl = hb_runctl_new (sup, s_dir, NULL);
    assert_non_null (ctl);
    zsock_t *req = zsock_new_req (NULL);
    assert_non_null (req);
    zsock_set_rcvtimeo (req, 100);
    assert_int_equal (zsock_connect (req, "ipc://%s/%s", s_dir, HB_RUNCTL_FILE), 0);
    const char *const requests [][3] = {
        { "reboot", NULL }, { "status", "extra", NULL }, { "restart", NULL }, { "", NULL }
    };
    for (size_t r = 0; r < sizeof requests / sizeof requests [0]; r++) {
        zmsg_t *msg = zmsg_new ();
        for (int f = 0; requests [r][f]; f++)
            zmsg_addstr (msg, requests [r][f]);
        assert_int_equal (zmsg_send (&msg, req), 0);
        char *verdict = NULL, *text = NULL;
        for (int i = 0; i < S_CAP_SLICES && !verdict; i++) {
            hb_supervisor_run (sup, S_SLICE_MS);
            zstr_recvx (req, &verdict, &text, NULL);
        }
        assert_non_null (verdict);
        assert_string_equal (verdict, "error");
        assert_non_null (strstr (text, "unknown request"));
        zstr_free (&verdict);
        zstr_free (&text);
    }
    zsock_destroy (&req);
    hb_runctl_destroy (&ctl);
    hb_supervisor_destroy (&sup);
    //  the client: a bad command, and nobody serving the directory
    char out [256] = "", err [256] = "";
    FILE *o = fmemopen (out, sizeof out - 1, "w"), *e = fmemopen (err, sizeof err - 1, "w");
    char *bad [] = { "stop", NULL };
    assert_int_equal (hb_runctl_request (s_dir, NULL, 1, bad, 100, o, e), 2);
    char *status [] = { "status", NULL };
    assert_int_equal (hb_runctl_request (s_dir, NULL, 1, status, 100, o, e), 1);
    fclose (o);
    fclose (e);
    assert_non_null (strstr (err, "expected 'status' or 'restart NAME'"));
    assert_non_null (strstr (err, "no hb-run serves run_dir"));
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_status_and_restart),
        cmocka_unit_test (test_bad_requests),
    };
    return cmocka_run_group_tests_name ("hb_runctl", tests, s_setup, s_teardown);
}
