/* Kernel regularizers (Keras's kernel_regularizer): a penalty on a layer's
 * weight matrices (params with is_kernel; never the biases) added to the
 * loss through the tape, so its gradient reaches the weights like the
 * loss's own. */
#ifndef TG_REGULARIZER_H
#define TG_REGULARIZER_H

#include "layers/layer.h"

typedef struct tg_regularizer {
    double l1, l2; /* 0, 0: none */
} tg_regularizer;

/* Keras's l1(0.01), l2(0.01), l1_l2(l1, l2). */
static inline tg_regularizer tg_l1(double l1) { return (tg_regularizer){l1, 0}; }
static inline tg_regularizer tg_l2(double l2) { return (tg_regularizer){0, l2}; }
static inline tg_regularizer tg_l1_l2(double l1, double l2) { return (tg_regularizer){l1, l2}; }

/* l1 sum|w| + l2 sum w^2 over the layer's kernels, as a one-element tensor
 * on the tape; NULL when the regularizer is none or the layer has no kernel. */
tg_tensor *tg_regularizer_penalty(tg_tape *tape, const tg_layer *layer, tg_regularizer r);

#endif
