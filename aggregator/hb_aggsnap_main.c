/*  hb-aggsnap --config FILE [--prefix P] [--timeout-ms MS] [--key NAME]:
    asks hb-aggregator for a snapshot (docs/PROTOCOL.md, Snapshots) and
    prints each message as one JSON line, the snapshot_end last. With CURVE
    (hb_curve.h) it uses certificate NAME, "aggsnap" by default. Exits 0, 1
    when no reply came in time or the reply is malformed, 2 on a usage,
    config or key error.                                                  */
#include "hb_config.h"
#include "hb_curve.h"
#include "hb_log.h"
#include "hb_msg.h"

#include <czmq.h>
#include <getopt.h>

int
main (int argc, char *argv [])
{
    static const struct option options [] = {
        { "config",     required_argument, NULL, 'c' },
        { "prefix",     required_argument, NULL, 'p' },
        { "timeout-ms", required_argument, NULL, 't' },
        { "key",        required_argument, NULL, 'k' },
        { NULL, 0, NULL, 0 }
    };
    const char *path = NULL, *prefix = "", *key = "aggsnap";
    int timeout_ms = 2000, opt;
    while ((opt = getopt_long (argc, argv, "c:p:t:k:", options, NULL)) != -1)
        switch (opt) {
            case 'c': path = optarg; break;
            case 'p': prefix = optarg; break;
            case 't': timeout_ms = atoi (optarg); break;
            case 'k': key = optarg; break;
            default:
                fprintf (stderr, "usage: hb-aggsnap --config FILE [--prefix P] [--timeout-ms MS] [--key NAME]\n");
                return 2;
        }
    if (!path) {
        fprintf (stderr, "usage: hb-aggsnap --config FILE [--prefix P] [--timeout-ms MS] [--key NAME]\n");
        return 2;
    }
    hb_config_t *cfg = hb_config_load (path);
    if (!cfg)
        return 2;
    hb_log_init ("aggsnap", HB_LOG_WARN);
    zsys_handler_set (NULL);
    if (hb_curve_start (cfg, key) != 0) {
        hb_config_destroy (&cfg);
        return 2;
    }
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
    hb_config_destroy (&cfg);
    return rc;
}
