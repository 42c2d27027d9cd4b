/* tg_read_file: a file larger than the first buffer (the growth path) comes
 * back byte for byte with a NUL after it; an empty file is length 0; a
 * missing one is a status naming the path.
 * tg_write_file: the new bytes replace a longer old file exactly, no .tmp
 * is left behind, and a write that cannot happen (no directory, a .tmp
 * that cannot be made, a rename that fails) names the file, removes its
 * .tmp and leaves the old file as it was. */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tensor/internal/file.h"
#include "tests/scratch.h"
#include "tests/support.h"

START_TEST(test_read_file_grows_and_terminates)
{
    enum { N = 200003 }; /* past 64 KiB, 128 KiB and 256 KiB - 1 */
    unsigned char *want = malloc(N);
    for (size_t i = 0; i < N; i++)
        want[i] = (unsigned char)(i * 7 + i / 256);
    tg_scratch s;
    tg_scratch_open(&s);
    const char *path = tg_scratch_write(&s, "big.bin", want, N, 0);
    unsigned char *got;
    size_t len;
    tg_status st = tg_read_file(path, &got, &len);
    ck_assert(tg_is_ok(&st));
    ck_assert_uint_eq(len, N);
    ck_assert(memcmp(got, want, N) == 0);
    ck_assert_int_eq(got[N], 0);
    free(got);
    free(want);

    path = tg_scratch_write(&s, "empty.bin", "", 0, 0);
    st = tg_read_file(path, &got, &len);
    ck_assert(tg_is_ok(&st));
    ck_assert_uint_eq(len, 0);
    ck_assert_int_eq(got[0], 0);
    free(got);
    tg_scratch_close(&s);
}
END_TEST

START_TEST(test_read_file_missing)
{
    unsigned char *got = NULL;
    size_t len = 0;
    tg_status st = tg_read_file("no-such-dir/no-such-file", &got, &len);
    tg_ck_assert_error(st, "no-such-dir/no-such-file: cannot open: ");
    ck_assert_ptr_null(got);
}
END_TEST

/* The whole content of path equals want[n]. */
static void assert_content(const char *path, const void *want, size_t n)
{
    unsigned char *got;
    size_t len;
    tg_status st = tg_read_file(path, &got, &len);
    ck_assert_msg(tg_is_ok(&st), "%s", st.msg);
    ck_assert_uint_eq(len, n);
    ck_assert(memcmp(got, want, n) == 0);
    free(got);
}

START_TEST(test_write_file_replaces)
{
    tg_scratch s;
    tg_scratch_open(&s);
    const char *path = tg_scratch_path(&s, "out.bin");
    const char *tmp = tg_scratch_path(&s, "out.bin.tmp");
    enum { N = 100000 };
    unsigned char *big = malloc(N);
    for (size_t i = 0; i < N; i++)
        big[i] = (unsigned char)(i * 13 + 1);
    tg_status st = tg_write_file(path, big, N);
    ck_assert_msg(tg_is_ok(&st), "%s", st.msg);
    assert_content(path, big, N);
    ck_assert_int_ne(access(tmp, F_OK), 0);
    /* A shorter file over a longer one: no tail of the old one is left. */
    st = tg_write_file(path, "short", 5);
    ck_assert_msg(tg_is_ok(&st), "%s", st.msg);
    assert_content(path, "short", 5);
    ck_assert_int_ne(access(tmp, F_OK), 0);
    st = tg_write_file(path, "", 0);
    ck_assert_msg(tg_is_ok(&st), "%s", st.msg);
    assert_content(path, "", 0);
    free(big);
    tg_scratch_close(&s);
}
END_TEST

START_TEST(test_write_file_failures_keep_the_old_file)
{
    tg_status st = tg_write_file("no-such-dir/out.bin", "x", 1);
    tg_ck_assert_error(st, "no-such-dir/out.bin.tmp: cannot write: ");
    ck_assert_int_ne(access("no-such-dir/out.bin.tmp", F_OK), 0);

    tg_scratch s;
    tg_scratch_open(&s);
    /* The .tmp cannot be made (a directory holds its name). */
    const char *path = tg_scratch_write(&s, "old.bin", "old bytes", 9, 0);
    const char *tmp = tg_scratch_path(&s, "old.bin.tmp");
    ck_assert_int_eq(mkdir(tmp, 0700), 0);
    st = tg_write_file(path, "new", 3);
    tg_ck_assert_error(st, tmp, ": cannot write: ");
    ck_assert(strchr(st.msg, '\n') == NULL);
    assert_content(path, "old bytes", 9);
    ck_assert_int_eq(rmdir(tmp), 0);

    /* The rename fails (path is a directory that is not empty): the .tmp
     * goes, the directory and what is in it stay. */
    const char *dir = tg_scratch_path(&s, "dir");
    ck_assert_int_eq(mkdir(dir, 0700), 0);
    const char *inside = tg_scratch_write(&s, "dir/kept", "kept", 4, 0);
    const char *dir_tmp = tg_scratch_path(&s, "dir.tmp");
    st = tg_write_file(dir, "new", 3);
    tg_ck_assert_error(st, dir, ": cannot rename ", dir_tmp, " into place: ");
    ck_assert_int_ne(access(dir_tmp, F_OK), 0);
    assert_content(inside, "kept", 4);
    tg_scratch_close(&s);
}
END_TEST

Suite *tg_test_suite(void)
{
    Suite *s = suite_create("file");
    TCase *tc = tcase_create("file");
    tcase_add_test(tc, test_read_file_grows_and_terminates);
    tcase_add_test(tc, test_read_file_missing);
    tcase_add_test(tc, test_write_file_replaces);
    tcase_add_test(tc, test_write_file_failures_keep_the_old_file);
    suite_add_tcase(s, tc);
    return s;
}
