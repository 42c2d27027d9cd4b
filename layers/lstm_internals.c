/* Keeping an LSTM's internals from its last forward (i_t, f_t, \tilde{c}_t,
 * o_t, c_t, h_t per sequence, step and unit), for pictures of the gates
 * over time: both paths copy what they computed here when asked. */
#include "layers/internal/lstm_layer.h"

#include <string.h>

static tg_tensor **kept_tensors(tg_lstm_internals *k, int g)
{
    tg_tensor **all[] = {&k->i, &k->f, &k->c_tilde, &k->o, &k->c, &k->h};
    return all[g];
}
enum { KEPT = 6 };

tg_lstm_internals *tg_lstm_kept(tg_lstm_layer *l, int N, int T)
{
    if (!l->keep_internals)
        return NULL;
    const tg_shape shape = TG_SHAPE(N, T, l->H);
    for (int g = 0; g < KEPT; g++) {
        tg_tensor **t = kept_tensors(&l->kept, g);
        if (*t && !tg_shape_equal((*t)->shape, shape)) {
            tg_tensor_free(*t);
            *t = NULL;
        }
        if (!*t)
            *t = tg_tensor_new(shape);
    }
    return &l->kept;
}

void tg_lstm_keep_step(tg_lstm_internals *kept, int t, const tg_tensor *i_t, const tg_tensor *f_t,
                       const tg_tensor *c_tilde, const tg_tensor *o_t, const tg_tensor *c_t,
                       const tg_tensor *h_t)
{
    const tg_tensor *step[KEPT] = {i_t, f_t, c_tilde, o_t, c_t, h_t};
    const int N = kept->i->shape.dim[0], T = kept->i->shape.dim[1], H = kept->i->shape.dim[2];
    for (int g = 0; g < KEPT; g++) {
        tg_tensor *dst = *kept_tensors(kept, g);
        for (int n = 0; n < N; n++)
            memcpy(dst->data + ((size_t)n * T + (size_t)t) * H, step[g]->data + (size_t)n * H,
                   (size_t)H * sizeof(tg_real));
    }
}

void tg_lstm_keep_internals(tg_layer *lstm, int keep)
{
    tg_lstm_layer_of(lstm, "lstm_keep_internals")->keep_internals = keep != 0;
    lstm->keeps_state = keep != 0;
}

const tg_lstm_internals *tg_lstm_internals_of(const tg_layer *lstm)
{
    const tg_lstm_layer *l = tg_lstm_layer_of(lstm, "lstm_internals_of");
    return l->kept.i ? &l->kept : NULL;
}

void tg_lstm_internals_free(tg_lstm_internals *kept)
{
    for (int g = 0; g < KEPT; g++)
        tg_tensor_free(*kept_tensors(kept, g));
}
