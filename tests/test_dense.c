/* Dense: hand-worked values, the per-time-step rule on sequences, Keras's
 * initialisers and shapes, gradcheck of every variant, the logits read
 * from outside, bad arguments. */
#include <check.h>
#include <string.h>

#include "tests/gradcheck_check.h"
#include "layers/layers.h"
#include "tensor/tensor.h"
#include "tests/layer_paths.h"
#include "tests/support.h"
#include "train/train.h"

static tg_layer *built_dense(int units, tg_activation act, tg_shape sample, uint64_t seed)
{
    tg_rng rng;
    tg_rng_seed(&rng, seed);
    tg_layer *d = tg_dense(units, act);
    tg_layer_build(d, sample, &rng);
    return d;
}

START_TEST(test_dense_hand_values)
{
    tg_layer *d = built_dense(3, TG_RELU, TG_SHAPE(2), 1);
    const tg_real W[] = {0.5, -1, 2, 1, 0.25, -0.5}, b[] = {0.1, -0.2, 0.3};
    memcpy(d->params[0]->data, W, sizeof W);
    memcpy(d->params[1]->data, b, sizeof b);
    tg_tensor *x = tg_tensor_from(TG_SHAPE(2, 2), (const tg_real[]){1, 2, -1, 0.5});
    tg_tape *tape = tg_tape_new();
    tg_tensor *y = tg_layer_forward(d, tape, x, 0);
    /* x W + b = [[2.6, -0.7, 1.3], [0.1, 0.925, -1.95]], then relu */
    const double want[] = {2.6, 0, 1.3, 0.1, 0.925, 0};
    ck_assert(tg_shape_equal(y->shape, TG_SHAPE(2, 3)));
    for (int k = 0; k < 6; k++)
        tg_ck_assert_close(y->data[k], want[k], TG_TEST_TIGHT);
    tg_tape_free(tape);
    tg_tensor_free(x);
    tg_layer_free(d);
}
END_TEST

/* On (N, T, C) every time step gets the same Dense: y[n, t, :] = x[n, t, :] W + b. */
START_TEST(test_dense_per_time_step)
{
    const int N = 2, T = 3, C = 4, U = 5;
    tg_layer *d = built_dense(U, TG_LINEAR, TG_SHAPE(T, C), 7);
    tg_rng rng;
    tg_rng_seed(&rng, 8);
    tg_init_uniform(d->params[1], &rng, -1, 1);
    tg_tensor *x = tg_tensor_uniform(TG_SHAPE(N, T, C), &rng, -1, 1);
    tg_tape *tape = tg_tape_new();
    tg_tensor *y = tg_layer_forward(d, tape, x, 0);
    ck_assert(tg_shape_equal(y->shape, TG_SHAPE(N, T, U)));
    for (int n = 0; n < N; n++)
        for (int t = 0; t < T; t++)
            for (int u = 0; u < U; u++) {
                double s = TG_AT(d->params[1], u);
                for (int c = 0; c < C; c++)
                    s += TG_AT(x, n, t, c) * TG_AT(d->params[0], c, u);
                tg_ck_assert_close(TG_AT(y, n, t, u), s, TG_TEST_TIGHT);
            }
    tg_tape_free(tape);
    tg_tensor_free(x);
    tg_layer_free(d);
}
END_TEST

START_TEST(test_dense_shapes_and_init)
{
    tg_layer *d = built_dense(3, TG_LINEAR, TG_SHAPE(5), 3);
    ck_assert_str_eq(d->name, "dense");
    ck_assert_str_eq(d->ops->kind, "Dense");
    ck_assert(tg_shape_equal(d->output_shape, TG_SHAPE(3)));
    ck_assert_uint_eq(tg_layer_param_count(d), 5 * 3 + 3);
    ck_assert_str_eq(d->params[0]->name, "kernel");
    ck_assert_str_eq(d->params[1]->name, "bias");
    ck_assert(d->is_kernel[0] && !d->is_kernel[1]);
    ck_assert(tg_shape_equal(d->params[0]->shape, TG_SHAPE(5, 3)));
    /* glorot_uniform: U(-limit, limit), limit = sqrt(6 / (5 + 3)); bias zero */
    const double limit = sqrt(6.0 / 8.0);
    int distinct = 0;
    for (size_t k = 0; k < d->params[0]->size; k++) {
        ck_assert(fabs((double)d->params[0]->data[k]) <= limit);
        distinct += d->params[0]->data[k] != d->params[0]->data[0];
    }
    ck_assert_int_gt(distinct, 0);
    for (int u = 0; u < 3; u++)
        ck_assert(d->params[1]->data[u] == 0);
    /* The same seed gives the same kernel. */
    tg_layer *again = built_dense(3, TG_LINEAR, TG_SHAPE(5), 3);
    ck_assert(memcmp(again->params[0]->data, d->params[0]->data, 15 * sizeof(tg_real)) == 0);
    tg_layer_free(again);
    tg_layer_free(d);

    tg_layer *seq = built_dense(4, TG_SIGMOID, TG_SHAPE(7, 2), 3);
    ck_assert(tg_shape_equal(seq->output_shape, TG_SHAPE(7, 4)));
    ck_assert_uint_eq(tg_layer_param_count(seq), 2 * 4 + 4);
    tg_layer_free(seq);
}
END_TEST

START_TEST(test_dense_gradcheck)
{
    const tg_gradcheck_case *c = tg_test_layer_case("dense", _i);
    tg_gradcheck_report r = c->run(42 + (uint64_t)_i);
    ck_assert_int_gt((int)r.checked, 0);
    tg_ck_assert_gradcheck(c->name, r);
}
END_TEST

/* The logits of the hand-worked case, under a softmax: z = x W + b is what
 * tg_dense_logits returns, y = softmax(z), and a loss on the logits
 * reaches W with dL/dW = x^T (softmax(z) - t) / N (the categorical
 * cross-entropy on logits, averaged over the N rows). */
START_TEST(test_dense_logits)
{
    tg_layer *d = built_dense(3, TG_SOFTMAX, TG_SHAPE(2), 1);
    const tg_real W[] = {0.5, -1, 2, 1, 0.25, -0.5}, b[] = {0.1, -0.2, 0.3};
    memcpy(d->params[0]->data, W, sizeof W);
    memcpy(d->params[1]->data, b, sizeof b);
    const tg_real xs[] = {1, 2, -1, 0.5};
    tg_tensor *x = tg_tensor_from(TG_SHAPE(2, 2), xs);
    tg_tensor *t = tg_tensor_from(TG_SHAPE(2, 3), (const tg_real[]){0, 0, 1, 1, 0, 0});
    tg_tape *tape = tg_tape_new();
    tg_tensor *y = tg_layer_forward(d, tape, x, 1);
    tg_tensor *z = tg_dense_logits(d);
    const double want_z[2][3] = {{2.6, -0.7, 1.3}, {0.1, 0.925, -1.95}};
    ck_assert(tg_shape_equal(z->shape, TG_SHAPE(2, 3)));
    double p[2][3];
    for (int n = 0; n < 2; n++) {
        double sum = 0;
        for (int j = 0; j < 3; j++)
            sum += exp(want_z[n][j]);
        for (int j = 0; j < 3; j++) {
            p[n][j] = exp(want_z[n][j]) / sum;
            tg_ck_assert_close(TG_AT(z, n, j), want_z[n][j], TG_TEST_TIGHT);
            tg_ck_assert_close(TG_AT(y, n, j), p[n][j], TG_TEST_TIGHT);
        }
    }
    tg_tape_backward(tape, tg_loss_cce_logits(tape, z, t));
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 3; j++) {
            double g = 0;
            for (int n = 0; n < 2; n++)
                g += xs[n * 2 + i] * (p[n][j] - TG_AT(t, n, j)) / 2;
            tg_ck_assert_close(d->params[0]->grad[i * 3 + j], g, TG_TEST_TIGHT);
        }
    tg_tape_free(tape);
    tg_tensor_free(x);
    tg_tensor_free(t);
    tg_layer_free(d);
}
END_TEST

/* Without an activation the logits are the output itself. */
START_TEST(test_dense_logits_linear)
{
    tg_layer *d = built_dense(2, TG_LINEAR, TG_SHAPE(3), 2);
    tg_tensor *x = tg_tensor_ones(TG_SHAPE(4, 3));
    tg_tape *tape = tg_tape_new();
    tg_tensor *y = tg_layer_forward(d, tape, x, 0);
    ck_assert_ptr_eq(tg_dense_logits(d), y);
    tg_tape_free(tape);
    tg_tensor_free(x);
    tg_layer_free(d);
}
END_TEST

START_TEST(test_dense_logits_before_forward)
{
    tg_dense_logits(built_dense(2, TG_SIGMOID, TG_SHAPE(3), 3));
}
END_TEST

START_TEST(test_dense_logits_not_dense)
{
    tg_rng rng;
    tg_rng_seed(&rng, 4);
    tg_layer *lstm = tg_lstm((tg_lstm_opts){.units = 2});
    tg_layer_build(lstm, TG_SHAPE(3, 2), &rng);
    tg_dense_logits(lstm);
}
END_TEST

START_TEST(test_dense_zero_units)
{
    tg_dense(0, TG_LINEAR);
}
END_TEST

START_TEST(test_dense_wrong_input)
{
    tg_layer *d = built_dense(3, TG_LINEAR, TG_SHAPE(5), 1);
    tg_tensor *x = tg_tensor_zeros(TG_SHAPE(2, 4));
    tg_tape *tape = tg_tape_new();
    tg_layer_forward(d, tape, x, 0);
}
END_TEST

START_TEST(test_dense_scalar_sample)
{
    built_dense(3, TG_LINEAR, TG_SCALAR, 1);
}
END_TEST

Suite *tg_test_suite(void)
{
    Suite *s = suite_create("dense");
    TCase *tc = tcase_create("dense");
    tcase_add_test(tc, test_dense_hand_values);
    tcase_add_test(tc, test_dense_per_time_step);
    tcase_add_test(tc, test_dense_shapes_and_init);
    tcase_add_loop_test(tc, test_dense_gradcheck, 0, tg_test_layer_cases("dense"));
    tcase_add_test(tc, test_dense_logits);
    tcase_add_test(tc, test_dense_logits_linear);
    tcase_add_exit_test(tc, test_dense_logits_before_forward, TG_FATAL_EXIT);
    tcase_add_exit_test(tc, test_dense_logits_not_dense, TG_FATAL_EXIT);
    tcase_add_exit_test(tc, test_dense_zero_units, TG_FATAL_EXIT);
    tcase_add_exit_test(tc, test_dense_wrong_input, TG_FATAL_EXIT);
    tcase_add_exit_test(tc, test_dense_scalar_sample, TG_FATAL_EXIT);
    suite_add_tcase(s, tc);
    return s;
}
