/* max(a, b), element-wise: the building block of max-pooling,
 * y_i = max(y_i1, ..., y_iS) = max(max(y_i1, y_i2), ...). */
#include "autograd/autograd.h"

/* dy goes to whichever input was larger; on a tie to a, so that a chain
 * max(max(x1, x2), x3) sends it to the first of the tied elements. */
static void maximum_backward(tg_tape *tape, tg_node *node)
{
    const tg_real *a = node->in[0]->data, *b = node->in[1]->data, *dy = node->out->grad;
    tg_real *da = tg_node_in_grad(tape, node, 0);
    tg_real *db = tg_node_in_grad(tape, node, 1);
    for (size_t k = 0; k < node->out->size; k++) {
        if (a[k] >= b[k]) {
            if (da)
                da[k] += dy[k];
        } else if (db) {
            db[k] += dy[k];
        }
    }
}

tg_tensor *tg_maximum(tg_tape *tape, tg_tensor *a, tg_tensor *b)
{
    if (!tg_shape_equal(a->shape, b->shape)) {
        char sa[TG_SHAPE_STR_LEN], sb[TG_SHAPE_STR_LEN];
        tg_fatal("maximum: shapes %s and %s differ", tg_shape_str(a->shape, sa, sizeof sa),
                 tg_shape_str(b->shape, sb, sizeof sb));
    }
    tg_tensor *y = tg_tape_tensor(tape, a->shape);
    for (size_t k = 0; k < y->size; k++)
        y->data[k] = a->data[k] >= b->data[k] ? a->data[k] : b->data[k];
    tg_tensor *in[2] = {a, b};
    tg_tape_record(tape, "maximum", y, in, 2, maximum_backward);
    return y;
}
