/*  hb_linalg tests: factors checked by reconstruction and against a hand
    factorisation; PSD edge cases. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include "hb_linalg.h"

//  Worked by hand: A = [[4,12,-16],[12,37,-43],[-16,-43,98]] has
//  L = [[2,0,0],[6,1,0],[-8,5,3]] (the classic example).
static void
test_known_factor (void **state)
{
    (void) state;
    double a [3][3] = {{4, 12, -16}, {12, 37, -43}, {-16, -43, 98}};
    double l [3][3];
    double want [3][3] = {{2, 0, 0}, {6, 1, 0}, {-8, 5, 3}};
    assert_int_equal (hb_cholesky_psd (&a [0][0], &l [0][0], 3, 3, 1e-12, NULL), 0);
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            assert_true (fabs (l [i][j] - want [i][j]) < 1e-12);
    //  A x = b with x = (1, 2, 3): b = A x
    double b [3] = {4 + 24 - 48, 12 + 74 - 129, -16 - 86 + 294};
    double x [3];
    assert_int_equal (hb_cholesky_solve (&l [0][0], 3, 3, b, x), 0);
    assert_true (fabs (x [0] - 1) < 1e-9 && fabs (x [1] - 2) < 1e-9 && fabs (x [2] - 3) < 1e-9);
}

static void
test_strided_correlation (void **state)
{
    (void) state;
    enum { S = 8 };
    double a [S][S] = {{0}}, l [S][S];
    double c [3][3] = {{1, .8, .6}, {.8, 1, .7}, {.6, .7, 1}};
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            a [i][j] = c [i][j];
    assert_int_equal (hb_cholesky_psd (&a [0][0], &l [0][0], 3, S, 1e-12, NULL), 0);
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) {
            double s = 0;
            for (int k = 0; k < 3; k++)
                s += l [i][k] * l [j][k];
            assert_true (fabs (s - c [i][j]) < 1e-12);
        }
    //  L z with z = e1 gives the first column
    double z [3] = {1, 0, 0}, y [3];
    hb_lower_mul (&l [0][0], 3, S, z, y);
    assert_true (fabs (y [0] - 1) < 1e-12 && fabs (y [1] - .8) < 1e-12 && fabs (y [2] - .6) < 1e-12);
}

static void
test_psd_singular_accepted (void **state)
{
    (void) state;
    //  Two perfectly correlated assets: PSD, singular.
    double a [3][3] = {{1, 1, .5}, {1, 1, .5}, {.5, .5, 1}};
    double l [3][3];
    assert_int_equal (hb_cholesky_psd (&a [0][0], &l [0][0], 3, 3, 1e-10, NULL), 0);
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) {
            double s = 0;
            for (int k = 0; k < 3; k++)
                s += l [i][k] * l [j][k];
            assert_true (fabs (s - a [i][j]) < 1e-9);
        }
    //  and the solve refuses the zero pivot
    double b [3] = {1, 1, 1}, x [3];
    assert_int_equal (hb_cholesky_solve (&l [0][0], 3, 3, b, x), -1);
}

static void
test_not_psd_refused (void **state)
{
    (void) state;
    double a [3][3] = {{1, .9, -.9}, {.9, 1, .9}, {-.9, .9, 1}};
    double l [3][3];
    int bad = -1;
    assert_int_equal (hb_cholesky_psd (&a [0][0], &l [0][0], 3, 3, 1e-10, &bad), -1);
    assert_int_equal (bad, 2);
    double asym [2][2] = {{1, .5}, {.4, 1}};
    assert_int_equal (hb_cholesky_psd (&asym [0][0], &l [0][0], 2, 2, 1e-10, &bad), -1);
    double nan_m [2][2] = {{1, NAN}, {NAN, 1}};
    assert_int_equal (hb_cholesky_psd (&nan_m [0][0], &l [0][0], 2, 2, 1e-10, &bad), -1);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_known_factor),
        cmocka_unit_test (test_strided_correlation),
        cmocka_unit_test (test_psd_singular_accepted),
        cmocka_unit_test (test_not_psd_refused),
    };
    return cmocka_run_group_tests_name ("hb_linalg", tests, NULL, NULL);
}
