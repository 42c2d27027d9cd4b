/* Exercise 3: the backward pass of max-pooling (the document's section 3.3.2).
 *
 * The document writes y_i = max(y_i1, y_i2, ..., y_iS): each output is the
 * largest of the S elements of its window. Channels last, with square
 * windows of pool x pool, a stride, and no padding ('valid'):
 *
 *     y[n, i, j, c] = max_{0 <= k, l < pool} x[n, i stride + k, j stride + l, c]
 *
 * x (N, H, W, C), y (N, OH, OW, C), OH = (H - pool) / stride + 1 (the same
 * for OW). The forward is given below.
 *
 * Write the backward: given dy = dL/dy (N, OH, OW, C), compute dx = dL/dx
 * (N, H, W, C); dx starts at zero. The derivative of a max is 1 for the
 * element that wins and 0 for the others, so each output's gradient goes
 * to one element of its window. Where several elements tie for the
 * maximum, the max has a kink and no derivative; the library's rule, which
 * the grader holds you to, is: the FIRST maximum in window order (k, then
 * l, both from 0) takes the whole gradient.
 *
 * Grade it: make exercise E=maxpool      Page: docs/exercise-03-maxpool.md */
#include "tapegrad.h"
#include "exercises/exercises.h"

void ex_maxpool2d_forward(const tg_tensor *x, int pool, int stride, tg_tensor *y)
{
    const int N = y->shape.dim[0], OH = y->shape.dim[1], OW = y->shape.dim[2];
    const int C = y->shape.dim[3];
    for (int n = 0; n < N; n++)
        for (int i = 0; i < OH; i++)
            for (int j = 0; j < OW; j++)
                for (int c = 0; c < C; c++) {
                    tg_real best = TG_AT(x, n, i * stride, j * stride, c);
                    for (int k = 0; k < pool; k++)
                        for (int l = 0; l < pool; l++) {
                            const tg_real v = TG_AT(x, n, i * stride + k, j * stride + l, c);
                            if (v > best)
                                best = v;
                        }
                    TG_AT(y, n, i, j, c) = best;
                }
}

void ex_maxpool2d_backward(const tg_tensor *x, int pool, int stride, const tg_tensor *dy,
                           tg_tensor *dx)
{
    /* ======== YOUR CODE: for each output (n, i, j, c) -- dy is (N, OH, OW, C) --  ======== */
    /* ======== find its window's first maximum and pass dy[n, i, j, c] on to that  ======== */
    /* ======== element of dx                                                        ======== */
}

/* Hints
 *
 * - The forward already walks each window in the order that decides a tie.
 *   Remember where the best element is (its k and l), not only its value.
 * - "A later element replaces the best only if it is strictly larger"
 *   keeps the first of equal maxima.
 * - When the stride is smaller than the pool, windows overlap and an
 *   element can win in several of them: it receives the sum of their
 *   gradients.
 * - The gradient check cannot grade ties: at a tie, nudging the tied
 *   elements up or down changes y differently (a kink), so finite
 *   differences skip those points. Only the comparison with the library
 *   sees what you do with a tie -- and that the gradients of each window
 *   still add up to its dy (none lost, none doubled). */
