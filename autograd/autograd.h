/* autograd/: the tape (a Wengert list), the primitive differentiable ops,
 * each with its backward beside its forward, and gradcheck, which holds the
 * tape's gradients against finite differences. Stands on tensor/ and
 * kernels/. */
#ifndef TG_AUTOGRAD_H
#define TG_AUTOGRAD_H

#include <stdint.h>
#include <stdio.h>

#include "tensor/tensor.h"

/* ==== The tape (tape.c) ================================================================== */

/* The tape: a Wengert list. Every op appends one node (its output, its
 * inputs, a backward function and whatever the forward saved for it);
 * tg_tape_backward walks the list in reverse and accumulates gradients.
 *
 * All op outputs, their gradients and the saved contexts live in the tape's
 * arena and are released together by tg_tape_reset. Parameters (heap
 * tensors with requires_grad) keep their gradients across resets, so an
 * optimizer reads them after backward and zeroes them before the next step. */

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
    /* Set by tg_tape_grads_into: the gradients of these heap leaves go to
     * these buffers instead of the leaves' own (n_leaves = 0: their own). */
    tg_tensor *const *leaves;
    tg_real *const *leaf_grads;
    int n_leaves;
};

tg_tape *tg_tape_new(void);
void tg_tape_free(tg_tape *tape);
/* Forgets every node and releases every arena tensor at once. */
void tg_tape_reset(tg_tape *tape);

/* From now on, the gradients backward derives for leaves[i] (heap tensors
 * that take a gradient: a model's parameters) are added into grads[i], of
 * leaves[i]->size elements each, instead of leaves[i]->grad: so tapes that
 * run at once on different threads, one per micro-batch, each sum their own
 * gradients (train/micro_batches.c). The arrays are the caller's and must
 * live as long as the tape uses them; n = 0 gives every leaf its own back. */
void tg_tape_grads_into(tg_tape *tape, tg_tensor *const *leaves, tg_real *const *grads, int n);

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

/* ==== The tape as a picture (tape_dot.c) ================================================= */

/* Writes a tape as a Graphviz DOT graph (`dot -Tpng tape.dot -o tape.png`
 * draws it; `tapegrad graph` and tg_picture_make in apps/ do it for you):
 *
 *   - a box per leaf: blue for inputs (leaves that take a gradient), orange
 *     for the parameters listed in the options, grey and dashed for
 *     constants (leaves that take none);
 *   - an ellipse per op, with its name and output shape, yellow and bold
 *     when its output has a name (a named result: "i_t"), doubled for the
 *     last op (the loss);
 *   - under each tensor of at most max_values elements its values and, once
 *     tg_tape_backward has run, its gradient (four significant digits);
 *   - an arrow from every input to the op that reads it.
 *
 * Ops are written in the order they were recorded, and the ops recorded
 * since the previous named result are framed together with that result, so
 * a layer that names the result of each equation (the LSTM's reference path
 * does) is drawn one frame per equation, in the order of the equations. A
 * leaf read inside one frame only is drawn in it. Node ids are numbers in
 * order of appearance, so the same tape gives the same text every time.
 *
 * Names and captions are escaped (printable ASCII; quotes and backslashes
 * escaped), so no text can end a DOT string. */

/* The label of the frame closing at the result named `name`. */
typedef struct tg_tape_dot_caption {
    const char *name, *text;
} tg_tape_dot_caption;

typedef struct tg_tape_dot_opts {
    tg_tensor *const *params; /* leaves to draw as parameters */
    int n_params;
    size_t max_values;        /* values shown for tensors of at most this many elements */
    const char *title;        /* a line above the legend, or NULL */
    const tg_tape_dot_caption *captions; /* frame labels (default: the result's name) */
    int n_captions;
} tg_tape_dot_opts;

/* No parameters, values of tensors of up to 4 elements, no title, no captions. */
tg_tape_dot_opts tg_tape_dot_defaults(void);

/* opts may be NULL (the defaults). Errors of out are the caller's to check. */
void tg_tape_write_dot(const tg_tape *tape, FILE *out, const tg_tape_dot_opts *opts);

/* ==== Primitive ops ====================================================================== */

/* The primitive differentiable ops. Each one computes its output into the
 * tape's arena and, when a gradient is wanted, records a node whose backward
 * function sits right below the forward in the same file.
 *
 * Broadcasting (add, sub, mul): b has a's shape, or is a vector as long as
 * a's last dimension (a bias, a per-channel or per-unit weight), or has one
 * element. Anything else stops with a message naming the op and the shapes. */

/* ---- element-wise arithmetic (ops_arith.c) ---- */
tg_tensor *tg_add(tg_tape *tape, tg_tensor *a, tg_tensor *b);        /* a + b */
tg_tensor *tg_sub(tg_tape *tape, tg_tensor *a, tg_tensor *b);        /* a - b */
tg_tensor *tg_mul(tg_tape *tape, tg_tensor *a, tg_tensor *b);        /* a (.) b */
tg_tensor *tg_scale(tg_tape *tape, tg_tensor *a, tg_real s);         /* s a */
tg_tensor *tg_add_scalar(tg_tape *tape, tg_tensor *a, tg_real s);    /* a + s */
tg_tensor *tg_neg(tg_tape *tape, tg_tensor *a);                      /* -a */

/* ---- element-wise functions (ops_unary.c) ---- */
tg_tensor *tg_sigmoid(tg_tape *tape, tg_tensor *a);
tg_tensor *tg_tanh(tg_tape *tape, tg_tensor *a);
tg_tensor *tg_relu(tg_tape *tape, tg_tensor *a);
tg_tensor *tg_exp(tg_tape *tape, tg_tensor *a);
tg_tensor *tg_log(tg_tape *tape, tg_tensor *a);
tg_tensor *tg_abs(tg_tape *tape, tg_tensor *a);

/* ---- matrix product (ops_matmul.c) ---- */
/* a (..., K) @ b (K, M) -> (..., M): every leading index of a is a row. */
tg_tensor *tg_matmul(tg_tape *tape, tg_tensor *a, tg_tensor *b);

/* ---- reductions (ops_reduce.c) ---- */
tg_tensor *tg_sum(tg_tape *tape, tg_tensor *a);   /* one element: sum of all */
tg_tensor *tg_mean(tg_tape *tape, tg_tensor *a);  /* one element: mean of all */

/* ---- shapes (ops_shape.c) ---- */
tg_tensor *tg_reshape(tg_tape *tape, tg_tensor *a, tg_shape shape);
/* out.dim[i] = a.dim[perm[i]] */
tg_tensor *tg_permute(tg_tape *tape, tg_tensor *a, const int *perm);
tg_tensor *tg_transpose(tg_tape *tape, tg_tensor *a); /* swaps the last two axes */
/* Indices start, start+step, ..., count of them, along one axis. */
tg_tensor *tg_slice(tg_tape *tape, tg_tensor *a, int axis, int start, int count, int step);
/* Zeros added before and after along one axis (conv padding). */
tg_tensor *tg_pad(tg_tape *tape, tg_tensor *a, int axis, int before, int after);
/* The same with another value (-infinity: max-pool padding); the gradient
 * of the padding is zero whatever the value. */
tg_tensor *tg_pad_value(tg_tape *tape, tg_tensor *a, int axis, int before, int after,
                        tg_real value);

/* ---- joining (ops_join.c) ---- */
tg_tensor *tg_concat(tg_tape *tape, tg_tensor *const *parts, int n, int axis);
/* A new axis at position axis: n tensors of one shape -> (..., n, ...). */
tg_tensor *tg_stack(tg_tape *tape, tg_tensor *const *parts, int n, int axis);

/* ---- maximum and softmax (ops_max.c, ops_softmax.c) ---- */
/* max(a, b) element-wise; on a tie the gradient goes to a. */
tg_tensor *tg_maximum(tg_tape *tape, tg_tensor *a, tg_tensor *b);
tg_tensor *tg_softmax(tg_tape *tape, tg_tensor *a);      /* over the last axis */
tg_tensor *tg_log_softmax(tg_tape *tape, tg_tensor *a);  /* over the last axis */

/* ==== Gradient checks (gradcheck.c) ====================================================== */

/* gradcheck: the gradient the tape derives, held against finite differences.
 *
 * Hand it any function built from tape ops and the heap tensors it reads;
 * it returns a report per input. For a non-scalar output it checks
 * L = sum_i w_i out_i with fixed random weights w (seeded), which tests
 * every output's gradient at once.
 *
 * The numerical derivative is the five-point central difference
 *
 *     dL/dx ~ (8 (L(x+h) - L(x-h)) - (L(x+2h) - L(x-2h))) / (12 h)
 *
 * whose error is O(h^4), with L summed in long double. A point within 2h of
 * a kink (relu at 0, a tie in a max) is found by comparing the second
 * differences on either side of x, and is skipped and counted, never
 * silently. Each checked element's relative error is
 *
 *     |a - n| / max(|a| + |n|, tiny)
 *
 * with a the tape's value and n the numerical one; tiny keeps gradients
 * that are zero in truth from dividing rounding noise by nothing. */

/* 48: x and the 32 parameters of a Bidirectional full-peephole LSTM fit. */
#define TG_GRADCHECK_MAX_INPUTS 48

typedef tg_tensor *(*tg_gradcheck_fn)(tg_tape *tape, tg_tensor *const *inputs, void *ctx);

typedef struct tg_gradcheck_opts {
    double step;          /* h (scaled by max(1, |x|)); 0: the default of tg_real */
    double rtol;          /* pass when every max_rel_err <= rtol; 0: default */
    double tiny;          /* floor of the relative error's denominator; 0: default */
    size_t max_per_input; /* 0: every element; else a seeded sample this large */
    uint64_t seed;        /* for the weights w and the sample */
} tg_gradcheck_opts;

typedef struct tg_gradcheck_input_report {
    const char *name;
    double max_abs_err, max_rel_err;
    size_t total, checked, skipped; /* skipped: near a kink */
} tg_gradcheck_input_report;

typedef struct tg_gradcheck_report {
    int n_inputs;
    tg_gradcheck_input_report input[TG_GRADCHECK_MAX_INPUTS];
    double max_abs_err, max_rel_err, rtol;
    size_t checked, skipped;
    int sampled; /* 1 when some input was checked on a sample only */
    int passed;
} tg_gradcheck_report;

/* Defaults for this build's tg_real (double: h 1e-4, rtol 1e-7, tiny 1e-4). */
tg_gradcheck_opts tg_gradcheck_defaults(void);

/* inputs are heap tensors; each is made a gradient-taking leaf. Their data
 * is perturbed during the check and restored exactly. opts may be NULL. */
tg_gradcheck_report tg_gradcheck(tg_gradcheck_fn f, void *ctx, tg_tensor *const *inputs,
                                 int n_inputs, const tg_gradcheck_opts *opts);

/* One line per input, then a PASS/FAIL line. */
void tg_gradcheck_print(FILE *out, const char *name, const tg_gradcheck_report *report);

/* ==== Named gradient checks ============================================================== */

/* Named gradient checks. Each folder exports its list (ops here, layers in
 * layers/, losses in train/); `tapegrad gradcheck` and the Check suites
 * run the same lists, so the command and the tests can never disagree. */

typedef struct tg_gradcheck_case {
    const char *name;
    /* Builds random inputs from the seed, runs tg_gradcheck, frees them. */
    tg_gradcheck_report (*run)(uint64_t seed);
} tg_gradcheck_case;

/* Runs f on n heap tensors of the given shapes, filled U(lo, hi) from the
 * seed, and frees them: the common body of a case. */
tg_gradcheck_report tg_gradcheck_random(tg_gradcheck_fn f, void *ctx, const tg_shape *shapes,
                                        int n, double lo, double hi, uint64_t seed);

#endif
