/* The tape and the primitive ops: small cases whose gradients are worked
 * out here by the chain rule, a tensor used twice, broadcasting, reset and
 * no-grad, shape mismatches that must stop the program, every op against
 * finite differences, and gradcheck itself shown able to fail. */
#include <check.h>
#include <math.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>

#include "tests/gradcheck_check.h"
#include "autograd/autograd.h"
#include "tensor/tensor.h"
#include "tests/support.h"
#include "autograd/internal/gradcheck_cases.h"

static tg_tensor *leaf(tg_shape shape, const tg_real *values)
{
    tg_tensor *t = tg_tensor_from(shape, values);
    tg_tensor_requires_grad(t);
    return t;
}

static void assert_grad(const tg_tensor *t, const double *expect)
{
    ck_assert_ptr_nonnull(t->grad);
    for (size_t k = 0; k < t->size; k++)
        ck_assert_msg(fabs((double)t->grad[k] - expect[k]) <= TG_TEST_TIGHT * fmax(1, fabs(expect[k])),
                      "%s grad[%zu] = %.17g, expected %.17g", t->name ? t->name : "tensor", k,
                      (double)t->grad[k], expect[k]);
}

/* ---- small cases by hand ---- */

START_TEST(test_hand_sigmoid_chain)
{
    /* y = sum(sigmoid(a (.) b + c)), z = a b + c = (0, 0.25).
     * dy/dz_i = s_i (1 - s_i) with s = sigmoid(z); then
     * dy/da_i = s_i (1 - s_i) b_i, dy/db_i = s_i (1 - s_i) a_i, dy/dc_i = s_i (1 - s_i). */
    tg_tensor *a = leaf(TG_SHAPE(2), (const tg_real[]){0.5, -1});
    tg_tensor *b = leaf(TG_SHAPE(2), (const tg_real[]){2, 0.25});
    tg_tensor *c = leaf(TG_SHAPE(2), (const tg_real[]){-1, 0.5});
    a->name = "a";
    b->name = "b";
    c->name = "c";
    tg_tape *tape = tg_tape_new();
    tg_tensor *y = tg_sum(tape, tg_sigmoid(tape, tg_add(tape, tg_mul(tape, a, b), c)));
    tg_tape_backward(tape, y);
    const double s0 = 0.5, s1 = 1 / (1 + exp(-0.25));
    const double d0 = s0 * (1 - s0), d1 = s1 * (1 - s1); /* d0 = 1/4 */
    tg_ck_assert_close(y->data[0], s0 + s1, TG_TEST_TIGHT);
    assert_grad(a, (const double[]){d0 * 2, d1 * 0.25});
    assert_grad(b, (const double[]){d0 * 0.5, d1 * -1});
    assert_grad(c, (const double[]){d0, d1});
    ck_assert_int_eq(tape->n_nodes, 4);
    tg_tape_free(tape);
    tg_tensor_free(a);
    tg_tensor_free(b);
    tg_tensor_free(c);
}
END_TEST

/* An empty inner dimension: (3, 0) @ (0, 4) is the (3, 4) zero matrix (an
 * empty sum), and the backward has nothing to add and must not divide by
 * K = 0 to find the rows. */
START_TEST(test_matmul_empty_inner)
{
    tg_tensor *A = tg_tensor_new(TG_SHAPE(3, 0));
    tg_tensor *B = tg_tensor_new(TG_SHAPE(0, 4));
    tg_tensor_requires_grad(A);
    tg_tensor_requires_grad(B);
    tg_tape *tape = tg_tape_new();
    tg_tensor *Y = tg_matmul(tape, A, B);
    ck_assert_int_eq(Y->shape.ndim, 2);
    ck_assert_int_eq(Y->shape.dim[0], 3);
    ck_assert_int_eq(Y->shape.dim[1], 4);
    for (size_t k = 0; k < Y->size; k++)
        ck_assert(Y->data[k] == 0);
    tg_tensor *L = tg_sum(tape, Y);
    tg_tape_backward(tape, L);
    ck_assert(L->data[0] == 0);
    tg_tape_free(tape);
    tg_tensor_free(A);
    tg_tensor_free(B);
}
END_TEST

/* pad_value: x (1, 2) = [3, -1] padded on axis 1 by 1 before, 2 after
 * with -inf; L = sum(maximum(pad, 0)) = 3, so dL/dx = [1, 0] (the
 * padding's gradient goes nowhere, whatever its value). */
START_TEST(test_hand_pad_value)
{
    tg_tensor *x = leaf(TG_SHAPE(1, 2), (const tg_real[]){3, -1});
    tg_tape *tape = tg_tape_new();
    tg_tensor *p = tg_pad_value(tape, x, 1, 1, 2, -INFINITY);
    ck_assert_int_eq(p->shape.dim[1], 5);
    const tg_real want[5] = {-INFINITY, 3, -1, -INFINITY, -INFINITY};
    for (int k = 0; k < 5; k++)
        ck_assert(p->data[k] == want[k]);
    tg_tensor *zero = tg_tape_tensor(tape, p->shape);
    tg_tensor_fill(zero, 0);
    tg_tensor *L = tg_sum(tape, tg_maximum(tape, p, zero));
    tg_tape_backward(tape, L);
    ck_assert(L->data[0] == 3);
    assert_grad(x, (const double[]){1, 0});
    tg_tape_free(tape);
    tg_tensor_free(x);
}
END_TEST

START_TEST(test_hand_matmul)
{
    /* L = sum(A B): dL/dA[i,k] = sum_j B[k,j] (row sums of B: 11, 15),
     * dL/dB[k,j] = sum_i A[i,k] (column sums of A: 4, 6). */
    tg_tensor *A = leaf(TG_SHAPE(2, 2), (const tg_real[]){1, 2, 3, 4});
    tg_tensor *B = leaf(TG_SHAPE(2, 2), (const tg_real[]){5, 6, 7, 8});
    tg_tape *tape = tg_tape_new();
    tg_tensor *L = tg_sum(tape, tg_matmul(tape, A, B));
    tg_tape_backward(tape, L);
    /* A B = [[19, 22], [43, 50]] */
    tg_ck_assert_close(L->data[0], 134, TG_TEST_TIGHT);
    assert_grad(A, (const double[]){11, 15, 11, 15});
    assert_grad(B, (const double[]){4, 4, 6, 6});
    tg_tape_free(tape);
    tg_tensor_free(A);
    tg_tensor_free(B);
}
END_TEST

START_TEST(test_hand_mean_log)
{
    /* L = mean(log x) over x = (1, 2, 4, 8): L = (0 + 1 + 2 + 3) ln 2 / 4,
     * dL/dx_i = 1 / (4 x_i). */
    tg_tensor *x = leaf(TG_SHAPE(4), (const tg_real[]){1, 2, 4, 8});
    tg_tape *tape = tg_tape_new();
    tg_tensor *L = tg_mean(tape, tg_log(tape, x));
    tg_tape_backward(tape, L);
    tg_ck_assert_close(L->data[0], 1.5 * log(2.0), TG_TEST_TIGHT);
    assert_grad(x, (const double[]){0.25, 0.125, 0.0625, 0.03125});
    tg_tape_free(tape);
    tg_tensor_free(x);
}
END_TEST

START_TEST(test_hand_softmax)
{
    /* L = sum(w (.) softmax(x)), x = (0, 0), w = (1, 0): s = (1/2, 1/2),
     * dL/dx = s (.) (w - s.w) = (1/2 (1 - 1/2), 1/2 (0 - 1/2)) = (1/4, -1/4). */
    tg_tensor *x = leaf(TG_SHAPE(2), (const tg_real[]){0, 0});
    tg_tensor *w = tg_tensor_from(TG_SHAPE(2), (const tg_real[]){1, 0});
    tg_tape *tape = tg_tape_new();
    tg_tensor *L = tg_sum(tape, tg_mul(tape, tg_softmax(tape, x), w));
    tg_tape_backward(tape, L);
    tg_ck_assert_close(L->data[0], 0.5, TG_TEST_TIGHT);
    assert_grad(x, (const double[]){0.25, -0.25});
    ck_assert_ptr_null(w->grad);
    tg_tape_free(tape);
    tg_tensor_free(x);
    tg_tensor_free(w);
}
END_TEST

/* ---- a tensor used twice ---- */

START_TEST(test_used_twice)
{
    tg_tape *tape = tg_tape_new();
    /* d sum(x (.) x) / dx = x + x = 2x */
    tg_tensor *x = leaf(TG_SHAPE(3), (const tg_real[]){1.5, -2, 3});
    tg_tape_backward(tape, tg_sum(tape, tg_mul(tape, x, x)));
    assert_grad(x, (const double[]){3, -4, 6});
    /* d sum(x + x) / dx = 1 + 1 */
    tg_tape_reset(tape);
    tg_tensor_zero_grad(x);
    tg_tape_backward(tape, tg_sum(tape, tg_add(tape, x, x)));
    assert_grad(x, (const double[]){2, 2, 2});
    /* L = sum(X X) = sum_{i,j,k} X[i,k] X[k,j]: the first factor gives
     * dL/dX[p,q] = row sum q of X, the second column sum p; rows sum to
     * (3, 7), columns to (4, 6). */
    tg_tape_reset(tape);
    tg_tensor *X = leaf(TG_SHAPE(2, 2), (const tg_real[]){1, 2, 3, 4});
    tg_tensor *L = tg_sum(tape, tg_matmul(tape, X, X));
    tg_tape_backward(tape, L);
    tg_ck_assert_close(L->data[0], 54, TG_TEST_TIGHT);
    assert_grad(X, (const double[]){3 + 4, 7 + 4, 3 + 6, 7 + 6});
    /* Two paths of different lengths: L = sum(tanh(x) (.) x) gives
     * dL/dx = (1 - tanh^2 x) x + tanh x. */
    tg_tape_reset(tape);
    tg_tensor_zero_grad(x);
    tg_tape_backward(tape, tg_sum(tape, tg_mul(tape, tg_tanh(tape, x), x)));
    double expect[3];
    for (int k = 0; k < 3; k++) {
        double v = x->data[k], t = tanh(v);
        expect[k] = (1 - t * t) * v + t;
    }
    assert_grad(x, expect);
    tg_tape_free(tape);
    tg_tensor_free(x);
    tg_tensor_free(X);
}
END_TEST

START_TEST(test_broadcast_bias)
{
    /* L = sum(W (.) (X + b)) with b a row vector added to each row:
     * dL/db[j] = sum_i W[i,j] = (1+3+5, 2+4+6), dL/dX = W. */
    tg_tensor *X = leaf(TG_SHAPE(3, 2), (const tg_real[]){0.1, 0.2, 0.3, 0.4, 0.5, 0.6});
    tg_tensor *b = leaf(TG_SHAPE(2), (const tg_real[]){-1, 1});
    tg_tensor *W = tg_tensor_from(TG_SHAPE(3, 2), (const tg_real[]){1, 2, 3, 4, 5, 6});
    tg_tape *tape = tg_tape_new();
    tg_tape_backward(tape, tg_sum(tape, tg_mul(tape, tg_add(tape, X, b), W)));
    assert_grad(b, (const double[]){9, 12});
    assert_grad(X, (const double[]){1, 2, 3, 4, 5, 6});
    /* The same for a per-column weight g: d sum(X (.) g) / dg[j] = sum_i X[i,j]. */
    tg_tape_reset(tape);
    tg_tensor *g = leaf(TG_SHAPE(2), (const tg_real[]){2, 3});
    tg_tape_backward(tape, tg_sum(tape, tg_mul(tape, X, g)));
    assert_grad(g, (const double[]){0.1 + 0.3 + 0.5, 0.2 + 0.4 + 0.6});
    tg_tape_free(tape);
    tg_tensor_free(X);
    tg_tensor_free(b);
    tg_tensor_free(W);
    tg_tensor_free(g);
}
END_TEST

/* ---- the tape's life cycle ---- */

static tg_tensor *small_net(tg_tape *tape, tg_tensor *w, tg_tensor *x)
{
    return tg_mean(tape, tg_tanh(tape, tg_matmul(tape, x, w)));
}

START_TEST(test_reset)
{
    tg_tensor *w = leaf(TG_SHAPE(3, 2), (const tg_real[]){0.1, -0.2, 0.3, 0.4, -0.5, 0.6});
    tg_tensor *x = tg_tensor_from(TG_SHAPE(2, 3), (const tg_real[]){1, 2, 3, -1, 0.5, 2});
    tg_tape *tape = tg_tape_new();
    tg_tensor *L = small_net(tape, w, x);
    tg_tape_backward(tape, L);
    const tg_real first = L->data[0];
    tg_real grad[6];
    memcpy(grad, w->grad, sizeof grad);
    ck_assert_int_eq(tape->n_nodes, 3);
    ck_assert_uint_gt(tape->arena.used, 0);
    tg_tape_reset(tape);
    ck_assert_int_eq(tape->n_nodes, 0);
    ck_assert_ptr_null(tape->last);
    ck_assert_uint_eq(tape->arena.used, 0);
    /* Parameters keep their gradient across a reset (the optimizer reads it). */
    ck_assert_int_eq(memcmp(grad, w->grad, sizeof grad), 0);
    tg_tensor_zero_grad(w);
    L = small_net(tape, w, x);
    tg_tape_backward(tape, L);
    ck_assert(L->data[0] == first);
    ck_assert_int_eq(memcmp(grad, w->grad, sizeof grad), 0);
    tg_tape_free(tape);
    tg_tensor_free(w);
    tg_tensor_free(x);
}
END_TEST

START_TEST(test_no_grad)
{
    tg_tensor *x = leaf(TG_SHAPE(3), (const tg_real[]){1, 2, 3});
    tg_tape *tape = tg_tape_new();
    tg_tape_no_grad_begin(tape);
    tg_tape_no_grad_begin(tape); /* nests */
    tg_tensor *y = tg_mul(tape, x, x);
    tg_tape_no_grad_end(tape);
    tg_tensor *z = tg_sigmoid(tape, y);
    ck_assert_int_eq(tape->n_nodes, 0);
    ck_assert_int_eq(y->requires_grad, 0);
    ck_assert_int_eq(z->requires_grad, 0);
    ck_assert(y->data[2] == 9); /* the forward still computes */
    tg_tape_no_grad_end(tape);
    y = tg_mul(tape, x, x);
    ck_assert_int_eq(tape->n_nodes, 1);
    ck_assert_int_eq(y->requires_grad, 1);
    /* Inputs that take no gradient record nothing either. */
    tg_tensor *c = tg_tensor_ones(TG_SHAPE(3));
    tg_tensor *k = tg_exp(tape, c);
    ck_assert_int_eq(tape->n_nodes, 1);
    ck_assert_int_eq(k->requires_grad, 0);
    tg_tape_free(tape);
    tg_tensor_free(x);
    tg_tensor_free(c);
}
END_TEST

/* What an exit test holds when it stops: static, so that the leak checker
 * at exit still sees it reachable. */
static tg_tape *stopped_tape;
static tg_tensor *stopped_tensor;

START_TEST(test_no_grad_end_unmatched)
{
    stopped_tape = tg_tape_new();
    tg_tape_no_grad_end(stopped_tape);
}
END_TEST

START_TEST(test_backward_needs_grad)
{
    stopped_tape = tg_tape_new();
    stopped_tensor = tg_tensor_ones(TG_SCALAR);
    tg_tape_backward(stopped_tape, tg_exp(stopped_tape, stopped_tensor));
}
END_TEST

/* ---- programming errors stop with one line naming the op and shapes ---- */

static tg_tensor *in(tg_tape *tape, tg_shape s)
{
    tg_tensor *t = tg_tape_tensor(tape, s);
    memset(t->data, 0, t->size * sizeof(tg_real));
    return t;
}

static void bad_add(tg_tape *t) { tg_add(t, in(t, TG_SHAPE(2, 3)), in(t, TG_SHAPE(3, 2))); }
static void bad_sub(tg_tape *t) { tg_sub(t, in(t, TG_SHAPE(2, 3)), in(t, TG_SHAPE(4))); }
static void bad_mul(tg_tape *t) { tg_mul(t, in(t, TG_SHAPE(2, 3)), in(t, TG_SHAPE(2))); }
static void bad_matmul(tg_tape *t) { tg_matmul(t, in(t, TG_SHAPE(2, 3)), in(t, TG_SHAPE(2, 3))); }
static void bad_maximum(tg_tape *t) { tg_maximum(t, in(t, TG_SHAPE(2, 3)), in(t, TG_SHAPE(3, 2))); }
static void bad_reshape(tg_tape *t) { tg_reshape(t, in(t, TG_SHAPE(2, 3)), TG_SHAPE(4, 2)); }
static void bad_slice(tg_tape *t) { tg_slice(t, in(t, TG_SHAPE(2, 5)), 1, 3, 2, 2); }
static void bad_permute(tg_tape *t) { tg_permute(t, in(t, TG_SHAPE(2, 3)), (const int[]){0, 0}); }

static void bad_concat(tg_tape *t)
{
    tg_tensor *parts[2] = {in(t, TG_SHAPE(2, 3)), in(t, TG_SHAPE(3, 3))};
    tg_concat(t, parts, 2, 1);
}

static void bad_stack(tg_tape *t)
{
    tg_tensor *parts[2] = {in(t, TG_SHAPE(2, 3)), in(t, TG_SHAPE(2, 4))};
    tg_stack(t, parts, 2, 0);
}

static void bad_concat_axis(tg_tape *t)
{
    tg_tensor *parts[2] = {in(t, TG_SHAPE(2, 3)), in(t, TG_SHAPE(2, 3))};
    tg_concat(t, parts, 2, 2);
}

static void bad_stack_axis(tg_tape *t)
{
    tg_tensor *parts[2] = {in(t, TG_SHAPE(2, 3)), in(t, TG_SHAPE(2, 3))};
    tg_stack(t, parts, 2, 3);
}

static void bad_slice_axis(tg_tape *t) { tg_slice(t, in(t, TG_SHAPE(2, 5)), 2, 0, 1, 1); }

static void bad_backward(tg_tape *t)
{
    tg_tensor *x = in(t, TG_SHAPE(2, 3));
    x->requires_grad = 1;
    tg_tape_backward(t, tg_scale(t, x, 2));
}

static const struct {
    void (*run)(tg_tape *tape);
    const char *needle[3]; /* the op and the shapes the message must name */
} mismatches[] = {
    {bad_add, {"add:", "(2, 3)", "(3, 2)"}},
    {bad_sub, {"sub:", "(2, 3)", "(4,)"}},
    {bad_mul, {"mul:", "(2, 3)", "(2,)"}},
    {bad_matmul, {"matmul:", "(2, 3)", "(2, 3)"}},
    {bad_maximum, {"maximum:", "(2, 3)", "(3, 2)"}},
    {bad_reshape, {"reshape:", "(2, 3)", "(4, 2)"}},
    {bad_slice, {"slice:", "(2, 5)", "start 3"}},
    {bad_permute, {"permute:", "(2, 3)", "perm"}},
    {bad_concat, {"concat:", "(2, 3)", "(3, 3)"}},
    {bad_stack, {"stack:", "(2, 3)", "(2, 4)"}},
    {bad_concat_axis, {"concat:", "axis 2", "(2, 3)"}},
    {bad_stack_axis, {"stack:", "axis 3", "(2, 3)"}},
    {bad_slice_axis, {"slice:", "axis 2", "(2, 5)"}},
    {bad_backward, {"tape_backward:", "(2, 3)", "one element"}},
};
#define N_MISMATCHES ((int)(sizeof mismatches / sizeof mismatches[0]))

/* Under the default handler: exit status TG_FATAL_EXIT. */
START_TEST(test_mismatch_exits)
{
    stopped_tape = tg_tape_new();
    mismatches[_i].run(stopped_tape);
}
END_TEST

static jmp_buf caught_at;
static char caught[512];

static void catch_fatal(const char *message)
{
    snprintf(caught, sizeof caught, "%s", message);
    longjmp(caught_at, 1);
}

/* Under a handler of our own: the message, one line, naming op and shapes. */
START_TEST(test_mismatch_messages)
{
    tg_tape *tape = tg_tape_new();
    tg_fatal_handler previous = tg_set_fatal_handler(catch_fatal);
    caught[0] = '\0';
    if (setjmp(caught_at) == 0)
        mismatches[_i].run(tape);
    tg_set_fatal_handler(previous);
    tg_tape_free(tape);
    ck_assert_msg(caught[0], "case %d did not stop", _i);
    ck_assert_msg(strncmp(caught, "tapegrad: ", 10) == 0, "message: %s", caught);
    ck_assert_msg(strchr(caught, '\n') == NULL, "message is not one line: %s", caught);
    for (int k = 0; k < 3; k++)
        ck_assert_msg(strstr(caught, mismatches[_i].needle[k]) != NULL, "message \"%s\" lacks \"%s\"",
                      caught, mismatches[_i].needle[k]);
}
END_TEST

/* ---- every op against finite differences ---- */

START_TEST(test_op_gradcheck)
{
    int n;
    const tg_gradcheck_case *cases = tg_op_gradcheck_cases(&n);
    for (uint64_t seed = 1; seed <= 5; seed++) {
        char name[64];
        snprintf(name, sizeof name, "%s (seed %d)", cases[_i].name, (int)seed);
        tg_ck_assert_gradcheck(name, cases[_i].run(seed));
    }
}
END_TEST

/* ---- gradcheck can fail, skips kinks, and samples as asked ---- */

/* y = x (.) x, with a backward 1% off: dx += 2.02 x dy instead of 2 x dy. */
static void sloppy_square_backward(tg_tape *tape, tg_node *node)
{
    const tg_real *x = node->in[0]->data, *dy = node->out->grad;
    tg_real *dx = tg_node_in_grad(tape, node, 0);
    for (size_t k = 0; k < node->out->size; k++)
        dx[k] += (tg_real)2.02 * x[k] * dy[k];
}

static tg_tensor *sloppy_square(tg_tape *tape, tg_tensor *const *x, void *ctx)
{
    (void)ctx;
    tg_tensor *y = tg_tape_tensor(tape, x[0]->shape);
    for (size_t k = 0; k < y->size; k++)
        y->data[k] = x[0]->data[k] * x[0]->data[k];
    tg_tape_record(tape, "sloppy_square", y, x, 1, sloppy_square_backward);
    return y;
}

static tg_tensor *square(tg_tape *tape, tg_tensor *const *x, void *ctx)
{
    (void)ctx;
    return tg_mul(tape, x[0], x[0]);
}

START_TEST(test_gradcheck_catches_wrong_backward)
{
    tg_rng rng;
    tg_rng_seed(&rng, 1);
    tg_tensor *x = tg_tensor_uniform(TG_SHAPE(3, 4), &rng, 0.5, 1.5);
    tg_gradcheck_opts o = tg_gradcheck_defaults();
#ifdef TG_REAL_FLOAT
    /* float's default rtol (1e-2) is loose by design; a 1% slip is 0.5%
     * in this metric, so ask for 1e-3, still far above float's noise. */
    o.rtol = 1e-3;
#endif
    tg_gradcheck_report good = tg_gradcheck(square, NULL, &x, 1, &o);
    tg_ck_assert_gradcheck("square", good);
    tg_gradcheck_report bad = tg_gradcheck(sloppy_square, NULL, &x, 1, &o);
    ck_assert_int_eq(bad.passed, 0);
    /* |2.02 - 2| / (2.02 + 2) = 0.004975 at every element */
    ck_assert_msg(fabs(bad.max_rel_err - 0.02 / 4.02) < 1e-4, "max_rel_err %g", bad.max_rel_err);
    ck_assert_uint_eq(bad.checked, 12);
    tg_tensor_free(x);
}
END_TEST

static tg_tensor *relu_fn(tg_tape *tape, tg_tensor *const *x, void *ctx)
{
    (void)ctx;
    return tg_relu(tape, x[0]);
}

START_TEST(test_gradcheck_skips_kinks)
{
    tg_tensor *x = tg_tensor_from(TG_SHAPE(6), (const tg_real[]){0, 0.5, 0, -0.3, 1, 0});
    tg_gradcheck_report r = tg_gradcheck(relu_fn, NULL, &x, 1, NULL);
    ck_assert_uint_eq(r.input[0].skipped, 3);
    ck_assert_uint_eq(r.input[0].checked, 3);
    ck_assert_uint_eq(r.skipped, 3);
    tg_ck_assert_gradcheck("relu at its kink", r);
    tg_tensor_free(x);
}
END_TEST

static tg_tensor *mul_fn(tg_tape *tape, tg_tensor *const *x, void *ctx)
{
    (void)ctx;
    return tg_mul(tape, x[0], x[1]);
}

START_TEST(test_gradcheck_sampling)
{
    tg_rng rng;
    tg_rng_seed(&rng, 2);
    tg_tensor *x[2] = {tg_tensor_uniform(TG_SHAPE(10, 10), &rng, -1, 1),
                       tg_tensor_uniform(TG_SHAPE(10), &rng, -1, 1)};
    tg_gradcheck_opts o = tg_gradcheck_defaults();
    o.max_per_input = 17;
    tg_gradcheck_report r = tg_gradcheck(mul_fn, NULL, x, 2, &o);
    tg_ck_assert_gradcheck("mul sampled", r);
    ck_assert_int_eq(r.sampled, 1);
    ck_assert_uint_eq(r.input[0].total, 100);
    ck_assert_uint_eq(r.input[0].checked + r.input[0].skipped, 17);
    ck_assert_uint_eq(r.input[0].skipped, 0);
    /* An input smaller than the sample is checked whole. */
    ck_assert_uint_eq(r.input[1].checked, 10);
    tg_tensor_free(x[0]);
    tg_tensor_free(x[1]);
}
END_TEST

Suite *tg_test_suite(void)
{
    Suite *s = suite_create("autograd");
    TCase *tc = tcase_create("by hand");
    tcase_add_test(tc, test_hand_sigmoid_chain);
    tcase_add_test(tc, test_hand_matmul);
    tcase_add_test(tc, test_hand_pad_value);
    tcase_add_test(tc, test_matmul_empty_inner);
    tcase_add_test(tc, test_hand_mean_log);
    tcase_add_test(tc, test_hand_softmax);
    tcase_add_test(tc, test_used_twice);
    tcase_add_test(tc, test_broadcast_bias);
    suite_add_tcase(s, tc);
    tc = tcase_create("tape");
    tcase_add_test(tc, test_reset);
    tcase_add_test(tc, test_no_grad);
    tcase_add_exit_test(tc, test_no_grad_end_unmatched, TG_FATAL_EXIT);
    tcase_add_exit_test(tc, test_backward_needs_grad, TG_FATAL_EXIT);
    suite_add_tcase(s, tc);
    tc = tcase_create("shape errors");
    tcase_add_loop_exit_test(tc, test_mismatch_exits, TG_FATAL_EXIT, 0, N_MISMATCHES);
    tcase_add_loop_test(tc, test_mismatch_messages, 0, N_MISMATCHES);
    suite_add_tcase(s, tc);
    tc = tcase_create("gradcheck");
    int n_ops;
    tg_op_gradcheck_cases(&n_ops);
    tcase_add_loop_test(tc, test_op_gradcheck, 0, n_ops);
    tcase_add_test(tc, test_gradcheck_catches_wrong_backward);
    tcase_add_test(tc, test_gradcheck_skips_kinks);
    tcase_add_test(tc, test_gradcheck_sampling);
    suite_add_tcase(s, tc);
    return s;
}
