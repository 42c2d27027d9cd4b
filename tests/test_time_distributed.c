/* TimeDistributed: its gradcheck rows, the same weights at every step (held
 * against the layer run on each step alone, and a kernel gradient summed
 * over the steps by hand), frames (N, T, H, W, C) through Conv2D and
 * MaxPool2D, both paths agreeing, Keras's names and counts, the summary, a
 * checkpoint, and bad arguments. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/gradcheck_check.h"
#include "autograd/autograd.h"
#include "layers/layers.h"
#include "tensor/tensor.h"
#include "train/train.h"
#include "tests/layer_paths.h"
#include "tests/model_checks.h"
#include "tests/support.h"
#include "layers/internal/gradcheck_cases.h"

START_TEST(test_time_distributed_registry_cases)
{
    int n;
    const tg_gradcheck_case *c = tg_time_distributed_gradcheck_cases(&n);
    ck_assert_int_eq(n, 14);
    tg_ck_assert_gradcheck(c[_i].name, c[_i].run(17));
}
END_TEST

static tg_layer *built(tg_layer *td, tg_shape sample, uint64_t seed)
{
    tg_rng rng;
    tg_rng_seed(&rng, seed);
    tg_layer_build(td, sample, &rng);
    for (int k = 0; k < td->n_params; k++)
        tg_init_uniform(td->params[k], &rng, -0.5, 0.5);
    return td;
}

/* The layers a frame goes through, one per loop index: Conv2D (valid and
 * same), MaxPool2D, Flatten. */
static tg_layer *frame_layer(int i)
{
    switch (i) {
    case 0:
        return tg_conv2d((tg_conv2d_opts){.filters = 3, .kernel = {3, 3}, .activation = TG_RELU});
    case 1:
        return tg_conv2d((tg_conv2d_opts){.filters = 2, .kernel = {2, 3}, .strides = {2, 1},
                                          .padding = TG_SAME});
    case 2:
        return tg_maxpool2d((tg_pool2d_opts){.pool = {2, 2}});
    default:
        return tg_flatten();
    }
}

/* y[n, t] = layer(x[n, t]): the wrapper's output, frame by frame, equals the
 * inner layer run on that one frame as a batch of one; on both paths. */
START_TEST(test_time_distributed_frame_by_frame)
{
    const int N = 2, T = 3, H = 6, W = 5, C = 2;
    for (int p = 0; p < 2; p++) {
        tg_layer *td = built(tg_time_distributed(frame_layer(_i)), TG_SHAPE(T, H, W, C), 70);
        td->path = p ? TG_PATH_FUSED : TG_PATH_REFERENCE;
        tg_layer *inner = tg_time_distributed_layer(td);
        tg_rng rng;
        tg_rng_seed(&rng, 71);
        tg_tensor *x = tg_tensor_uniform(TG_SHAPE(N, T, H, W, C), &rng, -1, 1);
        tg_tape *tape = tg_tape_new();
        tg_tensor *y = tg_layer_forward(td, tape, x, 0);
        ck_assert_int_eq(y->shape.ndim, inner->output_shape.ndim + 2);
        ck_assert(y->shape.dim[0] == N && y->shape.dim[1] == T);
        ck_assert(inner->path == td->path);
        const size_t frame = (size_t)H * W * C, out = y->size / ((size_t)N * T);
        for (int n = 0; n < N; n++)
            for (int t = 0; t < T; t++) {
                tg_tensor *one = tg_tensor_from(TG_SHAPE(1, H, W, C),
                                                x->data + ((size_t)n * T + (size_t)t) * frame);
                tg_tensor *y1 = tg_layer_forward(inner, tape, one, 0);
                ck_assert_uint_eq(y1->size, out);
                for (size_t k = 0; k < out; k++)
                    tg_ck_assert_close(y->data[((size_t)n * T + (size_t)t) * out + k],
                                       y1->data[k], TG_TEST_TIGHT);
                tg_tensor_free(one);
            }
        tg_tape_free(tape);
        tg_tensor_free(x);
        tg_layer_free(td);
    }
}
END_TEST

/* One kernel for every step: for TimeDistributed(Dense(2, linear)) and
 * L = sum(y), dL/dW[i, j] = sum_{n, t} x[n, t, i] and dL/db[j] = N T. */
START_TEST(test_time_distributed_shares_the_weights)
{
    const int N = 2, T = 4, D = 3;
    tg_layer *td = built(tg_time_distributed(tg_dense(2, TG_LINEAR)), TG_SHAPE(T, D), 72);
    tg_rng rng;
    tg_rng_seed(&rng, 73);
    tg_tensor *x = tg_tensor_uniform(TG_SHAPE(N, T, D), &rng, -1, 1);
    tg_tape *tape = tg_tape_new();
    tg_tensor *y = tg_layer_forward(td, tape, x, 1);
    const tg_tensor *W = td->params[0], *b = td->params[1];
    for (int n = 0; n < N; n++)
        for (int t = 0; t < T; t++)
            for (int j = 0; j < 2; j++) {
                double want = (double)TG_AT(b, j);
                for (int i = 0; i < D; i++)
                    want += (double)TG_AT(x, n, t, i) * (double)TG_AT(W, i, j);
                tg_ck_assert_close(TG_AT(y, n, t, j), want, TG_TEST_TIGHT);
            }
    tg_tape_backward(tape, tg_sum(tape, y));
    for (int i = 0; i < D; i++) {
        double sum = 0;
        for (int n = 0; n < N; n++)
            for (int t = 0; t < T; t++)
                sum += (double)TG_AT(x, n, t, i);
        for (int j = 0; j < 2; j++)
            tg_ck_assert_close(W->grad[i * 2 + j], sum, TG_TEST_TIGHT);
    }
    tg_ck_assert_close(b->grad[0], N * T, TG_TEST_TIGHT);
    tg_tape_free(tape);
    tg_tensor_free(x);
    tg_layer_free(td);
}
END_TEST

/* The two paths of the Conv2D and the MaxPool2D inside agree on frames. */
START_TEST(test_time_distributed_paths_agree)
{
    tg_test_paths_agree(tg_time_distributed(frame_layer(_i)), tg_time_distributed(frame_layer(_i)),
                        TG_SHAPE(2, 3, 6, 5, 2), 74, TG_TEST_TIGHT);
}
END_TEST

/* Keras: TimeDistributed(Conv2D(8, 3x3)) on (4, 28, 28, 1) gives (4, 26, 26,
 * 8) with 3 3 1 8 + 8 = 80 parameters, named as the Conv2D's. */
START_TEST(test_time_distributed_names_and_counts)
{
    tg_layer *conv = tg_conv2d((tg_conv2d_opts){.filters = 8, .kernel = {3, 3}});
    tg_layer *td = tg_time_distributed(conv);
    ck_assert_str_eq(td->name, "time_distributed");
    ck_assert_str_eq(td->ops->kind, "TimeDistributed");
    tg_rng rng;
    tg_rng_seed(&rng, 1);
    ck_assert(tg_shape_equal(tg_layer_build(td, TG_SHAPE(4, 28, 28, 1), &rng),
                             TG_SHAPE(4, 26, 26, 8)));
    ck_assert(tg_shape_equal(conv->output_shape, TG_SHAPE(26, 26, 8)));
    ck_assert_uint_eq(tg_layer_param_count(td), 80);
    ck_assert_int_eq(td->n_params, 2);
    ck_assert_str_eq(td->params[0]->name, "kernel");
    ck_assert_str_eq(td->params[1]->name, "bias");
    ck_assert(td->is_kernel[0] && !td->is_kernel[1]);
    ck_assert_ptr_eq(conv->params[0]->data, td->params[0]->data);
    tg_layer_free(td);
}
END_TEST

/* The CNN-LSTM of frames: TimeDistributed(Conv2D -> MaxPool2D -> Flatten)
 * -> LSTM -> Dense. */
static tg_model *frames_model(uint64_t seed)
{
    tg_model *m = tg_model_new(TG_SHAPE(3, 8, 8, 1), seed);
    tg_model_add(m, tg_time_distributed(
                        tg_conv2d((tg_conv2d_opts){.filters = 2, .kernel = {3, 3},
                                                   .activation = TG_RELU})));
    tg_model_add(m, tg_time_distributed(tg_maxpool2d((tg_pool2d_opts){.pool = {2, 2}})));
    tg_model_add(m, tg_time_distributed(tg_flatten()));
    tg_model_add(m, tg_lstm((tg_lstm_opts){.units = 4}));
    tg_model_add(m, tg_dense(1, TG_SIGMOID));
    return m;
}

START_TEST(test_time_distributed_summary)
{
    tg_model *m = frames_model(1);
    /* conv 3 3 1 2 + 2 = 20; LSTM(4) diagonal on 18: 4 (18 4 + 4 4 + 4 + 4) = 384 */
    const char *rows[] = {
        " time_distributed (TimeDistributed)   (None, 3, 6, 6, 2)        20       \n"
        "   conv2d (Conv2D)                    (None, 6, 6, 2)           20       \n",
        " time_distributed_1 (TimeDistributed) (None, 3, 3, 3, 2)        0        \n"
        "   max_pooling2d (MaxPooling2D)       (None, 3, 3, 2)           0        \n",
        " time_distributed_2 (TimeDistributed) (None, 3, 18)             0        \n",
        " lstm (LSTM)                          (None, 4)                 384      \n",
        "Total params: 409 ",
    };
    tg_test_summary_has(m, rows, sizeof rows / sizeof rows[0]);
    tg_model_free(m);
}
END_TEST

START_TEST(test_time_distributed_checkpoint)
{
    tg_model *a = frames_model(1), *b = frames_model(2);
    tg_test_checkpoint_round_trip(a, b, "time_distributed/kernel.npy");
    tg_model_free(a);
    tg_model_free(b);
}
END_TEST

/* ---- bad arguments ---- */

START_TEST(test_time_distributed_no_time_axis)
{
    tg_rng rng;
    tg_rng_seed(&rng, 1);
    tg_layer_build(tg_time_distributed(tg_dense(2, TG_LINEAR)), TG_SHAPE(5), &rng);
}
END_TEST

START_TEST(test_time_distributed_layer_does_not_fit)
{
    tg_rng rng;
    tg_rng_seed(&rng, 1);
    tg_layer_build(tg_time_distributed(frame_layer(0)), TG_SHAPE(4, 8, 1), &rng);
}
END_TEST

START_TEST(test_time_distributed_null)
{
    tg_time_distributed(NULL);
}
END_TEST

Suite *tg_test_suite(void)
{
    Suite *s = suite_create("time_distributed");
    TCase *tc = tcase_create("time_distributed");
    tcase_add_loop_test(tc, test_time_distributed_registry_cases, 0, 14);
    tcase_add_loop_test(tc, test_time_distributed_frame_by_frame, 0, 4);
    tcase_add_test(tc, test_time_distributed_shares_the_weights);
    tcase_add_loop_test(tc, test_time_distributed_paths_agree, 0, 3);
    tcase_add_test(tc, test_time_distributed_names_and_counts);
    tcase_add_test(tc, test_time_distributed_summary);
    tcase_add_test(tc, test_time_distributed_checkpoint);
    tcase_add_exit_test(tc, test_time_distributed_no_time_axis, TG_FATAL_EXIT);
    tcase_add_exit_test(tc, test_time_distributed_layer_does_not_fit, TG_FATAL_EXIT);
    tcase_add_exit_test(tc, test_time_distributed_null, TG_FATAL_EXIT);
    suite_add_tcase(s, tc);
    return s;
}
