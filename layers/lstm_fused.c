/* The fused LSTM: the whole sequence as one tape node, with the backward
 * pass derived by hand (docs/lstm.md, "The fused backward").
 *
 * Forward, for a batch of N sequences of T steps, H units, G = 4H:
 *   1. Z = x [W_xi W_xf W_xc W_xo] + [b_i b_f b_c b_o]: the input projection
 *      of all N T steps in one GEMM, (N T, D) (D, 4H);
 *   2. per step, Z_t += h_{t-1} [W_hi W_hf W_hc W_ho]: the recurrent part of
 *      all four gates in one GEMM; then the peepholes and the gates'
 *      nonlinearities in one pass over the (N, 4H) block.
 * Everything the backward needs (the gates, h_{t-1}, c_{t-1}, tanh(c_t))
 * is kept in the tape's arena, laid out (N, T, .) like x so that the weight
 * gradients are one GEMM each over all N T rows. Nothing is allocated per
 * time step.
 *
 * Names, as in docs/lstm.md and tutorial 2: z_i, z_f, z_c, z_o are the
 * gates' pre-activations (i_t = \sigma(z_i), ...), dz_* = dL/dz_* their
 * gradients, Z and dZ the four side by side. */
#include "layers/internal/lstm_layer.h"

#include <string.h>

#include "kernels/kernels.h"

typedef struct {
    int N, T, D, H;
    int in_h0, in_c0;         /* input index of h0 and c0, or -1 when zero */
    int in_W_x, in_W_h, in_b; /* input index of the first of four (gate order) */
    int in_W_c[TG_GATES];     /* input index of each W_c*, or -1 when absent */
    int full;                 /* W_c* are (H, H) matrices, not vectors */
    tg_tensor *W_c[TG_GATES];
    tg_real *W_x, *W_h;       /* packed (D, 4H) and (H, 4H) */
    tg_real *gates;           /* (N, T, 4H): i_t, f_t, \tilde{c}_t, o_t */
    tg_real *h_prev, *c_prev; /* (N, T, H): h_{t-1} and c_{t-1} of step t */
    tg_real *tanh_c;          /* (N, T, H): tanh(c_t) */
} fused_ctx;

/* z += w (.) c: a diagonal peephole term, if the variant has one */
static void add_peephole(int H, tg_real *restrict z, const tg_real *restrict w,
                         const tg_real *restrict c)
{
    if (!w)
        return;
#pragma omp simd
    for (int j = 0; j < H; j++)
        z[j] += w[j] * c[j];
}

static tg_real *arena_reals(tg_tape *tape, size_t n)
{
    return tg_tape_alloc(tape, n * sizeof(tg_real));
}

/* The diagonal peephole vector of a gate, or NULL (absent, or full). */
static const tg_real *diagonal(const fused_ctx *c, int g)
{
    return c->W_c[g] && !c->full ? c->W_c[g]->data : NULL;
}

/* One time step t, reading Z_t (the input projection plus bias) and writing
 * the gates, c_t and h_t into states (2, N, T, H). */
static void step_forward(fused_ctx *c, int t, tg_real *hs, tg_real *cs)
{
    const int N = c->N, T = c->T, H = c->H, G = TG_GATES * H;
    const int ldz = T * G, lds = T * H; /* row strides of (N, T, .) buffers at one t */
    tg_real *z = c->gates + (size_t)t * G;
    const tg_real *hp = c->h_prev + (size_t)t * H, *cp = c->c_prev + (size_t)t * H;
    tg_real *ct = cs + (size_t)t * H;
    const tg_real *w_ci = diagonal(c, TG_GATE_I), *w_cf = diagonal(c, TG_GATE_F);
    const tg_real *w_cc = diagonal(c, TG_GATE_C), *w_co = diagonal(c, TG_GATE_O);

    /* [z_i z_f z_c z_o] += h_{t-1} [W_hi W_hf W_hc W_ho]: four gates, one GEMM */
    tg_gemm(0, 0, N, G, H, 1, hp, lds, c->W_h, G, 1, z, ldz);
    /* z_* += c_{t-1} W_c* (full peepholes of i, f, \tilde{c}) */
    if (c->full)
        for (int g = TG_GATE_I; g <= TG_GATE_C; g++)
            if (c->W_c[g])
                tg_gemm(0, 0, N, H, H, 1, cp, lds, c->W_c[g]->data, H, 1, z + g * H, ldz);
    for (int n = 0; n < N; n++) {
        tg_real *restrict z_i = z + (size_t)n * ldz, *restrict z_f = z_i + H;
        tg_real *restrict z_c = z_i + 2 * H, *restrict ctn = ct + (size_t)n * lds;
        const tg_real *restrict cpn = cp + (size_t)n * lds;
        /* z_* += W_c* (.) c_{t-1} (diagonal peepholes of i, f, \tilde{c}) */
        add_peephole(H, z_i, w_ci, cpn);
        add_peephole(H, z_f, w_cf, cpn);
        add_peephole(H, z_c, w_cc, cpn);
        /* z_i, z_f, z_c now hold the gates' whole arguments:
         *   i_t = \sigma(W_xi x_t + W_hi h_{t-1} + W_ci c_{t-1} + b_i)
         *   f_t = \sigma(W_xf x_t + W_hf h_{t-1} + W_cf c_{t-1} + b_f)
         *   \tilde{c}_t = \tanh(W_xc x_t + W_hc h_{t-1} + W_cc c_{t-1} + b_c) */
#pragma omp simd
        for (int j = 0; j < H; j++) {
            /* i_t = \sigma(z_i),  f_t = \sigma(z_f),  \tilde{c}_t = \tanh(z_c) */
            const tg_real i_t = tg_real_sigmoid(z_i[j]), f_t = tg_real_sigmoid(z_f[j]), c_tilde = tg_real_tanh(z_c[j]);
            /* c_t = f_t \odot c_{t-1} + i_t \odot \tilde{c}_t */
            ctn[j] = f_t * cpn[j] + i_t * c_tilde;
            z_i[j] = i_t;
            z_f[j] = f_t;
            z_c[j] = c_tilde;
        }
    }
    /* z_o += c_t W_co: the output gate peeks at the new state */
    if (c->full && c->W_c[TG_GATE_O])
        tg_gemm(0, 0, N, H, H, 1, ct, lds, c->W_c[TG_GATE_O]->data, H, 1, z + 3 * H, ldz);
    for (int n = 0; n < N; n++) {
        const size_t row = ((size_t)n * T + (size_t)t) * (size_t)H;
        tg_real *restrict z_o = z + (size_t)n * ldz + 3 * H, *restrict tanh_cn = c->tanh_c + row;
        tg_real *restrict h = hs + row;
        const tg_real *restrict c_t = cs + row;
        /* z_o += W_co (.) c_t (diagonal peephole of o, on the new state) */
        add_peephole(H, z_o, w_co, c_t);
        /* o_t = \sigma(W_xo x_t + W_ho h_{t-1} + W_co c_t + b_o)   (c_t: the new state) */
#pragma omp simd
        for (int j = 0; j < H; j++) {
            /* o_t = \sigma(z_o) */
            const tg_real o_t = tg_real_sigmoid(z_o[j]);
            const tg_real tanh_c = tg_real_tanh(c_t[j]);
            /* h_t = o_t \odot \tanh(c_t) */
            h[j] = o_t * tanh_c;
            z_o[j] = o_t;
            tanh_cn[j] = tanh_c;
        }
        /* the next step's h_{t-1}, c_{t-1} */
        if (t + 1 < T) {
            memcpy(c->h_prev + row + H, h, (size_t)H * sizeof(tg_real));
            memcpy(c->c_prev + row + H, c_t, (size_t)H * sizeof(tg_real));
        }
    }
}

/* Gradients of one step t, from dL/dh_t and dL/dc_t as far as they are
 * known: dh holds dL/dh_t through step t+1 (the recurrent GEMM), dc holds
 * dL/dc_t through step t+1 (the cell path and the peepholes of t+1); the
 * output's own gradients are added here. Writes the four pre-activation
 * gradients into dZ_t and leaves dL/dh_{t-1}, dL/dc_{t-1} (through this
 * step) in dh, dc. */
static void step_backward(const fused_ctx *c, const tg_real *W_hT, int t, const tg_real *dstates,
                          const tg_real *cs, tg_real *dZ, tg_real *dh, tg_real *dc)
{
    const int N = c->N, T = c->T, H = c->H, G = TG_GATES * H;
    const int ldz = T * G;
    const size_t NTH = (size_t)N * T * H;
    const tg_real *w_ci = diagonal(c, TG_GATE_I), *w_cf = diagonal(c, TG_GATE_F);
    const tg_real *w_cc = diagonal(c, TG_GATE_C), *w_co = diagonal(c, TG_GATE_O);
    tg_real *dz = dZ + (size_t)t * G;

    for (int n = 0; n < N; n++) {
        const size_t row = ((size_t)n * T + (size_t)t) * (size_t)H;
        const tg_real *gate = c->gates + ((size_t)n * T + (size_t)t) * (size_t)G;
        tg_real *dzn = dz + (size_t)n * ldz;
#pragma omp simd
        for (int j = 0; j < H; j++) {
            const tg_real o_t = gate[3 * H + j], tanh_c = c->tanh_c[row + j];
            /* dL/dh_t: from the output, and from step t+1 through W_h* */
            const tg_real dh_t = dstates[row + j] + dh[(size_t)n * H + j];
            /* dz_o = dL/dh_t \odot \tanh(c_t) \odot o_t (1 - o_t) */
            const tg_real dz_o = dh_t * tanh_c * o_t * (1 - o_t);
            /* dL/dc_t: from the output, from step t+1, through h_t = o_t tanh(c_t),
             * and through o_t's peephole W_co c_t */
            tg_real dc_t = dstates[NTH + row + j] + dc[(size_t)n * H + j] +
                           dh_t * o_t * (1 - tanh_c * tanh_c);
            if (w_co)
                dc_t += dz_o * w_co[j];
            dzn[3 * H + j] = dz_o;
            dc[(size_t)n * H + j] = dc_t;
        }
    }
    /* dL/dc_t += dz_o W_co^T (full) */
    if (c->full && c->W_c[TG_GATE_O])
        tg_gemm(0, 1, N, H, H, 1, dz + 3 * H, ldz, c->W_c[TG_GATE_O]->data, H, 1, dc, H);

    for (int n = 0; n < N; n++) {
        const size_t row = ((size_t)n * T + (size_t)t) * (size_t)H;
        const tg_real *gate = c->gates + ((size_t)n * T + (size_t)t) * (size_t)G;
        const tg_real *cpn = c->c_prev + row;
        tg_real *dzn = dz + (size_t)n * ldz;
#pragma omp simd
        for (int j = 0; j < H; j++) {
            const tg_real i_t = gate[j], f_t = gate[H + j], c_tilde = gate[2 * H + j];
            const tg_real dc_t = dc[(size_t)n * H + j];
            /* dz_i = dL/dc_t \odot \tilde{c}_t \odot i_t (1 - i_t) */
            const tg_real dz_i = dc_t * c_tilde * i_t * (1 - i_t);
            /* dz_f = dL/dc_t \odot c_{t-1} \odot f_t (1 - f_t) */
            const tg_real dz_f = dc_t * cpn[j] * f_t * (1 - f_t);
            /* dz_c = dL/dc_t \odot i_t \odot (1 - \tilde{c}_t^2) */
            const tg_real dz_c = dc_t * i_t * (1 - c_tilde * c_tilde);
            /* dL/dc_{t-1} = dL/dc_t \odot f_t + the peepholes of i, f, \tilde{c} */
            tg_real dc_prev = dc_t * f_t;
            if (w_ci)
                dc_prev += dz_i * w_ci[j];
            if (w_cf)
                dc_prev += dz_f * w_cf[j];
            if (w_cc)
                dc_prev += dz_c * w_cc[j];
            dzn[j] = dz_i;
            dzn[H + j] = dz_f;
            dzn[2 * H + j] = dz_c;
            dc[(size_t)n * H + j] = dc_prev;
        }
    }
    /* dL/dc_{t-1} += dz_* W_c*^T (full peepholes of i, f, \tilde{c}) */
    if (c->full)
        for (int g = TG_GATE_I; g <= TG_GATE_C; g++)
            if (c->W_c[g])
                tg_gemm(0, 1, N, H, H, 1, dz + g * H, ldz, c->W_c[g]->data, H, 1, dc, H);
    /* dL/dh_{t-1} = [dz_i dz_f dz_c dz_o] [W_hi W_hf W_hc W_ho]^T */
    tg_gemm(0, 0, N, H, G, 1, dz, ldz, W_hT, H, 0, dh, H);
}

/* The parameter gradients, each one GEMM (or one sum) over all N T rows of
 * the pre-activation gradients dZ (N T, 4H). */
static void param_backward(tg_tape *tape, tg_node *node, const tg_real *dZ, const tg_real *cs)
{
    const fused_ctx *c = node->ctx;
    const int H = c->H, D = c->D, G = TG_GATES * H, NT = c->N * c->T;
    const tg_real *x = node->in[0]->data;
    for (int g = 0; g < TG_GATES; g++) {
        const tg_real *dz = dZ + g * H;
        /* dL/dW_x* = x^T dz_* */
        tg_real *dW_x = tg_node_in_grad(tape, node, c->in_W_x + g);
        if (dW_x)
            tg_gemm(1, 0, D, H, NT, 1, x, D, dz, G, 1, dW_x, H);
        /* dL/dW_h* = h_{t-1}^T dz_*, summed over t */
        tg_real *dW_h = tg_node_in_grad(tape, node, c->in_W_h + g);
        if (dW_h)
            tg_gemm(1, 0, H, H, NT, 1, c->h_prev, H, dz, G, 1, dW_h, H);
        /* dL/db_* = sum of dz_* over the rows */
        tg_real *db = tg_node_in_grad(tape, node, c->in_b + g);
        if (db)
            for (int r = 0; r < NT; r++)
#pragma omp simd
                for (int j = 0; j < H; j++)
                    db[j] += dz[(size_t)r * G + j];
        /* dL/dW_c*: i, f, \tilde{c} peek at c_{t-1}, o at c_t */
        tg_real *dW_c = c->in_W_c[g] < 0 ? NULL : tg_node_in_grad(tape, node, c->in_W_c[g]);
        const tg_real *peek = g == TG_GATE_O ? cs : c->c_prev;
        if (dW_c && c->full)
            tg_gemm(1, 0, H, H, NT, 1, peek, H, dz, G, 1, dW_c, H);
        else if (dW_c)
            for (int r = 0; r < NT; r++)
#pragma omp simd
                for (int j = 0; j < H; j++)
                    dW_c[j] += dz[(size_t)r * G + j] * peek[(size_t)r * H + j];
    }
}

static void lstm_fused_backward(tg_tape *tape, tg_node *node)
{
    const fused_ctx *c = node->ctx;
    const int N = c->N, T = c->T, H = c->H, D = c->D, G = TG_GATES * H;
    const size_t NT = (size_t)N * (size_t)T, NH = (size_t)N * (size_t)H;
    const tg_real *dstates = node->out->grad;
    const tg_real *cs = node->out->data + NT * (size_t)H;
    tg_real *dZ = arena_reals(tape, NT * (size_t)G);
    tg_real *dh = arena_reals(tape, NH), *dc = arena_reals(tape, NH);
    memset(dh, 0, NH * sizeof *dh);
    memset(dc, 0, NH * sizeof *dc);
    /* [W_hi W_hf W_hc W_ho]^T (4H, H), transposed once here rather than
     * packed by every step's product (a product packs a transposed operand
     * at each call: T times the copy, a fifth of a split step's time). */
    tg_real *W_hT = arena_reals(tape, (size_t)G * (size_t)H);
    for (int j = 0; j < H; j++)
        for (int g = 0; g < G; g++)
            W_hT[(size_t)g * (size_t)H + (size_t)j] = c->W_h[(size_t)j * (size_t)G + (size_t)g];
    /* Backpropagation through time: dL/dc_t and dL/dh_t carried backwards. */
    for (int t = T - 1; t >= 0; t--)
        step_backward(c, W_hT, t, dstates, cs, dZ, dh, dc);

    tg_real *dh0 = c->in_h0 < 0 ? NULL : tg_node_in_grad(tape, node, c->in_h0);
    tg_real *dc0 = c->in_c0 < 0 ? NULL : tg_node_in_grad(tape, node, c->in_c0);
    for (size_t k = 0; dh0 && k < NH; k++)
        dh0[k] += dh[k];
    for (size_t k = 0; dc0 && k < NH; k++)
        dc0[k] += dc[k];
    /* dL/dx = dZ [W_xi W_xf W_xc W_xo]^T */
    tg_real *dx = tg_node_in_grad(tape, node, 0);
    if (dx)
        tg_gemm(0, 1, (int)NT, D, G, 1, dZ, G, c->W_x, G, 1, dx, D);
    param_backward(tape, node, dZ, cs);
}

/* The gates of every step, out of the (N, T, 4H) block, and the states,
 * into the tensors tg_lstm_keep_internals asked for. */
static void keep_internals(const fused_ctx *c, const tg_real *hs, const tg_real *cs,
                           tg_lstm_internals *kept)
{
    const int H = c->H, G = TG_GATES * H;
    const size_t NT = (size_t)c->N * (size_t)c->T;
    tg_tensor *gate[TG_GATES] = {kept->i, kept->f, kept->c_tilde, kept->o};
    for (size_t r = 0; r < NT; r++)
        for (int g = 0; g < TG_GATES; g++)
            memcpy(gate[g]->data + r * H, c->gates + r * G + g * H, (size_t)H * sizeof(tg_real));
    memcpy(kept->c->data, cs, NT * H * sizeof(tg_real));
    memcpy(kept->h->data, hs, NT * H * sizeof(tg_real));
}

/* The first state of every sequence: s0 (N, H), or zeros. */
static void first_state(tg_real *prev, const tg_tensor *s0, int N, int T, int H)
{
    for (int n = 0; n < N; n++)
        for (int j = 0; j < H; j++)
            prev[(size_t)n * T * H + j] = s0 ? s0->data[(size_t)n * H + j] : 0;
}

tg_tensor *tg_lstm_fused_states(tg_lstm_layer *l, tg_tape *tape, tg_tensor *x, tg_tensor *h0,
                                tg_tensor *c0)
{
    const int N = x->shape.dim[0], T = x->shape.dim[1], D = l->D, H = l->H, G = TG_GATES * H;
    const size_t NT = (size_t)N * (size_t)T;
    fused_ctx *c = tg_tape_alloc(tape, sizeof *c);
    memset(c, 0, sizeof *c);
    c->N = N;
    c->T = T;
    c->D = D;
    c->H = H;
    c->full = l->opts.peephole == TG_PEEPHOLE_FULL;
    c->W_x = arena_reals(tape, (size_t)D * G);
    c->W_h = arena_reals(tape, (size_t)H * G);
    c->gates = arena_reals(tape, NT * G);
    c->h_prev = arena_reals(tape, NT * H);
    c->c_prev = arena_reals(tape, NT * H);
    c->tanh_c = arena_reals(tape, NT * H);
    tg_real *b = arena_reals(tape, (size_t)G);
    tg_lstm_pack_gates(l->W_x, D, H, c->W_x);
    tg_lstm_pack_gates(l->W_h, H, H, c->W_h);
    tg_lstm_pack_gates(l->b, 1, H, b);

    /* The node's inputs: x, h0, c0 (when given), then the parameters. */
    tg_tensor *in[3 + 4 * TG_GATES];
    int n_in = 0;
    in[n_in++] = x;
    c->in_h0 = h0 ? n_in : -1;
    if (h0)
        in[n_in++] = h0;
    c->in_c0 = c0 ? n_in : -1;
    if (c0)
        in[n_in++] = c0;
    c->in_W_x = n_in;
    for (int g = 0; g < TG_GATES; g++)
        in[n_in++] = l->W_x[g];
    c->in_W_h = n_in;
    for (int g = 0; g < TG_GATES; g++)
        in[n_in++] = l->W_h[g];
    for (int g = 0; g < TG_GATES; g++) {
        c->W_c[g] = l->W_c[g];
        c->in_W_c[g] = l->W_c[g] ? n_in : -1;
        if (l->W_c[g])
            in[n_in++] = l->W_c[g];
    }
    c->in_b = n_in;
    for (int g = 0; g < TG_GATES; g++)
        in[n_in++] = l->b[g];

    tg_tensor *states = tg_tape_tensor(tape, TG_SHAPE(2, N, T, H));
    tg_real *hs = states->data, *cs = states->data + NT * H;
    /* Z = x [W_xi W_xf W_xc W_xo] + [b_i b_f b_c b_o]: every step's input part at once */
    tg_gemm(0, 0, (int)NT, G, D, 1, x->data, D, c->W_x, G, 0, c->gates, G);
    for (size_t r = 0; r < NT; r++) {
        tg_real *restrict z = c->gates + r * G;
        const tg_real *restrict bias = b;
#pragma omp simd
        for (int k = 0; k < G; k++)
            z[k] += bias[k];
    }
    first_state(c->h_prev, h0, N, T, H);
    first_state(c->c_prev, c0, N, T, H);
    for (int t = 0; t < T; t++)
        step_forward(c, t, hs, cs);
    tg_lstm_internals *kept = tg_lstm_kept(l, N, T);
    if (kept)
        keep_internals(c, hs, cs, kept);

    tg_node *node = tg_tape_record(tape, "lstm_fused", states, in, n_in, lstm_fused_backward);
    if (node)
        node->ctx = c;
    return states;
}
