#include "train/internal/weights.h"

#include <stdlib.h>

tg_tensor **tg_weights_clone(tg_tensor *const *params, int n)
{
    tg_tensor **copies = tg_xcalloc((size_t)n + 1, sizeof *copies, "weight copies");
    for (int i = 0; i < n; i++)
        copies[i] = tg_tensor_clone(params[i]);
    return copies;
}

void tg_weights_copy(tg_tensor *const *dst, tg_tensor *const *src, int n)
{
    for (int i = 0; i < n; i++)
        tg_tensor_copy_data(dst[i], src[i]);
}

void tg_weights_free(tg_tensor **copies, int n)
{
    for (int i = 0; copies && i < n; i++)
        tg_tensor_free(copies[i]);
    free(copies);
}
