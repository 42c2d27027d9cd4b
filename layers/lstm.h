/* LSTM: the peephole LSTM of the document (section 3.3.1), exactly, per time step
 *
 *     i_t         = sigma(W_xi x_t + W_hi h_{t-1} + W_ci c_{t-1} + b_i)
 *     f_t         = sigma(W_xf x_t + W_hf h_{t-1} + W_cf c_{t-1} + b_f)
 *     \tilde{c}_t = tanh (W_xc x_t + W_hc h_{t-1} + W_cc c_{t-1} + b_c)
 *     c_t         = f_t (.) c_{t-1} + i_t (.) \tilde{c}_t
 *     o_t         = sigma(W_xo x_t + W_ho h_{t-1} + W_co c_t + b_o)
 *     h_t         = o_t (.) tanh(c_t)
 *
 * over a batch of sequences (N, T, D) with H = units, from h_0 = c_0 = 0
 * unless given. Rows are vectors, so "W_xi x_t" is x_t W_xi with W_xi of
 * shape (D, H), Keras's layout; gate order i, f, c, o everywhere.
 *
 * The peephole terms W_c* c are selectable (see docs/lstm.md):
 *   TG_PEEPHOLE_DIAGONAL (default)  W_c* are vectors (H), applied elementwise
 *                                   (Gers & Schmidhuber 2000, Graves 2013);
 *   TG_PEEPHOLE_NONE                no W_c* at all: the LSTM of Keras/PyTorch
 *                                   (no_candidate_peephole then changes nothing);
 *   TG_PEEPHOLE_FULL                W_c* are matrices (H, H), as the document writes W.
 * no_candidate_peephole drops W_cc, which neither Graves nor TensorFlow has.
 *
 * Parameters (in this order; absent ones are skipped): W_xi W_xf W_xc W_xo
 * (D, H), W_hi W_hf W_hc W_ho (H, H), W_ci W_cf [W_cc] W_co, b_i b_f b_c b_o
 * (H). Initialised as Keras does: Glorot uniform over the packed (D, 4H)
 * kernel, orthogonal over the packed (H, 4H) recurrent kernel, zero biases
 * except b_f = 1 (unit_forget_bias), zero peepholes.
 *
 * layer->path picks the implementation: TG_PATH_REFERENCE unrolls the six
 * equations above into primitive tape ops (the tape derives BPTT);
 * TG_PATH_FUSED (default) records one op for the whole sequence whose
 * backward is derived by hand in docs/lstm.md. */
#ifndef TG_LSTM_H
#define TG_LSTM_H

#include "autograd/gradcheck_registry.h"
#include "layers/layer.h"

typedef enum {
    TG_PEEPHOLE_DIAGONAL = 0,
    TG_PEEPHOLE_NONE,
    TG_PEEPHOLE_FULL,
} tg_peephole;

/* Zero is the default of every field but units. */
typedef struct tg_lstm_opts {
    int units;                 /* H >= 1 */
    int return_sequences;      /* 1: output every h_t (N, T, H); 0: only h_T (N, H) */
    tg_peephole peephole;
    int no_candidate_peephole; /* 1: drop W_cc c_{t-1} from \tilde{c}_t */
} tg_lstm_opts;

/* Default name "lstm". Per-sample input (T, D); output (T, H) or (H).
 * Stops with a message on units < 1 or an unknown peephole kind. */
tg_layer *tg_lstm(tg_lstm_opts o);

/* A parameter by its name in the document ("W_xi", "b_f", ...), or NULL when
 * this variant has none such. Stops if the layer is not an LSTM or not built. */
tg_tensor *tg_lstm_param(const tg_layer *lstm, const char *name);

/* The function form: runs a built LSTM over x (N, T, D) for any T >= 1,
 * from h0 and c0 (N, H) (NULL: zeros), on the path lstm->path. Returns the
 * layer's output ((N, T, H) or (N, H)) and, when h_T / c_T are not NULL,
 * the final states (N, H) there. All results are tape tensors, so a loss
 * may use any of them and the gradient reaches x, h0, c0 and every
 * parameter. */
tg_tensor *tg_lstm_run(tg_layer *lstm, tg_tape *tape, tg_tensor *x, tg_tensor *h0, tg_tensor *c0,
                       tg_tensor **h_T, tg_tensor **c_T);

/* ---- Keras's packing (peephole none only; lstm_keras.c) ----
 * One kernel (D, 4H), one recurrent kernel (H, 4H) and one bias (4H), the
 * gates side by side in the order i, f, c, o: with these an LSTM of
 * peephole none is Keras's LSTM (and PyTorch's, transposed, with b_ih + b_hh
 * = bias). */

/* New heap tensors holding the layer's weights packed. */
void tg_lstm_keras_pack(const tg_layer *lstm, tg_tensor **kernel, tg_tensor **recurrent_kernel,
                        tg_tensor **bias);
/* Copies packed weights into the layer's per-gate parameters; stops with a
 * message naming the shapes if they do not fit the built layer. */
void tg_lstm_keras_unpack(tg_layer *lstm, const tg_tensor *kernel,
                          const tg_tensor *recurrent_kernel, const tg_tensor *bias);
/* Saves <prefix>kernel.npy, <prefix>recurrent_kernel.npy, <prefix>bias.npy. */
tg_status tg_lstm_keras_save(const tg_layer *lstm, const char *prefix);
/* Loads the three files saved above (or written by NumPy from a Keras
 * model's get_weights()); a missing file or a shape that does not fit the
 * layer is a data error, and the layer is then left unchanged. */
tg_status tg_lstm_keras_load(tg_layer *lstm, const char *prefix);

/* ---- gradient checks (gradcheck_lstm.c) ---- */

/* Builds a fresh LSTM of these options for (N, T, D), gives every parameter
 * (peepholes and biases included) random values, draws x, h0 and c0, and
 * checks d/dx, d/dh0, d/dc0 and d/d(every parameter) of the layer's output
 * joined with c_T, on the given path. */
tg_gradcheck_report tg_lstm_gradcheck(tg_lstm_opts o, tg_path path, int batch, int steps,
                                      int input_dim, uint64_t seed);

/* lstm, lstm_fused, lstm_none, lstm_none_fused, lstm_full, lstm_full_fused,
 * lstm_no_cand_peephole(_fused), lstm_full_no_cand_peephole(_fused),
 * lstm_seq(_fused), lstm_full_seq(_fused). */
const tg_gradcheck_case *tg_lstm_gradcheck_cases(int *n);

#endif
