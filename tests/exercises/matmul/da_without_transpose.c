/* Exercise 2, planted mistake: dA = dY B, the transpose of B forgotten
 * (dB right). Wrong values where the shapes are square; out of range where
 * they are not. */
#define PLANT_DA_WITHOUT_TRANSPOSE
#include "tests/exercises/matmul/backward.h"
