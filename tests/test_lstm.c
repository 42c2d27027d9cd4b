/* LSTM: gradcheck of every variant on both paths over T and
 * return_sequences, fused == reference on values and every gradient, a
 * tiny case worked out by hand from the six equations, Keras's initialiser
 * and parameter counts, and bad shapes. (Keras packing: test_lstm_keras.c.) */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "tests/gradcheck_check.h"
#include "autograd/autograd.h"
#include "layers/layers.h"
#include "tensor/tensor.h"
#include "tests/support.h"
#include "layers/internal/gradcheck_cases.h"

/* The five variants: peephole none ignores the candidate flag. */
static const struct {
    const char *name;
    tg_peephole peephole;
    int no_cand;
} variants[] = {
    {"diagonal", TG_PEEPHOLE_DIAGONAL, 0}, {"diagonal_no_cand", TG_PEEPHOLE_DIAGONAL, 1},
    {"none", TG_PEEPHOLE_NONE, 0},         {"full", TG_PEEPHOLE_FULL, 0},
    {"full_no_cand", TG_PEEPHOLE_FULL, 1},
};
#define N_VARIANTS ((int)(sizeof variants / sizeof variants[0]))

static tg_lstm_opts variant_opts(int v, int units, int return_sequences)
{
    return (tg_lstm_opts){.units = units,
                          .return_sequences = return_sequences,
                          .peephole = variants[v].peephole,
                          .no_candidate_peephole = variants[v].no_cand};
}

/* ---- gradcheck: variant x path (the loop index), then T x return_sequences ---- */

START_TEST(test_lstm_gradcheck_grid)
{
    const int v = _i / 2;
    const tg_path path = _i % 2 ? TG_PATH_FUSED : TG_PATH_REFERENCE;
    const int steps[] = {1, 2, 7};
    for (int s = 0; s < 3; s++)
        for (int rs = 0; rs < 2; rs++) {
            char name[96];
            snprintf(name, sizeof name, "lstm %s %s T=%d return_sequences=%d", variants[v].name,
                     path == TG_PATH_FUSED ? "fused" : "reference", steps[s], rs);
            tg_gradcheck_report r =
                tg_lstm_gradcheck(variant_opts(v, 3, rs), path, 2, steps[s], 2, 100 + s);
            tg_ck_assert_gradcheck(name, r);
            /* The LSTM has no kinks; gradcheck's kink test may still skip
             * a rare point where L'' vanishes, but never a real share. */
            ck_assert_msg(r.skipped * 50 <= r.checked, "%s: %zu of %zu skipped", name, r.skipped,
                          r.checked);
        }
}
END_TEST

START_TEST(test_lstm_registry_cases)
{
    int n;
    const tg_gradcheck_case *c = tg_lstm_gradcheck_cases(&n);
    ck_assert_int_ge(n, 10);
    for (int k = 0; k < n; k++)
        tg_ck_assert_gradcheck(c[k].name, c[k].run(7));
}
END_TEST

/* ---- fused == reference ---- */

/* Everything one path computes: the output joined with h_T and c_T, and
 * the gradient of sum(w * that) with respect to x, h0, c0 and each param. */
typedef struct {
    size_t n_out;
    tg_real *out;
    int n_grads;
    tg_real *grad[3 + TG_LAYER_MAX_PARAMS];
    size_t grad_size[3 + TG_LAYER_MAX_PARAMS];
} run_result;

static run_result run_path(tg_layer *lstm, tg_path path, tg_tensor *const *in, uint64_t seed)
{
    lstm->path = path;
    for (int k = 0; k < 3; k++)
        tg_tensor_zero_grad(in[k]);
    for (int k = 0; k < lstm->n_params; k++)
        tg_tensor_zero_grad(lstm->params[k]);
    tg_tape *tape = tg_tape_new();
    tg_tensor *h_T, *c_T;
    tg_tensor *y = tg_lstm_run(lstm, tape, in[0], in[1], in[2], &h_T, &c_T);
    tg_tensor *flat[3] = {tg_reshape(tape, y, TG_SHAPE((int)y->size)),
                          tg_reshape(tape, h_T, TG_SHAPE((int)h_T->size)),
                          tg_reshape(tape, c_T, TG_SHAPE((int)c_T->size))};
    tg_tensor *all = tg_concat(tape, flat, 3, 0);
    run_result r;
    r.n_out = all->size;
    r.out = malloc(all->size * sizeof *r.out);
    memcpy(r.out, all->data, all->size * sizeof *r.out);
    tg_rng rng;
    tg_rng_seed(&rng, seed);
    tg_real *w = malloc(all->size * sizeof *w);
    for (size_t k = 0; k < all->size; k++)
        w[k] = (tg_real)(2 * tg_rng_uniform(&rng) - 1);
    tg_tape_backward_seeded(tape, all, w);
    free(w);
    r.n_grads = 3 + lstm->n_params;
    for (int k = 0; k < r.n_grads; k++) {
        const tg_tensor *t = k < 3 ? in[k] : lstm->params[k - 3];
        r.grad_size[k] = t->size;
        r.grad[k] = malloc(t->size * sizeof(tg_real));
        memcpy(r.grad[k], t->grad, t->size * sizeof(tg_real));
    }
    tg_tape_free(tape);
    return r;
}

static void free_result(run_result *r)
{
    free(r->out);
    for (int k = 0; k < r->n_grads; k++)
        free(r->grad[k]);
}

/* max_k |a_k - b_k| / max_k |b_k|: the error relative to the tensor's scale. */
static double rel_diff(const tg_real *a, const tg_real *b, size_t n)
{
    double diff = 0, scale = 0;
    for (size_t k = 0; k < n; k++) {
        diff = fmax(diff, fabs((double)a[k] - (double)b[k]));
        scale = fmax(scale, fabs((double)b[k]));
    }
    return scale > 0 ? diff / scale : diff;
}

START_TEST(test_lstm_fused_equals_reference)
{
    const int v = _i / 2, rs = _i % 2;
    const int N = 3, T = 5, D = 4, H = 3;
    tg_rng rng;
    tg_rng_seed(&rng, 42 + (uint64_t)_i);
    tg_layer *lstm = tg_lstm(variant_opts(v, H, rs));
    tg_layer_build(lstm, TG_SHAPE(T, D), &rng);
    for (int k = 0; k < lstm->n_params; k++)
        tg_init_uniform(lstm->params[k], &rng, -0.8, 0.8);
    tg_tensor *in[3] = {tg_tensor_uniform(TG_SHAPE(N, T, D), &rng, -1, 1),
                        tg_tensor_uniform(TG_SHAPE(N, H), &rng, -1, 1),
                        tg_tensor_uniform(TG_SHAPE(N, H), &rng, -1, 1)};
    for (int k = 0; k < 3; k++)
        tg_tensor_requires_grad(in[k]);

    run_result ref = run_path(lstm, TG_PATH_REFERENCE, in, 9);
    run_result fus = run_path(lstm, TG_PATH_FUSED, in, 9);
    ck_assert_uint_eq(ref.n_out, fus.n_out);
    double e = rel_diff(fus.out, ref.out, ref.n_out);
    ck_assert_msg(e <= TG_TEST_TIGHT, "lstm %s: values differ by %.3g relative", variants[v].name,
                  e);
    for (int k = 0; k < ref.n_grads; k++) {
        e = rel_diff(fus.grad[k], ref.grad[k], ref.grad_size[k]);
        const char *what = k < 3 ? (const char *[]){"x", "h0", "c0"}[k] : lstm->params[k - 3]->name;
        ck_assert_msg(e <= TG_TEST_TIGHT, "lstm %s rs=%d: d/d%s differs by %.3g relative",
                      variants[v].name, rs, what, e);
    }
    free_result(&ref);
    free_result(&fus);
    for (int k = 0; k < 3; k++)
        tg_tensor_free(in[k]);
    tg_layer_free(lstm);
}
END_TEST

/* ---- a tiny case by hand: H = D = N = 1, T = 2, every peephole ---- */

static double sig(double z)
{
    return 1 / (1 + exp(-z));
}

START_TEST(test_lstm_by_hand)
{
    /* Parameters (all scalars since H = D = 1), in the document's symbols. */
    const double W_xi = 0.5, W_xf = -0.3, W_xc = 0.8, W_xo = 0.2;
    const double W_hi = -0.4, W_hf = 0.6, W_hc = 0.1, W_ho = -0.7;
    const double W_ci = 0.3, W_cf = -0.2, W_cc = 0.45, W_co = 0.25;
    const double b_i = 0.1, b_f = 1.0, b_c = -0.2, b_o = 0.05;
    const double x[3] = {0, 1.5, -0.8}; /* x_1, x_2 (index 0 unused) */
    const double h_0 = 0.3, c_0 = -0.6;

    /* Forward: the six equations, step by step. */
    double h[3] = {h_0}, c[3] = {c_0}, i[3], f[3], g[3], o[3];
    for (int t = 1; t <= 2; t++) {
        i[t] = sig(W_xi * x[t] + W_hi * h[t - 1] + W_ci * c[t - 1] + b_i);
        f[t] = sig(W_xf * x[t] + W_hf * h[t - 1] + W_cf * c[t - 1] + b_f);
        g[t] = tanh(W_xc * x[t] + W_hc * h[t - 1] + W_cc * c[t - 1] + b_c);
        c[t] = f[t] * c[t - 1] + i[t] * g[t];
        o[t] = sig(W_xo * x[t] + W_ho * h[t - 1] + W_co * c[t] + b_o);
        h[t] = o[t] * tanh(c[t]);
    }

    /* Backward for L = h_2, by the chain rule, step by step from t = 2. */
    double dh = 1, dc = 0; /* dL/dh_t, dL/dc_t through later steps */
    double d[16] = {0};    /* dL/d(param), in the layer's order */
    double dx[3] = {0};
    for (int t = 2; t >= 1; t--) {
        const double tc = tanh(c[t]);
        const double dz_o = dh * tc * o[t] * (1 - o[t]);
        dc += dh * o[t] * (1 - tc * tc) + dz_o * W_co;
        const double dz_i = dc * g[t] * i[t] * (1 - i[t]);
        const double dz_f = dc * c[t - 1] * f[t] * (1 - f[t]);
        const double dz_c = dc * i[t] * (1 - g[t] * g[t]);
        const double dz[4] = {dz_i, dz_f, dz_c, dz_o};
        for (int q = 0; q < 4; q++) {
            d[q] += dz[q] * x[t];         /* W_x* */
            d[4 + q] += dz[q] * h[t - 1]; /* W_h* */
            d[12 + q] += dz[q];           /* b_* */
        }
        d[8] += dz_i * c[t - 1]; /* W_ci */
        d[9] += dz_f * c[t - 1]; /* W_cf */
        d[10] += dz_c * c[t - 1]; /* W_cc */
        d[11] += dz_o * c[t];    /* W_co: o_t peeks at c_t */
        dx[t] = W_xi * dz_i + W_xf * dz_f + W_xc * dz_c + W_xo * dz_o;
        dh = W_hi * dz_i + W_hf * dz_f + W_hc * dz_c + W_ho * dz_o;
        dc = dc * f[t] + W_ci * dz_i + W_cf * dz_f + W_cc * dz_c;
    }

    const double params[16] = {W_xi, W_xf, W_xc, W_xo, W_hi, W_hf, W_hc, W_ho,
                               W_ci, W_cf, W_cc, W_co, b_i,  b_f,  b_c,  b_o};
    for (int p = 0; p < 2; p++) {
        tg_rng rng;
        tg_rng_seed(&rng, 1);
        tg_layer *lstm = tg_lstm((tg_lstm_opts){.units = 1});
        lstm->path = p ? TG_PATH_FUSED : TG_PATH_REFERENCE;
        tg_layer_build(lstm, TG_SHAPE(2, 1), &rng);
        ck_assert_int_eq(lstm->n_params, 16);
        for (int k = 0; k < 16; k++)
            lstm->params[k]->data[0] = (tg_real)params[k];
        tg_tensor *xt = tg_tensor_from(TG_SHAPE(1, 2, 1), (const tg_real[]){x[1], x[2]});
        tg_tensor *h0 = tg_tensor_from(TG_SHAPE(1, 1), (const tg_real[]){h_0});
        tg_tensor *c0 = tg_tensor_from(TG_SHAPE(1, 1), (const tg_real[]){c_0});
        tg_tensor_requires_grad(xt);
        tg_tensor_requires_grad(h0);
        tg_tensor_requires_grad(c0);
        tg_tape *tape = tg_tape_new();
        tg_tensor *h_T, *c_T;
        tg_tensor *y = tg_lstm_run(lstm, tape, xt, h0, c0, &h_T, &c_T);
        tg_ck_assert_close(y->data[0], h[2], TG_TEST_TIGHT);
        tg_ck_assert_close(h_T->data[0], h[2], TG_TEST_TIGHT);
        tg_ck_assert_close(c_T->data[0], c[2], TG_TEST_TIGHT);
        tg_tape_backward(tape, y);
        for (int k = 0; k < 16; k++)
            tg_ck_assert_close(lstm->params[k]->grad[0], d[k], TG_TEST_TIGHT);
        tg_ck_assert_close(xt->grad[0], dx[1], TG_TEST_TIGHT);
        tg_ck_assert_close(xt->grad[1], dx[2], TG_TEST_TIGHT);
        tg_ck_assert_close(h0->grad[0], dh, TG_TEST_TIGHT);
        tg_ck_assert_close(c0->grad[0], dc, TG_TEST_TIGHT);
        tg_tape_free(tape);
        tg_tensor_free(xt);
        tg_tensor_free(h0);
        tg_tensor_free(c0);
        tg_layer_free(lstm);
    }
}
END_TEST

/* With every weight and bias zero, from c_0 = 1: each gate is sigma(0) = 1/2
 * and \tilde{c}_t = 0, so c_t = 2^{-t} and h_t = tanh(2^{-t}) / 2. */
START_TEST(test_lstm_zero_weights)
{
    for (int p = 0; p < 2; p++) {
        tg_rng rng;
        tg_rng_seed(&rng, 3);
        tg_layer *lstm = tg_lstm((tg_lstm_opts){.units = 2, .return_sequences = 1});
        lstm->path = p ? TG_PATH_FUSED : TG_PATH_REFERENCE;
        tg_layer_build(lstm, TG_SHAPE(3, 2), &rng);
        for (int k = 0; k < lstm->n_params; k++)
            tg_tensor_fill(lstm->params[k], 0);
        tg_tensor *x = tg_tensor_uniform(TG_SHAPE(1, 3, 2), &rng, -1, 1);
        tg_tensor *c0 = tg_tensor_ones(TG_SHAPE(1, 2));
        tg_tape *tape = tg_tape_new();
        tg_tensor *c_T;
        tg_tensor *y = tg_lstm_run(lstm, tape, x, NULL, c0, NULL, &c_T);
        for (int t = 0; t < 3; t++)
            for (int j = 0; j < 2; j++)
                tg_ck_assert_close(TG_AT(y, 0, t, j), tanh(ldexp(1, -(t + 1))) / 2, TG_TEST_TIGHT);
        tg_ck_assert_close(c_T->data[1], 0.125, TG_TEST_TIGHT);
        tg_tape_free(tape);
        tg_tensor_free(x);
        tg_tensor_free(c0);
        tg_layer_free(lstm);
    }
}
END_TEST

/* ---- Keras's initialisers and the parameter counts ---- */

START_TEST(test_lstm_init_and_counts)
{
    const int D = 5, H = 3;
    tg_rng rng;
    tg_rng_seed(&rng, 11);
    tg_layer *lstm = tg_lstm((tg_lstm_opts){.units = H});
    tg_shape out = tg_layer_build(lstm, TG_SHAPE(4, D), &rng);
    ck_assert(tg_shape_equal(out, TG_SHAPE(H)));
    /* b_f = 1 (unit_forget_bias), the other biases and the peepholes 0 */
    const char *zeros[] = {"b_i", "b_c", "b_o", "W_ci", "W_cf", "W_cc", "W_co"};
    for (size_t k = 0; k < sizeof zeros / sizeof zeros[0]; k++) {
        const tg_tensor *p = tg_layer_param(lstm, zeros[k]);
        ck_assert_ptr_nonnull(p);
        for (size_t e = 0; e < p->size; e++)
            ck_assert(p->data[e] == 0);
    }
    for (int j = 0; j < H; j++)
        ck_assert(tg_layer_param(lstm, "b_f")->data[j] == 1);
    /* Glorot over the packed (D, 4H) kernel: |w| <= sqrt(6 / (D + 4H)) */
    const char *wx[] = {"W_xi", "W_xf", "W_xc", "W_xo"}, *wh[] = {"W_hi", "W_hf", "W_hc", "W_ho"};
    const double limit = sqrt(6.0 / (D + 4 * H));
    for (int g = 0; g < 4; g++) {
        const tg_tensor *p = tg_layer_param(lstm, wx[g]);
        ck_assert(tg_shape_equal(p->shape, TG_SHAPE(D, H)));
        for (size_t e = 0; e < p->size; e++)
            ck_assert(fabs((double)p->data[e]) <= limit);
    }
    /* Orthogonal over the packed (H, 4H) recurrent kernel: its rows are
     * orthonormal, sum_g W_h*[r] . W_h*[s] = delta_rs */
    for (int r = 0; r < H; r++)
        for (int s = 0; s < H; s++) {
            double dot = 0;
            for (int g = 0; g < 4; g++) {
                const tg_tensor *p = tg_layer_param(lstm, wh[g]);
                for (int j = 0; j < H; j++)
                    dot += (double)TG_AT(p, r, j) * (double)TG_AT(p, s, j);
            }
            tg_ck_assert_close(dot, r == s ? 1.0 : 0.0, 1e3 * TG_REAL_EPSILON);
        }
    tg_layer_free(lstm);

    /* Counts: 4 (D H + H^2 + H) for the gates, plus the peepholes. */
    const size_t base = 4 * ((size_t)D * H + (size_t)H * H + H);
    const size_t want[N_VARIANTS] = {base + 4 * H, base + 3 * H, base, base + 4 * H * H,
                                     base + 3 * H * H};
    for (int v = 0; v < N_VARIANTS; v++) {
        tg_layer *l = tg_lstm(variant_opts(v, H, 0));
        tg_layer_build(l, TG_SHAPE(4, D), &rng);
        ck_assert_uint_eq(tg_layer_param_count(l), want[v]);
        ck_assert_int_eq(tg_layer_param(l, "W_cc") != NULL,
                         variants[v].peephole != TG_PEEPHOLE_NONE && !variants[v].no_cand);
        tg_layer_free(l);
    }
    /* The document's image model: D = 416, H = 64, default (diagonal) LSTM. */
    tg_layer *seed = tg_lstm((tg_lstm_opts){.units = 64});
    tg_layer_build(seed, TG_SHAPE(13, 416), &rng);
    ck_assert_uint_eq(tg_layer_param_count(seed), 4 * (416 * 64 + 64 * 64 + 64) + 4 * 64);
    tg_layer_free(seed);
}
END_TEST

/* The training forward (tg_layer_forward) is tg_lstm_run from zero states. */
START_TEST(test_lstm_layer_forward_shapes)
{
    for (int rs = 0; rs < 2; rs++) {
        tg_rng rng;
        tg_rng_seed(&rng, 5);
        tg_layer *lstm = tg_lstm((tg_lstm_opts){.units = 3, .return_sequences = rs});
        tg_shape out = tg_layer_build(lstm, TG_SHAPE(4, 2), &rng);
        ck_assert(tg_shape_equal(out, rs ? TG_SHAPE(4, 3) : TG_SHAPE(3)));
        tg_tensor *x = tg_tensor_uniform(TG_SHAPE(5, 4, 2), &rng, -1, 1);
        tg_tape *tape = tg_tape_new();
        tg_tensor *y = tg_layer_forward(lstm, tape, x, 1);
        ck_assert(tg_shape_equal(y->shape, rs ? TG_SHAPE(5, 4, 3) : TG_SHAPE(5, 3)));
        tg_tensor *h_T;
        tg_tensor *y2 = tg_lstm_run(lstm, tape, x, NULL, NULL, &h_T, NULL);
        for (size_t k = 0; k < y->size; k++)
            ck_assert(y->data[k] == y2->data[k]);
        for (int n = 0; n < 5; n++)
            for (int j = 0; j < 3; j++)
                ck_assert(TG_AT(h_T, n, j) == (rs ? TG_AT(y, n, 3, j) : TG_AT(y, n, j)));
        tg_tape_free(tape);
        tg_tensor_free(x);
        tg_layer_free(lstm);
    }
}
END_TEST

/* ---- bad shapes stop with exit status 3 ---- */

static tg_layer *built_lstm(void)
{
    tg_rng rng;
    tg_rng_seed(&rng, 1);
    tg_layer *lstm = tg_lstm((tg_lstm_opts){.units = 3});
    tg_layer_build(lstm, TG_SHAPE(4, 2), &rng);
    return lstm;
}

/* The exit tests below hold what they allocate in locals: under valgrind the
 * process exits inside tg_fatal, and a pointer that only a library frame held
 * would be reported as a leak. */
START_TEST(test_lstm_bad_input_width)
{
    tg_layer *lstm = built_lstm();
    tg_tensor *x = tg_tensor_zeros(TG_SHAPE(2, 4, 5));
    tg_tape *tape = tg_tape_new();
    tg_lstm_run(lstm, tape, x, NULL, NULL, NULL, NULL);
}
END_TEST

START_TEST(test_lstm_bad_input_rank)
{
    tg_layer *lstm = built_lstm();
    tg_tensor *x = tg_tensor_zeros(TG_SHAPE(4, 2));
    tg_tape *tape = tg_tape_new();
    tg_layer_forward(lstm, tape, x, 1);
}
END_TEST

START_TEST(test_lstm_bad_h0)
{
    tg_layer *lstm = built_lstm();
    tg_tensor *x = tg_tensor_zeros(TG_SHAPE(2, 4, 2));
    tg_tensor *h0 = tg_tensor_zeros(TG_SHAPE(3, 3));
    tg_tape *tape = tg_tape_new();
    tg_lstm_run(lstm, tape, x, h0, NULL, NULL, NULL);
}
END_TEST

START_TEST(test_lstm_bad_c0)
{
    tg_layer *lstm = built_lstm();
    tg_tensor *x = tg_tensor_zeros(TG_SHAPE(2, 4, 2));
    tg_tensor *c0 = tg_tensor_zeros(TG_SHAPE(2, 4));
    tg_tape *tape = tg_tape_new();
    tg_lstm_run(lstm, tape, x, NULL, c0, NULL, NULL);
}
END_TEST

START_TEST(test_lstm_bad_build_shape)
{
    tg_rng rng;
    tg_rng_seed(&rng, 1);
    tg_layer_build(tg_lstm((tg_lstm_opts){.units = 3}), TG_SHAPE(4, 4, 2), &rng);
}
END_TEST

START_TEST(test_lstm_bad_units)
{
    tg_lstm((tg_lstm_opts){.units = 0});
}
END_TEST

START_TEST(test_lstm_run_unbuilt)
{
    tg_tensor *x = tg_tensor_zeros(TG_SHAPE(2, 4, 2));
    tg_tape *tape = tg_tape_new();
    tg_layer *lstm = tg_lstm((tg_lstm_opts){.units = 3});
    tg_lstm_run(lstm, tape, x, NULL, NULL, NULL, NULL);
}
END_TEST

Suite *tg_test_suite(void)
{
    Suite *s = suite_create("lstm");
    TCase *grad = tcase_create("gradcheck");
    tcase_set_timeout(grad, 120);
    tcase_add_loop_test(grad, test_lstm_gradcheck_grid, 0, 2 * N_VARIANTS);
    tcase_add_test(grad, test_lstm_registry_cases);
    suite_add_tcase(s, grad);

    TCase *paths = tcase_create("fused_vs_reference");
    tcase_add_loop_test(paths, test_lstm_fused_equals_reference, 0, 2 * N_VARIANTS);
    suite_add_tcase(s, paths);

    TCase *hand = tcase_create("by_hand");
    tcase_add_test(hand, test_lstm_by_hand);
    tcase_add_test(hand, test_lstm_zero_weights);
    tcase_add_test(hand, test_lstm_init_and_counts);
    tcase_add_test(hand, test_lstm_layer_forward_shapes);
    suite_add_tcase(s, hand);

    TCase *bad = tcase_create("bad_shapes");
    tcase_add_exit_test(bad, test_lstm_bad_input_width, TG_FATAL_EXIT);
    tcase_add_exit_test(bad, test_lstm_bad_input_rank, TG_FATAL_EXIT);
    tcase_add_exit_test(bad, test_lstm_bad_h0, TG_FATAL_EXIT);
    tcase_add_exit_test(bad, test_lstm_bad_c0, TG_FATAL_EXIT);
    tcase_add_exit_test(bad, test_lstm_bad_build_shape, TG_FATAL_EXIT);
    tcase_add_exit_test(bad, test_lstm_bad_units, TG_FATAL_EXIT);
    tcase_add_exit_test(bad, test_lstm_run_unbuilt, TG_FATAL_EXIT);
    suite_add_tcase(s, bad);
    return s;
}
