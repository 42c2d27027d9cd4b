/* Exercise 4, planted mistake: dx reads the kernel flipped, W[K-1-k] for
 * W[k] (the flip of the "full convolution" form, applied to the forward's
 * loops, which need none). dW and db right. */
#define PLANT_DX_KERNEL_FLIPPED
#include "tests/exercises/conv1d/backward.h"
