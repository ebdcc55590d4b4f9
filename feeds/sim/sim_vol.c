/*  sim_vol: the moving implied-vol surface (the model is in sim_vol.h).   */
#include "sim_vol.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim_rng.h"

#define S_YEAR_S    (365.0 * 86400.0)
//  the surface's stream is the market's seed mixed with this, so that it
//  never replays the price path's normals
#define S_SEED_SALT UINT64_C (0x766f6c7375726661)

struct sim_vol_s {
    int              n;
    sim_vol_asset_t *cfg;
    double          *log_level;
    double          *log_bar;
    double          *spike;                 //  [shock][asset]: the shocks' parts of ln v
    double           fade [SIM_VOL_SHOCKS]; //  per step (1: never fades)
    sim_vol_shock_t  shocks [SIM_VOL_SHOCKS];
    int              n_shocks;
    double           step_s, dt;
    uint64_t         seed;
    sim_rng_t        rng;
};

sim_vol_t *
sim_vol_new (int n, const sim_vol_asset_t *cfg, const sim_vol_shock_t *shocks, int n_shocks,
             double step_s, uint64_t seed)
{
    if (n < 1 || !cfg || !(step_s > 0) || n_shocks < 0 || n_shocks > SIM_VOL_SHOCKS)
        return NULL;
    sim_vol_t *self = (sim_vol_t *) calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->n = n;
    self->cfg = (sim_vol_asset_t *) calloc ((size_t) n, sizeof *self->cfg);
    self->log_level = (double *) calloc ((size_t) n, sizeof (double));
    self->log_bar = (double *) calloc ((size_t) n, sizeof (double));
    self->spike = (double *) calloc ((size_t) (n * SIM_VOL_SHOCKS), sizeof (double));
    if (!self->cfg || !self->log_level || !self->log_bar || !self->spike) {
        sim_vol_destroy (&self);
        return NULL;
    }
    memcpy (self->cfg, cfg, sizeof *cfg * (size_t) n);
    for (int i = 0; i < n; i++)
        if (self->cfg [i].present)
            self->log_bar [i] = log (fmin (fmax (self->cfg [i].level, SIM_VOL_MIN), SIM_VOL_MAX));
    if (n_shocks)
        memcpy (self->shocks, shocks, sizeof *shocks * (size_t) n_shocks);
    self->n_shocks = n_shocks;
    for (int s = 0; s < n_shocks; s++)
        self->fade [s] = shocks [s].half_life_s > 0? exp (-M_LN2 * step_s / shocks [s].half_life_s): 1;
    self->step_s = step_s;
    self->dt = step_s / S_YEAR_S;
    self->seed = seed ^ S_SEED_SALT;
    sim_vol_reset (self);
    return self;
}

void
sim_vol_destroy (sim_vol_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    sim_vol_t *self = *self_p;
    free (self->cfg);
    free (self->log_level);
    free (self->log_bar);
    free (self->spike);
    free (self);
    *self_p = NULL;
}

void
sim_vol_reset (sim_vol_t *self)
{
    for (int i = 0; i < self->n; i++)
        self->log_level [i] = self->log_bar [i];
    memset (self->spike, 0, sizeof (double) * (size_t) (self->n * SIM_VOL_SHOCKS));
    sim_rng_seed (&self->rng, self->seed);
}

//  True when a shock falls in (t0, t1]: its time, or one of its repeats
static bool
s_shock_due (const sim_vol_shock_t *shock, double t0, double t1)
{
    if (t1 < shock->at_s)
        return false;
    if (shock->every_s <= 0)
        return t0 < shock->at_s;
    //  the last repeat at or before t1
    double last = shock->at_s + floor ((t1 - shock->at_s) / shock->every_s) * shock->every_s;
    return last > t0;
}

void
sim_vol_step (sim_vol_t *self, uint64_t k, const double *shock)
{
    //  only the assets with a surface: a step costs their number, not the
    //  market's (a 200-asset market with two surfaces fast-forwards a day
    //  of steps at start), and the stream's position still depends only on
    //  the step, the set being the config's
    double sq = sqrt (self->dt);
    for (int i = 0; i < self->n; i++) {
        const sim_vol_asset_t *c = &self->cfg [i];
        if (!c->present)
            continue;
        double w = sim_rng_normal (&self->rng);
        double rho = c->spot_corr;
        double e = isfinite (shock [i])? shock [i]: 0;
        self->log_level [i] += c->reversion * (self->log_bar [i] - self->log_level [i]) * self->dt
                             + c->vol_of_vol * sq * (rho * e + sqrt (fmax (1 - rho * rho, 0)) * w);
    }
    double t0 = (double) k * self->step_s, t1 = (double) (k + 1) * self->step_s;
    for (int s = 0; s < self->n_shocks; s++) {
        const sim_vol_shock_t *sh = &self->shocks [s];
        double *spike = &self->spike [s * self->n];
        bool due = s_shock_due (sh, t0, t1);
        for (int i = 0; i < self->n; i++) {
            if (!self->cfg [i].present)
                continue;
            spike [i] *= self->fade [s];
            if (due && (sh->asset < 0 || sh->asset == i))
                spike [i] += log (sh->factor);
        }
    }
    //  the diffusion kept inside the surface's range, so that a long run
    //  cannot drift out
    for (int i = 0; i < self->n; i++)
        self->log_level [i] = fmin (fmax (self->log_level [i], log (SIM_VOL_MIN)), log (SIM_VOL_MAX));
}

//  ln v now: the diffusion and the shocks' parts
static double
s_log_level (const sim_vol_t *self, int asset)
{
    double x = self->log_level [asset];
    for (int s = 0; s < self->n_shocks; s++)
        x += self->spike [s * self->n + asset];
    return fmin (fmax (x, log (SIM_VOL_MIN)), log (SIM_VOL_MAX));
}

bool
sim_vol_has (const sim_vol_t *self, int asset)
{
    return self && asset >= 0 && asset < self->n && self->cfg [asset].present;
}

double
sim_vol_level (const sim_vol_t *self, int asset)
{
    return sim_vol_has (self, asset)? exp (s_log_level (self, asset)): 0;
}

double
sim_vol_iv (const sim_vol_t *self, int asset, double strike, double forward, double t_days,
            double fallback)
{
    if (!sim_vol_has (self, asset) || !(strike > 0) || !(forward > 0) || !isfinite (strike)
    ||  !isfinite (forward) || !isfinite (t_days))
        return fallback;
    const sim_vol_asset_t *c = &self->cfg [asset];
    double m = log (strike / forward);
    double t = fmax (t_days, 1.0 / 24);     //  an hour: the term factor stays finite at expiry
    double iv = exp (s_log_level (self, asset)) * (1 + c->skew * m + c->smile * m * m)
              * pow (t / 30, c->term);
    return isfinite (iv)? fmin (fmax (iv, SIM_VOL_MIN), SIM_VOL_MAX): fallback;
}
