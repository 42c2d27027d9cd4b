/* Feature scaling, fitted on the training range only.
 *
 *   min-max:          x' = (x - min) / (max - min)
 *   standardization:  x' = (x - mean) / std
 *
 * Both are x' = (x - shift) / scale with (shift, scale) measured on the
 * training rows; the same numbers are then applied to every row, validation
 * and test included, so nothing about the future leaks into the fit. A
 * constant column gets scale 1. */
#ifndef TG_SCALE_H
#define TG_SCALE_H

#include <stddef.h>

#define TG_SCALER_MAX_DIMS 16

typedef enum tg_scale_kind { TG_SCALE_MINMAX, TG_SCALE_STANDARD } tg_scale_kind;

typedef struct tg_scaler {
    tg_scale_kind kind;
    int dims;
    double shift[TG_SCALER_MAX_DIMS];
    double scale[TG_SCALER_MAX_DIMS];
} tg_scaler;

/* Fits on rows [lo, hi) of x (rows x dims, row-major). */
tg_scaler tg_scaler_fit(tg_scale_kind kind, const double *x, int dims, size_t lo, size_t hi);
/* x' = (x - shift) / scale on rows 0 .. rows-1, in place. */
void tg_scaler_apply(const tg_scaler *s, double *x, size_t rows);
/* x = x' * scale + shift, for one value of column d. */
double tg_scaler_invert(const tg_scaler *s, int d, double v);

#endif
