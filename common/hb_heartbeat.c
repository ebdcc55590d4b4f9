/*  hb_heartbeat: see hb_heartbeat.h. */
#include "hb_heartbeat.h"
#include "hb_time.h"

#include <string.h>

void
hb_heartbeat_begin (hb_msg_t *msg, const char *component, int64_t started_mono,
                    hb_pub_t *pub, hb_sub_t *sub)
{
    memset (msg, 0, sizeof *msg);
    msg->env.type = HB_MSG_HEARTBEAT;
    msg->env.ts_recv = hb_wall_ns ();
    hb_heartbeat_t *hb = &msg->u.heartbeat;
    snprintf (hb->component, sizeof hb->component, "%s", component);
    hb->uptime_ms = (uint64_t) ((hb_mono_ns () - started_mono) / HB_NS_PER_MS);
    if (pub) {
        hb_pub_stats_t stats;
        hb_pub_stats (pub, &stats);
        hb->msgs_out = stats.sent;
    }
    if (sub) {
        hb_sub_stats_t stats;
        hb_sub_stats (sub, &stats);
        hb->gaps = stats.gaps;
        hb->decode_errors = stats.decode_errors;
        hb->restarts_seen = stats.restarts;
        hb_sub_latency (sub, &hb->lat_p50_ns, &hb->lat_p99_ns, &hb->lat_p999_ns);
    }
}
