/* The ConvLSTM2D's gradient checks: every peephole variant (none, diagonal,
 * diagonal without the candidate's), valid and same input padding, a
 * stride, the last state and the whole sequence, each on both paths, as
 * named cases of the `tapegrad gradcheck` registry. Every case checks d/dx
 * and d/d(every parameter), peepholes and biases drawn nonzero. */
#include "layers/layers.h"

#include "layers/internal/gradcheck_cases.h"

/* A case: batch 2, T frames of h x w x 1, F = 2; small enough for the
 * suite's valgrind run (every case perturbs each of its ~200 numbers). */
#define CASE(case_name, path_, T, h, w, ...)                                                      \
    static tg_gradcheck_report case_##case_name(uint64_t seed)                                    \
    {                                                                                             \
        tg_layer *layer = tg_conv_lstm2d((tg_conv_lstm2d_opts){.filters = 2, __VA_ARGS__});       \
        layer->path = path_;                                                                      \
        tg_gradcheck_report r = tg_layer_gradcheck(layer, TG_SHAPE(2, T, h, w, 1), seed);         \
        tg_layer_free(layer);                                                                     \
        return r;                                                                                 \
    }
#define CASE2(case_name, T, h, w, ...)                                                            \
    CASE(case_name, TG_PATH_REFERENCE, T, h, w, __VA_ARGS__)                                      \
    CASE(case_name##_fused, TG_PATH_FUSED, T, h, w, __VA_ARGS__)

CASE2(conv_lstm2d, 3, 3, 3, .kernel = {2, 2})
CASE2(conv_lstm2d_none, 2, 3, 3, .kernel = {2, 2}, .peephole = TG_PEEPHOLE_NONE)
CASE2(conv_lstm2d_no_cand_peephole, 2, 3, 3, .kernel = {2, 2}, .no_candidate_peephole = 1)
CASE2(conv_lstm2d_same, 2, 3, 3, .kernel = {3, 2}, .padding = TG_SAME)
CASE2(conv_lstm2d_same_stride2, 2, 4, 3, .kernel = {3, 3}, .padding = TG_SAME, .strides = {2, 2})
CASE2(conv_lstm2d_seq, 3, 3, 3, .kernel = {2, 2}, .return_sequences = 1)
CASE2(conv_lstm2d_none_seq, 2, 3, 3, .kernel = {2, 2}, .padding = TG_SAME,
      .peephole = TG_PEEPHOLE_NONE, .return_sequences = 1)

#define ENTRY(n) {#n, case_##n}
#define ENTRY2(n) ENTRY(n), ENTRY(n##_fused)
static const tg_gradcheck_case cases[] = {
    ENTRY2(conv_lstm2d),
    ENTRY2(conv_lstm2d_none),
    ENTRY2(conv_lstm2d_no_cand_peephole),
    ENTRY2(conv_lstm2d_same),
    ENTRY2(conv_lstm2d_same_stride2),
    ENTRY2(conv_lstm2d_seq),
    ENTRY2(conv_lstm2d_none_seq),
};

const tg_gradcheck_case *tg_conv_lstm2d_gradcheck_cases(int *n)
{
    *n = (int)(sizeof cases / sizeof cases[0]);
    return cases;
}
