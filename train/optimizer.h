/* Optimizers, as Keras formulates them (so a learning rate tuned in Keras
 * means the same here). The state (velocities, moments) is allocated once,
 * on the first step, outside any arena, one buffer per parameter; a later
 * step with other parameters stops with a message.
 *
 * Gradient descent on the whole set is SGD without momentum and a batch as
 * large as the data (tg_fit_opts.batch_size = 0). */
#ifndef TG_OPTIMIZER_H
#define TG_OPTIMIZER_H

#include "tensor/tensor.h"

typedef enum { TG_OPTIMIZER_SGD = 0, TG_OPTIMIZER_ADAM, TG_OPTIMIZER_RMSPROP } tg_optimizer_kind;

typedef struct tg_optimizer {
    tg_optimizer_kind kind;
    /* Hyper-parameters: set by the constructor to Keras's defaults, and free
     * to change between steps. */
    double learning_rate;
    double momentum;  /* SGD */
    int nesterov;     /* SGD */
    double beta_1, beta_2; /* Adam */
    double rho;       /* RMSprop */
    double epsilon;   /* Adam, RMSprop */
    long iterations;  /* steps taken: t of Adam's bias correction */
    /* State, one buffer per parameter: the velocity m (SGD), the first and
     * second moments m and v (Adam), the mean square v (RMSprop); the
     * buffers a kind does not use are NULL. */
    int n_params;
    size_t *sizes;
    tg_real **m, **v;
} tg_optimizer;

/* Keras: SGD(learning_rate=0.01, momentum=0.0, nesterov=False). */
tg_optimizer *tg_optimizer_sgd(double learning_rate, double momentum, int nesterov);
/* Keras: Adam(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7). */
tg_optimizer *tg_optimizer_adam(double learning_rate);
/* Keras: RMSprop(learning_rate=0.001, rho=0.9, epsilon=1e-7). */
tg_optimizer *tg_optimizer_rmsprop(double learning_rate);
void tg_optimizer_free(tg_optimizer *opt);

/* One update of every parameter from its gradient (params[i]->grad). */
void tg_optimizer_step(tg_optimizer *opt, tg_tensor *const *params, int n);
/* Forgets the state and the step count (a fresh start, same settings). */
void tg_optimizer_reset(tg_optimizer *opt);
const char *tg_optimizer_name(const tg_optimizer *opt);

#endif
