/*  hb_regime: see hb_regime.h. */
#include "hb_regime.h"

#include <assert.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

//  p0 is kept this far from 0 and 1 so that the log-likelihood ratios stay
//  finite (a pair at |rho| 0.9995 has p = 0.99)
#define S_P_MIN         0.01
//  Fisher z of the reference is clamped here (|rho| <= 0.995) so that the
//  alternatives stay distinct from it
#define S_Z_MAX         3.0
//  the LLR constants are recomputed when p0 moved more than this
#define S_P_EPS         1e-4
//  fewest post-change samples whose own ratio is trusted
#define S_POST_MIN      5

//  Zero-mean covariance of two returns with weight max (1/n, 1 - lambda)
typedef struct {
    double   xx, yy, xy;
    uint64_t n;
} s_cov_t;

//  One CUSUM side and the samples since it last stood at 0
typedef struct {
    double   s;
    double   llr1, llr0;        //  increments for b = 1 and b = 0
    uint64_t start;             //  first sample of the run (0: no run)
    uint64_t n_sign, k;         //  signed samples in the run, how many b = 1
    s_cov_t  sums;              //  plain sums over the run (n: samples)
} s_side_t;

struct _hb_regime_t {
    hb_regime_params_t p;
    uint64_t samples;
    double   p0;                //  reference P(b = 1)
    uint64_t ref_n;             //  signed samples in the reference
    double   p0_cached;         //  p0 the LLR constants were computed for
    s_side_t down, up;
    s_cov_t  fast, slow;
    uint64_t alarms;
    int64_t  last_alarm_at;
    uint64_t last_alarm_sample;
    uint64_t change_sample;
    double   alarm_statistic;
    hb_regime_kind_t kind;
    int      hold_left;
};

void
hb_regime_params_default (hb_regime_params_t *params)
{
    *params = (hb_regime_params_t) {
        .threshold   = HB_REGIME_THRESHOLD,
        .shift_z     = HB_REGIME_SHIFT_Z,
        .lambda_ref  = HB_REGIME_LAMBDA_REF,
        .lambda_fast = HB_REGIME_LAMBDA_FAST,
        .lambda_slow = HB_REGIME_LAMBDA_SLOW,
        .warmup      = HB_REGIME_WARMUP,
        .hold        = HB_REGIME_HOLD,
    };
}

static bool
s_unit_open (double value)
{
    return value > 0.0 && value < 1.0;
}

const char *
hb_regime_params_check (const hb_regime_params_t *p)
{
    if (!(p->threshold > 0.0 && p->threshold <= 1000.0))
        return "threshold";
    if (!(p->shift_z > 0.0 && p->shift_z <= 3.0))
        return "shift_z";
    if (!s_unit_open (p->lambda_ref))
        return "lambda_ref";
    if (!s_unit_open (p->lambda_fast))
        return "lambda_fast";
    if (!s_unit_open (p->lambda_slow))
        return "lambda_slow";
    if (p->warmup < 10 || p->warmup > 1000000)
        return "warmup";
    if (p->hold < 1 || p->hold > 1000000)
        return "hold";
    return NULL;
}

hb_regime_t *
hb_regime_new (const hb_regime_params_t *params)
{
    hb_regime_params_t defaults;
    if (!params) {
        hb_regime_params_default (&defaults);
        params = &defaults;
    }
    if (hb_regime_params_check (params)) {
        errno = EINVAL;
        return NULL;
    }
    hb_regime_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->p = *params;
    hb_regime_reset (self);
    return self;
}

void
hb_regime_destroy (hb_regime_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    free (*self_p);
    *self_p = NULL;
}

void
hb_regime_reset (hb_regime_t *self)
{
    hb_regime_params_t p = self->p;
    memset (self, 0, sizeof *self);
    self->p = p;
    self->p0 = 0.5;
    self->p0_cached = -1.0;     //  forces the first computation
}

//  P(b = 1) of an elliptical pair with correlation rho, and back
static double
s_p_of_rho (double rho)
{
    return 0.5 + asin (rho > 1.0? 1.0: rho < -1.0? -1.0: rho) / M_PI;
}

static double
s_rho_of_p (double p)
{
    return sin (M_PI * (p - 0.5));
}

static double
s_clamp_p (double p)
{
    return p < S_P_MIN? S_P_MIN: p > 1.0 - S_P_MIN? 1.0 - S_P_MIN: p;
}

static void
s_side_llr (s_side_t *side, double p0, double p1)
{
    p1 = s_clamp_p (p1);
    side->llr1 = log (p1 / p0);
    side->llr0 = log ((1.0 - p1) / (1.0 - p0));
}

//  The two alternatives around the current reference
static void
s_refresh_llr (hb_regime_t *self)
{
    if (fabs (self->p0 - self->p0_cached) <= S_P_EPS)
        return;
    double p0 = s_clamp_p (self->p0);
    double z = atanh (fmax (-0.9999, fmin (0.9999, s_rho_of_p (p0))));
    z = fmax (-S_Z_MAX, fmin (S_Z_MAX, z));
    s_side_llr (&self->down, p0, s_p_of_rho (tanh (z - self->p.shift_z)));
    s_side_llr (&self->up, p0, s_p_of_rho (tanh (z + self->p.shift_z)));
    self->p0_cached = self->p0;
}

static void
s_cov_ewma (s_cov_t *cov, double lambda, double x, double y)
{
    cov->n++;
    double w = 1.0 / (double) cov->n;
    if (w < 1.0 - lambda)
        w = 1.0 - lambda;
    cov->xx += w * (x * x - cov->xx);
    cov->yy += w * (y * y - cov->yy);
    cov->xy += w * (x * y - cov->xy);
}

static double
s_corr (const s_cov_t *cov)
{
    if (!(cov->xx > 0.0 && cov->yy > 0.0))
        return 0.0;
    double c = cov->xy / sqrt (cov->xx * cov->yy);
    return c > 1.0? 1.0: c < -1.0? -1.0: c;
}

//  Minimum-variance ratio of the target (x) on the proxy (y)
static double
s_ratio (const s_cov_t *cov)
{
    return cov->yy > 0.0? cov->xy / cov->yy: 0.0;
}

static void
s_side_clear (s_side_t *side)
{
    side->s = 0.0;
    side->start = 0;
    side->n_sign = side->k = 0;
    memset (&side->sums, 0, sizeof side->sums);
}

//  One CUSUM step; sign < 0: no sign in this sample (a zero return)
static void
s_side_step (s_side_t *side, uint64_t sample, int sign, double x, double y)
{
    if (sign >= 0) {
        double s = side->s + (sign? side->llr1: side->llr0);
        if (s <= 0.0) {
            s_side_clear (side);
            return;
        }
        if (side->start == 0)
            side->start = sample;
        side->s = s;
        side->n_sign++;
        side->k += (uint64_t) sign;
    }
    if (side->start == 0)
        return;
    side->sums.n++;
    side->sums.xx += x * x;
    side->sums.yy += y * y;
    side->sums.xy += x * y;
}

//  The ratio over a side's run, or the fast one when the run is short
static double
s_post_ratio (const hb_regime_t *self, const s_side_t *side)
{
    if (side->sums.n >= S_POST_MIN && side->sums.yy > 0.0)
        return side->sums.xy / side->sums.yy;
    return s_ratio (&self->fast);
}

static void
s_alarm (hb_regime_t *self, s_side_t *side, hb_regime_kind_t kind, int64_t at)
{
    self->alarms++;
    self->kind = kind;
    self->last_alarm_at = at;
    self->last_alarm_sample = self->samples;
    self->change_sample = side->start;
    self->alarm_statistic = side->s;
    //  the reference restarts from the post-change signs (Laplace's rule:
    //  a short run of all b = 1 must not put p0 at 1)
    self->p0 = ((double) side->k + 1.0) / ((double) side->n_sign + 2.0);
    self->ref_n = side->n_sign;
    //  and the slow covariance from the post-change returns, as if it had
    //  seen only them
    if (side->sums.n >= S_POST_MIN && side->sums.yy > 0.0 && side->sums.xx > 0.0) {
        double n = (double) side->sums.n;
        self->slow = (s_cov_t) { side->sums.xx / n, side->sums.yy / n, side->sums.xy / n,
                                 side->sums.n };
    }
    else
        self->slow = self->fast;
    s_side_clear (&self->down);
    s_side_clear (&self->up);
    self->hold_left = self->p.hold;
}

int
hb_regime_update (hb_regime_t *self, double x, double y, int64_t at)
{
    if (!isfinite (x) || !isfinite (y)) {
        errno = EINVAL;
        return -1;
    }
    self->samples++;
    if (self->hold_left > 0)
        self->hold_left--;
    s_cov_ewma (&self->fast, self->p.lambda_fast, x, y);
    s_cov_ewma (&self->slow, self->p.lambda_slow, x, y);

    double product = x * y;
    int sign = product > 0.0? 1: product < 0.0? 0: -1;
    s_refresh_llr (self);
    s_side_step (&self->down, self->samples, sign, x, y);
    s_side_step (&self->up, self->samples, sign, x, y);

    double half = self->p.threshold / 2.0;
    bool armed = self->ref_n >= (uint64_t) self->p.warmup;
    if (!armed) {
        //  against a reference still being learnt the statistics mean
        //  nothing: they start from 0 when it is ready
        s_side_clear (&self->down);
        s_side_clear (&self->up);
    }
    if (armed && self->down.s >= self->p.threshold && self->down.s >= self->up.s) {
        s_alarm (self, &self->down, HB_REGIME_CORR_DOWN, at);
        return 1;
    }
    if (armed && self->up.s >= self->p.threshold) {
        s_alarm (self, &self->up, HB_REGIME_CORR_UP, at);
        return 1;
    }
    //  the reference learns only while no change is building up, and
    //  before it is armed (a statistic over a noisy early reference must
    //  not freeze it)
    if (sign >= 0 && (!armed || (self->down.s < half && self->up.s < half))) {
        self->ref_n++;
        double w = 1.0 / (double) self->ref_n;
        if (w < 1.0 - self->p.lambda_ref)
            w = 1.0 - self->p.lambda_ref;
        self->p0 += w * ((double) sign - self->p0);
    }
    return 0;
}

//  The layout of hb_regime_saved_t (version 1): counters, then reals
static void
s_save_side (const s_side_t *side, uint64_t **u, double **f)
{
    *(*u)++ = side->start;
    *(*u)++ = side->n_sign;
    *(*u)++ = side->k;
    *(*u)++ = side->sums.n;
    *(*f)++ = side->s;
    *(*f)++ = side->sums.xx;
    *(*f)++ = side->sums.yy;
    *(*f)++ = side->sums.xy;
}

static void
s_save_cov (const s_cov_t *cov, uint64_t **u, double **f)
{
    *(*u)++ = cov->n;
    *(*f)++ = cov->xx;
    *(*f)++ = cov->yy;
    *(*f)++ = cov->xy;
}

void
hb_regime_save (const hb_regime_t *self, hb_regime_saved_t *out)
{
    uint64_t *u = out->u;
    double *f = out->f;
    *u++ = self->samples;
    *u++ = self->ref_n;
    *u++ = self->alarms;
    *u++ = (uint64_t) self->last_alarm_at;
    *u++ = self->last_alarm_sample;
    *u++ = self->change_sample;
    *u++ = (uint64_t) self->kind;
    *u++ = (uint64_t) self->hold_left;
    *f++ = self->p0;
    *f++ = self->alarm_statistic;
    s_save_side (&self->down, &u, &f);
    s_save_side (&self->up, &u, &f);
    s_save_cov (&self->fast, &u, &f);
    s_save_cov (&self->slow, &u, &f);
    assert (u == out->u + HB_REGIME_SAVED_U64 && f == out->f + HB_REGIME_SAVED_F64);
}

static void
s_load_side (s_side_t *side, const uint64_t **u, const double **f)
{
    side->start = *(*u)++;
    side->n_sign = *(*u)++;
    side->k = *(*u)++;
    side->sums.n = *(*u)++;
    side->s = *(*f)++;
    side->sums.xx = *(*f)++;
    side->sums.yy = *(*f)++;
    side->sums.xy = *(*f)++;
}

static void
s_load_cov (s_cov_t *cov, const uint64_t **u, const double **f)
{
    cov->n = *(*u)++;
    cov->xx = *(*f)++;
    cov->yy = *(*f)++;
    cov->xy = *(*f)++;
}

static bool
s_side_valid (const s_side_t *side, uint64_t samples)
{
    return side->s >= 0.0 && side->start <= samples && side->k <= side->n_sign
        && side->n_sign <= side->sums.n && side->sums.n <= samples
        && (side->start > 0 || (side->s == 0.0 && side->sums.n == 0))
        && side->sums.xx >= 0.0 && side->sums.yy >= 0.0;
}

static bool
s_cov_valid (const s_cov_t *cov, uint64_t samples)
{
    return cov->n <= samples && cov->xx >= 0.0 && cov->yy >= 0.0;
}

int
hb_regime_load (hb_regime_t *self, const hb_regime_saved_t *in)
{
    for (int i = 0; i < HB_REGIME_SAVED_F64; i++)
        if (!isfinite (in->f [i])) {
            errno = EINVAL;
            return -1;
        }
    hb_regime_t next = *self;
    const uint64_t *u = in->u;
    const double *f = in->f;
    next.samples = *u++;
    next.ref_n = *u++;
    next.alarms = *u++;
    next.last_alarm_at = (int64_t) *u++;
    next.last_alarm_sample = *u++;
    next.change_sample = *u++;
    uint64_t kind = *u++, hold_left = *u++;
    next.p0 = *f++;
    next.alarm_statistic = *f++;
    s_load_side (&next.down, &u, &f);
    s_load_side (&next.up, &u, &f);
    s_load_cov (&next.fast, &u, &f);
    s_load_cov (&next.slow, &u, &f);
    if (kind > HB_REGIME_CORR_UP || hold_left > (uint64_t) self->p.hold
    ||  !(next.p0 >= 0.0 && next.p0 <= 1.0) || next.alarm_statistic < 0.0
    ||  next.alarms > next.samples || next.last_alarm_sample > next.samples
    ||  next.change_sample > next.samples || next.ref_n > next.samples
    ||  !s_side_valid (&next.down, next.samples) || !s_side_valid (&next.up, next.samples)
    ||  !s_cov_valid (&next.fast, next.samples) || !s_cov_valid (&next.slow, next.samples)) {
        errno = EINVAL;
        return -1;
    }
    next.kind = (hb_regime_kind_t) kind;
    next.hold_left = (int) hold_left;
    next.p0_cached = -1.0;      //  the LLR constants follow from p0
    *self = next;
    return 0;
}

void
hb_regime_view (const hb_regime_t *self, hb_regime_view_t *view)
{
    const s_side_t *lead = self->down.s >= self->up.s? &self->down: &self->up;
    double half = self->p.threshold / 2.0;
    memset (view, 0, sizeof *view);
    view->statistic = lead->s;
    view->evidence = lead->s / self->p.threshold;
    view->state = self->hold_left > 0? HB_REGIME_SHIFTED
                : lead->s >= half? HB_REGIME_SHIFTING: HB_REGIME_STABLE;
    view->kind = view->state == HB_REGIME_SHIFTING
               ? (lead == &self->down? HB_REGIME_CORR_DOWN: HB_REGIME_CORR_UP)
               : self->kind;
    view->samples = self->samples;
    view->alarms = self->alarms;
    view->last_alarm_at = self->last_alarm_at;
    view->last_alarm_sample = self->last_alarm_sample;
    view->change_sample = self->change_sample;
    view->alarm_statistic = self->alarm_statistic;
    view->corr_ref = s_rho_of_p (self->p0);
    view->corr_fast = s_corr (&self->fast);
    view->corr_slow = s_corr (&self->slow);
    view->ratio_fast = s_ratio (&self->fast);
    view->ratio_slow = s_ratio (&self->slow);
    //  evidence-weighted move to the post-change ratio over the upper half
    //  of the threshold (under half, stationary noise must not move it)
    double w = (lead->s - half) / half;
    w = w < 0.0? 0.0: w > 1.0? 1.0: w;
    view->ratio_post = s_post_ratio (self, lead);
    view->ratio = (1.0 - w) * view->ratio_slow + w * view->ratio_post;
}

double
hb_regime_break_weight (const hb_regime_view_t *view)
{
    if (view->state == HB_REGIME_SHIFTED)
        return 1.0;
    if (view->state == HB_REGIME_STABLE)
        return 0.0;
    double w = 2.0 * view->evidence - 1.0;
    return w < 0.0? 0.0: w > 1.0? 1.0: w;
}

double
hb_regime_hedge_ratio (const hb_regime_view_t *view, double base)
{
    //  after the alarm the slow covariance holds the post-change samples
    //  only: it is the model of the new regime and goes on learning
    if (view->state == HB_REGIME_SHIFTED)
        return view->ratio_slow;
    double w = hb_regime_break_weight (view);
    return w > 0.0? base + w * (view->ratio_post - base): base;
}

bool
hb_regime_proxy_dropped (const hb_regime_view_t *view, double floor, bool was, double *corr)
{
    //  the reference while stable: a dip of the fast one on noise is
    //  common (a true 0.8 under 0.3 once in about 1,500 samples at lambda
    //  0.9); the fast one alone crosses 0.4 on a true 0 about one sample
    //  in twenty, hence both to come back
    double judged = view->state == HB_REGIME_STABLE? view->corr_ref: view->corr_fast;
    if (corr)
        *corr = judged;
    if (fabs (judged) < floor)
        return true;
    if (fabs (view->corr_fast) >= floor + HB_REGIME_FLOOR_MARGIN
    &&  fabs (view->corr_ref) >= floor + HB_REGIME_FLOOR_MARGIN)
        return false;
    return was;
}

const char *
hb_regime_state_name (hb_regime_state_t state)
{
    return state == HB_REGIME_SHIFTED? "shifted": state == HB_REGIME_SHIFTING? "shifting": "stable";
}

const char *
hb_regime_kind_name (hb_regime_kind_t kind)
{
    return kind == HB_REGIME_CORR_DOWN? "corr_down": kind == HB_REGIME_CORR_UP? "corr_up": "none";
}
