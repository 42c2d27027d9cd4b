#include "train/train.h"

#include "train/internal/micro_batches.h"

/* Forward, loss, backward and the finite checks of the batch whole, on m->tape. */
static tg_status whole_batch_gradient(tg_model *m, tg_tensor *x, tg_tensor *y, double *loss)
{
    tg_tensor *pred = tg_model_forward(m, m->tape, x, 1);
    tg_tensor *l = tg_model_loss(m, m->tape, pred, y);
    *loss = (double)l->data[0];
    tg_status st = tg_model_check_forward(m, *loss);
    if (!tg_is_ok(&st))
        return st;
    tg_model_zero_grad(m);
    tg_tape_backward(m->tape, l);
    return tg_model_check_gradients(m);
}

tg_status tg_model_train_step(tg_model *m, tg_tensor *x, tg_tensor *y, double clip_norm,
                              double *loss)
{
    tg_status st = tg_micro_batches_split(m, x, y) ? tg_micro_batches_gradient(m, x, y, loss)
                                                   : whole_batch_gradient(m, x, y, loss);
    if (!tg_is_ok(&st))
        return st;
    if (clip_norm > 0)
        tg_clip_grad_norm(m->params, m->n_params, clip_norm);
    tg_optimizer_step(m->optimizer, m->params, m->n_params);
    st = tg_model_check_weights(m);
    return tg_is_ok(&st) ? st : tg_status_error("%s after the optimizer step", st.msg);
}
