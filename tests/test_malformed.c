/* The corpus of malformed files: every reader (.npy, IDX plain and gzip,
 * CSV, checkpoint) is given files cut at every header boundary, with a
 * wrong magic, a wrong dtype, zero, negative and huge dimensions (2^40
 * elements, products that overflow size_t), NaN text, ... each built here
 * byte by byte, and each must be refused with exactly the one line the
 * user reads (the file's path stands for %s). The huge ones are also read
 * in a child whose address space is limited to 1 GB: a reader that tried
 * to allocate what the header claims would fail there, not report. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <valgrind/valgrind.h>
#include <zlib.h>

#include "layers/layers.h"
#include "tensor/tensor.h"
#include "tests/scratch.h"
#include "tests/support.h"
#include "train/train.h"
#include "datasets/datasets.h"

#define MAX_FILE 4096

typedef struct {
    unsigned char b[MAX_FILE];
    size_t n;
} bytes;

static void put(bytes *f, const void *p, size_t n)
{
    ck_assert_uint_le(f->n + n, MAX_FILE);
    memcpy(f->b + f->n, p, n);
    f->n += n;
}

static void put_str(bytes *f, const char *s)
{
    put(f, s, strlen(s));
}

static bytes cut(const bytes *f, size_t n)
{
    bytes c = *f;
    c.n = n;
    return c;
}

/* ---- .npy ---- */

/* A .npy 1.0 file of <f8 values 0, 1, 2, ... with this dict (padded to 117
 * bytes + '\n', so the data starts at byte 128) and `values` elements. */
static bytes npy_file(const char *dict, size_t values)
{
    bytes f = {.n = 0};
    put(&f, "\x93NUMPY\x01\x00\x76\x00", 10);
    char header[118];
    memset(header, ' ', sizeof header);
    memcpy(header, dict, strlen(dict));
    header[117] = '\n';
    put(&f, header, sizeof header);
    for (size_t k = 0; k < values; k++)
        put(&f, &(double){(double)k}, 8); /* little-endian machines only, as x86 and arm64 */
    return f;
}

#define NPY_2X3 "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }"

typedef struct {
    const char *name;
    bytes file;
    const char *message; /* %s: the path */
} npy_case;

static npy_case npy_cases[40];
static int n_npy;

static void npy_add(const char *name, bytes file, const char *message)
{
    ck_assert_int_lt(n_npy, 40);
    npy_cases[n_npy++] = (npy_case){name, file, message};
}

static void npy_corpus(void)
{
    n_npy = 0;
    const bytes ok = npy_file(NPY_2X3, 6);
    npy_add("empty", cut(&ok, 0), "%s: truncated: the file is empty");
    npy_add("in the magic", cut(&ok, 3), "%s: truncated: 3 bytes, not even the version");
    npy_add("after the magic", cut(&ok, 6), "%s: truncated: 6 bytes, not even the version");
    npy_add("in the version", cut(&ok, 7), "%s: truncated: 7 bytes, not even the version");
    npy_add("after the version", cut(&ok, 8),
            "%s: truncated: 8 bytes, not even the header length");
    npy_add("in the header length", cut(&ok, 9),
            "%s: truncated: 9 bytes, not even the header length");
    npy_add("after the header length", cut(&ok, 10),
            "%s: truncated: the header of 118 bytes runs past the end of the file (10 bytes)");
    npy_add("in the dict", cut(&ok, 70),
            "%s: truncated: the header of 118 bytes runs past the end of the file (70 bytes)");
    npy_add("after the header", cut(&ok, 128),
            "%s: truncated: the shape needs 48 bytes of data, found 0");
    npy_add("in the data", cut(&ok, 152), "%s: truncated: the shape needs 48 bytes of data, found 24");
    npy_add("one byte short", cut(&ok, 175),
            "%s: truncated: the shape needs 48 bytes of data, found 47");
    bytes zip = ok;
    memcpy(zip.b, "PK\x03\x04", 4);
    npy_add("wrong magic", zip, "%s: not a .npy file (bad magic)");
    bytes v9 = ok;
    v9.b[6] = 9;
    npy_add("version 9.0", v9, "%s: unsupported .npy version 9.0 (1.0, 2.0 and 3.0 are read)");
    npy_add("dtype <i8", npy_file("{'descr': '<i8', 'fortran_order': False, 'shape': (2, 3), }", 6),
            "%s: dtype '<i8' is not supported (only '<f8' and '<f4')");
    npy_add("big-endian", npy_file("{'descr': '>f8', 'fortran_order': False, 'shape': (2, 3), }", 6),
            "%s: dtype '>f8' is not supported (only '<f8' and '<f4')");
    npy_add("structured dtype",
            npy_file("{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (6,), }", 6),
            "%s: structured dtype (a list of fields) is not supported (only '<f8' and '<f4')");
    npy_add("Fortran order", npy_file("{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3), }", 6),
            "%s: Fortran-order arrays are not supported (save a C-order array: "
            "np.ascontiguousarray)");
    npy_add("no shape", npy_file("{'descr': '<f8', 'fortran_order': False, }", 6),
            "%s: header lacks the key 'shape'");
    npy_add("negative dimension",
            npy_file("{'descr': '<f8', 'fortran_order': False, 'shape': (-2, 3), }", 6),
            "%s: negative dimension -2 in the shape");
    npy_add("dimension past int",
            npy_file("{'descr': '<f8', 'fortran_order': False, 'shape': (3000000000,), }", 6),
            "%s: dimension 3000000000 is too large (at most 2147483647)");
    npy_add("six dimensions",
            npy_file("{'descr': '<f8', 'fortran_order': False, 'shape': (1, 1, 2, 1, 3, 1), }", 6),
            "%s: 6 dimensions (at most 5)");
    npy_add("2^40 elements",
            npy_file("{'descr': '<f8', 'fortran_order': False, 'shape': (1048576, 1048576), }", 6),
            "%s: truncated: the shape needs 8796093022208 bytes of data, found 48");
    npy_add("elements overflow size_t",
            npy_file("{'descr': '<f8', 'fortran_order': False, "
                     "'shape': (2147483647, 2147483647, 2147483647), }", 6),
            "%s: the shape's element count overflows");
    /* (2^31 - 1)^2 x 4 elements fit in size_t, their 8-byte values do not. */
    npy_add("bytes overflow size_t",
            npy_file("{'descr': '<f8', 'fortran_order': False, "
                     "'shape': (2147483647, 2147483647, 4), }", 6),
            "%s: the shape's byte count overflows (18446744056529682436 elements)");
    npy_add("zero dimension, data left",
            npy_file("{'descr': '<f8', 'fortran_order': False, 'shape': (0, 3), }", 6),
            "%s: trailing garbage: 48 bytes after the data");
    /* A short header holding a newline and a control byte, echoed in the
     * message: spelled out, so that the message stays one line. */
    bytes short_dict = {.n = 0};
    put(&short_dict, "\x93NUMPY\x01\x00\x04\x00{\n\x01}", 14);
    npy_add("control bytes in the dict", short_dict,
            "%s: bad header: expected a quoted string at byte 2 of the dict \"{\\n\\x01}\"");
    npy_add("unknown key",
            npy_file("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), 'x': 1}", 6),
            "%s: bad header: unexpected key 'x'");
}

/* ---- IDX ---- */

static void put_be32(bytes *f, uint32_t v)
{
    const unsigned char b[4] = {(unsigned char)(v >> 24), (unsigned char)(v >> 16),
                                (unsigned char)(v >> 8), (unsigned char)v};
    put(f, b, 4);
}

/* An IDX file: type, ndim as written, the given dimensions, then `data` bytes. */
static bytes idx_file(unsigned char type, unsigned char ndim, const uint32_t *dims, int n_dims,
                      size_t data)
{
    bytes f = {.n = 0};
    put(&f, (unsigned char[]){0, 0, type, ndim}, 4);
    for (int d = 0; d < n_dims; d++)
        put_be32(&f, dims[d]);
    for (size_t k = 0; k < data; k++)
        put(&f, &(unsigned char){(unsigned char)(k % 10)}, 1);
    return f;
}

static bytes gzipped(const bytes *f)
{
    bytes z = {.n = 0};
    z_stream s;
    memset(&s, 0, sizeof s);
    ck_assert_int_eq(deflateInit2(&s, 9, Z_DEFLATED, 16 + 15, 8, Z_DEFAULT_STRATEGY), Z_OK);
    s.next_in = (unsigned char *)f->b;
    s.avail_in = (unsigned)f->n;
    s.next_out = z.b;
    s.avail_out = MAX_FILE;
    ck_assert_int_eq(deflate(&s, Z_FINISH), Z_STREAM_END);
    z.n = s.total_out;
    deflateEnd(&s);
    return z;
}

typedef struct {
    const char *name;
    bytes images, labels;
    char message[160]; /* %1$s: the images path, %2$s: the labels path */
} idx_case;

static idx_case idx_cases[48];
static int n_idx;

static void idx_add(const char *name, bytes images, bytes labels, const char *message)
{
    ck_assert_int_lt(n_idx, 48);
    idx_case *c = &idx_cases[n_idx++];
    c->name = name;
    c->images = images;
    c->labels = labels;
    snprintf(c->message, sizeof c->message, "%s", message);
}

static void idx_corpus(void)
{
    n_idx = 0;
    const uint32_t two_2x2[3] = {2, 2, 2}, two[1] = {2};
    const bytes ok = idx_file(8, 3, two_2x2, 3, 8), labels = idx_file(8, 1, two, 1, 2);
    static const int header_cuts[] = {0, 2, 3};
    for (int i = 0; i < 3; i++) {
        char msg[96];
        snprintf(msg, sizeof msg, "%%1$s: truncated at byte %d: the IDX header needs 4 bytes",
                 header_cuts[i]);
        idx_add("header cut", cut(&ok, (size_t)header_cuts[i]), labels, msg);
    }
    static const int dim_cuts[] = {4, 6, 8, 12, 15};
    for (int i = 0; i < 5; i++) {
        char msg[128];
        snprintf(msg, sizeof msg, "%%1$s: truncated at byte %d: the header of 3 dimensions needs 16 bytes",
                 dim_cuts[i]);
        idx_add("dimensions cut", cut(&ok, (size_t)dim_cuts[i]), labels, msg);
    }
    idx_add("no data", cut(&ok, 16), labels,
            "%1$s: truncated at byte 16: expected 8 bytes of images data from byte 16");
    idx_add("data cut", cut(&ok, 21), labels,
            "%1$s: truncated at byte 21: expected 8 bytes of images data from byte 16");
    idx_add("labels cut", ok, cut(&labels, 9),
            "%2$s: truncated at byte 9: expected 2 bytes of labels data from byte 8");
    bytes magic = ok;
    magic.b[0] = 0x1f;
    idx_add("wrong magic", magic, labels,
            "%1$s: bad magic 0x1f00 at byte 0 (an IDX file starts with two zero bytes)");
    idx_add("float dtype", idx_file(0x0d, 3, two_2x2, 3, 32), labels,
            "%1$s: element type code 0x0d at byte 2, expected 0x08 (unsigned byte)");
    idx_add("labels as images", labels, labels, "%1$s: 1 dimensions at byte 3, expected 3 (images)");
    idx_add("zero rows", idx_file(8, 3, (uint32_t[]){2, 0, 2}, 3, 0), labels,
            "%1$s: dimension 1 is 0 at byte 8 (expected 1 .. 2147483647)");
    idx_add("negative columns", idx_file(8, 3, (uint32_t[]){2, 2, 0xfffffffeu}, 3, 8), labels,
            "%1$s: dimension 2 is 4294967294 at byte 12 (expected 1 .. 2147483647)");
    idx_add("2^40 pixels", idx_file(8, 3, (uint32_t[]){1u << 24, 256, 256}, 3, 8), labels,
            "%1$s: truncated at byte 24: expected 1099511627776 bytes of images data from "
            "byte 16");
    idx_add("pixels overflow size_t",
            idx_file(8, 3, (uint32_t[]){0xffffffffu, 0x7fffffffu, 0x7fffffffu}, 3, 8), labels,
            "%1$s: dimensions at byte 4 overflow: the product does not fit in memory sizes");
    idx_add("trailing bytes", idx_file(8, 3, two_2x2, 3, 9), labels,
            "%1$s: unexpected bytes after the data at byte 24");
    idx_add("count mismatch", ok, idx_file(8, 1, (uint32_t[]){3}, 1, 3),
            "%2$s: 3 labels (count at byte 4) but %1$s holds 2 images");
    /* gzip: the same checks on the uncompressed stream. */
    const bytes gz = gzipped(&ok);
    idx_add("gzip, header cut", gzipped(&(bytes){.b = {0, 0}, .n = 2}), labels,
            "%1$s: truncated at byte 2: the IDX header needs 4 bytes");
    idx_add("gzip, 2^40 pixels",
            gzipped(&(bytes){.b = {0, 0, 8, 3, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 7}, .n = 17}),
            labels,
            "%1$s: truncated at byte 17: expected 1099511627776 bytes of images data from "
            "byte 16");
    idx_add("gzip, stream cut in the trailer", cut(&gz, gz.n - 4), labels,
            "%1$s: truncated at byte 24: the gzip stream ends early");
    idx_add("gzip, last byte cut", cut(&gz, gz.n - 1), labels,
            "%1$s: truncated at byte 24: the gzip stream ends early");
    bytes crc = gz;
    crc.b[gz.n - 8] ^= 0xff;
    /* zlib checks the CRC as it inflates this small stream whole, at the first read. */
    idx_add("gzip, wrong CRC", crc, labels, "%1$s: read error at byte 0: incorrect data check");
    idx_add("gzip, stream cut after its header", cut(&gz, 10), labels,
            "%1$s: truncated at byte 0: the gzip stream ends early");
    bytes garbage = gz;
    put_str(&garbage, "garbage");
    char msg[128];
    snprintf(msg, sizeof msg,
             "%%1$s: unexpected bytes after the gzip stream at byte %zu of the file", gz.n);
    idx_add("gzip, bytes after the member", garbage, labels, msg);
    bytes twice = gz;
    put(&twice, gz.b, gz.n);
    idx_add("gzip, a second member", twice, labels, msg);
    idx_add("zero images", idx_file(8, 3, (uint32_t[]){0, 2, 2}, 3, 0), idx_file(8, 1, two, 1, 0),
            "%1$s: the count at byte 4 is 0: no images");
    idx_add("zero labels", ok, idx_file(8, 1, (uint32_t[]){0}, 1, 0),
            "%2$s: the count at byte 4 is 0: no labels");
    const bytes zero = idx_file(8, 3, (uint32_t[]){0, 2, 2}, 3, 0);
    idx_add("gzip, zero images", gzipped(&zero), labels,
            "%1$s: the count at byte 4 is 0: no images");
}

/* ---- CSV ---- */

typedef struct {
    const char *name, *text, *message;
} csv_case;

static const csv_case csv_cases[] = {
    {"empty", "", "%s: empty file (no header line)"},
    {"blank lines", "\n\r\n", "%s: empty file (no header line)"},
    {"NaN text", "date,temp\n2012-01-01,1.5\n2012-01-02,NaN\n",
     "%s: line 3: column 'temp' holds 'NaN', not a finite number"},
    {"nan text", "date,temp\n2012-01-01,1.5\n2012-01-02,nan\n",
     "%s: line 3: column 'temp' holds 'nan', not a finite number"},
    {"Inf text", "t,x\n1,2\n2,-inf\n", "%s: line 3: column 'x' holds '-inf', not a finite number"},
    {"overflowing number", "t,x\n1,2\n2,1e999\n", "%s: line 3: column 'x' is not a number: '1e999'"},
    {"text in a number column", "t,x\n1,2\n2,3.5.1\n",
     "%s: line 3: column 'x' is not a number: '3.5.1'"},
    {"empty number", "t,x\n1,2\n2,\n", "%s: line 3: column 'x' is not a number: ''"},
    {"too few fields", "a,b,c\n1,2,3\n4,5\n", "%s: line 3: 2 fields, the header has 3 (too few)"},
    {"too many fields", "a,b\n1,2\n\n4,5,6\n", "%s: line 4: 3 fields, the header has 2 (too many)"},
    {"unclosed quote", "a,b\n1,2\n\"3,4\n", "%s: line 3: 1 fields, the header has 2 (too few)"},
    {"control bytes in a number", "t,x\n1,2\n2,\x01\x1b[2J\n",
     "%s: line 3: column 'x' is not a number: '\\x01\\x1b[2J'"},
    {"BOM, then too few fields", "\xef\xbb\xbf" "a,b\n1\n", "%s: line 2: 1 fields, the header has "
     "2 (too few)"},
};

/* Files holding a NUL byte (which would end a C string): their bytes. */
typedef struct {
    const char *name, *text;
    size_t len;
    const char *message;
} csv_bytes_case;

static const csv_bytes_case csv_nul_cases[] = {
    {"NUL byte", "t,x\n1,2\n3,\0004\n5,6\n", 16,
     "%s: line 3, column 3: a NUL byte (this is not a text file)"},
    {"NUL byte in the header", "t\000,x\n1,2\n", 10,
     "%s: line 1, column 2: a NUL byte (this is not a text file)"},
    {"NUL byte after CR line ends", "t,x\r1,2\r3,4\r\000", 13,
     "%s: line 4, column 1: a NUL byte (this is not a text file)"},
};

/* ---- checkpoints ---- */

/* The model the checkpoints are for: dense/kernel (3, 2), dense/bias (2). */
static tg_model *ckpt_model(void)
{
    tg_model *m = tg_model_new(TG_SHAPE(3), 1);
    tg_model_add(m, tg_dense(2, TG_LINEAR));
    return m;
}

/* Writes the checksum field of the 512-byte header h: the sum of its bytes,
 * the field itself counted as spaces, plus bad_sum (0: a valid header). */
static void tar_checksum(unsigned char *h, int bad_sum)
{
    unsigned sum = 0;
    memset(h + 148, ' ', 8);
    for (int i = 0; i < 512; i++)
        sum += h[i];
    snprintf((char *)h + 148, 8, "%06o", sum + (unsigned)bad_sum);
    h[155] = ' ';
}

/* A ustar entry: header (checksum computed, or `bad_sum`), data, padding. */
static void tar_entry(bytes *f, const char *name, char type, const bytes *data, int bad_sum)
{
    unsigned char h[512];
    memset(h, 0, sizeof h);
    memcpy(h, name, strlen(name));
    memcpy(h + 100, "0000644", 8);
    memcpy(h + 108, "0000000", 8);
    memcpy(h + 116, "0000000", 8);
    snprintf((char *)h + 124, 12, "%011zo", data->n);
    memcpy(h + 136, "00000000000", 12);
    h[156] = (unsigned char)type;
    memcpy(h + 257, "ustar", 6);
    memcpy(h + 263, "00", 2);
    tar_checksum(h, bad_sum);
    put(f, h, sizeof h);
    put(f, data->b, data->n);
    static const unsigned char zeros[512];
    put(f, zeros, (512 - data->n % 512) % 512);
}

static void tar_end(bytes *f)
{
    static const unsigned char zeros[1024];
    put(f, zeros, sizeof zeros);
}

#define KERNEL_DICT "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 2), }"
#define BIAS_DICT "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }"

typedef struct {
    const char *name;
    bytes file;
    const char *message;
} ckpt_case;

static ckpt_case ckpt_cases[40];
static int n_ckpt;

static void ckpt_add(const char *name, bytes file, const char *message)
{
    ck_assert_int_lt(n_ckpt, 40);
    ckpt_cases[n_ckpt++] = (ckpt_case){name, file, message};
}

/* kernel (with this dict and these values), bias, end. */
static bytes ckpt_file(const char *kernel_name, const char *kernel_dict, size_t values, char type,
                       int bad_sum)
{
    bytes f = {.n = 0};
    const bytes k = npy_file(kernel_dict, values), b = npy_file(BIAS_DICT, 2);
    tar_entry(&f, kernel_name, type, &k, bad_sum);
    tar_entry(&f, "dense/bias.npy", '0', &b, 0);
    tar_end(&f);
    return f;
}

/* A .npy file of the kernel (3, 2) with these six values. */
static bytes kernel_with(const double *values)
{
    bytes k = npy_file(KERNEL_DICT, 0);
    for (int i = 0; i < 6; i++)
        put(&k, &values[i], 8);
    return k;
}

/* The checkpoint: a model.txt entry holding text (NULL: none), the
 * kernel, the bias, the end. */
static bytes ckpt_described(const char *text, const bytes *kernel)
{
    bytes f = {.n = 0}, t = {.n = 0};
    if (text) {
        put_str(&t, text);
        tar_entry(&f, "model.txt", '0', &t, 0);
    }
    const bytes b = npy_file(BIAS_DICT, 2);
    tar_entry(&f, "dense/kernel.npy", '0', kernel, 0);
    tar_entry(&f, "dense/bias.npy", '0', &b, 0);
    tar_end(&f);
    return f;
}

#define CKPT_DESCRIPTION "tapegrad model\nDense dense kernel (3, 2) bias (2,)\n"

static void ckpt_corpus(void)
{
    n_ckpt = 0;
    const bytes kernel = npy_file(KERNEL_DICT, 6);
    const bytes with_nan = kernel_with((const double[]){0, 1, NAN, 3, 4, 5});
    const bytes with_inf = kernel_with((const double[]){0, 1, 2, 3, 4, -INFINITY});
    ckpt_add("non-finite: NaN", ckpt_described(NULL, &with_nan),
             "checkpoint %s: entry dense/kernel.npy holds nan at element 2 (weights must be "
             "finite)");
    ckpt_add("non-finite: -Inf", ckpt_described(CKPT_DESCRIPTION, &with_inf),
             "checkpoint %s: entry dense/kernel.npy holds -inf at element 5 (weights must be "
             "finite)");
#ifdef TG_REAL_FLOAT
    const bytes beyond_float = kernel_with((const double[]){1e300, 1, 2, 3, 4, 5});
    ckpt_add("1e300 in a float build", ckpt_described(NULL, &beyond_float),
             "checkpoint %s entry dense/kernel.npy: element 0 is 1e+300, beyond the range of this "
             "float build's numbers");
#endif
    ckpt_add("description: another layer kind",
             ckpt_described("tapegrad model\nConv1D dense kernel (3, 2) bias (2,)\n", &kernel),
             "checkpoint %s: layer 1 was Conv1D dense kernel (3, 2) bias (2,), this model's is "
             "Dense dense kernel (3, 2) bias (2,)");
    ckpt_add("description: a layer more",
             ckpt_described(CKPT_DESCRIPTION "Flatten flatten\n", &kernel),
             "checkpoint %s: saved from a model of more layers than this one (1)");
    ckpt_add("description: a layer fewer", ckpt_described("tapegrad model\n", &kernel),
             "checkpoint %s: saved from a model of fewer layers than this one (1)");
    ckpt_add("description: not one", ckpt_described("hello\n", &kernel),
             "checkpoint %s: entry model.txt does not describe a tapegrad model");
    bytes twice = {.n = 0}, text = {.n = 0};
    put_str(&text, CKPT_DESCRIPTION);
    tar_entry(&twice, "model.txt", '0', &text, 0);
    tar_entry(&twice, "model.txt", '0', &text, 0);
    tar_end(&twice);
    ckpt_add("description twice", twice, "checkpoint %s: entry model.txt appears twice");
    const bytes ok = ckpt_file("dense/kernel.npy", KERNEL_DICT, 6, '0', 0);
    ck_assert_uint_eq(ok.n, 3072);
    static const int before_first[] = {0, 100, 511};
    for (int i = 0; i < 3; i++)
        ckpt_add("cut in the first header", cut(&ok, (size_t)before_first[i]),
                 "checkpoint %s: truncated (no end-of-archive blocks at byte 0)");
    ckpt_add("cut after the first header", cut(&ok, 512),
             "checkpoint %s: truncated in entry dense/kernel.npy (176 bytes, 0 left)");
    ckpt_add("cut in the first entry", cut(&ok, 600),
             "checkpoint %s: truncated in entry dense/kernel.npy (176 bytes, 88 left)");
    ckpt_add("cut in the padding", cut(&ok, 688),
             "checkpoint %s: truncated (no end-of-archive blocks at byte 688)");
    ckpt_add("cut after the first entry", cut(&ok, 1024),
             "checkpoint %s: truncated (no end-of-archive blocks at byte 1024)");
    ckpt_add("cut before the end blocks", cut(&ok, 2048),
             "checkpoint %s: truncated (no end-of-archive blocks at byte 2048)");
    ckpt_add("cut in the end blocks", cut(&ok, 2560),
             "checkpoint %s: truncated (the end-of-archive blocks are cut)");
    bytes zip = ok;
    memcpy(zip.b + 257, "PK\x03\x04", 4);
    ckpt_add("wrong magic", zip, "checkpoint %s: not a tapegrad checkpoint (bad tar header at byte 0)");
    ckpt_add("wrong checksum", ckpt_file("dense/kernel.npy", KERNEL_DICT, 6, '0', 1),
             "checkpoint %s: not a tapegrad checkpoint (bad tar header at byte 0)");
    ckpt_add("a directory entry", ckpt_file("dense/kernel.npy", KERNEL_DICT, 6, '5', 0),
             "checkpoint %s: entry dense/kernel.npy is not a regular file");
    ckpt_add("unknown entry", ckpt_file("dense/weights.npy", KERNEL_DICT, 6, '0', 0),
             "checkpoint %s: entry dense/weights.npy matches no parameter of this model");
    ckpt_add("entry twice", ckpt_file("dense/bias.npy", BIAS_DICT, 2, '0', 0),
             "checkpoint %s: entry dense/bias.npy appears twice");
    bytes only_bias = {.n = 0};
    const bytes b = npy_file(BIAS_DICT, 2);
    tar_entry(&only_bias, "dense/bias.npy", '0', &b, 0);
    tar_end(&only_bias);
    ckpt_add("entry missing", only_bias, "checkpoint %s: no entry dense/kernel.npy");
    ckpt_add("wrong shape",
             ckpt_file("dense/kernel.npy",
                       "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }", 6, '0', 0),
             "checkpoint %s: entry dense/kernel.npy has shape (2, 3), the model's is (3, 2)");
    ckpt_add("wrong dtype",
             ckpt_file("dense/kernel.npy",
                       "{'descr': '<i8', 'fortran_order': False, 'shape': (3, 2), }", 6, '0', 0),
             "checkpoint %s entry dense/kernel.npy: dtype '<i8' is not supported (only '<f8' and "
             "'<f4')");
    ckpt_add("2^40 elements",
             ckpt_file("dense/kernel.npy",
                       "{'descr': '<f8', 'fortran_order': False, 'shape': (1048576, 1048576), }",
                       6, '0', 0),
             "checkpoint %s entry dense/kernel.npy: truncated: the shape needs 8796093022208 "
             "bytes of data, found 48");
    /* The size field claims 8 GB: checked against the bytes present. */
    bytes huge = ok;
    memcpy(huge.b + 124, "77777777777", 11);
    tar_checksum(huge.b, 0);
    ckpt_add("entry size 8 GB", huge,
             "checkpoint %s: truncated in entry dense/kernel.npy (8589934591 bytes, 2560 left)");
}

/* ---- running the corpus ---- */

static void write_file(const char *path, const bytes *f)
{
    FILE *out = fopen(path, "wb");
    ck_assert_ptr_nonnull(out);
    ck_assert_uint_eq(fwrite(f->b, 1, f->n, out), f->n);
    ck_assert_int_eq(fclose(out), 0);
}

/* Each reader on its file; returns the status (the model and tensors made
 * on success are freed). */
static tg_status read_npy(const char *path)
{
    tg_tensor *t = NULL;
    tg_status s = tg_npy_load(path, &t);
    tg_tensor_free(t);
    return s;
}

static tg_status read_csv(const char *path)
{
    tg_csv csv;
    tg_status s = tg_csv_read(path, &csv);
    tg_csv_free(&csv);
    return s;
}

static tg_status read_ckpt(const char *path)
{
    tg_model *m = ckpt_model();
    tg_status s = tg_model_load(m, path);
    tg_model_free(m);
    return s;
}

static void assert_message(const char *reader, const char *name, const tg_status *s,
                           const char *want)
{
    ck_assert_msg(!tg_is_ok(s), "%s, %s: accepted", reader, name);
    ck_assert_msg(!strcmp(s->msg, want), "%s, %s:\n  got  %s\n  want %s", reader, name, s->msg,
                  want);
}

START_TEST(npy_corpus_messages)
{
    tg_scratch d;
    tg_scratch_open(&d);
    const char *path = tg_scratch_path(&d, "bad.npy");
    npy_corpus();
    ck_assert_int_ge(n_npy, 25);
    for (int i = 0; i < n_npy; i++) {
        write_file(path, &npy_cases[i].file);
        tg_status s = read_npy(path);
        char want[512];
        snprintf(want, sizeof want, npy_cases[i].message, path);
        assert_message(".npy", npy_cases[i].name, &s, want);
        /* The same bytes in memory, as a checkpoint entry holds them. */
        tg_tensor *t = NULL;
        s = tg_npy_decode(npy_cases[i].file.b, npy_cases[i].file.n, path, &t);
        assert_message(".npy in memory", npy_cases[i].name, &s, want);
    }
    tg_scratch_close(&d);
}
END_TEST

START_TEST(idx_corpus_messages)
{
    tg_scratch d;
    tg_scratch_open(&d);
    const char *images = tg_scratch_path(&d, "images-idx3-ubyte");
    const char *labels = tg_scratch_path(&d, "labels-idx1-ubyte");
    idx_corpus();
    ck_assert_int_ge(n_idx, 20);
    for (int i = 0; i < n_idx; i++) {
        write_file(images, &idx_cases[i].images);
        write_file(labels, &idx_cases[i].labels);
        tg_image_set set;
        tg_status s = tg_idx_load(images, labels, &set);
        char want[512];
        snprintf(want, sizeof want, idx_cases[i].message, images, labels);
        assert_message("IDX", idx_cases[i].name, &s, want);
        ck_assert_ptr_null(set.pixels);
    }
    tg_scratch_close(&d);
}
END_TEST

START_TEST(csv_corpus_messages)
{
    tg_scratch d;
    tg_scratch_open(&d);
    const char *path = tg_scratch_path(&d, "bad.csv");
    for (size_t i = 0; i < sizeof csv_cases / sizeof csv_cases[0]; i++) {
        bytes f = {.n = 0};
        put_str(&f, csv_cases[i].text);
        write_file(path, &f);
        tg_status s = read_csv(path);
        char want[512];
        snprintf(want, sizeof want, csv_cases[i].message, path);
        assert_message("CSV", csv_cases[i].name, &s, want);
    }
    for (size_t i = 0; i < sizeof csv_nul_cases / sizeof csv_nul_cases[0]; i++) {
        bytes f = {.n = 0};
        put(&f, csv_nul_cases[i].text, csv_nul_cases[i].len);
        write_file(path, &f);
        tg_status s = read_csv(path);
        char want[512];
        snprintf(want, sizeof want, csv_nul_cases[i].message, path);
        assert_message("CSV", csv_nul_cases[i].name, &s, want);
    }
    tg_scratch_close(&d);
}
END_TEST

START_TEST(checkpoint_corpus_messages)
{
    tg_scratch d;
    tg_scratch_open(&d);
    const char *path = tg_scratch_path(&d, "bad.ckpt");
    ckpt_corpus();
    /* The corpus is built right: its valid file loads. */
    bytes ok = ckpt_file("dense/kernel.npy", KERNEL_DICT, 6, '0', 0);
    write_file(path, &ok);
    tg_model *m = ckpt_model();
    tg_status s = tg_model_load(m, path);
    ck_assert_msg(tg_is_ok(&s), "%s", s.msg);
    for (int k = 0; k < 6; k++)
        ck_assert(m->params[0]->data[k] == (tg_real)k);
    /* and so does one with its description, and one saved by a task */
    const bytes kernel = npy_file(KERNEL_DICT, 6);
    const bytes described = ckpt_described(CKPT_DESCRIPTION, &kernel);
    write_file(path, &described);
    s = tg_model_load(m, path);
    ck_assert_msg(tg_is_ok(&s), "%s", s.msg);
    const bytes tasked = ckpt_described("tapegrad model\ntask timeseries\n"
                                        "Dense dense kernel (3, 2) bias (2,)\n",
                                        &kernel);
    write_file(path, &tasked);
    s = tg_model_load_task(m, path, "timeseries");
    ck_assert_msg(tg_is_ok(&s), "%s", s.msg);
    s = tg_model_load_task(m, path, "regression");
    char want_task[700];
    snprintf(want_task, sizeof want_task,
             "checkpoint %s: saved by the task 'timeseries', not by 'regression'", path);
    ck_assert_str_eq(s.msg, want_task);
    tg_model_free(m);
    for (int i = 0; i < n_ckpt; i++) {
        write_file(path, &ckpt_cases[i].file);
        s = read_ckpt(path);
        char want[512];
        snprintf(want, sizeof want, ckpt_cases[i].message, path);
        assert_message("checkpoint", ckpt_cases[i].name, &s, want);
    }
    tg_scratch_close(&d);
}
END_TEST

/* Sanitizers reserve terabytes of address space, and valgrind has its own
 * view of it: there the limit cannot be set, the messages are still checked. */
static int can_limit_address_space(void)
{
#if defined(__SANITIZE_ADDRESS__)
    return 0;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
    return 0;
#endif
#endif
    return !RUNNING_ON_VALGRIND;
}

/* In a child limited to 1 GB of address space, each huge-header file is
 * refused with its message (the child exits 0) rather than attempted. */
START_TEST(huge_headers_are_refused_before_allocation)
{
    if (!can_limit_address_space())
        return;
    tg_scratch d;
    tg_scratch_open(&d);
    const char *npy = tg_scratch_path(&d, "huge.npy");
    const char *images = tg_scratch_path(&d, "huge-images");
    const char *labels = tg_scratch_path(&d, "labels");
    const char *ckpt = tg_scratch_path(&d, "huge.ckpt");
    npy_corpus();
    idx_corpus();
    ckpt_corpus();
    const bytes *npy_huge = NULL, *idx_huge = NULL, *ckpt_huge = NULL;
    for (int i = 0; i < n_npy; i++)
        if (!strcmp(npy_cases[i].name, "2^40 elements"))
            npy_huge = &npy_cases[i].file;
    for (int i = 0; i < n_idx; i++)
        if (!strcmp(idx_cases[i].name, "2^40 pixels")) {
            idx_huge = &idx_cases[i].images;
            write_file(labels, &idx_cases[i].labels);
        }
    for (int i = 0; i < n_ckpt; i++)
        if (!strcmp(ckpt_cases[i].name, "2^40 elements"))
            ckpt_huge = &ckpt_cases[i].file;
    ck_assert(npy_huge && idx_huge && ckpt_huge);
    write_file(npy, npy_huge);
    write_file(images, idx_huge);
    write_file(ckpt, ckpt_huge);
    fflush(NULL);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        const struct rlimit one_gb = {1u << 30, 1u << 30};
        if (setrlimit(RLIMIT_AS, &one_gb) != 0)
            _exit(10);
        tg_status s = read_npy(npy);
        if (tg_is_ok(&s) || !strstr(s.msg, "needs 8796093022208 bytes of data, found 48"))
            _exit(11);
        tg_image_set set;
        s = tg_idx_load(images, labels, &set);
        if (tg_is_ok(&s) || !strstr(s.msg, "expected 1099511627776 bytes of images data"))
            _exit(12);
        s = read_ckpt(ckpt);
        if (tg_is_ok(&s) || !strstr(s.msg, "needs 8796093022208 bytes of data, found 48"))
            _exit(13);
        _exit(0);
    }
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
                  "the limited child failed (status %d: 11 npy, 12 IDX, 13 checkpoint)", status);
    tg_scratch_close(&d);
}
END_TEST

Suite *tg_test_suite(void)
{
    Suite *s = suite_create("malformed");
    TCase *tc = tcase_create("corpus");
    tcase_add_test(tc, npy_corpus_messages);
    tcase_add_test(tc, idx_corpus_messages);
    tcase_add_test(tc, csv_corpus_messages);
    tcase_add_test(tc, checkpoint_corpus_messages);
    tcase_add_test(tc, huge_headers_are_refused_before_allocation);
    suite_add_tcase(s, tc);
    return s;
}
