/* tensor/: the tensor type and what it stands on -- the scalar type, errors,
 * shapes, the arena, the seeded generator, creation, printing, Keras's
 * initialisers and the .npy format. The lowest floor: it includes nothing
 * of the library. */
#ifndef TG_TENSOR_H
#define TG_TENSOR_H

#include <float.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* ==== The scalar type ==================================================================== */

/* The scalar type of the whole library.
 *
 * double by default so that gradient checks are tight (central differences
 * need the extra digits); `make REAL=float` defines TG_REAL_FLOAT and builds
 * everything in single precision. Every tolerance in tests and gradcheck is
 * taken from here, so it follows the type. */

#ifdef TG_REAL_FLOAT
typedef float tg_real;
#define TG_REAL_NAME "float"
#define TG_REAL_EPSILON FLT_EPSILON
#define TG_REAL_MAX FLT_MAX
#else
typedef double tg_real;
#define TG_REAL_NAME "double"
#define TG_REAL_EPSILON DBL_EPSILON
#define TG_REAL_MAX DBL_MAX
#endif

/* ==== Errors (error.c) =================================================================== */

/* Two kinds of failure, handled two ways (see docs/conventions.md):
 *
 * - A programming error (shapes that do not fit, a bad argument) stops the
 *   program with one line naming the op and the shapes: tg_fatal(). Tests
 *   catch it with Check's exit tests, or get control back with
 *   tg_fatal_catch (below).
 * - A data error (a missing or malformed file, a NaN in training) is returned
 *   to the caller as a tg_status with a message; nothing crashes. */

/* Exit status of a program stopped by tg_fatal() under the default handler. */
#define TG_FATAL_EXIT 3

typedef void (*tg_fatal_handler)(const char *message);

/* Formats "tapegrad: <message>" and jumps back to the innermost
 * tg_fatal_catch running on this thread; outside any, hands it to the
 * handler, which must not return (the default prints it on stderr and exits
 * with TG_FATAL_EXIT). Messages, here and in a tg_status, are always one
 * line: a control byte in what they quote (a file name, a field) is spelled
 * out as \n, \r, \t or \xNN. */
void tg_fatal(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

/* Installs a handler and returns the previous one; NULL restores the default.
 * Handlers see the fatals raised outside any tg_fatal_catch. */
tg_fatal_handler tg_set_fatal_handler(tg_fatal_handler handler);

typedef struct tg_status {
    int code; /* 0 when all went well */
    char msg[320];
} tg_status;

/* The codes are set here in the header, where static analysis (make lint)
 * sees them: it then knows that a status made by tg_status_error is never
 * ok, and follows only the paths that can happen. */
static inline tg_status tg_status_ok(void)
{
    tg_status s;
    s.code = 0;
    s.msg[0] = '\0';
    return s;
}
/* The message, formatted; use tg_status_error. */
tg_status tg_status_message(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline tg_status tg_status_failed(tg_status s)
{
    s.code = 1;
    return s;
}
#define tg_status_error(...) tg_status_failed(tg_status_message(__VA_ARGS__))
static inline int tg_is_ok(const tg_status *s) { return s->code == 0; }

/* Runs body(ctx) and gives control back even when a programming error
 * stops it: ok when body returned, else an error status whose msg is the
 * fatal's one line, "tapegrad: <op>: ..." (cut at 319 characters).
 *
 *     tg_status st = tg_fatal_catch(run_case, &ctx);
 *     if (!tg_is_ok(&st))
 *         printf("stopped: %s\n", st.msg);
 *
 * A tg_fatal raised on this thread inside body, at any depth, jumps back
 * (siglongjmp, the signal mask restored) to the innermost catch running on
 * this thread, whatever handler is installed; catches nest, and when one
 * ends the enclosing catch, or else the handler, takes the fatals again.
 * One raised on another thread (a pool thread's out-of-memory) goes to the
 * handler as always.
 *
 * What a caught fatal leaves, since nothing between the fatal and the
 * catch ran to its end:
 *   - memory body allocated and had not yet handed to the caller (heap
 *     tensors, layers, a model under construction) is lost: keep what you
 *     allocate inside body in ctx to free it after, or expect a leak;
 *   - a tape body used holds a half-recorded pass: tg_tape_reset it before
 *     using it again (its arena is then reused, nothing leaks) and set its
 *     no_grad to 0 if body was inside a no-grad section (tg_model_predict
 *     and tg_model_evaluate run in one), or tg_tape_free it;
 *   - a layer or model whose build or update stopped midway (tg_model_add,
 *     an optimizer step) may be partly changed: free it rather than use it.
 * Everything else (other models, tensors, files saved before) is as it was.
 * body must end by returning or through tg_fatal: a longjmp of its own past
 * this call would leave the catch's frame behind. */
tg_status tg_fatal_catch(void (*body)(void *ctx), void *ctx);

/* Allocation that never returns NULL: an out-of-memory stops with tg_fatal
 * ("<what>: out of memory (...)"). */
void *tg_xmalloc(size_t bytes, const char *what);
void *tg_xcalloc(size_t count, size_t size, const char *what);
void *tg_xrealloc(void *p, size_t bytes, const char *what);

/* For tests of the out-of-memory paths: the k-th allocation through the
 * three functions above from now on (k = 1: the next one) fails as if the
 * system had no memory left; k = 0 turns the fault off. */
void tg_set_alloc_failure_after(unsigned long k);
/* How many allocations went through them so far (to size such tests). */
unsigned long tg_alloc_count(void);

/* ==== Shapes (shape.c) =================================================================== */

/* A shape: up to five dimensions, row-major. Sequences are (N, T, C),
 * images (N, H, W, C) and sequences of images, frames, (N, T, H, W, C),
 * channels last, as in the document's Keras code. */

#define TG_MAX_DIMS 5

typedef struct tg_shape {
    int ndim; /* 0 for a scalar */
    int dim[TG_MAX_DIMS];
} tg_shape;

#define TG_SHAPE_NARGS_(_1, _2, _3, _4, _5, N, ...) N
#define TG_SHAPE_NARGS(...) TG_SHAPE_NARGS_(__VA_ARGS__, 5, 4, 3, 2, 1, 0)
/* TG_SHAPE(2, 3) is the shape (2, 3); TG_SCALAR is the shape () of a scalar. */
#define TG_SHAPE(...) ((tg_shape){TG_SHAPE_NARGS(__VA_ARGS__), {__VA_ARGS__}})
#define TG_SCALAR ((tg_shape){0, {0}})

/* Number of elements; stops with a message on a negative dimension, or on
 * a shape whose bytes (elements x sizeof(tg_real)) would not fit in size_t. */
size_t tg_shape_size(tg_shape s);
int tg_shape_equal(tg_shape a, tg_shape b);
/* Writes "(2, 3)" into buf (always terminated) and returns buf. */
char *tg_shape_str(tg_shape s, char *buf, size_t len);
/* Shape with the last dimension (of a non-scalar) replaced. */
tg_shape tg_shape_with_last(tg_shape s, int last);

/* Room for five dimensions of any int: "(-2147483648, ...)" is 66 bytes. */
#define TG_SHAPE_STR_LEN 80

/* ==== The arena (arena.c) ================================================================ */

/* The arena behind a tape: one pass's intermediates (tensors, gradients,
 * saved contexts) are carved out of big blocks and all released at once by
 * tg_arena_reset. After the first training step the arena owns one block
 * large enough for a whole step, so the steady state does no malloc. */

typedef struct tg_arena_block tg_arena_block;

typedef struct tg_arena {
    tg_arena_block *first;
    tg_arena_block *current;
    size_t used;      /* bytes handed out since the last reset */
    size_t peak;      /* the most ever handed out between two resets */
    size_t mallocs;   /* blocks ever obtained from malloc */
} tg_arena;

void tg_arena_init(tg_arena *arena);
/* 64-byte aligned (a cache line; wide enough for any SIMD load). */
void *tg_arena_alloc(tg_arena *arena, size_t bytes);
void *tg_arena_calloc(tg_arena *arena, size_t bytes);
void tg_arena_reset(tg_arena *arena);
void tg_arena_free(tg_arena *arena);

/* ==== The random generator (rng.c) ======================================================= */

/* Our own seeded generator (xoshiro256**, seeded through splitmix64): the
 * state lives in a struct the caller owns, so the same seed gives the same
 * numbers on every machine, in every run, whatever else is running. */

typedef struct tg_rng {
    uint64_t s[4];
} tg_rng;

void tg_rng_seed(tg_rng *rng, uint64_t seed);
uint64_t tg_rng_next(tg_rng *rng);
/* Uniform in [0, 1), 53 random bits. */
double tg_rng_uniform(tg_rng *rng);
/* Standard normal (Box-Muller). */
double tg_rng_normal(tg_rng *rng);
/* Uniform integer in [0, n), n > 0, without modulo bias. */
uint64_t tg_rng_below(tg_rng *rng, uint64_t n);

/* ==== Tensors (tensor.c) ================================================================= */

/* tg_tensor: up to five dimensions of tg_real, contiguous and row-major,
 * with a gradient buffer of the same shape.
 *
 * A tensor lives either on the heap (parameters, data, anything that must
 * outlive one pass: tg_tensor_new ... tg_tensor_free) or in a tape's arena
 * (everything an op creates: released at once by tg_tape_reset). */

typedef struct tg_tensor {
    tg_shape shape;
    size_t size;        /* number of elements */
    tg_real *data;
    tg_real *grad;      /* d(loss)/d(this), same shape; NULL until needed */
    int requires_grad;  /* gradients flow into this tensor */
    int in_arena;       /* 1: owned by a tape's arena, never freed alone */
    const char *name;   /* optional label for printing and reports */
} tg_tensor;

/* Heap tensors (zero-filled). requires_grad is 0; see tg_tensor_requires_grad. */
tg_tensor *tg_tensor_new(tg_shape shape);
tg_tensor *tg_tensor_zeros(tg_shape shape);
tg_tensor *tg_tensor_ones(tg_shape shape);
tg_tensor *tg_tensor_full(tg_shape shape, tg_real value);
/* Copies shape-size values from a C array, row-major. */
tg_tensor *tg_tensor_from(tg_shape shape, const tg_real *values);
tg_tensor *tg_tensor_clone(const tg_tensor *t);
void tg_tensor_free(tg_tensor *t);

/* Arena tensor (uninitialised data, no gradient yet). */
tg_tensor *tg_tensor_in_arena(tg_arena *arena, tg_shape shape);

/* Marks a heap tensor as a leaf that collects gradients (allocates, zeroes). */
void tg_tensor_requires_grad(tg_tensor *t);
void tg_tensor_zero_grad(tg_tensor *t);
void tg_tensor_fill(tg_tensor *t, tg_real value);
void tg_tensor_copy_data(tg_tensor *dst, const tg_tensor *src);

/* Element access for up to 5 indices (row-major offset), checked. */
size_t tg_tensor_offset(const tg_tensor *t, int ndim, const int *index);
#define TG_AT(t, ...) ((t)->data[tg_tensor_offset((t), TG_SHAPE_NARGS(__VA_ARGS__), (const int[]){__VA_ARGS__})])

/* Stops with "<op>: expected shape A, got B" unless the shapes agree. */
void tg_tensor_expect_shape(const char *op, const tg_tensor *t, tg_shape expected);

/* Prints the shape line then the values in aligned rows (a tensor of 3 or
 * more dimensions as a list of 2-D slices); long rows, columns and slice lists show
 * their first and last entries around "...". label NULL: t->name. */
void tg_tensor_print(FILE *out, const char *label, const tg_tensor *t);
void tg_tensor_print_grad(FILE *out, const char *label, const tg_tensor *t);

/* ==== Initialisers (init.c) ============================================================== */

/* Initialisers, as Keras defines them, so a model starts where the document's
 * Keras model would (in distribution; the generator is ours). */

void tg_init_uniform(tg_tensor *t, tg_rng *rng, double lo, double hi);
void tg_init_normal(tg_tensor *t, tg_rng *rng, double mean, double std);

/* Keras's fans: a kernel (..., in, out) has receptive field = product of the
 * leading dimensions, fan_in = in * receptive, fan_out = out * receptive. */
void tg_fans(tg_shape s, double *fan_in, double *fan_out);

/* U(-limit, limit), limit = sqrt(6 / (fan_in + fan_out)) (Glorot & Bengio 2010). */
void tg_init_glorot_uniform(tg_tensor *t, tg_rng *rng);

/* A (rows, cols) matrix with orthonormal rows or columns (whichever are
 * fewer), rows = product of all but the last dimension: the QR factor of a
 * normal matrix with the signs of R's diagonal folded in (Saxe et al. 2014). */
void tg_init_orthogonal(tg_tensor *t, tg_rng *rng, double gain);

tg_tensor *tg_tensor_uniform(tg_shape shape, tg_rng *rng, double lo, double hi);
tg_tensor *tg_tensor_normal(tg_shape shape, tg_rng *rng, double mean, double std);

/* ==== The .npy format (npy.c) ============================================================ */

/* NumPy's .npy format (versions 1.0 and 2.0; little-endian <f8 and <f4;
 * C order; at most TG_MAX_DIMS = 5 dimensions), so any tensor can be
 * looked at in NumPy and weights can travel to Keras or PyTorch code.
 *
 * Whatever the file holds (<f8 or <f4) is converted to tg_real on load (in
 * the float build a finite <f8 value beyond float's range is refused, not
 * made inf); a tensor is saved as this build's tg_real (<f8 for double,
 * <f4 for float). A malformed file is refused with one clear message
 * naming the file. */

/* Writes a temporary file beside path, then renames it into place: a crash
 * never leaves half a file. */
tg_status tg_npy_save(const char *path, const tg_tensor *t);
/* On success *out is a new heap tensor; on failure *out is untouched. */
tg_status tg_npy_load(const char *path, tg_tensor **out);

/* The same on memory: the bytes of a .npy file (for archives and fuzzing).
 * tg_npy_encode returns a malloc'd buffer and its length. */
unsigned char *tg_npy_encode(const tg_tensor *t, size_t *len);
/* `what` names the source in messages (a path, "checkpoint entry x"). */
tg_status tg_npy_decode(const unsigned char *buf, size_t len, const char *what, tg_tensor **out);

#endif
