/*  sim_book: the depth ladder of one instrument on a sim venue, and taking
    liquidity from it. A plain data record plus pure functions: no
    allocation, no clock, no randomness of its own (the caller passes the
    seed for the size variation).

    Prices are whole multiples of tick (stored as n * tick), bids rounded
    down and asks up, so the book is never crossed and strictly monotonic
    away from the touch; quantities are whole multiples of lot.             */
#ifndef SIM_BOOK_H
#define SIM_BOOK_H

#include <stdbool.h>
#include <stdint.h>
#include "hb_msg.h"

typedef struct {
    int        n_bids;
    int        n_asks;
    hb_level_t bids [HB_BOOK_DEPTH];    //  best first
    hb_level_t asks [HB_BOOK_DEPTH];
} sim_book_t;

typedef struct {
    double   fair;          //  the instrument's fair price (> 0)
    double   half_spread;   //  price distance from fair to the touch (>= 0)
    double   level_step;    //  price distance between levels (>= 0)
    double   touch_qty;     //  quantity at the touch before variation
    double   tick;          //  > 0
    double   lot;           //  > 0
    double   min_qty;       //  no level is smaller than this (rounded up to lot)
    int      depth;         //  levels per side, clamped to 1..HB_BOOK_DEPTH
    uint64_t seed;          //  size variation: a pure function of it
} sim_book_params_t;

//  One slice of an order's walk through the book.
typedef struct {
    double px;
    double qty;
} sim_take_t;

//  Builds the ladder around params->fair. Level j (from 0) sits at
//  fair -/+ (half_spread + j * level_step), rounded outward to tick, at
//  least one tick beyond the previous level; its size is
//  touch_qty * (1 + j / 2) * u with u uniform in [0.5, 1.5) from the seed,
//  rounded down to lot but never below min_qty. Bid levels that would be at
//  or below zero are left out.
void sim_book_build (sim_book_t *book, const sim_book_params_t *params);

//  Walks the side an order of `side` takes from (asks for a buy), level by
//  level while the price is within limit (limit <= 0: no limit), up to qty
//  (a multiple of lot). Writes one take per level touched into takes
//  (HB_BOOK_DEPTH entries), each a whole number of lots, and returns how
//  many; *filled gets the total. The book is not changed.
int sim_book_walk (const sim_book_t *book, int side, double qty, double limit, double lot,
                   sim_take_t *takes, double *filled);

//  Removes what sim_book_walk returned from the book (emptied levels go;
//  remainders are re-rounded to lot so no dust is left).
void sim_book_consume (sim_book_t *book, int side, const sim_take_t *takes,
                       int n_takes, double lot);

//  True when the book is sane: not crossed, strictly monotonic, every price
//  a positive multiple of tick and every quantity a positive multiple of lot
//  (within 1e-9 relative). For tests and assertions.
bool sim_book_valid (const sim_book_t *book, double tick, double lot);

//  True when x is a whole multiple of unit within 1e-9 relative.
bool sim_book_on_grid (double x, double unit);

#endif
