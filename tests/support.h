/* What the Check suites share: tolerances that follow tg_real, and a
 * comparison that prints both values on failure. */
#ifndef TG_TESTS_SUPPORT_H
#define TG_TESTS_SUPPORT_H

#include <check.h>
#include <math.h>

#include "tensor/tensor.h"

Suite *tg_test_suite(void);

/* Tight: results that should agree up to rounding of a few operations. */
#ifdef TG_REAL_FLOAT
#define TG_TEST_TIGHT 1e-5
#else
#define TG_TEST_TIGHT 1e-12
#endif

/* |a - b| <= tol * max(1, |a|, |b|) */
#define tg_ck_assert_close(a, b, tol)                                                             \
    do {                                                                                          \
        double tg_a_ = (double)(a), tg_b_ = (double)(b);                                          \
        double tg_s_ = fmax(1.0, fmax(fabs(tg_a_), fabs(tg_b_)));                                 \
        ck_assert_msg(fabs(tg_a_ - tg_b_) <= (tol) * tg_s_, "%s = %.17g, %s = %.17g (tol %g)",    \
                      #a, tg_a_, #b, tg_b_, (double)(tol));                                       \
    } while (0)

#endif
