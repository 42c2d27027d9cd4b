/* The TimeDistributed wrapper's gradient checks: each layer the document
 * uses, applied to every step of a sequence (frames (N, T, H, W, C) for the
 * 2-D ones), on both paths where the layer has two. Every case checks d/dx
 * and d/d(every parameter), whose gradient sums over the steps. */
#include "layers/layers.h"

#include "tensor/tensor.h"
#include "layers/internal/gradcheck_cases.h"

static tg_gradcheck_report check(tg_layer *layer, tg_path path, tg_shape input, uint64_t seed)
{
    tg_layer *td = tg_time_distributed(layer);
    td->path = path;
    tg_gradcheck_report r = tg_layer_gradcheck(td, input, seed);
    tg_layer_free(td);
    return r;
}

/* A case on one path, on a batched input of the given shape (batch, T, ...). */
#define CASE(case_name, path, make, ...)                                                          \
    static tg_gradcheck_report case_##case_name(uint64_t seed)                                    \
    {                                                                                             \
        return check(make, path, TG_SHAPE(__VA_ARGS__), seed);                                    \
    }
#define CASE2(case_name, make, ...)                                                               \
    CASE(case_name, TG_PATH_REFERENCE, make, __VA_ARGS__)                                         \
    CASE(case_name##_fused, TG_PATH_FUSED, make, __VA_ARGS__)

CASE(timedist_dense, TG_PATH_FUSED, tg_dense(3, TG_TANH), 2, 3, 4)
CASE(timedist_dense_rows, TG_PATH_FUSED, tg_dense(2, TG_SIGMOID), 2, 3, 2, 4)
CASE2(timedist_conv1d,
      tg_conv1d((tg_conv1d_opts){.filters = 2, .kernel = 3, .activation = TG_TANH}), 2, 3, 6, 2)
CASE2(timedist_conv2d,
      tg_conv2d((tg_conv2d_opts){.filters = 2, .kernel = {3, 2}, .activation = TG_TANH}), 2, 3,
      5, 4, 2)
CASE2(timedist_conv2d_same_s2,
      tg_conv2d((tg_conv2d_opts){.filters = 2, .kernel = {3, 3}, .strides = {2, 2},
                                 .padding = TG_SAME}),
      2, 2, 5, 5, 1)
CASE2(timedist_maxpool1d, tg_maxpool1d((tg_pool1d_opts){.pool = 2}), 2, 3, 5, 2)
CASE2(timedist_maxpool2d, tg_maxpool2d((tg_pool2d_opts){.pool = {2, 2}}), 2, 3, 4, 5,
      2)
CASE(timedist_flatten, TG_PATH_FUSED, tg_flatten(), 2, 3, 2, 3, 2)
CASE(timedist_reshape, TG_PATH_FUSED, tg_reshape_layer(TG_SHAPE(-1, 2)), 2, 3, 6)

#define ENTRY(n) {#n, case_##n}
#define ENTRY2(n) ENTRY(n), ENTRY(n##_fused)
static const tg_gradcheck_case cases[] = {
    ENTRY(timedist_dense),
    ENTRY(timedist_dense_rows),
    ENTRY2(timedist_conv1d),
    ENTRY2(timedist_conv2d),
    ENTRY2(timedist_conv2d_same_s2),
    ENTRY2(timedist_maxpool1d),
    ENTRY2(timedist_maxpool2d),
    ENTRY(timedist_flatten),
    ENTRY(timedist_reshape),
};

const tg_gradcheck_case *tg_time_distributed_gradcheck_cases(int *n)
{
    *n = (int)(sizeof cases / sizeof cases[0]);
    return cases;
}
