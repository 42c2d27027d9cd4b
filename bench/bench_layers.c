/* The image model's first layers at batch 32 (section 4.2):
 * Conv2D 3x3, 1 -> 32 channels on 28x28x1, then MaxPooling2D 2x2 on
 * 26x26x32. For each layer and path: milliseconds per forward and per
 * forward + backward (the median of several repeats), and the conv's
 * GFLOP/s (multiply-adds counted as 2 flops; the forward is
 * 2 N OH OW (kh kw C_in) C_out, the backward twice that, dW and dx).
 *
 *     bench_layers [--quick]     (TG_THREADS=n sets the thread count)
 *
 * The conv's input takes a gradient here, as any conv that is not the
 * first layer of a model would, so dx (col2im) is timed too. */
#include <stdio.h>
#include <string.h>

#include "tapegrad.h"
#include "bench/bench_support.h"

enum { BATCH = 32 };

int main(int argc, char **argv)
{
    const int quick = argc > 1 && strcmp(argv[1], "--quick") == 0;
    const int repeats = quick ? 3 : 21;
    tg_rng rng;
    tg_rng_seed(&rng, 2024);
    tg_tensor *image = tg_tensor_uniform(TG_SHAPE(BATCH, 28, 28, 1), &rng, 0, 1);
    tg_tensor *maps = tg_tensor_uniform(TG_SHAPE(BATCH, 26, 26, 32), &rng, -1, 1);
    tg_tensor_requires_grad(image);
    tg_tensor_requires_grad(maps);
    const double conv_flop = 2.0 * BATCH * 26 * 26 * (3 * 3 * 1) * 32;

    printf("layers of the image model, batch %d, %s, %d thread%s, median of %d\n", BATCH,
           TG_REAL_NAME, tg_get_threads(), tg_get_threads() == 1 ? "" : "s", repeats);
    printf("%-34s %-9s %10s %12s %10s %12s\n", "layer", "path", "fwd ms", "fwd+bwd ms",
           "fwd GF/s", "fwd+bwd GF/s");
    const char *path_name[2] = {"reference", "fused"};
    for (int p = 0; p < 2; p++) {
        tg_layer *conv = tg_conv2d((tg_conv2d_opts){.filters = 32, .kernel = {3, 3}});
        conv->path = p ? TG_PATH_FUSED : TG_PATH_REFERENCE;
        tg_layer_build(conv, TG_SHAPE(28, 28, 1), &rng);
        bench_timing t = bench_time_layer(conv, image, repeats);
        printf("%-34s %-9s %10.3f %12.3f %10.2f %12.2f\n", "Conv2D 3x3 1->32 on 28x28x1",
               path_name[p], t.forward_ms, t.step_ms, conv_flop / t.forward_ms * 1e-6,
               3 * conv_flop / t.step_ms * 1e-6);
        tg_layer_free(conv);
    }
    for (int p = 0; p < 2; p++) {
        tg_layer *pool = tg_maxpool2d((tg_pool2d_opts){.pool = {2, 2}});
        pool->path = p ? TG_PATH_FUSED : TG_PATH_REFERENCE;
        tg_layer_build(pool, TG_SHAPE(26, 26, 32), &rng);
        bench_timing t = bench_time_layer(pool, maps, repeats);
        printf("%-34s %-9s %10.3f %12.3f %10s %12s\n", "MaxPooling2D 2x2 on 26x26x32",
               path_name[p], t.forward_ms, t.step_ms, "-", "-");
        tg_layer_free(pool);
    }
    tg_tensor_free(image);
    tg_tensor_free(maps);
    return 0;
}
