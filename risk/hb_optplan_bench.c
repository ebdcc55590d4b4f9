/*  hb_optplan_bench: the time of one option-leg plan (GLPK: relaxation and
    MILP) for 2, 10 and 50 candidates: a short-gamma, short-vega book over
    four expiry buckets, candidates spread over the buckets with books of
    three levels a side, target half the bands. Random books (fixed seed);
    median and p90 of the solves, and how many found legs. The baseline in
    the same run: one 2x2 solve by Cramer's rule, what a plan with two
    candidates would be without a program.                                 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hb_optplan.h"
#include "hb_time.h"

#define S_SOLVES 200

static int
s_cmp (const void *a, const void *b)
{
    double x = *(const double *) a, y = *(const double *) b;
    return (x > y) - (x < y);
}

static void
s_cands (hb_optplan_cand_t *c, int n, unsigned *rng)
{
    memset (c, 0, sizeof *c * (size_t) n);
    for (int i = 0; i < n; i++) {
        *rng = *rng * 1103515245u + 12345u;
        c [i].id = i;
        c [i].bucket = i % 4;
        //  gamma falls and vega rises with the expiry
        c [i].gamma = (0.5 + (*rng >> 8) % 100 / 100.0) / (1 + c [i].bucket);
        c [i].vega = (5 + (*rng >> 16) % 20) * (1 + c [i].bucket);
        c [i].delta = 0.5;
        c [i].lot = 0.1;
        c [i].min = 0.1;
        c [i].fee_rate = 0.0003;
        double mid = 500 + (*rng >> 4) % 2000;
        double half = mid * (0.005 + (*rng >> 20) % 10 / 1000.0);
        c [i].n_bids = c [i].n_asks = 3;
        for (int l = 0; l < 3; l++) {
            c [i].bids [l].px = mid - half * (1 + l);
            c [i].asks [l].px = mid + half * (1 + l);
            c [i].bids [l].qty = c [i].asks [l].qty = 20 * (1 + l);
        }
    }
}

int
main (void)
{
    static hb_optplan_cand_t cands [50];
    const int sizes [] = { 2, 10, 50 };
    unsigned rng = 42;
    printf ("hb_optplan: one plan (GLPK relaxation + MILP), %d solves each, 4 vega buckets, 3 levels a side\n",
            S_SOLVES);
    //  baseline: the 2x2 closed form
    double sink = 0;
    int64_t t0 = hb_mono_ns ();
    for (int k = 0; k < S_SOLVES * 1000; k++) {
        double a = 1 + k % 7, b = 0.5, c = 0.5, d = 4 + k % 5, det = a * d - b * c;
        sink += (d * 100 - b * 600) / det + (a * 600 - c * 100) / det;
    }
    double closed_us = (double) (hb_mono_ns () - t0) / 1e3 / (S_SOLVES * 1000);
    printf ("  2x2 closed form (baseline)  %8.3f us  (checksum %.0f)\n", closed_us, sink);
    for (size_t s = 0; s < sizeof sizes / sizeof sizes [0]; s++) {
        int n = sizes [s];
        double us [S_SOLVES];
        int ok = 0, reasons [HB_OPTPLAN_REASONS] = { 0 };
        for (int k = 0; k < S_SOLVES; k++) {
            s_cands (cands, n, &rng);
            hb_optplan_input_t in;
            memset (&in, 0, sizeof in);
            in.n_buckets = n < 4? 2: 4;
            for (int i = 0; i < n; i++)
                cands [i].bucket %= in.n_buckets;
            //  the book: short four random options like the
            //  candidates (so a hedge exists), in every bucket
            in.gamma_band = 5;
            for (int b = 0; b < in.n_buckets; b++)
                in.vega_band [b] = 100;
            for (int h = 0; h < 4; h++) {
                rng = rng * 1103515245u + 12345u;
                int i = (int) ((rng >> 8) % (unsigned) n);
                double w = 5 + (double) ((rng >> 16) % 30);
                in.gamma -= w * cands [i].gamma;
                in.vega [cands [i].bucket] -= w * cands [i].vega;
            }
            in.target = 0.5;
            in.n_cands = n;
            in.cands = cands;
            hb_optplan_t plan;
            int64_t t = hb_mono_ns ();
            hb_optplan_reason_t reason = hb_optplan_solve (&in, &plan);
            us [k] = (double) (hb_mono_ns () - t) / 1e3;
            ok += reason == HB_OPTPLAN_OK;
            reasons [reason]++;
            if (reason == HB_OPTPLAN_SOLVER && reasons [reason] == 1)
                printf ("      (first solver failure: %s)\n", plan.why);
        }
        qsort (us, S_SOLVES, sizeof us [0], s_cmp);
        printf ("  %2d candidates        %8.1f us p50, %8.1f us p90, %8.1f us max (%.0fx the closed form at p50); "
                "%d of %d with legs\n", n, us [S_SOLVES / 2], us [S_SOLVES * 9 / 10], us [S_SOLVES - 1],
                us [S_SOLVES / 2] / closed_us, ok, S_SOLVES);
        for (int r = 1; r < HB_OPTPLAN_REASONS; r++)
            if (reasons [r])
                printf ("      no legs: %s %d\n", hb_optplan_reason_name ((hb_optplan_reason_t) r), reasons [r]);
    }
    return 0;
}
