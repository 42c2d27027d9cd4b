/* The ConvLSTM2D layer: its options, its parameters in Keras's layout and
 * their initialisation, and the choice of path: the six equations unrolled
 * from tape ops (conv_lstm_reference.c) or the fused op
 * (conv_lstm_fused.c). */
#include "layers/internal/conv_lstm_layer.h"

#include <stdio.h>

#include "autograd/autograd.h"
#include "tensor/tensor.h"

static const char *const W_c_names[TG_GATES] = {"W_ci", "W_cf", "W_cc", "W_co"};

static int has_peephole(const tg_conv_lstm2d_opts *o, int gate)
{
    if (o->peephole == TG_PEEPHOLE_NONE)
        return 0;
    return gate != TG_GATE_C || !o->no_candidate_peephole;
}

static tg_shape conv_lstm_build(tg_layer *self, tg_shape input, tg_rng *rng)
{
    tg_conv_lstm2d_layer *l = (tg_conv_lstm2d_layer *)self;
    const tg_conv_lstm2d_opts *o = &l->opts;
    char si[TG_SHAPE_STR_LEN], who[TG_LAYER_NAME_LEN + 2 * TG_SHAPE_STR_LEN];
    tg_shape_str(input, si, sizeof si);
    if (input.ndim != 4 || input.dim[0] < 1 || input.dim[3] < 1)
        tg_fatal("%s: ConvLSTM2D needs a per-sample input (T, H, W, C) with T, C >= 1, got %s",
                 self->name, si);
    snprintf(who, sizeof who, "%s: input %s, kernel (%d, %d)", self->name, si, o->kernel[0],
             o->kernel[1]);
    const int C = input.dim[3], F = o->filters, G = TG_GATES * F;
    l->T = input.dim[0];
    l->C = C;
    l->F = F;
    l->in_h = tg_window_make(who, input.dim[1], o->kernel[0], o->strides[0], o->padding);
    l->in_w = tg_window_make(who, input.dim[2], o->kernel[1], o->strides[1], o->padding);
    l->rec_h = tg_window_make(who, l->in_h.out, o->kernel[0], 1, TG_SAME);
    l->rec_w = tg_window_make(who, l->in_w.out, o->kernel[1], 1, TG_SAME);
    const int OH = l->in_h.out, OW = l->in_w.out;

    l->kernel = tg_layer_add_param(self, "kernel", TG_SHAPE(o->kernel[0], o->kernel[1], C, G), 1);
    l->recurrent_kernel =
        tg_layer_add_param(self, "recurrent_kernel", TG_SHAPE(o->kernel[0], o->kernel[1], F, G), 1);
    l->bias = tg_layer_add_param(self, "bias", TG_SHAPE(G), 0);
    for (int g = 0; g < TG_GATES; g++)
        if (has_peephole(o, g))
            l->W_c[g] = tg_layer_add_param(self, W_c_names[g], TG_SHAPE(OH, OW, F), 1);

    /* Keras's initialisers, as tg_lstm's: Glorot over the whole packed
     * kernel (fans kh kw C and kh kw 4F), orthogonal over the whole
     * recurrent kernel as a (kh kw F, 4F) matrix. */
    tg_init_glorot_uniform(l->kernel, rng);
    tg_init_orthogonal(l->recurrent_kernel, rng, 1.0);
    /* unit_forget_bias: start by remembering. */
    for (int j = 0; j < F; j++)
        l->bias->data[TG_GATE_F * F + j] = 1;
    return o->return_sequences ? TG_SHAPE(l->T, OH, OW, F) : TG_SHAPE(OH, OW, F);
}

static tg_tensor *conv_lstm_forward(tg_layer *self, tg_tape *tape, tg_tensor *x, int training)
{
    tg_conv_lstm2d_layer *l = (tg_conv_lstm2d_layer *)self;
    const int N = x->shape.dim[0], T = x->shape.dim[1];
    const int OH = l->in_h.out, OW = l->in_w.out, F = l->F;
    if (self->path == TG_PATH_REFERENCE) {
        tg_tensor **h_seq = tg_tape_alloc(tape, (size_t)T * sizeof *h_seq);
        tg_conv_lstm2d_reference_steps(l, tape, x, h_seq);
        return l->opts.return_sequences ? tg_stack(tape, h_seq, T, 1) : h_seq[T - 1];
    }
    tg_tensor *states = tg_conv_lstm2d_fused_states(l, tape, x);
    if (l->opts.return_sequences)
        return states;
    /* h_T: the last step of the sequence */
    return tg_reshape(tape, tg_slice(tape, states, 1, T - 1, 1, 1), TG_SHAPE(N, OH, OW, F));
}

static const tg_layer_ops conv_lstm_ops = {"ConvLSTM2D", conv_lstm_build, conv_lstm_forward, NULL};

tg_layer *tg_conv_lstm2d(tg_conv_lstm2d_opts o)
{
    if (o.filters < 1)
        tg_fatal("conv_lstm2d: filters must be >= 1, got %d", o.filters);
    for (int a = 0; a < 2; a++) {
        if (o.kernel[a] < 1)
            tg_fatal("conv_lstm2d: kernel size must be >= 1, got (%d, %d)", o.kernel[0],
                     o.kernel[1]);
        if (o.strides[a] < 0)
            tg_fatal("conv_lstm2d: stride must be >= 1 (or 0 for the default 1), got %d",
                     o.strides[a]);
        if (!o.strides[a])
            o.strides[a] = 1;
    }
    if (o.padding != TG_VALID && o.padding != TG_SAME)
        tg_fatal("conv_lstm2d: unknown padding %d", (int)o.padding);
    if (o.peephole == TG_PEEPHOLE_FULL)
        tg_fatal("conv_lstm2d: peephole full is refused: a matrix over the whole state map "
                 "would be (H' W' F)^2 and not translation-equivariant; use diagonal or none");
    if (o.peephole != TG_PEEPHOLE_DIAGONAL && o.peephole != TG_PEEPHOLE_NONE)
        tg_fatal("conv_lstm2d: unknown peephole kind %d", (int)o.peephole);
    tg_conv_lstm2d_layer *l = tg_xcalloc(1, sizeof *l, "conv_lstm2d");
    tg_layer_init(&l->base, &conv_lstm_ops, "conv_lstm2d");
    l->opts = o;
    return &l->base;
}
