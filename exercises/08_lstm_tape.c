/* Exercise 8: the document's six LSTM equations as tape ops (section 3.3.1):
 * a forward exercise. Write the forward; the tape derives the backward.
 *
 *     i_t         = sigma(W_xi x_t + W_hi h_{t-1} + W_ci c_{t-1} + b_i)
 *     f_t         = sigma(W_xf x_t + W_hf h_{t-1} + W_cf c_{t-1} + b_f)
 *     \tilde{c}_t = tanh (W_xc x_t + W_hc h_{t-1} + W_cc c_{t-1} + b_c)
 *     c_t         = f_t (.) c_{t-1} + i_t (.) \tilde{c}_t
 *     o_t         = sigma(W_xo x_t + W_ho h_{t-1} + W_co c_t + b_o)
 *     h_t         = o_t (.) tanh(c_t)
 *
 * Rows are vectors: "W_xi x_t" is tg_matmul(tape, x_t, W_xi), x_t (N, D)
 * times W_xi (D, H). The peepholes W_c* are vectors (H): W_ci c_{t-1} is
 * the elementwise tg_mul(tape, c_prev, W_ci), which broadcasts W_ci over
 * the batch, as tg_add does a bias b (H).
 *
 * Read s->x (N, D), s->h_prev and s->c_prev (N, H); set s->i, s->f,
 * s->c_tilde, s->c, s->o and s->h to what your ops return, (N, H) each
 * (s->tanh_c you may leave NULL). The ops you need: tg_matmul, tg_add,
 * tg_mul, tg_sigmoid, tg_tanh (autograd/autograd.h, docs/api-autograd.md).
 *
 * A gradient check alone cannot grade this: the tape differentiates
 * whatever you write, right or wrong, exactly. So the grader compares the
 * six values with the library's first, and the gradients only once those
 * agree; then it runs your step twice, from h_1 and c_1, to see the tape
 * derive backpropagation through time from your code (exercise 6 by hand).
 *
 * Grade it: make exercise E=lstm_tape      Page: docs/exercise-08-lstm-tape.md */
#include "tapegrad.h"
#include "exercises/exercises.h"

void ex_lstm_step_tape(tg_tape *tape, const ex_lstm_params *p, ex_lstm_step *s)
{
    /* ======== YOUR CODE: one line of tape ops per equation, in the order above ======== */
}

/* Hints
 *
 * - Every op returns a new tensor on the tape; nothing is computed in place.
 *   Build each gate's argument as a sum of terms, one tg_add at a time.
 * - A helper for the gates' argument, W_x x_t + W_h h_{t-1} + W_c c + b,
 *   saves writing it four times -- but mind which state each gate's
 *   peephole looks at.
 * - Compute a value with plain loops into a tensor and the tape never sees
 *   it: the value is right, its gradient is lost. Use tape ops only. */
