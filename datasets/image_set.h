/* A set of small grey images with one class label each, kept as bytes.
 *
 * Fashion-MNIST is 60000 x 28 x 28 pixels: as bytes that is 47 MB, as a
 * double tensor 376 MB. So the set stays in bytes and only the batch being
 * trained on is turned into tg_real, scaled to [0, 1]. Both the IDX reader
 * (idx.h) and the synthetic shapes (synthetic.h) produce this type. */
#ifndef TG_IMAGE_SET_H
#define TG_IMAGE_SET_H

#include <stddef.h>
#include <stdint.h>

#include "tensor/tensor.h"

typedef struct tg_image_set {
    size_t count;     /* number of images */
    int rows, cols;   /* 28 x 28 for (Fashion-)MNIST */
    int classes;      /* labels are 0 .. classes-1 */
    uint8_t *pixels;  /* count x rows x cols, row-major, 0 = black */
    uint8_t *labels;  /* count */
} tg_image_set;

/* An empty set of `count` zero images (heap); tg_image_set_free releases it. */
void tg_image_set_alloc(tg_image_set *set, size_t count, int rows, int cols, int classes);
void tg_image_set_free(tg_image_set *set);

/* The images index[0..n-1] as x (n, rows, cols, 1), pixels / 255, and, when
 * y is not NULL, their labels one-hot in y (n, classes). x and y are
 * tensors the caller owns (reused batch after batch: no allocation). */
void tg_image_set_batch(const tg_image_set *set, const size_t *index, size_t n, tg_tensor *x,
                        tg_tensor *y);

#endif
