#include "autograd/broadcast.h"

tg_bcast tg_bcast_of(const char *op, const tg_tensor *a, const tg_tensor *b)
{
    tg_bcast bc = {TG_BCAST_SAME, 0};
    if (tg_shape_equal(a->shape, b->shape))
        return bc;
    if (b->size == 1) {
        bc.kind = TG_BCAST_ONE;
        return bc;
    }
    if (b->shape.ndim == 1 && a->shape.ndim >= 1 &&
        b->shape.dim[0] == a->shape.dim[a->shape.ndim - 1]) {
        bc.kind = TG_BCAST_LAST;
        bc.period = (size_t)b->shape.dim[0];
        return bc;
    }
    char sa[TG_SHAPE_STR_LEN], sb[TG_SHAPE_STR_LEN];
    tg_fatal("%s: shapes %s and %s do not broadcast", op, tg_shape_str(a->shape, sa, sizeof sa),
             tg_shape_str(b->shape, sb, sizeof sb));
}
