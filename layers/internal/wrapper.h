/* What the wrappers (Bidirectional, TimeDistributed) share: how a wrapper
 * holds its inner layers and makes their parameters its own, so that a
 * model, an optimizer, a regularizer and a checkpoint see a wrapper as any
 * other layer. Not part of the public API. */
#ifndef TG_WRAPPER_H
#define TG_WRAPPER_H

#include "layers/layers.h"

/* A renamed parameter: "<inner layer>/<param>" (Keras's
 * "forward_lstm/kernel"), at most TG_LAYER_NAME_LEN + a parameter's name. */
#define TG_WRAPPER_PARAM_NAME_LEN (TG_LAYER_NAME_LEN + 32)

typedef char tg_wrapper_param_names[TG_LAYER_MAX_PARAMS][TG_WRAPPER_PARAM_NAME_LEN];

/* Records an unbuilt inner layer (the constructor's part): from now on the
 * wrapper owns it and frees it (tg_wrapper_destroy), built or not. Stops
 * with a line naming `op` if the layer is NULL, built, or already held. */
void tg_wrapper_hold(tg_layer *self, tg_layer *inner, const char *op);

/* After the inner layer is built (the wrapper's build): its parameters, the
 * same tensors, become the wrapper's next params, with their is_kernel
 * flags. With a prefix (the inner layer's name), each is renamed
 * "<prefix>/<name>" into names, storage the wrapper owns, so that two inner
 * layers' "kernel"s stay apart in a checkpoint; a NULL prefix keeps the
 * names (names may then be NULL too).
 *
 * The inner layer keeps computing with the same tensors, but its params[]
 * now holds views of them under their own names (the same data and
 * gradient buffers in a struct of their own): the inner layer's functions
 * that look parameters up by name (tg_lstm_param, tg_gru_keras_save) keep
 * working, and each buffer is freed once, with the wrapper's params. */
void tg_wrapper_adopt(tg_layer *self, tg_layer *inner, tg_wrapper_param_names names,
                      const char *prefix);

/* The destroy of a wrapper's tg_layer_ops: frees the inner layers and
 * their views (tg_layer_free has freed the tensors as the wrapper's). */
void tg_wrapper_destroy(tg_layer *self);

/* Gives the wrapper's path to its inner layers (before each forward). */
void tg_wrapper_pass_path(tg_layer *self);

#endif
