/* SimpleRNN: gradcheck on both paths over T and return_sequences, fused ==
 * reference on values and every gradient, small cases worked out by hand
 * from Keras's equation (one unit; two units, to pin the layouts), Keras's
 * initialisers and parameter count, and bad shapes. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "tests/gradcheck_check.h"
#include "tests/layer_paths.h"
#include "autograd/autograd.h"
#include "layers/layers.h"
#include "tensor/tensor.h"
#include "tests/support.h"
#include "layers/internal/gradcheck_cases.h"

/* ---- gradcheck: path (the loop index) x T x return_sequences ---- */

START_TEST(test_simple_rnn_gradcheck_grid)
{
    const tg_path path = _i ? TG_PATH_FUSED : TG_PATH_REFERENCE;
    const int steps[] = {1, 2, 7};
    for (int s = 0; s < 3; s++)
        for (int rs = 0; rs < 2; rs++) {
            char name[80];
            snprintf(name, sizeof name, "simple_rnn %s T=%d return_sequences=%d",
                     _i ? "fused" : "reference", steps[s], rs);
            tg_simple_rnn_opts o = {.units = 3, .return_sequences = rs};
            tg_gradcheck_report r = tg_simple_rnn_gradcheck(o, path, 2, steps[s], 2, 200 + s);
            tg_ck_assert_gradcheck(name, r);
            ck_assert_msg(r.skipped * 50 <= r.checked, "%s: %zu of %zu skipped", name, r.skipped,
                          r.checked);
        }
}
END_TEST

START_TEST(test_simple_rnn_registry_cases)
{
    int n;
    const tg_gradcheck_case *c = tg_simple_rnn_gradcheck_cases(&n);
    ck_assert_int_eq(n, 4);
    for (int k = 0; k < n; k++)
        tg_ck_assert_gradcheck(c[k].name, c[k].run(5));
}
END_TEST

/* ---- fused == reference ---- */

START_TEST(test_simple_rnn_paths_agree)
{
    const int rs = _i;
    tg_test_paths_agree(tg_simple_rnn((tg_simple_rnn_opts){.units = 4, .return_sequences = rs}),
                        tg_simple_rnn((tg_simple_rnn_opts){.units = 4, .return_sequences = rs}),
                        TG_SHAPE(3, 6, 5), 31 + (uint64_t)rs, TG_TEST_TIGHT);
}
END_TEST

/* With a given h0, and L = sum(w h_T): d/dh0 agrees as well. */
enum { AGREE_N = 2, AGREE_T = 5, AGREE_D = 3, AGREE_H = 4 };

typedef struct {
    tg_real h_T[AGREE_N * AGREE_H];
    tg_real *grad[5]; /* x, h0, kernel, recurrent_kernel, bias */
    size_t size[5];
} h0_run;

static h0_run run_with_h0(tg_path path)
{
    tg_rng rng;
    tg_rng_seed(&rng, 77);
    tg_layer *rnn = tg_simple_rnn((tg_simple_rnn_opts){.units = AGREE_H});
    rnn->path = path;
    tg_layer_build(rnn, TG_SHAPE(AGREE_T, AGREE_D), &rng);
    for (int k = 0; k < rnn->n_params; k++)
        tg_init_uniform(rnn->params[k], &rng, -0.8, 0.8);
    tg_tensor *x = tg_tensor_uniform(TG_SHAPE(AGREE_N, AGREE_T, AGREE_D), &rng, -1, 1);
    tg_tensor *h0 = tg_tensor_uniform(TG_SHAPE(AGREE_N, AGREE_H), &rng, -1, 1);
    tg_tensor *w = tg_tensor_uniform(TG_SHAPE(AGREE_N, AGREE_H), &rng, -1, 1);
    tg_tensor_requires_grad(x);
    tg_tensor_requires_grad(h0);
    tg_tape *tape = tg_tape_new();
    tg_tensor *h_T;
    tg_simple_rnn_run(rnn, tape, x, h0, &h_T);
    tg_tape_backward(tape, tg_sum(tape, tg_mul(tape, h_T, w)));
    h0_run r;
    memcpy(r.h_T, h_T->data, sizeof r.h_T);
    const tg_tensor *t[5] = {x, h0, rnn->params[0], rnn->params[1], rnn->params[2]};
    for (int k = 0; k < 5; k++) {
        r.size[k] = t[k]->size;
        r.grad[k] = malloc(t[k]->size * sizeof(tg_real));
        memcpy(r.grad[k], t[k]->grad, t[k]->size * sizeof(tg_real));
    }
    tg_tape_free(tape);
    tg_tensor_free(w);
    tg_tensor_free(x);
    tg_tensor_free(h0);
    tg_layer_free(rnn);
    return r;
}

START_TEST(test_simple_rnn_paths_agree_h0)
{
    h0_run ref = run_with_h0(TG_PATH_REFERENCE), fused = run_with_h0(TG_PATH_FUSED);
    for (int k = 0; k < AGREE_N * AGREE_H; k++)
        tg_ck_assert_close(fused.h_T[k], ref.h_T[k], TG_TEST_TIGHT);
    for (int k = 0; k < 5; k++) {
        for (size_t e = 0; e < ref.size[k]; e++)
            tg_ck_assert_close(fused.grad[k][e], ref.grad[k][e], TG_TEST_TIGHT);
        free(ref.grad[k]);
        free(fused.grad[k]);
    }
}
END_TEST

/* ---- by hand ---- */

/* H = D = N = 1, T = 3, L = h_3: the forward in scalars, the backward by
 * the chain rule from t = 3 down,
 *     dz_t = dL/dh_t (1 - h_t^2),   dL/dh_{t-1} = u dz_t,
 *     dL/dw += x_t dz_t,  dL/du += h_{t-1} dz_t,  dL/db += dz_t,  dL/dx_t = w dz_t. */
START_TEST(test_simple_rnn_by_hand)
{
    const double w = 0.7, u = -0.9, b = 0.2, h_0 = 0.4;
    const double x[4] = {0, 1.0, -0.5, 0.25}; /* x_1..x_3 */
    double h[4] = {h_0};
    for (int t = 1; t <= 3; t++)
        h[t] = tanh(w * x[t] + u * h[t - 1] + b);
    double dh = 1, dw = 0, du = 0, db = 0, dx[4] = {0};
    for (int t = 3; t >= 1; t--) {
        const double dz = dh * (1 - h[t] * h[t]);
        dw += x[t] * dz;
        du += h[t - 1] * dz;
        db += dz;
        dx[t] = w * dz;
        dh = u * dz;
    }
    for (int p = 0; p < 2; p++) {
        tg_rng rng;
        tg_rng_seed(&rng, 1);
        tg_layer *rnn = tg_simple_rnn((tg_simple_rnn_opts){.units = 1});
        rnn->path = p ? TG_PATH_FUSED : TG_PATH_REFERENCE;
        tg_layer_build(rnn, TG_SHAPE(3, 1), &rng);
        ck_assert_str_eq(rnn->params[0]->name, "kernel");
        ck_assert_str_eq(rnn->params[1]->name, "recurrent_kernel");
        ck_assert_str_eq(rnn->params[2]->name, "bias");
        rnn->params[0]->data[0] = (tg_real)w;
        rnn->params[1]->data[0] = (tg_real)u;
        rnn->params[2]->data[0] = (tg_real)b;
        tg_tensor *xt = tg_tensor_from(TG_SHAPE(1, 3, 1), (const tg_real[]){x[1], x[2], x[3]});
        tg_tensor *h0 = tg_tensor_from(TG_SHAPE(1, 1), (const tg_real[]){h_0});
        tg_tensor_requires_grad(xt);
        tg_tensor_requires_grad(h0);
        tg_tape *tape = tg_tape_new();
        tg_tensor *y = tg_simple_rnn_run(rnn, tape, xt, h0, NULL);
        tg_ck_assert_close(y->data[0], h[3], TG_TEST_TIGHT);
        tg_tape_backward(tape, y);
        tg_ck_assert_close(rnn->params[0]->grad[0], dw, TG_TEST_TIGHT);
        tg_ck_assert_close(rnn->params[1]->grad[0], du, TG_TEST_TIGHT);
        tg_ck_assert_close(rnn->params[2]->grad[0], db, TG_TEST_TIGHT);
        for (int t = 1; t <= 3; t++)
            tg_ck_assert_close(xt->grad[t - 1], dx[t], TG_TEST_TIGHT);
        tg_ck_assert_close(h0->grad[0], dh, TG_TEST_TIGHT);
        tg_tape_free(tape);
        tg_tensor_free(xt);
        tg_tensor_free(h0);
        tg_layer_free(rnn);
    }
}
END_TEST

/* D = 2, H = 2, T = 2 with every sequence returned: Keras's layouts,
 * h_t[j] = tanh(sum_d x_t[d] W[d, j] + sum_k h_{t-1}[k] U[k, j] + b[j]),
 * so a transposed W or U would show. */
START_TEST(test_simple_rnn_layouts_by_hand)
{
    const double W[2][2] = {{0.5, -0.2}, {0.3, 0.8}}, U[2][2] = {{0.1, -0.6}, {0.4, 0.2}};
    const double b[2] = {0.05, -0.1}, x[2][2] = {{1.0, -1.0}, {0.5, 2.0}};
    double h[3][2] = {{0, 0}};
    for (int t = 1; t <= 2; t++)
        for (int j = 0; j < 2; j++)
            h[t][j] = tanh(x[t - 1][0] * W[0][j] + x[t - 1][1] * W[1][j] + h[t - 1][0] * U[0][j] +
                           h[t - 1][1] * U[1][j] + b[j]);
    for (int p = 0; p < 2; p++) {
        tg_rng rng;
        tg_rng_seed(&rng, 1);
        tg_layer *rnn = tg_simple_rnn((tg_simple_rnn_opts){.units = 2, .return_sequences = 1});
        rnn->path = p ? TG_PATH_FUSED : TG_PATH_REFERENCE;
        tg_layer_build(rnn, TG_SHAPE(2, 2), &rng);
        for (int r = 0; r < 2; r++)
            for (int c = 0; c < 2; c++) {
                TG_AT(rnn->params[0], r, c) = (tg_real)W[r][c];
                TG_AT(rnn->params[1], r, c) = (tg_real)U[r][c];
            }
        rnn->params[2]->data[0] = (tg_real)b[0];
        rnn->params[2]->data[1] = (tg_real)b[1];
        const tg_real xr[4] = {(tg_real)x[0][0], (tg_real)x[0][1], (tg_real)x[1][0],
                               (tg_real)x[1][1]};
        tg_tensor *xt = tg_tensor_from(TG_SHAPE(1, 2, 2), xr);
        tg_tape *tape = tg_tape_new();
        tg_tensor *y = tg_layer_forward(rnn, tape, xt, 0);
        ck_assert(tg_shape_equal(y->shape, TG_SHAPE(1, 2, 2)));
        for (int t = 0; t < 2; t++)
            for (int j = 0; j < 2; j++)
                tg_ck_assert_close(TG_AT(y, 0, t, j), h[t + 1][j], TG_TEST_TIGHT);
        tg_tape_free(tape);
        tg_tensor_free(xt);
        tg_layer_free(rnn);
    }
}
END_TEST

/* ---- Keras's initialisers and the parameter count ---- */

START_TEST(test_simple_rnn_init_and_count)
{
    const int D = 5, H = 3;
    tg_rng rng;
    tg_rng_seed(&rng, 11);
    tg_layer *rnn = tg_simple_rnn((tg_simple_rnn_opts){.units = H});
    ck_assert_str_eq(rnn->name, "simple_rnn");
    tg_shape out = tg_layer_build(rnn, TG_SHAPE(4, D), &rng);
    ck_assert(tg_shape_equal(out, TG_SHAPE(H)));
    ck_assert_int_eq(rnn->n_params, 3);
    ck_assert(tg_shape_equal(rnn->params[0]->shape, TG_SHAPE(D, H)));
    ck_assert(tg_shape_equal(rnn->params[1]->shape, TG_SHAPE(H, H)));
    ck_assert(tg_shape_equal(rnn->params[2]->shape, TG_SHAPE(H)));
    ck_assert(rnn->is_kernel[0] && rnn->is_kernel[1] && !rnn->is_kernel[2]);
    /* Keras's count: D H + H H + H */
    ck_assert_uint_eq(tg_layer_param_count(rnn), (size_t)(D * H + H * H + H));
    const double limit = sqrt(6.0 / (D + H));
    for (size_t e = 0; e < rnn->params[0]->size; e++)
        ck_assert(fabs((double)rnn->params[0]->data[e]) <= limit);
    /* orthogonal: U U^T = I */
    for (int r = 0; r < H; r++)
        for (int s = 0; s < H; s++) {
            double dot = 0;
            for (int j = 0; j < H; j++)
                dot += (double)TG_AT(rnn->params[1], r, j) * (double)TG_AT(rnn->params[1], s, j);
            tg_ck_assert_close(dot, r == s ? 1.0 : 0.0, 1e3 * TG_REAL_EPSILON);
        }
    for (int j = 0; j < H; j++)
        ck_assert(rnn->params[2]->data[j] == 0);
    tg_layer_free(rnn);
}
END_TEST

/* ---- bad shapes stop with exit status 3 ---- */

START_TEST(test_simple_rnn_bad_input_width)
{
    tg_rng rng;
    tg_rng_seed(&rng, 1);
    tg_layer *rnn = tg_simple_rnn((tg_simple_rnn_opts){.units = 3});
    tg_layer_build(rnn, TG_SHAPE(4, 2), &rng);
    tg_tensor *x = tg_tensor_zeros(TG_SHAPE(2, 4, 5));
    tg_tape *tape = tg_tape_new();
    tg_simple_rnn_run(rnn, tape, x, NULL, NULL);
}
END_TEST

START_TEST(test_simple_rnn_bad_h0)
{
    tg_rng rng;
    tg_rng_seed(&rng, 1);
    tg_layer *rnn = tg_simple_rnn((tg_simple_rnn_opts){.units = 3});
    tg_layer_build(rnn, TG_SHAPE(4, 2), &rng);
    tg_tensor *x = tg_tensor_zeros(TG_SHAPE(2, 4, 2));
    tg_tensor *h0 = tg_tensor_zeros(TG_SHAPE(2, 4));
    tg_tape *tape = tg_tape_new();
    tg_simple_rnn_run(rnn, tape, x, h0, NULL);
}
END_TEST

START_TEST(test_simple_rnn_bad_build_shape)
{
    tg_rng rng;
    tg_rng_seed(&rng, 1);
    tg_layer *rnn = tg_simple_rnn((tg_simple_rnn_opts){.units = 3});
    tg_layer_build(rnn, TG_SHAPE(4, 4, 2), &rng);
}
END_TEST

START_TEST(test_simple_rnn_bad_units)
{
    tg_simple_rnn((tg_simple_rnn_opts){.units = 0});
}
END_TEST

START_TEST(test_simple_rnn_run_on_lstm)
{
    tg_rng rng;
    tg_rng_seed(&rng, 1);
    tg_layer *lstm = tg_lstm((tg_lstm_opts){.units = 3});
    tg_layer_build(lstm, TG_SHAPE(4, 2), &rng);
    tg_tensor *x = tg_tensor_zeros(TG_SHAPE(2, 4, 2));
    tg_tape *tape = tg_tape_new();
    tg_simple_rnn_run(lstm, tape, x, NULL, NULL);
}
END_TEST

Suite *tg_test_suite(void)
{
    Suite *s = suite_create("simple_rnn");
    TCase *grad = tcase_create("gradcheck");
    tcase_set_timeout(grad, 120);
    tcase_add_loop_test(grad, test_simple_rnn_gradcheck_grid, 0, 2);
    tcase_add_test(grad, test_simple_rnn_registry_cases);
    suite_add_tcase(s, grad);

    TCase *paths = tcase_create("fused_vs_reference");
    tcase_add_loop_test(paths, test_simple_rnn_paths_agree, 0, 2);
    tcase_add_test(paths, test_simple_rnn_paths_agree_h0);
    suite_add_tcase(s, paths);

    TCase *hand = tcase_create("by_hand");
    tcase_add_test(hand, test_simple_rnn_by_hand);
    tcase_add_test(hand, test_simple_rnn_layouts_by_hand);
    tcase_add_test(hand, test_simple_rnn_init_and_count);
    suite_add_tcase(s, hand);

    TCase *bad = tcase_create("bad_shapes");
    tcase_add_exit_test(bad, test_simple_rnn_bad_input_width, TG_FATAL_EXIT);
    tcase_add_exit_test(bad, test_simple_rnn_bad_h0, TG_FATAL_EXIT);
    tcase_add_exit_test(bad, test_simple_rnn_bad_build_shape, TG_FATAL_EXIT);
    tcase_add_exit_test(bad, test_simple_rnn_bad_units, TG_FATAL_EXIT);
    tcase_add_exit_test(bad, test_simple_rnn_run_on_lstm, TG_FATAL_EXIT);
    suite_add_tcase(s, bad);
    return s;
}
