/* What an LSTM keeps of its last forward (tg_lstm_keep_internals): nothing
 * until asked; then i_t, f_t, ~c_t, o_t, c_t, h_t per sequence, step and
 * unit, the same on both paths, agreeing with the layer's own outputs and
 * with the six equations recomputed from the kept states; replaced by the
 * next forward, whatever its shape. */
#include <check.h>
#include <string.h>

#include "autograd/autograd.h"
#include "layers/layers.h"
#include "tensor/tensor.h"
#include "tests/support.h"

enum { N = 2, T = 4, D = 3, H = 3 };

static const tg_tensor *param(const tg_layer *l, const char *name)
{
    for (int k = 0; k < l->n_params; k++)
        if (!strcmp(l->params[k]->name, name))
            return l->params[k];
    ck_abort_msg("no parameter %s", name);
    return NULL;
}

static tg_layer *lstm_for(tg_path path, tg_peephole peephole)
{
    tg_rng rng;
    tg_rng_seed(&rng, 5);
    tg_layer *l = tg_lstm((tg_lstm_opts){.units = H, .return_sequences = 1, .peephole = peephole});
    l->path = path;
    tg_layer_build(l, TG_SHAPE(T, D), &rng);
    for (int k = 0; k < l->n_params; k++)
        tg_init_uniform(l->params[k], &rng, -0.7, 0.7);
    return l;
}

static double sig(double z)
{
    return 1 / (1 + exp(-z));
}

/* The argument of gate g ("i", "f", "c", "o") at (n, t, j), from x_t, h_{t-1}
 * and the cell state the gate peeks at, by the document's equations
 * (diagonal peepholes). */
static double arg(const tg_layer *l, const char *g, const tg_tensor *x, const double *h_prev,
                  const double *c_peek, int n, int t, int j)
{
    char name[8];
    snprintf(name, sizeof name, "W_x%s", g);
    const tg_tensor *W_x = param(l, name);
    snprintf(name, sizeof name, "W_h%s", g);
    const tg_tensor *W_h = param(l, name);
    snprintf(name, sizeof name, "W_c%s", g);
    const tg_tensor *W_c = param(l, name);
    snprintf(name, sizeof name, "b_%s", g);
    const tg_tensor *b = param(l, name);
    double z = (double)b->data[j] + (double)W_c->data[j] * c_peek[j];
    for (int d = 0; d < D; d++)
        z += (double)TG_AT(x, n, t, d) * (double)TG_AT(W_x, d, j);
    for (int k = 0; k < H; k++)
        z += h_prev[k] * (double)TG_AT(W_h, k, j);
    return z;
}

START_TEST(test_lstm_internals_follow_the_equations)
{
    const tg_path path = _i ? TG_PATH_FUSED : TG_PATH_REFERENCE;
    tg_layer *l = lstm_for(path, TG_PEEPHOLE_DIAGONAL);
    ck_assert_ptr_null(tg_lstm_internals_of(l));
    tg_rng rng;
    tg_rng_seed(&rng, 9);
    tg_tensor *x = tg_tensor_uniform(TG_SHAPE(N, T, D), &rng, -1, 1);
    tg_tape *tape = tg_tape_new();
    tg_layer_forward(l, tape, x, 0);
    ck_assert_ptr_null(tg_lstm_internals_of(l)); /* not asked: nothing kept */

    tg_lstm_keep_internals(l, 1);
    tg_tape_reset(tape);
    tg_tensor *c_T;
    tg_tensor *y = tg_lstm_run(l, tape, x, NULL, NULL, NULL, &c_T);
    const tg_lstm_internals *in = tg_lstm_internals_of(l);
    ck_assert_ptr_nonnull(in);
    const tg_tensor *all[6] = {in->i, in->f, in->c_tilde, in->o, in->c, in->h};
    for (int g = 0; g < 6; g++)
        ck_assert(tg_shape_equal(all[g]->shape, TG_SHAPE(N, T, H)));
    for (int n = 0; n < N; n++) {
        double h_prev[H] = {0}, c_prev[H] = {0};
        for (int t = 0; t < T; t++) {
            double c_t[H];
            for (int j = 0; j < H; j++) {
                /* the layer's own outputs */
                ck_assert(TG_AT(in->h, n, t, j) == TG_AT(y, n, t, j));
                /* i_t, f_t, ~c_t from the kept h_{t-1}, c_{t-1}; then c_t */
                const double i = sig(arg(l, "i", x, h_prev, c_prev, n, t, j));
                const double f = sig(arg(l, "f", x, h_prev, c_prev, n, t, j));
                const double cand = tanh(arg(l, "c", x, h_prev, c_prev, n, t, j));
                tg_ck_assert_close(TG_AT(in->i, n, t, j), i, TG_TEST_TIGHT);
                tg_ck_assert_close(TG_AT(in->f, n, t, j), f, TG_TEST_TIGHT);
                tg_ck_assert_close(TG_AT(in->c_tilde, n, t, j), cand, TG_TEST_TIGHT);
                c_t[j] = f * c_prev[j] + i * cand;
                tg_ck_assert_close(TG_AT(in->c, n, t, j), c_t[j], TG_TEST_TIGHT);
            }
            for (int j = 0; j < H; j++) {
                /* o_t peeks at the new c_t; h_t = o_t tanh(c_t) */
                const double o = sig(arg(l, "o", x, h_prev, c_t, n, t, j));
                tg_ck_assert_close(TG_AT(in->o, n, t, j), o, TG_TEST_TIGHT);
                tg_ck_assert_close(TG_AT(in->h, n, t, j), o * tanh(c_t[j]), TG_TEST_TIGHT);
            }
            for (int j = 0; j < H; j++) {
                h_prev[j] = (double)TG_AT(in->h, n, t, j);
                c_prev[j] = (double)TG_AT(in->c, n, t, j);
            }
        }
        for (int j = 0; j < H; j++)
            ck_assert(TG_AT(in->c, n, T - 1, j) == TG_AT(c_T, n, j));
    }
    tg_tape_free(tape);
    tg_tensor_free(x);
    tg_layer_free(l);
}
END_TEST

/* Both paths keep the same numbers, for every peephole kind. */
START_TEST(test_lstm_internals_paths_agree)
{
    const tg_peephole kinds[3] = {TG_PEEPHOLE_DIAGONAL, TG_PEEPHOLE_NONE, TG_PEEPHOLE_FULL};
    tg_layer *l[2] = {lstm_for(TG_PATH_REFERENCE, kinds[_i]), lstm_for(TG_PATH_FUSED, kinds[_i])};
    tg_rng rng;
    tg_rng_seed(&rng, 13);
    tg_tensor *x = tg_tensor_uniform(TG_SHAPE(N, T, D), &rng, -1, 1);
    tg_tape *tape = tg_tape_new();
    for (int p = 0; p < 2; p++) {
        tg_lstm_keep_internals(l[p], 1);
        tg_layer_forward(l[p], tape, x, 1);
    }
    const tg_lstm_internals *a = tg_lstm_internals_of(l[0]), *b = tg_lstm_internals_of(l[1]);
    const tg_tensor *ta[6] = {a->i, a->f, a->c_tilde, a->o, a->c, a->h};
    const tg_tensor *tb[6] = {b->i, b->f, b->c_tilde, b->o, b->c, b->h};
    for (int g = 0; g < 6; g++)
        for (size_t k = 0; k < ta[g]->size; k++)
            tg_ck_assert_close(tb[g]->data[k], ta[g]->data[k], TG_TEST_TIGHT);
    tg_tape_free(tape);
    tg_tensor_free(x);
    tg_layer_free(l[0]);
    tg_layer_free(l[1]);
}
END_TEST

/* The next forward replaces what was kept, also with another N and T;
 * after keep 0 the last kept forward stays. */
START_TEST(test_lstm_internals_replaced)
{
    tg_layer *l = lstm_for(_i ? TG_PATH_FUSED : TG_PATH_REFERENCE, TG_PEEPHOLE_DIAGONAL);
    tg_lstm_keep_internals(l, 1);
    tg_rng rng;
    tg_rng_seed(&rng, 17);
    tg_tensor *x1 = tg_tensor_uniform(TG_SHAPE(N, T, D), &rng, -1, 1);
    tg_tensor *x2 = tg_tensor_uniform(TG_SHAPE(1, 7, D), &rng, -1, 1);
    tg_tape *tape = tg_tape_new();
    tg_lstm_run(l, tape, x1, NULL, NULL, NULL, NULL);
    tg_tensor *h_T;
    tg_lstm_run(l, tape, x2, NULL, NULL, &h_T, NULL);
    const tg_lstm_internals *in = tg_lstm_internals_of(l);
    ck_assert(tg_shape_equal(in->f->shape, TG_SHAPE(1, 7, H)));
    for (int j = 0; j < H; j++)
        ck_assert(TG_AT(in->h, 0, 6, j) == TG_AT(h_T, 0, j));
    tg_lstm_keep_internals(l, 0);
    tg_lstm_run(l, tape, x1, NULL, NULL, NULL, NULL);
    ck_assert(tg_shape_equal(tg_lstm_internals_of(l)->f->shape, TG_SHAPE(1, 7, H)));
    tg_tape_free(tape);
    tg_tensor_free(x1);
    tg_tensor_free(x2);
    tg_layer_free(l);
}
END_TEST

START_TEST(test_lstm_internals_not_an_lstm)
{
    tg_rng rng;
    tg_rng_seed(&rng, 1);
    tg_layer *d = tg_dense(2, TG_LINEAR);
    tg_layer_build(d, TG_SHAPE(3), &rng);
    tg_lstm_keep_internals(d, 1);
}
END_TEST

Suite *tg_test_suite(void)
{
    Suite *s = suite_create("lstm_internals");
    TCase *tc = tcase_create("internals");
    tcase_add_loop_test(tc, test_lstm_internals_follow_the_equations, 0, 2);
    tcase_add_loop_test(tc, test_lstm_internals_paths_agree, 0, 3);
    tcase_add_loop_test(tc, test_lstm_internals_replaced, 0, 2);
    tcase_add_exit_test(tc, test_lstm_internals_not_an_lstm, TG_FATAL_EXIT);
    suite_add_tcase(s, tc);
    return s;
}
