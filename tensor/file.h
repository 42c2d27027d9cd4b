/* A whole file in memory, for the readers that parse a buffer (npy,
 * checkpoint, CSV): one copy of the open / grow / read / check loop. */
#ifndef TG_FILE_H
#define TG_FILE_H

#include <stddef.h>

#include "tensor/error.h"

/* The bytes of path in *buf (heap, free it; a NUL follows the last byte, so
 * text can be read as a string) and their count in *len. Data errors name
 * the path: "<path>: cannot open: <reason>", "<path>: read error: <reason>". */
tg_status tg_read_file(const char *path, unsigned char **buf, size_t *len);

#endif
