/* The LSTM's reference path: the six equations of the document's section
 * 3.3.1, one line of C each, unrolled over the time steps from primitive
 * tape ops. Nothing here computes a gradient: backpropagation through time
 * is whatever the tape derives from this unrolling. The fused path
 * (lstm_fused.c) must agree with it on every value and gradient. */
#include "layers/internal/lstm_layer.h"

#include "autograd/autograd.h"

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
    /* One statement a term, so that the tape records the terms in the
     * order they are written (C leaves the order of a call's arguments to
     * the compiler). */
    tg_tensor *s = tg_matmul(tape, x_t, W_x);
    s = tg_add(tape, s, tg_matmul(tape, h_prev, W_h));
    if (W_c)
        s = tg_add(tape, s, peephole(tape, W_c, c));
    return tg_add(tape, s, b);
}

/* Unrolls the six equations over t = 1..T. h_seq receives every h_t. */
void tg_lstm_reference_steps(tg_lstm_layer *l, tg_tape *tape, tg_tensor *x, tg_tensor *h_0,
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

    tg_lstm_internals *kept = tg_lstm_kept(l, N, T);
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
        tg_tensor *f_c = tg_mul(tape, f_t, c_prev);
        tg_tensor *c_t = tg_add(tape, f_c, tg_mul(tape, i_t, c_tilde));
        /* o_t = \sigma(W_xo x_t + W_ho h_{t-1} + W_co c_t + b_o)   (c_t: the new state) */
        tg_tensor *o_t = tg_sigmoid(tape, affine(tape, x_t, W_xo, h_prev, W_ho, W_co, c_t, b_o));
        /* h_t = o_t \odot \tanh(c_t) */
        tg_tensor *h_t = tg_mul(tape, o_t, tg_tanh(tape, c_t));

        /* Each equation's result by its symbol: tg_tape_write_dot frames the
         * ops of one equation together, tg_tape_print names them. */
        x_t->name = "x_t";
        i_t->name = "i_t";
        f_t->name = "f_t";
        c_tilde->name = "~c_t";
        c_t->name = "c_t";
        o_t->name = "o_t";
        h_t->name = "h_t";
        if (kept)
            tg_lstm_keep_step(kept, t, i_t, f_t, c_tilde, o_t, c_t, h_t);
        h_seq[t] = h_t;
        h_prev = h_t;
        c_prev = c_t;
    }
    *c_T = c_prev;
}

