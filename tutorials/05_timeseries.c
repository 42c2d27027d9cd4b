/* Tutorial 5: the document's time-series model (section 4.1), in C.
 *
 * The document's eight lines of Keras, each printed next to the C statement
 * that mirrors it (and that this program runs); the summary; a few epochs
 * of training on the embedded series ("does it go up next?"); the history
 * CSV and the training curve through gnuplot. docs/tutorial-05-timeseries.md
 * is the page that goes with it. */
#include "tapegrad.h"
#include "tutorials/training.h"

/* Small enough to train in a second or two, long enough to learn. */
enum { SERIES_STEPS = 1500, T = 32 };
#define SEED 42

/* The binary cross-entropy of predictions p against labels y, straight
 * from its formula, in double (to check the library's). */
static double bce_by_hand(const tg_tensor *p, const tg_tensor *y)
{
    double sum = 0;
    for (size_t k = 0; k < p->size; k++) {
        double q = fmin(fmax((double)p->data[k], TG_LOSS_EPSILON), 1 - TG_LOSS_EPSILON);
        /* -(y log p + (1 - y) log(1 - p)) */
        sum += -((double)y->data[k] * log(q) + (1 - (double)y->data[k]) * log(1 - q));
    }
    return sum / (double)p->size;
}

int main(int argc, char **argv)
{
    tg_steps s;
    tg_steps_start(&s, argc, argv, "Tutorial 5: the time-series model of the document, section 4.1");

    tg_steps_step(&s, "The data: an embedded series, cut into windows (section 3.2, step 1)",
                  "v_i = sum_k a_k sin(2 pi i / P_k + phi_k) + e_i,   label y_i = 1 if v_{i+1} > v_i");
    tg_series_task task;
    tg_synthetic_task(1, SERIES_STEPS, T, SEED, &task);
    printf("  %s\n", task.source);
    tg_steps_say("  Split by time (train, then validation, then test), standardised with the\n"
                 "  mean and std of the training range, cut into windows of T = 32 steps\n"
                 "  (stride 1). Each window is one sample (timesteps = 32, input_dim = 1):");
    char sh[TG_SHAPE_STR_LEN];
    tg_shape_str(task.x_train->shape, sh, sizeof sh);
    printf("  X_train %-14s", sh);
    tg_shape_str(task.y_train->shape, sh, sizeof sh);
    printf("  y_train %s\n", sh);
    printf("  %d validation and %d test windows\n", task.x_val->shape.dim[0], task.n_test);
    tg_steps_values("x[0, :8]", task.x_train->data, TG_SHAPE(8));
    tg_steps_say("  The model's outputs are fewer than its inputs: a valid Conv1D(k = 3) leaves\n"
                 "  T - 2 = 30 steps, MaxPooling1D(2) 15. Output j has seen the inputs up to\n"
                 "  window step 2j + 3, so its label is \"x goes up after step 2j + 3\":");
    tg_steps_values("y[0, :8]", task.y_train->data, TG_SHAPE(8));
    int aligned = 1;
    for (int j = 0; 2 * j + 4 < T; j++) {
        int up = TG_AT(task.x_train, 0, 2 * j + 4, 0) > TG_AT(task.x_train, 0, 2 * j + 3, 0);
        aligned &= TG_AT(task.y_train, 0, j, 0) == (tg_real)up;
    }
    tg_steps_expect_true(&s, "labels of window 0 = x[0, 2j + 4] > x[0, 2j + 3], j = 0..13",
                         aligned);

    tg_steps_step(&s, "The model, line by line: the document's Keras, then the C that mirrors it",
                  "Conv1D -> MaxPooling1D -> LSTM(return_sequences) -> Dense -> Dense(sigmoid)");
    const int timesteps = T, input_dim = 1;
    const uint64_t seed = SEED; /* the initial weights and the shuffling of fit */
    tg_model *m;
    tg_layer *conv, *pool, *lstm, *dense, *out;
    TG_MIRROR("model = Sequential()", m = tg_model_new(TG_SHAPE(timesteps, input_dim), seed));
    TG_MIRROR("model.add(Conv1D(filters=32, kernel_size=3, activation='relu', "
              "input_shape=(timesteps, input_dim)))",
              conv = tg_model_add(m, tg_conv1d((tg_conv1d_opts){.filters = 32, .kernel = 3,
                                                                .activation = TG_RELU})));
    tg_steps_say("  (the input shape goes to tg_model_new: the model builds each layer on it)");
    TG_MIRROR("model.add(MaxPooling1D(pool_size=2))",
              pool = tg_model_add(m, tg_maxpool1d((tg_pool1d_opts){.pool = 2})));
    TG_MIRROR("model.add(LSTM(units=64, return_sequences=True))",
              lstm = tg_model_add(m, tg_lstm((tg_lstm_opts){.units = 64, .return_sequences = 1})));
    TG_MIRROR("model.add(Dense(units=32, activation='relu'))",
              dense = tg_model_add(m, tg_dense(32, TG_RELU)));
    TG_MIRROR("model.add(Dense(units=1, activation='sigmoid'))",
              out = tg_model_add(m, tg_dense(1, TG_SIGMOID)));
    tg_steps_say("\n  return_sequences=True: the LSTM outputs every h_t, (15, 64), and each Dense\n"
                 "  acts on every step alike (its kernel multiplies the last axis), so the model\n"
                 "  predicts one label per pooled step: output (15, 1).");

    tg_steps_step(&s, "Parameters, counted by hand",
                  "Conv1D: k C_in F + F;  LSTM (diagonal peepholes): 4 (D H + H H + H) + 4 H;\n"
                  "Dense: in out + out");
    const int D = 32, H = 64;
    tg_training_expect_count(&s, "conv1d: 3 * 1 * 32 + 32", tg_layer_param_count(conv),
                             3 * 1 * 32 + 32);
    tg_training_expect_count(&s, "max_pooling1d: none", tg_layer_param_count(pool), 0);
    tg_training_expect_count(&s, "lstm: 4 (32*64 + 64*64 + 64) + 4*64",
                             tg_layer_param_count(lstm), (size_t)(4 * (D * H + H * H + H) + 4 * H));
    tg_training_expect_count(&s, "dense: 64 * 32 + 32", tg_layer_param_count(dense),
                             64 * 32 + 32);
    tg_training_expect_count(&s, "dense_1: 32 * 1 + 1", tg_layer_param_count(out), 32 * 1 + 1);
    tg_steps_say("  The four peephole vectors (W_ci, W_cf, W_cc, W_co, 64 each) are the document's\n"
                 "  3.3.1 equations; Keras's LSTM has none and counts 24832 for this layer.");

    tg_steps_step(&s, "model.summary()", "");
    tg_model_summary(m, stdout);
    tg_model *lib = tg_series_model(TG_SERIES_CNN_LSTM, T, 1, 1,
                                         (tg_app_model_opts){.seed = SEED});
    tg_tensor *p_tut = tg_model_predict(m, task.x_val, 64);
    tg_tensor *p_lib = tg_model_predict(lib, task.x_val, 64);
    double diff = 0;
    for (size_t k = 0; k < p_tut->size; k++)
        diff = fmax(diff, fabs(p_tut->data[k] - p_lib->data[k]));
    tg_steps_say("\n  The library builds the same model (apps/models.c, what `tapegrad train\n"
                 "  timeseries` trains): same seed, same weights, same predictions.");
    tg_steps_expect(&s, "max |ours - library's|", diff, 0, 0);
    tg_tensor_free(p_lib);
    tg_model_free(lib);

    tg_steps_step(&s, "Compile: binary cross-entropy, Adam, accuracy",
                  "L = -1/(N T') sum_{n,t} [ y log p + (1 - y) log(1 - p) ]   (T' = 15 outputs)");
    TG_MIRROR("model.compile(optimizer='adam', loss='binary_crossentropy', metrics=['accuracy'])",
              tg_model_compile(m, tg_optimizer_adam(1e-3), TG_LOSS_BCE, TG_METRIC_ACCURACY));
    double metric, val0;
    tg_training_expect_ok(&s, tg_model_evaluate(m, task.x_val, task.y_val, 64, &val0, &metric));
    tg_steps_say("  Before training, on the validation windows:");
    tg_steps_expect(&s, "loss = the formula", val0, bce_by_hand(p_tut, task.y_val), TG_STEPS_TOL);
    tg_steps_say("  (a model that always said 0.5 would score log 2 = 0.6931)");
    tg_tensor_free(p_tut);

    tg_steps_step(&s, "Fit: a few epochs (the document asks for 10)",
                  "each batch: forward, L, backward on the tape, one Adam step");
    const tg_tensor *X_train = task.x_train, *y_train = task.y_train;
    const tg_tensor *X_val = task.x_val, *y_val = task.y_val;
    tg_fit_opts o = tg_fit_defaults();
    o.verbose = 0; /* no per-epoch lines (they carry timings): the table below instead */
    tg_history h;
    tg_status st;
    TG_MIRROR("model.fit(X_train, y_train, epochs=10, batch_size=32, "
              "validation_data=(X_val, y_val))",
              o.epochs = 3; o.batch_size = 32; o.x_val = X_val; o.y_val = y_val;
              st = tg_model_fit(m, X_train, y_train, &o, &h));
    tg_training_expect_ok(&s, st);
    tg_training_table(&h);
    tg_training_expect_below(&s, "training loss fell: last epoch < first",
                             h.loss[h.n_epochs - 1], h.loss[0]);
    tg_training_expect_below(&s, "validation loss fell: after < before", h.val_loss[h.n_epochs - 1],
                             val0);

    tg_steps_step(&s, "The test windows, against the baselines",
                  "accuracy at the last output of each test window (it has seen the whole window)");
    tg_tensor *p_test = tg_model_predict(m, task.x_test, 64);
    tg_series_scores sc = tg_series_task_score(&task, p_test);
    printf("  model        %.4f\n  persistence  %.4f   (\"goes up next\" if it went up last)\n"
           "  majority     %.4f   (the commoner class of the training labels)\n",
           sc.model, sc.persistence, sc.majority);
    tg_training_expect_below(&s, "the majority class < the model", sc.majority, sc.model);
    tg_training_expect_below(&s, "persistence < the model", sc.persistence, sc.model);
    tg_steps_say("  `tapegrad train timeseries --embedded` trains the same model longer on a\n"
                 "  longer series; `make data` then `tapegrad train timeseries` trains it on\n"
                 "  real data: will it rain tomorrow in Seattle?");
    tg_tensor_free(p_test);

    tg_steps_step(&s, "The history CSV and the training curve",
                  "epoch,loss,val_loss,accuracy,val_accuracy,seconds   ->   gnuplot");
    tg_training_curve(&s, &h, "05_timeseries");

    tg_history_free(&h);
    tg_model_free(m);
    tg_series_task_free(&task);
    return tg_steps_finish(&s);
}
