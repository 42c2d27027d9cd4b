/* im2col and its adjoint, one sample at a time: what the fused convolution
 * (conv_fused.c) and the fused ConvLSTM2D (conv_lstm_fused.c) share. With
 * K = kh kw C_in,
 *
 *     cols[(n, i, j), (k, l, c)] = x[n, i s_h + k - p_h, j s_w + l - p_w, c]   (0 off the input)
 *
 * and col2im adds every entry of dcols back to the input element it was
 * copied from. */
#include "layers/internal/im2col.h"

/* The run of one receptive-field row: for output pixel (n, i, j) and kernel
 * row k, the kw C entries (l, c) of cols come from input row
 * r = i s_h + k - p_h, columns s = j s_w - p_w + l, all channels -- and
 * since the channels of neighbouring columns are neighbours in x, the whole
 * run is contiguous in x unless it reaches into the padding. Returns the
 * offset in x of its first element, or -1 when part of it is padding (then
 * the caller goes element by element). */
static inline long field_run(const tg_conv2d_geometry *g, int n, int i, int j, int k)
{
    const int r = tg_window_start(&g->h, i) + k;
    const int s = tg_window_start(&g->w, j);
    if (r < 0 || r >= g->h.in || s < 0 || s + g->w.size > g->w.in)
        return -1;
    return (((long)n * g->h.in + r) * g->w.in + s) * g->c_in;
}

/* The offset in x of pixel (n, i s_h + k - p_h, j s_w + l - p_w), channel 0,
 * or -1 when it falls in the padding. */
static inline long field_pixel(const tg_conv2d_geometry *g, int n, int i, int j, int k, int l)
{
    const int r = tg_window_start(&g->h, i) + k;
    const int s = tg_window_start(&g->w, j) + l;
    if (r < 0 || r >= g->h.in || s < 0 || s >= g->w.in)
        return -1;
    return (((long)n * g->h.in + r) * g->w.in + s) * g->c_in;
}

/* The run (l, c) of window j in input row xr (in_row = 0: a row of the
 * padding), 0 where it reaches into the padding. */
static void padded_run(const tg_conv2d_geometry *g, const tg_real *xr, int in_row, int j,
                       tg_real *dst)
{
    const int C = g->c_in, s = tg_window_start(&g->w, j);
    for (int l = 0; l < g->w.size; l++) {
        const int inside = in_row && s + l >= 0 && s + l < g->w.in;
        for (int c = 0; c < C; c++)
            dst[l * C + c] = inside ? xr[(s + l) * C + c] : 0;
    }
}

/* Sample n's rows of cols, into cols (OH OW rows of K):
 * cols[(n, i, j), (k, l, c)] = x[n, i s_h + k - p_h, j s_w + l - p_w, c], or 0.
 * Kernel row k of output row i reads input row r = i s_h + k - p_h for every
 * j. The windows j_lo <= j < j_hi lie inside the row: their (l, c) run, kw C
 * values, is contiguous in x, and entry e of it is copied for all of them in
 * one loop over j (runs are short: 3 for the document's images). The windows
 * that reach into the padding, and the rows of the padding, go element by
 * element. */
void tg_im2col_sample(const tg_conv2d_geometry *g, const tg_real *x, int n, tg_real *cols)
{
    const int C = g->c_in, run = g->w.size * C, K = g->h.size * run;
    int j_lo = 0, j_hi = g->w.out;
    while (j_lo < j_hi && tg_window_start(&g->w, j_lo) < 0)
        j_lo++;
    while (j_hi > j_lo && tg_window_start(&g->w, j_hi - 1) + g->w.size > g->w.in)
        j_hi--;
    for (int i = 0; i < g->h.out; i++)
        for (int k = 0; k < g->h.size; k++) {
            const int r = tg_window_start(&g->h, i) + k;
            const int in_row = r >= 0 && r < g->h.in;
            const tg_real *xr = x;
            if (in_row)
                xr += (((size_t)n * g->h.in + (size_t)r) * g->w.in) * C;
            tg_real *dst = cols + (size_t)i * g->w.out * K + (size_t)k * run;
            if (!in_row) {
                for (int j = 0; j < g->w.out; j++)
                    padded_run(g, xr, 0, j, dst + (size_t)j * K);
                continue;
            }
            for (int j = 0; j < j_lo; j++)
                padded_run(g, xr, 1, j, dst + (size_t)j * K);
            for (int j = j_hi; j < g->w.out; j++)
                padded_run(g, xr, 1, j, dst + (size_t)j * K);
            if (j_lo == j_hi)
                continue;
            const int step = g->w.stride * C;
            for (int e = 0; e < run; e++) {
                const tg_real *src = xr + tg_window_start(&g->w, j_lo) * C + e;
                tg_real *to = dst + (size_t)j_lo * K + e;
                for (int j = j_lo; j < j_hi; j++, src += step, to += K)
                    *to = *src;
            }
        }
}

/* The adjoint of im2col, for sample n: every entry of its rows of dcols
 * (OH OW rows of K) is added to the pixel of dx it was copied from. A
 * window never crosses samples: sample n writes only its own part of dx. */
void tg_col2im_add_sample(const tg_conv2d_geometry *g, const tg_real *dcols, int n,
                              tg_real *dx)
{
    const int C = g->c_in, run = g->w.size * C;
    const tg_real *src = dcols;
    for (int i = 0; i < g->h.out; i++)
        for (int j = 0; j < g->w.out; j++)
            for (int k = 0; k < g->h.size; k++, src += run) {
                const long start = field_run(g, n, i, j, k);
                if (start >= 0) {
                    tg_real *restrict to = dx + start;
                    const tg_real *restrict from = src;
#pragma omp simd
                    for (int e = 0; e < run; e++)
                        to[e] += from[e];
                    continue;
                }
                for (int l = 0; l < g->w.size; l++) {
                    const long at = field_pixel(g, n, i, j, k, l);
                    if (at >= 0)
                        for (int c = 0; c < C; c++)
                            dx[at + c] += src[l * C + c];
                }
            }
}

