#include "train/train.h"

#include <math.h>
#include <string.h>

static void checkpoint_train_begin(void *ctx, tg_fit_state *s)
{
    tg_model_checkpoint *c = ctx;
    if (c->monitor) {
        c->monitor = tg_monitor_resolve(c->monitor, s, "checkpoint");
        c->maximize = tg_monitor_maximizes(c->monitor);
    }
    c->best = c->maximize ? -INFINITY : INFINITY;
    c->saved_epoch = 0;
}

static int checkpoint_epoch_end(void *ctx, tg_fit_state *s)
{
    tg_model_checkpoint *c = ctx;
    if (c->monitor) {
        const double value = tg_fit_state_value(s, c->monitor);
        if (!tg_monitor_improves(c->maximize, 0, c->best, value)) {
            if (c->out)
                fprintf(c->out, "Epoch %d: %s did not improve from %.5f\n", s->epoch, c->monitor,
                        c->best);
            return 0;
        }
        if (c->out)
            fprintf(c->out, "Epoch %d: %s improved from %.5f to %.5f, ", s->epoch, c->monitor,
                    c->best, value);
        c->best = value;
    } else if (c->out) {
        fprintf(c->out, "Epoch %d: ", s->epoch);
    }
    const tg_status st = tg_model_save(s->model, c->path);
    if (!tg_is_ok(&st)) {
        if (c->out)
            fprintf(c->out, "the model could not be saved\n");
        s->status = st;
        return 1;
    }
    c->saved_epoch = s->epoch;
    if (c->out)
        fprintf(c->out, "model saved to %s\n", c->path);
    return 0;
}

tg_callback tg_model_checkpoint_callback(tg_model_checkpoint *c, const char *path,
                                         const char *monitor, FILE *out)
{
    memset(c, 0, sizeof *c);
    c->path = path;
    c->monitor = monitor;
    c->out = out;
    return (tg_callback){.ctx = c,
                         .on_train_begin = checkpoint_train_begin,
                         .on_epoch_end = checkpoint_epoch_end};
}
