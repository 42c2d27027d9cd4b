#include "autograd/autograd.h"

#include <stdlib.h>
#include <string.h>

tg_tape *tg_tape_new(void)
{
    tg_tape *tape = tg_xcalloc(1, sizeof *tape, "tape");
    tg_arena_init(&tape->arena);
    return tape;
}

void tg_tape_free(tg_tape *tape)
{
    if (!tape)
        return;
    tg_arena_free(&tape->arena);
    free(tape);
}

void tg_tape_reset(tg_tape *tape)
{
    tape->last = NULL;
    tape->n_nodes = 0;
    tg_arena_reset(&tape->arena);
}

void tg_tape_no_grad_begin(tg_tape *tape)
{
    tape->no_grad++;
}

void tg_tape_no_grad_end(tg_tape *tape)
{
    if (tape->no_grad <= 0)
        tg_fatal("tape_no_grad_end: no matching tg_tape_no_grad_begin");
    tape->no_grad--;
}

tg_tensor *tg_tape_tensor(tg_tape *tape, tg_shape shape)
{
    return tg_tensor_in_arena(&tape->arena, shape);
}

void *tg_tape_alloc(tg_tape *tape, size_t bytes)
{
    return tg_arena_alloc(&tape->arena, bytes);
}

tg_node *tg_tape_record(tg_tape *tape, const char *op, tg_tensor *out, tg_tensor *const *in,
                        int n_in, tg_backward_fn backward)
{
    if (tape->no_grad)
        return NULL;
    int any = 0;
    for (int i = 0; i < n_in; i++)
        any |= in[i]->requires_grad;
    if (!any)
        return NULL;
    tg_node *node = tg_arena_alloc(&tape->arena, sizeof *node);
    node->op = op;
    node->backward = backward;
    node->out = out;
    node->in = tg_arena_alloc(&tape->arena, (size_t)n_in * sizeof *node->in);
    memcpy(node->in, in, (size_t)n_in * sizeof *node->in);
    node->n_in = n_in;
    node->ctx = NULL;
    node->prev = tape->last;
    tape->last = node;
    tape->n_nodes++;
    out->requires_grad = 1;
    return node;
}

void tg_tape_grads_into(tg_tape *tape, tg_tensor *const *leaves, tg_real *const *grads, int n)
{
    tape->leaves = leaves;
    tape->leaf_grads = grads;
    tape->n_leaves = n;
}

static tg_real *grad_of(tg_tape *tape, tg_tensor *t)
{
    /* A model has a few dozen parameters: a scan per op input is cheap. */
    if (!t->in_arena)
        for (int i = 0; i < tape->n_leaves; i++)
            if (tape->leaves[i] == t)
                return tape->leaf_grads[i];
    if (!t->grad) {
        /* Heap leaves allocate their gradient in tg_tensor_requires_grad;
         * only arena tensors get here. */
        t->grad = tg_arena_calloc(&tape->arena, t->size * sizeof(tg_real));
    }
    return t->grad;
}

tg_real *tg_node_in_grad(tg_tape *tape, tg_node *node, int i)
{
    tg_tensor *t = node->in[i];
    return t->requires_grad ? grad_of(tape, t) : NULL;
}

void tg_tape_backward_seeded(tg_tape *tape, tg_tensor *out, const tg_real *seed)
{
    if (!out->requires_grad)
        tg_fatal("tape_backward: the output does not depend on anything that takes a gradient");
    tg_real *g = grad_of(tape, out);
    for (size_t k = 0; k < out->size; k++)
        g[k] += seed[k];
    /* Reverse order of recording is a valid reverse topological order: every
     * node was recorded after the nodes that produced its inputs. */
    for (tg_node *node = tape->last; node; node = node->prev)
        if (node->out->grad)
            node->backward(tape, node);
}

void tg_tape_backward(tg_tape *tape, tg_tensor *loss)
{
    if (loss->size != 1) {
        char s[TG_SHAPE_STR_LEN];
        tg_fatal("tape_backward: the loss must have one element, got shape %s",
                 tg_shape_str(loss->shape, s, sizeof s));
    }
    const tg_real one = 1;
    tg_tape_backward_seeded(tape, loss, &one);
}

void tg_tape_print(const tg_tape *tape, FILE *out)
{
    /* Nodes are linked newest first; print them oldest first. */
    const tg_node **order = tg_xmalloc((size_t)(tape->n_nodes ? tape->n_nodes : 1) * sizeof *order,
                                       "tape_print");
    int n = 0;
    for (const tg_node *node = tape->last; node; node = node->prev)
        order[n++] = node;
    fprintf(out, "tape: %d node%s\n", n, n == 1 ? "" : "s");
    for (int k = n - 1; k >= 0; k--) {
        const tg_node *node = order[k];
        char s[TG_SHAPE_STR_LEN];
        fprintf(out, "  #%d %-14s -> %-16s <-", n - 1 - k, node->op,
                tg_shape_str(node->out->shape, s, sizeof s));
        for (int i = 0; i < node->n_in; i++) {
            const tg_tensor *in = node->in[i];
            fprintf(out, " %s%s%s", in->name ? in->name : "", in->name ? ":" : "",
                    tg_shape_str(in->shape, s, sizeof s));
        }
        fprintf(out, "\n");
    }
    free(order);
}
