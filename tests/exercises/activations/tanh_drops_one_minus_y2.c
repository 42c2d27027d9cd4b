/* Exercise 1, planted mistake: tanh's backward drops the factor 1 - y^2
 * and passes dy straight through (sigmoid right). */
#define PLANT_TANH_DROPS_ONE_MINUS_Y2
#include "tests/exercises/activations/backward.h"
