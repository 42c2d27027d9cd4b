/* The losses' named gradient checks (loss.c), gathered by the one registry
 * (apps/gradcheck_registry.c). Not installed. */
#ifndef TG_TRAIN_GRADCHECK_CASES_H
#define TG_TRAIN_GRADCHECK_CASES_H

#include "train/train.h"

/* mse, bce, bce_logits, cce, cce_logits. */
const tg_gradcheck_case *tg_loss_gradcheck_cases(int *n);

#endif
