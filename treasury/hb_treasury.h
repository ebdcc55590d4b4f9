/*  hb_treasury: the capital planner on the bus (hb-treasury). It keeps the
    latest margin.<venue> of every venue and the latest price of every asset
    (pos.<asset> exposures) from hb-aggregator, and every treasury.plan_ms
    plans with hb_treasury_plan and publishes capital.plan.<venue> for each
    venue it has a state of (docs/PROTOCOL.md, Capital), hb.treasury every
    second. Each transfer a plan makes into a venue is published as
    capital.transfer: suggested (for the desk) over a route without auto,
    or, over a route with auto: true, journaled (hb_transfers.h) and then
    requested of the source venue's feed, whose statuses (sent, credited,
    refused) it reads back from that feed. Money in flight counts in the
    next plans, so one need is requested once; a transfer in flight at a
    restart is awaited, never requested again.

    Bad input never stops it: a margin state of a venue not in the config,
    or one the planning rule refuses (not finite), is counted
    (hb_treasury_bad_input_total) and left out of the plans, with a
    rate-limited log line.                                                 */
#ifndef HB_TREASURY_H
#define HB_TREASURY_H

#include <czmq.h>
#include "hb_config.h"

typedef struct _hb_treasury_t hb_treasury_t;

//  Binds the publisher, connects to the aggregator with its role and
//  registers on loop. NULL (logged) when it cannot.
hb_treasury_t *hb_treasury_new_on (const hb_config_t *cfg, zloop_t *loop);
void hb_treasury_destroy (hb_treasury_t **self_p);

#endif
