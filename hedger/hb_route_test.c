/*  hb_route tests: a table of books, fees and margins where the right venue
    or split is known by hand.                                              */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <math.h>
#include <string.h>
#include <cmocka.h>

#include "hb_route.h"

#define NOW     1000000000000LL
#define MS      1000000LL

//  A book: best level at px, each further level step away, qty each.
static hb_tick_t
s_book (double bid, double ask, double step, double qty, int depth)
{
    hb_tick_t tick;
    memset (&tick, 0, sizeof tick);
    tick.n_bids = tick.n_asks = (uint8_t) depth;
    for (int l = 0; l < depth; l++) {
        tick.bids [l] = (hb_level_t) { bid - l * step, qty };
        tick.asks [l] = (hb_level_t) { ask + l * step, qty };
    }
    return tick;
}

static hb_route_cand_t
s_cand (const hb_tick_t *tick, double fee)
{
    return (hb_route_cand_t) {
        .tick = tick, .tick_ns = NOW - 100 * MS, .kind = 2, .multiplier = 1,
        .lot_size = 0.001, .min_qty = 0.001, .fee_taker = fee
    };
}

typedef struct {
    const char *name;
    uint8_t     side;
    double      qty;
    //  two candidates: alpha (0) and beta (1)
    hb_tick_t   book [2];
    int         no_book;            //  bit per candidate
    double      fee [2];
    double      lot [2], min [2], mult [2];
    int64_t     age_ms [2];
    uint32_t    flags [2];
    double      equity [2], initial [2], rate [2];
    int         kind [2];           //  0: linear perp
    double      funding_bps [2], basis_bps [2], hold_h;     //  carry, via hb_route_carry
    bool        topup [2];          //  a top-up on its way to the venue
    //  expected
    int         n_legs;
    double      qty_want [2];       //  instrument units per candidate (0: no leg)
    double      limit_want [2];
    uint8_t     skip_want [2];
    double      unplaced;
} s_case_t;

static void
s_run (s_case_t *test)
{
    hb_route_cand_t cands [2];
    for (int c = 0; c < 2; c++) {
        cands [c] = s_cand ((test->no_book >> c) & 1 ? NULL : &test->book [c], test->fee [c]);
        if (test->lot [c] > 0)
            cands [c].lot_size = test->lot [c];
        if (test->min [c] > 0)
            cands [c].min_qty = test->min [c];
        if (test->mult [c] > 0)
            cands [c].multiplier = test->mult [c];
        if (test->age_ms [c])
            cands [c].tick_ns = NOW - test->age_ms [c] * MS;
        test->book [c].flags = test->flags [c];
        cands [c].equity_usd = test->equity [c];
        cands [c].initial_usd = test->initial [c];
        cands [c].initial_rate = test->rate [c];
        if (test->kind [c])
            cands [c].kind = test->kind [c];
        cands [c].carry = hb_route_carry (cands [c].kind, test->funding_bps [c],
                                          test->basis_bps [c], test->hold_h);
        cands [c].topup = test->topup [c];
    }
    hb_route_req_t req = {
        .side = test->side, .qty = test->qty, .now_ns = NOW, .stale_ns = 2000 * MS,
        .max_utilization = 0.8
    };
    hb_route_plan_t plan;
    int n = hb_route_plan (&req, cands, 2, &plan);
    if (n != test->n_legs)
        print_error ("%s: %d legs, want %d\n", test->name, n, test->n_legs);
    assert_int_equal (n, test->n_legs);
    for (int c = 0; c < 2; c++) {
        double got = 0, limit = 0;
        for (int l = 0; l < plan.n_legs; l++)
            if (plan.legs [l].cand == c) {
                got = plan.legs [l].qty;
                limit = plan.legs [l].limit_px;
            }
        if (fabs (got - test->qty_want [c]) > 1e-9 || plan.skip [c] != test->skip_want [c])
            print_error ("%s: candidate %d qty %.6f skip %s, want %.6f %s\n", test->name, c, got,
                         hb_route_skip_name (plan.skip [c]), test->qty_want [c],
                         hb_route_skip_name (test->skip_want [c]));
        assert_float_equal (got, test->qty_want [c], 1e-9);
        assert_int_equal (plan.skip [c], test->skip_want [c]);
        if (test->limit_want [c] > 0)
            assert_float_equal (limit, test->limit_want [c], 1e-9);
    }
    assert_float_equal (plan.unplaced_qty, test->unplaced, 1e-9);
}

static void
test_table (void **state)
{
    (void) state;
    s_case_t cases [] = {
        {   .name = "same book: the lower fee wins", .side = HB_SIDE_BUY, .qty = 1,
            .book = { s_book (99, 100, 1, 10, 5), s_book (99, 100, 1, 10, 5) },
            .fee = { 0.0010, 0.0005 },
            .n_legs = 1, .qty_want = { 0, 1 }, .limit_want = { 0, 100 } },
        {   .name = "fee outweighs a better touch", .side = HB_SIDE_BUY, .qty = 2,
            .book = { s_book (99, 100.00, 1, 10, 5), s_book (99, 100.05, 1, 10, 5) },
            .fee = { 0.0010, 0.0002 },     //  100.10 vs 100.07
            .n_legs = 1, .qty_want = { 0, 2 } },
        {   .name = "sell: the best bid net of fees", .side = HB_SIDE_SELL, .qty = 3,
            .book = { s_book (101, 102, 1, 10, 5), s_book (100.9, 101, 1, 10, 5) },
            .fee = { 0.0005, 0.0000 },     //  100.9495 vs 100.9
            .n_legs = 1, .qty_want = { 3, 0 }, .limit_want = { 101, 0 } },
        {   .name = "thin book: split, cheapest first", .side = HB_SIDE_BUY, .qty = 3,
            .book = { s_book (99, 100, 1, 1, 1), s_book (99, 100.5, 1, 10, 5) },
            .n_legs = 2, .qty_want = { 1, 2 }, .limit_want = { 100, 100.5 } },
        {   .name = "walks depth: beta's second level beats alpha's touch", .side = HB_SIDE_BUY,
            .qty = 4,
            .book = { s_book (99, 102, 1, 10, 5), s_book (99, 100, 1, 2, 5) },
            .n_legs = 1, .qty_want = { 0, 4 }, .limit_want = { 0, 101 } },
        {   .name = "a top-up in flight: the dearer venue takes it all", .side = HB_SIDE_SELL, .qty = 3,
            .book = { s_book (101, 102, 1, 10, 5), s_book (100.9, 101, 1, 10, 5) },
            .topup = { true, false },
            .n_legs = 1, .qty_want = { 0, 3 }, .limit_want = { 0, 100.9 } },
        {   .name = "a top-up in flight: it takes what the other cannot", .side = HB_SIDE_BUY, .qty = 3,
            .book = { s_book (99, 100, 1, 10, 5), s_book (99, 100.5, 1, 1, 2) },
            .topup = { true, false },
            .n_legs = 2, .qty_want = { 1, 2 }, .limit_want = { 100, 101.5 } },
        {   .name = "a top-up in flight on both: the best price again", .side = HB_SIDE_BUY, .qty = 1,
            .book = { s_book (99, 100, 1, 10, 5), s_book (99, 100.5, 1, 10, 5) },
            .topup = { true, true },
            .n_legs = 1, .qty_want = { 1, 0 } },
        {   .name = "not enough depth anywhere", .side = HB_SIDE_BUY, .qty = 5,
            .book = { s_book (99, 100, 1, 1, 2), s_book (99, 100, 1, 1, 1) },
            .n_legs = 2, .qty_want = { 2, 1 }, .unplaced = 2 },
        {   .name = "stale book is left out", .side = HB_SIDE_BUY, .qty = 1,
            .book = { s_book (99, 100, 1, 10, 5), s_book (99, 101, 1, 10, 5) },
            .age_ms = { 2001, 0 },
            .n_legs = 1, .qty_want = { 0, 1 }, .skip_want = { HB_ROUTE_SKIP_STALE, 0 } },
        {   .name = "fresh enough at the limit", .side = HB_SIDE_BUY, .qty = 1,
            .book = { s_book (99, 100, 1, 10, 5), s_book (99, 101, 1, 10, 5) },
            .age_ms = { 2000, 0 },
            .n_legs = 1, .qty_want = { 1, 0 } },
        {   .name = "venue-flagged stale", .side = HB_SIDE_BUY, .qty = 1,
            .book = { s_book (99, 100, 1, 10, 5), s_book (99, 101, 1, 10, 5) },
            .flags = { HB_TICK_STALE, 0 },
            .n_legs = 1, .qty_want = { 0, 1 }, .skip_want = { HB_ROUTE_SKIP_STALE, 0 } },
        {   .name = "outage", .side = HB_SIDE_SELL, .qty = 1,
            .book = { s_book (99, 100, 1, 10, 5), s_book (98, 101, 1, 10, 5) },
            .flags = { HB_TICK_OUTAGE, 0 },
            .n_legs = 1, .qty_want = { 0, 1 }, .skip_want = { HB_ROUTE_SKIP_OUTAGE, 0 } },
        {   .name = "crossed", .side = HB_SIDE_BUY, .qty = 1,
            .book = { s_book (101, 100, 1, 10, 5), s_book (99, 101, 1, 10, 5) },
            .n_legs = 1, .qty_want = { 0, 1 }, .skip_want = { HB_ROUTE_SKIP_CROSSED, 0 } },
        {   .name = "no book, no depth: nothing", .side = HB_SIDE_BUY, .qty = 1,
            .book = { s_book (99, 100, 1, 10, 5), s_book (99, 100, 1, 10, 0) }, .no_book = 1,
            .n_legs = 0, .skip_want = { HB_ROUTE_SKIP_NO_BOOK, HB_ROUTE_SKIP_NO_DEPTH }, .unplaced = 1 },
        {   .name = "margin caps the cheap venue", .side = HB_SIDE_BUY, .qty = 150,
            .book = { s_book (99, 101, 1, 1000, 5), s_book (99, 100, 1, 1000, 5) },
            //  beta: (0.8 x 10000 - 7000) / 0.1 = 10000 USD = 100 units at 100
            .equity = { 0, 10000 }, .initial = { 0, 7000 }, .rate = { 0, 0.1 },
            .n_legs = 2, .qty_want = { 50, 100 } },
        {   .name = "margin full: venue skipped", .side = HB_SIDE_BUY, .qty = 1,
            .book = { s_book (99, 101, 1, 1000, 5), s_book (99, 100, 1, 1000, 5) },
            .equity = { 0, 10000 }, .initial = { 0, 8000 }, .rate = { 0, 0.1 },
            .n_legs = 1, .qty_want = { 1, 0 }, .skip_want = { 0, HB_ROUTE_SKIP_MARGIN } },
        {   .name = "round down to the lot", .side = HB_SIDE_BUY, .qty = 1.23456,
            .book = { s_book (99, 100, 1, 10, 5), s_book (99, 101, 1, 10, 5) },
            .lot = { 0.01, 0.01 },
            .n_legs = 1, .qty_want = { 1.23, 0 }, .unplaced = 0.00456 },
        {   .name = "0.3 is three lots of 0.1", .side = HB_SIDE_BUY, .qty = 0.3,
            .book = { s_book (99, 100, 1, 10, 5), s_book (99, 101, 1, 10, 5) },
            .lot = { 0.1, 0.1 }, .min = { 0.1, 0.1 },
            .n_legs = 1, .qty_want = { 0.3, 0 } },
        {   .name = "a share below min size is dropped", .side = HB_SIDE_BUY, .qty = 1.3,
            .book = { s_book (99, 100, 1, 1, 1), s_book (99, 101, 1, 10, 5) },
            .min = { 0.001, 0.5 },
            .n_legs = 1, .qty_want = { 1, 0 }, .skip_want = { 0, HB_ROUTE_SKIP_MIN_SIZE },
            .unplaced = 0.3 },
        {   .name = "margin at the limit exactly: all on the cheap venue", .side = HB_SIDE_BUY,
            .qty = 100,
            .book = { s_book (99, 101, 1, 1000, 5), s_book (99, 100, 1, 1000, 5) },
            .equity = { 0, 10000 }, .initial = { 0, 7000 }, .rate = { 0, 0.1 },
            .n_legs = 1, .qty_want = { 0, 100 } },
        {   .name = "margin: one unit past the limit goes elsewhere", .side = HB_SIDE_BUY,
            .qty = 101,
            .book = { s_book (99, 101, 1, 1000, 5), s_book (99, 100, 1, 1000, 5) },
            .equity = { 0, 10000 }, .initial = { 0, 7000 }, .rate = { 0, 0.1 },
            .lot = { 1, 1 }, .min = { 1, 1 },
            .n_legs = 2, .qty_want = { 1, 100 } },
        {   .name = "stale and in outage: nothing anywhere", .side = HB_SIDE_BUY, .qty = 1,
            .book = { s_book (99, 100, 1, 10, 5), s_book (99, 101, 1, 10, 5) },
            .age_ms = { 5000, 0 }, .flags = { 0, HB_TICK_OUTAGE },
            .n_legs = 0, .skip_want = { HB_ROUTE_SKIP_STALE, HB_ROUTE_SKIP_OUTAGE }, .unplaced = 1 },
        {   .name = "min size and lot together", .side = HB_SIDE_SELL, .qty = 0.25,
            .book = { s_book (100, 101, 1, 10, 5), s_book (99, 100, 1, 10, 5) },
            .lot = { 0.1, 0.1 }, .min = { 0.2, 0.2 },
            .n_legs = 1, .qty_want = { 0.2, 0 }, .unplaced = 0.05 },
        {   .name = "thin books on both: split by price, each on its lot", .side = HB_SIDE_SELL,
            .qty = 2.5,
            .book = { s_book (100, 101, 0.5, 0.6, 2), s_book (99.9, 101, 0.5, 5, 5) },
            .lot = { 0.1, 1 }, .min = { 0.1, 1 },
            //  alpha's 0.6 @ 100, then beta's 99.9 for the 1.9 left, rounded down
            //  to its lot: 1; the 0.9 is left to the next request
            .n_legs = 2, .qty_want = { 0.6, 1 }, .unplaced = 0.9 },

        //  Funding (perps, per 8 h) and basis (futures, per year) over the
        //  holding horizon: each pair is the same books with and without
        //  the carry, so the carry is what flips the venue.
        {   .name = "no funding: the better ask wins", .side = HB_SIDE_BUY, .qty = 1,
            .book = { s_book (99, 100.00, 1, 10, 5), s_book (99, 100.03, 1, 10, 5) },
            .hold_h = 8,
            .n_legs = 1, .qty_want = { 1, 0 } },
        {   .name = "funding longs pay flips a buy", .side = HB_SIDE_BUY, .qty = 1,
            .book = { s_book (99, 100.00, 1, 10, 5), s_book (99, 100.03, 1, 10, 5) },
            .funding_bps = { 5, 0 }, .hold_h = 8,       //  100.05 vs 100.03
            .n_legs = 1, .qty_want = { 0, 1 } },
        {   .name = "the same funding held 2 h does not", .side = HB_SIDE_BUY, .qty = 1,
            .book = { s_book (99, 100.00, 1, 10, 5), s_book (99, 100.03, 1, 10, 5) },
            .funding_bps = { 5, 0 }, .hold_h = 2,       //  100.0125 vs 100.03
            .n_legs = 1, .qty_want = { 1, 0 } },
        {   .name = "negative funding pays the buyer", .side = HB_SIDE_BUY, .qty = 1,
            .book = { s_book (99, 100.03, 1, 10, 5), s_book (99, 100.00, 1, 10, 5) },
            .funding_bps = { -5, 0 }, .hold_h = 8,      //  99.98 vs 100
            .n_legs = 1, .qty_want = { 1, 0 } },
        {   .name = "no funding: the better bid wins", .side = HB_SIDE_SELL, .qty = 1,
            .book = { s_book (100.00, 101, 1, 10, 5), s_book (99.97, 101, 1, 10, 5) },
            .hold_h = 8,
            .n_legs = 1, .qty_want = { 1, 0 } },
        {   .name = "shorts paying funding flips a sell", .side = HB_SIDE_SELL, .qty = 1,
            .book = { s_book (100.00, 101, 1, 10, 5), s_book (99.97, 101, 1, 10, 5) },
            .funding_bps = { -5, 0 }, .hold_h = 8,      //  99.95 vs 99.97
            .n_legs = 1, .qty_want = { 0, 1 } },
        {   .name = "funding on both: the net wins", .side = HB_SIDE_SELL, .qty = 1,
            .book = { s_book (100.00, 101, 1, 10, 5), s_book (99.97, 101, 1, 10, 5) },
            .funding_bps = { -5, -8 }, .hold_h = 8,     //  99.95 vs 99.89
            .n_legs = 1, .qty_want = { 1, 0 } },
        {   .name = "future basis held a day: the perp wins", .side = HB_SIDE_BUY, .qty = 1,
            .book = { s_book (99, 100.00, 1, 10, 5), s_book (99, 100.02, 1, 10, 5) },
            .kind = { 4, 2 }, .basis_bps = { 1095, 0 }, .hold_h = 24,   //  + 3 bps: 100.03
            .n_legs = 1, .qty_want = { 0, 1 } },
        {   .name = "funding only counts on perps", .side = HB_SIDE_BUY, .qty = 1,
            .book = { s_book (99, 100.00, 1, 10, 5), s_book (99, 100.02, 1, 10, 5) },
            .kind = { 1, 2 }, .funding_bps = { 50, 0 }, .hold_h = 24,   //  spot: none
            .n_legs = 1, .qty_want = { 1, 0 } },
        {   .name = "thin books, no funding: all on alpha", .side = HB_SIDE_BUY, .qty = 3,
            .book = { s_book (99, 100.00, 0.01, 1, 5), s_book (99, 100.035, 1, 1, 5) },
            .hold_h = 8,                                //  100.00, 100.01, 100.02 < 100.035
            .n_legs = 1, .qty_want = { 3, 0 } },
        {   .name = "thin books, funding: the walk splits", .side = HB_SIDE_BUY, .qty = 3,
            .book = { s_book (99, 100.00, 0.01, 1, 5), s_book (99, 100.035, 1, 1, 5) },
            //  beta 100.035, then alpha 100.05, 100.06 with 5 bps of funding
            .funding_bps = { 5, 0 }, .hold_h = 8,
            .n_legs = 2, .qty_want = { 2, 1 }, .limit_want = { 100.01, 100.035 } },
        {   .name = "contract multiplier", .side = HB_SIDE_SELL, .qty = 0.5,
            .book = { s_book (100, 101, 1, 1000, 5), s_book (99, 100, 1, 10, 5) },
            .mult = { 0.01, 1 }, .lot = { 1, 0.001 }, .min = { 1, 0.001 },
            .n_legs = 1, .qty_want = { 50, 0 } },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases [0]; i++)
        s_run (&cases [i]);
}

//  The carry of one leg is in the plan's cost; hb_route_carry's units
static void
test_carry (void **state)
{
    (void) state;
    assert_float_equal (hb_route_carry (2, 3, 0, 8), 3e-4, 1e-15);
    assert_float_equal (hb_route_carry (3, -3, 0, 24), -9e-4, 1e-15);
    assert_float_equal (hb_route_carry (4, 0, 876, 24), 876e-4 * 24 / 8760, 1e-15);
    assert_float_equal (hb_route_carry (4, 5, 0, 24), 0, 0);           //  funding is for perps
    assert_float_equal (hb_route_carry (2, 0, 876, 24), 0, 0);         //  basis for futures
    assert_float_equal (hb_route_carry (1, 5, 5, 8), 0, 0);
    assert_float_equal (hb_route_carry (5, 5, 5, 8), 0, 0);
    assert_float_equal (hb_route_carry (2, NAN, 0, 8), 0, 0);
    assert_float_equal (hb_route_carry (2, 5, 0, 0), 0, 0);

    hb_tick_t book = s_book (99, 100, 1, 10, 5);
    hb_route_cand_t cand = s_cand (&book, 0.001);
    cand.carry = hb_route_carry (2, 4, 0, 16);          //  8 bps
    hb_route_req_t req = { .side = HB_SIDE_BUY, .qty = 2, .now_ns = NOW, .stale_ns = 2000 * MS,
                           .max_utilization = 1 };
    hb_route_plan_t plan;
    assert_int_equal (hb_route_plan (&req, &cand, 1, &plan), 1);
    assert_float_equal (plan.legs [0].fee_usd, 0.2, 1e-9);
    assert_float_equal (plan.legs [0].carry_usd, 0.16, 1e-9);
    assert_float_equal (plan.cost_usd, 200 + 0.2 + 0.16, 1e-9);
    //  a short earns what a long pays
    req.side = HB_SIDE_SELL;
    assert_int_equal (hb_route_plan (&req, &cand, 1, &plan), 1);
    assert_float_equal (plan.legs [0].carry_usd, -0.1584, 1e-9);
    assert_float_equal (plan.cost_usd, 198 - 0.198 + 0.1584, 1e-9);
}

static void
test_invalid (void **state)
{
    (void) state;
    hb_route_plan_t plan;
    hb_route_req_t req = { .side = HB_SIDE_BUY, .qty = 0, .stale_ns = MS, .max_utilization = 1 };
    assert_int_equal (hb_route_plan (&req, NULL, 0, &plan), -1);
    req.qty = NAN;
    assert_int_equal (hb_route_plan (&req, NULL, 0, &plan), -1);
    req.qty = 1;
    req.side = 3;
    assert_int_equal (hb_route_plan (&req, NULL, 0, &plan), -1);
    req.side = HB_SIDE_SELL;
    assert_int_equal (hb_route_plan (&req, NULL, HB_ROUTE_MAX_CANDIDATES + 1, &plan), -1);
    assert_int_equal (hb_route_plan (&req, NULL, 0, &plan), 0);
    assert_float_equal (plan.unplaced_qty, 1, 0);
    //  inverse perps are not routed
    hb_tick_t book = s_book (99, 100, 1, 10, 5);
    hb_route_cand_t cand = s_cand (&book, 0);
    cand.kind = 3;
    req.now_ns = NOW;
    assert_int_equal (hb_route_plan (&req, &cand, 1, &plan), 0);
    assert_int_equal (plan.skip [0], HB_ROUTE_SKIP_KIND);
    assert_string_equal (hb_route_skip_name (HB_ROUTE_SKIP_KIND), "kind");
    assert_string_equal (hb_route_skip_name (99), "unknown");
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_table),
        cmocka_unit_test (test_carry),
        cmocka_unit_test (test_invalid),
    };
    return cmocka_run_group_tests_name ("hb_route", tests, NULL, NULL);
}
