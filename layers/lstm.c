/* The LSTM layer and its reference path: the six equations of the document's
 * section 3.3.1, one line of C each, unrolled over the time steps from
 * primitive tape ops. Nothing here computes a gradient: backpropagation
 * through time is whatever the tape derives from this unrolling. The fused
 * path (lstm_fused.c) must agree with it on every value and gradient. */
#include "layers/lstm_layer.h"

#include <stdio.h>
#include <string.h>

#include "autograd/ops.h"
#include "tensor/init.h"

static const char *const W_x_names[TG_GATES] = {"W_xi", "W_xf", "W_xc", "W_xo"};
static const char *const W_h_names[TG_GATES] = {"W_hi", "W_hf", "W_hc", "W_ho"};
static const char *const W_c_names[TG_GATES] = {"W_ci", "W_cf", "W_cc", "W_co"};
static const char *const b_names[TG_GATES] = {"b_i", "b_f", "b_c", "b_o"};

/* Packed (rows, 4H) = [gate i | gate f | gate c | gate o], row by row. */
void tg_lstm_pack_gates(tg_tensor *const gate[TG_GATES], int rows, int H, tg_real *packed)
{
    for (int r = 0; r < rows; r++)
        for (int g = 0; g < TG_GATES; g++)
            memcpy(packed + ((size_t)r * TG_GATES + (size_t)g) * (size_t)H,
                   gate[g]->data + (size_t)r * (size_t)H, (size_t)H * sizeof *packed);
}

void tg_lstm_unpack_gates(const tg_real *packed, int rows, int H, tg_tensor *const gate[TG_GATES])
{
    for (int r = 0; r < rows; r++)
        for (int g = 0; g < TG_GATES; g++)
            memcpy(gate[g]->data + (size_t)r * (size_t)H,
                   packed + ((size_t)r * TG_GATES + (size_t)g) * (size_t)H,
                   (size_t)H * sizeof *packed);
}

static int has_peephole(const tg_lstm_opts *o, int gate)
{
    if (o->peephole == TG_PEEPHOLE_NONE)
        return 0;
    return gate != TG_GATE_C || !o->no_candidate_peephole;
}

static tg_shape lstm_build(tg_layer *self, tg_shape input, tg_rng *rng)
{
    tg_lstm_layer *l = (tg_lstm_layer *)self;
    if (input.ndim != 2 || input.dim[0] < 1 || input.dim[1] < 1) {
        char s[TG_SHAPE_STR_LEN];
        tg_fatal("%s: LSTM needs a per-sample input (T, D) with T, D >= 1, got %s", self->name,
                 tg_shape_str(input, s, sizeof s));
    }
    const int D = input.dim[1], H = l->opts.units;
    l->D = D;
    l->H = H;
    for (int g = 0; g < TG_GATES; g++)
        l->W_x[g] = tg_layer_add_param(self, W_x_names[g], TG_SHAPE(D, H), 1);
    for (int g = 0; g < TG_GATES; g++)
        l->W_h[g] = tg_layer_add_param(self, W_h_names[g], TG_SHAPE(H, H), 1);
    for (int g = 0; g < TG_GATES; g++)
        if (has_peephole(&l->opts, g))
            l->W_c[g] = tg_layer_add_param(self, W_c_names[g],
                                           l->opts.peephole == TG_PEEPHOLE_FULL ? TG_SHAPE(H, H)
                                                                                : TG_SHAPE(H),
                                           1);
    for (int g = 0; g < TG_GATES; g++)
        l->b[g] = tg_layer_add_param(self, b_names[g], TG_SHAPE(H), 0);

    /* Keras initialises the packed kernels as one matrix each, so the Glorot
     * limit is sqrt(6 / (D + 4H)) and the recurrent kernel's rows (not each
     * gate's block) are orthonormal; then it is cut into the four gates. */
    tg_tensor *kernel = tg_tensor_new(TG_SHAPE(D, TG_GATES * H));
    tg_tensor *recurrent = tg_tensor_new(TG_SHAPE(H, TG_GATES * H));
    tg_init_glorot_uniform(kernel, rng);
    tg_init_orthogonal(recurrent, rng, 1.0);
    tg_lstm_unpack_gates(kernel->data, D, H, l->W_x);
    tg_lstm_unpack_gates(recurrent->data, H, H, l->W_h);
    tg_tensor_free(kernel);
    tg_tensor_free(recurrent);
    /* unit_forget_bias: start by remembering. */
    tg_tensor_fill(l->b[TG_GATE_F], 1);
    return l->opts.return_sequences ? TG_SHAPE(input.dim[0], H) : TG_SHAPE(H);
}

/* The peephole term W_c c of one gate: elementwise for a diagonal W_c (a
 * vector broadcast over the batch), a matrix product for a full one. */
static tg_tensor *peephole(tg_tape *tape, tg_tensor *W_c, tg_tensor *c)
{
    return W_c->shape.ndim == 1 ? tg_mul(tape, c, W_c) : tg_matmul(tape, c, W_c);
}

/* A gate's argument, the affine sum inside sigma or tanh (no W_c c without a peephole):
 *     W_x x_t + W_h h_{t-1} + W_c c + b */
static tg_tensor *affine(tg_tape *tape, tg_tensor *x_t, tg_tensor *W_x, tg_tensor *h_prev,
                         tg_tensor *W_h, tg_tensor *W_c, tg_tensor *c, tg_tensor *b)
{
    tg_tensor *s = tg_add(tape, tg_matmul(tape, x_t, W_x), tg_matmul(tape, h_prev, W_h));
    if (W_c)
        s = tg_add(tape, s, peephole(tape, W_c, c));
    return tg_add(tape, s, b);
}

/* Unrolls the six equations over t = 1..T. h_seq receives every h_t. */
static void reference_steps(tg_lstm_layer *l, tg_tape *tape, tg_tensor *x, tg_tensor *h_0,
                            tg_tensor *c_0, tg_tensor **h_seq, tg_tensor **c_T)
{
    const int N = x->shape.dim[0], T = x->shape.dim[1], D = l->D;
    tg_tensor *W_xi = l->W_x[TG_GATE_I], *W_xf = l->W_x[TG_GATE_F];
    tg_tensor *W_xc = l->W_x[TG_GATE_C], *W_xo = l->W_x[TG_GATE_O];
    tg_tensor *W_hi = l->W_h[TG_GATE_I], *W_hf = l->W_h[TG_GATE_F];
    tg_tensor *W_hc = l->W_h[TG_GATE_C], *W_ho = l->W_h[TG_GATE_O];
    tg_tensor *W_ci = l->W_c[TG_GATE_I], *W_cf = l->W_c[TG_GATE_F];
    tg_tensor *W_cc = l->W_c[TG_GATE_C], *W_co = l->W_c[TG_GATE_O];
    tg_tensor *b_i = l->b[TG_GATE_I], *b_f = l->b[TG_GATE_F];
    tg_tensor *b_c = l->b[TG_GATE_C], *b_o = l->b[TG_GATE_O];

    tg_tensor *h_prev = h_0, *c_prev = c_0;
    for (int t = 0; t < T; t++) {
        tg_tensor *x_t = tg_reshape(tape, tg_slice(tape, x, 1, t, 1, 1), TG_SHAPE(N, D));

        /* i_t = \sigma(W_xi x_t + W_hi h_{t-1} + W_ci c_{t-1} + b_i) */
        tg_tensor *i_t = tg_sigmoid(tape, affine(tape, x_t, W_xi, h_prev, W_hi, W_ci, c_prev, b_i));
        /* f_t = \sigma(W_xf x_t + W_hf h_{t-1} + W_cf c_{t-1} + b_f) */
        tg_tensor *f_t = tg_sigmoid(tape, affine(tape, x_t, W_xf, h_prev, W_hf, W_cf, c_prev, b_f));
        /* \tilde{c}_t = \tanh(W_xc x_t + W_hc h_{t-1} + W_cc c_{t-1} + b_c) */
        tg_tensor *c_tilde = tg_tanh(tape, affine(tape, x_t, W_xc, h_prev, W_hc, W_cc, c_prev, b_c));
        /* c_t = f_t \odot c_{t-1} + i_t \odot \tilde{c}_t */
        tg_tensor *c_t = tg_add(tape, tg_mul(tape, f_t, c_prev), tg_mul(tape, i_t, c_tilde));
        /* o_t = \sigma(W_xo x_t + W_ho h_{t-1} + W_co c_t + b_o)   (c_t: the new state) */
        tg_tensor *o_t = tg_sigmoid(tape, affine(tape, x_t, W_xo, h_prev, W_ho, W_co, c_t, b_o));
        /* h_t = o_t \odot \tanh(c_t) */
        tg_tensor *h_t = tg_mul(tape, o_t, tg_tanh(tape, c_t));

        h_seq[t] = h_t;
        h_prev = h_t;
        c_prev = c_t;
    }
    *c_T = c_prev;
}

/* A zero state (N, H) on the tape: the default h_0 and c_0. */
static tg_tensor *zero_state(tg_tape *tape, int N, int H)
{
    tg_tensor *z = tg_tape_tensor(tape, TG_SHAPE(N, H));
    memset(z->data, 0, z->size * sizeof *z->data);
    return z;
}

/* h_T or c_T, (N, H), out of the fused op's states (2, N, T, H): the last
 * step first, so that the slices copy 2 N H and N H values, not N T H. */
static tg_tensor *final_state(tg_tape *tape, tg_tensor *states, int which)
{
    const int N = states->shape.dim[1], T = states->shape.dim[2], H = states->shape.dim[3];
    tg_tensor *last = tg_slice(tape, tg_slice(tape, states, 2, T - 1, 1, 1), 0, which, 1, 1);
    return tg_reshape(tape, last, TG_SHAPE(N, H));
}

static void check_state(const tg_layer *layer, const char *what, const tg_tensor *s, int N, int H)
{
    if (!s)
        return;
    char op[TG_LAYER_NAME_LEN + 16];
    snprintf(op, sizeof op, "%s %s", layer->name, what);
    tg_tensor_expect_shape(op, s, TG_SHAPE(N, H));
}

tg_tensor *tg_lstm_run(tg_layer *lstm, tg_tape *tape, tg_tensor *x, tg_tensor *h0, tg_tensor *c0,
                       tg_tensor **h_T, tg_tensor **c_T)
{
    tg_lstm_layer *l = tg_lstm_layer_of(lstm, "lstm_run");
    if (x->shape.ndim != 3 || x->shape.dim[0] < 1 || x->shape.dim[1] < 1 ||
        x->shape.dim[2] != l->D) {
        char s[TG_SHAPE_STR_LEN];
        tg_fatal("%s: LSTM input must be (N, T, D) with D = %d, got %s", lstm->name, l->D,
                 tg_shape_str(x->shape, s, sizeof s));
    }
    const int N = x->shape.dim[0], T = x->shape.dim[1], H = l->H;
    check_state(lstm, "h0", h0, N, H);
    check_state(lstm, "c0", c0, N, H);

    tg_tensor *out, *h_last, *c_last;
    if (lstm->path == TG_PATH_REFERENCE) {
        tg_tensor **h_seq = tg_tape_alloc(tape, (size_t)T * sizeof *h_seq);
        reference_steps(l, tape, x, h0 ? h0 : zero_state(tape, N, H),
                        c0 ? c0 : zero_state(tape, N, H), h_seq, &c_last);
        h_last = h_seq[T - 1];
        out = l->opts.return_sequences ? tg_stack(tape, h_seq, T, 1) : h_last;
    } else {
        tg_tensor *states = tg_lstm_fused_states(l, tape, x, h0, c0);
        /* h_T only when something reads it: not for the document's time series model */
        h_last = !l->opts.return_sequences || h_T ? final_state(tape, states, 0) : NULL;
        c_last = c_T ? final_state(tape, states, 1) : NULL;
        out = l->opts.return_sequences
                  ? tg_reshape(tape, tg_slice(tape, states, 0, 0, 1, 1), TG_SHAPE(N, T, H))
                  : h_last;
    }
    if (h_T)
        *h_T = h_last;
    if (c_T)
        *c_T = c_last;
    return out;
}

static tg_tensor *lstm_forward(tg_layer *self, tg_tape *tape, tg_tensor *x, int training)
{
    return tg_lstm_run(self, tape, x, NULL, NULL, NULL, NULL);
}

static const tg_layer_ops lstm_ops = {"LSTM", lstm_build, lstm_forward, NULL};

tg_lstm_layer *tg_lstm_layer_of(const tg_layer *layer, const char *op)
{
    if (layer->ops != &lstm_ops)
        tg_fatal("%s: %s is a %s, not an LSTM", op, layer->name, layer->ops->kind);
    if (!layer->built)
        tg_fatal("%s: %s is not built yet (tg_layer_build first)", op, layer->name);
    return (tg_lstm_layer *)layer;
}

tg_layer *tg_lstm(tg_lstm_opts o)
{
    if (o.units < 1)
        tg_fatal("lstm: units must be >= 1, got %d", o.units);
    if (o.peephole != TG_PEEPHOLE_DIAGONAL && o.peephole != TG_PEEPHOLE_NONE &&
        o.peephole != TG_PEEPHOLE_FULL)
        tg_fatal("lstm: unknown peephole kind %d", (int)o.peephole);
    tg_lstm_layer *l = tg_xcalloc(1, sizeof *l, "lstm");
    tg_layer_init(&l->base, &lstm_ops, "lstm");
    l->opts = o;
    return &l->base;
}

tg_tensor *tg_lstm_param(const tg_layer *lstm, const char *name)
{
    tg_lstm_layer_of(lstm, "lstm_param");
    for (int k = 0; k < lstm->n_params; k++)
        if (strcmp(lstm->params[k]->name, name) == 0)
            return lstm->params[k];
    return NULL;
}
