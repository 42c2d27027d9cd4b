/* The primitive differentiable ops. Each one computes its output into the
 * tape's arena and, when a gradient is wanted, records a node whose backward
 * function sits right below the forward in the same file.
 *
 * Broadcasting (add, sub, mul): b has a's shape, or is a vector as long as
 * a's last dimension (a bias, a per-channel or per-unit weight), or has one
 * element. Anything else stops with a message naming the op and the shapes. */
#ifndef TG_OPS_H
#define TG_OPS_H

#include "autograd/tape.h"

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

#endif
