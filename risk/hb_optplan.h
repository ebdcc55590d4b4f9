/*  hb_optplan: the option legs of a hedge plan (issue 17).

    One asset's book has a gamma G and a vega V_b per expiry bucket b. The
    desk's bands say |G| <= gamma_band and |V_b| <= vega_band_b. When one
    is breached, the planner chooses options among the candidates listed
    on any venue (each with its own greeks per contract, its bucket, its
    lot and minimum, and its book) so that after the legs

        |G + Σ q_i g_i|          <= target · gamma_band     (if breached,
        |V_b + Σ_{i in b} q_i v_i| <= target · vega_band_b   else band)

    at the least execution cost: what a leg pays beyond the book's mid
    (half the spread, and more for every deeper level walked) plus fees,
    never the premium itself (a fair exchange at the mid). The mid is the
    book's, not the model's: against a model price a bid above it would
    look like a profit, and the plan would trade the model's error. A band not breached only
    has to stay inside its band; a breached one comes back to target times
    its band (0: neutral, 1: the edge), so a small move does not breach it
    again at once.

    Why a program and not a formula: with two candidates and two breached
    figures it is the 2x2 solve q = -A⁻¹ x, but with more candidates the
    cheapest pair, the sides, the depth each book offers and the lot sizes
    make it a small mixed-integer linear program. It is solved by GLPK
    (glp_simplex for the relaxation, glp_intopt for lots): per candidate,
    side and level one integer variable, lots taken at that level's price
    (at most what the level shows), and one binary per candidate and side
    for the minimum order size.

    When no option hedge exists the plan says why and has no legs; the
    caller then hedges delta alone:
        no candidates          none given, or none with two-sided quotes
        infeasible             no combination reaches the targets even with
                               every lot the books show (one candidate for
                               two breached figures, a singular pair,
                               books too thin)
        limits                 reachable, but not within the premium or
                               the per-leg gamma or vega limits
        lots                   the relaxation is feasible but no whole
                               number of lots is (lots too coarse)
    The relaxation is solved first, so these are told apart.

    Units: greeks per contract in the book's units (the caller multiplies
    by the multiplier and converts coin-settled premiums); prices and fees
    in USD per contract; quantities in contracts.                          */
#ifndef HB_OPTPLAN_H
#define HB_OPTPLAN_H

#include <stdbool.h>

#define HB_OPTPLAN_BUCKETS  8       //  vega buckets (expiry ranges)
#define HB_OPTPLAN_LEVELS   5       //  book levels a side a leg may walk
#define HB_OPTPLAN_CANDS    256     //  candidates per plan
#define HB_OPTPLAN_LEGS     16      //  legs in a plan, at most

typedef struct {
    double px;                      //  USD per contract, > 0
    double qty;                     //  contracts shown, > 0
} hb_optplan_level_t;

typedef struct {
    int     id;                     //  the caller's: which instrument
    double  delta, gamma, vega;     //  per contract, the book's units
    int     bucket;                 //  0 .. n_buckets-1: its expiry's vega bucket
    double  lot;                    //  quantity increment, > 0
    double  min;                    //  smallest order, >= 0 (0: one lot)
    double  fee_rate;               //  fee, fraction of the price paid
    double  fee_fixed;              //  fee, USD per contract
    int     n_bids, n_asks;         //  levels, best first
    hb_optplan_level_t bids [HB_OPTPLAN_LEVELS];
    hb_optplan_level_t asks [HB_OPTPLAN_LEVELS];
} hb_optplan_cand_t;

typedef struct {
    double  gamma;                  //  the book's
    int     n_buckets;              //  1 .. HB_OPTPLAN_BUCKETS
    double  vega [HB_OPTPLAN_BUCKETS];
    double  gamma_band;             //  > 0
    double  vega_band [HB_OPTPLAN_BUCKETS];     //  > 0
    double  target;                 //  [0, 1]: where a breached figure comes back to
    double  max_premium;            //  premium paid on buys, USD (0: no limit)
    double  max_leg_gamma;          //  |gamma| of one leg (0: no limit)
    double  max_leg_vega;           //  |vega| of one leg (0: no limit)
    int     n_cands;                //  0 .. HB_OPTPLAN_CANDS
    const hb_optplan_cand_t *cands;
} hb_optplan_input_t;

typedef enum {
    HB_OPTPLAN_OK = 0,              //  legs found
    HB_OPTPLAN_INSIDE,              //  nothing breached: no legs needed
    HB_OPTPLAN_NO_CANDIDATES,
    HB_OPTPLAN_INFEASIBLE,
    HB_OPTPLAN_LIMITS,
    HB_OPTPLAN_LOTS,
    HB_OPTPLAN_BAD_INPUT,           //  a field out of range (non-finite, negative)
    HB_OPTPLAN_SOLVER,              //  GLPK failed otherwise
    HB_OPTPLAN_REASONS
} hb_optplan_reason_t;

typedef struct {
    int     cand;                   //  index into the input's cands
    double  qty;                    //  contracts, > 0 buy, < 0 sell
    double  limit_px;               //  the deepest level's price it walks to
    double  cost;                   //  USD beyond the mid, fees included
    double  premium;                //  USD, paid (> 0) or received (< 0)
} hb_optplan_leg_t;

typedef struct {
    hb_optplan_reason_t reason;
    int     n_legs;
    hb_optplan_leg_t legs [HB_OPTPLAN_LEGS];
    double  cost;                   //  sum of the legs'
    double  premium;
    double  delta;                  //  the legs' delta: the delta leg adds -delta
    double  gamma_after;
    double  vega_after [HB_OPTPLAN_BUCKETS];
    char    why [128];              //  the reason in words, with the figure
} hb_optplan_t;

//  Plans in into *out. Returns out->reason (HB_OPTPLAN_OK: legs in out).
//  Never crashes on bad input (HB_OPTPLAN_BAD_INPUT, why names the field).
hb_optplan_reason_t hb_optplan_solve (const hb_optplan_input_t *in, hb_optplan_t *out);

//  "ok", "inside", "no_candidates", ...
const char *hb_optplan_reason_name (hb_optplan_reason_t reason);

#endif
