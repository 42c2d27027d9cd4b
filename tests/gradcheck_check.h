/* A Check assertion for gradcheck reports: include <check.h> first.
 *
 *     tg_gradcheck_report r = tg_gradcheck(my_layer_fn, &ctx, inputs, 3, NULL);
 *     tg_ck_assert_gradcheck("my_layer", r);
 *
 * On failure the whole report goes to stderr and the test fails with the
 * worst relative error in its message. */
#ifndef TG_GRADCHECK_CHECK_H
#define TG_GRADCHECK_CHECK_H

#include "autograd/autograd.h"

#define tg_ck_assert_gradcheck(name, report)                                                      \
    do {                                                                                          \
        const tg_gradcheck_report tg_ck_r_ = (report);                                            \
        if (!tg_ck_r_.passed) {                                                                   \
            tg_gradcheck_print(stderr, (name), &tg_ck_r_);                                        \
            ck_abort_msg("gradcheck %s: max_rel_err %.3g > rtol %.3g (%zu checked)", (name),      \
                         tg_ck_r_.max_rel_err, tg_ck_r_.rtol, tg_ck_r_.checked);                  \
        }                                                                                         \
    } while (0)

#endif
