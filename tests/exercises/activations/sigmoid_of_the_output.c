/* Exercise 1, planted mistake: sigma'(a) = sigma(a) (1 - sigma(a)) applied
 * to the output, sigma(y) (1 - sigma(y)), as if y were the argument (tanh
 * right). */
#include <math.h>

#include "exercises/exercises.h"

void ex_sigmoid_backward(const tg_tensor *y, const tg_tensor *dy, tg_tensor *da)
{
    for (size_t k = 0; k < y->size; k++) {
        const double s = 1 / (1 + exp(-y->data[k]));
        da->data[k] += (tg_real)(dy->data[k] * s * (1 - s));
    }
}

void ex_tanh_backward(const tg_tensor *y, const tg_tensor *dy, tg_tensor *da)
{
    for (size_t k = 0; k < y->size; k++)
        da->data[k] += dy->data[k] * (1 - y->data[k] * y->data[k]);
}
