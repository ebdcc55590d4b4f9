/*  hb_var: portfolio risk figures from a covariance matrix.

    Parametric (delta-normal) VaR of a portfolio with USD exposures e under
    a covariance Σ of per-period returns, zero mean:

        sigma_p = sqrt (eᵀ Σ e),   VaR = z(confidence) · sigma_p · sqrt (h)

    for a horizon of h periods (square-root-of-time). Stress VaR keeps each
    asset's vol and forces every correlation to rho:

        sigma_s² = (1 - rho) Σ e_i² σ_i² + rho (Σ e_i σ_i)²

    (O(N), clamped at zero for a negative rho that makes the stressed
    matrix indefinite). Contributions are Euler's: c_i = e_i (Σe)_i /
    sigma_p, which add up to sigma_p. VaR is reported as a positive USD
    loss. Nothing here allocates.                                          */
#ifndef HB_VAR_H
#define HB_VAR_H

#include <stddef.h>

//  The standard normal quantile: z with Phi(z) = p, for p in (0, 1)
//  (Acklam's approximation refined by one Halley step, |error| < 1e-13).
//  Returns 0 for p outside (0, 1) or not finite.
double hb_var_z (double p);

//  sqrt (eᵀ Σ e) for n assets, cov row stride `stride`.
double hb_var_sigma (const double *cov, size_t stride, int n, const double *e);

//  Parametric VaR at confidence in (0.5, 1) over horizon > 0 periods.
//  Returns 0 with *var set; -1 for a confidence or horizon out of range.
int hb_var_parametric (const double *cov, size_t stride, int n, const double *e,
                       double confidence, double horizon, double *var);

//  Stress VaR with every correlation forced to rho in [-1, 1], vols kept.
//  Same contract as hb_var_parametric; -1 also for rho out of range.
int hb_var_stress (const double *cov, size_t stride, int n, const double *e,
                   double rho, double confidence, double horizon, double *var);

//  Euler contributions to sigma_p, written to contrib (n values). All zero
//  when sigma_p is zero. Returns sigma_p.
double hb_var_contributions (const double *cov, size_t stride, int n,
                             const double *e, double *contrib);

#endif
