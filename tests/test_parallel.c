/* Threads never change a result: every parallel kernel partitions its
 * output (threads.h), so a training step of the document's models on 1 and on
 * 2 threads must give bit-identical losses, gradients and weights. Batches
 * large enough that the GEMMs split too, not only the per-sample loops of
 * conv and pool. */
#include <stdlib.h>
#include <string.h>

#include "kernels/kernels.h"
#include "layers/layers.h"
#include "tests/support.h"
#include "train/train.h"

enum { BATCH = 24, STEPS = 2 };

static tg_model *images_model(void)
{
    tg_model *m = tg_model_new(TG_SHAPE(28, 28, 1), 5);
    tg_model_add(m, tg_conv2d((tg_conv2d_opts){.filters = 32, .kernel = {3, 3},
                                                .activation = TG_RELU}));
    tg_model_add(m, tg_maxpool2d((tg_pool2d_opts){.pool = {2, 2}}));
    tg_model_add(m, tg_rows_as_steps());
    tg_model_add(m, tg_lstm((tg_lstm_opts){.units = 64}));
    tg_model_add(m, tg_dense(10, TG_SOFTMAX));
    tg_model_compile(m, tg_optimizer_adam(1e-3), TG_LOSS_CCE, TG_METRIC_ACCURACY);
    return m;
}

static tg_model *series_model(void)
{
    tg_model *m = tg_model_new(TG_SHAPE(64, 4), 5);
    tg_model_add(m, tg_conv1d((tg_conv1d_opts){.filters = 32, .kernel = 3, .activation = TG_RELU}));
    tg_model_add(m, tg_maxpool1d((tg_pool1d_opts){.pool = 2}));
    tg_model_add(m, tg_lstm((tg_lstm_opts){.units = 64, .return_sequences = 1}));
    tg_model_add(m, tg_dense(1, TG_SIGMOID));
    tg_model_compile(m, tg_optimizer_adam(1e-3), TG_LOSS_BCE, TG_METRIC_ACCURACY);
    return m;
}

typedef struct {
    tg_real loss[STEPS];
    tg_real *weights; /* every parameter after the steps, then every gradient */
    size_t count;
} outcome;

/* STEPS train steps on `threads` threads from the same weights and batch. */
static outcome train(int images, int threads)
{
    tg_set_threads(threads);
    tg_model *m = images ? images_model() : series_model();
    tg_tensor *x = images ? tg_tensor_zeros(TG_SHAPE(BATCH, 28, 28, 1))
                          : tg_tensor_zeros(TG_SHAPE(BATCH, 64, 4));
    tg_tensor *y = images ? tg_tensor_zeros(TG_SHAPE(BATCH, 10))
                          : tg_tensor_zeros(TG_SHAPE(BATCH, 31, 1));
    tg_rng rng;
    tg_rng_seed(&rng, 9);
    for (size_t i = 0; i < x->size; i++)
        x->data[i] = (tg_real)tg_rng_uniform(&rng);
    for (size_t i = 0; i < y->size; i++)
        y->data[i] = images ? (tg_real)(i % 10 == (i / 10) % 10) : (tg_real)(tg_rng_uniform(&rng) < 0.5);
    outcome o;
    for (int s = 0; s < STEPS; s++) {
        tg_tape_reset(m->tape);
        tg_tensor *loss = tg_model_loss(m, m->tape, tg_model_forward(m, m->tape, x, 1), y);
        o.loss[s] = loss->data[0];
        tg_model_zero_grad(m);
        tg_tape_backward(m->tape, loss);
        tg_optimizer_step(m->optimizer, m->params, m->n_params);
    }
    o.count = 2 * tg_model_param_count(m);
    o.weights = malloc(o.count * sizeof(tg_real));
    size_t at = 0;
    for (int p = 0; p < m->n_params; p++) {
        memcpy(o.weights + at, m->params[p]->data, m->params[p]->size * sizeof(tg_real));
        at += m->params[p]->size;
        memcpy(o.weights + at, m->params[p]->grad, m->params[p]->size * sizeof(tg_real));
        at += m->params[p]->size;
    }
    tg_tensor_free(x);
    tg_tensor_free(y);
    tg_model_free(m);
    tg_set_threads(1);
    return o;
}

START_TEST(test_train_steps_identical_for_any_thread_count)
{
    const int images = _i;
    outcome one = train(images, 1), two = train(images, 2);
    ck_assert_uint_eq(one.count, two.count);
    for (int s = 0; s < STEPS; s++)
        ck_assert_msg(memcmp(&one.loss[s], &two.loss[s], sizeof(tg_real)) == 0,
                      "%s step %d: loss %.9g on 1 thread, %.9g on 2", images ? "images" : "series",
                      s, (double)one.loss[s], (double)two.loss[s]);
    size_t differ = 0;
    for (size_t i = 0; i < one.count; i++)
        differ += memcmp(&one.weights[i], &two.weights[i], sizeof(tg_real)) != 0;
    ck_assert_msg(differ == 0, "%s: %zu of %zu weights and gradients differ between 1 and 2 threads",
                  images ? "images" : "series", differ, one.count);
    free(one.weights);
    free(two.weights);
}
END_TEST

Suite *tg_test_suite(void)
{
    Suite *s = suite_create("parallel");
    TCase *tc = tcase_create("identical");
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, test_train_steps_identical_for_any_thread_count, 0, 2);
    suite_add_tcase(s, tc);
    return s;
}
