/* A correct answer to exercise 8, the six equations as tape ops, with the
 * planted mistakes of this folder as switches (each planted file defines
 * one PLANT_... and includes this file). */
#include <math.h>

#include "exercises/exercises.h"

/* W_x x_t + W_h h_{t-1} + W_c (.) c + b, one term a statement (so that the
 * tape records them in the order written); no W_c: no peephole term. */
static tg_tensor *affine(tg_tape *tape, tg_tensor *x, tg_tensor *W_x, tg_tensor *h_prev,
                         tg_tensor *W_h, tg_tensor *W_c, tg_tensor *c, tg_tensor *b)
{
    tg_tensor *a = tg_matmul(tape, x, W_x);
    a = tg_add(tape, a, tg_matmul(tape, h_prev, W_h));
    if (W_c)
        a = tg_add(tape, a, tg_mul(tape, c, W_c));
    return tg_add(tape, a, b);
}

#ifdef PLANT_GATE_OUTSIDE_TAPE
/* i_t computed with loops into a fresh tape tensor: the right values,
 * recorded by no op, so no gradient flows through them. */
static tg_tensor *sigmoid_by_hand(tg_tape *tape, const tg_tensor *a)
{
    tg_tensor *y = tg_tape_tensor(tape, a->shape);
    for (size_t k = 0; k < a->size; k++)
        y->data[k] = (tg_real)(1 / (1 + exp(-a->data[k])));
    return y;
}
#endif

void ex_lstm_step_tape(tg_tape *tape, const ex_lstm_params *p, ex_lstm_step *s)
{
    tg_tensor *x = s->x, *h_prev = s->h_prev, *c_prev = s->c_prev;
    /* i_t = sigma(W_xi x_t + W_hi h_{t-1} + W_ci c_{t-1} + b_i) */
#ifdef PLANT_GATE_OUTSIDE_TAPE
    s->i = sigmoid_by_hand(tape, affine(tape, x, p->W_xi, h_prev, p->W_hi, p->W_ci, c_prev, p->b_i));
#else
    s->i = tg_sigmoid(tape, affine(tape, x, p->W_xi, h_prev, p->W_hi, p->W_ci, c_prev, p->b_i));
#endif
    /* f_t = sigma(W_xf x_t + W_hf h_{t-1} + W_cf c_{t-1} + b_f) */
    s->f = tg_sigmoid(tape, affine(tape, x, p->W_xf, h_prev, p->W_hf, p->W_cf, c_prev, p->b_f));
    /* \tilde{c}_t = tanh(W_xc x_t + W_hc h_{t-1} + W_cc c_{t-1} + b_c) */
#ifdef PLANT_NO_CANDIDATE_PEEPHOLE
    s->c_tilde = tg_tanh(tape, affine(tape, x, p->W_xc, h_prev, p->W_hc, NULL, NULL, p->b_c));
#else
    s->c_tilde = tg_tanh(tape, affine(tape, x, p->W_xc, h_prev, p->W_hc, p->W_cc, c_prev, p->b_c));
#endif
    /* c_t = f_t (.) c_{t-1} + i_t (.) \tilde{c}_t */
    tg_tensor *f_c = tg_mul(tape, s->f, c_prev);
    s->c = tg_add(tape, f_c, tg_mul(tape, s->i, s->c_tilde));
    /* o_t = sigma(W_xo x_t + W_ho h_{t-1} + W_co c_t + b_o) */
#ifdef PLANT_O_PEEKS_AT_C_PREV
    s->o = tg_sigmoid(tape, affine(tape, x, p->W_xo, h_prev, p->W_ho, p->W_co, c_prev, p->b_o));
#else
    s->o = tg_sigmoid(tape, affine(tape, x, p->W_xo, h_prev, p->W_ho, p->W_co, s->c, p->b_o));
#endif
    /* h_t = o_t (.) tanh(c_t) */
#ifdef PLANT_H_WITHOUT_TANH
    s->h = tg_mul(tape, s->o, s->c);
#else
    s->tanh_c = tg_tanh(tape, s->c);
    s->h = tg_mul(tape, s->o, s->tanh_c);
#endif
}
