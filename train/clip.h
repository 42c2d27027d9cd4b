/* Gradient clipping by global norm (Keras's global_clipnorm, PyTorch's
 * clip_grad_norm_): all gradients are scaled by one factor, so a step that
 * would explode (an LSTM's gradient through many time steps) keeps its
 * direction and only shrinks. */
#ifndef TG_CLIP_H
#define TG_CLIP_H

#include "tensor/tensor.h"

/* Scales every params[i]->grad so that the global norm is at most max_norm;
 * returns the global norm before clipping. */
double tg_clip_grad_norm(tg_tensor *const *params, int n, double max_norm);

#endif
