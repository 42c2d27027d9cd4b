/* The training step on a model small enough to follow by hand: one Dense
 * unit, MSE, plain SGD, with the update computed here from the formulas;
 * the same step with clipping; and the step's finite checks, each naming
 * its place. */
#include <math.h>
#include <string.h>

#include "layers/layers.h"
#include "tests/support.h"
#include "train/train.h"

/* dense: 2 inputs -> 1 unit, linear; w = (0.5, -0.25), b = 0.125 (exact in
 * binary, so the hand numbers below are the machine's). */
static tg_model *one_unit(double learning_rate)
{
    tg_model *m = tg_model_new(TG_SHAPE(2), 1);
    tg_layer *d = tg_model_add(m, tg_dense(1, TG_LINEAR));
    tg_model_compile(m, tg_optimizer_sgd(learning_rate, 0, 0), TG_LOSS_MSE, TG_METRIC_MAE);
    d->params[0]->data[0] = (tg_real)0.5;
    d->params[0]->data[1] = (tg_real)-0.25;
    d->params[1]->data[0] = (tg_real)0.125;
    return m;
}

/* x = [[1, 2], [3, -1]], y = [[1], [0]], on the model's tape. */
static void batch(tg_model *m, tg_tensor **x, tg_tensor **y)
{
    tg_tape_reset(m->tape);
    *x = tg_tape_tensor(m->tape, TG_SHAPE(2, 2));
    *y = tg_tape_tensor(m->tape, TG_SHAPE(2, 1));
    const tg_real xv[4] = {1, 2, 3, -1}, yv[2] = {1, 0};
    memcpy((*x)->data, xv, sizeof xv);
    memcpy((*y)->data, yv, sizeof yv);
}

/* By hand: p = x w + b = (0.125, 1.875), r = p - y = (-0.875, 1.875);
 * L = (r_1^2 + r_2^2) / 2 = (0.765625 + 3.515625) / 2 = 2.140625;
 * dL/dw = (2 / 2) sum_i r_i x_i = (-0.875 + 5.625, -1.75 - 1.875) = (4.75, -3.625);
 * dL/db = r_1 + r_2 = 1. */
static const double hand_loss = 2.140625;
static const double hand_grad[3] = {4.75, -3.625, 1};

/* The status failed with exactly that message. */
static void assert_refused(tg_status st, const char *msg)
{
    ck_assert_msg(!tg_is_ok(&st), "expected \"%s\", got success", msg);
    ck_assert_msg(!strcmp(st.msg, msg), "message \"%s\", wanted \"%s\"", st.msg, msg);
}

START_TEST(step_is_the_sgd_update_by_hand)
{
    tg_model *m = one_unit(0.1);
    tg_tensor *x, *y;
    batch(m, &x, &y);
    double loss = 0;
    tg_status st = tg_model_train_step(m, x, y, 0, &loss);
    ck_assert_msg(tg_is_ok(&st), "%s", st.msg);
    ck_assert(loss == hand_loss);
    /* w <- w - eta g: (0.5 - 0.475, -0.25 + 0.3625) = (0.025, 0.1125); b <- 0.125 - 0.1 = 0.025 */
    const tg_real *w = m->params[0]->data, *b = m->params[1]->data;
    tg_ck_assert_close(w[0], 0.5 - 0.1 * hand_grad[0], TG_TEST_TIGHT);
    tg_ck_assert_close(w[1], -0.25 - 0.1 * hand_grad[1], TG_TEST_TIGHT);
    tg_ck_assert_close(b[0], 0.125 - 0.1 * hand_grad[2], TG_TEST_TIGHT);
    tg_ck_assert_close(w[0], 0.025, TG_TEST_TIGHT);
    tg_ck_assert_close(w[1], 0.1125, TG_TEST_TIGHT);
    /* The gradients the tape left are the hand ones, and the prediction is
     * the last layer's output. */
    for (int i = 0; i < 3; i++)
        tg_ck_assert_close(m->params[i / 2]->grad[i % 2], hand_grad[i], TG_TEST_TIGHT);
    tg_ck_assert_close(m->outputs[0]->data[1], 1.875, TG_TEST_TIGHT);
    tg_model_free(m);
}
END_TEST

START_TEST(step_clips_to_the_global_norm)
{
    /* ||g|| = sqrt(4.75^2 + 3.625^2 + 1^2) = sqrt(36.703125); clipped to 1,
     * every gradient is divided by it, and the update is eta g / ||g||. */
    tg_model *m = one_unit(0.1);
    tg_tensor *x, *y;
    batch(m, &x, &y);
    double loss;
    tg_status st = tg_model_train_step(m, x, y, 1, &loss);
    ck_assert_msg(tg_is_ok(&st), "%s", st.msg);
    const double norm = sqrt(36.703125);
    tg_ck_assert_close(m->params[0]->data[0], 0.5 - 0.1 * 4.75 / norm, TG_TEST_TIGHT);
    tg_ck_assert_close(m->params[0]->data[1], -0.25 + 0.1 * 3.625 / norm, TG_TEST_TIGHT);
    tg_ck_assert_close(m->params[1]->data[0], 0.125 - 0.1 / norm, TG_TEST_TIGHT);
    tg_model_free(m);
}
END_TEST

START_TEST(step_refuses_a_nan_input_before_touching_a_weight)
{
    tg_model *m = one_unit(0.1);
    tg_tensor *x, *y;
    batch(m, &x, &y);
    x->data[3] = (tg_real)NAN;
    double loss;
    tg_status st = tg_model_train_step(m, x, y, 0, &loss);
    assert_refused(st, "first NaN/Inf in the output of layer dense");
    ck_assert(isnan(loss));
    ck_assert(m->params[0]->data[0] == (tg_real)0.5 && m->params[1]->data[0] == (tg_real)0.125);
    tg_model_free(m);
}
END_TEST

START_TEST(step_refuses_a_weight_the_optimizer_made_infinite)
{
    /* eta = 1e308 (Inf when tg_real is float): eta 4.75 overflows, so the
     * kernel's 0.5 - eta 4.75 is -Inf in either precision; the loss before
     * the step is finite. */
    tg_model *m = one_unit(1e308);
    tg_tensor *x, *y;
    batch(m, &x, &y);
    double loss;
    tg_status st = tg_model_train_step(m, x, y, 0, &loss);
    assert_refused(st, "NaN/Inf in parameter kernel of layer dense after the optimizer step");
    ck_assert(loss == hand_loss);
    tg_model_free(m);
}
END_TEST

START_TEST(checks_name_the_place)
{
    tg_model *m = tg_model_new(TG_SHAPE(2), 3);
    tg_model_add(m, tg_dense(3, TG_TANH));
    tg_model_add(m, tg_dense(1, TG_LINEAR));
    tg_model_compile(m, tg_optimizer_sgd(0.1, 0, 0), TG_LOSS_MSE, TG_METRIC_MAE);
    tg_tensor *x, *y;
    batch(m, &x, &y);
    tg_tensor *loss = tg_model_loss(m, m->tape, tg_model_forward(m, m->tape, x, 1), y);
    tg_status st = tg_model_check_forward(m, (double)loss->data[0]);
    ck_assert_msg(tg_is_ok(&st), "%s", st.msg);
    assert_refused(tg_model_check_forward(m, INFINITY),
                   "first NaN/Inf in the loss (every layer's output is finite)");
    m->outputs[1]->data[0] = (tg_real)INFINITY;
    assert_refused(tg_model_check_forward(m, NAN), "first NaN/Inf in the output of layer dense_1");
    /* What guards the step is the loss: a finite one passes. */
    st = tg_model_check_forward(m, (double)loss->data[0]);
    ck_assert_msg(tg_is_ok(&st), "%s", st.msg);
    m->outputs[1]->data[0] = 0;

    tg_model_zero_grad(m);
    tg_tape_backward(m->tape, loss);
    st = tg_model_check_gradients(m);
    ck_assert_msg(tg_is_ok(&st), "%s", st.msg);
    /* A NaN between the layers that reaches no parameter's gradient is no fault. */
    m->outputs[0]->grad[1] = (tg_real)NAN;
    st = tg_model_check_gradients(m);
    ck_assert_msg(tg_is_ok(&st), "%s", st.msg);
    /* Once a parameter's gradient is bad, the place is named, last layer
     * first: what dense_1 passed down, ... */
    m->params[1]->grad[2] = (tg_real)NAN;
    assert_refused(tg_model_check_gradients(m),
                   "first NaN/Inf in the backward pass of layer dense_1");
    m->outputs[0]->grad[1] = 0;
    assert_refused(tg_model_check_gradients(m), "first NaN/Inf in the backward pass of layer dense");
    /* ... what arrived from the loss, and before all, a NaN of the forward pass. */
    m->outputs[1]->grad[0] = (tg_real)INFINITY;
    assert_refused(tg_model_check_gradients(m), "first NaN/Inf in the gradient of the loss");
    m->outputs[0]->data[2] = (tg_real)NAN;
    assert_refused(tg_model_check_gradients(m), "first NaN/Inf in the output of layer dense");

    st = tg_model_check_weights(m);
    ck_assert_msg(tg_is_ok(&st), "%s", st.msg);
    m->params[3]->data[0] = (tg_real)-INFINITY;
    assert_refused(tg_model_check_weights(m), "NaN/Inf in parameter bias of layer dense_1");
    m->params[0]->data[5] = (tg_real)NAN;
    assert_refused(tg_model_check_weights(m), "NaN/Inf in parameter kernel of layer dense");
    tg_model_free(m);
}
END_TEST

Suite *tg_test_suite(void)
{
    Suite *s = suite_create("step");
    TCase *tc = tcase_create("step");
    tcase_add_test(tc, step_is_the_sgd_update_by_hand);
    tcase_add_test(tc, step_clips_to_the_global_norm);
    tcase_add_test(tc, step_refuses_a_nan_input_before_touching_a_weight);
    tcase_add_test(tc, step_refuses_a_weight_the_optimizer_made_infinite);
    tcase_add_test(tc, checks_name_the_place);
    suite_add_tcase(s, tc);
    return s;
}
