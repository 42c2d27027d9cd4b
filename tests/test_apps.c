/* The document's applications: each model lowers its loss in a few steps on the
 * embedded data (the RCNN image model too, with its parameter count beside
 * the document's by Keras's formulas), the series models' outputs are causal with the alignment
 * the targets assume, the LSTM -> CNN stack passes gradcheck, a regression
 * predicting no change is exactly persistence, and a whole run writes its
 * history CSV and its PNG; a run stopped by a NaN/Inf writes the history
 * and the weights of the epochs that finished (or, with none, nothing),
 * exits with an error, and never prints a non-finite figure. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tensor/internal/file.h"
#include "tests/gradcheck_check.h"
#include "tests/scratch.h"
#include "tests/support.h"
#include "train/train.h"
#include "apps/apps.h"
#include "datasets/datasets.h"
#include "apps/internal/gradcheck_cases.h"

/* Rows [0, n) of t, a new heap tensor. */
static tg_tensor *first_rows(const tg_tensor *t, int n)
{
    tg_shape s = t->shape;
    s.dim[0] = n;
    tg_tensor *r = tg_tensor_new(s);
    memcpy(r->data, t->data, r->size * sizeof *r->data);
    return r;
}

/* tg_model_evaluate's loss; the status must be ok. */
static double evaluate(tg_model *m, const tg_tensor *x, const tg_tensor *y, int batch_size)
{
    double loss;
    tg_status st = tg_model_evaluate(m, x, y, batch_size, &loss, NULL);
    ck_assert_msg(tg_is_ok(&st), "%s", st.msg);
    return loss;
}

/* A few epochs on 64 samples: the loss on them goes down. */
static void expect_learns(tg_model *m, tg_loss loss, tg_metric metric, const tg_tensor *x,
                          const tg_tensor *y)
{
    tg_model_compile(m, tg_optimizer_adam(3e-3), loss, metric);
    double before = evaluate(m, x, y, 64);
    tg_fit_opts o = tg_fit_defaults();
    o.epochs = 4;
    o.verbose = 0;
    tg_history h;
    tg_status st = tg_model_fit(m, x, y, &o, &h);
    ck_assert_msg(tg_is_ok(&st), "%s", st.msg);
    double after = evaluate(m, x, y, 64);
    ck_assert_msg(after < 0.9 * before, "loss %g -> %g", before, after);
    tg_history_free(&h);
    tg_model_free(m);
}

static void series_learns(int binary, tg_series_arch arch)
{
    tg_series_task t;
    tg_synthetic_task(binary, 600, 16, 3, &t);
    tg_tensor *x = first_rows(t.x_train, 64), *y = first_rows(t.y_train, 64);
    tg_app_model_opts mo = {.seed = 5};
    tg_model *m = tg_series_model(arch, t.T, t.D, binary, mo);
    expect_learns(m, binary ? TG_LOSS_BCE : TG_LOSS_MSE, TG_METRIC_ACCURACY, x, y);
    tg_tensor_free(x);
    tg_tensor_free(y);
    tg_series_task_free(&t);
}

START_TEST(test_apps_timeseries_learns) { series_learns(1, TG_SERIES_CNN_LSTM); }
END_TEST

START_TEST(test_apps_lstm_cnn_learns) { series_learns(1, TG_SERIES_LSTM_CNN); }
END_TEST

START_TEST(test_apps_regression_learns) { series_learns(0, TG_SERIES_CNN_LSTM); }
END_TEST

START_TEST(test_apps_images_learns)
{
    tg_image_set set;
    tg_synthetic_shapes(&set, 64, 11);
    size_t idx[64];
    for (size_t i = 0; i < 64; i++)
        idx[i] = i;
    tg_tensor *x = tg_tensor_new(TG_SHAPE(64, 28, 28, 1)), *y = tg_tensor_new(TG_SHAPE(64, 10));
    tg_image_set_batch(&set, idx, 64, x, y);
    tg_app_model_opts mo = {.seed = 5};
    expect_learns(tg_images_model(28, 28, 10, mo), TG_LOSS_CCE, TG_METRIC_ACCURACY, x, y);
    tg_tensor_free(x);
    tg_tensor_free(y);
    tg_image_set_free(&set);
}
END_TEST

/* The RCNN at Keras's formulas: Conv2D 3 3 1 32 + 32, RCL2D 3 3 32 32 (W_f)
 * + 3 3 32 32 (W_r) + 32, Dense (6 6 32) 96 + 96 and 96 10 + 10, beside
 * the document's model's Conv2D 320, LSTM 4 (416 64 + 64 64 + 64) + 4 64
 * (the diagonal peepholes), Dense 64 32 + 32 and 32 10 + 10. */
START_TEST(test_apps_rcnn_size)
{
    tg_app_model_opts mo = {.seed = 5};
    tg_model *rcnn = tg_images_rcnn_model(28, 28, 10, mo), *doc = tg_images_model(28, 28, 10, mo);
    ck_assert_uint_eq(tg_model_param_count(rcnn), 9 * 32 + 32 + 2 * 9 * 32 * 32 + 32 +
                                                       6 * 6 * 32 * 96 + 96 + 96 * 10 + 10);
    ck_assert_uint_eq(tg_model_param_count(doc), 320 + 4 * (416 * 64 + 64 * 64 + 64) + 4 * 64 +
                                                      64 * 32 + 32 + 32 * 10 + 10);
    ck_assert(tg_shape_equal(rcnn->output_shape, TG_SHAPE(10)));
    tg_model_free(rcnn);
    tg_model_free(doc);
}
END_TEST

/* The RCNN lowers its loss: 64 shapes, each averaged 2 x 2 down to 14 x 14
 * (the model is the same at any size >= 10; small, so that it takes a
 * fraction of a second under the sanitizers). */
START_TEST(test_apps_rcnn_learns)
{
    tg_image_set set;
    tg_synthetic_shapes(&set, 64, 11);
    size_t idx[64];
    for (size_t i = 0; i < 64; i++)
        idx[i] = i;
    tg_tensor *big = tg_tensor_new(TG_SHAPE(64, 28, 28, 1)), *y = tg_tensor_new(TG_SHAPE(64, 10));
    tg_image_set_batch(&set, idx, 64, big, y);
    tg_tensor *x = tg_tensor_new(TG_SHAPE(64, 14, 14, 1));
    for (int n = 0; n < 64; n++)
        for (int i = 0; i < 14; i++)
            for (int j = 0; j < 14; j++)
                TG_AT(x, n, i, j, 0) =
                    (TG_AT(big, n, 2 * i, 2 * j, 0) + TG_AT(big, n, 2 * i + 1, 2 * j, 0) +
                     TG_AT(big, n, 2 * i, 2 * j + 1, 0) + TG_AT(big, n, 2 * i + 1, 2 * j + 1, 0)) /
                    4;
    tg_app_model_opts mo = {.seed = 5};
    expect_learns(tg_images_rcnn_model(14, 14, 10, mo), TG_LOSS_CCE, TG_METRIC_ACCURACY, x, y);
    tg_tensor_free(big);
    tg_tensor_free(x);
    tg_tensor_free(y);
    tg_image_set_free(&set);
}
END_TEST

/* Output j must not depend on inputs after window step first + step j (no
 * look-ahead), and the count must be the model's output length. */
static void check_causal(tg_series_arch arch, int T)
{
    int first, step, count;
    tg_series_model_alignment(T, &first, &step, &count);
    tg_app_model_opts mo = {.seed = 9};
    tg_model *m = tg_series_model(arch, T, 2, 1, mo);
    ck_assert(tg_shape_equal(m->output_shape, TG_SHAPE(count, 1)));
    tg_rng rng;
    tg_rng_seed(&rng, 4);
    tg_tensor *x = tg_tensor_new(TG_SHAPE(1, T, 2));
    for (size_t k = 0; k < x->size; k++)
        x->data[k] = (tg_real)tg_rng_normal(&rng);
    tg_tensor *base = tg_model_predict(m, x, 1);
    for (int k = 0; k < T; k++) {
        tg_tensor *x2 = tg_tensor_clone(x);
        TG_AT(x2, 0, k, 0) += 3;
        TG_AT(x2, 0, k, 1) -= 3;
        tg_tensor *p = tg_model_predict(m, x2, 1);
        int changed_any = 0;
        for (int j = 0; j < count; j++) {
            int changed = p->data[j] != base->data[j];
            if (first + step * j < k)
                ck_assert_msg(!changed, "output %d changed with input step %d", j, k);
            changed_any |= changed;
        }
        /* an input past the last output's view (odd T - 2: pooling drops one) is unused */
        if (k <= first + step * (count - 1))
            ck_assert_msg(changed_any, "no output depends on input step %d", k);
        tg_tensor_free(p);
        tg_tensor_free(x2);
    }
    tg_tensor_free(base);
    tg_tensor_free(x);
    tg_model_free(m);
}

START_TEST(test_apps_alignment_causal)
{
    check_causal(TG_SERIES_CNN_LSTM, 12);
    check_causal(TG_SERIES_CNN_LSTM, 11);
    check_causal(TG_SERIES_LSTM_CNN, 12);
}
END_TEST

START_TEST(test_apps_lstm_cnn_gradcheck)
{
    int n;
    const tg_gradcheck_case *c = tg_app_model_gradcheck_cases(&n);
    for (int i = 0; i < n; i++)
        tg_ck_assert_gradcheck(c[i].name, c[i].run(17));
}
END_TEST

/* A regression whose output is "no change" scores exactly persistence; a
 * binary task's scores against hand-made predictions. */
START_TEST(test_apps_scores)
{
    tg_series_task t;
    tg_synthetic_task(0, 600, 16, 3, &t);
    tg_tensor *pred = tg_tensor_new(TG_SHAPE(t.n_test, 7, 1));
    /* the scaled output whose change, unscaled, is 0 */
    tg_tensor_fill(pred, (tg_real)(-t.target.shift[0] / t.target.scale[0]));
    tg_series_scores sc = tg_series_task_score(&t, pred);
    tg_ck_assert_close(sc.model, sc.persistence, 1e-5);
    ck_assert(sc.persistence > 0);
    tg_tensor_free(pred);
    tg_series_task_free(&t);

    tg_synthetic_task(1, 600, 16, 3, &t);
    pred = tg_tensor_new(TG_SHAPE(t.n_test, 7, 1));
    for (int w = 0; w < t.n_test; w++)
        pred->data[(size_t)w * 7 + 6] = (tg_real)t.truth[w];
    sc = tg_series_task_score(&t, pred);
    tg_ck_assert_close(sc.model, 1, 0);
    double agree = 0;
    for (int w = 0; w < t.n_test; w++)
        agree += t.persistence[w] == t.truth[w];
    tg_ck_assert_close(sc.persistence, agree / t.n_test, 1e-15);
    tg_tensor_free(pred);
    tg_series_task_free(&t);
}
END_TEST

static off_t file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? st.st_size : -1;
}

/* `tapegrad train timeseries --embedded --steps 12 --epochs E --history
 * h.csv --plot PNG --save ckpt` in scratch directory s, output to out;
 * *ckpt: where the checkpoint goes. */
static tg_app_opts embedded_run(tg_scratch *s, int epochs, const char *png, FILE *out,
                                     const char **ckpt)
{
    tg_app_opts o = tg_app_defaults();
    o.task = TG_APP_TIMESERIES;
    o.embedded = 1;
    o.epochs = epochs;
    o.steps = 12;
    o.history_csv = tg_scratch_path(s, "h.csv");
    o.plot_png = tg_scratch_path(s, png);
    o.save_dir = tg_scratch_path(s, "ckpt");
    *ckpt = tg_scratch_path(s, "ckpt/model.ckpt");
    o.out = out;
    return o;
}

/* What `tapegrad train timeseries --embedded --epochs 2 --history h.csv
 * --plot h.png --save dir` does, then --load of what it saved. */
START_TEST(test_apps_run_writes_history_and_plot)
{
    tg_scratch s;
    tg_scratch_open(&s);
    FILE *out = tmpfile();
    const char *ckpt;
    tg_app_opts o = embedded_run(&s, 2, "h.png", out, &ckpt);
    tg_app_result r;
    tg_status st = tg_app_run(&o, &r);
    ck_assert_msg(tg_is_ok(&st), "%s", st.msg);
    ck_assert(r.embedded);
    ck_assert_int_eq(r.epochs_run, 2);
    ck_assert(r.last_loss < r.first_loss);
    ck_assert_int_gt(file_size(o.history_csv), 20);
    ck_assert_int_gt(file_size(o.plot_png), 1000);
    ck_assert_int_gt(file_size(ckpt), 0);

    /* Reloaded weights give the same test figures without training. */
    tg_app_opts o2 = o;
    o2.load_dir = o.save_dir;
    o2.save_dir = NULL;
    o2.history_csv = o2.plot_png = NULL;
    o2.epochs = 1;
    o2.learning_rate = 1e-12;
    tg_app_result r2;
    st = tg_app_run(&o2, &r2);
    ck_assert_msg(tg_is_ok(&st), "%s", st.msg);
    /* Exact: the weights are the saved ones and a step of 1e-12 moves no
     * prediction across 0.5, so not one of the test windows may change
     * (a tolerance of even one window in ~73 would let a bad reload pass). */
    ck_assert_msg(r2.model == r.model, "reloaded accuracy %.17g, saved run's %.17g", r2.model,
                  r.model);
    fclose(out);
    tg_scratch_close(&s);
}
END_TEST

/* A plot that cannot be written (its directory does not exist) is an
 * error, but the weights of the run are saved all the same; --plot without
 * --history is refused before any training. */
START_TEST(test_apps_failed_plot_keeps_weights)
{
    tg_scratch s;
    tg_scratch_open(&s);
    FILE *out = tmpfile();
    const char *ckpt;
    tg_app_opts o = embedded_run(&s, 1, "no/such/dir/h.png", out, &ckpt);
    tg_app_result r;
    tg_status st = tg_app_run(&o, &r);
    ck_assert(!tg_is_ok(&st));
    ck_assert_int_eq(r.epochs_run, 1);
    ck_assert_int_gt(file_size(ckpt), 0);
    ck_assert_int_gt(file_size(o.history_csv), 20);

    o.history_csv = NULL;
    st = tg_app_run(&o, &r);
    tg_ck_assert_error(st, "--plot", "needs --history");
    ck_assert_int_eq(r.epochs_run, 0);
    fclose(out);
    tg_scratch_close(&s);
}
END_TEST

/* A --data directory without the files is a data error, not the embedded set. */
START_TEST(test_apps_named_dir_without_data)
{
    tg_scratch s;
    tg_scratch_open(&s);
    tg_app_opts o = tg_app_defaults();
    o.task = TG_APP_REGRESSION;
    o.data_dir = s.dir;
    FILE *out = tmpfile();
    o.out = out;
    tg_status st = tg_app_run(&o, NULL);
    tg_ck_assert_error(st, "seattle-temps.csv", "not found", s.dir);
    fclose(out);
    tg_scratch_close(&s);
}
END_TEST

/* ---- stopped by a NaN/Inf (the reproductions) ---- */

/* The whole file, malloc'd, with its length. */
static unsigned char *slurp(const char *path, size_t *len)
{
    unsigned char *buf;
    const tg_status st = tg_read_file(path, &buf, len);
    ck_assert_msg(tg_is_ok(&st), "%s", st.msg);
    return buf;
}

static char *output_of(FILE *out)
{
    const long n = ftell(out);
    char *text = calloc((size_t)n + 1, 1);
    ck_assert_ptr_nonnull(text);
    rewind(out);
    ck_assert_uint_eq(fread(text, 1, (size_t)n, out), (size_t)n);
    return text;
}

START_TEST(train_with_an_infinite_rate_is_refused_and_saves_nothing)
{
    /* `train timeseries --embedded --epochs 1 --optimizer gd --lr inf --save d`
     * exited 0 with a finite test loss and saved 22 non-finite tensors. The
     * application now refuses the rate before it builds anything; a rate
     * that is finite but breaks the weights is refused by the step itself
     * (test_step: step_refuses_a_weight_the_optimizer_made_infinite; the
     * rollback: test_faults). */
    tg_scratch dir;
    tg_scratch_open(&dir);
    tg_app_opts o = tg_app_defaults();
    o.task = TG_APP_TIMESERIES;
    o.embedded = 1;
    o.epochs = 1;
    o.optimizer = "gd";
    o.learning_rate = INFINITY;
    o.save_dir = tg_scratch_path(&dir, "d");
    const char *ckpt = tg_scratch_path(&dir, "d/model.ckpt");
    FILE *out = tmpfile();
    o.out = out;
    tg_app_result r;
    tg_status s = tg_app_run(&o, &r);
    char *text = output_of(out);
    ck_assert(!tg_is_ok(&s));
    ck_assert_str_eq(s.msg, "train: the learning rate inf must be a positive finite number (0: "
                            "the optimizer's default)");
    ck_assert_msg(file_size(ckpt) < 0, "a checkpoint of non-finite weights was written");
    ck_assert_msg(!strstr(text, "Epoch 1") && !strstr(text, "test,"), "%s", text);
    free(text);
    fclose(out);
    tg_scratch_close(&dir);
}
END_TEST

START_TEST(train_with_a_huge_rate_prints_no_inf)
{
    /* `train regression --lr 1e308` (the whole set per step, one epoch)
     * printed an inf validation and test loss and exited 0. */
    tg_app_opts o = tg_app_defaults();
    o.task = TG_APP_REGRESSION;
    o.embedded = 1;
    o.epochs = 1;
    o.optimizer = "gd";
    o.learning_rate = 1e308;
    FILE *out = tmpfile();
    o.out = out;
    tg_status s = tg_app_run(&o, NULL);
    char *text = output_of(out);
    tg_ck_assert_error(s, "fit: ", "at epoch 1", "; training stopped with the initial weights");
    ck_assert_msg(!strstr(text, "inf") && !strstr(text, "test,"), "%s", text);
    free(text);
    fclose(out);
}
END_TEST

START_TEST(train_stopped_by_nan_keeps_the_finished_epochs)
{
    /* `train regression --epochs 3 --optimizer sgd --lr 3 --save dn
     * --history hn.csv` diverges: it stopped on an Inf and wrote nothing. */
    tg_scratch dir;
    tg_scratch_open(&dir);
    tg_app_opts o = tg_app_defaults();
    o.task = TG_APP_REGRESSION;
    o.embedded = 1;
    o.epochs = 3;
    o.optimizer = "sgd";
    o.learning_rate = 3;
    o.save_dir = tg_scratch_path(&dir, "dn");
    o.history_csv = tg_scratch_path(&dir, "hn.csv");
    const char *ckpt = tg_scratch_path(&dir, "dn/model.ckpt");
    FILE *out = tmpfile();
    o.out = out;
    tg_app_result r;
    tg_status s = tg_app_run(&o, &r);
    char *text = output_of(out);
    const int k = r.epochs_run; /* the epochs that finished before the stop */
    char at[32], kept[64], saved[64];
    snprintf(at, sizeof at, " at epoch %d, batch ", k + 1);
    snprintf(kept, sizeof kept, "; training stopped with the weights of epoch %d", k);
    tg_ck_assert_error(s, "fit: the loss is ", at);
#ifndef TG_REAL_FLOAT
    /* In double the loss overflows after some epochs have finished (the
     * issue's run); in float it may within the first, and then nothing is
     * to be kept. */
    ck_assert_int_ge(k, 1);
#endif
    if (k == 0) {
        ck_assert(file_size(ckpt) < 0 && file_size(o.history_csv) < 0);
        ck_assert_msg(strstr(text, "nothing saved: no epoch finished"), "%s", text);
    } else {
        tg_ck_assert_error(s, kept);
        snprintf(saved, sizeof saved, "weights of epoch %d saved to ", k);
        ck_assert_msg(strstr(text, saved) && !strstr(text, "test,"), "%s", text);
        /* The history of the finished epochs, as read back. */
        tg_history h;
        tg_status hs = tg_history_load_csv(&h, o.history_csv);
        ck_assert_msg(tg_is_ok(&hs), "%s", hs.msg);
        ck_assert_int_eq(h.n_epochs, k);
        ck_assert(h.loss[0] == r.first_loss && h.loss[k - 1] == r.last_loss);
        tg_history_free(&h);
        /* The weights: bit for bit those of a run of just those k epochs. */
        tg_app_opts ok = o;
        ok.epochs = k;
        ok.save_dir = tg_scratch_path(&dir, "dk");
        ok.history_csv = NULL;
        s = tg_app_run(&ok, NULL);
        ck_assert_msg(tg_is_ok(&s), "%s", s.msg);
        size_t na, nb;
        unsigned char *a = slurp(ckpt, &na), *b = slurp(tg_scratch_path(&dir, "dk/model.ckpt"), &nb);
        ck_assert_msg(na == nb && !memcmp(a, b, na), "the saved weights are not epoch %d's", k);
        free(a);
        free(b);
    }
    free(text);
    fclose(out);
    tg_scratch_close(&dir);
}
END_TEST

Suite *tg_test_suite(void)
{
    Suite *s = suite_create("apps");
    TCase *tc = tcase_create("apps");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_apps_timeseries_learns);
    tcase_add_test(tc, test_apps_lstm_cnn_learns);
    tcase_add_test(tc, test_apps_regression_learns);
    tcase_add_test(tc, test_apps_images_learns);
    tcase_add_test(tc, test_apps_rcnn_size);
    tcase_add_test(tc, test_apps_rcnn_learns);
    tcase_add_test(tc, test_apps_alignment_causal);
    tcase_add_test(tc, test_apps_lstm_cnn_gradcheck);
    tcase_add_test(tc, test_apps_scores);
    tcase_add_test(tc, test_apps_run_writes_history_and_plot);
    tcase_add_test(tc, test_apps_failed_plot_keeps_weights);
    tcase_add_test(tc, test_apps_named_dir_without_data);
    tcase_add_test(tc, train_with_an_infinite_rate_is_refused_and_saves_nothing);
    tcase_add_test(tc, train_with_a_huge_rate_prints_no_inf);
    tcase_add_test(tc, train_stopped_by_nan_keeps_the_finished_epochs);
    suite_add_tcase(s, tc);
    return s;
}
