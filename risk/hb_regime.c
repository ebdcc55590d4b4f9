/*  hb_regime: see hb_regime.h. */
#include "hb_regime.h"

#include <assert.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

//  the alternatives' constants are recomputed when the reference moved
//  more than this
#define S_RHO_EPS       1e-4
//  fewest post-change samples whose own ratio is trusted
#define S_POST_MIN      5
//  Each return is standardized by its asset's GARCH-like variance forecast
//  h = (1 - A - B) v + A min (r^2, CLIP h) + B h, v the asset's long-run
//  variance (an EWMA of LAMBDA_LR, a plain mean at first), used from
//  VOL_MIN samples on: it follows volatility clustering where an EWMA
//  lags, and one outlier moves it at most CLIP times. The angle's law
//  depends on the ratio of the two scales only, so the ratio's error is
//  what matters (docs/RISK.md, Correlation regimes).
#define S_VOL_A         0.10
#define S_VOL_B         0.85
#define S_VOL_CLIP      25.0
#define S_LAMBDA_LR     0.995
#define S_VOL_MIN       20
//  The recommended ratio leaves the slow one for the post-change one from
//  this evidence on (docs/RISK.md, Correlation regimes, Hedge ratio)
#define S_MOVE_FROM     0.25
//  A shifting pair's proxy is judged on its fast correlation from this
//  evidence on (hb_regime_proxy_dropped)
#define S_JUDGE_FAST    0.75
//  The reference and the alternatives stay this far from +-1
#define S_RHO_MAX       0.995

//  Zero-mean covariance of two returns with weight max (1/n, 1 - lambda)
typedef struct {
    double   xx, yy, xy;
    uint64_t n;
} s_cov_t;

//  One CUSUM side (an alternative correlation) and the samples since it
//  last stood at 0
typedef struct {
    double   s;
    double   alt;               //  the alternative correlation
    double   llr0;              //  the constant half of the log-likelihood ratio
    uint64_t start;             //  first sample of the run (0: no run)
    s_cov_t  sums;              //  plain sums of the returns over the run (n: samples)
    uint64_t cn;                //  samples of the run with an angle statistic,
    double   csum;              //  and the sum of it
} s_side_t;

struct _hb_regime_t {
    hb_regime_params_t p;
    uint64_t samples;
    //  each asset's variance forecast and long-run variance
    double   h_x, h_y, lr_x, lr_y;
    uint64_t vol_n;
    //  the reference: mean of the angle statistic c, its samples
    double   m_ref;
    uint64_t m_n;
    double   rho_cached;        //  reference correlation the constants are for
    s_side_t side [HB_REGIME_SIDES];    //  even: down, odd: up; i / 2: the move
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
    self->rho_cached = -2.0;    //  forces the first computation
}

//  The correlation of an angular central Gaussian law whose mean angle
//  statistic is m: E [c] = (1 - sqrt (1 - rho^2)) / rho, inverted
static double
s_rho_of_m (double m)
{
    double rho = 2.0 * m / (1.0 + m * m);
    return fmax (-S_RHO_MAX, fmin (S_RHO_MAX, rho));
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
    memset (&side->sums, 0, sizeof side->sums);
    side->cn = 0;
    side->csum = 0.0;
}

//  One CUSUM step with the increment llr, when scored (else the sample
//  only joins an ongoing run); c: the sample's angle statistic when has_c
static void
s_side_step (s_side_t *side, uint64_t sample, bool scored, double llr,
             double x, double y, bool has_c, double c)
{
    if (scored) {
        double s = side->s + llr;
        if (s <= 0.0) {
            s_side_clear (side);
            return;
        }
        if (side->start == 0)
            side->start = sample;
        side->s = s;
    }
    if (side->start == 0)
        return;
    side->sums.n++;
    side->sums.xx += x * x;
    side->sums.yy += y * y;
    side->sums.xy += x * y;
    if (has_c) {
        side->cn++;
        side->csum += c;
    }
}

//  The ratio over a side's run, or the fast one when the run is short
static double
s_post_ratio (const hb_regime_t *self, const s_side_t *side)
{
    if (side->sums.n >= S_POST_MIN && side->sums.yy > 0.0)
        return side->sums.xy / side->sums.yy;
    return s_ratio (&self->fast);
}

//  The side with the highest statistic (the first of equals)
static const s_side_t *
s_lead (const hb_regime_t *self)
{
    const s_side_t *lead = &self->side [0];
    for (int i = 1; i < HB_REGIME_SIDES; i++)
        if (self->side [i].s > lead->s)
            lead = &self->side [i];
    return lead;
}

static hb_regime_kind_t
s_side_kind (const hb_regime_t *self, const s_side_t *side)
{
    return (side - self->side) % 2 == 0? HB_REGIME_CORR_DOWN: HB_REGIME_CORR_UP;
}

//  The alternatives around the reference correlation rho: moved down and
//  up by shift_z times 1, 2, .. in atanh units, kept within S_RHO_MAX (a
//  reference at it, a pair moving as one, has no alternative beyond it)
static void
s_refresh_sides (hb_regime_t *self, double rho)
{
    if (fabs (rho - self->rho_cached) <= S_RHO_EPS)
        return;
    double z = atanh (rho);
    for (int i = 0; i < HB_REGIME_SIDES; i++) {
        s_side_t *side = &self->side [i];
        double shift = self->p.shift_z * (double) (i / 2 + 1);
        double alt = tanh (i % 2 == 0? z - shift: z + shift);
        side->alt = fmax (-S_RHO_MAX, fmin (S_RHO_MAX, alt));
        side->llr0 = 0.5 * log ((1.0 - side->alt * side->alt) / (1.0 - rho * rho));
    }
    self->rho_cached = rho;
}

//  An asset's variance forecast after this sample
static void
s_vol_step (double *h, double *lr, uint64_t n, double r)
{
    double r2 = r * r;
    double w = 1.0 / (double) n;
    if (w < 1.0 - S_LAMBDA_LR)
        w = 1.0 - S_LAMBDA_LR;
    *lr += w * (r2 - *lr);
    if (n <= S_VOL_MIN)
        *h = *lr;
    else
        *h = (1.0 - S_VOL_A - S_VOL_B) * *lr + S_VOL_A * fmin (r2, S_VOL_CLIP * *h) + S_VOL_B * *h;
}

//  Reference samples before the statistics run: warmup, and a quarter of
//  it after an alarm (the reference restarts from the post-change run,
//  already in the new regime; a full warmup would let it learn a second
//  break while unarmed and never see it)
static uint64_t
s_warmup (const hb_regime_t *self)
{
    uint64_t n = (uint64_t) self->p.warmup;
    return self->alarms? (n + 1) / 2: n;
}

static void
s_alarm (hb_regime_t *self, s_side_t *side, int64_t at)
{
    self->alarms++;
    self->kind = s_side_kind (self, side);
    self->last_alarm_at = at;
    self->last_alarm_sample = self->samples;
    self->change_sample = side->start;
    self->alarm_statistic = side->s;
    //  the reference restarts from the samples after the alarm (a plain
    //  mean): the run's own may begin before the change, and a reference
    //  leaning to the old regime would alarm again on the same break
    self->m_n = 0;
    self->m_ref = 0.0;
    //  and the slow covariance from the post-change returns, as if it had
    //  seen only them
    if (side->sums.n >= S_POST_MIN && side->sums.yy > 0.0 && side->sums.xx > 0.0) {
        double n = (double) side->sums.n;
        self->slow = (s_cov_t) { side->sums.xx / n, side->sums.yy / n, side->sums.xy / n,
                                 side->sums.n };
    }
    else
        self->slow = self->fast;
    for (int i = 0; i < HB_REGIME_SIDES; i++)
        s_side_clear (&self->side [i]);
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

    //  the angle statistic of the returns over the variance forecasts made
    //  before this sample: c = sin 2 theta of the standardized pair (none
    //  when a return is 0)
    bool has_c = x != 0.0 && y != 0.0 && self->vol_n >= S_VOL_MIN
              && self->h_x > 0.0 && self->h_y > 0.0;
    double c = 0.0;
    if (has_c) {
        double u = x / sqrt (self->h_x), v = y / sqrt (self->h_y);
        c = 2.0 * u * v / (u * u + v * v);
    }
    self->vol_n++;
    s_vol_step (&self->h_x, &self->lr_x, self->vol_n, x);
    s_vol_step (&self->h_y, &self->lr_y, self->vol_n, y);

    //  the angle's log-likelihood under the angular central Gaussian law
    //  of correlation rho, sqrt (1 - rho^2) / (2 pi (1 - rho c)), the same
    //  for any radial law (fat tails, a common volatility), against each
    //  alternative; no statistic against a reference still being learnt
    bool armed = self->m_n >= s_warmup (self);
    bool scored = has_c && armed;
    double l0 = 0.0;
    if (scored) {
        double rho = s_rho_of_m (self->m_ref);
        s_refresh_sides (self, rho);
        l0 = log (1.0 - rho * c);
    }
    for (int i = 0; i < HB_REGIME_SIDES; i++) {
        s_side_t *side = &self->side [i];
        double llr = scored? side->llr0 + l0 - log (1.0 - side->alt * c): 0.0;
        s_side_step (side, self->samples, scored, llr, x, y, has_c, c);
    }
    const s_side_t *lead = s_lead (self);
    if (lead->s >= self->p.threshold) {
        s_alarm (self, (s_side_t *) lead, at);
        return 1;
    }
    //  the reference learns only while no change is building up (it must
    //  not chase the change under test), and before it is armed
    if (has_c && (!armed || lead->s < self->p.threshold / 2.0)) {
        self->m_n++;
        double w = 1.0 / (double) self->m_n;
        if (w < 1.0 - self->p.lambda_ref)
            w = 1.0 - self->p.lambda_ref;
        self->m_ref += w * (c - self->m_ref);
    }
    return 0;
}

//  The layout of hb_regime_saved_t (version 2): counters, then reals
static void
s_save_side (const s_side_t *side, uint64_t **u, double **f)
{
    *(*u)++ = side->start;
    *(*u)++ = side->sums.n;
    *(*u)++ = side->cn;
    *(*f)++ = side->s;
    *(*f)++ = side->sums.xx;
    *(*f)++ = side->sums.yy;
    *(*f)++ = side->sums.xy;
    *(*f)++ = side->csum;
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
    *u++ = self->alarms;
    *u++ = (uint64_t) self->last_alarm_at;
    *u++ = self->last_alarm_sample;
    *u++ = self->change_sample;
    *u++ = (uint64_t) self->kind;
    *u++ = (uint64_t) self->hold_left;
    *u++ = self->vol_n;
    *u++ = self->m_n;
    *f++ = self->alarm_statistic;
    *f++ = self->h_x;
    *f++ = self->h_y;
    *f++ = self->lr_x;
    *f++ = self->lr_y;
    *f++ = self->m_ref;
    for (int i = 0; i < HB_REGIME_SIDES; i++)
        s_save_side (&self->side [i], &u, &f);
    s_save_cov (&self->fast, &u, &f);
    s_save_cov (&self->slow, &u, &f);
    assert (u == out->u + HB_REGIME_SAVED_U64 && f == out->f + HB_REGIME_SAVED_F64);
}

static void
s_load_side (s_side_t *side, const uint64_t **u, const double **f)
{
    side->start = *(*u)++;
    side->sums.n = *(*u)++;
    side->cn = *(*u)++;
    side->s = *(*f)++;
    side->sums.xx = *(*f)++;
    side->sums.yy = *(*f)++;
    side->sums.xy = *(*f)++;
    side->csum = *(*f)++;
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
    return side->s >= 0.0 && side->start <= samples && side->sums.n <= samples
        && (side->start > 0 || (side->s == 0.0 && side->sums.n == 0))
        && side->sums.xx >= 0.0 && side->sums.yy >= 0.0
        && side->cn <= side->sums.n && fabs (side->csum) <= (double) side->cn;
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
    next.alarms = *u++;
    next.last_alarm_at = (int64_t) *u++;
    next.last_alarm_sample = *u++;
    next.change_sample = *u++;
    uint64_t kind = *u++, hold_left = *u++;
    next.vol_n = *u++;
    next.m_n = *u++;
    next.alarm_statistic = *f++;
    next.h_x = *f++;
    next.h_y = *f++;
    next.lr_x = *f++;
    next.lr_y = *f++;
    next.m_ref = *f++;
    bool sides_ok = true;
    for (int i = 0; i < HB_REGIME_SIDES; i++) {
        s_load_side (&next.side [i], &u, &f);
        sides_ok &= s_side_valid (&next.side [i], next.samples);
    }
    s_load_cov (&next.fast, &u, &f);
    s_load_cov (&next.slow, &u, &f);
    if (kind > HB_REGIME_CORR_UP || hold_left > (uint64_t) self->p.hold || !sides_ok
    ||  next.alarm_statistic < 0.0 || !(fabs (next.m_ref) <= 1.0)
    ||  next.alarms > next.samples || next.last_alarm_sample > next.samples
    ||  next.change_sample > next.samples || next.m_n > next.samples
    ||  next.vol_n > next.samples
    ||  !(next.h_x >= 0.0 && next.h_y >= 0.0 && next.lr_x >= 0.0 && next.lr_y >= 0.0)
    ||  !s_cov_valid (&next.fast, next.samples) || !s_cov_valid (&next.slow, next.samples)) {
        errno = EINVAL;
        return -1;
    }
    next.kind = (hb_regime_kind_t) kind;
    next.hold_left = (int) hold_left;
    next.rho_cached = -2.0;     //  the alternatives follow from m_ref
    *self = next;
    return 0;
}

void
hb_regime_view (const hb_regime_t *self, hb_regime_view_t *view)
{
    const s_side_t *lead = s_lead (self);
    double half = self->p.threshold / 2.0;
    memset (view, 0, sizeof *view);
    view->statistic = lead->s;
    view->evidence = lead->s / self->p.threshold;
    view->state = self->hold_left > 0? HB_REGIME_SHIFTED
                : lead->s >= half? HB_REGIME_SHIFTING: HB_REGIME_STABLE;
    view->kind = view->state == HB_REGIME_SHIFTING? s_side_kind (self, lead): self->kind;
    view->samples = self->samples;
    view->alarms = self->alarms;
    view->last_alarm_at = self->last_alarm_at;
    view->last_alarm_sample = self->last_alarm_sample;
    view->change_sample = self->change_sample;
    view->alarm_statistic = self->alarm_statistic;
    view->corr_ref = self->m_n? s_rho_of_m (self->m_ref): 0.0;
    view->corr_fast = s_corr (&self->fast);
    view->corr_slow = s_corr (&self->slow);
    view->ratio_fast = s_ratio (&self->fast);
    view->ratio_slow = s_ratio (&self->slow);
    //  evidence-weighted move to the post-change ratio from S_MOVE_FROM of
    //  the threshold (under it, stationary noise must not move the slow
    //  ratio; from it, the slow ratio's lag after a break must not last)
    double w = (view->evidence - S_MOVE_FROM) / (1.0 - S_MOVE_FROM);
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
    //  while shifting, the fast one only from S_JUDGE_FAST of the
    //  threshold: a stationary 0.8 pair whose statistic wanders over half
    //  of it sees its fast correlation under 0.3 now and then
    bool fast = view->state == HB_REGIME_SHIFTED
             || (view->state == HB_REGIME_SHIFTING && view->evidence >= S_JUDGE_FAST);
    double judged = fast? view->corr_fast: view->corr_ref;
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
