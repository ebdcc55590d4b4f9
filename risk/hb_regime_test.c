/*  hb_regime tests, on simulated pairs (common/testing/hb_simpair, fixed
    seeds, so every figure is the same on every run):
      a correlation break 0.8 -> 0.0 is found within the documented delay,
        and a jump 0.3 -> 0.95 too, each with its kind;
      a vol x3 jump (both assets, one asset) with the correlation unchanged
        and a long Student-t(4) GARCH(1,1) series at constant correlation
        stay within the documented false-alarm rate;
      after an alarm the recommended hedge ratio is near the post-break one
        and nearer than a plain EWMA's;
      states, the view, bad input and bad parameters; a saved state goes
        on bit for bit, an impossible one is refused.                     */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hb_regime.h"
#include "hb_simpair.h"

#define TRIALS  100
#define PRE     600

static int
s_cmp (const void *a, const void *b)
{
    int x = *(const int *) a, y = *(const int *) b;
    return (x > y) - (x < y);
}

//  Delays (samples after the break up to the alarm) of TRIALS series
//  breaking from rho0 to rho1 after PRE samples; an alarm before the break
//  is counted in *early, a break not found within `within` samples in
//  *misses. Sorts delays.
static int
s_delays (double rho0, double rho1, int within, int *delays, int *early, int *misses,
          hb_regime_kind_t expect)
{
    int found = 0;
    *early = *misses = 0;
    for (int trial = 0; trial < TRIALS; trial++) {
        hb_simpair_t sim;
        hb_simpair_init (&sim, 100 + (uint64_t) trial, &(hb_simpair_cfg_t) { .rho = rho0 });
        hb_regime_t *regime = hb_regime_new (NULL);
        assert_non_null (regime);
        int delay = -1;
        for (int t = 1; t <= PRE + within && delay < 0; t++) {
            if (t == PRE + 1)
                hb_simpair_set_rho (&sim, rho1);
            double x, y;
            hb_simpair_next (&sim, &x, &y);
            if (hb_regime_update (regime, x, y, t) == 1) {
                if (t <= PRE)
                    (*early)++;
                else {
                    delay = t - PRE;
                    hb_regime_view_t view;
                    hb_regime_view (regime, &view);
                    assert_int_equal (view.kind, expect);
                    assert_int_equal (view.state, HB_REGIME_SHIFTED);
                    assert_int_equal (view.last_alarm_at, t);
                    assert_true (view.alarm_statistic >= HB_REGIME_THRESHOLD);
                }
            }
        }
        if (delay < 0)
            (*misses)++;
        else
            delays [found++] = delay;
        hb_regime_destroy (&regime);
    }
    qsort (delays, (size_t) found, sizeof *delays, s_cmp);
    return found;
}

//  (a) docs/RISK.md: a 0.8 -> 0.0 break is found with a median delay of at
//  most 35 samples, p90 at most 65, all but 2 of 100 within 200 (a false
//  alarm just before the break restarts the reference, which then learns
//  part of the new regime before it is armed again)
static void
test_break_detected (void **state)
{
    (void) state;
    int delays [TRIALS], early, misses;
    int found = s_delays (0.8, 0.0, 200, delays, &early, &misses, HB_REGIME_CORR_DOWN);
    print_message ("0.8 -> 0.0: median %d p90 %d samples, %d missed, %d alarms in %d "
                   "pre-break samples\n", delays [found / 2], delays [found * 9 / 10], misses,
                   early, TRIALS * PRE);
    assert_true (misses <= 2);
    assert_true (delays [found / 2] <= 35);
    assert_true (delays [found * 9 / 10] <= 65);
    //  1 per 10,000 over 60,000 samples is 6; allow for the Poisson spread
    assert_true (early <= 15);
}

static void
test_jump_detected (void **state)
{
    (void) state;
    int delays [TRIALS], early, misses;
    int found = s_delays (0.3, 0.95, 200, delays, &early, &misses, HB_REGIME_CORR_UP);
    print_message ("0.3 -> 0.95: median %d p90 %d samples, %d missed\n",
                   delays [found / 2], delays [found * 9 / 10], misses);
    assert_int_equal (misses, 0);
    assert_true (delays [found / 2] <= 22);
    assert_true (delays [found * 9 / 10] <= 36);
}

//  Trials (of TRIALS) with an alarm in the 200 samples after a vol jump
static int
s_vol_jump (double vx, double vy, double nu, bool garch)
{
    int fired = 0;
    for (int trial = 0; trial < TRIALS; trial++) {
        hb_simpair_t sim;
        hb_simpair_init (&sim, 300 + (uint64_t) trial,
                         &(hb_simpair_cfg_t) { .rho = 0.8, .nu = nu, .garch = garch });
        hb_regime_t *regime = hb_regime_new (NULL);
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
    return fired;
}

//  (b) a vol x3 jump is not a correlation break: at 1 per 10,000 a
//  stationary pair fires in 2 % of 200-sample windows; a detector on raw
//  products would fire in nearly all of them
static void
test_vol_jump_quiet (void **state)
{
    (void) state;
    int both = s_vol_jump (3, 3, 0, false), one = s_vol_jump (3, 1, 0, false);
    int garch = s_vol_jump (1, 3, 4, true);
    print_message ("vol x3: alarms in %d (both), %d (one), %d (one, t4-GARCH) of %d trials\n",
                   both, one, garch, TRIALS);
    assert_true (both <= 5);
    assert_true (one <= 5);
    assert_true (garch <= 5);
}

//  (b) a long fat-tailed, clustered series at constant correlation: at
//  most the documented 1 false alarm per 10,000 samples
static void
test_garch_quiet (void **state)
{
    (void) state;
    enum { SAMPLES = 500000 };
    static const double rhos [] = {0.0, 0.8};
    for (int i = 0; i < 2; i++) {
        hb_simpair_t sim;
        hb_simpair_init (&sim, 77 + (uint64_t) i,
                         &(hb_simpair_cfg_t) { .rho = rhos [i], .nu = 4, .garch = true });
        hb_regime_t *regime = hb_regime_new (NULL);
        int alarms = 0;
        for (int t = 1; t <= SAMPLES; t++) {
            double x, y;
            hb_simpair_next (&sim, &x, &y);
            alarms += hb_regime_update (regime, x, y, t) == 1;
        }
        hb_regime_view_t view;
        hb_regime_view (regime, &view);
        print_message ("t4-GARCH rho %.1f: %d alarms in %d samples (%.2f per 10,000), "
                       "reference rho %.3f\n", rhos [i], alarms, SAMPLES, alarms * 1e4 / SAMPLES,
                       view.corr_ref);
        assert_true (alarms <= SAMPLES / 10000);
        assert_true (fabs (view.corr_ref - rhos [i]) < 0.2);
        hb_regime_destroy (&regime);
    }
}

//  (c) ten samples after the alarm of a 0.8 -> 0.0 break (equal vols: the
//  ratio goes from 0.8 to 0), on average over the trials, the recommended
//  ratio is under 0.1 and under half of the ratio of a plain EWMA with the
//  same slow decay (0.985), which is what it would be without the alarm's
//  re-seeding. The plain EWMA at 0.94 is printed beside it
static void
test_ratio_follows (void **state)
{
    (void) state;
    double sum_ratio = 0, sum_plain = 0, sum_slow = 0, sum_before = 0;
    int count = 0;
    for (int trial = 0; trial < TRIALS; trial++) {
        hb_simpair_t sim;
        hb_simpair_init (&sim, 500 + (uint64_t) trial, &(hb_simpair_cfg_t) { .rho = 0.8 });
        hb_regime_t *regime = hb_regime_new (NULL);
        double vyy = 0, vxy = 0, syy = 0, sxy = 0, before = 0;
        int alarm_t = -1;
        for (int t = 1; t <= PRE + 300; t++) {
            if (t == PRE + 1) {
                hb_simpair_set_rho (&sim, 0.0);
                hb_regime_view_t view;
                hb_regime_view (regime, &view);
                before = view.ratio;
            }
            double x, y;
            hb_simpair_next (&sim, &x, &y);
            int rc = hb_regime_update (regime, x, y, t);
            double w = t == 1? 1.0: 0.06;
            vyy += w * (y * y - vyy);
            vxy += w * (x * y - vxy);
            double ws = t == 1? 1.0: 0.015;
            syy += ws * (y * y - syy);
            sxy += ws * (x * y - sxy);
            if (rc == 1 && t > PRE && alarm_t < 0)
                alarm_t = t;
            if (alarm_t > 0 && t == alarm_t + 10) {
                hb_regime_view_t view;
                hb_regime_view (regime, &view);
                sum_ratio += view.ratio;
                sum_plain += vxy / vyy;
                sum_slow += sxy / syy;
                sum_before += before;
                count++;
                break;
            }
        }
        hb_regime_destroy (&regime);
    }
    assert_true (count >= TRIALS * 9 / 10);
    double ratio = sum_ratio / count, slow = sum_slow / count;
    print_message ("ratio 10 samples after the alarm: %.3f recommended, %.3f EWMA 0.985, "
                   "%.3f EWMA 0.94, %.3f before the break (%d trials)\n", ratio, slow,
                   sum_plain / count, sum_before / count, count);
    assert_true (sum_before / count > 0.7);
    assert_true (fabs (ratio) < 0.1);
    assert_true (fabs (ratio) < 0.5 * fabs (slow));
}

//  States through a break: stable, shifting before the alarm with the
//  ratio moving off the slow one, shifted for `hold` samples, stable again
static void
test_states (void **state)
{
    (void) state;
    hb_regime_params_t params;
    hb_regime_params_default (&params);
    params.hold = 20;
    hb_regime_t *regime = hb_regime_new (&params);
    hb_simpair_t sim;
    hb_simpair_init (&sim, 42, &(hb_simpair_cfg_t) { .rho = 0.9 });
    hb_regime_view_t view;
    hb_regime_view (regime, &view);
    assert_int_equal (view.state, HB_REGIME_STABLE);
    assert_int_equal (view.kind, HB_REGIME_NONE);
    assert_int_equal (view.last_alarm_at, 0);
    bool saw_shifting = false, saw_moving = false;
    int alarm_t = -1;
    for (int t = 1; t <= 2000 && alarm_t < 0; t++) {
        if (t == PRE + 1)
            hb_simpair_set_rho (&sim, -0.2);
        double x, y;
        hb_simpair_next (&sim, &x, &y);
        if (hb_regime_update (regime, x, y, 1000 + t) == 1)
            alarm_t = t;
        hb_regime_view (regime, &view);
        if (alarm_t < 0 && view.state == HB_REGIME_SHIFTING && t > PRE) {
            saw_shifting = true;
            assert_int_equal (view.kind, HB_REGIME_CORR_DOWN);
            saw_moving |= view.evidence > 0.6 && view.ratio < view.ratio_slow - 0.01;
        }
    }
    assert_true (alarm_t > PRE);
    assert_true (saw_shifting);
    assert_true (saw_moving);
    assert_int_equal (view.state, HB_REGIME_SHIFTED);
    assert_int_equal (view.alarms, 1);
    assert_int_equal (view.last_alarm_at, 1000 + alarm_t);
    assert_int_equal (view.last_alarm_sample, (uint64_t) alarm_t);
    //  the change-point estimate lands near the break
    assert_true (llabs ((long long) view.change_sample - (PRE + 1)) <= 30);
    //  right after the alarm the slow model is the post-change one
    assert_true (view.ratio == view.ratio_slow);
    assert_true (view.ratio < 0.3);
    assert_true (view.corr_ref < 0.3);
    for (int t = 0; t < 20; t++) {
        double x, y;
        hb_simpair_next (&sim, &x, &y);
        hb_regime_update (regime, x, y, 0);
    }
    hb_regime_view (regime, &view);
    assert_int_not_equal (view.state, HB_REGIME_SHIFTED);
    assert_int_equal (view.kind, view.state == HB_REGIME_STABLE? HB_REGIME_CORR_DOWN: view.kind);
    hb_regime_reset (regime);
    hb_regime_view (regime, &view);
    assert_int_equal (view.samples, 0);
    assert_int_equal (view.alarms, 0);
    hb_regime_destroy (&regime);
    hb_regime_destroy (&regime);
}

//  The rule the live plan and VaR take (hand-made views): the break weight
//  is 0 while stable, evidence-linear while shifting (0 at half the
//  threshold, 1 at it), 1 while shifted; the hedge ratio is the caller's
//  own while stable, moves by that weight to the post-change ratio while
//  shifting and is the re-seeded slow one while shifted
static void
test_hedge_rule (void **state)
{
    (void) state;
    hb_regime_view_t view;
    memset (&view, 0, sizeof view);
    view.ratio_slow = 0.7;
    view.ratio_post = -0.2;
    view.ratio = 0.5;
    view.state = HB_REGIME_STABLE;
    view.evidence = 0.45;
    assert_true (hb_regime_break_weight (&view) == 0.0);
    assert_true (hb_regime_hedge_ratio (&view, 0.9) == 0.9);
    view.state = HB_REGIME_SHIFTING;
    view.evidence = 0.5;
    assert_true (hb_regime_break_weight (&view) == 0.0);
    assert_true (hb_regime_hedge_ratio (&view, 0.9) == 0.9);
    view.evidence = 0.75;
    assert_true (fabs (hb_regime_break_weight (&view) - 0.5) < 1e-15);
    assert_true (fabs (hb_regime_hedge_ratio (&view, 0.9) - 0.35) < 1e-15);
    view.evidence = 1.2;
    assert_true (hb_regime_break_weight (&view) == 1.0);
    assert_true (fabs (hb_regime_hedge_ratio (&view, 0.9) + 0.2) < 1e-15);
    view.state = HB_REGIME_SHIFTED;
    view.evidence = 0.0;
    assert_true (hb_regime_break_weight (&view) == 1.0);
    assert_true (hb_regime_hedge_ratio (&view, 0.9) == 0.7);

    //  the floor: the reference while stable (and shifting under 3/4 of the
    //  threshold), the fast one otherwise;
    //  back only with both over floor + 0.1
    double judged = 0;
    view.state = HB_REGIME_STABLE;
    view.corr_ref = 0.8;
    view.corr_fast = 0.1;
    assert_false (hb_regime_proxy_dropped (&view, 0.3, false, &judged));
    assert_true (judged == 0.8);
    assert_true (hb_regime_proxy_dropped (&view, 0.3, true, NULL));      //  fast under 0.4: kept dropped
    view.state = HB_REGIME_SHIFTING;
    view.evidence = 0.6;                //  shifting, under 3/4: still the reference
    assert_false (hb_regime_proxy_dropped (&view, 0.3, false, &judged));
    assert_true (judged == 0.8);
    view.evidence = 0.8;
    assert_true (hb_regime_proxy_dropped (&view, 0.3, false, &judged));
    assert_true (judged == 0.1);
    view.corr_fast = -0.35;             //  over the floor, not over the margin
    assert_true (hb_regime_proxy_dropped (&view, 0.3, true, NULL));
    assert_false (hb_regime_proxy_dropped (&view, 0.3, false, NULL));
    view.corr_fast = -0.45;             //  a negative correlation hedges too
    assert_false (hb_regime_proxy_dropped (&view, 0.3, true, NULL));
    view.state = HB_REGIME_STABLE;
    view.corr_ref = 0.2;
    assert_true (hb_regime_proxy_dropped (&view, 0.3, false, NULL));

    //  and on a detector: a hand-made series, 300 samples of x = y (rho
    //  1, ratio 1) with alternating signs, then x = -y (ratio -1): the
    //  ratio leaves the base while shifting, before the alarm, and is the
    //  post-change one (-1) at it
    hb_regime_params_t params;
    hb_regime_params_default (&params);
    hb_regime_t *regime = hb_regime_new (&params);
    bool moved_before_alarm = false;
    int alarm_t = 0;
    for (int t = 1; t <= 400 && !alarm_t; t++) {
        double y = t % 2? 0.01: -0.01;
        double x = t <= 300? y: -y;
        if (hb_regime_update (regime, x, y, t) == 1)
            alarm_t = t;
        hb_regime_view (regime, &view);
        if (!alarm_t && view.state == HB_REGIME_SHIFTING && hb_regime_break_weight (&view) > 0)
            moved_before_alarm |= hb_regime_hedge_ratio (&view, 1.0) < 0.9;
    }
    //  each x = -y sample (angle statistic c = -1) adds about 1.4 to the
    //  side down by 2 shift_z from the reference 0.995 (the clamp): 9 / 1.4
    //  samples
    assert_true (alarm_t > 300 && alarm_t < 320);
    assert_true (moved_before_alarm);
    assert_int_equal (view.state, HB_REGIME_SHIFTED);
    assert_true (fabs (hb_regime_hedge_ratio (&view, 1.0) + 1.0) < 1e-12);
    hb_regime_destroy (&regime);
}

//  Bad input changes nothing; a zero return carries no angle
static void
test_bad_input (void **state)
{
    (void) state;
    hb_regime_t *regime = hb_regime_new (NULL);
    assert_int_equal (hb_regime_update (regime, 0.01, 0.02, 1), 0);
    hb_regime_view_t before, after;
    hb_regime_view (regime, &before);
    errno = 0;
    assert_int_equal (hb_regime_update (regime, NAN, 0.02, 2), -1);
    assert_int_equal (errno, EINVAL);
    assert_int_equal (hb_regime_update (regime, 0.01, INFINITY, 3), -1);
    hb_regime_view (regime, &after);
    assert_memory_equal (&before, &after, sizeof before);
    //  a thousand samples with a flat proxy: covariances move, the
    //  reference does not
    for (int t = 0; t < 1000; t++)
        assert_int_equal (hb_regime_update (regime, t % 2? 0.01: -0.01, 0.0, t), 0);
    hb_regime_view (regime, &after);
    assert_int_equal (after.samples, 1001);
    assert_true (after.corr_ref == before.corr_ref);
    assert_true (after.statistic == before.statistic);
    hb_regime_destroy (&regime);
}

static void
test_params (void **state)
{
    (void) state;
    hb_regime_params_t p;
    hb_regime_params_default (&p);
    assert_null (hb_regime_params_check (&p));
    assert_true (p.threshold == HB_REGIME_THRESHOLD);
    hb_regime_params_t bad = p;
    bad.threshold = 0;
    assert_string_equal (hb_regime_params_check (&bad), "threshold");
    bad = p;
    bad.shift_z = NAN;
    assert_string_equal (hb_regime_params_check (&bad), "shift_z");
    bad = p;
    bad.lambda_ref = 1.0;
    assert_string_equal (hb_regime_params_check (&bad), "lambda_ref");
    bad = p;
    bad.lambda_fast = 0.0;
    assert_string_equal (hb_regime_params_check (&bad), "lambda_fast");
    bad = p;
    bad.lambda_slow = -1;
    assert_string_equal (hb_regime_params_check (&bad), "lambda_slow");
    bad = p;
    bad.warmup = 9;
    assert_string_equal (hb_regime_params_check (&bad), "warmup");
    bad = p;
    bad.hold = 0;
    assert_string_equal (hb_regime_params_check (&bad), "hold");
    errno = 0;
    assert_null (hb_regime_new (&bad));
    assert_int_equal (errno, EINVAL);
    assert_string_equal (hb_regime_state_name (HB_REGIME_SHIFTING), "shifting");
    assert_string_equal (hb_regime_kind_name (HB_REGIME_CORR_UP), "corr_up");
}

//  Saved in the middle of a break and loaded into a fresh detector, the
//  copy goes on like the original to the bit; a state no detector could
//  be in is refused and changes nothing
static void
test_save_load (void **state)
{
    (void) state;
    hb_simpair_t sim;
    hb_simpair_init (&sim, 42, &(hb_simpair_cfg_t) { .rho = 0.8 });
    hb_regime_t *a = hb_regime_new (NULL), *b = hb_regime_new (NULL);
    assert_non_null (a);
    assert_non_null (b);
    int t = 1;
    hb_regime_view_t va, vb;
    for (; t <= PRE; t++) {
        double x, y;
        hb_simpair_next (&sim, &x, &y);
        hb_regime_update (a, x, y, t);
    }
    hb_simpair_set_rho (&sim, 0.0);
    //  into the break until the statistic is building up (shifting)
    do {
        double x, y;
        hb_simpair_next (&sim, &x, &y);
        hb_regime_update (a, x, y, t++);
        hb_regime_view (a, &va);
    } while (va.state == HB_REGIME_STABLE && t < PRE + 400);
    assert_int_equal (va.state, HB_REGIME_SHIFTING);
    hb_regime_saved_t saved = { { 0 }, { 0 } }, again = { { 0 }, { 0 } };
    hb_regime_save (a, &saved);
    assert_int_equal (hb_regime_load (b, &saved), 0);
    hb_regime_save (b, &again);
    assert_memory_equal (&saved, &again, sizeof saved);
    int alarms = 0;
    for (int i = 0; i < 300; i++, t++) {
        double x, y;
        hb_simpair_next (&sim, &x, &y);
        int ra = hb_regime_update (a, x, y, t), rb = hb_regime_update (b, x, y, t);
        assert_int_equal (ra, rb);
        alarms += rb;
        hb_regime_view (a, &va);
        hb_regime_view (b, &vb);
        assert_memory_equal (&va, &vb, sizeof va);
    }
    assert_int_equal (alarms, 1);

    hb_regime_save (a, &saved);
    hb_regime_t *fresh = hb_regime_new (NULL);
    hb_regime_view_t before, after;
    hb_regime_view (fresh, &before);
    hb_regime_saved_t bad;
    //  the reference mean angle statistic (f [5]) outside [-1, 1], a NaN, a
    //  negative variance (an asset's forecast, f [1]; the fast yy, f [27]),
    //  more alarms than samples (u [1]), an unknown kind (u [5]), a hold
    //  longer than the parameters' (u [6])
    const int f_index [] = { 5, 3, 1, 27 };
    const double f_value [] = { 1.5, NAN, -1.0, -1.0 };
    for (int i = 0; i < 4; i++) {
        bad = saved;
        bad.f [f_index [i]] = f_value [i];
        errno = 0;
        assert_int_equal (hb_regime_load (fresh, &bad), -1);
        assert_int_equal (errno, EINVAL);
    }
    const int u_index [] = { 1, 5, 6 };
    const uint64_t u_value [] = { saved.u [0] + 1, 3, HB_REGIME_HOLD + 1 };
    for (int i = 0; i < 3; i++) {
        bad = saved;
        bad.u [u_index [i]] = u_value [i];
        assert_int_equal (hb_regime_load (fresh, &bad), -1);
    }
    hb_regime_view (fresh, &after);
    assert_memory_equal (&before, &after, sizeof before);
    hb_regime_destroy (&fresh);
    hb_regime_destroy (&a);
    hb_regime_destroy (&b);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_break_detected),
        cmocka_unit_test (test_jump_detected),
        cmocka_unit_test (test_vol_jump_quiet),
        cmocka_unit_test (test_garch_quiet),
        cmocka_unit_test (test_ratio_follows),
        cmocka_unit_test (test_states),
        cmocka_unit_test (test_hedge_rule),
        cmocka_unit_test (test_bad_input),
        cmocka_unit_test (test_params),
        cmocka_unit_test (test_save_load),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
