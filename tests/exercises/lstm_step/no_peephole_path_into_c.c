/* Exercise 5, planted mistake: the gradient into c_t without the path
 * through the output gate's peephole, da_o W_co (o_t looks at c_t). */
#define PLANT_NO_PEEPHOLE_PATH_INTO_C
#include "tests/exercises/lstm_step/backward.h"
