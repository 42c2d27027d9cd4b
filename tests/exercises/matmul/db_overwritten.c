/* Exercise 2, planted mistake: dB[k, n] assigned instead of added to, so
 * only the last row m of the sum survives (dA right). */
#define PLANT_DB_OVERWRITTEN
#include "tests/exercises/matmul/backward.h"
