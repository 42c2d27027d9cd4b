/* bench's count of a step's flops (bench/bench_flops.h) against counts made
 * by hand from the layers' shapes, one model per rule. */
#include <check.h>

#include "tapegrad.h"
#include "bench/bench_flops.h"

START_TEST(test_flops_conv1d_lstm_dense)
{
    /* (5, 2) -> Conv1D(3, 2) -> (4, 3) -> LSTM(4), diagonal peepholes -> (4) -> Dense(2).
     * Per sample, forward multiply-adds:
     *   Conv1D  4 positions x kernel 2 * 2 * 3           =  48
     *   LSTM    4 steps x (W_x 4 * 3 * 4 + W_h 4 * 4 * 4) = 448 (peepholes: vectors, not counted)
     *   Dense   1 row x 4 * 2                            =   8
     * 504 in all; batch 3, 2 flops each: 3024. Train: the Conv1D, first,
     * needs no dX (2 x 48), the others 3x: 96 + 1344 + 24 = 1464, x 6: 8784. */
    tg_model *m = tg_model_new(TG_SHAPE(5, 2), 1);
    tg_model_add(m, tg_conv1d((tg_conv1d_opts){.filters = 3, .kernel = 2}));
    tg_model_add(m, tg_lstm((tg_lstm_opts){.units = 4}));
    tg_model_add(m, tg_dense(2, TG_LINEAR));
    ck_assert_double_eq(bench_layer_macs(m->layers[1]), 448);
    ck_assert_double_eq(bench_model_flops(m, 3, 0), 3024);
    ck_assert_double_eq(bench_model_flops(m, 3, 1), 8784);
    tg_model_free(m);
}
END_TEST

START_TEST(test_flops_conv2d_flatten_dense)
{
    /* (4, 4, 1) -> Conv2D(2, 3x3) -> (2, 2, 2) -> Flatten -> (8) -> Dense(3).
     *   Conv2D  4 positions x 3 * 3 * 1 * 2 = 72,   Dense  8 * 3 = 24.
     * Batch 5: inference 2 * 5 * 96 = 960; train 2 * 5 * (2 * 72 + 3 * 24) = 2160. */
    tg_model *m = tg_model_new(TG_SHAPE(4, 4, 1), 1);
    tg_model_add(m, tg_conv2d((tg_conv2d_opts){.filters = 2, .kernel = {3, 3}}));
    tg_model_add(m, tg_flatten());
    tg_model_add(m, tg_dense(3, TG_RELU));
    ck_assert_double_eq(bench_model_flops(m, 5, 0), 960);
    ck_assert_double_eq(bench_model_flops(m, 5, 1), 2160);
    tg_model_free(m);
}
END_TEST

START_TEST(test_flops_first_product_after_a_shape_layer)
{
    /* (4, 4, 1) -> Flatten -> Dense(3): the Dense is the first layer with
     * parameters, its input needs no gradient: 16 * 3 = 48 multiply-adds,
     * batch 2: inference 192, train 2 * 2 * 2 * 48 = 384. */
    tg_model *m = tg_model_new(TG_SHAPE(4, 4, 1), 1);
    tg_model_add(m, tg_flatten());
    tg_model_add(m, tg_dense(3, TG_LINEAR));
    ck_assert_double_eq(bench_model_flops(m, 2, 0), 192);
    ck_assert_double_eq(bench_model_flops(m, 2, 1), 384);
    tg_model_free(m);
}
END_TEST

START_TEST(test_flops_gru_and_dense_over_a_sequence)
{
    /* (6, 2) -> GRU(3, sequences) -> (6, 3) -> Dense(1) at every step.
     *   GRU    6 steps x (kernel 2 * 9 + recurrent 3 * 9) = 270 (the (2, 9) bias is no product)
     *   Dense  6 rows x 3 * 1                            =  18
     * Batch 2: inference 2 * 2 * 288 = 1152; train 4 * (2 * 270 + 3 * 18) = 2376. */
    tg_model *m = tg_model_new(TG_SHAPE(6, 2), 1);
    tg_model_add(m, tg_gru((tg_gru_opts){.units = 3, .return_sequences = 1}));
    tg_model_add(m, tg_dense(1, TG_SIGMOID));
    ck_assert_double_eq(bench_model_flops(m, 2, 0), 1152);
    ck_assert_double_eq(bench_model_flops(m, 2, 1), 2376);
    tg_model_free(m);
}
END_TEST

START_TEST(test_flops_full_peepholes_are_products)
{
    /* LSTM(2) over (3, 2), full peepholes: per step W_x 4 * 2 * 2, W_h 4 * 2 * 2
     * and W_c 4 * 2 * 2 (c_{t-1} W_c, matrices): 48, x 3 steps = 144. */
    tg_model *m = tg_model_new(TG_SHAPE(3, 2), 1);
    tg_model_add(m, tg_lstm((tg_lstm_opts){.units = 2, .peephole = TG_PEEPHOLE_FULL}));
    ck_assert_double_eq(bench_layer_macs(m->layers[0]), 144);
    tg_model_free(m);
}
END_TEST

START_TEST(test_flops_timeseries_model)
{
    /* The document's time-series model, per sample:
     *   Conv1D(32, 3) over (64, 4)  62 x 3 * 4 * 32         =  23808
     *   LSTM(64) over (31, 32)      31 x (4 * 32 * 64 + 4 * 64 * 64) = 761856
     *   Dense(32) over (31, 64)     31 x 64 * 32            =  63488
     *   Dense(1) over (31, 32)      31 x 32                 =    992
     * batch 32, train: 2 * 32 * (2 * 23808 + 3 * 826336) = 161703936. */
    tg_model *m = tg_series_model(TG_SERIES_CNN_LSTM, 64, 4, 1, (tg_app_model_opts){.seed = 42});
    ck_assert_double_eq(bench_model_flops(m, 32, 1), 161703936);
    ck_assert_double_eq(bench_model_flops(m, 32, 0), 2.0 * 32 * (23808 + 826336));
    tg_model_free(m);
}
END_TEST

START_TEST(test_flops_images_model)
{
    /* The document's image model, per sample:
     *   Conv2D(32, 3x3) over (28, 28, 1)  26 * 26 x 3 * 3 * 1 * 32           =  194688
     *   LSTM(64) over 13 rows of 13 * 32  13 x (4 * 416 * 64 + 4 * 64 * 64)  = 1597440
     *   Dense(32) on (64), Dense(10)      64 * 32 + 32 * 10                  =    2368
     * batch 32, train: 2 * 32 * (2 * 194688 + 3 * 1599808) = 332083200. */
    tg_model *m = tg_images_model(28, 28, 10, (tg_app_model_opts){.seed = 42});
    ck_assert_double_eq(bench_model_flops(m, 32, 1), 332083200);
    ck_assert_double_eq(bench_model_flops(m, 32, 0), 2.0 * 32 * (194688 + 1599808));
    tg_model_free(m);
}
END_TEST

START_TEST(test_flops_wrapper_has_no_rule)
{
    tg_model *m = tg_model_new(TG_SHAPE(3, 2), 1);
    tg_model_add(m, tg_time_distributed(tg_dense(2, TG_LINEAR)));
    ck_assert_double_eq(bench_model_flops(m, 1, 1), -1);
    tg_model_free(m);
}
END_TEST

Suite *tg_test_suite(void)
{
    Suite *s = suite_create("bench_flops");
    TCase *tc = tcase_create("hand counts");
    tcase_add_test(tc, test_flops_conv1d_lstm_dense);
    tcase_add_test(tc, test_flops_conv2d_flatten_dense);
    tcase_add_test(tc, test_flops_first_product_after_a_shape_layer);
    tcase_add_test(tc, test_flops_gru_and_dense_over_a_sequence);
    tcase_add_test(tc, test_flops_full_peepholes_are_products);
    tcase_add_test(tc, test_flops_timeseries_model);
    tcase_add_test(tc, test_flops_images_model);
    tcase_add_test(tc, test_flops_wrapper_has_no_rule);
    suite_add_tcase(s, tc);
    return s;
}
