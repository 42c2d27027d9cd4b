/* Shape checks of the convolution ops, and Conv1D as a Conv2D of height 1. */
#include "layers/layers.h"

#include <stdio.h>

#include "autograd/autograd.h"

/* "op: input (...), kernel (...)" for messages. */
static void describe(char *buf, size_t len, const char *op, const tg_tensor *x,
                     const tg_tensor *kernel)
{
    char sx[TG_SHAPE_STR_LEN], sk[TG_SHAPE_STR_LEN];
    snprintf(buf, len, "%s: input %s, kernel %s", op, tg_shape_str(x->shape, sx, sizeof sx),
             tg_shape_str(kernel->shape, sk, sizeof sk));
}

tg_conv2d_geometry tg_conv2d_geometry_of(const char *op, const tg_tensor *x,
                                         const tg_tensor *kernel, const tg_tensor *bias,
                                         const int strides[2], tg_padding padding)
{
    char who[3 * TG_SHAPE_STR_LEN];
    describe(who, sizeof who, op, x, kernel);
    if (x->shape.ndim != 4 || kernel->shape.ndim != 4)
        tg_fatal("%s: expected input (N, H, W, C_in) and kernel (kh, kw, C_in, C_out)", who);
    const int c_in = x->shape.dim[3], c_out = kernel->shape.dim[3];
    if (kernel->shape.dim[2] != c_in)
        tg_fatal("%s: the kernel's C_in %d differs from the input's %d channels", who,
                 kernel->shape.dim[2], c_in);
    if (bias && (bias->shape.ndim != 1 || bias->shape.dim[0] != c_out)) {
        char sb[TG_SHAPE_STR_LEN];
        tg_fatal("%s: bias %s, expected (%d)", who, tg_shape_str(bias->shape, sb, sizeof sb),
                 c_out);
    }
    tg_conv2d_geometry g;
    g.n = x->shape.dim[0];
    g.c_in = c_in;
    g.c_out = c_out;
    g.h = tg_window_make(who, x->shape.dim[1], kernel->shape.dim[0], strides[0], padding);
    g.w = tg_window_make(who, x->shape.dim[2], kernel->shape.dim[1], strides[1], padding);
    return g;
}

typedef tg_tensor *(*conv2d_fn)(tg_tape *tape, tg_tensor *x, tg_tensor *kernel, tg_tensor *bias,
                                const int strides[2], tg_padding padding);

/* Checks in 1-D terms (so the message shows the shapes the caller passed),
 * then runs the 2-D op on (N, 1, T, C_in) and (1, k, C_in, C_out). */
static tg_tensor *conv1d_as_2d(const char *op, conv2d_fn conv2d, tg_tape *tape, tg_tensor *x,
                               tg_tensor *kernel, tg_tensor *bias, int stride, tg_padding padding)
{
    char who[3 * TG_SHAPE_STR_LEN];
    describe(who, sizeof who, op, x, kernel);
    if (x->shape.ndim != 3 || kernel->shape.ndim != 3)
        tg_fatal("%s: expected input (N, T, C_in) and kernel (k, C_in, C_out)", who);
    if (kernel->shape.dim[1] != x->shape.dim[2])
        tg_fatal("%s: the kernel's C_in %d differs from the input's %d channels", who,
                 kernel->shape.dim[1], x->shape.dim[2]);
    tg_window_make(who, x->shape.dim[1], kernel->shape.dim[0], stride, padding);
    const int n = x->shape.dim[0], t = x->shape.dim[1], c = x->shape.dim[2];
    const int k = kernel->shape.dim[0], c_out = kernel->shape.dim[2];
    tg_tensor *x2 = tg_reshape(tape, x, TG_SHAPE(n, 1, t, c));
    tg_tensor *k2 = tg_reshape(tape, kernel, TG_SHAPE(1, k, c, c_out));
    tg_tensor *y2 = conv2d(tape, x2, k2, bias, (const int[]){1, stride}, padding);
    return tg_reshape(tape, y2, TG_SHAPE(n, y2->shape.dim[2], c_out));
}

tg_tensor *tg_conv1d_reference(tg_tape *tape, tg_tensor *x, tg_tensor *kernel, tg_tensor *bias,
                               int stride, tg_padding padding)
{
    return conv1d_as_2d("conv1d_reference", tg_conv2d_reference, tape, x, kernel, bias, stride,
                        padding);
}

tg_tensor *tg_conv1d_fused(tg_tape *tape, tg_tensor *x, tg_tensor *kernel, tg_tensor *bias,
                           int stride, tg_padding padding)
{
    return conv1d_as_2d("conv1d_fused", tg_conv2d_fused, tape, x, kernel, bias, stride, padding);
}
