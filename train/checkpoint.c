/* The ustar layout (POSIX.1-1988): each entry is a 512-byte header then its
 * data padded to 512 bytes; two zero blocks end the archive. Numbers in a
 * header are octal text; the checksum is the byte sum of the header with
 * the checksum field read as spaces. */
#include "train/train.h"

#include <math.h>
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

/* The entry that describes the model, first in the archive. Its name has
 * no '/', so no parameter's entry (<layer>/<param>.npy) can take it. */
#define DESCRIPTION "model.txt"
#define DESCRIPTION_HEAD "tapegrad model\n"

/* Appends the text to the archive-like buffer a (not padded). */
static void append(archive *a, const char *text)
{
    const size_t n = strlen(text);
    if (n)
        memcpy(extend(a, n), text, n);
}

/* One line per layer: its kind, its name, each parameter's name and shape:
 * "Dense dense kernel (4, 6) bias (6,)\n". */
static void describe_layers(const tg_model *m, archive *a)
{
    for (int l = 0; l < m->n_layers; l++) {
        const tg_layer *layer = m->layers[l];
        char line[TG_LAYER_NAME_LEN + 64];
        snprintf(line, sizeof line, "%s %s", layer->ops->kind, layer->name);
        append(a, line);
        for (int i = 0; i < layer->n_params; i++) {
            char shape[TG_SHAPE_STR_LEN];
            snprintf(line, sizeof line, " %s %s", layer->params[i]->name,
                     tg_shape_str(layer->params[i]->shape, shape, sizeof shape));
            append(a, line);
        }
        append(a, "\n");
    }
}

/* What the entry holds: the head line, "task <task>" when there is one, the
 * layers. */
static void describe(const tg_model *m, const char *task, archive *a)
{
    append(a, DESCRIPTION_HEAD);
    if (task) {
        if (strlen(task) > 64 || strpbrk(task, "\n\r"))
            tg_fatal("checkpoint: the task name '%.64s' is not one line of at most 64 bytes", task);
        append(a, "task ");
        append(a, task);
        append(a, "\n");
    }
    describe_layers(m, a);
}

/* The entries, checked before anything is written: each name fits the tar
 * field and is unique (two layers renamed alike would make a file that
 * tg_model_load refuses), each value is finite (a checkpoint must load). */
static tg_status check_entries(const tg_model *m, const char *path)
{
    for (int l = 0, k = 0; l < m->n_layers; l++)
        for (int i = 0; i < m->layers[l]->n_params; i++, k++) {
            char name[NAME_LEN + 64];
            entry_name(m->layers[l], m->layers[l]->params[i], name, sizeof name);
            if (strlen(name) >= NAME_LEN)
                return tg_status_error("checkpoint %s: entry name %s is longer than %d bytes",
                                       path, name, NAME_LEN - 1);
            for (int l2 = 0, k2 = 0; l2 < m->n_layers && k2 < k; l2++)
                for (int i2 = 0; i2 < m->layers[l2]->n_params && k2 < k; i2++, k2++) {
                    char other[NAME_LEN + 64];
                    entry_name(m->layers[l2], m->layers[l2]->params[i2], other, sizeof other);
                    if (!strcmp(name, other))
                        return tg_status_error("checkpoint %s: two parameters would be saved as "
                                               "%s (layer names must be unique in a model)",
                                               path, name);
                }
            const tg_tensor *p = m->layers[l]->params[i];
            for (size_t e = 0; e < p->size; e++)
                if (!isfinite(p->data[e]))
                    return tg_status_error("checkpoint %s: %s holds %g at element %zu: "
                                           "weights that are not finite are not saved",
                                           path, name, (double)p->data[e], e);
        }
    return tg_status_ok();
}

tg_status tg_model_save_task(const tg_model *m, const char *path, const char *task)
{
    tg_status s = check_entries(m, path);
    if (!tg_is_ok(&s))
        return s;
    archive a = {NULL, 0, 0}, text = {NULL, 0, 0};
    describe(m, task, &text);
    write_header(extend(&a, BLOCK), DESCRIPTION, text.n);
    memcpy(extend(&a, padded(text.n)), text.b, text.n);
    free(text.b);
    for (int l = 0; l < m->n_layers; l++) {
        const tg_layer *layer = m->layers[l];
        for (int i = 0; i < layer->n_params; i++) {
            char name[NAME_LEN + 64];
            entry_name(layer, layer->params[i], name, sizeof name);
            size_t len;
            unsigned char *npy = tg_npy_encode(layer->params[i], &len);
            write_header(extend(&a, BLOCK), name, len);
            memcpy(extend(&a, padded(len)), npy, len);
            free(npy);
        }
    }
    extend(&a, 2 * BLOCK); /* the end of the archive */
    s = tg_write_file(path, a.b, a.n);
    free(a.b);
    return tg_is_ok(&s) ? s : tg_status_error("checkpoint %s", s.msg);
}

tg_status tg_model_save(const tg_model *m, const char *path)
{
    return tg_model_save_task(m, path, NULL);
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

/* The description entry, where the archive holds one. */
typedef struct {
    int seen;
    const char *text;
    size_t len;
} description;

/* Decodes every entry into loaded[] (indexed like m->params), finds the
 * description, or says why not. */
static tg_status parse_archive(const tg_model *m, const char *path, const unsigned char *buf,
                               size_t len, tg_tensor **loaded, description *desc)
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
        if (!strcmp(name, DESCRIPTION)) {
            if (desc->seen++)
                return tg_status_error("checkpoint %s: entry %s appears twice", path, name);
            desc->text = (const char *)buf + pos;
            desc->len = (size_t)size;
            pos += padded((size_t)size) <= len - pos ? padded((size_t)size) : len - pos;
            continue;
        }
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
        for (size_t e = 0; e < loaded[k]->size; e++)
            if (!isfinite(loaded[k]->data[e]))
                return tg_status_error("checkpoint %s: entry %s holds %g at element %zu (weights "
                                       "must be finite)",
                                       path, name, (double)loaded[k]->data[e], e);
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

/* The next line of text[0..len) from *at (without its '\n'), or NULL. */
static const char *next_line(const char *text, size_t len, size_t *at, size_t *line_len)
{
    if (*at >= len)
        return NULL;
    const char *line = text + *at;
    const char *nl = memchr(line, '\n', len - *at);
    *line_len = nl ? (size_t)(nl - line) : len - *at;
    *at += *line_len + (nl != NULL);
    return line;
}

/* The checkpoint's description against the model's: the task when both
 * name one, then layer by layer. Every parameter already matched by name
 * and shape; this sees what they cannot: a task, a layer's kind, layers
 * without parameters. */
static tg_status compare_description(const tg_model *m, const char *path, const char *task,
                                     const description *d)
{
    size_t at = 0, n;
    const char *line = next_line(d->text, d->len, &at, &n);
    if (!line || n != strlen(DESCRIPTION_HEAD) - 1 || memcmp(line, DESCRIPTION_HEAD, n))
        return tg_status_error("checkpoint %s: entry %s does not describe a tapegrad model", path,
                               DESCRIPTION);
    size_t after_head = at;
    line = next_line(d->text, d->len, &at, &n);
    if (line && n > 5 && !memcmp(line, "task ", 5)) {
        if (task && (n - 5 != strlen(task) || memcmp(line + 5, task, n - 5)))
            return tg_status_error("checkpoint %s: saved by the task '%.*s', not by '%s'", path,
                                   (int)(n - 5 < 64 ? n - 5 : 64), line + 5, task);
    } else {
        at = after_head;
    }
    archive mine = {NULL, 0, 0};
    describe_layers(m, &mine);
    size_t mine_at = 0, mine_n;
    tg_status s = tg_status_ok();
    for (int l = 1; tg_is_ok(&s); l++) {
        const char *theirs = next_line(d->text, d->len, &at, &n);
        const char *ours = next_line((const char *)mine.b, mine.n, &mine_at, &mine_n);
        if (!theirs && !ours)
            break;
        if (!theirs || !ours)
            s = tg_status_error("checkpoint %s: saved from a model of %s layers than this one "
                                "(%d)", path, theirs ? "more" : "fewer", m->n_layers);
        else if (n != mine_n || memcmp(theirs, ours, n))
            s = tg_status_error("checkpoint %s: layer %d was %.*s, this model's is %.*s", path, l,
                                (int)(n < 100 ? n : 100), theirs,
                                (int)(mine_n < 100 ? mine_n : 100), ours);
    }
    free(mine.b);
    return s;
}

tg_status tg_model_load_task(tg_model *m, const char *path, const char *task)
{
    unsigned char *buf = NULL;
    size_t len = 0;
    tg_status s = read_file(path, &buf, &len);
    if (!tg_is_ok(&s))
        return s;
    tg_tensor **loaded = tg_xcalloc((size_t)m->n_params + 1, sizeof *loaded, "checkpoint");
    description desc = {0, NULL, 0};
    s = parse_archive(m, path, buf, len, loaded, &desc);
    if (tg_is_ok(&s) && desc.seen)
        s = compare_description(m, path, task, &desc);
    for (int k = 0; k < m->n_params; k++) {
        if (tg_is_ok(&s))
            tg_tensor_copy_data(m->params[k], loaded[k]);
        tg_tensor_free(loaded[k]);
    }
    free(loaded);
    free(buf);
    return s;
}

tg_status tg_model_load(tg_model *m, const char *path)
{
    return tg_model_load_task(m, path, NULL);
}
