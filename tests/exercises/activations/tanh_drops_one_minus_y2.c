/* Exercise 1, planted mistake: tanh's backward drops the factor 1 - y^2
 * and passes dy straight through (sigmoid right). */
#include "exercises/exercises.h"

void ex_sigmoid_backward(const tg_tensor *y, const tg_tensor *dy, tg_tensor *da)
{
    for (size_t k = 0; k < y->size; k++)
        da->data[k] += dy->data[k] * y->data[k] * (1 - y->data[k]);
}

void ex_tanh_backward(const tg_tensor *y, const tg_tensor *dy, tg_tensor *da)
{
    for (size_t k = 0; k < y->size; k++)
        da->data[k] += dy->data[k];
}
