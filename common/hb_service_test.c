/*  hb_service tests: the common options (--version, --help, --name, an
    unknown option, a missing --config), the program's own options and
    arguments, and the one stop mechanism: SIGTERM ends the reactor and
    the program's stop callback runs, told it was a signal. Each case runs
    hb_service_main in a child (signals, getopt and czmq are per process),
    which reports on a pipe what its callbacks saw.                        */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hb_service.h"
#include "hb_version.h"

static char s_out [4096];

//  Runs def with argv (NULL-terminated) in a child; its stdout in s_out;
//  returns its exit code (128 + N when killed by signal N)
static int
s_run (const hb_service_def_t *def, const char **argv)
{
    int fds [2];
    assert_int_equal (pipe (fds), 0);
    fflush (stdout);
    pid_t pid = fork ();
    assert_true (pid >= 0);
    if (pid == 0) {
        close (fds [0]);
        dup2 (fds [1], STDOUT_FILENO);
        int argc = 0;
        while (argv [argc])
            argc++;
        int rc = hb_service_main (def, argc, (char **) argv);
        fflush (stdout);
        _exit (rc);             //  no atexit: the parent's cmocka state is not ours
    }
    close (fds [1]);
    size_t len = 0;
    ssize_t n;
    while ((n = read (fds [0], s_out + len, sizeof s_out - 1 - len)) > 0)
        len += (size_t) n;
    s_out [len] = 0;
    close (fds [0]);
    int status;
    assert_int_equal (waitpid (pid, &status, 0), pid);
    return WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);
}

static int
s_option (void *state, const char *name, const char *value)
{
    (void) state;
    if (strcmp (name, "speed") == 0 && atoi (value) <= 0)
        return -1;
    printf ("option %s=%s\n", name, value ? value : "(flag)");
    return 0;
}

//  A timer that sends us SIGTERM once the loop runs: the stop must come
//  through the service's one mechanism, not through a handler's -1
static int
s_on_raise (zloop_t *loop, int timer_id, void *arg)
{
    (void) loop;
    (void) timer_id;
    (void) arg;
    kill (getpid (), SIGTERM);
    return 0;
}

static int
s_on_fail (zloop_t *loop, int timer_id, void *arg)
{
    (void) loop;
    (void) timer_id;
    (void) arg;
    return -1;              //  a handler that had to stop the process
}

static int
s_start (hb_service_t *service, void *state)
{
    const char *how = (const char *) state;
    printf ("start name=%s config=%s\n", hb_service_name (service),
            hb_service_config (service) ? "yes" : "no");
    assert_non_null (hb_service_loop (service));
    if (how && strcmp (how, "fail-start") == 0)
        return 1;
    zloop_timer (hb_service_loop (service), 10, 1,
                 how && strcmp (how, "handler") == 0 ? s_on_fail : s_on_raise, NULL);
    return 0;
}

static int
s_stop (hb_service_t *service, void *state, bool signalled)
{
    (void) service;
    (void) state;
    printf ("stop signalled=%d\n", signalled);
    return signalled ? 0 : 1;
}

static const hb_service_option_t s_options [] = { { "speed", "N" }, { "fast", NULL }, { NULL } };

static hb_service_def_t
s_def (const char *how)
{
    hb_service_def_t def = {
        .program = "hb-test", .component = "test", .config_optional = true,
        .options = s_options, .option = s_option,
        .start = s_start, .stop = s_stop, .state = (void *) how
    };
    return def;
}

static void
test_version_and_help (void **state)
{
    (void) state;
    hb_service_def_t def = s_def (NULL);
    const char *version [] = { "hb-test", "--version", NULL };
    assert_int_equal (s_run (&def, version), 0);
    assert_string_equal (s_out, "hb-test " HB_VERSION "\n");
    const char *help [] = { "hb-test", "--help", NULL };
    assert_int_equal (s_run (&def, help), 0);
    assert_non_null (strstr (s_out, "usage: hb-test [--config FILE] [--speed N] [--fast]"));
    assert_non_null (strstr (s_out, "--name NAME"));
    assert_null (strstr (s_out, "start"));          //  nothing ran
}

static void
test_bad_command_lines (void **state)
{
    (void) state;
    hb_service_def_t def = s_def (NULL);
    const char *unknown [] = { "hb-test", "--bogus", NULL };
    assert_int_equal (s_run (&def, unknown), 2);
    const char *bad_value [] = { "hb-test", "--speed", "0", NULL };
    assert_int_equal (s_run (&def, bad_value), 2);
    const char *positional [] = { "hb-test", "extra", NULL };
    assert_int_equal (s_run (&def, positional), 2);
    const char *bad_level [] = { "hb-test", "--log-level", "loud", NULL };
    assert_int_equal (s_run (&def, bad_level), 2);
    const char *bad_name [] = { "hb-test", "--name", "a b", NULL };
    assert_int_equal (s_run (&def, bad_name), 2);
    const char *no_file [] = { "hb-test", "--config", "/nonexistent/hb.yaml", NULL };
    assert_int_equal (s_run (&def, no_file), 2);
    def.config_optional = false;
    const char *no_config [] = { "hb-test", NULL };
    assert_int_equal (s_run (&def, no_config), 2);
    assert_null (strstr (s_out, "start"));
}

//  SIGTERM through the one mechanism: exit 0, stop told it was a signal;
//  the program's own options reach its callback; --name overrides
static void
test_stop_on_sigterm (void **state)
{
    (void) state;
    hb_service_def_t def = s_def (NULL);
    const char *argv [] = { "hb-test", "--speed", "3", "--fast", "--name", "other", NULL };
    assert_int_equal (s_run (&def, argv), 0);
    assert_string_equal (s_out, "option speed=3\noption fast=(flag)\n"
                                "start name=other config=no\nstop signalled=1\n");
}

//  A handler's -1 ends the loop too; stop says with which code. A start
//  that fails gives its code, and stop still runs.
static void
test_handler_and_start_failures (void **state)
{
    (void) state;
    hb_service_def_t def = s_def ("handler");
    const char *argv [] = { "hb-test", NULL };
    assert_int_equal (s_run (&def, argv), 1);
    assert_string_equal (s_out, "start name=test config=no\nstop signalled=0\n");
    def = s_def ("fail-start");
    assert_int_equal (s_run (&def, argv), 1);
    assert_string_equal (s_out, "start name=test config=no\nstop signalled=0\n");
}

//  A config loads (exit 0 on the signal, the config seen by start)
static void
test_with_config (void **state)
{
    (void) state;
    hb_service_def_t def = s_def (NULL);
    const char *argv [] = { "hb-test", "--config", "config/default.yaml", NULL };
    assert_int_equal (s_run (&def, argv), 0);
    assert_non_null (strstr (s_out, "start name=test config=yes\nstop signalled=1\n"));
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_version_and_help),
        cmocka_unit_test (test_bad_command_lines),
        cmocka_unit_test (test_stop_on_sigterm),
        cmocka_unit_test (test_handler_and_start_failures),
        cmocka_unit_test (test_with_config),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
