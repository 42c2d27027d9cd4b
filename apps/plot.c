#include "apps/apps.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "apps/internal/program.h"
#include "tensor/internal/file.h"
#include "train/train.h"

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

/* ---- what may go into the script ---- */

/* Why a path cannot be named in a gnuplot script, or NULL when it can.
 * Paths go into single-quoted strings, where gnuplot interprets nothing
 * but the quote itself (backquotes and macros are not expanded there); a
 * control byte would end the line. A name starting with '<' is read as a
 * command whose output is plotted, one starting with '|' as a command to
 * pipe the output to. Every relative path is also written as "./path", so
 * that no other first character ('-', '+', '~', an empty name) means
 * anything to gnuplot either. */
static const char *unquotable(const char *path)
{
    if (!*path)
        return "is empty";
    if (path[0] == '<' || path[0] == '|')
        return "starts with a pipe character, which gnuplot would run as a command";
    for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
        if (*p == '\'' || *p == '"' || *p == '`')
            return "holds a quote";
        if (*p < 0x20 || *p == 0x7f)
            return "holds a control character";
    }
    return NULL;
}

/* What each of a plot's files is, in the order they are named. */
static const char *const roles[4] = {"history CSV", "PNG", "text plot", "gnuplot script"};

/* The first of paths[0 .. n) (in the order of roles) that cannot be
 * quoted, refused. */
static tg_status all_quotable(const char *const *paths, int n)
{
    for (int i = 0; i < n; i++) {
        const char *why = unquotable(paths[i]);
        if (why)
            return tg_status_error("plot: the %s path '%.200s' %s: it cannot go into a gnuplot "
                                   "script",
                                   roles[i], paths[i], why);
    }
    return tg_status_ok();
}

/* A path as a gnuplot string: quoted, and "./" before a relative one. */
static void put_path(tg_text *t, const char *path)
{
    tg_text_put(t, "'%s%s'", path[0] == '/' ? "" : "./", path);
}

/* One panel: the metric and, when there is validation data, its val_ twin.
 * style1/style2 are the two curves' gnuplot styles. */
static void panel(tg_text *t, const char *csv, const char *name, int col, int val_col,
                  const char *style1, const char *style2)
{
    /* A rising curve (accuracy) ends top right: put its key bottom right. */
    tg_text_put(t, "set title '%s'\nset key %s right\n", name,
                strstr(name, "accuracy") ? "bottom" : "top");
    tg_text_put(t, "plot ");
    put_path(t, csv);
    tg_text_put(t, " using 1:%d %s title '%s'", col, style1, name);
    if (val_col)
        tg_text_put(t, ", \\\n     '' using 1:%d %s title 'val_%s'", val_col, style2, name);
    tg_text_put(t, "\n");
}

static void panels(tg_text *t, const char *csv, const tg_history *h, const char *style1,
                   const char *style2)
{
    tg_text_put(t, "set multiplot layout %d,1\n", h->n_metrics ? 2 : 1);
    panel(t, csv, "loss", 2, h->has_val ? 3 : 0, style1, style2);
    if (h->n_metrics)
        panel(t, csv, h->metric_names[0], 4, h->has_val ? 5 : 0, style1, style2);
    tg_text_put(t, "unset multiplot\n");
}

tg_status tg_plot_script(const tg_history *h, const char *csv, const char *png, const char *text,
                         const tg_plot_opts *o, char **script)
{
    const tg_plot_opts defaults = tg_plot_defaults();
    if (!o)
        o = &defaults;
    const char *const paths[3] = {csv, png, text};
    tg_status st = all_quotable(paths, 3);
    if (!tg_is_ok(&st))
        return st;
    for (int i = 0; i < h->n_metrics && i < 1; i++)
        if (!tg_history_name_valid(h->metric_names[i]))
            return tg_status_error("plot: the metric name '%.40s' is not an identifier (letters, "
                                   "digits and _)",
                                   h->metric_names[i]);
    tg_text t = {NULL, 0, 0};
    tg_text_put(&t, "# Training curves, drawn by tapegrad: run gnuplot on this file to draw them "
                    "again\n");
    tg_text_put(&t, "set datafile separator ','\nset key autotitle columnhead\n");
    tg_text_put(&t, "set xlabel 'epoch'\n");
    /* Epochs are whole numbers: one tic each while they fit. */
    if (h->n_epochs <= 20)
        tg_text_put(&t, "set xtics 1\n");
    /* The PNG: solid training curve, dashed validation curve, with points. */
    tg_text_put(&t, "\nset terminal pngcairo noenhanced size %d,%d\nset output ", o->width,
                o->height);
    put_path(&t, png);
    tg_text_put(&t, "\nset grid\n");
    panels(&t, csv, h, "with linespoints lw 2 pt 7 ps 0.6",
           "with linespoints lw 2 dt 2 pt 5 ps 0.6");
    /* The text: the dumb terminal draws the first curve in '*', the second in '#'. */
    tg_text_put(&t, "\nset terminal dumb noenhanced size %d,%d\nset output ", o->text_width,
                o->text_height);
    put_path(&t, text);
    tg_text_put(&t, "\nunset grid\n");
    panels(&t, csv, h, "with lines", "with lines");
    tg_text_put(&t, "set output\n");
    *script = t.b;
    return tg_status_ok();
}

/* ---- the outputs' names ---- */

tg_status tg_plot_name(const char *csv, const tg_plot_opts *o, tg_plot_paths *p)
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
    const char *const files[4] = {csv, p->png, p->text, p->script};
    tg_status st = all_quotable(files, 4);
    if (!tg_is_ok(&st))
        return st;
    for (int i = 0; i < 4; i++)
        for (int j = i + 1; j < 4; j++)
            if (tg_file_same(files[i], files[j]))
                return tg_status_error("plot: the %s %.200s would also be the %s: choose "
                                       "other names",
                                       roles[j], files[j], roles[i]);
    return tg_status_ok();
}

/* ---- running gnuplot ---- */

static tg_status check_text(const char *path, const char *final)
{
    struct stat sb;
    if (stat(path, &sb) != 0 || sb.st_size == 0)
        return tg_status_error("plot: gnuplot wrote no text plot: %s is kept as it was", final);
    return tg_status_ok();
}

/* A temporary file beside path (closed: gnuplot opens it by its name). */
static tg_status make_temporary(const char *path, char **tmp)
{
    int fd;
    tg_status st = tg_file_temp(path, tmp, &fd);
    if (tg_is_ok(&st))
        close(fd);
    return st;
}

/* Puts the checked temporary file *tmp in place of path; *tmp is gone
 * either way (renamed, or removed by tg_file_replace on failure). */
static tg_status replace(char **tmp, const char *path)
{
    tg_status st = tg_file_replace(*tmp, path);
    free(*tmp);
    *tmp = NULL;
    return st;
}

/* Runs the script with temporary output names beside the final ones: the
 * PNG and the text replace the old files only once gnuplot has finished
 * and they are checked whole. */
static tg_status draw(const tg_history *h, const char *csv, const tg_plot_paths *p,
                      const tg_plot_opts *o)
{
    char *png = NULL, *txt = NULL, *script = NULL, *text = NULL;
    tg_status st = make_temporary(p->png, &png);
    if (tg_is_ok(&st))
        st = make_temporary(p->text, &txt);
    if (tg_is_ok(&st))
        st = tg_plot_script(h, csv, png, txt, o, &text);
    int fd = -1;
    if (tg_is_ok(&st))
        st = tg_file_temp(p->script, &script, &fd);
    if (tg_is_ok(&st)) {
        const size_t len = strlen(text);
        const int failed = write(fd, text, len) != (ssize_t)len;
        if (close(fd) != 0 || failed)
            st = tg_status_error("%s: write failed: %s", script, strerror(errno));
    }
    free(text);
    if (tg_is_ok(&st)) {
        char *argv[] = {"gnuplot", script, NULL};
        st = tg_program_run("plot", argv);
        if (!tg_is_ok(&st))
            st = tg_status_error("%s: nothing was replaced", st.msg);
    }
    if (tg_is_ok(&st))
        st = tg_program_check_png("plot", "gnuplot", png, p->png);
    if (tg_is_ok(&st))
        st = check_text(txt, p->text);
    if (tg_is_ok(&st))
        st = replace(&png, p->png);
    if (tg_is_ok(&st))
        st = replace(&txt, p->text);
    char *const left[3] = {png, txt, script};
    for (int i = 0; i < 3; i++)
        if (left[i]) {
            remove(left[i]);
            free(left[i]);
        }
    return tg_is_ok(&st) || !strncmp(st.msg, "plot: ", 6) ? st
                                                           : tg_status_error("plot: %s", st.msg);
}

tg_status tg_plot_history(const char *csv_path, const tg_plot_opts *opts)
{
    tg_plot_opts o = opts ? *opts : tg_plot_defaults();
    if (o.width < 16 || o.height < 16 || o.width > 10000 || o.height > 10000)
        return tg_status_error("plot: a PNG of %d x %d pixels is not drawable", o.width, o.height);
    if (o.text_width < 40 || o.text_height < 10)
        o.text_width = 79, o.text_height = 30;
    tg_plot_paths own = {{0}, {0}, {0}}, *p = o.paths ? o.paths : &own;
    tg_status s = tg_plot_name(csv_path, &o, p);
    if (!tg_is_ok(&s))
        return s;
    tg_history h;
    s = tg_history_load_csv(&h, csv_path);
    if (!tg_is_ok(&s))
        return s;
    /* The kept script names the final files, so that it redraws them. */
    char *kept = NULL;
    s = tg_plot_script(&h, csv_path, p->png, p->text, &o, &kept);
    if (tg_is_ok(&s)) {
        s = tg_write_file(p->script, kept, strlen(kept));
        if (!tg_is_ok(&s))
            s = tg_status_error("plot: %s", s.msg);
    }
    free(kept);
    if (tg_is_ok(&s) && !tg_program_on_path("gnuplot"))
        s = tg_status_error("plot: gnuplot is not on PATH; wrote %s for %s: install gnuplot "
                            "(Debian: gnuplot-nox) and run `gnuplot %s`",
                            p->script, csv_path, p->script);
    if (tg_is_ok(&s))
        s = draw(&h, csv_path, p, &o);
    tg_history_free(&h);
    return s;
}
