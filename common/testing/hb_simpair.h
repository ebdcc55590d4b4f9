/*  hb_simpair: a seeded generator of bivariate returns for tests and
    benches of the correlation-regime detector (risk/hb_regime): Gaussian
    or Student-t innovations with a given correlation (the t drawn as a
    bivariate t, one chi-square for both, scaled to unit variance), an
    optional GARCH(1,1) variance per asset, and vol multipliers and a
    correlation that can be changed between draws (a break, a vol jump).
    Deterministic for a seed (splitmix64 and Box-Muller), the same on every
    machine with IEEE doubles and the same libm. Test-only: never linked
    into products.                                                        */
#ifndef HB_SIMPAIR_H
#define HB_SIMPAIR_H

#include <stdbool.h>
#include <stdint.h>

typedef struct {
    double  rho;        //  correlation of the innovations, [-1, 1]
    double  nu;         //  Student-t degrees of freedom (> 2); 0: Gaussian
    bool    garch;      //  GARCH(1,1) variance, omega 0.05, alpha 0.10, beta 0.85
                        //  (unconditional variance 1), separate per asset
    double  vol_x, vol_y;   //  scales of the two returns (0 is taken as 1)
} hb_simpair_cfg_t;

typedef struct {
    uint64_t         state;
    hb_simpair_cfg_t cfg;
    double           h_x, h_y;      //  GARCH conditional variances
    double           e_x, e_y;      //  last innovations (scaled by sqrt h)
    bool             spare_ok;
    double           spare;
} hb_simpair_t;

void hb_simpair_init (hb_simpair_t *self, uint64_t seed, const hb_simpair_cfg_t *cfg);

//  Changes the correlation or the vol scales from the next draw on.
void hb_simpair_set_rho (hb_simpair_t *self, double rho);
void hb_simpair_set_vol (hb_simpair_t *self, double vol_x, double vol_y);

//  Next pair of returns.
void hb_simpair_next (hb_simpair_t *self, double *x, double *y);

//  The underlying draws, for other simulations.
double hb_simpair_uniform (hb_simpair_t *self);     //  (0, 1)
double hb_simpair_normal (hb_simpair_t *self);

#endif
