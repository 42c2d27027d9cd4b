/* Conv1D and Conv2D: hand-worked values, output shapes against Keras's
 * rules, gradcheck of both paths over a grid of configurations, fused ==
 * reference on values and every gradient, the reference path made of
 * primitive ops only, no malloc in the steady state, bad arguments. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "tests/gradcheck_check.h"
#include "autograd/autograd.h"
#include "kernels/kernels.h"
#include "layers/layers.h"
#include "tests/layer_paths.h"
#include "tests/support.h"

/* x = [[1, 2, 3], [4, 5, 6], [7, 8, 9]] (1, 3, 3, 1), W = [[1, 2], [3, 4]], b = 0.5 */
static const tg_real hand_x[] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
static const tg_real hand_w[] = {1, 2, 3, 4};

static void check_hand_conv2d(tg_path path, tg_padding padding, int stride, const double *want)
{
    tg_tensor *x = tg_tensor_from(TG_SHAPE(1, 3, 3, 1), hand_x);
    tg_tensor *w = tg_tensor_from(TG_SHAPE(2, 2, 1, 1), hand_w);
    tg_tensor *b = tg_tensor_full(TG_SHAPE(1), 0.5);
    tg_tape *tape = tg_tape_new();
    const int strides[2] = {stride, stride};
    tg_tensor *y = (path == TG_PATH_REFERENCE ? tg_conv2d_reference : tg_conv2d_fused)(
        tape, x, w, b, strides, padding);
    ck_assert(tg_shape_equal(y->shape, TG_SHAPE(1, 2, 2, 1)));
    for (int k = 0; k < 4; k++)
        tg_ck_assert_close(y->data[k], want[k], TG_TEST_TIGHT);
    tg_tape_free(tape);
    tg_tensor_free(x);
    tg_tensor_free(w);
    tg_tensor_free(b);
}

START_TEST(test_conv2d_hand_valid)
{
    /* y00 = 1*1 + 2*2 + 4*3 + 5*4 = 37, y01 = 2 + 6 + 15 + 24 = 47,
     * y10 = 4 + 10 + 21 + 32 = 67,      y11 = 5 + 12 + 24 + 36 = 77; + 0.5 */
    const double want[] = {37.5, 47.5, 67.5, 77.5};
    check_hand_conv2d(_i ? TG_PATH_FUSED : TG_PATH_REFERENCE, TG_VALID, 1, want);
}
END_TEST

START_TEST(test_conv2d_hand_same_stride2)
{
    /* out = ceil(3 / 2) = 2, pad_total = (2 - 1) 2 + 2 - 3 = 1: all of it
     * after (bottom/right), none before. Windows start at rows/cols 0 and 2:
     * y00 = 37, y01 = 3*1 + 6*3 = 21, y10 = 7*1 + 8*2 = 23, y11 = 9*1 = 9; + 0.5 */
    const double want[] = {37.5, 21.5, 23.5, 9.5};
    check_hand_conv2d(_i ? TG_PATH_FUSED : TG_PATH_REFERENCE, TG_SAME, 2, want);
}
END_TEST

START_TEST(test_conv1d_hand_channels)
{
    /* x (1, 4, 2); W[0] = identity, W[1] = swap, so
     * y[t, o] = x[t, o] + x[t + 1, 1 - o]. */
    tg_tensor *x = tg_tensor_from(TG_SHAPE(1, 4, 2), (const tg_real[]){1, 0, 2, 1, 0, 3, 1, 1});
    tg_tensor *w = tg_tensor_from(TG_SHAPE(2, 2, 2), (const tg_real[]){1, 0, 0, 1, 0, 1, 1, 0});
    tg_tape *tape = tg_tape_new();
    tg_tensor *y = (_i ? tg_conv1d_fused : tg_conv1d_reference)(tape, x, w, NULL, 1, TG_VALID);
    const double want[] = {2, 2, 5, 1, 1, 4};
    ck_assert(tg_shape_equal(y->shape, TG_SHAPE(1, 3, 2)));
    for (int k = 0; k < 6; k++)
        tg_ck_assert_close(y->data[k], want[k], TG_TEST_TIGHT);
    tg_tape_free(tape);
    tg_tensor_free(x);
    tg_tensor_free(w);
}
END_TEST

/* Output sizes counted window by window, independently of window.c:
 * valid: positions i with i s + k <= in; same: positions i with i s < in,
 * and the padded input must reach the last window. */
START_TEST(test_conv_output_shapes)
{
    tg_rng rng;
    tg_rng_seed(&rng, 1);
    for (int in = 1; in <= 9; in++)
        for (int k = 1; k <= 4; k++)
            for (int s = 1; s <= 3; s++)
                for (int pad = 0; pad < 2; pad++) {
                    if (pad == TG_VALID && k > in)
                        continue;
                    int out = 0;
                    while (pad == TG_SAME ? out * s < in : out * s + k <= in)
                        out++;
                    tg_window w = tg_window_make("test", in, k, s, (tg_padding)pad);
                    ck_assert_int_eq(w.out, out);
                    ck_assert_int_ge(w.pad_after, w.pad_before);
                    ck_assert_int_le(w.pad_after - w.pad_before, 1);
                    if (pad == TG_SAME)
                        ck_assert_int_ge(w.pad_before + in + w.pad_after, (out - 1) * s + k);
                    tg_layer *c = tg_conv2d((tg_conv2d_opts){.filters = 2, .kernel = {k, 1},
                                                             .strides = {s, 1},
                                                             .padding = (tg_padding)pad});
                    tg_shape o = tg_layer_build(c, TG_SHAPE(in, 3, 1), &rng);
                    ck_assert(tg_shape_equal(o, TG_SHAPE(out, 3, 2)));
                    tg_layer_free(c);
                }
    /* The document's image model: Conv2D 3x3 on 28x28 -> 26x26x32; 'same'
     * stride 2 on 28 -> 14; Conv1D kernel 3 on 10 steps -> 8. */
    tg_layer *c = tg_conv2d((tg_conv2d_opts){.filters = 32, .kernel = {3, 3}});
    ck_assert(tg_shape_equal(tg_layer_build(c, TG_SHAPE(28, 28, 1), &rng), TG_SHAPE(26, 26, 32)));
    ck_assert_uint_eq(tg_layer_param_count(c), 3 * 3 * 1 * 32 + 32);
    ck_assert_str_eq(c->name, "conv2d");
    ck_assert_str_eq(c->ops->kind, "Conv2D");
    ck_assert(tg_shape_equal(c->params[0]->shape, TG_SHAPE(3, 3, 1, 32)));
    tg_layer_free(c);
    c = tg_conv2d((tg_conv2d_opts){.filters = 4, .kernel = {3, 3}, .strides = {2, 2},
                                   .padding = TG_SAME, .no_bias = 1});
    ck_assert(tg_shape_equal(tg_layer_build(c, TG_SHAPE(28, 28, 3), &rng), TG_SHAPE(14, 14, 4)));
    ck_assert_int_eq(c->n_params, 1);
    tg_layer_free(c);
    c = tg_conv1d((tg_conv1d_opts){.filters = 5, .kernel = 3});
    ck_assert(tg_shape_equal(tg_layer_build(c, TG_SHAPE(10, 2), &rng), TG_SHAPE(8, 5)));
    ck_assert(tg_shape_equal(c->params[0]->shape, TG_SHAPE(3, 2, 5)));
    ck_assert_str_eq(c->name, "conv1d");
    ck_assert_str_eq(c->ops->kind, "Conv1D");
    tg_layer_free(c);
}
END_TEST

/* The grid: 1-D and 2-D; stride 1 and 2; valid and same; odd and even
 * sizes; C_in, C_out > 1; batch > 1; with and without bias and activation. */
typedef struct {
    int rank, n, h, w, c_in, filters, kh, kw, sh, sw;
    tg_padding padding;
    int no_bias;
    tg_activation activation;
} conv_config;

static const conv_config grid[] = {
    {2, 2, 5, 4, 2, 3, 3, 2, 1, 1, TG_VALID, 0, TG_LINEAR},
    {2, 2, 6, 6, 3, 2, 3, 3, 2, 2, TG_VALID, 0, TG_TANH},
    {2, 3, 5, 7, 2, 2, 3, 3, 2, 2, TG_SAME, 0, TG_LINEAR},
    {2, 2, 4, 4, 1, 3, 2, 2, 1, 1, TG_SAME, 1, TG_SIGMOID},
    {2, 2, 6, 5, 2, 2, 4, 3, 2, 1, TG_SAME, 0, TG_RELU},
    {2, 1, 3, 3, 2, 2, 3, 3, 1, 1, TG_VALID, 1, TG_LINEAR},
    {1, 2, 7, 0, 2, 3, 3, 0, 1, 0, TG_VALID, 0, TG_LINEAR},
    {1, 3, 8, 0, 3, 2, 4, 0, 2, 0, TG_SAME, 0, TG_TANH},
    {1, 2, 9, 0, 1, 2, 2, 0, 2, 0, TG_VALID, 1, TG_RELU},
    {1, 2, 6, 0, 2, 2, 5, 0, 1, 0, TG_SAME, 0, TG_LINEAR},
};
#define N_GRID ((int)(sizeof grid / sizeof grid[0]))

static tg_layer *make_conv(const conv_config *c)
{
    if (c->rank == 1)
        return tg_conv1d((tg_conv1d_opts){.filters = c->filters, .kernel = c->kh, .stride = c->sh,
                                          .padding = c->padding, .activation = c->activation,
                                          .no_bias = c->no_bias});
    return tg_conv2d((tg_conv2d_opts){.filters = c->filters, .kernel = {c->kh, c->kw},
                                      .strides = {c->sh, c->sw}, .padding = c->padding,
                                      .activation = c->activation, .no_bias = c->no_bias});
}

static tg_shape input_of(const conv_config *c)
{
    return c->rank == 1 ? TG_SHAPE(c->n, c->h, c->c_in) : TG_SHAPE(c->n, c->h, c->w, c->c_in);
}

/* _i = 2 * config + path */
START_TEST(test_conv_gradcheck_grid)
{
    const conv_config *c = &grid[_i / 2];
    tg_layer *layer = make_conv(c);
    layer->path = _i % 2 ? TG_PATH_FUSED : TG_PATH_REFERENCE;
    tg_gradcheck_report r = tg_layer_gradcheck(layer, input_of(c), 100 + (uint64_t)_i);
    ck_assert_int_eq(r.n_inputs, c->no_bias ? 2 : 3);
    ck_assert_int_gt((int)r.checked, 0);
    tg_ck_assert_gradcheck(layer->name, r);
    tg_layer_free(layer);
}
END_TEST

START_TEST(test_conv_fused_equals_reference)
{
    const conv_config *c = &grid[_i];
    tg_test_paths_agree(make_conv(c), make_conv(c), input_of(c), 200 + (uint64_t)_i, TG_TEST_TIGHT);
}
END_TEST

START_TEST(test_conv_registry)
{
    const tg_gradcheck_case *c = tg_test_layer_case("conv", _i);
    tg_ck_assert_gradcheck(c->name, c->run(7 + (uint64_t)_i));
}
END_TEST

/* The reference path is primitive ops only (the tape derives its
 * gradient); the fused path is one node. */
START_TEST(test_conv_paths_on_the_tape)
{
    tg_rng rng;
    tg_rng_seed(&rng, 3);
    tg_tensor *x = tg_tensor_uniform(TG_SHAPE(2, 5, 5, 2), &rng, -1, 1);
    tg_tensor *w = tg_tensor_uniform(TG_SHAPE(3, 3, 2, 4), &rng, -1, 1);
    tg_tensor *b = tg_tensor_uniform(TG_SHAPE(4), &rng, -1, 1);
    tg_tensor_requires_grad(w);
    tg_tape *tape = tg_tape_new();
    tg_conv2d_reference(tape, x, w, b, (const int[]){1, 1}, TG_SAME);
    const char *allowed[] = {"pad", "slice", "reshape", "matmul", "add"};
    for (tg_node *node = tape->last; node; node = node->prev) {
        int ok = 0;
        for (int k = 0; k < 5; k++)
            ok |= strcmp(node->op, allowed[k]) == 0;
        ck_assert_msg(ok, "reference conv recorded a '%s' node", node->op);
    }
    ck_assert_int_gt(tape->n_nodes, 9);
    tg_tape_reset(tape);
    tg_conv2d_fused(tape, x, w, b, (const int[]){1, 1}, TG_SAME);
    ck_assert_int_eq(tape->n_nodes, 1);
    ck_assert_str_eq(tape->last->op, "conv2d_fused");
    tg_tape_free(tape);
    tg_tensor_free(x);
    tg_tensor_free(w);
    tg_tensor_free(b);
}
END_TEST

/* The fused conv's forward and parameter gradients run in ranges of
 * samples that depend on the thread count (11 samples: one range on 1
 * thread, 8 ranges on 2, 11 on 3); every value belongs to one sample and
 * the shares of dW and db are summed in sample order, so y, dx, dW and db
 * must be bit-identical. */
START_TEST(test_conv_fused_threads_bit_identical)
{
    tg_real *got[3][4] = {{0}};
    size_t sizes[4] = {0};
    for (int threads = 1; threads <= 3; threads++) {
        tg_set_threads(threads);
        tg_rng rng;
        tg_rng_seed(&rng, 9);
        tg_tensor *x = tg_tensor_uniform(TG_SHAPE(11, 7, 6, 2), &rng, -1, 1);
        tg_tensor *w = tg_tensor_uniform(TG_SHAPE(3, 2, 2, 5), &rng, -1, 1);
        tg_tensor *b = tg_tensor_uniform(TG_SHAPE(5), &rng, -1, 1);
        tg_tensor_requires_grad(x);
        tg_tensor_requires_grad(w);
        tg_tensor_requires_grad(b);
        tg_tape *tape = tg_tape_new();
        tg_tensor *y = tg_conv2d_fused(tape, x, w, b, (const int[]){1, 2}, TG_SAME);
        tg_tensor *dy = tg_tensor_uniform(y->shape, &rng, -1, 1);
        tg_tape_backward_seeded(tape, y, dy->data);
        const tg_tensor *outs[4] = {y, x, w, b};
        for (int k = 0; k < 4; k++) {
            sizes[k] = outs[k]->size;
            got[threads - 1][k] = malloc(sizes[k] * sizeof(tg_real));
            memcpy(got[threads - 1][k], k ? outs[k]->grad : outs[k]->data,
                   sizes[k] * sizeof(tg_real));
        }
        tg_tensor_free(dy);
        tg_tape_free(tape);
        tg_tensor_free(x);
        tg_tensor_free(w);
        tg_tensor_free(b);
    }
    tg_set_threads(1);
    const char *names[4] = {"y", "dx", "dW", "db"};
    for (int t = 1; t < 3; t++)
        for (int k = 0; k < 4; k++)
            ck_assert_msg(memcmp(got[t][k], got[0][k], sizes[k] * sizeof(tg_real)) == 0,
                          "%s differs between 1 and %d threads", names[k], t + 1);
    for (int t = 0; t < 3; t++)
        for (int k = 0; k < 4; k++)
            free(got[t][k]);
}
END_TEST

/* One step, one arena: after the first forward + backward, later ones
 * obtain no new memory. */
START_TEST(test_conv_steady_state_no_malloc)
{
    tg_rng rng;
    tg_rng_seed(&rng, 4);
    tg_layer *c = tg_conv2d((tg_conv2d_opts){.filters = 4, .kernel = {3, 3}, .activation = TG_RELU});
    c->path = _i ? TG_PATH_FUSED : TG_PATH_REFERENCE;
    tg_layer_build(c, TG_SHAPE(8, 8, 2), &rng);
    tg_tensor *x = tg_tensor_uniform(TG_SHAPE(3, 8, 8, 2), &rng, -1, 1);
    tg_tape *tape = tg_tape_new();
    size_t mallocs = 0;
    for (int step = 0; step < 3; step++) {
        tg_tape_reset(tape);
        tg_tape_backward(tape, tg_sum(tape, tg_layer_forward(c, tape, x, 1)));
        if (step == 0)
            mallocs = tape->arena.mallocs;
    }
    ck_assert_uint_eq(tape->arena.mallocs, mallocs);
    tg_tape_free(tape);
    tg_tensor_free(x);
    tg_layer_free(c);
}
END_TEST

START_TEST(test_conv_kernel_larger_than_input)
{
    tg_rng rng;
    tg_rng_seed(&rng, 1);
    tg_layer *c = tg_conv2d((tg_conv2d_opts){.filters = 2, .kernel = {5, 5}});
    tg_layer_build(c, TG_SHAPE(3, 3, 1), &rng);
}
END_TEST

START_TEST(test_conv_zero_stride_op)
{
    tg_tensor *x = tg_tensor_zeros(TG_SHAPE(1, 4, 4, 1));
    tg_tensor *w = tg_tensor_zeros(TG_SHAPE(2, 2, 1, 1));
    tg_tape *tape = tg_tape_new();
    tg_conv2d_fused(tape, x, w, NULL, (const int[]){0, 1}, TG_VALID);
}
END_TEST

START_TEST(test_conv_negative_stride)
{
    tg_conv1d((tg_conv1d_opts){.filters = 2, .kernel = 3, .stride = -1});
}
END_TEST

START_TEST(test_conv_channel_mismatch)
{
    tg_tensor *x = tg_tensor_zeros(TG_SHAPE(1, 4, 4, 3));
    tg_tensor *w = tg_tensor_zeros(TG_SHAPE(2, 2, 2, 1));
    tg_tape *tape = tg_tape_new();
    (_i ? tg_conv2d_fused : tg_conv2d_reference)(tape, x, w, NULL, (const int[]){1, 1}, TG_VALID);
}
END_TEST

START_TEST(test_conv_layer_channel_mismatch)
{
    tg_rng rng;
    tg_rng_seed(&rng, 1);
    tg_layer *c = tg_conv1d((tg_conv1d_opts){.filters = 2, .kernel = 2});
    tg_layer_build(c, TG_SHAPE(5, 3), &rng);
    tg_tensor *x = tg_tensor_zeros(TG_SHAPE(2, 5, 4));
    tg_tape *tape = tg_tape_new();
    tg_layer_forward(c, tape, x, 0);
}
END_TEST

START_TEST(test_conv_wrong_rank)
{
    tg_rng rng;
    tg_rng_seed(&rng, 1);
    tg_layer *c = tg_conv2d((tg_conv2d_opts){.filters = 2, .kernel = {2, 2}});
    tg_layer_build(c, TG_SHAPE(5, 3), &rng);
}
END_TEST

START_TEST(test_conv_no_filters)
{
    tg_conv2d((tg_conv2d_opts){.kernel = {3, 3}});
}
END_TEST

START_TEST(test_conv_no_kernel)
{
    tg_conv1d((tg_conv1d_opts){.filters = 3});
}
END_TEST

Suite *tg_test_suite(void)
{
    Suite *s = suite_create("conv");
    TCase *tc = tcase_create("conv");
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, test_conv2d_hand_valid, 0, 2);
    tcase_add_loop_test(tc, test_conv2d_hand_same_stride2, 0, 2);
    tcase_add_loop_test(tc, test_conv1d_hand_channels, 0, 2);
    tcase_add_test(tc, test_conv_output_shapes);
    tcase_add_loop_test(tc, test_conv_gradcheck_grid, 0, 2 * N_GRID);
    tcase_add_loop_test(tc, test_conv_fused_equals_reference, 0, N_GRID);
    tcase_add_loop_test(tc, test_conv_registry, 0, tg_test_layer_cases("conv"));
    tcase_add_test(tc, test_conv_paths_on_the_tape);
    tcase_add_test(tc, test_conv_fused_threads_bit_identical);
    tcase_add_loop_test(tc, test_conv_steady_state_no_malloc, 0, 2);
    suite_add_tcase(s, tc);

    TCase *bad = tcase_create("bad arguments");
    tcase_add_exit_test(bad, test_conv_kernel_larger_than_input, TG_FATAL_EXIT);
    tcase_add_exit_test(bad, test_conv_zero_stride_op, TG_FATAL_EXIT);
    tcase_add_exit_test(bad, test_conv_negative_stride, TG_FATAL_EXIT);
    tcase_add_loop_exit_test(bad, test_conv_channel_mismatch, TG_FATAL_EXIT, 0, 2);
    tcase_add_exit_test(bad, test_conv_layer_channel_mismatch, TG_FATAL_EXIT);
    tcase_add_exit_test(bad, test_conv_wrong_rank, TG_FATAL_EXIT);
    tcase_add_exit_test(bad, test_conv_no_filters, TG_FATAL_EXIT);
    tcase_add_exit_test(bad, test_conv_no_kernel, TG_FATAL_EXIT);
    suite_add_tcase(s, bad);
    return s;
}
