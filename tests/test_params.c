/* Parameters by name, from outside: a layer's by its own name ("kernel",
 * "W_xi"), a model's by "layer/param" (the names checkpoints use), set with
 * their shapes checked (a refusal names the layer, the parameter and both
 * shapes, and changes nothing), and one path chosen for a whole model. */
#include <check.h>
#include <string.h>

#include "autograd/autograd.h"
#include "layers/layers.h"
#include "tensor/tensor.h"
#include "train/train.h"
#include "tests/scratch.h"
#include "tests/support.h"

static tg_layer *built(tg_layer *layer, tg_shape sample)
{
    tg_rng rng;
    tg_rng_seed(&rng, 1);
    tg_layer_build(layer, sample, &rng);
    return layer;
}

static int same_data(const tg_tensor *a, const tg_tensor *b)
{
    return tg_shape_equal(a->shape, b->shape) &&
           memcmp(a->data, b->data, a->size * sizeof(tg_real)) == 0;
}

/* Every parameter is found by its name and is the layer's own tensor. */
START_TEST(test_layer_param_by_name)
{
    tg_layer *dense = built(tg_dense(3, TG_RELU), TG_SHAPE(4));
    ck_assert_ptr_eq(tg_layer_param(dense, "kernel"), dense->params[0]);
    ck_assert_ptr_eq(tg_layer_param(dense, "bias"), dense->params[1]);
    ck_assert(tg_shape_equal(tg_layer_param(dense, "kernel")->shape, TG_SHAPE(4, 3)));
    ck_assert_ptr_null(tg_layer_param(dense, "W_xi"));
    ck_assert_ptr_null(tg_layer_param(dense, "kernel "));
    ck_assert_ptr_null(tg_layer_param(dense, ""));
    tg_layer_free(dense);

    tg_layer *lstm = built(tg_lstm((tg_lstm_opts){.units = 2, .no_candidate_peephole = 1}),
                           TG_SHAPE(5, 3));
    for (int k = 0; k < lstm->n_params; k++)
        ck_assert_ptr_eq(tg_layer_param(lstm, lstm->params[k]->name), lstm->params[k]);
    ck_assert_ptr_null(tg_layer_param(lstm, "W_cc")); /* this variant has none */
    ck_assert(tg_shape_equal(tg_layer_param(lstm, "W_hf")->shape, TG_SHAPE(2, 2)));
    tg_layer_free(lstm);

    tg_layer *unbuilt = tg_dense(3, TG_LINEAR);
    ck_assert_ptr_null(tg_layer_param(unbuilt, "kernel"));
    tg_layer_free(unbuilt);
}
END_TEST

/* A value set is the parameter's, bit for bit; the forward uses it; the
 * gradient buffer is left as it was. */
START_TEST(test_layer_set_param_round_trip)
{
    tg_layer *dense = built(tg_dense(2, TG_LINEAR), TG_SHAPE(3));
    tg_tensor *kernel =
        tg_tensor_from(TG_SHAPE(3, 2), (const tg_real[]){0.125, 0.25, 0.375, 0.5, 0.625, 0.75});
    tg_tensor *bias = tg_tensor_from(TG_SHAPE(2), (const tg_real[]){0.5, -0.25});
    dense->params[0]->grad[0] = 7;
    tg_status st = tg_layer_set_param(dense, "kernel", kernel);
    ck_assert_msg(tg_is_ok(&st), "%s", st.msg);
    st = tg_layer_set_param(dense, "bias", bias);
    ck_assert_msg(tg_is_ok(&st), "%s", st.msg);
    ck_assert(same_data(tg_layer_param(dense, "kernel"), kernel));
    ck_assert(same_data(tg_layer_param(dense, "bias"), bias));
    ck_assert_ptr_ne(tg_layer_param(dense, "kernel"), kernel); /* copied, not adopted */
    ck_assert(dense->params[0]->grad[0] == 7);

    /* y = x W + b for x = (1, 1, 1): the column sums of W plus b */
    tg_tensor *x = tg_tensor_ones(TG_SHAPE(1, 3));
    tg_tape *tape = tg_tape_new();
    tg_tensor *y = tg_layer_forward(dense, tape, x, 0);
    tg_ck_assert_close(y->data[0], (1.0 + 3 + 5) / 8 + 0.5, TG_TEST_TIGHT);
    tg_ck_assert_close(y->data[1], (2.0 + 4 + 6) / 8 - 0.25, TG_TEST_TIGHT);
    tg_tape_free(tape);
    tg_tensor_free(x);
    tg_tensor_free(kernel);
    tg_tensor_free(bias);
    tg_layer_free(dense);
}
END_TEST

/* A wrong shape, an unknown name, an unbuilt layer: a status naming the
 * layer, the parameter and the shapes; every parameter unchanged. */
START_TEST(test_layer_set_param_refusals)
{
    tg_layer *dense = built(tg_dense(2, TG_LINEAR), TG_SHAPE(4));
    tg_tensor *kernel = tg_tensor_clone(dense->params[0]), *bias = tg_tensor_clone(dense->params[1]);
    tg_tensor *wrong = tg_tensor_full(TG_SHAPE(3, 2), 9);
    tg_status st = tg_layer_set_param(dense, "kernel", wrong);
    tg_ck_assert_error(st, "dense/kernel", "(3, 2)", "(4, 2)");
    tg_tensor *flat = tg_tensor_full(TG_SHAPE(8), 9); /* as many values, another shape */
    st = tg_layer_set_param(dense, "kernel", flat);
    tg_ck_assert_error(st, "dense/kernel", "(8,)", "(4, 2)");
    st = tg_layer_set_param(dense, "kernal", wrong);
    tg_ck_assert_error(st, "dense/kernal", "no such parameter", "kernel, bias");
    ck_assert(same_data(dense->params[0], kernel));
    ck_assert(same_data(dense->params[1], bias));

    tg_layer *unbuilt = tg_dense(2, TG_LINEAR);
    st = tg_layer_set_param(unbuilt, "kernel", wrong);
    tg_ck_assert_error(st, "dense/kernel", "not built");
    tg_layer_free(unbuilt);
    tg_tensor_free(flat);
    tg_tensor_free(wrong);
    tg_tensor_free(kernel);
    tg_tensor_free(bias);
    tg_layer_free(dense);
}
END_TEST

/* conv1d -> max_pooling1d -> lstm -> dense -> dense_1, on (8, 2). */
static tg_model *small_model(void)
{
    tg_model *m = tg_model_new(TG_SHAPE(8, 2), 3);
    tg_model_add(m, tg_conv1d((tg_conv1d_opts){.filters = 3, .kernel = 3}));
    tg_model_add(m, tg_maxpool1d((tg_pool1d_opts){0}));
    tg_model_add(m, tg_lstm((tg_lstm_opts){.units = 2, .return_sequences = 1}));
    tg_model_add(m, tg_dense(4, TG_TANH));
    tg_model_add(m, tg_dense(1, TG_LINEAR));
    return m;
}

/* "layer/param" finds every parameter of the model under the name its
 * checkpoint entry has (without ".npy"), and nothing else. */
START_TEST(test_model_param_paths)
{
    tg_model *m = small_model();
    int found = 0;
    for (int l = 0; l < m->n_layers; l++)
        for (int k = 0; k < m->layers[l]->n_params; k++) {
            char path[2 * TG_LAYER_NAME_LEN];
            snprintf(path, sizeof path, "%s/%s", m->layers[l]->name,
                     m->layers[l]->params[k]->name);
            ck_assert_ptr_eq(tg_model_param(m, path), m->layers[l]->params[k]);
            found++;
        }
    ck_assert_int_eq(found, m->n_params);
    ck_assert_ptr_eq(tg_model_param(m, "lstm/W_xi"), tg_layer_param(m->layers[2], "W_xi"));
    ck_assert_ptr_eq(tg_model_param(m, "dense_1/kernel"), m->layers[4]->params[0]);
    ck_assert_ptr_null(tg_model_param(m, "dense_2/kernel"));
    ck_assert_ptr_null(tg_model_param(m, "kernel"));
    ck_assert_ptr_null(tg_model_param(m, "dense/"));
    ck_assert_ptr_null(tg_model_param(m, "/kernel"));
    ck_assert_ptr_null(tg_model_param(m, "max_pooling1d/kernel"));
    ck_assert_ptr_null(tg_model_param(m, "a_layer_name_longer_than_any_layer_has/kernel"));
    tg_model_free(m);
}
END_TEST

/* The names are a checkpoint's: a parameter set by path is what the
 * checkpoint saves under that name, and loads back into another model. */
START_TEST(test_model_set_param_checkpoint_names)
{
    tg_scratch s;
    tg_scratch_open(&s);
    const char *path = tg_scratch_path(&s, "model.ckpt");
    tg_model *a = small_model(), *b = small_model();
    tg_tensor *w = tg_tensor_clone(tg_model_param(a, "lstm/W_hc"));
    for (size_t k = 0; k < w->size; k++)
        w->data[k] = (tg_real)k / 4 - 1;
    tg_status st = tg_model_set_param(a, "lstm/W_hc", w);
    ck_assert_msg(tg_is_ok(&st), "%s", st.msg);
    st = tg_model_save(a, path);
    ck_assert_msg(tg_is_ok(&st), "%s", st.msg);
    st = tg_model_load(b, path);
    ck_assert_msg(tg_is_ok(&st), "%s", st.msg);
    ck_assert(same_data(tg_model_param(b, "lstm/W_hc"), w));
    tg_tensor_free(w);
    tg_model_free(a);
    tg_model_free(b);
    tg_scratch_close(&s);
}
END_TEST

START_TEST(test_model_set_param_refusals)
{
    tg_model *m = small_model();
    const int n = m->n_params;
    tg_tensor *before[TG_MODEL_MAX_PARAMS];
    for (int k = 0; k < n; k++)
        before[k] = tg_tensor_clone(m->params[k]);
    tg_tensor *v = tg_tensor_full(TG_SHAPE(3, 1), 5);
    tg_status st = tg_model_set_param(m, "dense_1/kernel", v);
    tg_ck_assert_error(st, "dense_1/kernel", "(3, 1)", "(4, 1)");
    st = tg_model_set_param(m, "dense_1/W_xi", v);
    tg_ck_assert_error(st, "dense_1/W_xi", "no such parameter", "kernel, bias");
    st = tg_model_set_param(m, "dense_9/kernel", v);
    tg_ck_assert_error(st, "dense_9/kernel", "no layer named \"dense_9\"",
                       "conv1d, max_pooling1d, lstm, dense, dense_1");
    st = tg_model_set_param(m, "kernel", v);
    tg_ck_assert_error(st, "\"kernel\"", "layer/param");
    st = tg_model_set_param(m, "max_pooling1d/kernel", v);
    tg_ck_assert_error(st, "max_pooling1d/kernel", "has none");
    ck_assert_int_eq(m->n_params, n);
    for (int k = 0; k < n; k++) {
        ck_assert(same_data(m->params[k], before[k]));
        tg_tensor_free(before[k]);
    }
    tg_tensor_free(v);
    tg_model_free(m);
}
END_TEST

/* Nodes a training forward of the model records. */
static int forward_nodes(tg_model *m, const tg_tensor *x, tg_tensor *y_out)
{
    tg_tape_reset(m->tape);
    tg_tensor *xb = tg_tape_tensor(m->tape, x->shape);
    tg_tensor_copy_data(xb, x);
    tg_tensor *y = tg_model_forward(m, m->tape, xb, 1);
    tg_tensor_copy_data(y_out, y);
    return m->tape->n_nodes;
}

/* One path for the whole model: every layer with two paths takes it (the
 * tape shows it: the reference path records the equations term by term),
 * and the outputs agree. */
START_TEST(test_model_set_path)
{
    tg_model *m = small_model();
    tg_rng rng;
    tg_rng_seed(&rng, 4);
    tg_tensor *x = tg_tensor_uniform(TG_SHAPE(2, 8, 2), &rng, -1, 1);
    tg_tensor *y_fused = tg_tensor_new(TG_SHAPE(2, 3, 1)), *y_ref = tg_tensor_new(TG_SHAPE(2, 3, 1));
    const int fused_nodes = forward_nodes(m, x, y_fused);

    tg_model_set_path(m, TG_PATH_REFERENCE);
    for (int l = 0; l < m->n_layers; l++)
        ck_assert_int_eq(m->layers[l]->path, TG_PATH_REFERENCE);
    const int ref_nodes = forward_nodes(m, x, y_ref);
    ck_assert_int_gt(ref_nodes, fused_nodes);
    for (size_t k = 0; k < y_ref->size; k++)
        tg_ck_assert_close(y_ref->data[k], y_fused->data[k], 100 * TG_TEST_TIGHT);

    /* one layer alone back on the fused path: fewer nodes, not yet all */
    m->layers[2]->path = TG_PATH_FUSED;
    const int mixed_nodes = forward_nodes(m, x, y_ref);
    ck_assert_int_lt(mixed_nodes, ref_nodes);
    ck_assert_int_gt(mixed_nodes, fused_nodes);

    tg_model_set_path(m, TG_PATH_FUSED);
    for (int l = 0; l < m->n_layers; l++)
        ck_assert_int_eq(m->layers[l]->path, TG_PATH_FUSED);
    ck_assert_int_eq(forward_nodes(m, x, y_ref), fused_nodes);
    ck_assert(same_data(y_ref, y_fused));
    tg_tensor_free(x);
    tg_tensor_free(y_fused);
    tg_tensor_free(y_ref);
    tg_model_free(m);
}
END_TEST

START_TEST(test_model_set_path_unknown)
{
    tg_model *m = small_model();
    tg_model_set_path(m, (tg_path)7);
    tg_model_free(m);
}
END_TEST

Suite *tg_test_suite(void)
{
    Suite *s = suite_create("params");
    TCase *tc = tcase_create("by_name");
    tcase_add_test(tc, test_layer_param_by_name);
    tcase_add_test(tc, test_layer_set_param_round_trip);
    tcase_add_test(tc, test_layer_set_param_refusals);
    tcase_add_test(tc, test_model_param_paths);
    tcase_add_test(tc, test_model_set_param_checkpoint_names);
    tcase_add_test(tc, test_model_set_param_refusals);
    tcase_add_test(tc, test_model_set_path);
    tcase_add_exit_test(tc, test_model_set_path_unknown, TG_FATAL_EXIT);
    suite_add_tcase(s, tc);
    return s;
}
