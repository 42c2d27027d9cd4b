#include "train/train.h"

#include <string.h>
#include <unistd.h>

#define BAR_WIDTH 24

/* " - loss: 0.4321 - accuracy: 0.8125 - val_loss: ..." */
static void print_values(FILE *out, const tg_fit_state *s)
{
    const tg_model *m = s->model;
    fprintf(out, " - loss: %.4f", s->loss);
    for (int i = 0; i < m->n_metrics; i++)
        fprintf(out, " - %s: %.4f", tg_metric_name(m->metrics[i]), s->metrics[i]);
    if (s->has_val) {
        fprintf(out, " - val_loss: %.4f", s->val_loss);
        for (int i = 0; i < m->n_metrics; i++)
            fprintf(out, " - val_%s: %.4f", tg_metric_name(m->metrics[i]), s->val_metrics[i]);
    }
}

/* "\rEpoch 3/10  12/32 [=========>..............] - ETA: 3s - loss: 0.4321" */
static void print_bar(FILE *out, const tg_fit_state *s)
{
    const int filled = (int)((long)BAR_WIDTH * s->batch / s->batches);
    fprintf(out, "\rEpoch %d/%d %5d/%d [", s->epoch, s->epochs, s->batch, s->batches);
    for (int i = 0; i < BAR_WIDTH; i++)
        fputc(i < filled ? '=' : i == filled ? '>' : '.', out);
    const double eta = s->seconds / s->batch * (s->batches - s->batch);
    fprintf(out, "] - ETA: %.0fs - loss: %.4f\033[K", eta, s->loss);
    fflush(out);
}

static void progress_train_begin(void *ctx, tg_fit_state *s)
{
    tg_progress *p = ctx;
    p->bar = isatty(fileno(p->out));
    p->open = 0;
}

static void progress_epoch_begin(void *ctx, tg_fit_state *s)
{
    tg_progress *p = ctx;
    p->drawn = 0;
}

/* Redrawn at most every 0.1 s, and once at the last batch. */
static void progress_batch_end(void *ctx, tg_fit_state *s)
{
    tg_progress *p = ctx;
    if (p->bar && (s->seconds - p->drawn > 0.1 || s->batch == s->batches)) {
        print_bar(p->out, s);
        p->drawn = s->seconds;
        p->open = 1;
    }
}

static int progress_epoch_end(void *ctx, tg_fit_state *s)
{
    tg_progress *p = ctx;
    if (p->bar)
        fprintf(p->out, "\rEpoch %d/%d %5d/%d - %.2fs", s->epoch, s->epochs, s->batches,
                s->batches, s->seconds);
    else
        fprintf(p->out, "Epoch %d/%d - %.2fs", s->epoch, s->epochs, s->seconds);
    print_values(p->out, s);
    fprintf(p->out, p->bar ? "\033[K\n" : "\n");
    fflush(p->out);
    p->open = 0;
    return 0;
}

/* A stop in the middle of an epoch leaves its bar's line to finish. */
static void progress_train_end(void *ctx, tg_fit_state *s)
{
    tg_progress *p = ctx;
    if (p->open)
        fputc('\n', p->out);
    p->open = 0;
}

tg_callback tg_progress_callback(tg_progress *p, FILE *out)
{
    memset(p, 0, sizeof *p);
    p->out = out ? out : stdout;
    return (tg_callback){.ctx = p,
                         .on_train_begin = progress_train_begin,
                         .on_epoch_begin = progress_epoch_begin,
                         .on_batch_end = progress_batch_end,
                         .on_epoch_end = progress_epoch_end,
                         .on_train_end = progress_train_end};
}
