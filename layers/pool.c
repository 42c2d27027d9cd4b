/* The MaxPooling1D and MaxPooling2D layers: options and the choice of path.
 * The computation is in pool_reference.c and pool_fused.c. */
#include "layers/layers.h"

#include <stdio.h>

typedef struct {
    tg_layer base;
    int rank; /* spatial axes: 1 or 2 */
    int pool[2], strides[2];
    tg_padding padding;
} pool_layer;

static tg_shape pool_build(tg_layer *self, tg_shape input, tg_rng *rng)
{
    pool_layer *p = (pool_layer *)self;
    char si[TG_SHAPE_STR_LEN], who[TG_LAYER_NAME_LEN + 2 * TG_SHAPE_STR_LEN];
    tg_shape_str(input, si, sizeof si);
    if (input.ndim != p->rank + 1 || input.dim[p->rank] < 1)
        tg_fatal("%s: %s needs a per-sample input %s, got %s", self->name, self->ops->kind,
                 p->rank == 1 ? "(T, C)" : "(H, W, C)", si);
    tg_shape out = input;
    if (p->rank == 1) {
        snprintf(who, sizeof who, "%s: input %s, pool %d", self->name, si, p->pool[1]);
        out.dim[0] = tg_window_make(who, input.dim[0], p->pool[1], p->strides[1], p->padding).out;
    } else {
        snprintf(who, sizeof who, "%s: input %s, pool (%d, %d)", self->name, si, p->pool[0],
                 p->pool[1]);
        out.dim[0] = tg_window_make(who, input.dim[0], p->pool[0], p->strides[0], p->padding).out;
        out.dim[1] = tg_window_make(who, input.dim[1], p->pool[1], p->strides[1], p->padding).out;
    }
    return out;
}

static tg_tensor *pool_forward(tg_layer *self, tg_tape *tape, tg_tensor *x, int training)
{
    pool_layer *p = (pool_layer *)self;
    const int ref = self->path == TG_PATH_REFERENCE;
    if (p->rank == 1)
        return (ref ? tg_maxpool1d_reference : tg_maxpool1d_fused)(tape, x, p->pool[1],
                                                                   p->strides[1], p->padding);
    return (ref ? tg_maxpool2d_reference : tg_maxpool2d_fused)(tape, x, p->pool, p->strides,
                                                               p->padding);
}

static const tg_layer_ops pool1d_ops = {"MaxPooling1D", pool_build, pool_forward, NULL};
static const tg_layer_ops pool2d_ops = {"MaxPooling2D", pool_build, pool_forward, NULL};

static tg_layer *pool_new(int rank, const int pool[2], const int strides[2], tg_padding padding)
{
    const char *name = rank == 1 ? "max_pooling1d" : "max_pooling2d";
    for (int a = 2 - rank; a < 2; a++)
        if (pool[a] < 0 || strides[a] < 0)
            tg_fatal("%s: pool size %d and stride %d must be >= 1 (or 0 for the default)", name,
                     pool[a], strides[a]);
    if (padding != TG_VALID && padding != TG_SAME)
        tg_fatal("%s: unknown padding %d", name, (int)padding);
    pool_layer *p = tg_xcalloc(1, sizeof *p, name);
    tg_layer_init(&p->base, rank == 1 ? &pool1d_ops : &pool2d_ops, name);
    p->rank = rank;
    for (int a = 0; a < 2; a++) {
        p->pool[a] = pool[a] ? pool[a] : 2;
        p->strides[a] = strides[a] ? strides[a] : p->pool[a];
    }
    p->padding = padding;
    return &p->base;
}

tg_layer *tg_maxpool2d(tg_pool2d_opts o)
{
    return pool_new(2, o.pool, o.strides, o.padding);
}

tg_layer *tg_maxpool1d(tg_pool1d_opts o)
{
    /* Stored as a 2-D pool of height 1: axis 0 is unused. */
    return pool_new(1, (const int[]){1, o.pool}, (const int[]){1, o.stride}, o.padding);
}
