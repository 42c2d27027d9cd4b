/* Element-wise arithmetic: forward and backward side by side. */
#include "autograd/internal/broadcast.h"
#include "autograd/autograd.h"

static tg_tensor *binary_out(tg_tape *tape, const char *op, tg_tensor *a, tg_tensor *b)
{
    tg_bcast_check(op, a, b);
    return tg_tape_tensor(tape, a->shape);
}

static void record_binary(tg_tape *tape, const char *op, tg_tensor *out, tg_tensor *a,
                          tg_tensor *b, tg_backward_fn backward)
{
    tg_tensor *in[2] = {a, b};
    tg_tape_record(tape, op, out, in, 2, backward);
}

/* b repeats every p = b->size elements of a (autograd/broadcast.h). The
 * loops below go row by row of that period, so that their inner loops have
 * no index arithmetic and vectorise; the sums into db keep the order of k. */

/* da += s dy over n elements (da may be NULL: a does not take a gradient) */
static void accumulate(tg_real *restrict da, const tg_real *restrict dy, tg_real s, size_t n)
{
    if (!da)
        return;
#pragma omp simd
    for (size_t k = 0; k < n; k++)
        da[k] += s * dy[k];
}

/* db[j] += s dy[r + j] for every row r of the period */
static void accumulate_rows(tg_real *restrict db, const tg_real *restrict dy, tg_real s, size_t n,
                            size_t period)
{
    if (!db)
        return;
    for (size_t r = 0; r < n; r += period)
#pragma omp simd
        for (size_t j = 0; j < period; j++)
            db[j] += s * dy[r + j];
}

/* y = a + b;  da += dy,  db += dy (summed over the broadcast positions) */
static void add_backward(tg_tape *tape, tg_node *node)
{
    const size_t n = node->out->size, p = node->in[1]->size;
    accumulate(tg_node_in_grad(tape, node, 0), node->out->grad, 1, n);
    accumulate_rows(tg_node_in_grad(tape, node, 1), node->out->grad, 1, n, p);
}

tg_tensor *tg_add(tg_tape *tape, tg_tensor *a, tg_tensor *b)
{
    tg_tensor *y = binary_out(tape, "add", a, b);
    const tg_real *restrict pa = a->data, *restrict pb = b->data;
    tg_real *restrict py = y->data;
    const size_t n = y->size, p = b->size;
    for (size_t r = 0; r < n; r += p)
#pragma omp simd
        for (size_t j = 0; j < p; j++)
            py[r + j] = pa[r + j] + pb[j];
    record_binary(tape, "add", y, a, b, add_backward);
    return y;
}

/* y = a - b;  da += dy,  db -= dy */
static void sub_backward(tg_tape *tape, tg_node *node)
{
    const size_t n = node->out->size, p = node->in[1]->size;
    accumulate(tg_node_in_grad(tape, node, 0), node->out->grad, 1, n);
    accumulate_rows(tg_node_in_grad(tape, node, 1), node->out->grad, -1, n, p);
}

tg_tensor *tg_sub(tg_tape *tape, tg_tensor *a, tg_tensor *b)
{
    tg_tensor *y = binary_out(tape, "sub", a, b);
    const tg_real *restrict pa = a->data, *restrict pb = b->data;
    tg_real *restrict py = y->data;
    const size_t n = y->size, p = b->size;
    for (size_t r = 0; r < n; r += p)
#pragma omp simd
        for (size_t j = 0; j < p; j++)
            py[r + j] = pa[r + j] - pb[j];
    record_binary(tape, "sub", y, a, b, sub_backward);
    return y;
}

/* y = a (.) b;  da += dy (.) b,  db += dy (.) a */
static void mul_backward(tg_tape *tape, tg_node *node)
{
    const tg_real *a = node->in[0]->data, *b = node->in[1]->data, *dy = node->out->grad;
    /* not restrict: in x (.) x, da and db are the same buffer */
    tg_real *da = tg_node_in_grad(tape, node, 0), *db = tg_node_in_grad(tape, node, 1);
    const size_t n = node->out->size, p = node->in[1]->size;
    for (size_t r = 0; r < n; r += p) {
        if (da) {
            for (size_t j = 0; j < p; j++)
                da[r + j] += dy[r + j] * b[j];
        }
        if (db) {
            for (size_t j = 0; j < p; j++)
                db[j] += dy[r + j] * a[r + j];
        }
    }
}

tg_tensor *tg_mul(tg_tape *tape, tg_tensor *a, tg_tensor *b)
{
    tg_tensor *y = binary_out(tape, "mul", a, b);
    const tg_real *restrict pa = a->data, *restrict pb = b->data;
    tg_real *restrict py = y->data;
    const size_t n = y->size, p = b->size;
    for (size_t r = 0; r < n; r += p)
#pragma omp simd
        for (size_t j = 0; j < p; j++)
            py[r + j] = pa[r + j] * pb[j];
    record_binary(tape, "mul", y, a, b, mul_backward);
    return y;
}

typedef struct {
    tg_real s;
} scalar_ctx;

/* y = s a;  da += s dy */
static void scale_backward(tg_tape *tape, tg_node *node)
{
    const tg_real s = ((scalar_ctx *)node->ctx)->s;
    accumulate(tg_node_in_grad(tape, node, 0), node->out->grad, s, node->out->size);
}

tg_tensor *tg_scale(tg_tape *tape, tg_tensor *a, tg_real s)
{
    tg_tensor *y = tg_tape_tensor(tape, a->shape);
    for (size_t k = 0; k < y->size; k++)
        y->data[k] = s * a->data[k];
    tg_node *node = tg_tape_record(tape, "scale", y, &a, 1, scale_backward);
    if (node) {
        scalar_ctx *ctx = tg_tape_alloc(tape, sizeof *ctx);
        ctx->s = s;
        node->ctx = ctx;
    }
    return y;
}

tg_tensor *tg_neg(tg_tape *tape, tg_tensor *a)
{
    return tg_scale(tape, a, -1);
}

/* y = a + s;  da += dy */
static void add_scalar_backward(tg_tape *tape, tg_node *node)
{
    accumulate(tg_node_in_grad(tape, node, 0), node->out->grad, 1, node->out->size);
}

tg_tensor *tg_add_scalar(tg_tape *tape, tg_tensor *a, tg_real s)
{
    tg_tensor *y = tg_tape_tensor(tape, a->shape);
    for (size_t k = 0; k < y->size; k++)
        y->data[k] = a->data[k] + s;
    tg_tape_record(tape, "add_scalar", y, &a, 1, add_scalar_backward);
    return y;
}
