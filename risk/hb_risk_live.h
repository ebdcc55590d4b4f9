/*  hb_risk_live: the hb-risk process on the bus, around an hb_risk_t. One
    zloop: ticks from every enabled venue (tick.), the aggregator's pos. and
    margin. updates, a snapshot asked of the aggregator at start (again
    every few seconds until it answers; until then exposures carry
    HB_RISK_NO_POSITIONS and no hedge is requested), a sampling timer
    (sample + hedge check, risk.hedge reliable), an exposure timer
    (risk.exposure) and a heartbeat (hb.risk), all from cfg->risk.        */
#ifndef HB_RISK_LIVE_H
#define HB_RISK_LIVE_H

#include "hb_config.h"

typedef struct _hb_risk_live_t hb_risk_live_t;

//  Binds the publisher, connects to the venues and the aggregator. NULL
//  (reason logged) on failure. cfg must outlive the object.
hb_risk_live_t *hb_risk_live_new (const hb_config_t *cfg);

//  NULL-safe; nulls *self_p.
void hb_risk_live_destroy (hb_risk_live_t **self_p);

//  Runs the reactor until hb_risk_live_stop. Returns 0.
int hb_risk_live_run (hb_risk_live_t *self);

//  Async-signal-safe request to stop.
void hb_risk_live_stop (hb_risk_live_t *self);

#endif
