/* A blocked, vectorised GEMM:  C = alpha op(A) op(B) + beta C  (row-major).
 *
 * How it is organised (docs/gemm.md has the same page with pictures)
 * ------------------------------------------------------------------
 * A naive triple loop does 2 flops per element loaded: it is limited by
 * memory, not by the multipliers. Every fast GEMM since GotoBLAS gets its
 * speed from *reuse*: each value brought into a register, the L1 or the L2
 * cache is used many times before it is evicted. Three levels:
 *
 * 1. Registers: the micro-kernel. C is cut into tiles of MR rows by NR
 *    columns (MR = 8; NR = two SIMD vectors, 32 floats or 16 doubles with
 *    AVX-512). A tile's MR x NR sums live in 16 vector registers for the
 *    whole run over k. Each step p loads one row of op(B) (two vectors),
 *    broadcasts the MR values op(A)[i, p] and does 2 MR fused
 *    multiply-adds: 2 MR FMAs for 2 + MR loads, which keeps both FMA units
 *    busy. The tile is written to C once, at the end.
 *
 * 2. L1: the k dimension is cut into blocks of KC = 256. The tile kernel
 *    reads an MR x KC sliver of op(A) and a KC x NR sliver of op(B). The A
 *    sliver (8 KB in float) stays in L1 while the kernel sweeps it across
 *    all the column panels of a block, so A is read from memory once.
 *
 * 3. L2: the columns are cut into blocks of NC (as many NR panels as fit
 *    KC x NC in about 1 MB). That KC x NC slab of op(B) stays in L2 while
 *    every row tile of C passes over it.
 *
 *      for each column block jc (NC columns)          slab of B in L2
 *        for each k block pc (KC)                     
 *          for each row tile ir (MR rows)             sliver of A in L1
 *            for each panel jr (NR columns) in jc     
 *              C[ir, jr] (+)= A[ir, pc] B[pc, jr]     registers
 *
 * Packing. The kernel wants each row of an op(B) panel to be NR contiguous
 * values. For B as stored (no transpose) that is already true: the kernel
 * reads it in place, with the row stride ldb, and no copy is made. A
 * transposed B, or the last panel when N is not a multiple of NR, is
 * first *packed*: copied once into K x NR panels, zero-padded to full
 * width. op(A) is read in place too: the kernel broadcasts single values,
 * so it only needs them at a fixed stride. A stored as is gives MR rows of
 * contiguous values; A stored transposed gives MR consecutive values at
 * each p, but each in its own cache line and, for a large lda, its own
 * page: that sliver is copied (packed) when it serves more than one panel.
 * Copying both operands into panels always, as GotoBLAS does, costs a pass
 * over memory which at the document's sizes (K = 9, or N = 32 with K = 21632)
 * is as long as the product itself.
 *
 * Edges. When m leaves a remainder of at most MR_TALL rows after its full
 * tiles (m = 9 or 12 in the conv weight gradients, cols^T dY with K = 3 x 3
 * or 3 x 4), the last tile takes them: a tall tile of MR + MR_TALL rows or
 * fewer, one pass over its k values instead of a second pass for the few
 * rows left (with AVX-512's 32 vector registers, 12 x 2 sums fit). Other
 * remainders run one row at a time through a one-row version of the
 * kernel. A last, partial panel is zero-padded, and its rows go through a
 * full-width buffer. Either way an element of C gets the very same sums,
 * and nothing outside the matrices is read or written.
 * When N fits in one vector, tiles are one vector wide (nv = 1), which
 * halves the padding wasted on N = 9.
 *
 * Small k. When k <= SK_MAX and op(B) is one panel (N <= NR), as in
 * im2col's cols W with k = 3 x 3 x 1, each tile is only a few multiply-adds
 * deep, and writing C is most of the work. Those products skip the blocked
 * loops: the rows of C are swept once, SK_ROWS at a time, each group's sums
 * computed in registers and stored straight to C. The sums are those of
 * the blocked path (one k block), in the same order.
 *
 * Order of the sums. Each element of C is
 *     c = alpha s_0 + beta c,  then  c = alpha s_b + c  for b = 1, 2, ...
 * where s_b is the sum over the k block b (KC values in increasing p,
 * fused multiply-adds). KC is a constant, and threads split the *tiles of
 * C* (rows, or column panels when there are few rows), never k: the result
 * is bit-identical for any thread count.
 *
 * Threads. Products under THREAD_MIN_WORK multiply-adds run on the calling
 * thread (waking a thread costs microseconds); larger ones cut the row
 * tiles (or the column panels, when there are more of those) into about
 * ITEMS_PER_THREAD contiguous ranges per thread, which tg_parallel_for
 * hands out to whichever thread is free. */
#include "kernels/kernels.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "tensor/tensor.h"

/* The widest vectors the build targets; GCC lowers them to narrower ones
 * (or to scalars) when the CPU has no such registers. */
#if defined(__AVX512F__)
#define VEC_BYTES 64
#elif defined(__AVX__)
#define VEC_BYTES 32
#else
#define VEC_BYTES 16
#endif

typedef tg_real vec __attribute__((vector_size(VEC_BYTES)));

enum {
    VL = VEC_BYTES / sizeof(tg_real), /* lanes of one vector */
    MR = 8,                           /* rows of a register tile */
    MR_MAX = MR + MR / 2,             /* rows of a tall tile, at most */
    /* rows a last, tall tile may add: 12 x 2 sums need 32 vector registers */
    MR_TALL = VEC_BYTES == 64 ? MR_MAX - MR : 0,
    NV_MAX = 2,                       /* vectors across a register tile */
    KC = 256,                         /* k block: A sliver in L1 */
    SK_MAX = 16,                      /* largest k of the small-k path */
    SK_ROWS = 4,                      /* rows of C per step of the small-k path */
};

#define L2_BUDGET (1 << 20)      /* bytes of op(B) kept in L2 per column block */
#define THREAD_MIN_WORK (1L << 21) /* m n k below which one thread is faster */
#define ITEMS_PER_THREAD 4

static inline vec vload(const tg_real *p)
{
    vec v;
    memcpy(&v, p, sizeof v);
    return v;
}

static inline void vstore(tg_real *p, vec v) { memcpy(p, &v, sizeof v); }

/* The micro-kernel: acc[r][v] = sum_{p < kc} op(A)[r, p] op(B)[p, v-th vector]
 * for r < rows. op(A)[r, p] is a[r rs_a + p cs_a]; row p of the op(B) panel
 * starts at b + p ldb_p. Inlined with constant rows, nv and strides, the
 * loops unroll and acc stays in registers. */
static inline __attribute__((always_inline)) void micro_kernel(int rows, int nv, int kc,
                                                              const tg_real *a, long rs_a,
                                                              long cs_a, const tg_real *b,
                                                              long ldb_p, vec acc[MR_MAX][NV_MAX])
{
#pragma GCC unroll 12
    for (int r = 0; r < rows; r++)
#pragma GCC unroll 2
        for (int v = 0; v < nv; v++)
            acc[r][v] = (vec){0};
    for (int p = 0; p < kc; p++) {
        vec bv[NV_MAX];
#pragma GCC unroll 2
        for (int v = 0; v < nv; v++)
            bv[v] = vload(b + p * ldb_p + v * VL);
#pragma GCC unroll 12
        for (int r = 0; r < rows; r++) {
            const tg_real arp = a[r * rs_a + p * cs_a];
#pragma GCC unroll 2
            for (int v = 0; v < nv; v++)
                acc[r][v] += arp * bv[v];
        }
    }
}

/* a_by_cols: op(A)[r, p] is at a[p lda + r] (A stored transposed);
 * otherwise at a[r lda + p]. */
static inline __attribute__((always_inline)) void
kernel_for_layout(int rows, int nv, int a_by_cols, int kc, const tg_real *a, long lda,
                  const tg_real *b, long ldb_p, vec acc[MR_MAX][NV_MAX])
{
    if (a_by_cols)
        micro_kernel(rows, nv, kc, a, 1, lda, b, ldb_p, acc);
    else
        micro_kernel(rows, nv, kc, a, lda, 1, b, ldb_p, acc);
}

/* c = alpha acc + beta c over one row of a tile (beta = 0: C is not read,
 * so it may hold anything, NaN included). */
static inline __attribute__((always_inline)) void update_row(int nv, const vec *acc, tg_real *c,
                                                            tg_real alpha, tg_real beta)
{
#pragma GCC unroll 2
    for (int v = 0; v < nv; v++) {
        vec r = alpha * acc[v];
        if (beta != 0)
            r += beta * vload(c + v * VL);
        vstore(c + v * VL, r);
    }
}

/* Writes rows x nr accumulated values into C. A row narrower than the
 * panel goes through a full-width copy, so that it gets the very same
 * vector arithmetic. */
static inline __attribute__((always_inline)) void write_tile(int nv, vec acc[MR_MAX][NV_MAX], int rows,
                                                            int nr, tg_real *c, long ldc,
                                                            tg_real alpha, tg_real beta)
{
    if (nr == nv * VL) {
#pragma GCC unroll 12
        for (int r = 0; r < rows; r++)
            update_row(nv, acc[r], c + r * ldc, alpha, beta);
        return;
    }
    for (int r = 0; r < rows; r++) {
        tg_real row[NV_MAX * VL] = {0};
        tg_real *cr = c + r * ldc;
        if (beta != 0)
            for (int j = 0; j < nr; j++)
                row[j] = cr[j];
        update_row(nv, acc[r], row, alpha, beta);
        for (int j = 0; j < nr; j++)
            cr[j] = row[j];
    }
}

/* A tile of `rows` rows (MR; up to MR + MR_TALL for a tall last tile; 1
 * for a row of a partial one): one specialised loop per (rows, nv), the
 * sums of all its rows in registers. */
static inline __attribute__((always_inline)) void
tile_rows(int rows, int nv, int a_by_cols, int kc, const tg_real *a, long lda, const tg_real *b,
          long ldb_p, int nr, tg_real *c, long ldc, tg_real alpha, tg_real beta)
{
    vec acc[MR_MAX][NV_MAX];
    if (nv == 2) {
        kernel_for_layout(rows, 2, a_by_cols, kc, a, lda, b, ldb_p, acc);
        write_tile(2, acc, rows, nr, c, ldc, alpha, beta);
    } else {
        kernel_for_layout(rows, 1, a_by_cols, kc, a, lda, b, ldb_p, acc);
        write_tile(1, acc, rows, nr, c, ldc, alpha, beta);
    }
}

/* One tile of C: mr <= MR + MR_TALL rows, nr <= nv VL columns. A full or
 * tall tile runs the kernel for its number of rows; the rows of a last,
 * partial row tile run one by one through the one-row kernel (same sums,
 * in the same order). */
static void tile(int nv, int a_by_cols, int kc, const tg_real *a, long lda, const tg_real *b,
                 long ldb_p, int mr, int nr, tg_real *c, long ldc, tg_real alpha, tg_real beta)
{
    switch (mr) {
    case MR:
        tile_rows(MR, nv, a_by_cols, kc, a, lda, b, ldb_p, nr, c, ldc, alpha, beta);
        return;
    case MR + 1:
        tile_rows(MR + 1, nv, a_by_cols, kc, a, lda, b, ldb_p, nr, c, ldc, alpha, beta);
        return;
    case MR + 2:
        tile_rows(MR + 2, nv, a_by_cols, kc, a, lda, b, ldb_p, nr, c, ldc, alpha, beta);
        return;
    case MR + 3:
        tile_rows(MR + 3, nv, a_by_cols, kc, a, lda, b, ldb_p, nr, c, ldc, alpha, beta);
        return;
    case MR + 4:
        tile_rows(MR + 4, nv, a_by_cols, kc, a, lda, b, ldb_p, nr, c, ldc, alpha, beta);
        return;
    default:
        break;
    }
    for (int r = 0; r < mr; r++)
        tile_rows(1, nv, a_by_cols, kc, a_by_cols ? a + r : a + r * lda, lda, b, ldb_p, nr,
                  c + r * ldc, ldc, alpha, beta);
}

/* Everything one call needs to know, shared by the threads. */
typedef struct gemm_job {
    int trans_a, trans_b, m, n, k;
    tg_real alpha, beta;
    const tg_real *a, *b;
    long lda, ldb, ldc;
    tg_real *c;
    int nv, nr;            /* vectors per tile, columns per panel */
    int row_tiles, panels; /* tiles of MR rows (the last one partial or tall), ceil(n / nr) */
    int panels_per_block;  /* NC / nr */
    int split_rows, items; /* parallel items: ranges of row tiles or of panels */
    tg_real *bpack;        /* panel q at bpack + q k nr; NULL if none packed */
} gemm_job;

static int panel_is_packed(const gemm_job *g, int q)
{
    return g->trans_b || (q + 1) * g->nr > g->n;
}

/* Copies panel q of op(B) (all k rows) into its packed place, zero-padded. */
static void pack_b_panel(const gemm_job *g, int q)
{
    const int j0 = q * g->nr, nr = g->n - j0 < g->nr ? g->n - j0 : g->nr;
    tg_real *dst = g->bpack + (long)q * g->k * g->nr;
    for (int p = 0; p < g->k; p++) {
        tg_real *row = dst + (long)p * g->nr;
        if (g->trans_b)
            for (int j = 0; j < nr; j++)
                row[j] = g->b[(long)(j0 + j) * g->ldb + p];
        else
            memcpy(row, g->b + (long)p * g->ldb + j0, (size_t)nr * sizeof(tg_real));
        for (int j = nr; j < g->nr; j++)
            row[j] = 0;
    }
}

/* All tiles with row tile in [t0, t1) and panel in [q0, q1), in the
 * blocked order described at the top. */
static void run_tiles(const gemm_job *g, int t0, int t1, int q0, int q1)
{
    tg_real asliver[MR * KC];
    for (int jc = q0; jc < q1; jc += g->panels_per_block) {
        const int jc_end = jc + g->panels_per_block < q1 ? jc + g->panels_per_block : q1;
        /* A stored transposed gives MR useful values per cache line and
         * page of a sliver: copied, they fit in a few lines, worth it when
         * the sliver serves more than one panel. */
        const int pack_a = g->trans_a && jc_end - jc > 1;
        for (int p0 = 0; p0 < g->k; p0 += KC) {
            const int kc = g->k - p0 < KC ? g->k - p0 : KC;
            const tg_real beta = p0 == 0 ? g->beta : 1;
            for (int t = t0; t < t1; t++) {
                const int i0 = t * MR, mr = t == g->row_tiles - 1 ? g->m - i0 : MR;
                const tg_real *a = g->trans_a ? g->a + (long)p0 * g->lda + i0
                                              : g->a + (long)i0 * g->lda + p0;
                long lda = g->lda;
                if (pack_a && mr == MR) {
                    for (int p = 0; p < kc; p++)
                        memcpy(asliver + p * MR, a + (long)p * lda, MR * sizeof(tg_real));
                    a = asliver, lda = MR;
                }
                for (int q = jc; q < jc_end; q++) {
                    const int j0 = q * g->nr, nr = g->n - j0 < g->nr ? g->n - j0 : g->nr;
                    const tg_real *b;
                    long ldb_p;
                    if (panel_is_packed(g, q))
                        b = g->bpack + ((long)q * g->k + p0) * g->nr, ldb_p = g->nr;
                    else
                        b = g->b + (long)p0 * g->ldb + j0, ldb_p = g->ldb;
                    tile(g->nv, g->trans_a, kc, a, lda, b, ldb_p, mr, nr,
                         g->c + (long)i0 * g->ldc + j0, g->ldc, g->alpha, beta);
                }
            }
        }
    }
}

/* Small k: rows [i, i + rows) of C, all n columns, in one pass. A full
 * width C row takes the vector stores as they are; otherwise write_tile's
 * row buffer. Each (rows, nv, full) case is its own specialised loop, so
 * that the sums stay in registers until they are stored. */
static inline __attribute__((always_inline)) void
small_k_group(int rows, int nv, int full, const gemm_job *g, const tg_real *b, long ldb_p, int i)
{
    vec acc[MR_MAX][NV_MAX];
    const tg_real *a = g->trans_a ? g->a + i : g->a + i * g->lda;
    kernel_for_layout(rows, nv, g->trans_a, g->k, a, g->lda, b, ldb_p, acc);
    tg_real *c = g->c + i * g->ldc;
    if (!full) {
        write_tile(nv, acc, rows, g->n, c, g->ldc, g->alpha, g->beta);
        return;
    }
#pragma GCC unroll 8
    for (int r = 0; r < rows; r++)
        update_row(nv, acc[r], c + r * g->ldc, g->alpha, g->beta);
}

/* Small k: the rows of row tiles [t0, t1), SK_ROWS at a time, then the
 * last few one by one. */
static void small_k_rows(const gemm_job *g, int t0, int t1)
{
    const int i_end = t1 == g->row_tiles ? g->m : t1 * MR;
    const tg_real *b = g->bpack ? g->bpack : g->b;
    const long ldb_p = g->bpack ? g->nr : g->ldb;
    const int full = g->n == g->nr;
    int i = t0 * MR;
    if (g->nv == 2 && full)
        for (; i + SK_ROWS <= i_end; i += SK_ROWS)
            small_k_group(SK_ROWS, 2, 1, g, b, ldb_p, i);
    else if (g->nv == 2)
        for (; i + SK_ROWS <= i_end; i += SK_ROWS)
            small_k_group(SK_ROWS, 2, 0, g, b, ldb_p, i);
    else if (full)
        for (; i + SK_ROWS <= i_end; i += SK_ROWS)
            small_k_group(SK_ROWS, 1, 1, g, b, ldb_p, i);
    else
        for (; i + SK_ROWS <= i_end; i += SK_ROWS)
            small_k_group(SK_ROWS, 1, 0, g, b, ldb_p, i);
    for (; i < i_end; i++)
        if (g->nv == 2)
            small_k_group(1, 2, 0, g, b, ldb_p, i);
        else
            small_k_group(1, 1, 0, g, b, ldb_p, i);
}

/* Parallel item: a contiguous range of row tiles (all panels), or of
 * panels (all row tiles). */
static void gemm_item(void *ctx, int item)
{
    const gemm_job *g = ctx;
    const int units = g->split_rows ? g->row_tiles : g->panels;
    const int lo = (int)((long)units * item / g->items);
    const int hi = (int)((long)units * (item + 1) / g->items);
    if (g->k <= SK_MAX && g->panels == 1)
        small_k_rows(g, lo, hi);
    else if (g->split_rows)
        run_tiles(g, lo, hi, 0, g->panels);
    else
        run_tiles(g, 0, g->row_tiles, lo, hi);
}

static void pack_item(void *ctx, int q)
{
    const gemm_job *g = ctx;
    if (panel_is_packed(g, q))
        pack_b_panel(g, q);
}

/* The packed-B buffer of the calling thread, kept between calls so that
 * the steady state of training allocates nothing. Held in thread-specific
 * data, so that the buffer of a pool thread is freed when it ends. */
typedef struct pack_buffer {
    tg_real *data;
    size_t cap;
} pack_buffer;

static pthread_key_t pack_key;

static void free_pack_buffer(void *p)
{
    pack_buffer *buf = p;
    free(buf->data);
    free(buf);
}

static void create_pack_key(void) { pthread_key_create(&pack_key, free_pack_buffer); }

static tg_real *bpack_reserve(size_t count)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, create_pack_key);
    pack_buffer *buf = pthread_getspecific(pack_key);
    if (!buf) {
        buf = tg_xcalloc(1, sizeof *buf, "gemm pack buffer");
        pthread_setspecific(pack_key, buf);
    }
    if (count > buf->cap) {
        free(buf->data);
        buf->data = aligned_alloc(64, (count * sizeof(tg_real) + 63) & ~(size_t)63);
        if (!buf->data)
            tg_fatal("gemm: out of memory packing %zu values of B", count);
        buf->cap = count;
    }
    return buf->data;
}

static void scale_c(int m, int n, tg_real beta, tg_real *c, long ldc)
{
    for (int i = 0; i < m; i++) {
        tg_real *ci = c + i * ldc;
        if (beta == 0)
            memset(ci, 0, (size_t)n * sizeof(tg_real));
        else if (beta != 1)
            for (int j = 0; j < n; j++)
                ci[j] *= beta;
    }
}

void tg_gemm(int trans_a, int trans_b, int m, int n, int k, tg_real alpha, const tg_real *a,
             int lda, const tg_real *b, int ldb, tg_real beta, tg_real *c, int ldc)
{
    if (m <= 0 || n <= 0)
        return;
    if (alpha == 0 || k <= 0) {
        scale_c(m, n, beta, c, ldc);
        return;
    }
    gemm_job g = {
        .trans_a = trans_a, .trans_b = trans_b, .m = m, .n = n, .k = k,
        .alpha = alpha, .beta = beta, .a = a, .b = b, .c = c,
        .lda = lda, .ldb = ldb, .ldc = ldc,
        /* one vector across when N fits in it: half the padding waste */
        .nv = n <= VL ? 1 : 2,
    };
    g.nr = g.nv * VL;
    /* a remainder of up to MR_TALL rows joins the last full tile */
    g.row_tiles = m % MR <= MR_TALL && m > MR ? m / MR : (m + MR - 1) / MR;
    g.panels = (n + g.nr - 1) / g.nr;
    g.panels_per_block = L2_BUDGET / (KC * g.nr * (int)sizeof(tg_real));
    int packed = 0;
    for (int q = 0; q < g.panels; q++)
        packed |= panel_is_packed(&g, q);
    if (packed)
        g.bpack = bpack_reserve((size_t)g.panels * (size_t)k * (size_t)g.nr);

    g.split_rows = g.row_tiles >= g.panels;
    const int units = g.split_rows ? g.row_tiles : g.panels;
    const int threads = (long)m * n * k < THREAD_MIN_WORK ? 1 : tg_get_threads();
    g.items = threads == 1 ? 1 : threads * ITEMS_PER_THREAD;
    if (g.items > units)
        g.items = units;
    if (packed) {
        if (threads == 1)
            for (int q = 0; q < g.panels; q++)
                pack_item(&g, q);
        else
            tg_parallel_for(g.panels, pack_item, &g);
    }
    tg_parallel_for(g.items, gemm_item, &g);
}
