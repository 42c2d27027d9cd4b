/* gradcheck: the gradient the tape derives, held against finite differences.
 *
 * Hand it any function built from tape ops and the heap tensors it reads;
 * it returns a report per input. For a non-scalar output it checks
 * L = sum_i w_i out_i with fixed random weights w (seeded), which tests
 * every output's gradient at once.
 *
 * The numerical derivative is the five-point central difference
 *
 *     dL/dx ~ (8 (L(x+h) - L(x-h)) - (L(x+2h) - L(x-2h))) / (12 h)
 *
 * whose error is O(h^4), with L summed in long double. A point within 2h of
 * a kink (relu at 0, a tie in a max) is found by comparing the second
 * differences on either side of x, and is skipped and counted, never
 * silently. Each checked element's relative error is
 *
 *     |a - n| / max(|a| + |n|, tiny)
 *
 * with a the tape's value and n the numerical one; tiny keeps gradients
 * that are zero in truth from dividing rounding noise by nothing. */
#ifndef TG_GRADCHECK_H
#define TG_GRADCHECK_H

#include <stdint.h>
#include <stdio.h>

#include "autograd/tape.h"

#define TG_GRADCHECK_MAX_INPUTS 24

typedef tg_tensor *(*tg_gradcheck_fn)(tg_tape *tape, tg_tensor *const *inputs, void *ctx);

typedef struct tg_gradcheck_opts {
    double step;          /* h (scaled by max(1, |x|)); 0: the default of tg_real */
    double rtol;          /* pass when every max_rel_err <= rtol; 0: default */
    double tiny;          /* floor of the relative error's denominator; 0: default */
    size_t max_per_input; /* 0: every element; else a seeded sample this large */
    uint64_t seed;        /* for the weights w and the sample */
} tg_gradcheck_opts;

typedef struct tg_gradcheck_input_report {
    const char *name;
    double max_abs_err, max_rel_err;
    size_t total, checked, skipped; /* skipped: near a kink */
} tg_gradcheck_input_report;

typedef struct tg_gradcheck_report {
    int n_inputs;
    tg_gradcheck_input_report input[TG_GRADCHECK_MAX_INPUTS];
    double max_abs_err, max_rel_err, rtol;
    size_t checked, skipped;
    int sampled; /* 1 when some input was checked on a sample only */
    int passed;
} tg_gradcheck_report;

/* Defaults for this build's tg_real (double: h 1e-4, rtol 1e-7, tiny 1e-4). */
tg_gradcheck_opts tg_gradcheck_defaults(void);

/* inputs are heap tensors; each is made a gradient-taking leaf. Their data
 * is perturbed during the check and restored exactly. opts may be NULL. */
tg_gradcheck_report tg_gradcheck(tg_gradcheck_fn f, void *ctx, tg_tensor *const *inputs,
                                 int n_inputs, const tg_gradcheck_opts *opts);

/* One line per input, then a PASS/FAIL line. */
void tg_gradcheck_print(FILE *out, const char *name, const tg_gradcheck_report *report);

#endif
