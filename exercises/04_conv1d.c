/* Exercise 4: the backward pass of Conv1D (the document's section 3.3.2, as a
 * Keras Conv1D computes it; docs/errata.md says how the document's formula
 * differs).
 *
 * The forward (given below), channels last, 'valid', with a stride s:
 *
 *     y[n, t, o] = b[o] + sum_{k < K} sum_{c < C_in} W[k, c, o] x[n, t s + k, c]
 *
 * x (N, T, C_in), W (K, C_in, C_out) (Keras's kernel layout), b (C_out),
 * y (N, T_out, C_out) with T_out = (T - K) / s + 1. One kernel W is shared
 * by every position t: that is what makes it a convolution.
 *
 * Write the backward: given dy = dL/dy (N, T_out, C_out), compute
 *
 *     dx = dL/dx (N, T, C_in),   dW = dL/dW (K, C_in, C_out),   db = dL/db (C_out),
 *
 * all starting at zero.
 *
 * Grade it: make exercise E=conv1d      Page: docs/exercise-04-conv1d.md */
#include "tapegrad.h"
#include "exercises/exercises.h"

void ex_conv1d_forward(const tg_tensor *x, const tg_tensor *W, const tg_tensor *b, int stride,
                       tg_tensor *y)
{
    const int N = y->shape.dim[0], T_out = y->shape.dim[1], C_out = y->shape.dim[2];
    const int K = W->shape.dim[0], C_in = W->shape.dim[1];
    for (int n = 0; n < N; n++)
        for (int t = 0; t < T_out; t++)
            for (int o = 0; o < C_out; o++) {
                tg_real sum = TG_AT(b, o);
                for (int k = 0; k < K; k++)
                    for (int c = 0; c < C_in; c++)
                        sum += TG_AT(W, k, c, o) * TG_AT(x, n, t * stride + k, c);
                TG_AT(y, n, t, o) = sum;
            }
}

void ex_conv1d_backward(const tg_tensor *x, const tg_tensor *W, int stride, const tg_tensor *dy,
                        tg_tensor *dx, tg_tensor *dW, tg_tensor *db)
{
    /* ======== YOUR CODE: db, dW and dx (the sizes as in the forward above) ======== */
}

/* Hints
 *
 * - Every term W[k, c, o] x[n, t s + k, c] of every output y[n, t, o]
 *   sends dy[n, t, o] back to both of its factors: to dW[k, c, o] times
 *   the other factor, and to dx[n, t s + k, c] times the other factor. So
 *   the backward can walk exactly the loops of the forward.
 * - The kernel is shared: dW sums over every sample n and every position
 *   t; db over n and t too.
 * - Written the other way round, per input position p = t s + k, dx is dy
 *   correlated with the kernel flipped (k -> K - 1 - k); if you write it
 *   that way, mind which way the flip goes and that t = (p - k) / s must be
 *   a whole number inside 0..T_out - 1.
 * - The grader's second case has stride 2, where t s + k and t + k differ. */
