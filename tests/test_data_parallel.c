/* The data-parallel step (tg_model_train_step): a batch cut into
 * micro-batches whatever the thread count, so that training steps of the
 * document's two models are bit-identical on 1, 2, 3 and 7 threads; the
 * gradient it sums is the whole batch's gradient up to rounding; and after
 * the first step it obtains no more memory. Tiny sizes (8 x 8 images,
 * windows of 16 steps), batches that do not divide into equal micro-batches. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "apps/apps.h"
#include "kernels/kernels.h"
#include "tests/support.h"
#include "train/internal/micro_batches.h"
#include "train/train.h"

enum { STEPS = 3, SERIES_BATCH = 11, IMAGES_BATCH = 9 };

/* The document's models (apps/models.c), Adam, at tiny sizes; reg: an L2
 * penalty on every kernel, so that the penalty's gradient is summed too. */
static tg_model *model(int images, double l2)
{
    const tg_app_model_opts o = {.seed = 5, .reg = tg_l2(l2)};
    tg_model *m = images ? tg_images_model(8, 8, 3, o) : tg_series_model(TG_SERIES_CNN_LSTM, 16, 3, 1, o);
    tg_model_compile(m, tg_optimizer_adam(1e-2), images ? TG_LOSS_CCE : TG_LOSS_BCE,
                     TG_METRIC_ACCURACY);
    return m;
}

/* A batch for m on its tape (reset first): inputs uniform in [0, 1),
 * targets one-hot (images) or 0/1 per step (series), from a fixed seed. */
static void batch(tg_model *m, int images, tg_tensor **x, tg_tensor **y)
{
    const int n = images ? IMAGES_BATCH : SERIES_BATCH;
    tg_shape xs = {m->input_shape.ndim + 1, {n}}, ys = {m->output_shape.ndim + 1, {n}};
    memcpy(xs.dim + 1, m->input_shape.dim, (size_t)m->input_shape.ndim * sizeof(int));
    memcpy(ys.dim + 1, m->output_shape.dim, (size_t)m->output_shape.ndim * sizeof(int));
    tg_tape_reset(m->tape);
    *x = tg_tape_tensor(m->tape, xs);
    *y = tg_tape_tensor(m->tape, ys);
    tg_rng rng;
    tg_rng_seed(&rng, 9);
    for (size_t i = 0; i < (*x)->size; i++)
        (*x)->data[i] = (tg_real)tg_rng_uniform(&rng);
    const int classes = m->output_shape.dim[m->output_shape.ndim - 1];
    for (size_t i = 0; i < (*y)->size; i++)
        (*y)->data[i] = images ? (tg_real)((int)(i % (size_t)classes) == (int)((i / (size_t)classes) % (size_t)classes))
                               : (tg_real)(tg_rng_uniform(&rng) < 0.5);
}

typedef struct {
    double loss[STEPS];
    tg_real *values; /* every parameter after the steps, then every gradient */
    size_t count;
} outcome;

static outcome train(int images, int threads)
{
    tg_set_threads(threads);
    tg_model *m = model(images, 0);
    outcome o;
    for (int s = 0; s < STEPS; s++) {
        tg_tensor *x, *y;
        batch(m, images, &x, &y);
        const tg_status st = tg_model_train_step(m, x, y, 0, &o.loss[s]);
        ck_assert_msg(tg_is_ok(&st), "%s", st.msg);
    }
    /* The step was split: the prediction is the batch's, the micro-batches made. */
    ck_assert_ptr_nonnull(m->micro);
    ck_assert_int_eq(m->outputs[m->n_layers - 1]->shape.dim[0], images ? IMAGES_BATCH : SERIES_BATCH);
    o.count = 2 * tg_model_param_count(m);
    o.values = malloc(o.count * sizeof(tg_real));
    size_t at = 0;
    for (int p = 0; p < m->n_params; p++) {
        memcpy(o.values + at, m->params[p]->data, m->params[p]->size * sizeof(tg_real));
        at += m->params[p]->size;
        memcpy(o.values + at, m->params[p]->grad, m->params[p]->size * sizeof(tg_real));
        at += m->params[p]->size;
    }
    tg_model_free(m);
    tg_set_threads(1);
    return o;
}

START_TEST(steps_are_bit_identical_for_1_2_3_and_7_threads)
{
    const int images = _i;
    const char *name = images ? "images" : "series";
    static const int threads[] = {2, 3, 7};
    outcome one = train(images, 1);
    for (int t = 0; t < 3; t++) {
        outcome other = train(images, threads[t]);
        ck_assert_uint_eq(one.count, other.count);
        for (int s = 0; s < STEPS; s++)
            ck_assert_msg(memcmp(&one.loss[s], &other.loss[s], sizeof(double)) == 0,
                          "%s step %d: loss %.17g on 1 thread, %.17g on %d", name, s, one.loss[s],
                          other.loss[s], threads[t]);
        size_t differ = 0;
        for (size_t i = 0; i < one.count; i++)
            differ += memcmp(&one.values[i], &other.values[i], sizeof(tg_real)) != 0;
        ck_assert_msg(differ == 0, "%s: %zu of %zu weights and gradients differ between 1 and %d "
                                   "threads", name, differ, one.count, threads[t]);
        free(other.values);
    }
    free(one.values);
}
END_TEST

/* The largest |g| of n values: the scale a gradient's rounding is measured on. */
static double scale_of(const tg_real *g, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s = fmax(s, fabs((double)g[i]));
    return s;
}

START_TEST(micro_batches_sum_to_the_whole_batch_gradient)
{
    /* The same model and batch, split into micro-batches (the default) and
     * whole (micro_batches = 1, one tape); plain SGD with a learning rate of
     * 0 leaves the weights as they are and the gradients in place. Both are
     * d/dtheta of (1 / N) sum_i loss_i + penalty: the split only
     * re-associates the sum over the samples (sum_k (n_k / N) sum_{i in k}
     * ... with n_k / N exact here or rounded once), so each gradient may
     * differ by a few roundings of the terms summed, each at most the
     * parameter's largest |gradient|: TG_TEST_TIGHT (1e-12 double, 1e-5
     * float) relative to that scale. */
    const int images = _i;
    tg_model *split = model(images, 0.01), *whole = model(images, 0.01);
    whole->micro_batches = 1;
    tg_model *both[2] = {split, whole};
    double loss[2];
    for (int w = 0; w < 2; w++) {
        tg_model *m = both[w];
        tg_optimizer_free(m->optimizer);
        m->optimizer = tg_optimizer_sgd(0, 0, 0);
        tg_tensor *x, *y;
        batch(m, images, &x, &y);
        const tg_status st = tg_model_train_step(m, x, y, 0, &loss[w]);
        ck_assert_msg(tg_is_ok(&st), "%s", st.msg);
    }
    ck_assert_ptr_nonnull(split->micro);
    ck_assert_ptr_null(whole->micro);
    tg_ck_assert_close(loss[0], loss[1], TG_TEST_TIGHT);
    for (int p = 0; p < split->n_params; p++) {
        const tg_tensor *a = split->params[p], *b = whole->params[p];
        const double scale = scale_of(b->grad, b->size);
        ck_assert_msg(scale > 0, "parameter %d has no gradient", p);
        for (size_t i = 0; i < a->size; i++)
            ck_assert_msg(fabs((double)a->grad[i] - (double)b->grad[i]) <= TG_TEST_TIGHT * scale,
                          "%s parameter %s [%zu]: split %.17g, whole %.17g (scale %g)",
                          images ? "images" : "series", a->name, i, (double)a->grad[i],
                          (double)b->grad[i], scale);
    }
    tg_model_free(split);
    tg_model_free(whole);
}
END_TEST

START_TEST(steps_after_the_first_obtain_no_memory)
{
    /* Each micro-batch's arena keeps its blocks from step to step; the
     * gradient buffers are made once: after the first step, the arenas
     * count no new block. */
    tg_set_threads(2);
    tg_model *m = model(_i, 0);
    size_t blocks = 0;
    for (int s = 0; s < STEPS; s++) {
        tg_tensor *x, *y;
        batch(m, _i, &x, &y);
        double loss;
        const tg_status st = tg_model_train_step(m, x, y, 0, &loss);
        ck_assert_msg(tg_is_ok(&st), "%s", st.msg);
        if (s == 0)
            blocks = tg_micro_batches_blocks(m->micro);
    }
    ck_assert_uint_ge(blocks, 1);
    ck_assert_uint_eq(tg_micro_batches_blocks(m->micro), blocks);
    tg_model_free(m);
    tg_set_threads(1);
}
END_TEST

START_TEST(predict_splits_its_batches_alike_on_any_thread_count)
{
    /* Inference splits each batch as a step does: the same bits on 1 and 3
     * threads, and the rows of the batch run whole up to rounding (each
     * sample's forward is the same arithmetic; only a product's blocking
     * may differ with the rows it holds). */
    const int images = _i;
    tg_model *m = model(images, 0), *whole = model(images, 0);
    whole->micro_batches = 1;
    tg_tensor *xb, *yb;
    batch(m, images, &xb, &yb);
    tg_tensor *x = tg_tensor_clone(xb), *y = tg_tensor_clone(yb);
    tg_tensor *p[2];
    for (int t = 0; t < 2; t++) {
        tg_set_threads(t ? 3 : 1);
        p[t] = tg_model_predict(m, x, 0);
    }
    tg_set_threads(1);
    tg_tensor *w = tg_model_predict(whole, x, 0);
    ck_assert_ptr_nonnull(m->micro);
    ck_assert_ptr_null(whole->micro);
    ck_assert_mem_eq(p[0]->data, p[1]->data, p[0]->size * sizeof(tg_real));
    for (size_t i = 0; i < w->size; i++)
        tg_ck_assert_close(p[0]->data[i], w->data[i], TG_TEST_TIGHT);
    /* evaluate splits too, and its loss is the whole batch's mean */
    double split_loss, whole_loss;
    tg_status st = tg_model_evaluate(m, x, y, 0, &split_loss, NULL);
    ck_assert_msg(tg_is_ok(&st), "%s", st.msg);
    st = tg_model_evaluate(whole, x, y, 0, &whole_loss, NULL);
    ck_assert_msg(tg_is_ok(&st), "%s", st.msg);
    tg_ck_assert_close(split_loss, whole_loss, TG_TEST_TIGHT);
    for (int t = 0; t < 2; t++)
        tg_tensor_free(p[t]);
    tg_tensor_free(w);
    tg_tensor_free(x);
    tg_tensor_free(y);
    tg_model_free(m);
    tg_model_free(whole);
}
END_TEST

START_TEST(a_layer_that_keeps_state_runs_the_batch_whole)
{
    /* An LSTM keeping its internals writes them into itself at every
     * forward: its batch is not split, and the internals are the whole
     * batch's. */
    tg_model *m = model(1, 0);
    tg_layer *lstm = NULL;
    for (int i = 0; i < m->n_layers; i++)
        if (!strcmp(m->layers[i]->ops->kind, "LSTM"))
            lstm = m->layers[i];
    ck_assert_ptr_nonnull(lstm);
    tg_lstm_keep_internals(lstm, 1);
    tg_tensor *x, *y;
    batch(m, 1, &x, &y);
    double loss;
    const tg_status st = tg_model_train_step(m, x, y, 0, &loss);
    ck_assert_msg(tg_is_ok(&st), "%s", st.msg);
    ck_assert_ptr_null(m->micro);
    ck_assert_int_eq(tg_lstm_internals_of(lstm)->h->shape.dim[0], IMAGES_BATCH);
    tg_model_free(m);
}
END_TEST

Suite *tg_test_suite(void)
{
    Suite *s = suite_create("data_parallel");
    TCase *tc = tcase_create("data_parallel");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, steps_are_bit_identical_for_1_2_3_and_7_threads, 0, 2);
    tcase_add_loop_test(tc, micro_batches_sum_to_the_whole_batch_gradient, 0, 2);
    tcase_add_loop_test(tc, steps_after_the_first_obtain_no_memory, 0, 2);
    tcase_add_loop_test(tc, predict_splits_its_batches_alike_on_any_thread_count, 0, 2);
    tcase_add_test(tc, a_layer_that_keeps_state_runs_the_batch_whole);
    suite_add_tcase(s, tc);
    return s;
}
