/* Initialisers, as Keras defines them, so a model starts where the document's
 * Keras model would (in distribution; the generator is ours). */
#ifndef TG_INIT_H
#define TG_INIT_H

#include "tensor/rng.h"
#include "tensor/tensor.h"

void tg_init_uniform(tg_tensor *t, tg_rng *rng, double lo, double hi);
void tg_init_normal(tg_tensor *t, tg_rng *rng, double mean, double std);

/* Keras's fans: a kernel (..., in, out) has receptive field = product of the
 * leading dimensions, fan_in = in * receptive, fan_out = out * receptive. */
void tg_fans(tg_shape s, double *fan_in, double *fan_out);

/* U(-limit, limit), limit = sqrt(6 / (fan_in + fan_out)) (Glorot & Bengio 2010). */
void tg_init_glorot_uniform(tg_tensor *t, tg_rng *rng);

/* A (rows, cols) matrix with orthonormal rows or columns (whichever are
 * fewer), rows = product of all but the last dimension: the QR factor of a
 * normal matrix with the signs of R's diagonal folded in (Saxe et al. 2014). */
void tg_init_orthogonal(tg_tensor *t, tg_rng *rng, double gain);

tg_tensor *tg_tensor_uniform(tg_shape shape, tg_rng *rng, double lo, double hi);
tg_tensor *tg_tensor_normal(tg_shape shape, tg_rng *rng, double mean, double std);

#endif
