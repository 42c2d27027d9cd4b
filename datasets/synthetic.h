/* Embedded data sets, generated in code from a seed, so that every model
 * trains on a bare machine. The same seed gives the same bytes everywhere
 * (the generator is tg_rng, not the C library's rand). */
#ifndef TG_SYNTHETIC_H
#define TG_SYNTHETIC_H

#include <stdint.h>

#include "datasets/image_set.h"
#include "datasets/series.h"

/* A noisy sum of three sines, one feature per step:
 *
 *     v_i = sum_k a_k sin(2 pi i / P_k + phi_k) + e_i,   e_i ~ N(0, 0.05^2)
 *
 * with random amplitudes a_k, periods P_k (10 .. 40 steps) and phases phi_k.
 * target[i] = 1 when v_i > v_{i-1} (the series went up at step i), 0
 * otherwise (target[0] = 0); with horizon 1 (series.h) a model predicts
 * whether the series goes up next. */
void tg_synthetic_series(tg_series *out, size_t steps, uint64_t seed);

/* The ten shape classes of tg_synthetic_shapes, by label. */
extern const char *const tg_shape_class_names[10];

/* `count` 28 x 28 images of ten simple shapes (square, circle, triangle,
 * plus, horizontal bar, vertical bar, X, filled square, disk, L), each at a
 * random position and size, with a random brightness and Gaussian pixel
 * noise; labels uniform over the ten classes. */
void tg_synthetic_shapes(tg_image_set *out, size_t count, uint64_t seed);

#endif
