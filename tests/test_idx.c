/* The IDX reader on small files written here, plain and gzip: values,
 * batches, and every malformed case with the file and byte offset named. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "tests/scratch.h"
#include "tests/support.h"
#include "datasets/datasets.h"

/* Three 2 x 3 images; pixel k of image i is 40 i + k (so 0 .. 85). */
enum { N_IMG = 3, ROWS = 2, COLS = 3 };
/* Their labels 2, 0, 1. */
static const uint8_t labels3[] = {0, 0, 0x08, 1, 0, 0, 0, N_IMG, 2, 0, 1};

static size_t images_file(uint8_t *buf)
{
    const uint8_t head[] = {0, 0, 0x08, 3, 0, 0, 0, N_IMG, 0, 0, 0, ROWS, 0, 0, 0, COLS};
    memcpy(buf, head, sizeof head);
    for (int i = 0; i < N_IMG; i++)
        for (int k = 0; k < ROWS * COLS; k++)
            buf[sizeof head + (size_t)(i * ROWS * COLS + k)] = (uint8_t)(40 * i + k);
    return sizeof head + N_IMG * ROWS * COLS;
}

static void check_loaded(const tg_image_set *set)
{
    ck_assert_uint_eq(set->count, N_IMG);
    ck_assert_int_eq(set->rows, ROWS);
    ck_assert_int_eq(set->cols, COLS);
    ck_assert_int_eq(set->classes, 3);
    ck_assert_int_eq(set->labels[0], 2);
    ck_assert_int_eq(set->labels[1], 0);
    ck_assert_int_eq(set->labels[2], 1);
    ck_assert_int_eq(set->pixels[0], 0);
    ck_assert_int_eq(set->pixels[ROWS * COLS + 4], 44);
    ck_assert_int_eq(set->pixels[2 * ROWS * COLS + 5], 85);
}

static void load_ok(int gz)
{
    tg_scratch s;
    tg_scratch_open(&s);
    uint8_t img[64];
    size_t n = images_file(img);
    const char *ip = tg_scratch_write(&s, gz ? "img.gz" : "img", img, n, gz);
    const char *lp = tg_scratch_write(&s, gz ? "lab.gz" : "lab", labels3, sizeof labels3, gz);
    tg_image_set set;
    tg_status st = tg_idx_load(ip, lp, &set);
    ck_assert_msg(tg_is_ok(&st), "%s", st.msg);
    check_loaded(&set);
    tg_image_set_free(&set);
    tg_scratch_close(&s);
}

START_TEST(test_idx_plain) { load_ok(0); }
END_TEST

START_TEST(test_idx_gzip) { load_ok(1); }
END_TEST

/* A batch: pixels / 255 in (n, rows, cols, 1) and one-hot labels. */
START_TEST(test_idx_batch)
{
    tg_scratch s;
    tg_scratch_open(&s);
    uint8_t img[64];
    size_t n = images_file(img);
    const char *ip = tg_scratch_write(&s, "img", img, n, 0);
    const char *lp = tg_scratch_write(&s, "lab", labels3, sizeof labels3, 0);
    tg_image_set set;
    tg_status st = tg_idx_load(ip, lp, &set);
    ck_assert(tg_is_ok(&st));
    const size_t pick[] = {2, 0};
    tg_tensor *x = tg_tensor_new(TG_SHAPE(2, ROWS, COLS, 1));
    tg_tensor *y = tg_tensor_new(TG_SHAPE(2, 3));
    tg_image_set_batch(&set, pick, 2, x, y);
    tg_ck_assert_close(TG_AT(x, 0, 0, 0, 0), 80.0 / 255, TG_TEST_TIGHT);
    tg_ck_assert_close(TG_AT(x, 0, 1, 2, 0), 85.0 / 255, TG_TEST_TIGHT);
    tg_ck_assert_close(TG_AT(x, 1, 1, 0, 0), 3.0 / 255, TG_TEST_TIGHT);
    const double want_y[] = {0, 1, 0, 0, 0, 1}; /* labels 1 and 2 */
    for (int k = 0; k < 6; k++)
        tg_ck_assert_close(y->data[k], want_y[k], 0);
    tg_tensor_free(x);
    tg_tensor_free(y);
    tg_image_set_free(&set);
    tg_scratch_close(&s);
}
END_TEST

/* Loads a broken images file (with good labels) and checks the message. */
static void expect_images_error(const uint8_t *bytes, size_t n, int gz, const char *piece)
{
    tg_scratch s;
    tg_scratch_open(&s);
    const char *ip = tg_scratch_write(&s, "broken-images", bytes, n, gz);
    const char *lp = tg_scratch_write(&s, "lab", labels3, sizeof labels3, 0);
    tg_image_set set;
    tg_status st = tg_idx_load(ip, lp, &set);
    tg_ck_assert_error(st, ip, piece);
    ck_assert_ptr_null(set.pixels);
    tg_scratch_close(&s);
}

START_TEST(test_idx_missing_file)
{
    tg_scratch s;
    tg_scratch_open(&s);
    const char *ip = tg_scratch_path(&s, "no-such-file");
    const char *lp = tg_scratch_write(&s, "lab", labels3, sizeof labels3, 0);
    tg_image_set set;
    tg_status st = tg_idx_load(ip, lp, &set);
    tg_ck_assert_error(st, ip, "cannot open");
    tg_scratch_close(&s);
}
END_TEST

START_TEST(test_idx_bad_magic)
{
    uint8_t img[64];
    size_t n = images_file(img);
    img[1] = 0x42;
    expect_images_error(img, n, 0, "bad magic 0x0042 at byte 0");
}
END_TEST

START_TEST(test_idx_bad_type)
{
    uint8_t img[64];
    size_t n = images_file(img);
    img[2] = 0x0D; /* float */
    expect_images_error(img, n, 0, "type code 0x0d at byte 2");
}
END_TEST

START_TEST(test_idx_bad_ndim)
{
    uint8_t img[64];
    size_t n = images_file(img);
    img[3] = 2;
    expect_images_error(img, n, 0, "2 dimensions at byte 3, expected 3");
}
END_TEST

/* Cut at every byte: always an error naming where the data stopped. */
START_TEST(test_idx_truncated_everywhere)
{
    uint8_t img[64];
    size_t n = images_file(img);
    for (size_t cut = 0; cut < n; cut++)
        for (int gz = 0; gz <= 1; gz++) {
            char piece[40];
            snprintf(piece, sizeof piece, "truncated at byte %zu", cut);
            expect_images_error(img, cut, gz, piece);
        }
}
END_TEST

/* A gzip stream cut short (the compressed bytes themselves). */
START_TEST(test_idx_truncated_gzip_stream)
{
    tg_scratch s;
    tg_scratch_open(&s);
    uint8_t img[64];
    size_t n = images_file(img);
    const char *full = tg_scratch_write(&s, "img.gz", img, n, 1);
    FILE *f = fopen(full, "rb");
    uint8_t gz[256];
    size_t gn = fread(gz, 1, sizeof gz, f);
    fclose(f);
    const char *ip = tg_scratch_write(&s, "cut.gz", gz, gn - 10, 0);
    const char *lp = tg_scratch_write(&s, "lab", labels3, sizeof labels3, 0);
    tg_image_set set;
    tg_status st = tg_idx_load(ip, lp, &set);
    tg_ck_assert_error(st, ip, "truncated at byte");
    tg_scratch_close(&s);
}
END_TEST

START_TEST(test_idx_count_mismatch)
{
    tg_scratch s;
    tg_scratch_open(&s);
    uint8_t img[64];
    size_t n = images_file(img);
    const uint8_t two_labels[] = {0, 0, 0x08, 1, 0, 0, 0, 2, 1, 1};
    const char *ip = tg_scratch_write(&s, "img", img, n, 0);
    const char *lp = tg_scratch_write(&s, "lab2", two_labels, sizeof two_labels, 0);
    tg_image_set set;
    tg_status st = tg_idx_load(ip, lp, &set);
    tg_ck_assert_error(st, lp, ip, "2 labels", "3 images");
    tg_scratch_close(&s);
}
END_TEST

/* 2^32-1 x 2^32-1 x 2^32-1 bytes: refused before any allocation. */
START_TEST(test_idx_overflow)
{
    const uint8_t head[] = {0, 0, 8, 3, 0xff, 0xff, 0xff, 0xff, 0x7f, 0xff, 0xff, 0xff,
                            0x7f, 0xff, 0xff, 0xff, 1, 2, 3};
    expect_images_error(head, sizeof head, 0, "overflow");
}
END_TEST

/* A huge but representable size on a tiny file: "truncated", not out of memory. */
START_TEST(test_idx_lying_size)
{
    const uint8_t head[] = {0, 0, 8, 3, 0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 28, 0, 0, 0, 28, 1, 2};
    expect_images_error(head, sizeof head, 1, "truncated at byte 18");
}
END_TEST

START_TEST(test_idx_zero_dimension)
{
    uint8_t img[64];
    size_t n = images_file(img);
    img[11] = 0; /* rows = 0 */
    expect_images_error(img, n, 0, "dimension 1 is 0 at byte 8");
}
END_TEST

START_TEST(test_idx_trailing_bytes)
{
    uint8_t img[64];
    size_t n = images_file(img);
    img[n] = 7;
    expect_images_error(img, n + 1, 0, "after the data at byte 34");
}
END_TEST

START_TEST(test_idx_bad_labels_file)
{
    tg_scratch s;
    tg_scratch_open(&s);
    uint8_t img[64];
    size_t n = images_file(img);
    const uint8_t cut[] = {0, 0, 0x08, 1, 0, 0, 0, 3, 1};
    const char *ip = tg_scratch_write(&s, "img", img, n, 0);
    const char *lp = tg_scratch_write(&s, "lab", cut, sizeof cut, 0);
    tg_image_set set;
    tg_status st = tg_idx_load(ip, lp, &set);
    tg_ck_assert_error(st, lp, "truncated at byte 9", "labels");
    tg_scratch_close(&s);
}
END_TEST

/* ---- large gzip streams: the trailer and what comes after ---- */

enum { BIG_COUNT = 2000, BIG_SIDE = 28 };

/* An images file of BIG_COUNT noisy 28 x 28 images (1.5 MB, most of it
 * incompressible) and its gzip stream in *gz (heap). */
static size_t big_gzip(unsigned char **gz, size_t *raw_len)
{
    const size_t n = 16 + (size_t)BIG_COUNT * BIG_SIDE * BIG_SIDE;
    unsigned char *raw = malloc(n);
    const unsigned char head[] = {0, 0, 8, 3, 0, 0, BIG_COUNT >> 8, BIG_COUNT & 255,
                                  0, 0, 0, BIG_SIDE, 0, 0, 0, BIG_SIDE};
    memcpy(raw, head, sizeof head);
    uint32_t x = 12345;
    for (size_t i = sizeof head; i < n; i++) {
        x = x * 1664525u + 1013904223u;
        raw[i] = (unsigned char)(x >> 24);
    }
    z_stream z;
    memset(&z, 0, sizeof z);
    ck_assert_int_eq(deflateInit2(&z, 1, Z_DEFLATED, 16 + 15, 8, Z_DEFAULT_STRATEGY), Z_OK);
    const size_t cap = deflateBound(&z, (uLong)n) + 64;
    *gz = malloc(cap);
    z.next_in = raw;
    z.avail_in = (uInt)n;
    z.next_out = *gz;
    z.avail_out = (uInt)cap;
    ck_assert_int_eq(deflate(&z, Z_FINISH), Z_STREAM_END);
    const size_t len = z.total_out;
    deflateEnd(&z);
    free(raw);
    *raw_len = n;
    return len;
}

static const uint8_t big_labels_head[] = {0, 0, 8, 1, 0, 0, BIG_COUNT >> 8, BIG_COUNT & 255};

static tg_status load_big(tg_scratch *s, const unsigned char *gz, size_t len, const char **ip)
{
    static uint8_t labels[sizeof big_labels_head + BIG_COUNT];
    memcpy(labels, big_labels_head, sizeof big_labels_head);
    *ip = tg_scratch_write(s, "big-images.gz", gz, len, 0);
    const char *lp = tg_scratch_write(s, "big-labels", labels, sizeof labels, 0);
    tg_image_set set;
    tg_status st = tg_idx_load(*ip, lp, &set);
    tg_image_set_free(&set);
    s->n -= 2; /* the next call writes the same two names again */
    return st;
}

/* A large stream cut by 1 to 8 bytes (in its CRC32 and ISIZE trailer)
 * loaded "OK": each cut is refused at the end of the data. */
START_TEST(test_idx_large_gzip_cut_in_the_trailer)
{
    tg_scratch s;
    tg_scratch_open(&s);
    unsigned char *gz;
    size_t raw;
    const size_t len = big_gzip(&gz, &raw);
    const char *ip;
    tg_status st = load_big(&s, gz, len, &ip);
    ck_assert_msg(tg_is_ok(&st), "%s", st.msg);
    for (size_t cut = 1; cut <= 8; cut++) {
        st = load_big(&s, gz, len - cut, &ip);
        char want[700];
        snprintf(want, sizeof want, "%s: truncated at byte %zu: the gzip stream ends early", ip,
                 raw);
        ck_assert_str_eq(st.msg, want);
    }
    free(gz);
    tg_scratch_close(&s);
}
END_TEST

/* Bytes after the member were ignored (and a second member read as more
 * data by gzread): both refused, at their offset in the file. A wrong CRC
 * or length in a large stream is refused too. */
START_TEST(test_idx_large_gzip_trailing_garbage_and_bad_trailer)
{
    tg_scratch s;
    tg_scratch_open(&s);
    unsigned char *gz;
    size_t raw;
    const size_t len = big_gzip(&gz, &raw);
    unsigned char *more = malloc(2 * len);
    memcpy(more, gz, len);
    char want[700];
    const char *ip;
    static const size_t garbage[] = {1, 100, 70000};
    for (size_t i = 0; i < 3; i++) {
        memset(more + len, 'x', garbage[i]);
        tg_status st = load_big(&s, more, len + garbage[i], &ip);
        snprintf(want, sizeof want,
                 "%s: unexpected bytes after the gzip stream at byte %zu of the file", ip, len);
        ck_assert_str_eq(st.msg, want);
    }
    memcpy(more + len, gz, len); /* the same member twice */
    tg_status st = load_big(&s, more, 2 * len, &ip);
    ck_assert_str_eq(st.msg, want);
    /* Found at the trailer, so after all but the last buffer's worth of
     * data was handed out (the exact byte is where inflate's buffers
     * stand): the offset lies in the stream's last 64 KiB. */
    static const struct {
        size_t at;
        const char *why;
    } damage[] = {{8, "incorrect data check"}, {1, "incorrect length check"}};
    for (size_t i = 0; i < 2; i++) {
        memcpy(more, gz, len);
        more[len - damage[i].at] ^= 1; /* the CRC32, the length */
        st = load_big(&s, more, len, &ip);
        snprintf(want, sizeof want, "%s: read error at byte ", ip);
        size_t at = 0;
        char why[64] = "";
        ck_assert_msg(!strncmp(st.msg, want, strlen(want)) &&
                          sscanf(st.msg + strlen(want), "%zu: %63[a-z ]", &at, why) == 2,
                      "%s", st.msg);
        ck_assert_str_eq(why, damage[i].why);
        ck_assert_msg(at <= raw && at + 65536 > raw, "at byte %zu of %zu", at, raw);
    }
    free(more);
    free(gz);
    tg_scratch_close(&s);
}
END_TEST

/* A set of 0 images loaded, and a model then stopped on it with an
 * internal op's name: refused by its file. */
START_TEST(test_idx_zero_images)
{
    const uint8_t head[] = {0, 0, 8, 3, 0, 0, 0, 0, 0, 0, 0, 28, 0, 0, 0, 28};
    expect_images_error(head, sizeof head, 0, "the count at byte 4 is 0: no images");
    expect_images_error(head, sizeof head, 1, "the count at byte 4 is 0: no images");
}
END_TEST

Suite *tg_test_suite(void)
{
    Suite *s = suite_create("idx");
    TCase *tc = tcase_create("idx");
    tcase_add_test(tc, test_idx_plain);
    tcase_add_test(tc, test_idx_gzip);
    tcase_add_test(tc, test_idx_batch);
    tcase_add_test(tc, test_idx_missing_file);
    tcase_add_test(tc, test_idx_bad_magic);
    tcase_add_test(tc, test_idx_bad_type);
    tcase_add_test(tc, test_idx_bad_ndim);
    tcase_add_test(tc, test_idx_truncated_everywhere);
    tcase_add_test(tc, test_idx_truncated_gzip_stream);
    tcase_add_test(tc, test_idx_count_mismatch);
    tcase_add_test(tc, test_idx_overflow);
    tcase_add_test(tc, test_idx_lying_size);
    tcase_add_test(tc, test_idx_zero_dimension);
    tcase_add_test(tc, test_idx_trailing_bytes);
    tcase_add_test(tc, test_idx_bad_labels_file);
    tcase_add_test(tc, test_idx_large_gzip_cut_in_the_trailer);
    tcase_add_test(tc, test_idx_large_gzip_trailing_garbage_and_bad_trailer);
    tcase_add_test(tc, test_idx_zero_images);
    suite_add_tcase(s, tc);
    return s;
}
