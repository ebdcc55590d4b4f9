/*  hb-aggsnap --config FILE [--prefix P] [--timeout-ms MS] [--key NAME]:
    asks hb-aggregator for a snapshot (docs/PROTOCOL.md, Snapshots) and
    prints each message as one JSON line, the snapshot_end last. With CURVE
    (hb_curve.h) it uses certificate NAME, "aggsnap" by default. Exits 0, 1
    when no reply came in time or the reply is malformed, 2 on a usage,
    config or key error. On the service skeleton (hb_service.h) as a
    one-shot: no reactor.                                                  */
#include "hb_config.h"
#include "hb_curve.h"
#include "hb_log.h"
#include "hb_msg.h"
#include "hb_service.h"

#include <czmq.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *prefix, *key;
    int         timeout_ms;
} s_state_t;

static int
s_option (void *arg, const char *name, const char *value)
{
    s_state_t *state = (s_state_t *) arg;
    if (strcmp (name, "prefix") == 0)
        state->prefix = value;
    else
    if (strcmp (name, "key") == 0)
        state->key = value;
    else
        state->timeout_ms = atoi (value);
    return 0;
}

//  The whole tool: one request, one reply
static int
s_setup (hb_service_t *service, void *arg)
{
    s_state_t *state = (s_state_t *) arg;
    const hb_config_t *cfg = hb_service_config (service);
    const char *prefix = state->prefix;
    int timeout_ms = state->timeout_ms;
    hb_log_init (hb_service_name (service), HB_LOG_WARN);     //  a tool: only what went wrong
    zsys_init ();
    if (hb_curve_start (cfg, state->key? state->key: hb_service_name (service)) != 0)
        return 2;
    int rc = 1;
    zsock_t *req = zsock_new (ZMQ_REQ);
    if (req && (hb_curve_client (req, cfg->aggregator.snapshot_endpoint) != 0
            ||  zsock_connect (req, "%s", cfg->aggregator.snapshot_endpoint) != 0))
        zsock_destroy (&req);
    if (req) {
        zsock_set_rcvtimeo (req, timeout_ms);
        zstr_send (req, prefix);
        zmsg_t *reply = zmsg_recv (req);
        if (!reply)
            fprintf (stderr, "hb-aggsnap: no reply from %s\n", cfg->aggregator.snapshot_endpoint);
        while (reply && zmsg_size (reply) >= 2) {
            char *topic = zmsg_popstr (reply);
            zframe_t *payload = zmsg_pop (reply);
            hb_msg_t msg;
            if (topic && payload
            &&  hb_msg_decode (&msg, zframe_data (payload), zframe_size (payload), NULL) == 0) {
                char json [8192];
                hb_msg_to_json (&msg, topic, json, sizeof json);
                printf ("%s\n", json);
                if (msg.env.type == HB_MSG_SNAPSHOT_END)
                    rc = 0;
            }
            zstr_free (&topic);
            zframe_destroy (&payload);
        }
        zmsg_destroy (&reply);
        zsock_destroy (&req);
    }
    return rc;
}

int
main (int argc, char *argv [])
{
    static const hb_service_option_t options [] = {
        { "prefix", "P" }, { "timeout-ms", "MS" }, { "key", "NAME" }, { NULL }
    };
    static s_state_t state = { .prefix = "", .timeout_ms = 2000 };
    static const hb_service_def_t def = {
        .program   = "hb-aggsnap",
        .component = "aggsnap",
        .usage     = "--config FILE [--prefix P] [--timeout-ms MS] [--key NAME]",
        .options   = options,
        .option    = s_option,
        .setup     = s_setup,
        .state     = &state,
    };
    return hb_service_main (&def, argc, argv);
}
