#include "apps/apps.h"

#include "layers/layers.h"
#include "tensor/tensor.h"
#include "apps/internal/gradcheck_cases.h"

/* Adds the layer and its kernel regularizer. */
static tg_layer *add(tg_model *m, tg_layer *layer, tg_regularizer reg)
{
    tg_model_add(m, layer);
    if (reg.l1 > 0 || reg.l2 > 0)
        tg_model_regularize(m, layer, reg);
    return layer;
}

static tg_layer *lstm(int units, int return_sequences, tg_peephole peephole)
{
    return tg_lstm((tg_lstm_opts){.units = units, .return_sequences = return_sequences,
                                  .peephole = peephole});
}

tg_model *tg_series_model(tg_series_arch arch, int T, int D, int binary,
                               tg_app_model_opts o)
{
    if (T < 4 || D < 1)
        tg_fatal("series model: input (%d, %d) needs T >= 4 steps and D >= 1", T, D);
    tg_model *m = tg_model_new(TG_SHAPE(T, D), o.seed);
    tg_layer *conv = tg_conv1d((tg_conv1d_opts){.filters = 32, .kernel = 3, .activation = TG_RELU});
    /* cppcheck 2.10 takes the field .pool for the variable being declared. */
    /* cppcheck-suppress legacyUninitvar */
    tg_layer *pool = tg_maxpool1d((tg_pool1d_opts){.pool = 2});
    if (arch == TG_SERIES_LSTM_CNN) {
        add(m, lstm(32, 1, o.peephole), o.reg);
        add(m, conv, o.reg);
        add(m, pool, o.reg);
    } else {
        add(m, conv, o.reg);
        add(m, pool, o.reg);
        add(m, lstm(64, 1, o.peephole), o.reg);
    }
    add(m, tg_dense(32, TG_RELU), o.reg);
    add(m, tg_dense(1, binary ? TG_SIGMOID : TG_LINEAR), o.reg);
    return m;
}

tg_model *tg_images_model(int rows, int cols, int classes, tg_app_model_opts o)
{
    tg_model *m = tg_model_new(TG_SHAPE(rows, cols, 1), o.seed);
    add(m, tg_conv2d((tg_conv2d_opts){.filters = 32, .kernel = {3, 3}, .activation = TG_RELU}),
        o.reg);
    add(m, tg_maxpool2d((tg_pool2d_opts){.pool = {2, 2}}), o.reg);
    add(m, tg_rows_as_steps(), o.reg);
    add(m, lstm(64, 0, o.peephole), o.reg);
    add(m, tg_dense(32, TG_RELU), o.reg);
    add(m, tg_dense(classes, TG_SOFTMAX), o.reg);
    return m;
}

void tg_series_model_alignment(int T, int *first, int *step, int *count)
{
    /* valid Conv1D, k = 3: T - 2 steps; MaxPooling1D(2): floor((T - 2) / 2) */
    *count = (T - 2) / 2;
    /* pooled j <- conv outputs 2j, 2j + 1 <- inputs up to 2j + 1 + (3 - 1) */
    *first = 3;
    *step = 2;
}

/* ---- gradient check of the LSTM -> CNN stack ---- */

static tg_tensor *model_fn(tg_tape *tape, tg_tensor *const *inputs, void *ctx)
{
    return tg_model_forward(ctx, tape, inputs[0], 1);
}

/* A small LSTM(3, sequences) -> Conv1D(2, 3) -> MaxPool1D(2) -> Dense(1,
 * sigmoid) over (2, 7, 2): d/dx and d/d(every parameter). The convolution
 * is linear (no relu kink) with a wide kernel, U(-2, 2): the LSTM's outputs
 * are small and close together, and spreading them keeps each max-pool
 * winner from switching within the finite differences' +-2h (float's h is
 * 1e-2). */
static tg_gradcheck_report case_lstm_cnn(uint64_t seed)
{
    tg_model *m = tg_model_new(TG_SHAPE(7, 2), seed);
    tg_model_add(m, lstm(3, 1, TG_PEEPHOLE_DIAGONAL));
    tg_layer *conv = tg_model_add(m, tg_conv1d((tg_conv1d_opts){.filters = 2, .kernel = 3}));
    tg_model_add(m, tg_maxpool1d((tg_pool1d_opts){.pool = 2}));
    tg_model_add(m, tg_dense(1, TG_SIGMOID));
    tg_rng rng;
    tg_rng_seed(&rng, seed + 1);
    tg_tensor *in[TG_GRADCHECK_MAX_INPUTS];
    in[0] = tg_tensor_uniform(TG_SHAPE(2, 7, 2), &rng, -1, 1);
    in[0]->name = "x";
    if (m->n_params + 1 > TG_GRADCHECK_MAX_INPUTS)
        tg_fatal("lstm_cnn gradcheck: %d parameters are too many", m->n_params);
    /* Random peepholes and biases too: zeros would leave part of the check trivial. */
    for (int i = 0; i < m->n_params; i++) {
        tg_init_uniform(m->params[i], &rng, -0.5, 0.5);
        in[i + 1] = m->params[i];
    }
    tg_init_uniform(conv->params[0], &rng, -2, 2);
    tg_gradcheck_opts o = tg_gradcheck_defaults();
    o.seed = seed;
    tg_gradcheck_report r = tg_gradcheck(model_fn, m, in, m->n_params + 1, &o);
    tg_tensor_free(in[0]);
    tg_model_free(m);
    return r;
}

static const tg_gradcheck_case cases[] = {
    {"lstm_cnn", case_lstm_cnn},
};

const tg_gradcheck_case *tg_app_model_gradcheck_cases(int *n)
{
    *n = (int)(sizeof cases / sizeof cases[0]);
    return cases;
}
