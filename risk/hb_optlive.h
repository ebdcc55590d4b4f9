/*  hb_optlive: the option legs of hb-risk live (docs/RISK.md, Option legs:
    live). It keeps the books of the option instruments the feeds quote,
    and at a sample, for an asset whose dollar gamma or a vega bucket is
    over its band (hb_risk_desk), builds the candidates (every option of
    that asset on an enabled venue with a fresh, two-sided book: its model
    greeks per contract from the engine's valuation, hb_risk_option_contract;
    lot and minimum from the instrument; the venue's taker fee; up to
    HB_OPTPLAN_LEVELS levels a side) and asks hb_optplan for the legs. The
    result is a risk.optplan body: the legs with their limit prices, or
    the reason there are none.

    Never the same gamma twice: once a plan with legs is made for an
    asset, no other is made for it until every leg is final (its venue's
    final ack, hb_optlive_on_ack, and what it filled in the position: the
    rest of a partial fill is planned at the next sample), or the
    positions show its fills (every leg's instrument position moved since
    the plan, and none moved for a whole sample_ms after), or
    components.risk.option_hold_ms of data time have passed (a leg never
    sent: the hedger died before it, or refused the plan; hedger.reject is
    not read on purpose: a plan refused whole would be refused again, and
    the hold is its back-off). A plan without legs (a
    reason) is said once per option_hold_ms while it lasts. Breached
    figures come back to option_target times their bands. The delta of the legs
    is not planned here: risk computes delta from the positions the fills
    produce, so the delta leg (risk.hedge) is sized on what the option legs
    actually filled.

    Deterministic: it reads only what it was given (ticks with their data
    time, the engine, now_ns); plan ids are "<deployment>-o<sample ms>-<asset
    index>", the same under replay.                                        */
#ifndef HB_OPTLIVE_H
#define HB_OPTLIVE_H

#include <stdint.h>
#include "hb_config.h"
#include "hb_msg.h"
#include "hb_risk.h"

typedef struct _hb_optlive_t hb_optlive_t;

//  New planner for cfg (which must outlive it). NULL on allocation failure.
hb_optlive_t *hb_optlive_new (const hb_config_t *cfg);

//  NULL-safe; nulls *self_p.
void hb_optlive_destroy (hb_optlive_t **self_p);

//  A tick at data time now_ns: kept when it is an option instrument of an
//  enabled venue (0), else ignored (-1). A stale or outage tick, or one
//  not two-sided, makes that book unusable until the next good one.
int hb_optlive_on_tick (hb_optlive_t *self, const hb_tick_t *tick, int64_t now_ns);

//  A venue's ack: when it is the final ack (rejected, canceled, done) of a
//  leg "<plan id>.<k>" of a plan being executed, the leg is final with
//  what the ack says filled (0). Else -1 (not a leg, not final).
int hb_optlive_on_ack (hb_optlive_t *self, const hb_ack_t *ack);

//  At a sample (now_ns, the engine's grid sample `sample`): looks at asset
//  a. Returns 1 with *out filled (a plan with legs, or a reason) when one
//  is due, 0 when none (inside the bands, positions not ready, a plan of
//  a held, a reason said within option_hold_ms).
int hb_optlive_check (hb_optlive_t *self, hb_risk_t *risk, int a, int64_t now_ns,
                      uint64_t sample, hb_risk_optplan_t *out);

//  The book of venue v's instrument i as kept (NULL: none kept, or not an
//  option); *ts_ns its data time. For tests.
const hb_tick_t *hb_optlive_book (const hb_optlive_t *self, int v, int i, int64_t *ts_ns);

#endif
