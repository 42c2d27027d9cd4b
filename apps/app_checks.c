/* What tg_app_run checks before anything runs: the options' values, and
 * every file the run touches, so that no output is ever an input or
 * another output. */
#include "apps/internal/app_steps.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "kernels/kernels.h"
#include "tensor/internal/file.h"

/* The checkpoint's path in dir; 0 when it does not fit (refused before
 * training by check_files, so never cut). */
int tg_app_checkpoint_path(const char *dir, char *path, size_t len)
{
    const int n = snprintf(path, len, "%s/model.ckpt", dir);
    return n >= 0 && (size_t)n < len;
}

tg_status tg_app_check_options(const tg_app_opts *o)
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
        if (dirs[i] && !tg_app_checkpoint_path(dirs[i], paths[i], sizeof f->save))
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

tg_status tg_app_check_files(const tg_app_opts *o)
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
tg_status tg_app_refuse_outputs_over(const tg_app_opts *o, const char *data)
{
    app_files f;
    tg_status st = collect_files(o, &f);
    for (int i = 0; i < f.n && tg_is_ok(&st); i++)
        if (f.output[i] && tg_file_same(f.path[i], data))
            st = tg_status_error("train: the %s %s is the data file %s: choose another name",
                                 f.role[i], f.path[i], data);
    return st;
}

