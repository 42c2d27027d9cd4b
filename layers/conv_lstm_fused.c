/* The fused ConvLSTM2D: the whole sequence as one tape node, with the
 * backward pass (BPTT) derived by hand in docs/convlstm.md.
 *
 * A convolution is a matrix product on im2col's rows (conv_fused.c), so the
 * fused LSTM's plan carries over with P = H' W' rows per map instead of one
 * row per sample. With F filters, G = 4F:
 *   1. Z = cols(x) [W_xi W_xf W_xc W_xo] + [b_i b_f b_c b_o]: the input
 *      convolutions of all N T frames as one product (in blocks of frames
 *      when the rows of cols would not fit in BLOCK_REALS);
 *   2. per step, Z_t += cols(h_{t-1}) [W_hi W_hf W_hc W_ho], the recurrent
 *      convolution of all four gates ('same', stride 1), one product per
 *      sample; then the peepholes and the gates' nonlinearities in one pass
 *      over the (N P, 4F) block.
 * Everything is laid out time-major, (T, N P, .), so that step t's rows are
 * one contiguous block. The backward keeps the gates, the states and
 * tanh(c_t) and rebuilds cols from x and h, as conv_fused.c does.
 *
 * Names, as in docs/convlstm.md: z_i, z_f, z_c, z_o are the gates'
 * pre-activations (i_t = \sigma(z_i), ...), dz_* = dL/dz_* their gradients,
 * Z and dZ the four side by side. */
#include "layers/internal/conv_lstm_layer.h"

#include <string.h>

#include "kernels/kernels.h"
#include "layers/internal/im2col.h"

/* The most reals of cols built at once for the input convolution: 8 MB
 * in double. */
enum { BLOCK_REALS = 1 << 20 };

typedef struct {
    int N, T, P, F, Kx, Kh;       /* P = H' W', Kx = kh kw C, Kh = kh kw F */
    tg_conv2d_geometry gx, gh;    /* input conv on N T frames, recurrent conv on N maps */
    int in_W_c[TG_GATES];         /* input index of each W_c*, or -1 when absent */
    const tg_real *W_c[TG_GATES]; /* (P, F) each, or NULL */
    tg_real *gates;               /* (T, N P, 4F): i_t, f_t, \tilde{c}_t, o_t */
    tg_real *h, *c;               /* (T + 1, N P, F): h_0 = c_0 = 0, then h_t, c_t */
    tg_real *tanh_c;              /* (T, N P, F): tanh(c_t) */
} fused_ctx;

static tg_real *arena_reals(tg_tape *tape, size_t n)
{
    return tg_tape_alloc(tape, n * sizeof(tg_real));
}

/* Row block q of the time-major layout is frame (n, t) with q = t N + n;
 * in x (N, T, H, W, C) that frame is number n T + t. */
static int frame_of(const fused_ctx *c, int q)
{
    return (q % c->N) * c->T + q / c->N;
}

/* How many frames of cols (P rows of Kx each) one block holds. */
static int block_frames(const fused_ctx *c)
{
    const size_t per_frame = (size_t)c->P * (size_t)c->Kx;
    const int NT = c->N * c->T;
    const size_t fit = BLOCK_REALS / per_frame;
    return fit < 1 ? 1 : fit > (size_t)NT ? NT : (int)fit;
}

/* cols of frames q0 .. q0 + count - 1 (time-major), P rows each. */
static void frames_im2col(const fused_ctx *c, const tg_real *x, int q0, int count, tg_real *cols)
{
    for (int q = q0; q < q0 + count; q++)
        tg_im2col_sample(&c->gx, x, frame_of(c, q),
                         cols + (size_t)(q - q0) * (size_t)c->P * (size_t)c->Kx);
}

/* Step 1: Z = cols(x) [W_xi W_xf W_xc W_xo] + [b_i b_f b_c b_o], every
 * frame at once (block by block). */
static void input_projection(const fused_ctx *c, tg_tape *tape, const tg_real *x,
                             const tg_real *kernel, const tg_real *bias)
{
    const int G = TG_GATES * c->F, NT = c->N * c->T, per = block_frames(c);
    tg_real *cols = arena_reals(tape, (size_t)per * (size_t)c->P * (size_t)c->Kx);
    for (int q0 = 0; q0 < NT; q0 += per) {
        const int count = q0 + per <= NT ? per : NT - q0, rows = count * c->P;
        tg_real *z = c->gates + (size_t)q0 * (size_t)c->P * (size_t)G;
        frames_im2col(c, x, q0, count, cols);
        tg_gemm(0, 0, rows, G, c->Kx, 1, cols, c->Kx, kernel, G, 0, z, G);
        for (int r = 0; r < rows; r++) {
            tg_real *restrict zr = z + (size_t)r * (size_t)G;
            const tg_real *restrict b = bias;
#pragma omp simd
            for (int k = 0; k < G; k++)
                zr[k] += b[k];
        }
    }
}

/* z += w (.) c over one pixel's F values: a peephole term, if there is one */
static void add_peephole(int F, tg_real *restrict z, const tg_real *restrict w,
                         const tg_real *restrict c)
{
    if (!w)
        return;
#pragma omp simd
    for (int j = 0; j < F; j++)
        z[j] += w[j] * c[j];
}

/* One time step t: Z_t += cols(h_{t-1}) R, then the gates, c_t and h_t.
 * cols: P rows of Kh. */
static void step_forward(fused_ctx *c, int t, const tg_real *R, tg_real *cols)
{
    const int N = c->N, P = c->P, F = c->F, G = TG_GATES * F;
    const size_t NP = (size_t)N * (size_t)P;
    tg_real *z = c->gates + (size_t)t * NP * G;
    const tg_real *hp = c->h + (size_t)t * NP * F, *cp = c->c + (size_t)t * NP * F;
    tg_real *ht = c->h + (size_t)(t + 1) * NP * F, *ct = c->c + (size_t)(t + 1) * NP * F;
    tg_real *tc = c->tanh_c + (size_t)t * NP * F;
    const tg_real *w_ci = c->W_c[TG_GATE_I], *w_cf = c->W_c[TG_GATE_F];
    const tg_real *w_cc = c->W_c[TG_GATE_C], *w_co = c->W_c[TG_GATE_O];

    /* [z_i z_f z_c z_o] += [W_hi W_hf W_hc W_ho] * h_{t-1}: four gates, one
     * product per sample (h_0 = 0 adds nothing) */
    for (int n = 0; t > 0 && n < N; n++) {
        tg_im2col_sample(&c->gh, hp, n, cols);
        tg_gemm(0, 0, P, G, c->Kh, 1, cols, c->Kh, R, G, 1, z + (size_t)n * P * G, G);
    }
    for (size_t r = 0; r < NP; r++) {
        const size_t pix = (r % (size_t)P) * (size_t)F, e = r * (size_t)F;
        tg_real *restrict z_i = z + r * G, *restrict z_f = z_i + F;
        tg_real *restrict z_c = z_i + 2 * F, *restrict z_o = z_i + 3 * F;
        /* z_* += W_c* (.) c_{t-1} (the peepholes of i, f, \tilde{c}) */
        add_peephole(F, z_i, w_ci ? w_ci + pix : NULL, cp + e);
        add_peephole(F, z_f, w_cf ? w_cf + pix : NULL, cp + e);
        add_peephole(F, z_c, w_cc ? w_cc + pix : NULL, cp + e);
        /* z_i, z_f, z_c now hold the gates' whole arguments:
         *   i_t = \sigma(W_xi * x_t + W_hi * h_{t-1} + W_ci \odot c_{t-1} + b_i)
         *   f_t = \sigma(W_xf * x_t + W_hf * h_{t-1} + W_cf \odot c_{t-1} + b_f)
         *   \tilde{c}_t = \tanh(W_xc * x_t + W_hc * h_{t-1} + W_cc \odot c_{t-1} + b_c) */
        for (int j = 0; j < F; j++) {
            /* i_t = \sigma(z_i),  f_t = \sigma(z_f),  \tilde{c}_t = \tanh(z_c) */
            const tg_real i_t = tg_real_sigmoid(z_i[j]), f_t = tg_real_sigmoid(z_f[j]);
            const tg_real c_tilde = tg_real_tanh(z_c[j]);
            /* c_t = f_t \odot c_{t-1} + i_t \odot \tilde{c}_t */
            ct[e + j] = f_t * cp[e + j] + i_t * c_tilde;
            z_i[j] = i_t;
            z_f[j] = f_t;
            z_c[j] = c_tilde;
        }
        /* z_o += W_co (.) c_t: the output gate peeks at the new state */
        add_peephole(F, z_o, w_co ? w_co + pix : NULL, ct + e);
        for (int j = 0; j < F; j++) {
            /* o_t = \sigma(W_xo * x_t + W_ho * h_{t-1} + W_co \odot c_t + b_o) */
            const tg_real o_t = tg_real_sigmoid(z_o[j]), tanh_c = tg_real_tanh(ct[e + j]);
            /* h_t = o_t \odot \tanh(c_t) */
            ht[e + j] = o_t * tanh_c;
            z_o[j] = o_t;
            tc[e + j] = tanh_c;
        }
    }
}

/* The pre-activation gradients of step t, from dh = dL/dh_t and dc =
 * dL/dc_t (through step t+1) as far as they are known; writes dZ_t over
 * the gates of step t (not needed any more), adds the peepholes'
 * gradients, and leaves dL/dc_{t-1} (through this step) in dc. */
static void step_gates_backward(const fused_ctx *c, int t, const tg_real *dh, tg_real *dc,
                                tg_real *const dW_c[TG_GATES])
{
    const int P = c->P, F = c->F, G = TG_GATES * F;
    const size_t NP = (size_t)c->N * (size_t)P;
    tg_real *z = c->gates + (size_t)t * NP * G;
    const tg_real *cp = c->c + (size_t)t * NP * F, *ct = c->c + (size_t)(t + 1) * NP * F;
    const tg_real *tc = c->tanh_c + (size_t)t * NP * F;
    const tg_real *w_ci = c->W_c[TG_GATE_I], *w_cf = c->W_c[TG_GATE_F];
    const tg_real *w_cc = c->W_c[TG_GATE_C], *w_co = c->W_c[TG_GATE_O];
    for (size_t r = 0; r < NP; r++) {
        const size_t pix = (r % (size_t)P) * (size_t)F, e = r * (size_t)F;
        tg_real *gate = z + r * G;
        for (int j = 0; j < F; j++) {
            const size_t k = pix + (size_t)j;
            const tg_real i_t = gate[j], f_t = gate[F + j], c_tilde = gate[2 * F + j];
            const tg_real o_t = gate[3 * F + j], tanh_c = tc[e + j], dh_t = dh[e + j];
            /* dz_o = dL/dh_t \odot \tanh(c_t) \odot o_t (1 - o_t) */
            const tg_real dz_o = dh_t * tanh_c * o_t * (1 - o_t);
            /* dL/dc_t: from step t+1, through h_t = o_t tanh(c_t), and through
             * o_t's peephole W_co \odot c_t */
            tg_real dc_t = dc[e + j] + dh_t * o_t * (1 - tanh_c * tanh_c);
            if (w_co)
                dc_t += dz_o * w_co[k];
            /* dz_i = dL/dc_t \odot \tilde{c}_t \odot i_t (1 - i_t) */
            const tg_real dz_i = dc_t * c_tilde * i_t * (1 - i_t);
            /* dz_f = dL/dc_t \odot c_{t-1} \odot f_t (1 - f_t) */
            const tg_real dz_f = dc_t * cp[e + j] * f_t * (1 - f_t);
            /* dz_c = dL/dc_t \odot i_t \odot (1 - \tilde{c}_t^2) */
            const tg_real dz_c = dc_t * i_t * (1 - c_tilde * c_tilde);
            /* dL/dc_{t-1} = dL/dc_t \odot f_t + the peepholes of i, f, \tilde{c} */
            tg_real dc_prev = dc_t * f_t;
            if (w_ci)
                dc_prev += dz_i * w_ci[k];
            if (w_cf)
                dc_prev += dz_f * w_cf[k];
            if (w_cc)
                dc_prev += dz_c * w_cc[k];
            /* dL/dW_c* = sum over samples and steps of dz_* \odot the state it peeks at */
            if (dW_c[TG_GATE_I])
                dW_c[TG_GATE_I][k] += dz_i * cp[e + j];
            if (dW_c[TG_GATE_F])
                dW_c[TG_GATE_F][k] += dz_f * cp[e + j];
            if (dW_c[TG_GATE_C])
                dW_c[TG_GATE_C][k] += dz_c * cp[e + j];
            if (dW_c[TG_GATE_O])
                dW_c[TG_GATE_O][k] += dz_o * ct[e + j];
            gate[j] = dz_i;
            gate[F + j] = dz_f;
            gate[2 * F + j] = dz_c;
            gate[3 * F + j] = dz_o;
            dc[e + j] = dc_prev;
        }
    }
}

/* Through the recurrent convolution of step t > 0, per sample:
 * dL/dR += cols(h_{t-1})^T dZ_t and dL/dh_{t-1} = col2im(dZ_t R^T), into dh
 * (zeroed first). cols: P rows of Kh. */
static void step_recurrent_backward(const fused_ctx *c, int t, const tg_real *R, tg_real *dR,
                                    tg_real *dh, tg_real *cols)
{
    const int N = c->N, P = c->P, F = c->F, G = TG_GATES * F, Kh = c->Kh;
    const size_t NP = (size_t)N * (size_t)P;
    const tg_real *hp = c->h + (size_t)t * NP * F;
    const tg_real *dz = c->gates + (size_t)t * NP * G;
    memset(dh, 0, NP * F * sizeof *dh);
    for (int n = 0; n < N; n++) {
        const tg_real *dz_n = dz + (size_t)n * P * G;
        /* dL/d[W_hi W_hf W_hc W_ho] += cols(h_{t-1})^T dZ_t */
        if (dR) {
            tg_im2col_sample(&c->gh, hp, n, cols);
            tg_gemm(1, 0, Kh, G, P, 1, cols, Kh, dz_n, G, 1, dR, G);
        }
        /* dL/dh_{t-1} = col2im(dZ_t [W_hi W_hf W_hc W_ho]^T) */
        tg_gemm(0, 1, P, Kh, G, 1, dz_n, G, R, G, 0, cols, Kh);
        tg_col2im_add_sample(&c->gh, cols, n, dh);
    }
}

/* Through step 1, block by block of frames: dL/dW_x = cols(x)^T dZ and
 * dL/dx = col2im(dZ [W_xi W_xf W_xc W_xo]^T). */
static void input_backward(const fused_ctx *c, tg_tape *tape, const tg_real *x,
                           const tg_real *kernel, tg_real *dK, tg_real *dx)
{
    const int G = TG_GATES * c->F, NT = c->N * c->T, per = block_frames(c);
    const size_t frame_cols = (size_t)c->P * (size_t)c->Kx;
    tg_real *cols = arena_reals(tape, (size_t)per * frame_cols);
    for (int q0 = 0; q0 < NT; q0 += per) {
        const int count = q0 + per <= NT ? per : NT - q0, rows = count * c->P;
        const tg_real *dz = c->gates + (size_t)q0 * (size_t)c->P * (size_t)G;
        if (dK) {
            frames_im2col(c, x, q0, count, cols);
            tg_gemm(1, 0, c->Kx, G, rows, 1, cols, c->Kx, dz, G, 1, dK, G);
        }
        if (dx) {
            tg_gemm(0, 1, rows, c->Kx, G, 1, dz, G, kernel, G, 0, cols, c->Kx);
            for (int q = q0; q < q0 + count; q++)
                tg_col2im_add_sample(&c->gx, cols + (size_t)(q - q0) * frame_cols,
                                     frame_of(c, q), dx);
        }
    }
}

static void conv_lstm_fused_backward(tg_tape *tape, tg_node *node)
{
    const fused_ctx *c = node->ctx;
    const int N = c->N, T = c->T, P = c->P, F = c->F, G = TG_GATES * F;
    const size_t NP = (size_t)N * (size_t)P, map = (size_t)P * (size_t)F;
    const tg_real *dout = node->out->grad, *R = node->in[2]->data;
    tg_real *dK = tg_node_in_grad(tape, node, 1), *dR = tg_node_in_grad(tape, node, 2);
    tg_real *db = tg_node_in_grad(tape, node, 3);
    tg_real *dW_c[TG_GATES];
    for (int g = 0; g < TG_GATES; g++)
        dW_c[g] = c->in_W_c[g] < 0 ? NULL : tg_node_in_grad(tape, node, c->in_W_c[g]);
    tg_real *dh = arena_reals(tape, NP * F), *dc = arena_reals(tape, NP * F);
    tg_real *cols = arena_reals(tape, (size_t)P * (size_t)c->Kh);
    memset(dh, 0, NP * F * sizeof *dh);
    memset(dc, 0, NP * F * sizeof *dc);
    /* Backpropagation through time: dL/dh_t and dL/dc_t carried backwards. */
    for (int t = T - 1; t >= 0; t--) {
        /* dL/dh_t: from the output (N, T, H', W', F), and from step t+1 */
        for (int n = 0; n < N; n++) {
            const tg_real *restrict from = dout + ((size_t)n * T + (size_t)t) * map;
            tg_real *restrict to = dh + (size_t)n * map;
            for (size_t k = 0; k < map; k++)
                to[k] += from[k];
        }
        step_gates_backward(c, t, dh, dc, dW_c);
        /* dL/db = sum of dZ_t over the rows */
        const tg_real *dz = c->gates + (size_t)t * NP * G;
        for (size_t r = 0; db && r < NP; r++)
            for (int k = 0; k < G; k++)
                db[k] += dz[r * G + k];
        if (t > 0)
            step_recurrent_backward(c, t, R, dR, dh, cols);
    }
    input_backward(c, tape, node->in[0]->data, node->in[1]->data, dK,
                   tg_node_in_grad(tape, node, 0));
}

tg_tensor *tg_conv_lstm2d_fused_states(tg_conv_lstm2d_layer *l, tg_tape *tape, tg_tensor *x)
{
    const int N = x->shape.dim[0], T = x->shape.dim[1], F = l->F, G = TG_GATES * F;
    const int OH = l->in_h.out, OW = l->in_w.out;
    fused_ctx *c = tg_tape_alloc(tape, sizeof *c);
    memset(c, 0, sizeof *c);
    c->N = N;
    c->T = T;
    c->P = OH * OW;
    c->F = F;
    c->Kx = l->opts.kernel[0] * l->opts.kernel[1] * l->C;
    c->Kh = l->opts.kernel[0] * l->opts.kernel[1] * F;
    c->gx = (tg_conv2d_geometry){.n = N * T, .c_in = l->C, .c_out = G, .h = l->in_h, .w = l->in_w};
    c->gh = (tg_conv2d_geometry){.n = N, .c_in = F, .c_out = G, .h = l->rec_h, .w = l->rec_w};
    const size_t NP = (size_t)N * (size_t)c->P;
    c->gates = arena_reals(tape, (size_t)T * NP * G);
    c->h = arena_reals(tape, (size_t)(T + 1) * NP * F);
    c->c = arena_reals(tape, (size_t)(T + 1) * NP * F);
    c->tanh_c = arena_reals(tape, (size_t)T * NP * F);
    memset(c->h, 0, NP * F * sizeof(tg_real));
    memset(c->c, 0, NP * F * sizeof(tg_real));

    /* The node's inputs: x, kernel, recurrent kernel, bias, the peepholes. */
    tg_tensor *in[4 + TG_GATES] = {x, l->kernel, l->recurrent_kernel, l->bias};
    int n_in = 4;
    for (int g = 0; g < TG_GATES; g++) {
        c->W_c[g] = l->W_c[g] ? l->W_c[g]->data : NULL;
        c->in_W_c[g] = l->W_c[g] ? n_in : -1;
        if (l->W_c[g])
            in[n_in++] = l->W_c[g];
    }

    input_projection(c, tape, x->data, l->kernel->data, l->bias->data);
    tg_real *cols = arena_reals(tape, (size_t)c->P * (size_t)c->Kh);
    for (int t = 0; t < T; t++)
        step_forward(c, t, l->recurrent_kernel->data, cols);

    /* h_1 .. h_T, time-major in c->h, into the output's (N, T, H', W', F) */
    tg_tensor *out = tg_tape_tensor(tape, TG_SHAPE(N, T, OH, OW, F));
    const size_t map = (size_t)c->P * (size_t)F;
    for (int t = 0; t < T; t++)
        for (int n = 0; n < N; n++)
            memcpy(out->data + ((size_t)n * T + (size_t)t) * map,
                   c->h + (size_t)(t + 1) * NP * F + (size_t)n * map, map * sizeof(tg_real));

    tg_node *node = tg_tape_record(tape, "conv_lstm2d_fused", out, in, n_in,
                                   conv_lstm_fused_backward);
    if (node)
        node->ctx = c;
    return out;
}
