/* What every picture's writer shares (picture_files.c): paths that a
 * script may hold, the files beside a PNG, opening and closing them, the
 * head of a gnuplot script, and running the program that draws, spawned
 * with an argument vector, never through a shell. What goes into a gnuplot
 * script is this library's own text and numbers, and paths that
 * tg_picture_path_ok accepted. */
#include "apps/internal/pictures.h"
#include "apps/internal/program.h"

#include <errno.h>
#include <string.h>

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

FILE *tg_picture_open(const char *path, tg_status *st)
{
    FILE *f = fopen(path, "w");
    if (!f)
        *st = tg_status_error("picture: cannot write %s: %s", path, strerror(errno));
    return f;
}

tg_status tg_picture_close(FILE *f, const char *path)
{
    int bad = ferror(f);
    bad |= fclose(f) != 0;
    return bad ? tg_status_error("picture: write failed on %s", path) : tg_status_ok();
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

tg_status tg_picture_gnuplot(const char *script)
{
    char by_hand[TG_PATH_MAX + 16];
    snprintf(by_hand, sizeof by_hand, "gnuplot %s", script);
    char *argv[] = {"gnuplot", (char *)script, NULL};
    return tg_picture_spawn("gnuplot", argv, "gnuplot (Debian: gnuplot-nox)", by_hand);
}

void tg_picture_gnuplot_header(FILE *f, const char *name, const char *png, int width, int height)
{
    fprintf(f, "# The picture '%s', drawn by tapegrad from its own numbers (tapegrad graph %s).\n"
               "set terminal pngcairo noenhanced size %d,%d font ',10'\nset output '%s'\n",
            name, name, width, height, png);
}

