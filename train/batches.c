#include "train/internal/batches.h"

#include <math.h>
#include <string.h>

/* Stops unless shape is (N, per_sample...) with N == n (n < 0: any N >= 1). */
static void expect_batch_of(const char *what, tg_shape shape, tg_shape per_sample, int n)
{
    int fits = shape.ndim == per_sample.ndim + 1 && shape.dim[0] >= 1 &&
               (n < 0 || shape.dim[0] == n);
    for (int i = 0; fits && i < per_sample.ndim; i++)
        fits = shape.dim[i + 1] == per_sample.dim[i];
    if (!fits) {
        char a[TG_SHAPE_STR_LEN], b[TG_SHAPE_STR_LEN];
        tg_fatal("fit: %s of shape %s, the model wants (%s, ...) = %s", what,
                 tg_shape_str(shape, a, sizeof a), n < 0 ? "N" : "N of x",
                 tg_shape_str(per_sample, b, sizeof b));
    }
}

void tg_source_expect(const tg_model *m, const char *x_what, const char *y_what,
                      const tg_fit_source *src)
{
    expect_batch_of(x_what, src->x_shape, m->input_shape, -1);
    expect_batch_of(y_what, src->y_shape, m->output_shape, src->x_shape.dim[0]);
}

/* The rows idx[0..count) of src into dst. */
static void copy_rows(tg_tensor *dst, const tg_tensor *src, const int *idx, int count)
{
    const size_t row = src->size / (size_t)src->shape.dim[0];
    for (int i = 0; i < count; i++)
        memcpy(dst->data + (size_t)i * row, src->data + (size_t)idx[i] * row,
               row * sizeof(tg_real));
}

static void gather_pair(const void *ctx, const int *idx, int count, tg_tensor *x, tg_tensor *y)
{
    const tg_tensor_pair *p = ctx;
    copy_rows(x, p->x, idx, count);
    copy_rows(y, p->y, idx, count);
}

tg_fit_source tg_pair_source(const tg_tensor_pair *p)
{
    return (tg_fit_source){p->x->shape, p->y->shape, gather_pair, p};
}

void tg_source_gather(tg_tape *tape, const tg_fit_source *src, const int *idx, int count,
                      tg_tensor **x, tg_tensor **y)
{
    tg_shape xs = src->x_shape, ys = src->y_shape;
    xs.dim[0] = ys.dim[0] = count;
    *x = tg_tape_tensor(tape, xs);
    *y = tg_tape_tensor(tape, ys);
    src->gather(src->ctx, idx, count, *x, *y);
}

int *tg_indices(int n)
{
    int *idx = tg_xmalloc((size_t)n * sizeof *idx, "fit indices");
    for (int i = 0; i < n; i++)
        idx[i] = i;
    return idx;
}

void tg_running_add(tg_running *r, const tg_model *m, double loss, int count,
                    const tg_tensor *pred, const tg_tensor *target)
{
    r->loss += loss * count;
    r->samples += (size_t)count;
    for (int i = 0; i < m->n_metrics; i++) {
        tg_metric_sum s = tg_metric_compute(m->metrics[i], m->loss, pred, target);
        r->metric[i].sum += s.sum;
        r->metric[i].count += s.count;
    }
}

double tg_running_loss(const tg_running *r)
{
    return r->samples ? r->loss / (double)r->samples : NAN;
}

void tg_running_metrics(const tg_running *r, int n, double *out)
{
    for (int i = 0; i < n; i++)
        out[i] = r->metric[i].count ? r->metric[i].sum / (double)r->metric[i].count : NAN;
}

tg_status tg_running_check(const tg_running *r, const tg_model *m)
{
    const double loss = tg_running_loss(r);
    if (!isfinite(loss))
        return tg_status_error("the loss over the %zu samples is %g", r->samples, loss);
    double metrics[TG_MODEL_MAX_METRICS];
    tg_running_metrics(r, m->n_metrics, metrics);
    for (int i = 0; i < m->n_metrics; i++)
        if (!isfinite(metrics[i]))
            return tg_status_error("%s over the %zu samples is %g", tg_metric_name(m->metrics[i]),
                                   r->samples, metrics[i]);
    return tg_status_ok();
}
