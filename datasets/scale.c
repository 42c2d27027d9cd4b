#include "datasets/datasets.h"

#include <math.h>

#include "tensor/tensor.h"

tg_scaler tg_scaler_fit(tg_scale_kind kind, const double *x, int dims, size_t lo, size_t hi)
{
    if (dims < 1 || dims > TG_SCALER_MAX_DIMS || hi <= lo)
        tg_fatal("tg_scaler_fit: %d dims (1 .. %d), rows [%zu, %zu)", dims, TG_SCALER_MAX_DIMS,
                 lo, hi);
    tg_scaler s = {.kind = kind, .dims = dims};
    for (int d = 0; d < dims; d++) {
        double a = x[lo * (size_t)dims + (size_t)d], b = a, sum = 0;
        for (size_t r = lo; r < hi; r++) {
            double v = x[r * (size_t)dims + (size_t)d];
            a = fmin(a, v);
            b = fmax(b, v);
            sum += v;
        }
        double mean = sum / (double)(hi - lo), var = 0;
        for (size_t r = lo; r < hi; r++) {
            double v = x[r * (size_t)dims + (size_t)d] - mean;
            var += v * v;
        }
        double spread = kind == TG_SCALE_MINMAX ? b - a : sqrt(var / (double)(hi - lo));
        s.shift[d] = kind == TG_SCALE_MINMAX ? a : mean;
        s.scale[d] = spread > 0 ? spread : 1;
    }
    return s;
}

void tg_scaler_apply(const tg_scaler *s, double *x, size_t rows)
{
    for (size_t r = 0; r < rows; r++)
        for (int d = 0; d < s->dims; d++) {
            double *v = &x[r * (size_t)s->dims + (size_t)d];
            /* x' = (x - shift) / scale */
            *v = (*v - s->shift[d]) / s->scale[d];
        }
}

double tg_scaler_invert(const tg_scaler *s, int d, double v)
{
    return v * s->scale[d] + s->shift[d];
}
