/* The ConvLSTM2D layer's struct, shared by the files that implement it:
 * conv_lstm.c (the layer, its build, the choice of path),
 * conv_lstm_reference.c (the six equations as tape ops) and
 * conv_lstm_fused.c (the fused op). Not part of the public API: users see
 * a tg_layer. */
#ifndef TG_CONV_LSTM_LAYER_H
#define TG_CONV_LSTM_LAYER_H

#include "layers/layers.h"

/* The LSTM's gate order i, f, c, o (TG_GATE_I ...), Keras's for ConvLSTM2D too. */
#include "layers/internal/lstm_layer.h"

typedef struct tg_conv_lstm2d_layer {
    tg_layer base;
    tg_conv_lstm2d_opts opts; /* strides made >= 1 */
    int T, C;                 /* per-sample input (T, H, W, C) */
    int F;                    /* filters */
    tg_window in_h, in_w;     /* the input convolution's windows: H -> H', W -> W' */
    tg_window rec_h, rec_w;   /* the recurrent one's: 'same', stride 1, H' -> H' */
    /* Views into base.params. */
    tg_tensor *kernel;           /* (kh, kw, C, 4F) = [W_xi W_xf W_xc W_xo] */
    tg_tensor *recurrent_kernel; /* (kh, kw, F, 4F) = [W_hi W_hf W_hc W_ho] */
    tg_tensor *bias;             /* (4F) = [b_i b_f b_c b_o] */
    tg_tensor *W_c[TG_GATES];    /* W_ci W_cf W_cc W_co: (H', W', F), NULL when absent */
} tg_conv_lstm2d_layer;

/* The reference path: unrolls the six equations over t = 1..T from
 * h_0 = c_0 = 0 for x (N, T, H, W, C); h_seq[t] receives h_{t+1}
 * (N, H', W', F) (conv_lstm_reference.c). */
void tg_conv_lstm2d_reference_steps(tg_conv_lstm2d_layer *l, tg_tape *tape, tg_tensor *x,
                                    tg_tensor **h_seq);

/* The fused op: every h_t of x (N, T, H, W, C) as one tape tensor
 * (N, T, H', W', F). One node; backward by hand (conv_lstm_fused.c,
 * docs/convlstm.md). */
tg_tensor *tg_conv_lstm2d_fused_states(tg_conv_lstm2d_layer *l, tg_tape *tape, tg_tensor *x);

#endif
