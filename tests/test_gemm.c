/* tg_gemm against a naive triple loop, in every form (A B, A B^T, A^T B,
 * A^T B^T), at sizes on both sides of every block edge of the kernel
 * (MR = 8 rows, NR = 16 or 32 columns, KC = 256, column blocks of 512 or
 * 1024), inside larger arrays (lda, ldb, ldc > width) whose margins hold
 * NaN: a value read from a margin would show up, a value written there too.
 * Then the same product with 1, 2 and 3 threads must be bit-identical, and
 * tg_parallel_for must run every item exactly once. */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/kernels.h"
#include "tensor/tensor.h"
#include "tests/support.h"

/* Relative to sum_p |alpha a_ip b_pj| + |beta c_ij|, the natural scale of
 * the rounding error of one element. */
#ifdef TG_REAL_FLOAT
#define GEMM_TOL 1e-5
#else
#define GEMM_TOL 1e-13
#endif

#define MARGIN 3 /* extra columns in every leading dimension */

typedef struct operands {
    int ta, tb, m, n, k;
    int lda, ldb, ldc;
    tg_real *a, *b, *c;
} operands;

static tg_real *filled(tg_rng *rng, int rows, int cols, int ld)
{
    tg_real *x = malloc(sizeof(tg_real) * (size_t)rows * (size_t)ld + sizeof(tg_real));
    for (int i = 0; i < rows; i++)
        for (int j = 0; j < ld; j++)
            x[(long)i * ld + j] = j < cols ? (tg_real)(2 * tg_rng_uniform(rng) - 1) : (tg_real)NAN;
    return x;
}

static operands make_operands(int ta, int tb, int m, int n, int k, uint64_t seed)
{
    tg_rng rng;
    tg_rng_seed(&rng, seed);
    operands o = {.ta = ta, .tb = tb, .m = m, .n = n, .k = k};
    const int ar = ta ? k : m, ac = ta ? m : k, br = tb ? n : k, bc = tb ? k : n;
    o.lda = ac + MARGIN, o.ldb = bc + MARGIN, o.ldc = n + MARGIN;
    o.a = filled(&rng, ar, ac, o.lda);
    o.b = filled(&rng, br, bc, o.ldb);
    o.c = filled(&rng, m, n, o.ldc);
    return o;
}

static void free_operands(operands *o)
{
    free(o->a);
    free(o->b);
    free(o->c);
}

static tg_real op_a(const operands *o, int i, int p)
{
    return o->ta ? o->a[(long)p * o->lda + i] : o->a[(long)i * o->lda + p];
}

static tg_real op_b(const operands *o, int p, int j)
{
    return o->tb ? o->b[(long)j * o->ldb + p] : o->b[(long)p * o->ldb + j];
}

/* Runs tg_gemm on a copy of C and checks every element, and that the
 * margins of C are still NaN. */
static void check_product(int ta, int tb, int m, int n, int k, tg_real alpha, tg_real beta,
                          uint64_t seed)
{
    operands o = make_operands(ta, tb, m, n, k, seed);
    size_t cbytes = sizeof(tg_real) * (size_t)m * (size_t)o.ldc;
    tg_real *c = malloc(cbytes);
    memcpy(c, o.c, cbytes);
    if (beta == 0) /* C must not be read at all */
        for (long i = 0; i < (long)m * o.ldc; i++)
            c[i] = (tg_real)NAN;
    tg_gemm(ta, tb, m, n, k, alpha, o.a, o.lda, o.b, o.ldb, beta, c, o.ldc);
    for (int i = 0; i < m; i++) {
        for (int j = 0; j < n; j++) {
            long double sum = 0, scale = 0;
            for (int p = 0; p < k; p++) {
                long double t = (long double)op_a(&o, i, p) * op_b(&o, p, j);
                sum += t;
                scale += fabsl(t);
            }
            long double c0 = o.c[(long)i * o.ldc + j];
            long double want = alpha * sum + (beta != 0 ? beta * c0 : 0);
            scale = fabsl(alpha) * scale + (beta != 0 ? fabsl(beta * c0) : 0);
            double got = c[(long)i * o.ldc + j];
            ck_assert_msg(fabsl(got - want) <= GEMM_TOL * (scale > 0 ? scale : 1),
                          "gemm ta=%d tb=%d %dx%dx%d alpha=%g beta=%g: C[%d,%d] = %.17g, "
                          "naive %.17Lg",
                          ta, tb, m, n, k, (double)alpha, (double)beta, i, j, got, want);
        }
        for (int j = n; j < o.ldc; j++)
            ck_assert_msg(isnan(c[(long)i * o.ldc + j]), "gemm wrote into C's margin");
    }
    free(c);
    free_operands(&o);
}

/* Rows on both sides of MR = 8 and 16 and of the tall last tile (8 + 1 to
 * 4 rows with AVX-512: 9, 12, 20; 13 and 21 are one too many); columns on
 * both sides of one and two vectors (8, 16, 32 lanes; 2 and 4 in builds
 * without AVX). */
static const int row_sizes[] = {1, 7, 8, 9, 12, 13, 15, 16, 17, 20, 21, 33};
static const int col_sizes[] = {1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65};
static const int depth_sizes[] = {1, 9, 17, 32, 65};
#define COUNT(x) (int)(sizeof(x) / sizeof((x)[0]))

/* _i is the form: bit 0 transposes A, bit 1 transposes B. */
START_TEST(test_small_sizes)
{
    const int ta = _i & 1, tb = (_i >> 1) & 1;
    for (int x = 0; x < COUNT(row_sizes); x++)
        for (int y = 0; y < COUNT(col_sizes); y++)
            for (int z = 0; z < COUNT(depth_sizes); z++)
                check_product(ta, tb, row_sizes[x], col_sizes[y], depth_sizes[z], 1, 0,
                              (uint64_t)x * 10000 + (uint64_t)y * 100 + (uint64_t)z);
}
END_TEST

/* The k block (KC = 256) and the column block (512 doubles or 1024 floats). */
START_TEST(test_block_edges)
{
    const int ta = _i & 1, tb = (_i >> 1) & 1;
    check_product(ta, tb, 17, 33, 255, 1, 0, 1);
    check_product(ta, tb, 17, 33, 256, 1, 0, 2);
    check_product(ta, tb, 9, 17, 257, 1, 0, 3);
    check_product(ta, tb, 65, 63, 513, 1, 0, 4);
    check_product(ta, tb, 9, 1025, 20, 1, 0, 5);
    check_product(ta, tb, 255, 257, 65, 1, 0, 6);
}
END_TEST

START_TEST(test_alpha_beta)
{
    const int ta = _i & 1, tb = (_i >> 1) & 1;
    const tg_real alphas[] = {1, (tg_real)-0.5, 0, 2};
    const tg_real betas[] = {0, 1, (tg_real)0.75, -1};
    for (int x = 0; x < 4; x++)
        for (int y = 0; y < 4; y++) {
            check_product(ta, tb, 9, 17, 7, alphas[x], betas[y], (uint64_t)x * 4 + (uint64_t)y);
            check_product(ta, tb, 33, 40, 300, alphas[x], betas[y], (uint64_t)x * 4 + (uint64_t)y + 16);
        }
}
END_TEST

/* k = 0 leaves beta C; m = 0 or n = 0 touches nothing. */
START_TEST(test_empty)
{
    tg_real a[4] = {1, 2, 3, 4}, b[4] = {1, 2, 3, 4}, c[4] = {1, 2, 3, 4};
    tg_gemm(0, 0, 2, 2, 0, 1, a, 2, b, 2, 2, c, 2);
    for (int i = 0; i < 4; i++)
        ck_assert(c[i] == 2 * (i + 1));
    tg_gemm(0, 0, 0, 2, 2, 1, a, 2, b, 2, 0, c, 2);
    tg_gemm(0, 0, 2, 0, 2, 1, a, 2, b, 2, 0, c, 2);
    for (int i = 0; i < 4; i++)
        ck_assert(c[i] == 2 * (i + 1));
}
END_TEST

/* A hand-computed case: [1 2; 3 4] [5 6; 7 8] = [19 22; 43 50], and its
 * three transposed forms read from the same storage. */
START_TEST(test_by_hand)
{
    const tg_real a[4] = {1, 2, 3, 4}, b[4] = {5, 6, 7, 8};
    const tg_real want[4][4] = {
        {19, 22, 43, 50}, /* A B */
        {26, 30, 38, 44}, /* A^T B */
        {17, 23, 39, 53}, /* A B^T */
        {23, 31, 34, 46}, /* A^T B^T */
    };
    for (int form = 0; form < 4; form++) {
        tg_real c[4];
        tg_gemm(form & 1, form >> 1, 2, 2, 2, 1, a, 2, b, 2, 0, c, 2);
        for (int i = 0; i < 4; i++)
            ck_assert_msg(c[i] == want[form][i], "form %d: c[%d] = %g, want %g", form, i,
                          (double)c[i], (double)want[form][i]);
    }
}
END_TEST

/* The document's conv products (im2col and its two gradients, at batch 16) and
 * one product of each form big enough to be split (m n k >= 2^21), with 1,
 * 2 and 3 threads: bit for bit the same. */
static const int threaded_cases[][5] = {
    /* ta, tb, m, n, k */
    {0, 0, 10816, 32, 9}, {1, 0, 9, 32, 10816}, {0, 1, 10816, 9, 32}, {0, 0, 200, 300, 100},
    {0, 1, 150, 200, 100}, {1, 0, 100, 256, 120}, {1, 1, 130, 70, 240},
};
enum { N_THREADED = sizeof threaded_cases / sizeof threaded_cases[0] };

START_TEST(test_threads_bit_identical)
{
    const int *t = threaded_cases[_i];
    operands o = make_operands(t[0], t[1], t[2], t[3], t[4], (uint64_t)_i);
    size_t cbytes = sizeof(tg_real) * (size_t)o.m * (size_t)o.ldc;
    tg_real *ref = malloc(cbytes), *c = malloc(cbytes);
    const int saved = tg_get_threads();
    for (int nt = 1; nt <= 3; nt++) {
        tg_set_threads(nt);
        memcpy(c, o.c, cbytes);
        tg_gemm(o.ta, o.tb, o.m, o.n, o.k, (tg_real)0.5, o.a, o.lda, o.b, o.ldb, (tg_real)0.25, c,
                o.ldc);
        if (nt == 1)
            memcpy(ref, c, cbytes);
        else
            ck_assert_msg(memcmp(ref, c, cbytes) == 0, "%dx%dx%d (ta=%d tb=%d): %d threads differ",
                          o.m, o.n, o.k, o.ta, o.tb, nt);
    }
    tg_set_threads(saved);
    free(ref);
    free(c);
    free_operands(&o);
}
END_TEST

/* And with 2 threads the products (all threaded) are still right. */
START_TEST(test_threads_correct)
{
    const int saved = tg_get_threads();
    tg_set_threads(2);
    check_product(0, 0, 300, 200, 100, 1, 0, 7);
    check_product(1, 0, 9, 32, 8000, 1, 0, 8);
    check_product(0, 1, 8000, 9, 32, 1, 1, 9);
    tg_set_threads(saved);
}
END_TEST

START_TEST(test_set_threads_roundtrip)
{
    const int saved = tg_get_threads();
    ck_assert_int_ge(saved, 1);
    tg_set_threads(4);
    ck_assert_int_eq(tg_get_threads(), 4);
    tg_set_threads(saved);
}
END_TEST

/* tg_parallel_for runs every item exactly once, over many jobs in a row
 * (a late pool thread must never take an item of the next job), with
 * fewer items than threads, and nested. */
typedef struct item_counts {
    _Atomic int *runs;
    int count;
} item_counts;

static void count_item(void *ctx, int item)
{
    item_counts *ic = ctx;
    ck_assert(item >= 0 && item < ic->count);
    atomic_fetch_add(&ic->runs[item], 1);
}

static void nested_item(void *ctx, int item)
{
    item_counts *ic = ctx;
    item_counts inner = {ic->runs + item * 4, 4};
    tg_parallel_for(4, count_item, &inner);
}

START_TEST(test_parallel_for_each_item_once)
{
    const int saved = tg_get_threads();
    _Atomic int runs[64];
    for (int nt = 1; nt <= 3; nt++) {
        tg_set_threads(nt);
        for (int job = 0; job < 1000; job++) {
            item_counts ic = {runs, 1 + job % 40};
            for (int i = 0; i < ic.count; i++)
                atomic_store(&runs[i], 0);
            tg_parallel_for(ic.count, count_item, &ic);
            for (int i = 0; i < ic.count; i++)
                ck_assert_msg(atomic_load(&runs[i]) == 1, "%d threads, job %d: item %d ran %d times",
                              nt, job, i, atomic_load(&runs[i]));
        }
        item_counts outer = {runs, 16};
        for (int i = 0; i < 64; i++)
            atomic_store(&runs[i], 0);
        tg_parallel_for(16, nested_item, &outer);
        for (int i = 0; i < 64; i++)
            ck_assert_int_eq(atomic_load(&runs[i]), 1);
    }
    tg_set_threads(saved);
}
END_TEST

START_TEST(test_set_threads_zero_is_fatal)
{
    tg_set_threads(0);
}
END_TEST

Suite *tg_test_suite(void)
{
    Suite *s = suite_create("gemm");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, test_small_sizes, 0, 4);
    tcase_add_loop_test(tc, test_block_edges, 0, 4);
    tcase_add_loop_test(tc, test_alpha_beta, 0, 4);
    tcase_add_test(tc, test_empty);
    tcase_add_test(tc, test_by_hand);
    tcase_add_loop_test(tc, test_threads_bit_identical, 0, N_THREADED);
    tcase_add_test(tc, test_threads_correct);
    tcase_add_test(tc, test_set_threads_roundtrip);
    tcase_add_test(tc, test_parallel_for_each_item_once);
    tcase_add_exit_test(tc, test_set_threads_zero_is_fatal, TG_FATAL_EXIT);
    suite_add_tcase(s, tc);
    return s;
}
