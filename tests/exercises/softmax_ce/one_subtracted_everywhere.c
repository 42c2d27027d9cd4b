/* Exercise 7, planted mistake: p - 1 for every class, where only the true
 * class's p loses 1 (p - y). */
#define PLANT_ONE_SUBTRACTED_EVERYWHERE
#include "tests/exercises/softmax_ce/backward.h"
