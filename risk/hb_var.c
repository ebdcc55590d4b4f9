/*  hb_var: see hb_var.h. */
#include "hb_var.h"
#include "hb_bs.h"

#include <math.h>

double
hb_var_z (double p)
{
    if (!(p > 0.0 && p < 1.0))
        return 0.0;
    //  Acklam (2003), rational approximations for the central region and
    //  the tails; relative error 1.15e-9 before the refinement
    static const double a [] = {-3.969683028665376e+01, 2.209460984245205e+02,
        -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01,
        2.506628277459239e+00};
    static const double b [] = {-5.447609879822406e+01, 1.615858368580409e+02,
        -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01};
    static const double c [] = {-7.784894002430293e-03, -3.223964580411365e-01,
        -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00,
        2.938163982698783e+00};
    static const double d [] = {7.784695709041462e-03, 3.224671290700398e-01,
        2.445134137142996e+00, 3.754408661907416e+00};
    double x, q;
    if (p < 0.02425) {
        q = sqrt (-2.0 * log (p));
        x = (((((c [0] * q + c [1]) * q + c [2]) * q + c [3]) * q + c [4]) * q + c [5])
          / ((((d [0] * q + d [1]) * q + d [2]) * q + d [3]) * q + 1.0);
    }
    else
    if (p <= 1.0 - 0.02425) {
        q = p - 0.5;
        double r = q * q;
        x = (((((a [0] * r + a [1]) * r + a [2]) * r + a [3]) * r + a [4]) * r + a [5]) * q
          / (((((b [0] * r + b [1]) * r + b [2]) * r + b [3]) * r + b [4]) * r + 1.0);
    }
    else {
        q = sqrt (-2.0 * log (1.0 - p));
        x = -(((((c [0] * q + c [1]) * q + c [2]) * q + c [3]) * q + c [4]) * q + c [5])
          / ((((d [0] * q + d [1]) * q + d [2]) * q + d [3]) * q + 1.0);
    }
    //  one Halley step on Phi(x) - p brings it to full double precision
    double e = hb_norm_cdf (x) - p;
    double u = e * sqrt (2.0 * M_PI) * exp (x * x / 2.0);
    return x - u / (1.0 + x * u / 2.0);
}

double
hb_var_sigma (const double *cov, size_t stride, int n, const double *e)
{
    double sum = 0.0;
    for (int i = 0; i < n; i++) {
        double row = 0.0;
        for (int j = 0; j < n; j++)
            row += cov [i * stride + j] * e [j];
        sum += e [i] * row;
    }
    return sum > 0.0? sqrt (sum): 0.0;
}

static int
s_valid (double confidence, double horizon)
{
    return confidence > 0.5 && confidence < 1.0 && horizon > 0.0 && isfinite (horizon);
}

int
hb_var_parametric (const double *cov, size_t stride, int n, const double *e,
                   double confidence, double horizon, double *var)
{
    if (!s_valid (confidence, horizon))
        return -1;
    *var = hb_var_z (confidence) * hb_var_sigma (cov, stride, n, e) * sqrt (horizon);
    return 0;
}

int
hb_var_stress (const double *cov, size_t stride, int n, const double *e,
               double rho, double confidence, double horizon, double *var)
{
    if (!s_valid (confidence, horizon) || !(rho >= -1.0 && rho <= 1.0))
        return -1;
    double squares = 0.0, sum = 0.0;
    for (int i = 0; i < n; i++) {
        double v = cov [i * stride + i];
        double x = e [i] * (v > 0.0? sqrt (v): 0.0);
        squares += x * x;
        sum += x;
    }
    double s2 = (1.0 - rho) * squares + rho * sum * sum;
    *var = hb_var_z (confidence) * (s2 > 0.0? sqrt (s2): 0.0) * sqrt (horizon);
    return 0;
}

double
hb_var_contributions (const double *cov, size_t stride, int n,
                      const double *e, double *contrib)
{
    double sum = 0.0;
    for (int i = 0; i < n; i++) {
        double row = 0.0;
        for (int j = 0; j < n; j++)
            row += cov [i * stride + j] * e [j];
        contrib [i] = e [i] * row;
        sum += contrib [i];
    }
    double sigma = sum > 0.0? sqrt (sum): 0.0;
    for (int i = 0; i < n; i++)
        contrib [i] = sigma > 0.0? contrib [i] / sigma: 0.0;
    return sigma;
}
