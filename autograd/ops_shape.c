/* Ops that move elements without changing their values. Their backward
 * moves the gradient back the same way. */
#include <string.h>

#include "autograd/autograd.h"

static void fatal_shape(const char *op, const char *why, tg_shape s)
{
    char buf[TG_SHAPE_STR_LEN];
    tg_fatal("%s: %s (input shape %s)", op, why, tg_shape_str(s, buf, sizeof buf));
}

/* A view of a tensor around one axis: (outer, dim, inner). */
typedef struct {
    size_t outer, inner;
    int dim;
} axis_view;

static axis_view view_around(const char *op, tg_shape s, int axis)
{
    if (axis < 0 || axis >= s.ndim) {
        char buf[TG_SHAPE_STR_LEN];
        tg_fatal("%s: axis %d out of range for shape %s", op, axis,
                 tg_shape_str(s, buf, sizeof buf));
    }
    axis_view v = {1, 1, s.dim[axis]};
    for (int i = 0; i < axis; i++)
        v.outer *= (size_t)s.dim[i];
    for (int i = axis + 1; i < s.ndim; i++)
        v.inner *= (size_t)s.dim[i];
    return v;
}

/* ---- reshape: same elements in the same order; the data is shared ---- */
static void reshape_backward(tg_tape *tape, tg_node *node)
{
    const tg_real *restrict dy = node->out->grad;
    tg_real *restrict da = tg_node_in_grad(tape, node, 0);
    const size_t n = node->out->size;
#pragma omp simd
    for (size_t k = 0; k < n; k++)
        da[k] += dy[k];
}

tg_tensor *tg_reshape(tg_tape *tape, tg_tensor *a, tg_shape shape)
{
    if (tg_shape_size(shape) != a->size) {
        char sa[TG_SHAPE_STR_LEN], sb[TG_SHAPE_STR_LEN];
        tg_fatal("reshape: %s has %zu elements, %s has %zu", tg_shape_str(a->shape, sa, sizeof sa),
                 a->size, tg_shape_str(shape, sb, sizeof sb), tg_shape_size(shape));
    }
    tg_tensor *y = tg_tape_alloc(tape, sizeof *y);
    memset(y, 0, sizeof *y);
    y->shape = shape;
    y->size = a->size;
    y->data = a->data;
    y->in_arena = 1;
    tg_tape_record(tape, "reshape", y, &a, 1, reshape_backward);
    return y;
}

/* ---- permute: out[i0, i1, ...] = a[... with axes reordered] ---- */
typedef struct {
    size_t src_stride[TG_MAX_DIMS]; /* stride in a of out's axis i */
} permute_ctx;

/* Calls back with (out index k, a index) for every element, in out order. */
static void permute_walk(const tg_tensor *y, const permute_ctx *ctx, const tg_real *src,
                         tg_real *dst, int forward)
{
    int idx[TG_MAX_DIMS] = {0};
    const int nd = y->shape.ndim;
    for (size_t k = 0; k < y->size; k++) {
        size_t at = 0;
        for (int i = 0; i < nd; i++)
            at += (size_t)idx[i] * ctx->src_stride[i];
        if (forward)
            dst[k] = src[at];
        else
            dst[at] += src[k];
        for (int i = nd - 1; i >= 0; i--) {
            if (++idx[i] < y->shape.dim[i])
                break;
            idx[i] = 0;
        }
    }
}

static void permute_backward(tg_tape *tape, tg_node *node)
{
    permute_walk(node->out, node->ctx, node->out->grad, tg_node_in_grad(tape, node, 0), 0);
}

tg_tensor *tg_permute(tg_tape *tape, tg_tensor *a, const int *perm)
{
    const int nd = a->shape.ndim;
    size_t stride[TG_MAX_DIMS];
    int seen[TG_MAX_DIMS] = {0};
    for (int i = nd - 1; i >= 0; i--)
        stride[i] = i == nd - 1 ? 1 : stride[i + 1] * (size_t)a->shape.dim[i + 1];
    permute_ctx *ctx = tg_tape_alloc(tape, sizeof *ctx);
    tg_shape s = {nd, {0}};
    for (int i = 0; i < nd; i++) {
        if (perm[i] < 0 || perm[i] >= nd || seen[perm[i]]++)
            fatal_shape("permute", "perm is not a permutation of the axes", a->shape);
        s.dim[i] = a->shape.dim[perm[i]];
        ctx->src_stride[i] = stride[perm[i]];
    }
    tg_tensor *y = tg_tape_tensor(tape, s);
    permute_walk(y, ctx, a->data, y->data, 1);
    tg_node *node = tg_tape_record(tape, "permute", y, &a, 1, permute_backward);
    if (node)
        node->ctx = ctx;
    return y;
}

tg_tensor *tg_transpose(tg_tape *tape, tg_tensor *a)
{
    const int nd = a->shape.ndim;
    if (nd < 2)
        fatal_shape("transpose", "needs at least two axes", a->shape);
    int perm[TG_MAX_DIMS];
    for (int i = 0; i < nd; i++)
        perm[i] = i;
    perm[nd - 2] = nd - 1;
    perm[nd - 1] = nd - 2;
    return tg_permute(tape, a, perm);
}

/* ---- slice: y[o, i, r] = a[o, start + i step, r] ---- */
typedef struct {
    axis_view in;
    int start, count, step;
} slice_ctx;

static void slice_backward(tg_tape *tape, tg_node *node)
{
    const slice_ctx *c = node->ctx;
    const tg_real *dy = node->out->grad;
    tg_real *da = tg_node_in_grad(tape, node, 0);
    for (size_t o = 0; o < c->in.outer; o++)
        for (int i = 0; i < c->count; i++) {
            tg_real *dst = da + (o * (size_t)c->in.dim + (size_t)(c->start + i * c->step)) * c->in.inner;
            const tg_real *src = dy + (o * (size_t)c->count + (size_t)i) * c->in.inner;
            for (size_t r = 0; r < c->in.inner; r++)
                dst[r] += src[r];
        }
}

tg_tensor *tg_slice(tg_tape *tape, tg_tensor *a, int axis, int start, int count, int step)
{
    axis_view v = view_around("slice", a->shape, axis);
    if (step < 1 || count < 1 || start < 0 || start + (count - 1) * step >= v.dim) {
        char s[TG_SHAPE_STR_LEN];
        tg_fatal("slice: start %d, count %d, step %d do not fit axis %d of %s", start, count, step,
                 axis, tg_shape_str(a->shape, s, sizeof s));
    }
    tg_shape s = a->shape;
    s.dim[axis] = count;
    tg_tensor *y = tg_tape_tensor(tape, s);
    for (size_t o = 0; o < v.outer; o++)
        for (int i = 0; i < count; i++)
            memcpy(y->data + (o * (size_t)count + (size_t)i) * v.inner,
                   a->data + (o * (size_t)v.dim + (size_t)(start + i * step)) * v.inner,
                   v.inner * sizeof(tg_real));
    tg_node *node = tg_tape_record(tape, "slice", y, &a, 1, slice_backward);
    if (node) {
        slice_ctx *c = tg_tape_alloc(tape, sizeof *c);
        *c = (slice_ctx){v, start, count, step};
        node->ctx = c;
    }
    return y;
}

/* ---- pad: a value (zero for conv) before and after along one axis ---- */
static void pad_backward(tg_tape *tape, tg_node *node)
{
    const slice_ctx *c = node->ctx; /* the input is the slice [before, before + dim) of y */
    const tg_real *dy = node->out->grad;
    tg_real *da = tg_node_in_grad(tape, node, 0);
    const size_t span = (size_t)c->count * c->in.inner;
    for (size_t o = 0; o < c->in.outer; o++) {
        const tg_real *src = dy + (o * (size_t)c->in.dim + (size_t)c->start) * c->in.inner;
        for (size_t r = 0; r < span; r++)
            da[o * span + r] += src[r];
    }
}

tg_tensor *tg_pad_value(tg_tape *tape, tg_tensor *a, int axis, int before, int after,
                        tg_real value)
{
    axis_view v = view_around("pad", a->shape, axis);
    if (before < 0 || after < 0)
        fatal_shape("pad", "negative padding", a->shape);
    tg_shape s = a->shape;
    s.dim[axis] = v.dim + before + after;
    tg_tensor *y = tg_tape_tensor(tape, s);
    tg_tensor_fill(y, value);
    const size_t span = (size_t)v.dim * v.inner;
    for (size_t o = 0; o < v.outer; o++)
        memcpy(y->data + (o * (size_t)s.dim[axis] + (size_t)before) * v.inner, a->data + o * span,
               span * sizeof(tg_real));
    tg_node *node = tg_tape_record(tape, "pad", y, &a, 1, pad_backward);
    if (node) {
        slice_ctx *c = tg_tape_alloc(tape, sizeof *c);
        axis_view out = {v.outer, v.inner, s.dim[axis]};
        *c = (slice_ctx){out, before, v.dim, 1};
        node->ctx = c;
    }
    return y;
}

tg_tensor *tg_pad(tg_tape *tape, tg_tensor *a, int axis, int before, int after)
{
    return tg_pad_value(tape, a, axis, before, after, 0);
}
