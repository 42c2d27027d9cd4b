/* Exercise 3, planted mistake: the winner's gradient assigned instead of
 * added to, so where windows overlap an element that wins twice keeps only
 * the last window's gradient. */
#define PLANT_OVERLAP_OVERWRITTEN
#include "tests/exercises/maxpool/backward.h"
