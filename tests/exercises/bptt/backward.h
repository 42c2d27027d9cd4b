/* A correct backpropagation through two LSTM steps (exercise 6), with the
 * planted mistakes of this folder as switches (each planted file defines
 * one PLANT_... and includes this file): step 2 first, from the loss's
 * dh_2 and dc_2; then step 1 from dh_1 + what step 2 sent to h_1, and what
 * step 2 sent to c_1; the parameters' gradients added over both. */
#include "exercises/exercises.h"

void ex_lstm_bptt2_backward(const ex_lstm_params *p, const ex_lstm_step s[2],
                            const tg_tensor *const dh[2], const tg_tensor *dc_2,
                            ex_lstm_params *d, tg_tensor *const dx[2], tg_tensor *dh_0,
                            tg_tensor *dc_0)
{
    tg_tensor *dh_1 = tg_tensor_zeros(dh[0]->shape), *dc_1 = tg_tensor_zeros(dh[0]->shape);
    ex_lstm_step_backward(p, &s[1], dh[1], dc_2, d, dx[1], dh_1, dc_1);
#ifndef PLANT_NO_LOSS_GRADIENT_AT_STEP_1
    for (size_t k = 0; k < dh_1->size; k++)
        dh_1->data[k] += dh[0]->data[k];
#endif
#ifdef PLANT_DC_NOT_CARRIED
    tg_tensor_fill(dc_1, 0);
#endif
#ifdef PLANT_PARAMETERS_OVERWRITTEN
    tg_tensor *all[] = {d->W_xi, d->W_xf, d->W_xc, d->W_xo, d->W_hi, d->W_hf, d->W_hc, d->W_ho,
                        d->W_ci, d->W_cf, d->W_cc, d->W_co, d->b_i,  d->b_f,  d->b_c,  d->b_o};
    for (size_t k = 0; k < sizeof all / sizeof all[0]; k++)
        tg_tensor_fill(all[k], 0);
#endif
    ex_lstm_step_backward(p, &s[0], dh_1, dc_1, d, dx[0], dh_0, dc_0);
    tg_tensor_free(dh_1);
    tg_tensor_free(dc_1);
}
