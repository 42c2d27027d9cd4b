/* Exercise 4, a correct answer (backward.h). */
#include "tests/exercises/conv1d/backward.h"
