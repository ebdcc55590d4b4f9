/*  hb_linalg: see hb_linalg.h. */
#include "hb_linalg.h"

#include <math.h>

int
hb_cholesky_psd (const double *a, double *l, int n, size_t stride,
                 double tol, int *bad_index)
{
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            l [i * stride + j] = 0.0;
            if (!isfinite (a [i * stride + j])
            ||  fabs (a [i * stride + j] - a [j * stride + i]) > tol) {
                if (bad_index)
                    *bad_index = i;
                return -1;
            }
        }
    for (int j = 0; j < n; j++) {
        double d = a [j * stride + j];
        for (int k = 0; k < j; k++)
            d -= l [j * stride + k] * l [j * stride + k];
        if (d < -tol) {
            if (bad_index)
                *bad_index = j;
            return -1;
        }
        //  A pivot at zero within tol: the column is a combination of the
        //  previous ones (PSD but singular). Its draws come entirely from
        //  those columns, so the column of L is zero below the diagonal too,
        //  provided the off-diagonal residuals vanish as well.
        if (d <= tol) {
            for (int i = j + 1; i < n; i++) {
                double s = a [i * stride + j];
                for (int k = 0; k < j; k++)
                    s -= l [i * stride + k] * l [j * stride + k];
                if (fabs (s) > sqrt (tol)) {
                    if (bad_index)
                        *bad_index = j;
                    return -1;
                }
            }
            continue;
        }
        double root = sqrt (d);
        l [j * stride + j] = root;
        for (int i = j + 1; i < n; i++) {
            double s = a [i * stride + j];
            for (int k = 0; k < j; k++)
                s -= l [i * stride + k] * l [j * stride + k];
            l [i * stride + j] = s / root;
        }
    }
    return 0;
}

int
hb_cholesky_solve (const double *l, int n, size_t stride, const double *b, double *x)
{
    //  forward: L y = b (y stored in x)
    for (int i = 0; i < n; i++) {
        double s = b [i];
        for (int k = 0; k < i; k++)
            s -= l [i * stride + k] * x [k];
        if (l [i * stride + i] == 0.0)
            return -1;
        x [i] = s / l [i * stride + i];
    }
    //  backward: Lᵀ x = y
    for (int i = n - 1; i >= 0; i--) {
        double s = x [i];
        for (int k = i + 1; k < n; k++)
            s -= l [k * stride + i] * x [k];
        x [i] = s / l [i * stride + i];
    }
    return 0;
}

void
hb_lower_mul (const double *l, int n, size_t stride, const double *z, double *y)
{
    for (int i = 0; i < n; i++) {
        double s = 0.0;
        for (int k = 0; k <= i; k++)
            s += l [i * stride + k] * z [k];
        y [i] = s;
    }
}
