/* Exercise 3, planted mistake: >= where > belongs, so a tie's gradient goes
 * to the LAST maximum in window order (a subgradient too, but not the
 * library's rule). */
#define PLANT_LAST_TIED_MAXIMUM
#include "tests/exercises/maxpool/backward.h"
