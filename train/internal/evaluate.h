/* The pass over samples that evaluate and fit's validation share
 * (evaluate.c). Not installed. */
#ifndef TG_TRAIN_EVALUATE_H
#define TG_TRAIN_EVALUATE_H

#include "train/train.h"

/* Loss and metrics over the samples idx[0..n) of src, batch_size at a
 * time, without gradients, into *loss and metrics (either may be NULL). A
 * NaN or Inf is an error whose message says where, without a prefix:
 * "the loss is inf at batch 3 of 14, first NaN/Inf in the output of layer
 * dense_1" (the pass stops at that batch), or tg_running_check's. */
tg_status tg_evaluate_rows(tg_model *m, const tg_fit_source *src, const int *idx, int n,
                           int batch_size, double *loss, double *metrics);

#endif
