#include "tensor/internal/file.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *file_kind(mode_t mode)
{
    return S_ISDIR(mode) ? "a directory" : S_ISFIFO(mode) ? "a FIFO" : S_ISSOCK(mode) ? "a socket"
           : S_ISCHR(mode) || S_ISBLK(mode)                ? "a device"
                                                           : "not a plain file";
}

tg_status tg_file_open_regular(const char *path, int *fd)
{
    /* O_NONBLOCK: opening a FIFO for reading would otherwise wait for a
     * writer; it does not change how a regular file reads. */
    int f = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (f < 0)
        return tg_status_error("%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    if (fstat(f, &st) != 0) {
        const int err = errno;
        close(f);
        return tg_status_error("%s: cannot open: %s", path, strerror(err));
    }
    if (!S_ISREG(st.st_mode)) {
        close(f);
        return tg_status_error("%s: not a regular file (%s)", path, file_kind(st.st_mode));
    }
    *fd = f;
    return tg_status_ok();
}

tg_status tg_read_file(const char *path, unsigned char **buf, size_t *len)
{
    int fd;
    tg_status st = tg_file_open_regular(path, &fd);
    if (!tg_is_ok(&st))
        return st;
    /* Doubling, without trusting the size fstat gave: the file may grow or
     * shrink while it is read. One byte is kept for the NUL. */
    size_t cap = 1 << 16, n = 0;
    unsigned char *b = tg_xmalloc(cap, "read file");
    for (;;) {
        if (n == cap - 1) {
            cap *= 2;
            b = tg_xrealloc(b, cap, "read file");
        }
        const ssize_t r = read(fd, b + n, cap - 1 - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            const int err = errno;
            close(fd);
            free(b);
            return tg_status_error("%s: read error: %s", path, strerror(err));
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    close(fd);
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

tg_status tg_file_temp(const char *path, char **tmp, int *fd)
{
    static const char suffix[] = ".tmp-XXXXXX";
    const size_t path_len = strlen(path);
    char *name = tg_xmalloc(path_len + sizeof suffix, "temporary file");
    memcpy(name, path, path_len);
    memcpy(name + path_len, suffix, sizeof suffix);
    int f = mkstemp(name);
    if (f < 0) {
        const int err = errno;
        free(name);
        return tg_status_error("%s: cannot create a temporary file beside it: %s", path,
                               strerror(err));
    }
    /* mkstemp makes the file 0600; the output gets the mode any new file
     * of the user would (0666 less the umask), as before it was replaced. */
    const mode_t mask = umask(0);
    umask(mask);
    if (fchmod(f, 0666 & ~mask) != 0) {
        const int err = errno;
        close(f);
        remove(name);
        free(name);
        return tg_status_error("%s: cannot set the mode of a temporary file: %s", path,
                               strerror(err));
    }
    *tmp = name;
    *fd = f;
    return tg_status_ok();
}

/* After the rename, the directory entry itself: some file systems need the
 * directory synced for the rename to survive a crash. A directory that
 * cannot be opened or synced (some do not support it) changes nothing of
 * what was written, so its errors are not reported. */
static void sync_directory(const char *path)
{
    const char *slash = strrchr(path, '/');
    char dir[PATH_MAX];
    const int n = slash ? snprintf(dir, sizeof dir, "%.*s", (int)(slash - path + 1), path)
                        : snprintf(dir, sizeof dir, ".");
    if (n < 0 || (size_t)n >= sizeof dir)
        return;
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return;
    (void)fsync(fd);
    close(fd);
}

tg_status tg_file_replace(const char *tmp, const char *path)
{
    /* fsync before rename: the rename must not reach the disk before the
     * bytes it names. */
    tg_status st = tg_status_ok();
    int fd = open(tmp, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fsync(fd) != 0)
        st = tg_status_error("%s: write failed: %s", tmp, strerror(errno));
    if (fd >= 0)
        close(fd);
    if (tg_is_ok(&st) && rename(tmp, path) != 0)
        st = tg_status_error("%s: cannot rename %s into place: %s", path, tmp, strerror(errno));
    if (!tg_is_ok(&st))
        remove(tmp);
    else
        sync_directory(path);
    return st;
}

tg_status tg_write_file(const char *path, const void *bytes, size_t n)
{
    char *tmp;
    int fd;
    tg_status st = tg_file_temp(path, &tmp, &fd);
    if (!tg_is_ok(&st))
        return st;
    int failed = write_all(fd, bytes, n) != 0;
    int err = failed ? errno : 0;
    if (close(fd) != 0 && !failed) {
        failed = 1;
        err = errno;
    }
    if (failed) {
        remove(tmp);
        st = tg_status_error("%s: write failed: %s", tmp, strerror(err));
    } else {
        st = tg_file_replace(tmp, path);
    }
    free(tmp);
    return st;
}

void tg_text_put(tg_text *t, const char *fmt, ...)
{
    if (!t->b) {
        t->cap = 256;
        t->b = tg_xmalloc(t->cap, "text");
        t->n = 0;
    }
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        const int w = vsnprintf(t->b + t->n, t->cap - t->n, fmt, ap);
        va_end(ap);
        if (w < 0)
            tg_fatal("text: cannot format '%s'", fmt);
        if ((size_t)w < t->cap - t->n) {
            t->n += (size_t)w;
            return;
        }
        t->cap = 2 * t->cap > t->n + (size_t)w + 1 ? 2 * t->cap : t->n + (size_t)w + 1;
        t->b = tg_xrealloc(t->b, t->cap, "text");
    }
}

/* The directory part of path made absolute and resolved (symbolic links,
 * "..") followed by its last component, in out; 0 when the directory
 * does not resolve (then the path is compared as written). */
static int canonical(const char *path, char *out, size_t cap)
{
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    char dir[PATH_MAX], real[PATH_MAX];
    const int n = slash ? snprintf(dir, sizeof dir, "%.*s", (int)(slash - path + 1), path)
                        : snprintf(dir, sizeof dir, ".");
    if (n < 0 || (size_t)n >= sizeof dir || !realpath(dir, real))
        return 0;
    const int m = snprintf(out, cap, "%s/%s", strcmp(real, "/") ? real : "", base);
    return m >= 0 && (size_t)m < cap;
}

int tg_file_same(const char *a, const char *b)
{
    struct stat sa, sb;
    const int has_a = stat(a, &sa) == 0, has_b = stat(b, &sb) == 0;
    if (has_a && has_b)
        return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
    if (has_a != has_b)
        return 0;
    char ca[PATH_MAX + 256], cb[PATH_MAX + 256];
    if (canonical(a, ca, sizeof ca) && canonical(b, cb, sizeof cb))
        return strcmp(ca, cb) == 0;
    return strcmp(a, b) == 0;
}
