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
/*  Replay (docs/OPERATIONS.md, Replay and determinism): what the file
    said is an input like any other. hb_killswitch_look reads it (the only
    disk access), hb_killswitch_observe applies a look as poll would, and
    a look travels in the application log as HB_KILLSWITCH_LOOK_SIZE bytes
    (hb_killswitch_look_encode / _decode), so a replay never reads a kill
    file: it applies what the live process saw.                           */
#ifndef HB_KILLSWITCH_H
#define HB_KILLSWITCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "hb_msg.h"

typedef struct _hb_killswitch_t hb_killswitch_t;

//  One look at the kill file: there or not, and (there) who set it
typedef struct {
    bool     present;
    hb_hedger_control_t state;      //  id, by, text (command HB_CONTROL_KILL)
} hb_killswitch_look_t;

//  u8 present, id, by, text (fixed sizes, NUL-padded)
#define HB_KILLSWITCH_LOOK_SIZE (1 + HB_ID_MAX + HB_NAME_MAX + HB_TEXT_MAX)

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

//  Looks at the file at path: present, and (when read_state) who set it,
//  as hb_killswitch_new would read it. The state is left zero otherwise.
void hb_killswitch_look (const char *path, bool read_state, hb_killswitch_look_t *look);

//  What the last look (or set) found: present = the file was there.
void hb_killswitch_seen (const hb_killswitch_t *self, hb_killswitch_look_t *look);

//  Applies look as poll applies the file (poll is look + observe): returns
//  1 on a change (*change, when not NULL, says what), 0 otherwise.
int hb_killswitch_observe (hb_killswitch_t *self, const hb_killswitch_look_t *look,
                           hb_hedger_control_t *change);

//  A look as HB_KILLSWITCH_LOOK_SIZE bytes into out, and back. decode: 0,
//  or -1 when the bytes are not a look (size, or a name not terminated).
void hb_killswitch_look_encode (const hb_killswitch_look_t *look, uint8_t *out);
int hb_killswitch_look_decode (const uint8_t *data, size_t size, hb_killswitch_look_t *look);

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
