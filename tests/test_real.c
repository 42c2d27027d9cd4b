/* The math wrappers of tensor/real.h against libm in double: the float
 * build's tanh and exp are our own (real.h says why), so they are held to
 * their documented accuracy here, over the whole range, at the switch
 * points, and on the special values training relies on. */
#include <stdint.h>

#include "kernels/kernels.h"
#include "tests/support.h"

/* Documented: tanh 4e-7 and exp 8.3e-8 relative in float; libm's own in
 * double. */
#ifdef TG_REAL_FLOAT
#define TANH_RTOL 5e-7
#define EXP_RTOL 1e-7
#define REAL_MIN FLT_MIN
#else
#define TANH_RTOL 2 * DBL_EPSILON
#define EXP_RTOL 2 * DBL_EPSILON
#define REAL_MIN DBL_MIN
#endif

static double tanh_rel_error(double x)
{
    const double want = tanh((double)(tg_real)x), got = (double)tg_real_tanh((tg_real)x);
    return want == 0 ? fabs(got) : fabs(got - want) / fabs(want);
}

START_TEST(test_tanh_accuracy_over_the_range)
{
    double worst = 0, at = 0;
    for (int32_t k = -1200000; k <= 1200000; k++) {
        const double x = k * 1e-5; /* [-12, 12] */
        const double e = tanh_rel_error(x);
        if (e > worst) {
            worst = e;
            at = x;
        }
    }
    ck_assert_msg(worst <= TANH_RTOL, "tanh: relative error %.3g at x = %.9g", worst, at);
}
END_TEST

START_TEST(test_tanh_switch_points_and_tails)
{
    /* around the small-x cut (4e-4), the clamp (7.9053), tiny and huge x */
    const double xs[] = {3.9999e-4, 4e-4, 4.0001e-4, 7.905, 7.9053111, 7.906, 1e-30, 1e-8,
                         20, 1e30};
    for (size_t i = 0; i < sizeof xs / sizeof xs[0]; i++)
        for (int sign = -1; sign <= 1; sign += 2) {
            const double x = sign * xs[i];
            ck_assert_msg(tanh_rel_error(x) <= TANH_RTOL, "tanh(%g): relative error %.3g", x,
                          tanh_rel_error(x));
        }
    ck_assert(tg_real_tanh(0) == 0);
    ck_assert(tg_real_tanh((tg_real)INFINITY) == 1);
    ck_assert(tg_real_tanh((tg_real)-INFINITY) == -1);
    /* a NaN stays a NaN, so that fit still sees it */
    ck_assert(isnan(tg_real_tanh((tg_real)NAN)));
}
END_TEST

/* Odd exactly; increasing at steps well above the rounding (the float
 * rational function jitters by an ulp near +-1, as a rounded quotient may). */
START_TEST(test_tanh_odd_and_increasing)
{
    /* counted, then asserted once: Check's asserts are slow in a loop */
    long not_odd = 0, decreasing = 0;
    for (int k = -900000; k <= 900000; k++) {
        const tg_real x = (tg_real)(k * 1e-5);
        not_odd += tg_real_tanh(-x) != -tg_real_tanh(x);
    }
    tg_real prev = -1;
    for (int k = -400; k <= 400; k++) {
        const tg_real y = tg_real_tanh((tg_real)(k * 1e-2));
        decreasing += y < prev;
        prev = y;
    }
    ck_assert_msg(not_odd == 0, "tanh(-x) != -tanh(x) at %ld points", not_odd);
    ck_assert_msg(decreasing == 0, "tanh decreases at %ld points", decreasing);
}
END_TEST

static double exp_rel_error(double x)
{
    const double want = exp((double)(tg_real)x), got = (double)tg_real_exp((tg_real)x);
    return fabs(got - want) / want;
}

/* Over the whole range of normal results, in steps that visit every
 * reduction interval many times. */
START_TEST(test_exp_accuracy_over_the_range)
{
    const double lo = log(REAL_MIN), hi = log(TG_REAL_MAX);
    double worst = 0, at = 0;
    for (double x = lo; x < hi; x += 1e-4) {
        const double e = exp_rel_error(x);
        if (e > worst) {
            worst = e;
            at = x;
        }
    }
    ck_assert_msg(worst <= EXP_RTOL, "exp: relative error %.3g at x = %.9g", worst, at);
}
END_TEST

START_TEST(test_exp_special_values)
{
    ck_assert(tg_real_exp(0) == 1);
    ck_assert(tg_real_exp((tg_real)-INFINITY) == 0);
    ck_assert(isinf(tg_real_exp((tg_real)INFINITY)));
    ck_assert(isnan(tg_real_exp((tg_real)NAN)));
    /* past the largest finite result: inf, as expf; far below: 0 */
    ck_assert(isinf(tg_real_exp((tg_real)(log(TG_REAL_MAX) * 1.001))));
    ck_assert(tg_real_exp((tg_real)-1e4) == 0);
    /* a denormal result is still close (in absolute terms) */
    const double x = log(REAL_MIN) - 5;
    ck_assert(fabs((double)tg_real_exp((tg_real)x) - exp((double)(tg_real)x)) <= REAL_MIN);
}
END_TEST

Suite *tg_test_suite(void)
{
    Suite *s = suite_create("real");
    TCase *tc = tcase_create("tanh");
    tcase_add_test(tc, test_tanh_accuracy_over_the_range);
    tcase_add_test(tc, test_tanh_switch_points_and_tails);
    tcase_add_test(tc, test_tanh_odd_and_increasing);
    suite_add_tcase(s, tc);
    TCase *te = tcase_create("exp");
    tcase_add_test(te, test_exp_accuracy_over_the_range);
    tcase_add_test(te, test_exp_special_values);
    suite_add_tcase(s, te);
    return s;
}
