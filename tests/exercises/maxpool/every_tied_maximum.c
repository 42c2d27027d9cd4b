/* Exercise 3, planted mistake: the gradient sent to every element equal to
 * the window's maximum, so a tie passes on twice its gradient. */
#define PLANT_EVERY_TIED_MAXIMUM
#include "tests/exercises/maxpool/backward.h"
