/* Exercise 8, planted mistake: the candidate without its peephole W_cc c_{t-1},
 * as in Graves's and TensorFlow's peephole LSTM (the document has it). */
#define PLANT_NO_CANDIDATE_PEEPHOLE
#include "tests/exercises/lstm_tape/forward.h"
