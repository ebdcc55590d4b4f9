/*  hb_pub: a publisher on the bus.

    An XPUB socket bound to the publisher's endpoint (XPUB rather than PUB so
    that a publisher can see subscriptions arrive: tests and start-up wait for
    them instead of sleeping). It stamps the envelope (publisher id, epoch,
    per-topic sequence number, publish time), encodes and sends topic +
    payload frames with zmq_msg_t, without allocating per message.

    Two delivery modes, chosen per flow:
    - hb_pub_send: reliable. ZMQ_XPUB_NODROP is set, so when a subscriber is
      behind by the high-water mark the call blocks instead of dropping.
      Fills, acks, orders, positions go this way.
    - hb_pub_send_latest: for ticks. Never blocks; when the socket is full the
      message is parked as the latest for its topic and sent by
      hb_pub_flush; a parked message that is replaced counts as conflated.
      Sequence numbers are given at the moment of sending, so conflation is
      not a gap.                                                             */
#ifndef HB_PUB_H
#define HB_PUB_H

#include <czmq.h>
#include "hb_msg.h"

typedef struct _hb_pub_t hb_pub_t;

typedef struct {
    uint64_t sent;              //  messages handed to the socket
    uint64_t conflated;         //  ticks replaced by a newer one before they could go
    uint64_t pending;           //  ticks parked right now
    uint64_t errors;            //  encode or send failures
    uint64_t subscriptions;     //  subscribe messages seen (minus unsubscribes)
} hb_pub_stats_t;

//  Binds to endpoint (ipc:// paths must be absolute; the directory is
//  created). publisher is the id written into every envelope. sndhwm 0
//  means the default (10000). An endpoint that needs CURVE is served with
//  it (hb_curve_server). Returns NULL (and logs) on failure, also when the
//  endpoint needs CURVE and hb_curve_start has not loaded this process's
//  keys.
hb_pub_t *hb_pub_new (const char *endpoint, const char *publisher, int sndhwm);
void hb_pub_destroy (hb_pub_t **self_p);

//  Stamps msg->env (version, publisher, epoch, seq, ts_pub; the caller sets
//  type, ts_venue and ts_recv), encodes and sends on topic (NULL: the
//  message's default topic, see hb_msg_topic). Returns 0 or -1.
int hb_pub_send (hb_pub_t *self, const char *topic, hb_msg_t *msg);

//  Like hb_pub_send but never blocks, see above. Returns 0 (sent or parked)
//  or -1 (encode error).
int hb_pub_send_latest (hb_pub_t *self, const char *topic, hb_msg_t *msg);

//  Tries to send parked messages. Returns the number still parked.
int hb_pub_flush (hb_pub_t *self);

//  Reads pending subscription messages from the socket (non-blocking) and
//  updates the count; call from the reactor or before a send.
void hb_pub_poll_subscriptions (hb_pub_t *self);

//  Blocks until at least one subscription whose prefix matches topic has
//  arrived (a subscriber that would receive topic), or timeout_ms passes.
//  Returns 0 or -1 on timeout.
int hb_pub_wait_subscriber (hb_pub_t *self, const char *topic, int timeout_ms);

//  Like hb_pub_wait_subscriber, but only a subscription to exactly prefix
//  counts: a sender that must know a particular subscriber is there (a
//  feed subscribes to "order.<venue>.") is not fooled by a tap that took
//  every "order." message. Returns 0 or -1 on timeout.
int hb_pub_wait_prefix (hb_pub_t *self, const char *prefix, int timeout_ms);

uint64_t hb_pub_epoch (hb_pub_t *self);
const char *hb_pub_id (hb_pub_t *self);
void hb_pub_stats (hb_pub_t *self, hb_pub_stats_t *stats);
zsock_t *hb_pub_sock (hb_pub_t *self);

//  For tests only: the next seq for topic is advanced by skip, which a
//  subscriber sees as a gap of that many messages.
void hb_pub_test_skip (hb_pub_t *self, const char *topic, uint64_t skip);

#endif
