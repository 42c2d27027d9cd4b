/* The SimpleRNN layer's struct, shared by the files that implement it:
 * simple_rnn.c (the layer, its build, the function form),
 * simple_rnn_reference.c (the equation as tape ops) and simple_rnn_fused.c
 * (the fused op). Not part of the public API: users see a tg_layer. */
#ifndef TG_SIMPLE_RNN_LAYER_H
#define TG_SIMPLE_RNN_LAYER_H

#include "layers/layers.h"

typedef struct tg_simple_rnn_layer {
    tg_layer base;
    tg_simple_rnn_opts opts;
    int D, H;
    tg_tensor *W, *U, *b; /* kernel (D, H), recurrent_kernel (H, H), bias (H): views of params */
} tg_simple_rnn_layer;

/* The layer behind a tg_layer; stops if it is not a built SimpleRNN. */
static inline tg_simple_rnn_layer *tg_simple_rnn_layer_of(const tg_layer *layer, const char *op)
{
    return (tg_simple_rnn_layer *)tg_layer_expect(layer, "SimpleRNN", op);
}

/* The reference path: h_seq[t] receives h_{t+1} (N, H) for t < T, from h_0
 * (N, H) (simple_rnn_reference.c). */
void tg_simple_rnn_reference_steps(tg_simple_rnn_layer *l, tg_tape *tape, tg_tensor *x,
                                   tg_tensor *h_0, tg_tensor **h_seq);

/* The fused op: h_1..h_T of x (N, T, D) from h0 (N, H) (NULL: zeros), as
 * one tape tensor (N, T, H). One node; backward by hand (simple_rnn_fused.c). */
tg_tensor *tg_simple_rnn_fused_states(tg_simple_rnn_layer *l, tg_tape *tape, tg_tensor *x,
                                      tg_tensor *h0);

#endif
