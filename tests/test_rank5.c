/* Five axes, frames (N, T, H, W, C): shapes and their strings, element
 * offsets by hand, printing, the .npy format both ways (the header's shape
 * and a file round trip), the shape ops and their gradients on 5-D
 * tensors, a model whose per-sample input has four axes, and the limit
 * itself (a sixth axis stops with a message). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/gradcheck_check.h"
#include "autograd/autograd.h"
#include "layers/layers.h"
#include "tensor/tensor.h"
#include "train/train.h"
#include "tests/scratch.h"
#include "tests/support.h"

START_TEST(test_shape_of_five)
{
    const tg_shape s = TG_SHAPE(2, 3, 4, 5, 6);
    ck_assert_int_eq(TG_MAX_DIMS, 5);
    ck_assert_int_eq(s.ndim, 5);
    ck_assert_uint_eq(tg_shape_size(s), 2 * 3 * 4 * 5 * 6);
    char buf[TG_SHAPE_STR_LEN];
    ck_assert_str_eq(tg_shape_str(s, buf, sizeof buf), "(2, 3, 4, 5, 6)");
    /* the widest five-axis shape fits the buffer whole */
    const tg_shape wide = TG_SHAPE(2147483647, 2147483647, 2147483647, 2147483647, 2147483647);
    ck_assert_str_eq(tg_shape_str(wide, buf, sizeof buf),
                     "(2147483647, 2147483647, 2147483647, 2147483647, 2147483647)");
    ck_assert(tg_shape_equal(tg_shape_with_last(s, 9), TG_SHAPE(2, 3, 4, 5, 9)));
}
END_TEST

/* offset(i0..i4) = (((i0 d1 + i1) d2 + i2) d3 + i3) d4 + i4, row-major */
START_TEST(test_offsets_of_five)
{
    tg_tensor *t = tg_tensor_new(TG_SHAPE(2, 3, 4, 5, 6));
    for (size_t k = 0; k < t->size; k++)
        t->data[k] = (tg_real)k;
    for (int a = 0; a < 2; a++)
        for (int b = 0; b < 3; b++)
            for (int c = 0; c < 4; c++)
                for (int d = 0; d < 5; d++)
                    for (int e = 0; e < 6; e++)
                        ck_assert(TG_AT(t, a, b, c, d, e) ==
                                  (tg_real)((((a * 3 + b) * 4 + c) * 5 + d) * 6 + e));
    tg_tensor_free(t);
}
END_TEST

START_TEST(test_print_five)
{
    const tg_real v[] = {1, 2, 3, 4};
    tg_tensor *t = tg_tensor_from(TG_SHAPE(1, 2, 1, 1, 2), v);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    tg_tensor_print(f, "f", t);
    fclose(f);
    const char *expect = "f: tensor (1, 2, 1, 1, 2) " TG_REAL_NAME "\n"
                         "[0, 0, 0, :, :]\n"
                         "  1.000000  2.000000\n"
                         "[0, 1, 0, :, :]\n"
                         "  3.000000  4.000000\n";
    ck_assert_msg(strcmp(text, expect) == 0, "printed:\n%s\nexpected:\n%s", text, expect);
    free(text);
    tg_tensor_free(t);
}
END_TEST

/* The header names all five axes, and a file holds the values bit for bit. */
START_TEST(test_npy_five)
{
    tg_rng rng;
    tg_rng_seed(&rng, 5);
    tg_tensor *t = tg_tensor_uniform(TG_SHAPE(2, 1, 3, 1, 2), &rng, -1, 1);
    size_t len;
    unsigned char *buf = tg_npy_encode(t, &len);
    const char *want = "'shape': (2, 1, 3, 1, 2)";
    int found = 0;
    for (size_t k = 0; !found && k + strlen(want) <= len; k++)
        found = memcmp(buf + k, want, strlen(want)) == 0;
    ck_assert_msg(found, "the header does not name the five axes");
    free(buf);
    tg_scratch s;
    tg_scratch_open(&s);
    const char *path = tg_scratch_path(&s, "frames.npy");
    tg_status st = tg_npy_save(path, t);
    ck_assert_msg(tg_is_ok(&st), "%s", st.msg);
    tg_tensor *back = NULL;
    st = tg_npy_load(path, &back);
    ck_assert_msg(tg_is_ok(&st), "%s", st.msg);
    ck_assert(tg_shape_equal(back->shape, t->shape));
    ck_assert(memcmp(back->data, t->data, t->size * sizeof(tg_real)) == 0);
    tg_tensor_free(back);
    tg_tensor_free(t);
    tg_scratch_close(&s);
}
END_TEST

/* ---- the shape ops on 5-D tensors, against finite differences ---- */

static tg_tensor *permute_fn(tg_tape *tape, tg_tensor *const *in, void *ctx)
{
    return tg_permute(tape, in[0], (const int[]){4, 2, 0, 3, 1});
}

static tg_tensor *slice_fn(tg_tape *tape, tg_tensor *const *in, void *ctx)
{
    return tg_slice(tape, in[0], 3, 1, 2, 2);
}

static tg_tensor *concat_fn(tg_tape *tape, tg_tensor *const *in, void *ctx)
{
    return tg_concat(tape, in, 2, 4);
}

static tg_tensor *stack_fn(tg_tape *tape, tg_tensor *const *in, void *ctx)
{
    return tg_stack(tape, in, 2, 1);
}

/* reshape to rows, a matmul, an add of a vector, softmax, back to 5-D */
static tg_tensor *chain_fn(tg_tape *tape, tg_tensor *const *in, void *ctx)
{
    tg_tensor *y = tg_add(tape, tg_matmul(tape, in[0], in[1]), in[2]);
    return tg_softmax(tape, tg_reshape(tape, y, TG_SHAPE(2, 1, 3, 2, 2)));
}

static const struct {
    const char *name;
    tg_gradcheck_fn fn;
    int n;
    tg_shape shapes[3];
    tg_shape out;
} ops[] = {
    {"permute", permute_fn, 1, {TG_SHAPE(2, 3, 2, 1, 4)}, TG_SHAPE(4, 2, 2, 1, 3)},
    {"slice", slice_fn, 1, {TG_SHAPE(2, 1, 2, 4, 3)}, TG_SHAPE(2, 1, 2, 2, 3)},
    {"concat", concat_fn, 2, {TG_SHAPE(1, 2, 1, 2, 3), TG_SHAPE(1, 2, 1, 2, 2)},
     TG_SHAPE(1, 2, 1, 2, 5)},
    {"stack", stack_fn, 2, {TG_SHAPE(2, 3, 1, 2), TG_SHAPE(2, 3, 1, 2)}, TG_SHAPE(2, 2, 3, 1, 2)},
    {"matmul_add_softmax", chain_fn, 3, {TG_SHAPE(2, 1, 3, 2, 3), TG_SHAPE(3, 2), TG_SHAPE(2)},
     TG_SHAPE(2, 1, 3, 2, 2)},
};
#define N_OPS ((int)(sizeof ops / sizeof ops[0]))

START_TEST(test_ops_five)
{
    tg_tape *tape = tg_tape_new();
    tg_tensor *in[3];
    tg_rng rng;
    tg_rng_seed(&rng, 7);
    for (int k = 0; k < ops[_i].n; k++)
        in[k] = tg_tensor_uniform(ops[_i].shapes[k], &rng, -1, 1);
    tg_tensor *y = ops[_i].fn(tape, in, NULL);
    ck_assert_msg(tg_shape_equal(y->shape, ops[_i].out), "%s: shape", ops[_i].name);
    tg_tape_free(tape);
    for (int k = 0; k < ops[_i].n; k++)
        tg_tensor_free(in[k]);
    tg_ck_assert_gradcheck(ops[_i].name, tg_gradcheck_random(ops[_i].fn, NULL, ops[_i].shapes,
                                                             ops[_i].n, -1, 1, 11));
}
END_TEST

/* The permutation moves element (a, b, c, d, e) to (e, c, a, d, b). */
START_TEST(test_permute_five_by_index)
{
    tg_tensor *x = tg_tensor_new(TG_SHAPE(2, 3, 2, 1, 4));
    for (size_t k = 0; k < x->size; k++)
        x->data[k] = (tg_real)k;
    tg_tape *tape = tg_tape_new();
    tg_tensor *y = permute_fn(tape, (tg_tensor *[]){x}, NULL);
    for (int a = 0; a < 2; a++)
        for (int b = 0; b < 3; b++)
            for (int c = 0; c < 2; c++)
                for (int e = 0; e < 4; e++)
                    ck_assert(TG_AT(y, e, c, a, 0, b) == TG_AT(x, a, b, c, 0, e));
    tg_tape_free(tape);
    tg_tensor_free(x);
}
END_TEST

/* ---- a model of frames: per-sample (T, H, W, C) ---- */

/* TimeDistributed(Flatten) -> Dense(1) on (N, 2, 2, 3, 1): each step's
 * output is b + sum of its pixels times the kernel's rows, by hand. */
START_TEST(test_model_of_frames)
{
    tg_model *m = tg_model_new(TG_SHAPE(2, 2, 3, 1), 3);
    tg_model_add(m, tg_time_distributed(tg_flatten()));
    tg_layer *dense = tg_model_add(m, tg_dense(1, TG_LINEAR));
    ck_assert(tg_shape_equal(m->output_shape, TG_SHAPE(2, 1)));
    tg_rng rng;
    tg_rng_seed(&rng, 4);
    tg_tensor *x = tg_tensor_uniform(TG_SHAPE(3, 2, 2, 3, 1), &rng, -1, 1);
    tg_tensor_fill(dense->params[1], (tg_real)0.25);
    tg_tensor *y = tg_model_predict(m, x, 2);
    ck_assert(tg_shape_equal(y->shape, TG_SHAPE(3, 2, 1)));
    for (int n = 0; n < 3; n++)
        for (int t = 0; t < 2; t++) {
            double want = 0.25;
            for (int h = 0; h < 2; h++)
                for (int w = 0; w < 3; w++)
                    want += (double)TG_AT(x, n, t, h, w, 0) *
                            (double)TG_AT(dense->params[0], h * 3 + w, 0);
            tg_ck_assert_close(TG_AT(y, n, t, 0), want, TG_TEST_TIGHT);
        }
    tg_tensor_free(y);
    tg_tensor_free(x);
    tg_model_free(m);
}
END_TEST

/* ---- the limit ---- */

START_TEST(test_sixth_axis_by_stack)
{
    tg_tape *tape = tg_tape_new();
    tg_tensor *a = tg_tape_tensor(tape, TG_SHAPE(1, 1, 1, 1, 2));
    tg_stack(tape, (tg_tensor *[]){a, a}, 2, 0);
}
END_TEST

START_TEST(test_sixth_axis_shape)
{
    const tg_shape s = {6, {1, 1, 1, 1, 1}};
    tg_shape_size(s);
}
END_TEST

Suite *tg_test_suite(void)
{
    Suite *s = suite_create("rank5");
    TCase *tc = tcase_create("rank5");
    tcase_add_test(tc, test_shape_of_five);
    tcase_add_test(tc, test_offsets_of_five);
    tcase_add_test(tc, test_print_five);
    tcase_add_test(tc, test_npy_five);
    tcase_add_loop_test(tc, test_ops_five, 0, N_OPS);
    tcase_add_test(tc, test_permute_five_by_index);
    tcase_add_test(tc, test_model_of_frames);
    tcase_add_exit_test(tc, test_sixth_axis_by_stack, TG_FATAL_EXIT);
    tcase_add_exit_test(tc, test_sixth_axis_shape, TG_FATAL_EXIT);
    suite_add_tcase(s, tc);
    return s;
}
