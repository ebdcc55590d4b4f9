/*  hb_bs: European option pricing and greeks, Black-Scholes on a spot with a
    continuous yield (or carry) q, and Black-76 on a forward. Used by the sim
    venue to quote options and by the risk process for option exposures.

    Units: times in years, rates and vols annualized as fractions (0.05 is
    5 %). Greeks are plain partial derivatives of the price:
        delta  dV/dS (Black-76: dV/dF)
        gamma  d2V/dS2
        vega   dV/dsigma, per 1.00 of vol (divide by 100 for "per vol point")
        theta  dV/dt as calendar time passes, per year (= -dV/dT)
        rho    dV/dr, per 1.00 of rate (Black-76: with F held fixed)
    No function allocates, and no output is ever NaN or infinite for finite
    input.                                                                   */
#ifndef HB_BS_H
#define HB_BS_H

#include <stdbool.h>

typedef struct {
    double price;
    double delta;
    double gamma;
    double vega;
    double theta;
    double rho;
} hb_greeks_t;

//  Black-Scholes price and greeks of a European call (is_call) or put on
//  spot s with strike k, time to expiry t, rate r, yield q, vol sigma.
//  Returns 0 with *out filled. Returns -1 when the option has no time value
//  to model: t <= 0 or sigma <= 0; *out then holds the limit (price =
//  intrinsic value of the discounted forward, delta 0 or the discount
//  factor, other greeks 0). Returns -1 with *out zeroed when s or k is not
//  positive or any input is not finite.
int hb_bs (bool is_call, double s, double k, double t, double r, double q,
           double sigma, hb_greeks_t *out);

//  Black-76 on forward f, discounted at r: the price is e^-rT times the
//  undiscounted Black price; delta and gamma are with respect to f; rho is
//  dV/dr with f fixed (= -T V). Same return convention as hb_bs.
int hb_black76 (bool is_call, double f, double k, double t, double r,
                double sigma, hb_greeks_t *out);

//  Price only (hb_bs with out discarded); 0 for invalid input.
double hb_bs_price (bool is_call, double s, double k, double t, double r,
                    double q, double sigma);

//  Standard normal cumulative distribution and density.
double hb_norm_cdf (double x);
double hb_norm_pdf (double x);

#endif
