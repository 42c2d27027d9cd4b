/* NumPy's .npy format (see docs/npy.md):
 *
 *     "\x93NUMPY"  major  minor  header_len  header  data
 *
 * header_len is 2 bytes (version 1.0) or 4 bytes (2.0, 3.0), little-endian;
 * the header is a Python dict literal such as
 *
 *     {'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }
 *
 * padded with spaces and a final '\n' so that the data starts on a multiple
 * of 64 bytes; the data is the elements in C order, little-endian.
 *
 * tg_npy_decode reads untrusted bytes (a fuzzer calls it): every read is
 * checked against the length, and every size is checked before anything
 * is allocated. */
#include "tensor/tensor.h"

#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tensor/internal/file.h"

static const unsigned char npy_magic[6] = {0x93, 'N', 'U', 'M', 'P', 'Y'};

#define NPY_ALIGN 64
/* More dimensions than this are not even counted one by one. */
#define NPY_MAX_PARSED_DIMS 32
#define NPY_DESCR_LEN 32

/* ---- encoding ---- */

#ifdef TG_REAL_FLOAT
#define NPY_DESCR "<f4"
#else
#define NPY_DESCR "<f8"
#endif

/* Little-endian bytes of one element, whatever the machine's byte order. */
static void put_le(unsigned char *dst, tg_real x)
{
    uint64_t bits = 0;
#ifdef TG_REAL_FLOAT
    uint32_t b32;
    memcpy(&b32, &x, sizeof b32);
    bits = b32;
#else
    memcpy(&bits, &x, sizeof bits);
#endif
    for (size_t i = 0; i < sizeof(tg_real); i++)
        dst[i] = (unsigned char)(bits >> (8 * i));
}

unsigned char *tg_npy_encode(const tg_tensor *t, size_t *len)
{
    char dict[160];
    int n = snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': False, 'shape': (",
                     NPY_DESCR);
    for (int i = 0; i < t->shape.ndim; i++)
        n += snprintf(dict + n, sizeof dict - (size_t)n, "%s%d", i ? ", " : "", t->shape.dim[i]);
    n += snprintf(dict + n, sizeof dict - (size_t)n, "%s), }", t->shape.ndim == 1 ? "," : "");
    /* magic (6) + version (2) + header_len (2) + dict + padding + '\n' */
    const size_t preamble = 10;
    const size_t header_len =
        ((preamble + (size_t)n + 1 + NPY_ALIGN - 1) / NPY_ALIGN) * NPY_ALIGN - preamble;
    const size_t data_len = t->size * sizeof(tg_real);
    *len = preamble + header_len + data_len;
    unsigned char *buf = tg_xmalloc(*len, "npy_encode");
    memcpy(buf, npy_magic, sizeof npy_magic);
    buf[6] = 1;
    buf[7] = 0;
    buf[8] = (unsigned char)(header_len & 0xff);
    buf[9] = (unsigned char)(header_len >> 8);
    memcpy(buf + preamble, dict, (size_t)n);
    memset(buf + preamble + n, ' ', header_len - (size_t)n - 1);
    buf[preamble + header_len - 1] = '\n';
    unsigned char *data = buf + preamble + header_len;
    for (size_t k = 0; k < t->size; k++)
        put_le(data + k * sizeof(tg_real), t->data[k]);
    return buf;
}

tg_status tg_npy_save(const char *path, const tg_tensor *t)
{
    size_t len;
    unsigned char *buf = tg_npy_encode(t, &len);
    tg_status st = tg_write_file(path, buf, len);
    free(buf);
    return st;
}

/* ---- the header dict: a small parser for exactly what NumPy writes ---- */

typedef struct {
    const char *s;
    size_t n, i;
    const char *what;
    tg_status st; /* the first error; parsing stops there */
} header_parser;

typedef struct {
    int has_descr, has_fortran, has_shape;
    char descr[NPY_DESCR_LEN];
    int fortran_order;
    int ndim; /* as many as the file lists, even past TG_MAX_DIMS */
    long long dim[NPY_MAX_PARSED_DIMS];
} npy_header;

static int parse_failed(header_parser *p, const char *why)
{
    if (tg_is_ok(&p->st))
        p->st = tg_status_error("%s: bad header: %s at byte %zu of the dict \"%.*s\"", p->what, why,
                                p->i, (int)(p->n < 100 ? p->n : 100), p->s);
    return 0;
}

static void skip_space(header_parser *p)
{
    while (p->i < p->n && (p->s[p->i] == ' ' || p->s[p->i] == '\t' || p->s[p->i] == '\n' ||
                           p->s[p->i] == '\r'))
        p->i++;
}

static int accept_char(header_parser *p, char c)
{
    skip_space(p);
    if (p->i < p->n && p->s[p->i] == c) {
        p->i++;
        return 1;
    }
    return 0;
}

/* A quoted string ('...' or "..."), copied into out (at most cap - 1 chars). */
static int parse_string(header_parser *p, char *out, size_t cap)
{
    skip_space(p);
    if (p->i >= p->n || (p->s[p->i] != '\'' && p->s[p->i] != '"'))
        return parse_failed(p, "expected a quoted string");
    const char quote = p->s[p->i++];
    size_t len = 0;
    while (p->i < p->n && p->s[p->i] != quote) {
        if (p->s[p->i] == '\\' || len + 1 >= cap)
            return parse_failed(p, "string too long or escaped");
        out[len++] = p->s[p->i++];
    }
    if (p->i >= p->n)
        return parse_failed(p, "unterminated string");
    p->i++;
    out[len] = '\0';
    return 1;
}

static int accept_word(header_parser *p, const char *word)
{
    size_t len = strlen(word);
    if (p->n - p->i >= len && memcmp(p->s + p->i, word, len) == 0) {
        p->i += len;
        return 1;
    }
    return 0;
}

static int parse_bool(header_parser *p, int *out)
{
    skip_space(p);
    if (accept_word(p, "True"))
        *out = 1;
    else if (accept_word(p, "False"))
        *out = 0;
    else
        return parse_failed(p, "expected True or False");
    return 1;
}

/* An integer, saturated at LLONG_MAX (refused later as too large). */
static int parse_int(header_parser *p, long long *out)
{
    skip_space(p);
    int negative = p->i < p->n && p->s[p->i] == '-';
    if (negative)
        p->i++;
    if (p->i >= p->n || p->s[p->i] < '0' || p->s[p->i] > '9')
        return parse_failed(p, "expected an integer");
    long long v = 0;
    while (p->i < p->n && p->s[p->i] >= '0' && p->s[p->i] <= '9') {
        int digit = p->s[p->i++] - '0';
        v = v > (LLONG_MAX - digit) / 10 ? LLONG_MAX : v * 10 + digit;
    }
    /* Python 2's NumPy wrote long integers as "3L". */
    if (p->i < p->n && p->s[p->i] == 'L')
        p->i++;
    *out = negative ? -v : v;
    return 1;
}

/* "()", "(3,)", "(2, 3)", "(2, 3,)" */
static int parse_shape(header_parser *p, npy_header *h)
{
    if (!accept_char(p, '('))
        return parse_failed(p, "expected a tuple for the shape");
    h->ndim = 0;
    if (accept_char(p, ')'))
        return 1;
    for (;;) {
        long long d = 0;
        if (!parse_int(p, &d))
            return 0;
        if (h->ndim < NPY_MAX_PARSED_DIMS)
            h->dim[h->ndim] = d;
        h->ndim++;
        if (accept_char(p, ')'))
            return 1;
        if (!accept_char(p, ','))
            return parse_failed(p, "expected ',' or ')' in the shape");
        if (accept_char(p, ')'))
            return 1;
    }
}

static int parse_entry(header_parser *p, npy_header *h)
{
    char key[32];
    if (!parse_string(p, key, sizeof key))
        return 0;
    if (!accept_char(p, ':'))
        return parse_failed(p, "expected ':' after a key");
    int *seen;
    int ok;
    if (strcmp(key, "descr") == 0) {
        seen = &h->has_descr;
        /* A structured dtype is a list, not a string: refuse it by name. */
        skip_space(p);
        if (p->i < p->n && p->s[p->i] == '[') {
            if (tg_is_ok(&p->st))
                p->st = tg_status_error("%s: structured dtype (a list of fields) is not supported "
                                        "(only '<f8' and '<f4')",
                                        p->what);
            return 0;
        }
        ok = parse_string(p, h->descr, sizeof h->descr);
    } else if (strcmp(key, "fortran_order") == 0) {
        seen = &h->has_fortran;
        ok = parse_bool(p, &h->fortran_order);
    } else if (strcmp(key, "shape") == 0) {
        seen = &h->has_shape;
        ok = parse_shape(p, h);
    } else {
        if (tg_is_ok(&p->st))
            p->st = tg_status_error("%s: bad header: unexpected key '%s'", p->what, key);
        return 0;
    }
    if (ok && (*seen)++) {
        p->st = tg_status_error("%s: bad header: the key '%s' appears twice", p->what, key);
        return 0;
    }
    return ok;
}

static int parse_header(header_parser *p, npy_header *h)
{
    if (!accept_char(p, '{'))
        return parse_failed(p, "expected '{'");
    while (!accept_char(p, '}')) {
        if (!parse_entry(p, h))
            return 0;
        if (accept_char(p, '}'))
            break;
        if (!accept_char(p, ','))
            return parse_failed(p, "expected ',' or '}'");
    }
    skip_space(p);
    if (p->i != p->n)
        return parse_failed(p, "text after the dict");
    return 1;
}

/* ---- decoding ---- */

static uint64_t get_le(const unsigned char *src, size_t bytes)
{
    uint64_t v = 0;
    for (size_t i = 0; i < bytes; i++)
        v |= (uint64_t)src[i] << (8 * i);
    return v;
}

/* The checks on a parsed header that do not depend on the data. */
static tg_status check_header(const npy_header *h, const char *what, size_t *elem_size)
{
    static const char *const keys[3] = {"descr", "fortran_order", "shape"};
    const int has[3] = {h->has_descr, h->has_fortran, h->has_shape};
    for (int k = 0; k < 3; k++)
        if (!has[k])
            return tg_status_error("%s: header lacks the key '%s'", what, keys[k]);
    if (h->fortran_order)
        return tg_status_error("%s: Fortran-order arrays are not supported (save a C-order "
                               "array: np.ascontiguousarray)",
                               what);
    if (strcmp(h->descr, "<f8") == 0)
        *elem_size = 8;
    else if (strcmp(h->descr, "<f4") == 0)
        *elem_size = 4;
    else
        return tg_status_error("%s: dtype '%s' is not supported (only '<f8' and '<f4')", what,
                               h->descr);
    if (h->ndim > TG_MAX_DIMS)
        return tg_status_error("%s: %d dimensions (at most %d)", what, h->ndim, TG_MAX_DIMS);
    for (int i = 0; i < h->ndim; i++) {
        if (h->dim[i] < 0)
            return tg_status_error("%s: negative dimension %lld in the shape", what, h->dim[i]);
        if (h->dim[i] > INT_MAX)
            return tg_status_error("%s: dimension %lld is too large (at most %d)", what,
                                   h->dim[i], INT_MAX);
    }
    return tg_status_ok();
}

tg_status tg_npy_decode(const unsigned char *buf, size_t len, const char *what, tg_tensor **out)
{
    const size_t magic_len = sizeof npy_magic;
    if (len == 0)
        return tg_status_error("%s: truncated: the file is empty", what);
    if (memcmp(buf, npy_magic, len < magic_len ? len : magic_len) != 0)
        return tg_status_error("%s: not a .npy file (bad magic)", what);
    if (len < magic_len + 2)
        return tg_status_error("%s: truncated: %zu bytes, not even the version", what, len);
    const int major = buf[6], minor = buf[7];
    if (major < 1 || major > 3 || minor != 0)
        return tg_status_error("%s: unsupported .npy version %d.%d (1.0, 2.0 and 3.0 are read)",
                               what, major, minor);
    /* 3.0 differs from 2.0 only by allowing UTF-8 in the header, which our
     * parser treats as bytes anyway. */
    const size_t len_bytes = major == 1 ? 2 : 4;
    const size_t preamble = magic_len + 2 + len_bytes;
    if (len < preamble)
        return tg_status_error("%s: truncated: %zu bytes, not even the header length", what, len);
    const uint64_t header_len = get_le(buf + magic_len + 2, len_bytes);
    if (header_len > len - preamble)
        return tg_status_error("%s: truncated: the header of %llu bytes runs past the end of "
                               "the file (%zu bytes)",
                               what, (unsigned long long)header_len, len);

    npy_header h;
    memset(&h, 0, sizeof h);
    header_parser p = {(const char *)buf + preamble, (size_t)header_len, 0, what, tg_status_ok()};
    if (!parse_header(&p, &h))
        return p.st;
    size_t elem_size = 0;
    tg_status st = check_header(&h, what, &elem_size);
    if (!tg_is_ok(&st))
        return st;

    /* Sizes are checked before anything is allocated: a header may claim
     * any shape, and only the bytes present are real. */
    tg_shape shape = {h.ndim, {0}};
    size_t count = 1;
    for (int i = 0; i < h.ndim; i++) {
        shape.dim[i] = (int)h.dim[i];
        if (shape.dim[i] != 0 && count > SIZE_MAX / (size_t)shape.dim[i])
            return tg_status_error("%s: the shape's element count overflows", what);
        count *= (size_t)shape.dim[i];
    }
    if (count > SIZE_MAX / elem_size)
        return tg_status_error("%s: the shape's byte count overflows (%zu elements)", what, count);
    const size_t need = count * elem_size;
    const size_t have = len - preamble - (size_t)header_len;
    if (have < need)
        return tg_status_error("%s: truncated: the shape needs %zu bytes of data, found %zu", what,
                               need, have);
    if (have > need)
        return tg_status_error("%s: trailing garbage: %zu bytes after the data", what,
                               have - need);

    tg_tensor *t = tg_tensor_new(shape);
    const unsigned char *data = buf + preamble + header_len;
    for (size_t k = 0; k < count; k++) {
        uint64_t bits = get_le(data + k * elem_size, elem_size);
        if (elem_size == 8) {
            double x;
            memcpy(&x, &bits, sizeof x);
            /* A float build cannot hold every double: a finite value must
             * not silently become inf. */
            if (isfinite(x) && fabs(x) > TG_REAL_MAX) {
                tg_tensor_free(t);
                return tg_status_error("%s: element %zu is %g, beyond the range of this %s "
                                       "build's numbers",
                                       what, k, x, TG_REAL_NAME);
            }
            t->data[k] = (tg_real)x;
        } else {
            uint32_t b32 = (uint32_t)bits;
            float x;
            memcpy(&x, &b32, sizeof x);
            t->data[k] = (tg_real)x;
        }
    }
    *out = t;
    return tg_status_ok();
}

tg_status tg_npy_load(const char *path, tg_tensor **out)
{
    unsigned char *buf;
    size_t len;
    tg_status st = tg_read_file(path, &buf, &len);
    if (!tg_is_ok(&st))
        return st;
    st = tg_npy_decode(buf, len, path, out);
    free(buf);
    return st;
}
