/*  hb_curve: CURVE security on the bus, set up once per process.

    The rule (hb_config_endpoint_curve): a tcp endpoint off loopback is
    served and reached with CURVE only; ipc:// and tcp on loopback stay
    plain unless security.loopback says otherwise. Certificates live in
    security.keys_dir, one per process, in czmq's zcert format:
    NAME.key (public) and NAME.key_secret (mode 0600), made by hb-keygen.
    NAME is "feed.<venue>" for hb-feed, the component's name for a
    component (aggregator, risk, hedger, console), the tool's for an
    operator tool (tap, top, record, replay; --key NAME to change it).

    hb_curve_start, called once by a process after loading its config and
    before it makes any socket, loads
    - its own certificate (refused when the secret file is readable by
      group or others),
    - the public certificate of the owner of every CURVE endpoint (so a
      client knows the server it talks to, and talks to no other),
    - the public certificates of security.allow,
    and starts one zauth actor, the ZAP handler of the process's zmq
    context, that lets in exactly those allowed client keys.
    hb_curve_server / hb_curve_client then configure a socket for an
    endpoint just before it is bound / connected; hb_pub and hb_sub do this
    themselves, so a publisher or subscriber needs nothing more. A CURVE
    server also sets a ZAP domain and ZMQ_ZAP_ENFORCE_DOMAIN: a connection
    that no ZAP handler approves is refused, never let in.

    Without hb_curve_start (unit tests, a config without CURVE endpoints)
    nothing changes for ipc and loopback tcp, and a tcp endpoint off
    loopback is refused: without keys the process cannot secure it.       */
#ifndef HB_CURVE_H
#define HB_CURVE_H

#include <czmq.h>
#include <stdio.h>
#include "hb_config.h"

//  True when name can be a certificate name: 1 to HB_KEY_NAME_MAX - 1 of
//  A-Z a-z 0-9 . _ : - not starting with a dot.
bool hb_curve_name_valid (const char *name);

//  Checks the public certificates the config needs on every host: the
//  owner of each CURVE endpoint and each name in security.allow (present,
//  readable, a valid public key). Every problem goes to err as
//  "FILE:LINE: security.keys_dir: message". Returns the number of
//  problems; 0 when the config has no CURVE endpoint.
int hb_curve_check_public (const hb_config_t *cfg, FILE *err);

//  Checks the certificate of process name on this host: NAME.key_secret
//  present, not readable or writable by group or others, holding a key
//  pair. Reported like hb_curve_check_public; 0 when the config has no
//  CURVE endpoint.
int hb_curve_check_secret (const hb_config_t *cfg, const char *name, FILE *err);

//  Sets CURVE up for this process as certificate name (see above); the
//  checks above run first and report on stderr. Does nothing and returns 0
//  when the config has no CURVE endpoint. Returns -1 when a key file is
//  missing, unsafe or bad, or zauth cannot start: the process must exit
//  (status 2) before touching the bus. Once per process: a second call
//  without hb_curve_stop is a caller bug (asserts). What it loaded is
//  released at exit, or by hb_curve_stop.
int hb_curve_start (const hb_config_t *cfg, const char *name);

//  Stops zauth and forgets the keys. NULL-safe in spirit: does nothing
//  when not started. For tests; processes may leave it to exit.
void hb_curve_stop (void);

//  True after a successful hb_curve_start that loaded keys.
bool hb_curve_active (void);

//  Makes sock a CURVE server for endpoint when the endpoint needs it (with
//  this process's certificate, the ZAP domain enforced); call before
//  zsock_bind. Returns 0 (also when nothing was needed), or -1, logged,
//  when the endpoint needs CURVE and the process has no keys, or the
//  endpoint belongs to another process's certificate or to none.
int hb_curve_server (zsock_t *sock, const char *endpoint);

//  Makes sock a CURVE client of endpoint's server when the endpoint needs
//  it, or a plain one when it does not (one socket may connect to both
//  kinds: the setting applies to the next connect); call before
//  zsock_connect. Returns 0, or -1, logged, when the endpoint needs CURVE
//  and the process has no keys, or no process of the config serves it.
int hb_curve_client (zsock_t *sock, const char *endpoint);

//  Writes a new certificate NAME into dir (created if needed): dir/NAME.key
//  (public, 0644) and dir/NAME.key_secret (0600). An existing file is kept
//  unless force. On success copies the public key (Z85, 41 bytes) into
//  public_txt when not NULL and returns 0; -1, logged, with errno EINVAL
//  (bad name or path), EEXIST (a file exists) or the file system's error.
int hb_curve_keygen (const char *dir, const char *name, bool force, char *public_txt);

#endif
