/*  hb_remote: the kill switch over the bus, from the command line
    (hb_remote.h).                                                          */
#include "hb_remote.h"

#include <errno.h>
#include <string.h>

#include "hb_log.h"
#include "hb_pub.h"
#include "hb_sub.h"
#include "hb_time.h"

static int
s_left_ms (int64_t deadline)
{
    int64_t left = (deadline - hb_mono_ns ()) / HB_NS_PER_MS;
    return left > 0 ? (int) left : 0;
}

static void
s_print (const hb_msg_t *msg, const char *topic, FILE *out)
{
    static char line [8192];
    hb_msg_to_json (msg, topic, line, sizeof line);
    fprintf (out, "%s\n", line);
    fflush (out);
}

//  Until a heartbeat of the hedger arrives: our subscriptions are in place
static int
s_wait_heartbeat (hb_sub_t *sub, hb_msg_t *msg, int64_t deadline)
{
    char topic [HB_TOPIC_MAX];
    while (s_left_ms (deadline) > 0) {
        if (hb_sub_recv (sub, topic, sizeof topic, msg, NULL, s_left_ms (deadline))) {
            if (errno == EPROTO || errno == EAGAIN)
                continue;
            return -1;
        }
        if (strcmp (topic, "hb.hedger") == 0)
            return 0;
    }
    return -1;
}

//  The hedger's answer to command id: 0 echoed, -1 refused or none
static int
s_wait_answer (hb_sub_t *sub, hb_msg_t *msg, const char *id, int64_t deadline, FILE *out)
{
    char topic [HB_TOPIC_MAX];
    while (s_left_ms (deadline) > 0) {
        if (hb_sub_recv (sub, topic, sizeof topic, msg, NULL, s_left_ms (deadline))) {
            if (errno == EPROTO || errno == EAGAIN)
                continue;
            return -1;
        }
        if (msg->env.type == HB_MSG_HEDGER_CONTROL && strcmp (msg->u.hedger_control.id, id) == 0) {
            s_print (msg, topic, out);
            return 0;
        }
        if (msg->env.type == HB_MSG_HEDGE_REJECT && strcmp (msg->u.hedge_reject.request_id, id) == 0) {
            s_print (msg, topic, out);
            //  a kill that could not be persisted is still applied: its echo follows
            if (strcmp (msg->u.hedge_reject.reason, "kill_not_persisted") != 0) {
                hb_error ("hb-hedger refused %s: %s (%s)", id, msg->u.hedge_reject.reason,
                          msg->u.hedge_reject.detail);
                return -1;
            }
        }
    }
    hb_error ("no answer from hb-hedger to %s", id);
    return -1;
}

int
hb_remote_control (const hb_config_t *cfg, const char *component, hb_hedger_control_t *command,
                   int timeout_ms, FILE *out)
{
    assert (cfg && component && command && out);
    const hb_component_cfg_t *comp = hb_config_component (cfg, component);
    if (!comp || !comp->endpoint [0] || !comp->sends_orders || strcmp (comp->name, "hedger") == 0) {
        hb_error ("%s: components: no component '%s' with an endpoint and orders: true "
                  "(hb-hedger listens to those)", cfg->path, component);
        return -1;
    }
    if (!command->id [0])
        snprintf (command->id, sizeof command->id, "%.24s.%lld", command->by,
                  (long long) hb_wall_ns ());
    int64_t deadline = hb_mono_ns () + (int64_t) timeout_ms * HB_NS_PER_MS;
    static hb_msg_t msg;
    int rc = -1;
    hb_pub_t *pub = hb_pub_new (comp->endpoint, comp->name, 0);
    hb_sub_t *sub = hb_sub_new (0);
    if (!pub || !sub || hb_sub_connect (sub, cfg->hedger.endpoint)
    ||  hb_sub_subscribe (sub, "hedger.control") || hb_sub_subscribe (sub, "hedger.reject")
    ||  hb_sub_subscribe (sub, "hb.hedger"))
        hb_error ("cannot set up the bus (%s, %s)", comp->endpoint, cfg->hedger.endpoint);
    else
    if (hb_pub_wait_prefix (pub, "hedger.control", timeout_ms))
        hb_error ("hb-hedger has not subscribed to hedger.control on %s within %d ms: is it "
                  "running?", comp->endpoint, timeout_ms);
    else
    if (s_wait_heartbeat (sub, &msg, deadline))
        hb_error ("no heartbeat from hb-hedger on %s within %d ms", cfg->hedger.endpoint,
                  timeout_ms);
    else {
        memset (&msg, 0, sizeof msg);
        msg.env.type = HB_MSG_HEDGER_CONTROL;
        msg.env.ts_recv = hb_wall_ns ();
        msg.u.hedger_control = *command;
        if (hb_pub_send (pub, NULL, &msg))
            hb_error ("command not sent: invalid (by must be a name, text under %d bytes)",
                      HB_TEXT_MAX);
        else {
            s_print (&msg, "hedger.control", out);
            rc = s_wait_answer (sub, &msg, command->id, deadline, out);
        }
    }
    hb_sub_destroy (&sub);
    hb_pub_destroy (&pub);
    return rc;
}
