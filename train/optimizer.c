/* The updates, each under its formula; w is a parameter, g its gradient,
 * eta the learning rate, t the step number (from 1). */
#include "train/train.h"

#include "kernels/kernels.h"

#include <math.h>
#include <stdlib.h>

static tg_optimizer *optimizer_new(tg_optimizer_kind kind, double learning_rate)
{
    if (!(learning_rate >= 0))
        tg_fatal("optimizer: learning rate %g is not >= 0", learning_rate);
    tg_optimizer *opt = tg_xcalloc(1, sizeof *opt, "optimizer");
    opt->kind = kind;
    opt->learning_rate = learning_rate;
    opt->beta_1 = 0.9;
    opt->beta_2 = 0.999;
    opt->rho = 0.9;
    opt->epsilon = 1e-7;
    return opt;
}

tg_optimizer *tg_optimizer_sgd(double learning_rate, double momentum, int nesterov)
{
    if (!(momentum >= 0 && momentum < 1))
        tg_fatal("optimizer sgd: momentum %g is not in [0, 1)", momentum);
    tg_optimizer *opt = optimizer_new(TG_OPTIMIZER_SGD, learning_rate);
    opt->momentum = momentum;
    opt->nesterov = nesterov;
    return opt;
}

tg_optimizer *tg_optimizer_adam(double learning_rate)
{
    return optimizer_new(TG_OPTIMIZER_ADAM, learning_rate);
}

tg_optimizer *tg_optimizer_rmsprop(double learning_rate)
{
    return optimizer_new(TG_OPTIMIZER_RMSPROP, learning_rate);
}

void tg_optimizer_reset(tg_optimizer *opt)
{
    for (int i = 0; i < opt->n_params; i++) {
        free(opt->m[i]);
        free(opt->v[i]);
    }
    free(opt->m);
    free(opt->v);
    free(opt->sizes);
    opt->m = opt->v = NULL;
    opt->sizes = NULL;
    opt->n_params = 0;
    opt->iterations = 0;
}

void tg_optimizer_free(tg_optimizer *opt)
{
    if (!opt)
        return;
    tg_optimizer_reset(opt);
    free(opt);
}

const char *tg_optimizer_name(const tg_optimizer *opt)
{
    switch (opt->kind) {
    case TG_OPTIMIZER_SGD:
        return "SGD";
    case TG_OPTIMIZER_ADAM:
        return "Adam";
    case TG_OPTIMIZER_RMSPROP:
        return "RMSprop";
    }
    tg_fatal("optimizer: unknown kind %d", (int)opt->kind);
}

/* The state is allocated on the first step and only checked afterwards. */
static void bind(tg_optimizer *opt, tg_tensor *const *params, int n)
{
    if (opt->sizes) {
        int same = n == opt->n_params;
        for (int i = 0; same && i < n; i++)
            same = params[i]->size == opt->sizes[i];
        if (!same)
            tg_fatal("optimizer %s: stepped with %d parameters that do not match the %d "
                     "its state was made for",
                     tg_optimizer_name(opt), n, opt->n_params);
        return;
    }
    opt->n_params = n;
    opt->sizes = tg_xcalloc((size_t)n + 1, sizeof *opt->sizes, "optimizer state");
    opt->m = tg_xcalloc((size_t)n + 1, sizeof *opt->m, "optimizer state");
    opt->v = tg_xcalloc((size_t)n + 1, sizeof *opt->v, "optimizer state");
    for (int i = 0; i < n; i++) {
        opt->sizes[i] = params[i]->size;
        /* m: SGD's velocity and Adam's first moment; v: the second moment
         * (Adam) and the mean square (RMSprop). */
        if (opt->kind != TG_OPTIMIZER_RMSPROP)
            opt->m[i] = tg_xcalloc(params[i]->size, sizeof(tg_real), "optimizer state");
        if (opt->kind != TG_OPTIMIZER_SGD)
            opt->v[i] = tg_xcalloc(params[i]->size, sizeof(tg_real), "optimizer state");
    }
}

static void sgd_update(const tg_optimizer *opt, tg_real *w, const tg_real *g, tg_real *vel,
                       size_t n)
{
    const tg_real eta = (tg_real)opt->learning_rate, mu = (tg_real)opt->momentum;
    if (opt->momentum == 0) {
        for (size_t k = 0; k < n; k++)
            /* w <- w - eta g */
            w[k] = w[k] - eta * g[k];
        return;
    }
    for (size_t k = 0; k < n; k++) {
        /* v <- mu v - eta g */
        vel[k] = mu * vel[k] - eta * g[k];
        if (opt->nesterov)
            /* w <- w + mu v - eta g   (Nesterov: the step looks ahead along v) */
            w[k] = w[k] + mu * vel[k] - eta * g[k];
        else
            /* w <- w + v */
            w[k] = w[k] + vel[k];
    }
}

static void adam_update(const tg_optimizer *opt, tg_real *w, const tg_real *g, tg_real *m,
                        tg_real *v, size_t n)
{
    const double t = (double)opt->iterations;
    const tg_real b1 = (tg_real)opt->beta_1, b2 = (tg_real)opt->beta_2;
    const tg_real eps = (tg_real)opt->epsilon;
    /* eta_t = eta sqrt(1 - beta_2^t) / (1 - beta_1^t)   (bias correction, as Keras) */
    const tg_real eta_t = (tg_real)(opt->learning_rate * sqrt(1 - pow(opt->beta_2, t)) /
                                    (1 - pow(opt->beta_1, t)));
    /* w, g, m and v are four buffers of their own: no element depends on another's */
#pragma omp simd
    for (size_t k = 0; k < n; k++) {
        /* m <- beta_1 m + (1 - beta_1) g */
        m[k] = b1 * m[k] + (1 - b1) * g[k];
        /* v <- beta_2 v + (1 - beta_2) g^2 */
        v[k] = b2 * v[k] + (1 - b2) * g[k] * g[k];
        /* w <- w - eta_t m / (sqrt(v) + eps) */
        w[k] = w[k] - eta_t * m[k] / (tg_real_sqrt(v[k]) + eps);
    }
}

static void rmsprop_update(const tg_optimizer *opt, tg_real *w, const tg_real *g, tg_real *v,
                           size_t n)
{
    const tg_real eta = (tg_real)opt->learning_rate, rho = (tg_real)opt->rho;
    const tg_real eps = (tg_real)opt->epsilon;
#pragma omp simd
    for (size_t k = 0; k < n; k++) {
        /* v <- rho v + (1 - rho) g^2 */
        v[k] = rho * v[k] + (1 - rho) * g[k] * g[k];
        /* w <- w - eta g / sqrt(v + eps) */
        w[k] = w[k] - eta * g[k] / tg_real_sqrt(v[k] + eps);
    }
}

void tg_optimizer_step(tg_optimizer *opt, tg_tensor *const *params, int n)
{
    bind(opt, params, n);
    opt->iterations++;
    for (int i = 0; i < n; i++) {
        tg_tensor *p = params[i];
        if (!p->grad)
            tg_fatal("optimizer %s: parameter %s has no gradient", tg_optimizer_name(opt),
                     p->name ? p->name : "?");
        switch (opt->kind) {
        case TG_OPTIMIZER_SGD:
            sgd_update(opt, p->data, p->grad, opt->m[i], p->size);
            break;
        case TG_OPTIMIZER_ADAM:
            adam_update(opt, p->data, p->grad, opt->m[i], opt->v[i], p->size);
            break;
        case TG_OPTIMIZER_RMSPROP:
            rmsprop_update(opt, p->data, p->grad, opt->v[i], p->size);
            break;
        }
    }
}
