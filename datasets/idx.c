#include "datasets/datasets.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "tensor/internal/file.h"

#define IDX_UBYTE 0x08
/* Bytes read per call while the data grows: a header that lies about its
 * size costs at most what the file really holds, never the size it claims. */
#define IDX_CHUNK (1u << 20)
/* The stream's buffers: compressed bytes read, uncompressed bytes not yet
 * handed out. */
#define STREAM_BUF (1u << 14)

/* An IDX file as a stream of its uncompressed bytes, plain or gzip. zlib's
 * gzread is not used: it ignores bytes after the gzip member and, on a
 * large stream, does not always report one cut in its trailer (the CRC32
 * and the length that end it). inflate sees both. */
typedef struct {
    const char *path;
    int fd, gzip, z_ready;
    int file_end;   /* read() said end of file */
    int stream_end; /* the data is over: the file's end, or the gzip member's */
    z_stream z;
    size_t delivered; /* uncompressed bytes handed out (the offsets of messages) */
    size_t in_file;   /* compressed bytes read from the file */
    /* Found while filling, told when the reader reaches that point: the
     * bytes before it are still handed out first. */
    enum { FINE, CUT, GARBAGE } pending;
    size_t garbage_at; /* file offset of the first byte after the gzip member */
    unsigned char in[STREAM_BUF], out[STREAM_BUF];
    size_t out_pos, out_len;
} idx_stream;

/* read() into buf, retried on EINTR; the count, 0 at the end. */
static tg_status raw_read(idx_stream *s, unsigned char *buf, size_t n, size_t *got)
{
    *got = 0;
    ssize_t r;
    do
        r = read(s->fd, buf, n);
    while (r < 0 && errno == EINTR);
    if (r < 0)
        return tg_status_error("%s: read error at byte %zu: %s", s->path, s->delivered,
                               strerror(errno));
    *got = (size_t)r;
    s->in_file += *got;
    s->file_end = r == 0;
    return tg_status_ok();
}

static tg_status stream_open(idx_stream *s, const char *path)
{
    memset(s, 0, sizeof *s);
    s->path = path;
    tg_status st = tg_file_open_regular(path, &s->fd);
    if (!tg_is_ok(&st))
        return st;
    /* The first bytes say which: gzip's magic 1f 8b, or the data itself. */
    size_t got = 0;
    while (tg_is_ok(&st) && got < 2 && !s->file_end) {
        size_t more;
        st = raw_read(s, s->in + got, STREAM_BUF - got, &more);
        got += more;
    }
    if (!tg_is_ok(&st)) {
        close(s->fd);
        return st;
    }
    s->gzip = got >= 2 && s->in[0] == 0x1f && s->in[1] == 0x8b;
    if (!s->gzip) {
        memcpy(s->out, s->in, got);
        s->out_len = got;
        s->stream_end = s->file_end;
        return tg_status_ok();
    }
    /* 16 + 15: a gzip wrapper only, the largest window. */
    if (inflateInit2(&s->z, 16 + 15) != Z_OK) {
        close(s->fd);
        return tg_status_error("%s: cannot open: out of memory for zlib", path);
    }
    s->z_ready = 1;
    s->z.next_in = s->in;
    s->z.avail_in = (uInt)got;
    return tg_status_ok();
}

static void stream_close(idx_stream *s)
{
    if (s->z_ready)
        inflateEnd(&s->z);
    close(s->fd);
}

/* After the gzip member ended: anything left in the file is garbage. */
static tg_status check_after_member(idx_stream *s)
{
    s->stream_end = 1;
    s->garbage_at = s->in_file - s->z.avail_in;
    size_t got = s->z.avail_in;
    while (got == 0 && !s->file_end) {
        tg_status st = raw_read(s, s->in, STREAM_BUF, &got);
        if (!tg_is_ok(&st))
            return st;
    }
    if (got)
        s->pending = GARBAGE;
    return tg_status_ok();
}

/* Refills out[] with at least one byte, unless the data is over. */
static tg_status fill(idx_stream *s)
{
    s->out_pos = s->out_len = 0;
    if (!s->gzip) {
        size_t got = 0;
        tg_status st = raw_read(s, s->out, STREAM_BUF, &got);
        s->out_len = got;
        s->stream_end = s->file_end;
        return st;
    }
    s->z.next_out = s->out;
    s->z.avail_out = STREAM_BUF;
    while (s->z.avail_out == STREAM_BUF && !s->stream_end) {
        if (s->z.avail_in == 0 && !s->file_end) {
            size_t got;
            tg_status st = raw_read(s, s->in, STREAM_BUF, &got);
            if (!tg_is_ok(&st))
                return st;
            s->z.next_in = s->in;
            s->z.avail_in = (uInt)got;
        }
        const int r = inflate(&s->z, Z_NO_FLUSH);
        if (r == Z_STREAM_END) {
            tg_status st = check_after_member(s);
            if (!tg_is_ok(&st))
                return st;
        } else if (r == Z_BUF_ERROR && s->z.avail_in == 0 && s->file_end) {
            /* The file ended inside the member (its data or its trailer). */
            s->stream_end = 1;
            s->pending = CUT;
        } else if (r != Z_OK && r != Z_BUF_ERROR) {
            return tg_status_error("%s: read error at byte %zu: %s", s->path, s->delivered,
                                   s->z.msg ? s->z.msg : zError(r));
        }
    }
    s->out_len = STREAM_BUF - s->z.avail_out;
    return tg_status_ok();
}

/* Reads up to n bytes; returns how many arrived (fewer only at the end). */
static tg_status read_some(idx_stream *s, void *buf, size_t n, size_t *got)
{
    *got = 0;
    while (*got < n) {
        if (s->out_pos == s->out_len) {
            if (s->stream_end && s->pending == CUT)
                return tg_status_error("%s: truncated at byte %zu: the gzip stream ends early",
                                       s->path, s->delivered);
            if (s->stream_end && s->pending == GARBAGE)
                return tg_status_error("%s: unexpected bytes after the gzip stream at byte %zu "
                                       "of the file",
                                       s->path, s->garbage_at);
            if (s->stream_end)
                break;
            tg_status st = fill(s);
            if (!tg_is_ok(&st))
                return st;
            continue;
        }
        size_t take = s->out_len - s->out_pos;
        if (take > n - *got)
            take = n - *got;
        memcpy((unsigned char *)buf + *got, s->out + s->out_pos, take);
        s->out_pos += take;
        s->delivered += take;
        *got += take;
    }
    return tg_status_ok();
}

/* Reads one IDX file of unsigned bytes with `ndim` dimensions; on success
 * *data is a malloc'd buffer of dims[0] x ... x dims[ndim-1] bytes. */
static tg_status idx_read(const char *path, int ndim, const char *what, uint32_t *dims,
                          uint8_t **data)
{
    idx_stream *gz = tg_xmalloc(sizeof *gz, "tg_idx_load");
    tg_status st = stream_open(gz, path);
    if (!tg_is_ok(&st)) {
        free(gz);
        return st;
    }
    uint8_t *buf = NULL;
    unsigned char head[4 + 4 * 3];
    size_t header = 4 + 4 * (size_t)ndim, got;

    st = read_some(gz, head, 4, &got);
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
    st = read_some(gz, head + 4, header - 4, &got);
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
        /* An empty set is refused here, by its file, rather than by a
         * model that finds no sample to train on. */
        if (d == 0 && dims[0] == 0) {
            st = tg_status_error("%s: the count at byte 4 is 0: no %s", path, what);
            goto out;
        }
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
        st = read_some(gz, buf + have, cap - have, &got);
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
    st = read_some(gz, &extra, 1, &got);
    if (!tg_is_ok(&st))
        goto out;
    if (got) {
        st = tg_status_error("%s: unexpected bytes after the data at byte %zu", path,
                             header + total);
        goto out;
    }
out:
    stream_close(gz);
    free(gz);
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
