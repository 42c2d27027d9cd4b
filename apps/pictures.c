/* The pictures of the docs: their registry, the names of their files, and
 * which writer and which program (Graphviz's dot, gnuplot) make each. */
#include "apps/internal/pictures.h"

#include <stdlib.h>
#include <string.h>

static const tg_picture pictures[] = {
    {"tape", "tutorial 1's L = a tanh(a b + c), its tape after backward (Graphviz)"},
    {"lstm_step", "one step of the document's LSTM, H = D = N = 1, after backward (Graphviz)"},
    {"simple_rnn", "three steps of SimpleRNN, H = D = N = 1, after backward (Graphviz)"},
    {"vanishing", "||dL/dx_t|| for t = 1..100, SimpleRNN and six LSTMs (gnuplot, log scale)"},
    {"gates", "the gates of the trained time-series model over one window (gnuplot)"},
    {"filters", "the trained image model's 32 kernels and one image's feature maps (gnuplot)"},
    {"rows", "the (13, 416) rows-as-steps matrix the image model's LSTM reads (gnuplot)"},
    {"next_frame", "moving shapes: the frames the ConvLSTM reads, the next, its prediction (gnuplot)"},
};

const tg_picture *tg_pictures(int *n)
{
    *n = (int)(sizeof pictures / sizeof pictures[0]);
    return pictures;
}

static const tg_picture *find(const char *name)
{
    int n;
    const tg_picture *all = tg_pictures(&n);
    for (int k = 0; k < n; k++)
        if (!strcmp(all[k].name, name))
            return &all[k];
    return NULL;
}

static int drawn_by_graphviz(const char *name)
{
    return !strcmp(name, "tape") || !strcmp(name, "lstm_step") || !strcmp(name, "simple_rnn");
}

/* Checks the name and the path, and names the files: png_path, and beside
 * it the data (.dot or .dat) and the script (.gp, for gnuplot). */
static tg_status name_files(const char *name, const char *png_path, tg_picture_files *files)
{
    memset(files, 0, sizeof *files);
    if (!find(name))
        return tg_status_error("picture: no picture named '%s' (tapegrad graph --list names them)",
                               name);
    if (!tg_picture_path_ok(png_path))
        return tg_status_error("picture: %s cannot be drawn to: a path for a picture may not "
                               "hold quotes or control characters, nor start with '<', '|' or "
                               "'-'", png_path);
    const int graphviz = drawn_by_graphviz(name);
    if (strlen(png_path) >= sizeof files->png ||
        !tg_picture_sibling(png_path, graphviz ? ".dot" : ".dat", files->data,
                            sizeof files->data) ||
        (!graphviz && !tg_picture_sibling(png_path, ".gp", files->script, sizeof files->script)))
        return tg_status_error("picture: the path %s is too long for the files named after it",
                               png_path);
    snprintf(files->png, sizeof files->png, "%s", png_path);
    return tg_status_ok();
}

/* The data and the script of one picture (not filters or rows: those two
 * share the image model's training, see tg_picture_image_model). */
static tg_status write_one(const char *name, tg_picture_files *files)
{
    if (drawn_by_graphviz(name))
        return tg_picture_tape(name, files);
    if (!strcmp(name, "vanishing"))
        return tg_picture_vanishing(files);
    if (!strcmp(name, "next_frame"))
        return tg_picture_next_frame(files);
    return tg_picture_gates(files);
}

static tg_status draw(const char *name, const tg_picture_files *files)
{
    return drawn_by_graphviz(name) ? tg_picture_dot(files) : tg_picture_gnuplot(files);
}

tg_status tg_picture_make(const char *name, const char *png_path, int draw_it,
                          tg_picture_files *files)
{
    tg_status st = name_files(name, png_path, files);
    if (!tg_is_ok(&st))
        return st;
    if (!strcmp(name, "filters") || !strcmp(name, "rows"))
        st = tg_picture_image_model(!strcmp(name, "filters") ? files : NULL,
                                    !strcmp(name, "rows") ? files : NULL);
    else
        st = write_one(name, files);
    if (!tg_is_ok(&st) || !draw_it)
        return st;
    return draw(name, files);
}

tg_status tg_pictures_make(const char *dir, const char *const *names, int n, int draw_it)
{
    int n_all;
    const tg_picture *all = tg_pictures(&n_all);
    const int count = n ? n : n_all;
    tg_picture_files *files = tg_xcalloc((size_t)count, sizeof *files, "pictures_make");
    tg_status st = tg_status_ok();
    const tg_picture_files *filters = NULL, *rows = NULL;
    for (int k = 0; k < count && tg_is_ok(&st); k++) {
        const char *name = n ? names[k] : all[k].name;
        char png[TG_PATH_MAX];
        if (snprintf(png, sizeof png, "%s/%s.png", dir, name) >= (int)sizeof png)
            st = tg_status_error("picture: the directory %s is too long", dir);
        else
            st = name_files(name, png, &files[k]);
        if (!strcmp(name, "filters"))
            filters = &files[k];
        else if (!strcmp(name, "rows"))
            rows = &files[k];
    }
    for (int k = 0; k < count && tg_is_ok(&st); k++) {
        const char *name = n ? names[k] : all[k].name;
        if (strcmp(name, "filters") && strcmp(name, "rows"))
            st = write_one(name, &files[k]);
    }
    if (tg_is_ok(&st) && (filters || rows))
        st = tg_picture_image_model(filters, rows);
    for (int k = 0; k < count && tg_is_ok(&st) && draw_it; k++)
        st = draw(n ? names[k] : all[k].name, &files[k]);
    free(files);
    return st;
}
