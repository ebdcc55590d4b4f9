/*  hb_risk_live: the hb-risk process on the bus, around an hb_risk_t. One
    zloop: ticks and fills from every enabled venue, the aggregator's pos.
    and margin. updates, a snapshot asked of the aggregator at start (again
    every few seconds until it answers; until then exposures carry
    HB_RISK_NO_POSITIONS and no hedge is requested), and a heartbeat
    (hb.risk). Every input is applied as it arrives (docs/RISK.md, Arrival
    order), with a hedge check after it (risk.hedge reliable, stamped
    ts_venue = ts_recv = when it was decided); samples of the grid every
    sample_ms of the wall clock, risk.exposure at the first sample of each
    publish_ms. A fill counts with the aggregator's position state that
    ends with it (hb_poshist.h), and until that state is applied positions
    are pending (flagged, no hedge request). Ticks stamped far from this
    host's clock, or far from the other venues' mids, are quarantined
    (hb_risk.h).

    The order of application is the recorded fact (hb_applog.h): each
    input, timer and snapshot reply goes into the log (seq.risk) before it
    is applied, with the clock value it is applied at, and the log is
    flushed before every publication; hb_risk_live_replay feeds a fresh
    engine the same sequence and publishes the same decisions.          */
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

//  Replays the application log of every life of hb-risk recorded in
//  rec_dir (hb-record's directory) through fresh engines, writing what
//  they publish (risk.exposure, risk.hedge, risk.regime; publisher "risk", the life's
//  epoch, ts_pub the time it was decided at) into a recording at out_dir.
//  Returns 0 when the whole log was applied, 1 (logged) when it cannot be
//  followed (a hole in the log, an input the recording lacks).
int hb_risk_live_replay (const hb_config_t *cfg, const char *rec_dir, const char *out_dir);

//  Async-signal-safe request to stop.
void hb_risk_live_stop (hb_risk_live_t *self);

#endif
