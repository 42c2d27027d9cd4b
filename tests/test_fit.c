/* The model and the fit loop: XOR to 100%, an LSTM that echoes a bit from
 * k steps back, early stopping on a scripted curve and in fit, a NaN that
 * stops training, bit-identical histories from one seed, the summary; and
 * fit's callbacks: one's own sees every hook in Keras's order and can stop
 * training, early stopping as a callback counts as Keras does and restores
 * the best weights, the checkpoint callback writes what loads back
 * bit-exactly (every epoch, or the best one), and a save that fails stops
 * training with its status. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "layers/layers.h"
#include "tensor/tensor.h"
#include "tests/scratch.h"
#include "tests/support.h"
#include "train/train.h"

static tg_tensor *xor_x(void)
{
    return tg_tensor_from(TG_SHAPE(4, 2), (tg_real[]){0, 0, 0, 1, 1, 0, 1, 1});
}

static tg_tensor *xor_y(int inverted)
{
    tg_real y[4] = {0, 1, 1, 0};
    for (int i = 0; inverted && i < 4; i++)
        y[i] = 1 - y[i];
    return tg_tensor_from(TG_SHAPE(4, 1), y);
}

static tg_model *xor_model(uint64_t seed)
{
    tg_model *m = tg_model_new(TG_SHAPE(2), seed);
    tg_model_add(m, tg_dense(8, TG_TANH));
    tg_model_add(m, tg_dense(1, TG_SIGMOID));
    tg_model_compile(m, tg_optimizer_adam(0.05), TG_LOSS_BCE, TG_METRIC_ACCURACY);
    return m;
}

/* tg_model_evaluate's loss; the status must be ok. */
static double evaluate(tg_model *m, const tg_tensor *x, const tg_tensor *y, int batch_size,
                       double *metrics)
{
    double loss;
    tg_status st = tg_model_evaluate(m, x, y, batch_size, &loss, metrics);
    ck_assert_msg(tg_is_ok(&st), "%s", st.msg);
    return loss;
}

static tg_fit_opts quiet(int epochs, int batch_size)
{
    tg_fit_opts o = tg_fit_defaults();
    o.epochs = epochs;
    o.batch_size = batch_size;
    o.verbose = 0;
    return o;
}

static void assert_same_weights(const tg_model *a, const tg_model *b)
{
    ck_assert_int_eq(a->n_params, b->n_params);
    for (int i = 0; i < a->n_params; i++)
        ck_assert_msg(!memcmp(a->params[i]->data, b->params[i]->data,
                              a->params[i]->size * sizeof(tg_real)),
                      "parameter %d (%s) differs", i, a->params[i]->name);
}

START_TEST(dense_fits_xor)
{
    tg_model *m = xor_model(1);
    tg_tensor *x = xor_x(), *y = xor_y(0);
    tg_fit_opts o = quiet(300, 4);
    tg_history h;
    tg_status s = tg_model_fit(m, x, y, &o, &h);
    ck_assert_msg(tg_is_ok(&s), "%s", s.msg);
    ck_assert_int_eq(h.n_epochs, 300);
    double acc;
    double loss = evaluate(m, x, y, 4, &acc);
    ck_assert_msg(acc == 1.0, "XOR accuracy %g", acc);
    ck_assert_msg(loss < 0.05 && loss < h.loss[0] / 10, "loss %g (first epoch %g)", loss, h.loss[0]);
    tg_tensor *p = tg_model_predict(m, x, 3);
    for (int i = 0; i < 4; i++)
        ck_assert((p->data[i] > 0.5) == (y->data[i] > 0.5));
    tg_tensor_free(p);
    tg_history_free(&h);
    tg_tensor_free(x);
    tg_tensor_free(y);
    tg_model_free(m);
}
END_TEST

/* Bits x_t; the target is y_t = x_{t-k} (0 before step k). */
static void echo_data(int n, int T, int k, uint64_t seed, tg_tensor **x, tg_tensor **y)
{
    tg_rng rng;
    tg_rng_seed(&rng, seed);
    *x = tg_tensor_zeros(TG_SHAPE(n, T, 1));
    *y = tg_tensor_zeros(TG_SHAPE(n, T, 1));
    for (int i = 0; i < n; i++)
        for (int t = 0; t < T; t++) {
            TG_AT(*x, i, t, 0) = (tg_real)tg_rng_below(&rng, 2);
            if (t >= k)
                TG_AT(*y, i, t, 0) = TG_AT(*x, i, t - k, 0);
        }
}

START_TEST(lstm_echoes_a_bit_from_k_steps_back)
{
    const int T = 8, k = 2;
    tg_tensor *x, *y, *xv, *yv;
    echo_data(128, T, k, 3, &x, &y);
    echo_data(64, T, k, 4, &xv, &yv);
    tg_model *m = tg_model_new(TG_SHAPE(T, 1), 5);
    tg_model_add(m, tg_lstm((tg_lstm_opts){.units = 8, .return_sequences = 1}));
    tg_model_add(m, tg_dense(1, TG_SIGMOID));
    tg_model_compile(m, tg_optimizer_adam(0.03), TG_LOSS_BCE, TG_METRIC_ACCURACY);
    tg_fit_opts o = quiet(60, 16);
    o.clip_norm = 5;
    tg_history h;
    tg_status s = tg_model_fit(m, x, y, &o, &h);
    ck_assert_msg(tg_is_ok(&s), "%s", s.msg);
    double acc;
    evaluate(m, xv, yv, 64, &acc);
    ck_assert_msg(acc >= 0.99, "echo accuracy on new sequences %g", acc);
    tg_history_free(&h);
    tg_tensor_free(x);
    tg_tensor_free(y);
    tg_tensor_free(xv);
    tg_tensor_free(yv);
    tg_model_free(m);
}
END_TEST

START_TEST(steady_state_does_no_malloc)
{
    /* After the first epoch the tape's arena holds a whole step: more
     * epochs (training and validation) obtain no new block. */
    tg_model *m = xor_model(1);
    tg_tensor *x = xor_x(), *y = xor_y(0);
    tg_fit_opts o = quiet(1, 3);
    o.x_val = x;
    o.y_val = y;
    tg_history h;
    tg_status s = tg_model_fit(m, x, y, &o, &h);
    ck_assert_msg(tg_is_ok(&s), "%s", s.msg);
    tg_history_free(&h);
    const size_t blocks = m->tape->arena.mallocs;
    o.epochs = 20;
    s = tg_model_fit(m, x, y, &o, &h);
    ck_assert_msg(tg_is_ok(&s), "%s", s.msg);
    ck_assert_int_eq(m->tape->arena.mallocs, blocks);
    tg_history_free(&h);
    tg_tensor_free(x);
    tg_tensor_free(y);
    tg_model_free(m);
}
END_TEST

START_TEST(same_seed_same_history)
{
    tg_tensor *x = xor_x(), *y = xor_y(0);
    tg_history h[3];
    tg_tensor *w[3];
    for (int r = 0; r < 3; r++) {
        tg_model *m = xor_model(r < 2 ? 11 : 12);
        tg_fit_opts o = quiet(20, 2);
        o.validation_split = 0.25;
        tg_status s = tg_model_fit(m, x, y, &o, &h[r]);
        ck_assert(tg_is_ok(&s));
        w[r] = tg_tensor_clone(m->params[0]);
        tg_model_free(m);
    }
    ck_assert_int_eq(memcmp(h[0].loss, h[1].loss, 20 * sizeof(double)), 0);
    ck_assert_int_eq(memcmp(h[0].val_loss, h[1].val_loss, 20 * sizeof(double)), 0);
    ck_assert_int_eq(memcmp(h[0].metric[0], h[1].metric[0], 20 * sizeof(double)), 0);
    ck_assert_int_eq(memcmp(w[0]->data, w[1]->data, w[0]->size * sizeof(tg_real)), 0);
    ck_assert_int_ne(memcmp(h[0].loss, h[2].loss, 20 * sizeof(double)), 0);
    for (int r = 0; r < 3; r++) {
        tg_history_free(&h[r]);
        tg_tensor_free(w[r]);
    }
    tg_tensor_free(x);
    tg_tensor_free(y);
}
END_TEST

START_TEST(validation_split_is_the_last_fraction)
{
    /* 10 samples, split 0.25: ceil(7.5) = 8 train, the last 2 validate. */
    tg_rng rng;
    tg_rng_seed(&rng, 9);
    tg_tensor *x = tg_tensor_uniform(TG_SHAPE(10, 2), &rng, -1, 1);
    tg_tensor *y = tg_tensor_uniform(TG_SHAPE(10, 1), &rng, 0, 1);
    tg_tensor *x_last = tg_tensor_from(TG_SHAPE(2, 2), x->data + 16);
    tg_tensor *y_last = tg_tensor_from(TG_SHAPE(2, 1), y->data + 8);
    tg_model *m = tg_model_new(TG_SHAPE(2), 1);
    tg_model_add(m, tg_dense(1, TG_LINEAR));
    tg_model_compile(m, tg_optimizer_sgd(0.1, 0, 0), TG_LOSS_MSE, TG_METRIC_MAE);
    tg_fit_opts o = quiet(1, 0);
    o.validation_split = 0.25;
    tg_history h;
    tg_status s = tg_model_fit(m, x, y, &o, &h);
    ck_assert(tg_is_ok(&s) && h.has_val);
    double mae;
    tg_ck_assert_close(evaluate(m, x_last, y_last, 0, &mae), h.val_loss[0], TG_TEST_TIGHT);
    tg_ck_assert_close(mae, h.val_metric[0][0], TG_TEST_TIGHT);
    tg_history_free(&h);
    tg_model_free(m);
    tg_tensor_free(x);
    tg_tensor_free(y);
    tg_tensor_free(x_last);
    tg_tensor_free(y_last);
}
END_TEST

/* ---- early stopping ---- */

START_TEST(early_stopping_on_a_scripted_curve)
{
    /* val_loss 1.0, 0.8, 0.9, 0.85, ... patience 2: the best is epoch 2,
     * epochs 3 and 4 do not improve, so training stops after epoch 4. */
    const double curve[] = {1.0, 0.8, 0.9, 0.85, 0.7, 0.6};
    tg_tensor *w = tg_tensor_zeros(TG_SHAPE(1));
    tg_early_stopping es;
    tg_early_stopping_init(&es, "val_loss", 0, 2, &w, 1);
    int stopped = 0;
    for (int e = 1; e <= 6 && !stopped; e++) {
        w->data[0] = (tg_real)(100 + e); /* the weights of epoch e */
        if (tg_early_stopping_update(&es, e, curve[e - 1], &w))
            stopped = e;
    }
    ck_assert_int_eq(stopped, 4);
    ck_assert_int_eq(es.best_epoch, 2);
    tg_early_stopping_restore(&es, &w);
    tg_ck_assert_close(w->data[0], 102, 0);
    tg_early_stopping_free(&es);

    /* min_delta: 0.95 is not better than 1.0 by more than 0.1; accuracy is
     * maximised. */
    const double acc[] = {0.5, 0.55, 0.58, 0.9};
    tg_early_stopping_init(&es, "val_accuracy", 0.1, 2, &w, 1);
    stopped = 0;
    for (int e = 1; e <= 4 && !stopped; e++)
        if (tg_early_stopping_update(&es, e, acc[e - 1], &w))
            stopped = e;
    ck_assert_int_eq(stopped, 3);
    ck_assert_int_eq(es.best_epoch, 1);
    tg_early_stopping_free(&es);
    tg_tensor_free(w);
}
END_TEST

START_TEST(fit_stops_early_and_restores_the_best_weights)
{
    /* Validation labels are XOR inverted: the better the fit, the worse
     * val_loss, so it must stop and go back to its best epoch. */
    tg_model *m = xor_model(2);
    tg_tensor *x = xor_x(), *y = xor_y(0), *yv = xor_y(1);
    tg_fit_opts o = quiet(200, 4);
    o.x_val = x;
    o.y_val = yv;
    o.early_stopping = (tg_early_stopping_opts){.enabled = 1, .patience = 3,
                                                .restore_best_weights = 1};
    tg_history h;
    tg_status s = tg_model_fit(m, x, y, &o, &h);
    ck_assert(tg_is_ok(&s));
    ck_assert_int_gt(h.stopped_epoch, 0);
    ck_assert_int_eq(h.stopped_epoch, h.n_epochs);
    ck_assert_int_eq(h.stopped_epoch, h.best_epoch + 3);
    for (int e = 0; e < h.n_epochs; e++)
        ck_assert(h.val_loss[e] >= h.val_loss[h.best_epoch - 1]);
    /* The model holds the best epoch's weights: its val_loss again. */
    tg_ck_assert_close(evaluate(m, x, yv, 4, NULL), h.val_loss[h.best_epoch - 1],
                       TG_TEST_TIGHT);
    tg_history_free(&h);
    tg_tensor_free(x);
    tg_tensor_free(y);
    tg_tensor_free(yv);
    tg_model_free(m);
}
END_TEST

START_TEST(nan_loss_stops_with_the_epoch_and_batch)
{
    /* Plain gradient descent with a far too large step: the loss grows
     * by a factor ~ 19^2 per epoch until it overflows. */
    tg_model *m = tg_model_new(TG_SHAPE(1), 3);
    tg_model_add(m, tg_dense(1, TG_LINEAR));
    tg_model_compile(m, tg_optimizer_sgd(10, 0, 0), TG_LOSS_MSE, TG_METRIC_MAE);
    tg_tensor *x = tg_tensor_from(TG_SHAPE(2, 1), (tg_real[]){1, 1});
    tg_tensor *y = tg_tensor_from(TG_SHAPE(2, 1), (tg_real[]){0.5, 0.5});
    tg_fit_opts o = quiet(1000, 0);
    tg_history h;
    tg_status s = tg_model_fit(m, x, y, &o, &h);
    ck_assert(!tg_is_ok(&s));
    char want[64];
    snprintf(want, sizeof want, "at epoch %d, batch 1 of 1", h.n_epochs + 1);
    ck_assert_msg(strstr(s.msg, want), "message: %s (wanted '%s')", s.msg, want);
    ck_assert_int_gt(h.n_epochs, 3);
    ck_assert_int_eq(h.best_epoch, 1); /* diverging: the first epoch was the best */
    for (int i = 0; i < m->n_params; i++)
        for (size_t k = 0; k < m->params[i]->size; k++)
            ck_assert(isfinite(m->params[i]->data[k]));
    tg_history_free(&h);
    tg_tensor_free(x);
    tg_tensor_free(y);
    tg_model_free(m);
}
END_TEST

START_TEST(fit_on_wrong_target_shape_stops)
{
    tg_model *m = xor_model(1);
    tg_tensor *x = xor_x(), *y = tg_tensor_zeros(TG_SHAPE(4, 2));
    tg_fit_opts o = quiet(1, 4);
    tg_history h;
    tg_model_fit(m, x, y, &o, &h);
}
END_TEST

/* ---- the model itself ---- */

START_TEST(summary_and_unique_names)
{
    tg_model *m = xor_model(1);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    tg_model_summary(m, f);
    fclose(f);
    /* 2*8 + 8 = 24 and 8*1 + 1 = 9 */
    ck_assert_msg(strstr(buf, "dense (Dense)") && strstr(buf, "dense_1 (Dense)"), "%s", buf);
    ck_assert_msg(strstr(buf, "(None, 8)") && strstr(buf, "(None, 1)"), "%s", buf);
    ck_assert_msg(strstr(buf, "24 ") && strstr(buf, "Total params: 33 "), "%s", buf);
    ck_assert_int_eq(tg_model_param_count(m), 33);
    ck_assert_ptr_eq(tg_model_layer(m, "dense_1"), m->layers[1]);
    free(buf);
    tg_model_free(m);
}
END_TEST

START_TEST(fit_output_one_line_per_epoch_off_a_terminal)
{
    tg_model *m = xor_model(1);
    tg_tensor *x = xor_x(), *y = xor_y(0);
    char *buf = NULL;
    size_t len = 0;
    tg_fit_opts o = quiet(3, 2);
    o.verbose = 1;
    o.out = open_memstream(&buf, &len);
    tg_history h;
    tg_model_fit(m, x, y, &o, &h);
    fclose(o.out);
    int lines = 0;
    for (size_t i = 0; i < len; i++)
        lines += buf[i] == '\n';
    ck_assert_int_eq(lines, 3);
    ck_assert_msg(strstr(buf, "Epoch 3/3") && strstr(buf, "accuracy:") && !strchr(buf, '\r'),
                  "%s", buf);
    free(buf);
    tg_history_free(&h);
    tg_tensor_free(x);
    tg_tensor_free(y);
    tg_model_free(m);
}
END_TEST

/* ---- a callback of one's own ---- */

typedef struct {
    int stop_at;
    int train_begin, epoch_begin, batch_end, epoch_end, train_end;
    int order_ok; /* every hook came when Keras calls it, with the numbers it should see */
    const tg_history *history;
    double epoch_loss[8];
} counter;

static void count_train_begin(void *ctx, tg_fit_state *s)
{
    counter *c = ctx;
    c->train_begin++;
    c->order_ok &= s->epoch == 0 && c->epoch_begin == 0 && s->epochs == 10 && s->batches == 2;
}

static void count_epoch_begin(void *ctx, tg_fit_state *s)
{
    counter *c = ctx;
    c->epoch_begin++;
    c->order_ok &= s->epoch == c->epoch_begin && c->epoch_end == s->epoch - 1;
}

static void count_batch_end(void *ctx, tg_fit_state *s)
{
    counter *c = ctx;
    c->batch_end++;
    /* batches of 2 of the 4 samples: 1, 2, 1, 2, ... */
    c->order_ok &= s->batch == (c->batch_end - 1) % 2 + 1 && isfinite(s->loss);
}

static int count_epoch_end(void *ctx, tg_fit_state *s)
{
    counter *c = ctx;
    c->epoch_end++;
    /* The history (fit's own callback, called first) already has this epoch. */
    c->order_ok &= s->epoch == c->epoch_end && c->batch_end == 2 * s->epoch &&
                   c->history->n_epochs == s->epoch &&
                   c->history->loss[s->epoch - 1] == s->loss && s->weights_epoch == s->epoch;
    c->epoch_loss[s->epoch - 1] = s->loss;
    return s->epoch == c->stop_at;
}

static void count_train_end(void *ctx, tg_fit_state *s)
{
    counter *c = ctx;
    c->train_end++;
    c->order_ok &= tg_is_ok(&s->status) && s->epoch == c->stop_at;
}

START_TEST(own_callback_sees_every_hook_and_stops_at_epoch_k)
{
    tg_model *m = xor_model(3), *k_epochs = xor_model(3);
    tg_tensor *x = xor_x(), *y = xor_y(0);
    tg_history h, hk;
    counter c = {.stop_at = 4, .order_ok = 1, .history = &h};
    const tg_callback mine = {.ctx = &c,
                              .on_train_begin = count_train_begin,
                              .on_epoch_begin = count_epoch_begin,
                              .on_batch_end = count_batch_end,
                              .on_epoch_end = count_epoch_end,
                              .on_train_end = count_train_end};
    tg_fit_opts o = quiet(10, 2);
    o.callbacks = &mine;
    o.n_callbacks = 1;
    tg_status s = tg_model_fit(m, x, y, &o, &h);
    ck_assert_msg(tg_is_ok(&s), "%s", s.msg);
    ck_assert(c.order_ok);
    ck_assert_int_eq(c.train_begin, 1);
    ck_assert_int_eq(c.epoch_begin, 4);
    ck_assert_int_eq(c.batch_end, 8);
    ck_assert_int_eq(c.epoch_end, 4);
    ck_assert_int_eq(c.train_end, 1);
    ck_assert_int_eq(h.n_epochs, 4);
    ck_assert_int_eq(h.stopped_epoch, 4);
    ck_assert_int_eq(h.weights_epoch, 4);
    /* Stopped after epoch 4 is exactly 4 epochs: the same weights and losses. */
    tg_fit_opts o4 = quiet(4, 2);
    s = tg_model_fit(k_epochs, x, y, &o4, &hk);
    ck_assert_msg(tg_is_ok(&s), "%s", s.msg);
    assert_same_weights(m, k_epochs);
    for (int e = 0; e < 4; e++)
        ck_assert(hk.loss[e] == c.epoch_loss[e]);
    tg_history_free(&h);
    tg_history_free(&hk);
    tg_tensor_free(x);
    tg_tensor_free(y);
    tg_model_free(m);
    tg_model_free(k_epochs);
}
END_TEST

/* ---- early stopping as a callback ---- */

START_TEST(early_stopping_callback_counts_as_keras)
{
    /* The hooks driven by hand on a scripted curve: val_loss 1.0, 0.8, 0.9,
     * 0.85 with patience 2 stops after epoch 4 (Keras: epochs 3 and 4 did
     * not improve on epoch 2), and restoring puts epoch 2's weights back. */
    const double curve[] = {1.0, 0.8, 0.9, 0.85, 0.7, 0.6};
    tg_model *m = tg_model_new(TG_SHAPE(1), 1);
    tg_model_add(m, tg_dense(1, TG_LINEAR));
    tg_model_compile(m, tg_optimizer_sgd(0.1, 0, 0), TG_LOSS_MSE, TG_METRIC_MAE);
    tg_early_stopping es;
    const tg_early_stopping_opts eo = {.patience = 2, .restore_best_weights = 1};
    tg_callback cb = tg_early_stopping_callback(&es, &eo, NULL);
    tg_fit_state s = {.model = m, .epochs = 6, .has_val = 1, .status = tg_status_ok()};
    cb.on_train_begin(cb.ctx, &s);
    ck_assert_str_eq(es.monitor, "val_loss");
    int stopped = 0;
    for (s.epoch = 1; s.epoch <= 6 && !stopped; s.epoch++) {
        m->params[0]->data[0] = (tg_real)(100 + s.epoch); /* the weights of epoch e */
        s.weights_epoch = s.epoch;
        s.val_loss = curve[s.epoch - 1];
        s.loss = 5; /* not the monitor: never read */
        if (cb.on_epoch_end(cb.ctx, &s))
            stopped = s.epoch;
    }
    ck_assert_int_eq(stopped, 4);
    ck_assert_int_eq(es.stopped_epoch, 4);
    ck_assert_int_eq(es.best_epoch, 2);
    cb.on_train_end(cb.ctx, &s);
    ck_assert(m->params[0]->data[0] == 102);
    ck_assert_int_eq(s.weights_epoch, 2);
    ck_assert_ptr_null(es.best_weights); /* its copies are freed at the end */
    tg_model_free(m);
}
END_TEST

START_TEST(early_stopping_callback_in_fit_restores_the_best_epoch)
{
    /* Given as one's own callback (opts.early_stopping left off): the
     * validation labels are inverted, so it must stop patience epochs after
     * its best and put that epoch's weights back. */
    tg_model *m = xor_model(2);
    tg_tensor *x = xor_x(), *y = xor_y(0), *yv = xor_y(1);
    tg_early_stopping es;
    const tg_early_stopping_opts eo = {.patience = 3, .restore_best_weights = 1};
    const tg_callback cb = tg_early_stopping_callback(&es, &eo, NULL);
    tg_fit_opts o = quiet(200, 4);
    o.x_val = x;
    o.y_val = yv;
    o.callbacks = &cb;
    o.n_callbacks = 1;
    tg_history h;
    tg_status s = tg_model_fit(m, x, y, &o, &h);
    ck_assert_msg(tg_is_ok(&s), "%s", s.msg);
    ck_assert_int_gt(es.stopped_epoch, 0);
    ck_assert_int_eq(es.stopped_epoch, h.n_epochs);
    ck_assert_int_eq(h.stopped_epoch, h.n_epochs);
    ck_assert_int_eq(es.stopped_epoch, es.best_epoch + 3);
    ck_assert_int_eq(h.weights_epoch, es.best_epoch);
    for (int e = 0; e < h.n_epochs; e++)
        ck_assert(h.val_loss[e] >= h.val_loss[es.best_epoch - 1]);
    ck_assert(evaluate(m, x, yv, 4, NULL) == h.val_loss[es.best_epoch - 1]);
    tg_history_free(&h);
    tg_tensor_free(x);
    tg_tensor_free(y);
    tg_tensor_free(yv);
    tg_model_free(m);
}
END_TEST

/* ---- checkpoints ---- */

START_TEST(checkpoint_every_epoch_loads_back_bit_exact)
{
    tg_scratch dir;
    tg_scratch_open(&dir);
    const char *path = tg_scratch_path(&dir, "model.ckpt");
    tg_model *m = xor_model(4), *loaded = xor_model(99);
    tg_tensor *x = xor_x(), *y = xor_y(0);
    tg_model_checkpoint c;
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    const tg_callback cb = tg_model_checkpoint_callback(&c, path, NULL, out);
    tg_fit_opts o = quiet(5, 2);
    o.callbacks = &cb;
    o.n_callbacks = 1;
    tg_history h;
    tg_status s = tg_model_fit(m, x, y, &o, &h);
    fclose(out);
    ck_assert_msg(tg_is_ok(&s), "%s", s.msg);
    ck_assert_int_eq(c.saved_epoch, 5);
    ck_assert_msg(strstr(text, "Epoch 1: model saved to ") && strstr(text, "Epoch 5: model saved to "),
                  "%s", text);
    s = tg_model_load(loaded, path);
    ck_assert_msg(tg_is_ok(&s), "%s", s.msg);
    assert_same_weights(loaded, m);
    free(text);
    tg_history_free(&h);
    tg_tensor_free(x);
    tg_tensor_free(y);
    tg_model_free(m);
    tg_model_free(loaded);
    tg_scratch_close(&dir);
}
END_TEST

START_TEST(checkpoint_of_the_best_epoch_only)
{
    /* Monitoring val_loss on inverted labels: the file keeps the best
     * epoch's weights, the same that early stopping restores. */
    tg_scratch dir;
    tg_scratch_open(&dir);
    const char *path = tg_scratch_path(&dir, "best.ckpt");
    tg_model *m = xor_model(2), *loaded = xor_model(99);
    tg_tensor *x = xor_x(), *y = xor_y(0), *yv = xor_y(1);
    tg_model_checkpoint c;
    const tg_callback cb = tg_model_checkpoint_callback(&c, path, "val_loss", NULL);
    tg_fit_opts o = quiet(200, 4);
    o.x_val = x;
    o.y_val = yv;
    o.early_stopping = (tg_early_stopping_opts){.enabled = 1, .patience = 3,
                                                .restore_best_weights = 1};
    o.callbacks = &cb;
    o.n_callbacks = 1;
    tg_history h;
    tg_status s = tg_model_fit(m, x, y, &o, &h);
    ck_assert_msg(tg_is_ok(&s), "%s", s.msg);
    ck_assert_int_gt(h.n_epochs, h.best_epoch);
    ck_assert_int_eq(c.saved_epoch, h.best_epoch);
    ck_assert(c.best == h.val_loss[h.best_epoch - 1]);
    s = tg_model_load(loaded, path);
    ck_assert_msg(tg_is_ok(&s), "%s", s.msg);
    assert_same_weights(loaded, m);
    tg_history_free(&h);
    tg_tensor_free(x);
    tg_tensor_free(y);
    tg_tensor_free(yv);
    tg_model_free(m);
    tg_model_free(loaded);
    tg_scratch_close(&dir);
}
END_TEST

START_TEST(checkpoint_that_cannot_be_written_stops_training)
{
    tg_scratch dir;
    tg_scratch_open(&dir);
    const char *path = tg_scratch_path(&dir, "no/such/dir/model.ckpt");
    tg_model *m = xor_model(4), *one_epoch = xor_model(4);
    tg_tensor *x = xor_x(), *y = xor_y(0);
    tg_model_checkpoint c;
    const tg_callback cb = tg_model_checkpoint_callback(&c, path, NULL, NULL);
    tg_fit_opts o = quiet(5, 2), o1 = quiet(1, 2);
    o.callbacks = &cb;
    o.n_callbacks = 1;
    tg_history h, h1;
    tg_status s = tg_model_fit(m, x, y, &o, &h);
    tg_ck_assert_error(s, "no/such/dir", "; training stopped with the weights of epoch 1");
    ck_assert_int_eq(h.n_epochs, 1);
    ck_assert_int_eq(h.stopped_epoch, 0);
    ck_assert_int_eq(c.saved_epoch, 0);
    s = tg_model_fit(one_epoch, x, y, &o1, &h1);
    ck_assert_msg(tg_is_ok(&s), "%s", s.msg);
    assert_same_weights(m, one_epoch);
    tg_history_free(&h);
    tg_history_free(&h1);
    tg_tensor_free(x);
    tg_tensor_free(y);
    tg_model_free(m);
    tg_model_free(one_epoch);
    tg_scratch_close(&dir);
}
END_TEST

Suite *tg_test_suite(void)
{
    Suite *s = suite_create("fit");
    TCase *tc = tcase_create("fit");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, dense_fits_xor);
    tcase_add_test(tc, lstm_echoes_a_bit_from_k_steps_back);
    tcase_add_test(tc, steady_state_does_no_malloc);
    tcase_add_test(tc, same_seed_same_history);
    tcase_add_test(tc, validation_split_is_the_last_fraction);
    tcase_add_test(tc, early_stopping_on_a_scripted_curve);
    tcase_add_test(tc, fit_stops_early_and_restores_the_best_weights);
    tcase_add_test(tc, nan_loss_stops_with_the_epoch_and_batch);
    tcase_add_exit_test(tc, fit_on_wrong_target_shape_stops, TG_FATAL_EXIT);
    tcase_add_test(tc, summary_and_unique_names);
    tcase_add_test(tc, fit_output_one_line_per_epoch_off_a_terminal);
    suite_add_tcase(s, tc);
    tc = tcase_create("callbacks");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, own_callback_sees_every_hook_and_stops_at_epoch_k);
    tcase_add_test(tc, early_stopping_callback_counts_as_keras);
    tcase_add_test(tc, early_stopping_callback_in_fit_restores_the_best_epoch);
    tcase_add_test(tc, checkpoint_every_epoch_loads_back_bit_exact);
    tcase_add_test(tc, checkpoint_of_the_best_epoch_only);
    tcase_add_test(tc, checkpoint_that_cannot_be_written_stops_training);
    suite_add_tcase(s, tc);
    return s;
}
