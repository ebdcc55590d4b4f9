/*  hb_killswitch: the latched kill switch in a file (hb_killswitch.h).    */
#include "hb_killswitch.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hb_config.h"

struct _hb_killswitch_t {
    char     path [HB_PATH_MAX];
    bool     killed;
    bool     file_seen;             //  the file existed at the last look
    hb_hedger_control_t state;      //  who set it
};

//  Who set it, from the file's line; "kill_file" when it says nothing usable
static void
s_read (const char *path, hb_hedger_control_t *state)
{
    memset (state, 0, sizeof *state);
    state->command = HB_CONTROL_KILL;
    strcpy (state->id, "kill_file");
    strcpy (state->by, "kill_file");
    FILE *file = fopen (path, "r");
    if (!file)
        return;
    char line [HB_ID_MAX + HB_NAME_MAX + HB_TEXT_MAX + 8];
    char id [HB_ID_MAX] = "", by [HB_NAME_MAX] = "", text [HB_TEXT_MAX] = "";
    if (fgets (line, sizeof line, file)
    &&  sscanf (line, "%47s %31s %95[^\n]", id, by, text) >= 2 && hb_name_valid (by)) {
        snprintf (state->id, sizeof state->id, "%s", id);
        snprintf (state->by, sizeof state->by, "%s", by);
        snprintf (state->text, sizeof state->text, "%s", text);
    }
    fclose (file);
}

hb_killswitch_t *
hb_killswitch_new (const char *path)
{
    assert (path);
    hb_killswitch_t *self = (hb_killswitch_t *) calloc (1, sizeof *self);
    if (!self)
        return NULL;
    snprintf (self->path, sizeof self->path, "%s", path);
    hb_killswitch_poll (self, NULL);
    return self;
}

void
hb_killswitch_destroy (hb_killswitch_t **self_p)
{
    assert (self_p);
    free (*self_p);
    *self_p = NULL;
}

bool
hb_killswitch_killed (const hb_killswitch_t *self)
{
    assert (self);
    return self->killed;
}

const hb_hedger_control_t *
hb_killswitch_state (const hb_killswitch_t *self)
{
    assert (self);
    return &self->state;
}

void
hb_killswitch_look (const char *path, bool read_state, hb_killswitch_look_t *look)
{
    assert (path && look);
    memset (look, 0, sizeof *look);
    look->present = access (path, F_OK) == 0;
    if (look->present && read_state)
        s_read (path, &look->state);
}

void
hb_killswitch_seen (const hb_killswitch_t *self, hb_killswitch_look_t *look)
{
    assert (self && look);
    memset (look, 0, sizeof *look);
    look->present = self->file_seen;
    if (self->file_seen)
        look->state = self->state;
}

int
hb_killswitch_observe (hb_killswitch_t *self, const hb_killswitch_look_t *look,
                       hb_hedger_control_t *change)
{
    assert (self && look);
    if (look->present == self->file_seen)
        return 0;
    self->file_seen = look->present;
    hb_hedger_control_t what;
    if (look->present) {
        self->state = look->state;
        self->killed = true;
        what = self->state;
    }
    else {
        //  Only an edge clears it: a kill latched in memory because the
        //  file could not be written never had a file to lose.
        self->killed = false;
        memset (&what, 0, sizeof what);
        what.command = HB_CONTROL_RESET;
        strcpy (what.id, "kill_file");
        strcpy (what.by, "kill_file");
        strcpy (what.text, "kill file removed");
    }
    if (change)
        *change = what;
    return 1;
}

int
hb_killswitch_poll (hb_killswitch_t *self, hb_hedger_control_t *change)
{
    assert (self);
    hb_killswitch_look_t look;
    hb_killswitch_look (self->path, false, &look);
    if (look.present == self->file_seen)
        return 0;                   //  the file is read only on an edge
    if (look.present)
        s_read (self->path, &look.state);
    return hb_killswitch_observe (self, &look, change);
}

void
hb_killswitch_look_encode (const hb_killswitch_look_t *look, uint8_t *out)
{
    assert (look && out);
    memset (out, 0, HB_KILLSWITCH_LOOK_SIZE);
    out [0] = look->present ? 1 : 0;
    //  each field NUL-padded to its size (the zeroes above)
    memcpy (out + 1, look->state.id, strnlen (look->state.id, HB_ID_MAX - 1));
    memcpy (out + 1 + HB_ID_MAX, look->state.by, strnlen (look->state.by, HB_NAME_MAX - 1));
    memcpy (out + 1 + HB_ID_MAX + HB_NAME_MAX, look->state.text,
            strnlen (look->state.text, HB_TEXT_MAX - 1));
}

int
hb_killswitch_look_decode (const uint8_t *data, size_t size, hb_killswitch_look_t *look)
{
    assert (data && look);
    const char *id = (const char *) data + 1, *by = id + HB_ID_MAX, *text = by + HB_NAME_MAX;
    if (size != HB_KILLSWITCH_LOOK_SIZE || data [0] > 1 || !memchr (id, 0, HB_ID_MAX)
    ||  !memchr (by, 0, HB_NAME_MAX) || !memchr (text, 0, HB_TEXT_MAX))
        return -1;
    memset (look, 0, sizeof *look);
    look->present = data [0] == 1;
    if (look->present) {
        look->state.command = HB_CONTROL_KILL;
        snprintf (look->state.id, sizeof look->state.id, "%s", id);
        snprintf (look->state.by, sizeof look->state.by, "%s", by);
        snprintf (look->state.text, sizeof look->state.text, "%s", text);
    }
    return 0;
}

int
hb_killswitch_set (hb_killswitch_t *self, const hb_hedger_control_t *command)
{
    assert (self && command);
    int rc = hb_killswitch_file_set (self->path, command);
    int err = errno;
    if (command->command == HB_CONTROL_KILL) {
        self->killed = true;
        self->state = *command;
        self->state.canceled = 0;
        if (rc == 0)
            self->file_seen = true;
    }
    else
    if (rc == 0) {
        self->killed = false;
        self->file_seen = false;
    }
    errno = err;
    return rc;
}

//  fsync of the directory that holds path: the rename is durable
static int
s_sync_dir (const char *path)
{
    char copy [HB_PATH_MAX];
    snprintf (copy, sizeof copy, "%s", path);
    int fd = open (dirname (copy), O_RDONLY | O_DIRECTORY);
    if (fd < 0)
        return -1;
    int rc = fsync (fd);
    int err = errno;
    close (fd);
    errno = err;
    return rc;
}

int
hb_killswitch_file_set (const char *path, const hb_hedger_control_t *command)
{
    assert (path && command);
    if (command->command != HB_CONTROL_KILL) {
        if (unlink (path) != 0 && errno != ENOENT)
            return -1;
        return s_sync_dir (path);
    }
    char tmp [HB_PATH_MAX + 8];
    snprintf (tmp, sizeof tmp, "%s.tmp", path);
    int fd = open (tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        return -1;
    //  one line: the text came from the bus and may hold a newline
    char text [HB_TEXT_MAX];
    snprintf (text, sizeof text, "%s", command->text);
    for (char *c = text; *c; c++)
        if ((unsigned char) *c < 0x20)
            *c = ' ';
    char line [HB_ID_MAX + HB_NAME_MAX + HB_TEXT_MAX + 8];
    int n = snprintf (line, sizeof line, "%s %s %s\n", command->id, command->by, text);
    if (n < 0 || (size_t) n >= sizeof line)
        n = (int) strlen (line);
    int rc = write (fd, line, (size_t) n) == n && fsync (fd) == 0 ? 0 : -1;
    int err = errno;
    close (fd);
    if (rc == 0 && rename (tmp, path) != 0) {
        err = errno;
        rc = -1;
    }
    if (rc != 0) {
        unlink (tmp);
        errno = err;
        return -1;
    }
    return s_sync_dir (path);
}
