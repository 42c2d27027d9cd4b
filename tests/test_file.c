/* tg_read_file: a file larger than the first buffer (the growth path) comes
 * back byte for byte with a NUL after it; an empty file is length 0; a
 * missing one is a status naming the path.
 * tg_write_file: the new bytes replace a longer old file exactly, no
 * temporary file is left behind, and a write that cannot happen (no
 * directory, a full disk, a rename that fails) names the file, removes its
 * temporary file and leaves the old file as it was; two writers at once
 * never collide. tg_read_file refuses what is not a regular file, and
 * tg_file_same compares paths as files. */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

/* How many entries of dir start with prefix (leftover temporary files). */
static int count_entries(const char *dir, const char *prefix)
{
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    int n = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        n += !strncmp(e->d_name, prefix, strlen(prefix));
    closedir(d);
    return n;
}

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
    enum { N = 100000 };
    unsigned char *big = malloc(N);
    for (size_t i = 0; i < N; i++)
        big[i] = (unsigned char)(i * 13 + 1);
    tg_status st = tg_write_file(path, big, N);
    ck_assert_msg(tg_is_ok(&st), "%s", st.msg);
    assert_content(path, big, N);
    ck_assert_int_eq(count_entries(s.dir, "out.bin.tmp"), 0);
    /* A shorter file over a longer one: no tail of the old one is left. */
    st = tg_write_file(path, "short", 5);
    ck_assert_msg(tg_is_ok(&st), "%s", st.msg);
    assert_content(path, "short", 5);
    ck_assert_int_eq(count_entries(s.dir, "out.bin.tmp"), 0);
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
    ck_assert_str_eq(st.msg, "no-such-dir/out.bin: cannot create a temporary file beside it: No "
                             "such file or directory");

    tg_scratch s;
    tg_scratch_open(&s);
    /* The rename fails (path is a directory that is not empty): the
     * temporary file goes, the directory and what is in it stay. */
    const char *dir = tg_scratch_path(&s, "dir");
    ck_assert_int_eq(mkdir(dir, 0700), 0);
    const char *inside = tg_scratch_write(&s, "dir/kept", "kept", 4, 0);
    st = tg_write_file(dir, "new", 3);
    char want[700];
    snprintf(want, sizeof want, "%s: cannot rename %s.tmp-", dir, dir);
    ck_assert_msg(!strncmp(st.msg, want, strlen(want)), "%s", st.msg);
    ck_assert_ptr_nonnull(strstr(st.msg, " into place: Is a directory"));
    ck_assert_int_eq(count_entries(s.dir, "dir.tmp-"), 0);
    assert_content(inside, "kept", 4);
    tg_scratch_close(&s);
}
END_TEST

/* A write that fails half way (a full disk): the old file is whole, the
 * temporary file is gone, the message names it and says why. */
static int write_past_the_limit(void *path)
{
    static unsigned char big[100000];
    tg_status st = tg_write_file(path, big, sizeof big);
    char want[700];
    snprintf(want, sizeof want, "%s.tmp-", (const char *)path);
    if (tg_is_ok(&st) || strncmp(st.msg, want, strlen(want)) ||
        !strstr(st.msg, ": write failed: File too large")) {
        fprintf(stderr, "got %s\n", st.msg);
        return 1;
    }
    return 0;
}

START_TEST(test_write_file_disk_full_keeps_the_old_file)
{
    tg_scratch s;
    tg_scratch_open(&s);
    const char *path = tg_scratch_write(&s, "old.bin", "old bytes", 9, 0);
    tg_scratch_in_child(write_past_the_limit, (void *)path, (tg_child_opts){.file_limit = 4096});
    assert_content(path, "old bytes", 9);
    ck_assert_int_eq(count_entries(s.dir, "old.bin.tmp-"), 0);
    tg_scratch_close(&s);
}
END_TEST

enum { WRITES = 200, N = 20000 };

/* Writer w: WRITES times N bytes of 'a' + w. */
static int write_many_times(void *path, int w)
{
    static unsigned char bytes[N];
    memset(bytes, 'a' + w, sizeof bytes);
    for (int i = 0; i < WRITES; i++) {
        tg_status st = tg_write_file(path, bytes, sizeof bytes);
        if (!tg_is_ok(&st)) {
            fprintf(stderr, "writer %d, write %d: %s\n", w, i, st.msg);
            return 1;
        }
    }
    return 0;
}

/* Two processes replacing one file at once, many times: every write
 * succeeds (each has its own temporary file), and the file is always one
 * writer's whole bytes. With one shared path.tmp, about one pair in five
 * failed to rename. */
START_TEST(test_write_file_concurrent_writers)
{
    tg_scratch s;
    tg_scratch_open(&s);
    const char *path = tg_scratch_path(&s, "shared.bin");
    tg_scratch_in_children(2, write_many_times, (void *)path, (tg_child_opts){0});
    unsigned char *got;
    size_t len;
    tg_status st = tg_read_file(path, &got, &len);
    ck_assert_msg(tg_is_ok(&st), "%s", st.msg);
    ck_assert_uint_eq(len, N);
    for (size_t i = 0; i < len; i++)
        ck_assert_int_eq(got[i], got[0]);
    free(got);
    ck_assert_int_eq(count_entries(s.dir, "shared.bin.tmp-"), 0);
    tg_scratch_close(&s);
}
END_TEST

/* The new file has the mode of any new file of the user (0666 less the
 * umask), not mkstemp's 0600. */
START_TEST(test_write_file_mode_follows_the_umask)
{
    tg_scratch s;
    tg_scratch_open(&s);
    const char *path = tg_scratch_path(&s, "m.bin");
    const mode_t old = umask(022);
    tg_status st = tg_write_file(path, "x", 1);
    umask(old);
    ck_assert_msg(tg_is_ok(&st), "%s", st.msg);
    struct stat sb;
    ck_assert_int_eq(stat(path, &sb), 0);
    ck_assert_uint_eq(sb.st_mode & 0777, 0644);
    tg_scratch_close(&s);
}
END_TEST

/* Only regular files are read: a FIFO is refused at once (opening it for
 * reading would wait for a writer forever), a directory by its kind. */
START_TEST(test_read_file_refuses_what_is_not_a_file)
{
    tg_scratch s;
    tg_scratch_open(&s);
    const char *fifo = tg_scratch_path(&s, "fifo");
    ck_assert_int_eq(mkfifo(fifo, 0600), 0);
    unsigned char *got = NULL;
    size_t len;
    tg_status st = tg_read_file(fifo, &got, &len);
    char want[700];
    snprintf(want, sizeof want, "%s: not a regular file (a FIFO)", fifo);
    ck_assert_str_eq(st.msg, want);
    st = tg_read_file(s.dir, &got, &len);
    snprintf(want, sizeof want, "%s: not a regular file (a directory)", s.dir);
    ck_assert_str_eq(st.msg, want);
    ck_assert_ptr_null(got);
    tg_scratch_close(&s);
}
END_TEST

/* Paths compared as files: spellings of one file are one, whether the
 * file exists yet or not; two files are two. */
START_TEST(test_file_same)
{
    tg_scratch s;
    tg_scratch_open(&s);
    const char *a = tg_scratch_write(&s, "a.csv", "a", 1, 0);
    const char *sub = tg_scratch_path(&s, "sub");
    ck_assert_int_eq(mkdir(sub, 0700), 0);
    const char *via_sub = tg_scratch_path(&s, "sub/../a.csv");
    const char *dotted = tg_scratch_path(&s, "./a.csv");
    const char *link = tg_scratch_path(&s, "link.csv");
    ck_assert_int_eq(symlink(a, link), 0);
    const char *b = tg_scratch_write(&s, "b.csv", "b", 1, 0);
    const char *new1 = tg_scratch_path(&s, "new.png");
    const char *new2 = tg_scratch_path(&s, "sub/../new.png");
    const char *other = tg_scratch_path(&s, "sub/new.png");
    ck_assert(tg_file_same(a, a));
    ck_assert(tg_file_same(a, via_sub));
    ck_assert(tg_file_same(dotted, a));
    ck_assert(tg_file_same(link, a));
    ck_assert(!tg_file_same(a, b));
    ck_assert(tg_file_same(new1, new2));
    ck_assert(!tg_file_same(new1, other));
    ck_assert(!tg_file_same(new1, a));
    ck_assert(tg_file_same("no/such/dir/x", "no/such/dir/x"));
    ck_assert(!tg_file_same("no/such/dir/x", "no/such/dir/y"));
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
    tcase_add_test(tc, test_write_file_disk_full_keeps_the_old_file);
    tcase_add_test(tc, test_write_file_concurrent_writers);
    tcase_add_test(tc, test_write_file_mode_follows_the_umask);
    tcase_add_test(tc, test_read_file_refuses_what_is_not_a_file);
    tcase_add_test(tc, test_file_same);
    suite_add_tcase(s, tc);
    return s;
}
