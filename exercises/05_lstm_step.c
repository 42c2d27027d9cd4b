/* Exercise 5: one step of the document's LSTM, backward (section 3.3.1).
 *
 * The forward (given below), for each sample n and unit u:
 *
 *     i_t         = sigma(W_xi x_t + W_hi h_{t-1} + W_ci c_{t-1} + b_i)
 *     f_t         = sigma(W_xf x_t + W_hf h_{t-1} + W_cf c_{t-1} + b_f)
 *     \tilde{c}_t = tanh (W_xc x_t + W_hc h_{t-1} + W_cc c_{t-1} + b_c)
 *     c_t         = f_t (.) c_{t-1} + i_t (.) \tilde{c}_t
 *     o_t         = sigma(W_xo x_t + W_ho h_{t-1} + W_co c_t + b_o)
 *     h_t         = o_t (.) tanh(c_t)
 *
 * with the peepholes W_ci, W_cf, W_cc, W_co diagonal (vectors of H,
 * applied elementwise: W_ci c_{t-1} is W_ci[u] c_{t-1}[n, u]), and W_cc,
 * the candidate's peephole, which the document has and the usual peephole
 * LSTM does not. Rows are vectors: "W_xi x_t" is sum_d x[n, d] W_xi[d, u].
 * Note that o_t looks at the NEW state c_t, the other three at c_{t-1}.
 *
 * Shapes: x (N, D); h_prev, c_prev and every gate (N, H); W_x* (D, H),
 * W_h* (H, H), W_c* and b_* (H). The forward fills s->i, s->f, s->c_tilde,
 * s->c, s->o, s->tanh_c and s->h; you may read them all.
 *
 * Write the backward: given dh = dL/dh_t and dc = dL/dc_t as they come from
 * outside the step (from the loss; in a sequence, from step t+1), compute
 *
 *     dx = dL/dx_t,  dh_prev = dL/dh_{t-1},  dc_prev = dL/dc_{t-1}
 *
 * and every parameter's gradient, d->W_xi ... d->b_o. All start at zero.
 *
 * Grade it: make exercise E=lstm_step      Page: docs/exercise-05-lstm-step.md */
#include <math.h>

#include "tapegrad.h"
#include "exercises/exercises.h"

/* A gate's argument for sample n, unit u:
 *     W_x x_t + W_h h_{t-1} + W_c (.) c + b */
static tg_real affine(const tg_tensor *W_x, const tg_tensor *x, const tg_tensor *W_h,
                      const tg_tensor *h_prev, const tg_tensor *W_c, const tg_tensor *c,
                      const tg_tensor *b, int n, int u)
{
    const int D = x->shape.dim[1], H = h_prev->shape.dim[1];
    tg_real a = TG_AT(W_c, u) * TG_AT(c, n, u) + TG_AT(b, u);
    for (int d = 0; d < D; d++)
        a += TG_AT(x, n, d) * TG_AT(W_x, d, u);
    for (int v = 0; v < H; v++)
        a += TG_AT(h_prev, n, v) * TG_AT(W_h, v, u);
    return a;
}

static tg_real sigma(tg_real a)
{
    return (tg_real)(1 / (1 + exp(-a)));
}

void ex_lstm_step_forward(const ex_lstm_params *p, ex_lstm_step *s)
{
    const int N = s->x->shape.dim[0], H = s->h_prev->shape.dim[1];
    for (int n = 0; n < N; n++)
        for (int u = 0; u < H; u++) {
            const tg_real c_prev = TG_AT(s->c_prev, n, u);
            /* i_t = sigma(W_xi x_t + W_hi h_{t-1} + W_ci c_{t-1} + b_i) */
            const tg_real i = sigma(affine(p->W_xi, s->x, p->W_hi, s->h_prev, p->W_ci, s->c_prev,
                                           p->b_i, n, u));
            /* f_t = sigma(W_xf x_t + W_hf h_{t-1} + W_cf c_{t-1} + b_f) */
            const tg_real f = sigma(affine(p->W_xf, s->x, p->W_hf, s->h_prev, p->W_cf, s->c_prev,
                                           p->b_f, n, u));
            /* \tilde{c}_t = tanh(W_xc x_t + W_hc h_{t-1} + W_cc c_{t-1} + b_c) */
            const tg_real c_tilde = (tg_real)tanh(affine(p->W_xc, s->x, p->W_hc, s->h_prev,
                                                         p->W_cc, s->c_prev, p->b_c, n, u));
            /* c_t = f_t (.) c_{t-1} + i_t (.) \tilde{c}_t */
            const tg_real c = f * c_prev + i * c_tilde;
            TG_AT(s->c, n, u) = c;
            /* o_t = sigma(W_xo x_t + W_ho h_{t-1} + W_co c_t + b_o)   (c_t, the new state) */
            const tg_real o = sigma(affine(p->W_xo, s->x, p->W_ho, s->h_prev, p->W_co, s->c,
                                           p->b_o, n, u));
            /* h_t = o_t (.) tanh(c_t) */
            const tg_real tanh_c = (tg_real)tanh(c);
            TG_AT(s->i, n, u) = i;
            TG_AT(s->f, n, u) = f;
            TG_AT(s->c_tilde, n, u) = c_tilde;
            TG_AT(s->o, n, u) = o;
            TG_AT(s->tanh_c, n, u) = tanh_c;
            TG_AT(s->h, n, u) = o * tanh_c;
        }
}

void ex_lstm_step_backward(const ex_lstm_params *p, const ex_lstm_step *s, const tg_tensor *dh,
                           const tg_tensor *dc, ex_lstm_params *d, tg_tensor *dx,
                           tg_tensor *dh_prev, tg_tensor *dc_prev)
{
    /* ======== YOUR CODE: walk the six equations backwards, last first ======== */
}

/* Hints
 *
 * - Name the gates' arguments: i_t = sigma(a_i), \tilde{c}_t = tanh(a_c), and
 *   so on. Then the backward has three parts: the gradient of each a_g
 *   (g = i, f, c, o), for each (n, u); the parameters' gradients from the
 *   a_g's (sums over the batch); what flows to x_t, h_{t-1} and c_{t-1}.
 * - Go from the last equation up. h_t gives o_t's gradient and one part of
 *   c_t's. c_t reaches the loss along more paths than one: through h_t,
 *   through o_t's peephole W_co, and from outside (dc). Add them all up
 *   BEFORE going on to f_t, i_t and \tilde{c}_t, which all need the total.
 * - Exercise 1 gave you sigma' and tanh' in terms of the outputs, which is
 *   what s holds.
 * - c_{t-1} reaches c_t directly (through f_t (.) c_{t-1}) and through the
 *   peepholes of three gates. Which three?
 * - A diagonal peephole's gradient is a vector: d->W_ci[u] sums, over the
 *   samples n, the gradient of a_i[n, u] times the state it multiplied.
 * - Temporary (N, H) tensors: tg_tensor_zeros(TG_SHAPE(N, H)), then
 *   tg_tensor_free. */
