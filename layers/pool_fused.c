/* The fused max-pool: one op. The forward keeps, for every output, the
 * index in x of the element that won (the first maximum in window order);
 * the backward routes each output's gradient there:
 *
 *     dx[argmax[n, i, j, c]] += dy[n, i, j, c]
 *
 * Elements in the padding are skipped, which is what padding with
 * -infinity means. */
#include "layers/layers.h"

#include <limits.h>

#include "kernels/kernels.h"

/* y = max(y, x_kl) over the channels, with the winner's index: only a
 * strictly larger element replaces, so a tie keeps the first. Selects, not
 * branches (which one wins is data, not a pattern), and vectorised (the
 * -O2 cost model would not, as C is only known at run time). */
static inline void max_into(int C, const tg_real *restrict xv, int at, tg_real *restrict yv,
                            int *restrict arg)
{
#pragma omp simd
    for (int c = 0; c < C; c++) {
        const int wins = xv[c] > yv[c];
        yv[c] = wins ? xv[c] : yv[c];
        arg[c] = wins ? at + c : arg[c];
    }
}

/* Forward and backward over the batch, one sample per item of
 * tg_parallel_for: sample n owns its outputs, their argmax and its part of
 * dx (a window never crosses samples), so threads write disjoint memory and
 * the results are the same for any thread count. */
typedef struct {
    const tg_pool2d_geometry *g;
    const tg_real *x;
    tg_real *y;
    int *argmax;
    size_t per_sample; /* outputs per sample */
} pool_job;

/* y[n, i, j, c] = max over k < P_h, l < P_w of x[n, i s_h + k - p_h, j s_w + l - p_w, c]
 * (elements in the padding take no part), argmax = where it was found. */
static void maxpool2d_sample(void *ctx, int n)
{
    const pool_job *job = ctx;
    const tg_pool2d_geometry *g = job->g;
    const int C = g->c;
    tg_real *yv = job->y + (size_t)n * job->per_sample;
    int *arg = job->argmax + (size_t)n * job->per_sample;
    for (int i = 0; i < g->h.out; i++)
        for (int j = 0; j < g->w.out; j++, yv += C, arg += C) {
            int first = 1;
            for (int k = 0; k < g->h.size; k++) {
                const int r = tg_window_start(&g->h, i) + k;
                if (r < 0 || r >= g->h.in)
                    continue;
                for (int l = 0; l < g->w.size; l++) {
                    const int s = tg_window_start(&g->w, j) + l;
                    if (s < 0 || s >= g->w.in)
                        continue;
                    const int at = ((n * g->h.in + r) * g->w.in + s) * C;
                    const tg_real *xv = job->x + at;
                    if (first) {
                        for (int c = 0; c < C; c++) {
                            yv[c] = xv[c];
                            arg[c] = at + c;
                        }
                        first = 0;
                        continue;
                    }
                    max_into(C, xv, at, yv, arg);
                }
            }
        }
}

typedef struct {
    const int *argmax;
    const tg_real *dy;
    tg_real *dx;
    size_t per_sample;
} pool_grad_job;

/* dx[argmax[k]] += dy[k] over sample n's outputs */
static void maxpool2d_backward_sample(void *ctx, int n)
{
    const pool_grad_job *job = ctx;
    const size_t first = (size_t)n * job->per_sample;
    for (size_t k = first; k < first + job->per_sample; k++)
        job->dx[job->argmax[k]] += job->dy[k];
}

static void maxpool2d_backward(tg_tape *tape, tg_node *node)
{
    const int *argmax = node->ctx; /* one per output element: an index into x */
    const int N = node->out->shape.dim[0];
    pool_grad_job job = {argmax, node->out->grad, tg_node_in_grad(tape, node, 0),
                         N ? node->out->size / (size_t)N : 0};
    tg_parallel_for(N, maxpool2d_backward_sample, &job);
}

tg_tensor *tg_maxpool2d_fused(tg_tape *tape, tg_tensor *x, const int pool[2],
                              const int strides[2], tg_padding padding)
{
    const tg_pool2d_geometry g = tg_pool2d_geometry_of("maxpool2d_fused", x, pool, strides, padding);
    if (x->size > INT_MAX)
        tg_fatal("maxpool2d_fused: %zu input elements are more than an int indexes", x->size);
    tg_tensor *y = tg_tape_tensor(tape, TG_SHAPE(g.n, g.h.out, g.w.out, g.c));
    int *argmax = tg_tape_alloc(tape, y->size * sizeof *argmax);
    pool_job job = {&g, x->data, y->data, argmax, (size_t)g.h.out * g.w.out * g.c};
    tg_parallel_for(g.n, maxpool2d_sample, &job);
    tg_node *node = tg_tape_record(tape, "maxpool2d_fused", y, &x, 1, maxpool2d_backward);
    if (node)
        node->ctx = argmax;
    return y;
}
