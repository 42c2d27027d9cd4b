/* Exercise 3, planted mistake: the gradient sent to every element equal to
 * the window's maximum, so a tie passes on twice its gradient. */
#include "exercises/exercises.h"

void ex_maxpool2d_backward(const tg_tensor *x, int pool, int stride, const tg_tensor *dy,
                           tg_tensor *dx)
{
    const int N = dy->shape.dim[0], OH = dy->shape.dim[1], OW = dy->shape.dim[2];
    const int C = dy->shape.dim[3];
    for (int n = 0; n < N; n++)
        for (int i = 0; i < OH; i++)
            for (int j = 0; j < OW; j++)
                for (int c = 0; c < C; c++) {
                    tg_real best = TG_AT(x, n, i * stride, j * stride, c);
                    for (int k = 0; k < pool; k++)
                        for (int l = 0; l < pool; l++)
                            if (TG_AT(x, n, i * stride + k, j * stride + l, c) > best)
                                best = TG_AT(x, n, i * stride + k, j * stride + l, c);
                    for (int k = 0; k < pool; k++)
                        for (int l = 0; l < pool; l++)
                            if (TG_AT(x, n, i * stride + k, j * stride + l, c) == best)
                                TG_AT(dx, n, i * stride + k, j * stride + l, c) +=
                                    TG_AT(dy, n, i, j, c);
                }
}
