/* What the benchmarks share: a monotonic clock, the median of a set of
 * timings, the process's peak RSS, the vector width the build targets, the
 * measured FMA peak of a core (what bench's and bench_gemm's %peak are
 * shares of), and the forward / forward + backward timing of one built
 * layer. Every program in bench/ is built on its own, so this is a header
 * of static inline functions rather than part of the library. */
#ifndef TG_BENCH_SUPPORT_H
#define TG_BENCH_SUPPORT_H

#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

#include "tapegrad.h"

/* Bytes of the widest vector register the build targets. */
#if defined(__AVX512F__)
#define LANE_BYTES 64
#elif defined(__AVX__)
#define LANE_BYTES 32
#else
#define LANE_BYTES 16
#endif

/* Seconds on a clock that never jumps. */
static inline double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static inline int bench_by_value(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Sorts v and returns its median (v[0] is then the minimum). */
static inline double bench_median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, bench_by_value);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static inline double bench_peak_rss_mb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_maxrss / 1024.0; /* Linux: kilobytes */
}

/* The FMA rate of one core, measured: BENCH_FMA_CHAINS independent chains
 * of vector FMAs (a * b + c on vectors of the widest width the build
 * targets, which GCC turns into FMA instructions) keep every FMA unit busy,
 * whatever its latency, width or count. One burst of n steps; flops = 2 per
 * lane per FMA. */
typedef tg_real bench_vreal __attribute__((vector_size(LANE_BYTES)));
enum { BENCH_FMA_CHAINS = 12, BENCH_LANES = LANE_BYTES / (int)sizeof(tg_real) };

static inline double bench_fma_burst_gflops(long n)
{
    bench_vreal acc[BENCH_FMA_CHAINS], mul, add;
    for (int l = 0; l < BENCH_LANES; l++) {
        mul[l] = (tg_real)0.999999;
        add[l] = (tg_real)1e-7;
    }
#pragma GCC unroll 16
    for (int a = 0; a < BENCH_FMA_CHAINS; a++)
        acc[a] = add * (tg_real)(a + 1);
    const double t0 = bench_now();
    for (long i = 0; i < n; i++) {
        __asm__ volatile("" : "+v"(mul)); /* keeps the loop from being folded */
#pragma GCC unroll 16
        for (int a = 0; a < BENCH_FMA_CHAINS; a++)
            acc[a] = acc[a] * mul + add;
    }
    const double dt = bench_now() - t0;
    bench_vreal sum = acc[0];
#pragma GCC unroll 16
    for (int a = 1; a < BENCH_FMA_CHAINS; a++)
        sum += acc[a];
    __asm__ volatile("" ::"v"(sum)); /* the chains' results are used */
    return 2.0 * BENCH_LANES * BENCH_FMA_CHAINS * (double)n / dt * 1e-9;
}

/* The fastest of n_bursts bursts: a burst that lost the CPU to another
 * process only looks slower. */
static inline double bench_fma_peak_gflops(int n_bursts, long steps)
{
    double best = 0;
    for (int b = 0; b < n_bursts; b++) {
        const double g = bench_fma_burst_gflops(steps);
        best = g > best ? g : best;
    }
    return best;
}

/* The peak per core that bench's and bench_gemm's headings give: the
 * fastest of 50 bursts of 200000 steps (about half a millisecond each). */
static inline double bench_fma_core_peak_gflops(void)
{
    return bench_fma_peak_gflops(50, 200000);
}

typedef struct bench_timing {
    double forward_ms, step_ms;
    size_t steady_mallocs; /* arena blocks malloc'd after the warm-up step */
} bench_timing;

/* Median time of a forward, and of a forward + backward seeded with ones,
 * of the built layer on the batch x; the tape is reset between runs, as in
 * training. */
static inline bench_timing bench_time_layer(tg_layer *layer, tg_tensor *x, int repeats)
{
    tg_tape *tape = tg_tape_new();
    tg_shape out = {layer->output_shape.ndim + 1, {x->shape.dim[0]}};
    for (int i = 0; i < layer->output_shape.ndim; i++)
        out.dim[i + 1] = layer->output_shape.dim[i];
    tg_tensor *ones = tg_tensor_ones(out);
    double *fw = malloc((size_t)repeats * sizeof *fw), *st = malloc((size_t)repeats * sizeof *st);
    size_t warm_mallocs = 0;
    for (int r = -1; r < repeats; r++) { /* r = -1 warms the arena up */
        tg_tape_reset(tape); /* the first reset trades the warm-up's blocks for one */
        if (r == 0)
            warm_mallocs = tape->arena.mallocs;
        tg_tensor_zero_grad(x);
        const double t0 = bench_now();
        tg_tensor *y = tg_layer_forward(layer, tape, x, 1);
        const double t1 = bench_now();
        tg_tape_backward_seeded(tape, y, ones->data);
        const double t2 = bench_now();
        if (r >= 0) {
            fw[r] = 1e3 * (t1 - t0);
            st[r] = 1e3 * (t2 - t0);
        }
    }
    bench_timing t = {bench_median(fw, repeats), bench_median(st, repeats),
                      tape->arena.mallocs - warm_mallocs};
    free(fw);
    free(st);
    tg_tensor_free(ones);
    tg_tape_free(tape);
    return t;
}

/* The reference path layers[0] and the fused layers[1] of one layer, timed
 * in turn for `rounds` rounds (so a noisy moment hits both): the best
 * round's forward and forward + backward of each, and the arena blocks
 * malloc'd after the warm-up over all rounds. */
static inline void bench_time_paths(tg_layer *const layers[2], tg_tensor *x, int repeats,
                                    int rounds, bench_timing t[2])
{
    for (int round = 0; round < rounds; round++)
        for (int p = 0; p < 2; p++) {
            const bench_timing r = bench_time_layer(layers[p], x, repeats);
            if (round == 0 || r.forward_ms < t[p].forward_ms)
                t[p].forward_ms = r.forward_ms;
            if (round == 0 || r.step_ms < t[p].step_ms)
                t[p].step_ms = r.step_ms;
            t[p].steady_mallocs = round ? t[p].steady_mallocs + r.steady_mallocs : r.steady_mallocs;
        }
}

/* One row of the paths' table after its two label columns: forward and
 * forward + backward ms of each path, the fused path's speed-ups, its
 * GFLOP/s over a forward + backward of 3 flop, the mallocs. */
static inline void bench_print_paths(const bench_timing t[2], double flop)
{
    printf("%9.3f %9.3f %11.3f %11.3f %7.1fx %7.1fx %9.2f %7zu\n", t[0].forward_ms,
           t[1].forward_ms, t[0].step_ms, t[1].step_ms, t[0].forward_ms / t[1].forward_ms,
           t[0].step_ms / t[1].step_ms, 3 * flop / t[1].step_ms * 1e-6,
           t[0].steady_mallocs + t[1].steady_mallocs);
}

#endif
