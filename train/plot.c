#include "train/plot.h"

#include <errno.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "train/history.h"

extern char **environ;

tg_plot_opts tg_plot_defaults(void)
{
    return (tg_plot_opts){NULL, 800, 600, NULL, 79, 30};
}

/* path with its extension (if any) replaced by ext. */
static void with_extension(const char *path, const char *ext, char *buf, size_t len)
{
    const char *slash = strrchr(path, '/'), *dot = strrchr(path, '.');
    size_t stem = dot && (!slash || dot > slash) ? (size_t)(dot - path) : strlen(path);
    snprintf(buf, len, "%.*s%s", (int)stem, path, ext);
}

/* gnuplot strings are single-quoted here; a quote or newline in a path
 * would end one, so such paths are refused. */
static int quotable(const char *path)
{
    return !strpbrk(path, "'\n\r");
}

static int gnuplot_on_path(void)
{
    const char *path = getenv("PATH");
    if (!path)
        return 0;
    char dir[PATH_MAX], exe[PATH_MAX + 16];
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

static tg_status run_gnuplot(const char *script)
{
    char *argv[] = {"gnuplot", (char *)script, NULL};
    pid_t pid;
    int err = posix_spawnp(&pid, "gnuplot", NULL, NULL, argv, environ);
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
    char png[PATH_MAX], txt[PATH_MAX], script[PATH_MAX];
    if (o.png_path)
        snprintf(png, sizeof png, "%s", o.png_path);
    else
        with_extension(csv_path, ".png", png, sizeof png);
    if (o.text_path)
        snprintf(txt, sizeof txt, "%s", o.text_path);
    else
        with_extension(png, ".txt", txt, sizeof txt);
    with_extension(png, ".gp", script, sizeof script);
    if (!quotable(csv_path) || !quotable(png) || !quotable(txt))
        return tg_status_error("plot: a path with a quote or a newline cannot go into a gnuplot "
                               "script: %s", csv_path);
    tg_history h;
    tg_status s = tg_history_load_csv(&h, csv_path);
    if (!tg_is_ok(&s))
        return s;
    s = write_script(script, csv_path, png, txt, &o, &h);
    tg_history_free(&h);
    if (!tg_is_ok(&s))
        return s;
    if (!gnuplot_on_path())
        return tg_status_error("plot: gnuplot is not on PATH; wrote %s for %s: install gnuplot "
                               "(Debian: gnuplot-nox) and run `gnuplot %s`",
                               script, csv_path, script);
    return run_gnuplot(script);
}
