#include "datasets/datasets.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define IDX_UBYTE 0x08
/* Bytes read per call while the data grows: a header that lies about its
 * size costs at most what the file really holds, never the size it claims. */
#define IDX_CHUNK (1u << 20)

/* Reads up to n bytes; returns how many arrived (fewer only at the end). */
static tg_status read_some(gzFile gz, const char *path, size_t offset, void *buf, size_t n,
                           size_t *got)
{
    *got = 0;
    while (*got < n) {
        size_t want = n - *got;
        int r = gzread(gz, (char *)buf + *got, (unsigned)(want < IDX_CHUNK ? want : IDX_CHUNK));
        if (r < 0) {
            int errnum;
            const char *msg = gzerror(gz, &errnum);
            if (errnum == Z_BUF_ERROR)
                return tg_status_error("%s: truncated at byte %zu: the gzip stream ends early",
                                       path, offset + *got);
            /* zlib says "<path>: <why>"; the path is ours to print, once. */
            const size_t path_len = strlen(path);
            if (!strncmp(msg, path, path_len) && !strncmp(msg + path_len, ": ", 2))
                msg += path_len + 2;
            return tg_status_error("%s: read error at byte %zu: %s", path, offset + *got, msg);
        }
        if (r == 0) {
            /* gzread reports a gzip stream cut short (even in its CRC
             * trailer) by returning 0 and recording Z_BUF_ERROR. */
            int errnum;
            gzerror(gz, &errnum);
            if (errnum == Z_BUF_ERROR)
                return tg_status_error("%s: truncated at byte %zu: the gzip stream ends early",
                                       path, offset + *got);
            break;
        }
        *got += (size_t)r;
    }
    return tg_status_ok();
}

/* Reads one IDX file of unsigned bytes with `ndim` dimensions; on success
 * *data is a malloc'd buffer of dims[0] x ... x dims[ndim-1] bytes. */
static tg_status idx_read(const char *path, int ndim, const char *what, uint32_t *dims,
                          uint8_t **data)
{
    gzFile gz = gzopen(path, "rb");
    if (!gz)
        return tg_status_error("%s: cannot open: %s", path,
                               errno ? strerror(errno) : "out of memory");
    tg_status st = tg_status_ok();
    uint8_t *buf = NULL;
    unsigned char head[4 + 4 * 3];
    size_t header = 4 + 4 * (size_t)ndim, got;

    st = read_some(gz, path, 0, head, 4, &got);
    if (!tg_is_ok(&st))
        goto out;
    if (got < 4) {
        st = tg_status_error("%s: truncated at byte %zu: the IDX header needs 4 bytes", path, got);
        goto out;
    }
    if (head[0] != 0 || head[1] != 0) {
        st = tg_status_error("%s: bad magic 0x%02x%02x at byte 0 (an IDX file starts with two "
                             "zero bytes)", path, head[0], head[1]);
        goto out;
    }
    if (head[2] != IDX_UBYTE) {
        st = tg_status_error("%s: element type code 0x%02x at byte 2, expected 0x08 (unsigned "
                             "byte)", path, head[2]);
        goto out;
    }
    if (head[3] != ndim) {
        st = tg_status_error("%s: %d dimensions at byte 3, expected %d (%s)", path, head[3], ndim,
                             what);
        goto out;
    }
    st = read_some(gz, path, 4, head + 4, header - 4, &got);
    if (!tg_is_ok(&st))
        goto out;
    if (got < header - 4) {
        st = tg_status_error("%s: truncated at byte %zu: the header of %d dimensions needs %zu "
                             "bytes", path, 4 + got, ndim, header);
        goto out;
    }
    size_t total = 1;
    for (int d = 0; d < ndim; d++) {
        const unsigned char *p = head + 4 + 4 * d;
        dims[d] = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
        if (d > 0 && (dims[d] == 0 || dims[d] > INT32_MAX)) {
            st = tg_status_error("%s: dimension %d is %u at byte %d (expected 1 .. %d)", path, d,
                                 dims[d], 4 + 4 * d, INT32_MAX);
            goto out;
        }
        if (__builtin_mul_overflow(total, (size_t)dims[d], &total)) {
            st = tg_status_error("%s: dimensions at byte 4 overflow: the product does not fit in "
                                 "memory sizes", path);
            goto out;
        }
    }
    size_t have = 0, cap = 0;
    while (have < total) {
        if (have == cap) {
            cap = cap ? cap * 2 : IDX_CHUNK;
            if (cap > total)
                cap = total;
            uint8_t *grown = realloc(buf, cap);
            if (!grown) {
                st = tg_status_error("%s: out of memory for %zu bytes of data", path, cap);
                goto out;
            }
            buf = grown;
        }
        st = read_some(gz, path, header + have, buf + have, cap - have, &got);
        if (!tg_is_ok(&st))
            goto out;
        have += got;
        if (got == 0 || have < cap)
            break;
    }
    if (have < total) {
        st = tg_status_error("%s: truncated at byte %zu: expected %zu bytes of %s data from byte "
                             "%zu", path, header + have, total, what, header);
        goto out;
    }
    unsigned char extra;
    st = read_some(gz, path, header + total, &extra, 1, &got);
    if (!tg_is_ok(&st))
        goto out;
    if (got) {
        st = tg_status_error("%s: unexpected bytes after the data at byte %zu", path,
                             header + total);
        goto out;
    }
out:
    gzclose(gz);
    if (tg_is_ok(&st))
        *data = buf ? buf : tg_xmalloc(1, "tg_idx_load");
    else
        free(buf);
    return st;
}

tg_status tg_idx_load(const char *images_path, const char *labels_path, tg_image_set *out)
{
    memset(out, 0, sizeof *out);
    uint32_t idim[3], ldim[1];
    uint8_t *pixels, *labels;
    tg_status st = idx_read(images_path, 3, "images", idim, &pixels);
    if (!tg_is_ok(&st))
        return st;
    st = idx_read(labels_path, 1, "labels", ldim, &labels);
    if (!tg_is_ok(&st)) {
        free(pixels);
        return st;
    }
    if (ldim[0] != idim[0]) {
        free(pixels);
        free(labels);
        return tg_status_error("%s: %u labels (count at byte 4) but %s holds %u images",
                               labels_path, ldim[0], images_path, idim[0]);
    }
    int classes = 0;
    for (size_t i = 0; i < ldim[0]; i++)
        if (labels[i] + 1 > classes)
            classes = labels[i] + 1;
    out->count = idim[0];
    out->rows = (int)idim[1];
    out->cols = (int)idim[2];
    out->classes = classes ? classes : 1;
    out->pixels = pixels;
    out->labels = labels;
    return tg_status_ok();
}
