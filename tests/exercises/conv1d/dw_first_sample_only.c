/* Exercise 4, planted mistake: dW summed over the positions of the first
 * sample only, as if the batch were one sample. dx and db right. */
#define PLANT_DW_FIRST_SAMPLE_ONLY
#include "tests/exercises/conv1d/backward.h"
