/* General matrix multiply, row-major:
 *
 *     C (M x N) = alpha op(A) op(B) + beta C
 *
 * op(A) is A (M x K, leading dimension lda) or, with trans_a, the transpose
 * of A stored as K x M; likewise op(B). The ops need A B (forward), A B^T
 * (gradient of the left operand) and A^T B (gradient of the right
 * operand); A^T B^T works too. beta = 0 never reads C. Each element of C is
 * summed over k in one fixed order (blocks of 256 in increasing k) whatever
 * the thread count: threads split C, never k, so the result is
 * bit-identical for any tg_set_threads(). Blocking, vectorisation and
 * threads: docs/gemm.md. */
#ifndef TG_GEMM_H
#define TG_GEMM_H

#include "tensor/real.h"

void tg_gemm(int trans_a, int trans_b, int m, int n, int k, tg_real alpha, const tg_real *a,
             int lda, const tg_real *b, int ldb, tg_real beta, tg_real *c, int ldc);

#endif
