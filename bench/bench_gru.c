/* The GRU's two paths, at the size of the image model's LSTM (section 4.2):
 * batch 32, 13 time steps, 416 inputs, 64 units, both ways of reset_after,
 * with and without return_sequences. For each: milliseconds per forward
 * and per forward + backward (the median of several repeats, the best of
 * five rounds that alternate the two paths, so that a burst of load on a
 * shared machine weighs on neither path alone) on the
 * reference path (the four equations as tape ops) and the fused path (one
 * node, the backward by hand), their ratios (how many times faster the
 * fused path is), the GFLOP/s of the fused path's gate products
 * (2 N T (D + H) 3H flops forward, twice that backward), and how many
 * blocks the arena had to malloc after the first step (0: none).
 *
 *     bench_gru [--quick]     (TG_THREADS=n sets the thread count)
 *
 * Build with `make REAL=float` for the single-precision table. */
#include <stdio.h>
#include <string.h>

#include "tapegrad.h"
#include "bench/bench_support.h"

enum { BATCH = 32, STEPS = 13, INPUTS = 416, UNITS = 64, ROUNDS = 5 };

int main(int argc, char **argv)
{
    const int quick = argc > 1 && strcmp(argv[1], "--quick") == 0;
    const int repeats = quick ? 3 : 15;
    tg_rng rng;
    tg_rng_seed(&rng, 2024);
    tg_tensor *x = tg_tensor_uniform(TG_SHAPE(BATCH, STEPS, INPUTS), &rng, -1, 1);
    tg_tensor_requires_grad(x);
    const double flop = 2.0 * BATCH * STEPS * (INPUTS + UNITS) * 3 * UNITS;

    printf("GRU at the image model's LSTM size: batch %d, T %d, D %d, H %d, %s, %d thread%s, "
           "best of %d rounds of the median of %d\n",
           BATCH, STEPS, INPUTS, UNITS, TG_REAL_NAME, tg_get_threads(),
           tg_get_threads() == 1 ? "" : "s", ROUNDS, repeats);
    printf("%-12s %-4s %9s %9s %11s %11s %8s %8s %9s %7s\n", "reset_after", "seq", "ref fwd",
           "fused fwd", "ref f+b", "fused f+b", "fwd x", "f+b x", "f+b GF/s", "mallocs");
    for (int reset_before = 0; reset_before < 2; reset_before++)
        for (int seq = 0; seq < 2; seq++) {
            tg_layer *gru[2];
            bench_timing t[2];
            for (int p = 0; p < 2; p++) {
                gru[p] = tg_gru((tg_gru_opts){.units = UNITS, .return_sequences = seq,
                                              .reset_before = reset_before});
                gru[p]->path = p ? TG_PATH_FUSED : TG_PATH_REFERENCE;
                tg_layer_build(gru[p], TG_SHAPE(STEPS, INPUTS), &rng);
            }
            bench_time_paths(gru, x, repeats, quick ? 1 : ROUNDS, t);
            for (int p = 0; p < 2; p++)
                tg_layer_free(gru[p]);
            printf("%-12s %-4s ", reset_before ? "False" : "True", seq ? "yes" : "no");
            bench_print_paths(t, flop);
        }
    tg_tensor_free(x);
    return 0;
}
