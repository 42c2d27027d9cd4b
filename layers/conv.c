/* The Conv1D and Conv2D layers: options, parameters, and the choice of path.
 * The computation itself is in conv_reference.c and conv_fused.c. */
#include "layers/layers.h"

#include <stdio.h>

#include "tensor/tensor.h"

typedef struct {
    tg_layer base;
    int rank; /* spatial axes: 1 (Conv1D) or 2 (Conv2D) */
    int filters, kernel[2], strides[2];
    tg_padding padding;
    tg_activation activation;
    int use_bias;
} conv_layer;

static tg_shape conv_build(tg_layer *self, tg_shape input, tg_rng *rng)
{
    conv_layer *cv = (conv_layer *)self;
    char si[TG_SHAPE_STR_LEN], who[TG_LAYER_NAME_LEN + 2 * TG_SHAPE_STR_LEN];
    tg_shape_str(input, si, sizeof si);
    if (input.ndim != cv->rank + 1 || input.dim[cv->rank] < 1)
        tg_fatal("%s: %s needs a per-sample input %s, got %s", self->name, self->ops->kind,
                 cv->rank == 1 ? "(T, C_in)" : "(H, W, C_in)", si);
    const int c_in = input.dim[cv->rank];
    tg_shape out = input;
    tg_tensor *kernel;
    if (cv->rank == 1) {
        snprintf(who, sizeof who, "%s: input %s, kernel (%d)", self->name, si, cv->kernel[1]);
        out.dim[0] = tg_window_make(who, input.dim[0], cv->kernel[1], cv->strides[1], cv->padding).out;
        kernel = tg_layer_add_param(self, "kernel", TG_SHAPE(cv->kernel[1], c_in, cv->filters), 1);
    } else {
        snprintf(who, sizeof who, "%s: input %s, kernel (%d, %d)", self->name, si, cv->kernel[0],
                 cv->kernel[1]);
        out.dim[0] = tg_window_make(who, input.dim[0], cv->kernel[0], cv->strides[0], cv->padding).out;
        out.dim[1] = tg_window_make(who, input.dim[1], cv->kernel[1], cv->strides[1], cv->padding).out;
        kernel = tg_layer_add_param(self, "kernel",
                                    TG_SHAPE(cv->kernel[0], cv->kernel[1], c_in, cv->filters), 1);
    }
    out.dim[cv->rank] = cv->filters;
    tg_init_glorot_uniform(kernel, rng);
    if (cv->use_bias)
        tg_layer_add_param(self, "bias", TG_SHAPE(cv->filters), 0);
    return out;
}

static tg_tensor *conv_forward(tg_layer *self, tg_tape *tape, tg_tensor *x, int training)
{
    conv_layer *cv = (conv_layer *)self;
    tg_tensor *kernel = self->params[0], *bias = cv->use_bias ? self->params[1] : NULL;
    const int ref = self->path == TG_PATH_REFERENCE;
    tg_tensor *y;
    if (cv->rank == 1)
        y = (ref ? tg_conv1d_reference : tg_conv1d_fused)(tape, x, kernel, bias, cv->strides[1],
                                                          cv->padding);
    else
        y = (ref ? tg_conv2d_reference : tg_conv2d_fused)(tape, x, kernel, bias, cv->strides,
                                                          cv->padding);
    return tg_activate(tape, y, cv->activation);
}

static const tg_layer_ops conv1d_ops = {"Conv1D", conv_build, conv_forward, NULL};
static const tg_layer_ops conv2d_ops = {"Conv2D", conv_build, conv_forward, NULL};

static tg_layer *conv_new(int rank, int filters, const int kernel[2], const int strides[2],
                          tg_padding padding, tg_activation activation, int no_bias)
{
    const char *name = rank == 1 ? "conv1d" : "conv2d";
    if (filters < 1)
        tg_fatal("%s: filters must be >= 1, got %d", name, filters);
    for (int a = 2 - rank; a < 2; a++) {
        if (kernel[a] < 1)
            tg_fatal("%s: kernel size must be >= 1, got %d", name, kernel[a]);
        if (strides[a] < 0)
            tg_fatal("%s: stride must be >= 1 (or 0 for the default 1), got %d", name, strides[a]);
    }
    if (padding != TG_VALID && padding != TG_SAME)
        tg_fatal("%s: unknown padding %d", name, (int)padding);
    tg_activation_name(activation); /* stops on an unknown activation */
    conv_layer *cv = tg_xcalloc(1, sizeof *cv, name);
    tg_layer_init(&cv->base, rank == 1 ? &conv1d_ops : &conv2d_ops, name);
    cv->rank = rank;
    cv->filters = filters;
    for (int a = 0; a < 2; a++) {
        cv->kernel[a] = kernel[a];
        cv->strides[a] = strides[a] ? strides[a] : 1;
    }
    cv->padding = padding;
    cv->activation = activation;
    cv->use_bias = !no_bias;
    return &cv->base;
}

tg_layer *tg_conv2d(tg_conv2d_opts o)
{
    return conv_new(2, o.filters, o.kernel, o.strides, o.padding, o.activation, o.no_bias);
}

tg_layer *tg_conv1d(tg_conv1d_opts o)
{
    /* A Conv1D is stored as a Conv2D of height 1: axis 0 is unused. */
    return conv_new(1, o.filters, (const int[]){1, o.kernel}, (const int[]){1, o.stride},
                    o.padding, o.activation, o.no_bias);
}
