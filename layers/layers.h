/* layers/: the layers of the document, built from tape ops -- the layer
 * interface, activations, the sliding window of conv and pool, Dense,
 * Conv1D/2D, MaxPool1D/2D, the peephole LSTM, Keras's GRU, the wrappers
 * Bidirectional and TimeDistributed, and the shape layers -- and the
 * gradient check of any layer. Stands on autograd/ and below. */
#ifndef TG_LAYERS_H
#define TG_LAYERS_H

#include "tensor/tensor.h"
#include "autograd/autograd.h"

/* ==== Activations (activation.c) ========================================================= */

/* The activations a layer may end with, as Keras names them. */

typedef enum { TG_LINEAR = 0, TG_RELU, TG_SIGMOID, TG_TANH, TG_SOFTMAX } tg_activation;

tg_tensor *tg_activate(tg_tape *tape, tg_tensor *x, tg_activation act);
const char *tg_activation_name(tg_activation act);

/* ==== The layer interface (layer.c) ====================================================== */

/* tg_layer: what every layer is to a model. A concrete layer is a struct
 * whose first member is a tg_layer (so a pointer to one is a pointer to the
 * other), with a table of functions for what differs.
 *
 * A layer is made from its options alone, like a Keras layer, and gets its
 * parameters when it is built for an input shape. Shapes seen by a layer
 * are per sample (no batch axis); forward takes and returns batched
 * tensors, the batch first: (N, T, C) sequences, (N, H, W, C) images. */

/* 32: a Bidirectional LSTM with full peepholes holds 2 x 16. */
#define TG_LAYER_MAX_PARAMS 32
#define TG_LAYER_NAME_LEN 32
/* A wrapper holds at most two layers (Bidirectional's forward and backward). */
#define TG_LAYER_MAX_INNER 2

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
    /* A wrapper's layers (Bidirectional: forward, backward; TimeDistributed:
     * the one it applies), shown under it by the summary. Their parameters
     * are the wrapper's own params, so a model, an optimizer and a
     * checkpoint see them as any layer's; the wrapper frees them. */
    tg_layer *inner[TG_LAYER_MAX_INNER];
    int n_inner;
    /* 1 while a forward writes into the layer itself (an LSTM keeping its
     * internals): its batch cannot be split between threads, and a training
     * step then runs the batch whole, on one tape (see tg_layer_keeps_state). */
    int keeps_state;
};

/* The layer itself when it is a built layer of that kind ("LSTM", "Dense",
 * ... as tg_layer_ops.kind); otherwise stops with a line naming `op`. */
tg_layer *tg_layer_expect(const tg_layer *layer, const char *kind, const char *op);

/* Builds the layer for a per-sample input shape (once). */
tg_shape tg_layer_build(tg_layer *layer, tg_shape input, tg_rng *rng);
/* x: (N, input_shape...). Stops with a message if x does not fit. */
tg_tensor *tg_layer_forward(tg_layer *layer, tg_tape *tape, tg_tensor *x, int training);
size_t tg_layer_param_count(const tg_layer *layer);
/* 1 when the layer or one of its inner layers keeps_state. */
int tg_layer_keeps_state(const tg_layer *layer);
void tg_layer_free(tg_layer *layer);

/* A parameter by its name, as checkpoints and Keras's layouts name them
 * ("kernel", "bias", "W_xi", "b_f", ...): the layer's own tensor, or NULL
 * when the layer has none of that name (an unbuilt layer has none yet). */
tg_tensor *tg_layer_param(const tg_layer *layer, const char *name);
/* Copies value's data into the parameter `name` (its gradient is left as
 * it is). A name the layer has not, or a value of another shape, is a data
 * error naming the layer, the parameter and both shapes
 * ("dense/kernel: a value of shape (3, 2) does not fit the parameter's
 * shape (4, 2)"); the layer is then unchanged. */
tg_status tg_layer_set_param(tg_layer *layer, const char *name, const tg_tensor *value);

/* For layer implementations: adds an owned parameter (requires_grad) named
 * `name` with the given shape, zero-filled, and returns it. */
tg_tensor *tg_layer_add_param(tg_layer *layer, const char *name, tg_shape shape, int is_kernel);
/* For layer implementations: initialises the common fields. */
void tg_layer_init(tg_layer *layer, const tg_layer_ops *ops, const char *default_name);

/* ==== Sliding windows (window.c) ========================================================= */

/* A sliding window along one spatial axis: the geometry that convolution
 * and max-pooling share, with Keras's rules for the output size and the
 * padding (channels-last, no dilation):
 *
 *     valid:  out = floor((in - size) / stride) + 1,  no padding
 *     same:   out = ceil(in / stride),
 *             pad_total = max((out - 1) stride + size - in, 0),
 *             pad_before = floor(pad_total / 2), the odd one goes after.
 *
 * Output position i reads the inputs i stride - pad_before + k, k < size. */

typedef enum { TG_VALID = 0, TG_SAME } tg_padding;

typedef struct tg_window {
    int in, size, stride;
    int pad_before, pad_after;
    int out;
} tg_window;

/* Stops via tg_fatal with "<who>: ..." on a size or stride < 1, or a window
 * larger than a valid input; `who` names the layer or op and the shapes. */
tg_window tg_window_make(const char *who, int in, int size, int stride, tg_padding padding);

/* The input position where output position i's window starts (it reads
 * the inputs start + k, k < size; outside [0, in) is padding). */
static inline int tg_window_start(const tg_window *w, int i)
{
    return i * w->stride - w->pad_before;
}

/* ==== The Activation layer (activation_layer.c) ========================================== */

/* An activation as a layer of its own (Keras's Activation layer): relu,
 * sigmoid, tanh, softmax (over the last axis) or linear. */

/* Default name "activation"; no parameters; the output shape is the input's. */
tg_layer *tg_activation_layer(tg_activation activation);

/* ==== Dense (dense.c) ==================================================================== */

/* Dense: the fully connected layer, applied to the last axis of an input of
 * any rank, so a sequence (N, T, C) gets the same Dense at every time step
 * (Keras's Dense does the same), as the document's time-series model needs:
 *
 *     y = activation(x W + b),   W: (in, units) "kernel",   b: (units) "bias"
 *
 * Keras's initialisers: glorot_uniform kernel, zero bias. */

/* Default name "dense". Stops with a message if units < 1. */
tg_layer *tg_dense(int units, tg_activation activation);

/* The pre-activation z = x W + b (the logits) of the layer's last forward:
 * the tape tensor the activation was applied to (the output itself for
 * TG_LINEAR), so that a loss on logits (tg_loss_cce_logits,
 * tg_loss_bce_logits) can be fed from a Dense that ends with its softmax
 * or sigmoid, and the gradient flows back through it to W and b. Valid
 * until that tape is reset. Stops if the layer is not a built Dense or has
 * not run forward yet. */
tg_tensor *tg_dense_logits(const tg_layer *dense);

/* ==== Convolution (conv.c) =============================================================== */

/* Conv1D and Conv2D, channels-last as in Keras (section 3.3.2, corrected):
 *
 *     y[n, i, j, o] = b[o] + sum_{k, l, c} W[k, l, c, o] x[n, i s_h + k - p_h, j s_w + l - p_w, c]
 *
 * a cross-correlation (the kernel is not flipped; Keras and PyTorch compute
 * the same, and so does the document's formula), with zero padding p for 'same'
 * (sliding windows, above). Conv1D is the same with one spatial axis:
 * y[n, t, o] = b[o] + sum_{k, c} W[k, c, o] x[n, t s + k - p, c].
 *
 * Layouts are Keras's: x (N, H, W, C_in) or (N, T, C_in); kernel
 * (kh, kw, C_in, C_out) or (k, C_in, C_out); bias (C_out).
 *
 * Two paths (docs/conv.md): the reference one composes tape ops term by
 * term (the tape derives the gradient), the fused one is a single op,
 * im2col + GEMM, with the backward derived by hand. */

/* Options; zero means Keras's default where Keras has one. */
typedef struct tg_conv2d_opts {
    int filters;         /* C_out, required */
    int kernel[2];       /* (kh, kw), required */
    int strides[2];      /* 0 -> 1 */
    tg_padding padding;  /* TG_VALID (default) or TG_SAME */
    tg_activation activation;
    int no_bias;         /* 1: no bias (Keras's use_bias=False) */
} tg_conv2d_opts;

typedef struct tg_conv1d_opts {
    int filters;
    int kernel;          /* required */
    int stride;          /* 0 -> 1 */
    tg_padding padding;
    tg_activation activation;
    int no_bias;
} tg_conv1d_opts;

/* Default names "conv2d" and "conv1d"; glorot_uniform kernel, zero bias.
 * The path is layer->path (fused unless set to TG_PATH_REFERENCE). */
tg_layer *tg_conv2d(tg_conv2d_opts o);
tg_layer *tg_conv1d(tg_conv1d_opts o);

/* The geometry of one 2-D convolution, checked. */
typedef struct tg_conv2d_geometry {
    int n, c_in, c_out;
    tg_window h, w;
} tg_conv2d_geometry;

/* Checks x (N, H, W, C_in), kernel (kh, kw, C_in, C_out), bias (C_out) or
 * NULL and strides >= 1; stops with a line naming `op` and the shapes. */
tg_conv2d_geometry tg_conv2d_geometry_of(const char *op, const tg_tensor *x,
                                         const tg_tensor *kernel, const tg_tensor *bias,
                                         const int strides[2], tg_padding padding);

/* The two paths as tape ops (bias may be NULL), no activation. */
tg_tensor *tg_conv2d_reference(tg_tape *tape, tg_tensor *x, tg_tensor *kernel, tg_tensor *bias,
                               const int strides[2], tg_padding padding);
tg_tensor *tg_conv2d_fused(tg_tape *tape, tg_tensor *x, tg_tensor *kernel, tg_tensor *bias,
                           const int strides[2], tg_padding padding);
/* Conv1D: x (N, T, C_in), kernel (k, C_in, C_out), run as a Conv2D of
 * height 1 on reshaped views (the reshapes share the data). */
tg_tensor *tg_conv1d_reference(tg_tape *tape, tg_tensor *x, tg_tensor *kernel, tg_tensor *bias,
                               int stride, tg_padding padding);
tg_tensor *tg_conv1d_fused(tg_tape *tape, tg_tensor *x, tg_tensor *kernel, tg_tensor *bias,
                           int stride, tg_padding padding);

/* ==== The recurrent convolutional layer (rcl.c) ========================================== */

/* RCL2D, the recurrent convolutional layer of Liang & Hu 2015 (CVPR,
 * "Recurrent convolutional neural network for object recognition"): a
 * convolution whose output is fed back into itself through a second
 * convolution, unrolled for a fixed number of iterations on a still input
 * u (N, H, W, C):
 *
 *     x(0) = relu(W_f * u + b)
 *     x(t) = relu(W_f * u + W_r * x(t-1) + b),   t = 1 .. iterations
 *
 * with `*` the Conv2D above (cross-correlation, channels-last), 'same'
 * padding and stride 1 for both, so that W_r * x(t-1) has the shape of
 * W_f * u. The output is x(iterations) (N, H, W, F); iterations = 0 is a
 * plain Conv2D with relu. Each iteration widens what a unit sees by
 * kernel - 1 pixels, with no new parameters.
 *
 * Left out: the paper's local response normalisation after each
 * iteration (LRN has fallen out of use, and without it the equations are
 * exactly the two lines above). Parameters, Keras-style names: "kernel"
 * W_f (kh, kw, C, F), "recurrent_kernel" W_r (kh, kw, F, F), both
 * glorot_uniform, "bias" b (F) zeros. One path: the equations from tape
 * ops, each convolution the fused Conv2D op (layer->path is not read). */

typedef struct tg_rcl2d_opts {
    int filters;    /* F >= 1 */
    int kernel[2];  /* (kh, kw) of W_f and W_r, required */
    int iterations; /* >= 0: x(iterations) is the output */
} tg_rcl2d_opts;

/* Default name "rcl2d". Per-sample input (H, W, C); output (H, W, F). */
tg_layer *tg_rcl2d(tg_rcl2d_opts o);

/* ==== Max-pooling (pool.c) =============================================================== */

/* MaxPooling1D and MaxPooling2D, channels-last as in Keras (section 3.3.2):
 *
 *     y[n, i, j, c] = max_{k < ph, l < pw} x[n, i s_h + k - p_h, j s_w + l - p_w, c]
 *
 * the document's y_i = max(y_i1, ..., y_iS) over the S = ph pw elements of each
 * window. 'same' padding pads with -infinity (a padded element never wins),
 * as Keras does, not with zeros. The gradient of each output goes to one
 * element of its window: the first maximum in window order (row-major over
 * (k, l)), in both paths, so they agree exactly (docs/maxpool.md). */

/* Options; zero means Keras's default. */
typedef struct tg_pool2d_opts {
    int pool[2];        /* 0 -> 2 */
    int strides[2];     /* 0 -> the pool size */
    tg_padding padding; /* TG_VALID (default) or TG_SAME */
} tg_pool2d_opts;

typedef struct tg_pool1d_opts {
    int pool;           /* 0 -> 2 */
    int stride;         /* 0 -> the pool size */
    tg_padding padding;
} tg_pool1d_opts;

/* Default names "max_pooling2d" and "max_pooling1d"; no parameters. The
 * path is layer->path (fused unless set to TG_PATH_REFERENCE). */
tg_layer *tg_maxpool2d(tg_pool2d_opts o);
tg_layer *tg_maxpool1d(tg_pool1d_opts o);

typedef struct tg_pool2d_geometry {
    int n, c;
    tg_window h, w;
} tg_pool2d_geometry;

/* Checks x (N, H, W, C), pool sizes and strides >= 1; stops with a line
 * naming `op` and the shapes. */
tg_pool2d_geometry tg_pool2d_geometry_of(const char *op, const tg_tensor *x, const int pool[2],
                                         const int strides[2], tg_padding padding);

/* The two paths as tape ops. */
tg_tensor *tg_maxpool2d_reference(tg_tape *tape, tg_tensor *x, const int pool[2],
                                  const int strides[2], tg_padding padding);
tg_tensor *tg_maxpool2d_fused(tg_tape *tape, tg_tensor *x, const int pool[2],
                              const int strides[2], tg_padding padding);
/* MaxPooling1D: x (N, T, C), run as a 2-D pool of height 1 on a reshaped view. */
tg_tensor *tg_maxpool1d_reference(tg_tape *tape, tg_tensor *x, int pool, int stride,
                                  tg_padding padding);
tg_tensor *tg_maxpool1d_fused(tg_tape *tape, tg_tensor *x, int pool, int stride,
                              tg_padding padding);

/* ==== LSTM (lstm.c) ====================================================================== */

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
 * except b_f = 1 (unit_forget_bias), zero peepholes. tg_layer_param(lstm,
 * "W_cf") finds one by name (NULL when the variant has none).
 *
 * layer->path picks the implementation: TG_PATH_REFERENCE unrolls the six
 * equations above into primitive tape ops (the tape derives BPTT);
 * TG_PATH_FUSED (default) records one op for the whole sequence whose
 * backward is derived by hand in docs/lstm.md. */

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

/* The function form: runs a built LSTM over x (N, T, D) for any T >= 1,
 * from h0 and c0 (N, H) (NULL: zeros), on the path lstm->path. Returns the
 * layer's output ((N, T, H) or (N, H)) and, when h_T / c_T are not NULL,
 * the final states (N, H) there. All results are tape tensors, so a loss
 * may use any of them and the gradient reaches x, h0, c0 and every
 * parameter. */
tg_tensor *tg_lstm_run(tg_layer *lstm, tg_tape *tape, tg_tensor *x, tg_tensor *h0, tg_tensor *c0,
                       tg_tensor **h_T, tg_tensor **c_T);

/* ---- What the last forward computed (lstm.c) ----
 * For pictures of the gates over time: once asked, every forward of the
 * layer (either path, training or not, recorded or not) copies its
 * internals per sequence, step and unit into tensors the layer owns,
 * replaced by the next forward. Not asked, a forward does nothing more. */

typedef struct tg_lstm_internals {
    /* i_t, f_t, \tilde{c}_t, o_t, c_t, h_t of every step: (N, T, H) each */
    tg_tensor *i, *f, *c_tilde, *o, *c, *h;
} tg_lstm_internals;

/* keep = 1: from the next forward on; 0: no more (what was kept stays). */
void tg_lstm_keep_internals(tg_layer *lstm, int keep);
/* What the last kept forward computed, or NULL when none was kept yet. */
const tg_lstm_internals *tg_lstm_internals_of(const tg_layer *lstm);

/* ---- Keras's packing, every variant (lstm_pack.c) ----
 * Keras keeps an LSTM's weights as one kernel (D, 4H), one recurrent kernel
 * (H, 4H) and one bias (4H), the gates side by side in the order i, f, c, o:
 *
 *     kernel           = [W_xi W_xf W_xc W_xo]    (D, 4H)
 *     recurrent_kernel = [W_hi W_hf W_hc W_ho]    (H, 4H)
 *     bias             = [b_i  b_f  b_c  b_o ]    (4H)
 *
 * With these alone an LSTM of peephole none is Keras's LSTM (and PyTorch's,
 * transposed, with b_ih + b_hh = bias). The peepholes follow as arrays of
 * their own, after the bias, as get_weights() lists those of TensorFlow's
 * PeepholeLSTMCell, and under its names where it has them:
 *
 *     diagonal, (H) each                 full, (H, H) each (our names)
 *     W_ci  input_gate_peephole_weights  input_gate_peephole_kernel
 *     W_cf  forget_gate_peephole_weights forget_gate_peephole_kernel
 *     W_cc  candidate_peephole_weights   candidate_peephole_kernel
 *     W_co  output_gate_peephole_weights output_gate_peephole_kernel
 *
 * (candidate_peephole_weights is ours: TensorFlow has no W_cc.) A diagonal
 * array multiplies elementwise, z_i += input_gate_peephole_weights (.)
 * c_{t-1}; a full one as a Keras kernel does, z_i += c_{t-1}
 * input_gate_peephole_kernel with c_{t-1} a row. TensorFlow's
 * PeepholeLSTMCell (with recurrent_activation="sigmoid") is our diagonal
 * variant with no_candidate_peephole = 1: its six arrays load as they are.
 *
 * The gradients come in the same layout (d loss / d kernel, ...: what
 * Keras's tape.gradient returns for the arrays of get_weights()), so that
 * the two can be compared array by array. */

typedef struct tg_lstm_keras_weights {
    tg_tensor *kernel;           /* (D, 4H) */
    tg_tensor *recurrent_kernel; /* (H, 4H) */
    tg_tensor *bias;             /* (4H) */
    /* W_ci W_cf W_cc W_co in gate order i, f, c, o: (H) diagonal, (H, H)
     * full; NULL where the variant has none (all four for peephole none). */
    tg_tensor *peephole[4];
} tg_lstm_keras_weights;

/* New heap tensors holding the layer's weights (pack) or their gradients
 * (pack_grad) in Keras's layout; free them with tg_lstm_keras_free. Stop if
 * the layer is not a built LSTM. */
tg_lstm_keras_weights tg_lstm_keras_pack(const tg_layer *lstm);
tg_lstm_keras_weights tg_lstm_keras_pack_grad(const tg_layer *lstm);
/* Copies packed arrays into the layer's per-gate parameters (unpack) or
 * their gradients (unpack_grad). Stop with a message naming the array and
 * the shapes when one does not fit the built layer, is missing where its
 * variant has one, or is given where it has none; then nothing changed. */
void tg_lstm_keras_unpack(tg_layer *lstm, const tg_lstm_keras_weights *w);
void tg_lstm_keras_unpack_grad(tg_layer *lstm, const tg_lstm_keras_weights *g);
/* Frees the arrays (NULL ones skipped) and zeroes the struct. */
void tg_lstm_keras_free(tg_lstm_keras_weights *w);

/* Saves one .npy file per array of the variant, <prefix><array>.npy:
 * lstm_kernel.npy, lstm_recurrent_kernel.npy, lstm_bias.npy for prefix
 * "lstm_", then the peepholes' (lstm_input_gate_peephole_weights.npy, ...).
 * save_grad writes the gradients the same way (give it another prefix). */
tg_status tg_lstm_keras_save(const tg_layer *lstm, const char *prefix);
tg_status tg_lstm_keras_save_grad(const tg_layer *lstm, const char *prefix);
/* Loads the files saved above (or written by NumPy: np.save of each array
 * of a Keras layer's get_weights(), under these names) into the weights
 * (load) or their gradients (load_grad). A missing file, one that does not
 * fit the layer, or a peephole file of another variant lying beside them
 * (these weights are not this LSTM's) is a data error naming the file and
 * the shapes, and the layer is then left unchanged. */
tg_status tg_lstm_keras_load(tg_layer *lstm, const char *prefix);
tg_status tg_lstm_keras_load_grad(tg_layer *lstm, const char *prefix);

/* ==== SimpleRNN (simple_rnn.c) =========================================================== */

/* SimpleRNN: Keras's plain recurrent layer, per time step
 *
 *     h_t = tanh(x_t W + h_{t-1} U + b)
 *
 * over a batch of sequences (N, T, D), H = units, from h_0 = 0 unless
 * given. Parameters as Keras names, lays out and initialises them: "kernel"
 * W (D, H) glorot_uniform, "recurrent_kernel" U (H, H) orthogonal, "bias"
 * b (H) zeros. The activation is Keras's default, tanh.
 *
 * It is here to be compared with the LSTM: its gradient reaches x_t
 * through T - t factors diag(1 - h^2) U^T, which is how gradients vanish
 * (tutorial 9). layer->path picks the implementation: TG_PATH_REFERENCE
 * unrolls the equation into tape ops; TG_PATH_FUSED (default) records one
 * op for the sequence, backward by hand. */

typedef struct tg_simple_rnn_opts {
    int units;            /* H >= 1 */
    int return_sequences; /* 1: every h_t (N, T, H); 0: only h_T (N, H) */
} tg_simple_rnn_opts;

/* Default name "simple_rnn". Per-sample input (T, D); output (T, H) or (H). */
tg_layer *tg_simple_rnn(tg_simple_rnn_opts o);

/* The function form: runs a built SimpleRNN over x (N, T, D), any T >= 1,
 * from h0 (N, H) (NULL: zeros), on the path rnn->path. Returns the layer's
 * output and, when h_T is not NULL, the last state (N, H) there; all tape
 * tensors, so the gradient reaches x, h0 and every parameter. */
tg_tensor *tg_simple_rnn_run(tg_layer *rnn, tg_tape *tape, tg_tensor *x, tg_tensor *h0,
                             tg_tensor **h_T);

/* ==== GRU (gru.c) ======================================================================== */

/* GRU: the gated recurrent unit exactly as Keras computes it (Cho et al.
 * 2014), per time step, with H = units, rows as vectors (x_t W is x_t @ W):
 *
 *   reset_after (Keras's default since TF 2, and cuDNN's):
 *     z_t         = sigma(x_t W_z + b_z + h_{t-1} U_z + br_z)
 *     r_t         = sigma(x_t W_r + b_r + h_{t-1} U_r + br_r)
 *     \tilde{h}_t = tanh (x_t W_h + b_h + r_t (.) (h_{t-1} U_h + br_h))
 *     h_t         = z_t (.) h_{t-1} + (1 - z_t) (.) \tilde{h}_t
 *
 *   reset before (Keras's reset_after=False, the GRU of the 2014 paper):
 *     z_t         = sigma(x_t W_z + b_z + h_{t-1} U_z)
 *     r_t         = sigma(x_t W_r + b_r + h_{t-1} U_r)
 *     \tilde{h}_t = tanh (x_t W_h + b_h + (r_t (.) h_{t-1}) U_h)
 *     h_t         = z_t (.) h_{t-1} + (1 - z_t) (.) \tilde{h}_t
 *
 * over a batch of sequences (N, T, D), from h_0 = 0 unless given. Note
 * Keras's convention: z_t keeps the old state (PyTorch's GRU writes the
 * same), and the gate blocks are in the order z, r, h.
 *
 * Parameters, Keras's names, layouts and order: "kernel" (D, 3H) =
 * [W_z | W_r | W_h], "recurrent_kernel" (H, 3H) = [U_z | U_r | U_h], "bias"
 * (2, 3H) = [[b_z | b_r | b_h], [br_z | br_r | br_h]] (input row, recurrent
 * row) with reset_after, (3H) = [b_z | b_r | b_h] without. Initialised as
 * Keras does: Glorot uniform over the whole (D, 3H) kernel, orthogonal over
 * the whole (H, 3H) recurrent kernel, zero bias. The activations are
 * Keras's defaults, tanh and sigmoid (not old Keras's hard_sigmoid).
 *
 * layer->path: TG_PATH_REFERENCE unrolls the four equations into tape ops
 * (the tape derives BPTT); TG_PATH_FUSED (default) records one op for the
 * whole sequence, its backward derived by hand in docs/recurrent.md. */

/* Zero is the default of every field but units. */
typedef struct tg_gru_opts {
    int units;            /* H >= 1 */
    int return_sequences; /* 1: output every h_t (N, T, H); 0: only h_T (N, H) */
    int reset_before;     /* 1: Keras's reset_after=False; 0: reset_after=True */
} tg_gru_opts;

/* Default name "gru". Per-sample input (T, D); output (T, H) or (H). Stops
 * with a message on units < 1. */
tg_layer *tg_gru(tg_gru_opts o);

/* The function form: runs a built GRU over x (N, T, D) for any T >= 1 from
 * h0 (N, H) (NULL: zeros) on the path gru->path; returns the layer's output
 * and, when h_T is not NULL, the final state (N, H) there. Tape tensors: the
 * gradient reaches x, h0 and every parameter. */
tg_tensor *tg_gru_run(tg_layer *gru, tg_tape *tape, tg_tensor *x, tg_tensor *h0,
                      tg_tensor **h_T);

/* Saves <prefix>kernel.npy, <prefix>recurrent_kernel.npy, <prefix>bias.npy:
 * the parameters as they are, which is Keras's layout (get_weights()). */
tg_status tg_gru_keras_save(const tg_layer *gru, const char *prefix);
/* Loads the three files; a missing file or a shape that does not fit the
 * built layer is a data error, and the layer is then left unchanged. */
tg_status tg_gru_keras_load(tg_layer *gru, const char *prefix);

/* ==== ConvLSTM2D (conv_lstm.c) ========================================================== */

/* ConvLSTM2D: the document's peephole LSTM (section 3.3.1) with every matrix
 * product replaced by a convolution (Shi et al. 2015, arXiv 1506.04214), per
 * time step, on maps (N, H', W', F):
 *
 *     i_t         = sigma(W_xi * x_t + W_hi * h_{t-1} + W_ci (.) c_{t-1} + b_i)
 *     f_t         = sigma(W_xf * x_t + W_hf * h_{t-1} + W_cf (.) c_{t-1} + b_f)
 *     \tilde{c}_t = tanh (W_xc * x_t + W_hc * h_{t-1} + W_cc (.) c_{t-1} + b_c)
 *     c_t         = f_t (.) c_{t-1} + i_t (.) \tilde{c}_t
 *     o_t         = sigma(W_xo * x_t + W_ho * h_{t-1} + W_co (.) c_t + b_o)
 *     h_t         = o_t (.) tanh(c_t)
 *
 * `*` is the Conv2D above (cross-correlation, channels-last, no flip): W_x* *
 * x_t with the layer's strides and padding, W_h* * h_{t-1} always 'same' with
 * stride 1 (so h keeps the shape (H', W', F) of the input convolution's
 * output), as Keras's ConvLSTM2D. h_0 = c_0 = 0. The input is a batch of
 * frame sequences (N, T, H, W, C), channels-last.
 *
 * Peepholes, as for the LSTM (the same enum and the same zero default):
 *   TG_PEEPHOLE_DIAGONAL (default)  W_c* are Hadamard weights of the state's
 *                                   whole shape (H', W', F), Shi et al.'s;
 *   TG_PEEPHOLE_NONE                none: exactly Keras's ConvLSTM2D;
 *   TG_PEEPHOLE_FULL                refused: a matrix over all H' W' F state
 *                                   values would have (H' W' F)^2 entries and
 *                                   tie every pixel to every other, which a
 *                                   convolutional layer exists not to do.
 * no_candidate_peephole drops W_cc (.) c_{t-1}, which Shi et al. do not have.
 *
 * Parameters, Keras's layouts and order, gate order i, f, c, o: "kernel"
 * (kh, kw, C, 4F) = [W_xi W_xf W_xc W_xo] on the last axis, "recurrent_kernel"
 * (kh, kw, F, 4F) = [W_hi W_hf W_hc W_ho], "bias" (4F) = [b_i b_f b_c b_o],
 * then the peepholes W_ci W_cf [W_cc] W_co (H', W', F) where the variant has
 * them. Initialised as Keras does and as tg_lstm does: Glorot uniform over
 * the whole kernel (fan_in kh kw C, fan_out kh kw 4F), orthogonal over the
 * whole recurrent kernel seen as (kh kw F, 4F), zero biases except b_f = 1
 * (unit_forget_bias), zero peepholes. The activations are tanh and a sigmoid
 * recurrent activation (not old Keras's hard_sigmoid).
 *
 * layer->path: TG_PATH_REFERENCE unrolls the six equations into tape ops
 * (Conv2D's reference path for every `*`; the tape derives BPTT);
 * TG_PATH_FUSED (default) records one op for the whole sequence, the input
 * convolutions of all N T frames in one im2col + GEMM product, the recurrent
 * one per step, its backward derived by hand in docs/convlstm.md. */

/* Zero is the default of every field but filters and kernel. */
typedef struct tg_conv_lstm2d_opts {
    int filters;               /* F >= 1 */
    int kernel[2];             /* (kh, kw), required; the input AND the recurrent kernel */
    int strides[2];            /* input convolution strides, 0 -> 1 */
    tg_padding padding;        /* input convolution: TG_VALID (default) or TG_SAME;
                                  the recurrent one is always same, stride 1 */
    int return_sequences;      /* 1: (T, H', W', F) per sample; 0: only h_T (H', W', F) */
    tg_peephole peephole;      /* TG_PEEPHOLE_DIAGONAL (default) or TG_PEEPHOLE_NONE */
    int no_candidate_peephole; /* 1: drop W_cc (.) c_{t-1} from the candidate */
} tg_conv_lstm2d_opts;

/* Default name "conv_lstm2d". Per-sample input (T, H, W, C) channels-last;
 * output (T, H', W', F) or (H', W', F). Stops with a message on filters or
 * a kernel size < 1, a negative stride, an unknown padding, or a peephole
 * kind other than diagonal or none. */
tg_layer *tg_conv_lstm2d(tg_conv_lstm2d_opts o);

/* ==== Bidirectional (bidirectional.c) ==================================================== */

/* Bidirectional: a recurrent layer run both ways, as Keras's Bidirectional:
 *
 *     y_f = forward(x_1 .. x_T)
 *     y_b = backward(x_T .. x_1)              (the backward copy reads the
 *                                              reversed sequence)
 *     y   = merge(y_f, flip(y_b))             return_sequences: y_b's steps
 *                                              flipped back to time order,
 *                                              so step t of both saw x_t
 *     y   = merge(y_f, y_b)                   without: y_b is the backward
 *                                              copy's state after reading
 *                                              x_T .. x_1
 *
 * merge: concat (default; [y_f | y_b] on the last axis), sum (y_f + y_b),
 * mul (y_f (.) y_b), ave ((y_f + y_b) / 2), none (both outputs).
 *
 * Any recurrent layer fits that reads (N, T, D) and returns (N, T, H) with
 * return_sequences or (N, H) without (LSTM of any peephole variant, GRU,
 * ...): the wrapper knows only the tg_layer interface. It takes two fresh
 * layers made with the same options, the forward and the backward copy,
 * with weights of their own (Keras's `layer` and its copy, or its
 * `backward_layer`), and owns them. They are renamed forward_<name> and
 * backward_<name>; the wrapper's params are theirs, the forward copy's
 * first, named "forward_<name>/<param>" (Keras:
 * "bidirectional/forward_lstm/..."), so a checkpoint holds
 * bidirectional/forward_lstm/W_xi.npy. Each copy still answers to its own
 * functions under its own names: tg_layer_param(tg_bidirectional_layer(bi,
 * 0), "W_xi") is a view of that tensor (the same data and gradient). The
 * wrapper's path (set it before forward) is given to both copies. */

typedef enum {
    TG_MERGE_CONCAT = 0,
    TG_MERGE_SUM,
    TG_MERGE_MUL,
    TG_MERGE_AVE,
    TG_MERGE_NONE,
} tg_merge_mode;

/* Default name "bidirectional". Stops with a message unless forward and
 * backward are two distinct unbuilt layers and merge is a known mode; the
 * build stops unless their outputs are sequences (T, H) or vectors (H) of
 * one shape (concat also takes two different H).
 *
 * Output per sample: (T, H_f + H_b) or (H_f + H_b) for concat; (T, H) or
 * (H) for sum, mul and ave; for none, both outputs stacked on a new axis
 * after the batch, (2, T, H) or (2, H), [0] forward and [1] backward (one
 * tensor, so that a model can carry it; tg_bidirectional_run hands them
 * apart). */
tg_layer *tg_bidirectional(tg_layer *forward, tg_layer *backward, tg_merge_mode merge);

/* The function form: the merged output (as the layer's forward) and, when
 * y_f / y_b are not NULL, the two outputs before merging, in time order
 * (tape tensors). */
tg_tensor *tg_bidirectional_run(tg_layer *bi, tg_tape *tape, tg_tensor *x, int training,
                                tg_tensor **y_f, tg_tensor **y_b);

/* The forward (0) or backward (1) copy of a built Bidirectional. */
tg_layer *tg_bidirectional_layer(const tg_layer *bi, int which);

/* "concat", "sum", "mul", "ave", "none" (Keras's None); parse returns 0 and
 * sets *mode, or -1 for an unknown name. */
const char *tg_merge_mode_name(tg_merge_mode mode);
int tg_merge_mode_parse(const char *name, tg_merge_mode *mode);

/* ==== TimeDistributed (time_distributed.c) =============================================== */

/* TimeDistributed: one layer applied to every time step of (N, T, ...) with
 * the same weights, as Keras's TimeDistributed:
 *
 *     y[n, t] = layer(x[n, t])     for every n < N, t < T
 *
 * computed as Keras does it: x is seen as a batch of N T samples (a reshape
 * that shares the data), the layer runs once on it, and its output is seen
 * as (N, T, ...) again. So any layer fits: Dense, Conv1D/2D, MaxPool, Flatten,
 * Reshape, and frames (N, T, H, W, C) go through a Conv2D frame by frame.
 * The wrapper owns the layer; its parameters are the wrapper's, under their
 * own names (Keras: "time_distributed/kernel"). The wrapper's path (set it
 * before forward) is given to the layer. */

/* Default name "time_distributed". Stops unless layer is an unbuilt layer;
 * the build stops unless the per-sample input is (T, ...) with T >= 1 and
 * the layer takes the rest. Output per sample: (T, layer's output...). */
tg_layer *tg_time_distributed(tg_layer *layer);

/* The layer a built TimeDistributed applies. */
tg_layer *tg_time_distributed_layer(const tg_layer *td);

/* ==== Shape layers (reshape.c) =========================================================== */

/* Layers that only change the shape (no parameters; the data is shared):
 * Flatten, Reshape, and "image rows as time steps", the step the document's
 * image model (section 4.2) leaves out between MaxPooling2D and the LSTM,
 * which Keras would reject without it:
 *
 *     (N, H, W, C) -> (N, H, W C):  row h of the image is time step h. */

/* (N, ...) -> (N, product of the rest). Default name "flatten". */
tg_layer *tg_flatten(void);
/* (N, ...) -> (N, shape...), shape per sample; one dimension may be -1
 * (inferred, as in Keras). Default name "reshape". */
tg_layer *tg_reshape_layer(tg_shape shape);
/* (N, H, W, C) -> (N, H, W C). Default name "rows_as_steps". */
tg_layer *tg_rows_as_steps(void);

/* ==== Checking a layer's gradients (gradcheck_layers.c) ================================== */

/* The gradient checks of the layers: each layer and each path (reference,
 * fused) as a named case of the `tapegrad gradcheck` registry. Every case
 * checks the gradient of the input and of every parameter. */

/* Builds the (unbuilt) layer for the per-sample part of `input` (batch
 * first), refills its parameters U(-0.5, 0.5) and x U(-1, 1) from the seed,
 * and checks d/dx and d/d(every parameter) of the training forward pass.
 * The caller still owns and frees the layer. */
tg_gradcheck_report tg_layer_gradcheck(tg_layer *layer, tg_shape input, uint64_t seed);

/* A GRU's gradients (gradcheck_gru.c): builds a fresh GRU of these options
 * for (N, T, D), gives every parameter random values, draws x and h0, and
 * checks d/dx, d/dh0 and d/d(every parameter) of the layer's output joined
 * with h_T, on the given path. */
tg_gradcheck_report tg_gru_gradcheck(tg_gru_opts o, tg_path path, int batch, int steps,
                                     int input_dim, uint64_t seed);

/* An LSTM's gradients (gradcheck_lstm.c): builds a fresh LSTM of these options for (N, T, D), gives every parameter
 * (peepholes and biases included) random values, draws x, h0 and c0, and
 * checks d/dx, d/dh0, d/dc0 and d/d(every parameter) of the layer's output
 * joined with c_T, on the given path. */
tg_gradcheck_report tg_lstm_gradcheck(tg_lstm_opts o, tg_path path, int batch, int steps,
                                      int input_dim, uint64_t seed);

/* A SimpleRNN's gradients (gradcheck_simple_rnn.c): a fresh layer of these
 * options for (N, T, D) with every parameter drawn U(-0.5, 0.5), x and h0
 * drawn; checks d/dx, d/dh0 and d/d(every parameter) of the layer's output
 * joined with h_T, on the given path. */
tg_gradcheck_report tg_simple_rnn_gradcheck(tg_simple_rnn_opts o, tg_path path, int batch,
                                            int steps, int input_dim, uint64_t seed);

#endif
