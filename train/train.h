/* train/: the training library -- losses, metrics, optimizers,
 * regularizers, the Sequential model and its summary, gradient clipping,
 * the finite checks and the training step, fit and its callbacks (progress,
 * early stopping, checkpointing, the history), evaluate, and checkpoints.
 * Stands on layers/, datasets/ and below. */
#ifndef TG_TRAIN_H
#define TG_TRAIN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "tensor/tensor.h"
#include "datasets/datasets.h"
#include "autograd/autograd.h"
#include "layers/layers.h"

/* ==== Losses (loss.c) ==================================================================== */

/* Losses: each one a composition of tape ops, so the tape derives its
 * gradient and gradcheck holds it against finite differences.
 *
 * pred and target have one shape. A loss is averaged over every sample and,
 * for per-time-step outputs such as the document's (N, T, 1) time-series model,
 * over every time step too: MSE and the binary cross-entropies over all
 * elements, the categorical ones over all rows (every index but the last).
 * A shape mismatch stops with a message naming the loss and both shapes. */

typedef enum {
    TG_LOSS_MSE = 0,     /* mean squared error */
    TG_LOSS_BCE,         /* binary cross-entropy on probabilities (after a sigmoid) */
    TG_LOSS_BCE_LOGITS,  /* binary cross-entropy on logits (no sigmoid), stable */
    TG_LOSS_CCE,         /* categorical cross-entropy on probabilities (after a softmax) */
    TG_LOSS_CCE_LOGITS,  /* categorical cross-entropy on logits, fused with log-softmax */
} tg_loss;

/* Keras's fuzz factor: probabilities are clipped to [eps, 1 - eps]. */
#define TG_LOSS_EPSILON 1e-7

tg_tensor *tg_loss_mse(tg_tape *tape, tg_tensor *pred, tg_tensor *target);
tg_tensor *tg_loss_bce(tg_tape *tape, tg_tensor *prob, tg_tensor *target);
tg_tensor *tg_loss_bce_logits(tg_tape *tape, tg_tensor *logits, tg_tensor *target);
tg_tensor *tg_loss_cce(tg_tape *tape, tg_tensor *prob, tg_tensor *target);
tg_tensor *tg_loss_cce_logits(tg_tape *tape, tg_tensor *logits, tg_tensor *target);

/* The loss of that kind: a one-element tensor on the tape. */
tg_tensor *tg_loss_compute(tg_tape *tape, tg_loss loss, tg_tensor *pred, tg_tensor *target);
/* "mse", "binary_crossentropy", ... as Keras names them. */
const char *tg_loss_name(tg_loss loss);
/* Parses a name of tg_loss_name; returns 0 and sets *loss, or -1. */
int tg_loss_parse(const char *name, tg_loss *loss);
/* 1 when the loss reads logits, so metrics threshold at 0 instead of 0.5. */
int tg_loss_from_logits(tg_loss loss);

/* ==== Metrics (metrics.c) ================================================================ */

/* Metrics: numbers to read during training, not to differentiate. Each
 * returns a sum over its terms and their count, so a whole epoch's value
 * is the sum of the batches' sums over the sum of their counts (exact,
 * whatever the batch sizes). */

typedef enum {
    TG_METRIC_ACCURACY = 0,         /* binary or categorical, chosen by the loss (as Keras) */
    TG_METRIC_BINARY_ACCURACY,      /* round(p) == y, per element */
    TG_METRIC_CATEGORICAL_ACCURACY, /* argmax p == argmax y, per row */
    TG_METRIC_MAE,                  /* mean |p - y| */
} tg_metric;

typedef struct tg_metric_sum {
    double sum;
    size_t count;
} tg_metric_sum;

/* Binary: p >= threshold counts as 1 (0.5 on probabilities, 0 on logits). */
tg_metric_sum tg_metric_binary_accuracy(const tg_tensor *pred, const tg_tensor *target,
                                        tg_real threshold);
tg_metric_sum tg_metric_categorical_accuracy(const tg_tensor *pred, const tg_tensor *target);
tg_metric_sum tg_metric_mae(const tg_tensor *pred, const tg_tensor *target);

/* TG_METRIC_ACCURACY resolved for a loss: categorical for the categorical
 * cross-entropies, binary otherwise. */
tg_metric tg_metric_resolve(tg_metric metric, tg_loss loss);
/* The metric of a model trained with that loss (thresholds logits at 0). */
tg_metric_sum tg_metric_compute(tg_metric metric, tg_loss loss, const tg_tensor *pred,
                                const tg_tensor *target);
/* "accuracy", "binary_accuracy", "categorical_accuracy", "mae". */
const char *tg_metric_name(tg_metric metric);
int tg_metric_parse(const char *name, tg_metric *metric);

/* ==== Optimizers (optimizer.c) =========================================================== */

/* Optimizers, as Keras formulates them (so a learning rate tuned in Keras
 * means the same here). The state (velocities, moments) is allocated once,
 * on the first step, outside any arena, one buffer per parameter; a later
 * step with other parameters stops with a message.
 *
 * Gradient descent on the whole set is SGD without momentum and a batch as
 * large as the data (tg_fit_opts.batch_size = 0). */

typedef enum { TG_OPTIMIZER_SGD = 0, TG_OPTIMIZER_ADAM, TG_OPTIMIZER_RMSPROP } tg_optimizer_kind;

typedef struct tg_optimizer {
    tg_optimizer_kind kind;
    /* Hyper-parameters: set by the constructor to Keras's defaults, and free
     * to change between steps. */
    double learning_rate;
    double momentum;  /* SGD */
    int nesterov;     /* SGD */
    double beta_1, beta_2; /* Adam */
    double rho;       /* RMSprop */
    double epsilon;   /* Adam, RMSprop */
    long iterations;  /* steps taken: t of Adam's bias correction */
    /* State, one buffer per parameter: the velocity m (SGD), the first and
     * second moments m and v (Adam), the mean square v (RMSprop); the
     * buffers a kind does not use are NULL. */
    int n_params;
    size_t *sizes;
    tg_real **m, **v;
} tg_optimizer;

/* Keras: SGD(learning_rate=0.01, momentum=0.0, nesterov=False). */
tg_optimizer *tg_optimizer_sgd(double learning_rate, double momentum, int nesterov);
/* Keras: Adam(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7). */
tg_optimizer *tg_optimizer_adam(double learning_rate);
/* Keras: RMSprop(learning_rate=0.001, rho=0.9, epsilon=1e-7). */
tg_optimizer *tg_optimizer_rmsprop(double learning_rate);
void tg_optimizer_free(tg_optimizer *opt);

/* One update of every parameter from its gradient (params[i]->grad). */
void tg_optimizer_step(tg_optimizer *opt, tg_tensor *const *params, int n);
/* Forgets the state and the step count (a fresh start, same settings). */
void tg_optimizer_reset(tg_optimizer *opt);
const char *tg_optimizer_name(const tg_optimizer *opt);

/* ==== Regularizers (regularizer.c) ======================================================= */

/* Kernel regularizers (Keras's kernel_regularizer): a penalty on a layer's
 * weight matrices (params with is_kernel; never the biases) added to the
 * loss through the tape, so its gradient reaches the weights like the
 * loss's own. */

typedef struct tg_regularizer {
    double l1, l2; /* 0, 0: none */
} tg_regularizer;

/* Keras's l1(0.01), l2(0.01), l1_l2(l1, l2). */
static inline tg_regularizer tg_l1(double l1) { return (tg_regularizer){l1, 0}; }
static inline tg_regularizer tg_l2(double l2) { return (tg_regularizer){0, l2}; }
static inline tg_regularizer tg_l1_l2(double l1, double l2) { return (tg_regularizer){l1, l2}; }

/* l1 sum|w| + l2 sum w^2 over the layer's kernels, as a one-element tensor
 * on the tape; NULL when the regularizer is none or the layer has no kernel. */
tg_tensor *tg_regularizer_penalty(tg_tape *tape, const tg_layer *layer, tg_regularizer r);

/* ==== The model (model.c) ================================================================ */

/* tg_model: a Sequential model, as in the document's Keras code.
 * Example (given const tg_tensor *x, const tg_tensor *y):
 *
 *     tg_model *m = tg_model_new(TG_SHAPE(100, 8), 42);   // per-sample input shape, seed
 *     tg_model_add(m, tg_conv1d((tg_conv1d_opts){.filters = 32, .kernel = 3,
 *                                                .activation = TG_RELU}));
 *     tg_model_add(m, tg_dense(1, TG_SIGMOID));
 *     tg_model_compile(m, tg_optimizer_adam(1e-3), TG_LOSS_BCE, TG_METRIC_ACCURACY);
 *     tg_fit_opts opts = tg_fit_defaults();
 *     tg_history history;
 *     tg_status s = tg_model_fit(m, x, y, &opts, &history);
 *
 * The model owns its layers and its optimizer. The seed drives everything
 * random: the layers' initial weights and the shuffling of fit, so the same
 * seed gives bit-identical training. */

#define TG_MODEL_MAX_LAYERS 32
#define TG_MODEL_MAX_PARAMS (TG_MODEL_MAX_LAYERS * TG_LAYER_MAX_PARAMS)
#define TG_MODEL_MAX_METRICS 4
/* A training step splits its batch into this many micro-batches (fewer when
 * the batch has fewer samples), whatever the thread count: see
 * tg_model_train_step. */
#define TG_MICRO_BATCHES 2
#define TG_MAX_MICRO_BATCHES 64

typedef struct tg_micro_batches tg_micro_batches;

typedef struct tg_model {
    tg_shape input_shape;  /* per sample */
    tg_shape output_shape; /* per sample, after the last layer */
    uint64_t seed;
    tg_rng init_rng;    /* the layers' initial weights, in the order they are added */
    tg_rng shuffle_rng; /* the order of the samples in each epoch of fit */
    tg_layer *layers[TG_MODEL_MAX_LAYERS];
    tg_regularizer regularizer[TG_MODEL_MAX_LAYERS]; /* per layer; {0, 0}: none */
    int n_layers;
    tg_tensor *params[TG_MODEL_MAX_PARAMS]; /* every layer's, in order (not owned) */
    int n_params;
    /* Set by tg_model_compile. */
    tg_optimizer *optimizer;
    tg_loss loss;
    tg_metric metrics[TG_MODEL_MAX_METRICS];
    int n_metrics;
    int compiled;
    tg_tape *tape; /* one tape for every step of fit, evaluate and predict */
    /* Each layer's output in the last tg_model_forward: tensors in the
     * arena of the tape it ran on, valid until that tape is reset (what
     * the finite checks read). After a step, a predict or an evaluate split
     * into micro-batches, only the last layer's (the batch's prediction, on
     * m->tape), the others NULL. */
    tg_tensor *outputs[TG_MODEL_MAX_LAYERS];
    /* How many micro-batches a training step splits its batch into, 1 to
     * TG_MAX_MICRO_BATCHES (TG_MICRO_BATCHES unless changed): part of what
     * decides the bits of training, as the seed is; the thread count is not. */
    int micro_batches;
    tg_micro_batches *micro; /* their tapes and gradients, made by the first step */
} tg_model;

tg_model *tg_model_new(tg_shape input_shape, uint64_t seed);
void tg_model_free(tg_model *m);

/* Builds the layer on the current output shape with the model's generator,
 * makes its name unique (dense, dense_1, ... as Keras), takes ownership and
 * returns it. */
tg_layer *tg_model_add(tg_model *m, tg_layer *layer);
/* Keras's kernel_regularizer for the last layer added (or any layer). */
void tg_model_regularize(tg_model *m, tg_layer *layer, tg_regularizer r);

/* Takes ownership of the optimizer. metric: TG_METRIC_ACCURACY, ... */
void tg_model_compile(tg_model *m, tg_optimizer *opt, tg_loss loss, tg_metric metric);
/* Adds one more metric (at most TG_MODEL_MAX_METRICS). */
void tg_model_add_metric(tg_model *m, tg_metric metric);

/* x: (N, input_shape...) on the tape, in training or inference mode; each
 * layer's output is kept in m->outputs. */
tg_tensor *tg_model_forward(tg_model *m, tg_tape *tape, tg_tensor *x, int training);
/* The loss of the compiled model on a batch plus every layer's penalty
 * (what fit minimises and reports, as Keras). */
tg_tensor *tg_model_loss(tg_model *m, tg_tape *tape, tg_tensor *pred, tg_tensor *target);

/* Inference in batches (no gradients): a new heap tensor (N, output_shape...).
 * Each batch is split into micro-batches on the threads there are, as a
 * training step splits it: the result does not depend on the thread count. */
tg_tensor *tg_model_predict(tg_model *m, const tg_tensor *x, int batch_size);

size_t tg_model_param_count(const tg_model *m);
/* The layer named so, or NULL. */
tg_layer *tg_model_layer(const tg_model *m, const char *name);

/* A parameter by its path "layer/param", the names checkpoints use
 * ("lstm/W_xi", "dense_1/kernel"): tg_layer_param of that layer, or NULL
 * when the model has no such layer or the layer no such parameter. */
tg_tensor *tg_model_param(const tg_model *m, const char *path);
/* tg_layer_set_param of the layer the path names: a path without a layer
 * of the model, a parameter the layer has not or a value of another shape
 * is a data error naming the layer, the parameter and the shapes, and
 * changes nothing. */
tg_status tg_model_set_param(tg_model *m, const char *path, const tg_tensor *value);

/* Runs every layer now in the model that has two paths (Conv, MaxPool,
 * LSTM) on that one: TG_PATH_REFERENCE to step through the equations or
 * to check a result, TG_PATH_FUSED (the default) to train fast. The other
 * layers have one path and ignore it; layers added later keep their own.
 * Stops on a value that is neither. */
void tg_model_set_path(tg_model *m, tg_path path);
void tg_model_zero_grad(tg_model *m);

/* The Keras-like table: layer (type), output shape with None for the batch,
 * parameter count, totals (summary.c). */
void tg_model_summary(const tg_model *m, FILE *out);

/* ==== Gradient clipping (clip.c) ========================================================= */

/* Gradient clipping by global norm (Keras's global_clipnorm, PyTorch's
 * clip_grad_norm_): all gradients are scaled by one factor, so a step that
 * would explode (an LSTM's gradient through many time steps) keeps its
 * direction and only shrinks. */

/* Scales every params[i]->grad so that the global norm is at most max_norm;
 * returns the global norm before clipping. */
double tg_clip_grad_norm(tg_tensor *const *params, int n, double max_norm);

/* ==== Finite checks (finite.c) =========================================================== */

/* Where a NaN or an Inf first appeared in a training step, so that a
 * diverging run names its culprit instead of training on garbage. Each
 * check returns ok when what it guards is finite, else a data error whose
 * message names the place where the first NaN/Inf appeared:
 *
 *   tg_model_check_forward    guards the loss; names the first layer output of
 *                             the last forward (m->outputs, forward order) that
 *                             is not finite: "first NaN/Inf in the output of
 *                             layer dense", or "first NaN/Inf in the loss (every
 *                             layer's output is finite)"
 *   tg_model_check_gradients  after backward, guards every parameter's gradient;
 *                             names a layer's output as above when the NaN came
 *                             from the forward pass, else, last layer first,
 *                             "first NaN/Inf in the gradient of the loss" (what
 *                             arrives at the last layer) or "first NaN/Inf in the
 *                             backward pass of layer lstm" (its parameters'
 *                             gradients or the gradient it passes down)
 *   tg_model_check_weights    guards every parameter, in the model's order:
 *                             "NaN/Inf in parameter kernel of layer dense"
 *
 * When all is well they read the loss, the gradients and the weights, a
 * pass over the parameters (not over the activations, which are searched
 * only to name the place). A NaN that reaches neither the loss nor any
 * parameter's gradient changes no weight, and is no fault. */

tg_status tg_model_check_forward(const tg_model *m, double loss);
tg_status tg_model_check_gradients(const tg_model *m);
tg_status tg_model_check_weights(const tg_model *m);

/* ==== The training step (step.c) ========================================================= */

/* One step of training, as the idea reads:
 *
 *     forward, loss, zero the gradients, backward, finite check, clip (clip_norm > 0),
 *     optimizer step, finite check of the weights
 *
 * Data-parallel: the batch of N samples is cut into M = min(m->micro_batches,
 * N) micro-batches of consecutive samples (sizes as equal as can be, the
 * larger first), whatever the thread count. Each runs forward, loss and
 * backward on a tape, an arena and gradient buffers of its own, on whichever
 * thread is free (inner products then run on that thread alone); its
 * backward is seeded with its share n_k / N of the batch, so that the sum of
 * the micro-batches' gradients, taken in the order k = 0, 1, ..., M - 1, is
 * the gradient of the batch's mean loss. The penalties are added once, on
 * m->tape. So the bits of training depend on the seed and M, never on the
 * thread count. A model with a layer that keeps state (tg_layer_keeps_state)
 * runs its batch whole on m->tape, as does M = 1.
 *
 * x and y are a batch in the arena of m->tape, made since its last reset;
 * *loss receives the batch's loss (with the penalties), and
 * m->outputs[m->n_layers - 1] holds the prediction until the next reset
 * (the other layers' outputs only after a whole-batch step).
 * A NaN or Inf is a data error: the status says where it first appeared
 * (the finite checks' words; "... after the optimizer step" for a weight)
 * and the step goes no further. Found before the optimizer step, the
 * weights are untouched; found in a weight, they are the broken ones, and
 * the caller goes back to weights it kept (tg_model_fit does). */
tg_status tg_model_train_step(tg_model *m, tg_tensor *x, tg_tensor *y, double clip_norm,
                              double *loss);

/* ==== Callbacks (callbacks.c) ============================================================ */

/* Callbacks, as Keras's: what fit does besides training -- the progress
 * bar, the history, early stopping, checkpoints, and anything of your own
 * -- is a list of callbacks whose hooks fit calls at these moments:
 *
 *     on_train_begin
 *     each epoch:   on_epoch_begin, on_batch_end after each step,
 *                   on_epoch_end once the epoch's figures are in
 *     on_train_end  (always: also after a NaN/Inf stop or a callback's error)
 *
 * A hook left NULL is skipped. Each gets its callback's ctx and fit's state
 * (Keras's logs). on_epoch_end returns 1 to stop training after this epoch
 * (Keras's model.stop_training = True), 0 to go on. A callback that fails
 * (a checkpoint that cannot be written) sets state->status to its error:
 * fit stops there and returns it. One that puts other weights into the
 * model says whose they are in state->weights_epoch.
 *
 *     static int stop_at_3(void *ctx, tg_fit_state *s) { return s->epoch == 3; }
 *     ...
 *     tg_callback mine = {.on_epoch_end = stop_at_3};
 *     o.callbacks = &mine;
 *     o.n_callbacks = 1; */

typedef struct tg_fit_state {
    tg_model *model;
    int epochs;         /* asked for */
    int epoch;          /* from 1: the epoch under way (0 in on_train_begin) */
    int batch, batches; /* on_batch_end: the batch just trained (from 1); the epoch's count */
    double seconds;     /* since the epoch began */
    /* The mean training loss of the epoch's batches so far (on_batch_end);
     * in on_epoch_end the whole epoch's loss and metrics, and the validation
     * ones, every one finite. */
    double loss, metrics[TG_MODEL_MAX_METRICS];
    int has_val;
    double val_loss, val_metrics[TG_MODEL_MAX_METRICS];
    /* Callbacks may write these two. */
    int weights_epoch; /* the epoch whose weights the model holds (0: those fit began with) */
    tg_status status;  /* on_train_end: how training ended (ok: it ran its epochs or was stopped) */
} tg_fit_state;

typedef struct tg_callback {
    void *ctx;
    void (*on_train_begin)(void *ctx, tg_fit_state *s);
    void (*on_epoch_begin)(void *ctx, tg_fit_state *s);
    void (*on_batch_end)(void *ctx, tg_fit_state *s);
    int (*on_epoch_end)(void *ctx, tg_fit_state *s);
    void (*on_train_end)(void *ctx, tg_fit_state *s);
} tg_callback;

/* The value named monitor in s (Keras's monitor): "loss", "val_loss", a
 * metric's name ("accuracy", "mae") or val_ and a metric's name; another
 * name stops with a message. */
double tg_fit_state_value(const tg_fit_state *s, const char *monitor);
/* In on_train_begin: monitor, or when NULL its default, val_loss with
 * validation data and loss without; one that names no value of s, or a
 * val_ one without validation data, stops with a message naming who. */
const char *tg_monitor_resolve(const char *monitor, const tg_fit_state *s, const char *who);
/* Keras's mode "auto": 1 (larger is better) for the accuracies, else 0. */
int tg_monitor_maximizes(const char *monitor);
/* 1 when value beats best by more than min_delta (a NaN never does). */
int tg_monitor_improves(int maximize, double min_delta, double best, double value);

/* ==== Progress (progress.c) ============================================================== */

/* The progress callback: on a terminal one bar per epoch, redrawn with \r
 * at most every 0.1 s (batches done, ETA, running loss) and finished with
 * the epoch's figures; elsewhere (a pipe, a CI log) one line per epoch:
 *
 *     Epoch 3/10 - 1.24s - loss: 0.4321 - accuracy: 0.8125 - val_loss: ... */

typedef struct tg_progress {
    FILE *out;
    int bar;       /* out is a terminal (from on_train_begin) */
    int open;      /* a bar is drawn and its line not finished */
    double drawn;  /* seconds into the epoch of the last redraw */
} tg_progress;

/* out NULL: stdout. */
tg_callback tg_progress_callback(tg_progress *p, FILE *out);

/* ==== Early stopping (early_stopping.c) ================================================== */

/* Early stopping (Keras's EarlyStopping callback) and the best weights.
 *
 * After each epoch, the monitored value improves when it beats the best so
 * far by more than min_delta (lower is better for losses and mae, higher
 * for accuracies, as Keras's mode "auto"); the best epoch's weights are
 * copied aside. After `patience` epochs in a row without improvement,
 * training stops. Keras's counting: with patience 2 and values 1.0, 0.8,
 * 0.9, 0.85 it stops after the fourth epoch. */

typedef struct tg_early_stopping_opts {
    int enabled;
    const char *monitor; /* "val_loss" (NULL: val_loss with validation data, else loss) */
    int patience;
    double min_delta;
    int restore_best_weights; /* at the end of training, go back to the best epoch */
} tg_early_stopping_opts;

typedef struct tg_early_stopping {
    const char *monitor;
    int maximize;
    double min_delta;
    int patience;
    double best;
    int best_epoch; /* from 1; 0 before the first update */
    int wait;
    int n;
    tg_tensor **best_weights; /* copies of the parameters at best_epoch */
    /* As a callback: its settings, and the epoch it stopped after (0: none). */
    tg_early_stopping_opts opts;
    FILE *out;
    int stopped_epoch;
} tg_early_stopping;

/* The rule by hand: copies the current weights as the best so far (epoch
 * 0: the start); n = 0 keeps no weights. */
void tg_early_stopping_init(tg_early_stopping *es, const char *monitor, double min_delta,
                            int patience, tg_tensor *const *params, int n);
/* Records epoch's value; returns 1 when patience has run out. A NaN never
 * counts as an improvement. */
int tg_early_stopping_update(tg_early_stopping *es, int epoch, double value,
                             tg_tensor *const *params);
/* Copies the best weights back into params. */
void tg_early_stopping_restore(const tg_early_stopping *es, tg_tensor *const *params);
void tg_early_stopping_free(tg_early_stopping *es);

/* The rule as a callback on es, set up from opts at on_train_begin (their
 * enabled is not read: tg_fit_opts reads it). With restore_best_weights the
 * model goes back to the best epoch's weights at on_train_end, however
 * training ended (all its epochs, stopped, or a NaN/Inf), as Keras 3
 * does; the copies are freed there, and es->best_epoch and
 * es->stopped_epoch stay to be read. out: where it says that it stopped
 * (NULL: nowhere). */
tg_callback tg_early_stopping_callback(tg_early_stopping *es, const tg_early_stopping_opts *opts,
                                       FILE *out);

/* ==== Checkpointing (model_checkpoint.c) ================================================= */

/* Keras's ModelCheckpoint: saves the model through tg_model_save (a
 * temporary file renamed into place) after every epoch when monitor is
 * NULL, else only when the monitored value improves on the best so far
 * (Keras's save_best_only, mode "auto", min_delta 0), so that the file
 * always holds the best epoch's weights. A save that fails stops training
 * with its status; the file is then still the last one saved. out: a line
 * per epoch (NULL: silent). path and monitor must live as long as the fit. */

typedef struct tg_model_checkpoint {
    const char *path;
    const char *monitor; /* NULL: every epoch */
    FILE *out;
    int maximize;
    double best;
    int saved_epoch; /* the epoch whose weights the file holds (0: not written) */
} tg_model_checkpoint;

tg_callback tg_model_checkpoint_callback(tg_model_checkpoint *c, const char *path,
                                         const char *monitor, FILE *out);

/* ==== History (history.c) ================================================================ */

/* tg_history: what fit measured, one row per epoch, and its CSV form
 *
 *     epoch,loss,val_loss,<metric>,val_<metric>,...,seconds
 *
 * (epochs from 1; val_ columns empty when there was no validation data, so
 * gnuplot and NumPy read them as missing). */

#define TG_HISTORY_MAX_METRICS 4
#define TG_HISTORY_NAME_LEN 32

typedef struct tg_history {
    int n_metrics;
    char metric_names[TG_HISTORY_MAX_METRICS][TG_HISTORY_NAME_LEN];
    int has_val;
    int n_epochs, cap;
    double *loss, *val_loss, *seconds;
    double *metric[TG_HISTORY_MAX_METRICS], *val_metric[TG_HISTORY_MAX_METRICS];
    /* Set by fit: */
    int stopped_epoch; /* the epoch after which a callback stopped training, or 0 */
    int best_epoch;    /* the best epoch of early stopping's monitor (also when it is off), or 0 */
    int weights_epoch; /* the epoch whose weights the model holds after fit (0: those it began with) */
} tg_history;

void tg_history_init(tg_history *h, int n_metrics, const char *const *metric_names, int has_val);
/* Whether s can name a metric in a history CSV: letters, digits and _, 1 to
 * TG_HISTORY_NAME_LEN - 1 of them. A name goes into the plot's gnuplot
 * script as a title, so nothing else is read from a file's header. */
int tg_history_name_valid(const char *s);
/* metrics and val_metrics have n_metrics values (val_ ones ignored without validation). */
void tg_history_append(tg_history *h, double loss, double val_loss, const double *metrics,
                       const double *val_metrics, double seconds);
void tg_history_free(tg_history *h);

/* The history callback: sets h up at on_train_begin (the model's metrics,
 * validation or not) and appends each epoch's figures at on_epoch_end. */
tg_callback tg_history_callback(tg_history *h);

/* Writes a temporary file beside path, fsyncs it and renames it into place
 * (tg_write_file): after a crash the file is the old CSV or the whole new
 * one. Doubles are printed with 17 significant digits, so a CSV read back
 * gives the same numbers. */
tg_status tg_history_save_csv(const tg_history *h, const char *path);
/* Reads a CSV of that form; on failure h is left empty (and freeable). */
tg_status tg_history_load_csv(tg_history *h, const char *path);

/* ==== Fit and evaluate (fit.c, evaluate.c) =============================================== */

/* fit, evaluate: Keras's training loop for a compiled tg_model.
 * Example (given tg_model *m, const tg_tensor *x, const tg_tensor *y,
 * const tg_tensor *xv, const tg_tensor *yv):
 *
 *     tg_fit_opts o = tg_fit_defaults();
 *     o.epochs = 10; o.batch_size = 32; o.x_val = xv; o.y_val = yv;
 *     tg_history h;
 *     tg_status s = tg_model_fit(m, x, y, &o, &h);
 *
 * fit is a loop over epochs and batches: each batch is gathered into the
 * arena of the model's one tape and goes through tg_model_train_step, and
 * the callbacks run around it: fit's own (the history, the progress bar
 * when verbose, early stopping), then opts.callbacks in their order. After
 * the first step the arena holds a whole step, so the steady state does no
 * malloc.
 *
 * Finite or refused: training stops at the first NaN or Inf, in a batch's
 * loss, a parameter's gradient or a weight (the step's checks), or in the
 * epoch's figures (its loss and metrics, the validation ones). It is a
 * data error, and the status names the epoch, the batch, where it first
 * appeared and which weights the model kept:
 *
 *     fit: the loss is nan at epoch 3, batch 2 of 8, first NaN/Inf in the output
 *     of layer dense; training stopped with the weights of epoch 2
 *
 * The epoch it happened in does not count: the history holds the epochs
 * before it, and the model goes back, bit-exactly, to its last good
 * weights: those it had at the end of the last of them (the weights it
 * began with when none finished). Then training ends as it would have
 * otherwise: with early stopping's restore_best_weights, the best epoch's
 * weights go in. history->weights_epoch says which epoch's the model
 * holds. */

typedef struct tg_fit_opts {
    int epochs;              /* default 1 */
    int batch_size;          /* default 32; 0: the whole training set (gradient descent) */
    int shuffle;             /* default 1: a new order each epoch, from the model's seed */
    double validation_split; /* the last fraction of x, y (before shuffling), as Keras */
    const tg_tensor *x_val, *y_val; /* validation data; wins over validation_split */
    tg_early_stopping_opts early_stopping;
    double clip_norm;        /* > 0: clip the gradients to this global norm */
    int verbose;             /* default 1: a progress bar on a terminal, else a line per epoch */
    FILE *out;               /* where progress goes; NULL: stdout */
    const tg_callback *callbacks; /* yours, called after fit's own, in this order */
    int n_callbacks;
} tg_fit_opts;

tg_fit_opts tg_fit_defaults(void);

/* Trains m on x (N, input...) and y (N, output...). history is initialised
 * here (free it with tg_history_free) and holds every finished epoch, also
 * when training stops on a NaN/Inf (see above) or a callback's error. */
tg_status tg_model_fit(tg_model *m, const tg_tensor *x, const tg_tensor *y, const tg_fit_opts *opts,
                       tg_history *history);

/* The loss (with penalties) and each compiled metric over x, y, in batches
 * without gradients (each split into micro-batches as predict splits it),
 * into *loss and metrics (either may be NULL). A NaN or
 * Inf is a data error, not a number to print: "evaluate: the loss is inf
 * at batch 3 of 14, first NaN/Inf in the output of layer dense_1", or
 * "evaluate: mae over the 418 samples is inf". */
tg_status tg_model_evaluate(tg_model *m, const tg_tensor *x, const tg_tensor *y, int batch_size,
                            double *loss, double *metrics);

/* Samples that are not two tensors (fit_images.h: images kept as bytes),
 * for the same loop: x_shape and y_shape are the whole set's,
 * (N, input...) and (N, output...), and gather writes the samples
 * idx[0..count) into x (count, input...) and y (count, output...), tensors
 * in the tape's arena, converting them as it goes. */
typedef struct tg_fit_source {
    tg_shape x_shape, y_shape;
    void (*gather)(const void *ctx, const int *idx, int count, tg_tensor *x, tg_tensor *y);
    const void *ctx;
} tg_fit_source;

/* tg_model_fit on the samples of train, validated on those of val (NULL:
 * none); validation_split, x_val and y_val of opts are not used. */
tg_status tg_model_fit_source(tg_model *m, const tg_fit_source *train, const tg_fit_source *val,
                              const tg_fit_opts *opts, tg_history *history);

/* tg_model_evaluate on the samples of src. */
tg_status tg_model_evaluate_source(tg_model *m, const tg_fit_source *src, int batch_size,
                                   double *loss, double *metrics);

/* ==== Fitting image sets (fit_images.c) ================================================== */

/* fit and evaluate for image sets kept as bytes (image_set.h).
 *
 * Fashion-MNIST as one tensor would be 60000 x 784 tg_real (188 MB in
 * float, 376 MB in double). Instead the set is a tg_fit_source for fit's
 * loop: each batch's images are converted to tg_real straight into the
 * tape's arena, so the batches are the same as with one big shuffled
 * tensor, and only one batch is ever in tg_real. */

/* Like tg_model_fit with x, y = train (one-hot labels) and the validation
 * data val (may be NULL); batch_size must be >= 1 (a whole set of images
 * in one batch is not offered). validation_split, x_val and y_val of opts
 * are ignored. */
tg_status tg_model_fit_images(tg_model *m, const tg_image_set *train, const tg_image_set *val,
                              const tg_fit_opts *opts, tg_history *history);

/* Loss and metrics over a whole set, a batch at a time (as tg_model_evaluate). */
tg_status tg_model_evaluate_images(tg_model *m, const tg_image_set *set, int batch_size,
                                   double *loss, double *metrics);

/* ==== Checkpoints (checkpoint.c) ========================================================= */

/* Checkpoints: all of a model's weights in one file, a POSIX ustar archive
 * holding one .npy file per parameter, named <layer>/<param>.npy
 * ("dense/kernel.npy", "lstm/W_xi.npy"), in the model's order, after a
 * text entry model.txt that describes the model:
 *
 *     tapegrad model
 *     task timeseries                          (when saved with a task)
 *     Conv1D conv1d kernel (3, 7, 32) bias (32,)
 *     MaxPooling1D max_pooling1d
 *     ...                                      (one line per layer)
 *
 * A student can `tar xf model.ckpt` and np.load() each entry.
 *
 * Saving writes a temporary file beside path (tg_write_file), fsyncs it
 * and renames it into place, so a crash leaves the old checkpoint or the
 * new one, never half of one, and two processes saving to one path never
 * collide. A model whose weights are not all finite, or whose layers share
 * a name, is refused before anything is written. Loading refuses anything
 * but a regular file (a FIFO would block), then reads and checks every
 * entry (names, shapes, sizes, finite values, the archive's checksums and
 * its end) and then the description (each layer's kind, name and
 * parameters; the task, when both the file and the caller name one) before
 * it changes any weight: on any mismatch, truncation or garbage the model
 * is untouched and the status says why. A checkpoint without model.txt
 * (written before it was recorded) is checked by its entries alone. */

tg_status tg_model_save(const tg_model *m, const char *path);
tg_status tg_model_load(tg_model *m, const char *path);

/* The same, recording the task the weights were trained for (one line,
 * "timeseries"; NULL: none) and refusing, at load, a checkpoint saved by
 * another task: "checkpoint <path>: saved by the task 'timeseries', not by
 * 'regression'". Two tasks can share an architecture (the series models
 * differ only in their last activation): the task tells them apart. */
tg_status tg_model_save_task(const tg_model *m, const char *path, const char *task);
tg_status tg_model_load_task(tg_model *m, const char *path, const char *task);

#endif
