/* History CSV round trip, and a real gnuplot run: the PNG exists, is a PNG
 * of the requested size (its IHDR says so) and the text plot has curves. */
#include <check.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/scratch.h"
#include "tests/support.h"
#include "train/train.h"
#include "apps/apps.h"

static tg_scratch scratch;

/* A falling loss, a rising accuracy: 12 epochs. */
static void write_history(const char *path, int has_val)
{
    const char *names[] = {"accuracy"};
    tg_history h;
    tg_history_init(&h, 1, names, has_val);
    for (int e = 0; e < 12; e++) {
        double acc = 1 - exp(-0.3 * e), val_acc = acc * 0.9;
        tg_history_append(&h, exp(-0.25 * e), 1.1 * exp(-0.2 * e), &acc, &val_acc, 0.125);
    }
    tg_status s = tg_history_save_csv(&h, path);
    ck_assert_msg(tg_is_ok(&s), "%s", s.msg);
    tg_history_free(&h);
}

START_TEST(history_csv_round_trip)
{
    tg_scratch_open(&scratch);
    const char *path = tg_scratch_path(&scratch, "h.csv");
    const char *names[] = {"accuracy", "mae"};
    tg_history h, r;
    tg_history_init(&h, 2, names, 1);
    double m1[2] = {0.25, 1.0 / 3}, v1[2] = {0.5, 2.0 / 7};
    tg_history_append(&h, 0.1 + 0.2, 1e-300, m1, v1, 1.5);
    tg_history_append(&h, 2.0 / 3, 0.125, v1, m1, 2);
    tg_status s = tg_history_save_csv(&h, path);
    ck_assert(tg_is_ok(&s));
    FILE *f = fopen(path, "r");
    char header[200];
    ck_assert_ptr_nonnull(fgets(header, sizeof header, f));
    fclose(f);
    ck_assert_str_eq(header, "epoch,loss,val_loss,accuracy,val_accuracy,mae,val_mae,seconds\n");
    s = tg_history_load_csv(&r, path);
    ck_assert_msg(tg_is_ok(&s), "%s", s.msg);
    ck_assert_int_eq(r.n_epochs, 2);
    ck_assert_int_eq(r.n_metrics, 2);
    ck_assert(r.has_val);
    ck_assert_str_eq(r.metric_names[1], "mae");
    /* 17 digits: the doubles come back exactly */
    for (int e = 0; e < 2; e++) {
        ck_assert(r.loss[e] == h.loss[e] && r.val_loss[e] == h.val_loss[e]);
        for (int i = 0; i < 2; i++)
            ck_assert(r.metric[i][e] == h.metric[i][e] && r.val_metric[i][e] == h.val_metric[i][e]);
    }
    tg_history_free(&r);
    tg_history_free(&h);
    /* Without validation the val_ columns are empty, and read back as such */
    write_history(path, 0);
    s = tg_history_load_csv(&r, path);
    ck_assert(tg_is_ok(&s) && !r.has_val && isnan(r.val_loss[0]) && r.n_epochs == 12);
    tg_history_free(&r);
    /* A val_loss from the second epoch on: has_val, and the first stays missing */
    f = fopen(path, "w");
    fputs("epoch,loss,val_loss,acc,val_acc,seconds\n1,0.5,,0.25,,0.1\n2,0.4,0.375,0.5,0.75,0.1\n",
          f);
    fclose(f);
    s = tg_history_load_csv(&r, path);
    ck_assert_msg(tg_is_ok(&s), "%s", s.msg);
    ck_assert(r.has_val && r.n_epochs == 2);
    ck_assert(isnan(r.val_loss[0]) && isnan(r.val_metric[0][0]));
    ck_assert(r.val_loss[1] == 0.375 && r.val_metric[0][1] == 0.75 && r.metric[0][0] == 0.25);
    tg_history_free(&r);
    /* Garbage is refused */
    f = fopen(path, "w");
    fputs("epoch,loss,val_loss,seconds\n1,abc,,0.1\n", f);
    fclose(f);
    s = tg_history_load_csv(&r, path);
    ck_assert_msg(!tg_is_ok(&s) && strstr(s.msg, "line 2"), "%s", s.msg);
    tg_scratch_close(&scratch);
}
END_TEST

/* In a child whose disk is full: the save fails and says why. */
static const char *save_past_the_limit_path;
static const tg_history *save_past_the_limit_history;
static int save_past_the_limit(void *unused)
{
    tg_status s = tg_history_save_csv(save_past_the_limit_history, save_past_the_limit_path);
    char want[700];
    snprintf(want, sizeof want, "history %s.tmp-", save_past_the_limit_path);
    if (tg_is_ok(&s) || strncmp(s.msg, want, strlen(want)) ||
        !strstr(s.msg, ": write failed: File too large")) {
        fprintf(stderr, "got %s\n", s.msg);
        return 1;
    }
    return 0;
}

/* A CSV that cannot be written says which file, and the old one stays
 * whole: no directory, or a disk that fills up half way. */
START_TEST(history_save_failure_keeps_the_old_csv)
{
    tg_scratch_open(&scratch);
    const char *path = tg_scratch_path(&scratch, "h.csv");
    write_history(path, 1);
    tg_history h;
    tg_history_init(&h, 0, NULL, 0);
    for (int e = 0; e < 200; e++)
        tg_history_append(&h, 1, NAN, NULL, NULL, 0.5);
    tg_status s = tg_history_save_csv(&h, "no-such-dir/h.csv");
    ck_assert_str_eq(s.msg, "history no-such-dir/h.csv: cannot create a temporary file beside "
                            "it: No such file or directory");
    save_past_the_limit_path = path;
    save_past_the_limit_history = &h;
    tg_scratch_in_child(save_past_the_limit, NULL, (tg_child_opts){.file_limit = 1024});
    tg_history_free(&h);
    s = tg_history_load_csv(&h, path);
    ck_assert_msg(tg_is_ok(&s), "%s", s.msg);
    ck_assert_int_eq(h.n_epochs, 12);
    ck_assert_int_eq(h.n_metrics, 1);
    tg_history_free(&h);
    tg_scratch_close(&scratch);
}
END_TEST

static unsigned be32(const unsigned char *p)
{
    return (unsigned)p[0] << 24 | (unsigned)p[1] << 16 | (unsigned)p[2] << 8 | p[3];
}

START_TEST(gnuplot_draws_png_and_text)
{
    tg_scratch_open(&scratch);
    const char *csv = tg_scratch_path(&scratch, "history.csv");
    const char *png = tg_scratch_path(&scratch, "curves.png");
    const char *txt = tg_scratch_path(&scratch, "curves.txt");
    write_history(csv, 1);
    tg_plot_opts o = tg_plot_defaults();
    o.png_path = png;
    o.width = 640;
    o.height = 480;
    tg_status s = tg_plot_history(csv, &o);
    ck_assert_msg(tg_is_ok(&s), "%s", s.msg);
    /* The PNG signature, then the IHDR chunk with width and height. */
    unsigned char head[24];
    FILE *f = fopen(png, "rb");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(fread(head, 1, sizeof head, f), sizeof head);
    fclose(f);
    ck_assert_int_eq(memcmp(head, "\x89PNG\r\n\x1a\n", 8), 0);
    ck_assert_int_eq(memcmp(head + 12, "IHDR", 4), 0);
    ck_assert_uint_eq(be32(head + 16), 640);
    ck_assert_uint_eq(be32(head + 20), 480);
    /* The text plot: both panels, and the dumb terminal's curve marks
     * (lines of '*' for the first curve, '#' for the second). */
    f = fopen(txt, "r");
    ck_assert_ptr_nonnull(f);
    char buf[8192];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = 0;
    fclose(f);
    ck_assert_msg(strstr(buf, "loss") && strstr(buf, "accuracy"), "%s", buf);
    ck_assert_msg(strstr(buf, "***") && strstr(buf, "###"), "%s", buf);
    tg_scratch_close(&scratch);
}
END_TEST

START_TEST(without_gnuplot_the_script_is_written)
{
    tg_scratch_open(&scratch);
    const char *csv = tg_scratch_path(&scratch, "history.csv");
    const char *gp = tg_scratch_path(&scratch, "history.gp");
    write_history(csv, 1);
    const char *path = getenv("PATH");
    char *saved = path ? strdup(path) : NULL;
    setenv("PATH", scratch.dir, 1);
    tg_status s = tg_plot_history(csv, NULL);
    if (saved) {
        setenv("PATH", saved, 1);
        free(saved);
    }
    ck_assert(!tg_is_ok(&s));
    ck_assert_msg(strstr(s.msg, "gnuplot is not on PATH") && strstr(s.msg, gp), "%s", s.msg);
    ck_assert_int_eq(access(gp, R_OK), 0);
    tg_scratch_close(&scratch);
}
END_TEST

/* tg_plot_history says which files it named: the CSV's name with .png,
 * .txt and .gp by default, a given PNG's name for the text and script, a
 * given text path as it is; filled even when gnuplot is missing. A path too
 * long for its outputs is refused and nothing is written. */
START_TEST(plot_reports_its_paths)
{
    tg_scratch_open(&scratch);
    const char *csv = tg_scratch_path(&scratch, "history.csv");
    const char *png = tg_scratch_path(&scratch, "history.png");
    const char *txt = tg_scratch_path(&scratch, "history.txt");
    const char *gp = tg_scratch_path(&scratch, "history.gp");
    const char *png2 = tg_scratch_path(&scratch, "curves.v2.png");
    const char *txt2 = tg_scratch_path(&scratch, "curves.v2.txt");
    const char *gp2 = tg_scratch_path(&scratch, "curves.v2.gp");
    const char *own_txt = tg_scratch_path(&scratch, "as-text");
    write_history(csv, 1);
    const char *path = getenv("PATH");
    char *saved = path ? strdup(path) : NULL;
    setenv("PATH", scratch.dir, 1); /* no gnuplot: only the naming and the script */
    tg_plot_paths used;
    tg_plot_opts o = tg_plot_defaults();
    o.paths = &used;
    tg_status s = tg_plot_history(csv, &o);
    tg_ck_assert_error(s, "gnuplot is not on PATH; wrote ", gp);
    ck_assert_str_eq(used.png, png);
    ck_assert_str_eq(used.text, txt);
    ck_assert_str_eq(used.script, gp);
    ck_assert_int_eq(access(gp, R_OK), 0);
    o.png_path = png2;
    s = tg_plot_history(csv, &o);
    tg_ck_assert_error(s, "gnuplot is not on PATH; wrote ", gp2);
    ck_assert_str_eq(used.png, png2);
    ck_assert_str_eq(used.text, txt2);
    ck_assert_str_eq(used.script, gp2);
    o.text_path = own_txt;
    s = tg_plot_history(csv, &o);
    ck_assert(!tg_is_ok(&s));
    ck_assert_str_eq(used.png, png2);
    ck_assert_str_eq(used.text, own_txt);
    ck_assert_str_eq(used.script, gp2);
    if (saved) {
        setenv("PATH", saved, 1);
        free(saved);
    } else {
        unsetenv("PATH");
    }
    char *long_png = malloc(TG_PATH_MAX + 8);
    memset(long_png, 'a', TG_PATH_MAX + 3);
    memcpy(long_png + TG_PATH_MAX + 3, ".png", 5);
    o = tg_plot_defaults();
    o.png_path = long_png;
    s = tg_plot_history(csv, &o);
    char want[128];
    snprintf(want, sizeof want,
             "plot: a path of %d bytes is too long for the outputs named after it (the limit is "
             "%d): aaaaaaaaaa",
             TG_PATH_MAX + 7, TG_PATH_MAX);
    tg_ck_assert_error(s, want);
    free(long_png);
    tg_scratch_close(&scratch);
}
END_TEST

Suite *tg_test_suite(void)
{
    Suite *s = suite_create("plot");
    TCase *tc = tcase_create("plot");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, history_csv_round_trip);
    tcase_add_test(tc, history_save_failure_keeps_the_old_csv);
    tcase_add_test(tc, gnuplot_draws_png_and_text);
    tcase_add_test(tc, without_gnuplot_the_script_is_written);
    tcase_add_test(tc, plot_reports_its_paths);
    suite_add_tcase(s, tc);
    return s;
}
