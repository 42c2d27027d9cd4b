/* Exercise 6, planted mistake: step 1 gets only what step 2 sent to h_1,
 * not the loss's own dL/dh_1. */
#define PLANT_NO_LOSS_GRADIENT_AT_STEP_1
#include "tests/exercises/bptt/backward.h"
