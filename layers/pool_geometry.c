/* Shape checks of the max-pool ops, and MaxPooling1D as a 2-D pool of height 1. */
#include "layers/layers.h"

#include <stdio.h>

#include "autograd/autograd.h"

static void describe(char *buf, size_t len, const char *op, const tg_tensor *x, int rank,
                     const int pool[2])
{
    char sx[TG_SHAPE_STR_LEN];
    tg_shape_str(x->shape, sx, sizeof sx);
    if (rank == 1)
        snprintf(buf, len, "%s: input %s, pool %d", op, sx, pool[1]);
    else
        snprintf(buf, len, "%s: input %s, pool (%d, %d)", op, sx, pool[0], pool[1]);
}

tg_pool2d_geometry tg_pool2d_geometry_of(const char *op, const tg_tensor *x, const int pool[2],
                                         const int strides[2], tg_padding padding)
{
    char who[2 * TG_SHAPE_STR_LEN];
    describe(who, sizeof who, op, x, 2, pool);
    if (x->shape.ndim != 4)
        tg_fatal("%s: expected an input (N, H, W, C)", who);
    tg_pool2d_geometry g;
    g.n = x->shape.dim[0];
    g.c = x->shape.dim[3];
    g.h = tg_window_make(who, x->shape.dim[1], pool[0], strides[0], padding);
    g.w = tg_window_make(who, x->shape.dim[2], pool[1], strides[1], padding);
    return g;
}

typedef tg_tensor *(*pool2d_fn)(tg_tape *tape, tg_tensor *x, const int pool[2],
                                const int strides[2], tg_padding padding);

static tg_tensor *pool1d_as_2d(const char *op, pool2d_fn pool2d, tg_tape *tape, tg_tensor *x,
                               int pool, int stride, tg_padding padding)
{
    char who[2 * TG_SHAPE_STR_LEN];
    describe(who, sizeof who, op, x, 1, (const int[]){1, pool});
    if (x->shape.ndim != 3)
        tg_fatal("%s: expected an input (N, T, C)", who);
    tg_window_make(who, x->shape.dim[1], pool, stride, padding);
    const int n = x->shape.dim[0], t = x->shape.dim[1], c = x->shape.dim[2];
    tg_tensor *x2 = tg_reshape(tape, x, TG_SHAPE(n, 1, t, c));
    tg_tensor *y2 = pool2d(tape, x2, (const int[]){1, pool}, (const int[]){1, stride}, padding);
    return tg_reshape(tape, y2, TG_SHAPE(n, y2->shape.dim[2], c));
}

tg_tensor *tg_maxpool1d_reference(tg_tape *tape, tg_tensor *x, int pool, int stride,
                                  tg_padding padding)
{
    return pool1d_as_2d("maxpool1d_reference", tg_maxpool2d_reference, tape, x, pool, stride,
                        padding);
}

tg_tensor *tg_maxpool1d_fused(tg_tape *tape, tg_tensor *x, int pool, int stride,
                              tg_padding padding)
{
    return pool1d_as_2d("maxpool1d_fused", tg_maxpool2d_fused, tape, x, pool, stride, padding);
}
