/*  hb_refill: asks venue feeds for the fills they have published, the
    consumer side of the fill replay (docs/PROTOCOL.md, Fill replay).

    A fill published while the aggregator is down, or still queued in it
    when it dies, never reaches it on the bus. Every feed keeps its fills
    (feeds/hb_fillstore.h) and serves them on its replay endpoint; this
    object holds one DEALER per venue with a replay endpoint, sends a
    request when asked, and hands every fill of the reply to a callback.
    The callback is expected to be idempotent (the ledger deduplicates by
    (venue, fill_id)): a replay always asks for every fill the feed still
    holds, so it needs no state that a restart could lose.

    Everything runs on the caller's zloop and nothing blocks: a request
    unanswered within timeout_ms is counted and logged, its socket replaced
    (a late answer to it is then never read), and it is asked again
    retry_ms later. An ask while a request is out is remembered and sent
    once the reply is in: the fill that prompted it may have been published
    after the feed built that reply.                                        */
#ifndef HB_REFILL_H
#define HB_REFILL_H

#include <czmq.h>
#include "hb_config.h"

typedef struct _hb_refill_t hb_refill_t;

//  Takes one replayed fill of venue (index into cfg->venues). Returns 0, or
//  -1 to stop the reactor (the rest of that reply is dropped).
typedef int (hb_refill_fn) (void *arg, int venue, const hb_fill_t *fill);

typedef struct {
    uint64_t requests;          //  requests sent
    uint64_t replies;           //  complete replies taken
    uint64_t fills;             //  fills handed to the callback
    uint64_t timeouts;          //  requests that got no reply in time
    uint64_t errors;            //  malformed replies, fills of another venue
} hb_refill_stats_t;

//  One DEALER per enabled venue of cfg that has a replay_endpoint,
//  registered on loop with a timer for timeouts and retries. cfg and loop
//  must outlive the object. Sends nothing yet. Returns NULL (logged) when
//  a socket cannot be made.
hb_refill_t *hb_refill_new (const hb_config_t *cfg, zloop_t *loop, int timeout_ms, int retry_ms,
                            hb_refill_fn *fn, void *arg);

//  Takes the sockets and the timer off the loop and closes them. NULL-safe;
//  nulls *self_p.
void hb_refill_destroy (hb_refill_t **self_p);

//  Asks venue's feed for its fills now, or as soon as the request that is
//  out has been answered. A venue without replay socket is ignored.
void hb_refill_ask (hb_refill_t *self, int venue);

//  True while venue has a request out or one waiting to go.
bool hb_refill_busy (hb_refill_t *self, int venue);

void hb_refill_stats (hb_refill_t *self, hb_refill_stats_t *stats);

#endif
