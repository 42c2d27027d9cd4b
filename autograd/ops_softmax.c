/* Softmax and log-softmax over the last axis, stabilised by subtracting the
 * row's maximum (which changes neither result). */
#include "autograd/autograd.h"
#include "kernels/kernels.h"

static void rows_of(const tg_tensor *a, size_t *rows, size_t *n)
{
    if (a->shape.ndim < 1 || a->shape.dim[a->shape.ndim - 1] < 1)
        tg_fatal("softmax: needs a non-empty last axis");
    *n = (size_t)a->shape.dim[a->shape.ndim - 1];
    *rows = a->size / *n;
}

/* s_j = e^{z_j} / sum_k e^{z_k};   dz_j = s_j (ds_j - sum_k ds_k s_k) */
static void softmax_backward(tg_tape *tape, tg_node *node)
{
    size_t rows, n;
    rows_of(node->out, &rows, &n);
    tg_real *dz = tg_node_in_grad(tape, node, 0);
    for (size_t r = 0; r < rows; r++) {
        const tg_real *s = node->out->data + r * n, *ds = node->out->grad + r * n;
        tg_real dot = 0;
        for (size_t j = 0; j < n; j++)
            dot += ds[j] * s[j];
        for (size_t j = 0; j < n; j++)
            dz[r * n + j] += s[j] * (ds[j] - dot);
    }
}

tg_tensor *tg_softmax(tg_tape *tape, tg_tensor *a)
{
    size_t rows, n;
    rows_of(a, &rows, &n);
    tg_tensor *y = tg_tape_tensor(tape, a->shape);
    for (size_t r = 0; r < rows; r++) {
        const tg_real *z = a->data + r * n;
        tg_real *s = y->data + r * n;
        tg_real zmax = z[0], total = 0;
        for (size_t j = 1; j < n; j++)
            zmax = z[j] > zmax ? z[j] : zmax;
        for (size_t j = 0; j < n; j++)
            total += s[j] = tg_real_exp(z[j] - zmax);
        for (size_t j = 0; j < n; j++)
            s[j] /= total;
    }
    tg_tape_record(tape, "softmax", y, &a, 1, softmax_backward);
    return y;
}

/* l_j = z_j - log sum_k e^{z_k};   dz_j = dl_j - softmax_j sum_k dl_k */
static void log_softmax_backward(tg_tape *tape, tg_node *node)
{
    size_t rows, n;
    rows_of(node->out, &rows, &n);
    tg_real *dz = tg_node_in_grad(tape, node, 0);
    for (size_t r = 0; r < rows; r++) {
        const tg_real *l = node->out->data + r * n, *dl = node->out->grad + r * n;
        tg_real total = 0;
        for (size_t j = 0; j < n; j++)
            total += dl[j];
        for (size_t j = 0; j < n; j++)
            dz[r * n + j] += dl[j] - tg_real_exp(l[j]) * total;
    }
}

tg_tensor *tg_log_softmax(tg_tape *tape, tg_tensor *a)
{
    size_t rows, n;
    rows_of(a, &rows, &n);
    tg_tensor *y = tg_tape_tensor(tape, a->shape);
    for (size_t r = 0; r < rows; r++) {
        const tg_real *z = a->data + r * n;
        tg_real *l = y->data + r * n;
        tg_real zmax = z[0], total = 0;
        for (size_t j = 1; j < n; j++)
            zmax = z[j] > zmax ? z[j] : zmax;
        for (size_t j = 0; j < n; j++)
            total += tg_real_exp(z[j] - zmax);
        const tg_real log_total = zmax + tg_real_log(total);
        for (size_t j = 0; j < n; j++)
            l[j] = z[j] - log_total;
    }
    tg_tape_record(tape, "log_softmax", y, &a, 1, log_softmax_backward);
    return y;
}
