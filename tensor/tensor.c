#include "tensor/tensor.h"

#include <stdlib.h>
#include <string.h>

tg_tensor *tg_tensor_new(tg_shape shape)
{
    size_t size = tg_shape_size(shape);
    tg_tensor *t = tg_xcalloc(1, sizeof *t, "tensor");
    t->shape = shape;
    t->size = size;
    t->data = tg_xcalloc(size, sizeof(tg_real), "tensor");
    return t;
}

tg_tensor *tg_tensor_zeros(tg_shape shape)
{
    return tg_tensor_new(shape);
}

tg_tensor *tg_tensor_full(tg_shape shape, tg_real value)
{
    tg_tensor *t = tg_tensor_new(shape);
    tg_tensor_fill(t, value);
    return t;
}

tg_tensor *tg_tensor_ones(tg_shape shape)
{
    return tg_tensor_full(shape, 1);
}

tg_tensor *tg_tensor_from(tg_shape shape, const tg_real *values)
{
    tg_tensor *t = tg_tensor_new(shape);
    memcpy(t->data, values, t->size * sizeof(tg_real));
    return t;
}

tg_tensor *tg_tensor_clone(const tg_tensor *src)
{
    tg_tensor *t = tg_tensor_from(src->shape, src->data);
    t->name = src->name;
    return t;
}

void tg_tensor_free(tg_tensor *t)
{
    if (!t)
        return;
    if (t->in_arena)
        tg_fatal("tensor_free: %s lives in a tape's arena; tg_tape_reset releases it",
                 t->name ? t->name : "this tensor");
    free(t->data);
    free(t->grad);
    free(t);
}

tg_tensor *tg_tensor_in_arena(tg_arena *arena, tg_shape shape)
{
    size_t size = tg_shape_size(shape);
    tg_tensor *t = tg_arena_calloc(arena, sizeof *t);
    t->shape = shape;
    t->size = size;
    t->data = tg_arena_alloc(arena, size * sizeof(tg_real));
    t->in_arena = 1;
    return t;
}

void tg_tensor_requires_grad(tg_tensor *t)
{
    if (t->in_arena)
        tg_fatal("tensor_requires_grad: only heap tensors are leaves");
    if (!t->grad)
        t->grad = tg_xcalloc(t->size, sizeof(tg_real), "tensor grad");
    t->requires_grad = 1;
}

void tg_tensor_zero_grad(tg_tensor *t)
{
    if (t->grad)
        memset(t->grad, 0, t->size * sizeof(tg_real));
}

void tg_tensor_fill(tg_tensor *t, tg_real value)
{
    for (size_t i = 0; i < t->size; i++)
        t->data[i] = value;
}

void tg_tensor_copy_data(tg_tensor *dst, const tg_tensor *src)
{
    if (!tg_shape_equal(dst->shape, src->shape)) {
        char a[TG_SHAPE_STR_LEN], b[TG_SHAPE_STR_LEN];
        tg_fatal("tensor_copy_data: shapes %s and %s differ", tg_shape_str(dst->shape, a, sizeof a),
                 tg_shape_str(src->shape, b, sizeof b));
    }
    memcpy(dst->data, src->data, src->size * sizeof(tg_real));
}

size_t tg_tensor_offset(const tg_tensor *t, int ndim, const int *index)
{
    if (ndim != t->shape.ndim)
        tg_fatal("tensor index: %d indices for a %d-D tensor", ndim, t->shape.ndim);
    size_t at = 0;
    for (int i = 0; i < ndim; i++) {
        if (index[i] < 0 || index[i] >= t->shape.dim[i])
            tg_fatal("tensor index: index %d of axis %d is outside 0..%d", index[i], i,
                     t->shape.dim[i] - 1);
        at = at * (size_t)t->shape.dim[i] + (size_t)index[i];
    }
    return at;
}

void tg_tensor_expect_shape(const char *op, const tg_tensor *t, tg_shape expected)
{
    if (!tg_shape_equal(t->shape, expected)) {
        char a[TG_SHAPE_STR_LEN], b[TG_SHAPE_STR_LEN];
        tg_fatal("%s: expected shape %s, got %s", op, tg_shape_str(expected, a, sizeof a),
                 tg_shape_str(t->shape, b, sizeof b));
    }
}
