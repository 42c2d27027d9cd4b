/* The recurrent convolutional layer (RCL2D): its registered gradient
 * checks and a grid of finite-difference checks over the iterations, two
 * identities (no iterations is a Conv2D with relu; a zero recurrent kernel
 * makes every iteration x(0)), a 1x1 case worked out by hand (values and
 * gradients), Keras-style shapes and parameter count, and bad arguments. */
#include <check.h>
#include <string.h>

#include "tests/gradcheck_check.h"
#include "autograd/autograd.h"
#include "layers/layers.h"
#include "tensor/tensor.h"
#include "tests/support.h"
#include "layers/internal/gradcheck_cases.h"

START_TEST(test_rcl_registry_cases)
{
    int n, found = 0;
    const tg_gradcheck_case *c = tg_layer_gradcheck_cases(&n);
    for (int k = 0; k < n; k++)
        if (strncmp(c[k].name, "rcl2d", 5) == 0) {
            tg_ck_assert_gradcheck(c[k].name, c[k].run(9));
            found++;
        }
    ck_assert_int_eq(found, 3);
}
END_TEST

/* At most one point in SKIP_DIV may lie within 2h of a relu kink (and be
 * skipped): float's h is 1e-2, so far more points are that close to one
 * of the many kinks of 4 relu'd maps than with double's 1e-6. */
#ifdef TG_REAL_FLOAT
#define SKIP_DIV 2
#else
#define SKIP_DIV 20
#endif

/* iterations = _i: finite differences on x and every parameter */
START_TEST(test_rcl_gradcheck_iterations)
{
    tg_layer *l = tg_rcl2d((tg_rcl2d_opts){.filters = 2, .kernel = {3, 2}, .iterations = _i});
    tg_gradcheck_report r = tg_layer_gradcheck(l, TG_SHAPE(2, 4, 3, 2), 300 + (uint64_t)_i);
    char name[40];
    snprintf(name, sizeof name, "rcl2d iterations=%d", _i);
    tg_ck_assert_gradcheck(name, r);
    ck_assert_msg(r.skipped * SKIP_DIV <= r.checked, "%s: %zu of %zu skipped", name, r.skipped,
                  r.checked);
    tg_layer_free(l);
}
END_TEST

/* The forward of a built layer on x, copied out. */
static tg_tensor *forward_copy(tg_layer *l, const tg_tensor *x)
{
    tg_tape *tape = tg_tape_new();
    tg_tensor *y = tg_layer_forward(l, tape, (tg_tensor *)x, 0);
    tg_tensor *copy = tg_tensor_new(y->shape);
    memcpy(copy->data, y->data, y->size * sizeof *y->data);
    tg_tape_free(tape);
    return copy;
}

static void assert_same(const tg_tensor *a, const tg_tensor *b)
{
    ck_assert(tg_shape_equal(a->shape, b->shape));
    for (size_t k = 0; k < a->size; k++)
        tg_ck_assert_close(a->data[k], b->data[k], TG_TEST_TIGHT);
}

/* iterations = 0: x(0) = relu(W_f * u + b), a Conv2D 'same' with relu. */
START_TEST(test_rcl_no_iterations_is_conv_relu)
{
    tg_rng rng;
    tg_rng_seed(&rng, 11);
    tg_layer *rcl = tg_rcl2d((tg_rcl2d_opts){.filters = 3, .kernel = {3, 3}});
    tg_layer *conv = tg_conv2d((tg_conv2d_opts){.filters = 3, .kernel = {3, 3},
                                                .padding = TG_SAME, .activation = TG_RELU});
    conv->path = TG_PATH_REFERENCE;
    tg_layer_build(rcl, TG_SHAPE(5, 6, 2), &rng);
    tg_layer_build(conv, TG_SHAPE(5, 6, 2), &rng);
    tg_init_uniform(rcl->params[0], &rng, -1, 1);
    tg_init_uniform(rcl->params[1], &rng, -1, 1);
    tg_init_uniform(rcl->params[2], &rng, -0.5, 0.5);
    memcpy(conv->params[0]->data, rcl->params[0]->data, conv->params[0]->size * sizeof(tg_real));
    memcpy(conv->params[1]->data, rcl->params[2]->data, conv->params[1]->size * sizeof(tg_real));
    tg_tensor *x = tg_tensor_uniform(TG_SHAPE(2, 5, 6, 2), &rng, -1, 1);
    tg_tensor *a = forward_copy(rcl, x), *b = forward_copy(conv, x);
    assert_same(a, b);
    tg_tensor_free(a);
    tg_tensor_free(b);
    tg_tensor_free(x);
    tg_layer_free(rcl);
    tg_layer_free(conv);
}
END_TEST

/* W_r = 0: x(t) = relu(W_f * u + 0 + b) = x(0) for every t. */
START_TEST(test_rcl_zero_recurrent_kernel)
{
    tg_rng rng;
    tg_rng_seed(&rng, 12);
    tg_tensor *x = tg_tensor_uniform(TG_SHAPE(2, 4, 5, 3), &rng, -1, 1);
    tg_tensor *x0 = NULL;
    for (int it = 0; it <= 3; it++) {
        tg_layer *l = tg_rcl2d((tg_rcl2d_opts){.filters = 2, .kernel = {3, 3}, .iterations = it});
        tg_rng init;
        tg_rng_seed(&init, 13);
        tg_layer_build(l, TG_SHAPE(4, 5, 3), &init);
        tg_init_uniform(l->params[2], &init, -0.5, 0.5);
        tg_tensor_fill(l->params[1], 0);
        tg_tensor *y = forward_copy(l, x);
        if (x0) {
            assert_same(y, x0);
            tg_tensor_free(y);
        } else {
            x0 = y;
        }
        tg_layer_free(l);
    }
    tg_tensor_free(x0);
    tg_tensor_free(x);
}
END_TEST

/* One pixel, one channel, 1x1 kernels W_f = 2, W_r = w, b = -1, u = 1:
 * W_f u + b = 1, so x(0) = 1, x(1) = relu(1 + w), x(2) = relu(1 + w x(1)).
 * w = 0.5: x = 1, 1.5, 1.75, and x(2) = (W_f u + b)(1 + w + w^2), so
 * dx(2)/du = 2 (1 + w + w^2) = 3.5, dx(2)/dw = (1)(1 + 2 w) = 2,
 * dx(2)/db = 1.75, dx(2)/dW_f = u 1.75 = 1.75. w = -2: x(1) = relu(-1) = 0,
 * x(2) = relu(1 + 0) = 1. A second pixel u = 0.25 stays off: W_f u + b
 * = -0.5, every x(t) = 0. */
START_TEST(test_rcl_hand_1x1)
{
    const double w[] = {0.5, -2}, want[2][3] = {{1, 1.5, 1.75}, {1, 0, 1}};
    for (int c = 0; c < 2; c++)
        for (int it = 0; it <= 2; it++) {
            tg_rng rng;
            tg_rng_seed(&rng, 1);
            tg_layer *l =
                tg_rcl2d((tg_rcl2d_opts){.filters = 1, .kernel = {1, 1}, .iterations = it});
            tg_layer_build(l, TG_SHAPE(1, 2, 1), &rng);
            l->params[0]->data[0] = 2;
            l->params[1]->data[0] = (tg_real)w[c];
            l->params[2]->data[0] = -1;
            tg_tensor *u = tg_tensor_from(TG_SHAPE(1, 1, 2, 1), (const tg_real[]){1, 0.25});
            tg_tensor_requires_grad(u);
            tg_tape *tape = tg_tape_new();
            tg_tensor *y = tg_layer_forward(l, tape, u, 1);
            tg_ck_assert_close(y->data[0], want[c][it], TG_TEST_TIGHT);
            tg_ck_assert_close(y->data[1], 0, TG_TEST_TIGHT);
            if (c == 0 && it == 2) {
                tg_tape_backward(tape, tg_sum(tape, y));
                tg_ck_assert_close(u->grad[0], 3.5, TG_TEST_TIGHT);
                tg_ck_assert_close(u->grad[1], 0, TG_TEST_TIGHT);
                tg_ck_assert_close(l->params[0]->grad[0], 1.75, TG_TEST_TIGHT);
                tg_ck_assert_close(l->params[1]->grad[0], 2, TG_TEST_TIGHT);
                tg_ck_assert_close(l->params[2]->grad[0], 1.75, TG_TEST_TIGHT);
            }
            tg_tape_free(tape);
            tg_tensor_free(u);
            tg_layer_free(l);
        }
}
END_TEST

/* Output (H, W, F) whatever the iterations; parameters
 * kh kw C F + kh kw F F + F, in Keras's order. */
START_TEST(test_rcl_shapes_and_params)
{
    tg_rng rng;
    tg_rng_seed(&rng, 3);
    tg_layer *l = tg_rcl2d((tg_rcl2d_opts){.filters = 4, .kernel = {3, 5}, .iterations = 2});
    tg_shape out = tg_layer_build(l, TG_SHAPE(7, 6, 2), &rng);
    ck_assert(tg_shape_equal(out, TG_SHAPE(7, 6, 4)));
    ck_assert_int_eq(l->n_params, 3);
    ck_assert_str_eq(l->params[0]->name, "kernel");
    ck_assert_str_eq(l->params[1]->name, "recurrent_kernel");
    ck_assert_str_eq(l->params[2]->name, "bias");
    ck_assert(tg_shape_equal(l->params[0]->shape, TG_SHAPE(3, 5, 2, 4)));
    ck_assert(tg_shape_equal(l->params[1]->shape, TG_SHAPE(3, 5, 4, 4)));
    ck_assert(tg_shape_equal(l->params[2]->shape, TG_SHAPE(4)));
    size_t total = 0;
    for (int k = 0; k < l->n_params; k++)
        total += l->params[k]->size;
    ck_assert_uint_eq(total, 3 * 5 * 2 * 4 + 3 * 5 * 4 * 4 + 4);
    for (size_t k = 0; k < l->params[2]->size; k++)
        ck_assert(l->params[2]->data[k] == 0);
    ck_assert_str_eq(l->ops->kind, "RCL2D");
    ck_assert_str_eq(l->name, "rcl2d");
    tg_layer_free(l);
}
END_TEST

START_TEST(test_rcl_bad_filters)
{
    tg_rcl2d((tg_rcl2d_opts){.filters = 0, .kernel = {3, 3}});
}
END_TEST

START_TEST(test_rcl_bad_kernel)
{
    tg_rcl2d((tg_rcl2d_opts){.filters = 2, .kernel = {3, 0}});
}
END_TEST

START_TEST(test_rcl_bad_iterations)
{
    tg_rcl2d((tg_rcl2d_opts){.filters = 2, .kernel = {3, 3}, .iterations = -1});
}
END_TEST

START_TEST(test_rcl_bad_input_rank)
{
    tg_rng rng;
    tg_rng_seed(&rng, 1);
    tg_layer *l = tg_rcl2d((tg_rcl2d_opts){.filters = 2, .kernel = {3, 3}});
    tg_layer_build(l, TG_SHAPE(5, 3), &rng);
}
END_TEST

Suite *tg_test_suite(void)
{
    Suite *s = suite_create("rcl");
    TCase *grad = tcase_create("gradcheck");
    tcase_set_timeout(grad, 120);
    tcase_add_test(grad, test_rcl_registry_cases);
    tcase_add_loop_test(grad, test_rcl_gradcheck_iterations, 0, 4);
    suite_add_tcase(s, grad);
    TCase *values = tcase_create("values");
    tcase_add_test(values, test_rcl_no_iterations_is_conv_relu);
    tcase_add_test(values, test_rcl_zero_recurrent_kernel);
    tcase_add_test(values, test_rcl_hand_1x1);
    tcase_add_test(values, test_rcl_shapes_and_params);
    suite_add_tcase(s, values);
    TCase *bad = tcase_create("bad");
    tcase_add_exit_test(bad, test_rcl_bad_filters, TG_FATAL_EXIT);
    tcase_add_exit_test(bad, test_rcl_bad_kernel, TG_FATAL_EXIT);
    tcase_add_exit_test(bad, test_rcl_bad_iterations, TG_FATAL_EXIT);
    tcase_add_exit_test(bad, test_rcl_bad_input_rank, TG_FATAL_EXIT);
    suite_add_tcase(s, bad);
    return s;
}
