/* Exercise 4, planted mistake: dx sent to x[n, t + k] instead of
 * x[n, t s + k] (right at stride 1 only). dW and db right. */
#define PLANT_DX_IGNORES_STRIDE
#include "tests/exercises/conv1d/backward.h"
