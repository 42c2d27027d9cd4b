/* What the picture files of apps/ share (picture_files.c): naming and
 * opening the files of a picture, and running Graphviz or gnuplot on them;
 * and the writers of each picture, which the registry (pictures.c) calls.
 * Not installed. */
#ifndef TG_APPS_PICTURES_H
#define TG_APPS_PICTURES_H

#include <stdio.h>

#include "apps/apps.h"

/* path with its extension (if any) replaced by ext; 0 when it does not fit. */
int tg_picture_sibling(const char *path, const char *ext, char *buf, size_t len);

/* A file of a picture being written: to a temporary file beside path,
 * put in place whole when closed. */
typedef struct tg_picture_out {
    FILE *f;
    char *tmp;
    const char *path;
} tg_picture_out;

/* Opens a temporary file beside path for writing: its stream (also in
 * out->f), or NULL with *st saying why. */
FILE *tg_picture_open(tg_picture_out *out, const char *path, tg_status *st);
/* Closes it and, when everything reached the file, puts it in place of
 * out->path (fsync, rename); otherwise the old file stays as it was. */
tg_status tg_picture_close(tg_picture_out *out);

/* Runs program (looked up on PATH) with argv, argv[0] the program, and
 * waits. Missing from PATH: a status that names `install` (the Debian
 * package) and the command to run by hand, `by_hand`. */
tg_status tg_picture_spawn(const char *program, char *const argv[], const char *install,
                           const char *by_hand);

/* Draws the picture: gnuplot on files->script, dot on files->data (a DOT
 * graph). Each draws into temporary files beside the PNG (and the text
 * plot, files->text, when there is one), which replace the old ones only
 * once the program has finished and they are whole. */
tg_status tg_picture_gnuplot(const tg_picture_files *files);
tg_status tg_picture_dot(const tg_picture_files *files);

/* The opening of every gnuplot script of a picture: a comment naming the
 * picture, the PNG terminal (pngcairo, width x height) and its output,
 * outfile (a temporary file when tapegrad draws, else png). */
void tg_picture_gnuplot_header(FILE *f, const char *name, const char *png, int width, int height);
/* The text panel's terminal (dumb, width x height characters) and output,
 * outtext (likewise, else text). */
void tg_picture_gnuplot_text(FILE *f, const char *text, int width, int height);

/* The writers of each picture: data files and script next to files->png,
 * named in *files (graph.c, pictures_vanishing.c, pictures_gates.c,
 * pictures_filters.c, pictures_next_frame.c). The image model's two pictures share its training:
 * either may be NULL. */
tg_status tg_picture_tape(const char *name, tg_picture_files *files);
tg_status tg_picture_vanishing(tg_picture_files *files);
tg_status tg_picture_gates(tg_picture_files *files);
tg_status tg_picture_image_model(const tg_picture_files *filters, const tg_picture_files *rows);
tg_status tg_picture_next_frame(tg_picture_files *files);

#endif
