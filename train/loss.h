/* Losses: each one a composition of tape ops, so the tape derives its
 * gradient and gradcheck holds it against finite differences.
 *
 * pred and target have one shape. A loss is averaged over every sample and,
 * for per-time-step outputs such as the document's (N, T, 1) time-series model,
 * over every time step too: MSE and the binary cross-entropies over all
 * elements, the categorical ones over all rows (every index but the last).
 * A shape mismatch stops with a message naming the loss and both shapes. */
#ifndef TG_LOSS_H
#define TG_LOSS_H

#include "autograd/gradcheck_registry.h"
#include "autograd/tape.h"

typedef enum {
    TG_LOSS_MSE = 0,     /* mean squared error */
    TG_LOSS_BCE,         /* binary cross-entropy on probabilities (after a sigmoid) */
    TG_LOSS_BCE_LOGITS,  /* binary cross-entropy on logits (no sigmoid), stable */
    TG_LOSS_CCE,         /* categorical cross-entropy on probabilities (after a softmax) */
    TG_LOSS_CCE_LOGITS,  /* categorical cross-entropy on logits, fused with log-softmax */
} tg_loss;

/* Keras's fuzz factor: probabilities are clipped to [eps, 1 - eps]. */
#define TG_LOSS_EPSILON 1e-7

tg_tensor *tg_loss_mse(tg_tape *tape, tg_tensor *pred, tg_tensor *target);
tg_tensor *tg_loss_bce(tg_tape *tape, tg_tensor *prob, tg_tensor *target);
tg_tensor *tg_loss_bce_logits(tg_tape *tape, tg_tensor *logits, tg_tensor *target);
tg_tensor *tg_loss_cce(tg_tape *tape, tg_tensor *prob, tg_tensor *target);
tg_tensor *tg_loss_cce_logits(tg_tape *tape, tg_tensor *logits, tg_tensor *target);

/* The loss of that kind: a one-element tensor on the tape. */
tg_tensor *tg_loss_compute(tg_tape *tape, tg_loss loss, tg_tensor *pred, tg_tensor *target);
/* "mse", "binary_crossentropy", ... as Keras names them. */
const char *tg_loss_name(tg_loss loss);
/* Parses a name of tg_loss_name; returns 0 and sets *loss, or -1. */
int tg_loss_parse(const char *name, tg_loss *loss);
/* 1 when the loss reads logits, so metrics threshold at 0 instead of 0.5. */
int tg_loss_from_logits(tg_loss loss);

/* mse, bce, bce_logits, cce, cce_logits. */
const tg_gradcheck_case *tg_loss_gradcheck_cases(int *n);

#endif
