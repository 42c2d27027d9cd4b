/* What the image model (section 4.2) learned, seen: trained briefly on the
 * embedded shapes, its 32 3x3 kernels, one test image, that image's 32
 * maps after Conv2D + ReLU and after max-pooling (the picture "filters"),
 * and the (13, 416) matrix the LSTM reads, image rows as time steps (the
 * picture "rows"); the two share one training. Groups of maps are laid out 4 x 8 in one matrix each,
 * a gap of missing values (NaN, which gnuplot leaves blank) between them. */
#include "apps/internal/pictures.h"

#include <math.h>
#include <string.h>

#include "autograd/autograd.h"
#include "layers/layers.h"
#include "train/train.h"

enum { SIDE = 28, CLASSES = 10, N_TRAIN = 600, EPOCHS = 3, BATCH = 32, FILTERS = 32 };
enum { GRID_ROWS = 4, GRID_COLS = 8 };
#define SEED 42

typedef struct {
    tg_model *m;
    tg_image_set test;
    tg_tape *tape;
    tg_tensor *image, *conv, *pool, *rows; /* image 0 of the test set, then each layer's output */
} trained;

/* Trains the model and runs test image 0 through its first three layers. */
static tg_status train(trained *r)
{
    memset(r, 0, sizeof *r);
    tg_image_set set;
    tg_synthetic_shapes(&set, N_TRAIN, SEED);
    tg_synthetic_shapes(&r->test, 1, SEED + 1);
    r->m = tg_images_model(SIDE, SIDE, CLASSES, (tg_app_model_opts){.seed = SEED});
    tg_model_compile(r->m, tg_optimizer_adam(1e-3), TG_LOSS_CCE, TG_METRIC_ACCURACY);
    tg_fit_opts fo = tg_fit_defaults();
    fo.epochs = EPOCHS;
    fo.batch_size = BATCH;
    fo.verbose = 0;
    tg_history h;
    tg_status st = tg_model_fit_images(r->m, &set, NULL, &fo, &h);
    tg_history_free(&h);
    tg_image_set_free(&set);
    r->tape = tg_tape_new();
    r->image = tg_tensor_new(TG_SHAPE(1, SIDE, SIDE, 1));
    const size_t first = 0;
    tg_image_set_batch(&r->test, &first, 1, r->image, NULL);
    tg_tape_no_grad_begin(r->tape);
    r->conv = tg_layer_forward(r->m->layers[0], r->tape, r->image, 0);
    r->pool = tg_layer_forward(r->m->layers[1], r->tape, r->conv, 0);
    r->rows = tg_layer_forward(r->m->layers[2], r->tape, r->pool, 0);
    tg_tape_no_grad_end(r->tape);
    return st;
}

static void untrain(trained *r)
{
    tg_tape_free(r->tape);
    tg_tensor_free(r->image);
    tg_model_free(r->m);
    tg_image_set_free(&r->test);
}

/* Map f's value at (y, x) of a (kh, kw, ..., 32) tensor's last axis. */
typedef double (*map_at)(const tg_tensor *t, int f, int y, int x);

static double kernel_at(const tg_tensor *k, int f, int y, int x)
{
    return (double)TG_AT(k, y, x, 0, f);
}

static double map_of_batch_at(const tg_tensor *t, int f, int y, int x)
{
    return (double)TG_AT(t, 0, y, x, f);
}

/* The 32 maps of size side x side, each a matrix block of its own (data
 * index first + f); their largest |value| in *peak. */
static void write_maps(FILE *f, const char *what, const tg_tensor *t, int side, map_at at,
                       double *peak)
{
    *peak = 0;
    for (int m = 0; m < FILTERS; m++) {
        fprintf(f, "\n\n# %s, filter %d\n", what, m);
        for (int y = 0; y < side; y++) {
            for (int x = 0; x < side; x++) {
                const double v = at(t, m, y, x);
                *peak = fmax(*peak, fabs(v));
                fprintf(f, " %.5f", v);
            }
            fprintf(f, "\n");
        }
    }
}

/* One panel: a matrix of data index `index`, w x h cells, row 0 on top. */
static void matrix_panel(FILE *f, const char *data, int index, int w, int h, const char *title)
{
    fprintf(f, "set title '%s'\nset xrange [-0.5:%d.5]\nset yrange [%d.5:-0.5]\n"
               "plot '%s' index %d matrix with image notitle\n",
            title, w - 1, h - 1, data, index);
}

/* One panel of 4 x 8 tiles, map k (data index first + k) at tile row k / 8,
 * column k %% 8, a blank cell between tiles. */
static void tiles_panel(FILE *f, const char *data, int first, int side, const char *title)
{
    const int step = side + 1;
    fprintf(f, "set title '%s'\nset xrange [-0.5:%d.5]\nset yrange [%d.5:-0.5]\n"
               "plot for [k=0:%d] '%s' index (%d + k) matrix using ($1 + (k %% %d) * %d):"
               "($2 + (k / %d) * %d):3 with image notitle\n",
            title, GRID_COLS * step - 2, GRID_ROWS * step - 2, FILTERS - 1, data, first,
            GRID_COLS, step, GRID_COLS, step);
}

static tg_status write_filters(const trained *r, const tg_picture_files *files)
{
    tg_status st = tg_status_ok();
    double peak[3] = {0, 0, 0};
    tg_picture_out out;
    FILE *f = tg_picture_open(&out, files->data, &st);
    if (f) {
        fprintf(f, "# test image 0 of the embedded shapes (seed %d): %s\n", SEED + 1,
                tg_shape_class_names[r->test.labels[0]]);
        for (int y = 0; y < SIDE; y++) {
            for (int x = 0; x < SIDE; x++)
                fprintf(f, " %.5f", (double)TG_AT(r->image, 0, y, x, 0));
            fprintf(f, "\n");
        }
        write_maps(f, "the kernel W[:, :, 0, f]", r->m->layers[0]->params[0], 3, kernel_at,
                   &peak[0]);
        write_maps(f, "relu(conv) of the image, (26, 26)", r->conv, 26, map_of_batch_at,
                   &peak[1]);
        write_maps(f, "max-pooled, (13, 13)", r->pool, 13, map_of_batch_at, &peak[2]);
        st = tg_picture_close(&out);
    }
    f = tg_is_ok(&st) ? tg_picture_open(&out, files->script, &st) : NULL;
    if (f) {
        tg_picture_gnuplot_header(f, "filters", files->png, 1000, 1250);
        fprintf(f, "set multiplot title 'The image model (section 4.2) after %d epochs on %d "
                   "embedded shapes: its kernels, and one test image through Conv2D + ReLU "
                   "and MaxPooling2D'\n"
                   "unset xtics\nunset ytics\nset size ratio -1\n", EPOCHS, N_TRAIN);
        char title[96];
        snprintf(title, sizeof title, "test image: %s", tg_shape_class_names[r->test.labels[0]]);
        fprintf(f, "set palette gray negative\nset cbrange [0:1]\n"
                   "set origin 0,0.7\nset size 0.3,0.26\n");
        matrix_panel(f, files->data, 0, SIDE, SIDE, title);
        fprintf(f, "set palette positive defined (-1 '#2166ac', 0 '#f7f7f7', 1 '#b2182b')\n"
                   "set cbrange [%.4f:%.4f]\nset origin 0.3,0.7\nset size 0.7,0.26\n",
                -peak[0], peak[0]);
        tiles_panel(f, files->data, 1, 3, "the 32 kernels W[:, :, 0, f], 3 x 3 (blue < 0 < red)");
        fprintf(f, "set palette gray negative\nset cbrange [0:%.4f]\n"
                   "set origin 0,0.35\nset size 1,0.35\n", fmax(peak[1], 1e-6));
        tiles_panel(f, files->data, 1 + FILTERS, 26, "after Conv2D + ReLU: 32 maps of 26 x 26");
        fprintf(f, "set cbrange [0:%.4f]\nset origin 0,0\nset size 1,0.35\n",
                fmax(peak[2], 1e-6));
        tiles_panel(f, files->data, 1 + 2 * FILTERS, 13,
                    "after MaxPooling2D: 32 maps of 13 x 13");
        fprintf(f, "unset multiplot\n");
        st = tg_picture_close(&out);
    }
    return st;
}

static tg_status write_rows(const trained *r, const tg_picture_files *files)
{
    tg_status st = tg_status_ok();
    const int T = r->rows->shape.dim[1], D = r->rows->shape.dim[2];
    const int C = r->pool->shape.dim[3], W = D / C;
    double peak = 0;
    tg_picture_out out;
    FILE *f = tg_picture_open(&out, files->data, &st);
    if (f) {
        fprintf(f, "# the LSTM's input for test image 0 (%s): %d steps (rows) of %d features, "
                   "feature w %d + c = pooled map c at column w\n",
                tg_shape_class_names[r->test.labels[0]], T, D, C);
        for (int t = 0; t < T; t++) {
            for (int k = 0; k < D; k++) {
                const double v = (double)TG_AT(r->rows, 0, t, k);
                peak = fmax(peak, v);
                fprintf(f, " %.5f", v);
            }
            fprintf(f, "\n");
        }
        st = tg_picture_close(&out);
    }
    f = tg_is_ok(&st) ? tg_picture_open(&out, files->script, &st) : NULL;
    if (f) {
        tg_picture_gnuplot_header(f, "rows", files->png, 1400, 360);
        fprintf(f, "set title 'What the LSTM reads: image rows as time steps, (%d, %d) = (13, "
                   "13 x 32), for one test image (%s)'\n"
                   "set palette gray negative\nset cbrange [0:%.4f]\n"
                   "set xlabel 'feature w C + c, C = %d: the channels of pooled column w (red "
                   "lines between columns)'\nset ylabel 'time step t = image row'\n"
                   "set ytics 1\nset xtics out nomirror (",
                T, D, tg_shape_class_names[r->test.labels[0]], fmax(peak, 1e-6), C);
        for (int w = 0; w < W; w++)
            fprintf(f, "%s'w = %d' %.1f", w ? ", " : "", w, w * C + (C - 1) / 2.0);
        fprintf(f, ")\n");
        for (int w = 1; w < W; w++)
            fprintf(f, "set arrow from %.1f, graph 0 to %.1f, graph 1 nohead front "
                       "lc rgb '#cc3333'\n", w * C - 0.5, w * C - 0.5);
        fprintf(f, "set xrange [-0.5:%d.5]\nset yrange [%d.5:-0.5]\n"
                   "plot '%s' matrix with image notitle\n",
                D - 1, T - 1, files->data);
        st = tg_picture_close(&out);
    }
    return st;
}

tg_status tg_picture_image_model(const tg_picture_files *filters, const tg_picture_files *rows)
{
    trained r;
    tg_status st = train(&r);
    if (tg_is_ok(&st) && filters)
        st = write_filters(&r, filters);
    if (tg_is_ok(&st) && rows)
        st = write_rows(&r, rows);
    untrain(&r);
    return st;
}
