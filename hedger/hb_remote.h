/*  hb_remote: sends a kill switch command to a running hb-hedger over the
    bus (hb-hedger kill --bus, reset --bus) and waits for its echo.

    It publishes from a component of the config with an endpoint and
    orders: true (by default "console"), which hb-hedger connects to, as
    hb-tap --send-order does to reach the feeds. It sends only when both
    directions are known to work: hb-hedger's subscription to
    hedger.control has arrived (hb_pub_wait_prefix) and a heartbeat of the
    hedger has reached our own subscription (so its echo cannot be missed).
    For operators and tests, not the hot path.                             */
#ifndef HB_REMOTE_H
#define HB_REMOTE_H

#include <stdio.h>
#include "hb_config.h"
#include "hb_msg.h"

//  Sends command (its id filled in as "<by>.<wall ns>" when empty) from
//  component and writes the command and hb-hedger's answer to out as JSON
//  lines. Returns 0 when the hedger echoed it (applied), -1 (logged) on a
//  wrong component, a bus failure, a refusal (hedger.reject with the
//  command's id: stale_control, reset_failed) or no answer in timeout_ms.
int hb_remote_control (const hb_config_t *cfg, const char *component,
                       hb_hedger_control_t *command, int timeout_ms, FILE *out);

#endif
