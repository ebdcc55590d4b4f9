/*  hb_supervisor tests: small /bin/sh children that exit, crash, hang or
    write in pieces. No assertion on wall-clock time: the reactor runs in
    short slices until the awaited state shows up, with a generous cap.   */
#include "hb_supervisor.h"

#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#define S_SLICE_MS      5
#define S_CAP_SLICES    4000    //  20 s: only reached when something is broken

typedef struct {
    char path [64];
    int  fd;
} s_out_t;

static void
s_out_open (s_out_t *out)
{
    strcpy (out->path, "/tmp/hb_supervisor_test.XXXXXX");
    out->fd = mkstemp (out->path);
    assert_true (out->fd >= 0);
}

static char *
s_out_read (s_out_t *out)
{
    static char text [8192];
    FILE *file = fopen (out->path, "r");
    assert_non_null (file);
    size_t n = fread (text, 1, sizeof text - 1, file);
    text [n] = 0;
    fclose (file);
    return text;
}

static void
s_out_close (s_out_t *out)
{
    close (out->fd);
    unlink (out->path);
}

static hb_supervisor_policy_t
s_policy (int out_fd)
{
    hb_supervisor_policy_t policy;
    hb_supervisor_policy_default (&policy);
    policy.backoff_min_ms = 10;
    policy.backoff_max_ms = 40;
    policy.stable_ms = 60000;
    policy.stop_grace_ms = 300;
    policy.out_fd = out_fd;
    return policy;
}

static int
s_add_sh (hb_supervisor_t *sup, const char *name, const char *script)
{
    const char *argv [] = { "/bin/sh", "-c", script, NULL };
    return hb_supervisor_add (sup, name, argv);
}

//  Runs the reactor until child index has exited at least exits times (or
//  reached state, when state is not 0).
static hb_child_info_t
s_run_until (hb_supervisor_t *sup, int index, int exits, hb_child_state_t state)
{
    hb_child_info_t info;
    for (int i = 0; i < S_CAP_SLICES; i++) {
        hb_supervisor_info (sup, index, &info);
        if (state ? info.state == state : info.exits >= exits)
            return info;
        hb_supervisor_run (sup, S_SLICE_MS);
    }
    fail_msg ("child %d: still %d exits, state %d", index, info.exits, info.state);
    return info;
}

//  Alive and not a zombie waiting for a parent that is not us.
static bool
s_alive (pid_t pid)
{
    if (kill (pid, 0) != 0)
        return false;
    char path [64], stat [256] = "";
    snprintf (path, sizeof path, "/proc/%d/stat", (int) pid);
    FILE *file = fopen (path, "r");
    if (!file)
        return false;
    size_t n = fread (stat, 1, sizeof stat - 1, file);
    stat [n] = 0;
    fclose (file);
    const char *paren = strrchr (stat, ')');
    return !(paren && paren [1] == ' ' && paren [2] == 'Z');
}

static bool
s_gone (pid_t pid)
{
    for (int i = 0; i < 100 && s_alive (pid); i++)
        usleep (10000);     //  SIGKILL is delivered, the exit takes a moment
    return !s_alive (pid);
}

static void
test_restart_on_exit (void **state)
{
    (void) state;
    s_out_t out;
    s_out_open (&out);
    hb_supervisor_policy_t policy = s_policy (out.fd);
    hb_supervisor_t *sup = hb_supervisor_new (&policy);
    assert_non_null (sup);
    assert_int_equal (s_add_sh (sup, "three", "exit 3"), 0);
    assert_int_equal (hb_supervisor_start (sup), 0);
    hb_child_info_t info = s_run_until (sup, 0, 3, 0);
    assert_string_equal (info.reason, "exit status 3");
    assert_true (info.starts >= 3);
    assert_true (info.state == HB_CHILD_RUNNING || info.state == HB_CHILD_BACKOFF);
    hb_supervisor_destroy (&sup);
    assert_null (sup);
    s_out_close (&out);
}

static void
test_restart_on_signal (void **state)
{
    (void) state;
    s_out_t out;
    s_out_open (&out);
    hb_supervisor_policy_t policy = s_policy (out.fd);
    hb_supervisor_t *sup = hb_supervisor_new (&policy);
    s_add_sh (sup, "nine", "kill -9 $$");
    hb_supervisor_start (sup);
    hb_child_info_t first;
    hb_supervisor_info (sup, 0, &first);
    hb_child_info_t info = s_run_until (sup, 0, 2, 0);
    assert_string_equal (info.reason, "killed by signal 9 (KILL)");
    assert_true (info.starts >= 2);
    assert_int_not_equal (info.pid, first.pid);
    hb_supervisor_destroy (&sup);
    s_out_close (&out);
}

static void
test_backoff_grows (void **state)
{
    (void) state;
    s_out_t out;
    s_out_open (&out);
    hb_supervisor_policy_t policy = s_policy (out.fd);
    //  delays longer than a slice: one exit per slice at most
    policy.backoff_min_ms = 25;
    policy.backoff_max_ms = 100;
    hb_supervisor_t *sup = hb_supervisor_new (&policy);
    s_add_sh (sup, "fail", "exit 1");
    hb_supervisor_start (sup);
    const int expected [] = { 25, 50, 100, 100, 100 };
    for (int i = 0; i < 5; i++) {
        s_run_until (sup, 0, i + 1, 0);
        hb_child_info_t info;
        hb_supervisor_info (sup, 0, &info);
        assert_int_equal (info.exits, i + 1);
        assert_int_equal (info.last_delay_ms, expected [i]);
    }
    hb_supervisor_destroy (&sup);
    s_out_close (&out);
}

//  A crash loop is never given up: the delay doubles, stops at the cap and
//  stays there, exit after exit, while the other children run on.
static void
test_crash_loop_never_given_up (void **state)
{
    (void) state;
    s_out_t out;
    s_out_open (&out);
    hb_supervisor_policy_t policy = s_policy (out.fd);
    policy.backoff_min_ms = 5;
    policy.backoff_max_ms = 30;     //  not a power of two times min: the cap cuts the doubling
    hb_supervisor_t *sup = hb_supervisor_new (&policy);
    s_add_sh (sup, "loop", "exit 3");
    s_add_sh (sup, "steady", "exec sleep 100");
    hb_supervisor_start (sup);
    const int expected [] = { 5, 10, 20, 30, 30, 30, 30, 30, 30, 30, 30, 30 };
    int n = (int) (sizeof expected / sizeof expected [0]);
    for (int i = 0; i < n; i++) {
        hb_child_info_t info = s_run_until (sup, 0, i + 1, 0);
        assert_int_equal (info.exits, i + 1);
        assert_int_equal (info.last_delay_ms, expected [i]);
        //  in back-off right after an exit: the restart is scheduled, not dropped
        assert_int_equal (info.state, HB_CHILD_BACKOFF);
        assert_true (info.retry_in_ms <= expected [i]);
    }
    assert_int_equal (hb_supervisor_down (sup), 1);
    hb_child_info_t info = s_run_until (sup, 0, n + 1, 0);
    assert_int_equal (info.starts, n + 1);
    hb_supervisor_info (sup, 1, &info);
    assert_int_equal (info.state, HB_CHILD_RUNNING);
    assert_int_equal (info.starts, 1);
    hb_supervisor_destroy (&sup);
    s_out_close (&out);
}

//  A child that stayed up stable_ms starts over at backoff_min_ms.
static void
test_backoff_resets_after_stable_run (void **state)
{
    (void) state;
    s_out_t out;
    s_out_open (&out);
    hb_supervisor_policy_t policy = s_policy (out.fd);
    policy.backoff_min_ms = 5;
    policy.backoff_max_ms = 1000;
    policy.stable_ms = 1000;
    hb_supervisor_t *sup = hb_supervisor_new (&policy);
    //  runs 1 to 3 exit at once, run 4 lasts 1.5 s (stable), run 5 exits
    //  at once again: the doubling starts over
    char script [256];
    char marker [64];
    snprintf (marker, sizeof marker, "/tmp/hb_supervisor_test.%d", (int) getpid ());
    snprintf (script, sizeof script,
              "n=$(cat %s 2>/dev/null || echo 0); echo $((n + 1)) > %s; "
              "[ $n = 3 ] && sleep 1.5; exit 1", marker, marker);
    unlink (marker);
    s_add_sh (sup, "settles", script);
    hb_supervisor_start (sup);
    const int expected [] = { 5, 10, 20, 5, 10 };
    for (int i = 0; i < 5; i++) {
        hb_child_info_t info = s_run_until (sup, 0, i + 1, 0);
        assert_int_equal (info.last_delay_ms, expected [i]);
    }
    unlink (marker);
    hb_supervisor_destroy (&sup);
    s_out_close (&out);
}

//  Status 2 (config error) or 127: a quick retry cannot help, so the first
//  delay is the cap; the child is still retried.
static void
test_config_error_retried_slowly (void **state)
{
    (void) state;
    s_out_t out;
    s_out_open (&out);
    hb_supervisor_policy_t policy = s_policy (out.fd);
    policy.backoff_max_ms = 60;
    hb_supervisor_t *sup = hb_supervisor_new (&policy);
    s_add_sh (sup, "usage", "exit 2");
    hb_supervisor_start (sup);
    hb_child_info_t info = s_run_until (sup, 0, 1, 0);
    assert_string_equal (info.reason, "exit status 2");
    assert_int_equal (info.last_delay_ms, 60);
    info = s_run_until (sup, 0, 2, 0);
    assert_int_equal (info.starts, 2);
    assert_int_equal (info.last_delay_ms, 60);
    hb_supervisor_destroy (&sup);
    s_out_close (&out);
}

//  hb_supervisor_restart: a running child gets a new process, the others
//  keep theirs; a child in back-off starts at once, back-off reset.
static void
test_restart_one (void **state)
{
    (void) state;
    s_out_t out;
    s_out_open (&out);
    hb_supervisor_policy_t policy = s_policy (out.fd);
    policy.backoff_min_ms = 60000;          //  a back-off that outlasts the test
    policy.backoff_max_ms = 60000;
    hb_supervisor_t *sup = hb_supervisor_new (&policy);
    s_add_sh (sup, "a", "exec sleep 100");
    s_add_sh (sup, "b", "exec sleep 100");
    s_add_sh (sup, "down", "exit 1");
    hb_supervisor_start (sup);
    hb_child_info_t a0, b0, a1, b1, info;
    hb_supervisor_info (sup, 0, &a0);
    hb_supervisor_info (sup, 1, &b0);
    info = s_run_until (sup, 2, 0, HB_CHILD_BACKOFF);
    assert_true (info.retry_in_ms > 1000);
    assert_int_equal (hb_supervisor_find (sup, "b"), 1);
    assert_int_equal (hb_supervisor_find (sup, "nope"), -1);
    assert_string_equal (hb_supervisor_name (sup, 2), "down");
    assert_null (hb_supervisor_name (sup, 3));
    assert_int_equal (hb_supervisor_restart (sup, 1), 0);
    hb_supervisor_info (sup, 0, &a1);
    hb_supervisor_info (sup, 1, &b1);
    assert_int_equal (a1.pid, a0.pid);
    assert_int_equal (a1.starts, 1);
    assert_int_not_equal (b1.pid, b0.pid);
    assert_int_equal (b1.state, HB_CHILD_RUNNING);
    assert_int_equal (b1.starts, 2);
    assert_string_equal (b1.reason, "killed by signal 15 (TERM)");
    assert_false (s_alive (b0.pid));
    //  the one in back-off: started now, not in a minute
    assert_int_equal (hb_supervisor_restart (sup, 2), 0);
    hb_supervisor_info (sup, 2, &info);
    assert_int_equal (info.starts, 2);
    assert_int_equal (hb_supervisor_restart (sup, 3), -1);
    hb_supervisor_destroy (&sup);
    s_out_close (&out);
}

static void
test_stop_leaves_nothing (void **state)
{
    (void) state;
    s_out_t out;
    s_out_open (&out);
    hb_supervisor_policy_t policy = s_policy (out.fd);
    hb_supervisor_t *sup = hb_supervisor_new (&policy);
    s_add_sh (sup, "sleeper", "exec sleep 100");
    //  ignores SIGTERM (and so does its sleep): needs the SIGKILL
    s_add_sh (sup, "stubborn", "trap '' TERM; echo trapped; sleep 100; sleep 100");
    //  a grandchild in the background, which must go with its parent
    s_add_sh (sup, "parent", "sleep 100 & echo grandchild $!; wait");
    hb_supervisor_start (sup);
    char *text = NULL;
    //  both ready: the grandchild made, the trap set (a SIGTERM before it would end stubborn)
    for (int i = 0; i < S_CAP_SLICES && !(text && strstr (text, "parent | grandchild ")
                                          && strstr (text, "stubborn | trapped")); i++) {
        hb_supervisor_run (sup, S_SLICE_MS);
        text = s_out_read (&out);
    }
    assert_non_null (strstr (text, "parent | grandchild "));
    pid_t grandchild = (pid_t) atoi (strstr (text, "parent | grandchild ") + 20);
    assert_true (grandchild > 0);
    pid_t pids [3];
    for (int i = 0; i < 3; i++) {
        hb_child_info_t info;
        hb_supervisor_info (sup, i, &info);
        assert_int_equal (info.state, HB_CHILD_RUNNING);
        pids [i] = info.pid;
        assert_true (s_alive (pids [i]));
    }
    assert_true (s_alive (grandchild));
    assert_int_equal (hb_supervisor_stop (sup), 1);
    for (int i = 0; i < 3; i++) {
        hb_child_info_t info;
        hb_supervisor_info (sup, i, &info);
        assert_int_equal (info.state, HB_CHILD_STOPPED);
        assert_false (s_alive (pids [i]));
    }
    assert_true (s_gone (grandchild));
    hb_child_info_t info;
    hb_supervisor_info (sup, 1, &info);
    assert_string_equal (info.reason, "killed by signal 9 (KILL)");
    hb_supervisor_info (sup, 0, &info);
    assert_string_equal (info.reason, "killed by signal 15 (TERM)");
    //  nothing restarts after a stop
    hb_supervisor_run (sup, 100);
    hb_supervisor_info (sup, 0, &info);
    assert_int_equal (info.starts, 1);
    hb_supervisor_destroy (&sup);
    s_out_close (&out);
}

static void
test_line_prefix (void **state)
{
    (void) state;
    s_out_t out;
    s_out_open (&out);
    hb_supervisor_policy_t policy = s_policy (out.fd);
    policy.backoff_min_ms = 60000;     //  one run only, as far as the test goes
    policy.backoff_max_ms = 60000;
    hb_supervisor_t *sup = hb_supervisor_new (&policy);
    s_add_sh (sup, "pieces", "printf 'one\\ntw'; sleep 0.2; printf 'o\\n'; echo err >&2; printf 'tail'");
    s_add_sh (sup, "other", "echo hello");
    hb_supervisor_start (sup);
    s_run_until (sup, 0, 1, 0);
    s_run_until (sup, 1, 1, 0);
    const char *text = s_out_read (&out);
    //  whole lines only, each with its name, the unfinished last one too
    const char *lines [] = { "pieces | one\n", "pieces | two\n", "pieces | err\n", "pieces | tail\n" };
    const char *at = text;
    for (int i = 0; i < 4; i++) {
        at = strstr (at, lines [i]);
        assert_non_null (at);
    }
    assert_non_null (strstr (text, "other | hello\n"));
    assert_null (strstr (text, "pieces | tw\n"));
    assert_null (strstr (text, "pieces | o\n"));
    hb_supervisor_destroy (&sup);
    s_out_close (&out);
}

static void
test_bad_input (void **state)
{
    (void) state;
    hb_supervisor_policy_t policy = s_policy (1);
    policy.backoff_min_ms = 0;
    assert_null (hb_supervisor_new (&policy));
    hb_supervisor_t *sup = hb_supervisor_new (NULL);
    assert_non_null (sup);
    const char *empty [] = { NULL };
    const char *argv [] = { "/bin/true", NULL };
    assert_int_equal (hb_supervisor_add (sup, "x", empty), -1);
    assert_int_equal (hb_supervisor_add (sup, "", argv), -1);
    assert_int_equal (hb_supervisor_add (sup, "a-name-that-is-far-too-long-for-a-prefix", argv), -1);
    hb_child_info_t info;
    assert_int_equal (hb_supervisor_info (sup, 0, &info), -1);
    char reason [64];
    hb_supervisor_reason (0x0300, reason, sizeof reason);      //  exit status 3
    assert_string_equal (reason, "exit status 3");
    hb_supervisor_destroy (&sup);
    hb_supervisor_destroy (&sup);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_restart_on_exit),
        cmocka_unit_test (test_restart_on_signal),
        cmocka_unit_test (test_backoff_grows),
        cmocka_unit_test (test_crash_loop_never_given_up),
        cmocka_unit_test (test_backoff_resets_after_stable_run),
        cmocka_unit_test (test_config_error_retried_slowly),
        cmocka_unit_test (test_restart_one),
        cmocka_unit_test (test_stop_leaves_nothing),
        cmocka_unit_test (test_line_prefix),
        cmocka_unit_test (test_bad_input),
    };
    return cmocka_run_group_tests_name ("hb_supervisor", tests, NULL, NULL);
}
