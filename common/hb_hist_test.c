/*  hb_hist tests: bucket precision, percentiles, merge, reset. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdint.h>
#include "hb_hist.h"

static void
test_empty (void **state)
{
    (void) state;
    hb_hist_t *hist = hb_hist_new ();
    assert_non_null (hist);
    assert_int_equal (hb_hist_count (hist), 0);
    assert_int_equal (hb_hist_percentile (hist, 0.5), 0);
    assert_int_equal (hb_hist_min (hist), 0);
    assert_int_equal (hb_hist_max (hist), 0);
    assert_true (hb_hist_mean (hist) == 0);
    hb_hist_destroy (&hist);
    assert_null (hist);
    hb_hist_destroy (&hist);
}

//  1..1000: small values are exact, larger ones within 1/32.
static void
test_percentiles (void **state)
{
    (void) state;
    hb_hist_t *hist = hb_hist_new ();
    for (int64_t v = 1000; v >= 1; v--)
        hb_hist_record (hist, v);
    assert_int_equal (hb_hist_count (hist), 1000);
    assert_int_equal (hb_hist_min (hist), 1);
    assert_int_equal (hb_hist_max (hist), 1000);
    assert_true (hb_hist_mean (hist) > 500.49 && hb_hist_mean (hist) < 500.51);
    uint64_t p50 = hb_hist_percentile (hist, 0.50);
    uint64_t p99 = hb_hist_percentile (hist, 0.99);
    uint64_t p999 = hb_hist_percentile (hist, 0.999);
    //  the bucket's highest value: never below the true one, at most 1/32 above
    assert_true (p50 >= 500 && p50 <= 500 + 500 / 32);
    assert_true (p99 >= 990 && p99 <= 1000);
    assert_true (p999 >= 999 && p999 <= 1000);
    assert_int_equal (hb_hist_percentile (hist, 0), 1);
    assert_int_equal (hb_hist_percentile (hist, 1), 1000);
    assert_int_equal (hb_hist_percentile (hist, 0.01), 10);     //  exact below 32
    hb_hist_destroy (&hist);
}

//  Every power of two and its neighbours, up to the top of uint64: the
//  reported value brackets the recorded one within 1/32.
static void
test_precision_whole_range (void **state)
{
    (void) state;
    hb_hist_t *hist = hb_hist_new ();
    for (int bit = 0; bit < 63; bit++) {
        int64_t base = INT64_C (1) << bit;
        int64_t values [3] = { base - 1, base, base + base / 3 };
        for (int i = 0; i < 3; i++) {
            hb_hist_reset (hist);
            hb_hist_record (hist, values [i]);
            hb_hist_record (hist, INT64_MAX);       //  keeps max from clamping the answer
            uint64_t got = hb_hist_percentile (hist, 0.5);
            uint64_t want = (uint64_t) values [i];
            assert_true (got >= want);
            assert_true (got - want <= want / 32);
        }
    }
    hb_hist_destroy (&hist);
}

static void
test_negative_and_tail (void **state)
{
    (void) state;
    hb_hist_t *hist = hb_hist_new ();
    hb_hist_record (hist, -5);
    assert_int_equal (hb_hist_min (hist), 0);
    hb_hist_reset (hist);
    //  998 fast, 2 slow: p99 is fast, p99.9 sees the tail
    for (int i = 0; i < 998; i++)
        hb_hist_record (hist, 50000);
    hb_hist_record (hist, 5000000);
    hb_hist_record (hist, 9000000);
    uint64_t p99 = hb_hist_percentile (hist, 0.99);
    uint64_t p999 = hb_hist_percentile (hist, 0.999);
    assert_true (p99 >= 50000 && p99 <= 50000 + 50000 / 32);
    assert_true (p999 >= 5000000 && p999 <= 5000000 + 5000000 / 32);
    assert_int_equal (hb_hist_max (hist), 9000000);
    hb_hist_destroy (&hist);
}

static void
test_merge (void **state)
{
    (void) state;
    hb_hist_t *a = hb_hist_new ();
    hb_hist_t *b = hb_hist_new ();
    for (int i = 0; i < 100; i++)
        hb_hist_record (a, 10);
    for (int i = 0; i < 100; i++)
        hb_hist_record (b, 20);
    hb_hist_merge (a, b);
    assert_int_equal (hb_hist_count (a), 200);
    assert_int_equal (hb_hist_min (a), 10);
    assert_int_equal (hb_hist_max (a), 20);
    assert_int_equal (hb_hist_percentile (a, 0.5), 10);
    assert_int_equal (hb_hist_percentile (a, 0.51), 20);
    assert_true (hb_hist_mean (a) > 14.99 && hb_hist_mean (a) < 15.01);
    hb_hist_destroy (&a);
    hb_hist_destroy (&b);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_empty),
        cmocka_unit_test (test_percentiles),
        cmocka_unit_test (test_precision_whole_range),
        cmocka_unit_test (test_negative_and_tail),
        cmocka_unit_test (test_merge),
    };
    return cmocka_run_group_tests_name ("hb_hist", tests, NULL, NULL);
}
