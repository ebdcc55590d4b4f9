/*  hb_treasury_plan: the capital planning rule, as one pure function of the
    venues' margin states and the config (treasury:) to a plan per venue
    (hb_capital_plan_t, the body of capital.plan.<venue>). No I/O, no clock,
    no state between calls: the same input gives the same plan, so the rule
    is tested here and the process (hb_treasury.h) only feeds it.

    The rule (docs/OPERATIONS.md, Capital planning, says it for operators):
      - the stress: every asset a moves by its stress_move m_a, all in the
        same direction (up, or down), linearly over stress_minutes T, and
        then holds. A venue's P&L under it is linear in its per-asset USD
        exposure x_a (margin.<venue> assets, coins included); maintenance
        grows with the notional, at most by the largest move m of the
        venue's assets:
            required = maintenance x (1 + m) + |sum_a m_a x_a|
        (the sign of sum_a m_a x_a says which direction hurts: a net long
        loses on the way down). margin.<venue> lists the 8 largest assets;
        when it says it left some out, their x_a comes from the positions
        (in->position_usd) and the configured coin balances;
      - surplus = equity - required; < 0 is a shortfall, and a short
        venue is planned up to required x (1 + topup_buffer), so that a
        small drift after a top-up does not make a new need at once;
      - at the stress speed equity meets the (growing) maintenance after
            liq_s = T x (equity - maintenance) / (required - maintenance)
        for a short venue (0 when already at or below maintenance; -1, not
        liquidated, when there is no shortfall);
      - what may leave a venue: equity above both the required equity and
        the initial margin (a venue lets only free margin go); nothing from
        a venue whose state is stale;
      - short venues are served most urgent first (smallest liq_s). A route
        is timely when delay_s + spread_s < liq_s; among timely routes to
        the venue the cheapest (fee in USD, then the fastest) is used first,
        as often as needed, then the next: each transfer is at most the
        route's max, what is left of its daily_limit (after used[] and the
        transfers planned before it), and what its source can spare with
        the fee on top; a transfer below the route's min is raised to it
        when the source can pay, else the route is skipped;
      - money in flight to a venue (in->pending_usd: transfers requested
        and not yet credited, neither here nor there) counts as covering
        its shortfall first: it is in covered_usd, and only what it leaves
        uncovered is planned, so a need is never planned twice;
      - a shortfall not covered gets a reason: breach (at or below
        maintenance now), no_route (no route ends there), too_slow (no
        route arrives in time), limit (a timely route with a source that
        could pay was held back by min, max or its daily limit) or
        no_surplus.
    Amounts are in the route's asset: an asset of assets: at in->price (or
    the config's price), anything else a USD stablecoin at 1.              */
#ifndef HB_TREASURY_PLAN_H
#define HB_TREASURY_PLAN_H

#include <stdbool.h>
#include <stdint.h>

#include "hb_config.h"
#include "hb_msg.h"

typedef struct {
    const hb_margin_t *margin [HB_MAX_VENUES];  //  by venue index of the config; NULL: none yet
    bool     stale [HB_MAX_VENUES];             //  that state is older than treasury.stale_ms
    double   price [HB_MAX_ASSETS];             //  USD per unit (<= 0 or not finite: the config's)
    double   used [HB_MAX_ROUTES];              //  already sent today per route (its asset's units)
    double   pending_usd [HB_MAX_VENUES];       //  transfers in flight to each venue, USD (>= 0)
    //  USD exposure of each venue's positions per asset (pos.<asset>.<venue>.<symbol>
    //  summed): for the assets a truncated margin state (HB_MARGIN_TRUNCATED,
    //  more than HB_MARGIN_ASSETS) leaves out, with the venue's configured
    //  coin balance at the price
    double   position_usd [HB_MAX_VENUES][HB_MAX_ASSETS];
    int64_t  now_ns;                            //  wall ns of the plan: transfers' eta from it
    uint64_t plan;                              //  the decision number written on every plan
} hb_treasury_input_t;

typedef struct {
    int      planned;           //  venues with a plan
    int      bad;               //  venue states refused: not finite, negative margin, wrong venue
    int      short_venues;      //  plans with a shortfall
    int      uncovered;         //  of those, not covered in time
    int      transfers;         //  transfers planned
} hb_treasury_result_t;

//  Plans every venue of cfg with a usable margin state: plans [v] and
//  planned [v] (cfg->n_venues entries each) for venue v; planned [v] is
//  false for a venue without a state or with a refused one (counted in
//  result->bad). Returns result->planned.
int hb_treasury_plan (const hb_config_t *cfg, const hb_treasury_input_t *in,
                      hb_capital_plan_t *plans, bool *planned, hb_treasury_result_t *result);

//  The reduction a short venue that no transfer covers asks for
//  (capital.reduce, without its id): its plan (from hb_treasury_plan) is
//  short, not covered, not stale, with a reason. The venue lacks the
//  fraction f = 1 - equity / (required x (1 + topup_buffer)) of the equity
//  the stress needs (1 when equity <= 0); required and maintenance scale
//  with the exposure, so moving f of the exposure off the venue makes it
//  survive. It is asked of the asset that moves the stress most
//  (|stress_move x exposure|): f of that asset's exposure, as a trade of
//  the opposite sign at price (the config's when not > 0); a venue with
//  several assets may need a second request. Returns 1 with *out filled,
//  0 when there is nothing to reduce (out zeroed).
int hb_treasury_reduce (const hb_config_t *cfg, const hb_margin_t *margin, const hb_capital_plan_t *plan,
                        const double *price, hb_reduce_t *out);

#endif
