/*  hb_killswitch: the hedger's latched kill switch, kept in a file so that
    it survives a restart. The file exists while the switch is set; its one
    line says who set it and why ("<id> <by> <text>"), so that the hedger
    restarted under a kill can still say by whom. An empty or unreadable
    file is a kill all the same ("kill_file" set it).

    Two ways in, one state: hb-hedger kill / reset (the file is created or
    removed by another process; the running hedger sees it at its next
    poll) and the hedger.control bus command (the hedger writes the file
    itself). A kill is latched in memory even when the file cannot be
    written (the hedger must stop now, and says it is not persisted); a
    reset that cannot remove the file leaves the switch set.              */
#ifndef HB_KILLSWITCH_H
#define HB_KILLSWITCH_H

#include <stdbool.h>
#include <stdint.h>
#include "hb_msg.h"

typedef struct _hb_killswitch_t hb_killswitch_t;

//  The switch kept in path (absolute, HB_PATH_MAX), set when the file
//  exists now. NULL on allocation failure.
hb_killswitch_t *hb_killswitch_new (const char *path);

//  NULL-safe; nulls *self_p. The file stays as it is.
void hb_killswitch_destroy (hb_killswitch_t **self_p);

//  True while the switch is set (as of the last poll or set).
bool hb_killswitch_killed (const hb_killswitch_t *self);

//  Who set it, as a command: id, by and text (command HB_CONTROL_KILL);
//  meaningful only while killed.
const hb_hedger_control_t *hb_killswitch_state (const hb_killswitch_t *self);

//  Looks at the file: when it appeared or vanished since the last look (an
//  operator ran hb-hedger kill / reset), the switch follows and *change
//  (when not NULL) says what happened, as the command that did it. Returns
//  1 on a change, 0 otherwise.
int hb_killswitch_poll (hb_killswitch_t *self, hb_hedger_control_t *change);

//  Applies command (kill or reset). A kill writes the file and latches;
//  a reset removes the file and clears. Returns 0, or -1 with errno when
//  the file could not be written (the kill is latched anyway) or removed
//  (the switch stays set).
int hb_killswitch_set (hb_killswitch_t *self, const hb_hedger_control_t *command);

//  Without an object, for hb-hedger kill / reset: writes the file (kill,
//  atomically and durably: a temporary file, fsync, rename, fsync of the
//  directory) or removes it (reset; absent is fine). 0, or -1 with errno.
int hb_killswitch_file_set (const char *path, const hb_hedger_control_t *command);

#endif
