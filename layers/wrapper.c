/* The wrappers' common part: holding inner layers and adopting their
 * parameters (layers/internal/wrapper.h). */
#include "layers/internal/wrapper.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tensor/tensor.h"

void tg_wrapper_hold(tg_layer *self, tg_layer *inner, const char *op)
{
    if (!inner)
        tg_fatal("%s: no layer to wrap (NULL)", op);
    if (inner->built)
        tg_fatal("%s: %s is already built; wrap a fresh layer (the wrapper builds it)", op,
                 inner->name);
    for (int i = 0; i < self->n_inner; i++)
        if (self->inner[i] == inner)
            tg_fatal("%s: %s is wrapped twice (each copy needs a layer of its own)", op,
                     inner->name);
    if (self->n_inner == TG_LAYER_MAX_INNER)
        tg_fatal("%s: more than %d inner layers", op, TG_LAYER_MAX_INNER);
    self->inner[self->n_inner++] = inner;
}

void tg_wrapper_adopt(tg_layer *self, tg_layer *inner, tg_wrapper_param_names names,
                      const char *prefix)
{
    if (self->n_params + inner->n_params > TG_LAYER_MAX_PARAMS)
        tg_fatal("%s: %d parameters of %s do not fit the %d a layer holds", self->name,
                 inner->n_params, inner->name, TG_LAYER_MAX_PARAMS);
    for (int i = 0; i < inner->n_params; i++) {
        const int k = self->n_params++;
        tg_tensor *p = inner->params[i];
        tg_tensor *view = tg_xmalloc(sizeof *view, "wrapper");
        *view = *p; /* shares data and grad; keeps the name */
        inner->params[i] = view;
        if (prefix) {
            snprintf(names[k], sizeof names[k], "%s/%s", prefix, p->name ? p->name : "param");
            p->name = names[k];
        }
        self->params[k] = p;
        self->is_kernel[k] = inner->is_kernel[i];
    }
}

void tg_wrapper_destroy(tg_layer *self)
{
    for (int i = 0; i < self->n_inner; i++) {
        tg_layer *inner = self->inner[i];
        /* views only: the tensors were the wrapper's, and tg_layer_free freed them */
        for (int k = 0; k < inner->n_params; k++)
            free(inner->params[k]);
        inner->n_params = 0;
        tg_layer_free(inner);
    }
    self->n_inner = 0;
}

void tg_wrapper_pass_path(tg_layer *self)
{
    /* Written only when it changes: micro-batches run the same wrapper's
     * forward on several threads at once, and then only read it. */
    for (int i = 0; i < self->n_inner; i++)
        if (self->inner[i]->path != self->path)
            self->inner[i]->path = self->path;
}
