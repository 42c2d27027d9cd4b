/* apps/: the document's tasks and models end to end (what `tapegrad train`
 * runs), the training-curve plot through gnuplot, and the registry of every
 * named gradient check. The top floor of the library. */
#ifndef TG_APPS_H
#define TG_APPS_H

#include <stdint.h>
#include <stdio.h>

#include "tensor/tensor.h"
#include "datasets/datasets.h"
#include "autograd/autograd.h"
#include "layers/layers.h"
#include "train/train.h"

/* ==== The document's models (models.c) =================================================== */

/* The models of the document's section 4, built as the document writes them (and
 * the other direction its step 2 mentions, LSTM into CNN):
 *
 *   time series (4.1):  Conv1D(32, 3, relu) -> MaxPooling1D(2)
 *                       -> LSTM(64, return_sequences) -> Dense(32, relu)
 *                       -> Dense(1, sigmoid)                       binary cross-entropy
 *   regression:         the same with Dense(1) linear             mean squared error
 *   images (4.2):       Conv2D(32, 3x3, relu) -> MaxPooling2D(2x2)
 *                       -> rows as time steps (the missing Reshape)
 *                       -> LSTM(64) -> Dense(32, relu) -> Dense(10, softmax)
 *                                                                  categorical cross-entropy
 *   LSTM -> CNN:        LSTM(32, return_sequences) -> Conv1D(32, 3, relu)
 *                       -> MaxPooling1D(2) -> Dense(32, relu) -> Dense(1, out)
 *   BiLSTM:             Conv1D(32, 3, relu) -> MaxPooling1D(2)
 *                       -> Bidirectional(LSTM(32)) (concat: 64 wide, as the
 *                       document's LSTM(64)) -> Dense(32, relu) -> Dense(1, out)
 *                       -> Reshape(1, 1): one output per window
 *
 * The models come uncompiled: the caller picks the optimizer. */

typedef struct tg_app_model_opts {
    tg_peephole peephole; /* the LSTM's peepholes (layers.h; default: the document's diagonal) */
    tg_regularizer reg;   /* kernel regularizer of every layer with a kernel */
    uint64_t seed;        /* initial weights and shuffling */
} tg_app_model_opts;

typedef enum {
    TG_SERIES_CNN_LSTM = 0, /* the document's 4.1: convolution first */
    TG_SERIES_LSTM_CNN,     /* LSTM first, its sequence into the convolution */
    TG_SERIES_BILSTM,       /* 4.1 with the LSTM read both ways, one output per window */
} tg_series_arch;

/* Per-sample input (T, D), T >= 4; output ((T - 2) / 2, 1), one value per
 * pooled step, sigmoid (binary) or linear (regression); the BiLSTM's (1, 1).
 *
 * Why the BiLSTM has one output: its backward copy reads the window from
 * its end, so every pooled step's output has seen the whole window, and an
 * output j < last would be trained on a target (the step after window step
 * 2 j + 3) that lies inside what it read. Its one output is the last
 * step's, whose target is the step after everything it read: reading the
 * window both ways then leaks nothing. */
tg_model *tg_series_model(tg_series_arch arch, int T, int D, int binary,
                               tg_app_model_opts o);

/* The targets the model of arch trains on, in place: the series tasks'
 * windows come with one target per pooled output step (y: (N, outputs, 1));
 * the BiLSTM keeps the last step's, (N, 1, 1). Nothing changes for the
 * other models. */
struct tg_series_task;
void tg_series_model_targets(tg_series_arch arch, struct tg_series_task *t);

/* The line saying what a window's targets are, for `tapegrad train`. */
void tg_series_model_describe_targets(tg_series_arch arch, int T, FILE *out);

/* "cnn-lstm", "lstm-cnn", "bilstm"; parse returns 0 and sets *arch, or -1. */
const char *tg_series_arch_name(tg_series_arch arch);
int tg_series_arch_parse(const char *name, tg_series_arch *arch);

/* Per-sample input (rows, cols, 1); output (classes), softmax. */
tg_model *tg_images_model(int rows, int cols, int classes, tg_app_model_opts o);

/* The image model the other way the document's section 5 names, a
 * recurrent convolutional network (RCNN, Liang & Hu 2015: the recurrence
 * inside the convolution, over iterations on the still image, instead of
 * an LSTM over its rows), at about the document model's parameter count
 * (130 442 against 126 122 for 28 x 28 x 1 and ten classes):
 *
 *   rcnn:  Conv2D(32, 3x3, relu) -> MaxPooling2D(2x2)
 *          -> RCL2D(32, 3x3, 3 iterations) -> MaxPooling2D(2x2)
 *          -> Flatten -> Dense(96, relu) -> Dense(classes, softmax)
 *
 * Per-sample input (rows, cols, 1), rows and cols >= 10; output (classes). */
tg_model *tg_images_rcnn_model(int rows, int cols, int classes, tg_app_model_opts o);

typedef enum {
    TG_IMAGES_CNN_LSTM = 0, /* the document's 4.2 (tg_images_model) */
    TG_IMAGES_RCNN,         /* tg_images_rcnn_model */
} tg_images_arch;

/* "cnn-lstm", "rcnn"; parse returns 0 and sets *arch, or -1. */
const char *tg_images_arch_name(tg_images_arch arch);
int tg_images_arch_parse(const char *name, tg_images_arch *arch);

/* Which window steps the series models' outputs stand for: both models end
 * with a valid Conv1D(k = 3) and a MaxPooling1D(2) in time order, so pooled
 * output j has seen the inputs up to window step 2 j + 3 (datasets.h, time series). */
void tg_series_model_alignment(int T, int *first, int *step, int *count);

/* The frames models, for sequences of T images (frames.c's task); per-sample
 * input (T, rows, cols, 1), output (1), sigmoid:
 *
 *   cnn-lstm:   TimeDistributed(Conv2D(16, 3x3, relu)) -> TimeDistributed(MaxPooling2D(4x4))
 *               -> TimeDistributed(Flatten) -> LSTM(32) -> Dense(1, sigmoid)
 *               (Keras's CNN-LSTM over video frames; the 4x4 pool gives 576
 *               features a frame, and overfits less than 2x2's 2704)
 *   cnn-dense:  the same CNN on every frame, then Flatten -> Dense(32, relu)
 *               -> Dense(1, sigmoid): every frame in view, no recurrence
 *   one-frame:  cnn-dense on the first frame alone (T = 1)
 *
 * The LSTM has the document's peepholes unless o.peephole says otherwise. */
typedef enum {
    TG_FRAMES_CNN_LSTM = 0,
    TG_FRAMES_CNN_DENSE,
    TG_FRAMES_ONE_FRAME,
} tg_frames_arch;

tg_model *tg_frames_model(tg_frames_arch arch, int T, int rows, int cols, tg_app_model_opts o);

/* "cnn-lstm", "cnn-dense", "one-frame"; parse returns 0 and sets *arch, or -1. */
const char *tg_frames_arch_name(tg_frames_arch arch);
int tg_frames_arch_parse(const char *name, tg_frames_arch *arch);

/* The next-frame models (next_frame.c's task): read k frames of side S,
 * predict frame k + 1, pixels in [0, 1]:
 *
 *   convlstm:  ConvLSTM2D(16, 3x3, same) -> Conv2D(1, 3x3, same, sigmoid)
 *              per-sample input (k, S, S, 1): the frames in time order,
 *              the LSTM's peepholes from o.peephole (the document's
 *              diagonal ones by default: 4 S S 16 Hadamard weights more)
 *   cnn:       Conv2D(32, 3x3, same, relu) -> Conv2D(32, 3x3, same, relu)
 *              -> Conv2D(1, 3x3, same, sigmoid), per-sample input
 *              (S, S, k): the k frames stacked as channels, no recurrence,
 *              about as many convolution weights (10 721 for k = 4 against
 *              the ConvLSTM's 10 001 without peepholes)
 *
 * Output (S, S, 1); the last Conv2D's bias starts at -2 (sigmoid 0.12,
 * near the frames' mean pixel) rather than 0 (a grey 0.5 everywhere). */
typedef enum {
    TG_NEXT_FRAME_CONVLSTM = 0,
    TG_NEXT_FRAME_CNN,
} tg_next_frame_arch;

tg_model *tg_next_frame_model(tg_next_frame_arch arch, int k, int side, tg_app_model_opts o);

/* "convlstm", "cnn"; parse returns 0 and sets *arch, or -1. */
const char *tg_next_frame_arch_name(tg_next_frame_arch arch);
int tg_next_frame_arch_parse(const char *name, tg_next_frame_arch *arch);

/* ==== The series tasks (tasks.c) ========================================================= */

/* The series tasks of the applications, ready to train: windows of the
 * train / validation / test ranges (split by time, in order), features
 * scaled with numbers fitted on the training range only, targets aligned
 * with the series models' pooled outputs (the document's models, above), and for the test
 * windows the baselines a model must beat.
 *
 *   rain:        Seattle weather (seattle-weather.csv), one row a day;
 *                features (precipitation, temp_max, temp_min, wind, rained
 *                today, the season as sin and cos of the day of the year),
 *                target "rain tomorrow" = precipitation of the next day > 0;
 *                the last 365 days are the test, the 182 before validation.
 *   temps:       Seattle hourly temperature (seattle-temps.csv, 2010);
 *                features (temp, sin and cos of the hour of day), forecast
 *                the next hour's temperature (regression); test the last 60
 *                days, validation the 30 before.
 *   synthetic:   tg_synthetic_series, "goes up next" (binary) or the next
 *                value (regression); test and validation 15% each.
 *
 * A regression forecasts a level (a temperature) through its change: the
 * model's target at step i is level[i] - level[i-1], and the forecast is
 * the last level seen plus the predicted change (a model that predicts no
 * change is exactly persistence).
 *
 * Test figures are taken at the last output step of each test window
 * (stride 1): it has seen the whole window, and each test step is then
 * scored once. Persistence predicts the target's current value ("tomorrow
 * like today"); majority predicts the commonest training class. */

typedef struct tg_series_task {
    char name[64];
    char source[512];  /* the file read, or how the data was made */
    int T, D, binary;
    tg_tensor *x_train, *y_train, *x_val, *y_val, *x_test, *y_test; /* y: (N, outputs, 1) */
    /* Per test window, in the target's own units: the truth of its last
     * output step and the persistence prediction for it. */
    int n_test;
    double *truth, *persistence;
    double *base;         /* added to a regression's output: the last level seen */
    double majority;      /* binary: the commonest class among training targets */
    tg_scaler target;     /* the target's scaling: change = tg_scaler_invert(&target, 0, y);
                           * the identity for a binary task */
    /* Binary: accuracies over the whole data set (every step, no windows),
     * for reference; NAN for a regression. */
    double whole_persistence, whole_majority;
} tg_series_task;

/* dir: where to look for the file (tg_data_find in datasets.h; NULL: the usual places).
 * The date column may be written 2012/01/31 (the Debian package) or
 * 2012-01-31 (ISO, upstream vega), with a time 13:00 or T13:00:00 after
 * it; a row whose date is neither is refused with its line. Windows of T
 * steps must fit the validation and test ranges (T at most 181 days for
 * rain, 719 hours for temps, 15% of the steps less one for synthetic):
 * a T that does not is a status naming the data, as is a file too short. */
tg_status tg_rain_task(const char *dir, int T, tg_series_task *out);
tg_status tg_temps_task(const char *dir, int T, tg_series_task *out);
tg_status tg_synthetic_task(int binary, size_t steps, int T, uint64_t seed, tg_series_task *out);
void tg_series_task_free(tg_series_task *t);

/* Test scores from a model's predictions on x_test ((N, outputs, 1)):
 * accuracy for a binary task, MSE in the target's units for a regression;
 * majority is NAN for a regression. */
typedef struct tg_series_scores {
    double model, persistence, majority;
} tg_series_scores;
tg_series_scores tg_series_task_score(const tg_series_task *t, const tg_tensor *pred);

/* ==== Sequences of frames (frames.c) ===================================================== */

/* The frames task: sequences of T images, labelled 1 when two frames in a
 * row show the same class. Every sequence shows exactly one class twice
 * and T - 2 other classes once each (all distinct); the two frames of that
 * class are neighbours (label 1: positions t, t + 1) or not (label 0: t,
 * t + k with k >= 2); the labels alternate, so each is half the set.
 *
 * Why it needs both parts: every frame's class is uniform over the
 * classes whatever the label, so one frame says nothing (one-frame: 50%),
 * and the bag of classes (one twice, the others once) is the same for both
 * labels, so a model that ignores the order cannot do better either. A
 * model must recognise the classes (the CNN) and compare neighbours in
 * time (the LSTM's h_{t-1} against x_t).
 *
 * The frames are images of a tg_image_set, by index; the two frames of the
 * repeated class are two different images of it. */

typedef struct tg_frame_sequences {
    const tg_image_set *images; /* where the frames come from (not owned) */
    size_t first, count_images; /* the images used: [first, first + count_images) */
    int T;
    size_t count;
    size_t *frame;  /* count x T image indices */
    uint8_t *label; /* count: 1 when a class repeats on neighbouring frames */
} tg_frame_sequences;

/* count sequences of T frames (3 <= T <= images->classes + 1) drawn from
 * the images [first, first + n) from the seed. Stops with a message if
 * some class has fewer than two images there. */
void tg_frame_sequences_make(const tg_image_set *images, size_t first, size_t n, int T,
                             size_t count, uint64_t seed, tg_frame_sequences *out);
void tg_frame_sequences_free(tg_frame_sequences *s);

/* The sequences as samples for fit (train.h's tg_fit_source): x (N, steps,
 * rows, cols, 1), the first `steps` frames of each (1 for the one-frame
 * model), pixels / 255, and y (N, 1) the label. Free with
 * tg_frame_source_free. */
typedef struct tg_frame_source {
    tg_fit_source source;
    const tg_frame_sequences *seq;
    int steps;
    size_t *index; /* room for one batch's frame indices */
} tg_frame_source;

void tg_frame_source_open(tg_frame_source *fs, const tg_frame_sequences *seq, int steps);
void tg_frame_source_free(tg_frame_source *fs);

/* ==== Next-frame prediction (next_frame.c) =============================================== */

/* The next-frame task: sequences of moving images (datasets.h, moving
 * images: two Fashion-MNIST items of 14 x 14 on a 32 x 32 canvas, 2 pixels
 * a frame), read k frames, predict frame k + 1; mean squared error on
 * pixels / 255, set beside the copy-the-last-frame baseline
 * (tg_moving_copy_last_mse). Training, validation and test sequences take
 * their items from disjoint images (the last tenth of the training images
 * for validation, the test images for the test).
 *
 * The sequences as samples for fit: x the first k frames, in time order
 * (N, k, S, S, 1) for the ConvLSTM or stacked as channels (N, S, S, k)
 * for the CNN (stacked = 1), y frame k (N, S, S, 1), pixels / 255. The
 * source keeps a pointer to the set; nothing to free. */
typedef struct tg_moving_source {
    tg_fit_source source;
    const tg_moving_set *set;
    int k, stacked;
} tg_moving_source;

void tg_moving_source_open(tg_moving_source *ms, const tg_moving_set *set, int k, int stacked);

/* ==== The applications (app.c) =========================================================== */

/* The document's applications end to end, as `tapegrad train` runs them: data
 * (real when found, else the embedded synthetic set, and it says so), the
 * model of the models section, training with a progress bar and a per-epoch
 * line, the test figures next to the baselines, the history CSV, the plot
 * and the checkpoint.
 *
 *   timeseries  Seattle rain tomorrow (section 4.1's model, binary)
 *   images      Fashion-MNIST (section 4.2's model, ten classes)
 *   regression  Seattle next-hour temperature (4.1's model with MSE)
 *   frames      sequences of Fashion-MNIST images: does a class repeat on
 *               neighbouring frames (the CNN-LSTM of frames, frames.h)
 *   next-frame  moving Fashion-MNIST: predict the next frame (ConvLSTM2D,
 *               or a CNN over the frames stacked as channels)
 *
 * Everything is written to opts->out (stdout when NULL). */

typedef enum {
    TG_APP_TIMESERIES = 0,
    TG_APP_IMAGES,
    TG_APP_REGRESSION,
    TG_APP_FRAMES,
    TG_APP_NEXT_FRAME,
} tg_app_task;

typedef struct tg_app_opts {
    tg_app_task task;
    const char *data_dir;  /* NULL: data/ then the installed paths, else embedded */
    int embedded;          /* 1: the embedded data even when real data is there */
    int epochs;            /* default 5 */
    int batch_size;        /* default 32 */
    double learning_rate;  /* default 1e-3 (adam, rmsprop), 1e-2 (sgd, gd) */
    const char *optimizer; /* "adam" (default), "sgd", "rmsprop", "gd" (whole-set batches) */
    double l1, l2;         /* kernel regularizers on every layer */
    int patience;          /* > 0: early stopping on val_loss, best weights restored */
    tg_peephole peephole;  /* the LSTMs'; next-frame's ConvLSTM: diagonal or none only */
    tg_series_arch arch;   /* series tasks: cnn-lstm (the document's), lstm-cnn or bilstm */
    tg_images_arch images_arch; /* images: cnn-lstm (default, the document's) or rcnn */
    tg_frames_arch frames_arch; /* frames: cnn-lstm (default), cnn-dense or one-frame */
    tg_next_frame_arch next_frame_arch; /* next-frame: convlstm (default) or cnn */
    int steps;             /* series window length T (default 16 days / 24 hours / 32);
                            * frames: frames per sequence (default 4);
                            * next-frame: frames read (default 4) */
    size_t limit;          /* images: train on the first `limit` images only (0: all);
                            * frames, next-frame: on `limit` training sequences */
    uint64_t seed;         /* default 42 */
    int threads;           /* 0: leave as is */
    const char *history_csv, *plot_png, *save_dir, *load_dir; /* NULL: not wanted */
    FILE *out;
} tg_app_opts;

tg_app_opts tg_app_defaults(void);

/* What a run measured (for tests and scripts). */
typedef struct tg_app_result {
    int epochs_run;
    double first_loss, last_loss;        /* training loss of the first and last epoch */
    double test_loss, test_metric;       /* accuracy (timeseries, images) or mae */
    /* next-frame: model = the test MSE, persistence = copy-last's */
    double model, persistence, majority; /* series: last-step test figures (series tasks) */
    int embedded;                        /* 1: ran on the embedded data */
} tg_app_result;

/* Data errors (a file that is there but broken, a --data DIR without the
 * files, a checkpoint that does not fit) come back as a status. */
tg_status tg_app_run(const tg_app_opts *opts, tg_app_result *result);

/* ==== Plots (plot.c) ===================================================================== */

/* Training curves through gnuplot, from a History CSV (train.h, history):
 * loss and val_loss in one panel, the first metric and its val_ twin in a
 * second, drawn twice by one script: a PNG through the pngcairo terminal
 * and the same panels as text through the dumb terminal.
 *
 * The script is written next to the PNG (out.png -> out.gp) and kept, so it
 * can be edited and rerun by hand. Without gnuplot on PATH, the script is
 * still written and the status says how to draw it.
 *
 * Nothing of the user's becomes a command (docs/safety.md): metric names
 * must be identifiers (letters, digits, _), and paths go into single-quoted
 * strings, where gnuplot interprets nothing, as "./path" when relative; a
 * path holding a quote (' " `) or a control character, or starting with
 * '<' or '|' (gnuplot's pipes), is refused. Every output is written the way
 * checkpoints are: gnuplot draws into temporary files beside the PNG and
 * the text plot, which replace them only when gnuplot exited 0, the PNG is
 * whole (signature, chunks, IEND at the end) and the text is not empty; the
 * script goes through tg_write_file. The outputs are never the history or
 * each other, compared as files (tg_plot_name). */

/* The longest path a plot names (PATH_MAX of Linux, spelled out so that the
 * header needs no POSIX limits.h). */
#define TG_PATH_MAX 4096

/* The files a plot writes, as tg_plot_history named them. */
typedef struct tg_plot_paths {
    char png[TG_PATH_MAX], text[TG_PATH_MAX], script[TG_PATH_MAX];
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

/* Names the outputs of a plot of the history csv (the PNG, the text plot,
 * the script) into *p, as tg_plot_history will, and refuses them before
 * anything is read or written: a path too long, one that cannot go into a
 * script, or two of the four (history included) that are one file ("plot:
 * the text plot r.txt would also be the history CSV: choose other names").
 * `tapegrad train` calls it before training. */
tg_status tg_plot_name(const char *csv, const tg_plot_opts *o, tg_plot_paths *p);

/* The script that draws h (read from csv) into png and text, in memory:
 * *script is a malloc'd string; o gives the sizes (NULL: the defaults).
 * Refuses, as above, a metric name that is
 * not an identifier and a path that cannot be quoted. */
tg_status tg_plot_script(const tg_history *h, const char *csv, const char *png, const char *text,
                         const tg_plot_opts *o, char **script);

/* Writes the script and runs gnuplot on it. */
tg_status tg_plot_history(const char *csv_path, const tg_plot_opts *opts);

/* ==== Pictures (pictures.c) ============================================================== */

/* The pictures of the docs, each drawn from the library's own numbers:
 *
 *   tape        tutorial 1's L = a tanh(a b + c) after backward        Graphviz
 *   lstm_step   one step of the document's LSTM, H = D = N = 1          Graphviz
 *   simple_rnn  three steps of SimpleRNN, H = D = N = 1                 Graphviz
 *   vanishing   ||dL/dx_t|| over t, SimpleRNN and six LSTMs (below)     gnuplot, log scale, + text
 *   gates       i, f, o, ~c, c, h of the trained time-series model over
 *               one window, the input series above                     gnuplot
 *   filters     the trained image model's 32 kernels, one test image
 *               and its maps after Conv2D + ReLU and after max-pooling  gnuplot
 *   rows        that image's (13, 416) rows-as-steps matrix             gnuplot
 *   next_frame  the trained next-frame ConvLSTM on two moving-shapes
 *               sequences: the frames it reads, the truth, its
 *               prediction, the squared errors (its and copy-last's)   gnuplot
 *
 * The trained models are trained here, briefly, on the embedded data
 * (synthetic series and shapes, fixed seeds), so every picture is the same
 * on every machine. Each picture writes its data next to the PNG (out.png
 * -> out.dot, or out.dat: numbers and this library's own words only) and,
 * for gnuplot, its script (out.gp) and for the vanishing curves a text plot
 * (out.txt); the script names only this library's text and paths that
 * tg_picture_path_ok accepts. Graphviz's dot and gnuplot are spawned with
 * an argument vector, never a shell; without them the data and scripts
 * are still written and the status says what to install and what to run. */

typedef struct tg_picture {
    const char *name, *what;
} tg_picture;

/* The files of a picture; script and text are empty when it has none. */
typedef struct tg_picture_files {
    char png[TG_PATH_MAX], data[TG_PATH_MAX], script[TG_PATH_MAX], text[TG_PATH_MAX];
} tg_picture_files;

const tg_picture *tg_pictures(int *n);

/* 1 when a path may go into a script or a command line: not empty, no
 * quote, no control character, and not starting with '<' or '|' (gnuplot
 * would run it) or '-' (dot would read an option). */
int tg_picture_path_ok(const char *path);

/* Writes picture `name`'s data and script next to png_path and, when draw
 * is 1, draws the PNG; files receives the paths used (also on failure,
 * once named). An unknown name or a refused path changes nothing. */
tg_status tg_picture_make(const char *name, const char *png_path, int draw,
                          tg_picture_files *files);

/* The same for several pictures (n = 0: every one), each as dir/NAME.png
 * with its files beside it; filters and rows then share one training. The
 * first error stops it. */
tg_status tg_pictures_make(const char *dir, const char *const *names, int n, int draw);

/* ==== The vanishing gradient (pictures_vanishing.c) ====================================== */

/* How much of the gradient of a loss on the last step, L = sum(h_T),
 * reaches the input x_t of every step t: ||dL/dx_t||, for SimpleRNN and
 * for the document's LSTM with forget-gate bias 0, 1 (Keras's
 * unit_forget_bias) and 3, without peepholes and with the document's four
 * (diagonal, W_cc included), every other weight initialised as Keras does.
 * Keras-like zero peepholes would change nothing at all, so the peepholes
 * are drawn U(-r, r). x ~ N(0, 1). Tutorial 9 reads the numbers. */

typedef struct tg_vanishing_cell {
    const char *name;      /* "simple_rnn", "lstm_bf1", "peephole_bf3", ... */
    const char *label;     /* "SimpleRNN", "LSTM b_f = 1", ... */
    int lstm;              /* 0: SimpleRNN */
    tg_peephole peephole;  /* an LSTM's: TG_PEEPHOLE_NONE or TG_PEEPHOLE_DIAGONAL */
    double forget_bias;    /* an LSTM's b_f */
} tg_vanishing_cell;

typedef struct tg_vanishing_opts {
    int steps, units, input_dim; /* T, H, D */
    int batch;                   /* sequences per seed */
    int seeds;                   /* seeds seed, seed + 1, ... */
    uint64_t seed;
    double peephole_range;       /* r; 0 keeps Keras's zeros */
} tg_vanishing_opts;

/* T = 100, H = 32, D = 4, 16 sequences, 5 seeds from 1, r = 0.5. */
tg_vanishing_opts tg_vanishing_defaults(void);

/* The seven cells: simple_rnn, lstm_bf0, lstm_bf1, lstm_bf3, peephole_bf0,
 * peephole_bf1, peephole_bf3. */
const tg_vanishing_cell *tg_vanishing_cells(int *n);

/* A built layer of that cell for (T, D) with its weights drawn from rng:
 * Keras's initialisers, then b_f and the peepholes set as above. */
tg_layer *tg_vanishing_layer(const tg_vanishing_cell *cell, const tg_vanishing_opts *o,
                             tg_rng *rng);

/* norms[t] for t = 0..T-1 (step t + 1): ||dL/dx_t|| averaged over every
 * sequence of every seed as a geometric mean, 10^mean(log10), the average
 * a log scale shows. Per seed: the layer, then x, from one generator. */
void tg_vanishing_profile(const tg_vanishing_cell *cell, const tg_vanishing_opts *o,
                          double *norms);

/* ==== The gradcheck registry (gradcheck_registry.c) ====================================== */

/* Every gradient check the library registers, in the document's order of
 * ideas: primitive ops, layers, the LSTM variants, losses. */

const tg_gradcheck_case *const *tg_gradcheck_registry(int *n);

#endif
