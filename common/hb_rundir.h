/*  hb_rundir: where a deployment's ipc sockets and journals live (config
    key run_dir), and the rules that keep other local users out of it.

    A fixed name in a world-writable directory (the old /tmp/hedgebus) can
    be made first by any local user, who then owns the sockets every
    process binds and the journals it trusts. So the default is a directory
    of the user's own: $XDG_RUNTIME_DIR/hedgebus (the per-user runtime
    directory a login session gets, 0700), /run/hedgebus for root (what
    systemd's RuntimeDirectory=hedgebus makes), else /tmp/hedgebus-<uid>.

    The run directory is created 0700 and refused, with the reason, when it
    (or an existing directory above it) is not safe:
    - a symbolic link (it could be pointed elsewhere after the check);
    - not owned by this user (root may own the directories above it);
    - writable by others; writable by its group unless that group is this
      process's own group (a deliberate share, such as the systemd unit's
      group hedgebus); a directory above it may be writable by others only
      when sticky (/tmp).                                                  */
#ifndef HB_RUNDIR_H
#define HB_RUNDIR_H

#include <stddef.h>

//  The default run directory into buf (above). Returns 0, or -1 when even
//  /tmp/hedgebus-<uid> does not fit (size too small). An XDG_RUNTIME_DIR
//  that is relative or too long is ignored, as the XDG spec says.
int hb_rundir_default (char *buf, size_t size);

//  Checks path (absolute) against the rules above, without creating
//  anything. Returns 0, or -1 with the reason in why ("/tmp/x: owned by
//  uid 1001, not by this user (uid 1000)"); a missing path is refused too.
int hb_rundir_check (const char *path, char *why, size_t size);

//  Makes path ready for use: the missing directories on the way are made
//  (the last one 0700, those above it as mkdir -p would), then
//  hb_rundir_check. Returns 0, or -1 with the reason in why.
int hb_rundir_prepare (const char *path, char *why, size_t size);

//  Adds "nothing for others" (007) to the process's umask, so the sockets
//  and journals it and its children create are not open to other users
//  even where a directory is shared with a group.
void hb_rundir_umask (void);

#endif
