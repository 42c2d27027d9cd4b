/* tg_model_summary: the table Keras prints for model.summary(). */
#include <stdio.h>
#include <string.h>

#include "train/train.h"

static void rule(FILE *out, char c)
{
    for (int i = 0; i < 65; i++)
        fputc(c, out);
    fputc('\n', out);
}

/* "(None, 98, 32)": the batch axis is None, as Keras prints it. */
static void batch_shape_str(tg_shape s, char *buf, size_t len)
{
    int w = snprintf(buf, len, "(None");
    for (int i = 0; i < s.ndim && w > 0 && (size_t)w < len; i++)
        w += snprintf(buf + w, len - (size_t)w, ", %d", s.dim[i]);
    if (w > 0 && (size_t)w < len)
        snprintf(buf + w, len - (size_t)w, ")");
}

void tg_model_summary(const tg_model *m, FILE *out)
{
    fprintf(out, "Model: \"sequential\"\n");
    rule(out, '_');
    fprintf(out, " %-28s %-25s %-9s\n", "Layer (type)", "Output Shape", "Param #");
    rule(out, '=');
    for (int i = 0; i < m->n_layers; i++) {
        const tg_layer *l = m->layers[i];
        char name[TG_LAYER_NAME_LEN + 40], shape[TG_SHAPE_STR_LEN];
        snprintf(name, sizeof name, "%s (%s)", l->name, l->ops->kind);
        batch_shape_str(l->output_shape, shape, sizeof shape);
        fprintf(out, " %-28s %-25s %-9zu\n", name, shape, tg_layer_param_count(l));
        if (i + 1 < m->n_layers)
            fprintf(out, "\n");
    }
    rule(out, '=');
    const size_t total = tg_model_param_count(m);
    fprintf(out, "Total params: %zu (%.2f KB)\n", total, (double)(total * sizeof(tg_real)) / 1024);
    fprintf(out, "Trainable params: %zu\n", total);
    fprintf(out, "Non-trainable params: 0\n");
    rule(out, '_');
}
