/* Exercise 5, planted mistake: dc_prev without the candidate's peephole term
 * da_c W_cc (the usual peephole LSTM has none; the document's has). */
#define PLANT_NO_W_CC_IN_DC_PREV
#include "tests/exercises/lstm_step/backward.h"
