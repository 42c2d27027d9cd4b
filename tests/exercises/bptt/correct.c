/* Exercise 6, a correct answer (backward.h). */
#include "tests/exercises/bptt/backward.h"
