#include "apps/apps.h"

#include <errno.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>

#include "apps/internal/app_steps.h"
#include "kernels/kernels.h"
#include "tensor/internal/file.h"
#include "train/train.h"
#include "datasets/datasets.h"

/* Sizes of the embedded sets: big enough to learn, small enough for a
 * demo in well under a minute on two cores. */
#define EMBEDDED_SERIES_STEPS 3000
#define EMBEDDED_IMAGES_TRAIN 6000
#define EMBEDDED_IMAGES_TEST 1000

tg_app_opts tg_app_defaults(void)
{
    tg_app_opts o;
    memset(&o, 0, sizeof o);
    o.epochs = 5;
    o.batch_size = 32;
    o.optimizer = "adam";
    o.seed = 42;
    return o;
}

static tg_status compile(tg_model *m, const tg_app_opts *o, tg_loss loss, tg_metric metric,
                         int *whole_set)
{
    const char *name = o->optimizer ? o->optimizer : "adam";
    int plain_sgd = !strcmp(name, "sgd") || !strcmp(name, "gd");
    double lr = o->learning_rate > 0 ? o->learning_rate : plain_sgd ? 1e-2 : 1e-3;
    tg_optimizer *opt;
    if (!strcmp(name, "adam"))
        opt = tg_optimizer_adam(lr);
    else if (!strcmp(name, "rmsprop"))
        opt = tg_optimizer_rmsprop(lr);
    else if (plain_sgd)
        opt = tg_optimizer_sgd(lr, 0, 0);
    else
        return tg_status_error("optimizer '%s': expected adam, sgd, rmsprop or gd", name);
    *whole_set = !strcmp(name, "gd");
    tg_model_compile(m, opt, loss, metric);
    return tg_status_ok();
}

/* The checkpoint's path in dir; 0 when it does not fit (refused before
 * training by check_files, so never cut). */
static int checkpoint_path(const char *dir, char *path, size_t len)
{
    const int n = snprintf(path, len, "%s/model.ckpt", dir);
    return n >= 0 && (size_t)n < len;
}

/* The task a checkpoint records, so that one task's weights never load
 * into another's model of the same shapes. */
static const char *task_name(tg_app_task task)
{
    return task == TG_APP_IMAGES ? "images" : task == TG_APP_REGRESSION ? "regression"
                                                                        : "timeseries";
}

/* ---- what is checked before anything runs ---- */

static tg_status check_options(const tg_app_opts *o)
{
    /* !(x > 0) and !(x >= 0): NaN fails them too. */
    if (o->epochs < 1 || o->batch_size < 1 || !(o->l1 >= 0) || !(o->l2 >= 0) || isinf(o->l1) ||
        isinf(o->l2) || o->patience < 0 || o->steps < 0 || (o->steps > 0 && o->steps < 4))
        return tg_status_error("train: epochs %d and batch %d must be >= 1, l1 %g and l2 %g "
                               "finite and >= 0, patience %d >= 0, steps 0 or >= 4 (got %d)",
                               o->epochs, o->batch_size, o->l1, o->l2, o->patience, o->steps);
    if (o->learning_rate != 0 && !(o->learning_rate > 0 && isfinite(o->learning_rate)))
        return tg_status_error("train: the learning rate %g must be a positive finite number (0: "
                               "the optimizer's default)",
                               o->learning_rate);
    if (o->threads < 0 || o->threads > TG_MAX_THREADS)
        return tg_status_error("train: %d threads (1 to %d, or 0 to leave the count as it is)",
                               o->threads, TG_MAX_THREADS);
    if (o->task == TG_APP_IMAGES && o->patience > 0 && o->limit > 0 && o->limit < 10)
        return tg_status_error("--patience %d validates on the last tenth of the training "
                               "images: --limit %zu leaves none for it",
                               o->patience, o->limit);
    if (o->plot_png && !o->history_csv)
        return tg_status_error("--plot %s needs --history FILE.csv (the plot is drawn from it)",
                               o->plot_png);
    return tg_status_ok();
}

/* The files a run writes (and the checkpoint it reads), named once. */
typedef struct {
    const char *role[6], *path[6];
    int output[6], n;
    char save[1024], load[1024];
    tg_plot_paths plot;
} app_files;

static void add_file(app_files *f, const char *role, const char *path, int output)
{
    f->role[f->n] = role;
    f->path[f->n] = path;
    f->output[f->n++] = output;
}

/* Names every file the run touches and refuses, before any training, a
 * path too long to name a checkpoint and two that are one file where one
 * is written: the history replaced by its own plot (--history r.txt --plot
 * r.png: the text plot is r.txt), the PNG over the history, ... Saving over
 * the checkpoint the run loaded is allowed: that is resuming. */
static tg_status collect_files(const tg_app_opts *o, app_files *f)
{
    memset(f, 0, sizeof *f);
    const char *const dirs[2] = {o->save_dir, o->load_dir};
    const char *const options[2] = {"--save", "--load"};
    char *const paths[2] = {f->save, f->load};
    for (int i = 0; i < 2; i++)
        if (dirs[i] && !checkpoint_path(dirs[i], paths[i], sizeof f->save))
            return tg_status_error("%s: a directory name of %zu bytes is too long (its "
                                   "model.ckpt must fit in %zu bytes)",
                                   options[i], strlen(dirs[i]), sizeof f->save - 1);
    if (o->save_dir)
        add_file(f, "--save checkpoint", f->save, 1);
    if (o->load_dir)
        add_file(f, "--load checkpoint", f->load, 0);
    if (o->history_csv)
        add_file(f, "--history CSV", o->history_csv, 1);
    if (o->plot_png) {
        tg_plot_opts po = tg_plot_defaults();
        po.png_path = o->plot_png;
        tg_status st = tg_plot_name(o->history_csv, &po, &f->plot);
        if (!tg_is_ok(&st))
            return st;
        add_file(f, "--plot PNG", f->plot.png, 1);
        add_file(f, "text plot", f->plot.text, 1);
        add_file(f, "gnuplot script", f->plot.script, 1);
    }
    return tg_status_ok();
}

static tg_status check_files(const tg_app_opts *o)
{
    app_files f;
    tg_status st = collect_files(o, &f);
    for (int i = 0; i < f.n && tg_is_ok(&st); i++)
        for (int j = i + 1; j < f.n && tg_is_ok(&st); j++) {
            const int resuming = f.path[i] == f.save && f.path[j] == f.load;
            if ((f.output[i] || f.output[j]) && !resuming && tg_file_same(f.path[i], f.path[j]))
                st = tg_status_error("train: the %s %s and the %s %s are one file: choose other "
                                     "names",
                                     f.role[i], f.path[i], f.role[j], f.path[j]);
        }
    return st;
}

/* A data file the run reads is none of the files it writes. */
static tg_status refuse_outputs_over(const tg_app_opts *o, const char *data)
{
    app_files f;
    tg_status st = collect_files(o, &f);
    for (int i = 0; i < f.n && tg_is_ok(&st); i++)
        if (f.output[i] && tg_file_same(f.path[i], data))
            st = tg_status_error("train: the %s %s is the data file %s: choose another name",
                                 f.role[i], f.path[i], data);
    return st;
}

/* --load before training, --save, history and plot after. */
static tg_status load_weights(tg_model *m, const tg_app_opts *o, FILE *out)
{
    if (!o->load_dir)
        return tg_status_ok();
    char path[1024];
    checkpoint_path(o->load_dir, path, sizeof path);
    tg_status st = tg_model_load_task(m, path, task_name(o->task));
    if (tg_is_ok(&st))
        fprintf(out, "weights loaded from %s\n", path);
    return st;
}

/* After training, however it ended (a NaN/Inf stop too): the weights the
 * model holds (fit's last good ones, or the best with early stopping) and
 * the history of the finished epochs. The weights first: they are what the
 * training run cost, and a history or a plot that cannot be written
 * (gnuplot missing, a bad path) must not cost them. Every output is tried;
 * the first error is returned. With no epoch finished there is nothing to
 * keep, and whatever the paths hold stays as it was. */
static tg_status write_outputs(const tg_model *m, const tg_history *h, const tg_app_opts *o,
                               FILE *out)
{
    tg_status first = tg_status_ok();
    if (h->n_epochs == 0) {
        if (o->save_dir || o->history_csv)
            fprintf(out, "nothing saved: no epoch finished\n");
        return first;
    }
    if (o->save_dir) {
        char path[1024];
        checkpoint_path(o->save_dir, path, sizeof path);
        tg_status st = mkdir(o->save_dir, 0777) != 0 && errno != EEXIST
                           ? tg_status_error("%s: cannot create the directory: %s", o->save_dir,
                                             strerror(errno))
                           : tg_model_save_task(m, path, task_name(o->task));
        if (tg_is_ok(&st))
            fprintf(out, "weights of epoch %d saved to %s\n", h->weights_epoch, path);
        else
            first = st;
    }
    if (o->history_csv) {
        tg_status st = tg_history_save_csv(h, o->history_csv);
        if (tg_is_ok(&st)) {
            fprintf(out, "history: %s\n", o->history_csv);
            if (o->plot_png) {
                tg_plot_opts po = tg_plot_defaults();
                po.png_path = o->plot_png;
                st = tg_plot_history(o->history_csv, &po);
                if (tg_is_ok(&st))
                    fprintf(out, "plot: %s (and the text plot next to it)\n", o->plot_png);
            }
        }
        if (!tg_is_ok(&st) && tg_is_ok(&first))
            first = st;
    }
    return first;
}

static tg_fit_opts fit_options(const tg_app_opts *o, int whole_set, FILE *out)
{
    tg_fit_opts f = tg_fit_defaults();
    f.epochs = o->epochs;
    f.batch_size = whole_set ? 0 : o->batch_size;
    f.out = out;
    if (o->patience > 0) {
        f.early_stopping.enabled = 1;
        f.early_stopping.patience = o->patience;
        f.early_stopping.restore_best_weights = 1;
    }
    return f;
}

/* The test set's loss or metric is not finite: an error, not a figure to print. */
static tg_status test_figures(tg_status evaluated)
{
    return tg_is_ok(&evaluated) ? evaluated : tg_status_error("test set: %s", evaluated.msg);
}

static void record(tg_app_result *r, const tg_history *h)
{
    r->epochs_run = h->n_epochs;
    r->first_loss = h->n_epochs ? h->loss[0] : NAN;
    r->last_loss = h->n_epochs ? h->loss[h->n_epochs - 1] : NAN;
}

/* ---- time series and regression ---- */

static tg_status series_data(const tg_app_opts *o, int binary, tg_series_task *t, FILE *out,
                             int *embedded)
{
    int T = o->steps;
    *embedded = 1;
    if (!o->embedded) {
        tg_status st = binary ? tg_rain_task(o->data_dir, T ? T : 32, t)
                              : tg_temps_task(o->data_dir, T ? T : 24, t);
        if (tg_is_ok(&st)) {
            *embedded = 0;
            st = refuse_outputs_over(o, t->source);
            if (!tg_is_ok(&st))
                tg_series_task_free(t);
            return st;
        }
        /* A file named by the user, or found but broken, is an error; only
         * "not installed" falls back to the embedded data. */
        if (o->data_dir || st.code != TG_DATA_NOT_FOUND)
            return st;
        fprintf(out, "note: %s\n      using the embedded data instead\n", st.msg);
    }
    tg_status st = tg_synthetic_task(binary, EMBEDDED_SERIES_STEPS, T ? T : 32, o->seed, t);
    /* Only a window length can fail here (the default fits). */
    return tg_is_ok(&st) ? st : tg_status_error("--steps %d: %s", T, st.msg);
}

static tg_status run_series(const tg_app_opts *o, tg_app_result *r, FILE *out)
{
    const int binary = o->task == TG_APP_TIMESERIES;
    tg_series_task t;
    tg_status st = series_data(o, binary, &t, out, &r->embedded);
    if (!tg_is_ok(&st))
        return st;
    tg_series_model_targets(o->arch, &t);
    fprintf(out, "task: %s\ndata: %s\n", t.name, t.source);
    fprintf(out, "windows of T = %d steps, D = %d features: %d train, %d validation, %d test "
                 "(split by time; scaling fitted on the training range)\n",
            t.T, t.D, t.x_train->shape.dim[0], t.x_val->shape.dim[0], t.x_test->shape.dim[0]);
    tg_series_model_describe_targets(o->arch, t.T, out);

    tg_app_model_opts mo = {.peephole = o->peephole, .reg = {o->l1, o->l2}, .seed = o->seed};
    tg_model *m = tg_series_model(o->arch, t.T, t.D, binary, mo);
    int whole_set = 0;
    st = compile(m, o, binary ? TG_LOSS_BCE : TG_LOSS_MSE,
                 binary ? TG_METRIC_ACCURACY : TG_METRIC_MAE, &whole_set);
    if (tg_is_ok(&st))
        st = load_weights(m, o, out);
    if (!tg_is_ok(&st)) {
        tg_model_free(m);
        tg_series_task_free(&t);
        return st;
    }
    tg_model_summary(m, out);
    fprintf(out, "\n");

    tg_fit_opts f = fit_options(o, whole_set, out);
    f.x_val = t.x_val;
    f.y_val = t.y_val;
    tg_history h;
    st = tg_model_fit(m, t.x_train, t.y_train, &f, &h);
    record(r, &h);
    double metric;
    if (tg_is_ok(&st))
        st = test_figures(tg_model_evaluate(m, t.x_test, t.y_test, o->batch_size, &r->test_loss,
                                            &metric));
    if (tg_is_ok(&st)) {
        r->test_metric = metric;
        tg_tensor *pred = tg_model_predict(m, t.x_test, 256);
        tg_series_scores sc = tg_series_task_score(&t, pred);
        tg_tensor_free(pred);
        r->model = sc.model;
        r->persistence = sc.persistence;
        r->majority = sc.majority;
        fprintf(out, "\ntest, every output step: loss %.4f, %s %.4f\n", r->test_loss,
                binary ? "accuracy" : "mae (scaled units)", metric);
        fprintf(out, "test, last output step of each of the %d test windows:\n", t.n_test);
        if (binary) {
            fprintf(out, "  model accuracy                          %.4f\n", sc.model);
            fprintf(out, "  persistence (like the last step seen)   %.4f   (%.4f over the whole "
                         "set)\n", sc.persistence, t.whole_persistence);
            fprintf(out, "  majority (the commoner training class)  %.4f   (%.4f over the whole "
                         "set)\n", sc.majority, t.whole_majority);
        } else {
            fprintf(out, "  model MSE                               %.4f\n", sc.model);
            fprintf(out, "  persistence MSE (like the last step)    %.4f\n", sc.persistence);
        }
    }
    const tg_status written = write_outputs(m, &h, o, out);
    if (tg_is_ok(&st))
        st = written;
    tg_history_free(&h);
    tg_model_free(m);
    tg_series_task_free(&t);
    return st;
}

/* ---- images ---- */

/* What the images model needs of the sets, checked before it is built:
 * images that hold its windows (a 3 x 3 convolution, then 2 x 2 pooling:
 * at least 4 x 4), the same size in both sets, and with --patience a
 * validation tenth that is not empty. */
static tg_status check_images(const tg_app_opts *o, const tg_image_set *train,
                              const tg_image_set *test, const char *train_path,
                              const char *test_path)
{
    if (train->rows < 4 || train->cols < 4)
        return tg_status_error("%s: images of %d x %d pixels are smaller than the model's "
                               "windows (a 3 x 3 convolution, then 2 x 2 pooling: at least 4 x 4)",
                               train_path, train->rows, train->cols);
    if (test->rows != train->rows || test->cols != train->cols)
        return tg_status_error("%s: images of %d x %d pixels, but %s holds %d x %d", test_path,
                               test->rows, test->cols, train_path, train->rows, train->cols);
    const size_t used = o->limit > 0 && o->limit < train->count ? o->limit : train->count;
    if (o->patience > 0 && used / 10 == 0)
        return tg_status_error("%s: --patience validates on the last tenth of the %zu training "
                               "images, which is none",
                               train_path, used);
    return tg_status_ok();
}

static tg_status fashion(const tg_app_opts *o, tg_image_set *train, tg_image_set *test,
                         char *where, size_t len)
{
    const char *dir = o->data_dir;
    static const char *const files[4] = {
        "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
        "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"};
    char path[4][1024];
    for (int i = 0; i < 4; i++) {
        tg_status st = tg_data_find(TG_DATA_FASHION_MNIST, files[i], dir, path[i], sizeof path[i]);
        if (!tg_is_ok(&st))
            return st;
    }
    for (int i = 0; i < 4; i++) {
        tg_status st = refuse_outputs_over(o, path[i]);
        if (!tg_is_ok(&st))
            return st;
    }
    tg_status st = tg_idx_load(path[0], path[1], train);
    if (!tg_is_ok(&st))
        return st;
    st = tg_idx_load(path[2], path[3], test);
    if (tg_is_ok(&st))
        st = check_images(o, train, test, path[0], path[2]);
    if (!tg_is_ok(&st)) {
        tg_image_set_free(train);
        tg_image_set_free(test);
        return st;
    }
    snprintf(where, len, "Fashion-MNIST, %s and its neighbours", path[0]);
    return st;
}

static tg_status run_images(const tg_app_opts *o, tg_app_result *r, FILE *out)
{
    tg_image_set train, test;
    char source[1200];
    r->embedded = 1;
    if (!o->embedded) {
        tg_status st = fashion(o, &train, &test, source, sizeof source);
        if (tg_is_ok(&st))
            r->embedded = 0;
        else if (o->data_dir || st.code != TG_DATA_NOT_FOUND)
            return st;
        else
            fprintf(out, "note: %s\n      using the embedded data instead\n", st.msg);
    }
    if (r->embedded) {
        tg_synthetic_shapes(&train, EMBEDDED_IMAGES_TRAIN, o->seed);
        tg_synthetic_shapes(&test, EMBEDDED_IMAGES_TEST, o->seed + 1);
        snprintf(source, sizeof source, "embedded: synthetic shapes (ten classes), seed %llu",
                 (unsigned long long)o->seed);
    }
    if (test.classes > train.classes)
        train.classes = test.classes;
    test.classes = train.classes;
    /* A view of the first images (no copy) when asked to train on fewer. */
    tg_image_set fit_set = train;
    if (o->limit > 0 && o->limit < train.count)
        fit_set.count = o->limit;
    /* The test set is scored once, after training: what validates each
     * epoch (and what early stopping watches) is the last tenth of the
     * training images, held out, as the document's validation_data=(X_val,
     * y_val) intends. A view again, no copy. */
    const size_t n_val = fit_set.count / 10, pixels = (size_t)train.rows * (size_t)train.cols;
    fit_set.count -= n_val;
    tg_image_set val_set = fit_set;
    val_set.count = n_val;
    val_set.pixels = fit_set.pixels + fit_set.count * pixels;
    val_set.labels = fit_set.labels + fit_set.count;
    fprintf(out, "task: %d-class images\ndata: %s\n", train.classes, source);
    fprintf(out, "%zu training images, %zu validation images (the last tenth of the training "
                 "set), %zu test images (%d x %d)\n\n",
            fit_set.count, val_set.count, test.count, train.rows, train.cols);

    tg_app_model_opts mo = {.peephole = o->peephole, .reg = {o->l1, o->l2}, .seed = o->seed};
    tg_model *m = tg_images_model(train.rows, train.cols, train.classes, mo);
    int whole_set = 0;
    tg_status st = compile(m, o, TG_LOSS_CCE, TG_METRIC_ACCURACY, &whole_set);
    if (tg_is_ok(&st) && whole_set)
        st = tg_status_error("optimizer gd (the whole set per step) is not offered for images");
    if (tg_is_ok(&st))
        st = load_weights(m, o, out);
    if (tg_is_ok(&st)) {
        tg_model_summary(m, out);
        fprintf(out, "\n");
        tg_fit_opts f = fit_options(o, 0, out);
        tg_history h;
        st = tg_model_fit_images(m, &fit_set, &val_set, &f, &h);
        record(r, &h);
        double acc;
        if (tg_is_ok(&st))
            st = test_figures(
                tg_model_evaluate_images(m, &test, o->batch_size, &r->test_loss, &acc));
        if (tg_is_ok(&st)) {
            r->test_metric = r->model = acc;
            size_t counts[256] = {0}, best = 0;
            for (size_t i = 0; i < fit_set.count; i++)
                counts[fit_set.labels[i]]++;
            for (int c = 0; c < 256; c++)
                best = counts[c] > counts[best] ? (size_t)c : best;
            size_t hits = 0;
            for (size_t i = 0; i < test.count; i++)
                hits += test.labels[i] == best;
            r->majority = (double)hits / (double)test.count;
            r->persistence = NAN;
            fprintf(out, "\ntest: loss %.4f, accuracy %.4f (majority class: %.4f)\n",
                    r->test_loss, acc, r->majority);
        }
        const tg_status written = write_outputs(m, &h, o, out);
        if (tg_is_ok(&st))
            st = written;
        tg_history_free(&h);
    }
    tg_model_free(m);
    tg_image_set_free(&train);
    tg_image_set_free(&test);
    return st;
}

tg_status tg_app_run(const tg_app_opts *o, tg_app_result *result)
{
    FILE *out = o->out ? o->out : stdout;
    tg_app_result r;
    memset(&r, 0, sizeof r);
    tg_status st = check_options(o);
    if (tg_is_ok(&st))
        st = check_files(o);
    if (tg_is_ok(&st)) {
        if (o->threads > 0)
            tg_set_threads(o->threads);
        st = o->task == TG_APP_FRAMES   ? tg_app_run_frames(o, &r, out)
             : o->task == TG_APP_IMAGES ? run_images(o, &r, out)
                                        : run_series(o, &r, out);
    }
    if (result)
        *result = r;
    return st;
}

/* ---- the shared steps, for the tasks in files of their own (app_steps.h) ---- */

tg_status tg_app_compile(tg_model *m, const tg_app_opts *o, tg_loss loss, tg_metric metric,
                         int *whole_set)
{
    return compile(m, o, loss, metric, whole_set);
}

tg_status tg_app_load_weights(tg_model *m, const tg_app_opts *o, FILE *out)
{
    return load_weights(m, o, out);
}

tg_status tg_app_write_outputs(const tg_model *m, const tg_history *h, const tg_app_opts *o,
                               FILE *out)
{
    return write_outputs(m, h, o, out);
}

tg_fit_opts tg_app_fit_options(const tg_app_opts *o, int whole_set, FILE *out)
{
    return fit_options(o, whole_set, out);
}

void tg_app_record(tg_app_result *r, const tg_history *h)
{
    record(r, h);
}

tg_status tg_app_fashion(const tg_app_opts *o, tg_image_set *train, tg_image_set *test,
                         char *where, size_t len)
{
    return fashion(o, train, test, where, len);
}

tg_status tg_app_test_figures(tg_status evaluated)
{
    return test_figures(evaluated);
}
