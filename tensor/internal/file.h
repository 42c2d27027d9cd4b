/* Whole files in memory: the readers parse a buffer (npy, checkpoint, CSV)
 * and the writers build one (npy, checkpoint, history), so the open / grow /
 * read / check loop and the safe replace each exist once. */
#ifndef TG_FILE_H
#define TG_FILE_H

#include <stddef.h>

#include "tensor/tensor.h"

/* The bytes of path in *buf (heap, free it; a NUL follows the last byte, so
 * text can be read as a string) and their count in *len. Data errors name
 * the path: "<path>: cannot open: <reason>", "<path>: read error: <reason>". */
tg_status tg_read_file(const char *path, unsigned char **buf, size_t *len);

/* Replaces path with the n bytes at bytes, safely: they go to path.tmp,
 * which is fsynced and then renamed over path, so after a crash path holds
 * the old file or the whole new one, never a prefix. On failure path is
 * untouched, path.tmp is removed and the error names the file:
 * "<path>.tmp: cannot write: <reason>", "<path>.tmp: write failed: <reason>",
 * "<path>: cannot rename <path>.tmp into place: <reason>". */
tg_status tg_write_file(const char *path, const void *bytes, size_t n);

#endif
