/* The steps every application of app.c takes, for the tasks that live in
 * files of their own (frames.c): the optimizer from the options, the
 * weights loaded before training and the outputs written after, fit's
 * options, the history's summary, Fashion-MNIST. Not installed. */
#ifndef TG_APP_STEPS_H
#define TG_APP_STEPS_H

#include <stdio.h>

#include "apps/apps.h"

/* Compiles m with the options' optimizer and learning rate; *whole_set: gd. */
tg_status tg_app_compile(tg_model *m, const tg_app_opts *o, tg_loss loss, tg_metric metric,
                         int *whole_set);
/* --load DIR before training (nothing without it). */
tg_status tg_app_load_weights(tg_model *m, const tg_app_opts *o, FILE *out);
/* --save, --history, --plot after training: every one tried, the first error returned. */
tg_status tg_app_write_outputs(const tg_model *m, const tg_history *h, const tg_app_opts *o,
                               FILE *out);
tg_fit_opts tg_app_fit_options(const tg_app_opts *o, int whole_set, FILE *out);
/* epochs_run, first_loss, last_loss of r from the history. */
void tg_app_record(tg_app_result *r, const tg_history *h);
/* Fashion-MNIST's training and test sets from o->data_dir (NULL: the usual
 * places), checked against what the model takes; where says which files. */
tg_status tg_app_fashion(const tg_app_opts *o, tg_image_set *train, tg_image_set *test,
                         char *where, size_t len);
/* The test figures' status as the applications report it: a loss or metric
 * that is not finite is an error naming the test set. */
tg_status tg_app_test_figures(tg_status evaluated);

/* The frames task end to end (frames.c). */
tg_status tg_app_run_frames(const tg_app_opts *o, tg_app_result *r, FILE *out);

#endif
