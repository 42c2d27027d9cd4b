#include "autograd/gemm.h"

/* Row i of C is built as a sum of scaled rows of op(B):
 *
 *     C[i, :] = sum_k op(A)[i, k] op(B)[k, :]
 *
 * so the innermost loop runs along a contiguous row of B and C, which the
 * compiler vectorises. When B is transposed its "rows" are columns; those
 * are gathered into a small buffer first, one block of k at a time. */

#define KBLOCK 64

static void scale_c(int m, int n, tg_real beta, tg_real *c, int ldc)
{
    for (int i = 0; i < m; i++) {
        tg_real *ci = c + (long)i * ldc;
        if (beta == 0)
            for (int j = 0; j < n; j++)
                ci[j] = 0;
        else if (beta != 1)
            for (int j = 0; j < n; j++)
                ci[j] *= beta;
    }
}

static void row_update(int n, tg_real s, const tg_real *restrict brow, tg_real *restrict ci)
{
    for (int j = 0; j < n; j++)
        ci[j] += s * brow[j];
}

void tg_gemm(int trans_a, int trans_b, int m, int n, int k, tg_real alpha, const tg_real *a,
             int lda, const tg_real *b, int ldb, tg_real beta, tg_real *c, int ldc)
{
    scale_c(m, n, beta, c, ldc);
    if (alpha == 0 || k == 0)
        return;
    if (!trans_b) {
        for (int i = 0; i < m; i++) {
            tg_real *ci = c + (long)i * ldc;
            for (int p = 0; p < k; p++) {
                tg_real aip = trans_a ? a[(long)p * lda + i] : a[(long)i * lda + p];
                if (aip != 0)
                    row_update(n, alpha * aip, b + (long)p * ldb, ci);
            }
        }
        return;
    }
    /* B^T: gather KBLOCK rows of op(B) = columns of B into a contiguous panel. */
    tg_real panel[KBLOCK * 256];
    for (int j0 = 0; j0 < n; j0 += 256) {
        int nb = n - j0 < 256 ? n - j0 : 256;
        for (int p0 = 0; p0 < k; p0 += KBLOCK) {
            int kb = k - p0 < KBLOCK ? k - p0 : KBLOCK;
            for (int p = 0; p < kb; p++)
                for (int j = 0; j < nb; j++)
                    panel[p * nb + j] = b[(long)(j0 + j) * ldb + p0 + p];
            for (int i = 0; i < m; i++) {
                tg_real *ci = c + (long)i * ldc + j0;
                for (int p = 0; p < kb; p++) {
                    int pp = p0 + p;
                    tg_real aip = trans_a ? a[(long)pp * lda + i] : a[(long)i * lda + pp];
                    if (aip != 0)
                        row_update(nb, alpha * aip, panel + p * nb, ci);
                }
            }
        }
    }
}
