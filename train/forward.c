#include "train/internal/micro_batches.h"

tg_tensor *tg_layers_forward(const tg_model *m, tg_tape *tape, tg_tensor *x, int training,
                             tg_tensor **outputs)
{
    if (m->n_layers == 0)
        tg_fatal("model: forward through a model without layers");
    for (int i = 0; i < m->n_layers; i++)
        x = outputs[i] = tg_layer_forward(m->layers[i], tape, x, training);
    return x;
}
