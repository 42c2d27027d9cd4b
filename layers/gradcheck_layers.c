/* The layer cases of the gradcheck registry. Sizes are small and odd where
 * they can be (no accidental symmetry), batch 2 so that the batch axis is
 * exercised, and every case checks the input and every parameter. */
#include "layers/layers.h"

#include "tensor/tensor.h"
#include "layers/internal/gradcheck_cases.h"

static tg_tensor *layer_fn(tg_tape *tape, tg_tensor *const *inputs, void *ctx)
{
    return tg_layer_forward(ctx, tape, inputs[0], 1);
}

tg_gradcheck_report tg_layer_gradcheck(tg_layer *layer, tg_shape input, uint64_t seed)
{
    tg_rng rng;
    tg_rng_seed(&rng, seed);
    tg_shape sample = {input.ndim - 1, {0}};
    for (int i = 1; i < input.ndim; i++)
        sample.dim[i - 1] = input.dim[i];
    tg_layer_build(layer, sample, &rng);
    tg_tensor *in[TG_GRADCHECK_MAX_INPUTS];
    in[0] = tg_tensor_uniform(input, &rng, -1, 1);
    in[0]->name = "x";
    if (layer->n_params + 1 > TG_GRADCHECK_MAX_INPUTS)
        tg_fatal("%s: %d parameters are too many for one gradcheck", layer->name, layer->n_params);
    /* Random biases too: a zero bias would leave part of the check trivial. */
    for (int i = 0; i < layer->n_params; i++) {
        tg_init_uniform(layer->params[i], &rng, -0.5, 0.5);
        in[i + 1] = layer->params[i];
    }
    tg_gradcheck_opts o = tg_gradcheck_defaults();
    o.seed = seed;
    tg_gradcheck_report r = tg_gradcheck(layer_fn, layer, in, layer->n_params + 1, &o);
    tg_tensor_free(in[0]);
    return r;
}

/* A case: a layer made by `make`, on a batched input of the given shape. */
#define CASE(case_name, make, ...)                                                                \
    static tg_gradcheck_report case_##case_name(uint64_t seed)                                    \
    {                                                                                             \
        tg_layer *layer = make;                                                                   \
        tg_gradcheck_report r = tg_layer_gradcheck(layer, TG_SHAPE(__VA_ARGS__), seed);           \
        tg_layer_free(layer);                                                                     \
        return r;                                                                                 \
    }

static tg_layer *reference(tg_layer *layer)
{
    layer->path = TG_PATH_REFERENCE;
    return layer;
}

/* Each heavy layer twice: the reference path (name) and the fused one (name_fused). */
#define CASE2(case_name, make, ...)                                                               \
    CASE(case_name, reference(make), __VA_ARGS__)                                                 \
    CASE(case_name##_fused, make, __VA_ARGS__)

CASE2(conv1d, tg_conv1d((tg_conv1d_opts){.filters = 3, .kernel = 3, .activation = TG_TANH}), 2, 7, 2)
CASE2(conv1d_same_stride2,
      tg_conv1d((tg_conv1d_opts){.filters = 2, .kernel = 4, .stride = 2, .padding = TG_SAME}),
      2, 7, 3)
CASE2(conv2d, tg_conv2d((tg_conv2d_opts){.filters = 3, .kernel = {3, 2}}), 2, 5, 4, 2)
CASE2(conv2d_same_stride2,
      tg_conv2d((tg_conv2d_opts){.filters = 2, .kernel = {3, 3}, .strides = {2, 2},
                                 .padding = TG_SAME, .activation = TG_RELU}),
      2, 6, 5, 2)
CASE2(conv2d_no_bias,
      tg_conv2d((tg_conv2d_opts){.filters = 2, .kernel = {2, 2}, .strides = {1, 2},
                                 .no_bias = 1, .activation = TG_SIGMOID}),
      2, 4, 5, 3)
CASE2(maxpool1d, tg_maxpool1d((tg_pool1d_opts){.pool = 2}), 2, 7, 3)
CASE2(maxpool1d_same_stride1,
      tg_maxpool1d((tg_pool1d_opts){.pool = 3, .stride = 1, .padding = TG_SAME}), 2, 6, 2)
CASE2(maxpool2d, tg_maxpool2d((tg_pool2d_opts){.pool = {2, 2}}), 2, 5, 4, 3)
CASE2(maxpool2d_same_stride2,
      tg_maxpool2d((tg_pool2d_opts){.pool = {3, 3}, .strides = {2, 2}, .padding = TG_SAME}),
      2, 5, 6, 2)
CASE(rcl2d, tg_rcl2d((tg_rcl2d_opts){.filters = 2, .kernel = {3, 3}, .iterations = 2}), 2, 4, 3, 1)
CASE(rcl2d_2x1_iter3, tg_rcl2d((tg_rcl2d_opts){.filters = 2, .kernel = {2, 1}, .iterations = 3}),
     2, 3, 3, 2)
CASE(rcl2d_iter0, tg_rcl2d((tg_rcl2d_opts){.filters = 2, .kernel = {3, 3}}), 2, 4, 5, 1)
CASE(dense, tg_dense(4, TG_TANH), 3, 5)
CASE(dense_seq, tg_dense(3, TG_LINEAR), 2, 4, 5)
CASE(dense_relu, tg_dense(4, TG_RELU), 3, 5)
CASE(dense_softmax, tg_dense(4, TG_SOFTMAX), 3, 5)
CASE(flatten, tg_flatten(), 2, 3, 2, 2)
CASE(reshape, tg_reshape_layer(TG_SHAPE(-1, 3)), 2, 2, 6)
CASE(rows_as_steps, tg_rows_as_steps(), 2, 3, 4, 2)
CASE(activation_relu, tg_activation_layer(TG_RELU), 3, 5)
CASE(activation_sigmoid, tg_activation_layer(TG_SIGMOID), 3, 5)
CASE(activation_tanh, tg_activation_layer(TG_TANH), 3, 5)
CASE(activation_softmax, tg_activation_layer(TG_SOFTMAX), 3, 5)

#define ENTRY(n) {#n, case_##n}
#define ENTRY2(n) ENTRY(n), ENTRY(n##_fused)
static const tg_gradcheck_case cases[] = {
    ENTRY2(conv1d),
    ENTRY2(conv1d_same_stride2),
    ENTRY2(conv2d),
    ENTRY2(conv2d_same_stride2),
    ENTRY2(conv2d_no_bias),
    ENTRY2(maxpool1d),
    ENTRY2(maxpool1d_same_stride1),
    ENTRY2(maxpool2d),
    ENTRY2(maxpool2d_same_stride2),
    ENTRY(rcl2d),
    ENTRY(rcl2d_2x1_iter3),
    ENTRY(rcl2d_iter0),
    ENTRY(dense),
    ENTRY(dense_seq),
    ENTRY(dense_relu),
    ENTRY(dense_softmax),
    ENTRY(flatten),
    ENTRY(reshape),
    ENTRY(rows_as_steps),
    ENTRY(activation_relu),
    ENTRY(activation_sigmoid),
    ENTRY(activation_tanh),
    ENTRY(activation_softmax),
};

const tg_gradcheck_case *tg_layer_gradcheck_cases(int *n)
{
    *n = (int)(sizeof cases / sizeof cases[0]);
    return cases;
}
