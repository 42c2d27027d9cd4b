/* The gradient checks of the primitive ops, one case per op. Shapes are
 * small and odd-sized (no accidental symmetry); inputs are U(-1, 1) except
 * where the op needs otherwise (log: positive). */
#include "autograd/autograd.h"
#include "tensor/tensor.h"
#include "autograd/internal/gradcheck_cases.h"

#include <stdlib.h>

tg_gradcheck_report tg_gradcheck_random(tg_gradcheck_fn f, void *ctx, const tg_shape *shapes,
                                        int n, double lo, double hi, uint64_t seed)
{
    tg_rng rng;
    tg_rng_seed(&rng, seed);
    tg_tensor *in[TG_GRADCHECK_MAX_INPUTS];
    for (int i = 0; i < n; i++)
        in[i] = tg_tensor_uniform(shapes[i], &rng, lo, hi);
    tg_gradcheck_opts o = tg_gradcheck_defaults();
    o.seed = seed;
    tg_gradcheck_report r = tg_gradcheck(f, ctx, in, n, &o);
    for (int i = 0; i < n; i++)
        tg_tensor_free(in[i]);
    return r;
}

/* A case over inputs of fixed shapes. */
#define CASE(fn_name, lo, hi, ...)                                                                \
    static tg_gradcheck_report case_##fn_name(uint64_t seed)                                      \
    {                                                                                             \
        const tg_shape shapes[] = {__VA_ARGS__};                                                  \
        return tg_gradcheck_random(fn_##fn_name, NULL, shapes,                                    \
                                   (int)(sizeof shapes / sizeof shapes[0]), lo, hi, seed);        \
    }

#define FN(fn_name, expr)                                                                         \
    static tg_tensor *fn_##fn_name(tg_tape *t, tg_tensor *const *x, void *ctx)                    \
    {                                                                                             \
        (void)ctx;                                                                                \
        return expr;                                                                              \
    }

FN(add, tg_add(t, x[0], x[1]))
FN(add_bias, tg_add(t, x[0], x[1]))
FN(sub, tg_sub(t, x[0], x[1]))
FN(mul, tg_mul(t, x[0], x[1]))
FN(mul_vector, tg_mul(t, x[0], x[1]))
FN(mul_scalar, tg_mul(t, x[0], x[1]))
FN(mul_self, tg_mul(t, x[0], x[0]))
FN(scale, tg_scale(t, x[0], -2.5))
FN(add_scalar, tg_add_scalar(t, x[0], 0.75))
FN(neg, tg_neg(t, x[0]))
FN(matmul, tg_matmul(t, x[0], x[1]))
FN(matmul_3d, tg_matmul(t, x[0], x[1]))
FN(sigmoid, tg_sigmoid(t, x[0]))
FN(tanh, tg_tanh(t, x[0]))
FN(relu, tg_relu(t, x[0]))
FN(exp, tg_exp(t, x[0]))
FN(log, tg_log(t, x[0]))
FN(abs, tg_abs(t, x[0]))
FN(sum, tg_sum(t, x[0]))
FN(mean, tg_mean(t, x[0]))
FN(reshape, tg_reshape(t, x[0], TG_SHAPE(3, 10)))
FN(permute, tg_permute(t, x[0], (const int[]){2, 0, 3, 1}))
FN(transpose, tg_transpose(t, x[0]))
FN(slice, tg_slice(t, x[0], 1, 1, 3, 2))
FN(pad, tg_pad(t, x[0], 1, 2, 1))
FN(concat, tg_concat(t, x, 3, 1))
FN(stack, tg_stack(t, x, 3, 1))
FN(maximum, tg_maximum(t, x[0], x[1]))
FN(softmax, tg_softmax(t, x[0]))
FN(log_softmax, tg_log_softmax(t, x[0]))

CASE(add, -1, 1, TG_SHAPE(3, 4), TG_SHAPE(3, 4))
CASE(add_bias, -1, 1, TG_SHAPE(2, 3, 5), TG_SHAPE(5))
CASE(sub, -1, 1, TG_SHAPE(3, 4), TG_SHAPE(4))
CASE(mul, -1, 1, TG_SHAPE(3, 4), TG_SHAPE(3, 4))
CASE(mul_vector, -1, 1, TG_SHAPE(2, 3, 4), TG_SHAPE(4))
CASE(mul_scalar, -1, 1, TG_SHAPE(3, 4), TG_SHAPE(1))
CASE(mul_self, -1, 1, TG_SHAPE(5))
CASE(scale, -1, 1, TG_SHAPE(3, 4))
CASE(add_scalar, -1, 1, TG_SHAPE(3, 4))
CASE(neg, -1, 1, TG_SHAPE(7))
CASE(matmul, -1, 1, TG_SHAPE(3, 5), TG_SHAPE(5, 4))
CASE(matmul_3d, -1, 1, TG_SHAPE(2, 3, 5), TG_SHAPE(5, 4))
CASE(sigmoid, -3, 3, TG_SHAPE(3, 5))
CASE(tanh, -2, 2, TG_SHAPE(3, 5))
CASE(relu, -1, 1, TG_SHAPE(4, 5))
CASE(exp, -1, 1, TG_SHAPE(3, 5))
CASE(log, 0.5, 2, TG_SHAPE(3, 5))
CASE(abs, -1, 1, TG_SHAPE(3, 5))
CASE(sum, -1, 1, TG_SHAPE(2, 3, 4))
CASE(mean, -1, 1, TG_SHAPE(2, 3, 4))
CASE(reshape, -1, 1, TG_SHAPE(2, 3, 5))
CASE(permute, -1, 1, TG_SHAPE(2, 3, 4, 5))
CASE(transpose, -1, 1, TG_SHAPE(2, 3, 4))
CASE(slice, -1, 1, TG_SHAPE(2, 7, 3))
CASE(pad, -1, 1, TG_SHAPE(2, 3, 4))
CASE(concat, -1, 1, TG_SHAPE(2, 1, 3), TG_SHAPE(2, 4, 3), TG_SHAPE(2, 2, 3))
CASE(stack, -1, 1, TG_SHAPE(2, 3), TG_SHAPE(2, 3), TG_SHAPE(2, 3))
CASE(maximum, -1, 1, TG_SHAPE(4, 5), TG_SHAPE(4, 5))
CASE(softmax, -2, 2, TG_SHAPE(3, 6))
CASE(log_softmax, -2, 2, TG_SHAPE(3, 6))

#define ENTRY(n) {#n, case_##n}
static const tg_gradcheck_case cases[] = {
    ENTRY(add),      ENTRY(add_bias),   ENTRY(sub),         ENTRY(mul),     ENTRY(mul_vector),
    ENTRY(mul_scalar), ENTRY(mul_self), ENTRY(scale),       ENTRY(add_scalar), ENTRY(neg),
    ENTRY(matmul),   ENTRY(matmul_3d),  ENTRY(sigmoid),     ENTRY(tanh),    ENTRY(relu),
    ENTRY(exp),      ENTRY(log),        ENTRY(abs),         ENTRY(sum),     ENTRY(mean),
    ENTRY(reshape),  ENTRY(permute),    ENTRY(transpose),   ENTRY(slice),   ENTRY(pad),
    ENTRY(concat),   ENTRY(stack),      ENTRY(maximum),     ENTRY(softmax), ENTRY(log_softmax),
};

const tg_gradcheck_case *tg_op_gradcheck_cases(int *n)
{
    *n = (int)(sizeof cases / sizeof cases[0]);
    return cases;
}
