/* Dense: the fully connected layer, applied to the last axis of an input of
 * any rank, so a sequence (N, T, C) gets the same Dense at every time step
 * (Keras's Dense does the same), as the document's time-series model needs:
 *
 *     y = activation(x W + b),   W: (in, units) "kernel",   b: (units) "bias"
 *
 * Keras's initialisers: glorot_uniform kernel, zero bias. */
#ifndef TG_DENSE_H
#define TG_DENSE_H

#include "layers/activation.h"
#include "layers/layer.h"

/* Default name "dense". Stops with a message if units < 1. */
tg_layer *tg_dense(int units, tg_activation activation);

#endif
