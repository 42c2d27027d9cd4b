#include "tensor/internal/file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* write() until all n bytes are out; -1 with errno on failure. */
static int write_all(int fd, const unsigned char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return -1;
        if (w == 0) {
            errno = EIO;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

tg_status tg_write_file(const char *path, const void *bytes, size_t n)
{
    const size_t path_len = strlen(path);
    char *tmp = tg_xmalloc(path_len + 5, "write file");
    memcpy(tmp, path, path_len);
    memcpy(tmp + path_len, ".tmp", 5);
    tg_status st = tg_status_ok();
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0) {
        st = tg_status_error("%s: cannot write: %s", tmp, strerror(errno));
    } else {
        /* fsync before rename: the rename must not reach the disk before
         * the bytes it names. */
        int failed = write_all(fd, bytes, n) != 0 || fsync(fd) != 0;
        int err = failed ? errno : 0;
        if (close(fd) != 0 && !failed) {
            failed = 1;
            err = errno;
        }
        if (failed)
            st = tg_status_error("%s: write failed: %s", tmp, strerror(err));
        else if (rename(tmp, path) != 0)
            st = tg_status_error("%s: cannot rename %s into place: %s", path, tmp, strerror(errno));
        if (!tg_is_ok(&st))
            remove(tmp);
    }
    free(tmp);
    return st;
}
