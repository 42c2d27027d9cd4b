/* Determinism: the same seed gives bit-identical weights and history after
 * several epochs, whatever the thread count (1 or 2), and on every run.
 * fit's steps share their micro-batches between the two threads; the
 * validation's and evaluate's forward passes too. */
#include <string.h>

#include "kernels/kernels.h"
#include "layers/layers.h"
#include "tests/support.h"
#include "train/train.h"

#define SAMPLES 128
#define STEPS 32
#define CHANNELS 16

typedef struct {
    tg_model *model;
    tg_history history;
} run;

/* Conv1D (64 filters: a (32 x 30, 48) @ (48, 64) product per batch, 2.9M
 * multiply-adds), LSTM, Dense; 3 epochs of shuffled batches of 32. */
static run train(int threads, uint64_t seed)
{
    tg_set_threads(threads);
    run r;
    r.model = tg_model_new(TG_SHAPE(STEPS, CHANNELS), seed);
    tg_model_add(r.model, tg_conv1d((tg_conv1d_opts){.filters = 64, .kernel = 3,
                                                     .activation = TG_RELU}));
    tg_model_add(r.model, tg_lstm((tg_lstm_opts){.units = 8}));
    tg_model_add(r.model, tg_dense(1, TG_SIGMOID));
    tg_model_compile(r.model, tg_optimizer_adam(1e-2), TG_LOSS_BCE, TG_METRIC_ACCURACY);
    tg_tensor *x = tg_tensor_new(TG_SHAPE(SAMPLES, STEPS, CHANNELS));
    tg_tensor *y = tg_tensor_new(TG_SHAPE(SAMPLES, 1));
    tg_rng rng;
    tg_rng_seed(&rng, 99);
    for (size_t k = 0; k < x->size; k++)
        x->data[k] = (tg_real)tg_rng_normal(&rng);
    for (int i = 0; i < SAMPLES; i++)
        y->data[i] = x->data[(size_t)i * STEPS * CHANNELS] > 0;
    tg_fit_opts o = tg_fit_defaults();
    o.epochs = 3;
    o.verbose = 0;
    o.validation_split = 0.25;
    tg_status s = tg_model_fit(r.model, x, y, &o, &r.history);
    ck_assert_msg(tg_is_ok(&s), "%s", s.msg);
    tg_tensor_free(x);
    tg_tensor_free(y);
    tg_set_threads(1);
    return r;
}

static int same_bits(const void *a, const void *b, size_t bytes)
{
    return memcmp(a, b, bytes) == 0;
}

static void assert_identical(const run *a, const run *b, const char *what)
{
    const tg_model *ma = a->model, *mb = b->model;
    ck_assert_int_eq(ma->n_params, mb->n_params);
    for (int i = 0; i < ma->n_params; i++)
        ck_assert_msg(same_bits(ma->params[i]->data, mb->params[i]->data,
                                ma->params[i]->size * sizeof(tg_real)),
                      "%s: parameter %d (%s) differs", what, i, ma->params[i]->name);
    const tg_history *ha = &a->history, *hb = &b->history;
    ck_assert_int_eq(ha->n_epochs, hb->n_epochs);
    const size_t n = (size_t)ha->n_epochs * sizeof(double);
    ck_assert_msg(same_bits(ha->loss, hb->loss, n) && same_bits(ha->val_loss, hb->val_loss, n) &&
                      same_bits(ha->metric[0], hb->metric[0], n) &&
                      same_bits(ha->val_metric[0], hb->val_metric[0], n),
                  "%s: the history differs", what);
}

static void run_free(run *r)
{
    tg_history_free(&r->history);
    tg_model_free(r->model);
}

START_TEST(same_seed_same_bits_for_any_thread_count)
{
    run one = train(1, 5), two = train(2, 5), again = train(1, 5), other = train(1, 6);
    ck_assert_int_eq(one.history.n_epochs, 3);
    assert_identical(&one, &two, "1 thread vs 2 threads");
    assert_identical(&one, &again, "run 1 vs run 2");
    /* The test can tell runs apart: another seed gives other weights. */
    ck_assert(!same_bits(one.model->params[0]->data, other.model->params[0]->data,
                         one.model->params[0]->size * sizeof(tg_real)));
    run_free(&one);
    run_free(&two);
    run_free(&again);
    run_free(&other);
}
END_TEST

Suite *tg_test_suite(void)
{
    Suite *s = suite_create("determinism");
    TCase *tc = tcase_create("threads");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, same_seed_same_bits_for_any_thread_count);
    suite_add_tcase(s, tc);
    return s;
}
