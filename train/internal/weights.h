/* Copies of a model's weights kept aside (weights.c): the last good ones of
 * fit, the best ones of early stopping. Not installed. */
#ifndef TG_TRAIN_WEIGHTS_H
#define TG_TRAIN_WEIGHTS_H

#include "train/train.h"

/* Heap copies of params[0..n) (values only, no gradients). */
tg_tensor **tg_weights_clone(tg_tensor *const *params, int n);
/* dst[i] <- src[i], values only, for i < n. */
void tg_weights_copy(tg_tensor *const *dst, tg_tensor *const *src, int n);
void tg_weights_free(tg_tensor **copies, int n);

#endif
