/* The LSTM layer: its options, its parameters and their initialisation,
 * and the function form that runs one of its two paths, the six equations
 * unrolled from tape ops (lstm_reference.c) or the fused op
 * (lstm_fused.c). */
#include "layers/internal/lstm_layer.h"

#include <stdio.h>
#include <string.h>

#include "autograd/autograd.h"
#include "tensor/tensor.h"

static const char *const W_x_names[TG_GATES] = {"W_xi", "W_xf", "W_xc", "W_xo"};
static const char *const W_h_names[TG_GATES] = {"W_hi", "W_hf", "W_hc", "W_ho"};
static const char *const W_c_names[TG_GATES] = {"W_ci", "W_cf", "W_cc", "W_co"};
static const char *const b_names[TG_GATES] = {"b_i", "b_f", "b_c", "b_o"};

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
        tg_lstm_reference_steps(l, tape, x, h0 ? h0 : zero_state(tape, N, H),
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

static void lstm_destroy(tg_layer *self)
{
    tg_lstm_internals_free(&((tg_lstm_layer *)self)->kept);
}

static const tg_layer_ops lstm_ops = {"LSTM", lstm_build, lstm_forward, lstm_destroy};

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
