/* The layer cases of the gradcheck registry. Sizes are small and odd where
 * they can be (no accidental symmetry), batch 2 so that the batch axis is
 * exercised, and every case checks the input and every parameter. */
#include "layers/gradcheck_layers.h"

#include "tensor/init.h"
#include "layers/dense.h"

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

CASE(dense, tg_dense(4, TG_TANH), 3, 5)
CASE(dense_seq, tg_dense(3, TG_LINEAR), 2, 4, 5)
CASE(dense_relu, tg_dense(4, TG_RELU), 3, 5)
CASE(dense_softmax, tg_dense(4, TG_SOFTMAX), 3, 5)

#define ENTRY(n) {#n, case_##n}
static const tg_gradcheck_case cases[] = {
    ENTRY(dense),
    ENTRY(dense_seq),
    ENTRY(dense_relu),
    ENTRY(dense_softmax),
};

const tg_gradcheck_case *tg_layer_gradcheck_cases(int *n)
{
    *n = (int)(sizeof cases / sizeof cases[0]);
    return cases;
}
