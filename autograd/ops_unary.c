/* Element-wise functions. Each backward multiplies dy by the derivative,
 * written from the forward's saved output where that is cheaper. */
#include "autograd/autograd.h"
#include "kernels/kernels.h"

static tg_tensor *unary_out(tg_tape *tape, tg_tensor *a)
{
    return tg_tape_tensor(tape, a->shape);
}

/* sigma(x) = 1 / (1 + e^{-x});  sigma'(x) = sigma(x) (1 - sigma(x)) */
static void sigmoid_backward(tg_tape *tape, tg_node *node)
{
    const tg_real *y = node->out->data, *dy = node->out->grad;
    tg_real *da = tg_node_in_grad(tape, node, 0);
    for (size_t k = 0; k < node->out->size; k++)
        da[k] += dy[k] * y[k] * (1 - y[k]);
}

tg_tensor *tg_sigmoid(tg_tape *tape, tg_tensor *a)
{
    tg_tensor *y = unary_out(tape, a);
    for (size_t k = 0; k < y->size; k++)
        y->data[k] = tg_real_sigmoid(a->data[k]);
    tg_tape_record(tape, "sigmoid", y, &a, 1, sigmoid_backward);
    return y;
}

/* tanh'(x) = 1 - tanh(x)^2 */
static void tanh_backward(tg_tape *tape, tg_node *node)
{
    const tg_real *y = node->out->data, *dy = node->out->grad;
    tg_real *da = tg_node_in_grad(tape, node, 0);
    for (size_t k = 0; k < node->out->size; k++)
        da[k] += dy[k] * (1 - y[k] * y[k]);
}

tg_tensor *tg_tanh(tg_tape *tape, tg_tensor *a)
{
    tg_tensor *y = unary_out(tape, a);
    for (size_t k = 0; k < y->size; k++)
        y->data[k] = tg_real_tanh(a->data[k]);
    tg_tape_record(tape, "tanh", y, &a, 1, tanh_backward);
    return y;
}

/* relu(x) = max(x, 0);  relu'(x) = [x > 0] (0 at the kink x = 0) */
static void relu_backward(tg_tape *tape, tg_node *node)
{
    const tg_real *restrict x = node->in[0]->data, *restrict dy = node->out->grad;
    tg_real *restrict da = tg_node_in_grad(tape, node, 0);
    const size_t n = node->out->size;
    /* a select, not a branch, so that the loop vectorises (relu follows
     * every conv: these are the largest element-wise tensors of the models) */
#pragma omp simd
    for (size_t k = 0; k < n; k++)
        da[k] += x[k] > 0 ? dy[k] : 0;
}

tg_tensor *tg_relu(tg_tape *tape, tg_tensor *a)
{
    tg_tensor *y = unary_out(tape, a);
    const tg_real *restrict x = a->data;
    tg_real *restrict out = y->data;
    const size_t n = y->size;
#pragma omp simd
    for (size_t k = 0; k < n; k++)
        out[k] = x[k] > 0 ? x[k] : 0;
    tg_tape_record(tape, "relu", y, &a, 1, relu_backward);
    return y;
}

/* (e^x)' = e^x */
static void exp_backward(tg_tape *tape, tg_node *node)
{
    const tg_real *y = node->out->data, *dy = node->out->grad;
    tg_real *da = tg_node_in_grad(tape, node, 0);
    for (size_t k = 0; k < node->out->size; k++)
        da[k] += dy[k] * y[k];
}

tg_tensor *tg_exp(tg_tape *tape, tg_tensor *a)
{
    tg_tensor *y = unary_out(tape, a);
    for (size_t k = 0; k < y->size; k++)
        y->data[k] = tg_real_exp(a->data[k]);
    tg_tape_record(tape, "exp", y, &a, 1, exp_backward);
    return y;
}

/* (log x)' = 1 / x */
static void log_backward(tg_tape *tape, tg_node *node)
{
    const tg_real *x = node->in[0]->data, *dy = node->out->grad;
    tg_real *da = tg_node_in_grad(tape, node, 0);
    for (size_t k = 0; k < node->out->size; k++)
        da[k] += dy[k] / x[k];
}

tg_tensor *tg_log(tg_tape *tape, tg_tensor *a)
{
    tg_tensor *y = unary_out(tape, a);
    for (size_t k = 0; k < y->size; k++)
        y->data[k] = tg_real_log(a->data[k]);
    tg_tape_record(tape, "log", y, &a, 1, log_backward);
    return y;
}

/* |x|' = sign(x) (0 at the kink x = 0) -- the L1 penalty's derivative */
static void abs_backward(tg_tape *tape, tg_node *node)
{
    const tg_real *x = node->in[0]->data, *dy = node->out->grad;
    tg_real *da = tg_node_in_grad(tape, node, 0);
    for (size_t k = 0; k < node->out->size; k++)
        da[k] += x[k] > 0 ? dy[k] : x[k] < 0 ? -dy[k] : 0;
}

tg_tensor *tg_abs(tg_tape *tape, tg_tensor *a)
{
    tg_tensor *y = unary_out(tape, a);
    for (size_t k = 0; k < y->size; k++)
        y->data[k] = tg_real_fabs(a->data[k]);
    tg_tape_record(tape, "abs", y, &a, 1, abs_backward);
    return y;
}
