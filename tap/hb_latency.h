/*  hb_latency: how long each decision on the bus waited, from the bus alone.

    Every decision names what it was computed from: a risk.hedge carries
    its inputs (topic, publisher, epoch, seq of each message: hb_risk_input_t),
    and an order of the hedger has the client id "<request id>.<leg>". Fed
    every message seen (a live tap or a recording, in the order seen), this
    class remembers the ts_pub of recent messages by (topic, publisher,
    epoch, seq) and measures three latencies, all ts_pub differences:

        risk    risk.hedge ts_pub - the newest ts_pub of the inputs it names
                (inputs no longer or never remembered are counted as
                "unknown"; a request none of whose inputs is known has no
                risk latency)
        hedger  order ts_pub - ts_pub of the risk.hedge its client id names
        total   order ts_pub - the newest input of that risk.hedge

    An order whose client id names no request remembered (a console order,
    or a request older than the bound below) is counted, not measured.
    Percentiles are kept in one hb_hist per kind, since the start.

    Memory is fixed at hb_latency_new and nothing allocates per message:
    the last `messages` messages (default 65,536: over a minute of a busy
    deployment's ticks; a quiet venue's last tick of longer ago is then
    "unknown") in a ring, found through an open-addressing index, and the
    last `requests` hedge requests (default 4,096) the same way. A message
    is known by a 64-bit hash of its key: two distinct keys among the ones
    remembered share one with a chance of about n^2 / 2^65 (1e-10 for
    65,536), which at worst measures one decision against the wrong input.

    Times on different hosts are compared as they are: a latency below 0
    (clocks out of step) is reported as it is and recorded as 0.          */
#ifndef HB_LATENCY_H
#define HB_LATENCY_H

#include <stdint.h>
#include <stdio.h>
#include "hb_hist.h"
#include "hb_msg.h"

#define HB_LATENCY_MESSAGES 65536   //  default bound of remembered messages
#define HB_LATENCY_REQUESTS 4096    //  default bound of remembered requests

typedef enum {
    HB_LATENCY_RISK = 0,            //  input -> risk.hedge
    HB_LATENCY_HEDGER = 1,          //  risk.hedge -> order
    HB_LATENCY_TOTAL = 2,           //  input -> order
    HB_LATENCY_KINDS
} hb_latency_kind_t;

//  One decision measured.
typedef struct {
    hb_latency_kind_t kind;
    char     id [HB_ID_MAX];        //  risk: the request id; hedger, total: the order's client id
    int64_t  latency_ns;            //  may be < 0 (clocks), see above
    char     input_topic [HB_TOPIC_MAX];        //  the newest input: for hedger, the request's topic
    char     input_publisher [HB_NAME_MAX];
    int      unknown_inputs;        //  risk: inputs named but not remembered; else 0
} hb_latency_decision_t;

typedef struct {
    uint64_t messages;              //  messages fed
    uint64_t requests;              //  risk.hedge seen
    uint64_t inputs_known;          //  inputs named by them and found
    uint64_t inputs_unknown;        //  inputs named by them and not found
    uint64_t orders;                //  orders seen
    uint64_t orders_unknown;        //  orders whose client id names no request remembered
} hb_latency_stats_t;

typedef struct _hb_latency_t hb_latency_t;

//  Remembers the last `messages` messages and `requests` requests (0: the
//  defaults above; at most 2^30 each). Returns NULL when out of memory.
hb_latency_t *hb_latency_new (uint32_t messages, uint32_t requests);
void hb_latency_destroy (hb_latency_t **self_p);

//  Accounts one message received on topic. Returns the number of decisions
//  it completes (0; 1 for a risk.hedge with a known input, or an order of a
//  request with none; 2 for an order of a request with one: hedger, then
//  total), written to out [] and recorded in the histograms. NULL msg: 0.
int hb_latency_add (hb_latency_t *self, const char *topic, const hb_msg_t *msg,
                    hb_latency_decision_t out [2]);

//  The histogram (ns) of one kind; owned by self.
hb_hist_t *hb_latency_hist (hb_latency_t *self, hb_latency_kind_t kind);

void hb_latency_stats (hb_latency_t *self, hb_latency_stats_t *stats);

//  "risk", "hedger", "total".
const char *hb_latency_kind_name (hb_latency_kind_t kind);

//  The summary, four lines (hb-top's panel, hb-tap --latency):
//      DECISION LATENCY    COUNT       p50       p99       max  unknown inputs 0, orders of no known request 1
//        risk                 12   812.0us  2400.1us  3000.0us  input -> risk.hedge
//        hedger               ..                                risk.hedge -> order
//        total                ..                                input -> order
void hb_latency_render (hb_latency_t *self, FILE *out);

//  One decision as a JSON object (no newline):
//  {"id":..,"kind":..,"latency_us":..,"newest_input_topic":..,
//   "newest_input_publisher":..,"unknown_inputs":..}. Returns its length.
int hb_latency_to_json (const hb_latency_decision_t *decision, char *out, size_t size);

#endif
