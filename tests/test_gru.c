/* GRU: gradcheck of both variants (reset_after on and off) on both paths
 * over T and return_sequences, fused == reference on values and every
 * gradient, a tiny case worked out by hand, Keras's equations written from
 * the packed weights alone, Keras's initialisers and parameter counts, the
 * .npy files in Keras's layout, and bad arguments. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "tests/gradcheck_check.h"
#include "autograd/autograd.h"
#include "layers/layers.h"
#include "tensor/tensor.h"
#include "tests/layer_paths.h"
#include "tests/scratch.h"
#include "tests/support.h"
#include "layers/internal/gradcheck_cases.h"

static tg_layer *random_gru(tg_gru_opts o, int T, int D, uint64_t seed, double range)
{
    tg_rng rng;
    tg_rng_seed(&rng, seed);
    tg_layer *gru = tg_gru(o);
    tg_layer_build(gru, TG_SHAPE(T, D), &rng);
    for (int k = 0; k < gru->n_params; k++)
        tg_init_uniform(gru->params[k], &rng, -range, range);
    return gru;
}

/* ---- gradcheck: (reset_before, path) the loop index, then T x return_sequences ---- */

START_TEST(test_gru_gradcheck_grid)
{
    const int reset_before = _i / 2;
    const tg_path path = _i % 2 ? TG_PATH_FUSED : TG_PATH_REFERENCE;
    const int steps[] = {1, 2, 6};
    for (int s = 0; s < 3; s++)
        for (int rs = 0; rs < 2; rs++) {
            char name[96];
            snprintf(name, sizeof name, "gru reset_after=%d %s T=%d return_sequences=%d",
                     !reset_before, path == TG_PATH_FUSED ? "fused" : "reference", steps[s], rs);
            tg_gru_opts o = {.units = 3, .return_sequences = rs, .reset_before = reset_before};
            tg_gradcheck_report r = tg_gru_gradcheck(o, path, 2, steps[s], 2, 200 + s);
            tg_ck_assert_gradcheck(name, r);
            ck_assert_msg(r.skipped * 50 <= r.checked, "%s: %zu of %zu skipped", name, r.skipped,
                          r.checked);
        }
}
END_TEST

START_TEST(test_gru_registry_cases)
{
    int n;
    const tg_gradcheck_case *c = tg_gru_gradcheck_cases(&n);
    ck_assert_int_eq(n, 8);
    for (int k = 0; k < n; k++)
        tg_ck_assert_gradcheck(c[k].name, c[k].run(7));
}
END_TEST

/* ---- fused == reference ---- */

/* The layer's output, dx and every parameter's gradient, for a random dy. */
START_TEST(test_gru_fused_equals_reference)
{
    const tg_gru_opts o = {.units = 5, .return_sequences = _i % 2, .reset_before = _i / 2};
    tg_test_paths_agree(tg_gru(o), tg_gru(o), TG_SHAPE(3, 6, 4), 42 + (uint64_t)_i,
                        TG_TEST_TIGHT);
}
END_TEST

/* From a given h_0: h_T and dL/dh_0 of L = sum(w h_T), w random. */
START_TEST(test_gru_paths_agree_from_h0)
{
    const int N = 3, T = 5, D = 4, H = 5;
    tg_layer *gru = random_gru((tg_gru_opts){.units = H, .reset_before = _i}, T, D, 43, 0.8);
    tg_rng rng;
    tg_rng_seed(&rng, 3);
    tg_tensor *x = tg_tensor_uniform(TG_SHAPE(N, T, D), &rng, -1, 1);
    tg_tensor *h0 = tg_tensor_uniform(TG_SHAPE(N, H), &rng, -1, 1);
    tg_tensor *w = tg_tensor_uniform(TG_SHAPE(N, H), &rng, -1, 1);
    tg_tensor_requires_grad(h0);
    tg_real h_T[2][15], dh0[2][15];
    for (int p = 0; p < 2; p++) {
        gru->path = p ? TG_PATH_FUSED : TG_PATH_REFERENCE;
        tg_tensor_zero_grad(h0);
        tg_tape *tape = tg_tape_new();
        tg_tensor *last;
        tg_gru_run(gru, tape, x, h0, &last);
        tg_tape_backward_seeded(tape, last, w->data);
        memcpy(h_T[p], last->data, sizeof h_T[p]);
        memcpy(dh0[p], h0->grad, sizeof dh0[p]);
        tg_tape_free(tape);
    }
    for (int k = 0; k < N * H; k++) {
        tg_ck_assert_close(h_T[1][k], h_T[0][k], TG_TEST_TIGHT);
        tg_ck_assert_close(dh0[1][k], dh0[0][k], TG_TEST_TIGHT);
    }
    tg_tensor_free(x);
    tg_tensor_free(h0);
    tg_tensor_free(w);
    tg_layer_free(gru);
}
END_TEST

/* ---- a tiny case by hand: H = D = N = 1, T = 2 ---- */

static double sig(double z)
{
    return 1 / (1 + exp(-z));
}

/* Forward and backward of L = h_2 by the chain rule, step by step, for
 * scalars: kernel [W_z W_r W_h], recurrent [U_z U_r U_h], biases b and (with
 * reset_after) br. d receives dL/d(kernel, recurrent, b, br) in that order. */
static double gru_by_hand(int reset_after, const double W[3], const double U[3],
                          const double b[3], const double br[3], const double x[2], double h0,
                          double d[12], double dx[2], double *dh0)
{
    double h[3] = {h0}, z[3], r[3], q[3], g[3];
    for (int t = 1; t <= 2; t++) {
        const double hp = h[t - 1];
        z[t] = sig(W[0] * x[t - 1] + b[0] + hp * U[0] + br[0]);
        r[t] = sig(W[1] * x[t - 1] + b[1] + hp * U[1] + br[1]);
        q[t] = reset_after ? hp * U[2] + br[2] : r[t] * hp; /* what the candidate reads */
        g[t] = tanh(W[2] * x[t - 1] + b[2] + (reset_after ? r[t] * q[t] : q[t] * U[2]));
        h[t] = z[t] * hp + (1 - z[t]) * g[t];
    }
    memset(d, 0, 12 * sizeof *d);
    double dh = 1;
    for (int t = 2; t >= 1; t--) {
        const double hp = h[t - 1];
        const double dz = dh * (hp - g[t]) * z[t] * (1 - z[t]);
        const double da = dh * (1 - z[t]) * (1 - g[t] * g[t]);
        double dr, dhp = dh * z[t] + dz * U[0];
        if (reset_after) {
            dr = da * q[t] * r[t] * (1 - r[t]);
            d[3 + 2] += da * r[t] * hp; /* U_h */
            d[9 + 2] += da * r[t];      /* br_h */
            dhp += da * r[t] * U[2];
        } else {
            const double drh = da * U[2];
            dr = drh * hp * r[t] * (1 - r[t]);
            d[3 + 2] += da * q[t]; /* U_h reads r h_{t-1} */
            dhp += drh * r[t];
        }
        dhp += dr * U[1];
        const double dpre[3] = {dz, dr, da};
        for (int k = 0; k < 3; k++) {
            d[k] += dpre[k] * x[t - 1]; /* W_k */
            d[6 + k] += dpre[k];        /* b_k */
        }
        d[3 + 0] += dz * hp;
        d[3 + 1] += dr * hp;
        if (reset_after) {
            d[9 + 0] += dz;
            d[9 + 1] += dr;
        }
        dx[t - 1] = W[0] * dz + W[1] * dr + W[2] * da;
        dh = dhp;
    }
    *dh0 = dh;
    return h[2];
}

START_TEST(test_gru_by_hand)
{
    const int reset_after = _i / 2;
    const tg_path path = _i % 2 ? TG_PATH_FUSED : TG_PATH_REFERENCE;
    const double W[3] = {0.5, -0.3, 0.8}, U[3] = {-0.4, 0.6, 0.7};
    const double b[3] = {0.1, -0.2, 0.05}, br_after[3] = {0.3, 0.15, -0.25};
    const double zeros[3] = {0, 0, 0};
    const double *br = reset_after ? br_after : zeros;
    const double x[2] = {1.5, -0.8}, h_0 = 0.3;
    double d[12], dx[2], dh0;
    const double want = gru_by_hand(reset_after, W, U, b, br, x, h_0, d, dx, &dh0);

    tg_rng rng;
    tg_rng_seed(&rng, 1);
    tg_layer *gru = tg_gru((tg_gru_opts){.units = 1, .reset_before = !reset_after});
    gru->path = path;
    tg_layer_build(gru, TG_SHAPE(2, 1), &rng);
    for (int k = 0; k < 3; k++) {
        TG_AT(gru->params[0], 0, k) = (tg_real)W[k];
        TG_AT(gru->params[1], 0, k) = (tg_real)U[k];
        if (reset_after) {
            TG_AT(gru->params[2], 0, k) = (tg_real)b[k];
            TG_AT(gru->params[2], 1, k) = (tg_real)br[k];
        } else {
            TG_AT(gru->params[2], k) = (tg_real)b[k];
        }
    }
    tg_tensor *xt = tg_tensor_from(TG_SHAPE(1, 2, 1), (const tg_real[]){x[0], x[1]});
    tg_tensor *h0 = tg_tensor_from(TG_SHAPE(1, 1), (const tg_real[]){h_0});
    tg_tensor_requires_grad(xt);
    tg_tensor_requires_grad(h0);
    tg_tape *tape = tg_tape_new();
    tg_tensor *y = tg_gru_run(gru, tape, xt, h0, NULL);
    tg_ck_assert_close(y->data[0], want, TG_TEST_TIGHT);
    tg_tape_backward(tape, y);
    for (int k = 0; k < 3; k++) {
        tg_ck_assert_close(gru->params[0]->grad[k], d[k], TG_TEST_TIGHT);
        tg_ck_assert_close(gru->params[1]->grad[k], d[3 + k], TG_TEST_TIGHT);
        tg_ck_assert_close(gru->params[2]->grad[k], d[6 + k], TG_TEST_TIGHT);
        if (reset_after)
            tg_ck_assert_close(gru->params[2]->grad[3 + k], d[9 + k], TG_TEST_TIGHT);
    }
    tg_ck_assert_close(xt->grad[0], dx[0], TG_TEST_TIGHT);
    tg_ck_assert_close(xt->grad[1], dx[1], TG_TEST_TIGHT);
    tg_ck_assert_close(h0->grad[0], dh0, TG_TEST_TIGHT);
    tg_tape_free(tape);
    tg_tensor_free(xt);
    tg_tensor_free(h0);
    tg_layer_free(gru);
}
END_TEST

/* With every weight and bias zero: z = r = 1/2 and \tilde{h} = tanh(0) = 0,
 * so h_t = h_{t-1} / 2 = 2^{-t} h_0. */
START_TEST(test_gru_zero_weights)
{
    for (int p = 0; p < 4; p++) {
        tg_layer *gru = random_gru((tg_gru_opts){.units = 2, .return_sequences = 1,
                                                 .reset_before = p / 2},
                                   3, 2, 3, 0.5);
        gru->path = p % 2 ? TG_PATH_FUSED : TG_PATH_REFERENCE;
        for (int k = 0; k < gru->n_params; k++)
            tg_tensor_fill(gru->params[k], 0);
        tg_rng rng;
        tg_rng_seed(&rng, 4);
        tg_tensor *x = tg_tensor_uniform(TG_SHAPE(1, 3, 2), &rng, -1, 1);
        tg_tensor *h0 = tg_tensor_from(TG_SHAPE(1, 2), (const tg_real[]){1, -3});
        tg_tape *tape = tg_tape_new();
        tg_tensor *y = tg_gru_run(gru, tape, x, h0, NULL);
        for (int t = 0; t < 3; t++)
            for (int j = 0; j < 2; j++)
                tg_ck_assert_close(TG_AT(y, 0, t, j), h0->data[j] * ldexp(1, -(t + 1)),
                                   TG_TEST_TIGHT);
        tg_tape_free(tape);
        tg_tensor_free(x);
        tg_tensor_free(h0);
        tg_layer_free(gru);
    }
}
END_TEST

/* ---- Keras ---- */

/* Keras's GRUCell.call written from the packed weights alone (gate blocks
 * z, r, h of kernel K, recurrent kernel R and the bias rows):
 *     x_* = x_t K[:, *] + b_in[*],   reset_after: q = h_{t-1} R + b_rec,
 *     z = sigma(x_z + q_z), r = sigma(x_r + q_r), hh = tanh(x_h + r q_h);
 *     reset before: z = sigma(x_z + h R_z), r = ..., hh = tanh(x_h + (r h) R_h);
 *     h_t = z h_{t-1} + (1 - z) hh
 * held against both paths of the layer. */
START_TEST(test_gru_keras_equations)
{
    const int reset_after = _i / 2, N = 2, T = 3, D = 3, H = 2, G = 3 * H;
    tg_layer *gru = random_gru((tg_gru_opts){.units = H, .reset_before = !reset_after}, T, D,
                               5, 0.7);
    const tg_tensor *K = gru->params[0], *R = gru->params[1], *B = gru->params[2];
    ck_assert_str_eq(K->name, "kernel");
    ck_assert_str_eq(R->name, "recurrent_kernel");
    ck_assert_str_eq(B->name, "bias");
    const tg_real *b_in = B->data, *b_rec = reset_after ? B->data + G : NULL;
    tg_rng rng;
    tg_rng_seed(&rng, 6);
    tg_tensor *x = tg_tensor_uniform(TG_SHAPE(N, T, D), &rng, -1, 1);
    double want[2][2];
    for (int n = 0; n < N; n++) {
        double h[2] = {0, 0};
        for (int t = 0; t < T; t++) {
            double xz[6], q[6] = {0};
            for (int k = 0; k < G; k++) {
                xz[k] = b_in[k];
                for (int d = 0; d < D; d++)
                    xz[k] += TG_AT(x, n, t, d) * TG_AT(K, d, k);
                for (int r = 0; r < H && (reset_after || k < 2 * H); r++)
                    q[k] += h[r] * TG_AT(R, r, k);
                q[k] += b_rec ? b_rec[k] : 0;
            }
            double z[2], rr[2], hh[2];
            for (int j = 0; j < H; j++) {
                z[j] = sig(xz[j] + q[j]);
                rr[j] = sig(xz[H + j] + q[H + j]);
            }
            for (int j = 0; j < H; j++) {
                double rec = 0;
                if (reset_after)
                    rec = rr[j] * q[2 * H + j];
                else
                    for (int r = 0; r < H; r++)
                        rec += rr[r] * h[r] * TG_AT(R, r, 2 * H + j);
                hh[j] = tanh(xz[2 * H + j] + rec);
            }
            for (int j = 0; j < H; j++)
                h[j] = z[j] * h[j] + (1 - z[j]) * hh[j];
        }
        memcpy(want[n], h, sizeof h);
    }
    gru->path = _i % 2 ? TG_PATH_FUSED : TG_PATH_REFERENCE;
    tg_tape *tape = tg_tape_new();
    tg_tensor *y = tg_layer_forward(gru, tape, x, 0);
    for (int n = 0; n < N; n++)
        for (int j = 0; j < H; j++)
            tg_ck_assert_close(TG_AT(y, n, j), want[n][j], TG_TEST_TIGHT);
    tg_tape_free(tape);
    tg_tensor_free(x);
    tg_layer_free(gru);
}
END_TEST

/* Shapes, names and counts as Keras: GRU(4) on 8 inputs has 3 (8 4 + 4 4 +
 * 2 4) = 168 parameters with reset_after, 3 (8 4 + 4 4 + 4) = 156 without;
 * Glorot over the whole (D, 3H) kernel, orthonormal rows of the (H, 3H)
 * recurrent kernel, zero bias. */
START_TEST(test_gru_init_and_counts)
{
    const int D = 8, H = 4;
    for (int reset_before = 0; reset_before < 2; reset_before++) {
        tg_rng rng;
        tg_rng_seed(&rng, 11);
        tg_layer *gru = tg_gru((tg_gru_opts){.units = H, .reset_before = reset_before});
        ck_assert_str_eq(gru->name, "gru");
        ck_assert_str_eq(gru->ops->kind, "GRU");
        ck_assert(tg_shape_equal(tg_layer_build(gru, TG_SHAPE(5, D), &rng), TG_SHAPE(H)));
        ck_assert_uint_eq(tg_layer_param_count(gru), reset_before ? 156 : 168);
        ck_assert_int_eq(gru->n_params, 3);
        ck_assert(tg_shape_equal(gru->params[0]->shape, TG_SHAPE(D, 3 * H)));
        ck_assert(tg_shape_equal(gru->params[1]->shape, TG_SHAPE(H, 3 * H)));
        ck_assert(tg_shape_equal(gru->params[2]->shape,
                                 reset_before ? TG_SHAPE(3 * H) : TG_SHAPE(2, 3 * H)));
        ck_assert(gru->is_kernel[0] && gru->is_kernel[1] && !gru->is_kernel[2]);
        const double limit = sqrt(6.0 / (D + 3 * H));
        for (size_t e = 0; e < gru->params[0]->size; e++)
            ck_assert(fabs((double)gru->params[0]->data[e]) <= limit);
        for (int r = 0; r < H; r++)
            for (int s = 0; s < H; s++) {
                double dot = 0;
                for (int k = 0; k < 3 * H; k++)
                    dot += (double)TG_AT(gru->params[1], r, k) * (double)TG_AT(gru->params[1], s, k);
                tg_ck_assert_close(dot, r == s, 100 * TG_TEST_TIGHT);
            }
        for (size_t e = 0; e < gru->params[2]->size; e++)
            ck_assert(gru->params[2]->data[e] == 0);
        tg_layer_free(gru);
    }
}
END_TEST

/* Save, load into a fresh GRU: the same weights bit for bit, the same outputs. */
START_TEST(test_gru_npy_round_trip)
{
    tg_scratch s;
    tg_scratch_open(&s);
    char prefix[600];
    snprintf(prefix, sizeof prefix, "%s/gru_", s.dir);
    tg_gru_opts o = {.units = 3, .return_sequences = 1};
    tg_layer *a = random_gru(o, 4, 2, 21, 0.6), *b = random_gru(o, 4, 2, 22, 0.6);
    tg_status st = tg_gru_keras_save(a, prefix);
    ck_assert_msg(tg_is_ok(&st), "%s", st.msg);
    char path[700];
    snprintf(path, sizeof path, "%skernel.npy", prefix);
    tg_tensor *kernel = NULL;
    st = tg_npy_load(path, &kernel);
    ck_assert_msg(tg_is_ok(&st), "%s", st.msg);
    ck_assert(tg_shape_equal(kernel->shape, TG_SHAPE(2, 9)));
    tg_tensor_free(kernel);
    st = tg_gru_keras_load(b, prefix);
    ck_assert_msg(tg_is_ok(&st), "%s", st.msg);
    for (int k = 0; k < 3; k++)
        ck_assert(memcmp(a->params[k]->data, b->params[k]->data,
                         a->params[k]->size * sizeof(tg_real)) == 0);
    tg_layer_free(a);
    tg_layer_free(b);
    tg_scratch_close(&s);
}
END_TEST

/* A reset_before file (bias (3H)) does not fit a reset_after GRU (bias (2,
 * 3H)): a data error naming the file and both shapes, and the layer keeps
 * its weights. A missing file likewise. */
START_TEST(test_gru_npy_refused)
{
    tg_scratch s;
    tg_scratch_open(&s);
    char prefix[600];
    snprintf(prefix, sizeof prefix, "%s/before_", s.dir);
    tg_layer *before = random_gru((tg_gru_opts){.units = 3, .reset_before = 1}, 4, 2, 23, 0.6);
    tg_layer *after = random_gru((tg_gru_opts){.units = 3}, 4, 2, 24, 0.6);
    tg_status st = tg_gru_keras_save(before, prefix);
    ck_assert_msg(tg_is_ok(&st), "%s", st.msg);
    tg_tensor *kept[3];
    for (int k = 0; k < 3; k++)
        kept[k] = tg_tensor_clone(after->params[k]);
    st = tg_gru_keras_load(after, prefix);
    tg_ck_assert_error(st, "before_bias.npy", "(9,)", "(2, 9)");
    for (int k = 0; k < 3; k++) {
        ck_assert(memcmp(kept[k]->data, after->params[k]->data, kept[k]->size * sizeof(tg_real)) ==
                  0);
        tg_tensor_free(kept[k]);
    }
    snprintf(prefix, sizeof prefix, "%s/absent_", s.dir);
    st = tg_gru_keras_load(after, prefix);
    tg_ck_assert_error(st, "absent_kernel.npy");
    tg_layer_free(before);
    tg_layer_free(after);
    tg_scratch_close(&s);
}
END_TEST

/* ---- bad arguments stop with a message ---- */

START_TEST(test_gru_zero_units)
{
    tg_gru((tg_gru_opts){.units = 0});
}
END_TEST

START_TEST(test_gru_not_a_sequence)
{
    tg_rng rng;
    tg_rng_seed(&rng, 1);
    tg_layer_build(tg_gru((tg_gru_opts){.units = 2}), TG_SHAPE(5), &rng);
}
END_TEST

START_TEST(test_gru_bad_h0)
{
    tg_layer *gru = random_gru((tg_gru_opts){.units = 2}, 3, 2, 1, 0.5);
    tg_tape *tape = tg_tape_new();
    tg_gru_run(gru, tape, tg_tape_tensor(tape, TG_SHAPE(4, 3, 2)),
               tg_tape_tensor(tape, TG_SHAPE(4, 3)), NULL);
}
END_TEST

START_TEST(test_gru_run_on_an_lstm)
{
    tg_rng rng;
    tg_rng_seed(&rng, 1);
    tg_layer *lstm = tg_lstm((tg_lstm_opts){.units = 2});
    tg_layer_build(lstm, TG_SHAPE(3, 2), &rng);
    tg_tape *tape = tg_tape_new();
    tg_gru_run(lstm, tape, tg_tape_tensor(tape, TG_SHAPE(1, 3, 2)), NULL, NULL);
}
END_TEST

Suite *tg_test_suite(void)
{
    Suite *s = suite_create("gru");
    TCase *tc = tcase_create("gru");
    tcase_add_loop_test(tc, test_gru_gradcheck_grid, 0, 4);
    tcase_add_test(tc, test_gru_registry_cases);
    tcase_add_loop_test(tc, test_gru_fused_equals_reference, 0, 4);
    tcase_add_loop_test(tc, test_gru_paths_agree_from_h0, 0, 2);
    tcase_add_loop_test(tc, test_gru_by_hand, 0, 4);
    tcase_add_test(tc, test_gru_zero_weights);
    tcase_add_loop_test(tc, test_gru_keras_equations, 0, 4);
    tcase_add_test(tc, test_gru_init_and_counts);
    tcase_add_test(tc, test_gru_npy_round_trip);
    tcase_add_test(tc, test_gru_npy_refused);
    tcase_add_exit_test(tc, test_gru_zero_units, TG_FATAL_EXIT);
    tcase_add_exit_test(tc, test_gru_not_a_sequence, TG_FATAL_EXIT);
    tcase_add_exit_test(tc, test_gru_bad_h0, TG_FATAL_EXIT);
    tcase_add_exit_test(tc, test_gru_run_on_an_lstm, TG_FATAL_EXIT);
    suite_add_tcase(s, tc);
    return s;
}
