/* What every callback that watches a value shares: the value's name
 * (Keras's `monitor`), its default, and when it has improved. */
#include "train/train.h"

#include <string.h>

/* The index of the metric named so (or named so after "val_"), or -1. */
static int metric_index(const tg_model *m, const char *name)
{
    for (int i = 0; i < m->n_metrics; i++)
        if (!strcmp(name, tg_metric_name(m->metrics[i])))
            return i;
    return -1;
}

static int is_val(const char *name)
{
    return !strncmp(name, "val_", 4);
}

double tg_fit_state_value(const tg_fit_state *s, const char *monitor)
{
    if (!strcmp(monitor, "loss"))
        return s->loss;
    if (!strcmp(monitor, "val_loss"))
        return s->val_loss;
    int i = metric_index(s->model, monitor);
    if (i >= 0)
        return s->metrics[i];
    i = is_val(monitor) ? metric_index(s->model, monitor + 4) : -1;
    if (i >= 0)
        return s->val_metrics[i];
    tg_fatal("fit: no value is named '%s' (loss, val_loss, a metric or val_ and a metric)",
             monitor);
}

const char *tg_monitor_resolve(const char *monitor, const tg_fit_state *s, const char *who)
{
    if (!monitor)
        return s->has_val ? "val_loss" : "loss";
    const char *name = is_val(monitor) ? monitor + 4 : monitor;
    if (strcmp(name, "loss") && metric_index(s->model, name) < 0)
        tg_fatal("fit: %s monitors '%s', which is not loss, val_loss or a metric", who, monitor);
    if (is_val(monitor) && !s->has_val)
        tg_fatal("fit: %s monitors %s without validation data", who, monitor);
    return monitor;
}

int tg_monitor_maximizes(const char *monitor)
{
    /* Keras's mode "auto": accuracies are to be maximised, the rest minimised. */
    return strstr(monitor, "acc") != NULL;
}

int tg_monitor_improves(int maximize, double min_delta, double best, double value)
{
    return maximize ? value - min_delta > best : value + min_delta < best;
}
