/* The ustar layout (POSIX.1-1988): each entry is a 512-byte header then its
 * data padded to 512 bytes; two zero blocks end the archive. Numbers in a
 * header are octal text; the checksum is the byte sum of the header with
 * the checksum field read as spaces. */
#include "train/train.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tensor/internal/file.h"
#include "tensor/tensor.h"

#define BLOCK 512
#define NAME_LEN 100

/* Offsets of the header fields we use. */
enum { OFF_NAME = 0, OFF_MODE = 100, OFF_UID = 108, OFF_GID = 116, OFF_SIZE = 124,
       OFF_MTIME = 136, OFF_CHKSUM = 148, OFF_TYPE = 156, OFF_MAGIC = 257, OFF_VERSION = 263 };

static size_t padded(size_t n)
{
    return (n + BLOCK - 1) / BLOCK * BLOCK;
}

static unsigned checksum(const unsigned char *h)
{
    unsigned sum = 0;
    for (int i = 0; i < BLOCK; i++)
        sum += (i >= OFF_CHKSUM && i < OFF_CHKSUM + 8) ? ' ' : h[i];
    return sum;
}

static void entry_name(const tg_layer *l, const tg_tensor *p, char *buf, size_t len)
{
    snprintf(buf, len, "%s/%s.npy", l->name, p->name);
}

static void write_header(unsigned char *h, const char *name, size_t size)
{
    memset(h, 0, BLOCK);
    memcpy(h + OFF_NAME, name, strlen(name));
    /* mtime 0 and owner 0: the same weights give the same bytes */
    snprintf((char *)h + OFF_MODE, 8, "%07o", 0644);
    snprintf((char *)h + OFF_UID, 8, "%07o", 0);
    snprintf((char *)h + OFF_GID, 8, "%07o", 0);
    snprintf((char *)h + OFF_SIZE, 12, "%011zo", size);
    snprintf((char *)h + OFF_MTIME, 12, "%011o", 0);
    h[OFF_TYPE] = '0';
    memcpy(h + OFF_MAGIC, "ustar", 6);
    memcpy(h + OFF_VERSION, "00", 2);
    snprintf((char *)h + OFF_CHKSUM, 8, "%06o", checksum(h));
    h[OFF_CHKSUM + 7] = ' ';
}

/* The archive being built, in memory: written in one piece by tg_write_file. */
typedef struct {
    unsigned char *b;
    size_t n, cap;
} archive;

/* Room for `more` bytes at the end (zeroed: padding and end blocks). */
static unsigned char *extend(archive *a, size_t more)
{
    if (a->n + more > a->cap) {
        while (a->n + more > a->cap)
            a->cap = a->cap ? 2 * a->cap : 16 * BLOCK;
        a->b = tg_xrealloc(a->b, a->cap, "checkpoint");
    }
    unsigned char *at = a->b + a->n;
    memset(at, 0, more);
    a->n += more;
    return at;
}

tg_status tg_model_save(const tg_model *m, const char *path)
{
    archive a = {NULL, 0, 0};
    for (int l = 0; l < m->n_layers; l++) {
        const tg_layer *layer = m->layers[l];
        for (int i = 0; i < layer->n_params; i++) {
            char name[NAME_LEN + 64];
            entry_name(layer, layer->params[i], name, sizeof name);
            if (strlen(name) >= NAME_LEN) {
                free(a.b);
                return tg_status_error("checkpoint %s: entry name %s is longer than %d bytes",
                                       path, name, NAME_LEN - 1);
            }
            size_t len;
            unsigned char *npy = tg_npy_encode(layer->params[i], &len);
            write_header(extend(&a, BLOCK), name, len);
            memcpy(extend(&a, padded(len)), npy, len);
            free(npy);
        }
    }
    extend(&a, 2 * BLOCK); /* the end of the archive */
    tg_status s = tg_write_file(path, a.b, a.n);
    free(a.b);
    return tg_is_ok(&s) ? s : tg_status_error("checkpoint %s", s.msg);
}

/* The whole archive; errors as "checkpoint <path>: ...". */
static tg_status read_file(const char *path, unsigned char **buf, size_t *len)
{
    tg_status s = tg_read_file(path, buf, len);
    return tg_is_ok(&s) ? s : tg_status_error("checkpoint %s", s.msg);
}

/* Parses an octal header field of width w; -1 when it is not one. */
static long long octal_field(const unsigned char *h, int off, int w)
{
    long long v = 0;
    int i = off, digits = 0;
    while (i < off + w && h[i] == ' ')
        i++;
    for (; i < off + w && h[i] >= '0' && h[i] <= '7'; i++, digits++)
        v = v * 8 + (h[i] - '0');
    for (; i < off + w; i++)
        if (h[i] != 0 && h[i] != ' ')
            return -1;
    return digits ? v : -1;
}

static int all_zero(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return 0;
    return 1;
}

/* Finds the parameter an entry name belongs to, or -1. */
static int param_index(const tg_model *m, const char *name)
{
    int k = 0;
    for (int l = 0; l < m->n_layers; l++)
        for (int i = 0; i < m->layers[l]->n_params; i++, k++) {
            char want[NAME_LEN + 64];
            entry_name(m->layers[l], m->layers[l]->params[i], want, sizeof want);
            if (!strcmp(want, name))
                return k;
        }
    return -1;
}

/* Decodes every entry into loaded[] (indexed like m->params) or says why not. */
static tg_status parse_archive(const tg_model *m, const char *path, const unsigned char *buf,
                               size_t len, tg_tensor **loaded)
{
    size_t pos = 0;
    for (;;) {
        if (pos + BLOCK > len)
            return tg_status_error("checkpoint %s: truncated (no end-of-archive blocks at byte %zu)",
                                   path, pos);
        const unsigned char *h = buf + pos;
        if (all_zero(h, BLOCK))
            break;
        char name[NAME_LEN + 1];
        memcpy(name, h + OFF_NAME, NAME_LEN);
        name[NAME_LEN] = 0;
        long long size = octal_field(h, OFF_SIZE, 12);
        long long sum = octal_field(h, OFF_CHKSUM, 8);
        if (memcmp(h + OFF_MAGIC, "ustar", 5) || sum < 0 || (unsigned)sum != checksum(h) || size < 0)
            return tg_status_error("checkpoint %s: not a tapegrad checkpoint (bad tar header at "
                                   "byte %zu)", path, pos);
        if (h[OFF_TYPE] != '0' && h[OFF_TYPE] != 0)
            return tg_status_error("checkpoint %s: entry %s is not a regular file", path, name);
        pos += BLOCK;
        if ((unsigned long long)size > len - pos)
            return tg_status_error("checkpoint %s: truncated in entry %s (%lld bytes, %zu left)",
                                   path, name, size, len - pos);
        const int k = param_index(m, name);
        if (k < 0)
            return tg_status_error("checkpoint %s: entry %s matches no parameter of this model",
                                   path, name);
        if (loaded[k])
            return tg_status_error("checkpoint %s: entry %s appears twice", path, name);
        char what[NAME_LEN + 4200];
        snprintf(what, sizeof what, "checkpoint %s entry %s", path, name);
        tg_status s = tg_npy_decode(buf + pos, (size_t)size, what, &loaded[k]);
        if (!tg_is_ok(&s))
            return s;
        if (!tg_shape_equal(loaded[k]->shape, m->params[k]->shape)) {
            char a[TG_SHAPE_STR_LEN], b[TG_SHAPE_STR_LEN];
            return tg_status_error("checkpoint %s: entry %s has shape %s, the model's is %s", path,
                                   name, tg_shape_str(loaded[k]->shape, a, sizeof a),
                                   tg_shape_str(m->params[k]->shape, b, sizeof b));
        }
        pos += padded((size_t)size) <= len - pos ? padded((size_t)size) : len - pos;
    }
    if (pos + 2 * BLOCK > len || !all_zero(buf + pos, 2 * BLOCK))
        return tg_status_error("checkpoint %s: truncated (the end-of-archive blocks are cut)", path);
    for (int l = 0, k = 0; l < m->n_layers; l++)
        for (int i = 0; i < m->layers[l]->n_params; i++, k++)
            if (!loaded[k]) {
                char want[NAME_LEN + 64];
                entry_name(m->layers[l], m->layers[l]->params[i], want, sizeof want);
                return tg_status_error("checkpoint %s: no entry %s", path, want);
            }
    return tg_status_ok();
}

tg_status tg_model_load(tg_model *m, const char *path)
{
    unsigned char *buf = NULL;
    size_t len = 0;
    tg_status s = read_file(path, &buf, &len);
    if (!tg_is_ok(&s))
        return s;
    tg_tensor **loaded = tg_xcalloc((size_t)m->n_params + 1, sizeof *loaded, "checkpoint");
    s = parse_archive(m, path, buf, len, loaded);
    for (int k = 0; k < m->n_params; k++) {
        if (tg_is_ok(&s))
            tg_tensor_copy_data(m->params[k], loaded[k]);
        tg_tensor_free(loaded[k]);
    }
    free(loaded);
    free(buf);
    return s;
}
