/* ConvLSTM2D: the gradcheck rows of every variant on both paths, fused ==
 * reference on values and every gradient, the identity with the peephole
 * LSTM (1 x 1 kernels on a 1 x 1 image), a tiny case from the scalar
 * equations, Keras's ConvLSTM2D written independently in plain loops,
 * Keras's initialisers and counts, and bad arguments. Sizes stay tiny:
 * the suite also runs under ASan and valgrind. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tests/gradcheck_check.h"
#include "autograd/autograd.h"
#include "layers/layers.h"
#include "tensor/tensor.h"
#include "tests/layer_paths.h"
#include "tests/support.h"
#include "layers/internal/gradcheck_cases.h"

static double sig(double z)
{
    return 1 / (1 + exp(-z));
}

/* A built layer for per-sample input (T, H, W, C), every parameter drawn
 * U(-range, range) (peepholes and biases too). */
static tg_layer *random_layer(tg_conv_lstm2d_opts o, tg_shape input, uint64_t seed, double range)
{
    tg_rng rng;
    tg_rng_seed(&rng, seed);
    tg_layer *l = tg_conv_lstm2d(o);
    tg_layer_build(l, input, &rng);
    for (int k = 0; k < l->n_params; k++)
        tg_init_uniform(l->params[k], &rng, -range, range);
    return l;
}

/* ---- gradcheck ---- */

/* One case of the registry per loop index (each under its own timeout). */
START_TEST(test_conv_lstm_registry_case)
{
    int n;
    const tg_gradcheck_case *c = tg_conv_lstm2d_gradcheck_cases(&n);
    ck_assert_int_eq(n, 14);
    tg_gradcheck_report r = c[_i].run(11);
    tg_ck_assert_gradcheck(c[_i].name, r);
    ck_assert_msg(r.skipped * 50 <= r.checked, "%s: %zu of %zu skipped", c[_i].name, r.skipped,
                  r.checked);
}
END_TEST

/* ---- fused == reference: variant x padding/stride x return_sequences ---- */

static const tg_conv_lstm2d_opts path_cases[] = {
    {.filters = 3, .kernel = {3, 3}},
    {.filters = 2, .kernel = {3, 3}, .peephole = TG_PEEPHOLE_NONE, .return_sequences = 1},
    {.filters = 2, .kernel = {2, 3}, .no_candidate_peephole = 1, .padding = TG_SAME},
    {.filters = 3, .kernel = {3, 3}, .strides = {2, 1}, .padding = TG_SAME, .return_sequences = 1},
    {.filters = 2, .kernel = {3, 2}, .strides = {2, 2}, .peephole = TG_PEEPHOLE_NONE},
};

START_TEST(test_conv_lstm_fused_equals_reference)
{
    const tg_conv_lstm2d_opts o = path_cases[_i];
    tg_test_paths_agree(tg_conv_lstm2d(o), tg_conv_lstm2d(o), TG_SHAPE(2, 3, 5, 4, 2),
                        70 + (uint64_t)_i, TG_TEST_TIGHT);
}
END_TEST

/* ---- a ConvLSTM with 1 x 1 kernels on a 1 x 1 image is the peephole LSTM ---- */

static const struct {
    tg_peephole peephole;
    int no_cand;
} lstm_variants[] = {
    {TG_PEEPHOLE_DIAGONAL, 0}, {TG_PEEPHOLE_DIAGONAL, 1}, {TG_PEEPHOLE_NONE, 0}};

/* Copies the ConvLSTM's weights into the LSTM's per-gate ones: kernel
 * (1, 1, D, 4F) is [W_xi W_xf W_xc W_xo], recurrent_kernel (1, 1, F, 4F)
 * [W_hi ...], bias (4F) [b_i ...], each W_c* (1, 1, F) the LSTM's (F). */
static void copy_into_lstm(const tg_layer *cl, tg_layer *lstm, int D, int F)
{
    static const char *const gates = "ifco";
    const tg_tensor *K = tg_layer_param(cl, "kernel"), *R = tg_layer_param(cl, "recurrent_kernel");
    const tg_tensor *B = tg_layer_param(cl, "bias");
    for (int g = 0; g < 4; g++) {
        char name[8];
        snprintf(name, sizeof name, "W_x%c", gates[g]);
        tg_tensor *W_x = tg_layer_param(lstm, name);
        for (int d = 0; d < D; d++)
            for (int j = 0; j < F; j++)
                TG_AT(W_x, d, j) = K->data[d * 4 * F + g * F + j];
        snprintf(name, sizeof name, "W_h%c", gates[g]);
        tg_tensor *W_h = tg_layer_param(lstm, name);
        for (int r = 0; r < F; r++)
            for (int j = 0; j < F; j++)
                TG_AT(W_h, r, j) = R->data[r * 4 * F + g * F + j];
        snprintf(name, sizeof name, "b_%c", gates[g]);
        tg_tensor *b = tg_layer_param(lstm, name);
        for (int j = 0; j < F; j++)
            b->data[j] = B->data[g * F + j];
        snprintf(name, sizeof name, "W_c%c", gates[g]);
        const tg_tensor *from = tg_layer_param(cl, name);
        tg_tensor *to = tg_layer_param(lstm, name);
        ck_assert_int_eq(from != NULL, to != NULL);
        if (from)
            memcpy(to->data, from->data, (size_t)F * sizeof(tg_real));
    }
}

START_TEST(test_conv_lstm_is_the_lstm_on_one_pixel)
{
    const int N = 2, T = 4, D = 3, F = 3;
    const tg_path path = _i % 2 ? TG_PATH_FUSED : TG_PATH_REFERENCE;
    const tg_peephole peephole = lstm_variants[_i / 2].peephole;
    const int no_cand = lstm_variants[_i / 2].no_cand;
    tg_layer *cl = random_layer((tg_conv_lstm2d_opts){.filters = F, .kernel = {1, 1},
                                                      .return_sequences = 1, .peephole = peephole,
                                                      .no_candidate_peephole = no_cand},
                                TG_SHAPE(T, 1, 1, D), 30 + (uint64_t)_i, 0.8);
    tg_rng rng;
    tg_rng_seed(&rng, 31);
    tg_layer *lstm = tg_lstm((tg_lstm_opts){.units = F, .return_sequences = 1,
                                            .peephole = peephole, .no_candidate_peephole = no_cand});
    tg_layer_build(lstm, TG_SHAPE(T, D), &rng);
    ck_assert_int_eq(cl->n_params, lstm->n_params - 9); /* 3 packed arrays for 12 per-gate ones */
    copy_into_lstm(cl, lstm, D, F);
    cl->path = path;
    lstm->path = path;

    tg_tensor *x = tg_tensor_uniform(TG_SHAPE(N, T, 1, 1, D), &rng, -1, 1);
    tg_tensor *xs = tg_tensor_new(TG_SHAPE(N, T, D));
    memcpy(xs->data, x->data, x->size * sizeof(tg_real));
    tg_tensor_requires_grad(x);
    tg_tensor_requires_grad(xs);
    tg_tensor *w = tg_tensor_uniform(TG_SHAPE(N, T, 1, 1, F), &rng, -1, 1);
    tg_tape *tape = tg_tape_new(), *tape_s = tg_tape_new();
    tg_tensor *y = tg_layer_forward(cl, tape, x, 1);
    tg_tensor *ys = tg_layer_forward(lstm, tape_s, xs, 1);
    for (size_t k = 0; k < y->size; k++)
        tg_ck_assert_close(y->data[k], ys->data[k], TG_TEST_TIGHT);
    /* and the gradients: the same loss on both, sum(w (.) y) */
    tg_tape_backward_seeded(tape, y, w->data);
    tg_tape_backward_seeded(tape_s, ys, w->data);
    for (size_t k = 0; k < x->size; k++)
        tg_ck_assert_close(x->grad[k], xs->grad[k], TG_TEST_TIGHT);
    const tg_tensor *K = tg_layer_param(cl, "kernel");
    const tg_tensor *W_xf = tg_layer_param(lstm, "W_xf");
    for (int d = 0; d < D; d++)
        for (int j = 0; j < F; j++)
            tg_ck_assert_close(K->grad[d * 4 * F + F + j], W_xf->grad[d * F + j], TG_TEST_TIGHT);
    const tg_tensor *W_co = tg_layer_param(cl, "W_co"), *W_co_l = tg_layer_param(lstm, "W_co");
    for (int j = 0; W_co && j < F; j++)
        tg_ck_assert_close(W_co->grad[j], W_co_l->grad[j], TG_TEST_TIGHT);
    tg_tape_free(tape);
    tg_tape_free(tape_s);
    tg_tensor_free(x);
    tg_tensor_free(xs);
    tg_tensor_free(w);
    tg_layer_free(cl);
    tg_layer_free(lstm);
}
END_TEST

/* ---- by hand: F = C = 1, a 1 x 1 kernel on a 1 x 1 image, T = 2 ---- */

/* The six equations in scalars, with round weights: w_x* = 0.5, w_h* =
 * -0.25, peepholes 0.125 (W_cc included), b = (0.1, 1, -0.1, 0.2), x =
 * (1, -2). Each line is the document's equation; the test reads the
 * layer's output against these numbers. */
START_TEST(test_conv_lstm_by_hand)
{
    tg_layer *cl = random_layer((tg_conv_lstm2d_opts){.filters = 1, .kernel = {1, 1},
                                                      .return_sequences = 1},
                                TG_SHAPE(2, 1, 1, 1), 1, 0);
    cl->path = _i ? TG_PATH_FUSED : TG_PATH_REFERENCE;
    const double b[4] = {0.1, 1, -0.1, 0.2}, xs[2] = {1, -2};
    for (int g = 0; g < 4; g++) {
        tg_layer_param(cl, "kernel")->data[g] = 0.5;
        tg_layer_param(cl, "recurrent_kernel")->data[g] = -0.25;
        tg_layer_param(cl, "bias")->data[g] = (tg_real)b[g];
    }
    const char *peep[4] = {"W_ci", "W_cf", "W_cc", "W_co"};
    for (int g = 0; g < 4; g++)
        tg_layer_param(cl, peep[g])->data[0] = 0.125;
    double h = 0, c = 0, want[2];
    for (int t = 0; t < 2; t++) {
        const double i = sig(0.5 * xs[t] - 0.25 * h + 0.125 * c + b[0]);
        const double f = sig(0.5 * xs[t] - 0.25 * h + 0.125 * c + b[1]);
        const double c_tilde = tanh(0.5 * xs[t] - 0.25 * h + 0.125 * c + b[2]);
        const double c_new = f * c + i * c_tilde;
        const double o = sig(0.5 * xs[t] - 0.25 * h + 0.125 * c_new + b[3]);
        h = o * tanh(c_new);
        c = c_new;
        want[t] = h;
    }
    /* The first step on paper (h_0 = c_0 = 0): i = sig(0.6) = 0.645656,
     * f = sig(1.5) = 0.817574, c~ = tanh(0.4) = 0.379949, c_1 = i c~ =
     * 0.245316, o = sig(0.7 + 0.125 c_1) = 0.674951, h_1 = o tanh(c_1) =
     * 0.162333. */
    ck_assert_msg(fabs(want[0] - 0.162333) < 1e-6, "h_1 = %.9f", want[0]);
    tg_tensor *x = tg_tensor_new(TG_SHAPE(1, 2, 1, 1, 1));
    x->data[0] = 1;
    x->data[1] = -2;
    tg_tape *tape = tg_tape_new();
    tg_tensor *y = tg_layer_forward(cl, tape, x, 0);
    for (int t = 0; t < 2; t++)
        tg_ck_assert_close(y->data[t], want[t], TG_TEST_TIGHT);
    tg_tape_free(tape);
    tg_tensor_free(x);
    tg_layer_free(cl);
}
END_TEST

/* ---- Keras's ConvLSTM2D (peephole none), written in plain loops ---- */

/* Keras's output size and leading pad for one axis. */
static int keras_out(int in, int k, int s, int same, int *pad)
{
    const int out = same ? (in + s - 1) / s : (in - k) / s + 1;
    const int total = (out - 1) * s + k - in;
    *pad = same && total > 0 ? total / 2 : 0;
    return out;
}

/* y (OH, OW, G) += conv(x (H, W, Cin), k (kh, kw, Cin, G)) at stride s, in double. */
static void keras_conv(const double *x, int H, int W, int Cin, const tg_tensor *k, int s_h,
                       int s_w, int same, double *y, int G)
{
    const int kh = k->shape.dim[0], kw = k->shape.dim[1];
    int ph, pw;
    const int OH = keras_out(H, kh, s_h, same, &ph), OW = keras_out(W, kw, s_w, same, &pw);
    for (int i = 0; i < OH; i++)
        for (int j = 0; j < OW; j++)
            for (int a = 0; a < kh; a++)
                for (int bb = 0; bb < kw; bb++) {
                    const int r = i * s_h + a - ph, q = j * s_w + bb - pw;
                    if (r < 0 || r >= H || q < 0 || q >= W)
                        continue;
                    for (int ci = 0; ci < Cin; ci++)
                        for (int o = 0; o < G; o++)
                            y[(i * OW + j) * G + o] +=
                                TG_AT(k, a, bb, ci, o) * x[(r * W + q) * Cin + ci];
                }
}

START_TEST(test_conv_lstm_keras_equations)
{
    enum { N = 2, T = 3, H = 5, W = 4, C = 2, F = 2, G = 4 * F, MAP = 5 * 4 * F };
    const int same = _i / 2, stride = same ? 2 : 1;
    tg_layer *cl = random_layer((tg_conv_lstm2d_opts){.filters = F, .kernel = {3, 2},
                                                      .strides = {stride, stride},
                                                      .padding = same ? TG_SAME : TG_VALID,
                                                      .peephole = TG_PEEPHOLE_NONE},
                                TG_SHAPE(T, H, W, C), 9, 0.6);
    ck_assert_int_eq(cl->n_params, 3);
    const tg_tensor *K = cl->params[0], *R = cl->params[1], *B = cl->params[2];
    int ph, pw;
    const int OH = keras_out(H, 3, stride, same, &ph), OW = keras_out(W, 2, stride, same, &pw);
    const int P = OH * OW;
    tg_rng rng;
    tg_rng_seed(&rng, 10);
    tg_tensor *x = tg_tensor_uniform(TG_SHAPE(N, T, H, W, C), &rng, -1, 1);
    double want[N][MAP];
    for (int n = 0; n < N; n++) {
        double h[MAP] = {0}, c[MAP] = {0};
        for (int t = 0; t < T; t++) {
            double xt[H * W * C], z[5 * 4 * G] = {0};
            for (int k = 0; k < H * W * C; k++)
                xt[k] = x->data[((size_t)n * T + t) * H * W * C + k];
            /* z = kernel * x_t + bias + recurrent_kernel * h ('same', stride 1), [i f c o] */
            keras_conv(xt, H, W, C, K, stride, stride, same, z, G);
            keras_conv(h, OH, OW, F, R, 1, 1, 1, z, G);
            for (int p = 0; p < P; p++)
                for (int j = 0; j < F; j++) {
                    const double *zp = z + p * G;
                    const double i = sig(zp[j] + B->data[j]);
                    const double f = sig(zp[F + j] + B->data[F + j]);
                    const double g = tanh(zp[2 * F + j] + B->data[2 * F + j]);
                    const double o = sig(zp[3 * F + j] + B->data[3 * F + j]);
                    c[p * F + j] = f * c[p * F + j] + i * g;
                    h[p * F + j] = o * tanh(c[p * F + j]);
                }
        }
        memcpy(want[n], h, sizeof h);
    }
    cl->path = _i % 2 ? TG_PATH_FUSED : TG_PATH_REFERENCE;
    tg_tape *tape = tg_tape_new();
    tg_tensor *y = tg_layer_forward(cl, tape, x, 0);
    ck_assert(tg_shape_equal(y->shape, TG_SHAPE(N, OH, OW, F)));
    for (int n = 0; n < N; n++)
        for (int k = 0; k < P * F; k++)
            tg_ck_assert_close(y->data[(size_t)n * P * F + k], want[n][k], TG_TEST_TIGHT);
    tg_tape_free(tape);
    tg_tensor_free(x);
    tg_layer_free(cl);
}
END_TEST

/* ---- Keras's shapes, counts and initialisers ---- */

/* ConvLSTM2D(8, (3, 3)) on (T, 10, 10, 2): kernel 3 3 2 32 = 576, recurrent
 * 3 3 8 32 = 2304, bias 32: 2912, Keras's count; diagonal peepholes add
 * 4 (8 8 8) = 2048 on the valid 8 x 8 map. */
START_TEST(test_conv_lstm_init_and_counts)
{
    tg_rng rng;
    tg_rng_seed(&rng, 4);
    tg_layer *none = tg_conv_lstm2d(
        (tg_conv_lstm2d_opts){.filters = 8, .kernel = {3, 3}, .peephole = TG_PEEPHOLE_NONE});
    ck_assert_str_eq(none->name, "conv_lstm2d");
    ck_assert_str_eq(none->ops->kind, "ConvLSTM2D");
    tg_shape out = tg_layer_build(none, TG_SHAPE(4, 10, 10, 2), &rng);
    ck_assert(tg_shape_equal(out, TG_SHAPE(8, 8, 8)));
    ck_assert_int_eq((int)tg_layer_param_count(none), 2912);
    tg_layer *diag = tg_conv_lstm2d(
        (tg_conv_lstm2d_opts){.filters = 8, .kernel = {3, 3}, .return_sequences = 1});
    out = tg_layer_build(diag, TG_SHAPE(4, 10, 10, 2), &rng);
    ck_assert(tg_shape_equal(out, TG_SHAPE(4, 8, 8, 8)));
    ck_assert_int_eq((int)tg_layer_param_count(diag), 2912 + 2048);
    ck_assert(tg_shape_equal(tg_layer_param(diag, "W_cc")->shape, TG_SHAPE(8, 8, 8)));

    const tg_tensor *K = tg_layer_param(none, "kernel"), *R = tg_layer_param(none, "recurrent_kernel");
    const tg_tensor *B = tg_layer_param(none, "bias");
    /* Glorot: limit sqrt(6 / (3 3 2 + 3 3 32)) */
    const double limit = sqrt(6.0 / (18 + 288));
    double k_max = 0;
    for (size_t k = 0; k < K->size; k++)
        k_max = fmax(k_max, fabs(K->data[k]));
    ck_assert(k_max <= limit && k_max > 0.9 * limit);
    /* orthogonal over (3 3 8, 32) = (72, 32): orthonormal columns */
    for (int a = 0; a < 32; a++)
        for (int b = 0; b < 32; b++) {
            double dot = 0;
            for (int r = 0; r < 72; r++)
                dot += R->data[r * 32 + a] * R->data[r * 32 + b];
            ck_assert_msg(fabs(dot - (a == b)) < 1e-5, "columns %d, %d: %g", a, b, dot);
        }
    /* unit_forget_bias: b_f = 1, the rest 0; peepholes start at 0 */
    for (int k = 0; k < 32; k++)
        ck_assert(B->data[k] == (k >= 8 && k < 16 ? 1 : 0));
    const tg_tensor *W_ci = tg_layer_param(diag, "W_ci");
    for (size_t k = 0; k < W_ci->size; k++)
        ck_assert(W_ci->data[k] == 0);
    ck_assert_ptr_null(tg_layer_param(none, "W_ci"));
    tg_layer_free(none);
    tg_layer_free(diag);
}
END_TEST

/* ---- bad arguments ---- */

START_TEST(test_conv_lstm_zero_filters)
{
    tg_conv_lstm2d((tg_conv_lstm2d_opts){.kernel = {3, 3}});
}
END_TEST

START_TEST(test_conv_lstm_no_kernel)
{
    tg_conv_lstm2d((tg_conv_lstm2d_opts){.filters = 2});
}
END_TEST

START_TEST(test_conv_lstm_full_peephole_refused)
{
    tg_conv_lstm2d(
        (tg_conv_lstm2d_opts){.filters = 2, .kernel = {3, 3}, .peephole = TG_PEEPHOLE_FULL});
}
END_TEST

START_TEST(test_conv_lstm_not_frames)
{
    tg_rng rng;
    tg_rng_seed(&rng, 1);
    tg_layer *l = tg_conv_lstm2d((tg_conv_lstm2d_opts){.filters = 2, .kernel = {3, 3}});
    tg_layer_build(l, TG_SHAPE(5, 6, 2), &rng);
}
END_TEST

START_TEST(test_conv_lstm_kernel_too_large)
{
    tg_rng rng;
    tg_rng_seed(&rng, 1);
    tg_layer *l = tg_conv_lstm2d((tg_conv_lstm2d_opts){.filters = 2, .kernel = {5, 5}});
    tg_layer_build(l, TG_SHAPE(2, 4, 4, 1), &rng);
}
END_TEST

Suite *tg_test_suite(void)
{
    Suite *s = suite_create("conv_lstm");
    TCase *tc = tcase_create("conv_lstm");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, test_conv_lstm_registry_case, 0, 14);
    tcase_add_loop_test(tc, test_conv_lstm_fused_equals_reference, 0,
                        (int)(sizeof path_cases / sizeof path_cases[0]));
    tcase_add_loop_test(tc, test_conv_lstm_is_the_lstm_on_one_pixel, 0, 6);
    tcase_add_loop_test(tc, test_conv_lstm_by_hand, 0, 2);
    tcase_add_loop_test(tc, test_conv_lstm_keras_equations, 0, 4);
    tcase_add_test(tc, test_conv_lstm_init_and_counts);
    tcase_add_exit_test(tc, test_conv_lstm_zero_filters, TG_FATAL_EXIT);
    tcase_add_exit_test(tc, test_conv_lstm_no_kernel, TG_FATAL_EXIT);
    tcase_add_exit_test(tc, test_conv_lstm_full_peephole_refused, TG_FATAL_EXIT);
    tcase_add_exit_test(tc, test_conv_lstm_not_frames, TG_FATAL_EXIT);
    tcase_add_exit_test(tc, test_conv_lstm_kernel_too_large, TG_FATAL_EXIT);
    suite_add_tcase(s, tc);
    return s;
}
