/* Grades exercise 2 (exercises/02_matmul.c): the matrix product's
 * backward, against tg_matmul. */
#include "exercises/grader/grader.h"
#include "exercises/exercises.h"

static void matmul_forward(const ex_op *op, tg_tensor *const *in, tg_tensor *out)
{
    ex_matmul_forward(in[0], in[1], out);
}

static void matmul_backward(const ex_op *op, tg_tensor *const *in, const tg_tensor *out,
                            const tg_tensor *dout, tg_tensor *const *din)
{
    ex_matmul_backward(in[0], in[1], dout, din[0], din[1]);
}

static tg_tensor *matmul_library(const ex_op *op, tg_tape *tape, tg_tensor *const *in)
{
    return tg_matmul(tape, in[0], in[1]);
}

static void grade_shapes(const ex_op *op, int M, int K, int N, tg_rng *rng)
{
    char title[64];
    snprintf(title, sizeof title, "A (%d, %d) B (%d, %d)", M, K, K, N);
    ex_case(title);
    tg_tensor *in[2] = {ex_random("A", TG_SHAPE(M, K), rng, -1, 1),
                        ex_random("B", TG_SHAPE(K, N), rng, -1, 1)};
    ex_grade_op(op, in, 2);
    tg_tensor_free(in[0]);
    tg_tensor_free(in[1]);
}

static void grade(void)
{
    static const char *const Y[] = {"Y"};
    const ex_op matmul = {"matmul", Y, 1, matmul_forward, matmul_backward, NULL,
                          matmul_library, NULL};
    tg_rng rng;
    tg_rng_seed(&rng, 2);
    grade_shapes(&matmul, 3, 3, 3, &rng);
    grade_shapes(&matmul, 2, 4, 3, &rng);
}

const ex_exercise ex_graded = {"exercises/02_matmul.c", "the matrix product's backward", grade};
