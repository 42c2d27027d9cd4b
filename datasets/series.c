#include "datasets/datasets.h"

#include <stdlib.h>
#include <string.h>

void tg_series_alloc(tg_series *s, size_t steps, int dims)
{
    if (dims <= 0)
        tg_fatal("tg_series_alloc: %d feature dimensions", dims);
    s->steps = steps;
    s->dims = dims;
    s->x = tg_xcalloc(steps * (size_t)dims, sizeof *s->x, "tg_series_alloc");
    s->target = tg_xcalloc(steps, sizeof *s->target, "tg_series_alloc");
}

void tg_series_free(tg_series *s)
{
    free(s->x);
    free(s->target);
    memset(s, 0, sizeof *s);
}

tg_time_split tg_time_split_make(size_t steps, size_t val_steps, size_t test_steps)
{
    if (val_steps > steps || test_steps > steps - val_steps)
        tg_fatal("tg_time_split_make: %zu validation + %zu test steps exceed the %zu steps",
                 val_steps, test_steps, steps);
    tg_time_split sp = {steps - val_steps - test_steps, steps - test_steps, steps};
    return sp;
}

static void check_spec(const char *op, tg_window_spec spec)
{
    if (spec.steps < 1 || spec.horizon < 0 || spec.stride < 1)
        tg_fatal("%s: bad window (T %d, horizon %d, stride %d)", op, spec.steps, spec.horizon,
                 spec.stride);
}

size_t tg_window_count(size_t lo, size_t hi, tg_window_spec spec)
{
    check_spec("tg_window_count", spec);
    size_t span = (size_t)spec.steps + (size_t)spec.horizon;
    if (hi < lo || hi - lo < span)
        return 0;
    return (hi - lo - span) / (size_t)spec.stride + 1;
}

tg_status tg_windows_make(const tg_series *s, size_t lo, size_t hi, tg_window_spec spec,
                          tg_tensor **x, tg_tensor **y)
{
    if (hi > s->steps || lo > hi)
        tg_fatal("tg_windows_make: range [%zu, %zu) outside the %zu steps", lo, hi, s->steps);
    size_t n = tg_window_count(lo, hi, spec);
    if (n == 0)
        return tg_status_error("windows: the range [%zu, %zu) of %zu steps is shorter than one "
                               "window (T %d + horizon %d)", lo, hi, hi - lo, spec.steps,
                               spec.horizon);
    int T = spec.steps, D = s->dims;
    tg_tensor *xt = tg_tensor_new(TG_SHAPE((int)n, T, D));
    tg_tensor *yt = tg_tensor_new(TG_SHAPE((int)n, T, 1));
    for (size_t w = 0; w < n; w++) {
        size_t start = lo + w * (size_t)spec.stride;
        for (int t = 0; t < T; t++) {
            const double *row = s->x + (start + (size_t)t) * (size_t)D;
            tg_real *dst = xt->data + (w * (size_t)T + (size_t)t) * (size_t)D;
            for (int d = 0; d < D; d++)
                dst[d] = (tg_real)row[d];
            /* y[n, t] = target[s + t + horizon] */
            yt->data[w * (size_t)T + (size_t)t] =
                (tg_real)s->target[start + (size_t)t + (size_t)spec.horizon];
        }
    }
    *x = xt;
    *y = yt;
    return tg_status_ok();
}

tg_tensor *tg_window_output_targets(const tg_tensor *y, int first, int step, int count)
{
    if (y->shape.ndim != 3 || first < 0 || step < 1 || count < 1 ||
        first + (count - 1) * step >= y->shape.dim[1]) {
        char buf[TG_SHAPE_STR_LEN];
        tg_fatal("tg_window_output_targets: steps %d + %d * (0..%d) do not fit targets %s",
                 first, step, count - 1, tg_shape_str(y->shape, buf, sizeof buf));
    }
    int N = y->shape.dim[0], T = y->shape.dim[1], C = y->shape.dim[2];
    tg_tensor *out = tg_tensor_new(TG_SHAPE(N, count, C));
    for (int n = 0; n < N; n++)
        for (int j = 0; j < count; j++)
            memcpy(out->data + ((size_t)n * (size_t)count + (size_t)j) * (size_t)C,
                   y->data + ((size_t)n * (size_t)T + (size_t)(first + j * step)) * (size_t)C,
                   (size_t)C * sizeof *out->data);
    return out;
}
