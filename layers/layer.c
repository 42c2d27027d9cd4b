#include "layers/layers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void tg_layer_init(tg_layer *layer, const tg_layer_ops *ops, const char *default_name)
{
    memset(layer, 0, sizeof *layer);
    layer->ops = ops;
    snprintf(layer->name, sizeof layer->name, "%s", default_name);
}

tg_shape tg_layer_build(tg_layer *layer, tg_shape input, tg_rng *rng)
{
    if (layer->built)
        tg_fatal("%s: built twice", layer->name);
    layer->input_shape = input;
    layer->output_shape = layer->ops->build(layer, input, rng);
    layer->built = 1;
    return layer->output_shape;
}

tg_tensor *tg_layer_forward(tg_layer *layer, tg_tape *tape, tg_tensor *x, int training)
{
    if (!layer->built)
        tg_fatal("%s: forward before build", layer->name);
    int fits = x->shape.ndim == layer->input_shape.ndim + 1;
    for (int i = 0; fits && i < layer->input_shape.ndim; i++)
        fits = x->shape.dim[i + 1] == layer->input_shape.dim[i];
    if (!fits) {
        char got[TG_SHAPE_STR_LEN], want[TG_SHAPE_STR_LEN + 8] = "(N";
        for (int i = 0; i < layer->input_shape.ndim; i++) {
            size_t at = strlen(want);
            snprintf(want + at, sizeof want - at, ", %d", layer->input_shape.dim[i]);
        }
        strncat(want, ")", sizeof want - strlen(want) - 1);
        tg_fatal("%s: input of shape %s does not fit this %s, which expects %s", layer->name,
                 tg_shape_str(x->shape, got, sizeof got), layer->ops->kind, want);
    }
    return layer->ops->forward(layer, tape, x, training);
}

size_t tg_layer_param_count(const tg_layer *layer)
{
    size_t n = 0;
    for (int i = 0; i < layer->n_params; i++)
        n += layer->params[i]->size;
    return n;
}

int tg_layer_keeps_state(const tg_layer *layer)
{
    int keeps = layer->keeps_state;
    for (int i = 0; i < layer->n_inner; i++)
        keeps |= tg_layer_keeps_state(layer->inner[i]);
    return keeps;
}

tg_tensor *tg_layer_add_param(tg_layer *layer, const char *name, tg_shape shape, int is_kernel)
{
    if (layer->n_params >= TG_LAYER_MAX_PARAMS)
        tg_fatal("%s: more than %d parameters", layer->name, TG_LAYER_MAX_PARAMS);
    tg_tensor *p = tg_tensor_new(shape);
    tg_tensor_requires_grad(p);
    p->name = name;
    layer->is_kernel[layer->n_params] = is_kernel;
    layer->params[layer->n_params++] = p;
    return p;
}

void tg_layer_free(tg_layer *layer)
{
    if (!layer)
        return;
    for (int i = 0; i < layer->n_params; i++)
        tg_tensor_free(layer->params[i]);
    if (layer->ops->destroy)
        layer->ops->destroy(layer);
    free(layer);
}

tg_layer *tg_layer_expect(const tg_layer *layer, const char *kind, const char *op)
{
    if (strcmp(layer->ops->kind, kind) != 0)
        tg_fatal("%s: %s is a %s layer, not %s", op, layer->name, layer->ops->kind, kind);
    if (!layer->built)
        tg_fatal("%s: %s is not built yet (tg_layer_build first)", op, layer->name);
    return (tg_layer *)layer;
}

tg_tensor *tg_layer_param(const tg_layer *layer, const char *name)
{
    for (int i = 0; i < layer->n_params; i++)
        if (strcmp(layer->params[i]->name, name) == 0)
            return layer->params[i];
    return NULL;
}

/* "kernel, bias" into buf: what a layer has, for the message of a name it has not. */
static void param_names(const tg_layer *layer, char *buf, size_t len)
{
    buf[0] = '\0';
    for (int i = 0; i < layer->n_params; i++) {
        size_t at = strlen(buf);
        snprintf(buf + at, len - at, "%s%s", i ? ", " : "", layer->params[i]->name);
    }
}

tg_status tg_layer_set_param(tg_layer *layer, const char *name, const tg_tensor *value)
{
    tg_tensor *p = tg_layer_param(layer, name);
    if (!p && !layer->built)
        return tg_status_error("%s/%s: %s is not built yet, so it has no parameters", layer->name,
                               name, layer->name);
    if (!p) {
        char names[TG_LAYER_MAX_PARAMS * TG_LAYER_NAME_LEN];
        param_names(layer, names, sizeof names);
        return tg_status_error("%s/%s: no such parameter (this %s has %s)", layer->name, name,
                               layer->ops->kind, layer->n_params ? names : "none");
    }
    if (!tg_shape_equal(p->shape, value->shape)) {
        char want[TG_SHAPE_STR_LEN], got[TG_SHAPE_STR_LEN];
        return tg_status_error("%s/%s: a value of shape %s does not fit the parameter's shape %s",
                               layer->name, name, tg_shape_str(value->shape, got, sizeof got),
                               tg_shape_str(p->shape, want, sizeof want));
    }
    if (value != p)
        tg_tensor_copy_data(p, value);
    return tg_status_ok();
}
