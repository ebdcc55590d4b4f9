/*  hb_heartbeat: the part of a heartbeat every process fills the same way.
    Each process publishes hb.<component> every second with its counters
    (docs/PROTOCOL.md, heartbeat); the bus counters come from its publisher
    and subscriber, the rest (messages in, drops, status) is its own.       */
#ifndef HB_HEARTBEAT_H
#define HB_HEARTBEAT_H

#include <stdint.h>
#include "hb_msg.h"
#include "hb_pub.h"
#include "hb_sub.h"

//  Clears msg and makes it a heartbeat of component: type, receive time
//  (now), uptime since started_mono (hb_mono_ns at start), messages sent
//  by pub, and the gaps, decode errors and publisher restarts seen by sub,
//  and sub's bus latency since the previous heartbeat (hb_sub_latency).
//  pub or sub may be NULL (their counters stay 0). The caller sets
//  msgs_in, drops, queue_depth, status (and overrides what it counts
//  better itself), then publishes it with hb_pub_send.
void hb_heartbeat_begin (hb_msg_t *msg, const char *component, int64_t started_mono,
                         hb_pub_t *pub, hb_sub_t *sub);

#endif
