/* Exercise 5, planted mistake: W_co's gradient from c_{t-1}, though the
 * output gate peeks at the new state c_t. */
#define PLANT_W_CO_SEES_C_PREV
#include "tests/exercises/lstm_step/backward.h"
