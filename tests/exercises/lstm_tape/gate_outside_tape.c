/* Exercise 8, planted mistake: i_t computed with loops outside the tape:
 * its values right, its gradient lost. */
#define PLANT_GATE_OUTSIDE_TAPE
#include "tests/exercises/lstm_tape/forward.h"
