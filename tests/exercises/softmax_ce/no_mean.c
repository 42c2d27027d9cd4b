/* Exercise 7, planted mistake: the mean's 1/N forgotten, dz = dL (p - y). */
#include "exercises/exercises.h"

void ex_softmax_ce_backward(const tg_tensor *p, const tg_tensor *y, tg_real dL, tg_tensor *dz)
{
    for (size_t k = 0; k < p->size; k++)
        dz->data[k] += dL * (p->data[k] - y->data[k]);
}
