#include "layers/layers.h"

#include <stdio.h>

#include "autograd/autograd.h"

typedef enum { FLATTEN, RESHAPE, ROWS_AS_STEPS } reshape_kind;

typedef struct {
    tg_layer base;
    reshape_kind kind;
    tg_shape target; /* per sample, RESHAPE only (may hold one -1) */
} reshape_layer;

static void fatal_shapes(const tg_layer *self, const char *why, tg_shape input)
{
    char si[TG_SHAPE_STR_LEN];
    tg_fatal("%s: %s, got a per-sample input %s", self->name, why,
             tg_shape_str(input, si, sizeof si));
}

static tg_shape reshape_build(tg_layer *self, tg_shape input, tg_rng *rng)
{
    reshape_layer *r = (reshape_layer *)self;
    const size_t size = tg_shape_size(input);
    switch (r->kind) {
    case FLATTEN:
        if (input.ndim < 1)
            fatal_shapes(self, "Flatten needs at least one axis", input);
        return TG_SHAPE((int)size);
    case ROWS_AS_STEPS:
        if (input.ndim != 3)
            fatal_shapes(self, "rows as steps needs an image (H, W, C)", input);
        return TG_SHAPE(input.dim[0], input.dim[1] * input.dim[2]);
    case RESHAPE:
        break;
    }
    tg_shape out = r->target;
    size_t known = 1;
    int infer = -1;
    for (int i = 0; i < out.ndim; i++)
        if (out.dim[i] == -1)
            infer = i;
        else
            known *= (size_t)out.dim[i];
    if (infer >= 0) {
        if (size % known) /* known >= 1: the target's sizes are >= 1 but for the -1 */
            fatal_shapes(self, "the target shape does not divide the input", input);
        out.dim[infer] = (int)(size / known);
    }
    if (tg_shape_size(out) != size) {
        char so[TG_SHAPE_STR_LEN], why[TG_SHAPE_STR_LEN + 48];
        snprintf(why, sizeof why, "target %s holds a different number of elements",
                 tg_shape_str(r->target, so, sizeof so));
        fatal_shapes(self, why, input);
    }
    return out;
}

static tg_tensor *reshape_forward(tg_layer *self, tg_tape *tape, tg_tensor *x, int training)
{
    tg_shape s = {self->output_shape.ndim + 1, {x->shape.dim[0]}};
    for (int i = 0; i < self->output_shape.ndim; i++)
        s.dim[i + 1] = self->output_shape.dim[i];
    return tg_reshape(tape, x, s);
}

static const tg_layer_ops flatten_ops = {"Flatten", reshape_build, reshape_forward, NULL};
static const tg_layer_ops reshape_ops = {"Reshape", reshape_build, reshape_forward, NULL};

static tg_layer *reshape_new(reshape_kind kind, const tg_layer_ops *ops, const char *name,
                             tg_shape target)
{
    reshape_layer *r = tg_xcalloc(1, sizeof *r, name);
    tg_layer_init(&r->base, ops, name);
    r->kind = kind;
    r->target = target;
    return &r->base;
}

tg_layer *tg_flatten(void)
{
    return reshape_new(FLATTEN, &flatten_ops, "flatten", TG_SCALAR);
}

tg_layer *tg_reshape_layer(tg_shape shape)
{
    int inferred = 0;
    if (shape.ndim < 1 || shape.ndim > TG_MAX_DIMS - 1)
        tg_fatal("reshape: a per-sample target of 1 to %d axes, got %d", TG_MAX_DIMS - 1,
                 shape.ndim);
    for (int i = 0; i < shape.ndim; i++)
        if (shape.dim[i] == -1 ? inferred++ : shape.dim[i] < 1) {
            char s[TG_SHAPE_STR_LEN];
            tg_fatal("reshape: bad target %s (sizes >= 1, at most one -1)",
                     tg_shape_str(shape, s, sizeof s));
        }
    return reshape_new(RESHAPE, &reshape_ops, "reshape", shape);
}

tg_layer *tg_rows_as_steps(void)
{
    return reshape_new(ROWS_AS_STEPS, &reshape_ops, "rows_as_steps", TG_SCALAR);
}
