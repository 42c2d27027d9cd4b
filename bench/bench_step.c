/* The library's own training step (tg_model_train_step) and inference
 * (tg_model_predict) of the document's two models at batch 32, as fit and
 * predict run them: split into micro-batches (the data-parallel step, the
 * default) or whole on one tape (micro_batches = 1, the products then split
 * between threads). Median milliseconds a step over
 * rounds of steps and the fastest round's, for each thread count asked,
 * and the speed-up of each over the first.
 *
 *     bench_step [--steps N] [--rounds N] [--micro M] [THREADS...]   (default: 1 2)
 *
 * Build with `make REAL=float` for single precision. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tapegrad.h"
#include "bench/bench_support.h"

enum { BATCH = 32, MAX_ROUNDS = 64, MAX_THREADS = 16 };

static tg_model *make_model(int images)
{
    const tg_app_model_opts o = {.seed = 42};
    tg_model *m = images ? tg_images_model(28, 28, 10, o)
                         : tg_series_model(TG_SERIES_CNN_LSTM, 64, 4, 1, o);
    tg_model_compile(m, tg_optimizer_adam(1e-3), images ? TG_LOSS_CCE : TG_LOSS_BCE,
                     TG_METRIC_ACCURACY);
    return m;
}

/* A batch of 32 for m as heap tensors: inputs uniform in [0, 1), one-hot or
 * 0/1 targets, from a fixed seed. */
static void make_batch(const tg_model *m, int images, tg_tensor **x, tg_tensor **y)
{
    tg_shape xs = {m->input_shape.ndim + 1, {BATCH}}, ys = {m->output_shape.ndim + 1, {BATCH}};
    memcpy(xs.dim + 1, m->input_shape.dim, (size_t)m->input_shape.ndim * sizeof(int));
    memcpy(ys.dim + 1, m->output_shape.dim, (size_t)m->output_shape.ndim * sizeof(int));
    *x = tg_tensor_new(xs);
    *y = tg_tensor_new(ys);
    tg_rng rng;
    tg_rng_seed(&rng, 7);
    for (size_t i = 0; i < (*x)->size; i++)
        (*x)->data[i] = (tg_real)tg_rng_uniform(&rng);
    const size_t classes = (size_t)m->output_shape.dim[m->output_shape.ndim - 1];
    for (size_t i = 0; i < (*y)->size; i++)
        (*y)->data[i] = images ? (tg_real)(i % classes == (i / classes) % classes)
                               : (tg_real)(tg_rng_uniform(&rng) < 0.5);
}

/* t copied into the arena of m's tape, as fit gathers a batch. */
static tg_tensor *on_tape(tg_model *m, const tg_tensor *t)
{
    tg_tensor *c = tg_tape_tensor(m->tape, t->shape);
    memcpy(c->data, t->data, t->size * sizeof(tg_real));
    return c;
}

/* The median and the fastest round's ms a step (the fastest: the code when
 * it had the core, on a machine shared with other work). */
static void step_ms(int images, int train, int threads, int micro, int steps, int rounds,
                    double *med, double *min)
{
    tg_set_threads(threads);
    tg_model *m = make_model(images);
    m->micro_batches = micro;
    tg_tensor *x, *y;
    make_batch(m, images, &x, &y);
    double per_step[MAX_ROUNDS] = {0};
    for (int r = -1; r < rounds; r++) { /* r = -1: the warm-up */
        const int n = r < 0 ? 5 : steps;
        const double t0 = bench_now();
        for (int s = 0; s < n; s++) {
            if (!train) {
                tg_tensor_free(tg_model_predict(m, x, 0));
                continue;
            }
            tg_tape_reset(m->tape);
            double loss;
            const tg_status st = tg_model_train_step(m, on_tape(m, x), on_tape(m, y), 0, &loss);
            if (!tg_is_ok(&st)) {
                fprintf(stderr, "bench_step: %s\n", st.msg);
                exit(1);
            }
        }
        if (r >= 0)
            per_step[r] = (bench_now() - t0) * 1e3 / n;
    }
    tg_tensor_free(x);
    tg_tensor_free(y);
    tg_model_free(m);
    *min = per_step[0];
    for (int r = 1; r < rounds; r++)
        *min = per_step[r] < *min ? per_step[r] : *min;
    *med = bench_median(per_step, rounds);
}

int main(int argc, char **argv)
{
    int steps = 100, rounds = 3, micro = TG_MICRO_BATCHES, threads[MAX_THREADS], n_threads = 0;
    for (int i = 1; i < argc; i++) {
        if (i + 1 < argc && !strcmp(argv[i], "--steps"))
            steps = atoi(argv[++i]);
        else if (i + 1 < argc && !strcmp(argv[i], "--rounds"))
            rounds = atoi(argv[++i]);
        else if (i + 1 < argc && !strcmp(argv[i], "--micro"))
            micro = atoi(argv[++i]);
        else if (n_threads < MAX_THREADS && atoi(argv[i]) >= 1)
            threads[n_threads++] = atoi(argv[i]);
        else {
            fprintf(stderr, "usage: bench_step [--steps N] [--rounds N] [--micro M] [THREADS...]\n");
            return 2;
        }
    }
    if (steps < 1 || rounds < 1 || rounds > MAX_ROUNDS || micro < 1 ||
        micro > TG_MAX_MICRO_BATCHES) {
        fprintf(stderr, "bench_step: steps >= 1, rounds 1 .. %d, micro 1 .. %d\n", MAX_ROUNDS,
                TG_MAX_MICRO_BATCHES);
        return 2;
    }
    if (n_threads == 0) {
        threads[n_threads++] = 1;
        threads[n_threads++] = 2;
    }
    printf("tg_model_train_step and tg_model_predict, %s, batch %d, %d micro-batches: median of %d rounds x %d steps\n",
           TG_REAL_NAME, BATCH, micro, rounds, steps);
    for (int row = 0; row < 4; row++) {
        const int images = row / 2, train = row % 2 == 0;
        double first = 0, first_min = 0;
        for (int t = 0; t < n_threads; t++) {
            double med, min;
            step_ms(images, train, threads[t], micro, steps, rounds, &med, &min);
            if (t == 0) {
                first = med;
                first_min = min;
            }
            printf("  %-10s %-5s %2d thread%s median %8.3f ms %5.2fx   min %8.3f ms %5.2fx\n",
                   images ? "images" : "timeseries", train ? "train" : "infer", threads[t],
                   threads[t] == 1 ? " " : "s", med, first / med, min, first_min / min);
        }
    }
    return 0;
}
