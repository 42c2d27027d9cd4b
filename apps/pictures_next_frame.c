/* What the next-frame model sees and says (the picture "next_frame"): the
 * ConvLSTM model of the next-frame task, trained briefly on moving
 * embedded shapes (fixed seeds), and two test sequences in a strip each:
 * the k frames it reads, the true next frame, its prediction, and the
 * squared error of the prediction beside that of copying the last frame. */
#include "apps/internal/pictures.h"

#include <stdlib.h>
#include <string.h>

#include "datasets/datasets.h"
#include "train/train.h"

enum { K = 4, IMAGES_TRAIN = 400, IMAGES_TEST = 60, SEQUENCES = 256, EPOCHS = 3, BATCH = 16 };
enum { SHOWN = 2 };
#define SEED 42
#define LEARNING_RATE 3e-3

typedef struct {
    tg_tensor *x, *truth, *pred; /* x (SHOWN, K, S, S, 1), truth and pred (SHOWN, S, S, 1) */
    double model_mse, copy_mse;   /* over the test sequences */
    int side;
} shown;

static tg_status train_and_predict(shown *r)
{
    memset(r, 0, sizeof *r);
    tg_image_set train_images, test_images;
    tg_synthetic_shapes(&train_images, IMAGES_TRAIN, SEED);
    tg_synthetic_shapes(&test_images, IMAGES_TEST, SEED + 1);
    tg_moving_opts mo = tg_moving_defaults();
    mo.frames = K + 1;
    tg_moving_set train, test;
    tg_moving_make(&train_images, 0, IMAGES_TRAIN, SEQUENCES, mo, SEED, &train);
    tg_moving_make(&test_images, 0, IMAGES_TEST, 64, mo, SEED + 1, &test);
    const int S = r->side = mo.canvas;
    tg_model *m = tg_next_frame_model(TG_NEXT_FRAME_CONVLSTM, K, S,
                                      (tg_app_model_opts){.seed = SEED});
    tg_model_compile(m, tg_optimizer_adam(LEARNING_RATE), TG_LOSS_MSE, TG_METRIC_MAE);
    tg_moving_source src, tst;
    tg_moving_source_open(&src, &train, K, 0);
    tg_moving_source_open(&tst, &test, K, 0);
    tg_fit_opts fo = tg_fit_defaults();
    fo.epochs = EPOCHS;
    fo.batch_size = BATCH;
    fo.verbose = 0;
    tg_history h;
    tg_status st = tg_model_fit_source(m, &src.source, NULL, &fo, &h);
    tg_history_free(&h);
    if (tg_is_ok(&st))
        st = tg_model_evaluate_source(m, &tst.source, BATCH, &r->model_mse, NULL);
    r->copy_mse = tg_moving_copy_last_mse(&test, K);
    r->x = tg_tensor_new(TG_SHAPE(SHOWN, K, S, S, 1));
    r->truth = tg_tensor_new(TG_SHAPE(SHOWN, S, S, 1));
    const int idx[SHOWN] = {0, 1};
    tst.source.gather(&tst, idx, SHOWN, r->x, r->truth);
    r->pred = tg_is_ok(&st) ? tg_model_predict(m, r->x, SHOWN) : NULL;
    tg_model_free(m);
    tg_moving_free(&train);
    tg_moving_free(&test);
    tg_image_set_free(&train_images);
    tg_image_set_free(&test_images);
    return st;
}

static void shown_free(shown *r)
{
    tg_tensor_free(r->x);
    tg_tensor_free(r->truth);
    if (r->pred)
        tg_tensor_free(r->pred);
}

/* One S x S matrix block of data, rows top to bottom. */
static void write_block(FILE *f, const char *what, const tg_real *v, int S)
{
    fprintf(f, "\n\n# %s\n", what);
    for (int y = 0; y < S; y++) {
        for (int x = 0; x < S; x++)
            fprintf(f, " %.4f", (double)v[y * S + x]);
        fprintf(f, "\n");
    }
}

/* Blocks per sequence: K inputs, the truth, the prediction, then the
 * squared errors of the prediction and of copy-last. */
enum { BLOCKS = K + 4 };

tg_status tg_picture_next_frame(tg_picture_files *files)
{
    shown r;
    tg_status st = train_and_predict(&r);
    const int S = r.side, P = S * S;
    tg_real *err = tg_xmalloc((size_t)P * sizeof *err, "next_frame picture");
    tg_picture_out out;
    FILE *f = tg_is_ok(&st) ? tg_picture_open(&out, files->data, &st) : NULL;
    if (f) {
        fprintf(f, "# next-frame: the ConvLSTM model after %d epochs on %d sequences of moving "
                   "embedded shapes; test MSE %.5f, copy-last %.5f\n",
                EPOCHS, SEQUENCES, r.model_mse, r.copy_mse);
        fprintf(f, "# per sequence: frames 1..%d, frame %d (truth), the prediction, its squared "
                   "error, copy-last's squared error\n", K, K + 1);
        for (int s = 0; s < SHOWN; s++) {
            const tg_real *x = r.x->data + (size_t)s * K * P, *truth = r.truth->data + (size_t)s * P;
            const tg_real *pred = r.pred->data + (size_t)s * P;
            for (int t = 0; t < K; t++) {
                char what[48];
                snprintf(what, sizeof what, "sequence %d, frame %d", s, t + 1);
                write_block(f, what, x + (size_t)t * P, S);
            }
            write_block(f, "truth", truth, S);
            write_block(f, "prediction", pred, S);
            for (int p = 0; p < P; p++)
                err[p] = (pred[p] - truth[p]) * (pred[p] - truth[p]);
            write_block(f, "(prediction - truth)^2", err, S);
            for (int p = 0; p < P; p++)
                err[p] = (x[(size_t)(K - 1) * P + p] - truth[p]) *
                         (x[(size_t)(K - 1) * P + p] - truth[p]);
            write_block(f, "(last frame - truth)^2", err, S);
        }
        st = tg_picture_close(&out);
    }
    f = tg_is_ok(&st) ? tg_picture_open(&out, files->script, &st) : NULL;
    if (f) {
        tg_picture_gnuplot_header(f, "next_frame", files->png, 1200, 360);
        fprintf(f, "set multiplot layout %d,%d title 'Next-frame prediction: the ConvLSTM model "
                   "after %d epochs on %d sequences of moving embedded shapes (test MSE %.4f, "
                   "copy the last frame %.4f)'\n"
                   "unset xtics\nunset ytics\nunset colorbox\nset size ratio -1\n"
                   "set palette gray negative\nset cbrange [0:1]\n"
                   "set xrange [-0.5:%d.5]\nset yrange [%d.5:-0.5]\n",
                SHOWN, BLOCKS, EPOCHS, SEQUENCES, r.model_mse, r.copy_mse, S - 1, S - 1);
        for (int s = 0; s < SHOWN; s++)
            for (int b = 0; b < BLOCKS; b++) {
                char title[40];
                if (b <= K)
                    snprintf(title, sizeof title, b < K ? "frame %d (input)" : "frame %d: truth",
                             b + 1);
                else
                    snprintf(title, sizeof title, "%s",
                             b == K + 1   ? "prediction"
                             : b == K + 2 ? "error^2, model"
                                          : "error^2, copy-last");
                fprintf(f, "set title '%s'\nplot '%s' index %d matrix with image notitle\n",
                        s ? "" : title, files->data, s * BLOCKS + b);
            }
        fprintf(f, "unset multiplot\n");
        st = tg_picture_close(&out);
    }
    free(err);
    shown_free(&r);
    return st;
}
