/* MaxPooling1D and MaxPooling2D: hand-worked values, -infinity padding,
 * ties, output shapes, gradcheck of both paths over a grid, fused ==
 * reference on values and gradients, bad arguments. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "tests/gradcheck_check.h"
#include "autograd/autograd.h"
#include "layers/layers.h"
#include "tests/layer_paths.h"
#include "tests/support.h"

typedef tg_tensor *(*pool2d_fn)(tg_tape *, tg_tensor *, const int[2], const int[2], tg_padding);
static const pool2d_fn paths[2] = {tg_maxpool2d_reference, tg_maxpool2d_fused};

START_TEST(test_pool2d_hand_valid)
{
    /* 4x4 image, 2x2 windows: the maxima are 6, 8, 14, 16 ... with a twist
     * (a negative window and a window whose maximum is not in a corner). */
    tg_tensor *x = tg_tensor_from(TG_SHAPE(1, 4, 4, 1), (const tg_real[]){
                                                            1, 2, 3, 4,        //
                                                            5, 6, 9, 8,        //
                                                            -3, -2, 13, 14,    //
                                                            -5, -1, 15, 16});
    tg_tensor_requires_grad(x);
    tg_tape *tape = tg_tape_new();
    tg_tensor *y = paths[_i](tape, x, (const int[]){2, 2}, (const int[]){2, 2}, TG_VALID);
    const double want[] = {6, 9, -1, 16};
    ck_assert(tg_shape_equal(y->shape, TG_SHAPE(1, 2, 2, 1)));
    for (int k = 0; k < 4; k++)
        tg_ck_assert_close(y->data[k], want[k], TG_TEST_TIGHT);
    /* dy = (1, 2, 3, 4) goes to the winners: x[1,1], x[1,2], x[3,1], x[3,3] */
    tg_tape_backward_seeded(tape, y, (const tg_real[]){1, 2, 3, 4});
    const double dx[] = {0, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 0, 0, 3, 0, 4};
    for (int k = 0; k < 16; k++)
        tg_ck_assert_close(x->grad[k], dx[k], TG_TEST_TIGHT);
    tg_tape_free(tape);
    tg_tensor_free(x);
}
END_TEST

START_TEST(test_pool2d_same_pads_with_minus_infinity)
{
    /* All negative, 3x3, 2x2 'same' stride 2: out 2x2, the odd padding goes
     * after. With zero padding the edge windows would give 0. */
    tg_tensor *x = tg_tensor_from(TG_SHAPE(1, 3, 3, 1),
                                  (const tg_real[]){-9, -8, -7, -6, -5, -4, -3, -2, -1});
    tg_tape *tape = tg_tape_new();
    tg_tensor *y = paths[_i](tape, x, (const int[]){2, 2}, (const int[]){2, 2}, TG_SAME);
    /* windows: rows/cols {0,1} and {2}: max(-9,-8,-6,-5), max(-7,-4), max(-3,-2), -1 */
    const double want[] = {-5, -4, -2, -1};
    ck_assert(tg_shape_equal(y->shape, TG_SHAPE(1, 2, 2, 1)));
    for (int k = 0; k < 4; k++)
        tg_ck_assert_close(y->data[k], want[k], TG_TEST_TIGHT);
    tg_tape_free(tape);
    tg_tensor_free(x);
}
END_TEST

/* A tie sends the gradient to the first maximum in window order (row-major),
 * in both paths. */
START_TEST(test_pool_ties_first_in_window_order)
{
    /* (1, 2, 4, 2): one row of (channel 0, channel 1) pairs per image row */
    tg_tensor *x = tg_tensor_from(TG_SHAPE(1, 2, 4, 2), (const tg_real[]){
                                                            0, 1, 5, 1, 5, 1, 3, 2,  //
                                                            5, 1, 5, 2, 4, 0, 5, 2});
    tg_tensor_requires_grad(x);
    tg_tape *tape = tg_tape_new();
    tg_tensor *y = paths[_i](tape, x, (const int[]){2, 2}, (const int[]){2, 2}, TG_VALID);
    tg_tape_backward_seeded(tape, y, (const tg_real[]){1, 10, 100, 1000});
    /* Window order (0,0), (0,1), (1,0), (1,1) within each 2x2 window.
     * Left window, channel 0: 0, 5, 5, 5 -> pixel (0,1), flat index 2, gets 1;
     *              channel 1: 1, 1, 1, 2 -> pixel (1,1), index 11, gets 10.
     * Right window, channel 0: 5, 3, 4, 5 -> pixel (0,2), index 4, gets 100;
     *               channel 1: 1, 2, 0, 2 -> pixel (0,3), index 7, gets 1000. */
    const double dx[] = {0, 0, 1, 0, 100, 0, 0, 1000, 0, 0, 0, 10, 0, 0, 0, 0};
    for (int k = 0; k < 16; k++)
        tg_ck_assert_close(x->grad[k], dx[k], TG_TEST_TIGHT);
    tg_tape_free(tape);
    tg_tensor_free(x);
}
END_TEST

START_TEST(test_pool_output_shapes)
{
    tg_rng rng;
    tg_rng_seed(&rng, 1);
    for (int in = 1; in <= 9; in++)
        for (int k = 1; k <= 4; k++)
            for (int s = 0; s <= 3; s++)
                for (int pad = 0; pad < 2; pad++) {
                    if (pad == TG_VALID && k > in)
                        continue;
                    const int stride = s ? s : k; /* Keras: stride defaults to the pool */
                    int out = 0;
                    while (pad == TG_SAME ? out * stride < in : out * stride + k <= in)
                        out++;
                    tg_layer *p = tg_maxpool1d(
                        (tg_pool1d_opts){.pool = k, .stride = s, .padding = (tg_padding)pad});
                    ck_assert(tg_shape_equal(tg_layer_build(p, TG_SHAPE(in, 3), &rng),
                                             TG_SHAPE(out, 3)));
                    tg_layer_free(p);
                }
    /* The document's image model: MaxPooling2D 2x2 on 26x26x32 -> 13x13x32;
     * Keras's default pool is 2. */
    tg_layer *p = tg_maxpool2d((tg_pool2d_opts){0});
    ck_assert(tg_shape_equal(tg_layer_build(p, TG_SHAPE(26, 26, 32), &rng), TG_SHAPE(13, 13, 32)));
    ck_assert_uint_eq(tg_layer_param_count(p), 0);
    ck_assert_str_eq(p->name, "max_pooling2d");
    ck_assert_str_eq(p->ops->kind, "MaxPooling2D");
    tg_layer_free(p);
    p = tg_maxpool2d((tg_pool2d_opts){.pool = {3, 2}, .strides = {2, 1}, .padding = TG_SAME});
    ck_assert(tg_shape_equal(tg_layer_build(p, TG_SHAPE(7, 5, 2), &rng), TG_SHAPE(4, 5, 2)));
    tg_layer_free(p);
    p = tg_maxpool1d((tg_pool1d_opts){0});
    ck_assert(tg_shape_equal(tg_layer_build(p, TG_SHAPE(9, 4), &rng), TG_SHAPE(4, 4)));
    ck_assert_str_eq(p->name, "max_pooling1d");
    ck_assert_str_eq(p->ops->kind, "MaxPooling1D");
    tg_layer_free(p);
}
END_TEST

typedef struct {
    int rank, n, h, w, c, ph, pw, sh, sw;
    tg_padding padding;
} pool_config;

static const pool_config grid[] = {
    {2, 2, 5, 4, 3, 2, 2, 0, 0, TG_VALID},
    {2, 2, 6, 6, 2, 3, 3, 2, 2, TG_VALID},
    {2, 3, 5, 7, 2, 3, 3, 2, 2, TG_SAME},
    {2, 2, 4, 5, 1, 2, 3, 1, 1, TG_SAME},
    {2, 2, 7, 6, 2, 3, 2, 2, 1, TG_SAME},
    {1, 2, 7, 0, 3, 2, 0, 0, 0, TG_VALID},
    {1, 3, 8, 0, 2, 3, 0, 1, 0, TG_SAME},
    {1, 2, 9, 0, 2, 4, 0, 2, 0, TG_SAME},
    {1, 2, 6, 0, 1, 3, 0, 2, 0, TG_VALID},
};
#define N_GRID ((int)(sizeof grid / sizeof grid[0]))

static tg_layer *make_pool(const pool_config *c)
{
    if (c->rank == 1)
        return tg_maxpool1d((tg_pool1d_opts){.pool = c->ph, .stride = c->sh, .padding = c->padding});
    return tg_maxpool2d((tg_pool2d_opts){.pool = {c->ph, c->pw}, .strides = {c->sh, c->sw},
                                         .padding = c->padding});
}

static tg_shape input_of(const pool_config *c)
{
    return c->rank == 1 ? TG_SHAPE(c->n, c->h, c->c) : TG_SHAPE(c->n, c->h, c->w, c->c);
}

START_TEST(test_pool_gradcheck_grid)
{
    const pool_config *c = &grid[_i / 2];
    tg_layer *layer = make_pool(c);
    layer->path = _i % 2 ? TG_PATH_FUSED : TG_PATH_REFERENCE;
    tg_gradcheck_report r = tg_layer_gradcheck(layer, input_of(c), 300 + (uint64_t)_i);
    ck_assert_int_gt((int)r.checked, 0);
    tg_ck_assert_gradcheck(layer->name, r);
    tg_layer_free(layer);
}
END_TEST

START_TEST(test_pool_fused_equals_reference)
{
    const pool_config *c = &grid[_i];
    tg_test_paths_agree(make_pool(c), make_pool(c), input_of(c), 400 + (uint64_t)_i, TG_TEST_TIGHT);
}
END_TEST

/* Ties everywhere (integers in a small range): the two paths still agree
 * exactly, gradient included. */
START_TEST(test_pool_fused_equals_reference_with_ties)
{
    tg_rng rng;
    tg_rng_seed(&rng, 5);
    tg_tensor *x = tg_tensor_uniform(TG_SHAPE(2, 6, 7, 3), &rng, 0, 3);
    for (size_t k = 0; k < x->size; k++)
        x->data[k] = (tg_real)(int)x->data[k];
    tg_tensor *dy = tg_tensor_uniform(TG_SHAPE(2, 3, 4, 3), &rng, -1, 1);
    tg_tensor_requires_grad(x);
    tg_real *dx[2];
    for (int p = 0; p < 2; p++) {
        tg_tensor_zero_grad(x);
        tg_tape *tape = tg_tape_new();
        tg_tensor *y = paths[p](tape, x, (const int[]){3, 3}, (const int[]){2, 2}, TG_SAME);
        ck_assert(tg_shape_equal(y->shape, dy->shape));
        tg_tape_backward_seeded(tape, y, dy->data);
        dx[p] = tg_xmalloc(x->size * sizeof(tg_real), "test");
        memcpy(dx[p], x->grad, x->size * sizeof(tg_real));
        tg_tape_free(tape);
    }
    ck_assert(memcmp(dx[0], dx[1], x->size * sizeof(tg_real)) == 0);
    free(dx[0]);
    free(dx[1]);
    tg_tensor_free(x);
    tg_tensor_free(dy);
}
END_TEST

START_TEST(test_pool_registry)
{
    const tg_gradcheck_case *c = tg_test_layer_case("maxpool", _i);
    tg_ck_assert_gradcheck(c->name, c->run(11 + (uint64_t)_i));
}
END_TEST

START_TEST(test_pool_reference_is_primitive_ops)
{
    tg_rng rng;
    tg_rng_seed(&rng, 3);
    tg_tensor *x = tg_tensor_uniform(TG_SHAPE(2, 5, 5, 2), &rng, -1, 1);
    tg_tensor_requires_grad(x);
    tg_tape *tape = tg_tape_new();
    tg_maxpool2d_reference(tape, x, (const int[]){2, 2}, (const int[]){2, 2}, TG_SAME);
    const char *allowed[] = {"pad", "slice", "add", "maximum"};
    int maxima = 0;
    for (tg_node *node = tape->last; node; node = node->prev) {
        int ok = 0;
        for (int k = 0; k < 4; k++)
            ok |= strcmp(node->op, allowed[k]) == 0;
        ck_assert_msg(ok, "reference pool recorded a '%s' node", node->op);
        maxima += strcmp(node->op, "maximum") == 0;
    }
    ck_assert_int_eq(maxima, 3); /* S - 1 maxima for S = 4 */
    tg_tape_reset(tape);
    tg_maxpool2d_fused(tape, x, (const int[]){2, 2}, (const int[]){2, 2}, TG_SAME);
    ck_assert_int_eq(tape->n_nodes, 1);
    tg_tape_free(tape);
    tg_tensor_free(x);
}
END_TEST

START_TEST(test_pool_larger_than_input)
{
    tg_rng rng;
    tg_rng_seed(&rng, 1);
    tg_layer *p = tg_maxpool2d((tg_pool2d_opts){.pool = {4, 4}});
    tg_layer_build(p, TG_SHAPE(3, 5, 1), &rng);
}
END_TEST

START_TEST(test_pool_negative_stride)
{
    tg_maxpool2d((tg_pool2d_opts){.pool = {2, 2}, .strides = {1, -2}});
}
END_TEST

START_TEST(test_pool_zero_stride_op)
{
    tg_tensor *x = tg_tensor_zeros(TG_SHAPE(1, 4, 4, 1));
    tg_tape *tape = tg_tape_new();
    paths[_i](tape, x, (const int[]){2, 2}, (const int[]){2, 0}, TG_VALID);
}
END_TEST

START_TEST(test_pool_wrong_rank)
{
    tg_tensor *x = tg_tensor_zeros(TG_SHAPE(4, 4, 1));
    tg_tape *tape = tg_tape_new();
    tg_maxpool2d_fused(tape, x, (const int[]){2, 2}, (const int[]){2, 2}, TG_VALID);
}
END_TEST

START_TEST(test_pool1d_wrong_rank)
{
    tg_rng rng;
    tg_rng_seed(&rng, 1);
    tg_layer *p = tg_maxpool1d((tg_pool1d_opts){.pool = 2});
    tg_layer_build(p, TG_SHAPE(4, 4, 1), &rng);
}
END_TEST

Suite *tg_test_suite(void)
{
    Suite *s = suite_create("pool");
    TCase *tc = tcase_create("pool");
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, test_pool2d_hand_valid, 0, 2);
    tcase_add_loop_test(tc, test_pool2d_same_pads_with_minus_infinity, 0, 2);
    tcase_add_loop_test(tc, test_pool_ties_first_in_window_order, 0, 2);
    tcase_add_test(tc, test_pool_output_shapes);
    tcase_add_loop_test(tc, test_pool_gradcheck_grid, 0, 2 * N_GRID);
    tcase_add_loop_test(tc, test_pool_fused_equals_reference, 0, N_GRID);
    tcase_add_test(tc, test_pool_fused_equals_reference_with_ties);
    tcase_add_loop_test(tc, test_pool_registry, 0, tg_test_layer_cases("maxpool"));
    tcase_add_test(tc, test_pool_reference_is_primitive_ops);
    suite_add_tcase(s, tc);

    TCase *bad = tcase_create("bad arguments");
    tcase_add_exit_test(bad, test_pool_larger_than_input, TG_FATAL_EXIT);
    tcase_add_exit_test(bad, test_pool_negative_stride, TG_FATAL_EXIT);
    tcase_add_loop_exit_test(bad, test_pool_zero_stride_op, TG_FATAL_EXIT, 0, 2);
    tcase_add_exit_test(bad, test_pool_wrong_rank, TG_FATAL_EXIT);
    tcase_add_exit_test(bad, test_pool1d_wrong_rank, TG_FATAL_EXIT);
    suite_add_tcase(s, bad);
    return s;
}
