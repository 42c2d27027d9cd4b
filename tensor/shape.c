#include "tensor/tensor.h"

#include <stdio.h>

size_t tg_shape_size(tg_shape s)
{
    if (s.ndim < 0 || s.ndim > TG_MAX_DIMS)
        tg_fatal("shape: %d dimensions (at most %d)", s.ndim, TG_MAX_DIMS);
    int empty = 0;
    for (int i = 0; i < s.ndim; i++) {
        if (s.dim[i] < 0)
            tg_fatal("shape: dimension %d is %d", i, s.dim[i]);
        empty |= s.dim[i] == 0;
    }
    if (empty)
        return 0;
    /* A product that wraps would make a small tensor of a huge shape. */
    size_t n = 1, bytes;
    int overflow = 0;
    for (int i = 0; i < s.ndim; i++)
        overflow |= __builtin_mul_overflow(n, (size_t)s.dim[i], &n);
    if (overflow || __builtin_mul_overflow(n, sizeof(tg_real), &bytes)) {
        char buf[TG_SHAPE_STR_LEN];
        tg_fatal("shape: %s has more elements than memory can address",
                 tg_shape_str(s, buf, sizeof buf));
    }
    return n;
}

int tg_shape_equal(tg_shape a, tg_shape b)
{
    if (a.ndim != b.ndim)
        return 0;
    for (int i = 0; i < a.ndim; i++)
        if (a.dim[i] != b.dim[i])
            return 0;
    return 1;
}

char *tg_shape_str(tg_shape s, char *buf, size_t len)
{
    size_t at = 0;
    at += (size_t)snprintf(buf + at, len - at, "(");
    for (int i = 0; i < s.ndim && at < len; i++)
        at += (size_t)snprintf(buf + at, len - at, "%s%d", i ? ", " : "", s.dim[i]);
    if (at < len)
        snprintf(buf + at, len - at, s.ndim == 1 ? ",)" : ")");
    return buf;
}

tg_shape tg_shape_with_last(tg_shape s, int last)
{
    if (s.ndim == 0)
        tg_fatal("shape: a scalar has no last dimension");
    s.dim[s.ndim - 1] = last;
    return s;
}
