/* The GRU's reference path: Keras's four equations, one line of C each,
 * unrolled over the time steps from primitive tape ops. Nothing here
 * computes a gradient: backpropagation through time is whatever the tape
 * derives from this unrolling. The fused path (gru_fused.c) must agree with
 * it on every value and gradient. */
#include "layers/internal/gru_layer.h"

#include "autograd/autograd.h"

/* Gate block g (z, r, h) of a packed (rows, 3H) matrix: its columns
 * g H .. g H + H - 1, as a tape tensor (rows, H), so the gradient of the
 * block lands in the packed parameter. */
static tg_tensor *block(tg_tape *tape, tg_tensor *packed, int g, int H)
{
    return tg_slice(tape, packed, packed->shape.ndim - 1, g * H, H, 1);
}

/* Row `row` of the (2, 3H) bias of reset_after, as a vector (3H). */
static tg_tensor *bias_row(tg_tape *tape, tg_tensor *bias, int row)
{
    return tg_reshape(tape, tg_slice(tape, bias, 0, row, 1, 1), TG_SHAPE(bias->shape.dim[1]));
}

/* A gate's argument (br is NULL without reset_after), in the order written:
 *     x_t W + b + h_{t-1} U + br */
static tg_tensor *gate_sum(tg_tape *tape, tg_tensor *x_t, tg_tensor *W, tg_tensor *b,
                           tg_tensor *h_prev, tg_tensor *U, tg_tensor *br)
{
    /* One statement a term, so that the tape records the terms in the
     * order they are written. */
    tg_tensor *s = tg_matmul(tape, x_t, W);
    s = tg_add(tape, s, b);
    s = tg_add(tape, s, tg_matmul(tape, h_prev, U));
    return br ? tg_add(tape, s, br) : s;
}

/* The candidate's argument:
 *     reset_after:   x_t W_h + b_h + r_t (.) (h_{t-1} U_h + br_h)
 *     reset before:  x_t W_h + b_h + (r_t (.) h_{t-1}) U_h          (br_h NULL) */
static tg_tensor *candidate_sum(tg_tape *tape, tg_tensor *x_t, tg_tensor *W_h, tg_tensor *b_h,
                                tg_tensor *r_t, tg_tensor *h_prev, tg_tensor *U_h,
                                tg_tensor *br_h)
{
    tg_tensor *s = tg_matmul(tape, x_t, W_h);
    s = tg_add(tape, s, b_h);
    if (br_h) {
        tg_tensor *u = tg_matmul(tape, h_prev, U_h);
        u = tg_add(tape, u, br_h);
        return tg_add(tape, s, tg_mul(tape, r_t, u));
    }
    tg_tensor *r_h = tg_mul(tape, r_t, h_prev);
    return tg_add(tape, s, tg_matmul(tape, r_h, U_h));
}

void tg_gru_reference_steps(tg_gru_layer *l, tg_tape *tape, tg_tensor *x, tg_tensor *h_0,
                            tg_tensor **h_seq)
{
    const int N = x->shape.dim[0], T = x->shape.dim[1], D = l->D, H = l->H;
    const int reset_after = !l->opts.reset_before;
    /* [W_z | W_r | W_h] = kernel,  [U_z | U_r | U_h] = recurrent_kernel */
    tg_tensor *W_z = block(tape, l->kernel, TG_GRU_Z, H);
    tg_tensor *W_r = block(tape, l->kernel, TG_GRU_R, H);
    tg_tensor *W_h = block(tape, l->kernel, TG_GRU_H, H);
    tg_tensor *U_z = block(tape, l->recurrent_kernel, TG_GRU_Z, H);
    tg_tensor *U_r = block(tape, l->recurrent_kernel, TG_GRU_R, H);
    tg_tensor *U_h = block(tape, l->recurrent_kernel, TG_GRU_H, H);
    /* [[b_z | b_r | b_h], [br_z | br_r | br_h]] = bias (reset_after),
     * [b_z | b_r | b_h] = bias (reset before) */
    tg_tensor *b = reset_after ? bias_row(tape, l->bias, 0) : l->bias;
    tg_tensor *br = reset_after ? bias_row(tape, l->bias, 1) : NULL;
    tg_tensor *b_z = block(tape, b, TG_GRU_Z, H), *b_r = block(tape, b, TG_GRU_R, H);
    tg_tensor *b_h = block(tape, b, TG_GRU_H, H);
    tg_tensor *br_z = br ? block(tape, br, TG_GRU_Z, H) : NULL;
    tg_tensor *br_r = br ? block(tape, br, TG_GRU_R, H) : NULL;
    tg_tensor *br_h = br ? block(tape, br, TG_GRU_H, H) : NULL;

    tg_tensor *h_prev = h_0;
    for (int t = 0; t < T; t++) {
        tg_tensor *x_t = tg_reshape(tape, tg_slice(tape, x, 1, t, 1, 1), TG_SHAPE(N, D));

        /* z_t = \sigma(x_t W_z + b_z + h_{t-1} U_z [+ br_z]) */
        tg_tensor *z_t = tg_sigmoid(tape, gate_sum(tape, x_t, W_z, b_z, h_prev, U_z, br_z));
        /* r_t = \sigma(x_t W_r + b_r + h_{t-1} U_r [+ br_r]) */
        tg_tensor *r_t = tg_sigmoid(tape, gate_sum(tape, x_t, W_r, b_r, h_prev, U_r, br_r));
        /* \tilde{h}_t = \tanh(x_t W_h + b_h + r_t \odot (h_{t-1} U_h + br_h))   reset_after
         * \tilde{h}_t = \tanh(x_t W_h + b_h + (r_t \odot h_{t-1}) U_h)         reset before */
        tg_tensor *h_tilde =
            tg_tanh(tape, candidate_sum(tape, x_t, W_h, b_h, r_t, h_prev, U_h, br_h));
        /* h_t = z_t \odot h_{t-1} + (1 - z_t) \odot \tilde{h}_t */
        tg_tensor *z_h = tg_mul(tape, z_t, h_prev);
        tg_tensor *h_t =
            tg_add(tape, z_h, tg_mul(tape, tg_add_scalar(tape, tg_neg(tape, z_t), 1), h_tilde));

        h_seq[t] = h_t;
        h_prev = h_t;
    }
}
