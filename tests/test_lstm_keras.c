/* The LSTM in Keras's packing, for every peephole variant: the layout of
 * the packed arrays (the peepholes under TensorFlow's names), the layer
 * computing Keras's equations written out here from the packed arrays
 * alone (peephole terms included), the gradients in the same layout held
 * against finite differences of those equations (what Keras's
 * tape.gradient would give), the round trips through memory and .npy
 * files, and the refusals (bad files, arrays of another variant). */
#include <check.h>
#include <string.h>

#include "autograd/autograd.h"
#include "layers/layers.h"
#include "tensor/tensor.h"
#include "tests/scratch.h"
#include "tests/support.h"

static const char *const gate_suffix = "ifco"; /* Keras's gate order */

static const struct {
    const char *name;
    tg_peephole peephole;
    int no_cand;
} variants[] = {
    {"none", TG_PEEPHOLE_NONE, 0},
    {"diagonal", TG_PEEPHOLE_DIAGONAL, 0},
    {"diagonal_no_cand", TG_PEEPHOLE_DIAGONAL, 1}, /* TensorFlow's PeepholeLSTMCell */
    {"full", TG_PEEPHOLE_FULL, 0},
    {"full_no_cand", TG_PEEPHOLE_FULL, 1},
};
#define N_VARIANTS ((int)(sizeof variants / sizeof variants[0]))

/* The peephole arrays' names, by gate, for the diagonal and full variants. */
static const char *const diagonal_names[4] = {
    "input_gate_peephole_weights", "forget_gate_peephole_weights", "candidate_peephole_weights",
    "output_gate_peephole_weights"};
static const char *const full_names[4] = {"input_gate_peephole_kernel", "forget_gate_peephole_kernel",
                                          "candidate_peephole_kernel", "output_gate_peephole_kernel"};

static int has_peephole(int v, int g)
{
    return variants[v].peephole != TG_PEEPHOLE_NONE && !(g == 2 && variants[v].no_cand);
}

static const char *peephole_name(int v, int g)
{
    return variants[v].peephole == TG_PEEPHOLE_FULL ? full_names[g] : diagonal_names[g];
}

/* The sizes of every case: batch, steps, input, units. */
enum { N = 2, T = 3, D = 3, H = 2 };

/* A built LSTM of variant v for (T, D) with every parameter drawn U(-0.7, 0.7). */
static tg_layer *random_lstm(int v, int units, uint64_t seed)
{
    tg_rng rng;
    tg_rng_seed(&rng, seed);
    tg_layer *lstm = tg_lstm((tg_lstm_opts){.units = units,
                                            .peephole = variants[v].peephole,
                                            .no_candidate_peephole = variants[v].no_cand});
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

static int same_data(const tg_tensor *a, const tg_real *b)
{
    return memcmp(a->data, b, a->size * sizeof(tg_real)) == 0;
}

static void ck_assert_same_params(const tg_layer *a, const tg_layer *b, int grads)
{
    ck_assert_int_eq(a->n_params, b->n_params);
    for (int k = 0; k < a->n_params; k++)
        ck_assert_msg(memcmp(grads ? a->params[k]->grad : a->params[k]->data,
                             grads ? b->params[k]->grad : b->params[k]->data,
                             a->params[k]->size * sizeof(tg_real)) == 0,
                      "%s differs", a->params[k]->name);
}

/* kernel[:, g H + j] = W_x*[:, j], recurrent_kernel[:, g H + j] = W_h*[:, j],
 * bias[g H + j] = b_*[j], for the gates g = i, f, c, o in that order; each
 * peephole array is W_c* itself, NULL where the variant has none. The
 * same for the gradients. */
/* Element `offset` of a parameter's values or gradients. */
static tg_real elem(const tg_tensor *p, int grads, int offset)
{
    return grads ? p->grad[offset] : p->data[offset];
}

START_TEST(test_lstm_keras_layout)
{
    const int v = _i;
    tg_layer *lstm = random_lstm(v, H, 1);
    tg_rng rng;
    tg_rng_seed(&rng, 2);
    for (int k = 0; k < lstm->n_params; k++)
        for (size_t e = 0; e < lstm->params[k]->size; e++)
            lstm->params[k]->grad[e] = (tg_real)tg_rng_uniform(&rng);
    for (int grads = 0; grads < 2; grads++) {
        tg_lstm_keras_weights w = grads ? tg_lstm_keras_pack_grad(lstm) : tg_lstm_keras_pack(lstm);
        ck_assert(tg_shape_equal(w.kernel->shape, TG_SHAPE(D, 4 * H)));
        ck_assert(tg_shape_equal(w.recurrent_kernel->shape, TG_SHAPE(H, 4 * H)));
        ck_assert(tg_shape_equal(w.bias->shape, TG_SHAPE(4 * H)));
        for (int g = 0; g < 4; g++) {
            for (int j = 0; j < H; j++) {
                for (int r = 0; r < D; r++)
                    ck_assert(TG_AT(w.kernel, r, g * H + j) ==
                              elem(param(lstm, "W_x", g), grads, r * H + j));
                for (int r = 0; r < H; r++)
                    ck_assert(TG_AT(w.recurrent_kernel, r, g * H + j) ==
                              elem(param(lstm, "W_h", g), grads, r * H + j));
                ck_assert(TG_AT(w.bias, g * H + j) == elem(param(lstm, "b_", g), grads, j));
            }
            const tg_tensor *p = param(lstm, "W_c", g);
            ck_assert_int_eq(w.peephole[g] != NULL, has_peephole(v, g));
            if (!p)
                continue;
            ck_assert(tg_shape_equal(w.peephole[g]->shape, p->shape));
            ck_assert(same_data(w.peephole[g], grads ? p->grad : p->data));
        }
        tg_lstm_keras_free(&w);
        ck_assert_ptr_null(w.kernel);
    }
    tg_layer_free(lstm);
}
END_TEST

/* ---- Keras's equations, from the packed arrays alone ---- */

/* The packed arrays by index: kernel, recurrent_kernel, bias, then the
 * peepholes i, f, c, o (NULL where absent). */
static void arrays_of(const tg_lstm_keras_weights *w, const tg_tensor *a[7])
{
    a[0] = w->kernel;
    a[1] = w->recurrent_kernel;
    a[2] = w->bias;
    for (int g = 0; g < 4; g++)
        a[3 + g] = w->peephole[g];
}

/* Element e of array k, in double, moved by delta when (k, e) = (pk, pe). */
static double at(const tg_tensor *const a[7], int k, size_t e, int pk, size_t pe, double delta)
{
    return (double)a[k]->data[e] + (k == pk && e == pe ? delta : 0);
}

/* The peephole term of gate g for unit j: p_g[j] c[j] for a diagonal
 * array, sum_r c[r] P_g[r, j] for a full one, 0 without. */
static double peephole_term(const tg_tensor *const a[7], int g, const double *c, int j, int pk,
                            size_t pe, double delta)
{
    const tg_tensor *p = a[3 + g];
    if (!p)
        return 0;
    if (p->shape.ndim == 1)
        return at(a, 3 + g, (size_t)j, pk, pe, delta) * c[j];
    double s = 0;
    for (int r = 0; r < H; r++)
        s += c[r] * at(a, 3 + g, (size_t)r * H + (size_t)j, pk, pe, delta);
    return s;
}

static double sig(double z)
{
    return 1 / (1 + exp(-z));
}

/* Keras's LSTM (its LSTMCell, and PeepholeLSTMCell's peephole terms),
 * written from the packed arrays, from h_0 = c_0 = 0:
 *     z = x_t K + h_{t-1} R + b,   [z_i z_f z_c z_o] = z
 *     z_i += p_i c_{t-1},  z_f += p_f c_{t-1},  z_c += p_c c_{t-1}
 *     c_t = sigma(z_f) c_{t-1} + sigma(z_i) tanh(z_c)
 *     z_o += p_o c_t
 *     h_t = sigma(z_o) tanh(c_t)
 * (p c elementwise for diagonal arrays, c P for full ones), with array pk's
 * element pe moved by delta. Fills h_T and c_T (N, H). */
static void keras_lstm(const tg_tensor *const a[7], const tg_tensor *x, int pk, size_t pe,
                       double delta, double h_T[N][H], double c_T[N][H])
{
    for (int n = 0; n < N; n++) {
        double h[H] = {0}, c[H] = {0};
        for (int t = 0; t < T; t++) {
            double z[4 * H], c_prev[H];
            memcpy(c_prev, c, sizeof c);
            for (int k = 0; k < 4 * H; k++) {
                z[k] = at(a, 2, (size_t)k, pk, pe, delta);
                for (int d = 0; d < D; d++)
                    z[k] += TG_AT(x, n, t, d) * at(a, 0, (size_t)d * 4 * H + (size_t)k, pk, pe, delta);
                for (int r = 0; r < H; r++)
                    z[k] += h[r] * at(a, 1, (size_t)r * 4 * H + (size_t)k, pk, pe, delta);
            }
            for (int j = 0; j < H; j++) {
                const double z_i = z[j] + peephole_term(a, 0, c_prev, j, pk, pe, delta);
                const double z_f = z[H + j] + peephole_term(a, 1, c_prev, j, pk, pe, delta);
                const double z_c = z[2 * H + j] + peephole_term(a, 2, c_prev, j, pk, pe, delta);
                c[j] = sig(z_f) * c_prev[j] + sig(z_i) * tanh(z_c);
            }
            for (int j = 0; j < H; j++) {
                const double z_o = z[3 * H + j] + peephole_term(a, 3, c, j, pk, pe, delta);
                h[j] = sig(z_o) * tanh(c[j]);
            }
        }
        memcpy(h_T[n], h, sizeof h);
        memcpy(c_T[n], c, sizeof c);
    }
}

/* A random LSTM of variant v, its packed arrays, and an input x (N, T, D). */
typedef struct {
    tg_layer *lstm;
    tg_lstm_keras_weights w;
    const tg_tensor *a[7];
    tg_tensor *x;
} keras_case;

static void keras_case_open(keras_case *c, int v, tg_rng *rng)
{
    c->lstm = random_lstm(v, H, tg_rng_next(rng));
    c->w = tg_lstm_keras_pack(c->lstm);
    arrays_of(&c->w, c->a);
    c->x = tg_tensor_uniform(TG_SHAPE(N, T, D), rng, -1, 1);
}

static void keras_case_close(keras_case *c)
{
    tg_tensor_free(c->x);
    tg_lstm_keras_free(&c->w);
    tg_layer_free(c->lstm);
}

/* Both paths of variant v compute Keras's equations above. */
START_TEST(test_lstm_keras_equations)
{
    tg_rng rng;
    tg_rng_seed(&rng, 2);
    keras_case c;
    keras_case_open(&c, _i, &rng);
    tg_layer *lstm = c.lstm;
    double want_h[N][H], want_c[N][H];
    keras_lstm(c.a, c.x, -1, 0, 0, want_h, want_c);
    for (int p = 0; p < 2; p++) {
        lstm->path = p ? TG_PATH_FUSED : TG_PATH_REFERENCE;
        tg_tape *tape = tg_tape_new();
        tg_tensor *c_T;
        tg_tensor *y = tg_lstm_run(lstm, tape, c.x, NULL, NULL, NULL, &c_T);
        for (int n = 0; n < N; n++)
            for (int j = 0; j < H; j++) {
                tg_ck_assert_close(TG_AT(y, n, j), want_h[n][j], TG_TEST_TIGHT);
                tg_ck_assert_close(TG_AT(c_T, n, j), want_c[n][j], TG_TEST_TIGHT);
            }
        tg_tape_free(tape);
    }
    keras_case_close(&c);
}
END_TEST

/* Central differences, in double, of the step of the equations above. */
#ifdef TG_REAL_FLOAT
#define KERAS_GRAD_TOL 1e-4
#else
#define KERAS_GRAD_TOL 1e-8
#endif

/* L = sum_{n, j} u[n, j] h_T[n, j] for fixed weights u. */
static double keras_loss(const tg_tensor *const a[7], const tg_tensor *x, const tg_tensor *u,
                         int pk, size_t pe, double delta)
{
    double h_T[N][H], c_T[N][H], L = 0;
    keras_lstm(a, x, pk, pe, delta, h_T, c_T);
    for (int n = 0; n < N; n++)
        for (int j = 0; j < H; j++)
            L += (double)TG_AT(u, n, j) * h_T[n][j];
    return L;
}

/* The packed gradients of both paths are dL/d(each element of each packed
 * array) of Keras's equations, by central differences: what Keras's
 * tape.gradient(L, layer.trainable_weights) returns. */
START_TEST(test_lstm_keras_gradients)
{
    tg_rng rng;
    tg_rng_seed(&rng, 4);
    keras_case c;
    keras_case_open(&c, _i, &rng);
    tg_layer *lstm = c.lstm;
    const tg_tensor *const *a = c.a, *x = c.x;
    tg_tensor *u = tg_tensor_uniform(TG_SHAPE(N, H), &rng, -1, 1);
    for (int p = 0; p < 2; p++) {
        lstm->path = p ? TG_PATH_FUSED : TG_PATH_REFERENCE;
        for (int k = 0; k < lstm->n_params; k++)
            tg_tensor_zero_grad(lstm->params[k]);
        tg_tape *tape = tg_tape_new();
        tg_tape_backward_seeded(tape, tg_lstm_run(lstm, tape, c.x, NULL, NULL, NULL, NULL), u->data);
        tg_lstm_keras_weights g = tg_lstm_keras_pack_grad(lstm);
        const tg_tensor *ga[7];
        arrays_of(&g, ga);
        for (int k = 0; k < 7; k++) {
            ck_assert_int_eq(ga[k] != NULL, a[k] != NULL);
            for (size_t e = 0; a[k] && e < a[k]->size; e++) {
                const double step = 1e-5;
                const double fd = (keras_loss(a, x, u, k, e, step) - keras_loss(a, x, u, k, e, -step)) /
                                  (2 * step);
                tg_ck_assert_close(ga[k]->data[e], fd, KERAS_GRAD_TOL);
            }
        }
        tg_lstm_keras_free(&g);
        tg_tape_free(tape);
    }
    tg_tensor_free(u);
    keras_case_close(&c);
}
END_TEST

/* Pack, unpack into a second layer: the same parameters, bit for bit; the
 * same for the gradients. */
START_TEST(test_lstm_keras_unpack_round_trip)
{
    const int v = _i;
    tg_layer *a = random_lstm(v, H, 4), *b = random_lstm(v, H, 5);
    for (int k = 0; k < a->n_params; k++)
        for (size_t e = 0; e < a->params[k]->size; e++)
            a->params[k]->grad[e] = (tg_real)(k + 1) + (tg_real)e / 8;
    tg_lstm_keras_weights w = tg_lstm_keras_pack(a), g = tg_lstm_keras_pack_grad(a);
    tg_lstm_keras_unpack(b, &w);
    ck_assert_same_params(a, b, 0);
    tg_lstm_keras_unpack_grad(b, &g);
    ck_assert_same_params(a, b, 1);
    tg_lstm_keras_free(&w);
    tg_lstm_keras_free(&g);
    tg_layer_free(a);
    tg_layer_free(b);
}
END_TEST

/* Save the files of variant v, check the set NumPy would see (names and
 * shapes), load them into a second layer: identical weights; and the
 * gradients the same way under another prefix. */
START_TEST(test_lstm_keras_file_round_trip)
{
    const int v = _i;
    tg_scratch s;
    tg_scratch_open(&s);
    const char *prefix = tg_scratch_path(&s, "lstm_"), *grad_prefix = tg_scratch_path(&s, "grad_");
    tg_layer *a = random_lstm(v, H, 6), *b = random_lstm(v, H, 7);
    for (int k = 0; k < a->n_params; k++)
        for (size_t e = 0; e < a->params[k]->size; e++)
            a->params[k]->grad[e] = -(tg_real)(k + 1) - (tg_real)e / 16;
    tg_status st = tg_lstm_keras_save(a, prefix);
    ck_assert_msg(tg_is_ok(&st), "%s", st.msg);
    st = tg_lstm_keras_save_grad(a, grad_prefix);
    ck_assert_msg(tg_is_ok(&st), "%s", st.msg);

    const char *names[7] = {"kernel", "recurrent_kernel", "bias"};
    const tg_shape shapes[3] = {TG_SHAPE(3, 8), TG_SHAPE(2, 8), TG_SHAPE(8)};
    for (int g = 0; g < 4; g++) {
        names[3 + g] = peephole_name(v, g);
        char path[700];
        snprintf(path, sizeof path, "%s%s.npy", prefix, names[3 + g]);
        tg_tensor *t = NULL;
        st = tg_npy_load(path, &t);
        ck_assert_int_eq(tg_is_ok(&st), has_peephole(v, g));
        if (t) {
            ck_assert(tg_shape_equal(t->shape, param(a, "W_c", g)->shape));
            ck_assert(same_data(t, param(a, "W_c", g)->data));
        }
        tg_tensor_free(t);
    }
    for (int k = 0; k < 3; k++) {
        char path[700];
        snprintf(path, sizeof path, "%s%s.npy", prefix, names[k]);
        tg_tensor *t;
        st = tg_npy_load(path, &t);
        ck_assert_msg(tg_is_ok(&st), "%s", st.msg);
        ck_assert(tg_shape_equal(t->shape, shapes[k]));
        tg_tensor_free(t);
    }

    st = tg_lstm_keras_load(b, prefix);
    ck_assert_msg(tg_is_ok(&st), "%s", st.msg);
    ck_assert_same_params(a, b, 0);
    st = tg_lstm_keras_load_grad(b, grad_prefix);
    ck_assert_msg(tg_is_ok(&st), "%s", st.msg);
    ck_assert_same_params(a, b, 1);
    tg_layer_free(a);
    tg_layer_free(b);
    tg_scratch_close(&s);
}
END_TEST

/* Holds a layer's values and gradients, to check that a refusal changed nothing. */
typedef struct {
    tg_lstm_keras_weights w, g;
} snapshot;

static snapshot snapshot_of(const tg_layer *lstm)
{
    return (snapshot){tg_lstm_keras_pack(lstm), tg_lstm_keras_pack_grad(lstm)};
}

static void ck_assert_unchanged(const tg_layer *lstm, snapshot *before)
{
    snapshot now = snapshot_of(lstm);
    const tg_tensor *a[7], *b[7], *ga[7], *gb[7];
    arrays_of(&before->w, a);
    arrays_of(&now.w, b);
    arrays_of(&before->g, ga);
    arrays_of(&now.g, gb);
    for (int k = 0; k < 7; k++)
        if (a[k]) {
            ck_assert(same_data(a[k], b[k]->data));
            ck_assert(same_data(ga[k], gb[k]->data));
        }
    tg_lstm_keras_free(&now.w);
    tg_lstm_keras_free(&now.g);
    tg_lstm_keras_free(&before->w);
    tg_lstm_keras_free(&before->g);
}

/* load(lstm, prefix) fails with a message holding every piece, and the
 * layer's weights and gradients are as they were. */
#define ck_assert_load_refused(load, lstm, prefix, ...)                                            \
    do {                                                                                          \
        snapshot before_ = snapshot_of(lstm);                                                     \
        tg_status st_ = load((lstm), (prefix));                                                   \
        tg_ck_assert_error(st_, __VA_ARGS__);                                                     \
        ck_assert_unchanged((lstm), &before_);                                                    \
    } while (0)

static void ck_assert_ok(tg_status st)
{
    ck_assert_msg(tg_is_ok(&st), "%s", st.msg);
}

/* Files that do not fit (another H), are missing, or are misshapen: a
 * status naming the file and the shapes, the layer unchanged. */
START_TEST(test_lstm_keras_load_errors)
{
    tg_scratch s;
    tg_scratch_open(&s);
    const char *wide_prefix = tg_scratch_path(&s, "wide_");
    const char *missing = tg_scratch_path(&s, "absent_");
    const char *prefix = tg_scratch_path(&s, "diag_");
    const char *candidate = tg_scratch_path(&s, "diag_candidate_peephole_weights.npy");
    tg_layer *wide = random_lstm(0, 3, 8);
    ck_assert_ok(tg_lstm_keras_save(wide, wide_prefix));

    tg_layer *lstm = random_lstm(0, H, 9);
    ck_assert_load_refused(tg_lstm_keras_load, lstm, wide_prefix, "wide_kernel.npy",
                           "kernel (3, 12)", "D = 3, H = 2", "(3, 8) = (D, 4H)");
    ck_assert_load_refused(tg_lstm_keras_load_grad, lstm, wide_prefix, "wide_kernel.npy",
                           "kernel (3, 12)");
    ck_assert_load_refused(tg_lstm_keras_load, lstm, missing, "absent_kernel.npy");

    /* a diagonal layer's files, its candidate peephole of the wrong size, then none */
    tg_layer *diag = random_lstm(1, H, 10), *other = random_lstm(1, H, 11);
    ck_assert_ok(tg_lstm_keras_save(diag, prefix));
    tg_tensor *three = tg_tensor_zeros(TG_SHAPE(3));
    ck_assert_ok(tg_npy_save(candidate, three));
    ck_assert_load_refused(tg_lstm_keras_load, other, prefix, "diag_candidate_peephole_weights.npy",
                           "candidate_peephole_weights (3,) does not fit", "(2,)");
    ck_assert_int_eq(remove(candidate), 0);
    ck_assert_load_refused(tg_lstm_keras_load, other, prefix,
                           "diag_candidate_peephole_weights.npy");

    tg_tensor_free(three);
    tg_layer_free(other);
    tg_layer_free(diag);
    tg_layer_free(wide);
    tg_layer_free(lstm);
    tg_scratch_close(&s);
}
END_TEST

/* Weights of another variant are refused, not half read: a PeepholeLSTMCell's
 * six files into a peephole-none LSTM, a diagonal one's four into one
 * without the candidate peephole, a diagonal one's into a full one. */
START_TEST(test_lstm_keras_load_other_variant)
{
    tg_scratch s;
    tg_scratch_open(&s);
    const char *tf_prefix = tg_scratch_path(&s, "tf_"), *diag_prefix = tg_scratch_path(&s, "diag_");
    tg_layer *tf_cell = random_lstm(2, H, 12), *diag = random_lstm(1, H, 13);
    ck_assert_ok(tg_lstm_keras_save(tf_cell, tf_prefix));
    ck_assert_ok(tg_lstm_keras_save(diag, diag_prefix));

    tg_layer *none = random_lstm(0, H, 14), *no_cand = random_lstm(2, H, 15);
    tg_layer *full = random_lstm(3, H, 16);
    ck_assert_load_refused(tg_lstm_keras_load, none, tf_prefix,
                           "tf_input_gate_peephole_weights.npy", "peephole none", "another variant");
    ck_assert_load_refused(tg_lstm_keras_load, no_cand, diag_prefix,
                           "diag_candidate_peephole_weights.npy", "no candidate peephole");
    ck_assert_load_refused(tg_lstm_keras_load, full, diag_prefix,
                           "diag_input_gate_peephole_kernel.npy");
    /* its own kind loads */
    ck_assert_ok(tg_lstm_keras_load(no_cand, tf_prefix));
    ck_assert_same_params(no_cand, tf_cell, 0);

    tg_layer_free(full);
    tg_layer_free(no_cand);
    tg_layer_free(none);
    tg_layer_free(diag);
    tg_layer_free(tf_cell);
    tg_scratch_close(&s);
}
END_TEST

/* ---- programming errors: arrays that do not fit a built layer ---- */

START_TEST(test_lstm_keras_unpack_bad_shape)
{
    tg_layer *lstm = random_lstm(0, H, 17);
    tg_tensor *K = tg_tensor_zeros(TG_SHAPE(3, 8)), *R = tg_tensor_zeros(TG_SHAPE(2, 6));
    tg_tensor *b = tg_tensor_zeros(TG_SHAPE(8));
    tg_lstm_keras_weights w = {K, R, b, {NULL}};
    tg_lstm_keras_unpack(lstm, &w);
}
END_TEST

/* A diagonal layer's arrays without the output gate's peephole. */
START_TEST(test_lstm_keras_unpack_missing_peephole)
{
    tg_layer *lstm = random_lstm(1, H, 18);
    tg_lstm_keras_weights w = tg_lstm_keras_pack(lstm);
    tg_tensor *output_gate = w.peephole[3];
    w.peephole[3] = NULL;
    tg_lstm_keras_unpack(lstm, &w);
    w.peephole[3] = output_gate;
    tg_lstm_keras_free(&w);
    tg_layer_free(lstm);
}
END_TEST

/* A diagonal layer's arrays into a peephole-none layer. */
START_TEST(test_lstm_keras_unpack_extra_peephole)
{
    tg_layer *diag = random_lstm(1, H, 19), *none = random_lstm(0, H, 20);
    tg_lstm_keras_weights w = tg_lstm_keras_pack(diag);
    tg_lstm_keras_unpack_grad(none, &w);
}
END_TEST

START_TEST(test_lstm_keras_pack_unbuilt)
{
    tg_lstm_keras_pack(tg_lstm((tg_lstm_opts){.units = 2}));
}
END_TEST

Suite *tg_test_suite(void)
{
    Suite *s = suite_create("lstm_keras");
    TCase *tc = tcase_create("packing");
    tcase_add_loop_test(tc, test_lstm_keras_layout, 0, N_VARIANTS);
    tcase_add_loop_test(tc, test_lstm_keras_equations, 0, N_VARIANTS);
    tcase_add_loop_test(tc, test_lstm_keras_gradients, 0, N_VARIANTS);
    tcase_add_loop_test(tc, test_lstm_keras_unpack_round_trip, 0, N_VARIANTS);
    tcase_add_loop_test(tc, test_lstm_keras_file_round_trip, 0, N_VARIANTS);
    tcase_add_test(tc, test_lstm_keras_load_errors);
    tcase_add_test(tc, test_lstm_keras_load_other_variant);
    tcase_add_exit_test(tc, test_lstm_keras_unpack_bad_shape, TG_FATAL_EXIT);
    tcase_add_exit_test(tc, test_lstm_keras_unpack_missing_peephole, TG_FATAL_EXIT);
    tcase_add_exit_test(tc, test_lstm_keras_unpack_extra_peephole, TG_FATAL_EXIT);
    tcase_add_exit_test(tc, test_lstm_keras_pack_unbuilt, TG_FATAL_EXIT);
    suite_add_tcase(s, tc);
    return s;
}
