/*  hb_greeks: the desk's units of an option book's greeks (docs/RISK.md,
    Greeks): dollar gamma per 1 % move, vega per vol point in expiry
    buckets, theta per day, the coin greeks of a coin-settled (inverse)
    option and the USD delta with its coin premium, and the gamma and vega
    bands. Pure functions over hb_bs.h's greeks (plain partial
    derivatives, per year, per 1.00 of vol); hb-risk sums them per asset.  */
#ifndef HB_GREEKS_H
#define HB_GREEKS_H

#include <stdint.h>

#include "hb_bs.h"

#define HB_GREEKS_BUCKETS   8       //  expiry buckets at most (HB_RISK_VEGA_BUCKETS)

//  Dollar gamma per 1 % move: how many USD the asset's USD delta changes
//  when its price moves 1 % (Gamma x S x 0.01 S = Gamma S^2 / 100).
double hb_greeks_dollar_gamma (double gamma, double s);

//  Theta per calendar day from hb_bs's theta per (365-day) year.
double hb_greeks_theta_day (double theta_year);

//  Vega per vol point (0.01 of vol) from hb_bs's vega per 1.00 of vol.
double hb_greeks_vega_point (double vega);

//  The bucket of an option expiring in days (< 0: expired, bucket 0):
//  the first i with days <= edges [i], else n_edges. edges strictly
//  increasing, n_edges < HB_GREEKS_BUCKETS.
int hb_greeks_bucket (double days, const int *edges, int n_edges);

//  A coin-settled option on spot s: usd holds hb_bs / hb_black76's greeks
//  of its USD value V (price in USD). Fills coin with the greeks of its
//  value in coin, V / s (what the venue quotes and settles):
//      price  V / s
//      delta  s d(V/s)/ds = Delta - V/s   (coin per relative move: the
//             delta a coin-margined venue shows, Deribit's convention)
//      gamma  d2(V/s)/ds2 = Gamma/s - 2 Delta/s^2 + 2 V/s^3
//      vega, theta, rho: those of V divided by s
void hb_greeks_coin (const hb_greeks_t *usd, double s, hb_greeks_t *coin);

//  The USD delta (asset units) of one coin-settled option with its premium
//  held in coin at the mark: the option's Black delta less its price in
//  coin (Delta - V/s), the coin premium being a coin position of its own.
double hb_greeks_inverse_delta (const hb_greeks_t *usd, double s);

//  The band flags of one asset (bits HB_GREEKS_GAMMA_BAND, _VEGA_BAND):
//  |gamma_usd| over gamma_band, or any bucket's |vega| over its band; a
//  band of 0 is none.
#define HB_GREEKS_GAMMA_BAND    0x01u
#define HB_GREEKS_VEGA_BAND     0x02u
uint32_t hb_greeks_breaches (double gamma_usd, double gamma_band, const double *vega,
                             const double *vega_band, int n_buckets);

#endif
