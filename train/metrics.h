/* Metrics: numbers to read during training, not to differentiate. Each
 * returns a sum over its terms and their count, so a whole epoch's value
 * is the sum of the batches' sums over the sum of their counts (exact,
 * whatever the batch sizes). */
#ifndef TG_METRICS_H
#define TG_METRICS_H

#include <stddef.h>

#include "tensor/tensor.h"
#include "train/loss.h"

typedef enum {
    TG_METRIC_ACCURACY = 0,         /* binary or categorical, chosen by the loss (as Keras) */
    TG_METRIC_BINARY_ACCURACY,      /* round(p) == y, per element */
    TG_METRIC_CATEGORICAL_ACCURACY, /* argmax p == argmax y, per row */
    TG_METRIC_MAE,                  /* mean |p - y| */
} tg_metric;

typedef struct tg_metric_sum {
    double sum;
    size_t count;
} tg_metric_sum;

/* Binary: p >= threshold counts as 1 (0.5 on probabilities, 0 on logits). */
tg_metric_sum tg_metric_binary_accuracy(const tg_tensor *pred, const tg_tensor *target,
                                        tg_real threshold);
tg_metric_sum tg_metric_categorical_accuracy(const tg_tensor *pred, const tg_tensor *target);
tg_metric_sum tg_metric_mae(const tg_tensor *pred, const tg_tensor *target);

/* TG_METRIC_ACCURACY resolved for a loss: categorical for the categorical
 * cross-entropies, binary otherwise. */
tg_metric tg_metric_resolve(tg_metric metric, tg_loss loss);
/* The metric of a model trained with that loss (thresholds logits at 0). */
tg_metric_sum tg_metric_compute(tg_metric metric, tg_loss loss, const tg_tensor *pred,
                                const tg_tensor *target);
/* "accuracy", "binary_accuracy", "categorical_accuracy", "mae". */
const char *tg_metric_name(tg_metric metric);
int tg_metric_parse(const char *name, tg_metric *metric);

#endif
