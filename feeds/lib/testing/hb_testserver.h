/*  hb_testserver: tests/venues/venue_server.py on loopback as a child
    process, for testing the venue library and plugins in one process, with
    an optional throw-away TLS certificate.

    The server plays a JSON script (see venue_server.py's docstring) on
    ephemeral ports and dies with the test (SIGTERM on destroy, and its own
    --timeout should the test crash). Certificates are made at run time with
    `openssl req -x509 -newkey ec` in the server's temp dir, which destroy
    removes: no key is ever committed.

    Tests only: runs from the repo root (the tests' cwd), forks, blocks. */
#ifndef HB_TESTSERVER_H
#define HB_TESTSERVER_H

#include <stddef.h>

typedef struct hb_testserver_s hb_testserver_t;

//  A self-signed EC (P-256) certificate for 127.0.0.1 (CN and IP SAN),
//  valid one day: dir/name.crt and dir/name.key (mode 600). The
//  certificate is its own CA: give it as ca_file to trust the server.
//  0, or -1 when openssl fails (its stderr shows why).
int hb_testserver_make_cert (const char *dir, const char *name);

//  Starts venue_server.py with script (JSON text) in a new temp dir;
//  over TLS when cert and key (PEM paths) are given. Waits (10 s at most)
//  until it listens. NULL when it cannot be started.
hb_testserver_t *hb_testserver_new (const char *script, const char *cert, const char *key);

//  SIGTERM, waits for the child, removes the temp dir, nulls *self_p.
//  NULL-safe.
void hb_testserver_destroy (hb_testserver_t **self_p);

//  Its WebSocket and HTTP ports.
int hb_testserver_ws_port (const hb_testserver_t *self);
int hb_testserver_http_port (const hb_testserver_t *self);

//  Its temp dir (a test may keep files there; removed on destroy).
const char *hb_testserver_dir (const hb_testserver_t *self);

//  How many lines of the server's event log (--log) contain text.
size_t hb_testserver_logged (const hb_testserver_t *self, const char *text);

#endif
