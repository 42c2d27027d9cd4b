/* Early stopping (Keras's EarlyStopping callback) and the best weights.
 *
 * After each epoch, the monitored value improves when it beats the best so
 * far by more than min_delta (lower is better for losses and mae, higher
 * for accuracies, as Keras's mode "auto"); the best epoch's weights are
 * copied aside. After `patience` epochs in a row without improvement,
 * training stops. Keras's counting: with patience 2 and values 1.0, 0.8,
 * 0.9, 0.85 it stops after the fourth epoch. */
#ifndef TG_EARLY_STOPPING_H
#define TG_EARLY_STOPPING_H

#include "tensor/tensor.h"

typedef struct tg_early_stopping_opts {
    int enabled;
    const char *monitor; /* "val_loss" (NULL: val_loss with validation data, else loss) */
    int patience;
    double min_delta;
    int restore_best_weights; /* at the end of training, go back to the best epoch */
} tg_early_stopping_opts;

typedef struct tg_early_stopping {
    int maximize;
    double min_delta;
    int patience;
    double best;
    int best_epoch; /* from 1; 0 before the first update */
    int wait;
    int n;
    tg_tensor **best_weights; /* copies of the parameters at best_epoch */
} tg_early_stopping;

/* Copies the current weights as the best so far (epoch 0: the start). */
void tg_early_stopping_init(tg_early_stopping *es, const char *monitor, double min_delta,
                            int patience, tg_tensor *const *params, int n);
/* Records epoch's value; returns 1 when patience has run out. A NaN never
 * counts as an improvement. */
int tg_early_stopping_update(tg_early_stopping *es, int epoch, double value,
                             tg_tensor *const *params);
/* Copies the best weights back into params. */
void tg_early_stopping_restore(const tg_early_stopping *es, tg_tensor *const *params);
void tg_early_stopping_free(tg_early_stopping *es);

#endif
