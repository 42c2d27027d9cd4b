#include "layers/layers.h"

typedef struct {
    tg_layer base;
    tg_activation activation;
} activation_layer;

static tg_shape activation_build(tg_layer *self, tg_shape input, tg_rng *rng)
{
    if (input.ndim < 1 || input.ndim > TG_MAX_DIMS - 1) {
        char s[TG_SHAPE_STR_LEN];
        tg_fatal("%s: Activation needs a per-sample input of 1 to %d axes, got %s", self->name,
                 TG_MAX_DIMS - 1, tg_shape_str(input, s, sizeof s));
    }
    return input;
}

static tg_tensor *activation_forward(tg_layer *self, tg_tape *tape, tg_tensor *x, int training)
{
    return tg_activate(tape, x, ((activation_layer *)self)->activation);
}

static const tg_layer_ops activation_ops = {"Activation", activation_build, activation_forward,
                                            NULL};

tg_layer *tg_activation_layer(tg_activation activation)
{
    tg_activation_name(activation); /* stops on an unknown activation */
    activation_layer *a = tg_xcalloc(1, sizeof *a, "activation");
    tg_layer_init(&a->base, &activation_ops, "activation");
    a->activation = activation;
    return &a->base;
}
