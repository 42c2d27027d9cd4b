/* Exercise 5, planted mistake: the candidate's derivative taken as a
 * sigmoid's, c~ (1 - c~), where tanh' = 1 - c~^2 belongs. */
#define PLANT_CANDIDATE_SIGMOID_DERIVATIVE
#include "tests/exercises/lstm_step/backward.h"
