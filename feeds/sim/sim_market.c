/*  sim_market: see sim_market.h.

    The two Cholesky factors are computed once; the hot loop is n normals,
    one triangular product and, with jumps on, n uniforms. It keeps the log
    price, so a long replay accumulates no multiplicative rounding drift and
    exp () is only paid when a price is read.                                */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hb_linalg.h"
#include "sim_market.h"
#include "sim_rng.h"

#define S_YEAR_S    (365.0 * 86400.0)
#define S_CHOL_TOL  1e-9

struct sim_market_s {
    int             n;
    uint64_t        k;
    uint64_t        seed;
    double          step_s;
    double          drift [HB_MAX_ASSETS];      //  (mu - sigma^2 / 2) dt
    double          vol [HB_MAX_ASSETS];        //  sigma sqrt (dt)
    double          x0 [HB_MAX_ASSETS];         //  log reference prices
    double          x [HB_MAX_ASSETS];          //  log prices at step k
    uint64_t        jumps [HB_MAX_ASSETS];
    double          jump_p;
    double          jump_mean;
    double          jump_std;
    bool            has_regime;
    sim_window_t regime;
    sim_rng_t       rng;
    double          l_base [HB_MAX_ASSETS][HB_MAX_ASSETS];
    double          l_regime [HB_MAX_ASSETS][HB_MAX_ASSETS];
    sim_vol_t      *surface;                    //  the options' implied vols (NULL: none)
};

static void
s_reset (sim_market_t *self)
{
    self->k = 0;
    memcpy (self->x, self->x0, sizeof self->x);
    memset (self->jumps, 0, sizeof self->jumps);
    sim_rng_seed (&self->rng, self->seed);
    if (self->surface)
        sim_vol_reset (self->surface);
}

sim_market_t *
sim_market_new (const hb_config_t *config, const sim_market_cfg_t *market, char *err, size_t errsize)
{
    if (!market->present) {
        snprintf (err, errsize, "market: section missing (the sim needs it)");
        return NULL;
    }
    if (config->n_assets < 1 || config->n_assets > HB_MAX_ASSETS) {
        snprintf (err, errsize, "assets: %d assets, need 1..%d", config->n_assets, HB_MAX_ASSETS);
        return NULL;
    }
    if (!(market->step_ms > 0) || !isfinite (market->step_ms)) {
        snprintf (err, errsize, "market.step_ms: must be > 0 (value %g)", market->step_ms);
        return NULL;
    }
    sim_market_t *self = (sim_market_t *) calloc (1, sizeof *self);
    if (!self) {
        snprintf (err, errsize, "out of memory");
        return NULL;
    }
    self->n = config->n_assets;
    self->seed = market->seed;
    self->step_s = market->step_ms / 1000.0;
    double dt = self->step_s / S_YEAR_S;
    for (int i = 0; i < self->n; i++) {
        const hb_asset_cfg_t *asset = &config->assets [i];
        if (!(asset->price > 0) || !(asset->vol >= 0)) {
            snprintf (err, errsize, "assets.%s: price must be > 0 and vol >= 0", asset->name);
            free (self);
            return NULL;
        }
        self->drift [i] = (asset->drift - 0.5 * asset->vol * asset->vol) * dt;
        self->vol [i] = asset->vol * sqrt (dt);
        self->x0 [i] = log (asset->price);
    }
    int bad = -1;
    if (hb_cholesky_psd (&market->corr [0][0], &self->l_base [0][0], self->n,
                         HB_MAX_ASSETS, S_CHOL_TOL, &bad)) {
        snprintf (err, errsize, "market.corr: not symmetric positive semi-definite (row %d)", bad);
        free (self);
        return NULL;
    }
    self->has_regime = market->regime_present;
    if (self->has_regime) {
        self->regime = market->regime;
        if (hb_cholesky_psd (&market->regime_corr [0][0], &self->l_regime [0][0],
                             self->n, HB_MAX_ASSETS, S_CHOL_TOL, &bad)) {
            snprintf (err, errsize,
                      "market.regime.corr: not symmetric positive semi-definite (row %d)", bad);
            free (self);
            return NULL;
        }
    }
    if (market->vol_present) {
        self->surface = sim_vol_new (self->n, market->vol, market->vol_shocks, market->n_vol_shocks,
                                 self->step_s, market->seed);
        if (!self->surface) {
            snprintf (err, errsize, "market.vol_surface: cannot be built (out of memory)");
            free (self);
            return NULL;
        }
    }
    if (market->jumps_per_day > 0) {
        self->jump_p = -expm1 (-market->jumps_per_day * self->step_s / 86400.0);
        self->jump_mean = market->jump_mean;
        self->jump_std = market->jump_std;
    }
    s_reset (self);
    return self;
}

void
sim_market_destroy (sim_market_t **self_p)
{
    if (self_p && *self_p) {
        sim_vol_destroy (&(*self_p)->surface);
        free (*self_p);
        *self_p = NULL;
    }
}

bool
sim_market_regime_at (const sim_market_t *self, uint64_t k)
{
    return self->has_regime
        && sim_window_active (&self->regime, (double) k * self->step_s);
}

void
sim_market_step (sim_market_t *self)
{
    const int n = self->n;
    const double *l = sim_market_regime_at (self, self->k)?
        &self->l_regime [0][0]: &self->l_base [0][0];
    double z [HB_MAX_ASSETS], y [HB_MAX_ASSETS];
    for (int i = 0; i < n; i++)
        z [i] = sim_rng_normal (&self->rng);
    hb_lower_mul (l, n, HB_MAX_ASSETS, z, y);
    for (int i = 0; i < n; i++)
        self->x [i] += self->drift [i] + self->vol [i] * y [i];
    //  the surface moves with each asset's own price shock (unit variance:
    //  L is the factor of a correlation matrix), before the jumps
    if (self->surface)
        sim_vol_step (self->surface, self->k, y);
    if (self->jump_p > 0)
        for (int i = 0; i < n; i++)
            if (sim_rng_uniform (&self->rng) < self->jump_p) {
                self->x [i] += self->jump_mean + self->jump_std * sim_rng_normal (&self->rng);
                self->jumps [i]++;
            }
    self->k++;
}

void
sim_market_seek (sim_market_t *self, uint64_t k)
{
    if (k < self->k)
        s_reset (self);
    while (self->k < k)
        sim_market_step (self);
}

uint64_t
sim_market_index (const sim_market_t *self)
{
    return self->k;
}

int
sim_market_assets (const sim_market_t *self)
{
    return self->n;
}

double
sim_market_step_s (const sim_market_t *self)
{
    return self->step_s;
}

double
sim_market_price (const sim_market_t *self, int asset)
{
    return exp (self->x [asset]);
}

double
sim_market_log_price (const sim_market_t *self, int asset)
{
    return self->x [asset];
}

uint64_t
sim_market_jumps (const sim_market_t *self, int asset)
{
    return self->jumps [asset];
}

double
sim_market_iv (const sim_market_t *self, int asset, double strike, double forward, double t_days,
               double fallback)
{
    return sim_vol_iv (self->surface, asset, strike, forward, t_days, fallback);
}

double
sim_market_vol_level (const sim_market_t *self, int asset)
{
    return sim_vol_level (self->surface, asset);
}
