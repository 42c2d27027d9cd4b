/* What the files of the applications share: the checks before a run
 * (app_checks.c), the steps every task takes (app_steps.c), and each task
 * (series_app.c, images_app.c, frames.c, next_frame.c), which tg_app_run (app.c)
 * dispatches to. Not installed. */
#ifndef TG_APP_STEPS_H
#define TG_APP_STEPS_H

#include <stddef.h>
#include <stdio.h>

#include "apps/apps.h"

/* ---- app_checks.c: before anything runs ---- */

/* The checkpoint's path in dir; 0 when it does not fit (refused before
 * training by tg_app_check_files, so never cut). */
int tg_app_checkpoint_path(const char *dir, char *path, size_t len);
/* The options' values: counts, rates, penalties, threads. */
tg_status tg_app_check_options(const tg_app_opts *o);
/* Every file the run touches, named once: refuses a path too long to name
 * a checkpoint and two that are one file where one is written. */
tg_status tg_app_check_files(const tg_app_opts *o);
/* Refuses an output of the run that is the data file `data`. */
tg_status tg_app_refuse_outputs_over(const tg_app_opts *o, const char *data);

/* ---- app_steps.c: the steps of every task ---- */

/* Compiles m with the options' optimizer and learning rate; *whole_set: gd. */
tg_status tg_app_compile(tg_model *m, const tg_app_opts *o, tg_loss loss, tg_metric metric,
                         int *whole_set);
/* --load DIR before training (nothing without it). */
tg_status tg_app_load_weights(tg_model *m, const tg_app_opts *o, FILE *out);
/* --save, --history, --plot after training, however it ended: every one
 * tried, the first error returned; nothing when no epoch finished. */
tg_status tg_app_write_outputs(const tg_model *m, const tg_history *h, const tg_app_opts *o,
                               FILE *out);
tg_fit_opts tg_app_fit_options(const tg_app_opts *o, int whole_set, FILE *out);
/* The test figures' status as the applications report it: a loss or metric
 * that is not finite is an error naming the test set. */
tg_status tg_app_test_figures(tg_status evaluated);
/* epochs_run, first_loss, last_loss of r from the history. */
void tg_app_record(tg_app_result *r, const tg_history *h);
/* Fashion-MNIST's training and test sets from o->data_dir (NULL: the usual
 * places), checked against what the model takes; where says which files. */
tg_status tg_app_fashion(const tg_app_opts *o, tg_image_set *train, tg_image_set *test,
                         char *where, size_t len);
/* Fashion-MNIST (tg_app_fashion) unless o->embedded; when it is not found
 * and o->data_dir names no folder, a note on out and the embedded shapes
 * instead, n_train and n_test of them from o->seed. *embedded says which;
 * where names the source. A data_dir without the files, or files that are
 * there but bad, are the error returned. */
tg_status tg_app_image_sets(const tg_app_opts *o, size_t n_train, size_t n_test,
                            tg_image_set *train, tg_image_set *test, int *embedded, char *where,
                            size_t len, FILE *out);

/* ---- the tasks ---- */

/* timeseries and regression (series_app.c) */
tg_status tg_app_run_series(const tg_app_opts *o, tg_app_result *r, FILE *out);
/* images (images_app.c) */
tg_status tg_app_run_images(const tg_app_opts *o, tg_app_result *r, FILE *out);
/* frames (frames.c) */
tg_status tg_app_run_frames(const tg_app_opts *o, tg_app_result *r, FILE *out);
/* next-frame (next_frame.c) */
tg_status tg_app_run_next_frame(const tg_app_opts *o, tg_app_result *r, FILE *out);

#endif
