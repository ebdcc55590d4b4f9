/*  hb_rundir: see hb_rundir.h.

    The checks are made with lstat after the directory exists, so the one
    that was just made and the one found there are judged alike.          */
#include "hb_rundir.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

int
hb_rundir_default (char *buf, size_t size)
{
    const char *xdg = getenv ("XDG_RUNTIME_DIR");
    int n = -1;
    if (xdg && xdg [0] == '/')
        n = snprintf (buf, size, "%s/hedgebus", xdg);
    if (n < 0 || (size_t) n >= size) {
        if (geteuid () == 0)
            n = snprintf (buf, size, "/run/hedgebus");
        else
            n = snprintf (buf, size, "/tmp/hedgebus-%u", (unsigned) geteuid ());
    }
    return n > 0 && (size_t) n < size ? 0 : -1;
}

//  One directory above the run directory: root's or ours, and writable by
//  others only when sticky (then nobody can rename what is ours in it).
static int
s_check_parent (const char *path, char *why, size_t size)
{
    struct stat st;
    if (stat (path, &st) != 0) {
        snprintf (why, size, "%s: %s", path, strerror (errno));
        return -1;
    }
    if (st.st_uid != 0 && st.st_uid != geteuid ()) {
        snprintf (why, size, "%s (above the run directory): owned by uid %u, neither root nor this "
                  "user (uid %u)", path, (unsigned) st.st_uid, (unsigned) geteuid ());
        return -1;
    }
    if ((st.st_mode & (S_IWGRP | S_IWOTH)) && !(st.st_mode & S_ISVTX)
    &&  !((st.st_mode & S_IWOTH) == 0 && st.st_gid == getegid ())) {
        snprintf (why, size, "%s (above the run directory): mode %04o, writable by others and "
                  "not sticky", path, (unsigned) (st.st_mode & 07777));
        return -1;
    }
    return 0;
}

int
hb_rundir_check (const char *path, char *why, size_t size)
{
    if (!path || path [0] != '/') {
        snprintf (why, size, "%s: not an absolute path", path ? path : "(null)");
        return -1;
    }
    struct stat st;
    if (lstat (path, &st) != 0) {
        snprintf (why, size, "%s: %s", path, strerror (errno));
        return -1;
    }
    if (S_ISLNK (st.st_mode)) {
        snprintf (why, size, "%s: a symbolic link; refusing it (it could be pointed elsewhere): "
                  "use the real directory", path);
        return -1;
    }
    if (!S_ISDIR (st.st_mode)) {
        snprintf (why, size, "%s: not a directory", path);
        return -1;
    }
    if (st.st_uid != geteuid ()) {
        snprintf (why, size, "%s: owned by uid %u, not by this user (uid %u): another user may "
                  "have made it first; remove it or set run_dir", path, (unsigned) st.st_uid,
                  (unsigned) geteuid ());
        return -1;
    }
    if ((st.st_mode & S_IWOTH) || ((st.st_mode & S_IWGRP) && st.st_gid != getegid ())) {
        snprintf (why, size, "%s: mode %04o, writable by %s: chmod go-w it (or 0700)", path,
                  (unsigned) (st.st_mode & 07777), st.st_mode & S_IWOTH ? "others" : "a group not this process's own");
        return -1;
    }
    //  the directories above: each prefix of the path, "/" included
    char parent [PATH_MAX];
    if (strlen (path) >= sizeof parent) {
        snprintf (why, size, "%s: path too long", path);
        return -1;
    }
    strcpy (parent, path);
    while (true) {
        char *slash = strrchr (parent, '/');
        if (slash != parent)
            *slash = 0;
        else
        if (parent [1] != 0)
            parent [1] = 0;         //  "/" itself, the last one
        else
            break;
        if (s_check_parent (parent, why, size) != 0)
            return -1;
        if (strcmp (parent, "/") == 0)
            break;
    }
    return 0;
}

int
hb_rundir_prepare (const char *path, char *why, size_t size)
{
    if (!path || path [0] != '/') {
        snprintf (why, size, "%s: not an absolute path", path ? path : "(null)");
        return -1;
    }
    char dir [PATH_MAX];
    if (strlen (path) >= sizeof dir) {
        snprintf (why, size, "%s: path too long", path);
        return -1;
    }
    strcpy (dir, path);
    //  the directories above, as mkdir -p (an existing one is fine)
    for (char *at = strchr (dir + 1, '/'); at; at = strchr (at + 1, '/')) {
        *at = 0;
        if (mkdir (dir, 0755) != 0 && errno != EEXIST) {
            snprintf (why, size, "%s: cannot create %s: %s", path, dir, strerror (errno));
            return -1;
        }
        *at = '/';
    }
    //  EEXIST: made by another process of ours starting at the same time,
    //  or by someone else: the check below tells them apart
    if (mkdir (dir, 0700) != 0 && errno != EEXIST) {
        snprintf (why, size, "%s: cannot create it: %s", path, strerror (errno));
        return -1;
    }
    return hb_rundir_check (path, why, size);
}

void
hb_rundir_umask (void)
{
    mode_t old = umask (077);
    umask (old | 007);
}
