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

/* fopen(path, "w"), or NULL with *st saying why. */
FILE *tg_picture_open(const char *path, tg_status *st);
/* fclose, and a status that says whether everything reached the file. */
tg_status tg_picture_close(FILE *f, const char *path);

/* Runs program (looked up on PATH) with argv, argv[0] the program, and
 * waits. Missing from PATH: a status that names `install` (the Debian
 * package) and the command to run by hand, `by_hand`. */
tg_status tg_picture_spawn(const char *program, char *const argv[], const char *install,
                           const char *by_hand);

/* gnuplot SCRIPT, as tg_picture_spawn. */
tg_status tg_picture_gnuplot(const char *script);

/* The opening of every gnuplot script of a picture: a comment naming the
 * picture, the PNG terminal (pngcairo, width x height) and its output. */
void tg_picture_gnuplot_header(FILE *f, const char *name, const char *png, int width, int height);

/* The writers of each picture: data files and script next to files->png,
 * named in *files (graph.c, pictures_vanishing.c, pictures_gates.c,
 * pictures_filters.c). The image model's two pictures share its training:
 * either may be NULL. */
tg_status tg_picture_tape(const char *name, tg_picture_files *files);
tg_status tg_picture_vanishing(tg_picture_files *files);
tg_status tg_picture_gates(tg_picture_files *files);
tg_status tg_picture_image_model(const tg_picture_files *filters, const tg_picture_files *rows);

#endif
