/* The reference max-pool: the document's y_i = max(y_i1, ..., y_iS) (section
 * 3.3.2) written with tape ops. For one window offset (k, l) the elements
 * x[n, i s_h + k, j s_w + l, c] over all (i, j) are one strided slice of
 * the (padded) input, so the pool is a chain of element-wise maxima of S
 * slices:
 *
 *     y = max(max(max(x_00, x_01), x_02), ...)      offsets in row-major order
 *
 * tg_maximum sends a tie's gradient to its first argument, so the chain
 * sends it to the first maximum in window order, as the fused op does. */
#include "layers/layers.h"

#include <math.h>

#include "autograd/autograd.h"

tg_tensor *tg_maxpool2d_reference(tg_tape *tape, tg_tensor *x, const int pool[2],
                                  const int strides[2], tg_padding padding)
{
    const tg_pool2d_geometry g = tg_pool2d_geometry_of("maxpool2d_reference", x, pool, strides,
                                                       padding);
    /* Keras's 'same' pooling pads with -infinity: padding never wins a max */
    tg_tensor *xp = x;
    if (g.h.pad_before + g.h.pad_after > 0)
        xp = tg_pad_value(tape, xp, 1, g.h.pad_before, g.h.pad_after, -INFINITY);
    if (g.w.pad_before + g.w.pad_after > 0)
        xp = tg_pad_value(tape, xp, 2, g.w.pad_before, g.w.pad_after, -INFINITY);

    /* y_i = max(y_i1, ..., y_iS) */
    tg_tensor *y = NULL;
    for (int k = 0; k < g.h.size; k++) {
        tg_tensor *x_k = tg_slice(tape, xp, 1, k, g.h.out, g.h.stride);
        for (int l = 0; l < g.w.size; l++) {
            tg_tensor *x_kl = tg_slice(tape, x_k, 2, l, g.w.out, g.w.stride);
            y = y ? tg_maximum(tape, y, x_kl) : x_kl;
        }
    }
    return y;
}
