/*  hb_simpair: see hb_simpair.h. */
#include "hb_simpair.h"

#include <math.h>
#include <string.h>

#define S_OMEGA 0.05
#define S_ALPHA 0.10
#define S_BETA  0.85

void
hb_simpair_init (hb_simpair_t *self, uint64_t seed, const hb_simpair_cfg_t *cfg)
{
    memset (self, 0, sizeof *self);
    self->state = seed;
    self->cfg = *cfg;
    self->h_x = self->h_y = 1.0;
    if (!(self->cfg.vol_x > 0.0))
        self->cfg.vol_x = 1.0;
    if (!(self->cfg.vol_y > 0.0))
        self->cfg.vol_y = 1.0;
}

void
hb_simpair_set_rho (hb_simpair_t *self, double rho)
{
    self->cfg.rho = rho;
}

void
hb_simpair_set_vol (hb_simpair_t *self, double vol_x, double vol_y)
{
    self->cfg.vol_x = vol_x;
    self->cfg.vol_y = vol_y;
}

//  splitmix64
static uint64_t
s_next (hb_simpair_t *self)
{
    uint64_t z = (self->state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

double
hb_simpair_uniform (hb_simpair_t *self)
{
    return ((double) (s_next (self) >> 11) + 0.5) / 9007199254740992.0;
}

double
hb_simpair_normal (hb_simpair_t *self)
{
    if (self->spare_ok) {
        self->spare_ok = false;
        return self->spare;
    }
    double r = sqrt (-2.0 * log (hb_simpair_uniform (self)));
    double a = 2.0 * M_PI * hb_simpair_uniform (self);
    self->spare = r * sin (a);
    self->spare_ok = true;
    return r * cos (a);
}

void
hb_simpair_next (hb_simpair_t *self, double *x, double *y)
{
    double rho = self->cfg.rho;
    double z1 = hb_simpair_normal (self), z2 = hb_simpair_normal (self);
    double u = z1, v = rho * z1 + sqrt (fmax (0.0, 1.0 - rho * rho)) * z2;
    if (self->cfg.nu > 2.0) {
        //  chi-square with nu degrees (integer part) from normals, one for
        //  both: a bivariate t, scaled to unit variance
        int nu = (int) self->cfg.nu;
        double chi = 0.0;
        for (int i = 0; i < nu; i++) {
            double g = hb_simpair_normal (self);
            chi += g * g;
        }
        double scale = sqrt ((nu - 2.0) / chi);
        u *= scale;
        v *= scale;
    }
    if (self->cfg.garch) {
        self->h_x = S_OMEGA + S_ALPHA * self->e_x * self->e_x + S_BETA * self->h_x;
        self->h_y = S_OMEGA + S_ALPHA * self->e_y * self->e_y + S_BETA * self->h_y;
        u *= sqrt (self->h_x);
        v *= sqrt (self->h_y);
        self->e_x = u;
        self->e_y = v;
    }
    *x = u * self->cfg.vol_x;
    *y = v * self->cfg.vol_y;
}
