#include "train/internal/evaluate.h"

#include <math.h>
#include <stdlib.h>

#include "train/internal/batches.h"
#include "train/internal/micro_batches.h"

tg_status tg_evaluate_rows(tg_model *m, const tg_fit_source *src, const int *idx, int n,
                           int batch_size, double *loss, double *metrics)
{
    tg_running r = {0};
    tg_status st = tg_status_ok();
    const int batches = (n + batch_size - 1) / batch_size;
    tg_tape_no_grad_begin(m->tape);
    for (int b = 0; b < batches && tg_is_ok(&st); b++) {
        const int start = b * batch_size;
        const int count = start + batch_size <= n ? batch_size : n - start;
        tg_tape_reset(m->tape);
        tg_tensor *x, *y;
        tg_source_gather(m->tape, src, idx + start, count, &x, &y);
        tg_tensor *pred = tg_micro_batches_infer(m, x);
        const double value = (double)tg_model_loss(m, m->tape, pred, y)->data[0];
        if (!isfinite(value)) {
            /* The place is searched in every layer's output of the batch run whole. */
            tg_model_forward(m, m->tape, x, 0);
            const tg_status where = tg_model_check_forward(m, value);
            st = tg_status_error("the loss is %g at batch %d of %d, %s", value, b + 1, batches,
                                 where.msg);
        }
        tg_running_add(&r, m, value, count, pred, y);
    }
    tg_tape_reset(m->tape);
    tg_tape_no_grad_end(m->tape);
    if (tg_is_ok(&st))
        st = tg_running_check(&r, m);
    if (loss)
        *loss = tg_running_loss(&r);
    if (metrics)
        tg_running_metrics(&r, m->n_metrics, metrics);
    return st;
}

tg_status tg_model_evaluate_source(tg_model *m, const tg_fit_source *src, int batch_size,
                                   double *loss, double *metrics)
{
    if (!m->compiled)
        tg_fatal("evaluate: the model is not compiled (call tg_model_compile)");
    tg_source_expect(m, "x", "y", src);
    const int n = src->x_shape.dim[0];
    int *idx = tg_indices(n);
    const tg_status st =
        tg_evaluate_rows(m, src, idx, n, batch_size > 0 ? batch_size : n, loss, metrics);
    free(idx);
    return tg_is_ok(&st) ? st : tg_status_error("evaluate: %s", st.msg);
}

tg_status tg_model_evaluate(tg_model *m, const tg_tensor *x, const tg_tensor *y, int batch_size,
                            double *loss, double *metrics)
{
    const tg_tensor_pair p = {x, y};
    const tg_fit_source src = tg_pair_source(&p);
    return tg_model_evaluate_source(m, &src, batch_size, loss, metrics);
}
