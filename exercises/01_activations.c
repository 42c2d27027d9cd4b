/* Exercise 1: the backward pass of sigmoid and tanh.
 *
 * The forward passes (given below), element by element:
 *
 *     sigmoid:  y = sigma(a) = 1 / (1 + e^{-a})
 *     tanh:     y = tanh(a)   = (e^a - e^{-a}) / (e^a + e^{-a})
 *
 * Write the backward passes: given the forward's output y and dy = dL/dy,
 * compute da = dL/da = dy * dy/da, element by element -- with dy/da
 * written in terms of y, not a. The backward is handed y, not a: a layer
 * keeps its activations' outputs (the LSTM of exercise 5 keeps its gates),
 * so that is what a backward pass has to work with.
 *
 * Shapes: a, y, dy and da all alike (any shape: loop over the ->size
 * elements of ->data). da starts at zero.
 *
 * Grade it: make exercise E=activations      Page: docs/exercise-01-activations.md */
#include <math.h>

#include "tapegrad.h"
#include "exercises/exercises.h"

void ex_sigmoid_forward(const tg_tensor *a, tg_tensor *y)
{
    for (size_t k = 0; k < a->size; k++)
        y->data[k] = (tg_real)(1 / (1 + exp(-a->data[k])));
}

void ex_sigmoid_backward(const tg_tensor *y, const tg_tensor *dy, tg_tensor *da)
{
    /* ======== YOUR CODE: da = dy * dy/da, for each of the y->size elements ======== */
}

void ex_tanh_forward(const tg_tensor *a, tg_tensor *y)
{
    for (size_t k = 0; k < a->size; k++)
        y->data[k] = (tg_real)tanh(a->data[k]);
}

void ex_tanh_backward(const tg_tensor *y, const tg_tensor *dy, tg_tensor *da)
{
    /* ======== YOUR CODE: da = dy * dy/da, for each of the y->size elements ======== */
}

/* Hints
 *
 * - sigmoid: differentiate (1 + e^{-a})^{-1} with the chain rule, then
 *   replace e^{-a} using 1 + e^{-a} = 1 / y.
 * - tanh: the quotient rule gives 4 / (e^a + e^{-a})^2 = 1 / cosh^2(a);
 *   then use cosh^2 - sinh^2 = 1, divided by cosh^2.
 * - Both derivatives are at most 1 (sigmoid's at most 1/4), and both
 *   vanish where y saturates: that is the vanishing gradient of a deep
 *   stack of these, which the LSTM's additive cell state works around.
 * - The grader compares your da with the gradient the library's tape
 *   derives and with finite differences of the forward above. */
