/* tg_model: a Sequential model, as in the document's Keras code:
 *
 *     tg_model *m = tg_model_new(TG_SHAPE(100, 8), 42);   // per-sample input shape, seed
 *     tg_model_add(m, tg_conv1d(32, 3, TG_RELU));
 *     tg_model_add(m, tg_dense(1, TG_SIGMOID));
 *     tg_model_compile(m, tg_optimizer_adam(1e-3), TG_LOSS_BCE, TG_METRIC_ACCURACY);
 *     tg_model_fit(m, x, y, &opts, &history);
 *
 * The model owns its layers and its optimizer. The seed drives everything
 * random: the layers' initial weights and the shuffling of fit, so the same
 * seed gives bit-identical training. */
#ifndef TG_MODEL_H
#define TG_MODEL_H

#include <stdint.h>
#include <stdio.h>

#include "layers/layer.h"
#include "train/loss.h"
#include "train/metrics.h"
#include "train/optimizer.h"
#include "train/regularizer.h"

#define TG_MODEL_MAX_LAYERS 32
#define TG_MODEL_MAX_PARAMS (TG_MODEL_MAX_LAYERS * TG_LAYER_MAX_PARAMS)
#define TG_MODEL_MAX_METRICS 4

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

/* x: (N, input_shape...) on the tape, in training or inference mode. */
tg_tensor *tg_model_forward(tg_model *m, tg_tape *tape, tg_tensor *x, int training);
/* The loss of the compiled model on a batch plus every layer's penalty
 * (what fit minimises and reports, as Keras). */
tg_tensor *tg_model_loss(tg_model *m, tg_tape *tape, tg_tensor *pred, tg_tensor *target);

/* Inference in batches (no gradients): a new heap tensor (N, output_shape...). */
tg_tensor *tg_model_predict(tg_model *m, const tg_tensor *x, int batch_size);

size_t tg_model_param_count(const tg_model *m);
/* The layer named so, or NULL. */
tg_layer *tg_model_layer(const tg_model *m, const char *name);
void tg_model_zero_grad(tg_model *m);

/* The Keras-like table: layer (type), output shape with None for the batch,
 * parameter count, totals (summary.c). */
void tg_model_summary(const tg_model *m, FILE *out);

#endif
