/*  hb_hedge: see hb_hedge.h. */
#include "hb_hedge.h"
#include "hb_linalg.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define S_MAX_ASSETS    1024
#define S_RIDGE_FIRST   1e-8
#define S_RIDGE_LAST    1e-2
#define S_PSD_TOL       1e-12       //  on the scaled matrix (unit mean variance)

struct _hb_hedge_t {
    int     n;
    int    *index;      //  k-th hedgeable asset
    double *a;          //  Σ_HH scaled (and ridged), |H| x |H|, stride n
    double *l;          //  its Cholesky factor
    double *b;          //  Σ_HN e_N scaled
    double *x;          //  solution
    double *res;        //  e + h (the saved diagonal while factoring)
    //  what the last factor was made of (hb_hedge_plan_same_cov)
    bool   *cached_h;   //  its H
    bool    cached;     //  l, scale, ridge, rc hold a factor of the last plan's Σ_HH
    int     cached_rc;  //  0: l usable; -1: not PSD even with the largest ridge
    double  cached_scale;
    double  cached_ridge;
};

hb_hedge_t *
hb_hedge_new (int n)
{
    if (n < 1 || n > S_MAX_ASSETS) {
        errno = EINVAL;
        return NULL;
    }
    hb_hedge_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    size_t nn = (size_t) n * (size_t) n;
    self->n = n;
    self->index = calloc ((size_t) n, sizeof *self->index);
    self->a = calloc (nn, sizeof *self->a);
    self->l = calloc (nn, sizeof *self->l);
    self->b = calloc ((size_t) n, sizeof *self->b);
    self->x = calloc ((size_t) n, sizeof *self->x);
    self->res = calloc ((size_t) n, sizeof *self->res);
    self->cached_h = calloc ((size_t) n, sizeof *self->cached_h);
    if (!self->index || !self->a || !self->l || !self->b || !self->x || !self->res
    ||  !self->cached_h)
        hb_hedge_destroy (&self);
    return self;
}

void
hb_hedge_destroy (hb_hedge_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    hb_hedge_t *self = *self_p;
    free (self->index);
    free (self->a);
    free (self->l);
    free (self->b);
    free (self->x);
    free (self->res);
    free (self->cached_h);
    free (self);
    *self_p = NULL;
}

//  vᵀ Σ v, never negative (rounding on a PSD matrix can dip below zero)
static double
s_quad (const double *cov, size_t stride, int n, const double *v)
{
    double sum = 0.0;
    for (int i = 0; i < n; i++) {
        if (v [i] == 0.0)
            continue;
        double row = 0.0;
        for (int j = 0; j < n; j++)
            row += cov [i * stride + j] * v [j];
        sum += v [i] * row;
    }
    return sum > 0.0? sum: 0.0;
}

//  Factors self->a (m x m) plus ridge·I into self->l; 0 when the factor is
//  usable (every pivot positive, condition acceptable)
static int
s_factor (hb_hedge_t *self, int m, double ridge)
{
    size_t stride = (size_t) self->n;
    //  the diagonal is saved and put back exactly, so retries do not drift
    double *diag = self->res;
    for (int k = 0; k < m; k++) {
        diag [k] = self->a [k * stride + k];
        self->a [k * stride + k] = diag [k] + ridge;
    }
    int rc = hb_cholesky_psd (self->a, self->l, m, stride, S_PSD_TOL, NULL);
    for (int k = 0; k < m; k++)
        self->a [k * stride + k] = diag [k];
    if (rc != 0)
        return -1;
    double lo = INFINITY, hi = 0.0;
    for (int k = 0; k < m; k++) {
        double d = self->l [k * stride + k];
        lo = d < lo? d: lo;
        hi = d > hi? d: hi;
    }
    if (!(lo > 0.0) || (lo * lo) / (hi * hi) < HB_HEDGE_RCOND)
        return -1;
    return 0;
}

//  The plan, factoring Σ_HH anew unless reuse (then l, scale, ridge and
//  the factor's outcome are those of the previous call: same Σ, same H)
static int
s_plan (hb_hedge_t *self, const double *cov, size_t stride,
        const double *exposure, const bool *hedgeable, bool reuse,
        double *hedge, double *residual, hb_hedge_result_t *result)
{
    int n = self->n, m = 0;
    size_t ws = (size_t) n;
    hb_hedge_result_t out = {0};
    memset (hedge, 0, (size_t) n * sizeof *hedge);
    if (residual)
        memset (residual, 0, (size_t) n * sizeof *residual);

    //  a reused factor was made from a finite Σ: only e can be new
    bool finite = true;
    for (int i = 0; i < n && finite; i++) {
        finite = isfinite (exposure [i]);
        for (int j = 0; j < n && finite && !reuse; j++)
            finite = isfinite (cov [i * stride + j]);
    }
    if (!finite) {
        if (!reuse)
            self->cached = false;
        if (result)
            *result = out;
        return -1;
    }
    out.unhedged_sigma = sqrt (s_quad (cov, stride, n, exposure));
    for (int i = 0; i < n; i++)
        if (hedgeable [i])
            self->index [m++] = i;
    out.hedged = m;

    //  Σ_HH and Σ_HN e_N, scaled by the mean variance of H so that the
    //  tolerances and the ridge do not depend on the sampling interval
    double scale;
    if (reuse)
        scale = self->cached_scale;
    else {
        double trace = 0.0;
        for (int k = 0; k < m; k++)
            trace += cov [self->index [k] * stride + self->index [k]];
        scale = m > 0? trace / m: 0.0;
    }
    int rc = 0;
    if (scale > 0.0) {
        for (int k = 0; k < m; k++) {
            const double *row = cov + self->index [k] * stride;
            if (!reuse)
                for (int q = 0; q < m; q++)
                    self->a [k * ws + q] = row [self->index [q]] / scale;
            double s = 0.0;
            for (int j = 0; j < n; j++)
                if (!hedgeable [j])
                    s += row [j] * exposure [j];
            self->b [k] = s / scale;
        }
        double ridge = 0.0;
        if (reuse) {
            ridge = self->cached_ridge;
            rc = self->cached_rc;
        }
        else {
            rc = s_factor (self, m, 0.0);
            while (rc != 0 && ridge < S_RIDGE_LAST) {
                ridge = ridge == 0.0? S_RIDGE_FIRST: ridge * 10.0;
                rc = s_factor (self, m, ridge);
            }
        }
        if (rc == 0) {
            out.ridge = ridge * scale;
            hb_cholesky_solve (self->l, m, ws, self->b, self->x);
        }
        if (!reuse) {
            self->cached_ridge = ridge;
            self->cached_rc = rc;
        }
    }
    else
        //  every hedge asset has zero variance: nothing can proxy anything
        for (int k = 0; k < m; k++)
            self->x [k] = 0.0;
    if (!reuse) {
        self->cached = true;
        self->cached_scale = scale;
        if (!(scale > 0.0))
            self->cached_rc = 0;
        memcpy (self->cached_h, hedgeable, (size_t) n * sizeof *hedgeable);
    }
    if (rc != 0) {
        out.hedged = 0;
        if (result)
            *result = out;
        return -1;
    }
    for (int i = 0; i < n; i++)
        self->res [i] = hedgeable [i]? 0.0: exposure [i];
    for (int k = 0; k < m; k++) {
        int i = self->index [k];
        hedge [i] = -exposure [i] - self->x [k];
        self->res [i] = -self->x [k];
    }
    double resid_var = s_quad (cov, stride, n, self->res);
    double unhedged_var = out.unhedged_sigma * out.unhedged_sigma;
    out.residual_sigma = sqrt (resid_var);
    out.effectiveness = unhedged_var > 0.0? 1.0 - resid_var / unhedged_var: 0.0;
    if (residual)
        memcpy (residual, self->res, (size_t) n * sizeof *residual);
    if (result)
        *result = out;
    return 0;
}

int
hb_hedge_plan (hb_hedge_t *self, const double *cov, size_t stride,
               const double *exposure, const bool *hedgeable,
               double *hedge, double *residual, hb_hedge_result_t *result)
{
    return s_plan (self, cov, stride, exposure, hedgeable, false, hedge, residual, result);
}

int
hb_hedge_plan_same_cov (hb_hedge_t *self, const double *cov, size_t stride,
                        const double *exposure, const bool *hedgeable,
                        double *hedge, double *residual, hb_hedge_result_t *result)
{
    bool reuse = self->cached
              && memcmp (self->cached_h, hedgeable, (size_t) self->n * sizeof *hedgeable) == 0;
    return s_plan (self, cov, stride, exposure, hedgeable, reuse, hedge, residual, result);
}
