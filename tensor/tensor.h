/* tg_tensor: up to four dimensions of tg_real, contiguous and row-major,
 * with a gradient buffer of the same shape.
 *
 * A tensor lives either on the heap (parameters, data, anything that must
 * outlive one pass: tg_tensor_new ... tg_tensor_free) or in a tape's arena
 * (everything an op creates: released at once by tg_tape_reset). */
#ifndef TG_TENSOR_H
#define TG_TENSOR_H

#include <stddef.h>
#include <stdio.h>

#include "tensor/arena.h"
#include "tensor/error.h"
#include "tensor/real.h"
#include "tensor/shape.h"

typedef struct tg_tensor {
    tg_shape shape;
    size_t size;        /* number of elements */
    tg_real *data;
    tg_real *grad;      /* d(loss)/d(this), same shape; NULL until needed */
    int requires_grad;  /* gradients flow into this tensor */
    int in_arena;       /* 1: owned by a tape's arena, never freed alone */
    const char *name;   /* optional label for printing and reports */
} tg_tensor;

/* Heap tensors (zero-filled). requires_grad is 0; see tg_tensor_requires_grad. */
tg_tensor *tg_tensor_new(tg_shape shape);
tg_tensor *tg_tensor_zeros(tg_shape shape);
tg_tensor *tg_tensor_ones(tg_shape shape);
tg_tensor *tg_tensor_full(tg_shape shape, tg_real value);
/* Copies shape-size values from a C array, row-major. */
tg_tensor *tg_tensor_from(tg_shape shape, const tg_real *values);
tg_tensor *tg_tensor_clone(const tg_tensor *t);
void tg_tensor_free(tg_tensor *t);

/* Arena tensor (uninitialised data, no gradient yet). */
tg_tensor *tg_tensor_in_arena(tg_arena *arena, tg_shape shape);

/* Marks a heap tensor as a leaf that collects gradients (allocates, zeroes). */
void tg_tensor_requires_grad(tg_tensor *t);
void tg_tensor_zero_grad(tg_tensor *t);
void tg_tensor_fill(tg_tensor *t, tg_real value);
void tg_tensor_copy_data(tg_tensor *dst, const tg_tensor *src);

/* Element access for up to 4 indices (row-major offset), checked. */
size_t tg_tensor_offset(const tg_tensor *t, int ndim, const int *index);
#define TG_AT(t, ...) ((t)->data[tg_tensor_offset((t), TG_SHAPE_NARGS(__VA_ARGS__), (const int[]){__VA_ARGS__})])

/* Stops with "<op>: expected shape A, got B" unless the shapes agree. */
void tg_tensor_expect_shape(const char *op, const tg_tensor *t, tg_shape expected);

/* Prints the shape line then the values in aligned rows (a 3-D or 4-D
 * tensor as a list of 2-D slices); long rows, columns and slice lists show
 * their first and last entries around "...". label NULL: t->name. */
void tg_tensor_print(FILE *out, const char *label, const tg_tensor *t);
void tg_tensor_print_grad(FILE *out, const char *label, const tg_tensor *t);

#endif
