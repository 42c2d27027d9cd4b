#include "apps/apps.h"

#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "train/train.h"

extern char **environ;

tg_plot_opts tg_plot_defaults(void)
{
    return (tg_plot_opts){.png_path = NULL, .width = 800, .height = 600, .text_path = NULL,
                          .text_width = 79, .text_height = 30, .paths = NULL};
}

/* path with its extension (if any) replaced by ext (or as it is, for a NULL
 * ext); 0 when it does not fit in buf. */
static int with_extension(const char *path, const char *ext, char *buf, size_t len)
{
    const char *slash = strrchr(path, '/'), *dot = strrchr(path, '.');
    size_t stem = ext && dot && (!slash || dot > slash) ? (size_t)(dot - path) : strlen(path);
    const int n = snprintf(buf, len, "%.*s%s", (int)stem, path, ext ? ext : "");
    return n >= 0 && (size_t)n < len;
}

/* gnuplot strings are single-quoted here; a quote or newline in a path
 * would end one, so such paths are refused. */
static int quotable(const char *path)
{
    return !strpbrk(path, "'\n\r");
}

/* One panel: the metric and, when there is validation data, its val_ twin.
 * style1/style2 are the two curves' gnuplot styles. */
static void panel(FILE *f, const char *csv, const char *name, int col, int val_col,
                  const char *style1, const char *style2)
{
    /* A rising curve (accuracy) ends top right: put its key bottom right. */
    fprintf(f, "set title '%s'\nset key %s right\n", name, strstr(name, "accuracy") ? "bottom" : "top");
    fprintf(f, "plot '%s' using 1:%d %s title '%s'", csv, col, style1, name);
    if (val_col)
        fprintf(f, ", \\\n     '' using 1:%d %s title 'val_%s'", val_col, style2, name);
    fprintf(f, "\n");
}

static void panels(FILE *f, const char *csv, const tg_history *h, const char *style1,
                   const char *style2)
{
    fprintf(f, "set multiplot layout %d,1\n", h->n_metrics ? 2 : 1);
    panel(f, csv, "loss", 2, h->has_val ? 3 : 0, style1, style2);
    if (h->n_metrics)
        panel(f, csv, h->metric_names[0], 4, h->has_val ? 5 : 0, style1, style2);
    fprintf(f, "unset multiplot\n");
}

static tg_status write_script(const char *script, const char *csv, const char *png,
                              const char *txt, const tg_plot_opts *o, const tg_history *h)
{
    FILE *f = fopen(script, "w");
    if (!f)
        return tg_status_error("plot: cannot write %s: %s", script, strerror(errno));
    fprintf(f, "# Training curves of %s (written by tapegrad; run: gnuplot %s)\n", csv, script);
    fprintf(f, "set datafile separator ','\nset key autotitle columnhead\n");
    fprintf(f, "set xlabel 'epoch'\n");
    /* Epochs are whole numbers: one tic each while they fit. */
    if (h->n_epochs <= 20)
        fprintf(f, "set xtics 1\n");
    /* The PNG: solid training curve, dashed validation curve, with points. */
    fprintf(f, "\nset terminal pngcairo noenhanced size %d,%d\nset output '%s'\nset grid\n",
            o->width, o->height, png);
    panels(f, csv, h, "with linespoints lw 2 pt 7 ps 0.6",
           "with linespoints lw 2 dt 2 pt 5 ps 0.6");
    /* The text: the dumb terminal draws the first curve in '*', the second in '#'. */
    fprintf(f, "\nset terminal dumb noenhanced size %d,%d\nset output '%s'\nunset grid\n",
            o->text_width, o->text_height, txt);
    panels(f, csv, h, "with lines", "with lines");
    fprintf(f, "set output\n");
    int bad = ferror(f);
    bad |= fclose(f) != 0;
    return bad ? tg_status_error("plot: write failed on %s", script) : tg_status_ok();
}

/* The PNG (given, or the CSV's name with .png), the text plot (given, or the
 * PNG's name with .txt) and the script (the PNG's name with .gp). */
static tg_status name_paths(const char *csv, const tg_plot_opts *o, tg_plot_paths *p)
{
    const char *too_long = NULL;
    if (!with_extension(o->png_path ? o->png_path : csv, o->png_path ? NULL : ".png", p->png,
                        sizeof p->png))
        too_long = o->png_path ? o->png_path : csv;
    else if (!with_extension(o->text_path ? o->text_path : p->png, o->text_path ? NULL : ".txt",
                             p->text, sizeof p->text))
        too_long = o->text_path ? o->text_path : p->png;
    else if (!with_extension(p->png, ".gp", p->script, sizeof p->script))
        too_long = p->png;
    if (too_long)
        return tg_status_error("plot: a path of %zu bytes is too long for the outputs named "
                               "after it (the limit is %d): %s",
                               strlen(too_long), TG_PATH_MAX, too_long);
    return tg_status_ok();
}

/* Whether an executable gnuplot is in one of PATH's directories, searched
 * as the shell does (an empty entry is the current directory). Looked up
 * before spawning: whether posix_spawnp reports a missing program as ENOENT
 * or as a child that exits with 127 depends on the C library (and on
 * valgrind, which emulates it), and only the first can be told from a
 * gnuplot that ran and failed. */
static int gnuplot_on_path(void)
{
    const char *path = getenv("PATH");
    if (!path)
        return 0;
    char dir[TG_PATH_MAX], exe[TG_PATH_MAX + 16];
    for (const char *p = path;;) {
        size_t n = strcspn(p, ":");
        snprintf(dir, sizeof dir, "%.*s", (int)n, n ? p : ".");
        snprintf(exe, sizeof exe, "%s/gnuplot", dir);
        if (n < sizeof dir && access(exe, X_OK) == 0)
            return 1;
        if (!p[n])
            return 0;
        p += n + 1;
    }
}

static tg_status run_gnuplot(const char *script, const char *csv)
{
    char *argv[] = {"gnuplot", (char *)script, NULL};
    pid_t pid;
    int err = gnuplot_on_path() ? posix_spawnp(&pid, "gnuplot", NULL, NULL, argv, environ)
                                : ENOENT;
    if (err == ENOENT)
        return tg_status_error("plot: gnuplot is not on PATH; wrote %s for %s: install gnuplot "
                               "(Debian: gnuplot-nox) and run `gnuplot %s`",
                               script, csv, script);
    if (err)
        return tg_status_error("plot: cannot run gnuplot: %s", strerror(err));
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return tg_status_error("plot: waiting for gnuplot: %s", strerror(errno));
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
        return tg_status_error("plot: gnuplot failed on %s (exit status %d)", script,
                               WIFEXITED(st) ? WEXITSTATUS(st) : -1);
    return tg_status_ok();
}

tg_status tg_plot_history(const char *csv_path, const tg_plot_opts *opts)
{
    tg_plot_opts o = opts ? *opts : tg_plot_defaults();
    if (o.width < 16 || o.height < 16 || o.width > 10000 || o.height > 10000)
        return tg_status_error("plot: a PNG of %d x %d pixels is not drawable", o.width, o.height);
    if (o.text_width < 40 || o.text_height < 10)
        o.text_width = 79, o.text_height = 30;
    tg_plot_paths own = {{0}, {0}, {0}}, *p = o.paths ? o.paths : &own;
    tg_status s = name_paths(csv_path, &o, p);
    if (!tg_is_ok(&s))
        return s;
    if (!quotable(csv_path) || !quotable(p->png) || !quotable(p->text))
        return tg_status_error("plot: a path with a quote or a newline cannot go into a gnuplot "
                               "script: %s", csv_path);
    tg_history h;
    s = tg_history_load_csv(&h, csv_path);
    if (!tg_is_ok(&s))
        return s;
    s = write_script(p->script, csv_path, p->png, p->text, &o, &h);
    tg_history_free(&h);
    if (!tg_is_ok(&s))
        return s;
    return run_gnuplot(p->script, csv_path);
}
