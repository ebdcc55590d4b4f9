/*  hb_tls: the TLS params of a venue (hb_tls.h).                        */
#include "hb_tls.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

//  Why path cannot serve as a CA bundle, or NULL when it can be read.
static const char *
s_unreadable (const char *path)
{
    struct stat st;
    if (!*path)
        return "empty path";
    if (stat (path, &st))
        return strerror (errno);
    if (!S_ISREG (st.st_mode))
        return "not a regular file";
    if (access (path, R_OK))
        return strerror (errno);
    return NULL;
}

int
hb_tls_params (const hb_venue_cfg_t *venue, hb_tls_params_t *out, char *err, size_t errsize)
{
    out->ca_file = NULL;
    out->insecure = false;
    const char *insecure = hb_venue_param (venue, "insecure");
    if (insecure && strcmp (insecure, "true") && strcmp (insecure, "false")) {
        if (err && errsize)
            snprintf (err, errsize, "params.insecure: '%s' is not true or false", insecure);
        return -1;
    }
    out->insecure = insecure && strcmp (insecure, "true") == 0;
    const char *ca_file = hb_venue_param (venue, "ca_file");
    const char *why = ca_file ? s_unreadable (ca_file) : NULL;
    if (why) {
        if (err && errsize)
            snprintf (err, errsize, "params.ca_file: '%s': %s", ca_file, why);
        return -1;
    }
    out->ca_file = ca_file;
    return 0;
}
