/* tg_layer: what every layer is to a model. A concrete layer is a struct
 * whose first member is a tg_layer (so a pointer to one is a pointer to the
 * other), with a table of functions for what differs.
 *
 * A layer is made from its options alone, like a Keras layer, and gets its
 * parameters when it is built for an input shape. Shapes seen by a layer
 * are per sample (no batch axis); forward takes and returns batched
 * tensors, the batch first: (N, T, C) sequences, (N, H, W, C) images. */
#ifndef TG_LAYER_H
#define TG_LAYER_H

#include "autograd/tape.h"
#include "tensor/rng.h"

#define TG_LAYER_MAX_PARAMS 16
#define TG_LAYER_NAME_LEN 32

typedef struct tg_layer tg_layer;

/* Which implementation a heavy layer runs (Conv, MaxPool, LSTM). */
typedef enum {
    TG_PATH_FUSED = 0,  /* one op with a hand-derived backward: fast */
    TG_PATH_REFERENCE,  /* composed from primitive ops: the tape derives the backward */
} tg_path;

typedef struct tg_layer_ops {
    const char *kind; /* "Conv2D", "LSTM", ... as Keras prints it */
    /* Checks the per-sample input shape (tg_fatal naming the layer and the
     * shapes if it does not fit), creates and initialises the parameters,
     * and returns the per-sample output shape. */
    tg_shape (*build)(tg_layer *self, tg_shape input, tg_rng *rng);
    tg_tensor *(*forward)(tg_layer *self, tg_tape *tape, tg_tensor *x, int training);
    /* Frees what the concrete layer allocated besides its params (may be NULL). */
    void (*destroy)(tg_layer *self);
} tg_layer_ops;

struct tg_layer {
    const tg_layer_ops *ops;
    char name[TG_LAYER_NAME_LEN]; /* unique in a model: "conv2d", "lstm_1", ... */
    int built;
    tg_shape input_shape, output_shape; /* per sample, set by build */
    /* Owned heap tensors with requires_grad, in Keras's layouts and order;
     * each tensor's name is the parameter's ("kernel", "bias", "W_xi", ...). */
    tg_tensor *params[TG_LAYER_MAX_PARAMS];
    int n_params;
    /* is_kernel[i]: params[i] is a weight matrix that kernel regularizers
     * (L1/L2) apply to, as opposed to a bias. */
    int is_kernel[TG_LAYER_MAX_PARAMS];
    tg_path path;
};

/* Builds the layer for a per-sample input shape (once). */
tg_shape tg_layer_build(tg_layer *layer, tg_shape input, tg_rng *rng);
/* x: (N, input_shape...). Stops with a message if x does not fit. */
tg_tensor *tg_layer_forward(tg_layer *layer, tg_tape *tape, tg_tensor *x, int training);
size_t tg_layer_param_count(const tg_layer *layer);
void tg_layer_free(tg_layer *layer);

/* For layer implementations: adds an owned parameter (requires_grad) named
 * `name` with the given shape, zero-filled, and returns it. */
tg_tensor *tg_layer_add_param(tg_layer *layer, const char *name, tg_shape shape, int is_kernel);
/* For layer implementations: initialises the common fields. */
void tg_layer_init(tg_layer *layer, const tg_layer_ops *ops, const char *default_name);

#endif
