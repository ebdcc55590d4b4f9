/*  sim_market: see sim_market.h.

    Why sums and not prices: L is linear, so the log price at step k is

        x_k = x_0 + k drift + vol (L_base Z_base + L_regime Z_regime) + J

    with Z the sums of the normals of the steps each factor drove and J the
    jumps so far. The triangular products, O(n^2), are paid once when the
    step's prices are settled, not once per step.

    Why blocks: a venue started late in the day fast-forwards up to 864,000
    steps, and even one normal per asset and step is minutes at 200 assets
    for five venues at once. So each asset's normals come in blocks of
    S_BLOCK steps: the block's sum first, sqrt (S_BLOCK) N(0, 1) (the sum's
    exact law), then the steps' normals as a Brownian bridge to that sum
    (z = rest / left + sqrt ((left - 1) / left) w, which makes them exactly
    iid N(0, 1)). Every normal is a pure function of (seed, block or step,
    asset), so a seek adds whole blocks' sums without drawing their steps,
    and walks only the last, partial block. Stepping one by one adds the
    same block sum when a block ends (its steps' partial sum is dropped),
    so both give the same bits. A block whose steps were not all under one
    correlation (a regime window starts or ends inside it) keeps its steps'
    own partial sums, in both ways.

    The exceptions are the assets whose price shock drives a vol surface:
    their shock of each step, (L z)_a, needs the step's normals of assets
    0..a, so those are walked step by step (assets listed first in the
    config are cheap). Jumps come as geometric gaps between a pair's jump
    steps (the exact law of one Bernoulli draw per step), so a seek visits
    only the jumps. Keeping the log price (and sums, not a running
    product) also means a long run accumulates no multiplicative drift. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hb_linalg.h"
#include "sim_market.h"
#include "sim_rng.h"

#define S_YEAR_S    (365.0 * 86400.0)
#define S_CHOL_TOL  1e-9
#define S_BLOCK     1024                    //  steps of a block of normals
#define S_SALT_SUM      UINT64_C (0x626c6f636b)     //  a block's sum
#define S_SALT_STEP     UINT64_C (0x62726964)       //  a step's bridge normal
#define S_SALT_GAP      UINT64_C (0x676170)         //  the steps to the next jump
#define S_SALT_JUMP     UINT64_C (0x6a756d70)       //  a jump's size

struct sim_market_s {
    int             n;
    uint64_t        k;
    uint64_t        seed;
    double          step_s;
    double          drift [HB_MAX_ASSETS];      //  (mu - sigma^2 / 2) dt
    double          vol [HB_MAX_ASSETS];        //  sigma sqrt (dt)
    double          x0 [HB_MAX_ASSETS];         //  log reference prices
    double          x [HB_MAX_ASSETS];          //  log prices at step k (settled)
    //  per asset: the sums of the normals each factor drove over whole
    //  blocks (z_*) and over the current block's steps so far (part_*), and
    //  what is left of the current block's sum for its remaining steps
    double          z_base [HB_MAX_ASSETS];
    double          z_regime [HB_MAX_ASSETS];
    double          part_base [HB_MAX_ASSETS];
    double          part_regime [HB_MAX_ASSETS];
    double          rest [HB_MAX_ASSETS];
    double          block_sum [HB_MAX_ASSETS];
    uint64_t        block_of [HB_MAX_ASSETS];   //  the block rest / part_* are of (+1: 0 none)
    double          jump_x [HB_MAX_ASSETS];     //  sum of the jumps taken
    uint64_t        jumps [HB_MAX_ASSETS];
    uint64_t        next_jump [HB_MAX_ASSETS];  //  the step the next jump leaves from
    double          jump_p;
    double          jump_mean;
    double          jump_std;
    bool            has_regime;
    sim_window_t regime;
    int             walked;                     //  assets 0..walked-1 go step by step
    uint64_t        uniform_of;                 //  the block uniform is of (+1: 0 none)
    bool            uniform;
    double          l_base [HB_MAX_ASSETS][HB_MAX_ASSETS];
    double          l_regime [HB_MAX_ASSETS][HB_MAX_ASSETS];
    sim_vol_t      *surface;                    //  the options' implied vols (NULL: none)
    int             n_rows;                     //  assets with a surface: their rows of L
    int             rows [HB_MAX_ASSETS];
    int             n_script;                   //  market.script, on top of the path
    sim_script_t    script [SIM_MAX_SCRIPT];
};

//  Steps from step k to the first jump of asset i at or after it, its
//  count-th: the number of failures before a success of probability p
static uint64_t
s_gap (const sim_market_t *self, int i, uint64_t count)
{
    double u = sim_rng_unit (sim_rng_hash (self->seed ^ S_SALT_GAP, count, (uint64_t) i));
    double g = floor (log (u) / log1p (-self->jump_p));
    return g < 1e18 ? (uint64_t) g : UINT64_MAX / 2;
}

static void
s_reset (sim_market_t *self)
{
    self->k = 0;
    memcpy (self->x, self->x0, sizeof self->x);
    memset (self->z_base, 0, sizeof self->z_base);
    memset (self->z_regime, 0, sizeof self->z_regime);
    memset (self->part_base, 0, sizeof self->part_base);
    memset (self->part_regime, 0, sizeof self->part_regime);
    memset (self->block_of, 0, sizeof self->block_of);
    memset (self->jump_x, 0, sizeof self->jump_x);
    memset (self->jumps, 0, sizeof self->jumps);
    for (int i = 0; i < self->n; i++)
        self->next_jump [i] = self->jump_p > 0 ? s_gap (self, i, 0) : UINT64_MAX;
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
            if (market->vol [i].present) {
                self->rows [self->n_rows++] = i;
                self->walked = i + 1;
            }
    }
    self->n_script = market->n_script;
    memcpy (self->script, market->script, sizeof self->script);
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

//  Whether every step of block b is under the same correlation (kept for
//  the block: stepping asks at every step)
static bool
s_block_uniform (sim_market_t *self, uint64_t b)
{
    if (!self->has_regime)
        return true;
    if (self->uniform_of == b + 1)
        return self->uniform;
    bool first = sim_market_regime_at (self, b * S_BLOCK);
    self->uniform = true;
    for (uint64_t k = b * S_BLOCK + 1; k < (b + 1) * S_BLOCK && self->uniform; k++)
        self->uniform = sim_market_regime_at (self, k) == first;
    self->uniform_of = b + 1;
    return self->uniform;
}

//  Asset i's block b begins: its sum, all of it left
static void
s_block_start (sim_market_t *self, int i, uint64_t b)
{
    self->block_sum [i] = sqrt ((double) S_BLOCK)
                        * sim_rng_hash_normal (self->seed ^ S_SALT_SUM, b, (uint64_t) i);
    self->rest [i] = self->block_sum [i];
    self->part_base [i] = self->part_regime [i] = 0;
    self->block_of [i] = b + 1;
}

//  Asset i's normal of step k (its block begun), into the partial sums;
//  at the block's last step the block goes into the whole sums
static double
s_bridge_step (sim_market_t *self, int i, uint64_t k, bool regime, bool uniform)
{
    double left = (double) (S_BLOCK - k % S_BLOCK);
    double w = sim_rng_hash_normal (self->seed ^ S_SALT_STEP, k, (uint64_t) i);
    double z = left > 1 ? self->rest [i] / left + sqrt ((left - 1) / left) * w : self->rest [i];
    self->rest [i] -= z;
    if (regime)
        self->part_regime [i] += z;
    else
        self->part_base [i] += z;
    if (left == 1) {
        if (uniform)
            *(regime ? &self->z_regime [i] : &self->z_base [i]) += self->block_sum [i];
        else {
            self->z_base [i] += self->part_base [i];
            self->z_regime [i] += self->part_regime [i];
        }
        self->part_base [i] = self->part_regime [i] = 0;
        self->block_of [i] = 0;
    }
    return z;
}

//  Assets from..n-1 from the current step to step k, without their steps'
//  normals where a whole block can be added at once
static void
s_skip (sim_market_t *self, int from, uint64_t k)
{
    uint64_t now = self->k;
    while (now < k) {
        uint64_t b = now / S_BLOCK;
        bool uniform = s_block_uniform (self, b);
        if (now % S_BLOCK == 0 && (b + 1) * S_BLOCK <= k && uniform) {
            bool regime = sim_market_regime_at (self, now);
            for (int i = from; i < self->n; i++)
                *(regime ? &self->z_regime [i] : &self->z_base [i])
                    += sqrt ((double) S_BLOCK) * sim_rng_hash_normal (self->seed ^ S_SALT_SUM, b, (uint64_t) i);
            now += S_BLOCK;
            continue;
        }
        //  a partial block: its steps, to its end or to k
        uint64_t end = (b + 1) * S_BLOCK < k ? (b + 1) * S_BLOCK : k;
        for (; now < end; now++) {
            bool regime = sim_market_regime_at (self, now);
            for (int i = from; i < self->n; i++) {
                if (self->block_of [i] != b + 1)
                    s_block_start (self, i, b);
                s_bridge_step (self, i, now, regime, uniform);
            }
        }
    }
}

//  The jumps that leave from steps before k
static void
s_jumps (sim_market_t *self, uint64_t k)
{
    for (int i = 0; i < self->n; i++)
        while (self->next_jump [i] < k) {
            uint64_t c = self->jumps [i]++;
            self->jump_x [i] += self->jump_mean + self->jump_std
                              * sim_rng_hash_normal (self->seed ^ S_SALT_JUMP, c, (uint64_t) i);
            self->next_jump [i] += 1 + s_gap (self, i, c + 1);
        }
}

//  Steps to k without settling the prices: the walked assets (those whose
//  shock drives a surface, and the ones before them) step by step, the
//  others by blocks, then the jumps
static void
s_advance_to (sim_market_t *self, uint64_t k)
{
    uint64_t from = self->k;
    for (uint64_t step = from; step < k && self->walked > 0; step++) {
        bool regime = sim_market_regime_at (self, step);
        uint64_t b = step / S_BLOCK;
        bool uniform = s_block_uniform (self, b);
        double z [HB_MAX_ASSETS] = { 0 };
        for (int i = 0; i < self->walked; i++) {
            if (self->block_of [i] != b + 1)
                s_block_start (self, i, b);
            z [i] = s_bridge_step (self, i, step, regime, uniform);
        }
        //  the surface moves with each asset's own price shock (L z)_a
        //  (unit variance: L is the factor of a correlation matrix)
        const double *l = regime ? &self->l_regime [0][0] : &self->l_base [0][0];
        double y [HB_MAX_ASSETS] = { 0 };
        for (int r = 0; r < self->n_rows; r++) {
            int a = self->rows [r];
            const double *row = l + (size_t) a * HB_MAX_ASSETS;
            double acc = 0;
            for (int j = 0; j <= a; j++)
                acc += row [j] * z [j];
            y [a] = acc;
        }
        sim_vol_step (self->surface, step, y);
    }
    s_skip (self, self->walked, k);
    s_jumps (self, k);
    self->k = k;
}

//  The scripted part of asset i's log price at t_s (a pure function of
//  time: a seek and a step give the same bits)
static double
s_scripted (const sim_market_t *self, int i, double t_s)
{
    double x = 0;
    for (int j = 0; j < self->n_script; j++) {
        const sim_script_t *seg = &self->script [j];
        if ((seg->asset >= 0 && seg->asset != i) || t_s <= seg->at_s)
            continue;
        double done = seg->over_s > 0 ? (t_s - seg->at_s) / seg->over_s : 1;
        x += seg->move * (done < 1 ? done : 1);
    }
    return x;
}

double
sim_market_scripted (const sim_market_t *self, int asset, double t_s)
{
    return exp (s_scripted (self, asset, t_s));
}

//  The log prices of the current step from the sums (the two products)
static void
s_settle (sim_market_t *self)
{
    const int n = self->n;
    double zb [HB_MAX_ASSETS], zr [HB_MAX_ASSETS], yb [HB_MAX_ASSETS], yr [HB_MAX_ASSETS];
    for (int i = 0; i < n; i++) {
        zb [i] = self->z_base [i] + self->part_base [i];
        zr [i] = self->z_regime [i] + self->part_regime [i];
    }
    hb_lower_mul (&self->l_base [0][0], n, HB_MAX_ASSETS, zb, yb);
    if (self->has_regime)
        hb_lower_mul (&self->l_regime [0][0], n, HB_MAX_ASSETS, zr, yr);
    else
        memset (yr, 0, sizeof (double) * (size_t) n);
    double k = (double) self->k;
    for (int i = 0; i < n; i++)
        self->x [i] = self->x0 [i] + k * self->drift [i]
                    + self->vol [i] * (yb [i] + yr [i]) + self->jump_x [i];
    for (int i = 0; self->n_script > 0 && i < n; i++)
        self->x [i] += s_scripted (self, i, k * self->step_s);
}

void
sim_market_step (sim_market_t *self)
{
    s_advance_to (self, self->k + 1);
    s_settle (self);
}

void
sim_market_seek (sim_market_t *self, uint64_t k)
{
    if (k == self->k)
        return;
    if (k < self->k)
        s_reset (self);
    s_advance_to (self, k);
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
