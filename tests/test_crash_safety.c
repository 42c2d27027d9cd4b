/* Checkpoints survive SIGKILL at any moment of a save: a child saves
 * checkpoint after checkpoint (each one a new version of the weights) and
 * the parent kills it at random moments, many times; after every kill the
 * file loads, and holds bit-exactly the last version the child finished or
 * the one it was saving when it died (which is whole when the rename had
 * happened), never a mixture and never a torn file. */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "layers/layers.h"
#include "tensor/tensor.h"
#include "tests/scratch.h"
#include "tests/support.h"
#include "train/train.h"

#define KILLS 50
/* The parent waits up to this long before each kill. */
#define MAX_DELAY_US 20000

/* Large enough that a save takes a while (2 x 128 KB of .npy entries). */
static tg_model *model(void)
{
    tg_model *m = tg_model_new(TG_SHAPE(128), 5);
    tg_model_add(m, tg_dense(128, TG_RELU));
    tg_model_add(m, tg_dense(128, TG_LINEAR));
    return m;
}

/* Version v of the weights: every value distinct, exactly representable. */
static tg_real weight(long v, int param, size_t k)
{
    return (tg_real)v + (tg_real)param * (tg_real)0.25 + (tg_real)(k % 1024) / 2048;
}

static void set_version(tg_model *m, long v)
{
    for (int i = 0; i < m->n_params; i++)
        for (size_t k = 0; k < m->params[i]->size; k++)
            m->params[i]->data[k] = weight(v, i, k);
}

/* The version the weights hold, or -1 when they are not one version. */
static long version_of(const tg_model *m)
{
    const long v = (long)m->params[0]->data[0];
    for (int i = 0; i < m->n_params; i++)
        for (size_t k = 0; k < m->params[i]->size; k++)
            if (memcmp(&m->params[i]->data[k], &(tg_real){weight(v, i, k)}, sizeof(tg_real)))
                return -1;
    return v;
}

/* The child: saves versions from, from + 1, ... and reports each one
 * finished on the pipe, until it is killed. */
static void save_forever(tg_model *m, const char *path, long from, int report)
{
    for (long v = from;; v++) {
        set_version(m, v);
        tg_status s = tg_model_save(m, path);
        if (!tg_is_ok(&s))
            _exit(1);
        if (write(report, &v, sizeof v) != (ssize_t)sizeof v)
            _exit(1);
    }
}

/* Removes the temporary files of cut saves in dir; returns how many. */
static int remove_temporaries(const char *dir)
{
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    int n = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        if (!strncmp(e->d_name, "model.ckpt.tmp-", 15)) {
            char path[1024];
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            ck_assert_int_eq(remove(path), 0);
            n++;
        }
    closedir(d);
    return n;
}

START_TEST(sigkill_while_saving_never_loses_the_checkpoint)
{
    tg_scratch dir;
    tg_scratch_open(&dir);
    const char *path = tg_scratch_path(&dir, "model.ckpt");
    tg_model *m = model();
    set_version(m, 0);
    tg_status s = tg_model_save(m, path);
    ck_assert(tg_is_ok(&s));
    tg_rng rng;
    const uint64_t seed = (uint64_t)time(NULL); /* new moments every run; printed on failure */
    tg_rng_seed(&rng, seed);
    long done = 0; /* the last version known to be finished */
    int mid_save = 0, newer = 0;
    for (int kill_no = 0; kill_no < KILLS; kill_no++) {
        int fds[2];
        ck_assert_int_eq(pipe(fds), 0);
        fflush(NULL);
        pid_t pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0) {
            close(fds[0]);
            save_forever(m, path, done + 1, fds[1]);
        }
        close(fds[1]);
        usleep((useconds_t)tg_rng_below(&rng, MAX_DELAY_US));
        ck_assert_int_eq(kill(pid, SIGKILL), 0);
        int status;
        ck_assert_int_eq(waitpid(pid, &status, 0), pid);
        ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
                      "the saving child failed on its own (status %d)", status);
        long v;
        while (read(fds[0], &v, sizeof v) == (ssize_t)sizeof v)
            done = v;
        close(fds[0]);
        /* A save cut by the kill leaves its own temporary file beside the
         * checkpoint (model.ckpt.tmp-XXXXXX): counted, then cleared. */
        const int left = remove_temporaries(dir.dir);
        ck_assert_int_le(left, 1);
        mid_save += left;

        set_version(m, -1);
        s = tg_model_load(m, path);
        ck_assert_msg(tg_is_ok(&s), "kill %d (seed %llu): %s", kill_no + 1,
                      (unsigned long long)seed, s.msg);
        const long loaded = version_of(m);
        /* The rename may have happened just before the kill, the report not. */
        ck_assert_msg(loaded == done || loaded == done + 1,
                      "kill %d (seed %llu): loaded version %ld, the last finished save was %ld",
                      kill_no + 1, (unsigned long long)seed, loaded, done);
        newer += loaded == done + 1;
        done = loaded;
    }
    printf("crash safety: %d SIGKILLs while saving (%d with a half-written temporary file, %d "
           "just after the rename), %ld checkpoints saved, every load bit-exact\n",
           KILLS, mid_save, newer, done);
    ck_assert_int_gt(mid_save, 0);
    tg_model_free(m);
    tg_scratch_close(&dir);
}
END_TEST

Suite *tg_test_suite(void)
{
    Suite *s = suite_create("crash_safety");
    TCase *tc = tcase_create("sigkill");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, sigkill_while_saving_never_loses_the_checkpoint);
    suite_add_tcase(s, tc);
    return s;
}
