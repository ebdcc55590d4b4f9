/*  hb_ewma: exponentially weighted covariance of asset returns by the
    RiskMetrics recursion

        S_t = lambda S_{t-1} + (1 - lambda) r_t r_tᵀ

    with zero mean, the first sample seeded with r_1 r_1ᵀ. Correlations and
    vols are read off S. Sized once at hb_ewma_new; hb_ewma_update is O(N²)
    and never allocates, so the live risk process can call it on every tick
    of its sampling grid.

    Missing returns (a stale asset in this sample). Per pair (i, j):
      both present          the recursion above;
      one missing           S_ij = lambda S_ij (the evidence ages, it is not
                            replaced by a guess);
      both missing          unchanged (S_ii of a stale asset is frozen).
    This is S_t = lambda S_{t-1} + (1 - lambda) M with M = diag(r_v r_vᵀ,
    S_mm) positive semi-definite, so S stays PSD: a Cholesky solve on it
    never fails because an asset went quiet. An asset whose first return
    comes after others have history is seeded with S_ii = r_i² and zero
    covariances (correlations then grow at rate 1 - lambda); seeding the
    cross terms with r_i r_j could make S indefinite.

    Units: returns are per sampling period (log returns of the index), so
    variances and vols are per period; hb_ewma_vol_annual scales by the
    number of periods in a 365-day year (crypto trades every day; the sim
    venue uses the same year).                                              */
#ifndef HB_EWMA_H
#define HB_EWMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

//  Upper bound on assets per estimator (memory is n² doubles, allocated at
//  hb_ewma_new).
#define HB_EWMA_MAX_ASSETS  1024

//  Seconds in the year used to annualize vols.
#define HB_EWMA_YEAR_S      (365.0 * 86400.0)

typedef struct _hb_ewma_t hb_ewma_t;

//  New estimator for n assets (1..HB_EWMA_MAX_ASSETS) with decay lambda in
//  (0, 1). Returns NULL (errno EINVAL) for n or lambda out of range, or
//  NULL when out of memory.
hb_ewma_t *hb_ewma_new (int n, double lambda);

//  NULL-safe; nulls *self_p.
void hb_ewma_destroy (hb_ewma_t **self_p);

//  Forgets every sample (S = 0, nothing seeded).
void hb_ewma_reset (hb_ewma_t *self);

//  Replaces the whole state with a saved one (risk/hb_risk_ckpt.h): cov
//  n x n row-major (stride n), obs per asset, the sample count. The next
//  update then gives bit for bit what it would have given in the process
//  that saved it. Returns 0, or -1 (errno EINVAL, state unchanged) when cov
//  has a value that is not finite, is not symmetric, or has a negative
//  diagonal: a state the recursion can never reach.
int hb_ewma_load (hb_ewma_t *self, const double *cov, const uint64_t *obs, uint64_t samples);

//  One sample of n returns. present[i] false (or present == NULL for all
//  present) marks asset i as missing in this sample; see the header comment.
//  A return marked present but not finite is treated as missing and makes
//  the call return -1 (the other assets are still updated); otherwise 0.
int hb_ewma_update (hb_ewma_t *self, const double *r, const bool *present);

//  The covariance matrix, row-major n x n with stride hb_ewma_size (self).
//  Valid until the next update/reset; never NULL.
const double *hb_ewma_cov (const hb_ewma_t *self);

int    hb_ewma_size (const hb_ewma_t *self);
double hb_ewma_lambda (const hb_ewma_t *self);

//  Samples taken (calls of hb_ewma_update since new/reset).
uint64_t hb_ewma_samples (const hb_ewma_t *self);

//  Samples in which asset i was present (0: not seeded yet).
uint64_t hb_ewma_observations (const hb_ewma_t *self, int i);

//  Covariance of assets i and j per period.
double hb_ewma_covariance (const hb_ewma_t *self, int i, int j);

//  Correlation of i and j; 0 when either variance is zero (undefined), 1 on
//  the diagonal of an asset with a positive variance. Clamped to [-1, 1].
double hb_ewma_corr (const hb_ewma_t *self, int i, int j);

//  Writes the n x n correlation matrix into out (stride n).
void hb_ewma_corr_matrix (const hb_ewma_t *self, double *out);

//  Vol of asset i per sampling period (sqrt S_ii).
double hb_ewma_vol (const hb_ewma_t *self, int i);

//  Vol of asset i per year, for samples taken every interval_s seconds
//  (> 0; returns 0 otherwise).
double hb_ewma_vol_annual (const hb_ewma_t *self, int i, double interval_s);

//  Half-life in samples of a weight under decay lambda: ln 0.5 / ln lambda.
double hb_ewma_half_life (double lambda);

#endif
