/*  hb_route: best executable price for the size across venues (hb_route.h). */
#include "hb_route.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define S_MAX_LEVELS  (HB_ROUTE_MAX_CANDIDATES * HB_BOOK_DEPTH)
//  quantities within this relative distance of a lot multiple are on it:
//  0.3 / 0.1 must be 3 lots, not 2
#define S_LOT_EPS     1e-9

typedef struct {
    int    cand;
    double px;                      //  the level's price
    double eff;                     //  with the fee: what a unit really costs / brings
    double qty;                     //  asset units
} s_level_t;

static const char *s_skip_names [HB_ROUTE_SKIP_COUNT] = {
    "ok", "no_book", "stale", "outage", "crossed", "no_depth", "margin", "kind", "min_size"
};

const char *
hb_route_skip_name (int skip)
{
    return skip >= 0 && skip < HB_ROUTE_SKIP_COUNT ? s_skip_names [skip] : "unknown";
}

double
hb_route_carry (int kind, double funding_bps, double basis_bps, double hold_hours)
{
    double carry = 0;
    if (kind == 2 || kind == 3)         //  linear and inverse perps: funding every 8 h
        carry = funding_bps * 1e-4 * hold_hours / 8;
    else
    if (kind == 4)                      //  future: an annual rate
        carry = basis_bps * 1e-4 * hold_hours / (365.0 * 24);
    return isfinite (carry) && hold_hours > 0 ? carry : 0;
}

//  Buy: cheapest effective price first; sell: dearest first. Ties go to the
//  lower candidate index so that a plan is reproducible.
static int
s_level_cmp (const void *a, const void *b, void *arg)
{
    const s_level_t *x = a, *y = b;
    bool buy = *(const bool *) arg;
    if (x->eff != y->eff)
        return (x->eff < y->eff) == buy ? -1 : 1;
    if (x->cand != y->cand)
        return x->cand < y->cand ? -1 : 1;
    return buy ? (x->px < y->px ? -1 : x->px > y->px) : (x->px > y->px ? -1 : x->px < y->px);
}

static double
s_round_lot (double qty, double lot)
{
    return floor (qty / lot + S_LOT_EPS) * lot;
}

//  Notional this candidate may still add before its utilization passes
//  the limit; INFINITY when its margin is not checked.
static double
s_headroom (const hb_route_cand_t *cand, double max_utilization)
{
    if (cand->initial_rate <= 0)
        return INFINITY;
    if (cand->equity_usd <= 0)
        return 0;
    double room = (max_utilization * cand->equity_usd - cand->initial_usd) / cand->initial_rate;
    return room > 0 ? room : 0;
}

static hb_route_skip_t
s_check (const hb_route_req_t *req, const hb_route_cand_t *cand)
{
    if (cand->kind != 1 && cand->kind != 2 && cand->kind != 4)
        return HB_ROUTE_SKIP_KIND;
    if (!cand->tick)
        return HB_ROUTE_SKIP_NO_BOOK;
    if ((cand->tick->flags & HB_TICK_OUTAGE))
        return HB_ROUTE_SKIP_OUTAGE;
    if ((cand->tick->flags & HB_TICK_STALE) || req->now_ns - cand->tick_ns > req->stale_ns)
        return HB_ROUTE_SKIP_STALE;
    if (hb_tick_crossed (cand->tick))
        return HB_ROUTE_SKIP_CROSSED;
    bool buy = req->side == HB_SIDE_BUY;
    int depth = buy ? cand->tick->n_asks : cand->tick->n_bids;
    if (depth == 0)
        return HB_ROUTE_SKIP_NO_DEPTH;
    const hb_level_t *touch = buy ? &cand->tick->asks [0] : &cand->tick->bids [0];
    double smallest = fmax (cand->min_qty, cand->lot_size) * cand->multiplier * touch->px;
    if (s_headroom (cand, req->max_utilization) < smallest)
        return HB_ROUTE_SKIP_MARGIN;
    return HB_ROUTE_OK;
}

int
hb_route_plan (const hb_route_req_t *req, const hb_route_cand_t *cands, int n, hb_route_plan_t *plan)
{
    memset (plan, 0, sizeof *plan);
    if (!req || (req->side != HB_SIDE_BUY && req->side != HB_SIDE_SELL)
    ||  !isfinite (req->qty) || req->qty <= 0 || n < 0 || n > HB_ROUTE_MAX_CANDIDATES)
        return -1;
    bool buy = req->side == HB_SIDE_BUY;

    s_level_t levels [S_MAX_LEVELS];
    int n_levels = 0;
    for (int c = 0; c < n; c++) {
        const hb_route_cand_t *cand = &cands [c];
        plan->skip [c] = s_check (req, cand);
        if (plan->skip [c] != HB_ROUTE_OK)
            continue;
        const hb_level_t *side = buy ? cand->tick->asks : cand->tick->bids;
        int depth = buy ? cand->tick->n_asks : cand->tick->n_bids;
        for (int l = 0; l < depth && l < HB_BOOK_DEPTH; l++) {
            if (!(side [l].px > 0) || !(side [l].qty > 0))
                continue;
            double fee = (buy ? 1 + cand->fee_taker : 1 - cand->fee_taker) + cand->carry;
            levels [n_levels++] = (s_level_t) {
                .cand = c, .px = side [l].px, .eff = side [l].px * fee,
                .qty = side [l].qty * cand->multiplier
            };
        }
    }
    qsort_r (levels, (size_t) n_levels, sizeof levels [0], s_level_cmp, &buy);

    //  walk: raw asset quantity, notional and worst price per candidate
    double want [HB_ROUTE_MAX_CANDIDATES] = { 0 };
    double notional [HB_ROUTE_MAX_CANDIDATES] = { 0 };
    double worst [HB_ROUTE_MAX_CANDIDATES] = { 0 };
    double room [HB_ROUTE_MAX_CANDIDATES] = { 0 };
    for (int c = 0; c < n; c++)
        room [c] = s_headroom (&cands [c], req->max_utilization);
    double left = req->qty;
    for (int i = 0; i < 2 * n_levels && left > 0; i++) {
        //  the venues awaiting a top-up in a second pass, for the rest
        s_level_t *level = &levels [i % n_levels];
        int c = level->cand;
        if (cands [c].topup != (i >= n_levels))
            continue;
        double take = fmin (left, level->qty);
        take = fmin (take, (room [c] - notional [c]) / level->px);
        if (take <= 0)
            continue;
        want [c] += take;
        notional [c] += take * level->px;
        worst [c] = level->px;
        left -= take;
    }

    //  legs: lots and minimum sizes
    for (int c = 0; c < n; c++) {
        if (want [c] <= 0)
            continue;
        const hb_route_cand_t *cand = &cands [c];
        double qty = s_round_lot (want [c] / cand->multiplier, cand->lot_size);
        if (qty <= 0 || qty < cand->min_qty * (1 - S_LOT_EPS)) {
            plan->skip [c] = HB_ROUTE_SKIP_MIN_SIZE;
            continue;
        }
        double asset_qty = qty * cand->multiplier;
        //  rounding down only removes from the worst levels taken: the
        //  average of what remains is at least as good as the walk's
        double avg = notional [c] / want [c];
        hb_route_leg_t *leg = &plan->legs [plan->n_legs++];
        *leg = (hb_route_leg_t) {
            .cand = c, .qty = qty, .asset_qty = asset_qty, .limit_px = worst [c], .avg_px = avg,
            .fee_usd = asset_qty * avg * cand->fee_taker,
            .carry_usd = (buy ? 1 : -1) * asset_qty * avg * cand->carry
        };
        plan->placed_qty += asset_qty;
        plan->cost_usd += buy ? asset_qty * avg + leg->fee_usd + leg->carry_usd
                              : asset_qty * avg - leg->fee_usd - leg->carry_usd;
    }
    plan->unplaced_qty = fmax (0, req->qty - plan->placed_qty);
    return plan->n_legs;
}
