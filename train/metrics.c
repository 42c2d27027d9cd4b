#include "train/train.h"

#include <math.h>
#include <string.h>

tg_metric_sum tg_metric_binary_accuracy(const tg_tensor *pred, const tg_tensor *target,
                                        tg_real threshold)
{
    tg_tensor_expect_shape("binary_accuracy (target vs prediction)", target, pred->shape);
    tg_metric_sum s = {0, pred->size};
    for (size_t k = 0; k < pred->size; k++) {
        int predicted = pred->data[k] >= threshold;
        int actual = target->data[k] >= (tg_real)0.5;
        s.sum += predicted == actual;
    }
    return s;
}

static size_t argmax(const tg_real *row, int n)
{
    size_t best = 0;
    for (int j = 1; j < n; j++)
        if (row[j] > row[best])
            best = (size_t)j;
    return best;
}

tg_metric_sum tg_metric_categorical_accuracy(const tg_tensor *pred, const tg_tensor *target)
{
    tg_tensor_expect_shape("categorical_accuracy (target vs prediction)", target, pred->shape);
    const int k = pred->shape.dim[pred->shape.ndim - 1];
    tg_metric_sum s = {0, pred->size / (size_t)k};
    for (size_t r = 0; r < s.count; r++)
        s.sum += argmax(pred->data + r * (size_t)k, k) == argmax(target->data + r * (size_t)k, k);
    return s;
}

tg_metric_sum tg_metric_mae(const tg_tensor *pred, const tg_tensor *target)
{
    tg_tensor_expect_shape("mae (target vs prediction)", target, pred->shape);
    tg_metric_sum s = {0, pred->size};
    for (size_t k = 0; k < pred->size; k++)
        s.sum += fabs((double)pred->data[k] - (double)target->data[k]);
    return s;
}

tg_metric tg_metric_resolve(tg_metric metric, tg_loss loss)
{
    if (metric != TG_METRIC_ACCURACY)
        return metric;
    return loss == TG_LOSS_CCE || loss == TG_LOSS_CCE_LOGITS ? TG_METRIC_CATEGORICAL_ACCURACY
                                                             : TG_METRIC_BINARY_ACCURACY;
}

tg_metric_sum tg_metric_compute(tg_metric metric, tg_loss loss, const tg_tensor *pred,
                                const tg_tensor *target)
{
    switch (tg_metric_resolve(metric, loss)) {
    case TG_METRIC_BINARY_ACCURACY:
        return tg_metric_binary_accuracy(pred, target,
                                         tg_loss_from_logits(loss) ? (tg_real)0 : (tg_real)0.5);
    case TG_METRIC_CATEGORICAL_ACCURACY:
        return tg_metric_categorical_accuracy(pred, target);
    case TG_METRIC_MAE:
        return tg_metric_mae(pred, target);
    case TG_METRIC_ACCURACY:
        break;
    }
    tg_fatal("metric: unknown metric %d", (int)metric);
}

static const char *const names[] = {"accuracy", "binary_accuracy", "categorical_accuracy", "mae"};

const char *tg_metric_name(tg_metric metric)
{
    if ((int)metric < 0 || (int)metric >= (int)(sizeof names / sizeof names[0]))
        tg_fatal("metric: unknown metric %d", (int)metric);
    return names[metric];
}

int tg_metric_parse(const char *name, tg_metric *metric)
{
    for (int i = 0; i < (int)(sizeof names / sizeof names[0]); i++) {
        if (strcmp(name, names[i]) == 0) {
            *metric = (tg_metric)i;
            return 0;
        }
    }
    return -1;
}
