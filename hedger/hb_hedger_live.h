/*  hb_hedger_live: the hb-hedger process on the bus, around an
    hb_hedger_t, on a reactor the caller owns (hb_service_loop), like
    risk's hb_risk_live. risk.hedge from risk's endpoint; tick.*, ack.*,
    fill.* and hb.feed.* from every enabled venue; pos.* and margin.* from
    the aggregator; hedger.control from every other component with
    orders: true; a timer for order timeouts and the kill file, one for the
    heartbeat (hb.hedger), one that flushes the application log. Every
    input is decided on as it arrives (no wait for the venues): it is
    recorded in the application log (seq.hedger, hb_applog.h; the entries
    in hb_hedger_apply.h) and then applied, at one clock reading; the log
    is flushed before anything the hedger publishes, so hb-hedger --replay
    (hb_hedger_replay.h) can apply the same sequence again.

    Test build only (HB_TEST_HOOKS): HB_HEDGER_CRASH=after_journal|
    after_send|after_ack, HB_HEDGER_CRASH_NTH=N (default 1), read once by
    hb_hedger_live_new: the process kills itself with SIGKILL at the Nth
    such point (tests/it_hedger_restart.sh). Products have no such hook.  */
#ifndef HB_HEDGER_LIVE_H
#define HB_HEDGER_LIVE_H

#include <czmq.h>

#include <stdbool.h>
#include "hb_config.h"

typedef struct _hb_hedger_live_t hb_hedger_live_t;

//  Binds the publisher, connects and subscribes, registers its reader and
//  timers on loop (borrowed). NULL ("hedger: cannot start" logged) on any
//  failure. cfg and loop must outlive the object.
hb_hedger_live_t *hb_hedger_live_new (const hb_config_t *cfg, zloop_t *loop);

//  Unregisters from the loop, closes the journal and the sockets.
//  NULL-safe; nulls *self_p.
void hb_hedger_live_destroy (hb_hedger_live_t **self_p);

//  True once its journal failed: the reactor was stopped for it, and the
//  process must exit non-zero (hb-run then says why and backs off).
bool hb_hedger_live_failed (const hb_hedger_live_t *self);

#endif
