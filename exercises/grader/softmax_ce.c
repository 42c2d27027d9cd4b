/* Grades exercise 7 (exercises/07_softmax_ce.c): softmax + cross-entropy's
 * backward, against tg_loss_cce_logits. The labels are constants (no
 * gradient): they ride in the op's ctx. */
#include "exercises/grader/grader.h"

static void ce_forward(const ex_op *op, tg_tensor *const *in, tg_tensor *out)
{
    tg_tensor *p = tg_tensor_zeros(in[0]->shape);
    out->data[0] = ex_softmax_ce_forward(in[0], op->ctx, p);
    tg_tensor_free(p);
}

static void ce_backward(const ex_op *op, tg_tensor *const *in, const tg_tensor *out,
                        const tg_tensor *dout, tg_tensor *const *din)
{
    tg_tensor *p = tg_tensor_zeros(in[0]->shape);
    ex_softmax_ce_forward(in[0], op->ctx, p);
    ex_softmax_ce_backward(p, op->ctx, dout->data[0], din[0]);
    tg_tensor_free(p);
}

static tg_tensor *ce_library(const ex_op *op, tg_tape *tape, tg_tensor *const *in)
{
    return tg_loss_cce_logits(tape, in[0], (tg_tensor *)op->ctx);
}

static void grade_case(int N, int K, double spread, tg_rng *rng)
{
    char title[64];
    snprintf(title, sizeof title, "z (%d, %d) in (-%g, %g)", N, K, spread, spread);
    ex_case(title);
    tg_tensor *z = ex_random("z", TG_SHAPE(N, K), rng, -spread, spread);
    tg_tensor *y = tg_tensor_zeros(TG_SHAPE(N, K));
    for (int n = 0; n < N; n++)
        TG_AT(y, n, (int)tg_rng_below(rng, (uint64_t)K)) = 1;
    static const char *const L[] = {"L"};
    const ex_op op = {"softmax_ce", L, 1, ce_forward, ce_backward, NULL, ce_library, y};
    ex_grade_op(&op, &z, 1);
    tg_tensor_free(z);
    tg_tensor_free(y);
}

static void grade(void)
{
    tg_rng rng;
    tg_rng_seed(&rng, 9);
    grade_case(3, 4, 2, &rng);
    /* Logits far apart: p near 0 and 1, where an unstable formula shows. */
    grade_case(5, 3, 20, &rng);
}

const ex_exercise ex_graded = {"exercises/07_softmax_ce.c",
                               "softmax and cross-entropy backward", grade};
