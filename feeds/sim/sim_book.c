/*  sim_book: see sim_book.h.

    Prices and sizes are computed as whole numbers of ticks and lots and
    converted once (s_grid), so a value read back from the book divides by
    its unit to a whole number up to one rounding, which is what a venue's
    own grid check (sim_book_on_grid) expects.                               */
#include <math.h>
#include <string.h>
#include "sim_book.h"
#include "sim_rng.h"

//  Slack for floor/ceil on values that are a whole number of ticks up to a
//  rounding (fair = 100.0 with tick 0.1 is 1000 ticks, not 999.9999).
#define S_GRID_EPS 1e-9

//  n units of the grid as a double. For decimal grids (0.01, 0.0001 ...)
//  n / 100 is the correctly rounded decimal where n * 0.01 is often one ulp
//  off (1.1400000000000001), which shows in every JSON line downstream.
static double
s_grid (double n, double unit)
{
    double inverse = round (1.0 / unit);
    if (inverse >= 1 && fabs (1.0 / unit - inverse) <= 1e-9 * inverse)
        return n / inverse;
    return n * unit;
}

static double
s_level_qty (const sim_book_params_t *p, int side, int level)
{
    double u = sim_rng_unit (sim_rng_hash (p->seed, (uint64_t) side, (uint64_t) level));
    double qty = p->touch_qty * (1.0 + 0.5 * level) * (0.5 + u);
    double lots = floor (qty / p->lot + S_GRID_EPS);
    double min_lots = ceil (p->min_qty / p->lot - S_GRID_EPS);
    if (min_lots < 1)
        min_lots = 1;
    if (lots < min_lots)
        lots = min_lots;
    return s_grid (lots, p->lot);
}

void
sim_book_build (sim_book_t *book, const sim_book_params_t *p)
{
    memset (book, 0, sizeof *book);
    int depth = p->depth < 1? 1: p->depth > HB_BOOK_DEPTH? HB_BOOK_DEPTH: p->depth;
    if (!(p->fair > 0) || !(p->tick > 0) || !(p->lot > 0) || !isfinite (p->fair))
        return;
    double prev_bid = INFINITY, prev_ask = -INFINITY;
    for (int j = 0; j < depth; j++) {
        double off = p->half_spread + j * p->level_step;
        double bid = floor ((p->fair - off) / p->tick + S_GRID_EPS);
        double ask = ceil ((p->fair + off) / p->tick - S_GRID_EPS);
        if (bid >= prev_bid)
            bid = prev_bid - 1;
        if (ask <= prev_ask)
            ask = prev_ask + 1;
        //  Zero spread on a price that sits on the grid: keep the touch
        //  one tick wide rather than locked.
        if (j == 0 && ask <= bid)
            ask = bid + 1;
        prev_bid = bid;
        prev_ask = ask;
        if (bid >= 1) {
            book->bids [book->n_bids].px = s_grid (bid, p->tick);
            book->bids [book->n_bids].qty = s_level_qty (p, HB_SIDE_BUY, j);
            book->n_bids++;
        }
        book->asks [book->n_asks].px = s_grid (ask, p->tick);
        book->asks [book->n_asks].qty = s_level_qty (p, HB_SIDE_SELL, j);
        book->n_asks++;
    }
}

int
sim_book_walk (const sim_book_t *book, int side, double qty, double limit, double lot,
               sim_take_t *takes, double *filled)
{
    const hb_level_t *levels = side == HB_SIDE_BUY? book->asks: book->bids;
    int n_levels = side == HB_SIDE_BUY? book->n_asks: book->n_bids;
    //  counted in whole lots so that every take is on the lot grid and the
    //  remainder never turns into dust
    double left = round (qty / lot), total = 0;
    int n = 0;
    for (int j = 0; j < n_levels && left > 0; j++) {
        double px = levels [j].px;
        if (limit > 0 && (side == HB_SIDE_BUY? px > limit: px < limit))
            break;
        double level = round (levels [j].qty / lot);
        double take = level < left? level: left;
        takes [n].px = px;
        takes [n].qty = s_grid (take, lot);
        n++;
        left -= take;
        total += take;
    }
    *filled = s_grid (total, lot);
    return n;
}

void
sim_book_consume (sim_book_t *book, int side, const sim_take_t *takes,
                  int n_takes, double lot)
{
    hb_level_t *levels = side == HB_SIDE_BUY? book->asks: book->bids;
    int *n_levels = side == HB_SIDE_BUY? &book->n_asks: &book->n_bids;
    //  takes are the first n_takes levels, in order
    int gone = 0;
    for (int j = 0; j < n_takes && j < *n_levels; j++) {
        double rest = s_grid (round ((levels [j].qty - takes [j].qty) / lot), lot);
        levels [j].qty = rest > 0? rest: 0;
        if (levels [j].qty <= 0)
            gone++;
    }
    if (gone > 0) {
        memmove (levels, levels + gone, (size_t) (*n_levels - gone) * sizeof *levels);
        *n_levels -= gone;
        memset (levels + *n_levels, 0, (size_t) gone * sizeof *levels);
    }
}

bool
sim_book_on_grid (double x, double unit)
{
    double q = x / unit;
    return fabs (q - round (q)) <= 1e-9 * fmax (1.0, fabs (q));
}

static bool
s_side_valid (const hb_level_t *levels, int n, bool bids, double tick, double lot)
{
    for (int j = 0; j < n; j++) {
        if (!(levels [j].px > 0) || !(levels [j].qty > 0)
        ||  !sim_book_on_grid (levels [j].px, tick) || !sim_book_on_grid (levels [j].qty, lot))
            return false;
        if (j > 0 && (bids? levels [j].px >= levels [j - 1].px
                          : levels [j].px <= levels [j - 1].px))
            return false;
    }
    return true;
}

bool
sim_book_valid (const sim_book_t *book, double tick, double lot)
{
    if (book->n_bids < 0 || book->n_bids > HB_BOOK_DEPTH
    ||  book->n_asks < 0 || book->n_asks > HB_BOOK_DEPTH)
        return false;
    if (book->n_bids > 0 && book->n_asks > 0 && book->bids [0].px >= book->asks [0].px)
        return false;
    return s_side_valid (book->bids, book->n_bids, true, tick, lot)
        && s_side_valid (book->asks, book->n_asks, false, tick, lot);
}
