/* Exercise 1, planted mistake: sigma'(a) = sigma(a) (1 - sigma(a)) applied to
 * the output, sigma(y) (1 - sigma(y)), as if y were the argument (tanh
 * right). */
#define PLANT_SIGMOID_OF_THE_OUTPUT
#include "tests/exercises/activations/backward.h"
