/* What every picture's writer shares (picture_files.c): paths that a
 * script may hold, the files beside a PNG, opening and closing them, the
 * head of a gnuplot script, and running the program that draws, spawned
 * with an argument vector, never through a shell. What goes into a gnuplot
 * script is this library's own text and numbers, and paths that
 * tg_picture_path_ok accepted. */
#include "apps/internal/pictures.h"
#include "apps/internal/program.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tensor/internal/file.h"

int tg_picture_path_ok(const char *path)
{
    if (!path[0] || path[0] == '<' || path[0] == '|' || path[0] == '-')
        return 0;
    for (const char *p = path; *p; p++)
        if (*p == '\'' || *p == '"' || (unsigned char)*p < 0x20 || *p == 0x7f)
            return 0;
    return 1;
}

int tg_picture_sibling(const char *path, const char *ext, char *buf, size_t len)
{
    const char *slash = strrchr(path, '/'), *dot = strrchr(path, '.');
    const size_t stem = dot && (!slash || dot > slash) ? (size_t)(dot - path) : strlen(path);
    const int n = snprintf(buf, len, "%.*s%s", (int)stem, path, ext);
    return n >= 0 && (size_t)n < len;
}

FILE *tg_picture_open(tg_picture_out *out, const char *path, tg_status *st)
{
    out->path = path;
    out->f = NULL;
    int fd;
    *st = tg_file_temp(path, &out->tmp, &fd);
    if (!tg_is_ok(st)) {
        *st = tg_status_error("picture: %s", st->msg);
        return NULL;
    }
    out->f = fdopen(fd, "w");
    if (!out->f) {
        *st = tg_status_error("picture: cannot write %s: %s", out->tmp, strerror(errno));
        close(fd);
        unlink(out->tmp);
        free(out->tmp);
        out->tmp = NULL;
    }
    return out->f;
}

tg_status tg_picture_close(tg_picture_out *out)
{
    int bad = ferror(out->f);
    bad |= fclose(out->f) != 0;
    out->f = NULL;
    tg_status st = tg_status_ok();
    if (bad) {
        st = tg_status_error("picture: write failed on %s: %s is kept as it was", out->tmp,
                             out->path);
        unlink(out->tmp);
    } else {
        st = tg_file_replace(out->tmp, out->path);
        if (!tg_is_ok(&st))
            st = tg_status_error("picture: %s", st.msg);
    }
    free(out->tmp);
    out->tmp = NULL;
    return st;
}

tg_status tg_picture_spawn(const char *program, char *const argv[], const char *install,
                           const char *by_hand)
{
    if (!tg_program_on_path(program))
        return tg_status_error("picture: %s is not on PATH, so the PNG is not drawn (its files "
                               "are written): install %s and run `%s`", program, install, by_hand);
    tg_status st = tg_program_run("picture", argv);
    return tg_is_ok(&st) ? st : tg_status_error("%s: `%s`", st.msg, by_hand);
}

/* A new empty file beside path, closed (the drawing program opens it by
 * its name), in *tmp. */
static tg_status temporary(const char *path, char **tmp)
{
    int fd;
    tg_status st = tg_file_temp(path, tmp, &fd);
    if (tg_is_ok(&st))
        close(fd);
    else
        st = tg_status_error("picture: %s", st.msg);
    return st;
}

/* What the program drew into tmp, checked (a whole PNG, or a text plot that
 * is not empty), replaces path; tmp is gone either way. */
static tg_status put_in_place(const char *program, char **tmp, const char *path, int png,
                              tg_status st)
{
    if (!*tmp)
        return st;
    if (tg_is_ok(&st) && png)
        st = tg_program_check_png("picture", program, *tmp, path);
    if (tg_is_ok(&st) && !png) {
        struct stat sb;
        if (stat(*tmp, &sb) != 0 || sb.st_size == 0)
            st = tg_status_error("picture: %s wrote no text plot: %s is kept as it was", program,
                                 path);
    }
    if (tg_is_ok(&st)) {
        st = tg_file_replace(*tmp, path);
        if (!tg_is_ok(&st))
            st = tg_status_error("picture: %s", st.msg);
    } else {
        unlink(*tmp);
    }
    free(*tmp);
    *tmp = NULL;
    return st;
}

tg_status tg_picture_gnuplot(const tg_picture_files *files)
{
    char by_hand[TG_PATH_MAX + 16];
    snprintf(by_hand, sizeof by_hand, "gnuplot %s", files->script);
    char *png = NULL, *text = NULL;
    tg_status st = temporary(files->png, &png);
    if (tg_is_ok(&st) && files->text[0])
        st = temporary(files->text, &text);
    /* The script draws into outfile and outtext when they are set, and
     * into the final files when it is run by hand. The temporary names are
     * the final ones, which tg_picture_path_ok accepted, and a suffix of
     * letters and digits: nothing in them ends a quoted string. */
    char assign[3 * TG_PATH_MAX];
    if (tg_is_ok(&st))
        snprintf(assign, sizeof assign, "outfile = '%s'; outtext = '%s'", png, text ? text : "");
    char *argv[] = {"gnuplot", "-e", assign, (char *)files->script, NULL};
    if (tg_is_ok(&st))
        st = tg_picture_spawn("gnuplot", argv, "gnuplot (Debian: gnuplot-nox)", by_hand);
    st = put_in_place("gnuplot", &png, files->png, 1, st);
    return put_in_place("gnuplot", &text, files->text, 0, st);
}

tg_status tg_picture_dot(const tg_picture_files *files)
{
    char by_hand[3 * TG_PATH_MAX];
    snprintf(by_hand, sizeof by_hand, "dot -Tpng -o %s %s", files->png, files->data);
    char *png = NULL;
    tg_status st = temporary(files->png, &png);
    char *argv[] = {"dot", "-Tpng", "-o", png, (char *)files->data, NULL};
    if (tg_is_ok(&st))
        st = tg_picture_spawn("dot", argv, "Graphviz (Debian: graphviz)", by_hand);
    return put_in_place("dot", &png, files->png, 1, st);
}

void tg_picture_gnuplot_header(FILE *f, const char *name, const char *png, int width, int height)
{
    fprintf(f, "# The picture '%s', drawn by tapegrad from its own numbers (tapegrad graph %s).\n"
               "# tapegrad sets outfile (and outtext) to temporary files and puts them in\n"
               "# place once they are whole; run by hand, the script draws the files below.\n"
               "if (!exists(\"outfile\")) outfile = '%s'\n"
               "set terminal pngcairo noenhanced size %d,%d font ',10'\nset output outfile\n",
            name, name, png, width, height);
}

void tg_picture_gnuplot_text(FILE *f, const char *text, int width, int height)
{
    fprintf(f, "if (!exists(\"outtext\") || outtext eq '') outtext = '%s'\n"
               "set terminal dumb noenhanced size %d,%d\nset output outtext\n",
            text, width, height);
}
