/* im2col and col2im for one sample of a 2-D convolution (im2col.c): the
 * rows of the matrix whose product with the kernel (K, C_out), K = kh kw
 * C_in, is the convolution. Not installed. */
#ifndef TG_LAYERS_IM2COL_H
#define TG_LAYERS_IM2COL_H

#include "layers/layers.h"

/* Sample n's rows of cols, into cols (OH OW rows of K):
 * cols[(n, i, j), (k, l, c)] = x[n, i s_h + k - p_h, j s_w + l - p_w, c], or 0. */
void tg_im2col_sample(const tg_conv2d_geometry *g, const tg_real *x, int n, tg_real *cols);

/* The adjoint, for sample n: every entry of its rows of dcols (OH OW rows
 * of K) is added to the element of dx it was copied from. */
void tg_col2im_add_sample(const tg_conv2d_geometry *g, const tg_real *dcols, int n, tg_real *dx);

#endif
