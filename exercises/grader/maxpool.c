/* Grades exercise 3 (exercises/03_maxpool.c): max-pooling's backward,
 * against tg_maxpool2d_reference, with and without ties, with and without
 * overlapping windows. */
#include "exercises/grader/grader.h"
#include "exercises/exercises.h"

typedef struct {
    int pool, stride;
} pool_ctx;

static void pool_forward(const ex_op *op, tg_tensor *const *in, tg_tensor *out)
{
    const pool_ctx *p = op->ctx;
    ex_maxpool2d_forward(in[0], p->pool, p->stride, out);
}

static void pool_backward(const ex_op *op, tg_tensor *const *in, const tg_tensor *out,
                          const tg_tensor *dout, tg_tensor *const *din)
{
    const pool_ctx *p = op->ctx;
    ex_maxpool2d_backward(in[0], p->pool, p->stride, dout, din[0]);
}

static tg_tensor *pool_library(const ex_op *op, tg_tape *tape, tg_tensor *const *in)
{
    const pool_ctx *p = op->ctx;
    const int pool[2] = {p->pool, p->pool}, strides[2] = {p->stride, p->stride};
    return tg_maxpool2d_reference(tape, in[0], pool, strides, TG_VALID);
}

static int grade_case(const char *title, tg_tensor *x, int pool, int stride)
{
    const pool_ctx p = {pool, stride};
    const ex_op op = {"maxpool", NULL, 0, pool_forward, pool_backward, NULL, pool_library, &p};
    ex_case(title);
    const int ok = ex_grade_op(&op, &x, 1);
    tg_tensor_free(x);
    return ok;
}

static void grade(void)
{
    tg_rng rng;
    tg_rng_seed(&rng, 3);
    grade_case("no ties, x (2, 4, 4, 3), pool 2, stride 2",
               ex_random("x", TG_SHAPE(2, 4, 4, 3), &rng, -1, 1), 2, 2);

    /* Two channels of a 4 x 4 image; each 2 x 2 window of channel 0 holds
     * a tie for its maximum (at positions 0 and 1, 0 and 3, 2 and 3, 0 and
     * 3 of the window, row-major), channel 1 none. */
    const tg_real tied[] = {4, 0.5, 4, 0.1, 2, 0.3, 0, 0.9,   /* row 0 */
                            1, 0.2, 2, 0.8, 1, 0.4, 2, 0.7,   /* row 1 */
                            0, 0.6, 1, 0.5, 6, 0.1, 2, 0.2,   /* row 2 */
                            3, 0.4, 3, 0.3, 5, 0.8, 6, 0.6};  /* row 3 */
    tg_tensor *x = tg_tensor_from(TG_SHAPE(1, 4, 4, 2), tied);
    x->name = "x";
    if (!grade_case("ties, x (1, 4, 4, 2), pool 2, stride 2", x, 2, 2))
        ex_hint("a tie's whole gradient goes to the first maximum in window order, and to "
                "no other");

    if (!grade_case("overlapping windows, x (1, 5, 5, 2), pool 3, stride 2",
                    ex_random("x", TG_SHAPE(1, 5, 5, 2), &rng, -1, 1), 3, 2))
        ex_hint("an element that wins in two windows gets the sum of both gradients");
}

const ex_exercise ex_graded = {"exercises/03_maxpool.c", "max-pooling's backward", grade};
