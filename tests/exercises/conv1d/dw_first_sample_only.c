/* Exercise 4, planted mistake: dW summed over the positions of the first
 * sample only, as if the batch were one sample. dx and db right. */
#include "exercises/exercises.h"

void ex_conv1d_backward(const tg_tensor *x, const tg_tensor *W, int stride, const tg_tensor *dy,
                        tg_tensor *dx, tg_tensor *dW, tg_tensor *db)
{
    const int N = dy->shape.dim[0], T_out = dy->shape.dim[1], C_out = dy->shape.dim[2];
    const int K = W->shape.dim[0], C_in = W->shape.dim[1];
    for (int n = 0; n < N; n++)
        for (int t = 0; t < T_out; t++)
            for (int o = 0; o < C_out; o++) {
                const tg_real g = TG_AT(dy, n, t, o);
                TG_AT(db, o) += g;
                for (int k = 0; k < K; k++)
                    for (int c = 0; c < C_in; c++) {
                        if (n == 0)
                            TG_AT(dW, k, c, o) += g * TG_AT(x, n, t * stride + k, c);
                        TG_AT(dx, n, t * stride + k, c) += g * TG_AT(W, k, c, o);
                    }
            }
}
