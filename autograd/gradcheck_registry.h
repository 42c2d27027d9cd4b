/* Named gradient checks. Each folder exports its list (ops here, layers in
 * layers/, losses in train/); `tapegrad gradcheck` and the Check suites
 * run the same lists, so the command and the tests can never disagree. */
#ifndef TG_GRADCHECK_REGISTRY_H
#define TG_GRADCHECK_REGISTRY_H

#include "autograd/gradcheck.h"

typedef struct tg_gradcheck_case {
    const char *name;
    /* Builds random inputs from the seed, runs tg_gradcheck, frees them. */
    tg_gradcheck_report (*run)(uint64_t seed);
} tg_gradcheck_case;

/* The primitive ops: add, sub, mul, ..., log_softmax. */
const tg_gradcheck_case *tg_op_gradcheck_cases(int *n);

/* Runs f on n heap tensors of the given shapes, filled U(lo, hi) from the
 * seed, and frees them: the common body of a case. */
tg_gradcheck_report tg_gradcheck_random(tg_gradcheck_fn f, void *ctx, const tg_shape *shapes,
                                        int n, double lo, double hi, uint64_t seed);

#endif
