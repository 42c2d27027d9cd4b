#include "apps/apps.h"

#include <stdio.h>
#include <string.h>

#include "layers/layers.h"
#include "tensor/tensor.h"
#include "apps/internal/gradcheck_cases.h"

/* Adds the layer and its kernel regularizer. */
static tg_layer *add(tg_model *m, tg_layer *layer, tg_regularizer reg)
{
    tg_model_add(m, layer);
    if (reg.l1 > 0 || reg.l2 > 0)
        tg_model_regularize(m, layer, reg);
    return layer;
}

static tg_layer *lstm(int units, int return_sequences, tg_peephole peephole)
{
    return tg_lstm((tg_lstm_opts){.units = units, .return_sequences = return_sequences,
                                  .peephole = peephole});
}

tg_model *tg_series_model(tg_series_arch arch, int T, int D, int binary,
                               tg_app_model_opts o)
{
    if (T < 4 || D < 1)
        tg_fatal("series model: input (%d, %d) needs T >= 4 steps and D >= 1", T, D);
    tg_model *m = tg_model_new(TG_SHAPE(T, D), o.seed);
    tg_layer *conv = tg_conv1d((tg_conv1d_opts){.filters = 32, .kernel = 3, .activation = TG_RELU});
    /* cppcheck 2.10 takes the field .pool for the variable being declared. */
    /* cppcheck-suppress legacyUninitvar */
    tg_layer *pool = tg_maxpool1d((tg_pool1d_opts){.pool = 2});
    if (arch == TG_SERIES_LSTM_CNN) {
        add(m, lstm(32, 1, o.peephole), o.reg);
        add(m, conv, o.reg);
        add(m, pool, o.reg);
    } else if (arch == TG_SERIES_BILSTM) {
        add(m, conv, o.reg);
        add(m, pool, o.reg);
        add(m, tg_bidirectional(lstm(32, 0, o.peephole), lstm(32, 0, o.peephole),
                                TG_MERGE_CONCAT),
            o.reg);
    } else {
        add(m, conv, o.reg);
        add(m, pool, o.reg);
        add(m, lstm(64, 1, o.peephole), o.reg);
    }
    add(m, tg_dense(32, TG_RELU), o.reg);
    add(m, tg_dense(1, binary ? TG_SIGMOID : TG_LINEAR), o.reg);
    if (arch == TG_SERIES_BILSTM)
        add(m, tg_reshape_layer(TG_SHAPE(1, 1)), o.reg);
    return m;
}

/* y (N, outputs, 1) -> its last output step (N, 1, 1). */
static void keep_last_step(tg_tensor **y)
{
    const int n = (*y)->shape.dim[0], outputs = (*y)->shape.dim[1];
    tg_tensor *last = tg_tensor_new(TG_SHAPE(n, 1, 1));
    for (int w = 0; w < n; w++)
        last->data[w] = (*y)->data[(size_t)w * (size_t)outputs + (size_t)outputs - 1];
    tg_tensor_free(*y);
    *y = last;
}

void tg_series_model_targets(tg_series_arch arch, tg_series_task *t)
{
    if (arch != TG_SERIES_BILSTM)
        return;
    keep_last_step(&t->y_train);
    keep_last_step(&t->y_val);
    keep_last_step(&t->y_test);
}

void tg_series_model_describe_targets(tg_series_arch arch, int T, FILE *out)
{
    int first, step, count;
    tg_series_model_alignment(T, &first, &step, &count);
    if (arch == TG_SERIES_BILSTM)
        fprintf(out, "targets: 1 per window, the step after window step %d: the BiLSTM reads the "
                     "window both ways, so only the step after all it read is a fair target\n\n",
                first + step * (count - 1));
    else
        fprintf(out, "targets: %d per window; output j has seen window steps up to %d + %d j and "
                     "predicts the step after\n\n", count, first, step);
}


tg_model *tg_images_model(int rows, int cols, int classes, tg_app_model_opts o)
{
    tg_model *m = tg_model_new(TG_SHAPE(rows, cols, 1), o.seed);
    add(m, tg_conv2d((tg_conv2d_opts){.filters = 32, .kernel = {3, 3}, .activation = TG_RELU}),
        o.reg);
    add(m, tg_maxpool2d((tg_pool2d_opts){.pool = {2, 2}}), o.reg);
    add(m, tg_rows_as_steps(), o.reg);
    add(m, lstm(64, 0, o.peephole), o.reg);
    add(m, tg_dense(32, TG_RELU), o.reg);
    add(m, tg_dense(classes, TG_SOFTMAX), o.reg);
    return m;
}

tg_model *tg_images_rcnn_model(int rows, int cols, int classes, tg_app_model_opts o)
{
    if (rows < 10 || cols < 10)
        tg_fatal("rcnn image model: images of %d x %d: needs 10 x 10 or more", rows, cols);
    tg_model *m = tg_model_new(TG_SHAPE(rows, cols, 1), o.seed);
    add(m, tg_conv2d((tg_conv2d_opts){.filters = 32, .kernel = {3, 3}, .activation = TG_RELU}),
        o.reg);
    add(m, tg_maxpool2d((tg_pool2d_opts){.pool = {2, 2}}), o.reg);
    add(m, tg_rcl2d((tg_rcl2d_opts){.filters = 32, .kernel = {3, 3}, .iterations = 3}), o.reg);
    /* cppcheck-suppress legacyUninitvar */
    add(m, tg_maxpool2d((tg_pool2d_opts){.pool = {2, 2}}), o.reg);
    add(m, tg_flatten(), o.reg);
    add(m, tg_dense(96, TG_RELU), o.reg);
    add(m, tg_dense(classes, TG_SOFTMAX), o.reg);
    return m;
}

tg_model *tg_frames_model(tg_frames_arch arch, int T, int rows, int cols, tg_app_model_opts o)
{
    tg_frames_arch_name(arch); /* stops on an unknown one */
    const int steps = arch == TG_FRAMES_ONE_FRAME ? 1 : T;
    tg_model *m = tg_model_new(TG_SHAPE(steps, rows, cols, 1), o.seed);
    add(m, tg_time_distributed(tg_conv2d((tg_conv2d_opts){.filters = 16, .kernel = {3, 3},
                                                          .activation = TG_RELU})),
        o.reg);
    /* cppcheck-suppress legacyUninitvar */
    add(m, tg_time_distributed(tg_maxpool2d((tg_pool2d_opts){.pool = {4, 4}})), o.reg);
    add(m, tg_time_distributed(tg_flatten()), o.reg);
    if (arch == TG_FRAMES_CNN_LSTM) {
        add(m, lstm(32, 0, o.peephole), o.reg);
    } else {
        add(m, tg_flatten(), o.reg);
        add(m, tg_dense(32, TG_RELU), o.reg);
    }
    add(m, tg_dense(1, TG_SIGMOID), o.reg);
    return m;
}


tg_model *tg_next_frame_model(tg_next_frame_arch arch, int k, int side, tg_app_model_opts o)
{
    tg_next_frame_arch_name(arch); /* stops on an unknown one */
    if (k < 1 || side < 1)
        tg_fatal("next-frame model: %d frames of side %d: need k >= 1 and side >= 1", k, side);
    const tg_conv2d_opts out = {.filters = 1, .kernel = {3, 3}, .padding = TG_SAME,
                                .activation = TG_SIGMOID};
    tg_model *m;
    if (arch == TG_NEXT_FRAME_CONVLSTM) {
        m = tg_model_new(TG_SHAPE(k, side, side, 1), o.seed);
        add(m, tg_conv_lstm2d((tg_conv_lstm2d_opts){.filters = 16, .kernel = {3, 3},
                                                    .padding = TG_SAME, .peephole = o.peephole}),
            o.reg);
    } else {
        m = tg_model_new(TG_SHAPE(side, side, k), o.seed);
        for (int l = 0; l < 2; l++)
            add(m, tg_conv2d((tg_conv2d_opts){.filters = 32, .kernel = {3, 3}, .padding = TG_SAME,
                                              .activation = TG_RELU}),
                o.reg);
    }
    tg_layer *last = add(m, tg_conv2d(out), o.reg);
    /* The output starts near black, the canvas's commonest pixel: a zero
     * bias would start every pixel at sigmoid(0) = 0.5 grey, and Adam,
     * whose steps are about the learning rate whatever the gradient, would
     * spend thousands of steps darkening it. sigmoid(-2) = 0.12, about the
     * mean pixel of two 14 x 14 items on a 32 x 32 canvas. */
    tg_tensor_fill(last->params[1], -2);
    return m;
}

void tg_series_model_alignment(int T, int *first, int *step, int *count)
{
    /* valid Conv1D, k = 3: T - 2 steps; MaxPooling1D(2): floor((T - 2) / 2) */
    *count = (T - 2) / 2;
    /* pooled j <- conv outputs 2j, 2j + 1 <- inputs up to 2j + 1 + (3 - 1) */
    *first = 3;
    *step = 2;
}

/* ---- the models' names, for the command line ---- */

#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

static const char *const series_names[] = {"cnn-lstm", "lstm-cnn", "bilstm"};
static const char *const frames_names[] = {"cnn-lstm", "cnn-dense", "one-frame"};
static const char *const images_names[] = {"cnn-lstm", "rcnn"};
static const char *const next_frame_names[] = {"convlstm", "cnn"};

static const char *name_of(const char *const *names, int n, int which, const char *what)
{
    if (which < 0 || which >= n)
        tg_fatal("%s: unknown architecture %d", what, which);
    return names[which];
}

/* The index of name in names, or -1. */
static int index_of(const char *const *names, int n, const char *name)
{
    for (int k = 0; k < n; k++)
        if (strcmp(name, names[k]) == 0)
            return k;
    return -1;
}

const char *tg_series_arch_name(tg_series_arch arch)
{
    return name_of(series_names, COUNT(series_names), (int)arch, "series model");
}

int tg_series_arch_parse(const char *name, tg_series_arch *arch)
{
    const int k = index_of(series_names, COUNT(series_names), name);
    if (k >= 0)
        *arch = (tg_series_arch)k;
    return k < 0 ? -1 : 0;
}

const char *tg_frames_arch_name(tg_frames_arch arch)
{
    return name_of(frames_names, COUNT(frames_names), (int)arch, "frames model");
}

int tg_frames_arch_parse(const char *name, tg_frames_arch *arch)
{
    const int k = index_of(frames_names, COUNT(frames_names), name);
    if (k >= 0)
        *arch = (tg_frames_arch)k;
    return k < 0 ? -1 : 0;
}

const char *tg_images_arch_name(tg_images_arch arch)
{
    return name_of(images_names, COUNT(images_names), (int)arch, "images model");
}

int tg_images_arch_parse(const char *name, tg_images_arch *arch)
{
    const int k = index_of(images_names, COUNT(images_names), name);
    if (k >= 0)
        *arch = (tg_images_arch)k;
    return k < 0 ? -1 : 0;
}

const char *tg_next_frame_arch_name(tg_next_frame_arch arch)
{
    return name_of(next_frame_names, COUNT(next_frame_names), (int)arch, "next-frame model");
}

int tg_next_frame_arch_parse(const char *name, tg_next_frame_arch *arch)
{
    const int k = index_of(next_frame_names, COUNT(next_frame_names), name);
    if (k >= 0)
        *arch = (tg_next_frame_arch)k;
    return k < 0 ? -1 : 0;
}

/* ---- gradient checks of the stacks ---- */

static tg_tensor *model_fn(tg_tape *tape, tg_tensor *const *inputs, void *ctx)
{
    return tg_model_forward(ctx, tape, inputs[0], 1);
}

/* d/dx and d/d(every parameter) of m on x of the given batched shape, every
 * parameter and x random (zeros would leave part of the check trivial), the
 * kernel of `spread` (may be NULL) U(-2, 2); frees m. fill_x (NULL: U(-1,
 * 1)) draws x. */
static tg_gradcheck_report check_model(tg_model *m, tg_shape x_shape, tg_layer *spread,
                                       void (*fill_x)(tg_tensor *x, tg_rng *rng), uint64_t seed)
{
    tg_rng rng;
    tg_rng_seed(&rng, seed + 1);
    tg_tensor *in[TG_GRADCHECK_MAX_INPUTS];
    in[0] = tg_tensor_uniform(x_shape, &rng, -1, 1);
    if (fill_x)
        fill_x(in[0], &rng);
    in[0]->name = "x";
    if (m->n_params + 1 > TG_GRADCHECK_MAX_INPUTS)
        tg_fatal("model gradcheck: %d parameters are too many", m->n_params);
    for (int i = 0; i < m->n_params; i++) {
        tg_init_uniform(m->params[i], &rng, -0.5, 0.5);
        in[i + 1] = m->params[i];
    }
    if (spread)
        tg_init_uniform(spread->params[0], &rng, -2, 2);
    tg_gradcheck_opts o = tg_gradcheck_defaults();
    o.seed = seed;
    tg_gradcheck_report r = tg_gradcheck(model_fn, m, in, m->n_params + 1, &o);
    tg_tensor_free(in[0]);
    tg_model_free(m);
    return r;
}

/* A small LSTM(3, sequences) -> Conv1D(2, 3) -> MaxPool1D(2) -> Dense(1,
 * sigmoid) over (2, 7, 2). The convolution is linear (no relu kink) with a
 * wide kernel, U(-2, 2): the LSTM's outputs are small and close together,
 * and spreading them keeps each max-pool winner from switching within the
 * finite differences' +-2h (float's h is 1e-2). */
static tg_gradcheck_report case_lstm_cnn(uint64_t seed)
{
    tg_model *m = tg_model_new(TG_SHAPE(7, 2), seed);
    tg_model_add(m, lstm(3, 1, TG_PEEPHOLE_DIAGONAL));
    tg_layer *conv = tg_model_add(m, tg_conv1d((tg_conv1d_opts){.filters = 2, .kernel = 3}));
    tg_model_add(m, tg_maxpool1d((tg_pool1d_opts){.pool = 2}));
    tg_model_add(m, tg_dense(1, TG_SIGMOID));
    return check_model(m, TG_SHAPE(2, 7, 2), conv, NULL, seed);
}

/* x seen as (K, rows, cols) with every pr x pc pooling window holding the
 * levels -0.9 .. 0.9 evenly spaced, in a random order, jittered by
 * U(-0.05, 0.05): the candidates of a window stay apart by far more than a
 * step of +-2h, so no max-pool winner switches within the differences. */
static void fill_pool_windows(tg_tensor *x, int rows, int cols, int pr, int pc, tg_rng *rng)
{
    const int P = pr * pc;
    int order[16];
    for (size_t f = 0; f < x->size / ((size_t)rows * (size_t)cols); f++)
        for (int wi = 0; wi < rows / pr; wi++)
            for (int wj = 0; wj < cols / pc; wj++) {
                for (int k = 0; k < P; k++)
                    order[k] = k;
                for (int k = P - 1; k > 0; k--) {
                    const int j = (int)tg_rng_below(rng, (uint64_t)k + 1), t = order[k];
                    order[k] = order[j];
                    order[j] = t;
                }
                for (int k = 0; k < P; k++) {
                    const int r = wi * pr + k / pc, c = wj * pc + k % pc;
                    const double level = -0.9 + 1.8 * order[k] / (P - 1);
                    x->data[(f * (size_t)rows + (size_t)r) * (size_t)cols + (size_t)c] =
                        (tg_real)(level + 0.1 * (tg_rng_uniform(rng) - 0.5));
                }
            }
}

static void fill_frames(tg_tensor *x, tg_rng *rng)
{
    fill_pool_windows(x, 4, 4, 2, 2, rng);
}

static void fill_series(tg_tensor *x, tg_rng *rng)
{
    fill_pool_windows(x, 8, 1, 2, 1, rng);
}

/* The CNN-LSTM of frames, small: TimeDistributed(Conv2D(2, 1x1) ->
 * MaxPool2D(2x2) -> Flatten) -> LSTM(3) -> Dense(1, sigmoid) over frames
 * (2, 3, 4, 4, 1); linear and spread as above. A 1x1 kernel keeps each
 * pixel in one pooled candidate, and the frames' windows hold well-spaced
 * pixels (fill_pool_windows), so no max-pool winner switches within the finite
 * differences' +-2h (float's h is 1e-2; a 3x3 kernel over U(-1, 1) frames
 * moved several candidates of a window at once and switched winners). The
 * 3x3 TimeDistributed Conv2D has rows of its own (timedist_conv2d*). */
static tg_gradcheck_report case_frames_cnn_lstm(uint64_t seed)
{
    tg_model *m = tg_model_new(TG_SHAPE(3, 4, 4, 1), seed);
    tg_layer *conv = tg_model_add(
        m, tg_time_distributed(tg_conv2d((tg_conv2d_opts){.filters = 2, .kernel = {1, 1}})));
    /* cppcheck-suppress legacyUninitvar */
    tg_model_add(m, tg_time_distributed(tg_maxpool2d((tg_pool2d_opts){.pool = {2, 2}})));
    tg_model_add(m, tg_time_distributed(tg_flatten()));
    tg_model_add(m, lstm(3, 0, TG_PEEPHOLE_DIAGONAL));
    tg_model_add(m, tg_dense(1, TG_SIGMOID));
    return check_model(m, TG_SHAPE(2, 3, 4, 4, 1), conv, fill_frames, seed);
}

/* The BiLSTM series model's core, small: Conv1D(2, 1) -> MaxPool1D(2) ->
 * Bidirectional(LSTM(2)) -> Dense(1, sigmoid) over (2, 8, 1), each pooled
 * pair of steps well apart (fill_pool_windows), for the reason above. */
static tg_gradcheck_report case_bilstm_series(uint64_t seed)
{
    tg_model *m = tg_model_new(TG_SHAPE(8, 1), seed);
    tg_layer *conv = tg_model_add(m, tg_conv1d((tg_conv1d_opts){.filters = 2, .kernel = 1}));
    tg_model_add(m, tg_maxpool1d((tg_pool1d_opts){.pool = 2}));
    tg_model_add(m, tg_bidirectional(lstm(2, 0, TG_PEEPHOLE_DIAGONAL),
                                     lstm(2, 0, TG_PEEPHOLE_DIAGONAL), TG_MERGE_CONCAT));
    tg_model_add(m, tg_dense(1, TG_SIGMOID));
    return check_model(m, TG_SHAPE(2, 8, 1), conv, fill_series, seed);
}

static const tg_gradcheck_case cases[] = {
    {"lstm_cnn", case_lstm_cnn},
    {"frames_cnn_lstm", case_frames_cnn_lstm},
    {"bilstm_series", case_bilstm_series},
};

const tg_gradcheck_case *tg_app_model_gradcheck_cases(int *n)
{
    *n = (int)(sizeof cases / sizeof cases[0]);
    return cases;
}
