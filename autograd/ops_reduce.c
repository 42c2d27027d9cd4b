/* Reductions to one element: the last op before a loss. */
#include "autograd/autograd.h"

/* y = sum_k a_k;  da_k += dy */
static void sum_backward(tg_tape *tape, tg_node *node)
{
    const tg_real dy = node->out->grad[0];
    tg_real *da = tg_node_in_grad(tape, node, 0);
    for (size_t k = 0; k < node->in[0]->size; k++)
        da[k] += dy;
}

tg_tensor *tg_sum(tg_tape *tape, tg_tensor *a)
{
    tg_tensor *y = tg_tape_tensor(tape, TG_SCALAR);
    /* Accumulated in double in both builds: a float sum of many terms would
     * lose the digits the gradient checks look at. */
    double s = 0;
    for (size_t k = 0; k < a->size; k++)
        s += a->data[k];
    y->data[0] = (tg_real)s;
    tg_tape_record(tape, "sum", y, &a, 1, sum_backward);
    return y;
}

/* y = (1/n) sum_k a_k;  da_k += dy / n */
static void mean_backward(tg_tape *tape, tg_node *node)
{
    const size_t n = node->in[0]->size;
    const tg_real dy = node->out->grad[0] / (tg_real)n;
    tg_real *da = tg_node_in_grad(tape, node, 0);
    for (size_t k = 0; k < n; k++)
        da[k] += dy;
}

tg_tensor *tg_mean(tg_tape *tape, tg_tensor *a)
{
    if (a->size == 0)
        tg_fatal("mean: the input has no elements");
    tg_tensor *y = tg_tape_tensor(tape, TG_SCALAR);
    double s = 0;
    for (size_t k = 0; k < a->size; k++)
        s += a->data[k];
    y->data[0] = (tg_real)(s / (double)a->size);
    tg_tape_record(tape, "mean", y, &a, 1, mean_backward);
    return y;
}
