/* The reference convolution: the document's y = sum_k sum_l W x + b (section
 * 3.3.2) written term by term with tape ops, so the tape derives the
 * gradient. The document prints the formula with garbled indices; the correct
 * one, for channels-last input and output channel o, is
 *
 *     y[n, i, j, o] = b[o] + sum_{k, l, c} W[k, l, c, o] x[n, i s_h + k, j s_w + l, c]
 *
 * on the zero-padded input (docs/conv.md). For one kernel offset (k, l) the
 * inputs x[n, i s_h + k, j s_w + l, :] over all (i, j) are one strided slice
 * of x, and the sum over c is a matrix product with W[k, l] (C_in, C_out). */
#include "layers/layers.h"

#include "autograd/autograd.h"

tg_tensor *tg_conv2d_reference(tg_tape *tape, tg_tensor *x, tg_tensor *kernel, tg_tensor *bias,
                               const int strides[2], tg_padding padding)
{
    const tg_conv2d_geometry g =
        tg_conv2d_geometry_of("conv2d_reference", x, kernel, bias, strides, padding);
    tg_tensor *xp = x;
    if (g.h.pad_before + g.h.pad_after > 0)
        xp = tg_pad(tape, xp, 1, g.h.pad_before, g.h.pad_after);
    if (g.w.pad_before + g.w.pad_after > 0)
        xp = tg_pad(tape, xp, 2, g.w.pad_before, g.w.pad_after);

    /* y = sum_k sum_l x[:, i s_h + k, j s_w + l, :] @ W[k, l] + b */
    tg_tensor *y = NULL;
    for (int k = 0; k < g.h.size; k++) {
        tg_tensor *x_k = tg_slice(tape, xp, 1, k, g.h.out, g.h.stride);
        tg_tensor *W_k = tg_slice(tape, kernel, 0, k, 1, 1);
        for (int l = 0; l < g.w.size; l++) {
            tg_tensor *x_kl = tg_slice(tape, x_k, 2, l, g.w.out, g.w.stride);
            tg_tensor *W_kl = tg_slice(tape, W_k, 1, l, 1, 1);
            W_kl = tg_reshape(tape, W_kl, TG_SHAPE(g.c_in, g.c_out));
            tg_tensor *term = tg_matmul(tape, x_kl, W_kl);
            y = y ? tg_add(tape, y, term) : term;
        }
    }
    return bias ? tg_add(tape, y, bias) : y;
}
