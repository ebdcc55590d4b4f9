/*  hb_tls: the TLS params of a venue, read and checked once at plugin
    create, for the hb_ws_cfg_t and hb_rest_cfg_t of the plugin.

    A venue's params may give:
        ca_file:  /path/to/bundle.pem   trust this PEM bundle instead of
                                        the system's store (a venue's test
                                        environment, a pinned CA)
        insecure: "true" | "false"      "true" skips certificate checks
                                        (tests against a self-signed server
                                        only, never a venue)
    Checking here rather than leaving it to the first connection makes a
    typo in a path a load error naming the param, not a reconnect loop of
    handshake failures minutes later.                                    */
#ifndef HB_TLS_H
#define HB_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include "hb_config.h"

typedef struct {
    const char *ca_file;            //  NULL: the system's store (points into venue)
    bool        insecure;
} hb_tls_params_t;

//  Reads venue's ca_file and insecure into out. 0, or -1 with the reason
//  in err (errsize bytes, NUL-terminated, may be NULL), naming the param
//  and its value, when ca_file is empty, cannot be read (missing, no
//  permission, not a regular file), or insecure is not "true" or "false".
int hb_tls_params (const hb_venue_cfg_t *venue, hb_tls_params_t *out, char *err, size_t errsize);

#endif
