/* The fused SimpleRNN: the whole sequence as one tape node, with the
 * backward pass derived by hand (docs/tutorial-09-vanishing.md, "The
 * backward of SimpleRNN").
 *
 * Forward, for N sequences of T steps, D inputs, H units:
 *   1. Z = x W + b: the input part of all N T steps in one GEMM;
 *   2. per step, z_t += h_{t-1} U (one GEMM), then h_t = tanh(z_t).
 * The backward needs h_{t-1} (kept, laid out (N, T, H) like x, so that
 * dL/dU is one GEMM over all N T rows) and h_t (the output itself:
 * tanh' = 1 - h_t^2). */
#include "layers/internal/simple_rnn_layer.h"

#include <string.h>

#include "kernels/kernels.h"

typedef struct {
    int N, T, D, H;
    int in_h0;        /* input index of h0, or -1 when zero */
    tg_real *h_prev;  /* (N, T, H): h_{t-1} of step t */
} fused_ctx;

enum { IN_X = 0, IN_W, IN_U, IN_B, IN_H0 };

static void simple_rnn_fused_backward(tg_tape *tape, tg_node *node)
{
    const fused_ctx *c = node->ctx;
    const int N = c->N, T = c->T, D = c->D, H = c->H, ld = T * H;
    const size_t NT = (size_t)N * (size_t)T, NH = (size_t)N * (size_t)H;
    const tg_real *h = node->out->data, *dh_out = node->out->grad;
    const tg_real *W = node->in[IN_W]->data, *U = node->in[IN_U]->data;
    tg_real *dZ = tg_tape_alloc(tape, NT * H * sizeof(tg_real));
    tg_real *dh = tg_tape_alloc(tape, NH * sizeof(tg_real));
    memset(dh, 0, NH * sizeof *dh);
    /* Backpropagation through time: dh holds dL/dh_t through step t+1. */
    for (int t = T - 1; t >= 0; t--) {
        for (int n = 0; n < N; n++) {
            const size_t row = ((size_t)n * T + (size_t)t) * (size_t)H;
            tg_real *restrict dz = dZ + row;
            const tg_real *restrict h_t = h + row, *restrict g = dh_out + row;
            const tg_real *restrict carried = dh + (size_t)n * H;
#pragma omp simd
            for (int j = 0; j < H; j++)
                /* dz_t = (dL/dh_t from the output + from step t+1) (.) (1 - h_t^2) */
                dz[j] = (g[j] + carried[j]) * (1 - h_t[j] * h_t[j]);
        }
        /* dL/dh_{t-1} through step t = dz_t U^T */
        tg_gemm(0, 1, N, H, H, 1, dZ + (size_t)t * H, ld, U, H, 0, dh, H);
    }
    tg_real *dh0 = c->in_h0 < 0 ? NULL : tg_node_in_grad(tape, node, c->in_h0);
    for (size_t k = 0; dh0 && k < NH; k++)
        dh0[k] += dh[k];
    /* dL/dx = dZ W^T */
    tg_real *dx = tg_node_in_grad(tape, node, IN_X);
    if (dx)
        tg_gemm(0, 1, (int)NT, D, H, 1, dZ, H, W, H, 1, dx, D);
    /* dL/dW = x^T dZ */
    tg_real *dW = tg_node_in_grad(tape, node, IN_W);
    if (dW)
        tg_gemm(1, 0, D, H, (int)NT, 1, node->in[IN_X]->data, D, dZ, H, 1, dW, H);
    /* dL/dU = h_{t-1}^T dz_t, summed over t */
    tg_real *dU = tg_node_in_grad(tape, node, IN_U);
    if (dU)
        tg_gemm(1, 0, H, H, (int)NT, 1, c->h_prev, H, dZ, H, 1, dU, H);
    /* dL/db = the sum of dz_t over every row */
    tg_real *db = tg_node_in_grad(tape, node, IN_B);
    if (db)
        for (size_t r = 0; r < NT; r++)
#pragma omp simd
            for (int j = 0; j < H; j++)
                db[j] += dZ[r * H + j];
}

tg_tensor *tg_simple_rnn_fused_states(tg_simple_rnn_layer *l, tg_tape *tape, tg_tensor *x,
                                      tg_tensor *h0)
{
    const int N = x->shape.dim[0], T = x->shape.dim[1], D = l->D, H = l->H, ld = T * H;
    const size_t NT = (size_t)N * (size_t)T;
    fused_ctx *c = tg_tape_alloc(tape, sizeof *c);
    c->N = N;
    c->T = T;
    c->D = D;
    c->H = H;
    c->in_h0 = h0 ? IN_H0 : -1;
    c->h_prev = tg_tape_alloc(tape, NT * H * sizeof(tg_real));
    tg_tensor *out = tg_tape_tensor(tape, TG_SHAPE(N, T, H));
    tg_real *z = out->data; /* z_t first, then h_t = tanh(z_t) in place */
    /* Z = x W + b: every step's input part at once */
    tg_gemm(0, 0, (int)NT, H, D, 1, x->data, D, l->W->data, H, 0, z, H);
    for (size_t r = 0; r < NT; r++) {
        tg_real *restrict zr = z + r * H;
        const tg_real *restrict b = l->b->data;
#pragma omp simd
        for (int j = 0; j < H; j++)
            zr[j] += b[j];
    }
    for (int t = 0; t < T; t++) {
        for (int n = 0; n < N; n++) {
            tg_real *hp = c->h_prev + ((size_t)n * T + (size_t)t) * H;
            if (t > 0)
                memcpy(hp, out->data + ((size_t)n * T + (size_t)t - 1) * H, (size_t)H * sizeof *hp);
            else if (h0)
                memcpy(hp, h0->data + (size_t)n * H, (size_t)H * sizeof *hp);
            else
                memset(hp, 0, (size_t)H * sizeof *hp);
        }
        tg_real *z_t = z + (size_t)t * H;
        /* z_t += h_{t-1} U */
        tg_gemm(0, 0, N, H, H, 1, c->h_prev + (size_t)t * H, ld, l->U->data, H, 1, z_t, ld);
        for (int n = 0; n < N; n++) {
            tg_real *restrict zn = z_t + (size_t)n * ld;
#pragma omp simd
            for (int j = 0; j < H; j++)
                /* h_t = tanh(x_t W + h_{t-1} U + b) */
                zn[j] = tg_real_tanh(zn[j]);
        }
    }
    tg_tensor *in[5] = {x, l->W, l->U, l->b, h0};
    tg_node *node = tg_tape_record(tape, "simple_rnn_fused", out, in, h0 ? 5 : 4,
                                   simple_rnn_fused_backward);
    if (node)
        node->ctx = c;
    return out;
}
