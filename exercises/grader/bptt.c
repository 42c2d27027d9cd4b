/* Grades exercise 6 (exercises/06_bptt.c): backpropagation through two steps
 * of the document's LSTM, against the library's reference path over a
 * sequence of two (tg_lstm_run, return_sequences). Inputs: x_1, x_2, h_0,
 * c_0, then the layer's 16 parameters. */
#include <string.h>

#include "exercises/grader/grader.h"

enum { N_IN = 4 + 16 };

static void two_steps(tg_tensor *const *in, ex_lstm_step s[2])
{
    const int N = in[0]->shape.dim[0], H = in[2]->shape.dim[1];
    for (int t = 0; t < 2; t++) {
        s[t] = ex_lstm_step_new(N, H);
        s[t].x = in[t];
    }
    s[0].h_prev = in[2];
    s[0].c_prev = in[3];
    const ex_lstm_params p = ex_lstm_params_of(in + 4);
    ex_lstm_bptt2_forward(&p, s);
}

static void bptt_forward(const ex_op *op, tg_tensor *const *in, tg_tensor *out)
{
    ex_lstm_step s[2];
    two_steps(in, s);
    const tg_tensor *parts[3] = {s[0].h, s[1].h, s[1].c};
    for (int k = 0; k < 3; k++)
        memcpy(out->data + (size_t)k * parts[k]->size, parts[k]->data,
               parts[k]->size * sizeof *out->data);
    ex_lstm_step_free(&s[0]);
    ex_lstm_step_free(&s[1]);
}

static void bptt_backward(const ex_op *op, tg_tensor *const *in, const tg_tensor *out,
                          const tg_tensor *dout, tg_tensor *const *din)
{
    ex_lstm_step s[2];
    two_steps(in, s);
    const size_t size = s[0].h->size;
    tg_tensor g[3];
    for (int k = 0; k < 3; k++)
        g[k] = ex_view(dout->data + (size_t)k * size, s[0].h->shape);
    const tg_tensor *const dh[2] = {&g[0], &g[1]};
    const ex_lstm_params p = ex_lstm_params_of(in + 4);
    ex_lstm_params d = ex_lstm_params_of(din + 4);
    ex_lstm_bptt2_backward(&p, s, dh, &g[2], &d, din, din[2], din[3]);
    ex_lstm_step_free(&s[0]);
    ex_lstm_step_free(&s[1]);
}

static tg_tensor *bptt_library(const ex_op *op, tg_tape *tape, tg_tensor *const *in)
{
    return ex_lstm_library_two_steps((tg_layer *)op->ctx, tape, in);
}

static void grade_case(int N, int D, int H, uint64_t seed)
{
    char title[64];
    snprintf(title, sizeof title, "two steps, N = %d, D = %d, H = %d", N, D, H);
    ex_case(title);
    tg_layer *lstm;
    tg_tensor *in[N_IN];
    ex_lstm_inputs(2, N, D, H, seed, &lstm, in);
    static const char *const parts[] = {"h_1", "h_2", "c_2"};
    const ex_op op = {"bptt", parts, 3, bptt_forward, bptt_backward, NULL, bptt_library, lstm};
    ex_grade_op(&op, in, N_IN);
    ex_lstm_inputs_free(2, lstm, in);
}

static void grade(void)
{
    grade_case(2, 3, 2, 7);
    grade_case(1, 2, 3, 8);
}

const ex_exercise ex_graded = {"exercises/06_bptt.c", "backpropagation through two LSTM steps",
                               grade};
