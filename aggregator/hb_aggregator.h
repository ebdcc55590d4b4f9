/*  hb_aggregator: the hb-aggregator process as an object. Subscribes to
    fill.*, ack.* and tick.* of every enabled venue; takes fills through the
    ledger (journal first, deduplicated); marks positions from tick mids;
    publishes pos.<asset>.<venue>.<symbol>, pos.<asset> and margin.<venue>
    (reliable, sequenced) for what a fill changed, all of them again every
    snapshot_ms (with fresh marks and stale flags), hb.aggregator every
    second; answers snapshot requests on the snapshot endpoint
    (docs/PROTOCOL.md, Snapshots); asks every feed for the fills it
    published (hb_refill.h) at start, on a feed restart and on a gap in
    fills, so that none published while it was down is lost. One zloop.  */
#ifndef HB_AGGREGATOR_H
#define HB_AGGREGATOR_H

#include <czmq.h>

#include "hb_config.h"
#include "hb_ledger.h"

typedef struct _hb_aggregator_t hb_aggregator_t;

//  Opens and replays the journal, binds the publisher and the snapshot
//  socket, connects to the venues. Returns NULL (reason logged) on any
//  failure. cfg must outlive the aggregator.
hb_aggregator_t *hb_aggregator_new (const hb_config_t *cfg);

//  Same, on a reactor the caller owns (hb_service_loop): the aggregator
//  registers its sockets and timers on loop, and its handlers return -1
//  (ending the loop) when it had to stop (hb_aggregator_failed). Destroy
//  the aggregator before the loop: its readers stay registered on loop.
hb_aggregator_t *hb_aggregator_new_on (const hb_config_t *cfg, zloop_t *loop);

//  Stops the reactor, syncs and closes the journal, closes the sockets.
//  NULL-safe; nulls the caller's pointer.
void hb_aggregator_destroy (hb_aggregator_t **self_p);

//  Runs the reactor until hb_aggregator_stop. Returns 0 on a requested
//  stop, -1 when it had to stop (a journal append failed: the fill was
//  not counted, and the restart's replay is the safe state).
int hb_aggregator_run (hb_aggregator_t *self);

//  True when the aggregator stopped its loop because it had to (journal).
bool hb_aggregator_failed (hb_aggregator_t *self);

//  Async-signal-safe request to stop; also from another thread, where it
//  takes effect within snapshot_ms.
void hb_aggregator_stop (hb_aggregator_t *self);

hb_ledger_t *hb_aggregator_ledger (hb_aggregator_t *self);

#endif
