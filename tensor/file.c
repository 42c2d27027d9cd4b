#include "tensor/file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

tg_status tg_read_file(const char *path, unsigned char **buf, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return tg_status_error("%s: cannot open: %s", path, strerror(errno));
    /* Doubling, without asking for the size first: a FIFO or /dev/stdin
     * reads the same way as a file. One byte is kept for the NUL. */
    size_t cap = 1 << 16, n = 0;
    unsigned char *b = tg_xmalloc(cap, "read file");
    for (;;) {
        n += fread(b + n, 1, cap - 1 - n, f);
        if (n < cap - 1)
            break;
        cap *= 2;
        b = tg_xrealloc(b, cap, "read file");
    }
    const int failed = ferror(f), err = errno;
    fclose(f);
    if (failed) {
        free(b);
        return tg_status_error("%s: read error: %s", path, strerror(err));
    }
    b[n] = '\0';
    *buf = b;
    *len = n;
    return tg_status_ok();
}
