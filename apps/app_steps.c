/* The steps every application takes: the optimizer from the options, the
 * weights loaded before training and the outputs written after (however
 * training ended), fit's options, the result's figures, Fashion-MNIST. */
#include "apps/internal/app_steps.h"

#include <errno.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>

#include "datasets/datasets.h"
#include "train/train.h"

tg_status tg_app_compile(tg_model *m, const tg_app_opts *o, tg_loss loss, tg_metric metric,
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

/* The task a checkpoint records, so that one task's weights never load
 * into another's model of the same shapes. */
static const char *task_name(tg_app_task task)
{
    return task == TG_APP_IMAGES       ? "images"
           : task == TG_APP_REGRESSION ? "regression"
           : task == TG_APP_FRAMES     ? "frames"
           : task == TG_APP_NEXT_FRAME ? "next-frame"
                                       : "timeseries";
}

/* --load before training, --save, history and plot after. */
tg_status tg_app_load_weights(tg_model *m, const tg_app_opts *o, FILE *out)
{
    if (!o->load_dir)
        return tg_status_ok();
    char path[1024];
    tg_app_checkpoint_path(o->load_dir, path, sizeof path);
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
tg_status tg_app_write_outputs(const tg_model *m, const tg_history *h, const tg_app_opts *o,
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
        tg_app_checkpoint_path(o->save_dir, path, sizeof path);
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

tg_fit_opts tg_app_fit_options(const tg_app_opts *o, int whole_set, FILE *out)
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
tg_status tg_app_test_figures(tg_status evaluated)
{
    return tg_is_ok(&evaluated) ? evaluated : tg_status_error("test set: %s", evaluated.msg);
}

void tg_app_record(tg_app_result *r, const tg_history *h)
{
    r->epochs_run = h->n_epochs;
    r->first_loss = h->n_epochs ? h->loss[0] : NAN;
    r->last_loss = h->n_epochs ? h->loss[h->n_epochs - 1] : NAN;
}

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

tg_status tg_app_fashion(const tg_app_opts *o, tg_image_set *train, tg_image_set *test,
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
        tg_status st = tg_app_refuse_outputs_over(o, path[i]);
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

tg_status tg_app_image_sets(const tg_app_opts *o, size_t n_train, size_t n_test,
                            tg_image_set *train, tg_image_set *test, int *embedded, char *where,
                            size_t len, FILE *out)
{
    *embedded = 1;
    if (!o->embedded) {
        tg_status st = tg_app_fashion(o, train, test, where, len);
        if (tg_is_ok(&st))
            *embedded = 0;
        else if (o->data_dir || st.code != TG_DATA_NOT_FOUND)
            return st;
        else
            fprintf(out, "note: %s\n      using the embedded data instead\n", st.msg);
    }
    if (*embedded) {
        tg_synthetic_shapes(train, n_train, o->seed);
        tg_synthetic_shapes(test, n_test, o->seed + 1);
        snprintf(where, len, "embedded: synthetic shapes (ten classes), seed %llu",
                 (unsigned long long)o->seed);
    }
    return tg_status_ok();
}
