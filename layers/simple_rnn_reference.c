/* SimpleRNN's reference path: Keras's one equation, unrolled over the time
 * steps from primitive tape ops. Backpropagation through time is whatever
 * the tape derives; the fused path (simple_rnn_fused.c) must agree with it
 * on every value and gradient. */
#include "layers/internal/simple_rnn_layer.h"

#include "autograd/autograd.h"

void tg_simple_rnn_reference_steps(tg_simple_rnn_layer *l, tg_tape *tape, tg_tensor *x,
                                   tg_tensor *h_0, tg_tensor **h_seq)
{
    const int N = x->shape.dim[0], T = x->shape.dim[1], D = l->D;
    tg_tensor *W = l->W, *U = l->U, *b = l->b;
    tg_tensor *h_prev = h_0;
    for (int t = 0; t < T; t++) {
        tg_tensor *x_t = tg_reshape(tape, tg_slice(tape, x, 1, t, 1, 1), TG_SHAPE(N, D));

        /* h_t = tanh(x_t W + h_{t-1} U + b)   (one statement a term: the
         * tape records them in the order they are written) */
        tg_tensor *s = tg_matmul(tape, x_t, W);
        s = tg_add(tape, s, tg_matmul(tape, h_prev, U));
        tg_tensor *h_t = tg_tanh(tape, tg_add(tape, s, b));

        /* Named for tg_tape_write_dot and tg_tape_print. */
        x_t->name = "x_t";
        h_t->name = "h_t";
        h_seq[t] = h_t;
        h_prev = h_t;
    }
}
