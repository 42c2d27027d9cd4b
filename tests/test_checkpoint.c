/* Checkpoints: an exact round trip; a truncated, garbled or mismatched file
 * (another task, another architecture) refused with the model untouched;
 * what load would refuse never saved; a FIFO refused without waiting; two
 * processes saving at once. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "layers/layers.h"
#include "tests/scratch.h"
#include "tests/support.h"
#include "train/train.h"

static tg_scratch scratch;

static tg_model *small_model(uint64_t seed, int units)
{
    tg_model *m = tg_model_new(TG_SHAPE(5, 3), seed);
    tg_model_add(m, tg_lstm((tg_lstm_opts){.units = 4, .return_sequences = 1}));
    tg_model_add(m, tg_dense(units, TG_RELU));
    tg_model_add(m, tg_dense(1, TG_SIGMOID));
    return m;
}

static int same_weights(const tg_model *a, const tg_model *b)
{
    if (a->n_params != b->n_params)
        return 0;
    for (int i = 0; i < a->n_params; i++)
        if (memcmp(a->params[i]->data, b->params[i]->data, a->params[i]->size * sizeof(tg_real)))
            return 0;
    return 1;
}

START_TEST(round_trip_is_exact)
{
    tg_scratch_open(&scratch);
    const char *path = tg_scratch_path(&scratch, "model.ckpt");
    tg_model *a = small_model(1, 6), *b = small_model(2, 6);
    ck_assert(!same_weights(a, b));
    tg_status s = tg_model_save(a, path);
    ck_assert_msg(tg_is_ok(&s), "%s", s.msg);
    s = tg_model_load(b, path);
    ck_assert_msg(tg_is_ok(&s), "%s", s.msg);
    ck_assert(same_weights(a, b));
    /* renamed into place: no temporary file is left beside it */
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "test -z \"$(ls '%s' | grep -v '^model.ckpt$')\"", scratch.dir);
    ck_assert_int_eq(system(cmd), 0);
    /* tar can list it: the description first, then one entry per
     * parameter, named layer/param.npy */
    snprintf(cmd, sizeof cmd, "tar tf '%s' | head -n 1 | grep -qx 'model.txt'", path);
    ck_assert_int_eq(system(cmd), 0);
    snprintf(cmd, sizeof cmd, "tar tf '%s' | grep -qx 'dense_1/kernel.npy'", path);
    ck_assert_int_eq(system(cmd), 0);
    snprintf(cmd, sizeof cmd, "test $(tar tf '%s' | wc -l) -eq %d", path, a->n_params + 1);
    ck_assert_int_eq(system(cmd), 0);
    /* tar xf gives the description and .npy files np.load reads (the
     * format tg_npy_load reads back exactly). */
    snprintf(cmd, sizeof cmd, "cd '%s' && tar xf model.ckpt", scratch.dir);
    ck_assert_int_eq(system(cmd), 0);
    size_t len;
    FILE *f = fopen(tg_scratch_path(&scratch, "model.txt"), "rb");
    ck_assert_ptr_nonnull(f);
    char desc[512];
    len = fread(desc, 1, sizeof desc - 1, f);
    desc[len] = 0;
    fclose(f);
    ck_assert_str_eq(desc, "tapegrad model\n"
                           "LSTM lstm W_xi (3, 4) W_xf (3, 4) W_xc (3, 4) W_xo (3, 4) W_hi (4, 4) "
                           "W_hf (4, 4) W_hc (4, 4) W_ho (4, 4) W_ci (4,) W_cf (4,) W_cc (4,) "
                           "W_co (4,) b_i (4,) b_f (4,) b_c (4,) b_o (4,)\n"
                           "Dense dense kernel (4, 6) bias (6,)\n"
                           "Dense dense_1 kernel (6, 1) bias (1,)\n");
    tg_tensor *kernel = NULL;
    s = tg_npy_load(tg_scratch_path(&scratch, "dense_1/kernel.npy"), &kernel);
    ck_assert_msg(tg_is_ok(&s), "%s", s.msg);
    ck_assert(tg_shape_equal(kernel->shape, a->layers[2]->params[0]->shape));
    ck_assert(!memcmp(kernel->data, a->layers[2]->params[0]->data, kernel->size * sizeof(tg_real)));
    tg_tensor_free(kernel);
    tg_model_free(a);
    tg_model_free(b);
    tg_scratch_close(&scratch);
}
END_TEST

/* Saves a's weights, lets edit() damage the file, and loads into b. */
static tg_status load_damaged(void (*edit)(const char *path), tg_model *b)
{
    const char *path = tg_scratch_path(&scratch, "model.ckpt");
    tg_model *a = small_model(1, 6);
    tg_status s = tg_model_save(a, path);
    ck_assert(tg_is_ok(&s));
    tg_model_free(a);
    if (edit)
        edit(path);
    return tg_model_load(b, path);
}

static void truncate_to(const char *path, long keep)
{
    ck_assert_int_eq(truncate(path, keep), 0);
}

/* Cuts the last n bytes off the file. */
static void truncate_by(const char *path, long n)
{
    struct stat st;
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_int_ge((long)st.st_size, n);
    truncate_to(path, (long)st.st_size - n);
}

static void cut_end(const char *path)
{
    truncate_by(path, 700); /* into the last entry */
}

static void cut_middle(const char *path)
{
    truncate_to(path, 1000); /* inside the first entry's data */
}

static void cut_end_blocks(const char *path)
{
    truncate_by(path, 512); /* one of the two closing zero blocks */
}

static void garble_header(const char *path)
{
    FILE *f = fopen(path, "r+b");
    fseek(f, 3, SEEK_SET);
    fputc('#', f);
    fclose(f);
}

static void assert_refused(void (*edit)(const char *path), const char *why)
{
    tg_scratch_open(&scratch);
    tg_model *b = small_model(2, 6), *b0 = small_model(2, 6);
    tg_status s = load_damaged(edit, b);
    ck_assert_msg(!tg_is_ok(&s), "accepted a damaged checkpoint (%s)", why);
    ck_assert_msg(strstr(s.msg, why), "message '%s' does not say '%s'", s.msg, why);
    ck_assert(same_weights(b, b0)); /* untouched */
    tg_model_free(b);
    tg_model_free(b0);
    tg_scratch_close(&scratch);
}

START_TEST(truncated_is_refused)
{
    assert_refused(cut_end, "truncated");
    assert_refused(cut_middle, "truncated");
    assert_refused(cut_end_blocks, "truncated");
}
END_TEST

START_TEST(garbage_is_refused)
{
    assert_refused(garble_header, "bad tar header");
}
END_TEST

START_TEST(mismatched_shape_is_refused)
{
    tg_scratch_open(&scratch);
    tg_model *b = small_model(2, 7), *b0 = small_model(2, 7);
    tg_status s = load_damaged(NULL, b);
    ck_assert(!tg_is_ok(&s));
    ck_assert_msg(strstr(s.msg, "dense/kernel.npy has shape (4, 6), the model's is (4, 7)"), "%s",
                  s.msg);
    ck_assert(same_weights(b, b0));
    tg_model_free(b);
    tg_model_free(b0);
    tg_scratch_close(&scratch);
}
END_TEST

START_TEST(mismatched_names_are_refused)
{
    tg_scratch_open(&scratch);
    /* a model with one Dense fewer: the file has an entry it lacks */
    tg_model *b = tg_model_new(TG_SHAPE(5, 3), 2);
    tg_model_add(b, tg_lstm((tg_lstm_opts){.units = 4, .return_sequences = 1}));
    tg_model_add(b, tg_dense(6, TG_RELU));
    tg_status s = load_damaged(NULL, b);
    ck_assert(!tg_is_ok(&s));
    ck_assert_msg(strstr(s.msg, "dense_1/kernel.npy matches no parameter"), "%s", s.msg);
    tg_model_free(b);
    /* a model with one Dense more: an entry is missing */
    b = small_model(2, 6);
    tg_model_add(b, tg_dense(1, TG_SIGMOID));
    s = load_damaged(NULL, b);
    ck_assert_msg(!tg_is_ok(&s) && strstr(s.msg, "no entry dense_2/kernel.npy"), "%s", s.msg);
    tg_model_free(b);
    tg_status missing = tg_model_load(b = small_model(1, 6), "/nonexistent/model.ckpt");
    ck_assert(!tg_is_ok(&missing) && strstr(missing.msg, "cannot open"));
    tg_model_free(b);
    tg_scratch_close(&scratch);
}
END_TEST

/* The series models of two tasks have the same parameters: a checkpoint
 * of one loaded silently into the other. The task is recorded and
 * compared; a caller that names none loads either. */
START_TEST(another_task_is_refused)
{
    tg_scratch_open(&scratch);
    const char *path = tg_scratch_path(&scratch, "model.ckpt");
    tg_model *a = small_model(1, 6), *b = small_model(2, 6), *b0 = small_model(2, 6);
    tg_status s = tg_model_save_task(a, path, "timeseries");
    ck_assert_msg(tg_is_ok(&s), "%s", s.msg);
    s = tg_model_load_task(b, path, "regression");
    char want[700];
    snprintf(want, sizeof want, "checkpoint %s: saved by the task 'timeseries', not by "
             "'regression'", path);
    ck_assert_str_eq(s.msg, want);
    ck_assert(same_weights(b, b0));
    s = tg_model_load_task(b, path, "timeseries");
    ck_assert_msg(tg_is_ok(&s), "%s", s.msg);
    ck_assert(same_weights(a, b));
    s = tg_model_load(b0, path);
    ck_assert_msg(tg_is_ok(&s), "%s", s.msg);
    tg_model_free(a);
    tg_model_free(b);
    tg_model_free(b0);
    tg_scratch_close(&scratch);
}
END_TEST

/* Layers without parameters are part of the architecture: a checkpoint of
 * Dense -> MaxPooling1D does not load into Dense -> ReLU, though every
 * parameter matches. */
START_TEST(another_architecture_is_refused)
{
    tg_scratch_open(&scratch);
    const char *path = tg_scratch_path(&scratch, "model.ckpt");
    tg_model *a = tg_model_new(TG_SHAPE(4, 3), 1), *b = tg_model_new(TG_SHAPE(4, 3), 2);
    tg_model_add(a, tg_dense(2, TG_LINEAR));
    tg_model_add(a, tg_maxpool1d((tg_pool1d_opts){.pool = 2}));
    tg_model_add(b, tg_dense(2, TG_LINEAR));
    tg_model_add(b, tg_activation_layer(TG_RELU));
    tg_status s = tg_model_save(a, path);
    ck_assert_msg(tg_is_ok(&s), "%s", s.msg);
    s = tg_model_load(b, path);
    char want[700];
    snprintf(want, sizeof want, "checkpoint %s: layer 2 was MaxPooling1D max_pooling1d, this "
             "model's is %s %s", path, b->layers[1]->ops->kind, b->layers[1]->name);
    ck_assert_str_eq(s.msg, want);
    tg_model_free(a);
    tg_model_free(b);
    tg_scratch_close(&scratch);
}
END_TEST

/* Two layers renamed alike were saved, and the file then refused at load:
 * the save refuses, and so it does a weight that is not finite; the old
 * checkpoint stays. */
START_TEST(save_refuses_what_load_would_refuse)
{
    tg_scratch_open(&scratch);
    const char *path = tg_scratch_path(&scratch, "model.ckpt");
    tg_model *a = small_model(1, 6);
    tg_status s = tg_model_save(a, path);
    ck_assert_msg(tg_is_ok(&s), "%s", s.msg);
    struct stat before;
    ck_assert_int_eq(stat(path, &before), 0);
    snprintf(a->layers[2]->name, sizeof a->layers[2]->name, "dense");
    s = tg_model_save(a, path);
    char want[700];
    snprintf(want, sizeof want, "checkpoint %s: two parameters would be saved as dense/kernel.npy "
             "(layer names must be unique in a model)", path);
    ck_assert_str_eq(s.msg, want);
    snprintf(a->layers[2]->name, sizeof a->layers[2]->name, "dense_1");
    a->layers[1]->params[1]->data[3] = (tg_real)NAN;
    s = tg_model_save(a, path);
    snprintf(want, sizeof want, "checkpoint %s: dense/bias.npy holds nan at element 3: weights "
             "that are not finite are not saved", path);
    ck_assert_str_eq(s.msg, want);
    a->layers[1]->params[1]->data[3] = (tg_real)INFINITY;
    s = tg_model_save(a, path);
    snprintf(want, sizeof want, "checkpoint %s: dense/bias.npy holds inf at element 3: weights "
             "that are not finite are not saved", path);
    ck_assert_str_eq(s.msg, want);
    struct stat after;
    ck_assert_int_eq(stat(path, &after), 0);
    ck_assert(before.st_ino == after.st_ino && before.st_size == after.st_size);
    tg_model *b = small_model(2, 6);
    s = tg_model_load(b, path);
    ck_assert_msg(tg_is_ok(&s), "%s", s.msg);
    tg_model_free(a);
    tg_model_free(b);
    tg_scratch_close(&scratch);
}
END_TEST

/* A FIFO as model.ckpt hung the loader (waiting for a writer): refused at
 * once, as is a directory. */
START_TEST(a_fifo_is_refused_at_once)
{
    tg_scratch_open(&scratch);
    const char *path = tg_scratch_path(&scratch, "model.ckpt");
    ck_assert_int_eq(mkfifo(path, 0600), 0);
    tg_model *b = small_model(2, 6);
    tg_status s = tg_model_load(b, path);
    char want[700];
    snprintf(want, sizeof want, "checkpoint %s: not a regular file (a FIFO)", path);
    ck_assert_str_eq(s.msg, want);
    s = tg_model_load(b, scratch.dir);
    snprintf(want, sizeof want, "checkpoint %s: not a regular file (a directory)", scratch.dir);
    ck_assert_str_eq(s.msg, want);
    tg_model_free(b);
    tg_scratch_close(&scratch);
}
END_TEST

/* Saver w: the model of seed w + 1, saved 40 times. */
static int save_many_times(void *path, int w)
{
    tg_model *m = small_model((uint64_t)w + 1, 6);
    for (int i = 0; i < 40; i++) {
        tg_status s = tg_model_save(m, path);
        if (!tg_is_ok(&s)) {
            fprintf(stderr, "saver %d, save %d: %s\n", w, i, s.msg);
            return 1;
        }
    }
    tg_model_free(m);
    return 0;
}

/* Two runs saving to one --save directory at once shared model.ckpt.tmp:
 * about one pair in five failed with "cannot rename". Two processes each
 * save 40 times; every save succeeds and the file loads, whole, as one of
 * the two models. */
START_TEST(two_processes_save_at_once)
{
    tg_scratch_open(&scratch);
    const char *path = tg_scratch_path(&scratch, "model.ckpt");
    tg_scratch_in_children(2, save_many_times, (void *)path, (tg_child_opts){0});
    tg_model *one = small_model(1, 6), *two = small_model(2, 6), *got = small_model(3, 6);
    tg_status s = tg_model_load(got, path);
    ck_assert_msg(tg_is_ok(&s), "%s", s.msg);
    ck_assert(same_weights(got, one) || same_weights(got, two));
    tg_model_free(one);
    tg_model_free(two);
    tg_model_free(got);
    tg_scratch_close(&scratch);
}
END_TEST

Suite *tg_test_suite(void)
{
    Suite *s = suite_create("checkpoint");
    TCase *tc = tcase_create("checkpoint");
    tcase_add_test(tc, round_trip_is_exact);
    tcase_add_test(tc, truncated_is_refused);
    tcase_add_test(tc, garbage_is_refused);
    tcase_add_test(tc, mismatched_shape_is_refused);
    tcase_add_test(tc, mismatched_names_are_refused);
    tcase_add_test(tc, another_task_is_refused);
    tcase_add_test(tc, another_architecture_is_refused);
    tcase_add_test(tc, save_refuses_what_load_would_refuse);
    tcase_add_test(tc, a_fifo_is_refused_at_once);
    tcase_add_test(tc, two_processes_save_at_once);
    suite_add_tcase(s, tc);
    return s;
}
