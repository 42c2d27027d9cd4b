/* The LSTM's gradient checks: every peephole variant on both paths, as
 * named cases of the `tapegrad gradcheck` registry, and the parameterised
 * check the Check suite runs over T and return_sequences. */
#include "layers/layers.h"

#include "autograd/autograd.h"
#include "tensor/tensor.h"
#include "layers/internal/gradcheck_cases.h"

typedef struct {
    tg_layer *lstm;
    int return_sequences;
} check_ctx;

/* The layer's output joined with c_T, so that the check covers every way
 * a loss can read the LSTM: (N, T+1, H) with sequences, (N, 2H) without. */
static tg_tensor *lstm_fn(tg_tape *tape, tg_tensor *const *in, void *ctx)
{
    const check_ctx *k = ctx;
    tg_tensor *c_T;
    tg_tensor *out = tg_lstm_run(k->lstm, tape, in[0], in[1], in[2], NULL, &c_T);
    if (!k->return_sequences)
        return tg_concat(tape, (tg_tensor *[]){out, c_T}, 2, 1);
    tg_tensor *c_T_step = tg_reshape(tape, c_T, TG_SHAPE(c_T->shape.dim[0], 1, c_T->shape.dim[1]));
    return tg_concat(tape, (tg_tensor *[]){out, c_T_step}, 2, 1);
}

tg_gradcheck_report tg_lstm_gradcheck(tg_lstm_opts o, tg_path path, int batch, int steps,
                                      int input_dim, uint64_t seed)
{
    tg_rng rng;
    tg_rng_seed(&rng, seed);
    tg_layer *lstm = tg_lstm(o);
    lstm->path = path;
    tg_layer_build(lstm, TG_SHAPE(steps, input_dim), &rng);
    tg_tensor *in[TG_GRADCHECK_MAX_INPUTS];
    in[0] = tg_tensor_uniform(TG_SHAPE(batch, steps, input_dim), &rng, -1, 1);
    in[1] = tg_tensor_uniform(TG_SHAPE(batch, o.units), &rng, -0.5, 0.5);
    in[2] = tg_tensor_uniform(TG_SHAPE(batch, o.units), &rng, -1, 1);
    in[0]->name = "x";
    in[1]->name = "h0";
    in[2]->name = "c0";
    /* Nonzero peepholes and biases: around zero their gradients would be
     * checked at one special point only. */
    for (int k = 0; k < lstm->n_params; k++) {
        tg_init_uniform(lstm->params[k], &rng, -0.5, 0.5);
        in[3 + k] = lstm->params[k];
    }
    check_ctx ctx = {lstm, o.return_sequences};
    tg_gradcheck_opts opts = tg_gradcheck_defaults();
    opts.seed = seed;
    tg_gradcheck_report r = tg_gradcheck(lstm_fn, &ctx, in, 3 + lstm->n_params, &opts);
    for (int k = 0; k < 3; k++)
        tg_tensor_free(in[k]);
    tg_layer_free(lstm);
    return r;
}

/* A case: batch 2, T = 3, D = 3, H = 4. */
#define CASE(case_name, path, ...)                                                                \
    static tg_gradcheck_report case_##case_name(uint64_t seed)                                    \
    {                                                                                             \
        tg_lstm_opts o = {.units = 4, __VA_ARGS__};                                               \
        return tg_lstm_gradcheck(o, path, 2, 3, 3, seed);                                         \
    }

CASE(lstm, TG_PATH_REFERENCE, .peephole = TG_PEEPHOLE_DIAGONAL)
CASE(lstm_fused, TG_PATH_FUSED, .peephole = TG_PEEPHOLE_DIAGONAL)
CASE(lstm_none, TG_PATH_REFERENCE, .peephole = TG_PEEPHOLE_NONE)
CASE(lstm_none_fused, TG_PATH_FUSED, .peephole = TG_PEEPHOLE_NONE)
CASE(lstm_full, TG_PATH_REFERENCE, .peephole = TG_PEEPHOLE_FULL)
CASE(lstm_full_fused, TG_PATH_FUSED, .peephole = TG_PEEPHOLE_FULL)
CASE(lstm_no_cand_peephole, TG_PATH_REFERENCE, .no_candidate_peephole = 1)
CASE(lstm_no_cand_peephole_fused, TG_PATH_FUSED, .no_candidate_peephole = 1)
CASE(lstm_full_no_cand_peephole, TG_PATH_REFERENCE, .peephole = TG_PEEPHOLE_FULL,
     .no_candidate_peephole = 1)
CASE(lstm_full_no_cand_peephole_fused, TG_PATH_FUSED, .peephole = TG_PEEPHOLE_FULL,
     .no_candidate_peephole = 1)
CASE(lstm_seq, TG_PATH_REFERENCE, .return_sequences = 1)
CASE(lstm_seq_fused, TG_PATH_FUSED, .return_sequences = 1)
CASE(lstm_full_seq, TG_PATH_REFERENCE, .peephole = TG_PEEPHOLE_FULL, .return_sequences = 1)
CASE(lstm_full_seq_fused, TG_PATH_FUSED, .peephole = TG_PEEPHOLE_FULL, .return_sequences = 1)

#define ENTRY(n) {#n, case_##n}
static const tg_gradcheck_case cases[] = {
    ENTRY(lstm),
    ENTRY(lstm_fused),
    ENTRY(lstm_none),
    ENTRY(lstm_none_fused),
    ENTRY(lstm_full),
    ENTRY(lstm_full_fused),
    ENTRY(lstm_no_cand_peephole),
    ENTRY(lstm_no_cand_peephole_fused),
    ENTRY(lstm_full_no_cand_peephole),
    ENTRY(lstm_full_no_cand_peephole_fused),
    ENTRY(lstm_seq),
    ENTRY(lstm_seq_fused),
    ENTRY(lstm_full_seq),
    ENTRY(lstm_full_seq_fused),
};

const tg_gradcheck_case *tg_lstm_gradcheck_cases(int *n)
{
    *n = (int)(sizeof cases / sizeof cases[0]);
    return cases;
}
