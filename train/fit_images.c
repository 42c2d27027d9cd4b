#include "train/fit_images.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* The chunk's images as x (n, rows, cols, 1) and y (n, classes), new heap tensors. */
static void chunk_tensors(const tg_image_set *set, const size_t *index, size_t n, tg_tensor **x,
                          tg_tensor **y)
{
    *x = tg_tensor_new(TG_SHAPE((int)n, set->rows, set->cols, 1));
    *y = tg_tensor_new(TG_SHAPE((int)n, set->classes));
    tg_image_set_batch(set, index, n, *x, *y);
}

double tg_model_evaluate_images(tg_model *m, const tg_image_set *set, int batch_size,
                                double *metrics)
{
    size_t *index = tg_xmalloc(set->count * sizeof *index, "evaluate images");
    for (size_t i = 0; i < set->count; i++)
        index[i] = i;
    double loss = 0, sums[TG_MODEL_MAX_METRICS] = {0}, part[TG_MODEL_MAX_METRICS];
    for (size_t start = 0; start < set->count; start += TG_FIT_IMAGES_CHUNK) {
        size_t n = set->count - start < TG_FIT_IMAGES_CHUNK ? set->count - start
                                                            : TG_FIT_IMAGES_CHUNK;
        tg_tensor *x, *y;
        chunk_tensors(set, index + start, n, &x, &y);
        /* Chunk means weighted by their sizes: the mean over the whole set. */
        loss += tg_model_evaluate(m, x, y, batch_size, part) * (double)n;
        for (int k = 0; k < m->n_metrics; k++)
            sums[k] += part[k] * (double)n;
        tg_tensor_free(x);
        tg_tensor_free(y);
    }
    free(index);
    for (int k = 0; metrics && k < m->n_metrics; k++)
        metrics[k] = sums[k] / (double)set->count;
    return loss / (double)set->count;
}

#define BAR_WIDTH 24

static void print_bar(FILE *out, int epoch, int epochs, size_t done, size_t total, double elapsed,
                      double loss)
{
    const int filled = (int)((double)BAR_WIDTH * (double)done / (double)total);
    fprintf(out, "\rEpoch %d/%d %6zu/%zu [", epoch, epochs, done, total);
    for (int i = 0; i < BAR_WIDTH; i++)
        fputc(i < filled ? '=' : i == filled ? '>' : '.', out);
    const double eta = done ? elapsed / (double)done * (double)(total - done) : 0;
    fprintf(out, "] - ETA: %.0fs - loss: %.4f\033[K", eta, loss);
    fflush(out);
}

tg_status tg_model_fit_images(tg_model *m, const tg_image_set *train, const tg_image_set *val,
                              const tg_fit_opts *o, tg_history *history)
{
    if (o->epochs < 1 || o->batch_size < 1)
        tg_fatal("fit images: epochs %d and batch_size %d must be >= 1", o->epochs, o->batch_size);
    const int has_val = val && val->count > 0;
    FILE *out = o->out ? o->out : stdout;
    const int bar = o->verbose && isatty(fileno(out));
    const char *names[TG_MODEL_MAX_METRICS];
    for (int i = 0; i < m->n_metrics; i++)
        names[i] = tg_metric_name(m->metrics[i]);
    tg_history_init(history, m->n_metrics, names, has_val);
    tg_early_stopping es;
    tg_early_stopping_init(&es, has_val ? "val_loss" : "loss", o->early_stopping.min_delta,
                           o->early_stopping.patience, m->params, m->n_params);

    /* Chunks hold whole batches, so the batches are those of one big tensor. */
    const size_t chunk = (TG_FIT_IMAGES_CHUNK / (size_t)o->batch_size + 1) * (size_t)o->batch_size;
    size_t *order = tg_xmalloc(train->count * sizeof *order, "fit images");
    for (size_t i = 0; i < train->count; i++)
        order[i] = i;
    tg_fit_opts inner = tg_fit_defaults();
    inner.batch_size = o->batch_size;
    inner.shuffle = 0;
    inner.verbose = 0;
    inner.clip_norm = o->clip_norm;

    tg_status status = tg_status_ok();
    for (int epoch = 1; epoch <= o->epochs; epoch++) {
        const double t0 = now();
        if (o->shuffle)
            for (size_t i = train->count - 1; i > 0; i--) {
                /* Fisher-Yates, from the model's own shuffling generator */
                size_t j = (size_t)tg_rng_below(&m->shuffle_rng, (uint64_t)i + 1), t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
        double loss = 0, metrics[TG_MODEL_MAX_METRICS] = {0};
        for (size_t start = 0; start < train->count && tg_is_ok(&status); start += chunk) {
            size_t n = train->count - start < chunk ? train->count - start : chunk;
            tg_tensor *x, *y;
            chunk_tensors(train, order + start, n, &x, &y);
            tg_history h;
            status = tg_model_fit(m, x, y, &inner, &h);
            if (tg_is_ok(&status)) {
                loss += h.loss[0] * (double)n;
                for (int k = 0; k < m->n_metrics; k++)
                    metrics[k] += h.metric[k][0] * (double)n;
            } else {
                status = tg_status_error("%s (epoch %d, images %zu .. %zu of the order)",
                                         status.msg, epoch, start, start + n);
            }
            tg_history_free(&h);
            tg_tensor_free(x);
            tg_tensor_free(y);
            if (bar)
                print_bar(out, epoch, o->epochs, start + n, train->count, now() - t0,
                          loss / (double)(start + n));
        }
        if (!tg_is_ok(&status)) {
            if (bar)
                fputc('\n', out);
            tg_early_stopping_restore(&es, m->params);
            history->best_epoch = es.best_epoch;
            break;
        }
        loss /= (double)train->count;
        for (int k = 0; k < m->n_metrics; k++)
            metrics[k] /= (double)train->count;
        double val_loss = NAN, val_metrics[TG_MODEL_MAX_METRICS] = {0};
        if (has_val)
            val_loss = tg_model_evaluate_images(m, val, o->batch_size, val_metrics);
        const double seconds = now() - t0;
        tg_history_append(history, loss, val_loss, metrics, val_metrics, seconds);
        if (o->verbose) {
            fprintf(out, bar ? "\rEpoch %d/%d - %.2fs" : "Epoch %d/%d - %.2fs", epoch, o->epochs,
                    seconds);
            fprintf(out, " - loss: %.4f", loss);
            for (int k = 0; k < m->n_metrics; k++)
                fprintf(out, " - %s: %.4f", names[k], metrics[k]);
            if (has_val) {
                fprintf(out, " - val_loss: %.4f", val_loss);
                for (int k = 0; k < m->n_metrics; k++)
                    fprintf(out, " - val_%s: %.4f", names[k], val_metrics[k]);
            }
            fprintf(out, bar ? "\033[K\n" : "\n");
            fflush(out);
        }
        const int stop = tg_early_stopping_update(&es, epoch, has_val ? val_loss : loss,
                                                  m->params);
        if (o->early_stopping.enabled && stop) {
            history->stopped_epoch = epoch;
            if (o->verbose)
                fprintf(out, "Epoch %d: early stopping (%s has not improved since epoch %d)\n",
                        epoch, has_val ? "val_loss" : "loss", es.best_epoch);
            break;
        }
    }
    if (tg_is_ok(&status) && o->early_stopping.enabled && o->early_stopping.restore_best_weights &&
        es.best_epoch > 0) {
        tg_early_stopping_restore(&es, m->params);
        history->best_epoch = es.best_epoch;
    }
    tg_early_stopping_free(&es);
    free(order);
    return status;
}
