/* The fused convolution: one op, im2col + GEMM forward, backward derived by
 * hand (docs/conv.md).
 *
 * im2col lays every receptive field out as a row: with K = kh kw C_in,
 *
 *     cols[(n, i, j), (k, l, c)] = x[n, i s_h + k - p_h, j s_w + l - p_w, c]   (0 off the input)
 *
 * so that, with the kernel seen as a (K, C_out) matrix (its Keras layout
 * already is, row-major), the whole convolution is one product
 *
 *     Y = cols W + b            Y: (N OH OW, C_out)
 *
 * and its gradients are those of a matrix product:
 *
 *     dW = cols^T dY,   db = sum over rows of dY,   dcols = dY W^T,
 *
 * then dx = col2im(dcols): each entry of dcols is added back to the input
 * element it was copied from (an element read by several windows gets the
 * sum). Everything lives in the tape's arena.
 *
 * cols and dcols are K times larger than x (9 times for the document's images:
 * 1.56 MB for a batch of 32 in double, 779 KB in float) and never stored
 * whole: the forward and the
 * backward run one sample at a time, each building that sample's rows of
 * cols (or of dcols) in a small buffer that stays in cache; the backward
 * builds cols again from x, which is cheaper than reading them back from
 * memory. */
#include "layers/layers.h"

#include "kernels/kernels.h"
#include "layers/internal/im2col.h"

/* The per-sample passes. The samples are cut into a few contiguous ranges
 * per thread (items of tg_parallel_for); an item owns a buffer of OH OW
 * rows of cols, rebuilt for each of its samples while it is in cache. The
 * ranges depend on the thread count, but every value computed belongs to
 * one sample (a row of Y, its part of dx, or its share of dW and db, summed over
 * the samples afterwards in their order): results do not. */
enum { ITEMS_PER_THREAD = 4 };

typedef struct {
    const tg_conv2d_geometry *g;
    const tg_real *x, *kernel;
    const tg_real *bias; /* forward; NULL: no bias */
    tg_real *y;          /* forward */
    const tg_real *dy;   /* backward */
    tg_real *dx;         /* backward: dL/dx, or NULL */
    tg_real *dw_n;       /* backward: N (K, C_out) shares of dW, or NULL */
    tg_real *db_n;       /* backward: N (C_out) shares of db, or NULL */
    tg_real *cols;       /* items buffers of OH OW rows of K */
    int items;
    int rows, K, F;      /* OH OW rows of a sample, K = kh kw C_in, F = C_out */
} sample_job;

static sample_job sample_job_for(tg_tape *tape, const tg_conv2d_geometry *g, const tg_real *x)
{
    const int threads = tg_get_threads();
    sample_job job = {.g = g, .x = x};
    job.items = threads == 1 ? 1 : threads * ITEMS_PER_THREAD;
    if (job.items > g->n)
        job.items = g->n;
    job.rows = g->h.out * g->w.out;
    job.K = g->h.size * g->w.size * g->c_in;
    job.F = g->c_out;
    job.cols = tg_tape_alloc(tape, (size_t)job.items * (size_t)job.rows * (size_t)job.K *
                                       sizeof(tg_real));
    return job;
}

/* Item `item`'s samples [*lo, *hi) and its cols buffer. */
static tg_real *item_samples(const sample_job *job, int item, int *lo, int *hi)
{
    *lo = (int)((long)job->g->n * item / job->items);
    *hi = (int)((long)job->g->n * (item + 1) / job->items);
    return job->cols + (size_t)item * (size_t)job->rows * (size_t)job->K;
}

/* Forward, sample by sample:
 *   y[n, i, j, o] = b[o] + sum_{k, l, c} W[k, l, c, o] x[n, i s_h + k - p_h, j s_w + l - p_w, c]
 * as im2col, then Y_n = cols_n W, then + b. */
static void forward_item(void *ctx, int item)
{
    const sample_job *job = ctx;
    const int rows = job->rows, K = job->K, F = job->F;
    int lo, hi;
    tg_real *cols = item_samples(job, item, &lo, &hi);
    for (int n = lo; n < hi; n++) {
        tg_im2col_sample(job->g, job->x, n, cols);
        tg_real *y = job->y + (size_t)n * (size_t)rows * (size_t)F;
        /* Y_n = cols_n W */
        tg_gemm(0, 0, rows, F, K, 1, cols, K, job->kernel, F, 0, y, F);
        if (!job->bias)
            continue;
        /* Y_n += b, row by row */
        for (int r = 0; r < rows; r++) {
            tg_real *restrict yr = y + (size_t)r * (size_t)F;
            const tg_real *restrict b = job->bias;
#pragma omp simd
            for (int o = 0; o < F; o++)
                yr[o] += b[o];
        }
    }
}

/* Sample n's gradients, while its rows of cols and of dY are in cache: its
 * shares dW_n = cols_n^T dY_n and db_n = sum over its rows of dY, and its
 * part of dx = col2im(dcols_n), dcols_n = dY_n W^T (in the same buffer,
 * after dW_n). */
static void grad_item(void *ctx, int item)
{
    const sample_job *job = ctx;
    const int rows = job->rows, K = job->K, F = job->F;
    int lo, hi;
    tg_real *cols = item_samples(job, item, &lo, &hi);
    for (int n = lo; n < hi; n++) {
        const tg_real *dy = job->dy + (size_t)n * (size_t)rows * (size_t)F;
        if (job->dw_n) {
            tg_im2col_sample(job->g, job->x, n, cols);
            tg_gemm(1, 0, K, F, rows, 1, cols, K, dy, F, 0,
                    job->dw_n + (size_t)n * (size_t)K * (size_t)F, F);
        }
        if (job->db_n) {
            tg_real *restrict db = job->db_n + (size_t)n * (size_t)F;
            for (int o = 0; o < F; o++)
                db[o] = 0;
            for (int r = 0; r < rows; r++) {
                const tg_real *restrict dyr = dy + (size_t)r * (size_t)F;
#pragma omp simd
                for (int o = 0; o < F; o++)
                    db[o] += dyr[o];
            }
        }
        if (job->dx) {
            tg_gemm(0, 1, rows, K, F, 1, dy, F, job->kernel, F, 0, cols, K);
            tg_col2im_add_sample(job->g, cols, n, job->dx);
        }
    }
}

/* total += the N shares, in the order of the samples. */
static void add_shares(tg_real *restrict total, const tg_real *restrict shares, int n, size_t size)
{
    for (int s = 0; s < n; s++) {
        const tg_real *restrict share = shares + (size_t)s * size;
#pragma omp simd
        for (size_t e = 0; e < size; e++)
            total[e] += share[e];
    }
}

static void conv2d_backward(tg_tape *tape, tg_node *node)
{
    const tg_conv2d_geometry *g = node->ctx;
    const size_t K = (size_t)g->h.size * (size_t)g->w.size * (size_t)g->c_in, F = (size_t)g->c_out;
    tg_real *dW = tg_node_in_grad(tape, node, 1);
    tg_real *db = node->n_in > 2 ? tg_node_in_grad(tape, node, 2) : NULL;
    sample_job job = sample_job_for(tape, g, node->in[0]->data);
    job.kernel = node->in[1]->data;
    job.dy = node->out->grad;
    job.dx = tg_node_in_grad(tape, node, 0);
    /* dW = cols^T dY = sum over n of cols_n^T dY_n,  db = sum over rows of dY */
    if (dW)
        job.dw_n = tg_tape_alloc(tape, (size_t)g->n * K * F * sizeof(tg_real));
    if (db)
        job.db_n = tg_tape_alloc(tape, (size_t)g->n * F * sizeof(tg_real));
    /* dcols = dY W^T, dx = col2im(dcols), sample by sample */
    tg_parallel_for(job.items, grad_item, &job);
    if (dW)
        add_shares(dW, job.dw_n, g->n, K * F);
    if (db)
        add_shares(db, job.db_n, g->n, F);
}

tg_tensor *tg_conv2d_fused(tg_tape *tape, tg_tensor *x, tg_tensor *kernel, tg_tensor *bias,
                           const int strides[2], tg_padding padding)
{
    tg_conv2d_geometry *g = tg_tape_alloc(tape, sizeof *g);
    *g = tg_conv2d_geometry_of("conv2d_fused", x, kernel, bias, strides, padding);

    /* Y = cols W + b, sample by sample (see the top of this file) */
    tg_tensor *y = tg_tape_tensor(tape, TG_SHAPE(g->n, g->h.out, g->w.out, g->c_out));
    sample_job job = sample_job_for(tape, g, x->data);
    job.kernel = kernel->data;
    job.bias = bias ? bias->data : NULL;
    job.y = y->data;
    tg_parallel_for(job.items, forward_item, &job);

    tg_tensor *in[3] = {x, kernel, bias};
    tg_node *node = tg_tape_record(tape, "conv2d_fused", y, in, bias ? 3 : 2, conv2d_backward);
    if (node)
        node->ctx = g;
    return y;
}
