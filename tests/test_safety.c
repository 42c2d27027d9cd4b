/* `tapegrad train` as a careless user runs it: outputs that would replace
 * an input or each other, option values and data the models cannot take,
 * dates written the ISO way, a file that is there but unreadable, a
 * checkpoint of another task. Each is refused before any training, with
 * the option or the file (and line) named, and nothing of the user's is
 * changed; or, for the dates, read right. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "apps/apps.h"
#include "kernels/kernels.h"
#include "tests/scratch.h"
#include "tests/support.h"

/* A short embedded run; out is a scratch file for the run's printing. */
static tg_app_opts quick(tg_app_task task, FILE *out)
{
    tg_app_opts o = tg_app_defaults();
    o.task = task;
    o.embedded = 1;
    o.epochs = 1;
    o.steps = 12;
    o.limit = 200;
    o.out = out;
    return o;
}

/* Refused before training: no epoch ran, the message is exactly want. */
static void expect_refused(const tg_app_opts *o, const char *want)
{
    tg_app_result r;
    tg_status st = tg_app_run(o, &r);
    ck_assert_str_eq(st.msg, want);
    ck_assert_int_eq(r.epochs_run, 0);
}

/* --history r.txt --plot r.png wrote the text plot over the history,
 * --history s.csv --plot s.csv the PNG; a history over the checkpoint it
 * loads would replace it. All refused before training; the old files stay
 * and nothing is written. Saving over the checkpoint the run loads is
 * resuming, and runs. */
START_TEST(outputs_that_collide_are_refused)
{
    tg_scratch d = {.n = 0};
    tg_scratch_open(&d);
    ck_assert_int_eq(chdir(d.dir), 0);
    FILE *out = tmpfile();
    tg_app_opts o = quick(TG_APP_TIMESERIES, out);
    o.history_csv = "r.txt";
    o.plot_png = "r.png";
    expect_refused(&o, "plot: the text plot r.txt would also be the history CSV: choose other "
                       "names");
    o.history_csv = "s.csv";
    o.plot_png = "./s.csv";
    expect_refused(&o, "plot: the PNG ./s.csv would also be the history CSV: choose other names");
    o.plot_png = "s.gp";
    expect_refused(&o, "plot: the gnuplot script s.gp would also be the PNG: choose other names");
    ck_assert_int_eq(mkdir("ckpt", 0755), 0);
    o.plot_png = NULL;
    o.save_dir = "ckpt";
    o.history_csv = "ckpt/model.ckpt";
    expect_refused(&o, "train: the --save checkpoint ckpt/model.ckpt and the --history CSV "
                       "ckpt/model.ckpt are one file: choose other names");
    o.save_dir = NULL;
    o.load_dir = "ckpt";
    o.history_csv = "ckpt/../ckpt/model.ckpt";
    expect_refused(&o, "train: the --load checkpoint ckpt/model.ckpt and the --history CSV "
                       "ckpt/../ckpt/model.ckpt are one file: choose other names");
    o.history_csv = "h.csv";
    o.plot_png = "ckpt/model.ckpt";
    o.load_dir = NULL;
    o.save_dir = "ckpt";
    expect_refused(&o, "train: the --save checkpoint ckpt/model.ckpt and the --plot PNG "
                       "ckpt/model.ckpt are one file: choose other names");
    char left[1024];
    tg_scratch_list(".", left, sizeof left);
    ck_assert_str_eq(left, "ckpt");
    tg_scratch_list("ckpt", left, sizeof left);
    ck_assert_str_eq(left, "");
    /* --load d --save d: trains, and saves over what it loaded */
    o = quick(TG_APP_TIMESERIES, out);
    o.save_dir = "ckpt";
    tg_status st = tg_app_run(&o, NULL);
    ck_assert_msg(tg_is_ok(&st), "%s", st.msg);
    o.load_dir = "ckpt";
    st = tg_app_run(&o, NULL);
    ck_assert_msg(tg_is_ok(&st), "%s", st.msg);
    fclose(out);
    tg_scratch_close(&d);
}
END_TEST

/* A --save path near 1 KB was cut to ".../mode"; refused now. */
START_TEST(a_save_path_too_long_is_refused)
{
    FILE *out = tmpfile();
    tg_app_opts o = quick(TG_APP_TIMESERIES, out);
    char dir[1100];
    memset(dir, 'd', 1015);
    dir[1015] = '\0';
    o.save_dir = dir;
    expect_refused(&o, "--save: a directory name of 1015 bytes is too long (its model.ckpt must "
                       "fit in 1023 bytes)");
    o.save_dir = NULL;
    o.load_dir = dir;
    expect_refused(&o, "--load: a directory name of 1015 bytes is too long (its model.ckpt must "
                       "fit in 1023 bytes)");
    fclose(out);
}
END_TEST

/* Values no option means, as the library takes them (the command refuses
 * them first): a non-finite rate or regularizer, a thread count out of
 * range, --patience with too few images to validate on. */
START_TEST(option_values_are_checked)
{
    FILE *out = tmpfile();
    tg_app_opts o = quick(TG_APP_REGRESSION, out);
    o.learning_rate = INFINITY;
    expect_refused(&o, "train: the learning rate inf must be a positive finite number (0: the "
                       "optimizer's default)");
    o.learning_rate = -5;
    expect_refused(&o, "train: the learning rate -5 must be a positive finite number (0: the "
                       "optimizer's default)");
    o.learning_rate = 0;
    o.l1 = NAN;
    expect_refused(&o, "train: epochs 1 and batch 32 must be >= 1, l1 nan and l2 0 finite and "
                       ">= 0, patience 0 >= 0, steps 0 or >= 4 (got 12)");
    o.l1 = 0;
    o.threads = 2000;
    expect_refused(&o, "train: 2000 threads (1 to 1024, or 0 to leave the count as it is)");
    o = quick(TG_APP_IMAGES, out);
    o.limit = 5;
    o.patience = 1;
    expect_refused(&o, "--patience 1 validates on the last tenth of the training images: --limit "
                       "5 leaves none for it");
    fclose(out);
}
END_TEST

/* --steps 100000 stopped with an internal op's name (exit 3); now a
 * status naming the option and the data. */
START_TEST(steps_too_long_for_the_data)
{
    FILE *out = tmpfile();
    tg_app_opts o = quick(TG_APP_TIMESERIES, out);
    o.steps = 100000;
    expect_refused(&o, "--steps 100000: embedded: noisy sum of sines, 3000 steps, seed 42: "
                       "windows of 100000 steps do not fit its validation and test ranges of 450 "
                       "and 450 steps (at most 449)");
    tg_series_task t;
    tg_status st = tg_synthetic_task(1, 3000, 449, 42, &t);
    ck_assert_msg(tg_is_ok(&st), "%s", st.msg);
    tg_series_task_free(&t);
    st = tg_synthetic_task(1, 3000, 450, 42, &t);
    ck_assert_str_eq(st.msg, "embedded: noisy sum of sines, 3000 steps, seed 42: windows of 450 "
                             "steps do not fit its validation and test ranges of 450 and 450 "
                             "steps (at most 449)");
    fclose(out);
}
END_TEST

/* ---- the weather files, written as the real ones are ---- */

static int leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Writes n days from 2012-01-01 (as the real seattle-weather.csv) into
 * dir_name/seattle-weather.csv (NULL: the scratch directory), dates as
 * "%04d<sep>%02d<sep>%02d"; the row of bad_row gets the date bad instead.
 * Returns the path. */
static const char *write_weather(tg_scratch *d, const char *dir_name, char sep, int n,
                                 int bad_row, const char *bad)
{
    char name[256];
    snprintf(name, sizeof name, "%s%sseattle-weather.csv", dir_name ? dir_name : "",
             dir_name ? "/" : "");
    const char *path = tg_scratch_path(d, name);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fprintf(f, "date,precipitation,temp_max,temp_min,wind,weather\n");
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int y = 2012, m = 1, day = 1;
    for (int i = 0; i < n; i++) {
        if (i == bad_row)
            fprintf(f, "%s", bad);
        else
            fprintf(f, "%04d%c%02d%c%02d", y, sep, m, sep, day);
        const double rain = (i * 7) % 5 == 0 ? 0 : (i % 13) * 0.7;
        fprintf(f, ",%.1f,%.1f,%.1f,%.1f,%s\n", rain, 10 + 8 * sin(i / 58.0), 3 + 6 * sin(i / 58.0),
                2 + (i % 7) * 0.5, rain > 0 ? "rain" : "sun");
        if (++day > days[m - 1] + (m == 2 && leap(y))) {
            day = 1;
            if (++m > 12) {
                m = 1;
                y++;
            }
        }
    }
    ck_assert_int_eq(fclose(f), 0);
    return path;
}

/* n hours from 2010-01-01 00:00, "2010/01/01 00:00" or
 * "2010-01-01T00:00:00". */
static const char *write_temps(tg_scratch *d, const char *dir_name, int iso, int n)
{
    char name[256];
    snprintf(name, sizeof name, "%s/seattle-temps.csv", dir_name);
    const char *path = tg_scratch_path(d, name);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fprintf(f, "date,temp\n");
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int m = 1, day = 1;
    for (int i = 0; i < n; i++) {
        const int h = i % 24;
        if (iso)
            fprintf(f, "2010-%02d-%02dT%02d:00:00", m, day, h);
        else
            fprintf(f, "2010/%02d/%02d %02d:00", m, day, h);
        fprintf(f, ",%.1f\n", 45 + 10 * sin(i * 2 * 3.14159265358979 / 24) + (i % 5) * 0.3);
        if (h == 23 && ++day > days[m - 1]) {
            day = 1;
            m++;
        }
    }
    ck_assert_int_eq(fclose(f), 0);
    return path;
}

static int same_tensor(const tg_tensor *a, const tg_tensor *b)
{
    return tg_shape_equal(a->shape, b->shape) &&
           !memcmp(a->data, b->data, a->size * sizeof(tg_real));
}

/* Column d of the features over every window step of x: its spread. */
static double spread(const tg_tensor *x, int d)
{
    const int D = x->shape.dim[2];
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = (size_t)d; i < x->size; i += (size_t)D) {
        lo = fmin(lo, (double)x->data[i]);
        hi = fmax(hi, (double)x->data[i]);
    }
    return hi - lo;
}

/* The upstream vega files write 2012-01-01 and 2010-01-01T13:00:00: the
 * season and the hour came out as constant zeros. Now the ISO files give
 * exactly the task the slash-dated ones give, with features that vary. */
START_TEST(iso_dates_give_the_same_tasks)
{
    tg_scratch d = {.n = 0};
    tg_scratch_open(&d);
    ck_assert_int_eq(mkdir(tg_scratch_path(&d, "slash"), 0755), 0);
    ck_assert_int_eq(mkdir(tg_scratch_path(&d, "iso"), 0755), 0);
    const int days = 1461; /* 2012 .. 2015, as the real file */
    write_weather(&d, "slash", '/', days, -1, NULL);
    write_weather(&d, "iso", '-', days, -1, NULL);
    write_temps(&d, "slash", 0, 24 * 120);
    write_temps(&d, "iso", 1, 24 * 120);
    char slash[700], iso[700];
    snprintf(slash, sizeof slash, "%s/slash", d.dir);
    snprintf(iso, sizeof iso, "%s/iso", d.dir);
    tg_series_task a, b;
    tg_status st = tg_rain_task(slash, 32, &a);
    ck_assert_msg(tg_is_ok(&st), "%s", st.msg);
    st = tg_rain_task(iso, 32, &b);
    ck_assert_msg(tg_is_ok(&st), "%s", st.msg);
    ck_assert(same_tensor(a.x_train, b.x_train) && same_tensor(a.x_test, b.x_test));
    ck_assert(spread(b.x_train, 5) > 1 && spread(b.x_train, 6) > 1); /* sin, cos of the season */
    tg_series_task_free(&a);
    tg_series_task_free(&b);
    st = tg_temps_task(slash, 24, &a);
    ck_assert_msg(tg_is_ok(&st), "%s", st.msg);
    st = tg_temps_task(iso, 24, &b);
    ck_assert_msg(tg_is_ok(&st), "%s", st.msg);
    ck_assert(same_tensor(a.x_train, b.x_train) && same_tensor(a.x_val, b.x_val));
    ck_assert(spread(b.x_train, 1) > 1 && spread(b.x_train, 2) > 1); /* sin, cos of the hour */
    tg_series_task_free(&a);
    tg_series_task_free(&b);
    tg_scratch_close(&d);
}
END_TEST

/* A date that is not one was read as day 0: refused with its line. */
START_TEST(a_bad_date_is_refused_with_its_line)
{
    static const char *const bad[] = {"2012-13-01", "2012-02-30", "2012/01-05", "01/05/2012",
                                      "2012-01-01 25:00", "2012-01-01T10:00:00Z", ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        tg_scratch d = {.n = 0};
        tg_scratch_open(&d);
        const char *path = write_weather(&d, NULL, '-', 1461, 99, bad[i]);
        tg_series_task t;
        tg_status st = tg_rain_task(d.dir, 32, &t);
        char want[900];
        snprintf(want, sizeof want,
                 "%s: line 101: column 'date' holds '%s', not a date (2012-01-31 or 2012/01/31, a "
                 "time 13:00 after it)",
                 path, bad[i]);
        ck_assert_str_eq(st.msg, want);
        tg_scratch_close(&d);
    }
}
END_TEST

/* A run reading a data file never writes over it. */
START_TEST(outputs_never_replace_the_data)
{
    tg_scratch d = {.n = 0};
    tg_scratch_open(&d);
    const char *data = write_weather(&d, NULL, '-', 1461, -1, NULL);
    struct stat before;
    ck_assert_int_eq(stat(data, &before), 0);
    FILE *out = tmpfile();
    tg_app_opts o = quick(TG_APP_TIMESERIES, out);
    o.embedded = 0;
    o.steps = 32;
    o.data_dir = d.dir;
    o.history_csv = data;
    char want[900];
    snprintf(want, sizeof want, "train: the --history CSV %s is the data file %s: choose another "
             "name", data, data);
    expect_refused(&o, want);
    struct stat after;
    ck_assert_int_eq(stat(data, &after), 0);
    ck_assert(before.st_ino == after.st_ino && before.st_mtime == after.st_mtime);
    fclose(out);
    tg_scratch_close(&d);
}
END_TEST

/* In the child (unprivileged): the app, with no --data, finds the
 * unreadable data file in data/ and reports it; it used to call it
 * missing and train on the embedded data instead. */
static int unreadable_data_is_an_error(void *dir)
{
    if (chdir(dir) != 0)
        return 30;
    FILE *out = tmpfile();
    tg_app_opts o = quick(TG_APP_TIMESERIES, out);
    o.embedded = 0;
    tg_app_result r;
    tg_status st = tg_app_run(&o, &r);
    const char *want = "data/usr/lib/python3/dist-packages/vega_datasets/_data/seattle-weather.csv:"
                       " cannot open: Permission denied";
    fclose(out);
    if (strcmp(st.msg, want)) {
        fprintf(stderr, "got  %s\nwant %s\n", st.msg, want);
        return 31;
    }
    return r.epochs_run != 0 ? 32 : 0;
}

START_TEST(an_unreadable_data_file_is_not_missing)
{
    tg_scratch d = {.n = 0};
    tg_scratch_open(&d);
    ck_assert_int_eq(chmod(d.dir, 0755), 0);
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "cd '%s' && mkdir -p data/usr/lib/python3/dist-packages/"
             "vega_datasets/_data && chmod -R 755 data", d.dir);
    ck_assert_int_eq(system(cmd), 0);
    const char *path = write_weather(&d, "data/usr/lib/python3/dist-packages/vega_datasets/_data",
                                     '-', 1461, -1, NULL);
    ck_assert_int_eq(chmod(path, 0), 0);
    tg_scratch_in_child(unreadable_data_is_an_error, d.dir, (tg_child_opts){.unprivileged = 1});
    tg_scratch_close(&d);
}
END_TEST

/* ---- image files the model cannot take ---- */

/* IDX files of `count` images rows x cols (and their labels) under names
 * of the Fashion-MNIST files, unpacked (found for the .gz names). */
static void write_idx(tg_scratch *d, const char *images, const char *labels, unsigned count,
                      unsigned rows, unsigned cols)
{
    const char *p = tg_scratch_path(d, images);
    FILE *f = fopen(p, "wb");
    ck_assert_ptr_nonnull(f);
    const unsigned dims[3] = {count, rows, cols};
    fwrite("\0\0\x08\x03", 1, 4, f);
    for (int i = 0; i < 3; i++) {
        const unsigned char be[4] = {(unsigned char)(dims[i] >> 24), (unsigned char)(dims[i] >> 16),
                                     (unsigned char)(dims[i] >> 8), (unsigned char)dims[i]};
        fwrite(be, 1, 4, f);
    }
    for (unsigned k = 0; k < count * rows * cols; k++)
        fputc((int)(k * 31 % 256), f);
    ck_assert_int_eq(fclose(f), 0);
    p = tg_scratch_path(d, labels);
    f = fopen(p, "wb");
    ck_assert_ptr_nonnull(f);
    fwrite("\0\0\x08\x01", 1, 4, f);
    const unsigned char be[4] = {(unsigned char)(count >> 24), (unsigned char)(count >> 16),
                                 (unsigned char)(count >> 8), (unsigned char)count};
    fwrite(be, 1, 4, f);
    for (unsigned k = 0; k < count; k++)
        fputc((int)(k % 10), f);
    ck_assert_int_eq(fclose(f), 0);
}

static void write_fashion(tg_scratch *d, unsigned train_count, unsigned rows, unsigned cols,
                          unsigned test_rows)
{
    write_idx(d, "train-images-idx3-ubyte", "train-labels-idx1-ubyte", train_count, rows, cols);
    write_idx(d, "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte", 20, test_rows, cols);
}

/* An IDX of 0 images, images smaller than the model's windows, a test set
 * of another size, too few images to validate on: each stopped with an
 * internal op's name (exit 3) or trained on nothing; now refused by file. */
START_TEST(images_the_model_cannot_take)
{
    FILE *out = tmpfile();
    char want[900];
    for (int c = 0; c < 4; c++) {
        tg_scratch d = {.n = 0};
        tg_scratch_open(&d);
        static const unsigned setups[4][4] = {{0, 8, 8, 8}, {30, 3, 8, 3}, {30, 8, 8, 6},
                                              {9, 8, 8, 8}};
        write_fashion(&d, setups[c][0], setups[c][1], setups[c][2], setups[c][3]);
        tg_app_opts o = quick(TG_APP_IMAGES, out);
        o.embedded = 0;
        o.limit = 0;
        o.patience = c == 3;
        o.data_dir = d.dir;
        const char *train = tg_scratch_path(&d, "train-images-idx3-ubyte");
        const char *test = tg_scratch_path(&d, "t10k-images-idx3-ubyte");
        if (c == 0)
            snprintf(want, sizeof want, "%s: the count at byte 4 is 0: no images", train);
        else if (c == 1)
            snprintf(want, sizeof want, "%s: images of 3 x 8 pixels are smaller than the model's "
                     "windows (a 3 x 3 convolution, then 2 x 2 pooling: at least 4 x 4)", train);
        else if (c == 2)
            snprintf(want, sizeof want, "%s: images of 6 x 8 pixels, but %s holds 8 x 8", test,
                     train);
        else
            snprintf(want, sizeof want, "%s: --patience validates on the last tenth of the 9 "
                     "training images, which is none", train);
        expect_refused(&o, want);
        tg_scratch_close(&d);
    }
    fclose(out);
}
END_TEST

/* A time-series checkpoint loaded silently into the regression model (the
 * same layers and shapes): refused now, naming both tasks. */
START_TEST(a_checkpoint_of_another_task_is_refused)
{
    tg_scratch d = {.n = 0};
    tg_scratch_open(&d);
    FILE *out = tmpfile();
    tg_app_opts o = quick(TG_APP_TIMESERIES, out);
    o.save_dir = tg_scratch_path(&d, "ts");
    tg_status st = tg_app_run(&o, NULL);
    ck_assert_msg(tg_is_ok(&st), "%s", st.msg);
    o = quick(TG_APP_REGRESSION, out);
    o.load_dir = tg_scratch_path(&d, "ts");
    char want[900];
    snprintf(want, sizeof want, "checkpoint %s/model.ckpt: saved by the task 'timeseries', not by "
             "'regression'", o.load_dir);
    expect_refused(&o, want);
    o = quick(TG_APP_TIMESERIES, out);
    o.load_dir = tg_scratch_path(&d, "ts");
    st = tg_app_run(&o, NULL);
    ck_assert_msg(tg_is_ok(&st), "%s", st.msg);
    fclose(out);
    tg_scratch_close(&d);
}
END_TEST

/* Programming errors that went past tg_fatal: a shape whose size wraps
 * (calloc aborted on (2^31-1)^4), a TG_THREADS that is not a count (it
 * was silently 1). Both stop with one line through tg_fatal (exit 3). */
START_TEST(a_shape_that_overflows_stops_through_tg_fatal)
{
    tg_tensor_new(TG_SHAPE(2147483647, 2147483647, 2147483647, 2147483647));
}
END_TEST

START_TEST(a_bad_tg_threads_stops_through_tg_fatal)
{
    setenv("TG_THREADS", "abc", 1);
    tg_get_threads();
}
END_TEST

/* Exit status 3 for the expected line, 4 for any other. */
static void catch_fatal(const char *message)
{
    _exit(strstr(message, "has more elements than memory can address") ||
                  strstr(message, "TG_THREADS='abc' is not a thread count")
              ? 3
              : 4);
}

static void install_handler(void)
{
    tg_set_fatal_handler(catch_fatal);
}

Suite *tg_test_suite(void)
{
    Suite *s = suite_create("safety");
    TCase *tc = tcase_create("safety");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, outputs_that_collide_are_refused);
    tcase_add_test(tc, a_save_path_too_long_is_refused);
    tcase_add_test(tc, option_values_are_checked);
    tcase_add_test(tc, steps_too_long_for_the_data);
    tcase_add_test(tc, iso_dates_give_the_same_tasks);
    tcase_add_test(tc, a_bad_date_is_refused_with_its_line);
    tcase_add_test(tc, outputs_never_replace_the_data);
    tcase_add_test(tc, an_unreadable_data_file_is_not_missing);
    tcase_add_test(tc, images_the_model_cannot_take);
    tcase_add_test(tc, a_checkpoint_of_another_task_is_refused);
    suite_add_tcase(s, tc);
    TCase *fatal = tcase_create("fatal");
    tcase_add_checked_fixture(fatal, install_handler, NULL);
    tcase_add_exit_test(fatal, a_shape_that_overflows_stops_through_tg_fatal, 3);
    tcase_add_exit_test(fatal, a_bad_tg_threads_stops_through_tg_fatal, 3);
    suite_add_tcase(s, fatal);
    return s;
}
