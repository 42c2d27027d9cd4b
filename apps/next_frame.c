/* The next-frame task (apps.h, "Next-frame prediction"): moving images
 * (datasets/moving.c) of Fashion-MNIST, or of the embedded shapes, as
 * samples for fit, and the task end to end as `tapegrad train next-frame`
 * runs it, with the summary, progress, history and plot of the other
 * tasks and the copy-the-last-frame baseline beside the test loss. */
#include "apps/apps.h"

#include <math.h>
#include <string.h>

#include "apps/internal/app_steps.h"
#include "datasets/datasets.h"
#include "train/train.h"

/* Sequences of each split, real data or embedded, and the embedded images. */
#define TRAIN_SEQUENCES 2000
#define VAL_SEQUENCES 200
#define TEST_SEQUENCES 500
#define EMBEDDED_IMAGES_TRAIN 2000
#define EMBEDDED_IMAGES_TEST 500
#define DEFAULT_STEPS 4
#define MOST_STEPS 10

/* fit's gather: frames 0 .. k-1 of the sequences idx[0..count) as x, in
 * time order (count, k, S, S, 1) or stacked as channels (count, S, S, k),
 * and frame k as y (count, S, S, 1), pixels / 255. */
static void gather_moving(const void *ctx, const int *idx, int count, tg_tensor *x, tg_tensor *y)
{
    const tg_moving_source *ms = ctx;
    const int k = ms->k, S = ms->set->opts.canvas;
    const size_t frame = (size_t)S * (size_t)S;
    for (int i = 0; i < count; i++) {
        tg_real *xi = x->data + (size_t)i * (size_t)k * frame;
        for (int t = 0; t < k; t++) {
            const uint8_t *f = tg_moving_frame(ms->set, (size_t)idx[i], t);
            for (size_t p = 0; p < frame; p++)
                xi[ms->stacked ? p * (size_t)k + (size_t)t : (size_t)t * frame + p] =
                    (tg_real)(f[p] / 255.0);
        }
        const uint8_t *next = tg_moving_frame(ms->set, (size_t)idx[i], k);
        for (size_t p = 0; p < frame; p++)
            y->data[(size_t)i * frame + p] = (tg_real)(next[p] / 255.0);
    }
}

void tg_moving_source_open(tg_moving_source *ms, const tg_moving_set *set, int k, int stacked)
{
    if (k < 1 || k >= set->opts.frames)
        tg_fatal("moving source: %d input frames of sequences of %d frames", k, set->opts.frames);
    const int N = (int)set->count, S = set->opts.canvas;
    ms->set = set;
    ms->k = k;
    ms->stacked = stacked;
    ms->source = (tg_fit_source){stacked ? TG_SHAPE(N, S, S, k) : TG_SHAPE(N, k, S, S, 1),
                                 TG_SHAPE(N, S, S, 1), gather_moving, ms};
}

/* ---- the task ---- */

typedef struct {
    tg_image_set train_images, test_images;
    tg_moving_set train, val, test;
    char source[1300];
} next_frame_data;

/* Fashion-MNIST when found (the last tenth of its training images for the
 * validation sequences, its test images for the test ones), else the
 * embedded shapes split the same way. */
static tg_status next_frame_data_load(const tg_app_opts *o, int k, next_frame_data *d,
                                      int *embedded, FILE *out)
{
    char where[1200];
    tg_status loaded = tg_app_image_sets(o, EMBEDDED_IMAGES_TRAIN, EMBEDDED_IMAGES_TEST,
                                         &d->train_images, &d->test_images, embedded, where,
                                         sizeof where, out);
    if (!tg_is_ok(&loaded))
        return loaded;
    size_t n_train = TRAIN_SEQUENCES;
    if (o->limit > 0 && o->limit < n_train)
        n_train = o->limit;
    tg_moving_opts mo = tg_moving_defaults();
    mo.frames = k + 1;
    /* three disjoint sets of images: no test item was ever trained on */
    const size_t images = d->train_images.count, held = images / 10;
    tg_moving_make(&d->train_images, 0, images - held, n_train, mo, o->seed, &d->train);
    tg_moving_make(&d->train_images, images - held, held, VAL_SEQUENCES, mo, o->seed + 1, &d->val);
    tg_moving_make(&d->test_images, 0, d->test_images.count, TEST_SEQUENCES, mo, o->seed + 2,
                   &d->test);
    snprintf(d->source, sizeof d->source, "%s", where);
    return tg_status_ok();
}

static void next_frame_data_free(next_frame_data *d)
{
    tg_moving_free(&d->train);
    tg_moving_free(&d->val);
    tg_moving_free(&d->test);
    tg_image_set_free(&d->train_images);
    tg_image_set_free(&d->test_images);
}

/* Trains and tests the model; the test line sets it beside copy-last. */
static tg_status next_frame_fit(tg_model *m, const tg_app_opts *o, next_frame_data *d, int k,
                                int stacked, tg_app_result *r, FILE *out)
{
    tg_moving_source train, val, test;
    tg_moving_source_open(&train, &d->train, k, stacked);
    tg_moving_source_open(&val, &d->val, k, stacked);
    tg_moving_source_open(&test, &d->test, k, stacked);
    tg_fit_opts f = tg_app_fit_options(o, 0, out);
    tg_history h;
    tg_status st = tg_model_fit_source(m, &train.source, &val.source, &f, &h);
    tg_app_record(r, &h);
    double mae;
    if (tg_is_ok(&st))
        st = tg_app_test_figures(
            tg_model_evaluate_source(m, &test.source, o->batch_size, &r->test_loss, &mae));
    if (tg_is_ok(&st)) {
        r->test_metric = mae;
        r->model = r->test_loss;
        r->persistence = tg_moving_copy_last_mse(&d->test, k);
        r->majority = NAN;
        fprintf(out, "\ntest (%zu sequences): MSE %.5f, MAE %.5f; copy the last frame: MSE %.5f "
                     "(the model's MSE is %.1f%% of it; compare --model %s and %s)\n",
                d->test.count, r->test_loss, mae, r->persistence,
                100 * r->test_loss / r->persistence,
                tg_next_frame_arch_name(TG_NEXT_FRAME_CONVLSTM),
                tg_next_frame_arch_name(TG_NEXT_FRAME_CNN));
    }
    const tg_status written = tg_app_write_outputs(m, &h, o, out);
    if (tg_is_ok(&st))
        st = written;
    tg_history_free(&h);
    return st;
}

tg_status tg_app_run_next_frame(const tg_app_opts *o, tg_app_result *r, FILE *out)
{
    const int k = o->steps ? o->steps : DEFAULT_STEPS;
    if (k > MOST_STEPS)
        return tg_status_error("next-frame: --steps %d: reads at most %d frames", k, MOST_STEPS);
    /* ConvLSTM2D's peepholes are Hadamard products or none (tg_conv_lstm2d) */
    if (o->next_frame_arch == TG_NEXT_FRAME_CONVLSTM && o->peephole == TG_PEEPHOLE_FULL)
        return tg_status_error("next-frame: --peephole full: the ConvLSTM's peepholes are "
                               "diagonal (the state's shape) or none");
    next_frame_data d;
    memset(&d, 0, sizeof d);
    tg_status st = next_frame_data_load(o, k, &d, &r->embedded, out);
    if (!tg_is_ok(&st))
        return st;
    const tg_moving_opts *mo = &d.train.opts;
    const int stacked = o->next_frame_arch == TG_NEXT_FRAME_CNN;
    fprintf(out, "task: predict frame %d of moving images from frames 1 to %d (%d items of %d x "
                 "%d bouncing on a %d x %d canvas, %g pixels a frame)\ndata: %s\n",
            k + 1, k, mo->items, mo->item, mo->item, mo->canvas, mo->canvas, mo->speed, d.source);
    fprintf(out, "%zu training, %zu validation, %zu test sequences (their items from disjoint "
                 "images: the validation ones from the last tenth of the training images)\n",
            d.train.count, d.val.count, d.test.count);
    fprintf(out, "model: %s%s\n\n", tg_next_frame_arch_name(o->next_frame_arch),
            stacked ? " (the frames stacked as channels)" : "");

    tg_app_model_opts mopts = {.peephole = o->peephole, .reg = {o->l1, o->l2}, .seed = o->seed};
    tg_model *m = tg_next_frame_model(o->next_frame_arch, k, mo->canvas, mopts);
    int whole_set = 0;
    st = tg_app_compile(m, o, TG_LOSS_MSE, TG_METRIC_MAE, &whole_set);
    if (tg_is_ok(&st) && whole_set)
        st = tg_status_error("optimizer gd (the whole set per step) is not offered for "
                             "next-frame");
    if (tg_is_ok(&st))
        st = tg_app_load_weights(m, o, out);
    if (tg_is_ok(&st)) {
        tg_model_summary(m, out);
        fprintf(out, "\n");
        st = next_frame_fit(m, o, &d, k, stacked, r, out);
    }
    tg_model_free(m);
    next_frame_data_free(&d);
    return st;
}
