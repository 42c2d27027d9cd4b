/* The tape: a Wengert list. Every op appends one node (its output, its
 * inputs, a backward function and whatever the forward saved for it);
 * tg_tape_backward walks the list in reverse and accumulates gradients.
 *
 * All op outputs, their gradients and the saved contexts live in the tape's
 * arena and are released together by tg_tape_reset. Parameters (heap
 * tensors with requires_grad) keep their gradients across resets, so an
 * optimizer reads them after backward and zeroes them before the next step. */
#ifndef TG_TAPE_H
#define TG_TAPE_H

#include <stdio.h>

#include "tensor/tensor.h"

typedef struct tg_tape tg_tape;
typedef struct tg_node tg_node;

/* Reads node->out->grad and adds into the gradients of node->in[...]. */
typedef void (*tg_backward_fn)(tg_tape *tape, tg_node *node);

struct tg_node {
    const char *op;
    tg_backward_fn backward;
    tg_tensor *out;
    tg_tensor **in;
    int n_in;
    void *ctx;      /* what the forward saved (arena memory) */
    tg_node *prev;  /* the node recorded before this one */
};

struct tg_tape {
    tg_arena arena;
    tg_node *last;
    int n_nodes;
    int no_grad;    /* > 0: ops record nothing (inference) */
};

tg_tape *tg_tape_new(void);
void tg_tape_free(tg_tape *tape);
/* Forgets every node and releases every arena tensor at once. */
void tg_tape_reset(tg_tape *tape);

/* No-grad mode nests: each begin needs one end. */
void tg_tape_no_grad_begin(tg_tape *tape);
void tg_tape_no_grad_end(tg_tape *tape);

/* Seeds d(loss)/d(loss) = 1 for a one-element loss and walks the tape back. */
void tg_tape_backward(tg_tape *tape, tg_tensor *loss);
/* The same from any output, seeded with a gradient of the output's shape:
 * d(sum(seed * out)) -- what gradcheck uses for non-scalar outputs. */
void tg_tape_backward_seeded(tg_tape *tape, tg_tensor *out, const tg_real *seed);

/* Prints one line per node: index, op, output shape, input shapes. */
void tg_tape_print(const tg_tape *tape, FILE *out);

/* ---- For writing ops (autograd/ops_*.c, fused layers) ---- */

/* A fresh arena tensor for an op's output; data uninitialised. */
tg_tensor *tg_tape_tensor(tg_tape *tape, tg_shape shape);
/* Arena memory for a node's saved context. */
void *tg_tape_alloc(tg_tape *tape, size_t bytes);
/* Records a node if any input requires a gradient and no-grad is off, and
 * marks out as requiring a gradient then. Returns the node or NULL. */
tg_node *tg_tape_record(tg_tape *tape, const char *op, tg_tensor *out, tg_tensor *const *in,
                        int n_in, tg_backward_fn backward);
/* The gradient buffer of input i, allocated zeroed on first use, or NULL
 * when that input takes no gradient. */
tg_real *tg_node_in_grad(tg_tape *tape, tg_node *node, int i);

#endif
