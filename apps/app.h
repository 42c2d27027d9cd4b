/* The document's applications end to end, as `tapegrad train` runs them: data
 * (real when found, else the embedded synthetic set, and it says so), the
 * model of models.h, training with a progress bar and a per-epoch
 * line, the test figures next to the baselines, the history CSV, the plot
 * and the checkpoint.
 *
 *   timeseries  Seattle rain tomorrow (section 4.1's model, binary)
 *   images      Fashion-MNIST (section 4.2's model, ten classes)
 *   regression  Seattle next-hour temperature (4.1's model with MSE)
 *
 * Everything is written to opts->out (stdout when NULL). */
#ifndef TG_APP_H
#define TG_APP_H

#include <stdint.h>
#include <stdio.h>

#include "layers/lstm.h"
#include "tensor/error.h"
#include "apps/models.h"

typedef enum { TG_APP_TIMESERIES = 0, TG_APP_IMAGES, TG_APP_REGRESSION } tg_app_task;

typedef struct tg_app_opts {
    tg_app_task task;
    const char *data_dir;  /* NULL: data/ then the installed paths, else embedded */
    int embedded;          /* 1: the embedded data even when real data is there */
    int epochs;            /* default 5 */
    int batch_size;        /* default 32 */
    double learning_rate;  /* default 1e-3 (adam, rmsprop), 1e-2 (sgd, gd) */
    const char *optimizer; /* "adam" (default), "sgd", "rmsprop", "gd" (whole-set batches) */
    double l1, l2;         /* kernel regularizers on every layer */
    int patience;          /* > 0: early stopping on val_loss, best weights restored */
    tg_peephole peephole;
    tg_series_arch arch;   /* series tasks: cnn-lstm (the document's) or lstm-cnn */
    int steps;             /* series window length T (default 16 days / 24 hours / 32) */
    size_t limit;          /* images: train on the first `limit` images only (0: all) */
    uint64_t seed;         /* default 42 */
    int threads;           /* 0: leave as is */
    const char *history_csv, *plot_png, *save_dir, *load_dir; /* NULL: not wanted */
    FILE *out;
} tg_app_opts;

tg_app_opts tg_app_defaults(void);

/* What a run measured (for tests and scripts). */
typedef struct tg_app_result {
    int epochs_run;
    double first_loss, last_loss;        /* training loss of the first and last epoch */
    double test_loss, test_metric;       /* accuracy (timeseries, images) or mae */
    double model, persistence, majority; /* series: last-step test figures (series tasks) */
    int embedded;                        /* 1: ran on the embedded data */
} tg_app_result;

/* Data errors (a file that is there but broken, a --data DIR without the
 * files, a checkpoint that does not fit) come back as a status. */
tg_status tg_app_run(const tg_app_opts *opts, tg_app_result *result);

#endif
