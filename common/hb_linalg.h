/*  hb_linalg: the little dense linear algebra hedgebus needs (correlation
    matrices, Cholesky factors for correlated draws and hedge solves).
    Matrices are row-major doubles, n x n, with a row stride in elements so
    that fixed-size arrays (double m[HB_MAX_ASSETS][HB_MAX_ASSETS]) can be
    passed as &m[0][0] with stride HB_MAX_ASSETS. No allocation.            */
#ifndef HB_LINALG_H
#define HB_LINALG_H

#include <stddef.h>

//  Cholesky factor of a symmetric positive semi-definite matrix: writes the
//  lower-triangular L with A = L Lᵀ (upper part zeroed). A pivot within tol
//  of zero (a singular but valid PSD matrix, e.g. two perfectly correlated
//  assets) gives a zero column instead of failing. Returns 0, or -1 when A is
//  not symmetric (within tol) or not PSD (a pivot below -tol); then *bad_index
//  (if not NULL) is the row where it failed. l may not alias a.
int hb_cholesky_psd (const double *a, double *l, int n, size_t stride,
                     double tol, int *bad_index);

//  Solves A x = b for symmetric positive definite A using its Cholesky
//  factor L (from hb_cholesky_psd with no zero pivot). x may alias b.
//  Returns -1 if a pivot of L is zero.
int hb_cholesky_solve (const double *l, int n, size_t stride, const double *b, double *x);

//  y = L z (lower-triangular times vector): correlated draws from
//  independent ones. y may not alias z.
void hb_lower_mul (const double *l, int n, size_t stride, const double *z, double *y);

#endif
