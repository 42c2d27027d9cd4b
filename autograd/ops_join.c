/* Concatenation and stacking. Both lay the parts side by side: for every
 * index o of the axes before the join axis, the output holds part 0's
 * chunk for o, then part 1's, ... The backward cuts the gradient the same way. */
#include <string.h>

#include "autograd/autograd.h"

typedef struct {
    size_t outer;
    size_t *chunk; /* elements of part j per outer index */
    size_t row;    /* sum of the chunks */
} join_ctx;

static void join_backward(tg_tape *tape, tg_node *node)
{
    const join_ctx *c = node->ctx;
    const tg_real *dy = node->out->grad;
    size_t offset = 0;
    for (int j = 0; j < node->n_in; j++) {
        tg_real *dp = tg_node_in_grad(tape, node, j);
        if (dp)
            for (size_t o = 0; o < c->outer; o++) {
                const tg_real *src = dy + o * c->row + offset;
                tg_real *dst = dp + o * c->chunk[j];
                for (size_t r = 0; r < c->chunk[j]; r++)
                    dst[r] += src[r];
            }
        offset += c->chunk[j];
    }
}

static tg_tensor *join(tg_tape *tape, const char *op, tg_tensor *const *parts, int n, tg_shape s,
                       join_ctx *c)
{
    tg_tensor *y = tg_tape_tensor(tape, s);
    size_t offset = 0;
    for (int j = 0; j < n; j++) {
        for (size_t o = 0; o < c->outer; o++)
            memcpy(y->data + o * c->row + offset, parts[j]->data + o * c->chunk[j],
                   c->chunk[j] * sizeof(tg_real));
        offset += c->chunk[j];
    }
    tg_node *node = tg_tape_record(tape, op, y, parts, n, join_backward);
    if (node)
        node->ctx = c;
    return y;
}

static void fatal_axis(const char *op, int axis, tg_shape s)
{
    char a[TG_SHAPE_STR_LEN];
    tg_fatal("%s: axis %d out of range for parts of shape %s", op, axis,
             tg_shape_str(s, a, sizeof a));
}

static void fatal_parts(const char *op, const char *why, tg_shape first, tg_shape other)
{
    char a[TG_SHAPE_STR_LEN], b[TG_SHAPE_STR_LEN];
    tg_fatal("%s: %s (shapes %s and %s)", op, why, tg_shape_str(first, a, sizeof a),
             tg_shape_str(other, b, sizeof b));
}

tg_tensor *tg_concat(tg_tape *tape, tg_tensor *const *parts, int n, int axis)
{
    if (n < 1)
        tg_fatal("concat: no parts");
    tg_shape s = parts[0]->shape;
    if (axis < 0 || axis >= s.ndim)
        fatal_axis("concat", axis, s);
    join_ctx *c = tg_tape_alloc(tape, sizeof *c);
    c->chunk = tg_tape_alloc(tape, (size_t)n * sizeof *c->chunk);
    c->outer = 1;
    for (int i = 0; i < axis; i++)
        c->outer *= (size_t)s.dim[i];
    c->row = 0;
    s.dim[axis] = 0;
    for (int j = 0; j < n; j++) {
        tg_shape pj = parts[j]->shape;
        int fits = pj.ndim == s.ndim;
        for (int i = 0; fits && i < s.ndim; i++)
            fits = i == axis || pj.dim[i] == s.dim[i];
        if (!fits)
            fatal_parts("concat", "parts differ off the join axis", parts[0]->shape, pj);
        s.dim[axis] += pj.dim[axis];
        c->chunk[j] = c->outer ? parts[j]->size / c->outer : 0;
        c->row += c->chunk[j];
    }
    return join(tape, "concat", parts, n, s, c);
}

tg_tensor *tg_stack(tg_tape *tape, tg_tensor *const *parts, int n, int axis)
{
    if (n < 1)
        tg_fatal("stack: no parts");
    tg_shape p = parts[0]->shape;
    if (p.ndim + 1 > TG_MAX_DIMS)
        tg_fatal("stack: parts already have the most axes a tensor can have (%d)", TG_MAX_DIMS);
    if (axis < 0 || axis > p.ndim)
        fatal_axis("stack", axis, p);
    for (int j = 1; j < n; j++)
        if (!tg_shape_equal(parts[j]->shape, p))
            fatal_parts("stack", "parts differ in shape", p, parts[j]->shape);
    tg_shape s = {p.ndim + 1, {0}};
    for (int i = 0, from = 0; i < s.ndim; i++)
        s.dim[i] = i == axis ? n : p.dim[from++];
    join_ctx *c = tg_tape_alloc(tape, sizeof *c);
    c->chunk = tg_tape_alloc(tape, (size_t)n * sizeof *c->chunk);
    c->outer = 1;
    for (int i = 0; i < axis; i++)
        c->outer *= (size_t)p.dim[i];
    for (int j = 0; j < n; j++)
        c->chunk[j] = c->outer ? parts[j]->size / c->outer : 0;
    c->row = c->chunk[0] * (size_t)n;
    return join(tape, "stack", parts, n, s, c);
}
