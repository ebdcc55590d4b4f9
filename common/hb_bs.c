/*  hb_bs: Black-Scholes and Black-76. See hb_bs.h for conventions.

    The cdf goes through erfc rather than 1 + erf so that deep out-of-the-
    money tails keep their relative precision (1 + erf(x) cancels to 0 long
    before the probability underflows).                                      */
#include <math.h>
#include <string.h>
#include "hb_bs.h"

double
hb_norm_cdf (double x)
{
    return 0.5 * erfc (-x * M_SQRT1_2);
}

double
hb_norm_pdf (double x)
{
    //  1 / sqrt (2 pi)
    return 0.39894228040143267794 * exp (-0.5 * x * x);
}

//  The t <= 0 or sigma <= 0 limit: the option is worth its discounted
//  intrinsic value on the forward, and only delta (a step) survives.
static void
s_limit (bool is_call, double s, double k, double t, double r, double q,
         hb_greeks_t *out)
{
    double tt = t > 0? t: 0;
    double disc_s = s * exp (-q * tt);
    double disc_k = k * exp (-r * tt);
    double value = is_call? disc_s - disc_k: disc_k - disc_s;
    memset (out, 0, sizeof *out);
    if (value > 0) {
        out->price = value;
        out->delta = is_call? exp (-q * tt): -exp (-q * tt);
    }
}

int
hb_bs (bool is_call, double s, double k, double t, double r, double q,
       double sigma, hb_greeks_t *out)
{
    memset (out, 0, sizeof *out);
    if (!isfinite (s) || !isfinite (k) || !isfinite (t) || !isfinite (r)
    ||  !isfinite (q) || !isfinite (sigma) || s <= 0 || k <= 0)
        return -1;
    if (t <= 0 || sigma <= 0) {
        s_limit (is_call, s, k, t, r, q, out);
        return -1;
    }
    double sqrt_t = sqrt (t);
    double vol_t = sigma * sqrt_t;
    double d1 = (log (s / k) + (r - q + 0.5 * sigma * sigma) * t) / vol_t;
    double d2 = d1 - vol_t;
    double dq = exp (-q * t);
    double dr = exp (-r * t);
    double pdf = hb_norm_pdf (d1);

    out->gamma = dq * pdf / (s * vol_t);
    out->vega = s * dq * pdf * sqrt_t;
    double decay = -s * dq * pdf * sigma / (2 * sqrt_t);
    if (is_call) {
        double n1 = hb_norm_cdf (d1);
        double n2 = hb_norm_cdf (d2);
        out->price = s * dq * n1 - k * dr * n2;
        out->delta = dq * n1;
        out->theta = decay - r * k * dr * n2 + q * s * dq * n1;
        out->rho = k * t * dr * n2;
    }
    else {
        double n1 = hb_norm_cdf (-d1);
        double n2 = hb_norm_cdf (-d2);
        out->price = k * dr * n2 - s * dq * n1;
        out->delta = -dq * n1;
        out->theta = decay + r * k * dr * n2 - q * s * dq * n1;
        out->rho = -k * t * dr * n2;
    }
    //  Rounding can leave a deep out-of-the-money price a hair below zero.
    if (out->price < 0)
        out->price = 0;
    return 0;
}

//  Black-76 is Black-Scholes on the forward with q = r; only rho differs,
//  because moving r there moves q with it.
int
hb_black76 (bool is_call, double f, double k, double t, double r,
            double sigma, hb_greeks_t *out)
{
    int rc = hb_bs (is_call, f, k, t, r, r, sigma, out);
    if (isfinite (t) && t > 0)
        out->rho = -t * out->price;
    else
        out->rho = 0;
    return rc;
}

double
hb_bs_price (bool is_call, double s, double k, double t, double r, double q,
             double sigma)
{
    hb_greeks_t greeks;
    hb_bs (is_call, s, k, t, r, q, sigma, &greeks);
    return greeks.price;
}
