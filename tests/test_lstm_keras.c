/* The LSTM in Keras's packing: the layout of the packed tensors, the
 * layer of peephole none computing Keras's LSTM from them, the round trip
 * through .npy files, and the refusals (bad files, peepholes). */
#include <check.h>
#include <string.h>

#include "autograd/autograd.h"
#include "layers/layers.h"
#include "tensor/tensor.h"
#include "tests/scratch.h"
#include "tests/support.h"

static const char *const gate_suffix = "ifco"; /* Keras's gate order */

static tg_layer *random_lstm(int T, int D, int H, tg_peephole peephole, uint64_t seed)
{
    tg_rng rng;
    tg_rng_seed(&rng, seed);
    tg_layer *lstm = tg_lstm((tg_lstm_opts){.units = H, .peephole = peephole});
    tg_layer_build(lstm, TG_SHAPE(T, D), &rng);
    for (int k = 0; k < lstm->n_params; k++)
        tg_init_uniform(lstm->params[k], &rng, -0.7, 0.7);
    return lstm;
}

static tg_tensor *param(const tg_layer *lstm, const char *kind, int g)
{
    char name[8];
    snprintf(name, sizeof name, "%s%c", kind, gate_suffix[g]);
    return tg_layer_param(lstm, name);
}

/* kernel[:, g H + j] = W_x*[:, j], recurrent_kernel[:, g H + j] = W_h*[:, j],
 * bias[g H + j] = b_*[j], for the gates g = i, f, c, o in that order. */
START_TEST(test_lstm_keras_layout)
{
    const int D = 3, H = 2;
    tg_layer *lstm = random_lstm(4, D, H, TG_PEEPHOLE_NONE, 1);
    tg_tensor *kernel, *recurrent, *bias;
    tg_lstm_keras_pack(lstm, &kernel, &recurrent, &bias);
    ck_assert(tg_shape_equal(kernel->shape, TG_SHAPE(D, 4 * H)));
    ck_assert(tg_shape_equal(recurrent->shape, TG_SHAPE(H, 4 * H)));
    ck_assert(tg_shape_equal(bias->shape, TG_SHAPE(4 * H)));
    for (int g = 0; g < 4; g++)
        for (int j = 0; j < H; j++) {
            for (int r = 0; r < D; r++)
                ck_assert(TG_AT(kernel, r, g * H + j) == TG_AT(param(lstm, "W_x", g), r, j));
            for (int r = 0; r < H; r++)
                ck_assert(TG_AT(recurrent, r, g * H + j) == TG_AT(param(lstm, "W_h", g), r, j));
            ck_assert(TG_AT(bias, g * H + j) == TG_AT(param(lstm, "b_", g), j));
        }
    tg_tensor_free(kernel);
    tg_tensor_free(recurrent);
    tg_tensor_free(bias);
    tg_layer_free(lstm);
}
END_TEST

static double sig(double z)
{
    return 1 / (1 + exp(-z));
}

/* Keras's LSTM, written from the packed weights alone:
 *     z = x_t K + h_{t-1} R + b,   [z_i z_f z_c z_o] = z,
 *     c_t = sigma(z_f) c_{t-1} + sigma(z_i) tanh(z_c),   h_t = sigma(z_o) tanh(c_t)
 * held against both paths of the layer with peephole none. */
START_TEST(test_lstm_keras_equations)
{
    const int N = 2, T = 3, D = 3, H = 2;
    tg_layer *lstm = random_lstm(T, D, H, TG_PEEPHOLE_NONE, 2);
    tg_tensor *K, *R, *b;
    tg_lstm_keras_pack(lstm, &K, &R, &b);
    tg_rng rng;
    tg_rng_seed(&rng, 3);
    tg_tensor *x = tg_tensor_uniform(TG_SHAPE(N, T, D), &rng, -1, 1);
    double want_h[2][2], want_c[2][2];
    for (int n = 0; n < N; n++) {
        double h[2] = {0, 0}, c[2] = {0, 0};
        for (int t = 0; t < T; t++) {
            double z[8];
            for (int k = 0; k < 4 * H; k++) {
                z[k] = TG_AT(b, k);
                for (int d = 0; d < D; d++)
                    z[k] += TG_AT(x, n, t, d) * TG_AT(K, d, k);
                for (int r = 0; r < H; r++)
                    z[k] += h[r] * TG_AT(R, r, k);
            }
            for (int j = 0; j < H; j++) {
                c[j] = sig(z[H + j]) * c[j] + sig(z[j]) * tanh(z[2 * H + j]);
                h[j] = sig(z[3 * H + j]) * tanh(c[j]);
            }
        }
        memcpy(want_h[n], h, sizeof h);
        memcpy(want_c[n], c, sizeof c);
    }
    for (int p = 0; p < 2; p++) {
        lstm->path = p ? TG_PATH_FUSED : TG_PATH_REFERENCE;
        tg_tape *tape = tg_tape_new();
        tg_tensor *c_T;
        tg_tensor *y = tg_lstm_run(lstm, tape, x, NULL, NULL, NULL, &c_T);
        for (int n = 0; n < N; n++)
            for (int j = 0; j < H; j++) {
                tg_ck_assert_close(TG_AT(y, n, j), want_h[n][j], TG_TEST_TIGHT);
                tg_ck_assert_close(TG_AT(c_T, n, j), want_c[n][j], TG_TEST_TIGHT);
            }
        tg_tape_free(tape);
    }
    tg_tensor_free(x);
    tg_tensor_free(K);
    tg_tensor_free(R);
    tg_tensor_free(b);
    tg_layer_free(lstm);
}
END_TEST

/* Pack, unpack into a second layer: the same parameters, bit for bit. */
START_TEST(test_lstm_keras_unpack_round_trip)
{
    tg_layer *a = random_lstm(4, 3, 2, TG_PEEPHOLE_NONE, 4);
    tg_layer *b = random_lstm(4, 3, 2, TG_PEEPHOLE_NONE, 5);
    tg_tensor *K, *R, *bias;
    tg_lstm_keras_pack(a, &K, &R, &bias);
    tg_lstm_keras_unpack(b, K, R, bias);
    ck_assert_int_eq(a->n_params, b->n_params);
    for (int k = 0; k < a->n_params; k++)
        ck_assert(memcmp(a->params[k]->data, b->params[k]->data,
                         a->params[k]->size * sizeof(tg_real)) == 0);
    tg_tensor_free(K);
    tg_tensor_free(R);
    tg_tensor_free(bias);
    tg_layer_free(a);
    tg_layer_free(b);
}
END_TEST

/* Save three .npy files, load them into a second layer: identical. */
START_TEST(test_lstm_keras_file_round_trip)
{
    tg_scratch s;
    tg_scratch_open(&s);
    const char *prefix = tg_scratch_path(&s, "lstm_");
    const char *kernel = tg_scratch_path(&s, "lstm_kernel.npy");
    tg_layer *a = random_lstm(4, 3, 2, TG_PEEPHOLE_NONE, 6);
    tg_layer *b = random_lstm(4, 3, 2, TG_PEEPHOLE_NONE, 7);
    tg_status st = tg_lstm_keras_save(a, prefix);
    ck_assert_msg(tg_is_ok(&st), "%s", st.msg);
    /* What NumPy would read: the packed kernel's shape. */
    tg_tensor *K;
    st = tg_npy_load(kernel, &K);
    ck_assert_msg(tg_is_ok(&st), "%s", st.msg);
    ck_assert(tg_shape_equal(K->shape, TG_SHAPE(3, 8)));
    tg_tensor_free(K);
    st = tg_lstm_keras_load(b, prefix);
    ck_assert_msg(tg_is_ok(&st), "%s", st.msg);
    for (int k = 0; k < a->n_params; k++)
        ck_assert(memcmp(a->params[k]->data, b->params[k]->data,
                         a->params[k]->size * sizeof(tg_real)) == 0);
    tg_layer_free(a);
    tg_layer_free(b);
    tg_scratch_close(&s);
}
END_TEST

/* Files that do not fit (another H) or are missing: a status, the layer unchanged. */
START_TEST(test_lstm_keras_load_errors)
{
    tg_scratch s;
    tg_scratch_open(&s);
    const char *prefix = tg_scratch_path(&s, "other_");
    const char *missing = tg_scratch_path(&s, "absent_");
    tg_layer *wide = random_lstm(4, 3, 3, TG_PEEPHOLE_NONE, 8);
    tg_status st = tg_lstm_keras_save(wide, prefix);
    ck_assert_msg(tg_is_ok(&st), "%s", st.msg);

    tg_layer *lstm = random_lstm(4, 3, 2, TG_PEEPHOLE_NONE, 9);
    tg_tensor *before = tg_tensor_clone(lstm->params[0]);
    st = tg_lstm_keras_load(lstm, prefix);
    tg_ck_assert_error(st, "kernel (3, 12)", "H = 2");
    st = tg_lstm_keras_load(lstm, missing);
    ck_assert(!tg_is_ok(&st));
    ck_assert(memcmp(before->data, lstm->params[0]->data, before->size * sizeof(tg_real)) == 0);
    tg_tensor_free(before);
    tg_layer_free(wide);
    tg_layer_free(lstm);
    tg_scratch_close(&s);
}
END_TEST

START_TEST(test_lstm_keras_peephole_refused)
{
    tg_layer *lstm = random_lstm(4, 3, 2, TG_PEEPHOLE_DIAGONAL, 10);
    tg_tensor *K, *R, *b;
    tg_lstm_keras_pack(lstm, &K, &R, &b);
}
END_TEST

START_TEST(test_lstm_keras_unpack_bad_shape)
{
    tg_layer *lstm = random_lstm(4, 3, 2, TG_PEEPHOLE_NONE, 11);
    tg_tensor *K = tg_tensor_zeros(TG_SHAPE(3, 8)), *R = tg_tensor_zeros(TG_SHAPE(2, 6));
    tg_tensor *b = tg_tensor_zeros(TG_SHAPE(8));
    tg_lstm_keras_unpack(lstm, K, R, b);
}
END_TEST

Suite *tg_test_suite(void)
{
    Suite *s = suite_create("lstm_keras");
    TCase *tc = tcase_create("packing");
    tcase_add_test(tc, test_lstm_keras_layout);
    tcase_add_test(tc, test_lstm_keras_equations);
    tcase_add_test(tc, test_lstm_keras_unpack_round_trip);
    tcase_add_test(tc, test_lstm_keras_file_round_trip);
    tcase_add_test(tc, test_lstm_keras_load_errors);
    tcase_add_exit_test(tc, test_lstm_keras_peephole_refused, TG_FATAL_EXIT);
    tcase_add_exit_test(tc, test_lstm_keras_unpack_bad_shape, TG_FATAL_EXIT);
    suite_add_tcase(s, tc);
    return s;
}
