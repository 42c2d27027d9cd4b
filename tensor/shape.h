/* A shape: up to four dimensions, row-major. Sequences are (N, T, C) and
 * images (N, H, W, C), channels last, as in the document's Keras code. */
#ifndef TG_SHAPE_H
#define TG_SHAPE_H

#include <stddef.h>

#define TG_MAX_DIMS 4

typedef struct tg_shape {
    int ndim; /* 0 for a scalar */
    int dim[TG_MAX_DIMS];
} tg_shape;

#define TG_SHAPE_NARGS_(_1, _2, _3, _4, N, ...) N
#define TG_SHAPE_NARGS(...) TG_SHAPE_NARGS_(__VA_ARGS__, 4, 3, 2, 1, 0)
/* TG_SHAPE(2, 3) is the shape (2, 3); TG_SCALAR is the shape () of a scalar. */
#define TG_SHAPE(...) ((tg_shape){TG_SHAPE_NARGS(__VA_ARGS__), {__VA_ARGS__}})
#define TG_SCALAR ((tg_shape){0, {0}})

/* Number of elements; stops with a message on a negative dimension. */
size_t tg_shape_size(tg_shape s);
int tg_shape_equal(tg_shape a, tg_shape b);
/* Writes "(2, 3)" into buf (always terminated) and returns buf. */
char *tg_shape_str(tg_shape s, char *buf, size_t len);
/* Shape with the last dimension (of a non-scalar) replaced. */
tg_shape tg_shape_with_last(tg_shape s, int last);

#define TG_SHAPE_STR_LEN 64

#endif
