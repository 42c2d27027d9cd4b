/* The LSTM's weights packed, the gates side by side, as the fused path and
 * Keras hold them. Keras's packing: one kernel (D, 4H) = [W_xi W_xf W_xc W_xo],
 * one recurrent kernel (H, 4H) = [W_hi W_hf W_hc W_ho] and one bias (4H) =
 * [b_i b_f b_c b_o], the gates side by side in the order i, f, c, o; the
 * peepholes follow as arrays of their own, named as TensorFlow's
 * PeepholeLSTMCell names its diagonal ones (the table in layers.h). The
 * same layout serves the weights and their gradients. */
#include "layers/internal/lstm_layer.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "tensor/tensor.h"

/* Packed (rows, 4H) = [gate i | gate f | gate c | gate o], row by row,
 * from and to four per-gate buffers of (rows, H). */
static void pack_rows(tg_real *const gate[TG_GATES], int rows, int H, tg_real *packed)
{
    for (int r = 0; r < rows; r++)
        for (int g = 0; g < TG_GATES; g++)
            memcpy(packed + ((size_t)r * TG_GATES + (size_t)g) * (size_t)H,
                   gate[g] + (size_t)r * (size_t)H, (size_t)H * sizeof *packed);
}

static void unpack_rows(const tg_real *packed, int rows, int H, tg_real *const gate[TG_GATES])
{
    for (int r = 0; r < rows; r++)
        for (int g = 0; g < TG_GATES; g++)
            memcpy(gate[g] + (size_t)r * (size_t)H,
                   packed + ((size_t)r * TG_GATES + (size_t)g) * (size_t)H,
                   (size_t)H * sizeof *packed);
}

/* The values (grad 0) or the gradients (grad 1) of four per-gate tensors. */
static void buffers(tg_tensor *const gate[TG_GATES], int grad, tg_real *out[TG_GATES])
{
    for (int g = 0; g < TG_GATES; g++)
        out[g] = grad ? gate[g]->grad : gate[g]->data;
}

void tg_lstm_pack_gates(tg_tensor *const gate[TG_GATES], int rows, int H, tg_real *packed)
{
    tg_real *data[TG_GATES];
    buffers(gate, 0, data);
    pack_rows(data, rows, H, packed);
}

void tg_lstm_unpack_gates(const tg_real *packed, int rows, int H, tg_tensor *const gate[TG_GATES])
{
    tg_real *data[TG_GATES];
    buffers(gate, 0, data);
    unpack_rows(packed, rows, H, data);
}

/* ---- Keras's arrays: kernel, recurrent_kernel, bias, then the peepholes ---- */

enum { KERNEL = 0, RECURRENT, BIAS, PEEPHOLE, ARRAYS = PEEPHOLE + TG_GATES };

static const char *const packed_names[PEEPHOLE] = {"kernel", "recurrent_kernel", "bias"};
/* [0] diagonal (H), TensorFlow's names and one of ours for W_cc; [1] full (H, H), ours. */
static const char *const peephole_names[2][TG_GATES] = {
    {"input_gate_peephole_weights", "forget_gate_peephole_weights", "candidate_peephole_weights",
     "output_gate_peephole_weights"},
    {"input_gate_peephole_kernel", "forget_gate_peephole_kernel", "candidate_peephole_kernel",
     "output_gate_peephole_kernel"},
};

static int is_full(const tg_lstm_layer *l)
{
    return l->opts.peephole == TG_PEEPHOLE_FULL;
}

static const char *array_name(const tg_lstm_layer *l, int k)
{
    return k < PEEPHOLE ? packed_names[k] : peephole_names[is_full(l)][k - PEEPHOLE];
}

/* 1 and the array's shape when the layer's variant has array k. */
static int array_shape(const tg_lstm_layer *l, int k, tg_shape *shape)
{
    const int D = l->D, H = l->H;
    switch (k) {
    case KERNEL:
        *shape = TG_SHAPE(D, TG_GATES * H);
        return 1;
    case RECURRENT:
        *shape = TG_SHAPE(H, TG_GATES * H);
        return 1;
    case BIAS:
        *shape = TG_SHAPE(TG_GATES * H);
        return 1;
    default:
        if (!l->W_c[k - PEEPHOLE])
            return 0;
        *shape = l->W_c[k - PEEPHOLE]->shape;
        return 1;
    }
}

static const char *variant_name(const tg_lstm_layer *l)
{
    switch (l->opts.peephole) {
    case TG_PEEPHOLE_NONE:
        return "peephole none";
    case TG_PEEPHOLE_FULL:
        return l->opts.no_candidate_peephole ? "peephole full, no candidate peephole"
                                             : "peephole full";
    default:
        return l->opts.no_candidate_peephole ? "peephole diagonal, no candidate peephole"
                                             : "peephole diagonal";
    }
}

/* The struct's arrays by index, and back. */
static void arrays_of(const tg_lstm_keras_weights *w, tg_tensor *a[ARRAYS])
{
    a[KERNEL] = w->kernel;
    a[RECURRENT] = w->recurrent_kernel;
    a[BIAS] = w->bias;
    for (int g = 0; g < TG_GATES; g++)
        a[PEEPHOLE + g] = w->peephole[g];
}

static tg_lstm_keras_weights weights_of(tg_tensor *const a[ARRAYS])
{
    tg_lstm_keras_weights w;
    w.kernel = a[KERNEL];
    w.recurrent_kernel = a[RECURRENT];
    w.bias = a[BIAS];
    for (int g = 0; g < TG_GATES; g++)
        w.peephole[g] = a[PEEPHOLE + g];
    return w;
}

/* "" when array k fits the layer, else why not, in msg. */
static void describe_misfit(const tg_lstm_layer *l, int k, const tg_tensor *a, char *msg,
                            size_t len)
{
    tg_shape want;
    char got_s[TG_SHAPE_STR_LEN], want_s[TG_SHAPE_STR_LEN];
    static const char *const formulas[PEEPHOLE] = {"(D, 4H)", "(H, 4H)", "(4H)"};
    msg[0] = '\0';
    if (!array_shape(l, k, &want)) {
        if (a)
            snprintf(msg, len, "%s given, but this LSTM (%s) has no such array", array_name(l, k),
                     variant_name(l));
        return;
    }
    if (!a) {
        snprintf(msg, len, "%s missing: this LSTM (%s) has one, of shape %s", array_name(l, k),
                 variant_name(l), tg_shape_str(want, want_s, sizeof want_s));
    } else if (!tg_shape_equal(a->shape, want)) {
        snprintf(msg, len, "%s %s does not fit this LSTM (D = %d, H = %d, %s), which needs %s%s%s",
                 array_name(l, k), tg_shape_str(a->shape, got_s, sizeof got_s), l->D, l->H,
                 variant_name(l), tg_shape_str(want, want_s, sizeof want_s),
                 k < PEEPHOLE ? " = " : "", k < PEEPHOLE ? formulas[k] : "");
    }
}

/* The layer's per-gate values (grad 0) or gradients (grad 1) in Keras's layout. */
static tg_lstm_keras_weights pack(const tg_layer *lstm, int grad, const char *op)
{
    const tg_lstm_layer *l = tg_lstm_layer_of(lstm, op);
    const int D = l->D, H = l->H;
    tg_tensor *a[ARRAYS] = {NULL};
    for (int k = 0; k < ARRAYS; k++) {
        tg_shape shape;
        if (array_shape(l, k, &shape))
            a[k] = tg_tensor_new(shape);
    }
    tg_real *gate[TG_GATES];
    buffers(l->W_x, grad, gate);
    pack_rows(gate, D, H, a[KERNEL]->data);
    buffers(l->W_h, grad, gate);
    pack_rows(gate, H, H, a[RECURRENT]->data);
    buffers(l->b, grad, gate);
    pack_rows(gate, 1, H, a[BIAS]->data);
    for (int g = 0; g < TG_GATES; g++)
        if (a[PEEPHOLE + g])
            memcpy(a[PEEPHOLE + g]->data, grad ? l->W_c[g]->grad : l->W_c[g]->data,
                   a[PEEPHOLE + g]->size * sizeof(tg_real));
    return weights_of(a);
}

/* Copies arrays that fit (checked before) into the per-gate values or gradients. */
static void unpack(tg_lstm_layer *l, tg_tensor *const a[ARRAYS], int grad)
{
    tg_real *gate[TG_GATES];
    buffers(l->W_x, grad, gate);
    unpack_rows(a[KERNEL]->data, l->D, l->H, gate);
    buffers(l->W_h, grad, gate);
    unpack_rows(a[RECURRENT]->data, l->H, l->H, gate);
    buffers(l->b, grad, gate);
    unpack_rows(a[BIAS]->data, 1, l->H, gate);
    for (int g = 0; g < TG_GATES; g++)
        if (l->W_c[g])
            memcpy(grad ? l->W_c[g]->grad : l->W_c[g]->data, a[PEEPHOLE + g]->data,
                   l->W_c[g]->size * sizeof(tg_real));
}

static void unpack_checked(tg_layer *lstm, const tg_lstm_keras_weights *w, int grad,
                           const char *op)
{
    tg_lstm_layer *l = tg_lstm_layer_of(lstm, op);
    tg_tensor *a[ARRAYS];
    arrays_of(w, a);
    for (int k = 0; k < ARRAYS; k++) {
        char msg[256];
        describe_misfit(l, k, a[k], msg, sizeof msg);
        if (msg[0])
            tg_fatal("%s: %s: %s", op, lstm->name, msg);
    }
    unpack(l, a, grad);
}

tg_lstm_keras_weights tg_lstm_keras_pack(const tg_layer *lstm)
{
    return pack(lstm, 0, "lstm_keras_pack");
}

tg_lstm_keras_weights tg_lstm_keras_pack_grad(const tg_layer *lstm)
{
    return pack(lstm, 1, "lstm_keras_pack_grad");
}

void tg_lstm_keras_unpack(tg_layer *lstm, const tg_lstm_keras_weights *w)
{
    unpack_checked(lstm, w, 0, "lstm_keras_unpack");
}

void tg_lstm_keras_unpack_grad(tg_layer *lstm, const tg_lstm_keras_weights *g)
{
    unpack_checked(lstm, g, 1, "lstm_keras_unpack_grad");
}

void tg_lstm_keras_free(tg_lstm_keras_weights *w)
{
    tg_tensor *a[ARRAYS];
    arrays_of(w, a);
    for (int k = 0; k < ARRAYS; k++)
        tg_tensor_free(a[k]);
    memset(w, 0, sizeof *w);
}

/* ---- .npy files: <prefix><array>.npy ---- */

static int array_path(char *path, size_t len, const char *prefix, const char *name)
{
    return snprintf(path, len, "%s%s.npy", prefix, name) < (int)len;
}

static tg_status save(const tg_layer *lstm, const char *prefix, int grad, const char *op)
{
    const tg_lstm_layer *l = tg_lstm_layer_of(lstm, op);
    tg_lstm_keras_weights w = pack(lstm, grad, op);
    tg_tensor *a[ARRAYS];
    arrays_of(&w, a);
    tg_status st = tg_status_ok();
    for (int k = 0; k < ARRAYS && tg_is_ok(&st); k++) {
        char path[4096];
        if (!a[k])
            continue;
        if (!array_path(path, sizeof path, prefix, array_name(l, k)))
            st = tg_status_error("%s: prefix %s: the path is too long", op, prefix);
        else
            st = tg_npy_save(path, a[k]);
    }
    tg_lstm_keras_free(&w);
    return st;
}

/* Reads every array the layer's variant has, checks them all, and only then
 * copies them in; a file of another variant's peephole beside them (the
 * weights of another LSTM) is refused rather than ignored. */
static tg_status load(tg_layer *lstm, const char *prefix, int grad, const char *op)
{
    tg_lstm_layer *l = tg_lstm_layer_of(lstm, op);
    tg_tensor *a[ARRAYS] = {NULL};
    tg_status st = tg_status_ok();
    for (int k = 0; k < ARRAYS && tg_is_ok(&st); k++) {
        char path[4096], msg[256];
        tg_shape shape;
        if (!array_shape(l, k, &shape))
            continue;
        if (!array_path(path, sizeof path, prefix, array_name(l, k))) {
            st = tg_status_error("%s: prefix %s: the path is too long", op, prefix);
            break;
        }
        st = tg_npy_load(path, &a[k]);
        if (!tg_is_ok(&st))
            break;
        describe_misfit(l, k, a[k], msg, sizeof msg);
        if (msg[0])
            st = tg_status_error("%s: %s: %s", op, path, msg);
    }
    for (int full = 0; full < 2 && tg_is_ok(&st); full++)
        for (int g = 0; g < TG_GATES && tg_is_ok(&st); g++) {
            char path[4096];
            const char *name = peephole_names[full][g];
            if (l->W_c[g] && full == is_full(l))
                continue;
            if (array_path(path, sizeof path, prefix, name) && access(path, F_OK) == 0)
                st = tg_status_error("%s: %s: there is a %s here, but this LSTM (%s) has no such "
                                     "array: these weights are another variant's",
                                     op, path, name, variant_name(l));
        }
    if (tg_is_ok(&st))
        unpack(l, a, grad);
    for (int k = 0; k < ARRAYS; k++)
        tg_tensor_free(a[k]);
    return st;
}

tg_status tg_lstm_keras_save(const tg_layer *lstm, const char *prefix)
{
    return save(lstm, prefix, 0, "lstm_keras_save");
}

tg_status tg_lstm_keras_save_grad(const tg_layer *lstm, const char *prefix)
{
    return save(lstm, prefix, 1, "lstm_keras_save_grad");
}

tg_status tg_lstm_keras_load(tg_layer *lstm, const char *prefix)
{
    return load(lstm, prefix, 0, "lstm_keras_load");
}

tg_status tg_lstm_keras_load_grad(tg_layer *lstm, const char *prefix)
{
    return load(lstm, prefix, 1, "lstm_keras_load_grad");
}
