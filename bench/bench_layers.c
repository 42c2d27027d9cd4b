/* The seed image model's first layers at batch 32 (section 4.2):
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
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "autograd/threads.h"
#include "layers/conv.h"
#include "layers/pool.h"
#include "tensor/init.h"

enum { BATCH = 32 };

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int by_value(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, by_value);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

typedef struct {
    double forward_ms, step_ms;
} timing;

/* Median time of a forward, and of a forward + backward seeded with ones,
 * of the built layer on x; the tape is reset between runs, as in training. */
static timing time_layer(tg_layer *layer, tg_tensor *x, int repeats)
{
    tg_tape *tape = tg_tape_new();
    tg_shape out = {x->shape.ndim, {BATCH}};
    for (int i = 0; i < layer->output_shape.ndim; i++)
        out.dim[i + 1] = layer->output_shape.dim[i];
    tg_tensor *ones = tg_tensor_ones(out);
    double *fw = malloc((size_t)repeats * sizeof *fw), *st = malloc((size_t)repeats * sizeof *st);
    for (int r = -1; r < repeats; r++) { /* r = -1 warms the arena up */
        tg_tape_reset(tape);
        double t0 = now();
        tg_tensor *y = tg_layer_forward(layer, tape, x, 1);
        double t1 = now();
        tg_tape_backward_seeded(tape, y, ones->data);
        double t2 = now();
        if (r >= 0) {
            fw[r] = 1e3 * (t1 - t0);
            st[r] = 1e3 * (t2 - t0);
        }
    }
    timing t = {median(fw, repeats), median(st, repeats)};
    free(fw);
    free(st);
    tg_tensor_free(ones);
    tg_tape_free(tape);
    return t;
}

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

    printf("layers of the seed image model, batch %d, %s, %d thread%s, median of %d\n", BATCH,
           TG_REAL_NAME, tg_get_threads(), tg_get_threads() == 1 ? "" : "s", repeats);
    printf("%-34s %-9s %10s %12s %10s %12s\n", "layer", "path", "fwd ms", "fwd+bwd ms",
           "fwd GF/s", "fwd+bwd GF/s");
    const char *path_name[2] = {"reference", "fused"};
    for (int p = 0; p < 2; p++) {
        tg_layer *conv = tg_conv2d((tg_conv2d_opts){.filters = 32, .kernel = {3, 3}});
        conv->path = p ? TG_PATH_FUSED : TG_PATH_REFERENCE;
        tg_layer_build(conv, TG_SHAPE(28, 28, 1), &rng);
        timing t = time_layer(conv, image, repeats);
        printf("%-34s %-9s %10.3f %12.3f %10.2f %12.2f\n", "Conv2D 3x3 1->32 on 28x28x1",
               path_name[p], t.forward_ms, t.step_ms, conv_flop / t.forward_ms * 1e-6,
               3 * conv_flop / t.step_ms * 1e-6);
        tg_layer_free(conv);
    }
    for (int p = 0; p < 2; p++) {
        tg_layer *pool = tg_maxpool2d((tg_pool2d_opts){.pool = {2, 2}});
        pool->path = p ? TG_PATH_FUSED : TG_PATH_REFERENCE;
        tg_layer_build(pool, TG_SHAPE(26, 26, 32), &rng);
        timing t = time_layer(pool, maps, repeats);
        printf("%-34s %-9s %10.3f %12.3f %10s %12s\n", "MaxPooling2D 2x2 on 26x26x32",
               path_name[p], t.forward_ms, t.step_ms, "-", "-");
        tg_layer_free(pool);
    }
    tg_tensor_free(image);
    tg_tensor_free(maps);
    return 0;
}
