/* The GRU layer's struct, shared by the files that implement it: gru.c
 * (the layer, its build, the function form, Keras's files),
 * gru_reference.c (the four equations as tape ops) and gru_fused.c (the
 * fused op). Not part of the public API: users see a tg_layer. */
#ifndef TG_GRU_LAYER_H
#define TG_GRU_LAYER_H

#include "layers/layers.h"

/* Gate blocks in Keras's order z, r, h, in every packed tensor. */
enum { TG_GRU_Z = 0, TG_GRU_R, TG_GRU_H, TG_GRU_GATES };

typedef struct tg_gru_layer {
    tg_layer base;
    tg_gru_opts opts;
    int D, H;
    /* Views into base.params. */
    tg_tensor *kernel;           /* (D, 3H) = [W_z | W_r | W_h] */
    tg_tensor *recurrent_kernel; /* (H, 3H) = [U_z | U_r | U_h] */
    tg_tensor *bias;             /* (2, 3H) reset_after, (3H) reset before */
} tg_gru_layer;

/* The layer behind a tg_layer; stops if it is not a built GRU. */
static inline tg_gru_layer *tg_gru_layer_of(const tg_layer *layer, const char *op)
{
    return (tg_gru_layer *)tg_layer_expect(layer, "GRU", op);
}

/* The reference path: unrolls the four equations over t = 1..T from h_0
 * (N, H); h_seq[t] receives h_{t+1} (gru_reference.c). */
void tg_gru_reference_steps(tg_gru_layer *l, tg_tape *tape, tg_tensor *x, tg_tensor *h_0,
                            tg_tensor **h_seq);

/* The fused op: every h_t of the sequence x (N, T, D) from h0 (N, H)
 * (NULL: zeros) as one tape tensor (N, T, H). One node; backward by hand
 * (gru_fused.c, docs/recurrent.md). */
tg_tensor *tg_gru_fused_states(tg_gru_layer *l, tg_tape *tape, tg_tensor *x, tg_tensor *h0);

#endif
