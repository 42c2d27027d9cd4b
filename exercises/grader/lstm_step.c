/* Grades exercise 5 (exercises/05_lstm_step.c): one step of the document's
 * LSTM backward, against the library's reference path (tg_lstm_run, one
 * step). Inputs: x, h_prev, c_prev, then the layer's 16 parameters. */
#include <string.h>

#include "exercises/grader/grader.h"

enum { N_IN = 3 + 16 };

/* The given forward on the inputs: s must be freed with ex_lstm_step_free. */
static ex_lstm_step step_forward(tg_tensor *const *in)
{
    const int N = in[0]->shape.dim[0], H = in[1]->shape.dim[1];
    ex_lstm_step s = ex_lstm_step_new(N, H);
    s.x = in[0];
    s.h_prev = in[1];
    s.c_prev = in[2];
    const ex_lstm_params p = ex_lstm_params_of(in + 3);
    ex_lstm_step_forward(&p, &s);
    return s;
}

static void lstm_forward(const ex_op *op, tg_tensor *const *in, tg_tensor *out)
{
    ex_lstm_step s = step_forward(in);
    memcpy(out->data, s.h->data, s.h->size * sizeof *out->data);
    memcpy(out->data + s.h->size, s.c->data, s.c->size * sizeof *out->data);
    ex_lstm_step_free(&s);
}

static void lstm_backward(const ex_op *op, tg_tensor *const *in, const tg_tensor *out,
                          const tg_tensor *dout, tg_tensor *const *din)
{
    ex_lstm_step s = step_forward(in);
    tg_tensor dh = ex_view(dout->data, s.h->shape);
    tg_tensor dc = ex_view(dout->data + s.h->size, s.c->shape);
    const ex_lstm_params p = ex_lstm_params_of(in + 3);
    ex_lstm_params d = ex_lstm_params_of(din + 3);
    ex_lstm_step_backward(&p, &s, &dh, &dc, &d, din[0], din[1], din[2]);
    ex_lstm_step_free(&s);
}

/* h_1 and c_1 of the library's LSTM run for one step, stacked (2, N, H). */
static tg_tensor *lstm_library(const ex_op *op, tg_tape *tape, tg_tensor *const *in)
{
    const int N = in[0]->shape.dim[0], D = in[0]->shape.dim[1];
    tg_tensor *state[2];
    tg_lstm_run((tg_layer *)op->ctx, tape, tg_reshape(tape, in[0], TG_SHAPE(N, 1, D)), in[1],
                in[2], &state[0], &state[1]);
    return tg_stack(tape, state, 2, 0);
}

typedef struct {
    tg_tensor *const *in;
    ex_lstm_step s;
} forward_call;

static void call_step_forward(void *arg)
{
    forward_call *c = arg;
    c->s = step_forward(c->in);
}

/* The given forward's gates, which the backward reads, against the
 * library's (h_t and c_t are the op's output, compared with it). */
static void expect_gates(tg_layer *lstm, tg_tensor *const *in)
{
    tg_tape *tape = tg_tape_new();
    for (int k = 0; k < N_IN; k++)
        tg_tensor_requires_grad(in[k]);
    const ex_op op = {"lstm_step", NULL, 0, NULL, NULL, NULL, NULL, lstm};
    lstm_library(&op, tape, in);
    tg_tensor *gates[5];
    ex_lstm_library_gates(tape, 1, gates);
    forward_call c = {in, {0}};
    if (ex_run_guarded("lstm_step", "the forward", call_step_forward, &c)) {
        const tg_tensor *mine[5] = {c.s.i, c.s.f, c.s.c_tilde, c.s.o, c.s.tanh_c};
        static const char *const names[5] = {"i", "f", "c_tilde", "o", "tanh_c"};
        for (int g = 0; g < 5; g++)
            ex_expect_values("lstm_step", names[g], "forward (given)", mine[g]->data,
                             gates[g]->data, gates[g]->shape);
        ex_lstm_step_free(&c.s);
    }
    tg_tape_free(tape);
}

static void grade_case(int N, int D, int H, uint64_t seed)
{
    char title[64];
    snprintf(title, sizeof title, "N = %d, D = %d, H = %d", N, D, H);
    ex_case(title);
    tg_layer *lstm;
    tg_tensor *in[N_IN];
    ex_lstm_inputs(1, N, D, H, seed, &lstm, in);
    expect_gates(lstm, in);
    static const char *const parts[] = {"h", "c"};
    const ex_op op = {"lstm_step", parts, 2, lstm_forward, lstm_backward, NULL, lstm_library,
                      lstm};
    ex_grade_op(&op, in, N_IN);
    ex_lstm_inputs_free(1, lstm, in);
}

static void grade(void)
{
    grade_case(2, 3, 2, 5);
    grade_case(1, 2, 3, 6);
}

const ex_exercise ex_graded = {"exercises/05_lstm_step.c",
                               "one step of the document's LSTM, backward", grade};
