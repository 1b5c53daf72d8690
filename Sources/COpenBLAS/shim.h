#pragma once
#include <cblas.h>

/// Declared by OpenBLAS's cblas.h; restated here so the shim documents what serlab relies on.
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);

/// Row-major single-precision GEMM, C = alpha * op(A) * op(B) + beta * C, with the CBLAS enums
/// hidden behind plain ints (transpose: 0 = no, 1 = yes) so Swift never spells enum types.
static inline void serlab_sgemm(int transA, int transB, int m, int n, int k, float alpha,
                                const float *a, int lda, const float *b, int ldb,
                                float beta, float *c, int ldc) {
    cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}
