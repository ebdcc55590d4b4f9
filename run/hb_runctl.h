/*  hb_runctl: hb-run's control endpoint, and the client that talks to it
    (hb-run --config F status | restart NAME, from another terminal).

    hb-run binds a ZeroMQ REP socket on ipc://<run_dir>/hb-run.ctl (or
    hb-run.<host>.ctl for a host other than the default one: the hosts of
    one deployment may share a file system), mode
    0600: only the user that runs hb-run (or root) may ask it anything. It
    is served by the supervisor's own reactor, so a request is answered
    between two events and never races a restart.

    Request: one frame "status", or two frames "restart", NAME.
    Reply:   two frames, "ok" or "error", then text for a person (status: a
    table with a header line, one line per component:
        NAME STATE PID RESTARTS DELAY_MS RETRY_IN_MS LAST_EXIT
    STATE running, backing-off, stopped or idle; DELAY_MS the back-off
    before the latest restart, RETRY_IN_MS the time left until the next
    one (- when not backing off); LAST_EXIT the reason of the last exit, to
    the end of the line, "-" before one).                                  */
#ifndef HB_RUNCTL_H
#define HB_RUNCTL_H

#include <stdio.h>
#include "hb_supervisor.h"

#define HB_RUNCTL_FILE  "hb-run.ctl"

typedef struct _hb_runctl_t hb_runctl_t;

//  Binds the control endpoint of sup in run_dir (host: NULL for the
//  default host, else its name) and serves it from sup's
//  reactor. Returns NULL, with the reason logged, when another live
//  process serves that socket already (a second hb-run on the same
//  run_dir) or the bind fails. sup must outlive the result.
hb_runctl_t *hb_runctl_new (hb_supervisor_t *sup, const char *run_dir, const char *host);

//  Unbinds, removes the socket file, frees. NULL-safe; nulls *self_p.
void hb_runctl_destroy (hb_runctl_t **self_p);

//  The status table of sup (above) into buf, always terminated; cut when
//  it does not fit. Returns the length it needed (like snprintf).
int hb_runctl_status (hb_supervisor_t *sup, char *buf, size_t size);

//  The client: sends argv (argc 1: "status"; argc 2: "restart", NAME) to
//  the hb-run serving run_dir, prints the reply's text on out (ok) or err
//  (error), waits up to timeout_ms for it. Returns an exit status: 0 ok,
//  1 an error reply, no hb-run there or no answer, 2 a bad request (also
//  printed on err).
int hb_runctl_request (const char *run_dir, const char *host, int argc, char *const argv [],
                       int timeout_ms, FILE *out, FILE *err);

#endif
