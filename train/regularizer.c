#include "train/train.h"

#include "autograd/autograd.h"

static tg_tensor *add_term(tg_tape *tape, tg_tensor *total, tg_tensor *term)
{
    return total ? tg_add(tape, total, term) : term;
}

tg_tensor *tg_regularizer_penalty(tg_tape *tape, const tg_layer *layer, tg_regularizer r)
{
    if (r.l1 < 0 || r.l2 < 0)
        tg_fatal("regularizer of %s: l1 %g and l2 %g must not be negative", layer->name, r.l1, r.l2);
    tg_tensor *total = NULL;
    for (int i = 0; i < layer->n_params; i++) {
        if (!layer->is_kernel[i])
            continue;
        tg_tensor *w = layer->params[i];
        if (r.l1 > 0)
            /* l1 sum_k |w_k| */
            total = add_term(tape, total, tg_scale(tape, tg_sum(tape, tg_abs(tape, w)), (tg_real)r.l1));
        if (r.l2 > 0)
            /* l2 sum_k w_k^2 */
            total = add_term(tape, total, tg_scale(tape, tg_sum(tape, tg_mul(tape, w, w)), (tg_real)r.l2));
    }
    return total;
}
