/* fit: epochs of batches through the step, and the callbacks around them. */
#include "train/train.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "train/internal/batches.h"
#include "train/internal/evaluate.h"
#include "train/internal/weights.h"

tg_fit_opts tg_fit_defaults(void)
{
    tg_fit_opts o;
    memset(&o, 0, sizeof o);
    o.epochs = 1;
    o.batch_size = 32;
    o.shuffle = 1;
    o.verbose = 1;
    return o;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void shuffle(tg_rng *rng, int *idx, int n)
{
    /* Fisher-Yates: every order equally likely. */
    for (int i = n - 1; i > 0; i--) {
        const int j = (int)tg_rng_below(rng, (uint64_t)i + 1);
        const int t = idx[i];
        idx[i] = idx[j];
        idx[j] = t;
    }
}

/* ---- what one fit trains on ---- */

/* The samples train_idx[0..n_train) of train, validated on
 * val_idx[0..n_val) of val (n_val = 0: none). The pairs hold the tensors
 * behind the sources when fit is given tensors. */
typedef struct {
    tg_tensor_pair train_pair, val_pair;
    tg_fit_source train, val;
    int *train_idx, *val_idx;
    int n_train, n_val;
} fit_data;

/* The tensors x, y and opts' validation data (or split) as fit_data. */
static void split_data(tg_model *m, const tg_tensor *x, const tg_tensor *y, const tg_fit_opts *o,
                       fit_data *d)
{
    memset(d, 0, sizeof *d);
    d->train_pair = d->val_pair = (tg_tensor_pair){x, y};
    d->train = d->val = tg_pair_source(&d->train_pair);
    tg_source_expect(m, "x", "y", &d->train);
    const int n = x->shape.dim[0];
    d->n_train = n;
    if (o->x_val || o->y_val) {
        if (!o->x_val || !o->y_val)
            tg_fatal("fit: validation data needs both x_val and y_val");
        d->val_pair = (tg_tensor_pair){o->x_val, o->y_val};
        d->val = tg_pair_source(&d->val_pair);
        tg_source_expect(m, "x_val", "y_val", &d->val);
        d->n_val = o->x_val->shape.dim[0];
        d->val_idx = tg_indices(d->n_val);
    } else if (o->validation_split > 0) {
        /* Keras: the first ceil(N (1 - split)) samples train, the rest validate. */
        const int split_at = (int)ceil(n * (1.0 - o->validation_split));
        if (o->validation_split >= 1 || split_at < 1 || split_at >= n)
            tg_fatal("fit: validation_split %g of %d samples leaves no training or no validation "
                     "sample", o->validation_split, n);
        d->n_train = split_at;
        d->n_val = n - split_at;
        d->val_idx = tg_indices(n);
        memmove(d->val_idx, d->val_idx + split_at, (size_t)d->n_val * sizeof *d->val_idx);
    }
    d->train_idx = tg_indices(d->n_train);
}

static void expect_fit(const tg_model *m, const tg_fit_opts *o)
{
    if (!m->compiled)
        tg_fatal("fit: the model is not compiled (call tg_model_compile)");
    if (m->n_layers < 1)
        tg_fatal("fit: the model has no layers");
    if (o->epochs < 1 || o->batch_size < 0 || o->clip_norm < 0 || o->n_callbacks < 0 ||
        (o->n_callbacks > 0 && !o->callbacks))
        tg_fatal("fit: epochs %d must be >= 1, batch_size %d, clip_norm %g and n_callbacks %d "
                 ">= 0 (with callbacks set)", o->epochs, o->batch_size, o->clip_norm,
                 o->n_callbacks);
}

/* ---- one run of fit ---- */

typedef struct {
    tg_model *m;
    const fit_data *d;
    const tg_fit_opts *o;
    int batch_size;
    tg_fit_state s;
    /* fit's own callbacks (history, progress, early stopping), then the user's */
    tg_callback *callbacks;
    int n_callbacks;
    tg_progress progress;
    tg_early_stopping early_stopping;
    /* The last good weights: the model's at the end of epoch s.weights_epoch (0: the start). */
    tg_tensor **good;
} fit_run;

typedef enum { TRAIN_BEGIN, EPOCH_BEGIN, BATCH_END } moment;

/* Every callback's hook for that moment, in order, until one fails. */
static void call(fit_run *f, moment when)
{
    for (int i = 0; i < f->n_callbacks && tg_is_ok(&f->s.status); i++) {
        const tg_callback *c = &f->callbacks[i];
        void (*hook)(void *, tg_fit_state *) = when == TRAIN_BEGIN   ? c->on_train_begin
                                               : when == EPOCH_BEGIN ? c->on_epoch_begin
                                                                     : c->on_batch_end;
        if (hook)
            hook(c->ctx, &f->s);
    }
}

/* on_train_end is called on every callback, whatever happened before. */
static void call_train_end(fit_run *f)
{
    for (int i = 0; i < f->n_callbacks; i++)
        if (f->callbacks[i].on_train_end)
            f->callbacks[i].on_train_end(f->callbacks[i].ctx, &f->s);
}

/* Every callback's on_epoch_end (until one fails); 1 when one asks to stop. */
static int call_epoch_end(fit_run *f)
{
    int stop = 0;
    for (int i = 0; i < f->n_callbacks && tg_is_ok(&f->s.status); i++)
        if (f->callbacks[i].on_epoch_end)
            stop |= f->callbacks[i].on_epoch_end(f->callbacks[i].ctx, &f->s);
    return stop || !tg_is_ok(&f->s.status);
}

static void fit_begin(fit_run *f, tg_model *m, const fit_data *d, const tg_fit_opts *o,
                      tg_history *history)
{
    memset(f, 0, sizeof *f);
    f->m = m;
    f->d = d;
    f->o = o;
    f->batch_size = o->batch_size == 0 || o->batch_size > d->n_train ? d->n_train : o->batch_size;
    FILE *out = o->out ? o->out : stdout;
    f->callbacks = tg_xcalloc((size_t)o->n_callbacks + 3, sizeof *f->callbacks, "fit callbacks");
    f->callbacks[f->n_callbacks++] = tg_history_callback(history);
    if (o->verbose)
        f->callbacks[f->n_callbacks++] = tg_progress_callback(&f->progress, out);
    /* Early stopping's rule also runs when it is off, for history->best_epoch: it then never
     * stops and restores nothing. */
    tg_early_stopping_opts eo = o->early_stopping;
    if (!eo.enabled) {
        eo.patience = INT_MAX;
        eo.restore_best_weights = 0;
    }
    f->callbacks[f->n_callbacks++] =
        tg_early_stopping_callback(&f->early_stopping, &eo, o->verbose ? out : NULL);
    for (int i = 0; i < o->n_callbacks; i++)
        f->callbacks[f->n_callbacks++] = o->callbacks[i];
    f->s.model = m;
    f->s.epochs = o->epochs;
    f->s.batches = (d->n_train + f->batch_size - 1) / f->batch_size;
    f->s.has_val = d->n_val > 0;
    f->s.val_loss = NAN;
    for (int i = 0; i < TG_MODEL_MAX_METRICS; i++)
        f->s.val_metrics[i] = NAN;
    f->s.status = tg_status_ok();
    f->good = tg_weights_clone(m->params, m->n_params);
    call(f, TRAIN_BEGIN);
}

/* The batches of the epoch through the step, then validation: the epoch's
 * figures into f->s, every one of them finite, or the status says which is not. */
static tg_status run_epoch(fit_run *f)
{
    tg_model *m = f->m;
    tg_fit_state *s = &f->s;
    const double t0 = now();
    s->seconds = 0;
    call(f, EPOCH_BEGIN);
    if (f->o->shuffle)
        shuffle(&m->shuffle_rng, f->d->train_idx, f->d->n_train);
    tg_running r = {0};
    for (int b = 0; b < s->batches && tg_is_ok(&s->status); b++) {
        const int start = b * f->batch_size;
        const int count = start + f->batch_size <= f->d->n_train ? f->batch_size
                                                                 : f->d->n_train - start;
        tg_tape_reset(m->tape);
        tg_tensor *x, *y;
        tg_source_gather(m->tape, &f->d->train, f->d->train_idx + start, count, &x, &y);
        double loss;
        const tg_status st = tg_model_train_step(m, x, y, f->o->clip_norm, &loss);
        if (!tg_is_ok(&st))
            return tg_status_error("fit: the loss is %g at epoch %d, batch %d of %d, %s", loss,
                                   s->epoch, b + 1, s->batches, st.msg);
        tg_running_add(&r, m, loss, count, m->outputs[m->n_layers - 1], y);
        s->batch = b + 1;
        s->loss = tg_running_loss(&r);
        s->seconds = now() - t0;
        call(f, BATCH_END);
    }
    tg_tape_reset(m->tape);
    if (!tg_is_ok(&s->status))
        return s->status;
    tg_status st = tg_running_check(&r, m);
    if (!tg_is_ok(&st))
        return tg_status_error("fit: training at epoch %d: %s", s->epoch, st.msg);
    tg_running_metrics(&r, m->n_metrics, s->metrics);
    if (s->has_val) {
        st = tg_evaluate_rows(m, &f->d->val, f->d->val_idx, f->d->n_val, f->batch_size,
                              &s->val_loss, s->val_metrics);
        if (!tg_is_ok(&st))
            return tg_status_error("fit: validation at epoch %d: %s", s->epoch, st.msg);
    }
    s->seconds = now() - t0;
    return tg_status_ok();
}

/* The end of training, however it came: after a failure the model goes
 * back to its last good weights, then every callback's on_train_end runs,
 * and the status says which weights the model holds. */
static tg_status fit_end(fit_run *f, tg_status st, int stopped_epoch, tg_history *history)
{
    tg_model *m = f->m;
    if (!tg_is_ok(&st))
        tg_weights_copy(m->params, f->good, m->n_params);
    f->s.status = st;
    call_train_end(f);
    history->stopped_epoch = stopped_epoch;
    history->best_epoch = f->early_stopping.best_epoch;
    history->weights_epoch = f->s.weights_epoch;
    tg_weights_free(f->good, m->n_params);
    free(f->callbacks);
    if (tg_is_ok(&st))
        return st;
    char kept[48] = "the initial weights";
    if (f->s.weights_epoch > 0)
        snprintf(kept, sizeof kept, "the weights of epoch %d", f->s.weights_epoch);
    return tg_status_error("%s; training stopped with %s", st.msg, kept);
}

/* The loop over epochs; frees d's index arrays. */
static tg_status fit_loop(tg_model *m, fit_data *d, const tg_fit_opts *o, tg_history *history)
{
    fit_run f;
    fit_begin(&f, m, d, o, history);
    tg_status st = f.s.status;
    int stop = !tg_is_ok(&st);
    for (int epoch = 1; epoch <= o->epochs && !stop; epoch++) {
        f.s.epoch = epoch;
        st = run_epoch(&f);
        if (!tg_is_ok(&st))
            break;
        tg_weights_copy(f.good, m->params, m->n_params);
        f.s.weights_epoch = epoch;
        stop = call_epoch_end(&f);
        st = f.s.status;
    }
    const int stopped_epoch = stop && tg_is_ok(&st) ? f.s.epoch : 0;
    free(d->train_idx);
    free(d->val_idx);
    return fit_end(&f, st, stopped_epoch, history);
}

tg_status tg_model_fit(tg_model *m, const tg_tensor *x, const tg_tensor *y, const tg_fit_opts *o,
                       tg_history *history)
{
    expect_fit(m, o);
    fit_data d;
    split_data(m, x, y, o, &d);
    return fit_loop(m, &d, o, history);
}

tg_status tg_model_fit_source(tg_model *m, const tg_fit_source *train, const tg_fit_source *val,
                              const tg_fit_opts *o, tg_history *history)
{
    expect_fit(m, o);
    fit_data d;
    memset(&d, 0, sizeof d);
    d.train = *train;
    tg_source_expect(m, "x", "y", &d.train);
    d.n_train = train->x_shape.dim[0];
    d.train_idx = tg_indices(d.n_train);
    if (val) {
        d.val = *val;
        tg_source_expect(m, "x_val", "y_val", &d.val);
        d.n_val = val->x_shape.dim[0];
        d.val_idx = tg_indices(d.n_val);
    }
    return fit_loop(m, &d, o, history);
}
