/* tg_model_summary: the table Keras prints for model.summary(). A wrapper
 * (Bidirectional, TimeDistributed) is one row, as in Keras, with its
 * parameter count the sum of its layers'; the layers it holds follow it,
 * indented, each with its own output shape and count (Keras's
 * expand_nested), so that the reader sees what is inside. */
#include <stdio.h>
#include <string.h>

#include "train/train.h"

/* The name column is as wide as Keras's (28) unless a name needs more. */
#define NAME_WIDTH 28
#define SHAPE_WIDTH 25
#define INDENT 2

static void rule(FILE *out, char c, int name_width)
{
    for (int i = 0; i < 65 + name_width - NAME_WIDTH; i++)
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

/* "lstm (LSTM)", indented by depth. */
static int row_name(const tg_layer *l, int depth, char *buf, size_t len)
{
    return snprintf(buf, len, "%*s%s (%s)", depth * INDENT, "", l->name, l->ops->kind);
}

static int widest_name(const tg_layer *l, int depth)
{
    char name[TG_LAYER_NAME_LEN + 64];
    int w = row_name(l, depth, name, sizeof name);
    for (int i = 0; i < l->n_inner; i++) {
        const int inner = widest_name(l->inner[i], depth + 1);
        w = inner > w ? inner : w;
    }
    return w;
}

static void print_rows(FILE *out, const tg_layer *l, int depth, int name_width)
{
    char name[TG_LAYER_NAME_LEN + 64], shape[TG_SHAPE_STR_LEN + 8];
    row_name(l, depth, name, sizeof name);
    batch_shape_str(l->output_shape, shape, sizeof shape);
    fprintf(out, " %-*s %-*s %-9zu\n", name_width, name, SHAPE_WIDTH, shape,
            tg_layer_param_count(l));
    for (int i = 0; i < l->n_inner; i++)
        print_rows(out, l->inner[i], depth + 1, name_width);
}

void tg_model_summary(const tg_model *m, FILE *out)
{
    int name_width = NAME_WIDTH;
    for (int i = 0; i < m->n_layers; i++) {
        const int w = widest_name(m->layers[i], 0);
        name_width = w > name_width ? w : name_width;
    }
    fprintf(out, "Model: \"sequential\"\n");
    rule(out, '_', name_width);
    fprintf(out, " %-*s %-*s %-9s\n", name_width, "Layer (type)", SHAPE_WIDTH, "Output Shape",
            "Param #");
    rule(out, '=', name_width);
    for (int i = 0; i < m->n_layers; i++) {
        print_rows(out, m->layers[i], 0, name_width);
        if (i + 1 < m->n_layers)
            fprintf(out, "\n");
    }
    rule(out, '=', name_width);
    const size_t total = tg_model_param_count(m);
    fprintf(out, "Total params: %zu (%.2f KB)\n", total, (double)(total * sizeof(tg_real)) / 1024);
    fprintf(out, "Trainable params: %zu\n", total);
    fprintf(out, "Non-trainable params: 0\n");
    rule(out, '_', name_width);
}
