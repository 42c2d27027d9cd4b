#include "train/train.h"

#include <math.h>

double tg_clip_grad_norm(tg_tensor *const *params, int n, double max_norm)
{
    if (!(max_norm > 0))
        tg_fatal("clip_grad_norm: max_norm %g is not > 0", max_norm);
    /* ||g|| = sqrt( sum over every parameter and element of g^2 ) */
    double sq = 0;
    for (int i = 0; i < n; i++)
        for (size_t k = 0; params[i]->grad && k < params[i]->size; k++)
            sq += (double)params[i]->grad[k] * (double)params[i]->grad[k];
    const double norm = sqrt(sq);
    if (!(norm > max_norm))
        return norm;
    /* g <- g max_norm / ||g|| */
    const tg_real factor = (tg_real)(max_norm / norm);
    for (int i = 0; i < n; i++)
        for (size_t k = 0; params[i]->grad && k < params[i]->size; k++)
            params[i]->grad[k] *= factor;
    return norm;
}
