/*  hb-fills: every fill a feed holds, from its fill replay endpoint, as
    hb-tap JSON lines (test-only: built into build/.../tests/tools).

        hb-fills ENDPOINT [--timeout-ms MS]

    Asks the feed's ROUTER at ENDPOINT (venues.NAME.replay_endpoint) for
    every fill it holds (docs/PROTOCOL.md, Fill replay: request "0") and
    prints each as one JSON line (hb_msg_to_json), so a test can check the
    aggregator against what the feed journaled, not only against what a
    tap happened to see on the bus (a tap reconnecting to a restarted feed
    can miss its first fills; the aggregator gets them by replay).
    Exit 0 with the whole reply (snapshot.end counted it), 1 when no reply
    came within MS (5000) or it was incomplete, 2 on a usage error.       */
#include "hb_msg.h"

#include <czmq.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
main (int argc, char **argv)
{
    const char *endpoint = NULL;
    int timeout_ms = 5000;
    for (int i = 1; i < argc; i++) {
        if (strcmp (argv [i], "--timeout-ms") == 0 && i + 1 < argc)
            timeout_ms = atoi (argv [++i]);
        else
        if (!endpoint && argv [i][0] != '-')
            endpoint = argv [i];
        else
            endpoint = NULL, i = argc;
    }
    if (!endpoint) {
        fprintf (stderr, "usage: hb-fills ENDPOINT [--timeout-ms MS]\n");
        return 2;
    }
    zsys_init ();
    zsys_set_linger (0);
    zsock_t *dealer = zsock_new (ZMQ_DEALER);
    if (!dealer || zsock_connect (dealer, "%s", endpoint) != 0) {
        fprintf (stderr, "hb-fills: cannot connect to %s\n", endpoint);
        zsock_destroy (&dealer);
        return 1;
    }
    zsock_set_rcvtimeo (dealer, timeout_ms);
    zmsg_t *request = zmsg_new ();
    zmsg_addmem (request, NULL, 0);
    zmsg_addstr (request, "0");
    if (zmsg_send (&request, dealer) != 0) {
        zmsg_destroy (&request);
        zsock_destroy (&dealer);
        return 1;
    }
    zmsg_t *reply = zmsg_recv (dealer);
    if (!reply) {
        fprintf (stderr, "hb-fills: no reply from %s within %d ms\n", endpoint, timeout_ms);
        zsock_destroy (&dealer);
        return 1;
    }
    //  [empty, (topic, fill)..., snapshot.end, snapshot_end]
    zframe_t *frame = zmsg_first (reply);
    uint64_t fills = 0, count = UINT64_MAX;
    static hb_msg_t msg;
    static char json [8192];
    while ((frame = zmsg_next (reply)) != NULL) {
        zframe_t *payload = zmsg_next (reply);
        if (!payload)
            break;
        char topic [HB_TOPIC_MAX];
        size_t len = zframe_size (frame) < HB_TOPIC_MAX - 1 ? zframe_size (frame) : HB_TOPIC_MAX - 1;
        memcpy (topic, zframe_data (frame), len);
        topic [len] = 0;
        if (hb_msg_decode (&msg, zframe_data (payload), zframe_size (payload), NULL) != 0) {
            fprintf (stderr, "hb-fills: a %s that does not decode\n", topic);
            break;
        }
        if (msg.env.type == HB_MSG_SNAPSHOT_END) {
            count = msg.u.snapshot_end.count;
            break;
        }
        if (msg.env.type != HB_MSG_FILL)
            continue;
        hb_msg_to_json (&msg, topic, json, sizeof json);
        printf ("%s\n", json);
        fills++;
    }
    zmsg_destroy (&reply);
    zsock_destroy (&dealer);
    if (count != fills) {
        fprintf (stderr, "hb-fills: %llu fills, the reply's end counts %llu\n",
                 (unsigned long long) fills, (unsigned long long) count);
        return 1;
    }
    return 0;
}
