/* The tensor layer: creation, indexing, shapes, the generator and the
 * initialisers (against their definitions and statistical bounds), printing
 * (against the exact expected text) and the arena's steady state. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "autograd/autograd.h"
#include "tensor/tensor.h"
#include "tests/support.h"

/* ---- creation ---- */

START_TEST(test_creation)
{
    tg_tensor *z = tg_tensor_zeros(TG_SHAPE(2, 3));
    tg_tensor *o = tg_tensor_ones(TG_SHAPE(4));
    tg_tensor *f = tg_tensor_full(TG_SHAPE(1, 2, 2), -0.5);
    ck_assert_uint_eq(z->size, 6);
    ck_assert_uint_eq(o->size, 4);
    ck_assert_uint_eq(f->size, 4);
    for (size_t k = 0; k < 6; k++)
        ck_assert(z->data[k] == 0);
    for (size_t k = 0; k < 4; k++) {
        ck_assert(o->data[k] == 1);
        ck_assert(f->data[k] == -0.5);
    }
    ck_assert_ptr_null(z->grad);
    ck_assert_int_eq(z->requires_grad, 0);
    ck_assert_int_eq(z->in_arena, 0);

    tg_real values[6] = {1, 2, 3, 4, 5, 6};
    tg_tensor *a = tg_tensor_from(TG_SHAPE(3, 2), values);
    values[0] = 100; /* the tensor holds a copy */
    ck_assert(a->data[0] == 1 && a->data[5] == 6);
    a->name = "a";
    tg_tensor *c = tg_tensor_clone(a);
    ck_assert_ptr_ne(c->data, a->data);
    ck_assert(tg_shape_equal(c->shape, a->shape));
    ck_assert_int_eq(memcmp(c->data, a->data, 6 * sizeof(tg_real)), 0);
    ck_assert_str_eq(c->name, "a");
    c->data[0] = 7;
    ck_assert(a->data[0] == 1);

    tg_tensor *s = tg_tensor_full(TG_SCALAR, 2.5);
    ck_assert_uint_eq(s->size, 1);
    ck_assert(s->data[0] == 2.5);

    tg_tensor_requires_grad(a);
    ck_assert_int_eq(a->requires_grad, 1);
    for (size_t k = 0; k < 6; k++)
        ck_assert(a->grad[k] == 0);

    tg_tensor_free(z);
    tg_tensor_free(o);
    tg_tensor_free(f);
    tg_tensor_free(a);
    tg_tensor_free(c);
    tg_tensor_free(s);
}
END_TEST

START_TEST(test_at)
{
    tg_tensor *t = tg_tensor_new(TG_SHAPE(2, 3, 4));
    for (size_t k = 0; k < t->size; k++)
        t->data[k] = (tg_real)k;
    /* row-major: offset of (i, j, l) is (i * 3 + j) * 4 + l */
    ck_assert(TG_AT(t, 0, 0, 0) == 0);
    ck_assert(TG_AT(t, 1, 2, 3) == 23);
    ck_assert(TG_AT(t, 1, 0, 2) == 14);
    TG_AT(t, 0, 1, 1) = -1;
    ck_assert(t->data[5] == -1);
    tg_tensor *m = tg_tensor_new(TG_SHAPE(3, 5));
    TG_AT(m, 2, 4) = 9;
    ck_assert(m->data[14] == 9);
    tg_tensor_free(t);
    tg_tensor_free(m);
}
END_TEST

/* Static, so that the leak checker at exit still sees it reachable. */
static tg_tensor *stopped_tensor;

START_TEST(test_at_out_of_range)
{
    stopped_tensor = tg_tensor_new(TG_SHAPE(2, 3));
    TG_AT(stopped_tensor, 2, 0) = 1;
}
END_TEST

START_TEST(test_at_wrong_arity)
{
    stopped_tensor = tg_tensor_new(TG_SHAPE(2, 3));
    TG_AT(stopped_tensor, 1) = 1;
}
END_TEST

START_TEST(test_shapes)
{
    char buf[TG_SHAPE_STR_LEN];
    ck_assert_str_eq(tg_shape_str(TG_SCALAR, buf, sizeof buf), "()");
    ck_assert_str_eq(tg_shape_str(TG_SHAPE(3), buf, sizeof buf), "(3,)");
    ck_assert_str_eq(tg_shape_str(TG_SHAPE(2, 3), buf, sizeof buf), "(2, 3)");
    ck_assert_str_eq(tg_shape_str(TG_SHAPE(1, 28, 28, 32), buf, sizeof buf), "(1, 28, 28, 32)");
    /* A short buffer is cut, never overrun, and stays terminated. */
    char small[5];
    tg_shape_str(TG_SHAPE(123, 456), small, sizeof small);
    ck_assert_str_eq(small, "(123");
    ck_assert_uint_eq(tg_shape_size(TG_SCALAR), 1);
    ck_assert_uint_eq(tg_shape_size(TG_SHAPE(2, 3, 4, 5)), 120);
    ck_assert_uint_eq(tg_shape_size(TG_SHAPE(0, 3)), 0);
    ck_assert(tg_shape_equal(TG_SHAPE(2, 3), TG_SHAPE(2, 3)));
    ck_assert(!tg_shape_equal(TG_SHAPE(2, 3), TG_SHAPE(3, 2)));
    ck_assert(!tg_shape_equal(TG_SHAPE(6), TG_SHAPE(6, 1)));
    ck_assert(tg_shape_equal(tg_shape_with_last(TG_SHAPE(2, 3), 7), TG_SHAPE(2, 7)));
}
END_TEST

/* ---- the generator ---- */

START_TEST(test_rng_determinism)
{
    tg_rng a, b, c;
    tg_rng_seed(&a, 42);
    tg_rng_seed(&b, 42);
    tg_rng_seed(&c, 43);
    int same_as_other_seed = 0, same_as_same_seed = 0;
    for (int i = 0; i < 1000; i++) {
        uint64_t x = tg_rng_next(&a);
        same_as_same_seed += x == tg_rng_next(&b);
        same_as_other_seed += x == tg_rng_next(&c);
    }
    ck_assert_int_eq(same_as_same_seed, 1000);
    /* Two different 64-bit streams agree at a position with probability 2^-64. */
    ck_assert_int_eq(same_as_other_seed, 0);
    /* Seeding again restarts the stream. */
    tg_rng_seed(&a, 42);
    tg_rng_seed(&b, 42);
    tg_tensor *t1 = tg_tensor_normal(TG_SHAPE(5, 7), &a, 0, 1);
    tg_tensor *t2 = tg_tensor_normal(TG_SHAPE(5, 7), &b, 0, 1);
    ck_assert_int_eq(memcmp(t1->data, t2->data, t1->size * sizeof(tg_real)), 0);
    tg_tensor_free(t1);
    tg_tensor_free(t2);
}
END_TEST

/* n draws; the bounds below are 5 standard errors of the estimate (a
 * correct generator fails them with probability ~1e-6, and the seed is
 * fixed, so the test is deterministic). */
#define N_DRAWS 100000

START_TEST(test_uniform_statistics)
{
    tg_rng rng;
    tg_rng_seed(&rng, 1);
    double sum = 0, sum2 = 0;
    int outside = 0; /* counted, not asserted one by one: each Check assertion costs a write */
    for (int i = 0; i < N_DRAWS; i++) {
        double u = tg_rng_uniform(&rng);
        outside += !(u >= 0 && u < 1);
        sum += u;
        sum2 += u * u;
    }
    ck_assert_int_eq(outside, 0);
    double mean = sum / N_DRAWS, var = sum2 / N_DRAWS - mean * mean;
    /* U(0,1): mean 1/2, variance 1/12. SE(mean) = sqrt(1/12 / n); the
     * sample variance has SE sqrt((mu_4 - sigma^4) / n) with mu_4 = 1/80. */
    ck_assert_msg(fabs(mean - 0.5) < 5 * sqrt(1.0 / 12 / N_DRAWS), "mean %g", mean);
    ck_assert_msg(fabs(var - 1.0 / 12) < 5 * sqrt((1.0 / 80 - 1.0 / 144) / N_DRAWS), "var %g", var);

    /* tg_init_uniform maps onto [lo, hi). */
    tg_tensor *t = tg_tensor_uniform(TG_SHAPE(N_DRAWS), &rng, -3, 2);
    double lo = 1e9, hi = -1e9, s = 0;
    for (size_t k = 0; k < t->size; k++) {
        lo = fmin(lo, t->data[k]);
        hi = fmax(hi, t->data[k]);
        s += t->data[k];
    }
    ck_assert(lo >= -3 && hi <= 2);
    /* both ends are reached to within a few expected gaps (5 / n) */
    ck_assert(lo < -3 + 1e-3 && hi > 2 - 1e-3);
    /* U(-3, 2): mean -1/2, standard deviation 5 / sqrt(12) */
    ck_assert(fabs(s / N_DRAWS + 0.5) < 5 * 5 * sqrt(1.0 / 12 / N_DRAWS));
    tg_tensor_free(t);
}
END_TEST

START_TEST(test_normal_statistics)
{
    tg_rng rng;
    tg_rng_seed(&rng, 2);
    tg_tensor *t = tg_tensor_normal(TG_SHAPE(N_DRAWS), &rng, 2, 0.5);
    double sum = 0, sum2 = 0;
    for (size_t k = 0; k < t->size; k++)
        sum += t->data[k];
    ck_assert(isfinite(sum));
    double mean = sum / N_DRAWS;
    for (size_t k = 0; k < t->size; k++)
        sum2 += (t->data[k] - mean) * (t->data[k] - mean);
    double std = sqrt(sum2 / (N_DRAWS - 1));
    /* N(2, 0.5^2): SE(mean) = 0.5 / sqrt(n); SE(std) ~ 0.5 / sqrt(2 n). */
    ck_assert_msg(fabs(mean - 2) < 5 * 0.5 / sqrt(N_DRAWS), "mean %g", mean);
    ck_assert_msg(fabs(std - 0.5) < 5 * 0.5 / sqrt(2.0 * N_DRAWS), "std %g", std);
    tg_tensor_free(t);
}
END_TEST

START_TEST(test_rng_below)
{
    tg_rng rng;
    tg_rng_seed(&rng, 3);
    enum { N = 7, DRAWS = 70000 };
    int count[N + 1] = {0}; /* count[N]: out of range */
    for (int i = 0; i < DRAWS; i++) {
        uint64_t x = tg_rng_below(&rng, N);
        count[x < N ? x : N]++;
    }
    ck_assert_int_eq(count[N], 0);
    /* Binomial(70000, 1/7): mean 10000, sd sqrt(70000 / 7 * 6 / 7) = 92.6. */
    for (int v = 0; v < N; v++)
        ck_assert_msg(abs(count[v] - DRAWS / N) < 5 * 93, "value %d drawn %d times", v, count[v]);
    uint64_t any = 0;
    for (int i = 0; i < 100; i++)
        any |= tg_rng_below(&rng, 1);
    ck_assert(any == 0);
    /* n just past 2^63: about half the raw draws are rejected; all results
     * stay below n, and half of them lie in its upper half (sd 16 of 1000). */
    const uint64_t big = (UINT64_C(1) << 63) + 1;
    int upper = 0, outside = 0;
    for (int i = 0; i < 1000; i++) {
        uint64_t x = tg_rng_below(&rng, big);
        outside += x >= big;
        upper += x >= (UINT64_C(1) << 62);
    }
    ck_assert_int_eq(outside, 0);
    ck_assert_msg(upper > 400 && upper < 600, "%d of 1000 in the upper half", upper);
}
END_TEST

/* ---- initialisers ---- */

static void check_glorot(tg_shape shape, double fan_in, double fan_out)
{
    double in, out;
    tg_fans(shape, &in, &out);
    ck_assert_msg(in == fan_in && out == fan_out, "fans %g %g, expected %g %g", in, out, fan_in,
                  fan_out);
    tg_rng rng;
    tg_rng_seed(&rng, 5);
    tg_tensor *t = tg_tensor_zeros(shape);
    tg_init_glorot_uniform(t, &rng);
    const double limit = sqrt(6.0 / (fan_in + fan_out));
    double biggest = 0;
    for (size_t k = 0; k < t->size; k++)
        biggest = fmax(biggest, fabs((double)t->data[k]));
    ck_assert_msg(biggest <= limit, "%g past the limit %g", biggest, limit);
    /* The whole range is used: P(all |x| < 0.9 limit) = 0.9^size < 1e-4 here. */
    ck_assert_msg(biggest > 0.9 * limit, "largest %g of limit %g", biggest, limit);
    tg_tensor_free(t);
}

START_TEST(test_glorot)
{
    check_glorot(TG_SHAPE(64, 32), 64, 32);            /* Dense (in, out) */
    check_glorot(TG_SHAPE(3, 4, 8), 12, 24);           /* Conv1D (k, C_in, C_out) */
    check_glorot(TG_SHAPE(3, 3, 1, 32), 9, 288);       /* Conv2D (kh, kw, C_in, C_out) */
    check_glorot(TG_SHAPE(100), 100, 100);             /* a vector */
}
END_TEST

/* max |G - g^2 I| for the Gram matrix G = Q^T Q (over columns) or Q Q^T. */
static double gram_error(const tg_tensor *q, int over_columns, double gain)
{
    const size_t cols = (size_t)q->shape.dim[q->shape.ndim - 1], rows = q->size / cols;
    const size_t n = over_columns ? cols : rows, len = over_columns ? rows : cols;
    double worst = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            double dot = 0;
            for (size_t r = 0; r < len; r++) {
                double a = over_columns ? q->data[r * cols + i] : q->data[i * cols + r];
                double b = over_columns ? q->data[r * cols + j] : q->data[j * cols + r];
                dot += a * b;
            }
            worst = fmax(worst, fabs(dot - (i == j ? gain * gain : 0)));
        }
    return worst;
}

START_TEST(test_orthogonal)
{
    tg_rng rng;
    tg_rng_seed(&rng, 9);
    struct {
        tg_shape shape;
        int over_columns; /* tall: orthonormal columns; wide: rows */
        double gain;
    } cases[] = {
        {TG_SHAPE(7, 3), 1, 1}, {TG_SHAPE(3, 7), 0, 1},       {TG_SHAPE(16, 16), 1, 1},
        {TG_SHAPE(16, 16), 0, 1}, {TG_SHAPE(3, 3, 2, 4), 1, 1}, {TG_SHAPE(40, 8), 1, 2},
    };
    for (int c = 0; c < (int)(sizeof cases / sizeof cases[0]); c++) {
        tg_tensor *q = tg_tensor_zeros(cases[c].shape);
        tg_init_orthogonal(q, &rng, cases[c].gain);
        double err = gram_error(q, cases[c].over_columns, cases[c].gain);
        ck_assert_msg(err <= TG_TEST_TIGHT * cases[c].gain * cases[c].gain,
                      "case %d: Gram matrix off the identity by %g", c, err);
        tg_tensor_free(q);
    }
}
END_TEST

/* ---- printing ---- */

/* What tg_tensor_print (or _grad) writes, in a malloc'd string. */
static char *printed(const char *label, const tg_tensor *t, int grad)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    ck_assert_ptr_nonnull(f);
    if (grad)
        tg_tensor_print_grad(f, label, t);
    else
        tg_tensor_print(f, label, t);
    fclose(f);
    return text;
}

static void assert_printed(const char *label, const tg_tensor *t, int grad, const char *expect)
{
    char *text = printed(label, t, grad);
    ck_assert_msg(strcmp(text, expect) == 0, "printed:\n%s\nexpected:\n%s", text, expect);
    free(text);
}

START_TEST(test_print_matrix)
{
    const tg_real v[] = {1, -2.5, 3, 0.5, 0, -1};
    tg_tensor *x = tg_tensor_from(TG_SHAPE(2, 3), v);
    assert_printed("x", x, 0,
                   "x: tensor (2, 3) " TG_REAL_NAME "\n"
                   "   1.000000  -2.500000   3.000000\n"
                   "   0.500000   0.000000  -1.000000\n");
    /* No label: the tensor's name, or none. */
    assert_printed(NULL, x, 0,
                   "tensor (2, 3) " TG_REAL_NAME "\n"
                   "   1.000000  -2.500000   3.000000\n"
                   "   0.500000   0.000000  -1.000000\n");
    x->name = "w";
    assert_printed(NULL, x, 1, "w: grad (no grad)\n");
    tg_tensor_requires_grad(x);
    x->grad[1] = 12.25;
    assert_printed(NULL, x, 1,
                   "w: grad (2, 3) " TG_REAL_NAME "\n"
                   "   0.000000  12.250000   0.000000\n"
                   "   0.000000   0.000000   0.000000\n");
    tg_tensor_free(x);
}
END_TEST

START_TEST(test_print_shapes)
{
    tg_tensor *s = tg_tensor_full(TG_SCALAR, -0.125);
    assert_printed("s", s, 0, "s: tensor () " TG_REAL_NAME " = -0.125000\n");
    const tg_real v[] = {1, 2, 3, 4};
    tg_tensor *row = tg_tensor_from(TG_SHAPE(4), v);
    assert_printed("r", row, 0,
                   "r: tensor (4,) " TG_REAL_NAME "\n"
                   "  1.000000  2.000000  3.000000  4.000000\n");
    tg_tensor *cube = tg_tensor_from(TG_SHAPE(2, 1, 2), v);
    assert_printed("c", cube, 0,
                   "c: tensor (2, 1, 2) " TG_REAL_NAME "\n"
                   "[0, :, :]\n"
                   "  1.000000  2.000000\n"
                   "[1, :, :]\n"
                   "  3.000000  4.000000\n");
    tg_tensor *four = tg_tensor_from(TG_SHAPE(1, 2, 1, 2), v);
    assert_printed("k", four, 0,
                   "k: tensor (1, 2, 1, 2) " TG_REAL_NAME "\n"
                   "[0, 0, :, :]\n"
                   "  1.000000  2.000000\n"
                   "[0, 1, :, :]\n"
                   "  3.000000  4.000000\n");
    tg_tensor *tiny = tg_tensor_full(TG_SHAPE(2), 2.5e-7);
    assert_printed("t", tiny, 0,
                   "t: tensor (2,) " TG_REAL_NAME "\n"
                   "  2.500000e-07  2.500000e-07\n");
    tg_tensor *empty = tg_tensor_zeros(TG_SHAPE(0, 3));
    assert_printed("e", empty, 0, "e: tensor (0, 3) " TG_REAL_NAME "\n  (empty)\n");
    tg_tensor_free(s);
    tg_tensor_free(row);
    tg_tensor_free(cube);
    tg_tensor_free(four);
    tg_tensor_free(tiny);
    tg_tensor_free(empty);
}
END_TEST

static int count_of(const char *text, const char *what)
{
    int n = 0;
    for (const char *p = strstr(text, what); p; p = strstr(p + 1, what))
        n++;
    return n;
}

START_TEST(test_print_caps)
{
    /* 20 x 20: the first 4 and last 4 rows and columns around "...". */
    tg_tensor *big = tg_tensor_zeros(TG_SHAPE(20, 20));
    for (size_t k = 0; k < big->size; k++)
        big->data[k] = (tg_real)k;
    char *text = printed("b", big, 0);
    ck_assert_int_eq(count_of(text, "\n"), 1 + 9);
    ck_assert_int_eq(count_of(text, "..."), 8 + 1);
    ck_assert_ptr_nonnull(strstr(text, "\n    0.000000    1.000000    2.000000    3.000000"
                                       "         ...   16.000000   17.000000   18.000000"
                                       "   19.000000\n"));
    ck_assert_ptr_nonnull(strstr(text, "  399.000000\n"));
    free(text);
    /* 10 slices: 2 first, "...", 2 last. */
    tg_tensor *slices = tg_tensor_zeros(TG_SHAPE(10, 2, 2));
    text = printed("s", slices, 0);
    ck_assert_int_eq(count_of(text, ", :, :]"), 4);
    ck_assert_ptr_nonnull(strstr(text, "[1, :, :]"));
    ck_assert_ptr_nonnull(strstr(text, "\n...\n[8, :, :]"));
    free(text);
    tg_tensor_free(big);
    tg_tensor_free(slices);
}
END_TEST

/* ---- the arena ---- */

static tg_tensor *one_pass(tg_tape *tape, tg_tensor *w, tg_tensor *x)
{
    tg_tensor *h = tg_tanh(tape, tg_matmul(tape, x, w));
    tg_tensor *loss = tg_mean(tape, tg_mul(tape, h, h));
    tg_tape_backward(tape, loss);
    return loss;
}

static void check_steady_state(tg_shape xs, tg_shape ws)
{
    tg_rng rng;
    tg_rng_seed(&rng, 4);
    tg_tensor *x = tg_tensor_normal(xs, &rng, 0, 1);
    tg_tensor *w = tg_tensor_normal(ws, &rng, 0, 0.1);
    tg_tensor_requires_grad(w);
    tg_tape *tape = tg_tape_new();
    tg_real first = one_pass(tape, w, x)->data[0];
    ck_assert_uint_gt(tape->arena.used, 0);
    tg_tape_reset(tape);
    ck_assert_uint_eq(tape->arena.used, 0);
    const size_t mallocs = tape->arena.mallocs;
    ck_assert_uint_ge(mallocs, 1);
    for (int pass = 0; pass < 3; pass++) {
        tg_tensor_zero_grad(w);
        ck_assert(one_pass(tape, w, x)->data[0] == first);
        tg_tape_reset(tape);
        ck_assert_uint_eq(tape->arena.mallocs, mallocs);
    }
    tg_tape_free(tape);
    tg_tensor_free(x);
    tg_tensor_free(w);
}

START_TEST(test_arena_steady_state)
{
    check_steady_state(TG_SHAPE(4, 5), TG_SHAPE(5, 3));
    /* A pass of several megabytes (four 400 x 400 tensors and their
     * gradients) outgrows the first block: the reset replaces the blocks by
     * one, and from then on nothing is allocated. */
    check_steady_state(TG_SHAPE(400, 4), TG_SHAPE(4, 400));
}
END_TEST

Suite *tg_test_suite(void)
{
    Suite *s = suite_create("tensor");
    TCase *tc = tcase_create("creation");
    tcase_add_test(tc, test_creation);
    tcase_add_test(tc, test_at);
    tcase_add_exit_test(tc, test_at_out_of_range, TG_FATAL_EXIT);
    tcase_add_exit_test(tc, test_at_wrong_arity, TG_FATAL_EXIT);
    tcase_add_test(tc, test_shapes);
    suite_add_tcase(s, tc);
    tc = tcase_create("random");
    tcase_add_test(tc, test_rng_determinism);
    tcase_add_test(tc, test_uniform_statistics);
    tcase_add_test(tc, test_normal_statistics);
    tcase_add_test(tc, test_rng_below);
    tcase_add_test(tc, test_glorot);
    tcase_add_test(tc, test_orthogonal);
    suite_add_tcase(s, tc);
    tc = tcase_create("printing");
    tcase_add_test(tc, test_print_matrix);
    tcase_add_test(tc, test_print_shapes);
    tcase_add_test(tc, test_print_caps);
    suite_add_tcase(s, tc);
    tc = tcase_create("arena");
    tcase_add_test(tc, test_arena_steady_state);
    suite_add_tcase(s, tc);
    return s;
}
