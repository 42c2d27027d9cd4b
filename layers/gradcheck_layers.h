/* The gradient checks of the layers: each layer and each path (reference,
 * fused) as a named case of the `tapegrad gradcheck` registry. Every case
 * checks the gradient of the input and of every parameter. */
#ifndef TG_GRADCHECK_LAYERS_H
#define TG_GRADCHECK_LAYERS_H

#include "autograd/gradcheck_registry.h"
#include "layers/layer.h"

/* conv1d, conv1d_fused, ..., maxpool2d_fused, dense, dense_seq, flatten, ... */
const tg_gradcheck_case *tg_layer_gradcheck_cases(int *n);

/* Builds the (unbuilt) layer for the per-sample part of `input` (batch
 * first), refills its parameters U(-0.5, 0.5) and x U(-1, 1) from the seed,
 * and checks d/dx and d/d(every parameter) of the training forward pass.
 * The caller still owns and frees the layer. */
tg_gradcheck_report tg_layer_gradcheck(tg_layer *layer, tg_shape input, uint64_t seed);

#endif
