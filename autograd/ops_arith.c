/* Element-wise arithmetic: forward and backward side by side. */
#include "autograd/broadcast.h"
#include "autograd/ops.h"

typedef struct {
    tg_bcast bc;
} bcast_ctx;

static tg_tensor *binary_out(tg_tape *tape, const char *op, tg_tensor *a, tg_tensor *b,
                             tg_bcast *bc)
{
    *bc = tg_bcast_of(op, a, b);
    return tg_tape_tensor(tape, a->shape);
}

static void record_binary(tg_tape *tape, const char *op, tg_tensor *out, tg_tensor *a,
                          tg_tensor *b, tg_bcast bc, tg_backward_fn backward)
{
    tg_tensor *in[2] = {a, b};
    tg_node *node = tg_tape_record(tape, op, out, in, 2, backward);
    if (node) {
        bcast_ctx *ctx = tg_tape_alloc(tape, sizeof *ctx);
        ctx->bc = bc;
        node->ctx = ctx;
    }
}

/* y = a + b;  da += dy,  db += dy (summed over the broadcast positions) */
static void add_backward(tg_tape *tape, tg_node *node)
{
    const tg_bcast bc = ((bcast_ctx *)node->ctx)->bc;
    const tg_real *dy = node->out->grad;
    tg_real *da = tg_node_in_grad(tape, node, 0);
    tg_real *db = tg_node_in_grad(tape, node, 1);
    for (size_t k = 0; k < node->out->size; k++) {
        if (da)
            da[k] += dy[k];
        if (db)
            db[tg_bcast_index(bc, k)] += dy[k];
    }
}

tg_tensor *tg_add(tg_tape *tape, tg_tensor *a, tg_tensor *b)
{
    tg_bcast bc;
    tg_tensor *y = binary_out(tape, "add", a, b, &bc);
    for (size_t k = 0; k < y->size; k++)
        y->data[k] = a->data[k] + b->data[tg_bcast_index(bc, k)];
    record_binary(tape, "add", y, a, b, bc, add_backward);
    return y;
}

/* y = a - b;  da += dy,  db -= dy */
static void sub_backward(tg_tape *tape, tg_node *node)
{
    const tg_bcast bc = ((bcast_ctx *)node->ctx)->bc;
    const tg_real *dy = node->out->grad;
    tg_real *da = tg_node_in_grad(tape, node, 0);
    tg_real *db = tg_node_in_grad(tape, node, 1);
    for (size_t k = 0; k < node->out->size; k++) {
        if (da)
            da[k] += dy[k];
        if (db)
            db[tg_bcast_index(bc, k)] -= dy[k];
    }
}

tg_tensor *tg_sub(tg_tape *tape, tg_tensor *a, tg_tensor *b)
{
    tg_bcast bc;
    tg_tensor *y = binary_out(tape, "sub", a, b, &bc);
    for (size_t k = 0; k < y->size; k++)
        y->data[k] = a->data[k] - b->data[tg_bcast_index(bc, k)];
    record_binary(tape, "sub", y, a, b, bc, sub_backward);
    return y;
}

/* y = a (.) b;  da += dy (.) b,  db += dy (.) a */
static void mul_backward(tg_tape *tape, tg_node *node)
{
    const tg_bcast bc = ((bcast_ctx *)node->ctx)->bc;
    const tg_tensor *a = node->in[0], *b = node->in[1];
    const tg_real *dy = node->out->grad;
    tg_real *da = tg_node_in_grad(tape, node, 0);
    tg_real *db = tg_node_in_grad(tape, node, 1);
    for (size_t k = 0; k < node->out->size; k++) {
        size_t kb = tg_bcast_index(bc, k);
        if (da)
            da[k] += dy[k] * b->data[kb];
        if (db)
            db[kb] += dy[k] * a->data[k];
    }
}

tg_tensor *tg_mul(tg_tape *tape, tg_tensor *a, tg_tensor *b)
{
    tg_bcast bc;
    tg_tensor *y = binary_out(tape, "mul", a, b, &bc);
    for (size_t k = 0; k < y->size; k++)
        y->data[k] = a->data[k] * b->data[tg_bcast_index(bc, k)];
    record_binary(tape, "mul", y, a, b, bc, mul_backward);
    return y;
}

typedef struct {
    tg_real s;
} scalar_ctx;

/* y = s a;  da += s dy */
static void scale_backward(tg_tape *tape, tg_node *node)
{
    const tg_real s = ((scalar_ctx *)node->ctx)->s;
    const tg_real *dy = node->out->grad;
    tg_real *da = tg_node_in_grad(tape, node, 0);
    for (size_t k = 0; k < node->out->size; k++)
        da[k] += s * dy[k];
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
    const tg_real *dy = node->out->grad;
    tg_real *da = tg_node_in_grad(tape, node, 0);
    for (size_t k = 0; k < node->out->size; k++)
        da[k] += dy[k];
}

tg_tensor *tg_add_scalar(tg_tape *tape, tg_tensor *a, tg_real s)
{
    tg_tensor *y = tg_tape_tensor(tape, a->shape);
    for (size_t k = 0; k < y->size; k++)
        y->data[k] = a->data[k] + s;
    tg_tape_record(tape, "add_scalar", y, &a, 1, add_scalar_backward);
    return y;
}
