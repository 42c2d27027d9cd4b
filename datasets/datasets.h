/* datasets/: the data the models train on -- image sets kept as bytes, the
 * IDX and CSV readers, where the real data sets are, time series cut into
 * windows and split by time, scalers, and the embedded synthetic data.
 * Stands on tensor/ only. */
#ifndef TG_DATASETS_H
#define TG_DATASETS_H

#include <stddef.h>
#include <stdint.h>

#include "tensor/tensor.h"

/* ==== Image sets (image_set.c) =========================================================== */

/* A set of small grey images with one class label each, kept as bytes.
 *
 * Fashion-MNIST is 60000 x 28 x 28 pixels: as bytes that is 47 MB, as a
 * double tensor 376 MB. So the set stays in bytes and only the batch being
 * trained on is turned into tg_real, scaled to [0, 1]. Both the IDX reader
 * (the IDX section) and the synthetic shapes (embedded data) produce this type. */

typedef struct tg_image_set {
    size_t count;     /* number of images */
    int rows, cols;   /* 28 x 28 for (Fashion-)MNIST */
    int classes;      /* labels are 0 .. classes-1 */
    uint8_t *pixels;  /* count x rows x cols, row-major, 0 = black */
    uint8_t *labels;  /* count */
} tg_image_set;

/* An empty set of `count` zero images (heap); tg_image_set_free releases it. */
void tg_image_set_alloc(tg_image_set *set, size_t count, int rows, int cols, int classes);
void tg_image_set_free(tg_image_set *set);

/* The images index[0..n-1] as x (n, rows, cols, 1), pixels / 255, and, when
 * y is not NULL, their labels one-hot in y (n, classes). x and y are
 * tensors the caller owns (reused batch after batch: no allocation). */
void tg_image_set_batch(const tg_image_set *set, const size_t *index, size_t n, tg_tensor *x,
                        tg_tensor *y);

/* ==== IDX files (idx.c) ================================================================== */

/* The IDX file format of MNIST and Fashion-MNIST, plain or gzip-compressed
 * (one gzip member, as gzip writes it: the reader tells them apart by
 * gzip's magic 1f 8b, and checks the member's CRC32 and length).
 *
 *   byte 0-1  0x00 0x00            magic
 *   byte 2    0x08                 element type: unsigned byte (the only one we read)
 *   byte 3    n                    number of dimensions: 3 for images, 1 for labels
 *   byte 4..  n x uint32, big-endian  the dimensions (count, rows, cols)
 *   then      the elements, row-major
 *
 * Every malformed file is refused with one message naming the file and the
 * byte offset (in the uncompressed stream) where it went wrong: a gzip
 * stream cut anywhere (its trailer included), a wrong CRC or length, bytes
 * after the gzip member (at their offset in the file), a count of 0. */

/* Reads an images file (N, rows, cols) and a labels file (N) into *out
 * (classes = largest label + 1). On failure *out is left empty. */
tg_status tg_idx_load(const char *images_path, const char *labels_path, tg_image_set *out);

/* ==== CSV files (csv.c) ================================================================== */

/* A small CSV reader for the vega data sets: a header line of column names,
 * then one row per line, fields separated by commas.
 *
 * A column is numeric when its field in the first data row is a number (the
 * whole field parses as a finite double; one too small for a normal double,
 * 1e-320, is a number); it is then read as double on every row, and a row
 * where it is not a number, or spells NaN or Inf, is an error. Other
 * columns (dates, "rain", "MSFT") are kept as text. Quotes are handled
 * minimally: a field in double quotes may hold commas, and "" inside it is
 * one quote. Lines end at "\n", "\r\n" or a lone "\r"; a UTF-8 byte order
 * mark before the header is skipped; a NUL byte anywhere is refused (with
 * its line and column). Empty lines are skipped; the line numbers in
 * messages count them (line 1 = header). */

typedef struct tg_csv_column {
    char *name;
    int numeric;   /* 1: values in num, 0: values in text */
    double *num;   /* rows values, when numeric */
    char **text;   /* rows strings, when not */
} tg_csv_column;

typedef struct tg_csv {
    int cols;
    size_t rows;
    tg_csv_column *col;
    size_t *line; /* rows values: the line of the file each row was on (for messages) */
} tg_csv;

/* Errors name the file and the line: missing file, empty file, a row with
 * too few or too many fields, a non-number in a numeric column. On failure
 * *out is left empty (safe to free). */
tg_status tg_csv_read(const char *path, tg_csv *out);
void tg_csv_free(tg_csv *csv);

/* The column called name, or NULL. */
const tg_csv_column *tg_csv_find(const tg_csv *csv, const char *name);
/* The numeric column called name; a status naming `path` when it is missing,
 * has no rows, or holds text (saying what its first row held). */
tg_status tg_csv_numeric(const tg_csv *csv, const char *path, const char *name,
                         const double **values);

/* ==== Where the data sets are (data_path.c) ============================================== */

/* Where the real data sets are. Debian packages them as
 *   dataset-fashion-mnist   /usr/share/datasets/fashion-mnist/ (IDX, gzip)
 *   python3-vega-datasets   /usr/lib/python3/dist-packages/vega_datasets/_data/ (CSV)
 * and `make data` unpacks the same packages (apt-get download + dpkg-deb -x)
 * under the project's data/ directory, keeping those paths. */

typedef enum tg_data_source { TG_DATA_FASHION_MNIST, TG_DATA_VEGA } tg_data_source;

/* The code of tg_data_find's status when the file is in none of the places
 * it looked: the data is not installed, and a caller may fall back to other
 * data by testing the code, not the wording of the message. */
#define TG_DATA_NOT_FOUND 2

/* Finds the file `name` of a source and writes its path into path[len].
 * With dir (a directory the user named): dir/name, then dir/<installed
 * path>/name (dir may be where `make data` unpacked), and nowhere else.
 * Without dir: data/<installed path>/name, then the installed path. A file
 * `x.gz` is also found unpacked, as `x`. A file that is there is found even
 * when it cannot be read (the reader's error then says why: only a missing
 * file may fall back). The error lists where it looked; its code is
 * TG_DATA_NOT_FOUND. */
tg_status tg_data_find(tg_data_source source, const char *name, const char *dir, char *path,
                       size_t len);

/* ==== Time series and windows (series.c) ================================================= */

/* Time series for sequence models: a series of feature vectors with one
 * target per step, split by time, and cut into sliding windows.
 *
 * Label alignment (per step). A window starting at step s holds the inputs
 * x[s], ..., x[s+T-1]. A causal model's output at window step t has seen the
 * inputs up to x[s+t], so its target is the value `horizon` steps later:
 *
 *     y[n, t] = target[s + t + horizon]        (s = lo + n * stride)
 *
 * With horizon 1 and target[i] = "it rained on day i", the output at step t
 * predicts rain on the day after the last day it can see. Layers that shrink
 * the time axis (a valid convolution, a pooling) see further per output step:
 * tg_window_output_targets picks the targets of their outputs.
 *
 * Splits are by time, in order (train, then validation, then test), and the
 * windows of a range take inputs and targets from that range only, so no
 * future value reaches training. */

typedef struct tg_series {
    size_t steps;
    int dims;
    double *x;      /* steps x dims features, row-major */
    double *target; /* steps: the quantity predicted, at its own step */
} tg_series;

void tg_series_alloc(tg_series *s, size_t steps, int dims);
void tg_series_free(tg_series *s);

/* [0, train_end) is training, [train_end, val_end) validation,
 * [val_end, steps) test. */
typedef struct tg_time_split {
    size_t train_end, val_end, steps;
} tg_time_split;

/* The last test_steps steps are the test range, the val_steps before them
 * validation, all earlier steps training. */
tg_time_split tg_time_split_make(size_t steps, size_t val_steps, size_t test_steps);

typedef struct tg_window_spec {
    int steps;   /* T: inputs per window */
    int horizon; /* how far ahead the target lies, in steps (>= 0) */
    int stride;  /* steps between window starts (>= 1) */
} tg_window_spec;

/* Number of windows with inputs and targets inside [lo, hi). */
size_t tg_window_count(size_t lo, size_t hi, tg_window_spec spec);

/* The windows of [lo, hi): *x (N, T, dims) and *y (N, T, 1), new heap
 * tensors. A range too short for one window is a data error. */
tg_status tg_windows_make(const tg_series *s, size_t lo, size_t hi, tg_window_spec spec,
                          tg_tensor **x, tg_tensor **y);

/* Targets (N, T, C) -> (N, count, C): window steps first, first + step, ...
 * A valid Conv1D of width k then a MaxPool1D of size p (stride p) gives
 * output j the inputs up to window step j*p + (p - 1) + (k - 1): its target
 * is the target of that step, so first = p + k - 2 and step = p. */
tg_tensor *tg_window_output_targets(const tg_tensor *y, int first, int step, int count);

/* ==== Scaling (scale.c) ================================================================== */

/* Feature scaling, fitted on the training range only.
 *
 *   min-max:          x' = (x - min) / (max - min)
 *   standardization:  x' = (x - mean) / std
 *
 * Both are x' = (x - shift) / scale with (shift, scale) measured on the
 * training rows; the same numbers are then applied to every row, validation
 * and test included, so nothing about the future leaks into the fit. A
 * constant column gets scale 1. */

#define TG_SCALER_MAX_DIMS 16

typedef enum tg_scale_kind { TG_SCALE_MINMAX, TG_SCALE_STANDARD } tg_scale_kind;

typedef struct tg_scaler {
    tg_scale_kind kind;
    int dims;
    double shift[TG_SCALER_MAX_DIMS];
    double scale[TG_SCALER_MAX_DIMS];
} tg_scaler;

/* Fits on rows [lo, hi) of x (rows x dims, row-major). */
tg_scaler tg_scaler_fit(tg_scale_kind kind, const double *x, int dims, size_t lo, size_t hi);
/* x' = (x - shift) / scale on rows 0 .. rows-1, in place. */
void tg_scaler_apply(const tg_scaler *s, double *x, size_t rows);
/* x = x' * scale + shift, for one value of column d. */
double tg_scaler_invert(const tg_scaler *s, int d, double v);

/* ==== Moving images (moving.c) =========================================================== */

/* Sequences of frames for next-frame prediction, as Moving MNIST
 * (Srivastava et al. 2015) makes them: `items` images of a set, each
 * box-averaged down to item x item pixels, start at uniform positions of a
 * blank canvas x canvas frame and move in straight lines at `speed`
 * pixels a frame in a uniform direction, reflected off the edges, so that
 * every item stays whole inside the canvas; where two overlap the brighter
 * pixel shows. Each item's image is drawn from the images [first, first +
 * n) only, so sets made from disjoint ranges share no image. The same seed
 * gives the same sequences. */

typedef struct tg_moving_opts {
    int canvas;   /* the frame's side, pixels */
    int item;     /* an item's side, <= canvas and the images' sides */
    int items;    /* per sequence, >= 1 */
    int frames;   /* per sequence, >= 2 */
    double speed; /* pixels a frame, 0 <= speed <= canvas - item */
} tg_moving_opts;

/* canvas 32, two items of 14 x 14 (Fashion-MNIST halved), 5 frames, speed 2. */
tg_moving_opts tg_moving_defaults(void);

typedef struct tg_moving_set {
    tg_moving_opts opts;
    size_t count;    /* sequences */
    uint8_t *pixels; /* count x frames x canvas x canvas, 0 = black */
    size_t *source;  /* count x items: the image each item shows */
    int *corner;     /* count x frames x items x 2: each item's top-left (row, col) */
} tg_moving_set;

/* count sequences from the images [first, first + n); stops with a message
 * on options out of range or images outside the set. */
void tg_moving_make(const tg_image_set *images, size_t first, size_t n, size_t count,
                    tg_moving_opts o, uint64_t seed, tg_moving_set *out);
void tg_moving_free(tg_moving_set *s);

/* Frame t of sequence seq: canvas x canvas bytes. */
const uint8_t *tg_moving_frame(const tg_moving_set *s, size_t seq, int t);

/* The copy-the-last-frame baseline for predicting frame k from frames
 * 0 .. k-1: the mean over every sequence and pixel of (x_{k-1} - x_k)^2,
 * pixels / 255 (what a model's mean squared error is compared with). */
double tg_moving_copy_last_mse(const tg_moving_set *s, int k);

/* ==== Embedded data (synthetic.c) ======================================================== */

/* Embedded data sets, generated in code from a seed, so that every model
 * trains on a bare machine. The same seed gives the same bytes everywhere
 * (the generator is tg_rng, not the C library's rand). */

/* A noisy sum of three sines, one feature per step:
 *
 *     v_i = sum_k a_k sin(2 pi i / P_k + phi_k) + e_i,   e_i ~ N(0, 0.05^2)
 *
 * with random amplitudes a_k, periods P_k (10 .. 40 steps) and phases phi_k.
 * target[i] = 1 when v_i > v_{i-1} (the series went up at step i), 0
 * otherwise (target[0] = 0); with horizon 1 (time series and windows, above) a model predicts
 * whether the series goes up next. */
void tg_synthetic_series(tg_series *out, size_t steps, uint64_t seed);

/* The ten shape classes of tg_synthetic_shapes, by label. */
extern const char *const tg_shape_class_names[10];

/* `count` 28 x 28 images of ten simple shapes (square, circle, triangle,
 * plus, horizontal bar, vertical bar, X, filled square, disk, L), each at a
 * random position and size, with a random brightness and Gaussian pixel
 * noise; labels uniform over the ten classes. */
void tg_synthetic_shapes(tg_image_set *out, size_t count, uint64_t seed);

#endif
