/* Scratch files for the reader tests: a fresh directory under the system's
 * temporary directory ($TMPDIR, else P_tmpdir), files written byte by byte,
 * the directory and all in it removed at the end; what is in a directory;
 * a child process with a full disk or without root's rights. */
#ifndef TG_TESTS_SCRATCH_H
#define TG_TESTS_SCRATCH_H

#include <check.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

typedef struct tg_scratch {
    char dir[512];
    char path[16][600];
    int n;
} tg_scratch;

static inline void tg_scratch_open(tg_scratch *s)
{
    const char *base = getenv("TMPDIR");
    if (!base || !*base)
        base = P_tmpdir;
    /* mkdtemp replaces the trailing XXXXXX with a unique name */
    const int len = snprintf(s->dir, sizeof s->dir, "%s/tapegrad_test_XXXXXX", base);
    ck_assert_msg(len < (int)sizeof s->dir, "TMPDIR %s is too long for a scratch directory", base);
    ck_assert_msg(mkdtemp(s->dir) != NULL, "cannot create a scratch directory in %s", base);
    s->n = 0;
}

/* dir/name: a path in the scratch directory, which tg_scratch_close removes
 * with everything in it; the file itself is not created. */
static inline const char *tg_scratch_path(tg_scratch *s, const char *name)
{
    ck_assert_int_lt(s->n, 16);
    /* built aside, then copied: name could be one of the paths held here,
     * and snprintf must not read the buffer it writes (-Wrestrict) */
    char path[sizeof s->path[0]];
    const int len = snprintf(path, sizeof path, "%s/%s", s->dir, name);
    ck_assert_int_lt(len, (int)sizeof path);
    memcpy(s->path[s->n], path, sizeof path);
    return s->path[s->n++];
}

/* Writes n bytes to dir/name, gzip-compressed when gz; returns the path. */
static inline const char *tg_scratch_write(tg_scratch *s, const char *name, const void *bytes,
                                           size_t n, int gz)
{
    const char *path = tg_scratch_path(s, name);
    if (gz) {
        gzFile f = gzopen(path, "wb");
        ck_assert_ptr_nonnull(f);
        ck_assert_int_eq(gzwrite(f, bytes, (unsigned)n), (int)n);
        ck_assert_int_eq(gzclose(f), Z_OK);
    } else {
        FILE *f = fopen(path, "wb");
        ck_assert_ptr_nonnull(f);
        ck_assert_uint_eq(fwrite(bytes, 1, n, f), n);
        fclose(f);
    }
    return path;
}

/* Removes path: a file, or a directory with everything in it. */
static inline void tg_scratch_remove_tree(const char *path)
{
    DIR *d = opendir(path);
    if (d) {
        for (struct dirent *e; (e = readdir(d)) != NULL;) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
                continue;
            char inner[1024];
            const int len = snprintf(inner, sizeof inner, "%s/%s", path, e->d_name);
            ck_assert_int_lt(len, (int)sizeof inner);
            tg_scratch_remove_tree(inner);
        }
        closedir(d);
    }
    ck_assert_msg(remove(path) == 0, "cannot remove %s", path);
}

/* Removes the directory and everything in it, also what the code under
 * test wrote beside the files named here (a plot's script, a saved
 * model's directory). */
static inline void tg_scratch_close(tg_scratch *s)
{
    tg_scratch_remove_tree(s->dir);
}

/* The entries of dir (but . and ..), sorted, joined by spaces: what a
 * test left behind, or what the code under test did. */
static inline void tg_scratch_list(const char *dir, char *out, size_t cap)
{
    struct dirent **names;
    const int n = scandir(dir, &names, NULL, alphasort);
    ck_assert_int_ge(n, 0);
    out[0] = '\0';
    for (int i = 0; i < n; i++) {
        if (strcmp(names[i]->d_name, ".") && strcmp(names[i]->d_name, "..")) {
            const size_t at = strlen(out);
            snprintf(out + at, cap - at, "%s%s", at ? " " : "", names[i]->d_name);
        }
        free(names[i]);
    }
    free(names);
}

/* How a child runs: its files limited to file_limit bytes (> 0: a full
 * disk, which needs no root to arrange: a write past it fails with EFBIG,
 * SIGXFSZ being ignored, also by programs it starts), or, with
 * unprivileged, as nobody when the test runs as root (root reads every
 * file, whatever its mode). */
typedef struct tg_child_opts {
    long file_limit;
    int unprivileged;
} tg_child_opts;

/* Runs fn(arg, 0), ..., fn(arg, n - 1) in n children at once, each set up
 * as o says, and checks that each returned 0 (its exit status: fn returns
 * a small number saying what went wrong, and prints the details on
 * stderr). */
static inline void tg_scratch_in_children(int n, int (*fn)(void *, int), void *arg,
                                          tg_child_opts o)
{
    pid_t pid[8];
    ck_assert_int_le(n, 8);
    fflush(NULL);
    for (int c = 0; c < n; c++) {
        pid[c] = fork();
        ck_assert_int_ge(pid[c], 0);
        if (pid[c] != 0)
            continue;
        if (o.file_limit > 0) {
            signal(SIGXFSZ, SIG_IGN);
            const struct rlimit small = {(rlim_t)o.file_limit, (rlim_t)o.file_limit};
            if (setrlimit(RLIMIT_FSIZE, &small) != 0)
                _exit(100);
        }
        if (o.unprivileged && geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0))
            _exit(101);
        _exit(fn(arg, c));
    }
    for (int c = 0; c < n; c++) {
        int status;
        ck_assert_int_eq(waitpid(pid[c], &status, 0), pid[c]);
        ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
                      "child %d failed (status %d)", c, status);
    }
}

/* One child running fn(arg). */
typedef struct {
    int (*fn)(void *);
    void *arg;
} tg_scratch_one_;
static inline int tg_scratch_run_one_(void *one, int unused)
{
    (void)unused;
    return ((tg_scratch_one_ *)one)->fn(((tg_scratch_one_ *)one)->arg);
}
static inline void tg_scratch_in_child(int (*fn)(void *), void *arg, tg_child_opts o)
{
    tg_scratch_one_ one = {fn, arg};
    tg_scratch_in_children(1, tg_scratch_run_one_, &one, o);
}

/* The status failed and its message holds every one of the pieces. */
#define tg_ck_assert_error(st, ...)                                                               \
    do {                                                                                          \
        ck_assert_msg(!tg_is_ok(&(st)), "expected an error, got success");                        \
        const char *tg_pieces_[] = {__VA_ARGS__};                                                 \
        for (size_t tg_i_ = 0; tg_i_ < sizeof tg_pieces_ / sizeof tg_pieces_[0]; tg_i_++)         \
            ck_assert_msg(strstr((st).msg, tg_pieces_[tg_i_]) != NULL,                            \
                          "message \"%s\" lacks \"%s\"", (st).msg, tg_pieces_[tg_i_]);            \
    } while (0)

#endif
