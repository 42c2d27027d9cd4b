/* Exercise 7, planted mistake: the mean's 1/N forgotten, dz = dL (p - y). */
#define PLANT_NO_MEAN
#include "tests/exercises/softmax_ce/backward.h"
