/* A correct backward of max-pooling (exercise 3), each window's dy to its
 * first maximum in window order, with the planted mistakes of this folder
 * as switches (each planted file defines one PLANT_... and includes this
 * file). */
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
                    int bk = 0, bl = 0;
                    for (int k = 0; k < pool; k++)
                        for (int l = 0; l < pool; l++) {
                            const tg_real v = TG_AT(x, n, i * stride + k, j * stride + l, c);
                            const tg_real best = TG_AT(x, n, i * stride + bk, j * stride + bl, c);
#ifdef PLANT_LAST_TIED_MAXIMUM
                            const int later_wins = v >= best;
#else
                            const int later_wins = v > best;
#endif
                            if (later_wins) {
                                bk = k;
                                bl = l;
                            }
                        }
                    const tg_real g = TG_AT(dy, n, i, j, c);
#if defined(PLANT_EVERY_TIED_MAXIMUM)
                    const tg_real best = TG_AT(x, n, i * stride + bk, j * stride + bl, c);
                    for (int k = 0; k < pool; k++)
                        for (int l = 0; l < pool; l++)
                            if (TG_AT(x, n, i * stride + k, j * stride + l, c) == best)
                                TG_AT(dx, n, i * stride + k, j * stride + l, c) += g;
#elif defined(PLANT_OVERLAP_OVERWRITTEN)
                    TG_AT(dx, n, i * stride + bk, j * stride + bl, c) = g;
#else
                    TG_AT(dx, n, i * stride + bk, j * stride + bl, c) += g;
#endif
                }
}
