/* The LSTM layer's struct, shared by the files that implement it: lstm.c
 * (the layer, its build, the function form), lstm_reference.c (the six
 * equations as tape ops), lstm_fused.c (the fused op), lstm_pack.c (gate
 * packing, Keras's layout) and lstm_internals.c (what a forward keeps for
 * the pictures). Not part of the public API: users see a tg_layer. */
#ifndef TG_LSTM_LAYER_H
#define TG_LSTM_LAYER_H

#include "layers/layers.h"

/* Gate order i, f, c, o: Keras's, in every packed tensor. */
enum { TG_GATE_I = 0, TG_GATE_F, TG_GATE_C, TG_GATE_O, TG_GATES };

typedef struct tg_lstm_layer {
    tg_layer base;
    tg_lstm_opts opts;
    int D, H;
    /* Views into base.params, by gate; W_c[g] is NULL when absent. */
    tg_tensor *W_x[TG_GATES]; /* W_xi W_xf W_xc W_xo: (D, H) */
    tg_tensor *W_h[TG_GATES]; /* W_hi W_hf W_hc W_ho: (H, H) */
    tg_tensor *W_c[TG_GATES]; /* W_ci W_cf W_cc W_co: (H) diagonal, (H, H) full */
    tg_tensor *b[TG_GATES];   /* b_i b_f b_c b_o: (H) */
    int keep_internals;       /* tg_lstm_keep_internals: copy them at every forward */
    tg_lstm_internals kept;   /* what the last forward kept (NULL tensors before) */
} tg_lstm_layer;

/* The layer behind a tg_layer; stops if it is not a built LSTM. By its
 * kind's name, so that the files of the LSTM need not call lstm.c (which
 * owns the table of functions) to know one. */
static inline tg_lstm_layer *tg_lstm_layer_of(const tg_layer *layer, const char *op)
{
    return (tg_lstm_layer *)tg_layer_expect(layer, "LSTM", op);
}

/* Packed (rows, 4H) weights, the gates side by side in the order i, f, c, o,
 * to and from the four per-gate (rows, H) tensors (lstm_pack.c). */
void tg_lstm_pack_gates(tg_tensor *const gate[TG_GATES], int rows, int H, tg_real *packed);
void tg_lstm_unpack_gates(const tg_real *packed, int rows, int H, tg_tensor *const gate[TG_GATES]);

/* ---- lstm_internals.c ---- */

/* Where a forward of N sequences of T steps keeps its internals: NULL when
 * not asked (tg_lstm_keep_internals), else the layer's tensors, reshaped
 * to (N, T, H). */
tg_lstm_internals *tg_lstm_kept(tg_lstm_layer *l, int N, int T);
/* Copies step t's six (N, H) results into [:, t, :] of the kept tensors. */
void tg_lstm_keep_step(tg_lstm_internals *kept, int t, const tg_tensor *i_t, const tg_tensor *f_t,
                       const tg_tensor *c_tilde, const tg_tensor *o_t, const tg_tensor *c_t,
                       const tg_tensor *h_t);
/* Frees the kept tensors (the layer's destroy). */
void tg_lstm_internals_free(tg_lstm_internals *kept);

/* The reference path: unrolls the six equations over t = 1..T from h_0 and
 * c_0 (N, H); h_seq[t] receives h_{t+1}, *c_T the last cell state
 * (lstm_reference.c). */
void tg_lstm_reference_steps(tg_lstm_layer *l, tg_tape *tape, tg_tensor *x, tg_tensor *h_0,
                             tg_tensor *c_0, tg_tensor **h_seq, tg_tensor **c_T);

/* The fused op: every h_t and c_t of the sequence x (N, T, D) from h0, c0
 * (N, H) (NULL: zeros) as one tape tensor of shape (2, N, T, H): [0] holds
 * h_1..h_T, [1] holds c_1..c_T. One node; backward by hand (lstm_fused.c). */
tg_tensor *tg_lstm_fused_states(tg_lstm_layer *l, tg_tape *tape, tg_tensor *x, tg_tensor *h0,
                                tg_tensor *c0);

#endif
