/* The IDX file format of MNIST and Fashion-MNIST, plain or gzip-compressed
 * (zlib reads both through the same calls).
 *
 *   byte 0-1  0x00 0x00            magic
 *   byte 2    0x08                 element type: unsigned byte (the only one we read)
 *   byte 3    n                    number of dimensions: 3 for images, 1 for labels
 *   byte 4..  n x uint32, big-endian  the dimensions (count, rows, cols)
 *   then      the elements, row-major
 *
 * Every malformed file is refused with one message naming the file and the
 * byte offset (in the uncompressed stream) where it went wrong. */
#ifndef TG_IDX_H
#define TG_IDX_H

#include "tensor/error.h"
#include "datasets/image_set.h"

/* Reads an images file (N, rows, cols) and a labels file (N) into *out
 * (classes = largest label + 1). On failure *out is left empty. */
tg_status tg_idx_load(const char *images_path, const char *labels_path, tg_image_set *out);

#endif
