/*  hb_hedge: the minimum-variance hedge plan.

    The desk holds USD exposures e (one per asset, P&L over a period is
    eᵀr). It may trade only the hedgeable assets H. Adding hedge positions
    h (zero outside H) leaves the P&L (e + h)ᵀr, whose variance under the
    covariance Σ is least when Σ_H· (e + h) = 0, i.e.

        h_H = -Σ_HH⁻¹ Σ_H· e  =  -e_H - Σ_HH⁻¹ Σ_HN e_N

    (N: the assets outside H). The second form is what is computed: an asset
    that is itself hedgeable is hedged directly, 1:1 and exactly, and only
    the exposures that cannot be traded are proxied through the solve. It is
    the same minimum, but a ridge added to Σ_HH (below) then only shrinks
    the proxy hedges, never the direct ones.

    Σ_HH is factored by Cholesky after scaling it to a unit mean variance.
    When it is singular or ill-conditioned (the squared ratio of the
    smallest to the largest pivot below HB_HEDGE_RCOND: two hedge assets so
    correlated that the solution would be a huge long-short pair) a ridge
    delta·I is added, delta = 1e-8 of the mean variance at first, ten times
    more on each retry, up to 1e-2. The ridge used is reported.

    The object owns its workspace: hb_hedge_plan does not allocate and costs
    O(N²) plus O(|H|³/3) for the factorisation. The factor depends only on
    Σ and H, not on e: hb_hedge_plan_same_cov reuses it while H is the same
    (a live engine replans on every tick, its Σ changes once per sample),
    O(N²) then, with the same bits as a fresh plan.                         */
#ifndef HB_HEDGE_H
#define HB_HEDGE_H

#include <stdbool.h>
#include <stddef.h>

//  Squared pivot ratio of the Cholesky factor below which Σ_HH is treated
//  as ill-conditioned (a condition number above about 1e10).
#define HB_HEDGE_RCOND  1e-10

typedef struct _hb_hedge_t hb_hedge_t;

typedef struct {
    double unhedged_sigma;      //  sqrt (eᵀ Σ e), USD per period
    double residual_sigma;      //  sqrt ((e+h)ᵀ Σ (e+h))
    double effectiveness;       //  1 - residual var / unhedged var (0 when unhedged var is 0)
    double ridge;               //  added to the diagonal of Σ_HH, in units of Σ (0: none)
    int    hedged;              //  |H|
} hb_hedge_result_t;

//  New planner for n assets (1..1024). NULL (errno EINVAL) for n out of
//  range, or NULL when out of memory.
hb_hedge_t *hb_hedge_new (int n);

//  NULL-safe; nulls *self_p.
void hb_hedge_destroy (hb_hedge_t **self_p);

//  Computes the plan for covariance cov (n x n, row stride `stride` in
//  elements, symmetric PSD, per period), exposures e (USD) and the
//  hedgeable flags. Writes the hedge h (zero outside H) into hedge, the
//  exposure left after hedging (e + h) into residual (may be NULL), and the
//  figures into *result (may be NULL). Returns 0; -1 when an input is not
//  finite or Σ_HH is not PSD even with the largest ridge (then hedge and
//  residual are zero and *result zeroed except unhedged_sigma).
int hb_hedge_plan (hb_hedge_t *self, const double *cov, size_t stride,
                   const double *exposure, const bool *hedgeable,
                   double *hedge, double *residual, hb_hedge_result_t *result);

//  As hb_hedge_plan, for a covariance the caller guarantees equal (same
//  values, same stride) to the one of this object's previous plan: the
//  factor of Σ_HH (and its ridge) is reused when hedgeable names the same
//  H, so only the exposure-dependent part is computed. The result is bit
//  for bit the one hb_hedge_plan gives. Without a previous plan, or with
//  another H, it is hb_hedge_plan.
int hb_hedge_plan_same_cov (hb_hedge_t *self, const double *cov, size_t stride,
                            const double *exposure, const bool *hedgeable,
                            double *hedge, double *residual, hb_hedge_result_t *result);

#endif
