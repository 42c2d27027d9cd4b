/* The reference max-pool: the seed's y_i = max(y_i1, ..., y_iS) (section
 * 3.3.2) written with tape ops. For one window offset (k, l) the elements
 * x[n, i s_h + k, j s_w + l, c] over all (i, j) are one strided slice of
 * the (padded) input, so the pool is a chain of element-wise maxima of S
 * slices:
 *
 *     y = max(max(max(x_00, x_01), x_02), ...)      offsets in row-major order
 *
 * tg_maximum sends a tie's gradient to its first argument, so the chain
 * sends it to the first maximum in window order, as the fused op does. */
#include "layers/pool.h"

#include <math.h>

#include "autograd/ops.h"

/* Pads x along H and W with -infinity (Keras's 'same' pooling): zero
 * padding from tg_pad, plus a constant that is -infinity on the padding. */
static tg_tensor *pad_minus_infinity(tg_tape *tape, tg_tensor *x, const tg_pool2d_geometry *g)
{
    tg_tensor *xp = tg_pad(tape, x, 1, g->h.pad_before, g->h.pad_after);
    xp = tg_pad(tape, xp, 2, g->w.pad_before, g->w.pad_after);
    tg_tensor *mask = tg_tape_tensor(tape, xp->shape);
    const int H = xp->shape.dim[1], W = xp->shape.dim[2];
    tg_real *m = mask->data;
    for (int n = 0; n < g->n; n++)
        for (int r = 0; r < H; r++)
            for (int s = 0; s < W; s++) {
                const int inside = r >= g->h.pad_before && r < g->h.pad_before + g->h.in &&
                                   s >= g->w.pad_before && s < g->w.pad_before + g->w.in;
                for (int c = 0; c < g->c; c++)
                    *m++ = inside ? 0 : -INFINITY;
            }
    return tg_add(tape, xp, mask);
}

tg_tensor *tg_maxpool2d_reference(tg_tape *tape, tg_tensor *x, const int pool[2],
                                  const int strides[2], tg_padding padding)
{
    const tg_pool2d_geometry g = tg_pool2d_geometry_of("maxpool2d_reference", x, pool, strides,
                                                       padding);
    const int padded = g.h.pad_before + g.h.pad_after + g.w.pad_before + g.w.pad_after > 0;
    tg_tensor *xp = padded ? pad_minus_infinity(tape, x, &g) : x;

    /* y_i = max(y_i1, ..., y_iS) */
    tg_tensor *y = NULL;
    for (int k = 0; k < g.h.size; k++)
        for (int l = 0; l < g.w.size; l++) {
            tg_tensor *x_kl = tg_slice(tape, xp, 1, k, g.h.out, g.h.stride);
            x_kl = tg_slice(tape, x_kl, 2, l, g.w.out, g.w.stride);
            y = y ? tg_maximum(tape, y, x_kl) : x_kl;
        }
    return y;
}
