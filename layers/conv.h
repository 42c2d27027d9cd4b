/* Conv1D and Conv2D, channels-last as in Keras (section 3.3.2, corrected):
 *
 *     y[n, i, j, o] = b[o] + sum_{k, l, c} W[k, l, c, o] x[n, i s_h + k - p_h, j s_w + l - p_w, c]
 *
 * a cross-correlation (the kernel is not flipped; Keras and PyTorch compute
 * the same, and so does the document's formula), with zero padding p for 'same'
 * (layers/window.h). Conv1D is the same with one spatial axis:
 * y[n, t, o] = b[o] + sum_{k, c} W[k, c, o] x[n, t s + k - p, c].
 *
 * Layouts are Keras's: x (N, H, W, C_in) or (N, T, C_in); kernel
 * (kh, kw, C_in, C_out) or (k, C_in, C_out); bias (C_out).
 *
 * Two paths (docs/conv.md): the reference one composes tape ops term by
 * term (the tape derives the gradient), the fused one is a single op,
 * im2col + GEMM, with the backward derived by hand. */
#ifndef TG_CONV_H
#define TG_CONV_H

#include "layers/activation.h"
#include "layers/layer.h"
#include "layers/window.h"

/* Options; zero means Keras's default where Keras has one. */
typedef struct tg_conv2d_opts {
    int filters;         /* C_out, required */
    int kernel[2];       /* (kh, kw), required */
    int strides[2];      /* 0 -> 1 */
    tg_padding padding;  /* TG_VALID (default) or TG_SAME */
    tg_activation activation;
    int no_bias;         /* 1: no bias (Keras's use_bias=False) */
} tg_conv2d_opts;

typedef struct tg_conv1d_opts {
    int filters;
    int kernel;          /* required */
    int stride;          /* 0 -> 1 */
    tg_padding padding;
    tg_activation activation;
    int no_bias;
} tg_conv1d_opts;

/* Default names "conv2d" and "conv1d"; glorot_uniform kernel, zero bias.
 * The path is layer->path (fused unless set to TG_PATH_REFERENCE). */
tg_layer *tg_conv2d(tg_conv2d_opts o);
tg_layer *tg_conv1d(tg_conv1d_opts o);

/* The geometry of one 2-D convolution, checked. */
typedef struct tg_conv2d_geometry {
    int n, c_in, c_out;
    tg_window h, w;
} tg_conv2d_geometry;

/* Checks x (N, H, W, C_in), kernel (kh, kw, C_in, C_out), bias (C_out) or
 * NULL and strides >= 1; stops with a line naming `op` and the shapes. */
tg_conv2d_geometry tg_conv2d_geometry_of(const char *op, const tg_tensor *x,
                                         const tg_tensor *kernel, const tg_tensor *bias,
                                         const int strides[2], tg_padding padding);

/* The two paths as tape ops (bias may be NULL), no activation. */
tg_tensor *tg_conv2d_reference(tg_tape *tape, tg_tensor *x, tg_tensor *kernel, tg_tensor *bias,
                               const int strides[2], tg_padding padding);
tg_tensor *tg_conv2d_fused(tg_tape *tape, tg_tensor *x, tg_tensor *kernel, tg_tensor *bias,
                           const int strides[2], tg_padding padding);
/* Conv1D: x (N, T, C_in), kernel (k, C_in, C_out), run as a Conv2D of
 * height 1 on reshaped views (the reshapes share the data). */
tg_tensor *tg_conv1d_reference(tg_tape *tape, tg_tensor *x, tg_tensor *kernel, tg_tensor *bias,
                               int stride, tg_padding padding);
tg_tensor *tg_conv1d_fused(tg_tape *tape, tg_tensor *x, tg_tensor *kernel, tg_tensor *bias,
                           int stride, tg_padding padding);

#endif
