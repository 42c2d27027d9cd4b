/* Exercise 7, planted mistake: dL dropped, as if L were always the loss
 * itself (the grader's dL is not 1). */
#define PLANT_IGNORES_DL
#include "tests/exercises/softmax_ce/backward.h"
