/* The LSTM's weights packed, the gates side by side, as the fused path and
 * Keras hold them. Keras's packing: one kernel (D, 4H) = [W_xi W_xf W_xc W_xo],
 * one recurrent kernel (H, 4H) = [W_hi W_hf W_hc W_ho] and one bias (4H) =
 * [b_i b_f b_c b_o], the gates side by side in the order i, f, c, o. Keras's
 * LSTM has no peepholes, so the packed form is offered for peephole none
 * only. */
#include "layers/internal/lstm_layer.h"

#include <stdio.h>
#include <string.h>

#include "tensor/tensor.h"

/* Packed (rows, 4H) = [gate i | gate f | gate c | gate o], row by row. */
void tg_lstm_pack_gates(tg_tensor *const gate[TG_GATES], int rows, int H, tg_real *packed)
{
    for (int r = 0; r < rows; r++)
        for (int g = 0; g < TG_GATES; g++)
            memcpy(packed + ((size_t)r * TG_GATES + (size_t)g) * (size_t)H,
                   gate[g]->data + (size_t)r * (size_t)H, (size_t)H * sizeof *packed);
}

void tg_lstm_unpack_gates(const tg_real *packed, int rows, int H, tg_tensor *const gate[TG_GATES])
{
    for (int r = 0; r < rows; r++)
        for (int g = 0; g < TG_GATES; g++)
            memcpy(gate[g]->data + (size_t)r * (size_t)H,
                   packed + ((size_t)r * TG_GATES + (size_t)g) * (size_t)H,
                   (size_t)H * sizeof *packed);
}

/* The packed form exists for the peephole-free LSTM only. */
static tg_lstm_layer *keras_layer(const tg_layer *lstm, const char *op)
{
    tg_lstm_layer *l = tg_lstm_layer_of(lstm, op);
    if (l->opts.peephole != TG_PEEPHOLE_NONE)
        tg_fatal("%s: %s has peepholes, which Keras's packed LSTM weights cannot hold "
                 "(use peephole none)",
                 op, lstm->name);
    return l;
}

void tg_lstm_keras_pack(const tg_layer *lstm, tg_tensor **kernel, tg_tensor **recurrent_kernel,
                        tg_tensor **bias)
{
    tg_lstm_layer *l = keras_layer(lstm, "lstm_keras_pack");
    const int D = l->D, H = l->H;
    *kernel = tg_tensor_new(TG_SHAPE(D, TG_GATES * H));
    *recurrent_kernel = tg_tensor_new(TG_SHAPE(H, TG_GATES * H));
    *bias = tg_tensor_new(TG_SHAPE(TG_GATES * H));
    tg_lstm_pack_gates(l->W_x, D, H, (*kernel)->data);
    tg_lstm_pack_gates(l->W_h, H, H, (*recurrent_kernel)->data);
    tg_lstm_pack_gates(l->b, 1, H, (*bias)->data);
}

/* 1 when the three packed tensors fit the layer. */
static int packed_shapes_fit(const tg_lstm_layer *l, const tg_tensor *kernel,
                             const tg_tensor *recurrent_kernel, const tg_tensor *bias)
{
    const int D = l->D, H = l->H;
    return tg_shape_equal(kernel->shape, TG_SHAPE(D, TG_GATES * H)) &&
           tg_shape_equal(recurrent_kernel->shape, TG_SHAPE(H, TG_GATES * H)) &&
           tg_shape_equal(bias->shape, TG_SHAPE(TG_GATES * H));
}

/* "kernel (3, 8), recurrent kernel (2, 8), bias (8) for D = 3, H = 2" */
static void describe_packed(char *buf, size_t len, const tg_lstm_layer *l,
                            const tg_tensor *kernel, const tg_tensor *recurrent_kernel,
                            const tg_tensor *bias)
{
    char k[TG_SHAPE_STR_LEN], r[TG_SHAPE_STR_LEN], b[TG_SHAPE_STR_LEN];
    snprintf(buf, len, "kernel %s, recurrent kernel %s, bias %s do not fit D = %d, H = %d "
                       "((D, 4H), (H, 4H), (4H))",
             tg_shape_str(kernel->shape, k, sizeof k),
             tg_shape_str(recurrent_kernel->shape, r, sizeof r),
             tg_shape_str(bias->shape, b, sizeof b), l->D, l->H);
}

void tg_lstm_keras_unpack(tg_layer *lstm, const tg_tensor *kernel,
                          const tg_tensor *recurrent_kernel, const tg_tensor *bias)
{
    tg_lstm_layer *l = keras_layer(lstm, "lstm_keras_unpack");
    if (!packed_shapes_fit(l, kernel, recurrent_kernel, bias)) {
        char msg[256];
        describe_packed(msg, sizeof msg, l, kernel, recurrent_kernel, bias);
        tg_fatal("lstm_keras_unpack: %s: %s", lstm->name, msg);
    }
    tg_lstm_unpack_gates(kernel->data, l->D, l->H, l->W_x);
    tg_lstm_unpack_gates(recurrent_kernel->data, l->H, l->H, l->W_h);
    tg_lstm_unpack_gates(bias->data, 1, l->H, l->b);
}

static const char *const file_names[3] = {"kernel.npy", "recurrent_kernel.npy", "bias.npy"};

tg_status tg_lstm_keras_save(const tg_layer *lstm, const char *prefix)
{
    tg_tensor *packed[3];
    tg_lstm_keras_pack(lstm, &packed[0], &packed[1], &packed[2]);
    tg_status st = tg_status_ok();
    for (int k = 0; k < 3 && tg_is_ok(&st); k++) {
        char path[4096];
        snprintf(path, sizeof path, "%s%s", prefix, file_names[k]);
        st = tg_npy_save(path, packed[k]);
    }
    for (int k = 0; k < 3; k++)
        tg_tensor_free(packed[k]);
    return st;
}

tg_status tg_lstm_keras_load(tg_layer *lstm, const char *prefix)
{
    tg_lstm_layer *l = keras_layer(lstm, "lstm_keras_load");
    tg_tensor *packed[3] = {NULL, NULL, NULL};
    tg_status st = tg_status_ok();
    for (int k = 0; k < 3 && tg_is_ok(&st); k++) {
        char path[4096];
        snprintf(path, sizeof path, "%s%s", prefix, file_names[k]);
        st = tg_npy_load(path, &packed[k]);
    }
    if (tg_is_ok(&st) && !packed_shapes_fit(l, packed[0], packed[1], packed[2])) {
        char msg[256];
        describe_packed(msg, sizeof msg, l, packed[0], packed[1], packed[2]);
        st = tg_status_error("lstm_keras_load: %s{kernel,recurrent_kernel,bias}.npy: %s", prefix,
                             msg);
    }
    if (tg_is_ok(&st))
        tg_lstm_keras_unpack(lstm, packed[0], packed[1], packed[2]);
    for (int k = 0; k < 3; k++)
        if (packed[k])
            tg_tensor_free(packed[k]);
    return st;
}
