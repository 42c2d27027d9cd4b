/* A correct backward of sigmoid and tanh (exercise 1), sigma' = y (1 - y)
 * and tanh' = 1 - y^2, with the planted mistakes of this folder as switches
 * (each planted file defines one PLANT_... and includes this file). */
#include <math.h>

#include "exercises/exercises.h"

void ex_sigmoid_backward(const tg_tensor *y, const tg_tensor *dy, tg_tensor *da)
{
    for (size_t k = 0; k < y->size; k++) {
#ifdef PLANT_SIGMOID_OF_THE_OUTPUT
        const tg_real s = (tg_real)(1 / (1 + exp(-y->data[k])));
#else
        const tg_real s = y->data[k];
#endif
        da->data[k] += dy->data[k] * s * (1 - s);
    }
}

void ex_tanh_backward(const tg_tensor *y, const tg_tensor *dy, tg_tensor *da)
{
    for (size_t k = 0; k < y->size; k++)
#ifdef PLANT_TANH_DROPS_ONE_MINUS_Y2
        da->data[k] += dy->data[k];
#else
        da->data[k] += dy->data[k] * (1 - y->data[k] * y->data[k]);
#endif
}
