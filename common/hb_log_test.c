/*  hb_log tests: level parsing and the complaint back-off. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "hb_log.h"

static void
test_level_parse (void **state)
{
    (void) state;
    hb_log_level_t level = HB_LOG_ERROR;
    assert_int_equal (hb_log_level_parse ("debug", &level), 0);
    assert_int_equal (level, HB_LOG_DEBUG);
    assert_int_equal (hb_log_level_parse ("warn", &level), 0);
    assert_int_equal (level, HB_LOG_WARN);
    assert_int_equal (hb_log_level_parse ("loud", &level), -1);
    assert_int_equal (hb_log_level_parse (NULL, &level), -1);
}

static void
test_enabled (void **state)
{
    (void) state;
    unsetenv ("HB_LOG_LEVEL");
    hb_log_init ("test", HB_LOG_WARN);
    assert_true (hb_log_enabled (HB_LOG_ERROR));
    assert_true (hb_log_enabled (HB_LOG_WARN));
    assert_false (hb_log_enabled (HB_LOG_INFO));
    setenv ("HB_LOG_LEVEL", "debug", 1);
    hb_log_init ("test", HB_LOG_WARN);
    assert_true (hb_log_enabled (HB_LOG_DEBUG));
    assert_string_equal (hb_log_component (), "test");
    unsetenv ("HB_LOG_LEVEL");
}

//  A burst of 1000 complaints prints once; the rest are counted.
static void
test_complain_rate_limited (void **state)
{
    (void) state;
    hb_log_init ("test", HB_LOG_INFO);
    hb_complain_t c = HB_COMPLAIN_INIT;
    for (int i = 0; i < 1000; i++)
        hb_complain (&c, HB_LOG_WARN, "bad thing %d", i);
    assert_int_equal (c.total, 1000);
    assert_int_equal (c.suppressed, 999);
    assert_true (c.interval_ns > 0);
    hb_complain_release (&c, "bad thing cleared");
    assert_int_equal (c.interval_ns, 0);
    assert_int_equal (c.suppressed, 0);
    //  after release the next one prints again
    hb_complain (&c, HB_LOG_WARN, "bad thing again");
    assert_int_equal (c.suppressed, 0);
}

//  Bytes from outside cannot forge a second log line or send terminal
//  escapes: every control byte comes out as \xNN, the line stays one line.
static void
test_control_bytes_escaped (void **state)
{
    (void) state;
    hb_log_init ("test", HB_LOG_INFO);
    char path [] = "/tmp/hb_log_test.XXXXXX";
    int fd = mkstemp (path);
    assert_true (fd >= 0);
    fflush (stderr);
    int saved = dup (2);
    assert_int_equal (dup2 (fd, 2), 2);
    hb_log (HB_LOG_WARN, "request from %s", "x\n2026-01-01T00:00:00.000Z hedger ERROR forged\x1b[2J\x7f");
    fflush (stderr);
    dup2 (saved, 2);
    close (saved);
    char text [512] = "";
    assert_true (pread (fd, text, sizeof text - 1, 0) > 0);
    close (fd);
    unlink (path);
    char *nl = strchr (text, '\n');
    assert_non_null (nl);
    assert_int_equal (nl [1], 0);               //  exactly one line
    assert_non_null (strstr (text, "request from x\\x0a2026-01-01T00:00:00.000Z hedger ERROR forged\\x1b[2J\\x7f"));
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_level_parse),
        cmocka_unit_test (test_enabled),
        cmocka_unit_test (test_complain_rate_limited),
        cmocka_unit_test (test_control_bytes_escaped),
    };
    return cmocka_run_group_tests_name ("hb_log", tests, NULL, NULL);
}
