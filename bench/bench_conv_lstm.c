/* The ConvLSTM2D's two paths at the size of a small next-frame model:
 * batch 8, 6 frames of 16 x 16 x 1, 8 filters, 3 x 3 kernels, 'same'
 * padding, for the document's peepholes (diagonal with W_cc) and for none
 * (Keras's ConvLSTM2D), with and without return_sequences. For each:
 * milliseconds per forward and per forward + backward (the median of
 * several repeats, the best of five rounds that alternate the two paths)
 * on the reference path (the six equations as tape ops, each `*` Conv2D's
 * reference path) and the fused path (one node, im2col + GEMM, the backward
 * by hand), their ratios (how many times faster the fused path is), the
 * GFLOP/s of the fused path's convolutions (2 N T P (Kx + Kh) 4F flops
 * forward, twice that backward, P = H' W', Kx = 9 C, Kh = 9 F), and how
 * many blocks the arena had to malloc after the first step (0: none).
 *
 *     bench_conv_lstm [--quick]     (TG_THREADS=n sets the thread count)
 *
 * Build with `make REAL=float` for the single-precision table. */
#include <stdio.h>
#include <string.h>

#include "tapegrad.h"
#include "bench/bench_support.h"

enum { BATCH = 8, STEPS = 6, SIDE = 16, CHANNELS = 1, FILTERS = 8, KERNEL = 3, ROUNDS = 5 };

int main(int argc, char **argv)
{
    const int quick = argc > 1 && strcmp(argv[1], "--quick") == 0;
    const int repeats = quick ? 3 : 11;
    tg_rng rng;
    tg_rng_seed(&rng, 2024);
    tg_tensor *x = tg_tensor_uniform(TG_SHAPE(BATCH, STEPS, SIDE, SIDE, CHANNELS), &rng, -1, 1);
    tg_tensor_requires_grad(x);
    const double flop = 2.0 * BATCH * STEPS * SIDE * SIDE *
                        (KERNEL * KERNEL * (CHANNELS + FILTERS)) * 4 * FILTERS;

    printf("ConvLSTM2D: batch %d, T %d, frames %dx%dx%d, %d filters, kernel %dx%d same, %s, "
           "%d thread%s, best of %d rounds of the median of %d\n",
           BATCH, STEPS, SIDE, SIDE, CHANNELS, FILTERS, KERNEL, KERNEL, TG_REAL_NAME,
           tg_get_threads(), tg_get_threads() == 1 ? "" : "s", ROUNDS, repeats);
    printf("%-9s %-4s %9s %9s %11s %11s %8s %8s %9s %7s\n", "peephole", "seq", "ref fwd",
           "fused fwd", "ref f+b", "fused f+b", "fwd x", "f+b x", "f+b GF/s", "mallocs");
    for (int none = 0; none < 2; none++)
        for (int seq = 0; seq < 2; seq++) {
            tg_layer *cl[2];
            bench_timing t[2];
            for (int p = 0; p < 2; p++) {
                cl[p] = tg_conv_lstm2d((tg_conv_lstm2d_opts){
                    .filters = FILTERS, .kernel = {KERNEL, KERNEL}, .padding = TG_SAME,
                    .return_sequences = seq,
                    .peephole = none ? TG_PEEPHOLE_NONE : TG_PEEPHOLE_DIAGONAL});
                cl[p]->path = p ? TG_PATH_FUSED : TG_PATH_REFERENCE;
                tg_layer_build(cl[p], TG_SHAPE(STEPS, SIDE, SIDE, CHANNELS), &rng);
            }
            bench_time_paths(cl, x, repeats, quick ? 1 : ROUNDS, t);
            for (int p = 0; p < 2; p++)
                tg_layer_free(cl[p]);
            printf("%-9s %-4s ", none ? "none" : "diagonal", seq ? "yes" : "no");
            bench_print_paths(t, flop);
        }
    tg_tensor_free(x);
    return 0;
}
