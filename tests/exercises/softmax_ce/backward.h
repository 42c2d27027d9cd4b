/* A correct backward of softmax + cross-entropy (exercise 7),
 * dz = dL (p - y) / N, with the planted mistakes of this folder as switches
 * (each planted file defines one PLANT_... and includes this file). */
#include "exercises/exercises.h"

void ex_softmax_ce_backward(const tg_tensor *p, const tg_tensor *y, tg_real dL, tg_tensor *dz)
{
#ifdef PLANT_NO_MEAN
    const tg_real N = 1;
#else
    const tg_real N = (tg_real)p->shape.dim[0];
#endif
#ifdef PLANT_IGNORES_DL
    dL = 1;
#endif
    for (size_t k = 0; k < p->size; k++)
#ifdef PLANT_ONE_SUBTRACTED_EVERYWHERE
        dz->data[k] += dL * (p->data[k] - 1) / N;
#else
        dz->data[k] += dL * (p->data[k] - y->data[k]) / N;
#endif
}
