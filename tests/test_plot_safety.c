/* The plot never runs what a file or a path says and never replaces what
 * the user has with less: the script is exactly the writer's statements
 * (checked here line for line), metric names are identifiers, paths
 * gnuplot would run or that would end a string are refused, paths with
 * spaces or odd first characters still draw, the outputs are never the
 * history, and a gnuplot that fails, writes nothing, writes half a PNG or
 * meets a full disk leaves the old PNG and text as they were. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "apps/apps.h"
#include "tensor/internal/file.h"
#include "tests/scratch.h"
#include "tests/support.h"
#include "train/train.h"

/* 3 epochs of loss and accuracy, with validation. */
static void fill_history(tg_history *h, const char *metric)
{
    const char *names[] = {metric};
    tg_history_init(h, 1, names, 1);
    for (int e = 0; e < 3; e++) {
        double acc = 0.5 + 0.1 * e, val_acc = acc - 0.05;
        tg_history_append(h, 1.0 / (e + 1), 1.2 / (e + 1), &acc, &val_acc, 0.25);
    }
}

static void write_history(const char *path)
{
    tg_history h;
    fill_history(&h, "accuracy");
    tg_status s = tg_history_save_csv(&h, path);
    ck_assert_msg(tg_is_ok(&s), "%s", s.msg);
    tg_history_free(&h);
}

/* The whole bytes of a file, for before/after comparisons. */
static char *slurp(const char *path, size_t *n)
{
    unsigned char *b;
    tg_status s = tg_read_file(path, &b, n);
    ck_assert_msg(tg_is_ok(&s), "%s", s.msg);
    return (char *)b;
}

static void assert_same_bytes(const char *path, const char *want, size_t n)
{
    size_t len;
    char *got = slurp(path, &len);
    ck_assert_msg(len == n && !memcmp(got, want, n), "%s changed", path);
    free(got);
}

/* The script of a small history, line for line: every statement is one of
 * the writer's, the paths are quoted, the relative ones as ./path, and no
 * comment holds a user's text. */
START_TEST(script_is_the_writers_statements)
{
    tg_history h;
    fill_history(&h, "accuracy");
    tg_plot_opts o = tg_plot_defaults();
    char *text;
    tg_status s = tg_plot_script(&h, "runs/h.csv", "-c.png", "/abs/c.txt", &o, &text);
    ck_assert_msg(tg_is_ok(&s), "%s", s.msg);
    ck_assert_str_eq(
        text,
        "# Training curves, drawn by tapegrad: run gnuplot on this file to draw them again\n"
        "set datafile separator ','\n"
        "set key autotitle columnhead\n"
        "set xlabel 'epoch'\n"
        "set xtics 1\n"
        "\n"
        "set terminal pngcairo noenhanced size 800,600\n"
        "set output './-c.png'\n"
        "set grid\n"
        "set multiplot layout 2,1\n"
        "set title 'loss'\n"
        "set key top right\n"
        "plot './runs/h.csv' using 1:2 with linespoints lw 2 pt 7 ps 0.6 title 'loss', \\\n"
        "     '' using 1:3 with linespoints lw 2 dt 2 pt 5 ps 0.6 title 'val_loss'\n"
        "set title 'accuracy'\n"
        "set key bottom right\n"
        "plot './runs/h.csv' using 1:4 with linespoints lw 2 pt 7 ps 0.6 title 'accuracy', \\\n"
        "     '' using 1:5 with linespoints lw 2 dt 2 pt 5 ps 0.6 title 'val_accuracy'\n"
        "unset multiplot\n"
        "\n"
        "set terminal dumb noenhanced size 79,30\n"
        "set output '/abs/c.txt'\n"
        "unset grid\n"
        "set multiplot layout 2,1\n"
        "set title 'loss'\n"
        "set key top right\n"
        "plot './runs/h.csv' using 1:2 with lines title 'loss', \\\n"
        "     '' using 1:3 with lines title 'val_loss'\n"
        "set title 'accuracy'\n"
        "set key bottom right\n"
        "plot './runs/h.csv' using 1:4 with lines title 'accuracy', \\\n"
        "     '' using 1:5 with lines title 'val_accuracy'\n"
        "unset multiplot\n"
        "set output\n");
    free(text);
    tg_history_free(&h);
}
END_TEST

/* A metric name from a file's header went into the script unquoted: now
 * the loader refuses it, and the writer refuses one made in code. */
START_TEST(metric_names_must_be_identifiers)
{
    tg_scratch d = {.n = 0};
    tg_scratch_open(&d);
    const char *evil = "epoch,loss,val_loss,a';system 'touch P';#,val_a';system 'touch P';#,"
                       "seconds\n1,0.5,,0.1,,1\n";
    const char *csv = tg_scratch_write(&d, "evil.csv", evil, strlen(evil), 0);
    tg_history h;
    tg_status s = tg_history_load_csv(&h, csv);
    char want[800];
    snprintf(want, sizeof want,
             "history %s: column 'a';system 'touch P';#' is not a metric name (letters, digits "
             "and _, at most 31)",
             csv);
    ck_assert_str_eq(s.msg, want);
    s = tg_plot_history(csv, NULL);
    ck_assert_str_eq(s.msg, want);
    char left[1024];
    tg_scratch_list(d.dir, left, sizeof left);
    ck_assert_str_eq(left, "evil.csv");
    static const char *const bad_names[] = {"a b", "val-acc", "x'", "", "acc\n"};
    for (size_t i = 0; i < sizeof bad_names / sizeof bad_names[0]; i++) {
        fill_history(&h, bad_names[i]);
        char *text = NULL;
        s = tg_plot_script(&h, "h.csv", "h.png", "h.txt", NULL, &text);
        ck_assert_msg(!tg_is_ok(&s) && strstr(s.msg, "plot: the metric name '") &&
                          strstr(s.msg, "' is not an identifier (letters, digits and _)"),
                      "%s", s.msg);
        ck_assert_ptr_null(text);
        tg_history_free(&h);
    }
    tg_scratch_close(&d);
}
END_TEST

/* '<' starts a command gnuplot runs for its data, '|' one it pipes its
 * output to; a quote or a newline would end the string. All refused before
 * anything is written, and nothing runs. */
START_TEST(paths_gnuplot_would_run_are_refused)
{
    tg_scratch d = {.n = 0};
    tg_scratch_open(&d);
    ck_assert_int_eq(chdir(d.dir), 0); /* Check forks each test: cwd is this test's */
    write_history("good.csv");
    write_history("<touch P;cat good.csv");
    write_history("it's.csv");
    tg_plot_opts o = tg_plot_defaults();
    tg_status s = tg_plot_history("<touch P;cat good.csv", &o);
    ck_assert_str_eq(s.msg, "plot: the history CSV path '<touch P;cat good.csv' starts with a "
                            "pipe character, which gnuplot would run as a command: it cannot go "
                            "into a gnuplot script");
    o.png_path = "|touch P";
    s = tg_plot_history("good.csv", &o);
    ck_assert_str_eq(s.msg, "plot: the PNG path '|touch P' starts with a pipe character, which "
                            "gnuplot would run as a command: it cannot go into a gnuplot script");
    o.png_path = "out\n!touch P\n.png";
    s = tg_plot_history("good.csv", &o);
    ck_assert_str_eq(s.msg, "plot: the PNG path 'out\\n!touch P\\n.png' holds a control "
                            "character: it cannot go into a gnuplot script");
    o.png_path = "q'.png";
    s = tg_plot_history("good.csv", &o);
    ck_assert_str_eq(s.msg, "plot: the PNG path 'q'.png' holds a quote: it cannot go into a "
                            "gnuplot script");
    o.png_path = "`touch P`.png";
    s = tg_plot_history("good.csv", &o);
    ck_assert_str_eq(s.msg, "plot: the PNG path '`touch P`.png' holds a quote: it cannot go into "
                            "a gnuplot script");
    o = tg_plot_defaults();
    s = tg_plot_history("it's.csv", &o);
    ck_assert_str_eq(s.msg, "plot: the history CSV path 'it's.csv' holds a quote: it cannot go "
                            "into a gnuplot script");
    o.text_path = "|touch P";
    s = tg_plot_history("good.csv", &o);
    ck_assert_str_eq(s.msg, "plot: the text plot path '|touch P' starts with a pipe character, "
                            "which gnuplot would run as a command: it cannot go into a gnuplot "
                            "script");
    char left[1024];
    tg_scratch_list(".", left, sizeof left);
    ck_assert_str_eq(left, "<touch P;cat good.csv good.csv it's.csv");
    tg_scratch_close(&d);
}
END_TEST

/* Ordinary paths still draw: spaces, characters that mean something to
 * gnuplot outside quotes (@ $ # !), and first characters that mean
 * something in a file name (-, ~, +), which the script writes as ./name. */
START_TEST(paths_with_spaces_and_odd_starts_are_drawn)
{
    tg_scratch d = {.n = 0};
    tg_scratch_open(&d);
    ck_assert_int_eq(chdir(d.dir), 0);
    ck_assert_int_eq(mkdir("a b", 0755), 0);
    write_history("a b/h i.csv");
    write_history("-h.csv");
    write_history("a b/@x$y#z!.csv");
    tg_plot_opts o = tg_plot_defaults();
    tg_status s = tg_plot_history("a b/h i.csv", &o);
    ck_assert_msg(tg_is_ok(&s), "%s", s.msg);
    s = tg_plot_history("a b/@x$y#z!.csv", &o);
    ck_assert_msg(tg_is_ok(&s), "%s", s.msg);
    o.png_path = "~p.png";
    o.text_path = "+t.txt";
    s = tg_plot_history("-h.csv", &o);
    ck_assert_msg(tg_is_ok(&s), "%s", s.msg);
    char left[1024];
    tg_scratch_list("a b", left, sizeof left);
    ck_assert_str_eq(left, "@x$y#z!.csv @x$y#z!.gp @x$y#z!.png @x$y#z!.txt h i.csv h i.gp h i.png "
                           "h i.txt");
    tg_scratch_list(".", left, sizeof left);
    ck_assert_str_eq(left, "+t.txt -h.csv a b ~p.gp ~p.png");
    size_t n;
    char *png = slurp("~p.png", &n);
    ck_assert(n > 1000 && !memcmp(png, "\x89PNG\r\n\x1a\n", 8));
    ck_assert(!memcmp(png + n - 8, "IEND", 4));
    free(png);
    tg_scratch_close(&d);
}
END_TEST

/* plot h.txt wrote the text plot over the history, plot h.gp the script,
 * plot k.csv -o k.csv the PNG: refused, however the path is spelled, and
 * the history is untouched. */
START_TEST(outputs_never_replace_the_history)
{
    tg_scratch d = {.n = 0};
    tg_scratch_open(&d);
    ck_assert_int_eq(chdir(d.dir), 0);
    ck_assert_int_eq(mkdir("sub", 0755), 0);
    write_history("h.txt");
    write_history("h.gp");
    write_history("k.csv");
    size_t n;
    char *before = slurp("k.csv", &n);
    tg_plot_opts o = tg_plot_defaults();
    tg_status s = tg_plot_history("h.txt", &o);
    ck_assert_str_eq(s.msg, "plot: the text plot h.txt would also be the history CSV: choose "
                            "other names");
    s = tg_plot_history("h.gp", &o);
    ck_assert_str_eq(s.msg, "plot: the gnuplot script h.gp would also be the history CSV: "
                            "choose other names");
    o.png_path = "k.csv";
    s = tg_plot_history("k.csv", &o);
    ck_assert_str_eq(s.msg, "plot: the PNG k.csv would also be the history CSV: choose other "
                            "names");
    o.png_path = "sub/../k.csv";
    s = tg_plot_history("./k.csv", &o);
    ck_assert_str_eq(s.msg, "plot: the PNG sub/../k.csv would also be the history CSV: choose "
                            "other names");
    o.png_path = "p.png";
    o.text_path = "./p.png";
    s = tg_plot_history("k.csv", &o);
    ck_assert_str_eq(s.msg, "plot: the text plot ./p.png would also be the PNG: choose other "
                            "names");
    o.text_path = "p.gp";
    s = tg_plot_history("k.csv", &o);
    ck_assert_str_eq(s.msg, "plot: the gnuplot script p.gp would also be the text plot: choose "
                            "other names");
    assert_same_bytes("k.csv", before, n);
    free(before);
    /* plot / said "empty file" */
    s = tg_plot_history("/", NULL);
    ck_assert_str_eq(s.msg, "history /: not a regular file (a directory)");
    char left[1024];
    tg_scratch_list(".", left, sizeof left);
    ck_assert_str_eq(left, "h.gp h.txt k.csv sub");
    tg_scratch_close(&d);
}
END_TEST

/* PATH holding only a fake gnuplot: a shell script doing what `body` says
 * with $1 the script, $png the first output it names. */
static void fake_gnuplot(tg_scratch *d, const char *body)
{
    char dir[700], exe[800];
    snprintf(dir, sizeof dir, "%s/bin", d->dir);
    mkdir(dir, 0755);
    snprintf(exe, sizeof exe, "%s/gnuplot", dir);
    FILE *f = fopen(exe, "w");
    ck_assert_ptr_nonnull(f);
    fprintf(f, "#!/bin/sh\nPATH=/usr/bin:/bin\n"
               "png=$(sed -n \"s/^set output '\\(.*\\)'$/\\1/p\" \"$1\" | head -n 1)\n%s\n",
            body);
    ck_assert_int_eq(fclose(f), 0);
    ck_assert_int_eq(chmod(exe, 0755), 0);
    setenv("PATH", dir, 1);
}

/* Draws once for real, then lets each broken gnuplot try to replace the
 * outputs: each is an error, the old PNG and text stay byte for byte, and
 * no temporary file is left. */
START_TEST(a_broken_gnuplot_keeps_the_old_outputs)
{
    tg_scratch d = {.n = 0};
    tg_scratch_open(&d);
    const char *csv = tg_scratch_path(&d, "h.csv");
    const char *png = tg_scratch_path(&d, "h.png");
    const char *txt = tg_scratch_path(&d, "h.txt");
    write_history(csv);
    tg_status s = tg_plot_history(csv, NULL);
    ck_assert_msg(tg_is_ok(&s), "%s", s.msg);
    size_t png_n, txt_n;
    char *old_png = slurp(png, &png_n), *old_txt = slurp(txt, &txt_n);
    char cut_png[800];
    snprintf(cut_png, sizeof cut_png, "head -c 1000 '%s' > \"$png\"", png);
    static const char *const bodies[] = {"exit 0", "exit 1", NULL, "echo text > \"$png\""};
    char want[4][800];
    snprintf(want[0], sizeof want[0],
             "plot: gnuplot wrote 0 bytes that are not a whole PNG (disk full?): %s is kept as it "
             "was",
             png);
    snprintf(want[1], sizeof want[1], "plot: gnuplot failed (exit status 1): nothing was replaced");
    snprintf(want[2], sizeof want[2],
             "plot: gnuplot wrote 1000 bytes that are not a whole PNG (disk full?): %s is kept "
             "as it was",
             png);
    snprintf(want[3], sizeof want[3],
             "plot: gnuplot wrote 5 bytes that are not a whole PNG (disk full?): %s is kept as it "
             "was",
             png);
    for (int i = 0; i < 4; i++) {
        fake_gnuplot(&d, bodies[i] ? bodies[i] : cut_png);
        s = tg_plot_history(csv, NULL);
        ck_assert_str_eq(s.msg, want[i]);
        assert_same_bytes(png, old_png, png_n);
        assert_same_bytes(txt, old_txt, txt_n);
        char left[1024];
        tg_scratch_list(d.dir, left, sizeof left);
        ck_assert_str_eq(left, "bin h.csv h.gp h.png h.txt");
    }
    free(old_png);
    free(old_txt);
    tg_scratch_close(&d);
}
END_TEST

/* In a child whose disk is full (gnuplot inherits the limit). */
static int plot_past_the_limit(void *csv)
{
    tg_status s = tg_plot_history(csv, NULL);
    char want[800];
    snprintf(want, sizeof want,
             "plot: gnuplot wrote 4096 bytes that are not a whole PNG (disk full?): %.*s.png is "
             "kept as it was",
             (int)strlen(csv) - 4, (const char *)csv);
    if (strcmp(s.msg, want)) {
        fprintf(stderr, "got  %s\nwant %s\n", s.msg, want);
        return 1;
    }
    return 0;
}

/* The real gnuplot on a full disk writes a cut PNG and exits 0: it was
 * reported as "wrote h.png" over a good one. Now the old PNG stays. */
START_TEST(a_full_disk_keeps_the_old_png)
{
    tg_scratch d = {.n = 0};
    tg_scratch_open(&d);
    const char *csv = tg_scratch_path(&d, "h.csv");
    const char *png = tg_scratch_path(&d, "h.png");
    write_history(csv);
    tg_status s = tg_plot_history(csv, NULL);
    ck_assert_msg(tg_is_ok(&s), "%s", s.msg);
    size_t png_n;
    char *old_png = slurp(png, &png_n);
    ck_assert_uint_gt(png_n, 4096);
    tg_scratch_in_child(plot_past_the_limit, (void *)csv, (tg_child_opts){.file_limit = 4096});
    assert_same_bytes(png, old_png, png_n);
    char left[1024];
    tg_scratch_list(d.dir, left, sizeof left);
    ck_assert_str_eq(left, "h.csv h.gp h.png h.txt");
    free(old_png);
    tg_scratch_close(&d);
}
END_TEST

Suite *tg_test_suite(void)
{
    Suite *s = suite_create("plot_safety");
    TCase *tc = tcase_create("plot_safety");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, script_is_the_writers_statements);
    tcase_add_test(tc, metric_names_must_be_identifiers);
    tcase_add_test(tc, paths_gnuplot_would_run_are_refused);
    tcase_add_test(tc, paths_with_spaces_and_odd_starts_are_drawn);
    tcase_add_test(tc, outputs_never_replace_the_history);
    tcase_add_test(tc, a_broken_gnuplot_keeps_the_old_outputs);
    tcase_add_test(tc, a_full_disk_keeps_the_old_png);
    suite_add_tcase(s, tc);
    return s;
}
