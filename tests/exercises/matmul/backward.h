/* A correct backward of the matrix product (exercise 2), dA = dY B^T and
 * dB = A^T dY, with the planted mistakes of this folder as switches (each
 * planted file defines one PLANT_... and includes this file). */
#include "exercises/exercises.h"

void ex_matmul_backward(const tg_tensor *A, const tg_tensor *B, const tg_tensor *dY,
                        tg_tensor *dA, tg_tensor *dB)
{
    const int M = A->shape.dim[0], K = A->shape.dim[1], N = B->shape.dim[1];
    for (int m = 0; m < M; m++)
        for (int k = 0; k < K; k++)
            for (int n = 0; n < N; n++) {
#ifdef PLANT_DB_OVERWRITTEN
                TG_AT(dB, k, n) = TG_AT(A, m, k) * TG_AT(dY, m, n);
#else
                TG_AT(dB, k, n) += TG_AT(A, m, k) * TG_AT(dY, m, n);
#endif
            }
    for (int m = 0; m < M; m++)
        for (int k = 0; k < K; k++)
            for (int n = 0; n < N; n++) {
#ifdef PLANT_DA_WITHOUT_TRANSPOSE
                TG_AT(dA, m, k) += TG_AT(dY, m, n) * TG_AT(B, n, k);
#else
                TG_AT(dA, m, k) += TG_AT(dY, m, n) * TG_AT(B, k, n);
#endif
            }
}
