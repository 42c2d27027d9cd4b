/* The GRU's gradient checks: reset_after on and off, the last state and the
 * whole sequence, on both paths, as named cases of the `tapegrad gradcheck`
 * registry, and the parameterised check the Check suite runs over T. */
#include "layers/layers.h"

#include "autograd/autograd.h"
#include "tensor/tensor.h"
#include "layers/internal/gradcheck_cases.h"

typedef struct {
    tg_layer *gru;
    int return_sequences;
} check_ctx;

/* The layer's output joined with h_T, so that the check covers both ways a
 * loss can read the GRU: (N, T+1, H) with sequences, (N, 2H) without. */
static tg_tensor *gru_fn(tg_tape *tape, tg_tensor *const *in, void *ctx)
{
    const check_ctx *k = ctx;
    tg_tensor *h_T;
    tg_tensor *out = tg_gru_run(k->gru, tape, in[0], in[1], &h_T);
    if (!k->return_sequences)
        return tg_concat(tape, (tg_tensor *[]){out, h_T}, 2, 1);
    tg_tensor *h_T_step = tg_reshape(tape, h_T, TG_SHAPE(h_T->shape.dim[0], 1, h_T->shape.dim[1]));
    return tg_concat(tape, (tg_tensor *[]){out, h_T_step}, 2, 1);
}

tg_gradcheck_report tg_gru_gradcheck(tg_gru_opts o, tg_path path, int batch, int steps,
                                     int input_dim, uint64_t seed)
{
    tg_rng rng;
    tg_rng_seed(&rng, seed);
    tg_layer *gru = tg_gru(o);
    gru->path = path;
    tg_layer_build(gru, TG_SHAPE(steps, input_dim), &rng);
    tg_tensor *in[2 + 3];
    in[0] = tg_tensor_uniform(TG_SHAPE(batch, steps, input_dim), &rng, -1, 1);
    in[1] = tg_tensor_uniform(TG_SHAPE(batch, o.units), &rng, -1, 1);
    in[0]->name = "x";
    in[1]->name = "h0";
    /* A nonzero bias: at zero its gradient would be checked at one point only. */
    for (int k = 0; k < gru->n_params; k++) {
        tg_init_uniform(gru->params[k], &rng, -0.5, 0.5);
        in[2 + k] = gru->params[k];
    }
    check_ctx ctx = {gru, o.return_sequences};
    tg_gradcheck_opts opts = tg_gradcheck_defaults();
    opts.seed = seed;
    tg_gradcheck_report r = tg_gradcheck(gru_fn, &ctx, in, 2 + gru->n_params, &opts);
    tg_tensor_free(in[0]);
    tg_tensor_free(in[1]);
    tg_layer_free(gru);
    return r;
}

/* A case: batch 2, T = 3, D = 3, H = 4. */
#define CASE(case_name, path, ...)                                                                \
    static tg_gradcheck_report case_##case_name(uint64_t seed)                                    \
    {                                                                                             \
        tg_gru_opts o = {.units = 4, __VA_ARGS__};                                                \
        return tg_gru_gradcheck(o, path, 2, 3, 3, seed);                                          \
    }

CASE(gru, TG_PATH_REFERENCE, .reset_before = 0)
CASE(gru_fused, TG_PATH_FUSED, .reset_before = 0)
CASE(gru_reset_before, TG_PATH_REFERENCE, .reset_before = 1)
CASE(gru_reset_before_fused, TG_PATH_FUSED, .reset_before = 1)
CASE(gru_seq, TG_PATH_REFERENCE, .return_sequences = 1)
CASE(gru_seq_fused, TG_PATH_FUSED, .return_sequences = 1)
CASE(gru_reset_before_seq, TG_PATH_REFERENCE, .reset_before = 1, .return_sequences = 1)
CASE(gru_reset_before_seq_fused, TG_PATH_FUSED, .reset_before = 1, .return_sequences = 1)

#define ENTRY(n) {#n, case_##n}
static const tg_gradcheck_case cases[] = {
    ENTRY(gru),
    ENTRY(gru_fused),
    ENTRY(gru_reset_before),
    ENTRY(gru_reset_before_fused),
    ENTRY(gru_seq),
    ENTRY(gru_seq_fused),
    ENTRY(gru_reset_before_seq),
    ENTRY(gru_reset_before_seq_fused),
};

const tg_gradcheck_case *tg_gru_gradcheck_cases(int *n)
{
    *n = (int)(sizeof cases / sizeof cases[0]);
    return cases;
}
