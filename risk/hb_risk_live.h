/*  hb_risk_live: the hb-risk process on the bus, around an hb_risk_t. One
    zloop: ticks from every enabled venue (tick.), the aggregator's pos. and
    margin. updates, a snapshot asked of the aggregator at start (again
    every few seconds until it answers; until then exposures carry
    HB_RISK_NO_POSITIONS and no hedge is requested), and a heartbeat
    (hb.risk). Ticks and fills are taken on the data-time grid (hb_grid.h,
    docs/RISK.md): samples every sample_ms of data time once every venue
    has passed it, a hedge check after each sample and each input
    (risk.hedge reliable, stamped ts_venue = its data time), risk.exposure
    at the first sample of each publish_ms; a fill counts with the
    aggregator's position state that ends with it (hb_poshist.h), and
    until that state is applied positions are pending (flagged, no hedge
    request; docs/RISK.md). Ticks stamped far from this host's clock, or
    far from the other venues' mids, are quarantined (hb_risk.h).        */
#ifndef HB_RISK_LIVE_H
#define HB_RISK_LIVE_H

#include <czmq.h>

#include "hb_config.h"

typedef struct _hb_risk_live_t hb_risk_live_t;

//  Binds the publisher, connects to the venues and the aggregator. NULL
//  (reason logged) on failure. cfg must outlive the object.
hb_risk_live_t *hb_risk_live_new (const hb_config_t *cfg);

//  Same, on a reactor the caller owns (hb_service_loop). Destroy the
//  object before the loop.
hb_risk_live_t *hb_risk_live_new_on (const hb_config_t *cfg, zloop_t *loop);

//  NULL-safe; nulls *self_p.
void hb_risk_live_destroy (hb_risk_live_t **self_p);

//  Runs the reactor until hb_risk_live_stop. Returns 0.
int hb_risk_live_run (hb_risk_live_t *self);

//  Puts the first sample at the first grid time >= t0_ns instead of
//  quote_stale_ms after the first data (a replay of a run that started
//  there: its log line "data-time grid from T" names it). Before run.
void hb_risk_live_grid_from (hb_risk_live_t *self, int64_t t0_ns);

//  Async-signal-safe request to stop.
void hb_risk_live_stop (hb_risk_live_t *self);

#endif
