/* exercises/: what each exercise file defines, so that a definition that
 * does not match its declaration stops the build with a clear message.
 *
 * Each exercises/NN_name.c holds the forward pass of one formula (given)
 * and the function you write, and `make exercise E=name` grades it
 * (docs/exercises.md). The grader calls the functions declared here; you
 * never call them yourself.
 *
 * Conventions, the same in every exercise:
 *   - tensors are the library's tg_tensor, row-major, batch first, channels
 *     last (docs/conventions.md); read and write elements with
 *     TG_AT(t, i, j, ...), which stops with a message naming the index and
 *     the shape when one is out of range;
 *   - every gradient you are handed to fill (da, dx, dW, ...) has the shape
 *     of what it is the gradient of and starts at zero: add into it;
 *   - dy, dout, dh, ... (the gradient coming from above) are read-only. */
#ifndef TG_EXERCISES_H
#define TG_EXERCISES_H

#include "tapegrad.h"

/* ==== Exercise 1: sigmoid and tanh (01_activations.c) ==================================== */

void ex_sigmoid_forward(const tg_tensor *a, tg_tensor *y);
void ex_sigmoid_backward(const tg_tensor *y, const tg_tensor *dy, tg_tensor *da);
void ex_tanh_forward(const tg_tensor *a, tg_tensor *y);
void ex_tanh_backward(const tg_tensor *y, const tg_tensor *dy, tg_tensor *da);

/* ==== Exercise 2: the matrix product (02_matmul.c) ======================================= */

/* Y (M, N) = A (M, K) B (K, N) */
void ex_matmul_forward(const tg_tensor *A, const tg_tensor *B, tg_tensor *Y);
void ex_matmul_backward(const tg_tensor *A, const tg_tensor *B, const tg_tensor *dY,
                        tg_tensor *dA, tg_tensor *dB);

/* ==== Exercise 3: max-pooling (03_maxpool.c) ============================================= */

/* x (N, H, W, C) -> y (N, OH, OW, C), square windows, 'valid' */
void ex_maxpool2d_forward(const tg_tensor *x, int pool, int stride, tg_tensor *y);
void ex_maxpool2d_backward(const tg_tensor *x, int pool, int stride, const tg_tensor *dy,
                           tg_tensor *dx);

/* ==== Exercise 4: Conv1D (04_conv1d.c) =================================================== */

/* x (N, T, C_in), W (K, C_in, C_out), b (C_out) -> y (N, T_out, C_out), 'valid' */
void ex_conv1d_forward(const tg_tensor *x, const tg_tensor *W, const tg_tensor *b, int stride,
                       tg_tensor *y);
void ex_conv1d_backward(const tg_tensor *x, const tg_tensor *W, int stride, const tg_tensor *dy,
                        tg_tensor *dx, tg_tensor *dW, tg_tensor *db);

/* ==== The document's LSTM, one step (exercises 5, 6 and 8) ================================ */

/* The parameters of section 3.3.1 by their names in the document, in
 * Keras's layouts: W_x* (D, H), W_h* (H, H), and the peepholes W_c* as
 * vectors (H), the diagonal of the document's W (docs/lstm.md), biases (H).
 * Exercises 5 and 6 hand you a second set holding the gradients. */
typedef struct ex_lstm_params {
    tg_tensor *W_xi, *W_xf, *W_xc, *W_xo;
    tg_tensor *W_hi, *W_hf, *W_hc, *W_ho;
    tg_tensor *W_ci, *W_cf, *W_cc, *W_co;
    tg_tensor *b_i, *b_f, *b_c, *b_o;
} ex_lstm_params;

/* One time step: its inputs, then everything the forward computes, each
 * (N, H) but x (N, D). The forward fills it; the backward reads it. */
typedef struct ex_lstm_step {
    tg_tensor *x, *h_prev, *c_prev;
    tg_tensor *i, *f, *c_tilde, *c, *o, *tanh_c, *h;
} ex_lstm_step;

/* ==== Exercise 5: one LSTM step backward (05_lstm_step.c) ================================ */

void ex_lstm_step_forward(const ex_lstm_params *p, ex_lstm_step *s);
/* dh = dL/dh_t and dc = dL/dc_t from outside the step (the loss, the next
 * step); d holds the parameters' gradients. */
void ex_lstm_step_backward(const ex_lstm_params *p, const ex_lstm_step *s, const tg_tensor *dh,
                           const tg_tensor *dc, ex_lstm_params *d, tg_tensor *dx,
                           tg_tensor *dh_prev, tg_tensor *dc_prev);

/* ==== Exercise 6: backpropagation through two steps (06_bptt.c) ========================== */

/* s[0] is step 1 (from h_0, c_0), s[1] step 2. The loss reads h_1, h_2 and c_2:
 * dh[0] = dL/dh_1, dh[1] = dL/dh_2, dc_2 = dL/dc_2, each from the loss only. */
void ex_lstm_bptt2_forward(const ex_lstm_params *p, ex_lstm_step s[2]);
void ex_lstm_bptt2_backward(const ex_lstm_params *p, const ex_lstm_step s[2],
                            const tg_tensor *const dh[2], const tg_tensor *dc_2,
                            ex_lstm_params *d, tg_tensor *const dx[2], tg_tensor *dh_0,
                            tg_tensor *dc_0);

/* ==== Exercise 7: softmax and cross-entropy (07_softmax_ce.c) ============================ */

/* z (N, K) logits, y (N, K) one-hot labels; returns L, fills p (N, K). */
tg_real ex_softmax_ce_forward(const tg_tensor *z, const tg_tensor *y, tg_tensor *p);
void ex_softmax_ce_backward(const tg_tensor *p, const tg_tensor *y, tg_real dL, tg_tensor *dz);

/* ==== Exercise 8: the six equations as tape ops (08_lstm_tape.c) ========================= */

/* Reads s->x, s->h_prev, s->c_prev; sets s->i ... s->h to tape tensors. */
void ex_lstm_step_tape(tg_tape *tape, const ex_lstm_params *p, ex_lstm_step *s);

#endif
