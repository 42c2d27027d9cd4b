/* The recurrent convolutional layer (RCL) of Liang & Hu 2015 ("Recurrent
 * convolutional neural network for object recognition", CVPR): its
 * options, its parameters, and its equations unrolled over the iterations
 * from tape ops. One path: every convolution is the fused Conv2D op
 * (conv_fused.c, itself held against the reference convolution), and the
 * tape derives the gradient through the iterations. */
#include "layers/layers.h"

#include <stdio.h>

#include "autograd/autograd.h"
#include "tensor/tensor.h"

typedef struct {
    tg_layer base;
    tg_rcl2d_opts opts;
} rcl_layer;

static tg_shape rcl_build(tg_layer *self, tg_shape input, tg_rng *rng)
{
    rcl_layer *l = (rcl_layer *)self;
    char si[TG_SHAPE_STR_LEN];
    if (input.ndim != 3 || input.dim[0] < 1 || input.dim[1] < 1 || input.dim[2] < 1)
        tg_fatal("%s: RCL2D needs a per-sample input (H, W, C), got %s", self->name,
                 tg_shape_str(input, si, sizeof si));
    const int C = input.dim[2], F = l->opts.filters;
    const int kh = l->opts.kernel[0], kw = l->opts.kernel[1];
    /* Keras's names for a layer with an input and a recurrent kernel;
     * glorot_uniform for both (the recurrent one is a convolution, not a
     * square matrix to make orthogonal), zero bias. */
    tg_tensor *W_f = tg_layer_add_param(self, "kernel", TG_SHAPE(kh, kw, C, F), 1);
    tg_tensor *W_r = tg_layer_add_param(self, "recurrent_kernel", TG_SHAPE(kh, kw, F, F), 1);
    tg_layer_add_param(self, "bias", TG_SHAPE(F), 0);
    tg_init_glorot_uniform(W_f, rng);
    tg_init_glorot_uniform(W_r, rng);
    /* 'same' padding, stride 1: x(t-1) has the shape of W_f * u */
    return TG_SHAPE(input.dim[0], input.dim[1], F);
}

static tg_tensor *rcl_forward(tg_layer *self, tg_tape *tape, tg_tensor *u, int training)
{
    rcl_layer *l = (rcl_layer *)self;
    tg_tensor *W_f = self->params[0], *W_r = self->params[1], *b = self->params[2];
    const int one[2] = {1, 1};

    /* W_f * u + b: the feed-forward input, the same at every iteration */
    tg_tensor *feed = tg_conv2d_fused(tape, u, W_f, b, one, TG_SAME);
    /* x(0) = relu(W_f * u + b) */
    tg_tensor *x = tg_relu(tape, feed);
    x->name = "x(0)";
    for (int t = 1; t <= l->opts.iterations; t++) {
        /* x(t) = relu(W_f * u + W_r * x(t-1) + b) */
        tg_tensor *s = tg_add(tape, feed, tg_conv2d_fused(tape, x, W_r, NULL, one, TG_SAME));
        x = tg_relu(tape, s);
        x->name = "x(t)";
    }
    return x;
}

static const tg_layer_ops rcl_ops = {"RCL2D", rcl_build, rcl_forward, NULL};

tg_layer *tg_rcl2d(tg_rcl2d_opts o)
{
    if (o.filters < 1)
        tg_fatal("rcl2d: filters must be >= 1, got %d", o.filters);
    if (o.kernel[0] < 1 || o.kernel[1] < 1)
        tg_fatal("rcl2d: kernel size must be >= 1, got (%d, %d)", o.kernel[0], o.kernel[1]);
    if (o.iterations < 0)
        tg_fatal("rcl2d: iterations must be >= 0, got %d", o.iterations);
    rcl_layer *l = tg_xcalloc(1, sizeof *l, "rcl2d");
    tg_layer_init(&l->base, &rcl_ops, "rcl2d");
    l->opts = o;
    return &l->base;
}
