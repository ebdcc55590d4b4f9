/*  sim_market: see sim_market.h.

    Why sums and not prices: L is linear, so the log price at step k is

        x_k = x_0 + k drift + vol (L_base Z_base + L_regime Z_regime) + J

    with Z the sums of the normals of the steps each factor drove and J the
    jumps so far. A step adds n normals to one sum (and, with jumps on, n
    uniforms): O(n). The triangular products, O(n^2), are paid once when
    the step's prices are settled, not once per step, so a venue started
    late in the day fast-forwards 864,000 steps of 200 assets in seconds
    rather than minutes (bench/scale.sh). The rows of L of the assets with
    a vol surface are the exception: their shock of each step drives the
    surface, so those rows are multiplied every step. Stepping one by one
    and seeking settle from the same sums in the same order, so both give
    the same bits. Keeping the log price (and sums, not a running product)
    also means a long run accumulates no multiplicative rounding drift.   */
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
    double          x [HB_MAX_ASSETS];          //  log prices at step k (settled)
    double          z_base [HB_MAX_ASSETS];     //  sums of the normals each factor drove
    double          z_regime [HB_MAX_ASSETS];
    double          jump_x [HB_MAX_ASSETS];     //  sum of the jumps taken
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
    int             n_rows;                     //  assets with a surface: their rows of L
    int             rows [HB_MAX_ASSETS];
};

static void
s_reset (sim_market_t *self)
{
    self->k = 0;
    memcpy (self->x, self->x0, sizeof self->x);
    memset (self->z_base, 0, sizeof self->z_base);
    memset (self->z_regime, 0, sizeof self->z_regime);
    memset (self->jump_x, 0, sizeof self->jump_x);
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
        for (int i = 0; i < self->n; i++)
            if (market->vol [i].present)
                self->rows [self->n_rows++] = i;
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

//  Step k -> k + 1 without settling the prices: O(n) but for the rows of
//  the assets with a vol surface.
static void
s_advance (sim_market_t *self)
{
    const int n = self->n;
    bool regime = sim_market_regime_at (self, self->k);
    double *sum = regime? self->z_regime: self->z_base;
    double z [HB_MAX_ASSETS];
    for (int i = 0; i < n; i++) {
        z [i] = sim_rng_normal (&self->rng);
        sum [i] += z [i];
    }
    //  the surface moves with each asset's own price shock (L z)_a (unit
    //  variance: L is the factor of a correlation matrix), before the jumps
    if (self->surface) {
        const double *l = regime? &self->l_regime [0][0]: &self->l_base [0][0];
        double y [HB_MAX_ASSETS] = { 0 };
        for (int r = 0; r < self->n_rows; r++) {
            int a = self->rows [r];
            const double *row = l + (size_t) a * HB_MAX_ASSETS;
            double acc = 0;
            for (int j = 0; j <= a; j++)
                acc += row [j] * z [j];
            y [a] = acc;
        }
        sim_vol_step (self->surface, self->k, y);
    }
    if (self->jump_p > 0)
        for (int i = 0; i < n; i++)
            if (sim_rng_uniform (&self->rng) < self->jump_p) {
                self->jump_x [i] += self->jump_mean + self->jump_std * sim_rng_normal (&self->rng);
                self->jumps [i]++;
            }
    self->k++;
}

//  The log prices of the current step from the sums (the two products)
static void
s_settle (sim_market_t *self)
{
    const int n = self->n;
    double yb [HB_MAX_ASSETS], yr [HB_MAX_ASSETS];
    hb_lower_mul (&self->l_base [0][0], n, HB_MAX_ASSETS, self->z_base, yb);
    if (self->has_regime)
        hb_lower_mul (&self->l_regime [0][0], n, HB_MAX_ASSETS, self->z_regime, yr);
    else
        memset (yr, 0, sizeof (double) * (size_t) n);
    double k = (double) self->k;
    for (int i = 0; i < n; i++)
        self->x [i] = self->x0 [i] + k * self->drift [i]
                    + self->vol [i] * (yb [i] + yr [i]) + self->jump_x [i];
}

void
sim_market_step (sim_market_t *self)
{
    s_advance (self);
    s_settle (self);
}

void
sim_market_seek (sim_market_t *self, uint64_t k)
{
    if (k == self->k)
        return;
    if (k < self->k)
        s_reset (self);
    while (self->k < k)
        s_advance (self);
    s_settle (self);
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
