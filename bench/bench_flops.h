/* The floating-point work of a model's step, counted from the shapes of its
 * layers (docs/performance.md, "Counting the work of a step"). Only the
 * matrix products are counted, each multiply-add as 2 flops: the rest
 * (activations, diagonal peepholes, pooling, the loss, Adam) is a few flops
 * per value, where a product does fan-in multiply-adds per output value.
 *
 * Forward, per sample:
 *   Dense, Conv1D, Conv2D:      positions x size(kernel), positions = the
 *                               output's values / its channels (rows of
 *                               im2col: Dense applies to the last axis of
 *                               every row, a conv's kernel slides over
 *                               every output position)
 *   LSTM, GRU, SimpleRNN:       T x the sum of the sizes of the weight
 *                               matrices (rank-2 kernels, not the GRU's
 *                               (2, 3H) bias): each multiplies one
 *                               vector per step: x_t W_x, h_{t-1} W_h, a
 *                               full peephole's c_{t-1} W_c
 *   layers without parameters:  0
 * Backward: each product's two gradients, dW = X^T dY and dX = dY W^T, are
 * products of the forward's size, so 2x the forward; except that no layer
 * before the first one with parameters needs dX, so that one pays 1x
 * (the input gets no gradient: the conv skips col2im, the layers skip the
 * product). A train step is forward + backward; an inference step the
 * forward alone. Bench-side, a header of static functions, as
 * bench_support.h is; tests/test_bench_flops.c holds it against hand counts. */
#ifndef TG_BENCH_FLOPS_H
#define TG_BENCH_FLOPS_H

#include <string.h>

#include "tapegrad.h"

/* Multiply-adds of one sample's forward through the built layer; -1 for a
 * kind with parameters that has no rule here (the wrappers). */
static inline double bench_layer_macs(const tg_layer *l)
{
    const char *kind = l->ops->kind;
    if (l->n_params == 0)
        return 0;
    if (!strcmp(kind, "Dense") || !strcmp(kind, "Conv1D") || !strcmp(kind, "Conv2D")) {
        const tg_tensor *kernel = tg_layer_param(l, "kernel");
        const tg_shape out = l->output_shape;
        const double positions = (double)tg_shape_size(out) / out.dim[out.ndim - 1];
        return positions * (double)kernel->size;
    }
    if (!strcmp(kind, "LSTM") || !strcmp(kind, "GRU") || !strcmp(kind, "SimpleRNN")) {
        double per_step = 0;
        for (int i = 0; i < l->n_params; i++)
            if (l->is_kernel[i] && l->params[i]->shape.ndim == 2)
                per_step += (double)l->params[i]->size;
        return l->input_shape.dim[0] * per_step;
    }
    return -1;
}

/* Flops of one step of the built model on a batch: train (forward and
 * backward) or inference (forward); -1 if a layer has no rule. */
static inline double bench_model_flops(const tg_model *m, int batch, int train)
{
    double macs = 0;
    int input_needs_grad = 0; /* has a layer with parameters come before? */
    for (int i = 0; i < m->n_layers; i++) {
        const double f = bench_layer_macs(m->layers[i]);
        if (f < 0)
            return -1;
        macs += train ? f * (input_needs_grad ? 3 : 2) : f;
        input_needs_grad |= m->layers[i]->n_params > 0;
    }
    return 2 * macs * batch;
}

#endif
