#include "train/train.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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

/* Both of a source's shapes against the model's. */
static void expect_source(const tg_model *m, const char *x_what, const char *y_what,
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

/* The source of samples held as two tensors x, y. */
typedef struct {
    const tg_tensor *x, *y;
} tensor_pair;

static void gather_pair(const void *ctx, const int *idx, int count, tg_tensor *x, tg_tensor *y)
{
    const tensor_pair *p = ctx;
    copy_rows(x, p->x, idx, count);
    copy_rows(y, p->y, idx, count);
}

static tg_fit_source pair_source(const tensor_pair *p)
{
    return (tg_fit_source){p->x->shape, p->y->shape, gather_pair, p};
}

/* The samples idx[0..count) of src as arena tensors xb, yb (no gradient). */
static void gather(tg_tape *tape, const tg_fit_source *src, const int *idx, int count,
                   tg_tensor **xb, tg_tensor **yb)
{
    tg_shape xs = src->x_shape, ys = src->y_shape;
    xs.dim[0] = ys.dim[0] = count;
    *xb = tg_tape_tensor(tape, xs);
    *yb = tg_tape_tensor(tape, ys);
    src->gather(src->ctx, idx, count, *xb, *yb);
}

typedef struct {
    double loss;
    tg_metric_sum metric[TG_MODEL_MAX_METRICS];
    size_t samples;
} running;

static void running_add(running *r, const tg_model *m, double loss, int count,
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

static double running_loss(const running *r)
{
    return r->samples ? r->loss / (double)r->samples : NAN;
}

static void running_metrics(const running *r, int n, double *out)
{
    for (int i = 0; i < n; i++)
        out[i] = r->metric[i].count ? r->metric[i].sum / (double)r->metric[i].count : NAN;
}

/* Loss and metrics over the samples idx[0..n) of src, without gradients. */
static double evaluate_rows(tg_model *m, const tg_fit_source *src, const int *idx, int n,
                            int batch_size, double *metrics)
{
    running r;
    memset(&r, 0, sizeof r);
    tg_tape_no_grad_begin(m->tape);
    for (int start = 0; start < n; start += batch_size) {
        const int count = start + batch_size <= n ? batch_size : n - start;
        tg_tape_reset(m->tape);
        tg_tensor *xb, *yb;
        gather(m->tape, src, idx + start, count, &xb, &yb);
        tg_tensor *pred = tg_model_forward(m, m->tape, xb, 0);
        tg_tensor *loss = tg_model_loss(m, m->tape, pred, yb);
        running_add(&r, m, (double)loss->data[0], count, pred, yb);
    }
    tg_tape_reset(m->tape);
    tg_tape_no_grad_end(m->tape);
    if (metrics)
        running_metrics(&r, m->n_metrics, metrics);
    return running_loss(&r);
}

static int *identity(int n)
{
    int *idx = tg_xmalloc((size_t)n * sizeof *idx, "fit indices");
    for (int i = 0; i < n; i++)
        idx[i] = i;
    return idx;
}

double tg_model_evaluate_source(tg_model *m, const tg_fit_source *src, int batch_size,
                                double *metrics)
{
    if (!m->compiled)
        tg_fatal("evaluate: the model is not compiled (call tg_model_compile)");
    expect_source(m, "x", "y", src);
    const int n = src->x_shape.dim[0];
    int *idx = identity(n);
    const double loss = evaluate_rows(m, src, idx, n, batch_size > 0 ? batch_size : n, metrics);
    free(idx);
    return loss;
}

double tg_model_evaluate(tg_model *m, const tg_tensor *x, const tg_tensor *y, int batch_size,
                         double *metrics)
{
    const tensor_pair p = {x, y};
    const tg_fit_source src = pair_source(&p);
    return tg_model_evaluate_source(m, &src, batch_size, metrics);
}

/* ---- progress ---- */

static void print_values(FILE *out, const tg_model *m, double loss, const double *metrics,
                         int has_val, double val_loss, const double *val_metrics)
{
    fprintf(out, " - loss: %.4f", loss);
    for (int i = 0; i < m->n_metrics; i++)
        fprintf(out, " - %s: %.4f", tg_metric_name(m->metrics[i]), metrics[i]);
    if (has_val) {
        fprintf(out, " - val_loss: %.4f", val_loss);
        for (int i = 0; i < m->n_metrics; i++)
            fprintf(out, " - val_%s: %.4f", tg_metric_name(m->metrics[i]), val_metrics[i]);
    }
}

#define BAR_WIDTH 24

/* "\rEpoch 3/10  12/32 [=========>..............] - ETA: 3s - loss: 0.4321" */
static void print_bar(FILE *out, int epoch, int epochs, int done, int total, double elapsed,
                      double loss)
{
    const int filled = (int)((long)BAR_WIDTH * done / total);
    fprintf(out, "\rEpoch %d/%d %5d/%d [", epoch, epochs, done, total);
    for (int i = 0; i < BAR_WIDTH; i++)
        fputc(i < filled ? '=' : i == filled ? '>' : '.', out);
    const double eta = done ? elapsed / done * (total - done) : 0;
    fprintf(out, "] - ETA: %.0fs - loss: %.4f\033[K", eta, loss);
    fflush(out);
}

/* ---- the loop ---- */

static double monitored(const tg_history *h, const char *monitor)
{
    const int e = h->n_epochs - 1;
    if (!strcmp(monitor, "loss"))
        return h->loss[e];
    if (!strcmp(monitor, "val_loss"))
        return h->val_loss[e];
    for (int i = 0; i < h->n_metrics; i++) {
        if (!strcmp(monitor, h->metric_names[i]))
            return h->metric[i][e];
        if (!strncmp(monitor, "val_", 4) && !strcmp(monitor + 4, h->metric_names[i]))
            return h->val_metric[i][e];
    }
    tg_fatal("fit: early stopping monitors '%s', which is not loss, val_loss or a metric", monitor);
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

/* ---- NaN and Inf: where they first appeared ---- */

static int all_finite(const tg_real *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(v[i]))
            return 0;
    return 1;
}

/* The first layer, in the order of the forward pass, whose output holds a
 * NaN or Inf: written into where as ", first NaN/Inf in the output of layer
 * NAME"; 0 when every output is finite. */
static int first_non_finite_forward(const tg_model *m, tg_tensor *const *outputs, int n_layers,
                                    char *where, size_t len)
{
    for (int l = 0; l < n_layers; l++)
        if (!all_finite(outputs[l]->data, outputs[l]->size)) {
            snprintf(where, len, ", first NaN/Inf in the output of layer %s",
                     m->layers[l]->name);
            return 1;
        }
    return 0;
}

/* After backward: the first layer, in the order of the backward pass (last
 * layer first), whose backward made a NaN or Inf in a parameter gradient or
 * in the gradient it passes to the layer before; 0 when all are finite. The
 * gradient arriving at the last layer comes from the loss. */
static int first_non_finite_backward(const tg_model *m, tg_tensor *const *outputs, int n_layers,
                                     char *where, size_t len)
{
    const tg_tensor *last = outputs[n_layers - 1];
    if (last->grad && !all_finite(last->grad, last->size)) {
        snprintf(where, len, ", first NaN/Inf in the gradient of the loss");
        return 1;
    }
    for (int l = n_layers - 1; l >= 0; l--) {
        const tg_layer *layer = m->layers[l];
        int bad = l > 0 && outputs[l - 1]->grad &&
                  !all_finite(outputs[l - 1]->grad, outputs[l - 1]->size);
        for (int i = 0; i < layer->n_params && !bad; i++)
            bad = layer->params[i]->grad &&
                  !all_finite(layer->params[i]->grad, layer->params[i]->size);
        if (bad) {
            snprintf(where, len, ", first NaN/Inf in the backward pass of layer %s",
                     layer->name);
            return 1;
        }
    }
    return 0;
}

/* Every check of a step whose loss is finite: the forward outputs, then the
 * gradients. */
static int first_non_finite(const tg_model *m, tg_tensor *const *outputs, int n_layers,
                            char *where, size_t len)
{
    return first_non_finite_forward(m, outputs, n_layers, where, len) ||
           first_non_finite_backward(m, outputs, n_layers, where, len);
}

/* What one run of the loop trains on: the samples train_idx[0..n_train) of
 * train, validated on val_idx[0..n_val) of val (n_val = 0: none). The
 * pairs hold the tensors behind the sources when fit is given tensors. */
typedef struct {
    tensor_pair train_pair, val_pair;
    tg_fit_source train, val;
    int *train_idx, *val_idx;
    int n_train, n_val;
} fit_data;

/* The tensors x, y and opts' validation data (or split) as fit_data. */
static void split_data(tg_model *m, const tg_tensor *x, const tg_tensor *y, const tg_fit_opts *o,
                       fit_data *d)
{
    memset(d, 0, sizeof *d);
    d->train_pair = d->val_pair = (tensor_pair){x, y};
    d->train = d->val = pair_source(&d->train_pair);
    expect_source(m, "x", "y", &d->train);
    const int n = x->shape.dim[0];
    d->n_train = n;
    if (o->x_val || o->y_val) {
        if (!o->x_val || !o->y_val)
            tg_fatal("fit: validation data needs both x_val and y_val");
        d->val_pair = (tensor_pair){o->x_val, o->y_val};
        d->val = pair_source(&d->val_pair);
        expect_source(m, "x_val", "y_val", &d->val);
        d->n_val = o->x_val->shape.dim[0];
        d->val_idx = identity(d->n_val);
    } else if (o->validation_split > 0) {
        /* Keras: the first ceil(N (1 - split)) samples train, the rest validate. */
        const int split_at = (int)ceil(n * (1.0 - o->validation_split));
        if (o->validation_split >= 1 || split_at < 1 || split_at >= n)
            tg_fatal("fit: validation_split %g of %d samples leaves no training or no validation "
                     "sample", o->validation_split, n);
        d->n_train = split_at;
        d->n_val = n - split_at;
        d->val_idx = identity(n);
        memmove(d->val_idx, d->val_idx + split_at, (size_t)d->n_val * sizeof *d->val_idx);
    }
    d->train_idx = identity(d->n_train);
}

static void expect_fit(const tg_model *m, const tg_fit_opts *o)
{
    if (!m->compiled)
        tg_fatal("fit: the model is not compiled (call tg_model_compile)");
    if (m->n_layers < 1)
        tg_fatal("fit: the model has no layers");
    if (o->epochs < 1 || o->batch_size < 0 || o->clip_norm < 0)
        tg_fatal("fit: epochs %d must be >= 1, batch_size %d and clip_norm %g >= 0", o->epochs,
                 o->batch_size, o->clip_norm);
}

/* The training loop over d; frees d's index arrays. */
static tg_status fit_loop(tg_model *m, const fit_data *d, const tg_fit_opts *o,
                          tg_history *history)
{
    const int n_layers = m->n_layers;
    const int has_val = d->n_val > 0;
    const int batch = o->batch_size == 0 || o->batch_size > d->n_train ? d->n_train : o->batch_size;
    const int n_batches = (d->n_train + batch - 1) / batch;
    FILE *out = o->out ? o->out : stdout;
    const int bar = o->verbose && isatty(fileno(out));

    const char *names[TG_MODEL_MAX_METRICS];
    for (int i = 0; i < m->n_metrics; i++)
        names[i] = tg_metric_name(m->metrics[i]);
    tg_history_init(history, m->n_metrics, names, has_val);
    const tg_early_stopping_opts *eo = &o->early_stopping;
    const char *monitor = eo->monitor ? eo->monitor : has_val ? "val_loss" : "loss";
    if (!has_val && !strncmp(monitor, "val_", 4))
        tg_fatal("fit: early stopping monitors %s without validation data", monitor);
    /* The best weights are tracked even without early stopping, so that a
     * NaN can fall back to them. */
    tg_early_stopping es;
    tg_early_stopping_init(&es, monitor, eo->min_delta, eo->patience, m->params, m->n_params);

    tg_status status = tg_status_ok();
    for (int epoch = 1; epoch <= o->epochs && tg_is_ok(&status); epoch++) {
        const double t0 = now();
        double last_bar = t0;
        if (o->shuffle)
            shuffle(&m->shuffle_rng, d->train_idx, d->n_train);
        running r;
        memset(&r, 0, sizeof r);
        for (int b = 0; b < n_batches; b++) {
            const int start = b * batch;
            const int count = start + batch <= d->n_train ? batch : d->n_train - start;
            tg_tape_reset(m->tape);
            tg_tensor *xb, *yb;
            gather(m->tape, &d->train, d->train_idx + start, count, &xb, &yb);
            /* The model's forward, layer by layer, keeping each output for the checks. */
            tg_tensor *outputs[TG_MODEL_MAX_LAYERS], *pred = xb;
            for (int l = 0; l < n_layers; l++)
                pred = outputs[l] = tg_layer_forward(m->layers[l], m->tape, pred, 1);
            tg_tensor *loss = tg_model_loss(m, m->tape, pred, yb);
            const double value = (double)loss->data[0];
            char where[160] = "";
            if (isfinite(value)) {
                tg_model_zero_grad(m);
                tg_tape_backward(m->tape, loss);
            }
            if (!isfinite(value) || first_non_finite(m, outputs, n_layers, where, sizeof where)) {
                tg_early_stopping_restore(&es, m->params);
                char kept[48] = "the initial weights";
                if (es.best_epoch > 0)
                    snprintf(kept, sizeof kept, "the weights of epoch %d", es.best_epoch);
                if (!where[0])
                    first_non_finite_forward(m, outputs, n_layers, where, sizeof where);
                status = tg_status_error("fit: the loss is %g at epoch %d, batch %d of %d%s; "
                                         "training stopped with %s",
                                         value, epoch, b + 1, n_batches, where, kept);
                break;
            }
            if (o->clip_norm > 0)
                tg_clip_grad_norm(m->params, m->n_params, o->clip_norm);
            tg_optimizer_step(m->optimizer, m->params, m->n_params);
            running_add(&r, m, value, count, pred, yb);
            const double t = now();
            if (bar && (t - last_bar > 0.1 || b + 1 == n_batches)) {
                print_bar(out, epoch, o->epochs, b + 1, n_batches, t - t0, running_loss(&r));
                last_bar = t;
            }
        }
        tg_tape_reset(m->tape);
        if (!tg_is_ok(&status)) {
            if (bar)
                fputc('\n', out);
            break;
        }
        double metrics[TG_MODEL_MAX_METRICS], val_metrics[TG_MODEL_MAX_METRICS], val_loss = NAN;
        for (int i = 0; i < m->n_metrics; i++)
            val_metrics[i] = NAN;
        running_metrics(&r, m->n_metrics, metrics);
        if (has_val)
            val_loss = evaluate_rows(m, &d->val, d->val_idx, d->n_val, batch, val_metrics);
        const double seconds = now() - t0;
        tg_history_append(history, running_loss(&r), val_loss, metrics, val_metrics, seconds);
        if (o->verbose) {
            if (bar)
                fprintf(out, "\rEpoch %d/%d %5d/%d - %.2fs", epoch, o->epochs, n_batches,
                        n_batches, seconds);
            else
                fprintf(out, "Epoch %d/%d - %.2fs", epoch, o->epochs, seconds);
            print_values(out, m, running_loss(&r), metrics, has_val, val_loss, val_metrics);
            fprintf(out, bar ? "\033[K\n" : "\n");
            fflush(out);
        }
        const int stop = tg_early_stopping_update(&es, epoch, monitored(history, monitor), m->params);
        if (eo->enabled && stop) {
            history->stopped_epoch = epoch;
            if (o->verbose)
                fprintf(out, "Epoch %d: early stopping (%s has not improved since epoch %d)\n",
                        epoch, monitor, es.best_epoch);
            break;
        }
    }
    if (tg_is_ok(&status) && eo->enabled && eo->restore_best_weights && es.best_epoch > 0) {
        tg_early_stopping_restore(&es, m->params);
        history->best_epoch = es.best_epoch;
    } else if (!tg_is_ok(&status)) {
        history->best_epoch = es.best_epoch;
    }
    tg_early_stopping_free(&es);
    free(d->train_idx);
    free(d->val_idx);
    return status;
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
    expect_source(m, "x", "y", &d.train);
    d.n_train = train->x_shape.dim[0];
    d.train_idx = identity(d.n_train);
    if (val) {
        d.val = *val;
        expect_source(m, "x_val", "y_val", &d.val);
        d.n_val = val->x_shape.dim[0];
        d.val_idx = identity(d.n_val);
    }
    return fit_loop(m, &d, o, history);
}
