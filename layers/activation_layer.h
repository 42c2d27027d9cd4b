/* An activation as a layer of its own (Keras's Activation layer): relu,
 * sigmoid, tanh, softmax (over the last axis) or linear. */
#ifndef TG_ACTIVATION_LAYER_H
#define TG_ACTIVATION_LAYER_H

#include "layers/activation.h"
#include "layers/layer.h"

/* Default name "activation"; no parameters; the output shape is the input's. */
tg_layer *tg_activation_layer(tg_activation activation);

#endif
