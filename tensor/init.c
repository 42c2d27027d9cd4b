#include "tensor/tensor.h"

#include <math.h>
#include <stdlib.h>

void tg_init_uniform(tg_tensor *t, tg_rng *rng, double lo, double hi)
{
    for (size_t k = 0; k < t->size; k++)
        t->data[k] = (tg_real)(lo + (hi - lo) * tg_rng_uniform(rng));
}

void tg_init_normal(tg_tensor *t, tg_rng *rng, double mean, double std)
{
    for (size_t k = 0; k < t->size; k++)
        t->data[k] = (tg_real)(mean + std * tg_rng_normal(rng));
}

void tg_fans(tg_shape s, double *fan_in, double *fan_out)
{
    if (s.ndim < 2) {
        double n = s.ndim == 1 ? s.dim[0] : 1;
        *fan_in = *fan_out = n;
        return;
    }
    double receptive = 1;
    for (int i = 0; i < s.ndim - 2; i++)
        receptive *= s.dim[i];
    *fan_in = s.dim[s.ndim - 2] * receptive;
    *fan_out = s.dim[s.ndim - 1] * receptive;
}

void tg_init_glorot_uniform(tg_tensor *t, tg_rng *rng)
{
    double fan_in, fan_out;
    tg_fans(t->shape, &fan_in, &fan_out);
    /* limit = sqrt(6 / (fan_in + fan_out)) */
    double limit = sqrt(6.0 / (fan_in + fan_out));
    tg_init_uniform(t, rng, -limit, limit);
}

void tg_init_orthogonal(tg_tensor *t, tg_rng *rng, double gain)
{
    if (t->shape.ndim < 2)
        tg_fatal("init_orthogonal: needs a matrix, got %d-D", t->shape.ndim);
    const size_t cols = (size_t)t->shape.dim[t->shape.ndim - 1];
    const size_t rows = t->size / cols;
    /* Work on a tall (big x small) normal matrix A, stored column by column. */
    const size_t big = rows > cols ? rows : cols, small = rows > cols ? cols : rows;
    double *q = tg_xmalloc(big * small * sizeof *q, "init_orthogonal");
    for (size_t k = 0; k < big * small; k++)
        q[k] = tg_rng_normal(rng);
    /* Modified Gram-Schmidt: column j minus its projections on the earlier
     * (already orthonormal) columns, then normalised. R's diagonal is then
     * positive, which is QR with the signs of diag(R) folded into Q. */
    for (size_t j = 0; j < small; j++) {
        double *qj = q + j * big;
        for (size_t i = 0; i < j; i++) {
            const double *qi = q + i * big;
            double dot = 0;
            for (size_t r = 0; r < big; r++)
                dot += qi[r] * qj[r];
            for (size_t r = 0; r < big; r++)
                qj[r] -= dot * qi[r];
        }
        double norm = 0;
        for (size_t r = 0; r < big; r++)
            norm += qj[r] * qj[r];
        norm = sqrt(norm);
        for (size_t r = 0; r < big; r++)
            qj[r] /= norm;
    }
    /* Tall: element (r, c) is column c's entry r; wide: the transpose. */
    for (size_t r = 0; r < rows; r++)
        for (size_t c = 0; c < cols; c++)
            t->data[r * cols + c] =
                (tg_real)(gain * (rows >= cols ? q[c * big + r] : q[r * big + c]));
    free(q);
}

tg_tensor *tg_tensor_uniform(tg_shape shape, tg_rng *rng, double lo, double hi)
{
    tg_tensor *t = tg_tensor_new(shape);
    tg_init_uniform(t, rng, lo, hi);
    return t;
}

tg_tensor *tg_tensor_normal(tg_shape shape, tg_rng *rng, double mean, double std)
{
    tg_tensor *t = tg_tensor_new(shape);
    tg_init_normal(t, rng, mean, std);
    return t;
}
