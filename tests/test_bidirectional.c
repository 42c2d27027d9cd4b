/* Bidirectional: its gradcheck rows, Keras's semantics held element by
 * element against the two copies run by hand (the backward copy on the
 * reversed sequence, its output flipped back; its last state without
 * return_sequences) for every merge mode, inner layer and path, which
 * inputs each step can see, Keras's names, order and counts, the summary,
 * a checkpoint round trip, and bad arguments. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/gradcheck_check.h"
#include "autograd/autograd.h"
#include "layers/layers.h"
#include "tensor/tensor.h"
#include "train/train.h"
#include "tests/model_checks.h"
#include "tests/support.h"
#include "layers/internal/gradcheck_cases.h"

START_TEST(test_bidirectional_registry_cases)
{
    int n;
    const tg_gradcheck_case *c = tg_bidirectional_gradcheck_cases(&n);
    ck_assert_int_eq(n, 38);
    tg_ck_assert_gradcheck(c[_i].name, c[_i].run(13));
}
END_TEST

/* The inner layers a test can wrap: 0..4 the LSTM's peephole variants, 5
 * and 6 the GRU both ways, 7 the SimpleRNN. */
enum { N_INNER = 8, UNITS = 3 };

static tg_layer *inner(int kind, int sequences)
{
    static const struct {
        tg_peephole peephole;
        int no_cand;
    } lstm[5] = {{TG_PEEPHOLE_DIAGONAL, 0}, {TG_PEEPHOLE_DIAGONAL, 1}, {TG_PEEPHOLE_NONE, 0},
                 {TG_PEEPHOLE_FULL, 0},     {TG_PEEPHOLE_FULL, 1}};
    if (kind < 5)
        return tg_lstm((tg_lstm_opts){.units = UNITS, .return_sequences = sequences,
                                      .peephole = lstm[kind].peephole,
                                      .no_candidate_peephole = lstm[kind].no_cand});
    if (kind < 7)
        return tg_gru((tg_gru_opts){.units = UNITS, .return_sequences = sequences,
                                    .reset_before = kind == 6});
    return tg_simple_rnn((tg_simple_rnn_opts){.units = UNITS, .return_sequences = sequences});
}

static tg_layer *built_bidirectional(int kind, int sequences, tg_merge_mode merge, int T, int D,
                                     uint64_t seed)
{
    tg_layer *bi = tg_bidirectional(inner(kind, sequences), inner(kind, sequences), merge);
    tg_rng rng;
    tg_rng_seed(&rng, seed);
    tg_layer_build(bi, TG_SHAPE(T, D), &rng);
    for (int k = 0; k < bi->n_params; k++)
        tg_init_uniform(bi->params[k], &rng, -0.6, 0.6);
    return bi;
}

static double merged(tg_merge_mode merge, double f, double b)
{
    switch (merge) {
    case TG_MERGE_SUM:
        return f + b;
    case TG_MERGE_MUL:
        return f * b;
    case TG_MERGE_AVE:
        return (f + b) / 2;
    default:
        ck_abort_msg("merged: concat and none place, they do not combine");
    }
    return 0;
}

/* Keras: y_f = forward(x), y_b = backward(x reversed), y_b flipped back
 * when it is a sequence; then merged. The copies are run here on their
 * own, on a sequence reversed index by index, and the wrapper's output
 * compared element by element. The loop index: inner kind x sequences x
 * merge x path. */
START_TEST(test_bidirectional_keras_semantics)
{
    const int path = _i % 2, merge_i = (_i / 2) % 5, sequences = (_i / 10) % 2;
    const int kind = _i / 20;
    const tg_merge_mode merge = (tg_merge_mode)merge_i;
    const int N = 2, T = 4, D = 3, H = UNITS;
    tg_layer *bi = built_bidirectional(kind, sequences, merge, T, D, 30 + (uint64_t)_i);
    bi->path = path ? TG_PATH_FUSED : TG_PATH_REFERENCE;
    tg_rng rng;
    tg_rng_seed(&rng, 31);
    tg_tensor *x = tg_tensor_uniform(TG_SHAPE(N, T, D), &rng, -1, 1);
    tg_tensor *x_rev = tg_tensor_new(x->shape);
    for (int n = 0; n < N; n++)
        for (int t = 0; t < T; t++)
            for (int d = 0; d < D; d++)
                TG_AT(x_rev, n, t, d) = TG_AT(x, n, T - 1 - t, d);

    tg_tape *tape = tg_tape_new();
    tg_tensor *y = tg_layer_forward(bi, tape, x, 0);
    tg_layer *f = tg_bidirectional_layer(bi, 0), *b = tg_bidirectional_layer(bi, 1);
    ck_assert(f->path == bi->path && b->path == bi->path);
    tg_tensor *y_f = tg_layer_forward(f, tape, x, 0);
    tg_tensor *y_b = tg_layer_forward(b, tape, x_rev, 0);
    const int steps = sequences ? T : 1;
    for (int n = 0; n < N; n++)
        for (int t = 0; t < steps; t++)
            for (int j = 0; j < H; j++) {
                /* step t of the backward copy's output read x_T .. x_{T-1-t}:
                 * in time order it is step T-1-t */
                const double vf = sequences ? TG_AT(y_f, n, t, j) : TG_AT(y_f, n, j);
                const double vb = sequences ? TG_AT(y_b, n, T - 1 - t, j) : TG_AT(y_b, n, j);
                double got_f, got_b = 0;
                if (merge == TG_MERGE_CONCAT) {
                    got_f = sequences ? TG_AT(y, n, t, j) : TG_AT(y, n, j);
                    got_b = sequences ? TG_AT(y, n, t, H + j) : TG_AT(y, n, H + j);
                } else if (merge == TG_MERGE_NONE) {
                    got_f = sequences ? TG_AT(y, n, 0, t, j) : TG_AT(y, n, 0, j);
                    got_b = sequences ? TG_AT(y, n, 1, t, j) : TG_AT(y, n, 1, j);
                } else {
                    got_f = sequences ? TG_AT(y, n, t, j) : TG_AT(y, n, j);
                }
                if (merge == TG_MERGE_CONCAT || merge == TG_MERGE_NONE) {
                    tg_ck_assert_close(got_f, vf, TG_TEST_TIGHT);
                    tg_ck_assert_close(got_b, vb, TG_TEST_TIGHT);
                } else {
                    tg_ck_assert_close(got_f, merged(merge, vf, vb), TG_TEST_TIGHT);
                }
            }
    tg_tape_free(tape);
    tg_tensor_free(x);
    tg_tensor_free(x_rev);
    tg_layer_free(bi);
}
END_TEST

/* What each step can see: with sequences, step t of the forward output
 * depends on x_1 .. x_t only and step t of the backward output (in time
 * order) on x_t .. x_T only. Changing x_s moves the forward steps t >= s
 * and the backward steps t <= s, and nothing else. */
START_TEST(test_bidirectional_what_each_step_sees)
{
    const int N = 1, T = 5, D = 2, H = UNITS;
    tg_layer *bi = built_bidirectional(_i, 1, TG_MERGE_NONE, T, D, 40);
    tg_rng rng;
    tg_rng_seed(&rng, 41);
    tg_tensor *x = tg_tensor_uniform(TG_SHAPE(N, T, D), &rng, -1, 1);
    tg_tape *tape = tg_tape_new();
    tg_tensor *y0 = tg_tensor_clone(tg_layer_forward(bi, tape, x, 0));
    for (int s = 0; s < T; s++) {
        tg_tape_reset(tape);
        tg_tensor *xs = tg_tensor_clone(x);
        TG_AT(xs, 0, s, 0) += (tg_real)0.5;
        tg_tensor *y = tg_layer_forward(bi, tape, xs, 0);
        for (int t = 0; t < T; t++) {
            double moved_f = 0, moved_b = 0;
            for (int j = 0; j < H; j++) {
                moved_f += fabs((double)(TG_AT(y, 0, 0, t, j) - TG_AT(y0, 0, 0, t, j)));
                moved_b += fabs((double)(TG_AT(y, 0, 1, t, j) - TG_AT(y0, 0, 1, t, j)));
            }
            ck_assert_msg((moved_f > 0) == (t >= s), "forward step %d, x_%d changed: %g", t, s,
                          moved_f);
            ck_assert_msg((moved_b > 0) == (t <= s), "backward step %d, x_%d changed: %g", t, s,
                          moved_b);
        }
        tg_tensor_free(xs);
    }
    tg_tape_free(tape);
    tg_tensor_free(y0);
    tg_tensor_free(x);
    tg_layer_free(bi);
}
END_TEST

/* Without return_sequences the backward copy's output is its state after
 * reading x_T .. x_1: the first step of its reversed sequence output,
 * flipped back, is the same numbers. */
START_TEST(test_bidirectional_last_state_is_the_whole_reversed_read)
{
    const int N = 2, T = 4, D = 3, H = UNITS;
    tg_layer *last = built_bidirectional(5, 0, TG_MERGE_CONCAT, T, D, 50);
    tg_layer *seq = built_bidirectional(5, 1, TG_MERGE_CONCAT, T, D, 50);
    tg_rng rng;
    tg_rng_seed(&rng, 51);
    tg_tensor *x = tg_tensor_uniform(TG_SHAPE(N, T, D), &rng, -1, 1);
    tg_tape *tape = tg_tape_new();
    tg_tensor *y_last = tg_layer_forward(last, tape, x, 0);
    tg_tensor *y_seq = tg_layer_forward(seq, tape, x, 0);
    for (int n = 0; n < N; n++)
        for (int j = 0; j < H; j++) {
            /* forward: its state after x_T is step T-1; backward: after x_1, step 0 */
            tg_ck_assert_close(TG_AT(y_last, n, j), TG_AT(y_seq, n, T - 1, j), TG_TEST_TIGHT);
            tg_ck_assert_close(TG_AT(y_last, n, H + j), TG_AT(y_seq, n, 0, H + j), TG_TEST_TIGHT);
        }
    tg_tape_free(tape);
    tg_tensor_free(x);
    tg_layer_free(last);
    tg_layer_free(seq);
}
END_TEST

/* The function form hands the two outputs apart, in time order. */
START_TEST(test_bidirectional_run)
{
    const int N = 2, T = 3, D = 2;
    tg_layer *bi = built_bidirectional(0, 1, TG_MERGE_SUM, T, D, 60);
    tg_rng rng;
    tg_rng_seed(&rng, 61);
    tg_tensor *x = tg_tensor_uniform(TG_SHAPE(N, T, D), &rng, -1, 1);
    tg_tape *tape = tg_tape_new();
    tg_tensor *y_f, *y_b;
    tg_tensor *y = tg_bidirectional_run(bi, tape, x, 0, &y_f, &y_b);
    ck_assert(tg_shape_equal(y_f->shape, TG_SHAPE(N, T, UNITS)));
    ck_assert(tg_shape_equal(y_b->shape, TG_SHAPE(N, T, UNITS)));
    for (size_t k = 0; k < y->size; k++)
        tg_ck_assert_close(y->data[k], y_f->data[k] + y_b->data[k], TG_TEST_TIGHT);
    tg_tape_free(tape);
    tg_tensor_free(x);
    tg_layer_free(bi);
}
END_TEST

/* Keras's names, order and counts: Bidirectional(LSTM(4)) (no peepholes)
 * on 3 inputs has 2 x 4 (4 (3 + 4) + 4) = 256 parameters, the forward
 * copy's first; output (T, 8) with concat, (T, 4) with sum, (2, T, 4) with
 * none; the copies answer to their own names. */
START_TEST(test_bidirectional_names_and_counts)
{
    tg_layer *f = tg_lstm((tg_lstm_opts){.units = 4, .return_sequences = 1,
                                         .peephole = TG_PEEPHOLE_NONE});
    tg_layer *b = tg_lstm((tg_lstm_opts){.units = 4, .return_sequences = 1,
                                         .peephole = TG_PEEPHOLE_NONE});
    tg_layer *bi = tg_bidirectional(f, b, TG_MERGE_CONCAT);
    ck_assert_str_eq(bi->name, "bidirectional");
    ck_assert_str_eq(bi->ops->kind, "Bidirectional");
    ck_assert_str_eq(f->name, "forward_lstm");
    ck_assert_str_eq(b->name, "backward_lstm");
    tg_rng rng;
    tg_rng_seed(&rng, 1);
    ck_assert(tg_shape_equal(tg_layer_build(bi, TG_SHAPE(6, 3), &rng), TG_SHAPE(6, 8)));
    ck_assert_uint_eq(tg_layer_param_count(bi), 256);
    ck_assert_int_eq(bi->n_params, 24);
    ck_assert_str_eq(bi->params[0]->name, "forward_lstm/W_xi");
    ck_assert_str_eq(bi->params[11]->name, "forward_lstm/b_o");
    ck_assert_str_eq(bi->params[12]->name, "backward_lstm/W_xi");
    ck_assert_int_eq(bi->n_inner, 2);
    ck_assert_ptr_eq(bi->inner[0], f);
    /* the copies' own view of their parameters: the same buffers */
    tg_tensor *w = tg_layer_param(b, "W_xi");
    ck_assert_ptr_nonnull(w);
    ck_assert_ptr_eq(w->data, bi->params[12]->data);
    ck_assert_ptr_eq(w->grad, bi->params[12]->grad);
    /* weights of their own */
    ck_assert(memcmp(bi->params[0]->data, bi->params[12]->data,
                     bi->params[0]->size * sizeof(tg_real)) != 0);
    tg_layer_free(bi);

    const tg_merge_mode modes[] = {TG_MERGE_SUM, TG_MERGE_NONE};
    const tg_shape outs[] = {TG_SHAPE(6, 4), TG_SHAPE(2, 6, 4)};
    for (int m = 0; m < 2; m++) {
        bi = tg_bidirectional(tg_gru((tg_gru_opts){.units = 4, .return_sequences = 1}),
                              tg_gru((tg_gru_opts){.units = 4, .return_sequences = 1}), modes[m]);
        ck_assert(tg_shape_equal(tg_layer_build(bi, TG_SHAPE(6, 3), &rng), outs[m]));
        /* GRU(4) on 3: 3 (3 4 + 4 4 + 2 4) = 108, twice */
        ck_assert_uint_eq(tg_layer_param_count(bi), 216);
        ck_assert_str_eq(bi->params[3]->name, "backward_gru/kernel");
        tg_layer_free(bi);
    }
}
END_TEST

/* Concat takes copies of different widths: [y_f | y_b] is H_f + H_b wide. */
START_TEST(test_bidirectional_concat_widths)
{
    tg_layer *bi = tg_bidirectional(tg_gru((tg_gru_opts){.units = 3}),
                                    tg_gru((tg_gru_opts){.units = 2}), TG_MERGE_CONCAT);
    tg_ck_assert_gradcheck("bidirectional concat 3 + 2",
                           tg_layer_gradcheck(bi, TG_SHAPE(2, 4, 2), 3));
    ck_assert(tg_shape_equal(bi->output_shape, TG_SHAPE(5)));
    tg_layer_free(bi);
}
END_TEST

START_TEST(test_merge_mode_names)
{
    const char *names[] = {"concat", "sum", "mul", "ave", "none"};
    for (int m = 0; m < 5; m++) {
        tg_merge_mode mode;
        ck_assert_str_eq(tg_merge_mode_name((tg_merge_mode)m), names[m]);
        ck_assert_int_eq(tg_merge_mode_parse(names[m], &mode), 0);
        ck_assert_int_eq((int)mode, m);
    }
    tg_merge_mode mode = TG_MERGE_SUM;
    ck_assert_int_eq(tg_merge_mode_parse("max", &mode), -1);
    ck_assert_int_eq((int)mode, TG_MERGE_SUM);
}
END_TEST

/* ---- in a model: the summary and a checkpoint ---- */

static tg_model *bidirectional_model(uint64_t seed)
{
    tg_model *m = tg_model_new(TG_SHAPE(5, 3), seed);
    tg_model_add(m, tg_bidirectional(tg_lstm((tg_lstm_opts){.units = 4, .return_sequences = 1}),
                                     tg_lstm((tg_lstm_opts){.units = 4, .return_sequences = 1}),
                                     TG_MERGE_CONCAT));
    tg_model_add(m, tg_bidirectional(tg_gru((tg_gru_opts){.units = 2}),
                                     tg_gru((tg_gru_opts){.units = 2}), TG_MERGE_AVE));
    tg_model_add(m, tg_dense(1, TG_SIGMOID));
    return m;
}

/* Keras's rows: "bidirectional (Bidirectional)", then the copies indented. */
START_TEST(test_bidirectional_summary)
{
    tg_model *m = bidirectional_model(1);
    /* LSTM(4) diagonal on 3: 4 (3 4 + 4 4 + 4 + 4) = 144 each, 288 the pair;
     * GRU(2) on the 8 of the concat: 3 (8 2 + 2 2 + 2 2) = 72 each; Dense 3 */
    const char *rows[] = {
        " bidirectional (Bidirectional)   (None, 5, 8)              288      \n"
        "   forward_lstm (LSTM)           (None, 5, 4)              144      \n"
        "   backward_lstm (LSTM)          (None, 5, 4)              144      \n",
        " bidirectional_1 (Bidirectional) (None, 2)                 144      \n",
        "   forward_gru (GRU)             (None, 2)                 72       \n",
        "Total params: 435 ",
    };
    tg_test_summary_has(m, rows, sizeof rows / sizeof rows[0]);
    tg_model_free(m);
}
END_TEST

/* Saved and loaded into a model of another seed: every weight of both
 * copies comes back, and the entries are named as Keras would. */
START_TEST(test_bidirectional_checkpoint)
{
    tg_model *a = bidirectional_model(1), *b = bidirectional_model(2);
    tg_test_checkpoint_round_trip(a, b, "bidirectional/forward_lstm/W_xi.npy");
    tg_model_free(a);
    tg_model_free(b);
}
END_TEST

/* ---- bad arguments ---- */

START_TEST(test_bidirectional_same_layer_twice)
{
    tg_layer *l = tg_gru((tg_gru_opts){.units = 2});
    tg_bidirectional(l, l, TG_MERGE_CONCAT);
}
END_TEST

/* Builds a wrapper of two GRUs of these widths on (4, 2). */
static void build_grus(int units_f, int seq_f, int units_b, int seq_b, tg_merge_mode merge)
{
    tg_layer *bi =
        tg_bidirectional(tg_gru((tg_gru_opts){.units = units_f, .return_sequences = seq_f}),
                         tg_gru((tg_gru_opts){.units = units_b, .return_sequences = seq_b}), merge);
    tg_rng rng;
    tg_rng_seed(&rng, 1);
    tg_layer_build(bi, TG_SHAPE(4, 2), &rng);
    tg_layer_free(bi);
}

START_TEST(test_bidirectional_mixed_sequences)
{
    build_grus(2, 1, 2, 0, TG_MERGE_CONCAT);
}
END_TEST

START_TEST(test_bidirectional_sum_of_widths)
{
    build_grus(3, 0, 2, 0, TG_MERGE_SUM);
}
END_TEST

START_TEST(test_bidirectional_unknown_merge)
{
    tg_bidirectional(tg_gru((tg_gru_opts){.units = 2}), tg_gru((tg_gru_opts){.units = 2}),
                     (tg_merge_mode)9);
}
END_TEST

START_TEST(test_bidirectional_built_layer)
{
    tg_rng rng;
    tg_rng_seed(&rng, 1);
    tg_layer *f = tg_gru((tg_gru_opts){.units = 2});
    tg_layer_build(f, TG_SHAPE(3, 2), &rng);
    tg_bidirectional(f, tg_gru((tg_gru_opts){.units = 2}), TG_MERGE_CONCAT);
}
END_TEST

Suite *tg_test_suite(void)
{
    Suite *s = suite_create("bidirectional");
    TCase *tc = tcase_create("bidirectional");
    tcase_add_loop_test(tc, test_bidirectional_registry_cases, 0, 38);
    tcase_add_loop_test(tc, test_bidirectional_keras_semantics, 0, N_INNER * 20);
    tcase_add_loop_test(tc, test_bidirectional_what_each_step_sees, 0, N_INNER);
    tcase_add_test(tc, test_bidirectional_last_state_is_the_whole_reversed_read);
    tcase_add_test(tc, test_bidirectional_run);
    tcase_add_test(tc, test_bidirectional_names_and_counts);
    tcase_add_test(tc, test_bidirectional_concat_widths);
    tcase_add_test(tc, test_merge_mode_names);
    tcase_add_test(tc, test_bidirectional_summary);
    tcase_add_test(tc, test_bidirectional_checkpoint);
    tcase_add_exit_test(tc, test_bidirectional_same_layer_twice, TG_FATAL_EXIT);
    tcase_add_exit_test(tc, test_bidirectional_mixed_sequences, TG_FATAL_EXIT);
    tcase_add_exit_test(tc, test_bidirectional_sum_of_widths, TG_FATAL_EXIT);
    tcase_add_exit_test(tc, test_bidirectional_unknown_merge, TG_FATAL_EXIT);
    tcase_add_exit_test(tc, test_bidirectional_built_layer, TG_FATAL_EXIT);
    suite_add_tcase(s, tc);
    return s;
}
