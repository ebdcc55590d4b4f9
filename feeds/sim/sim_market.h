/*  sim_market: the simulated market shared by every sim venue: one
    correlated log-price path per asset, on a fixed grid of step_ms from the
    market anchor, fully determined by config->market and config->assets.

    Step k holds the prices at sim time t_k = k * step_ms (step 0 = the
    configured reference prices). Going from k to k + 1, with dt in years of
    365 days:
        x_i += (mu_i - sigma_i^2 / 2) dt + sigma_i sqrt (dt) (L z)_i + J_i
    where z ~ N(0, I) drawn in blocks (sim_market.c), L is the Cholesky
    factor of corr (of regime_corr while the regime window is active at
    t_k), and J_i is a jump N(jump_mean, jump_std) that happens with
    probability 1 - exp (-jumps_per_day * dt_days) per step and asset.
    Every process that builds a market from the same config computes the
    same path: a venue started late replays (fast-forwards) to its current
    step, at O(n) a step (sums of the normals; the O(n^2) products once, at
    the step it stops at: sim_market.c), so a late start of a 200-asset
    market is seconds, not minutes. Stepping never allocates.              */
#ifndef SIM_MARKET_H
#define SIM_MARKET_H

#include <stdint.h>
#include "hb_config.h"
#include "sim_config.h"

typedef struct sim_market_s sim_market_t;

//  Builds the market at step 0. Returns NULL (writing why into err, errsize
//  bytes) when the config has no market section, no assets, a step_ms that
//  is not positive, or a correlation matrix (or regime matrix) that is not
//  positive semi-definite.
sim_market_t *sim_market_new (const hb_config_t *config, const sim_market_cfg_t *market,
                              char *err, size_t errsize);

//  NULL-safe; nulls *self_p.
void sim_market_destroy (sim_market_t **self_p);

//  Moves the path to step k: forward by stepping, or backward by starting
//  again from step 0 (the path is the same either way).
void sim_market_seek (sim_market_t *self, uint64_t k);

//  One step forward.
void sim_market_step (sim_market_t *self);

uint64_t sim_market_index (const sim_market_t *self);
int      sim_market_assets (const sim_market_t *self);
double   sim_market_step_s (const sim_market_t *self);

//  Price and log price of asset i at the current step.
double   sim_market_price (const sim_market_t *self, int asset);
double   sim_market_log_price (const sim_market_t *self, int asset);

//  The factor market.script puts on asset's price at t_s seconds after the
//  anchor (1: no script, or none of it yet).
double   sim_market_scripted (const sim_market_t *self, int asset, double t_s);

//  Jumps asset i has taken since step 0.
uint64_t sim_market_jumps (const sim_market_t *self, int asset);

//  True when the regime correlation drives the step that leaves step k.
bool     sim_market_regime_at (const sim_market_t *self, uint64_t k);

//  The implied vol of an option on asset (strike, the forward, t_days to
//  expiry) from market.vol_surface at the current step (sim_vol.h), or
//  fallback when the asset has no surface; the surface's ATM 30-day level
//  (0: none).
double   sim_market_iv (const sim_market_t *self, int asset, double strike, double forward,
                        double t_days, double fallback);
double   sim_market_vol_level (const sim_market_t *self, int asset);

#endif
