/* MaxPooling1D and MaxPooling2D, channels-last as in Keras (section 3.3.2):
 *
 *     y[n, i, j, c] = max_{k < ph, l < pw} x[n, i s_h + k - p_h, j s_w + l - p_w, c]
 *
 * the document's y_i = max(y_i1, ..., y_iS) over the S = ph pw elements of each
 * window. 'same' padding pads with -infinity (a padded element never wins),
 * as Keras does, not with zeros. The gradient of each output goes to one
 * element of its window: the first maximum in window order (row-major over
 * (k, l)), in both paths, so they agree exactly (docs/maxpool.md). */
#ifndef TG_POOL_H
#define TG_POOL_H

#include "layers/layer.h"
#include "layers/window.h"

/* Options; zero means Keras's default. */
typedef struct tg_pool2d_opts {
    int pool[2];        /* 0 -> 2 */
    int strides[2];     /* 0 -> the pool size */
    tg_padding padding; /* TG_VALID (default) or TG_SAME */
} tg_pool2d_opts;

typedef struct tg_pool1d_opts {
    int pool;           /* 0 -> 2 */
    int stride;         /* 0 -> the pool size */
    tg_padding padding;
} tg_pool1d_opts;

/* Default names "max_pooling2d" and "max_pooling1d"; no parameters. The
 * path is layer->path (fused unless set to TG_PATH_REFERENCE). */
tg_layer *tg_maxpool2d(tg_pool2d_opts o);
tg_layer *tg_maxpool1d(tg_pool1d_opts o);

typedef struct tg_pool2d_geometry {
    int n, c;
    tg_window h, w;
} tg_pool2d_geometry;

/* Checks x (N, H, W, C), pool sizes and strides >= 1; stops with a line
 * naming `op` and the shapes. */
tg_pool2d_geometry tg_pool2d_geometry_of(const char *op, const tg_tensor *x, const int pool[2],
                                         const int strides[2], tg_padding padding);

/* The two paths as tape ops. */
tg_tensor *tg_maxpool2d_reference(tg_tape *tape, tg_tensor *x, const int pool[2],
                                  const int strides[2], tg_padding padding);
tg_tensor *tg_maxpool2d_fused(tg_tape *tape, tg_tensor *x, const int pool[2],
                              const int strides[2], tg_padding padding);
/* MaxPooling1D: x (N, T, C), run as a 2-D pool of height 1 on a reshaped view. */
tg_tensor *tg_maxpool1d_reference(tg_tape *tape, tg_tensor *x, int pool, int stride,
                                  tg_padding padding);
tg_tensor *tg_maxpool1d_fused(tg_tape *tape, tg_tensor *x, int pool, int stride,
                              tg_padding padding);

#endif
