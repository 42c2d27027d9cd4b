/* The primitive ops' named gradient checks (gradcheck_ops.c), gathered by
 * the one registry (apps/gradcheck_registry.c). Not installed. */
#ifndef TG_AUTOGRAD_GRADCHECK_CASES_H
#define TG_AUTOGRAD_GRADCHECK_CASES_H

#include "autograd/autograd.h"

/* The primitive ops: add, sub, mul, ..., log_softmax. */
const tg_gradcheck_case *tg_op_gradcheck_cases(int *n);

#endif
