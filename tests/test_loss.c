/* Losses and metrics against values worked out by hand, and every loss
 * against finite differences. */
#include <check.h>
#include <math.h>

#include "tests/gradcheck_check.h"
#include "autograd/autograd.h"
#include "tensor/tensor.h"
#include "tests/support.h"
#include "train/train.h"
#include "train/internal/gradcheck_cases.h"

static double loss_of(tg_loss kind, tg_shape shape, const tg_real *p, const tg_real *y)
{
    tg_tape *tape = tg_tape_new();
    tg_tensor *pred = tg_tensor_from(shape, p), *target = tg_tensor_from(shape, y);
    double v = (double)tg_loss_compute(tape, kind, pred, target)->data[0];
    tg_tensor_free(pred);
    tg_tensor_free(target);
    tg_tape_free(tape);
    return v;
}

START_TEST(mse_by_hand)
{
    /* ((1-1)^2 + (2-0)^2 + (3-5)^2) / 3 = 8/3 */
    tg_ck_assert_close(loss_of(TG_LOSS_MSE, TG_SHAPE(3, 1), (tg_real[]){1, 2, 3}, (tg_real[]){1, 0, 5}),
                       8.0 / 3.0, TG_TEST_TIGHT);
}
END_TEST

START_TEST(bce_by_hand)
{
    /* -(log 0.9 + log(1 - 0.2)) / 2 */
    tg_ck_assert_close(loss_of(TG_LOSS_BCE, TG_SHAPE(2, 1), (tg_real[]){0.9, 0.2}, (tg_real[]){1, 0}),
                       -(log(0.9) + log(0.8)) / 2, TG_TEST_TIGHT);
    /* p = 0 with y = 1 is clipped to eps: -log(1e-7); p = 1 with y = 1 costs ~0 */
    double clipped = loss_of(TG_LOSS_BCE, TG_SHAPE(2), (tg_real[]){0, 1}, (tg_real[]){1, 1});
#ifdef TG_REAL_FLOAT
    ck_assert(isfinite(clipped) && clipped > 7);
#else
    tg_ck_assert_close(clipped, -log(1e-7) / 2 - log(1 - 1e-7) / 2, 1e-9);
#endif
}
END_TEST

START_TEST(bce_logits_by_hand)
{
    /* y=1, z=0: log 2;  y=0, z=2: log(1+e^2);  y=1, z=-3: log(1+e^3) */
    double v = loss_of(TG_LOSS_BCE_LOGITS, TG_SHAPE(3, 1), (tg_real[]){0, 2, -3}, (tg_real[]){1, 0, 1});
    tg_ck_assert_close(v, (log(2) + log(1 + exp(2)) + log(1 + exp(3))) / 3, TG_TEST_TIGHT);
    /* Stable far out: z = 1000, y = 0 costs 1000, z = -1000, y = 0 costs 0. */
    v = loss_of(TG_LOSS_BCE_LOGITS, TG_SHAPE(2), (tg_real[]){1000, -1000}, (tg_real[]){0, 0});
    tg_ck_assert_close(v, 500, TG_TEST_TIGHT);
}
END_TEST

START_TEST(bce_logits_equals_bce_of_sigmoid)
{
    const tg_real z[] = {-1.5, 0.25, 2, 0.7}, y[] = {0, 1, 1, 0};
    tg_real p[4];
    for (int i = 0; i < 4; i++)
        p[i] = (tg_real)(1 / (1 + exp(-(double)z[i])));
    tg_ck_assert_close(loss_of(TG_LOSS_BCE_LOGITS, TG_SHAPE(4), z, y),
                       loss_of(TG_LOSS_BCE, TG_SHAPE(4), p, y), 10 * TG_TEST_TIGHT);
}
END_TEST

START_TEST(cce_by_hand)
{
    /* rows (2,3,5)/10 and (.1,.1,.8): -(log .3 + log .8) / 2; the first row
     * is given unnormalised and renormalised as Keras does */
    double v = loss_of(TG_LOSS_CCE, TG_SHAPE(2, 3), (tg_real[]){2, 3, 5, 0.1, 0.1, 0.8},
                       (tg_real[]){0, 1, 0, 0, 0, 1});
    tg_ck_assert_close(v, -(log(0.3) + log(0.8)) / 2, TG_TEST_TIGHT);
}
END_TEST

START_TEST(cce_logits_by_hand)
{
    /* -(z_3 - log(e^1 + e^2 + e^3)), averaged over the rows and time steps */
    double v = loss_of(TG_LOSS_CCE_LOGITS, TG_SHAPE(1, 2, 3), (tg_real[]){1, 2, 3, 0, 0, 0},
                       (tg_real[]){0, 0, 1, 1, 0, 0});
    double row1 = -(3 - log(exp(1) + exp(2) + exp(3))), row2 = log(3);
    tg_ck_assert_close(v, (row1 + row2) / 2, TG_TEST_TIGHT);
}
END_TEST

START_TEST(losses_gradcheck)
{
    int n;
    const tg_gradcheck_case *c = tg_loss_gradcheck_cases(&n);
    ck_assert_int_eq(n, 5);
    for (int i = 0; i < n; i++)
        tg_ck_assert_gradcheck(c[i].name, c[i].run(42 + (uint64_t)i));
}
END_TEST

START_TEST(loss_shape_mismatch_stops)
{
    tg_tape *tape = tg_tape_new();
    tg_tensor *a = tg_tensor_zeros(TG_SHAPE(2, 3)), *b = tg_tensor_zeros(TG_SHAPE(3, 2));
    tg_loss_mse(tape, a, b);
}
END_TEST

START_TEST(names_round_trip)
{
    for (int i = TG_LOSS_MSE; i <= TG_LOSS_CCE_LOGITS; i++) {
        tg_loss l;
        ck_assert_int_eq(tg_loss_parse(tg_loss_name((tg_loss)i), &l), 0);
        ck_assert_int_eq(l, i);
    }
    tg_loss l;
    ck_assert_int_eq(tg_loss_parse("hinge", &l), -1);
}
END_TEST

/* ---- metrics ---- */

static tg_metric_sum metric_of(tg_metric metric, tg_loss loss, tg_shape shape, const tg_real *p,
                               const tg_real *y)
{
    tg_tensor *pred = tg_tensor_from(shape, p), *target = tg_tensor_from(shape, y);
    tg_metric_sum s = tg_metric_compute(metric, loss, pred, target);
    tg_tensor_free(pred);
    tg_tensor_free(target);
    return s;
}

START_TEST(binary_accuracy_by_hand)
{
    /* 0.9 -> 1 right, 0.4 -> 0 wrong, 0.6 -> 1 wrong, 0.1 -> 0 right; 0.5 -> 1 right */
    tg_metric_sum s = metric_of(TG_METRIC_ACCURACY, TG_LOSS_BCE, TG_SHAPE(5, 1),
                                (tg_real[]){0.9, 0.4, 0.6, 0.1, 0.5}, (tg_real[]){1, 1, 0, 0, 1});
    ck_assert_int_eq(s.count, 5);
    tg_ck_assert_close(s.sum, 3, 0);
    /* On logits the threshold is 0: -0.1 -> 0, 0.2 -> 1 */
    s = metric_of(TG_METRIC_ACCURACY, TG_LOSS_BCE_LOGITS, TG_SHAPE(2), (tg_real[]){-0.1, 0.2},
                  (tg_real[]){0, 1});
    tg_ck_assert_close(s.sum, 2, 0);
}
END_TEST

START_TEST(categorical_accuracy_by_hand)
{
    /* argmax rows: 2 vs 2 right, 0 vs 1 wrong, 1 vs 1 right */
    tg_metric_sum s = metric_of(TG_METRIC_ACCURACY, TG_LOSS_CCE, TG_SHAPE(3, 3),
                                (tg_real[]){0.1, 0.2, 0.7, 0.5, 0.3, 0.2, 0.2, 0.6, 0.2},
                                (tg_real[]){0, 0, 1, 0, 1, 0, 0, 1, 0});
    ck_assert_int_eq(s.count, 3);
    tg_ck_assert_close(s.sum, 2, 0);
}
END_TEST

START_TEST(mae_by_hand)
{
    /* (|1-0| + |-2-1| + |0.5-0.5|) = 4 over 3 */
    tg_metric_sum s = metric_of(TG_METRIC_MAE, TG_LOSS_MSE, TG_SHAPE(3), (tg_real[]){1, -2, 0.5},
                                (tg_real[]){0, 1, 0.5});
    ck_assert_int_eq(s.count, 3);
    tg_ck_assert_close(s.sum, 4, TG_TEST_TIGHT);
}
END_TEST

Suite *tg_test_suite(void)
{
    Suite *s = suite_create("loss");
    TCase *tc = tcase_create("loss");
    tcase_add_test(tc, mse_by_hand);
    tcase_add_test(tc, bce_by_hand);
    tcase_add_test(tc, bce_logits_by_hand);
    tcase_add_test(tc, bce_logits_equals_bce_of_sigmoid);
    tcase_add_test(tc, cce_by_hand);
    tcase_add_test(tc, cce_logits_by_hand);
    tcase_add_test(tc, losses_gradcheck);
    tcase_add_exit_test(tc, loss_shape_mismatch_stops, TG_FATAL_EXIT);
    tcase_add_test(tc, names_round_trip);
    suite_add_tcase(s, tc);
    TCase *tm = tcase_create("metrics");
    tcase_add_test(tm, binary_accuracy_by_hand);
    tcase_add_test(tm, categorical_accuracy_by_hand);
    tcase_add_test(tm, mae_by_hand);
    suite_add_tcase(s, tm);
    return s;
}
