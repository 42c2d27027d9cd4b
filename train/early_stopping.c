#include "train/train.h"

#include <math.h>
#include <string.h>

#include "train/internal/weights.h"

/* The rule's state from scratch; the callback's settings (opts, out) are
 * left as they are. */
static void start(tg_early_stopping *es, const char *monitor, double min_delta, int patience,
                  tg_tensor *const *params, int n)
{
    if (patience < 0 || min_delta < 0)
        tg_fatal("early_stopping: patience %d and min_delta %g must not be negative", patience,
                 min_delta);
    es->monitor = monitor;
    es->maximize = tg_monitor_maximizes(monitor);
    es->min_delta = min_delta;
    es->patience = patience;
    es->best = es->maximize ? -INFINITY : INFINITY;
    es->best_epoch = es->wait = es->stopped_epoch = 0;
    es->n = n;
    es->best_weights = tg_weights_clone(params, n);
}

void tg_early_stopping_init(tg_early_stopping *es, const char *monitor, double min_delta,
                            int patience, tg_tensor *const *params, int n)
{
    memset(es, 0, sizeof *es);
    start(es, monitor, min_delta, patience, params, n);
}

int tg_early_stopping_update(tg_early_stopping *es, int epoch, double value,
                             tg_tensor *const *params)
{
    es->wait++;
    if (tg_monitor_improves(es->maximize, es->min_delta, es->best, value)) {
        es->best = value;
        es->best_epoch = epoch;
        es->wait = 0;
        tg_weights_copy(es->best_weights, params, es->n);
        return 0;
    }
    return es->wait >= es->patience && epoch > 1;
}

void tg_early_stopping_restore(const tg_early_stopping *es, tg_tensor *const *params)
{
    tg_weights_copy(params, es->best_weights, es->n);
}

void tg_early_stopping_free(tg_early_stopping *es)
{
    tg_weights_free(es->best_weights, es->n);
    memset(es, 0, sizeof *es);
}

/* ---- as a callback ---- */

static void es_train_begin(void *ctx, tg_fit_state *s)
{
    tg_early_stopping *es = ctx;
    const tg_model *m = s->model;
    /* The weights are copied aside only when they will be restored. */
    start(es, tg_monitor_resolve(es->opts.monitor, s, "early stopping"), es->opts.min_delta,
          es->opts.patience, m->params, es->opts.restore_best_weights ? m->n_params : 0);
}

static int es_epoch_end(void *ctx, tg_fit_state *s)
{
    tg_early_stopping *es = ctx;
    if (!tg_early_stopping_update(es, s->epoch, tg_fit_state_value(s, es->monitor),
                                  s->model->params))
        return 0;
    es->stopped_epoch = s->epoch;
    if (es->out)
        fprintf(es->out, "Epoch %d: early stopping (%s has not improved since epoch %d)\n",
                s->epoch, es->monitor, es->best_epoch);
    return 1;
}

static void es_train_end(void *ctx, tg_fit_state *s)
{
    tg_early_stopping *es = ctx;
    if (es->opts.restore_best_weights && es->best_epoch > 0) {
        tg_early_stopping_restore(es, s->model->params);
        s->weights_epoch = es->best_epoch;
    }
    tg_weights_free(es->best_weights, es->n);
    es->best_weights = NULL;
    es->n = 0;
}

tg_callback tg_early_stopping_callback(tg_early_stopping *es, const tg_early_stopping_opts *opts,
                                       FILE *out)
{
    memset(es, 0, sizeof *es);
    es->opts = *opts;
    es->out = out;
    return (tg_callback){.ctx = es,
                         .on_train_begin = es_train_begin,
                         .on_epoch_end = es_epoch_end,
                         .on_train_end = es_train_end};
}
