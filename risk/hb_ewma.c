/*  hb_ewma: see hb_ewma.h. */
#include "hb_ewma.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

struct _hb_ewma_t {
    int       n;
    double    lambda;
    double   *cov;          //  n x n, symmetric, both halves kept
    uint64_t *obs;          //  per asset: samples present
    bool     *use;          //  per asset: present in the current sample
    uint64_t  samples;
};

hb_ewma_t *
hb_ewma_new (int n, double lambda)
{
    if (n < 1 || n > HB_EWMA_MAX_ASSETS || !(lambda > 0.0 && lambda < 1.0)) {
        errno = EINVAL;
        return NULL;
    }
    hb_ewma_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->n = n;
    self->lambda = lambda;
    self->cov = calloc ((size_t) n * (size_t) n, sizeof *self->cov);
    self->obs = calloc ((size_t) n, sizeof *self->obs);
    self->use = calloc ((size_t) n, sizeof *self->use);
    if (!self->cov || !self->obs || !self->use)
        hb_ewma_destroy (&self);
    return self;
}

void
hb_ewma_destroy (hb_ewma_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    hb_ewma_t *self = *self_p;
    free (self->cov);
    free (self->obs);
    free (self->use);
    free (self);
    *self_p = NULL;
}

void
hb_ewma_reset (hb_ewma_t *self)
{
    size_t n = (size_t) self->n;
    for (size_t i = 0; i < n * n; i++)
        self->cov [i] = 0.0;
    for (size_t i = 0; i < n; i++)
        self->obs [i] = 0;
    self->samples = 0;
}

int
hb_ewma_load (hb_ewma_t *self, const double *cov, const uint64_t *obs, uint64_t samples)
{
    size_t n = (size_t) self->n;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            double v = cov [i * n + j];
            if (!isfinite (v) || v != cov [j * n + i] || (i == j && v < 0)) {
                errno = EINVAL;
                return -1;
            }
        }
    memcpy (self->cov, cov, n * n * sizeof *self->cov);
    memcpy (self->obs, obs, n * sizeof *self->obs);
    self->samples = samples;
    return 0;
}

int
hb_ewma_update (hb_ewma_t *self, const double *r, const bool *present)
{
    int n = self->n, rc = 0;
    double lambda = self->lambda, w = 1.0 - lambda;
    for (int i = 0; i < n; i++) {
        self->use [i] = !present || present [i];
        if (self->use [i] && !isfinite (r [i])) {
            self->use [i] = false;
            rc = -1;
        }
    }
    for (int i = 0; i < n; i++) {
        double *row = self->cov + (size_t) i * n;
        bool seeded_i = self->obs [i] > 0;
        for (int j = 0; j <= i; j++) {
            bool seeded_j = self->obs [j] > 0;
            double v = row [j];
            if (self->use [i] && self->use [j]) {
                if (seeded_i && seeded_j)
                    v = lambda * v + w * r [i] * r [j];
                else
                if (!seeded_i && !seeded_j)
                    v = r [i] * r [j];      //  first sample of both: seed
                else
                    v = 0.0;                //  one newcomer: no cross term
            }
            else
            if (self->use [i] != self->use [j])
                v *= lambda;
            row [j] = v;
            self->cov [(size_t) j * n + i] = v;
        }
    }
    for (int i = 0; i < n; i++)
        if (self->use [i])
            self->obs [i]++;
    self->samples++;
    return rc;
}

const double *
hb_ewma_cov (const hb_ewma_t *self)
{
    return self->cov;
}

int
hb_ewma_size (const hb_ewma_t *self)
{
    return self->n;
}

double
hb_ewma_lambda (const hb_ewma_t *self)
{
    return self->lambda;
}

uint64_t
hb_ewma_samples (const hb_ewma_t *self)
{
    return self->samples;
}

uint64_t
hb_ewma_observations (const hb_ewma_t *self, int i)
{
    return i >= 0 && i < self->n? self->obs [i]: 0;
}

double
hb_ewma_covariance (const hb_ewma_t *self, int i, int j)
{
    return self->cov [(size_t) i * self->n + j];
}

double
hb_ewma_corr (const hb_ewma_t *self, int i, int j)
{
    double vi = hb_ewma_covariance (self, i, i);
    double vj = hb_ewma_covariance (self, j, j);
    if (!(vi > 0.0 && vj > 0.0))
        return 0.0;
    if (i == j)
        return 1.0;
    double c = hb_ewma_covariance (self, i, j) / sqrt (vi * vj);
    return c > 1.0? 1.0: c < -1.0? -1.0: c;
}

void
hb_ewma_corr_matrix (const hb_ewma_t *self, double *out)
{
    int n = self->n;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
            out [(size_t) i * n + j] = hb_ewma_corr (self, i, j);
}

double
hb_ewma_vol (const hb_ewma_t *self, int i)
{
    double v = hb_ewma_covariance (self, i, i);
    return v > 0.0? sqrt (v): 0.0;
}

double
hb_ewma_vol_annual (const hb_ewma_t *self, int i, double interval_s)
{
    if (!(interval_s > 0.0) || !isfinite (interval_s))
        return 0.0;
    return hb_ewma_vol (self, i) * sqrt (HB_EWMA_YEAR_S / interval_s);
}

double
hb_ewma_half_life (double lambda)
{
    return log (0.5) / log (lambda);
}
