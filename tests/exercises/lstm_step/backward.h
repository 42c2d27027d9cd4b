/* A correct backward of one step of the document's LSTM (exercise 5), with
 * the planted mistakes of this folder as switches: each planted file
 * defines one PLANT_... and includes this file, so the mistake is the only
 * difference. Walks the six equations backwards, last first:
 *
 *     da_o = dh tanh(c_t) o (1 - o)
 *     dc_t = dh o (1 - tanh^2 c_t) + da_o W_co + dc         (every path into c_t)
 *     da_i = dc_t c~ i (1 - i),  da_f = dc_t c_{t-1} f (1 - f),  da_c = dc_t i (1 - c~^2)
 *     dc_{t-1} = dc_t f + da_i W_ci + da_f W_cf + da_c W_cc
 *
 * then every W_x, W_h, b from the da_g, and dx, dh_{t-1} through them. */
#include "exercises/exercises.h"

void ex_lstm_step_backward(const ex_lstm_params *p, const ex_lstm_step *s, const tg_tensor *dh,
                           const tg_tensor *dc, ex_lstm_params *d, tg_tensor *dx,
                           tg_tensor *dh_prev, tg_tensor *dc_prev)
{
    const int N = s->x->shape.dim[0], D = s->x->shape.dim[1], H = s->h->shape.dim[1];
    /* The gradients of the gates' arguments a_i, a_f, a_c, a_o. */
    tg_tensor *da[4];
    for (int g = 0; g < 4; g++)
        da[g] = tg_tensor_zeros(TG_SHAPE(N, H));
    for (int n = 0; n < N; n++)
        for (int u = 0; u < H; u++) {
            const tg_real i = TG_AT(s->i, n, u), f = TG_AT(s->f, n, u);
            const tg_real ct = TG_AT(s->c_tilde, n, u), o = TG_AT(s->o, n, u);
            const tg_real tc = TG_AT(s->tanh_c, n, u), c_prev = TG_AT(s->c_prev, n, u);
            const tg_real g_h = TG_AT(dh, n, u);
            const tg_real a_o = g_h * tc * o * (1 - o);
#ifdef PLANT_NO_PEEPHOLE_PATH_INTO_C
            const tg_real g_c = g_h * o * (1 - tc * tc) + TG_AT(dc, n, u);
#else
            const tg_real g_c = g_h * o * (1 - tc * tc) + a_o * TG_AT(p->W_co, u) + TG_AT(dc, n, u);
#endif
            const tg_real a_i = g_c * ct * i * (1 - i);
            const tg_real a_f = g_c * c_prev * f * (1 - f);
#ifdef PLANT_CANDIDATE_SIGMOID_DERIVATIVE
            const tg_real a_c = g_c * i * ct * (1 - ct);
#else
            const tg_real a_c = g_c * i * (1 - ct * ct);
#endif
            TG_AT(da[0], n, u) = a_i;
            TG_AT(da[1], n, u) = a_f;
            TG_AT(da[2], n, u) = a_c;
            TG_AT(da[3], n, u) = a_o;
#ifdef PLANT_NO_W_CC_IN_DC_PREV
            TG_AT(dc_prev, n, u) += g_c * f + a_i * TG_AT(p->W_ci, u) + a_f * TG_AT(p->W_cf, u);
#else
            TG_AT(dc_prev, n, u) += g_c * f + a_i * TG_AT(p->W_ci, u) + a_f * TG_AT(p->W_cf, u) +
                                    a_c * TG_AT(p->W_cc, u);
#endif
            TG_AT(d->W_ci, u) += a_i * c_prev;
            TG_AT(d->W_cf, u) += a_f * c_prev;
            TG_AT(d->W_cc, u) += a_c * c_prev;
#ifdef PLANT_W_CO_SEES_C_PREV
            TG_AT(d->W_co, u) += a_o * c_prev;
#else
            TG_AT(d->W_co, u) += a_o * TG_AT(s->c, n, u);
#endif
        }
    const tg_tensor *W_x[4] = {p->W_xi, p->W_xf, p->W_xc, p->W_xo};
    const tg_tensor *W_h[4] = {p->W_hi, p->W_hf, p->W_hc, p->W_ho};
    tg_tensor *dW_x[4] = {d->W_xi, d->W_xf, d->W_xc, d->W_xo};
    tg_tensor *dW_h[4] = {d->W_hi, d->W_hf, d->W_hc, d->W_ho};
    tg_tensor *db[4] = {d->b_i, d->b_f, d->b_c, d->b_o};
    for (int g = 0; g < 4; g++) {
        for (int n = 0; n < N; n++)
            for (int u = 0; u < H; u++) {
                const tg_real a = TG_AT(da[g], n, u);
                TG_AT(db[g], u) += a;
                for (int k = 0; k < D; k++) {
                    TG_AT(dW_x[g], k, u) += TG_AT(s->x, n, k) * a;
                    TG_AT(dx, n, k) += a * TG_AT(W_x[g], k, u);
                }
                for (int v = 0; v < H; v++) {
                    TG_AT(dW_h[g], v, u) += TG_AT(s->h_prev, n, v) * a;
                    TG_AT(dh_prev, n, v) += a * TG_AT(W_h[g], v, u);
                }
            }
        tg_tensor_free(da[g]);
    }
}
