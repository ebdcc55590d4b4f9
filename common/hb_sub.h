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
    uint64_t unauthorized;      //  refused by the role of the connection they came on
} hb_sub_stats_t;

//  What one publisher's connection may carry (hb_sub_connect_role). The
//  receiver decides who sent a message by the connection it came in on,
//  never by the envelope's publisher name, which anyone can write: a
//  message whose publisher, type or venue does not fit the connection's
//  role is refused (counted in unauthorized, logged).
typedef struct {
    char     publisher [HB_NAME_MAX + 8];   //  the one publisher name it may carry
    uint32_t types;                         //  HB_SUB_TYPE (type) bits it may carry
    char     venue [HB_NAME_MAX];           //  "": any; else ticks, trades, acks and
                                            //  fills must name this venue
} hb_sub_role_t;

#define HB_SUB_TYPE(type)   (1u << (type))
#define HB_SUB_MAX_SOURCES  64              //  role connections of one subscriber

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
//  How soon the socket (hb_sub_connect's, not the role sockets) tries
//  again to reach a publisher that is not there yet (ZeroMQ's default is
//  100 ms). A recorder sets it low: a publisher that binds after it
//  started is then heard from within ms, before any later subscriber can
//  be, so the recording holds whatever another process applied.
void hb_sub_set_reconnect_ms (hb_sub_t *self, int ms);

int hb_sub_connect (hb_sub_t *self, const char *endpoint);
//  Connects to one publisher's endpoint on a connection of its own, which
//  carries only what role allows (copied). Subscriptions made before or
//  after apply to it as to every other. Returns 0, or -1 (logged) as for
//  hb_sub_connect, or when HB_SUB_MAX_SOURCES connections are in use.
int hb_sub_connect_role (hb_sub_t *self, const char *endpoint, const hb_sub_role_t *role);

//  Registers every connection's socket (and those made later) with loop,
//  each calling handler (loop, socket, arg) when it has input: the handler
//  calls hb_sub_recv (..., 0) until it returns EAGAIN. The shared socket
//  of hb_sub_connect joins only once something is connected to it (an
//  idle socket in a poll set costs every poll a mailbox check). Returns 0
//  or -1.
int hb_sub_attach (hb_sub_t *self, zloop_t *loop, zloop_reader_fn handler, void *arg);

//  Ends what hb_sub_attach registered (before the loop is destroyed or the
//  subscriber is); harmless when not attached.
void hb_sub_detach (hb_sub_t *self);

int hb_sub_subscribe (hb_sub_t *self, const char *prefix);
int hb_sub_unsubscribe (hb_sub_t *self, const char *prefix);

//  Receives and decodes one message, waiting up to timeout_ms (-1: forever,
//  0: don't wait). On success returns 0, copies the topic (NUL-terminated,
//  truncated to topic_size) and sets *status (may be NULL). STALE messages
//  are still returned (status tells) so the caller decides. Connections
//  take turns: one is read up to 16 messages in a row while it has any,
//  then the next first (trying an empty one costs ZeroMQ a getpid and a
//  poll(2): docs/OPERATIONS.md, Speed of the pipeline).
//  Returns -1 with errno EAGAIN on timeout, EINTR when interrupted, EPROTO
//  for a malformed message, one stamped too far ahead or one its connection
//  may not carry (counted; the caller just calls again).
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
