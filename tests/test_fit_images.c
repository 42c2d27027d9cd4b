/* fit and evaluate on image sets kept as bytes: the same run as tg_model_fit
 * on the images written out as tensors by hand (pixels / 255, one-hot
 * labels), with the same seed, so the same shuffled batches: the same
 * history and the same weights; and the refusal of batch_size 0. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "layers/layers.h"
#include "tensor/tensor.h"
#include "tests/support.h"
#include "train/train.h"

enum { ROWS = 4, COLS = 5, CLASSES = 3 };

/* count images of noise, the label a function of the pixels (so there is
 * something to learn), seeded. */
static void noise_set(tg_image_set *set, size_t count, uint64_t seed)
{
    tg_image_set_alloc(set, count, ROWS, COLS, CLASSES);
    tg_rng rng;
    tg_rng_seed(&rng, seed);
    for (size_t i = 0; i < count; i++) {
        unsigned sum = 0;
        for (int p = 0; p < ROWS * COLS; p++) {
            set->pixels[i * ROWS * COLS + (size_t)p] = (uint8_t)tg_rng_below(&rng, 256);
            sum += set->pixels[i * ROWS * COLS + (size_t)p] > 127 && p < COLS;
        }
        set->labels[i] = (uint8_t)(sum % CLASSES);
    }
}

/* The set as tensors, from the definition: x = pixel / 255, y one-hot. */
static void by_hand(const tg_image_set *set, tg_tensor **x, tg_tensor **y)
{
    *x = tg_tensor_zeros(TG_SHAPE((int)set->count, ROWS, COLS, 1));
    *y = tg_tensor_zeros(TG_SHAPE((int)set->count, CLASSES));
    for (size_t i = 0; i < (size_t)ROWS * COLS * set->count; i++)
        (*x)->data[i] = (tg_real)set->pixels[i] / (tg_real)255;
    for (size_t i = 0; i < set->count; i++)
        (*y)->data[i * CLASSES + set->labels[i]] = 1;
}

static tg_model *small_model(void)
{
    tg_model *m = tg_model_new(TG_SHAPE(ROWS, COLS, 1), 7);
    tg_model_add(m, tg_flatten());
    tg_model_add(m, tg_dense(8, TG_TANH));
    tg_model_add(m, tg_dense(CLASSES, TG_SOFTMAX));
    tg_model_compile(m, tg_optimizer_adam(0.01), TG_LOSS_CCE, TG_METRIC_ACCURACY);
    return m;
}

static tg_fit_opts quiet(void)
{
    tg_fit_opts o = tg_fit_defaults();
    o.epochs = 3;
    o.batch_size = 7; /* 50 images: the last batch is short */
    o.verbose = 0;
    return o;
}

START_TEST(test_fit_images_is_fit_on_the_tensors)
{
    tg_image_set train, val;
    noise_set(&train, 50, 1);
    noise_set(&val, 20, 2);
    tg_tensor *x, *y, *xv, *yv;
    by_hand(&train, &x, &y);
    by_hand(&val, &xv, &yv);

    tg_model *a = small_model(), *b = small_model();
    tg_fit_opts o = quiet();
    tg_history ha, hb;
    tg_status st = tg_model_fit_images(a, &train, &val, &o, &ha);
    ck_assert(tg_is_ok(&st));
    o.x_val = xv;
    o.y_val = yv;
    st = tg_model_fit(b, x, y, &o, &hb);
    ck_assert(tg_is_ok(&st));

    ck_assert_int_eq(ha.n_epochs, 3);
    ck_assert_int_eq(hb.n_epochs, 3);
    for (int e = 0; e < 3; e++) {
        tg_ck_assert_close(ha.loss[e], hb.loss[e], TG_TEST_TIGHT);
        tg_ck_assert_close(ha.val_loss[e], hb.val_loss[e], TG_TEST_TIGHT);
        tg_ck_assert_close(ha.metric[0][e], hb.metric[0][e], TG_TEST_TIGHT);
        tg_ck_assert_close(ha.val_metric[0][e], hb.val_metric[0][e], TG_TEST_TIGHT);
    }
    ck_assert(ha.loss[2] < ha.loss[0]);
    for (int p = 0; p < a->n_params; p++)
        for (size_t i = 0; i < a->params[p]->size; i++)
            tg_ck_assert_close(a->params[p]->data[i], b->params[p]->data[i], TG_TEST_TIGHT);

    double acc_a, acc_b;
    double loss_a, loss_b;
    st = tg_model_evaluate_images(a, &val, 6, &loss_a, &acc_a);
    ck_assert_msg(tg_is_ok(&st), "%s", st.msg);
    st = tg_model_evaluate(b, xv, yv, 6, &loss_b, &acc_b);
    ck_assert_msg(tg_is_ok(&st), "%s", st.msg);
    tg_ck_assert_close(loss_a, loss_b, TG_TEST_TIGHT);
    tg_ck_assert_close(acc_a, acc_b, TG_TEST_TIGHT);

    tg_history_free(&ha);
    tg_history_free(&hb);
    tg_model_free(a);
    tg_model_free(b);
    tg_tensor_free(x);
    tg_tensor_free(y);
    tg_tensor_free(xv);
    tg_tensor_free(yv);
    tg_image_set_free(&train);
    tg_image_set_free(&val);
}
END_TEST

START_TEST(test_fit_images_without_validation)
{
    tg_image_set train;
    noise_set(&train, 30, 3);
    tg_model *m = small_model();
    tg_fit_opts o = quiet();
    tg_history h;
    tg_status st = tg_model_fit_images(m, &train, NULL, &o, &h);
    ck_assert(tg_is_ok(&st));
    ck_assert(!h.has_val);
    ck_assert_int_eq(h.n_epochs, 3);
    tg_history_free(&h);
    tg_model_free(m);
    tg_image_set_free(&train);
}
END_TEST

START_TEST(test_fit_images_whole_set_batch_fatal)
{
    tg_image_set train;
    noise_set(&train, 10, 4);
    tg_model *m = small_model();
    tg_fit_opts o = quiet();
    o.batch_size = 0;
    tg_history h;
    tg_model_fit_images(m, &train, NULL, &o, &h);
}
END_TEST

Suite *tg_test_suite(void)
{
    Suite *s = suite_create("fit_images");
    TCase *tc = tcase_create("fit_images");
    tcase_add_test(tc, test_fit_images_is_fit_on_the_tensors);
    tcase_add_test(tc, test_fit_images_without_validation);
    tcase_add_exit_test(tc, test_fit_images_whole_set_batch_fatal, TG_FATAL_EXIT);
    suite_add_tcase(s, tc);
    return s;
}
