/* A correct backward of Conv1D (exercise 4): the forward's loops, each term
 * W[k, c, o] x[n, t s + k, c] sending dy[n, t, o] back to both of its
 * factors; with the planted mistakes of this folder as switches (each
 * planted file defines one PLANT_... and includes this file). */
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
#ifdef PLANT_DW_FIRST_SAMPLE_ONLY
                        if (n == 0)
#endif
                            TG_AT(dW, k, c, o) += g * TG_AT(x, n, t * stride + k, c);
#if defined(PLANT_DX_KERNEL_FLIPPED)
                        TG_AT(dx, n, t * stride + k, c) += g * TG_AT(W, K - 1 - k, c, o);
#elif defined(PLANT_DX_IGNORES_STRIDE)
                        TG_AT(dx, n, t + k, c) += g * TG_AT(W, k, c, o);
#else
                        TG_AT(dx, n, t * stride + k, c) += g * TG_AT(W, k, c, o);
#endif
                    }
            }
}
