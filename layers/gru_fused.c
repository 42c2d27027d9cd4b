/* The fused GRU: the whole sequence as one tape node, with the backward
 * pass derived by hand (docs/recurrent.md, "The fused GRU backward").
 *
 * Forward, for a batch of N sequences of T steps, H units, G = 3H:
 *   1. Zx = x [W_z | W_r | W_h] + [b_z | b_r | b_h]: the input part of
 *      every gate at every step in one GEMM, (N T, D) (D, 3H);
 *   2. per step, the recurrent part in one GEMM (reset_after: h_{t-1} U + br,
 *      all three blocks; reset before: h_{t-1} [U_z | U_r], then
 *      (r_t (.) h_{t-1}) U_h), and the gates in one pass over (N, 3H).
 * What the backward needs (z_t, r_t, \tilde{h}_t, h_{t-1}, and h_{t-1} U_h +
 * br_h or r_t (.) h_{t-1}) stays in the tape's arena, laid out (N, T, .)
 * like x, so that each weight gradient is one GEMM over all N T rows.
 * Nothing is allocated per time step. */
#include "layers/internal/gru_layer.h"

#include <string.h>

#include "kernels/kernels.h"

typedef struct {
    int N, T, D, H;
    int reset_after;
    int in_h0;                /* input index of h0, or -1 when zero */
    int in_kernel;            /* kernel, recurrent_kernel, bias follow in this order */
    tg_real *gates;           /* (N, T, 3H): z_t, r_t, \tilde{h}_t */
    tg_real *h_prev;          /* (N, T, H): h_{t-1} of step t */
    tg_real *aux;             /* (N, T, H): h_{t-1} U_h + br_h (reset_after), r_t (.) h_{t-1} */
} fused_ctx;

static tg_real *arena_reals(tg_tape *tape, size_t n)
{
    return tg_tape_alloc(tape, n * sizeof(tg_real));
}

/* One step t of reset_after: zh is (N, 3H) scratch; writes the gates, aux
 * and h_t (into hs (N, T, H)). */
static void step_after(fused_ctx *c, int t, const tg_real *U, const tg_real *br, tg_real *zh,
                       tg_real *hs)
{
    const int N = c->N, T = c->T, H = c->H, G = TG_GRU_GATES * H;
    /* [q_z q_r q_h] = h_{t-1} [U_z | U_r | U_h]: three blocks, one GEMM */
    tg_gemm(0, 0, N, G, H, 1, c->h_prev + (size_t)t * H, T * H, U, G, 0, zh, G);
    for (int n = 0; n < N; n++) {
        const size_t row = ((size_t)n * T + (size_t)t) * (size_t)H;
        tg_real *restrict g = c->gates + ((size_t)n * T + (size_t)t) * (size_t)G;
        const tg_real *restrict q = zh + (size_t)n * G, *restrict hp = c->h_prev + row;
        tg_real *restrict q_h = c->aux + row, *restrict h = hs + row;
#pragma omp simd
        for (int j = 0; j < H; j++) {
            /* z_t = \sigma(x_t W_z + b_z + h_{t-1} U_z + br_z) */
            const tg_real z = tg_real_sigmoid(g[j] + q[j] + br[j]);
            /* r_t = \sigma(x_t W_r + b_r + h_{t-1} U_r + br_r) */
            const tg_real r = tg_real_sigmoid(g[H + j] + q[H + j] + br[H + j]);
            /* \tilde{h}_t = \tanh(x_t W_h + b_h + r_t \odot (h_{t-1} U_h + br_h)) */
            q_h[j] = q[2 * H + j] + br[2 * H + j];
            const tg_real hh = tg_real_tanh(g[2 * H + j] + r * q_h[j]);
            /* h_t = z_t \odot h_{t-1} + (1 - z_t) \odot \tilde{h}_t */
            h[j] = z * hp[j] + (1 - z) * hh;
            g[j] = z;
            g[H + j] = r;
            g[2 * H + j] = hh;
        }
    }
}

/* One step t of the GRU with the reset gate before the product: the gates'
 * blocks of Zx receive the recurrent parts in place. */
static void step_before(fused_ctx *c, int t, const tg_real *U, tg_real *hs)
{
    const int N = c->N, T = c->T, H = c->H, G = TG_GRU_GATES * H;
    tg_real *z = c->gates + (size_t)t * G;
    const tg_real *hp = c->h_prev + (size_t)t * H;
    /* [z_z z_r] += h_{t-1} [U_z | U_r]: two blocks, one GEMM */
    tg_gemm(0, 0, N, 2 * H, H, 1, hp, T * H, U, G, 1, z, T * G);
    for (int n = 0; n < N; n++) {
        const size_t row = ((size_t)n * T + (size_t)t) * (size_t)H;
        tg_real *restrict g = c->gates + ((size_t)n * T + (size_t)t) * (size_t)G;
        const tg_real *restrict hpn = c->h_prev + row;
        tg_real *restrict rh = c->aux + row;
#pragma omp simd
        for (int j = 0; j < H; j++) {
            /* z_t = \sigma(x_t W_z + b_z + h_{t-1} U_z),  r_t = \sigma(x_t W_r + b_r + h_{t-1} U_r) */
            g[j] = tg_real_sigmoid(g[j]);
            g[H + j] = tg_real_sigmoid(g[H + j]);
            rh[j] = g[H + j] * hpn[j];
        }
    }
    /* z_h += (r_t \odot h_{t-1}) U_h */
    tg_gemm(0, 0, N, H, H, 1, c->aux + (size_t)t * H, T * H, U + 2 * H, G, 1, z + 2 * H, T * G);
    for (int n = 0; n < N; n++) {
        const size_t row = ((size_t)n * T + (size_t)t) * (size_t)H;
        tg_real *restrict g = c->gates + ((size_t)n * T + (size_t)t) * (size_t)G;
        const tg_real *restrict hpn = c->h_prev + row;
        tg_real *restrict h = hs + row;
#pragma omp simd
        for (int j = 0; j < H; j++) {
            /* \tilde{h}_t = \tanh(x_t W_h + b_h + (r_t \odot h_{t-1}) U_h) */
            const tg_real hh = tg_real_tanh(g[2 * H + j]);
            /* h_t = z_t \odot h_{t-1} + (1 - z_t) \odot \tilde{h}_t */
            h[j] = g[j] * hpn[j] + (1 - g[j]) * hh;
            g[2 * H + j] = hh;
        }
    }
}

/* Gradients of step t. dh holds dL/dh_t through step t+1 on entry and
 * dL/dh_{t-1} through this step on exit; dhs is the output's gradient.
 * Writes the pre-activation gradients of the input parts into dZx and of
 * the recurrent parts into dZh (reset_after; reset before shares dZx). */
static void step_backward(const fused_ctx *c, int t, const tg_real *dhs, const tg_real *U,
                          tg_real *dZx, tg_real *dZh, tg_real *dh, tg_real *scratch)
{
    const int N = c->N, T = c->T, H = c->H, G = TG_GRU_GATES * H;
    for (int n = 0; n < N; n++) {
        const size_t row = ((size_t)n * T + (size_t)t) * (size_t)H;
        const size_t grow = ((size_t)n * T + (size_t)t) * (size_t)G;
        const tg_real *restrict g = c->gates + grow, *restrict hp = c->h_prev + row;
        const tg_real *restrict aux = c->aux + row;
        tg_real *restrict dx = dZx + grow, *restrict dhn = dh + (size_t)n * H;
        /* reset before: no recurrent part of its own (dZh is dZx) */
        tg_real *restrict dr = c->reset_after ? dZh + grow : NULL;
#pragma omp simd
        for (int j = 0; j < H; j++) {
            const tg_real z = g[j], r = g[H + j], hh = g[2 * H + j];
            /* dL/dh_t: from the output, and from step t+1 */
            const tg_real dh_t = dhs[row + j] + dhn[j];
            /* h_t = z h_{t-1} + (1 - z) hh:  dz_pre = dh_t (h_{t-1} - hh) z (1 - z) */
            const tg_real dz = dh_t * (hp[j] - hh) * z * (1 - z);
            /* da_h = dh_t (1 - z) (1 - hh^2) */
            const tg_real da_h = dh_t * (1 - z) * (1 - hh * hh);
            dx[j] = dz;
            dx[2 * H + j] = da_h;
            /* dL/dh_{t-1} through h_t's own term z h_{t-1} */
            dhn[j] = dh_t * z;
            if (dr) {
                /* a_h = x W_h + b_h + r q_h:  dr_pre = da_h q_h r (1 - r),  dq_h = da_h r */
                const tg_real dr_pre = da_h * aux[j] * r * (1 - r);
                dx[H + j] = dr_pre;
                dr[j] = dz;
                dr[H + j] = dr_pre;
                dr[2 * H + j] = da_h * r;
            }
        }
    }
    if (c->reset_after) {
        /* dL/dh_{t-1} += [dz dr dq_h] [U_z | U_r | U_h]^T */
        tg_gemm(0, 1, N, H, G, 1, dZh + (size_t)t * G, T * G, U, G, 1, dh, H);
        return;
    }
    /* d(r_t (.) h_{t-1}) = da_h U_h^T, into the (N, H) scratch */
    tg_real *drh = scratch;
    tg_gemm(0, 1, N, H, H, 1, dZx + (size_t)t * G + 2 * H, T * G, U + 2 * H, G, 0, drh, H);
    for (int n = 0; n < N; n++) {
        const size_t row = ((size_t)n * T + (size_t)t) * (size_t)H;
        const size_t grow = ((size_t)n * T + (size_t)t) * (size_t)G;
        const tg_real *restrict g = c->gates + grow, *restrict hp = c->h_prev + row;
        const tg_real *restrict drhn = drh + (size_t)n * H;
        tg_real *restrict dx = dZx + grow, *restrict dhn = dh + (size_t)n * H;
#pragma omp simd
        for (int j = 0; j < H; j++) {
            const tg_real r = g[H + j];
            /* dr_pre = d(r h_{t-1}) h_{t-1} r (1 - r) */
            dx[H + j] = drhn[j] * hp[j] * r * (1 - r);
            /* dL/dh_{t-1} += d(r h_{t-1}) r */
            dhn[j] += drhn[j] * r;
        }
    }
    /* dL/dh_{t-1} += [dz dr] [U_z | U_r]^T */
    tg_gemm(0, 1, N, H, 2 * H, 1, dZx + (size_t)t * G, T * G, U, G, 1, dh, H);
}

/* Column sums of a (rows, cols) block with row stride ld, added into out. */
static void add_column_sums(const tg_real *m, int rows, int cols, int ld, tg_real *out)
{
    for (int r = 0; r < rows; r++) {
        const tg_real *restrict row = m + (size_t)r * (size_t)ld;
        tg_real *restrict o = out;
#pragma omp simd
        for (int j = 0; j < cols; j++)
            o[j] += row[j];
    }
}

static void gru_fused_backward(tg_tape *tape, tg_node *node)
{
    const fused_ctx *c = node->ctx;
    const int N = c->N, T = c->T, H = c->H, D = c->D, G = TG_GRU_GATES * H, NT = N * T;
    const tg_real *K = node->in[c->in_kernel]->data, *U = node->in[c->in_kernel + 1]->data;
    tg_real *dZx = arena_reals(tape, (size_t)NT * G);
    tg_real *dZh = c->reset_after ? arena_reals(tape, (size_t)NT * G) : dZx;
    tg_real *dh = arena_reals(tape, (size_t)N * H), *scratch = arena_reals(tape, (size_t)N * H);
    memset(dh, 0, (size_t)N * H * sizeof *dh);
    /* Backpropagation through time: dL/dh_t carried backwards. */
    for (int t = T - 1; t >= 0; t--)
        step_backward(c, t, node->out->grad, U, dZx, dZh, dh, scratch);

    tg_real *dh0 = c->in_h0 < 0 ? NULL : tg_node_in_grad(tape, node, c->in_h0);
    for (size_t k = 0; dh0 && k < (size_t)N * H; k++)
        dh0[k] += dh[k];
    /* dL/dx = dZx [W_z | W_r | W_h]^T */
    tg_real *dx = tg_node_in_grad(tape, node, 0);
    if (dx)
        tg_gemm(0, 1, NT, D, G, 1, dZx, G, K, G, 1, dx, D);
    /* dL/dkernel = x^T dZx */
    tg_real *dK = tg_node_in_grad(tape, node, c->in_kernel);
    if (dK)
        tg_gemm(1, 0, D, G, NT, 1, node->in[0]->data, D, dZx, G, 1, dK, G);
    tg_real *dU = tg_node_in_grad(tape, node, c->in_kernel + 1);
    if (dU && c->reset_after) {
        /* dL/dU = h_{t-1}^T dZh, summed over t */
        tg_gemm(1, 0, H, G, NT, 1, c->h_prev, H, dZh, G, 1, dU, G);
    } else if (dU) {
        /* dL/d[U_z | U_r] = h_{t-1}^T [dz dr];  dL/dU_h = (r_t (.) h_{t-1})^T da_h */
        tg_gemm(1, 0, H, 2 * H, NT, 1, c->h_prev, H, dZx, G, 1, dU, G);
        tg_gemm(1, 0, H, H, NT, 1, c->aux, H, dZx + 2 * H, G, 1, dU + 2 * H, G);
    }
    /* dL/dbias: the input row sums dZx, reset_after's recurrent row dZh */
    tg_real *db = tg_node_in_grad(tape, node, c->in_kernel + 2);
    if (db) {
        add_column_sums(dZx, NT, G, G, db);
        if (c->reset_after)
            add_column_sums(dZh, NT, G, G, db + G);
    }
}

tg_tensor *tg_gru_fused_states(tg_gru_layer *l, tg_tape *tape, tg_tensor *x, tg_tensor *h0)
{
    const int N = x->shape.dim[0], T = x->shape.dim[1], D = l->D, H = l->H;
    const int G = TG_GRU_GATES * H;
    const size_t NT = (size_t)N * (size_t)T;
    fused_ctx *c = tg_tape_alloc(tape, sizeof *c);
    memset(c, 0, sizeof *c);
    c->N = N;
    c->T = T;
    c->D = D;
    c->H = H;
    c->reset_after = !l->opts.reset_before;
    c->gates = arena_reals(tape, NT * G);
    c->h_prev = arena_reals(tape, NT * H);
    c->aux = arena_reals(tape, NT * H);

    tg_tensor *in[5];
    int n_in = 0;
    in[n_in++] = x;
    c->in_h0 = h0 ? n_in : -1;
    if (h0)
        in[n_in++] = h0;
    c->in_kernel = n_in;
    in[n_in++] = l->kernel;
    in[n_in++] = l->recurrent_kernel;
    in[n_in++] = l->bias;

    tg_tensor *hs = tg_tape_tensor(tape, TG_SHAPE(N, T, H));
    const tg_real *b = l->bias->data; /* the input row: [b_z | b_r | b_h] */
    /* Zx = x [W_z | W_r | W_h] + [b_z | b_r | b_h]: every step's input part at once */
    tg_gemm(0, 0, (int)NT, G, D, 1, x->data, D, l->kernel->data, G, 0, c->gates, G);
    for (size_t r = 0; r < NT; r++) {
        tg_real *restrict z = c->gates + r * G;
#pragma omp simd
        for (int k = 0; k < G; k++)
            z[k] += b[k];
    }
    for (int n = 0; n < N; n++)
        for (int j = 0; j < H; j++)
            c->h_prev[(size_t)n * T * H + j] = h0 ? h0->data[(size_t)n * H + j] : 0;
    tg_real *zh = c->reset_after ? arena_reals(tape, (size_t)N * G) : NULL;
    const tg_real *U = l->recurrent_kernel->data;
    for (int t = 0; t < T; t++) {
        if (c->reset_after)
            step_after(c, t, U, b + G, zh, hs->data);
        else
            step_before(c, t, U, hs->data);
        /* the next step's h_{t-1} */
        if (t + 1 < T)
            for (int n = 0; n < N; n++) {
                const size_t row = ((size_t)n * T + (size_t)t) * (size_t)H;
                memcpy(c->h_prev + row + H, hs->data + row, (size_t)H * sizeof(tg_real));
            }
    }

    tg_node *node = tg_tape_record(tape, "gru_fused", hs, in, n_in, gru_fused_backward);
    if (node)
        node->ctx = c;
    return hs;
}
