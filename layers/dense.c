#include "layers/layers.h"

#include "autograd/autograd.h"
#include "tensor/tensor.h"

typedef struct {
    tg_layer base;
    int units;
    tg_activation activation;
    tg_tensor *logits; /* x W + b of the last forward, in that forward's tape */
} dense_layer;

static tg_shape dense_build(tg_layer *self, tg_shape input, tg_rng *rng)
{
    dense_layer *d = (dense_layer *)self;
    if (input.ndim < 1 || input.ndim > TG_MAX_DIMS - 1 || input.dim[input.ndim - 1] < 1) {
        char s[TG_SHAPE_STR_LEN];
        tg_fatal("%s: Dense needs a per-sample input of 1 to %d axes with a last axis >= 1, got %s",
                 self->name, TG_MAX_DIMS - 1, tg_shape_str(input, s, sizeof s));
    }
    const int in = input.dim[input.ndim - 1];
    tg_tensor *kernel = tg_layer_add_param(self, "kernel", TG_SHAPE(in, d->units), 1);
    tg_init_glorot_uniform(kernel, rng);
    tg_layer_add_param(self, "bias", TG_SHAPE(d->units), 0);
    return tg_shape_with_last(input, d->units);
}

static tg_tensor *dense_forward(tg_layer *self, tg_tape *tape, tg_tensor *x, int training)
{
    dense_layer *d = (dense_layer *)self;
    tg_tensor *W = self->params[0], *b = self->params[1];
    /* y = activation(x W + b) */
    d->logits = tg_add(tape, tg_matmul(tape, x, W), b);
    return tg_activate(tape, d->logits, d->activation);
}

tg_tensor *tg_dense_logits(const tg_layer *dense)
{
    const dense_layer *d = (const dense_layer *)tg_layer_expect(dense, "Dense", "dense_logits");
    if (!d->logits)
        tg_fatal("dense_logits: %s has not run forward yet", dense->name);
    return d->logits;
}

static const tg_layer_ops dense_ops = {"Dense", dense_build, dense_forward, NULL};

tg_layer *tg_dense(int units, tg_activation activation)
{
    if (units < 1)
        tg_fatal("dense: units must be >= 1, got %d", units);
    tg_activation_name(activation); /* stops on an unknown activation */
    dense_layer *d = tg_xcalloc(1, sizeof *d, "dense");
    tg_layer_init(&d->base, &dense_ops, "dense");
    d->units = units;
    d->activation = activation;
    return &d->base;
}
