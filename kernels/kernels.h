/* kernels/: what computes fast and knows nothing of the tape -- the thread
 * pool, the blocked GEMM and the element-wise math. Stands on tensor/
 * (for tg_real) only. */
#ifndef TG_KERNELS_H
#define TG_KERNELS_H

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "tensor/tensor.h"

/* ==== Threads (threads.c) ================================================================ */

/* How many threads the library's parallel kernels (GEMM first) and the
 * training step's micro-batches (train/, tg_model_train_step) may use, and
 * the loop that spreads work over them.
 *
 * The default is 1, so that tests and small programs are quiet and
 * single-threaded unless asked: the environment variable TG_THREADS sets it
 * for a whole run, tg_set_threads() (the CLI's --threads) from code. Every
 * parallel kernel partitions its *output* between threads and never a sum,
 * so results are bit-identical for any thread count. */

/* The largest thread count tg_set_threads and TG_THREADS take. */
#define TG_MAX_THREADS 1024

/* 1 <= n <= TG_MAX_THREADS; anything else is a programming error (tg_fatal). */
void tg_set_threads(int n);

/* TG_THREADS, read: its count in *n, or 0 when it is unset or empty. Any
 * other value than a whole number from 1 to TG_MAX_THREADS (decimal
 * digits only) is refused: "TG_THREADS='abc' is not a thread count (a
 * whole number from 1 to 1024)". The command checks it before it runs. */
tg_status tg_threads_env(int *n);

/* The count set by tg_set_threads(), else TG_THREADS, else 1. A bad
 * TG_THREADS stops the program the first time the count is asked for, with
 * tg_threads_env's line (through tg_fatal): a run never silently ignores
 * the thread count it was given. At most 64 threads run (the caller and 63
 * in the pool), whatever the count. */
int tg_get_threads(void);

typedef void (*tg_task_fn)(void *ctx, int item);

/* Runs fn(ctx, item) once for every item in [0, count), on the calling
 * thread and up to tg_get_threads() - 1 pool threads, and returns when all
 * are done. Items are claimed one at a time from a shared counter, so a
 * thread the OS is slow to schedule (a busy machine) just gets fewer of
 * them, and nobody waits for it: which thread runs an item varies from run
 * to run, so fn(item) must write only what item owns. A tg_parallel_for
 * inside fn runs on the thread that calls it, alone. */
void tg_parallel_for(int count, tg_task_fn fn, void *ctx);

/* ==== Matrix multiply (gemm.c) =========================================================== */

/* General matrix multiply, row-major:
 *
 *     C (M x N) = alpha op(A) op(B) + beta C
 *
 * op(A) is A (M x K, leading dimension lda) or, with trans_a, the transpose
 * of A stored as K x M; likewise op(B). The ops need A B (forward), A B^T
 * (gradient of the left operand) and A^T B (gradient of the right
 * operand); A^T B^T works too. beta = 0 never reads C. Each element of C is
 * summed over k in one fixed order (blocks of 256 in increasing k) whatever
 * the thread count: threads split C, never k, so the result is
 * bit-identical for any tg_set_threads(). Blocking, vectorisation and
 * threads: docs/gemm.md. */

void tg_gemm(int trans_a, int trans_b, int m, int n, int k, tg_real alpha, const tg_real *a,
             int lda, const tg_real *b, int ldb, tg_real beta, tg_real *c, int ldc);

/* ==== Element-wise math ================================================================== */

/* The math the kernels and ops apply element by element, in tg_real: in
 * double the C library's functions; in float our own e^x and tanh, which
 * the compiler can vectorise (see each one), and a sigmoid that never
 * overflows. They know nothing of tensors or the tape. */

#ifdef TG_REAL_FLOAT
/* e^x of our own, not glibc's expf: a call the compiler cannot vectorise,
 * and the LSTM's gates take three per element. Cody-Waite: x = n ln 2 + r
 * with n = round(x log2 e) (the 1.5 2^23 shifter rounds and leaves n in the
 * low bits), ln 2 split in two so r is exact, |r| <= ln(2) / 2; e^r by
 * Cephes's degree-7 polynomial; 2^n built in the exponent field, as two
 * factors so that every n of the range (denormal results included) stays
 * representable. Max relative error 8.3e-8 (glibc's: 6e-8); +-inf, NaN and
 * overflow behave as expf's. */
static inline tg_real tg_real_exp(tg_real x)
{
    const float xc = x > 88.73f ? 88.73f : x < -104.0f ? -104.0f : x;
    const float shifter = 12582912.0f;
    const float t = xc * 1.44269504088896341f + shifter, n = t - shifter;
    uint32_t t_bits; /* unsigned: a NaN's bits must not overflow a shift */
    memcpy(&t_bits, &t, sizeof t_bits);
    const int32_t n_int = (int32_t)(t_bits - 0x4B400000u), n1 = n_int >> 1, n2 = n_int - n1;
    const float r = (xc - n * 0.693359375f) + n * 2.12194440e-4f;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    const uint32_t b1 = (uint32_t)(n1 + 127) << 23, b2 = (uint32_t)(n2 + 127) << 23;
    float two_n1, two_n2;
    memcpy(&two_n1, &b1, sizeof two_n1);
    memcpy(&two_n2, &b2, sizeof two_n2);
    const float y = (p * r * r + r + 1) * two_n1 * two_n2;
    return x > 88.7228391f ? INFINITY : x < -103.97f ? 0 : y;
}
static inline tg_real tg_real_log(tg_real x) { return logf(x); }
/* tanh as a rational function, not glibc's tanhf: tanhf goes through
 * expm1f, a call the compiler cannot vectorise, and it was a fifth of a
 * float training step of the document's LSTMs. tanh x ~ x P(x^2) / Q(x^2)
 * (degrees 13/6, the minimax fit Eigen uses) on |x| <= 7.9053 (beyond,
 * tanh rounds to +-1 in float); max relative error 2.8e-7 with FMA, 4e-7
 * without (glibc's tanhf: 1.6e-7). Below |x| = 4e-4, tanh x rounds to x. */
static inline tg_real tg_real_tanh(tg_real x)
{
    const float edge = 7.90531110763549805f;
    const float xc = x > edge ? edge : x < -edge ? -edge : x, x2 = xc * xc;
    float p = -2.76076847742355e-16f;
    p = p * x2 + 2.00018790482477e-13f;
    p = p * x2 - 8.60467152213735e-11f;
    p = p * x2 + 5.12229709037114e-08f;
    p = p * x2 + 1.48572235717979e-05f;
    p = p * x2 + 6.37261928875436e-04f;
    p = p * x2 + 4.89352455891786e-03f;
    float q = 1.19825839466702e-06f;
    q = q * x2 + 1.18534705686654e-04f;
    q = q * x2 + 2.26843463243900e-03f;
    q = q * x2 + 4.89352518554385e-03f;
    return fabsf(x) < 4e-4f ? x : xc * p / q;
}
static inline tg_real tg_real_sqrt(tg_real x) { return sqrtf(x); }
static inline tg_real tg_real_fabs(tg_real x) { return fabsf(x); }
#else
static inline tg_real tg_real_exp(tg_real x) { return exp(x); }
static inline tg_real tg_real_log(tg_real x) { return log(x); }
static inline tg_real tg_real_tanh(tg_real x) { return tanh(x); }
static inline tg_real tg_real_sqrt(tg_real x) { return sqrt(x); }
static inline tg_real tg_real_fabs(tg_real x) { return fabs(x); }
#endif

/* sigma(x) = 1 / (1 + e^{-x}), written so that e = e^{-|x|} never
 * overflows: 1 / (1 + e) for x >= 0, e / (1 + e) below. A select, not a
 * branch, so that loops over it vectorise. */
static inline tg_real tg_real_sigmoid(tg_real x)
{
    const tg_real e = tg_real_exp(-tg_real_fabs(x)), s = 1 / (1 + e);
    return x >= 0 ? s : e * s;
}

#endif
