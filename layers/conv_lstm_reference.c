/* The ConvLSTM2D's reference path: the six equations of the document's
 * section 3.3.1 with every product a convolution, one line of C each,
 * unrolled over the time steps from primitive tape ops: each `*` is
 * Conv2D's reference path (conv_reference.c), each peephole an elementwise
 * product. Nothing here computes a gradient: backpropagation through time
 * is whatever the tape derives from this unrolling. The fused path
 * (conv_lstm_fused.c) must agree with it on every value and gradient. */
#include "layers/internal/conv_lstm_layer.h"

#include <string.h>

#include "autograd/autograd.h"

static const int unit_strides[2] = {1, 1};

/* Gate block g (i, f, c, o) of a packed (..., 4F) tensor: its last-axis
 * entries g F .. g F + F - 1, as a tape tensor, so the gradient of the block
 * lands in the packed parameter. */
static tg_tensor *block(tg_tape *tape, tg_tensor *packed, int g, int F)
{
    return tg_slice(tape, packed, packed->shape.ndim - 1, g * F, F, 1);
}

/* The peephole term W_c (.) c of one gate: W_c has the state's whole shape
 * (H', W', F), c is (N, H', W', F); each sample's map is multiplied by the
 * same W_c, element by element. The tape's mul broadcasts a vector along
 * the last axis, so both are seen flat: c as (N, H' W' F), W_c as (H' W' F). */
static tg_tensor *peephole(tg_tape *tape, tg_tensor *W_c, tg_tensor *c)
{
    const int N = c->shape.dim[0], size = (int)W_c->size;
    tg_tensor *c_flat = tg_reshape(tape, c, TG_SHAPE(N, size));
    tg_tensor *W_flat = tg_reshape(tape, W_c, TG_SHAPE(size));
    return tg_reshape(tape, tg_mul(tape, c_flat, W_flat), c->shape);
}

/* A gate's argument, the sum inside sigma or tanh (no W_c (.) c without a
 * peephole), `*` the convolution:
 *     W_x * x_t + W_h * h_{t-1} + W_c (.) c + b */
static tg_tensor *affine(const tg_conv_lstm2d_layer *l, tg_tape *tape, tg_tensor *x_t,
                         tg_tensor *W_x, tg_tensor *h_prev, tg_tensor *W_h, tg_tensor *W_c,
                         tg_tensor *c, tg_tensor *b)
{
    /* One statement a term, so that the tape records the terms in the
     * order they are written. The input convolution has the layer's
     * strides and padding; the recurrent one is 'same' with stride 1. */
    tg_tensor *s = tg_conv2d_reference(tape, x_t, W_x, NULL, l->opts.strides, l->opts.padding);
    s = tg_add(tape, s, tg_conv2d_reference(tape, h_prev, W_h, NULL, unit_strides, TG_SAME));
    if (W_c)
        s = tg_add(tape, s, peephole(tape, W_c, c));
    return tg_add(tape, s, b);
}

/* A zero state (N, H', W', F) on the tape: h_0 and c_0. */
static tg_tensor *zero_state(const tg_conv_lstm2d_layer *l, tg_tape *tape, int N)
{
    tg_tensor *z = tg_tape_tensor(tape, TG_SHAPE(N, l->in_h.out, l->in_w.out, l->F));
    memset(z->data, 0, z->size * sizeof *z->data);
    return z;
}

void tg_conv_lstm2d_reference_steps(tg_conv_lstm2d_layer *l, tg_tape *tape, tg_tensor *x,
                                    tg_tensor **h_seq)
{
    const int N = x->shape.dim[0], T = x->shape.dim[1], F = l->F;
    const int H = x->shape.dim[2], W = x->shape.dim[3], C = x->shape.dim[4];
    /* [W_xi W_xf W_xc W_xo] = kernel,  [W_hi W_hf W_hc W_ho] = recurrent_kernel,
     * [b_i b_f b_c b_o] = bias */
    tg_tensor *W_xi = block(tape, l->kernel, TG_GATE_I, F);
    tg_tensor *W_xf = block(tape, l->kernel, TG_GATE_F, F);
    tg_tensor *W_xc = block(tape, l->kernel, TG_GATE_C, F);
    tg_tensor *W_xo = block(tape, l->kernel, TG_GATE_O, F);
    tg_tensor *W_hi = block(tape, l->recurrent_kernel, TG_GATE_I, F);
    tg_tensor *W_hf = block(tape, l->recurrent_kernel, TG_GATE_F, F);
    tg_tensor *W_hc = block(tape, l->recurrent_kernel, TG_GATE_C, F);
    tg_tensor *W_ho = block(tape, l->recurrent_kernel, TG_GATE_O, F);
    tg_tensor *b_i = block(tape, l->bias, TG_GATE_I, F), *b_f = block(tape, l->bias, TG_GATE_F, F);
    tg_tensor *b_c = block(tape, l->bias, TG_GATE_C, F), *b_o = block(tape, l->bias, TG_GATE_O, F);
    tg_tensor *W_ci = l->W_c[TG_GATE_I], *W_cf = l->W_c[TG_GATE_F];
    tg_tensor *W_cc = l->W_c[TG_GATE_C], *W_co = l->W_c[TG_GATE_O];

    tg_tensor *h_prev = zero_state(l, tape, N), *c_prev = zero_state(l, tape, N);
    for (int t = 0; t < T; t++) {
        tg_tensor *x_t = tg_reshape(tape, tg_slice(tape, x, 1, t, 1, 1), TG_SHAPE(N, H, W, C));

        /* i_t = \sigma(W_xi * x_t + W_hi * h_{t-1} + W_ci \odot c_{t-1} + b_i) */
        tg_tensor *i_t =
            tg_sigmoid(tape, affine(l, tape, x_t, W_xi, h_prev, W_hi, W_ci, c_prev, b_i));
        /* f_t = \sigma(W_xf * x_t + W_hf * h_{t-1} + W_cf \odot c_{t-1} + b_f) */
        tg_tensor *f_t =
            tg_sigmoid(tape, affine(l, tape, x_t, W_xf, h_prev, W_hf, W_cf, c_prev, b_f));
        /* \tilde{c}_t = \tanh(W_xc * x_t + W_hc * h_{t-1} + W_cc \odot c_{t-1} + b_c) */
        tg_tensor *c_tilde =
            tg_tanh(tape, affine(l, tape, x_t, W_xc, h_prev, W_hc, W_cc, c_prev, b_c));
        /* c_t = f_t \odot c_{t-1} + i_t \odot \tilde{c}_t */
        tg_tensor *f_c = tg_mul(tape, f_t, c_prev);
        tg_tensor *c_t = tg_add(tape, f_c, tg_mul(tape, i_t, c_tilde));
        /* o_t = \sigma(W_xo * x_t + W_ho * h_{t-1} + W_co \odot c_t + b_o)   (c_t: the new state) */
        tg_tensor *o_t = tg_sigmoid(tape, affine(l, tape, x_t, W_xo, h_prev, W_ho, W_co, c_t, b_o));
        /* h_t = o_t \odot \tanh(c_t) */
        tg_tensor *h_t = tg_mul(tape, o_t, tg_tanh(tape, c_t));

        /* Each equation's result by its symbol, for tg_tape_print and the
         * tape's picture. */
        x_t->name = "x_t";
        i_t->name = "i_t";
        f_t->name = "f_t";
        c_tilde->name = "~c_t";
        c_t->name = "c_t";
        o_t->name = "o_t";
        h_t->name = "h_t";
        h_seq[t] = h_t;
        h_prev = h_t;
        c_prev = c_t;
    }
}
