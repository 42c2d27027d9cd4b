/* Exercise 6, planted mistake: the parameters' gradients zeroed between the
 * steps, so step 1's replace step 2's instead of adding to them. */
#define PLANT_PARAMETERS_OVERWRITTEN
#include "tests/exercises/bptt/backward.h"
