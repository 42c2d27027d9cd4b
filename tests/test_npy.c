/* .npy load and save: round trips, files written byte by byte here (so the
 * expected values are known without NumPy), every malformed case refused
 * with its own message, and the atomic save. */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tensor/tensor.h"
#include "tests/scratch.h"
#include "tests/support.h"

/* ---- hand-made files ---- */

/* magic, version major.0, header_len (2 bytes for 1.0, 4 for 2.0/3.0),
 * the dict text as given, then the data bytes. Returns the length. */
static size_t make_npy(unsigned char *buf, int major, const char *dict, const unsigned char *data,
                       size_t data_len)
{
    static const unsigned char magic[6] = {0x93, 'N', 'U', 'M', 'P', 'Y'};
    size_t n = 0, dict_len = strlen(dict);
    memcpy(buf, magic, 6);
    n = 6;
    buf[n++] = (unsigned char)major;
    buf[n++] = 0;
    const int len_bytes = major == 1 ? 2 : 4;
    for (int i = 0; i < len_bytes; i++)
        buf[n++] = (unsigned char)(dict_len >> (8 * i));
    memcpy(buf + n, dict, dict_len);
    n += dict_len;
    if (data_len)
        memcpy(buf + n, data, data_len);
    return n + data_len;
}

/* 1.5, -2.0, 0.25, 3.0 as little-endian IEEE doubles and floats: exact in
 * both builds. 1.5 = 0x3FF8 0000 0000 0000, -2 = 0xC000..., 0.25 = 0x3FD0...,
 * 3 = 0x4008...; as floats 0x3FC00000, 0xC0000000, 0x3E800000, 0x40400000. */
static const unsigned char f8_values[32] = {
    0, 0, 0, 0, 0, 0, 0xf8, 0x3f, 0, 0, 0, 0, 0, 0, 0x00, 0xc0,
    0, 0, 0, 0, 0, 0, 0xd0, 0x3f, 0, 0, 0, 0, 0, 0, 0x08, 0x40,
};
static const unsigned char f4_values[16] = {
    0, 0, 0xc0, 0x3f, 0, 0, 0x00, 0xc0, 0, 0, 0x80, 0x3e, 0, 0, 0x40, 0x40,
};
static const tg_real known[4] = {1.5, -2.0, 0.25, 3.0};

#define DICT(descr, fortran, shape)                                                               \
    "{'descr': '" descr "', 'fortran_order': " fortran ", 'shape': " shape ", }\n"

static void assert_known(tg_tensor *t, tg_shape shape)
{
    ck_assert_msg(tg_shape_equal(t->shape, shape), "loaded shape differs");
    for (int k = 0; k < 4; k++)
        ck_assert_msg(t->data[k] == known[k], "element %d is %g, expected %g", k,
                      (double)t->data[k], (double)known[k]);
}

static tg_tensor *decode_ok(const unsigned char *buf, size_t len)
{
    tg_tensor *t = NULL;
    tg_status st = tg_npy_decode(buf, len, "test.npy", &t);
    ck_assert_msg(tg_is_ok(&st), "decode failed: %s", st.msg);
    ck_assert_ptr_nonnull(t);
    return t;
}

/* Refused, with `expect` in the message, the file named, *out untouched. */
static void assert_refused(const unsigned char *buf, size_t len, const char *expect)
{
    static tg_tensor untouched;
    tg_tensor *sentinel = &untouched, *t = sentinel;
    tg_status st = tg_npy_decode(buf, len, "bad.npy", &t);
    ck_assert_msg(!tg_is_ok(&st), "accepted a file that should say \"%s\"", expect);
    ck_assert_msg(strstr(st.msg, expect) != NULL, "message \"%s\" lacks \"%s\"", st.msg, expect);
    ck_assert_msg(strncmp(st.msg, "bad.npy: ", 9) == 0, "message \"%s\" does not name the file",
                  st.msg);
    ck_assert_msg(strchr(st.msg, '\n') == NULL, "message \"%s\" is not one line", st.msg);
    ck_assert_ptr_eq(t, sentinel);
}

static void assert_dict_refused(const char *dict, size_t data_len, const char *expect)
{
    unsigned char buf[512], zeros[64] = {0};
    ck_assert_uint_le(data_len, sizeof zeros);
    assert_refused(buf, make_npy(buf, 1, dict, zeros, data_len), expect);
}

/* ---- round trips ---- */

static int same_bits(const tg_tensor *a, const tg_tensor *b)
{
    return tg_shape_equal(a->shape, b->shape) && a->size == b->size &&
           memcmp(a->data, b->data, a->size * sizeof(tg_real)) == 0;
}

START_TEST(test_round_trip_shapes)
{
    const tg_shape shapes[] = {TG_SCALAR, TG_SHAPE(3), TG_SHAPE(2, 3), TG_SHAPE(2, 3, 4),
                               TG_SHAPE(1, 2, 3, 4), TG_SHAPE(0, 3)};
    const char *names[] = {"s0.npy", "s1.npy", "s2.npy", "s3.npy", "s4.npy", "s5.npy"};
    const char *tmps[] = {"s0.npy.tmp", "s1.npy.tmp", "s2.npy.tmp",
                          "s3.npy.tmp", "s4.npy.tmp", "s5.npy.tmp"};
    const int n = (int)(sizeof shapes / sizeof shapes[0]);
    tg_scratch sc;
    tg_scratch_open(&sc);
    tg_rng rng;
    tg_rng_seed(&rng, 7);
    for (int i = 0; i < n; i++) {
        tg_tensor *t = tg_tensor_normal(shapes[i], &rng, 0, 1e3);
        /* NaN and infinities are data: they travel like any number. */
        if (t->size >= 3) {
            t->data[0] = (tg_real)NAN;
            t->data[1] = (tg_real)INFINITY;
            t->data[2] = -(tg_real)INFINITY;
        }
        const char *path = tg_scratch_path(&sc, names[i]);
        tg_status st = tg_npy_save(path, t);
        ck_assert_msg(tg_is_ok(&st), "%s", st.msg);
        ck_assert_int_eq(access(tg_scratch_path(&sc, tmps[i]), F_OK), -1);
        tg_tensor *back = NULL;
        st = tg_npy_load(path, &back);
        ck_assert_msg(tg_is_ok(&st), "%s", st.msg);
        ck_assert_msg(same_bits(t, back), "round trip of %s is not bit-exact", names[i]);
        tg_tensor_free(t);
        tg_tensor_free(back);
    }
    tg_scratch_close(&sc);
}
END_TEST

START_TEST(test_encode_layout)
{
    /* What NumPy writes: version 1.0, the header padded with spaces to a
     * multiple of 64 bytes and ended by '\n', this build's dtype. */
    const tg_shape shapes[] = {TG_SCALAR, TG_SHAPE(3), TG_SHAPE(10, 100, 7, 9)};
    for (int i = 0; i < 3; i++) {
        tg_tensor *t = tg_tensor_zeros(shapes[i]);
        size_t len;
        unsigned char *buf = tg_npy_encode(t, &len);
        ck_assert_int_eq(memcmp(buf, "\x93NUMPY\x01\x00", 8), 0);
        size_t header_len = (size_t)buf[8] | (size_t)buf[9] << 8;
        ck_assert_uint_eq((10 + header_len) % 64, 0);
        ck_assert_uint_eq(len, 10 + header_len + t->size * sizeof(tg_real));
        ck_assert_int_eq(buf[10 + header_len - 1], '\n');
        char header[256];
        ck_assert_uint_lt(header_len, sizeof header);
        memcpy(header, buf + 10, header_len);
        header[header_len] = '\0';
        ck_assert_ptr_nonnull(strstr(header, sizeof(tg_real) == 8 ? "'<f8'" : "'<f4'"));
        ck_assert_ptr_nonnull(strstr(header, "'fortran_order': False"));
        const char *shape_text[] = {"'shape': ()", "'shape': (3,)", "'shape': (10, 100, 7, 9)"};
        ck_assert_msg(strstr(header, shape_text[i]) != NULL, "header %s", header);
        free(buf);
        tg_tensor_free(t);
    }
}
END_TEST

/* ---- files written by hand ---- */

START_TEST(test_hand_written_v1_f8)
{
    unsigned char buf[256];
    size_t len = make_npy(buf, 1, DICT("<f8", "False", "(2, 2)"), f8_values, 32);
    tg_tensor *t = decode_ok(buf, len);
    assert_known(t, TG_SHAPE(2, 2));
    tg_tensor_free(t);
}
END_TEST

START_TEST(test_hand_written_v2_and_v3)
{
    unsigned char buf[256];
    size_t len = make_npy(buf, 2, DICT("<f8", "False", "(4,)"), f8_values, 32);
    tg_tensor *t = decode_ok(buf, len);
    assert_known(t, TG_SHAPE(4));
    tg_tensor_free(t);
    len = make_npy(buf, 3, DICT("<f8", "False", "(1, 4)"), f8_values, 32);
    t = decode_ok(buf, len);
    assert_known(t, TG_SHAPE(1, 4));
    tg_tensor_free(t);
}
END_TEST

START_TEST(test_hand_written_f4)
{
    unsigned char buf[256];
    size_t len = make_npy(buf, 1, DICT("<f4", "False", "(2, 1, 2)"), f4_values, 16);
    tg_tensor *t = decode_ok(buf, len);
    assert_known(t, TG_SHAPE(2, 1, 2));
    tg_tensor_free(t);
}
END_TEST

START_TEST(test_header_spellings)
{
    /* Keys in any order, double quotes, no trailing comma, no padding,
     * Python 2's "4L", a trailing comma inside the shape. */
    const char *dicts[] = {
        "{'shape': (4,), 'fortran_order': False, 'descr': '<f8'}",
        "{\"descr\": \"<f8\", \"fortran_order\": False, \"shape\": (4,)}",
        "{'descr':'<f8','fortran_order':False,'shape':(4L,)}   \n",
        "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2,), }",
    };
    const tg_shape shapes[] = {TG_SHAPE(4), TG_SHAPE(4), TG_SHAPE(4), TG_SHAPE(2, 2)};
    for (int i = 0; i < 4; i++) {
        unsigned char buf[256];
        tg_tensor *t = decode_ok(buf, make_npy(buf, 1, dicts[i], f8_values, 32));
        assert_known(t, shapes[i]);
        tg_tensor_free(t);
    }
}
END_TEST

/* ---- malformed files ---- */

START_TEST(test_missing_file)
{
    tg_tensor *t = NULL;
    tg_status st = tg_npy_load("no-such-dir/no-such-file.npy", &t);
    ck_assert(!tg_is_ok(&st));
    ck_assert_msg(strstr(st.msg, "no-such-dir/no-such-file.npy: cannot open") != NULL, "%s",
                  st.msg);
    ck_assert_ptr_null(t);
}
END_TEST

START_TEST(test_truncated_at_every_byte)
{
    unsigned char buf[256];
    size_t len = make_npy(buf, 1, DICT("<f8", "False", "(2, 2)"), f8_values, 32);
    for (size_t cut = 0; cut < len; cut++)
        assert_refused(buf, cut, "truncated");
    len = make_npy(buf, 2, DICT("<f4", "False", "(4,)"), f4_values, 16);
    for (size_t cut = 0; cut < len; cut++)
        assert_refused(buf, cut, "truncated");
}
END_TEST

START_TEST(test_bad_magic_and_version)
{
    unsigned char buf[256];
    size_t len = make_npy(buf, 1, DICT("<f8", "False", "(4,)"), f8_values, 32);
    buf[1] = 'n';
    assert_refused(buf, len, "bad magic");
    assert_refused(buf, 3, "bad magic");
    buf[1] = 'N';
    const unsigned char versions[][2] = {{0, 0}, {4, 0}, {1, 1}, {2, 5}, {255, 255}};
    for (int i = 0; i < 5; i++) {
        buf[6] = versions[i][0];
        buf[7] = versions[i][1];
        assert_refused(buf, len, "unsupported .npy version");
    }
}
END_TEST

START_TEST(test_header_length_past_end)
{
    unsigned char buf[256];
    size_t len = make_npy(buf, 1, DICT("<f8", "False", "(4,)"), f8_values, 32);
    buf[8] = 0xff;
    buf[9] = 0xff;
    assert_refused(buf, len, "runs past the end");
    len = make_npy(buf, 2, DICT("<f8", "False", "(4,)"), f8_values, 32);
    memset(buf + 8, 0xff, 4);
    assert_refused(buf, len, "runs past the end");
}
END_TEST

START_TEST(test_unparseable_header)
{
    const char *dicts[] = {
        "hello",
        "",
        "{'descr': '<f8' 'fortran_order': False, 'shape': (4,)}",
        "{'descr': '<f8', 'fortran_order': False, 'shape': (4,)",
        "{'descr': '<f8, 'fortran_order': False, 'shape': (4,)}",
        "{'descr': '<f8', 'fortran_order': Maybe, 'shape': (4,)}",
        "{'descr': '<f8', 'fortran_order': False, 'shape': (4 4)}",
        "{'descr': '<f8', 'fortran_order': False, 'shape': [4]}",
        "{'descr': '<f8', 'fortran_order': False, 'shape': (x,)}",
        "{'descr': '<f8', 'fortran_order': False, 'shape': (4,)} junk",
        "{'descr': '<f8', 'fortran_order': False, 'shape': (4,), 'extra': 1}",
        "{'descr': '<f8', 'descr': '<f8', 'fortran_order': False, 'shape': (4,)}",
        "{'descr': '<f8', 'fortran_order': False, 'shape': (4,)}\0\0",
    };
    const char *expect[] = {
        "bad header", "bad header", "bad header", "bad header", "bad header",
        "bad header", "bad header", "bad header", "bad header", "text after the dict",
        "unexpected key 'extra'", "appears twice", "bad header",
    };
    for (int i = 0; i < (int)(sizeof dicts / sizeof dicts[0]); i++) {
        unsigned char buf[256];
        size_t len = make_npy(buf, 1, dicts[i], f8_values, 32);
        if (i == 12) {
            /* NUL bytes inside the header, counted in its length. */
            len = make_npy(buf, 1, dicts[i], NULL, 0);
            buf[8] = (unsigned char)(buf[8] + 2);
            buf[len] = buf[len + 1] = 0;
            memcpy(buf + len + 2, f8_values, 32);
            len += 2 + 32;
        }
        assert_refused(buf, len, expect[i]);
    }
}
END_TEST

START_TEST(test_missing_keys)
{
    assert_dict_refused("{'fortran_order': False, 'shape': (4,)}", 32, "lacks the key 'descr'");
    assert_dict_refused("{'descr': '<f8', 'shape': (4,)}", 32, "lacks the key 'fortran_order'");
    assert_dict_refused("{'descr': '<f8', 'fortran_order': False}", 32, "lacks the key 'shape'");
    assert_dict_refused("{}", 32, "lacks the key");
}
END_TEST

START_TEST(test_fortran_order)
{
    assert_dict_refused(DICT("<f8", "True", "(2, 2)"), 32, "Fortran-order");
}
END_TEST

START_TEST(test_other_dtypes)
{
    assert_dict_refused(DICT("<i4", "False", "(4,)"), 16, "dtype '<i4' is not supported");
    assert_dict_refused(DICT(">f8", "False", "(4,)"), 32, "dtype '>f8' is not supported");
    assert_dict_refused(DICT("|u1", "False", "(4,)"), 4, "dtype '|u1' is not supported");
    assert_dict_refused(DICT("<f2", "False", "(4,)"), 8, "dtype '<f2' is not supported");
    assert_dict_refused(DICT("<c16", "False", "(1,)"), 16, "dtype '<c16' is not supported");
    assert_dict_refused("{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (4,)}", 32,
                        "structured dtype");
}
END_TEST

START_TEST(test_bad_shapes)
{
    assert_dict_refused(DICT("<f8", "False", "(1, 1, 1, 1, 1, 4)"), 32, "6 dimensions (at most 5)");
    assert_dict_refused(DICT("<f8", "False", "(-3, 4)"), 32, "negative dimension -3");
    assert_dict_refused(DICT("<f8", "False", "(3000000000,)"), 32, "too large");
    assert_dict_refused(DICT("<f8", "False", "(99999999999999999999999,)"), 32, "too large");
    /* (2^31 - 1)^3 elements do not fit in size_t. */
    assert_dict_refused(DICT("<f8", "False", "(2147483647, 2147483647, 2147483647, 4)"), 32,
                        "element count overflows");
    /* 4 (2^31 - 1)^2 < 2^64 elements, but 8 bytes each do not fit. */
    assert_dict_refused(DICT("<f8", "False", "(2147483647, 2147483647, 4)"), 32,
                        "byte count overflows");
    /* 2^40 elements: refused from the sizes, never allocated. */
    assert_dict_refused(DICT("<f8", "False", "(1048576, 1048576)"), 32,
                        "needs 8796093022208 bytes of data, found 32");
    assert_dict_refused(DICT("<f8", "False", "(5,)"), 32, "needs 40 bytes of data, found 32");
}
END_TEST

START_TEST(test_trailing_garbage)
{
    assert_dict_refused(DICT("<f8", "False", "(3,)"), 32, "trailing garbage: 8 bytes");
    assert_dict_refused(DICT("<f8", "False", "()"), 9, "trailing garbage: 1 bytes");
}
END_TEST

/* Random damage to a valid file: whatever comes out, decode must answer
 * without reading out of bounds (ASan and valgrind watch this test). */
START_TEST(test_random_damage)
{
    unsigned char good[256], buf[256];
    size_t len = make_npy(good, 1, DICT("<f8", "False", "(2, 2)"), f8_values, 32);
    tg_rng rng;
    tg_rng_seed(&rng, 11);
    int refused = 0;
    for (int trial = 0; trial < 3000; trial++) {
        memcpy(buf, good, len);
        int flips = 1 + (int)tg_rng_below(&rng, 4);
        for (int f = 0; f < flips; f++)
            buf[tg_rng_below(&rng, len)] = (unsigned char)tg_rng_below(&rng, 256);
        size_t cut = len - (size_t)tg_rng_below(&rng, 3);
        /* A heap copy of exactly `cut` bytes, so any overread is caught. */
        unsigned char *exact = malloc(cut);
        memcpy(exact, buf, cut);
        tg_tensor *t = NULL;
        tg_status st = tg_npy_decode(exact, cut, "fuzz", &t);
        if (tg_is_ok(&st))
            tg_tensor_free(t);
        else
            refused++;
        free(exact);
    }
    ck_assert_int_gt(refused, 0);
}
END_TEST

/* ---- the atomic save ---- */

START_TEST(test_save_is_atomic)
{
    tg_scratch sc;
    tg_scratch_open(&sc);
    const char *path = tg_scratch_path(&sc, "w.npy");
    tg_rng rng;
    tg_rng_seed(&rng, 3);
    tg_tensor *big = tg_tensor_normal(TG_SHAPE(100, 10), &rng, 0, 1);
    tg_tensor *small = tg_tensor_normal(TG_SHAPE(2), &rng, 0, 1);
    tg_status st = tg_npy_save(path, big);
    ck_assert_msg(tg_is_ok(&st), "%s", st.msg);
    const char *tmp = tg_scratch_path(&sc, "w.npy.tmp");
    ck_assert_int_eq(access(tmp, F_OK), -1);
    /* Replacing a bigger file leaves exactly the new file, no tail of the old. */
    st = tg_npy_save(path, small);
    ck_assert_msg(tg_is_ok(&st), "%s", st.msg);
    ck_assert_int_eq(access(tmp, F_OK), -1);
    size_t expect_len;
    free(tg_npy_encode(small, &expect_len));
    struct stat sb;
    ck_assert_int_eq(stat(path, &sb), 0);
    ck_assert_uint_eq((size_t)sb.st_size, expect_len);
    tg_tensor *back = NULL;
    st = tg_npy_load(path, &back);
    ck_assert_msg(tg_is_ok(&st), "%s", st.msg);
    ck_assert(same_bits(small, back));
    tg_tensor_free(back);
    tg_tensor_free(big);
    tg_tensor_free(small);
    tg_scratch_close(&sc);
}
END_TEST

START_TEST(test_save_to_missing_dir)
{
    tg_tensor *t = tg_tensor_ones(TG_SHAPE(2));
    tg_status st = tg_npy_save("no-such-dir/w.npy", t);
    ck_assert(!tg_is_ok(&st));
    ck_assert_msg(strstr(st.msg, "no-such-dir/w.npy") != NULL, "%s", st.msg);
    tg_tensor_free(t);
}
END_TEST

Suite *tg_test_suite(void)
{
    Suite *s = suite_create("npy");
    TCase *tc = tcase_create("round trip");
    tcase_add_test(tc, test_round_trip_shapes);
    tcase_add_test(tc, test_encode_layout);
    suite_add_tcase(s, tc);
    tc = tcase_create("hand-written files");
    tcase_add_test(tc, test_hand_written_v1_f8);
    tcase_add_test(tc, test_hand_written_v2_and_v3);
    tcase_add_test(tc, test_hand_written_f4);
    tcase_add_test(tc, test_header_spellings);
    suite_add_tcase(s, tc);
    tc = tcase_create("malformed files");
    tcase_add_test(tc, test_missing_file);
    tcase_add_test(tc, test_truncated_at_every_byte);
    tcase_add_test(tc, test_bad_magic_and_version);
    tcase_add_test(tc, test_header_length_past_end);
    tcase_add_test(tc, test_unparseable_header);
    tcase_add_test(tc, test_missing_keys);
    tcase_add_test(tc, test_fortran_order);
    tcase_add_test(tc, test_other_dtypes);
    tcase_add_test(tc, test_bad_shapes);
    tcase_add_test(tc, test_trailing_garbage);
    tcase_add_test(tc, test_random_damage);
    suite_add_tcase(s, tc);
    tc = tcase_create("atomic save");
    tcase_add_test(tc, test_save_is_atomic);
    tcase_add_test(tc, test_save_to_missing_dir);
    suite_add_tcase(s, tc);
    return s;
}
