/* The TimeDistributed wrapper, as Keras computes it: (N, T, ...) seen as a
 * batch of N T samples (a reshape that shares the data), the layer applied
 * once to all of them, its output seen as (N, T, ...) again. One layer, so
 * one set of weights for every step; the tape sums their gradients over
 * the steps through the reshapes. */
#include "layers/internal/wrapper.h"

#include <limits.h>
#include <stdio.h>

#include "autograd/autograd.h"
#include "tensor/tensor.h"

/* s without its first axis (the time axis of a per-sample shape). */
static tg_shape drop_first(tg_shape s)
{
    tg_shape out = {s.ndim - 1, {0}};
    for (int i = 1; i < s.ndim; i++)
        out.dim[i - 1] = s.dim[i];
    return out;
}

static tg_shape time_distributed_build(tg_layer *self, tg_shape input, tg_rng *rng)
{
    char s[TG_SHAPE_STR_LEN];
    if (input.ndim < 2 || input.dim[0] < 1)
        tg_fatal("%s: TimeDistributed needs a per-sample input (T, ...) with T >= 1 and at "
                 "least one axis per step, got %s",
                 self->name, tg_shape_str(input, s, sizeof s));
    tg_layer *inner = self->inner[0];
    const tg_shape step_out = tg_layer_build(inner, drop_first(input), rng);
    tg_wrapper_adopt(self, inner, NULL, NULL); /* the layer's own names */
    if (step_out.ndim + 1 > TG_MAX_DIMS - 1)
        tg_fatal("%s: %s gives %s per step, one axis too many with the time axis", self->name,
                 inner->name, tg_shape_str(step_out, s, sizeof s));
    tg_shape out = {step_out.ndim + 1, {input.dim[0]}};
    for (int i = 0; i < step_out.ndim; i++)
        out.dim[i + 1] = step_out.dim[i];
    return out;
}

static tg_tensor *time_distributed_forward(tg_layer *self, tg_tape *tape, tg_tensor *x,
                                           int training)
{
    tg_layer *inner = self->inner[0];
    const int N = x->shape.dim[0], T = x->shape.dim[1];
    if ((long long)N * T > INT_MAX)
        tg_fatal("%s: %d samples of %d steps are more than an axis holds", self->name, N, T);
    tg_wrapper_pass_path(self);
    /* (N, T, ...) -> (N T, ...): every step a sample of its own */
    tg_shape steps = drop_first(x->shape);
    steps.dim[0] = N * T;
    tg_tensor *y = tg_layer_forward(inner, tape, tg_reshape(tape, x, steps), training);
    /* y[n, t] = layer(x[n, t]): (N T, ...) -> (N, T, ...) */
    tg_shape out = {y->shape.ndim + 1, {N, T}};
    for (int i = 1; i < y->shape.ndim; i++)
        out.dim[i + 1] = y->shape.dim[i];
    return tg_reshape(tape, y, out);
}

static const tg_layer_ops time_distributed_ops = {"TimeDistributed", time_distributed_build,
                                                  time_distributed_forward, tg_wrapper_destroy};

tg_layer *tg_time_distributed(tg_layer *layer)
{
    tg_layer *td = tg_xcalloc(1, sizeof *td, "time_distributed");
    tg_layer_init(td, &time_distributed_ops, "time_distributed");
    tg_wrapper_hold(td, layer, "time_distributed");
    td->path = layer->path;
    return td;
}

tg_layer *tg_time_distributed_layer(const tg_layer *layer)
{
    tg_layer_expect(layer, "TimeDistributed", "time_distributed_layer");
    return layer->inner[0];
}
