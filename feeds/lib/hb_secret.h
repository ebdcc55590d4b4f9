/*  hb_secret: API keys and secrets, from a file or an environment variable,
    never from the config text and never into a log.

    A venue's params name where a secret lives, not the secret itself. For
    a secret called NAME (e.g. "api_secret") the venue's params give exactly
    one of:
        NAME_file: /path/to/file     the whole file, trailing whitespace cut
        NAME_env:  VARIABLE          the value of that environment variable
    A param called NAME itself is refused: a secret written into a config
    file ends up in version control and in backups.

    A file must be a regular file not accessible by group or others (mode
    & 077 == 0, as ssh insists for private keys); otherwise it is refused
    with the path and the mode in the error. Values are 1..HB_SECRET_MAX-1
    bytes without NUL or line breaks inside.

    Errors name the param, the path or the variable, never the value. The
    value is kept in memory only inside the opaque object and wiped on
    destroy. Log lines that might contain it (a request echoed by a venue,
    a URL) go through hb_secret_redact first.                             */
#ifndef HB_SECRET_H
#define HB_SECRET_H

#include <stddef.h>
#include "hb_config.h"

#define HB_SECRET_MAX   4096

typedef struct hb_secret_s hb_secret_t;

//  Loads the secret NAME of venue as described above. Returns NULL when the
//  params give neither or both, give NAME itself, or the file or variable
//  is missing, empty, too long, or (a file) too open; the reason goes to
//  err (errsize bytes, NUL-terminated, may be NULL), naming the param.
hb_secret_t *hb_secret_load (const hb_venue_cfg_t *venue, const char *name,
                             char *err, size_t errsize);

//  The n secrets names[] of venue that belong together (a key and its
//  secret, ...) into out[]: all of them, or none when the params give
//  not one of them (NAME, NAME_file or NAME_env): then out[] is all NULL
//  and the plugin runs without keys. Returns 0, or -1 with err set as
//  hb_secret_load does (and out[] all NULL) when one is given and any of
//  them does not load: half a set of keys is a mistake, not "no keys".
int hb_secret_load_set (const hb_venue_cfg_t *venue, const char *const *names, size_t n,
                        hb_secret_t **out, char *err, size_t errsize);

//  The same from a path, resp. an environment variable name, for callers
//  that do not use venue params (tests, tools). NULL + err as above.
hb_secret_t *hb_secret_from_file (const char *path, char *err, size_t errsize);
hb_secret_t *hb_secret_from_env (const char *variable, char *err, size_t errsize);

//  The secret itself (NUL-terminated) and its length. Hand it to a signing
//  function or a header; never to a log or an error message.
const char *hb_secret_value (const hb_secret_t *self);
size_t hb_secret_len (const hb_secret_t *self);

//  Where it came from, for logs: "file /path" or "env VARIABLE".
const char *hb_secret_origin (const hb_secret_t *self);

//  Copies text into out (out_size bytes, NUL-terminated, truncated if need
//  be) with every occurrence of each non-NULL secret among the n given
//  replaced by "***". Returns out. Cheap enough for error paths; do not
//  put it on a per-message path.
const char *hb_secret_redact (const char *text, const hb_secret_t *const *secrets, size_t n,
                              char *out, size_t out_size);

//  Wipes the value, frees, nulls *self_p. NULL-safe.
void hb_secret_destroy (hb_secret_t **self_p);

#endif
