/* SimpleRNN's gradient checks: both paths, with and without
 * return_sequences, as named cases of the `tapegrad gradcheck` registry,
 * and the parameterised check the Check suite runs over T. */
#include "layers/layers.h"

#include "autograd/autograd.h"
#include "tensor/tensor.h"
#include "layers/internal/gradcheck_cases.h"

typedef struct {
    tg_layer *rnn;
    int return_sequences;
} check_ctx;

/* The layer's output joined with h_T: (N, T+1, H) with sequences, (N, 2H)
 * without, so the check covers both ways a loss can read the layer. */
static tg_tensor *rnn_fn(tg_tape *tape, tg_tensor *const *in, void *ctx)
{
    const check_ctx *k = ctx;
    tg_tensor *h_T;
    tg_tensor *out = tg_simple_rnn_run(k->rnn, tape, in[0], in[1], &h_T);
    if (!k->return_sequences)
        return tg_concat(tape, (tg_tensor *[]){out, h_T}, 2, 1);
    tg_tensor *h_T_step = tg_reshape(tape, h_T, TG_SHAPE(h_T->shape.dim[0], 1, h_T->shape.dim[1]));
    return tg_concat(tape, (tg_tensor *[]){out, h_T_step}, 2, 1);
}

tg_gradcheck_report tg_simple_rnn_gradcheck(tg_simple_rnn_opts o, tg_path path, int batch,
                                            int steps, int input_dim, uint64_t seed)
{
    tg_rng rng;
    tg_rng_seed(&rng, seed);
    tg_layer *rnn = tg_simple_rnn(o);
    rnn->path = path;
    tg_layer_build(rnn, TG_SHAPE(steps, input_dim), &rng);
    tg_tensor *in[2 + TG_LAYER_MAX_PARAMS];
    in[0] = tg_tensor_uniform(TG_SHAPE(batch, steps, input_dim), &rng, -1, 1);
    in[1] = tg_tensor_uniform(TG_SHAPE(batch, o.units), &rng, -0.5, 0.5);
    in[0]->name = "x";
    in[1]->name = "h0";
    /* A random bias: a zero one would be checked at one special point only. */
    for (int k = 0; k < rnn->n_params; k++) {
        tg_init_uniform(rnn->params[k], &rng, -0.5, 0.5);
        in[2 + k] = rnn->params[k];
    }
    check_ctx ctx = {rnn, o.return_sequences};
    tg_gradcheck_opts opts = tg_gradcheck_defaults();
    opts.seed = seed;
    tg_gradcheck_report r = tg_gradcheck(rnn_fn, &ctx, in, 2 + rnn->n_params, &opts);
    tg_tensor_free(in[0]);
    tg_tensor_free(in[1]);
    tg_layer_free(rnn);
    return r;
}

/* A case: batch 2, T = 4, D = 3, H = 5. */
#define CASE(case_name, path, sequences)                                                          \
    static tg_gradcheck_report case_##case_name(uint64_t seed)                                    \
    {                                                                                             \
        tg_simple_rnn_opts o = {.units = 5, .return_sequences = (sequences)};                     \
        return tg_simple_rnn_gradcheck(o, path, 2, 4, 3, seed);                                   \
    }

CASE(simple_rnn, TG_PATH_REFERENCE, 0)
CASE(simple_rnn_fused, TG_PATH_FUSED, 0)
CASE(simple_rnn_seq, TG_PATH_REFERENCE, 1)
CASE(simple_rnn_seq_fused, TG_PATH_FUSED, 1)

#define ENTRY(n) {#n, case_##n}
static const tg_gradcheck_case cases[] = {
    ENTRY(simple_rnn),
    ENTRY(simple_rnn_fused),
    ENTRY(simple_rnn_seq),
    ENTRY(simple_rnn_seq_fused),
};

const tg_gradcheck_case *tg_simple_rnn_gradcheck_cases(int *n)
{
    *n = (int)(sizeof cases / sizeof cases[0]);
    return cases;
}
