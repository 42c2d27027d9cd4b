/* Exercise 8, planted mistake: the output gate peeks at c_{t-1}, as the
 * other gates do, not at the new state c_t. */
#define PLANT_O_PEEKS_AT_C_PREV
#include "tests/exercises/lstm_tape/forward.h"
