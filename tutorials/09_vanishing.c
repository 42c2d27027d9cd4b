/* Tutorial 9: the vanishing gradient, measured.
 *
 * The document (section 2.1) says the LSTM's gates solve the vanishing-
 * gradient problem of plain recurrent nets. Here it is measured instead of
 * asserted: Keras's SimpleRNN worked by hand for three steps; then, for a
 * loss on the last step only, how much gradient reaches the input of every
 * earlier step, for SimpleRNN and for the document's LSTM with forget-gate
 * bias 0, 1 and 3, with and without peepholes; then a task that needs a long
 * memory, trained for several lengths T. docs/tutorial-09-vanishing.md is
 * the page that goes with it.
 *
 * --long trains the memory task longer, on more data and three seeds (a
 * few minutes); the page shows the default run, what `make docs` runs. */
#include "tapegrad.h"
#include "tutorials/training.h"

/* ---- step 1: three steps by hand ---- */

/* docs/pictures/simple_rnn.png draws the same tape (tapegrad graph simple_rnn). */
static const double W = 0.8, U = 0.5, B = 0.1;
static const tg_real X3[3] = {1.0, -0.5, 0.25};

static tg_tensor *param(tg_layer *layer, const char *name)
{
    for (int k = 0; k < layer->n_params; k++)
        if (!strcmp(layer->params[k]->name, name))
            return layer->params[k];
    tg_fatal("tutorial: %s has no parameter %s", layer->name, name);
}

static void by_hand(tg_steps *s)
{
    tg_rng rng;
    tg_rng_seed(&rng, 1);
    tg_layer *rnn = tg_simple_rnn((tg_simple_rnn_opts){.units = 1});
    rnn->path = TG_PATH_REFERENCE;
    tg_layer_build(rnn, TG_SHAPE(3, 1), &rng);
    param(rnn, "kernel")->data[0] = (tg_real)W;
    param(rnn, "recurrent_kernel")->data[0] = (tg_real)U;
    param(rnn, "bias")->data[0] = (tg_real)B;
    tg_tensor *x = tg_tensor_from(TG_SHAPE(1, 3, 1), X3);
    tg_tensor_requires_grad(x);
    tg_tape *tape = tg_tape_new();
    tg_tensor *h_T;
    tg_simple_rnn_run(rnn, tape, x, NULL, &h_T);
    tg_tape_backward(tape, tg_sum(tape, h_T));

    printf("  W = %.1f, U = %.1f, b = %.1f, h_0 = 0, x = (%.2f, %.2f, %.2f), L = h_3\n\n", W, U, B,
           (double)X3[0], (double)X3[1], (double)X3[2]);
    double h[4] = {0};
    printf("  forward    t   x_t W + h_{t-1} U + b   h_t = tanh(.)\n");
    for (int t = 1; t <= 3; t++) {
        const double z = (double)X3[t - 1] * W + h[t - 1] * U + B;
        h[t] = tanh(z);
        printf("             %d   %5.2f %+.4f %+.1f = %7.4f   %9.6f\n", t, (double)X3[t - 1] * W,
               h[t - 1] * U, B, z, h[t]);
    }
    printf("\n  backward   t   dL/dh_t    dz_t = dL/dh_t (1 - h_t^2)   dL/dx_t = W dz_t   tape\n");
    double dh = 1;
    for (int t = 3; t >= 1; t--) {
        const double dz = dh * (1 - h[t] * h[t]), tape_dx = (double)x->grad[t - 1];
        const int ok = fabs(W * dz - tape_dx) <= TG_STEPS_TOL;
        printf("             %d   %8.6f   %8.6f                     %8.6f           %8.6f  %s\n",
               t, dh, dz, W * dz, tape_dx, ok ? "ok" : "FAIL");
        tg_steps_count(s, ok);
        dh = U * dz; /* dL/dh_{t-1} = dz_t U */
    }
    tg_steps_say("  Each step back multiplies the gradient by U (1 - h_t^2): by at most U = 0.5\n"
                 "  here. With H units it is the matrix diag(1 - h_t^2) U^T, and over T - t steps\n"
                 "  a product of T - t such matrices: unless they are close to norm 1, the\n"
                 "  gradient reaching x_t shrinks (or grows) geometrically with the distance.");
    tg_tape_free(tape);
    tg_tensor_free(x);
    tg_layer_free(rnn);
}

/* ---- step 3: one measurement, written out ---- */

/* ||dL/dx_t|| of sequence 0 for L = sum(h_T): the tape does it all. */
static void measure_once(const tg_vanishing_cell *cell, const tg_vanishing_opts *o, double *norms)
{
    tg_rng rng;
    tg_rng_seed(&rng, o->seed);
    tg_layer *layer = tg_vanishing_layer(cell, o, &rng);
    tg_tensor *x = tg_tensor_normal(TG_SHAPE(1, o->steps, o->input_dim), &rng, 0, 1);
    tg_tensor_requires_grad(x);
    tg_tape *tape = tg_tape_new();
    tg_tensor *h_T;
    tg_simple_rnn_run(layer, tape, x, NULL, &h_T);
    /* L = sum(h_T) */
    tg_tape_backward(tape, tg_sum(tape, h_T));
    for (int t = 0; t < o->steps; t++) {
        double sq = 0;
        for (int d = 0; d < o->input_dim; d++)
            sq += (double)x->grad[t * o->input_dim + d] * (double)x->grad[t * o->input_dim + d];
        norms[t] = sqrt(sq);
    }
    tg_tape_free(tape);
    tg_tensor_free(x);
    tg_layer_free(layer);
}

/* ---- step 4: a text plot ---- */

enum { PLOT_ROWS = 12, PLOT_COLS = 50, DECADES_PER_ROW = 2 };

/* log10 ||dL/dx_t|| over t, one character per curve (a later curve covers
 * an earlier one where they meet), 2 decades a row. */
static void text_plot(const double *const *curves, const char *marks, int n, int T)
{
    char grid[PLOT_ROWS][PLOT_COLS + 1];
    memset(grid, ' ', sizeof grid);
    for (int c = 0; c < n; c++)
        for (int col = 0; col < PLOT_COLS; col++) {
            const int t = col * T / PLOT_COLS;
            const double down = -log10(curves[c][t]) / DECADES_PER_ROW;
            const int row = (int)floor(down + 0.5);
            if (row >= 0 && row < PLOT_ROWS)
                grid[row][col] = marks[c];
        }
    for (int r = 0; r < PLOT_ROWS; r++) {
        grid[r][PLOT_COLS] = '\0';
        if (r % 2 == 0)
            printf("  1e%-4d |%s|\n", -r * DECADES_PER_ROW, grid[r]);
        else
            printf("         |%s|\n", grid[r]);
    }
    printf("         +");
    for (int col = 0; col < PLOT_COLS; col++)
        putchar(col % 10 == 0 ? '+' : '-');
    printf("+\n          t = 1");
    for (int col = 10; col < PLOT_COLS; col += 10)
        printf("%*d", 10, col * T / PLOT_COLS + 1);
    printf("%*d\n", 10, T);
}

/* ---- step 7: the memory task ---- */

typedef struct {
    int train, test, epochs, batch, units, seeds;
} memory_opts;

/* x_1 = +-1 (the label: 1 for +1), x_2..x_T ~ N(0, 1): the cell must carry
 * one sign across T - 1 steps of noise. */
static void memory_data(int N, int T, uint64_t seed, tg_tensor **x, tg_tensor **y)
{
    tg_rng rng;
    tg_rng_seed(&rng, seed);
    *x = tg_tensor_zeros(TG_SHAPE(N, T, 1));
    *y = tg_tensor_zeros(TG_SHAPE(N, 1));
    for (int n = 0; n < N; n++) {
        const int up = (int)tg_rng_below(&rng, 2);
        TG_AT(*x, n, 0, 0) = up ? 1 : -1;
        TG_AT(*y, n, 0) = (tg_real)up;
        for (int t = 1; t < T; t++)
            TG_AT(*x, n, t, 0) = (tg_real)tg_rng_normal(&rng);
    }
}

/* Test accuracy of the cell after training on the task of length T. */
static double memory_accuracy(const tg_vanishing_cell *cell, int T, const memory_opts *o,
                              uint64_t seed)
{
    tg_model *m = tg_model_new(TG_SHAPE(T, 1), seed);
    tg_layer *l = cell->lstm ? tg_lstm((tg_lstm_opts){.units = o->units, .peephole = cell->peephole})
                             : tg_simple_rnn((tg_simple_rnn_opts){.units = o->units});
    tg_model_add(m, l);
    if (cell->lstm)
        tg_tensor_fill(param(l, "b_f"), (tg_real)cell->forget_bias);
    tg_model_add(m, tg_dense(1, TG_SIGMOID));
    tg_model_compile(m, tg_optimizer_adam(1e-2), TG_LOSS_BCE, TG_METRIC_ACCURACY);
    tg_tensor *x, *y, *x_test, *y_test;
    memory_data(o->train, T, seed + 100, &x, &y);
    memory_data(o->test, T, seed + 200, &x_test, &y_test);
    tg_fit_opts f = tg_fit_defaults();
    f.epochs = o->epochs;
    f.batch_size = o->batch;
    f.clip_norm = 1;
    f.verbose = 0;
    tg_history h;
    tg_status st = tg_model_fit(m, x, y, &f, &h);
    double loss, acc = 0;
    if (tg_is_ok(&st))
        st = tg_model_evaluate(m, x_test, y_test, o->test, &loss, &acc);
    tg_history_free(&h);
    tg_tensor_free(x);
    tg_tensor_free(y);
    tg_tensor_free(x_test);
    tg_tensor_free(y_test);
    tg_model_free(m);
    return tg_is_ok(&st) ? acc : 0; /* a run that diverged has learnt nothing */
}

/* Reads --long (and leaves --step to tg_steps_start). */
static int take_long(int *argc, char **argv)
{
    int found = 0, k = 1;
    for (int i = 1; i < *argc; i++) {
        if (!strcmp(argv[i], "--long"))
            found = 1;
        else
            argv[k++] = argv[i];
    }
    *argc = k;
    return found;
}

enum { T_MAX = 100 };
static const int lengths[] = {10, 25, 50, 100};
#define N_LENGTHS ((int)(sizeof lengths / sizeof lengths[0]))
/* The memory task's lengths: T = 100 only with --long (no cell learns it
 * in the default run's budget, and it costs as much as the rest). */
static const int memory_lengths[] = {10, 20, 50, 100};
enum { N_MEMORY_MAX = 4 };

int main(int argc, char **argv)
{
    const int longer = take_long(&argc, argv);
    tg_steps s;
    tg_steps_start(&s, argc, argv, "Tutorial 9: the vanishing gradient, measured");
    int n_cells;
    const tg_vanishing_cell *cells = tg_vanishing_cells(&n_cells);

    tg_steps_step(&s, "SimpleRNN, three steps by hand (Keras's SimpleRNN, one unit)",
                  "h_t = tanh(x_t W + h_{t-1} U + b),  and back:  dz_t = dL/dh_t (1 - h_t^2),\n"
                  "dL/dx_t = dz_t W^T,  dL/dh_{t-1} = dz_t U^T");
    by_hand(&s);

    tg_steps_step(&s, "Both paths, held against finite differences",
                  "reference: the equation as tape ops;  fused: one op, backward by hand");
    for (int p = 0; p < 2; p++) {
        const tg_path path = p ? TG_PATH_FUSED : TG_PATH_REFERENCE;
        for (int rs = 0; rs < 2; rs++) {
            tg_gradcheck_report r = tg_simple_rnn_gradcheck(
                (tg_simple_rnn_opts){.units = 4, .return_sequences = rs}, path, 2, 5, 3, 9);
            printf("  gradcheck simple_rnn %-9s %-16s %s  max rel err %.1e  (%zu checked)\n",
                   p ? "fused" : "reference", rs ? "every h_t" : "h_T", r.passed ? "PASS" : "FAIL",
                   r.max_rel_err, r.checked);
            tg_steps_count(&s, r.passed);
        }
    }
    tg_steps_say("  (tests/test_simple_rnn.c also holds fused == reference on every value and\n"
                 "  gradient, and both to the one-unit case of step 1.)");

    tg_vanishing_opts vo = tg_vanishing_defaults();
    tg_steps_step(&s, "The measurement: a loss on the last step only",
                  "L = sum_j h_T[j],   how much reaches step t:  ||dL/dx_t||,  t = 1..T");
    printf("  One SimpleRNN (H = %d, D = %d, Keras's initialisers), one sequence x_t ~ N(0, 1)\n"
           "  of T = %d steps: build, forward, L, backward, read x.grad[t] (measure_once in\n"
           "  tutorials/09_vanishing.c).\n",
           vo.units, vo.input_dim, vo.steps);
    double once[T_MAX], lib[T_MAX];
    tg_vanishing_opts one = vo;
    one.seeds = 1;
    one.batch = 1;
    measure_once(&cells[0], &one, once);
    tg_vanishing_profile(&cells[0], &one, lib);
    static const int shown[] = {100, 91, 76, 51, 26, 1};
    enum { N_SHOWN = 6 };
    printf("  t             ");
    for (int k = 0; k < N_SHOWN; k++)
        printf(" %8d", shown[k]);
    printf("\n  ||dL/dx_t||   ");
    for (int k = 0; k < N_SHOWN; k++)
        printf(" %8.1e", once[shown[k] - 1]);
    printf("\n");
    double worst = 0;
    for (int t = 0; t < vo.steps; t++)
        worst = fmax(worst, fabs(lib[t] - once[t]) / once[t]);
    printf("  tg_vanishing_profile (one seed, one sequence) says the same: max rel diff %.1e  %s\n",
           worst, worst <= 1e-9 ? "ok" : "FAIL");
    tg_steps_count(&s, worst <= 1e-9);
    tg_steps_say("  The library averages over many sequences and seeds: the geometric mean,\n"
                 "  10^mean(log10 ||dL/dx_t||), the average a log scale shows.");

    tg_steps_step(&s, "Seven cells, averaged over 5 seeds x 16 sequences (T = 100, H = 32)",
                  "SimpleRNN;  LSTM with b_f = 0, 1 (Keras's unit_forget_bias), 3;\n"
                  "the same with the document's four peepholes, drawn U(-0.5, 0.5)");
    double prof[16][T_MAX];
    for (int c = 0; c < n_cells; c++)
        tg_vanishing_profile(&cells[c], &vo, prof[c]);
    printf("  ||dL/dx_t|| at t =       ");
    for (int k = 0; k < N_SHOWN; k++)
        printf(" %8d", shown[k]);
    printf("\n");
    for (int c = 0; c < n_cells; c++) {
        printf("  %-24s", cells[c].label);
        for (int k = 0; k < N_SHOWN; k++)
            printf(" %8.1e", prof[c][shown[k] - 1]);
        printf("\n");
    }
    printf("\n  log10 ||dL/dx_t||, 0 1 3 = LSTM b_f = 0 1 3 (no peepholes), S = SimpleRNN (on top):\n");
    const double *curves[4] = {prof[1], prof[2], prof[3], prof[0]};
    text_plot(curves, "013S", 4, vo.steps);
    tg_steps_say("  All seven curves in colour: docs/pictures/vanishing.png.");

    tg_steps_step(&s, "How fast the gradient at t = 1 falls with T",
                  "||dL/dx_1|| for T = 10, 25, 50, 100;  per step: (||.||_{T=100} / ||.||_{T=10})^(1/90)");
    double first[16][N_LENGTHS], rate[16];
    printf("  %-24s", "||dL/dx_1||, T =");
    for (int k = 0; k < N_LENGTHS; k++)
        printf(" %8d", lengths[k]);
    printf("   per step\n");
    for (int c = 0; c < n_cells; c++) {
        for (int k = 0; k < N_LENGTHS; k++) {
            tg_vanishing_opts o = vo;
            o.steps = lengths[k];
            double norms[T_MAX];
            tg_vanishing_profile(&cells[c], &o, norms);
            first[c][k] = norms[0];
        }
        rate[c] = pow(first[c][N_LENGTHS - 1] / first[c][0],
                      1.0 / (lengths[N_LENGTHS - 1] - lengths[0]));
        printf("  %-24s", cells[c].label);
        for (int k = 0; k < N_LENGTHS; k++)
            printf(" %8.1e", first[c][k]);
        printf("   x %.2f\n", rate[c]);
    }
    const int L100 = N_LENGTHS - 1;
    printf("\n  SimpleRNN loses a factor %.2f a step: %.0e of the gradient is left at T = 100.\n",
           rate[0], first[0][L100]);
    for (int c = 1; c < n_cells; c++)
        printf("  %-22s x %.2f a step, %s SimpleRNN (%.0e at T = 100)\n", cells[c].label,
               rate[c], rate[c] < rate[0] ? "faster than" : "slower than", first[c][L100]);
    tg_training_expect_below(&s, "SimpleRNN: ||dL/dx_1|| at T = 100 < at T = 10",
                             first[0][L100], first[0][0]);
    tg_training_expect_below(&s, "LSTM b_f = 0 vanishes faster than SimpleRNN", rate[1], rate[0]);
    tg_training_expect_below(&s, "LSTM b_f = 1 (Keras) keeps more than b_f = 0", rate[1], rate[2]);
    tg_training_expect_below(&s, "LSTM b_f = 3 keeps more than SimpleRNN", rate[0], rate[3]);
    tg_steps_say("  Not what the textbook says of every LSTM: the gates help only when the\n"
                 "  forget gate starts open. With b_f = 0 each f_t is about sigma(0) = 1/2 and\n"
                 "  dL/dc_{t-1} = dL/dc_t (.) f_t + ... halves at every step.");

    tg_steps_step(&s, "Peepholes that start at zero change nothing",
                  "W_ci = W_cf = W_cc = W_co = 0 (Keras-like):  the peephole terms add 0");
    tg_vanishing_opts zero = vo;
    zero.peephole_range = 0;
    double with_zero[T_MAX], without[T_MAX];
    tg_vanishing_profile(&cells[5], &zero, with_zero);
    tg_vanishing_profile(&cells[2], &zero, without);
    double diff = 0;
    for (int t = 0; t < vo.steps; t++)
        diff = fmax(diff, fabs(with_zero[t] - without[t]));
    tg_steps_expect(&s, "max |peephole - none|, b_f = 1", diff, 0, 0);
    tg_steps_say("  So the peephole rows above draw their W_c* at random: nonzero peepholes of\n"
                 "  that size let c_{t-1} open the gates, and keep much more of the gradient.");

    tg_steps_step(&s, "A task that needs a long memory: recall the first input",
                  "x_1 = +1 or -1 (the label),  x_2..x_T ~ N(0, 1),  y = [x_1 = +1] from h_T");
    const memory_opts mo = longer ? (memory_opts){512, 512, 40, 32, 16, 3}
                                  : (memory_opts){128, 256, 30, 16, 8, 1};
    printf("  The loss changes: now binary cross-entropy of Dense(1, sigmoid) on h_T.\n"
           "  Each cell (H = %d, peepholes starting at zero) trains %d epochs on %d sequences\n"
           "  (Adam 1e-2, batch %d, gradients clipped to norm 1), then is tested on %d new\n"
           "  ones%s; chance is 0.5, learned means accuracy >= 0.9.\n\n",
           mo.units, mo.epochs, mo.train, mo.batch, mo.test,
           mo.seeds > 1 ? " (mean of 3 seeds)" : "");
    const int n_memory = longer ? N_MEMORY_MAX : N_MEMORY_MAX - 1;
    double acc[16][N_MEMORY_MAX];
    printf("  %-24s", "test accuracy, T =");
    for (int k = 0; k < n_memory; k++)
        printf(" %6d", memory_lengths[k]);
    printf("   learns up to\n");
    for (int c = 0; c < n_cells; c++) {
        printf("  %-24s", cells[c].label);
        int up_to = 0, failed = 0;
        for (int k = 0; k < n_memory; k++) {
            acc[c][k] = 0;
            for (int seed = 0; seed < mo.seeds; seed++)
                acc[c][k] += memory_accuracy(&cells[c], memory_lengths[k], &mo, 7 + (uint64_t)seed);
            acc[c][k] /= mo.seeds;
            printf(" %5.2f%c", acc[c][k], acc[c][k] >= 0.9 ? '*' : ' ');
            failed |= acc[c][k] < 0.9;
            if (!failed)
                up_to = memory_lengths[k];
        }
        if (up_to)
            printf("   T = %d\n", up_to);
        else
            printf("   none\n");
        fflush(stdout);
    }
    tg_training_expect_below(&s, "SimpleRNN learns T = 10: 0.9 <", 0.9, acc[0][0] + 1e-9);
    tg_training_expect_below(&s, "LSTM b_f = 3 learns longer T than b_f = 0: accuracy at T = 50",
                             acc[1][2], acc[3][2]);
    tg_steps_say("  (* learned.)  Compare step 5: the forget gate that starts open (b_f = 3)\n"
                 "  carries the sign furthest; tutorials/09_vanishing --long trains longer, on\n"
                 "  more data and three seeds, up to T = 100.");
    return tg_steps_finish(&s);
}
