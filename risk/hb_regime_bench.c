/*  hb_regime bench: the figures of the correlation-regime detector on
    simulated pairs (common/testing/hb_simpair), and its cost. Printed:

      false alarms per 10,000 stationary samples (Gaussian at rho 0, 0.5,
        0.8, 0.95; Student-t(4) with GARCH(1,1) at rho 0.8): 10^6 samples each
      detection delay in samples (median, p90) and misses (no alarm within
        500 samples) of breaks 0.3 -> 0.95, 0.9 -> 0.2, 0.8 -> 0.0, on
        Gaussian and on t(4)-GARCH returns: 400 trials each, break after 600
      the vol-only firing rate: vol x3 on both and on one asset, rho 0.8
        unchanged, any alarm in the 200 samples after the jump, 400 trials
      the hedge error, std of the hedged P&L x - beta y, in the 100 samples
        after 0.9 -> 0.2 and -0.2 breaks and over stationary stretches, with the
        recommended ratio, a plain EWMA ratio (lambda 0.94) and hb-risk's
        live rule (hb_regime_hedge_ratio, proxy floor) over EWMAs of 0.94
        and 0.97
      the cost of one update, ns per pair, over 200 assets' pairs in a row

    HB_REGIME_THRESHOLD, HB_REGIME_LAMBDA_REF, HB_REGIME_LAMBDA_SLOW and
    HB_REGIME_WARMUP in the environment run it with that parameter instead
    of the default (how the defaults were chosen: docs/RISK.md).   */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "hb_regime.h"
#include "hb_simpair.h"
#include "hb_time.h"

#define TRIALS      400
#define PRE         600
#define POST        500
#define STATIONARY  1000000

static hb_regime_params_t s_params;

static int
s_cmp (const void *a, const void *b)
{
    int x = *(const int *) a, y = *(const int *) b;
    return (x > y) - (x < y);
}

//  False alarms per 10,000 samples on a stationary series
static double
s_false_alarms (double rho, double nu, bool garch, uint64_t seed)
{
    hb_simpair_t sim;
    hb_simpair_init (&sim, seed, &(hb_simpair_cfg_t) { .rho = rho, .nu = nu, .garch = garch });
    hb_regime_t *regime = hb_regime_new (&s_params);
    int alarms = 0;
    for (int t = 1; t <= STATIONARY; t++) {
        double x, y;
        hb_simpair_next (&sim, &x, &y);
        alarms += hb_regime_update (regime, x, y, t) == 1;
    }
    hb_regime_destroy (&regime);
    return alarms * 1e4 / STATIONARY;
}

//  Delays of a break rho0 -> rho1 over TRIALS series; prints median, p90,
//  misses and alarms before the break
static void
s_delays (double rho0, double rho1, double nu, bool garch)
{
    int delays [TRIALS], found = 0, misses = 0, early = 0;
    for (int trial = 0; trial < TRIALS; trial++) {
        hb_simpair_t sim;
        hb_simpair_init (&sim, 1000 + (uint64_t) trial,
                         &(hb_simpair_cfg_t) { .rho = rho0, .nu = nu, .garch = garch });
        hb_regime_t *regime = hb_regime_new (&s_params);
        int delay = -1;
        for (int t = 1; t <= PRE + POST && delay < 0; t++) {
            if (t == PRE + 1)
                hb_simpair_set_rho (&sim, rho1);
            double x, y;
            hb_simpair_next (&sim, &x, &y);
            if (hb_regime_update (regime, x, y, t) == 1) {
                if (t <= PRE)
                    early++;
                else
                    delay = t - PRE;
            }
        }
        if (delay < 0)
            misses++;
        else
            delays [found++] = delay;
        hb_regime_destroy (&regime);
    }
    qsort (delays, (size_t) found, sizeof *delays, s_cmp);
    printf ("   %-5s %4.2f -> %4.2f: delay median %3d p90 %3d samples, misses %.1f %%, "
            "alarms before the break %d in %d samples\n",
            nu > 0? "t4-G": "gauss", rho0, rho1, found? delays [found / 2]: -1,
            found? delays [(found * 9) / 10]: -1, 100.0 * misses / TRIALS, early, TRIALS * PRE);
}

//  Share of trials with an alarm within 200 samples of a vol x3 jump
static double
s_vol_jump (double vx, double vy, double nu, bool garch)
{
    int fired = 0;
    for (int trial = 0; trial < TRIALS; trial++) {
        hb_simpair_t sim;
        hb_simpair_init (&sim, 5000 + (uint64_t) trial,
                         &(hb_simpair_cfg_t) { .rho = 0.8, .nu = nu, .garch = garch });
        hb_regime_t *regime = hb_regime_new (&s_params);
        bool alarm = false;
        for (int t = 1; t <= PRE + 200; t++) {
            if (t == PRE + 1)
                hb_simpair_set_vol (&sim, vx, vy);
            double x, y;
            hb_simpair_next (&sim, &x, &y);
            alarm |= hb_regime_update (regime, x, y, t) == 1 && t > PRE;
        }
        fired += alarm;
        hb_regime_destroy (&regime);
    }
    return 100.0 * fired / TRIALS;
}

//  Hedged P&L std on the 100 samples after a 0.9 -> rho_after break and on the
//  stationary part before it (from sample 200), with the ratios
//  S_RATIOS names: the detector's recommended one, a plain EWMA (0.94),
//  and hb-risk's live rule (hb_regime_hedge_ratio) over an EWMA of 0.94
//  and of 0.97, without and with the proxy floor of 0.3 (a dropped proxy
//  hedges nothing; judged from the warm-up on, as hb-risk does)
enum { S_REC, S_PLAIN, S_RULE94, S_RULE94F, S_RULE97, S_RULE97F, S_RATIOS };

static void
s_hedge_error (double rho_after)
{
    static const char *const names [S_RATIOS] = {
        "recommended", "EWMA 0.94", "rule over EWMA 0.94", "  with floor 0.3",
        "rule over EWMA 0.97", "  with floor 0.3" };
    double after [S_RATIOS] = {0}, before [S_RATIOS] = {0};
    long n_after = 0, n_before = 0;
    for (int trial = 0; trial < TRIALS; trial++) {
        hb_simpair_t sim;
        hb_simpair_init (&sim, 9000 + (uint64_t) trial, &(hb_simpair_cfg_t) { .rho = 0.9 });
        hb_regime_t *regime = hb_regime_new (&s_params);
        double vyy = 0, vxy = 0, syy = 0, sxy = 0;
        bool dropped = false;
        for (int t = 1; t <= PRE + 100; t++) {
            if (t == PRE + 1)
                hb_simpair_set_rho (&sim, rho_after);
            double x, y;
            hb_simpair_next (&sim, &x, &y);
            //  the ratios decided before this return is seen
            hb_regime_view_t view;
            hb_regime_view (regime, &view);
            double plain = vyy > 0? vxy / vyy: 0;
            double slow = syy > 0? sxy / syy: 0;
            double ratio [S_RATIOS];
            ratio [S_REC] = view.ratio;
            ratio [S_PLAIN] = plain;
            ratio [S_RULE94] = hb_regime_hedge_ratio (&view, plain);
            ratio [S_RULE97] = hb_regime_hedge_ratio (&view, slow);
            if (view.samples >= (uint64_t) s_params.warmup)
                dropped = hb_regime_proxy_dropped (&view, 0.3, dropped, NULL);
            ratio [S_RULE94F] = dropped? 0: ratio [S_RULE94];
            ratio [S_RULE97F] = dropped? 0: ratio [S_RULE97];
            for (int i = 0; i < S_RATIOS; i++) {
                double e = x - ratio [i] * y;
                if (t > PRE)
                    after [i] += e * e;
                else
                if (t > 200)
                    before [i] += e * e;
            }
            n_after += t > PRE;
            n_before += t > 200 && t <= PRE;
            hb_regime_update (regime, x, y, t);
            double w = t == 1? 1.0: 0.06;
            vyy += w * (y * y - vyy);
            vxy += w * (x * y - vxy);
            w = t == 1? 1.0: 0.03;
            syy += w * (y * y - syy);
            sxy += w * (x * y - sxy);
        }
        hb_regime_destroy (&regime);
    }
    printf ("   hedge error (std of x - ratio y; against EWMA 0.94): after a 0.9 -> %.1f break "
            "(100 samples) | over stationary stretches (rho 0.9)\n", rho_after);
    for (int i = 0; i < S_RATIOS; i++)
        printf ("     %-22s %.4f (%+.1f %%) | %.4f (%+.1f %%)\n", names [i],
                sqrt (after [i] / n_after), 100.0 * (sqrt (after [i] / after [S_PLAIN]) - 1.0),
                sqrt (before [i] / n_before), 100.0 * (sqrt (before [i] / before [S_PLAIN]) - 1.0));
}

static void
s_cost (void)
{
    enum { PAIRS = 200 * 199 / 2, RING = 256 };
    hb_regime_t **pairs = calloc (PAIRS, sizeof *pairs);
    double *ring = malloc (2 * RING * sizeof *ring);
    hb_simpair_t sim;
    hb_simpair_init (&sim, 7, &(hb_simpair_cfg_t) { .rho = 0.6 });
    for (int i = 0; i < RING; i++)
        hb_simpair_next (&sim, ring + 2 * i, ring + 2 * i + 1);
    for (int k = 0; k < PAIRS; k++)
        pairs [k] = hb_regime_new (&s_params);
    int64_t start = hb_mono_ns ();
    int rounds = 0;
    while (hb_mono_ns () - start < HB_NS_PER_SEC) {
        const double *r = ring + 2 * (rounds % RING);
        for (int k = 0; k < PAIRS; k++)
            hb_regime_update (pairs [k], r [0], r [1], rounds);
        rounds++;
    }
    double ns = (double) (hb_mono_ns () - start) / rounds / PAIRS;
    printf ("   cost: %.0f ns per pair and sample; %.1f ms per sample for 200 assets' %d pairs\n",
            ns, ns * PAIRS / 1e6, PAIRS);
    for (int k = 0; k < PAIRS; k++)
        hb_regime_destroy (&pairs [k]);
    free (pairs);
    free (ring);
}

int
main (void)
{
    hb_regime_params_default (&s_params);
    const char *threshold = getenv ("HB_REGIME_THRESHOLD");
    if (threshold)
        s_params.threshold = atof (threshold);
    const char *warmup = getenv ("HB_REGIME_WARMUP");
    if (warmup)
        s_params.warmup = atoi (warmup);
    const char *ref = getenv ("HB_REGIME_LAMBDA_REF");
    if (ref)
        s_params.lambda_ref = atof (ref);
    const char *slow = getenv ("HB_REGIME_LAMBDA_SLOW");
    if (slow)
        s_params.lambda_slow = atof (slow);
    printf ("   threshold %.2f, shift_z %.2f, lambda_ref %.3f, lambda_slow %.3f, warmup %d\n",
            s_params.threshold, s_params.shift_z, s_params.lambda_ref, s_params.lambda_slow,
            s_params.warmup);
    static const double rhos [] = {0.0, 0.5, 0.8, 0.95};
    for (int i = 0; i < 4; i++)
        printf ("   false alarms per 10,000 samples, gauss rho %.2f: %.2f\n",
                rhos [i], s_false_alarms (rhos [i], 0, false, 11 + (uint64_t) i));
    printf ("   false alarms per 10,000 samples, t4-GARCH rho 0.80: %.2f\n",
            s_false_alarms (0.8, 4, true, 17));
    s_delays (0.3, 0.95, 0, false);
    s_delays (0.9, 0.2, 0, false);
    s_delays (0.8, 0.0, 0, false);
    s_delays (0.3, 0.95, 4, true);
    s_delays (0.9, 0.2, 4, true);
    printf ("   vol x3 on both, rho 0.8 kept: alarm within 200 samples in %.1f %% of %d trials\n",
            s_vol_jump (3, 3, 0, false), TRIALS);
    printf ("   vol x3 on one, rho 0.8 kept: %.1f %%; on t4-GARCH: %.1f %%\n",
            s_vol_jump (3, 1, 0, false), s_vol_jump (3, 1, 4, true));
    s_hedge_error (0.2);
    s_hedge_error (-0.2);
    s_cost ();
    return 0;
}
