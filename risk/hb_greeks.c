/*  hb_greeks: desk units of option greeks (hb_greeks.h)                    */
#include "hb_greeks.h"

#include <assert.h>
#include <math.h>

double
hb_greeks_dollar_gamma (double gamma, double s)
{
    return gamma * s * s / 100;
}

double
hb_greeks_theta_day (double theta_year)
{
    return theta_year / 365;
}

double
hb_greeks_vega_point (double vega)
{
    return vega / 100;
}

int
hb_greeks_bucket (double days, const int *edges, int n_edges)
{
    assert (n_edges >= 0 && n_edges < HB_GREEKS_BUCKETS);
    for (int i = 0; i < n_edges; i++)
        if (days <= edges [i])
            return i;
    return n_edges;
}

void
hb_greeks_coin (const hb_greeks_t *usd, double s, hb_greeks_t *coin)
{
    assert (usd && coin && s > 0);
    coin->price = usd->price / s;
    coin->delta = usd->delta - usd->price / s;
    coin->gamma = usd->gamma / s - 2 * usd->delta / (s * s) + 2 * usd->price / (s * s * s);
    coin->vega = usd->vega / s;
    coin->theta = usd->theta / s;
    coin->rho = usd->rho / s;
}

double
hb_greeks_inverse_delta (const hb_greeks_t *usd, double s)
{
    assert (usd && s > 0);
    return usd->delta - usd->price / s;
}

uint32_t
hb_greeks_breaches (double gamma_usd, double gamma_band, const double *vega,
                    const double *vega_band, int n_buckets)
{
    uint32_t flags = 0;
    if (gamma_band > 0 && fabs (gamma_usd) > gamma_band)
        flags |= HB_GREEKS_GAMMA_BAND;
    for (int b = 0; b < n_buckets; b++)
        if (vega_band [b] > 0 && fabs (vega [b]) > vega_band [b])
            flags |= HB_GREEKS_VEGA_BAND;
    return flags;
}
