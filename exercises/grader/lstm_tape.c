/* Grades exercise 8 (exercises/08_lstm_tape.c): the six equations as tape
 * ops, against the library's reference path: the six values of one step,
 * then the gradients the tape derives, then two steps chained. Inputs: x,
 * h_prev, c_prev (or x_1, x_2, h_0, c_0), then the 16 parameters. */
#include <string.h>

#include "exercises/grader/grader.h"

/* The exercise's step on the tape from x, h_prev, c_prev. */
static ex_lstm_step tape_step(tg_tape *tape, tg_tensor *x, tg_tensor *h_prev, tg_tensor *c_prev,
                              tg_tensor *const *params)
{
    ex_lstm_step s;
    memset(&s, 0, sizeof s);
    s.x = x;
    s.h_prev = h_prev;
    s.c_prev = c_prev;
    const ex_lstm_params p = ex_lstm_params_of(params);
    ex_lstm_step_tape(tape, &p, &s);
    return s;
}

/* A value the exercise set, or zeros where it left it NULL (so that it
 * shows as wrong); a wrong shape stops the case. */
static tg_tensor *value(tg_tape *tape, tg_tensor *t, const char *name, tg_shape shape)
{
    if (!t) {
        tg_tensor *z = tg_tape_tensor(tape, shape);
        memset(z->data, 0, z->size * sizeof *z->data);
        return z;
    }
    char op[64];
    snprintf(op, sizeof op, "lstm_tape: your s->%s", name);
    tg_tensor_expect_shape(op, t, shape);
    return t;
}

static const char *const one_step_parts[6] = {"i", "f", "c_tilde", "c", "o", "h"};

/* i, f, c~, c, o, h stacked, (6, N, H). */
static tg_tensor *one_step(const ex_op *op, tg_tape *tape, tg_tensor *const *in)
{
    ex_lstm_step s = tape_step(tape, in[0], in[1], in[2], in + 3);
    tg_tensor *mine[6] = {s.i, s.f, s.c_tilde, s.c, s.o, s.h};
    for (int k = 0; k < 6; k++)
        mine[k] = value(tape, mine[k], one_step_parts[k], in[1]->shape);
    return tg_stack(tape, mine, 6, 0);
}

static tg_tensor *one_step_library(const ex_op *op, tg_tape *tape, tg_tensor *const *in)
{
    const int N = in[0]->shape.dim[0], D = in[0]->shape.dim[1];
    tg_tensor *h, *c, *gates[5];
    tg_lstm_run((tg_layer *)op->ctx, tape, tg_reshape(tape, in[0], TG_SHAPE(N, 1, D)), in[1],
                in[2], &h, &c);
    ex_lstm_library_gates(tape, 1, gates);
    tg_tensor *parts[6] = {gates[0], gates[1], gates[2], c, gates[3], h};
    return tg_stack(tape, parts, 6, 0);
}

/* h_1, h_2, c_2 of two steps chained, (3, N, H). */
static tg_tensor *two_steps(const ex_op *op, tg_tape *tape, tg_tensor *const *in)
{
    const tg_shape state = in[2]->shape;
    ex_lstm_step s1 = tape_step(tape, in[0], in[2], in[3], in + 4);
    tg_tensor *h_1 = value(tape, s1.h, "h", state), *c_1 = value(tape, s1.c, "c", state);
    ex_lstm_step s2 = tape_step(tape, in[1], h_1, c_1, in + 4);
    tg_tensor *parts[3] = {h_1, value(tape, s2.h, "h", state), value(tape, s2.c, "c", state)};
    return tg_stack(tape, parts, 3, 0);
}

static tg_tensor *two_steps_library(const ex_op *op, tg_tape *tape, tg_tensor *const *in)
{
    return ex_lstm_library_two_steps((tg_layer *)op->ctx, tape, in);
}

/* Case `steps` (1 or 2) steps: one step's six values, or two steps' h_1,
 * h_2, c_2. */
static void grade_case(int steps, int N, int D, int H, uint64_t seed)
{
    char title[64];
    snprintf(title, sizeof title, "%s, N = %d, D = %d, H = %d",
             steps > 1 ? "two steps chained" : "one step", N, D, H);
    ex_case(title);
    tg_layer *lstm;
    tg_tensor *in[4 + 16];
    const int n_in = ex_lstm_inputs(steps, N, D, H, seed, &lstm, in);
    static const char *const two_step_parts[3] = {"h_1", "h_2", "c_2"};
    const ex_op one = {"lstm_tape", one_step_parts, 6, NULL, NULL, one_step, one_step_library,
                       lstm};
    const ex_op two = {"lstm_tape", two_step_parts, 3, NULL, NULL, two_steps, two_steps_library,
                       lstm};
    ex_grade_op(steps > 1 ? &two : &one, in, n_in);
    ex_lstm_inputs_free(steps, lstm, in);
}

static void grade(void)
{
    grade_case(1, 2, 3, 2, 11);
    grade_case(1, 1, 2, 3, 12);
    grade_case(2, 2, 3, 2, 13);
}

const ex_exercise ex_graded = {"exercises/08_lstm_tape.c", "the six LSTM equations as tape ops",
                               grade};
