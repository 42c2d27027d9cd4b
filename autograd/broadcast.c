#include "autograd/internal/broadcast.h"

void tg_bcast_check(const char *op, const tg_tensor *a, const tg_tensor *b)
{
    if (tg_shape_equal(a->shape, b->shape) || b->size == 1)
        return;
    if (b->shape.ndim == 1 && a->shape.ndim >= 1 &&
        b->shape.dim[0] == a->shape.dim[a->shape.ndim - 1])
        return;
    char sa[TG_SHAPE_STR_LEN], sb[TG_SHAPE_STR_LEN];
    tg_fatal("%s: shapes %s and %s do not broadcast", op, tg_shape_str(a->shape, sa, sizeof sa),
             tg_shape_str(b->shape, sb, sizeof sb));
}
