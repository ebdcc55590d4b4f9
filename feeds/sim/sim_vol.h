/*  sim_vol: the moving implied-vol surface the sim quotes its options from
    (issue 17), one per asset, stepped with the market's price path so that
    every venue and every fast-forward sees the same surface.

    The level. Per asset a the at-the-money 30-day vol v follows a log
    Ornstein-Uhlenbeck process on the market's grid (dt in years):

        ln v += kappa (ln vbar - ln v) dt
                + xi sqrt (dt) (rho e_a + sqrt (1 - rho^2) w_a)

    where e_a is the asset's own standardized price shock of the step (the
    market's (L z)_a, so that rho < 0 gives the spot-vol correlation a
    crypto desk sees: vol up when the price falls) and w_a an independent
    normal from the surface's own stream (seeded from the market seed).
    Scheduled shocks multiply the level once when their time comes (at_s,
    then every every_s if set); it reverts at kappa afterwards.

    The surface around the level, for strike K, forward F, T days:

        iv (K, T) = v (1 + skew m + smile m^2) (T / 30)^term,  m = ln (K / F)

    clamped to [0.05, 5]. With skew < 0 puts are dearer than calls (the
    crypto skew of a falling market), smile > 0 lifts both wings, term < 0
    makes short expiries more volatile than long ones. Stepping never
    allocates.                                                             */
#ifndef SIM_VOL_H
#define SIM_VOL_H

#include <stdbool.h>
#include <stdint.h>

#define SIM_VOL_MIN     0.05
#define SIM_VOL_MAX     5.0
#define SIM_VOL_SHOCKS  8

//  One asset's surface (market.vol_surface.assets.<ASSET>)
typedef struct {
    bool    present;
    double  level;                  //  vbar and the start, (0, 5]
    double  reversion;              //  kappa, per year, >= 0
    double  vol_of_vol;             //  xi, per sqrt (year), >= 0
    double  spot_corr;              //  rho, [-1, 1]
    double  skew;                   //  per unit of log-moneyness
    double  smile;                  //  per unit of log-moneyness squared, >= 0
    double  term;                   //  power of T / 30 days
} sim_vol_asset_t;

//  A scheduled shock: at at_s seconds after the anchor (then every every_s
//  if > 0), the level of asset (-1: every asset) is multiplied by factor.
typedef struct {
    double  at_s;
    double  every_s;
    int     asset;
    double  factor;                 //  > 0
} sim_vol_shock_t;

typedef struct sim_vol_s sim_vol_t;

//  A surface for n assets (cfg [i] for asset i; an asset without
//  present has no surface: sim_vol_iv returns its fallback), stepped every
//  step_s seconds, its stream seeded from seed. NULL when out of memory.
sim_vol_t *sim_vol_new (int n, const sim_vol_asset_t *cfg, const sim_vol_shock_t *shocks,
                        int n_shocks, double step_s, uint64_t seed);
void sim_vol_destroy (sim_vol_t **self_p);

//  Back to step 0 (levels at their configured values, the stream reseeded).
void sim_vol_reset (sim_vol_t *self);

//  Step k -> k + 1, given each asset's standardized price shock of that
//  step (n values).
void sim_vol_step (sim_vol_t *self, uint64_t k, const double *shock);

//  The level of asset now (0 when it has no surface).
double sim_vol_level (const sim_vol_t *self, int asset);
bool sim_vol_has (const sim_vol_t *self, int asset);

//  The implied vol of a strike on forward for t_days, or fallback when the
//  asset has no surface or the input is not positive and finite.
double sim_vol_iv (const sim_vol_t *self, int asset, double strike, double forward,
                   double t_days, double fallback);

#endif
