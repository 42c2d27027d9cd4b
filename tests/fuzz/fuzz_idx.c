/* libFuzzer target: an IDX images file and labels file, plain or gzip.
 *
 *   byte 0     flags: bit 0 set = gzip both files here first (the fuzzer
 *              then explores IDX headers inside valid gzip streams; without
 *              it zlib reads the bytes as they are, plain or broken gzip)
 *   byte 1-2   n, little-endian: the images file is the next n bytes
 *   the rest   the labels file */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "tests/fuzz/fuzz_support.h"
#include "datasets/datasets.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Reading every value into it keeps the reads from being optimised away. */
static volatile unsigned sink;

/* A file with the bytes, gzipped when asked. */
static int open_part(const uint8_t *p, size_t n, int gzip, char *path, size_t cap)
{
    if (!gzip)
        return tg_fuzz_file(p, n, path, cap);
    uLongf len = compressBound(n) + 32;
    unsigned char *z = malloc(len);
    z_stream s;
    memset(&s, 0, sizeof s);
    if (!z || deflateInit2(&s, 1, Z_DEFLATED, 16 + 15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        abort();
    s.next_in = (unsigned char *)p;
    s.avail_in = (uInt)n;
    s.next_out = z;
    s.avail_out = (uInt)len;
    if (deflate(&s, Z_FINISH) != Z_STREAM_END)
        abort();
    int fd = tg_fuzz_file(z, s.total_out, path, cap);
    deflateEnd(&s);
    free(z);
    return fd;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3)
        return 0;
    const int gzip = data[0] & 1;
    size_t n = (size_t)data[1] | (size_t)data[2] << 8;
    data += 3;
    size -= 3;
    if (n > size)
        n = size;
    char images[64], labels[64];
    int fi = open_part(data, n, gzip, images, sizeof images);
    int fl = open_part(data + n, size - n, gzip, labels, sizeof labels);
    tg_image_set set;
    tg_status s = tg_idx_load(images, labels, &set);
    if (tg_is_ok(&s)) {
        for (size_t i = 0; i < set.count; i++)
            sink += set.labels[i] < set.classes;
        for (size_t k = 0; k < set.count * (size_t)set.rows * (size_t)set.cols; k++)
            sink += set.pixels[k];
        tg_image_set_free(&set);
    }
    close(fi);
    close(fl);
    return 0;
}
