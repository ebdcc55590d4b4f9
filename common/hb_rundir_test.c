/*  hb_rundir tests: the default per user, the directory made 0700, and each
    refusal (group or other writable, symlink, another owner, an unsafe
    directory above it). The other-owner case needs root (chown); it is
    skipped otherwise.                                                     */
#include "hb_rundir.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

static char s_top [64];

static int
s_setup (void **state)
{
    (void) state;
    strcpy (s_top, "/tmp/hb_rundir_test.XXXXXX");
    return mkdtemp (s_top) ? 0 : -1;
}

static int
s_teardown (void **state)
{
    (void) state;
    char cmd [256];
    snprintf (cmd, sizeof cmd, "chmod -R u+rwx %s 2>/dev/null; rm -rf %s", s_top, s_top);
    return system (cmd) == 0 ? 0 : -1;
}

static void
test_default (void **state)
{
    (void) state;
    char buf [256], want [64];
    const char *saved = getenv ("XDG_RUNTIME_DIR");
    char *keep = saved ? strdup (saved) : NULL;
    setenv ("XDG_RUNTIME_DIR", "/run/user/4242", 1);
    assert_int_equal (hb_rundir_default (buf, sizeof buf), 0);
    assert_string_equal (buf, "/run/user/4242/hedgebus");
    //  not absolute: ignored, as the XDG spec says
    setenv ("XDG_RUNTIME_DIR", "run/user", 1);
    assert_int_equal (hb_rundir_default (buf, sizeof buf), 0);
    if (geteuid () == 0)
        strcpy (want, "/run/hedgebus");
    else
        snprintf (want, sizeof want, "/tmp/hedgebus-%u", (unsigned) geteuid ());
    assert_string_equal (buf, want);
    unsetenv ("XDG_RUNTIME_DIR");
    assert_int_equal (hb_rundir_default (buf, sizeof buf), 0);
    assert_string_equal (buf, want);
    //  never the old fixed name
    assert_string_not_equal (buf, "/tmp/hedgebus");
    assert_int_equal (hb_rundir_default (buf, 4), -1);
    if (keep)
        setenv ("XDG_RUNTIME_DIR", keep, 1);
    free (keep);
}

static void
test_prepare_makes_0700 (void **state)
{
    (void) state;
    char path [128], why [256];
    snprintf (path, sizeof path, "%s/deep/er/run", s_top);
    assert_int_equal (hb_rundir_prepare (path, why, sizeof why), 0);
    struct stat st;
    assert_int_equal (lstat (path, &st), 0);
    assert_true (S_ISDIR (st.st_mode));
    assert_int_equal (st.st_mode & 0777, 0700);
    //  again: it exists, and is fine
    assert_int_equal (hb_rundir_prepare (path, why, sizeof why), 0);
    assert_int_equal (hb_rundir_check (path, why, sizeof why), 0);
}

static void
test_refuses_writable (void **state)
{
    (void) state;
    char path [128], why [256];
    snprintf (path, sizeof path, "%s/open", s_top);
    assert_int_equal (mkdir (path, 0700), 0);
    assert_int_equal (chmod (path, 0777), 0);
    assert_int_equal (hb_rundir_prepare (path, why, sizeof why), -1);
    assert_non_null (strstr (why, "mode 0777, writable by others"));
    assert_non_null (strstr (why, path));
    assert_int_equal (chmod (path, 0702), 0);
    assert_int_equal (hb_rundir_check (path, why, sizeof why), -1);
    assert_int_equal (chmod (path, 0755), 0);       //  readable is not writable
    assert_int_equal (hb_rundir_check (path, why, sizeof why), 0);
}

static void
test_refuses_symlink_and_file (void **state)
{
    (void) state;
    char real [128], link [128], file [128], why [256];
    snprintf (real, sizeof real, "%s/real", s_top);
    snprintf (link, sizeof link, "%s/link", s_top);
    snprintf (file, sizeof file, "%s/file", s_top);
    assert_int_equal (mkdir (real, 0700), 0);
    assert_int_equal (symlink (real, link), 0);
    assert_int_equal (hb_rundir_prepare (link, why, sizeof why), -1);
    assert_non_null (strstr (why, "symbolic link"));
    FILE *f = fopen (file, "w");
    assert_non_null (f);
    fclose (f);
    assert_int_equal (hb_rundir_prepare (file, why, sizeof why), -1);
    assert_non_null (strstr (why, "not a directory"));
    assert_int_equal (hb_rundir_check ("relative/dir", why, sizeof why), -1);
    assert_int_equal (hb_rundir_check ("/nonexistent-hb-rundir", why, sizeof why), -1);
}

//  A directory above the run directory that anyone may write to, and that
//  is not sticky: whoever can write there can swap the run directory.
static void
test_refuses_unsafe_parent (void **state)
{
    (void) state;
    char parent [128], path [160], why [256];
    snprintf (parent, sizeof parent, "%s/shared", s_top);
    snprintf (path, sizeof path, "%s/run", parent);
    assert_int_equal (mkdir (parent, 0700), 0);
    assert_int_equal (chmod (parent, 0777), 0);
    assert_int_equal (hb_rundir_prepare (path, why, sizeof why), -1);
    assert_non_null (strstr (why, "above the run directory"));
    assert_int_equal (chmod (parent, 01777), 0);    //  sticky, as /tmp
    assert_int_equal (hb_rundir_check (path, why, sizeof why), 0);
}

static void
test_refuses_other_owner (void **state)
{
    (void) state;
    if (geteuid () != 0)
        skip ();        //  only root can give a directory away
    char path [128], why [256];
    snprintf (path, sizeof path, "%s/theirs", s_top);
    assert_int_equal (mkdir (path, 0700), 0);
    assert_int_equal (chown (path, 65534, 65534), 0);       //  nobody
    assert_int_equal (hb_rundir_prepare (path, why, sizeof why), -1);
    assert_non_null (strstr (why, "owned by uid 65534, not by this user"));
}

static void
test_umask (void **state)
{
    (void) state;
    mode_t old = umask (022);
    hb_rundir_umask ();
    mode_t now = umask (old);
    assert_int_equal (now, 027);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_default),
        cmocka_unit_test (test_prepare_makes_0700),
        cmocka_unit_test (test_refuses_writable),
        cmocka_unit_test (test_refuses_symlink_and_file),
        cmocka_unit_test (test_refuses_unsafe_parent),
        cmocka_unit_test (test_refuses_other_owner),
        cmocka_unit_test (test_umask),
    };
    return cmocka_run_group_tests_name ("hb_rundir", tests, s_setup, s_teardown);
}
