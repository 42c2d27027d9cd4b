/* Exercise 8, planted mistake: h_t = o_t (.) c_t, the tanh forgotten. */
#define PLANT_H_WITHOUT_TANH
#include "tests/exercises/lstm_tape/forward.h"
