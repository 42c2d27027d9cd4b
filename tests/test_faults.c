/* Faults during training: a NaN or Inf in the forward or the backward pass
 * is caught at the end of the step, named by the layer where it first
 * appeared, and the model keeps its last good weights (those of the last
 * finished epoch); so is a weight the optimizer made infinite, checked
 * after every step; a NaN/Inf in validation or evaluation is an error, not
 * a number; an allocation that fails anywhere along model building and one
 * training step is reported as "out of memory" (tg_fatal, exit 3), never a
 * crash. */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "layers/layers.h"
#include "tests/scratch.h"
#include "tests/support.h"
#include "train/train.h"

/* ---- a layer whose backward poisons the gradient it passes down ---- */

/* The training forward pass (counted from 1) whose backward makes NaNs;
 * 0: never. A step runs one forward pass per micro-batch. */
static int poison_at;
static int poison_calls;

static tg_shape poison_build(tg_layer *self, tg_shape input, tg_rng *rng)
{
    return input;
}

static void poison_backward(tg_tape *tape, tg_node *node)
{
    tg_real *g = tg_node_in_grad(tape, node, 0);
    const int poisoned = *(const int *)node->ctx;
    for (size_t i = 0; g && i < node->out->size; i++)
        g[i] += poisoned ? (tg_real)NAN : node->out->grad[i];
}

/* The identity, recorded as an op of its own. */
static tg_tensor *poison_forward(tg_layer *self, tg_tape *tape, tg_tensor *x, int training)
{
    tg_tensor *out = tg_tape_tensor(tape, x->shape);
    memcpy(out->data, x->data, x->size * sizeof *x->data);
    tg_node *node = tg_tape_record(tape, "poison", out, &x, 1, poison_backward);
    if (node) {
        int *poisoned = tg_tape_alloc(tape, sizeof *poisoned);
        *poisoned = training && ++poison_calls == poison_at;
        node->ctx = poisoned;
    }
    return out;
}

static const tg_layer_ops poison_ops = {"Poison", poison_build, poison_forward, NULL};

static tg_layer *poison_layer(void)
{
    tg_layer *l = tg_xmalloc(sizeof *l, "poison layer");
    tg_layer_init(l, &poison_ops, "poison");
    return l;
}

static tg_fit_opts quiet(int epochs, int batch_size)
{
    tg_fit_opts o = tg_fit_defaults();
    o.epochs = epochs;
    o.batch_size = batch_size;
    o.shuffle = 0;
    o.verbose = 0;
    return o;
}

/* dense (3, tanh) -> poison -> dense_1 (1), MSE, plain SGD. */
static tg_model *small_model(int with_poison)
{
    tg_model *m = tg_model_new(TG_SHAPE(2), 7);
    tg_model_add(m, tg_dense(3, TG_TANH));
    if (with_poison)
        tg_model_add(m, poison_layer());
    tg_model_add(m, tg_dense(1, TG_LINEAR));
    tg_model_compile(m, tg_optimizer_sgd(0.1, 0, 0), TG_LOSS_MSE, TG_METRIC_MAE);
    return m;
}

static tg_tensor *small_x(void)
{
    return tg_tensor_from(TG_SHAPE(4, 2), (tg_real[]){0, 1, 1, 0, 1, 1, 0.5, -0.5});
}

static tg_tensor *small_y(void)
{
    return tg_tensor_from(TG_SHAPE(4, 1), (tg_real[]){1, 1, 0, 0.5});
}

static void assert_same_weights(const tg_model *a, const tg_model *b)
{
    ck_assert_int_eq(a->n_params, b->n_params);
    for (int i = 0; i < a->n_params; i++) {
        ck_assert_uint_eq(a->params[i]->size, b->params[i]->size);
        ck_assert_msg(!memcmp(a->params[i]->data, b->params[i]->data,
                              a->params[i]->size * sizeof(tg_real)),
                      "parameter %d differs", i);
    }
}

/* The message after the loss's value (which prints as nan or -nan). */
static void assert_message_tail(const tg_status *s, const char *tail)
{
    const char *head = "fit: the loss is ";
    ck_assert_msg(!tg_is_ok(s), "expected an error");
    ck_assert_msg(!strncmp(s->msg, head, strlen(head)), "message: %s", s->msg);
    const char *rest = strchr(s->msg + strlen(head), ' ');
    ck_assert_msg(rest && !strcmp(rest, tail), "message: %s (wanted the tail '%s')", s->msg, tail);
}

START_TEST(nan_in_forward_names_the_layer_and_keeps_the_weights)
{
    tg_model *m = small_model(0), *untouched = small_model(0);
    tg_tensor *x = small_x(), *y = small_y();
    x->data[5] = (tg_real)NAN; /* sample 2, in the second batch of two */
    tg_fit_opts o = quiet(3, 2);
    tg_history h;
    tg_status s = tg_model_fit(m, x, y, &o, &h);
    assert_message_tail(&s, " at epoch 1, batch 2 of 2, first NaN/Inf in the output of layer "
                            "dense; training stopped with the initial weights");
    ck_assert_int_eq(h.n_epochs, 0);
    assert_same_weights(m, untouched);
    tg_history_free(&h);
    tg_tensor_free(x);
    tg_tensor_free(y);
    tg_model_free(m);
    tg_model_free(untouched);
}
END_TEST

START_TEST(inf_hidden_by_tanh_shows_in_the_backward_pass)
{
    /* tanh(Inf) = 1 keeps the forward finite, but its derivative times
     * the Inf input's weight gradient is 0 * Inf = NaN. */
    tg_model *m = small_model(0), *untouched = small_model(0);
    tg_tensor *x = small_x(), *y = small_y();
    x->data[0] = (tg_real)INFINITY;
    tg_fit_opts o = quiet(3, 4);
    tg_history h;
    tg_status s = tg_model_fit(m, x, y, &o, &h);
    assert_message_tail(&s, " at epoch 1, batch 1 of 1, first NaN/Inf in the backward pass of "
                            "layer dense; training stopped with the initial weights");
    assert_same_weights(m, untouched);
    tg_history_free(&h);
    tg_tensor_free(x);
    tg_tensor_free(y);
    tg_model_free(m);
    tg_model_free(untouched);
}
END_TEST

START_TEST(nan_in_backward_names_the_layer_and_keeps_the_weights)
{
    /* Poisoned in epoch 2, batch 1: the model must hold exactly the weights
     * of a run of one epoch (same seed, no poison ever). A batch of 2 runs as
     * 2 micro-batches of 1, so epoch 1 makes forward passes 1 to 4 and the
     * first of epoch 2's batch 1 is the 5th. */
    tg_model *m = small_model(1), *one_epoch = small_model(1);
    tg_tensor *x = small_x(), *y = small_y();
    tg_fit_opts o = quiet(3, 2), o1 = quiet(1, 2);
    tg_history h, h1;
    poison_calls = 0;
    poison_at = 0;
    tg_status s = tg_model_fit(one_epoch, x, y, &o1, &h1);
    ck_assert(tg_is_ok(&s));
    poison_calls = 0;
    poison_at = 5;
    s = tg_model_fit(m, x, y, &o, &h);
    poison_at = 0;
    ck_assert_msg(!tg_is_ok(&s) && strstr(s.msg, "fit: the loss is ") == s.msg &&
                      isfinite(strtod(s.msg + strlen("fit: the loss is "), NULL)),
                  "message: %s", s.msg);
    assert_message_tail(&s, " at epoch 2, batch 1 of 2, first NaN/Inf in the backward pass of "
                            "layer poison; training stopped with the weights of epoch 1");
    ck_assert_int_eq(h.n_epochs, 1);
    ck_assert(h.loss[0] == h1.loss[0]);
    assert_same_weights(m, one_epoch);
    tg_history_free(&h);
    tg_history_free(&h1);
    tg_tensor_free(x);
    tg_tensor_free(y);
    tg_model_free(m);
    tg_model_free(one_epoch);
}
END_TEST

/* ---- weights, validation and evaluation ---- */

/* A callback that sets the learning rate to Inf at the end of epoch 1, so
 * that the first step of epoch 2 makes the weights infinite. */
static int infinite_rate_after_epoch_1(void *ctx, tg_fit_state *s)
{
    if (s->epoch == 1)
        s->model->optimizer->learning_rate = INFINITY;
    return 0;
}

START_TEST(weights_made_infinite_go_back_to_the_last_good_epoch)
{
    tg_model *m = small_model(0), *one_epoch = small_model(0);
    tg_tensor *x = small_x(), *y = small_y();
    const tg_callback cb = {.on_epoch_end = infinite_rate_after_epoch_1};
    tg_fit_opts o = quiet(3, 2), o1 = quiet(1, 2);
    o.callbacks = &cb;
    o.n_callbacks = 1;
    tg_history h, h1;
    tg_status s = tg_model_fit(m, x, y, &o, &h);
    tg_ck_assert_error(s, "fit: the loss is ", " at epoch 2, batch 1 of 2, NaN/Inf in parameter "
                       "kernel of layer dense after the optimizer step; training stopped with "
                       "the weights of epoch 1");
    ck_assert_int_eq(h.n_epochs, 1);
    ck_assert_int_eq(h.weights_epoch, 1);
    s = tg_model_fit(one_epoch, x, y, &o1, &h1);
    ck_assert_msg(tg_is_ok(&s), "%s", s.msg);
    assert_same_weights(m, one_epoch);
    ck_assert(h.loss[0] == h1.loss[0]);
    tg_history_free(&h);
    tg_history_free(&h1);
    tg_tensor_free(x);
    tg_tensor_free(y);
    tg_model_free(m);
    tg_model_free(one_epoch);
}
END_TEST

/* A callback that sets the learning rate to Inf after the first batch. */
static void infinite_rate_after_batch_1(void *ctx, tg_fit_state *s)
{
    if (s->epoch == 1 && s->batch == 1)
        s->model->optimizer->learning_rate = INFINITY;
}

START_TEST(weights_broken_in_the_first_epoch_go_back_to_the_start)
{
    /* The second batch of epoch 1 breaks them: not even the first batch's
     * update is kept, the model is as it began. */
    tg_model *m = small_model(0), *untouched = small_model(0);
    tg_tensor *x = small_x(), *y = small_y();
    const tg_callback cb = {.on_batch_end = infinite_rate_after_batch_1};
    tg_fit_opts o = quiet(3, 1);
    o.callbacks = &cb;
    o.n_callbacks = 1;
    tg_history h;
    tg_status s = tg_model_fit(m, x, y, &o, &h);
    tg_ck_assert_error(s, " at epoch 1, batch 2 of 4, NaN/Inf in parameter ",
                       "after the optimizer step; training stopped with the initial weights");
    ck_assert_int_eq(h.n_epochs, 0);
    ck_assert_int_eq(h.weights_epoch, 0);
    assert_same_weights(m, untouched);
    tg_history_free(&h);
    tg_tensor_free(x);
    tg_tensor_free(y);
    tg_model_free(m);
    tg_model_free(untouched);
}
END_TEST

START_TEST(nan_in_validation_stops_training)
{
    tg_model *m = small_model(0), *untouched = small_model(0);
    tg_tensor *x = small_x(), *y = small_y(), *xv = small_x();
    xv->data[3] = (tg_real)NAN; /* sample 2 of 4, in batch 1 of 2 */
    tg_fit_opts o = quiet(3, 2);
    o.x_val = xv;
    o.y_val = y;
    tg_history h;
    tg_status s = tg_model_fit(m, x, y, &o, &h);
    tg_ck_assert_error(s, "fit: validation at epoch 1: the loss is ", " at batch 1 of 2, first "
                       "NaN/Inf in the output of layer dense; training stopped with the initial "
                       "weights");
    ck_assert_int_eq(h.n_epochs, 0);
    assert_same_weights(m, untouched);
    tg_history_free(&h);
    tg_tensor_free(x);
    tg_tensor_free(y);
    tg_tensor_free(xv);
    tg_model_free(m);
    tg_model_free(untouched);
}
END_TEST

START_TEST(evaluate_refuses_nan_and_inf)
{
    tg_model *m = small_model(0);
    tg_tensor *x = small_x(), *y = small_y();
    double loss, mae;
    tg_status s = tg_model_evaluate(m, x, y, 3, &loss, &mae);
    ck_assert_msg(tg_is_ok(&s) && isfinite(loss) && isfinite(mae), "%s", s.msg);
    /* A NaN in sample 4, in batch 2 of 2. */
    x->data[7] = (tg_real)NAN;
    s = tg_model_evaluate(m, x, y, 3, &loss, &mae);
    tg_ck_assert_error(s, "evaluate: the loss is ",
                       " at batch 2 of 2, first NaN/Inf in the output of layer dense");
    x->data[7] = (tg_real)-0.5;
    /* A finite output whose square overflows (b = 1e200, or 1e30 in float). */
#ifdef TG_REAL_FLOAT
    m->params[3]->data[0] = (tg_real)1e30;
#else
    m->params[3]->data[0] = (tg_real)1e200;
#endif
    s = tg_model_evaluate(m, x, y, 3, &loss, &mae);
    tg_ck_assert_error(s, "evaluate: the loss is inf at batch 1 of 2, first NaN/Inf in the loss "
                          "(every layer's output is finite)");
    ck_assert(!isfinite(loss));
    tg_tensor_free(x);
    tg_tensor_free(y);
    tg_model_free(m);
}
END_TEST

/* ---- out of memory ---- */

/* The document's image model in miniature (Conv2D, MaxPool2D, rows as steps,
 * LSTM, Dense), built, compiled and trained for one step, then freed. */
static void one_training_step(void)
{
    tg_model *m = tg_model_new(TG_SHAPE(6, 6, 1), 11);
    tg_model_add(m, tg_conv2d((tg_conv2d_opts){.filters = 2, .kernel = {3, 3},
                                               .activation = TG_RELU}));
    tg_model_add(m, tg_maxpool2d((tg_pool2d_opts){0}));
    tg_model_add(m, tg_rows_as_steps());
    tg_model_add(m, tg_lstm((tg_lstm_opts){.units = 3}));
    tg_model_add(m, tg_dense(2, TG_SOFTMAX));
    tg_model_compile(m, tg_optimizer_adam(1e-3), TG_LOSS_CCE, TG_METRIC_ACCURACY);
    tg_tensor *x = tg_tensor_zeros(TG_SHAPE(2, 6, 6, 1));
    tg_tensor *y = tg_tensor_from(TG_SHAPE(2, 2), (tg_real[]){1, 0, 0, 1});
    for (size_t i = 0; i < x->size; i++)
        x->data[i] = (tg_real)(i % 7) / 7;
    tg_fit_opts o = quiet(1, 2);
    tg_history h;
    tg_status s = tg_model_fit(m, x, y, &o, &h);
    ck_assert(tg_is_ok(&s));
    tg_history_free(&h);
    tg_tensor_free(x);
    tg_tensor_free(y);
    tg_model_free(m);
}

/* Runs one_training_step in a child whose k-th allocation fails; returns
 * the wait status and what the child wrote on stderr. */
static int step_failing_at(unsigned long k, char *err, size_t cap)
{
    int fds[2];
    ck_assert_int_eq(pipe(fds), 0);
    fflush(NULL);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        close(fds[0]);
        dup2(fds[1], STDERR_FILENO);
        tg_set_alloc_failure_after(k);
        one_training_step();
        _exit(0);
    }
    close(fds[1]);
    size_t n = 0;
    ssize_t r;
    while ((r = read(fds[0], err + n, cap - 1 - n)) > 0)
        n += (size_t)r;
    err[n] = '\0';
    close(fds[0]);
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    return status;
}

START_TEST(every_failed_allocation_of_a_step_is_reported)
{
    /* k = 1, 2, ... until a child gets through without meeting its failure:
     * then every allocation of the step has been failed once. Counting in
     * the children (not here) sees what a fresh process allocates. */
    unsigned long k;
    for (k = 1; k <= 100000; k++) {
        char err[1024];
        const int status = step_failing_at(k, err, sizeof err);
        ck_assert_msg(!WIFSIGNALED(status), "allocation %lu: killed by signal %d (%s)", k,
                      WTERMSIG(status), err);
        if (WEXITSTATUS(status) == 0 && !err[0])
            break;
        ck_assert_msg(WEXITSTATUS(status) == TG_FATAL_EXIT, "allocation %lu: exit %d, stderr: %s",
                      k, WEXITSTATUS(status), err);
        /* One line: "tapegrad: <what>: out of memory (<bytes>)". */
        ck_assert_msg(!strncmp(err, "tapegrad: ", 10) && strstr(err, ": out of memory (") &&
                          strchr(err, '\n') == err + strlen(err) - 1,
                      "allocation %lu: stderr: %s", k, err);
    }
    ck_assert_uint_gt(k - 1, 100); /* the step really allocates that much */
}
END_TEST

Suite *tg_test_suite(void)
{
    Suite *s = suite_create("faults");
    TCase *tc = tcase_create("nan");
    tcase_add_test(tc, nan_in_forward_names_the_layer_and_keeps_the_weights);
    tcase_add_test(tc, inf_hidden_by_tanh_shows_in_the_backward_pass);
    tcase_add_test(tc, nan_in_backward_names_the_layer_and_keeps_the_weights);
    tcase_add_test(tc, weights_made_infinite_go_back_to_the_last_good_epoch);
    tcase_add_test(tc, weights_broken_in_the_first_epoch_go_back_to_the_start);
    tcase_add_test(tc, nan_in_validation_stops_training);
    tcase_add_test(tc, evaluate_refuses_nan_and_inf);
    suite_add_tcase(s, tc);
    tc = tcase_create("oom");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, every_failed_allocation_of_a_step_is_reported);
    suite_add_tcase(s, tc);
    return s;
}
