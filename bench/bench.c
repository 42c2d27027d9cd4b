/* The document's two models end to end, at batch 32, in the build's precision:
 *
 *   timeseries  (64, 4) -> Conv1D(32, 3, relu) -> MaxPool1D(2)
 *               -> LSTM(64, return_sequences) -> Dense(32, relu)
 *               -> Dense(1, sigmoid)                              binary cross-entropy
 *   images      (28, 28, 1) -> Conv2D(32, 3x3, relu) -> MaxPool2D(2x2)
 *               -> rows as steps -> LSTM(64) -> Dense(32, relu)
 *               -> Dense(10, softmax)                             categorical cross-entropy
 *
 * the LSTM with the document's peepholes (diagonal, with W_cc).
 * Phases: train (tg_model_train_step: forward + loss + backward + the finite
 * checks + Adam step) and infer (tg_model_predict), as fit and predict run
 * them: the batch in TG_MICRO_BATCHES micro-batches, each on a thread of its
 * own when there are threads (--micro M: M of them; 1: the batch whole on one
 * tape, the products split between the threads). Each row is timed over ROUNDS rounds of
 * STEPS steps after a warm-up; median and min of the rounds' mean step time,
 * the step's flops (bench_flops.h) and the median's share of the measured
 * FMA peak of the threads' cores, the speed-up over 1 thread and its
 * efficiency (speed-up / threads), and the peak RSS (getrusage) of the
 * process that ran the row (each row runs in a child process of its own).
 * Then the GFLOP/s of the models' main GEMMs at these sizes, timed alone,
 * against the FMA peak.
 *
 *     bench [--threads N] [--model timeseries|images] [--steps N] [--rounds N]
 *           [--micro M] [--quick] [--reference] [--json FILE] [--no-models] [--no-gemm]
 *     bench --epoch DIR [--threads N]
 *
 * The thread counts are 1, 2, 4, ... up to the machine's cores (and the
 * count of the cores itself); --threads N runs N threads alone, any N from
 * 1 to TG_MAX_THREADS (above the cores, the threads share them). --model
 * only that model; --reference times the layers' reference (tape-composed) paths
 * instead of the fused ones; --quick is a few steps for CI; --json writes
 * the rows as a JSON list. --epoch trains the
 * images model for one epoch over Fashion-MNIST's 60000 training images
 * in DIR (batch 32, shuffled, bytes turned into tg_real one batch at a
 * time) and prints {"epoch_s", "loss", "peak_rss_mb"} as JSON. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tapegrad.h"
#include "bench/bench_flops.h"
#include "bench/bench_support.h"

/* MAX_COUNTS: 1, 2, 4, ... 1024 and one more (the cores, or --threads). */
enum { BATCH = 32, MAX_ROUNDS = 64, MAX_COUNTS = 12, MAX_ROWS = 4 * MAX_COUNTS };

/* ---- the thread counts ---- */

typedef struct thread_counts {
    int n, count[MAX_COUNTS];
} thread_counts;

static int online_cores(void)
{
    const long cores = sysconf(_SC_NPROCESSORS_ONLN);
    return cores < 1 ? 1 : cores > TG_MAX_THREADS ? TG_MAX_THREADS : (int)cores;
}

/* `only` alone, or 1, 2, 4, ... up to the cores, and the cores themselves
 * when they are not a power of two. */
static thread_counts thread_counts_for(int only)
{
    thread_counts t = {0, {0}};
    if (only) {
        t.count[t.n++] = only;
        return t;
    }
    const int cores = online_cores();
    for (int c = 1; c <= cores; c *= 2)
        t.count[t.n++] = c;
    if (t.count[t.n - 1] != cores)
        t.count[t.n++] = cores;
    return t;
}

/* The cores that n threads can keep busy at once: what their share of
 * the peak is a share of. */
static int busy_cores(int threads)
{
    const int cores = online_cores();
    return threads < cores ? threads : cores;
}

/* ---- the two models and a batch for each ---- */

/* The library's builders of the document's models (apps/models.h), with
 * the document's diagonal peepholes, no regularizer and weight seed 42, then
 * Adam(1e-3) and the document's losses. */
static tg_model *timeseries_model(void)
{
    tg_model *m = tg_series_model(TG_SERIES_CNN_LSTM, 64, 4, /* binary */ 1,
                                       (tg_app_model_opts){.seed = 42});
    tg_model_compile(m, tg_optimizer_adam(1e-3), TG_LOSS_BCE, TG_METRIC_ACCURACY);
    return m;
}

static tg_model *images_model(void)
{
    tg_model *m = tg_images_model(28, 28, 10, (tg_app_model_opts){.seed = 42});
    tg_model_compile(m, tg_optimizer_adam(1e-3), TG_LOSS_CCE, TG_METRIC_ACCURACY);
    return m;
}

/* Inputs uniform in [0, 1); targets 0/1 per step (timeseries) or one-hot
 * (images), as the real data would be. */
static void make_batch(tg_model *m, int images, tg_tensor **x, tg_tensor **y)
{
    tg_rng rng;
    tg_rng_seed(&rng, 7);
    tg_shape xs = m->input_shape, ys = m->output_shape;
    memmove(xs.dim + 1, xs.dim, sizeof(int) * (size_t)xs.ndim);
    memmove(ys.dim + 1, ys.dim, sizeof(int) * (size_t)ys.ndim);
    xs.dim[0] = ys.dim[0] = BATCH;
    xs.ndim++;
    ys.ndim++;
    *x = tg_tensor_zeros(xs);
    *y = tg_tensor_zeros(ys);
    for (size_t i = 0; i < (*x)->size; i++)
        (*x)->data[i] = (tg_real)tg_rng_uniform(&rng);
    if (images) {
        const int classes = ys.dim[1];
        for (int n = 0; n < BATCH; n++)
            (*y)->data[n * classes + (int)(tg_rng_uniform(&rng) * classes)] = 1;
    } else {
        for (size_t i = 0; i < (*y)->size; i++)
            (*y)->data[i] = tg_rng_uniform(&rng) < 0.5 ? 0 : 1;
    }
}

/* t copied into the arena of m's tape, as fit gathers a batch. */
static tg_tensor *on_tape(tg_model *m, const tg_tensor *t)
{
    tg_tensor *c = tg_tape_tensor(m->tape, t->shape);
    memcpy(c->data, t->data, t->size * sizeof(tg_real));
    return c;
}

/* The library's step, as fit runs it (micro-batches, finite checks, Adam);
 * returns the loss of the batch (before the step). */
static double train_step(tg_model *m, const tg_tensor *x, const tg_tensor *y)
{
    tg_tape_reset(m->tape);
    double loss;
    const tg_status st = tg_model_train_step(m, on_tape(m, x), on_tape(m, y), 0, &loss);
    if (!tg_is_ok(&st)) {
        fprintf(stderr, "bench: %s\n", st.msg);
        exit(1);
    }
    return loss;
}

/* The library's inference, as predict runs it (micro-batches, no gradients). */
static void infer_step(tg_model *m, const tg_tensor *x)
{
    tg_tensor_free(tg_model_predict(m, x, 0));
}

typedef struct row {
    const char *model, *phase;
    int threads;
    double median_ms, min_ms, peak_rss_mb;
    double mflop; /* per step, counted (bench_flops.h) */
} row;

typedef struct settings {
    int steps, rounds, warmup;
    tg_path path; /* every layer's: fused (default) or reference */
    int micro;    /* micro-batches a step (TG_MICRO_BATCHES; 1: the batch whole on one tape) */
} settings;

static row time_model_here(int images, int train, int threads, settings s)
{
    tg_set_threads(threads);
    tg_model *m = images ? images_model() : timeseries_model();
    for (int i = 0; i < m->n_layers; i++)
        m->layers[i]->path = s.path;
    m->micro_batches = s.micro;
    tg_tensor *x, *y;
    make_batch(m, images, &x, &y);
    const double flops = bench_model_flops(m, BATCH, train);
    double per_step[MAX_ROUNDS];
    for (int r = -1; r < s.rounds; r++) { /* r = -1: the warm-up */
        const int steps = r < 0 ? s.warmup : s.steps;
        const double t0 = bench_now();
        for (int i = 0; i < steps; i++) {
            if (train)
                train_step(m, x, y);
            else
                infer_step(m, x);
        }
        if (r >= 0)
            per_step[r] = (bench_now() - t0) * 1e3 / steps;
    }
    tg_tensor_free(x);
    tg_tensor_free(y);
    tg_model_free(m);
    row out = {images ? "images" : "timeseries", train ? "train" : "infer", threads, 0, 0, 0,
               flops * 1e-6};
    out.median_ms = bench_median(per_step, s.rounds); /* sorts: per_step[0] is the min */
    out.min_ms = per_step[0];
    out.peak_rss_mb = bench_peak_rss_mb();
    return out;
}

/* Each row runs in a child process of its own, so that its peak RSS is the
 * row's alone (the heap an earlier row freed stays in a process's RSS), as
 * a user training only that model would see it. */
static row time_model(int images, int train, int threads, settings s)
{
    int fd[2];
    if (pipe(fd) != 0) {
        perror("bench: pipe");
        exit(1);
    }
    fflush(stdout);
    const pid_t pid = fork();
    if (pid < 0) {
        perror("bench: fork");
        exit(1);
    }
    if (pid == 0) {
        close(fd[0]);
        const row mine = time_model_here(images, train, threads, s);
        _exit(write(fd[1], &mine, sizeof mine) == (ssize_t)sizeof mine ? 0 : 1);
    }
    close(fd[1]);
    row out;
    const ssize_t got = read(fd[0], &out, sizeof out);
    close(fd[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    if (got != (ssize_t)sizeof out || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "bench: the process timing %s %s failed\n", images ? "images" : "timeseries",
                train ? "train" : "infer");
        exit(1);
    }
    return out;
}

/* ---- the main GEMMs of the two models, alone ---- */

/* samples > 0: the product is called once per sample, as the conv layers
 * call it: im2col has just written the sample's rows of cols, so op(A) is
 * read from cache (one block, the same for every sample here); C is the
 * sample's own block (its rows of Y, or its share of dW), and so is B when
 * b_per_sample (its rows of dY, read from memory). samples = 0: one call
 * over the whole batch, every operand read from memory. */
typedef struct product {
    const char *name;
    int ta, tb, m, n, k;
    int samples, b_per_sample;
} product;

/* Batch 32. timeseries: 62 conv steps of 3 x 4 inputs, 31 LSTM steps of
 * 32 inputs; images: 26 x 26 conv pixels of 3 x 3 inputs, 13 LSTM steps
 * of 13 x 32 inputs; 4H = 256 gate columns. */
static const product products[] = {
    {"ts   conv1d  cols_n W, x32", 0, 0, 62, 32, 12, 32, 0},
    {"ts   lstm    X W_x (all t)", 0, 0, 32 * 31, 256, 32, 0, 0},
    {"ts   lstm    dW_x = X^T dG", 1, 0, 32, 256, 32 * 31, 0, 0},
    {"img  conv2d  cols_n W, x32", 0, 0, 26 * 26, 32, 9, 32, 0},
    {"img  conv2d  cols W, one call", 0, 0, 32 * 26 * 26, 32, 9, 0, 0},
    {"img  conv2d  cols_n^T dY_n, x32", 1, 0, 9, 32, 26 * 26, 32, 1},
    {"img  conv2d  cols^T dY, one call", 1, 0, 9, 32, 32 * 26 * 26, 0, 0},
    {"img  lstm    X W_x (all t)", 0, 0, 32 * 13, 256, 416, 0, 0},
    {"img  lstm    dX = dG W_x^T", 0, 1, 32 * 13, 416, 256, 0, 0},
    {"img  lstm    dW_x = X^T dG", 1, 0, 416, 256, 32 * 13, 0, 0},
    {"both lstm    h_{t-1} W_h", 0, 0, 32, 256, 64, 0, 0},
};
enum { N_PRODUCTS = sizeof products / sizeof products[0] };

/* 64-byte aligned, as the arena tensors that the layers multiply are. */
static tg_real *aligned_matrix(size_t count)
{
    tg_real *m = aligned_alloc(64, (count * sizeof(tg_real) + 63) & ~(size_t)63);
    if (!m) {
        fprintf(stderr, "bench: out of memory for a %zu-value matrix\n", count);
        exit(1);
    }
    return m;
}

typedef struct {
    const product *p;
    const tg_real *a, *b;
    tg_real *c;
} gemm_call;

/* One call: sample s's rows of C, or all of C. */
static void run_call(void *ctx, int s)
{
    const gemm_call *g = ctx;
    const product *p = g->p;
    const int lda = p->ta ? p->m : p->k, ldb = p->tb ? p->k : p->n;
    const tg_real *b = g->b + (p->b_per_sample ? (size_t)s * (size_t)p->k * (size_t)p->n : 0);
    tg_gemm(p->ta, p->tb, p->m, p->n, p->k, 1, g->a, lda, b, ldb, 0,
            g->c + (size_t)s * (size_t)p->m * (size_t)p->n, p->n);
}

/* Per-sample calls are spread over the threads as the conv layers spread
 * their samples (tg_parallel_for); one call splits its own work. */
static double time_product(const product *p, int reps, const tg_real *a, const tg_real *b,
                           tg_real *c)
{
    gemm_call g = {p, a, b, c};
    const double t0 = bench_now();
    for (int r = 0; r < reps; r++)
        if (p->samples)
            tg_parallel_for(p->samples, run_call, &g);
        else
            run_call(&g, 0);
    return (bench_now() - t0) / reps;
}

/* Rounds per product. Each round of a product is paired with a measure of
 * the FMA peak taken just before it (the fastest of PAIR_BURSTS short
 * bursts), and its share of the peak is its GFLOP/s over that peak times
 * the cores the threads keep busy: on a shared machine whatever slows the
 * core for a while (a neighbour on the same physical core, a lower clock)
 * slows both, and a product timed in a slow moment is not compared with a
 * peak measured in a quiet one. The table gives the median round's time and share (what a
 * training run sees) and the best round's (what the code does when it has
 * the core). */
#define GEMM_ROUNDS 21
#define PAIR_BURSTS 3
#define PAIR_STEPS 20000L /* about 40 microseconds of FMAs */

static double best_of(const double *v, int n)
{
    double best = v[0];
    for (int i = 1; i < n; i++)
        best = v[i] > best ? v[i] : best;
    return best;
}

static void gemm_table(thread_counts counts, int quick)
{
    const double core_peak = bench_fma_core_peak_gflops();
    printf("\nmain GEMMs alone, %s: FMA peak per core %.1f GFLOP/s, measured (%d independent "
           "chains of %d-lane FMAs, 2 flops per lane); %%peak: of the peak measured just "
           "before each round\n",
           TG_REAL_NAME, core_peak, BENCH_FMA_CHAINS, BENCH_LANES);
    printf("%-33s %4s %6s %4s %6s %3s %9s %9s %8s %6s %6s\n", "product", "form", "m", "n", "k",
           "thr", "med us", "min us", "GFLOP/s", "%peak", "best");
    tg_rng rng;
    tg_rng_seed(&rng, 42);
    for (int i = 0; i < N_PRODUCTS; i++) {
        const product *p = &products[i];
        const int calls = p->samples ? p->samples : 1;
        const size_t na = (size_t)p->m * p->k;
        const size_t nb = (size_t)(p->b_per_sample ? calls : 1) * p->k * p->n;
        const size_t nc = (size_t)calls * p->m * p->n;
        tg_real *a = aligned_matrix(na), *b = aligned_matrix(nb), *c = aligned_matrix(nc);
        for (size_t j = 0; j < na; j++)
            a[j] = (tg_real)(2 * tg_rng_uniform(&rng) - 1);
        for (size_t j = 0; j < nb; j++)
            b[j] = (tg_real)(2 * tg_rng_uniform(&rng) - 1);
        const double flops = 2.0 * calls * p->m * p->n * p->k;
        for (int ti = 0; ti < counts.n; ti++) {
            const int threads = counts.count[ti];
            tg_set_threads(threads);
            const int reps = (int)((quick ? 1e6 : 2e7) / flops) + 1;
            double t[GEMM_ROUNDS], share[GEMM_ROUNDS];
            time_product(p, reps, a, b, c);
            for (int r = 0; r < GEMM_ROUNDS; r++) {
                const double peak =
                    bench_fma_peak_gflops(PAIR_BURSTS, PAIR_STEPS) * busy_cores(threads);
                t[r] = time_product(p, reps, a, b, c);
                share[r] = flops / t[r] * 1e-9 / peak;
            }
            const double best_share = best_of(share, GEMM_ROUNDS);
            const double med_share = bench_median(share, GEMM_ROUNDS);
            const double med = bench_median(t, GEMM_ROUNDS); /* sorted: t[0] is the fastest */
            printf("%-33s %3c%c %6d %4d %6d %3d %9.1f %9.1f %8.1f %5.0f%% %5.0f%%\n", p->name,
                   p->ta ? 'T' : 'N', p->tb ? 'T' : 'N', p->m, p->n, p->k, threads, med * 1e6,
                   t[0] * 1e6, flops / med * 1e-9, 100 * med_share, 100 * best_share);
        }
        free(a);
        free(b);
        free(c);
    }
}

/* ---- one Fashion-MNIST epoch ---- */

static int epoch(const char *dir, int threads)
{
    char images[4096], labels[4096];
    snprintf(images, sizeof images, "%s/train-images-idx3-ubyte.gz", dir);
    snprintf(labels, sizeof labels, "%s/train-labels-idx1-ubyte.gz", dir);
    tg_image_set set;
    tg_status st = tg_idx_load(images, labels, &set);
    if (!tg_is_ok(&st)) {
        fprintf(stderr, "bench: %s\n", st.msg);
        return 1;
    }
    tg_set_threads(threads);
    tg_model *m = images_model();
    tg_tensor *x = tg_tensor_zeros(TG_SHAPE(BATCH, set.rows, set.cols, 1));
    tg_tensor *y = tg_tensor_zeros(TG_SHAPE(BATCH, set.classes));
    size_t *order = malloc(sizeof(size_t) * set.count);
    tg_rng rng;
    tg_rng_seed(&rng, 42);
    for (size_t i = 0; i < set.count; i++)
        order[i] = i;
    for (size_t i = set.count - 1; i > 0; i--) {
        const size_t j = (size_t)(tg_rng_uniform(&rng) * (double)(i + 1));
        const size_t t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
    double loss = 0;
    const double t0 = bench_now();
    /* the last partial batch is dropped: the batch tensors have 32 rows */
    for (size_t start = 0; start + BATCH <= set.count; start += BATCH) {
        tg_image_set_batch(&set, order + start, BATCH, x, y);
        loss = train_step(m, x, y);
    }
    const double seconds = bench_now() - t0;
    printf("{\"epoch_s\": %.3f, \"loss\": %.4f, \"peak_rss_mb\": %.1f}\n", seconds, loss,
           bench_peak_rss_mb());
    free(order);
    tg_tensor_free(x);
    tg_tensor_free(y);
    tg_model_free(m);
    tg_image_set_free(&set);
    return 0;
}

/* ---- command line ---- */

static void usage(void)
{
    fprintf(stderr, "usage: bench [--threads N] [--model timeseries|images] [--steps N]\n"
                    "             [--rounds N] [--micro M] [--quick] [--reference] [--json FILE]\n"
                    "             [--no-models] [--no-gemm]\n"
                    "       bench --epoch DIR [--threads N]\n");
    exit(2);
}

/* A whole number from 1 to max for an option, or a one-line error naming
 * the option and what it got, and exit status 2. */
static int whole_number(const char *option, const char *s, int max)
{
    char *end;
    errno = 0;
    const long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < 1 || v > max) {
        fprintf(stderr, "bench: %s wants a whole number from 1 to %d, got '%.40s'\n", option, max,
                s);
        exit(2);
    }
    return (int)v;
}

static void write_json(const char *path, const row *rows, int n)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        exit(1);
    }
    fprintf(f, "[\n");
    for (int i = 0; i < n; i++)
        fprintf(f,
                "  {\"model\": \"%s\", \"phase\": \"%s\", \"real\": \"%s\", \"threads\": %d, "
                "\"median_ms\": %.4f, \"min_ms\": %.4f, \"peak_rss_mb\": %.1f, "
                "\"mflop\": %.3f}%s\n",
                rows[i].model, rows[i].phase, TG_REAL_NAME, rows[i].threads, rows[i].median_ms,
                rows[i].min_ms, rows[i].peak_rss_mb, rows[i].mflop, i + 1 < n ? "," : "");
    fprintf(f, "]\n");
    if (fclose(f) != 0) {
        perror(path);
        exit(1);
    }
}

/* The timings of both models, both phases and the thread counts; each
 * model and phase's rows are a scaling table: the speed-up of the median
 * over the 1-thread row's, and the efficiency, speed-up / threads. */
static void model_table(thread_counts counts, const char *only_model, settings s, const char *json)
{
    row rows[MAX_ROWS];
    int n = 0;
    const double core_peak = bench_fma_core_peak_gflops();
    printf("tapegrad, %s, %s paths, batch %d in %d micro-batches: %d rounds x %d steps after %d "
           "warm-up steps\n"
           "%d cores, FMA peak %.1f GFLOP/s a core (measured); MFLOP: the step's products; "
           "%%peak: the median's GFLOP/s over the peak of the cores the threads can use\n",
           TG_REAL_NAME, s.path == TG_PATH_REFERENCE ? "reference" : "fused", BATCH, s.micro, s.rounds,
           s.steps, s.warmup, online_cores(), core_peak);
    printf("%-10s %-5s %-6s %4s %10s %10s %8s %8s %6s %8s %5s %8s\n", "model", "phase", "real",
           "thr", "median ms", "min ms", "MFLOP", "GFLOP/s", "%peak", "speed-up", "eff", "RSS MB");
    for (int images = 0; images <= 1; images++)
        for (int train = 1; train >= 0; train--) {
            double one_thread_ms = 0;
            for (int ti = 0; ti < counts.n; ti++) {
                const int threads = counts.count[ti];
                if (only_model && strcmp(only_model, images ? "images" : "timeseries"))
                    continue;
                const row r = rows[n++] = time_model(images, train, threads, s);
                const double gflops = r.mflop / r.median_ms; /* MFLOP / ms */
                char speedup[16] = "-", efficiency[16] = "-";
                if (threads == 1)
                    one_thread_ms = r.median_ms;
                if (one_thread_ms > 0) {
                    const double x = one_thread_ms / r.median_ms;
                    snprintf(speedup, sizeof speedup, "%.2fx", x);
                    snprintf(efficiency, sizeof efficiency, "%.0f%%", 100 * x / threads);
                }
                printf("%-10s %-5s %-6s %4d %10.3f %10.3f %8.1f %8.1f %5.0f%% %8s %5s %8.1f\n",
                       r.model, r.phase, TG_REAL_NAME, threads, r.median_ms, r.min_ms, r.mflop,
                       gflops, 100 * gflops / (core_peak * busy_cores(threads)), speedup,
                       efficiency, r.peak_rss_mb);
                fflush(stdout);
            }
        }
    if (json)
        write_json(json, rows, n);
}

int main(int argc, char **argv)
{
    settings s = {100, 3, 20, TG_PATH_FUSED, TG_MICRO_BATCHES};
    int only_threads = 0, quick = 0, no_gemm = 0, no_models = 0;
    const char *json = NULL, *epoch_dir = NULL, *only_model = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--quick")) {
            quick = 1;
            s.steps = 3;
            s.warmup = 1;
        } else if (!strcmp(argv[i], "--no-gemm"))
            no_gemm = 1;
        else if (!strcmp(argv[i], "--reference"))
            s.path = TG_PATH_REFERENCE;
        else if (!strcmp(argv[i], "--no-models"))
            no_models = 1;
        else if (i + 1 < argc && !strcmp(argv[i], "--epoch"))
            epoch_dir = argv[++i];
        else if (i + 1 < argc && !strcmp(argv[i], "--threads"))
            only_threads = whole_number("--threads", argv[++i], TG_MAX_THREADS);
        else if (i + 1 < argc && !strcmp(argv[i], "--steps"))
            s.steps = whole_number("--steps", argv[++i], 100000);
        else if (i + 1 < argc && !strcmp(argv[i], "--rounds"))
            s.rounds = whole_number("--rounds", argv[++i], MAX_ROUNDS);
        else if (i + 1 < argc && !strcmp(argv[i], "--micro"))
            s.micro = whole_number("--micro", argv[++i], BATCH);
        else if (i + 1 < argc && !strcmp(argv[i], "--model")) {
            only_model = argv[++i];
            if (strcmp(only_model, "timeseries") && strcmp(only_model, "images")) {
                fprintf(stderr, "bench: --model wants timeseries or images, got '%.40s'\n",
                        only_model);
                exit(2);
            }
        }
        else if (i + 1 < argc && !strcmp(argv[i], "--json"))
            json = argv[++i];
        else
            usage();
    }
    if (epoch_dir)
        return epoch(epoch_dir, only_threads ? only_threads : 2);
    const thread_counts counts = thread_counts_for(only_threads);
    if (!no_models)
        model_table(counts, only_model, s, json);
    if (!no_gemm)
        gemm_table(counts, quick);
    return 0;
}
