/* Exercise 7: the backward pass of softmax and cross-entropy together, the
 * last layer and the loss of the document's image model (section 4.2:
 * Dense(10, softmax) and categorical_crossentropy, with one-hot labels).
 *
 * The forward (given below), for N rows of K logits z:
 *
 *     p[n, k] = exp(z[n, k]) / sum_j exp(z[n, j])          (softmax, per row)
 *     L       = -(1 / N) sum_n sum_k y[n, k] log p[n, k]    (mean cross-entropy)
 *
 * with y[n, .] one-hot: a 1 at the row's class, 0 elsewhere.
 *
 * Write the backward: given p (as the forward computed it), y and
 * dL = dLoss/dL (one number: whatever the rest of the program does with L;
 * 1 if L is the loss), compute dz = dLoss/dz (N, K), which starts at zero.
 *
 * Grade it: make exercise E=softmax_ce      Page: docs/exercise-07-softmax-ce.md */
#include <math.h>

#include "tapegrad.h"
#include "exercises/exercises.h"

tg_real ex_softmax_ce_forward(const tg_tensor *z, const tg_tensor *y, tg_tensor *p)
{
    const int N = z->shape.dim[0], K = z->shape.dim[1];
    double L = 0;
    for (int n = 0; n < N; n++) {
        /* exp(z - max) / sum exp(z - max): the same p, without overflow */
        tg_real max = TG_AT(z, n, 0);
        for (int k = 1; k < K; k++)
            max = TG_AT(z, n, k) > max ? TG_AT(z, n, k) : max;
        double sum = 0;
        for (int k = 0; k < K; k++)
            sum += exp(TG_AT(z, n, k) - max);
        for (int k = 0; k < K; k++) {
            TG_AT(p, n, k) = (tg_real)(exp(TG_AT(z, n, k) - max) / sum);
            /* log p = z - max - log(sum), exact even where p underflows */
            L -= TG_AT(y, n, k) * (TG_AT(z, n, k) - max - log(sum));
        }
    }
    return (tg_real)(L / N);
}

void ex_softmax_ce_backward(const tg_tensor *p, const tg_tensor *y, tg_real dL, tg_tensor *dz)
{
    /* ======== YOUR CODE: dz[n, k] for every row n and class k ======== */
}

/* Hints
 *
 * - Take one row and drop n. Work out dlog p_k / dz_j first: log p_k =
 *   z_k - log sum_i exp(z_i). Its derivative is simple and needs only p.
 * - Then L_row = -sum_k y_k log p_k and sum_k y_k = 1 (one-hot).
 * - Softmax and cross-entropy are graded together on purpose: their
 *   product of derivatives collapses into something much simpler than
 *   either (that is why libraries fuse them).
 * - Do not forget the mean's 1 / N, nor dL. */
