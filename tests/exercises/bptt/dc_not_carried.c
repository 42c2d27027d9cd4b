/* Exercise 6, planted mistake: only dh carried back from step 2; step 1
 * starts from dc_1 = 0, as if c_1 reached the loss through h_1 alone. */
#define PLANT_DC_NOT_CARRIED
#include "tests/exercises/bptt/backward.h"
