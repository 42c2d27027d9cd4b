/* The activations a layer may end with, as Keras names them. */
#ifndef TG_ACTIVATION_H
#define TG_ACTIVATION_H

#include "autograd/tape.h"

typedef enum { TG_LINEAR = 0, TG_RELU, TG_SIGMOID, TG_TANH, TG_SOFTMAX } tg_activation;

tg_tensor *tg_activate(tg_tape *tape, tg_tensor *x, tg_activation act);
const char *tg_activation_name(tg_activation act);

#endif
