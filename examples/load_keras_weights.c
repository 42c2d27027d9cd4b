/* Load weights saved by NumPy from a Keras model, and predict.
 *
 * The Keras model is Sequential([LSTM(3, input_shape=(4, 2)), Dense(1)]).
 * In Python its weights and a few predictions were saved one array a file:
 *
 *     kernel, recurrent_kernel, bias = model.layers[0].get_weights()
 *     np.save("keras_lstm_kernel.npy", kernel)       # (2, 12): the gates i, f, c, o side by side
 *     ...                                            # keras_lstm_recurrent_kernel.npy (3, 12), keras_lstm_bias.npy (12,)
 *     w, c = model.layers[1].get_weights()
 *     np.save("keras_dense_kernel.npy", w)           # (3, 1), and keras_dense_bias.npy (1,)
 *     np.save("keras_x.npy", x)                      # (3, 4, 2): three sequences
 *     np.save("keras_y.npy", model.predict(x))       # (3, 1)
 *
 * No Python runs here, so the program first writes those files itself
 * with tg_npy_save, as NumPy would have (the weights are stand-ins made by
 * a formula; keras_y holds Keras's outputs for them, Keras's LSTM equations
 * evaluated in double precision apart from this library). Then it does
 * what you would do with real files: builds the same model, loads the LSTM
 * with tg_lstm_keras_load (which cuts Keras's packed arrays into the
 * document's per-gate W_x*, W_h*, b_*), sets the Dense layer's kernel and
 * bias by name with tg_model_set_param, predicts, and compares.
 *
 * make examples looks for: ^predictions agree with Keras's
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "tapegrad.h"

enum { T = 4, D = 2, H = 3, N = 3 };

static void check(tg_status st)
{
    if (!tg_is_ok(&st)) {
        fprintf(stderr, "%s\n", st.msg);
        exit(1);
    }
}

static void save(const char *path, tg_tensor *t)
{
    check(tg_npy_save(path, t));
    tg_tensor_free(t);
}

/* What the Python side saved. */
static void write_keras_files(void)
{
    tg_tensor *kernel = tg_tensor_new(TG_SHAPE(D, 4 * H));
    tg_tensor *recurrent = tg_tensor_new(TG_SHAPE(H, 4 * H));
    tg_tensor *bias = tg_tensor_new(TG_SHAPE(4 * H));
    for (size_t k = 0; k < kernel->size; k++)
        kernel->data[k] = (tg_real)(0.5 * sin(0.9 * (double)k + 0.1));
    for (size_t k = 0; k < recurrent->size; k++)
        recurrent->data[k] = (tg_real)(0.4 * cos(0.7 * (double)k));
    for (int k = 0; k < 4 * H; k++) /* the forget gate's block [H, 2H) starts near 1, as Keras's */
        bias->data[k] = (tg_real)(0.1 * (k % 4) - 0.1 + (k >= H && k < 2 * H));
    save("keras_lstm_kernel.npy", kernel);
    save("keras_lstm_recurrent_kernel.npy", recurrent);
    save("keras_lstm_bias.npy", bias);
    save("keras_dense_kernel.npy", tg_tensor_from(TG_SHAPE(H, 1), (const tg_real[]){0.8, -1.2, 0.5}));
    save("keras_dense_bias.npy", tg_tensor_from(TG_SHAPE(1), (const tg_real[]){0.1}));
    save("keras_x.npy", tg_tensor_from(TG_SHAPE(N, T, D),
                                       (const tg_real[]){0.5, -1, 0.25, 0.75, -0.5, 0.5, 1, 0,  /* */
                                                         0, 0, 0, 0, 0, 0, 0, 0,                /* */
                                                         -1, 1, -0.75, 0.5, -0.5, 0.25, -0.25, 0}));
    save("keras_y.npy", tg_tensor_from(TG_SHAPE(N, 1),
                                       (const tg_real[]){-0.07560046122473124, -0.03707004756758106,
                                                         0.023584682675562477}));
}

static tg_tensor *load(const char *path)
{
    tg_tensor *t;
    check(tg_npy_load(path, &t));
    return t;
}

int main(void)
{
    write_keras_files();

    tg_model *m = tg_model_new(TG_SHAPE(T, D), 1);
    tg_layer *lstm = tg_model_add(m, tg_lstm((tg_lstm_opts){.units = H, .peephole = TG_PEEPHOLE_NONE}));
    tg_model_add(m, tg_dense(1, TG_LINEAR));

    check(tg_lstm_keras_load(lstm, "keras_lstm_"));
    tg_tensor *w = load("keras_dense_kernel.npy"), *c = load("keras_dense_bias.npy");
    check(tg_model_set_param(m, "dense/kernel", w));
    check(tg_model_set_param(m, "dense/bias", c));

    /* The forget gate's input weights: columns H..2H of Keras's kernel. */
    tg_tensor_print(stdout, "lstm/W_xf", tg_model_param(m, "lstm/W_xf"));
    tg_tensor_print(stdout, "lstm/b_f", tg_model_param(m, "lstm/b_f"));

    tg_tensor *x = load("keras_x.npy"), *y_keras = load("keras_y.npy");
    tg_tensor *y = tg_model_predict(m, x, 0);
    double worst = 0;
    printf("\nsample  tapegrad     Keras\n");
    for (int n = 0; n < N; n++) {
        const double ours = TG_AT(y, n, 0), theirs = TG_AT(y_keras, n, 0);
        printf("%6d  %+.7f  %+.7f\n", n, ours, theirs);
        worst = fmax(worst, fabs(ours - theirs));
    }
    const int agree = worst <= 1e-5;
    printf("\npredictions %s Keras's (largest difference %.1e)\n", agree ? "agree with" : "DIFFER from",
           worst);

    tg_tensor_free(y);
    tg_tensor_free(x);
    tg_tensor_free(y_keras);
    tg_tensor_free(w);
    tg_tensor_free(c);
    tg_model_free(m);
    return agree ? 0 : 1;
}
