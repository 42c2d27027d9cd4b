/* Time series for sequence models: a series of feature vectors with one
 * target per step, split by time, and cut into sliding windows.
 *
 * Label alignment (per step). A window starting at step s holds the inputs
 * x[s], ..., x[s+T-1]. A causal model's output at window step t has seen the
 * inputs up to x[s+t], so its target is the value `horizon` steps later:
 *
 *     y[n, t] = target[s + t + horizon]        (s = lo + n * stride)
 *
 * With horizon 1 and target[i] = "it rained on day i", the output at step t
 * predicts rain on the day after the last day it can see. Layers that shrink
 * the time axis (a valid convolution, a pooling) see further per output step:
 * tg_window_output_targets picks the targets of their outputs.
 *
 * Splits are by time, in order (train, then validation, then test), and the
 * windows of a range take inputs and targets from that range only, so no
 * future value reaches training. */
#ifndef TG_SERIES_H
#define TG_SERIES_H

#include <stddef.h>

#include "tensor/tensor.h"

typedef struct tg_series {
    size_t steps;
    int dims;
    double *x;      /* steps x dims features, row-major */
    double *target; /* steps: the quantity predicted, at its own step */
} tg_series;

void tg_series_alloc(tg_series *s, size_t steps, int dims);
void tg_series_free(tg_series *s);

/* [0, train_end) is training, [train_end, val_end) validation,
 * [val_end, steps) test. */
typedef struct tg_time_split {
    size_t train_end, val_end, steps;
} tg_time_split;

/* The last test_steps steps are the test range, the val_steps before them
 * validation, all earlier steps training. */
tg_time_split tg_time_split_make(size_t steps, size_t val_steps, size_t test_steps);

typedef struct tg_window_spec {
    int steps;   /* T: inputs per window */
    int horizon; /* how far ahead the target lies, in steps (>= 0) */
    int stride;  /* steps between window starts (>= 1) */
} tg_window_spec;

/* Number of windows with inputs and targets inside [lo, hi). */
size_t tg_window_count(size_t lo, size_t hi, tg_window_spec spec);

/* The windows of [lo, hi): *x (N, T, dims) and *y (N, T, 1), new heap
 * tensors. A range too short for one window is a data error. */
tg_status tg_windows_make(const tg_series *s, size_t lo, size_t hi, tg_window_spec spec,
                          tg_tensor **x, tg_tensor **y);

/* Targets (N, T, C) -> (N, count, C): window steps first, first + step, ...
 * A valid Conv1D of width k then a MaxPool1D of size p (stride p) gives
 * output j the inputs up to window step j*p + (p - 1) + (k - 1): its target
 * is the target of that step, so first = p + k - 2 and step = p. */
tg_tensor *tg_window_output_targets(const tg_tensor *y, int first, int step, int count);

#endif
