/* Tutorial 7: training choices (section 3.2 step 5, and its last section's
 * "how to optimise": loss, optimizer, L1/L2, early stopping).
 *
 * One small classification problem (points in a square, "inside the
 * circle?", some labels flipped) and one small network, trained several
 * ways from the same initial weights, so that only the choice differs:
 * MSE vs cross-entropy, gradient descent vs SGD with momentum vs Adam, no
 * penalty vs L1 vs L2, and early stopping. Each formula is checked by hand
 * before it is used; the curves of every run go into one gnuplot figure.
 * docs/tutorial-07-training.md is the page that goes with it. */
#include "tutorials/training.h"

/* Few training points and many hidden units: a network that can learn the
 * flipped labels by heart, so that overfitting shows within a second. */
enum { N_TRAIN = 60, N_VAL = 400, HIDDEN = 64 };
#define SEED 7
#define RADIUS2 0.64 /* (0.8)^2: the circle covers half of the square [-1, 1]^2 */
#define NOISE 0.15   /* the fraction of labels flipped */
#define NO_PENALTY ((tg_regularizer){0, 0})

/* n points uniform in [-1, 1]^2, y = 1 inside the circle, a fraction NOISE
 * of the labels flipped (so a perfect fit of the training set is a bad
 * fit of the truth, which is what the penalties and early stopping are
 * for). */
static void make_points(int n, uint64_t seed, tg_tensor **x, tg_tensor **y)
{
    tg_rng rng;
    tg_rng_seed(&rng, seed);
    *x = tg_tensor_zeros(TG_SHAPE(n, 2));
    *y = tg_tensor_zeros(TG_SHAPE(n, 1));
    for (int i = 0; i < n; i++) {
        double a = 2 * tg_rng_uniform(&rng) - 1, b = 2 * tg_rng_uniform(&rng) - 1;
        int inside = a * a + b * b < RADIUS2;
        if (tg_rng_uniform(&rng) < NOISE)
            inside = !inside;
        TG_AT(*x, i, 0) = (tg_real)a;
        TG_AT(*x, i, 1) = (tg_real)b;
        TG_AT(*y, i, 0) = (tg_real)inside;
    }
}

/* Dense(HIDDEN, relu) -> Dense(1, sigmoid), compiled; the same seed gives
 * the same initial weights every time. */
static tg_model *make_model(tg_regularizer reg, tg_optimizer *opt, tg_loss loss)
{
    tg_model *m = tg_model_new(TG_SHAPE(2), SEED);
    tg_layer *hidden = tg_model_add(m, tg_dense(HIDDEN, TG_RELU));
    tg_layer *out = tg_model_add(m, tg_dense(1, TG_SIGMOID));
    if (reg.l1 > 0 || reg.l2 > 0) {
        tg_model_regularize(m, hidden, reg);
        tg_model_regularize(m, out, reg);
    }
    tg_model_compile(m, opt, loss, TG_METRIC_ACCURACY);
    return m;
}

typedef struct {
    const tg_tensor *x, *y, *x_val, *y_val;
} problem;

/* One run: fit with validation data, save the history's CSV. */
static void run(tg_steps *s, const problem *p, tg_model *m, int epochs, int batch, tg_history *h,
                const char *csv_name)
{
    tg_fit_opts o = tg_fit_defaults();
    o.epochs = epochs;
    o.batch_size = batch;
    o.x_val = p->x_val;
    o.y_val = p->y_val;
    o.verbose = 0;
    tg_training_expect_ok(s, tg_model_fit(m, p->x, p->y, &o, h));
    char path[1024];
    tg_training_expect_ok(s, tg_history_save_csv(h, tg_training_path(path, sizeof path, csv_name)));
}

/* The first epoch whose training accuracy reached `level` (0: never). */
static int first_epoch_at(const tg_history *h, double level)
{
    for (int e = 0; e < h->n_epochs; e++)
        if (h->metric[0][e] >= level)
            return e + 1;
    return 0;
}

/* The gradient of a loss of sigmoid(z) with respect to z, by the tape. */
static void loss_gradient(tg_loss loss, const tg_tensor *zv, const tg_tensor *y, tg_real *dz)
{
    tg_tensor *z = tg_tensor_clone(zv);
    tg_tensor_requires_grad(z);
    tg_tape *tape = tg_tape_new();
    tg_tensor *yt = tg_tensor_clone(y);
    tg_tape_backward(tape, tg_loss_compute(tape, loss, tg_sigmoid(tape, z), yt));
    memcpy(dz, z->grad, z->size * sizeof *dz);
    tg_tape_free(tape);
    tg_tensor_free(yt);
    tg_tensor_free(z);
}

/* Sum |w| and sqrt(sum w^2) over the model's kernels (not the biases,
 * which the penalties leave alone), and how many |w| < 0.01. */
static void kernel_norms(const tg_model *m, double *l1, double *l2, int *small, int *count)
{
    *l1 = *l2 = 0;
    *small = *count = 0;
    for (int i = 0; i < m->n_layers; i++) {
        const tg_layer *layer = m->layers[i];
        for (int k = 0; k < layer->n_params; k++) {
            if (!layer->is_kernel[k])
                continue;
            const tg_tensor *w = layer->params[k];
            for (size_t j = 0; j < w->size; j++) {
                *l1 += fabs((double)w->data[j]);
                *l2 += (double)w->data[j] * (double)w->data[j];
                *small += fabs((double)w->data[j]) < 0.01;
                (*count)++;
            }
        }
    }
    *l2 = sqrt(*l2);
}

/* The accuracy and binary cross-entropy of m on x, y without any penalty:
 * what the penalties cost (or gain) on data the model did not see. */
static void data_scores(tg_model *m, const tg_tensor *x, const tg_tensor *y, double *bce,
                        double *acc)
{
    tg_tensor *p = tg_model_predict(m, x, 64);
    *bce = *acc = 0;
    for (size_t k = 0; k < p->size; k++) {
        double q = fmin(fmax((double)p->data[k], TG_LOSS_EPSILON), 1 - TG_LOSS_EPSILON);
        double t = (double)y->data[k];
        *bce -= t * log(q) + (1 - t) * log(1 - q);
        *acc += (q >= 0.5) == (t != 0);
    }
    *bce /= (double)p->size;
    *acc /= (double)p->size;
    tg_tensor_free(p);
}

/* ---- the optimizers' update rules, by hand, on L(w) = 1/2 |w - w*|^2 ---- */

enum { NW = 3, OPT_STEPS = 3 };
static const double w_start[NW] = {0.5, -0.3, 0.1}, w_star[NW] = {-0.2, 0.4, 0.1};

/* The library's optimizer, OPT_STEPS steps, g = w - w* each time. */
static void library_steps(tg_optimizer *opt, tg_real *w_out)
{
    tg_tensor *w = tg_tensor_zeros(TG_SHAPE(NW));
    tg_tensor_requires_grad(w);
    for (int k = 0; k < NW; k++)
        w->data[k] = (tg_real)w_start[k];
    for (int t = 0; t < OPT_STEPS; t++) {
        for (int k = 0; k < NW; k++)
            w->grad[k] = w->data[k] - (tg_real)w_star[k];
        tg_optimizer_step(opt, &w, 1);
    }
    memcpy(w_out, w->data, sizeof(tg_real) * NW);
    tg_optimizer_free(opt);
    tg_tensor_free(w);
}

static void show_weights(const char *label, const double *w)
{
    printf("  %-28s [", label);
    for (int k = 0; k < NW; k++)
        tg_steps_num(w[k]);
    printf(" ]\n");
}

/* The library's weights against the ones worked out by hand (in double,
 * rounded to tg_real for the comparison). */
static void expect_weights(tg_steps *s, const char *what, const tg_real *got, const double *want)
{
    tg_real by_hand[NW];
    for (int k = 0; k < NW; k++)
        by_hand[k] = (tg_real)want[k];
    tg_steps_expect_all(s, what, got, by_hand, NW);
}

static void check_update_rules(tg_steps *s)
{
    const double eta = 0.1, mu = 0.9, b1 = 0.9, b2 = 0.999, eps = 1e-7;
    double gd[NW], sgd[NW], vel[NW] = {0}, adam[NW], m[NW] = {0}, v[NW] = {0};
    memcpy(gd, w_start, sizeof gd);
    memcpy(sgd, w_start, sizeof sgd);
    memcpy(adam, w_start, sizeof adam);
    for (int t = 1; t <= OPT_STEPS; t++) {
        /* eta_t = eta sqrt(1 - beta_2^t) / (1 - beta_1^t) */
        const double eta_t = eta * sqrt(1 - pow(b2, t)) / (1 - pow(b1, t));
        for (int k = 0; k < NW; k++) {
            /* w <- w - eta g */
            gd[k] = gd[k] - eta * (gd[k] - w_star[k]);
            /* v <- mu v - eta g */
            vel[k] = mu * vel[k] - eta * (sgd[k] - w_star[k]);
            /* w <- w + v */
            sgd[k] = sgd[k] + vel[k];
            const double g = adam[k] - w_star[k];
            /* m <- b1 m + (1 - b1) g */
            m[k] = b1 * m[k] + (1 - b1) * g;
            /* v <- b2 v + (1 - b2) g^2 */
            v[k] = b2 * v[k] + (1 - b2) * g * g;
            /* w <- w - eta_t m / (sqrt(v) + eps) */
            adam[k] = adam[k] - eta_t * m[k] / (sqrt(v[k]) + eps);
        }
    }
    show_weights("w_0", w_start);
    show_weights("w* (the minimum)", w_star);
    show_weights("GD, 3 steps, by hand", gd);
    show_weights("SGD momentum, by hand", sgd);
    show_weights("Adam, by hand", adam);
    tg_real got[NW];
    library_steps(tg_optimizer_sgd(eta, 0, 0), got);
    expect_weights(s, "tg_optimizer_sgd(0.1, 0)", got, gd);
    library_steps(tg_optimizer_sgd(eta, mu, 0), got);
    expect_weights(s, "tg_optimizer_sgd(0.1, 0.9)", got, sgd);
    library_steps(tg_optimizer_adam(eta), got);
    expect_weights(s, "tg_optimizer_adam(0.1)", got, adam);
    tg_steps_say("  GD closes 10% of the remaining gap per step; momentum gathers speed;\n"
                 "  Adam moves every weight by about eta at first, whatever the size of its\n"
                 "  gradient (and not at all where g = 0).");
}

/* ---- the penalties' gradients, by hand ---- */

static void check_penalty_gradients(tg_steps *s)
{
    const tg_regularizer r = tg_l1_l2(0.01, 0.02);
    tg_layer *dense = tg_dense(2, TG_LINEAR);
    tg_rng rng;
    tg_rng_seed(&rng, SEED);
    tg_layer_build(dense, TG_SHAPE(3), &rng);
    tg_tensor *w = dense->params[0];
    tg_steps_tensor("W", w);
    tg_tensor_requires_grad(w);
    tg_tensor_zero_grad(w);
    tg_tape *tape = tg_tape_new();
    tg_tensor *omega = tg_regularizer_penalty(tape, dense, r);
    double want = 0;
    tg_real dw[6];
    for (size_t k = 0; k < w->size; k++) {
        double wk = (double)w->data[k];
        /* Omega = l1 sum |w| + l2 sum w^2 */
        want += r.l1 * fabs(wk) + r.l2 * wk * wk;
        /* dOmega/dw = l1 sign(w) + 2 l2 w */
        dw[k] = (tg_real)(r.l1 * (wk > 0 ? 1 : wk < 0 ? -1 : 0) + 2 * r.l2 * wk);
    }
    tg_steps_expect(s, "Omega, l1 = 0.01, l2 = 0.02", omega->data[0], want, TG_STEPS_TOL);
    tg_tape_backward(tape, omega);
    tg_steps_grad("tape dOmega/dW", w);
    tg_steps_values("by hand", dw, w->shape);
    tg_steps_expect_all(s, "tape dOmega/dW = by hand", w->grad, dw, w->size);
    tg_tape_free(tape);
    tg_layer_free(dense);
}

/* ---- the figure ---- */

static const char *const csv_names[] = {"07_mse.csv",  "07_bce.csv", "07_gd.csv",
                                        "07_sgd.csv",  "07_adam.csv", "07_none.csv",
                                        "07_l1.csv",   "07_l2.csv",   "07_early.csv"};
enum { N_CSV = sizeof csv_names / sizeof csv_names[0] };

/* Four panels, one per choice, in one gnuplot script: drawn into a PNG and
 * as text. The panels are one string evaluated twice, so both agree. */
static void write_figure(tg_steps *s, int best_epoch, int stopped_epoch)
{
    char gp[1024], png[1024], txt[1024], f[N_CSV][1024];
    for (int i = 0; i < N_CSV; i++)
        tg_training_path(f[i], sizeof f[i], csv_names[i]);
    tg_training_path(gp, sizeof gp, "07_training.gp");
    tg_training_path(png, sizeof png, "07_training.png");
    tg_training_path(txt, sizeof txt, "07_training.txt");
    FILE *g = fopen(gp, "w");
    if (!g) {
        tg_training_expect_ok(s, tg_status_error("cannot write %s", gp));
        return;
    }
    fprintf(g, "# The training curves of tutorial 7 (run: gnuplot %s)\n", gp);
    fprintf(g, "set datafile separator ','\nset key autotitle columnhead\nset xlabel 'epoch'\n");
    fprintf(g, "panels = \"set multiplot layout 2,2; set key bottom right; "
               "set title 'MSE vs cross-entropy from a saturated output: training accuracy'; "
               "plot '%s' using 1:4 with lines lw 2 title 'MSE', "
               "'%s' using 1:4 with lines lw 2 title 'cross-entropy'; ",
            f[0], f[1]);
    fprintf(g, "set key top right; set title 'GD vs SGD vs Adam: training loss'; "
               "plot '%s' using 1:2 with lines lw 2 title 'GD', "
               "'%s' using 1:2 with lines lw 2 title 'SGD + momentum', "
               "'%s' using 1:2 with lines lw 2 title 'Adam'; ",
            f[2], f[3], f[4]);
    fprintf(g, "set key bottom right; set title 'penalties: validation loss (with the penalty)'; "
               "plot '%s' using 1:3 with lines lw 2 title 'none', "
               "'%s' using 1:3 with lines lw 2 title 'L1', "
               "'%s' using 1:3 with lines lw 2 title 'L2'; ",
            f[5], f[6], f[7]);
    fprintf(g, "set title 'early stopping: best epoch %d, stopped at %d'; "
               "set arrow 1 from %d, graph 0 to %d, graph 1 nohead dt 2; "
               "plot '%s' using 1:2 with lines lw 2 title 'loss', "
               "'%s' using 1:3 with lines lw 2 title 'val loss', "
               "'%s' using 1:3 with lines lw 1 dt 2 title 'val loss, not stopped'; "
               "unset arrow 1; unset multiplot\"\n",
            best_epoch, stopped_epoch, best_epoch, best_epoch, f[8], f[8], f[5]);
    fprintf(g, "set terminal pngcairo noenhanced size 1200,850\nset output '%s'\nset grid\n"
               "eval panels\n",
            png);
    fprintf(g, "set terminal dumb noenhanced size 150,60\nset output '%s'\nunset grid\n"
               "eval panels\nset output\n",
            txt);
    int bad = ferror(g);
    bad |= fclose(g) != 0;
    if (bad)
        tg_training_expect_ok(s, tg_status_error("write failed on %s", gp));
    printf("  CSV     %s/", tg_training_dir());
    for (int i = 0; i < N_CSV; i++)
        printf("%s%s", csv_names[i], i == 4 ? "\n          " : i + 1 < N_CSV ? " " : "\n");
    int drawn = tg_training_gnuplot(gp);
    tg_training_say_plot(gp, png, txt);
    tg_training_show_text(txt, drawn);
}

int main(int argc, char **argv)
{
    tg_steps s;
    tg_steps_start(&s, argc, argv, "Tutorial 7: training choices (section 3.2, step 5)");

    tg_steps_step(&s, "One problem for every run: inside the circle?",
                  "x uniform in [-1, 1]^2,  y = [x1^2 + x2^2 < 0.64],  15% of the labels flipped");
    tg_tensor *x, *y, *xv, *yv;
    make_points(N_TRAIN, SEED, &x, &y);
    make_points(N_VAL, SEED + 1, &xv, &yv);
    const problem p = {x, y, xv, yv};
    double inside = 0;
    for (int i = 0; i < N_TRAIN; i++)
        inside += y->data[i];
    printf("  %d training points (%.0f labelled inside), %d validation points\n", N_TRAIN, inside,
           N_VAL);
    tg_steps_say("  The model: Dense(64, relu) -> Dense(1, sigmoid), 257 weights, the same\n"
                 "  initial weights in every run (seed 7). About 0.85 is the best accuracy\n"
                 "  to hope for on new points: 15% of their labels are wrong on purpose. 257\n"
                 "  weights for 60 points: enough to learn the wrong labels by heart too.");

    tg_steps_step(&s, "MSE vs cross-entropy at the output: the gradient through the sigmoid",
                  "p = sigma(z):  MSE (p - y)^2  ->  dL/dz = 2 (p - y) p (1 - p)\n"
                  "               BCE -[y log p + (1 - y) log(1 - p)]  ->  dL/dz = p - y");
    enum { NZ = 5 };
    tg_tensor *z = tg_tensor_from(TG_SHAPE(NZ), (const tg_real[]){-6, -2, 0, 2, 6});
    tg_tensor *ones = tg_tensor_ones(TG_SHAPE(NZ));
    tg_real d_mse[NZ], d_bce[NZ];
    loss_gradient(TG_LOSS_MSE, z, ones, d_mse);
    loss_gradient(TG_LOSS_BCE, z, ones, d_bce);
    printf("  every label y = 1; the losses average over the %d elements, hence a factor 1/%d\n",
           NZ, NZ);
    printf("  %10s %10s %12s %12s\n", "z", "p", "dMSE/dz", "dBCE/dz");
    double worst = 0;
    for (int k = 0; k < NZ; k++) {
        double pk = 1 / (1 + exp(-(double)z->data[k]));
        printf("  ");
        tg_steps_num(z->data[k]);
        tg_steps_num(pk);
        printf("  ");
        tg_steps_num(d_mse[k]);
        printf("  ");
        tg_steps_num(d_bce[k]);
        printf("\n");
        worst = fmax(worst, fabs(d_mse[k] - 2 * (pk - 1) * pk * (1 - pk) / NZ));
        worst = fmax(worst, fabs(d_bce[k] - (pk - 1) / NZ));
    }
    tg_steps_expect(&s, "max |tape - formula|", worst, 0, TG_STEPS_TOL);
    tg_steps_say("  At z = -6 the model is confidently wrong: cross-entropy pushes with almost\n"
                 "  full force (p - y = -0.998), MSE barely at all (its gradient carries the\n"
                 "  sigmoid's slope p (1 - p) = 0.0025). Even at z = 0 MSE pushes half as hard.");
    tg_tensor_free(z);
    tg_tensor_free(ones);

    tg_steps_step(&s, "MSE vs cross-entropy, trained from a saturated output",
                  "SGD, eta = 0.5, batch 10, 60 epochs, from an output bias b = -5\n"
                  "(so p is about 0.007 for every point at first)");
    tg_history h_mse, h_bce;
    tg_model *m = make_model(NO_PENALTY, tg_optimizer_sgd(0.5, 0, 0), TG_LOSS_MSE);
    tg_tensor_fill(tg_model_layer(m, "dense_1")->params[1], -5);
    run(&s, &p, m, 60, 10, &h_mse, "07_mse.csv");
    tg_model_free(m);
    m = make_model(NO_PENALTY, tg_optimizer_sgd(0.5, 0, 0), TG_LOSS_BCE);
    tg_tensor_fill(tg_model_layer(m, "dense_1")->params[1], -5);
    run(&s, &p, m, 60, 10, &h_bce, "07_bce.csv");
    tg_model_free(m);
    printf("  %-26s %9s %9s %9s %9s\n", "training accuracy", "epoch 1", "epoch 10", "epoch 30",
           "epoch 60");
    const tg_history *pair[2] = {&h_mse, &h_bce};
    for (int i = 0; i < 2; i++) {
        printf("  %-26s", i ? "cross-entropy" : "MSE");
        tg_training_num(pair[i]->metric[0][0]);
        tg_training_num(pair[i]->metric[0][9]);
        tg_training_num(pair[i]->metric[0][29]);
        tg_training_num(pair[i]->metric[0][59]);
        printf("\n");
    }
    const int reach_mse = first_epoch_at(&h_mse, 0.75), reach_bce = first_epoch_at(&h_bce, 0.75);
    printf("  first epoch with training accuracy >= 0.75: MSE %d, cross-entropy %d\n", reach_mse,
           reach_bce);
    tg_training_expect_below(&s, "cross-entropy gets there first", reach_bce,
                             reach_mse ? reach_mse : 61);
    tg_steps_say("  MSE sits on a plateau while p (1 - p) is tiny; cross-entropy leaves at once.\n"
                 "  For a probability, cross-entropy is the loss; MSE is for numbers\n"
                 "  (the document's regression: `tapegrad train regression`).");

    tg_steps_step(&s, "The optimizers' update rules, checked by hand",
                  "GD:        w <- w - eta g\n"
                  "momentum:  v <- mu v - eta g,  w <- w + v\n"
                  "Adam:      m <- b1 m + (1 - b1) g,  v <- b2 v + (1 - b2) g^2,\n"
                  "           w <- w - eta sqrt(1 - b2^t) / (1 - b1^t) m / (sqrt(v) + eps)");
    tg_steps_say("  On L(w) = 1/2 |w - w*|^2 (so g = w - w*), eta = 0.1, mu = 0.9, b1 = 0.9,\n"
                 "  b2 = 0.999, eps = 1e-7, three steps:");
    check_update_rules(&s);

    tg_steps_step(&s, "GD vs SGD vs Adam on the problem",
                  "GD: one step per epoch on all 60 points; SGD, Adam: batches of 10, 6 steps");
    tg_history h_gd, h_sgd, h_adam;
    enum { E = 40 };
    m = make_model(NO_PENALTY, tg_optimizer_sgd(0.5, 0, 0), TG_LOSS_BCE);
    run(&s, &p, m, E, 0, &h_gd, "07_gd.csv");
    tg_model_free(m);
    m = make_model(NO_PENALTY, tg_optimizer_sgd(0.05, 0.9, 0), TG_LOSS_BCE);
    run(&s, &p, m, E, 10, &h_sgd, "07_sgd.csv");
    tg_model_free(m);
    m = make_model(NO_PENALTY, tg_optimizer_adam(0.01), TG_LOSS_BCE);
    run(&s, &p, m, E, 10, &h_adam, "07_adam.csv");
    tg_model_free(m);
    printf("  %-30s %9s %9s %9s\n", "training loss", "epoch 1", "epoch 10", "epoch 40");
    const char *opt_name[3] = {"GD, eta 0.5", "SGD, eta 0.05, momentum 0.9", "Adam, eta 0.01"};
    const tg_history *three[3] = {&h_gd, &h_sgd, &h_adam};
    for (int i = 0; i < 3; i++) {
        printf("  %-30s", opt_name[i]);
        tg_training_num(three[i]->loss[0]);
        tg_training_num(three[i]->loss[9]);
        tg_training_num(three[i]->loss[E - 1]);
        printf("\n");
    }
    tg_training_expect_below(&s, "SGD's final loss < GD's", h_sgd.loss[E - 1], h_gd.loss[E - 1]);
    tg_training_expect_below(&s, "Adam's final loss < GD's", h_adam.loss[E - 1], h_gd.loss[E - 1]);
    tg_steps_say("  Per epoch GD takes one exact step, the mini-batch methods six noisy ones:\n"
                 "  on the same passes over the data they get further. The FAQ's \"batch GD or\n"
                 "  SGD to improve training speed\" lumps together the slowest of the three\n"
                 "  (full-batch GD) and what is faster: mini-batches (docs/errata.md).");

    tg_steps_step(&s, "L1 and L2 penalties: the gradients they add",
                  "Omega = l1 sum |w| + l2 sum w^2  ->  dOmega/dw = l1 sign(w) + 2 l2 w\n"
                  "(kernels only, never biases, as Keras's kernel_regularizer)");
    check_penalty_gradients(&s);
    tg_steps_say("  L2 pulls each weight toward 0 in proportion to its size (weight decay);\n"
                 "  L1 by the same step whatever its size, so small weights end at 0.");

    tg_steps_step(&s, "No penalty vs L1 vs L2, trained the same way",
                  "Adam, eta = 0.02, batch 10, 150 epochs; l1 = 0.001 or l2 = 0.001 on both kernels");
    tg_history h_none, h_l1, h_l2;
    const tg_regularizer regs[3] = {NO_PENALTY, tg_l1(0.001), tg_l2(0.001)};
    tg_history *hs[3] = {&h_none, &h_l1, &h_l2};
    const char *reg_name[3] = {"none", "L1", "L2"};
    double n1[3], n2[3], vbce[3];
    printf("  %-5s %9s %9s %12s %9s %9s\n", "run", "sum |w|", "|w|_2", "|w| < 0.01", "val BCE",
           "val acc");
    for (int i = 0; i < 3; i++) {
        m = make_model(regs[i], tg_optimizer_adam(0.02), TG_LOSS_BCE);
        run(&s, &p, m, 150, 10, hs[i], csv_names[5 + i]);
        int small, count;
        double acc;
        kernel_norms(m, &n1[i], &n2[i], &small, &count);
        data_scores(m, xv, yv, &vbce[i], &acc);
        printf("  %-5s", reg_name[i]);
        tg_training_num(n1[i]);
        tg_training_num(n2[i]);
        printf("   %3d of %3d", small, count);
        tg_training_num(vbce[i]);
        tg_training_num(acc);
        printf("\n");
        tg_model_free(m);
    }
    tg_steps_say("  (val BCE: the data's loss alone, without the penalty)");
    tg_training_expect_below(&s, "L2's |w|_2 < no penalty's", n2[2], n2[0]);
    tg_training_expect_below(&s, "L1's sum |w| < no penalty's", n1[1], n1[0]);
    tg_training_expect_below(&s, "L2's val BCE < no penalty's", vbce[2], vbce[0]);
    tg_training_expect_below(&s, "L1's val BCE < no penalty's", vbce[1], vbce[0]);
    tg_steps_say("  Without a penalty, large weights fit the flipped labels and the loss on\n"
                 "  new points grows; small weights draw a smoother boundary. L1 zeroes\n"
                 "  many weights outright (the most under 0.01).");

    tg_steps_step(&s, "Early stopping: stop when val_loss has not improved for `patience` epochs",
                  "best = argmin_e val_loss(e);  stop at epoch best + patience;  restore w(best)");
    m = make_model(NO_PENALTY, tg_optimizer_adam(0.02), TG_LOSS_BCE);
    tg_fit_opts o = tg_fit_defaults();
    o.epochs = 150;
    o.batch_size = 10;
    o.x_val = xv;
    o.y_val = yv;
    o.verbose = 0;
    o.early_stopping = (tg_early_stopping_opts){.enabled = 1, .monitor = "val_loss", .patience = 10,
                                                .restore_best_weights = 1};
    tg_history h_early;
    tg_training_expect_ok(&s, tg_model_fit(m, x, y, &o, &h_early));
    char path[1024];
    tg_training_expect_ok(
        &s, tg_history_save_csv(&h_early, tg_training_path(path, sizeof path, csv_names[8])));
    int argmin = 0;
    for (int e = 1; e < h_early.n_epochs; e++)
        if (h_early.val_loss[e] < h_early.val_loss[argmin])
            argmin = e;
    printf("  The run without a penalty above, now with patience 10: it ran %d of 150 epochs.\n",
           h_early.n_epochs);
    printf("  %5s %9s %9s\n", "epoch", "loss", "val_loss");
    for (int e = argmin - 2 < 0 ? 0 : argmin - 2; e < h_early.n_epochs; e++) {
        printf("  %5d", e + 1);
        tg_training_num(h_early.loss[e]);
        tg_training_num(h_early.val_loss[e]);
        printf("%s\n", e == argmin ? "   <- the lowest val_loss" : "");
    }
    printf("  not stopped, epoch 150:");
    tg_training_num(h_none.loss[149]);
    tg_training_num(h_none.val_loss[149]);
    printf("\n");
    tg_steps_expect(&s, "stopped epoch = best + 10", h_early.stopped_epoch, argmin + 1 + 10, 0);
    tg_steps_expect(&s, "best epoch = argmin", h_early.best_epoch, argmin + 1, 0);
    double restored;
    tg_training_expect_ok(&s, tg_model_evaluate(m, xv, yv, 64, &restored, NULL));
    tg_steps_expect(&s, "val_loss now = val_loss(best)", restored, h_early.val_loss[argmin],
                    TG_STEPS_TOL);
    tg_steps_say("  The training loss keeps falling; the validation loss turns: from there on\n"
                 "  the model learns the flipped labels, not the circle. The weights of the\n"
                 "  best epoch were copied aside when it ended, and are back in the model.");
    tg_model_free(m);

    tg_steps_step(&s, "Every curve in one figure", "");
    write_figure(&s, h_early.best_epoch, h_early.stopped_epoch);

    tg_history *all[] = {&h_mse, &h_bce, &h_gd, &h_sgd, &h_adam, &h_none, &h_l1, &h_l2, &h_early};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        tg_history_free(all[i]);
    tg_tensor_free(x);
    tg_tensor_free(y);
    tg_tensor_free(xv);
    tg_tensor_free(yv);
    return tg_steps_finish(&s);
}
