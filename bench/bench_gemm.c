/* GFLOP/s of tg_gemm at the sizes the document's two models use (batch 32),
 * with 1 and 2 threads, against the machine's FMA peak and, when built
 * with `make BLAS=openblas`, against OpenBLAS timed in the same rounds.
 *
 *     bench_gemm [--quick]
 *
 * The peak is the FMA rate of one core times the threads, measured as
 * bench measures it (bench_support.h): twelve independent chains of vector
 * FMAs on the widest vectors the build targets, 2 flops per lane per FMA,
 * the fastest of 50 bursts (a burst that lost the CPU only looks slower);
 * no clock rate or count of FMA units is assumed. bench's GEMM table heads
 * with the same figure (its %peak pairs each round with a shorter measure
 * of it, taken just before).
 * Machines are noisy: each product is timed in several rounds, first
 * tg_gemm's, then OpenBLAS's; the table shows the median and
 * the fastest round, and GFLOP/s, % of peak and the ratio come from the
 * fastest (the best estimate of what the code can do when it has the
 * core). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tapegrad.h"
#include "bench/bench_support.h"

#ifdef TG_BENCH_OPENBLAS
#include <cblas.h>
#endif

/* Many short rounds: on a busy machine some of them run undisturbed. */
#define MAX_ROUNDS 31

typedef struct product {
    const char *name;
    int ta, tb, m, n, k;
    tg_real beta; /* backward products accumulate into the gradient */
} product;

static const product products[] = {
    {"conv2d im2col forward", 0, 0, 21632, 32, 9, 0},
    {"conv2d dW = cols^T dY", 1, 0, 9, 32, 21632, 1},
    {"conv2d dcols = dY W^T", 0, 1, 21632, 9, 32, 1},
    {"lstm recurrent h W_h", 0, 0, 32, 256, 64, 0},
    {"lstm dh = dG W_h^T", 0, 1, 32, 64, 256, 1},
    {"lstm dW_h = h^T dG", 1, 0, 64, 256, 32, 1},
    {"lstm input proj x W_x", 0, 0, 416, 256, 416, 0},
    {"lstm dx = dG W_x^T", 0, 1, 416, 416, 256, 1},
    {"lstm dW_x = x^T dG", 1, 0, 416, 256, 416, 1},
    {"dense x W", 0, 0, 32, 32, 64, 0},
    {"dense dx = dY W^T", 0, 1, 32, 64, 32, 1},
    {"dense dW = x^T dY", 1, 0, 64, 32, 32, 1},
};
enum { N_PRODUCTS = sizeof products / sizeof products[0] };

static tg_real *random_matrix(tg_rng *rng, long count)
{
    tg_real *x = malloc(sizeof(tg_real) * (size_t)count);
    for (long i = 0; i < count; i++)
        x[i] = (tg_real)(2 * tg_rng_uniform(rng) - 1);
    return x;
}

static void run_ours(const product *p, const tg_real *a, const tg_real *b, tg_real *c)
{
    const int lda = p->ta ? p->m : p->k, ldb = p->tb ? p->k : p->n;
    tg_gemm(p->ta, p->tb, p->m, p->n, p->k, 1, a, lda, b, ldb, p->beta, c, p->n);
}

#ifdef TG_BENCH_OPENBLAS
static void run_openblas(const product *p, const tg_real *a, const tg_real *b, tg_real *c)
{
    const int lda = p->ta ? p->m : p->k, ldb = p->tb ? p->k : p->n;
    const enum CBLAS_TRANSPOSE ta = p->ta ? CblasTrans : CblasNoTrans;
    const enum CBLAS_TRANSPOSE tb = p->tb ? CblasTrans : CblasNoTrans;
#ifdef TG_REAL_FLOAT
    cblas_sgemm(CblasRowMajor, ta, tb, p->m, p->n, p->k, 1, a, lda, b, ldb, p->beta, c, p->n);
#else
    cblas_dgemm(CblasRowMajor, ta, tb, p->m, p->n, p->k, 1, a, lda, b, ldb, p->beta, c, p->n);
#endif
}
#endif

typedef void (*gemm_fn)(const product *, const tg_real *, const tg_real *, tg_real *);

/* Seconds per call of one round of reps calls. */
static double time_round(gemm_fn fn, const product *p, const tg_real *a, const tg_real *b,
                         tg_real *c, int reps)
{
    double t0 = bench_now();
    for (int r = 0; r < reps; r++)
        fn(p, a, b, c);
    return (bench_now() - t0) / reps;
}

int main(int argc, char **argv)
{
    int quick = argc > 1 && strcmp(argv[1], "--quick") == 0;
    const int rounds = quick ? 3 : MAX_ROUNDS;
    const double round_seconds = quick ? 0.001 : 0.003;
    const double core_peak = bench_fma_core_peak_gflops();
    printf("tg_gemm in %s: FMA peak per core %.1f GFLOP/s, measured (%d independent chains of "
           "%d-lane FMAs, 2 flops per lane); %%peak: of that peak times the threads\n",
           TG_REAL_NAME, core_peak, BENCH_FMA_CHAINS, BENCH_LANES);
#ifdef TG_BENCH_OPENBLAS
    printf("OpenBLAS %s, kernels for %s (OPENBLAS_CORETYPE chooses others); ob/ours = OpenBLAS time / tg_gemm time\n",
           openblas_get_config(), openblas_get_corename());
#endif
    printf("%-24s %4s %6s %4s %6s %3s %9s %9s %8s %6s", "product", "form", "m", "n", "k", "thr",
           "med us", "min us", "GFLOP/s", "%peak");
#ifdef TG_BENCH_OPENBLAS
    printf(" %9s %9s %8s %8s", "ob med", "ob min", "GFLOP/s", "ob/ours");
#endif
    printf("\n");

    tg_rng rng;
    tg_rng_seed(&rng, 42);
    for (int i = 0; i < N_PRODUCTS; i++) {
        const product *p = &products[i];
        tg_real *a = random_matrix(&rng, (long)p->m * p->k);
        tg_real *b = random_matrix(&rng, (long)p->k * p->n);
        tg_real *c = random_matrix(&rng, (long)p->m * p->n);
        const double flops = 2.0 * p->m * p->n * p->k;
        for (int threads = 1; threads <= 2; threads++) {
            tg_set_threads(threads);
            run_ours(p, a, b, c);
            int reps = (int)(round_seconds / time_round(run_ours, p, a, b, c, 1)) + 1;
            double ours[MAX_ROUNDS] = {0}, theirs[MAX_ROUNDS] = {0};
            for (int r = 0; r < rounds; r++)
                ours[r] = time_round(run_ours, p, a, b, c, reps);
#ifdef TG_BENCH_OPENBLAS
            /* After a call, OpenBLAS's threads keep spinning for about 0.1 s
             * (its THREAD_TIMEOUT): timed after ours, then given time to
             * sleep, they never compete with tg_gemm for a core. */
            openblas_set_num_threads(threads);
            run_openblas(p, a, b, c);
            for (int r = 0; r < rounds; r++)
                theirs[r] = time_round(run_openblas, p, a, b, c, reps);
            nanosleep(&(struct timespec){0, 300000000}, NULL);
#endif
            const double t = bench_median(ours, rounds), gflops = flops / ours[0] * 1e-9;
            char form[3] = {p->ta ? 'T' : 'N', p->tb ? 'T' : 'N', 0};
            printf("%-24s %4s %6d %4d %6d %3d %9.1f %9.1f %8.1f %5.0f%%", p->name, form, p->m,
                   p->n, p->k, threads, t * 1e6, ours[0] * 1e6, gflops,
                   100 * gflops / (core_peak * threads));
#ifdef TG_BENCH_OPENBLAS
            const double tb = bench_median(theirs, rounds);
            printf(" %9.1f %9.1f %8.1f %8.2f", tb * 1e6, theirs[0] * 1e6, flops / theirs[0] * 1e-9,
                   theirs[0] / ours[0]);
#else
            (void)theirs;
#endif
            printf("\n");
        }
        free(a);
        free(b);
        free(c);
    }
    return 0;
}
