/* The frames task (apps.h, "Sequences of frames"): sequences of images
 * drawn from an image set, the samples fit reads from them, and the task
 * end to end as `tapegrad train frames` runs it, with the summary,
 * progress, history and plot of the other tasks. */
#include "apps/apps.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "apps/internal/app_steps.h"
#include "datasets/datasets.h"
#include "train/train.h"

/* Sizes: real data (Fashion-MNIST) and the embedded synthetic shapes. */
#define REAL_TRAIN 12000
#define REAL_VAL 2000
#define REAL_TEST 4000
#define EMBEDDED_IMAGES_TRAIN 4000
#define EMBEDDED_IMAGES_TEST 1000
#define EMBEDDED_TRAIN 8000
#define EMBEDDED_VAL 500
#define EMBEDDED_TEST 1000
#define DEFAULT_STEPS 4

/* The images of each class among [first, first + n): by_class[c] holds
 * count[c] indices. */
typedef struct {
    size_t *index, *count, **by_class;
} class_pools;

static class_pools pools_make(const tg_image_set *images, size_t first, size_t n)
{
    const int C = images->classes;
    class_pools p;
    p.index = tg_xmalloc((n ? n : 1) * sizeof *p.index, "frames");
    p.count = tg_xcalloc((size_t)C, sizeof *p.count, "frames");
    p.by_class = tg_xmalloc((size_t)C * sizeof *p.by_class, "frames");
    for (size_t i = first; i < first + n; i++)
        p.count[images->labels[i]]++;
    size_t at = 0;
    for (int c = 0; c < C; c++) {
        p.by_class[c] = p.index + at;
        at += p.count[c];
        p.count[c] = 0;
    }
    for (size_t i = first; i < first + n; i++) {
        const int c = images->labels[i];
        p.by_class[c][p.count[c]++] = i;
    }
    return p;
}

static void pools_free(class_pools *p)
{
    free(p->index);
    free(p->count);
    free(p->by_class);
}

/* A uniform random permutation of 0 .. n-1 into v (Fisher-Yates). */
static void shuffle(int *v, int n, tg_rng *rng)
{
    for (int i = 0; i < n; i++)
        v[i] = i;
    for (int i = n - 1; i > 0; i--) {
        const int j = (int)tg_rng_below(rng, (uint64_t)i + 1), t = v[i];
        v[i] = v[j];
        v[j] = t;
    }
}

/* The two positions a < b of the repeated class: neighbours (t, t + 1) for
 * label 1, else (t, t + k) with k >= 2; uniform among the pairs of each
 * kind (the second by rejection: T >= 3, so such a pair exists). */
static void repeated_positions(int T, int label, tg_rng *rng, int *a, int *b)
{
    if (label) {
        *a = (int)tg_rng_below(rng, (uint64_t)T - 1);
        *b = *a + 1;
        return;
    }
    do {
        *a = (int)tg_rng_below(rng, (uint64_t)T);
        *b = (int)tg_rng_below(rng, (uint64_t)T);
    } while (*b < *a + 2);
}

void tg_frame_sequences_make(const tg_image_set *images, size_t first, size_t n, int T,
                             size_t count, uint64_t seed, tg_frame_sequences *out)
{
    const int C = images->classes;
    if (T < 3 || T > C + 1)
        tg_fatal("frame sequences: T = %d frames: need 3 <= T <= %d (one class twice and "
                 "T - 2 others once: T - 1 distinct classes of %d)",
                 T, C + 1, C);
    if (first + n > images->count)
        tg_fatal("frame sequences: images [%zu, %zu) of a set of %zu", first, first + n,
                 images->count);
    class_pools p = pools_make(images, first, n);
    for (int c = 0; c < C; c++)
        if (p.count[c] < 2)
            tg_fatal("frame sequences: class %d has %zu images among [%zu, %zu), two needed", c,
                     p.count[c], first, first + n);
    memset(out, 0, sizeof *out);
    out->images = images;
    out->first = first;
    out->count_images = n;
    out->T = T;
    out->count = count;
    out->frame = tg_xmalloc((count ? count : 1) * (size_t)T * sizeof *out->frame, "frames");
    out->label = tg_xmalloc(count ? count : 1, "frames");
    tg_rng rng;
    tg_rng_seed(&rng, seed);
    int *classes = tg_xmalloc((size_t)C * sizeof *classes, "frames");
    for (size_t s = 0; s < count; s++) {
        const int label = (int)(s % 2);
        /* classes[0] is shown twice, classes[1 .. T-2] once each */
        shuffle(classes, C, &rng);
        int a, b;
        repeated_positions(T, label, &rng, &a, &b);
        size_t *f = out->frame + s * (size_t)T;
        const int rep = classes[0];
        const size_t i = tg_rng_below(&rng, p.count[rep]);
        /* a second image of the class, never the first one again */
        size_t j = tg_rng_below(&rng, p.count[rep] - 1);
        j += j >= i;
        f[a] = p.by_class[rep][i];
        f[b] = p.by_class[rep][j];
        for (int t = 0, next = 1; t < T; t++)
            if (t != a && t != b) {
                const int c = classes[next++];
                f[t] = p.by_class[c][tg_rng_below(&rng, p.count[c])];
            }
        out->label[s] = (uint8_t)label;
    }
    free(classes);
    pools_free(&p);
}

void tg_frame_sequences_free(tg_frame_sequences *s)
{
    free(s->frame);
    free(s->label);
    memset(s, 0, sizeof *s);
}

/* fit's gather: the first `steps` frames of the sequences idx[0..count),
 * through the image set's own conversion (pixels / 255). */
static void gather_frames(const void *ctx, const int *idx, int count, tg_tensor *x, tg_tensor *y)
{
    const tg_frame_source *fs = ctx;
    const tg_frame_sequences *seq = fs->seq;
    const int steps = fs->steps;
    for (int i = 0; i < count; i++) {
        for (int t = 0; t < steps; t++)
            fs->index[(size_t)i * steps + t] = seq->frame[(size_t)idx[i] * seq->T + t];
        y->data[i] = seq->label[idx[i]];
    }
    /* x (count, steps, rows, cols, 1) seen as count steps images */
    tg_tensor frames = *x;
    frames.shape = TG_SHAPE(count * steps, seq->images->rows, seq->images->cols, 1);
    tg_image_set_batch(seq->images, fs->index, (size_t)count * (size_t)steps, &frames, NULL);
}

void tg_frame_source_open(tg_frame_source *fs, const tg_frame_sequences *seq, int steps)
{
    if (steps < 1 || steps > seq->T)
        tg_fatal("frame source: %d steps of sequences of %d frames", steps, seq->T);
    fs->seq = seq;
    fs->steps = steps;
    fs->index = tg_xmalloc((seq->count ? seq->count : 1) * (size_t)steps * sizeof *fs->index,
                           "frames");
    fs->source = (tg_fit_source){
        TG_SHAPE((int)seq->count, steps, seq->images->rows, seq->images->cols, 1),
        TG_SHAPE((int)seq->count, 1), gather_frames, fs};
}

void tg_frame_source_free(tg_frame_source *fs)
{
    free(fs->index);
    fs->index = NULL;
}

/* ---- the task ---- */

typedef struct {
    tg_image_set train_images, test_images;
    tg_frame_sequences train, val, test;
    char source[1300];
} frames_data;

/* A data error unless the images [first, first + n) hold two of every
 * class and enough classes for sequences of T frames (what
 * tg_frame_sequences_make needs). */
static tg_status enough_images(const tg_image_set *set, size_t first, size_t n, int T,
                               const char *what)
{
    if (T > set->classes + 1)
        return tg_status_error("frames: %s: %d classes are too few for %d frames (T - 1 "
                               "distinct classes a sequence)", what, set->classes, T);
    size_t *count = tg_xcalloc((size_t)set->classes, sizeof *count, "frames");
    for (size_t i = first; i < first + n; i++)
        count[set->labels[i]]++;
    int short_class = -1;
    for (int c = 0; c < set->classes && short_class < 0; c++)
        if (count[c] < 2)
            short_class = c;
    const size_t have = short_class < 0 ? 0 : count[short_class];
    free(count);
    if (short_class >= 0)
        return tg_status_error("frames: %s: class %d has %zu images, a sequence needs two", what,
                               short_class, have);
    return tg_status_ok();
}

/* Fashion-MNIST when found (the last tenth of its training images for the
 * validation sequences, its test images for the test sequences), else the
 * embedded shapes. */
static tg_status frames_data_load(const tg_app_opts *o, int T, frames_data *d, int *embedded,
                                  FILE *out)
{
    char where[1200];
    tg_status loaded = tg_app_image_sets(o, EMBEDDED_IMAGES_TRAIN, EMBEDDED_IMAGES_TEST,
                                         &d->train_images, &d->test_images, embedded, where,
                                         sizeof where, out);
    if (!tg_is_ok(&loaded))
        return loaded;
    size_t n_train = *embedded ? EMBEDDED_TRAIN : REAL_TRAIN;
    const size_t n_val = *embedded ? EMBEDDED_VAL : REAL_VAL;
    const size_t n_test = *embedded ? EMBEDDED_TEST : REAL_TEST;
    if (o->limit > 0 && o->limit < n_train)
        n_train = o->limit;
    const size_t images = d->train_images.count, held = images / 10;
    tg_status st = enough_images(&d->train_images, 0, images - held, T, "training images");
    if (tg_is_ok(&st))
        st = enough_images(&d->train_images, images - held, held, T,
                           "the last tenth of the training images (validation)");
    if (tg_is_ok(&st))
        st = enough_images(&d->test_images, 0, d->test_images.count, T, "test images");
    if (!tg_is_ok(&st)) {
        tg_image_set_free(&d->train_images);
        tg_image_set_free(&d->test_images);
        return st;
    }
    /* three disjoint sets of images: no test frame was ever trained on */
    tg_frame_sequences_make(&d->train_images, 0, images - held, T, n_train, o->seed, &d->train);
    tg_frame_sequences_make(&d->train_images, images - held, held, T, n_val, o->seed + 1, &d->val);
    tg_frame_sequences_make(&d->test_images, 0, d->test_images.count, T, n_test, o->seed + 2,
                            &d->test);
    snprintf(d->source, sizeof d->source, "%s", where);
    return tg_status_ok();
}

static void frames_data_free(frames_data *d)
{
    tg_frame_sequences_free(&d->train);
    tg_frame_sequences_free(&d->val);
    tg_frame_sequences_free(&d->test);
    tg_image_set_free(&d->train_images);
    tg_image_set_free(&d->test_images);
}

/* Trains and tests the model on the sources; the test line names the baselines. */
static tg_status frames_fit(tg_model *m, const tg_app_opts *o, frames_data *d, int steps,
                            tg_app_result *r, FILE *out)
{
    tg_frame_source train, val, test;
    tg_frame_source_open(&train, &d->train, steps);
    tg_frame_source_open(&val, &d->val, steps);
    tg_frame_source_open(&test, &d->test, steps);
    tg_fit_opts f = tg_app_fit_options(o, 0, out);
    tg_history h;
    tg_status st = tg_model_fit_source(m, &train.source, &val.source, &f, &h);
    tg_app_record(r, &h);
    double acc;
    if (tg_is_ok(&st))
        st = tg_app_test_figures(
            tg_model_evaluate_source(m, &test.source, o->batch_size, &r->test_loss, &acc));
    if (tg_is_ok(&st)) {
        r->test_metric = r->model = acc;
        size_t ones = 0;
        for (size_t s = 0; s < d->test.count; s++)
            ones += d->test.label[s];
        r->majority = (double)(ones > d->test.count - ones ? ones : d->test.count - ones) /
                      (double)d->test.count;
        r->persistence = NAN;
        fprintf(out, "\ntest (%zu sequences): loss %.4f, accuracy %.4f (majority label: %.4f; "
                     "compare --model %s, %s and %s on the same sequences)\n",
                d->test.count, r->test_loss, acc, r->majority,
                tg_frames_arch_name(TG_FRAMES_CNN_LSTM), tg_frames_arch_name(TG_FRAMES_CNN_DENSE),
                tg_frames_arch_name(TG_FRAMES_ONE_FRAME));
    }
    /* As every application: the finished epochs' history and weights are
     * written after a stop too. */
    const tg_status written = tg_app_write_outputs(m, &h, o, out);
    if (tg_is_ok(&st))
        st = written;
    tg_history_free(&h);
    tg_frame_source_free(&train);
    tg_frame_source_free(&val);
    tg_frame_source_free(&test);
    return st;
}

tg_status tg_app_run_frames(const tg_app_opts *o, tg_app_result *r, FILE *out)
{
    const int T = o->steps ? o->steps : DEFAULT_STEPS;
    frames_data d;
    memset(&d, 0, sizeof d);
    tg_status st = tg_status_ok();
    if (T < 3 || T > 11)
        return tg_status_error("frames: --steps %d: a sequence has 3 to 11 frames (one class "
                               "twice, the others once, of ten)", T);
    st = frames_data_load(o, T, &d, &r->embedded, out);
    if (!tg_is_ok(&st))
        return st;
    const int steps = o->frames_arch == TG_FRAMES_ONE_FRAME ? 1 : T;
    fprintf(out, "task: does a class repeat on neighbouring frames (%d frames, one class shown "
                 "twice)\ndata: %s\n",
            T, d.source);
    fprintf(out, "%zu training, %zu validation, %zu test sequences (from disjoint images: the "
                 "validation ones from the last tenth of the training images)\n",
            d.train.count, d.val.count, d.test.count);
    fprintf(out, "model: %s%s\n\n", tg_frames_arch_name(o->frames_arch),
            steps == 1 ? " (sees the first frame of each sequence only)" : "");

    tg_app_model_opts mo = {.peephole = o->peephole, .reg = {o->l1, o->l2}, .seed = o->seed};
    tg_model *m = tg_frames_model(o->frames_arch, T, d.train_images.rows, d.train_images.cols, mo);
    int whole_set = 0;
    st = tg_app_compile(m, o, TG_LOSS_BCE, TG_METRIC_ACCURACY, &whole_set);
    if (tg_is_ok(&st) && whole_set)
        st = tg_status_error("optimizer gd (the whole set per step) is not offered for frames");
    if (tg_is_ok(&st))
        st = tg_app_load_weights(m, o, out);
    if (tg_is_ok(&st)) {
        tg_model_summary(m, out);
        fprintf(out, "\n");
        st = frames_fit(m, o, &d, steps, r, out);
    }
    tg_model_free(m);
    frames_data_free(&d);
    return st;
}
