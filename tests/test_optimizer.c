/* Each optimizer's first three steps against its formulas, computed here in
 * double by hand; regularizers and clipping against their definitions. */
#include <check.h>
#include <math.h>

#include "autograd/autograd.h"
#include "layers/layers.h"
#include "tensor/tensor.h"
#include "tests/support.h"
#include "train/train.h"

#define N 3
static const double w0[N] = {1.0, -2.0, 0.5};

/* The gradient of step t (from 1): different each step, so a wrong state
 * update shows. */
static double grad_at(int t, int k)
{
    static const double g[N] = {0.5, -1.0, 0.25};
    return g[k] * (1 + 0.5 * t) + (k == 2 ? -0.3 * t : 0);
}

/* Runs three steps of opt on w0 and leaves w[] with the results. */
static void run_steps(tg_optimizer *opt, double out[3][N])
{
    tg_tensor *w = tg_tensor_zeros(TG_SHAPE(N));
    tg_tensor_requires_grad(w);
    for (int k = 0; k < N; k++)
        w->data[k] = (tg_real)w0[k];
    for (int t = 1; t <= 3; t++) {
        for (int k = 0; k < N; k++)
            w->grad[k] = (tg_real)grad_at(t, k);
        tg_optimizer_step(opt, &w, 1);
        for (int k = 0; k < N; k++)
            out[t - 1][k] = (double)w->data[k];
    }
    tg_tensor_free(w);
    tg_optimizer_free(opt);
}

static void assert_steps(double got[3][N], double want[3][N])
{
    for (int t = 0; t < 3; t++)
        for (int k = 0; k < N; k++)
            tg_ck_assert_close(got[t][k], want[t][k], TG_TEST_TIGHT);
}

START_TEST(sgd_plain)
{
    double got[3][N], want[3][N], w[N] = {w0[0], w0[1], w0[2]};
    run_steps(tg_optimizer_sgd(0.1, 0, 0), got);
    for (int t = 1; t <= 3; t++)
        for (int k = 0; k < N; k++)
            want[t - 1][k] = w[k] -= 0.1 * grad_at(t, k);
    assert_steps(got, want);
}
END_TEST

START_TEST(sgd_momentum)
{
    double got[3][N], want[3][N], w[N] = {w0[0], w0[1], w0[2]}, v[N] = {0};
    run_steps(tg_optimizer_sgd(0.1, 0.9, 0), got);
    for (int t = 1; t <= 3; t++)
        for (int k = 0; k < N; k++) {
            v[k] = 0.9 * v[k] - 0.1 * grad_at(t, k);
            want[t - 1][k] = w[k] += v[k];
        }
    assert_steps(got, want);
}
END_TEST

START_TEST(sgd_nesterov)
{
    double got[3][N], want[3][N], w[N] = {w0[0], w0[1], w0[2]}, v[N] = {0};
    run_steps(tg_optimizer_sgd(0.05, 0.8, 1), got);
    for (int t = 1; t <= 3; t++)
        for (int k = 0; k < N; k++) {
            v[k] = 0.8 * v[k] - 0.05 * grad_at(t, k);
            want[t - 1][k] = w[k] += 0.8 * v[k] - 0.05 * grad_at(t, k);
        }
    assert_steps(got, want);
}
END_TEST

START_TEST(adam_keras)
{
    double got[3][N], want[3][N], w[N] = {w0[0], w0[1], w0[2]}, m[N] = {0}, v[N] = {0};
    run_steps(tg_optimizer_adam(0.01), got);
    for (int t = 1; t <= 3; t++) {
        /* Keras: lr_t = lr sqrt(1 - b2^t) / (1 - b1^t), then the moments */
        double lr_t = 0.01 * sqrt(1 - pow(0.999, t)) / (1 - pow(0.9, t));
        for (int k = 0; k < N; k++) {
            double g = grad_at(t, k);
            m[k] += (g - m[k]) * (1 - 0.9);
            v[k] += (g * g - v[k]) * (1 - 0.999);
            want[t - 1][k] = w[k] -= lr_t * m[k] / (sqrt(v[k]) + 1e-7);
        }
    }
    assert_steps(got, want);
    /* The first Adam step moves each weight by almost exactly lr against
     * the sign of its gradient. */
    for (int k = 0; k < N; k++)
        tg_ck_assert_close(fabs(got[0][k] - w0[k]), 0.01, 1e-5);
}
END_TEST

START_TEST(rmsprop_keras)
{
    double got[3][N], want[3][N], w[N] = {w0[0], w0[1], w0[2]}, v[N] = {0};
    run_steps(tg_optimizer_rmsprop(0.001), got);
    for (int t = 1; t <= 3; t++)
        for (int k = 0; k < N; k++) {
            double g = grad_at(t, k);
            v[k] = 0.9 * v[k] + 0.1 * g * g;
            want[t - 1][k] = w[k] -= 0.001 * g / sqrt(v[k] + 1e-7);
        }
    assert_steps(got, want);
}
END_TEST

START_TEST(state_for_other_params_stops)
{
    tg_optimizer *opt = tg_optimizer_adam(0.001);
    tg_tensor *a = tg_tensor_zeros(TG_SHAPE(3)), *b = tg_tensor_zeros(TG_SHAPE(4));
    tg_tensor_requires_grad(a);
    tg_tensor_requires_grad(b);
    tg_optimizer_step(opt, &a, 1);
    tg_optimizer_step(opt, &b, 1);
}
END_TEST

/* ---- regularizers and clipping ---- */

START_TEST(l1_l2_penalty_and_gradient)
{
    tg_rng rng;
    tg_rng_seed(&rng, 7);
    tg_layer *d = tg_dense(2, TG_LINEAR);
    tg_layer_build(d, TG_SHAPE(3), &rng);
    tg_tensor *W = d->params[0], *b = d->params[1];
    tg_tensor_fill(b, 5); /* the bias is never penalised */
    double l1 = 0, l2 = 0;
    for (size_t k = 0; k < W->size; k++) {
        l1 += fabs((double)W->data[k]);
        l2 += (double)W->data[k] * (double)W->data[k];
    }
    tg_tape *tape = tg_tape_new();
    tg_tensor *p = tg_regularizer_penalty(tape, d, tg_l1_l2(0.01, 0.02));
    tg_ck_assert_close(p->data[0], 0.01 * l1 + 0.02 * l2, TG_TEST_TIGHT);
    tg_tape_backward(tape, p);
    /* d/dw (l1 |w| + l2 w^2) = l1 sign(w) + 2 l2 w */
    for (size_t k = 0; k < W->size; k++) {
        double w = (double)W->data[k];
        tg_ck_assert_close(W->grad[k], 0.01 * (w > 0 ? 1 : -1) + 0.04 * w, TG_TEST_TIGHT);
    }
    for (size_t k = 0; k < b->size; k++)
        tg_ck_assert_close(b->grad[k], 0, 0);
    ck_assert_ptr_null(tg_regularizer_penalty(tape, d, (tg_regularizer){0, 0}));
    tg_tape_free(tape);
    tg_layer_free(d);
}
END_TEST

START_TEST(clip_by_global_norm)
{
    tg_tensor *a = tg_tensor_zeros(TG_SHAPE(2)), *b = tg_tensor_zeros(TG_SHAPE(1));
    tg_tensor_requires_grad(a);
    tg_tensor_requires_grad(b);
    a->grad[0] = 3;
    a->grad[1] = 0;
    b->grad[0] = 4; /* global norm 5 */
    tg_tensor *ps[2] = {a, b};
    tg_ck_assert_close(tg_clip_grad_norm(ps, 2, 10), 5, TG_TEST_TIGHT);
    tg_ck_assert_close(a->grad[0], 3, 0); /* under the limit: untouched */
    tg_ck_assert_close(tg_clip_grad_norm(ps, 2, 1), 5, TG_TEST_TIGHT);
    tg_ck_assert_close(a->grad[0], 0.6, TG_TEST_TIGHT);
    tg_ck_assert_close(b->grad[0], 0.8, TG_TEST_TIGHT);
    tg_tensor_free(a);
    tg_tensor_free(b);
}
END_TEST

Suite *tg_test_suite(void)
{
    Suite *s = suite_create("optimizer");
    TCase *tc = tcase_create("optimizer");
    tcase_add_test(tc, sgd_plain);
    tcase_add_test(tc, sgd_momentum);
    tcase_add_test(tc, sgd_nesterov);
    tcase_add_test(tc, adam_keras);
    tcase_add_test(tc, rmsprop_keras);
    tcase_add_exit_test(tc, state_for_other_params_stops, TG_FATAL_EXIT);
    tcase_add_test(tc, l1_l2_penalty_and_gradient);
    tcase_add_test(tc, clip_by_global_norm);
    suite_add_tcase(s, tc);
    return s;
}
