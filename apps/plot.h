/* Training curves through gnuplot, from a History CSV (history.h):
 * loss and val_loss in one panel, the first metric and its val_ twin in a
 * second, drawn twice by one script: a PNG through the pngcairo terminal
 * and the same panels as text through the dumb terminal.
 *
 * The script is written next to the PNG (out.png -> out.gp) and kept, so it
 * can be edited and rerun by hand. Without gnuplot on PATH, the script is
 * still written and the status says how to draw it. */
#ifndef TG_PLOT_H
#define TG_PLOT_H

#include <limits.h>

#include "tensor/error.h"

/* The files a plot writes, as tg_plot_history named them. */
typedef struct tg_plot_paths {
    char png[PATH_MAX], text[PATH_MAX], script[PATH_MAX];
} tg_plot_paths;

typedef struct tg_plot_opts {
    const char *png_path;  /* NULL: the CSV's path with .png for .csv */
    int width, height;     /* PNG pixels (default 800 x 600) */
    const char *text_path; /* NULL: the PNG's path with .txt for .png */
    int text_width, text_height; /* dumb terminal characters (default 79 x 30) */
    /* Not NULL: receives the paths used, set once they are named (before
     * anything is written, so also when gnuplot is missing or fails). */
    tg_plot_paths *paths;
} tg_plot_opts;

tg_plot_opts tg_plot_defaults(void);

/* Writes the script and runs gnuplot on it. */
tg_status tg_plot_history(const char *csv_path, const tg_plot_opts *opts);

#endif
