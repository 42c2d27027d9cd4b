/* What fit and evaluate share (batches.c): samples taken from a
 * tg_fit_source a batch at a time, and the running figures of a pass over
 * batches. Not installed. */
#ifndef TG_TRAIN_BATCHES_H
#define TG_TRAIN_BATCHES_H

#include "train/train.h"

/* The samples held as two tensors x, y, as a source. */
typedef struct tg_tensor_pair {
    const tg_tensor *x, *y;
} tg_tensor_pair;

tg_fit_source tg_pair_source(const tg_tensor_pair *p);

/* Stops unless both of the source's shapes are (N, ...) of the model's
 * input and output shapes (x_what, y_what name them in the message). */
void tg_source_expect(const tg_model *m, const char *x_what, const char *y_what,
                      const tg_fit_source *src);

/* The samples idx[0..count) of src as arena tensors *x, *y (no gradient). */
void tg_source_gather(tg_tape *tape, const tg_fit_source *src, const int *idx, int count,
                      tg_tensor **x, tg_tensor **y);

/* 0, 1, ..., n - 1 on the heap. */
int *tg_indices(int n);

/* The loss and the metrics of a pass, batch after batch: the loss weighted
 * by the batch's samples, the metrics as sums and counts (exact whatever
 * the batch sizes). */
typedef struct tg_running {
    double loss;
    tg_metric_sum metric[TG_MODEL_MAX_METRICS];
    size_t samples;
} tg_running;

void tg_running_add(tg_running *r, const tg_model *m, double loss, int count,
                    const tg_tensor *pred, const tg_tensor *target);
double tg_running_loss(const tg_running *r);
void tg_running_metrics(const tg_running *r, int n, double *out);
/* ok when the mean loss and every metric are finite, else an error
 * "the loss over the 64 samples is inf" or "mae over the 64 samples is inf". */
tg_status tg_running_check(const tg_running *r, const tg_model *m);

#endif
