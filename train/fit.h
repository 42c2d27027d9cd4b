/* fit, evaluate: Keras's training loop for a compiled tg_model.
 *
 *     tg_fit_opts o = tg_fit_defaults();
 *     o.epochs = 10; o.batch_size = 32; o.x_val = xv; o.y_val = yv;
 *     tg_history h;
 *     tg_status s = tg_model_fit(m, x, y, &o, &h);
 *
 * Each step: reset the one tape, gather the batch into its arena, forward,
 * loss (+ penalties), backward, clip, optimizer step. After the first step
 * the arena holds a whole step, so the steady state does no malloc. */
#ifndef TG_FIT_H
#define TG_FIT_H

#include <stdio.h>

#include "train/early_stopping.h"
#include "train/history.h"
#include "train/model.h"

typedef struct tg_fit_opts {
    int epochs;              /* default 1 */
    int batch_size;          /* default 32; 0: the whole training set (gradient descent) */
    int shuffle;             /* default 1: a new order each epoch, from the model's seed */
    double validation_split; /* the last fraction of x, y (before shuffling), as Keras */
    const tg_tensor *x_val, *y_val; /* validation data; wins over validation_split */
    tg_early_stopping_opts early_stopping;
    double clip_norm;        /* > 0: clip the gradients to this global norm */
    int verbose;             /* default 1: a progress bar on a terminal, else a line per epoch */
    FILE *out;               /* where progress goes; NULL: stdout */
} tg_fit_opts;

tg_fit_opts tg_fit_defaults(void);

/* Trains m on x (N, input...) and y (N, output...). history is initialised
 * here (free it with tg_history_free), and holds every finished epoch even
 * when training stops on a NaN/Inf (in the loss, a layer's output or a
 * gradient, checked every step before the optimizer runs); that is a data
 * error: the status names the epoch, the batch and the layer where it first
 * appeared, and the model keeps the best weights so far. */
tg_status tg_model_fit(tg_model *m, const tg_tensor *x, const tg_tensor *y, const tg_fit_opts *opts,
                       tg_history *history);

/* The loss (with penalties) and each compiled metric over x, y, in batches
 * without gradients; metrics may be NULL. */
double tg_model_evaluate(tg_model *m, const tg_tensor *x, const tg_tensor *y, int batch_size,
                         double *metrics);

/* Samples that are not two tensors (fit_images.h: images kept as bytes),
 * for the same loop: x_shape and y_shape are the whole set's,
 * (N, input...) and (N, output...), and gather writes the samples
 * idx[0..count) into x (count, input...) and y (count, output...), tensors
 * in the tape's arena, converting them as it goes. */
typedef struct tg_fit_source {
    tg_shape x_shape, y_shape;
    void (*gather)(const void *ctx, const int *idx, int count, tg_tensor *x, tg_tensor *y);
    const void *ctx;
} tg_fit_source;

/* tg_model_fit on the samples of train, validated on those of val (NULL:
 * none); validation_split, x_val and y_val of opts are not used. */
tg_status tg_model_fit_source(tg_model *m, const tg_fit_source *train, const tg_fit_source *val,
                              const tg_fit_opts *opts, tg_history *history);

/* tg_model_evaluate on the samples of src. */
double tg_model_evaluate_source(tg_model *m, const tg_fit_source *src, int batch_size,
                                double *metrics);

#endif
