/*  hb_route: where to trade a hedge. Pure: no bus, no clock, no allocation.

    Given a side and a quantity of an asset, and every candidate
    (venue, instrument) that trades it with its latest book, taker fee,
    size rules and margin state, it chooses the legs that give the best
    executable price for the size, fees included:

    - a candidate is left out, with a reason, when it has no book, its book
      is older than the staleness limit, flagged stale or in outage, crossed,
      empty on the side we take, or when its margin has no headroom;
    - the book levels of every remaining candidate are merged and taken best
      effective price first (price x (1 + fee + carry) to buy,
      x (1 - fee + carry) to sell), so a thin book is topped up from the
      next venue: the split falls out of the walk and is optimal for the
      quoted depth. carry is what holding a long costs over the hedge's
      expected life, as a fraction of notional (hb_route_carry: a perp's
      expected funding, a future's basis); a short earns it;
    - on each venue the notional is capped so that the venue's margin
      utilization after the order, (initial + notional x initial_rate) /
      equity, stays at or below max_utilization (a hedge is assumed to add
      margin: we do not know here that it closes a position);
    - a candidate whose venue awaits a top-up of collateral (topup) is
      walked after all the others: it takes only what they cannot, so a
      new margin-consuming hedge does not land on a venue that is short
      until its money arrives, when another venue can take it;
    - each leg is rounded down to the instrument's lot and dropped when
      below its minimum size. What cannot be placed is reported as
      unplaced_qty: the hedger leaves it to the next request.

    Only instruments linear in the asset are routed (spot, linear perp,
    future: asset quantity = quantity x multiplier); inverse perps and
    options are left out with HB_ROUTE_SKIP_KIND.                          */
#ifndef HB_ROUTE_H
#define HB_ROUTE_H

#include <stdbool.h>
#include <stdint.h>
#include "hb_msg.h"

#define HB_ROUTE_MAX_CANDIDATES 16
#define HB_ROUTE_MAX_LEGS       HB_ROUTE_MAX_CANDIDATES

typedef enum {
    HB_ROUTE_OK = 0,
    HB_ROUTE_SKIP_NO_BOOK,          //  no tick seen
    HB_ROUTE_SKIP_STALE,            //  tick too old, or flagged stale by the venue
    HB_ROUTE_SKIP_OUTAGE,           //  the venue reports an outage
    HB_ROUTE_SKIP_CROSSED,          //  best bid >= best ask
    HB_ROUTE_SKIP_NO_DEPTH,         //  nothing on the side we would take
    HB_ROUTE_SKIP_MARGIN,           //  utilization would pass the limit on the smallest order
    HB_ROUTE_SKIP_KIND,             //  not linear in the asset
    HB_ROUTE_SKIP_MIN_SIZE,         //  its share rounds below the minimum size
    HB_ROUTE_SKIP_COUNT
} hb_route_skip_t;

typedef struct {
    const hb_tick_t *tick;          //  latest book, NULL: none
    int64_t  tick_ns;               //  its feed's stamp (ts_pub)
    int      kind;                  //  hb_kind_t
    double   multiplier;            //  asset units per quantity unit (> 0; 1 for spot)
    double   lot_size;              //  > 0
    double   min_qty;               //  >= 0
    double   fee_taker;             //  fraction of notional (< 0: rebate)
    double   equity_usd;            //  the venue's margin state (margin.<venue>)
    double   initial_usd;
    double   initial_rate;          //  initial margin fraction of notional; 0: no margin check
    double   carry;                 //  fraction of notional a long pays over the holding
                                    //  horizon (< 0: it earns); 0: none (hb_route_carry)
    bool     topup;                 //  collateral is on its way to the venue (HB_MARGIN_TOPUP):
                                    //  it takes only what the others cannot
} hb_route_cand_t;

typedef struct {
    uint8_t  side;                  //  hb_side_t
    double   qty;                   //  asset units to trade (> 0)
    int64_t  now_ns;                //  when the request is applied (staleness is judged at it)
    int64_t  stale_ns;              //  a book older than this is stale
    double   max_utilization;       //  (0, 1]
} hb_route_req_t;

typedef struct {
    int      cand;                  //  index into the candidates
    double   qty;                   //  instrument units, a multiple of the lot, >= min_qty
    double   asset_qty;             //  qty x multiplier
    double   limit_px;              //  worst level taken: the IOC limit price
    double   avg_px;                //  volume-weighted price of the levels taken
    double   fee_usd;               //  taker fee on the notional
    double   carry_usd;             //  holding it over the horizon (> 0: costs; a long pays
                                    //  carry, a short earns it)
} hb_route_leg_t;

typedef struct {
    int      n_legs;                //  in the order of the candidates
    hb_route_leg_t legs [HB_ROUTE_MAX_LEGS];
    double   placed_qty;            //  asset units over the legs
    double   unplaced_qty;          //  asset units left (thin books, lots, margin)
    double   cost_usd;              //  notional + fees + carry (buy) or proceeds - fees
                                    //  - carry (sell)
    uint8_t  skip [HB_ROUTE_MAX_CANDIDATES];    //  hb_route_skip_t per candidate
} hb_route_plan_t;

//  Plans req over n candidates (0..HB_ROUTE_MAX_CANDIDATES) into *plan.
//  Returns the number of legs (0 when nothing can be placed: plan->skip
//  says why per candidate), or -1 when req is invalid (side, qty <= 0 or
//  not finite, n out of range).
int hb_route_plan (const hb_route_req_t *req, const hb_route_cand_t *cands, int n,
                   hb_route_plan_t *plan);

//  "ok", "no_book", "stale", ...
const char *hb_route_skip_name (int skip);

//  The carry of a candidate of kind (hb_kind_t) held hold_hours: a perp's
//  funding_bps is its expected funding per 8 hours (> 0: longs pay), a
//  future's basis_bps its annualized basis cost (> 0: a long pays it, as
//  a premium over the index decays); other kinds carry nothing. A
//  fraction of notional, signed as hb_route_cand_t.carry; 0 for a
//  non-finite input or hold_hours <= 0.
double hb_route_carry (int kind, double funding_bps, double basis_bps, double hold_hours);

#endif
