/* Flatten, Reshape, rows-as-steps and the Activation layer: shapes, the
 * element order (row-major, so rows of an image become time steps),
 * gradcheck through the registry, bad arguments. */
#include <check.h>
#include <string.h>

#include "tests/gradcheck_check.h"
#include "layers/layers.h"
#include "tests/support.h"
#include "layers/internal/gradcheck_cases.h"

static tg_shape build(tg_layer *layer, tg_shape sample)
{
    tg_rng rng;
    tg_rng_seed(&rng, 1);
    return tg_layer_build(layer, sample, &rng);
}

START_TEST(test_flatten_and_reshape_shapes)
{
    tg_layer *f = tg_flatten();
    ck_assert(tg_shape_equal(build(f, TG_SHAPE(13, 13, 32)), TG_SHAPE(13 * 13 * 32)));
    ck_assert_str_eq(f->name, "flatten");
    ck_assert_str_eq(f->ops->kind, "Flatten");
    ck_assert_uint_eq(tg_layer_param_count(f), 0);
    tg_layer_free(f);
    tg_layer *r = tg_reshape_layer(TG_SHAPE(-1, 4));
    ck_assert(tg_shape_equal(build(r, TG_SHAPE(2, 3, 4)), TG_SHAPE(6, 4)));
    ck_assert_str_eq(r->name, "reshape");
    tg_layer_free(r);
    r = tg_reshape_layer(TG_SHAPE(3, 2, 2));
    ck_assert(tg_shape_equal(build(r, TG_SHAPE(12)), TG_SHAPE(3, 2, 2)));
    tg_layer_free(r);
}
END_TEST

/* The document's image model, completed: (N, 13, 13, 32) -> (N, 13, 416), and
 * time step h holds image row h, pixel by pixel, channels innermost. */
START_TEST(test_rows_as_steps)
{
    tg_layer *r = tg_rows_as_steps();
    ck_assert(tg_shape_equal(build(r, TG_SHAPE(13, 13, 32)), TG_SHAPE(13, 13 * 32)));
    tg_layer_free(r);
    r = tg_rows_as_steps();
    build(r, TG_SHAPE(3, 4, 2));
    tg_tensor *x = tg_tensor_new(TG_SHAPE(2, 3, 4, 2));
    for (size_t k = 0; k < x->size; k++)
        x->data[k] = (tg_real)k;
    tg_tape *tape = tg_tape_new();
    tg_tensor *y = tg_layer_forward(r, tape, x, 0);
    ck_assert(tg_shape_equal(y->shape, TG_SHAPE(2, 3, 8)));
    for (int n = 0; n < 2; n++)
        for (int h = 0; h < 3; h++)
            for (int w = 0; w < 4; w++)
                for (int c = 0; c < 2; c++)
                    ck_assert(TG_AT(y, n, h, w * 2 + c) == TG_AT(x, n, h, w, c));
    tg_tape_free(tape);
    tg_tensor_free(x);
    tg_layer_free(r);
}
END_TEST

START_TEST(test_activation_layer_values)
{
    const tg_activation acts[] = {TG_LINEAR, TG_RELU, TG_SIGMOID, TG_TANH, TG_SOFTMAX};
    tg_tensor *x = tg_tensor_from(TG_SHAPE(1, 3), (const tg_real[]){-1, 0.5, 2});
    const double e1 = exp(-1.0), e2 = exp(0.5), e3 = exp(2.0), z = e1 + e2 + e3;
    const double want[5][3] = {
        {-1, 0.5, 2},
        {0, 0.5, 2},
        {1 / (1 + exp(1.0)), 1 / (1 + exp(-0.5)), 1 / (1 + exp(-2.0))},
        {tanh(-1.0), tanh(0.5), tanh(2.0)},
        {e1 / z, e2 / z, e3 / z},
    };
    for (int a = 0; a < 5; a++) {
        tg_layer *l = tg_activation_layer(acts[a]);
        ck_assert(tg_shape_equal(build(l, TG_SHAPE(3)), TG_SHAPE(3)));
        ck_assert_str_eq(l->name, "activation");
        ck_assert_str_eq(l->ops->kind, "Activation");
        tg_tape *tape = tg_tape_new();
        tg_tensor *y = tg_layer_forward(l, tape, x, 0);
        for (int k = 0; k < 3; k++)
            tg_ck_assert_close(y->data[k], want[a][k], TG_TEST_TIGHT);
        tg_tape_free(tape);
        tg_layer_free(l);
    }
    tg_tensor_free(x);
}
END_TEST

static const char *const registry_names[] = {"flatten", "reshape", "rows_as_steps",
                                             "activation_relu", "activation_sigmoid",
                                             "activation_tanh", "activation_softmax"};

START_TEST(test_shape_layers_gradcheck)
{
    int n;
    const tg_gradcheck_case *cases = tg_layer_gradcheck_cases(&n);
    int found = 0;
    for (int k = 0; k < n; k++)
        if (strcmp(cases[k].name, registry_names[_i]) == 0) {
            tg_ck_assert_gradcheck(cases[k].name, cases[k].run(21 + (uint64_t)_i));
            found = 1;
        }
    ck_assert_msg(found, "no gradcheck case %s", registry_names[_i]);
}
END_TEST

START_TEST(test_reshape_wrong_size)
{
    build(tg_reshape_layer(TG_SHAPE(5, 5)), TG_SHAPE(2, 3));
}
END_TEST

START_TEST(test_reshape_two_unknowns)
{
    tg_reshape_layer(TG_SHAPE(-1, -1));
}
END_TEST

START_TEST(test_rows_as_steps_not_an_image)
{
    build(tg_rows_as_steps(), TG_SHAPE(4, 5));
}
END_TEST

Suite *tg_test_suite(void)
{
    Suite *s = suite_create("reshape");
    TCase *tc = tcase_create("reshape");
    tcase_add_test(tc, test_flatten_and_reshape_shapes);
    tcase_add_test(tc, test_rows_as_steps);
    tcase_add_test(tc, test_activation_layer_values);
    tcase_add_loop_test(tc, test_shape_layers_gradcheck, 0,
                        (int)(sizeof registry_names / sizeof registry_names[0]));
    tcase_add_exit_test(tc, test_reshape_wrong_size, TG_FATAL_EXIT);
    tcase_add_exit_test(tc, test_reshape_two_unknowns, TG_FATAL_EXIT);
    tcase_add_exit_test(tc, test_rows_as_steps_not_an_image, TG_FATAL_EXIT);
    suite_add_tcase(s, tc);
    return s;
}
