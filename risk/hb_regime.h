/*  hb_regime: correlation regime of one pair of assets (a target and the
    proxy that hedges it), fed the pair's returns sample by sample. It
    tells a correlation break from a volatility jump, raises an alarm at a
    controlled false-alarm rate, and recommends a hedge ratio that moves to
    the post-break estimate as the evidence grows. docs/RISK.md,
    Correlation regimes, has the method, its calibration and the figures.

    Detector. Each return is divided by its asset's GARCH-like variance
    forecast made before the sample (h = 0.05 v + 0.10 min (r^2, 25 h) +
    0.85 h over the long-run variance v), and the angle statistic of the
    standardized pair (u, v) is c = 2uv / (u^2 + v^2). Under any
    elliptical law of (u, v) with unit scales (normal, Student-t, a common
    volatility process) the direction is angular central Gaussian, of
    density sqrt (1 - rho^2) / (2 pi (1 - rho c)): it depends on the
    correlation alone, so fat tails and a common vol jump leave its law
    unchanged, and the GARCH forecast keeps each asset's own clustering
    from bending it (the law depends on the ratio of the two scales, so
    what matters is that ratio's error). No radius is used: that is the
    part a volatility move shares with a correlation move.

    The reference rho0 = 2m / (1 + m^2) (the inverse of E [c] = (1 -
    sqrt (1 - rho^2)) / rho) from m, a slow mean of c (lambda_ref, weight
    max (1/n, 1 - lambda_ref) so that it starts as a plain mean), frozen
    while the evidence is over half the threshold (it must not chase the
    change it is testing for). HB_REGIME_SIDES CUSUMs of the
    log-likelihood ratio test rho0 against alternatives moved by
    -shift_z, +shift_z, -2 shift_z, +2 shift_z in Fisher-z units (atanh;
    a small grid of a generalized-likelihood CUSUM): S = max (0, S + llr),
    held at 0 until the reference holds `warmup` samples (half of it
    after an alarm). An alarm is raised when one passes threshold; its
    side names its kind (correlation down: a decoupling; up: a crash-like
    convergence).

    States: stable (every statistic under threshold / 2), shifting (one
    over half of it), shifted (for `hold` samples after an alarm). On an
    alarm the CUSUM's own change-point estimate (the sample after which
    the alarming statistic last stood at 0) gives the post-change samples:
    the slow covariance restarts from their covariance, so the model
    carries on from the new regime; the reference restarts empty (the run
    may begin before the change: a reference leaning to the old regime
    would alarm again on the same break) and no new alarm is raised until
    it holds warmup / 2 samples.

    Hedge ratio. Fast and slow EWMA covariances of the raw returns
    (lambda_fast, lambda_slow, zero mean as hb_ewma) give correlations
    and minimum-variance ratios beta = Cov(t, p) / Var(p). The recommended
    ratio is beta_slow while stable, moves linearly to beta_post (the
    ratio over the samples since the leading statistic's change-point
    estimate, beta_fast when there are fewer than 5) as the statistic goes
    from threshold / 4 to threshold, and is beta_slow again after the
    alarm (which re-seeded the slow covariance with the post-change one).

    Cost: O(1) per sample (five logarithms), no allocation after
    hb_regime_new; the alternatives' constants are recomputed only when
    the reference moved.                                                 */
#ifndef HB_REGIME_H
#define HB_REGIME_H

#include <stdbool.h>
#include <stdint.h>

typedef struct _hb_regime_t hb_regime_t;

//  The CUSUMs of a detector: an alternative down and one up for each of
//  the moves shift_z, 2 shift_z, ..
#define HB_REGIME_SIDES         4

//  Defaults (calibration in docs/RISK.md, Correlation regimes, and
//  risk/hb_regime_bench.c): threshold 9 gives at most 0.75 false alarms
//  per 10,000 samples per pair (all sides together) on stationary
//  Gaussian series at rho 0 to 0.95 and on Student-t(4) GARCH(1,1) series.
#define HB_REGIME_THRESHOLD     9.0
#define HB_REGIME_SHIFT_Z       0.7
#define HB_REGIME_LAMBDA_REF    0.998
#define HB_REGIME_LAMBDA_FAST   0.9
#define HB_REGIME_LAMBDA_SLOW   0.985
#define HB_REGIME_WARMUP        200
#define HB_REGIME_HOLD          50

typedef struct {
    double  threshold;          //  CUSUM decision interval h (log-likelihood), > 0
    double  shift_z;            //  alternatives: reference rho moved by this and twice it in atanh units, (0, 3]
    double  lambda_ref;         //  decay of the reference mean angle statistic, (0, 1)
    double  lambda_fast;        //  decay of the fast covariance, (0, 1)
    double  lambda_slow;        //  decay of the slow covariance, (0, 1)
    int     warmup;             //  samples of reference before an alarm (half after one), >= 10
    int     hold;               //  samples an alarm keeps the state shifted, >= 1
} hb_regime_params_t;

typedef enum {
    HB_REGIME_STABLE = 0,
    HB_REGIME_SHIFTING,
    HB_REGIME_SHIFTED
} hb_regime_state_t;

typedef enum {
    HB_REGIME_NONE = 0,         //  no alarm yet
    HB_REGIME_CORR_DOWN,        //  the correlation fell (decoupling)
    HB_REGIME_CORR_UP           //  the correlation rose (convergence)
} hb_regime_kind_t;

//  What the pair looks like after the last sample.
typedef struct {
    hb_regime_state_t state;
    hb_regime_kind_t  kind;     //  of the last alarm, or the leading side while shifting
    double   statistic;         //  max of the CUSUMs (log-likelihood ratio)
    double   evidence;          //  statistic / threshold
    uint64_t samples;           //  samples fed (valid ones)
    uint64_t alarms;            //  alarms raised
    int64_t  last_alarm_at;     //  the caller's time stamp of the last alarm (0: none)
    uint64_t last_alarm_sample; //  samples count at the last alarm (0: none)
    uint64_t change_sample;     //  its change-point estimate: first post-change sample
    double   alarm_statistic;   //  the statistic that crossed the threshold then
    double   corr_ref;          //  reference correlation, 2m / (1 + m^2) (0 before any)
    double   corr_fast, corr_slow;
    double   ratio_fast, ratio_slow;
    double   ratio_post;        //  over the leading statistic's run (ratio_fast when short)
    double   ratio;             //  recommended hedge ratio (units of proxy per target)
} hb_regime_view_t;

//  The defaults above.
void hb_regime_params_default (hb_regime_params_t *params);

//  NULL when params are valid, else the name of the first bad field.
const char *hb_regime_params_check (const hb_regime_params_t *params);

//  New detector; params NULL for the defaults. NULL (errno EINVAL) when
//  hb_regime_params_check fails, NULL when out of memory.
hb_regime_t *hb_regime_new (const hb_regime_params_t *params);

//  NULL-safe; nulls *self_p.
void hb_regime_destroy (hb_regime_t **self_p);

//  Forgets every sample.
void hb_regime_reset (hb_regime_t *self);

//  One sample: the returns of target and proxy over the same period (log
//  returns; any scale), at time stamp `at` (the caller's unit: ns, a row
//  number; kept as last_alarm_at). Returns 1 when this sample raised an
//  alarm, 0 otherwise, -1 (errno EINVAL, nothing changed) when a return is
//  not finite. A zero return updates the covariances but carries no angle.
int hb_regime_update (hb_regime_t *self, double r_target, double r_proxy, int64_t at);

//  Fills view with the state after the last sample.
void hb_regime_view (const hb_regime_t *self, hb_regime_view_t *view);

//  The weight of the new regime in what a user of the pair should believe
//  (docs/RISK.md, Correlation regimes, Hedge and VaR): 0 while stable, 1
//  while shifted (an alarm within `hold` samples), and while shifting
//  evidence-linear from 0 at half the threshold to 1 at the threshold.
double hb_regime_break_weight (const hb_regime_view_t *view);

//  The hedge ratio the live plan uses for the pair, given the ratio of its
//  own covariance model (base, e.g. the engine's EWMA): base while stable,
//  moved by hb_regime_break_weight toward the post-change ratio while
//  shifting, the re-seeded slow ratio (the post-change model) while shifted.
double hb_regime_hedge_ratio (const hb_regime_view_t *view, double base);

//  A dropped proxy comes back when its correlation is this far over the
//  floor (hb_regime_proxy_dropped)
#define HB_REGIME_FLOOR_MARGIN  0.1

//  Whether a proxy with this view is dropped under floor, given whether it
//  was (hysteresis): dropped while the pair's correlation is under floor
//  in absolute value, the fast one while shifted or shifting at 3/4 of
//  the threshold or more, the reference one otherwise; taken back when both are over floor +
//  HB_REGIME_FLOOR_MARGIN. *corr (may be NULL) gets the one judged.
bool hb_regime_proxy_dropped (const hb_regime_view_t *view, double floor, bool was, double *corr);

//  A detector's whole state as numbers, so that a checkpoint
//  (risk/hb_risk_ckpt) can keep it without knowing the detector: counters
//  then reals, in the layout of HB_REGIME_SAVED_VERSION (a change of the
//  detector's state changes it, and a checkpoint of another layout is
//  refused). The parameters are not in it: the caller checks those.
#define HB_REGIME_SAVED_VERSION 2
#define HB_REGIME_SAVED_U64     (9 + 3 * HB_REGIME_SIDES + 2)
#define HB_REGIME_SAVED_F64     (6 + 5 * HB_REGIME_SIDES + 6)
typedef struct {
    uint64_t u [HB_REGIME_SAVED_U64];
    double   f [HB_REGIME_SAVED_F64];
} hb_regime_saved_t;

//  Fills out with the detector's state.
void hb_regime_save (const hb_regime_t *self, hb_regime_saved_t *out);

//  Continues from a saved state, as if this detector had seen those
//  samples (its own parameters stay). Returns 0, or -1 (errno EINVAL,
//  nothing changed) when the state cannot be one of a detector: a value
//  not finite, a probability outside [0, 1], a variance below 0, a count
//  or sample number beyond the samples, an unknown kind, a hold longer
//  than the parameters allow.
int hb_regime_load (hb_regime_t *self, const hb_regime_saved_t *in);

const char *hb_regime_state_name (hb_regime_state_t state);    //  "stable", ...
const char *hb_regime_kind_name (hb_regime_kind_t kind);       //  "none", "corr_down", "corr_up"

#endif
