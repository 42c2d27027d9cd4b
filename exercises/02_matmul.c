/* Exercise 2: the backward pass of the matrix product.
 *
 * The forward (given below):
 *
 *     Y = A B,   Y[m, n] = sum_k A[m, k] B[k, n]
 *
 * with A (M, K), B (K, N), Y (M, N). Every Dense layer and every gate of
 * the LSTM is one of these ("W_xi x_t" is x_t W_xi here: rows are vectors).
 *
 * Write the backward: given dY = dL/dY (M, N), compute
 *
 *     dA = dL/dA  (M, K)   and   dB = dL/dB  (K, N).
 *
 * Each element A[m, k] appears in the N sums Y[m, 0], ..., Y[m, N-1], each
 * time multiplied by one element of B; the chain rule adds up what flows
 * back through each of them. dA and dB start at zero.
 *
 * Grade it: make exercise E=matmul      Page: docs/exercise-02-matmul.md */
#include "tapegrad.h"
#include "exercises/exercises.h"

void ex_matmul_forward(const tg_tensor *A, const tg_tensor *B, tg_tensor *Y)
{
    const int M = A->shape.dim[0], K = A->shape.dim[1], N = B->shape.dim[1];
    for (int m = 0; m < M; m++)
        for (int n = 0; n < N; n++) {
            tg_real sum = 0;
            for (int k = 0; k < K; k++)
                sum += TG_AT(A, m, k) * TG_AT(B, k, n);
            TG_AT(Y, m, n) = sum;
        }
}

void ex_matmul_backward(const tg_tensor *A, const tg_tensor *B, const tg_tensor *dY,
                        tg_tensor *dA, tg_tensor *dB)
{
    /* ======== YOUR CODE: dA[m, k] and dB[k, n], with loops over m, k, n ======== */
    /* ======== (M, K and N as in the forward above)                         ======== */
}

/* Hints
 *
 * - Write dL/dA[m, k] = sum_n dL/dY[m, n] * dY[m, n]/dA[m, k]: which
 *   element of B is dY[m, n]/dA[m, k]? Likewise for B[k, n].
 * - Then read your sums as matrix products: each gradient is dY times the
 *   other factor, one of them transposed. Check the shapes: a product of
 *   an (M, N) and an (N, K) is (M, K).
 * - The grader runs a square case first (a transposed index still fits
 *   there, and gives wrong values) and a rectangular one (where it runs out
 *   of range: TG_AT stops and says where). */
