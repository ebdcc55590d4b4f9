/*  hb_secret: secrets from files or the environment. See hb_secret.h.     */
#include "hb_secret.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <openssl/crypto.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct hb_secret_s {
    char   value [HB_SECRET_MAX];
    size_t len;
    char   origin [HB_PATH_MAX + 8];
};

static void
s_err (char *err, size_t errsize, const char *format, ...) __attribute__ ((format (printf, 3, 4)));

static void
s_err (char *err, size_t errsize, const char *format, ...)
{
    if (!err || !errsize)
        return;
    va_list args;
    va_start (args, format);
    vsnprintf (err, errsize, format, args);
    va_end (args);
}

//  Takes value[0..len), cuts trailing whitespace, checks what is left.
static hb_secret_t *
s_new (const char *value, size_t len, const char *origin, char *err, size_t errsize)
{
    while (len > 0 && (value [len - 1] == '\n' || value [len - 1] == '\r'
                    || value [len - 1] == ' ' || value [len - 1] == '\t'))
        len--;
    if (len == 0) {
        s_err (err, errsize, "%s: empty", origin);
        return NULL;
    }
    if (len >= HB_SECRET_MAX) {
        s_err (err, errsize, "%s: longer than %d bytes", origin, HB_SECRET_MAX - 1);
        return NULL;
    }
    for (size_t i = 0; i < len; i++)
        if (value [i] == 0 || value [i] == '\n' || value [i] == '\r') {
            s_err (err, errsize, "%s: holds a NUL or a line break", origin);
            return NULL;
        }
    hb_secret_t *self = (hb_secret_t *) calloc (1, sizeof *self);
    if (!self) {
        s_err (err, errsize, "%s: out of memory", origin);
        return NULL;
    }
    memcpy (self->value, value, len);
    self->len = len;
    snprintf (self->origin, sizeof self->origin, "%s", origin);
    return self;
}

hb_secret_t *
hb_secret_from_file (const char *path, char *err, size_t errsize)
{
    char origin [HB_PATH_MAX + 8];
    snprintf (origin, sizeof origin, "file %s", path ? path : "(null)");
    if (!path || !*path) {
        s_err (err, errsize, "secret file: no path");
        return NULL;
    }
    //  fstat the descriptor we read, so the file checked is the file read
    int fd = open (path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        s_err (err, errsize, "%s: %s", origin, strerror (errno));
        return NULL;
    }
    struct stat st;
    if (fstat (fd, &st) || !S_ISREG (st.st_mode)) {
        s_err (err, errsize, "%s: not a regular file", origin);
        close (fd);
        return NULL;
    }
    if (st.st_mode & 077) {
        s_err (err, errsize, "%s: mode %03o lets group or others in: chmod 600 it",
               origin, (unsigned) (st.st_mode & 0777));
        close (fd);
        return NULL;
    }
    char buf [HB_SECRET_MAX + 1];
    size_t len = 0;
    while (len < sizeof buf) {
        ssize_t n = read (fd, buf + len, sizeof buf - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            s_err (err, errsize, "%s: %s", origin, strerror (errno));
            close (fd);
            OPENSSL_cleanse (buf, sizeof buf);
            return NULL;
        }
        if (n == 0)
            break;
        len += (size_t) n;
    }
    close (fd);
    hb_secret_t *self = s_new (buf, len, origin, err, errsize);
    OPENSSL_cleanse (buf, sizeof buf);
    return self;
}

hb_secret_t *
hb_secret_from_env (const char *variable, char *err, size_t errsize)
{
    char origin [HB_PATH_MAX + 8];
    snprintf (origin, sizeof origin, "env %s", variable ? variable : "(null)");
    const char *value = variable && *variable ? getenv (variable) : NULL;
    if (!value) {
        s_err (err, errsize, "%s: not set", origin);
        return NULL;
    }
    return s_new (value, strlen (value), origin, err, errsize);
}

hb_secret_t *
hb_secret_load (const hb_venue_cfg_t *venue, const char *name, char *err, size_t errsize)
{
    char key [HB_NAME_MAX + 8];
    if (hb_venue_param (venue, name)) {
        s_err (err, errsize, "params.%s: secrets are not read from the config text; "
               "give %s_file or %s_env", name, name, name);
        return NULL;
    }
    snprintf (key, sizeof key, "%s_file", name);
    const char *file = hb_venue_param (venue, key);
    snprintf (key, sizeof key, "%s_env", name);
    const char *env = hb_venue_param (venue, key);
    if (!file == !env) {
        s_err (err, errsize, "params: give exactly one of %s_file and %s_env", name, name);
        return NULL;
    }
    char why [HB_PATH_MAX + 128];
    hb_secret_t *self = file ? hb_secret_from_file (file, why, sizeof why)
                             : hb_secret_from_env (env, why, sizeof why);
    if (!self)
        s_err (err, errsize, "params.%s_%s: %s", name, file ? "file" : "env", why);
    return self;
}

int
hb_secret_load_set (const hb_venue_cfg_t *venue, const char *const *names, size_t n,
                    hb_secret_t **out, char *err, size_t errsize)
{
    bool given = false;
    for (size_t i = 0; i < n; i++) {
        out [i] = NULL;
        char file [HB_NAME_MAX + 8], env [HB_NAME_MAX + 8];
        snprintf (file, sizeof file, "%s_file", names [i]);
        snprintf (env, sizeof env, "%s_env", names [i]);
        given |= hb_venue_param (venue, names [i]) || hb_venue_param (venue, file)
              || hb_venue_param (venue, env);
    }
    for (size_t i = 0; given && i < n; i++)
        if (!(out [i] = hb_secret_load (venue, names [i], err, errsize))) {
            while (i-- > 0)
                hb_secret_destroy (&out [i]);
            return -1;
        }
    return 0;
}

const char *
hb_secret_value (const hb_secret_t *self)
{
    return self->value;
}

size_t
hb_secret_len (const hb_secret_t *self)
{
    return self->len;
}

const char *
hb_secret_origin (const hb_secret_t *self)
{
    return self->origin;
}

const char *
hb_secret_redact (const char *text, const hb_secret_t *const *secrets, size_t n,
                  char *out, size_t out_size)
{
    if (!out || !out_size)
        return out;
    size_t o = 0;
    const char *p = text ? text : "";
    while (*p && o + 1 < out_size) {
        size_t hit = 0;
        for (size_t i = 0; i < n && !hit; i++)
            if (secrets [i] && strncmp (p, secrets [i]->value, secrets [i]->len) == 0)
                hit = secrets [i]->len;
        if (hit) {
            for (const char *r = "***"; *r && o + 1 < out_size; r++)
                out [o++] = *r;
            p += hit;
        }
        else
            out [o++] = *p++;
    }
    out [o] = 0;
    return out;
}

void
hb_secret_destroy (hb_secret_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    OPENSSL_cleanse (*self_p, sizeof **self_p);
    free (*self_p);
    *self_p = NULL;
}
