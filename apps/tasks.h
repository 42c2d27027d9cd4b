/* The series tasks of the applications, ready to train: windows of the
 * train / validation / test ranges (split by time, in order), features
 * scaled with numbers fitted on the training range only, targets aligned
 * with the series models' pooled outputs (models.h), and for the test
 * windows the baselines a model must beat.
 *
 *   rain:        Seattle weather (seattle-weather.csv), one row a day;
 *                features (precipitation, temp_max, temp_min, wind, rained
 *                today, the season as sin and cos of the day of the year),
 *                target "rain tomorrow" = precipitation of the next day > 0;
 *                the last 365 days are the test, the 182 before validation.
 *   temps:       Seattle hourly temperature (seattle-temps.csv, 2010);
 *                features (temp, sin and cos of the hour of day), forecast
 *                the next hour's temperature (regression); test the last 60
 *                days, validation the 30 before.
 *   synthetic:   tg_synthetic_series, "goes up next" (binary) or the next
 *                value (regression); test and validation 15% each.
 *
 * A regression forecasts a level (a temperature) through its change: the
 * model's target at step i is level[i] - level[i-1], and the forecast is
 * the last level seen plus the predicted change (a model that predicts no
 * change is exactly persistence).
 *
 * Test figures are taken at the last output step of each test window
 * (stride 1): it has seen the whole window, and each test step is then
 * scored once. Persistence predicts the target's current value ("tomorrow
 * like today"); majority predicts the commonest training class. */
#ifndef TG_APP_TASKS_H
#define TG_APP_TASKS_H

#include <stdint.h>

#include "tensor/tensor.h"
#include "datasets/scale.h"

typedef struct tg_series_task {
    char name[64];
    char source[512];  /* the file read, or how the data was made */
    int T, D, binary;
    tg_tensor *x_train, *y_train, *x_val, *y_val, *x_test, *y_test; /* y: (N, outputs, 1) */
    /* Per test window, in the target's own units: the truth of its last
     * output step and the persistence prediction for it. */
    int n_test;
    double *truth, *persistence;
    double *base;         /* added to a regression's output: the last level seen */
    double majority;      /* binary: the commonest class among training targets */
    tg_scaler target;     /* the target's scaling: change = tg_scaler_invert(&target, 0, y);
                           * the identity for a binary task */
    /* Binary: accuracies over the whole data set (every step, no windows),
     * for reference; NAN for a regression. */
    double whole_persistence, whole_majority;
} tg_series_task;

/* dir: where to look for the file (data_path.h; NULL: the usual places). */
tg_status tg_rain_task(const char *dir, int T, tg_series_task *out);
tg_status tg_temps_task(const char *dir, int T, tg_series_task *out);
void tg_synthetic_task(int binary, size_t steps, int T, uint64_t seed, tg_series_task *out);
void tg_series_task_free(tg_series_task *t);

/* Test scores from a model's predictions on x_test ((N, outputs, 1)):
 * accuracy for a binary task, MSE in the target's units for a regression;
 * majority is NAN for a regression. */
typedef struct tg_series_scores {
    double model, persistence, majority;
} tg_series_scores;
tg_series_scores tg_series_task_score(const tg_series_task *t, const tg_tensor *pred);

#endif
