/* Exercise 2, planted mistake: dB[k, n] assigned instead of added to, so
 * only the last row m of the sum survives (dA right). */
#include "exercises/exercises.h"

void ex_matmul_backward(const tg_tensor *A, const tg_tensor *B, const tg_tensor *dY,
                        tg_tensor *dA, tg_tensor *dB)
{
    const int M = A->shape.dim[0], K = A->shape.dim[1], N = B->shape.dim[1];
    for (int m = 0; m < M; m++)
        for (int k = 0; k < K; k++)
            for (int n = 0; n < N; n++) {
                TG_AT(dA, m, k) += TG_AT(dY, m, n) * TG_AT(B, k, n);
                TG_AT(dB, k, n) = TG_AT(A, m, k) * TG_AT(dY, m, n);
            }
}
