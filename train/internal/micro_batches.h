/* The data-parallel training step's micro-batches (micro_batches.c) and the
 * forward pass they share with the whole-batch one (forward.c). Not
 * installed. */
#ifndef TG_TRAIN_MICRO_BATCHES_H
#define TG_TRAIN_MICRO_BATCHES_H

#include "train/train.h"

/* x: (N, input_shape...) through every layer of m on tape; outputs[i]
 * receives layer i's output. */
tg_tensor *tg_layers_forward(const tg_model *m, tg_tape *tape, tg_tensor *x, int training,
                             tg_tensor **outputs);

/* 1 when a step on the batch x, y splits it into micro-batches (see
 * tg_model_train_step): at least two micro-batches, shapes that fit the
 * model (a batch that does not fit runs whole, where the layers name the
 * misfit), and no layer that keeps state. */
int tg_micro_batches_split(const tg_model *m, const tg_tensor *x, const tg_tensor *y);

/* The micro-batches' forward, loss and backward, on the threads there are;
 * then every parameter's gradient (its grad) <- their sum in order plus the
 * penalties' gradient, *loss <- the batch's loss, and
 * m->outputs[m->n_layers - 1] <- the prediction, on m->tape (the other
 * outputs NULL). A NaN or an Inf in the loss or a gradient is the finite
 * checks' error (tg_model_check_forward, tg_model_check_gradients), the
 * place named in the first micro-batch that has it: m->outputs then holds
 * that micro-batch's layer outputs, on its tape. */
tg_status tg_micro_batches_gradient(tg_model *m, tg_tensor *x, tg_tensor *y, double *loss);

/* The blocks the micro-batches' arenas ever obtained from malloc, summed:
 * steady from the second step on (the tests hold it). */
size_t tg_micro_batches_blocks(const tg_micro_batches *mb);

/* Inference (no gradients) of the batch x on m->tape: split into
 * micro-batches as a step splits it (tg_micro_batches_split without y), the
 * prediction assembled on m->tape and kept as tg_micro_batches_gradient keeps
 * it; else the batch whole on m->tape, every output kept. */
tg_tensor *tg_micro_batches_infer(tg_model *m, tg_tensor *x);

void tg_micro_batches_free(tg_micro_batches *mb);

#endif
