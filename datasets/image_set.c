#include "datasets/datasets.h"

#include <stdlib.h>
#include <string.h>

void tg_image_set_alloc(tg_image_set *set, size_t count, int rows, int cols, int classes)
{
    if (rows <= 0 || cols <= 0 || classes <= 0)
        tg_fatal("tg_image_set_alloc: bad size %zu x %d x %d, %d classes", count, rows, cols,
                 classes);
    set->count = count;
    set->rows = rows;
    set->cols = cols;
    set->classes = classes;
    set->pixels = tg_xcalloc(count * (size_t)rows, (size_t)cols, "tg_image_set_alloc");
    set->labels = tg_xcalloc(count, 1, "tg_image_set_alloc");
}

void tg_image_set_free(tg_image_set *set)
{
    free(set->pixels);
    free(set->labels);
    memset(set, 0, sizeof *set);
}

void tg_image_set_batch(const tg_image_set *set, const size_t *index, size_t n, tg_tensor *x,
                        tg_tensor *y)
{
    tg_tensor_expect_shape("tg_image_set_batch (x)", x,
                           TG_SHAPE((int)n, set->rows, set->cols, 1));
    if (y)
        tg_tensor_expect_shape("tg_image_set_batch (y)", y, TG_SHAPE((int)n, set->classes));
    size_t pixels = (size_t)set->rows * (size_t)set->cols;
    for (size_t b = 0; b < n; b++) {
        if (index[b] >= set->count)
            tg_fatal("tg_image_set_batch: index %zu out of range (%zu images)", index[b],
                     set->count);
        const uint8_t *src = set->pixels + index[b] * pixels;
        tg_real *dst = x->data + b * pixels;
        for (size_t p = 0; p < pixels; p++)
            dst[p] = (tg_real)src[p] / (tg_real)255;
        if (y) {
            tg_real *row = y->data + b * (size_t)set->classes;
            for (int c = 0; c < set->classes; c++)
                row[c] = 0;
            row[set->labels[index[b]]] = 1;
        }
    }
}
