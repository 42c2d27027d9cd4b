#include "train/train.h"

#include <stdlib.h>
#include <string.h>

#include "autograd/autograd.h"
#include "train/internal/micro_batches.h"

/* The shuffling stream is the seed's too, but apart from the weights', so
 * adding a layer does not change the order of the samples. */
#define TG_SHUFFLE_STREAM 0x9e3779b97f4a7c15ULL

tg_model *tg_model_new(tg_shape input_shape, uint64_t seed)
{
    for (int i = 0; i < input_shape.ndim; i++)
        if (input_shape.dim[i] < 1) {
            char s[TG_SHAPE_STR_LEN];
            tg_fatal("model: input shape %s has an axis < 1", tg_shape_str(input_shape, s, sizeof s));
        }
    if (input_shape.ndim < 1 || input_shape.ndim > TG_MAX_DIMS - 1)
        tg_fatal("model: a per-sample input shape has 1 to %d axes, got %d", TG_MAX_DIMS - 1,
                 input_shape.ndim);
    tg_model *m = tg_xcalloc(1, sizeof *m, "model");
    m->input_shape = m->output_shape = input_shape;
    m->seed = seed;
    tg_rng_seed(&m->init_rng, seed);
    tg_rng_seed(&m->shuffle_rng, seed ^ TG_SHUFFLE_STREAM);
    m->tape = tg_tape_new();
    m->micro_batches = TG_MICRO_BATCHES;
    return m;
}

void tg_model_free(tg_model *m)
{
    if (!m)
        return;
    for (int i = 0; i < m->n_layers; i++)
        tg_layer_free(m->layers[i]);
    tg_optimizer_free(m->optimizer);
    tg_tape_free(m->tape);
    tg_micro_batches_free(m->micro);
    free(m);
}

tg_layer *tg_model_layer(const tg_model *m, const char *name)
{
    for (int i = 0; i < m->n_layers; i++)
        if (strcmp(m->layers[i]->name, name) == 0)
            return m->layers[i];
    return NULL;
}

/* Keras's rule: the first "dense" keeps its name, the next are dense_1, ... */
static void make_name_unique(const tg_model *m, tg_layer *layer)
{
    if (!tg_model_layer(m, layer->name))
        return;
    char base[TG_LAYER_NAME_LEN];
    snprintf(base, sizeof base, "%s", layer->name);
    for (int k = 1;; k++) {
        char name[TG_LAYER_NAME_LEN + 16];
        snprintf(name, sizeof name, "%s_%d", base, k);
        if (strlen(name) >= TG_LAYER_NAME_LEN)
            tg_fatal("model: no unique name left for layer %s", base);
        if (!tg_model_layer(m, name)) {
            memcpy(layer->name, name, strlen(name) + 1); /* fits: checked above */
            return;
        }
    }
}

tg_layer *tg_model_add(tg_model *m, tg_layer *layer)
{
    if (m->n_layers == TG_MODEL_MAX_LAYERS)
        tg_fatal("model: more than %d layers", TG_MODEL_MAX_LAYERS);
    for (int i = 0; i < m->n_layers; i++)
        if (m->layers[i] == layer)
            tg_fatal("model: layer %s added twice", layer->name);
    make_name_unique(m, layer);
    m->output_shape = tg_layer_build(layer, m->output_shape, &m->init_rng);
    m->regularizer[m->n_layers] = (tg_regularizer){0, 0};
    m->layers[m->n_layers++] = layer;
    for (int i = 0; i < layer->n_params; i++)
        m->params[m->n_params++] = layer->params[i];
    return layer;
}

void tg_model_regularize(tg_model *m, tg_layer *layer, tg_regularizer r)
{
    for (int i = 0; i < m->n_layers; i++) {
        if (m->layers[i] == layer) {
            if (r.l1 < 0 || r.l2 < 0)
                tg_fatal("model: regularizer of %s: l1 %g and l2 %g must not be negative",
                         layer->name, r.l1, r.l2);
            m->regularizer[i] = r;
            return;
        }
    }
    tg_fatal("model: regularize: layer %s is not in this model", layer->name);
}

void tg_model_compile(tg_model *m, tg_optimizer *opt, tg_loss loss, tg_metric metric)
{
    if (!opt)
        tg_fatal("model: compile without an optimizer");
    tg_loss_name(loss); /* stops on an unknown loss */
    if (m->optimizer && m->optimizer != opt)
        tg_optimizer_free(m->optimizer);
    m->optimizer = opt;
    m->loss = loss;
    m->n_metrics = 0;
    m->compiled = 1;
    tg_model_add_metric(m, metric);
}

void tg_model_add_metric(tg_model *m, tg_metric metric)
{
    if (m->n_metrics == TG_MODEL_MAX_METRICS)
        tg_fatal("model: more than %d metrics", TG_MODEL_MAX_METRICS);
    tg_metric_name(metric); /* stops on an unknown metric */
    m->metrics[m->n_metrics++] = metric;
}

tg_tensor *tg_model_forward(tg_model *m, tg_tape *tape, tg_tensor *x, int training)
{
    return tg_layers_forward(m, tape, x, training, m->outputs);
}

tg_tensor *tg_model_loss(tg_model *m, tg_tape *tape, tg_tensor *pred, tg_tensor *target)
{
    if (!m->compiled)
        tg_fatal("model: loss of a model not compiled (call tg_model_compile)");
    tg_tensor *loss = tg_loss_compute(tape, m->loss, pred, target);
    for (int i = 0; i < m->n_layers; i++) {
        tg_tensor *penalty = tg_regularizer_penalty(tape, m->layers[i], m->regularizer[i]);
        if (penalty)
            loss = tg_add(tape, loss, penalty);
    }
    return loss;
}

tg_tensor *tg_model_predict(tg_model *m, const tg_tensor *x, int batch_size)
{
    if (x->shape.ndim != m->input_shape.ndim + 1 || x->shape.dim[0] < 1) {
        char s[TG_SHAPE_STR_LEN], e[TG_SHAPE_STR_LEN];
        tg_fatal("model: predict on x of shape %s, the model takes (N, ...) = %s",
                 tg_shape_str(x->shape, s, sizeof s), tg_shape_str(m->input_shape, e, sizeof e));
    }
    const int n = x->shape.dim[0];
    if (batch_size <= 0 || batch_size > n)
        batch_size = n;
    tg_shape out_shape = {m->output_shape.ndim + 1, {n}};
    for (int i = 0; i < m->output_shape.ndim; i++)
        out_shape.dim[i + 1] = m->output_shape.dim[i];
    /* out is made after the first batch's forward: an input the layers
     * refuse stops there, and a tg_fatal_catch around predict loses nothing. */
    tg_tensor *out = NULL;
    const size_t in_row = x->size / (size_t)n, out_row = tg_shape_size(out_shape) / (size_t)n;
    tg_tape_no_grad_begin(m->tape);
    for (int start = 0; start < n; start += batch_size) {
        const int count = start + batch_size <= n ? batch_size : n - start;
        tg_tape_reset(m->tape);
        tg_shape bs = x->shape;
        bs.dim[0] = count;
        tg_tensor *xb = tg_tape_tensor(m->tape, bs);
        memcpy(xb->data, x->data + (size_t)start * in_row, (size_t)count * in_row * sizeof(tg_real));
        tg_tensor *yb = tg_micro_batches_infer(m, xb);
        if (!out)
            out = tg_tensor_new(out_shape);
        memcpy(out->data + (size_t)start * out_row, yb->data,
               (size_t)count * out_row * sizeof(tg_real));
    }
    tg_tape_reset(m->tape);
    tg_tape_no_grad_end(m->tape);
    return out;
}

size_t tg_model_param_count(const tg_model *m)
{
    size_t n = 0;
    for (int i = 0; i < m->n_layers; i++)
        n += tg_layer_param_count(m->layers[i]);
    return n;
}

void tg_model_zero_grad(tg_model *m)
{
    for (int i = 0; i < m->n_params; i++)
        tg_tensor_zero_grad(m->params[i]);
}

/* The layer of a path "layer/param" (split at its first '/'), or NULL when
 * there is no '/' or no such layer; *param points at the parameter's name. */
static tg_layer *layer_of_path(const tg_model *m, const char *path, const char **param)
{
    const char *slash = strchr(path, '/');
    if (!slash || slash - path >= TG_LAYER_NAME_LEN)
        return NULL;
    char name[TG_LAYER_NAME_LEN];
    memcpy(name, path, (size_t)(slash - path));
    name[slash - path] = '\0';
    *param = slash + 1;
    return tg_model_layer(m, name);
}

tg_tensor *tg_model_param(const tg_model *m, const char *path)
{
    const char *param;
    const tg_layer *layer = layer_of_path(m, path, &param);
    return layer ? tg_layer_param(layer, param) : NULL;
}

tg_status tg_model_set_param(tg_model *m, const char *path, const tg_tensor *value)
{
    const char *param;
    tg_layer *layer = layer_of_path(m, path, &param);
    if (layer)
        return tg_layer_set_param(layer, param, value);
    if (!strchr(path, '/'))
        return tg_status_error("model: parameter \"%s\" is not named layer/param "
                               "(\"dense/kernel\", \"lstm/W_xi\")",
                               path);
    char names[TG_MODEL_MAX_LAYERS * (TG_LAYER_NAME_LEN + 2)] = "";
    for (int i = 0; i < m->n_layers; i++) {
        size_t at = strlen(names);
        snprintf(names + at, sizeof names - at, "%s%s", i ? ", " : "", m->layers[i]->name);
    }
    return tg_status_error("model: parameter \"%s\": no layer named \"%.*s\" (the layers: %s)", path,
                           (int)(strchr(path, '/') - path), path, m->n_layers ? names : "none");
}

void tg_model_set_path(tg_model *m, tg_path path)
{
    if (path != TG_PATH_FUSED && path != TG_PATH_REFERENCE)
        tg_fatal("model: set_path: unknown path %d (TG_PATH_FUSED or TG_PATH_REFERENCE)", (int)path);
    for (int i = 0; i < m->n_layers; i++)
        m->layers[i]->path = path;
}
