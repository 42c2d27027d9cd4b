/* The SimpleRNN layer (Keras's keras.layers.SimpleRNN): its options, its
 * parameters and their initialisation, and the function form that runs one
 * of its two paths, the equation unrolled from tape ops
 * (simple_rnn_reference.c) or the fused op (simple_rnn_fused.c). */
#include "layers/internal/simple_rnn_layer.h"

#include <stdio.h>
#include <string.h>

#include "autograd/autograd.h"
#include "tensor/tensor.h"

static tg_shape simple_rnn_build(tg_layer *self, tg_shape input, tg_rng *rng)
{
    tg_simple_rnn_layer *l = (tg_simple_rnn_layer *)self;
    if (input.ndim != 2 || input.dim[0] < 1 || input.dim[1] < 1) {
        char s[TG_SHAPE_STR_LEN];
        tg_fatal("%s: SimpleRNN needs a per-sample input (T, D) with T, D >= 1, got %s",
                 self->name, tg_shape_str(input, s, sizeof s));
    }
    const int D = input.dim[1], H = l->opts.units;
    l->D = D;
    l->H = H;
    /* Keras's weights, in Keras's order and with its initialisers:
     * glorot_uniform kernel, orthogonal recurrent kernel, zero bias. */
    l->W = tg_layer_add_param(self, "kernel", TG_SHAPE(D, H), 1);
    l->U = tg_layer_add_param(self, "recurrent_kernel", TG_SHAPE(H, H), 1);
    l->b = tg_layer_add_param(self, "bias", TG_SHAPE(H), 0);
    tg_init_glorot_uniform(l->W, rng);
    tg_init_orthogonal(l->U, rng, 1.0);
    return l->opts.return_sequences ? TG_SHAPE(input.dim[0], H) : TG_SHAPE(H);
}

/* A zero state (N, H) on the tape: the default h_0. */
static tg_tensor *zero_state(tg_tape *tape, int N, int H)
{
    tg_tensor *z = tg_tape_tensor(tape, TG_SHAPE(N, H));
    memset(z->data, 0, z->size * sizeof *z->data);
    return z;
}

tg_tensor *tg_simple_rnn_run(tg_layer *rnn, tg_tape *tape, tg_tensor *x, tg_tensor *h0,
                             tg_tensor **h_T)
{
    tg_simple_rnn_layer *l = tg_simple_rnn_layer_of(rnn, "simple_rnn_run");
    char s[TG_SHAPE_STR_LEN];
    if (x->shape.ndim != 3 || x->shape.dim[0] < 1 || x->shape.dim[1] < 1 ||
        x->shape.dim[2] != l->D)
        tg_fatal("%s: SimpleRNN input must be (N, T, D) with D = %d, got %s", rnn->name, l->D,
                 tg_shape_str(x->shape, s, sizeof s));
    const int N = x->shape.dim[0], T = x->shape.dim[1], H = l->H;
    if (h0 && !tg_shape_equal(h0->shape, TG_SHAPE(N, H)))
        tg_fatal("%s h0: expected shape (%d, %d), got %s", rnn->name, N, H,
                 tg_shape_str(h0->shape, s, sizeof s));

    tg_tensor *seq = NULL, *last;
    if (rnn->path == TG_PATH_REFERENCE) {
        tg_tensor **h_seq = tg_tape_alloc(tape, (size_t)T * sizeof *h_seq);
        tg_simple_rnn_reference_steps(l, tape, x, h0 ? h0 : zero_state(tape, N, H), h_seq);
        last = h_seq[T - 1];
        if (l->opts.return_sequences)
            seq = tg_stack(tape, h_seq, T, 1);
    } else {
        seq = tg_simple_rnn_fused_states(l, tape, x, h0);
        last = !l->opts.return_sequences || h_T
                   ? tg_reshape(tape, tg_slice(tape, seq, 1, T - 1, 1, 1), TG_SHAPE(N, H))
                   : NULL;
    }
    if (h_T)
        *h_T = last;
    return l->opts.return_sequences ? seq : last;
}

static tg_tensor *simple_rnn_forward(tg_layer *self, tg_tape *tape, tg_tensor *x, int training)
{
    return tg_simple_rnn_run(self, tape, x, NULL, NULL);
}

static const tg_layer_ops simple_rnn_ops = {"SimpleRNN", simple_rnn_build, simple_rnn_forward,
                                            NULL};

tg_layer *tg_simple_rnn(tg_simple_rnn_opts o)
{
    if (o.units < 1)
        tg_fatal("simple_rnn: units must be >= 1, got %d", o.units);
    tg_simple_rnn_layer *l = tg_xcalloc(1, sizeof *l, "simple_rnn");
    tg_layer_init(&l->base, &simple_rnn_ops, "simple_rnn");
    l->opts = o;
    return &l->base;
}
