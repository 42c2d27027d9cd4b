/* Train a small model of your own: which points of the plane lie inside
 * the unit circle, learnt by a Sequential model from points made up here.
 *
 * The whole Keras-like loop: build the model layer by layer, compile it
 * with an optimizer, a loss and a metric, fit it (a fifth of the training
 * points kept aside for validation), read the history, and evaluate on
 * points it has never seen. The seed makes every run print the same.
 *
 * make examples looks for: ^test accuracy 0\.9[0-9]+
 */
#include <stdio.h>

#include "tapegrad.h"

/* n points drawn uniformly from the square [-1.5, 1.5]^2 into x (n, 2), and
 * y (n, 1) = 1 for those inside the circle x0^2 + x1^2 < 1, else 0. */
static void make_points(int n, tg_rng *rng, tg_tensor **x, tg_tensor **y)
{
    *x = tg_tensor_uniform(TG_SHAPE(n, 2), rng, -1.5, 1.5);
    *y = tg_tensor_zeros(TG_SHAPE(n, 1));
    for (int i = 0; i < n; i++) {
        const double a = TG_AT(*x, i, 0), b = TG_AT(*x, i, 1);
        TG_AT(*y, i, 0) = a * a + b * b < 1;
    }
}

int main(void)
{
    tg_rng rng;
    tg_rng_seed(&rng, 7);
    tg_tensor *x, *y, *x_test, *y_test;
    make_points(500, &rng, &x, &y);
    make_points(200, &rng, &x_test, &y_test);

    tg_model *m = tg_model_new(TG_SHAPE(2), 42);
    tg_model_add(m, tg_dense(16, TG_TANH));
    tg_model_add(m, tg_dense(1, TG_SIGMOID));
    tg_model_compile(m, tg_optimizer_adam(0.02), TG_LOSS_BCE, TG_METRIC_ACCURACY);
    tg_model_summary(m, stdout);

    tg_fit_opts opts = tg_fit_defaults();
    opts.epochs = 60;
    opts.batch_size = 32;
    opts.validation_split = 0.2;
    opts.verbose = 0;
    tg_history h;
    tg_status st = tg_model_fit(m, x, y, &opts, &h);
    if (!tg_is_ok(&st)) {
        fprintf(stderr, "%s\n", st.msg);
        return 1;
    }
    printf("\nepoch   loss  accuracy  val_loss  val_accuracy\n");
    for (int e = 0; e < h.n_epochs; e++)
        if (e == 0 || (e + 1) % 10 == 0)
            printf("%5d  %.4f  %.4f    %.4f    %.4f\n", e + 1, h.loss[e], h.metric[0][e],
                   h.val_loss[e], h.val_metric[0][e]);

    double loss, accuracy;
    st = tg_model_evaluate(m, x_test, y_test, 0, &loss, &accuracy);
    if (!tg_is_ok(&st)) {
        fprintf(stderr, "%s\n", st.msg);
        return 1;
    }
    printf("\ntest loss %.4f\ntest accuracy %.3f (%d points never seen in training)\n", loss,
           accuracy, x_test->shape.dim[0]);

    tg_history_free(&h);
    tg_model_free(m);
    tg_tensor_free(x);
    tg_tensor_free(y);
    tg_tensor_free(x_test);
    tg_tensor_free(y_test);
    return accuracy >= 0.9 ? 0 : 1;
}
