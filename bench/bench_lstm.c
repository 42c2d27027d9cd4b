/* The image model's LSTM at batch 32 (section 4.2): 13 time steps
 * (the rows of the pooled 13x13x32 maps), 416 inputs (13 x 32), 64 units.
 * For each peephole variant and path: milliseconds per forward and per
 * forward + backward (the median of several repeats), the GFLOP/s of the
 * gate products (2 N T (D + H) 4H flops forward, twice that backward), and
 * how many blocks the tape's arena had to malloc after the first step had
 * sized it (0: the steady state allocates nothing).
 *
 *     bench_lstm [--quick]     (TG_THREADS=n sets the thread count)
 *
 * Build with `make REAL=float` for the single-precision table. The input
 * takes a gradient, as it does after the conv layers of the model. */
#include <stdio.h>
#include <string.h>

#include "tapegrad.h"
#include "bench/bench_support.h"

enum { BATCH = 32, STEPS = 13, INPUTS = 416, UNITS = 64 };

int main(int argc, char **argv)
{
    const int quick = argc > 1 && strcmp(argv[1], "--quick") == 0;
    const int repeats = quick ? 3 : 15;
    tg_rng rng;
    tg_rng_seed(&rng, 2024);
    tg_tensor *x = tg_tensor_uniform(TG_SHAPE(BATCH, STEPS, INPUTS), &rng, -1, 1);
    tg_tensor_requires_grad(x);
    const double flop = 2.0 * BATCH * STEPS * (INPUTS + UNITS) * 4 * UNITS;

    printf("LSTM of the image model: batch %d, T %d, D %d, H %d, %s, %d thread%s, "
           "median of %d\n",
           BATCH, STEPS, INPUTS, UNITS, TG_REAL_NAME, tg_get_threads(),
           tg_get_threads() == 1 ? "" : "s", repeats);
    printf("%-10s %-9s %10s %12s %10s %12s %14s\n", "peephole", "path", "fwd ms", "fwd+bwd ms",
           "fwd GF/s", "fwd+bwd GF/s", "steady mallocs");
    const struct {
        const char *name;
        tg_peephole peephole;
    } variants[] = {{"diagonal", TG_PEEPHOLE_DIAGONAL}, {"none", TG_PEEPHOLE_NONE},
                    {"full", TG_PEEPHOLE_FULL}};
    const char *path_name[2] = {"reference", "fused"};
    for (size_t v = 0; v < sizeof variants / sizeof variants[0]; v++)
        for (int p = 0; p < 2; p++) {
            tg_layer *lstm =
                tg_lstm((tg_lstm_opts){.units = UNITS, .peephole = variants[v].peephole});
            lstm->path = p ? TG_PATH_FUSED : TG_PATH_REFERENCE;
            tg_layer_build(lstm, TG_SHAPE(STEPS, INPUTS), &rng);
            bench_timing t = bench_time_layer(lstm, x, repeats);
            printf("%-10s %-9s %10.3f %12.3f %10.2f %12.2f %14zu\n", variants[v].name,
                   path_name[p], t.forward_ms, t.step_ms, flop / t.forward_ms * 1e-6,
                   3 * flop / t.step_ms * 1e-6, t.steady_mallocs);
            tg_layer_free(lstm);
        }
    tg_tensor_free(x);
    return 0;
}
