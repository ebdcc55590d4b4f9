/*  hb_launch: what hb-run starts on one host, and the checks made before
    anything starts.

    From the config: one "feed.<venue>" (hb-feed --config F --venue V) per
    enabled venue assigned to the host, and one child per enabled component
    assigned to it that has a program (aggregator, risk and hedger by
    default: hb-<name> --config F). Programs are looked up in bindir (the
    directory of hb-run itself) unless the config gives an absolute path.

    Every problem is printed to err as "FILE:LINE: key.path: message" (or
    "FILE: message" when no line applies), all of them, before any child
    starts, so a deployment never half-starts on a mistake.                 */
#ifndef HB_LAUNCH_H
#define HB_LAUNCH_H

#include <stdio.h>
#include "hb_config.h"
#include "hb_supervisor.h"

//  The host to run: requested when not NULL (it must be in hosts:), else
//  the default host (the one marked default, the only one, or "local"
//  without a hosts: section). Returns NULL, with the reason on err, when
//  requested is unknown or no host can be chosen.
const hb_host_cfg_t *hb_launch_host (const hb_config_t *cfg, const char *requested, FILE *err);

//  Adds the children of host to sup: config_path is what they get as
//  --config (pass an absolute path: children may not share the cwd).
//  Each venue's config is checked by its program first (hb-feed --check:
//  the plugin's own sections). Returns the number added, or -1 when a
//  program is missing or not executable, a venue's check fails (each one
//  reported) or sup refuses a child; nothing is started either way.
int hb_launch_plan (const hb_config_t *cfg, const hb_host_cfg_t *host, const char *bindir,
                    const char *config_path, hb_supervisor_t *sup, FILE *err);

//  Checks every endpoint that a child of host binds: a tcp port already in
//  use, a tcp address that is not on this machine, an ipc socket that a
//  running process still serves; and, when the config has CURVE endpoints
//  (hb_curve.h), the key files: every public certificate the deployment
//  needs and the secret one of each child of host (present, mode 0600 or
//  stricter, a key pair). Returns the number of problems (0: all well),
//  each reported.
int hb_launch_preflight (const hb_config_t *cfg, const hb_host_cfg_t *host, FILE *err);

#endif
