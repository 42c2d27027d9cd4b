/* Check your own op's gradient with the public gradcheck.
 *
 * softplus(x) = log(1 + e^x) as a new op, written the way the library's
 * own ops are: a forward that computes its output into the tape's arena
 * and records a node, and beside it the backward that node runs,
 *
 *     softplus'(x) = e^x / (1 + e^x) = sigmoid(x),
 *
 * added into the input's gradient times the output's. tg_gradcheck then
 * holds the tape's gradient of a small function built on the new op,
 * f(x, W) = sum(softplus(x W)), against finite differences, for x and W,
 * and shows what it says of a backward with a bug (the derivative taken
 * as e^x, the chain rule's denominator forgotten).
 *
 * make examples looks for: softplus: PASS.*buggy softplus: FAIL
 */
#include <math.h>
#include <stdio.h>

#include "tapegrad.h"

/* dx += dy sigmoid(x) */
static void softplus_backward(tg_tape *tape, tg_node *node)
{
    const tg_real *x = node->in[0]->data, *dy = node->out->grad;
    tg_real *dx = tg_node_in_grad(tape, node, 0);
    for (size_t k = 0; k < node->out->size; k++)
        dx[k] += dy[k] / (1 + exp(-x[k]));
}

/* The bug: dx += dy e^x */
static void softplus_backward_buggy(tg_tape *tape, tg_node *node)
{
    const tg_real *x = node->in[0]->data, *dy = node->out->grad;
    tg_real *dx = tg_node_in_grad(tape, node, 0);
    for (size_t k = 0; k < node->out->size; k++)
        dx[k] += dy[k] * exp(x[k]);
}

/* y = log(1 + e^x), elementwise; the node runs `backward`. */
static tg_tensor *softplus(tg_tape *tape, tg_tensor *x, tg_backward_fn backward)
{
    tg_tensor *y = tg_tape_tensor(tape, x->shape);
    for (size_t k = 0; k < y->size; k++)
        y->data[k] = (tg_real)log1p(exp(x->data[k]));
    tg_tape_record(tape, "softplus", y, &x, 1, backward);
    return y;
}

typedef struct {
    tg_backward_fn backward;
} which_backward;

/* f(x, W) = sum(softplus(x W)) */
static tg_tensor *f(tg_tape *tape, tg_tensor *const *in, void *ctx)
{
    const which_backward *w = ctx;
    return tg_sum(tape, softplus(tape, tg_matmul(tape, in[0], in[1]), w->backward));
}

int main(void)
{
    tg_rng rng;
    tg_rng_seed(&rng, 1);
    tg_tensor *x = tg_tensor_uniform(TG_SHAPE(4, 3), &rng, -2, 2);
    tg_tensor *W = tg_tensor_uniform(TG_SHAPE(3, 2), &rng, -1, 1);
    x->name = "x";
    W->name = "W";
    tg_tensor *inputs[2] = {x, W};

    which_backward right = {softplus_backward}, buggy = {softplus_backward_buggy};
    tg_gradcheck_report r = tg_gradcheck(f, &right, inputs, 2, NULL);
    tg_gradcheck_print(stdout, "softplus", &r);
    tg_gradcheck_report b = tg_gradcheck(f, &buggy, inputs, 2, NULL);
    tg_gradcheck_print(stdout, "buggy softplus", &b);

    printf("\nsoftplus: %s (max_rel_err %.1e); buggy softplus: %s (max_rel_err %.1e)\n",
           r.passed ? "PASS" : "FAIL", r.max_rel_err, b.passed ? "PASS" : "FAIL", b.max_rel_err);
    tg_tensor_free(x);
    tg_tensor_free(W);
    return r.passed && !b.passed ? 0 : 1;
}
