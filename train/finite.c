/* Where a NaN or an Inf first appeared in a step: in a layer's output, in a
 * gradient, in a weight. When all is well a check reads only what decides
 * the step (the loss, the parameters' gradients, the weights): the layers'
 * outputs and the gradients between them are searched only once something
 * is not finite, to name the place. */
#include "train/train.h"

#include <math.h>

#include "train/internal/finite.h"

/* One pass with no early exit, so that it vectorises: x - x is 0 for a
 * finite x and NaN for a NaN or an infinity, and a NaN anywhere makes the
 * sum NaN. */
int tg_all_finite(const tg_real *v, size_t n)
{
    tg_real sum = 0;
#pragma omp simd reduction(+ : sum)
    for (size_t k = 0; k < n; k++)
        sum += v[k] - v[k];
    return sum == 0;
}

/* A tensor (NULL: an output a split step did not keep) whose gradient
 * exists and holds a NaN or an Inf. */
static int bad_grad(const tg_tensor *t)
{
    return t && t->grad && !tg_all_finite(t->grad, t->size);
}

/* The first layer output, in forward order, that holds a NaN or an Inf
 * (skipping the outputs a split step did not keep: NULL). */
static tg_status search_outputs(const tg_model *m)
{
    for (int l = 0; l < m->n_layers; l++)
        if (m->outputs[l] && !tg_all_finite(m->outputs[l]->data, m->outputs[l]->size))
            return tg_status_error("first NaN/Inf in the output of layer %s", m->layers[l]->name);
    return tg_status_ok();
}

/* The first layer, in backward order (last layer first), whose backward
 * made a NaN or an Inf in a parameter's gradient or in the gradient it
 * passes to the layer before; the gradient arriving at the last layer
 * comes from the loss. */
static tg_status search_gradients(const tg_model *m)
{
    if (bad_grad(m->outputs[m->n_layers - 1]))
        return tg_status_error("first NaN/Inf in the gradient of the loss");
    for (int l = m->n_layers - 1; l >= 0; l--) {
        const tg_layer *layer = m->layers[l];
        int bad = l > 0 && bad_grad(m->outputs[l - 1]);
        for (int i = 0; i < layer->n_params && !bad; i++)
            bad = bad_grad(layer->params[i]);
        if (bad)
            return tg_status_error("first NaN/Inf in the backward pass of layer %s", layer->name);
    }
    return tg_status_ok();
}

tg_status tg_model_check_forward(const tg_model *m, double loss)
{
    if (isfinite(loss))
        return tg_status_ok();
    const tg_status st = search_outputs(m);
    return tg_is_ok(&st) ? tg_status_error("first NaN/Inf in the loss (every layer's output is "
                                           "finite)")
                         : st;
}

tg_status tg_model_check_gradients(const tg_model *m)
{
    int bad = 0;
    for (int i = 0; i < m->n_params && !bad; i++)
        bad = bad_grad(m->params[i]);
    if (!bad)
        return tg_status_ok();
    /* Where it came from: a NaN made in the forward pass is named there. */
    const tg_status st = search_outputs(m);
    return tg_is_ok(&st) ? search_gradients(m) : st;
}

tg_status tg_model_check_weights(const tg_model *m)
{
    for (int l = 0; l < m->n_layers; l++) {
        const tg_layer *layer = m->layers[l];
        for (int i = 0; i < layer->n_params; i++)
            if (!tg_all_finite(layer->params[i]->data, layer->params[i]->size))
                return tg_status_error("NaN/Inf in parameter %s of layer %s",
                                       layer->params[i]->name, layer->name);
    }
    return tg_status_ok();
}
