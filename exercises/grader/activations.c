/* Grades exercise 1 (exercises/01_activations.c): sigmoid and tanh backward,
 * against tg_sigmoid and tg_tanh. */
#include "exercises/grader/grader.h"
#include "exercises/exercises.h"

static void sigmoid_forward(const ex_op *op, tg_tensor *const *in, tg_tensor *out)
{
    ex_sigmoid_forward(in[0], out);
}

static void sigmoid_backward(const ex_op *op, tg_tensor *const *in, const tg_tensor *out,
                             const tg_tensor *dout, tg_tensor *const *din)
{
    ex_sigmoid_backward(out, dout, din[0]);
}

static tg_tensor *sigmoid_library(const ex_op *op, tg_tape *tape, tg_tensor *const *in)
{
    return tg_sigmoid(tape, in[0]);
}

static void tanh_forward(const ex_op *op, tg_tensor *const *in, tg_tensor *out)
{
    ex_tanh_forward(in[0], out);
}

static void tanh_backward(const ex_op *op, tg_tensor *const *in, const tg_tensor *out,
                          const tg_tensor *dout, tg_tensor *const *din)
{
    ex_tanh_backward(out, dout, din[0]);
}

static tg_tensor *tanh_library(const ex_op *op, tg_tape *tape, tg_tensor *const *in)
{
    return tg_tanh(tape, in[0]);
}

static void grade(void)
{
    const ex_op sigmoid = {"sigmoid", NULL, 0, sigmoid_forward, sigmoid_backward, NULL,
                           sigmoid_library, NULL};
    const ex_op tanh_op = {"tanh", NULL, 0, tanh_forward, tanh_backward, NULL, tanh_library,
                           NULL};
    tg_rng rng;
    tg_rng_seed(&rng, 1);
    /* Inputs up to |a| = 3 reach into both tails, where the derivatives are small. */
    tg_tensor *a = ex_random("a", TG_SHAPE(2, 5), &rng, -3, 3);
    ex_case("sigmoid, a (2, 5)");
    ex_grade_op(&sigmoid, &a, 1);
    ex_case("tanh, a (2, 5)");
    ex_grade_op(&tanh_op, &a, 1);
    tg_tensor_free(a);
}

const ex_exercise ex_graded = {"exercises/01_activations.c", "sigmoid and tanh backward", grade};
