/* tg_read_file: a file larger than the first buffer (the growth path) comes
 * back byte for byte with a NUL after it; an empty file is length 0; a
 * missing one is a status naming the path. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "tensor/file.h"
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

Suite *tg_test_suite(void)
{
    Suite *s = suite_create("file");
    TCase *tc = tcase_create("file");
    tcase_add_test(tc, test_read_file_grows_and_terminates);
    tcase_add_test(tc, test_read_file_missing);
    suite_add_tcase(s, tc);
    return s;
}
