/* The matrix product, with every leading index of a taken as a row:
 * a (..., K) @ b (K, M) -> (..., M). A Dense layer on (N, T, C) and the
 * per-step products of the LSTM are this one op. */
#include "kernels/kernels.h"
#include "autograd/autograd.h"

/* The rows of a (..., K): the product of its leading dimensions (K may
 * be 0, so not a->size / K). */
static int leading_rows(const tg_tensor *a)
{
    int rows = 1;
    for (int d = 0; d + 1 < a->shape.ndim; d++)
        rows *= a->shape.dim[d];
    return rows;
}

/* Y = A B   =>   dA = dY B^T,   dB = A^T dY */
static void matmul_backward(tg_tape *tape, tg_node *node)
{
    const tg_tensor *a = node->in[0], *b = node->in[1];
    const int k = b->shape.dim[0], m = b->shape.dim[1];
    const int rows = leading_rows(a);
    const tg_real *dy = node->out->grad;
    tg_real *da = tg_node_in_grad(tape, node, 0);
    tg_real *db = tg_node_in_grad(tape, node, 1);
    if (da)
        tg_gemm(0, 1, rows, k, m, 1, dy, m, b->data, m, 1, da, k);
    if (db)
        tg_gemm(1, 0, k, m, rows, 1, a->data, k, dy, m, 1, db, m);
}

tg_tensor *tg_matmul(tg_tape *tape, tg_tensor *a, tg_tensor *b)
{
    if (b->shape.ndim != 2 || a->shape.ndim < 1 ||
        a->shape.dim[a->shape.ndim - 1] != b->shape.dim[0]) {
        char sa[TG_SHAPE_STR_LEN], sb[TG_SHAPE_STR_LEN];
        tg_fatal("matmul: shapes %s and %s do not fit ((..., K) @ (K, M))",
                 tg_shape_str(a->shape, sa, sizeof sa), tg_shape_str(b->shape, sb, sizeof sb));
    }
    const int k = b->shape.dim[0], m = b->shape.dim[1];
    const int rows = leading_rows(a);
    tg_tensor *y = tg_tape_tensor(tape, tg_shape_with_last(a->shape, m));
    tg_gemm(0, 0, rows, m, k, 1, a->data, k, b->data, m, 0, y->data, m);
    tg_tensor *in[2] = {a, b};
    tg_tape_record(tape, "matmul", y, in, 2, matmul_backward);
    return y;
}
