/* tg_history: what fit measured, one row per epoch, and its CSV form
 *
 *     epoch,loss,val_loss,<metric>,val_<metric>,...,seconds
 *
 * (epochs from 1; val_ columns empty when there was no validation data, so
 * gnuplot and NumPy read them as missing). */
#ifndef TG_HISTORY_H
#define TG_HISTORY_H

#include "tensor/error.h"

#define TG_HISTORY_MAX_METRICS 4
#define TG_HISTORY_NAME_LEN 32

typedef struct tg_history {
    int n_metrics;
    char metric_names[TG_HISTORY_MAX_METRICS][TG_HISTORY_NAME_LEN];
    int has_val;
    int n_epochs, cap;
    double *loss, *val_loss, *seconds;
    double *metric[TG_HISTORY_MAX_METRICS], *val_metric[TG_HISTORY_MAX_METRICS];
    /* Set by fit: the epoch (from 1) training stopped early at and why, or 0. */
    int stopped_epoch;
    int best_epoch; /* the epoch whose weights the model holds when restored, or 0 */
} tg_history;

void tg_history_init(tg_history *h, int n_metrics, const char *const *metric_names, int has_val);
/* metrics and val_metrics have n_metrics values (val_ ones ignored without validation). */
void tg_history_append(tg_history *h, double loss, double val_loss, const double *metrics,
                       const double *val_metrics, double seconds);
void tg_history_free(tg_history *h);

/* Writes path.tmp, fsyncs it and renames it into place (tg_write_file):
 * after a crash the file is the old CSV or the whole new one. Doubles are printed with 17
 * significant digits, so a CSV read back gives the same numbers. */
tg_status tg_history_save_csv(const tg_history *h, const char *path);
/* Reads a CSV of that form; on failure h is left empty (and freeable). */
tg_status tg_history_load_csv(tg_history *h, const char *path);

#endif
