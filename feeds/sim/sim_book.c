/*  sim_book: see sim_book.h.

    Prices are computed as integers of ticks and converted once, so a price
    read back from the book divides by tick to a whole number up to one
    rounding, which is what a venue's own tick check (and sim_book_on_grid)
    expects.                                                                 */
#include <math.h>
#include <string.h>
#include "sim_book.h"
#include "sim_rng.h"

//  Slack for floor/ceil on values that are a whole number of ticks up to a
//  rounding (fair = 100.0 with tick 0.1 is 1000 ticks, not 999.9999).
#define S_GRID_EPS 1e-9

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
    return lots * p->lot;
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
            book->bids [book->n_bids].px = bid * p->tick;
            book->bids [book->n_bids].qty = s_level_qty (p, HB_SIDE_BUY, j);
            book->n_bids++;
        }
        book->asks [book->n_asks].px = ask * p->tick;
        book->asks [book->n_asks].qty = s_level_qty (p, HB_SIDE_SELL, j);
        book->n_asks++;
    }
}

int
sim_book_walk (const sim_book_t *book, int side, double qty, double limit,
               sim_take_t *takes, double *filled)
{
    const hb_level_t *levels = side == HB_SIDE_BUY? book->asks: book->bids;
    int n_levels = side == HB_SIDE_BUY? book->n_asks: book->n_bids;
    double left = qty;
    int n = 0;
    for (int j = 0; j < n_levels && left > 0; j++) {
        double px = levels [j].px;
        if (limit > 0 && (side == HB_SIDE_BUY? px > limit: px < limit))
            break;
        double take = levels [j].qty < left? levels [j].qty: left;
        takes [n].px = px;
        takes [n].qty = take;
        n++;
        left -= take;
        //  qty and level sizes are lot multiples; a remainder below a
        //  millionth of the order is rounding, not quantity
        if (left <= qty * 1e-9)
            left = 0;
    }
    double total = 0;
    for (int j = 0; j < n; j++)
        total += takes [j].qty;
    *filled = total;
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
        double rest = round ((levels [j].qty - takes [j].qty) / lot) * lot;
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
