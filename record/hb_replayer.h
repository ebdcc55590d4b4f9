/*  hb_replayer: a recording back onto the bus (the object behind hb-replay).

    Binds an hb_pub on the replay endpoint (for its ipc directory set-up,
    XPUB_NODROP and subscription tracking) but never uses its stamping
    send: each recorded payload goes out byte for byte as topic + payload
    with zmq_send on the socket that zsock_resolve (hb_pub_sock ()) gives.
    So the envelopes keep their original publisher, epoch and seq, and a
    downstream dedup or seq check sees the stream that was recorded. Because
    the socket is NODROP, a slow subscriber slows the replay down instead of
    losing messages. The recorder's own records (rec.*) are not published.

    Timing: the first record published goes out at once; each later one at
    (its recv_ts - the first's) / speed after it, so order and relative
    timing are kept. speed <= 0 means flat out (--max).                     */
#ifndef HB_REPLAYER_H
#define HB_REPLAYER_H

#include <signal.h>
#include <stdint.h>
#include "hb_recording_reader.h"

typedef struct _hb_replayer_t hb_replayer_t;

typedef struct {
    int64_t      from;              //  first recv_ts published (INT64_MIN: the start)
    int64_t      to;                //  last recv_ts published (INT64_MAX: the end)
    double       speed;             //  1 real time, 10 ten times faster, <= 0 flat out
    const char **topics;            //  prefixes; NULL / 0: every topic
    int          n_topics;
    volatile sig_atomic_t *stop;    //  when set (and *stop != 0), stop early; may be NULL
} hb_replay_opts_t;

//  Binds to endpoint (ipc paths absolute). sndhwm as for hb_pub_new.
//  NULL (logged) on failure.
hb_replayer_t *hb_replayer_new (const char *endpoint, int sndhwm);
void hb_replayer_destroy (hb_replayer_t **self_p);

//  Waits until a subscriber for prefix ("" for any) has arrived. 0, or -1
//  on timeout.
int hb_replayer_wait_subscriber (hb_replayer_t *self, const char *prefix, int timeout_ms);

//  Publishes the records of reader selected by opts, in order. Returns the
//  number published, or -1 (logged) when a send failed (or the wait was
//  interrupted by a stop request, which returns what was sent so far).
int64_t hb_replayer_run (hb_replayer_t *self, hb_recording_reader_t *reader,
                         const hb_replay_opts_t *opts);

//  Sends one topic + payload as is. 0 or -1 with errno.
int hb_replayer_send (hb_replayer_t *self, const char *topic, const void *payload, size_t size);

#endif
