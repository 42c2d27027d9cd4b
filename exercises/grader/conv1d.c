/* Grades exercise 4 (exercises/04_conv1d.c): Conv1D's backward, against
 * tg_conv1d_reference, at stride 1 and 2. */
#include "exercises/grader/grader.h"
#include "exercises/exercises.h"

static void conv_forward(const ex_op *op, tg_tensor *const *in, tg_tensor *out)
{
    const int *stride = op->ctx;
    ex_conv1d_forward(in[0], in[1], in[2], *stride, out);
}

static void conv_backward(const ex_op *op, tg_tensor *const *in, const tg_tensor *out,
                          const tg_tensor *dout, tg_tensor *const *din)
{
    const int *stride = op->ctx;
    ex_conv1d_backward(in[0], in[1], *stride, dout, din[0], din[1], din[2]);
}

static tg_tensor *conv_library(const ex_op *op, tg_tape *tape, tg_tensor *const *in)
{
    const int *stride = op->ctx;
    return tg_conv1d_reference(tape, in[0], in[1], in[2], *stride, TG_VALID);
}

static void grade_case(int N, int T, int C_in, int K, int C_out, int stride, tg_rng *rng)
{
    const ex_op op = {"conv1d", NULL, 0, conv_forward, conv_backward, NULL, conv_library,
                      &stride};
    char title[96];
    snprintf(title, sizeof title, "x (%d, %d, %d), W (%d, %d, %d), stride %d", N, T, C_in, K,
             C_in, C_out, stride);
    ex_case(title);
    tg_tensor *in[3] = {ex_random("x", TG_SHAPE(N, T, C_in), rng, -1, 1),
                        ex_random("W", TG_SHAPE(K, C_in, C_out), rng, -1, 1),
                        ex_random("b", TG_SHAPE(C_out), rng, -1, 1)};
    ex_grade_op(&op, in, 3);
    for (int k = 0; k < 3; k++)
        tg_tensor_free(in[k]);
}

static void grade(void)
{
    tg_rng rng;
    tg_rng_seed(&rng, 4);
    grade_case(2, 7, 3, 3, 2, 1, &rng);
    grade_case(2, 8, 2, 3, 3, 2, &rng);
}

const ex_exercise ex_graded = {"exercises/04_conv1d.c", "Conv1D's backward (dW, dx, db)", grade};
