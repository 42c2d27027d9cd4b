#include "train/train.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static void copy_weights(tg_tensor *const *dst, tg_tensor *const *src, int n)
{
    for (int i = 0; i < n; i++)
        tg_tensor_copy_data(dst[i], src[i]);
}

void tg_early_stopping_init(tg_early_stopping *es, const char *monitor, double min_delta,
                            int patience, tg_tensor *const *params, int n)
{
    if (patience < 0 || min_delta < 0)
        tg_fatal("early_stopping: patience %d and min_delta %g must not be negative", patience,
                 min_delta);
    memset(es, 0, sizeof *es);
    /* Keras's mode "auto": accuracies are to be maximised, the rest minimised. */
    es->maximize = strstr(monitor, "acc") != NULL;
    es->min_delta = min_delta;
    es->patience = patience;
    es->best = es->maximize ? -INFINITY : INFINITY;
    es->n = n;
    es->best_weights = tg_xcalloc((size_t)n + 1, sizeof *es->best_weights, "early_stopping");
    for (int i = 0; i < n; i++)
        es->best_weights[i] = tg_tensor_clone(params[i]);
}

int tg_early_stopping_update(tg_early_stopping *es, int epoch, double value,
                             tg_tensor *const *params)
{
    es->wait++;
    const int improved = es->maximize ? value - es->min_delta > es->best
                                      : value + es->min_delta < es->best;
    if (improved) {
        es->best = value;
        es->best_epoch = epoch;
        es->wait = 0;
        copy_weights(es->best_weights, params, es->n);
        return 0;
    }
    return es->wait >= es->patience && epoch > 1;
}

void tg_early_stopping_restore(const tg_early_stopping *es, tg_tensor *const *params)
{
    copy_weights(params, es->best_weights, es->n);
}

void tg_early_stopping_free(tg_early_stopping *es)
{
    for (int i = 0; i < es->n; i++)
        tg_tensor_free(es->best_weights[i]);
    free(es->best_weights);
    memset(es, 0, sizeof *es);
}
