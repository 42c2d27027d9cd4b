/* Tutorial 6: the document's image model (section 4.2), in C.
 *
 * The document's Keras lines next to the C that mirrors them, with the one line
 * the document leaves out: its MaxPooling2D hands a 4-D tensor (N, 13, 13, 32)
 * straight to an LSTM, which wants (N, T, D) and refuses. Image rows become
 * time steps: (N, H, W, C) -> (N, H, W C). Then the summary, a few epochs
 * on the embedded shapes (28 x 28, ten classes), the history CSV and the
 * curve. docs/tutorial-06-images.md is the page that goes with it. */
#include <sys/wait.h>

#include "tapegrad.h"
#include "tutorials/training.h"

/* Small enough to train in a second or two, enough to learn something. */
enum { N_TRAIN = 320, N_VAL = 160, SIDE = 28, CLASSES = 10 };
#define SEED 42

/* The pixel grey levels as characters, darkest first. */
static void show_image(const tg_image_set *set, size_t k)
{
    static const char ramp[] = " .:-=+*#%@";
    printf("  image 0: %s (label %d)\n", tg_shape_class_names[set->labels[k]], set->labels[k]);
    for (int r = 0; r < set->rows; r++) {
        printf("    |");
        for (int c = 0; c < set->cols; c++) {
            int v = set->pixels[(k * (size_t)set->rows + (size_t)r) * (size_t)set->cols + (size_t)c];
            putchar(ramp[v * 10 / 256]);
        }
        printf("|\n");
    }
}

/* The whole set as Keras's X (N, 28, 28, 1) and one-hot y (N, 10). */
static void as_tensors(const tg_image_set *set, tg_tensor **x, tg_tensor **y)
{
    const int n = (int)set->count;
    size_t *index = tg_xmalloc((size_t)n * sizeof *index, "tutorial");
    for (int k = 0; k < n; k++)
        index[k] = (size_t)k;
    *x = tg_tensor_zeros(TG_SHAPE(n, set->rows, set->cols, 1));
    *y = tg_tensor_zeros(TG_SHAPE(n, set->classes));
    tg_image_set_batch(set, index, (size_t)n, *x, *y);
    free(index);
}

/* The fatal handler of the child below: the message on stdout (so it
 * lands in this page), then the exit status tg_fatal promises. _exit: the
 * child must not flush the parent's buffers twice or run its atexit work. */
static void say_and_exit(const char *message)
{
    printf("  %s\n", message);
    fflush(stdout);
    _exit(TG_FATAL_EXIT);
}

/* What the document literally writes: the LSTM right after MaxPooling2D. Run
 * in a child process, since a programming error stops the program. */
static int lstm_after_pool_exit_status(tg_model *m)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        tg_set_fatal_handler(say_and_exit);
        tg_model_add(m, tg_lstm((tg_lstm_opts){.units = 64}));
        _exit(0);
    }
    int st;
    if (pid < 0 || waitpid(pid, &st, 0) < 0)
        return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The categorical cross-entropy straight from its formula, in double. */
static double cce_by_hand(const tg_tensor *p, const tg_tensor *y)
{
    const int n = p->shape.dim[0], k = p->shape.dim[1];
    double sum = 0;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < k; j++) {
            double q = fmin(fmax((double)TG_AT(p, i, j), TG_LOSS_EPSILON), 1 - TG_LOSS_EPSILON);
            /* -sum_k y_k log p_k */
            sum -= (double)TG_AT(y, i, j) * log(q);
        }
    return sum / n;
}

/* For validation image 0: the model's probabilities p, scores z with
 * softmax(z) = p (z = log p will do: softmax adds a constant to every z_k
 * for free), and the tape's dL/dz next to p - y, for the loss on
 * probabilities and for the one on logits. */
static void softmax_cross_entropy(tg_steps *s, const tg_tensor *p_all, const tg_tensor *y_all)
{
    tg_tensor *z = tg_tensor_new(TG_SHAPE(1, CLASSES));
    tg_tensor *y = tg_tensor_new(TG_SHAPE(1, CLASSES));
    for (int k = 0; k < CLASSES; k++) {
        z->data[k] = (tg_real)log((double)TG_AT(p_all, 0, k));
        y->data[k] = TG_AT(y_all, 0, k);
    }
    tg_tensor_requires_grad(z);
    tg_tape *tape = tg_tape_new();
    tg_tensor *p = tg_softmax(tape, z);
    tg_tape_backward(tape, tg_loss_cce(tape, p, y));
    tg_real p_minus_y[CLASSES];
    for (int k = 0; k < CLASSES; k++)
        p_minus_y[k] = p->data[k] - y->data[k];
    printf("  k      ");
    for (int k = 0; k < CLASSES; k++)
        printf(" %7d", k);
    const struct {
        const char *label;
        const tg_real *v;
    } rows[] = {{"y_k", y->data}, {"p_k", p->data}, {"dL/dz_k", z->grad}, {"p_k - y_k", p_minus_y}};
    for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
        printf("\n  %-9s", rows[r].label);
        for (int k = 0; k < CLASSES; k++)
            printf(" %7.4f", (double)rows[r].v[k] == 0 ? 0.0 : (double)rows[r].v[k]);
    }
    printf("\n");
    tg_steps_expect_all(s, "tape dL/dz = p - y (softmax, then cce)", z->grad, p_minus_y, CLASSES);
    tg_tensor_zero_grad(z);
    tg_tape_reset(tape);
    tg_tape_backward(tape, tg_loss_cce_logits(tape, z, y));
    tg_steps_expect_all(s, "tape dL/dz = p - y (cce on logits)", z->grad, p_minus_y, CLASSES);
    tg_steps_say("  Over a batch of N the mean divides by N: dL/dz_nk = (p_nk - y_nk) / N (the\n"
                 "  derivation: docs/tutorial-06-images.md). On logits (Keras's from_logits=True,\n"
                 "  TG_LOSS_CCE_LOGITS) nothing is clipped: on probabilities p is clipped to\n"
                 "  [1e-7, 1 - 1e-7] before the log, and a p below 1e-7 gets no gradient.");
    tg_tape_free(tape);
    tg_tensor_free(z);
    tg_tensor_free(y);
}

int main(int argc, char **argv)
{
    tg_steps s;
    tg_steps_start(&s, argc, argv, "Tutorial 6: the image model of the document, section 4.2");

    tg_steps_step(&s, "The data: embedded images of ten shapes (section 3.2, step 1)",
                  "x = pixel / 255 in [0, 1],   y = one-hot(label), 10 classes");
    tg_image_set train, val;
    tg_synthetic_shapes(&train, N_TRAIN, SEED);
    tg_synthetic_shapes(&val, N_VAL, SEED + 1);
    printf("  %d training and %d validation images, %d x %d, classes:\n ", N_TRAIN, N_VAL, SIDE,
           SIDE);
    for (int c = 0; c < CLASSES; c++)
        printf(" %d %s%s", c, tg_shape_class_names[c], c + 1 < CLASSES ? "," : "\n");
    show_image(&train, 0);
    tg_tensor *X_train, *y_train, *X_val, *y_val;
    as_tensors(&train, &X_train, &y_train);
    as_tensors(&val, &X_val, &y_val);
    char sh[TG_SHAPE_STR_LEN];
    tg_shape_str(X_train->shape, sh, sizeof sh);
    printf("  X_train %-18s", sh);
    tg_shape_str(y_train->shape, sh, sizeof sh);
    printf("  y_train %s   (channels last, as Keras)\n", sh);
    tg_steps_values("y_train[0]", y_train->data, TG_SHAPE(CLASSES));

    tg_steps_step(&s, "The model, line by line: the document's Keras, then the C that mirrors it",
                  "Conv2D -> MaxPooling2D -> [rows as time steps] -> LSTM -> Dense -> Dense(softmax)");
    const tg_shape input_shape = TG_SHAPE(SIDE, SIDE, 1);
    const uint64_t seed = SEED; /* the initial weights and the shuffling of fit */
    tg_model *m;
    tg_layer *conv, *pool, *rows, *lstm, *dense, *out;
    TG_MIRROR("model = Sequential()", m = tg_model_new(input_shape, seed));
    TG_MIRROR("model.add(Conv2D(filters=32, kernel_size=(3, 3), activation='relu', "
              "input_shape=(input_shape)))",
              conv = tg_model_add(m, tg_conv2d((tg_conv2d_opts){.filters = 32, .kernel = {3, 3},
                                                                .activation = TG_RELU})));
    TG_MIRROR("model.add(MaxPooling2D(pool_size=(2, 2)))",
              pool = tg_model_add(m, tg_maxpool2d((tg_pool2d_opts){.pool = {2, 2}})));
    tg_shape_str(pool->output_shape, sh, sizeof sh);
    printf("  The pooled output per image: %s, so (N, 13, 13, 32) for a batch: 4-D.\n", sh);

    tg_steps_step(&s, "The document's next line, as written, is refused",
                  "LSTM input: (N, T, D), a sequence of T vectors of D features -- 3-D");
    tg_steps_say("  Keras: model.add(LSTM(units=64))\n"
                 "  Keras stops here: \"Input 0 of layer lstm is incompatible with the layer:\n"
                 "  expected ndim=3, found ndim=4. Full shape received: (None, 13, 13, 32)\".\n"
                 "  tapegrad stops too (a programming error: one line, exit status 3); tried\n"
                 "  in a child process:");
    int status = lstm_after_pool_exit_status(m);
    tg_steps_expect(&s, "the child's exit status", status, TG_FATAL_EXIT, 0);
    tg_steps_say("  An LSTM reads one vector per time step. Which axis is time in an image?\n"
                 "  The document does not say; the usual answer (the \"row LSTM\" of MNIST\n"
                 "  tutorials) reads the image top to bottom, one row per step, the row's\n"
                 "  W pixels of C channels flattened into one vector of W C features.");

    tg_steps_step(&s, "The missing line: image rows as time steps",
                  "(N, H, W, C) -> (N, H, W C):   x'[n, h, w C + c] = x[n, h, w, c]");
    TG_MIRROR("model.add(Reshape((13, 13 * 32)))     # missing from the document",
              rows = tg_model_add(m, tg_rows_as_steps()));
    tg_shape_str(rows->output_shape, sh, sizeof sh);
    printf("  per image: 13 time steps of 13 * 32 = 416 features: %s\n", sh);
    tg_tape *tape = tg_tape_new();
    tg_tensor *x0 = tg_slice(tape, X_train, 0, 0, 1, 1);
    tg_tensor *pooled = tg_layer_forward(pool, tape, tg_layer_forward(conv, tape, x0, 0), 0);
    tg_tensor *steps = tg_layer_forward(rows, tape, pooled, 0);
    int same = 1;
    for (int h = 0; h < 13; h++)
        for (int w = 0; w < 13; w++)
            for (int c = 0; c < 32; c++)
                same &= TG_AT(steps, 0, h, w * 32 + c) == TG_AT(pooled, 0, h, w, c);
    tg_steps_expect_true(&s, "x'[0, h, 32 w + c] == x[0, h, w, c] for all h, w, c of image 0",
                         same);
    tg_tape_free(tape);
    tg_steps_say("  No data moves: row-major (h, w, c) and (h, w C + c) are the same memory,\n"
                 "  so the layer only relabels the shape (and its gradient does the same).");

    tg_steps_step(&s, "The rest of the document's lines",
                  "LSTM(64) keeps only h_T (return_sequences=False): one vector per image");
    TG_MIRROR("model.add(LSTM(units=64))",
              lstm = tg_model_add(m, tg_lstm((tg_lstm_opts){.units = 64})));
    TG_MIRROR("model.add(Dense(units=32, activation='relu'))",
              dense = tg_model_add(m, tg_dense(32, TG_RELU)));
    TG_MIRROR("model.add(Dense(units=10, activation='softmax'))",
              out = tg_model_add(m, tg_dense(10, TG_SOFTMAX)));
    tg_steps_say("  The document imports Flatten and never uses it: h_T is already a vector.");

    tg_steps_step(&s, "Parameters, counted by hand",
                  "Conv2D: kh kw C_in F + F;  LSTM (diagonal peepholes): 4 (D H + H H + H) + 4 H;\n"
                  "Dense: in out + out");
    const int D = 13 * 32, H = 64;
    tg_training_expect_count(&s, "conv2d: 3 * 3 * 1 * 32 + 32", tg_layer_param_count(conv),
                             3 * 3 * 32 + 32);
    tg_training_expect_count(&s, "max_pooling2d, rows_as_steps: none",
                             tg_layer_param_count(pool) + tg_layer_param_count(rows), 0);
    tg_training_expect_count(&s, "lstm: 4 (416*64 + 64*64 + 64) + 4*64",
                             tg_layer_param_count(lstm), (size_t)(4 * (D * H + H * H + H) + 4 * H));
    tg_training_expect_count(&s, "dense: 64 * 32 + 32", tg_layer_param_count(dense),
                             64 * 32 + 32);
    tg_training_expect_count(&s, "dense_1: 32 * 10 + 10", tg_layer_param_count(out),
                             32 * 10 + 10);
    tg_steps_say("  The LSTM holds 98% of the weights: every step multiplies 416 features\n"
                 "  into four gates of 64 units.");

    tg_steps_step(&s, "model.summary()", "");
    tg_model_summary(m, stdout);
    tg_model *lib = tg_images_model(SIDE, SIDE, CLASSES, (tg_app_model_opts){.seed = SEED});
    tg_tensor *p_tut = tg_model_predict(m, X_val, 64);
    tg_tensor *p_lib = tg_model_predict(lib, X_val, 64);
    double diff = 0;
    for (size_t k = 0; k < p_tut->size; k++)
        diff = fmax(diff, fabs(p_tut->data[k] - p_lib->data[k]));
    tg_steps_say("\n  The library builds the same model (apps/models.c, what `tapegrad train\n"
                 "  images` trains): same seed, same weights, same predictions.");
    tg_steps_expect(&s, "max |ours - library's|", diff, 0, 0);
    tg_tensor_free(p_lib);
    tg_model_free(lib);

    tg_steps_step(&s, "Compile: softmax, categorical cross-entropy, Adam",
                  "p_k = exp(z_k) / sum_j exp(z_j),   L = -1/N sum_n sum_k y_nk log p_nk");
    TG_MIRROR("model.compile(optimizer='adam', loss='categorical_crossentropy', "
              "metrics=['accuracy'])",
              tg_model_compile(m, tg_optimizer_adam(1e-3), TG_LOSS_CCE, TG_METRIC_ACCURACY));
    double metric, val0;
    tg_training_expect_ok(&s, tg_model_evaluate(m, X_val, y_val, 64, &val0, &metric));
    tg_steps_say("  Before training, on the validation images:");
    tg_steps_expect(&s, "loss = the formula", val0, cce_by_hand(p_tut, y_val), TG_STEPS_TOL);
    tg_steps_say("  (guessing 1/10 for every class would score log 10 = 2.3026)");

    tg_steps_step(&s, "Softmax and cross-entropy together: the gradient is p - y",
                  "L = -sum_k y_k log p_k,  p = softmax(z)   =>   dL/dz_k = p_k - y_k   (one image)");
    softmax_cross_entropy(&s, p_tut, y_val);
    tg_tensor_free(p_tut);

    tg_steps_step(&s, "Fit: a few epochs (the document asks for 10)",
                  "each batch: forward, L, backward on the tape, one Adam step");
    tg_fit_opts o = tg_fit_defaults();
    o.verbose = 0; /* no per-epoch lines (they carry timings): the table below instead */
    tg_history h;
    tg_status st;
    TG_MIRROR("model.fit(X_train, y_train, epochs=10, batch_size=32, "
              "validation_data=(X_val, y_val))",
              o.epochs = 4; o.batch_size = 32; o.x_val = X_val; o.y_val = y_val;
              st = tg_model_fit(m, X_train, y_train, &o, &h));
    tg_training_expect_ok(&s, st);
    tg_training_table(&h);
    tg_training_expect_below(&s, "training loss fell: last epoch < first", h.loss[h.n_epochs - 1],
                             h.loss[0]);
    tg_training_expect_below(&s, "validation loss fell: after < before", h.val_loss[h.n_epochs - 1],
                             val0);
    tg_training_expect_below(&s, "chance (1/10) < validation accuracy", 1.0 / CLASSES,
                             h.val_metric[0][h.n_epochs - 1]);

    tg_steps_step(&s, "The history CSV and the training curve",
                  "epoch,loss,val_loss,accuracy,val_accuracy,seconds   ->   gnuplot");
    tg_training_curve(&s, &h, "06_images");

    tg_steps_step(&s, "Longer, and on Fashion-MNIST",
                  "60000 training images of 28 x 28, ten classes of clothing");
    tg_steps_say("  The same model, trained by the library with a progress bar per epoch:\n"
                 "      tapegrad train images --embedded          (6000 shapes, 5 epochs)\n"
                 "      make data && tapegrad train images        (Fashion-MNIST)\n"
                 "      tapegrad train images --limit 6000 --epochs 3   (a quicker look)\n"
                 "  This tutorial keeps to the embedded shapes: they need no download, and a\n"
                 "  few hundred images train in seconds with the same result everywhere.");

    tg_history_free(&h);
    tg_model_free(m);
    tg_tensor_free(X_train);
    tg_tensor_free(y_train);
    tg_tensor_free(X_val);
    tg_tensor_free(y_val);
    tg_image_set_free(&train);
    tg_image_set_free(&val);
    return tg_steps_finish(&s);
}
