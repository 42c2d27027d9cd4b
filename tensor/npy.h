/* NumPy's .npy format (versions 1.0 and 2.0; little-endian <f8 and <f4;
 * C order; at most 4 dimensions), so any tensor can be looked at in NumPy
 * and weights can travel to Keras or PyTorch code.
 *
 * Whatever the file holds (<f8 or <f4) is converted to tg_real on load; a
 * tensor is saved as this build's tg_real (<f8 for double, <f4 for float).
 * A malformed file is refused with one clear message naming the file. */
#ifndef TG_NPY_H
#define TG_NPY_H

#include <stdio.h>

#include "tensor/tensor.h"

/* Writes to path.tmp, then renames into place: a crash never leaves half a file. */
tg_status tg_npy_save(const char *path, const tg_tensor *t);
/* On success *out is a new heap tensor; on failure *out is untouched. */
tg_status tg_npy_load(const char *path, tg_tensor **out);

/* The same on memory: the bytes of a .npy file (for archives and fuzzing).
 * tg_npy_encode returns a malloc'd buffer and its length. */
unsigned char *tg_npy_encode(const tg_tensor *t, size_t *len);
/* `what` names the source in messages (a path, "checkpoint entry x"). */
tg_status tg_npy_decode(const unsigned char *buf, size_t len, const char *what, tg_tensor **out);

#endif
