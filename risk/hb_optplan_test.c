/*  hb_optplan tests on hand-built books:
      two candidates give the exact 2x2 solution;
      with more candidates the plan costs what a brute force over every
        combination of lots finds least, and is never worse than the best
        pair (random cases, fixed seed);
      depth walked, minimum sizes and per-leg limits are respected;
      ill-posed cases (one candidate for two figures, a singular pair, no
        two-sided book, lots too coarse, limits) give no legs and a reason;
      bad input is refused with the field named.                          */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hb_optplan.h"

//  A candidate with one level a side: bid mid-half, ask mid+half, qty deep
static hb_optplan_cand_t
s_cand (int id, double gamma, double vega, double mid, double half, double qty)
{
    hb_optplan_cand_t c;
    memset (&c, 0, sizeof c);
    c.id = id;
    c.gamma = gamma;
    c.vega = vega;
    c.delta = 0.5;
    c.lot = 1;
    c.n_bids = c.n_asks = 1;
    c.bids [0].px = mid - half;
    c.asks [0].px = mid + half;
    c.bids [0].qty = c.asks [0].qty = qty;
    return c;
}

static hb_optplan_input_t
s_input (double gamma, double vega, const hb_optplan_cand_t *cands, int n)
{
    hb_optplan_input_t in;
    memset (&in, 0, sizeof in);
    in.gamma = gamma;
    in.n_buckets = 1;
    in.vega [0] = vega;
    in.gamma_band = 10;
    in.vega_band [0] = 50;
    in.target = 0;
    in.n_cands = n;
    in.cands = cands;
    return in;
}

static double
s_leg_qty (const hb_optplan_t *plan, int cand)
{
    for (int k = 0; k < plan->n_legs; k++)
        if (plan->legs [k].cand == cand)
            return plan->legs [k].qty;
    return 0;
}

static void
test_two_by_two (void **state)
{
    (void) state;
    //  2a + b = 100 and 5a + 20b = 600: a = 40, b = 20
    hb_optplan_cand_t c [2] = { s_cand (7, 2, 5, 100, 1, 1000), s_cand (8, 1, 20, 50, 0.5, 1000) };
    hb_optplan_input_t in = s_input (-100, -600, c, 2);
    hb_optplan_t plan;
    assert_int_equal (hb_optplan_solve (&in, &plan), HB_OPTPLAN_OK);
    assert_int_equal (plan.n_legs, 2);
    assert_true (fabs (s_leg_qty (&plan, 0) - 40) < 1e-9);
    assert_true (fabs (s_leg_qty (&plan, 1) - 20) < 1e-9);
    assert_true (fabs (plan.gamma_after) < 1e-9);
    assert_true (fabs (plan.vega_after [0]) < 1e-9);
    //  cost: half spreads, 40 x 1 + 20 x 0.5; premium 40 x 101 + 20 x 50.5
    assert_true (fabs (plan.cost - 50) < 1e-9);
    assert_true (fabs (plan.premium - (40 * 101 + 20 * 50.5)) < 1e-9);
    assert_true (fabs (plan.delta - 30) < 1e-9);
    assert_true (fabs (plan.legs [0].limit_px - 101) < 1e-9 || fabs (plan.legs [0].limit_px - 50.5) < 1e-9);
    //  the mirror book sells the same
    in = s_input (100, 600, c, 2);
    assert_int_equal (hb_optplan_solve (&in, &plan), HB_OPTPLAN_OK);
    assert_true (fabs (s_leg_qty (&plan, 0) + 40) < 1e-9);
    assert_true (fabs (s_leg_qty (&plan, 1) + 20) < 1e-9);
    assert_true (fabs (plan.premium + (40 * 99 + 20 * 49.5)) < 1e-9);
}

//  Random cases: the least cost over every combination of lots in
//  [-R, R] for n candidates, by enumeration; -1 when none is feasible.
#define R 12
static double
s_brute (const hb_optplan_input_t *in, int n, const int *use, double *best_gamma)
{
    double best = -1;
    int q [8] = { 0 };
    for (int i = 0; i < n; i++)
        q [i] = use [i]? -R: 0;
    for (;;) {
        double g = in->gamma, v = in->vega [0], cost = 0;
        for (int i = 0; i < n; i++) {
            const hb_optplan_cand_t *c = &in->cands [i];
            g += q [i] * c->gamma;
            v += q [i] * c->vega;
            double mid = (c->asks [0].px + c->bids [0].px) / 2;
            cost += fabs ((double) q [i]) * (q [i] > 0? c->asks [0].px - mid: mid - c->bids [0].px);
        }
        double gl = fabs (in->gamma) > in->gamma_band? in->target * in->gamma_band: in->gamma_band;
        double vl = fabs (in->vega [0]) > in->vega_band [0]? in->target * in->vega_band [0]: in->vega_band [0];
        if (fabs (g) <= gl + 1e-9 && fabs (v) <= vl + 1e-9 && (best < 0 || cost < best - 1e-12)) {
            best = cost;
            *best_gamma = g;
        }
        int i = 0;
        while (i < n && (!use [i] || q [i] == R)) {
            if (use [i])
                q [i] = -R;
            i++;
        }
        if (i == n)
            break;
        q [i]++;
    }
    return best;
}

static void
test_least_cost_brute_force (void **state)
{
    (void) state;
    srand (12345);
    int cases = 0, feasible = 0, below_pairs = 0, exact = 0;
    for (int t = 0; t < 40; t++) {
        hb_optplan_cand_t c [3];
        for (int i = 0; i < 3; i++)
            c [i] = s_cand (i, 0.2 + (rand () % 100) / 50.0, 1 + rand () % 40,
                            20 + rand () % 80, 0.1 + (rand () % 20) / 10.0, 1000);
        hb_optplan_input_t in = s_input (-(5 + rand () % 20), -(80 + rand () % 300), c, 3);
        in.gamma_band = 2;
        in.vega_band [0] = 40;
        in.target = 0.5;
        hb_optplan_t plan;
        hb_optplan_reason_t reason = hb_optplan_solve (&in, &plan);
        int all [3] = { 1, 1, 1 };
        double g_all = 0;
        double best = s_brute (&in, 3, all, &g_all);
        cases++;
        //  none within +-R lots: the plan may still find one beyond
        if (best < 0)
            continue;
        feasible++;
        assert_int_equal (reason, HB_OPTPLAN_OK);
        //  within the search's gap (1 %) of the least cost
        assert_true (plan.cost <= best * 1.01 + 1e-6);
        //  and within the brute force's range none is cheaper than the least
        bool in_range = true;
        for (int k = 0; k < plan.n_legs; k++)
            in_range &= fabs (plan.legs [k].qty) <= R;
        if (in_range)
            assert_true (plan.cost >= best - 1e-6);
        exact += fabs (plan.cost - best) < 1e-6;
        //  never worse than the best pair
        double pair_best = -1;
        for (int a = 0; a < 3; a++)
            for (int b = a + 1; b < 3; b++) {
                int use [3] = { 0, 0, 0 };
                use [a] = use [b] = 1;
                double g = 0, cost = s_brute (&in, 3, use, &g);
                if (cost >= 0 && (pair_best < 0 || cost < pair_best))
                    pair_best = cost;
            }
        if (pair_best >= 0) {
            assert_true (plan.cost <= pair_best * 1.01 + 1e-6);
            below_pairs += plan.cost < pair_best - 1e-6;
        }
        //  the plan lands inside its targets
        assert_true (fabs (plan.gamma_after) <= 0.5 * 2 + 1e-9);
        assert_true (fabs (plan.vega_after [0]) <= 0.5 * 40 + 1e-9);
    }
    assert_true (feasible >= 20);
    print_message ("%d cases, %d feasible within +-%d lots, %d at the least cost exactly, "
                   "%d cheaper with three legs than any pair\n", cases, feasible, R, exact, below_pairs);
}

static void
test_depth_walked (void **state)
{
    (void) state;
    //  gamma only (vega 0 everywhere, its band wide): 30 contracts needed,
    //  10 at the touch, 30 more one tick deeper
    hb_optplan_cand_t c = s_cand (1, 1, 0, 100, 1, 10);
    c.n_asks = 2;
    c.asks [1].px = 102;
    c.asks [1].qty = 30;
    c.fee_rate = 0.001;
    hb_optplan_input_t in = s_input (-30, 0, &c, 1);
    hb_optplan_t plan;
    assert_int_equal (hb_optplan_solve (&in, &plan), HB_OPTPLAN_OK);
    assert_int_equal (plan.n_legs, 1);
    assert_true (fabs (plan.legs [0].qty - 30) < 1e-9);
    assert_true (fabs (plan.legs [0].limit_px - 102) < 1e-9);
    double cost = 10 * (1 + 0.101) + 20 * (2 + 0.102);
    assert_true (fabs (plan.cost - cost) < 1e-9);
    //  not enough depth: infeasible
    c.asks [1].qty = 5;
    assert_int_equal (hb_optplan_solve (&in, &plan), HB_OPTPLAN_INFEASIBLE);
    assert_int_equal (plan.n_legs, 0);
}

static void
test_min_size_and_leg_limits (void **state)
{
    (void) state;
    //  two gamma-only options: the cheap one has a minimum of 50 contracts,
    //  the plan needs 20 gamma (target 0.5 of band 10: to within 5 of 0)
    hb_optplan_cand_t c [2] = { s_cand (1, 1, 0, 100, 0.1, 1000), s_cand (2, 1, 0, 100, 1, 1000) };
    c [0].min = 50;
    hb_optplan_input_t in = s_input (-20, 0, c, 2);
    in.target = 0.5;
    hb_optplan_t plan;
    assert_int_equal (hb_optplan_solve (&in, &plan), HB_OPTPLAN_OK);
    //  50 of the cheap one would overshoot past +5: the dear one it is
    assert_true (fabs (s_leg_qty (&plan, 0)) < 1e-9);
    assert_true (fabs (s_leg_qty (&plan, 1) - 15) < 1e-9);
    //  without the minimum the cheap one
    c [0].min = 0;
    assert_int_equal (hb_optplan_solve (&in, &plan), HB_OPTPLAN_OK);
    assert_true (fabs (s_leg_qty (&plan, 0) - 15) < 1e-9);
    //  a leg's gamma at most 10: two legs of 10 and 5
    in.max_leg_gamma = 10;
    assert_int_equal (hb_optplan_solve (&in, &plan), HB_OPTPLAN_OK);
    assert_true (fabs (s_leg_qty (&plan, 0) - 10) < 1e-9);
    assert_true (fabs (s_leg_qty (&plan, 1) - 5) < 1e-9);
    //  and at most 5 a leg: not reachable within the limits
    in.max_leg_gamma = 5;
    assert_int_equal (hb_optplan_solve (&in, &plan), HB_OPTPLAN_LIMITS);
    in.max_leg_gamma = 0;
    //  premium at most 1,000 USD: 15 x 100.1 is beyond
    in.max_premium = 1000;
    assert_int_equal (hb_optplan_solve (&in, &plan), HB_OPTPLAN_LIMITS);
    assert_int_equal (plan.n_legs, 0);
    assert_non_null (strstr (plan.why, "limits"));
}

static void
test_ill_posed (void **state)
{
    (void) state;
    hb_optplan_t plan;
    //  inside the bands: nothing to do
    hb_optplan_cand_t c [2] = { s_cand (1, 2, 5, 100, 1, 1000), s_cand (2, 4, 10, 100, 1, 1000) };
    hb_optplan_input_t in = s_input (5, 20, c, 2);
    assert_int_equal (hb_optplan_solve (&in, &plan), HB_OPTPLAN_INSIDE);
    //  one candidate for two breached figures not in its proportion
    in = s_input (-100, -600, c, 1);
    assert_int_equal (hb_optplan_solve (&in, &plan), HB_OPTPLAN_INFEASIBLE);
    assert_int_equal (plan.n_legs, 0);
    assert_true (plan.gamma_after == -100 && plan.vega_after [0] == -600);
    //  a singular pair (the second is twice the first)
    in = s_input (-100, -600, c, 2);
    assert_int_equal (hb_optplan_solve (&in, &plan), HB_OPTPLAN_INFEASIBLE);
    //  no two-sided book (one side empty, then a crossed touch)
    hb_optplan_cand_t one_sided [2] = { c [0], c [1] };
    one_sided [0].n_asks = 0;
    one_sided [1].bids [0].px = one_sided [1].asks [0].px + 1;
    in = s_input (-100, -600, one_sided, 2);
    assert_int_equal (hb_optplan_solve (&in, &plan), HB_OPTPLAN_NO_CANDIDATES);
    in = s_input (-100, -600, NULL, 0);
    assert_int_equal (hb_optplan_solve (&in, &plan), HB_OPTPLAN_NO_CANDIDATES);
    //  lots too coarse: exact neutrality needs 42.857... and 14.29 lots
    hb_optplan_cand_t coarse [2] = { s_cand (1, 2, 5, 100, 1, 1000), s_cand (2, 1, 20, 50, 0.5, 1000) };
    in = s_input (-100, -500, coarse, 2);
    assert_int_equal (hb_optplan_solve (&in, &plan), HB_OPTPLAN_LOTS);
    assert_string_equal (hb_optplan_reason_name (plan.reason), "lots");
    //  with a tolerance (target half the band) whole lots do it
    in.target = 0.5;
    assert_int_equal (hb_optplan_solve (&in, &plan), HB_OPTPLAN_OK);
}

static void
test_bad_input (void **state)
{
    (void) state;
    hb_optplan_t plan;
    hb_optplan_cand_t c = s_cand (9, 1, 1, 100, 1, 10);
    hb_optplan_input_t in = s_input (NAN, 0, &c, 1);
    assert_int_equal (hb_optplan_solve (&in, &plan), HB_OPTPLAN_BAD_INPUT);
    assert_non_null (strstr (plan.why, "gamma"));
    in = s_input (-30, 0, &c, 1);
    c.lot = 0;
    assert_int_equal (hb_optplan_solve (&in, &plan), HB_OPTPLAN_BAD_INPUT);
    assert_non_null (strstr (plan.why, "id 9"));
    c.lot = 1;
    c.asks [0].qty = -1;
    assert_int_equal (hb_optplan_solve (&in, &plan), HB_OPTPLAN_BAD_INPUT);
    assert_non_null (strstr (plan.why, "ask level 0"));
    c.asks [0].qty = 10;
    c.bucket = 3;
    assert_int_equal (hb_optplan_solve (&in, &plan), HB_OPTPLAN_BAD_INPUT);
    c.bucket = 0;
    in.n_buckets = 0;
    assert_int_equal (hb_optplan_solve (&in, &plan), HB_OPTPLAN_BAD_INPUT);
    in.n_buckets = 1;
    in.target = 2;
    assert_int_equal (hb_optplan_solve (&in, &plan), HB_OPTPLAN_BAD_INPUT);
    in.target = 0;
    in.n_cands = HB_OPTPLAN_CANDS + 1;
    assert_int_equal (hb_optplan_solve (&in, &plan), HB_OPTPLAN_BAD_INPUT);
    assert_int_equal (hb_optplan_solve (NULL, &plan), HB_OPTPLAN_BAD_INPUT);
    assert_string_equal (hb_optplan_reason_name (HB_OPTPLAN_REASONS), "unknown");
}

static void
test_buckets (void **state)
{
    (void) state;
    //  two buckets, each breached, each with its own option; gamma wide
    hb_optplan_cand_t c [2] = { s_cand (1, 0.1, 10, 100, 1, 1000), s_cand (2, 0.1, 30, 100, 1, 1000) };
    c [1].bucket = 1;
    hb_optplan_input_t in = s_input (0, -200, c, 2);
    in.n_buckets = 2;
    in.vega [1] = 300;
    in.vega_band [1] = 50;
    in.gamma_band = 100;
    assert_int_equal (in.n_cands, 2);
    hb_optplan_t plan;
    assert_int_equal (hb_optplan_solve (&in, &plan), HB_OPTPLAN_OK);
    assert_true (fabs (s_leg_qty (&plan, 0) - 20) < 1e-9);
    assert_true (fabs (s_leg_qty (&plan, 1) + 10) < 1e-9);
    assert_true (fabs (plan.vega_after [0]) < 1e-9 && fabs (plan.vega_after [1]) < 1e-9);
    assert_true (fabs (plan.gamma_after - 1) < 1e-9);
}

static void
test_many_candidates (void **state)
{
    (void) state;
    //  24 candidates, all but two dear: the first search keeps few of them
    //  (the ones the relaxation trades) and must still find the cheap pair
    hb_optplan_cand_t c [24];
    for (int i = 0; i < 24; i++)
        c [i] = s_cand (i, 1 + (i % 5) * 0.3, 5 + (i % 7) * 3, 100, 5 + i % 3, 1000);
    c [17] = s_cand (17, 2, 5, 100, 0.05, 1000);
    c [5] = s_cand (5, 1, 20, 50, 0.05, 1000);
    hb_optplan_input_t in = s_input (-100, -600, c, 24);
    hb_optplan_t plan;
    assert_int_equal (hb_optplan_solve (&in, &plan), HB_OPTPLAN_OK);
    assert_true (fabs (s_leg_qty (&plan, 17) - 40) < 1e-9);
    assert_true (fabs (s_leg_qty (&plan, 5) - 20) < 1e-9);
    assert_int_equal (plan.n_legs, 2);
    //  thin books: each of the cheap two shows 5 contracts; the plan needs
    //  more options, and stays within HB_OPTPLAN_LEGS legs
    c [17].asks [0].qty = c [5].asks [0].qty = 5;
    if (hb_optplan_solve (&in, &plan) != HB_OPTPLAN_OK)
        fail_msg ("thin books: %s: %s", hb_optplan_reason_name (plan.reason), plan.why);
    assert_true (plan.n_legs > 2 && plan.n_legs <= HB_OPTPLAN_LEGS);
    assert_true (fabs (plan.gamma_after) < 1e-6 && fabs (plan.vega_after [0]) < 1e-6);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_two_by_two),
        cmocka_unit_test (test_least_cost_brute_force),
        cmocka_unit_test (test_depth_walked),
        cmocka_unit_test (test_min_size_and_leg_limits),
        cmocka_unit_test (test_ill_posed),
        cmocka_unit_test (test_bad_input),
        cmocka_unit_test (test_buckets),
        cmocka_unit_test (test_many_candidates),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
