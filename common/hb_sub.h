/*  hb_sub: a subscriber on the bus.

    A SUB socket connected to any number of publishers. hb_sub_recv reads
    one topic + payload, decodes it into a caller-owned hb_msg_t and runs the
    sequence check (hb_seq). Malformed input is counted and reported with a
    rate-limited log line, never fatal.                                        */
#ifndef HB_SUB_H
#define HB_SUB_H

#include <czmq.h>
#include "hb_msg.h"
#include "hb_seq.h"

typedef struct _hb_sub_t hb_sub_t;

typedef struct {
    uint64_t received;          //  well-formed messages
    uint64_t decode_errors;     //  malformed payloads or frames
    uint64_t gaps;              //  gap events
    uint64_t missed;            //  messages lost in those gaps
    uint64_t restarts;          //  publisher restarts seen
    uint64_t stale;             //  duplicates / old epochs dropped
    uint64_t future;            //  stamped over HB_SUB_MAX_AHEAD_NS ahead of our clock: dropped
} hb_sub_stats_t;

//  A message whose ts_pub is further ahead of this host's clock than this
//  is dropped (counted in future, logged): a clock step on the sender's
//  host would otherwise hold every data-time decision until the clock
//  catches up (or, 80 years ahead, for good). Behind is fine: replays and
//  slow links deliver the past. Hosts are expected to be NTP-synced to
//  well within it.
#define HB_SUB_MAX_AHEAD_NS     (5 * 1000000000LL)

//  rcvhwm 0 means the default (10000).
hb_sub_t *hb_sub_new (int rcvhwm);
void hb_sub_destroy (hb_sub_t **self_p);

//  Connects to a publisher; one that needs CURVE is reached with it
//  (hb_curve_client), others plain. Returns 0, or -1 (logged) on a bad
//  endpoint or when it needs CURVE and this process has no keys for it.
int hb_sub_connect (hb_sub_t *self, const char *endpoint);
int hb_sub_subscribe (hb_sub_t *self, const char *prefix);
int hb_sub_unsubscribe (hb_sub_t *self, const char *prefix);

//  Receives and decodes one message, waiting up to timeout_ms (-1: forever,
//  0: don't wait). On success returns 0, copies the topic (NUL-terminated,
//  truncated to topic_size) and sets *status (may be NULL). STALE messages
//  are still returned (status tells) so the caller decides.
//  Returns -1 with errno EAGAIN on timeout, EINTR when interrupted, EPROTO
//  for a malformed message or one stamped too far ahead (counted; the
//  caller just calls again).
int hb_sub_recv (hb_sub_t *self, char *topic, size_t topic_size,
                 hb_msg_t *msg, hb_seq_status_t *status, int timeout_ms);

//  Raw access for tools (hb-tap, hb-record): the last payload received by
//  hb_sub_recv, valid until the next call.
const void *hb_sub_last_payload (hb_sub_t *self, size_t *size);

//  The gap count of the last GAP status.
uint64_t hb_sub_last_missed (hb_sub_t *self);

void hb_sub_stats (hb_sub_t *self, hb_sub_stats_t *stats);

//  Bus latency of the messages received since the last call: percentiles of
//  (receive wall time - the publisher's ts_pub), ns, then starts afresh, so
//  each heartbeat reports its own interval. 0s when nothing came. Across
//  machines it includes the clocks' offset (docs/OPERATIONS.md).
void hb_sub_latency (hb_sub_t *self, uint64_t *p50_ns, uint64_t *p99_ns, uint64_t *p999_ns);
zsock_t *hb_sub_sock (hb_sub_t *self);

#endif
